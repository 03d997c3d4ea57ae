/* SPDX-License-Identifier: MIT */
/* Shared parts of the s7plus command-line tool. The CLI uses only the public header. */
#ifndef S7PLUS_CLI_H
#define S7PLUS_CLI_H

#include <s7plus/s7plus.h>
#include <stdio.h>

/* Exit codes (documented in `s7plus --help`, docs/cli.md and docs/errors.md): */
enum {
    CLI_OK = 0,
    CLI_USAGE = 1,      /* bad arguments, a value that does not fit, writes not allowed */
    CLI_NETWORK = 2,    /* transient: network, timeout, PLC busy */
    CLI_PLC = 3,        /* the PLC refused (a request, an item, a symbol) */
    CLI_PROTOCOL = 4,   /* protocol, TLS and other permanent failures */
    CLI_CONFIG = 5,     /* configuration or trust: TSAP, CA/key-log file, certificate */
};

/* --timeout and --browse-timeout: milliseconds from 1 to these. */
#define CLI_TIMEOUT_MAX_MS 3600000UL        /* one hour */
#define CLI_BROWSE_TIMEOUT_MAX_MS 86400000UL /* one day */

typedef struct cli_common {
    s7p_client_options opt;
    char host[256];
    char known_hosts[4096];   /* trust on first use: the file in use ("" otherwise) */
    bool json;
    int verbose;
    s7p_legacy_key test_key;  /* --legacy-key-id of a simulator test key (00 or 03) */
    char password[257];       /* S7PLUS_PASSWORD or --password-prompt; wiped once the client
                                 has its copy */
    bool password_prompt;
} cli_common;

/** A command's own option without argument: `--name` sets *flag to true. */
typedef struct cli_flag {
    const char *name;
    bool *flag;
} cli_flag;

/** The options every command shares, for the commands' --help. */
extern const char cli_common_help[];

/** Parses the options (the common ones and the command's own flags, `extra`, ended by
 *  {NULL, NULL}; may be NULL) and the endpoint, the first operand; checks that between
 *  `min_ops` and `max_ops` operands follow it (max_ops < 0: no limit). Prints why on a usage
 *  error; --help prints `usage` and the common options and exits 0. On CLI_OK the
 *  operands after the endpoint are argv[*first..argc-1]. */
int cli_start(int argc, char **argv, cli_common *c, const char *usage, const cli_flag *extra,
              int min_ops, int max_ops, int *first);
/** Splits HOST[:PORT] / [V6]:PORT into c->host and c->opt.port; CLI_USAGE (after saying
 *  what is wrong) for an empty host or a port that is not 1..65535. */
int cli_set_endpoint(cli_common *c, const char *arg);
/** Parses a decimal number min..max for `option`; CLI_USAGE (after saying why) when the
 *  text is not one. */
int cli_parse_number(const char *option, const char *text, unsigned long min,
                     unsigned long max, unsigned long *out);

/** The PLC password (password.c): S7PLUS_PASSWORD, or typed at the terminal without echo
 *  with --password-prompt, into c->password and c->opt.password. CLI_USAGE (after saying
 *  why) when it cannot be had. */
int cli_password(cli_common *c);
/** Wipes the CLI's copy of the password (the client keeps its own). */
void cli_password_wipe(cli_common *c);

/** The exit code for a failure with this status. */
int cli_exit_code(s7p_status st);
/** The exit code for a failed call: by its code, and by err->transient for codes that are
 *  neither usage, PLC refusal nor configuration. */
int cli_error_exit_code(const s7p_error *err);
/** Prints the error (text on stderr, or with --json an error object on stdout) and returns
 *  the exit code for it. */
int cli_fail(const cli_common *c, const s7p_error *err);

/** Creates the client (the known-hosts directory first, for trust on first use); on
 *  failure prints the error and returns its exit code (*out is then NULL). */
int cli_client_new(cli_common *c, s7p_client **out);
/** Connects a client made by cli_client_new; on failure prints the error and returns its
 *  exit code. Notes on stderr when the PLC's certificate was remembered for the first time. */
int cli_client_connect(cli_common *c, s7p_client *cl);
/** Both of them (*out is NULL on failure). */
int cli_connect(cli_common *c, s7p_client **out);
/** Disconnects and frees (NULL is a no-op). */
void cli_close(s7p_client *cl);

/** One question to the PLC: fills ctx from the connected client. */
typedef s7p_status cli_fetch_fn(s7p_client *cl, void *ctx, s7p_error *err);
/** Connects, calls fetch and disconnects; on failure prints the error and returns its exit
 *  code. */
int cli_fetch(cli_common *c, cli_fetch_fn *fetch, void *ctx);
/** A command that asks one thing: clears *c, parses the options and the endpoint (no
 *  operands; --help prints `usage`), then cli_fetch(). CLI_OK, or the exit code after
 *  saying why. */
int cli_fetch_once(int argc, char **argv, cli_common *c, const char *usage,
                   cli_fetch_fn *fetch, void *ctx);

/** For commands that run until interrupted: from now on SIGINT and SIGTERM only set the
 *  flag cli_stop_requested() reads, so the command ends cleanly (unsubscribes,
 *  disconnects). */
void cli_catch_stop(void);
/** Whether SIGINT or SIGTERM came since cli_catch_stop(). */
bool cli_stop_requested(void);
/** err->message without its leading "op: endpoint: " (for per-item lines). */
const char *cli_short_message(const s7p_error *err);
/** The same, also without a leading "SYMBOL: " (the caller prints the symbol itself). */
const char *cli_item_message(const s7p_error *err, const char *symbol);
/** A per-item failure of s7p_tag_by_symbol (unknown name, bad syntax, PLC refusal) rather
 *  than a failure of the connection. */
bool cli_item_status(s7p_status st);

int cmd_info(int argc, char **argv);
int cmd_browse(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_culture(int argc, char **argv);
int cmd_resources(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_alarms(int argc, char **argv);

#endif

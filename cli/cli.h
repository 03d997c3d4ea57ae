/* Shared parts of the s7plus command-line tool. The CLI uses only the public header. */
#ifndef S7PLUS_CLI_H
#define S7PLUS_CLI_H

#include <s7plus/s7plus.h>
#include <stdio.h>

/* Exit codes (documented in the README): */
enum {
    CLI_OK = 0,
    CLI_USAGE = 1,      /* bad arguments */
    CLI_NETWORK = 2,    /* transient: network, timeout */
    CLI_PLC = 3,        /* the PLC refused */
    CLI_PROTOCOL = 4,   /* protocol, TLS, verification, other permanent failures */
};

typedef struct cli_common {
    s7p_client_options opt;
    char host[256];
    bool json;
    int verbose;
} cli_common;

/** A command's own option without argument: `--name` sets *flag to true. */
typedef struct cli_flag {
    const char *name;
    bool *flag;
} cli_flag;

/** Parses the options every command shares; leaves operands in argv[optind..]. Returns
 *  CLI_OK, or CLI_USAGE after printing why; --help prints `usage` and exits 0. */
int cli_parse_common(int argc, char **argv, cli_common *c, const char *usage);
/** The same, plus the command's own flags (`extra`, ended by {NULL, NULL}; may be NULL). */
int cli_parse_flags(int argc, char **argv, cli_common *c, const char *usage,
                    const cli_flag *extra);
/** Splits HOST[:PORT] / [V6]:PORT into c->host and c->opt.port. */
int cli_set_endpoint(cli_common *c, const char *arg);
/** Prints the error and returns the exit code for it. */
int cli_fail(const cli_common *c, const s7p_error *err);

/** Creates the client and connects; on failure prints the error and returns its exit code
 *  (*out is then NULL). */
int cli_connect(cli_common *c, s7p_client **out);
/** Disconnects and frees (NULL is a no-op). */
void cli_close(s7p_client *cl);
/** err->message without its leading "op: endpoint: " (for per-item lines). */
const char *cli_short_message(const s7p_error *err);
/** The same, also without a leading "SYMBOL: " (the caller prints the symbol itself). */
const char *cli_item_message(const s7p_error *err, const char *symbol);
/** One line for a failed batch item, e.g. "PLC error code -12". */
void cli_item_error(const s7p_item_result *r, char *buf, size_t len);
/** A per-item failure of s7p_tag_by_symbol (unknown name, bad syntax, PLC refusal) rather
 *  than a failure of the connection. */
bool cli_item_status(s7p_status st);

int cmd_info(int argc, char **argv);
int cmd_browse(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_write(int argc, char **argv);

#endif

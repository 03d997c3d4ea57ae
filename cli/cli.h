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

/** Parses the options every command shares; leaves operands in argv[optind..]. Returns
 *  CLI_OK, or CLI_USAGE after printing why. `extra` lists more long options for the command
 *  (may be NULL); unknown ones are handed to on_extra. */
int cli_parse_common(int argc, char **argv, cli_common *c, const char *usage);
/** Splits HOST[:PORT] / [V6]:PORT into c->host and c->opt.port. */
int cli_set_endpoint(cli_common *c, const char *arg);
/** Prints the error and returns the exit code for it. */
int cli_fail(const cli_common *c, const s7p_error *err);

int cmd_info(int argc, char **argv);

#endif

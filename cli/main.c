/* SPDX-License-Identifier: MIT */
/* s7plus: the command-line tool. `s7plus COMMAND [options]`; see `s7plus --help`. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"

static const char usage[] =
    "usage: s7plus COMMAND [options]\n"
    "commands:\n"
    "  info HOST[:PORT]                  CPU identity (order number, firmware, name, ...)\n"
    "  browse HOST[:PORT] [--flat]       every variable of the PLC program, as a tree or flat\n"
    "  read HOST[:PORT] SYMBOL...        read variables: SYMBOL = VALUE (TIA literal style)\n"
    "  write HOST[:PORT] SYMBOL=VALUE... --allow-write\n"
    "                                    write variables in one batch\n"
    "  watch HOST[:PORT] SYMBOL... [--cycle MS] [--count N]\n"
    "                                    print each change of the variables as it comes\n"
    "  decode FILE [--keylog KEYS]       what the HMI and the PLC said in a pcap/pcapng capture\n"
    "  culture HOST[:PORT]               the languages of the PLC's texts (LCIDs, cultures)\n"
    "  resources HOST[:PORT]             communication resources: tags per request,\n"
    "                                    subscriptions, attributes (max and free)\n"
    "  state HOST[:PORT]                 the CPU's operating state (run, stop, ...)\n"
    "  alarms HOST[:PORT] [--lang LCID]  the active alarms with their texts\n"
    "  `s7plus COMMAND --help` describes a command.\n";

static void print_usage(FILE *f)
{
    fputs(usage, f);
    fputs(cli_common_help, f);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        /* One line (scripts cut the second word); the TLS library is the one linked in. */
        printf("s7plus %s (libs7plus %s, %s)\n", S7P_CLI_VERSION, s7p_version(),
               OpenSSL_version(OPENSSL_VERSION));
        return CLI_OK;
    }
    if (strcmp(argv[1], "info") == 0) return cmd_info(argc - 1, argv + 1);
    if (strcmp(argv[1], "browse") == 0) return cmd_browse(argc - 1, argv + 1);
    if (strcmp(argv[1], "read") == 0) return cmd_read(argc - 1, argv + 1);
    if (strcmp(argv[1], "write") == 0) return cmd_write(argc - 1, argv + 1);
    if (strcmp(argv[1], "watch") == 0) return cmd_watch(argc - 1, argv + 1);
    if (strcmp(argv[1], "decode") == 0) return cmd_decode(argc - 1, argv + 1);
    if (strcmp(argv[1], "culture") == 0) return cmd_culture(argc - 1, argv + 1);
    if (strcmp(argv[1], "resources") == 0) return cmd_resources(argc - 1, argv + 1);
    if (strcmp(argv[1], "state") == 0) return cmd_state(argc - 1, argv + 1);
    if (strcmp(argv[1], "alarms") == 0) return cmd_alarms(argc - 1, argv + 1);
    fprintf(stderr, "s7plus: unknown command '%s'\n", argv[1]);
    print_usage(stderr);
    return CLI_USAGE;
}

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void log_to_stderr(void *ctx, s7p_log_level level, const char *layer, const char *msg)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    (void)ctx;
    fprintf(stderr, "s7plus: %s: %s: %s\n", names[level], layer, msg);
}

static int parse_pin(s7p_client_options *o, const char *hex)
{
    size_t n = 0;
    for (const char *p = hex; *p && n < 2 * sizeof o->pin_sha256; p++) {
        if (*p == ':') continue;
        if (!isxdigit((unsigned char)*p)) return -1;
        unsigned v = (unsigned)(isdigit((unsigned char)*p) ? *p - '0' : (tolower(*p) - 'a' + 10));
        o->pin_sha256[n / 2] = (uint8_t)(n % 2 ? o->pin_sha256[n / 2] | v : v << 4);
        n++;
    }
    return n == 2 * sizeof o->pin_sha256 ? 0 : -1;
}

int cli_set_endpoint(cli_common *c, const char *arg)
{
    const char *port = NULL;
    size_t hlen;
    if (arg[0] == '[') {
        const char *end = strchr(arg, ']');
        if (!end) return -1;
        hlen = (size_t)(end - arg - 1);
        arg++;
        if (end[1] == ':') port = end + 2;
    } else {
        const char *colon = strrchr(arg, ':');
        bool one_colon = colon && colon == strchr(arg, ':');
        hlen = one_colon ? (size_t)(colon - arg) : strlen(arg);
        if (one_colon) port = colon + 1;
    }
    if (hlen == 0 || hlen >= sizeof c->host) return -1;
    memcpy(c->host, arg, hlen);
    c->host[hlen] = 0;
    c->opt.host = c->host;
    if (port) {
        char *end;
        long v = strtol(port, &end, 10);
        if (*end || v < 1 || v > 65535) return -1;
        c->opt.port = (uint16_t)v;
    }
    return 0;
}

int cli_parse_common(int argc, char **argv, cli_common *c, const char *usage)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},       {"tsap", required_argument, NULL, 't'},
        {"timeout", required_argument, NULL, 'T'}, {"keylog", required_argument, NULL, 'k'},
        {"pin", required_argument, NULL, 'p'},  {"ca", required_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    s7p_client_options_init(&c->opt);
    while ((ch = getopt_long(argc, argv, "jt:T:vh", opts, NULL)) != -1) {
        switch (ch) {
        case 'j': c->json = true; break;
        case 't': c->opt.remote_tsap = optarg; break;
        case 'T': c->opt.connect_timeout_ms = c->opt.request_timeout_ms = (uint32_t)atol(optarg); break;
        case 'k': c->opt.keylog_file = optarg; break;
        case 'c': c->opt.verify = S7P_VERIFY_CA; c->opt.ca_file = optarg; break;
        case 'p':
            c->opt.verify = S7P_VERIFY_PIN;
            if (parse_pin(&c->opt, optarg) != 0) {
                fprintf(stderr, "s7plus: --pin needs 64 hex digits (SHA-256)\n");
                return CLI_USAGE;
            }
            break;
        case 'v': c->verbose++; break;
        case 'h': printf("%s", usage); exit(CLI_OK);
        default: fprintf(stderr, "%s", usage); return CLI_USAGE;
        }
    }
    if (c->verbose) {
        c->opt.log = log_to_stderr;
        c->opt.log_level = c->verbose > 1 ? S7P_LOG_DEBUG : S7P_LOG_INFO;
    }
    return CLI_OK;
}

int cli_fail(const cli_common *c, const s7p_error *err)
{
    (void)c;
    fprintf(stderr, "s7plus: %s\n", err->message);
    switch (err->code) {
    case S7P_E_INVALID_ARG: return CLI_USAGE;
    case S7P_E_PLC: case S7P_E_AUTH: return CLI_PLC;
    default: return err->transient ? CLI_NETWORK : CLI_PROTOCOL;
    }
}

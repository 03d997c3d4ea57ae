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

#define OPT_ALLOW_WRITE 256
#define OPT_EXTRA 512          /* + index into the command's flags */
#define MAX_EXTRA 8

int cli_parse_common(int argc, char **argv, cli_common *c, const char *usage)
{
    return cli_parse_flags(argc, argv, c, usage, NULL);
}

int cli_parse_flags(int argc, char **argv, cli_common *c, const char *usage,
                    const cli_flag *extra)
{
    static const struct option common[] = {
        {"json", no_argument, NULL, 'j'},       {"tsap", required_argument, NULL, 't'},
        {"timeout", required_argument, NULL, 'T'}, {"keylog", required_argument, NULL, 'k'},
        {"pin", required_argument, NULL, 'p'},  {"ca", required_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'},    {"help", no_argument, NULL, 'h'},
        {"allow-write", no_argument, NULL, OPT_ALLOW_WRITE},
    };
    enum { NCOMMON = sizeof common / sizeof common[0] };
    struct option opts[NCOMMON + MAX_EXTRA + 1];
    size_t n = 0;
    for (; n < NCOMMON; n++) opts[n] = common[n];
    for (size_t k = 0; extra && k < MAX_EXTRA && extra[k].name; k++)
        opts[n++] = (struct option){extra[k].name, no_argument, NULL, OPT_EXTRA + (int)k};
    opts[n] = (struct option){NULL, 0, NULL, 0};
    int ch;
    s7p_client_options_init(&c->opt);
    while ((ch = getopt_long(argc, argv, "jt:T:vh", opts, NULL)) != -1) {
        if (ch >= OPT_EXTRA && ch < OPT_EXTRA + MAX_EXTRA) {
            *extra[ch - OPT_EXTRA].flag = true;
            continue;
        }
        switch (ch) {
        case OPT_ALLOW_WRITE: c->opt.allow_write = true; break;
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
    case S7P_E_INVALID_ARG: case S7P_E_WRITE_DISABLED: return CLI_USAGE;
    case S7P_E_PLC: case S7P_E_AUTH: return CLI_PLC;
    default: return err->transient ? CLI_NETWORK : CLI_PROTOCOL;
    }
}

int cli_connect(cli_common *c, s7p_client **out)
{
    s7p_error err;
    *out = NULL;
    if (s7p_client_new(out, &c->opt, &err) != S7P_OK) return cli_fail(c, &err);
    if (s7p_connect(*out, &err) != S7P_OK) {
        int rc = cli_fail(c, &err);
        s7p_client_free(*out);
        *out = NULL;
        return rc;
    }
    return CLI_OK;
}

void cli_close(s7p_client *cl)
{
    if (!cl) return;
    s7p_disconnect(cl, NULL);
    s7p_client_free(cl);
}

const char *cli_item_message(const s7p_error *err, const char *symbol)
{
    const char *m = cli_short_message(err);
    size_t n = strlen(symbol);
    if (strncmp(m, symbol, n) == 0 && strncmp(m + n, ": ", 2) == 0) m += n + 2;
    return m;
}

const char *cli_short_message(const s7p_error *err)
{
    const char *m = err->message;
    size_t on = err->op ? strlen(err->op) : 0, en = strlen(err->endpoint);
    if (on && strncmp(m, err->op, on) == 0 && strncmp(m + on, ": ", 2) == 0) {
        m += on + 2;
        if (en && strncmp(m, err->endpoint, en) == 0 && strncmp(m + en, ": ", 2) == 0) m += en + 2;
    }
    return m;
}

void cli_item_error(const s7p_item_result *r, char *buf, size_t len)
{
    switch (r->code) {
    case S7P_E_PLC:
        snprintf(buf, len, "PLC error code %d (return value 16#%016llX)", (int)r->plc_code,
                 (unsigned long long)r->plc_return);
        break;
    case S7P_E_INVALID_ARG:
        snprintf(buf, len, "the value does not fit the variable (invalid argument)");
        break;
    case S7P_E_UNSUPPORTED:
        snprintf(buf, len, "values of this type cannot be transferred (unsupported)");
        break;
    default: snprintf(buf, len, "%s", s7p_strerror(r->code)); break;
    }
}

bool cli_item_status(s7p_status st)
{
    return st == S7P_E_NOT_FOUND || st == S7P_E_INVALID_ARG || st == S7P_E_PLC ||
           st == S7P_E_UNSUPPORTED || st == S7P_E_LIMIT;
}

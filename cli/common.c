/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "report.h"

const char cli_common_help[] =
    "options common to all commands:\n"
    "  --json               JSON on stdout, also for failures: {\"error\": {\"code\",\n"
    "                       \"status\", \"operation\", \"endpoint\", \"plc_code\",\n"
    "                       \"plc_code_name\", \"transient\", \"message\", ...}}\n"
    "  --timeout MS         connect timeout (the whole connect sequence) and request\n"
    "                       timeout (each request/response, symbol lookups included);\n"
    "                       1..3600000, default 5000\n"
    "  --browse-timeout MS  bounds a whole browse (each request of it is also bounded by\n"
    "                       the request timeout); 1..86400000, default 120000\n"
    "  --tsap NAME          remote TSAP, default SIMATIC-ROOT-HMI\n"
    "  --keylog FILE        append the TLS secrets (SSLKEYLOGFILE format, for Wireshark)\n"
    "  PLC certificate (default: trust on first use):\n"
    "  --known-hosts FILE   trust on first use with this file instead of the default\n"
    "                       $S7PLUS_KNOWN_HOSTS, else $XDG_CONFIG_HOME/s7plus/known_hosts,\n"
    "                       else ~/.config/s7plus/known_hosts: one line \"HOST:PORT\n"
    "                       SHA256-HEX\" per PLC, added on first contact; a PLC whose\n"
    "                       certificate changed is refused (exit 5): delete its line\n"
    "                       after checking the new fingerprint (shown by\n"
    "                       `s7plus info HOST --insecure`)\n"
    "  --pin SHA256         accept only the certificate with this SHA-256 fingerprint\n"
    "  --ca FILE            the certificate must verify against this CA and name HOST\n"
    "  --expected-name NAME   with --ca: the DNS name or IP address the certificate\n"
    "                       must name instead of HOST\n"
    "  --insecure, --no-verify  accept any certificate\n"
    "  --security MODE      tls (default), legacy (firmware without TLS: challenge\n"
    "                       authentication, signed frames, NOT encrypted) or auto (TLS\n"
    "                       when the PLC offers it, else legacy; -v says which)\n"
    "  --legacy-key-id ID   legacy: use only the PLC key ID (FF:HHHHHHHHHHHHHHHH);\n"
    "                       00:BA35267CA865911B and 03:25E216899D5A17CA (PLCSIM) are\n"
    "                       s7plus-sim's test keys (not a PLC's)\n"
    "  -v, -vv              log to stderr: -v info, -vv debug (every PDU)\n"
    "  --allow-write        without it the library refuses every write\n"
    "  protected PLCs: the password comes from $S7PLUS_PASSWORD, or\n"
    "  --password-prompt    asks for it at the terminal (no echo); every command logs in\n"
    "                       with it after connecting (a wrong one: exit 3)\n"
    "  --user NAME          user management (S7-1500 >= V3.1, S7-1200 >= V4.7): log in as\n"
    "                       NAME with the password\n"
    "exit codes: 0 ok, 1 usage (bad arguments, a value that does not fit), 2 network or\n"
    "  timeout (transient: try again), 3 PLC refused (a request, a symbol, an item),\n"
    "  4 protocol or TLS failure, 5 configuration or trust (wrong TSAP, unusable CA or\n"
    "  key-log file, certificate verification failed or certificate changed)\n";

static void log_to_stderr(void *ctx, s7p_log_level level, const char *layer, const char *msg)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    (void)ctx;
    fprintf(stderr, "s7plus: %s: %s: %s\n", (unsigned)level < 4 ? names[level] : "log", layer,
            msg);
}

static int parse_pin(s7p_client_options *o, const char *hex)
{
    size_t n = 0;
    for (const char *p = hex; *p; p++) {
        if (*p == ':') continue;
        if (!isxdigit((unsigned char)*p) || n == 2 * sizeof o->pin_sha256) return -1;
        unsigned v = (unsigned)(isdigit((unsigned char)*p) ? *p - '0' : (tolower(*p) - 'a' + 10));
        o->pin_sha256[n / 2] = (uint8_t)(n % 2 ? o->pin_sha256[n / 2] | v : v << 4);
        n++;
    }
    return n == 2 * sizeof o->pin_sha256 ? 0 : -1;
}

int cli_parse_number(const char *option, const char *text, unsigned long min,
                     unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    /* strtoul takes "-5" as a huge number and skips spaces: only digits are accepted */
    unsigned long v = isdigit((unsigned char)text[0]) ? strtoul(text, &end, 10) : 0;
    if (!isdigit((unsigned char)text[0]) || errno || *end || v < min || v > max) {
        fprintf(stderr, "s7plus: %s: '%s' is not a number from %lu to %lu\n", option, text, min,
                max);
        return CLI_USAGE;
    }
    *out = v;
    return CLI_OK;
}

int cli_set_endpoint(cli_common *c, const char *arg)
{
    const char *port = NULL, *host = arg;
    size_t hlen;
    if (arg[0] == '[') {
        const char *end = strchr(arg, ']');
        if (!end || (end[1] && end[1] != ':')) {
            fprintf(stderr, "s7plus: '%s' is not HOST[:PORT] or [IPV6]:PORT\n", arg);
            return CLI_USAGE;
        }
        host = arg + 1;
        hlen = (size_t)(end - host);
        if (end[1] == ':') port = end + 2;
    } else {
        const char *colon = strrchr(arg, ':');
        bool one_colon = colon && colon == strchr(arg, ':');  /* more: a bare IPv6 address */
        hlen = one_colon ? (size_t)(colon - arg) : strlen(arg);
        if (one_colon) port = colon + 1;
    }
    if (hlen == 0 || hlen >= sizeof c->host) {
        fprintf(stderr, "s7plus: '%s': the host is %s\n", arg, hlen ? "too long" : "missing");
        return CLI_USAGE;
    }
    memcpy(c->host, host, hlen);
    c->host[hlen] = 0;
    c->opt.host = c->host;
    if (port) {
        unsigned long v;
        if (cli_parse_number("port", port, 1, 65535, &v) != CLI_OK) return CLI_USAGE;
        c->opt.port = (uint16_t)v;
    }
    return CLI_OK;
}

/* The default known-hosts file: $S7PLUS_KNOWN_HOSTS, $XDG_CONFIG_HOME/s7plus/known_hosts,
 * ~/.config/s7plus/known_hosts (empty variables count as unset, as XDG says). */
static bool default_known_hosts(char *buf, size_t len)
{
    const char *v = getenv("S7PLUS_KNOWN_HOSTS"), *xdg = getenv("XDG_CONFIG_HOME"),
               *home = getenv("HOME");
    int n;
    if (v && *v) n = snprintf(buf, len, "%s", v);
    else if (xdg && *xdg) n = snprintf(buf, len, "%s/s7plus/known_hosts", xdg);
    else if (home && *home) n = snprintf(buf, len, "%s/.config/s7plus/known_hosts", home);
    else return false;
    return n > 0 && (size_t)n < len;
}

enum {
    OPT_ALLOW_WRITE = 256, OPT_BROWSE_TIMEOUT, OPT_EXPECTED_NAME, OPT_KNOWN_HOSTS, OPT_INSECURE,
    OPT_SECURITY, OPT_LEGACY_KEY_ID, OPT_PASSWORD_PROMPT, OPT_USER,
    OPT_EXTRA = 512 /* + index into the command's flags */
};
#define MAX_EXTRA 8

/* Which certificate options were given, checked together after parsing. */
typedef struct trust_opts {
    const char *pin, *ca, *expected_name, *known_hosts;
    bool insecure;
} trust_opts;

static int apply_trust(cli_common *c, const trust_opts *t)
{
    const char *conflict = t->pin && t->ca ? "--pin and --ca"
                           : t->insecure && (t->pin || t->ca) ? "--insecure and --pin/--ca"
                           : t->known_hosts && (t->pin || t->ca || t->insecure)
                               ? "--known-hosts and --pin/--ca/--insecure"
                               : NULL;
    if (conflict) {
        fprintf(stderr, "s7plus: %s exclude each other\n", conflict);
        return CLI_USAGE;
    }
    if (t->expected_name && !t->ca) {
        fprintf(stderr, "s7plus: --expected-name needs --ca\n");
        return CLI_USAGE;
    }
    if (t->pin) {
        c->opt.verify = S7P_VERIFY_PIN;
        if (parse_pin(&c->opt, t->pin) != 0) {
            fprintf(stderr, "s7plus: --pin needs 64 hex digits (SHA-256, ':' allowed between)\n");
            return CLI_USAGE;
        }
    } else if (t->ca) {
        c->opt.verify = S7P_VERIFY_CA;
        c->opt.ca_file = t->ca;
        c->opt.expected_name = t->expected_name;
    } else if (t->insecure) {
        c->opt.verify = S7P_VERIFY_NONE;
    } else {
        c->opt.verify = S7P_VERIFY_TOFU;
        if (t->known_hosts) {
            if (!*t->known_hosts || strlen(t->known_hosts) >= sizeof c->known_hosts) {
                fprintf(stderr, "s7plus: --known-hosts: the file name is %s\n",
                        *t->known_hosts ? "too long" : "empty");
                return CLI_USAGE;
            }
            strcpy(c->known_hosts, t->known_hosts);
        } else if (!default_known_hosts(c->known_hosts, sizeof c->known_hosts)) {
            fprintf(stderr, "s7plus: no known-hosts file for trust on first use: set $HOME or "
                            "$S7PLUS_KNOWN_HOSTS, or give --known-hosts FILE or --insecure\n");
            return CLI_CONFIG;
        }
        c->opt.known_hosts_file = c->known_hosts;
    }
    return CLI_OK;
}

static int parse_security(const char *s, s7p_security *out)
{
    if (strcmp(s, "tls") == 0) *out = S7P_SECURITY_TLS;
    else if (strcmp(s, "legacy") == 0) *out = S7P_SECURITY_LEGACY_CHALLENGE;
    else if (strcmp(s, "auto") == 0) *out = S7P_SECURITY_AUTO;
    else {
        fprintf(stderr, "s7plus: --security must be tls, legacy or auto\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* The library checks the form of the id. The simulator's test keys (families 00 and 03)
 * are no PLC's, so no catalog has them: the CLI hands one over when its id is asked for. */
static bool is_key_id(const s7p_legacy_key *k, const char *id)
{
    char text[32];
    snprintf(text, sizeof text, "%02u:%016llX", (unsigned)k->family % 100u,
             (unsigned long long)k->id);
    return strcasecmp(id, text) == 0;
}

static void legacy_key_id(cli_common *c, const char *id)
{
    c->opt.legacy_key_id = id;
    s7p_legacy_test_key(&c->test_key);
    if (!is_key_id(&c->test_key, id)) s7p_legacy_test_key_plcsim(&c->test_key);
    if (is_key_id(&c->test_key, id)) {
        c->opt.legacy_keys = &c->test_key;
        c->opt.legacy_nkeys = 1;
    }
}

static int parse_options(int argc, char **argv, cli_common *c, const char *usage,
                         const cli_flag *extra)
{
    static const struct option common[] = {
        {"json", no_argument, NULL, 'j'},       {"tsap", required_argument, NULL, 't'},
        {"timeout", required_argument, NULL, 'T'}, {"keylog", required_argument, NULL, 'k'},
        {"pin", required_argument, NULL, 'p'},  {"ca", required_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'},    {"help", no_argument, NULL, 'h'},
        {"allow-write", no_argument, NULL, OPT_ALLOW_WRITE},
        {"browse-timeout", required_argument, NULL, OPT_BROWSE_TIMEOUT},
        {"expected-name", required_argument, NULL, OPT_EXPECTED_NAME},
        {"known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"no-verify", no_argument, NULL, OPT_INSECURE},
        {"security", required_argument, NULL, OPT_SECURITY},
        {"legacy-key-id", required_argument, NULL, OPT_LEGACY_KEY_ID},
        {"password-prompt", no_argument, NULL, OPT_PASSWORD_PROMPT},
        {"user", required_argument, NULL, OPT_USER},
    };
    enum { NCOMMON = sizeof common / sizeof common[0] };
    struct option opts[NCOMMON + MAX_EXTRA + 1];
    size_t n = 0;
    for (; n < NCOMMON; n++) opts[n] = common[n];
    for (size_t k = 0; extra && k < MAX_EXTRA && extra[k].name; k++)
        opts[n++] = (struct option){extra[k].name, no_argument, NULL, OPT_EXTRA + (int)k};
    opts[n] = (struct option){NULL, 0, NULL, 0};
    trust_opts trust = {0};
    unsigned long ms;
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
        case 'T':
            if (cli_parse_number("--timeout", optarg, 1, CLI_TIMEOUT_MAX_MS, &ms) != CLI_OK)
                return CLI_USAGE;
            c->opt.connect_timeout_ms = c->opt.request_timeout_ms = (uint32_t)ms;
            break;
        case OPT_BROWSE_TIMEOUT:
            if (cli_parse_number("--browse-timeout", optarg, 1, CLI_BROWSE_TIMEOUT_MAX_MS, &ms) !=
                CLI_OK)
                return CLI_USAGE;
            c->opt.browse_timeout_ms = (uint32_t)ms;
            break;
        case 'k': c->opt.keylog_file = optarg; break;
        case 'c': trust.ca = optarg; break;
        case 'p': trust.pin = optarg; break;
        case OPT_EXPECTED_NAME: trust.expected_name = optarg; break;
        case OPT_KNOWN_HOSTS: trust.known_hosts = optarg; break;
        case OPT_INSECURE: trust.insecure = true; break;
        case OPT_SECURITY:
            if (parse_security(optarg, &c->opt.security) != CLI_OK) return CLI_USAGE;
            break;
        case OPT_LEGACY_KEY_ID: legacy_key_id(c, optarg); break;
        case OPT_PASSWORD_PROMPT: c->password_prompt = true; break;
        case OPT_USER: c->opt.username = optarg; break;
        case 'v': c->verbose++; break;
        case 'h': printf("%s%s", usage, cli_common_help); exit(CLI_OK);
        default: fprintf(stderr, "%s", usage); return CLI_USAGE;  /* getopt said why */
        }
    }
    if (c->verbose) {
        c->opt.log = log_to_stderr;
        c->opt.log_level = c->verbose > 1 ? S7P_LOG_DEBUG : S7P_LOG_INFO;
    }
    return apply_trust(c, &trust);
}

int cli_start(int argc, char **argv, cli_common *c, const char *usage, const cli_flag *extra,
              int min_ops, int max_ops, int *first)
{
    int rc = parse_options(argc, argv, c, usage, extra);
    if (rc != CLI_OK) return rc;
    if (optind >= argc) {
        fprintf(stderr, "s7plus: %s: no HOST given\n%s", argv[0], usage);
        return CLI_USAGE;
    }
    rc = cli_set_endpoint(c, argv[optind]);
    if (rc == CLI_OK) rc = cli_password(c);  /* prompts name the host: after the endpoint */
    if (rc != CLI_OK) return rc;
    int ops = argc - optind - 1;
    if (ops < min_ops || (max_ops >= 0 && ops > max_ops)) {
        if (ops < min_ops) fprintf(stderr, "s7plus: %s: too few arguments\n", argv[0]);
        else fprintf(stderr, "s7plus: %s: unexpected argument '%s'\n", argv[0],
                     argv[optind + 1 + max_ops]);
        fprintf(stderr, "%s", usage);
        return CLI_USAGE;
    }
    *first = optind + 1;
    return CLI_OK;
}

int cli_exit_code(s7p_status st)
{
    switch (st) {
    case S7P_OK: return CLI_OK;
    case S7P_E_INVALID_ARG: case S7P_E_WRITE_DISABLED: return CLI_USAGE;
    case S7P_E_PLC: case S7P_E_AUTH: case S7P_E_NOT_FOUND: case S7P_E_PROGRAM_CHANGED:
        return CLI_PLC;
    case S7P_E_CONFIG: case S7P_E_TLS_VERIFY: case S7P_E_CERT_CHANGED:
    case S7P_E_SECURITY_MODE:  /* fixed by --security, like a wrong TSAP by --tsap */
        return CLI_CONFIG;
    case S7P_E_RESOLVE: case S7P_E_CONNECT: case S7P_E_TIMEOUT: case S7P_E_CLOSED:
    case S7P_E_IO: case S7P_E_NOT_SENT:
        return CLI_NETWORK;
    default: return CLI_PROTOCOL;
    }
}

int cli_error_exit_code(const s7p_error *err)
{
    int rc = cli_exit_code(err->code);
    /* Usage, PLC refusals (even "busy") and configuration go by the code; the rest by
     * whether a retry may succeed. */
    if (rc == CLI_NETWORK || rc == CLI_PROTOCOL) rc = err->transient ? CLI_NETWORK : CLI_PROTOCOL;
    return rc;
}

int cli_fail(const cli_common *c, const s7p_error *err)
{
    cli_print_items(c->json, NULL, 0, err);
    return cli_error_exit_code(err);
}

/* mkdir -p of the directory part of `path` (private: it holds what we trust). */
static bool make_parent_dirs(const char *path, char *why, size_t len)
{
    char dir[sizeof ((cli_common *)0)->known_hosts];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return true;
    *slash = 0;
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p) continue;
        char keep = *p;
        *p = 0;
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            snprintf(why, len, "cannot create the directory %s: %s", dir, strerror(errno));
            return false;
        }
        *p = keep;
        if (!keep) return true;
    }
}

int cli_client_new(cli_common *c, s7p_client **out)
{
    s7p_error err;
    *out = NULL;
    if (c->opt.verify == S7P_VERIFY_TOFU) {
        char why[sizeof c->known_hosts + 100];
        if (!make_parent_dirs(c->known_hosts, why, sizeof why)) {
            fprintf(stderr, "s7plus: known-hosts file: %s\n", why);
            return CLI_CONFIG;
        }
    }
    s7p_status st = s7p_client_new(out, &c->opt, &err);
    cli_password_wipe(c);  /* the client has its own copy */
    if (st != S7P_OK) return cli_fail(c, &err);
    return CLI_OK;
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int cli_client_connect(cli_common *c, s7p_client *cl)
{
    s7p_error err;
    bool tofu = c->opt.verify == S7P_VERIFY_TOFU;
    long long before = tofu ? file_size(c->known_hosts) : 0;
    if (s7p_connect(cl, &err) != S7P_OK) return cli_fail(c, &err);
    /* Like ssh: say so when a PLC's certificate is trusted for the first time. */
    if (tofu && file_size(c->known_hosts) > before)
        fprintf(stderr, "s7plus: %s: first contact, its certificate is now trusted (added to %s)\n",
                c->host, c->known_hosts);
    return CLI_OK;
}

int cli_connect(cli_common *c, s7p_client **out)
{
    int rc = cli_client_new(c, out);
    if (rc != CLI_OK) return rc;
    rc = cli_client_connect(c, *out);
    if (rc != CLI_OK) {
        s7p_client_free(*out);
        *out = NULL;
    }
    return rc;
}

void cli_close(s7p_client *cl)
{
    if (!cl) return;
    s7p_disconnect(cl, NULL);
    s7p_client_free(cl);
}

int cli_fetch(cli_common *c, cli_fetch_fn *fetch, void *ctx)
{
    s7p_client *cl = NULL;
    s7p_error err;
    int rc = cli_connect(c, &cl);
    if (rc != CLI_OK) return rc;
    if (fetch(cl, ctx, &err) != S7P_OK) rc = cli_fail(c, &err);
    cli_close(cl);
    return rc;
}

int cli_fetch_once(int argc, char **argv, cli_common *c, const char *usage,
                   cli_fetch_fn *fetch, void *ctx)
{
    memset(c, 0, sizeof *c);
    int first;
    int rc = cli_start(argc, argv, c, usage, NULL, 0, 0, &first);
    if (rc != CLI_OK) return rc;
    return cli_fetch(c, fetch, ctx);
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

void cli_catch_stop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool cli_stop_requested(void)
{
    return stop_requested != 0;
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

bool cli_item_status(s7p_status st)
{
    return st == S7P_E_NOT_FOUND || st == S7P_E_INVALID_ARG || st == S7P_E_PLC ||
           st == S7P_E_UNSUPPORTED || st == S7P_E_LIMIT || st == S7P_E_PROGRAM_CHANGED;
}

/* SPDX-License-Identifier: MIT */
/* s7plus-sim: command line front end of the simulator. Runs until SIGINT or SIGTERM; SIGHUP
 * reloads the program directory (a simulated download). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s7plus/s7plus.h"
#include "sim.h"

enum { EXIT_USAGE = 1, EXIT_RUN = 2 };
enum { MAX_PENDING_MIN = 16, MAX_PENDING_MAX = 1024 };

enum {
    OPT_LISTEN = 256, OPT_PORT, OPT_PORT_FILE, OPT_MAX_SESSIONS, OPT_CERT, OPT_KEY, OPT_KEYLOG,
    OPT_ORDER, OPT_FIRMWARE, OPT_SERIAL, OPT_PLC_NAME, OPT_PROJECT, OPT_ANY_TSAP, OPT_PROGRAM,
    OPT_FAULT, OPT_DELAY_MS, OPT_PLC_CODE, OPT_SETUP_TIMEOUT, OPT_MAX_PENDING, OPT_NOTIFY,
    OPT_STATE, OPT_CONTROL, OPT_STRICT, OPT_SECURITY, OPT_LANGUAGES, OPT_TAGS_PER_REQUEST,
    OPT_TAGS_PER_WRITE, OPT_MAX_SUBSCRIPTIONS, OPT_PROTECTION, OPT_PASSWORD, OPT_USER,
    OPT_ALARMS, OPT_GENERATE, OPT_CONTROL_STDIN, OPT_LEGACY_FRAGMENTS, OPT_LEGACY_FAMILY,
};
enum { MAX_GENERATE = 64 };

typedef struct cli {
    s7p_sim_config cfg;
    const char *port_file;
    s7p_sim_fault fault;
    bool has_fault, has_delay, has_code;
    bool has_max_pending;
    s7p_sim_notify notify;
    s7p_sim_user users[S7P_SIM_MAX_USERS];
    const char *generate[MAX_GENERATE];  /* --generate SYMBOL=SPEC, applied once started */
    unsigned ngenerate;
    bool control_stdin;                  /* --control - or --control-stdin */
} cli;

/* The second half of --help: fault injection, security, resources, protection, generators. */
static void usage_options(FILE *f)
{
    fprintf(f,
            "Fault injection (tests): --fault replaces the answer to requests of FUNCTION\n"
            "(0x054c, a name such as GetMultiVariables, or any; default any; notification:\n"
            "subscription notifications, flip-bit only), every one or only the NTH (from 1).\n"
            "KIND: drop-before, drop-mid, stall, delay, truncated, garbage, oversized,\n"
            "tls-alert, wrong-seq, plc-error, system-event, flip-bit, replay. --delay-ms is\n"
            "the wait of delay (alone: delay every answer); --plc-code the negative return\n"
            "value of plc-error and system-event.\n"
            "\n"
            "--notify sends COUNT notifications (opcode 0x33) for a subscription nobody created\n"
            "(default id 0x7fff0001) before every answer to FUNCTION (default any) in a\n"
            "session, as a PLC pushes subscription data between its answers.\n"
            "\n"
            "--state sets the operating state the CPU reports (default run). --control PATH\n"
            "opens a control channel on a local unix socket: one command per line (set SYMBOL\n"
            "VALUE, get SYMBOL, state NAME, alarm raise ID [VALUE...|TEXT], alarm clear ID,\n"
            "alarm ack ID, alarms, fault SPEC, fault clear, reload, counters, help), one\n"
            "answer line each. --control - (or --control-stdin) reads the same commands from\n"
            "stdin and writes the answers to stdout, after the \"listening\" line; the end of\n"
            "stdin ends only the commands. --alarms FILE defines alarms (texts in several languages,\n"
            "priority, class, associated values; docs/simulator.md); active alarms are\n"
            "answered to the alarm subsystem's Explore.\n"
            "--security legacy simulates firmware without TLS: InitSsl is refused, the\n"
            "CreateObject answer offers the legacy challenge authentication with the\n"
            "simulator's TEST key 00:BA35267CA865911B (not a PLC key: clients must be given it,\n"
            "e.g. s7plus --security legacy --legacy-key-id 00:BA35267CA865911B), and every\n"
            "frame afterwards is signed and verified (a tampered or replayed request closes\n"
            "the connection). both: TLS after InitSsl, legacy in clear. Default tls.\n"
            "--legacy-fragments: how a signed answer longer than one frame signs its further\n"
            "frames: resume (the HMAC hash states resumed, as S7-1200/1500 firmware; default),\n"
            "chained (HMAC over the previous digest and the data, as PLCSIM) or independent.\n"
            "--legacy-family 3 uses the PLCSIM (family 03, P-256) TEST key 03:25E216899D5A17CA\n"
            "instead (and, as PLCSIM Advanced, resets the connection on a key renewal).\n"
            "\n"
            "Resources and languages the CPU reports: --languages the text languages as\n"
            "Windows LCIDs (default 1033,1031: en-US, de-DE; at most 16), --tags-per-request\n"
            "the items per read request (TagsPerReadRequestMax, default 50; also per write\n"
            "request unless --tags-per-write), --max-subscriptions PlcSubscriptionsMax\n"
            "(default 200, as an S7-1500; PlcSubscriptionsFree is that less the subscriptions\n"
            "in existence; more are refused with -501).\n"
            "\n"
            "Protection (docs/simulator.md): --protection is the access a session has before\n"
            "it logs in (default full); --password LEVEL=PW (LEVEL full, read or hmi) the\n"
            "password that raises a session to LEVEL; --user NAME:PW:LEVEL a user of the user\n"
            "management (firmware S7-1500 >= V3.1 with TLS). Writes need full access, browsing\n"
            "read access, reads of tags and CPU information HMI access; beyond its level a\n"
            "request is refused with -100 ServiceAccessDenied, as is a wrong password.\n"
            "\n"
            "Tag subscriptions notify at their cycle time (first all items, then the changed\n"
            "ones; credit limit enforced).\n"
            "--generate makes a program variable change by itself, once per PERIOD_MS\n"
            "(default 1000): counter[:MS[:STEP]], sine[:MS[:AMPLITUDE[:OFFSET[:STEPS]]]],\n"
            "toggle[:MS], random[:MS[:STEP]] (random walk); e.g. --generate '\"Data\".count=\n"
            "counter:100'. Repeatable; the control command generate does the same.\n");
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: s7plus-sim [--listen ADDR] [--port N] [--port-file F] [--max-sessions N]\n"
            "                  [--setup-timeout-ms N] [--max-pending N]\n"
            "                  [--cert F --key F] [--keylog F] [-v|-vv|-vvv]\n"
            "                  [--order-number S] [--firmware S] [--serial S] [--plc-name S]\n"
            "                  [--project S] [--accept-any-tsap] [--program DIR [--strict]]\n"
            "                  [--fault KIND[:FUNCTION[:NTH]]] [--delay-ms N] [--plc-code N]\n"
            "                  [--notify COUNT[:FUNCTION[:SUBSCRIPTION_ID]]]\n"
            "                  [--state run|stop|startup|hold|defective] [--control PATH|-]\n"
            "                  [--security tls|legacy|both] [--legacy-family 0|3]\n"
            "                  [--legacy-fragments resume|chained|independent] [--alarms FILE]\n"
            "                  [--languages LCID[,LCID...]] [--tags-per-request N]\n"
            "                  [--tags-per-write N] [--max-subscriptions N]\n"
            "                  [--protection full|read|hmi|none] [--password LEVEL=PW]...\n"
            "                  [--user NAME:PW:LEVEL]...\n"
            "                  [--generate SYMBOL=KIND[:PERIOD_MS[:P1[:P2[:P3]]]]]...\n"
            "                  [--help] [--version]\n"
            "\n"
            "An S7CommPlus PLC simulator (TLS 1.3). Defaults: 127.0.0.1, port 102 (0 = any free\n"
            "port), 8 sessions (at most 10000; one thread each, and the open file limit is\n"
            "raised as far as allowed), a generated self-signed certificate. --port-file (and\n"
            "$S7P_PORT_FILE) receive the bound port once listening. --program serves the PLC\n"
            "program of DIR (TIA sources *.udt, *.db, *.scl and tag tables *.tags); a source\n"
            "with errors is left out with a warning per error (file:line:col) and the rest\n"
            "is served, unless --strict, which refuses to start. SIGHUP loads DIR again as a\n"
            "download would (values back to start values, change counter + 1, sessions stay\n"
            "open). Stops on SIGINT/SIGTERM.\n"
            "\n"
            "Connections still setting up (before their session exists) must finish within\n"
            "--setup-timeout-ms (default 5000) and at most --max-pending are served at once: a\n"
            "new one closes the oldest, so idle sockets cannot lock clients out. The default is\n"
            "--max-sessions (at least 16, at most 1024), so that every client may connect at\n"
            "the same moment (a plant restarting) without closing another one's set-up.\n"
            "\n");
    usage_options(f);
}


static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max) return false;
    *out = v;
    return true;
}

static const struct option long_opts[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"port", required_argument, NULL, OPT_PORT},
    {"port-file", required_argument, NULL, OPT_PORT_FILE},
    {"max-sessions", required_argument, NULL, OPT_MAX_SESSIONS},
    {"setup-timeout-ms", required_argument, NULL, OPT_SETUP_TIMEOUT},
    {"max-pending", required_argument, NULL, OPT_MAX_PENDING},
    {"cert", required_argument, NULL, OPT_CERT},
    {"key", required_argument, NULL, OPT_KEY},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"order-number", required_argument, NULL, OPT_ORDER},
    {"firmware", required_argument, NULL, OPT_FIRMWARE},
    {"serial", required_argument, NULL, OPT_SERIAL},
    {"plc-name", required_argument, NULL, OPT_PLC_NAME},
    {"project", required_argument, NULL, OPT_PROJECT},
    {"accept-any-tsap", no_argument, NULL, OPT_ANY_TSAP},
    {"program", required_argument, NULL, OPT_PROGRAM},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"fault", required_argument, NULL, OPT_FAULT},
    {"delay-ms", required_argument, NULL, OPT_DELAY_MS},
    {"plc-code", required_argument, NULL, OPT_PLC_CODE},
    {"notify", required_argument, NULL, OPT_NOTIFY},
    {"state", required_argument, NULL, OPT_STATE},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"control-stdin", no_argument, NULL, OPT_CONTROL_STDIN},
    {"security", required_argument, NULL, OPT_SECURITY},
    {"legacy-fragments", required_argument, NULL, OPT_LEGACY_FRAGMENTS},
    {"legacy-family", required_argument, NULL, OPT_LEGACY_FAMILY},
    {"languages", required_argument, NULL, OPT_LANGUAGES},
    {"tags-per-request", required_argument, NULL, OPT_TAGS_PER_REQUEST},
    {"tags-per-write", required_argument, NULL, OPT_TAGS_PER_WRITE},
    {"max-subscriptions", required_argument, NULL, OPT_MAX_SUBSCRIPTIONS},
    {"protection", required_argument, NULL, OPT_PROTECTION},
    {"password", required_argument, NULL, OPT_PASSWORD},
    {"user", required_argument, NULL, OPT_USER},
    {"alarms", required_argument, NULL, OPT_ALARMS},
    {"generate", required_argument, NULL, OPT_GENERATE},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static bool parse_code(const char *s, int16_t *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < INT16_MIN || v >= 0) return false;
    *out = (int16_t)v;
    return true;
}

static int fault_option(cli *o, int opt, const char *arg)
{
    char why[256];
    unsigned long n;
    switch (opt) {
    case OPT_FAULT:
        if (!s7p_sim_fault_parse(arg, &o->fault, why, sizeof why)) {
            fprintf(stderr, "s7plus-sim: %s\n", why);
            return EXIT_USAGE;
        }
        o->has_fault = true;
        return -1;
    case OPT_DELAY_MS:
        if (!parse_uint(arg, 3600000, &n)) break;
        o->fault.delay_ms = (unsigned)n;
        o->has_delay = true;
        return -1;
    default:
        if (!parse_code(arg, &o->fault.plc_code)) break;
        o->has_code = true;
        return -1;
    }
    fprintf(stderr, "s7plus-sim: bad value \"%s\"\n", arg);
    return EXIT_USAGE;
}

/* --protection, --password, --user. Returns -1 to go on, else the exit code. */
static int protection_option(cli *o, int opt, char *arg)
{
    char why[256];
    if (opt == OPT_PROTECTION) {
        if (s7p_sim_level_parse(arg, &o->cfg.protection_level)) return -1;
        snprintf(why, sizeof why, "--protection must be full, read, hmi or none");
    } else if (opt == OPT_PASSWORD) {
        if (s7p_sim_password_parse(arg, &o->cfg, why, sizeof why)) return -1;
    } else if (o->cfg.nusers >= S7P_SIM_MAX_USERS) {
        snprintf(why, sizeof why, "at most %u users", S7P_SIM_MAX_USERS);
    } else if (s7p_sim_user_parse(arg, &o->users[o->cfg.nusers], why, sizeof why)) {
        o->cfg.users = o->users;
        o->cfg.nusers++;
        return -1;
    }
    fprintf(stderr, "s7plus-sim: %s\n", why);
    return EXIT_USAGE;
}

/* The fault options together: --delay-ms alone delays every answer; --plc-code needs a
 * fault that uses it. Returns -1 to go on, else the exit code. */
static int check_fault(cli *o)
{
    if (!o->has_fault && o->has_delay) {
        o->fault.kind = S7P_SIM_FAULT_DELAY;
        o->has_fault = true;
    }
    if (o->has_code && !(o->has_fault && (o->fault.kind == S7P_SIM_FAULT_PLC_ERROR ||
                                          o->fault.kind == S7P_SIM_FAULT_SYSTEM_EVENT))) {
        fprintf(stderr, "s7plus-sim: --plc-code needs --fault plc-error or system-event\n");
        return EXIT_USAGE;
    }
    if (o->has_fault && o->fault.kind == S7P_SIM_FAULT_DELAY && !o->has_delay) {
        fprintf(stderr, "s7plus-sim: --fault delay needs --delay-ms\n");
        return EXIT_USAGE;
    }
    return -1;
}

/* Languages and resources the CPU reports. Returns -1 to go on, else the exit code. */
static int resource_option(cli *o, int opt, const char *arg)
{
    char why[256];
    unsigned long n;
    if (opt == OPT_LANGUAGES) {
        if (s7p_sim_languages_parse(arg, &o->cfg, why, sizeof why)) return -1;
        fprintf(stderr, "s7plus-sim: %s\n", why);
        return EXIT_USAGE;
    }
    if (!parse_uint(arg, INT32_MAX, &n) || (n == 0 && opt != OPT_MAX_SUBSCRIPTIONS)) {
        fprintf(stderr, "s7plus-sim: bad value \"%s\"\n", arg);
        return EXIT_USAGE;
    }
    if (opt == OPT_TAGS_PER_REQUEST) o->cfg.tags_per_request = (unsigned)n;
    else if (opt == OPT_TAGS_PER_WRITE) o->cfg.tags_per_write = (unsigned)n;
    else o->cfg.max_subscriptions = (unsigned)n;
    return -1;
}

/* --security, --legacy-fragments, --legacy-family. Returns -1 to go on, else the exit code. */
static int security_option(cli *o, int opt, const char *arg)
{
    switch (opt) {
    case OPT_SECURITY:
        if (strcmp(arg, "tls") == 0) o->cfg.security = S7P_SIM_SECURITY_TLS;
        else if (strcmp(arg, "legacy") == 0) o->cfg.security = S7P_SIM_SECURITY_LEGACY;
        else if (strcmp(arg, "both") == 0) o->cfg.security = S7P_SIM_SECURITY_BOTH;
        else break;
        return -1;
    case OPT_LEGACY_FRAGMENTS:
        if (!s7p_sim_legacy_fragments_parse(arg, &o->cfg.legacy_fragments)) break;
        return -1;
    case OPT_LEGACY_FAMILY:
        if (strcmp(arg, "0") == 0 || strcmp(arg, "00") == 0) o->cfg.legacy_family = 0;
        else if (strcmp(arg, "3") == 0 || strcmp(arg, "03") == 0) o->cfg.legacy_family = 3;
        else break;
        return -1;
    default: break;
    }
    fprintf(stderr, "s7plus-sim: bad value \"%s\"\n", arg);
    return EXIT_USAGE;
}

/* Returns -1 to go on, else the exit code. */
static int apply(cli *o, int opt, char *arg)
{
    unsigned long n;
    switch (opt) {
    case OPT_LISTEN: o->cfg.listen_addr = arg; return -1;
    case OPT_PORT:
        if (!parse_uint(arg, 65535, &n)) break;
        o->cfg.port = (uint16_t)n;
        return -1;
    case OPT_PORT_FILE: o->port_file = arg; return -1;
    case OPT_MAX_SESSIONS:
        if (!parse_uint(arg, 10000, &n) || n == 0) break;
        o->cfg.max_sessions = (unsigned)n;
        return -1;
    case OPT_SETUP_TIMEOUT:
        if (!parse_uint(arg, 600000, &n) || n == 0) break;
        o->cfg.setup_timeout_ms = (unsigned)n;
        return -1;
    case OPT_MAX_PENDING:
        if (!parse_uint(arg, 1024, &n) || n == 0) break;
        o->cfg.max_pending = (unsigned)n;
        o->has_max_pending = true;
        return -1;
    case OPT_CERT: o->cfg.cert_file = arg; return -1;
    case OPT_KEY: o->cfg.key_file = arg; return -1;
    case OPT_KEYLOG: o->cfg.keylog_file = arg; return -1;
    case OPT_ORDER: o->cfg.order_number = arg; return -1;
    case OPT_FIRMWARE: o->cfg.firmware = arg; return -1;
    case OPT_SERIAL: o->cfg.serial_number = arg; return -1;
    case OPT_PLC_NAME: o->cfg.plc_name = arg; return -1;
    case OPT_PROJECT: o->cfg.project_name = arg; return -1;
    case OPT_ANY_TSAP: o->cfg.accept_any_tsap = true; return -1;
    case OPT_PROGRAM: o->cfg.program_dir = arg; return -1;
    case OPT_STRICT: o->cfg.strict_program = true; return -1;
    case OPT_FAULT: case OPT_DELAY_MS: case OPT_PLC_CODE: return fault_option(o, opt, arg);
    case OPT_PROTECTION: case OPT_PASSWORD: case OPT_USER: return protection_option(o, opt, arg);
    case OPT_SECURITY: case OPT_LEGACY_FRAGMENTS: case OPT_LEGACY_FAMILY:
        return security_option(o, opt, arg);
    case OPT_NOTIFY: {
        char why[256];
        if (s7p_sim_notify_parse(arg, &o->notify, why, sizeof why)) return -1;
        fprintf(stderr, "s7plus-sim: %s\n", why);
        return EXIT_USAGE;
    }
    case OPT_STATE: {
        s7p_sim_state st;
        if (!s7p_sim_state_parse(arg, &st)) break;
        o->cfg.state = (int)st;
        return -1;
    }
    case OPT_CONTROL:
        if (strcmp(arg, "-") == 0) o->control_stdin = true;
        else o->cfg.control_path = arg;
        return -1;
    case OPT_CONTROL_STDIN: o->control_stdin = true; return -1;
    case OPT_LANGUAGES: case OPT_TAGS_PER_REQUEST: case OPT_TAGS_PER_WRITE:
    case OPT_MAX_SUBSCRIPTIONS:
        return resource_option(o, opt, arg);
    case OPT_ALARMS: o->cfg.alarms_file = arg; return -1;
    case OPT_GENERATE:
        if (o->ngenerate == MAX_GENERATE || !strchr(arg, '=')) break;
        o->generate[o->ngenerate++] = arg;
        return -1;
    case 'v': o->cfg.verbosity++; return -1;
    case 'h': usage(stdout); return 0;
    case 'V': printf("s7plus-sim %s\n", s7p_version()); return 0;
    default: usage(stderr); return EXIT_USAGE;
    }
    fprintf(stderr, "s7plus-sim: bad value \"%s\"\n", arg);
    return EXIT_USAGE;
}

/* A burst of clients connecting together (all of them, after a restart) must not evict
 * each other's set-ups; a larger limit also takes a bigger flood to push a real client out. */
static unsigned default_max_pending(unsigned max_sessions)
{
    return max_sessions < MAX_PENDING_MIN ? MAX_PENDING_MIN
           : max_sessions > MAX_PENDING_MAX ? MAX_PENDING_MAX : max_sessions;
}

static int parse_args(cli *o, int argc, char **argv)
{
    int opt;
    while ((opt = getopt_long(argc, argv, "vhV", long_opts, NULL)) != -1) {
        int rc = apply(o, opt, optarg);
        if (rc >= 0) return rc;
    }
    if (optind < argc) {
        fprintf(stderr, "s7plus-sim: unexpected argument \"%s\"\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!o->has_max_pending) o->cfg.max_pending = default_max_pending(o->cfg.max_sessions);
    return check_fault(o);
}

/* Writes "PORT\n" to path atomically (temporary file, then rename). */
static bool write_port_file(const char *path, uint16_t port)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return false;
    FILE *f = fopen(tmp, "w");
    if (!f) return false;
    bool ok = fprintf(f, "%u\n", (unsigned)port) > 0;
    ok = (fclose(f) == 0) && ok;
    if (ok && rename(tmp, path) == 0) return true;
    remove(tmp);
    return false;
}

static void print_listening(const s7p_sim *s, const char *addr)
{
    const uint8_t *h = s7p_sim_cert_sha256(s);
    char hex[65];
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", h[i]);
    bool v6 = strchr(addr, ':') != NULL;
    printf("listening on %s%s%s:%u (TLS 1.3, certificate sha256 %s)\n", v6 ? "[" : "", addr,
           v6 ? "]" : "", (unsigned)s7p_sim_port(s), hex);
    fflush(stdout);
}

static bool publish_port(const cli *o, uint16_t port)
{
    const char *files[2] = {o->port_file, getenv("S7P_PORT_FILE")};
    for (int i = 0; i < 2; i++) {
        if (!files[i] || !*files[i]) continue;
        if (!write_port_file(files[i], port)) {
            fprintf(stderr, "s7plus-sim: cannot write %s: %s\n", files[i], strerror(errno));
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    cli o = {0};
    s7p_sim_config_init(&o.cfg);
    o.cfg.port = 102;
    o.cfg.log = stderr;
    int rc = parse_args(&o, argc, argv);
    if (rc >= 0) return rc;

    /* SIGINT/SIGTERM/SIGHUP are taken with sigwait(); every thread inherits the blocked mask. */
    sigset_t stop_set;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    sigaddset(&stop_set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
    struct sigaction ign = {0};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, NULL);

    char err[256];
    s7p_sim *s = s7p_sim_start(&o.cfg, err, sizeof err);
    if (!s) {
        fprintf(stderr, "s7plus-sim: %s\n", err);
        return EXIT_RUN;
    }
    if (o.has_fault) s7p_sim_set_fault(s, &o.fault);  /* before anyone learns the port */
    if (o.notify.per_answer) s7p_sim_set_notify(s, &o.notify);
    for (unsigned i = 0; i < o.ngenerate; i++) {
        if (s7p_sim_generate_arg(s, o.generate[i], err, sizeof err)) continue;
        fprintf(stderr, "s7plus-sim: --generate: %s\n", err);
        s7p_sim_stop(s);
        return EXIT_USAGE;
    }
    print_listening(s, o.cfg.listen_addr);
    if (!publish_port(&o, s7p_sim_port(s))) {
        s7p_sim_stop(s);
        return EXIT_RUN;
    }
    /* After the "listening" line: a script reads that line first, then its answers. */
    if (o.control_stdin && !s7p_sim_control_fd(s, STDIN_FILENO, STDOUT_FILENO, err, sizeof err)) {
        fprintf(stderr, "s7plus-sim: %s\n", err);
        s7p_sim_stop(s);
        return EXIT_RUN;
    }
    int sig = 0;
    while (sigwait(&stop_set, &sig) != 0 || sig == SIGHUP) {
        if (sig != SIGHUP) continue;
        sig = 0;
        if (!s7p_sim_reload_program(s, err, sizeof err))
            fprintf(stderr, "s7plus-sim: reload: %s (the previous program stays)\n", err);
    }
    if (o.cfg.verbosity > 0) fprintf(stderr, "s7plus-sim: signal %d, stopping\n", sig);
    s7p_sim_stop(s);
    return 0;
}

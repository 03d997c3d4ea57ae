/* SPDX-License-Identifier: MIT */
/* bench_connect: the time to connect a session (TCP + COTP + InitSsl + TLS 1.3 + session
 * setup + limits + protection level) against the simulator, next to a bare TLS 1.3 handshake
 * (TCP + TLS, same OpenSSL settings) on the same loopback — the physical floor.
 * The same connect against the replay server (the simulator's recorded answers: no server
 * work beyond TLS) and the protocol's own floor (the bare handshake plus the round trips the
 * protocol needs beyond it, as raw TLS ping-pongs of the recorded sizes) show what the
 * server's work and the protocol's round trips take of the ratio.
 * The legacy connect (no TLS: challenge authentication) is reported beside it.
 * Usage: bench_connect [--smoke] [--json] [--cpus CLIENT,SERVER] [ROUNDS]. Prints medians,
 * p90 and the ratios.
 * Profiling: bench_connect --loop N bare|sim|replay|floor [--cpus C,S] runs only that
 * connect N times, untimed (e.g. under callgrind with --toggle-collect=s7p_connect), and
 * prints each thread's voluntary context switches (sleeps) per connect. */
#define _GNU_SOURCE /* syscall(SYS_gettid) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <s7plus/s7plus.h>

#include "bench_cpus.h"
#include "bench_replay.h"
#include "bench_report.h"
#include "bench_tls.h"
#include "sim.h"

#define MAX_STEPS 16

typedef struct {
    s7p_sim *sim;
    s7p_client *c;
    s7p_legacy_key key;
    bench_replay *replay;         /* TLS only: the recorded connect, served again */
    s7p_client *rep;              /* its client */
    size_t nsteps;                /* exchanges of the connect (recorded sizes) */
    size_t req[MAX_STEPS], resp[MAX_STEPS];
    uint16_t function[MAX_STEPS];
} session_side;

static s7p_client *client_for(uint16_t port)
{
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    s7p_client *c;
    s7p_error e;
    return s7p_client_new(&c, &o, &e) == S7P_OK ? c : NULL;
}

/* One connect and disconnect of s->c recorded (the simulator's first connection), then the
 * replay server started and a client for it made. */
static int record_connect(session_side *s)
{
    s7p_error e;
    char err[256];
    if (s7p_connect(s->c, &e) != S7P_OK) return -1;
    bench_replay_mark(s->replay);
    bench_replay_mark(s->replay);
    s7p_disconnect(s->c, NULL);
    if (bench_replay_start(s->replay, err, sizeof err) != 0) {
        fprintf(stderr, "bench_connect: %s\n", err);
        return -1;
    }
    s->nsteps = bench_replay_prologue(s->replay, s->req, s->resp, s->function, MAX_STEPS);
    s->rep = client_for(bench_replay_port(s->replay));
    return s->rep && s->nsteps >= 2 ? 0 : -1;
}

/* legacy: the simulator's legacy-only mode and the client's legacy security (challenge
 * authentication with the simulator's test key, signed frames). */
static int session_open(session_side *s, bool legacy)
{
    s7p_sim_config cfg;
    char err[256];
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.security = legacy ? S7P_SIM_SECURITY_LEGACY : S7P_SIM_SECURITY_TLS;
    if (!legacy) {
        if (!(s->replay = bench_replay_new())) return -1;
        cfg.trace = bench_replay_trace;
        cfg.trace_ctx = s->replay;
    }
    if (!(s->sim = s7p_sim_start(&cfg, err, sizeof err))) return -1;
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = s7p_sim_port(s->sim);
    if (legacy) {
        s7p_legacy_test_key(&s->key);
        o.security = S7P_SECURITY_LEGACY_CHALLENGE;
        o.legacy_keys = &s->key;
        o.legacy_nkeys = 1;
        o.legacy_key_id = "00:BA35267CA865911B";
    }
    s7p_error e;
    if (s7p_client_new(&s->c, &o, &e) != S7P_OK) return -1;
    return legacy ? 0 : record_connect(s);
}

static void session_close(session_side *s)
{
    s7p_client_free(s->c);
    s7p_client_free(s->rep);
    if (s->sim) s7p_sim_stop(s->sim);
    bench_replay_free(s->replay);
}

static double cpu_us(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* CPU (us, summed over the rounds) of this thread, which runs the client, and of the rest of
 * the process: the simulator, or the raw-TLS server (the other one idles meanwhile). */
typedef struct {
    double client, server;
    long sleeps;  /* the client thread's voluntary context switches inside s7p_connect */
} cpu_sum;

static long thread_sleeps(void)
{
    struct rusage u;
    return getrusage(RUSAGE_THREAD, &u) == 0 ? u.ru_nvcsw : 0;
}

static void cpu_add(cpu_sum *c, double mine0, double all0)
{
    double mine = cpu_us(CLOCK_THREAD_CPUTIME_ID) - mine0;
    c->client += mine;
    c->server += cpu_us(CLOCK_PROCESS_CPUTIME_ID) - all0 - mine;
}

/* One connect of the client (us), or -1. */
static double session_connect(s7p_client *c, cpu_sum *cpu)
{
    s7p_error e;
    double m0 = cpu_us(CLOCK_THREAD_CPUTIME_ID), a0 = cpu_us(CLOCK_PROCESS_CPUTIME_ID);
    long z0 = thread_sleeps();
    double t0 = bench_now_us();
    if (s7p_connect(c, &e) != S7P_OK) {
        fprintf(stderr, "bench_connect: %s\n", e.message);
        return -1;
    }
    double us = bench_now_us() - t0;
    cpu->sleeps += thread_sleeps() - z0;
    cpu_add(cpu, m0, a0);
    s7p_disconnect(c, NULL);
    return us;
}

/* The protocol's floor (us), or -1: the bare handshake, then what the session's connect does
 * beyond it in round trips, each a raw-TLS ping-pong: the COTP connect, each recorded
 * exchange of the connect one after another, except the last two (limits and protection
 * level), which go out together as the client sends them. Sizes are the data parts plus the
 * frame's 8 bytes; the COTP CR / CC are about 35 bytes each. */
static double protocol_floor(bench_tls_client *c, uint16_t port, const session_side *s)
{
    double t0 = bench_now_us();
    int rc = bench_tls_client_connect(c, port) || bench_tls_roundtrip(c, 35, 35);
    size_t n = s->nsteps, req[MAX_STEPS], resp[MAX_STEPS];
    for (size_t i = 0; i < n; i++) {
        req[i] = s->req[i] + 8;
        resp[i] = s->resp[i] + 8;
    }
    for (size_t i = 0; i + 2 < n && rc == 0; i++) rc = bench_tls_roundtrip(c, req[i], resp[i]);
    if (rc == 0) rc = bench_tls_pipeline(c, req + n - 2, resp + n - 2, 2, 2);
    double us = bench_now_us() - t0;
    bench_tls_client_disconnect(c);
    return rc ? -1 : us;
}

/* What each round measures (us): bare handshake, TLS connect against the simulator, legacy
 * connect, TLS connect against the replay server, the protocol's floor. */
enum { M_BARE, M_CONN, M_LEG, M_REPLAY, M_FLOOR, M_N };

/* Rounds interleave the bare handshake, the connects and the protocol floor, so that drift
 * on a shared machine hits them alike. Like the session client, the bare handshake's TLS
 * context is made once and reused. */
static int measure(int rounds, double *v[M_N], cpu_sum cpu[4], const bench_cpus *cpus)
{
    int rc = bench_cpus_servers(cpus);  /* every server thread started below inherits it */
    bench_tls_server *srv = bench_tls_server_start();
    bench_tls_client *c = bench_tls_client_new();
    session_side tls = {0}, old = {0};
    if (rc == 0)
        rc = srv && c && session_open(&tls, false) == 0 && session_open(&old, true) == 0 ? 0 : -1;
    if (rc == 0) rc = bench_cpus_client(cpus);
    uint16_t port = srv ? bench_tls_server_port(srv) : 0;
    for (int i = 0; i < rounds && rc == 0; i++) {
        double m0 = cpu_us(CLOCK_THREAD_CPUTIME_ID), a0 = cpu_us(CLOCK_PROCESS_CPUTIME_ID);
        double t0 = bench_now_us();
        rc = bench_tls_client_connect(c, port);
        v[M_BARE][i] = bench_now_us() - t0;
        cpu_add(&cpu[0], m0, a0);
        bench_tls_client_disconnect(c);
        v[M_CONN][i] = session_connect(tls.c, &cpu[1]);
        v[M_REPLAY][i] = session_connect(tls.rep, &cpu[3]);
        v[M_FLOOR][i] = protocol_floor(c, port, &tls);
        /* Last, as before the replay and floor rows existed: what runs just before the bare
         * handshake warms or cools the caches it uses (measured: a TLS exchange right before
         * it made it 15 % faster, the legacy connect does not). */
        v[M_LEG][i] = session_connect(old.c, &cpu[2]);
        for (int k = 0; k < M_N; k++)
            if (v[k][i] < 0) rc = -1;
    }
    session_close(&tls);
    session_close(&old);
    bench_tls_close(c);
    if (srv) bench_tls_server_stop(srv);
    return rc;
}

static void text_report(const bench_spread *sp, const bench_spread *ra, int rounds,
                        const cpu_sum cpu[4])
{
    static const char *const what[M_N] = {
        "bare TLS 1.3 handshake (TCP + TLS)", "s7p_connect (TCP+COTP+InitSsl+TLS+session)",
        "s7p_connect legacy (COTP+challenge+session)", "s7p_connect against the replay server",
        "protocol floor (handshake + 5 round trips)"};
    printf("%-44s %10s %10s\n", "loopback, median of rounds", "median us", "ratio");
    for (int k = 0; k < M_N; k++) {
        if (k == M_BARE) printf("%-44s %10.0f\n", what[k], sp[k].med);
        else printf("%-44s %10.0f %10.2f  (min-max %.2f-%.2f)\n", what[k], sp[k].med, ra[k].med,
                    ra[k].min, ra[k].max);
    }
    printf("ratios per round to the bare handshake, medians of %d rounds\n", rounds);
    printf("CPU per connect, client / server side: bare %.0f / %.0f us, TLS connect %.0f / %.0f "
           "us, legacy %.0f / %.0f us, against the replay server %.0f / %.0f us\n",
           cpu[0].client / rounds, cpu[0].server / rounds, cpu[1].client / rounds,
           cpu[1].server / rounds, cpu[2].client / rounds, cpu[2].server / rounds,
           cpu[3].client / rounds, cpu[3].server / rounds);
}

static void report(bool json, double *v[M_N], int rounds, const cpu_sum cpu[4])
{
    size_t n = (size_t)rounds;
    double *tmp = calloc(n, sizeof *tmp);
    bench_spread sp[M_N], ra[M_N];
    for (int k = 0; k < M_N; k++) ra[k] = bench_ratio_of(v[k], v[M_BARE], tmp, n);
    for (int k = 0; k < M_N; k++) sp[k] = bench_spread_of(v[k], n);
    bench_spread fr = bench_ratio_of(v[M_CONN], v[M_FLOOR], tmp, n);
    bench_json j;
    char note[128];
    bench_json_begin(&j, json ? stdout : NULL, "connect");
    snprintf(note, sizeof note, "%.2f x the protocol floor (median of rounds)", fr.med);
    bench_json_row(&j, "connect (TCP+COTP+InitSsl+TLS+session)", "us", sp[M_CONN], &sp[M_BARE],
                   &ra[M_CONN], "<= 1.1 x bare TLS handshake", 1.1, note);
    bench_json_row(&j, "connect against the replay server", "us", sp[M_REPLAY], &sp[M_BARE],
                   &ra[M_REPLAY], NULL, -1, "the simulator's recorded answers: no server work");
    bench_json_row(&j, "protocol floor: bare handshake + 5 round trips", "us", sp[M_FLOOR],
                   &sp[M_BARE], &ra[M_FLOOR], NULL, -1,
                   "COTP, InitSsl, CreateObject, set-up, limits+protection as raw TLS ping-pongs");
    bench_json_row(&j, "legacy connect (COTP+challenge+session)", "us", sp[M_LEG], &sp[M_BARE],
                   &ra[M_LEG], NULL, -1, "floor: the bare TLS handshake");
    static const char *const what[4] = {"bare TLS handshake", "connect", "legacy connect",
                                        "connect against the replay server"};
    for (int k = 0; k < 4; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s: client CPU", what[k]);
        snprintf(note, sizeof note, "server side: %.0f us", cpu[k].server / rounds);
        bench_json_row(&j, name, "us", bench_one(cpu[k].client / rounds), NULL, NULL, NULL, -1,
                       note);
    }
    bench_json_end(&j);
    free(tmp);
    if (!json) text_report(sp, ra, rounds, cpu);
}

/* Voluntary context switches (sleeps) of each thread of this process, from /proc; n threads
 * at most. Returns the number read. */
typedef struct {
    long tid;
    unsigned long vol;
} thread_sw;

static size_t switches_read(thread_sw *t, size_t max)
{
    DIR *d = opendir("/proc/self/task");
    size_t n = 0;
    struct dirent *e;
    while (d && n < max && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[300], line[128];
        snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        t[n] = (thread_sw){atol(e->d_name), 0};
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "voluntary_ctxt_switches: %lu", &t[n].vol) == 1) break;
        fclose(f);
        n++;
    }
    if (d) closedir(d);
    return n;
}

/* Per connect: the calling (client) thread's sleeps, then each other thread's that slept. */
static void switches_report(const thread_sw *b, size_t nb, const thread_sw *a, size_t na, int n)
{
    long me = (long)syscall(SYS_gettid);
    double others = 0;
    for (size_t i = 0; i < na; i++) {
        unsigned long before = 0;
        for (size_t k = 0; k < nb; k++)
            if (b[k].tid == a[i].tid) before = b[k].vol;
        double per = (double)(a[i].vol - before) / n;
        if (a[i].tid == me) printf("client thread %ld: %.2f sleeps per connect\n", a[i].tid, per);
        else if (per >= 0.01) printf("thread %ld: %.2f sleeps per connect\n", a[i].tid, per);
        if (a[i].tid != me) others += per;
    }
    printf("all other threads: %.2f sleeps per connect\n", others);
}

/* --loop: N connects of one kind, nothing measured but each thread's sleeps per connect. */
static int loop(int n, const char *kind, const bench_cpus *cpus)
{
    int rc = bench_cpus_servers(cpus);
    bench_tls_server *srv = bench_tls_server_start();
    bench_tls_client *c = bench_tls_client_new();
    session_side tls = {0};
    bool bare = strcmp(kind, "bare") == 0, floor = strcmp(kind, "floor") == 0;
    if (rc == 0) rc = srv && c && session_open(&tls, false) == 0 ? 0 : -1;
    if (rc == 0) rc = bench_cpus_client(cpus);
    s7p_client *sc = strcmp(kind, "replay") == 0 ? tls.rep : tls.c;
    uint16_t port = srv ? bench_tls_server_port(srv) : 0;
    cpu_sum cpu = {0, 0, 0};
    thread_sw before[64], after[64];
    size_t nb = switches_read(before, 64);
    for (int i = 0; i < n && rc == 0; i++) {
        if (floor) {
            long z0 = thread_sleeps();
            rc = protocol_floor(c, port, &tls) < 0 ? -1 : 0;
            cpu.sleeps += thread_sleeps() - z0;
        } else if (!bare) {
            rc = session_connect(sc, &cpu) < 0 ? -1 : 0;
        } else {
            rc = bench_tls_client_connect(c, port);
            bench_tls_client_disconnect(c);
        }
    }
    if (rc == 0) switches_report(before, nb, after, switches_read(after, 64), n);
    if (rc == 0 && !bare)
        printf("client thread inside the connect (floor: all of it): %.2f sleeps\n",
               (double)cpu.sleeps / n);
    session_close(&tls);
    bench_tls_close(c);
    if (srv) bench_tls_server_stop(srv);
    return rc;
}

int main(int argc, char **argv)
{
    bench_cpus cpus;
    if (!bench_cpus_parse(argc, argv, &cpus)) return 2;
    if (argc >= 4 && strcmp(argv[1], "--loop") == 0)
        return loop(atoi(argv[2]), argv[3], &cpus) ? 1 : 0;
    int rounds = 200;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) rounds = 3;
        else if (strcmp(argv[i], "--cpus") == 0) i++;
        else if (atoi(argv[i]) > 0) rounds = atoi(argv[i]);
    }
    double *v[M_N];
    int rc = 0;
    for (int k = 0; k < M_N; k++)
        if (!(v[k] = calloc((size_t)rounds, sizeof(double)))) rc = -1;
    cpu_sum cpu[4] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    if (rc != 0 || measure(rounds, v, cpu, &cpus) != 0) {
        fprintf(stderr, "bench_connect: failed\n");
        return 1;
    }
    report(bench_has_flag(argc, argv, "--json"), v, rounds, cpu);
    for (int k = 0; k < M_N; k++) free(v[k]);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* bench_connect: the time to connect a session (TCP + COTP + InitSsl + TLS 1.3 + session
 * setup + limits + protection level) against the simulator, next to a bare TLS 1.3 handshake
 * (TCP + TLS, same OpenSSL settings) on the same loopback — the physical floor.
 * The legacy connect (no TLS: challenge authentication) is reported beside it.
 * Usage: bench_connect [--smoke] [--json] [ROUNDS]. Prints medians, p90 and the ratios. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <s7plus/s7plus.h>

#include "bench_report.h"
#include "bench_tls.h"
#include "sim.h"

typedef struct {
    s7p_sim *sim;
    s7p_client *c;
    s7p_legacy_key key;
} session_side;

/* legacy: the simulator's legacy-only mode and the client's legacy security (challenge
 * authentication with the simulator's test key, signed frames). */
static int session_open(session_side *s, bool legacy)
{
    s7p_sim_config cfg;
    char err[256];
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.security = legacy ? S7P_SIM_SECURITY_LEGACY : S7P_SIM_SECURITY_TLS;
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
    return s7p_client_new(&s->c, &o, &e) == S7P_OK ? 0 : -1;
}

static void session_close(session_side *s)
{
    s7p_client_free(s->c);
    if (s->sim) s7p_sim_stop(s->sim);
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
} cpu_sum;

static void cpu_add(cpu_sum *c, double mine0, double all0)
{
    double mine = cpu_us(CLOCK_THREAD_CPUTIME_ID) - mine0;
    c->client += mine;
    c->server += cpu_us(CLOCK_PROCESS_CPUTIME_ID) - all0 - mine;
}

/* One connect of the session (us), or -1. */
static double session_connect(session_side *s, cpu_sum *cpu)
{
    s7p_error e;
    double m0 = cpu_us(CLOCK_THREAD_CPUTIME_ID), a0 = cpu_us(CLOCK_PROCESS_CPUTIME_ID);
    double t0 = bench_now_us();
    if (s7p_connect(s->c, &e) != S7P_OK) {
        fprintf(stderr, "bench_connect: %s\n", e.message);
        return -1;
    }
    double us = bench_now_us() - t0;
    cpu_add(cpu, m0, a0);
    s7p_disconnect(s->c, NULL);
    return us;
}

/* Rounds interleave the bare handshake, the TLS connect and the legacy connect, so that
 * drift on a shared machine hits the three alike. Like the session client, the bare
 * handshake's TLS context is made once and reused. */
static int measure(int rounds, double *bare, double *conn, double *leg, cpu_sum cpu[3])
{
    bench_tls_server *srv = bench_tls_server_start();
    bench_tls_client *c = bench_tls_client_new();
    session_side tls = {0}, old = {0};
    int rc = srv && c && session_open(&tls, false) == 0 && session_open(&old, true) == 0 ? 0 : -1;
    for (int i = 0; i < rounds && rc == 0; i++) {
        double m0 = cpu_us(CLOCK_THREAD_CPUTIME_ID), a0 = cpu_us(CLOCK_PROCESS_CPUTIME_ID);
        double t0 = bench_now_us();
        rc = bench_tls_client_connect(c, bench_tls_server_port(srv));
        bare[i] = bench_now_us() - t0;
        cpu_add(&cpu[0], m0, a0);
        bench_tls_client_disconnect(c);
        conn[i] = session_connect(&tls, &cpu[1]);
        leg[i] = session_connect(&old, &cpu[2]);
        if (conn[i] < 0 || leg[i] < 0) rc = -1;
    }
    session_close(&tls);
    session_close(&old);
    bench_tls_close(c);
    if (srv) bench_tls_server_stop(srv);
    return rc;
}

static void report(bool json, double *bare, double *conn, double *leg, int rounds,
                   const cpu_sum cpu[3])
{
    size_t n = (size_t)rounds;
    double *tmp = calloc(n, sizeof *tmp);
    bench_spread rc = bench_ratio_of(conn, bare, tmp, n), rl = bench_ratio_of(leg, bare, tmp, n);
    bench_spread b = bench_spread_of(bare, n), c = bench_spread_of(conn, n);
    double p90b = bare[n * 9 / 10], p90c = conn[n * 9 / 10];
    bench_spread l = bench_spread_of(leg, n);
    double p90l = leg[n * 9 / 10];
    bench_json j;
    bench_json_begin(&j, json ? stdout : NULL, "connect");
    bench_json_row(&j, "connect (TCP+COTP+InitSsl+TLS+session)", "us", c, &b, &rc,
                   "<= 1.1 x bare TLS handshake", 1.1, NULL);
    bench_json_row(&j, "legacy connect (COTP+challenge+session)", "us", l, &b, &rl, NULL, -1,
                   "floor: the bare TLS handshake");
    static const char *const what[3] = {"bare TLS handshake", "connect", "legacy connect"};
    for (int k = 0; k < 3; k++) {
        char name[64], note[64];
        snprintf(name, sizeof name, "%s: client CPU", what[k]);
        snprintf(note, sizeof note, "server side: %.0f us", cpu[k].server / rounds);
        bench_json_row(&j, name, "us", bench_one(cpu[k].client / rounds), NULL, NULL, NULL, -1,
                       note);
    }
    bench_json_end(&j);
    free(tmp);
    if (json) return;
    printf("%-44s %10s %10s %10s\n", "loopback, median of rounds", "median us", "p90 us",
           "ratio");
    printf("%-44s %10.0f %10.0f\n", "bare TLS 1.3 handshake (TCP + TLS)", b.med, p90b);
    printf("%-44s %10.0f %10.0f %10.2f  (min-max %.2f-%.2f)\n",
           "s7p_connect (TCP+COTP+InitSsl+TLS+session)", c.med, p90c, rc.med, rc.min, rc.max);
    printf("%-44s %10.0f %10.0f %10.2f  (min-max %.2f-%.2f)\n",
           "s7p_connect legacy (COTP+challenge+session)", l.med, p90l, rl.med, rl.min, rl.max);
    printf("ratios per round to the bare handshake, medians of %d rounds\n", rounds);
    printf("CPU per connect, client / server side: bare %.0f / %.0f us, TLS connect %.0f / %.0f "
           "us, legacy %.0f / %.0f us\n", cpu[0].client / rounds, cpu[0].server / rounds,
           cpu[1].client / rounds, cpu[1].server / rounds, cpu[2].client / rounds,
           cpu[2].server / rounds);
}

int main(int argc, char **argv)
{
    int rounds = 200;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) rounds = 3;
        else if (atoi(argv[i]) > 0) rounds = atoi(argv[i]);
    }
    double *bare = calloc((size_t)rounds, sizeof *bare), *conn = calloc((size_t)rounds, sizeof *conn);
    double *leg = calloc((size_t)rounds, sizeof *leg);
    cpu_sum cpu[3] = {{0, 0}, {0, 0}, {0, 0}};
    if (!bare || !conn || !leg || measure(rounds, bare, conn, leg, cpu) != 0) {
        fprintf(stderr, "bench_connect: failed\n");
        return 1;
    }
    report(bench_has_flag(argc, argv, "--json"), bare, conn, leg, rounds, cpu);
    free(leg);
    free(bare);
    free(conn);
    return 0;
}

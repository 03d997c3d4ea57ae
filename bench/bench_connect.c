/* SPDX-License-Identifier: MIT */
/* bench_connect: the time to connect a session (TCP + COTP + InitSsl + TLS 1.3 + session
 * setup + limits + protection level) against the simulator, next to a bare TLS 1.3 handshake
 * (TCP + TLS, same OpenSSL settings) on the same loopback — the physical floor.
 * Usage: bench_connect [--smoke] [ROUNDS]. Prints medians, p90 and the ratio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s7plus/s7plus.h>

#include "bench_tls.h"
#include "sim.h"

static int bare_handshakes(int rounds, double *out)
{
    /* Like the session client, the TLS context is made once and reused. */
    bench_tls_server *srv = bench_tls_server_start();
    bench_tls_client *c = bench_tls_client_new();
    if (!srv || !c) return -1;
    for (int i = 0; i < rounds; i++) {
        double t0 = bench_now_us();
        if (bench_tls_client_connect(c, bench_tls_server_port(srv)) != 0) return -1;
        out[i] = bench_now_us() - t0;
        bench_tls_client_disconnect(c);
    }
    bench_tls_close(c);
    bench_tls_server_stop(srv);
    return 0;
}

/* legacy: the simulator's legacy-only mode and the client's legacy security (challenge
 * authentication with the simulator's test key, signed frames). */
static int session_connects(int rounds, double *out, bool legacy)
{
    s7p_sim_config cfg;
    char err[256];
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.security = legacy ? S7P_SIM_SECURITY_LEGACY : S7P_SIM_SECURITY_TLS;
    s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
    if (!sim) return -1;
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = s7p_sim_port(sim);
    s7p_legacy_key key;
    if (legacy) {
        s7p_legacy_test_key(&key);
        o.security = S7P_SECURITY_LEGACY_CHALLENGE;
        o.legacy_keys = &key;
        o.legacy_nkeys = 1;
        o.legacy_key_id = "00:BA35267CA865911B";
    }
    s7p_client *c;
    s7p_error e;
    if (s7p_client_new(&c, &o, &e) != S7P_OK) return -1;
    for (int i = 0; i < rounds; i++) {
        double t0 = bench_now_us();
        if (s7p_connect(c, &e) != S7P_OK) {
            fprintf(stderr, "%s\n", e.message);
            return -1;
        }
        out[i] = bench_now_us() - t0;
        s7p_disconnect(c, NULL);
    }
    s7p_client_free(c);
    s7p_sim_stop(sim);
    return 0;
}

int main(int argc, char **argv)
{
    int rounds = 200;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) rounds = 3;
        else rounds = atoi(argv[i]) > 0 ? atoi(argv[i]) : rounds;
    }
    double *bare = calloc((size_t)rounds, sizeof *bare), *conn = calloc((size_t)rounds, sizeof *conn);
    double *leg = calloc((size_t)rounds, sizeof *leg);
    if (!bare || !conn || !leg || bare_handshakes(rounds, bare) != 0 ||
        session_connects(rounds, conn, false) != 0 || session_connects(rounds, leg, true) != 0) {
        fprintf(stderr, "bench_connect: failed\n");
        return 1;
    }
    double mb = bench_median(bare, (size_t)rounds), mc = bench_median(conn, (size_t)rounds);
    double ml = bench_median(leg, (size_t)rounds);
    printf("%-44s %10s %10s\n", "loopback, median of rounds", "median us", "p90 us");
    printf("%-44s %10.0f %10.0f\n", "bare TLS 1.3 handshake (TCP + TLS)", mb, bare[rounds * 9 / 10]);
    printf("%-44s %10.0f %10.0f\n", "s7p_connect (TCP+COTP+InitSsl+TLS+session)", mc, conn[rounds * 9 / 10]);
    printf("%-44s %10.0f %10.0f\n", "s7p_connect legacy (COTP+challenge+session)", ml,
           leg[rounds * 9 / 10]);
    printf("ratio connect / bare handshake: %.2f  (%d rounds)\n", mc / mb, rounds);
    printf("ratio legacy connect / TLS connect: %.2f\n", ml / mc);
    free(leg);
    free(bare);
    free(conn);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* bench_inflight: N attribute reads (GetVarSubStreamed of the session's protection level)
 * through one session engine against the simulator, with max_in_flight 1 and 4: what
 * keeping several requests outstanding gains on one connection. All N are submitted at
 * once and the engine is driven over the socket until every answer came.
 * Usage: bench_inflight [--smoke]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ids.h"
#include "session/session.h"
#include "sim.h"
#include "util/clock.h"

typedef struct {
    unsigned ok, failed;
    uint16_t last_seq;
    bool in_order;
} tally;

static void on_done(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                    const s7p_fail *f)
{
    (void)id;
    (void)f;
    tally *t = ctx;
    if (st != S7P_OK) {
        t->failed++;
        return;
    }
    t->ok++;
    if (resp->seq <= t->last_seq) t->in_order = false;
    t->last_seq = resp->seq;
}

static int run(s7p_sim *sim, s7p_tls_ctx *tls, unsigned max_in_flight, unsigned n, double *ms)
{
    s7p_session s;
    s7p_fail f = {0};
    s7p_session_params p = {"127.0.0.1", s7p_sim_port(sim), 0, "SIMATIC-ROOT-HMI", tls,
                            {false, 0, 0, 0, 0}, {max_in_flight, 0, 0}, S7P_SECURITY_TLS, NULL, 0};
    if (s7p_session_open(&s, &p, NULL, s7p_deadline_in(5000), &f) != S7P_OK) {
        fprintf(stderr, "connect: %s\n", f.msg);
        return 1;
    }
    s7p_arena a;
    s7p_arena_init(&a, (size_t)256 << 20);
    tally t = {0, 0, 0, true};
    int64_t t0 = s7p_now_ms();
    int64_t deadline = s7p_deadline_in(60000);
    for (unsigned i = 0; i < n; i++) {
        s7p_pdu req;
        s7p_engine_read_attr_request(&s.eng, &req, s.eng.props.session_id,
                                     S7P_ID_EFFECTIVE_PROTECTION_LEVEL, &a);
        s7p_engine_request r = {&req, deadline, NULL, false, on_done, &t};
        if (s7p_engine_submit(&s.eng, &r, s7p_now_ms(), NULL) != S7P_OK) return 1;
    }
    s7p_status st = s7p_session_wait_all(&s, deadline, &f);
    *ms = (double)(s7p_now_ms() - t0);
    s7p_session_close(&s, s7p_deadline_in(2000));
    s7p_arena_release(&a);
    if (st != S7P_OK || t.ok != n || t.failed || !t.in_order) {
        fprintf(stderr, "max_in_flight %u: %s, %u ok, %u failed\n", max_in_flight, f.msg, t.ok,
                t.failed);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
    unsigned n = smoke ? 200 : 10000;
    char err[256];
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
    s7p_tls_config tc = {.verify = S7P_TLS_VERIFY_NONE};
    s7p_tls_ctx *tls = s7p_tls_ctx_new(&tc, err, sizeof err);
    if (!sim || !tls) {
        fprintf(stderr, "setup: %s\n", err);
        return 1;
    }
    double ms1 = 0, ms4 = 0;
    int rc = run(sim, tls, 1, n, &ms1) || run(sim, tls, 4, n, &ms4);
    if (rc == 0) {
        printf("%u attribute reads on one session: max_in_flight 1: %.0f ms (%.0f/s), "
               "max_in_flight 4: %.0f ms (%.0f/s)\n",
               n, ms1, n * 1000.0 / (ms1 > 0 ? ms1 : 1), ms4, n * 1000.0 / (ms4 > 0 ? ms4 : 1));
    }
    s7p_tls_ctx_free(tls);
    s7p_sim_stop(sim);
    return rc;
}

/* SPDX-License-Identifier: MIT */
/* The simulator under concurrent clients, its connection bound, and a prompt stop. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "net/tcp.h"
#include "simtest.h"
#include "tc.h"
#include "util/clock.h"

#define NCLIENTS 16
#define ROUNDS 3

typedef struct job {
    uint16_t port;
    bool ok;
    uint32_t sessions[ROUNDS];
    char err[320];
} job;

static bool fail_job(job *j, const tc *t, const char *what)
{
    snprintf(j->err, sizeof j->err, "%s: %s", what, t->err);
    return false;
}

static bool check_limits(job *j, tc *t)
{
    static const uint32_t lids[] = {1000, 1001, 0, 1, 2};
    s7p_pdu p;
    const s7p_pdu *r;
    tc_get_limits_req(t, &p, 1037, lids, 5);
    if (tc_call(t, &p, &r) != S7P_OK) return fail_job(j, t, "limits");
    const s7p_idlist *v = &r->resp.get_multi.values;
    if (r->ret || v->n != 5 || v->first->value.v.i != 50 || r->iid != (uint32_t)p.seq + p.iid)
        return fail_job(j, t, "limits values");
    return true;
}

static bool check_info(job *j, tc *t)
{
    static const uint32_t reads[][3] = {
        {0, 1842, S7P_DT_UDINT}, {1, 2459, S7P_DT_USINT}, {50, 233, S7P_DT_WSTRING},
        {49, 3753, S7P_DT_BLOB}, {0x894A0000u, 8342, S7P_DT_WSTRING},
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        const s7p_pdu *r;
        uint32_t obj = reads[i][0] ? reads[i][0] : t->session;
        if (tc_get_attr(t, obj, reads[i][1], &r) != S7P_OK) return fail_job(j, t, "info");
        if (r->ret || r->resp.get_var_sub_streamed.value.type != reads[i][2])
            return fail_job(j, t, "info value");
    }
    return true;
}

static bool one_round(job *j, int round)
{
    tc t;
    bool ok = tc_connect_session(&t, j->port) == S7P_OK || fail_job(j, &t, "connect");
    if (ok) j->sessions[round] = t.session;
    ok = ok && check_limits(j, &t) && check_info(j, &t);
    ok = ok && (tc_delete_session(&t) == S7P_OK || fail_job(j, &t, "delete"));
    tc_close(&t);
    return ok;
}

static void *client_main(void *arg)
{
    job *j = arg;
    j->ok = true;
    for (int i = 0; i < ROUNDS && j->ok; i++) j->ok = one_round(j, i);
    return NULL;
}

static void test_parallel_clients(void **state)
{
    (void)state;
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.max_sessions = NCLIENTS;
    s7p_sim *sim = st_sim_start(&c);
    job jobs[NCLIENTS];
    pthread_t th[NCLIENTS];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < NCLIENTS; i++) {
        jobs[i].port = s7p_sim_port(sim);
        assert_int_equal(pthread_create(&th[i], NULL, client_main, &jobs[i]), 0);
    }
    for (int i = 0; i < NCLIENTS; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < NCLIENTS; i++) {
        if (!jobs[i].ok) fail_msg("client %d: %s", i, jobs[i].err);
        for (int k = 0; k < ROUNDS; k++) {
            uint32_t s = jobs[i].sessions[k];
            assert_true(s >= 0x3A0 && s < 0x70000000u && (s & 3) == 0);
        }
    }
    unsigned long n = NCLIENTS * ROUNDS;
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_INIT_SSL), n);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_CREATE_OBJECT), n);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_SET_MULTI_VARIABLES), n);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_GET_MULTI_VARIABLES), n);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_GET_VAR_SUB_STREAMED), 5 * n);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_DELETE_OBJECT), n);
    assert_true(tc_wait_sessions(sim, 0, 2000));
    s7p_sim_stop(sim);
}

/* Connections in every state when stop comes: it must still return at once. */
static void test_stop_with_clients(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start(NULL);
    uint16_t port = s7p_sim_port(sim);
    tc sessions[3], cotp, tls_pending;
    for (int i = 0; i < 3; i++) assert_int_equal(tc_connect_session(&sessions[i], port), S7P_OK);
    assert_int_equal(tc_open(&cotp, port, NULL), S7P_OK);           /* COTP only, in clear */
    assert_int_equal(tc_open(&tls_pending, port, NULL), S7P_OK);    /* InitSsl, no ClientHello */
    s7p_pdu p;
    const s7p_pdu *r;
    tc_begin(&tls_pending, &p, S7P_PROTO_V1, S7P_FC_INIT_SSL, S7P_TF_INIT_SSL);
    assert_int_equal(tc_call(&tls_pending, &p, &r), S7P_OK);
    int raw = -1, e = 0;                                            /* TCP only, no CR */
    assert_int_equal(s7p_tcp_connect("127.0.0.1", port, s7p_deadline_in(2000), &raw, &e), S7P_OK);
    assert_true(tc_wait_sessions(sim, 3, 2000));

    int64_t t0 = s7p_now_ms();
    s7p_sim_stop(sim);
    int64_t took = s7p_now_ms() - t0;
    assert_true(took < 1000);

    for (int i = 0; i < 3; i++) {
        assert_int_equal(tc_recv(&sessions[i], &r), S7P_E_CLOSED);
        tc_close(&sessions[i]);
    }
    assert_int_equal(tc_recv(&cotp, &r), S7P_E_CLOSED);
    tc_close(&cotp);
    tc_close(&tls_pending);
    uint8_t b[8];
    size_t got = 0;
    assert_int_equal(s7p_tcp_read_some(raw, b, sizeof b, &got, s7p_deadline_in(2000), &e),
                     S7P_E_CLOSED);
    s7p_tcp_close(raw);
}

/* Connections still setting up have a limit of their own (max_pending): one more closes the
 * oldest pending connection and is served itself; connections with a session do not count
 * and are never closed to make room. */
static void test_connection_bound(void **state)
{
    (void)state;
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.max_sessions = 1;
    c.max_pending = 5;
    s7p_sim *sim = st_sim_start(&c);
    uint16_t port = s7p_sim_port(sim);
    tc session, conns[5], extra;
    assert_int_equal(tc_connect_session(&session, port), S7P_OK);
    for (int i = 0; i < 5; i++) assert_int_equal(tc_open(&conns[i], port, NULL), S7P_OK);
    assert_int_equal(tc_open(&extra, port, NULL), S7P_OK);
    const s7p_pdu *r;
    assert_int_equal(tc_recv(&conns[0], &r), S7P_E_CLOSED);  /* the oldest pending one */
    assert_int_equal(tc_init_ssl(&extra, NULL), S7P_OK);      /* the newest is served */
    assert_int_equal(tc_get_attr(&session, session.session, 1842, &r), S7P_OK);
    tc_close(&extra);
    tc_close(&session);
    for (int i = 0; i < 5; i++) tc_close(&conns[i]);
    s7p_sim_stop(sim);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_clients),
        cmocka_unit_test(test_stop_with_clients),
        cmocka_unit_test(test_connection_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* The idle heartbeat (option heartbeat_s): a client that idles reads a cheap attribute every
 * heartbeat_s seconds of silence. Against a simulator whose application stops answering
 * (the stall fault: TCP stays up, answers never come) the idle client turns FAULTED, with
 * S7P_E_TIMEOUT to on_comm_error, within heartbeat + request timeout; against a healthy one
 * the session stays connected; with heartbeat_s 0 nothing is sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "sim.h"
#include "util/clock.h"

#define FC_GET_VAR_SUB_STREAMED 0x0586
#define TIMEOUT_MS 1000u

typedef struct watch {
    atomic_llong faulted_at;      /* monotonic ms; 0: not yet */
    atomic_int comm_code;
} watch;

static void on_state(void *ctx, s7p_conn_state from, s7p_conn_state to)
{
    (void)from;
    watch *w = ctx;
    if (to == S7P_STATE_FAULTED) atomic_store(&w->faulted_at, (long long)s7p_now_ms());
}

static void on_comm_error(void *ctx, const s7p_error *e)
{
    watch *w = ctx;
    atomic_store(&w->comm_code, (int)e->code);
}

static s7p_sim *start_sim(void)
{
    s7p_sim_config c;
    char err[256];
    s7p_sim_config_init(&c);
    s7p_sim *s = s7p_sim_start(&c, err, sizeof err);
    if (!s) fail_msg("sim: %s", err);
    return s;
}

static s7p_client *connect_with(s7p_sim *s, uint32_t heartbeat_s, watch *w)
{
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = s7p_sim_port(s);
    o.request_timeout_ms = TIMEOUT_MS;
    o.heartbeat_s = heartbeat_s;
    o.on_state = on_state;
    o.state_ctx = w;
    o.on_comm_error = on_comm_error;
    o.comm_error_ctx = w;
    s7p_client *c;
    s7p_error err;
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_OK);
    if (s7p_connect(c, &err) != S7P_OK) fail_msg("connect: %s", err.message);
    return c;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The application stalls while the client idles: noticed within heartbeat + timeout. */
static void test_stalled_plc_noticed(void **state)
{
    (void)state;
    s7p_sim *s = start_sim();
    watch w = {0};
    s7p_client *c = connect_with(s, 1, &w);
    unsigned long before = s7p_sim_requests(s, FC_GET_VAR_SUB_STREAMED);
    s7p_sim_fault f = {S7P_SIM_FAULT_STALL, FC_GET_VAR_SUB_STREAMED, 0, 0, 0};
    s7p_sim_set_fault(s, &f);
    int64_t idle_from = s7p_now_ms();
    /* heartbeat 1 s + request timeout 1 s; the bound allows twice that under load. */
    while (!atomic_load(&w.faulted_at) && s7p_now_ms() - idle_from < 4000) sleep_ms(20);
    long long at = atomic_load(&w.faulted_at);
    assert_true(at != 0);
    long long took = at - idle_from;
    printf("idle client faulted %lld ms after the PLC stalled (heartbeat 1000 + timeout %u)\n",
           took, TIMEOUT_MS);
    assert_true(took >= 1000 + (long long)TIMEOUT_MS - 100);  /* not before it could know */
    assert_true(took < 2 * (1000 + (long long)TIMEOUT_MS));
    assert_int_equal(atomic_load(&w.comm_code), S7P_E_TIMEOUT);
    assert_int_equal(s7p_get_state(c), S7P_STATE_FAULTED);
    assert_true(s7p_sim_requests(s, FC_GET_VAR_SUB_STREAMED) > before);  /* the heartbeat */
    s7p_client_free(c);
    s7p_sim_stop(s);
}

/* A healthy PLC answers the heartbeats: the idle session stays connected. */
static void test_answered_heartbeats_keep_session(void **state)
{
    (void)state;
    s7p_sim *s = start_sim();
    watch w = {0};
    s7p_client *c = connect_with(s, 1, &w);
    unsigned long before = s7p_sim_requests(s, FC_GET_VAR_SUB_STREAMED);
    sleep_ms(2600);
    unsigned long sent = s7p_sim_requests(s, FC_GET_VAR_SUB_STREAMED) - before;
    assert_true(sent >= 2 && sent <= 3);
    assert_int_equal(s7p_get_state(c), S7P_STATE_CONNECTED);
    s7p_cpu_info info;
    s7p_error err;
    assert_int_equal(s7p_get_cpu_info(c, &info, &err), S7P_OK);  /* still usable */
    assert_int_equal(atomic_load(&w.faulted_at), 0);
    s7p_client_free(c);
    s7p_sim_stop(s);
}

/* heartbeat_s 0 (the default): an idle client sends nothing. */
static void test_off_sends_nothing(void **state)
{
    (void)state;
    s7p_client_options o;
    s7p_client_options_init(&o);
    assert_int_equal(o.heartbeat_s, 0);
    s7p_sim *s = start_sim();
    watch w = {0};
    s7p_client *c = connect_with(s, 0, &w);
    unsigned long before = s7p_sim_requests(s, FC_GET_VAR_SUB_STREAMED);
    sleep_ms(1500);
    assert_int_equal(s7p_sim_requests(s, FC_GET_VAR_SUB_STREAMED), before);
    s7p_client_free(c);
    s7p_sim_stop(s);
}

static void test_option_range(void **state)
{
    (void)state;
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.heartbeat_s = 86401;
    s7p_client *c = NULL;
    s7p_error err;
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
    assert_non_null(strstr(err.message, "heartbeat"));
    o.heartbeat_s = 86400;
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_OK);
    s7p_client_free(c);  /* stops the (idle, unconnected) heartbeat thread */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stalled_plc_noticed),
        cmocka_unit_test(test_answered_heartbeats_keep_session),
        cmocka_unit_test(test_off_sends_nothing),
        cmocka_unit_test(test_option_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

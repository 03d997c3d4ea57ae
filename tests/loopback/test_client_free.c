/* SPDX-License-Identifier: MIT */
/* s7p_client_free() while another thread's call is still inside the client: free waits for
 * it, callbacks included, so the call never touches freed memory (run under ASan to see the
 * use-after-free the old code had; without ASan, the timing assertions catch it). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

#define GET_MULTI 0x054C
#define CALLBACK_MS 300

typedef struct slow {
    int entered, left;          /* atomics: callbacks begun / finished */
    s7p_client *c;
    s7p_tag tag;
    s7p_status st;              /* the worker's result */
} slow;

static void slow_state(void *ctx, s7p_conn_state from, s7p_conn_state to)
{
    slow *k = ctx;
    (void)from;
    if (to != S7P_STATE_FAULTED) return;
    __atomic_store_n(&k->entered, 1, __ATOMIC_RELEASE);
    st_sleep_ms(CALLBACK_MS);
    __atomic_store_n(&k->left, 1, __ATOMIC_RELEASE);
}

static void slow_error(void *ctx, const s7p_error *e)
{
    slow *k = ctx;
    (void)e;
    __atomic_store_n(&k->entered, 1, __ATOMIC_RELEASE);
    st_sleep_ms(CALLBACK_MS);
    __atomic_store_n(&k->left, 1, __ATOMIC_RELEASE);
}

static void *read_worker(void *arg)
{
    slow *k = arg;
    s7p_tag_value v;
    s7p_item_result res;
    s7p_error e;
    k->st = s7p_read(k->c, &k->tag, 1, &v, &res, &e);
    return NULL;
}

static void connect_client(slow *k, s7p_sim *sim, bool state_cb)
{
    s7p_client_options o;
    s7p_error e;
    st_client_options(&o, s7p_sim_port(sim));
    o.request_timeout_ms = 500;
    if (state_cb) {
        o.on_state = slow_state;
        o.state_ctx = k;
    } else {
        o.on_comm_error = slow_error;
        o.comm_error_ctx = k;
    }
    k->c = st_client_connect(&o);
    assert_int_equal(s7p_tag_by_symbol(k->c, "\"AllTypes\".v_int", &k->tag, &e), S7P_OK);
}

/* Frees once the worker is inside a callback, or (sim not NULL) once its read reached the
 * simulator; free must return after the callback. */
static void free_during_call(slow *k, s7p_sim *sim)
{
    pthread_t th;
    unsigned long reads = sim ? s7p_sim_requests(sim, GET_MULTI) : 0;
    assert_int_equal(pthread_create(&th, NULL, read_worker, k), 0);
    for (int i = 0; i < 1000; i++) {
        if (sim ? s7p_sim_requests(sim, GET_MULTI) > reads
                : __atomic_load_n(&k->entered, __ATOMIC_ACQUIRE))
            break;
        st_sleep_ms(5);
    }
    if (!sim) assert_true(__atomic_load_n(&k->entered, __ATOMIC_ACQUIRE));
    s7p_client_free(k->c);
    assert_true(__atomic_load_n(&k->left, __ATOMIC_ACQUIRE));
    pthread_join(th, NULL);
    assert_int_not_equal(k->st, S7P_OK);
}

/* The connection drops under a read; the read's thread reports FAULTED slowly. */
static void test_free_waits_for_state_callback(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    static slow k;
    memset(&k, 0, sizeof k);
    connect_client(&k, sim, true);
    s7p_sim_fault f = {S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, GET_MULTI, 1, 0, 0};
    s7p_sim_set_fault(sim, &f);
    free_during_call(&k, NULL);
    s7p_sim_stop(sim);
}

/* The PLC stops answering; the read times out and reports the error slowly, while free
 * was called already during the read. */
static void test_free_waits_for_stalled_call(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    static slow k;
    memset(&k, 0, sizeof k);
    connect_client(&k, sim, false);
    s7p_sim_fault f = {S7P_SIM_FAULT_STALL, GET_MULTI, 1, 0, 0};
    s7p_sim_set_fault(sim, &f);
    free_during_call(&k, sim);
    assert_int_equal(k.st, S7P_E_TIMEOUT);
    s7p_sim_stop(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_waits_for_state_callback),
        cmocka_unit_test(test_free_waits_for_stalled_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

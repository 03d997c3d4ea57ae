/* SPDX-License-Identifier: MIT */
/* CPU culture info, communication resources and operating state against the simulator with
 * configured values: its languages (known and unknown LCIDs), its limits (tags per read and
 * per write request, subscriptions: free = max while none exist; the subscription tests
 * cover the drop), its operating state changed through the simulator's API and its control
 * channel, the fallback read of the state, the asynchronous forms, and read and write
 * batches cut by the PLC's own tags-per-request limits (counted with s7p_sim_requests),
 * also when those are learnt only later: from s7p_get_communication_resources() or the
 * connect after an automatic reconnect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

#define FC_GET_MULTI 0x054C
#define FC_SET_MULTI 0x0542
#define FC_GET_VAR_SUB_STREAMED 0x0586
#define FC_EXPLORE 0x04BB
#define N 7

static const char PROGRAM[] =
    "DATA_BLOCK \"Cpu\"\n"
    "{ S7_Optimized_Access := 'TRUE' }\n"
    "VERSION : 0.1\n"
    "   VAR\n"
    "      w : Array[1..7] of Int := [1, 2, 3, 4, 5, 6, 7];\n"
    "   END_VAR\n"
    "BEGIN\n"
    "END_DATA_BLOCK\n";

typedef st_source_fixture fixture;

/* A simulator with the test's program, 3 tags per read and 2 per write request, 12
 * subscriptions, four languages (one no table knows) and the CPU in STOP. */
static int setup(void **state)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.tags_per_request = 3;
    cfg.tags_per_write = 2;
    cfg.max_subscriptions = 12;
    cfg.state = S7P_SIM_STATE_STOP;
    char why[128];
    assert_true(s7p_sim_languages_parse("1031,1033,2057,9999", &cfg, why, sizeof why));
    return st_source_setup(state, "cpu", "Cpu.db", PROGRAM, &cfg);
}

static unsigned long requests(const fixture *fx, uint16_t fc)
{
    return s7p_sim_requests(fx->sim, fc);
}

/* ---- culture ---- */

static void test_culture(void **state)
{
    fixture *fx = *state;
    s7p_client *c = st_client_of(fx->sim, false);
    s7p_cpu_culture_info ci;
    s7p_error err;
    unsigned long explores = requests(fx, FC_EXPLORE);
    assert_int_equal(s7p_get_cpu_culture_info(c, &ci, &err), S7P_OK);
    assert_int_equal(requests(fx, FC_EXPLORE) - explores, 1);
    assert_int_equal(ci.count, 4);
    assert_int_equal(ci.reported, 4);
    static const uint16_t lcid[4] = {1031, 1033, 2057, 9999};
    static const char *const name[4] = {"de-DE", "en-US", "en-GB", NULL};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ci.languages[i].lcid, lcid[i]);
        if (name[i]) assert_string_equal(ci.languages[i].name, name[i]);
        else assert_null(ci.languages[i].name);
    }
    st_client_close(c);

    /* The simulator's default: en-US, de-DE. */
    s7p_sim *plain = st_sim_start(NULL);
    c = st_client_of(plain, false);
    assert_int_equal(s7p_get_cpu_culture_info(c, &ci, &err), S7P_OK);
    assert_int_equal(ci.count, 2);
    assert_string_equal(ci.languages[0].name, "en-US");
    assert_string_equal(ci.languages[1].name, "de-DE");
    st_client_close(c);
    s7p_sim_stop(plain);
}

static void test_languages_option(void **state)
{
    (void)state;
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    char why[128];
    static const char *const bad[] = {"", "0", "65536", "1033,", ",1033", "10x", "-5", "1033;1031",
                                      "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (s7p_sim_languages_parse(bad[i], &cfg, why, sizeof why))
            fail_msg("\"%s\" was taken", bad[i]);
        assert_int_equal(cfg.nlanguages, 2);  /* unchanged */
    }
    assert_true(s7p_sim_languages_parse("65535,1", &cfg, why, sizeof why));
    assert_int_equal(cfg.nlanguages, 2);
    assert_int_equal(cfg.languages[0], 65535);
    assert_int_equal(cfg.languages[1], 1);
}

/* ---- resources ---- */

static void test_resources(void **state)
{
    fixture *fx = *state;
    s7p_client *c = st_client_of(fx->sim, false);
    s7p_comm_resources r;
    s7p_error err;
    unsigned long gets = requests(fx, FC_GET_MULTI);
    assert_int_equal(s7p_get_communication_resources(c, &r, &err), S7P_OK);
    assert_int_equal(requests(fx, FC_GET_MULTI) - gets, 2);
    assert_int_equal(r.tags_per_read_max, 3);
    assert_int_equal(r.tags_per_write_max, 2);
    assert_int_equal(r.subscriptions_max, 12);
    assert_int_equal(r.subscriptions_free, 12);  /* no subscription exists */
    assert_int_equal(r.attributes_max, 2000);
    assert_int_equal(r.attributes_free, 2000);
    assert_int_equal(r.subscription_memory_max, 100000);
    assert_int_equal(r.subscription_memory_free, 100000);
    assert_int_equal(r.reported, 0xFF);

    /* The PLC refuses the second request (the free values) as a whole. */
    st_sim_fault(fx->sim, S7P_SIM_FAULT_PLC_ERROR, FC_GET_MULTI, 2);
    assert_int_equal(s7p_get_communication_resources(c, &r, &err), S7P_E_PLC);
    assert_int_equal(err.plc_code, -107);
    assert_string_equal(err.op, "resources");
    s7p_sim_clear_fault(fx->sim);
    assert_true(s7p_is_connected(c));
    st_client_close(c);
}

/* The simulator's own defaults: 50 tags per request, 20 subscriptions, all free. */
static void test_resources_defaults_of_sim(void **state)
{
    (void)state;
    s7p_sim *plain = st_sim_start(NULL);
    s7p_client *c = st_client_of(plain, false);
    s7p_comm_resources r;
    assert_int_equal(s7p_get_communication_resources(c, &r, NULL), S7P_OK);
    assert_int_equal(r.tags_per_read_max, 50);
    assert_int_equal(r.tags_per_write_max, 50);
    assert_int_equal(r.subscriptions_max, 200);
    assert_int_equal(r.subscriptions_free, 200);
    st_client_close(c);
    s7p_sim_stop(plain);
}

/* ---- batches cut by the PLC's limits ---- */

static void resolve(s7p_client *c, s7p_tag t[N])
{
    for (int i = 0; i < N; i++) {
        char sym[32];
        snprintf(sym, sizeof sym, "\"Cpu\".w[%d]", i + 1);
        s7p_error err;
        if (s7p_tag_by_symbol(c, sym, &t[i], &err) != S7P_OK) fail_msg("%s: %s", sym, err.message);
    }
}

/* Reads the N tags; returns the GetMultiVariables requests it took. */
static unsigned long read_all(const fixture *fx, s7p_client *c, const s7p_tag t[N], int64_t base)
{
    s7p_tag_value v[N];
    s7p_item_result r[N];
    s7p_error err;
    unsigned long before = requests(fx, FC_GET_MULTI);
    if (s7p_read(c, t, N, v, r, &err) != S7P_OK) fail_msg("read: %s", err.message);
    for (int i = 0; i < N; i++) {
        assert_int_equal(r[i].code, S7P_OK);
        assert_int_equal(v[i].v.i, base + i);
        s7p_tag_value_clear(&v[i]);
    }
    return requests(fx, FC_GET_MULTI) - before;
}

static void test_batches_use_limits(void **state)
{
    fixture *fx = *state;
    s7p_client *c = st_client_of(fx->sim, true);
    s7p_tag t[N];
    resolve(c, t);
    /* 7 items, 3 per read request: 3 requests; 2 per write request: 4 requests. */
    assert_int_equal(read_all(fx, c, t, 1), 3);
    s7p_tag_value w[N];
    s7p_item_result r[N];
    memset(w, 0, sizeof w);
    for (int i = 0; i < N; i++) {
        w[i].type = S7P_T_INT;
        w[i].v.i = 100 + i;
    }
    unsigned long before = requests(fx, FC_SET_MULTI);
    assert_int_equal(s7p_write(c, t, N, w, r, NULL), S7P_OK);
    assert_int_equal(requests(fx, FC_SET_MULTI) - before, 4);
    assert_int_equal(read_all(fx, c, t, 100), 3);
    for (int i = 0; i < N; i++) w[i].v.i = i + 1;  /* back to the start values */
    assert_int_equal(s7p_write(c, t, N, w, r, NULL), S7P_OK);
    st_client_close(c);
}

/* The connect could not read the limits (the PLC refused them): batches use the default
 * (20, one request) until s7p_get_communication_resources() learns the PLC's. */
static void test_limits_learnt_later(void **state)
{
    fixture *fx = *state;
    st_sim_fault(fx->sim, S7P_SIM_FAULT_PLC_ERROR, FC_GET_MULTI, 1);
    s7p_client *c = st_client_of(fx->sim, false);
    assert_int_equal(s7p_sim_fault_hits(fx->sim), 1);
    s7p_sim_clear_fault(fx->sim);
    s7p_tag t[N];
    resolve(c, t);
    assert_int_equal(read_all(fx, c, t, 1), 1);
    s7p_comm_resources res;
    assert_int_equal(s7p_get_communication_resources(c, &res, NULL), S7P_OK);
    assert_int_equal(res.tags_per_read_max, 3);
    assert_int_equal(read_all(fx, c, t, 1), 3);
    st_client_close(c);
}

/* Learnt again at every connect: after an automatic reconnect the limits the PLC reports
 * then cut the retried read. */
static void test_limits_after_reconnect(void **state)
{
    fixture *fx = *state;
    st_sim_fault(fx->sim, S7P_SIM_FAULT_PLC_ERROR, FC_GET_MULTI, 1);
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(fx->sim));
    o.auto_reconnect = true;
    o.request_timeout_ms = 10000;
    s7p_client *c = st_client_connect(&o);
    s7p_sim_clear_fault(fx->sim);
    s7p_tag t[N];
    resolve(c, t);
    assert_int_equal(read_all(fx, c, t, 1), 1);
    /* The next read's answer never comes (the connection closes): reconnect (its limits
     * read answered), then the read again, now in 3 requests: 1 + 1 + 3. */
    st_sim_fault(fx->sim, S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, FC_GET_MULTI, 1);
    assert_int_equal(read_all(fx, c, t, 1), 5);
    assert_int_equal(s7p_sim_fault_hits(fx->sim), 1);
    s7p_sim_clear_fault(fx->sim);
    assert_int_equal(read_all(fx, c, t, 1), 3);
    st_client_close(c);
}

/* ---- operating state ---- */

static void expect_state(s7p_client *c, s7p_cpu_state st, int64_t raw)
{
    s7p_cpu_state_info si;
    s7p_error err;
    if (s7p_get_cpu_state(c, &si, &err) != S7P_OK) fail_msg("state: %s", err.message);
    assert_int_equal(si.state, st);
    assert_int_equal(si.raw, raw);
    assert_int_equal(si.source, 3486);
}

static void test_state(void **state)
{
    fixture *fx = *state;
    s7p_client *c = st_client_of(fx->sim, false);
    unsigned long reads = requests(fx, FC_GET_VAR_SUB_STREAMED);
    expect_state(c, S7P_CPU_STOP, 4);  /* as configured */
    assert_int_equal(requests(fx, FC_GET_VAR_SUB_STREAMED) - reads, 1);
    assert_true(s7p_sim_set_state(fx->sim, S7P_SIM_STATE_RUN));
    expect_state(c, S7P_CPU_RUN, 8);
    /* The control channel's command, as a test harness or an operator sends it. */
    char reply[128];
    assert_true(s7p_sim_control(fx->sim, "state hold", reply, sizeof reply));
    expect_state(c, S7P_CPU_HOLD, 10);
    assert_true(s7p_sim_control(fx->sim, "state startup", reply, sizeof reply));
    expect_state(c, S7P_CPU_STARTUP, 6);
    assert_true(s7p_sim_control(fx->sim, "state defective", reply, sizeof reply));
    expect_state(c, S7P_CPU_DEFECTIVE, 13);
    assert_true(s7p_sim_set_state(fx->sim, S7P_SIM_STATE_STOP));
    expect_state(c, S7P_CPU_STOP, 4);
    st_client_close(c);
}

/* The PLC refuses the state read: the fallback read follows (object 50, attribute 3451),
 * and its outcome is the call's: the simulator does not have it (ObjectNotFound, -12),
 * not the first refusal (-107). */
static void test_state_fallback(void **state)
{
    fixture *fx = *state;
    s7p_client *c = st_client_of(fx->sim, false);
    unsigned long reads = requests(fx, FC_GET_VAR_SUB_STREAMED);
    st_sim_fault(fx->sim, S7P_SIM_FAULT_PLC_ERROR, FC_GET_VAR_SUB_STREAMED, 1);
    s7p_cpu_state_info si;
    s7p_error err;
    assert_int_equal(s7p_get_cpu_state(c, &si, &err), S7P_E_PLC);
    assert_int_equal(err.plc_code, -12);
    assert_int_equal(requests(fx, FC_GET_VAR_SUB_STREAMED) - reads, 2);
    s7p_sim_clear_fault(fx->sim);
    expect_state(c, S7P_CPU_STOP, 4);
    st_client_close(c);
}

/* ---- the asynchronous forms, from the I/O thread ---- */

typedef struct done_rec {
    int calls;
    s7p_status st;
} done_rec;

static void on_done(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err)
{
    (void)id;
    (void)err;
    done_rec *d = ctx;
    d->st = st;
    __atomic_store_n(&d->calls, d->calls + 1, __ATOMIC_RELEASE);
}

static void wait_done(const done_rec *d)
{
    for (int i = 0; i < 1000 && __atomic_load_n(&d->calls, __ATOMIC_ACQUIRE) == 0; i++)
        st_sleep_ms(10);
    assert_int_equal(__atomic_load_n(&d->calls, __ATOMIC_ACQUIRE), 1);
    assert_int_equal(d->st, S7P_OK);
}

static void test_async(void **state)
{
    fixture *fx = *state;
    s7p_client *c = st_client_of(fx->sim, false);
    assert_int_equal(s7p_client_start_io_thread(c), S7P_OK);
    s7p_cpu_culture_info ci;
    s7p_comm_resources r;
    s7p_cpu_state_info si;
    done_rec d[3] = {{0, S7P_E_STATE}, {0, S7P_E_STATE}, {0, S7P_E_STATE}};
    assert_int_equal(s7p_get_cpu_culture_info_async(c, &ci, on_done, &d[0], NULL), S7P_OK);
    assert_int_equal(s7p_get_communication_resources_async(c, &r, on_done, &d[1], NULL), S7P_OK);
    assert_int_equal(s7p_get_cpu_state_async(c, &si, on_done, &d[2], NULL), S7P_OK);
    for (int i = 0; i < 3; i++) wait_done(&d[i]);
    assert_int_equal(ci.count, 4);
    assert_string_equal(ci.languages[1].name, "en-US");
    assert_int_equal(r.tags_per_write_max, 2);
    assert_int_equal(si.state, S7P_CPU_STOP);
    assert_int_equal(s7p_get_cpu_state_async(NULL, &si, on_done, &d[0], NULL), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_get_cpu_state_async(c, NULL, on_done, &d[0], NULL), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_get_cpu_culture_info(c, NULL, NULL), S7P_E_INVALID_ARG);
    st_client_close(c);
}

/* Not connected (no auto_reconnect): S7P_E_STATE, nothing sent. */
static void test_not_connected(void **state)
{
    fixture *fx = *state;
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(fx->sim));
    s7p_client *c = st_client_new(&o);
    s7p_cpu_state_info si;
    s7p_comm_resources r;
    s7p_cpu_culture_info ci;
    s7p_error err;
    assert_int_equal(s7p_get_cpu_state(c, &si, &err), S7P_E_STATE);
    assert_int_equal(s7p_get_communication_resources(c, &r, &err), S7P_E_STATE);
    assert_int_equal(s7p_get_cpu_culture_info(c, &ci, &err), S7P_E_STATE);
    assert_string_equal(err.op, "culture");
    s7p_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_culture),
        cmocka_unit_test(test_languages_option),
        cmocka_unit_test(test_resources),
        cmocka_unit_test(test_resources_defaults_of_sim),
        cmocka_unit_test(test_batches_use_limits),
        cmocka_unit_test(test_limits_learnt_later),
        cmocka_unit_test(test_limits_after_reconnect),
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_state_fallback),
        cmocka_unit_test(test_async),
        cmocka_unit_test(test_not_connected),
    };
    return cmocka_run_group_tests(tests, setup, st_source_teardown);
}

/* SPDX-License-Identifier: MIT */
/* Automatic reconnection across a PLC restart: the simulator stops and comes back on the
 * same port while a client with auto_reconnect reads every 100 ms. The client stays FAULTED
 * during the outage, tries at most once per reconnect interval, and reads resume by
 * themselves within one interval of the restart. Also: the option checks for the intervals
 * and timeouts that must not be zero. */
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

#define INTERVAL_MS 1000   /* the default reconnect interval */
#define OUTAGE_MS 2000
#define PERIOD_MS 100      /* one read every 100 ms */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct counter {
    int connecting;             /* transitions into CONNECTING: one per connect attempt */
    s7p_conn_state last;
} counter;

static void on_state(void *ctx, s7p_conn_state from, s7p_conn_state to)
{
    counter *k = ctx;
    (void)from;
    if (to == S7P_STATE_CONNECTING) k->connecting++;
    k->last = to;
}

static s7p_sim *start_sim(uint16_t port)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.port = port;
    cfg.program_dir = S7P_EXAMPLES_PLC;
    return st_sim_start(&cfg);
}

static bool read_once(s7p_client *c, const s7p_tag *t, s7p_error *e)
{
    s7p_tag_value v;
    s7p_item_result r;
    return s7p_read(c, t, 1, &v, &r, e) == S7P_OK && r.code == S7P_OK && v.v.i == -12345;
}

static void test_reads_resume_after_plc_restart(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0);
    uint16_t port = s7p_sim_port(sim);
    counter k = {0, S7P_STATE_DISCONNECTED};
    s7p_client_options o;
    s7p_client *c;
    s7p_error e;
    s7p_client_options_init(&o);
    assert_int_equal(o.reconnect_interval_ms, INTERVAL_MS);
    o.host = "127.0.0.1";
    o.port = port;
    o.request_timeout_ms = 1000;
    o.connect_timeout_ms = 1000;
    o.auto_reconnect = true;
    o.on_state = on_state;
    o.state_ctx = &k;
    c = st_client_connect(&o);
    s7p_tag t;
    assert_int_equal(s7p_tag_by_symbol(c, "\"AllTypes\".v_int", &t, &e), S7P_OK);
    assert_true(read_once(c, &t, &e));

    /* The PLC goes away: every read fails, transiently, and the client stays FAULTED. */
    int64_t t_stop = now_ms();
    s7p_sim_stop(sim);
    int attempts0 = k.connecting;
    int failed_reads = 0;
    while (now_ms() - t_stop < OUTAGE_MS) {
        if (read_once(c, &t, &e)) fail_msg("a read succeeded with the PLC gone");
        if (!e.transient) fail_msg("not transient: %s", e.message);
        assert_int_equal(s7p_get_state(c), S7P_STATE_FAULTED);
        failed_reads++;
        st_sleep_ms(PERIOD_MS);
    }
    int64_t t_restart = now_ms();
    int outage_attempts = k.connecting - attempts0;
    sim = start_sim(port);

    /* Back on the same port: the next attempt due (at most one interval away) gets in. */
    int64_t t_ok = -1;
    while (now_ms() - t_restart < 4 * INTERVAL_MS) {
        if (read_once(c, &t, &e)) {
            t_ok = now_ms();
            break;
        }
        st_sleep_ms(PERIOD_MS);
    }
    int64_t outage = t_restart - t_stop;
    print_message("outage %lld ms, %d failed reads, %d connect attempts; reads resumed %lld ms "
                  "after the restart\n", (long long)outage, failed_reads, outage_attempts,
                  (long long)(t_ok - t_restart));
    if (t_ok < 0) fail_msg("reads did not resume: %s", e.message);
    /* One interval plus a read period, with room for a slow, busy machine. */
    assert_true(t_ok - t_restart <= INTERVAL_MS + PERIOD_MS + 700);
    assert_true(outage_attempts >= 1);
    assert_true(outage_attempts <= outage / INTERVAL_MS + 1);
    assert_true(failed_reads > outage_attempts);  /* most failed at once, without an attempt */
    assert_int_equal(s7p_get_state(c), S7P_STATE_CONNECTED);
    assert_int_equal(k.last, S7P_STATE_CONNECTED);
    assert_true(read_once(c, &t, &e));
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* Without auto_reconnect nothing changes: a failed reconnect is the caller's, and a failed
 * explicit connect from FAULTED leaves the client DISCONNECTED. */
static void test_manual_reconnect_unchanged(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0);
    uint16_t port = s7p_sim_port(sim);
    s7p_client_options o;
    s7p_client *c;
    s7p_error e;
    st_client_options(&o, port);
    o.request_timeout_ms = 1000;
    c = st_client_connect(&o);
    s7p_sim_stop(sim);
    s7p_cpu_info info;
    assert_int_not_equal(s7p_get_cpu_info(c, &info, &e), S7P_OK);
    assert_int_equal(s7p_get_state(c), S7P_STATE_FAULTED);
    assert_int_equal(s7p_connect(c, &e), S7P_E_CONNECT);
    assert_int_equal(s7p_get_state(c), S7P_STATE_DISCONNECTED);
    assert_int_equal(s7p_get_cpu_info(c, &info, &e), S7P_E_STATE);
    s7p_client_free(c);
}

/* Zero is not "no limit": a zero browse or disconnect timeout or reconnect interval is an
 * argument error, named in the message. */
static void test_zero_timeouts_rejected(void **state)
{
    (void)state;
    static const struct {
        size_t offset;
        const char *word;
    } fields[] = {
        {offsetof(s7p_client_options, browse_timeout_ms), "timeout"},
        {offsetof(s7p_client_options, disconnect_timeout_ms), "timeout"},
        {offsetof(s7p_client_options, reconnect_interval_ms), "reconnect interval"},
        {offsetof(s7p_client_options, connect_timeout_ms), "timeout"},
        {offsetof(s7p_client_options, request_timeout_ms), "timeout"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        s7p_client_options o;
        s7p_client *c = (s7p_client *)&o;
        s7p_error e;
        s7p_client_options_init(&o);
        o.host = "127.0.0.1";
        uint32_t zero = 0;
        memcpy((char *)&o + fields[i].offset, &zero, sizeof zero);
        assert_int_equal(s7p_client_new(&c, &o, &e), S7P_E_INVALID_ARG);
        assert_null(c);
        assert_int_equal(e.code, S7P_E_INVALID_ARG);
        assert_false(e.transient);
        if (!strstr(e.message, fields[i].word)) fail_msg("field %zu: %s", i, e.message);
    }
    /* The defaults pass. */
    s7p_client_options o;
    s7p_client *c;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    c = st_client_new(&o);
    s7p_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_timeouts_rejected),
        cmocka_unit_test(test_manual_reconnect_unchanged),
        cmocka_unit_test(test_reads_resume_after_plc_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Simulator start/stop, configuration checks and accessors. */
#define _GNU_SOURCE  /* syscall(SYS_gettid) */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "simtest.h"
#include "util/clock.h"

static const uint8_t zero32[32];

static void test_config_defaults(void **state)
{
    (void)state;
    s7p_sim_config c;
    memset(&c, 0xAB, sizeof c);
    s7p_sim_config_init(&c);
    assert_string_equal(c.listen_addr, "127.0.0.1");
    assert_int_equal(c.port, 0);
    assert_int_equal(c.max_sessions, 8);
    assert_null(c.cert_file);
    assert_null(c.key_file);
    assert_null(c.keylog_file);
    assert_int_equal(c.verbosity, 0);
    assert_null(c.log);
    assert_string_equal(c.order_number, "6ES7 516-3AN02-0AB0");
    assert_string_equal(c.firmware, "V3.1.0");
    assert_string_equal(c.plc_name, "PLC_1");
    assert_null(c.paom);
    assert_int_equal(c.protection_level, 1);
    assert_false(c.accept_any_tsap);
}

static void test_start_stop_many(void **state)
{
    (void)state;
    int64_t t0 = s7p_now_ms();
    for (int i = 0; i < 40; i++) {
        s7p_sim_config c;
        s7p_sim_config_init(&c);
        char err[256] = "";
        s7p_sim *s = s7p_sim_start(&c, err, sizeof err);
        assert_non_null(s);
        assert_int_not_equal(s7p_sim_port(s), 0);
        assert_memory_not_equal(s7p_sim_cert_sha256(s), zero32, 32);
        assert_int_equal(s7p_sim_sessions(s), 0);
        assert_int_equal(s7p_sim_requests(s, 0x054C), 0);
        int64_t t1 = s7p_now_ms();
        s7p_sim_stop(s);
        assert_true(s7p_now_ms() - t1 < 1000);  /* 200 ms target; slack for busy CI */
    }
    s7p_sim_stop(NULL);
    assert_true(s7p_now_ms() - t0 < 30000);
}

/* The configuration is copied: the caller's strings may change after start. */
static void test_strings_copied(void **state)
{
    (void)state;
    char addr[32] = "127.0.0.1", name[32] = "PLC_X";
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.listen_addr = addr;
    c.plc_name = name;
    char err[256];
    s7p_sim *s = s7p_sim_start(&c, err, sizeof err);
    assert_non_null(s);
    memset(addr, 'x', sizeof addr - 1);
    memset(name, 'y', sizeof name - 1);
    s7p_sim_stop(s);
}

static void expect_start_error(const s7p_sim_config *c, const char *needle)
{
    char err[256] = "";
    s7p_sim *s = s7p_sim_start(c, err, sizeof err);
    if (s) s7p_sim_stop(s);
    assert_null(s);
    assert_non_null(strstr(err, needle));
}

static void test_config_errors(void **state)
{
    (void)state;
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.firmware = "three";
    expect_start_error(&c, "firmware");

    s7p_sim_config_init(&c);
    c.max_sessions = 0;
    expect_start_error(&c, "max_sessions");

    s7p_sim_config_init(&c);
    c.cert_file = "/nonexistent/cert.pem";
    expect_start_error(&c, "key");

    s7p_sim_config_init(&c);
    c.cert_file = "/nonexistent/cert.pem";
    c.key_file = "/nonexistent/key.pem";
    expect_start_error(&c, "");

    s7p_sim_config_init(&c);
    c.plc_name = NULL;
    expect_start_error(&c, "PLC name");

    s7p_sim_config_init(&c);
    c.listen_addr = "256.1.2.3";
    expect_start_error(&c, "listen on 256.1.2.3");
}

static void test_port_in_use(void **state)
{
    (void)state;
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    char err[256];
    s7p_sim *a = s7p_sim_start(&c, err, sizeof err);
    assert_non_null(a);
    c.port = s7p_sim_port(a);
    char msg[64];
    snprintf(msg, sizeof msg, "listen on 127.0.0.1:%u", (unsigned)c.port);
    expect_start_error(&c, msg);
    s7p_sim_stop(a);
}

/* Each simulator makes its own certificate. */
static void test_distinct_certificates(void **state)
{
    (void)state;
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    char err[256];
    s7p_sim *a = s7p_sim_start(&c, err, sizeof err);
    s7p_sim *b = s7p_sim_start(&c, err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_not_equal(s7p_sim_port(a), s7p_sim_port(b));
    assert_memory_not_equal(s7p_sim_cert_sha256(a), s7p_sim_cert_sha256(b), 32);
    s7p_sim_stop(b);
    s7p_sim_stop(a);
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The kernel's id of the thread that served each connection (ids are not reused soon, as
 * pthread_t values are). */
#define REUSE_CONNS 4
typedef struct {
    pthread_mutex_t mu;
    long tid[REUSE_CONNS + 1];
} conn_threads;

static void note_thread(void *ctx, unsigned long conn, bool outbound, uint8_t version,
                        const uint8_t *data, size_t len)
{
    (void)outbound, (void)version, (void)data, (void)len;
    conn_threads *t = ctx;
    pthread_mutex_lock(&t->mu);
    if (conn >= 1 && conn <= REUSE_CONNS) t->tid[conn] = (long)syscall(SYS_gettid);
    pthread_mutex_unlock(&t->mu);
}

/* A connection's thread serves the next connection once its own ended (creating a thread
 * per connection cost as much as a good part of the TLS handshake), and stop ends such a
 * waiting thread at once rather than after its wait. */
static void test_connection_thread_reused(void **state)
{
    (void)state;
    conn_threads t = {.mu = PTHREAD_MUTEX_INITIALIZER};
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.trace = note_thread;
    c.trace_ctx = &t;
    s7p_sim *s = st_sim_start(&c);
    for (int i = 0; i < REUSE_CONNS; i++) {
        s7p_client *cl = st_client_of(s, false);
        s7p_client_free(cl);
        /* The session is dropped just before the thread starts waiting. */
        for (int k = 0; k < 500 && s7p_sim_sessions(s) > 0; k++) nap_ms(2);
        nap_ms(50);
    }
    int distinct = 0;
    for (int i = 1; i <= REUSE_CONNS; i++) {
        assert_int_not_equal(t.tid[i], 0);
        bool seen = false;
        for (int k = 1; k < i; k++) seen = seen || t.tid[k] == t.tid[i];
        distinct += !seen;
    }
    assert_true(distinct < REUSE_CONNS);
    int64_t t0 = s7p_now_ms();
    s7p_sim_stop(s);
    assert_true(s7p_now_ms() - t0 < 1000);  /* a waiting thread waits 2 s unless woken */
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_start_stop_many),
        cmocka_unit_test(test_strings_copied),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_distinct_certificates),
        cmocka_unit_test(test_connection_thread_reused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

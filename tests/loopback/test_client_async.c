/* SPDX-License-Identifier: MIT */
/* The non-blocking API against the simulator: requests driven from the caller's poll loop,
 * cancel of a stalled request, and the state readable while another thread's request
 * stalls (issue 16). */
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

#define FC_GET_MULTI 0x054C
#define REQUEST_MS 3000

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct done_rec {
    int calls;
    s7p_request_id id;
    s7p_status st;
    int64_t at_us;
} done_rec;

static void on_done(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err)
{
    (void)err;
    done_rec *d = ctx;
    d->calls++;
    d->id = id;
    d->st = st;
    d->at_us = now_us();
}

/* One turn of the caller's loop: poll what the client asks for, then let it work. */
static void loop_once(s7p_client *c, int max_ms)
{
    int fd = s7p_client_fd(c);
    unsigned want = s7p_client_want(c);
    int timeout = s7p_client_next_timeout(c);
    if (timeout < 0 || timeout > max_ms) timeout = max_ms;
    struct pollfd p = {fd, (short)((want & S7P_WANT_READ ? POLLIN : 0) |
                                   (want & S7P_WANT_WRITE ? POLLOUT : 0)), 0};
    (void)poll(&p, fd >= 0 ? 1 : 0, timeout);
    assert_int_equal(s7p_client_process(c), S7P_OK);
}

static void run_until_done(s7p_client *c, const done_rec *d, int max_ms)
{
    int64_t end = now_us() + (int64_t)max_ms * 1000;
    while (d->calls == 0 && now_us() < end) loop_once(c, 50);
    assert_int_equal(d->calls, 1);
}

typedef struct fixture {
    s7p_sim *sim;
    s7p_client *c;
    s7p_tag tag;
} fixture;

static int setup(void **state)
{
    fixture *fx = test_calloc(1, sizeof *fx);
    fx->sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(fx->sim));
    o.request_timeout_ms = REQUEST_MS;
    fx->c = st_client_connect(&o);
    s7p_error err;
    assert_int_equal(s7p_tag_by_symbol(fx->c, "\"AllTypes\".v_int", &fx->tag, &err), S7P_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    s7p_sim_clear_fault(fx->sim);
    st_client_close(fx->c);
    s7p_sim_stop(fx->sim);
    test_free(fx);
    return 0;
}

static void stall_reads(fixture *fx)
{
    s7p_sim_fault f;
    memset(&f, 0, sizeof f);
    f.kind = S7P_SIM_FAULT_STALL;
    f.function = FC_GET_MULTI;
    s7p_sim_set_fault(fx->sim, &f);
}

/* A read submitted without waiting completes from the caller's loop, with the value the
 * blocking read gives. */
static void test_async_read_from_poll_loop(void **state)
{
    fixture *fx = *state;
    s7p_tag_value want, got;
    s7p_item_result r;
    s7p_error err;
    assert_int_equal(s7p_read(fx->c, &fx->tag, 1, &want, &r, &err), S7P_OK);
    done_rec d = {0};
    s7p_request_id id = 0;
    assert_int_equal(s7p_read_async(fx->c, &fx->tag, 1, &got, &r, on_done, &d, &id), S7P_OK);
    assert_true(id != 0);
    run_until_done(fx->c, &d, 2 * REQUEST_MS);
    assert_int_equal(d.st, S7P_OK);
    assert_true(d.id == id);
    assert_int_equal(r.code, S7P_OK);
    assert_int_equal(got.type, want.type);
    assert_true(got.v.i == want.v.i);
    s7p_tag_value_clear(&want);
    s7p_tag_value_clear(&got);
}

/* A read the PLC never answers: s7p_cancel() completes it within 10 ms (far below the
 * request timeout), its late answer is never awaited, and the client reads again after. */
static void test_cancel_stalled_read_is_fast(void **state)
{
    fixture *fx = *state;
    stall_reads(fx);
    s7p_tag_value v;
    s7p_item_result r;
    done_rec d = {0};
    s7p_request_id id = 0;
    assert_int_equal(s7p_read_async(fx->c, &fx->tag, 1, &v, &r, on_done, &d, &id), S7P_OK);
    /* Until the request is on the wire. */
    int64_t end = now_us() + 2000000;
    while (s7p_sim_fault_hits(fx->sim) == 0 && now_us() < end) loop_once(fx->c, 10);
    assert_int_equal(s7p_sim_fault_hits(fx->sim), 1);
    assert_int_equal(d.calls, 0);
    int64_t t0 = now_us();
    assert_int_equal(s7p_cancel(fx->c, id), S7P_OK);
    while (d.calls == 0 && now_us() - t0 < 1000000) loop_once(fx->c, 1);
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.st, S7P_E_CANCELLED);
    int64_t took = d.at_us - t0;
    print_message("cancel of a stalled read completed after %lld us\n", (long long)took);
    assert_true(took < 10000);
    assert_int_equal(s7p_cancel(fx->c, id), S7P_E_NOT_FOUND);
    s7p_tag_value_clear(&v);
    s7p_sim_clear_fault(fx->sim);
    s7p_error err;
    assert_int_equal(s7p_read(fx->c, &fx->tag, 1, &v, &r, &err), S7P_OK);
    s7p_tag_value_clear(&v);
}

typedef struct reader {
    s7p_client *c;
    const s7p_tag *tag;
    s7p_status st;
} reader;

static void *blocking_read(void *arg)
{
    reader *rd = arg;
    s7p_tag_value v;
    s7p_item_result r;
    s7p_error err;
    rd->st = s7p_read(rd->c, rd->tag, 1, &v, &r, &err);
    s7p_tag_value_clear(&v);
    return NULL;
}

/* While another thread's read stalls inside the client, the state is read in well under a
 * millisecond each time (it never waits for the client's lock). */
static void test_state_never_waits_for_a_stalled_request(void **state)
{
    fixture *fx = *state;
    stall_reads(fx);
    reader rd = {fx->c, &fx->tag, S7P_OK};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, blocking_read, &rd), 0);
    int64_t end = now_us() + 2000000;
    while (s7p_sim_fault_hits(fx->sim) == 0 && now_us() < end) st_sleep_ms(1);
    assert_int_equal(s7p_sim_fault_hits(fx->sim), 1);
    int64_t worst = 0;
    for (int i = 0; i < 200; i++) {
        int64_t t0 = now_us();
        assert_int_equal(s7p_get_state(fx->c), S7P_STATE_CONNECTED);
        assert_true(s7p_is_connected(fx->c));
        int64_t took = now_us() - t0;
        if (took > worst) worst = took;
        st_sleep_ms(1);
    }
    print_message("s7p_get_state during a stalled read: worst %lld us\n", (long long)worst);
    assert_true(worst < 1000);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(rd.st, S7P_E_TIMEOUT);
}

/* A port nobody listens on (bound, never listening, then closed). */
static uint16_t closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* A refused connect driven from the caller's loop fails as a connect failure (the TCP
 * connect in progress is never taken for established). */
static void test_async_connect_refused(void **state)
{
    (void)state;
    s7p_client_options o;
    st_client_options(&o, closed_port());
    o.auto_reconnect = false;
    s7p_client *c = st_client_new(&o);
    done_rec d = {0};
    assert_int_equal(s7p_connect_async(c, on_done, &d, NULL), S7P_OK);
    run_until_done(c, &d, 5000);
    assert_int_equal(d.st, S7P_E_CONNECT);
    assert_int_equal(s7p_get_state(c), S7P_STATE_DISCONNECTED);
    s7p_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_async_connect_refused),
        cmocka_unit_test_setup_teardown(test_async_read_from_poll_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_stalled_read_is_fast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_never_waits_for_a_stalled_request, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Tag subscriptions against the simulator serving examples/plc: N cycles give N
 * notifications without a gap (past the initial credit, so the client must keep granting);
 * a 10 ms cycle survives a client that is late for 300 ms without a credit stall;
 * a written value appears within one cycle; reads and writes on the same client while a
 * subscription delivers; a PLC restart in the middle re-creates the subscription and
 * reports the gap; unsubscribe deletes on the PLC and frees everything (ASan build);
 * max_consecutive_timeouts against a silent subscription; add, remove and cycle changes;
 * several subscriptions and the event-loop form; a refused create is a typed error. */
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

#define SYM_INT "\"AllTypes\".v_int"
#define SYM_DINT "\"AllTypes\".v_dint"
#define SYM_REAL "\"AllTypes\".v_real"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static s7p_sim *start_sim(uint16_t port, unsigned max_subscriptions)
{
    s7p_sim_config cfg;
    st_sim_config(&cfg, port, S7P_EXAMPLES_PLC);
    cfg.max_subscriptions = max_subscriptions;
    return st_sim_start(&cfg);
}

static s7p_tag tag_of(s7p_client *c, const char *symbol)
{
    s7p_tag t;
    s7p_error e;
    if (s7p_tag_by_symbol(c, symbol, &t, &e) != S7P_OK) fail_msg("%s: %s", symbol, e.message);
    return t;
}

static s7p_subscription_options opts(uint32_t cycle_ms)
{
    s7p_subscription_options o;
    s7p_subscription_options_init(&o);
    o.cycle_ms = cycle_ms;
    return o;
}

/* The next notification of a pull subscription within ms (fails the test otherwise). */
static s7p_sub_notification *next_of(s7p_subscription *s, uint32_t ms)
{
    s7p_sub_notification *n = NULL;
    s7p_error e;
    s7p_status st = s7p_subscription_next(s, &n, ms, &e);
    if (st != S7P_OK) fail_msg("no notification within %u ms: %s", ms, e.message);
    return n;
}

/* The next DATA notification (events before it are skipped and counted). */
static s7p_sub_notification *next_data(s7p_subscription *s, uint32_t ms, unsigned *events)
{
    int64_t until = now_ms() + ms;
    for (;;) {
        int64_t left = until - now_ms();
        s7p_sub_notification *n = next_of(s, left > 0 ? (uint32_t)left : 0);
        if (n->event == S7P_SUB_DATA) return n;
        if (n->event == S7P_SUB_FAULTED) fail_msg("faulted: %s", n->error.message);
        if (events) (*events)++;
        s7p_sub_notification_free(n);
    }
}

static const s7p_sub_value *value_of(const s7p_sub_notification *n, uint32_t tag)
{
    for (size_t i = 0; i < n->count; i++)
        if (n->values[i].tag == tag) return &n->values[i];
    return NULL;
}

/* ---- N cycles, N notifications ---- */

static void test_cycles_without_gap(void **state)
{
    (void)state;
    enum { N = 40, CYCLE = 50 };
    s7p_sim *sim = start_sim(0, 0);
    s7p_client *c = st_client_of(sim, false);
    s7p_tag tags[2] = {tag_of(c, SYM_INT), tag_of(c, SYM_DINT)};
    s7p_subscription_options o = opts(CYCLE);
    s7p_subscription *sub;
    s7p_error e;
    assert_int_equal(s7p_subscribe(c, tags, 2, &o, NULL, NULL, &sub, &e), S7P_OK);
    int64_t t0 = now_ms();
    uint32_t first_seq = 0, missed = 0;
    for (unsigned k = 0; k < N; k++) {
        s7p_sub_notification *n = next_data(sub, 5000, NULL);
        if (k == 0) {
            /* the first one carries every tag */
            first_seq = n->sequence;
            assert_int_equal(n->count, 2);
            assert_int_equal(value_of(n, 0)->status, S7P_OK);
            assert_int_equal(value_of(n, 0)->value.type, S7P_T_INT);
            assert_int_equal(value_of(n, 0)->value.v.i, -12345);
            assert_int_equal(value_of(n, 1)->value.v.i, 15);
            assert_true(n->has_timestamp);
        }
        assert_int_equal(n->sequence, first_seq + k);
        missed += n->missed + n->dropped;
        s7p_sub_notification_free(n);
    }
    int64_t took = now_ms() - t0;
    print_message("%d notifications at a %d ms cycle in %lld ms, %u missed\n", N, CYCLE,
                  (long long)took, missed);
    assert_int_equal(first_seq, 1);
    assert_int_equal(missed, 0);
    /* N cycles (the initial credit of 10 is long spent: the client kept granting) */
    assert_true(took >= (N - 2) * CYCLE);
    assert_true(took < 2 * N * CYCLE + 2000);
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- a fast cycle and a client that is late for a moment: no credit stall ---- */

static void test_fast_cycle_no_credit_stall(void **state)
{
    (void)state;
    enum { CYCLE = 10, LATE_MS = 300 };
    s7p_sim *sim = start_sim(0, 0);
    s7p_client *c = st_client_of(sim, false);
    s7p_tag tag = tag_of(c, SYM_INT);
    s7p_subscription_options o = opts(CYCLE);  /* default credit: limit 10, step 5 */
    s7p_subscription *sub;
    s7p_error e;
    assert_int_equal(s7p_subscribe(c, &tag, 1, &o, NULL, NULL, &sub, &e), S7P_OK);
    uint32_t seq = 0, missed = 0;
    for (int k = 0; k < 3; k++) {
        s7p_sub_notification *n = next_data(sub, 5000, NULL);
        seq = n->sequence;
        s7p_sub_notification_free(n);
    }
    /* Nobody drives the client for 30 cycles: the PLC must have had enough credit to go on
     * sending all along (ten notifications' worth, 100 ms, would not do). */
    struct timespec ts = {0, LATE_MS * 1000L * 1000L};
    nanosleep(&ts, NULL);
    int64_t end = now_ms() + 200;
    while (now_ms() < end) {
        s7p_sub_notification *n = next_data(sub, 5000, NULL);
        missed += n->missed + n->dropped;
        assert_true(n->sequence > seq);
        seq = n->sequence;
        s7p_sub_notification_free(n);
    }
    unsigned long no_credit = 1, late = 0;
    s7p_sim_subs_skipped(sim, &no_credit, &late);
    print_message("%u notifications, %lu cycles without credit, %lu late\n", seq, no_credit,
                  late);
    assert_int_equal(missed, 0);
    assert_int_equal(no_credit, 0);
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- a written value appears within one cycle; reads and writes meanwhile ---- */

static void test_written_value_appears(void **state)
{
    (void)state;
    enum { CYCLE = 100 };
    s7p_sim *sim = start_sim(0, 0);
    s7p_client *c = st_client_of(sim, true);
    s7p_tag t = tag_of(c, SYM_DINT);
    s7p_subscription_options o = opts(CYCLE);
    o.mode = S7P_SUB_CHANGES_ONLY;
    s7p_subscription *sub;
    s7p_error e;
    assert_int_equal(s7p_subscribe(c, &t, 1, &o, NULL, NULL, &sub, &e), S7P_OK);
    s7p_sub_notification *n = next_data(sub, 5000, NULL);  /* the initial value */
    s7p_sub_notification_free(n);
    int64_t worst = 0;
    for (int64_t k = 1; k <= 5; k++) {
        s7p_tag_value v = {.type = S7P_T_DINT, .v.i = 1000 + k};
        s7p_item_result r;
        int64_t t0 = now_ms();
        assert_int_equal(s7p_write(c, &t, 1, &v, &r, &e), S7P_OK);
        n = next_data(sub, 5000, NULL);
        int64_t took = now_ms() - t0;
        assert_int_equal(n->count, 1);
        assert_int_equal(n->values[0].value.v.i, 1000 + k);
        s7p_sub_notification_free(n);
        if (took > worst) worst = took;
    }
    print_message("a written value arrived within %lld ms (cycle %d ms)\n", (long long)worst, CYCLE);
    assert_true(worst <= CYCLE + 400);  /* one cycle, plus a loaded machine's tolerance */
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    st_client_close(c);
    s7p_sim_stop(sim);
}

typedef struct rw_ctx {
    s7p_client *c;
    s7p_tag t;
    int ok, failed;
} rw_ctx;

static void *reader(void *arg)
{
    rw_ctx *x = arg;
    for (int i = 0; i < 100; i++) {
        s7p_tag_value v = {.type = S7P_T_DINT, .v.i = i};
        s7p_item_result r;
        s7p_error e;
        bool ok = s7p_write(x->c, &x->t, 1, &v, &r, &e) == S7P_OK && r.code == S7P_OK;
        memset(&v, 0, sizeof v);
        ok = ok && s7p_read(x->c, &x->t, 1, &v, &r, &e) == S7P_OK && r.code == S7P_OK &&
             v.v.i == i;
        if (ok) x->ok++;
        else x->failed++;
        st_sleep_ms(5);  /* spread over many cycles */
    }
    return NULL;
}

static void test_rw_while_delivering(void **state)
{
    (void)state;
    enum { CYCLE = 20 };
    s7p_sim *sim = start_sim(0, 0);
    s7p_client *c = st_client_of(sim, true);
    s7p_tag ts[2] = {tag_of(c, SYM_INT), tag_of(c, SYM_REAL)};
    s7p_subscription_options o = opts(CYCLE);
    s7p_subscription *sub;
    s7p_error e;
    assert_int_equal(s7p_subscribe(c, ts, 2, &o, NULL, NULL, &sub, &e), S7P_OK);
    rw_ctx x = {c, tag_of(c, SYM_DINT), 0, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, reader, &x), 0);
    unsigned got = 0, missed = 0;
    uint32_t last = 0;
    int64_t t0 = now_ms();
    while (x.ok + x.failed < 100 && now_ms() - t0 < 30000) {
        s7p_sub_notification *n = next_data(sub, 5000, NULL);
        if (got) assert_int_equal(n->sequence, last + 1);
        last = n->sequence;
        missed += n->missed + n->dropped;
        got++;
        s7p_sub_notification_free(n);
    }
    pthread_join(th, NULL);
    print_message("%d writes+reads ok beside %u notifications (%u missed) in %lld ms\n", x.ok,
                  got, missed, (long long)(now_ms() - t0));
    assert_int_equal(x.failed, 0);
    assert_int_equal(x.ok, 100);
    assert_true(got >= 10);
    assert_int_equal(missed, 0);
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- a PLC restart in the middle ---- */

static void test_reconnect_recreates(void **state)
{
    (void)state;
    enum { CYCLE = 50 };
    s7p_sim *sim = start_sim(0, 0);
    uint16_t port = s7p_sim_port(sim);
    s7p_client *c = st_client_reconnecting(port, 1000);
    s7p_tag t = tag_of(c, SYM_INT);
    s7p_subscription_options o = opts(CYCLE);
    s7p_subscription *sub;
    s7p_error e;
    assert_int_equal(s7p_subscribe(c, &t, 1, &o, NULL, NULL, &sub, &e), S7P_OK);
    for (int k = 0; k < 3; k++) s7p_sub_notification_free(next_data(sub, 5000, NULL));
    int64_t t_stop = now_ms();
    s7p_sim_stop(sim);
    s7p_sub_notification *n = next_of(sub, 5000);
    assert_int_equal(n->event, S7P_SUB_LOST);
    assert_true(n->error.code != S7P_OK);
    assert_true(n->error.transient);
    s7p_sub_notification_free(n);
    /* Nothing during the outage: the waits only time out. */
    assert_int_equal(s7p_subscription_next(sub, &n, 1000, &e), S7P_E_TIMEOUT);
    sim = start_sim(port, 0);
    int64_t t_start = now_ms();
    n = next_of(sub, 5000);
    int64_t t_back = now_ms();
    assert_int_equal(n->event, S7P_SUB_RECREATED);
    uint32_t gap = n->gap_ms;
    s7p_sub_notification_free(n);
    n = next_data(sub, 5000, NULL);
    print_message("outage %lld ms; re-created %lld ms after the restart, gap reported %u ms\n",
                  (long long)(t_start - t_stop), (long long)(t_back - t_start), gap);
    assert_true(gap >= (uint32_t)(t_start - t_stop));
    assert_true(t_back - t_start <= 1000 + 1500);  /* within a reconnect interval (+ slack) */
    /* a new subscription object: its sequence starts again, with every value */
    assert_int_equal(n->sequence, 1);
    assert_int_equal(n->count, 1);
    assert_int_equal(n->values[0].value.v.i, -12345);
    s7p_sub_notification_free(n);
    assert_int_equal(s7p_sim_subscriptions(sim), 1);
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    assert_int_equal(s7p_sim_subscriptions(sim), 0);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- unsubscribe frees everything ---- */

typedef struct cb_count {
    unsigned data, after;
    bool closed;
} cb_count;

static void count_cb(void *ctx, s7p_subscription *sub, const s7p_sub_notification *n)
{
    (void)sub;
    cb_count *k = ctx;
    if (k->closed) k->after++;
    if (n->event == S7P_SUB_DATA) k->data++;
}

static void test_unsubscribe_frees(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0, 0);
    s7p_client *c = st_client_of(sim, false);
    s7p_tag ts[3] = {tag_of(c, SYM_INT), tag_of(c, SYM_DINT), tag_of(c, SYM_REAL)};
    s7p_subscription_options o = opts(10);
    s7p_error e;
    /* a pull subscription whose queue holds notifications nobody took */
    s7p_subscription *pull;
    assert_int_equal(s7p_subscribe(c, ts, 3, &o, NULL, NULL, &pull, &e), S7P_OK);
    /* a callback subscription, driven by this thread's calls */
    cb_count k = {0};
    s7p_subscription *cb;
    assert_int_equal(s7p_subscribe(c, ts, 3, &o, count_cb, &k, &cb, &e), S7P_OK);
    assert_int_equal(s7p_sim_subscriptions(sim), 2);
    for (int i = 0; i < 20 && k.data < 5; i++) {
        s7p_sub_notification *n = NULL;
        (void)s7p_subscription_next(pull, &n, 50, &e);  /* drives the client */
        s7p_sub_notification_free(n);
    }
    assert_true(k.data >= 5);
    st_sleep_ms(100);
    assert_int_equal(s7p_unsubscribe(cb, &e), S7P_OK);
    k.closed = true;
    assert_int_equal(s7p_unsubscribe(pull, &e), S7P_OK);  /* its queue goes with it */
    assert_int_equal(s7p_sim_subscriptions(sim), 0);      /* deleted on the PLC */
    s7p_cpu_info info;
    assert_int_equal(s7p_get_cpu_info(c, &info, &e), S7P_OK);  /* drives: nothing comes */
    assert_int_equal(k.after, 0);
    /* one left alive is freed with the client */
    s7p_subscription *left;
    assert_int_equal(s7p_subscribe(c, ts, 3, &o, NULL, NULL, &left, &e), S7P_OK);
    st_sleep_ms(50);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- max_consecutive_timeouts against a silent subscription ---- */

/* A changes-only subscription of values nobody changes is silent after its first
 * notification: each notification_timeout_ms is an empty wait. */
static void test_timeouts_fault(void **state)
{
    (void)state;
    enum { TIMEOUT = 100 };
    s7p_sim *sim = start_sim(0, 0);
    s7p_client *c = st_client_of(sim, false);
    s7p_tag t = tag_of(c, SYM_INT);
    s7p_subscription_options o = opts(20);
    o.mode = S7P_SUB_CHANGES_ONLY;
    o.notification_timeout_ms = TIMEOUT;
    o.max_consecutive_timeouts = 3;
    s7p_subscription *sub, *never;
    s7p_error e;
    assert_int_equal(s7p_subscribe(c, &t, 1, &o, NULL, NULL, &sub, &e), S7P_OK);
    o.max_consecutive_timeouts = 0;
    assert_int_equal(s7p_subscribe(c, &t, 1, &o, NULL, NULL, &never, &e), S7P_OK);
    s7p_sub_notification *n = next_data(sub, 5000, NULL);
    int64_t t0 = now_ms();
    s7p_sub_notification_free(n);
    n = next_of(sub, 5000);
    int64_t took = now_ms() - t0;
    print_message("faulted %lld ms after the last notification (3 x %d ms)\n", (long long)took,
                  TIMEOUT);
    assert_int_equal(n->event, S7P_SUB_FAULTED);
    assert_int_equal(n->error.code, S7P_E_TIMEOUT);
    assert_non_null(strstr(n->error.message, "3 consecutive"));
    assert_true(took >= 3 * TIMEOUT - 20);
    assert_true(took < 2 * 3 * TIMEOUT + 300);
    s7p_sub_notification_free(n);
    /* later: the fault, at once (not a wait of 1 s) */
    int64_t t2 = now_ms();
    assert_int_equal(s7p_subscription_next(sub, &n, 1000, &e), S7P_E_TIMEOUT);
    assert_true(now_ms() - t2 < 500);
    assert_non_null(strstr(e.message, "3 consecutive"));
    /* max 0: the same silence never faults */
    s7p_sub_notification_free(next_data(never, 5000, NULL));
    int64_t t1 = now_ms();
    while (now_ms() - t1 < 10 * TIMEOUT) {
        s7p_status st = s7p_subscription_next(never, &n, 10 * TIMEOUT, &e);
        if (st == S7P_OK) {
            assert_int_not_equal(n->event, S7P_SUB_FAULTED);
            s7p_sub_notification_free(n);
        } else {
            assert_int_equal(st, S7P_E_TIMEOUT);
        }
    }
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    assert_int_equal(s7p_unsubscribe(never, &e), S7P_OK);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- add, remove, cycle ---- */

static void test_add_remove_cycle(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0, 0);
    s7p_client *c = st_client_of(sim, false);
    s7p_tag ti = tag_of(c, SYM_INT), td = tag_of(c, SYM_DINT);
    s7p_subscription_options o = opts(50);
    s7p_subscription *sub;
    s7p_error e;
    assert_int_equal(s7p_subscribe(c, &ti, 1, &o, NULL, NULL, &sub, &e), S7P_OK);
    s7p_sub_notification_free(next_data(sub, 5000, NULL));
    uint32_t first = 0;
    assert_int_equal(s7p_subscription_add(sub, &td, 1, &first, &e), S7P_OK);
    assert_int_equal(first, 1);
    /* the added tag's value comes under its number */
    const s7p_sub_value *v = NULL;
    s7p_sub_notification *n = NULL;
    for (int k = 0; k < 40 && !v; k++) {
        s7p_sub_notification_free(n);
        n = next_data(sub, 5000, NULL);
        v = value_of(n, 1);
    }
    assert_non_null(v);
    assert_int_equal(v->value.v.i, 15);
    s7p_sub_notification_free(n);
    uint32_t drop = 0;
    assert_int_equal(s7p_subscription_remove(sub, &drop, 1, &e), S7P_OK);
    assert_int_equal(s7p_subscription_set_cycle(sub, 200, &e), S7P_OK);
    /* at 200 ms, 1 s brings about 5 notifications, none with tag 0 */
    int64_t t0 = now_ms();
    unsigned got = 0;
    while (now_ms() - t0 < 1000) {
        if (s7p_subscription_next(sub, &n, 100, &e) != S7P_OK) continue;
        if (n->event == S7P_SUB_DATA) {
            assert_null(value_of(n, 0));
            got++;
        }
        s7p_sub_notification_free(n);
    }
    print_message("%u notifications in 1 s at a 200 ms cycle\n", got);
    assert_true(got >= 2 && got <= 9);
    assert_int_equal(s7p_subscription_set_cycle(sub, 0, &e), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- several subscriptions, the event loop, a refusal ---- */

typedef struct loop_ctx {
    cb_count k[2];
    int done;
    s7p_status st;
} loop_ctx;

static void on_subscribed(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err)
{
    (void)id;
    (void)err;
    loop_ctx *x = ctx;
    x->done++;
    if (st != S7P_OK) x->st = st;
}

static void test_event_loop_and_limits(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0, 2);  /* two subscriptions at most */
    s7p_client *c = st_client_of(sim, false);
    s7p_tag t = tag_of(c, SYM_INT);
    s7p_subscription_options o = opts(20);
    loop_ctx x = {0};
    s7p_subscription *a, *b, *third;
    assert_int_equal(s7p_subscribe_async(c, &t, 1, &o, count_cb, &x.k[0], &a, on_subscribed, &x,
                                         NULL), S7P_OK);
    assert_int_equal(s7p_subscribe_async(c, &t, 1, &o, count_cb, &x.k[1], &b, on_subscribed, &x,
                                         NULL), S7P_OK);
    /* the caller's loop: poll the client's socket, process */
    int64_t t0 = now_ms();
    while ((x.k[0].data < 5 || x.k[1].data < 5) && now_ms() - t0 < 10000) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
        s7p_client_process(c);
    }
    assert_int_equal(x.done, 2);
    assert_int_equal(x.st, S7P_OK);
    assert_true(x.k[0].data >= 5 && x.k[1].data >= 5);
    /* a third is refused by the PLC: a typed error, nothing left behind */
    s7p_error e;
    s7p_status st = s7p_subscribe(c, &t, 1, &o, NULL, NULL, &third, &e);
    print_message("third subscription: %s\n", e.message);
    assert_true(st == S7P_E_LIMIT || st == S7P_E_PLC);
    assert_null(third);
    assert_int_equal(s7p_sim_subscriptions(sim), 2);
    assert_int_equal(s7p_unsubscribe(a, &e), S7P_OK);
    assert_int_equal(s7p_unsubscribe(b, &e), S7P_OK);
    assert_int_equal(s7p_sim_subscriptions(sim), 0);
    /* bad arguments */
    assert_int_equal(s7p_subscribe(c, &t, 0, &o, NULL, NULL, &third, &e), S7P_E_INVALID_ARG);
    o.credit_limit = 0;
    assert_int_equal(s7p_subscribe(c, &t, 1, &o, NULL, NULL, &third, &e), S7P_E_INVALID_ARG);
    st_client_close(c);
    s7p_sim_stop(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cycles_without_gap),
        cmocka_unit_test(test_fast_cycle_no_credit_stall),
        cmocka_unit_test(test_written_value_appears),
        cmocka_unit_test(test_rw_while_delivering),
        cmocka_unit_test(test_reconnect_recreates),
        cmocka_unit_test(test_unsubscribe_frees),
        cmocka_unit_test(test_timeouts_fault),
        cmocka_unit_test(test_add_remove_cycle),
        cmocka_unit_test(test_event_loop_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

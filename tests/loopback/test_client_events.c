/* SPDX-License-Identifier: MIT */
/* Connection states, the callbacks, and automatic reconnection against the simulator's
 * fault injection: a read hit by a dropped connection is retried exactly once, a write
 * never. */
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

#define GET_MULTI 0x054C
#define SET_MULTI 0x0542
#define EXPLORE 0x04BB

typedef struct recorder {
    s7p_conn_state from[32], to[32];
    int n;
    int errors;
    s7p_error last;
} recorder;

static void on_state(void *ctx, s7p_conn_state from, s7p_conn_state to)
{
    recorder *r = ctx;
    if (r->n < 32) {
        r->from[r->n] = from;
        r->to[r->n] = to;
        r->n++;
    }
}

static void on_error(void *ctx, const s7p_error *e)
{
    recorder *r = ctx;
    r->errors++;
    r->last = *e;
}

static s7p_client *new_client(uint16_t port, recorder *r, bool auto_reconnect)
{
    s7p_client_options o;
    s7p_client *c;
    st_client_options(&o, port);
    o.allow_write = true;
    o.request_timeout_ms = 1000;
    o.auto_reconnect = auto_reconnect;
    o.on_state = on_state;
    o.state_ctx = r;
    o.on_comm_error = on_error;
    o.comm_error_ctx = r;
    c = st_client_new(&o);
    return c;
}

static void expect_transitions(const recorder *r, int first, const s7p_conn_state *to, int n)
{
    assert_true(r->n >= first + n);
    for (int i = 0; i < n; i++) {
        if (r->to[first + i] != to[i])
            fail_msg("transition %d: %s, expected %s", first + i, s7p_state_name(r->to[first + i]),
                     s7p_state_name(to[i]));
        if (i > 0) assert_int_equal(r->from[first + i], to[i - 1]);
    }
}

static void test_connect_disconnect_states(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    recorder r = {0};
    s7p_client *c = new_client(s7p_sim_port(sim), &r, false);
    s7p_error e;
    assert_int_equal(s7p_get_state(c), S7P_STATE_DISCONNECTED);
    assert_int_equal(s7p_connect(c, &e), S7P_OK);
    assert_int_equal(s7p_get_state(c), S7P_STATE_CONNECTED);
    assert_int_equal(s7p_disconnect(c, &e), S7P_OK);
    const s7p_conn_state want[] = {S7P_STATE_CONNECTING, S7P_STATE_CONNECTED,
                                   S7P_STATE_DISCONNECTING, S7P_STATE_DISCONNECTED};
    assert_int_equal(r.n, 4);
    expect_transitions(&r, 0, want, 4);
    assert_int_equal(r.from[0], S7P_STATE_DISCONNECTED);
    assert_int_equal(r.errors, 0);
    assert_string_equal(s7p_state_name(S7P_STATE_FAULTED), "faulted");
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

static uint16_t closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_failed_connect_reports(void **state)
{
    (void)state;
    recorder r = {0};
    s7p_client *c = new_client(closed_port(), &r, true);
    s7p_error e;
    assert_int_equal(s7p_connect(c, &e), S7P_E_CONNECT);
    const s7p_conn_state want[] = {S7P_STATE_CONNECTING, S7P_STATE_DISCONNECTED};
    assert_int_equal(r.n, 2);
    expect_transitions(&r, 0, want, 2);
    assert_int_equal(r.errors, 1);
    assert_int_equal(r.last.code, S7P_E_CONNECT);
    assert_string_equal(r.last.op, "connect");
    assert_string_equal(r.last.message, e.message);
    s7p_client_free(c);
}

static s7p_tag tag_of(s7p_client *c, const char *symbol)
{
    s7p_tag t;
    s7p_error e;
    if (s7p_tag_by_symbol(c, symbol, &t, &e) != S7P_OK) fail_msg("%s", e.message);
    return t;
}

static void drop_next(s7p_sim *sim, uint16_t function)
{
    s7p_sim_fault f = {S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, function, 1, 0, 0};
    s7p_sim_set_fault(sim, &f);
}

/* The read is sent, the connection drops, the client reconnects (which reads the system
 * limits: one more GetMultiVariables) and sends the read again: 3 in all, 2 of them reads. */
static void test_read_retried_once_after_drop(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    recorder r = {0};
    s7p_client *c = new_client(s7p_sim_port(sim), &r, true);
    s7p_error e;
    assert_int_equal(s7p_connect(c, &e), S7P_OK);
    s7p_tag t = tag_of(c, "\"AllTypes\".v_int");
    unsigned long before = s7p_sim_requests(sim, GET_MULTI);
    int n0 = r.n;
    drop_next(sim, GET_MULTI);
    s7p_tag_value v;
    s7p_item_result res;
    assert_int_equal(s7p_read(c, &t, 1, &v, &res, &e), S7P_OK);
    assert_int_equal(res.code, S7P_OK);
    assert_int_equal(v.v.i, -12345);
    assert_int_equal(s7p_sim_fault_hits(sim), 1);
    assert_int_equal(s7p_sim_requests(sim, GET_MULTI) - before, 3);
    const s7p_conn_state want[] = {S7P_STATE_FAULTED, S7P_STATE_CONNECTING, S7P_STATE_CONNECTED};
    expect_transitions(&r, n0, want, 3);
    assert_int_equal(r.errors, 0);  /* the call succeeded in the end */
    s7p_sim_clear_fault(sim);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

static void test_write_never_retried(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    recorder r = {0};
    s7p_client *c = new_client(s7p_sim_port(sim), &r, true);
    s7p_error e;
    assert_int_equal(s7p_connect(c, &e), S7P_OK);
    s7p_tag t = tag_of(c, "\"AllTypes\".v_int");
    unsigned long before = s7p_sim_requests(sim, SET_MULTI);
    drop_next(sim, SET_MULTI);
    s7p_tag_value w = {.type = S7P_T_INT, .v.i = 7};
    s7p_item_result res;
    s7p_status st = s7p_write(c, &t, 1, &w, &res, &e);
    assert_true(st == S7P_E_CLOSED || st == S7P_E_IO);
    assert_true(e.transient);
    assert_int_equal(s7p_sim_requests(sim, SET_MULTI) - before, 1);  /* sent once, never again */
    assert_int_equal(s7p_get_state(c), S7P_STATE_FAULTED);
    assert_int_equal(r.errors, 1);
    assert_string_equal(r.last.op, "write");
    /* The next read reconnects first (auto_reconnect) and works. */
    s7p_sim_clear_fault(sim);
    s7p_tag_value v;
    assert_int_equal(s7p_read(c, &t, 1, &v, &res, &e), S7P_OK);
    assert_int_equal(res.code, S7P_OK);
    assert_int_equal(s7p_get_state(c), S7P_STATE_CONNECTED);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

static void test_without_auto_reconnect(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    recorder r = {0};
    s7p_client *c = new_client(s7p_sim_port(sim), &r, false);
    s7p_error e;
    assert_int_equal(s7p_connect(c, &e), S7P_OK);
    s7p_tag t = tag_of(c, "\"AllTypes\".v_int");
    unsigned long before = s7p_sim_requests(sim, GET_MULTI);
    drop_next(sim, GET_MULTI);
    s7p_tag_value v;
    s7p_item_result res;
    s7p_status st = s7p_read(c, &t, 1, &v, &res, &e);
    assert_true(st == S7P_E_CLOSED || st == S7P_E_IO);
    assert_int_equal(s7p_sim_requests(sim, GET_MULTI) - before, 1);
    assert_int_equal(s7p_get_state(c), S7P_STATE_FAULTED);
    assert_int_equal(s7p_read(c, &t, 1, &v, &res, &e), S7P_E_STATE);
    s7p_sim_clear_fault(sim);
    assert_int_equal(s7p_connect(c, &e), S7P_OK);
    assert_int_equal(s7p_read(c, &t, 1, &v, &res, &e), S7P_OK);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* ---- callback order across threads ------------------------------------------------------ */

#define CHAIN_MAX 20000

typedef struct chain {
    pthread_mutex_t mu;         /* the test's own: on the old code callbacks ran concurrently */
    s7p_conn_state from[CHAIN_MAX], to[CHAIN_MAX];
    int n;
    int faulted;
    s7p_client *c;
    bool nested;                /* call into the client from the callback */
} chain;

static void pause_us(long us)
{
    struct timespec ts = {0, us * 1000L};
    nanosleep(&ts, NULL);
}

static void chain_state(void *ctx, s7p_conn_state from, s7p_conn_state to)
{
    chain *k = ctx;
    /* Slow to take a fault in: a thread delivering its own changes late, after another
     * thread already reconnected, would be overtaken. */
    if (to == S7P_STATE_FAULTED) pause_us(2000);
    pthread_mutex_lock(&k->mu);
    if (k->n < CHAIN_MAX) {
        k->from[k->n] = from;
        k->to[k->n] = to;
        k->n++;
    }
    if (to == S7P_STATE_FAULTED) k->faulted++;
    pthread_mutex_unlock(&k->mu);
    /* Calling into the client from a callback must not deadlock. */
    if (k->nested) (void)s7p_get_state(k->c);
}

typedef struct reader {
    s7p_client *c;
    s7p_tag tag;
    volatile int *stop;
    bool writes;                /* a write is never retried: its thread only reports the fault */
    int ok, failed;
} reader;

static void *read_loop(void *arg)
{
    reader *r = arg;
    while (!__atomic_load_n(r->stop, __ATOMIC_ACQUIRE)) {
        s7p_tag_value v = {.type = S7P_T_INT, .v.i = -12345};
        s7p_item_result res;
        s7p_error e;
        s7p_status st = r->writes ? s7p_write(r->c, &r->tag, 1, &v, &res, &e)
                                  : s7p_read(r->c, &r->tag, 1, &v, &res, &e);
        if (st == S7P_OK) r->ok++;
        else r->failed++;
        if (r->writes) pause_us(1000);
    }
    return NULL;
}

static void assert_valid_chain(const chain *k, s7p_conn_state now)
{
    assert_true(k->n > 0 && k->n < CHAIN_MAX);
    assert_int_equal(k->from[0], S7P_STATE_DISCONNECTED);
    for (int i = 1; i < k->n; i++)
        if (k->from[i] != k->to[i - 1])
            fail_msg("callback %d of %d: %s -> %s after -> %s", i, k->n, s7p_state_name(k->from[i]),
                     s7p_state_name(k->to[i]), s7p_state_name(k->to[i - 1]));
    if (k->to[k->n - 1] != now)
        fail_msg("last callback says %s, the client %s", s7p_state_name(k->to[k->n - 1]),
                 s7p_state_name(now));
}

/* Three threads read and one writes while the connection is dropped again and again: a
 * dropped read gives connected -> faulted -> connecting -> connected in one call, a dropped
 * write connected -> faulted, and a reader then reconnects. The callbacks must form one
 * chain (each from = the previous to), ending in the state the client reports. */
static void test_state_callbacks_in_order(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    static chain k;
    memset(&k, 0, sizeof k);
    pthread_mutex_init(&k.mu, NULL);
    s7p_client_options o;
    s7p_error e;
    st_client_options(&o, s7p_sim_port(sim));
    o.request_timeout_ms = 2000;
    o.auto_reconnect = true;
    o.allow_write = true;
    o.reconnect_interval_ms = 5;
    o.on_state = chain_state;
    o.state_ctx = &k;
    k.c = st_client_new(&o);
    k.nested = true;
    assert_int_equal(s7p_connect(k.c, &e), S7P_OK);
    s7p_tag t = tag_of(k.c, "\"AllTypes\".v_int");
    volatile int stop = 0;
    reader rd[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        rd[i] = (reader){k.c, t, &stop, i == 0, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, read_loop, &rd[i]), 0);
    }
    for (int round = 0; round < 40; round++) {
        drop_next(sim, round % 2 ? GET_MULTI : SET_MULTI);
        pause_us(25000);
    }
    s7p_sim_clear_fault(sim);
    pause_us(50000);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    int ok = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ok += rd[i].ok;
    }
    print_message("%d callbacks, %d faults, %d reads ok\n", k.n, k.faulted, ok);
    assert_true(k.faulted >= 10);
    assert_true(ok > 0);
    assert_valid_chain(&k, s7p_get_state(k.c));
    s7p_client_free(k.c);
    pthread_mutex_destroy(&k.mu);
    s7p_sim_stop(sim);
}

/* A callback that makes a call which changes the state: that call only queues its changes,
 * which follow once the callback returned; nothing deadlocks. */
static void *nested_read(void *arg);

typedef struct nest {
    chain k;
    s7p_tag tag;
    int reads;
} nest;

static void nest_state(void *ctx, s7p_conn_state from, s7p_conn_state to)
{
    nest *n = ctx;
    chain_state(&n->k, from, to);
    if (to == S7P_STATE_FAULTED) (void)nested_read(n);
}

static void *nested_read(void *arg)
{
    nest *n = arg;
    s7p_tag_value v;
    s7p_item_result res;
    s7p_error e;
    if (s7p_read(n->k.c, &n->tag, 1, &v, &res, &e) == S7P_OK) n->reads++;
    return NULL;
}

static void test_callback_may_call_client(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    static nest n;
    memset(&n, 0, sizeof n);
    pthread_mutex_init(&n.k.mu, NULL);
    s7p_client_options o;
    s7p_error e;
    st_client_options(&o, s7p_sim_port(sim));
    o.request_timeout_ms = 2000;
    o.auto_reconnect = true;
    o.allow_write = true;
    o.on_state = nest_state;
    o.state_ctx = &n;
    n.k.c = st_client_connect(&o);
    n.tag = tag_of(n.k.c, "\"AllTypes\".v_int");
    /* A write is not retried: it leaves the client FAULTED, the callback's read reconnects. */
    drop_next(sim, SET_MULTI);
    s7p_tag_value w = {.type = S7P_T_INT, .v.i = 7};
    s7p_item_result res;
    assert_int_not_equal(s7p_write(n.k.c, &n.tag, 1, &w, &res, &e), S7P_OK);
    s7p_sim_clear_fault(sim);
    assert_int_equal(n.reads, 1);
    const s7p_conn_state want[] = {S7P_STATE_CONNECTING, S7P_STATE_CONNECTED, S7P_STATE_FAULTED,
                                   S7P_STATE_CONNECTING, S7P_STATE_CONNECTED};
    assert_int_equal(n.k.n, 5);
    for (int i = 0; i < 5; i++) assert_int_equal(n.k.to[i], want[i]);
    assert_valid_chain(&n.k, s7p_get_state(n.k.c));
    s7p_client_free(n.k.c);
    pthread_mutex_destroy(&n.k.mu);
    s7p_sim_stop(sim);
}

/* ---- browse retries ---------------------------------------------------------------------- */

typedef struct names {
    char **v;
    size_t n;
} names;

static void names_add(names *k, const char *s)
{
    k->v = realloc(k->v, (k->n + 1) * sizeof *k->v);
    assert_non_null(k->v);
    k->v[k->n] = strdup(s);
    assert_non_null(k->v[k->n]);
    k->n++;
}

static void names_free(names *k)
{
    for (size_t i = 0; i < k->n; i++) free(k->v[i]);
    free(k->v);
    memset(k, 0, sizeof *k);
}

static bool collect_name(void *ctx, const s7p_browse_item *item)
{
    names_add(ctx, item->symbol);
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts k and fails on the first symbol listed twice. */
static void assert_unique(names *k)
{
    qsort(k->v, k->n, sizeof *k->v, cmp_str);
    for (size_t i = 1; i < k->n; i++)
        if (strcmp(k->v[i - 1], k->v[i]) == 0) fail_msg("%s listed twice", k->v[i]);
}

/* The symbols of a browse without faults, and how many Explore requests it made (a fresh
 * client: nothing cached). The sample program lists 284 variables today. */
static void browse_baseline(s7p_sim *sim, names *out, unsigned long *explores)
{
    recorder r = {0};
    s7p_client *c = new_client(s7p_sim_port(sim), &r, false);
    s7p_error e;
    assert_int_equal(s7p_connect(c, &e), S7P_OK);
    unsigned long before = s7p_sim_requests(sim, EXPLORE);
    memset(out, 0, sizeof *out);
    if (s7p_browse(c, collect_name, out, &e) != S7P_OK) fail_msg("%s", e.message);
    *explores = s7p_sim_requests(sim, EXPLORE) - before;
    assert_true(*explores >= 3);
    assert_unique(out);
    s7p_client_free(c);
}

/* The connection drops in the middle of s7p_browse_all(): the retry starts the collection
 * over, so every variable is listed exactly once. */
static void test_browse_all_retry_lists_each_once(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    names want;
    unsigned long explores;
    browse_baseline(sim, &want, &explores);
    recorder r = {0};
    s7p_client *c = new_client(s7p_sim_port(sim), &r, true);
    s7p_error e;
    assert_int_equal(s7p_connect(c, &e), S7P_OK);
    s7p_sim_fault f = {S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, EXPLORE, (unsigned)explores / 2, 0, 0};
    s7p_sim_set_fault(sim, &f);
    s7p_browse_result *res = NULL;
    if (s7p_browse_all(c, &res, &e) != S7P_OK) fail_msg("%s", e.message);
    assert_int_equal(s7p_sim_fault_hits(sim), 1);
    s7p_sim_clear_fault(sim);
    names got = {0};
    for (size_t i = 0; i < res->count; i++) names_add(&got, res->items[i].symbol);
    print_message("browse_all after a retry: %zu items (%zu without faults)\n", got.n, want.n);
    assert_unique(&got);
    assert_int_equal(got.n, want.n);
    for (size_t i = 0; i < got.n; i++) assert_string_equal(got.v[i], want.v[i]);
    s7p_browse_result_free(res);
    names_free(&got);
    names_free(&want);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* s7p_browse() streams: once the callback has seen items, a failure is returned (transient)
 * instead of being retried, so no item comes twice; before the first item it is retried. */
static void test_browse_stream_never_repeats(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    names want;
    unsigned long explores;
    browse_baseline(sim, &want, &explores);
    recorder r = {0};
    s7p_client *c = new_client(s7p_sim_port(sim), &r, true);
    s7p_error e;
    assert_int_equal(s7p_connect(c, &e), S7P_OK);

    /* The last Explore: items were delivered before it. */
    s7p_sim_fault f = {S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, EXPLORE, (unsigned)explores, 0, 0};
    s7p_sim_set_fault(sim, &f);
    names got = {0};
    s7p_status st = s7p_browse(c, collect_name, &got, &e);
    assert_int_equal(s7p_sim_fault_hits(sim), 1);
    s7p_sim_clear_fault(sim);
    if (st == S7P_OK) fail_msg("retried after %zu items were delivered (%zu in all)", got.n, want.n);
    assert_true(e.transient);
    assert_true(got.n > 0 && got.n < want.n);
    assert_unique(&got);
    assert_int_equal(s7p_get_state(c), S7P_STATE_FAULTED);
    names_free(&got);

    /* The first Explore (the DB list): nothing delivered yet, so it is retried. (A call
     * on the FAULTED client reconnects first, which would use up the one retry.) */
    s7p_cpu_info info;
    assert_int_equal(s7p_get_cpu_info(c, &info, &e), S7P_OK);
    f.nth = 1;
    s7p_sim_set_fault(sim, &f);
    assert_int_equal(s7p_browse(c, collect_name, &got, &e), S7P_OK);
    s7p_sim_clear_fault(sim);
    assert_unique(&got);
    assert_int_equal(got.n, want.n);
    names_free(&got);
    names_free(&want);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_disconnect_states),
        cmocka_unit_test(test_failed_connect_reports),
        cmocka_unit_test(test_read_retried_once_after_drop),
        cmocka_unit_test(test_write_never_retried),
        cmocka_unit_test(test_without_auto_reconnect),
        cmocka_unit_test(test_browse_all_retry_lists_each_once),
        cmocka_unit_test(test_state_callbacks_in_order),
        cmocka_unit_test(test_callback_may_call_client),
        cmocka_unit_test(test_browse_stream_never_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

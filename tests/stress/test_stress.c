/* SPDX-License-Identifier: MIT */
/* Stress: 16 threads share one connected client against the embedded simulator serving
 * examples/plc. Each thread runs N mixed requests (45 % writes, 45 % reads, 10 % symbol
 * lookups) on a variable of its own: it writes (t << 24) | i and reads the value back, so a
 * response handed to the wrong caller shows up as another thread's number. Symbol lookups
 * must give the address found at the start. Afterwards the simulator's request counters must
 * show exactly one GetMultiVariables per read and one SetMultiVariables per write.
 *
 * Usage: test_stress [N]   (requests per thread; default 10000, at most 2^24) */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
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

#include "proto/ids.h"
#include "simtest.h"

#ifndef S7P_EXAMPLES_PLC
#error "S7P_EXAMPLES_PLC must name the examples/plc directory"
#endif

#define NTHREADS 16
#define DEFAULT_REQUESTS 10000ul
#define MAX_REQUESTS (1ul << 24)  /* i must fit below the thread number in (t << 24) | i */
#define CYCLE 20                  /* per 20 requests: 9 writes, 9 reads, 2 symbol lookups */

static unsigned long requests_per_thread = DEFAULT_REQUESTS;

/* ---- callbacks: any session warning or state change during the run is an error ----------- */

static atomic_int warnings;
static atomic_int state_changes;

static void on_log(void *ctx, s7p_log_level level, const char *layer, const char *msg)
{
    (void)ctx;
    if (level > S7P_LOG_WARN) return;
    atomic_fetch_add(&warnings, 1);
    fprintf(stderr, "client %s: %s\n", layer, msg);
}

static void on_state(void *ctx, s7p_conn_state from, s7p_conn_state to)
{
    (void)ctx;
    atomic_fetch_add(&state_changes, 1);
    fprintf(stderr, "client state: %s -> %s\n", s7p_state_name(from), s7p_state_name(to));
}

/* ---- the variables ------------------------------------------------------------------------ */

typedef struct var {
    char symbol[128];
    s7p_tag tag;
} var;

/* Integer kinds wide enough for (15 << 24) | (2^24 - 1). */
static bool wide_integer(s7p_type t)
{
    switch (t) {
    case S7P_T_DINT: case S7P_T_UDINT: case S7P_T_LINT: case S7P_T_ULINT:
    case S7P_T_DWORD: case S7P_T_LWORD:
        return true;
    default:
        return false;
    }
}

static bool is_signed(s7p_type t)
{
    return t == S7P_T_DINT || t == S7P_T_LINT;
}

static bool tags_equal(const s7p_tag *a, const s7p_tag *b)
{
    return a->type == b->type && a->count == b->count && a->str_max == b->str_max &&
           a->area == b->area && a->sub_area == b->sub_area && a->symbol_crc == b->symbol_crc &&
           a->nlids == b->nlids && memcmp(a->lids, b->lids, a->nlids * sizeof a->lids[0]) == 0;
}

typedef struct candidates {
    char (*sym)[128];
    size_t n, cap;
} candidates;

__attribute__((format(printf, 2, 3)))
static void add_candidate(candidates *l, const char *fmt, ...)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->sym = realloc(l->sym, l->cap * sizeof *l->sym);
        assert_non_null(l->sym);
    }
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(l->sym[l->n], sizeof l->sym[0], fmt, ap);
    va_end(ap);
    if (len > 0 && (size_t)len < sizeof l->sym[0]) l->n++;
}

/* Every integer scalar or element of a one-dimensional array wide enough for the thread's
 * values, in browse order; then NTHREADS of them spread over the list, so that optimized
 * and standard DBs, scalars and array elements, signed and unsigned kinds all take part.
 * The caller checks that they are writable. */
static void choose_vars(s7p_client *c, var *out)
{
    s7p_browse_result *all = NULL;
    s7p_error err;
    if (s7p_browse_all(c, &all, &err) != S7P_OK) fail_msg("browse: %s", err.message);
    candidates l = {NULL, 0, 0};
    for (size_t i = 0; i < all->count; i++) {
        const s7p_browse_item *it = &all->items[i];
        if (!wide_integer(it->tag.type)) continue;
        if (it->tag.count == 0) {
            add_candidate(&l, "%s", it->symbol);
        } else if (it->ndims == 1) {
            for (uint32_t k = 0; k < it->dim_count[0]; k++)
                add_candidate(&l, "%s[%" PRId64 "]", it->symbol, (int64_t)it->lower[0] + k);
        }
    }
    s7p_browse_result_free(all);
    if (l.n < NTHREADS) fail_msg("only %zu wide integer variables in examples/plc", l.n);
    for (size_t t = 0; t < NTHREADS; t++) {
        var *v = &out[t];
        snprintf(v->symbol, sizeof v->symbol, "%s", l.sym[t * l.n / NTHREADS]);
        if (s7p_tag_by_symbol(c, v->symbol, &v->tag, &err) != S7P_OK)
            fail_msg("symbol %s: %s", v->symbol, err.message);
        assert_int_equal(v->tag.count, 0);
        for (size_t u = 0; u < t; u++)
            if (tags_equal(&out[u].tag, &v->tag))
                fail_msg("%s and %s share an address", out[u].symbol, v->symbol);
    }
    free(l.sym);
}

static s7p_tag_value value_of(const var *v, uint64_t x)
{
    s7p_tag_value tv;
    memset(&tv, 0, sizeof tv);
    tv.type = v->tag.type;
    if (is_signed(v->tag.type))
        tv.v.i = (int64_t)x;
    else
        tv.v.u = x;
    return tv;
}

static bool value_is(const var *v, const s7p_tag_value *tv, uint64_t x)
{
    if (tv->type != v->tag.type || tv->count != 0) return false;
    return is_signed(v->tag.type) ? tv->v.i == (int64_t)x : tv->v.u == x;
}

static uint64_t value_bits(const var *v, const s7p_tag_value *tv)
{
    return is_signed(v->tag.type) ? (uint64_t)tv->v.i : tv->v.u;
}

/* ---- the workers ------------------------------------------------------------------------ */

typedef struct worker {
    s7p_client *c;
    pthread_barrier_t *start;
    const var *v;
    uint64_t id;                  /* t, the high byte of every value */
    unsigned long reads, writes, symbols;
    unsigned long errors;
    char first_error[512];
} worker;

__attribute__((format(printf, 3, 4)))
static void fail_req(worker *w, unsigned long i, const char *fmt, ...)
{
    if (w->errors++ == 0) {
        char msg[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(w->first_error, sizeof w->first_error, "thread %" PRIu64 " request %lu (%s): %s",
                 w->id, i, w->v->symbol, msg);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    s7p_error err;
    s7p_item_result r;
    uint64_t last = 0;
    pthread_barrier_wait(w->start);
    for (unsigned long i = 0; i < requests_per_thread; i++) {
        unsigned phase = (unsigned)(i % CYCLE);
        if (phase >= CYCLE - 2) {
            s7p_tag t;
            w->symbols++;
            if (s7p_tag_by_symbol(w->c, w->v->symbol, &t, &err) != S7P_OK)
                fail_req(w, i, "symbol: %s", err.message);
            else if (!tags_equal(&t, &w->v->tag))
                fail_req(w, i, "symbol resolves to another address");
        } else if (phase % 2 == 0) {
            uint64_t x = w->id << 24 | i;
            s7p_tag_value tv = value_of(w->v, x);
            w->writes++;
            if (s7p_write(w->c, &w->v->tag, 1, &tv, &r, &err) != S7P_OK)
                fail_req(w, i, "write: %s", err.message);
            else if (r.code != S7P_OK)
                fail_req(w, i, "write item: %s (plc_code %d)", s7p_strerror(r.code), r.plc_code);
            else
                last = x;
        } else {
            s7p_tag_value tv;
            w->reads++;
            if (s7p_read(w->c, &w->v->tag, 1, &tv, &r, &err) != S7P_OK) {
                fail_req(w, i, "read: %s", err.message);
                continue;
            }
            if (r.code != S7P_OK)
                fail_req(w, i, "read item: %s (plc_code %d)", s7p_strerror(r.code), r.plc_code);
            else if (!value_is(w->v, &tv, last))
                fail_req(w, i, "read 0x%" PRIx64 " (type %d), wrote 0x%" PRIx64,
                         value_bits(w->v, &tv), (int)tv.type, last);
            s7p_tag_value_clear(&tv);
        }
    }
    return NULL;
}

/* ---- the test ------------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_shared_client(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);

    s7p_client_options o;
    s7p_error err;
    st_client_options(&o, s7p_sim_port(sim));
    o.allow_write = true;
    o.request_timeout_ms = 10000;
    o.log = on_log;
    o.log_level = S7P_LOG_WARN;
    o.on_state = on_state;
    s7p_client *c = st_client_connect(&o);

    var vars[NTHREADS];
    choose_vars(c, vars);
    /* Each variable takes a value no thread writes, and gives it back. */
    for (uint64_t t = 0; t < NTHREADS; t++) {
        s7p_item_result r;
        s7p_tag_value tv = value_of(&vars[t], t << 24 | 0xFFFFFFu), back;
        if (s7p_write(c, &vars[t].tag, 1, &tv, &r, &err) != S7P_OK || r.code != S7P_OK)
            fail_msg("%s is not writable: %s", vars[t].symbol, err.message);
        assert_int_equal(s7p_read(c, &vars[t].tag, 1, &back, &r, &err), S7P_OK);
        assert_int_equal(r.code, S7P_OK);
        assert_true(value_is(&vars[t], &back, t << 24 | 0xFFFFFFu));
        s7p_tag_value_clear(&back);
        printf("thread %2" PRIu64 ": %-40s %s\n", t, vars[t].symbol, s7p_type_name((int)vars[t].tag.type));
    }
    /* Connecting changed the state; the run must not. */
    atomic_store(&state_changes, 0);
    unsigned long get0 = s7p_sim_requests(sim, S7P_FC_GET_MULTI_VARIABLES);
    unsigned long set0 = s7p_sim_requests(sim, S7P_FC_SET_MULTI_VARIABLES);
    unsigned long explore0 = s7p_sim_requests(sim, S7P_FC_EXPLORE);

    worker w[NTHREADS];
    pthread_t th[NTHREADS];
    pthread_barrier_t start;
    assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS + 1), 0);
    memset(w, 0, sizeof w);
    for (int t = 0; t < NTHREADS; t++) {
        w[t].c = c;
        w[t].start = &start;
        w[t].v = &vars[t];
        w[t].id = (uint64_t)t;
        assert_int_equal(pthread_create(&th[t], NULL, worker_main, &w[t]), 0);
    }
    pthread_barrier_wait(&start);
    double t0 = now_s();
    for (int t = 0; t < NTHREADS; t++) pthread_join(th[t], NULL);
    double elapsed = now_s() - t0;
    pthread_barrier_destroy(&start);

    unsigned long reads = 0, writes = 0, symbols = 0, errors = 0;
    for (int t = 0; t < NTHREADS; t++) {
        reads += w[t].reads;
        writes += w[t].writes;
        symbols += w[t].symbols;
        errors += w[t].errors;
        if (w[t].errors) fprintf(stderr, "%lu errors, first: %s\n", w[t].errors, w[t].first_error);
    }
    unsigned long total = reads + writes + symbols;
    printf("%d threads x %lu requests: %lu reads, %lu writes, %lu symbol lookups in %.2f s: "
           "%.0f requests/s\n", NTHREADS, requests_per_thread, reads, writes, symbols, elapsed,
           elapsed > 0 ? (double)total / elapsed : 0.0);
    printf("simulator: %lu GetMultiVariables, %lu SetMultiVariables, %lu Explore during the run\n",
           s7p_sim_requests(sim, S7P_FC_GET_MULTI_VARIABLES) - get0,
           s7p_sim_requests(sim, S7P_FC_SET_MULTI_VARIABLES) - set0,
           s7p_sim_requests(sim, S7P_FC_EXPLORE) - explore0);
    assert_int_equal(total, (unsigned long)NTHREADS * requests_per_thread);
    assert_int_equal(errors, 0);
    assert_int_equal(atomic_load(&warnings), 0);
    assert_int_equal(atomic_load(&state_changes), 0);
    assert_int_equal(s7p_get_state(c), S7P_STATE_CONNECTED);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_GET_MULTI_VARIABLES) - get0, reads);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_SET_MULTI_VARIABLES) - set0, writes);

    /* The last value of every thread stayed where it was written. */
    for (int t = 0; t < NTHREADS; t++) {
        unsigned long i = requests_per_thread - 1;
        while (i % CYCLE >= CYCLE - 2 || i % 2) i--;
        s7p_tag_value back;
        s7p_item_result r;
        assert_int_equal(s7p_read(c, &vars[t].tag, 1, &back, &r, &err), S7P_OK);
        assert_true(value_is(&vars[t], &back, (uint64_t)t << 24 | i));
        s7p_tag_value_clear(&back);
    }
    assert_int_equal(s7p_disconnect(c, &err), S7P_OK);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

int main(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "usage: %s [requests-per-thread]\n", argv[0]);
        return 2;
    }
    if (argc == 2) {
        char *end;
        errno = 0;
        unsigned long n = strtoul(argv[1], &end, 10);
        if (errno || end == argv[1] || *end || argv[1][0] == '-' || n < 1 || n > MAX_REQUESTS) {
            fprintf(stderr, "%s: requests per thread must be 1..%lu\n", argv[0], MAX_REQUESTS);
            return 2;
        }
        requests_per_thread = n;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

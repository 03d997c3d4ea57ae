/* SPDX-License-Identifier: MIT */
/* Batches that fail half way, tags that are not valid, and requests that never get an answer,
 * against the simulator with a small tags-per-request limit (3), so that 9 items take three
 * requests and the simulator's faults can hit the second one:
 * - every item's result says what happened to it: written / read, refused by the PLC (with
 *   its code), outcome unknown (the answer never came), or not sent; the simulator saw
 *   exactly the requests the results claim;
 * - a failed read keeps no value, and a retried read leaks nothing (run under ASan/LSan);
 * - an invalid tag fails alone with S7P_E_INVALID_ARG and is never sent;
 * - a symbol lookup or a browse against a PLC that stops answering fails within one request
 *   timeout, not the browse timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

#define FC_EXPLORE 0x04BB
#define FC_GET_MULTI 0x054C
#define FC_SET_MULTI 0x0542
#define N 9
#define REQUEST_MS 500u

static const char PROGRAM[] =
    "DATA_BLOCK \"Batch\"\n"
    "{ S7_Optimized_Access := 'TRUE' }\n"
    "VERSION : 0.1\n"
    "   VAR\n"
    "      w : Array[1..9] of Int := [1, 2, 3, 4, 5, 6, 7, 8, 9];\n"
    "      s : Array[1..6] of String[20] := ['first string', 'second string', 'third string',\n"
    "                                         'fourth string', 'fifth string', 'sixth string'];\n"
    "      ws : Array[1..3] of WString[20] := [WSTRING#'erste Zeichenkette',\n"
    "                                          WSTRING#'zweite Zeichenkette', WSTRING#'dritte'];\n"
    "   END_VAR\n"
    "BEGIN\n"
    "END_DATA_BLOCK\n";

typedef st_source_fixture fixture;

static int setup(void **state)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.tags_per_request = 3;
    return st_source_setup(state, "batch", "Batch.db", PROGRAM, &cfg);
}

typedef struct client_opts {
    bool allow_write, auto_reconnect;
    unsigned max_in_flight;  /* 0: the library's default */
} client_opts;

static s7p_client *connect_client(const fixture *fx, client_opts co)
{
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(fx->sim));
    o.allow_write = co.allow_write;
    o.auto_reconnect = co.auto_reconnect;
    o.request_timeout_ms = REQUEST_MS;
    o.browse_timeout_ms = 60000;
    if (co.max_in_flight) o.max_in_flight = co.max_in_flight;
    return st_client_connect(&o);
}

/* "Batch".member[i] */
static s7p_tag tag_of(s7p_client *c, const char *member, int i)
{
    char sym[64];
    snprintf(sym, sizeof sym, "\"Batch\".%s[%d]", member, i);
    s7p_tag t;
    s7p_error err;
    if (s7p_tag_by_symbol(c, sym, &t, &err) != S7P_OK) fail_msg("%s: %s", sym, err.message);
    return t;
}

static void int_tags(s7p_client *c, s7p_tag t[N])
{
    for (int i = 0; i < N; i++) t[i] = tag_of(c, "w", i + 1);
}

/* Reads w[1..9] with a fresh client (the one under test may be faulted). */
static void read_ints(const fixture *fx, int64_t out[N])
{
    s7p_client *c = connect_client(fx, (client_opts){false, false, 0});
    s7p_tag t[N];
    s7p_tag_value v[N];
    s7p_item_result r[N];
    int_tags(c, t);
    assert_int_equal(s7p_read(c, t, N, v, r, NULL), S7P_OK);
    for (int i = 0; i < N; i++) {
        assert_int_equal(r[i].code, S7P_OK);
        out[i] = v[i].v.i;
        s7p_tag_value_clear(&v[i]);
    }
    st_client_close(c);
}

static void expect_code(const s7p_item_result *r, int i, s7p_status code, int16_t plc_code)
{
    if (r[i].code != code || r[i].plc_code != plc_code)
        fail_msg("item %d: %s (plc code %d), expected %s (plc code %d)", i, s7p_strerror(r[i].code),
                 r[i].plc_code, s7p_strerror(code), plc_code);
    assert_int_equal((int16_t)(uint16_t)(r[i].plc_return & 0xFFFFu), plc_code);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- item results of a write whose second request fails ---------------------------------- */

static s7p_status write_ints(s7p_client *c, const s7p_tag t[N], int64_t base, s7p_item_result r[N],
                             s7p_error *err)
{
    s7p_tag_value w[N];
    memset(w, 0, sizeof w);
    for (int i = 0; i < N; i++) {
        w[i].type = S7P_T_INT;
        w[i].v.i = base + i;
    }
    memset(r, 0x5A, N * sizeof *r);  /* what the caller had there must not survive */
    return s7p_write(c, t, N, w, r, err);
}

static void test_write_refused_mid_batch(void **state)
{
    fixture *fx = *state;
    s7p_client *c = connect_client(fx, (client_opts){true, false, 0});
    s7p_tag t[N];
    s7p_item_result r[N];
    s7p_error err;
    int_tags(c, t);
    unsigned long before = s7p_sim_requests(fx->sim, FC_SET_MULTI);
    st_sim_fault(fx->sim, S7P_SIM_FAULT_PLC_ERROR, FC_SET_MULTI, 2);
    assert_int_equal(write_ints(c, t, 100, r, &err), S7P_E_PLC);
    assert_int_equal(err.plc_code, -107);
    assert_int_equal(s7p_sim_fault_hits(fx->sim), 1);
    s7p_sim_clear_fault(fx->sim);
    /* Two requests went out: the first was written, the second refused, the third never sent. */
    assert_int_equal(s7p_sim_requests(fx->sim, FC_SET_MULTI) - before, 2);
    for (int i = 0; i < 3; i++) expect_code(r, i, S7P_OK, 0);
    for (int i = 3; i < 6; i++) expect_code(r, i, S7P_E_PLC, -107);
    for (int i = 6; i < 9; i++) expect_code(r, i, S7P_E_NOT_SENT, 0);
    int64_t v[N];
    read_ints(fx, v);
    for (int i = 0; i < N; i++) assert_int_equal(v[i], i < 3 ? 100 + i : i + 1);
    /* The connection is still usable: the whole batch goes through now. */
    assert_int_equal(write_ints(c, t, 200, r, &err), S7P_OK);
    for (int i = 0; i < N; i++) expect_code(r, i, S7P_OK, 0);
    st_client_close(c);
}

/* The second request's answer never comes (stall: timeout; drop: closed). The simulator did
 * carry it out, so its items were written although the client cannot know: their result is
 * the communication error, which the header documents as "may or may not have been written". */
static void test_write_answer_lost_mid_batch(void **state)
{
    fixture *fx = *state;
    static const struct {
        s7p_sim_fault_kind kind;
        s7p_status code;
    } cases[] = {{S7P_SIM_FAULT_STALL, S7P_E_TIMEOUT},
                 {S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, S7P_E_CLOSED}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        s7p_client *c = connect_client(fx, (client_opts){true, true, 0});
        s7p_tag t[N];
        s7p_item_result r[N];
        s7p_error err;
        int_tags(c, t);
        int64_t base = 1000 * ((int64_t)k + 1);
        unsigned long before = s7p_sim_requests(fx->sim, FC_SET_MULTI);
        st_sim_fault(fx->sim, cases[k].kind, FC_SET_MULTI, 2);
        int64_t t0 = now_ms();
        assert_int_equal(write_ints(c, t, base, r, &err), cases[k].code);
        assert_true(now_ms() - t0 < 2 * REQUEST_MS);
        s7p_sim_clear_fault(fx->sim);
        /* Not retried, even with auto_reconnect: two requests, no third. */
        assert_int_equal(s7p_sim_requests(fx->sim, FC_SET_MULTI) - before, 2);
        for (int i = 0; i < 3; i++) expect_code(r, i, S7P_OK, 0);
        for (int i = 3; i < 6; i++) expect_code(r, i, cases[k].code, 0);
        for (int i = 6; i < 9; i++) expect_code(r, i, S7P_E_NOT_SENT, 0);
        int64_t v[N];
        read_ints(fx, v);
        for (int i = 0; i < N; i++) assert_int_equal(v[i], i < 6 ? base + i : i + 1);
        st_client_close(c);
    }
}

/* ---- a read whose second request fails ---------------------------------------------------- */

static void test_read_refused_mid_batch(void **state)
{
    fixture *fx = *state;
    /* One request at a time: the third is never sent once the second failed (with more in
     * flight it would be out already, and its items' results would differ). */
    s7p_client *c = connect_client(fx, (client_opts){false, true, 1});
    s7p_tag t[N];
    s7p_tag_value v[N];
    s7p_item_result r[N];
    s7p_error err;
    int_tags(c, t);
    int64_t now[N];
    read_ints(fx, now);
    memset(r, 0x5A, sizeof r);
    memset(v, 0x5A, sizeof v);
    unsigned long before = s7p_sim_requests(fx->sim, FC_GET_MULTI);
    st_sim_fault(fx->sim, S7P_SIM_FAULT_PLC_ERROR, FC_GET_MULTI, 2);
    assert_int_equal(s7p_read(c, t, N, v, r, &err), S7P_E_PLC);
    assert_int_equal(err.plc_code, -107);
    s7p_sim_clear_fault(fx->sim);
    assert_int_equal(s7p_sim_requests(fx->sim, FC_GET_MULTI) - before, 2);
    /* The first request's items were read: they keep S7P_OK and their values. */
    for (int i = 0; i < 3; i++) {
        expect_code(r, i, S7P_OK, 0);
        assert_int_equal(v[i].v.i, now[i]);
    }
    for (int i = 3; i < 6; i++) expect_code(r, i, S7P_E_PLC, -107);
    for (int i = 6; i < 9; i++) expect_code(r, i, S7P_E_NOT_SENT, 0);
    s7p_tag_value zero;
    memset(&zero, 0, sizeof zero);
    for (int i = 3; i < N; i++) assert_memory_equal(&v[i], &zero, sizeof zero);
    for (int i = 0; i < N; i++) s7p_tag_value_clear(&v[i]);
    st_client_close(c);
}

/* The second request's connection drops; auto_reconnect reads the whole batch again. The
 * strings of the first attempt are released (LeakSanitizer checks it in the ASan build). */
static void test_read_retry_leaks_nothing(void **state)
{
    fixture *fx = *state;
    s7p_client *c = connect_client(fx, (client_opts){false, true, 0});
    static const char *const want[N] = {"first string", "second string", "third string",
                                        "fourth string", "fifth string", "sixth string",
                                        "erste Zeichenkette", "zweite Zeichenkette", "dritte"};
    s7p_tag t[N];
    for (int i = 0; i < 6; i++) t[i] = tag_of(c, "s", i + 1);
    for (int i = 6; i < N; i++) t[i] = tag_of(c, "ws", i - 5);
    s7p_tag_value v[N];
    s7p_item_result r[N];
    s7p_error err;
    st_sim_fault(fx->sim, S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, FC_GET_MULTI, 2);
    if (s7p_read(c, t, N, v, r, &err) != S7P_OK) fail_msg("read: %s", err.message);
    assert_int_equal(s7p_sim_fault_hits(fx->sim), 1);
    for (int i = 0; i < N; i++) {
        assert_int_equal(r[i].code, S7P_OK);
        assert_string_equal(v[i].v.str.p, want[i]);
        s7p_tag_value_clear(&v[i]);
    }
    s7p_sim_clear_fault(fx->sim);
    st_client_close(c);
}

/* A call that fails before sending anything (writes disabled, not connected) still sets
 * every result, and a read leaves no value for the caller to release. */
static void test_failed_before_sending(void **state)
{
    fixture *fx = *state;
    s7p_client *c = connect_client(fx, (client_opts){false, false, 0});
    s7p_tag t[N];
    s7p_item_result r[N];
    s7p_tag_value v[N];
    s7p_error err;
    int_tags(c, t);
    unsigned long before = s7p_sim_requests(fx->sim, FC_SET_MULTI);
    assert_int_equal(write_ints(c, t, 5, r, &err), S7P_E_WRITE_DISABLED);
    assert_int_equal(s7p_sim_requests(fx->sim, FC_SET_MULTI), before);
    for (int i = 0; i < N; i++) expect_code(r, i, S7P_E_NOT_SENT, 0);
    assert_int_equal(s7p_disconnect(c, &err), S7P_OK);
    memset(r, 0x5A, sizeof r);
    memset(v, 0x5A, sizeof v);
    assert_int_equal(s7p_read(c, t, N, v, r, &err), S7P_E_STATE);
    s7p_tag_value zero;
    memset(&zero, 0, sizeof zero);
    for (int i = 0; i < N; i++) {
        expect_code(r, i, S7P_E_NOT_SENT, 0);
        assert_memory_equal(&v[i], &zero, sizeof zero);
    }
    s7p_client_free(c);
}

/* ---- invalid tags ------------------------------------------------------------------------- */

enum { BAD = 9 };

/* Corrupted copies of valid addresses: each would reach a real variable (or read past the
 * tag) if it were sent. The one with nlids 200 is last, so an overread leaves the array. */
static void bad_tags(const s7p_tag *good_int, const s7p_tag *good_string, s7p_tag bad[BAD])
{
    for (int i = 0; i < BAD; i++) bad[i] = *good_int;
    bad[0].nlids = 0;
    bad[1].type = (s7p_type)999;              /* no such type */
    bad[2].type = S7P_T_STRUCT;               /* a type without a value */
    bad[3].count = 2000000000u;               /* far over any array */
    bad[4].str_max = 7;                       /* an Int has no declared length */
    bad[5] = *good_string;
    bad[5].str_max = 300;                     /* String holds at most 254 */
    bad[6].area = 0;
    bad[7].sub_area = 0;
    bad[8].nlids = 200;                       /* more than S7P_TAG_MAX_LIDS */
}

static void test_invalid_tags_read(void **state)
{
    fixture *fx = *state;
    s7p_client *c = connect_client(fx, (client_opts){false, false, 0});
    s7p_tag t[2 + BAD];
    t[0] = tag_of(c, "w", 2);
    t[1] = tag_of(c, "s", 1);
    bad_tags(&t[0], &t[1], t + 2);
    s7p_tag_value v[2 + BAD];
    s7p_item_result r[2 + BAD];
    s7p_error err;
    /* Only invalid tags: nothing is sent at all. */
    unsigned long before = s7p_sim_requests(fx->sim, FC_GET_MULTI);
    assert_int_equal(s7p_read(c, t + 2, BAD, v, r, &err), S7P_OK);
    assert_int_equal(s7p_sim_requests(fx->sim, FC_GET_MULTI), before);
    for (int i = 0; i < BAD; i++) expect_code(r, i, S7P_E_INVALID_ARG, 0);
    /* Mixed: the valid items of the same batch are read, in one request of two items. */
    s7p_tag mixed[2 + BAD];
    mixed[0] = t[0];
    for (int i = 0; i < BAD - 1; i++) mixed[1 + i] = t[2 + i];
    mixed[BAD] = t[1];
    mixed[BAD + 1] = t[2 + BAD - 1];
    assert_int_equal(s7p_read(c, mixed, 2 + BAD, v, r, &err), S7P_OK);
    assert_int_equal(s7p_sim_requests(fx->sim, FC_GET_MULTI) - before, 1);
    expect_code(r, 0, S7P_OK, 0);
    assert_int_equal(v[0].v.i, 2);
    expect_code(r, BAD, S7P_OK, 0);
    assert_string_equal(v[BAD].v.str.p, "first string");
    s7p_tag_value zero;
    memset(&zero, 0, sizeof zero);
    for (int i = 1; i < BAD; i++) {
        expect_code(r, i, S7P_E_INVALID_ARG, 0);
        assert_memory_equal(&v[i], &zero, sizeof zero);
    }
    expect_code(r, BAD + 1, S7P_E_INVALID_ARG, 0);
    for (int i = 0; i < 2 + BAD; i++) s7p_tag_value_clear(&v[i]);
    st_client_close(c);
}

static void test_invalid_tags_write(void **state)
{
    fixture *fx = *state;
    s7p_client *c = connect_client(fx, (client_opts){true, false, 0});
    s7p_tag good[2] = {tag_of(c, "w", 1), tag_of(c, "s", 1)};
    /* The corrupted tags are copies of w[2]; their values would fit it. */
    s7p_tag w2 = tag_of(c, "w", 2);
    s7p_tag t[2 + BAD];
    t[0] = good[0];
    bad_tags(&w2, &good[1], t + 1);
    t[1 + BAD] = good[1];
    s7p_tag_value w[2 + BAD];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 2 + BAD; i++) {
        w[i].type = S7P_T_INT;
        w[i].v.i = 77;
    }
    w[1 + 5].type = w[1 + BAD].type = S7P_T_STRING;   /* the String ones */
    w[1 + 5].v.str.p = w[1 + BAD].v.str.p = (char *)"written";
    w[1 + 5].v.str.len = w[1 + BAD].v.str.len = 7;
    s7p_item_result r[2 + BAD];
    s7p_error err;
    unsigned long before = s7p_sim_requests(fx->sim, FC_SET_MULTI);
    assert_int_equal(s7p_write(c, t + 1, BAD, w + 1, r, &err), S7P_OK);
    assert_int_equal(s7p_sim_requests(fx->sim, FC_SET_MULTI), before);
    for (int i = 0; i < BAD; i++) expect_code(r, i, S7P_E_INVALID_ARG, 0);
    assert_int_equal(s7p_write(c, t, 2 + BAD, w, r, &err), S7P_OK);
    assert_int_equal(s7p_sim_requests(fx->sim, FC_SET_MULTI) - before, 1);
    expect_code(r, 0, S7P_OK, 0);
    expect_code(r, 1 + BAD, S7P_OK, 0);
    for (int i = 1; i <= BAD; i++) expect_code(r, i, S7P_E_INVALID_ARG, 0);
    /* w[2] and s[2].. are untouched; w[1] and s[1] were written. */
    s7p_tag rt[3] = {good[0], w2, good[1]};
    s7p_tag_value v[3];
    assert_int_equal(s7p_read(c, rt, 3, v, r, &err), S7P_OK);
    assert_int_equal(v[0].v.i, 77);
    assert_int_equal(v[1].v.i, 2);
    assert_string_equal(v[2].v.str.p, "written");
    for (int i = 0; i < 3; i++) s7p_tag_value_clear(&v[i]);
    st_client_close(c);
}

/* ---- every request bounded by the request timeout ---------------------------------------- */

static void expect_fast_timeout(s7p_status st, const s7p_error *err, int64_t t0)
{
    int64_t took = now_ms() - t0;
    if (st != S7P_E_TIMEOUT) fail_msg("%s: %s", s7p_strerror(st), err->message);
    if (took >= 2 * (int64_t)REQUEST_MS)
        fail_msg("took %lld ms with a request timeout of %u ms", (long long)took, REQUEST_MS);
}

static void test_symbol_lookup_bounded(void **state)
{
    fixture *fx = *state;
    /* The lookup's requests: the DB list (Explore), the DBs' type ids (GetMultiVariables),
     * the DB's type information (Explore): each one stalled in turn on a fresh client. */
    static const struct {
        uint16_t function;
        unsigned nth;
    } stalls[] = {{FC_EXPLORE, 1}, {FC_GET_MULTI, 1}, {FC_EXPLORE, 2}};
    for (size_t k = 0; k < sizeof stalls / sizeof stalls[0]; k++) {
        s7p_client *c = connect_client(fx, (client_opts){false, false, 0});
        st_sim_fault(fx->sim, S7P_SIM_FAULT_STALL, stalls[k].function, stalls[k].nth);
        s7p_tag t;
        s7p_error err;
        int64_t t0 = now_ms();
        s7p_status st = s7p_tag_by_symbol(c, "\"Batch\".w[3]", &t, &err);
        expect_fast_timeout(st, &err, t0);
        assert_int_equal(s7p_sim_fault_hits(fx->sim), 1);
        s7p_sim_clear_fault(fx->sim);
        st_client_close(c);
    }
}

static bool count_item(void *ctx, const s7p_browse_item *item)
{
    (void)item;
    ++*(size_t *)ctx;
    return true;
}

static void test_browse_request_bounded(void **state)
{
    fixture *fx = *state;
    s7p_client *c = connect_client(fx, (client_opts){false, false, 0});
    st_sim_fault(fx->sim, S7P_SIM_FAULT_STALL, FC_EXPLORE, 2);  /* a type information request */
    size_t n = 0;
    s7p_error err;
    int64_t t0 = now_ms();
    s7p_status st = s7p_browse(c, count_item, &n, &err);
    expect_fast_timeout(st, &err, t0);
    s7p_sim_clear_fault(fx->sim);
    st_client_close(c);
    /* Without the fault the browse completes under the same timeouts. */
    c = connect_client(fx, (client_opts){false, false, 0});
    n = 0;
    assert_int_equal(s7p_browse(c, count_item, &n, &err), S7P_OK);
    assert_int_equal(n, 3);
    st_client_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_refused_mid_batch, setup, st_source_teardown),
        cmocka_unit_test_setup_teardown(test_write_answer_lost_mid_batch, setup,
                                        st_source_teardown),
        cmocka_unit_test_setup_teardown(test_read_refused_mid_batch, setup, st_source_teardown),
        cmocka_unit_test_setup_teardown(test_read_retry_leaks_nothing, setup, st_source_teardown),
        cmocka_unit_test_setup_teardown(test_failed_before_sending, setup, st_source_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_tags_read, setup, st_source_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_tags_write, setup, st_source_teardown),
        cmocka_unit_test_setup_teardown(test_symbol_lookup_bounded, setup, st_source_teardown),
        cmocka_unit_test_setup_teardown(test_browse_request_bounded, setup, st_source_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* The I/O-free cores of read/write and CPU info (src/services/rw.c, info.c): requests are
 * built and checked item by item, hand-built answers are taken, all without a network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/ids.h"
#include "proto/items.h"
#include "services/info.h"
#include "services/rw.h"
#include "values/convert.h"

#define DB1 (S7P_DB_AREA_BASE + 1u)

static s7p_tag int_tag(uint32_t lid)
{
    s7p_tag t;
    memset(&t, 0, sizeof t);
    t.area = DB1;
    t.sub_area = S7P_ID_DB_VALUE_ACTUAL;
    t.type = S7P_T_INT;
    t.nlids = 1;
    t.lids[0] = lid;
    return t;
}

static void session_with_limits(s7p_session *s, int32_t per_read, int32_t per_write)
{
    memset(s, 0, sizeof *s);
    s->limits.tags_per_read = per_read;
    s->limits.tags_per_write = per_write;
}

/* The request goes through the real encoder and decoder: it is a valid PDU. */
static void decode_back(const s7p_pdu *req, s7p_arena *a, s7p_pdu *out)
{
    static uint8_t buf[65536];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_pdu_encode(&w, req));
    assert_int_equal(s7p_pdu_decode(buf, w.len, S7P_PROTO_V2, a, out), S7P_OK);
}

/* An answer built with the encoder, as the PLC sends it, then decoded. */
static void answer(const s7p_pdu *resp, s7p_arena *a, s7p_pdu *out)
{
    decode_back(resp, a, out);
}

static void add_error(s7p_error_list *e, s7p_arena *a, uint32_t item, int16_t code)
{
    s7p_item_error *n = s7p_arena_array(a, e->n + 1u, sizeof *n);
    assert_non_null(n);
    if (e->n) memcpy(n, e->items, e->n * sizeof *n);
    n[e->n].item = item;
    n[e->n].ret = (uint16_t)code;
    e->items = n;
    e->n++;
}

/* Five tags, the third invalid, two per request: two requests of two items each. */
static void test_read_plan_build_take(void **state)
{
    (void)state;
    s7p_session s;
    session_with_limits(&s, 2, 2);
    s7p_tag tags[5] = {int_tag(1), int_tag(2), int_tag(3), int_tag(4), int_tag(5)};
    tags[2].nlids = 0;
    s7p_tag_value values[5] = {{0}};  /* s7p_read() hands the plan zeroed values */
    s7p_item_result res[5];
    s7p_fail f = {0};
    s7p_rw_plan p;
    assert_int_equal(s7p_rw_plan_read(&p, &s, tags, 5, values, res, &f), S7P_OK);
    assert_int_equal(p.nitems, 4);
    assert_int_equal(p.nrequests, 2);
    assert_int_equal(res[2].code, S7P_E_INVALID_ARG);
    for (int i = 0; i < 5; i++)
        if (i != 2) assert_int_equal(res[i].code, S7P_E_NOT_SENT);

    /* Request 1 holds tags 3 and 4 (LIDs 4 and 5). */
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_pdu req, back, resp, got;
    assert_int_equal(s7p_rw_build(&p, 1, &s, &a, &req, &f), S7P_OK);
    decode_back(&req, &a, &back);
    assert_int_equal(back.function, S7P_FC_GET_MULTI_VARIABLES);
    assert_int_equal(back.req.get_multi.item_count, 2);
    assert_int_equal(back.req.get_multi.addresses[0].area, DB1);
    assert_int_equal(back.req.get_multi.addresses[0].sub_area, S7P_ID_DB_VALUE_ACTUAL);
    assert_int_equal(back.req.get_multi.addresses[0].lids[0], 4);
    assert_int_equal(back.req.get_multi.addresses[1].lids[0], 5);

    /* Request 0: item 1 answered 1234, item 2 refused by the PLC with -5. */
    assert_int_equal(s7p_rw_build(&p, 0, &s, &a, &req, &f), S7P_OK);
    s7p_pdu_init_response(&resp, &req, 0);
    s7p_value *v = s7p_idlist_add(&resp.resp.get_multi.values, &a, 1);
    v->type = S7P_DT_INT;
    v->v.i = 1234;
    add_error(&resp.resp.get_multi.errors, &a, 2, -5);
    answer(&resp, &a, &got);
    assert_int_equal(s7p_rw_take(&p, 0, &got, &f), S7P_OK);
    assert_int_equal(res[0].code, S7P_OK);
    assert_int_equal(values[0].type, S7P_T_INT);
    assert_int_equal(values[0].v.i, 1234);
    assert_int_equal(res[1].code, S7P_E_PLC);
    assert_int_equal(res[1].plc_code, -5);

    /* Request 1 refused as a whole: S7P_E_PLC for the call and for both of its items. */
    assert_int_equal(s7p_rw_build(&p, 1, &s, &a, &req, &f), S7P_OK);
    s7p_pdu_init_response(&resp, &req, (uint16_t)-112);
    resp.ret_only = true;
    assert_int_equal(s7p_rw_take(&p, 1, &resp, &f), S7P_E_PLC);
    assert_string_equal(f.msg, "read: PLC refused the request: code -112");
    assert_int_equal(res[3].code, S7P_E_PLC);
    assert_int_equal(res[4].plc_code, -112);
    assert_int_equal(res[0].code, S7P_OK);  /* answered before: kept */

    /* No answer: sent (outcome unknown) or never sent. */
    s7p_fail lost = {.code = S7P_E_TIMEOUT};
    s7p_rw_failed(&p, 1, S7P_E_TIMEOUT, true, &lost);
    assert_int_equal(res[3].code, S7P_E_TIMEOUT);
    s7p_rw_failed(&p, 1, S7P_E_TIMEOUT, false, &lost);
    assert_int_equal(res[4].code, S7P_E_NOT_SENT);
    for (int i = 0; i < 5; i++) s7p_tag_value_clear(&values[i]);
    s7p_rw_plan_free(&p);
    s7p_arena_release(&a);
}

/* An item the answer does not name is a protocol error; an answer's unknown id is ignored. */
static void test_read_take_unnamed_item(void **state)
{
    (void)state;
    s7p_session s;
    session_with_limits(&s, 20, 20);
    s7p_tag tags[2] = {int_tag(1), int_tag(2)};
    s7p_tag_value values[2] = {{0}};  /* s7p_read() hands the plan zeroed values */
    s7p_item_result res[2];
    s7p_fail f = {0};
    s7p_rw_plan p;
    assert_int_equal(s7p_rw_plan_read(&p, &s, tags, 2, values, res, &f), S7P_OK);
    assert_int_equal(p.nrequests, 1);
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_pdu req, resp;
    assert_int_equal(s7p_rw_build(&p, 0, &s, &a, &req, &f), S7P_OK);
    s7p_pdu_init_response(&resp, &req, 0);
    s7p_value *v = s7p_idlist_add(&resp.resp.get_multi.values, &a, 2);
    v->type = S7P_DT_INT;
    v->v.i = -7;
    v = s7p_idlist_add(&resp.resp.get_multi.values, &a, 9);
    v->type = S7P_DT_INT;
    assert_int_equal(s7p_rw_take(&p, 0, &resp, &f), S7P_OK);
    assert_int_equal(res[0].code, S7P_E_PROTOCOL);
    assert_int_equal(res[1].code, S7P_OK);
    assert_int_equal(values[1].v.i, -7);
    s7p_tag_value_clear(&values[1]);
    s7p_rw_plan_free(&p);
    s7p_arena_release(&a);
}

/* An answer that names an item twice: the last value counts, and the text the first one
 * was converted to is freed (a leak under the sanitizer build otherwise); an item never
 * set before holds nothing to free. */
static void test_read_take_repeated_id(void **state)
{
    (void)state;
    s7p_session s;
    session_with_limits(&s, 20, 20);
    s7p_tag tags[2] = {int_tag(1), int_tag(2)};
    tags[0].type = S7P_T_STRING;
    tags[0].str_max = 254;
    s7p_tag_value values[2] = {{0}};  /* s7p_read() hands the plan zeroed values */
    s7p_item_result res[2];
    s7p_fail f = {0};
    s7p_rw_plan p;
    assert_int_equal(s7p_rw_plan_read(&p, &s, tags, 2, values, res, &f), S7P_OK);
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_pdu req, resp, got;
    assert_int_equal(s7p_rw_build(&p, 0, &s, &a, &req, &f), S7P_OK);
    s7p_pdu_init_response(&resp, &req, 0);
    static const char *const texts[2] = {"first", "second one"};
    for (int k = 0; k < 2; k++) {
        s7p_tag_value tv;
        memset(&tv, 0, sizeof tv);
        tv.type = S7P_T_STRING;
        tv.v.str.p = (char *)texts[k];
        tv.v.str.len = strlen(texts[k]);
        s7p_value *v = s7p_idlist_add(&resp.resp.get_multi.values, &a, 1);
        assert_non_null(v);
        assert_int_equal(s7p_convert_write(&tags[0], &tv, &a, v, NULL, 0), S7P_OK);
    }
    s7p_value *v = s7p_idlist_add(&resp.resp.get_multi.values, &a, 2);
    v->type = S7P_DT_INT;
    v->v.i = 3;
    answer(&resp, &a, &got);
    assert_int_equal(s7p_rw_take(&p, 0, &got, &f), S7P_OK);
    assert_int_equal(res[0].code, S7P_OK);
    assert_int_equal(values[0].v.str.len, strlen(texts[1]));
    assert_memory_equal(values[0].v.str.p, texts[1], strlen(texts[1]));
    assert_int_equal(res[1].code, S7P_OK);
    assert_int_equal(values[1].v.i, 3);
    for (int i = 0; i < 2; i++) s7p_tag_value_clear(&values[i]);
    s7p_rw_plan_free(&p);
    s7p_arena_release(&a);
}

/* The per-request limit and the frame size both cut requests. */
static void test_read_plan_cuts(void **state)
{
    (void)state;
    enum { N = 45 };
    s7p_session s;
    session_with_limits(&s, 20, 20);
    s7p_tag tags[N];
    s7p_tag_value values[N] = {{0}};  /* s7p_read() hands the plan zeroed values */
    s7p_item_result res[N];
    for (int i = 0; i < N; i++) tags[i] = int_tag((uint32_t)i + 1);
    s7p_fail f = {0};
    s7p_rw_plan p;
    assert_int_equal(s7p_rw_plan_read(&p, &s, tags, N, values, res, &f), S7P_OK);
    assert_int_equal(p.nrequests, 3);
    assert_int_equal(p.starts[1], 20);
    assert_int_equal(p.starts[2], 40);
    assert_int_equal(p.starts[3], 45);
    s7p_rw_plan_free(&p);
    /* Without a limit from the PLC: 20 per request. Deep addresses fill a frame first. */
    session_with_limits(&s, 0, 0);
    for (int i = 0; i < N; i++) {
        tags[i].nlids = S7P_TAG_MAX_LIDS;
        for (int k = 0; k < S7P_TAG_MAX_LIDS; k++) tags[i].lids[k] = 0xFFFFFFF0u;
    }
    assert_int_equal(s7p_rw_plan_read(&p, &s, tags, N, values, res, &f), S7P_OK);
    assert_true(p.nrequests >= 3);
    for (size_t k = 0; k < p.nrequests; k++) assert_true(p.starts[k + 1] - p.starts[k] <= 20);
    s7p_rw_plan_free(&p);
}

/* The planner's own tag check and address size agree with s7p_rw_check_tag and
 * s7p_item_address_size on every boundary: VLQ lengths of each address field, LID counts,
 * element counts, string maxima per type, zero area / sub-area, types without a value form. */
static void test_read_plan_checks_and_sizes(void **state)
{
    (void)state;
    static const uint32_t vlq[] = {0, 1, 127, 128, 16383, 16384, 2097151, 2097152,
                                   268435455, 268435456, 0xFFFFFFFFu};
    enum { NV = sizeof vlq / sizeof vlq[0], N = 3 * NV + 24 };
    s7p_tag tags[N];
    size_t n = 0;
    for (size_t k = 0; k < NV; k++) {
        tags[n] = int_tag(vlq[k]);
        tags[n++].symbol_crc = vlq[k];
        tags[n] = int_tag(vlq[(k + 3) % NV]);
        tags[n++].area = vlq[k] ? vlq[k] : 1u;
        tags[n] = int_tag(vlq[(k + 5) % NV]);
        tags[n++].sub_area = vlq[k] ? vlq[k] : 2u;
    }
    static const uint8_t nlids[] = {0, 1, 2, 15, 16, 17, 255};
    for (size_t k = 0; k < sizeof nlids; k++) {
        tags[n] = int_tag(1);
        tags[n].nlids = nlids[k];
        for (int j = 0; j < S7P_TAG_MAX_LIDS; j++) tags[n].lids[j] = vlq[(size_t)j % NV];
        n++;
    }
    static const struct { s7p_type type; uint32_t count; uint16_t str_max; } shapes[] = {
        {S7P_T_INT, S7P_MAX_ITEMS, 0}, {S7P_T_INT, S7P_MAX_ITEMS + 1u, 0}, {S7P_T_INT, 0, 1},
        {S7P_T_STRING, 0, 254}, {S7P_T_STRING, 0, 255}, {S7P_T_STRING, 3, 0},
        {S7P_T_WSTRING, 0, 16382}, {S7P_T_WSTRING, 0, 16383}, {S7P_T_VOID, 0, 0},
        {S7P_T_STRUCT, 0, 0}, {(s7p_type)255, 0, 0}, {S7P_T_DTL, 2, 0}, {S7P_T_BOOL, 0, 0},
    };
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        tags[n] = int_tag(7);
        tags[n].type = shapes[k].type;
        tags[n].count = shapes[k].count;
        tags[n++].str_max = shapes[k].str_max;
    }
    tags[n] = int_tag(1);
    tags[n++].area = 0;
    tags[n] = int_tag(1);
    tags[n++].sub_area = 0;
    assert_true(n <= N);
    s7p_session s;
    session_with_limits(&s, 20, 20);
    s7p_tag_value values[N] = {{0}};  /* s7p_read() hands the plan zeroed values */
    s7p_item_result res[N];
    s7p_fail f = {0};
    s7p_rw_plan p;
    assert_int_equal(s7p_rw_plan_read(&p, &s, tags, n, values, res, &f), S7P_OK);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char why[200];
        bool fine = s7p_rw_check_tag(&tags[i], why, sizeof why) == S7P_OK;
        assert_int_equal(res[i].code, fine ? S7P_E_NOT_SENT : S7P_E_INVALID_ARG);
        if (!fine) continue;
        assert_true(j < p.nitems);
        assert_int_equal(p.items[j].index, i);
        s7p_item_address a = {tags[i].symbol_crc, tags[i].area, tags[i].sub_area, tags[i].nlids,
                              tags[i].lids};
        assert_int_equal(p.items[j].size, s7p_item_address_size(&a));
        j++;
    }
    assert_int_equal(j, p.nitems);
    assert_true(p.nitems > 30 && p.nitems < n);
    s7p_rw_plan_free(&p);
}

/* A write: the value that does not fit its tag fails alone; the request carries the others'
 * encoded values under ids 1..n; the PLC's per-item refusal lands on its item. */
static void test_write_plan_build_take(void **state)
{
    (void)state;
    s7p_session s;
    session_with_limits(&s, 20, 20);
    s7p_tag tags[3] = {int_tag(1), int_tag(2), int_tag(3)};
    s7p_tag_value values[3];
    memset(values, 0, sizeof values);
    values[0].type = S7P_T_INT;
    values[0].v.i = 11;
    values[1].type = S7P_T_INT;
    values[1].v.i = 70000;  /* out of Int's range */
    values[2].type = S7P_T_INT;
    values[2].v.i = -3;
    s7p_item_result res[3];
    s7p_fail f = {0};
    s7p_rw_plan p;
    assert_int_equal(s7p_rw_plan_write(&p, &s, tags, values, 3, res, &f), S7P_OK);
    assert_int_equal(p.nitems, 2);
    assert_int_equal(p.nrequests, 1);
    assert_int_not_equal(res[1].code, S7P_OK);
    assert_int_not_equal(res[1].code, S7P_E_NOT_SENT);
    assert_int_equal(res[0].code, S7P_E_NOT_SENT);

    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_pdu req, back, resp;
    assert_int_equal(s7p_rw_build(&p, 0, &s, &a, &req, &f), S7P_OK);
    decode_back(&req, &a, &back);
    assert_int_equal(back.function, S7P_FC_SET_MULTI_VARIABLES);
    assert_int_equal(back.req.set_multi.item_count, 2);
    assert_int_equal(back.req.set_multi.addresses[1].lids[0], 3);
    const s7p_value *w1 = s7p_idlist_find(&back.req.set_multi.values, 1);
    const s7p_value *w2 = s7p_idlist_find(&back.req.set_multi.values, 2);
    assert_non_null(w1);
    assert_non_null(w2);
    assert_int_equal(w1->type, S7P_DT_INT);
    assert_int_equal(w1->v.i, 11);
    assert_int_equal(w2->v.i, -3);

    s7p_pdu_init_response(&resp, &req, 0);
    add_error(&resp.resp.set_multi.errors, &a, 2, -17);
    assert_int_equal(s7p_rw_take(&p, 0, &resp, &f), S7P_OK);
    assert_int_equal(res[0].code, S7P_OK);
    assert_int_equal(res[2].code, S7P_E_PROGRAM_CHANGED);  /* InvalidCRC */
    assert_int_equal(res[2].plc_code, -17);
    s7p_rw_plan_free(&p);
    s7p_arena_release(&a);
}

/* ---- CPU info ---- */

static void test_info_reads(void **state)
{
    (void)state;
    assert_int_equal(s7p_info_read_at(0).object_id, S7P_ID_AS_ROOT);
    assert_int_equal(s7p_info_read_at(0).attr, S7P_ATTR_AS_ROOT_ES_VERSION);
    assert_int_equal(s7p_info_read_at(2).object_id, S7P_ID_CPU_PROXY);
    assert_int_equal(s7p_info_read_at(3).object_id, S7P_ID_RELEASE_MNGMT_ROOT);
    s7p_cpu_info out;
    memset(&out, 0, sizeof out);
    s7p_fail f = {0}, none = {0};

    static const uint8_t ver[4] = {18, 0, 2, 1};
    s7p_value v;
    memset(&v, 0, sizeof v);
    v.flags = S7P_VF_ARRAY;
    v.type = S7P_DT_USINT;
    v.count = 4;
    v.v.s.p = ver;
    v.v.s.n = 4;
    assert_int_equal(s7p_info_take(0, S7P_OK, &v, &none, &out, &f), S7P_OK);
    assert_string_equal(out.tia_version, "V18.0.2.1");

    memset(&v, 0, sizeof v);
    v.type = S7P_DT_WSTRING;
    v.v.s.p = (const uint8_t *)"PLC_1";
    v.v.s.n = 5;
    assert_int_equal(s7p_info_take(1, S7P_OK, &v, &none, &out, &f), S7P_OK);
    assert_string_equal(out.plc_name, "PLC_1");

    /* A short I&M0 record is a protocol error. */
    uint8_t im0[S7P_IM0_MIN_LEN] = {0};
    s7p_blob blob;
    memset(&blob, 0, sizeof blob);
    blob.data.p = im0;
    blob.data.n = sizeof im0 - 1;
    memset(&v, 0, sizeof v);
    v.type = S7P_DT_BLOB;
    v.v.blob = &blob;
    assert_int_equal(s7p_info_take(2, S7P_OK, &v, &none, &out, &f), S7P_E_PROTOCOL);
    assert_string_equal(f.msg, "I&M0 record missing or too short");
    memset(&f, 0, sizeof f);
    memcpy(im0 + S7P_IM0_ORDER_OFF, "6ES7 511-1AK02-0AB0", S7P_IM0_ORDER_LEN);
    im0[S7P_IM0_FW_OFF] = 'V';
    im0[S7P_IM0_FW_OFF + 1] = 2;
    im0[S7P_IM0_FW_OFF + 2] = 9;
    im0[S7P_IM0_FW_OFF + 3] = 4;
    blob.data.n = sizeof im0;
    assert_int_equal(s7p_info_take(2, S7P_OK, &v, &none, &out, &f), S7P_OK);
    assert_string_equal(out.order_number, "6ES7 511-1AK02-0AB0");
    assert_string_equal(out.firmware, "V2.9.4");

    /* The project texts refused: no error, nothing copied into f. Other failures are. */
    s7p_fail refused = {.code = S7P_E_PLC, .msg = "read attribute: PLC refused: code -5"};
    assert_int_equal(s7p_info_take(3, S7P_E_PLC, NULL, &refused, &out, &f), S7P_OK);
    assert_int_equal(f.code, S7P_OK);
    assert_int_equal(s7p_info_take(1, S7P_E_PLC, NULL, &refused, &out, &f), S7P_E_PLC);
    assert_string_equal(f.msg, refused.msg);
    s7p_fail lost = {.code = S7P_E_TIMEOUT, .msg = "timed out"};
    memset(&f, 0, sizeof f);
    assert_int_equal(s7p_info_take(3, S7P_E_TIMEOUT, NULL, &lost, &out, &f), S7P_E_TIMEOUT);
    assert_string_equal(f.msg, "timed out");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_plan_build_take),
        cmocka_unit_test(test_read_take_unnamed_item),
        cmocka_unit_test(test_read_take_repeated_id),
        cmocka_unit_test(test_read_plan_cuts),
        cmocka_unit_test(test_read_plan_checks_and_sizes),
        cmocka_unit_test(test_write_plan_build_take),
        cmocka_unit_test(test_info_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

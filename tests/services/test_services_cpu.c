/* SPDX-License-Identifier: MIT */
/* The I/O-free parts of CPU culture info, communication resources and operating state
 * (src/services/cpu.c, lcid_table.c, session/limits.c): the LCID table, the state mapping,
 * and hand-built answers taken, all without a network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/ids.h"
#include "services/cpu.h"

/* ---- the LCID table ---- */

static void test_lcid_names(void **state)
{
    (void)state;
    static const struct {
        uint16_t lcid;
        const char *name;
    } known[] = {
        {1033, "en-US"}, {1031, "de-DE"}, {2057, "en-GB"}, {1036, "fr-FR"}, {1040, "it-IT"},
        {3082, "es-ES"}, {1034, "es-ES_tradnl"}, {1043, "nl-NL"}, {1045, "pl-PL"},
        {1049, "ru-RU"}, {1053, "sv-SE"}, {1029, "cs-CZ"}, {1038, "hu-HU"}, {1055, "tr-TR"},
        {1046, "pt-BR"}, {2070, "pt-PT"}, {2052, "zh-CN"}, {1028, "zh-TW"}, {1041, "ja-JP"},
        {1042, "ko-KR"}, {0x0001, "ar"}, {0x0004, "zh-Hans"}, {0x7C04, "zh-Hant"},
        {0x0009, "en"}, {0x241A, "sr-Latn-RS"}, {0x0803, "ca-ES-valencia"},
        {0x0C04, "zh-HK"}, {0x2409, "en-029"}, {0xE40C, "fr-015"}, {0x0807, "de-CH"},
        {0x0C07, "de-AT"}, {0x1009, "en-CA"}, {0x0C0C, "fr-CA"}, {0x046B, "quz-BO"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const char *got = s7p_lcid_name(known[i].lcid);
        assert_non_null(got);
        assert_string_equal(got, known[i].name);
    }
    /* Not languages: 0, the invariant culture, transient and custom LCIDs, unassigned. */
    static const uint16_t unknown[] = {0, 0x007F, 0x0400, 0x0800, 0x1000, 0x2000, 9999, 0xFFFF};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_null(s7p_lcid_name(unknown[i]));
}

/* Every LCID is asked: a table out of order would hide some entries from the binary search,
 * and the count would drop; every name is a culture name (letters, digits, '-' and '_'). */
static void test_lcid_table_complete(void **state)
{
    (void)state;
    unsigned found = 0, neutral = 0;
    for (uint32_t l = 0; l <= 0xFFFF; l++) {
        const char *n = s7p_lcid_name((uint16_t)l);
        if (!n) continue;
        found++;
        assert_true(strlen(n) >= 2 && strlen(n) < 16);
        for (const char *p = n; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                        (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
        if (!strchr(n, '-')) neutral++;
    }
    assert_int_equal(found, 432);
    assert_true(neutral > 100);  /* the neutral languages are there too */
}

/* ---- operating state ---- */

static void test_state_mapping(void **state)
{
    (void)state;
    static const struct {
        int64_t raw;
        s7p_cpu_state st;
    } map[] = {
        {0, S7P_CPU_NOT_SUPPORTED}, {1, S7P_CPU_STOP}, {3, S7P_CPU_STOP}, {4, S7P_CPU_STOP},
        {17, S7P_CPU_STOP}, {33, S7P_CPU_STOP}, {5, S7P_CPU_RUN}, {8, S7P_CPU_RUN},
        {9, S7P_CPU_RUN}, {18, S7P_CPU_RUN}, {20, S7P_CPU_RUN}, {37, S7P_CPU_RUN},
        {40, S7P_CPU_RUN}, {6, S7P_CPU_STARTUP}, {35, S7P_CPU_STARTUP}, {38, S7P_CPU_STARTUP},
        {10, S7P_CPU_HOLD}, {34, S7P_CPU_HOLD}, {13, S7P_CPU_DEFECTIVE}, {2, S7P_CPU_UNKNOWN},
        {7, S7P_CPU_UNKNOWN}, {-1, S7P_CPU_UNKNOWN}, {1000, S7P_CPU_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        assert_int_equal(s7p_cpu_state_of(map[i].raw), map[i].st);
    assert_string_equal(s7p_cpu_state_name(S7P_CPU_RUN), "run");
    assert_string_equal(s7p_cpu_state_name(S7P_CPU_STOP), "stop");
    assert_string_equal(s7p_cpu_state_name(S7P_CPU_STARTUP), "startup");
    assert_string_equal(s7p_cpu_state_name(S7P_CPU_HOLD), "hold");
    assert_string_equal(s7p_cpu_state_name(S7P_CPU_DEFECTIVE), "defective");
    assert_string_equal(s7p_cpu_state_name(S7P_CPU_NOT_SUPPORTED), "not supported");
    assert_string_equal(s7p_cpu_state_name(S7P_CPU_UNKNOWN), "unknown");
    assert_string_equal(s7p_cpu_state_name((s7p_cpu_state)99), "unknown");
}

static void test_state_take(void **state)
{
    (void)state;
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_cpu_state_info out;

    /* The DIS struct with its OperatingState member (as an S7-1500 answers 2237). */
    s7p_struct *st = s7p_arena_alloc(&a, sizeof *st);
    memset(st, 0, sizeof *st);
    s7p_value *m = s7p_idlist_add(&st->members, &a, 3480);
    m->type = S7P_DT_UDINT;
    m->v.u = 77;
    m = s7p_idlist_add(&st->members, &a, S7P_ATTR_DIS_OPERATING_STATE);
    m->type = S7P_DT_USINT;
    m->v.u = 8;
    s7p_value v = {.type = S7P_DT_STRUCT, .v.st = st};
    memset(&out, 0, sizeof out);
    assert_true(s7p_cpu_state_take(&v, S7P_ATTR_DIS_OPERATING_STATE, &out));
    assert_int_equal(out.state, S7P_CPU_RUN);
    assert_int_equal(out.raw, 8);
    assert_int_equal(out.source, 3486);

    /* The member alone (TIA's path form) and the fallback attribute: any integer. */
    s7p_value n = {.type = S7P_DT_DINT, .v.i = 4};
    assert_true(s7p_cpu_state_take(&n, S7P_ATTR_DIS_OPERATING_STATE, &out));
    assert_int_equal(out.state, S7P_CPU_STOP);
    n.type = S7P_DT_UINT;
    n.v.u = 6;
    assert_true(s7p_cpu_state_take(&n, S7P_ATTR_CPU_STATE_FALLBACK, &out));
    assert_int_equal(out.state, S7P_CPU_STARTUP);
    assert_int_equal(out.source, 3451);

    /* No state: a struct without the member, a text, an array. */
    s7p_struct *empty = s7p_arena_alloc(&a, sizeof *empty);
    memset(empty, 0, sizeof *empty);
    s7p_value e = {.type = S7P_DT_STRUCT, .v.st = empty};
    assert_false(s7p_cpu_state_take(&e, S7P_ATTR_DIS_OPERATING_STATE, &out));
    s7p_value txt = {.type = S7P_DT_WSTRING};
    assert_false(s7p_cpu_state_take(&txt, S7P_ATTR_CPU_STATE_FALLBACK, &out));
    s7p_value arr = {.flags = S7P_VF_ARRAY, .type = S7P_DT_DINT};
    assert_false(s7p_cpu_state_take(&arr, S7P_ATTR_DIS_OPERATING_STATE, &out));
    s7p_arena_release(&a);
}

/* ---- answers through the real encoder and decoder ---- */

static void decode_back(const s7p_pdu *p, s7p_arena *a, s7p_pdu *out)
{
    static uint8_t buf[65536];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_pdu_encode(&w, p));
    assert_int_equal(s7p_pdu_decode(buf, w.len, S7P_PROTO_V2, a, out), S7P_OK);
}

static void explore_request(s7p_pdu *req, s7p_arena *a)
{
    static uint32_t attr = S7P_ATTR_TEXT_CONTAINER_LCIDS;
    s7p_explore_block *blk = s7p_arena_alloc(a, sizeof *blk);
    memset(blk, 0, sizeof *blk);
    blk->address_count = 1;
    blk->addresses = &attr;
    s7p_pdu_init_request(req, S7P_PROTO_V2, S7P_FC_EXPLORE, 5, 0x3A0, S7P_TF_REQUEST);
    req->req.explore.explore_id = S7P_ID_TEXT_CONTAINER;
    req->req.explore.blocks = blk;
    req->req.explore.nblocks = 1;
}

/* An Explore answer: a parent object holding the text container (found by its class) with
 * the LCIDs as `lcids` (n of them; n 1 and one: a scalar UInt). */
static void culture_answer(s7p_arena *a, const uint16_t *lcids, uint32_t n, bool array,
                           uint8_t type, s7p_pdu *got)
{
    s7p_pdu req, resp;
    explore_request(&req, a);
    s7p_pdu_init_response(&resp, &req, 0);
    s7p_object *parent = s7p_object_new(a, 0x12345, 99);
    s7p_object *tc = s7p_object_new(a, 0x777, S7P_CLASS_TEXT_CONTAINER);
    assert_true(s7p_object_add_child(parent, a, tc));
    s7p_value *v = s7p_object_add_attr(tc, a, S7P_ATTR_TEXT_CONTAINER_LCIDS);
    v->type = type;
    if (array) {
        s7p_scalar *e = s7p_arena_array(a, n, sizeof *e);
        for (uint32_t i = 0; i < n; i++) e[i].u = lcids[i];
        v->flags = S7P_VF_ARRAY;
        v->count = n;
        v->elems = e;
    } else {
        v->v.u = lcids[0];
    }
    s7p_object **items = s7p_arena_array(a, 1, sizeof *items);
    items[0] = parent;
    resp.resp.explore.explore_id = S7P_ID_TEXT_CONTAINER;
    resp.resp.explore.objects.items = items;
    resp.resp.explore.objects.n = 1;
    decode_back(&resp, a, got);
}

static void test_culture_take(void **state)
{
    (void)state;
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_pdu got;
    s7p_cpu_culture_info ci;
    s7p_fail f = {0};

    static const uint16_t three[3] = {1031, 9999, 1033};
    culture_answer(&a, three, 3, true, S7P_DT_UINT, &got);
    assert_int_equal(s7p_culture_take(&got, &ci, &f), S7P_OK);
    assert_int_equal(ci.count, 3);
    assert_int_equal(ci.reported, 3);
    assert_int_equal(ci.languages[0].lcid, 1031);
    assert_string_equal(ci.languages[0].name, "de-DE");
    assert_int_equal(ci.languages[1].lcid, 9999);
    assert_null(ci.languages[1].name);
    assert_string_equal(ci.languages[2].name, "en-US");

    /* One UInt alone is a list of one. */
    culture_answer(&a, three + 2, 1, false, S7P_DT_UINT, &got);
    assert_int_equal(s7p_culture_take(&got, &ci, &f), S7P_OK);
    assert_int_equal(ci.count, 1);
    assert_string_equal(ci.languages[0].name, "en-US");

    /* More than the struct holds: the first S7P_MAX_LANGUAGES kept, all counted. */
    uint16_t many[S7P_MAX_LANGUAGES + 3];
    for (unsigned i = 0; i < S7P_MAX_LANGUAGES + 3; i++) many[i] = (uint16_t)(1025 + i);
    culture_answer(&a, many, S7P_MAX_LANGUAGES + 3, true, S7P_DT_UINT, &got);
    assert_int_equal(s7p_culture_take(&got, &ci, &f), S7P_OK);
    assert_int_equal(ci.count, S7P_MAX_LANGUAGES);
    assert_int_equal(ci.reported, S7P_MAX_LANGUAGES + 3);
    assert_int_equal(ci.languages[S7P_MAX_LANGUAGES - 1].lcid, 1025 + S7P_MAX_LANGUAGES - 1);

    /* Another type is no language list: a protocol error. */
    culture_answer(&a, three, 3, true, S7P_DT_UDINT, &got);
    assert_int_equal(s7p_culture_take(&got, &ci, &f), S7P_E_PROTOCOL);
    assert_string_equal(f.msg, "culture info: answer without a language list");

    /* The PLC refused the Explore. */
    s7p_pdu req, resp;
    explore_request(&req, &a);
    s7p_pdu_init_response(&resp, &req, (uint16_t)-12);
    memset(&f, 0, sizeof f);
    assert_int_equal(s7p_culture_take(&resp, &ci, &f), S7P_E_PLC);
    assert_int_equal(s7p_ret_code(f.plc_return), -12);
    s7p_arena_release(&a);
}

/* The two limit requests as sent, and answers with an item error and a wrong type: those
 * keep the defaults and are not marked reported. */
static void test_resources_take(void **state)
{
    (void)state;
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_session s;
    memset(&s, 0, sizeof s);
    s7p_pdu req, back, resp, got;
    assert_true(s7p_engine_limits_request(&s.eng, &req, S7P_ID_SYSTEM_LIMITS, s7p_limits_max_lids,
                                          S7P_LIMITS_MAX_N, &a));
    decode_back(&req, &a, &back);
    assert_int_equal(back.function, S7P_FC_GET_MULTI_VARIABLES);
    assert_int_equal(back.req.get_multi.item_count, 5);
    static const uint32_t want[5] = {1000, 1001, 0, 1, 2};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(back.req.get_multi.addresses[i].area, 201);
        assert_int_equal(back.req.get_multi.addresses[i].sub_area, 1037);
        assert_int_equal(back.req.get_multi.addresses[i].nlids, 1);
        assert_int_equal(back.req.get_multi.addresses[i].lids[0], want[i]);
    }

    s7p_comm_resources r;
    s7p_resources_defaults(&r);
    s7p_pdu_init_response(&resp, &req, 0);
    static const int32_t vals[5] = {7, 5, 12, 300, 4096};
    for (uint32_t i = 0; i < 5; i++) {
        if (i == 1) continue;  /* item 2: an error instead */
        s7p_value *v = s7p_idlist_add(&resp.resp.get_multi.values, &a, i + 1);
        v->type = i == 3 ? S7P_DT_UDINT : S7P_DT_DINT;  /* item 4: not a DInt */
        if (i == 3) v->v.u = (uint32_t)vals[i];
        else v->v.i = vals[i];
    }
    s7p_item_error *e = s7p_arena_alloc(&a, sizeof *e);
    e->item = 2;
    e->ret = (uint16_t)-255;
    resp.resp.get_multi.errors.items = e;
    resp.resp.get_multi.errors.n = 1;
    decode_back(&resp, &a, &got);
    s7p_resources_take(&got, false, &r);
    assert_int_equal(r.tags_per_read_max, 7);
    assert_int_equal(r.tags_per_write_max, 20);  /* default */
    assert_int_equal(r.subscriptions_max, 12);
    assert_int_equal(r.attributes_max, 0);       /* default */
    assert_int_equal(r.subscription_memory_max, 4096);
    assert_int_equal(r.reported, S7P_RES_TAGS_PER_READ | S7P_RES_SUBSCRIPTIONS_MAX |
                                     S7P_RES_SUBSCRIPTION_MEMORY_MAX);

    /* The free values: their own sub-area, bits above the maximums'. */
    assert_true(s7p_engine_limits_request(&s.eng, &req, S7P_ID_FREE_ITEMS, s7p_limits_free_lids,
                                          S7P_LIMITS_FREE_N, &a));
    decode_back(&req, &a, &back);
    assert_int_equal(back.req.get_multi.item_count, 3);
    assert_int_equal(back.req.get_multi.addresses[2].sub_area, 1081);
    assert_int_equal(back.req.get_multi.addresses[2].lids[0], 2);
    s7p_pdu_init_response(&resp, &req, 0);
    s7p_value *v = s7p_idlist_add(&resp.resp.get_multi.values, &a, 1);
    v->type = S7P_DT_DINT;
    v->v.i = 9;
    decode_back(&resp, &a, &got);
    s7p_resources_take(&got, true, &r);
    assert_int_equal(r.subscriptions_free, 9);
    assert_int_equal(r.attributes_free, 0);
    assert_true(r.reported & S7P_RES_SUBSCRIPTIONS_FREE);
    assert_false(r.reported & S7P_RES_ATTRIBUTES_FREE);
    s7p_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lcid_names),     cmocka_unit_test(test_lcid_table_complete),
        cmocka_unit_test(test_state_mapping),  cmocka_unit_test(test_state_take),
        cmocka_unit_test(test_culture_take),   cmocka_unit_test(test_resources_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

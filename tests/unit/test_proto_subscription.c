/* SPDX-License-Identifier: MIT */
/* Subscription codec (src/proto/subscription.c): the class-1001 object of a real WinCC
 * create, built back byte for byte; the reference list (AID 1048) round trip in its create
 * and modify forms; the credit-limit SetVariable (flags 0x74) and a real PLC's answer to it;
 * hostile lists and objects. */
#include "codec_test.h"
#include "proto/pdu.h"
#include "proto/subscription.h"

/* V13 capture (WinCC -> S7-1200 FW V2.2), frame 32: CreateObject of a subscription under the
 * session's container 0x3AF, data part without the frame header and trailer. */
static const char create_hex[] =
    "31000004ca000000040000039834000003af00040000000000"
    "a17fffc00187690000a38169001517537562736372697074696f6e5f32313437343637323635"
    "a3883a000200a3876a00030000a3876b000900a38810000205a38811000101"
    "a388182004118880848000000288809080028fffffff7e00528ae28fb7009d1809"
    "88809080028fffffff7f00528a8ee5ef369d180a"
    "a3881900048768a3881a000400a3881b000200a3881c000200a3881d00070003a3881e0003ffffa2"
    "00000000";
/* Frame 43: SetVariable(1053) = Int 6 on subscription 0x1000006A, flags 0x74. */
static const char credit_req_hex[] =
    "31000004f20000000500000398741000006a01881d00070006"
    "000004e88969001200000000896a001300896b00040000 00 00000000";
/* Frame 44: the PLC answers it anyway (opcode 0x02). */
static const char credit_resp_hex[] = "02000004f20000000574000000000000000000000000";

static s7p_pdu *decode_hex(s7p_arena *a, const char *hex, bytes *x)
{
    x->n = 0;
    put_hex(x, hex);
    s7p_pdu *p = s7p_arena_alloc(a, sizeof *p);
    assert_non_null(p);
    assert_int_equal(s7p_pdu_decode(x->b, x->n, S7P_PROTO_V2, a, p), S7P_OK);
    return p;
}

static s7p_bytes encode_object(s7p_arena *a, const s7p_object *o)
{
    s7p_wr c = s7p_wr_counter();
    assert_true(s7p_object_encode(&c, o));
    uint8_t *buf = s7p_arena_alloc(a, c.len);
    s7p_wr w = s7p_wr_init(buf, c.len);
    assert_true(s7p_object_encode(&w, o));
    assert_int_equal(w.len, c.len);
    s7p_bytes b = {buf, w.len};
    return b;
}

static void test_capture_create_parses_and_rebuilds(void **state)
{
    s7p_arena *a = *state;
    bytes x;
    s7p_pdu *p = decode_hex(a, create_hex, &x);
    assert_int_equal(p->req.create_object.request_id, 0x3AF);
    assert_int_equal(p->req.create_object.objects.n, 1);
    const s7p_object *o = p->req.create_object.objects.items[0];
    s7p_sub_params sp;
    assert_int_equal(s7p_sub_object_parse(o, a, &sp), S7P_OK);
    assert_int_equal(sp.rel_id, S7P_SUB_FIRST_RID);
    assert_int_equal(sp.function_class, S7P_SUB_FC_VARIABLES);
    assert_int_equal(sp.route_mode, 5);
    assert_int_equal(sp.cycle_ms, 1000);
    assert_int_equal(sp.credit_limit, 3);
    assert_true(sp.refs.create);
    assert_int_equal(sp.refs.change_counter, 1);
    assert_int_equal(sp.refs.n_unsubscribe, 0);
    assert_int_equal(sp.refs.n_items, 2);
    const s7p_sub_item *it = sp.refs.items;
    assert_int_equal(it[0].ref, 0xFFFFFFFEu);
    assert_int_equal(it[1].ref, 0xFFFFFFFFu);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(it[i].area, 0x52);        /* M area */
        assert_int_equal(it[i].sub_area, 3736);    /* ControllerArea.ValueActual */
        assert_int_equal(it[i].n_lids, 1);
        assert_int_equal(it[i].lids[0], 9u + (unsigned)i);
    }
    assert_int_not_equal(it[0].crc, 0);           /* symbol CRCs of MW100 / MW102 */
    assert_int_not_equal(it[0].crc, it[1].crc);
    /* Built again from what was parsed: the same bytes WinCC sent. */
    s7p_object *built;
    assert_true(s7p_sub_object_build(a, &sp, &built));
    s7p_bytes want = encode_object(a, o);
    s7p_bytes got = encode_object(a, built);
    assert_int_equal(got.n, want.n);
    assert_memory_equal(got.p, want.p, want.n);
}

static void check_refs_roundtrip(s7p_arena *a, const s7p_sub_refs *r)
{
    s7p_value v;
    assert_true(s7p_sub_refs_to_value(r, a, &v));
    assert_int_equal(v.flags, S7P_VF_ADDRESS_ARRAY);
    assert_int_equal(v.type, S7P_DT_UDINT);
    /* Through the wire: PValue encode and decode. */
    s7p_wr c = s7p_wr_counter();
    assert_true(s7p_value_encode(&c, &v));
    uint8_t *buf = s7p_arena_alloc(a, c.len);
    s7p_wr w = s7p_wr_init(buf, c.len);
    assert_true(s7p_value_encode(&w, &v));
    s7p_rd rd = s7p_rd_init(buf, w.len);
    s7p_value d;
    assert_true(s7p_value_decode(&rd, a, &d));
    assert_int_equal(s7p_rd_left(&rd), 0);
    s7p_sub_refs back;
    assert_int_equal(s7p_sub_refs_from_value(&d, a, &back), S7P_OK);
    assert_int_equal(back.create, r->create);
    assert_int_equal(back.change_counter, r->change_counter);
    assert_int_equal(back.n_unsubscribe, r->n_unsubscribe);
    for (size_t i = 0; i < r->n_unsubscribe; i++)
        assert_int_equal(back.unsubscribe[i], r->unsubscribe[i]);
    assert_int_equal(back.n_items, r->n_items);
    for (size_t i = 0; i < r->n_items; i++) {
        const s7p_sub_item *x = &r->items[i], *y = &back.items[i];
        assert_int_equal(y->ref, x->ref);
        assert_int_equal(y->area, x->area);
        assert_int_equal(y->crc, x->crc);
        assert_int_equal(y->sub_area, x->sub_area);
        assert_int_equal(y->n_lids, x->n_lids);
        for (size_t j = 0; j < x->n_lids; j++) assert_int_equal(y->lids[j], x->lids[j]);
    }
}

static void test_refs_roundtrip_create_and_modify(void **state)
{
    s7p_arena *a = *state;
    static const uint32_t l1[] = {0xA, 0x1, 0x7}, l2[] = {0xFFFFFFFFu};
    const s7p_sub_item items[] = {
        {1, 0x8A0E0001u, 0x12345678u, 2550, l1, 3},
        {2, 0x52, 0, 3736, l2, 1},
        {0xFFFFFFFFu, 0x8A0E0002u, 0, 2550, NULL, 0},
    };
    s7p_sub_refs create = {true, 1, NULL, 0, items, 3};
    check_refs_roundtrip(a, &create);
    static const uint32_t gone[] = {1, 0xFFFFFFFFu};
    s7p_sub_refs modify = {false, 2, gone, 2, items + 1, 1};
    check_refs_roundtrip(a, &modify);
    s7p_sub_refs empty = {true, 1, NULL, 0, NULL, 0};  /* the alarm subscription's list */
    check_refs_roundtrip(a, &empty);
    s7p_value v;
    assert_true(s7p_sub_refs_to_value(&empty, a, &v));
    assert_int_equal(v.count, 3);
    assert_int_equal(v.elems[0].u, 0x80010000u);
    /* The modify header: bit 31 clear, counter 2 (as the dissector shows 0x00020000). */
    assert_true(s7p_sub_refs_to_value(&modify, a, &v));
    assert_int_equal(v.elems[0].u, 0x00020000u);
    assert_int_equal(v.elems[1].u, 2);
    assert_int_equal(v.elems[4].u, 1);
    assert_int_equal(v.elems[5].u, 0x80040002u);
}

/* A UDInt address array of the n given elements. */
static s7p_value udints(s7p_arena *a, const uint32_t *e, uint32_t n)
{
    s7p_value v = {0};
    v.flags = S7P_VF_ADDRESS_ARRAY;
    v.type = S7P_DT_UDINT;
    v.count = n;
    v.elems = n ? s7p_arena_array(a, n, sizeof *v.elems) : NULL;
    for (uint32_t i = 0; i < n; i++) v.elems[i].u = e[i];
    return v;
}

static s7p_status refs_status(s7p_arena *a, const uint32_t *e, uint32_t n)
{
    s7p_value v = udints(a, e, n);
    s7p_sub_refs r;
    return s7p_sub_refs_from_value(&v, a, &r);
}

static void test_refs_hostile(void **state)
{
    s7p_arena *a = *state;
    static const uint32_t good[] = {0x80010000u, 1, 7, 1, 0x80040002u, 5, 0, 0x52, 0, 3736, 9};
    const uint32_t n = (uint32_t)(sizeof good / sizeof good[0]);
    assert_int_equal(refs_status(a, good, n), S7P_OK);
    for (uint32_t k = 0; k < n; k++)      /* every cut-short list */
        assert_int_equal(refs_status(a, good, k), S7P_E_PROTOCOL);
    uint32_t e[16];
    memcpy(e, good, sizeof good);
    e[n] = 0;                              /* one element too many */
    assert_int_equal(refs_status(a, e, n + 1), S7P_E_PROTOCOL);
    static const struct { uint32_t at, val; } bad[] = {
        {0, 0x80010001u},  /* unknown header bits */
        {0, 0x01010000u},
        {1, 0xFFFFFFFFu},  /* unsubscribe count far beyond the list */
        {3, 0x7FFFFFFFu},  /* item count far beyond the list */
        {3, 2},            /* one more item than there are elements */
        {4, 0x80050002u},  /* item head */
        {4, 0x80040000u},  /* no sub-area */
        {4, 0x80040003u},  /* more LIDs than elements */
        {4, 0x8004FFFFu},  /* more LIDs than the limit */
        {6, 1},            /* the zero field */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(e, good, sizeof good);
        e[bad[i].at] = bad[i].val;
        assert_int_equal(refs_status(a, e, n), S7P_E_PROTOCOL);
    }
    /* Not an address array of UDInt: a plain array, a scalar, another type. */
    s7p_value v = udints(a, good, n);
    s7p_sub_refs r;
    v.flags = S7P_VF_ARRAY;
    assert_int_equal(s7p_sub_refs_from_value(&v, a, &r), S7P_E_PROTOCOL);
    v.flags = 0;
    assert_int_equal(s7p_sub_refs_from_value(&v, a, &r), S7P_E_PROTOCOL);
    v = udints(a, good, n);
    v.type = S7P_DT_DWORD;
    assert_int_equal(s7p_sub_refs_from_value(&v, a, &r), S7P_E_PROTOCOL);
    /* An element above 32 bits (a decoder never gives one, a caller might). */
    v = udints(a, good, n);
    v.elems[9].u = 0x100000000ull;
    assert_int_equal(s7p_sub_refs_from_value(&v, a, &r), S7P_E_PROTOCOL);
    /* Out of memory while parsing: S7P_E_NOMEM, not a crash or a protocol error. */
    s7p_arena tiny;
    s7p_arena_init(&tiny, 8);
    v = udints(a, good, n);
    assert_int_equal(s7p_sub_refs_from_value(&v, &tiny, &r), S7P_E_NOMEM);
    s7p_arena_release(&tiny);
}

static void test_object_hostile(void **state)
{
    s7p_arena *a = *state;
    static const uint32_t lids[S7P_SUB_MAX_LIDS + 1] = {0};
    s7p_sub_item it = {1, 0x52, 0, 3736, lids, 1};
    s7p_sub_params p = {S7P_SUB_FIRST_RID, 0, S7P_SUB_ROUTE_CYCLIC_AND_CHANGED, 100, -1,
                        {true, 1, NULL, 0, &it, 1}, {false, NULL, 0}};
    s7p_object *o;
    assert_true(s7p_sub_object_build(a, &p, &o));
    s7p_sub_params back;
    assert_int_equal(s7p_sub_object_parse(o, a, &back), S7P_OK);
    assert_int_equal(back.credit_limit, -1);
    assert_int_equal(back.route_mode, 0x14);
    assert_int_equal(back.cycle_ms, 100);
    /* Wrong class. */
    o->class_id = 1002;
    assert_int_equal(s7p_sub_object_parse(o, a, &back), S7P_E_PROTOCOL);
    o->class_id = S7P_ID_CLASS_SUBSCRIPTION;
    /* A mandatory attribute of the wrong type, out of range, or missing. */
    static const uint32_t mandatory[] = {1040, 1048, 1049, 1053};
    for (size_t i = 0; i < 4; i++) {
        s7p_value *v = (s7p_value *)s7p_object_attr(o, mandatory[i]);
        s7p_value keep = *v;
        v->type = S7P_DT_WSTRING;
        assert_int_equal(s7p_sub_object_parse(o, a, &back), S7P_E_PROTOCOL);
        *v = keep;
    }
    s7p_value *credit = (s7p_value *)s7p_object_attr(o, 1053);
    credit->v.i = 40000;
    assert_int_equal(s7p_sub_object_parse(o, a, &back), S7P_E_PROTOCOL);
    credit->v.i = 5;
    s7p_obj_elem *e = o->first;
    while (e && !(e->tag == S7P_EL_ATTRIBUTE && e->u.attr.id == 1048)) e = e->next;
    assert_non_null(e);
    e->u.attr.id = 4711;
    assert_int_equal(s7p_sub_object_parse(o, a, &back), S7P_E_PROTOCOL);
    /* Builder limits: too many LIDs, NULL arrays with a count. */
    it.n_lids = S7P_SUB_MAX_LIDS + 1;
    assert_false(s7p_sub_object_build(a, &p, &o));
    it.n_lids = 1;
    it.lids = NULL;
    assert_false(s7p_sub_object_build(a, &p, &o));
}

static void test_credit_setvariable_vectors(void **state)
{
    s7p_arena *a = *state;
    bytes x;
    s7p_pdu *p = decode_hex(a, credit_req_hex, &x);
    assert_int_equal(p->function, S7P_FC_SET_VARIABLE);
    assert_int_equal(p->transport_flags, 0x74);
    assert_int_equal(p->req.set_variable.object_id, 0x1000006Au);
    assert_int_equal(p->req.set_variable.address_count, 1);
    assert_int_equal(p->req.set_variable.addresses[0], S7P_ID_SUBSCRIPTION_CREDIT_LIMIT);
    assert_int_equal(p->req.set_variable.value.type, S7P_DT_INT);
    assert_int_equal(p->req.set_variable.value.v.i, 6);
    /* The answer a real PLC gives to it: opcode 0x02, flags 0x74, return 0, integrity id 0,
     * ten zero bytes. Built as the simulator builds it, it must be those very bytes. */
    bytes y;
    s7p_pdu *resp = decode_hex(a, credit_resp_hex, &y);
    assert_int_equal(resp->opcode, S7P_OP_RESPONSE2);
    s7p_pdu mine;
    s7p_pdu_init_response(&mine, p, 0);
    mine.opcode = S7P_OP_RESPONSE2;
    mine.has_iid = true;
    mine.iid = 0;
    mine.fill_len = 10;
    uint8_t buf[64];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_pdu_encode(&w, &mine));
    assert_int_equal(w.len, y.n);
    assert_memory_equal(buf, y.b, y.n);
}

/* The alarm subscription (services spec §2.1): class 1001 with function class 2, route mode
 * 2, cycle 0, the empty reference list, and the class-2662 child with the language filter,
 * encoded, decoded and read back; a tag subscription has no child. */
static const s7p_object *child_of(const s7p_object *o)
{
    for (const s7p_obj_elem *e = o->first; e; e = e->next)
        if (e->tag == S7P_EL_START_OBJECT) return e->u.child;
    return NULL;
}

static void test_alarm_subscription_object(void **state)
{
    s7p_arena *a = *state;
    static const uint32_t lcids[] = {1033, 1031};
    s7p_sub_params p = {.rel_id = S7P_SUB_FIRST_RID + 1, .function_class = S7P_SUB_FC_ALARMS,
                        .route_mode = S7P_SUB_ROUTE_ALARM, .credit_limit = 10,
                        .refs = {.create = true, .change_counter = 1},
                        .alarm = {true, lcids, 2}};
    s7p_object *o;
    assert_true(s7p_sub_object_build(a, &p, &o));
    /* Through the wire and back. */
    s7p_bytes enc = encode_object(a, o);
    s7p_rd r = s7p_rd_init(enc.p, enc.n);
    s7p_object *d;
    assert_true(s7p_object_decode(&r, a, &d));
    assert_int_equal(s7p_rd_left(&r), 0);
    const s7p_object *ref = child_of(d);
    assert_non_null(ref);
    assert_int_equal(ref->class_id, 2662);
    assert_int_equal(ref->rel_id, 211);  /* GetNewRIDOnServer */
    const s7p_value *v = s7p_object_attr(ref, 1005);
    assert_true(v && v->type == S7P_DT_USINT && v->v.u == 3);
    v = s7p_object_attr(ref, 2659);
    assert_true(v && v->flags == S7P_VF_ARRAY && v->type == S7P_DT_UINT && v->count == 10);
    v = s7p_object_attr(ref, 7731);
    assert_true(v && v->flags == S7P_VF_ADDRESS_ARRAY && v->count == 1 && v->elems[0].u == 65535);
    v = s7p_object_attr(ref, 8181);
    assert_true(v && v->flags == S7P_VF_ADDRESS_ARRAY && v->type == S7P_DT_UDINT && v->count == 2);
    v = s7p_object_attr(ref, 8173);
    assert_true(v && v->type == S7P_DT_BOOL && v->v.u == 1);
    const s7p_obj_elem *rel;
    for (rel = ref->first; rel && rel->tag != S7P_EL_RELATION; rel = rel->next) {}
    assert_non_null(rel);
    assert_int_equal(rel->u.rel.id, 2660);
    assert_int_equal(rel->u.rel.target, 8);
    s7p_sub_params back;
    assert_int_equal(s7p_sub_object_parse(d, a, &back), S7P_OK);
    assert_int_equal(back.function_class, S7P_SUB_FC_ALARMS);
    assert_int_equal(back.route_mode, 2);
    assert_int_equal(back.cycle_ms, 0);
    assert_true(back.refs.create);
    assert_int_equal(back.refs.n_items, 0);
    assert_true(back.alarm.present);
    assert_int_equal(back.alarm.n_lcids, 2);
    assert_int_equal(back.alarm.lcids[0], 1033);
    assert_int_equal(back.alarm.lcids[1], 1031);
    /* No languages: an empty list (every language). */
    p.alarm.n_lcids = 0;
    assert_true(s7p_sub_object_build(a, &p, &o));
    assert_int_equal(s7p_sub_object_parse(o, a, &back), S7P_OK);
    assert_true(back.alarm.present);
    assert_int_equal(back.alarm.n_lcids, 0);
    /* Hostile language lists. */
    s7p_value *langs = (s7p_value *)s7p_object_attr(child_of(d), 8181);
    langs->elems[1].u = 0x10000;
    assert_int_equal(s7p_sub_object_parse(d, a, &back), S7P_E_PROTOCOL);
    langs->elems[1].u = 1031;
    langs->type = S7P_DT_WSTRING;
    assert_int_equal(s7p_sub_object_parse(d, a, &back), S7P_E_PROTOCOL);
    langs->type = S7P_DT_UDINT;
    p.alarm.n_lcids = S7P_SUB_MAX_LCIDS + 1;
    assert_false(s7p_sub_object_build(a, &p, &o));
    /* A tag subscription has no child and reads back without one. */
    p.function_class = S7P_SUB_FC_VARIABLES;
    p.alarm.n_lcids = 2;
    assert_true(s7p_sub_object_build(a, &p, &o));
    assert_null(child_of(o));
    assert_int_equal(s7p_sub_object_parse(o, a, &back), S7P_OK);
    assert_false(back.alarm.present);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_capture_create_parses_and_rebuilds),
        TEST(test_refs_roundtrip_create_and_modify),
        TEST(test_refs_hostile),
        TEST(test_object_hostile),
        TEST(test_credit_setvariable_vectors),
        TEST(test_alarm_subscription_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

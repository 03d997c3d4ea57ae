/* SPDX-License-Identifier: MIT */
/* PDUs: every function's request and response body, notifications, the tail rules (integrity
 * id, old-firmware digest, V3 leading digest, zero fill), real captured data parts, and
 * cut-short input. */
#include "codec_test.h"
#include "proto/pdu.h"
#include "proto/vlq.h"

/* ---- byte builder: hex text and ASCII (bytes, put_hex, put_str: codec_test.h) ---------- */

static void put_digest(bytes *x, uint8_t seed)
{
    put_hex(x, "20");
    for (int i = 0; i < S7P_DIGEST_LEN; i++) x->b[x->n++] = (uint8_t)(seed + 7 * i);
}

/* The object qualifier every reference client sends (spec data-model §3.3). */
static const char qualifier_hex[] = "000004e8 8969 00 12 00000000 896a 00 13 00 896b 00 04 00 00";

/* ---- codec helpers ---------------------------------------------------------------------- */

static bool enc_pdu(s7p_wr *w, const void *in) { return s7p_pdu_encode(w, in); }

/* Decoded from a buffer with a version (s7p_pdu_decode), not from a cursor. */
static const codec_ops pdu_codec = {NULL, enc_pdu, 0, false};

static s7p_bytes encode_pdu(s7p_arena *a, const s7p_pdu *p)
{
    return codec_encode(&pdu_codec, a, p, false);
}

static s7p_status encode_status(const s7p_pdu *p)
{
    s7p_wr c = s7p_wr_counter();
    bool ok = s7p_pdu_encode(&c, p);
    assert_int_equal(ok, c.err == S7P_OK);
    return c.err;
}

static s7p_status decode_status(s7p_arena *a, const uint8_t *b, size_t n, uint8_t version)
{
    s7p_pdu *d = s7p_arena_alloc(a, sizeof *d);
    assert_non_null(d);
    return s7p_pdu_decode(b, n, version, a, d);
}

/* Every strict prefix either fails, or decodes to a PDU that re-encodes to exactly that
 * prefix (so never to the full PDU). Exact-size copies let ASan see over-reads. */
static void check_prefixes(const uint8_t *b, size_t n, uint8_t version)
{
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = codec_copy(b, k);
        s7p_arena a;
        s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
        s7p_pdu *d = malloc(sizeof *d);
        assert_non_null(d);
        s7p_status st = s7p_pdu_decode(copy, k, version, &a, d);
        bool same = true;
        if (st == S7P_OK) {
            uint8_t *out = malloc(n);
            assert_non_null(out);
            s7p_wr w = s7p_wr_init(out, n);
            same = s7p_pdu_encode(&w, d) && w.len == k && (k == 0 || memcmp(out, copy, k) == 0);
            free(out);
        }
        free(d);
        s7p_arena_release(&a);
        free(copy);
        if (!same) fail_msg("prefix of %zu/%zu bytes decodes to something else", k, n);
    }
}

/* Decodes a complete data part, re-encodes it byte for byte, checks cut-short copies. */
static s7p_pdu *check_data_part(s7p_arena *a, const uint8_t *b, size_t n, uint8_t version)
{
    s7p_pdu *d = s7p_arena_alloc(a, sizeof *d);
    assert_non_null(d);
    assert_int_equal(s7p_pdu_decode(b, n, version, a, d), S7P_OK);
    assert_int_equal(d->version, version);
    s7p_bytes e = encode_pdu(a, d);
    assert_int_equal(e.n, n);
    assert_memory_equal(e.p, b, n);
    check_prefixes(b, n, version);
    codec_check_short_writers(&pdu_codec, d, n, false);
    return d;
}

static s7p_pdu *check_vector(s7p_arena *a, const bytes *x, uint8_t version)
{
    return check_data_part(a, x->b, x->n, version);
}

/* A built PDU: encode, decode, re-encode identically; returns the decoded PDU. */
static s7p_pdu *check_pdu(s7p_arena *a, const s7p_pdu *p)
{
    s7p_bytes e = encode_pdu(a, p);
    s7p_pdu *d = check_data_part(a, e.p, e.n, p->version);
    assert_int_equal(d->opcode, p->opcode);
    assert_int_equal(d->function, p->function);
    assert_int_equal(d->seq, p->seq);
    assert_int_equal(d->session_id, p->session_id);
    assert_int_equal(d->transport_flags, p->transport_flags);
    assert_true(d->ret == p->ret);
    assert_int_equal(d->has_iid, p->has_iid);
    if (p->has_iid) assert_int_equal(d->iid, p->iid);
    assert_int_equal(d->has_digest, p->has_digest);
    assert_int_equal(d->fill_len, p->fill_len);
    assert_int_equal(d->qualifier.present, p->qualifier.present);
    return d;
}

/* ---- builders (v_u, v_i, v_ws, v_struct, add_member: codec_test.h) --------------------- */

static s7p_object *session_object(s7p_arena *a)
{
    s7p_object *o = s7p_object_new(a, S7P_ID_GET_NEW_RID_ON_SERVER, S7P_ID_CLASS_SERVER_SESSION);
    assert_non_null(o);
    *s7p_object_add_attr(o, a, 233) = v_ws("ServerSession_1");
    *s7p_object_add_attr(o, a, 300) = v_u(S7P_DT_RID, 0x10000020u);
    s7p_object *child = s7p_object_new(a, 211, S7P_ID_CLASS_SUBSCRIPTIONS);
    *s7p_object_add_attr(child, a, 233) = v_ws("SubscriptionContainer");
    assert_true(s7p_object_add_child(o, a, child));
    return o;
}

static s7p_object_list one_object(s7p_arena *a, s7p_object *o)
{
    s7p_object **items = s7p_arena_alloc(a, sizeof *items);
    assert_non_null(items);
    items[0] = o;
    s7p_object_list l = {items, 1};
    return l;
}

static s7p_item_address address(s7p_arena *a, uint32_t crc, uint32_t area, uint32_t sub,
                                uint32_t nlids, const uint32_t *lids)
{
    s7p_item_address ad;
    memset(&ad, 0, sizeof ad);
    ad.symbol_crc = crc;
    ad.area = area;
    ad.sub_area = sub;
    ad.nlids = nlids;
    if (nlids) {
        ad.lids = s7p_arena_array(a, nlids, sizeof *ad.lids);
        assert_non_null(ad.lids);
        memcpy(ad.lids, lids, nlids * sizeof *lids);
    }
    return ad;
}

static void set_digest(uint8_t d[S7P_DIGEST_LEN], uint8_t seed)
{
    for (int i = 0; i < S7P_DIGEST_LEN; i++) d[i] = (uint8_t)(seed + 7 * i);
}

static void request(s7p_pdu *p, uint8_t version, uint16_t function)
{
    s7p_pdu_init_request(p, version, function, 0x1234, 0x70000388u, S7P_TF_REQUEST);
}

static void response(s7p_pdu *p, uint8_t version, uint16_t function, uint64_t ret)
{
    s7p_pdu req;
    request(&req, version, function);
    s7p_pdu_init_response(p, &req, ret);
}

/* ---- the docs' worked examples and captured data parts ----------------------------------- */

static void test_init_ssl_request_spec_bytes(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 00 00 05 B3 00 00 00 01 00 00 01 20 30 00 00 00 00");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V1);
    assert_int_equal(d->opcode, S7P_OP_REQUEST);
    assert_int_equal(d->function, S7P_FC_INIT_SSL);
    assert_int_equal(d->seq, 1);
    assert_int_equal(d->session_id, S7P_ID_OBJECT_NULL_SERVER_SESSION);
    assert_int_equal(d->transport_flags, S7P_TF_INIT_SSL);
    assert_false(d->has_iid);
    assert_int_equal(d->fill_len, 4);
    /* The same built with the initialiser. */
    s7p_pdu p;
    s7p_pdu_init_request(&p, S7P_PROTO_V1, S7P_FC_INIT_SSL, 1, 288, S7P_TF_INIT_SSL);
    s7p_bytes e = encode_pdu(*state, &p);
    assert_int_equal(e.n, x.n);
    assert_memory_equal(e.p, x.b, x.n);
}

static void test_init_ssl_response_spec_bytes(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "32 00 00 05 B3 00 00 00 01 30 00 00 00 00 00");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V1);
    assert_int_equal(d->opcode, S7P_OP_RESPONSE);
    assert_int_equal(d->function, S7P_FC_INIT_SSL);
    assert_true(d->ret == 0);
    assert_int_equal(d->fill_len, 4);
    /* Error -507 NoSupportForTls comes back as a return value. */
    s7p_pdu p;
    response(&p, S7P_PROTO_V1, S7P_FC_INIT_SSL, (uint64_t)(uint16_t)-507);
    d = check_pdu(*state, &p);
    assert_int_equal(s7p_ret_code(d->ret), -507);
}

/* transport-and-session.md §9 frame 7: the complete CreateObject response of an S7-1511. */
static void test_create_object_response_frame7(void **state)
{
    static const char paom[] = "1;6ES7 511-1AK00-0AB0;V1.0";
    bytes x = {.n = 0};
    put_hex(&x, "32 00 00 04 CA 00 00 00 01 36 00 02 87 08 87 09");
    put_hex(&x, "A1 00 00 01 20 82 1F 01 00 A3 81 69 00 15 00 A3 82 2B 00 04 82 80 80 80 00");
    put_hex(&x, "A3 82 2D 00 15 10");
    put_str(&x, "OMSP.REL.5041.23");
    put_hex(&x, "A3 82 2F 10 02 14 9F 96 C1 06 A8 BF C5 94 46 6C 40 47 F8 E0 2D 7B B9 56 DB D7");
    put_hex(&x, "A3 82 32 00 17 00 00 01 3A 82 3B 00 04 82 40 82 3C 00 04 82 40");
    put_hex(&x, "82 3D 00 04 84 81 80 40 82 3E 00 04 84 81 80 40 82 3F 00 15 1A");
    put_str(&x, paom);
    put_hex(&x, "82 40 00 15 1A");
    put_str(&x, paom);
    put_hex(&x, "82 41 00 03 00 03 00 A2 00 00 00 00");
    assert_int_equal(x.n, 0xC8);  /* the frame's data length */
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V1);
    assert_int_equal(d->function, S7P_FC_CREATE_OBJECT);
    assert_int_equal(d->transport_flags, 0x36);
    const s7p_resp_create_object *b = &d->resp.create_object;
    assert_int_equal(b->nids, 2);
    assert_int_equal(b->object_ids[0], 904);
    assert_int_equal(b->object_ids[1], 905);
    assert_int_equal(b->objects.n, 1);
    const s7p_value *ver = s7p_object_attr(b->objects.items[0], S7P_ID_SERVER_SESSION_VERSION);
    assert_non_null(ver);
    assert_int_equal(ver->v.st->id, S7P_ID_SESSION_VERSION_STRUCT);
    assert_false(d->has_iid);
    assert_int_equal(d->fill_len, 4);
}

/* §9 frame 10: SetMultiVariables response whose tail is "integrity id 0" + fill. */
static void test_set_multi_response_frame10(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "32 00 00 05 42 00 00 00 02 34 00 00 00 00 00 00 00");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->function, S7P_FC_SET_MULTI_VARIABLES);
    assert_int_equal(d->resp.set_multi.errors.n, 0);
    assert_true(d->has_iid);
    assert_int_equal(d->iid, 0);
    assert_int_equal(d->fill_len, 4);
}

/* §9 frame 15: DeleteObject request with qualifier, integrity id and old-firmware digest. */
static void test_delete_object_request_frame15(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 00 00 04 D4 00 00 00 04 00 00 03 88 34 00 00 03 88 00");
    put_hex(&x, qualifier_hex);
    put_hex(&x, "03");
    put_digest(&x, 0x5a);
    assert_int_equal(x.n, 0x4C);
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->req.delete_object.object_id, 0x388);
    assert_true(d->qualifier.present);
    assert_int_equal(d->qualifier.id, S7P_ID_OBJECT_QUALIFIER);
    assert_int_equal(d->qualifier.list.n, 3);
    assert_true(d->has_iid);
    assert_int_equal(d->iid, 3);
    assert_true(d->has_digest);
    assert_int_equal(d->digest[0], 0x5a);
    assert_int_equal(d->fill_len, 0);
}

/* §9 frame 16, the S7-1511 DeleteObject response for the session: `32 0000 04d4 0000 0004 34
 * | 00 | 00000388 | 20 <32-byte digest>`. A V1/V2 tail of exactly 33 bytes starting with 0x20
 * is a digest without an integrity id. */
static void test_delete_object_response_frame16_digest_only(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "32 00 00 04 D4 00 00 00 04 34 00 00 00 03 88");
    put_digest(&x, 0x11);
    assert_int_equal(x.n, 0x30);
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_false(d->has_iid);
    assert_true(d->has_digest);
    assert_int_equal(d->digest[0], 0x11);
    assert_int_equal(d->fill_len, 0);
    assert_int_equal(d->resp.delete_object.object_id, 0x388);
}

/* docs/protocol.md §1.14, s7-1200-hmi.pcap: a GetMultiVariables request by item address. */
static void test_get_multi_request_capture(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 054c 0000 0004 000003be 34 | 00000000 | 02 | 0c |");
    put_hex(&x, "81ffccb577 88d0b88003 02 9376 0a | 8efaa6a85c 88d0b88003 04 9376 0e 00 8200 |");
    put_hex(&x, qualifier_hex);
    put_hex(&x, "00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    const s7p_req_get_multi *b = &d->req.get_multi;
    assert_int_equal(d->session_id, 0x3be);
    assert_int_equal(b->link_id, 0);
    assert_int_equal(b->item_count, 2);
    assert_int_equal(b->nfields, 12);
    assert_int_equal(b->addresses[0].area, 0x8A0E0003u);
    assert_int_equal(b->addresses[0].sub_area, S7P_ID_DB_VALUE_ACTUAL);
    assert_int_equal(b->addresses[0].nlids, 1);
    assert_int_equal(b->addresses[0].lids[0], 10);
    assert_int_equal(b->addresses[1].nlids, 3);
    assert_int_equal(b->addresses[1].lids[2], 256);
    assert_int_equal(s7p_item_address_fields(&b->addresses[0]) +
                         s7p_item_address_fields(&b->addresses[1]),
                     12);
    assert_true(d->qualifier.present);
    assert_false(d->has_iid);
}

static void test_get_multi_request_link_id_capture(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 054c 0000 0008 000003c0 34 | 00000020 | 03 | 03 | 913d 9c68 9c67 |");
    put_hex(&x, qualifier_hex);
    put_hex(&x, "00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    const s7p_req_get_multi *b = &d->req.get_multi;
    assert_int_equal(b->link_id, 0x20);
    assert_int_equal(b->item_count, 3);
    assert_int_equal(b->nids, 3);
    assert_int_equal(b->ids[0], 0x8bd);
    assert_int_equal(b->ids[2], 0xe67);
}

static void test_get_multi_response_capture(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "32 0000 054c 0000 0003 34 | 00 | 01 00 08 01 | 02 00 08 21 | 03 00 08 8125 |");
    put_hex(&x, "04 00 08 32 | 05 00 08 32 | 00 | 00 | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    const s7p_resp_get_multi *b = &d->resp.get_multi;
    assert_int_equal(b->values.n, 5);
    assert_int_equal(s7p_idlist_find(&b->values, 3)->v.i, 165);
    assert_int_equal(b->errors.n, 0);
    assert_false(d->has_iid);
}

/* S7-1511 V2 with integrity id + digest and no fill (the digest bytes are ours). */
static void test_get_multi_old_firmware_tail_capture(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 054c 0000 0004 00000386 34 | 00000000 | 01 | 05 |");
    put_hex(&x, "88ede1bc63 88d0b88006 02 9376 16 |");
    put_hex(&x, qualifier_hex);
    put_hex(&x, "02");
    put_digest(&x, 0xbb);
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_true(d->has_iid);
    assert_int_equal(d->iid, 2);
    assert_true(d->has_digest);
    assert_int_equal(d->fill_len, 0);
    x.n = 0;
    put_hex(&x, "32 0000 054c 0000 0005 34 | 00 | 01 80 01 00 | 00 | 00 | 08");
    put_digest(&x, 0xdf);
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(s7p_idlist_find(&d->resp.get_multi.values, 1)->flags, 0x80);
    assert_int_equal(d->iid, 8);
    assert_true(d->has_digest);
}

static void test_set_variable_capture_and_response2(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 04f2 0000 0005 00000398 74 | 1000006a | 01 | 881d | 00 07 0006 |");
    put_hex(&x, qualifier_hex);
    put_hex(&x, "00 | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    const s7p_req_set_variable *b = &d->req.set_variable;
    assert_int_equal(b->object_id, 0x1000006a);
    assert_int_equal(b->address_count, 1);
    assert_int_equal(b->addresses[0], 1053);
    assert_int_equal(b->value.v.i, 6);
    assert_true(d->qualifier.present);
    assert_int_equal(b->unknown, 0);
    /* Response2 (opcode 0x02) with 11 zero bytes: integrity id 0 + 10 fill bytes. */
    x.n = 0;
    put_hex(&x, "02 0000 04f2 0000 0005 74 | 00 | 00 00000000 00000000 00 00");
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->opcode, S7P_OP_RESPONSE2);
    assert_true(d->has_iid);
    assert_int_equal(d->iid, 0);
    assert_int_equal(d->fill_len, 10);
}

static void test_delete_object_capture_without_integrity(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 04d4 0000 0003 000003e0 34 | 000003e0 | 00 |");
    put_hex(&x, qualifier_hex);
    put_hex(&x, "00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->req.delete_object.object_id, 0x3e0);
    assert_false(d->has_iid);
    x.n = 0;
    put_hex(&x, "32 0000 04d4 0000 0003 34 | 00 | 000003e0 | 00000000");
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->resp.delete_object.object_id, 0x3e0);
    assert_false(d->has_iid);  /* next byte 0: no id */
}

static void test_create_object_v2_response_capture(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "32 0000 04ca 0000 0004 34 | 00 | 01 | 818080806a | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->resp.create_object.nids, 1);
    assert_int_equal(d->resp.create_object.object_ids[0], 0x1000006Au);
    assert_int_equal(d->resp.create_object.objects.n, 0);
    x.n = 0;
    put_hex(&x, "32 0000 04ca 0000 0027 34 | 00 | 00 | 00000000");
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->resp.create_object.nids, 0);
}

static void test_explore_request_capture(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 04bb 0000 001d 000003c0 36 | 00000219 | 00 | 01 | 00 | 00 | 00 | 04 |");
    put_hex(&x, "8b5f 8463 8411 831a | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    const s7p_req_explore *b = &d->req.explore;
    assert_int_equal(b->explore_id, 0x219);
    assert_int_equal(b->explore_request_id, 0);
    assert_int_equal(b->children_recursive, 1);
    assert_int_equal(b->nblocks, 1);
    assert_int_equal(b->blocks[0].object_count, 0);
    assert_int_equal(b->blocks[0].address_count, 4);
    assert_int_equal(b->blocks[0].addresses[0], 0x5df);
    assert_int_equal(b->blocks[0].addresses[3], 0x19a);
}

static void test_explore_response_capture(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "32 0000 04bb 0000 001c 34 | 00 | 00000001 | a1 00000001 932e 30 00 |");
    put_hex(&x, "a3 8169 00 15 06");
    put_str(&x, "ASRoot");
    put_hex(&x, "a3 9315 00 05 00 | a3 932f 00 04 32 | a1 00000003 9358 30 00 a4 900a 00000060");
    put_hex(&x, "a2 | a2 | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    const s7p_resp_explore *b = &d->resp.explore;
    assert_int_equal(b->explore_id, 1);
    assert_false(b->has_resp_iid);  /* an A1 follows */
    assert_int_equal(b->objects.n, 1);
    assert_int_equal(b->objects.items[0]->class_id, 2478);
}

static void test_get_link_capture(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 0524 0000 000a 000003c0 34 | 00000031 | 915e | 0000 | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->req.get_link.unknown1, 0x31);
    assert_int_equal(d->req.get_link.id, 0x8de);
    assert_int_equal(d->req.get_link.unknown2, 0);
}

static void test_get_var_sub_streamed_captures(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 0586 0000 0003 000003c0 34 | 00000032 | 20 04 01 9a7b |");
    put_hex(&x, qualifier_hex);
    put_hex(&x, "0001 | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    const s7p_req_var_sub_streamed *b = &d->req.var_sub_streamed;
    assert_int_equal(b->object_id, 0x32);
    assert_int_equal(b->value.flags, S7P_VF_ADDRESS_ARRAY);
    assert_int_equal(b->value.count, 1);
    assert_int_equal(b->value.elems[0].u, 0xd7b);
    assert_int_equal(b->unknown, 1);
    x.n = 0;
    put_hex(&x, "32 0000 0586 0000 0003 34 | 00 | 00 | 00 08 01 | 00000000");
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->resp.get_var_sub_streamed.value.v.i, 1);
    /* An error with a 9-byte return value: 0x8020AB001BC8FFF4 = -12 ObjectNotFound. */
    x.n = 0;
    put_hex(&x, "32 0000 0586 0000 0006 34 | c0 88 95 b0 80 ef 91 ff f4 | 00 | 00 00 | 00000000");
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_true(d->ret == 0x8020AB001BC8FFF4ull);
    assert_int_equal(s7p_ret_code(d->ret), -12);
    assert_int_equal(d->resp.get_var_sub_streamed.value.type, S7P_DT_NULL);
    /* S7-1511: the request with integrity id and digest */
    x.n = 0;
    put_hex(&x, "31 0000 0586 0000 0003 00000386 34 | 000000c9 | 20 04 01 880d |");
    put_hex(&x, qualifier_hex);
    put_hex(&x, "0001 | 01");
    put_digest(&x, 0xdf);
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->iid, 1);
    assert_true(d->has_digest);
}

static void test_sequence_captures(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 0556 0000 0025 000003c0 36 | 02 | 0001 | 00 | a1 7fffc001 8d24 00 00 |");
    put_hex(&x, "a3 8169 00 15 0d");
    put_str(&x, "DLTransaction");
    put_hex(&x, "a2 | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    const s7p_req_begin_sequence *b = &d->req.begin_sequence;
    assert_int_equal(b->transaction_type, 2);
    assert_int_equal(b->value_type, 1);
    assert_false(b->unknown_is_u16);
    assert_int_equal(b->objects.n, 1);
    assert_int_equal(b->objects.items[0]->class_id, 0x6a4);
    x.n = 0;
    put_hex(&x, "32 0000 0556 0000 0025 34 | 00 | 0012 | 1000006a | 00000000");
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_true(d->resp.begin_sequence.has_id);
    assert_int_equal(d->resp.begin_sequence.value_type, 0x12);
    assert_int_equal(d->resp.begin_sequence.request_id, 0x1000006a);
    x.n = 0;
    put_hex(&x, "31 0000 0560 0000 0028 000003c0 36 | 0000 | 00000000");
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->function, S7P_FC_END_SEQUENCE);
    x.n = 0;
    put_hex(&x, "32 0000 0560 0000 0028 34 | 00 | 00000000");
    check_vector(*state, &x, S7P_PROTO_V2);
}

static void test_notification_short_header_capture(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "33 | 1000006a | 0400 | 0000 | 0000 | 01 | 01 | 92 ffffffff 00 07 03e9 |");
    put_hex(&x, "92 fffffffe 00 07 0002 | 00 | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    const s7p_notification *n = &d->notif;
    assert_int_equal(d->opcode, S7P_OP_NOTIFICATION);
    assert_int_equal(n->object_id, 0x1000006a);
    assert_int_equal(n->unknown2, 0x0400);
    assert_int_equal(n->seq, 1);
    assert_int_equal(n->change_counter, 1);
    assert_false(n->has_timestamp);
    assert_int_equal(n->items.n, 2);
    assert_int_equal(n->items.first->code, S7P_NI_VALUE_REF32);
    assert_int_equal(n->items.first->ref, 0xffffffffu);
    assert_int_equal(n->items.first->value.v.i, 1001);
    assert_int_equal(n->items.last->ref, 0xfffffffeu);
    assert_false(n->has_part2);
    x.n = 0;
    put_hex(&x, "33 | 1000006a | 0400 | 0000 | 0000 | 02 | 01 | 00 | 00000000");
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_int_equal(d->notif.items.n, 0);
    assert_int_equal(d->notif.seq, 2);
}

/* services doc §1.3: the constructed modern notification with timestamp. */
static void test_notification_modern_spec_example(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "33 | 70 00 01 2A | 04 00 | 00 00 | 00 00 | 00 | 05 | 00 05 F0 A1 2B 3C 4D 01 |");
    put_hex(&x, "01 | 9B 01 00 08 2A | 00 | 00 00 00 00");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    const s7p_notification *n = &d->notif;
    assert_int_equal(n->object_id, 0x7000012Au);
    assert_int_equal(n->credit_tick, 0);
    assert_int_equal(n->seq, 5);
    assert_true(n->has_timestamp);
    assert_true(n->timestamp_us == 0x0005F0A12B3C4D01ull);
    assert_int_equal(n->change_counter, 1);
    assert_int_equal(n->items.n, 1);
    assert_int_equal(n->items.first->code, S7P_NI_VALUE);
    assert_int_equal(n->items.first->ref, 1);
    assert_int_equal(n->items.first->value.v.i, 42);
}

/* ---- built requests --------------------------------------------------------------------- */

static void test_create_object_v1_session_request(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    s7p_pdu_init_request(&p, S7P_PROTO_V1, S7P_FC_CREATE_OBJECT, 1, 288, S7P_TF_CREATE_OBJECT);
    p.req.create_object.request_id = S7P_ID_OBJECT_SERVER_SESSION_CONTAINER;
    p.req.create_object.request_value = v_u(S7P_DT_UDINT, 0);
    p.req.create_object.objects = one_object(a, session_object(a));
    s7p_pdu *d = check_pdu(a, &p);
    const s7p_req_create_object *b = &d->req.create_object;
    assert_int_equal(b->request_id, 285);
    assert_int_equal(b->request_value.type, S7P_DT_UDINT);
    assert_false(b->has_inline_iid);
    assert_int_equal(b->objects.n, 1);
    assert_int_equal(b->objects.items[0]->class_id, S7P_ID_CLASS_SERVER_SESSION);
    assert_int_equal(s7p_object_attr(b->objects.items[0], 300)->v.u, 0x10000020u);
    /* V1 never carries an inline integrity id or a tail id. */
    p.req.create_object.has_inline_iid = true;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
    p.req.create_object.has_inline_iid = false;
    p.has_iid = true;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
}

static void test_create_object_v2_inline_integrity_id(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_CREATE_OBJECT);
    p.req.create_object.request_id = 0x70000388u;
    p.req.create_object.request_value = v_u(S7P_DT_UDINT, 0);
    p.req.create_object.has_inline_iid = true;
    p.req.create_object.inline_iid = 300;
    s7p_object *sub = s7p_object_new(a, 0x7FFFC001u, 1001);
    *s7p_object_add_attr(sub, a, 233) = v_ws("Subscription_1");
    p.req.create_object.objects = one_object(a, sub);
    s7p_pdu *d = check_pdu(a, &p);
    assert_true(d->req.create_object.has_inline_iid);
    assert_int_equal(d->req.create_object.inline_iid, 300);
    assert_int_equal(d->req.create_object.objects.n, 1);
    /* Without the inline id the object follows the 4 zero bytes directly. */
    p.req.create_object.has_inline_iid = false;
    p.has_iid = true;
    p.iid = 17;
    d = check_pdu(a, &p);
    assert_false(d->req.create_object.has_inline_iid);
    assert_int_equal(d->iid, 17);
}

static void test_create_object_v3_with_leading_digest(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V3, S7P_FC_CREATE_OBJECT);
    p.has_v3_digest = true;
    set_digest(p.v3_digest, 0x40);
    p.req.create_object.request_id = 0x70000388u;
    p.req.create_object.request_value = v_u(S7P_DT_UDINT, 7);
    p.req.create_object.has_inline_iid = true;
    p.req.create_object.inline_iid = 5;
    p.req.create_object.objects = one_object(a, session_object(a));
    p.has_iid = true;
    p.iid = 6;
    s7p_bytes e = encode_pdu(a, &p);
    assert_int_equal(e.p[0], 0x20);
    assert_int_equal(e.p[1], 0x40);
    assert_int_equal(e.p[33], S7P_OP_REQUEST);
    s7p_pdu *d = check_pdu(a, &p);
    assert_true(d->has_v3_digest);
    assert_memory_equal(d->v3_digest, p.v3_digest, S7P_DIGEST_LEN);
    assert_int_equal(d->req.create_object.inline_iid, 5);
    assert_int_equal(d->iid, 6);
}

static void test_delete_object_request(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_DELETE_OBJECT);
    p.req.delete_object.object_id = 0x70000388u;
    assert_true(s7p_qualifier_default(&p.qualifier, a));
    p.has_iid = true;
    p.iid = 0x12345;
    s7p_pdu *d = check_pdu(a, &p);
    assert_int_equal(d->req.delete_object.object_id, 0x70000388u);
    assert_int_equal(d->qualifier.list.n, 3);
    assert_non_null(s7p_idlist_find(&d->qualifier.list, S7P_ID_KEY_QUALIFIER));
}

/* A qualifier is read only when more than 10 bytes follow the body (dissector rule). */
static void test_qualifier_read_only_above_ten_bytes(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_DELETE_OBJECT);
    p.req.delete_object.object_id = 0x7000012Au;
    p.has_iid = true;
    p.iid = 0x10000000u;  /* 5-byte id + 4 fill: 9 bytes after the body, some non-zero */
    s7p_pdu *d = check_pdu(a, &p);
    assert_false(d->qualifier.present);
    assert_int_equal(d->iid, 0x10000000u);
    /* Eleven bytes: the smallest qualifier (id + empty list, 5 bytes), a 2-byte id, fill. */
    p.qualifier.present = true;
    p.qualifier.id = S7P_ID_OBJECT_QUALIFIER;
    p.iid = 200;
    d = check_pdu(a, &p);
    assert_true(d->qualifier.present);
    assert_int_equal(d->qualifier.list.n, 0);
}

static s7p_explore_block *explore_blocks(s7p_arena *a)
{
    s7p_explore_block *bl = s7p_arena_array(a, 3, sizeof *bl);
    assert_non_null(bl);
    static const uint32_t ids0[] = {233, 2521};
    static const uint32_t ids2[] = {1, 0x8A0E0001u, 3};
    bl[0].object_count = 1;
    bl[0].datatype = S7P_DT_STRUCT;
    bl[0].struct_id = 0x123;
    add_member(&bl[0].members, a, 1, v_u(S7P_DT_UDINT, 5));
    add_member(&bl[0].members, a, 2, v_ws("filter"));
    bl[0].address_count = 2;
    bl[0].addresses = (uint32_t *)ids0;
    bl[1].object_count = 2;
    bl[1].datatype = S7P_DT_UDINT;  /* no value follows for other datatypes */
    bl[1].address_count = 0;
    bl[2].object_count = 0;
    bl[2].address_count = 3;
    bl[2].addresses = (uint32_t *)ids2;
    return bl;
}

static void test_explore_request_with_filter_block(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_EXPLORE);
    p.req.explore.explore_id = S7P_ID_PLC_PROGRAM;
    p.req.explore.explore_request_id = 0x8b;
    p.req.explore.children_recursive = 1;
    p.req.explore.parents = 1;
    p.req.explore.blocks = explore_blocks(a);
    p.req.explore.nblocks = 3;
    p.has_iid = true;
    p.iid = 12;
    s7p_pdu *d = check_pdu(a, &p);
    const s7p_req_explore *b = &d->req.explore;
    assert_int_equal(b->explore_request_id, 0x8b);
    assert_int_equal(b->parents, 1);
    assert_int_equal(b->nblocks, 3);
    assert_int_equal(b->blocks[0].struct_id, 0x123);
    assert_int_equal(b->blocks[0].members.n, 2);
    assert_int_equal(b->blocks[0].addresses[1], 2521);
    assert_int_equal(b->blocks[1].datatype, S7P_DT_UDINT);
    assert_int_equal(b->blocks[2].addresses[1], 0x8A0E0001u);
    /* The list must end with an object_count 0 block. */
    p.req.explore.nblocks = 2;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
    p.req.explore.nblocks = 0;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
}

static void test_explore_request_five_zero_bytes(void **state)
{
    /* The driver's Explore request ends with 5 zeros: integrity id 0 + fill. */
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 04bb 0000 0005 70000388 34 | 00000003 | 00 | 01 | 00 | 00 |");
    put_hex(&x, "00 | 01 | 8169 |");
    put_hex(&x, "00 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_true(d->has_iid);
    assert_int_equal(d->iid, 0);
    assert_int_equal(d->fill_len, 4);
}

static s7p_item_address *sample_addresses(s7p_arena *a, uint32_t *nfields)
{
    s7p_item_address *ad = s7p_arena_array(a, 3, sizeof *ad);
    assert_non_null(ad);
    static const uint32_t l0[] = {0x0a};
    static const uint32_t l2[] = {3, 100, 4, 7};
    ad[0] = address(a, 0x81ffccb5u, 0x8A0E0003u, S7P_ID_DB_VALUE_ACTUAL, 1, l0);
    ad[1] = address(a, 0, S7P_ID_M_AREA, S7P_ID_CONTROLLER_AREA_VALUE_ACTUAL, 0, NULL);
    ad[2] = address(a, 0, 0x8A0E0001u, S7P_ID_DB_VALUE_ACTUAL, 4, l2);
    *nfields = 0;
    for (int i = 0; i < 3; i++) {
        *nfields += s7p_item_address_fields(&ad[i]);
        s7p_wr w = s7p_wr_counter();  /* the planner's size is the encoder's */
        assert_true(s7p_item_address_encode(&w, &ad[i]));
        assert_int_equal(s7p_item_address_size(&ad[i]), w.len);
    }
    return ad;
}

static void test_get_multi_request_by_address(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES);
    p.req.get_multi.item_count = 3;
    p.req.get_multi.addresses = sample_addresses(a, &p.req.get_multi.nfields);
    assert_true(s7p_qualifier_default(&p.qualifier, a));
    p.has_iid = true;
    p.iid = 0xFFFFFFFFu;
    s7p_pdu *d = check_pdu(a, &p);
    const s7p_req_get_multi *b = &d->req.get_multi;
    assert_int_equal(b->nfields, 4 + 1 + 4 + 0 + 4 + 4);
    assert_int_equal(b->addresses[0].symbol_crc, 0x81ffccb5u);
    assert_int_equal(b->addresses[1].area, S7P_ID_M_AREA);
    assert_int_equal(b->addresses[1].nlids, 0);
    assert_int_equal(b->addresses[2].lids[1], 100);
    assert_int_equal(d->iid, 0xFFFFFFFFu);
}

static void test_get_multi_request_by_link_id_v3(void **state)
{
    s7p_arena *a = *state;
    static const uint32_t ids[] = {0x88bd, 0xe68, 0xe67};
    s7p_pdu p;
    request(&p, S7P_PROTO_V3, S7P_FC_GET_MULTI_VARIABLES);
    p.has_v3_digest = true;
    set_digest(p.v3_digest, 1);
    p.req.get_multi.link_id = 0x20;
    p.req.get_multi.item_count = 3;
    p.req.get_multi.nids = 3;
    p.req.get_multi.ids = (uint32_t *)ids;
    assert_true(s7p_qualifier_default(&p.qualifier, a));
    p.has_iid = true;
    p.iid = 99;
    s7p_pdu *d = check_pdu(a, &p);
    assert_int_equal(d->req.get_multi.ids[1], 0xe68);
}

static void test_get_multi_response_values_and_errors(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    response(&p, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, 0);
    s7p_resp_get_multi *b = &p.resp.get_multi;
    add_member(&b->values, a, 1, v_i(S7P_DT_INT, -5));
    s7p_value st = v_struct(a, 0x2000043);
    st.v.st->transport_flags = 2;
    static const uint8_t dtl[12] = {0x07, 0xe8, 1, 2, 3, 4, 5, 6, 0, 0, 0, 1};
    st.v.st->data.p = dtl;
    st.v.st->data.n = 12;
    st.v.st->count = 12;
    add_member(&b->values, a, 3, st);
    s7p_value rec = v_struct(a, 0xd99);
    add_member(&rec.v.st->members, a, 0x9b1a, v_i(S7P_DT_DINT, 0));
    add_member(&rec.v.st->members, a, 0x9b1b, v_u(S7P_DT_DWORD, 0));
    add_member(&b->values, a, 4, rec);
    s7p_item_error errs[2] = {{2, 0x8104ull | (1ull << 62)}, {5, (uint64_t)(uint16_t)-6}};
    b->errors.items = errs;
    b->errors.n = 2;
    p.has_iid = true;
    p.iid = 0x1234 + 7;
    s7p_pdu *d = check_pdu(a, &p);
    const s7p_resp_get_multi *db = &d->resp.get_multi;
    assert_int_equal(db->values.n, 3);
    assert_int_equal(s7p_idlist_find(&db->values, 1)->v.i, -5);
    assert_int_equal(s7p_idlist_find(&db->values, 3)->v.st->data.n, 12);
    assert_int_equal(s7p_idlist_find(&db->values, 4)->v.st->members.n, 2);
    assert_int_equal(db->errors.n, 2);
    assert_int_equal(db->errors.items[0].item, 2);
    assert_true(db->errors.items[0].ret == errs[0].ret);
    assert_int_equal(s7p_ret_code(db->errors.items[1].ret), -6);
}

static void test_set_multi_request_by_address(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_SET_MULTI_VARIABLES);
    s7p_req_set_multi *b = &p.req.set_multi;
    b->item_count = 3;
    b->addresses = sample_addresses(a, &b->nfields);
    add_member(&b->values, a, 1, v_u(S7P_DT_BOOL, 1));
    s7p_value s = v_u(S7P_DT_USINT, 0);
    s.flags = S7P_VF_ARRAY;
    static const uint8_t str[] = {254, 3, 'a', 'b', 'c'};
    s.count = sizeof str;
    s.v.s.p = str;
    s.v.s.n = sizeof str;
    add_member(&b->values, a, 2, s);
    add_member(&b->values, a, 3, v_ws("x"));
    assert_true(s7p_qualifier_default(&p.qualifier, a));
    p.has_iid = true;
    p.iid = 2;
    s7p_pdu *d = check_pdu(a, &p);
    const s7p_req_set_multi *db = &d->req.set_multi;
    assert_int_equal(db->object_id, 0);
    assert_int_equal(db->values.n, 3);
    assert_int_equal(s7p_idlist_find(&db->values, 2)->count, 5);
    assert_int_equal(db->fill, 0);
    /* The value count must match item_count. */
    b->item_count = 2;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
}

static void test_set_multi_request_object_attributes(void **state)
{
    s7p_arena *a = *state;
    static const uint32_t ids[] = {S7P_ID_SERVER_SESSION_VERSION};
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_SET_MULTI_VARIABLES);
    s7p_req_set_multi *b = &p.req.set_multi;
    b->object_id = 0x70000388u;
    b->item_count = 1;
    b->nids = 1;
    b->ids = (uint32_t *)ids;
    s7p_value ver = v_struct(a, S7P_ID_SESSION_VERSION_STRUCT);
    add_member(&ver.v.st->members, a, 315, v_u(S7P_DT_UDINT, 320));
    add_member(&ver.v.st->members, a, 319, v_ws("1;6ES7 511-1AK00-0AB0;V1.0"));
    add_member(&b->values, a, 1, ver);
    assert_true(s7p_qualifier_default(&p.qualifier, a));
    s7p_pdu *d = check_pdu(a, &p);
    assert_int_equal(d->req.set_multi.object_id, 0x70000388u);
    assert_int_equal(d->req.set_multi.ids[0], 306);
    assert_false(d->has_iid);
    const s7p_value *v = s7p_idlist_find(&d->req.set_multi.values, 1);
    assert_int_equal(s7p_idlist_find(&v->v.st->members, 315)->v.u, 320);
}

static void test_set_multi_response_errors(void **state)
{
    s7p_pdu p;
    response(&p, S7P_PROTO_V2, S7P_FC_SET_MULTI_VARIABLES, 19);
    s7p_item_error errs[3] = {{1, 0}, {2, 0x8020AB001BC8FFF4ull}, {300, 1}};
    p.resp.set_multi.errors.items = errs;
    p.resp.set_multi.errors.n = 3;
    p.has_iid = true;
    p.iid = 5;
    s7p_pdu *d = check_pdu(*state, &p);
    assert_int_equal(d->resp.set_multi.errors.n, 3);
    assert_int_equal(d->resp.set_multi.errors.items[2].item, 300);
    assert_true(d->resp.set_multi.errors.items[1].ret == errs[1].ret);
    /* Item number 0 would end the list. */
    errs[1].item = 0;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
}

static void test_set_variable_request_and_response(void **state)
{
    s7p_arena *a = *state;
    static const uint32_t addrs[] = {1053, 0, 12, 7};  /* id 0 is followed by a length */
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_SET_VARIABLE);
    p.transport_flags = 0x74;
    p.req.set_variable.object_id = 0x7000012Au;
    p.req.set_variable.address_count = 4;
    p.req.set_variable.addresses = (uint32_t *)addrs;
    s7p_value v = v_struct(a, 0x8a);
    add_member(&v.v.st->members, a, 1, v_i(S7P_DT_LINT, INT64_MIN));
    p.req.set_variable.value = v;
    assert_true(s7p_qualifier_default(&p.qualifier, a));
    p.req.set_variable.unknown = 0x5a;
    p.has_iid = true;
    p.iid = 3;
    s7p_pdu *d = check_pdu(a, &p);
    const s7p_req_set_variable *b = &d->req.set_variable;
    assert_int_equal(b->address_count, 4);
    assert_int_equal(b->addresses[2], 12);
    assert_int_equal(b->unknown, 0x5a);
    assert_true(s7p_idlist_find(&b->value.v.st->members, 1)->v.i == INT64_MIN);
    s7p_pdu r;
    s7p_pdu_init_response(&r, &p, 0);
    r.has_iid = true;
    r.iid = p.seq + p.iid;
    d = check_pdu(a, &r);
    assert_int_equal(d->transport_flags, 0x74);
    assert_int_equal(d->iid, 0x1234 + 3);
}

static void test_get_variable_request_and_response(void **state)
{
    s7p_arena *a = *state;
    static const uint32_t ids[] = {S7P_ID_SYSTEM_LIMITS, S7P_ID_FREE_ITEMS};
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_GET_VARIABLE);
    p.req.get_variable.object_id = 0x34;
    p.req.get_variable.nids = 2;
    p.req.get_variable.ids = (uint32_t *)ids;
    assert_true(s7p_qualifier_default(&p.qualifier, a));
    s7p_pdu *d = check_pdu(a, &p);
    assert_int_equal(d->req.get_variable.nids, 2);
    assert_int_equal(d->req.get_variable.ids[1], S7P_ID_FREE_ITEMS);
    s7p_pdu r;
    response(&r, S7P_PROTO_V2, S7P_FC_GET_VARIABLE, 0);
    r.resp.get_variable.value = v_ws("CPU 1511");
    d = check_pdu(a, &r);
    assert_int_equal(d->resp.get_variable.value.v.s.n, 8);
}

static void test_get_var_sub_streamed_struct_u32_ids(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_GET_VAR_SUB_STREAMED);
    p.req.var_sub_streamed.object_id = 0x70000388u;
    s7p_value v = v_struct(a, 0x9c40);
    add_member(&v.v.st->members, a, 0x9c41, v_u(S7P_DT_UDINT, 7));
    p.req.var_sub_streamed.value = v;
    assert_true(s7p_qualifier_default(&p.qualifier, a));
    p.req.var_sub_streamed.unknown = 1;
    p.has_iid = true;
    p.iid = 4;
    s7p_bytes e = encode_pdu(a, &p);
    /* object id, 00 17, struct id, member id as u32, value, u32 terminator */
    bytes want = {.n = 0};
    put_hex(&want, "70000388 00 17 00009c40 00009c41 00 04 07 00000000");
    assert_memory_equal(e.p + 14, want.b, want.n);
    s7p_pdu *d = check_pdu(a, &p);
    const s7p_value *dv = &d->req.var_sub_streamed.value;
    assert_int_equal(s7p_idlist_find(&dv->v.st->members, 0x9c41)->v.u, 7);
    assert_int_equal(d->req.var_sub_streamed.unknown, 1);
    s7p_pdu r;
    response(&r, S7P_PROTO_V2, S7P_FC_GET_VAR_SUB_STREAMED, 0);
    r.resp.get_var_sub_streamed.unknown = 0;
    r.resp.get_var_sub_streamed.value = v_u(S7P_DT_UDINT, 3);
    r.has_iid = true;
    r.iid = 0x1238;
    d = check_pdu(a, &r);
    assert_int_equal(d->resp.get_var_sub_streamed.value.v.u, 3);
}

static void test_set_var_sub_streamed_request_and_response(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_SET_VAR_SUB_STREAMED);
    p.req.var_sub_streamed.object_id = 0x8A320001u;
    p.req.var_sub_streamed.value = v_u(S7P_DT_AID, 2536);
    assert_true(s7p_qualifier_default(&p.qualifier, a));
    p.req.var_sub_streamed.unknown = 0x0102;
    s7p_blob *blob = s7p_arena_alloc(a, sizeof *blob);
    static const uint8_t data[40] = {0x78, 0x9c};
    blob->data.p = data;
    blob->data.n = sizeof data;
    s7p_value stream = v_u(S7P_DT_BLOB, 0);
    stream.v.blob = blob;
    p.req.var_sub_streamed.stream = stream;
    p.has_iid = true;
    p.iid = 9;
    s7p_pdu *d = check_pdu(a, &p);
    assert_int_equal(d->req.var_sub_streamed.value.v.u, 2536);
    assert_int_equal(d->req.var_sub_streamed.unknown, 0x0102);
    assert_int_equal(d->req.var_sub_streamed.stream.v.blob->data.n, 40);
    s7p_pdu r;
    response(&r, S7P_PROTO_V2, S7P_FC_SET_VAR_SUB_STREAMED, 0);
    check_pdu(a, &r);
}

static void test_get_link_request_and_response(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_GET_LINK);
    p.req.get_link.unknown1 = 0x31;
    p.req.get_link.id = 0x8de;
    p.req.get_link.unknown2 = 0xbeef;
    s7p_pdu *d = check_pdu(a, &p);
    assert_int_equal(d->req.get_link.unknown2, 0xbeef);
    static const uint32_t links[] = {0x88e10102u, 0x88e10103u, 0x32};
    s7p_pdu r;
    response(&r, S7P_PROTO_V2, S7P_FC_GET_LINK, 0);
    r.resp.get_link.n = 3;
    r.resp.get_link.links = (uint32_t *)links;
    d = check_pdu(a, &r);
    assert_int_equal(d->resp.get_link.n, 3);
    assert_int_equal(d->resp.get_link.links[1], 0x88e10103u);
}

static void test_begin_sequence_forms(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_BEGIN_SEQUENCE);
    s7p_req_begin_sequence *b = &p.req.begin_sequence;
    b->transaction_type = 2;
    b->value_type = 1;
    b->unknown_is_u16 = true;
    b->unknown = 0x0102;
    s7p_object *o = s7p_object_new(a, 0x7FFFC001u, 0x6a4);
    *s7p_object_add_attr(o, a, 233) = v_ws("DLTransaction");
    b->objects = one_object(a, o);
    s7p_pdu *d = check_pdu(a, &p);
    assert_true(d->req.begin_sequence.unknown_is_u16);
    assert_int_equal(d->req.begin_sequence.unknown, 0x0102);
    assert_int_equal(d->req.begin_sequence.objects.n, 1);
    b->unknown_is_u16 = false;
    b->unknown = 0x07;
    d = check_pdu(a, &p);
    assert_false(d->req.begin_sequence.unknown_is_u16);
    assert_int_equal(d->req.begin_sequence.unknown, 7);
    b->value_type = 2;
    b->request_id = 0x1000006a;
    d = check_pdu(a, &p);
    assert_int_equal(d->req.begin_sequence.request_id, 0x1000006a);
    assert_int_equal(d->req.begin_sequence.objects.n, 0);
    /* V1: only the transaction type. */
    request(&p, S7P_PROTO_V1, S7P_FC_BEGIN_SEQUENCE);
    p.req.begin_sequence.transaction_type = 3;
    s7p_bytes e = encode_pdu(a, &p);
    assert_int_equal(e.n, 14 + 1 + 4);
    d = check_pdu(a, &p);
    assert_int_equal(d->req.begin_sequence.transaction_type, 3);
}

static void test_begin_sequence_response_versions(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu r;
    response(&r, S7P_PROTO_V2, S7P_FC_BEGIN_SEQUENCE, 0);
    r.resp.begin_sequence.has_id = true;
    r.resp.begin_sequence.value_type = 0x12;
    r.resp.begin_sequence.request_id = 0x1000006a;
    s7p_pdu *d = check_pdu(a, &r);
    assert_int_equal(d->resp.begin_sequence.request_id, 0x1000006a);
    response(&r, S7P_PROTO_V1, S7P_FC_BEGIN_SEQUENCE, 0);
    d = check_pdu(a, &r);
    assert_false(d->resp.begin_sequence.has_id);
    r.resp.begin_sequence.has_id = true;  /* V1 has no id */
    assert_int_equal(encode_status(&r), S7P_E_INVALID_ARG);
    response(&r, S7P_PROTO_V2, S7P_FC_BEGIN_SEQUENCE, 0);  /* V2 needs one */
    assert_int_equal(encode_status(&r), S7P_E_INVALID_ARG);
}

static void test_end_sequence_request_and_response(void **state)
{
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_END_SEQUENCE);
    p.req.end_sequence.unknown = 0xabcd;
    s7p_pdu *d = check_pdu(*state, &p);
    assert_int_equal(d->req.end_sequence.unknown, 0xabcd);
    s7p_pdu r;
    response(&r, S7P_PROTO_V2, S7P_FC_END_SEQUENCE, 0);
    check_pdu(*state, &r);
}

static void test_invoke_request_and_responses(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    request(&p, S7P_PROTO_V2, S7P_FC_INVOKE);
    p.req.invoke.sub_session_id = 0x7000038au;
    p.req.invoke.unknown1 = 0x11223344u;
    add_member(&p.req.invoke.values, a, 1, v_u(S7P_DT_UDINT, 0x0500));
    add_member(&p.req.invoke.values, a, 2, v_ws("op"));
    p.req.invoke.unknown2 = 0x01;
    s7p_pdu *d = check_pdu(a, &p);
    assert_int_equal(d->req.invoke.sub_session_id, 0x7000038au);
    assert_int_equal(d->req.invoke.values.n, 2);
    assert_int_equal(d->req.invoke.unknown2, 1);
    /* Three return values: the value list must start with item 1 (next byte 0x01). */
    s7p_pdu r;
    response(&r, S7P_PROTO_V2, S7P_FC_INVOKE, 0);
    r.resp.invoke.nrets = 3;
    r.resp.invoke.rets[0] = 1;
    r.resp.invoke.rets[1] = 0x8000000000000001ull;
    r.resp.invoke.rets[2] = 300;
    add_member(&r.resp.invoke.values, a, 1, v_i(S7P_DT_DINT, -1));
    r.resp.invoke.unknown = 0x77;
    d = check_pdu(a, &r);
    assert_int_equal(d->resp.invoke.nrets, 3);
    assert_true(d->resp.invoke.rets[1] == 0x8000000000000001ull);
    assert_int_equal(d->resp.invoke.unknown, 0x77);
    /* Four return values and an empty list. */
    response(&r, S7P_PROTO_V2, S7P_FC_INVOKE, 0);
    r.resp.invoke.nrets = 4;
    r.resp.invoke.rets[3] = 0x42;
    d = check_pdu(a, &r);
    assert_int_equal(d->resp.invoke.nrets, 4);
    assert_int_equal(d->resp.invoke.rets[3], 0x42);
    r.resp.invoke.nrets = 2;
    assert_int_equal(encode_status(&r), S7P_E_INVALID_ARG);
}

static void test_error_responses(void **state)
{
    static const uint16_t fcs[] = {S7P_FC_ERROR, S7P_FC_ERROR2};
    for (size_t k = 0; k < 2; k++) {
        s7p_pdu r;
        response(&r, S7P_PROTO_V2, fcs[k], (uint64_t)(uint16_t)-109 | 0x8000000000000000ull);
        r.has_iid = true;
        r.iid = 1;
        s7p_pdu *d = check_pdu(*state, &r);
        assert_int_equal(s7p_ret_code(d->ret), -109);
    }
}

static void test_unknown_function_is_opaque(void **state)
{
    static const uint16_t fcs[] = {S7P_FC_GET_VARIABLES_ADDRESS, S7P_FC_ADD_LINK, 0x1234};
    /* 40 bytes: long enough that an integrity rule would misread it, so none is applied. */
    static const uint8_t body[40] = {0x05, 0x20, 1, 2, 3, 0xa1, 0xff};
    for (size_t k = 0; k < 3; k++) {
        s7p_pdu p;
        request(&p, S7P_PROTO_V2, fcs[k]);
        p.opaque.p = body;
        p.opaque.n = sizeof body;
        p.fill_len = 0;
        s7p_pdu *d = check_pdu(*state, &p);
        assert_int_equal(d->opaque.n, sizeof body);
        assert_memory_equal(d->opaque.p, body, sizeof body);
        s7p_pdu r;
        response(&r, S7P_PROTO_V2, fcs[k], 0);
        r.opaque.p = body;
        r.opaque.n = sizeof body;
        r.fill_len = 0;
        d = check_pdu(*state, &r);
        assert_int_equal(d->opaque.n, sizeof body);  /* return value included, not parsed */
        assert_true(d->ret == 0);
    }
}

/* ---- error-only responses (a negative return value and nothing else) --------------------- */

static const uint16_t functions_with_response_body[] = {
    S7P_FC_CREATE_OBJECT, S7P_FC_DELETE_OBJECT, S7P_FC_EXPLORE, S7P_FC_GET_MULTI_VARIABLES,
    S7P_FC_SET_MULTI_VARIABLES, S7P_FC_GET_VARIABLE, S7P_FC_GET_VAR_SUB_STREAMED,
    S7P_FC_GET_LINK, S7P_FC_BEGIN_SEQUENCE, S7P_FC_INVOKE,
};
#define N_BODY_FUNCTIONS \
    (sizeof functions_with_response_body / sizeof functions_with_response_body[0])

static void test_error_only_response_every_function(void **state)
{
    static const uint8_t versions[] = {S7P_PROTO_V1, S7P_PROTO_V2, S7P_PROTO_V3};
    for (size_t v = 0; v < sizeof versions; v++) {
        for (size_t k = 0; k < N_BODY_FUNCTIONS; k++) {
            s7p_pdu r;
            response(&r, versions[v], functions_with_response_body[k],
                     0x8020AB001BC8FFF4ull);  /* -12 ObjectNotFound */
            r.ret_only = true;
            if (versions[v] == S7P_PROTO_V3) {
                r.has_v3_digest = true;
                set_digest(r.v3_digest, 3);
            }
            s7p_bytes e = encode_pdu(*state, &r);
            assert_int_equal(e.n, (versions[v] == 3 ? 33 : 0) + 10 + 9 + 4);
            s7p_pdu *d = check_pdu(*state, &r);
            if (!d->ret_only) fail_msg("V%u function 0x%04x", versions[v], r.function);
            assert_int_equal(s7p_ret_code(d->ret), -12);
        }
    }
}

static void test_error_only_needs_a_negative_code(void **state)
{
    /* GetMultiVariables answered 0x13 (a warning) with empty lists: the body is read. */
    bytes x = {.n = 0};
    put_hex(&x, "32 0000 054c 0000 0003 34 | 13 | 00 | 00 | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_false(d->ret_only);
    assert_false(d->has_iid);
    /* with code -1 (0xFFFF) it is an error-only answer: iid 0 + 5 zero bytes */
    x.n = 0;
    put_hex(&x, "32 0000 054c 0000 0003 34 | 83 ff 7f | 00 | 00 | 00000000");
    d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_true(d->ret_only);
    assert_int_equal(s7p_ret_code(d->ret), -1);
}

/* An error-only answer followed by exactly one integrity id and 4 zero bytes, e.g. `32 0000
 * 054c 0000 1234 34 | 83 ff 74 | a4 3d | 00000000` (ret -12, iid 0x123d), decodes as
 * ret_only with the integrity id, for every function with a response body. */
static void test_error_only_response_with_integrity_id(void **state)
{
    static const uint8_t versions[] = {S7P_PROTO_V2, S7P_PROTO_V3};
    for (size_t v = 0; v < sizeof versions; v++) {
        for (size_t k = 0; k < N_BODY_FUNCTIONS; k++) {
            s7p_pdu r;
            response(&r, versions[v], functions_with_response_body[k], (uint64_t)(uint16_t)-12);
            r.ret_only = true;
            r.has_iid = true;
            r.iid = 0x1234 + 9;
            if (versions[v] == S7P_PROTO_V3) {
                r.has_v3_digest = true;
                set_digest(r.v3_digest, 3);
            }
            assert_int_equal(encode_status(&r), S7P_OK);
            s7p_pdu *d = check_pdu(*state, &r);
            if (!d->ret_only) fail_msg("V%u function 0x%04x", versions[v], r.function);
            assert_true(d->has_iid);
            assert_int_equal(d->iid, 0x123d);
            assert_int_equal(s7p_ret_code(d->ret), -12);
        }
    }
    /* The example above, byte for byte. */
    bytes x = {.n = 0};
    put_hex(&x, "32 0000 054c 0000 1234 34 | 83 ff 74 | a4 3d | 00000000");
    s7p_pdu *d = check_vector(*state, &x, S7P_PROTO_V2);
    assert_true(d->ret_only);
    assert_true(d->has_iid);
    assert_int_equal(d->iid, 0x123d);
    assert_int_equal(s7p_ret_code(d->ret), -12);
}

static void test_error_only_for_function_without_layout(void **state)
{
    /* Encodable for any function; without a known layout the decoder keeps the bytes. */
    s7p_pdu r;
    response(&r, S7P_PROTO_V2, S7P_FC_ADD_LINK, (uint64_t)(uint16_t)-12);
    r.ret_only = true;
    s7p_bytes e = encode_pdu(*state, &r);
    assert_int_equal(e.n, 10 + 3 + 4);
    s7p_pdu *d = s7p_arena_alloc(*state, sizeof *d);
    assert_int_equal(s7p_pdu_decode(e.p, e.n, S7P_PROTO_V2, *state, d), S7P_OK);
    assert_int_equal(d->opaque.n, 3 + 4);
    s7p_bytes again = encode_pdu(*state, d);
    assert_int_equal(again.n, e.n);
    assert_memory_equal(again.p, e.p, e.n);
}

/* ---- responses with integrity rules ------------------------------------------------------- */

static void test_create_object_responses(void **state)
{
    s7p_arena *a = *state;
    static const uint32_t ids[] = {0x70000388u, 0x70000389u};
    s7p_pdu r;
    response(&r, S7P_PROTO_V1, S7P_FC_CREATE_OBJECT, 0x11);
    r.resp.create_object.nids = 2;
    r.resp.create_object.object_ids = (uint32_t *)ids;
    r.resp.create_object.objects = one_object(a, session_object(a));
    s7p_pdu *d = check_pdu(a, &r);
    assert_int_equal(d->resp.create_object.object_ids[1], 0x70000389u);
    assert_int_equal(d->resp.create_object.objects.n, 1);
    /* V2: ids only; an object is refused by the encoder. */
    response(&r, S7P_PROTO_V2, S7P_FC_CREATE_OBJECT, 0);
    r.resp.create_object.nids = 1;
    r.resp.create_object.object_ids = (uint32_t *)ids;
    r.has_iid = true;
    r.iid = 0x1234 + 300;
    d = check_pdu(a, &r);
    assert_int_equal(d->resp.create_object.nids, 1);
    assert_int_equal(d->iid, 0x1234 + 300);
    r.resp.create_object.objects = one_object(a, session_object(a));
    assert_int_equal(encode_status(&r), S7P_E_INVALID_ARG);
}

static void test_delete_object_response_integrity_rule(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu r;
    response(&r, S7P_PROTO_V2, S7P_FC_DELETE_OBJECT, 0);
    r.resp.delete_object.object_id = 0x7000012Au;  /* a subscription: the id is there */
    r.has_iid = true;
    r.iid = 0x1234 + 9;
    s7p_pdu *d = check_pdu(a, &r);
    assert_true(d->has_iid);
    /* The deleted session: no id, the byte after the object id is the zero fill. */
    r.resp.delete_object.object_id = 0x70000388u;
    r.has_iid = false;
    s7p_bytes e = encode_pdu(a, &r);
    assert_int_equal(e.n, 10 + 1 + 4 + 4);
    d = check_pdu(a, &r);
    assert_false(d->has_iid);
    assert_int_equal(d->fill_len, 4);
    /* A longer zero fill still holds no id: the byte after the object id is 0. */
    r.fill_len = 7;
    d = check_pdu(a, &r);
    assert_false(d->has_iid);
    assert_int_equal(d->fill_len, 7);
}

static void test_delete_object_response_error_object(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu r;
    response(&r, S7P_PROTO_V2, S7P_FC_DELETE_OBJECT,
             S7P_RET_ERROR_EXTENSION | (uint64_t)(uint16_t)-12);
    r.resp.delete_object.object_id = 0x7000012Au;
    s7p_object *err = s7p_object_new(a, 0x7000012Au, 0x2c);
    *s7p_object_add_attr(err, a, 1) = v_ws("object not found");
    r.resp.delete_object.error = one_object(a, err);
    r.has_iid = true;
    r.iid = 77;
    s7p_pdu *d = check_pdu(a, &r);
    assert_int_equal(d->resp.delete_object.error.n, 1);
    assert_int_equal(d->resp.delete_object.error.items[0]->class_id, 0x2c);
    assert_int_equal(d->iid, 77);
    /* Without the extension bit an A1 after the object id is not read as an object. */
    r.ret = (uint64_t)(uint16_t)-12;
    s7p_bytes e = encode_pdu(a, &r);
    assert_int_not_equal(decode_status(a, e.p, e.n, S7P_PROTO_V2), S7P_OK);
}

static void test_explore_response_integrity_by_version(void **state)
{
    s7p_arena *a = *state;
    s7p_object *o = s7p_object_new(a, 0x8A0E0001u, 2574);
    *s7p_object_add_attr(o, a, 233) = v_ws("DB1");
    s7p_pdu r;
    /* V2 with a response integrity id (its first byte is neither A1 nor 00) and objects */
    response(&r, S7P_PROTO_V2, S7P_FC_EXPLORE, 0);
    r.resp.explore.explore_id = 0x8A0E0001u;
    r.resp.explore.has_resp_iid = true;
    r.resp.explore.resp_iid = 0x1234 + 12;
    r.resp.explore.objects = one_object(a, o);
    r.has_iid = true;
    r.iid = 0x1234 + 12;
    s7p_pdu *d = check_pdu(a, &r);
    assert_true(d->resp.explore.has_resp_iid);
    assert_int_equal(d->resp.explore.resp_iid, 0x1234 + 12);
    assert_int_equal(d->resp.explore.objects.n, 1);
    /* V2 without: the object follows the explore id directly */
    r.resp.explore.has_resp_iid = false;
    d = check_pdu(a, &r);
    assert_false(d->resp.explore.has_resp_iid);
    /* V2 without objects and without the id: only the fill follows */
    r.resp.explore.objects.n = 0;
    r.has_iid = false;
    d = check_pdu(a, &r);
    assert_false(d->resp.explore.has_resp_iid);
    assert_false(d->has_iid);
    /* V3 always has it, even before the fill */
    response(&r, S7P_PROTO_V3, S7P_FC_EXPLORE, 0);
    r.has_v3_digest = true;
    set_digest(r.v3_digest, 9);
    r.resp.explore.explore_id = 3;
    r.resp.explore.has_resp_iid = true;
    r.resp.explore.resp_iid = 0;
    d = check_pdu(a, &r);
    assert_true(d->resp.explore.has_resp_iid);
    assert_int_equal(d->resp.explore.resp_iid, 0);
    /* V1 never */
    response(&r, S7P_PROTO_V1, S7P_FC_EXPLORE, 0);
    r.resp.explore.has_resp_iid = true;
    assert_int_equal(encode_status(&r), S7P_E_INVALID_ARG);
}

/* ---- notifications ------------------------------------------------------------------------ */

static s7p_notif_item *notif_item(s7p_notif_list *l, s7p_arena *a, uint8_t code, uint32_t ref)
{
    s7p_notif_item *it = s7p_arena_alloc(a, sizeof *it);
    assert_non_null(it);
    it->code = code;
    it->ref = ref;
    if (l->last) l->last->next = it; else l->first = it;
    l->last = it;
    l->n++;
    return it;
}

static void notification(s7p_pdu *p, uint8_t version)
{
    memset(p, 0, sizeof *p);
    p->version = version;
    p->opcode = S7P_OP_NOTIFICATION;
    p->fill_len = 4;
}

static void test_notification_every_item_code(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    notification(&p, S7P_PROTO_V2);
    s7p_notification *n = &p.notif;
    n->object_id = 0x7000012Au;
    n->unknown2 = 0x0400;
    n->unknown3 = 0x0001;
    n->unknown4 = 0x0002;
    n->credit_tick = 3;
    n->seq = 300;
    n->has_timestamp = true;
    n->timestamp_us = 0x0005F0A12B3C4D01ull;
    n->change_counter = 1;
    notif_item(&n->items, a, S7P_NI_VALUE_REF32, 0xffffffffu)->value = v_i(S7P_DT_INT, 1001);
    notif_item(&n->items, a, S7P_NI_VALUE, 2)->value = v_i(S7P_DT_DINT, 42);
    s7p_value st = v_struct(a, 0x9000);
    add_member(&st.v.st->members, a, 1, v_u(S7P_DT_BOOL, 1));
    notif_item(&n->items, a, S7P_NI_VALUE, 3)->value = st;
    notif_item(&n->items, a, S7P_NI_STATUS_TABLE, 0x01020304u);
    notif_item(&n->items, a, S7P_NI_ERROR_1200, 4);
    notif_item(&n->items, a, S7P_NI_ERROR_1500, 5);
    notif_item(&n->items, a, S7P_NI_VALUE_V1, 0)->value = v_ws("v1");
    s7p_object *o = s7p_object_new(a, 0x7000012Au, 2681);
    *s7p_object_add_attr(o, a, 1) = v_u(S7P_DT_UDINT, 7);
    notif_item(&n->items, a, S7P_NI_OBJECT, 0)->object = o;
    s7p_pdu *d = check_pdu(a, &p);
    const s7p_notification *dn = &d->notif;
    assert_int_equal(dn->unknown3, 1);
    assert_int_equal(dn->unknown4, 2);
    assert_int_equal(dn->credit_tick, 3);
    assert_int_equal(dn->seq, 300);
    assert_true(dn->has_timestamp);
    assert_true(dn->timestamp_us == n->timestamp_us);
    assert_int_equal(dn->items.n, 8);
    static const uint8_t codes[] = {0x92, 0x9b, 0x9b, 0x9c, 0x13, 0x03, 0x83, 0x81};
    const s7p_notif_item *it = dn->items.first;
    for (size_t k = 0; k < sizeof codes; k++, it = it->next) {
        assert_non_null(it);
        assert_int_equal(it->code, codes[k]);
    }
    assert_int_equal(dn->items.first->next->value.v.i, 42);
    assert_int_equal(dn->items.first->next->next->next->ref, 0x01020304u);
    assert_int_equal(dn->items.last->object->class_id, 2681);
}

static void test_notification_without_timestamp(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    notification(&p, S7P_PROTO_V2);
    p.notif.object_id = 0x70000400u;
    p.notif.unknown2 = 0x0400;
    p.notif.seq = 7;
    p.notif.change_counter = 2;
    notif_item(&p.notif.items, a, S7P_NI_VALUE, 1)->value = v_u(S7P_DT_BOOL, 0);
    s7p_pdu *d = check_pdu(a, &p);
    assert_false(d->notif.has_timestamp);
    assert_int_equal(d->notif.change_counter, 2);
    /* Without a timestamp the change counter cannot be 0 (it would read as one). */
    p.notif.change_counter = 0;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
    /* A timestamp whose top byte is not 0 could not be recognised. */
    p.notif.has_timestamp = true;
    p.notif.timestamp_us = 0x0100000000000000ull;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
}

static void test_notification_old_short_header_limits(void **state)
{
    s7p_pdu p;
    notification(&p, S7P_PROTO_V2);
    p.notif.object_id = 0x1000006a;
    p.notif.unknown2 = 0x0400;
    p.notif.seq = 255;
    p.notif.change_counter = 0;  /* allowed in the short header */
    s7p_pdu *d = check_pdu(*state, &p);
    assert_int_equal(d->notif.seq, 255);
    assert_int_equal(d->notif.change_counter, 0);
    p.notif.seq = 256;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
    p.notif.seq = 1;
    p.notif.has_timestamp = true;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
}

static void test_notification_part2(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    notification(&p, S7P_PROTO_V2);
    p.notif.object_id = 0x7000012Au;
    p.notif.unknown2 = 0x0400;
    p.notif.seq = 9;
    p.notif.change_counter = 1;
    p.notif.has_part2 = true;
    p.notif.object_id2 = 0x7000012Bu;
    p.notif.unknown5 = 0x0203;
    s7p_object *o = s7p_object_new(a, 0x7000012Bu, 2681);
    *s7p_object_add_attr(o, a, 7731) = v_u(S7P_DT_UDINT, 1);
    notif_item(&p.notif.items2, a, S7P_NI_OBJECT, 0)->object = o;
    s7p_pdu *d = check_pdu(a, &p);
    assert_true(d->notif.has_part2);
    assert_int_equal(d->notif.object_id2, 0x7000012Bu);
    assert_int_equal(d->notif.unknown5, 0x0203);
    assert_int_equal(d->notif.items.n, 0);
    assert_int_equal(d->notif.items2.n, 1);
    assert_int_equal(d->notif.items2.first->object->class_id, 2681);
    p.notif.object_id2 = 0x00FFFFFFu;  /* top byte 0: would read as the end */
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
}

static void test_notification_v1(void **state)
{
    s7p_arena *a = *state;
    s7p_pdu p;
    notification(&p, S7P_PROTO_V1);
    p.notif.object_id = 0x1000006a;
    p.notif.v1_unknown2 = 0x11;
    p.notif.v1_has_items = true;
    p.notif.v1_unknown3 = 0x22;
    p.notif.v1_unknown4 = 0x33;
    notif_item(&p.notif.items, a, S7P_NI_VALUE_V1, 0)->value = v_u(S7P_DT_UINT, 5);
    s7p_pdu *d = check_pdu(a, &p);
    assert_true(d->notif.v1_has_items);
    assert_int_equal(d->notif.v1_unknown3, 0x22);
    assert_int_equal(d->notif.v1_unknown4, 0x33);
    assert_int_equal(d->notif.items.first->value.v.u, 5);
    p.notif.v1_has_items = false;
    d = check_pdu(a, &p);
    assert_false(d->notif.v1_has_items);
    assert_int_equal(d->notif.items.n, 0);
}

static void test_notification_unknown_layout_kept_raw(void **state)
{
    s7p_pdu p;
    notification(&p, S7P_PROTO_V2);
    p.notif.object_id = 0x7000012Au;
    p.notif.unknown2 = 0x0300;
    static const uint8_t raw[] = {0x01, 0x02, 0x9b, 0xff, 0x00, 0x00, 0x00, 0x00, 0x05};
    p.notif.raw.p = raw;
    p.notif.raw.n = sizeof raw;
    p.fill_len = 0;
    s7p_pdu *d = check_pdu(*state, &p);
    assert_int_equal(d->notif.raw.n, sizeof raw);
    assert_memory_equal(d->notif.raw.p, raw, sizeof raw);
}

static void test_notification_unknown_item_code(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "33 | 7000012a | 0400 | 0000 | 0000 | 00 | 01 | 01 | 9d 00 | 00 | 00000000");
    assert_int_equal(decode_status(*state, x.b, x.n, S7P_PROTO_V2), S7P_E_PROTOCOL);
    s7p_pdu p;
    notification(&p, S7P_PROTO_V2);
    p.notif.object_id = 0x7000012Au;
    p.notif.unknown2 = 0x0400;
    p.notif.change_counter = 1;
    notif_item(&p.notif.items, *state, 0x9d, 1);
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
}

/* After a notification's items a non-zero byte means "part 2", so no integrity id can
 * follow them: the encoder refuses a notification with has_iid. */
static void test_notification_with_integrity_id_refused(void **state)
{
    static const uint8_t versions[] = {S7P_PROTO_V2, S7P_PROTO_V3};
    for (size_t v = 0; v < sizeof versions; v++) {
        s7p_pdu p;
        notification(&p, versions[v]);
        p.notif.object_id = 0x7000012Au;
        p.notif.unknown2 = 0x0400;
        p.notif.seq = 1;
        p.notif.change_counter = 1;
        if (versions[v] == S7P_PROTO_V3) {
            p.has_v3_digest = true;
            set_digest(p.v3_digest, 3);
        }
        p.has_iid = true;
        p.iid = 5;
        assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
        /* The same notification without the id is fine. */
        p.has_iid = false;
        s7p_pdu *d = check_pdu(*state, &p);
        assert_false(d->notif.has_part2);
    }
}

/* ---- tail rules ---------------------------------------------------------------------------- */

static void end_sequence_request(s7p_pdu *p, uint8_t version)
{
    request(p, version, S7P_FC_END_SEQUENCE);
    if (version == S7P_PROTO_V3) {
        p->has_v3_digest = true;
        set_digest(p->v3_digest, 0x33);
    }
}

static void test_tail_integrity_id_present_and_absent(void **state)
{
    s7p_pdu p;
    end_sequence_request(&p, S7P_PROTO_V2);
    s7p_bytes e = encode_pdu(*state, &p);
    assert_int_equal(e.n, 14 + 2 + 4);
    s7p_pdu *d = check_pdu(*state, &p);
    assert_false(d->has_iid);
    /* every VLQ length of the id */
    static const uint32_t ids[] = {1, 127, 128, 16384, 0x200000, 0xFFFFFFFFu};
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        p.has_iid = true;
        p.iid = ids[k];
        d = check_pdu(*state, &p);
        assert_true(d->has_iid);
        assert_int_equal(d->iid, ids[k]);
    }
}

static void test_tail_old_firmware_digest_replaces_fill(void **state)
{
    s7p_pdu p;
    end_sequence_request(&p, S7P_PROTO_V2);
    p.has_iid = true;
    p.iid = 6;
    p.has_digest = true;
    set_digest(p.digest, 0x84);
    p.fill_len = 0;
    s7p_bytes e = encode_pdu(*state, &p);
    assert_int_equal(e.n, 14 + 2 + 1 + 33);
    assert_int_equal(e.p[17], 0x20);
    s7p_pdu *d = check_pdu(*state, &p);
    assert_memory_equal(d->digest, p.digest, S7P_DIGEST_LEN);
    /* V1: a bare digest, never an id. */
    end_sequence_request(&p, S7P_PROTO_V1);
    p.has_digest = true;
    set_digest(p.digest, 0x20);
    p.fill_len = 0;
    d = check_pdu(*state, &p);
    assert_false(d->has_iid);
    assert_true(d->has_digest);
    /* A digest field with a length other than 32 is refused. */
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 0560 0000 0001 00000001 34 | 0000 | 06 | 1f");
    for (int i = 0; i < 32; i++) put_hex(&x, "aa");
    assert_int_equal(decode_status(*state, x.b, x.n, S7P_PROTO_V2), S7P_E_PROTOCOL);
}

static void test_tail_v3_leading_digest(void **state)
{
    s7p_pdu p;
    end_sequence_request(&p, S7P_PROTO_V3);
    s7p_pdu *d = check_pdu(*state, &p);
    assert_true(d->has_v3_digest);
    assert_false(d->has_iid);
    p.has_iid = true;
    p.iid = 0x10;
    d = check_pdu(*state, &p);
    assert_int_equal(d->iid, 0x10);
    assert_memory_equal(d->v3_digest, p.v3_digest, S7P_DIGEST_LEN);
    /* The encoder needs the digest; the decoder needs length byte 0x20. */
    p.has_v3_digest = false;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
    p.has_v3_digest = true;
    s7p_bytes e = encode_pdu(*state, &p);
    uint8_t *bad = s7p_arena_alloc(*state, e.n);
    memcpy(bad, e.p, e.n);
    bad[0] = 0x1f;
    assert_int_equal(decode_status(*state, bad, e.n, S7P_PROTO_V3), S7P_E_PROTOCOL);
    /* A V2 PDU is not a V3 one. */
    end_sequence_request(&p, S7P_PROTO_V2);
    e = encode_pdu(*state, &p);
    assert_int_equal(decode_status(*state, e.p, e.n, S7P_PROTO_V3), S7P_E_PROTOCOL);
}

static void test_tail_nonzero_fill_rejected(void **state)
{
    static const uint8_t versions[] = {S7P_PROTO_V1, S7P_PROTO_V2, S7P_PROTO_V3};
    for (size_t v = 0; v < sizeof versions; v++) {
        s7p_pdu p;
        end_sequence_request(&p, versions[v]);
        s7p_bytes e = encode_pdu(*state, &p);
        for (size_t i = e.n - 4; i < e.n; i++) {
            uint8_t *bad = s7p_arena_alloc(*state, e.n);
            memcpy(bad, e.p, e.n);
            bad[i] = 0x01;
            if (decode_status(*state, bad, e.n, versions[v]) != S7P_E_PROTOCOL)
                fail_msg("V%u: fill byte %zu accepted", versions[v], i - (e.n - 4));
        }
    }
}

static void test_tail_short_and_long_fills(void **state)
{
    s7p_pdu p;
    end_sequence_request(&p, S7P_PROTO_V2);
    for (uint8_t fill = 0; fill <= 4; fill++) {
        p.fill_len = fill;
        s7p_pdu *d = check_pdu(*state, &p);
        assert_int_equal(d->fill_len, fill);
    }
    /* 5..31 zero bytes: the first is read as integrity id 0 */
    p.fill_len = 20;
    s7p_bytes e = encode_pdu(*state, &p);
    s7p_pdu *d = s7p_arena_alloc(*state, sizeof *d);
    assert_int_equal(s7p_pdu_decode(e.p, e.n, S7P_PROTO_V2, *state, d), S7P_OK);
    assert_true(d->has_iid);
    assert_int_equal(d->iid, 0);
    assert_int_equal(d->fill_len, 19);
    /* 32 or more zero bytes would need a digest */
    p.fill_len = 40;
    e = encode_pdu(*state, &p);
    assert_int_equal(decode_status(*state, e.p, e.n, S7P_PROTO_V2), S7P_E_PROTOCOL);
}

static void test_tail_v3_long_fill(void **state)
{
    s7p_pdu p;
    end_sequence_request(&p, S7P_PROTO_V3);
    p.fill_len = 200;
    s7p_bytes e = encode_pdu(*state, &p);
    s7p_pdu *d = s7p_arena_alloc(*state, sizeof *d);
    assert_int_equal(s7p_pdu_decode(e.p, e.n, S7P_PROTO_V3, *state, d), S7P_OK);
    assert_true(d->has_iid);  /* V3: more than 4 bytes left means an id */
    assert_int_equal(d->iid, 0);
    assert_int_equal(d->fill_len, 199);
    /* More than 255 zero bytes cannot be a fill. */
    size_t n = 33 + 14 + 2 + 1 + 256;
    uint8_t *b = s7p_arena_alloc(*state, n);
    memset(b, 0, n);
    memcpy(b, e.p, 33 + 14 + 2);
    assert_int_equal(decode_status(*state, b, n, S7P_PROTO_V3), S7P_E_PROTOCOL);
    assert_int_equal(decode_status(*state, b, n - 1, S7P_PROTO_V3), S7P_OK);
}

static void test_bad_header_fields(void **state)
{
    bytes x = {.n = 0};
    put_hex(&x, "34 0000 0560 0000 0001 00000001 34 0000 00000000");
    assert_int_equal(decode_status(*state, x.b, x.n, S7P_PROTO_V2), S7P_E_PROTOCOL);
    x.b[0] = 0x31;
    assert_int_equal(decode_status(*state, x.b, x.n, S7P_PROTO_V2), S7P_OK);
    assert_int_equal(decode_status(*state, x.b, x.n, 0), S7P_E_PROTOCOL);
    assert_int_equal(decode_status(*state, x.b, x.n, 4), S7P_E_PROTOCOL);
    assert_int_equal(decode_status(*state, x.b, x.n, S7P_PROTO_SYSTEM_EVENT), S7P_E_PROTOCOL);
    assert_int_equal(decode_status(*state, x.b, 0, S7P_PROTO_V2), S7P_E_PROTOCOL);
    s7p_pdu p;
    end_sequence_request(&p, S7P_PROTO_V2);
    p.version = 4;
    assert_int_equal(encode_status(&p), S7P_E_INVALID_ARG);
}

static void test_body_bytes_left_over_rejected(void **state)
{
    /* EndSequence has a 2-byte body; a third byte that is not zero cannot be explained. */
    bytes x = {.n = 0};
    put_hex(&x, "31 0000 0560 0000 0001 00000001 34 | 0000 | 07 | 00000000");
    s7p_pdu *d = s7p_arena_alloc(*state, sizeof *d);
    assert_int_equal(s7p_pdu_decode(x.b, x.n, S7P_PROTO_V2, *state, d), S7P_OK);
    assert_true(d->has_iid);  /* 5 bytes left: the 07 is the integrity id */
    x.n = 0;
    put_hex(&x, "31 0000 0560 0000 0001 00000001 34 | 0000 | 07 | 000000");
    assert_int_equal(decode_status(*state, x.b, x.n, S7P_PROTO_V2), S7P_E_PROTOCOL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_init_ssl_request_spec_bytes),
        TEST(test_init_ssl_response_spec_bytes),
        TEST(test_create_object_response_frame7),
        TEST(test_set_multi_response_frame10),
        TEST(test_delete_object_request_frame15),
        TEST(test_delete_object_response_frame16_digest_only),
        TEST(test_get_multi_request_capture),
        TEST(test_get_multi_request_link_id_capture),
        TEST(test_get_multi_response_capture),
        TEST(test_get_multi_old_firmware_tail_capture),
        TEST(test_set_variable_capture_and_response2),
        TEST(test_delete_object_capture_without_integrity),
        TEST(test_create_object_v2_response_capture),
        TEST(test_explore_request_capture),
        TEST(test_explore_response_capture),
        TEST(test_get_link_capture),
        TEST(test_get_var_sub_streamed_captures),
        TEST(test_sequence_captures),
        TEST(test_notification_short_header_capture),
        TEST(test_notification_modern_spec_example),
        TEST(test_create_object_v1_session_request),
        TEST(test_create_object_v2_inline_integrity_id),
        TEST(test_create_object_v3_with_leading_digest),
        TEST(test_delete_object_request),
        TEST(test_qualifier_read_only_above_ten_bytes),
        TEST(test_explore_request_with_filter_block),
        TEST(test_explore_request_five_zero_bytes),
        TEST(test_get_multi_request_by_address),
        TEST(test_get_multi_request_by_link_id_v3),
        TEST(test_get_multi_response_values_and_errors),
        TEST(test_set_multi_request_by_address),
        TEST(test_set_multi_request_object_attributes),
        TEST(test_set_multi_response_errors),
        TEST(test_set_variable_request_and_response),
        TEST(test_get_variable_request_and_response),
        TEST(test_get_var_sub_streamed_struct_u32_ids),
        TEST(test_set_var_sub_streamed_request_and_response),
        TEST(test_get_link_request_and_response),
        TEST(test_begin_sequence_forms),
        TEST(test_begin_sequence_response_versions),
        TEST(test_end_sequence_request_and_response),
        TEST(test_invoke_request_and_responses),
        TEST(test_error_responses),
        TEST(test_unknown_function_is_opaque),
        TEST(test_error_only_response_every_function),
        TEST(test_error_only_needs_a_negative_code),
        TEST(test_error_only_response_with_integrity_id),
        TEST(test_error_only_for_function_without_layout),
        TEST(test_create_object_responses),
        TEST(test_delete_object_response_integrity_rule),
        TEST(test_delete_object_response_error_object),
        TEST(test_explore_response_integrity_by_version),
        TEST(test_notification_every_item_code),
        TEST(test_notification_without_timestamp),
        TEST(test_notification_old_short_header_limits),
        TEST(test_notification_part2),
        TEST(test_notification_v1),
        TEST(test_notification_unknown_layout_kept_raw),
        TEST(test_notification_unknown_item_code),
        TEST(test_notification_with_integrity_id_refused),
        TEST(test_tail_integrity_id_present_and_absent),
        TEST(test_tail_old_firmware_digest_replaces_fill),
        TEST(test_tail_v3_leading_digest),
        TEST(test_tail_nonzero_fill_rejected),
        TEST(test_tail_short_and_long_fills),
        TEST(test_tail_v3_long_fill),
        TEST(test_bad_header_fields),
        TEST(test_body_bytes_left_over_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* The handshake codec: the authenticating SetMultiVariables rebuilt byte for byte from the
 * TIA Portal capture in HarpoS7's PoC (HarpoS7.PoC/Packets/SetMultiVarsRequest.cs, family 0,
 * blob = known answer case 1), the server side reading it back and opening the blob with the
 * simulator's test key, the hello from a CreateObject session object, variant selection and
 * the per-packet digest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "legacy/handshake.h"
#include "vectors.h"

/* Data part of the captured V2 frame (between `72 02 01 77` and the trailer). */
static const char POC_FAMILY0[] =
    "3100000542000000027000103D347000103D02028E268232010017000007088E090004008E0A0002008E0B0017000007"
    "218E2200058C86EFB0C29FA296948E230004108E24000400008E0C0017000007218E2200059DF98185F1ECE28C4E8E23"
    "00048480018E24000400008E0D0014008134ADDEE1FEB400000001000000010000004E0C313B5E08E43B010000000000"
    "00009416D147087B1B181000000000000000793C08F6E8ED43D9AACE705E868D23DF19B9075197561ECB1AA3EF707A7A"
    "CF18A7D529FE219D55E72D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2D2525252525252525252525252525252505C6"
    "087CF782DBA39E21BAFA8F31B324BF5800164BBC3DDE0D15D69DB76546F4491CA34FEF12F959EC900F005F36DD389040"
    "761EF2B856D6000200170000013A823B00048400823C00048400823D000484818240823E000484818240823F00150082"
    "400015008241000300030000000004E88969001200000000896A001300896B0004000000000000"
;

static void fill_case1(s7p_legacy_client_random *r)
{
    memset(r->key1, 0x35, sizeof r->key1);
    memset(r->key2, 0x35, sizeof r->key2);
    memset(r->iv, 0x25, sizeof r->iv);
    memset(r->blinding, 0x2D, sizeof r->blinding);
    memset(r->scalar, 0x2D, sizeof r->scalar);
}

static void test_auth_request_matches_capture(void **state)
{
    (void)state;
    uint8_t cap[375], out[512], ch[20], blob[180], session[24], id[8];
    assert_true(lv_unhex(POC_FAMILY0, cap, sizeof cap));
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    s7p_pdu got, built;
    assert_int_equal(s7p_pdu_decode(cap, sizeof cap, S7P_PROTO_V2, &a, &got), S7P_OK);
    const s7p_value *ver = s7p_idlist_find(&got.req.set_multi.values, 2);
    assert_non_null(ver);

    const s7p_legacy_pubkey *pk = s7p_legacy_catalog_find(0, 0x181B7B0847D11694ull);
    assert_non_null(pk);
    s7p_legacy_client_random r;
    fill_case1(&r);
    memset(ch, 0xDD, sizeof ch);
    assert_int_equal(s7p_legacy_blob_build(0, pk->key, ch, &r, blob, session), S7P_OK);
    assert_int_equal(s7p_legacy_key_id(r.key2, id), S7P_OK);
    /* The template's symmetric id is key2's (its blob is case 1), see docs/protocol.md. */
    s7p_legacy_auth_params p = {
        .session_id = 0x7000103D, .seq = 2, .variant = S7P_LEGACY_VARIANT_PLAIN, .version = ver,
        .key = {.pub_id = pk->id, .pub_flags = s7p_legacy_pub_flags(0),
                .sym_id = s7p_legacy_key_id_u64(id), .sym_flags = s7p_legacy_struct_sym_flags(0),
                .blob = {blob, sizeof blob}},
    };
    assert_int_equal(s7p_legacy_auth_request(&a, &p, &built), S7P_OK);
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_true(s7p_pdu_encode(&w, &built));
    assert_int_equal(w.len, sizeof cap);
    assert_memory_equal(out, cap, sizeof cap);

    /* Server side: the struct back, and the blob opens only with the key it names. */
    s7p_legacy_security_key k;
    assert_int_equal(s7p_legacy_security_key_read(s7p_idlist_find(&got.req.set_multi.values, 1), &k), S7P_OK);
    assert_true(k.pub_id == 0x181B7B0847D11694ull);
    assert_int_equal(k.pub_flags, 0x010);
    assert_int_equal(k.sym_flags, 0x10001);
    assert_int_equal(k.blob.n, 180);
    assert_memory_equal(k.blob.p, blob, 180);
    uint8_t key2[24], sk2[24];
    assert_int_equal(s7p_legacy_blob_open(s7p_legacy_test_server_key(), ch, k.blob.p, k.blob.n, key2, sk2),
                     S7P_E_PROTOCOL);
    s7p_arena_release(&a);
}

/* Client and simulator agree through the codec with the test key; tampering is rejected. */
static void test_roundtrip_with_test_key(void **state)
{
    (void)state;
    s7p_legacy_pubkey pk;
    s7p_legacy_test_pubkey(&pk);
    const s7p_legacy_server_key *sk = s7p_legacy_test_server_key();
    uint8_t idb[8], ch[20], key2[24], session[24];
    assert_int_equal(s7p_legacy_key_id(sk->pubkey, idb), S7P_OK);
    assert_true(s7p_legacy_key_id_u64(idb) == pk.id);
    assert_null(s7p_legacy_catalog_find(pk.family, pk.id));
    for (int i = 0; i < 20; i++) ch[i] = (uint8_t)(i * 7 + 1);
    s7p_legacy_client_random r;
    assert_int_equal(s7p_legacy_random(&r), S7P_OK);
    s7p_legacy_client_result res;
    assert_int_equal(s7p_legacy_client_compute(&pk, ch, &r, &res), S7P_OK);
    assert_int_equal(s7p_legacy_blob_open(sk, ch, res.blob, res.key.blob.n, key2, session), S7P_OK);
    assert_memory_equal(key2, r.key2, 24);
    assert_memory_equal(session, res.session_key, 24);
    uint8_t sid[8];
    assert_int_equal(s7p_legacy_key_id(res.session_key, sid), S7P_OK);
    assert_true(res.key.sym_id == s7p_legacy_key_id_u64(sid));

    for (size_t i = 0; i < res.key.blob.n; i++) {      /* every single flipped bit fails */
        uint8_t bad[180];
        memcpy(bad, res.blob, sizeof bad);
        bad[i] ^= (uint8_t)(1u << (i % 8));
        if (i >= 88 && i < 108) continue;               /* the blinding bytes are not checked */
        assert_int_equal(s7p_legacy_blob_open(sk, ch, bad, sizeof bad, key2, session), S7P_E_PROTOCOL);
    }
    uint8_t other[20];
    memcpy(other, ch, sizeof other);
    other[5] ^= 1;                                      /* another session's challenge */
    assert_int_equal(s7p_legacy_blob_open(sk, other, res.blob, res.key.blob.n, key2, session), S7P_E_PROTOCOL);
    assert_int_equal(s7p_legacy_blob_open(sk, ch, res.blob, 179, key2, session), S7P_E_PROTOCOL);
}

static s7p_value *attr(s7p_object *o, s7p_arena *a, uint32_t id, uint8_t type)
{
    s7p_value *v = s7p_object_add_attr(o, a, id);
    assert_non_null(v);
    v->type = type;
    return v;
}

static void test_server_hello(void **state)
{
    (void)state;
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    s7p_object *o = s7p_object_new(&a, 0x7000103D, S7P_ID_CLASS_SERVER_SESSION);
    uint8_t ch[20];
    for (int i = 0; i < 20; i++) ch[i] = (uint8_t)(0xA0 + i);
    static const char fp[] = "00:181B7B0847D11694", paom[] = "1;6ES7 5xx;V3.1";
    s7p_value *v = attr(o, &a, S7P_ID_OBJECT_VARIABLE_TYPE_NAME, S7P_DT_WSTRING);
    v->v.s.p = (const uint8_t *)fp;
    v->v.s.n = strlen(fp);
    s7p_legacy_server_hello h;
    assert_int_equal(s7p_legacy_server_hello_read(o, &h), S7P_E_NOT_FOUND);  /* no challenge */
    v = attr(o, &a, S7P_ID_SERVER_SESSION_CHALLENGE, S7P_DT_USINT);
    v->flags = S7P_VF_ARRAY;
    v->count = 20;
    v->v.s.p = ch;
    v->v.s.n = 20;
    assert_int_equal(s7p_legacy_server_hello_read(o, &h), S7P_E_PROTOCOL);   /* no version */
    v = attr(o, &a, S7P_ID_SESSION_VERSION_STRUCT, S7P_DT_STRUCT);
    v->v.st = s7p_arena_alloc(&a, sizeof *v->v.st);
    memset(v->v.st, 0, sizeof *v->v.st);
    v->v.st->id = S7P_ID_SESSION_VERSION_STRUCT;
    s7p_value *pv = s7p_idlist_add(&v->v.st->members, &a, S7P_ID_SYSTEM_PAOM_STRING);
    pv->type = S7P_DT_WSTRING;
    pv->v.s.p = (const uint8_t *)paom;
    pv->v.s.n = strlen(paom);
    assert_int_equal(s7p_legacy_server_hello_read(o, &h), S7P_OK);
    assert_memory_equal(h.challenge, ch, 20);
    assert_int_equal(h.fingerprint.family, 0);
    assert_true(h.fingerprint.has_id && h.fingerprint.id == 0x181B7B0847D11694ull);
    assert_int_equal(h.paom.n, strlen(paom));
    assert_int_equal(s7p_legacy_select_variant(0, 0x7000103D, h.paom), S7P_LEGACY_VARIANT_ROLE);
    assert_int_equal(s7p_legacy_select_variant(0, 0x0000103D, h.paom), S7P_LEGACY_VARIANT_PLAIN);
    assert_int_equal(s7p_legacy_select_variant(1, 0x7000103D, h.paom), S7P_LEGACY_VARIANT_PLAIN);
    assert_int_equal(s7p_legacy_select_variant(3, 0x7000103D, h.paom), S7P_LEGACY_VARIANT_ROLE);
    s7p_bytes v2 = {(const uint8_t *)"1;6ES7;V2.9", 11};
    assert_int_equal(s7p_legacy_select_variant(0, 0x7000103D, v2), S7P_LEGACY_VARIANT_PLAIN);
    s7p_arena_release(&a);
}

static void test_digest_sign_verify(void **state)
{
    (void)state;
    uint8_t key[24], data[33 + 47];
    memset(key, 0x42, sizeof key);
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)i;
    assert_int_equal(s7p_legacy_digest_sign(key, data, sizeof data), S7P_OK);
    assert_int_equal(data[0], 0x20);
    assert_int_equal(s7p_legacy_digest_verify(key, data, sizeof data), S7P_OK);
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] ^= 0x10;
        assert_int_equal(s7p_legacy_digest_verify(key, data, sizeof data), S7P_E_PROTOCOL);
        data[i] ^= 0x10;
    }
    key[23] ^= 1;
    assert_int_equal(s7p_legacy_digest_verify(key, data, sizeof data), S7P_E_PROTOCOL);
    assert_int_equal(s7p_legacy_digest_verify(key, data, 32), S7P_E_PROTOCOL);
}

static void test_refresh_requests_encode(void **state)
{
    (void)state;
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    s7p_pdu req, back;
    uint8_t buf[512], blob[180] = {1, 2, 3};
    assert_true(s7p_legacy_refresh_challenge_request(&a, 0x70000123, &req));
    req.has_iid = true;
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_pdu_encode(&w, &req));
    assert_int_equal(s7p_pdu_decode(buf, w.len, S7P_PROTO_V3, &a, &back), S7P_OK);
    assert_int_equal(back.function, S7P_FC_GET_VAR_SUB_STREAMED);
    assert_int_equal(s7p_value_elem_u64(&back.req.var_sub_streamed.value, 0), 303);

    s7p_legacy_security_key k = {.pub_id = 7, .pub_flags = 0x10, .sym_id = 9, .sym_flags = 0x10001,
                                 .blob = {blob, sizeof blob}}, k2;
    assert_true(s7p_legacy_refresh_key_request(&a, 0x70000123, &k, &req));
    req.has_iid = true;
    w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_pdu_encode(&w, &req));
    assert_int_equal(s7p_pdu_decode(buf, w.len, S7P_PROTO_V3, &a, &back), S7P_OK);
    assert_int_equal(back.req.set_variable.addresses[0], 1830);
    assert_int_equal(s7p_legacy_security_key_read(&back.req.set_variable.value, &k2), S7P_OK);
    assert_true(k2.pub_id == 7 && k2.sym_id == 9 && k2.blob.n == 180);
    s7p_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_request_matches_capture),
        cmocka_unit_test(test_roundtrip_with_test_key),
        cmocka_unit_test(test_server_hello),
        cmocka_unit_test(test_digest_sign_verify),
        cmocka_unit_test(test_refresh_requests_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

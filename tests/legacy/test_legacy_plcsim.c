/* SPDX-License-Identifier: MIT */
/* Family 03 (PLCSIM): the client's blob opens with the simulator's TEST key pair and gives
 * both sides the same session key (from key1, not key2); every flipped bit of the blob, a
 * wrong challenge or length is refused; the blob's seed part is the known-answer seed
 * function's (test_legacy_plcsim_vectors); the client picks the family's catalog keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "legacy/handshake.h"
#include "legacy/plcsim.h"

static void challenge(uint8_t ch[20])
{
    for (int i = 0; i < 20; i++) ch[i] = (uint8_t)(i * 11 + 3);
}

static void test_test_key_pair(void **state)
{
    (void)state;
    const s7p_legacy_plcsim_server_key *sk = s7p_legacy_plcsim_test_server_key();
    s7p_legacy_pubkey pk;
    s7p_legacy_plcsim_test_pubkey(&pk);
    uint8_t pub[64], id[8];
    assert_int_equal(s7p_legacy_p256_mul(sk->private_key, NULL, pub), S7P_OK);  /* d*G */
    assert_memory_equal(pub, sk->pubkey, 64);
    assert_memory_equal(pk.key, sk->pubkey, 64);
    assert_true(pk.family == S7P_LEGACY_FAMILY_PLCSIM && pk.len == 64);
    assert_int_equal(s7p_legacy_key_id(sk->pubkey, id), S7P_OK);
    assert_true(s7p_legacy_key_id_u64(id) == pk.id && pk.id == 0x25E216899D5A17CAull);
    assert_null(s7p_legacy_catalog_find(pk.family, pk.id));  /* not a PLCSIM key */
}

static void test_blob_roundtrip(void **state)
{
    (void)state;
    s7p_legacy_pubkey pk;
    s7p_legacy_plcsim_test_pubkey(&pk);
    const s7p_legacy_plcsim_server_key *sk = s7p_legacy_plcsim_test_server_key();
    uint8_t ch[20], key1[24], session[24], other[24];
    challenge(ch);
    s7p_legacy_client_random r;
    assert_int_equal(s7p_legacy_random(&r), S7P_OK);
    s7p_legacy_client_result res;
    assert_int_equal(s7p_legacy_client_compute(&pk, ch, &r, &res), S7P_OK);
    assert_int_equal(res.key.blob.n, 216);
    assert_true(res.key.pub_flags == 0x310 && res.key.sym_flags == 0x10301);
    s7p_legacy_blob_header h;
    assert_int_equal(s7p_legacy_blob_header_decode(res.blob, 216, &h), S7P_OK);
    assert_true(h.magic == 0xFEE1DEADu && h.length == 216 && h.sym_flags == 0x301 &&
                h.pub_flags == 0x310);
    /* Server side: key1 and the same session key, which is key1's HMAC, not key2's. */
    assert_int_equal(s7p_legacy_plcsim_blob_open(sk, ch, res.blob, 216, key1, session), S7P_OK);
    assert_memory_equal(key1, r.key1, 24);
    assert_memory_equal(session, res.session_key, 24);
    assert_int_equal(s7p_legacy_session_key(r.key1, ch, other), S7P_OK);
    assert_memory_equal(other, session, 24);
    assert_int_equal(s7p_legacy_session_key(r.key2, ch, other), S7P_OK);
    assert_memory_not_equal(other, session, 24);
    /* The seed part is the seed function's, with the challenge key of key2. */
    uint8_t ck[16], seed[96];
    assert_int_equal(s7p_legacy_plcsim_challenge_key(r.key2, ck), S7P_OK);
    assert_int_equal(s7p_legacy_plcsim_seed(pk.key, r.p256_scalar, ck, seed), S7P_OK);
    assert_memory_equal(res.blob + 48, seed, 96);
    assert_memory_equal(res.blob + 144, r.iv, 16);
}

static void test_blob_tampering(void **state)
{
    (void)state;
    s7p_legacy_pubkey pk;
    s7p_legacy_plcsim_test_pubkey(&pk);
    const s7p_legacy_plcsim_server_key *sk = s7p_legacy_plcsim_test_server_key();
    uint8_t ch[20], key1[24], session[24], blob[216];
    challenge(ch);
    s7p_legacy_client_random r;
    assert_int_equal(s7p_legacy_random(&r), S7P_OK);
    assert_int_equal(s7p_legacy_plcsim_blob_build(pk.key, ch, &r, blob, session), S7P_OK);
    for (size_t i = 0; i < sizeof blob; i++) {          /* every byte is checked */
        uint8_t bad[216];
        memcpy(bad, blob, sizeof bad);
        bad[i] ^= (uint8_t)(1u << (i % 8));
        memset(key1, 0xAA, sizeof key1);
        assert_int_equal(s7p_legacy_plcsim_blob_open(sk, ch, bad, sizeof bad, key1, session),
                         S7P_E_PROTOCOL);
        static const uint8_t zero[24];
        assert_memory_equal(key1, zero, 24);             /* nothing derived */
    }
    ch[7] ^= 1;                                          /* another session's challenge */
    assert_int_equal(s7p_legacy_plcsim_blob_open(sk, ch, blob, sizeof blob, key1, session),
                     S7P_E_PROTOCOL);
    ch[7] ^= 1;
    assert_int_equal(s7p_legacy_plcsim_blob_open(sk, ch, blob, 215, key1, session), S7P_E_PROTOCOL);
    /* A family 00/01 blob is not a family 03 one and the other way round. */
    assert_int_equal(s7p_legacy_blob_open(s7p_legacy_test_server_key(), ch, blob, sizeof blob,
                                          key1, session), S7P_E_PROTOCOL);
}

static void test_invalid_keys(void **state)
{
    (void)state;
    uint8_t ch[20], blob[216], session[24], point[64];
    challenge(ch);
    s7p_legacy_client_random r;
    assert_int_equal(s7p_legacy_random(&r), S7P_OK);
    s7p_legacy_pubkey pk;
    s7p_legacy_plcsim_test_pubkey(&pk);
    memcpy(point, pk.key, 64);
    point[63] ^= 1;                                      /* off the curve */
    assert_false(s7p_legacy_p256_on_curve(point));
    assert_int_equal(s7p_legacy_plcsim_blob_build(point, ch, &r, blob, session), S7P_E_INVALID_ARG);
    memset(r.p256_scalar, 0, sizeof r.p256_scalar);      /* a scalar without a point */
    assert_int_equal(s7p_legacy_plcsim_blob_build(pk.key, ch, &r, blob, session), S7P_E_INVALID_ARG);
    s7p_legacy_client_result res;
    pk.len = 40;                                         /* the wrong length for family 03 */
    assert_int_equal(s7p_legacy_client_compute(&pk, ch, &r, &res), S7P_E_INVALID_ARG);
    pk.family = S7P_LEGACY_FAMILY_WINAC;                 /* no mathematics for 02 */
    assert_int_equal(s7p_legacy_client_compute(&pk, ch, &r, &res), S7P_E_UNSUPPORTED);
}

/* The nine PLCSIM catalog keys are P-256 points (as are family 05's three) and the client
 * chooses them by key id. */
static void test_catalog_keys(void **state)
{
    (void)state;
    size_t on_curve = 0, p256_keys = 0;
    for (size_t i = 0; i < s7p_legacy_catalog_len; i++) {
        const s7p_legacy_pubkey *k = &s7p_legacy_catalog[i];
        if (k->len != 64) continue;
        p256_keys++;
        on_curve += s7p_legacy_p256_on_curve(k->key);
    }
    assert_int_equal(p256_keys, 12);
    assert_int_equal(on_curve, 12);
    s7p_legacy_pubkey c[16];
    size_t n;
    s7p_legacy_fingerprint_text fp = {3, true, 0xCE331E08538A26B9ull};
    s7p_legacy_key_policy p = {0};
    assert_int_equal(s7p_legacy_key_candidates(&p, &fp, c, 16, &n), S7P_OK);
    assert_true(n == 1 && c[0].family == 3 && c[0].id == fp.id && c[0].len == 64);
    p.fallback = true;
    assert_int_equal(s7p_legacy_key_candidates(&p, &fp, c, 16, &n), S7P_OK);
    assert_int_equal(n, 9);
    /* Every catalog key of the family builds a blob. */
    uint8_t ch[20];
    challenge(ch);
    s7p_legacy_client_random r;
    assert_int_equal(s7p_legacy_random(&r), S7P_OK);
    for (size_t i = 0; i < n; i++) {
        s7p_legacy_client_result res;
        assert_int_equal(s7p_legacy_client_compute(&c[i], ch, &r, &res), S7P_OK);
        assert_true(res.key.pub_id == c[i].id);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_test_key_pair),
        cmocka_unit_test(test_blob_roundtrip),
        cmocka_unit_test(test_blob_tampering),
        cmocka_unit_test(test_invalid_keys),
        cmocka_unit_test(test_catalog_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

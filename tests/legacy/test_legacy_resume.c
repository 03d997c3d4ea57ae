/* SPDX-License-Identifier: MIT */
/* The "state-resume" continuation digest of fragmented V3 answers (src/legacy/resume.c):
 * the SHA-256 compression against FIPS 180-4's examples and OpenSSL, the published known
 * answers of a nine-fragment answer, and a second derivation through OpenSSL's own
 * SHA256_Update after SHA256_Final (how those answers were made) for other fragment sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* The second derivation below needs OpenSSL's low-level SHA256_CTX functions, deprecated in
 * OpenSSL 3; only this test uses them, as the independent oracle. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "legacy/crypto.h"
#include "vectors.h"

static const uint8_t SHA256_IV[32] = {
    0x6a, 0x09, 0xe6, 0x67, 0xbb, 0x67, 0xae, 0x85, 0x3c, 0x6e, 0xf3, 0x72, 0xa5, 0x4f, 0xf5, 0x3a,
    0x51, 0x0e, 0x52, 0x7f, 0x9b, 0x05, 0x68, 0x8c, 0x1f, 0x83, 0xd9, 0xab, 0x5b, 0xe0, 0xcd, 0x19};

static void expect_hex(const uint8_t *got, const char *hex)
{
    uint8_t want[32];
    assert_true(lv_unhex(hex, want, sizeof want));
    assert_memory_equal(got, want, sizeof want);
}

/* Plain SHA-256 through the resume function: from the initial state with total = n. */
static void plain_sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    memcpy(out, SHA256_IV, 32);
    s7p_legacy_sha256_resume(out, p, n, n);
}

/* FIPS 180-4 examples (NIST "SHA256.pdf" example values): one block, two blocks, empty. */
static void test_fips_examples(void **state)
{
    (void)state;
    uint8_t d[32];
    plain_sha256((const uint8_t *)"abc", 3, d);
    expect_hex(d, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    plain_sha256((const uint8_t *)two, sizeof two - 1, d);
    expect_hex(d, "248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1");
    plain_sha256(NULL, 0, d);
    expect_hex(d, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
}

/* Every padding case (the 0x80 and the length in the last block or in one more) and whole
 * blocks, against OpenSSL's SHA-256. */
static void test_sizes_against_openssl(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 954, 976, 4000};
    static uint8_t buf[4000];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 7 + 3);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint8_t got[32], want[32];
        plain_sha256(buf, sizes[k], got);
        assert_true(EVP_Digest(buf, sizes[k], want, NULL, EVP_sha256(), NULL));
        assert_memory_equal(got, want, 32);
    }
}

/* Known answers: gijzelaerr/s7commplus tests/fixtures/s7commplus/legacy_fragment_hmac.json
 * (MIT; read in the bvanelli/s7commplus fork, commit 6c8b55320043dccafa569b0dc63f9d0b2abe1f2f),
 * made by that project's generate_legacy_hmac_vectors.py with OpenSSL: one HMAC key
 * 00 01 .. 17, fragment i of `size` bytes (k * 13 + size) mod 256, the digest of each
 * fragment of one answer in order (the first the plain HMAC). Synthetic, not captured. */
static const struct {
    size_t size;
    const char *digest;
} KNOWN[] = {
    {976, "fddc00b479d5a02c8d25fb7af591ebc4f7df0693b7b6a2348e8fc2635390ac13"},
    {976, "a838a6d7ec24cfd6d9f4879bb57f42759075a909029b27c4f725903022798180"},
    {454, "c551f7af6f3186dcca7ec4d0861e820afed3f86155f4d6dc1d42b707c9f2541b"},
    {55, "89f37b0b5d1fbbb883df4c0ab7f37e959336685dd8644b1f1e4e03528218110b"},
    {56, "755c7d5b46d547fcb908a2118e5cf64cd1db872c9b6e20c667844e751da9afa2"},
    {63, "7f58e4ce028844dd880f99d8aae481c572fd9e0a9f3635ee28799e0a7761ff0c"},
    {64, "a57dff6df1f2988d41d2ec58fd745722d325772e220dbeff3b5fd158227a18f9"},
    {65, "797726ae7eda3b84783eb33034f7eb62130af2a6f71fb9f07aa81c0346888b9d"},
    {0, "a445e1cf5260be0c2f15c62d54fe7998bf05bed1a5da17e4e258e5d0765b3894"},
};
#define NKNOWN (sizeof KNOWN / sizeof KNOWN[0])

static void known_fragment(size_t size, uint8_t *out)
{
    for (size_t k = 0; k < size; k++) out[k] = (uint8_t)((k * 13 + size) % 256);
}

static void test_known_answers(void **state)
{
    (void)state;
    uint8_t key[S7P_LEGACY_KEY_LEN], data[976], d[32], hmac[32];
    for (unsigned i = 0; i < sizeof key; i++) key[i] = (uint8_t)i;
    s7p_legacy_resume r;
    for (size_t i = 0; i < NKNOWN; i++) {
        known_fragment(KNOWN[i].size, data);
        if (i == 0) {
            assert_int_equal(s7p_legacy_resume_start(&r, key, data, KNOWN[i].size, d), S7P_OK);
            /* The first digest is the plain per-packet digest. */
            assert_int_equal(s7p_legacy_digest(key, data, KNOWN[i].size, hmac), S7P_OK);
            assert_memory_equal(d, hmac, 32);
        } else {
            s7p_legacy_resume_next(&r, data, KNOWN[i].size, d);
        }
        expect_hex(d, KNOWN[i].digest);
    }
    assert_int_equal(NKNOWN, 9);
    assert_int_equal(r.inner_len, 64 + 976 + 976 + 454 + 55 + 56 + 63 + 64 + 65 + 0);
    assert_int_equal(r.outer_len, 64 + 9 * 32);
}

/* A continuation is bound to everything before it: the same second fragment after another
 * first fragment, or the same fragments in another order, give other digests. */
static void test_bound_to_history(void **state)
{
    (void)state;
    uint8_t key[S7P_LEGACY_KEY_LEN], a[976], b[454], d1[32], d2[32];
    for (unsigned i = 0; i < sizeof key; i++) key[i] = (uint8_t)i;
    known_fragment(sizeof a, a);
    known_fragment(sizeof b, b);
    s7p_legacy_resume r1, r2;
    assert_int_equal(s7p_legacy_resume_start(&r1, key, a, sizeof a, d1), S7P_OK);
    s7p_legacy_resume_next(&r1, b, sizeof b, d1);
    assert_int_equal(s7p_legacy_resume_start(&r2, key, a, sizeof a - 1, d2), S7P_OK);
    s7p_legacy_resume_next(&r2, b, sizeof b, d2);
    assert_memory_not_equal(d1, d2, 32);
    assert_int_equal(s7p_legacy_resume_start(&r2, key, b, sizeof b, d2), S7P_OK);
    s7p_legacy_resume_next(&r2, a, sizeof a, d2);
    assert_memory_not_equal(d1, d2, 32);
    key[0] ^= 1;
    assert_int_equal(s7p_legacy_resume_start(&r2, key, a, sizeof a, d2), S7P_OK);
    s7p_legacy_resume_next(&r2, b, sizeof b, d2);
    assert_memory_not_equal(d1, d2, 32);
}

#ifndef OPENSSL_NO_DEPRECATED_3_0
/* The definition the known answers come from, run by OpenSSL itself: both HMAC hash
 * contexts get their pad block, then per fragment Update + Final on the inner one and the
 * inner digest Update + Final on the outer one, never re-initialized (SHA256_Final pads
 * and compresses but keeps the byte count). */
typedef struct {
    SHA256_CTX inner, outer;
} oracle;

static void oracle_init(oracle *o, const uint8_t key[S7P_LEGACY_KEY_LEN])
{
    uint8_t ipad[64], opad[64];
    memset(ipad, 0x36, sizeof ipad);
    memset(opad, 0x5c, sizeof opad);
    for (unsigned i = 0; i < S7P_LEGACY_KEY_LEN; i++) {
        ipad[i] ^= key[i];
        opad[i] ^= key[i];
    }
    assert_true(SHA256_Init(&o->inner) && SHA256_Update(&o->inner, ipad, sizeof ipad));
    assert_true(SHA256_Init(&o->outer) && SHA256_Update(&o->outer, opad, sizeof opad));
}

static void oracle_fragment(oracle *o, const uint8_t *p, size_t n, uint8_t out[32])
{
    uint8_t in[32];
    assert_true(SHA256_Update(&o->inner, p, n) && SHA256_Final(in, &o->inner));
    assert_true(SHA256_Update(&o->outer, in, sizeof in) && SHA256_Final(out, &o->outer));
}

/* Fragment sizes the known answers do not have (the link's 954-byte fragments, blocks and
 * their edges) over long answers, for three keys. */
static void test_against_openssl_update_after_final(void **state)
{
    (void)state;
    static const size_t sizes[] = {954, 954, 954, 1,   0,   120, 119, 128, 954, 7,
                                   64,  63,  56,  55,  954, 200, 3,   954, 954, 17};
    static uint8_t buf[954];
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (unsigned k = 0; k < 3; k++) {
        uint8_t key[S7P_LEGACY_KEY_LEN];
        for (unsigned i = 0; i < sizeof key; i++) key[i] = (uint8_t)(i * 31 + k * 101);
        oracle o;
        oracle_init(&o, key);
        s7p_legacy_resume r;
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            for (size_t j = 0; j < sizes[i]; j++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                buf[j] = (uint8_t)(x >> 24);
            }
            uint8_t want[32], got[32];
            oracle_fragment(&o, buf, sizes[i], want);
            if (i == 0)
                assert_int_equal(s7p_legacy_resume_start(&r, key, buf, sizes[i], got), S7P_OK);
            else
                s7p_legacy_resume_next(&r, buf, sizes[i], got);
            assert_memory_equal(got, want, 32);
        }
    }
}
#else
static void test_against_openssl_update_after_final(void **state)
{
    (void)state;
    skip();  /* an OpenSSL built without the deprecated SHA256_* functions */
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_examples),
        cmocka_unit_test(test_sizes_against_openssl),
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_bound_to_history),
        cmocka_unit_test(test_against_openssl_update_after_final),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

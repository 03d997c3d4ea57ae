/* SPDX-License-Identifier: MIT */
/* The pure parts of legitimation (session/legit.h) against known answers: the variant table
 * of the services spec §4.2, the legacy response with a challenge from a real S7-1511
 * capture, the payload's bytes against the spec's byte form and against the payload TIA
 * Portal sends (public S7CommPlusDriver issue 44), the key roll (SHA-256 chain) and
 * AES-256-CBC (NIST SP 800-38A F.2.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "session/legit.h"

/* SHA-1("abc"), FIPS 180-2 appendix A.1. */
static const uint8_t SHA1_ABC[20] = {0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
                                     0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d};

static void test_variant_table(void **state)
{
    (void)state;
    static const struct {
        const char *paom;
        s7p_legit_variant v;
    } cases[] = {
        {"1;6ES7 516-3AN02-0AB0;V3.1", S7P_LEGIT_NEW},     /* S7-1500 from V3.1 */
        {"1;6ES7 516-3AN02-0AB0;V3.0", S7P_LEGIT_LEGACY},
        {"1;6ES7 510-1DJ01-0AB0;V2.9", S7P_LEGIT_LEGACY},
        {"1;6ES7 518-4AP00-0AB0;V4.0", S7P_LEGIT_NEW},
        {"1;6ES7 214-1AG40-0XB0 ;V4.5", S7P_LEGIT_LEGACY}, /* S7-1200 before V4.7 */
        {"1;6ES7 214-1AG40-0XB0 ;V4.7", S7P_LEGIT_NEW},
        {"1;6ES7 212-1HG50-0XB0;V1.0", S7P_LEGIT_NEW},     /* S7-1200 G2, any firmware */
        {"1;6ES7 672-7FC01-0YA0;V21.9", S7P_LEGIT_LEGACY}, /* software controller */
        {"1;6ES7 517-3AP00-0AB0;V10.2", S7P_LEGIT_NEW},    /* two-digit major */
        {"garbage", S7P_LEGIT_LEGACY},
        {"1;6ES7 516-3AN02-0AB0;3.1", S7P_LEGIT_LEGACY},   /* no V: not parsable */
        {"", S7P_LEGIT_LEGACY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (s7p_legit_variant_of(cases[i].paom) != cases[i].v)
            fail_msg("%s: want %s", cases[i].paom, s7p_legit_variant_name(cases[i].v));
    }
    assert_int_equal(s7p_legit_variant_of(NULL), S7P_LEGIT_LEGACY);
}

static void test_legacy_response_known_answer(void **state)
{
    (void)state;
    /* The challenge an S7-1511 gave (S7-1511_db3_var1_HMI.pcap, first session). */
    static const uint8_t challenge[20] = {130, 9,   15,  79,  56,  168, 170, 11, 147, 221,
                                          105, 176, 136, 163, 22,  232, 87,  170, 47, 242};
    static const uint8_t want[20] = {0x2b, 0x90, 0x31, 0x79, 0x7f, 0xae, 0x2b, 0x61, 0x29, 0xe3,
                                     0x4c, 0xc1, 0xf0, 0xf3, 0xd4, 0x84, 0xcb, 0x7a, 0xf7, 0x6f};
    uint8_t out[20];
    assert_int_equal(s7p_legit_legacy_response("abc", challenge, 20, out), S7P_OK);
    assert_memory_equal(out, want, 20);
    s7p_legit_sha1("abc", out);
    assert_memory_equal(out, SHA1_ABC, 20);
    /* The legacy variant needs exactly 20 challenge bytes. */
    assert_int_equal(s7p_legit_legacy_response("abc", challenge, 16, out), S7P_E_PROTOCOL);
}

/* Spec §4.3 byte form, type 1: struct 40400, type UDInt 1, empty user blob, SHA-1 blob. */
static void test_payload_password_bytes(void **state)
{
    (void)state;
    uint8_t want[47] = {0x00, 0x17, 0x00, 0x00, 0x9d, 0xd0, 0x82, 0xbb, 0x51, 0x00, 0x04, 0x01,
                        0x82, 0xbb, 0x52, 0x00, 0x14, 0x00, 0x00, 0x82, 0xbb, 0x53, 0x00, 0x14,
                        0x00, 0x14};
    memcpy(want + 26, SHA1_ABC, 20);
    want[46] = 0x00;
    uint8_t buf[S7P_LEGIT_PAYLOAD_MAX];
    size_t n = 0;
    assert_int_equal(s7p_legit_payload("abc", NULL, buf, sizeof buf, &n), S7P_OK);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    /* An empty user name is no user name. */
    assert_int_equal(s7p_legit_payload("abc", "", buf, sizeof buf, &n), S7P_OK);
    assert_memory_equal(buf, want, sizeof want);
}

/* The payload TIA Portal V19 sent to a PLCSIM Advanced with firmware 3.1 (base64 in public
 * S7CommPlusDriver issue 44): ours differs from it only in the 20 hash bytes. */
static void test_payload_matches_tia(void **state)
{
    (void)state;
    static const uint8_t tia[47] = {
        0x00, 0x17, 0x00, 0x00, 0x9d, 0xd0, 0x82, 0xbb, 0x51, 0x00, 0x04, 0x01, 0x82, 0xbb, 0x52,
        0x00, 0x14, 0x00, 0x00, 0x82, 0xbb, 0x53, 0x00, 0x14, 0x00, 0x14, 0x2f, 0xb5, 0xe1, 0x34,
        0x19, 0xfc, 0x89, 0x24, 0x68, 0x65, 0xe7, 0xa3, 0x24, 0xf4, 0x76, 0xec, 0x62, 0x4e, 0x87,
        0x40, 0x00};
    uint8_t buf[S7P_LEGIT_PAYLOAD_MAX], expect[47];
    size_t n = 0;
    memcpy(expect, tia, sizeof tia);
    memcpy(expect + 26, SHA1_ABC, 20);
    assert_int_equal(s7p_legit_payload("abc", NULL, buf, sizeof buf, &n), S7P_OK);
    assert_int_equal(n, sizeof tia);
    assert_memory_equal(buf, expect, sizeof expect);
    /* And our decoder reads TIA's payload. */
    s7p_arena a;
    s7p_arena_init(&a, 1 << 16);
    s7p_legit_payload_view v;
    assert_int_equal(s7p_legit_payload_parse(tia, sizeof tia, &a, &v), S7P_OK);
    assert_int_equal(v.type, S7P_LEGIT_TYPE_PASSWORD);
    assert_int_equal(v.username.n, 0);
    assert_int_equal(v.password.n, 20);
    assert_memory_equal(v.password.p, tia + 26, 20);
    /* Cut short anywhere: refused, never read beyond. */
    for (size_t cut = 0; cut < sizeof tia - 1; cut++)
        assert_int_equal(s7p_legit_payload_parse(tia, cut, &a, &v), S7P_E_PROTOCOL);
    s7p_arena_release(&a);
}

static void test_payload_user_form(void **state)
{
    (void)state;
    static const uint8_t want[] = {0x00, 0x17, 0x00, 0x00, 0x9d, 0xd0, 0x82, 0xbb, 0x51, 0x00,
                                   0x04, 0x02, 0x82, 0xbb, 0x52, 0x00, 0x14, 0x00, 0x05, 'a',
                                   'd',  'm',  'i',  'n',  0x82, 0xbb, 0x53, 0x00, 0x14, 0x00,
                                   0x03, 's',  'e',  'c',  0x00};
    uint8_t buf[S7P_LEGIT_PAYLOAD_MAX];
    size_t n = 0;
    assert_int_equal(s7p_legit_payload("sec", "admin", buf, sizeof buf, &n), S7P_OK);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    s7p_arena a;
    s7p_arena_init(&a, 1 << 16);
    s7p_legit_payload_view v;
    assert_int_equal(s7p_legit_payload_parse(buf, n, &a, &v), S7P_OK);
    assert_int_equal(v.type, S7P_LEGIT_TYPE_USER);
    assert_int_equal(v.username.n, 5);
    assert_memory_equal(v.username.p, "admin", 5);
    assert_int_equal(v.password.n, 3);
    s7p_arena_release(&a);
    /* Texts beyond the limit are refused, not cut. */
    char big[S7P_LEGIT_MAX_TEXT + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(s7p_legit_payload(big, NULL, buf, sizeof buf, &n), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_legit_payload("pw", big, buf, sizeof buf, &n), S7P_E_INVALID_ARG);
    big[S7P_LEGIT_MAX_TEXT] = 0;
    assert_int_equal(s7p_legit_payload(big, big, buf, sizeof buf, &n), S7P_OK);
}

static void test_key_roll_chain(void **state)
{
    (void)state;
    /* SHA-256 of 32 zero bytes, then of that. */
    static const uint8_t k1[32] = {0x66, 0x68, 0x7a, 0xad, 0xf8, 0x62, 0xbd, 0x77, 0x6c, 0x8f, 0xc1,
                                   0x8b, 0x8e, 0x9f, 0x8e, 0x20, 0x08, 0x97, 0x14, 0x85, 0x6e, 0xe2,
                                   0x33, 0xb3, 0x90, 0x2a, 0x59, 0x1d, 0x0d, 0x5f, 0x29, 0x25};
    static const uint8_t k2[32] = {0x2b, 0x32, 0xdb, 0x6c, 0x2c, 0x0a, 0x62, 0x35, 0xfb, 0x13, 0x97,
                                   0xe8, 0x22, 0x5e, 0xa8, 0x5e, 0x0f, 0x0e, 0x6e, 0x8c, 0x7b, 0x12,
                                   0x6d, 0x00, 0x16, 0xcc, 0xbd, 0xe0, 0xe6, 0x67, 0x15, 0x1e};
    uint8_t secret[32] = {0}, key[32];
    s7p_legit_roll_key(secret, key);
    assert_memory_equal(key, k1, 32);
    assert_memory_equal(secret, k1, 32);
    s7p_legit_roll_key(secret, key);
    assert_memory_equal(key, k2, 32);
}

static void test_aes_cbc_known_answer(void **state)
{
    (void)state;
    static const uint8_t key[32] = {0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae,
                                    0xf0, 0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61,
                                    0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4};
    static const uint8_t iv[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static const uint8_t plain[16] = {0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
                                      0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a};
    static const uint8_t cipher[16] = {0xf5, 0x8c, 0x4c, 0x04, 0xd6, 0xe5, 0xf1, 0xba,
                                       0x77, 0x9e, 0xab, 0xfb, 0x5f, 0x7b, 0xfb, 0xd6};
    uint8_t out[64], back[64];
    size_t n = 0, m = 0;
    assert_int_equal(s7p_legit_encrypt(key, iv, plain, 16, out, sizeof out, &n), S7P_OK);
    assert_int_equal(n, 32);  /* PKCS#7 adds a whole block */
    assert_memory_equal(out, cipher, 16);
    assert_int_equal(s7p_legit_decrypt(key, iv, out, n, back, sizeof back, &m), S7P_OK);
    assert_int_equal(m, 16);
    assert_memory_equal(back, plain, 16);
    /* A wrong key: the padding does not check out, which the simulator takes for a wrong
     * password. */
    uint8_t wrong[32];
    memcpy(wrong, key, 32);
    wrong[0] ^= 1;
    assert_int_equal(s7p_legit_decrypt(wrong, iv, out, n, back, sizeof back, &m), S7P_E_AUTH);
    assert_int_equal(s7p_legit_decrypt(key, iv, out, 17, back, sizeof back, &m), S7P_E_AUTH);
    assert_int_equal(s7p_legit_encrypt(key, iv, plain, 16, out, 31, &n), S7P_E_TOO_SMALL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variant_table),
        cmocka_unit_test(test_legacy_response_known_answer),
        cmocka_unit_test(test_payload_password_bytes),
        cmocka_unit_test(test_payload_matches_tia),
        cmocka_unit_test(test_payload_user_form),
        cmocka_unit_test(test_key_roll_chain),
        cmocka_unit_test(test_aes_cbc_known_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* harpos7_testcases/: the byte arrays of the HarpoS7 unit tests that belong to the families
 * 00/01 handshake, reproduced; each file's array count is asserted. The PLCSIM (family 03)
 * files (HarpoSeedUtilities, HarpoAesCtr, HarpoHash, the KDF arrays of KeyUtilities) are
 * test_legacy_plcsim_vectors.c's. Not reproduced: legitimation (LegitimateScheme,
 * BlobMetadataWriter) and the intermediate states of HarpoS7's white-box fingerprint (only
 * its final output is checked). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "legacy/blob.h"
#include "vectors.h"

#define DIR S7P_LEGACY_VECTORS "/harpos7_testcases/"

static const lv_array *at(const lv_arrays *f, unsigned line, size_t len)
{
    const lv_array *a = lv_at(f, line);
    assert_non_null(a);
    assert_int_equal(a->len, len);
    return a;
}

/* Fill sequence "3535252D2D": the fill byte of key2, key1, IV, prng1, prng2 in that order. */
static void auth_case(const lv_arrays *f, unsigned blob, unsigned sk, unsigned ch, unsigned pk,
                      unsigned fill, uint8_t family)
{
    const uint8_t *fb = at(f, fill, 5)->bytes;
    s7p_legacy_client_random r;
    memset(r.key2, fb[0], sizeof r.key2);
    memset(r.key1, fb[1], sizeof r.key1);
    memset(r.iv, fb[2], sizeof r.iv);
    memset(r.blinding, fb[3], sizeof r.blinding);
    memset(r.scalar, fb[4], sizeof r.scalar);
    uint8_t out[180], session[24];
    assert_int_equal(s7p_legacy_blob_build(family, at(f, pk, 40)->bytes, at(f, ch, 20)->bytes, &r,
                                           out, session), S7P_OK);
    assert_memory_equal(out, at(f, blob, 180)->bytes, 180);
    assert_memory_equal(session, at(f, sk, 24)->bytes, 24);
}

static void test_legacy_authentication_scheme(void **state)
{
    (void)state;
    lv_arrays *f = lv_arrays_load(DIR "LegacyAuthenticationSchemeTests.hex.txt");
    assert_non_null(f);
    assert_int_equal(f->n, 15);
    auth_case(f, 12, 30, 35, 41, 47, 0);
    auth_case(f, 82, 108, 114, 120, 128, 1);
    auth_case(f, 131, 149, 154, 159, 166, 1);
    lv_arrays_free(f);
}

static void test_packet_digest(void **state)
{
    (void)state;
    lv_arrays *f = lv_arrays_load(DIR "HarpoPacketDigestTests.hex.txt");
    assert_non_null(f);
    assert_int_equal(f->n, 9);
    for (size_t i = 0; i < 9; i += 3) {
        const lv_array *key = &f->a[i], *data = &f->a[i + 1], *want = &f->a[i + 2];
        uint8_t d[32];
        assert_int_equal(key->len, 24);
        assert_int_equal(want->len, 32);
        assert_int_equal(s7p_legacy_digest(key->bytes, data->bytes, data->len, d), S7P_OK);
        assert_memory_equal(d, want->bytes, 32);
    }
    lv_arrays_free(f);
}

static void test_key_extensions(void **state)
{
    (void)state;
    lv_arrays *f = lv_arrays_load(DIR "KeyExtensionsTests.hex.txt");
    assert_non_null(f);
    assert_int_equal(f->n, 6);
    for (size_t i = 0; i < 6; i += 2) {
        uint8_t id[8];
        assert_true(f->a[i].len >= 24);
        assert_int_equal(s7p_legacy_key_id(f->a[i].bytes, id), S7P_OK);
        assert_memory_equal(id, at(f, f->a[i + 1].line, 8)->bytes, 8);
    }
    lv_arrays_free(f);
}

/* The session-key cases (challenges of cases 2 and 3 are in the file; case 1's challenge is
 * written in decimal in the source, so it is taken from the curated file's value). */
static void test_key_utilities_session_keys(void **state)
{
    (void)state;
    lv_arrays *f = lv_arrays_load(DIR "KeyUtilitiesTests.hex.txt");
    assert_non_null(f);
    assert_int_equal(f->n, 17);
    uint8_t ch1[20], sk[24];
    assert_true(lv_unhex("B80DB1B3D9484C6E4240403F63C6B5012CC52E7F", ch1, 20));
    assert_int_equal(s7p_legacy_session_key(at(f, 67, 24)->bytes, ch1, sk), S7P_OK);
    assert_memory_equal(sk, at(f, 69, 24)->bytes, 24);
    assert_int_equal(s7p_legacy_session_key(at(f, 77, 24)->bytes, at(f, 73, 20)->bytes, sk), S7P_OK);
    assert_memory_equal(sk, at(f, 81, 24)->bytes, 24);
    assert_int_equal(s7p_legacy_session_key(at(f, 90, 24)->bytes, at(f, 86, 20)->bytes, sk), S7P_OK);
    assert_memory_equal(sk, at(f, 95, 24)->bytes, 24);
    lv_arrays_free(f);
}

static void test_fingerprint_output(void **state)
{
    (void)state;
    lv_arrays *f = lv_arrays_load(DIR "HarpoFingerprintTests.hex.txt");
    assert_non_null(f);
    assert_int_equal(f->n, 40);
    uint8_t ch[20], fp[8];
    assert_true(lv_unhex("B80DB1B3D9484C6E4240403F63C6B5012CC52E7F", ch, 20));
    /* The white box's input state starts with C[2..17]. */
    assert_memory_equal(at(f, 19, f->a[0].len)->bytes, ch + 2, 16);
    s7p_legacy_fingerprint(ch, fp);
    assert_memory_equal(fp, at(f, 1003, 8)->bytes, 8);
    lv_arrays_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy_authentication_scheme),
        cmocka_unit_test(test_packet_digest),
        cmocka_unit_test(test_key_extensions),
        cmocka_unit_test(test_key_utilities_session_keys),
        cmocka_unit_test(test_fingerprint_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

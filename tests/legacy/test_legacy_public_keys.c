/* SPDX-License-Identifier: MIT */
/* public_keys/: every file is in the built-in catalog byte for byte under the id its name
 * gives, the id derives from the key, and the count is asserted (34 files). Plus the key
 * selection policy (forced id, resolver, caller keys, fallback) and the fingerprint text. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "legacy/blob.h"
#include "legacy/keys.h"
#include "vectors.h"

static void test_catalog_matches_files(void **state)
{
    (void)state;
    DIR *d = opendir(S7P_LEGACY_VECTORS "/public_keys");
    assert_non_null(d);
    size_t files = 0, on_curve = 0, curve_keys = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        unsigned fam;
        char idhex[17];
        if (sscanf(e->d_name, "%2u_%16[0-9A-F].bin", &fam, idhex) != 2) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/public_keys/%s", S7P_LEGACY_VECTORS, e->d_name);
        size_t n = 0;
        uint8_t *b = lv_read_file(path, &n);
        assert_non_null(b);
        uint64_t id = strtoull(idhex, NULL, 16);
        const s7p_legacy_pubkey *k = s7p_legacy_catalog_find((uint8_t)fam, id);
        assert_non_null(k);
        assert_int_equal(k->len, n);
        assert_memory_equal(k->key, b, n);
        uint8_t kid[8];
        assert_int_equal(s7p_legacy_key_id(b, kid), S7P_OK);
        assert_true(s7p_legacy_key_id_u64(kid) == id);
        if (n == 40 && fam <= 1) {
            curve_keys++;
            on_curve += s7p_legacy_curve_has_x(b);
        }
        free(b);
        files++;
    }
    closedir(d);
    assert_int_equal(files, 34);
    assert_int_equal(s7p_legacy_catalog_len, 34);
    assert_int_equal(curve_keys, 16);
    /* The spec's finding: only some family 00/01 keys are x of a point on the curve; the
     * keys of the known answers are. */
    print_message("family 00/01 keys on the curve: %zu of %zu\n", on_curve, curve_keys);
    assert_true(s7p_legacy_curve_has_x(s7p_legacy_catalog_find(0, 0x181B7B0847D11694ull)->key));
    assert_true(s7p_legacy_curve_has_x(s7p_legacy_catalog_find(1, 0xBD426B091F08731Aull)->key));
}

static void test_fingerprint_text(void **state)
{
    (void)state;
    s7p_legacy_fingerprint_text fp;
    assert_int_equal(s7p_legacy_fingerprint_parse("01:BD426B091F08731A", 19, &fp), S7P_OK);
    assert_true(fp.family == 1 && fp.has_id && fp.id == 0xBD426B091F08731Aull);
    assert_int_equal(s7p_legacy_fingerprint_parse("00", 2, &fp), S7P_OK);
    assert_true(fp.family == 0 && !fp.has_id);
    assert_int_equal(s7p_legacy_fingerprint_parse("00:181B7B0847D1169", 18, &fp), S7P_E_PROTOCOL);
    assert_int_equal(s7p_legacy_fingerprint_parse("00-181B7B0847D11694", 19, &fp), S7P_E_PROTOCOL);
    assert_int_equal(s7p_legacy_fingerprint_parse("0A:181B7B0847D11694", 19, &fp), S7P_E_PROTOCOL);
    assert_int_equal(s7p_legacy_fingerprint_parse("00:181B7B0847D1169G", 19, &fp), S7P_E_PROTOCOL);
    char text[20];
    s7p_legacy_fingerprint_format(3, 0x09013727CCBFBF3Cull, text);
    assert_string_equal(text, "03:09013727CCBFBF3C");
}

static bool resolve_test_key(void *user, uint8_t family, bool has_id, uint64_t id, s7p_legacy_pubkey *out)
{
    (*(int *)user)++;
    s7p_legacy_test_pubkey(out);
    return family == out->family && has_id && id == out->id;
}

static void test_candidates(void **state)
{
    (void)state;
    s7p_legacy_pubkey c[40], test;
    size_t n;
    s7p_legacy_test_pubkey(&test);
    s7p_legacy_fingerprint_text fp = {0, true, 0x181B7B0847D11694ull};
    s7p_legacy_key_policy p = {0};
    assert_int_equal(s7p_legacy_key_candidates(&p, &fp, c, 40, &n), S7P_OK);
    assert_int_equal(n, 1);
    assert_true(c[0].id == fp.id);
    p.fallback = true;                                   /* then the 12 other CPU1500 keys */
    assert_int_equal(s7p_legacy_key_candidates(&p, &fp, c, 40, &n), S7P_OK);
    assert_int_equal(n, 13);
    assert_true(c[0].id == fp.id);
    p.fallback = false;
    fp.has_id = false;                                   /* family only: all of the family */
    assert_int_equal(s7p_legacy_key_candidates(&p, &fp, c, 40, &n), S7P_OK);
    assert_int_equal(n, 13);
    fp = (s7p_legacy_fingerprint_text){0, true, test.id};   /* unknown id, no fallback */
    assert_int_equal(s7p_legacy_key_candidates(&p, &fp, c, 40, &n), S7P_E_NOT_FOUND);
    p.extra = &test;                                     /* the caller's key */
    p.nextra = 1;
    assert_int_equal(s7p_legacy_key_candidates(&p, &fp, c, 40, &n), S7P_OK);
    assert_true(n == 1 && c[0].id == test.id);
    p.extra = NULL;
    p.nextra = 0;
    int calls = 0;                                       /* a resolver */
    p.resolver = resolve_test_key;
    p.resolver_user = &calls;
    assert_int_equal(s7p_legacy_key_candidates(&p, &fp, c, 40, &n), S7P_OK);
    assert_true(n == 1 && c[0].id == test.id && calls == 1);
    p.resolver = NULL;
    p.force = true;                                      /* forced: only that key */
    p.forced_family = 1;
    p.forced_id = 0xA95850575DF7B3DEull;
    p.fallback = true;
    assert_int_equal(s7p_legacy_key_candidates(&p, &fp, c, 40, &n), S7P_OK);
    assert_true(n == 1 && c[0].family == 1 && c[0].id == 0xA95850575DF7B3DEull);
    p.no_catalog = true;
    assert_int_equal(s7p_legacy_key_candidates(&p, &fp, c, 40, &n), S7P_E_NOT_FOUND);
    fp = (s7p_legacy_fingerprint_text){3, true, 0x09013727CCBFBF3Cull};  /* PLCSIM: P-256 */
    assert_int_equal(s7p_legacy_key_candidates(NULL, &fp, c, 40, &n), S7P_OK);
    assert_true(n == 1 && c[0].family == 3 && c[0].len == 64 && c[0].id == fp.id);
    fp = (s7p_legacy_fingerprint_text){2, true, 0x1CE2E82CFB24A8BDull};  /* WinAC: no math */
    assert_int_equal(s7p_legacy_key_candidates(NULL, &fp, c, 40, &n), S7P_E_UNSUPPORTED);
    assert_int_equal(n, 0);
    fp = (s7p_legacy_fingerprint_text){7, false, 0};                    /* an unknown family */
    assert_int_equal(s7p_legacy_key_candidates(NULL, &fp, c, 40, &n), S7P_E_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_matches_files),
        cmocka_unit_test(test_fingerprint_text),
        cmocka_unit_test(test_candidates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

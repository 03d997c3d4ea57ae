/* SPDX-License-Identifier: MIT */
/* legacy_realplc_vectors.txt: every section reproduced, every intermediate checked. The
 * three HarpoS7 real-PLC cases, the simulator test key, the packet digests and the session
 * keys; the number of sections of each kind is asserted so a lost section fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "legacy/blob.h"
#include "vectors.h"

static lv_file *g_file;

#define EXPECT_HEX(sec, key, buf)                                                                  \
    do {                                                                                           \
        uint8_t want_[sizeof(buf)];                                                                \
        assert_true(lv_hex(sec, key, want_, sizeof want_));                                       \
        assert_memory_equal(buf, want_, sizeof want_);                                             \
    } while (0)

static int setup(void **state)
{
    (void)state;
    g_file = lv_load(S7P_LEGACY_VECTORS "/legacy_realplc_vectors.txt");
    return g_file ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    lv_free(g_file);
    return 0;
}

static size_t count_prefix(const char *prefix)
{
    size_t n = 0;
    for (size_t i = 0; i < g_file->n; i++)
        if (strncmp(g_file->sec[i].name, prefix, strlen(prefix)) == 0) n++;
    return n;
}

static void load_random(const lv_section *s, s7p_legacy_client_random *r)
{
    assert_true(lv_hex(s, "key1", r->key1, sizeof r->key1));
    assert_true(lv_hex(s, "key2", r->key2, sizeof r->key2));
    assert_true(lv_hex(s, "iv", r->iv, sizeof r->iv));
    assert_true(lv_hex(s, "blinding_prng1", r->blinding, sizeof r->blinding));
    assert_true(lv_hex(s, "scalar_prng2", r->scalar, sizeof r->scalar));
}

/* "00:181B7B0847D11694" -> family 0 and the id's LE memory bytes. */
static void parse_id_text(const char *text, uint8_t *family, uint64_t *id)
{
    assert_non_null(text);
    assert_int_equal(strlen(text), 19);
    *family = (uint8_t)((text[0] - '0') * 10 + (text[1] - '0'));
    uint8_t be[8];
    assert_true(lv_unhex(text + 3, be, 8));
    *id = 0;
    for (int i = 0; i < 8; i++) *id = *id << 8 | be[i];
}

/* Every intermediate of one client computation, then the blob and the session key. */
static void check_client_case(const lv_section *s)
{
    s7p_legacy_client_random r;
    uint8_t pk[40], ch[20], k[20], x[20], m[20], pre[20], ck[16], sk[16], h[16], fp[8];
    uint8_t blob[S7P_LEGACY_BLOB_LEN], session[24], kid[8], family;
    uint64_t id;
    load_random(s, &r);
    assert_true(lv_hex(s, "public_key", pk, sizeof pk));
    assert_true(lv_hex(s, "challenge", ch, sizeof ch));
    parse_id_text(lv_get(s, "public_key_id"), &family, &id);
    assert_int_equal(s7p_legacy_key_id(pk, kid), S7P_OK);
    assert_true(s7p_legacy_key_id_u64(kid) == id);

    s7p_legacy_pre_seed(r.key1, pre);
    EXPECT_HEX(s, "pre_seed_le", pre);
    s7p_legacy_scalar(r.scalar, k);
    uint8_t k_be[20];
    for (int i = 0; i < 20; i++) k_be[i] = k[19 - i];
    EXPECT_HEX(s, "scalar_k_hex", k_be);
    assert_int_equal(s7p_legacy_curve_mul(k, NULL, x), S7P_OK);
    EXPECT_HEX(s, "ephemeral_x_le", x);
    assert_int_equal(s7p_legacy_curve_mul(k, pk, x), S7P_OK);
    EXPECT_HEX(s, "shared_x_le", x);
    s7p_legacy_seed_mask(x, m);
    EXPECT_HEX(s, "seed_mask_le", m);
    s7p_legacy_key_material(pre, ck, sk, h);
    EXPECT_HEX(s, "challenge_key", ck);
    EXPECT_HEX(s, "checksum_key", sk);
    EXPECT_HEX(s, "hash_key_H_le", h);
    s7p_legacy_fingerprint(ch, fp);
    EXPECT_HEX(s, "fingerprint", fp);

    assert_int_equal(s7p_legacy_blob_build(family, pk, ch, &r, blob, session), S7P_OK);
    EXPECT_HEX(s, "blob_180", blob);
    EXPECT_HEX(s, "session_key", session);
}

static void test_realplc_cases(void **state)
{
    (void)state;
    assert_int_equal(count_prefix("realplc_"), 3);
    for (size_t i = 0; i < g_file->n; i++)
        if (strncmp(g_file->sec[i].name, "realplc_", 8) == 0) check_client_case(&g_file->sec[i]);
}

/* The simulator pair: d*G is the public key, the client case reproduces, and the server side
 * recovers key2 and the same session key from the blob with d. */
static void test_simulator_testkey(void **state)
{
    (void)state;
    assert_int_equal(count_prefix("simulator_testkey_"), 1);
    const lv_section *s = NULL;
    for (size_t i = 0; i < g_file->n; i++)
        if (strcmp(g_file->sec[i].name, "simulator_testkey_family00") == 0) s = &g_file->sec[i];
    assert_non_null(s);
    check_client_case(s);

    s7p_legacy_server_key key = {.family = 0};
    uint8_t d_be[20], ch[20], blob[180], key2[24], session[24], x[20];
    assert_true(lv_hex(s, "private_scalar_d_hex", d_be, sizeof d_be));
    for (int i = 0; i < 20; i++) key.private_le[i] = d_be[19 - i];
    assert_int_equal(s7p_legacy_curve_public(key.private_le, key.pubkey), S7P_OK);
    EXPECT_HEX(s, "public_key", key.pubkey);
    assert_true(lv_hex(s, "ephemeral_x_le", x, sizeof x));
    assert_int_equal(s7p_legacy_curve_mul(key.private_le, x, x), S7P_OK);
    EXPECT_HEX(s, "server_shared_x_from_d_le", x);
    assert_true(lv_hex(s, "challenge", ch, sizeof ch));
    assert_true(lv_hex(s, "blob_180", blob, sizeof blob));
    assert_int_equal(s7p_legacy_blob_open(&key, ch, blob, sizeof blob, key2, session), S7P_OK);
    EXPECT_HEX(s, "key2", key2);
    EXPECT_HEX(s, "session_key", session);
}

static void test_packet_digests(void **state)
{
    (void)state;
    assert_int_equal(count_prefix("packet_digest_"), 3);
    for (size_t i = 0; i < g_file->n; i++) {
        const lv_section *s = &g_file->sec[i];
        if (strncmp(s->name, "packet_digest_", 14) != 0) continue;
        uint8_t key[24], data[256], dig[32];
        const char *hex = lv_get(s, "data");
        size_t n = strlen(hex) / 2;
        assert_true(n <= sizeof data && lv_unhex(hex, data, n));
        assert_true(lv_hex(s, "session_key", key, sizeof key));
        assert_int_equal(s7p_legacy_digest(key, data, n, dig), S7P_OK);
        EXPECT_HEX(s, "digest", dig);
    }
}

static void test_session_keys(void **state)
{
    (void)state;
    assert_int_equal(count_prefix("session_key_"), 3);
    for (size_t i = 0; i < g_file->n; i++) {
        const lv_section *s = &g_file->sec[i];
        if (strncmp(s->name, "session_key_", 12) != 0) continue;
        uint8_t ch[20], key[24], fp[8], session[24];
        assert_true(lv_hex(s, "challenge", ch, sizeof ch));
        assert_true(lv_hex(s, "hmac_key", key, sizeof key));
        s7p_legacy_fingerprint(ch, fp);
        EXPECT_HEX(s, "fingerprint", fp);
        assert_int_equal(s7p_legacy_session_key(key, ch, session), S7P_OK);
        EXPECT_HEX(s, "session_key", session);
    }
}

static void test_section_count(void **state)
{
    (void)state;
    assert_int_equal(g_file->n, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_section_count),
        cmocka_unit_test(test_realplc_cases),
        cmocka_unit_test(test_simulator_testkey),
        cmocka_unit_test(test_packet_digests),
        cmocka_unit_test(test_session_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

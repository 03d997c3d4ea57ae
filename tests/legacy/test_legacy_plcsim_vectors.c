/* SPDX-License-Identifier: MIT */
/* The family 03 (PLCSIM) component vectors of harpos7_testcases/, reproduced with the clean
 * implementation (src/legacy/plcsim.c) and, for HarpoS7's internal big-number and GHASH
 * steps, with the standard operation each step computes (OpenSSL BIGNUM / EC, and the GCM
 * field multiplication of SP 800-38D written out below). Each file's array count is
 * asserted and every array is accounted for:
 *   HarpoSeedUtilitiesTests  73: the full encrypted seed (P-256 ECDH + KDF + GCM), scalar
 *                            multiplications, Jacobian->affine, point doubling/addition (as
 *                            points), the field operations mod p; 4 arrays are HarpoS7's
 *                            scratch memory (not a value of the mathematics), 2 are output
 *                            buffers the function overwrites.
 *   HarpoAesCtrTests         10: GCM with a 16-byte IV (J0, two-part encryption, tag).
 *   HarpoHashTests            6: GHASH multiplication and its 8-bit table.
 *   KeyUtilitiesTests        17: the 7 PLCSIM arrays (seed KDF, challenge key); the others
 *                            are the session-key/legitimation cases of
 *                            test_legacy_harpos7_testcases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "legacy/plcsim.h"
#include "vectors.h"

#define DIR S7P_LEGACY_VECTORS "/harpos7_testcases/"

static const lv_array *at(const lv_arrays *f, unsigned line, size_t len)
{
    const lv_array *a = lv_at(f, line);
    assert_non_null(a);
    assert_int_equal(a->len, len);
    return a;
}

static lv_arrays *load(const char *name, size_t count)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", DIR, name);
    lv_arrays *f = lv_arrays_load(path);
    assert_non_null(f);
    assert_int_equal(f->n, count);
    return f;
}

/* ---- GF(2^128) of GCM (SP 800-38D algorithm 1), for HarpoS7's internal GHASH steps ---- */

static void gcm_mul(const uint8_t x[16], const uint8_t y[16], uint8_t out[16])
{
    uint8_t z[16] = {0}, v[16];
    memcpy(v, y, 16);
    for (int i = 0; i < 128; i++) {
        if (x[i / 8] & (0x80 >> (i % 8)))
            for (int j = 0; j < 16; j++) z[j] ^= v[j];
        bool lsb = v[15] & 1;
        for (int j = 15; j > 0; j--) v[j] = (uint8_t)(v[j] >> 1 | v[j - 1] << 7);
        v[0] >>= 1;
        if (lsb) v[0] ^= 0xE1;
    }
    memcpy(out, z, 16);
}

/* The GCM hash key H = AES(key, 0^128). */
static void hash_key(const uint8_t key[16], uint8_t h[16])
{
    static const uint8_t zero[16];
    assert_int_equal(s7p_legacy_aes_block(key, zero, h), S7P_OK);
}

/* HarpoS7's 4 KB table: entry i (16 bytes) = H times the byte i as a field element. */
static void assert_ghash_table(const uint8_t h[16], const uint8_t *lut)
{
    for (unsigned i = 0; i < 256; i++) {
        uint8_t b[16] = {(uint8_t)i}, want[16];
        gcm_mul(b, h, want);
        assert_memory_equal(lut + 16 * i, want, 16);
    }
}

/* ---- P-256 numbers: HarpoS7 keeps them as 32-byte little-endian integers ------------- */

typedef struct p256 {
    BN_CTX *bn;
    BIGNUM *p;
    EC_GROUP *g;
} p256;

static void p256_init(p256 *c)
{
    c->bn = BN_CTX_new();
    c->g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    c->p = BN_new();
    assert_true(c->bn && c->g && c->p);
    assert_int_equal(EC_GROUP_get_curve(c->g, c->p, NULL, NULL, c->bn), 1);
}

static void p256_free(p256 *c)
{
    BN_free(c->p);
    EC_GROUP_free(c->g);
    BN_CTX_free(c->bn);
}

static BIGNUM *le(const uint8_t *b, size_t n)
{
    BIGNUM *v = BN_lebin2bn(b, (int)n, NULL);
    assert_non_null(v);
    return v;
}

static void assert_le(const BIGNUM *v, const uint8_t *want, size_t n)
{
    uint8_t got[64];
    assert_true(n <= sizeof got);
    assert_int_equal(BN_bn2lebinpad(v, got, (int)n), (int)n);
    assert_memory_equal(got, want, n);
}

/* 32 little-endian bytes -> big-endian (the wire order of plcsim.c). */
static void le_to_be(const uint8_t *in, uint8_t *out)
{
    for (int i = 0; i < 32; i++) out[i] = in[31 - i];
}

/* Affine (x, y) of a Jacobian (X, Y, Z): x = X/Z^2, y = Y/Z^3. */
static void to_affine(p256 *c, const uint8_t *X, const uint8_t *Y, const uint8_t *Z, BIGNUM *x,
                      BIGNUM *y)
{
    BIGNUM *bx = le(X, 32), *by = le(Y, 32), *bz = le(Z, 32), *zi = BN_new(), *t = BN_new();
    assert_non_null(BN_mod_inverse(zi, bz, c->p, c->bn));
    assert_int_equal(BN_mod_sqr(t, zi, c->p, c->bn), 1);
    assert_int_equal(BN_mod_mul(x, bx, t, c->p, c->bn), 1);
    assert_int_equal(BN_mod_mul(t, t, zi, c->p, c->bn), 1);
    assert_int_equal(BN_mod_mul(y, by, t, c->p, c->bn), 1);
    BN_free(bx);
    BN_free(by);
    BN_free(bz);
    BN_free(zi);
    BN_free(t);
}

static EC_POINT *point(p256 *c, const BIGNUM *x, const BIGNUM *y)
{
    EC_POINT *pt = EC_POINT_new(c->g);
    assert_non_null(pt);
    assert_int_equal(EC_POINT_set_affine_coordinates(c->g, pt, x, y, c->bn), 1);
    return pt;
}

static EC_POINT *jacobian_point(p256 *c, const lv_arrays *f, unsigned lx, unsigned ly, unsigned lz)
{
    BIGNUM *x = BN_new(), *y = BN_new();
    to_affine(c, at(f, lx, 32)->bytes, at(f, ly, 32)->bytes, at(f, lz, 32)->bytes, x, y);
    EC_POINT *pt = point(c, x, y);
    BN_free(x);
    BN_free(y);
    return pt;
}

/* ---- HarpoSeedUtilitiesTests ----------------------------------------------------------- */

/* GenerateEncryptedSeedTest: HarpoS7's random source fills with 0x33, so l = 33..33. */
static void seed_known_answer(const lv_arrays *f)
{
    uint8_t l[32], out[96];
    memset(l, 0x33, sizeof l);
    assert_int_equal(s7p_legacy_plcsim_seed(at(f, 101, 64)->bytes, l, at(f, 110, 16)->bytes, out),
                     S7P_OK);
    assert_memory_equal(out, at(f, 119, 96)->bytes, 96);
}

/* SeedFunction2: k * P with k = DD..DD, points as LE x || LE y || infinity flag (0). */
static void scalar_mul_cases(const lv_arrays *f)
{
    static const unsigned cases[2][2] = {{50, 60}, {70, 80}};
    uint8_t k[32], in[64], want[64], got[64];
    memset(k, 0xDD, sizeof k);
    for (int i = 0; i < 2; i++) {
        const uint8_t *p = at(f, cases[i][0], 72)->bytes, *r = at(f, cases[i][1], 72)->bytes;
        le_to_be(p, in);
        le_to_be(p + 32, in + 32);
        le_to_be(r, want);
        le_to_be(r + 32, want + 32);
        assert_int_equal(s7p_legacy_p256_mul(k, in, got), S7P_OK);
        assert_memory_equal(got, want, 64);
        static const uint8_t zero8[8];
        assert_memory_equal(r + 64, zero8, 8);
    }
}

/* SeedFunction5: Jacobian (X, Y, Z) -> affine; SeedFunction3: doubling; SeedFunction4:
 * adding the affine point (a7, a8). The Jacobian results are compared as points (their
 * representatives depend on the formulas); a7/a9 are scratch memory (L532, L569, L618,
 * L655), not values. */
static void point_cases(const lv_arrays *f)
{
    p256 c;
    p256_init(&c);
    BIGNUM *x = BN_new(), *y = BN_new();
    to_affine(&c, at(f, 14, 32)->bytes, at(f, 19, 32)->bytes, at(f, 24, 32)->bytes, x, y);
    const uint8_t *want = at(f, 29, 72)->bytes;
    assert_le(x, want, 32);
    assert_le(y, want + 32, 32);

    EC_POINT *in = jacobian_point(&c, f, 514, 520, 526), *out = jacobian_point(&c, f, 548, 555, 562);
    EC_POINT *r = EC_POINT_new(c.g);
    assert_int_equal(EC_POINT_dbl(c.g, r, in, c.bn), 1);
    assert_int_equal(EC_POINT_cmp(c.g, r, out, c.bn), 0);
    EC_POINT_free(in);
    EC_POINT_free(out);

    BN_free(x);
    BN_free(y);
    x = le(at(f, 606, 32)->bytes, 32);
    y = le(at(f, 612, 32)->bytes, 32);
    EC_POINT *q = point(&c, x, y);
    in = jacobian_point(&c, f, 588, 594, 600);
    out = jacobian_point(&c, f, 634, 641, 648);
    assert_int_equal(EC_POINT_add(c.g, r, in, q, c.bn), 1);
    assert_int_equal(EC_POINT_cmp(c.g, r, out, c.bn), 0);
    assert_int_equal(at(f, 532, 128)->len + at(f, 569, 128)->len + at(f, 618, 128)->len +
                         at(f, 655, 128)->len, 512);
    EC_POINT_free(in);
    EC_POINT_free(out);
    EC_POINT_free(q);
    EC_POINT_free(r);
    BN_free(x);
    BN_free(y);
    p256_free(&c);
}

typedef enum { F_SQR, F_MUL, F_ADD, F_SUB_REV, F_REDUCE, F_INV } field_op;

/* One field operation mod p: a (and b) from the arrays at la/lb, result at lr. */
static void field_case(p256 *c, const lv_arrays *f, field_op op, unsigned la, size_t na,
                       unsigned lb, size_t nb, unsigned lr)
{
    BIGNUM *a = le(at(f, la, na)->bytes, op == F_REDUCE ? 64 : 32);
    BIGNUM *b = lb ? le(at(f, lb, nb)->bytes, 32) : NULL, *r = BN_new();
    switch (op) {
    case F_SQR: assert_int_equal(BN_mod_sqr(r, a, c->p, c->bn), 1); break;
    case F_MUL: assert_int_equal(BN_mod_mul(r, a, b, c->p, c->bn), 1); break;
    case F_ADD: assert_int_equal(BN_mod_add(r, a, b, c->p, c->bn), 1); break;
    case F_SUB_REV: assert_int_equal(BN_mod_sub(r, b, a, c->p, c->bn), 1); break;
    case F_REDUCE: assert_int_equal(BN_nnmod(r, a, c->p, c->bn), 1); break;
    case F_INV: assert_non_null(BN_mod_inverse(r, a, c->p, c->bn)); break;
    }
    assert_le(r, at(f, lr, 32)->bytes, 32);
    BN_free(a);
    BN_free(b);
    BN_free(r);
}

/* The 256-bit word operations under the field arithmetic: add/sub with carry, compare,
 * shift, halving, the word gather of the FIPS 186-4 P-256 reduction, a row product. */
static void word_cases(p256 *c, const lv_arrays *f)
{
    BIGNUM *m = BN_new(), *a, *b, *r = BN_new();
    assert_int_equal(BN_set_bit(m, 256), 1);                /* 2^256 */
    a = le(at(f, 272, 32)->bytes, 32);                      /* PubKeyOp8: a + b, no carry */
    b = le(at(f, 277, 32)->bytes, 32);
    assert_int_equal(BN_add(r, a, b), 1);
    assert_true(BN_cmp(r, m) < 0);
    assert_le(r, at(f, 287, 32)->bytes, 32);
    BN_free(a);
    BN_free(b);
    a = le(at(f, 298, 32)->bytes, 32);                      /* PubKeyOp9: a - b, borrow */
    b = le(at(f, 303, 32)->bytes, 32);
    assert_true(BN_cmp(a, b) < 0);
    assert_int_equal(BN_sub(r, a, b), 1);
    assert_int_equal(BN_add(r, r, m), 1);
    assert_le(r, at(f, 313, 32)->bytes, 32);
    BN_free(a);
    BN_free(b);
    a = le(at(f, 325, 128)->bytes, 32);                     /* SeedMaskSub2: below p */
    assert_true(BN_cmp(a, c->p) < 0);
    BN_free(a);
    a = le(at(f, 347, 32)->bytes, 32);                      /* ... and greater */
    b = le(at(f, 352, 32)->bytes, 32);
    assert_true(BN_cmp(a, b) > 0);
    BN_free(a);
    BN_free(b);
    BN_free(m);
    BN_free(r);
}

static void shift_cases(p256 *c, const lv_arrays *f)
{
    static const unsigned shr[2][3] = {{690, 697, 0}, {705, 712, 1}};
    BIGNUM *r = BN_new(), *a, *b;
    for (int i = 0; i < 2; i++) {                           /* PubKeyOp19: (a >> 1) | top */
        a = le(at(f, shr[i][0], 32)->bytes, 32);
        assert_int_equal(BN_rshift1(r, a), 1);
        if (shr[i][2]) assert_int_equal(BN_set_bit(r, 255), 1);
        assert_le(r, at(f, shr[i][1], 32)->bytes, 32);
        BN_free(a);
    }
    /* PubKeyOp18: strip the factors 2 of a, halve b mod p as often. */
    a = le(at(f, 728, 32)->bytes, 32);
    b = le(at(f, 733, 32)->bytes, 32);
    BIGNUM *two = BN_new(), *inv2 = BN_new();
    assert_true(BN_set_word(two, 2) && BN_mod_inverse(inv2, two, c->p, c->bn));
    while (!BN_is_odd(a)) {
        assert_int_equal(BN_rshift1(a, a), 1);
        assert_int_equal(BN_mod_mul(b, b, inv2, c->p, c->bn), 1);
    }
    assert_le(a, at(f, 741, 32)->bytes, 32);
    assert_le(b, at(f, 748, 32)->bytes, 32);
    BN_free(a);
    BN_free(b);
    BN_free(two);
    BN_free(inv2);
    BN_free(r);
}

static void gather_and_row_cases(const lv_arrays *f)
{
    /* PubKeyOp7(.., 15,14,13,12,11,0,0,0): the term (c15,c14,c13,c12,c11,0,0,0) of the
     * reduction, 32-bit words most significant first; 0 = a zero word. */
    static const int idx[8] = {15, 14, 13, 12, 11, 0, 0, 0};
    const uint8_t *a = at(f, 197, 64)->bytes;
    uint8_t want[32] = {0};
    for (int w = 0; w < 8; w++)
        if (idx[7 - w]) memcpy(want + 4 * w, a + 4 * idx[7 - w], 4);
    assert_memory_equal(want, at(f, 208, 32)->bytes, 32);
    /* PubKeyOp5(out = 0, 0x7394F3286532A6B0, data, 0, 3): data[0..2] * word; the low 3
     * words land in out, the top word is returned (0x6AD8A41679EC9E7D). */
    BIGNUM *d = le(at(f, 164, 64)->bytes, 24), *w = BN_new(), *r = BN_new();
    BN_CTX *bn = BN_CTX_new();
    assert_true(BN_hex2bn(&w, "7394F3286532A6B0") && bn);
    assert_int_equal(BN_mul(r, d, w, bn), 1);
    uint8_t got[32];
    assert_int_equal(BN_bn2lebinpad(r, got, 32), 32);
    assert_memory_equal(got, at(f, 185, 24)->bytes, 24);
    static const uint8_t top[8] = {0x7D, 0x9E, 0xEC, 0x79, 0x16, 0xA4, 0xD8, 0x6A};
    assert_memory_equal(got + 24, top, 8);
    BN_free(d);
    BN_free(w);
    BN_free(r);
    BN_CTX_free(bn);
}

static void test_seed_utilities(void **state)
{
    (void)state;
    lv_arrays *f = load("HarpoSeedUtilitiesTests.hex.txt", 73);
    seed_known_answer(f);
    scalar_mul_cases(f);
    point_cases(f);
    p256 c;
    p256_init(&c);
    /* PubKeyOp4 (square; the second case's L243 is the output buffer it overwrites),
     * PubKeyOp6 (reduce 512 bits), PubKeyOp12 (product), PubKeyOp16 (sum), PubKeyOp15
     * (a2 - a1a3), PubKeyOp17 (1 / a). */
    field_case(&c, f, F_SQR, 221, 64, 0, 0, 232);
    assert_int_equal(at(f, 243, 32)->len, 32);
    field_case(&c, f, F_SQR, 249, 64, 0, 0, 260);
    field_case(&c, f, F_REDUCE, 365, 64, 0, 0, 376);
    field_case(&c, f, F_MUL, 433, 64, 441, 64, 452);
    field_case(&c, f, F_ADD, 463, 32, 468, 64, 479);
    field_case(&c, f, F_SUB_REV, 490, 32, 495, 32, 503);
    field_case(&c, f, F_INV, 759, 32, 0, 0, 767);
    word_cases(&c, f);
    shift_cases(&c, f);
    gather_and_row_cases(f);
    /* SeedMask: a copy (L387 is the overwritten output buffer); its in-place form. */
    assert_memory_equal(at(f, 392, 32)->bytes, at(f, 400, 32)->bytes, 32);
    assert_int_equal(at(f, 387, 32)->len, 32);
    assert_memory_equal(at(f, 412, 32)->bytes, at(f, 420, 32)->bytes, 32);
    p256_free(&c);
    lv_arrays_free(f);
}

/* ---- HarpoAesCtrTests: GCM with a 16-byte IV -------------------------------------------- */

static const uint8_t CTR_KEY[16] = {0x4E, 0x00, 0x10, 0x16, 0xDB, 0x62, 0x5D, 0xCC,
                                    0xE9, 0x10, 0x5B, 0xDC, 0xD8, 0xA1, 0xB4, 0x2C};

static void test_aes_ctr(void **state)
{
    (void)state;
    lv_arrays *f = load("HarpoAesCtrTests.hex.txt", 10);
    uint8_t iv[16], h[16], j0[16], t[16];
    memset(iv, 0xCC, sizeof iv);
    /* TestInit: the counter after Init is GCM's J0 = GHASH(IV || 0^64 || [128]_64). */
    hash_key(CTR_KEY, h);
    gcm_mul(iv, h, t);
    t[15] ^= 128;
    gcm_mul(t, h, j0);
    assert_memory_equal(j0, at(f, 371, 16)->bytes, 16);
    /* TestEncrypt2Times: two calls continue one GCM stream: data1 (16), then DD x 24. */
    uint8_t plain[40], ct[40], tag[16];
    memcpy(plain, at(f, 388, 16)->bytes, 16);
    memset(plain + 16, 0xDD, 24);
    assert_int_equal(s7p_legacy_gcm_seal(CTR_KEY, iv, plain, sizeof plain, ct, tag), S7P_OK);
    assert_memory_equal(ct, at(f, 395, 16)->bytes, 16);
    assert_memory_equal(ct + 16, at(f, 406, 24)->bytes, 24);
    /* ...and OpenSSL's first keystream block is AES(inc32(J0)). */
    uint8_t ctr[16], ks[16];
    memcpy(ctr, j0, 16);
    ctr[15]++;
    assert_int_equal(s7p_legacy_aes_block(CTR_KEY, ctr, ks), S7P_OK);
    for (int i = 0; i < 16; i++) assert_int_equal(ct[i] ^ plain[i], ks[i]);
    /* CalculateChecksumTest with mocked state: GHASH accumulator S (L451), 16 bytes of
     * ciphertext, no AAD, J0 (L465), table (L14) of H = AES(key, 0): tag = AES(key, J0) XOR
     * ((S XOR [0]_64 || [128]_64) * H). The mocked aes2 (L458) is overwritten by the call. */
    const uint8_t *key = at(f, 416, 16)->bytes;
    hash_key(key, h);
    assert_ghash_table(h, at(f, 14, 4096)->bytes);
    memcpy(t, at(f, 451, 16)->bytes, 16);
    t[15] ^= 128;
    gcm_mul(t, h, t);
    assert_int_equal(s7p_legacy_aes_block(key, at(f, 465, 16)->bytes, ks), S7P_OK);
    for (int i = 0; i < 16; i++) t[i] ^= ks[i];
    assert_memory_equal(t, at(f, 477, 16)->bytes, 16);
    assert_int_equal(at(f, 458, 16)->len, 16);
    lv_arrays_free(f);
}

/* ---- HarpoHashTests: GHASH's multiplication by H ------------------------------------- */

static void test_hash(void **state)
{
    (void)state;
    lv_arrays *f = load("HarpoHashTests.hex.txt", 6);
    const uint8_t *h = at(f, 12, 16)->bytes;
    uint8_t x1[16] = {0x40}, got[16], cc[16];            /* Lut1: H * x */
    gcm_mul(x1, h, got);
    assert_memory_equal(got, at(f, 28, 16)->bytes, 16);
    assert_ghash_table(at(f, 48, 16)->bytes, at(f, 57, 4096)->bytes);
    memset(cc, 0xCC, sizeof cc);                          /* TbHash: (CC x 16) * H */
    gcm_mul(cc, at(f, 409, 16)->bytes, got);
    assert_memory_equal(got, at(f, 421, 16)->bytes, 16);
    lv_arrays_free(f);
}

/* ---- KeyUtilitiesTests: the PLCSIM derivations ---------------------------------------- */

static void test_key_utilities_plcsim(void **state)
{
    (void)state;
    lv_arrays *f = load("KeyUtilitiesTests.hex.txt", 17);
    /* DeriveSeedEncryptionKeyAndIv: a2 = the shared point as HarpoS7 keeps it (x
     * little-endian), a3 = the ephemeral point x || y big-endian. */
    uint8_t shared_x[32], out[48], ck[16];
    le_to_be(at(f, 11, 32)->bytes, shared_x);
    assert_int_equal(s7p_legacy_plcsim_seed_kdf(shared_x, at(f, 16, 64)->bytes, out), S7P_OK);
    assert_memory_equal(out, at(f, 27, 48)->bytes, 48);
    /* DeriveChallengeEncryptionKey, both cases. */
    assert_int_equal(s7p_legacy_plcsim_challenge_key(at(f, 37, 24)->bytes, ck), S7P_OK);
    assert_memory_equal(ck, at(f, 41, 16)->bytes, 16);
    assert_int_equal(s7p_legacy_plcsim_challenge_key(at(f, 46, 24)->bytes, ck), S7P_OK);
    assert_memory_equal(ck, at(f, 50, 16)->bytes, 16);
    lv_arrays_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_utilities),
        cmocka_unit_test(test_aes_ctr),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_key_utilities_plcsim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

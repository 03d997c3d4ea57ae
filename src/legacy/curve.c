/* SPDX-License-Identifier: MIT */
/* The 160-bit short Weierstrass curve of families 00/01: y^2 = x^3 - x + b over
 * GF(2^160 - 47), prime order n, cofactor 1. Public keys are given by x only and about half
 * of the shipped keys are x-coordinates of the quadratic twist, so the scalar product is an
 * x-only Montgomery ladder on (X:Z) with the Brier-Joye doubling and differential addition:
 * those formulas never use y and give the true multiple on the curve and on the twist alike.
 * OpenSSL BIGNUM does the field arithmetic, the ladder's products in Montgomery form (a
 * reduction by division after each of its ~3 000 products made a legacy connect cost a
 * millisecond of CPU); EC_GROUP only builds the simulator's key pair. */
#include <openssl/bn.h>
#include <openssl/ec.h>

#include "legacy/crypto.h"

static const char P_HEX[] = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD1";
static const char B_HEX[] = "FDEC56A0F1A148A7CA6F04463A24F5F56C3F3A4F";
static const char GX_HEX[] = "7D2ED8E2846E58D74A7A613285471707A39D0C8E";
static const char GY_HEX[] = "57A735E99D694CFE6C7FE8F788BCF113CD8C673B";
static const char N_HEX[] = "100000000000000000000F368CDA5CDB2EBFC69C7";

/* XORed into the random scalar bytes; only matters for reproducing the known answers. */
static const uint8_t SCALAR_MASK_LE[S7P_LEGACY_FIELD_LEN] = {
    0x48, 0x64, 0x70, 0x6C, 0xDE, 0xC0, 0xB1, 0x33, 0x63, 0xD3,
    0xA1, 0x77, 0xA4, 0x9C, 0xB7, 0x73, 0x86, 0x2E, 0xE6, 0xF8,
};

void s7p_legacy_scalar(const uint8_t prng2[S7P_LEGACY_FIELD_LEN], uint8_t k_le[S7P_LEGACY_FIELD_LEN])
{
    for (int i = 0; i < S7P_LEGACY_FIELD_LEN; i++) k_le[i] = prng2[i] ^ SCALAR_MASK_LE[i];
}

/* The field and curve constants plus scratch registers of one computation. */
typedef struct field {
    BN_CTX *ctx;
    BN_MONT_CTX *mont;                   /* the ladder: constants and registers in its form */
    BIGNUM *p, *a, *b, *b4, *b8, *xd;
    BIGNUM *t[6];
} field;

static void field_free(field *f)
{
    BN_MONT_CTX_free(f->mont);
    if (f->ctx) BN_CTX_end(f->ctx);
    BN_CTX_free(f->ctx);
}

/* The ladder's constants into Montgomery form (sums and differences stay as they are). */
static bool field_mont(field *f)
{
    f->mont = BN_MONT_CTX_new();
    if (!f->mont || !BN_MONT_CTX_set(f->mont, f->p, f->ctx)) return false;
    BIGNUM *all[] = {f->a, f->b, f->b4, f->b8, f->xd};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!BN_to_montgomery(all[i], all[i], f->mont, f->ctx)) return false;
    return true;
}

static bool field_init(field *f)
{
    f->ctx = BN_CTX_new();
    if (!f->ctx) return false;
    BN_CTX_start(f->ctx);
    BIGNUM **all[] = {&f->p, &f->a, &f->b, &f->b4, &f->b8, &f->xd,
                      &f->t[0], &f->t[1], &f->t[2], &f->t[3], &f->t[4], &f->t[5]};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!(*all[i] = BN_CTX_get(f->ctx))) return false;
    return BN_hex2bn(&f->p, P_HEX) && BN_hex2bn(&f->b, B_HEX) && BN_sub(f->a, f->p, BN_value_one()) &&
           BN_mod_lshift(f->b4, f->b, 2, f->p, f->ctx) && BN_mod_lshift(f->b8, f->b, 3, f->p, f->ctx);
}

typedef struct xz {
    BIGNUM *x, *z;
} xz;

#define MUL(r, u, v) BN_mod_mul_montgomery(r, u, v, f->mont, f->ctx)
#define ADD(r, u, v) BN_mod_add_quick(r, u, v, f->p)
#define SUB(r, u, v) BN_mod_sub_quick(r, u, v, f->p)

/* (X:Z) <- 2 (X:Z): X' = (X^2 - aZ^2)^2 - 8bXZ^3, Z' = 4Z(X^3 + aXZ^2 + bZ^3). */
static bool dbl(field *f, xz r)
{
    BIGNUM *xx = f->t[0], *zz = f->t[1], *u = f->t[2], *v = f->t[3], *w = f->t[4];
    bool ok = MUL(xx, r.x, r.x) && MUL(zz, r.z, r.z) &&
              MUL(u, f->a, zz) && SUB(u, xx, u) && MUL(u, u, u) &&            /* (X^2-aZ^2)^2 */
              MUL(v, r.x, r.z) && MUL(v, v, zz) && MUL(v, v, f->b8) &&        /* 8bXZ^3 */
              SUB(w, u, v) &&
              MUL(u, f->a, zz) && ADD(u, u, xx) && MUL(u, u, r.x) &&          /* X^3 + aXZ^2 */
              MUL(v, zz, r.z) && MUL(v, v, f->b) && ADD(u, u, v) &&           /* + bZ^3 */
              MUL(u, u, r.z) && BN_mod_lshift_quick(r.z, u, 2, f->p) && BN_copy(r.x, w);
    return ok;
}

/* (X1:Z1) <- (X1:Z1) + (X2:Z2), their difference having affine x = xd:
 * X = 2(X1Z2 + X2Z1)(X1X2 + aZ1Z2) + 4b(Z1Z2)^2 - xd(X1Z2 - X2Z1)^2, Z = (X1Z2 - X2Z1)^2. */
static bool add(field *f, xz r, xz s)
{
    BIGNUM *p = f->t[0], *q = f->t[1], *u = f->t[2], *v = f->t[3], *w = f->t[4], *zz = f->t[5];
    bool ok = MUL(p, r.x, s.z) && MUL(q, s.x, r.z) && MUL(zz, r.z, s.z) &&
              ADD(u, p, q) && BN_mod_lshift1_quick(u, u, f->p) &&
              MUL(v, r.x, s.x) && MUL(w, f->a, zz) && ADD(v, v, w) && MUL(u, u, v) &&
              MUL(v, zz, zz) && MUL(v, v, f->b4) && ADD(u, u, v) &&
              SUB(w, p, q) && MUL(w, w, w) && MUL(v, w, f->xd) && SUB(r.x, u, v) &&
              BN_copy(r.z, w);
    return ok;
}

/* The ladder over all 160 bits from R0 = infinity (1:0), R1 = P; the formulas handle the
 * infinity start (dbl keeps Z = 0, add of infinity and P gives P). */
static bool ladder(field *f, const BIGNUM *k, BIGNUM *out)
{
    BIGNUM *r0x = BN_CTX_get(f->ctx), *r0z = BN_CTX_get(f->ctx);
    BIGNUM *r1x = BN_CTX_get(f->ctx), *r1z = BN_CTX_get(f->ctx);
    if (!r1z || !BN_to_montgomery(r0x, BN_value_one(), f->mont, f->ctx) || !BN_set_word(r0z, 0) ||
        !BN_copy(r1x, f->xd) || !BN_copy(r1z, r0x))
        return false;
    xz r0 = {r0x, r0z}, r1 = {r1x, r1z};
    for (int i = 8 * S7P_LEGACY_FIELD_LEN - 1; i >= 0; i--) {
        bool ok = BN_is_bit_set(k, i) ? add(f, r0, r1) && dbl(f, r1) : add(f, r1, r0) && dbl(f, r0);
        if (!ok) return false;
    }
    if (BN_is_zero(r0.z)) return BN_set_word(out, 0);
    return BN_from_montgomery(r0.x, r0.x, f->mont, f->ctx) &&
           BN_from_montgomery(r0.z, r0.z, f->mont, f->ctx) &&
           BN_mod_inverse(out, r0.z, f->p, f->ctx) && BN_mod_mul(out, out, r0.x, f->p, f->ctx);
}

s7p_status s7p_legacy_curve_mul(const uint8_t k_le[S7P_LEGACY_FIELD_LEN],
                                const uint8_t *x_le, uint8_t out_le[S7P_LEGACY_FIELD_LEN])
{
    field f = {0};
    s7p_status st = S7P_E_NOMEM;
    if (!field_init(&f)) goto done;
    BIGNUM *k = BN_CTX_get(f.ctx), *res = BN_CTX_get(f.ctx);
    if (!res || !BN_lebin2bn(k_le, S7P_LEGACY_FIELD_LEN, k)) goto done;
    if (x_le ? !BN_lebin2bn(x_le, S7P_LEGACY_FIELD_LEN, f.xd) : !BN_hex2bn(&f.xd, GX_HEX)) goto done;
    if (BN_cmp(f.xd, f.p) >= 0) {
        st = S7P_E_INVALID_ARG;
        goto done;
    }
    BN_set_flags(k, BN_FLG_CONSTTIME);
    if (!field_mont(&f) || !ladder(&f, k, res) || BN_bn2lebinpad(res, out_le, S7P_LEGACY_FIELD_LEN) < 0) goto done;
    st = S7P_OK;
done:
    field_free(&f);
    return st;
}

bool s7p_legacy_curve_has_x(const uint8_t x_le[S7P_LEGACY_FIELD_LEN])
{
    field f = {0};
    bool on = false;
    if (!field_init(&f)) goto done;
    BIGNUM *x = f.t[0], *rhs = f.t[1], *e = f.t[2];
    if (!BN_lebin2bn(x_le, S7P_LEGACY_FIELD_LEN, x) || BN_cmp(x, f.p) >= 0) goto done;
    /* Euler's criterion on x^3 + ax + b. */
    if (BN_mod_sqr(rhs, x, f.p, f.ctx) && BN_mod_add_quick(rhs, rhs, f.a, f.p) &&
        BN_mod_mul(rhs, rhs, x, f.p, f.ctx) && BN_mod_add_quick(rhs, rhs, f.b, f.p) &&
        BN_sub(e, f.p, BN_value_one()) && BN_rshift1(e, e) && BN_mod_exp(e, rhs, e, f.p, f.ctx))
        on = BN_is_zero(rhs) || BN_is_one(e);
done:
    field_free(&f);
    return on;
}

s7p_status s7p_legacy_curve_public(const uint8_t d_le[S7P_LEGACY_FIELD_LEN], uint8_t out[40])
{
    field f = {0};
    EC_GROUP *g = NULL;
    EC_POINT *gen = NULL, *pub = NULL;
    s7p_status st = S7P_E_NOMEM;
    if (!field_init(&f)) goto done;
    BIGNUM *gx = f.t[0], *gy = f.t[1], *n = f.t[2], *d = f.t[3], *x = f.t[4], *y = f.t[5];
    if (!BN_hex2bn(&gx, GX_HEX) || !BN_hex2bn(&gy, GY_HEX) || !BN_hex2bn(&n, N_HEX) ||
        !BN_lebin2bn(d_le, S7P_LEGACY_FIELD_LEN, d))
        goto done;
    if (BN_is_zero(d) || BN_cmp(d, n) >= 0) {
        st = S7P_E_INVALID_ARG;
        goto done;
    }
    g = EC_GROUP_new_curve_GFp(f.p, f.a, f.b, f.ctx);
    gen = g ? EC_POINT_new(g) : NULL;
    pub = g ? EC_POINT_new(g) : NULL;
    if (!pub || !EC_POINT_set_affine_coordinates(g, gen, gx, gy, f.ctx) ||
        !EC_GROUP_set_generator(g, gen, n, BN_value_one()) ||
        !EC_POINT_mul(g, pub, d, NULL, NULL, f.ctx) ||
        !EC_POINT_get_affine_coordinates(g, pub, x, y, f.ctx) ||
        BN_bn2lebinpad(x, out, S7P_LEGACY_FIELD_LEN) < 0 ||
        BN_bn2lebinpad(y, out + S7P_LEGACY_FIELD_LEN, S7P_LEGACY_FIELD_LEN) < 0)
        goto done;
    st = S7P_OK;
done:
    EC_POINT_free(pub);
    EC_POINT_free(gen);
    EC_GROUP_free(g);
    field_free(&f);
    return st;
}

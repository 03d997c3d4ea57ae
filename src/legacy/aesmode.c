/* SPDX-License-Identifier: MIT */
/* The symmetric part of the families 00/01 blob: AES-128 (OpenSSL, ECB, one block at a time)
 * in a counter mode whose counter steps by a multiplication by x in the bit-reflected GCM
 * field, and a GHASH-like checksum over a different field, GF(2)[x] / (x^128 + x^32 + x^15 +
 * x^2 + 1), with blocks read as little-endian 128-bit numbers (bit i = coefficient of x^i). */
#include <string.h>

#include <openssl/evp.h>

#include "legacy/crypto.h"

void s7p_legacy_ctr_step(uint8_t ctr[16])
{
    bool carry = ctr[0] & 1u;
    for (int i = 0; i < 15; i++) ctr[i] = (uint8_t)(ctr[i] >> 1 | ctr[i + 1] << 7);
    ctr[15] >>= 1;
    if (carry) ctr[15] ^= 0xE1;
}

typedef struct u128 {
    uint64_t lo, hi;
} u128;

static u128 load_le128(const uint8_t b[16])
{
    u128 v = {0, 0};
    for (int i = 7; i >= 0; i--) {
        v.lo = v.lo << 8 | b[i];
        v.hi = v.hi << 8 | b[i + 8];
    }
    return v;
}

static void store_le128(uint8_t b[16], u128 v)
{
    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(v.lo >> 8 * i);
        b[i + 8] = (uint8_t)(v.hi >> 8 * i);
    }
}

/* x^32 + x^15 + x^2 + 1: what x^128 reduces to. */
#define REDUCTION 0x100008005ull

void s7p_legacy_gf128_mul(const uint8_t a[16], const uint8_t b[16], uint8_t out[16])
{
    u128 x = load_le128(a), y = load_le128(b), r = {0, 0};
    for (int i = 127; i >= 0; i--) {
        bool top = r.hi >> 63;                        /* r = r * x */
        r.hi = r.hi << 1 | r.lo >> 63;
        r.lo <<= 1;
        if (top) r.lo ^= REDUCTION;
        uint64_t bit = i >= 64 ? y.hi >> (i - 64) : y.lo >> i;
        if (bit & 1u) {
            r.lo ^= x.lo;
            r.hi ^= x.hi;
        }
    }
    store_le128(out, r);
}

s7p_status s7p_legacy_aes_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    bool ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, key, NULL) &&
              EVP_CIPHER_CTX_set_padding(c, 0) && EVP_EncryptUpdate(c, out, &n1, in, 16) &&
              EVP_EncryptFinal_ex(c, out + n1, &n2) && n1 + n2 == 16;
    EVP_CIPHER_CTX_free(c);
    return ok ? S7P_OK : S7P_E_NOMEM;
}

s7p_status s7p_legacy_ctr_crypt(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
                                uint8_t *out, size_t n)
{
    uint8_t ctr[16], ks[16];
    memcpy(ctr, iv, 16);
    for (size_t off = 0; off < n; off += 16) {
        s7p_status st = s7p_legacy_aes_block(key, ctr, ks);
        if (st != S7P_OK) return st;
        for (size_t i = 0; i < 16 && off + i < n; i++) out[off + i] = in[off + i] ^ ks[i];
        s7p_legacy_ctr_step(ctr);
    }
    return S7P_OK;
}

/* c = IV*H; c = (c ^ block)*H per 16-byte block (the last one zero-padded); c ^= n << 96;
 * c = c*H; tag = AES(checksum_key, c). */
s7p_status s7p_legacy_checksum(const uint8_t checksum_key[16], const uint8_t h[16],
                               const uint8_t iv[16], const uint8_t *ct, size_t n, uint8_t tag[16])
{
    if (n > 64) return S7P_E_INVALID_ARG;
    uint8_t c[16], blk[16];
    s7p_legacy_gf128_mul(iv, h, c);
    for (size_t off = 0; off < n; off += 16) {
        memset(blk, 0, sizeof blk);
        memcpy(blk, ct + off, n - off < 16 ? n - off : 16);
        for (int i = 0; i < 16; i++) blk[i] ^= c[i];
        s7p_legacy_gf128_mul(blk, h, c);
    }
    c[12] ^= (uint8_t)n;
    s7p_legacy_gf128_mul(c, h, c);
    return s7p_legacy_aes_block(checksum_key, c, tag);
}

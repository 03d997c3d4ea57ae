/* SPDX-License-Identifier: MIT */
/* The "state-resume" continuation digest of fragmented V3 answers (spec §2.7 form (b),
 * docs/protocol.md §6.1). Real S7-1200/1500 firmware signs a multi-frame answer with one
 * pair of HMAC-SHA256 hash states: after a fragment it finalizes both (the first digest is
 * the plain HMAC of the first fragment), and for the next fragment it keeps hashing into the
 * finalized states without resetting them. Finalizing pads and compresses the pending bytes
 * but does not touch the message byte count, so the next padding is computed for the new
 * fragment alone while its length field counts every byte hashed since the 64-byte pad
 * block. Source of this reading: gijzelaerr/s7commplus `s7commplus/_fragment_hmac.py`
 * (`_continue_sha256`, `FragmentHMACVerifier`) and its vector generator, which gets the
 * same numbers from OpenSSL's SHA256_Update called again after SHA256_Final.
 *
 * Resuming needs the bare SHA-256 compression function, which OpenSSL 3 offers only as the
 * deprecated SHA256_Transform on a SHA256_CTX whose fields we would have to overwrite. It is
 * written here from FIPS 180-4 §4.2.2 and §6.2.2 instead: it does not depend on the layout
 * of a deprecated struct, builds against an OpenSSL configured without the deprecated API,
 * and has no secret-dependent table lookups or branches. The standard parts (the first
 * fragment's HMAC, i.e. SHA-256 over the pad block and the data) stay with OpenSSL. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "legacy/crypto.h"

#define BLOCK 64u

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static uint32_t ror(uint32_t x, unsigned n) { return x >> n | x << (32u - n); }

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void s7p_legacy_sha256_block(uint32_t h[8], const uint8_t block[64])
{
    uint32_t w[64], v[8];
    for (unsigned t = 0; t < 16; t++) w[t] = be32(block + 4 * t);
    for (unsigned t = 16; t < 64; t++) {
        uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ w[t - 15] >> 3;
        uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ w[t - 2] >> 10;
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    memcpy(v, h, sizeof v);
    for (unsigned t = 0; t < 64; t++) {
        uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
                      ((v[4] & v[5]) ^ (~v[4] & v[6])) + K[t] + w[t];
        uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
                      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (unsigned i = 0; i < 8; i++) h[i] += v[i];
}

void s7p_legacy_sha256_resume(uint8_t digest[32], const uint8_t *data, size_t n, uint64_t total)
{
    uint32_t h[8];
    uint8_t last[2 * BLOCK];
    for (unsigned i = 0; i < 8; i++) h[i] = be32(digest + 4 * i);
    size_t whole = n - n % BLOCK, rest = n % BLOCK;
    for (size_t off = 0; off < whole; off += BLOCK) s7p_legacy_sha256_block(h, data + off);
    /* The padding of this call alone (rest bytes pending), the length field the total. */
    size_t len = rest + 9 <= BLOCK ? BLOCK : 2 * BLOCK;
    memset(last, 0, sizeof last);
    if (rest) memcpy(last, data + whole, rest);
    last[rest] = 0x80;
    uint64_t bits = total * 8u;
    for (unsigned i = 0; i < 8; i++) last[len - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < len; off += BLOCK) s7p_legacy_sha256_block(h, last + off);
    for (unsigned i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
    OPENSSL_cleanse(last, sizeof last);
}

/* SHA-256(pad || data) with OpenSSL, pad = the key zero-filled to a block, XOR x. */
static s7p_status pad_hash(const uint8_t key[S7P_LEGACY_KEY_LEN], uint8_t x, const uint8_t *data,
                           size_t n, uint8_t out[32])
{
    uint8_t pad[BLOCK];
    memset(pad, x, sizeof pad);
    for (unsigned i = 0; i < S7P_LEGACY_KEY_LEN; i++) pad[i] ^= key[i];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
              EVP_DigestUpdate(md, pad, sizeof pad) && (n == 0 || EVP_DigestUpdate(md, data, n)) &&
              EVP_DigestFinal_ex(md, out, NULL);
    EVP_MD_CTX_free(md);
    OPENSSL_cleanse(pad, sizeof pad);
    return ok ? S7P_OK : S7P_E_NOMEM;
}

s7p_status s7p_legacy_resume_start(s7p_legacy_resume *r, const uint8_t key[S7P_LEGACY_KEY_LEN],
                                   const uint8_t *data, size_t n, uint8_t out[32])
{
    s7p_status st = pad_hash(key, 0x36, data, n, r->inner);
    if (st == S7P_OK) st = pad_hash(key, 0x5c, r->inner, sizeof r->inner, r->outer);
    if (st != S7P_OK) {
        OPENSSL_cleanse(r, sizeof *r);
        return st;
    }
    r->inner_len = BLOCK + n;
    r->outer_len = BLOCK + sizeof r->inner;
    memcpy(out, r->outer, sizeof r->outer);  /* = HMAC-SHA256(key, data) */
    return S7P_OK;
}

void s7p_legacy_resume_next(s7p_legacy_resume *r, const uint8_t *data, size_t n, uint8_t out[32])
{
    r->inner_len += n;
    s7p_legacy_sha256_resume(r->inner, data, n, r->inner_len);
    r->outer_len += sizeof r->inner;
    s7p_legacy_sha256_resume(r->outer, r->inner, sizeof r->inner, r->outer_len);
    memcpy(out, r->outer, sizeof r->outer);
}

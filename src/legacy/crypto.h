/* SPDX-License-Identifier: MIT */
/* The non-standard primitives of the legacy challenge authentication (families 00/01 "real
 * PLC") and the standard ones it wraps from OpenSSL. Mathematics and sources:
 * docs/protocol.md "Legacy challenge authentication". Every function is pure: fixed-size
 * inputs and outputs, no state; the random inputs of the handshake are parameters so the
 * known answers can be reproduced. Multi-byte values are in memory (wire) order; "_le"
 * marks a little-endian integer of that many bytes. */
#ifndef S7P_LEGACY_CRYPTO_H
#define S7P_LEGACY_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "s7plus/s7plus.h"

#define S7P_LEGACY_CHALLENGE_LEN 20
#define S7P_LEGACY_KEY_LEN 24            /* key1, key2, session key */
#define S7P_LEGACY_FIELD_LEN 20          /* a 160-bit curve value */
#define S7P_LEGACY_KEY_ID_LEN 8
#define S7P_LEGACY_FP_LEN 8              /* challenge fingerprint */

/* ---- PRESENT-80 with the modified key schedule (present.c) ----------------------------- */

/** Encrypts one 8-byte block (memory bytes = the state read big-endian) under an 80-bit key
 *  register given as 10 big-endian bytes. */
void s7p_legacy_present_encrypt(const uint8_t key[10], const uint8_t in[8], uint8_t out[8]);
/** pre_seed (20 bytes LE) from key1: three blocks under the fixed pre-seed key. */
void s7p_legacy_pre_seed(const uint8_t key1[S7P_LEGACY_KEY_LEN], uint8_t out[S7P_LEGACY_FIELD_LEN]);
/** The mask that hides pre_seed in the blob, from the shared x (20 bytes LE). */
void s7p_legacy_seed_mask(const uint8_t shared_x_le[S7P_LEGACY_FIELD_LEN],
                          uint8_t out[S7P_LEGACY_FIELD_LEN]);
/** The symmetric keys of the blob from pre_seed: AES key of the counter mode, AES key of the
 *  checksum, and the checksum's field element H (16 bytes LE). */
void s7p_legacy_key_material(const uint8_t pre_seed[S7P_LEGACY_FIELD_LEN],
                             uint8_t challenge_key[16], uint8_t checksum_key[16], uint8_t h[16]);

/* ---- the 160-bit curve (curve.c) ------------------------------------------------------- */

/** The scalar k (20 bytes LE) from the 20 random bytes (LE integer XOR a fixed mask). */
void s7p_legacy_scalar(const uint8_t prng2[S7P_LEGACY_FIELD_LEN], uint8_t k_le[S7P_LEGACY_FIELD_LEN]);
/** x(k * P) for the point P given by its x only (both 20 bytes LE); the point at infinity
 *  gives 0. x_le NULL means the generator. S7P_E_INVALID_ARG when x >= p; S7P_E_NOMEM. */
s7p_status s7p_legacy_curve_mul(const uint8_t k_le[S7P_LEGACY_FIELD_LEN],
                                const uint8_t *x_le, uint8_t out_le[S7P_LEGACY_FIELD_LEN]);
/** True when x (20 bytes LE) is the x of a point on the curve (not on its twist). */
bool s7p_legacy_curve_has_x(const uint8_t x_le[S7P_LEGACY_FIELD_LEN]);
/** The public key d*G as 40 bytes LE(x,20) || LE(y,20), for the simulator's key pair. */
s7p_status s7p_legacy_curve_public(const uint8_t d_le[S7P_LEGACY_FIELD_LEN], uint8_t out[40]);

/* ---- AES-128 counter mode with the field step, and the checksum (aesmode.c) ------------ */

/** One counter step: the 16 bytes as a LE number times x in the bit-reflected GCM field. */
void s7p_legacy_ctr_step(uint8_t ctr[16]);
/** Product in GF(2^128) mod x^128 + x^32 + x^15 + x^2 + 1, blocks as 16-byte LE numbers. */
void s7p_legacy_gf128_mul(const uint8_t a[16], const uint8_t b[16], uint8_t out[16]);
s7p_status s7p_legacy_aes_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);
/** XORs n bytes with the keystream AES(key, ctr_i), ctr_0 = iv (encrypts and decrypts). */
s7p_status s7p_legacy_ctr_crypt(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
                                uint8_t *out, size_t n);
/** The encrypted checksum over the ciphertext (n <= 64 bytes). */
s7p_status s7p_legacy_checksum(const uint8_t checksum_key[16], const uint8_t h[16],
                               const uint8_t iv[16], const uint8_t *ct, size_t n, uint8_t tag[16]);

/* ---- challenge fingerprint (fingerprint.c) --------------------------------------------- */

/** FP(C): the fixed-key substitution-permutation network over C[2..17]. */
void s7p_legacy_fingerprint(const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                            uint8_t out[S7P_LEGACY_FP_LEN]);

/* ---- SHA-256 / HMAC based derivations (kdf.c) ------------------------------------------ */

/** Key id: SHA-256(key[0..23] || "DERIVE")[0..7]; its LE uint64 is the printed id. */
s7p_status s7p_legacy_key_id(const uint8_t key[S7P_LEGACY_KEY_LEN], uint8_t out[S7P_LEGACY_KEY_ID_LEN]);
uint64_t s7p_legacy_key_id_u64(const uint8_t id[S7P_LEGACY_KEY_ID_LEN]);
/** Session key: HMAC-SHA256(hmac_key, FP(C) || C[2..17])[0..23]. */
s7p_status s7p_legacy_session_key(const uint8_t hmac_key[S7P_LEGACY_KEY_LEN],
                                  const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                  uint8_t out[S7P_LEGACY_KEY_LEN]);
/** Per-packet digest: HMAC-SHA256(session_key, data) (32 bytes). */
s7p_status s7p_legacy_digest(const uint8_t session_key[S7P_LEGACY_KEY_LEN], const uint8_t *data,
                             size_t n, uint8_t out[32]);
/** Constant-time comparison of two digests; true when equal. */
bool s7p_legacy_digest_equal(const uint8_t a[32], const uint8_t b[32]);

/* ---- "state-resume" continuation digests of fragmented answers (resume.c) -------------- */

/** The SHA-256 compression function (FIPS 180-4 §6.2.2): one 64-byte block into h. */
void s7p_legacy_sha256_block(uint32_t h[8], const uint8_t block[64]);
/** Continues SHA-256 from a finalized digest (its 32 bytes are the chaining state) over n
 *  data bytes and finalizes again: padding for the n bytes alone, the length field total
 *  bytes (everything hashed so far, padding excluded). From the initial state with total
 *  = n this is plain SHA-256. digest is replaced by the result. */
void s7p_legacy_sha256_resume(uint8_t digest[32], const uint8_t *data, size_t n, uint64_t total);

/** The two finalized hash states of a fragmented answer's HMAC. */
typedef struct s7p_legacy_resume {
    uint8_t inner[32], outer[32];
    uint64_t inner_len, outer_len;   /* bytes hashed by each, with its 64-byte pad block */
} s7p_legacy_resume;

/** First fragment: its digest (out, = HMAC-SHA256(key, data)) and the states to resume. */
s7p_status s7p_legacy_resume_start(s7p_legacy_resume *r, const uint8_t key[S7P_LEGACY_KEY_LEN],
                                   const uint8_t *data, size_t n, uint8_t out[32]);
/** Next fragment: inner chain resumed over data, outer chain over the new inner digest;
 *  out = the new outer digest, the fragment's digest on the wire. */
void s7p_legacy_resume_next(s7p_legacy_resume *r, const uint8_t *data, size_t n, uint8_t out[32]);

#endif

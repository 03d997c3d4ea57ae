/* SPDX-License-Identifier: MIT */
/* Family 03 (VPLC / PLCSIM) of the legacy challenge authentication: a standard ECIES over
 * NIST P-256 with AES-128-GCM (16-byte IVs) instead of the 160-bit curve and the PRESENT
 * variant of families 00/01. The blob is 216 bytes:
 *     0 header (48, as families 00/01: length 216, flags 0x301 / 0x310, key id of key1)
 *    48 ephemeral point l*G, x || y big-endian (64)
 *   112 AES-128-GCM(seed key, seed IV) of the challenge key (16)   128 its tag (16)
 *   144 IV of the main part (16)
 *   160 AES-128-GCM(challenge key, IV) of C[2..17] || key1 (40)     200 its tag (16)
 * seed key and seed IV come from SHA-256 over the shared x and the ephemeral point; the
 * challenge key from SHA-256 over key2; the session key is HMAC-SHA256(key1, ...) as for
 * the other families but with key1. Sources and what is verified: docs/protocol.md §6 "Key family 03".
 * Every function is pure; the random inputs are parameters (known answers reproducible). */
#ifndef S7P_LEGACY_PLCSIM_H
#define S7P_LEGACY_PLCSIM_H

#include "legacy/blob.h"

#define S7P_LEGACY_PLCSIM_SEED_LEN 96    /* blob 48..143: ephemeral point, key, tag */

/* ---- standard primitives over OpenSSL --------------------------------------------------- */

/** k * P on P-256 as x || y big-endian; point NULL means the generator. S7P_E_INVALID_ARG
 *  when P is not a point of the curve or k*P is the point at infinity (k = 0 mod n);
 *  S7P_E_NOMEM. */
s7p_status s7p_legacy_p256_mul(const uint8_t k[S7P_LEGACY_P256_LEN], const uint8_t *point,
                               uint8_t out[S7P_LEGACY_P256_KEY_LEN]);
/** True when the 64 bytes are x || y of a point on P-256. */
bool s7p_legacy_p256_on_curve(const uint8_t point[S7P_LEGACY_P256_KEY_LEN]);

/** AES-128-GCM with a 16-byte IV and no additional data: n bytes in, n out, 16-byte tag. */
s7p_status s7p_legacy_gcm_seal(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
                               size_t n, uint8_t *out, uint8_t tag[16]);
/** Decrypts and checks the tag: S7P_E_PROTOCOL when it does not match (out is then zeroed). */
s7p_status s7p_legacy_gcm_open(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
                               size_t n, const uint8_t tag[16], uint8_t *out);

/* ---- the derivations (SHA-256) ---------------------------------------------------------- */

/** challenge key = SHA-256(key2 || 01 02 .. 0F 00)[0..15]. */
s7p_status s7p_legacy_plcsim_challenge_key(const uint8_t key2[S7P_LEGACY_KEY_LEN],
                                           uint8_t out[16]);
/** Seed key and IV: SHA-256(shared_x || ephemeral || t) for t = 0x00 and 0x20; the 48 bytes
 *  of both digests (32 + 16) give the AES key (0..15) and the GCM IV (32..47). `out48` gets
 *  all 48 bytes. */
s7p_status s7p_legacy_plcsim_seed_kdf(const uint8_t shared_x[S7P_LEGACY_P256_LEN],
                                      const uint8_t ephemeral[S7P_LEGACY_P256_KEY_LEN],
                                      uint8_t out48[48]);

/* ---- the seed and the blob ------------------------------------------------------------ */

/** The 96-byte seed: l*G, then the challenge key sealed for the PLC key `pubkey` (ECDH with
 *  the scalar l). S7P_E_INVALID_ARG for a key off the curve or a degenerate l. */
s7p_status s7p_legacy_plcsim_seed(const uint8_t pubkey[S7P_LEGACY_P256_KEY_LEN],
                                  const uint8_t l[S7P_LEGACY_P256_LEN],
                                  const uint8_t challenge_key[16],
                                  uint8_t out[S7P_LEGACY_PLCSIM_SEED_LEN]);

/** Client: the 216-byte blob for the PLC key `pubkey` and the challenge, and the session key.
 *  Uses key1, key2, iv and p256_scalar of rnd (not blinding, scalar). S7P_E_INVALID_ARG for a key off the curve or random inputs that give a degenerate point
 *  (draw new ones). */
s7p_status s7p_legacy_plcsim_blob_build(const uint8_t pubkey[S7P_LEGACY_P256_KEY_LEN],
                                        const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                        const s7p_legacy_client_random *rnd,
                                        uint8_t blob[S7P_LEGACY_PLCSIM_BLOB_LEN],
                                        uint8_t session_key[S7P_LEGACY_KEY_LEN]);

/** Server: a family-03 key pair (the simulator's; PLCSIM's own private keys are not public). */
typedef struct s7p_legacy_plcsim_server_key {
    uint8_t private_key[S7P_LEGACY_P256_LEN];    /* d, big-endian */
    uint8_t pubkey[S7P_LEGACY_P256_KEY_LEN];     /* d*G */
} s7p_legacy_plcsim_server_key;

/** Server: checks a received blob against the key and this session's challenge and recovers
 *  key1 and the session key. S7P_E_PROTOCOL for a malformed blob, another key id or flags, a
 *  point off the curve, a failing tag, another challenge, or a key1 whose id is not the
 *  header's (key1 and session_key are zeroed then). */
s7p_status s7p_legacy_plcsim_blob_open(const s7p_legacy_plcsim_server_key *key,
                                       const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                       const uint8_t *blob, size_t n,
                                       uint8_t key1[S7P_LEGACY_KEY_LEN],
                                       uint8_t session_key[S7P_LEGACY_KEY_LEN]);

/** The simulator's TEST key pair of family 03 ("03:<id>"): NOT a PLCSIM key, made up for
 *  s7plus-sim and the tests. */
const s7p_legacy_plcsim_server_key *s7p_legacy_plcsim_test_server_key(void);

#endif

/* SPDX-License-Identifier: MIT */
/* The SecurityKeyEncryptedKey blob of families 00 (CPU1500) and 01 (CPU1200): 180 bytes that
 * carry the client's symmetric key2 to the PLC under its public key, and the session key
 * both sides derive. Client side: s7p_legacy_blob_build(); server side (simulator):
 * s7p_legacy_blob_open(). Layout: docs/protocol.md "Legacy challenge authentication". */
#ifndef S7P_LEGACY_BLOB_H
#define S7P_LEGACY_BLOB_H

#include "legacy/crypto.h"

#define S7P_LEGACY_BLOB_LEN 180
#define S7P_LEGACY_BLOB_HEADER_LEN 48
#define S7P_LEGACY_BLOB_MAGIC 0xFEE1DEADu
#define S7P_LEGACY_CURVE_KEY_LEN 40      /* families 00/01: LE(x,20) || 20 unused bytes */
#define S7P_LEGACY_PLCSIM_BLOB_LEN 216   /* family 03 (plcsim.h) */
#define S7P_LEGACY_BLOB_MAX 216          /* the longest blob of any family */
#define S7P_LEGACY_P256_LEN 32           /* family 03: a P-256 coordinate or scalar, big-endian */
#define S7P_LEGACY_P256_KEY_LEN 64       /* family 03: a public point, x || y big-endian */

/* Key families: the two decimal digits before the colon of the PLC's key fingerprint. */
enum {
    S7P_LEGACY_FAMILY_S71500 = 0,
    S7P_LEGACY_FAMILY_S71200 = 1,
    S7P_LEGACY_FAMILY_WINAC = 2,
    S7P_LEGACY_FAMILY_PLCSIM = 3,
};

/** Public-key flags (0x010 | family << 8) and symmetric-key flags of the blob header
 *  (0x001 | family << 8). */
uint32_t s7p_legacy_pub_flags(uint8_t family);
uint32_t s7p_legacy_blob_sym_flags(uint8_t family);

/** The client's random inputs of one blob (of any family; each uses its own fields). */
typedef struct s7p_legacy_client_random {
    uint8_t key1[S7P_LEGACY_KEY_LEN];      /* 00/01: hidden in the seed; 03: the HMAC key of
                                              the session key, encrypted in the blob */
    uint8_t key2[S7P_LEGACY_KEY_LEN];      /* 00/01: the HMAC key of the session key;
                                              03: gives the challenge key */
    uint8_t iv[16];
    uint8_t blinding[S7P_LEGACY_FIELD_LEN];
    uint8_t scalar[S7P_LEGACY_FIELD_LEN];  /* the ephemeral scalar, before its mask */
    uint8_t p256_scalar[S7P_LEGACY_P256_LEN];  /* 03: the ephemeral ECDH scalar (big-endian) */
} s7p_legacy_client_random;

/** Fills r from the OpenSSL random generator. S7P_E_NOMEM when it fails. */
s7p_status s7p_legacy_random(s7p_legacy_client_random *r);

/** The 48-byte header, decoded (little-endian fields). */
typedef struct s7p_legacy_blob_header {
    uint32_t magic, length, version, security_level;
    uint8_t sym_key_id[S7P_LEGACY_KEY_ID_LEN];
    uint32_t sym_flags, sym_internal_flags;
    uint8_t pub_key_id[S7P_LEGACY_KEY_ID_LEN];
    uint32_t pub_flags, pub_internal_flags;
} s7p_legacy_blob_header;

/** Decodes the header of a blob of n bytes (n >= 48, else S7P_E_PROTOCOL); no checks. */
s7p_status s7p_legacy_blob_header_decode(const uint8_t *blob, size_t n, s7p_legacy_blob_header *out);
void s7p_legacy_blob_header_encode(const s7p_legacy_blob_header *h, uint8_t out[S7P_LEGACY_BLOB_HEADER_LEN]);

/** Client: builds the blob for the PLC key `pubkey` (40 bytes) of `family` (00 or 01) and the
 *  challenge, and derives the session key. S7P_E_INVALID_ARG for another family, a key whose
 *  x is not below p, or random inputs that give a degenerate point (draw new ones). */
s7p_status s7p_legacy_blob_build(uint8_t family, const uint8_t pubkey[S7P_LEGACY_CURVE_KEY_LEN],
                                 const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                 const s7p_legacy_client_random *rnd,
                                 uint8_t blob[S7P_LEGACY_BLOB_LEN],
                                 uint8_t session_key[S7P_LEGACY_KEY_LEN]);

/** Server: the key pair the simulator announces. */
typedef struct s7p_legacy_server_key {
    uint8_t family;
    uint8_t private_le[S7P_LEGACY_FIELD_LEN];    /* d */
    uint8_t pubkey[S7P_LEGACY_CURVE_KEY_LEN];    /* d*G */
} s7p_legacy_server_key;

/** Server: checks a received blob against the key and the challenge this session issued and
 *  recovers key2 and the session key. S7P_E_PROTOCOL for a malformed blob, another key id or
 *  flags, a wrong checksum or challenge (nothing is derived then). */
s7p_status s7p_legacy_blob_open(const s7p_legacy_server_key *key,
                                const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                const uint8_t *blob, size_t n, uint8_t key2[S7P_LEGACY_KEY_LEN],
                                uint8_t session_key[S7P_LEGACY_KEY_LEN]);

#endif

/* SPDX-License-Identifier: MIT */
/* Legitimation (password login to a protected CPU), the pure parts: which variant a PLC
 * needs, the legacy response, the payload of the newer variant and its encryption. No I/O
 * and no state; the exchange itself is an operation of services/legitimate.c, the server
 * side is the simulator's. Protocol and sources: docs/protocol.md "Legitimation".
 *
 * Secrets: every function that sees a password or a value derived from it wipes its own
 * copies (OPENSSL_cleanse) before it returns; the caller's buffers are the caller's. */
#ifndef S7P_SESSION_LEGIT_H
#define S7P_SESSION_LEGIT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/value.h"
#include "s7plus/s7plus.h"

/* Session attributes of legitimation (on the session object). */
enum {
    S7P_LEGIT_ATTR_CHALLENGE = 303,       /* ServerSessionChallenge: USInt[20] */
    S7P_LEGIT_ATTR_RESPONSE = 304,        /* ServerSessionResponse: legacy variant */
    S7P_LEGIT_ATTR_LEGITIMATE = 1846,     /* Legitimate: newer variant (encrypted payload) */
    S7P_LEGIT_PAYLOAD_STRUCT = 40400,     /* LID_LegitimationPayloadStruct */
    S7P_LEGIT_PAYLOAD_TYPE = 40401,       /* UDInt: 1 password, 2 user and password */
    S7P_LEGIT_PAYLOAD_USERNAME = 40402,   /* Blob: UTF-8 user name (empty for type 1) */
    S7P_LEGIT_PAYLOAD_PASSWORD = 40403,   /* Blob: SHA-1(password) for 1, the password for 2 */
};

#define S7P_LEGIT_SHA1_LEN 20
#define S7P_LEGIT_KEY_LEN 32              /* the OMS secret, each rolled key (SHA-256) */
#define S7P_LEGIT_IV_LEN 16               /* AES-CBC IV: the first 16 challenge bytes */
#define S7P_LEGIT_OMS_LABEL "EXPERIMENTAL_OMS"  /* TLS exporter label, no context */
/* Longest password and user name accepted (bytes of UTF-8): bounds every buffer below. */
#define S7P_LEGIT_MAX_TEXT 256
/* Largest payload: both texts at their maximum plus the struct around them. */
#define S7P_LEGIT_PAYLOAD_MAX (2 * S7P_LEGIT_MAX_TEXT + 64)
#define S7P_LEGIT_CIPHER_MAX (S7P_LEGIT_PAYLOAD_MAX + 16)

typedef enum s7p_legit_variant {
    S7P_LEGIT_LEGACY = 0,   /* SHA-1(password) XOR challenge into attribute 304 */
    S7P_LEGIT_NEW,          /* AES-256-CBC payload into attribute 1846 (needs TLS) */
} s7p_legit_variant;

typedef enum s7p_legit_payload_type {
    S7P_LEGIT_TYPE_PASSWORD = 1,  /* a password of an access level (its SHA-1) */
    S7P_LEGIT_TYPE_USER = 2,      /* user management: user name and clear password */
} s7p_legit_payload_type;

/** The variant the PLC of a ServerSessionVersion PAOM string ("1;6ES7 516-3AN02-0AB0;V3.1")
 *  needs: NEW for S7-1500 from V3.1, S7-1200 from V4.7 and every S7-1200 G2 (order number
 *  "...50-0XB0"); LEGACY for every other (older or unknown) CPU. */
s7p_legit_variant s7p_legit_variant_of(const char *paom);

/** Name of a variant for messages: "legacy" or "new". */
const char *s7p_legit_variant_name(s7p_legit_variant v);

/** The legacy response: SHA-1(password) XOR challenge; the challenge must be exactly
 *  S7P_LEGIT_SHA1_LEN bytes (S7P_E_PROTOCOL otherwise). */
s7p_status s7p_legit_legacy_response(const char *password, const uint8_t *challenge, size_t n,
                                     uint8_t out[S7P_LEGIT_SHA1_LEN]);

/** SHA-1 of a text (the stored form of an access-level password). */
void s7p_legit_sha1(const char *text, uint8_t out[S7P_LEGIT_SHA1_LEN]);

/** The plaintext payload of the newer variant: a PValue Struct 40400 with type 2 when
 *  username is given (not NULL, not empty), else type 1 with SHA-1(password). Written to buf;
 *  *n its length. S7P_E_INVALID_ARG when a text is longer than S7P_LEGIT_MAX_TEXT. */
s7p_status s7p_legit_payload(const char *password, const char *username, uint8_t *buf,
                             size_t cap, size_t *n);

/** What a payload says (the simulator's side): views into the decoded bytes. */
typedef struct s7p_legit_payload_view {
    uint32_t type;
    s7p_bytes username, password;
} s7p_legit_payload_view;

/** Decodes a payload (bounded, with the proto decoder); S7P_E_PROTOCOL when it is not a
 *  struct 40400 with a UDInt type and two blobs. */
s7p_status s7p_legit_payload_parse(const uint8_t *p, size_t n, s7p_arena *a,
                                   s7p_legit_payload_view *out);

/** Rolls the key chain of one connection: key = SHA-256(secret), then secret = key (the
 *  next legitimation on the same connection uses the next key). */
void s7p_legit_roll_key(uint8_t secret[S7P_LEGIT_KEY_LEN], uint8_t key[S7P_LEGIT_KEY_LEN]);

/** AES-256-CBC with PKCS#7 padding. out needs n + 16 bytes. */
s7p_status s7p_legit_encrypt(const uint8_t key[S7P_LEGIT_KEY_LEN],
                             const uint8_t iv[S7P_LEGIT_IV_LEN], const uint8_t *in, size_t n,
                             uint8_t *out, size_t cap, size_t *out_n);
/** The inverse; S7P_E_AUTH when the padding does not check out (a wrong key). */
s7p_status s7p_legit_decrypt(const uint8_t key[S7P_LEGIT_KEY_LEN],
                             const uint8_t iv[S7P_LEGIT_IV_LEN], const uint8_t *in, size_t n,
                             uint8_t *out, size_t cap, size_t *out_n);

/** Wipes memory holding a secret (OPENSSL_cleanse: not optimised away). */
void s7p_legit_wipe(void *p, size_t n);

#endif

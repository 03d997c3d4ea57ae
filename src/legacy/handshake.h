/* SPDX-License-Identifier: MIT */
/* The wire side of the legacy challenge authentication, as pure functions over proto/
 * structures (the session layer sends and receives): what the CreateObject response offers,
 * the frame variant of the authenticating SetMultiVariables, the StructSecurityKey value and
 * that request, the session key refresh requests, and the V3 per-packet digest. */
#ifndef S7P_LEGACY_HANDSHAKE_H
#define S7P_LEGACY_HANDSHAKE_H

#include "legacy/blob.h"
#include "legacy/keys.h"
#include "proto/pdu.h"

/* Attribute and struct ids of the handshake (LegacyOmsConstants of the .NET driver). */
enum {
    S7P_ID_SERVER_SESSION_ROLE = 299,
    S7P_ID_SERVER_SESSION_ROLES = 305,
    S7P_ID_SERVER_SESSION_SESSION_KEY = 1830,
    S7P_ID_STRUCT_SECURITY_KEY = 1800,
    S7P_ID_SECURITY_KEY_VERSION = 1801,
    S7P_ID_SECURITY_KEY_SECURITY_LEVEL = 1802,
    S7P_ID_SECURITY_KEY_PUBLIC_KEY_ID = 1803,
    S7P_ID_SECURITY_KEY_SYMMETRIC_KEY_ID = 1804,
    S7P_ID_SECURITY_KEY_ENCRYPTED_KEY = 1805,
    S7P_ID_STRUCT_SECURITY_KEY_ID = 1825,
    S7P_ID_SECURITY_KEY_ID_VALUE = 1826,
    S7P_ID_SECURITY_KEY_ID_FLAGS = 1827,
    S7P_ID_SECURITY_KEY_ID_INTERNAL_FLAGS = 1828,
    S7P_ID_LEGACY_COMPAT_FLAG = 1902,
};

#define S7P_LEGACY_HIGH_SESSION_ID 0x70000000u
#define S7P_LEGACY_REFRESH_DEFAULT_MS (25u * 60u * 1000u)

/** What the ServerSession object of the CreateObject response offers (views into it). */
typedef struct s7p_legacy_server_hello {
    s7p_bytes fingerprint_text;          /* attribute 233 */
    s7p_legacy_fingerprint_text fingerprint;
    uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN];  /* attribute 303 */
    const s7p_value *version;            /* attribute 314/306: the Struct 314 to echo */
    s7p_bytes paom;                      /* its SystemPAOMString (319), may be empty */
} s7p_legacy_server_hello;

/** Reads the session object. S7P_E_NOT_FOUND when it carries no challenge or fingerprint
 *  (a PLC without legacy authentication), S7P_E_PROTOCOL when they are malformed. */
s7p_status s7p_legacy_server_hello_read(const s7p_object *session, s7p_legacy_server_hello *out);
/** A 20-byte challenge from a USInt array value (attribute 303, also the refresh answer). */
s7p_status s7p_legacy_challenge_read(const s7p_value *v, uint8_t out[S7P_LEGACY_CHALLENGE_LEN]);

/** The optional items after 1830 and 306 in the authenticating request. */
typedef enum s7p_legacy_variant {
    S7P_LEGACY_VARIANT_PLAIN,            /* 1830, 306 (TIA Portal to S7-1200/1500) */
    S7P_LEGACY_VARIANT_ROLE,             /* + 299 ServerSessionRole (S7-1500 V3.x, PLCSIM) */
    S7P_LEGACY_VARIANT_ROLES,            /* + 305 ServerSessionRoles [role] (address array) */
    S7P_LEGACY_VARIANT_PLCSIM,           /* + 299 role, + 1902 = 1 */
} s7p_legacy_variant;

/** The variant to try first: ROLE for family 03, and for family 00 on a high session id
 *  whose PAOM string names ";V3." .. ";V9."; PLAIN otherwise. */
s7p_legacy_variant s7p_legacy_select_variant(uint8_t family, uint32_t session_id, s7p_bytes paom);

/** The StructSecurityKey (1800) content. */
typedef struct s7p_legacy_security_key {
    uint64_t pub_id;
    uint32_t pub_flags;
    uint64_t sym_id;
    uint32_t sym_flags;
    s7p_bytes blob;
} s7p_legacy_security_key;

/** Symmetric-key flags of the struct: 0x10001 | family << 8 (TIA Portal captures). */
uint32_t s7p_legacy_struct_sym_flags(uint8_t family);

/** Builds the Struct 1800 value in arena a (the blob is referenced, not copied). */
bool s7p_legacy_security_key_value(s7p_arena *a, const s7p_legacy_security_key *k, s7p_value *out);
/** Server side: reads a Struct 1800 value. S7P_E_PROTOCOL when anything is missing or typed
 *  otherwise. */
s7p_status s7p_legacy_security_key_read(const s7p_value *v, s7p_legacy_security_key *out);

typedef struct s7p_legacy_auth_params {
    uint32_t session_id;
    uint16_t seq;                        /* 2 after CreateObject */
    s7p_legacy_variant variant;
    uint32_t role;                       /* 1 ES, 2 HMI (variants with a role) */
    const s7p_value *version;            /* the Struct 314 received (echoed with flags 0) */
    s7p_legacy_security_key key;
} s7p_legacy_auth_params;

/** The authenticating V2 SetMultiVariables on the session object (no integrity id). */
s7p_status s7p_legacy_auth_request(s7p_arena *a, const s7p_legacy_auth_params *p, s7p_pdu *out);

/** Everything the client computes from a hello for a key: blob, session key, struct fields. */
typedef struct s7p_legacy_client_result {
    uint8_t blob[S7P_LEGACY_BLOB_MAX];   /* 180 bytes (00/01) or 216 (03): key.blob.n */
    uint8_t session_key[S7P_LEGACY_KEY_LEN];
    s7p_legacy_security_key key;         /* key.blob points into blob */
} s7p_legacy_client_result;

/** Client: blob + session key + struct fields for key `pk` (family 00, 01 or 03) and
 *  challenge. The struct's symmetric id is the session key's id (what the working clients
 *  send). S7P_E_UNSUPPORTED for another family, S7P_E_INVALID_ARG for a key of the wrong
 *  length or degenerate random inputs. */
s7p_status s7p_legacy_client_compute(const s7p_legacy_pubkey *pk,
                                     const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                     const s7p_legacy_client_random *rnd,
                                     s7p_legacy_client_result *out);

/* ---- refresh: a new challenge (GetVarSubStreamed 303), then SetVariable 1830 -------------- */

/** The V3 GetVarSubStreamed of attribute 303 of the session object (digest field zeroed;
 *  the session sets seq and the integrity id, encodes, then signs). */
bool s7p_legacy_refresh_challenge_request(s7p_arena *a, uint32_t session_id, s7p_pdu *req);
/** Fills the body of the V3 SetVariable 1830 = StructSecurityKey request. */
bool s7p_legacy_refresh_key_request(s7p_arena *a, uint32_t session_id,
                                    const s7p_legacy_security_key *k, s7p_pdu *req);

/* ---- per-packet digest of V3 frames -------------------------------------------------- */

/** V3 data part = `20` digest(32) body. Writes the digest over body[0..n) into data[1..33). */
s7p_status s7p_legacy_digest_sign(const uint8_t key[S7P_LEGACY_KEY_LEN], uint8_t *data, size_t len);
/** Checks the digest of a received V3 data part. S7P_E_PROTOCOL when the digest field is
 *  malformed or the digest does not match. */
s7p_status s7p_legacy_digest_verify(const uint8_t key[S7P_LEGACY_KEY_LEN], const uint8_t *data,
                                    size_t len);

#endif

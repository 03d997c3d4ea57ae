/* SPDX-License-Identifier: MIT */
/* PLC public keys of the legacy authentication: the built-in catalog (keys_data.c, public
 * data from TIA Portal via HarpoS7), the caller's own keys, a resolver callback, and the
 * selection policy that turns the PLC's key fingerprint into an ordered list of keys to try.
 * The session tries the candidates in order, one per fresh connection. */
#ifndef S7P_LEGACY_KEYS_H
#define S7P_LEGACY_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s7plus/s7plus.h"

#define S7P_LEGACY_PUBKEY_MAX 64

typedef struct s7p_legacy_pubkey {
    uint8_t family;                      /* S7P_LEGACY_FAMILY_* (blob.h) */
    uint64_t id;                         /* LE uint64 of SHA-256(key[0..23] || "DERIVE")[0..7] */
    uint8_t len;                         /* 40 (00/01/04), 48 (02), 64 (03/05) */
    uint8_t key[S7P_LEGACY_PUBKEY_MAX];
} s7p_legacy_pubkey;

extern const s7p_legacy_pubkey s7p_legacy_catalog[];
extern const size_t s7p_legacy_catalog_len;

/** The PLC's key fingerprint (ObjectVariableTypeName, attribute 233): "FF:HHHHHHHHHHHHHHHH"
 *  (family, key id in hex) or only "FF" on firmware that names no key. */
typedef struct s7p_legacy_fingerprint_text {
    uint8_t family;
    bool has_id;
    uint64_t id;
} s7p_legacy_fingerprint_text;

/** Parses a fingerprint of n bytes (not NUL-terminated). S7P_E_PROTOCOL when malformed. */
s7p_status s7p_legacy_fingerprint_parse(const char *text, size_t n, s7p_legacy_fingerprint_text *out);
/** Formats "FF:HHHHHHHHHHHHHHHH" (20 bytes with the NUL). */
void s7p_legacy_fingerprint_format(uint8_t family, uint64_t id, char out[20]);

/** The catalog entry of (family, id), or NULL. */
const s7p_legacy_pubkey *s7p_legacy_catalog_find(uint8_t family, uint64_t id);

/** Looks up a key the catalog does not have; returns true and fills *out when it knows one.
 *  Called from the connecting thread. */
typedef bool (*s7p_legacy_key_resolver)(void *user, uint8_t family, bool has_id, uint64_t id,
                                        s7p_legacy_pubkey *out);

typedef struct s7p_legacy_key_policy {
    bool force;                          /* use forced_family/forced_id whatever the PLC says */
    uint8_t forced_family;
    uint64_t forced_id;
    s7p_legacy_key_resolver resolver;    /* asked first (NULL: none) */
    void *resolver_user;
    const s7p_legacy_pubkey *extra;      /* the caller's keys, searched before the catalog */
    size_t nextra;
    bool no_catalog;                     /* do not use the built-in catalog */
    bool fallback;                       /* after the exact key: the other keys of the family */
} s7p_legacy_key_policy;

/** The keys to try for a PLC that announced `fp`, best first, without duplicates: the
 *  forced key (only it), else the resolver's key, the caller's and the catalog's key of
 *  that id; then, when fallback is on or the PLC named no key id, every other key of the
 *  family (caller's first). Only keys of a supported family (s7p_legacy_family_supported)
 *  and of its key length are returned. Writes at most cap keys, sets *n; S7P_E_UNSUPPORTED
 *  when the family asked for is not supported, S7P_E_NOT_FOUND when there is no key. */
s7p_status s7p_legacy_key_candidates(const s7p_legacy_key_policy *policy,
                                     const s7p_legacy_fingerprint_text *fp,
                                     s7p_legacy_pubkey *out, size_t cap, size_t *n);

/** The simulator's TEST key pair (family 00). NOT a PLC key: made up for s7plus-sim and the
 *  tests; a real PLC never accepts it. Its id is not in the catalog. */
typedef struct s7p_legacy_server_key s7p_legacy_server_key;
const s7p_legacy_server_key *s7p_legacy_test_server_key(void);
/** The same key pair's public half, for the client's key options. */
void s7p_legacy_test_pubkey(s7p_legacy_pubkey *out);
/** The public half of the simulator's family-03 (PLCSIM) TEST key pair
 *  (s7p_legacy_plcsim_test_server_key(), plcsim.h): "03:25E216899D5A17CA". */
void s7p_legacy_plcsim_test_pubkey(s7p_legacy_pubkey *out);

/** True for the key families whose mathematics is implemented: 00 (S7-1500), 01 (S7-1200)
 *  and 03 (PLCSIM). 02 (WinAC), 04 and 05 are in the catalog but unused by every known
 *  client; their blob format is unknown. */
bool s7p_legacy_family_supported(uint8_t family);
/** A name for the family in messages: "S7-1500", "S7-1200", "WinAC", "PLCSIM", "unknown". */
const char *s7p_legacy_family_name(uint8_t family);

#endif

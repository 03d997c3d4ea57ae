/* SPDX-License-Identifier: MIT */
/* The client's legacy security options: checked at s7p_client_new(), turned into the key
 * policy of src/legacy (keys copied, the caller's resolver adapted), and the simulator's
 * public test key. */
#include <string.h>

#include "client/client_int.h"
#include "legacy/blob.h"
#include "util/alloc.h"

#define LEGACY_KEYS_MAX 64u
#define REFRESH_MAX_S 86400u

/* The bytes of a key that its family uses: the P-256 point (03) or the 40 bytes (00/01). */
static const uint8_t *key_bytes(const s7p_legacy_key *k)
{
    return k->family == S7P_LEGACY_FAMILY_PLCSIM ? k->key_p256 : k->key;
}

static bool key_id_matches(const s7p_legacy_key *k)
{
    uint8_t id[S7P_LEGACY_KEY_ID_LEN];
    return s7p_legacy_key_id(key_bytes(k), id) == S7P_OK && s7p_legacy_key_id_u64(id) == k->id;
}

static bool family_ok(const s7p_legacy_key *k)
{
    return k->family != S7P_LEGACY_FAMILY_WINAC && s7p_legacy_family_supported(k->family);
}

const char *s7p_client_legacy_check(const s7p_client_options *o)
{
    if ((unsigned)o->security > S7P_SECURITY_AUTO) return "unknown security mode";
    if (o->legacy_key_id) {
        s7p_legacy_fingerprint_text fp;
        if (s7p_legacy_fingerprint_parse(o->legacy_key_id, strlen(o->legacy_key_id), &fp) !=
                S7P_OK || !fp.has_id)
            return "legacy key id must be FF:HHHHHHHHHHHHHHHH (family, 16 hex digits)";
    }
    if (o->legacy_nkeys > LEGACY_KEYS_MAX) return "at most 64 legacy keys";
    if (o->legacy_nkeys && !o->legacy_keys) return "legacy_nkeys without legacy_keys";
    for (size_t i = 0; i < o->legacy_nkeys; i++) {
        const s7p_legacy_key *k = &o->legacy_keys[i];
        if (!family_ok(k))
            return "legacy keys must be of family 0 (S7-1500), 1 (S7-1200) or 3 (PLCSIM)";
        /* A wrong id would make the PLC refuse the key for no visible reason. */
        if (!key_id_matches(k)) return "a legacy key's id does not match its key bytes";
    }
    if (o->legacy_refresh_s > REFRESH_MAX_S) return "legacy refresh must be at most 86400 s";
    return NULL;
}

static void to_pubkey(const s7p_legacy_key *k, s7p_legacy_pubkey *out)
{
    memset(out, 0, sizeof *out);
    out->family = k->family;
    out->id = k->id;
    out->len = k->family == S7P_LEGACY_FAMILY_PLCSIM ? S7P_LEGACY_P256_KEY_LEN
                                                     : S7P_LEGACY_CURVE_KEY_LEN;
    memcpy(out->key, key_bytes(k), out->len);
}

/* The caller's resolver, in the form of src/legacy. */
static bool resolve(void *user, uint8_t family, bool has_id, uint64_t id, s7p_legacy_pubkey *out)
{
    const s7p_client *c = user;
    s7p_legacy_key k;
    memset(&k, 0, sizeof k);
    if (!c->opt.legacy_key_resolver(c->opt.legacy_key_ctx, family, has_id, id, &k)) return false;
    if (!family_ok(&k) || !key_id_matches(&k)) return false;  /* unusable: as if unknown */
    to_pubkey(&k, out);
    return true;
}

bool s7p_client_legacy_init(s7p_client *c)
{
    const s7p_client_options *o = &c->opt;
    s7p_legacy_key_policy *p = &c->legacy;
    memset(p, 0, sizeof *p);
    p->fallback = o->legacy_key_fallback;
    if (o->legacy_key_id) {
        s7p_legacy_fingerprint_text fp;
        (void)s7p_legacy_fingerprint_parse(o->legacy_key_id, strlen(o->legacy_key_id), &fp);
        p->force = true;
        p->forced_family = fp.family;
        p->forced_id = fp.id;
    }
    if (o->legacy_key_resolver) {
        p->resolver = resolve;
        p->resolver_user = c;
    }
    /* Parsed and copied: the caller's string and array may go away. */
    c->opt.legacy_key_id = NULL;
    c->opt.legacy_keys = NULL;
    if (o->legacy_nkeys == 0) return true;
    c->legacy_keys = s7p_calloc(o->legacy_nkeys, sizeof *c->legacy_keys);
    if (!c->legacy_keys) return false;
    return true;
}

void s7p_client_legacy_take_keys(s7p_client *c, const s7p_legacy_key *keys, size_t n)
{
    for (size_t i = 0; i < n && c->legacy_keys; i++) to_pubkey(&keys[i], &c->legacy_keys[i]);
    c->legacy.extra = c->legacy_keys;
    c->legacy.nextra = c->legacy_keys ? n : 0;
}

void s7p_client_legacy_free(s7p_client *c)
{
    s7p_free(c->legacy_keys);
    c->legacy_keys = NULL;
}

void s7p_legacy_test_key(s7p_legacy_key *out)
{
    if (!out) return;
    s7p_legacy_pubkey pk;
    s7p_legacy_test_pubkey(&pk);
    memset(out, 0, sizeof *out);
    out->family = pk.family;
    out->id = pk.id;
    memcpy(out->key, pk.key, sizeof out->key);
}

void s7p_legacy_test_key_plcsim(s7p_legacy_key *out)
{
    if (!out) return;
    s7p_legacy_pubkey pk;
    s7p_legacy_plcsim_test_pubkey(&pk);
    memset(out, 0, sizeof *out);
    out->family = pk.family;
    out->id = pk.id;
    memcpy(out->key_p256, pk.key, sizeof out->key_p256);
}

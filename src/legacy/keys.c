/* SPDX-License-Identifier: MIT */
/* Key fingerprint text and the choice of the public key(s) to try. */
#include <stdio.h>
#include <string.h>

#include "legacy/blob.h"
#include "legacy/keys.h"
#include "legacy/plcsim.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

s7p_status s7p_legacy_fingerprint_parse(const char *text, size_t n, s7p_legacy_fingerprint_text *out)
{
    memset(out, 0, sizeof *out);
    if (!text || n < 2 || !is_digit(text[0]) || !is_digit(text[1])) return S7P_E_PROTOCOL;
    out->family = (uint8_t)((text[0] - '0') * 10 + (text[1] - '0'));
    if (n == 2) return S7P_OK;
    if (n != 19 || text[2] != ':') return S7P_E_PROTOCOL;
    for (size_t i = 3; i < 19; i++) {
        int v = hexval(text[i]);
        if (v < 0) return S7P_E_PROTOCOL;
        out->id = out->id << 4 | (uint64_t)v;
    }
    out->has_id = true;
    return S7P_OK;
}

void s7p_legacy_fingerprint_format(uint8_t family, uint64_t id, char out[20])
{
    snprintf(out, 20, "%02u:%016llX", (unsigned)family % 100u, (unsigned long long)id);
}

const s7p_legacy_pubkey *s7p_legacy_catalog_find(uint8_t family, uint64_t id)
{
    for (size_t i = 0; i < s7p_legacy_catalog_len; i++)
        if (s7p_legacy_catalog[i].family == family && s7p_legacy_catalog[i].id == id)
            return &s7p_legacy_catalog[i];
    return NULL;
}

typedef struct cand_list {
    s7p_legacy_pubkey *out;
    size_t cap, n;
} cand_list;

bool s7p_legacy_family_supported(uint8_t family)
{
    return family == S7P_LEGACY_FAMILY_S71500 || family == S7P_LEGACY_FAMILY_S71200 ||
           family == S7P_LEGACY_FAMILY_PLCSIM;
}

const char *s7p_legacy_family_name(uint8_t family)
{
    switch (family) {
    case S7P_LEGACY_FAMILY_S71500: return "S7-1500";
    case S7P_LEGACY_FAMILY_S71200: return "S7-1200";
    case S7P_LEGACY_FAMILY_WINAC: return "WinAC";
    case S7P_LEGACY_FAMILY_PLCSIM: return "PLCSIM";
    }
    return "unknown";
}

static bool usable(const s7p_legacy_pubkey *k)
{
    if (k->family == S7P_LEGACY_FAMILY_PLCSIM) return k->len == S7P_LEGACY_P256_KEY_LEN;
    return s7p_legacy_family_supported(k->family) && k->len == S7P_LEGACY_CURVE_KEY_LEN;
}

static void push(cand_list *l, const s7p_legacy_pubkey *k)
{
    if (!usable(k) || l->n == l->cap) return;
    for (size_t i = 0; i < l->n; i++)
        if (l->out[i].family == k->family && l->out[i].id == k->id) return;
    l->out[l->n++] = *k;
}

/* Keys of `family` from the caller's list and the catalog: with the id (exact) or without. */
static void push_known(cand_list *l, const s7p_legacy_key_policy *p, uint8_t family, bool exact,
                       uint64_t id)
{
    for (size_t i = 0; i < p->nextra; i++)
        if (p->extra[i].family == family && (!exact || p->extra[i].id == id)) push(l, &p->extra[i]);
    if (p->no_catalog) return;
    for (size_t i = 0; i < s7p_legacy_catalog_len; i++) {
        const s7p_legacy_pubkey *k = &s7p_legacy_catalog[i];
        if (k->family == family && (!exact || k->id == id)) push(l, k);
    }
}

s7p_status s7p_legacy_key_candidates(const s7p_legacy_key_policy *policy,
                                     const s7p_legacy_fingerprint_text *fp,
                                     s7p_legacy_pubkey *out, size_t cap, size_t *n)
{
    static const s7p_legacy_key_policy defaults = {.fallback = false};
    const s7p_legacy_key_policy *p = policy ? policy : &defaults;
    cand_list l = {out, cap, 0};
    uint8_t family = p->force ? p->forced_family : fp->family;
    bool has_id = p->force || fp->has_id;
    uint64_t id = p->force ? p->forced_id : fp->id;
    s7p_legacy_pubkey r;
    *n = 0;
    if (!s7p_legacy_family_supported(family)) return S7P_E_UNSUPPORTED;
    if (p->resolver && p->resolver(p->resolver_user, family, has_id, id, &r) &&
        r.family == family && (!has_id || r.id == id))
        push(&l, &r);
    if (has_id) push_known(&l, p, family, true, id);
    if (!p->force && (p->fallback || !has_id)) push_known(&l, p, family, false, 0);
    *n = l.n;
    return l.n ? S7P_OK : S7P_E_NOT_FOUND;
}

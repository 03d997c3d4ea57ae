/* SPDX-License-Identifier: MIT */
/* Associated values of alarms (AS_CGS 3476): one blob per value whose root id names its type
 * (0x02000000 + softdatatype, 0x020A0000 + n String[n], 0x020B0000 + n WString[n]) and whose
 * bytes are the value, big-endian (docs/protocol.md, "Alarms"). Both directions: the client
 * decodes, the simulator encodes, from the same table. */
#include <string.h>

#include "services/alarm.h"
#include "util/alloc.h"
#include "util/utf8.h"

/* Fixed-size types: softdatatype -> bytes. 0: not a fixed-size associated value type. */
static size_t fixed_size(uint32_t t)
{
    switch (t) {
    case S7P_T_BOOL: case S7P_T_BYTE: case S7P_T_CHAR: case S7P_T_USINT: case S7P_T_SINT:
        return 1;
    case S7P_T_WORD: case S7P_T_INT: case S7P_T_UINT: case S7P_T_WCHAR: return 2;
    case S7P_T_DWORD: case S7P_T_DINT: case S7P_T_REAL: case S7P_T_UDINT: return 4;
    case S7P_T_LREAL: case S7P_T_LINT: case S7P_T_ULINT: case S7P_T_LWORD: return 8;
    default: return 0;
    }
}

static uint64_t be(const uint8_t *p, size_t n)
{
    uint64_t u = 0;
    for (size_t i = 0; i < n; i++) u = u << 8 | p[i];
    return u;
}

static int64_t sign_extend(uint64_t u, size_t n)
{
    unsigned bits = (unsigned)(n * 8);
    if (bits >= 64) return (int64_t)u;
    uint64_t m = 1ull << (bits - 1);
    return (int64_t)((u ^ m) - m);
}

static void set_fixed(uint32_t t, const uint8_t *p, size_t n, s7p_tag_value *out)
{
    uint64_t u = be(p, n);
    out->type = (s7p_type)t;
    switch (t) {
    case S7P_T_BOOL: out->v.b = (u & 1u) != 0; return;
    case S7P_T_SINT: case S7P_T_INT: case S7P_T_DINT: case S7P_T_LINT:
        out->v.i = sign_extend(u, n);
        return;
    case S7P_T_REAL: {
        uint32_t bits = (uint32_t)u;
        memcpy(&out->v.r, &bits, sizeof bits);
        return;
    }
    case S7P_T_LREAL: memcpy(&out->v.lr, &u, sizeof u); return;
    default: out->v.u = u; return;
    }
}

/* UTF-16BE units -> UTF-8 from s7p_malloc; an unpaired surrogate becomes U+FFFD. */
static s7p_status utf16be_to_utf8(const uint8_t *p, size_t units, s7p_tag_value *out)
{
    char *s = s7p_malloc(units * 3 + 1);
    size_t len = 0;
    if (!s) return S7P_E_NOMEM;
    for (size_t i = 0; i < units;) {
        uint16_t hi = (uint16_t)be(p + 2 * i, 2);
        bool has_lo = i + 1 < units;
        uint16_t lo = has_lo ? (uint16_t)be(p + 2 * i + 2, 2) : 0;
        uint32_t cp;
        size_t used = s7p_utf16_decode(hi, lo, has_lo, &cp);
        if (!used) {
            cp = 0xFFFD;
            used = 1;
        }
        len += s7p_utf8_put(s + len, cp);
        i += used;
    }
    s[len] = '\0';
    out->type = S7P_T_WSTRING;
    out->v.str.p = s;
    out->v.str.len = len;
    return S7P_OK;
}

static bool is_string_root(uint32_t root) { return root == S7P_TI_BASE + S7P_T_STRING ||
                                                   (root >> 16) == (S7P_TI_STRING_BASE >> 16); }
static bool is_wstring_root(uint32_t root) { return root == S7P_TI_BASE + S7P_T_WSTRING ||
                                                    (root >> 16) == (S7P_TI_WSTRING_BASE >> 16); }

s7p_status s7p_alarm_value_decode(uint32_t root_id, const uint8_t *p, size_t n,
                                  s7p_tag_value *out)
{
    memset(out, 0, sizeof *out);
    if (is_string_root(root_id)) {  /* max length, actual length, ISO-8859-1 */
        if (n < 2 || p[1] > n - 2) return S7P_E_PROTOCOL;
        out->type = S7P_T_STRING;
        return s7p_latin1_to_utf8(p + 2, p[1], &out->v.str.p, &out->v.str.len);
    }
    if (is_wstring_root(root_id)) {  /* u16 max, u16 actual, UTF-16BE */
        if (n < 4) return S7P_E_PROTOCOL;
        size_t act = (size_t)be(p + 2, 2);
        if (act > (n - 4) / 2) return S7P_E_PROTOCOL;
        return utf16be_to_utf8(p + 4, act, out);
    }
    if ((root_id & 0xFFFF0000u) != S7P_TI_BASE) return S7P_OK;  /* not a typed value: Void */
    uint32_t t = root_id - S7P_TI_BASE;
    size_t size = fixed_size(t);
    if (!size) return S7P_OK;
    if (n < size) return S7P_E_PROTOCOL;
    set_fixed(t, p, size, out);
    return S7P_OK;
}

/* ---- encoding (the simulator) ---- */

static void put_be(uint8_t *p, uint64_t u, size_t n)
{
    for (size_t i = n; i-- > 0; u >>= 8) p[i] = (uint8_t)u;
}

static uint64_t fixed_bits(const s7p_tag_value *v, size_t n)
{
    switch (v->type) {
    case S7P_T_BOOL: return v->v.b ? 1u : 0u;
    case S7P_T_REAL: {
        uint32_t bits;
        memcpy(&bits, &v->v.r, sizeof bits);
        return bits;
    }
    case S7P_T_LREAL: {
        uint64_t bits;
        memcpy(&bits, &v->v.lr, sizeof bits);
        return bits;
    }
    case S7P_T_SINT: case S7P_T_INT: case S7P_T_DINT: case S7P_T_LINT:
        return n >= 8 ? (uint64_t)v->v.i : (uint64_t)v->v.i & ((1ull << (n * 8)) - 1);
    default: return v->v.u;
    }
}

static s7p_status encode_string(const s7p_tag_value *v, uint16_t max, s7p_arena *a,
                                s7p_dai_blob *out)
{
    s7p_utf8_info info;
    if (!v->v.str.p || !s7p_utf8_scan(v->v.str.p, v->v.str.len, &info)) return S7P_E_INVALID_ARG;
    if (v->type == S7P_T_STRING) {
        if (!max) max = 254;
        if (info.wide_cp || info.chars > max || max > 254) return S7P_E_INVALID_ARG;
        uint8_t *p = s7p_arena_alloc(a, 2 + info.chars);
        if (!p) return S7P_E_NOMEM;
        p[0] = (uint8_t)max;
        p[1] = (uint8_t)info.chars;
        s7p_utf8_to_latin1(v->v.str.p, v->v.str.len, p + 2);
        *out = (s7p_dai_blob){S7P_TI_STRING_BASE + max, {p, 2 + info.chars}};
        return S7P_OK;
    }
    if (!max) max = 254;
    if (info.units16 > max) return S7P_E_INVALID_ARG;
    uint8_t *p = s7p_arena_alloc(a, 4 + 2 * info.units16);
    if (!p) return S7P_E_NOMEM;
    put_be(p, max, 2);
    put_be(p + 2, info.units16, 2);
    size_t at = 4;
    for (size_t i = 0; i < v->v.str.len;) {
        uint32_t cp;
        uint16_t u[2];
        i += s7p_utf8_next(v->v.str.p + i, v->v.str.len - i, &cp);
        size_t k = s7p_utf16_encode(cp, u);
        for (size_t j = 0; j < k; j++, at += 2) put_be(p + at, u[j], 2);
    }
    *out = (s7p_dai_blob){S7P_TI_WSTRING_BASE + max, {p, at}};
    return S7P_OK;
}

s7p_status s7p_alarm_value_encode(const s7p_tag_value *v, uint16_t str_max, s7p_arena *a,
                                  s7p_dai_blob *out)
{
    memset(out, 0, sizeof *out);
    if (v->count) return S7P_E_INVALID_ARG;
    if (v->type == S7P_T_STRING || v->type == S7P_T_WSTRING) return encode_string(v, str_max, a, out);
    size_t n = fixed_size((uint32_t)v->type);
    if (!n) return S7P_E_INVALID_ARG;
    uint8_t *p = s7p_arena_alloc(a, n);
    if (!p) return S7P_E_NOMEM;
    put_be(p, fixed_bits(v, n), n);
    *out = (s7p_dai_blob){S7P_TI_BASE + (uint32_t)v->type, {p, n}};
    return S7P_OK;
}

bool s7p_alarm_value_type_ok(s7p_type t)
{
    return t == S7P_T_STRING || t == S7P_T_WSTRING || fixed_size((uint32_t)t) != 0;
}

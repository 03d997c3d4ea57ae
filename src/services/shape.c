/* SPDX-License-Identifier: MIT */
/* Array shapes, element LIDs and symbol text. */
#include <stdio.h>
#include <string.h>

#include "services/browse_int.h"

static unsigned oit(const s7p_vartype *v) { return (unsigned)(v->attr_flags >> 12) & 0xFu; }

static bool is_mdim(unsigned t)
{
    return t == S7P_OIT_ARRAYM || t == S7P_OIT_SE_ARRAYM || t == S7P_OIT_STRUCTM ||
           t == S7P_OIT_SE_STRUCTM;
}

static bool is_1dim(unsigned t)
{
    return t == S7P_OIT_ARRAY1 || t == S7P_OIT_SE_ARRAY1 || t == S7P_OIT_STRUCT1 ||
           t == S7P_OIT_SE_STRUCT1;
}

static bool has_relation(unsigned t)
{
    return t == S7P_OIT_STRUCT || t == S7P_OIT_SE_STRUCT || t == S7P_OIT_STRUCT1 ||
           t == S7P_OIT_SE_STRUCT1 || t == S7P_OIT_STRUCTM || t == S7P_OIT_SE_STRUCTM ||
           t == S7P_OIT_FB_SFB;
}

static void mdim_shape(const s7p_vartype *v, s7p_member_shape *sh)
{
    /* The type info lists the right-most dimension first; we keep the left-most first. */
    uint8_t n = 0;
    while (n < S7P_MAX_DIMS && v->mdim_count[n] != 0) n++;
    sh->ndims = n ? n : 1;
    for (uint8_t d = 0; d < n; d++) {
        sh->lower[d] = v->mdim_lower[n - 1 - d];
        sh->count[d] = v->mdim_count[n - 1 - d];
    }
    if (n == 0) {
        sh->lower[0] = v->lower_bound;
        sh->count[0] = v->element_count;
    }
}

bool s7p_vartype_has_members(const s7p_vartype *v)
{
    return has_relation(oit(v)) && v->softdatatype != S7P_T_DTL;
}

void s7p_vartype_shape(const s7p_vartype *v, s7p_member_shape *sh)
{
    unsigned t = oit(v);
    memset(sh, 0, sizeof *sh);
    /* DTL is a system struct read whole, like an elementary value. */
    sh->is_struct = has_relation(t) && v->softdatatype != S7P_T_DTL;
    sh->is_array = is_1dim(t) || is_mdim(t);
    sh->bool_elems = v->softdatatype == S7P_T_BOOL || v->softdatatype == S7P_T_BBOOL;
    if (v->softdatatype == S7P_T_STRING || v->softdatatype == S7P_T_WSTRING) sh->str_max = v->info1;
    if (!sh->is_array) return;
    if (is_mdim(t)) {
        mdim_shape(v, sh);
    } else {
        sh->ndims = 1;
        sh->lower[0] = v->lower_bound;
        sh->count[0] = v->element_count;
    }
    sh->total = 1;
    for (uint8_t d = 0; d < sh->ndims; d++) sh->total *= sh->count[d];
}

/* Stride of each dimension; the right-most one counts padded Bool elements. */
static void strides(const s7p_member_shape *sh, uint64_t out[S7P_MAX_DIMS])
{
    uint64_t stride = 1;
    for (int d = sh->ndims - 1; d >= 0; d--) {
        out[d] = stride;
        uint64_t count = sh->count[d];
        if (d == sh->ndims - 1 && sh->bool_elems && sh->ndims > 1) count = (count + 7) / 8 * 8;
        stride *= count;
    }
}

uint64_t s7p_linear_index(const s7p_member_shape *sh, uint64_t ordinal)
{
    uint64_t st[S7P_MAX_DIMS], lid = 0;
    strides(sh, st);
    for (int d = sh->ndims - 1; d >= 0; d--) {
        uint64_t i = sh->count[d] ? ordinal % sh->count[d] : 0;
        ordinal = sh->count[d] ? ordinal / sh->count[d] : 0;
        lid += i * st[d];
    }
    return lid;
}

bool s7p_index_lid(const s7p_member_shape *sh, const int32_t *idx, uint8_t n, uint32_t *lid)
{
    uint64_t st[S7P_MAX_DIMS], sum = 0;
    if (n != sh->ndims) return false;
    strides(sh, st);
    for (uint8_t d = 0; d < n; d++) {
        int64_t rel = (int64_t)idx[d] - sh->lower[d];
        if (rel < 0 || rel >= (int64_t)sh->count[d]) return false;
        sum += (uint64_t)rel * st[d];
    }
    if (sum > UINT32_MAX) return false;
    *lid = (uint32_t)sum;
    return true;
}

static bool plain_identifier(const char *s, size_t n)
{
    if (n == 0 || (s[0] >= '0' && s[0] <= '9')) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_';
        if (!ok) return false;
    }
    return true;
}

static size_t clamp_written(int w, size_t cap)
{
    if (w < 0 || cap == 0) return 0;
    return (size_t)w < cap ? (size_t)w : cap - 1;
}

size_t s7p_format_block(char *out, size_t cap, const char *name)
{
    return clamp_written(snprintf(out, cap, "\"%s\"", name), cap);
}

size_t s7p_format_member(char *out, size_t cap, const char *name, size_t len)
{
    int n = len > 1024 ? 1024 : (int)len;
    if (plain_identifier(name, len)) return clamp_written(snprintf(out, cap, ".%.*s", n, name), cap);
    return clamp_written(snprintf(out, cap, ".\"%.*s\"", n, name), cap);
}

size_t s7p_format_index(char *out, size_t cap, const s7p_member_shape *sh, uint64_t ordinal)
{
    int64_t idx[S7P_MAX_DIMS];
    for (int d = sh->ndims - 1; d >= 0; d--) {
        uint64_t c = sh->count[d] ? sh->count[d] : 1;
        idx[d] = sh->lower[d] + (int64_t)(ordinal % c);
        ordinal /= c;
    }
    size_t n = 0;
    for (uint8_t d = 0; d < sh->ndims && n + 1 < cap; d++) {
        int w = snprintf(out + n, cap - n, "%s%lld", d ? "," : "[", (long long)idx[d]);
        if (w < 0) break;
        n += (size_t)w < cap - n ? (size_t)w : cap - n - 1;
    }
    if (n + 1 < cap) out[n++] = ']';
    if (cap) out[n < cap ? n : cap - 1] = 0;
    return n;
}

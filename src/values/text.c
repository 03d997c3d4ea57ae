/* SPDX-License-Identifier: MIT */
/* WString (UTF-16 units in wire scalars) <-> UTF-8, on top of util/utf8.c. */
#include "util/alloc.h"
#include "util/utf8.h"
#include "values/convert.h"

void s7p_utf8_to_utf16(const char *s, size_t n, s7p_scalar *dst)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t k = s7p_utf8_next(s + i, n - i, &cp);
        if (k == 0) return;
        uint16_t u[2];
        size_t m = s7p_utf16_encode(cp, u);
        for (size_t j = 0; j < m; j++) (dst++)->u = u[j];
        i += k;
    }
}

/* Code point starting at unit i; returns the units used, 0 for an unpaired surrogate. */
static size_t utf16_next(const s7p_scalar *u, size_t n, size_t i, uint32_t *cp)
{
    bool has_lo = i + 1 < n;
    return s7p_utf16_decode((uint16_t)u[i].u, has_lo ? (uint16_t)u[i + 1].u : 0, has_lo, cp);
}

s7p_status s7p_utf16_to_utf8(const s7p_scalar *u, size_t n, char **out, size_t *out_len,
                             size_t *bad_at)
{
    char tmp[S7P_UTF8_MAX];
    size_t len = 0;
    *out = NULL;
    *out_len = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t k = utf16_next(u, n, i, &cp);
        if (k == 0) {
            *bad_at = i;
            return S7P_E_PROTOCOL;
        }
        len += s7p_utf8_put(tmp, cp);
        i += k;
    }
    char *s = s7p_malloc(len + 1);
    if (!s) return S7P_E_NOMEM;
    size_t j = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        i += utf16_next(u, n, i, &cp);
        j += s7p_utf8_put(s + j, cp);
    }
    s[j] = 0;
    *out = s;
    *out_len = len;
    return S7P_OK;
}

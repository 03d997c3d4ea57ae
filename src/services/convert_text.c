/* Text conversions for String (ISO-8859-1) and WString (UTF-16) tags <-> UTF-8. */
#include <string.h>

#include "services/convert.h"
#include "util/alloc.h"

/* One code point of strict UTF-8 (RFC 3629); returns the bytes used, 0 when invalid. */
static size_t utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t b = p[0];
    size_t len;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2, c = b & 0x1Fu, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
        len = 3, c = b & 0x0Fu, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4, c = b & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80) return 0;
        c = c << 6 | (p[k] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

bool s7p_utf8_scan(const char *s, size_t n, s7p_utf8_info *info)
{
    const uint8_t *p = (const uint8_t *)s;
    memset(info, 0, sizeof *info);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_next(p + i, n - i, &cp);
        if (k == 0) {
            info->bad_at = i;
            return false;
        }
        if (cp > 0xFF && info->wide_cp == 0) {
            info->wide_cp = cp;
            info->wide_at = i;
        }
        info->chars++;
        info->units16 += cp >= 0x10000 ? 2 : 1;
        i += k;
    }
    info->valid = true;
    return true;
}

void s7p_utf8_to_latin1(const char *s, size_t n, uint8_t *dst)
{
    const uint8_t *p = (const uint8_t *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t k = utf8_next(p + i, n - i, &cp);
        if (k == 0) return;
        *dst++ = (uint8_t)cp;
        i += k;
    }
}

void s7p_utf8_to_utf16(const char *s, size_t n, s7p_scalar *dst)
{
    const uint8_t *p = (const uint8_t *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t k = utf8_next(p + i, n - i, &cp);
        if (k == 0) return;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            (dst++)->u = 0xD800 | (cp >> 10);
            (dst++)->u = 0xDC00 | (cp & 0x3FF);
        } else {
            (dst++)->u = cp;
        }
        i += k;
    }
}

s7p_status s7p_latin1_to_utf8(const uint8_t *p, size_t n, char **out, size_t *out_len)
{
    size_t len = n;
    for (size_t i = 0; i < n; i++) len += p[i] >= 0x80;
    uint8_t *s = s7p_malloc(len + 1);
    *out = NULL;
    *out_len = 0;
    if (!s) return S7P_E_NOMEM;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x80) {
            s[j++] = p[i];
        } else {
            s[j++] = (uint8_t)(0xC0 | p[i] >> 6);
            s[j++] = (uint8_t)(0x80 | (p[i] & 0x3F));
        }
    }
    s[j] = 0;
    *out = (char *)s;
    *out_len = len;
    return S7P_OK;
}

static size_t put_utf8(uint8_t *s, uint32_t cp)
{
    if (cp < 0x80) {
        s[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        s[0] = (uint8_t)(0xC0 | cp >> 6);
        s[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        s[0] = (uint8_t)(0xE0 | cp >> 12);
        s[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        s[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    s[0] = (uint8_t)(0xF0 | cp >> 18);
    s[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    s[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    s[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Code point starting at unit i; returns the units used, 0 for an unpaired surrogate. */
static size_t utf16_next(const s7p_scalar *u, size_t n, size_t i, uint32_t *cp)
{
    uint32_t a = (uint32_t)(u[i].u & 0xFFFF);
    if (a < 0xD800 || a > 0xDFFF) {
        *cp = a;
        return 1;
    }
    if (a > 0xDBFF || i + 1 >= n) return 0;
    uint32_t b = (uint32_t)(u[i + 1].u & 0xFFFF);
    if (b < 0xDC00 || b > 0xDFFF) return 0;
    *cp = 0x10000 + ((a - 0xD800) << 10) + (b - 0xDC00);
    return 2;
}

s7p_status s7p_utf16_to_utf8(const s7p_scalar *u, size_t n, char **out, size_t *out_len,
                             size_t *bad_at)
{
    uint8_t tmp[4];
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
        len += put_utf8(tmp, cp);
        i += k;
    }
    uint8_t *s = s7p_malloc(len + 1);
    if (!s) return S7P_E_NOMEM;
    size_t j = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        i += utf16_next(u, n, i, &cp);
        j += put_utf8(s + j, cp);
    }
    s[j] = 0;
    *out = (char *)s;
    *out_len = len;
    return S7P_OK;
}

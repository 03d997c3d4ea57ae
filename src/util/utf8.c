/* SPDX-License-Identifier: MIT */
#include "util/utf8.h"

#include <string.h>

#include "util/alloc.h"

static int is_continuation(unsigned char c) { return (c & 0xC0u) == 0x80u; }

size_t s7p_utf8_prefix(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    /* s[max] is the first byte left out: if it continues a sequence, that sequence started
     * before the cut and must go as a whole. A lead byte is at most 3 bytes back in valid
     * UTF-8; beyond that the text is not UTF-8 and the byte cut stands. */
    size_t k = max;
    while (k > 0 && max - k < S7P_UTF8_MAX - 1 && is_continuation((unsigned char)s[k])) k--;
    return is_continuation((unsigned char)s[k]) ? max : k;
}

size_t s7p_utf8_copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (cap == 0) return 0;
    size_t k = s7p_utf8_prefix(s, n, cap - 1);
    if (k) memcpy(dst, s, k);
    dst[k] = '\0';
    return k;
}

/* Lead byte -> sequence length, payload bits and the smallest code point of that length
 * (anything below is an overlong form). */
static size_t lead(uint8_t b, uint32_t *c, uint32_t *min)
{
    if (b < 0x80) return *c = b, *min = 0, 1;
    if (b >= 0xC2 && b <= 0xDF) return *c = b & 0x1Fu, *min = 0x80, 2;
    if ((b & 0xF0) == 0xE0) return *c = b & 0x0Fu, *min = 0x800, 3;
    if (b >= 0xF0 && b <= 0xF4) return *c = b & 0x07u, *min = 0x10000, 4;
    return 0;
}

size_t s7p_utf8_next(const char *s, size_t n, uint32_t *cp)
{
    const uint8_t *p = (const uint8_t *)s;
    uint32_t c, min;
    size_t len = n ? lead(p[0], &c, &min) : 0;
    if (len == 0 || n < len) return 0;
    for (size_t k = 1; k < len; k++) {
        if (!is_continuation(p[k])) return 0;
        c = c << 6 | (p[k] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

size_t s7p_utf8_put(char *dst, uint32_t cp)
{
    uint8_t *s = (uint8_t *)dst;
    if (cp < 0x80) {
        s[0] = (uint8_t)cp;
        return 1;
    }
    size_t len = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const uint8_t marks[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t k = len - 1; k > 0; k--, cp >>= 6) s[k] = (uint8_t)(0x80 | (cp & 0x3F));
    s[0] = (uint8_t)(marks[len] | cp);
    return len;
}

bool s7p_utf8_scan(const char *s, size_t n, s7p_utf8_info *info)
{
    memset(info, 0, sizeof *info);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = s7p_utf8_next(s + i, n - i, &cp);
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
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t k = s7p_utf8_next(s + i, n - i, &cp);
        if (k == 0) return;
        *dst++ = (uint8_t)cp;
        i += k;
    }
}

s7p_status s7p_latin1_to_utf8(const uint8_t *p, size_t n, char **out, size_t *out_len)
{
    size_t len = n;
    for (size_t i = 0; i < n; i++) len += p[i] >= 0x80;
    char *s = s7p_malloc(len + 1);
    *out = NULL;
    *out_len = 0;
    if (!s) return S7P_E_NOMEM;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) j += s7p_utf8_put(s + j, p[i]);
    s[j] = 0;
    *out = s;
    *out_len = len;
    return S7P_OK;
}

size_t s7p_utf16_decode(uint16_t hi, uint16_t lo, bool has_lo, uint32_t *cp)
{
    if (hi < 0xD800 || hi > 0xDFFF) {
        *cp = hi;
        return 1;
    }
    if (hi > 0xDBFF || !has_lo || lo < 0xDC00 || lo > 0xDFFF) return 0;
    *cp = 0x10000 + ((uint32_t)(hi - 0xD800) << 10) + (uint32_t)(lo - 0xDC00);
    return 2;
}

size_t s7p_utf16_encode(uint32_t cp, uint16_t units[2])
{
    if (cp < 0x10000) {
        units[0] = (uint16_t)cp;
        return 1;
    }
    cp -= 0x10000;
    units[0] = (uint16_t)(0xD800 | (cp >> 10));
    units[1] = (uint16_t)(0xDC00 | (cp & 0x3FF));
    return 2;
}

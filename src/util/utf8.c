#include "util/utf8.h"

#include <string.h>

#define UTF8_MAX_SEQ 4

static int is_continuation(unsigned char c) { return (c & 0xC0u) == 0x80u; }

size_t s7p_utf8_prefix(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    /* s[max] is the first byte left out: if it continues a sequence, that sequence started
     * before the cut and must go as a whole. A lead byte is at most 3 bytes back in valid
     * UTF-8; beyond that the text is not UTF-8 and the byte cut stands. */
    size_t k = max;
    while (k > 0 && max - k < UTF8_MAX_SEQ - 1 && is_continuation((unsigned char)s[k])) k--;
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

/* SPDX-License-Identifier: MIT */
/* UTF-8 and ISO-8859-1 text: the one implementation of decoding, encoding and checking code
 * points, used by the wire conversion (values/convert.c), the TIA literal text
 * (values/literal*.c), the simulator's program loader and the CLI (through the public API).
 *
 * Cutting UTF-8 text to fit a fixed buffer: PLC names (CPU, project, DB names, the session
 * version string) arrive as WStrings of any length and are kept in fixed arrays; a cut at a
 * byte limit could leave half a character, which turns into garbage or an invalid string in
 * every consumer that decodes UTF-8 (JSON output, GUIs). */
#ifndef S7P_UTIL_UTF8_H
#define S7P_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s7plus/s7plus.h"

/** Longest UTF-8 sequence. */
#define S7P_UTF8_MAX 4

/** Length of the longest prefix of s[0..n) that is at most max bytes long and does not end
 *  inside a UTF-8 sequence. Invalid input is cut at max (at most 3 bytes are given back). */
size_t s7p_utf8_prefix(const char *s, size_t n, size_t max);

/** Copies as much of s[0..n) as fits into dst (cap bytes, NUL included) without splitting a
 *  character, and NUL-terminates. Returns the bytes copied. cap 0: nothing is written. */
size_t s7p_utf8_copy(char *dst, size_t cap, const char *s, size_t n);

/** One code point of strict UTF-8 (RFC 3629: no overlongs, surrogates or code points above
 *  0x10FFFF) at s, n bytes left; returns the bytes used, 0 when invalid or n == 0. */
size_t s7p_utf8_next(const char *s, size_t n, uint32_t *cp);

/** Writes cp (at most 0x10FFFF) as UTF-8 into dst (S7P_UTF8_MAX bytes); returns its length. */
size_t s7p_utf8_put(char *dst, uint32_t cp);

/** What s7p_utf8_scan() found. */
typedef struct s7p_utf8_info {
    size_t chars;        /**< code points */
    size_t units16;      /**< UTF-16 code units */
    size_t bad_at;       /**< valid == false: byte offset of the first invalid sequence */
    uint32_t wide_cp;    /**< first code point above 0xFF, 0 when none */
    size_t wide_at;      /**< its byte offset */
    bool valid;
} s7p_utf8_info;

/** Validates strict UTF-8 and counts. */
bool s7p_utf8_scan(const char *s, size_t n, s7p_utf8_info *info);
/** Writes info.chars bytes; only after a valid scan with wide_cp == 0. */
void s7p_utf8_to_latin1(const char *s, size_t n, uint8_t *dst);
/** ISO-8859-1 -> NUL-terminated UTF-8 from s7p_malloc. S7P_E_NOMEM. */
s7p_status s7p_latin1_to_utf8(const uint8_t *p, size_t n, char **out, size_t *out_len);

/** UTF-16: the code point of the unit pair (hi, lo) starting a sequence; returns the units
 *  used (1 or 2), 0 for an unpaired surrogate. has_lo false: hi is the last unit. */
size_t s7p_utf16_decode(uint16_t hi, uint16_t lo, bool has_lo, uint32_t *cp);
/** Splits cp into UTF-16 units; returns how many (1 or 2). */
size_t s7p_utf16_encode(uint32_t cp, uint16_t units[2]);

#endif

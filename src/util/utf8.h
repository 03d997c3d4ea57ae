/* Cutting UTF-8 text to fit a fixed buffer. PLC names (CPU, project, DB names, the session
 * version string) arrive as WStrings of any length and are kept in fixed arrays; a cut at a
 * byte limit could leave half a character, which turns into garbage or an invalid string in
 * every consumer that decodes UTF-8 (JSON output, GUIs). */
#ifndef S7P_UTIL_UTF8_H
#define S7P_UTIL_UTF8_H

#include <stddef.h>

/** Length of the longest prefix of s[0..n) that is at most max bytes long and does not end
 *  inside a UTF-8 sequence. Invalid input is cut at max (at most 3 bytes are given back). */
size_t s7p_utf8_prefix(const char *s, size_t n, size_t max);

/** Copies as much of s[0..n) as fits into dst (cap bytes, NUL included) without splitting a
 *  character, and NUL-terminates. Returns the bytes copied. cap 0: nothing is written. */
size_t s7p_utf8_copy(char *dst, size_t cap, const char *s, size_t n);

#endif

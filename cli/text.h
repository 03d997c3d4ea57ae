/* SPDX-License-Identifier: MIT */
/* The CLI's own text: a growing buffer, type names for listings, and values as JSON. Values
 * as TIA Portal literals (both ways) come from the library: s7p_value_parse(),
 * s7p_value_text() (include/s7plus/s7plus.h).
 *
 * Only the public header is used, so this file also serves the unit tests. */
#ifndef S7PLUS_CLI_TEXT_H
#define S7PLUS_CLI_TEXT_H

#include <s7plus/s7plus.h>
#include <stddef.h>

/** A growing NUL-terminated text. Start from {0}; release with free(b->p). */
typedef struct vt_buf {
    char *p;
    size_t len, cap;
    bool oom;                       /**< an allocation failed; the text is incomplete */
} vt_buf;

/** Appends text (len bytes / a C string / printf). */
void vt_put(vt_buf *b, const char *s, size_t len);
void vt_puts(vt_buf *b, const char *s);
void vt_printf(vt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * The value as JSON text (malloc; NULL when out of memory): numbers for numeric types
 * (Real with 9, LReal with 17 significant digits; 64-bit values above INT64_MAX as strings
 * of their text form; inf/nan as strings), true/false, strings for Char/String, and the TIA
 * literal text as a string for times, dates and raw bytes. Arrays are JSON arrays.
 */
char *vt_json(const s7p_tag_value *v);

/** Type text for listings: "Int", "String[20]", "Array[1..4, 0..1] of Real". dims may be
 *  NULL when ndims is 0 (a scalar, or an array of `count` known only by count). */
void vt_type_text(vt_buf *out, int type, uint32_t count, uint16_t str_max, uint8_t ndims,
                  const int32_t *lower, const uint32_t *dim_count);

#endif

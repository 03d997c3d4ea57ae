/* Tag values as text, in TIA Portal literal style, both ways; and as JSON.
 *
 * Printing (vt_format) gives one canonical form per type:
 *   Bool          true, false
 *   SInt..LInt, USInt..ULInt, Counter, Timer, hardware/OB/DB/connection ids   decimal
 *   Byte, Word, DWord, LWord   16#.. with all digits of the type (16#00FF)
 *   Real %.9g, LReal %.17g     always with a "." (1.0, 1.0e+10); inf, -inf, nan as read
 *   Char, WChar                'A' (a WChar that is a lone surrogate: 16#D800)
 *   String, WString            'text' with $-escapes: $' $$ $N $R $T $P and $hh
 *   Time T#1D_2H_3M_4S_5MS   LTime LT#..._6US_7NS   S5Time S5T#2H_46M_30S
 *   TOD TOD#12:30:00.500   LTOD LTOD#12:30:00.000000001   Date D#2024-01-31
 *   DT DT#2024-01-31-12:00:00.500   LDT LDT#..-12:00:00.123456789   DTL DTL#(as LDT)
 *   Pointer, Any, Remote       16# and two hex digits per byte
 *   arrays                     [v1, v2, ...]
 *
 * Parsing (vt_parse) accepts the printed form and also: Bool 1/0 (any case of true/false);
 * integers 16#FF, 2#1010, 8#17 with '_' between digits, a sign, typed prefixes (INT#-5,
 * W#16#FF); Real any strtod number (not inf/nan); Char/WChar also bare or as a code (16#41);
 * strings quoted or bare (bare text is taken as is); durations with any of the prefixes T#,
 * TIME#, LT#, LTIME#, S5T#, S5TIME#, units D H M S MS US NS (any case, largest first, '_'
 * optional, fractions allowed: T#-1.5s), or a plain integer (ms for Time and S5Time, ns for
 * LTime); times of day and points in time with or without their prefix, with '-', 'T' or ' '
 * between date and time (ISO 8601 2024-01-31T12:00:00.5), seconds, fraction and (for DT,
 * LDT, DTL) the time optional; arrays [a, b, n(c)] where n(c) repeats c n times and n()
 * repeats the type's zero.
 *
 * Only the public header is used, so this file also serves the unit tests. */
#ifndef S7PLUS_CLI_VALUE_TEXT_H
#define S7PLUS_CLI_VALUE_TEXT_H

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

/** True for the types this file can print and parse. */
bool vt_type_supported(int type);

/** Appends the TIA text of v (a scalar or an array; element types are taken from v->type).
 *  Returns false (and appends "<Type: no text form>") for a type without text form, or when
 *  memory ran out. */
bool vt_format(const s7p_tag_value *v, vt_buf *out);

/** vt_format into a fresh string (malloc; NULL when out of memory). */
char *vt_format_str(const s7p_tag_value *v);

/**
 * Parses `text` as a value for `tag` (its type, count and str_max). On success fills *out
 * (count == tag->count; strings, raw bytes and elements from malloc: release with
 * vt_value_free) and returns true. On failure *out is zeroed, `err` receives one line such as
 * "300 is out of range for USInt (0..255)" and false is returned.
 */
bool vt_parse(const s7p_tag *tag, const char *text, s7p_tag_value *out, char *err, size_t err_len);

/** Frees what vt_parse allocated in v and zeroes it. NULL is a no-op. */
void vt_value_free(s7p_tag_value *v);

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

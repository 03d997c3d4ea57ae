/* SPDX-License-Identifier: MIT */
/* Tag values as TIA Portal literal text, both ways (the public s7p_value_parse() and
 * s7p_value_format()): what each type is, and the scanning helpers shared by the parsers.
 *   literal_types.c   the type table
 *   literal_scan.c    words, prefixes, digits, error messages
 *   literal_parse.c   Bool, numbers, characters, text, raw bytes, arrays; the entry points
 *   literal_time.c    durations, times of day, dates and points in time
 *   literal_format.c  printing */
#ifndef S7P_VALUES_LITERAL_H
#define S7P_VALUES_LITERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s7plus/s7plus.h"
#include "values/calendar.h"

#define S7P_NS_PER_US INT64_C(1000)

typedef enum s7p_lit_kind {
    LK_NONE,
    LK_BOOL,
    LK_UDEC,      /* unsigned, printed in decimal: USInt.., Counter, Timer, ids */
    LK_HEX,       /* bit strings, printed as 16#.. */
    LK_SDEC,      /* signed integers */
    LK_REAL,
    LK_LREAL,
    LK_CHAR,
    LK_WCHAR,
    LK_STRING,
    LK_WSTRING,
    LK_TIME,
    LK_LTIME,
    LK_S5TIME,
    LK_TOD,
    LK_LTOD,
    LK_DATE,
    LK_DT,
    LK_LDT,
    LK_DTL,
    LK_RAW,
} s7p_lit_kind;

typedef struct s7p_lit_type {
    s7p_lit_kind k;
    uint64_t umax;       /* LK_UDEC, LK_HEX */
    int64_t smin, smax;  /* LK_SDEC */
    unsigned digits;     /* LK_HEX: hex digits printed */
} s7p_lit_type;

/** The text form of a type (softdatatype ids, not only the enum's names); k == LK_NONE for
 *  types without one. */
s7p_lit_type s7p_lit_describe(int type);

/** Duration units, largest first: D H M S MS US NS. */
typedef struct s7p_lit_unit {
    const char *name;
    uint64_t ns;
} s7p_lit_unit;
#define S7P_LIT_NUNITS 7
extern const s7p_lit_unit s7p_lit_units[S7P_LIT_NUNITS];

/* First days of the ranges of Date and Date_And_Time, in days since 1970. */
#define S7P_DAYS_1990 INT64_C(7305)                 /* 1990-01-01 */
#define S7P_DAYS_2090 INT64_C(43830)                /* 2090-01-01, the end of Date_And_Time */
#define S7P_DATE_LAST (S7P_DAYS_1990 + 65535)       /* 2169-06-06 */

/* ---- parsing ---------------------------------------------------------------------------- */

/** State of one s7p_value_parse(). */
typedef struct s7p_lit_cx {
    const s7p_tag *tag;
    s7p_lit_type t;
    const char *tname;       /* "Int", "String[20]", "Array of 4 Int" */
    char tname_buf[64];
    char ename[32];          /* the element type of an array: "USInt" */
    char *err;
    size_t err_len;
    char where[48];          /* "value 3 of 4: " for array elements */
    s7p_status st;           /* what a failure returns: S7P_E_INVALID_ARG or S7P_E_NOMEM */
} s7p_lit_cx;

/** Sets the error text (after c->where) and returns false. */
bool s7p_lit_err(s7p_lit_cx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Out of memory: S7P_E_NOMEM; returns false. */
bool s7p_lit_nomem(s7p_lit_cx *c);

/** A short quote of the input for messages. */
typedef struct s7p_lit_quote {
    char s[64];
} s7p_lit_quote;
s7p_lit_quote s7p_lit_q(const char *s, size_t n);

char s7p_lit_upc(char ch);
bool s7p_lit_is_space(char ch);
/** Case-insensitive: s[0..n) == w. */
bool s7p_lit_word_is(const char *s, size_t n, const char *w);
void s7p_lit_trim(const char **s, size_t *n);
/** A leading "NAME#" whose NAME is one of `names` (NULL-terminated): skips it, true. */
bool s7p_lit_strip_prefix(const char **s, size_t *n, const char *const *names);
/** "NAME#" where NAME is a word (letters, '_', digits after the first): a type prefix (as
 *  opposed to "16#"); *pn = its length. */
bool s7p_lit_word_prefix(const char *s, size_t n, size_t *pn);
/** Hex digit value, -1 for other characters. */
int s7p_lit_digit(char ch);
/** Digits in `radix` with '_' between them. 0 ok, 1 malformed, 2 overflow. */
int s7p_lit_digits(const char *s, size_t n, unsigned radix, uint64_t *out);
/** [+|-][radix#]digits -> sign and magnitude. 0 ok, 1 malformed, 2 overflow. */
int s7p_lit_integer(const char *s, size_t n, bool *neg, uint64_t *mag);
/** Magnitude of a signed value, and back (two's complement, INT64_MIN included). */
uint64_t s7p_lit_magnitude(int64_t v);
int64_t s7p_lit_signed(bool neg, uint64_t mag);

/* literal_time.c: s[0..n) is trimmed and not empty. */
/* One value of c->tag->type (any array count ignored): s[0..n) as given. */
bool s7p_lit_parse_scalar(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o);

bool s7p_lit_parse_duration(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o);
bool s7p_lit_parse_tod(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o);
bool s7p_lit_parse_point(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o);

#endif

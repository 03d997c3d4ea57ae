/* SPDX-License-Identifier: MIT */
/* Parsing TIA literal text into a tag value: Bool, numbers, characters, text, raw bytes,
 * arrays, and the public entry point s7p_value_parse(). Strings, raw bytes and elements come
 * from s7p_malloc, so s7p_tag_value_clear() releases them. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "values/literal.h"

#define Q(str, len) s7p_lit_q(str, len).s

/* ---- numbers ------------------------------------------------------------------------------ */

static bool parse_bool(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    static const char *const pre[] = {"BOOL", NULL};
    s7p_lit_strip_prefix(&s, &n, pre);
    if (s7p_lit_word_is(s, n, "true") || s7p_lit_word_is(s, n, "1")) o->v.b = true;
    else if (s7p_lit_word_is(s, n, "false") || s7p_lit_word_is(s, n, "0")) o->v.b = false;
    else return s7p_lit_err(c, "'%s' is not a Bool (true, false, 1 or 0)", Q(s, n));
    return true;
}

/* The accepted typed prefixes of an integer type: its own name, and B/W/DW/LW. */
static bool int_prefix_ok(const s7p_lit_cx *c, const char *s, size_t pn)
{
    static const struct { s7p_type type; const char *name; } short_names[] = {
        {S7P_T_BYTE, "B"}, {S7P_T_WORD, "W"}, {S7P_T_DWORD, "DW"}, {S7P_T_LWORD, "LW"},
    };
    s7p_type type = c->tag->type;
    if (s7p_lit_word_is(s, pn, s7p_type_name((int)type))) return true;
    for (size_t k = 0; k < sizeof short_names / sizeof short_names[0]; k++)
        if (type == short_names[k].type && s7p_lit_word_is(s, pn, short_names[k].name)) return true;
    return false;
}

static void range_text(const s7p_lit_cx *c, char *buf, size_t len)
{
    if (c->t.k == LK_SDEC)
        snprintf(buf, len, "%" PRId64 "..%" PRId64, c->t.smin, c->t.smax);
    else if (c->t.k == LK_HEX)
        snprintf(buf, len, "16#%0*d..16#%" PRIX64, (int)c->t.digits, 0, c->t.umax);
    else
        snprintf(buf, len, "0..%" PRIu64, c->t.umax);
}

/* Whether the magnitude fits the type; signed types store it in i, the others in u. A
 * signed type given an unsigned 2#/8#/16# literal takes it as a bit pattern of its width, as
 * TIA does (Int 16#FFFF is -1); with a sign it is a magnitude (-16#80). */
static bool int_fits(const s7p_lit_cx *c, bool neg, bool pattern, uint64_t mag, s7p_tag_value *o)
{
    if (c->t.k == LK_SDEC) {
        if (pattern && mag > (uint64_t)c->t.smax && mag <= c->t.umax) {
            neg = true;
            mag = c->t.umax - mag + 1;
        }
        if (neg ? mag > s7p_lit_magnitude(c->t.smin) : mag > (uint64_t)c->t.smax) return false;
        o->v.i = s7p_lit_signed(neg, mag);
        return true;
    }
    if ((neg && mag != 0) || mag > c->t.umax) return false;
    o->v.u = mag;
    return true;
}

static bool parse_int(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    const char *all = s;
    size_t alln = n, pn;
    if (s7p_lit_word_prefix(s, n, &pn)) {
        if (!int_prefix_ok(c, s, pn)) return s7p_lit_err(c, "'%s#' does not fit %s", Q(s, pn), c->tname);
        s += pn + 1;
        n -= pn + 1;
    }
    bool neg;
    uint64_t mag;
    char range[80];
    range_text(c, range, sizeof range);
    int r = s7p_lit_integer(s, n, &neg, &mag);
    if (r == 1)
        return s7p_lit_err(c, "'%s' is not an integer (%s takes e.g. 42, -5, 16#FF, 2#1010, 8#17)",
                           Q(all, alln), c->tname);
    bool pattern = n && s[0] != '+' && s[0] != '-' && memchr(s, '#', n);
    if (r == 2 || !int_fits(c, neg, pattern, mag, o))
        return s7p_lit_err(c, "%s is out of range for %s (%s)", Q(all, alln), c->tname, range);
    return true;
}

/* The number without '_' into buf; false when it is too long. */
static bool number_copy(const char *s, size_t n, char *buf, size_t cap, size_t *len)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_') continue;
        if (k + 1 >= cap) return false;
        buf[k++] = s[i];
    }
    buf[k] = 0;
    *len = k;
    return true;
}

static bool real_value(s7p_lit_cx *c, double d, const char *all, size_t alln, s7p_tag_value *o)
{
    if (c->t.k == LK_REAL) {
        float f = (float)d;
        if (isinf(d) || isinf(f))
            return s7p_lit_err(c, "%s is out of range for Real (about +-3.4028235e+38)", Q(all, alln));
        o->v.r = f;
        return true;
    }
    if (isinf(d))
        return s7p_lit_err(c, "%s is out of range for LReal (about +-1.7976931348623157e+308)",
                           Q(all, alln));
    o->v.lr = d;
    return true;
}

static bool parse_real(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    static const char *const pre[] = {"REAL", "LREAL", NULL};
    const char *all = s;
    size_t alln = n, k;
    s7p_lit_strip_prefix(&s, &n, pre);
    char buf[128];
    if (!number_copy(s, n, buf, sizeof buf, &k))
        return s7p_lit_err(c, "'%s' is too long for a number", Q(all, alln));
    char *end = buf;
    errno = 0;
    double d = k ? strtod(buf, &end) : 0;
    if (!k || *end || s7p_lit_is_space(buf[0]))
        return s7p_lit_err(c, "'%s' is not a number (%s takes e.g. 1.5, -2, 1.0e-3)", Q(all, alln),
                           c->tname);
    if (isnan(d)) return s7p_lit_err(c, "NaN cannot be written to %s", c->tname);
    for (size_t i = 0; i < k; i++)
        if (s7p_lit_upc(buf[i]) == 'I') return s7p_lit_err(c, "infinity cannot be written to %s", c->tname);
    return real_value(c, d, all, alln, o);
}

/* ---- text --------------------------------------------------------------------------------- */

static void put_cp(s7p_strbuf *b, uint32_t cp)
{
    char u[S7P_UTF8_MAX];
    s7p_strbuf_put(b, u, s7p_utf8_put(u, cp));
}

/* The character a one-letter $-escape stands for, 0 for none. */
static char simple_escape(char e)
{
    static const char map[][2] = {{'$', '$'}, {'\'', '\''}, {'"', '"'}, {'L', '\n'}, {'N', '\n'},
                                  {'P', '\f'}, {'R', '\r'}, {'T', '\t'}};
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (s7p_lit_upc(e) == map[k][0]) return map[k][1];
    return 0;
}

/* The escape at s[*i] == '$' (the closing quote at s[n - 1] excluded), into b. */
static bool unescape(s7p_lit_cx *c, const char *s, size_t n, size_t *i, s7p_strbuf *b)
{
    if (*i + 2 >= n) return s7p_lit_err(c, "a $ at the end of a string (write $$ for a dollar sign)");
    char e = s[++*i], ch = simple_escape(e);
    if (ch) {
        s7p_strbuf_put(b, &ch, 1);
        return true;
    }
    if (*i + 2 < n && s7p_lit_digit(e) >= 0 && s7p_lit_digit(s[*i + 1]) >= 0) {
        put_cp(b, (uint32_t)(s7p_lit_digit(e) * 16 + s7p_lit_digit(s[*i + 1])));
        ++*i;
        return true;
    }
    return s7p_lit_err(c, "invalid escape '$%c' (escapes: $$ $' $L $N $P $R $T $hh)", e);
}

/* Unescapes a quoted literal s[0..n) (both quotes included) into b as UTF-8. */
static bool unquote(s7p_lit_cx *c, const char *s, size_t n, s7p_strbuf *b)
{
    if (n < 2 || s[n - 1] != '\'')
        return s7p_lit_err(c, "unterminated string %s (missing the closing ')", Q(s, n));
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\'')
            return s7p_lit_err(c, "a ' inside a quoted string must be written $' (in %s)", Q(s, n));
        if (s[i] != '$') s7p_strbuf_put(b, s + i, 1);
        else if (!unescape(c, s, n, &i, b)) return false;
    }
    return b->oom ? s7p_lit_nomem(c) : true;
}

/* The text of a String/WString/Char/WChar value as UTF-8 in b: quoted (with an optional
 * STRING#/WSTRING#/CHAR#/WCHAR# prefix) or bare (taken as is, not trimmed). */
static bool text_value(s7p_lit_cx *c, const char *s, size_t n, s7p_strbuf *b)
{
    static const char *const pre[] = {"STRING", "WSTRING", "CHAR", "WCHAR", NULL};
    const char *ts = s;
    size_t tn = n;
    s7p_lit_trim(&ts, &tn);
    bool pfx = s7p_lit_strip_prefix(&ts, &tn, pre);
    bool quoted = tn >= 1 && ts[0] == '\'' && (tn >= 2 || pfx);
    if (pfx && !quoted) return s7p_lit_err(c, "a quoted text must follow the prefix in %s", Q(s, n));
    if (quoted) return unquote(c, ts, tn, b);
    s7p_strbuf_put(b, s, n);
    return b->oom ? s7p_lit_nomem(c) : true;
}

static bool scan_text(s7p_lit_cx *c, const s7p_strbuf *b, s7p_utf8_info *info)
{
    if (!s7p_utf8_scan(b->p ? b->p : "", b->len, info))
        return s7p_lit_err(c, "the text is not valid UTF-8 (byte %zu)", info->bad_at);
    return true;
}

static bool string_fits(s7p_lit_cx *c, const s7p_utf8_info *info)
{
    bool wstr = c->t.k == LK_WSTRING;
    size_t len = wstr ? info->units16 : info->chars;
    if (!wstr && info->wide_cp)
        return s7p_lit_err(c, "U+%04" PRIX32 " is not in ISO-8859-1 (String holds Latin-1 only; "
                           "use a WString)", info->wide_cp);
    if (len > c->tag->str_max)
        return s7p_lit_err(c, "%zu %s exceed %s", len, wstr ? "UTF-16 units" : "characters", c->tname);
    return true;
}

static bool parse_string(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    s7p_strbuf b = {0};
    s7p_utf8_info info;
    if (!text_value(c, s, n, &b) || !scan_text(c, &b, &info) || !string_fits(c, &info)) {
        s7p_free(b.p);
        return false;
    }
    if (!b.p) s7p_strbuf_put(&b, "", 0);
    if (b.oom) return s7p_lit_nomem(c);
    o->v.str.p = b.p;
    o->v.str.len = b.len;
    return true;
}

/* A character given by its code: 16#41, CHAR#16#41. */
static bool char_code(s7p_lit_cx *c, const char *body, size_t bn, const char *all, size_t alln,
                      s7p_tag_value *o)
{
    bool neg, wide = c->t.k == LK_WCHAR;
    uint64_t code;
    if (s7p_lit_integer(body, bn, &neg, &code) != 0 || neg)
        return s7p_lit_err(c, "'%s' is not a character code (e.g. 16#41)", Q(all, alln));
    if (code > (wide ? 0xFFFFu : 0xFFu))
        return s7p_lit_err(c, "code %s is out of range for %s (16#00..16#%s)", Q(all, alln),
                           c->tname, wide ? "FFFF" : "FF");
    o->v.u = code;
    return true;
}

/* One character of text: quoted (after escapes) or bare. */
static bool char_text(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    bool wide = c->t.k == LK_WCHAR;
    s7p_strbuf b = {0};
    s7p_utf8_info info;
    uint32_t cp = 0;
    bool ok = text_value(c, s, n, &b) && scan_text(c, &b, &info);
    if (ok && info.chars != 1)
        ok = s7p_lit_err(c, "%s takes one character, %zu given", c->tname, info.chars);
    if (ok) s7p_utf8_next(b.p, b.len, &cp);
    s7p_free(b.p);
    if (!ok) return false;
    if (cp > (wide ? 0xFFFFu : 0xFFu))
        return wide ? s7p_lit_err(c, "U+%04" PRIX32 " does not fit one UTF-16 unit (WChar)", cp)
                    : s7p_lit_err(c, "U+%04" PRIX32 " is not in ISO-8859-1 (Char; use a WChar)", cp);
    o->v.u = cp;
    return true;
}

static bool parse_char(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    const char *ts = s;
    size_t tn = n, pn;
    s7p_lit_trim(&ts, &tn);
    bool pfx = s7p_lit_word_prefix(ts, tn, &pn) &&
               (s7p_lit_word_is(ts, pn, "CHAR") || s7p_lit_word_is(ts, pn, "WCHAR"));
    const char *body = pfx ? ts + pn + 1 : ts;
    size_t bn = pfx ? tn - pn - 1 : tn;
    if (bn > 1 && body[0] != '\'' && memchr(body, '#', bn)) return char_code(c, body, bn, ts, tn, o);
    /* Quoted, or bare as given (not trimmed: ' ' is a space). */
    bool quoted_form = pfx || (tn >= 2 && ts[0] == '\'');
    return quoted_form ? char_text(c, ts, tn, o) : char_text(c, s, n, o);
}

/* ---- raw bytes ---------------------------------------------------------------------------- */

static bool parse_raw(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    const char *all = s;
    size_t alln = n, len = 0;
    if (n >= 3 && s[0] == '1' && s[1] == '6' && s[2] == '#') s += 3, n -= 3;
    uint8_t *p = s7p_malloc(n / 2 + 1);
    if (!p) return s7p_lit_nomem(c);
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_' || s[i] == ' ' || s[i] == ':') continue;
        int d = s7p_lit_digit(s[i]);
        if (d < 0) {
            s7p_free(p);
            return s7p_lit_err(c, "'%s' is not hex bytes (%s takes e.g. 16#1002_0001_0000_8400_0000)",
                               Q(all, alln), c->tname);
        }
        if (hi < 0) hi = d;
        else p[len++] = (uint8_t)(hi << 4 | d), hi = -1;
    }
    if (hi >= 0 || len == 0) {
        s7p_free(p);
        return s7p_lit_err(c, "%s needs whole bytes: an even number of hex digits, at least two",
                           c->tname);
    }
    o->v.raw.p = p;
    o->v.raw.len = len;
    return true;
}

/* ---- scalars ------------------------------------------------------------------------------ */

typedef bool (*scalar_parser)(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o);

/* Parser of each kind; `raw` kinds get the untrimmed text (a bare ' ' is a character). */
static const struct { scalar_parser fn; bool raw; } parsers[] = {
    [LK_BOOL] = {parse_bool, false},     [LK_UDEC] = {parse_int, false},
    [LK_HEX] = {parse_int, false},       [LK_SDEC] = {parse_int, false},
    [LK_REAL] = {parse_real, false},     [LK_LREAL] = {parse_real, false},
    [LK_CHAR] = {parse_char, true},      [LK_WCHAR] = {parse_char, true},
    [LK_STRING] = {parse_string, true},  [LK_WSTRING] = {parse_string, true},
    [LK_TIME] = {s7p_lit_parse_duration, false}, [LK_LTIME] = {s7p_lit_parse_duration, false},
    [LK_S5TIME] = {s7p_lit_parse_duration, false}, [LK_TOD] = {s7p_lit_parse_tod, false},
    [LK_LTOD] = {s7p_lit_parse_tod, false}, [LK_DATE] = {s7p_lit_parse_point, false},
    [LK_DT] = {s7p_lit_parse_point, false}, [LK_LDT] = {s7p_lit_parse_point, false},
    [LK_DTL] = {s7p_lit_parse_point, false}, [LK_RAW] = {parse_raw, false},
};

bool s7p_lit_parse_scalar(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    memset(o, 0, sizeof *o);
    o->type = c->tag->type;
    const char *ts = s;
    size_t tn = n;
    s7p_lit_trim(&ts, &tn);
    if (c->t.k == LK_NONE || !parsers[c->t.k].fn)
        return s7p_lit_err(c, "values of type %s cannot be written", c->tname);
    if (parsers[c->t.k].raw) return parsers[c->t.k].fn(c, s, n, o);
    if (tn == 0) return s7p_lit_err(c, "no value given for %s", c->tname);
    return parsers[c->t.k].fn(c, ts, tn, o);
}

/* Start-value literals as TIA writes them, and their conversion to a typed s7t_value.
 *
 * Parsed forms: TRUE/FALSE; 123, -5, 1_000; 16#FF, 2#1010, 8#17; 1.5, -1.0E-3; 'text' with
 * $-escapes; typed forms PREFIX#body: BOOL#, BYTE#16#99, INT#-5, REAL#1.5 (any integer, bit
 * string or real type), CHAR#'A', WCHAR#'A', STRING#'x', WSTRING#'x', T#/TIME#, LT#/LTIME#,
 * S5T#/S5TIME# (durations: D H M S MS US NS, e.g. T#-1D_2H3M4S5MS, T#1.5S), D#/DATE#,
 * TOD#/TIME_OF_DAY#, LTOD#/LTIME_OF_DAY#, DT#/DATE_AND_TIME#, LDT#/DATE_AND_LTIME#, DTL#.
 * A start value is one literal or a list [a, b, n(c), m()] where n(c) repeats c n times and
 * m() leaves m elements at the type's zero. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program/prog_int.h"
#include "util/alloc.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

static char up(char ch) { return ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch; }

static bool word_is(const char *p, size_t n, const char *w)
{
    size_t k = 0;
    for (; k < n; k++)
        if (!w[k] || up(p[k]) != w[k]) return false;
    return w[k] == '\0';
}

/* Digits (and '_') in the given radix; false on a bad digit, overflow or no digit. */
bool tia_digits_value(const char *p, size_t n, unsigned radix, uint64_t *out)
{
    uint64_t v = 0;
    bool any = false;
    for (size_t k = 0; k < n; k++) {
        char ch = up(p[k]);
        if (ch == '_') continue;
        unsigned d;
        if (ch >= '0' && ch <= '9') d = (unsigned)(ch - '0');
        else if (ch >= 'A' && ch <= 'F') d = (unsigned)(ch - 'A' + 10);
        else return false;
        if (d >= radix) return false;
        if (v > (UINT64_MAX - d) / radix) return false;
        v = v * radix + d;
        any = true;
    }
    *out = v;
    return any;
}

static bool parse_real(pctx *c, pos at, const char *p, size_t n, double *out)
{
    char buf[80];
    size_t o = 0;
    for (size_t k = 0; k < n; k++) {
        if (p[k] == '_') continue;
        if (o + 1 >= sizeof buf) return tia_perr(c, at, "number too long");
        buf[o++] = p[k];
    }
    buf[o] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || o == 0) return tia_perr(c, at, "malformed number");
    if (isinf(v) || isnan(v)) return tia_perr(c, at, "number out of range");
    *out = v;
    return true;
}

/* A number given as text: [sign] digits, [sign] real, or radix#digits. */
static bool number_text(pctx *c, pos at, const char *p, size_t n, lit *o)
{
    bool neg = false;
    if (n && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        p++;
        n--;
    }
    const char *hash = memchr(p, '#', n);
    if (hash) {
        uint64_t radix;
        if (neg || !tia_digits_value(p, (size_t)(hash - p), 10, &radix) ||
            (radix != 2 && radix != 8 && radix != 16))
            return tia_perr(c, at, "malformed number (radix must be 2, 8 or 16)");
        o->kind = LIT_INT;
        o->radix = true;
        if (!tia_digits_value(hash + 1, n - (size_t)(hash + 1 - p), (unsigned)radix, &o->mag))
            return tia_perr(c, at, "malformed or too large base-%u number", (unsigned)radix);
        return true;
    }
    bool real = false;
    for (size_t k = 0; k < n; k++)
        if (p[k] == '.' || p[k] == 'e' || p[k] == 'E') real = true;
    if (real) {
        o->kind = LIT_REAL;
        if (!parse_real(c, at, p, n, &o->real)) return false;
        if (neg) o->real = -o->real;
        return true;
    }
    o->kind = LIT_INT;
    o->neg = neg;
    if (!tia_digits_value(p, n, 10, &o->mag)) return tia_perr(c, at, "malformed or too large number");
    return true;
}

/* Durations: [-]{<number>[.<fraction>]<unit>[_]} with units in falling order. */
static bool duration_text(pctx *c, pos at, const char *p, size_t n, lit *o)
{
    static const struct { const char *u; uint64_t ns; } units[] = {
        {"D", 86400 * NS_PER_S}, {"H", 3600 * NS_PER_S}, {"M", 60 * NS_PER_S},
        {"S", NS_PER_S}, {"MS", NS_PER_MS}, {"US", 1000}, {"NS", 1},
    };
    size_t i = 0;
    o->kind = LIT_DUR;
    if (i < n && (p[i] == '-' || p[i] == '+')) o->neg = p[i++] == '-';
    uint64_t total = 0;
    size_t next_unit = 0;
    bool any = false;
    while (i < n) {
        if (p[i] == '_') {
            i++;
            continue;
        }
        uint64_t v = 0, frac = 0, scale = 1;
        size_t d0 = i;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (v > (UINT64_MAX - 9) / 10) return tia_perr(c, at, "duration out of range");
            v = v * 10 + (uint64_t)(p[i++] - '0');
        }
        if (i == d0) return tia_perr(c, at, "malformed duration");
        if (i < n && p[i] == '.') {
            i++;
            size_t f0 = i;
            while (i < n && p[i] >= '0' && p[i] <= '9') {
                if (scale >= 1000000000ull) return tia_perr(c, at, "malformed duration");
                frac = frac * 10 + (uint64_t)(p[i++] - '0');
                scale *= 10;
            }
            if (i == f0) return tia_perr(c, at, "malformed duration");
        }
        size_t u0 = i;
        while (i < n && ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z'))) i++;
        size_t k = 0;
        while (k < sizeof units / sizeof units[0] && !word_is(p + u0, i - u0, units[k].u)) k++;
        if (k == sizeof units / sizeof units[0])
            return tia_perr(c, at, "malformed duration (units are D, H, M, S, MS, US, NS)");
        if (k < next_unit) return tia_perr(c, at, "duration units out of order");
        next_unit = k + 1;
        uint64_t u = units[k].ns;
        if (v > (UINT64_MAX - total) / u) return tia_perr(c, at, "duration out of range");
        total += v * u;
        /* frac / scale of a unit, exact in 64 bits because frac < scale <= 1e9 */
        uint64_t add = frac * (u / scale) + frac * (u % scale) / scale;
        if (add > UINT64_MAX - total) return tia_perr(c, at, "duration out of range");
        total += add;
        any = true;
    }
    if (!any) return tia_perr(c, at, "malformed duration");
    o->mag = total;
    return true;
}

static bool read_num(const char *p, size_t n, size_t *i, unsigned min_digits,
                     unsigned max_digits, uint32_t *out)
{
    uint32_t v = 0;
    unsigned d = 0;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9' && d < max_digits) {
        v = v * 10 + (uint32_t)(p[(*i)++] - '0');
        d++;
    }
    *out = v;
    return d >= min_digits;
}

static bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static bool date_part(const char *p, size_t n, size_t *i, lit *o)
{
    uint32_t y, m, d;
    if (!read_num(p, n, i, 4, 4, &y) || *i >= n || p[(*i)++] != '-') return false;
    if (!read_num(p, n, i, 1, 2, &m) || *i >= n || p[(*i)++] != '-') return false;
    if (!read_num(p, n, i, 1, 2, &d)) return false;
    static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    if (d > (uint32_t)mdays[m - 1] + (m == 2 && leap(y) ? 1u : 0u)) return false;
    o->year = (int32_t)y;
    o->month = (uint8_t)m;
    o->day = (uint8_t)d;
    return true;
}

static bool tod_part(const char *p, size_t n, size_t *i, lit *o)
{
    uint32_t h, m, s = 0, ns = 0;
    if (!read_num(p, n, i, 1, 2, &h) || *i >= n || p[(*i)++] != ':') return false;
    if (!read_num(p, n, i, 1, 2, &m)) return false;
    if (*i < n && p[*i] == ':') {
        (*i)++;
        if (!read_num(p, n, i, 1, 2, &s)) return false;
        if (*i < n && p[*i] == '.') {
            (*i)++;
            size_t f0 = *i;
            if (!read_num(p, n, i, 1, 9, &ns)) return false;
            for (size_t k = *i - f0; k < 9; k++) ns *= 10;
        }
    }
    if (h > 23 || m > 59 || s > 59) return false;
    o->hour = (uint8_t)h;
    o->minute = (uint8_t)m;
    o->second = (uint8_t)s;
    o->ns = ns;
    return true;
}

static const struct { const char *name; lit_kind kind; lit_flavor flavor; } prefixes[] = {
    {"T", LIT_DUR, LF_TIME}, {"TIME", LIT_DUR, LF_TIME}, {"LT", LIT_DUR, LF_LTIME},
    {"LTIME", LIT_DUR, LF_LTIME}, {"S5T", LIT_DUR, LF_S5TIME}, {"S5TIME", LIT_DUR, LF_S5TIME},
    {"D", LIT_DATE, LF_NONE}, {"DATE", LIT_DATE, LF_NONE}, {"TOD", LIT_TOD, LF_TOD},
    {"TIME_OF_DAY", LIT_TOD, LF_TOD}, {"LTOD", LIT_TOD, LF_LTOD},
    {"LTIME_OF_DAY", LIT_TOD, LF_LTOD}, {"DT", LIT_DT, LF_DT}, {"DATE_AND_TIME", LIT_DT, LF_DT},
    {"LDT", LIT_DT, LF_LDT}, {"DATE_AND_LTIME", LIT_DT, LF_LDT}, {"DTL", LIT_DT, LF_DTL},
    {"CHAR", LIT_STR, LF_CHAR}, {"WCHAR", LIT_STR, LF_WCHAR}, {"STRING", LIT_STR, LF_STRING},
    {"WSTRING", LIT_STR, LF_WSTRING},
};

static bool typed(pctx *c, const tok *t, lit *o)
{
    int pn = (int)(t->sn > 32 ? 32 : t->sn);
    if (t->s[0] >= '0' && t->s[0] <= '9') return number_text(c, t->at, t->p, t->n, o);
    size_t k = 0;
    while (k < sizeof prefixes / sizeof prefixes[0] && !word_is(t->s, t->sn, prefixes[k].name))
        k++;
    if (k == sizeof prefixes / sizeof prefixes[0]) {
        const elem_info *e = tia_elem_find(t->s, t->sn);
        if (!e || (e->vkind != S7T_V_UINT && e->vkind != S7T_V_INT && e->vkind != S7T_V_REAL) ||
            e->sdt == S7T_SDT_CHAR || e->sdt == S7T_SDT_WCHAR)
            return tia_perr(c, t->at, "unknown literal prefix '%.*s#'", pn, t->s);
        if (t->body_string) return tia_perr(c, t->at, "'%.*s#' takes a number", pn, t->s);
        if (word_is(t->body, t->bn, "TRUE") || word_is(t->body, t->bn, "FALSE")) {
            o->kind = LIT_BOOL;
            o->mag = up(t->body[0]) == 'T';
            return true;
        }
        return number_text(c, t->at, t->body, t->bn, o);
    }
    o->kind = prefixes[k].kind;
    o->flavor = prefixes[k].flavor;
    if ((o->kind == LIT_STR) != t->body_string)
        return tia_perr(c, t->at, o->kind == LIT_STR ? "'%.*s#' takes a quoted string"
                                                 : "'%.*s#' does not take a string", pn, t->s);
    size_t i = 0;
    switch (o->kind) {
    case LIT_STR:
        o->s = t->body;
        o->sn = t->bn;
        return true;
    case LIT_DUR:
        return duration_text(c, t->at, t->body, t->bn, o);
    case LIT_DATE:
        if (!date_part(t->body, t->bn, &i, o) || i != t->bn)
            return tia_perr(c, t->at, "malformed date (expected D#YYYY-MM-DD)");
        return true;
    case LIT_TOD:
        if (!tod_part(t->body, t->bn, &i, o) || i != t->bn)
            return tia_perr(c, t->at, "malformed time of day (expected TOD#HH:MM:SS.fff)");
        return true;
    case LIT_DT:
        if (!date_part(t->body, t->bn, &i, o) || i >= t->bn || t->body[i++] != '-' ||
            !tod_part(t->body, t->bn, &i, o) || i != t->bn)
            return tia_perr(c, t->at, "malformed date and time (expected %.*s#YYYY-MM-DD-HH:MM:SS.fff)",
                        pn, t->s);
        return true;
    default:
        return tia_perr(c, t->at, "unknown literal prefix '%.*s#'", pn, t->s);
    }
}

bool tia_lit_parse(pctx *c, lit *o)
{
    memset(o, 0, sizeof *o);
    tok t = tia_lex_next(c);
    o->at = t.at;
    switch (t.kind) {
    case T_MINUS:
    case T_PLUS: {
        tok n = tia_lex_next(c);
        if (n.kind != T_NUMBER)
            return tia_perr(c, n.at, "expected a number after '%c'", t.kind == T_MINUS ? '-' : '+');
        if (!number_text(c, n.at, n.p, n.n, o)) return false;
        if (t.kind == T_MINUS) {
            o->neg = !o->neg;
            o->real = -o->real;
        }
        return true;
    }
    case T_NUMBER:
        return number_text(c, t.at, t.p, t.n, o);
    case T_IDENT:
        if (tia_tok_is(&t, "TRUE") || tia_tok_is(&t, "FALSE")) {
            o->kind = LIT_BOOL;
            o->mag = tia_tok_is(&t, "TRUE");
            return true;
        }
        return tia_perr(c, t.at, "expected a start value, found '%.*s'", (int)(t.n > 40 ? 40 : t.n), t.p);
    case T_STRING:
        o->kind = LIT_STR;
        o->s = t.s;
        o->sn = t.sn;
        return true;
    case T_TYPED:
        return typed(c, &t, o);
    case T_QNAME:
        return tia_perr(c, t.at, "named constants are not supported as start values");
    default:
        return tia_perr(c, t.at, "expected a start value");
    }
}

bool tia_init_parse(pctx *c, init *out)
{
    memset(out, 0, sizeof *out);
    const tok *t = tia_lex_peek(c);
    out->at = t->at;
    if (t->kind != T_LBRACK) {
        lit *l = s7p_arena_alloc(c->arena, sizeof *l);
        if (!l) return tia_perr(c, t->at, "out of memory");
        if (!tia_lit_parse(c, l)) return false;
        out->items = l;
        out->n = 1;
        return true;
    }
    tia_lex_next(c);
    out->list = true;
    vec items, reps;
    tia_vec_init(&items, sizeof(lit));
    tia_vec_init(&reps, sizeof(uint64_t));
    bool ok = false;
    for (;;) {
        lit *l = tia_vec_push(&items);
        uint64_t *r = tia_vec_push(&reps);
        if (!l || !r) {
            tia_perr(c, tia_lex_peek(c)->at, "out of memory");
            goto out;
        }
        *r = 1;
        if (!tia_lit_parse(c, l)) goto out;
        if (tia_lex_peek(c)->kind == T_LPAREN) {
            if (l->kind != LIT_INT || l->neg || l->radix) {
                tia_perr(c, l->at, "a repetition count must be a positive integer");
                goto out;
            }
            if (l->mag == 0) {
                tia_perr(c, l->at, "a repetition count must be at least 1");
                goto out;
            }
            *r = l->mag;
            pos count_at = l->at;
            tia_lex_next(c);
            if (tia_lex_peek(c)->kind == T_RPAREN) {
                memset(l, 0, sizeof *l);
                l->kind = LIT_NONE;
                l->at = count_at;
            } else if (!tia_lit_parse(c, l)) {
                goto out;
            }
            l->rep_at = count_at;
            if (tia_lex_peek(c)->kind != T_RPAREN) {
                tia_perr(c, tia_lex_peek(c)->at, "expected ')' after a repeated start value");
                goto out;
            }
            tia_lex_next(c);
        }
        tok sep = tia_lex_next(c);
        if (sep.kind == T_RBRACK) break;
        if (sep.kind != T_COMMA) {
            tia_perr(c, sep.at, "expected ',' or ']' in a list of start values");
            goto out;
        }
    }
    out->n = items.n;
    lit *li = s7p_arena_array(c->arena, items.n, sizeof(lit));
    uint64_t *ri = s7p_arena_array(c->arena, reps.n, sizeof(uint64_t));
    if (!li || !ri) {
        tia_perr(c, out->at, "out of memory");
        goto out;
    }
    memcpy(li, items.p, items.n * sizeof(lit));
    memcpy(ri, reps.p, reps.n * sizeof(uint64_t));
    out->items = li;
    out->reps = ri;
    ok = true;
out:
    tia_vec_free(&items);
    tia_vec_free(&reps);
    return ok;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned dtl_weekday(int64_t days)
{
    return (unsigned)(((days % 7) + 7 + 4) % 7) + 1;  /* 1970-01-01 was a Thursday (5) */
}

static const char *lit_desc(const lit *l)
{
    switch (l->kind) {
    case LIT_BOOL: return "a Bool value";
    case LIT_INT: return "an integer";
    case LIT_REAL: return "a real number";
    case LIT_STR: return "a string";
    case LIT_DUR: return "a duration";
    case LIT_DATE: return "a date";
    case LIT_TOD: return "a time of day";
    case LIT_DT: return "a date and time";
    default: return "an empty value";
    }
}

static bool mismatch(pctx *c, const lit *l, const s7t_type *t)
{
    char tn[64];
    s7t_type_format(t, tn, sizeof tn);
    return tia_perr(c, l->at, "cannot use %s as start value of type %s", lit_desc(l), tn);
}

static bool out_of_range(pctx *c, const lit *l, const s7t_type *t, const char *range)
{
    char tn[64];
    s7t_type_format(t, tn, sizeof tn);
    return tia_perr(c, l->at, "value out of range for %s (%s)", tn, range);
}

static bool int_value(pctx *c, const lit *l, const s7t_type *t, const elem_info *e,
                      s7t_value *out)
{
    if (l->kind != LIT_INT) return mismatch(c, l, t);
    char range[64];
    if (e->vkind == S7T_V_UINT) {
        if ((l->neg && l->mag) || l->mag > e->max) {
            snprintf(range, sizeof range, "0..%llu", (unsigned long long)e->max);
            return out_of_range(c, l, t, range);
        }
        out->u = l->mag;
        return true;
    }
    /* signed: a 2#/8#/16# literal is a bit pattern of the type's width */
    if (l->radix && e->size) {
        uint64_t mask = e->size >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * e->size)) - 1;
        if (l->mag > mask) {
            snprintf(range, sizeof range, "16#0..16#%llX", (unsigned long long)mask);
            return out_of_range(c, l, t, range);
        }
        uint64_t sign = (uint64_t)1 << (8 * e->size - 1);
        uint64_t v = l->mag;
        if (v & sign) v |= ~mask;
        out->i = (int64_t)v;
        if (out->i < e->min || (out->i > 0 && (uint64_t)out->i > e->max)) {
            snprintf(range, sizeof range, "%lld..%llu", (long long)e->min,
                     (unsigned long long)e->max);
            return out_of_range(c, l, t, range);
        }
        return true;
    }
    uint64_t lim = l->neg ? (uint64_t)(-(e->min + 1)) + 1 : e->max;
    if (l->mag > lim) {
        snprintf(range, sizeof range, "%lld..%llu", (long long)e->min, (unsigned long long)e->max);
        return out_of_range(c, l, t, range);
    }
    out->i = l->neg ? (int64_t)(0 - l->mag) : (int64_t)l->mag;
    return true;
}

/* Code points of UTF-8 text (already validated by the lexer); false if one is above max. */
static bool count_chars(const char *s, size_t n, uint32_t max, uint64_t *units, uint32_t *first)
{
    uint64_t k = 0;
    *first = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t len = tia_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (!len || cp > max) return false;
        if (!k) *first = cp;
        k += cp > 0xFFFF ? 2 : 1;
        i += len;
    }
    *units = k;
    return true;
}

bool tia_lit_convert(pctx *c, const lit *l, const s7t_type *t, s7t_value *out)
{
    const elem_info *e = tia_elem_info_of(t);
    *out = tia_elem_zero(t);
    if (l->kind == LIT_NONE) return true;
    char range[64];
    switch (t->sdt) {
    case S7T_SDT_BOOL:
        if (l->kind != LIT_BOOL) return mismatch(c, l, t);
        out->u = l->mag;
        return true;
    case S7T_SDT_CHAR:
    case S7T_SDT_WCHAR: {
        if (l->kind != LIT_STR) return mismatch(c, l, t);
        uint64_t units;
        uint32_t first;
        bool wide = t->sdt == S7T_SDT_WCHAR;
        if (!count_chars(l->s, l->sn, wide ? 0xFFFF : 0xFF, &units, &first))
            return tia_perr(c, l->at, "character not representable in %s", t->name);
        if (units != 1) return tia_perr(c, l->at, "a %s start value is one character", t->name);
        out->u = first;
        return true;
    }
    case S7T_SDT_STRING:
    case S7T_SDT_WSTRING: {
        if (l->kind != LIT_STR) return mismatch(c, l, t);
        uint64_t units;
        uint32_t first;
        bool wide = t->sdt == S7T_SDT_WSTRING;
        if (!count_chars(l->s, l->sn, wide ? 0x10FFFF : 0xFF, &units, &first))
            return tia_perr(c, l->at, "character not representable in %s", t->name);
        if (units > t->max_len) {
            char tn[64];
            s7t_type_format(t, tn, sizeof tn);
            return tia_perr(c, l->at, "string of %llu characters does not fit %s",
                        (unsigned long long)units, tn);
        }
        out->text.p = l->s;
        out->text.n = (uint32_t)l->sn;
        return true;
    }
    case S7T_SDT_REAL:
    case S7T_SDT_LREAL: {
        double v;
        if (l->kind == LIT_REAL) v = l->real;
        else if (l->kind == LIT_INT && !l->radix) v = l->neg ? -(double)l->mag : (double)l->mag;
        else return mismatch(c, l, t);
        if (t->sdt == S7T_SDT_REAL && fabs(v) > FLT_MAX)
            return out_of_range(c, l, t, "-3.402823E+38..3.402823E+38");
        out->r = v;
        return true;
    }
    case S7T_SDT_DATE: {
        if (l->kind != LIT_DATE) return mismatch(c, l, t);
        int64_t d = days_from_civil(l->year, l->month, l->day) - 7305;
        if (d < 0 || d > 65535) return out_of_range(c, l, t, "D#1990-01-01..D#2169-06-06");
        out->u = (uint64_t)d;
        return true;
    }
    case S7T_SDT_TOD:
    case S7T_SDT_LTOD: {
        if (l->kind != LIT_TOD) return mismatch(c, l, t);
        uint64_t ns = ((uint64_t)l->hour * 3600 + l->minute * 60u + l->second) * NS_PER_S + l->ns;
        if (t->sdt == S7T_SDT_TOD) {
            if (ns % NS_PER_MS) return tia_perr(c, l->at, "Time_Of_Day has millisecond resolution");
            ns /= NS_PER_MS;
        }
        out->u = ns;
        return true;
    }
    case S7T_SDT_TIME:
    case S7T_SDT_LTIME:
    case S7T_SDT_S5TIME: {
        if (l->kind != LIT_DUR) return mismatch(c, l, t);
        if (t->sdt == S7T_SDT_LTIME) {
            if (l->mag > (l->neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
                return out_of_range(c, l, t, "LT#-106751D_23H_47M_16S_854MS_775US_808NS.."
                                             "LT#106751D_23H_47M_16S_854MS_775US_807NS");
            out->i = l->neg ? (int64_t)(0 - l->mag) : (int64_t)l->mag;
            return true;
        }
        if (l->mag % NS_PER_MS) return tia_perr(c, l->at, "%s has millisecond resolution", t->name);
        uint64_t ms = l->mag / NS_PER_MS;
        if (t->sdt == S7T_SDT_S5TIME) {
            if ((l->neg && ms) || ms > 9990000) return out_of_range(c, l, t, "S5T#0MS..S5T#2H_46M_30S");
            out->i = (int64_t)ms;
            return true;
        }
        if (ms > (l->neg ? (uint64_t)INT32_MAX + 1 : (uint64_t)INT32_MAX))
            return out_of_range(c, l, t, "T#-24D_20H_31M_23S_648MS..T#24D_20H_31M_23S_647MS");
        out->i = l->neg ? -(int64_t)ms : (int64_t)ms;
        return true;
    }
    case S7T_SDT_DT:
    case S7T_SDT_LDT:
    case S7T_SDT_DTL: {
        if (l->kind != LIT_DT) return mismatch(c, l, t);
        int64_t days = days_from_civil(l->year, l->month, l->day);
        int64_t sec = days * 86400 + l->hour * 3600 + l->minute * 60 + l->second;
        if (t->sdt == S7T_SDT_DT) {
            if (sec < 7305 * 86400 || sec >= days_from_civil(2090, 1, 1) * 86400)
                return out_of_range(c, l, t, "DT#1990-01-01-00:00:00..DT#2089-12-31-23:59:59.999");
            if (l->ns % NS_PER_MS) return tia_perr(c, l->at, "Date_And_Time has millisecond resolution");
        } else if (sec < 0 || sec > 9223372036 || (sec == 9223372036 && l->ns > 854775807)) {
            snprintf(range, sizeof range, "%s#1970-01-01-00:00:00..%s#2262-04-11-23:47:16.854775807",
                     t->sdt == S7T_SDT_DTL ? "DTL" : "LDT", t->sdt == S7T_SDT_DTL ? "DTL" : "LDT");
            return out_of_range(c, l, t, range);
        }
        if (t->sdt != S7T_SDT_DTL) {
            out->i = sec * (int64_t)NS_PER_S + l->ns;
            return true;
        }
        uint8_t *b = out->bytes;
        b[0] = (uint8_t)(l->year >> 8);
        b[1] = (uint8_t)l->year;
        b[2] = l->month;
        b[3] = l->day;
        b[4] = (uint8_t)dtl_weekday(days);
        b[5] = l->hour;
        b[6] = l->minute;
        b[7] = l->second;
        b[8] = (uint8_t)(l->ns >> 24);
        b[9] = (uint8_t)(l->ns >> 16);
        b[10] = (uint8_t)(l->ns >> 8);
        b[11] = (uint8_t)l->ns;
        return true;
    }
    case S7T_SDT_POINTER:
    case S7T_SDT_ANY:
        return tia_perr(c, l->at, "start values of %s are not supported", t->name);
    default:
        if (!e) return mismatch(c, l, t);
        return int_value(c, l, t, e, out);
    }
}

bool tia_init_convert(pctx *c, const init *in, const s7t_type *t, s7t_value **out)
{
    if (t->kind == S7T_ELEMENTARY) {
        if (in->list) return tia_perr(c, in->at, "a list of start values needs an Array");
        s7t_value *v = s7p_arena_alloc(c->arena, sizeof *v);
        if (!v) return tia_perr(c, in->at, "out of memory");
        if (!tia_lit_convert(c, &in->items[0], t, v)) return false;
        *out = v;
        return true;
    }
    if (t->kind != S7T_ARRAY || !t->elem || t->elem->kind != S7T_ELEMENTARY)
        return tia_perr(c, in->at, "start values of a Struct or PLC data type are set per member");
    if (!in->list) return tia_perr(c, in->at, "an Array takes a list of start values [a, b, ...]");
    s7t_value *v = s7p_arena_array(c->arena, t->count, sizeof *v);
    if (!v) return tia_perr(c, in->at, "out of memory");
    s7t_value zero = tia_elem_zero(t->elem);
    uint64_t k = 0;
    for (size_t i = 0; i < in->n; i++) {
        if (in->reps[i] > t->count - k)
            return tia_perr(c, in->reps[i] != 1 || in->items[i].kind == LIT_NONE ? in->items[i].rep_at
                                                                              : in->items[i].at,
                        "too many start values (the Array has %llu elements)",
                        (unsigned long long)t->count);
        s7t_value one;
        if (!tia_lit_convert(c, &in->items[i], t->elem, &one)) return false;
        for (uint64_t r = 0; r < in->reps[i]; r++) v[k++] = one;
    }
    for (; k < t->count; k++) v[k] = zero;
    *out = v;
    return true;
}

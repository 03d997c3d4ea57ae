/* SPDX-License-Identifier: MIT */
/* Parsing durations (Time, LTime, S5Time), times of day (TOD, LTOD) and points in time
 * (Date, DT, LDT, DTL) in TIA literal syntax, also in ISO 8601 form for the latter. */
#include <inttypes.h>
#include <string.h>

#include "values/literal.h"

#define NS_MS ((uint64_t)S7P_NS_PER_MS)
#define NS_S ((uint64_t)S7P_NS_PER_S)
#define Q(str, len) s7p_lit_q(str, len).s

const s7p_lit_unit s7p_lit_units[S7P_LIT_NUNITS] = {
    {"D", (uint64_t)S7P_NS_PER_DAY}, {"H", 3600 * NS_S}, {"M", 60 * NS_S}, {"S", NS_S},
    {"MS", NS_MS}, {"US", (uint64_t)S7P_NS_PER_US}, {"NS", 1},
};

static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }
static bool is_alpha(char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'); }

/* ---- durations ---------------------------------------------------------------------------- */

/* The text being parsed as a whole, for messages. */
typedef struct whole {
    const char *s;
    size_t n;
} whole;

/* One term "<digits>[.<digits>]<unit>". */
typedef struct dterm {
    uint64_t v, frac, scale;
    size_t unit;
    bool over;
} dterm;

/* Reads a term at *i: 0 read, 1 no term here (the caller reports), -1 error reported. */
static int dur_term(s7p_lit_cx *c, const char *s, size_t n, size_t *i, whole all, dterm *t)
{
    size_t d0 = *i;
    *t = (dterm){0, 0, 1, 0, false};
    for (; *i < n && is_digit(s[*i]); (*i)++) {
        if (t->v > (UINT64_MAX - 9) / 10) t->over = true;
        else t->v = t->v * 10 + (uint64_t)(s[*i] - '0');
    }
    if (*i == d0) return 1;
    if (*i < n && s[*i] == '.') {
        size_t f0 = ++*i;
        for (; *i < n && is_digit(s[*i]); (*i)++) {
            if (t->scale >= NS_S) return s7p_lit_err(c, "%s: more than 9 decimals", Q(all.s, all.n)) - 1;
            t->frac = t->frac * 10 + (uint64_t)(s[*i] - '0');
            t->scale *= 10;
        }
        if (*i == f0) return 1;
    }
    size_t u0 = *i;
    while (*i < n && is_alpha(s[*i])) (*i)++;
    while (t->unit < S7P_LIT_NUNITS && !s7p_lit_word_is(s + u0, *i - u0, s7p_lit_units[t->unit].name))
        t->unit++;
    if (t->unit < S7P_LIT_NUNITS) return 0;
    if (*i == u0)
        return s7p_lit_err(c, "%s: a unit must follow %.*s (D, H, M, S, MS, US, NS)",
                           Q(all.s, all.n), (int)(u0 - d0), s + d0) - 1;
    return s7p_lit_err(c, "%s: unknown unit '%.*s' (D, H, M, S, MS, US, NS)", Q(all.s, all.n),
                       (int)(*i - u0), s + u0) - 1;
}

/* Adds a term: 0 added, 1 beyond 64 bits, -1 error reported (finer than 1 ns). */
static int dur_add(s7p_lit_cx *c, const dterm *t, uint64_t *total, whole all)
{
    uint64_t u = s7p_lit_units[t->unit].ns;
    if (t->over || t->v > (UINT64_MAX - *total) / u) return 1;
    *total += t->v * u;
    if (!t->frac) return 0;
    if ((t->frac * (u % t->scale)) % t->scale)
        return s7p_lit_err(c, "%s is finer than 1 ns", Q(all.s, all.n)) - 1;
    /* frac / scale of a unit, exact in 64 bits because frac < scale <= 1e9 */
    uint64_t add = t->frac * (u / t->scale) + t->frac * (u % t->scale) / t->scale;
    if (add > UINT64_MAX - *total) return 1;
    *total += add;
    return 0;
}

static const char *dur_example(s7p_lit_kind k)
{
    return k == LK_LTIME    ? "LT#1S_500MS, LT#-20NS, 1500000000"
           : k == LK_S5TIME ? "S5T#1M_30S, S5T#10MS, 90000"
                            : "T#1D_2H, T#-1.5S, 1500";
}

/* [+|-] {<digits>[.<digits>]<unit>[_]}, units largest first. *total = UINT64_MAX when the
 * value does not fit 64 bits (the caller's range check reports it). */
static bool duration_body(s7p_lit_cx *c, const char *s, size_t n, whole all, bool *neg,
                          uint64_t *total)
{
    size_t i = 0, next = 0;
    bool any = false;
    *neg = false;
    *total = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) *neg = s[i++] == '-';
    while (i < n) {
        if (s[i] == '_' && any) {
            i++;
            continue;
        }
        dterm t;
        int r = dur_term(c, s, n, &i, all, &t);
        if (r < 0) return false;
        if (r > 0) break;
        if (t.unit < next)
            return s7p_lit_err(c, "%s: units must go from largest to smallest (D H M S MS US NS)",
                               Q(all.s, all.n));
        next = t.unit + 1;
        r = dur_add(c, &t, total, all);
        if (r < 0) return false;
        if (r > 0) return *total = UINT64_MAX, true;
        any = true;
    }
    if (!any || i != n)
        return s7p_lit_err(c, "'%s' is not a duration (%s takes e.g. %s)", Q(all.s, all.n),
                           c->tname, dur_example(c->t.k));
    return true;
}

static bool check_time(s7p_lit_cx *c, bool neg, uint64_t mag, whole all)
{
    uint64_t lim = (neg ? (uint64_t)1 << 31 : (uint64_t)INT32_MAX) * NS_MS;
    if (mag > lim)
        return s7p_lit_err(c, "%s is out of range for Time (T#-24D_20H_31M_23S_648MS.."
                           "T#24D_20H_31M_23S_647MS)", Q(all.s, all.n));
    if (mag % NS_MS)
        return s7p_lit_err(c, "%s is not a whole number of milliseconds (Time counts ms)",
                           Q(all.s, all.n));
    return true;
}

static bool check_s5time(s7p_lit_cx *c, bool neg, uint64_t mag, whole all)
{
    static const uint64_t base[4] = {10 * NS_MS, 100 * NS_MS, NS_S, 10 * NS_S};
    if (neg && mag) return s7p_lit_err(c, "%s: S5Time cannot be negative", Q(all.s, all.n));
    if (mag > 9990 * NS_S)
        return s7p_lit_err(c, "%s is out of range for S5Time (S5T#0MS..S5T#2H_46M_30S)",
                           Q(all.s, all.n));
    for (int b = 0; b < 4; b++)
        if (mag % base[b] == 0 && mag / base[b] <= 999) return true;
    return s7p_lit_err(c, "%s cannot be an S5Time: it needs 3 digits of one time base "
                       "(10 ms up to 9.99 s, 100 ms up to 99.9 s, 1 s up to 999 s, 10 s)",
                       Q(all.s, all.n));
}

static bool check_ltime(s7p_lit_cx *c, bool neg, uint64_t mag, whole all)
{
    if (mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
        return s7p_lit_err(c, "%s is out of range for LTime (LT#-106751D_23H_47M_16S_854MS_775US_808NS"
                           "..LT#106751D_23H_47M_16S_854MS_775US_807NS)", Q(all.s, all.n));
    return true;
}

/* A plain integer: ms for Time and S5Time, ns for LTime. */
static bool duration_number(s7p_lit_cx *c, const char *s, size_t n, whole all, bool *neg,
                            uint64_t *mag)
{
    int r = memchr(s, '#', n) ? 1 : s7p_lit_integer(s, n, neg, mag);
    if (r == 1) return duration_body(c, s, n, all, neg, mag); /* "1.5s", or its message */
    uint64_t unit = c->t.k == LK_LTIME ? 1 : NS_MS;
    *mag = r == 2 || *mag > UINT64_MAX / unit ? UINT64_MAX : *mag * unit;
    return true;
}

bool s7p_lit_parse_duration(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    static const char *const prefixes[] = {"T", "TIME", "LT", "LTIME", "S5T", "S5TIME", NULL};
    whole all = {s, n};
    bool neg, ok;
    uint64_t mag;
    if (s7p_lit_strip_prefix(&s, &n, prefixes)) ok = duration_body(c, s, n, all, &neg, &mag);
    else ok = duration_number(c, s, n, all, &neg, &mag);
    if (!ok) return false;
    if (c->t.k == LK_TIME) ok = check_time(c, neg, mag, all);
    else if (c->t.k == LK_S5TIME) ok = check_s5time(c, neg, mag, all);
    else ok = check_ltime(c, neg, mag, all);
    if (ok) o->v.i = s7p_lit_signed(neg, mag);
    return ok;
}

/* ---- times of day and dates --------------------------------------------------------------- */

static bool read_digits(const char *s, size_t n, size_t *i, unsigned min, unsigned max,
                        uint32_t *out)
{
    uint32_t v = 0;
    unsigned d = 0;
    while (*i < n && is_digit(s[*i]) && d < max) {
        v = v * 10 + (uint32_t)(s[(*i)++] - '0');
        d++;
    }
    *out = v;
    return d >= min && !(*i < n && is_digit(s[*i]));
}

/* A separator character at *i, consumed. */
static bool sep(const char *s, size_t n, size_t *i, char ch)
{
    if (*i >= n || s[*i] != ch) return false;
    (*i)++;
    return true;
}

/* [:SS[.fraction]] after HH:MM. */
static bool seconds_text(const char *s, size_t n, size_t *i, uint32_t *sec, uint32_t *frac)
{
    *sec = *frac = 0;
    if (!sep(s, n, i, ':')) return true;
    if (!read_digits(s, n, i, 2, 2, sec)) return false;
    if (!(sep(s, n, i, '.') || sep(s, n, i, ','))) return true;
    size_t f0 = *i;
    if (!read_digits(s, n, i, 1, 9, frac)) return false;
    for (size_t k = *i - f0; k < 9; k++) *frac *= 10;
    return true;
}

/* HH:MM[:SS[.fraction]] -> ns since midnight. */
static bool tod_text(const char *s, size_t n, size_t *i, int64_t *ns, bool *bad_range)
{
    uint32_t h, m, sec, frac;
    *bad_range = false;
    if (!read_digits(s, n, i, 1, 2, &h) || !sep(s, n, i, ':')) return false;
    if (!read_digits(s, n, i, 2, 2, &m) || !seconds_text(s, n, i, &sec, &frac)) return false;
    if (h > 23 || m > 59 || sec > 59) {
        *bad_range = true;
        return false;
    }
    *ns = ((int64_t)h * 3600 + (int64_t)m * 60 + sec) * S7P_NS_PER_S + frac;
    return true;
}

static bool date_text(const char *s, size_t n, size_t *i, int64_t *days, bool *bad_range)
{
    uint32_t y, m, d;
    *bad_range = false;
    if (!read_digits(s, n, i, 4, 4, &y) || !sep(s, n, i, '-')) return false;
    if (!read_digits(s, n, i, 1, 2, &m) || !sep(s, n, i, '-')) return false;
    if (!read_digits(s, n, i, 1, 2, &d)) return false;
    if (m < 1 || m > 12 || d < 1 || d > s7p_days_in_month(y, m)) {
        *bad_range = true;
        return false;
    }
    *days = s7p_days_from_civil(y, m, d);
    return true;
}

bool s7p_lit_parse_tod(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    static const char *const pre[] = {"TOD", "TIME_OF_DAY", "LTOD", "LTIME_OF_DAY", NULL};
    whole all = {s, n};
    size_t i = 0;
    bool bad;
    int64_t ns;
    s7p_lit_strip_prefix(&s, &n, pre);
    bool ltod = c->t.k == LK_LTOD;
    if (!tod_text(s, n, &i, &ns, &bad) || i != n)
        return bad ? s7p_lit_err(c, "%s is not a time of day (hours 0..23, minutes and seconds "
                                 "0..59)", Q(all.s, all.n))
                   : s7p_lit_err(c, "'%s' is not a time of day (%s takes e.g. %s)",
                                 Q(all.s, all.n), c->tname,
                                 ltod ? "LTOD#12:30:00.000000001" : "TOD#12:30:00.500");
    if (!ltod && ns % S7P_NS_PER_MS)
        return s7p_lit_err(c, "%s is finer than 1 ms (Time_Of_Day counts ms; use an LTOD)",
                           Q(all.s, all.n));
    o->v.i = ns;
    return true;
}

static const char *point_example(s7p_lit_kind k)
{
    switch (k) {
    case LK_DATE: return "D#2024-01-31";
    case LK_DT: return "DT#2024-01-31-12:00:00.500, 2024-01-31T12:00:00.5";
    case LK_LDT: return "LDT#2024-01-31-12:00:00.123456789, 2024-01-31T12:00";
    default: return "DTL#2024-01-31-12:00:00.123456789, 2024-01-31T12:00";
    }
}

static bool not_a_point(s7p_lit_cx *c, whole all)
{
    return s7p_lit_err(c, "'%s' is not a %s (e.g. %s)", Q(all.s, all.n), c->tname,
                       point_example(c->t.k));
}

/* The optional time after the date: '-', 'T' or ' ' and a time of day; no time zone. */
static bool point_time(s7p_lit_cx *c, const char *s, size_t n, size_t *i, int64_t *tod,
                       whole all)
{
    bool bad;
    char ch = s[*i];
    if (ch != '-' && ch != 'T' && ch != 't' && ch != ' ') return not_a_point(c, all);
    (*i)++;
    if (!tod_text(s, n, i, tod, &bad))
        return bad ? s7p_lit_err(c, "%s: not a valid time (hours 0..23, minutes and seconds "
                                 "0..59)", Q(all.s, all.n))
                   : not_a_point(c, all);
    if (*i < n && (s[*i] == 'Z' || s[*i] == 'z' || s[*i] == '+' || s[*i] == '-'))
        return s7p_lit_err(c, "%s: time zones are not supported (the PLC's clock has none)",
                           Q(all.s, all.n));
    return true;
}

static bool point_range(s7p_lit_cx *c, int64_t days, int64_t tod, whole all)
{
    switch (c->t.k) {
    case LK_DATE:
        if (days < S7P_DAYS_1990 || days > S7P_DATE_LAST)
            return s7p_lit_err(c, "%s is out of range for Date (D#1990-01-01..D#2169-06-06)",
                               Q(all.s, all.n));
        return true;
    case LK_DT:
        if (days < S7P_DAYS_1990 || days >= S7P_DAYS_2090)
            return s7p_lit_err(c, "%s is out of range for Date_And_Time (DT#1990-01-01-00:00:00.000"
                               "..DT#2089-12-31-23:59:59.999)", Q(all.s, all.n));
        if (tod % S7P_NS_PER_MS)
            return s7p_lit_err(c, "%s is finer than 1 ms (Date_And_Time counts ms; use an LDT or "
                               "DTL)", Q(all.s, all.n));
        return true;
    default: /* LDT, DTL: ns since 1970 in an int64 */
        if (days < 0 || days > (INT64_MAX - tod) / S7P_NS_PER_DAY)
            return s7p_lit_err(c, "%s is out of range for %s (1970-01-01-00:00:00.000000000.."
                               "2262-04-11-23:47:16.854775807)", Q(all.s, all.n), c->tname);
        return true;
    }
}

bool s7p_lit_parse_point(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    static const char *const dpre[] = {"D", "DATE", NULL};
    static const char *const tpre[] = {"DT", "DATE_AND_TIME", "LDT", "DATE_AND_LTIME", "DTL", NULL};
    whole all = {s, n};
    size_t i = 0;
    bool is_date = c->t.k == LK_DATE, bad;
    s7p_lit_strip_prefix(&s, &n, is_date ? dpre : tpre);
    int64_t days, tod = 0;
    if (!date_text(s, n, &i, &days, &bad))
        return bad ? s7p_lit_err(c, "%s is not a valid date", Q(all.s, all.n)) : not_a_point(c, all);
    if (i < n && !is_date && !point_time(c, s, n, &i, &tod, all)) return false;
    if (i != n) return not_a_point(c, all);
    if (!point_range(c, days, tod, all)) return false;
    o->v.i = days * S7P_NS_PER_DAY + tod;
    return true;
}

/* SPDX-License-Identifier: MIT */
/* Printing tag values as TIA literal text (one canonical form per type), or with ISO 8601
 * dates and times and plain text for JSON; the public s7p_value_format() and
 * s7p_value_text(). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "values/literal.h"

typedef struct fmt {
    s7p_strbuf *b;
    unsigned flags;
    bool ok;                     /* false once a value had no text form */
} fmt;

/* One character inside a quoted literal, with the TIA $-escapes. */
static void put_escaped(s7p_strbuf *b, uint32_t cp)
{
    static const struct { uint32_t cp; const char *esc; } escapes[] = {
        {'\'', "$'"}, {'$', "$$"}, {'\n', "$N"}, {'\r', "$R"}, {'\t', "$T"}, {'\f', "$P"},
    };
    for (size_t k = 0; k < sizeof escapes / sizeof escapes[0]; k++)
        if (cp == escapes[k].cp) {
            s7p_strbuf_puts(b, escapes[k].esc);
            return;
        }
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
        s7p_strbuf_printf(b, "$%02X", (unsigned)cp);
        return;
    }
    char u[S7P_UTF8_MAX];
    s7p_strbuf_put(b, u, s7p_utf8_put(u, cp));
}

static void fmt_text(fmt *f, const char *s, size_t n)
{
    if (f->flags & S7P_TEXT_PLAIN) {
        s7p_strbuf_put(f->b, s, n);
        return;
    }
    s7p_strbuf_puts(f->b, "'");
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = s7p_utf8_next(s + i, n - i, &cp);
        if (k == 0) { /* not from the library; show the byte */
            s7p_strbuf_printf(f->b, "$%02X", (unsigned char)s[i]);
            i++;
            continue;
        }
        put_escaped(f->b, cp);
        i += k;
    }
    s7p_strbuf_puts(f->b, "'");
}

static void fmt_char(fmt *f, uint64_t code, bool wide)
{
    if (wide && code >= 0xD800 && code <= 0xDFFF) {
        s7p_strbuf_printf(f->b, "16#%04X", (unsigned)code);
        return;
    }
    char u[S7P_UTF8_MAX];
    size_t k = s7p_utf8_put(u, (uint32_t)code);
    fmt_text(f, u, k);
}

/* %.*g, always with a "." (1.0, 1.0e+10); inf, -inf, nan as printf writes them. */
static void fmt_real(s7p_strbuf *b, double d, int prec)
{
    char t[64];
    snprintf(t, sizeof t, "%.*g", prec, d);
    if (!isfinite(d) || strchr(t, '.')) {
        s7p_strbuf_puts(b, t);
        return;
    }
    char *e = strpbrk(t, "eE");
    size_t mant = e ? (size_t)(e - t) : strlen(t);
    s7p_strbuf_put(b, t, mant);
    s7p_strbuf_puts(b, ".0");
    s7p_strbuf_puts(b, t + mant);
}

static void fmt_duration(s7p_strbuf *b, const char *prefix, int64_t ns, const char *zero)
{
    uint64_t m = s7p_lit_magnitude(ns);
    s7p_strbuf_puts(b, prefix);
    if (m == 0) {
        s7p_strbuf_puts(b, zero);
        return;
    }
    if (ns < 0) s7p_strbuf_puts(b, "-");
    bool first = true;
    for (size_t k = 0; k < S7P_LIT_NUNITS; k++) {
        uint64_t q = m / s7p_lit_units[k].ns;
        m %= s7p_lit_units[k].ns;
        if (!q) continue;
        s7p_strbuf_printf(b, "%s%" PRIu64 "%s", first ? "" : "_", q, s7p_lit_units[k].name);
        first = false;
    }
}

/* HH:MM:SS and `digits` (3 or 9) fraction digits. */
static void fmt_tod(s7p_strbuf *b, int64_t tod, int digits)
{
    int64_t s = tod / S7P_NS_PER_S, frac = tod % S7P_NS_PER_S;
    s7p_strbuf_printf(b, "%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    if (digits == 3) s7p_strbuf_printf(b, ".%03d", (int)(frac / S7P_NS_PER_MS));
    else s7p_strbuf_printf(b, ".%09d", (int)frac);
}

/* A time of day: TOD#12:30:00.500, or 12:30:00.500 in ISO form. */
static void fmt_time_of_day(fmt *f, const char *prefix, int64_t ns, int digits)
{
    if (!(f->flags & S7P_TEXT_ISO8601)) s7p_strbuf_puts(f->b, prefix);
    fmt_tod(f->b, ns, digits);
}

/* A point in time: DT#2024-01-31-12:00:00.500, or 2024-01-31T12:00:00.500 in ISO form. */
static void fmt_point(fmt *f, const char *prefix, int64_t ns, int digits, bool with_time)
{
    bool iso = (f->flags & S7P_TEXT_ISO8601) != 0;
    int64_t days = ns / S7P_NS_PER_DAY, tod = ns % S7P_NS_PER_DAY, y;
    unsigned mo, d;
    if (tod < 0) {
        tod += S7P_NS_PER_DAY;
        days--;
    }
    s7p_civil_from_days(days, &y, &mo, &d);
    s7p_strbuf_printf(f->b, "%s%04" PRId64 "-%02u-%02u", iso ? "" : prefix, y, mo, d);
    if (!with_time) return;
    s7p_strbuf_puts(f->b, iso ? "T" : "-");
    fmt_tod(f->b, tod, digits);
}

static void fmt_raw(s7p_strbuf *b, const uint8_t *p, size_t n)
{
    s7p_strbuf_puts(b, "16#");
    for (size_t i = 0; i < n; i++) s7p_strbuf_printf(b, "%02X", p[i]);
}

static void fmt_number(fmt *f, const s7p_lit_type *t, const s7p_tag_value *v)
{
    switch (t->k) {
    case LK_BOOL: s7p_strbuf_puts(f->b, v->v.b ? "true" : "false"); break;
    case LK_UDEC: s7p_strbuf_printf(f->b, "%" PRIu64, v->v.u); break;
    case LK_HEX: s7p_strbuf_printf(f->b, "16#%0*" PRIX64, (int)t->digits, v->v.u); break;
    case LK_SDEC: s7p_strbuf_printf(f->b, "%" PRId64, v->v.i); break;
    case LK_REAL: fmt_real(f->b, v->v.r, 9); break;
    default: fmt_real(f->b, v->v.lr, 17); break;
    }
}

static void fmt_scalar(fmt *f, const s7p_lit_type *t, int type, const s7p_tag_value *v)
{
    switch (t->k) {
    case LK_BOOL: case LK_UDEC: case LK_HEX: case LK_SDEC: case LK_REAL: case LK_LREAL:
        fmt_number(f, t, v);
        break;
    case LK_CHAR: fmt_char(f, v->v.u & 0xFF, false); break;
    case LK_WCHAR: fmt_char(f, v->v.u & 0xFFFF, true); break;
    case LK_STRING: case LK_WSTRING: fmt_text(f, v->v.str.p ? v->v.str.p : "", v->v.str.p ? v->v.str.len : 0); break;
    case LK_TIME: fmt_duration(f->b, "T#", v->v.i, "0MS"); break;
    case LK_LTIME: fmt_duration(f->b, "LT#", v->v.i, "0NS"); break;
    case LK_S5TIME: fmt_duration(f->b, "S5T#", v->v.i, "0MS"); break;
    case LK_TOD: fmt_time_of_day(f, "TOD#", v->v.i, 3); break;
    case LK_LTOD: fmt_time_of_day(f, "LTOD#", v->v.i, 9); break;
    case LK_DATE: fmt_point(f, "D#", v->v.i, 0, false); break;
    case LK_DT: fmt_point(f, "DT#", v->v.i, 3, true); break;
    case LK_LDT: fmt_point(f, "LDT#", v->v.i, 9, true); break;
    case LK_DTL: fmt_point(f, "DTL#", v->v.i, 9, true); break;
    case LK_RAW: fmt_raw(f->b, v->v.raw.p, v->v.raw.p ? v->v.raw.len : 0); break;
    default:
        s7p_strbuf_printf(f->b, "<%s: no text form>", s7p_type_name(type));
        f->ok = false;
    }
}

/* The whole value into b; S7P_OK, S7P_E_UNSUPPORTED (a type without text form: the text says
 * so in its place) or S7P_E_NOMEM. */
static s7p_status format_into(const s7p_tag_value *v, unsigned flags, s7p_strbuf *b)
{
    s7p_lit_type t = s7p_lit_describe((int)v->type);
    fmt f = {b, flags, true};
    if (v->count == 0) {
        fmt_scalar(&f, &t, (int)v->type, v);
    } else {
        s7p_strbuf_puts(b, "[");
        for (uint32_t i = 0; i < v->count; i++) {
            if (i) s7p_strbuf_puts(b, ", ");
            if (v->elems) fmt_scalar(&f, &t, (int)v->type, &v->elems[i]);
            else s7p_strbuf_puts(b, "?"), f.ok = false;
        }
        s7p_strbuf_puts(b, "]");
    }
    if (!b->p) s7p_strbuf_put(b, "", 0);
    if (b->oom) return S7P_E_NOMEM;
    return f.ok ? S7P_OK : S7P_E_UNSUPPORTED;
}

s7p_status s7p_value_text(const s7p_tag_value *v, unsigned flags, char **out)
{
    if (!out) return S7P_E_INVALID_ARG;
    *out = NULL;
    if (!v) return S7P_E_INVALID_ARG;
    s7p_strbuf b = {0};
    s7p_status st = format_into(v, flags, &b);
    if (st == S7P_E_NOMEM) {
        s7p_free(b.p);
        return st;
    }
    *out = b.p;
    return st;
}

s7p_status s7p_value_format(const s7p_tag_value *v, unsigned flags, char *buf, size_t len,
                            size_t *needed)
{
    if (needed) *needed = 0;
    if (!v || (!buf && len)) return S7P_E_INVALID_ARG;
    s7p_strbuf b = {0};
    s7p_status st = format_into(v, flags, &b);
    if (st == S7P_E_NOMEM) {
        s7p_free(b.p);
        return st;
    }
    if (needed) *needed = b.len + 1;
    if (len) s7p_utf8_copy(buf, len, b.p, b.len);
    if (st == S7P_OK && b.len >= len) st = S7P_E_LIMIT;
    s7p_free(b.p);
    return st;
}

void s7p_text_free(char *s) { s7p_free(s); }

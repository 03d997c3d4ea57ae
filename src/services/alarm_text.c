/* SPDX-License-Identifier: MIT */
/* Alarm texts with associated values formatted in: the PLC's text-field syntax
 * `@<n>[<type>]%[0][<width>][.<precision>]<format>@` and `@<n>[<type>]%t#<TextList>@`, and
 * a literal `\n` for a line break (docs/protocol.md, "Alarms", lists every rule). */
#include <stdio.h>
#include <string.h>

#include "services/alarm.h"
#include "util/alloc.h"
#include "util/strbuf.h"

#define MAX_DEPTH 8          /* text lists nested in text lists */
#define MAX_WIDTH 255u
#define MAX_PRECISION 17u

typedef struct ph {
    unsigned index;          /* 1-based */
    char type;               /* element type letter, 0 = from the value */
    bool zero;               /* width starts with 0 */
    unsigned width;
    bool has_prec;
    unsigned prec;
    char format;             /* d u x X b f s, or 't' for a text list */
    const char *list;        /* text list name */
    size_t list_len;
    size_t end;              /* offset just past the closing @ */
} ph;

typedef struct fmt_ctx {
    const s7p_alarm_src *src;
    uint32_t lcid;
    s7p_alarm_textlist_fn lookup;
    void *lookup_ctx;
    s7p_strbuf out;
} fmt_ctx;

/* ---- parsing ---- */

static bool digits(const char *t, size_t len, size_t *at, unsigned max, unsigned *out)
{
    size_t start = *at;
    unsigned v = 0;
    while (*at < len && t[*at] >= '0' && t[*at] <= '9') {
        v = v * 10u + (unsigned)(t[*at] - '0');
        if (v > max) return false;
        (*at)++;
    }
    *out = v;
    return *at > start;
}

static bool parse_tail(const char *t, size_t len, size_t at, ph *p)
{
    if (at + 1 < len && t[at] == 't' && t[at + 1] == '#') {
        const char *end = memchr(t + at + 2, '@', len - at - 2);
        if (!end || end == t + at + 2) return false;
        p->format = 't';
        p->list = t + at + 2;
        p->list_len = (size_t)(end - p->list);
        p->end = (size_t)(end - t) + 1;
        return true;
    }
    if (at + 1 >= len || !strchr("duxXbfs", t[at]) || t[at] == '\0' || t[at + 1] != '@')
        return false;
    p->format = t[at];
    p->end = at + 2;
    return true;
}

/* A placeholder starting at t[at] == '@'; false when the text there is none. */
static bool parse_ph(const char *t, size_t len, size_t at, ph *p)
{
    memset(p, 0, sizeof *p);
    at++;
    if (!digits(t, len, &at, 999, &p->index) || p->index == 0) return false;
    if (at < len && t[at] != '\0' && strchr("BCDIORTWXY", t[at])) p->type = t[at++];
    if (at >= len || t[at++] != '%') return false;
    p->zero = at < len && t[at] == '0';
    if (!digits(t, len, &at, MAX_WIDTH, &p->width) && at < len && t[at] >= '0' && t[at] <= '9')
        return false;
    if (at < len && t[at] == '.') {
        at++;
        p->has_prec = true;
        if (!digits(t, len, &at, MAX_PRECISION, &p->prec)) return false;
    }
    return parse_tail(t, len, at, p);
}

/* ---- the value a placeholder refers to ---- */

static char default_type(s7p_type t)
{
    switch (t) {
    case S7P_T_BOOL: return 'B';
    case S7P_T_BYTE: case S7P_T_CHAR: case S7P_T_USINT: case S7P_T_SINT: return 'Y';
    case S7P_T_WORD: case S7P_T_UINT: case S7P_T_WCHAR: return 'W';
    case S7P_T_INT: return 'I';
    case S7P_T_DWORD: case S7P_T_UDINT: return 'X';
    case S7P_T_DINT: return 'D';
    case S7P_T_REAL: return 'R';
    case S7P_T_LREAL: case S7P_T_LINT: case S7P_T_ULINT: case S7P_T_LWORD: return 'O';
    case S7P_T_STRING: case S7P_T_WSTRING: return 'T';
    default: return 0;
    }
}

static unsigned type_bytes(char type)
{
    switch (type) {
    case 'B': case 'Y': case 'C': return 1;
    case 'W': case 'I': return 2;
    case 'X': case 'D': case 'R': return 4;
    case 'O': return 8;
    default: return 0;
    }
}

static s7p_type packed_type(char type)
{
    switch (type) {
    case 'B': return S7P_T_BOOL;
    case 'Y': return S7P_T_BYTE;
    case 'C': return S7P_T_CHAR;
    case 'W': return S7P_T_WORD;
    case 'I': return S7P_T_INT;
    case 'X': return S7P_T_DWORD;
    case 'D': return S7P_T_DINT;
    case 'R': return S7P_T_REAL;
    default: return S7P_T_LREAL;
    }
}

/* The value of placeholder p into *tmp (or a pointer to the caller's); NULL when missing. */
static const s7p_tag_value *value_of(const s7p_alarm_src *src, const ph *p, s7p_tag_value *tmp)
{
    if (src->packed) {  /* packed standard form: position p->index of elements of p->type */
        unsigned s = type_bytes(p->type);
        size_t off = (size_t)(p->index - 1) * s;
        if (!s || off + s > src->npacked) return NULL;
        s7p_type t = packed_type(p->type);
        if (s7p_alarm_value_decode(S7P_TI_BASE + (uint32_t)t, src->packed + off, s, tmp) != S7P_OK)
            return NULL;
        return tmp;
    }
    if (p->index > src->n || src->values[p->index - 1].type == S7P_T_VOID ||
        src->values[p->index - 1].count)
        return NULL;
    return &src->values[p->index - 1];
}

static bool is_text(const s7p_tag_value *v)
{
    return v->type == S7P_T_STRING || v->type == S7P_T_WSTRING;
}

static bool is_real(const s7p_tag_value *v)
{
    return v->type == S7P_T_REAL || v->type == S7P_T_LREAL;
}

static bool is_signed(const s7p_tag_value *v)
{
    return v->type == S7P_T_SINT || v->type == S7P_T_INT || v->type == S7P_T_DINT ||
           v->type == S7P_T_LINT;
}

/* A real rounded half away from zero, clamped to the 64-bit range (NaN: 0). */
static int64_t round_real(double d)
{
    if (!(d == d)) return 0;
    if (d >= 9.2e18) return INT64_MAX;
    if (d <= -9.2e18) return INT64_MIN;
    return (int64_t)(d < 0 ? d - 0.5 : d + 0.5);
}

/* The value's bits read with the width of element type `type` (reals: rounded). */
static uint64_t bits_of(const s7p_tag_value *v, char type)
{
    uint64_t u;
    if (v->type == S7P_T_BOOL) u = v->v.b ? 1u : 0u;
    else if (is_real(v)) u = (uint64_t)round_real(v->type == S7P_T_REAL ? (double)v->v.r : v->v.lr);
    else if (is_signed(v)) u = (uint64_t)v->v.i;
    else u = v->v.u;
    unsigned n = type_bytes(type);
    if (type == 'B') return u & 1u;
    return n >= 8 ? u : u & ((1ull << (n * 8)) - 1);
}

static int64_t signed_of(uint64_t u, char type)
{
    unsigned bits = type == 'B' ? 1u : type_bytes(type) * 8u;
    if (bits >= 64 || type == 'B') return (int64_t)u;
    uint64_t m = 1ull << (bits - 1);
    return (int64_t)((u ^ m) - m);
}

/* ---- output ---- */

/* Appends s padded on the left to p->width (zeros go after a sign). */
static void put_padded(fmt_ctx *c, const ph *p, const char *s, size_t n, bool allow_zero)
{
    char fill = p->zero && allow_zero ? '0' : ' ';
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    if (fill == '0' && n && (s[0] == '-' || s[0] == '+')) {
        s7p_strbuf_put(&c->out, s, 1);
        s++;
        n--;
    }
    for (size_t k = chars; k < p->width; k++) s7p_strbuf_put(&c->out, &fill, 1);
    s7p_strbuf_put(&c->out, s, n);
}

static void put_radix(fmt_ctx *c, const ph *p, uint64_t u, unsigned radix, const char *prefix)
{
    char digs[65], tmp[65];
    size_t n = 0;
    const char *set = p->format == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
    do {
        tmp[n++] = set[u % radix];
        u /= radix;
    } while (u);
    for (size_t i = 0; i < n; i++) digs[i] = tmp[n - 1 - i];
    s7p_strbuf_puts(&c->out, prefix);
    for (size_t k = n; k < p->width; k++) s7p_strbuf_put(&c->out, "0", 1);
    s7p_strbuf_put(&c->out, digs, n);
}

static bool put_float(fmt_ctx *c, const ph *p, const s7p_tag_value *v, char type)
{
    if (!strchr("RXDO", type)) return false;
    double d = v->type == S7P_T_REAL    ? (double)v->v.r
               : v->type == S7P_T_LREAL ? v->v.lr
                                        : (double)signed_of(bits_of(v, type), type);
    char buf[400];
    int n = snprintf(buf, sizeof buf, "%.*f", p->has_prec ? (int)p->prec : 6, d);
    if (n < 0 || (size_t)n >= sizeof buf) n = snprintf(buf, sizeof buf, "%g", d);
    put_padded(c, p, buf, (size_t)n, true);
    return true;
}

/* The natural text of a number for %s. */
static void put_number_text(fmt_ctx *c, const ph *p, const s7p_tag_value *v, char type)
{
    char buf[64];
    int n;
    if (is_real(v)) n = snprintf(buf, sizeof buf, "%g", v->type == S7P_T_REAL ? (double)v->v.r : v->v.lr);
    else if (is_signed(v)) n = snprintf(buf, sizeof buf, "%lld", (long long)signed_of(bits_of(v, type), type));
    else n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)bits_of(v, type));
    put_padded(c, p, buf, (size_t)n, true);
}

/* Appends the value formatted; false when the format does not apply (left as written). */
static bool put_value(fmt_ctx *c, const ph *p, const s7p_tag_value *v)
{
    char type = p->type ? p->type : default_type(v->type);
    char buf[32];
    if (!type) return false;
    if (p->format == 's' && is_text(v)) {
        put_padded(c, p, v->v.str.p ? v->v.str.p : "", v->v.str.len, true);
        return true;
    }
    if (is_text(v) || type == 'T') return false;
    uint64_t u = bits_of(v, type);
    switch (p->format) {
    case 'd':
        put_padded(c, p, buf, (size_t)snprintf(buf, sizeof buf, "%lld", (long long)signed_of(u, type)), true);
        return true;
    case 'u':
        put_padded(c, p, buf, (size_t)snprintf(buf, sizeof buf, "%llu", (unsigned long long)u), true);
        return true;
    case 'x': case 'X': put_radix(c, p, u, 16, "16#"); return true;
    case 'b': put_radix(c, p, u, 2, "2#"); return true;
    case 'f': return put_float(c, p, v, type);
    default: put_number_text(c, p, v, type); return true;
    }
}

static bool format_into(fmt_ctx *c, const char *t, size_t len, int depth);

static bool put_list(fmt_ctx *c, const ph *p, const s7p_tag_value *v, int depth)
{
    char type = p->type ? p->type : default_type(v->type);
    const char *text = NULL;
    if (!c->lookup || !type || type == 'T' || is_text(v) || depth >= MAX_DEPTH) return false;
    uint64_t u = bits_of(v, type);
    if (!c->lookup(c->lookup_ctx, p->list, p->list_len, (int64_t)u, c->lcid, &text) || !text)
        return false;
    return format_into(c, text, strlen(text), depth + 1);
}

static bool format_into(fmt_ctx *c, const char *t, size_t len, int depth)
{
    size_t copied = 0;
    for (size_t i = 0; i < len && !c->out.oom && c->out.len <= S7P_ALARM_TEXT_MAX; i++) {
        ph p;
        if (t[i] == '\\' && i + 1 < len && t[i + 1] == 'n') {
            s7p_strbuf_put(&c->out, t + copied, i - copied);
            s7p_strbuf_put(&c->out, "\n", 1);
            copied = ++i + 1;
            continue;
        }
        if (t[i] != '@' || !parse_ph(t, len, i, &p)) continue;
        s7p_tag_value tmp;
        const s7p_tag_value *v = value_of(c->src, &p, &tmp);
        s7p_strbuf_put(&c->out, t + copied, i - copied);
        size_t before = c->out.len;
        bool done = v && (p.format == 't' ? put_list(c, &p, v, depth) : put_value(c, &p, v));
        if (v == &tmp) s7p_tag_value_clear(&tmp);
        if (!done) {  /* left as written: undo what a half-made replacement appended */
            c->out.len = before;
            if (c->out.p) c->out.p[before] = '\0';
            copied = i;
            continue;
        }
        copied = p.end;
        i = p.end - 1;
    }
    s7p_strbuf_put(&c->out, t + copied, len - copied);
    return !c->out.oom;
}

s7p_status s7p_alarm_format(const char *text, size_t len, const s7p_alarm_src *src, uint32_t lcid,
                            s7p_alarm_textlist_fn lookup, void *lookup_ctx, char **out)
{
    static const s7p_alarm_src none = {0};
    fmt_ctx c = {src ? src : &none, lcid, lookup, lookup_ctx, {0}};
    *out = NULL;
    if (!text) return S7P_E_INVALID_ARG;
    s7p_strbuf_put(&c.out, "", 0);
    if (!format_into(&c, text, len, 0) || c.out.oom || !c.out.p) {
        s7p_free(c.out.p);
        return S7P_E_NOMEM;
    }
    if (c.out.len > S7P_ALARM_TEXT_MAX) {
        s7p_free(c.out.p);
        return S7P_E_LIMIT;
    }
    *out = c.out.p;
    return S7P_OK;
}

s7p_status s7p_alarm_format_text(const char *text, const s7p_tag_value *values, size_t n,
                                 char **out)
{
    if (!out) return S7P_E_INVALID_ARG;
    *out = NULL;
    if (!text || (n && !values)) return S7P_E_INVALID_ARG;
    s7p_alarm_src src = {values, n, NULL, 0};
    return s7p_alarm_format(text, strlen(text), &src, 0, NULL, NULL, out);
}

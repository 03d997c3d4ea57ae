/* Tag values <-> TIA Portal literal text, and tag values -> JSON (see value_text.h). */
#include "value_text.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_US INT64_C(1000)
#define NS_MS INT64_C(1000000)
#define NS_S INT64_C(1000000000)
#define NS_DAY (INT64_C(86400) * NS_S)

/* ---- growing text --------------------------------------------------------------------- */

void vt_put(vt_buf *b, const char *s, size_t len)
{
    if (b->oom) return;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + len + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, len);
    b->len += len;
    b->p[b->len] = 0;
}

void vt_puts(vt_buf *b, const char *s) { vt_put(b, s, strlen(s)); }

void vt_printf(vt_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        vt_put(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    vt_put(b, big, (size_t)n);
    free(big);
}

/* ---- what each type is ------------------------------------------------------------------ */

typedef enum kind {
    K_NONE,
    K_BOOL,
    K_UDEC,      /* unsigned, printed in decimal: USInt.., Counter, Timer, ids */
    K_HEX,       /* bit strings, printed as 16#.. */
    K_SDEC,      /* signed integers */
    K_REAL,
    K_LREAL,
    K_CHAR,
    K_WCHAR,
    K_STRING,
    K_WSTRING,
    K_TIME,
    K_LTIME,
    K_S5TIME,
    K_TOD,
    K_LTOD,
    K_DATE,
    K_DT,
    K_LDT,
    K_DTL,
    K_RAW,
} kind;

typedef struct tinfo {
    kind k;
    uint64_t umax;       /* K_UDEC, K_HEX */
    int64_t smin, smax;  /* K_SDEC */
    unsigned digits;     /* K_HEX: hex digits printed */
} tinfo;

static tinfo ti(kind k) { return (tinfo){k, 0, 0, 0, 0}; }
static tinfo tu(kind k, uint64_t max, unsigned digits) { return (tinfo){k, max, 0, 0, digits}; }
static tinfo ts(int64_t lo, int64_t hi) { return (tinfo){K_SDEC, 0, lo, hi, 0}; }

/* The same table as the library's conversion (softdatatype ids, not only the enum names). */
static tinfo describe(int t)
{
    switch (t) {
    case S7P_T_BOOL: case S7P_T_BBOOL: return ti(K_BOOL);
    case S7P_T_BYTE: return tu(K_HEX, UINT8_MAX, 2);
    case S7P_T_WORD: return tu(K_HEX, UINT16_MAX, 4);
    case S7P_T_DWORD: return tu(K_HEX, UINT32_MAX, 8);
    case S7P_T_LWORD: return tu(K_HEX, UINT64_MAX, 16);
    case S7P_T_USINT: return tu(K_UDEC, UINT8_MAX, 0);
    case S7P_T_UINT: case S7P_T_COUNTER: case S7P_T_TIMER: case S7P_T_BLOCK_FB:
    case S7P_T_BLOCK_FC:
        return tu(K_UDEC, UINT16_MAX, 0);
    case S7P_T_UDINT: return tu(K_UDEC, UINT32_MAX, 0);
    case S7P_T_ULINT: return tu(K_UDEC, UINT64_MAX, 0);
    case S7P_T_SINT: return ts(INT8_MIN, INT8_MAX);
    case S7P_T_INT: return ts(INT16_MIN, INT16_MAX);
    case S7P_T_DINT: return ts(INT32_MIN, INT32_MAX);
    case S7P_T_LINT: return ts(INT64_MIN, INT64_MAX);
    case S7P_T_REAL: return ti(K_REAL);
    case S7P_T_LREAL: return ti(K_LREAL);
    case S7P_T_CHAR: return ti(K_CHAR);
    case S7P_T_WCHAR: return ti(K_WCHAR);
    case S7P_T_STRING: return ti(K_STRING);
    case S7P_T_WSTRING: return ti(K_WSTRING);
    case S7P_T_TIME: return ti(K_TIME);
    case S7P_T_LTIME: return ti(K_LTIME);
    case S7P_T_S5TIME: return ti(K_S5TIME);
    case S7P_T_TIME_OF_DAY: return ti(K_TOD);
    case S7P_T_LTIME_OF_DAY: return ti(K_LTOD);
    case S7P_T_DATE: return ti(K_DATE);
    case S7P_T_DATE_AND_TIME: return ti(K_DT);
    case S7P_T_LDT: return ti(K_LDT);
    case S7P_T_DTL: return ti(K_DTL);
    case S7P_T_POINTER: case S7P_T_ANY: case S7P_T_REMOTE: return ti(K_RAW);
    /* AOM_Ident, Event_Any, Event_Att, AOM_AID, AOM_Link, Event_HwInt, Conn_R_ID */
    case 128: case 129: case 130: case 132: case 133: case 134: case 171:
        return tu(K_UDEC, UINT32_MAX, 0);
    /* HW_Any .. HW_IEPort, Conn_Any, Conn_Prg, Conn_Ouc, Port, RTM, PIP, DB_Any .. DB_Dyn */
    case 144: case 145: case 146: case 147: case 148: case 149: case 150: case 151: case 152:
    case 153: case 154: case 155: case 156: case 168: case 169: case 170: case 173: case 174:
    case 175: case 208: case 209: case 210:
        return tu(K_UDEC, UINT16_MAX, 0);
    /* OB numbers: 0..32767 */
    case 160: case 161: case 162: case 163: case 164: case 192: case 193: case 194: case 195:
    case 196: case 197:
        return tu(K_UDEC, INT16_MAX, 0);
    default: return ti(K_NONE);
    }
}

bool vt_type_supported(int type) { return describe(type).k != K_NONE; }

/* ---- calendar (proleptic Gregorian, days from 1970-01-01) -------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dim[m - 1] + (m == 2 && leap ? 1u : 0u);
}

#define DAYS_1990 INT64_C(7305)                 /* 1990-01-01 */
#define DAYS_2090 INT64_C(43830)                /* 2090-01-01, the end of Date_And_Time */
#define DATE_LAST (DAYS_1990 + 65535)           /* 2169-06-06 */

/* ---- printing ------------------------------------------------------------------------ */

/* Strict UTF-8: the code point at s (n bytes left) and its length; 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0) return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t min, c;
    if ((s[0] & 0xE0) == 0xC0) len = 2, min = 0x80, c = s[0] & 0x1Fu;
    else if ((s[0] & 0xF0) == 0xE0) len = 3, min = 0x800, c = s[0] & 0x0Fu;
    else if ((s[0] & 0xF8) == 0xF0) len = 4, min = 0x10000, c = s[0] & 0x07u;
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = c << 6 | (s[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

static void utf8_put(vt_buf *b, uint32_t cp)
{
    char o[4];
    size_t n;
    if (cp < 0x80) {
        o[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        o[0] = (char)(0xF0 | cp >> 18);
        o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    vt_put(b, o, n);
}

/* One character inside a quoted literal, with the TIA $-escapes. */
static void put_escaped(vt_buf *b, uint32_t cp)
{
    switch (cp) {
    case '\'': vt_puts(b, "$'"); return;
    case '$': vt_puts(b, "$$"); return;
    case '\n': vt_puts(b, "$N"); return;
    case '\r': vt_puts(b, "$R"); return;
    case '\t': vt_puts(b, "$T"); return;
    case '\f': vt_puts(b, "$P"); return;
    default: break;
    }
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) vt_printf(b, "$%02X", (unsigned)cp);
    else utf8_put(b, cp);
}

static void fmt_quoted(vt_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    vt_puts(b, "'");
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        if (k == 0) { /* not from the library; show the byte */
            vt_printf(b, "$%02X", p[i]);
            i++;
            continue;
        }
        put_escaped(b, cp);
        i += k;
    }
    vt_puts(b, "'");
}

static void fmt_real(vt_buf *b, double d, int prec)
{
    char t[64];
    snprintf(t, sizeof t, "%.*g", prec, d);
    if (!isfinite(d) || strpbrk(t, ".")) {
        vt_puts(b, t);
        return;
    }
    char *e = strpbrk(t, "eE");
    if (e) {
        vt_put(b, t, (size_t)(e - t));
        vt_puts(b, ".0");
        vt_puts(b, e);
    } else {
        vt_puts(b, t);
        vt_puts(b, ".0");
    }
}

static uint64_t magnitude(int64_t v) { return v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v; }

static void fmt_duration(vt_buf *b, const char *prefix, int64_t ns, const char *zero)
{
    static const struct { const char *u; uint64_t ns; } units[] = {
        {"D", (uint64_t)NS_DAY}, {"H", 3600 * (uint64_t)NS_S}, {"M", 60 * (uint64_t)NS_S},
        {"S", (uint64_t)NS_S},   {"MS", (uint64_t)NS_MS},      {"US", (uint64_t)NS_US},
        {"NS", 1},
    };
    uint64_t m = magnitude(ns);
    vt_puts(b, prefix);
    if (m == 0) {
        vt_puts(b, zero);
        return;
    }
    if (ns < 0) vt_puts(b, "-");
    bool first = true;
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        uint64_t q = m / units[k].ns;
        m %= units[k].ns;
        if (!q) continue;
        vt_printf(b, "%s%" PRIu64 "%s", first ? "" : "_", q, units[k].u);
        first = false;
    }
}

/* Splits ns since 1970 into a civil date and ns since midnight. */
static void split_time(int64_t ns, int64_t *y, unsigned *mo, unsigned *d, int64_t *tod)
{
    int64_t days = ns / NS_DAY, rem = ns % NS_DAY;
    if (rem < 0) {
        rem += NS_DAY;
        days--;
    }
    civil_from_days(days, y, mo, d);
    *tod = rem;
}

/* HH:MM:SS and `digits` (3 or 9) fraction digits. */
static void fmt_tod(vt_buf *b, int64_t tod, int digits)
{
    int64_t s = tod / NS_S, frac = tod % NS_S;
    vt_printf(b, "%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    if (digits == 3) vt_printf(b, ".%03d", (int)(frac / NS_MS));
    else vt_printf(b, ".%09d", (int)frac);
}

static void fmt_point(vt_buf *b, const char *prefix, int64_t ns, int digits, bool with_time)
{
    int64_t y, tod;
    unsigned mo, d;
    split_time(ns, &y, &mo, &d, &tod);
    vt_printf(b, "%s%04" PRId64 "-%02u-%02u", prefix, y, mo, d);
    if (!with_time) return;
    vt_puts(b, "-");
    fmt_tod(b, tod, digits);
}

static void fmt_raw(vt_buf *b, const uint8_t *p, size_t n)
{
    vt_puts(b, "16#");
    for (size_t i = 0; i < n; i++) vt_printf(b, "%02X", p[i]);
}

static void fmt_char(vt_buf *b, uint64_t code, bool wide)
{
    if (wide && code >= 0xD800 && code <= 0xDFFF) {
        vt_printf(b, "16#%04X", (unsigned)code);
        return;
    }
    vt_puts(b, "'");
    put_escaped(b, (uint32_t)code);
    vt_puts(b, "'");
}

static bool fmt_scalar(vt_buf *b, const tinfo *t, int type, const s7p_tag_value *v)
{
    switch (t->k) {
    case K_BOOL: vt_puts(b, v->v.b ? "true" : "false"); break;
    case K_UDEC: vt_printf(b, "%" PRIu64, v->v.u); break;
    case K_HEX: vt_printf(b, "16#%0*" PRIX64, (int)t->digits, v->v.u); break;
    case K_SDEC: vt_printf(b, "%" PRId64, v->v.i); break;
    case K_REAL: fmt_real(b, v->v.r, 9); break;
    case K_LREAL: fmt_real(b, v->v.lr, 17); break;
    case K_CHAR: fmt_char(b, v->v.u & 0xFF, false); break;
    case K_WCHAR: fmt_char(b, v->v.u & 0xFFFF, true); break;
    case K_STRING: case K_WSTRING: fmt_quoted(b, v->v.str.p ? v->v.str.p : "", v->v.str.len); break;
    case K_TIME: fmt_duration(b, "T#", v->v.i, "0MS"); break;
    case K_LTIME: fmt_duration(b, "LT#", v->v.i, "0NS"); break;
    case K_S5TIME: fmt_duration(b, "S5T#", v->v.i, "0MS"); break;
    case K_TOD: vt_puts(b, "TOD#"); fmt_tod(b, v->v.i, 3); break;
    case K_LTOD: vt_puts(b, "LTOD#"); fmt_tod(b, v->v.i, 9); break;
    case K_DATE: fmt_point(b, "D#", v->v.i, 0, false); break;
    case K_DT: fmt_point(b, "DT#", v->v.i, 3, true); break;
    case K_LDT: fmt_point(b, "LDT#", v->v.i, 9, true); break;
    case K_DTL: fmt_point(b, "DTL#", v->v.i, 9, true); break;
    case K_RAW: fmt_raw(b, v->v.raw.p, v->v.raw.p ? v->v.raw.len : 0); break;
    default:
        vt_printf(b, "<%s: no text form>", s7p_type_name(type));
        return false;
    }
    return true;
}

bool vt_format(const s7p_tag_value *v, vt_buf *out)
{
    tinfo t = describe((int)v->type);
    if (v->count == 0) return fmt_scalar(out, &t, (int)v->type, v) && !out->oom;
    bool ok = true;
    vt_puts(out, "[");
    for (uint32_t i = 0; i < v->count; i++) {
        if (i) vt_puts(out, ", ");
        if (!v->elems) {
            vt_puts(out, "?");
            ok = false;
            continue;
        }
        ok = fmt_scalar(out, &t, (int)v->type, &v->elems[i]) && ok;
    }
    vt_puts(out, "]");
    return ok && !out->oom;
}

char *vt_format_str(const s7p_tag_value *v)
{
    vt_buf b = {0};
    vt_format(v, &b);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    if (!b.p) return strdup("");
    return b.p;
}

void vt_type_text(vt_buf *out, int type, uint32_t count, uint16_t str_max, uint8_t ndims,
                  const int32_t *lower, const uint32_t *dim_count)
{
    if (count > 0) {
        vt_puts(out, "Array[");
        if (ndims == 0 || !lower || !dim_count) {
            vt_printf(out, "0..%" PRIu32, count - 1);
        } else {
            for (uint8_t d = 0; d < ndims; d++)
                vt_printf(out, "%s%" PRId32 "..%" PRId64, d ? ", " : "", lower[d],
                          (int64_t)lower[d] + (int64_t)dim_count[d] - 1);
        }
        vt_puts(out, "] of ");
    }
    vt_puts(out, s7p_type_name(type));
    if (type == S7P_T_STRING || type == S7P_T_WSTRING) vt_printf(out, "[%u]", (unsigned)str_max);
}

/* ---- JSON ------------------------------------------------------------------------------- */

static json_t *text_json(const tinfo *t, int type, const s7p_tag_value *v)
{
    vt_buf b = {0};
    fmt_scalar(&b, t, type, v);
    json_t *j = b.oom || !b.p ? NULL : json_string(b.p);
    free(b.p);
    return j;
}

static json_t *scalar_json(const tinfo *t, int type, const s7p_tag_value *v)
{
    switch (t->k) {
    case K_BOOL: return json_boolean(v->v.b);
    case K_UDEC: case K_HEX:
        if (v->v.u <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v->v.u);
        return text_json(t, type, v);
    case K_SDEC: return json_integer((json_int_t)v->v.i);
    case K_REAL:
        return isfinite(v->v.r) ? json_real(v->v.r) : text_json(t, type, v);
    case K_LREAL:
        return isfinite(v->v.lr) ? json_real(v->v.lr) : text_json(t, type, v);
    case K_CHAR: case K_WCHAR: {
        uint64_t code = v->v.u & (t->k == K_CHAR ? 0xFFu : 0xFFFFu);
        if (code >= 0xD800 && code <= 0xDFFF) return text_json(t, type, v);
        vt_buf b = {0};
        utf8_put(&b, (uint32_t)code);
        json_t *j = b.oom ? NULL : json_stringn(b.p, b.len);
        free(b.p);
        return j;
    }
    case K_STRING: case K_WSTRING:
        return json_stringn(v->v.str.p ? v->v.str.p : "", v->v.str.p ? v->v.str.len : 0);
    default: return text_json(t, type, v);
    }
}

char *vt_json(const s7p_tag_value *v)
{
    tinfo t = describe((int)v->type);
    json_t *j;
    if (v->count == 0) {
        j = scalar_json(&t, (int)v->type, v);
    } else {
        j = json_array();
        for (uint32_t i = 0; j && i < v->count; i++) {
            json_t *e = v->elems ? scalar_json(&t, (int)v->type, &v->elems[i]) : json_null();
            if (!e || json_array_append_new(j, e) != 0) {
                json_decref(j);
                j = NULL;
            }
        }
    }
    if (!j) return NULL;
    size_t flags = (size_t)(JSON_ENCODE_ANY | JSON_REAL_PRECISION(t.k == K_REAL ? 9 : 17));
    char *s = json_dumps(j, flags);
    json_decref(j);
    return s;
}

/* ---- parsing: helpers ------------------------------------------------------------------ */

typedef struct pcx {
    const s7p_tag *tag;
    tinfo t;
    const char *tname;       /* "Int", "String[20]" */
    char tname_buf[64];
    char ename[32];          /* the element type of an array: "USInt" */
    char *err;
    size_t err_len;
    char where[48];          /* "value 3 of 4: " for array elements */
} pcx;

static bool perr(pcx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool perr(pcx *c, const char *fmt, ...)
{
    if (!c->err || !c->err_len) return false;
    int n = snprintf(c->err, c->err_len, "%s", c->where);
    if (n < 0 || (size_t)n >= c->err_len) return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->err_len - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

/* A short quote of the input for messages. */
typedef struct quote {
    char s[64];
} quote;

static quote q(const char *s, size_t n)
{
    quote r;
    if (n > 40) snprintf(r.s, sizeof r.s, "%.40s...", s);
    else snprintf(r.s, sizeof r.s, "%.*s", (int)n, s);
    return r;
}

static char upc(char ch) { return ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch; }

/* Case-insensitive: s[0..n) == w. */
static bool word_is(const char *s, size_t n, const char *w)
{
    size_t k = 0;
    for (; k < n; k++)
        if (!w[k] || upc(s[k]) != upc(w[k])) return false;
    return w[k] == 0;
}

static bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) (*s)++, (*n)--;
    while (*n && is_space((*s)[*n - 1])) (*n)--;
}

/* A leading "NAME#" whose NAME is one of `names` (NULL-terminated): skips it, true. */
static bool strip_prefix(const char **s, size_t *n, const char *const *names)
{
    const char *hash = memchr(*s, '#', *n);
    if (!hash) return false;
    size_t pn = (size_t)(hash - *s);
    for (size_t k = 0; names[k]; k++) {
        if (word_is(*s, pn, names[k])) {
            *s = hash + 1;
            *n -= pn + 1;
            return true;
        }
    }
    return false;
}

/* "NAME#" where NAME is letters/underscores: a type prefix (as opposed to "16#"). */
static bool has_word_prefix(const char *s, size_t n, size_t *pn)
{
    const char *hash = memchr(s, '#', n);
    if (!hash || hash == s) return false;
    for (const char *p = s; p < hash; p++)
        if (!(isalpha((unsigned char)*p) || *p == '_' || (p > s && isdigit((unsigned char)*p))))
            return false;
    *pn = (size_t)(hash - s);
    return true;
}

static int digit_value(char ch)
{
    ch = upc(ch);
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Digits in `radix` with '_' between them. 0 ok, 1 malformed, 2 overflow. */
static int digits(const char *s, size_t n, unsigned radix, uint64_t *out)
{
    uint64_t v = 0;
    bool any = false, over = false;
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '_' && any && k + 1 < n) continue;
        int d = digit_value(s[k]);
        if (d < 0 || (unsigned)d >= radix) return 1;
        if (v > (UINT64_MAX - (unsigned)d) / radix) over = true;
        else v = v * radix + (unsigned)d;
        any = true;
    }
    *out = v;
    return !any ? 1 : over ? 2 : 0;
}

/* [+|-][radix#]digits -> sign and magnitude. 0 ok, 1 malformed, 2 overflow. */
static int integer_text(const char *s, size_t n, bool *neg, uint64_t *mag)
{
    *neg = false;
    if (n && (s[0] == '+' || s[0] == '-')) {
        *neg = s[0] == '-';
        s++;
        n--;
    }
    const char *hash = memchr(s, '#', n);
    unsigned radix = 10;
    if (hash) {
        size_t rn = (size_t)(hash - s);
        if (rn == 2 && s[0] == '1' && s[1] == '6') radix = 16;
        else if (rn == 1 && s[0] == '8') radix = 8;
        else if (rn == 1 && s[0] == '2') radix = 2;
        else return 1;
        n -= rn + 1;
        s = hash + 1;
    }
    return digits(s, n, radix, mag);
}

/* ---- parsing: numbers ------------------------------------------------------------------ */

static bool parse_bool(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    static const char *const pre[] = {"BOOL", NULL};
    strip_prefix(&s, &n, pre);
    if (word_is(s, n, "true") || word_is(s, n, "1")) o->v.b = true;
    else if (word_is(s, n, "false") || word_is(s, n, "0")) o->v.b = false;
    else return perr(c, "'%s' is not a Bool (true, false, 1 or 0)", q(s, n).s);
    return true;
}

/* The accepted typed prefixes of an integer type: its own name, and B/W/DW/LW. */
static bool int_prefix_ok(pcx *c, const char *s, size_t pn)
{
    int type = (int)c->tag->type;
    if (word_is(s, pn, s7p_type_name(type))) return true;
    return (type == S7P_T_BYTE && word_is(s, pn, "B")) ||
           (type == S7P_T_WORD && word_is(s, pn, "W")) ||
           (type == S7P_T_DWORD && word_is(s, pn, "DW")) ||
           (type == S7P_T_LWORD && word_is(s, pn, "LW"));
}

static bool range_text(pcx *c, char *buf, size_t len)
{
    if (c->t.k == K_SDEC)
        snprintf(buf, len, "%" PRId64 "..%" PRId64, c->t.smin, c->t.smax);
    else if (c->t.k == K_HEX)
        snprintf(buf, len, "16#%0*d..16#%" PRIX64, (int)c->t.digits, 0, c->t.umax);
    else
        snprintf(buf, len, "0..%" PRIu64, c->t.umax);
    return true;
}

static bool parse_int(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    const char *all = s;
    size_t alln = n, pn;
    if (has_word_prefix(s, n, &pn)) {
        if (!int_prefix_ok(c, s, pn))
            return perr(c, "'%s#' does not fit %s", q(s, pn).s, c->tname);
        s += pn + 1;
        n -= pn + 1;
    }
    bool neg;
    uint64_t mag;
    char range[80];
    range_text(c, range, sizeof range);
    int r = integer_text(s, n, &neg, &mag);
    if (r == 1)
        return perr(c, "'%s' is not an integer (%s takes e.g. 42, -5, 16#FF, 2#1010, 8#17)",
                    q(all, alln).s, c->tname);
    if (r == 2) return perr(c, "%s is out of range for %s (%s)", q(all, alln).s, c->tname, range);
    if (c->t.k == K_SDEC) {
        bool ok = neg ? mag <= magnitude(c->t.smin) : mag <= (uint64_t)c->t.smax;
        if (!ok) return perr(c, "%s is out of range for %s (%s)", q(all, alln).s, c->tname, range);
        o->v.i = neg ? (mag == 0 ? 0 : -(int64_t)(mag - 1) - 1) : (int64_t)mag;
        return true;
    }
    if ((neg && mag != 0) || mag > c->t.umax)
        return perr(c, "%s is out of range for %s (%s)", q(all, alln).s, c->tname, range);
    o->v.u = mag;
    return true;
}

static bool parse_real(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    static const char *const pre[] = {"REAL", "LREAL", NULL};
    const char *all = s;
    size_t alln = n;
    strip_prefix(&s, &n, pre);
    char buf[128];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_') continue;
        if (k + 1 >= sizeof buf) return perr(c, "'%s' is too long for a number", q(all, alln).s);
        buf[k++] = s[i];
    }
    buf[k] = 0;
    char *end;
    errno = 0;
    double d = k ? strtod(buf, &end) : 0;
    if (!k || *end || is_space(buf[0]))
        return perr(c, "'%s' is not a number (%s takes e.g. 1.5, -2, 1.0e-3)", q(all, alln).s,
                    c->tname);
    if (isnan(d)) return perr(c, "NaN cannot be written to %s", c->tname);
    bool infword = false;
    for (size_t i = 0; i < k; i++)
        if (upc(buf[i]) == 'I') infword = true;
    if (infword) return perr(c, "infinity cannot be written to %s", c->tname);
    if (c->t.k == K_REAL) {
        float f = (float)d;
        if (isinf(d) || isinf(f))
            return perr(c, "%s is out of range for Real (about +-3.4028235e+38)", q(all, alln).s);
        o->v.r = f;
    } else {
        if (isinf(d))
            return perr(c, "%s is out of range for LReal (about +-1.7976931348623157e+308)",
                        q(all, alln).s);
        o->v.lr = d;
    }
    return true;
}

/* ---- parsing: text --------------------------------------------------------------------- */

/* Unescapes a quoted literal s[0..n) (both quotes included) into b as UTF-8. */
static bool unquote(pcx *c, const char *s, size_t n, vt_buf *b)
{
    if (n < 2 || s[n - 1] != '\'')
        return perr(c, "unterminated string %s (missing the closing ')", q(s, n).s);
    for (size_t i = 1; i + 1 < n; i++) {
        char ch = s[i];
        if (ch == '\'')
            return perr(c, "a ' inside a quoted string must be written $' (in %s)", q(s, n).s);
        if (ch != '$') {
            vt_put(b, &ch, 1);
            continue;
        }
        if (i + 2 >= n) return perr(c, "a $ at the end of a string (write $$ for a dollar sign)");
        char e = s[++i];
        switch (upc(e)) {
        case '$': case '\'': case '"': vt_put(b, &e, 1); continue;
        case 'L': case 'N': vt_puts(b, "\n"); continue;
        case 'P': vt_puts(b, "\f"); continue;
        case 'R': vt_puts(b, "\r"); continue;
        case 'T': vt_puts(b, "\t"); continue;
        default: break;
        }
        if (i + 2 < n && digit_value(e) >= 0 && digit_value(s[i + 1]) >= 0) {
            utf8_put(b, (uint32_t)(digit_value(e) * 16 + digit_value(s[i + 1])));
            i++;
            continue;
        }
        return perr(c, "invalid escape '$%c' (escapes: $$ $' $L $N $P $R $T $hh)", e);
    }
    if (b->oom) return perr(c, "out of memory");
    return true;
}

/* The text of a String/WString/Char/WChar value as UTF-8 in b: quoted (with an optional
 * STRING#/WSTRING#/CHAR#/WCHAR# prefix) or bare. */
static bool text_value(pcx *c, const char *s, size_t n, vt_buf *b, bool *quoted)
{
    static const char *const pre[] = {"STRING", "WSTRING", "CHAR", "WCHAR", NULL};
    const char *ts = s;
    size_t tn = n;
    trim(&ts, &tn);
    bool pfx = strip_prefix(&ts, &tn, pre);
    *quoted = tn >= 1 && ts[0] == '\'' && (tn >= 2 || pfx);
    if (pfx && !*quoted) return perr(c, "a quoted text must follow the prefix in %s", q(s, n).s);
    if (*quoted) return unquote(c, ts, tn, b);
    vt_put(b, s, n);
    if (b->oom) return perr(c, "out of memory");
    return true;
}

/* Checks UTF-8 and counts code points, UTF-16 units and the first code point above max. */
static bool scan_text(pcx *c, const char *s, size_t n, size_t *chars, size_t *units,
                      uint32_t latin_max, uint32_t *wide)
{
    *chars = *units = 0;
    *wide = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (!k) return perr(c, "the text is not valid UTF-8 (byte %zu)", i);
        if (cp > latin_max && !*wide) *wide = cp;
        (*chars)++;
        *units += cp > 0xFFFF ? 2 : 1;
        i += k;
    }
    return true;
}

static bool parse_string(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    vt_buf b = {0};
    bool quoted;
    if (!text_value(c, s, n, &b, &quoted)) {
        free(b.p);
        return false;
    }
    size_t chars, units;
    uint32_t wide;
    bool wstr = c->t.k == K_WSTRING;
    if (!scan_text(c, b.p ? b.p : "", b.len, &chars, &units, 0xFF, &wide)) {
        free(b.p);
        return false;
    }
    unsigned max = c->tag->str_max;
    if (!wstr && wide) {
        free(b.p);
        return perr(c, "U+%04" PRIX32 " is not in ISO-8859-1 (String holds Latin-1 only; "
                    "use a WString)", wide);
    }
    if ((wstr ? units : chars) > max) {
        free(b.p);
        return perr(c, "%zu %s exceed %s", wstr ? units : chars,
                    wstr ? "UTF-16 units" : "characters", c->tname);
    }
    if (!b.p) b.p = strdup("");
    if (!b.p) return perr(c, "out of memory");
    o->v.str.p = b.p;
    o->v.str.len = b.len;
    return true;
}

static bool parse_char(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    bool wide = c->t.k == K_WCHAR;
    uint64_t limit = wide ? 0xFFFF : 0xFF;
    const char *ts = s;
    size_t tn = n, pn;
    trim(&ts, &tn);
    const char *body = ts;
    size_t bn = tn;
    bool pfx = has_word_prefix(ts, tn, &pn) && (word_is(ts, pn, "CHAR") || word_is(ts, pn, "WCHAR"));
    if (pfx) {
        body = ts + pn + 1;
        bn = tn - pn - 1;
    }
    /* A code: 16#41, CHAR#16#41 */
    if (bn > 1 && body[0] != '\'' && memchr(body, '#', bn)) {
        bool neg;
        uint64_t code;
        if (integer_text(body, bn, &neg, &code) != 0 || neg)
            return perr(c, "'%s' is not a character code (e.g. 16#41)", q(ts, tn).s);
        if (code > limit)
            return perr(c, "code %s is out of range for %s (16#00..16#%s)", q(ts, tn).s,
                        c->tname, wide ? "FFFF" : "FF");
        o->v.u = code;
        return true;
    }
    /* Quoted (one character after escapes), or bare as given (not trimmed: ' ' is a space). */
    bool quoted_form = pfx || (tn >= 2 && ts[0] == '\'');
    vt_buf b = {0};
    bool quoted;
    bool ok = text_value(c, quoted_form ? ts : s, quoted_form ? tn : n, &b, &quoted);
    size_t chars = 0, units;
    uint32_t cp = 0, over;
    if (ok) ok = scan_text(c, b.p ? b.p : "", b.len, &chars, &units, (uint32_t)limit, &over);
    if (ok && chars != 1) ok = perr(c, "%s takes one character, %zu given", c->tname, chars);
    if (ok) utf8_decode((const unsigned char *)b.p, b.len, &cp);
    free(b.p);
    if (!ok) return false;
    if (cp > limit)
        return wide ? perr(c, "U+%04" PRIX32 " does not fit one UTF-16 unit (WChar)", cp)
                    : perr(c, "U+%04" PRIX32 " is not in ISO-8859-1 (Char; use a WChar)", cp);
    o->v.u = cp;
    return true;
}

static bool parse_raw(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    const char *all = s;
    size_t alln = n;
    if (n >= 3 && s[0] == '1' && s[1] == '6' && s[2] == '#') s += 3, n -= 3;
    uint8_t *p = malloc(n / 2 + 1);
    if (!p) return perr(c, "out of memory");
    size_t len = 0;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_' || s[i] == ' ' || s[i] == ':') continue;
        int d = digit_value(s[i]);
        if (d < 0) {
            free(p);
            return perr(c, "'%s' is not hex bytes (%s takes e.g. 16#1002_0001_0000_8400_0000)",
                        q(all, alln).s, c->tname);
        }
        if (hi < 0) hi = d;
        else p[len++] = (uint8_t)(hi << 4 | d), hi = -1;
    }
    if (hi >= 0 || len == 0) {
        free(p);
        return perr(c, "%s needs whole bytes: an even number of hex digits, at least two",
                    c->tname);
    }
    o->v.raw.p = p;
    o->v.raw.len = len;
    return true;
}

/* ---- parsing: durations ---------------------------------------------------------------- */

static const char *const dur_prefixes[] = {"T", "TIME", "LT", "LTIME", "S5T", "S5TIME", NULL};

/* [+|-] {<digits>[.<digits>]<unit>[_]}, units largest first. */
static bool duration_body(pcx *c, const char *s, size_t n, const char *all, size_t alln,
                          bool *neg, uint64_t *total)
{
    static const struct { const char *u; uint64_t ns; } units[] = {
        {"D", (uint64_t)NS_DAY}, {"H", 3600 * (uint64_t)NS_S}, {"M", 60 * (uint64_t)NS_S},
        {"S", (uint64_t)NS_S},   {"MS", (uint64_t)NS_MS},      {"US", (uint64_t)NS_US},
        {"NS", 1},
    };
    const size_t nunits = sizeof units / sizeof units[0];
    size_t i = 0, next = 0;
    *neg = false;
    *total = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) *neg = s[i++] == '-';
    bool any = false;
    while (i < n) {
        if (s[i] == '_' && any) {
            i++;
            continue;
        }
        uint64_t v = 0, frac = 0, scale = 1;
        size_t d0 = i;
        bool over = false;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (v > (UINT64_MAX - 9) / 10) over = true;
            else v = v * 10 + (uint64_t)(s[i] - '0');
            i++;
        }
        if (i == d0) break;
        if (i < n && s[i] == '.') {
            size_t f0 = ++i;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (scale >= (uint64_t)NS_S) return perr(c, "%s: more than 9 decimals", q(all, alln).s);
                frac = frac * 10 + (uint64_t)(s[i++] - '0');
                scale *= 10;
            }
            if (i == f0) break;
        }
        size_t u0 = i;
        while (i < n && isalpha((unsigned char)s[i])) i++;
        size_t k = 0;
        while (k < nunits && !word_is(s + u0, i - u0, units[k].u)) k++;
        if (k == nunits) {
            if (i == u0) return perr(c, "%s: a unit must follow %.*s (D, H, M, S, MS, US, NS)",
                                     q(all, alln).s, (int)(u0 - d0), s + d0);
            return perr(c, "%s: unknown unit '%.*s' (D, H, M, S, MS, US, NS)", q(all, alln).s,
                        (int)(i - u0), s + u0);
        }
        if (k < next)
            return perr(c, "%s: units must go from largest to smallest (D H M S MS US NS)",
                        q(all, alln).s);
        next = k + 1;
        uint64_t u = units[k].ns;
        if (over || v > (UINT64_MAX - *total) / u) goto range;
        *total += v * u;
        if (frac) {
            if ((frac * (u % scale)) % scale)
                return perr(c, "%s is finer than 1 ns", q(all, alln).s);
            uint64_t add = frac * (u / scale) + frac * (u % scale) / scale;
            if (add > UINT64_MAX - *total) goto range;
            *total += add;
        }
        any = true;
    }
    if (!any || i != n)
        return perr(c, "'%s' is not a duration (%s takes e.g. %s)", q(all, alln).s, c->tname,
                    c->t.k == K_LTIME ? "LT#1S_500MS, LT#-20NS, 1500000000"
                    : c->t.k == K_S5TIME ? "S5T#1M_30S, S5T#10MS, 90000" : "T#1D_2H, T#-1.5S, 1500");
    return true;
range:
    *total = UINT64_MAX;
    return true;
}

static bool parse_duration(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    const char *all = s;
    size_t alln = n;
    bool neg;
    uint64_t mag;
    if (strip_prefix(&s, &n, dur_prefixes)) {
        if (!duration_body(c, s, n, all, alln, &neg, &mag)) return false;
    } else {
        int r = memchr(s, '#', n) ? 1 : integer_text(s, n, &neg, &mag);
        if (r == 1) { /* units without a prefix ("1.5s"), or an error message */
            if (!duration_body(c, s, n, all, alln, &neg, &mag)) return false;
        } else {
            uint64_t unit = c->t.k == K_LTIME ? 1 : (uint64_t)NS_MS;
            mag = r == 2 || mag > UINT64_MAX / unit ? UINT64_MAX : mag * unit;
        }
    }
    static const char time_range[] = "T#-24D_20H_31M_23S_648MS..T#24D_20H_31M_23S_647MS";
    switch (c->t.k) {
    case K_TIME: {
        uint64_t lim = (neg ? (uint64_t)1 << 31 : (uint64_t)INT32_MAX) * (uint64_t)NS_MS;
        if (mag > lim) return perr(c, "%s is out of range for Time (%s)", q(all, alln).s, time_range);
        if (mag % (uint64_t)NS_MS)
            return perr(c, "%s is not a whole number of milliseconds (Time counts ms)", q(all, alln).s);
        break;
    }
    case K_S5TIME: {
        if (neg && mag) return perr(c, "%s: S5Time cannot be negative", q(all, alln).s);
        if (mag > 9990 * (uint64_t)NS_S)
            return perr(c, "%s is out of range for S5Time (S5T#0MS..S5T#2H_46M_30S)", q(all, alln).s);
        static const uint64_t base[4] = {10 * (uint64_t)NS_MS, 100 * (uint64_t)NS_MS,
                                         (uint64_t)NS_S, 10 * (uint64_t)NS_S};
        bool fits = false;
        for (int b = 0; b < 4 && !fits; b++) fits = mag % base[b] == 0 && mag / base[b] <= 999;
        if (!fits)
            return perr(c, "%s cannot be an S5Time: it needs 3 digits of one time base "
                        "(10 ms up to 9.99 s, 100 ms up to 99.9 s, 1 s up to 999 s, 10 s)",
                        q(all, alln).s);
        break;
    }
    default: /* LTime */
        if (mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
            return perr(c, "%s is out of range for LTime (LT#-106751D_23H_47M_16S_854MS_775US_808NS"
                        "..LT#106751D_23H_47M_16S_854MS_775US_807NS)", q(all, alln).s);
        break;
    }
    o->v.i = neg ? (mag == 0 ? 0 : -(int64_t)(mag - 1) - 1) : (int64_t)mag;
    return true;
}

/* ---- parsing: dates and times of day ----------------------------------------------------- */

static bool read_digits(const char *s, size_t n, size_t *i, unsigned min, unsigned max,
                        uint32_t *out)
{
    uint32_t v = 0;
    unsigned d = 0;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9' && d < max) {
        v = v * 10 + (uint32_t)(s[(*i)++] - '0');
        d++;
    }
    *out = v;
    return d >= min && !(*i < n && s[*i] >= '0' && s[*i] <= '9');
}

/* HH:MM[:SS[.fraction]] -> ns since midnight; *digits = fraction digits given. */
static bool tod_text(const char *s, size_t n, size_t *i, int64_t *ns, bool *bad_range)
{
    uint32_t h, m, sec = 0, frac = 0;
    *bad_range = false;
    if (!read_digits(s, n, i, 1, 2, &h) || *i >= n || s[(*i)++] != ':') return false;
    if (!read_digits(s, n, i, 2, 2, &m)) return false;
    if (*i < n && s[*i] == ':') {
        (*i)++;
        if (!read_digits(s, n, i, 2, 2, &sec)) return false;
        if (*i < n && (s[*i] == '.' || s[*i] == ',')) {
            (*i)++;
            size_t f0 = *i;
            if (!read_digits(s, n, i, 1, 9, &frac)) return false;
            for (size_t k = *i - f0; k < 9; k++) frac *= 10;
        }
    }
    if (h > 23 || m > 59 || sec > 59) {
        *bad_range = true;
        return false;
    }
    *ns = ((int64_t)h * 3600 + (int64_t)m * 60 + sec) * NS_S + frac;
    return true;
}

static bool date_text(const char *s, size_t n, size_t *i, int64_t *days, bool *bad_range)
{
    uint32_t y, m, d;
    *bad_range = false;
    if (!read_digits(s, n, i, 4, 4, &y) || *i >= n || s[(*i)++] != '-') return false;
    if (!read_digits(s, n, i, 1, 2, &m) || *i >= n || s[(*i)++] != '-') return false;
    if (!read_digits(s, n, i, 1, 2, &d)) return false;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
        *bad_range = true;
        return false;
    }
    *days = days_from_civil(y, m, d);
    return true;
}

static bool parse_tod(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    static const char *const pre[] = {"TOD", "TIME_OF_DAY", "LTOD", "LTIME_OF_DAY", NULL};
    const char *all = s;
    size_t alln = n, i = 0;
    bool bad;
    int64_t ns;
    strip_prefix(&s, &n, pre);
    bool ltod = c->t.k == K_LTOD;
    if (!tod_text(s, n, &i, &ns, &bad) || i != n)
        return bad ? perr(c, "%s is not a time of day (hours 0..23, minutes and seconds 0..59)",
                          q(all, alln).s)
                   : perr(c, "'%s' is not a time of day (%s takes e.g. %s)", q(all, alln).s,
                          c->tname, ltod ? "LTOD#12:30:00.000000001" : "TOD#12:30:00.500");
    if (!ltod && ns % NS_MS)
        return perr(c, "%s is finer than 1 ms (Time_Of_Day counts ms; use an LTOD)", q(all, alln).s);
    o->v.i = ns;
    return true;
}

static bool parse_point(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    static const char *const dpre[] = {"D", "DATE", NULL};
    static const char *const tpre[] = {"DT", "DATE_AND_TIME", "LDT", "DATE_AND_LTIME", "DTL", NULL};
    const char *all = s;
    size_t alln = n, i = 0;
    bool is_date = c->t.k == K_DATE, bad;
    strip_prefix(&s, &n, is_date ? dpre : tpre);
    const char *example = is_date ? "D#2024-01-31"
                          : c->t.k == K_DT ? "DT#2024-01-31-12:00:00.500, 2024-01-31T12:00:00.5"
                          : c->t.k == K_LDT ? "LDT#2024-01-31-12:00:00.123456789, 2024-01-31T12:00"
                                            : "DTL#2024-01-31-12:00:00.123456789, 2024-01-31T12:00";
    int64_t days, tod = 0;
    if (!date_text(s, n, &i, &days, &bad))
        return bad ? perr(c, "%s is not a valid date", q(all, alln).s)
                   : perr(c, "'%s' is not a %s (e.g. %s)", q(all, alln).s, c->tname, example);
    if (i < n && !is_date) {
        if (s[i] != '-' && s[i] != 'T' && s[i] != 't' && s[i] != ' ')
            return perr(c, "'%s' is not a %s (e.g. %s)", q(all, alln).s, c->tname, example);
        i++;
        if (!tod_text(s, n, &i, &tod, &bad))
            return bad ? perr(c, "%s: not a valid time (hours 0..23, minutes and seconds 0..59)",
                              q(all, alln).s)
                       : perr(c, "'%s' is not a %s (e.g. %s)", q(all, alln).s, c->tname, example);
        if (i < n && (s[i] == 'Z' || s[i] == 'z' || s[i] == '+' || s[i] == '-'))
            return perr(c, "%s: time zones are not supported (the PLC's clock has none)",
                        q(all, alln).s);
    }
    if (i != n) return perr(c, "'%s' is not a %s (e.g. %s)", q(all, alln).s, c->tname, example);
    switch (c->t.k) {
    case K_DATE:
        if (days < DAYS_1990 || days > DATE_LAST)
            return perr(c, "%s is out of range for Date (D#1990-01-01..D#2169-06-06)", q(all, alln).s);
        break;
    case K_DT:
        if (days < DAYS_1990 || days >= DAYS_2090)
            return perr(c, "%s is out of range for Date_And_Time (DT#1990-01-01-00:00:00.000.."
                        "DT#2089-12-31-23:59:59.999)", q(all, alln).s);
        if (tod % NS_MS)
            return perr(c, "%s is finer than 1 ms (Date_And_Time counts ms; use an LDT or DTL)",
                        q(all, alln).s);
        break;
    default: /* LDT, DTL: ns since 1970 in an int64 */
        if (days < 0 || days > (INT64_MAX - tod) / NS_DAY)
            return perr(c, "%s is out of range for %s (1970-01-01-00:00:00.000000000.."
                        "2262-04-11-23:47:16.854775807)", q(all, alln).s, c->tname);
        break;
    }
    o->v.i = days * NS_DAY + tod;
    return true;
}

/* ---- parsing: values and arrays ---------------------------------------------------------- */

static bool parse_scalar(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    memset(o, 0, sizeof *o);
    o->type = c->tag->type;
    const char *ts = s;
    size_t tn = n;
    trim(&ts, &tn);
    bool text_kind = c->t.k == K_STRING || c->t.k == K_WSTRING || c->t.k == K_CHAR ||
                     c->t.k == K_WCHAR;
    if (tn == 0 && !text_kind) return perr(c, "no value given for %s", c->tname);
    switch (c->t.k) {
    case K_BOOL: return parse_bool(c, ts, tn, o);
    case K_UDEC: case K_HEX: case K_SDEC: return parse_int(c, ts, tn, o);
    case K_REAL: case K_LREAL: return parse_real(c, ts, tn, o);
    case K_CHAR: case K_WCHAR: return parse_char(c, s, n, o);
    case K_STRING: case K_WSTRING: return parse_string(c, s, n, o);
    case K_TIME: case K_LTIME: case K_S5TIME: return parse_duration(c, ts, tn, o);
    case K_TOD: case K_LTOD: return parse_tod(c, ts, tn, o);
    case K_DATE: case K_DT: case K_LDT: case K_DTL: return parse_point(c, ts, tn, o);
    case K_RAW: return parse_raw(c, ts, tn, o);
    default: return perr(c, "values of type %s cannot be written", c->tname);
    }
}

static void free_one(s7p_tag_value *v)
{
    switch (describe((int)v->type).k) {
    case K_STRING: case K_WSTRING: free(v->v.str.p); break;
    case K_RAW: free(v->v.raw.p); break;
    default: break;
    }
}

void vt_value_free(s7p_tag_value *v)
{
    if (!v) return;
    if (v->count) {
        for (uint32_t i = 0; v->elems && i < v->count; i++) free_one(&v->elems[i]);
        free(v->elems);
    } else {
        free_one(v);
    }
    memset(v, 0, sizeof *v);
}

/* Next top-level element of an array body: up to a ',' outside quotes and parentheses. */
static size_t element_end(const char *s, size_t n)
{
    bool quoted = false;
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (quoted) {
            if (ch == '$' && i + 1 < n) i++;
            else if (ch == '\'') quoted = false;
        } else if (ch == '\'') {
            quoted = true;
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')') {
            depth--;
        } else if (ch == ',' && depth <= 0) {
            return i;
        }
    }
    return n;
}

/* "n(value)" / "n()": the repetition count and the inner text. */
static bool repetition(const char *s, size_t n, uint64_t *count, const char **in, size_t *inn)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == 0 || i >= n || s[i] != '(' || s[n - 1] != ')') return false;
    if (digits(s, i, 10, count) != 0) *count = UINT64_MAX;
    *in = s + i + 1;
    *inn = n - i - 2;
    trim(in, inn);
    return true;
}

/* A deep copy of a parsed element (strings and bytes duplicated). */
static bool copy_elem(const tinfo *t, s7p_tag_value *dst, const s7p_tag_value *src)
{
    *dst = *src;
    if (t->k == K_STRING || t->k == K_WSTRING) {
        dst->v.str.p = malloc(src->v.str.len + 1);
        if (!dst->v.str.p) return false;
        memcpy(dst->v.str.p, src->v.str.p, src->v.str.len + 1);
    } else if (t->k == K_RAW) {
        dst->v.raw.p = malloc(src->v.raw.len);
        if (!dst->v.raw.p) return false;
        memcpy(dst->v.raw.p, src->v.raw.p, src->v.raw.len);
    }
    return true;
}

/* The zero value of the type, for "n()". */
static bool zero_elem(pcx *c, s7p_tag_value *o)
{
    memset(o, 0, sizeof *o);
    o->type = c->tag->type;
    if (c->t.k == K_RAW) return perr(c, "%s has no zero value: give the bytes", c->tname);
    if (c->t.k == K_STRING || c->t.k == K_WSTRING) {
        o->v.str.p = calloc(1, 1);
        if (!o->v.str.p) return perr(c, "out of memory");
    }
    return true;
}

static bool parse_array(pcx *c, const char *s, size_t n, s7p_tag_value *o)
{
    uint32_t want = c->tag->count;
    const char *ts = s;
    size_t tn = n;
    trim(&ts, &tn);
    if (tn < 2 || ts[0] != '[' || ts[tn - 1] != ']')
        return perr(c, "%s needs a list [v1, v2, ...] of %" PRIu32 " values", c->tname, want);
    o->type = c->tag->type;
    o->count = want;
    o->elems = calloc(want, sizeof *o->elems);
    if (!o->elems) return perr(c, "out of memory");
    for (uint32_t k = 0; k < want; k++) o->elems[k].type = c->tag->type;
    const char *body = ts + 1;
    size_t bn = tn - 2, pos = 0;
    uint64_t got = 0;  /* values given (counted on past `want` for the message) */
    trim(&body, &bn);
    while (bn > 0) {
        size_t e = element_end(body + pos, bn - pos);
        const char *el = body + pos, *in = el;
        size_t en = e, inn;
        trim(&el, &en);
        in = el;
        inn = en;
        uint64_t reps = 1;
        bool rep = repetition(el, en, &reps, &in, &inn);
        if (rep && reps == 0)
            return perr(c, "a repetition count must be at least 1 ('%s')", q(el, en).s);
        if (got < want && reps <= want - got) {
            snprintf(c->where, sizeof c->where, "value %" PRIu64 " of %" PRIu32 ": ", got + 1, want);
            s7p_tag_value *first = &o->elems[got];
            const char *array_name = c->tname;
            c->tname = c->ename;
            bool ok = rep && inn == 0 ? zero_elem(c, first) : parse_scalar(c, in, inn, first);
            c->tname = array_name;
            if (!ok) return false;
            for (uint64_t r = 1; r < reps; r++)
                if (!copy_elem(&c->t, &o->elems[got + r], first)) return perr(c, "out of memory");
            c->where[0] = 0;
        }
        got = reps > UINT64_MAX - got ? UINT64_MAX : got + reps;
        if (pos + e >= bn) break;
        pos += e + 1;
    }
    if (got != want)
        return perr(c, "%s needs %" PRIu32 " values, %" PRIu64 " given", c->tname, want, got);
    for (uint32_t k = 1; c->t.k == K_RAW && k < want; k++)
        if (o->elems[k].v.raw.len != o->elems[0].v.raw.len)
            return perr(c, "value %" PRIu32 " has %zu bytes, value 1 has %zu: all elements need "
                        "the same length", k + 1, o->elems[k].v.raw.len, o->elems[0].v.raw.len);
    return true;
}

bool vt_parse(const s7p_tag *tag, const char *text, s7p_tag_value *out, char *err, size_t err_len)
{
    pcx c;
    memset(&c, 0, sizeof c);
    c.tag = tag;
    c.t = describe((int)tag->type);
    c.err = err;
    c.err_len = err_len;
    if (err && err_len) err[0] = 0;
    char *elem = c.ename;
    if (tag->type == S7P_T_STRING || tag->type == S7P_T_WSTRING)
        snprintf(elem, sizeof c.ename, "%s[%u]", s7p_type_name((int)tag->type), (unsigned)tag->str_max);
    else
        snprintf(elem, sizeof c.ename, "%s", s7p_type_name((int)tag->type));
    if (tag->count)
        snprintf(c.tname_buf, sizeof c.tname_buf, "Array of %" PRIu32 " %s", tag->count, elem);
    else
        snprintf(c.tname_buf, sizeof c.tname_buf, "%s", elem);
    c.tname = c.tname_buf;
    memset(out, 0, sizeof *out);
    bool ok;
    if (c.t.k == K_NONE) {
        ok = perr(&c, "values of type %s cannot be written", c.tname);
    } else if (tag->count) {
        ok = parse_array(&c, text, strlen(text), out);
    } else {
        ok = parse_scalar(&c, text, strlen(text), out);
    }
    if (!ok) vt_value_free(out);
    return ok;
}

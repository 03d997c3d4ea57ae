/* SPDX-License-Identifier: MIT */
/* Tag values: PValue <-> s7p_tag_value, one rule per Siemens type (spec §9). Simple types
 * map one wire element to one value element; "block" types (DT, String, WString, Pointer/
 * Any/Remote, DTL) are byte or unit images, and an array of them is one flat wire array. */
#include "values/convert.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

typedef enum kind {
    K_NONE,
    K_BOOL,
    K_UINT,     /* unsigned integer, bit string, id: `u`, range from the wire type */
    K_SINT,     /* signed integer: `i`, range from the wire type */
    K_OB,       /* OB number: Int on the wire, `u` 0..32767 */
    K_REAL,
    K_LREAL,
    K_DATE,     /* UInt days since 1990-01-01 */
    K_TOD,      /* UDInt ms since midnight */
    K_TIME,     /* DInt ms */
    K_S5TIME,   /* Word: time base + 3 BCD digits */
    K_LTIME,    /* Timespan ns */
    K_LTOD,     /* ULInt ns since midnight */
    K_LDT,      /* Timestamp ns since 1970 */
    /* Block kinds: one value element is several wire elements. */
    K_DT,       /* USInt array, 8 BCD bytes per element */
    K_STRING,   /* USInt array, [max, act, chars x max] per element */
    K_WSTRING,  /* UInt array, [max, act, units x max] per element */
    K_RAW,      /* USInt array, raw bytes */
    K_DTL,      /* packed Struct 0x02000043, 12 bytes per element */
} kind;

typedef struct desc {
    kind k;
    uint8_t wire;
} desc;

static desc mk(kind k, uint8_t wire)
{
    desc d = {k, wire};
    return d;
}

/* The §9 table, indexed by the softdatatype id (any id, not only the enum's names); an id
 * without a rule is {K_NONE, Null}. A table rather than a switch: every tag of a batch is
 * looked up twice (the planner's check, the conversion). */
#define D(k, wire) {(k), (wire)}
static const desc TYPES[256] = {
    [S7P_T_BOOL] = D(K_BOOL, S7P_DT_BOOL), [S7P_T_BBOOL] = D(K_BOOL, S7P_DT_BOOL),
    [S7P_T_BYTE] = D(K_UINT, S7P_DT_BYTE),
    [S7P_T_CHAR] = D(K_UINT, S7P_DT_USINT), [S7P_T_USINT] = D(K_UINT, S7P_DT_USINT),
    [S7P_T_WORD] = D(K_UINT, S7P_DT_WORD),
    [S7P_T_INT] = D(K_SINT, S7P_DT_INT),
    [S7P_T_DWORD] = D(K_UINT, S7P_DT_DWORD),
    [S7P_T_DINT] = D(K_SINT, S7P_DT_DINT),
    [S7P_T_REAL] = D(K_REAL, S7P_DT_REAL),
    [S7P_T_DATE] = D(K_DATE, S7P_DT_UINT),
    [S7P_T_TIME_OF_DAY] = D(K_TOD, S7P_DT_UDINT),
    [S7P_T_TIME] = D(K_TIME, S7P_DT_DINT),
    [S7P_T_S5TIME] = D(K_S5TIME, S7P_DT_WORD),
    [S7P_T_DATE_AND_TIME] = D(K_DT, S7P_DT_USINT),
    [S7P_T_STRING] = D(K_STRING, S7P_DT_USINT),
    [S7P_T_POINTER] = D(K_RAW, S7P_DT_USINT), [S7P_T_ANY] = D(K_RAW, S7P_DT_USINT),
    [S7P_T_REMOTE] = D(K_RAW, S7P_DT_USINT),
    [S7P_T_BLOCK_FB] = D(K_UINT, S7P_DT_UINT), [S7P_T_BLOCK_FC] = D(K_UINT, S7P_DT_UINT),
    [S7P_T_COUNTER] = D(K_UINT, S7P_DT_UINT), [S7P_T_TIMER] = D(K_UINT, S7P_DT_UINT),
    [S7P_T_UINT] = D(K_UINT, S7P_DT_UINT), [S7P_T_WCHAR] = D(K_UINT, S7P_DT_UINT),
    [S7P_T_LREAL] = D(K_LREAL, S7P_DT_LREAL),
    [S7P_T_ULINT] = D(K_UINT, S7P_DT_ULINT),
    [S7P_T_LINT] = D(K_SINT, S7P_DT_LINT),
    [S7P_T_LWORD] = D(K_UINT, S7P_DT_LWORD),
    [S7P_T_UDINT] = D(K_UINT, S7P_DT_UDINT),
    [S7P_T_SINT] = D(K_SINT, S7P_DT_SINT),
    [S7P_T_WSTRING] = D(K_WSTRING, S7P_DT_UINT),
    [S7P_T_LTIME] = D(K_LTIME, S7P_DT_TIMESPAN),
    [S7P_T_LTIME_OF_DAY] = D(K_LTOD, S7P_DT_ULINT),
    [S7P_T_LDT] = D(K_LDT, S7P_DT_TIMESTAMP),
    [S7P_T_DTL] = D(K_DTL, S7P_DT_STRUCT),
    /* AOM_Ident, Event_Any, Event_Att, AOM_AID, AOM_Link, Event_HwInt, Conn_R_ID */
    [128] = D(K_UINT, S7P_DT_DWORD), [129] = D(K_UINT, S7P_DT_DWORD),
    [130] = D(K_UINT, S7P_DT_DWORD), [132] = D(K_UINT, S7P_DT_DWORD),
    [133] = D(K_UINT, S7P_DT_DWORD), [134] = D(K_UINT, S7P_DT_DWORD),
    [171] = D(K_UINT, S7P_DT_DWORD),
    /* HW_Any .. HW_IEPort; Conn_Any, Conn_Prg, Conn_Ouc */
    [144] = D(K_UINT, S7P_DT_WORD), [145] = D(K_UINT, S7P_DT_WORD),
    [146] = D(K_UINT, S7P_DT_WORD), [147] = D(K_UINT, S7P_DT_WORD),
    [148] = D(K_UINT, S7P_DT_WORD), [149] = D(K_UINT, S7P_DT_WORD),
    [150] = D(K_UINT, S7P_DT_WORD), [151] = D(K_UINT, S7P_DT_WORD),
    [152] = D(K_UINT, S7P_DT_WORD), [153] = D(K_UINT, S7P_DT_WORD),
    [154] = D(K_UINT, S7P_DT_WORD), [155] = D(K_UINT, S7P_DT_WORD),
    [156] = D(K_UINT, S7P_DT_WORD), [168] = D(K_UINT, S7P_DT_WORD),
    [169] = D(K_UINT, S7P_DT_WORD), [170] = D(K_UINT, S7P_DT_WORD),
    /* OB_Any, OB_Delay, OB_TOD, OB_Cyclic, OB_Att, OB_PCycle, OB_HwInt, OB_Diag,
     * OB_TimeError, OB_Startup; OB_COMM (194) is one too, though the reference client
     * leaves it unmapped. */
    [160] = D(K_OB, S7P_DT_INT), [161] = D(K_OB, S7P_DT_INT), [162] = D(K_OB, S7P_DT_INT),
    [163] = D(K_OB, S7P_DT_INT), [164] = D(K_OB, S7P_DT_INT), [192] = D(K_OB, S7P_DT_INT),
    [193] = D(K_OB, S7P_DT_INT), [194] = D(K_OB, S7P_DT_INT), [195] = D(K_OB, S7P_DT_INT),
    [196] = D(K_OB, S7P_DT_INT), [197] = D(K_OB, S7P_DT_INT),
    /* Port, RTM, PIP; DB_Any, DB_WWW, DB_Dyn */
    [173] = D(K_UINT, S7P_DT_UINT), [174] = D(K_UINT, S7P_DT_UINT),
    [175] = D(K_UINT, S7P_DT_UINT), [208] = D(K_UINT, S7P_DT_UINT),
    [209] = D(K_UINT, S7P_DT_UINT), [210] = D(K_UINT, S7P_DT_UINT),
};
#undef D

static desc describe(int t)
{
    if (t < 0 || t > 255) return mk(K_NONE, S7P_DT_NULL);
    return TYPES[t];
}

static bool is_block(kind k) { return k >= K_DT; }

uint8_t s7p_convert_wire_type(s7p_type t) { return describe((int)t).wire; }

uint8_t s7p_convert_wire_flags(const s7p_tag *tag)
{
    kind k = describe((int)tag->type).k;
    if (k == K_NONE) return 0;
    return tag->count > 0 || (is_block(k) && k != K_DTL) ? S7P_VF_ARRAY : 0;
}

/* Two types a value may carry for a tag: the same, or Bool for BBool and back. */
static bool same_type(int a, int b)
{
    bool ba = a == S7P_T_BOOL || a == S7P_T_BBOOL, bb = b == S7P_T_BOOL || b == S7P_T_BBOOL;
    return a == b || (ba && bb);
}

/* ---- messages -------------------------------------------------------------------------- */

typedef struct cx {
    const s7p_tag *tag;
    desc d;
    uint32_t m;          /* value elements: tag->count, or 1 for a scalar */
    int64_t elem;        /* element being converted, -1 for a scalar */
    char *why;
    size_t why_len;
} cx;

/* Names element i in later messages (nothing for a scalar). */
static void at(cx *c, uint32_t i) { c->elem = c->tag->count ? (int64_t)i : -1; }

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static s7p_status fail(cx *c, s7p_status st, const char *fmt, ...)
{
    if (!c->why || c->why_len == 0) return st;
    int k = c->elem < 0
                ? snprintf(c->why, c->why_len, "%s tag: ", s7p_type_name((int)c->tag->type))
                : snprintf(c->why, c->why_len, "%s tag, element %" PRId64 ": ",
                           s7p_type_name((int)c->tag->type), c->elem);
    if (k < 0 || (size_t)k >= c->why_len) return st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why + k, c->why_len - (size_t)k, fmt, ap);
    va_end(ap);
    return st;
}

static const char *dt_name(uint8_t t)
{
    static const char *const names[] = {
        "Null", "Bool", "USInt", "UInt", "UDInt", "ULInt", "SInt", "Int", "DInt", "LInt",
        "Byte", "Word", "DWord", "LWord", "Real", "LReal", "Timestamp", "Timespan", "RID", "AID",
        "Blob", "WString", "Variant", "Struct"};
    if (t < sizeof names / sizeof names[0]) return names[t];
    return t == S7P_DT_S7STRING ? "S7String" : "unknown datatype";
}

static s7p_status wrong_wire(cx *c, const s7p_value *w)
{
    char got[64];
    if (s7p_value_is_sparse(w))
        snprintf(got, sizeof got, "a sparse %s array", dt_name(w->type));
    else if (w->type == S7P_DT_STRUCT && (w->flags & S7P_VF_ADDRESS_ARRAY))
        snprintf(got, sizeof got, "a Struct address array");
    else if (w->type == S7P_DT_STRUCT)
        snprintf(got, sizeof got, "Struct 0x%08" PRIX32, w->v.st ? w->v.st->id : 0);
    else if (s7p_value_is_array(w))
        snprintf(got, sizeof got, "%s array[%" PRIu32 "]", dt_name(w->type), w->count);
    else
        snprintf(got, sizeof got, "%s", dt_name(w->type));
    if (c->d.k == K_DTL) return fail(c, S7P_E_PROTOCOL, "PLC sent %s, expected packed Struct "
                                     "0x%08X", got, S7P_DTL_STRUCT_ID);
    bool arr = c->tag->count > 0 || is_block(c->d.k);
    return fail(c, S7P_E_PROTOCOL, "PLC sent %s, expected %s%s", got, dt_name(c->d.wire),
                arr ? " array" : "");
}

/* ---- ranges ------------------------------------------------------------------------------ */

static uint64_t umax(uint8_t wire)
{
    switch (wire) {
    case S7P_DT_BOOL: return 1;
    case S7P_DT_USINT: case S7P_DT_BYTE: return UINT8_MAX;
    case S7P_DT_UINT: case S7P_DT_WORD: return UINT16_MAX;
    case S7P_DT_UDINT: case S7P_DT_DWORD: return UINT32_MAX;
    default: return UINT64_MAX;
    }
}

static void srange(uint8_t wire, int64_t *lo, int64_t *hi)
{
    switch (wire) {
    case S7P_DT_SINT: *lo = INT8_MIN, *hi = INT8_MAX; break;
    case S7P_DT_INT: *lo = INT16_MIN, *hi = INT16_MAX; break;
    case S7P_DT_DINT: *lo = INT32_MIN, *hi = INT32_MAX; break;
    default: *lo = INT64_MIN, *hi = INT64_MAX; break;
    }
}

#define DAYS_1990 INT64_C(7305)             /* 1990-01-01 in days since 1970-01-01 */
#define DATE_MAX_DAYS INT64_C(65535)        /* 2169-06-06 */
#define DT_LO (DAYS_1990 * S7P_NS_PER_DAY)  /* 1990-01-01 */
#define DT_HI (INT64_C(43830) * S7P_NS_PER_DAY)  /* 2090-01-01, exclusive */
#define S5_MAX (INT64_C(9990) * S7P_NS_PER_S)
#define OB_MAX 32767u

/* ---- read: simple kinds ------------------------------------------------------------------ */

static s7p_status read_elem(cx *c, const s7p_scalar *s, s7p_tag_value *o)
{
    int64_t lo, hi;
    switch (c->d.k) {
    case K_BOOL: o->v.b = s->u != 0; return S7P_OK;
    case K_UINT:
        if (s->u > umax(c->d.wire)) break;
        o->v.u = s->u;
        return S7P_OK;
    case K_SINT:
        srange(c->d.wire, &lo, &hi);
        if (s->i < lo || s->i > hi) break;
        o->v.i = s->i;
        return S7P_OK;
    case K_OB:
        if (s->i < 0 || s->i > (int64_t)OB_MAX)
            return fail(c, S7P_E_PROTOCOL, "PLC sent OB number %" PRId64, s->i);
        o->v.u = (uint64_t)s->i;
        return S7P_OK;
    case K_REAL: o->v.r = s->r; return S7P_OK;
    case K_LREAL: o->v.lr = s->lr; return S7P_OK;
    case K_DATE:
        if (s->u > (uint64_t)DATE_MAX_DAYS) break;
        o->v.i = (DAYS_1990 + (int64_t)s->u) * S7P_NS_PER_DAY;
        return S7P_OK;
    case K_TOD:
        if (s->u >= (uint64_t)(S7P_NS_PER_DAY / S7P_NS_PER_MS))
            return fail(c, S7P_E_PROTOCOL, "PLC sent %" PRIu64 " ms, not below 24 h", s->u);
        o->v.i = (int64_t)s->u * S7P_NS_PER_MS;
        return S7P_OK;
    case K_TIME:
        if (s->i < INT32_MIN || s->i > INT32_MAX) break;
        o->v.i = s->i * S7P_NS_PER_MS;
        return S7P_OK;
    case K_S5TIME:
        if (s->u > UINT16_MAX) break;
        if (!s7p_s5time_decode((uint16_t)s->u, &o->v.i))
            return fail(c, S7P_E_PROTOCOL, "PLC sent 0x%04" PRIX64 ", not BCD", s->u);
        return S7P_OK;
    case K_LTIME: o->v.i = s->i; return S7P_OK;
    case K_LTOD:
        if (s->u >= (uint64_t)S7P_NS_PER_DAY)
            return fail(c, S7P_E_PROTOCOL, "PLC sent %" PRIu64 " ns, not below 24 h", s->u);
        o->v.i = (int64_t)s->u;
        return S7P_OK;
    case K_LDT:
        if (s->u > (uint64_t)INT64_MAX)
            return fail(c, S7P_E_PROTOCOL, "PLC sent timestamp %" PRIu64 ", after 2262", s->u);
        o->v.i = (int64_t)s->u;
        return S7P_OK;
    default: break;
    }
    return fail(c, S7P_E_PROTOCOL, "PLC sent a %s outside its range", dt_name(c->d.wire));
}

/* Element i of a decoded array, whatever way the codec stores it. */
static s7p_scalar wire_elem(const s7p_value *w, uint32_t i)
{
    s7p_scalar s;
    memset(&s, 0, sizeof s);
    if (!s7p_datatype_is_bytewise(w->type)) return w->elems[i];
    uint8_t b = w->v.s.p[i];
    if (w->type == S7P_DT_SINT) s.i = (int8_t)b; else s.u = b;
    return s;
}

/* An array value whose storage agrees with its count (values built by hand may not). */
static bool array_sound(const s7p_value *w)
{
    if (s7p_datatype_is_bytewise(w->type)) return w->v.s.n == w->count && (w->v.s.p || !w->count);
    return w->elems || !w->count;
}

static s7p_status alloc_elems(cx *c, s7p_tag_value *out)
{
    if (c->tag->count == 0) return S7P_OK;
    out->elems = s7p_calloc(c->tag->count, sizeof *out->elems);
    if (!out->elems) return S7P_E_NOMEM;
    for (uint32_t i = 0; i < c->tag->count; i++) out->elems[i].type = c->tag->type;
    return S7P_OK;
}

/* The value element i goes to: the value itself for a scalar. */
static s7p_tag_value *dst(const cx *c, s7p_tag_value *out, uint32_t i)
{
    return c->tag->count ? &out->elems[i] : out;
}

static s7p_status read_simple(cx *c, const s7p_value *w, s7p_tag_value *out)
{
    uint32_t n = c->tag->count;
    if (s7p_value_is_sparse(w) || w->type != c->d.wire || s7p_value_is_array(w) != (n > 0))
        return wrong_wire(c, w);
    if (n == 0) return read_elem(c, &w->v, out);
    uint64_t padded = ((uint64_t)n + 7) / 8 * 8;
    if (w->count != n && !(c->d.k == K_BOOL && w->count == padded))
        return fail(c, S7P_E_PROTOCOL, "PLC sent %" PRIu32 " elements for an array of %" PRIu32,
                    w->count, n);
    if (!array_sound(w)) return fail(c, S7P_E_PROTOCOL, "array storage does not match its count");
    s7p_status st = alloc_elems(c, out);
    for (uint32_t i = 0; i < n && st == S7P_OK; i++) {
        s7p_scalar s = wire_elem(w, i);
        at(c, i);
        st = read_elem(c, &s, &out->elems[i]);
    }
    return st;
}

/* ---- read: block kinds ----------------------------------------------------------------- */

/* Bytes per value element of a flat wire array (count must split evenly, at least `min`). */
static s7p_status stride_of(cx *c, const s7p_value *w, uint32_t min, uint32_t *stride)
{
    if (w->count % c->m != 0 || w->count / c->m < min)
        return fail(c, S7P_E_PROTOCOL, "PLC sent %" PRIu32 " %s elements for %" PRIu32 " values",
                    w->count, dt_name(w->type), c->m);
    *stride = w->count / c->m;
    return S7P_OK;
}

static s7p_status read_dt(cx *c, const s7p_value *w, s7p_tag_value *out)
{
    if (w->count != (uint64_t)c->m * S7P_DT_SIZE)
        return fail(c, S7P_E_PROTOCOL, "PLC sent %" PRIu32 " bytes for %" PRIu32 " values",
                    w->count, c->m);
    s7p_status st = alloc_elems(c, out);
    for (uint32_t i = 0; i < c->m && st == S7P_OK; i++) {
        const uint8_t *b = w->v.s.p + (size_t)i * S7P_DT_SIZE;
        at(c, i);
        if (!s7p_dt_decode(b, &dst(c, out, i)->v.i))
            st = fail(c, S7P_E_PROTOCOL, "invalid Date_And_Time bytes %02X %02X %02X %02X %02X "
                      "%02X %02X %02X", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
    }
    return st;
}

static size_t text_len(size_t act, size_t max, size_t room)
{
    size_t n = act < max ? act : max;
    return n < room ? n : room;
}

static s7p_status read_string(cx *c, const s7p_value *w, s7p_tag_value *out)
{
    uint32_t stride = 0;  /* set by stride_of() on success; -O3 cannot see that */
    s7p_status st = stride_of(c, w, 2, &stride);
    if (st == S7P_OK) st = alloc_elems(c, out);
    for (uint32_t i = 0; i < c->m && st == S7P_OK; i++) {
        const uint8_t *b = w->v.s.p + (size_t)i * stride;
        s7p_tag_value *o = dst(c, out, i);
        st = s7p_latin1_to_utf8(b + 2, text_len(b[1], b[0], stride - 2u), &o->v.str.p,
                                &o->v.str.len);
    }
    return st;
}

static s7p_status read_wstring(cx *c, const s7p_value *w, s7p_tag_value *out)
{
    uint32_t stride = 0;  /* set by stride_of() on success; -O3 cannot see that */
    s7p_status st = stride_of(c, w, 2, &stride);
    if (st == S7P_OK) st = alloc_elems(c, out);
    for (uint32_t i = 0; i < c->m && st == S7P_OK; i++) {
        const s7p_scalar *u = w->elems + (size_t)i * stride;
        s7p_tag_value *o = dst(c, out, i);
        size_t bad = 0;
        at(c, i);
        st = s7p_utf16_to_utf8(u + 2, text_len((size_t)u[1].u, (size_t)u[0].u, stride - 2u), &o->v.str.p,
                               &o->v.str.len, &bad);
        if (st == S7P_E_PROTOCOL)
            fail(c, st, "unpaired UTF-16 surrogate 0x%04" PRIX64 " at unit %zu", u[2 + bad].u,
                 bad);
    }
    return st;
}

static s7p_status read_raw(cx *c, const s7p_value *w, s7p_tag_value *out)
{
    uint32_t stride = 0;  /* set by stride_of() on success; -O3 cannot see that */
    s7p_status st = stride_of(c, w, c->tag->count ? 1 : 0, &stride);
    if (st == S7P_OK) st = alloc_elems(c, out);
    for (uint32_t i = 0; i < c->m && st == S7P_OK && stride; i++) {
        s7p_tag_value *o = dst(c, out, i);
        o->v.raw.p = s7p_malloc(stride);
        if (!o->v.raw.p) return S7P_E_NOMEM;
        memcpy(o->v.raw.p, w->v.s.p + (size_t)i * stride, stride);
        o->v.raw.len = stride;
    }
    return st;
}

static s7p_status read_dtl(cx *c, const s7p_value *w, s7p_tag_value *out)
{
    const s7p_struct *st = w->v.st;
    if (s7p_value_is_sparse(w) || w->type != S7P_DT_STRUCT || (w->flags & S7P_VF_ADDRESS_ARRAY) ||
        !st || st->id != S7P_DTL_STRUCT_ID)
        return wrong_wire(c, w);
    if (st->data.n != (size_t)c->m * S7P_DTL_SIZE || !st->data.p)
        return fail(c, S7P_E_PROTOCOL, "PLC sent %zu bytes for %" PRIu32 " values", st->data.n,
                    c->m);
    s7p_status s = alloc_elems(c, out);
    for (uint32_t i = 0; i < c->m && s == S7P_OK; i++) {
        const uint8_t *b = st->data.p + (size_t)i * S7P_DTL_SIZE;
        at(c, i);
        if (!s7p_dtl_decode(b, &dst(c, out, i)->v.i))
            s = fail(c, S7P_E_PROTOCOL, "invalid DTL %u-%02u-%02u %02u:%02u:%02u", b[0] << 8 | b[1],
                     b[2], b[3], b[5], b[6], b[7]);
    }
    return s;
}

static s7p_status read_block(cx *c, const s7p_value *w, s7p_tag_value *out)
{
    if (c->d.k == K_DTL) return read_dtl(c, w, out);
    if (s7p_value_is_sparse(w) || w->type != c->d.wire || !s7p_value_is_array(w))
        return wrong_wire(c, w);
    if (!array_sound(w)) return fail(c, S7P_E_PROTOCOL, "array storage does not match its count");
    switch (c->d.k) {
    case K_DT: return read_dt(c, w, out);
    case K_STRING: return read_string(c, w, out);
    case K_WSTRING: return read_wstring(c, w, out);
    default: return read_raw(c, w, out);
    }
}

s7p_status s7p_convert_read(const s7p_tag *tag, const s7p_value *wire, s7p_tag_value *out,
                            char *why, size_t why_len)
{
    cx c = {tag, describe((int)tag->type), tag->count ? tag->count : 1, -1, why, why_len};
    if (why && why_len) why[0] = 0;
    memset(out, 0, sizeof *out);
    if (c.d.k == K_NONE) return fail(&c, S7P_E_UNSUPPORTED, "values of this type cannot be read");
    if (!wire) return fail(&c, S7P_E_PROTOCOL, "no value");
    out->type = tag->type;
    out->count = tag->count;
    s7p_status st = is_block(c.d.k) ? read_block(&c, wire, out) : read_simple(&c, wire, out);
    if (st == S7P_E_NOMEM) fail(&c, st, "out of memory");
    if (st != S7P_OK) s7p_tag_value_clear(out);
    return st;
}

/* ---- write: simple kinds --------------------------------------------------------------- */

static s7p_status write_time(cx *c, int64_t v, s7p_scalar *s)
{
    switch (c->d.k) {
    case K_DATE:
        if (v < DT_LO || v > (DAYS_1990 + DATE_MAX_DAYS) * S7P_NS_PER_DAY)
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is outside 1990-01-01..2169-06-06", v);
        if (v % S7P_NS_PER_DAY)
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is not a midnight", v);
        s->u = (uint64_t)(v / S7P_NS_PER_DAY - DAYS_1990);
        return S7P_OK;
    case K_TOD:
    case K_LTOD:
        if (v < 0 || v >= S7P_NS_PER_DAY)
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is not a time of day (0..24 h)", v);
        if (c->d.k == K_TOD && v % S7P_NS_PER_MS)
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is not a multiple of 1 ms", v);
        s->u = (uint64_t)(c->d.k == K_TOD ? v / S7P_NS_PER_MS : v);
        return S7P_OK;
    case K_TIME:
        if (v % S7P_NS_PER_MS)
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is not a multiple of 1 ms", v);
        if (v / S7P_NS_PER_MS < INT32_MIN || v / S7P_NS_PER_MS > INT32_MAX)
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ms is outside the 32-bit ms range",
                        v / S7P_NS_PER_MS);
        s->i = v / S7P_NS_PER_MS;
        return S7P_OK;
    case K_S5TIME: {
        uint16_t w;
        if (v < 0 || v > S5_MAX)
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is outside 0..2h46m30s", v);
        if (v % (10 * S7P_NS_PER_MS))
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is not a multiple of 10 ms", v);
        if (!s7p_s5time_encode(v, &w))
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns does not fit 3 digits of one time "
                        "base (10 ms, 100 ms, 1 s, 10 s)", v);
        s->u = w;
        return S7P_OK;
    }
    case K_LDT:
        if (v < 0) return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is before 1970-01-01", v);
        s->u = (uint64_t)v;
        return S7P_OK;
    default: /* K_LTIME */
        s->i = v;
        return S7P_OK;
    }
}

static s7p_status write_elem(cx *c, const s7p_tag_value *v, s7p_scalar *s)
{
    int64_t lo, hi;
    switch (c->d.k) {
    case K_BOOL: s->u = v->v.b ? 1 : 0; return S7P_OK;
    case K_UINT:
        if (v->v.u > umax(c->d.wire))
            return fail(c, S7P_E_INVALID_ARG, "%" PRIu64 " is outside 0..%" PRIu64, v->v.u,
                        umax(c->d.wire));
        s->u = v->v.u;
        return S7P_OK;
    case K_SINT:
        srange(c->d.wire, &lo, &hi);
        if (v->v.i < lo || v->v.i > hi)
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " is outside %" PRId64 "..%" PRId64,
                        v->v.i, lo, hi);
        s->i = v->v.i;
        return S7P_OK;
    case K_OB:
        if (v->v.u > OB_MAX)
            return fail(c, S7P_E_INVALID_ARG, "OB number %" PRIu64 " is outside 0..%u", v->v.u,
                        OB_MAX);
        s->i = (int64_t)v->v.u;
        return S7P_OK;
    case K_REAL: s->r = v->v.r; return S7P_OK;
    case K_LREAL: s->lr = v->v.lr; return S7P_OK;
    default: return write_time(c, v->v.i, s);
    }
}

static const s7p_tag_value *src(const cx *c, const s7p_tag_value *in, uint32_t i)
{
    return c->tag->count ? &in->elems[i] : in;
}

static s7p_status write_simple(cx *c, const s7p_tag_value *in, s7p_arena *a, s7p_value *w)
{
    uint32_t n = c->tag->count;
    w->type = c->d.wire;
    if (n == 0) return write_elem(c, in, &w->v);
    uint64_t count = c->d.k == K_BOOL ? ((uint64_t)n + 7) / 8 * 8 : n;  /* Bool: pad to 8 */
    if (count > S7P_MAX_ITEMS)
        return fail(c, S7P_E_LIMIT, "%" PRIu64 " wire elements exceed the limit", count);
    w->flags = S7P_VF_ARRAY;
    w->count = (uint32_t)count;
    bool bytes = s7p_datatype_is_bytewise(c->d.wire);
    uint8_t *buf = bytes ? s7p_arena_alloc(a, (size_t)count) : NULL;
    s7p_scalar *el = bytes ? NULL : s7p_arena_array(a, (size_t)count, sizeof *el);
    if (!buf && !el) return S7P_E_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        s7p_scalar s;
        memset(&s, 0, sizeof s);
        at(c, i);
        s7p_status st = write_elem(c, &in->elems[i], &s);
        if (st != S7P_OK) return st;
        if (el) el[i] = s;
        else buf[i] = c->d.wire == S7P_DT_SINT ? (uint8_t)s.i : (uint8_t)s.u;
    }
    w->v.s.p = buf;
    w->v.s.n = bytes ? (size_t)count : 0;
    w->elems = el;
    return S7P_OK;
}

/* ---- write: block kinds ---------------------------------------------------------------- */

/* A flat wire array of m * stride elements: bytes for USInt (also returned in *bytes),
 * scalars for UInt. */
static s7p_status flat_array(cx *c, s7p_arena *a, uint64_t stride, s7p_value *w,
                             uint8_t **bytes)
{
    *bytes = NULL;
    uint64_t count = stride * c->m;
    if (count > S7P_MAX_ITEMS)
        return fail(c, S7P_E_LIMIT, "%" PRIu64 " wire elements exceed the limit", count);
    w->flags = S7P_VF_ARRAY;
    w->type = c->d.wire;
    w->count = (uint32_t)count;
    if (s7p_datatype_is_bytewise(w->type)) {
        uint8_t *p = s7p_arena_alloc(a, (size_t)count);
        *bytes = p;
        w->v.s.p = p;
        w->v.s.n = (size_t)count;
        return p ? S7P_OK : S7P_E_NOMEM;
    }
    w->elems = s7p_arena_array(a, (size_t)count, sizeof *w->elems);
    return w->elems ? S7P_OK : S7P_E_NOMEM;
}

static s7p_status check_utf8(cx *c, const s7p_tag_value *v, s7p_utf8_info *info)
{
    if (!v->v.str.p && v->v.str.len) return fail(c, S7P_E_INVALID_ARG, "NULL text");
    if (!s7p_utf8_scan(v->v.str.p, v->v.str.len, info))
        return fail(c, S7P_E_INVALID_ARG, "invalid UTF-8 at byte %zu", info->bad_at);
    return S7P_OK;
}

/* Stores one checked text in the flat array (slot: its first element): ISO-8859-1 bytes or
 * UTF-16 units, after the declared maximum and the actual length. */
typedef s7p_status (*put_text_fn)(cx *c, const s7p_tag_value *v, const s7p_utf8_info *info,
                                  s7p_value *w, uint8_t *bytes, size_t slot);

static s7p_status put_latin1(cx *c, const s7p_tag_value *v, const s7p_utf8_info *info,
                             s7p_value *w, uint8_t *bytes, size_t slot)
{
    unsigned max = c->tag->str_max;
    uint8_t *b = bytes + slot;
    (void)w;
    if (info->wide_cp)
        return fail(c, S7P_E_INVALID_ARG, "U+%04" PRIX32 " at byte %zu is not in ISO-8859-1",
                    info->wide_cp, info->wide_at);
    if (info->chars > max)
        return fail(c, S7P_E_INVALID_ARG, "%zu characters exceed the declared length %u",
                    info->chars, max);
    b[0] = (uint8_t)max;
    b[1] = (uint8_t)info->chars;
    s7p_utf8_to_latin1(v->v.str.p, v->v.str.len, b + 2);
    return S7P_OK;
}

static s7p_status put_utf16(cx *c, const s7p_tag_value *v, const s7p_utf8_info *info,
                            s7p_value *w, uint8_t *bytes, size_t slot)
{
    unsigned max = c->tag->str_max;
    s7p_scalar *u = w->elems + slot;
    (void)bytes;
    if (info->units16 > max)
        return fail(c, S7P_E_INVALID_ARG, "%zu UTF-16 units exceed the declared length %u",
                    info->units16, max);
    u[0].u = max;
    u[1].u = info->units16;
    s7p_utf8_to_utf16(v->v.str.p, v->v.str.len, u + 2);
    return S7P_OK;
}

/* String and WString: max + 2 wire elements per element, each text checked as UTF-8. */
static s7p_status write_texts(cx *c, const s7p_tag_value *in, s7p_arena *a, s7p_value *w,
                              unsigned limit, put_text_fn put)
{
    unsigned max = c->tag->str_max;
    if (max > limit)
        return fail(c, S7P_E_INVALID_ARG, "declared length %u is above %u", max, limit);
    uint8_t *bytes;
    s7p_status st = flat_array(c, a, max + 2u, w, &bytes);
    for (uint32_t i = 0; i < c->m && st == S7P_OK; i++) {
        const s7p_tag_value *v = src(c, in, i);
        s7p_utf8_info info;
        at(c, i);
        st = check_utf8(c, v, &info);
        if (st == S7P_OK) st = put(c, v, &info, w, bytes, (size_t)i * (max + 2u));
    }
    return st;
}

static s7p_status write_raw(cx *c, const s7p_tag_value *in, s7p_arena *a, s7p_value *w)
{
    size_t len = src(c, in, 0)->v.raw.len;
    for (uint32_t i = 0; i < c->m; i++) {
        const s7p_tag_value *v = src(c, in, i);
        at(c, i);
        if (v->v.raw.len == 0 || !v->v.raw.p)
            return fail(c, S7P_E_INVALID_ARG, "no bytes given");
        if (v->v.raw.len != len)
            return fail(c, S7P_E_INVALID_ARG, "%zu bytes, element 0 has %zu", v->v.raw.len, len);
    }
    c->elem = -1;
    if (len > S7P_MAX_ITEMS) return fail(c, S7P_E_LIMIT, "%zu bytes exceed the limit", len);
    uint8_t *buf;
    s7p_status st = flat_array(c, a, len, w, &buf);
    for (uint32_t i = 0; i < c->m && st == S7P_OK; i++)
        memcpy(buf + (size_t)i * len, src(c, in, i)->v.raw.p, len);
    return st;
}

static s7p_status write_dt(cx *c, const s7p_tag_value *in, s7p_arena *a, s7p_value *w)
{
    uint8_t *buf;
    s7p_status st = flat_array(c, a, S7P_DT_SIZE, w, &buf);
    for (uint32_t i = 0; i < c->m && st == S7P_OK; i++) {
        int64_t v = src(c, in, i)->v.i;
        at(c, i);
        if (v < DT_LO || v >= DT_HI)
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is outside 1990..2089", v);
        if (v % S7P_NS_PER_MS)
            return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is not a multiple of 1 ms", v);
        s7p_dt_encode(v, buf + (size_t)i * S7P_DT_SIZE);
    }
    return st;
}

static s7p_status write_dtl(cx *c, const s7p_tag_value *in, s7p_arena *a, s7p_value *w)
{
    size_t size = (size_t)c->m * S7P_DTL_SIZE;
    if (size > S7P_MAX_ITEMS) return fail(c, S7P_E_LIMIT, "%zu bytes exceed the limit", size);
    s7p_struct *st = s7p_arena_alloc(a, sizeof *st);
    uint8_t *data = s7p_arena_alloc(a, size);
    if (!st || !data) return S7P_E_NOMEM;
    for (uint32_t i = 0; i < c->m; i++) {
        int64_t v = src(c, in, i)->v.i;
        at(c, i);
        if (v < 0) return fail(c, S7P_E_INVALID_ARG, "%" PRId64 " ns is before 1970-01-01", v);
        s7p_dtl_encode(v, data + (size_t)i * S7P_DTL_SIZE);
    }
    /* Interface timestamp 0: the public types carry none (see docs/protocol.md). */
    st->id = S7P_DTL_STRUCT_ID;
    st->transport_flags = S7P_PACKED_ALWAYS | (c->tag->count ? S7P_PACKED_COUNT2 : 0u);
    st->count = S7P_DTL_SIZE;
    st->count2 = c->tag->count ? (uint32_t)size : 0;
    st->data.p = data;
    st->data.n = size;
    w->flags = c->tag->count ? S7P_VF_ARRAY : 0;
    w->type = S7P_DT_STRUCT;
    w->v.st = st;
    return S7P_OK;
}

static s7p_status write_block(cx *c, const s7p_tag_value *in, s7p_arena *a, s7p_value *w)
{
    switch (c->d.k) {
    case K_DT: return write_dt(c, in, a, w);
    case K_STRING: return write_texts(c, in, a, w, S7P_STRING_MAX, put_latin1);
    case K_WSTRING: return write_texts(c, in, a, w, S7P_WSTRING_MAX, put_utf16);
    case K_DTL: return write_dtl(c, in, a, w);
    default: return write_raw(c, in, a, w);
    }
}

static s7p_status check_shape(cx *c, const s7p_tag_value *in)
{
    if (!same_type((int)in->type, (int)c->tag->type))
        return fail(c, S7P_E_INVALID_ARG, "value of type %s given", s7p_type_name((int)in->type));
    if (in->count != c->tag->count)
        return fail(c, S7P_E_INVALID_ARG, "%" PRIu32 " elements given, the tag has %" PRIu32,
                    in->count, c->tag->count);
    if (in->count && !in->elems) return fail(c, S7P_E_INVALID_ARG, "no elements given");
    for (uint32_t i = 0; i < in->count; i++) {
        const s7p_tag_value *e = &in->elems[i];
        at(c, i);
        if (e->count || (e->type != S7P_T_VOID && !same_type((int)e->type, (int)c->tag->type)))
            return fail(c, S7P_E_INVALID_ARG, "value of type %s%s given",
                        s7p_type_name((int)e->type), e->count ? " array" : "");
    }
    c->elem = -1;
    return S7P_OK;
}

s7p_status s7p_convert_write(const s7p_tag *tag, const s7p_tag_value *in, s7p_arena *a,
                             s7p_value *wire, char *why, size_t why_len)
{
    cx c = {tag, describe((int)tag->type), tag->count ? tag->count : 1, -1, why, why_len};
    if (why && why_len) why[0] = 0;
    memset(wire, 0, sizeof *wire);
    if (c.d.k == K_NONE)
        return fail(&c, S7P_E_UNSUPPORTED, "values of this type cannot be written");
    if (!in) return fail(&c, S7P_E_INVALID_ARG, "no value given");
    s7p_status st = check_shape(&c, in);
    if (st == S7P_OK)
        st = is_block(c.d.k) ? write_block(&c, in, a, wire) : write_simple(&c, in, a, wire);
    if (st == S7P_E_NOMEM) fail(&c, st, "out of memory");
    if (st != S7P_OK) memset(wire, 0, sizeof *wire);
    return st;
}

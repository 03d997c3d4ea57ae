/* SPDX-License-Identifier: MIT */
/* The elementary data types: names as TIA writes them, software datatype ids, how start
 * values are stored, standard-layout sizes and integer ranges. */
#include <stdio.h>
#include <string.h>

#include "program/prog_int.h"

#define U S7T_V_UINT
#define I S7T_V_INT
#define R S7T_V_REAL
#define TX S7T_V_TEXT
#define BY S7T_V_BYTES

/* X(name, alias, sdt, vkind, size, signed, tag_ok, min, max, max_len) */
#define ELEMS(X)                                                                           \
    X("Bool", NULL, S7T_SDT_BOOL, U, 0, false, true, 0, 1, 0)                              \
    X("Byte", NULL, S7T_SDT_BYTE, U, 1, false, true, 0, 0xFF, 0)                           \
    X("Char", NULL, S7T_SDT_CHAR, U, 1, false, true, 0, 0xFF, 0)                           \
    X("Word", NULL, S7T_SDT_WORD, U, 2, false, true, 0, 0xFFFF, 0)                         \
    X("Int", NULL, S7T_SDT_INT, I, 2, true, true, -32768, 32767, 0)                        \
    X("DWord", NULL, S7T_SDT_DWORD, U, 4, false, true, 0, 0xFFFFFFFFu, 0)                  \
    X("DInt", NULL, S7T_SDT_DINT, I, 4, true, true, INT32_MIN, INT32_MAX, 0)               \
    X("Real", NULL, S7T_SDT_REAL, R, 4, false, true, 0, 0, 0)                              \
    X("Date", NULL, S7T_SDT_DATE, U, 2, false, true, 0, 65535, 0)                          \
    X("Time_Of_Day", "TOD", S7T_SDT_TOD, U, 4, false, true, 0, 86399999, 0)                \
    X("Time", NULL, S7T_SDT_TIME, I, 4, true, true, INT32_MIN, INT32_MAX, 0)               \
    X("S5Time", NULL, S7T_SDT_S5TIME, I, 2, true, true, 0, 9990000, 0)                     \
    X("Date_And_Time", "DT", S7T_SDT_DT, I, 8, true, false, 0, 0, 0)                       \
    X("String", NULL, S7T_SDT_STRING, TX, 0, false, false, 0, 0, S7T_STRING_DEFAULT_LEN)   \
    X("Pointer", NULL, S7T_SDT_POINTER, BY, 6, false, false, 0, 0, 0)                      \
    X("Any", NULL, S7T_SDT_ANY, BY, 10, false, false, 0, 0, 0)                             \
    X("Counter", NULL, S7T_SDT_COUNTER, U, 2, false, true, 0, 0xFFFF, 0)                   \
    X("Timer", NULL, S7T_SDT_TIMER, U, 2, false, true, 0, 0xFFFF, 0)                       \
    X("LReal", NULL, S7T_SDT_LREAL, R, 8, false, false, 0, 0, 0)                           \
    X("ULInt", NULL, S7T_SDT_ULINT, U, 8, false, false, 0, UINT64_MAX, 0)                  \
    X("LInt", NULL, S7T_SDT_LINT, I, 8, true, false, INT64_MIN, INT64_MAX, 0)              \
    X("LWord", NULL, S7T_SDT_LWORD, U, 8, false, false, 0, UINT64_MAX, 0)                  \
    X("USInt", NULL, S7T_SDT_USINT, U, 1, false, true, 0, 0xFF, 0)                         \
    X("UInt", NULL, S7T_SDT_UINT, U, 2, false, true, 0, 0xFFFF, 0)                         \
    X("UDInt", NULL, S7T_SDT_UDINT, U, 4, false, true, 0, 0xFFFFFFFFu, 0)                  \
    X("SInt", NULL, S7T_SDT_SINT, I, 1, true, true, -128, 127, 0)                          \
    X("WChar", NULL, S7T_SDT_WCHAR, U, 2, false, true, 0, 0xFFFF, 0)                       \
    X("WString", NULL, S7T_SDT_WSTRING, TX, 0, false, false, 0, 0, S7T_STRING_DEFAULT_LEN) \
    X("LTime", NULL, S7T_SDT_LTIME, I, 8, true, false, INT64_MIN, INT64_MAX, 0)            \
    X("LTime_Of_Day", "LTOD", S7T_SDT_LTOD, U, 8, false, false, 0, 86399999999999ull, 0)   \
    X("LDT", "Date_And_LTime", S7T_SDT_LDT, I, 8, true, false, 0, 0, 0)                    \
    X("DTL", NULL, S7T_SDT_DTL, BY, 12, false, false, 0, 0, 0)                             \
    X("AOM_IDENT", NULL, S7T_SDT_AOM_IDENT, U, 4, false, false, 0, 0xFFFFFFFFu, 0)         \
    X("EVENT_ANY", NULL, S7T_SDT_EVENT_ANY, U, 4, false, false, 0, 0xFFFFFFFFu, 0)         \
    X("EVENT_ATT", NULL, S7T_SDT_EVENT_ATT, U, 4, false, false, 0, 0xFFFFFFFFu, 0)         \
    X("EVENT_HWINT", NULL, S7T_SDT_EVENT_HWINT, U, 4, false, false, 0, 0xFFFFFFFFu, 0)     \
    X("HW_ANY", NULL, S7T_SDT_HW_ANY, U, 2, false, false, 0, 0xFFFF, 0)                    \
    X("HW_IOSYSTEM", NULL, S7T_SDT_HW_IOSYSTEM, U, 2, false, false, 0, 0xFFFF, 0)          \
    X("HW_DPMASTER", NULL, S7T_SDT_HW_DPMASTER, U, 2, false, false, 0, 0xFFFF, 0)          \
    X("HW_DEVICE", NULL, S7T_SDT_HW_DEVICE, U, 2, false, false, 0, 0xFFFF, 0)              \
    X("HW_DPSLAVE", NULL, S7T_SDT_HW_DPSLAVE, U, 2, false, false, 0, 0xFFFF, 0)            \
    X("HW_IO", NULL, S7T_SDT_HW_IO, U, 2, false, false, 0, 0xFFFF, 0)                      \
    X("HW_MODULE", NULL, S7T_SDT_HW_MODULE, U, 2, false, false, 0, 0xFFFF, 0)              \
    X("HW_SUBMODULE", NULL, S7T_SDT_HW_SUBMODULE, U, 2, false, false, 0, 0xFFFF, 0)        \
    X("HW_HSC", NULL, S7T_SDT_HW_HSC, U, 2, false, false, 0, 0xFFFF, 0)                    \
    X("HW_PWM", NULL, S7T_SDT_HW_PWM, U, 2, false, false, 0, 0xFFFF, 0)                    \
    X("HW_PTO", NULL, S7T_SDT_HW_PTO, U, 2, false, false, 0, 0xFFFF, 0)                    \
    X("HW_INTERFACE", NULL, S7T_SDT_HW_INTERFACE, U, 2, false, false, 0, 0xFFFF, 0)        \
    X("HW_IEPORT", NULL, S7T_SDT_HW_IEPORT, U, 2, false, false, 0, 0xFFFF, 0)              \
    X("OB_ANY", NULL, S7T_SDT_OB_ANY, U, 2, false, false, 0, 32767, 0)                     \
    X("OB_DELAY", NULL, S7T_SDT_OB_DELAY, U, 2, false, false, 0, 32767, 0)                 \
    X("OB_TOD", NULL, S7T_SDT_OB_TOD, U, 2, false, false, 0, 32767, 0)                     \
    X("OB_CYCLIC", NULL, S7T_SDT_OB_CYCLIC, U, 2, false, false, 0, 32767, 0)               \
    X("OB_ATT", NULL, S7T_SDT_OB_ATT, U, 2, false, false, 0, 32767, 0)                     \
    X("OB_PCYCLE", NULL, S7T_SDT_OB_PCYCLE, U, 2, false, false, 0, 32767, 0)               \
    X("OB_HWINT", NULL, S7T_SDT_OB_HWINT, U, 2, false, false, 0, 32767, 0)                 \
    X("OB_COMM", NULL, S7T_SDT_OB_COMM, U, 2, false, false, 0, 32767, 0)                   \
    X("OB_DIAG", NULL, S7T_SDT_OB_DIAG, U, 2, false, false, 0, 32767, 0)                   \
    X("OB_TIMEERROR", NULL, S7T_SDT_OB_TIMEERROR, U, 2, false, false, 0, 32767, 0)         \
    X("OB_STARTUP", NULL, S7T_SDT_OB_STARTUP, U, 2, false, false, 0, 32767, 0)             \
    X("CONN_ANY", NULL, S7T_SDT_CONN_ANY, U, 2, false, false, 0, 0xFFFF, 0)                \
    X("CONN_PRG", NULL, S7T_SDT_CONN_PRG, U, 2, false, false, 0, 0xFFFF, 0)                \
    X("CONN_OUC", NULL, S7T_SDT_CONN_OUC, U, 2, false, false, 0, 0xFFFF, 0)                \
    X("CONN_R_ID", NULL, S7T_SDT_CONN_R_ID, U, 4, false, false, 0, 0xFFFFFFFFu, 0)         \
    X("PORT", NULL, S7T_SDT_PORT, U, 2, false, false, 0, 0xFFFF, 0)                        \
    X("RTM", NULL, S7T_SDT_RTM, U, 2, false, false, 0, 0xFFFF, 0)                          \
    X("PIP", NULL, S7T_SDT_PIP, U, 2, false, false, 0, 0xFFFF, 0)                          \
    X("DB_ANY", NULL, S7T_SDT_DB_ANY, U, 2, false, false, 0, 0xFFFF, 0)                    \
    X("DB_WWW", NULL, S7T_SDT_DB_WWW, U, 2, false, false, 0, 0xFFFF, 0)                    \
    X("DB_DYN", NULL, S7T_SDT_DB_DYN, U, 2, false, false, 0, 0xFFFF, 0)                    \
    X("Block_FB", NULL, S7T_SDT_BLOCK_FB, U, 2, false, false, 0, 0xFFFF, 0)                \
    X("Block_FC", NULL, S7T_SDT_BLOCK_FC, U, 2, false, false, 0, 0xFFFF, 0)                \
    X("Block_DB", NULL, S7T_SDT_BLOCK_DB, U, 2, false, false, 0, 0xFFFF, 0)                \
    X("Block_SDB", NULL, S7T_SDT_BLOCK_SDB, U, 2, false, false, 0, 0xFFFF, 0)              \
    X("Block_SFB", NULL, S7T_SDT_BLOCK_SFB, U, 2, false, false, 0, 0xFFFF, 0)              \
    X("Block_SFC", NULL, S7T_SDT_BLOCK_SFC, U, 2, false, false, 0, 0xFFFF, 0)              \
    X("Variant", NULL, S7T_SDT_VARIANT, U, 0, false, false, 0, 0, 0)

/* Parameters that reference the caller's data: an instance DB holds no value of them that a
 * client could read (docs/protocol.md, "FB interfaces"). Block_FB and Block_FC are block
 * numbers a client reads as UInt; the other block types have softdatatypes the client
 * library does not convert, so they are left out with the references. */
#define REF_ONLY(sd)                                                                 \
    ((sd) == S7T_SDT_VARIANT || (sd) == S7T_SDT_BLOCK_DB || (sd) == S7T_SDT_BLOCK_SDB || \
     (sd) == S7T_SDT_BLOCK_SFB || (sd) == S7T_SDT_BLOCK_SFC)
#define INFO(nm, al, sd, vk, sz, sg, tg, mn, mx, ml) \
    {nm, al, sd, (uint8_t)(vk), sz, sg, tg, REF_ONLY(sd), (int64_t)(mn), (uint64_t)(mx)},
#define TYPE(nm, al, sd, vk, sz, sg, tg, mn, mx, ml) \
    {.kind = S7T_ELEMENTARY, .sdt = sd, .name = nm, .max_len = ml, .leaves = 1},

static const elem_info infos[] = {ELEMS(INFO)};
static const s7t_type types[] = {ELEMS(TYPE)};
#define NELEMS (sizeof infos / sizeof infos[0])

static bool ieq_n(const char *name, const char *s, size_t n)
{
    size_t k = 0;
    for (; k < n; k++) {
        unsigned char a = (unsigned char)name[k], b = (unsigned char)s[k];
        if (!a) return false;
        if (a >= 'a' && a <= 'z') a = (unsigned char)(a - 32);
        if (b >= 'a' && b <= 'z') b = (unsigned char)(b - 32);
        if (a != b) return false;
    }
    return name[k] == '\0';
}

const elem_info *tia_elem_find(const char *name, size_t n)
{
    for (size_t k = 0; k < NELEMS; k++)
        if (ieq_n(infos[k].name, name, n) || (infos[k].alias && ieq_n(infos[k].alias, name, n)))
            return &infos[k];
    return NULL;
}

const elem_info *tia_elem_by_sdt(uint16_t sdt)
{
    for (size_t k = 0; k < NELEMS; k++)
        if (infos[k].sdt == sdt) return &infos[k];
    return NULL;
}

const s7t_type *tia_elem_type(const elem_info *e) { return &types[e - infos]; }

const elem_info *tia_elem_info_of(const s7t_type *t)
{
    if (!t || t->kind != S7T_ELEMENTARY) return NULL;
    if (t >= types && t < types + NELEMS) return &infos[t - types];
    return tia_elem_by_sdt(t->sdt);
}

s7t_vkind s7t_elem_vkind(const s7t_type *t)
{
    const elem_info *e = tia_elem_info_of(t);
    return e ? (s7t_vkind)e->vkind : (s7t_vkind)0;
}

unsigned s7t_elem_size(const s7t_type *t)
{
    const elem_info *e = tia_elem_info_of(t);
    if (!e) return 0;
    if (t->sdt == S7T_SDT_STRING) return t->max_len + 2u;
    if (t->sdt == S7T_SDT_WSTRING) return 2u * (t->max_len + 2u);
    return e->size;
}

bool s7t_is_system_type(const s7t_type *t)
{
    return t && t->kind == S7T_STRUCT && t->sdt != S7T_SDT_STRUCT;
}

const char *s7t_sdt_name(uint16_t sdt)
{
    if (sdt == S7T_SDT_STRUCT) return "Struct";
    const elem_info *e = tia_elem_by_sdt(sdt);
    return e ? e->name : NULL;
}

/* 1970-01-01-00:00:00 (a Thursday) as DTL. */
s7t_value tia_elem_zero(const s7t_type *t)
{
    s7t_value v;
    memset(&v, 0, sizeof v);
    const elem_info *e = tia_elem_info_of(t);
    v.kind = e ? e->vkind : S7T_V_UINT;
    if (v.kind == S7T_V_TEXT) {
        v.text.p = "";
    } else if (t->sdt == S7T_SDT_DT) {
        v.i = S7P_DAYS_1990 * S7P_NS_PER_DAY;  /* DT#1990-01-01-00:00:00 */
    } else if (t->sdt == S7T_SDT_DTL) {
        s7p_dtl_encode(0, v.bytes);            /* DTL#1970-01-01-00:00:00, a Thursday */
    }
    return v;
}

static size_t put(char *buf, size_t len, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static size_t put(char *buf, size_t len, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, fmt, ap);
    va_end(ap);
    return k > 0 ? at + (size_t)k : at;
}

size_t s7t_type_format(const s7t_type *t, char *buf, size_t len)
{
    size_t at = 0;
    if (len) buf[0] = '\0';
    switch (t->kind) {
    case S7T_ELEMENTARY:
        if ((t->sdt == S7T_SDT_STRING || t->sdt == S7T_SDT_WSTRING) &&
            t->max_len != S7T_STRING_DEFAULT_LEN)
            return put(buf, len, at, "%s[%u]", t->name, (unsigned)t->max_len);
        return put(buf, len, at, "%s", t->name);
    case S7T_ARRAY:
        at = put(buf, len, at, "Array[");
        for (unsigned k = 0; k < t->ndims; k++)
            at = put(buf, len, at, "%s%ld..%ld", k ? ", " : "", (long)t->dims[k].lo,
                     (long)((int64_t)t->dims[k].lo + t->dims[k].count - 1));
        at = put(buf, len, at, "] of ");
        return at + s7t_type_format(t->elem, at < len ? buf + at : NULL, at < len ? len - at : 0);
    case S7T_STRUCT:
        if (t->udt) return put(buf, len, at, "\"%s\"", t->udt->name);
        if (t->name) return put(buf, len, at, "%s", t->name);
        return put(buf, len, at, "Struct");
    }
    return put(buf, len, at, "?");
}

uint16_t s7t_s5time_encode(int64_t ms)
{
    if (ms < 0) ms = 0;
    if (ms > 9990000) ms = 9990000;
    static const int64_t unit[4] = {10, 100, 1000, 10000};
    unsigned base = 0;
    while (base < 3 && ms / unit[base] > 999) base++;
    unsigned v = (unsigned)(ms / unit[base]);
    return (uint16_t)(base << 12 | (v / 100) << 8 | (v / 10 % 10) << 4 | (v % 10));
}

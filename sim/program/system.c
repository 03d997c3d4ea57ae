/* SPDX-License-Identifier: MIT */
/* The system data types a TIA program uses without declaring them: the IEC timer and counter
 * structures (also as the instance data of the system FBs TON, CTU ...), CREF, NREF and
 * ErrorStruct. Softdatatypes and sizes are those a real S7-1511 reports (docs/protocol.md,
 * "System data types"); member names and order are TIA's; offsets inside a type are the
 * natural layout that fits the measured size (not seen on the wire). */
#include <string.h>

#include "program/prog_int.h"

typedef struct sys_member {
    const char *name;
    const char *type;             /* an elementary type, or NULL: the system type `nested` */
    uint16_t nested;
    uint16_t offset;              /* byte in a standard DB */
    uint8_t bit;                  /* Bools: bit in that byte */
} sys_member;

typedef struct sys_def {
    const char *name;
    uint16_t sdt;
    uint16_t size;
    const sys_member *m;
    size_t n;
} sys_def;

#define TIMER(T, o)                                                                        \
    {{"ST", T, 0, 0, 0}, {"PT", T, 0, o, 0}, {"ET", T, 0, 2 * (o), 0},                     \
     {"RU", "Bool", 0, 3 * (o), 0}, {"IN", "Bool", 0, 3 * (o), 1}, {"Q", "Bool", 0, 3 * (o), 2}}
#define COUNTER(T, pv, cv)                                                                 \
    {{"CU", "Bool", 0, 0, 0}, {"CD", "Bool", 0, 0, 1}, {"R", "Bool", 0, 0, 2},             \
     {"LD", "Bool", 0, 0, 3}, {"QU", "Bool", 0, 0, 4}, {"QD", "Bool", 0, 0, 5},            \
     {"PV", T, 0, pv, 0}, {"CV", T, 0, cv, 0}}

static const sys_member m_timer[] = TIMER("Time", 4);
static const sys_member m_ltimer[] = TIMER("LTime", 8);
static const sys_member m_scounter[] = COUNTER("SInt", 2, 3);
static const sys_member m_uscounter[] = COUNTER("USInt", 2, 3);
static const sys_member m_counter[] = COUNTER("Int", 2, 4);
static const sys_member m_ucounter[] = COUNTER("UInt", 2, 4);
static const sys_member m_dcounter[] = COUNTER("DInt", 4, 8);
static const sys_member m_udcounter[] = COUNTER("UDInt", 4, 8);
static const sys_member m_lcounter[] = COUNTER("LInt", 8, 16);
static const sys_member m_ulcounter[] = COUNTER("ULInt", 8, 16);
static const sys_member m_cref[] = {
    {"BLOCK_TYPE", "Byte", 0, 0, 0}, {"CB_NUMBER", "UInt", 0, 2, 0}, {"OFFSET", "UDInt", 0, 4, 0}};
static const sys_member m_nref[] = {
    {"AREA", "Byte", 0, 0, 0}, {"DB_NUMBER", "UInt", 0, 2, 0}, {"OFFSET", "UDInt", 0, 4, 0}};
static const sys_member m_error[] = {
    {"ERROR_ID", "Word", 0, 0, 0},          {"FLAGS", "Byte", 0, 2, 0},
    {"REACTION", "Byte", 0, 3, 0},          {"CODE_ADDRESS", NULL, S7T_SDT_CREF, 4, 0},
    {"MODE", "Byte", 0, 12, 0},             {"OPERAND_NUMBER", "UInt", 0, 14, 0},
    {"POINTER_NUMBER_LOCATION", "UInt", 0, 16, 0},
    {"SLOT_NUMBER_SCOPE", "UInt", 0, 18, 0}, {"DATA_ADDRESS", NULL, S7T_SDT_NREF, 20, 0}};

#define DEF(nm, sd, sz, arr) {nm, sd, sz, arr, sizeof arr / sizeof arr[0]}
static const sys_def defs[] = {
    DEF("IEC_TIMER", S7T_SDT_IEC_TIMER, 16, m_timer),
    DEF("IEC_LTIMER", S7T_SDT_IEC_LTIMER, 28, m_ltimer),
    DEF("IEC_SCOUNTER", S7T_SDT_IEC_SCOUNTER, 4, m_scounter),
    DEF("IEC_USCOUNTER", S7T_SDT_IEC_USCOUNTER, 4, m_uscounter),
    DEF("IEC_COUNTER", S7T_SDT_IEC_COUNTER, 6, m_counter),
    DEF("IEC_UCOUNTER", S7T_SDT_IEC_UCOUNTER, 6, m_ucounter),
    DEF("IEC_DCOUNTER", S7T_SDT_IEC_DCOUNTER, 12, m_dcounter),
    DEF("IEC_UDCOUNTER", S7T_SDT_IEC_UDCOUNTER, 12, m_udcounter),
    DEF("IEC_LCOUNTER", S7T_SDT_IEC_LCOUNTER, 24, m_lcounter),
    DEF("IEC_ULCOUNTER", S7T_SDT_IEC_ULCOUNTER, 24, m_ulcounter),
    DEF("CREF", S7T_SDT_CREF, 8, m_cref),
    DEF("NREF", S7T_SDT_NREF, 8, m_nref),
    DEF("ErrorStruct", S7T_SDT_ERROR_STRUCT, 28, m_error),
};
#define NDEFS (sizeof defs / sizeof defs[0])

/* Other names of the same data: the system FBs whose instance data they are (TIA writes
 * `t : TON_TIME;` for a multi-instance and `IEC_TIMER` for a timer in a DB) and the
 * dissector's spelling of ErrorStruct. */
static const struct { const char *name; uint16_t sdt; } aliases[] = {
    {"TP", S7T_SDT_IEC_TIMER}, {"TON", S7T_SDT_IEC_TIMER}, {"TOF", S7T_SDT_IEC_TIMER},
    {"TONR", S7T_SDT_IEC_TIMER}, {"TP_TIME", S7T_SDT_IEC_TIMER}, {"TON_TIME", S7T_SDT_IEC_TIMER},
    {"TOF_TIME", S7T_SDT_IEC_TIMER}, {"TONR_TIME", S7T_SDT_IEC_TIMER},
    {"TP_LTIME", S7T_SDT_IEC_LTIMER}, {"TON_LTIME", S7T_SDT_IEC_LTIMER},
    {"TOF_LTIME", S7T_SDT_IEC_LTIMER}, {"TONR_LTIME", S7T_SDT_IEC_LTIMER},
    {"CTU", S7T_SDT_IEC_COUNTER}, {"CTD", S7T_SDT_IEC_COUNTER}, {"CTUD", S7T_SDT_IEC_COUNTER},
    {"CTU_SINT", S7T_SDT_IEC_SCOUNTER}, {"CTD_SINT", S7T_SDT_IEC_SCOUNTER},
    {"CTUD_SINT", S7T_SDT_IEC_SCOUNTER}, {"CTU_USINT", S7T_SDT_IEC_USCOUNTER},
    {"CTD_USINT", S7T_SDT_IEC_USCOUNTER}, {"CTUD_USINT", S7T_SDT_IEC_USCOUNTER},
    {"CTU_INT", S7T_SDT_IEC_COUNTER}, {"CTD_INT", S7T_SDT_IEC_COUNTER},
    {"CTUD_INT", S7T_SDT_IEC_COUNTER}, {"CTU_UINT", S7T_SDT_IEC_UCOUNTER},
    {"CTD_UINT", S7T_SDT_IEC_UCOUNTER}, {"CTUD_UINT", S7T_SDT_IEC_UCOUNTER},
    {"CTU_DINT", S7T_SDT_IEC_DCOUNTER}, {"CTD_DINT", S7T_SDT_IEC_DCOUNTER},
    {"CTUD_DINT", S7T_SDT_IEC_DCOUNTER}, {"CTU_UDINT", S7T_SDT_IEC_UDCOUNTER},
    {"CTD_UDINT", S7T_SDT_IEC_UDCOUNTER}, {"CTUD_UDINT", S7T_SDT_IEC_UDCOUNTER},
    {"CTU_LINT", S7T_SDT_IEC_LCOUNTER}, {"CTD_LINT", S7T_SDT_IEC_LCOUNTER},
    {"CTUD_LINT", S7T_SDT_IEC_LCOUNTER}, {"CTU_ULINT", S7T_SDT_IEC_ULCOUNTER},
    {"CTD_ULINT", S7T_SDT_IEC_ULCOUNTER}, {"CTUD_ULINT", S7T_SDT_IEC_ULCOUNTER},
    {"Error_Struct", S7T_SDT_ERROR_STRUCT},
};

static bool ieq(const char *name, const char *s, size_t n)
{
    return strlen(name) == n && tia_name_eq_n(name, s, n);
}

static size_t def_index(uint16_t sdt)
{
    for (size_t k = 0; k < NDEFS; k++)
        if (defs[k].sdt == sdt) return k;
    return SIZE_MAX;
}

static size_t find_def(const char *s, size_t n)
{
    for (size_t k = 0; k < NDEFS; k++)
        if (ieq(defs[k].name, s, n)) return k;
    for (size_t k = 0; k < sizeof aliases / sizeof aliases[0]; k++)
        if (ieq(aliases[k].name, s, n)) return def_index(aliases[k].sdt);
    return SIZE_MAX;
}

static const s7t_type *build(pctx *c, size_t k, pos at)
{
    if (c->b->sys[k]) return c->b->sys[k];
    const sys_def *d = &defs[k];
    struct_type *st = s7p_arena_alloc(c->arena, sizeof *st);
    s7t_member *mem = s7p_arena_array(c->arena, d->n, sizeof *mem);
    const char **names = s7p_arena_array(c->arena, d->n, sizeof *names);
    if (!st || !mem || !names) {
        c->d->fatal = true;
        tia_perr(c, at, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < d->n; i++) {
        const sys_member *m = &d->m[i];
        mem[i].name = names[i] = m->name;
        if (m->type) {
            mem[i].type = tia_elem_type(tia_elem_find(m->type, strlen(m->type)));
        } else if (!(mem[i].type = build(c, def_index(m->nested), at))) {
            return NULL;
        }
        mem[i].comment = "";
        mem[i].lid = (uint32_t)(i + 1);
        mem[i].sys_offset = m->offset;
        mem[i].sys_bit = m->bit;
    }
    size_t dup;
    if (!tia_name_index_build(&st->ix, c->arena, names, d->n, &dup)) {
        c->d->fatal = true;
        tia_perr(c, at, "out of memory");
        return NULL;
    }
    st->names = names;
    st->t.kind = S7T_STRUCT;
    st->t.sdt = d->sdt;
    st->t.name = d->name;
    st->t.sys_size = d->size;
    st->t.members = mem;
    st->t.nmembers = d->n;
    c->b->sys[k] = &st->t;
    return &st->t;
}

const s7t_type *tia_system_type(pctx *c, const char *name, size_t n, pos at, bool *known)
{
    size_t k = find_def(name, n);
    *known = k != SIZE_MAX;
    return *known ? build(c, k, at) : NULL;
}

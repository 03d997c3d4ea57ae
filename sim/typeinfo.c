/* SPDX-License-Identifier: MIT */
/* Type-info RIDs and ClassTypeInfo objects (docs/protocol.md §3.2). */
#include "typeinfo.h"

#include <stdio.h>
#include <string.h>

#include "proto/symcrc.h"
#include "util/alloc.h"

/* Offset-info types, attribute flags (data-model spec: AttributeFlags). */
#define FLAG_HMI_VISIBLE 0x0800u
#define FLAG_HMI_ACCESSIBLE 0x0200u
#define FLAG_OPTIMIZED 0x0080u
#define FLAG_SECTION_SHIFT 4u      /* the member's interface section, bits 4..6 */
/* Softdatatype of a multi-instance (an FB declared in an FB's static data). */
#define SDT_MULTI_FB 21u
/* System data types have a type-info RID built into the firmware: this + softdatatype. */
#define SYSTEM_RID_BASE 0x02000000u
/* BitOffsetInfo: retentive member; member of a standard (classic) block. */
#define BITINFO_RETAIN 0x80u
#define BITINFO_CLASSIC 0x08u
/* A list block stays below this many bytes (its length is a u16). */
#define BLOCK_BYTES 60000u

typedef struct entry {
    const s7t_type *type;
    uint32_t *crcs;               /* each member's symbol-CRC segment, computed at load: a
                                   * read checks every tag's CRC, the name hashing is the
                                   * costly part */
    bool optimized;
    uint32_t size;                /* bytes of one instance in our (made-up) layout; the CPU's
                                   * size for system data types */
} entry;

struct sim_tinfo {
    entry *e;                     /* e[k] has RID base + k */
    uint32_t base;                /* SIM_TINFO_RID_BASE, moved on by each program reload */
    size_t n, cap;
    size_t *slots;                /* open addressing: index + 1 into e, 0 = free */
    size_t nslots;
};

/* ---- registry ---- */

static size_t hash_key(const s7t_type *t, bool optimized)
{
    uint64_t h = (uint64_t)(uintptr_t)t * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 17) ^ (optimized ? 0x5bd1e995u : 0u);
}

static size_t *find_slot(const sim_tinfo *t, const s7t_type *st, bool optimized)
{
    size_t mask = t->nslots - 1;
    for (size_t i = hash_key(st, optimized) & mask;; i = (i + 1) & mask) {
        size_t *s = &t->slots[i];
        if (*s == 0) return s;
        const entry *e = &t->e[*s - 1];
        if (e->type == st && e->optimized == optimized) return s;
    }
}

static bool rehash(sim_tinfo *t)
{
    size_t n = t->nslots ? t->nslots * 2 : 64;
    size_t *old = t->slots, oldn = t->nslots;
    t->slots = s7p_calloc(n, sizeof *t->slots);
    if (!t->slots) {
        t->slots = old;
        return false;
    }
    t->nslots = n;
    for (size_t i = 0; i < oldn; i++)
        if (old[i]) *find_slot(t, t->e[old[i] - 1].type, t->e[old[i] - 1].optimized) = old[i];
    s7p_free(old);
    return true;
}

/* A system data type has one type-info object whatever block it is in (its RID is fixed), so
 * it is registered once, as in a standard block, where its sizes were measured. */
static bool key_optimized(const s7t_type *st, bool optimized)
{
    return s7t_is_system_type(st) ? false : optimized;
}

static const entry *lookup(const sim_tinfo *t, const s7t_type *st, bool optimized)
{
    optimized = key_optimized(st, optimized);
    if (!t->nslots) return NULL;
    size_t s = *find_slot(t, st, optimized);
    return s ? &t->e[s - 1] : NULL;
}

static uint32_t sat32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

static uint64_t type_size(const sim_tinfo *t, const s7t_type *ty, bool optimized)
{
    if (ty->kind == S7T_ARRAY) return sat_mul(ty->count, type_size(t, ty->elem, optimized));
    if (ty->kind == S7T_STRUCT) {
        const entry *e = lookup(t, ty, optimized);
        return e ? e->size : 0;
    }
    unsigned n = s7t_elem_size(ty);
    return n ? n : 1;             /* a Bool takes a byte in this layout */
}

/* Registers a struct type and, first, every struct type below it (post-order, so the sizes
 * of members are known when the struct's own size is computed). */
static bool add_struct(sim_tinfo *t, const s7t_type *st, bool optimized)
{
    optimized = key_optimized(st, optimized);
    if (lookup(t, st, optimized)) return true;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        entry *e = s7p_realloc(t->e, cap * sizeof *e);
        if (!e) return false;
        t->e = e;
        t->cap = cap;
    }
    if ((t->n + 1) * 2 > t->nslots && !rehash(t)) return false;
    size_t k = t->n++;
    t->e[k].type = st;
    t->e[k].optimized = optimized;
    t->e[k].size = 0;
    t->e[k].crcs = s7p_malloc((st->nmembers ? st->nmembers : 1) * sizeof *t->e[k].crcs);
    if (!t->e[k].crcs) return false;
    for (size_t i = 0; i < st->nmembers; i++) t->e[k].crcs[i] = sim_member_crc(&st->members[i]);
    *find_slot(t, st, optimized) = k + 1;
    uint64_t size = 0;
    for (size_t i = 0; i < st->nmembers; i++) {
        const s7t_type *mt = st->members[i].type;
        const s7t_type *elem = mt->kind == S7T_ARRAY ? mt->elem : mt;
        if (elem->kind == S7T_STRUCT && !add_struct(t, elem, optimized)) return false;
        uint64_t ms = type_size(t, mt, optimized);
        size = size + ms < size ? UINT64_MAX : size + ms;
    }
    t->e[k].size = s7t_is_system_type(st) ? st->sys_size : sat32((size + 1) / 2 * 2);
    return true;
}

sim_tinfo *sim_tinfo_build(const s7t_program *p, char *err, size_t err_len)
{
    sim_tinfo *t = s7p_calloc(1, sizeof *t);
    bool ok = t && rehash(t);
    if (t) t->base = SIM_TINFO_RID_BASE;
    for (size_t i = 0; ok && i < s7t_program_db_count(p); i++) {
        const s7t_db *db = s7t_program_db(p, i);
        ok = add_struct(t, db->type, db->optimized);
    }
    if (!ok || t->n > 0x00FFFFFFu) {
        snprintf(err, err_len, "out of memory building type information");
        sim_tinfo_free(t);
        return NULL;
    }
    return t;
}

void sim_tinfo_free(sim_tinfo *t)
{
    if (!t) return;
    for (size_t k = 0; k < t->n; k++) s7p_free(t->e[k].crcs);
    s7p_free(t->e);
    s7p_free(t->slots);
    s7p_free(t);
}

void sim_tinfo_set_rid_base(sim_tinfo *t, uint32_t base) { t->base = base; }
size_t sim_tinfo_count(const sim_tinfo *t) { return t->n; }

static uint32_t entry_rid(const sim_tinfo *t, const entry *e)
{
    if (s7t_is_system_type(e->type)) return SYSTEM_RID_BASE + e->type->sdt;
    return t->base + (uint32_t)(e - t->e);
}

uint32_t sim_tinfo_rid_at(const sim_tinfo *t, size_t k) { return entry_rid(t, &t->e[k]); }

const uint32_t *sim_tinfo_member_crcs(const sim_tinfo *t, const s7t_type *st, bool optimized)
{
    const entry *e = lookup(t, st, optimized);
    return e ? e->crcs : NULL;
}

uint32_t sim_tinfo_rid(const sim_tinfo *t, const s7t_type *st, bool optimized)
{
    const entry *e = lookup(t, st, optimized);
    return e ? entry_rid(t, e) : 0;
}

/* The entry a type-info RID names, or NULL. */
static const entry *entry_of_rid(const sim_tinfo *t, uint32_t rid)
{
    if ((rid & 0xFFFF0000u) == SYSTEM_RID_BASE) {
        for (size_t k = 0; k < t->n; k++)
            if (s7t_is_system_type(t->e[k].type) && entry_rid(t, &t->e[k]) == rid) return &t->e[k];
        return NULL;
    }
    if (rid < t->base || rid - t->base >= t->n) return NULL;
    const entry *e = &t->e[rid - t->base];
    return s7t_is_system_type(e->type) ? NULL : e;
}

/* ---- type information objects ---- */

uint8_t sim_sdt(const s7t_type *elem)
{
    if (elem->kind == S7T_STRUCT) return S7T_SDT_STRUCT;
    return (uint8_t)elem->sdt;
}

uint32_t sim_member_crc(const s7t_member *m)
{
    const s7t_type *mt = m->type;
    bool is_array = mt->kind == S7T_ARRAY;
    const s7t_type *elem = is_array ? mt->elem : mt;
    return s7p_symcrc_segment(m->name, strlen(m->name), sim_sdt(elem), is_array,
                              is_array ? mt->dims[0].lo : 0);
}

static bool is_text(const s7t_type *elem)
{
    return elem->kind == S7T_ELEMENTARY &&
           (elem->sdt == S7T_SDT_STRING || elem->sdt == S7T_SDT_WSTRING);
}

static bool is_multi_instance(const s7t_type *mt)
{
    return mt->kind == S7T_STRUCT && mt->udt && mt->udt->fb;
}

static unsigned offset_info_type(const s7t_type *mt)
{
    if (is_multi_instance(mt)) return S7P_OIT_FB_SFB;
    if (mt->kind == S7T_STRUCT) return S7P_OIT_STRUCT;
    if (mt->kind == S7T_ARRAY && mt->elem->kind == S7T_STRUCT)
        return mt->ndims == 1 ? S7P_OIT_STRUCT1 : S7P_OIT_STRUCTM;
    if (mt->kind == S7T_ARRAY) return mt->ndims == 1 ? S7P_OIT_ARRAY1 : S7P_OIT_ARRAYM;
    return is_text(mt) ? S7P_OIT_STRING : S7P_OIT_STD;
}

/* Encoded bytes of one vartype element (typeinfo.c of the codec, stage by stage). */
static size_t vartype_bytes(unsigned oit)
{
    size_t n = 12 + (oit == S7P_OIT_STD ? 4 : 12);
    if (oit == S7P_OIT_ARRAY1 || oit == S7P_OIT_ARRAYM || oit == S7P_OIT_STRUCT1 ||
        oit == S7P_OIT_STRUCTM)
        n += 8;
    if (oit == S7P_OIT_ARRAYM || oit == S7P_OIT_STRUCTM) n += 8 * S7P_MAX_DIMS;
    if (oit == S7P_OIT_STRUCT1 || oit == S7P_OIT_STRUCTM) n += 8;
    if (oit == S7P_OIT_STRUCT || oit == S7P_OIT_STRUCT1 || oit == S7P_OIT_STRUCTM) n += 20;
    if (oit == S7P_OIT_FB_SFB) n += 28;
    return n;
}

static void describe(const sim_tinfo *t, const entry *e, const s7t_member *m, uint32_t offset,
                     s7p_vartype *v)
{
    const s7t_type *mt = m->type;
    const s7t_type *elem = mt->kind == S7T_ARRAY ? mt->elem : mt;
    unsigned oit = offset_info_type(mt);
    memset(v, 0, sizeof *v);
    v->lid = 8u + m->lid;
    v->symbol_crc = sim_member_crc(m);
    /* Structs announce 17, system data types their own id, multi-instances Multi_FB; the
     * symbol CRC takes 17 for all of them, as the client computes it. */
    v->softdatatype = is_multi_instance(mt) ? SDT_MULTI_FB
                      : elem->kind == S7T_STRUCT ? (uint8_t)elem->sdt : sim_sdt(elem);
    unsigned section = m->section ? m->section : S7T_SEC_STATIC;
    v->attr_flags = (uint16_t)(oit << 12 | FLAG_HMI_VISIBLE | FLAG_HMI_ACCESSIBLE |
                               section << FLAG_SECTION_SHIFT |
                               (e->optimized ? FLAG_OPTIMIZED : 0u));
    v->bit_offset_info = (uint8_t)((m->retain ? BITINFO_RETAIN : 0u) |
                                   (e->optimized ? 0u : BITINFO_CLASSIC));
    if (s7t_is_system_type(e->type)) {  /* the CPU's layout: Bools share a byte */
        offset = m->sys_offset;
        if (mt->kind == S7T_ELEMENTARY && mt->sdt == S7T_SDT_BOOL) v->bit_offset_info |= m->sys_bit;
    }
    /* Std elements carry 16-bit addresses; the others 32-bit ones. */
    v->opt_addr = v->nonopt_addr = oit == S7P_OIT_STD ? offset & 0xFFFFu : offset;
    if (is_text(elem)) v->info1 = elem->max_len;
    if (mt->kind == S7T_ARRAY) {
        v->lower_bound = mt->dims[0].lo;
        v->element_count = sat32(mt->count);
        if (mt->ndims > 1) {
            for (uint8_t d = 0; d < mt->ndims; d++) {
                v->mdim_lower[d] = mt->dims[mt->ndims - 1 - d].lo;
                v->mdim_count[d] = mt->dims[mt->ndims - 1 - d].count;
            }
        }
    }
    if (elem->kind == S7T_STRUCT) {
        const entry *se = lookup(t, elem, e->optimized);
        v->relation_id = sim_tinfo_rid(t, elem, e->optimized);
        if (mt->kind == S7T_ARRAY) v->nonopt_struct_size = v->opt_struct_size = se ? se->size : 0;
    }
}

static bool add_list(s7p_object *o, s7p_arena *a, uint8_t tag, void *list)
{
    s7p_obj_elem *el = s7p_arena_alloc(a, sizeof *el);
    if (!el) return false;
    el->tag = tag;
    if (tag == S7P_EL_VARTYPE_LIST) el->u.vartypes = list;
    else el->u.varnames = list;
    if (o->last) o->last->next = el; else o->first = el;
    o->last = el;
    o->nelems++;
    return true;
}

s7p_object *sim_tinfo_object(const sim_tinfo *t, uint32_t rid, s7p_arena *a, bool *found)
{
    const entry *e = entry_of_rid(t, rid);
    *found = e != NULL;
    if (!e) return NULL;
    const s7t_type *st = e->type;
    size_t n = st->nmembers;
    if (n > S7P_MAX_ITEMS) return NULL;
    s7p_vartype_list *vt = s7p_arena_alloc(a, sizeof *vt);
    s7p_varname_list *vn = s7p_arena_alloc(a, sizeof *vn);
    s7p_object *o = s7p_object_new(a, rid, SIM_CLASS_TYPE_INFO);
    if (!vt || !vn || !o) return NULL;
    vt->items = s7p_arena_array(a, n ? n : 1, sizeof *vt->items);
    vn->items = s7p_arena_array(a, n ? n : 1, sizeof *vn->items);
    if (!vt->items || !vn->items) return NULL;
    vt->n = vn->n = (uint32_t)n;
    uint64_t offset = 0;
    size_t vt_block = 4 + BLOCK_BYTES, vn_block = BLOCK_BYTES;  /* "full": the first item opens */
    for (size_t i = 0; i < n; i++) {
        const s7t_member *m = &st->members[i];
        s7p_vartype *v = &vt->items[i];
        describe(t, e, m, sat32(offset), v);
        offset += type_size(t, m->type, e->optimized);
        size_t vb = vartype_bytes((unsigned)(v->attr_flags >> 12));
        if (vt_block + vb > BLOCK_BYTES) {
            v->starts_block = true;
            vt_block = i == 0 ? 4 : 0;
        }
        vt_block += vb;
        s7p_varname *name = &vn->items[i];
        size_t len = strlen(m->name);
        name->name.p = (const uint8_t *)m->name;
        name->name.n = len > 255 ? 255 : len;
        if (vn_block + name->name.n + 2 > BLOCK_BYTES) {
            name->starts_block = true;
            vn_block = 0;
        }
        vn_block += name->name.n + 2;
    }
    if (!add_list(o, a, S7P_EL_VARTYPE_LIST, vt) || !add_list(o, a, S7P_EL_VARNAME_LIST, vn))
        return NULL;
    return o;
}

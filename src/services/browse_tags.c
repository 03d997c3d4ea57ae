/* SPDX-License-Identifier: MIT */
/* PLC tags of the tag tables (I, Q, M, S7 timers, S7 counters): browsing them and finding a
 * tag by its name (docs/protocol.md §3.6).
 *
 * A CPU describes each area's symbolic tags in one type-info object with a fixed RID
 * (0x90010000 I ... 0x90060000 C), read by Explore like a DB's type: one vartype and varname
 * element per tag, the element's LID addressing the tag under the area's native object
 * (80..84) and sub-area 3736 ControllerArea_ValueActual. An area the PLC refuses to explore
 * has no tag table; that is remembered for the cache's lifetime. */
#include <string.h>

#include "proto/symcrc.h"
#include "services/browse_int.h"

typedef struct tag_area {
    uint32_t native;              /* access area */
    uint32_t rid;                 /* type-info RID of its tag table */
    const char *letter;           /* s7p_browse_item.block */
} tag_area;

/* Browse order: as TIA lists the areas. */
static const tag_area AREAS[] = {
    {S7P_ID_I_AREA, 0x90010000u, "I"},      {S7P_ID_Q_AREA, 0x90020000u, "Q"},
    {S7P_ID_M_AREA, 0x90030000u, "M"},      {S7P_ID_S7_TIMERS, 0x90050000u, "T"},
    {S7P_ID_S7_COUNTERS, 0x90060000u, "C"},
};
#define NAREAS (sizeof AREAS / sizeof AREAS[0])

/* Lookup order of a name that is not a DB (the reference client's: M, Q, I, T, C); tag names
 * are unique over all tag tables, so the order only matters for a malformed program. */
static const uint8_t LOOKUP_ORDER[NAREAS] = {2, 1, 0, 3, 4};

unsigned s7p_tag_area_count(void) { return (unsigned)NAREAS; }

uint32_t s7p_tag_area_rid(unsigned k) { return k < NAREAS ? AREAS[k].rid : 0; }

bool s7p_tag_area_absent(const s7p_browse_cache *c, unsigned k)
{
    return (c->tag_areas_absent & (1u << k)) != 0;
}

bool s7p_browse_typeinfo_refused(s7p_browse_cache *c, uint32_t rid)
{
    for (unsigned k = 0; k < NAREAS; k++) {
        if (AREAS[k].rid != rid) continue;
        c->tag_areas_absent = (uint8_t)(c->tag_areas_absent | (1u << k));
        return true;
    }
    return false;
}

static bool name_eq(const char *a, size_t alen, const s7p_bytes *b, bool fold)
{
    if (alen != b->n) return false;
    if (!fold) return memcmp(a, b->p, alen) == 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = b->p[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y + 32);
        if (x != y) return false;
    }
    return true;
}

static bool has_name(const s7p_tinfo *t, const char *name, size_t len, bool fold)
{
    for (uint32_t k = 0; k < t->vn->n; k++)
        if (name_eq(name, len, &t->vn->items[k].name, fold)) return true;
    return false;
}

int s7p_tag_table_lookup(const s7p_browse_cache *c, const char *name, size_t len,
                         uint32_t *area, s7p_tinfo *out, s7p_browse_missing *m)
{
    const s7p_tinfo *types[NAREAS] = {NULL};
    memset(m, 0, sizeof *m);
    for (unsigned i = 0; i < NAREAS; i++) {
        unsigned k = LOOKUP_ORDER[i];
        if (s7p_tag_area_absent(c, k)) continue;
        types[i] = s7p_browse_cached(c, AREAS[k].rid);
        if (!types[i]) s7p_browse_missing_add(m, AREAS[k].rid);
    }
    m->needed = m->n;
    if (m->n) return -1;
    /* Exact spelling first in every area, then ignoring case (TIA's rule for names). */
    for (int fold = 0; fold < 2; fold++) {
        for (unsigned i = 0; i < NAREAS; i++) {
            if (!types[i] || !has_name(types[i], name, len, fold)) continue;
            *area = AREAS[LOOKUP_ORDER[i]].native;
            *out = *types[i];
            return 1;
        }
    }
    return 0;
}

/* One tag as a browse item: the whole tag (an array of elementary elements as one item). */
static bool emit_tag(s7p_browse_item *it, const tag_area *a, const s7p_vartype *v,
                     const s7p_varname *n, char *path, size_t cap, s7p_browse_fn fn, void *ctx)
{
    s7p_member_shape sh;
    s7p_vartype_shape(v, &sh);
    if (sh.is_struct) return true;  /* tag tables hold no structures */
    s7p_tag *t = &it->tag;
    memset(t, 0, sizeof *t);
    t->area = a->native;
    t->sub_area = S7P_ID_CONTROLLER_AREA_VALUE_ACTUAL;
    t->type = (s7p_type)(v->softdatatype == S7P_T_BBOOL ? S7P_T_BOOL : v->softdatatype);
    t->count = sh.is_array ? (uint32_t)(sh.total > UINT32_MAX ? UINT32_MAX : sh.total) : 0;
    t->str_max = sh.str_max;
    t->nlids = 1;
    t->lids[0] = v->lid;
    /* The tag's name is the one path level below the area, as a DB member below its DB. */
    uint32_t seg = s7p_symcrc_segment((const char *)n->name.p, n->name.n, v->softdatatype,
                                      sh.is_array, sh.lower[0]);
    t->symbol_crc = s7p_symcrc_path(&seg, 1);
    it->ndims = sh.is_array ? sh.ndims : 0;
    memcpy(it->lower, sh.lower, sizeof sh.lower);
    memcpy(it->dim_count, sh.count, sizeof sh.count);
    char name[256];
    size_t len = n->name.n < sizeof name - 1 ? n->name.n : sizeof name - 1;
    memcpy(name, n->name.p, len);
    name[len] = 0;
    s7p_format_block(path, cap, name);  /* TIA writes PLC tags quoted: "Start button" */
    it->symbol = path;
    it->block = a->letter;
    return fn(ctx, it);
}

bool s7p_tag_area_emit(const s7p_tinfo *t, unsigned k, s7p_browse_item *it, char *path,
                       size_t cap, s7p_browse_fn fn, void *ctx)
{
    /* The lists stay put in the cache's arena while the index may move. */
    const s7p_vartype_list *vt = t->vt;
    const s7p_varname_list *vn = t->vn;
    for (uint32_t i = 0; i < vt->n; i++)
        if (!emit_tag(it, &AREAS[k], &vt->items[i], &vn->items[i], path, cap, fn, ctx)) return false;
    return true;
}

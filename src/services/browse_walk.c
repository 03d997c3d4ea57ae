/* SPDX-License-Identifier: MIT */
/* The walk of a browse: a depth-first walk of the cached types into variables, block by block
 * (the DBs, then the tag tables), that never fetches anything. A block is emitted only when
 * every type it reaches is cached, so its items are streamed once, in order; otherwise the
 * step reports the RIDs it misses and the driver (s7p_browse_run, or an operation of the
 * event-driven engine) fetches them and steps again. */
#include <string.h>

#include "proto/symcrc.h"
#include "services/browse_int.h"
#include "services/program.h"

static size_t block_count(const s7p_browse_cache *c) { return c->ndbs + s7p_tag_area_count(); }

/* ---- what a block misses ---- */

/* The types a walk of rid at this depth reaches, as walk_type below goes (same depth limits,
 * no descent into an empty array): those not cached go into m. */
static void need_type(const s7p_browse_cache *c, uint32_t rid, int depth, s7p_browse_missing *m)
{
    const s7p_tinfo *t = s7p_browse_cached(c, rid);
    if (!t) {
        s7p_browse_missing_add(m, rid);
        return;
    }
    if (depth >= S7P_TAG_MAX_LIDS) return;
    const s7p_vartype_list *vt = t->vt;
    for (uint32_t k = 0; k < vt->n && m->n < S7P_BROWSE_MISSING_MAX; k++) {
        if (!s7p_vartype_has_members(&vt->items[k])) continue;
        s7p_member_shape sh;
        s7p_vartype_shape(&vt->items[k], &sh);
        if (sh.is_struct && sh.is_array) {
            if (depth + 3 <= S7P_TAG_MAX_LIDS && sh.total > 0)
                need_type(c, vt->items[k].relation_id, depth + 3, m);
        } else if (sh.is_struct) {
            need_type(c, vt->items[k].relation_id, depth + 1, m);
        }
    }
}

static void block_missing(const s7p_browse_cache *c, size_t b, s7p_browse_missing *m)
{
    if (b < c->ndbs) {
        if (c->dbs[b].type_rid) need_type(c, c->dbs[b].type_rid, 0, m);
        return;
    }
    unsigned k = (unsigned)(b - c->ndbs);
    uint32_t rid = s7p_tag_area_rid(k);
    if (!s7p_tag_area_absent(c, k) && !s7p_browse_cached(c, rid)) s7p_browse_missing_add(m, rid);
}

/* ---- emitting a DB ---- */

static void walk_type(s7p_browse_walk *w, const s7p_browse_cache *c, uint32_t rid,
                      size_t path_len, int depth);

static void emit(s7p_browse_walk *w, const s7p_vartype *v, size_t path_len, int depth)
{
    s7p_tag *t = &w->item.tag;
    s7p_member_shape sh;
    s7p_vartype_shape(v, &sh);
    t->type = (s7p_type)(v->softdatatype == S7P_T_BBOOL ? S7P_T_BOOL : v->softdatatype);
    t->count = sh.is_array ? (uint32_t)(sh.total > UINT32_MAX ? UINT32_MAX : sh.total) : 0;
    t->str_max = sh.str_max;
    t->nlids = (uint8_t)(depth + 1);
    t->symbol_crc = w->indexed ? 0 : s7p_symcrc_path(w->crcs, (size_t)depth + 1);
    w->item.ndims = sh.is_array ? sh.ndims : 0;
    memcpy(w->item.lower, sh.lower, sizeof sh.lower);
    memcpy(w->item.dim_count, sh.count, sizeof sh.count);
    w->path[path_len] = 0;
    w->item.symbol = w->path;
    if (!w->fn(w->ctx, &w->item)) w->stop = true;
}

/* Recurses into every element of an array of structs: path[i,j].member... */
static void walk_struct_array(s7p_browse_walk *w, const s7p_browse_cache *c, const s7p_vartype *v,
                              size_t path_len, int depth)
{
    s7p_member_shape sh;
    s7p_vartype_shape(v, &sh);
    if (depth + 3 > S7P_TAG_MAX_LIDS) return;
    bool was_indexed = w->indexed;
    w->indexed = true;
    for (uint64_t i = 0; i < sh.total && !w->stop; i++) {
        size_t n = path_len + s7p_format_index(w->path + path_len, sizeof w->path - path_len, &sh, i);
        w->item.tag.lids[depth + 1] = (uint32_t)s7p_linear_index(&sh, i);
        w->item.tag.lids[depth + 2] = 1;  /* the literal 1 between an element and its members */
        walk_type(w, c, v->relation_id, n, depth + 3);
    }
    w->indexed = was_indexed;
}

static void walk_member(s7p_browse_walk *w, const s7p_browse_cache *c, const s7p_vartype *v,
                        const s7p_varname *name, size_t path_len, int depth)
{
    if (depth >= S7P_TAG_MAX_LIDS) return;  /* deeper than any address can reach */
    size_t n = path_len + s7p_format_member(w->path + path_len, sizeof w->path - path_len,
                                            (const char *)name->name.p, name->name.n);
    s7p_member_shape sh;
    s7p_vartype_shape(v, &sh);
    w->item.tag.lids[depth] = v->lid;
    w->crcs[depth] = s7p_symcrc_segment((const char *)name->name.p, name->name.n,
                                        sh.is_struct ? 17 : v->softdatatype, sh.is_array,
                                        sh.lower[0]);
    if (sh.is_struct && sh.is_array) walk_struct_array(w, c, v, n, depth);
    else if (sh.is_struct) walk_type(w, c, v->relation_id, n, depth + 1);
    else emit(w, v, n, depth);
}

static void walk_type(s7p_browse_walk *w, const s7p_browse_cache *c, uint32_t rid,
                      size_t path_len, int depth)
{
    const s7p_tinfo *t = s7p_browse_cached(c, rid);
    if (!t) return;  /* not reached: the block's types were checked first */
    for (uint32_t k = 0; k < t->vt->n && !w->stop; k++)
        walk_member(w, c, &t->vt->items[k], &t->vn->items[k], path_len, depth);
}

static void emit_db(s7p_browse_walk *w, const s7p_browse_cache *c, size_t i)
{
    const s7p_db_entry *db = &c->dbs[i];
    if (!db->type_rid) return;  /* e.g. a DB only in load memory */
    w->item.block = db->name;
    w->item.tag.area = db->relid;
    w->item.tag.sub_area = S7P_ID_DB_VALUE_ACTUAL;
    size_t n = s7p_format_block(w->path, sizeof w->path, db->name);
    walk_type(w, c, db->type_rid, n, 0);
    w->item.blocks_done = (uint32_t)i + 1;
}

static void emit_area(s7p_browse_walk *w, const s7p_browse_cache *c, unsigned k)
{
    if (k == 0) w->item.blocks_done = (uint32_t)c->ndbs;
    const s7p_tinfo *t = s7p_tag_area_absent(c, k) ? NULL : s7p_browse_cached(c, s7p_tag_area_rid(k));
    if (t && !s7p_tag_area_emit(t, k, &w->item, w->path, sizeof w->path, w->fn, w->ctx))
        w->stop = true;
    w->item.blocks_done++;
}

/* ---- the step ---- */

void s7p_browse_walk_init(s7p_browse_walk *w, const s7p_browse_cache *c, s7p_browse_fn fn,
                          void *ctx)
{
    memset(w, 0, sizeof *w);
    w->fn = fn;
    w->ctx = ctx;
    w->item.blocks_total = (uint32_t)c->ndbs + s7p_tag_area_count();
    w->item.tag.program_stamp = s7p_program_stamp(c);
}

s7p_walk_result s7p_browse_walk_step(s7p_browse_walk *w, const s7p_browse_cache *c,
                                     s7p_browse_missing *m)
{
    size_t nblocks = block_count(c);
    memset(m, 0, sizeof *m);
    while (!w->stop && w->block < nblocks) {
        block_missing(c, w->block, m);
        if (m->n) {
            m->needed = m->n;
            for (size_t b = w->block + 1; b < nblocks && b - w->block <= w->ahead &&
                                          m->n < S7P_BROWSE_MISSING_MAX; b++)
                block_missing(c, b, m);
            return S7P_WALK_NEED;
        }
        if (w->block < c->ndbs) emit_db(w, c, w->block);
        else emit_area(w, c, (unsigned)(w->block - c->ndbs));
        w->block++;
    }
    return S7P_WALK_DONE;
}

/* SPDX-License-Identifier: MIT */
/* Browsing: the DB list, each DB's type-info RID and type information per RID (cached), each
 * as a request builder and an answer taker (browse_op.c runs them). The walk of the
 * types into variables is in browse_walk.c. */
#include "services/browse.h"

#include <stdio.h>
#include <string.h>

#include "services/browse_int.h"
#include "util/alloc.h"
#include "util/utf8.h"
#include "util/clock.h"

#define CACHE_ARENA_LIMIT ((size_t)1 << 30)

void s7p_browse_cache_init(s7p_browse_cache *c)
{
    memset(c, 0, sizeof *c);
    s7p_arena_init(&c->arena, CACHE_ARENA_LIMIT);
}

void s7p_browse_cache_clear(s7p_browse_cache *c)
{
    uint32_t request_ms = c->request_ms;
    s7p_arena_release(&c->arena);
    s7p_free(c->types);
    s7p_free(c->dbs);
    s7p_browse_cache_init(c);
    c->request_ms = request_ms;
}

void s7p_browse_cache_trim(s7p_browse_cache *c, size_t budget)
{
    if (c->arena.total <= budget) return;
    s7p_arena_release(&c->arena);
    s7p_arena_init(&c->arena, CACHE_ARENA_LIMIT);
    c->ntypes = 0;  /* the DB list and what the PLC refused are kept: they are not in the arena */
}

/* The browse timeout bounds a whole browse; each request in it is bounded by the request
 * timeout as well, so a PLC that stops answering fails the call within one request timeout. */
int64_t s7p_browse_request_deadline(const s7p_browse_cache *c, int64_t deadline)
{
    if (!c->request_ms) return deadline;
    int64_t own = s7p_deadline_in(c->request_ms);
    return own < deadline ? own : deadline;
}

/* ---- type information cache ---- */

static size_t lower_bound(const s7p_browse_cache *c, uint32_t rid)
{
    size_t lo = 0, hi = c->ntypes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->types[mid].rid < rid) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static s7p_status cache_put(s7p_browse_cache *c, const s7p_tinfo *t)
{
    if (c->ntypes == c->cap_types) {
        size_t cap = c->cap_types ? c->cap_types * 2 : 64;
        s7p_tinfo *n = s7p_realloc(c->types, cap * sizeof *n);
        if (!n) return S7P_E_NOMEM;
        c->types = n;
        c->cap_types = cap;
    }
    size_t at = lower_bound(c, t->rid);
    memmove(c->types + at + 1, c->types + at, (c->ntypes - at) * sizeof *c->types);
    c->types[at] = *t;
    c->ntypes++;
    return S7P_OK;
}

/* The object carrying the type's lists: the one whose RelId is the RID, else any with lists. */
static const s7p_object *find_typeinfo(const s7p_object *o, uint32_t rid, int depth)
{
    if (depth > 8) return NULL;
    if (s7p_object_vartypes(o) && s7p_object_varnames(o) && o->rel_id == rid) return o;
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        if (e->tag != S7P_EL_START_OBJECT) continue;
        const s7p_object *hit = find_typeinfo(e->u.child, rid, depth + 1);
        if (hit) return hit;
    }
    return NULL;
}

s7p_status s7p_browse_cache_add(s7p_browse_cache *c, const s7p_tinfo *t)
{
    return s7p_browse_cached(c, t->rid) ? S7P_OK : cache_put(c, t);
}

const s7p_tinfo *s7p_browse_cached(const s7p_browse_cache *c, uint32_t rid)
{
    size_t at = lower_bound(c, rid);
    return at < c->ntypes && c->types[at].rid == rid ? &c->types[at] : NULL;
}

/* An Explore of one object; the block (and its attribute list) lives in `a`. */
static s7p_status explore_request(s7p_session *s, s7p_arena *a, s7p_pdu *req, uint32_t id,
                                  uint8_t recursive, const uint32_t *attrs, uint8_t nattrs)
{
    s7p_explore_block *blk = s7p_arena_alloc(a, sizeof *blk);
    uint32_t *copy = nattrs ? s7p_arena_array(a, nattrs, sizeof *copy) : NULL;
    s7p_session_init_request(s, req, S7P_FC_EXPLORE, true);
    if (!blk || (nattrs && !copy)) return S7P_E_NOMEM;
    memset(blk, 0, sizeof *blk);
    if (nattrs) memcpy(copy, attrs, nattrs * sizeof *copy);
    blk->address_count = nattrs;
    blk->addresses = copy;
    req->req.explore.explore_id = id;
    req->req.explore.children_recursive = recursive;
    req->req.explore.unknown = 1;
    req->req.explore.blocks = blk;
    req->req.explore.nblocks = 1;
    return S7P_OK;
}

s7p_status s7p_browse_explore_build(s7p_session *s, s7p_arena *a, s7p_pdu *req, uint32_t id,
                                    bool recursive, const uint32_t *attrs, uint8_t nattrs,
                                    s7p_fail *f)
{
    s7p_status st = explore_request(s, a, req, id, recursive ? 1 : 0, attrs, nattrs);
    return st == S7P_OK ? st : s7p_fail_set(f, st, "explore");
}

/* ---- type information ---- */

s7p_status s7p_browse_typeinfo_build(s7p_session *s, uint32_t rid, s7p_arena *a, s7p_pdu *req,
                                     s7p_fail *f)
{
    if (explore_request(s, a, req, rid, 0, NULL, 0) != S7P_OK)
        return s7p_fail_set(f, S7P_E_NOMEM, "type information 0x%08x", rid);
    return S7P_OK;
}

s7p_status s7p_browse_typeinfo_take(s7p_browse_cache *c, uint32_t rid, const s7p_pdu *resp,
                                    s7p_fail *f)
{
    if (s7p_ret_code(resp->ret) < 0) {
        f->plc_return = resp->ret;
        return s7p_fail_set(f, S7P_E_PLC, "type information 0x%08x: PLC refused: code %d", rid,
                            s7p_ret_code(resp->ret));
    }
    if (s7p_browse_cached(c, rid)) return S7P_OK;  /* an answer that came twice */
    const s7p_object *o = NULL;
    for (uint32_t i = 0; i < resp->resp.explore.objects.n && !o; i++)
        o = find_typeinfo(resp->resp.explore.objects.items[i], rid, 0);
    if (!o || s7p_object_vartypes(o)->n != s7p_object_varnames(o)->n)
        return s7p_fail_set(f, S7P_E_PROTOCOL, "type information 0x%08x without matching lists", rid);
    s7p_tinfo t = {rid, s7p_object_vartypes(o), s7p_object_varnames(o)};
    s7p_status st = cache_put(c, &t);
    return st == S7P_OK ? st : s7p_fail_set(f, st, "type cache");
}

void s7p_browse_missing_add(s7p_browse_missing *m, uint32_t rid)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->rid[i] == rid) return;
    if (m->n < S7P_BROWSE_MISSING_MAX) m->rid[m->n++] = rid;
}

/* ---- DB list ---- */

static s7p_status add_db(s7p_browse_cache *c, const s7p_object *o)
{
    if (c->ndbs == c->cap_dbs) {
        size_t ncap = c->cap_dbs ? c->cap_dbs * 2 : 32;
        s7p_db_entry *n = s7p_realloc(c->dbs, ncap * sizeof *n);
        if (!n) return S7P_E_NOMEM;
        c->dbs = n;
        c->cap_dbs = ncap;
    }
    s7p_db_entry *d = &c->dbs[c->ndbs++];
    memset(d, 0, sizeof *d);
    d->relid = o->rel_id;
    d->number = o->rel_id & 0xFFFFu;
    const s7p_value *name = s7p_object_attr(o, S7P_ID_OBJECT_VARIABLE_TYPE_NAME);
    if (name && name->type == S7P_DT_WSTRING && !s7p_value_is_array(name)) {
        s7p_utf8_copy(d->name, sizeof d->name, (const char *)name->v.s.p, name->v.s.n);
    } else {
        snprintf(d->name, sizeof d->name, "DB%u", d->number);
    }
    return S7P_OK;
}

static s7p_status collect_dbs(s7p_browse_cache *c, const s7p_object *o, int depth)
{
    if (depth > 8) return S7P_OK;
    if (o->class_id == S7P_ID_DB_CLASS_RID && (o->rel_id >> 16) == (S7P_DB_AREA_BASE >> 16)) {
        s7p_status st = add_db(c, o);
        if (st != S7P_OK) return st;
    }
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        if (e->tag != S7P_EL_START_OBJECT) continue;
        s7p_status st = collect_dbs(c, e->u.child, depth + 1);
        if (st != S7P_OK) return st;
    }
    return S7P_OK;
}

s7p_status s7p_browse_dbs_build(s7p_session *s, s7p_arena *a, s7p_pdu *req, s7p_fail *f)
{
    static const uint32_t wanted[3] = {S7P_ID_OBJECT_VARIABLE_TYPE_NAME, S7P_ID_BLOCK_BLOCK_NUMBER,
                                       4288 /* ASObjectES_Comment */};
    if (explore_request(s, a, req, S7P_ID_PLC_PROGRAM, 1, wanted, 3) != S7P_OK)
        return s7p_fail_set(f, S7P_E_NOMEM, "list of blocks");
    return S7P_OK;
}

s7p_status s7p_browse_dbs_take(s7p_browse_cache *c, const s7p_pdu *resp, int32_t tags_per_read,
                               s7p_fail *f)
{
    c->ndbs = 0;  /* a list taken again replaces the one before */
    c->have_dbs = false;
    c->rids_per_request = tags_per_read > 0 ? (uint32_t)tags_per_read : 20;
    if (s7p_ret_code(resp->ret) < 0) {
        f->plc_return = resp->ret;
        return s7p_fail_set(f, S7P_E_PLC, "list of blocks: PLC refused: code %d",
                            s7p_ret_code(resp->ret));
    }
    for (uint32_t i = 0; i < resp->resp.explore.objects.n; i++) {
        s7p_status st = collect_dbs(c, resp->resp.explore.objects.items[i], 0);
        if (st != S7P_OK) return s7p_fail_set(f, st, "list of blocks");
    }
    return S7P_OK;
}

size_t s7p_browse_rids_requests(const s7p_browse_cache *c)
{
    size_t per = c->rids_per_request ? c->rids_per_request : 20;
    return (c->ndbs + per - 1) / per;
}

/* The DBs whose type ids request k reads. */
static s7p_db_entry *rid_batch(const s7p_browse_cache *c, size_t k, uint32_t *n)
{
    size_t per = c->rids_per_request ? c->rids_per_request : 20;
    size_t first = k * per;
    *n = (uint32_t)(c->ndbs - first < per ? c->ndbs - first : per);
    return c->dbs + first;
}

/* Each DB's LID 1 under DB_ValueActual is the RID of its type information. */
s7p_status s7p_browse_rids_build(s7p_session *s, const s7p_browse_cache *c, size_t k,
                                 s7p_arena *a, s7p_pdu *req, s7p_fail *f)
{
    uint32_t n;
    const s7p_db_entry *dbs = rid_batch(c, k, &n);
    s7p_item_address *items = s7p_arena_array(a, n, sizeof *items);
    uint32_t *lid1 = s7p_arena_alloc(a, sizeof *lid1);
    s7p_session_init_request(s, req, S7P_FC_GET_MULTI_VARIABLES, true);
    if (!items || !lid1 || !s7p_qualifier_default(&req->qualifier, a))
        return s7p_fail_set(f, S7P_E_NOMEM, "type ids");
    *lid1 = 1;
    for (uint32_t i = 0; i < n; i++)
        items[i] = (s7p_item_address){0, dbs[i].relid, S7P_ID_DB_VALUE_ACTUAL, 1, lid1};
    req->req.get_multi.item_count = n;
    req->req.get_multi.nfields = n * s7p_item_address_fields(&items[0]);
    req->req.get_multi.addresses = items;
    return S7P_OK;
}

s7p_status s7p_browse_rids_take(s7p_browse_cache *c, size_t k, const s7p_pdu *resp, s7p_fail *f)
{
    uint32_t n;
    s7p_db_entry *dbs = rid_batch(c, k, &n);
    if (resp->ret_only) {
        f->plc_return = resp->ret;
        return s7p_fail_set(f, S7P_E_PLC, "type ids of the blocks: PLC refused: code %d",
                            s7p_ret_code(resp->ret));
    }
    for (const s7p_member *m = resp->resp.get_multi.values.first; m; m = m->next)
        if (m->id >= 1 && m->id <= n && m->value.type == S7P_DT_RID && !s7p_value_is_array(&m->value))
            dbs[m->id - 1].type_rid = (uint32_t)m->value.v.u;
    return S7P_OK;
}

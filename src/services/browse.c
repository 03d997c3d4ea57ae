/* Browsing: the DB list, each DB's type-info RID, type information per RID (cached), and a
 * depth-first walk of the types into variables. */
#include "services/browse.h"

#include <stdio.h>
#include <string.h>

#include "proto/symcrc.h"
#include "services/browse_int.h"
#include "services/program.h"
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

static void explore_request(s7p_session *s, s7p_pdu *req, s7p_explore_block *blk,
                            uint32_t id, uint8_t recursive, uint32_t *attrs, uint8_t nattrs)
{
    s7p_session_init_request(s, req, S7P_FC_EXPLORE, true);
    memset(blk, 0, sizeof *blk);
    blk->address_count = nattrs;
    blk->addresses = attrs;
    req->req.explore.explore_id = id;
    req->req.explore.children_recursive = recursive;
    req->req.explore.unknown = 1;
    req->req.explore.blocks = blk;
    req->req.explore.nblocks = 1;
}

s7p_status s7p_browse_typeinfo(s7p_session *s, s7p_browse_cache *c, uint32_t rid,
                               int64_t deadline, const s7p_tinfo **out, s7p_fail *f)
{
    size_t at = lower_bound(c, rid);
    if (at < c->ntypes && c->types[at].rid == rid) {
        *out = &c->types[at];
        return S7P_OK;
    }
    s7p_pdu req, resp;
    s7p_explore_block blk;
    explore_request(s, &req, &blk, rid, 0, NULL, 0);
    s7p_status st = s7p_session_call_kept(s, &req, &c->arena, &resp,
                                          s7p_browse_request_deadline(c, deadline), f);
    if (st != S7P_OK) return st;
    if (s7p_ret_code(resp.ret) < 0) {
        f->plc_return = resp.ret;
        return s7p_fail_set(f, S7P_E_PLC, "type information 0x%08x: PLC refused: code %d", rid,
                            s7p_ret_code(resp.ret));
    }
    const s7p_object *o = NULL;
    for (uint32_t i = 0; i < resp.resp.explore.objects.n && !o; i++)
        o = find_typeinfo(resp.resp.explore.objects.items[i], rid, 0);
    if (!o || s7p_object_vartypes(o)->n != s7p_object_varnames(o)->n)
        return s7p_fail_set(f, S7P_E_PROTOCOL, "type information 0x%08x without matching lists", rid);
    s7p_tinfo t = {rid, s7p_object_vartypes(o), s7p_object_varnames(o)};
    if ((st = cache_put(c, &t)) != S7P_OK) return s7p_fail_set(f, st, "type cache");
    return s7p_browse_typeinfo(s, c, rid, deadline, out, f);
}

/* ---- DB list ---- */

static s7p_status add_db(s7p_browse_cache *c, const s7p_object *o, size_t *cap)
{
    if (c->ndbs == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        s7p_db_entry *n = s7p_realloc(c->dbs, ncap * sizeof *n);
        if (!n) return S7P_E_NOMEM;
        c->dbs = n;
        *cap = ncap;
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

static s7p_status collect_dbs(s7p_browse_cache *c, const s7p_object *o, size_t *cap, int depth)
{
    if (depth > 8) return S7P_OK;
    if (o->class_id == S7P_ID_DB_CLASS_RID && (o->rel_id >> 16) == (S7P_DB_AREA_BASE >> 16)) {
        s7p_status st = add_db(c, o, cap);
        if (st != S7P_OK) return st;
    }
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        if (e->tag != S7P_EL_START_OBJECT) continue;
        s7p_status st = collect_dbs(c, e->u.child, cap, depth + 1);
        if (st != S7P_OK) return st;
    }
    return S7P_OK;
}

static s7p_status read_type_rids(s7p_session *s, s7p_browse_cache *c, int64_t deadline,
                                 s7p_fail *f);

s7p_status s7p_browse_dbs(s7p_session *s, s7p_browse_cache *c, int64_t deadline, s7p_fail *f)
{
    if (c->have_dbs) return S7P_OK;
    static const uint32_t wanted[3] = {S7P_ID_OBJECT_VARIABLE_TYPE_NAME, S7P_ID_BLOCK_BLOCK_NUMBER,
                                       4288 /* ASObjectES_Comment */};
    uint32_t attrs[3] = {wanted[0], wanted[1], wanted[2]};
    s7p_pdu req, resp;
    s7p_explore_block blk;
    s7p_arena a;
    s7p_arena_init(&a, (size_t)256 << 20);
    explore_request(s, &req, &blk, S7P_ID_PLC_PROGRAM, 1, attrs, 3);
    s7p_status st = s7p_session_call(s, &req, &a, &resp, s7p_browse_request_deadline(c, deadline),
                                     f);
    if (st == S7P_OK && s7p_ret_code(resp.ret) < 0) {
        f->plc_return = resp.ret;
        st = s7p_fail_set(f, S7P_E_PLC, "list of blocks: PLC refused: code %d", s7p_ret_code(resp.ret));
    }
    size_t cap = 0;
    for (uint32_t i = 0; st == S7P_OK && i < resp.resp.explore.objects.n; i++)
        if ((st = collect_dbs(c, resp.resp.explore.objects.items[i], &cap, 0)) != S7P_OK)
            s7p_fail_set(f, st, "list of blocks");
    s7p_arena_release(&a);
    if (st == S7P_OK) st = read_type_rids(s, c, deadline, f);
    c->have_dbs = st == S7P_OK;
    return st;
}

/* Each DB's LID 1 under DB_ValueActual is the RID of its type information. */
static s7p_status read_rid_batch(s7p_session *s, s7p_db_entry *dbs, uint32_t n, int64_t deadline,
                                 s7p_fail *f)
{
    s7p_arena a;
    s7p_pdu req, resp;
    s7p_arena_init(&a, (size_t)16 << 20);
    s7p_item_address *items = s7p_arena_array(&a, n, sizeof *items);
    uint32_t *lid1 = s7p_arena_alloc(&a, sizeof *lid1);
    s7p_session_init_request(s, &req, S7P_FC_GET_MULTI_VARIABLES, true);
    if (!items || !lid1 || !s7p_qualifier_default(&req.qualifier, &a)) {
        s7p_arena_release(&a);
        return s7p_fail_set(f, S7P_E_NOMEM, "type ids");
    }
    *lid1 = 1;
    for (uint32_t i = 0; i < n; i++)
        items[i] = (s7p_item_address){0, dbs[i].relid, S7P_ID_DB_VALUE_ACTUAL, 1, lid1};
    req.req.get_multi.item_count = n;
    req.req.get_multi.nfields = n * s7p_item_address_fields(&items[0]);
    req.req.get_multi.addresses = items;
    s7p_status st = s7p_session_call(s, &req, &a, &resp, deadline, f);
    if (st == S7P_OK && resp.ret_only) {
        f->plc_return = resp.ret;
        st = s7p_fail_set(f, S7P_E_PLC, "type ids of the blocks: PLC refused: code %d",
                          s7p_ret_code(resp.ret));
    }
    for (const s7p_member *m = st == S7P_OK ? resp.resp.get_multi.values.first : NULL; m; m = m->next)
        if (m->id >= 1 && m->id <= n && m->value.type == S7P_DT_RID && !s7p_value_is_array(&m->value))
            dbs[m->id - 1].type_rid = (uint32_t)m->value.v.u;
    s7p_arena_release(&a);
    return st;
}

static s7p_status read_type_rids(s7p_session *s, s7p_browse_cache *c, int64_t deadline,
                                 s7p_fail *f)
{
    uint32_t per = s->limits.tags_per_read > 0 ? (uint32_t)s->limits.tags_per_read : 20;
    for (size_t i = 0; i < c->ndbs; i += per) {
        uint32_t n = (uint32_t)(c->ndbs - i < per ? c->ndbs - i : per);
        s7p_status st = read_rid_batch(s, c->dbs + i, n,
                                       s7p_browse_request_deadline(c, deadline), f);
        if (st != S7P_OK) return st;
    }
    return S7P_OK;
}

/* ---- walking types into variables ---- */

typedef struct walker {
    s7p_session *s;
    s7p_browse_cache *c;
    s7p_browse_fn fn;
    void *ctx;
    int64_t deadline;
    s7p_fail *f;
    s7p_browse_item item;
    char path[2048];
    uint32_t crcs[S7P_TAG_MAX_LIDS];  /* inner CRC per path segment */
    bool indexed;                     /* an array index is in the path: no symbol CRC */
    bool stop;
} walker;

static s7p_status walk_type(walker *w, uint32_t rid, size_t path_len, int depth);

static void emit(walker *w, const s7p_vartype *v, size_t path_len, int depth)
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
static s7p_status walk_struct_array(walker *w, const s7p_vartype *v, size_t path_len, int depth)
{
    s7p_member_shape sh;
    s7p_vartype_shape(v, &sh);
    if (depth + 3 > S7P_TAG_MAX_LIDS) return S7P_OK;
    bool was_indexed = w->indexed;
    w->indexed = true;
    for (uint64_t i = 0; i < sh.total && !w->stop; i++) {
        size_t n = path_len + s7p_format_index(w->path + path_len, sizeof w->path - path_len, &sh, i);
        w->item.tag.lids[depth + 1] = (uint32_t)s7p_linear_index(&sh, i);
        w->item.tag.lids[depth + 2] = 1;  /* the literal 1 between an element and its members */
        s7p_status st = walk_type(w, v->relation_id, n, depth + 3);
        if (st != S7P_OK) return st;
    }
    w->indexed = was_indexed;
    return S7P_OK;
}

static s7p_status walk_member(walker *w, const s7p_vartype *v, const s7p_varname *name,
                              size_t path_len, int depth)
{
    if (depth >= S7P_TAG_MAX_LIDS) return S7P_OK;  /* deeper than any address can reach */
    size_t n = path_len + s7p_format_member(w->path + path_len, sizeof w->path - path_len,
                                            (const char *)name->name.p, name->name.n);
    s7p_member_shape sh;
    s7p_vartype_shape(v, &sh);
    w->item.tag.lids[depth] = v->lid;
    w->crcs[depth] = s7p_symcrc_segment((const char *)name->name.p, name->name.n,
                                        sh.is_struct ? 17 : v->softdatatype, sh.is_array,
                                        sh.lower[0]);
    if (sh.is_struct && sh.is_array) return walk_struct_array(w, v, n, depth);
    if (sh.is_struct) return walk_type(w, v->relation_id, n, depth + 1);
    emit(w, v, n, depth);
    return S7P_OK;
}

static s7p_status walk_type(walker *w, uint32_t rid, size_t path_len, int depth)
{
    const s7p_tinfo *t;
    s7p_status st = s7p_browse_typeinfo(w->s, w->c, rid, w->deadline, &t, w->f);
    if (st != S7P_OK) return st;
    /* The lists live in the cache's arena and stay put while the cache index grows. */
    const s7p_vartype_list *vt = t->vt;
    const s7p_varname_list *vn = t->vn;
    for (uint32_t k = 0; k < vt->n && !w->stop; k++)
        if ((st = walk_member(w, &vt->items[k], &vn->items[k], path_len, depth)) != S7P_OK) return st;
    return S7P_OK;
}

s7p_status s7p_browse_run(s7p_session *s, s7p_browse_cache *c, s7p_browse_fn fn, void *ctx,
                          int64_t deadline, s7p_fail *f)
{
    s7p_status st = s7p_browse_dbs(s, c, deadline, f);
    if (st != S7P_OK) return st;
    walker w;
    memset(&w, 0, sizeof w);
    w.s = s;
    w.c = c;
    w.fn = fn;
    w.ctx = ctx;
    w.deadline = deadline;
    w.f = f;
    w.item.blocks_total = (uint32_t)c->ndbs + s7p_tag_area_count();
    w.item.tag.program_stamp = s7p_program_stamp(c);
    for (size_t i = 0; i < c->ndbs && !w.stop; i++) {
        const s7p_db_entry *db = &c->dbs[i];
        if (!db->type_rid) continue;  /* e.g. a DB only in load memory */
        w.item.block = db->name;
        w.item.tag.area = db->relid;
        w.item.tag.sub_area = S7P_ID_DB_VALUE_ACTUAL;
        size_t n = s7p_format_block(w.path, sizeof w.path, db->name);
        if ((st = walk_type(&w, db->type_rid, n, 0)) != S7P_OK) return st;
        w.item.blocks_done = (uint32_t)i + 1;
    }
    w.item.blocks_done = (uint32_t)c->ndbs;
    if (w.stop) return S7P_OK;
    return s7p_browse_tag_tables(s, c, fn, ctx, &w.item, &w.stop, deadline, f);
}

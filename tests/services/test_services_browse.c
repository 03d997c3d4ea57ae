/* SPDX-License-Identifier: MIT */
/* The I/O-free cores of browsing, symbol resolution and the program guard
 * (src/services/browse*.c, symbol.c, program.c): the DB list and type ids taken from
 * hand-built answers, the walk reporting the type-info RIDs it misses and then emitting items
 * from a cache filled by hand, the resolve step, the marker request and its taker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/ids.h"
#include "services/browse_int.h"
#include "services/program.h"

#define DB1 (S7P_DB_AREA_BASE + 1u)
#define DB2 (S7P_DB_AREA_BASE + 2u)
#define T_DB1 0x91000001u   /* type of DB1: a Int, s Struct(T_S), arr Array[0..1] of T_E */
#define T_S 0x91000002u     /* x Bool */
#define T_E 0x91000003u     /* y Real */
#define T_DB2 0x91000004u   /* z Int */
#define AREA_I 0x90010000u
#define AREA_Q 0x90020000u
#define AREA_M 0x90030000u
#define AREA_T 0x90050000u
#define AREA_C 0x90060000u

typedef struct fx {
    s7p_session s;
    s7p_browse_cache c;
    s7p_arena a;        /* requests and answers */
} fx;

static int setup(void **state)
{
    fx *x = calloc(1, sizeof *x);
    s7p_browse_cache_init(&x->c);
    s7p_arena_init(&x->a, S7P_ARENA_DEFAULT_LIMIT);
    x->s.limits.tags_per_read = 1;  /* one DB per request of type ids */
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fx *x = *state;
    s7p_browse_cache_clear(&x->c);
    s7p_arena_release(&x->c.arena);
    s7p_arena_release(&x->a);
    free(x);
    return 0;
}

/* ---- hand-built answers ---- */

static s7p_object *db_object(s7p_arena *a, uint32_t relid, const char *name)
{
    s7p_object *o = s7p_object_new(a, relid, S7P_ID_DB_CLASS_RID);
    s7p_value *v = s7p_object_add_attr(o, a, S7P_ID_OBJECT_VARIABLE_TYPE_NAME);
    v->type = S7P_DT_WSTRING;
    v->v.s.p = (const uint8_t *)name;
    v->v.s.n = strlen(name);
    return o;
}

/* The program object with DB1 "Plant" and DB2 "Line 2" below it. */
static void dbs_answer(fx *x, s7p_pdu *resp)
{
    memset(resp, 0, sizeof *resp);
    s7p_object *prog = s7p_object_new(&x->a, S7P_ID_PLC_PROGRAM, 0);
    assert_true(s7p_object_add_child(prog, &x->a, db_object(&x->a, DB1, "Plant")));
    assert_true(s7p_object_add_child(prog, &x->a, db_object(&x->a, DB2, "Line 2")));
    s7p_object **items = s7p_arena_array(&x->a, 1, sizeof *items);
    items[0] = prog;
    resp->resp.explore.objects.items = items;
    resp->resp.explore.objects.n = 1;
}

static void rid_answer(fx *x, s7p_pdu *resp, uint32_t rid)
{
    memset(resp, 0, sizeof *resp);
    s7p_value *v = s7p_idlist_add(&resp->resp.get_multi.values, &x->a, 1);
    v->type = S7P_DT_RID;
    v->v.u = rid;
}

/* Reads the DB list and the type ids through the builders and takers. */
static void take_dbs(fx *x)
{
    s7p_pdu req, resp;
    s7p_fail f = {0};
    assert_int_equal(s7p_browse_dbs_build(&x->s, &x->a, &req, &f), S7P_OK);
    assert_int_equal(req.function, S7P_FC_EXPLORE);
    assert_int_equal(req.req.explore.explore_id, S7P_ID_PLC_PROGRAM);
    assert_int_equal(req.req.explore.children_recursive, 1);
    dbs_answer(x, &resp);
    assert_int_equal(s7p_browse_dbs_take(&x->c, &resp, x->s.limits.tags_per_read, &f), S7P_OK);
    assert_int_equal(x->c.ndbs, 2);
    assert_string_equal(x->c.dbs[1].name, "Line 2");
    assert_int_equal(x->c.dbs[1].number, 2);
    assert_int_equal(s7p_browse_rids_requests(&x->c), 2);
    static const uint32_t rids[2] = {T_DB1, T_DB2};
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(s7p_browse_rids_build(&x->s, &x->c, k, &x->a, &req, &f), S7P_OK);
        assert_int_equal(req.req.get_multi.item_count, 1);
        assert_int_equal(req.req.get_multi.addresses[0].area, k ? DB2 : DB1);
        assert_int_equal(req.req.get_multi.addresses[0].sub_area, S7P_ID_DB_VALUE_ACTUAL);
        assert_int_equal(req.req.get_multi.addresses[0].lids[0], 1);
        rid_answer(x, &resp, rids[k]);
        assert_int_equal(s7p_browse_rids_take(&x->c, k, &resp, &f), S7P_OK);
    }
    x->c.have_dbs = true;
    assert_int_equal(x->c.dbs[0].type_rid, T_DB1);
    assert_int_equal(x->c.dbs[1].type_rid, T_DB2);
}

static s7p_vartype member(uint32_t lid, uint8_t type, unsigned oit, uint32_t rel, uint32_t count)
{
    s7p_vartype v;
    memset(&v, 0, sizeof v);
    v.lid = lid;
    v.softdatatype = type;
    v.attr_flags = (uint16_t)(oit << 12);
    v.relation_id = rel;
    v.element_count = count;
    return v;
}

/* Type information of rid in the cache's arena, as an answer's lists would be. */
static s7p_tinfo make_type(fx *x, uint32_t rid, const s7p_vartype *vts, const char *const *names,
                           uint32_t n)
{
    s7p_vartype_list *vt = s7p_arena_alloc(&x->c.arena, sizeof *vt);
    s7p_varname_list *vn = s7p_arena_alloc(&x->c.arena, sizeof *vn);
    memset(vt, 0, sizeof *vt);
    memset(vn, 0, sizeof *vn);
    vt->items = s7p_arena_array(&x->c.arena, n, sizeof *vt->items);
    vn->items = s7p_arena_array(&x->c.arena, n, sizeof *vn->items);
    for (uint32_t i = 0; i < n; i++) {
        vt->items[i] = vts[i];
        memset(&vn->items[i], 0, sizeof vn->items[i]);
        vn->items[i].name.p = (const uint8_t *)names[i];
        vn->items[i].name.n = strlen(names[i]);
    }
    vt->n = vn->n = n;
    return (s7p_tinfo){rid, vt, vn};
}

static void add_type(fx *x, uint32_t rid)
{
    s7p_tinfo t;
    if (rid == T_DB1) {
        const s7p_vartype v[3] = {member(1, S7P_T_INT, S7P_OIT_STD, 0, 0),
                                  member(2, 17, S7P_OIT_STRUCT, T_S, 0),
                                  member(3, 17, S7P_OIT_STRUCT1, T_E, 2)};
        static const char *const n[3] = {"a", "s", "arr"};
        t = make_type(x, rid, v, n, 3);
    } else if (rid == T_S) {
        const s7p_vartype v[1] = {member(1, S7P_T_BOOL, S7P_OIT_STD, 0, 0)};
        static const char *const n[1] = {"x"};
        t = make_type(x, rid, v, n, 1);
    } else if (rid == T_E) {
        const s7p_vartype v[1] = {member(1, S7P_T_REAL, S7P_OIT_STD, 0, 0)};
        static const char *const n[1] = {"y"};
        t = make_type(x, rid, v, n, 1);
    } else {
        const s7p_vartype v[1] = {member(7, S7P_T_INT, S7P_OIT_STD, 0, 0)};
        static const char *const n[1] = {"z"};
        t = make_type(x, rid, v, n, 1);
    }
    assert_int_equal(s7p_browse_cache_add(&x->c, &t), S7P_OK);
}

/* ---- the walk ---- */

typedef struct seen {
    char sym[16][64];
    s7p_tag tag[16];
    uint32_t done[16];
    size_t n, stop_after;
} seen;

static bool collect(void *ctx, const s7p_browse_item *it)
{
    seen *k = ctx;
    assert_true(k->n < 16);
    snprintf(k->sym[k->n], sizeof k->sym[k->n], "%s", it->symbol);
    k->tag[k->n] = it->tag;
    k->done[k->n] = it->blocks_done;
    k->n++;
    return k->stop_after == 0 || k->n < k->stop_after;
}

static void refuse_tag_tables(fx *x)
{
    static const uint32_t areas[5] = {AREA_I, AREA_Q, AREA_M, AREA_T, AREA_C};
    for (int i = 0; i < 5; i++) assert_true(s7p_browse_typeinfo_refused(&x->c, areas[i]));
    assert_false(s7p_browse_typeinfo_refused(&x->c, T_DB1));
}

static void test_walk_reports_then_emits(void **state)
{
    fx *x = *state;
    take_dbs(x);
    seen k = {0};
    s7p_browse_walk w;
    s7p_browse_missing m;
    s7p_browse_walk_init(&w, &x->c, collect, &k);
    assert_int_equal(w.item.blocks_total, 2 + 5);

    /* Nothing cached: DB1's type is needed, nothing is emitted. */
    assert_int_equal(s7p_browse_walk_step(&w, &x->c, &m), S7P_WALK_NEED);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.needed, 1);
    assert_int_equal(m.rid[0], T_DB1);
    assert_int_equal(k.n, 0);

    /* With it: both member types at once (independent requests). */
    add_type(x, T_DB1);
    assert_int_equal(s7p_browse_walk_step(&w, &x->c, &m), S7P_WALK_NEED);
    assert_int_equal(m.n, 2);
    assert_int_equal(m.needed, 2);
    assert_int_equal(m.rid[0], T_S);
    assert_int_equal(m.rid[1], T_E);
    assert_int_equal(k.n, 0);

    /* DB1 complete: its four variables stream out; then DB2's type is missing. */
    add_type(x, T_S);
    add_type(x, T_E);
    assert_int_equal(s7p_browse_walk_step(&w, &x->c, &m), S7P_WALK_NEED);
    assert_int_equal(k.n, 4);
    assert_string_equal(k.sym[0], "\"Plant\".a");
    assert_string_equal(k.sym[1], "\"Plant\".s.x");
    assert_string_equal(k.sym[2], "\"Plant\".arr[0].y");
    assert_string_equal(k.sym[3], "\"Plant\".arr[1].y");
    assert_int_equal(k.tag[1].nlids, 2);
    assert_int_equal(k.tag[1].lids[0], 2);
    assert_int_equal(k.tag[1].lids[1], 1);
    assert_int_not_equal(k.tag[1].symbol_crc, 0);
    assert_int_equal(k.tag[3].nlids, 4);                 /* arr, element 1, 1, y */
    assert_int_equal(k.tag[3].lids[1], 1);
    assert_int_equal(k.tag[3].symbol_crc, 0);            /* an index in the path */
    assert_int_equal(k.tag[3].area, DB1);
    assert_int_equal(k.done[3], 0);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.rid[0], T_DB2);

    /* DB2 emitted; then the tag tables (refused: the PLC has none) and done. */
    add_type(x, T_DB2);
    assert_int_equal(s7p_browse_walk_step(&w, &x->c, &m), S7P_WALK_NEED);
    assert_int_equal(k.n, 5);
    assert_string_equal(k.sym[4], "\"Line 2\".z");
    assert_int_equal(k.tag[4].lids[0], 7);
    assert_int_equal(k.done[4], 1);
    assert_int_equal(m.rid[0], AREA_I);
    refuse_tag_tables(x);
    assert_int_equal(s7p_browse_walk_step(&w, &x->c, &m), S7P_WALK_DONE);
    assert_int_equal(k.n, 5);
    assert_int_equal(w.item.blocks_done, 2 + 5);
}

/* Looking ahead: the missing types of later blocks come too, after the needed ones. */
static void test_walk_looks_ahead(void **state)
{
    fx *x = *state;
    take_dbs(x);
    seen k = {0};
    s7p_browse_walk w;
    s7p_browse_missing m;
    s7p_browse_walk_init(&w, &x->c, collect, &k);
    w.ahead = 10;
    assert_int_equal(s7p_browse_walk_step(&w, &x->c, &m), S7P_WALK_NEED);
    assert_int_equal(m.needed, 1);
    assert_int_equal(m.n, 2 + 5);  /* DB2's type and the five tag tables */
    assert_int_equal(m.rid[1], T_DB2);
    assert_int_equal(m.rid[2], AREA_I);
}

/* The callback stops the walk: nothing more is emitted and nothing more is asked for. */
static void test_walk_stops(void **state)
{
    fx *x = *state;
    take_dbs(x);
    add_type(x, T_DB1);
    add_type(x, T_S);
    add_type(x, T_E);
    seen k = {0};
    k.stop_after = 2;
    s7p_browse_walk w;
    s7p_browse_missing m;
    s7p_browse_walk_init(&w, &x->c, collect, &k);
    assert_int_equal(s7p_browse_walk_step(&w, &x->c, &m), S7P_WALK_DONE);
    assert_int_equal(k.n, 2);
    assert_int_equal(m.n, 0);
}

/* Trimming the cache above its budget drops the types and keeps the DB list and the tag
 * tables the PLC refused; the walk then asks for the dropped types again and emits the same
 * items. Below the budget nothing goes. */
static void test_cache_trim(void **state)
{
    fx *x = *state;
    take_dbs(x);
    add_type(x, T_DB1);
    add_type(x, T_S);
    add_type(x, T_E);
    add_type(x, T_DB2);
    refuse_tag_tables(x);
    size_t used = x->c.arena.total;
    assert_true(used > 0);
    s7p_browse_cache_trim(&x->c, used);
    assert_non_null(s7p_browse_cached(&x->c, T_DB1));
    s7p_browse_cache_trim(&x->c, used - 1);
    assert_null(s7p_browse_cached(&x->c, T_DB1));
    assert_null(s7p_browse_cached(&x->c, T_DB2));
    assert_int_equal(x->c.arena.total, 0);
    assert_int_equal(x->c.ndbs, 2);
    assert_true(x->c.have_dbs);
    seen k = {0};
    s7p_browse_walk w;
    s7p_browse_missing m;
    s7p_browse_walk_init(&w, &x->c, collect, &k);
    assert_int_equal(s7p_browse_walk_step(&w, &x->c, &m), S7P_WALK_NEED);
    assert_int_equal(m.rid[0], T_DB1);
    add_type(x, T_DB1);
    add_type(x, T_S);
    add_type(x, T_E);
    add_type(x, T_DB2);
    assert_int_equal(s7p_browse_walk_step(&w, &x->c, &m), S7P_WALK_DONE);  /* tables: refused */
    assert_int_equal(k.n, 5);
    assert_string_equal(k.sym[4], "\"Line 2\".z");
}

/* A DB list taken again replaces the one before (a retried browse). */
static void test_dbs_taken_twice(void **state)
{
    fx *x = *state;
    take_dbs(x);
    take_dbs(x);
    assert_int_equal(x->c.ndbs, 2);
}

/* ---- type information taker ---- */

static void test_typeinfo_take(void **state)
{
    fx *x = *state;
    s7p_pdu req, resp;
    s7p_fail f = {0};
    assert_int_equal(s7p_browse_typeinfo_build(&x->s, T_S, &x->a, &req, &f), S7P_OK);
    assert_int_equal(req.req.explore.explore_id, T_S);
    assert_int_equal(req.req.explore.children_recursive, 0);

    /* An answer whose object carries the lists under the RID. */
    s7p_tinfo t = make_type(x, T_S, (const s7p_vartype[1]){member(1, S7P_T_BOOL, S7P_OIT_STD, 0, 0)},
                            (const char *const[1]){"x"}, 1);
    s7p_object *o = s7p_object_new(&x->c.arena, T_S, 0);
    s7p_obj_elem *el = s7p_arena_array(&x->c.arena, 2, sizeof *el);
    memset(el, 0, 2 * sizeof *el);
    el[0].tag = S7P_EL_VARTYPE_LIST;
    el[0].u.vartypes = (s7p_vartype_list *)t.vt;
    el[0].next = &el[1];
    el[1].tag = S7P_EL_VARNAME_LIST;
    el[1].u.varnames = (s7p_varname_list *)t.vn;
    o->first = &el[0];
    o->last = &el[1];
    memset(&resp, 0, sizeof resp);
    resp.resp.explore.objects.items = &o;
    resp.resp.explore.objects.n = 1;
    assert_null(s7p_browse_cached(&x->c, T_S));
    assert_int_equal(s7p_browse_typeinfo_take(&x->c, T_S, &resp, &f), S7P_OK);
    assert_non_null(s7p_browse_cached(&x->c, T_S));
    assert_int_equal(s7p_browse_cached(&x->c, T_S)->vt->items[0].softdatatype, S7P_T_BOOL);

    /* An answer without the lists, and a refusal. */
    resp.resp.explore.objects.n = 0;
    assert_int_equal(s7p_browse_typeinfo_take(&x->c, T_E, &resp, &f), S7P_E_PROTOCOL);
    assert_string_equal(f.msg, "type information 0x91000003 without matching lists");
    memset(&f, 0, sizeof f);
    resp.ret = (uint16_t)-12;
    assert_int_equal(s7p_browse_typeinfo_take(&x->c, T_E, &resp, &f), S7P_E_PLC);
    assert_string_equal(f.msg, "type information 0x91000003: PLC refused: code -12");
}

/* ---- symbol resolution ---- */

static s7p_resolve_result resolve(fx *x, const char *sym, s7p_tag *t, s7p_browse_missing *m,
                                  s7p_fail *f)
{
    memset(f, 0, sizeof *f);
    return s7p_resolve_step(&x->c, sym, t, m, f);
}

static void test_resolve_steps(void **state)
{
    fx *x = *state;
    s7p_tag t;
    s7p_browse_missing m;
    s7p_fail f;
    assert_int_equal(resolve(x, "\"Plant\".s.x", &t, &m, &f), S7P_RESOLVE_NEED_DBS);
    take_dbs(x);
    assert_int_equal(resolve(x, "\"Plant\".s.x", &t, &m, &f), S7P_RESOLVE_NEED_TYPES);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.rid[0], T_DB1);
    add_type(x, T_DB1);
    assert_int_equal(resolve(x, "plant.S.x", &t, &m, &f), S7P_RESOLVE_NEED_TYPES);
    assert_int_equal(m.rid[0], T_S);
    add_type(x, T_S);
    assert_int_equal(resolve(x, "plant.S.x", &t, &m, &f), S7P_RESOLVE_DONE);
    assert_int_equal(t.area, DB1);
    assert_int_equal(t.nlids, 2);
    assert_int_equal(t.lids[0], 2);
    assert_int_equal(t.lids[1], 1);
    assert_int_equal(t.type, S7P_T_BOOL);
    assert_int_not_equal(t.symbol_crc, 0);
    /* The same tag as the walk gives (the CRC covers the PLC's spelling). */
    seen k = {0};
    s7p_browse_walk w;
    add_type(x, T_E);
    s7p_browse_walk_init(&w, &x->c, collect, &k);
    assert_int_equal(s7p_browse_walk_step(&w, &x->c, &m), S7P_WALK_NEED);
    assert_int_equal(k.tag[1].symbol_crc, t.symbol_crc);

    assert_int_equal(resolve(x, "\"Plant\".nope", &t, &m, &f), S7P_RESOLVE_FAILED);
    assert_int_equal(f.code, S7P_E_NOT_FOUND);
    assert_string_equal(f.msg, "\"Plant\".nope: no member 'nope'");
    assert_int_equal(resolve(x, "\"Plant\".arr[5].y", &t, &m, &f), S7P_RESOLVE_FAILED);
    assert_string_equal(f.msg, "\"Plant\".arr[5].y: index out of the bounds of 'arr'");
    assert_int_equal(resolve(x, "\"Plant\".", &t, &m, &f), S7P_RESOLVE_FAILED);
    assert_int_equal(f.code, S7P_E_INVALID_ARG);
}

/* A single name is a PLC tag: all tag tables are needed at once, in lookup order (M, Q, I, T,
 * C); a table the PLC refuses is absent, and then the name is not found. */
static void test_resolve_tag_tables(void **state)
{
    fx *x = *state;
    take_dbs(x);
    s7p_tag t;
    s7p_browse_missing m;
    s7p_fail f;
    assert_int_equal(resolve(x, "Start", &t, &m, &f), S7P_RESOLVE_NEED_TYPES);
    assert_int_equal(m.n, 5);
    assert_int_equal(m.needed, 5);
    static const uint32_t order[5] = {AREA_M, AREA_Q, AREA_I, AREA_T, AREA_C};
    for (int i = 0; i < 5; i++) assert_int_equal(m.rid[i], order[i]);
    refuse_tag_tables(x);
    assert_int_equal(resolve(x, "Start", &t, &m, &f), S7P_RESOLVE_FAILED);
    assert_string_equal(f.msg, "Start: no PLC tag 'Start' in the tag tables");
    assert_int_equal(resolve(x, "Plant", &t, &m, &f), S7P_RESOLVE_FAILED);
    assert_string_equal(f.msg, "Plant: 'Plant' is a data block: name one of its members");
}

/* ---- program change marker ---- */

static void test_marker(void **state)
{
    fx *x = *state;
    s7p_pdu req, resp;
    s7p_fail f = {0};
    assert_int_equal(s7p_program_marker_build(&x->s, &x->a, &req, &f), S7P_OK);
    assert_int_equal(req.req.explore.explore_id, S7P_ID_PLC_PROGRAM);
    assert_int_equal(req.req.explore.children_recursive, 0);
    assert_int_equal(req.req.explore.blocks[0].address_count, 1);
    assert_int_equal(req.req.explore.blocks[0].addresses[0], 2479);

    s7p_object *prog = s7p_object_new(&x->a, S7P_ID_PLC_PROGRAM, 0);
    s7p_value *v = s7p_object_add_attr(prog, &x->a, 2479);
    v->type = S7P_DT_UDINT;
    v->v.u = 41;
    memset(&resp, 0, sizeof resp);
    resp.resp.explore.objects.items = &prog;
    resp.resp.explore.objects.n = 1;
    bool known;
    uint32_t marker;
    s7p_program_marker_take(&resp, &known, &marker);
    assert_true(known);
    assert_int_equal(marker, 41);
    resp.ret = (uint16_t)-12;  /* refused: no marker, no error */
    s7p_program_marker_take(&resp, &known, &marker);
    assert_false(known);

    /* The guard: a stamped tag without CRC of another program is stale. */
    s7p_tag tags[3];
    memset(tags, 0, sizeof tags);
    tags[0].program_stamp = 42;  /* marker 41's stamp */
    tags[1].program_stamp = 40;
    tags[2].program_stamp = 40;
    tags[2].symbol_crc = 0x1234;  /* the PLC checks this one itself */
    assert_int_equal(s7p_program_unchecked(tags, 3), 2);
    bool stale[3];
    assert_int_equal(s7p_program_mark_stale(&x->c, tags, 3, true, 41, stale), 1);
    assert_false(stale[0]);
    assert_true(stale[1]);
    assert_false(stale[2]);
    assert_false(s7p_program_marker_due(&x->c, 10000));
    assert_true(s7p_program_marker_due(&x->c, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_walk_reports_then_emits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_looks_ahead, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dbs_taken_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typeinfo_take, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_tag_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marker, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

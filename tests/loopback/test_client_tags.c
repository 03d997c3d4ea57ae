/* SPDX-License-Identifier: MIT */
/* PLC tags of the tag tables (examples/plc/plant.tags) through the public client against the
 * simulator: browse lists every tag with its area, type and address; the symbol lookup takes
 * a tag's bare or quoted name (any case) and gives the browsed address; reads and writes by
 * symbol round-trip; wrong names fail with a message that names the part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "program/program.h"
#include "simtest.h"
#include "tc.h"

#ifndef S7P_EXAMPLES_PLC
#error "S7P_EXAMPLES_PLC must name the examples/plc directory"
#endif

#define CONTROLLER_AREA_VALUE_ACTUAL 3736u
#define NDBS_EXAMPLE 6u           /* data blocks of examples/plc */
#define NTAG_AREAS 5u             /* I, Q, M, T, C */

typedef st_item item;
typedef st_items items;

static bool tags_equal(const s7p_tag *a, const s7p_tag *b)
{
    return a->type == b->type && a->count == b->count && a->area == b->area &&
           a->sub_area == b->sub_area && a->symbol_crc == b->symbol_crc &&
           a->nlids == b->nlids && memcmp(a->lids, b->lids, a->nlids * sizeof a->lids[0]) == 0;
}

typedef struct fixture {
    s7t_program *prog;
    s7p_sim *sim;
    s7p_client *c;
    items all;
} fixture;

static fixture F;

static s7p_client *connect_client(s7p_sim *sim)
{
    s7p_client_options o;
    s7p_client *c;
    st_client_options(&o, s7p_sim_port(sim));
    o.allow_write = true;
    o.request_timeout_ms = 10000;
    c = st_client_connect(&o);
    return c;
}

static int group_setup(void **state)
{
    (void)state;
    char err[256];
    F.prog = s7t_program_load_dir(S7P_EXAMPLES_PLC, err, sizeof err);
    if (!F.prog) fprintf(stderr, "program: %s\n", err);
    assert_non_null(F.prog);
    F.sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    F.c = connect_client(F.sim);
    s7p_error e;
    if (s7p_browse(F.c, st_collect, &F.all, &e) != S7P_OK) fail_msg("browse: %s", e.message);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    s7p_error err;
    assert_int_equal(s7p_disconnect(F.c, &err), S7P_OK);
    s7p_client_free(F.c);
    s7p_sim_stop(F.sim);
    st_items_free(&F.all);
    s7t_program_free(F.prog);
    return 0;
}

/* What the tag table says a tag is: area, element type, block letter. */
static void expected(const s7t_tag *t, uint32_t *area, const char **letter)
{
    static const uint32_t native[] = {0, 80, 81, 82, 84, 83};
    static const char *const letters[] = {"", "I", "Q", "M", "T", "C"};
    assert_true(t->area >= S7T_AREA_I && t->area <= S7T_AREA_C);
    *area = native[t->area];
    *letter = letters[t->area];
}

static void quoted(const char *name, char *out, size_t cap)
{
    assert_true((size_t)snprintf(out, cap, "\"%s\"", name) < cap);
}

/* Every tag of plant.tags is browsed once, quoted as TIA writes PLC tags, with the area and
 * type of the tag table, one LID, and its symbol CRC; after the DBs, with progress. */
static void test_browse_lists_every_tag(void **state)
{
    (void)state;
    size_t ntags = s7t_program_tag_count(F.prog);
    assert_int_equal(ntags, 15);
    size_t tag_items = 0;
    for (size_t i = 0; i < F.all.n; i++) {
        const item *it = &F.all.v[i];
        assert_int_equal(it->blocks_total, NDBS_EXAMPLE + NTAG_AREAS);
        if (it->tag.sub_area != CONTROLLER_AREA_VALUE_ACTUAL) {
            assert_int_equal(tag_items, 0);  /* the DBs come first */
            continue;
        }
        tag_items++;
        assert_true(it->blocks_done >= NDBS_EXAMPLE);
    }
    assert_int_equal(tag_items, ntags);
    for (size_t i = 0; i < ntags; i++) {
        const s7t_tag *t = s7t_program_tag(F.prog, i);
        char sym[300];
        quoted(t->name, sym, sizeof sym);
        const item *it = st_find_item(&F.all, sym);
        if (!it) fail_msg("tag %s not browsed", sym);
        uint32_t area;
        const char *letter;
        expected(t, &area, &letter);
        assert_int_equal(it->tag.area, area);
        assert_string_equal(it->block, letter);
        assert_int_equal(it->tag.type, (s7p_type)t->type->sdt);
        assert_int_equal(it->tag.count, 0);
        assert_int_equal(it->tag.nlids, 1);
        assert_true(it->tag.lids[0] > 8);
        assert_int_not_equal(it->tag.symbol_crc, 0);
    }
    const item *it = st_find_item(&F.all, "\"Start_Delay\"");
    assert_non_null(it);
    assert_int_equal(it->tag.type, S7P_T_TIMER);
    assert_int_equal(it->tag.area, 84);
    it = st_find_item(&F.all, "\"Parts\"");
    assert_non_null(it);
    assert_int_equal(it->tag.type, S7P_T_COUNTER);
    assert_int_equal(it->tag.area, 83);
}

/* Bare, quoted and differently cased names resolve to the browsed address. */
static void test_symbol_lookup(void **state)
{
    (void)state;
    static const struct {
        const char *symbol, *browsed;
    } cases[] = {
        {"Setpoint", "\"Setpoint\""},         {"\"Setpoint\"", "\"Setpoint\""},
        {"setpoint", "\"Setpoint\""},         {"\"Start button\"", "\"Start button\""},
        {"Motor_On", "\"Motor_On\""},         {"\"Level raw\"", "\"Level raw\""},
        {"Start_Delay", "\"Start_Delay\""},   {"Parts", "\"Parts\""},
        {"Heartbeat", "\"Heartbeat\""},       {"\"Valve position\"", "\"Valve position\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s7p_tag t;
        s7p_error err;
        if (s7p_tag_by_symbol(F.c, cases[i].symbol, &t, &err) != S7P_OK)
            fail_msg("%s: %s", cases[i].symbol, err.message);
        const item *it = st_find_item(&F.all, cases[i].browsed);
        assert_non_null(it);
        if (!tags_equal(&t, &it->tag)) fail_msg("%s: not the browsed address", cases[i].symbol);
    }
    /* Every browsed tag-table symbol resolves to its own address. */
    for (size_t i = 0; i < F.all.n; i++) {
        if (F.all.v[i].tag.sub_area != CONTROLLER_AREA_VALUE_ACTUAL) continue;
        s7p_tag t;
        s7p_error err;
        if (s7p_tag_by_symbol(F.c, F.all.v[i].symbol, &t, &err) != S7P_OK)
            fail_msg("%s: %s", F.all.v[i].symbol, err.message);
        assert_true(tags_equal(&t, &F.all.v[i].tag));
    }
}

static void expect_not_found(const char *symbol, const char *needle)
{
    s7p_tag t;
    s7p_error err;
    assert_int_equal(s7p_tag_by_symbol(F.c, symbol, &t, &err), S7P_E_NOT_FOUND);
    if (!strstr(err.message, needle)) fail_msg("%s: \"%s\" lacks \"%s\"", symbol, err.message, needle);
}

static void test_symbol_errors(void **state)
{
    (void)state;
    expect_not_found("Nope", "no PLC tag 'Nope'");
    expect_not_found("\"No such tag\"", "no PLC tag 'No such tag'");
    expect_not_found("Setpoint[1]", "not an array");
    expect_not_found("Setpoint.x", "has no members");
    expect_not_found("Nope.x", "no data block or PLC tag 'Nope'");
    expect_not_found("\"AllTypes\"", "is a data block");
    /* DB symbols still resolve as before. */
    s7p_tag t;
    s7p_error err;
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"AllTypes\".v_int", &t, &err), S7P_OK);
    assert_int_equal(t.area >> 16, 0x8A0Eu);
}

static void resolve(const char *symbol, s7p_tag *t)
{
    s7p_error err;
    if (s7p_tag_by_symbol(F.c, symbol, t, &err) != S7P_OK) fail_msg("%s: %s", symbol, err.message);
}

/* Writes by symbol to I, Q and M tags and a read back of the same symbols. */
static void test_read_write_by_symbol(void **state)
{
    (void)state;
    static const char *const syms[] = {"\"Start button\"", "Motor_On", "Setpoint", "Flags",
                                       "Counter_Value", "\"Valve position\""};
    enum { N = sizeof syms / sizeof syms[0] };
    s7p_tag t[N];
    for (int i = 0; i < N; i++) resolve(syms[i], &t[i]);
    s7p_tag_value before[N], w[N], after[N];
    s7p_item_result r[N];
    s7p_error err;
    assert_int_equal(s7p_read(F.c, t, N, before, r, &err), S7P_OK);
    for (int i = 0; i < N; i++) assert_int_equal(r[i].code, S7P_OK);
    assert_true(before[2].v.r == 12.5f);       /* start values of plant.tags */
    assert_int_equal(before[4].v.i, -1);
    memset(w, 0, sizeof w);
    for (int i = 0; i < N; i++) w[i].type = t[i].type;
    w[0].v.b = true;
    w[1].v.b = true;
    w[2].v.r = 42.25f;
    w[3].v.u = 0xBEEF;
    w[4].v.i = -123456;
    w[5].v.u = 0x1234;
    if (s7p_write(F.c, t, N, w, r, &err) != S7P_OK) fail_msg("write: %s", err.message);
    for (int i = 0; i < N; i++)
        if (r[i].code != S7P_OK) fail_msg("write %s: %s", syms[i], s7p_strerror(r[i].code));
    assert_int_equal(s7p_read(F.c, t, N, after, r, &err), S7P_OK);
    for (int i = 0; i < N; i++) assert_int_equal(r[i].code, S7P_OK);
    assert_true(after[0].v.b);
    assert_true(after[1].v.b);
    assert_true(after[2].v.r == 42.25f);
    assert_int_equal(after[3].v.u, 0xBEEF);
    assert_int_equal(after[4].v.i, -123456);
    assert_int_equal(after[5].v.u, 0x1234);
    /* A second session sees the same values through its own lookup. */
    s7p_client *c2 = connect_client(F.sim);
    s7p_tag sp;
    if (s7p_tag_by_symbol(c2, "\"Setpoint\"", &sp, &err) != S7P_OK) fail_msg("c2: %s", err.message);
    s7p_tag_value v;
    s7p_item_result r1;
    assert_int_equal(s7p_read(c2, &sp, 1, &v, &r1, &err), S7P_OK);
    assert_int_equal(r1.code, S7P_OK);
    assert_true(v.v.r == 42.25f);
    assert_int_equal(s7p_disconnect(c2, &err), S7P_OK);
    s7p_client_free(c2);
    /* Restore the start values for the other tests. */
    assert_int_equal(s7p_write(F.c, t, N, before, r, &err), S7P_OK);
    for (int i = 0; i < N; i++) {
        s7p_tag_value_clear(&before[i]);
        s7p_tag_value_clear(&after[i]);
    }
}

/* Without a program the PLC has no tag tables: nothing to browse, names are not found. */
static void test_no_tag_tables(void **state)
{
    (void)state;
    s7p_sim *sim = st_sim_start_dir(NULL);
    s7p_client *c = connect_client(sim);
    items all = {0};
    s7p_error err;
    assert_int_equal(s7p_browse(c, st_collect, &all, &err), S7P_OK);
    assert_int_equal(all.n, 0);
    s7p_tag t;
    assert_int_equal(s7p_tag_by_symbol(c, "Setpoint", &t, &err), S7P_E_NOT_FOUND);
    assert_non_null(strstr(err.message, "no PLC tag"));
    assert_int_equal(s7p_tag_by_symbol(c, "Setpoint", &t, &err), S7P_E_NOT_FOUND);
    assert_int_equal(s7p_disconnect(c, &err), S7P_OK);
    s7p_client_free(c);
    s7p_sim_stop(sim);
    st_items_free(&all);
}

/* The simulator serves the tag tables as a real CPU does: each area's type info by Explore of
 * its RID, and all of them with the DBs' types in the type-info container (537). */
static const s7p_object *child_with_rid(const s7p_object *o, uint32_t rid)
{
    for (const s7p_obj_elem *e = o->first; e; e = e->next)
        if (e->tag == S7P_EL_START_OBJECT && e->u.child->rel_id == rid) return e->u.child;
    return NULL;
}

static const s7p_pdu *raw_explore(tc *t, uint32_t id)
{
    s7p_pdu p;
    const s7p_pdu *resp;
    tc_begin(t, &p, S7P_PROTO_V2, S7P_FC_EXPLORE, S7P_TF_REQUEST);
    s7p_explore_block *blk = s7p_arena_alloc(&t->a, sizeof *blk);
    assert_non_null(blk);
    memset(blk, 0, sizeof *blk);
    p.req.explore.explore_id = id;
    p.req.explore.children_recursive = 1;
    p.req.explore.unknown = 1;
    p.req.explore.blocks = blk;
    p.req.explore.nblocks = 1;
    p.has_iid = true;
    p.iid = 7;
    if (tc_call(t, &p, &resp) != S7P_OK) fail_msg("explore: %s", t->err);
    assert_int_equal(resp->ret, 0);
    return resp;
}

static void test_type_info_container(void **state)
{
    (void)state;
    tc t;
    if (tc_connect_session(&t, s7p_sim_port(F.sim)) != S7P_OK) fail_msg("%s", t.err);
    const s7p_pdu *resp = raw_explore(&t, 537);
    assert_int_equal(resp->resp.explore.objects.n, 1);
    const s7p_object *cont = resp->resp.explore.objects.items[0];
    assert_int_equal(cont->class_id, 534);
    static const uint32_t rids[] = {0x90010000u, 0x90020000u, 0x90030000u, 0x90050000u,
                                    0x90060000u};
    size_t ntags = 0;
    for (size_t k = 0; k < 5; k++) {
        const s7p_object *ti = child_with_rid(cont, rids[k]);
        if (!ti) fail_msg("no type info 0x%08x in the container", rids[k]);
        assert_int_equal(ti->class_id, 511);
        const s7p_varname_list *vn = s7p_object_varnames(ti);
        assert_non_null(vn);
        assert_int_equal(s7p_object_vartypes(ti)->n, vn->n);
        ntags += vn->n;
    }
    assert_int_equal(ntags, s7t_program_tag_count(F.prog));
    /* The M area's tag list names Setpoint with the LID the browse found. */
    const s7p_object *m = child_with_rid(cont, 0x90030000u);
    const s7p_varname_list *vn = s7p_object_varnames(m);
    const item *sp = st_find_item(&F.all, "\"Setpoint\"");
    assert_non_null(sp);
    bool seen = false;
    for (uint32_t i = 0; i < vn->n; i++)
        if (vn->items[i].name.n == 8 && memcmp(vn->items[i].name.p, "Setpoint", 8) == 0) {
            assert_int_equal(s7p_object_vartypes(m)->items[i].lid, sp->tag.lids[0]);
            seen = true;
        }
    assert_true(seen);
    /* The DBs' types are there too: more children than the five areas. */
    size_t children = 0;
    for (const s7p_obj_elem *e = cont->first; e; e = e->next) children += e->tag == S7P_EL_START_OBJECT;
    assert_true(children > 5);
    tc_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browse_lists_every_tag),
        cmocka_unit_test(test_symbol_lookup),
        cmocka_unit_test(test_symbol_errors),
        cmocka_unit_test(test_read_write_by_symbol),
        cmocka_unit_test(test_type_info_container),
        cmocka_unit_test(test_no_tag_tables),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

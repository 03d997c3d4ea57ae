/* SPDX-License-Identifier: MIT */
/* Client <-> simulator serving the example PLC program (examples/plc) on 127.0.0.1: browse,
 * symbols, reads against the program's start values, write/read round trips of every data
 * type with boundary values in optimized and standard DBs, per-item errors, the write gate
 * and a 10 000-tag batch. The expected values come from the program model (sim/program),
 * loaded here a second time and compared field by field with what the client decodes. */
#include <float.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "program/program.h"
#include "proto/symcrc.h"
#include "simtest.h"
#include "tc.h"

#ifndef S7P_EXAMPLES_PLC
#error "S7P_EXAMPLES_PLC must name the examples/plc directory"
#endif

#define FC_GET_MULTI 0x054C
#define FC_SET_MULTI 0x0542
#define NS_MS INT64_C(1000000)
#define NS_S INT64_C(1000000000)
#define NS_DAY (INT64_C(86400) * NS_S)
#define DAYS_1990 INT64_C(7305)

/* Variables of the example program, counted by hand from examples/plc (an array of an
 * elementary type is one variable; an array of structs counts each element's variables;
 * "Motor" has 9, "Station" 1 + 1 + 2 x 9 + 1 + 1 = 22, "Recipe_Step" 3 + 3 x 2 = 9):
 * AllTypes 79; AllArrays 66 one-type arrays + matrix, cube, six + points[0..2] x 3 = 78;
 * Legacy 8 + header 4 + records[1..4] x 2 = 20; Motors 9 + 3 x 9 + 9 + 1 + 1 = 47;
 * Line1 22; DB20_Recipes 1 + 4 x 9 + 1 = 38. */
#define EXPECTED_VARIABLES 284u
/* PLC tags of plant.tags, listed after the DBs. */
#define EXPECTED_TAGS 15u

/* ---- small helpers ---------------------------------------------------------------------- */

typedef st_item item;
typedef st_items items;

static const item *find_item(const items *l, const char *symbol)
{
    const item *it = st_find_item(l, symbol);
    if (!it) fail_msg("no browsed variable %s", symbol);
    return it;
}

static bool tags_equal(const s7p_tag *a, const s7p_tag *b)
{
    return a->type == b->type && a->count == b->count && a->str_max == b->str_max &&
           a->area == b->area && a->sub_area == b->sub_area && a->symbol_crc == b->symbol_crc &&
           a->nlids == b->nlids && memcmp(a->lids, b->lids, a->nlids * sizeof a->lids[0]) == 0;
}

static s7p_sim *start_sim(const char *dir)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.max_sessions = 8;
    cfg.program_dir = dir;
    return st_sim_start(&cfg);
}

/* Warnings of the session layer (e.g. an integrity id that does not match the request):
 * none expected. Failed API calls the test makes on purpose are logged by the client layer. */
static atomic_int warnings;

static void on_log(void *ctx, s7p_log_level level, const char *layer, const char *msg)
{
    (void)ctx;
    if (level > S7P_LOG_WARN || strcmp(layer, "client") == 0) return;
    atomic_fetch_add(&warnings, 1);
    fprintf(stderr, "client %s: %s\n", layer, msg);
}

static s7p_client *connect_client(s7p_sim *sim, bool allow_write)
{
    s7p_client_options o;
    s7p_client *c;
    st_client_options(&o, s7p_sim_port(sim));
    o.allow_write = allow_write;
    o.request_timeout_ms = 10000;
    o.log = on_log;
    o.log_level = S7P_LOG_WARN;
    c = st_client_connect(&o);
    return c;
}

static void close_client(s7p_client *c)
{
    s7p_error err;
    assert_int_equal(s7p_disconnect(c, &err), S7P_OK);
    s7p_client_free(c);
}

static void browse_all(s7p_client *c, items *out)
{
    s7p_error err;
    memset(out, 0, sizeof *out);
    if (s7p_browse(c, st_collect, out, &err) != S7P_OK) fail_msg("browse: %s", err.message);
}

/* ---- expected values from the program model --------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? (int64_t)m - 3 : (int64_t)m + 9) + 2) / 5 + (int64_t)d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int64_t dtl_ns(const uint8_t b[12])
{
    int64_t days = days_from_civil((int64_t)(b[0] << 8 | b[1]), b[2], b[3]);
    uint32_t ns = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 | (uint32_t)b[10] << 8 | b[11];
    return days * NS_DAY + ((int64_t)b[5] * 3600 + b[6] * 60 + b[7]) * NS_S + ns;
}

/* Whether a value the client decoded equals a start value of the model. */
static bool model_equal(const s7t_type *t, const s7t_value *m, const s7p_tag_value *v)
{
    switch (t->sdt) {
    case S7T_SDT_BOOL: return v->v.b == (m->u != 0);
    case S7T_SDT_DATE: return v->v.i == (DAYS_1990 + (int64_t)m->u) * NS_DAY;
    case S7T_SDT_TOD: return v->v.i == (int64_t)m->u * NS_MS;
    case S7T_SDT_LTOD: return v->v.i == (int64_t)m->u;
    case S7T_SDT_TIME: case S7T_SDT_S5TIME: return v->v.i == m->i * NS_MS;
    case S7T_SDT_REAL: return v->v.r == (float)m->r;
    case S7T_SDT_LREAL: return v->v.lr == m->r;
    case S7T_SDT_DTL: return v->v.i == dtl_ns(m->bytes);
    case S7T_SDT_STRING: case S7T_SDT_WSTRING:
        return v->v.str.len == m->text.n && memcmp(v->v.str.p, m->text.p, m->text.n) == 0;
    case S7T_SDT_POINTER: case S7T_SDT_ANY:
        return v->v.raw.len == s7t_elem_size(t) && memcmp(v->v.raw.p, m->bytes, v->v.raw.len) == 0;
    default:
        if (m->kind == S7T_V_INT) return v->v.i == m->i;
        return v->v.u == m->u;
    }
}

/* Start value(s) of a browsed symbol: splits `"Block".path` and resolves it in the model. */
static void model_ref(const s7t_program *prog, const char *symbol, const s7t_db **db,
                      s7t_ref *ref)
{
    assert_true(symbol[0] == '"');
    const char *end = strchr(symbol + 1, '"');
    assert_non_null(end);
    char name[160];
    snprintf(name, sizeof name, "%.*s", (int)(end - symbol - 1), symbol + 1);
    *db = s7t_program_find_db(prog, name);
    assert_non_null(*db);
    assert_true(end[1] == '.');
    char err[200];
    if (!s7t_db_resolve(*db, end + 2, ref, err, sizeof err)) fail_msg("%s: %s", symbol, err);
}

/* Compares a read value with the model's start value(s) of the symbol. */
static void expect_start(const s7t_program *prog, const item *it, const s7p_tag_value *v)
{
    if (it->tag.sub_area == 3736) {  /* a PLC tag of the tag tables, browsed as "name" */
        char name[160];
        snprintf(name, sizeof name, "%.*s", (int)strlen(it->symbol) - 2, it->symbol + 1);
        const s7t_tag *t = s7t_program_find_tag(prog, name);
        assert_non_null(t);
        if (!model_equal(t->type, &t->start, v))
            fail_msg("%s: read value differs from the start value", it->symbol);
        return;
    }
    const s7t_db *db;
    s7t_ref ref;
    model_ref(prog, it->symbol, &db, &ref);
    if (it->tag.count == 0) {
        assert_int_equal(ref.type->kind, S7T_ELEMENTARY);
        if (!model_equal(ref.type, &db->start[ref.first], v))
            fail_msg("%s: read value differs from the start value", it->symbol);
        return;
    }
    assert_int_equal(ref.type->kind, S7T_ARRAY);
    assert_int_equal(v->count, ref.count);
    for (uint64_t k = 0; k < ref.count; k++)
        if (!model_equal(ref.type->elem, &db->start[ref.first + k], &v->elems[k]))
            fail_msg("%s: element %llu differs from the start value", it->symbol,
                     (unsigned long long)k);
}

/* Variables browsing lists for a type (see EXPECTED_VARIABLES). */
static size_t count_type(const s7t_type *t)
{
    if (t->kind == S7T_STRUCT) {
        size_t n = 0;
        for (size_t i = 0; i < t->nmembers; i++) n += count_type(t->members[i].type);
        return n;
    }
    if (t->kind == S7T_ARRAY && t->elem->kind == S7T_STRUCT)
        return (size_t)t->count * count_type(t->elem);
    return 1;
}

/* ---- the shared simulator serving examples/plc ------------------------------------------ */

typedef struct fixture {
    s7t_program *prog;
    s7p_sim *sim;
    s7p_client *c;
    items all;
} fixture;

static fixture F;

static int group_setup(void **state)
{
    (void)state;
    char err[256];
    F.prog = s7t_program_load_dir(S7P_EXAMPLES_PLC, err, sizeof err);
    if (!F.prog) fprintf(stderr, "program: %s\n", err);
    assert_non_null(F.prog);
    F.sim = start_sim(S7P_EXAMPLES_PLC);
    F.c = connect_client(F.sim, true);
    browse_all(F.c, &F.all);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    close_client(F.c);
    assert_int_equal(atomic_load(&warnings), 0);
    s7p_sim_stop(F.sim);
    st_items_free(&F.all);
    s7t_program_free(F.prog);
    return 0;
}

static void test_browse_counts_every_variable(void **state)
{
    (void)state;
    size_t want = 0;
    for (size_t i = 0; i < s7t_program_db_count(F.prog); i++) {
        const s7t_db *db = s7t_program_db(F.prog, i);
        size_t n = count_type(db->type), got = 0;
        for (size_t k = 0; k < F.all.n; k++) got += strcmp(F.all.v[k].block, db->name) == 0;
        if (got != n) fail_msg("DB %s: %zu variables browsed, %zu expected", db->name, got, n);
        want += n;
    }
    assert_int_equal(want, EXPECTED_VARIABLES);
    assert_int_equal(s7t_program_tag_count(F.prog), EXPECTED_TAGS);
    assert_int_equal(F.all.n, want + EXPECTED_TAGS);
    /* A few symbols as TIA writes them, with their shape. */
    const item *it = find_item(&F.all, "\"Motors\".pumps[2].\"rated power [kW]\"");
    assert_int_equal(it->tag.type, S7P_T_LREAL);
    assert_int_equal(it->tag.symbol_crc, 0);  /* indexed paths carry no symbol CRC */
    it = find_item(&F.all, "\"Motors\".\"spare.motor\".limits.max");
    assert_int_equal(it->tag.type, S7P_T_REAL);
    assert_int_not_equal(it->tag.symbol_crc, 0);
    assert_int_equal(it->tag.nlids, 3);
    it = find_item(&F.all, "\"AllArrays\".cube");
    assert_int_equal(it->tag.type, S7P_T_BOOL);
    assert_int_equal(it->tag.count, 8);
    it = find_item(&F.all, "\"AllTypes\".v_string10");
    assert_int_equal(it->tag.type, S7P_T_STRING);
    assert_int_equal(it->tag.str_max, 10);
    it = find_item(&F.all, "\"DB20_Recipes\".names");
    assert_int_equal(it->tag.type, S7P_T_WSTRING);
    assert_int_equal(it->tag.count, 4);
    assert_int_equal(it->tag.str_max, 20);
    assert_int_equal(it->tag.area, 0x8A0E0000u + 20u);
    it = find_item(&F.all, "\"AllTypes\".event_hwint");
    assert_int_equal(it->tag.type, 134);  /* Event_HwInt (spec §9) */
}

/* The one-call form lists the same variables, with the same addresses, as the stream. */
static void test_browse_all_matches_stream(void **state)
{
    (void)state;
    s7p_browse_result *r = NULL;
    s7p_error err;
    assert_int_equal(s7p_browse_all(F.c, &r, &err), S7P_OK);
    assert_non_null(r);
    assert_int_equal(r->count, F.all.n);
    for (size_t i = 0; i < r->count; i++) {
        assert_string_equal(r->items[i].symbol, F.all.v[i].symbol);
        assert_string_equal(r->items[i].block, F.all.v[i].block);
        assert_true(tags_equal(&r->items[i].tag, &F.all.v[i].tag));
    }
    s7p_browse_result_free(r);
    s7p_browse_result_free(NULL);
}

static void test_symbols_resolve_to_browsed_addresses(void **state)
{
    (void)state;
    s7p_error err;
    for (size_t i = 0; i < F.all.n; i++) {
        s7p_tag t;
        if (s7p_tag_by_symbol(F.c, F.all.v[i].symbol, &t, &err) != S7P_OK)
            fail_msg("%s: %s", F.all.v[i].symbol, err.message);
        if (!tags_equal(&t, &F.all.v[i].tag)) fail_msg("%s: address differs", F.all.v[i].symbol);
    }
    /* Elements of arrays of an elementary type are addressable by symbol too. */
    s7p_tag t;
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"AllArrays\".matrix[2,3]", &t, &err), S7P_OK);
    assert_int_equal(t.count, 0);
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"AllArrays\".matrix[3,1]", &t, &err),
                     S7P_E_NOT_FOUND);
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"Motors\".nothing", &t, &err), S7P_E_NOT_FOUND);
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"NoSuchDb\".x", &t, &err), S7P_E_NOT_FOUND);
    /* Names in another case resolve, and the symbol CRC is the PLC's spelling's. */
    s7p_tag lower;
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"alltypes\".V_INT", &lower, &err), S7P_OK);
    assert_true(tags_equal(&lower, &find_item(&F.all, "\"AllTypes\".v_int")->tag));
}

static void read_items(s7p_client *c, const item *its, size_t n, s7p_tag_value *v,
                       s7p_item_result *r)
{
    s7p_tag *tags = calloc(n ? n : 1, sizeof *tags);
    assert_non_null(tags);
    for (size_t i = 0; i < n; i++) tags[i] = its[i].tag;
    s7p_error err;
    if (s7p_read(c, tags, n, v, r, &err) != S7P_OK) fail_msg("read: %s", err.message);
    free(tags);
}

static void test_read_every_variable(void **state)
{
    (void)state;
    size_t n = F.all.n;
    s7p_tag_value *v = calloc(n, sizeof *v);
    s7p_item_result *r = calloc(n, sizeof *r);
    assert_non_null(v);
    assert_non_null(r);
    read_items(F.c, F.all.v, n, v, r);
    for (size_t i = 0; i < n; i++) {
        const item *it = &F.all.v[i];
        if (r[i].code != S7P_OK)
            fail_msg("%s: %s (plc %d)", it->symbol, s7p_strerror(r[i].code), r[i].plc_code);
        expect_start(F.prog, it, &v[i]);
    }
    for (size_t i = 0; i < n; i++) s7p_tag_value_clear(&v[i]);
    free(v);
    free(r);
}

/* A few start values spelled out, so that the loader and the conversions are checked
 * against the source text and not only against each other. */
static void test_read_known_values(void **state)
{
    (void)state;
    static const char *const syms[] = {
        "\"AllTypes\".v_int", "\"AllTypes\".v_string", "\"AllTypes\".v_wchar",
        "\"AllTypes\".v_dtl", "\"Line1\".label", "\"AllArrays\".matrix",
        "\"AllArrays\".cube", "\"Motors\".pumps[2].name", "\"DB20_Recipes\".steps[1].ingredients[2].code",
        "\"Legacy\".header.inner.level", "\"Line1\".interlock", "\"AllTypes\".v_ldt",
    };
    enum { N = sizeof syms / sizeof syms[0] };
    item its[N];
    for (size_t i = 0; i < N; i++) its[i] = *find_item(&F.all, syms[i]);
    s7p_tag_value v[N];
    s7p_item_result r[N];
    read_items(F.c, its, N, v, r);
    for (size_t i = 0; i < N; i++)
        if (r[i].code != S7P_OK) fail_msg("%s: %s", syms[i], s7p_strerror(r[i].code));
    assert_int_equal(v[0].v.i, -12345);
    assert_string_equal(v[1].v.str.p, "It's $5\n");
    assert_int_equal(v[2].v.u, 0x20AC);
    assert_int_equal(v[3].v.i, days_from_civil(2024, 1, 31) * NS_DAY + 12 * 3600 * NS_S + 123456789);
    assert_string_equal(v[4].v.str.p, "Filling line \xCE\xA9");
    assert_int_equal(v[5].count, 6);
    assert_int_equal(v[5].elems[5].v.i, 60);
    assert_int_equal(v[5].elems[0].v.i, 1);
    assert_int_equal(v[6].count, 8);
    for (int k = 0; k < 8; k++) assert_int_equal(v[6].elems[k].v.b, k == 3);  /* [-1,1,6] */
    assert_string_equal(v[7].v.str.p, "pump 2");
    assert_int_equal(v[8].v.u, 'B');
    assert_int_equal(v[9].v.i, 99);
    assert_int_equal(v[10].count, 6);
    for (int k = 0; k < 6; k++) assert_int_equal(v[10].elems[k].v.b, k == 5);  /* [1,2] */
    assert_int_equal(v[11].v.i, days_from_civil(2024, 1, 31) * NS_DAY + 12 * 3600 * NS_S + 123456789);
    for (size_t i = 0; i < N; i++) s7p_tag_value_clear(&v[i]);
}

/* Single elements by symbol: the LID of a multi-dimensional Bool array pads its right-most
 * dimension to 8; the model's leaf order is the independent reference. */
static void test_element_addresses(void **state)
{
    (void)state;
    s7p_error err;
    s7p_tag t[4];
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"AllArrays\".cube[-1,1,6]", &t[0], &err), S7P_OK);
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"AllArrays\".cube[-1,1,5]", &t[1], &err), S7P_OK);
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"AllArrays\".six[1,1,1,1,1,1]", &t[2], &err), S7P_OK);
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"AllArrays\".a_sint[-1]", &t[3], &err), S7P_OK);
    s7p_tag_value v[4];
    s7p_item_result r[4];
    assert_int_equal(s7p_read(F.c, t, 4, v, r, &err), S7P_OK);
    for (int i = 0; i < 4; i++) assert_int_equal(r[i].code, S7P_OK);
    assert_true(v[0].v.b);
    assert_false(v[1].v.b);
    assert_int_equal(v[2].v.u, 0xFF);
    assert_int_equal(v[3].v.i, -1);
}

/* 10 000 tags in one call: split into requests of at most 50 (the simulator's limit), every
 * value right. Runs before anything is written. */
static void test_ten_thousand_tags(void **state)
{
    (void)state;
    enum { N = 10000 };
    item *its = calloc(N, sizeof *its);
    s7p_tag_value *v = calloc(N, sizeof *v);
    s7p_item_result *r = calloc(N, sizeof *r);
    assert_non_null(its);
    assert_non_null(v);
    assert_non_null(r);
    size_t k = 0;
    for (size_t i = 0; k < N; i = (i + 1) % F.all.n) its[k++] = F.all.v[i];
    unsigned long before = s7p_sim_requests(F.sim, FC_GET_MULTI);
    read_items(F.c, its, N, v, r);
    unsigned long requests = s7p_sim_requests(F.sim, FC_GET_MULTI) - before;
    assert_true(requests >= (N + 49) / 50);
    for (size_t i = 0; i < N; i++) {
        if (r[i].code != S7P_OK) fail_msg("%zu %s: %s", i, its[i].symbol, s7p_strerror(r[i].code));
        expect_start(F.prog, &its[i], &v[i]);
        s7p_tag_value_clear(&v[i]);
    }
    free(its);
    free(v);
    free(r);
}

static void expect_plc_error(const s7p_item_result *r, int16_t code)
{
    /* InvalidCRC is reported as a changed program (the PLC code stays) */
    s7p_status want = code == -17 ? S7P_E_PROGRAM_CHANGED : S7P_E_PLC;
    if (r->code != want || r->plc_code != code)
        fail_msg("item: %s plc_code %d, expected PLC error %d", s7p_strerror(r->code),
                 r->plc_code, code);
}

static void test_read_errors_per_item(void **state)
{
    (void)state;
    s7p_tag t[9];
    const item *good = find_item(&F.all, "\"Motors\".\"spare.motor\".limits.max");
    const item *arr = find_item(&F.all, "\"AllArrays\".a_int");
    const item *deep = find_item(&F.all, "\"Motors\".conveyor.speed");
    t[0] = good->tag;
    t[1] = good->tag;
    t[1].symbol_crc ^= 0x1u;                     /* wrong symbol CRC: -17 */
    t[2] = find_item(&F.all, "\"AllTypes\".v_int")->tag;
    t[3] = deep->tag;
    t[3].symbol_crc = 0;
    t[3].lids[t[3].nlids - 1] = 8 + 500;         /* no such member: -255 */
    t[4] = deep->tag;
    t[4].area = 0x8A0E0000u + 999u;              /* no such DB: -12 */
    t[5] = arr->tag;
    t[5].count = 0;
    t[5].lids[t[5].nlids++] = 2;                 /* a_int has 2 elements: -255 */
    t[6] = deep->tag;
    t[6].symbol_crc = 0;
    t[6].nlids--;                                /* conveyor is a struct: -12 */
    t[7] = t[2];
    t[7].symbol_crc = 0;
    t[7].lids[t[7].nlids++] = 9;                 /* below an Int: -255 */
    t[8] = arr->tag;                             /* the whole array again */
    s7p_tag_value v[9];
    s7p_item_result r[9];
    s7p_error err;
    assert_int_equal(s7p_read(F.c, t, 9, v, r, &err), S7P_OK);
    assert_int_equal(r[0].code, S7P_OK);
    assert_true(v[0].v.r == 1500.0f);
    expect_plc_error(&r[1], -17);
    assert_int_equal(r[2].code, S7P_OK);
    assert_int_equal(v[2].v.i, -12345);
    expect_plc_error(&r[3], -255);
    expect_plc_error(&r[4], -12);
    expect_plc_error(&r[5], -255);
    expect_plc_error(&r[6], -12);
    expect_plc_error(&r[7], -255);
    assert_int_equal(r[8].code, S7P_OK);
    assert_int_equal(v[8].count, 2);
    assert_int_equal(v[8].elems[0].v.i, -5);
    for (int i = 0; i < 9; i++) s7p_tag_value_clear(&v[i]);
}

static void test_write_errors_per_item(void **state)
{
    (void)state;
    s7p_tag t[6];
    s7p_tag_value w[6];
    s7p_item_result r[6];
    s7p_error err;
    memset(w, 0, sizeof w);
    t[0] = find_item(&F.all, "\"AllTypes\".v_int")->tag;
    w[0].type = S7P_T_INT;
    w[0].v.i = 4242;
    /* The client is told String[20], the PLC has String[10]: too long, -61. */
    t[1] = find_item(&F.all, "\"AllTypes\".v_string10")->tag;
    t[1].str_max = 20;
    w[1].type = S7P_T_STRING;
    w[1].v.str.p = (char *)"fifteen chars!!";
    w[1].v.str.len = strlen(w[1].v.str.p);
    /* The client believes an Int is a Real: the wire type does not fit, -257. */
    t[2] = find_item(&F.all, "\"AllTypes\".t_int")->tag;
    t[2].type = S7P_T_REAL;
    w[2].type = S7P_T_REAL;
    w[2].v.r = 1.5f;
    t[3] = find_item(&F.all, "\"Motors\".enable")->tag;
    t[3].symbol_crc ^= 0x80000000u;             /* -17 */
    w[3].type = S7P_T_BOOL;
    t[4] = find_item(&F.all, "\"AllTypes\".v_byte")->tag;
    t[4].area = 0x8A0E0000u + 4000u;            /* -12 */
    w[4].type = S7P_T_BYTE;
    t[5] = find_item(&F.all, "\"AllTypes\".v_uint")->tag;
    w[5].type = S7P_T_UINT;
    w[5].v.u = 7;
    unsigned long before = s7p_sim_requests(F.sim, FC_SET_MULTI);
    assert_int_equal(s7p_write(F.c, t, 6, w, r, &err), S7P_OK);
    assert_int_equal(s7p_sim_requests(F.sim, FC_SET_MULTI) - before, 1);
    assert_int_equal(r[0].code, S7P_OK);
    expect_plc_error(&r[1], -61);
    expect_plc_error(&r[2], -257);
    expect_plc_error(&r[3], -17);
    expect_plc_error(&r[4], -12);
    assert_int_equal(r[5].code, S7P_OK);
    /* Only the good items changed. */
    s7p_tag rt[4] = {t[0], find_item(&F.all, "\"AllTypes\".v_string10")->tag,
                     find_item(&F.all, "\"AllTypes\".t_int")->tag, t[5]};
    s7p_tag_value v[4];
    assert_int_equal(s7p_read(F.c, rt, 4, v, r, &err), S7P_OK);
    for (int i = 0; i < 4; i++) assert_int_equal(r[i].code, S7P_OK);
    assert_int_equal(v[0].v.i, 4242);
    assert_string_equal(v[1].v.str.p, "ten chars!");
    assert_int_equal(v[2].v.i, -5);
    assert_int_equal(v[3].v.u, 7);
    for (int i = 0; i < 4; i++) s7p_tag_value_clear(&v[i]);
}

/* Writes reach every connection, element writes land at the model's leaf position. */
static void test_write_visible_to_other_session(void **state)
{
    (void)state;
    s7p_client *other = connect_client(F.sim, false);
    s7p_error err;
    s7p_tag t[2];
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"AllArrays\".cube[0,1,5]", &t[0], &err), S7P_OK);
    assert_int_equal(s7p_tag_by_symbol(F.c, "\"Motors\".pumps[3].limits.min", &t[1], &err), S7P_OK);
    s7p_tag_value w[2];
    memset(w, 0, sizeof w);
    w[0].type = S7P_T_BOOL;
    w[0].v.b = true;
    w[1].type = S7P_T_REAL;
    w[1].v.r = -3.25f;
    s7p_item_result r[2];
    assert_int_equal(s7p_write(F.c, t, 2, w, r, &err), S7P_OK);
    assert_int_equal(r[0].code, S7P_OK);
    assert_int_equal(r[1].code, S7P_OK);
    s7p_tag rt[2] = {find_item(&F.all, "\"AllArrays\".cube")->tag, t[1]};
    s7p_tag_value v[2];
    assert_int_equal(s7p_read(other, rt, 2, v, r, &err), S7P_OK);
    assert_int_equal(r[0].code, S7P_OK);
    /* cube[0,1,5]: indexes (1,1,0) of 2 x 2 x 2 -> element 6; [-1,1,6] (3) still set */
    for (int k = 0; k < 8; k++) assert_int_equal(v[0].elems[k].v.b, k == 3 || k == 6);
    assert_true(v[1].v.r == -3.25f);
    for (int i = 0; i < 2; i++) s7p_tag_value_clear(&v[i]);
    close_client(other);
}

static void test_write_disabled_sends_nothing(void **state)
{
    (void)state;
    s7p_client *ro = connect_client(F.sim, false);
    s7p_tag t = find_item(&F.all, "\"AllTypes\".v_int")->tag;
    s7p_tag_value w;
    memset(&w, 0, sizeof w);
    w.type = S7P_T_INT;
    w.v.i = 1;
    s7p_item_result r;
    s7p_error err;
    unsigned long before = s7p_sim_requests(F.sim, FC_SET_MULTI);
    assert_int_equal(s7p_write(ro, &t, 1, &w, &r, &err), S7P_E_WRITE_DISABLED);
    assert_int_equal(err.code, S7P_E_WRITE_DISABLED);
    assert_int_equal(s7p_sim_requests(F.sim, FC_SET_MULTI), before);
    close_client(ro);
}

/* ---- the answers on the wire (raw requests, tests/sim/tc.h) ------------------------------ */

static const s7p_pdu *raw_explore(tc *t, uint32_t id, uint32_t iid)
{
    s7p_pdu p;
    const s7p_pdu *resp;
    tc_explore_req(t, &p, id, false, NULL, 0);
    p.iid = iid;  /* the test's own integrity id */
    if (tc_call(t, &p, &resp) != S7P_OK) fail_msg("explore: %s", t->err);
    assert_int_equal(resp->function, S7P_FC_EXPLORE);
    return resp;
}

static const s7p_pdu *raw_get(tc *t, const s7p_item_address *addrs, uint32_t n)
{
    s7p_pdu p;
    const s7p_pdu *resp;
    tc_begin(t, &p, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, S7P_TF_REQUEST);
    p.req.get_multi.item_count = n;
    p.req.get_multi.addresses = (s7p_item_address *)addrs;  /* the encoder only reads */
    for (uint32_t i = 0; i < n; i++) p.req.get_multi.nfields += s7p_item_address_fields(&addrs[i]);
    assert_true(s7p_qualifier_default(&p.qualifier, &t->a));
    p.has_iid = true;
    p.iid = ++t->iid_get;
    if (tc_call(t, &p, &resp) != S7P_OK) fail_msg("get: %s", t->err);
    return resp;
}

static void test_wire_answers(void **state)
{
    (void)state;
    tc t;
    if (tc_connect_session(&t, s7p_sim_port(F.sim)) != S7P_OK) fail_msg("%s", t.err);
    const s7t_db *db = s7t_program_find_db(F.prog, "AllTypes");
    assert_non_null(db);

    /* LID 1 of a DB: its type-info RID; other areas and LIDs: per-item errors. */
    uint32_t lid1 = 1, lid3 = 3, lid1000 = 1000;
    s7p_item_address addrs[4] = {
        {0, 0x8A0E0000u + db->number, 2550, 1, &lid1},
        {0, 201, 1037, 1, &lid1000},           /* system limits still answer */
        {0, 0x8A0E0000u + db->number, 2550, 1, &lid3},
        {0, 99, 2550, 1, &lid1},
    };
    const s7p_pdu *resp = raw_get(&t, addrs, 4);
    assert_int_equal(resp->ret, 0);
    const s7p_value *rid = s7p_idlist_find(&resp->resp.get_multi.values, 1);
    assert_non_null(rid);
    assert_int_equal(rid->type, S7P_DT_RID);
    uint32_t type_rid = (uint32_t)rid->v.u;
    assert_int_equal(type_rid >> 24, 0x91);
    assert_non_null(s7p_idlist_find(&resp->resp.get_multi.values, 2));
    assert_int_equal(resp->resp.get_multi.errors.n, 2);
    assert_int_equal(resp->resp.get_multi.errors.items[0].item, 3);
    assert_int_equal(s7p_ret_code(resp->resp.get_multi.errors.items[0].ret), -255);
    assert_int_equal(s7p_ret_code(resp->resp.get_multi.errors.items[1].ret), -104);

    /* The type information of that RID: one element per member, as docs/protocol.md §3.2. */
    resp = raw_explore(&t, type_rid, 7);
    assert_int_equal(resp->ret, 0);
    assert_true(resp->resp.explore.has_resp_iid);
    assert_int_equal(resp->resp.explore.resp_iid, (uint32_t)resp->seq + 7);
    assert_int_equal(resp->resp.explore.objects.n, 1);
    const s7p_object *o = resp->resp.explore.objects.items[0];
    assert_int_equal(o->rel_id, type_rid);
    assert_int_equal(o->class_id, 511);
    const s7p_vartype_list *vt = s7p_object_vartypes(o);
    const s7p_varname_list *vn = s7p_object_varnames(o);
    assert_non_null(vt);
    assert_non_null(vn);
    assert_int_equal(vt->n, db->type->nmembers);
    assert_int_equal(vn->n, db->type->nmembers);
    for (uint32_t k = 0; k < vt->n; k++) {
        const s7t_member *m = &db->type->members[k];
        assert_int_equal(vt->items[k].lid, 8 + m->lid);
        assert_int_equal(vt->items[k].attr_flags & 0x0FFF, 0x0800 | 0x0200 | 0x40 | 0x80);
        assert_int_equal(vn->items[k].name.n, strlen(m->name));
        assert_memory_equal(vn->items[k].name.p, m->name, strlen(m->name));
    }
    assert_int_equal(vt->items[0].softdatatype, S7P_T_BOOL);
    assert_int_equal(vt->items[0].attr_flags >> 12, 8);
    assert_int_equal(vt->items[0].symbol_crc,
                     s7p_symcrc_segment("v_bool", 6, S7P_T_BOOL, false, 0));

    /* The DB list. */
    resp = raw_explore(&t, 3, 8);
    assert_int_equal(resp->resp.explore.objects.n, 1);
    o = resp->resp.explore.objects.items[0];
    assert_int_equal(o->class_id, 2520);
    uint32_t children = 0;
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        if (e->tag != S7P_EL_START_OBJECT) continue;
        const s7p_object *d = e->u.child;
        const s7t_db *want = s7t_program_db(F.prog, children++);
        assert_int_equal(d->rel_id, 0x8A0E0000u + want->number);
        assert_int_equal(d->class_id, 2574);
        const s7p_value *name = s7p_object_attr(d, 233);
        const s7p_value *num = s7p_object_attr(d, 2521);
        const s7p_value *comment = s7p_object_attr(d, 4288);
        assert_true(name && num && comment);
        assert_int_equal(name->v.s.n, strlen(want->name));
        assert_memory_equal(name->v.s.p, want->name, name->v.s.n);
        assert_int_equal(num->v.u, want->number);
        assert_true(s7p_value_is_sparse(comment));
        assert_int_equal(comment->count, 0);
    }
    assert_int_equal(children, s7t_program_db_count(F.prog));

    /* The M area's tags. */
    resp = raw_explore(&t, 0x90030000u, 9);
    o = resp->resp.explore.objects.items[0];
    assert_int_equal(s7p_object_vartypes(o)->n, 8);

    /* Unknown ids: an error answer, shaped as a real CPU's (the full return value and the
     * object id, no objects). */
    resp = raw_explore(&t, 0x91FFFFFFu, 10);
    assert_int_equal(s7p_ret_code(resp->ret), -12);
    assert_int_equal(resp->resp.explore.objects.n, 0);

    /* A response integrity id whose first VLQ byte is 0xA1 (4224..4351) would read as an
     * object start: the simulator leaves it out, the answer still decodes. */
    uint16_t seq = (uint16_t)(t.seq + 1);
    resp = raw_explore(&t, type_rid, 4224u - seq);
    assert_false(resp->resp.explore.has_resp_iid);
    assert_int_equal(resp->resp.explore.objects.n, 1);
    seq = (uint16_t)(t.seq + 1);
    resp = raw_explore(&t, type_rid, 4223u - seq);
    assert_true(resp->resp.explore.has_resp_iid);
    assert_int_equal(resp->resp.explore.resp_iid, 4223u);

    assert_int_equal(tc_delete_session(&t), S7P_OK);
    tc_close(&t);
}

/* ---- I, Q, M, timers, counters: the tag table ------------------------------------------ */

/* The client has no symbolic access to PLC tags yet, so the test builds their addresses the
 * way the simulator numbers them: area 80 I, 81 Q, 82 M, 83 C, 84 T, sub-area 3736, LID 9, 10,
 * ... in tag-table order within the area. */
static void area_items(const s7t_program *prog, items *out)
{
    static const uint32_t native[] = {0, 80, 81, 82, 84, 83};
    static const char *const letter[] = {"", "I", "Q", "M", "T", "C"};
    uint32_t next[6] = {9, 9, 9, 9, 9, 9};
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < s7t_program_tag_count(prog); i++) {
        const s7t_tag *t = s7t_program_tag(prog, i);
        s7p_browse_item bi;
        memset(&bi, 0, sizeof bi);
        bi.symbol = t->name;
        bi.block = letter[t->area];
        bi.tag.type = (s7p_type)t->type->sdt;
        bi.tag.area = native[t->area];
        bi.tag.sub_area = 3736;
        bi.tag.nlids = 1;
        bi.tag.lids[0] = next[t->area]++;
        st_collect(out, &bi);
    }
}

static const s7t_tag *model_tag(const s7t_program *prog, const char *name)
{
    const s7t_tag *t = s7t_program_find_tag(prog, name);
    if (!t) fail_msg("no tag %s", name);
    return t;
}

static void test_tag_table_values(void **state)
{
    (void)state;
    items tags;
    area_items(F.prog, &tags);
    assert_int_equal(tags.n, 15);
    size_t n = tags.n + 3;
    s7p_tag *t = calloc(n, sizeof *t);
    s7p_tag_value *v = calloc(n, sizeof *v);
    s7p_item_result *r = calloc(n, sizeof *r);
    assert_true(t && v && r);
    for (size_t i = 0; i < tags.n; i++) t[i] = tags.v[i].tag;
    /* With the symbol CRC of the tag name, with a wrong one, and a LID past the last tag. */
    const item *sp = find_item(&tags, "Setpoint");
    t[tags.n] = sp->tag;
    uint32_t seg = s7p_symcrc_segment("Setpoint", 8, S7P_T_REAL, false, 0);
    t[tags.n].symbol_crc = s7p_symcrc_path(&seg, 1);
    t[tags.n + 1] = t[tags.n];
    t[tags.n + 1].symbol_crc ^= 0x10u;
    t[tags.n + 2] = sp->tag;
    t[tags.n + 2].lids[0] = 9 + 100;
    s7p_error err;
    assert_int_equal(s7p_read(F.c, t, n, v, r, &err), S7P_OK);
    for (size_t i = 0; i < tags.n; i++) {
        if (r[i].code != S7P_OK) fail_msg("%s: %s", tags.v[i].symbol, s7p_strerror(r[i].code));
        const s7t_tag *mt = model_tag(F.prog, tags.v[i].symbol);
        if (!model_equal(mt->type, &mt->start, &v[i])) fail_msg("%s: wrong value", mt->name);
    }
    assert_int_equal(r[tags.n].code, S7P_OK);
    assert_true(v[tags.n].v.r == 12.5f);
    expect_plc_error(&r[tags.n + 1], -17);
    expect_plc_error(&r[tags.n + 2], -12);
    /* Spelled out: TRUE, -1, 16#80, T#1500MS, S5T#2S, D#2024-06-01. */
    assert_true(v[find_item(&tags, "Stop_Button") - tags.v].v.b);
    assert_int_equal(v[find_item(&tags, "Counter_Value") - tags.v].v.i, -1);
    assert_int_equal(v[find_item(&tags, "Status_Byte") - tags.v].v.u, 0x80);
    assert_int_equal(v[find_item(&tags, "Step_Time") - tags.v].v.i, 1500 * NS_MS);
    assert_int_equal(v[find_item(&tags, "Delay") - tags.v].v.i, 2 * NS_S);
    assert_int_equal(v[find_item(&tags, "Today") - tags.v].v.i, days_from_civil(2024, 6, 1) * NS_DAY);
    for (size_t i = 0; i < n; i++) s7p_tag_value_clear(&v[i]);
    free(t);
    free(v);
    free(r);
    st_items_free(&tags);
}

/* ---- round trips: every type, boundary values, optimized and standard DBs --------------- */

/* Memory the test values point at, released after each round. */
typedef struct pool {
    void *p[4096];
    size_t n;
} pool;

static void *pool_alloc(pool *pl, size_t n)
{
    assert_true(pl->n < sizeof pl->p / sizeof pl->p[0]);
    void *p = calloc(1, n ? n : 1);
    assert_non_null(p);
    return pl->p[pl->n++] = p;
}

static void pool_free(pool *pl)
{
    for (size_t i = 0; i < pl->n; i++) free(pl->p[i]);
    pl->n = 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A text of exactly max characters (String: ISO-8859-1 up to U+00FF) or UTF-16 units
 * (WString: with characters outside the BMP taking two). */
static void full_text(pool *pl, bool wide, unsigned max, s7p_tag_value *v)
{
    char *s = pool_alloc(pl, (size_t)max * 4 + 1);
    size_t n = 0;
    unsigned units = 0;
    static const uint32_t wide_cps[] = {'A', 0xE9, 0x20AC, 0x1F600, 0x3A9, 0xFFFD};
    for (unsigned k = 0; units < max; k++) {
        uint32_t cp = wide ? wide_cps[k % 6] : 0x20 + k % 0xE0;  /* 0x20..0xFF */
        unsigned need = cp >= 0x10000 ? 2 : 1;
        if (units + need > max) cp = 'z', need = 1;
        n += put_utf8(s + n, cp);
        units += need;
    }
    s[n] = 0;
    v->v.str.p = s;
    v->v.str.len = n;
}

static void raw_bytes(pool *pl, size_t n, uint8_t fill, s7p_tag_value *v)
{
    uint8_t *b = pool_alloc(pl, n);
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)(fill ^ i);
    v->v.raw.p = b;
    v->v.raw.len = n;
}

/* Boundary value `hi` (false: the low end, true: the high end) of one element. */
static void boundary(pool *pl, const s7p_tag *t, bool hi, s7p_tag_value *v)
{
    memset(v, 0, sizeof *v);
    v->type = t->type;
    int ty = (int)t->type;
    switch (ty) {
    case S7P_T_BOOL: v->v.b = hi; return;
    case S7P_T_BYTE: case S7P_T_USINT: case S7P_T_CHAR: v->v.u = hi ? 0xFF : 0; return;
    case S7P_T_WORD: case S7P_T_UINT: case S7P_T_WCHAR: case S7P_T_COUNTER: case S7P_T_TIMER:
        v->v.u = hi ? 0xFFFF : 0;
        return;
    case S7P_T_DWORD: case S7P_T_UDINT: v->v.u = hi ? UINT32_MAX : 0; return;
    case S7P_T_LWORD: case S7P_T_ULINT: v->v.u = hi ? UINT64_MAX : 0; return;
    case S7P_T_SINT: v->v.i = hi ? INT8_MAX : INT8_MIN; return;
    case S7P_T_INT: v->v.i = hi ? INT16_MAX : INT16_MIN; return;
    case S7P_T_DINT: v->v.i = hi ? INT32_MAX : INT32_MIN; return;
    case S7P_T_LINT: case S7P_T_LTIME: v->v.i = hi ? INT64_MAX : INT64_MIN; return;
    case S7P_T_REAL: v->v.r = hi ? FLT_MAX : -FLT_MAX; return;
    case S7P_T_LREAL: v->v.lr = hi ? DBL_MAX : -DBL_MAX; return;
    case S7P_T_DATE: v->v.i = (DAYS_1990 + (hi ? 65535 : 0)) * NS_DAY; return;
    case S7P_T_TIME_OF_DAY: v->v.i = hi ? NS_DAY - NS_MS : 0; return;
    case S7P_T_LTIME_OF_DAY: v->v.i = hi ? NS_DAY - 1 : 0; return;
    case S7P_T_TIME: v->v.i = (hi ? INT32_MAX : INT32_MIN) * NS_MS; return;
    case S7P_T_S5TIME: v->v.i = hi ? 9990 * NS_S : 0; return;
    case S7P_T_DATE_AND_TIME:
        v->v.i = hi ? days_from_civil(2089, 12, 31) * NS_DAY + NS_DAY - NS_MS : DAYS_1990 * NS_DAY;
        return;
    case S7P_T_LDT: case S7P_T_DTL: v->v.i = hi ? INT64_MAX : 0; return;
    case S7P_T_STRING: case S7P_T_WSTRING:
        if (hi) full_text(pl, ty == S7P_T_WSTRING, t->str_max, v);
        else v->v.str.p = (char *)"";
        return;
    case S7P_T_POINTER: raw_bytes(pl, 6, hi ? 0xFF : 0x00, v); return;
    case S7P_T_ANY: raw_bytes(pl, 10, hi ? 0xFF : 0x00, v); return;
    default: break;
    }
    if (ty >= 160 && ty <= 197) v->v.u = hi ? 32767 : 0;                 /* OB numbers */
    else if ((ty >= 128 && ty <= 134) || ty == 171) v->v.u = hi ? UINT32_MAX : 0;
    else v->v.u = hi ? 0xFFFF : 0;                    /* HW, CONN, PORT/RTM/PIP, DB ids */
}

/* The value of a whole variable: arrays alternate the ends, starting with `hi`. */
static void boundary_value(pool *pl, const s7p_tag *t, bool hi, s7p_tag_value *v)
{
    if (t->count == 0) {
        boundary(pl, t, hi, v);
        return;
    }
    memset(v, 0, sizeof *v);
    v->type = t->type;
    v->count = t->count;
    v->elems = pool_alloc(pl, t->count * sizeof *v->elems);
    for (uint32_t k = 0; k < t->count; k++) boundary(pl, t, ((k & 1) == 0) == hi, &v->elems[k]);
}

static bool elem_equal(int ty, const s7p_tag_value *a, const s7p_tag_value *b)
{
    switch (ty) {
    case S7P_T_BOOL: return a->v.b == b->v.b;
    case S7P_T_REAL: return memcmp(&a->v.r, &b->v.r, sizeof a->v.r) == 0;
    case S7P_T_LREAL: return memcmp(&a->v.lr, &b->v.lr, sizeof a->v.lr) == 0;
    case S7P_T_STRING: case S7P_T_WSTRING:
        return a->v.str.len == b->v.str.len && memcmp(a->v.str.p, b->v.str.p, a->v.str.len) == 0;
    case S7P_T_POINTER: case S7P_T_ANY:
        return a->v.raw.len == b->v.raw.len && memcmp(a->v.raw.p, b->v.raw.p, a->v.raw.len) == 0;
    default: return a->v.u == b->v.u;
    }
}

static bool value_equal(const s7p_tag *t, const s7p_tag_value *a, const s7p_tag_value *b)
{
    if (t->count == 0) return elem_equal((int)t->type, a, b);
    if (a->count != b->count) return false;
    for (uint32_t k = 0; k < t->count; k++)
        if (!elem_equal((int)t->type, &a->elems[k], &b->elems[k])) return false;
    return true;
}

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    s[n] = 0;
    *len = (size_t)n;
    return s;
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[512];
    int k = snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_true(k > 0 && (size_t)k < sizeof path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void remove_dir(const char *dir)
{
    static const char *const names[] = {"AllTypes.db", "AllTypesStd.db", "AllArrays.db",
                                        "AllArraysStd.db", "Legacy.db", "Consts.db", "Bad.db",
                                        "all.tags"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* s with the first `from` replaced by `to` (malloc'd; s is freed). */
static char *replace_once(char *s, const char *from, const char *to)
{
    char *at = strstr(s, from);
    assert_non_null(at);
    size_t head = (size_t)(at - s), nf = strlen(from), nt = strlen(to), tail = strlen(at + nf);
    char *out = malloc(head + nt + tail + 1);
    assert_non_null(out);
    memcpy(out, s, head);
    memcpy(out + head, to, nt);
    memcpy(out + head + nt, at + nf, tail + 1);
    free(s);
    return out;
}

/* Copies an example DB into dir; with std_name, as a standard-access copy of that name. */
static void copy_db(const char *dir, const char *name, const char *std_name)
{
    char path[512], from[160], to[160];
    size_t len;
    snprintf(path, sizeof path, "%s/%s.db", S7P_EXAMPLES_PLC, name);
    char *s = read_text(path, &len);
    if (std_name) {
        snprintf(from, sizeof from, "DATA_BLOCK \"%s\"", name);
        snprintf(to, sizeof to, "DATA_BLOCK \"%s\"", std_name);
        s = replace_once(s, from, to);
        s = replace_once(s, "S7_Optimized_Access := 'TRUE'", "S7_Optimized_Access := 'FALSE'");
    }
    snprintf(path, sizeof path, "%s.db", std_name ? std_name : name);
    write_text(dir, path, s);
    free(s);
}

/* Every tag type, in I, Q, M, T and C, and tags that share memory. */
static const char ALL_TAGS[] =
    "\"M Bool\" : Bool @ %M0.0;\n"
    "M_Byte : Byte @ %MB1;\n"
    "M_Char : Char @ %MB2;\n"
    "M_SInt : SInt @ %MB3;\n"
    "M_USInt : USInt @ %MB4;\n"
    "M_Word : Word @ %MW6;\n"
    "M_Int : Int @ %MW8;\n"
    "M_UInt : UInt @ %MW10;\n"
    "M_WChar : WChar @ %MW12;\n"
    "M_Date : Date @ %MW14;\n"
    "M_S5Time : S5Time @ %MW16;\n"
    "M_DWord : DWord @ %MD20;\n"
    "M_DInt : DInt @ %MD24;\n"
    "M_UDInt : UDInt @ %MD28;\n"
    "M_Real : Real @ %MD32;\n"
    "M_Time : Time @ %MD36;\n"
    "M_TOD : Time_Of_Day @ %MD40;\n"
    "Q_Word : Word @ %QW0;\n"
    "I_Byte : Byte @ %IB0;\n"
    "I_Bit : Bool @ %I0.7;\n"
    "T_Timer : Timer @ %T1;\n"
    "C_Counter : Counter @ %C1;\n"
    "W : Word @ %MW100;\n"
    "B0 : Byte @ %MB100;\n"
    "B1 : Byte @ %MB101;\n"
    "X : Bool @ %M101.0;\n";

static const char CONSTS_DB[] =
    "DATA_BLOCK \"Consts\"\n"
    "{ S7_Optimized_Access := 'TRUE' }\n"
    "VERSION : 0.1\n"
    "READ_ONLY\n"
    "NON_RETAIN\n"
    "   VAR\n"
    "      k : Int := 5;\n"
    "   END_VAR\n"
    "BEGIN\n"
    "END_DATA_BLOCK\n";

/* A program of every type twice (optimized AllTypes/AllArrays and standard copies), the
 * standard Legacy DB (Pointer, Any, Counter, Timer) and a read-only DB. */
static void make_roundtrip_dir(char *dir)
{
    strcpy(dir, "/tmp/s7p_rw_XXXXXX");
    assert_non_null(mkdtemp(dir));
    copy_db(dir, "AllTypes", NULL);
    copy_db(dir, "AllTypes", "AllTypesStd");
    copy_db(dir, "AllArrays", NULL);
    copy_db(dir, "AllArrays", "AllArraysStd");
    copy_db(dir, "Legacy", NULL);
    write_text(dir, "Consts.db", CONSTS_DB);
    write_text(dir, "all.tags", ALL_TAGS);
}

/* Writes the boundary values of every variable of a DB in one batch, reads them back. */
static void round_trip_db(s7p_client *c, const items *all, const char *block, bool hi,
                          size_t *types_seen)
{
    pool pl = {{0}, 0};
    size_t n = 0;
    for (size_t i = 0; i < all->n; i++) n += strcmp(all->v[i].block, block) == 0;
    assert_true(n > 0);
    s7p_tag *t = calloc(n, sizeof *t);
    s7p_tag_value *w = calloc(n, sizeof *w), *v = calloc(n, sizeof *v);
    s7p_item_result *r = calloc(n, sizeof *r);
    const char **sym = calloc(n, sizeof *sym);
    assert_true(t && w && v && r && sym);
    size_t k = 0;
    for (size_t i = 0; i < all->n; i++) {
        if (strcmp(all->v[i].block, block) != 0) continue;
        t[k] = all->v[i].tag;
        sym[k] = all->v[i].symbol;
        boundary_value(&pl, &t[k], hi, &w[k]);
        if (t[k].type < 256) types_seen[t[k].type]++;
        k++;
    }
    s7p_error err;
    if (s7p_write(c, t, k, w, r, &err) != S7P_OK) fail_msg("write %s: %s", block, err.message);
    for (size_t i = 0; i < k; i++)
        if (r[i].code != S7P_OK)
            fail_msg("write %s: %s (plc %d)", sym[i], s7p_strerror(r[i].code), r[i].plc_code);
    if (s7p_read(c, t, k, v, r, &err) != S7P_OK) fail_msg("read %s: %s", block, err.message);
    for (size_t i = 0; i < k; i++) {
        if (r[i].code != S7P_OK) fail_msg("read %s: %s", sym[i], s7p_strerror(r[i].code));
        if (!value_equal(&t[i], &w[i], &v[i]))
            fail_msg("%s: %s value did not come back", sym[i], hi ? "high" : "low");
        s7p_tag_value_clear(&v[i]);
    }
    pool_free(&pl);
    free(t);
    free(w);
    free(v);
    free(r);
    free(sym);
}

/* The round-trip program, loaded by the test for the tag addresses. */
static s7t_program *rt_prog;

static const s7t_program *sim_program_for_test(const char *dir)
{
    char err[256];
    rt_prog = s7t_program_load_dir(dir, err, sizeof err);
    if (!rt_prog) fail_msg("%s", err);
    return rt_prog;
}

static void test_round_trip_every_type(void **state)
{
    (void)state;
    char dir[64];
    make_roundtrip_dir(dir);
    s7p_sim *sim = start_sim(dir);
    s7p_client *c = connect_client(sim, true);
    items all;
    browse_all(c, &all);
    static const char *const blocks[] = {"AllTypes", "AllTypesStd", "AllArrays", "AllArraysStd",
                                         "Legacy"};
    size_t seen[256] = {0};
    for (int hi = 0; hi < 2; hi++)
        for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++)
            round_trip_db(c, &all, blocks[b], hi != 0, seen);
    /* Every type of the model, elementary and as array elements, in both access kinds:
     * AllTypes and AllArrays each hold one of every type the client converts. */
    static const int types[] = {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 19, 48, 49, 50, 51, 52, 53, 54, 55, 61, 62,
        64, 65, 66, 67, 128, 129, 130, 134, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153,
        154, 155, 156, 160, 161, 162, 163, 164, 168, 169, 170, 171, 173, 174, 175, 192, 193,
        194, 195, 196, 197, 208, 209, 210};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (seen[types[i]] < 2 * 4)  /* both ends x (opt, std) x (scalar, array) */
            fail_msg("type %d (%s) round-tripped %zu times", types[i], s7p_type_name(types[i]),
                     seen[types[i]]);
    for (int ty = 20; ty <= 29; ty++)  /* Pointer, Any, Counter, Timer: Legacy (standard) */
        if ((ty == 20 || ty == 22 || ty == 28 || ty == 29) && seen[ty] < 4)
            fail_msg("type %d round-tripped %zu times", ty, seen[ty]);

    /* Tags of every type in every area. */
    s7p_error err;
    items tags;
    area_items(sim_program_for_test(dir), &tags);
    static const char *const areas[] = {"I", "Q", "M", "T", "C"};
    size_t tag_seen[256] = {0};
    for (int hi = 0; hi < 2; hi++)
        for (size_t b = 0; b < sizeof areas / sizeof areas[0]; b++)
            round_trip_db(c, &tags, areas[b], hi != 0, tag_seen);
    static const int tag_types[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 28, 29, 52, 53, 54, 55, 61};
    for (size_t i = 0; i < sizeof tag_types / sizeof tag_types[0]; i++)
        if (tag_seen[tag_types[i]] < 2) fail_msg("tag type %d not round-tripped", tag_types[i]);
    /* Overlapping tags share the bytes: MW100 = MB100 MB101, M101.0 = bit 0 of MB101. */
    s7p_tag ov[4] = {find_item(&tags, "W")->tag, find_item(&tags, "B0")->tag,
                     find_item(&tags, "B1")->tag, find_item(&tags, "X")->tag};
    s7p_tag_value ow, ov_v[4];
    s7p_item_result ov_r[4];
    memset(&ow, 0, sizeof ow);
    ow.type = S7P_T_WORD;
    ow.v.u = 0x1234;
    assert_int_equal(s7p_write(c, &ov[0], 1, &ow, ov_r, &err), S7P_OK);
    assert_int_equal(ov_r[0].code, S7P_OK);
    assert_int_equal(s7p_read(c, ov, 4, ov_v, ov_r, &err), S7P_OK);
    assert_int_equal(ov_v[1].v.u, 0x12);
    assert_int_equal(ov_v[2].v.u, 0x34);
    assert_false(ov_v[3].v.b);
    memset(&ow, 0, sizeof ow);
    ow.type = S7P_T_BOOL;
    ow.v.b = true;
    assert_int_equal(s7p_write(c, &ov[3], 1, &ow, ov_r, &err), S7P_OK);
    assert_int_equal(s7p_read(c, ov, 1, ov_v, ov_r, &err), S7P_OK);
    assert_int_equal(ov_v[0].v.u, 0x1235);
    st_items_free(&tags);

    /* A read-only DB refuses writes, item by item. */
    s7p_tag tk;
    assert_int_equal(s7p_tag_by_symbol(c, "\"Consts\".k", &tk, &err), S7P_OK);
    s7p_tag_value wv;
    memset(&wv, 0, sizeof wv);
    wv.type = S7P_T_INT;
    wv.v.i = 6;
    s7p_item_result r;
    assert_int_equal(s7p_write(c, &tk, 1, &wv, &r, &err), S7P_OK);
    expect_plc_error(&r, -50);

    st_items_free(&all);
    close_client(c);
    s7p_sim_stop(sim);
    remove_dir(dir);
    s7t_program_free(rt_prog);
    rt_prog = NULL;
}

/* Several sessions write their own variables at once; every value lands. */
typedef struct writer {
    s7p_sim *sim;
    s7p_tag tag;
    int id;
    int failures;
} writer;

static void *writer_main(void *arg)
{
    writer *w = arg;
    s7p_client *c = connect_client(w->sim, true);
    for (int i = 0; i < 200; i++) {
        s7p_tag_value v, back;
        memset(&v, 0, sizeof v);
        v.type = S7P_T_UDINT;
        v.v.u = (uint64_t)(w->id * 100000 + i);
        s7p_item_result r;
        s7p_error err;
        if (s7p_write(c, &w->tag, 1, &v, &r, &err) != S7P_OK || r.code != S7P_OK) w->failures++;
        if (s7p_read(c, &w->tag, 1, &back, &r, &err) != S7P_OK || r.code != S7P_OK ||
            back.v.u != v.v.u)
            w->failures++;
    }
    close_client(c);
    return NULL;
}

static void test_parallel_sessions(void **state)
{
    (void)state;
    s7p_error err;
    writer w[3];
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        char sym[64];
        snprintf(sym, sizeof sym, "\"Motors\".hours[%d]", i + 1);
        w[i].sim = F.sim;
        w[i].id = i + 1;
        w[i].failures = 0;
        assert_int_equal(s7p_tag_by_symbol(F.c, sym, &w[i].tag, &err), S7P_OK);
    }
    for (int i = 0; i < 3; i++) assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    s7p_tag t = find_item(&F.all, "\"Motors\".hours")->tag;
    s7p_tag_value v;
    s7p_item_result r;
    assert_int_equal(s7p_read(F.c, &t, 1, &v, &r, &err), S7P_OK);
    for (int i = 0; i < 3; i++) assert_int_equal(v.elems[i].v.u, (uint64_t)((i + 1) * 100000 + 199));
    s7p_tag_value_clear(&v);
}

/* A DB whose type information needs several list blocks (each below 64 KiB) and whose
 * answers span many frames: 5000 members with long names. */
static void test_large_db(void **state)
{
    (void)state;
    enum { MEMBERS = 5000 };
    char dir[64];
    strcpy(dir, "/tmp/s7p_rw_XXXXXX");
    assert_non_null(mkdtemp(dir));
    size_t cap = (size_t)MEMBERS * 64 + 1024, n = 0;
    char *src = malloc(cap);
    assert_non_null(src);
    n += (size_t)snprintf(src + n, cap - n, "DATA_BLOCK \"Big\"\n{ S7_Optimized_Access := 'TRUE' }\n"
                                            "VERSION : 0.1\n   VAR\n");
    for (int i = 0; i < MEMBERS; i++)
        n += (size_t)snprintf(src + n, cap - n, "      member_with_a_long_name_%05d : DInt := %d;\n",
                              i, i * 3 - 7000);
    snprintf(src + n, cap - n, "   END_VAR\nBEGIN\nEND_DATA_BLOCK\n");
    write_text(dir, "Big.db", src);
    free(src);
    s7p_sim *sim = start_sim(dir);
    s7p_client *c = connect_client(sim, false);
    items all;
    browse_all(c, &all);
    assert_int_equal(all.n, MEMBERS);
    s7p_tag_value *v = calloc(MEMBERS, sizeof *v);
    s7p_item_result *r = calloc(MEMBERS, sizeof *r);
    assert_true(v && r);
    read_items(c, all.v, MEMBERS, v, r);
    for (int i = 0; i < MEMBERS; i++) {
        char want[64];
        snprintf(want, sizeof want, "\"Big\".member_with_a_long_name_%05d", i);
        assert_string_equal(all.v[i].symbol, want);
        assert_int_equal(r[i].code, S7P_OK);
        assert_int_equal(v[i].v.i, i * 3 - 7000);
    }
    free(v);
    free(r);
    st_items_free(&all);
    close_client(c);
    s7p_sim_stop(sim);
    char path[512];
    snprintf(path, sizeof path, "%s/Big.db", dir);
    unlink(path);
    rmdir(dir);
}

/* Without a program: no blocks to browse, DB items answer ObjectNotFound. */
static void test_no_program(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(NULL);
    s7p_client *c = connect_client(sim, true);
    items all;
    browse_all(c, &all);
    assert_int_equal(all.n, 0);
    s7p_tag t = find_item(&F.all, "\"AllTypes\".v_int")->tag;
    s7p_tag_value v;
    s7p_item_result r;
    s7p_error err;
    assert_int_equal(s7p_read(c, &t, 1, &v, &r, &err), S7P_OK);
    expect_plc_error(&r, -12);
    memset(&v, 0, sizeof v);
    v.type = S7P_T_INT;
    assert_int_equal(s7p_write(c, &t, 1, &v, &r, &err), S7P_OK);
    expect_plc_error(&r, -12);
    st_items_free(&all);
    close_client(c);
    s7p_sim_stop(sim);
}

/* A program that does not load stops a strict start with the loader's file:line:col message;
 * otherwise the source is left out, its error logged, and the simulator starts. */
static void test_bad_program_fails_start(void **state)
{
    (void)state;
    char dir[64];
    strcpy(dir, "/tmp/s7p_rw_XXXXXX");
    assert_non_null(mkdtemp(dir));
    write_text(dir, "Bad.db", "DATA_BLOCK \"Bad\"\nVERSION : 0.1\n   VAR\n      x : Nope;\n"
                              "   END_VAR\nBEGIN\nEND_DATA_BLOCK\n");
    s7p_sim_config cfg;
    char err[256] = "";
    s7p_sim_config_init(&cfg);
    cfg.program_dir = dir;
    cfg.strict_program = true;
    assert_null(s7p_sim_start(&cfg, err, sizeof err));
    assert_true(strncmp(err, "Bad.db:4:", 9) == 0);
    cfg.strict_program = false;
    FILE *log = tmpfile();
    assert_non_null(log);
    cfg.log = log;
    s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
    assert_non_null(sim);
    s7p_sim_stop(sim);
    char text[1024];
    size_t n = (rewind(log), fread(text, 1, sizeof text - 1, log));
    text[n] = '\0';
    fclose(log);
    assert_non_null(strstr(text, "program: Bad.db:4:11: unknown data type 'Nope' (source left out)"));
    cfg.log = NULL;
    remove_dir(dir);
    cfg.program_dir = "/nonexistent/s7plus";
    assert_null(s7p_sim_start(&cfg, err, sizeof err));
    assert_true(err[0] != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browse_counts_every_variable),
        cmocka_unit_test(test_browse_all_matches_stream),
        cmocka_unit_test(test_symbols_resolve_to_browsed_addresses),
        cmocka_unit_test(test_read_every_variable),
        cmocka_unit_test(test_read_known_values),
        cmocka_unit_test(test_element_addresses),
        cmocka_unit_test(test_ten_thousand_tags),
        cmocka_unit_test(test_read_errors_per_item),
        cmocka_unit_test(test_tag_table_values),
        cmocka_unit_test(test_wire_answers),
        cmocka_unit_test(test_write_errors_per_item),
        cmocka_unit_test(test_write_visible_to_other_session),
        cmocka_unit_test(test_write_disabled_sends_nothing),
        cmocka_unit_test(test_parallel_sessions),
        cmocka_unit_test(test_round_trip_every_type),
        cmocka_unit_test(test_large_db),
        cmocka_unit_test(test_no_program),
        cmocka_unit_test(test_bad_program_fails_start),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* SPDX-License-Identifier: MIT */
/* Client <-> simulator serving a program as TIA Portal exports it (tests/program/tia_export):
 * browse lists the members of FB instance DBs, multi-instances and every system data type;
 * every browsed variable reads back as its start value; the system types' type-info objects
 * have the CPU's fixed RIDs. A directory with broken sources is served without them (their
 * errors logged with file:line:col), and refused when strict. */
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
#include "proto/symcrc.h"
#include "simtest.h"
#include "tc.h"
#include "values.h"

#ifndef S7P_TIA_EXPORT
#error "S7P_TIA_EXPORT must name tests/program/tia_export"
#endif

#define NS_MS INT64_C(1000000)

typedef struct fixture {
    s7p_sim *sim;
    s7p_client *c;
    s7t_program *prog;
    st_items all;
} fixture;

static fixture F;

static int group_setup(void **state)
{
    (void)state;
    char err[1024];
    F.prog = s7t_program_load_dir(S7P_TIA_EXPORT, err, sizeof err);
    if (!F.prog) return -1;
    F.sim = st_sim_start_dir(S7P_TIA_EXPORT);
    F.c = st_client_of(F.sim, false);
    s7p_error e;
    if (s7p_browse(F.c, st_collect, &F.all, &e) != S7P_OK) {
        fprintf(stderr, "browse: %s\n", e.message);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    st_items_free(&F.all);
    st_client_close(F.c);
    s7p_sim_stop(F.sim);
    s7t_program_free(F.prog);
    return 0;
}

static const st_item *item(const char *symbol)
{
    const st_item *it = st_find_item(&F.all, symbol);
    if (!it) fail_msg("not browsed: %s", symbol);
    return it;
}

static void test_browse_lists_members(void **state)
{
    (void)state;
    static const char *const syms[] = {
        /* instance DB of a user FB: every section, multi-instances, system types inside */
        "\"Motor_1\".Start", "\"Motor_1\".Speed_SP", "\"Motor_1\".Callback", "\"Motor_1\".Running",
        "\"Motor_1\".Last_Error.CODE_ADDRESS.CB_NUMBER", "\"Motor_1\".Counter_Ref",
        "\"Motor_1\".Hours", "\"Motor_1\".Started_At", "\"Motor_1\".Timer.PT", "\"Motor_1\".Timer.Q",
        "\"Motor_1\".Long_Timer.ET", "\"Motor_1\".Starts.CV", "\"Motor_1\".Valve.Open",
        "\"Motor_1\".Valve.Monitor.ET", "\"Motor_1\".Valves[2].Monitor.PT",
        "\"Motor_1\".Limits.High", "\"Motor_1\".Name",
        /* instance DBs of system FBs */
        "\"IEC_Timer_0_DB\".PT", "\"IEC_Timer_0_DB\".ST", "\"IEC_Counter_0_DB\".CV",
        /* every system data type in a standard DB */
        "\"SystemTypes\".tim.RU", "\"SystemTypes\".ltim.PT", "\"SystemTypes\".sctr.PV",
        "\"SystemTypes\".usctr.CU", "\"SystemTypes\".ctr.LD", "\"SystemTypes\".uctr.QD",
        "\"SystemTypes\".dctr.QU", "\"SystemTypes\".udctr.CV", "\"SystemTypes\".lctr.PV",
        "\"SystemTypes\".ulctr.PV", "\"SystemTypes\".code.OFFSET", "\"SystemTypes\".data.AREA",
        "\"SystemTypes\".err.DATA_ADDRESS.DB_NUMBER", "\"SystemTypes\".err.SLOT_NUMBER_SCOPE",
        "\"SystemTypes\".timers[1].PT", "\"Plant\".recipe.Due", "\"Plant\".flags",
        /* TIA's structure types of open user communication */
        "\"Comm\".Modbus.InterfaceId", "\"Comm\".Modbus.ID", "\"Comm\".Peer.ActiveEstablished",
        "\"Comm\".Peer.RemoteAddress.ADDR", "\"Comm\".Peer.RemotePort", "\"Comm\".Udp_Dest.RESERVED",
        "\"Comm\".Classic.rem_tsap_id", "\"Comm\".Classic.spare", "\"Comm\".Gateway.ADDR",
    };
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) item(syms[i]);
    /* no references, temporaries or constants */
    static const char *const gone[] = {"\"Motor_1\".Any_Input", "\"Motor_1\".Recipe.Id",
                                       "\"Motor_1\".Buffer", "\"Motor_1\".Label",
                                       "\"Motor_1\".tmp", "\"Motor_1\".MAX_SPEED"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        if (st_find_item(&F.all, gone[i])) fail_msg("browsed: %s", gone[i]);
    /* one variable per leaf of the model (an elementary array is one variable) */
    size_t leaves = 0;
    for (size_t i = 0; i < s7t_program_db_count(F.prog); i++)
        leaves += s7t_program_db(F.prog, i)->type->leaves;
    /* Plant.flags: 8 leaves, one variable; so the Byte arrays of "Comm": 4 of 4, 2 of 16,
     * 3 of 6 leaves */
    assert_int_equal(F.all.n, leaves - 7 - 4 * 3 - 2 * 15 - 3 * 5);
    assert_int_equal(item("\"Plant\".flags")->tag.count, 8);
}

/* The model's start value of a browsed variable, in the public form. */
static void expected(const st_item *it, s7p_tag_value *out, uint32_t k)
{
    const s7t_db *db = s7t_program_find_db(F.prog, it->block);
    assert_non_null(db);
    s7t_ref r;
    char err[200];
    const char *path = it->symbol + strlen(it->block) + 3;  /* "Block". */
    if (!s7t_db_resolve(db, path, &r, err, sizeof err)) fail_msg("%s: %s", it->symbol, err);
    const s7t_type *elem = r.type->kind == S7T_ARRAY ? r.type->elem : r.type;
    assert_true(sim_value_from_model(elem, &db->start[r.first + k], out));
}

static void expect_equal(const char *sym, const s7p_tag_value *want, const s7p_tag_value *got)
{
    bool eq;
    switch (want->type) {
    case S7P_T_BOOL: eq = want->v.b == got->v.b; break;
    case S7P_T_REAL: eq = want->v.r == got->v.r; break;
    case S7P_T_LREAL: eq = want->v.lr == got->v.lr; break;
    case S7P_T_STRING: case S7P_T_WSTRING: eq = strcmp(want->v.str.p, got->v.str.p) == 0; break;
    default: eq = want->v.u == got->v.u; break;
    }
    if (!eq) fail_msg("%s: read %llu, start value %llu", sym, (unsigned long long)got->v.u,
                      (unsigned long long)want->v.u);
}

static void test_values_read_back_as_start_values(void **state)
{
    (void)state;
    size_t n = F.all.n;
    s7p_tag *tags = calloc(n, sizeof *tags);
    s7p_tag_value *v = calloc(n, sizeof *v);
    s7p_item_result *r = calloc(n, sizeof *r);
    assert_true(tags && v && r);
    for (size_t i = 0; i < n; i++) tags[i] = F.all.v[i].tag;
    s7p_error e;
    assert_int_equal(s7p_read(F.c, tags, n, v, r, &e), S7P_OK);
    for (size_t i = 0; i < n; i++) {
        const st_item *it = &F.all.v[i];
        if (r[i].code != S7P_OK)
            fail_msg("%s: %s (plc %d)", it->symbol, s7p_strerror(r[i].code), r[i].plc_code);
        uint32_t cnt = v[i].count ? v[i].count : 1;
        for (uint32_t k = 0; k < cnt; k++) {
            s7p_tag_value want;
            expected(it, &want, k);
            expect_equal(it->symbol, &want, v[i].count ? &v[i].elems[k] : &v[i]);
            s7p_tag_value_clear(&want);
        }
    }
    /* a few spelled out from the source text */
    static const struct { const char *sym; int64_t i; } known[] = {
        {"\"Motor_1\".Timer.PT", 5000 * NS_MS}, {"\"Motor_1\".Valves[2].Monitor.PT", 4000 * NS_MS},
        {"\"Motor_2\".Valve.Open_Time", 3000 * NS_MS}, {"\"IEC_Timer_0_DB\".PT", 3000 * NS_MS},
        {"\"IEC_Counter_0_DB\".CV", -5}, {"\"SystemTypes\".ctr.PV", -30000},
        {"\"SystemTypes\".lctr.PV", INT64_C(-9000000000000000000)},
        {"\"SystemTypes\".err.CODE_ADDRESS.CB_NUMBER", 30}, {"\"Motor_1\".Starts.PV", 10},
        {"\"Comm\".Modbus.LocalPort", 502}, {"\"Comm\".Peer.RemotePort", 2000},
        {"\"Comm\".Peer.InterfaceId", 64}, {"\"Comm\".Classic.block_length", 64},
    };
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        size_t i = (size_t)(item(known[k].sym) - F.all.v);
        if (v[i].v.i != known[k].i) fail_msg("%s: %lld", known[k].sym, (long long)v[i].v.i);
    }
    size_t i = (size_t)(item("\"Motor_1\".Name") - F.all.v);
    assert_string_equal(v[i].v.str.p, "motor A");
    for (size_t k = 0; k < n; k++) s7p_tag_value_clear(&v[k]);
    free(tags);
    free(v);
    free(r);
}

/* ---- the answers on the wire (raw requests, tests/support/tc.h) ---- */

static const s7p_pdu *raw_explore(tc *t, uint32_t id, uint32_t iid)
{
    s7p_pdu p;
    const s7p_pdu *resp;
    tc_explore_req(t, &p, id, false, NULL, 0);
    p.iid = iid;  /* the test's own integrity id */
    if (tc_call(t, &p, &resp) != S7P_OK) fail_msg("explore: %s", t->err);
    return resp;
}

/* LID 1 (the block's type-info RID) of each DB. */
static void type_rids(tc *t, const char *const *names, uint32_t n, uint32_t *out)
{
    static uint32_t lid1 = 1;
    s7p_item_address a[4];
    for (uint32_t i = 0; i < n; i++) {
        const s7t_db *db = s7t_program_find_db(F.prog, names[i]);
        assert_non_null(db);
        s7p_item_address x = {0, 0x8A0E0000u + db->number, 2550, 1, &lid1};
        a[i] = x;
    }
    s7p_pdu p;
    const s7p_pdu *resp;
    tc_begin(t, &p, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, S7P_TF_REQUEST);
    p.req.get_multi.item_count = n;
    p.req.get_multi.addresses = a;
    for (uint32_t i = 0; i < n; i++) p.req.get_multi.nfields += s7p_item_address_fields(&a[i]);
    assert_true(s7p_qualifier_default(&p.qualifier, &t->a));
    p.has_iid = true;
    p.iid = ++t->iid_get;
    if (tc_call(t, &p, &resp) != S7P_OK) fail_msg("get: %s", t->err);
    for (uint32_t i = 0; i < n; i++) {
        const s7p_value *v = s7p_idlist_find(&resp->resp.get_multi.values, i + 1);
        assert_non_null(v);
        assert_int_equal(v->type, S7P_DT_RID);
        out[i] = (uint32_t)v->v.u;
    }
}

/* Instance DBs of one FB share its type info; a system FB's instance DB names the fixed RID
 * of its system type (0x02000000 + softdatatype), whose type info lists ST, PT, ET, RU, IN, Q
 * with the CPU's offsets; FB members carry their section; a multi-instance is offset-info
 * type 15 (FB/SFB) with softdatatype Multi_FB. */
static void test_type_info_on_the_wire(void **state)
{
    (void)state;
    tc t;
    if (tc_connect_session(&t, s7p_sim_port(F.sim)) != S7P_OK) fail_msg("%s", t.err);
    static const char *const names[] = {"Motor_1", "Motor_2", "IEC_Timer_0_DB", "SystemTypes"};
    uint32_t rid[4];
    type_rids(&t, names, 4, rid);
    assert_int_equal(rid[0], rid[1]);
    assert_int_equal(rid[2], 0x0200001Fu);

    const s7p_pdu *resp = raw_explore(&t, 0x0200001Fu, 7);
    assert_int_equal(resp->ret, 0);
    assert_int_equal(resp->resp.explore.objects.n, 1);
    const s7p_object *o = resp->resp.explore.objects.items[0];
    assert_int_equal(o->rel_id, 0x0200001Fu);
    assert_int_equal(o->class_id, 511);
    const s7p_vartype_list *vt = s7p_object_vartypes(o);
    const s7p_varname_list *vn = s7p_object_varnames(o);
    assert_true(vt && vn && vt->n == 6 && vn->n == 6);
    static const char *const m[] = {"ST", "PT", "ET", "RU", "IN", "Q"};
    static const uint8_t sdt[] = {S7P_T_TIME, S7P_T_TIME, S7P_T_TIME, S7P_T_BOOL, S7P_T_BOOL,
                                  S7P_T_BOOL};
    static const uint32_t off[] = {0, 4, 8, 12, 12, 12};
    for (uint32_t k = 0; k < 6; k++) {
        assert_int_equal(vn->items[k].name.n, strlen(m[k]));
        assert_memory_equal(vn->items[k].name.p, m[k], strlen(m[k]));
        assert_int_equal(vt->items[k].softdatatype, sdt[k]);
        assert_int_equal(vt->items[k].nonopt_addr, off[k]);
    }
    assert_int_equal(vt->items[5].bit_offset_info & 7, 2);  /* Q: bit 2 */

    /* the FB's type info: sections, system-type and multi-instance members */
    resp = raw_explore(&t, rid[0], 8);
    assert_int_equal(resp->ret, 0);
    o = resp->resp.explore.objects.items[0];
    vt = s7p_object_vartypes(o);
    vn = s7p_object_varnames(o);
    assert_non_null(vt);
    const s7t_type *fb = s7t_program_find_udt(F.prog, "Motor_FB")->type;
    assert_int_equal(vt->n, fb->nmembers);
    for (uint32_t k = 0; k < vt->n; k++) {
        const s7t_member *mem = &fb->members[k];
        assert_memory_equal(vn->items[k].name.p, mem->name, strlen(mem->name));
        assert_int_equal((vt->items[k].attr_flags >> 4) & 7, mem->section);
        if (strcmp(mem->name, "Timer") == 0) {
            assert_int_equal(vt->items[k].softdatatype, 31);
            assert_int_equal(vt->items[k].relation_id, 0x0200001Fu);
            assert_int_equal(vt->items[k].attr_flags >> 12, 12);
        } else if (strcmp(mem->name, "Last_Error") == 0) {
            assert_int_equal(vt->items[k].relation_id, 0x02000061u);
        } else if (strcmp(mem->name, "Valve") == 0) {
            assert_int_equal(vt->items[k].softdatatype, 21);
            assert_int_equal(vt->items[k].attr_flags >> 12, 15);
        }
    }
    /* every system type a program uses is in the container's answer */
    resp = raw_explore(&t, 537, 9);
    assert_int_equal(resp->ret, 0);
    o = resp->resp.explore.objects.items[0];
    static const uint32_t sys[] = {0x1F, 0x44, 0x45, 0x49, 0x1E, 0x48, 0x46, 0x4A, 0x47, 0x4B,
                                   0x65, 0x62, 0x61};
    for (size_t k = 0; k < sizeof sys / sizeof sys[0]; k++) {
        bool found = false;
        for (const s7p_obj_elem *e = o->first; e; e = e->next)
            if (e->tag == S7P_EL_START_OBJECT && e->u.child->rel_id == 0x02000000u + sys[k])
                found = true;
        if (!found) fail_msg("type info 0x%08x not in the container", 0x02000000u + sys[k]);
    }
    tc_close(&t);
}

/* The classic image of the open-user-communication structures in the standard DB "Comm",
 * read by byte range as older HMIs and drivers read it: TIA's sizes (TCON_IP_v4 14 bytes,
 * TADDR_Param 8, TCON_Param 64, IP_V4 4) and the start values in place. */
static void test_system_structs_classic_image(void **state)
{
    (void)state;
    tc t;
    if (tc_connect_session(&t, s7p_sim_port(F.sim)) != S7P_OK) fail_msg("%s", t.err);
    uint32_t area = 0x8A0E0000u + s7t_program_find_db(F.prog, "Comm")->number;
    static const uint8_t want[104] = {
        0x00, 0x40, 0x00, 0x01, 0x0B, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0xF6,          /* Modbus */
        0x00, 0x40, 0x00, 0x02, 0x0B, 0x01, 0xC0, 0xA8, 0x00, 0x0A, 0x07, 0xD0, 0, 0,    /* Peer */
        0x0A, 0, 0, 0, 0x13, 0x88, 0, 0,                                                 /* Udp_Dest */
        0x00, 0x40, 0x00, 0x03, 0x11, 0x01, 0x01, 0, 0, 0x04, 0, 0,                      /* Classic */
        [70] = 0xC0, [73] = 0x02,                                              /* rem_staddr */
        [103] = 0x01,                                                          /* Gateway */
    };
    s7p_pdu p;
    const s7p_pdu *resp;
    tc_get_range_req(&t, &p, area, 0, sizeof want, -1);
    if (tc_call(&t, &p, &resp) != S7P_OK) fail_msg("%s", t.err);
    assert_int_equal(resp->resp.get_multi.errors.n, 0);
    const s7p_value *v = s7p_idlist_find(&resp->resp.get_multi.values, 1);
    assert_true(v && v->type == S7P_DT_BLOB);
    assert_int_equal(v->v.blob->data.n, sizeof want);
    assert_memory_equal(v->v.blob->data.p, want, sizeof want);
    tc_get_range_req(&t, &p, area, 104, 1, -1);  /* the DB ends there */
    if (tc_call(&t, &p, &resp) != S7P_OK) fail_msg("%s", t.err);
    assert_int_equal(resp->resp.get_multi.errors.n, 1);
    tc_close(&t);
}

/* Broken sources beside good ones: served without them, every error logged; strict refuses. */
static void test_broken_sources_left_out(void **state)
{
    (void)state;
    char dir[256];
    st_tmpdir(dir, sizeof dir, "tia_broken");
    st_write_file(dir, "Good.db", "DATA_BLOCK \"Good\"\n   VAR\n      a : Int := 7;\n   END_VAR\n"
                                  "BEGIN\nEND_DATA_BLOCK\n");
    st_write_file(dir, "Bad.db", "DATA_BLOCK \"Bad\"\n   VAR\n      a : Nope;\n      b : Int\n"
                                 "   END_VAR\nBEGIN\nEND_DATA_BLOCK\n"
                                 "DATA_BLOCK \"Bad2\"\n   VAR\n      x  Int;\n   END_VAR\nBEGIN\n"
                                 "END_DATA_BLOCK\n");
    st_write_file(dir, "Fb.scl", "FUNCTION_BLOCK \"Fb\"\n   VAR\n      t : TON_TIME := 1;\n"
                                 "   END_VAR\nBEGIN\nEND_FUNCTION_BLOCK\n");
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.program_dir = dir;
    FILE *log = tmpfile();
    assert_non_null(log);
    cfg.log = log;
    s7p_sim *sim = st_sim_start(&cfg);
    s7p_client *c = st_client_of(sim, false);
    st_items all;
    memset(&all, 0, sizeof all);
    s7p_error e;
    assert_int_equal(s7p_browse(c, st_collect, &all, &e), S7P_OK);
    assert_int_equal(all.n, 1);
    assert_string_equal(all.v[0].symbol, "\"Good\".a");
    st_items_free(&all);
    st_client_close(c);
    s7p_sim_stop(sim);
    char text[2048];
    rewind(log);
    size_t n = fread(text, 1, sizeof text - 1, log);
    text[n] = '\0';
    fclose(log);
    static const char *const lines[] = {
        "program: Bad.db:3:11: unknown data type 'Nope' (source left out)",
        "program: Bad.db:10:10: expected ':' after member name (source left out)",
        "program: Fb.scl:3:23: start values of a Struct or PLC data type are set per member (source left out)",
    };
    for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++)
        if (!strstr(text, lines[k])) fail_msg("not logged: %s\nlog:\n%s", lines[k], text);

    cfg.log = NULL;
    cfg.strict_program = true;
    char err[512];
    assert_null(s7p_sim_start(&cfg, err, sizeof err));
    assert_string_equal(err, "Bad.db:3:11: unknown data type 'Nope'\n"
                             "Bad.db:10:10: expected ':' after member name\n"
                             "Fb.scl:3:23: start values of a Struct or PLC data type are set per "
                             "member");
    st_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browse_lists_members),
        cmocka_unit_test(test_values_read_back_as_start_values),
        cmocka_unit_test(test_type_info_on_the_wire),
        cmocka_unit_test(test_system_structs_classic_image),
        cmocka_unit_test(test_broken_sources_left_out),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

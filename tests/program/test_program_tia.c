/* SPDX-License-Identifier: MIT */
/* A program as TIA Portal exports it (tests/program/tia_export: FB sources with every
 * parameter section and multi-instances, instance DBs of user and system FBs, a DB with every
 * system data type, FCs and OBs to skip, attributes, comments, BEGIN assignments) loads
 * unedited; and a load with several broken sources reports every error with file:line:col,
 * leaving those sources out (or refusing the program when strict). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "program/program.h"

#ifndef S7P_TIA_EXPORT
#error "S7P_TIA_EXPORT must name tests/program/tia_export"
#endif

static s7t_program *g_prog;

static int setup(void **state)
{
    (void)state;
    char err[2048];
    s7t_load_report rep;
    g_prog = s7t_program_load_dir_ex(S7P_TIA_EXPORT, true, err, sizeof err, &rep);
    if (!g_prog) fprintf(stderr, "%s\n", err);
    return g_prog && rep.errors == 0 && rep.skipped == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    s7t_program_free(g_prog);
    return 0;
}

static const s7t_db *db(const char *name)
{
    const s7t_db *d = s7t_program_find_db(g_prog, name);
    if (!d) fail_msg("no DB %s", name);
    return d;
}

static const s7t_value *val(const char *dbname, const char *path)
{
    const s7t_value *v = s7t_db_value(db(dbname), path);
    if (!v) fail_msg("%s: no leaf %s", dbname, path);
    return v;
}

static const s7t_member *member(const char *dbname, const char *path)
{
    s7t_ref r;
    char err[200];
    if (!s7t_db_resolve(db(dbname), path, &r, err, sizeof err)) fail_msg("%s: %s", path, err);
    return r.member;
}

static bool absent(const char *dbname, const char *path)
{
    s7t_ref r;
    return !s7t_db_resolve(db(dbname), path, &r, NULL, 0);
}

static void test_blocks(void **state)
{
    (void)state;
    assert_int_equal(s7t_program_db_count(g_prog), 7);
    const s7t_udt *fb = s7t_program_find_udt(g_prog, "Motor_FB");
    assert_non_null(fb);
    assert_true(fb->fb);
    assert_string_equal(fb->version, "0.3");
    assert_string_equal(fb->title, "Motor with ramp, valve and counters");
    assert_ptr_equal(db("Motor_1")->udt, fb);
    assert_ptr_equal(db("Motor_2")->type, fb->type);  /* instance DBs share the FB's type */
    assert_false(s7t_program_find_udt(g_prog, "Recipe")->fb);
    /* FUNCTION and ORGANIZATION_BLOCK hold no data: no block of theirs */
    assert_null(s7t_program_find_udt(g_prog, "Scale"));
    assert_null(s7t_program_find_udt(g_prog, "Main"));
    assert_null(s7t_program_find_db(g_prog, "Main"));
    const s7t_db *plant = db("Plant");
    assert_string_equal(plant->author, "Plant");
    assert_string_equal(plant->family, "Data");
    assert_string_equal(plant->title, "Plant data");
    assert_false(plant->retain);
    assert_true(db("Motor_1")->optimized);
    assert_false(db("SystemTypes")->optimized);
}

static void test_fb_interface(void **state)
{
    (void)state;
    static const struct { const char *path; uint8_t section; } kept[] = {
        {"Start", S7T_SEC_INPUT}, {"Speed_SP", S7T_SEC_INPUT}, {"Callback", S7T_SEC_INPUT},
        {"Running", S7T_SEC_OUTPUT}, {"Last_Error", S7T_SEC_OUTPUT},
        {"Counter_Ref", S7T_SEC_INOUT}, {"Hours", S7T_SEC_STATIC}, {"Timer", S7T_SEC_STATIC},
        {"Valve", S7T_SEC_STATIC}, {"Valves", S7T_SEC_STATIC}, {"Name", S7T_SEC_STATIC},
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        assert_int_equal(member("Motor_1", kept[i].path)->section, kept[i].section);
    assert_true(member("Motor_1", "Hours")->retain);
    assert_false(member("Motor_1", "Timer")->retain);
    /* references to the caller's data, VAR_TEMP and constants are not instance data */
    static const char *const gone[] = {"Any_Input", "Recipe", "Buffer", "Label", "tmp",
                                       "tmp_timer", "MAX_SPEED"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        if (!absent("Motor_1", gone[i])) fail_msg("%s is kept", gone[i]);
    /* the multi-instance of a user FB is its interface; of a system FB a system type */
    assert_ptr_equal(member("Motor_1", "Valve")->type, s7t_program_find_udt(g_prog, "Valve_FB")->type);
    assert_int_equal(member("Motor_1", "Valve.Monitor")->type->sdt, S7T_SDT_IEC_TIMER);
    assert_int_equal(member("Motor_1", "Valve.Open")->section, S7T_SEC_INPUT);
    assert_int_equal(member("Motor_1", "Long_Timer")->type->sdt, S7T_SDT_IEC_LTIMER);
    assert_int_equal(member("Motor_1", "Starts")->type->sdt, S7T_SDT_IEC_COUNTER);
    assert_int_equal(member("Motor_1", "Last_Error")->type->sdt, S7T_SDT_ERROR_STRUCT);
    assert_int_equal(member("Motor_1", "Callback")->type->sdt, S7T_SDT_BLOCK_FC);
    assert_string_equal(member("Motor_1", "Speed_SP")->comment, "rpm");
    assert_int_equal(db("Motor_1")->type->leaves, 78);
}

/* Every system data type: its softdatatype, the size a CPU gives it, its members. */
static void test_system_types(void **state)
{
    (void)state;
    static const struct { const char *path, *name; uint16_t sdt; uint32_t size; size_t n; } t[] = {
        {"tim", "IEC_TIMER", 31, 16, 6},     {"ltim", "IEC_LTIMER", 68, 28, 6},
        {"sctr", "IEC_SCOUNTER", 69, 4, 8},  {"usctr", "IEC_USCOUNTER", 73, 4, 8},
        {"ctr", "IEC_COUNTER", 30, 6, 8},    {"uctr", "IEC_UCOUNTER", 72, 6, 8},
        {"dctr", "IEC_DCOUNTER", 70, 12, 8}, {"udctr", "IEC_UDCOUNTER", 74, 12, 8},
        {"lctr", "IEC_LCOUNTER", 71, 24, 8}, {"ulctr", "IEC_ULCOUNTER", 75, 24, 8},
        {"code", "CREF", 101, 8, 3},         {"data", "NREF", 98, 8, 3},
        {"err", "ErrorStruct", 97, 28, 9},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const s7t_type *ty = member("SystemTypes", t[i].path)->type;
        char buf[32];
        s7t_type_format(ty, buf, sizeof buf);
        assert_string_equal(buf, t[i].name);
        assert_true(s7t_is_system_type(ty));
        assert_int_equal(ty->sdt, t[i].sdt);
        assert_int_equal(ty->sys_size, t[i].size);
        assert_int_equal(ty->nmembers, t[i].n);
    }
    const s7t_type *tim = member("SystemTypes", "tim")->type;
    static const char *const tm[] = {"ST", "PT", "ET", "RU", "IN", "Q"};
    for (size_t k = 0; k < 6; k++) assert_string_equal(tim->members[k].name, tm[k]);
    assert_int_equal(tim->members[1].sys_offset, 4);
    assert_int_equal(tim->members[5].sys_offset, 12);
    assert_int_equal(tim->members[5].sys_bit, 2);
    /* one type per kind in a program, whichever name declared it (TON_TIME, IEC_TIMER) */
    assert_ptr_equal(tim, member("Motor_1", "Timer")->type);
    assert_ptr_equal(tim, db("IEC_Timer_0_DB")->type);
    assert_null(db("IEC_Timer_0_DB")->udt);
    assert_int_equal(member("SystemTypes", "err.CODE_ADDRESS")->type->sdt, S7T_SDT_CREF);
    assert_int_equal(member("SystemTypes", "err.DATA_ADDRESS")->type->sdt, S7T_SDT_NREF);
    assert_int_equal(db("IEC_Counter_0_DB")->type->sdt, S7T_SDT_IEC_DCOUNTER);
}

/* TIA's structure types of open user communication (TCON_IP_v4, IP_V4, TADDR_Param,
 * TCON_Param): used undeclared, they load as PLC data types of those names with TIA's
 * members; their classic sizes are TIA's (14, 4, 8 and 64 bytes). */
static void test_system_structs(void **state)
{
    (void)state;
    static const struct { const char *path, *name; size_t n; } t[] = {
        {"Modbus", "TCON_IP_v4", 7}, {"Peer", "TCON_IP_v4", 7}, {"Udp_Dest", "TADDR_Param", 3},
        {"Classic", "TCON_Param", 16}, {"Gateway", "IP_V4", 1}, {"Peer.RemoteAddress", "IP_V4", 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const s7t_type *ty = member("Comm", t[i].path)->type;
        const s7t_udt *u = s7t_program_find_udt(g_prog, t[i].name);
        assert_non_null(u);
        assert_false(u->fb);
        assert_ptr_equal(ty, u->type);
        assert_int_equal(ty->nmembers, t[i].n);
    }
    static const char *const tcon[] = {"InterfaceId", "ID", "ConnectionType", "ActiveEstablished",
                                       "RemoteAddress", "RemotePort", "LocalPort"};
    const s7t_type *ty = member("Comm", "Peer")->type;
    for (size_t k = 0; k < 7; k++) assert_string_equal(ty->members[k].name, tcon[k]);
    assert_int_equal(member("Comm", "Peer.InterfaceId")->type->sdt, S7T_SDT_HW_ANY);
    assert_int_equal(member("Comm", "Peer.ID")->type->sdt, S7T_SDT_CONN_OUC);
    assert_int_equal(member("Comm", "Classic.id")->type->sdt, S7T_SDT_CONN_OUC);
    /* start values of the BEGIN section */
    assert_int_equal(val("Comm", "Modbus.LocalPort")->u, 502);
    assert_int_equal(val("Comm", "Peer.RemoteAddress.ADDR[1]")->u, 192);
    assert_int_equal(val("Comm", "Peer.RemoteAddress.ADDR[4]")->u, 10);
    assert_true(val("Comm", "Peer.ActiveEstablished")->u);
    assert_int_equal(val("Comm", "Udp_Dest.REM_PORT_NR")->u, 5000);
    assert_int_equal(val("Comm", "Classic.rem_staddr[4]")->u, 2);
    /* the program's own type of the same name wins over the built-in one */
    static const char mine[] = "TYPE \"IP_V4\"\n   STRUCT\n      a : Int;\n      b : Int;\n"
                               "   END_STRUCT;\nEND_TYPE\n"
                               "DATA_BLOCK \"D\"\n   VAR\n      x : IP_V4;\n      c : TCON_IP_v4;\n"
                               "   END_VAR\nBEGIN\nEND_DATA_BLOCK\n";
    s7t_source src = {"mine.db", mine, sizeof mine - 1};
    char err[512];
    s7t_program *p = s7t_program_parse(&src, 1, NULL, err, sizeof err);
    if (!p) fail_msg("%s", err);
    assert_int_equal(s7t_program_find_udt(p, "IP_V4")->type->nmembers, 2);
    s7t_ref r;
    assert_true(s7t_db_resolve(s7t_program_find_db(p, "D"), "c.RemoteAddress.b", &r, NULL, 0));
    s7t_program_free(p);
}

static void test_start_values(void **state)
{
    (void)state;
    /* declared in the FB, kept where the instance DB's BEGIN does not set them */
    assert_true(val("Motor_2", "Stop")->u);
    assert_true(val("Motor_2", "Speed_SP")->r == 1200.0);
    assert_int_equal(val("Motor_2", "Mode")->u, 2);
    assert_int_equal(val("Motor_2", "Status")->u, 0x8000);
    assert_int_equal(val("Motor_2", "Valve.Open_Time")->i, 3000);
    assert_int_equal(val("Motor_2", "Limits.Low")->i, -100);
    assert_string_equal(val("Motor_2", "Name")->text.p, "motor 1");
    assert_true(val("Motor_2", "Hours")->r == 0.5);
    /* the BEGIN section of the instance DB */
    assert_true(val("Motor_1", "Speed_SP")->r == 1500.0);
    assert_int_equal(val("Motor_1", "Timer.PT")->i, 5000);
    assert_int_equal(val("Motor_1", "Valve.Open_Time")->i, 2500);
    assert_int_equal(val("Motor_1", "Valves[2].Monitor.PT")->i, 4000);
    assert_int_equal(val("Motor_1", "Valves[1].Monitor.PT")->i, 0);
    assert_int_equal(val("Motor_1", "Valves[1].Open_Time")->i, 3000);
    assert_int_equal(val("Motor_1", "Starts.PV")->i, 10);
    assert_int_equal(val("Motor_1", "Limits.High")->i, 2800);
    assert_string_equal(val("Motor_1", "Name")->text.p, "motor A");
    const uint8_t *dtl = val("Motor_1", "Started_At")->bytes;
    assert_int_equal(dtl[0] << 8 | dtl[1], 2025);
    assert_int_equal(dtl[2], 5);
    assert_int_equal(val("IEC_Timer_0_DB", "PT")->i, 3000);
    assert_int_equal(val("IEC_Counter_0_DB", "PV")->i, 100000);
    assert_int_equal(val("IEC_Counter_0_DB", "CV")->i, -5);
    /* system types in a global DB */
    assert_int_equal(val("SystemTypes", "tim.PT")->i, 1000);
    assert_int_equal(val("SystemTypes", "tim.IN")->u, 1);
    assert_int_equal(val("SystemTypes", "ltim.PT")->i, INT64_C(86400000000000));
    assert_int_equal(val("SystemTypes", "sctr.PV")->i, -8);
    assert_int_equal(val("SystemTypes", "usctr.PV")->u, 200);
    assert_int_equal(val("SystemTypes", "ctr.PV")->i, -30000);
    assert_int_equal(val("SystemTypes", "ctr.CV")->i, 12);
    assert_int_equal(val("SystemTypes", "uctr.PV")->u, 60000);
    assert_int_equal(val("SystemTypes", "dctr.PV")->i, -2000000000);
    assert_int_equal(val("SystemTypes", "udctr.PV")->u, 4000000000u);
    assert_int_equal(val("SystemTypes", "lctr.PV")->i, INT64_C(-9000000000000000000));
    assert_true(val("SystemTypes", "ulctr.PV")->u == UINT64_C(18000000000000000000));
    assert_int_equal(val("SystemTypes", "code.BLOCK_TYPE")->u, 8);
    assert_int_equal(val("SystemTypes", "code.OFFSET")->u, 123);
    assert_int_equal(val("SystemTypes", "data.AREA")->u, 0x84);
    assert_int_equal(val("SystemTypes", "data.DB_NUMBER")->u, 20);
    assert_int_equal(val("SystemTypes", "err.ERROR_ID")->u, 0x2503);
    assert_int_equal(val("SystemTypes", "err.CODE_ADDRESS.CB_NUMBER")->u, 30);
    assert_int_equal(val("SystemTypes", "err.DATA_ADDRESS.OFFSET")->u, 16);
    assert_int_equal(val("SystemTypes", "timers[1].PT")->i, 60000);
    assert_int_equal(val("SystemTypes", "timers[0].PT")->i, 0);
    /* a UDT member, attributes, lists, other types */
    assert_int_equal(val("Plant", "recipe.Id")->u, 9);
    assert_true(val("Plant", "recipe.Setpoint")->r == 42.5);
    assert_true(member("Plant", "recipe")->retain);
    assert_string_equal(member("Plant", "recipe")->attrs[0].key, "S7_SetPoint");
    assert_int_equal(val("Plant", "flags[0]")->u, 1);
    assert_int_equal(val("Plant", "flags[1]")->u, 0);
    assert_int_equal(val("Plant", "flags[3]")->u, 1);
    assert_int_equal(val("Plant", "flags[7]")->u, 1);
    assert_int_equal(val("Plant", "level")->i, 75);
    assert_int_equal(val("Plant", "ltod")->u, UINT64_C(43200000000001));
    assert_string_equal(val("Plant", "ws")->text.p, "Gr\xC3\xB6\xC3\x9F" "e");
    assert_int_equal(val("Plant", "s5")->i, 2000);
    assert_int_equal(val("Plant", "block")->u, 0);
}

/* ---- several errors ---------------------------------------------------------------------- */

static const char good_db[] =
    "DATA_BLOCK \"Good\"\nVERSION : 0.1\n   VAR\n      a : Int := 1;\n   END_VAR\nBEGIN\n"
    "END_DATA_BLOCK\n";
/* two broken blocks and a good one in one file: both errors, the file left out */
static const char two_db[] =
    "DATA_BLOCK \"B1\"\n   VAR\n      a : Nope;\n   END_VAR\nBEGIN\nEND_DATA_BLOCK\n"
    "DATA_BLOCK \"B2\"\n   VAR\n      b  Int;\n   END_VAR\nBEGIN\nEND_DATA_BLOCK\n"
    "DATA_BLOCK \"B3\"\n   VAR\n      c : Int;\n   END_VAR\nBEGIN\nEND_DATA_BLOCK\n";
static const char bad_fb[] =
    "FUNCTION_BLOCK \"Fb\"\n   VAR_INPUT\n      x : Int := 'text';\n   END_VAR\nBEGIN\n"
    "   #x := 1;\nEND_FUNCTION_BLOCK\n";
/* needs the FB of a source that is left out */
static const char inst_db[] =
    "DATA_BLOCK \"Fb_DB\"\nNON_RETAIN\n\"Fb\"\nBEGIN\nEND_DATA_BLOCK\n";
/* two bad BEGIN assignments: both reported */
static const char begin_db[] =
    "DATA_BLOCK \"Begin\"\n   VAR\n      t : IEC_TIMER;\n   END_VAR\nBEGIN\n"
    "   t.XX := 1;\n   t.PT := TRUE;\nEND_DATA_BLOCK\n";

/* in the order found: parse errors of every source, then what resolution finds without them */
static const char *const want_lines =
    "b_two.db:3:11: unknown data type 'Nope'\n"
    "b_two.db:9:10: expected ':' after member name\n"
    "c_fb.scl:3:18: ''text'' is not an integer (Int takes e.g. 42, -5, 16#FF, 2#1010, 8#17)\n"
    "e_inst.db:3:1: \"Fb\" is not a PLC data type or function block of this program\n"
    "d_begin.db:6:6: no member 'XX'\n"
    "d_begin.db:7:12: 'TRUE' is not a duration (Time takes e.g. T#1D_2H, T#-1.5S, 1500)";

static void test_several_errors(void **state)
{
    (void)state;
    s7t_source src[] = {
        {"e_inst.db", inst_db, sizeof inst_db - 1}, {"a_good.db", good_db, sizeof good_db - 1},
        {"b_two.db", two_db, sizeof two_db - 1},    {"c_fb.scl", bad_fb, sizeof bad_fb - 1},
        {"d_begin.db", begin_db, sizeof begin_db - 1},
    };
    char err[2048];
    s7t_load_report rep;
    s7t_program *p = s7t_program_load(src, 5, NULL, false, err, sizeof err, &rep);
    assert_non_null(p);
    assert_string_equal(err, want_lines);
    assert_int_equal(rep.errors, 6);
    assert_int_equal(rep.skipped, 4);
    assert_int_equal(s7t_program_db_count(p), 1);   /* the rest is served */
    assert_non_null(s7t_program_find_db(p, "Good"));
    s7t_program_free(p);

    /* strict: the same lines, and no program */
    assert_null(s7t_program_load(src, 5, NULL, true, err, sizeof err, &rep));
    assert_string_equal(err, want_lines);
    assert_int_equal(rep.errors, 6);
    /* a buffer too small keeps whole lines */
    char small[90];
    assert_null(s7t_program_parse(src, 5, NULL, small, sizeof small));
    assert_string_equal(small, "b_two.db:3:11: unknown data type 'Nope'\n"
                               "b_two.db:9:10: expected ':' after member name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_fb_interface),
        cmocka_unit_test(test_system_types),
        cmocka_unit_test(test_start_values),
        cmocka_unit_test(test_system_structs),
        cmocka_unit_test(test_several_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* The sample program in examples/plc: counts, types, start values of every literal kind,
 * walking, lookups, the tag table, and every strict prefix of every file. Expected counts
 * are worked out by hand in examples/plc/README.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "program/program.h"

static s7t_program *load_sample(void)
{
    char err[512] = "";
    s7t_program *p = s7t_program_load_dir(S7P_EXAMPLES_PLC, err, sizeof err);
    if (!p) fail_msg("load_dir: %s", err);
    return p;
}

static const s7t_db *db(const s7t_program *p, const char *name)
{
    const s7t_db *d = s7t_program_find_db(p, name);
    if (!d) fail_msg("no DB %s", name);
    return d;
}

static const s7t_value *val(const s7t_db *d, const char *path)
{
    const s7t_value *v = s7t_db_value(d, path);
    if (!v) fail_msg("no leaf %s in %s", path, d->name);
    return v;
}

static const s7t_member *member(const s7t_type *t, const char *name)
{
    for (size_t i = 0; i < t->nmembers; i++)
        if (strcmp(t->members[i].name, name) == 0) return &t->members[i];
    fail_msg("no member %s", name);
    return NULL;
}

static const char *attr(const s7t_attr *a, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].key, key) == 0) return a[i].value;
    return NULL;
}

static const char *fmt(const s7t_type *t)
{
    static char buf[128];
    size_t n = s7t_type_format(t, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    return buf;
}

typedef struct counter {
    const s7t_db *d;
    uint64_t n, stop_at;
    bool contiguous;
    const char *want_path;
    uint64_t found_index;
    uint32_t found_ids[8];
    size_t found_nids;
} counter;

static int count_leaf(void *ctx, const s7t_leaf *l)
{
    counter *c = ctx;
    if (l->index != c->n) c->contiguous = false;
    if (l->type->kind != S7T_ELEMENTARY || l->start != &c->d->start[l->index]) c->contiguous = false;
    if (c->want_path && strcmp(l->path, c->want_path) == 0) {
        c->found_index = l->index;
        c->found_nids = l->nids;
        memcpy(c->found_ids, l->ids, l->nids * sizeof *l->ids);
    }
    c->n++;
    return c->stop_at && c->n == c->stop_at ? 7 : 0;
}

/* 3 UDTs, 6 DBs (numbers: DB20_Recipes by its name, the rest 1.. in file order), 15 tags,
 * 487 leaves. */
static void test_sample_counts(void **state)
{
    (void)state;
    s7t_program *p = load_sample();
    assert_int_equal(s7t_program_udt_count(p), 3);
    assert_int_equal(s7t_program_db_count(p), 6);
    assert_int_equal(s7t_program_tag_count(p), 15);

    static const char *const udts[] = {"Motor", "Recipe_Step", "Station"};
    static const uint64_t udt_leaves[] = {12, 9, 33};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(s7t_program_udt(p, i)->name, udts[i]);
        assert_int_equal(s7t_program_udt(p, i)->type->leaves, udt_leaves[i]);
        assert_ptr_equal(s7t_program_udt(p, i)->type->udt, s7t_program_udt(p, i));
    }

    static const struct { const char *name; uint16_t number; uint64_t leaves; bool opt; } dbs[] = {
        {"AllArrays", 1, 229, true}, {"AllTypes", 2, 79, true}, {"Legacy", 3, 41, false},
        {"Line1", 4, 33, true},      {"Motors", 5, 64, true},   {"DB20_Recipes", 20, 41, true},
    };
    uint64_t total = 0;
    for (size_t i = 0; i < 6; i++) {
        const s7t_db *d = s7t_program_db(p, i);
        assert_string_equal(d->name, dbs[i].name);
        assert_int_equal(d->number, dbs[i].number);
        assert_int_equal(d->type->leaves, dbs[i].leaves);
        assert_int_equal(d->optimized, dbs[i].opt);
        assert_ptr_equal(s7t_program_find_db_number(p, dbs[i].number), d);
        assert_ptr_equal(s7t_program_find_db(p, dbs[i].name), d);
        counter c = {.d = d, .contiguous = true};
        assert_int_equal(s7t_db_walk(d, count_leaf, &c), 0);
        assert_int_equal(c.n, dbs[i].leaves);
        assert_true(c.contiguous);
        total += c.n;
    }
    assert_int_equal(total, 487);
    assert_null(s7t_program_find_db_number(p, 6));
    assert_null(s7t_program_find_db(p, "nope"));
    assert_ptr_equal(s7t_program_find_db(p, "motors"), s7t_program_find_db(p, "Motors"));
    assert_ptr_equal(s7t_program_find_udt(p, "station"), s7t_program_udt(p, 2));
    s7t_program_free(p);
    s7t_program_free(NULL);
}

static void test_sample_types(void **state)
{
    (void)state;
    s7t_program *p = load_sample();
    const s7t_udt *motor = s7t_program_find_udt(p, "Motor");
    const s7t_type *mt = motor->type;
    assert_string_equal(motor->title, "Drive with speed control");
    assert_string_equal(motor->version, "0.1");
    assert_string_equal(motor->file, "Motor.udt");
    assert_int_equal(motor->line, 1);
    assert_int_equal(mt->kind, S7T_STRUCT);
    assert_int_equal(mt->sdt, S7T_SDT_STRUCT);
    assert_string_equal(mt->name, "Motor");
    assert_int_equal(mt->nmembers, 8);
    static const char *const names[] = {"name", "running", "speed", "current", "faults",
                                        "started", "rated power [kW]", "limits"};
    static const uint64_t offsets[] = {0, 1, 2, 3, 4, 8, 9, 10};
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(mt->members[i].name, names[i]);
        assert_int_equal(mt->members[i].lid, i + 1);
        assert_int_equal(mt->members[i].offset, offsets[i]);
    }
    const s7t_member *m = member(mt, "name");
    assert_int_equal(m->type->sdt, S7T_SDT_STRING);
    assert_int_equal(m->type->max_len, 16);
    assert_int_equal(s7t_elem_size(m->type), 18);
    assert_string_equal(m->comment, "display name");
    assert_int_equal(m->line, 5);
    assert_string_equal(m->start->text.p, "motor");
    m = member(mt, "speed");
    assert_string_equal(attr(m->attrs, m->nattrs, "S7_SetPoint"), "True");
    assert_string_equal(m->comment, "set point in rpm");
    assert_int_equal(s7t_elem_vkind(m->type), S7T_V_REAL);
    m = member(mt, "running");
    assert_null(m->start);
    m = member(mt, "faults");
    assert_int_equal(m->type->kind, S7T_ARRAY);
    assert_int_equal(m->type->sdt, S7T_SDT_WORD);
    assert_int_equal(m->type->ndims, 1);
    assert_int_equal(m->type->dims[0].lo, 0);
    assert_int_equal(m->type->dims[0].count, 4);
    assert_int_equal(m->start[0].u, 0);
    assert_int_equal(m->start[3].u, 0xFFFF);
    m = member(mt, "started");
    assert_int_equal(m->type->sdt, S7T_SDT_DTL);
    assert_int_equal(s7t_elem_vkind(m->type), S7T_V_BYTES);
    assert_int_equal(s7t_elem_size(m->type), 12);
    m = member(mt, "rated power [kW]");
    assert_int_equal(m->type->sdt, S7T_SDT_LREAL);
    assert_string_equal(m->comment, "quoted name with a space and brackets");
    m = member(mt, "limits");
    assert_int_equal(m->type->kind, S7T_STRUCT);
    assert_null(m->type->udt);
    assert_null(m->type->name);
    assert_int_equal(m->type->nmembers, 2);
    assert_int_equal(m->type->depth, 1);
    assert_string_equal(m->comment, "allowed speed window");
    assert_int_equal(mt->depth, 2);

    const s7t_type *st = s7t_program_find_udt(p, "Station")->type;
    m = member(st, "motors");
    assert_ptr_equal(m->type->elem, mt);
    assert_int_equal(m->type->sdt, S7T_SDT_STRUCT);
    assert_string_equal(fmt(m->type), "Array[1..2] of \"Motor\"");
    m = member(st, "interlock");
    assert_int_equal(m->type->ndims, 2);
    assert_int_equal(m->type->dims[1].count, 3);
    assert_int_equal(m->type->count, 6);
    m = member(st, "label");
    assert_int_equal(m->type->max_len, 32);
    assert_int_equal(s7t_elem_size(m->type), 68);
    assert_int_equal(st->depth, 4);

    const s7t_db *line1 = db(p, "Line1");
    assert_ptr_equal(line1->udt, s7t_program_find_udt(p, "Station"));
    assert_ptr_equal(line1->type, st);

    const s7t_db *legacy = db(p, "Legacy");
    assert_false(legacy->optimized);
    assert_false(legacy->retain);
    assert_string_equal(legacy->author, "s7plus");
    assert_string_equal(legacy->family, "Examples");
    assert_string_equal(legacy->version, "1.2");
    assert_string_equal(legacy->title, "A standard (not optimized) data block");
    assert_string_equal(attr(legacy->attrs, legacy->nattrs, "S7_Optimized_Access"), "FALSE");
    assert_int_equal(member(legacy->type, "ptr")->type->sdt, S7T_SDT_POINTER);
    assert_int_equal(s7t_elem_size(member(legacy->type, "ptr")->type), 6);
    assert_int_equal(member(legacy->type, "any_ref")->type->sdt, S7T_SDT_ANY);
    assert_int_equal(s7t_elem_size(member(legacy->type, "any_ref")->type), 10);
    assert_int_equal(member(legacy->type, "cnt")->type->sdt, S7T_SDT_COUNTER);
    assert_int_equal(member(legacy->type, "tmr")->type->sdt, S7T_SDT_TIMER);
    assert_string_equal(fmt(member(legacy->type, "records")->type), "Array[1..4] of Struct");
    assert_string_equal(fmt(member(legacy->type, "header")->type), "Struct");

    const s7t_db *motors = db(p, "Motors");
    assert_false(motors->retain);
    assert_false(member(motors->type, "enable")->retain);
    assert_true(member(motors->type, "hours")->retain);
    assert_string_equal(member(motors->type, "hours")->comment, "operating hours, retentive");
    assert_ptr_equal(member(motors->type, "spare.motor")->type, mt);
    const s7t_db *rec = db(p, "DB20_Recipes");
    assert_true(rec->retain);
    assert_true(member(rec->type, "steps")->retain);
    assert_string_equal(fmt(member(rec->type, "names")->type), "Array[1..4] of WString[20]");

    const s7t_db *arr = db(p, "AllArrays");
    assert_string_equal(fmt(member(arr->type, "matrix")->type), "Array[1..2, 1..3] of Int");
    assert_string_equal(fmt(member(arr->type, "cube")->type), "Array[-1..0, 0..1, 5..6] of Bool");
    const s7t_type *six = member(arr->type, "six")->type;
    assert_int_equal(six->ndims, 6);
    assert_int_equal(six->count, 64);
    assert_int_equal(six->leaves, 64);
    assert_int_equal(member(arr->type, "a_sint")->type->dims[0].lo, -1);
    assert_int_equal(member(arr->type, "a_wstring")->type->elem->max_len, 254);
    assert_string_equal(fmt(member(arr->type, "a_wstring")->type), "Array[1..2] of WString");
    assert_int_equal(member(arr->type, "points")->type->elem->nmembers, 3);
    assert_int_equal(member(arr->type, "points")->type->leaves, 9);

    /* every elementary type, in declaration order, with its software datatype id */
    static const struct { const char *name; uint16_t sdt; const char *type; } all[] = {
        {"v_bool", 1, "Bool"}, {"v_byte", 2, "Byte"}, {"v_word", 4, "Word"},
        {"v_dword", 6, "DWord"}, {"v_lword", 51, "LWord"}, {"v_sint", 55, "SInt"},
        {"v_int", 5, "Int"}, {"v_dint", 7, "DInt"}, {"v_lint", 50, "LInt"},
        {"v_usint", 52, "USInt"}, {"v_uint", 53, "UInt"}, {"v_udint", 54, "UDInt"},
        {"v_ulint", 49, "ULInt"}, {"v_real", 8, "Real"}, {"v_lreal", 48, "LReal"},
        {"v_char", 3, "Char"}, {"v_wchar", 61, "WChar"}, {"v_string", 19, "String"},
        {"v_string10", 19, "String[10]"}, {"v_wstring", 62, "WString"},
        {"v_wstring8", 62, "WString[8]"}, {"v_date", 9, "Date"}, {"v_tod", 10, "Time_Of_Day"},
        {"v_tod2", 10, "Time_Of_Day"}, {"v_ltod", 65, "LTime_Of_Day"},
        {"v_ltod2", 65, "LTime_Of_Day"}, {"v_time", 11, "Time"}, {"v_ltime", 64, "LTime"},
        {"v_s5time", 12, "S5Time"}, {"v_dt", 14, "Date_And_Time"}, {"v_dt2", 14, "Date_And_Time"},
        {"v_ldt", 66, "LDT"}, {"v_dtl", 67, "DTL"},
        {"hw_any", 144, "HW_ANY"}, {"hw_io", 149, "HW_IO"}, {"hw_submodule", 151, "HW_SUBMODULE"},
        {"hw_device", 147, "HW_DEVICE"}, {"hw_interface", 155, "HW_INTERFACE"},
        {"hw_iosystem", 145, "HW_IOSYSTEM"}, {"hw_hsc", 152, "HW_HSC"}, {"hw_pwm", 153, "HW_PWM"},
        {"hw_pto", 154, "HW_PTO"}, {"hw_dpmaster", 146, "HW_DPMASTER"},
        {"hw_dpslave", 148, "HW_DPSLAVE"}, {"hw_module", 150, "HW_MODULE"},
        {"hw_ieport", 156, "HW_IEPORT"}, {"ob_any", 160, "OB_ANY"}, {"ob_delay", 161, "OB_DELAY"},
        {"ob_tod", 162, "OB_TOD"}, {"ob_cyclic", 163, "OB_CYCLIC"}, {"ob_att", 164, "OB_ATT"},
        {"ob_pcycle", 192, "OB_PCYCLE"}, {"ob_hwint", 193, "OB_HWINT"},
        {"ob_comm", 194, "OB_COMM"}, {"ob_diag", 195, "OB_DIAG"},
        {"ob_timeerror", 196, "OB_TIMEERROR"}, {"ob_startup", 197, "OB_STARTUP"},
        {"conn_any", 168, "CONN_ANY"}, {"conn_prg", 169, "CONN_PRG"},
        {"conn_ouc", 170, "CONN_OUC"}, {"conn_r_id", 171, "CONN_R_ID"},
        {"db_any", 208, "DB_ANY"}, {"db_www", 209, "DB_WWW"}, {"db_dyn", 210, "DB_DYN"},
        {"aom_ident", 128, "AOM_IDENT"}, {"event_any", 129, "EVENT_ANY"},
        {"event_att", 130, "EVENT_ATT"}, {"event_hwint", 134, "EVENT_HWINT"},
        {"port", 173, "PORT"}, {"rtm", 174, "RTM"}, {"pip", 175, "PIP"},
    };
    const s7t_db *at = db(p, "AllTypes");
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const s7t_type *t = member(at->type, all[i].name)->type;
        assert_int_equal(t->kind, S7T_ELEMENTARY);
        assert_int_equal(t->sdt, all[i].sdt);
        assert_string_equal(fmt(t), all[i].type);
        assert_string_equal(s7t_sdt_name(t->sdt), t->name);
        /* and the array of the same type in AllArrays, when there is one */
        char an[64];
        snprintf(an, sizeof an, "a_%s", all[i].name + (all[i].name[0] == 'v' ? 2 : 0));
        for (size_t k = 0; k < arr->type->nmembers; k++)
            if (strcmp(arr->type->members[k].name, an) == 0)
                assert_int_equal(arr->type->members[k].type->elem->sdt, all[i].sdt);
    }
    assert_null(s7t_sdt_name(999));
    assert_string_equal(s7t_sdt_name(S7T_SDT_STRUCT), "Struct");
    s7t_program_free(p);
}

static void expect_u(const s7t_db *d, const char *path, uint64_t want)
{
    const s7t_value *v = val(d, path);
    if (v->kind != S7T_V_UINT || v->u != want)
        fail_msg("%s: kind %d u %llu, want %llu", path, v->kind, (unsigned long long)v->u,
                 (unsigned long long)want);
}

static void expect_i(const s7t_db *d, const char *path, int64_t want)
{
    const s7t_value *v = val(d, path);
    if (v->kind != S7T_V_INT || v->i != want)
        fail_msg("%s: kind %d i %lld, want %lld", path, v->kind, (long long)v->i, (long long)want);
}

static void expect_r(const s7t_db *d, const char *path, double want)
{
    const s7t_value *v = val(d, path);
    if (v->kind != S7T_V_REAL || v->r != want) fail_msg("%s: r %.17g, want %.17g", path, v->r, want);
}

static void expect_t(const s7t_db *d, const char *path, const char *want)
{
    const s7t_value *v = val(d, path);
    assert_int_equal(v->kind, S7T_V_TEXT);
    assert_int_equal(v->text.n, strlen(want));
    assert_string_equal(v->text.p, want);
}

static void expect_b(const s7t_db *d, const char *path, const uint8_t want[12])
{
    const s7t_value *v = val(d, path);
    assert_int_equal(v->kind, S7T_V_BYTES);
    assert_memory_equal(v->bytes, want, 12);
}

#define NS 1000000000LL

static void test_sample_values(void **state)
{
    (void)state;
    s7t_program *p = load_sample();
    const s7t_db *d = db(p, "AllTypes");
    expect_u(d, "v_bool", 1);
    expect_u(d, "v_byte", 0xA5);
    expect_u(d, "v_word", 0xAA);
    expect_u(d, "v_dword", 0xDEADBEEF);
    expect_u(d, "v_lword", 0x0123456789ABCDEFull);
    expect_i(d, "v_sint", -128);
    expect_i(d, "v_int", -12345);
    expect_i(d, "v_dint", 15);
    expect_i(d, "v_lint", INT64_MIN);
    expect_u(d, "v_usint", 255);
    expect_u(d, "v_uint", 65535);
    expect_u(d, "v_udint", 4294967295u);
    expect_u(d, "v_ulint", UINT64_MAX);
    expect_r(d, "v_real", (double)1.0E-3f);   /* a Real holds a float */
    expect_r(d, "v_lreal", -2.5e300);
    expect_u(d, "v_char", 'x');
    expect_u(d, "v_wchar", 0x20AC);
    expect_t(d, "v_string", "It's $5\n");
    expect_t(d, "v_string10", "ten chars!");
    expect_t(d, "v_wstring", "Gr\xC3\xBC\xC3\x9F" "e");
    expect_t(d, "v_wstring8", "");
    expect_u(d, "v_date", 12448);                  /* 2024-01-31 - 1990-01-01 */
    expect_u(d, "v_tod", 45000500);
    expect_u(d, "v_tod2", 86399999);
    expect_u(d, "v_ltod", 3723123456789ull);
    expect_u(d, "v_ltod2", 0);
    expect_i(d, "v_time", 93784005);
    expect_i(d, "v_ltime", -3600000002003LL);
    expect_i(d, "v_s5time", 1000);
    expect_i(d, "v_dt", 1706702400 * NS + 500000000);
    expect_i(d, "v_dt2", 631152000 * NS);           /* DT#1990-01-01-00:00:00 */
    expect_i(d, "v_ldt", 1706702400 * NS + 123456789);
    static const uint8_t dtl[12] = {0x07, 0xE8, 1, 31, 4 /* Wednesday */, 12, 0, 0,
                                    0x07, 0x5B, 0xCD, 0x15};
    expect_b(d, "v_dtl", dtl);
    expect_i(d, "t_int", -5);
    expect_u(d, "t_byte", 0x7F);
    expect_r(d, "t_real", 1.5);
    expect_i(d, "t_time", -(20 * 60 + 34) * 1000);
    expect_u(d, "t_date", 0);
    expect_i(d, "t_s5time", 12300);
    expect_u(d, "t_char", 'A');
    expect_t(d, "t_string", "abcd");
    expect_u(d, "hw_any", 0x100);
    expect_u(d, "hw_interface", 64);
    expect_u(d, "ob_startup", 100);
    expect_u(d, "conn_r_id", 4);
    expect_u(d, "db_dyn", 60000);
    expect_u(d, "aom_ident", 0x10000);
    expect_u(d, "event_any", 0);
    expect_u(d, "pip", 1);
    expect_u(d, "V_BOOL", 1);                       /* member names without case */
    assert_null(s7t_db_value(d, "nope"));

    d = db(p, "AllArrays");
    static const uint64_t bools[8] = {1, 0, 1, 1, 0, 0, 0, 0};
    for (int i = 0; i < 8; i++) {
        char path[32];
        snprintf(path, sizeof path, "a_bool[%d]", i);
        expect_u(d, path, bools[i]);
    }
    expect_u(d, "a_char[1]", 'b');
    expect_u(d, "a_wchar[0]", 0xC4);
    expect_u(d, "a_dword[1]", 0777);
    expect_i(d, "a_sint[-1]", -1);
    expect_i(d, "a_int[1]", -5);
    expect_i(d, "a_dint[2]", -7);
    expect_r(d, "a_real[3]", 3.0);
    expect_r(d, "a_real[4]", 1.0E10);
    expect_r(d, "a_lreal[2]", 3.14159);
    expect_t(d, "a_string[3]", "three");
    expect_t(d, "a_wstring[2]", "\xCE\xB2");
    expect_u(d, "a_date[2]", 65535);
    expect_i(d, "a_time[1]", INT32_MIN);
    expect_i(d, "a_time[2]", INT32_MAX);
    expect_i(d, "a_ltime[1]", INT64_MIN);
    expect_i(d, "a_ltime[2]", INT64_MAX);
    expect_i(d, "a_s5time[2]", 9990000);
    expect_i(d, "a_dt[1]", 631152000 * NS);
    expect_i(d, "a_ldt[2]", 0);
    static const uint8_t epoch[12] = {0x07, 0xB2, 1, 1, 5, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t dtl_max[12] = {0x08, 0xD6, 4, 11, 6, 23, 47, 16, 0x32, 0xF2, 0xD7, 0xFF};
    expect_b(d, "a_dtl[1]", epoch);
    expect_b(d, "a_dtl[2]", dtl_max);
    expect_u(d, "a_hw_io[1]", 262);
    expect_i(d, "matrix[1,3]", 3);
    expect_i(d, "matrix[2,1]", 4);
    expect_i(d, "matrix[2,3]", 60);
    expect_u(d, "cube[-1,1,6]", 1);
    expect_u(d, "cube[0,1,6]", 0);
    expect_u(d, "six[1,1,1,1,1,1]", 0xFF);
    expect_u(d, "six[0,0,0,0,0,0]", 0);
    expect_t(d, "points[1].tag", "mid");
    expect_r(d, "points[2].x", 2.5);
    expect_t(d, "points[0].tag", "");
    assert_null(s7t_db_value(d, "points[1]"));      /* a struct, not a leaf */
    assert_null(s7t_db_value(d, "matrix"));

    d = db(p, "Motors");
    expect_t(d, "conveyor.name", "conveyor");
    expect_r(d, "conveyor.speed", 900.0);
    expect_t(d, "pumps[1].name", "motor");          /* the UDT's start value */
    expect_t(d, "pumps[2].name", "pump 2");
    expect_u(d, "pumps[2].faults[0]", 0);
    expect_u(d, "pumps[2].faults[1]", 0x00FF);
    expect_u(d, "pumps[3].faults[1]", 0xFFFF);
    static const uint8_t leap[12] = {0x07, 0xE8, 2, 29, 5 /* Thursday */, 6, 30, 0, 0, 0, 1, 0xF4};
    expect_b(d, "pumps[1].started", leap);
    expect_b(d, "pumps[2].started", epoch);
    expect_r(d, "\"spare.motor\".limits.max", 1500.0);
    expect_r(d, "\"spare.motor\".\"rated power [kW]\"", 7.5);
    expect_u(d, "enable", 1);
    expect_u(d, "hours[1]", 100);

    d = db(p, "Line1");
    expect_u(d, "id", 7);
    expect_t(d, "label", "Filling line \xCE\xA9");
    expect_t(d, "motors[1].name", "filler");
    expect_r(d, "motors[2].limits.max", 2000.0);
    expect_r(d, "motors[1].limits.max", 3000.0);
    expect_u(d, "interlock[1,2]", 1);
    expect_u(d, "interlock[0,2]", 0);
    expect_i(d, "cycle", 2500);

    d = db(p, "DB20_Recipes");
    expect_u(d, "active", 1);
    expect_u(d, "steps[1].ingredients[2].code", 'B');
    expect_u(d, "steps[1].ingredients[3].code", 'A');
    expect_r(d, "steps[3].temperature", 20.0);
    expect_i(d, "steps[1].duration", 60 * NS);
    expect_i(d, "steps[4].duration", 7200 * NS);
    expect_t(d, "names[1]", "Bread");
    expect_t(d, "names[4]", "");

    d = db(p, "Legacy");
    expect_u(d, "cnt", 3);
    expect_u(d, "counters[3]", 4);
    expect_u(d, "header.version", 0x0102);
    expect_u(d, "header.flags[3]", 1);
    expect_i(d, "header.inner.level", 99);
    expect_u(d, "header.inner.\"weird name (1)\"", 0);
    expect_i(d, "records[2].id", 42);
    expect_u(d, "records[2].valid", 1);
    static const uint8_t zero[12];
    const s7t_value *v = val(d, "any_ref");
    assert_int_equal(v->kind, S7T_V_BYTES);
    assert_memory_equal(v->bytes, zero, 10);
    s7t_program_free(p);
}

static void test_sample_walk(void **state)
{
    (void)state;
    s7t_program *p = load_sample();
    counter c = {.d = db(p, "Motors"), .contiguous = true,
                 .want_path = "\"Motors\".\"spare.motor\".limits.max", .found_index = UINT64_MAX};
    assert_int_equal(s7t_db_walk(c.d, count_leaf, &c), 0);
    assert_true(c.contiguous);
    assert_int_equal(c.found_index, 12 + 36 + 11);
    assert_int_equal(c.found_nids, 3);
    assert_int_equal(c.found_ids[0], 3);
    assert_int_equal(c.found_ids[1], 8);
    assert_int_equal(c.found_ids[2], 2);

    counter e = {.d = db(p, "Legacy"), .contiguous = true,
                 .want_path = "\"Legacy\".header.inner.\"weird name (1)\"", .found_index = UINT64_MAX};
    assert_int_equal(s7t_db_walk(e.d, count_leaf, &e), 0);
    assert_int_equal(e.found_index, 32);
    assert_int_equal(e.found_nids, 3);
    assert_int_equal(e.found_ids[0], 9);
    assert_int_equal(e.found_ids[2], 2);

    counter f = {.d = db(p, "AllArrays"), .contiguous = true,
                 .want_path = "\"AllArrays\".cube[-1,1,6]", .found_index = UINT64_MAX};
    assert_int_equal(s7t_db_walk(f.d, count_leaf, &f), 0);
    assert_int_equal(f.found_nids, 2);
    assert_int_equal(f.found_ids[0], 68);
    assert_int_equal(f.found_ids[1], 3);            /* flat, row-major */

    counter g = {.d = db(p, "DB20_Recipes"), .contiguous = true,
                 .want_path = "\"DB20_Recipes\".steps[2].ingredients[3].amount",
                 .found_index = UINT64_MAX};
    assert_int_equal(s7t_db_walk(g.d, count_leaf, &g), 0);
    assert_int_equal(g.found_index, 1 + 9 + 8);
    assert_int_equal(g.found_nids, 5);
    static const uint32_t gids[5] = {2, 1, 4, 2, 2};
    assert_memory_equal(g.found_ids, gids, sizeof gids);

    counter s = {.d = db(p, "Line1"), .stop_at = 5, .contiguous = true};  /* stops the walk */
    assert_int_equal(s7t_db_walk(s.d, count_leaf, &s), 7);
    assert_int_equal(s.n, 5);
    s7t_program_free(p);
}

static void test_sample_resolve(void **state)
{
    (void)state;
    s7t_program *p = load_sample();
    const s7t_db *d = db(p, "Motors");
    s7t_ref r;
    char err[256];
    assert_true(s7t_db_resolve(d, "pumps[2]", &r, err, sizeof err));
    assert_ptr_equal(r.type, s7t_program_find_udt(p, "Motor")->type);
    assert_int_equal(r.first, 24);
    assert_int_equal(r.count, 12);
    assert_string_equal(r.member->name, "pumps");
    assert_true(s7t_db_resolve(d, "pumps", &r, err, sizeof err));
    assert_int_equal(r.first, 12);
    assert_int_equal(r.count, 36);
    assert_true(s7t_db_resolve(d, " PUMPS [ 3 ] . faults", &r, err, sizeof err));
    assert_int_equal(r.first, 36 + 4);
    assert_int_equal(r.count, 4);

    static const struct { const char *path, *err; } bad[] = {
        {"pumps[4]", "path:1:6: index 4 is out of the bounds 1..3"},
        {"nope", "path:1:1: no member 'nope'"},
        {"pumps[2].nope", "path:1:10: no member 'nope' in \"Motor\""},
        {"pumps[2].name.x", "path:1:15: no member 'x': String[16] has no members"},
        {"pumps[1,1]", "path:1:6: the Array has 1 dimension, not 2"},
        {"enable[1]", "path:1:7: Bool cannot be indexed"},
        {"conveyor.started.YEAR", "path:1:18: DTL elements are not leaves"},
        {"conveyor.started.AGE", "path:1:18: DTL has no element 'AGE'"},
        {"pumps]", "path:1:6: unexpected text after the path"},
        {"", "path:1:1: expected a member name"},
        {"pumps[", "path:1:7: expected an integer index"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(s7t_db_resolve(d, bad[i].path, &r, err, sizeof err));
        assert_string_equal(err, bad[i].err);
    }
    assert_false(s7t_db_resolve(d, "nope", &r, NULL, 0));
    s7t_program_free(p);
}

static void test_sample_tags(void **state)
{
    (void)state;
    s7t_program *p = load_sample();
    const s7t_tag *t = s7t_program_tag(p, 0);
    assert_string_equal(t->name, "Start button");
    assert_int_equal(t->area, S7T_AREA_I);
    assert_int_equal(t->offset, 0);
    assert_int_equal(t->bit, 0);
    assert_int_equal(t->width, 0);
    assert_int_equal(t->type->sdt, S7T_SDT_BOOL);
    assert_string_equal(t->comment, "normally open");
    assert_string_equal(t->file, "plant.tags");
    assert_int_equal(t->line, 5);

    t = s7t_program_find_tag(p, "stop_button");
    assert_non_null(t);
    assert_int_equal(t->bit, 1);
    assert_int_equal(t->start.u, 1);
    t = s7t_program_find_tag(p, "Level raw");
    assert_int_equal(t->area, S7T_AREA_I);
    assert_int_equal(t->offset, 64);
    assert_int_equal(t->width, 2);
    assert_true(t->peripheral);
    t = s7t_program_find_tag(p, "Motor_On");
    assert_int_equal(t->area, S7T_AREA_Q);
    assert_int_equal(t->offset, 4);
    assert_int_equal(t->bit, 1);
    t = s7t_program_find_tag(p, "Valve position");
    assert_int_equal(t->width, 2);
    assert_int_equal(t->offset, 10);
    assert_string_equal(t->comment, "");
    t = s7t_program_find_tag(p, "Setpoint");
    assert_int_equal(t->area, S7T_AREA_M);
    assert_int_equal(t->width, 4);
    assert_true(t->start.r == 12.5);
    assert_int_equal(s7t_program_find_tag(p, "Counter_Value")->start.i, -1);
    assert_int_equal(s7t_program_find_tag(p, "Status_Byte")->start.u, 0x80);
    assert_int_equal(s7t_program_find_tag(p, "Status_Byte")->width, 1);
    assert_int_equal(s7t_program_find_tag(p, "Step_Time")->start.i, 1500);
    assert_int_equal(s7t_program_find_tag(p, "Delay")->start.i, 2000);
    assert_int_equal(s7t_program_find_tag(p, "Today")->start.u, 12570);
    t = s7t_program_find_tag(p, "Heartbeat");
    assert_int_equal(t->offset, 1);
    assert_int_equal(t->bit, 7);
    t = s7t_program_find_tag(p, "Start_Delay");
    assert_int_equal(t->area, S7T_AREA_T);
    assert_int_equal(t->offset, 5);
    assert_int_equal(t->type->sdt, S7T_SDT_TIMER);
    t = s7t_program_find_tag(p, "Parts");
    assert_int_equal(t->area, S7T_AREA_C);
    assert_int_equal(t->offset, 3);
    assert_null(s7t_program_find_tag(p, "Parts2"));
    s7t_program_free(p);
}

/* ---- the sample as in-memory sources ---- */

typedef struct file { char name[64]; char *text; size_t len; } file;

static const char *const sample_files[] = {
    "AllArrays.db", "AllTypes.db", "DB20_Recipes.db", "Legacy.db", "Line1.db", "Motor.udt",
    "Motors.db", "Recipe_Step.udt", "Station.udt", "plant.tags",
};
#define NFILES (sizeof sample_files / sizeof sample_files[0])

static void read_sample(file *f)
{
    for (size_t i = 0; i < NFILES; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", S7P_EXAMPLES_PLC, sample_files[i]);
        FILE *fp = fopen(path, "rb");
        if (!fp) fail_msg("cannot open %s", path);
        fseek(fp, 0, SEEK_END);
        long n = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        f[i].text = malloc((size_t)n + 1);
        assert_non_null(f[i].text);
        assert_int_equal(fread(f[i].text, 1, (size_t)n, fp), (size_t)n);
        fclose(fp);
        f[i].len = (size_t)n;
        snprintf(f[i].name, sizeof f[i].name, "%s", sample_files[i]);
    }
}

static void free_sample(file *f)
{
    for (size_t i = 0; i < NFILES; i++) free(f[i].text);
}

/* The result does not depend on the order the sources are handed over. */
static void test_sample_from_memory(void **state)
{
    (void)state;
    file f[NFILES];
    read_sample(f);
    s7t_source fwd[NFILES], rev[NFILES];
    for (size_t i = 0; i < NFILES; i++) {
        fwd[i] = (s7t_source){f[i].name, f[i].text, f[i].len};
        rev[NFILES - 1 - i] = fwd[i];
    }
    char err[256];
    s7t_program *a = s7t_program_parse(fwd, NFILES, NULL, err, sizeof err);
    s7t_program *b = s7t_program_parse(rev, NFILES, NULL, err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(s7t_program_db_count(a), s7t_program_db_count(b));
    for (size_t i = 0; i < s7t_program_db_count(a); i++) {
        assert_string_equal(s7t_program_db(a, i)->name, s7t_program_db(b, i)->name);
        assert_int_equal(s7t_program_db(a, i)->number, s7t_program_db(b, i)->number);
    }
    for (size_t i = 0; i < s7t_program_udt_count(a); i++)
        assert_string_equal(s7t_program_udt(a, i)->name, s7t_program_udt(b, i)->name);
    s7t_program_free(a);
    s7t_program_free(b);

    /* all blocks in one source, UDTs after the DBs that use them */
    size_t total = 0;
    for (size_t i = 0; i < NFILES - 1; i++) total += f[i].len + 1;
    char *all = malloc(total);
    assert_non_null(all);
    size_t o = 0;
    for (size_t i = 0; i < NFILES - 1; i++) {
        memcpy(all + o, f[i].text, f[i].len);
        o += f[i].len;
        all[o++] = '\n';
    }
    s7t_source one = {"all.scl", all, o};
    s7t_program *c = s7t_program_parse(&one, 1, NULL, err, sizeof err);
    if (!c) fail_msg("%s", err);
    assert_int_equal(s7t_program_udt_count(c), 3);
    assert_int_equal(s7t_program_db_count(c), 6);
    assert_int_equal(s7t_program_tag_count(c), 0);
    /* file order: AllArrays 1, AllTypes 2, Legacy 3, Line1 4, Motors 5 */
    assert_int_equal(s7t_program_find_db(c, "Motors")->number, 5);
    assert_int_equal(s7t_program_find_db(c, "DB20_Recipes")->number, 20);
    assert_string_equal(s7t_program_find_db(c, "Motors")->file, "all.scl");
    s7t_program_free(c);
    free(all);
    free_sample(f);
}

/* Every strict prefix of every sample file, loaded with the UDTs it may need, either loads or
 * fails with "file:line:col: message" (or "file: message"); never crashes or leaks. */
static void test_sample_prefixes(void **state)
{
    (void)state;
    file f[NFILES];
    read_sample(f);
    size_t runs = 0, failures = 0;
    for (size_t i = 0; i < NFILES; i++) {
        s7t_source src[4];
        size_t n = 0;
        for (size_t k = 0; k < NFILES; k++)
            if (k != i && strstr(f[k].name, ".udt"))
                src[n++] = (s7t_source){f[k].name, f[k].text, f[k].len};
        src[n] = (s7t_source){f[i].name, f[i].text, 0};
        for (size_t len = 0; len < f[i].len; len++) {
            src[n].len = len;
            char err[256] = "";
            s7t_program *p = s7t_program_parse(src, n + 1, NULL, err, sizeof err);
            runs++;
            if (p) {
                s7t_program_free(p);
                continue;
            }
            failures++;
            bool named = false;   /* the message names one of the sources */
            for (size_t k = 0; k <= n; k++) {
                size_t nl = strlen(src[k].name);
                if (strncmp(err, src[k].name, nl) == 0 && err[nl] == ':') named = true;
            }
            if (!named || !strstr(err, ": ")) fail_msg("prefix %zu of %s: %s", len, f[i].name, err);
        }
        src[n].len = f[i].len;
        char err[256];
        s7t_program *p = s7t_program_parse(src, n + 1, NULL, err, sizeof err);
        if (!p) fail_msg("%s: %s", f[i].name, err);
        s7t_program_free(p);
    }
    assert_true(failures > runs / 2);
    free_sample(f);
}

static void test_s5time_encode(void **state)
{
    (void)state;
    assert_int_equal(s7t_s5time_encode(0), 0x0000);
    assert_int_equal(s7t_s5time_encode(120), 0x0012);
    assert_int_equal(s7t_s5time_encode(1000), 0x0100);
    assert_int_equal(s7t_s5time_encode(9990), 0x0999);
    assert_int_equal(s7t_s5time_encode(12300), 0x1123);
    assert_int_equal(s7t_s5time_encode(12345), 0x1123);   /* truncated */
    assert_int_equal(s7t_s5time_encode(100000), 0x2100);
    assert_int_equal(s7t_s5time_encode(9990000), 0x3999);
    assert_int_equal(s7t_s5time_encode(-5), 0x0000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_counts),
        cmocka_unit_test(test_sample_types),
        cmocka_unit_test(test_sample_values),
        cmocka_unit_test(test_sample_walk),
        cmocka_unit_test(test_sample_resolve),
        cmocka_unit_test(test_sample_tags),
        cmocka_unit_test(test_sample_from_memory),
        cmocka_unit_test(test_sample_prefixes),
        cmocka_unit_test(test_s5time_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* A PLC program that changes while the client stays connected (issue 15 items 17 and 7):
 * the simulator serves a copy of examples/plc (plus a small DB "Change") from a temporary
 * directory; the test edits the copy and reloads it, as a download to a running CPU would.
 *
 * What must hold (docs/protocol.md §5):
 *  - a tag with an array index, resolved before the change (sent without symbol CRC, which
 *    the PLC accepts for whatever member has those LIDs now), never lands on a moved member:
 *    the item fails with S7P_E_PROGRAM_CHANGED and is not sent, and every member keeps its
 *    value (member moved, array bounds changed, element type changed);
 *  - a tag with a symbol CRC whose member moved fails with S7P_E_PROGRAM_CHANGED and the PLC
 *    code -17; a whole request refused with -17 says the tags must be resolved again;
 *  - names are resolved against the new program without reconnecting.
 * A control proves the hazard is real: the same stale tag without its program stamp (as
 * every client sent it before) is accepted by the simulator and overwrites the wrong member. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"
#include "util/clock.h"

#ifndef S7P_EXAMPLES_PLC
#error "S7P_EXAMPLES_PLC must name the examples/plc directory"
#endif
#ifndef S7P_SIM_EXE
#error "S7P_SIM_EXE must name the s7plus-sim executable"
#endif


#define REQ_MS 2000u
#define FC_SET_MULTI 0x0542u
#define FC_GET_MULTI 0x054Cu

/* The DB the tests change; the file name sorts last so the other DBs keep their numbers. */
#define CHANGE_DB "ZChange.db"
#define DB_HEAD "DATA_BLOCK \"Change\"\n{ S7_Optimized_Access := 'TRUE' }\nVERSION : 0.1\n" \
                "NON_RETAIN\n   VAR\n"
#define DB_TAIL "   END_VAR\nBEGIN\nEND_DATA_BLOCK\n"

static const char *const V1 =
    DB_HEAD "      a : Int := 1;\n      b : Int := 2;\n"
            "      speeds : Array[1..4] of Int := [11, 12, 13, 14];\n"
            "      limits : Array[1..4] of Int := [21, 22, 23, 24];\n" DB_TAIL;
/* limits now comes first: the old LIDs of speeds name limits; a and b swapped. */
static const char *const V2_MOVED =
    DB_HEAD "      b : Int := 2;\n      a : Int := 1;\n"
            "      limits : Array[1..4] of Int := [21, 22, 23, 24];\n"
            "      speeds : Array[1..4] of Int := [11, 12, 13, 14];\n"
            "      added : Int := 7;\n" DB_TAIL;
/* speeds starts at 0: the old element LID of speeds[2] is speeds[1] now. */
static const char *const V2_RESIZED =
    DB_HEAD "      a : Int := 1;\n      b : Int := 2;\n"
            "      speeds : Array[0..5] of Int := [10, 11, 12, 13, 14, 15];\n"
            "      limits : Array[1..4] of Int := [21, 22, 23, 24];\n" DB_TAIL;
/* speeds holds DInt now. */
static const char *const V2_RETYPED =
    DB_HEAD "      a : Int := 1;\n      b : Int := 2;\n"
            "      speeds : Array[1..4] of DInt := [11, 12, 13, 14];\n"
            "      limits : Array[1..4] of Int := [21, 22, 23, 24];\n" DB_TAIL;

/* a renamed: the same LID, type and place, only the symbol CRC tells the old name from the
 * new one (the simulator's CRC tables are computed per program load). */
static const char *const V2_RENAMED =
    DB_HEAD "      a_renamed : Int := 1;\n      b : Int := 2;\n"
            "      speeds : Array[1..4] of Int := [11, 12, 13, 14];\n"
            "      limits : Array[1..4] of Int := [21, 22, 23, 24];\n" DB_TAIL;

typedef struct fx {
    char dir[64];
    s7p_sim *sim;
    s7p_client *cli;
} fx;

/* ---- the program copy -------------------------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void copy_examples(const char *dir)
{
    DIR *d = opendir(S7P_EXAMPLES_PLC);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char src[512];
        snprintf(src, sizeof src, "%s/%s", S7P_EXAMPLES_PLC, e->d_name);
        char *text = read_file(src);
        st_write_file(dir, e->d_name, text);
        free(text);
    }
    closedir(d);
}

/* A download: the new source, then the reload. */
static void download(fx *F, const char *name, const char *text)
{
    char err[256] = "";
    uint32_t before = s7p_sim_change_counter(F->sim);
    st_write_file(F->dir, name, text);
    if (!s7p_sim_reload_program(F->sim, err, sizeof err)) fail_msg("reload: %s", err);
    assert_int_equal(s7p_sim_change_counter(F->sim), before + 1);
}

/* ---- fixture ----------------------------------------------------------------------------- */

static int setup(void **state)
{
    fx *F = calloc(1, sizeof *F);
    assert_non_null(F);
    st_tmpdir(F->dir, sizeof F->dir, "progchg");
    copy_examples(F->dir);
    st_write_file(F->dir, CHANGE_DB, V1);
    F->sim = st_sim_start_dir(F->dir);
    assert_int_equal(s7p_sim_change_counter(F->sim), 1);
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(F->sim));
    o.request_timeout_ms = REQ_MS;
    o.allow_write = true;
    F->cli = st_client_connect(&o);
    *state = F;
    return 0;
}

static int teardown(void **state)
{
    fx *F = *state;
    s7p_client_free(F->cli);
    s7p_sim_stop(F->sim);
    st_remove_dir(F->dir);
    free(F);
    return 0;
}

/* ---- helpers ----------------------------------------------------------------------------- */

static s7p_tag tag_of(fx *F, const char *symbol)
{
    s7p_tag t;
    s7p_error e;
    if (s7p_tag_by_symbol(F->cli, symbol, &t, &e) != S7P_OK)
        fail_msg("%s: %s", symbol, e.message);
    return t;
}

static int64_t read_int(fx *F, const char *symbol)
{
    s7p_tag t = tag_of(F, symbol);
    s7p_tag_value v;
    s7p_item_result r;
    s7p_error e;
    assert_int_equal(s7p_read(F->cli, &t, 1, &v, &r, &e), S7P_OK);
    if (r.code != S7P_OK) fail_msg("%s: %s (%d)", symbol, s7p_strerror(r.code), r.plc_code);
    int64_t i = v.v.i;
    s7p_tag_value_clear(&v);
    return i;
}

static s7p_item_result write_int(fx *F, const s7p_tag *t, int64_t value)
{
    s7p_tag_value v;
    memset(&v, 0, sizeof v);
    v.type = t->type;
    v.v.i = value;
    s7p_item_result r;
    s7p_error e;
    assert_int_equal(s7p_write(F->cli, t, 1, &v, &r, &e), S7P_OK);
    return r;
}

static void expect_changed_not_sent(fx *F, const s7p_tag *stale)
{
    unsigned long writes = s7p_sim_requests(F->sim, FC_SET_MULTI);
    s7p_item_result r = write_int(F, stale, 999);
    assert_int_equal(r.code, S7P_E_PROGRAM_CHANGED);
    assert_int_equal(r.plc_code, 0);
    assert_int_equal(s7p_sim_requests(F->sim, FC_SET_MULTI), writes);  /* never sent */
    /* A read of the stale tag is refused the same way: it would read another member. */
    s7p_tag_value v;
    s7p_error e;
    assert_int_equal(s7p_read(F->cli, stale, 1, &v, &r, &e), S7P_OK);
    assert_int_equal(r.code, S7P_E_PROGRAM_CHANGED);
}

/* ---- tests ------------------------------------------------------------------------------- */

/* The member an indexed tag named moved: its old LIDs name another member now. */
static void test_indexed_write_after_member_moved(void **state)
{
    fx *F = *state;
    s7p_tag stale = tag_of(F, "\"Change\".speeds[2]");
    assert_int_equal(stale.symbol_crc, 0);  /* a path with an index carries no CRC */
    assert_int_not_equal(stale.program_stamp, 0);
    assert_int_equal(write_int(F, &stale, 112).code, S7P_OK);  /* the right member, before */
    download(F, CHANGE_DB, V2_MOVED);
    expect_changed_not_sent(F, &stale);
    assert_int_equal(read_int(F, "\"Change\".limits[2]"), 22);
    assert_int_equal(read_int(F, "\"Change\".speeds[2]"), 12);
    /* Resolved again, the tag reaches the member and carries the new program. */
    s7p_tag fresh = tag_of(F, "\"Change\".speeds[2]");
    assert_int_not_equal(fresh.program_stamp, stale.program_stamp);
    assert_int_equal(write_int(F, &fresh, 120).code, S7P_OK);
    assert_int_equal(read_int(F, "\"Change\".speeds[2]"), 120);
    assert_int_equal(read_int(F, "\"Change\".limits[2]"), 22);

    /* Control: the same stale address without its stamp, as clients sent it so far, is
     * accepted by the PLC and lands on limits[2]. This is what the stamp prevents. */
    s7p_tag unstamped = stale;
    unstamped.program_stamp = 0;
    assert_int_equal(write_int(F, &unstamped, 999).code, S7P_OK);
    assert_int_equal(read_int(F, "\"Change\".limits[2]"), 999);
}

static void test_indexed_write_after_array_resized(void **state)
{
    fx *F = *state;
    s7p_tag stale = tag_of(F, "\"Change\".speeds[2]");
    download(F, CHANGE_DB, V2_RESIZED);
    expect_changed_not_sent(F, &stale);
    assert_int_equal(read_int(F, "\"Change\".speeds[1]"), 11);
    assert_int_equal(read_int(F, "\"Change\".speeds[2]"), 12);
}

static void test_indexed_write_after_type_changed(void **state)
{
    fx *F = *state;
    s7p_tag stale = tag_of(F, "\"Change\".speeds[2]");
    assert_int_equal(stale.type, S7P_T_INT);
    download(F, CHANGE_DB, V2_RETYPED);
    expect_changed_not_sent(F, &stale);
    s7p_tag fresh = tag_of(F, "\"Change\".speeds[2]");
    assert_int_equal(fresh.type, S7P_T_DINT);
    assert_int_equal(read_int(F, "\"Change\".speeds[2]"), 12);
}

/* The examples' own DB: a member inserted at the top moves every LID of AllArrays by one. */
static void test_example_db_member_inserted(void **state)
{
    fx *F = *state;
    s7p_tag stale = tag_of(F, "\"AllArrays\".a_int[2]");
    int64_t sint1 = read_int(F, "\"AllArrays\".a_sint[1]");
    char path[512];
    snprintf(path, sizeof path, "%s/AllArrays.db", F->dir);
    char *text = read_file(path);
    char *var = strstr(text, "VAR");
    assert_non_null(var);
    var = strchr(var, '\n') + 1;
    size_t head = (size_t)(var - text);
    static const char inserted[] = "      inserted : Int;\n";
    char *edited = malloc(strlen(text) + sizeof inserted);
    assert_non_null(edited);
    memcpy(edited, text, head);
    strcpy(edited + head, inserted);
    strcat(edited, text + head);
    download(F, "AllArrays.db", edited);
    free(edited);
    free(text);
    expect_changed_not_sent(F, &stale);
    assert_int_equal(read_int(F, "\"AllArrays\".a_sint[1]"), sint1);
    assert_int_equal(read_int(F, "\"AllArrays\".a_int[2]"), 5);
}

/* A tag with a symbol CRC: the PLC itself refuses it (-17), named as a changed program. */
static void test_crc_tag_after_change(void **state)
{
    fx *F = *state;
    s7p_tag a = tag_of(F, "\"Change\".a");
    assert_int_not_equal(a.symbol_crc, 0);
    download(F, CHANGE_DB, V2_MOVED);
    unsigned long writes = s7p_sim_requests(F->sim, FC_SET_MULTI);
    s7p_item_result r = write_int(F, &a, 999);
    assert_int_equal(s7p_sim_requests(F->sim, FC_SET_MULTI), writes + 1);
    assert_int_equal(r.code, S7P_E_PROGRAM_CHANGED);
    assert_int_equal(r.plc_code, -17);
    s7p_tag_value v;
    s7p_error e;
    assert_int_equal(s7p_read(F->cli, &a, 1, &v, &r, &e), S7P_OK);
    assert_int_equal(r.code, S7P_E_PROGRAM_CHANGED);
    assert_int_equal(r.plc_code, -17);
    assert_int_equal(read_int(F, "\"Change\".a"), 1);
    assert_int_equal(read_int(F, "\"Change\".b"), 2);
}

/* The old name's CRC is refused by the PLC although LIDs and type still fit (sent, -17): the
 * CRCs the simulator checks against belong to the program now loaded, not the one the
 * simulator started with; the new name reads. */
static void expect_rename_seen(fx *F, const s7p_tag *old)
{
    unsigned long reads = s7p_sim_requests(F->sim, FC_GET_MULTI);
    s7p_tag_value v;
    s7p_item_result r;
    s7p_error e;
    assert_int_equal(s7p_read(F->cli, old, 1, &v, &r, &e), S7P_OK);
    assert_int_equal(s7p_sim_requests(F->sim, FC_GET_MULTI), reads + 1);
    assert_int_equal(r.code, S7P_E_PROGRAM_CHANGED);
    assert_int_equal(r.plc_code, -17);
    assert_int_equal(read_int(F, "\"Change\".a_renamed"), 1);
}

static void test_crc_tag_after_rename(void **state)
{
    fx *F = *state;
    s7p_tag a = tag_of(F, "\"Change\".a");
    assert_int_equal(read_int(F, "\"Change\".a"), 1);  /* checked once against the old CRC */
    download(F, CHANGE_DB, V2_RENAMED);
    expect_rename_seen(F, &a);
}

/* A name only the new program has resolves without reconnecting (the cache is refreshed). */
static void test_new_name_resolves_while_connected(void **state)
{
    fx *F = *state;
    (void)tag_of(F, "\"Change\".a");  /* the cache holds the old program now */
    download(F, CHANGE_DB, V2_MOVED);
    assert_int_equal(read_int(F, "\"Change\".added"), 7);
    s7p_tag t;
    s7p_error e;
    assert_int_equal(s7p_tag_by_symbol(F->cli, "\"Change\".nothing", &t, &e), S7P_E_NOT_FOUND);
}

/* A whole request refused with InvalidCRC: the error says to resolve the tags again. */
static void test_request_refused_invalid_crc(void **state)
{
    fx *F = *state;
    s7p_tag t = tag_of(F, "\"Change\".a");
    s7p_sim_fault fault = {S7P_SIM_FAULT_PLC_ERROR, FC_GET_MULTI, 0, 0, -17};
    s7p_sim_set_fault(F->sim, &fault);
    s7p_tag_value v;
    s7p_item_result r;
    s7p_error e;
    assert_int_equal(s7p_read(F->cli, &t, 1, &v, &r, &e), S7P_E_PROGRAM_CHANGED);
    s7p_sim_clear_fault(F->sim);
    assert_int_equal(e.code, S7P_E_PROGRAM_CHANGED);
    assert_int_equal(e.plc_code, -17);
    assert_false(e.transient);
    assert_non_null(strstr(e.message, "resolve them again"));
}

/* The simulator's side: the marker is served, and answers follow the new program. */
static void test_sim_reload_keeps_sessions(void **state)
{
    fx *F = *state;
    char err[256];
    assert_int_equal(read_int(F, "\"Change\".speeds[4]"), 14);
    assert_true(s7p_sim_reload_program(F->sim, err, sizeof err));
    assert_int_equal(s7p_sim_change_counter(F->sim), 2);
    assert_int_equal(s7p_sim_sessions(F->sim), 1);
    assert_int_equal(read_int(F, "\"Change\".speeds[4]"), 14);
    /* A source that does not load is left out (not strict): the rest is the new program. */
    st_write_file(F->dir, CHANGE_DB, "DATA_BLOCK \"Change\"\nbroken");
    assert_true(s7p_sim_reload_program(F->sim, err, sizeof err));
    assert_int_equal(s7p_sim_change_counter(F->sim), 3);
    assert_int_equal(s7p_sim_sessions(F->sim), 1);
}

/* ---- the executable: SIGHUP reloads ------------------------------------------------------ */

static void test_exe_sighup_reloads(void **state)
{
    (void)state;
    fx F;
    memset(&F, 0, sizeof F);
    st_tmpdir(F.dir, sizeof F.dir, "progchg");
    copy_examples(F.dir);
    st_write_file(F.dir, CHANGE_DB, V1);
    st_proc sim;
    const char *args[] = {"--program", F.dir, NULL};
    st_sim_exe_start(&sim, "progchg-exe", S7P_SIM_EXE, args);

    s7p_client_options o;
    st_client_options(&o, sim.port);
    o.request_timeout_ms = REQ_MS;
    o.allow_write = true;
    s7p_error e;
    F.cli = st_client_connect(&o);
    s7p_tag stale = tag_of(&F, "\"Change\".speeds[2]");
    st_write_file(F.dir, CHANGE_DB, V2_MOVED);
    assert_int_equal(kill(sim.pid, SIGHUP), 0);
    /* The signal acts asynchronously: the first refused write shows the reload happened. */
    s7p_item_result r = {S7P_OK, 0, 0};
    for (int64_t end = s7p_deadline_in(5000); s7p_now_ms() < end; st_sleep_ms(20)) {
        s7p_tag_value v;
        s7p_item_result rr;
        assert_int_equal(s7p_read(F.cli, &stale, 1, &v, &rr, &e), S7P_OK);
        if (rr.code == S7P_OK) s7p_tag_value_clear(&v);
        r = rr;
        if (r.code != S7P_OK) break;
    }
    assert_int_equal(r.code, S7P_E_PROGRAM_CHANGED);
    assert_int_equal(write_int(&F, &stale, 999).code, S7P_E_PROGRAM_CHANGED);
    assert_int_equal(read_int(&F, "\"Change\".limits[2]"), 22);
    assert_int_equal(read_int(&F, "\"Change\".added"), 7);
    s7p_client_free(F.cli);
    assert_int_equal(st_proc_stop(&sim, SIGTERM, 10000), 0);
    st_proc_cleanup(&sim);
    st_remove_dir(F.dir);
}

/* The same through SIGHUP on the executable (the count of GetMultiVariables is not visible
 * there: the refusal code says the PLC refused it). */
static void test_exe_sighup_crc_renamed(void **state)
{
    (void)state;
    fx F;
    memset(&F, 0, sizeof F);
    st_tmpdir(F.dir, sizeof F.dir, "progchg");
    copy_examples(F.dir);
    st_write_file(F.dir, CHANGE_DB, V1);
    st_proc sim;
    const char *args[] = {"--program", F.dir, NULL};
    st_sim_exe_start(&sim, "progchg-crc", S7P_SIM_EXE, args);
    s7p_client_options o;
    st_client_options(&o, sim.port);
    o.request_timeout_ms = REQ_MS;
    F.cli = st_client_connect(&o);
    s7p_tag old = tag_of(&F, "\"Change\".a");
    assert_int_equal(read_int(&F, "\"Change\".a"), 1);
    st_write_file(F.dir, CHANGE_DB, V2_RENAMED);
    assert_int_equal(kill(sim.pid, SIGHUP), 0);
    s7p_item_result r = {S7P_OK, 0, 0};
    for (int64_t end = s7p_deadline_in(5000); s7p_now_ms() < end && r.code == S7P_OK;
         st_sleep_ms(20)) {
        s7p_tag_value v;
        s7p_error e;
        assert_int_equal(s7p_read(F.cli, &old, 1, &v, &r, &e), S7P_OK);
        if (r.code == S7P_OK) s7p_tag_value_clear(&v);
    }
    assert_int_equal(r.code, S7P_E_PROGRAM_CHANGED);
    assert_int_equal(r.plc_code, -17);
    assert_int_equal(read_int(&F, "\"Change\".a_renamed"), 1);
    s7p_client_free(F.cli);
    assert_int_equal(st_proc_stop(&sim, SIGTERM, 10000), 0);
    st_proc_cleanup(&sim);
    st_remove_dir(F.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_indexed_write_after_member_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indexed_write_after_array_resized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indexed_write_after_type_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_example_db_member_inserted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crc_tag_after_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_name_resolves_while_connected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_refused_invalid_crc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sim_reload_keeps_sessions, setup, teardown),
        cmocka_unit_test(test_exe_sighup_reloads),
        cmocka_unit_test(test_exe_sighup_crc_renamed),
        cmocka_unit_test_setup_teardown(test_crc_tag_after_rename, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

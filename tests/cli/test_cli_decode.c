/* SPDX-License-Identifier: MIT */
/* `s7plus decode`'s own parts: the --filter expression (cli/decode_filter.c), parsed and
 * matched against messages made here, and the --symbols table (cli/decode_symbols.c) read
 * from a browse JSON written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "decode_filter.h"
#include "decode_symbols.h"

static s7p_decoded_pdu msg(uint8_t opcode, const char *fn, uint16_t seq, uint32_t conn)
{
    s7p_decoded_pdu m;
    memset(&m, 0, sizeof m);
    m.kind = S7P_DECODED_PDU;
    m.opcode = opcode;
    m.function_name = fn;
    m.seq = seq;
    m.connection = conn;
    m.from_client = opcode == 0x31;
    m.frame = 100;
    m.session_id = 0x3C0;
    m.body = "";
    m.rtt_us = -1;
    return m;
}

static bool match(const char *expr, const s7p_decoded_pdu *m)
{
    decode_filter f;
    char err[256];
    if (!decode_filter_parse(expr, &f, err, sizeof err)) fail_msg("%s: %s", expr, err);
    return decode_filter_match(&f, m);
}

static void test_filter_bare_name_and_errors(void **state)
{
    (void)state;
    s7p_decoded_pdu req = msg(0x31, "GetMultiVariables", 12, 2);
    s7p_decoded_pdu err = msg(0x32, "GetVarSubStreamed", 6, 1);
    err.has_return_value = true;
    err.return_code = -12;
    s7p_decoded_pdu ok = msg(0x32, "GetMultiVariables", 12, 2);
    ok.has_return_value = true;
    assert_true(match("GetMultiVariables", &req));      /* the old form */
    assert_true(match("getmultivariables", &req));
    assert_false(match("SetMultiVariables", &req));
    assert_true(match("errors", &err));
    assert_false(match("errors", &ok));
    /* a refused item makes an error too */
    s7p_decoded_field f = {.kind = S7P_FIELD_ITEM_ERROR, .item = 1, .code = -12};
    ok.fields = &f;
    ok.field_count = 1;
    assert_true(match("errors", &ok));
    s7p_decoded_pdu und = msg(0, "Undecodable", 0, 1);
    und.kind = S7P_DECODED_UNDECODABLE;
    assert_true(match("errors", &und));
}

static void test_filter_keys(void **state)
{
    (void)state;
    s7p_decoded_pdu req = msg(0x31, "GetMultiVariables", 12, 2);
    s7p_decoded_pdu resp = msg(0x32, "GetMultiVariables", 12, 2);
    s7p_decoded_pdu notif = msg(0x33, "Notification", 0, 3);
    assert_true(match("function=GetMultiVariables", &req));
    assert_true(match("function=SetMultiVariables|GetMultiVariables", &req));
    assert_true(match("seq=12", &req));
    assert_true(match("seq=10-12", &req));
    assert_false(match("seq=13-20", &req));
    assert_false(match("seq=0", &notif));               /* notifications have no seq */
    assert_true(match("conn=2", &req));
    assert_false(match("conn=1|3", &req));
    assert_true(match("conn=1|3", &notif));
    assert_true(match("dir=req", &req));
    assert_false(match("dir=req", &resp));
    assert_true(match("dir=resp", &resp));
    assert_false(match("dir=resp", &notif));
    assert_true(match("dir=notif", &notif));
    assert_true(match("dir=resp|notif", &notif));
    assert_true(match("dir=client", &req));
    assert_true(match("dir=plc", &notif));
    assert_true(match("session=0x3c0", &req));
    assert_true(match("session=960", &req));
    assert_false(match("session=0x3c1", &req));
    assert_true(match("frame=100", &req));
    assert_true(match("frame=1-99|100", &req));
    /* AND over ',' and spaces around the parts */
    assert_true(match(" function = GetMultiVariables , dir = req , conn = 2 ", &req));
    assert_false(match("function=GetMultiVariables,dir=resp", &req));
    assert_false(match("function=GetMultiVariables,errors", &resp));
}

static void test_filter_syntax_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "x=1", "seq=", "seq=a", "seq=5-2", "seq=-1",
                                      "conn=1|", "dir=up", "session=0x", "session=1-2",
                                      "GetMultiVariables,", "a=b=c"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        decode_filter f;
        char err[256] = "";
        if (decode_filter_parse(bad[i], &f, err, sizeof err)) fail_msg("'%s' parsed", bad[i]);
        assert_true(strncmp(err, "--filter: ", 10) == 0);
    }
}

/* ---- symbols ------------------------------------------------------------------------------ */

static const char browse_json[] =
    "[{\"symbol\": \"\\\"AllTypes\\\".v_dint\", \"type\": \"DInt\", \"count\": 0, \"dims\": [],"
    " \"address\": {\"area\": 2316173314, \"sub_area\": 2550, \"lids\": [16], \"crc\": 1}},\n"
    "{\"symbol\": \"\\\"AllTypes\\\".arr\", \"type\": \"Array[-2..3] of Int\", \"count\": 6,"
    " \"dims\": [{\"lower\": -2, \"count\": 6}],"
    " \"address\": {\"area\": 2316173314, \"sub_area\": 2550, \"lids\": [17], \"crc\": 2}},\n"
    "{\"symbol\": \"\\\"AllTypes\\\".m\", \"type\": \"Array[1..2, 0..2] of Real\", \"count\": 6,"
    " \"dims\": [{\"lower\": 1, \"count\": 2}, {\"lower\": 0, \"count\": 3}],"
    " \"address\": {\"area\": 2316173314, \"sub_area\": 2550, \"lids\": [18], \"crc\": 3}},\n"
    "{\"symbol\": \"\\\"AllTypes\\\".b\", \"type\": \"Array[0..1, 0..2] of Bool\", \"count\": 6,"
    " \"dims\": [{\"lower\": 0, \"count\": 2}, {\"lower\": 0, \"count\": 3}],"
    " \"address\": {\"area\": 2316173314, \"sub_area\": 2550, \"lids\": [19], \"crc\": 4}},\n"
    "{\"symbol\": \"\\\"S\\\".s.x\", \"type\": \"Bool\", \"count\": 0, \"dims\": [],"
    " \"address\": {\"area\": 2316173315, \"sub_area\": 2550, \"lids\": [1, 2, 3], \"crc\": 5}},\n"
    "{\"symbol\": \"Start\", \"type\": \"Bool\", \"count\": 0, \"dims\": [],"
    " \"address\": {\"area\": 82, \"sub_area\": 3736, \"lids\": [7], \"crc\": 6}},\n"
    "{\"error\": {\"message\": \"browse failed at the end\"}}]\n";

static s7p_tag addr(uint32_t area, uint8_t n, const uint32_t *lids)
{
    s7p_tag t;
    memset(&t, 0, sizeof t);
    t.area = area;
    t.sub_area = area == 82 ? 3736 : 2550;
    t.symbol_crc = 0xDEADBEEFu;   /* not compared */
    t.nlids = n;
    memcpy(t.lids, lids, n * sizeof *lids);
    return t;
}

static const char *lookup(decode_symbols *s, uint32_t area, uint8_t n, const uint32_t *lids)
{
    s7p_tag t = addr(area, n, lids);
    return decode_symbols_lookup(s, &t);
}

static void test_symbols(void **state)
{
    (void)state;
    char path[] = "/tmp/s7p-decode-syms-XXXXXX", err[256];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(browse_json, f);
    fclose(f);
    decode_symbols *s = decode_symbols_load(path, err, sizeof err);
    unlink(path);
    if (!s) fail_msg("%s", err);
    assert_int_equal(decode_symbols_count(s), 6);   /* the error object is skipped */
    const uint32_t DB2 = 0x8A0E0002u, DB3 = 0x8A0E0003u;
    assert_string_equal(lookup(s, DB2, 1, (uint32_t[]){16}), "\"AllTypes\".v_dint");
    assert_string_equal(lookup(s, DB2, 1, (uint32_t[]){17}), "\"AllTypes\".arr");
    assert_string_equal(lookup(s, DB2, 2, (uint32_t[]){17, 0}), "\"AllTypes\".arr[-2]");
    assert_string_equal(lookup(s, DB2, 2, (uint32_t[]){17, 5}), "\"AllTypes\".arr[3]");
    assert_null(lookup(s, DB2, 2, (uint32_t[]){17, 6}));          /* beyond the array */
    assert_string_equal(lookup(s, DB2, 2, (uint32_t[]){18, 4}), "\"AllTypes\".m[2,1]");
    /* Bool arrays of more than one dimension: the last one padded to 8 */
    assert_string_equal(lookup(s, DB2, 2, (uint32_t[]){19, 9}), "\"AllTypes\".b[1,1]");
    assert_null(lookup(s, DB2, 2, (uint32_t[]){19, 5}));          /* padding */
    assert_string_equal(lookup(s, DB3, 3, (uint32_t[]){1, 2, 3}), "\"S\".s.x");
    assert_null(lookup(s, DB3, 2, (uint32_t[]){1, 2}));
    assert_null(lookup(s, DB2, 2, (uint32_t[]){16, 0}));          /* not an array */
    assert_string_equal(lookup(s, 82, 1, (uint32_t[]){7}), "Start");
    assert_null(lookup(s, 81, 1, (uint32_t[]){7}));
    decode_symbols_free(s);
}

static void test_symbols_bad_files(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(decode_symbols_load("/nonexistent/browse.json", err, sizeof err));
    assert_true(strstr(err, "/nonexistent/browse.json") != NULL);
    char path[] = "/tmp/s7p-decode-syms-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_true(write(fd, "{\"symbol\": 1}", 13) == 13);
    close(fd);
    assert_null(decode_symbols_load(path, err, sizeof err));
    assert_true(strstr(err, "browse --json") != NULL);
    unlink(path);
}

/* A hostile file's dimensions whose element counts multiply past 64 bits (five of 65536):
 * the stride of the first one wrapped to 0 and a lookup of an element divided by it
 * (found by fuzz_decode_symbols). Every LID is now an element of the last dimensions. */
static void test_symbols_huge_dims(void **state)
{
    (void)state;
    static const char json[] =
        "[{\"symbol\": \"H\", \"type\": \"Array[0..65535, 0..65535, 0..65535, 0..65535, "
        "0..65535] of Int\", \"dims\": [{\"lower\": 0, \"count\": 65536}, {\"lower\": 0, "
        "\"count\": 65536}, {\"lower\": 0, \"count\": 65536}, {\"lower\": 0, \"count\": 65536}, "
        "{\"lower\": 0, \"count\": 65536}], \"address\": {\"area\": 2316173314, "
        "\"sub_area\": 2550, \"lids\": [20]}}]";
    char err[256];
    decode_symbols *s = decode_symbols_parse(json, sizeof json - 1, "huge", err, sizeof err);
    if (!s) fail_msg("%s", err);
    assert_string_equal(lookup(s, 0x8A0E0002u, 2, (uint32_t[]){20, 0x00010002u}), "H[0,0,0,1,2]");
    assert_string_equal(lookup(s, 0x8A0E0002u, 2, (uint32_t[]){20, UINT32_MAX}),
                        "H[0,0,0,65535,65535]");
    decode_symbols_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_bare_name_and_errors),
        cmocka_unit_test(test_filter_keys),
        cmocka_unit_test(test_filter_syntax_errors),
        cmocka_unit_test(test_symbols),
        cmocka_unit_test(test_symbols_bad_files),
        cmocka_unit_test(test_symbols_huge_dims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

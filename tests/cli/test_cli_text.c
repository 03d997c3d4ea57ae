/* SPDX-License-Identifier: MIT */
/* The CLI's own text (cli/text.c): type names for listings and values as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <math.h>

#include "text.h"

static s7p_tag tag_of(int type, uint32_t count, uint16_t str_max)
{
    s7p_tag t;
    memset(&t, 0, sizeof t);
    t.type = (s7p_type)type;
    t.count = count;
    t.str_max = str_max;
    return t;
}

static void test_type_text(void **state)
{
    (void)state;
    static const int32_t lower[2] = {1, 0};
    static const uint32_t count[2] = {4, 2};
    struct { int type; uint32_t count; uint16_t str_max; uint8_t ndims; const char *want; } cases[] = {
        {S7P_T_INT, 0, 0, 0, "Int"},
        {S7P_T_INT, 4, 0, 1, "Array[1..4] of Int"},
        {S7P_T_REAL, 8, 0, 2, "Array[1..4, 0..1] of Real"},
        {S7P_T_STRING, 0, 20, 0, "String[20]"},
        {S7P_T_WSTRING, 3, 5, 0, "Array[0..2] of WString[5]"},
        {S7P_T_DTL, 0, 0, 0, "DTL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vt_buf b = {0};
        vt_type_text(&b, cases[i].type, cases[i].count, cases[i].str_max, cases[i].ndims,
                     cases[i].ndims ? lower : NULL, cases[i].ndims ? count : NULL);
        assert_string_equal(b.p, cases[i].want);
        free(b.p);
    }
}

static void check_json(const s7p_tag_value *v, const char *want)
{
    char *s = vt_json(v);
    assert_non_null(s);
    if (strcmp(s, want) != 0) print_error("JSON %s, expected %s\n", s, want);
    assert_string_equal(s, want);
    free(s);
}

static void check_json_text(int type, uint32_t count, uint16_t str_max, const char *in,
                            const char *want)
{
    s7p_tag t = tag_of(type, count, str_max);
    s7p_tag_value v;
    char err[300];
    bool ok = s7p_value_parse(&t, in, &v, err, sizeof err) == S7P_OK;
    if (!ok) print_error("%s: %s\n", in, err);
    assert_true(ok);
    check_json(&v, want);
    s7p_tag_value_clear(&v);
}

static void test_json(void **state)
{
    (void)state;
    check_json_text(S7P_T_BOOL, 0, 0, "true", "true");
    check_json_text(S7P_T_INT, 0, 0, "-5", "-5");
    check_json_text(S7P_T_BYTE, 0, 0, "16#FF", "255");
    check_json_text(S7P_T_LINT, 0, 0, "-9223372036854775808", "-9223372036854775808");
    check_json_text(S7P_T_ULINT, 0, 0, "9223372036854775807", "9223372036854775807");
    check_json_text(S7P_T_ULINT, 0, 0, "18446744073709551615", "\"18446744073709551615\"");
    check_json_text(S7P_T_LWORD, 0, 0, "16#FFFFFFFFFFFFFFFF", "\"16#FFFFFFFFFFFFFFFF\"");
    check_json_text(S7P_T_LWORD, 0, 0, "255", "255");
    check_json_text(S7P_T_REAL, 0, 0, "0.1", "0.100000001");
    check_json_text(S7P_T_REAL, 0, 0, "1", "1.0");
    check_json_text(S7P_T_LREAL, 0, 0, "0.1", "0.10000000000000001");
    check_json_text(S7P_T_STRING, 0, 10, "'a\"b$N'", "\"a\\\"b\\n\"");
    check_json_text(S7P_T_STRING, 0, 10, "'a$00b'", "\"a\\u0000b\"");
    check_json_text(S7P_T_CHAR, 0, 0, "'A'", "\"A\"");
    check_json_text(S7P_T_WCHAR, 0, 0, "16#D800", "\"16#D800\"");
    check_json_text(S7P_T_TIME, 0, 0, "T#1.5s", "\"T#1S_500MS\"");
    check_json_text(S7P_T_DTL, 0, 0, "2024-01-31T12:00", "\"DTL#2024-01-31-12:00:00.000000000\"");
    check_json_text(S7P_T_TIME_OF_DAY, 0, 0, "12:00", "\"TOD#12:00:00.000\"");
    check_json_text(S7P_T_POINTER, 0, 0, "16#0102", "\"16#0102\"");
    check_json_text(S7P_T_INT, 2, 0, "[1, 2]", "[1, 2]");
    check_json_text(S7P_T_REAL, 2, 0, "[0.5, 1]", "[0.5, 1.0]");
    check_json_text(S7P_T_STRING, 2, 3, "[a, b]", "[\"a\", \"b\"]");
    check_json_text(S7P_T_HW_ANY, 0, 0, "257", "257");
    s7p_tag_value v;
    memset(&v, 0, sizeof v);
    v.type = S7P_T_LREAL;
    v.v.lr = NAN;
    check_json(&v, "\"nan\"");
    v.type = S7P_T_REAL;
    v.v.r = -INFINITY;
    check_json(&v, "\"-inf\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_text),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* The CLI's failure reports (cli/report.c): a batch item's outcome as text with the PLC
 * code's name and meaning, and the JSON error object's fields, for every item outcome the
 * library gives (PLC refusal, not sent, program changed, value that does not fit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"

static s7p_error item_error(s7p_status code, int16_t plc_code)
{
    s7p_item_result r = {.code = code, .plc_code = plc_code,
                         .plc_return = (uint64_t)(int64_t)plc_code};
    s7p_error e;
    cli_result_error(&r, "write", "192.0.2.10:102", &e);
    return e;
}

static void test_plc_refusal_named(void **state)
{
    (void)state;
    s7p_error e = item_error(S7P_E_PLC, -17);
    assert_string_equal(e.message, "PLC error -17 InvalidCRC: symbol CRC mismatch: the PLC's "
                                   "program changed, resolve the tag again");
    assert_false(e.transient);
    assert_string_equal(e.op, "write");
    assert_string_equal(e.endpoint, "192.0.2.10:102");
    e = item_error(S7P_E_PLC, -112);  /* ServiceTooManyRequests: try again later */
    assert_non_null(strstr(e.message, "-112 ServiceTooManyRequests: "));
    assert_true(e.transient);
    e = item_error(S7P_E_PLC, -9999);  /* unknown to the library: the number and a text */
    assert_non_null(strstr(e.message, "PLC error -9999: "));
}

static void test_other_outcomes(void **state)
{
    (void)state;
    s7p_error e = item_error(S7P_E_NOT_SENT, 0);
    assert_non_null(strstr(e.message, "not sent"));
    assert_true(e.transient);  /* nothing reached the PLC: sending again is safe */
    e = item_error(S7P_E_PROGRAM_CHANGED, -17);
    assert_non_null(strstr(e.message, "resolve it again"));
    assert_non_null(strstr(e.message, "-17 InvalidCRC"));
    e = item_error(S7P_E_INVALID_ARG, 0);
    assert_non_null(strstr(e.message, "does not fit"));
    e = item_error(S7P_E_PROTOCOL, -5);
    assert_non_null(strstr(e.message, "protocol error: PLC error -5"));
}

static void test_suffix_once(void **state)
{
    (void)state;
    char buf[240];
    s7p_error e = {.code = S7P_E_PLC, .plc_code = -17};
    strcpy(e.message, "write: 192.0.2.10:102: PLC refused the request: code -17");
    assert_string_equal(cli_plc_suffix(&e, e.message, buf, sizeof buf),
                        " (PLC error -17 InvalidCRC: symbol CRC mismatch: the PLC's program "
                        "changed, resolve the tag again)");
    strcpy(e.message, "PLC refused: -17 InvalidCRC");  /* named already */
    assert_string_equal(cli_plc_suffix(&e, e.message, buf, sizeof buf), "");
    e.plc_code = 0;
    assert_string_equal(cli_plc_suffix(&e, "x", buf, sizeof buf), "");
}

static void test_json_fields(void **state)
{
    (void)state;
    s7p_error e = item_error(S7P_E_PLC, -17);
    json_t *o = cli_error_json(&e, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "code")), "S7P_E_PLC");
    assert_int_equal(json_integer_value(json_object_get(o, "status")), S7P_E_PLC);
    assert_string_equal(json_string_value(json_object_get(o, "operation")), "write");
    assert_string_equal(json_string_value(json_object_get(o, "endpoint")), "192.0.2.10:102");
    assert_int_equal(json_integer_value(json_object_get(o, "plc_code")), -17);
    assert_string_equal(json_string_value(json_object_get(o, "plc_code_name")), "InvalidCRC");
    assert_true(json_is_false(json_object_get(o, "transient")));
    assert_string_equal(json_string_value(json_object_get(o, "message")), e.message);
    json_decref(o);
    s7p_error none = {.code = S7P_E_TIMEOUT, .transient = true};
    o = cli_error_json(&none, "the wait ran out");
    assert_true(json_is_null(json_object_get(o, "plc_code")));
    assert_true(json_is_null(json_object_get(o, "operation")));
    assert_true(json_is_true(json_object_get(o, "transient")));
    assert_string_equal(json_string_value(json_object_get(o, "message")), "the wait ran out");
    json_decref(o);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(cli_status_name(S7P_OK), "S7P_OK");
    assert_string_equal(cli_status_name(S7P_E_CONFIG), "S7P_E_CONFIG");
    assert_string_equal(cli_status_name(S7P_E_PROGRAM_CHANGED), "S7P_E_PROGRAM_CHANGED");
    assert_string_equal(cli_status_name((s7p_status)999), "S7P_E_UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plc_refusal_named), cmocka_unit_test(test_other_outcomes),
        cmocka_unit_test(test_suffix_once),       cmocka_unit_test(test_json_fields),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

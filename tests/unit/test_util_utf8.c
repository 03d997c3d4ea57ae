/* SPDX-License-Identifier: MIT */
/* s7p_utf8_prefix / s7p_utf8_copy: a name cut to fit a fixed array never ends inside a
 * UTF-8 character, whatever the character's length and wherever the limit falls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/utf8.h"

/* "aé€😀" = a (1 byte), é (2), € (3), 😀 (4): boundaries at 0, 1, 3, 6, 10. */
static const char MIXED[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";

static void test_prefix_backs_off_to_a_boundary(void **state)
{
    (void)state;
    static const size_t want[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 10};
    size_t n = strlen(MIXED);
    for (size_t max = 0; max < sizeof want / sizeof want[0]; max++)
        assert_int_equal(s7p_utf8_prefix(MIXED, n, max), want[max]);
}

static void test_copy_terminates_and_keeps_whole_characters(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'x', sizeof buf);
    /* 7 bytes of room: a é € (6 bytes); the emoji's first byte would fit, must not be kept */
    assert_int_equal(s7p_utf8_copy(buf, sizeof buf, MIXED, strlen(MIXED)), 6);
    assert_string_equal(buf, "a\xC3\xA9\xE2\x82\xAC");
    char two[3];
    assert_int_equal(s7p_utf8_copy(two, sizeof two, "\xE2\x82\xAC", 3), 0);  /* € needs 3 */
    assert_string_equal(two, "");
    char big[32];
    assert_int_equal(s7p_utf8_copy(big, sizeof big, MIXED, strlen(MIXED)), strlen(MIXED));
    assert_string_equal(big, MIXED);
    assert_int_equal(s7p_utf8_copy(big, 0, MIXED, 3), 0);  /* no room: nothing written */
}

static void test_invalid_utf8_cut_at_byte_limit(void **state)
{
    (void)state;
    /* Only continuation bytes: no lead byte within reach, so the plain byte cut stands. */
    static const char junk[] = "\x80\x80\x80\x80\x80\x80";
    assert_int_equal(s7p_utf8_prefix(junk, 6, 5), 5);
    /* ASCII is never shortened. */
    assert_int_equal(s7p_utf8_prefix("abcdef", 6, 4), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_backs_off_to_a_boundary),
        cmocka_unit_test(test_copy_terminates_and_keeps_whole_characters),
        cmocka_unit_test(test_invalid_utf8_cut_at_byte_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

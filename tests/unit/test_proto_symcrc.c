/* SPDX-License-Identifier: MIT */
/* Symbol CRC against the reference client's test vectors (spec §6.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/symcrc.h"

static uint32_t member(const char *name, uint8_t type)
{
    uint32_t inner = s7p_symcrc_segment(name, strlen(name), type, false, 0);
    return s7p_symcrc_path(&inner, 1);
}

static uint32_t array(const char *name, uint8_t elem, int32_t lower)
{
    uint32_t inner = s7p_symcrc_segment(name, strlen(name), elem, true, lower);
    return s7p_symcrc_path(&inner, 1);
}

/* The bitwise definition (polynomial 0xF4ACFB13, MSB first), the oracle of the table form. */
static uint32_t crc_bitwise(uint32_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int b = 0; b < 8; b++) crc = (crc & 0x80000000u) ? (crc << 1) ^ 0xF4ACFB13u : crc << 1;
    }
    return crc;
}

static void test_table_form_is_the_crc(void **state)
{
    (void)state;
    uint8_t buf[256];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 37u + 11u);
    uint32_t seed = 0x12345678u;
    for (size_t n = 0; n <= sizeof buf; n += 17) {
        assert_int_equal(s7p_crc32_f4ac(0, buf, n), crc_bitwise(0, buf, n));
        assert_int_equal(s7p_crc32_f4ac(seed, buf, n), crc_bitwise(seed, buf, n));
        seed = seed * 2654435761u + 1u;
    }
}

static void test_scalar_members(void **state)
{
    (void)state;
    assert_int_equal(s7p_symcrc_segment("Test2", 5, 7, false, 0), 0x9E858004u);
    assert_int_equal(member("Test2", 7), 0x4CA70840u);
    assert_int_equal(member("flag", 1), 0xFC8BA389u);
    assert_int_equal(member("packedFlag", 40), member("packedFlag", 1));
}

static void test_array_members(void **state)
{
    (void)state;
    assert_int_equal(array("TEST 3", 1, 0), 0x0CC865FBu);
    assert_int_equal(array("readings", 8, 0), 0x6580D02Cu);
    assert_int_equal(array("sintItems", 55, 1), 0x6E16F413u);
    assert_int_equal(array("realItems", 8, 1), 0x007CD376u);
}

static void test_nested_path(void **state)
{
    (void)state;
    uint32_t inner[2] = {s7p_symcrc_segment("TEST 4", 6, 17, false, 0),
                         s7p_symcrc_segment("T4ChildBool", 11, 1, false, 0)};
    assert_int_equal(s7p_symcrc_path(inner, 2), 0x1AC12998u);
}

static void test_type_codes(void **state)
{
    (void)state;
    assert_int_equal(s7p_symcrc_type_code(40), 1);
    assert_int_equal(s7p_symcrc_type_code(150), 4);
    assert_int_equal(s7p_symcrc_type_code(193), 5);
    assert_int_equal(s7p_symcrc_type_code(208), 53);
    assert_int_equal(s7p_symcrc_type_code(130), 6);
    assert_int_equal(s7p_symcrc_type_code(5), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_form_is_the_crc),
        cmocka_unit_test(test_scalar_members),
        cmocka_unit_test(test_array_members),
        cmocka_unit_test(test_nested_path),
        cmocka_unit_test(test_type_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

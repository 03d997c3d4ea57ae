/* SPDX-License-Identifier: MIT */
/* The arena: zeroed and unzeroed arrays, overflow and limit checks, alignment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"

static void test_zeroed_after_reuse(void **state)
{
    (void)state;
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    unsigned char *p = s7p_arena_array_uninit(&a, 100, 10);
    assert_non_null(p);
    memset(p, 0xAB, 1000);  /* the caller fills an uninitialised array completely */
    unsigned char *q = s7p_arena_array(&a, 10, 10);
    assert_non_null(q);
    assert_true(q >= p + 1000);  /* never overlaps what was handed out */
    for (int i = 0; i < 100; i++) assert_int_equal(q[i], 0);
    assert_int_equal((uintptr_t)q % 16, 0);
    assert_int_equal((uintptr_t)p % 16, 0);
    s7p_arena_release(&a);
}

static void test_uninit_checks(void **state)
{
    (void)state;
    s7p_arena a;
    s7p_arena_init(&a, 4096);
    assert_null(s7p_arena_array_uninit(&a, SIZE_MAX / 2, 4));  /* count * size overflows */
    assert_null(s7p_arena_array_uninit(&a, 1025, 4));           /* over the limit */
    assert_non_null(s7p_arena_array_uninit(&a, 1024, 4));       /* exactly the limit */
    assert_null(s7p_arena_alloc(&a, 1));
    s7p_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeroed_after_reuse),
        cmocka_unit_test(test_uninit_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

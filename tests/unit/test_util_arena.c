/* SPDX-License-Identifier: MIT */
/* The arena: zeroed and unzeroed arrays, overflow and limit checks, alignment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/alloc.h"
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

/* The first chunk is small (1 KiB), the next ones 16 KiB and doubling: allocations around
 * those boundaries never overlap, are zeroed and aligned, and the limit counts what was
 * handed out whatever the chunks. */
static void test_chunk_boundaries(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 15, 16, 17, 500, 976, 977, 992, 993, 1000, 4000,
                                   16384, 16385, 40000, 3, 100000};
    enum { N = sizeof sizes / sizeof sizes[0] };
    for (size_t first = 0; first < N; first++) {
        s7p_arena a;
        s7p_arena_init(&a, 1u << 20);
        unsigned char *p[N + 1];
        size_t len[N + 1];
        for (size_t k = 0; k <= N; k++) {
            len[k] = sizes[(first + k) % N];
            p[k] = s7p_arena_alloc(&a, len[k]);
            assert_non_null(p[k]);
            assert_int_equal((uintptr_t)p[k] % 16, 0);
            for (size_t i = 0; i < len[k]; i++) assert_int_equal(p[k][i], 0);
            memset(p[k], 0xC5, len[k]);
        }
        for (size_t k = 0; k <= N; k++)
            for (size_t j = 0; j < k; j++)
                assert_true(p[k] + len[k] <= p[j] || p[j] + len[j] <= p[k]);
        s7p_arena_release(&a);
    }
    s7p_arena a;
    s7p_arena_init(&a, 1008);
    assert_non_null(s7p_arena_alloc(&a, 992));
    assert_null(s7p_arena_alloc(&a, 17));  /* rounded to 32: over the limit */
    assert_non_null(s7p_arena_alloc(&a, 16));  /* exactly the limit, in a new chunk */
    assert_null(s7p_arena_alloc(&a, 1));
    s7p_arena_release(&a);
}

/* s7p_arena_take (inline while the chunk has room) hands out what s7p_arena_array_uninit
 * would: aligned, never overlapping, within the limit, NULL past it or for sizes that
 * overflow when rounded. */
static void test_take_matches_uninit(void **state)
{
    (void)state;
    static const size_t sizes[] = {64, 1, 48, 992, 16, 4000, 17, 15, 16384, 33};
    enum { N = sizeof sizes / sizeof sizes[0], ROUNDS = 4 };
    s7p_arena a, b;
    s7p_arena_init(&a, 1u << 20);
    s7p_arena_init(&b, 1u << 20);
    unsigned char *p[N * ROUNDS];
    size_t len[N * ROUNDS];
    for (size_t k = 0; k < N * ROUNDS; k++) {
        len[k] = sizes[k % N];
        p[k] = s7p_arena_take(&a, len[k]);
        void *q = s7p_arena_array_uninit(&b, 1, len[k]);
        assert_non_null(p[k]);
        assert_non_null(q);
        assert_int_equal((uintptr_t)p[k] % 16, 0);
        assert_int_equal(a.total, b.total);
        memset(p[k], (int)k, len[k]);
        for (size_t j = 0; j < k; j++)
            assert_true(p[k] + len[k] <= p[j] || p[j] + len[j] <= p[k]);
    }
    s7p_arena_release(&a);
    s7p_arena_release(&b);
    s7p_arena_init(&a, 1024);
    assert_non_null(s7p_arena_take(&a, 1000));
    assert_null(s7p_arena_take(&a, 17));     /* 1008 + 32 > 1024 */
    assert_non_null(s7p_arena_take(&a, 16)); /* exactly the limit */
    assert_null(s7p_arena_take(&a, 1));
    assert_null(s7p_arena_take(&a, SIZE_MAX - 3));  /* rounding overflows */
    s7p_arena_release(&a);
}

/* s7p_calloc: zeroed on both of its paths (small blocks, large ones), overflow refused. */
static void test_calloc_paths(void **state)
{
    (void)state;
    static const size_t shapes[][2] = {{0, 0}, {1, 0}, {0, 7}, {1, 1}, {1, 1024}, {1024, 1},
                                       {1, 1025}, {2, 512}, {3, 512}, {100, 96}, {1, 70000}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        size_t c = shapes[k][0], n = shapes[k][1];
        size_t bytes = (c ? c : 1) * (n ? n : 1);
        /* Dirty the heap's recycled blocks first. */
        unsigned char *d = s7p_malloc(bytes);
        assert_non_null(d);
        memset(d, 0xA7, bytes);
        s7p_free(d);
        unsigned char *p = s7p_calloc(c, n);
        assert_non_null(p);
        for (size_t i = 0; i < bytes; i++) assert_int_equal(p[i], 0);
        s7p_free(p);
    }
    assert_null(s7p_calloc(SIZE_MAX / 2, 4));
    assert_null(s7p_calloc(4, SIZE_MAX / 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeroed_after_reuse),
        cmocka_unit_test(test_uninit_checks),
        cmocka_unit_test(test_chunk_boundaries),
        cmocka_unit_test(test_calloc_paths),
        cmocka_unit_test(test_take_matches_uninit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

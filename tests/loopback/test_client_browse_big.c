/* SPDX-License-Identifier: MIT */
/* A browse costs memory in the types it holds at once, not in the whole program: a program
 * whose type information takes several times the browse cache's budget
 * (S7P_BROWSE_CACHE_BUDGET) is browsed completely and in order, the heap left after the
 * browse stays far below what the whole program's types take, and a symbol whose type the
 * browse dropped again resolves and reads its start value. */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "simtest.h"

enum { DBS = 24, MEMBERS = 2000 };
/* The whole program's types take about 20 MiB in the cache; the budget is 4 MiB. */
#define HEAP_LEFT_MAX ((size_t)10 << 20)

static void write_program(const char *dir)
{
    size_t cap = (size_t)MEMBERS * 48 + 256;
    char *src = malloc(cap), file[32];
    assert_non_null(src);
    for (int d = 1; d <= DBS; d++) {
        size_t n = (size_t)snprintf(src, cap, "DATA_BLOCK \"DB%d_Big\"\n{ S7_Optimized_Access := "
                                              "'TRUE' }\nVERSION : 0.1\n   VAR\n", d);
        for (int i = 0; i < MEMBERS; i++)
            n += (size_t)snprintf(src + n, cap - n, "      v%d : DInt := %d;\n", i, d * 100000 + i);
        snprintf(src + n, cap - n, "   END_VAR\nBEGIN\nEND_DATA_BLOCK\n");
        snprintf(file, sizeof file, "DB%d_Big.db", d);
        st_write_file(dir, file, src);
    }
    free(src);
}

/* The browse's items checked as they come, nothing stored (the heap is measured). */
typedef struct seen {
    size_t n, out_of_order;
    uint32_t area, lid;
    char first[64], last[64];
} seen;

static bool check_item(void *ctx, const s7p_browse_item *it)
{
    seen *k = ctx;
    if (k->n && !(it->tag.area != k->area || it->tag.lids[0] == k->lid + 1)) k->out_of_order++;
    if (!k->n) snprintf(k->first, sizeof k->first, "%s", it->symbol);
    snprintf(k->last, sizeof k->last, "%s", it->symbol);
    k->area = it->tag.area;
    k->lid = it->tag.lids[0];
    k->n++;
    return true;
}

/* mallinfo2 does not see the heap under a sanitizer: then nothing grows and nothing is
 * asserted about memory. */
static size_t heap_now(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;  /* large blocks are mmapped apart */
}

static void test_browse_big_program(void **state)
{
    (void)state;
    char dir[64];
    st_tmpdir(dir, sizeof dir, "browse-big");
    write_program(dir);
    s7p_sim *sim = st_sim_start_dir(dir);
    s7p_client *c = st_client_of(sim, false);
    seen k = {0};
    s7p_error e;
    size_t before = heap_now();
    assert_int_equal(s7p_browse(c, check_item, &k, &e), S7P_OK);
    size_t after = heap_now();
    assert_int_equal(k.n, (size_t)DBS * MEMBERS);
    assert_int_equal(k.out_of_order, 0);
    assert_string_equal(k.first, "\"DB1_Big\".v0");
    assert_string_equal(k.last, "\"DB24_Big\".v1999");
    if (after > before) {
        printf("heap kept by the client after the browse: %.1f MiB\n",
               (double)(after - before) / 1048576.0);
        assert_true(after - before < HEAP_LEFT_MAX);
    }
    /* DB1's type went when the browse walked on: fetched again, the value is the start value. */
    s7p_tag t;
    s7p_tag_value v;
    s7p_item_result r;
    assert_int_equal(s7p_tag_by_symbol(c, "\"DB1_Big\".v1234", &t, &e), S7P_OK);
    assert_int_equal(s7p_read(c, &t, 1, &v, &r, &e), S7P_OK);
    assert_int_equal(r.code, S7P_OK);
    assert_int_equal(v.v.i, 100000 + 1234);
    s7p_tag_value_clear(&v);
    st_client_close(c);
    s7p_sim_stop(sim);
    st_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browse_big_program),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

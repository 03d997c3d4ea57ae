/* SPDX-License-Identifier: MIT */
#include "util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* glibc serves small malloc()s from a per-thread cache in a few dozen instructions, while its
 * calloc() always takes the arena path (hundreds): a small zeroed block is malloc + memset. */
#define SMALL_ZEROED 1024u

void *s7p_malloc(size_t n) { return malloc(n ? n : 1); }

void *s7p_calloc(size_t count, size_t n)
{
    if (!count) count = 1;
    if (!n) n = 1;
    if (count > SIZE_MAX / n) return NULL;  /* the product would wrap: no allocator asked */
    if (count <= SMALL_ZEROED / n) {
        void *p = malloc(count * n);
        if (p) memset(p, 0, count * n);
        return p;
    }
    return calloc(count, n);
}

void *s7p_realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void s7p_free(void *p) { free(p); }

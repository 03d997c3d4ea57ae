/* SPDX-License-Identifier: MIT */
/* All allocation inside the library goes through these, so tests and fuzzers can make
 * allocations fail. */
#ifndef S7P_UTIL_ALLOC_H
#define S7P_UTIL_ALLOC_H
#include <stddef.h>

void *s7p_malloc(size_t n);
void *s7p_calloc(size_t count, size_t n);
void *s7p_realloc(void *p, size_t n);
void s7p_free(void *p);

#endif

/* SPDX-License-Identifier: MIT */
#include "util/alloc.h"

#include <stdlib.h>

void *s7p_malloc(size_t n) { return malloc(n ? n : 1); }
void *s7p_calloc(size_t count, size_t n) { return calloc(count ? count : 1, n ? n : 1); }
void *s7p_realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void s7p_free(void *p) { free(p); }

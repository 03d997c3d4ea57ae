/* SPDX-License-Identifier: MIT */
#include "util/buf.h"

#include "util/alloc.h"

s7p_status s7p_buf_reserve(uint8_t **p, size_t *cap, size_t need, size_t min, size_t max)
{
    if (need <= *cap) return S7P_OK;
    if (need > max) return S7P_E_LIMIT;
    size_t c = *cap > min ? *cap : min;
    while (c < need) c = c > max / 2 ? max : c * 2;
    uint8_t *q = s7p_realloc(*p, c);
    if (!q) return S7P_E_NOMEM;
    *p = q;
    *cap = c;
    return S7P_OK;
}

void s7p_buf_shrink(uint8_t **p, size_t *cap, size_t len, size_t to)
{
    if (*cap <= to || len > to) return;
    if (to == 0) {
        s7p_free(*p);
        *p = NULL;
        *cap = 0;
        return;
    }
    uint8_t *q = s7p_realloc(*p, to);
    if (!q) return;  /* keeping the larger buffer is fine */
    *p = q;
    *cap = to;
}

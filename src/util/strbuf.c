/* SPDX-License-Identifier: MIT */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

void s7p_strbuf_put(s7p_strbuf *b, const char *s, size_t len)
{
    if (b->oom) return;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + len + 1) cap *= 2;
        char *p = s7p_realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (len) memcpy(b->p + b->len, s, len);
    b->len += len;
    b->p[b->len] = 0;
}

void s7p_strbuf_puts(s7p_strbuf *b, const char *s) { s7p_strbuf_put(b, s, strlen(s)); }

void s7p_strbuf_printf(s7p_strbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        s7p_strbuf_put(b, tmp, (size_t)n);
        return;
    }
    char *big = s7p_malloc((size_t)n + 1);
    if (!big) {
        b->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s7p_strbuf_put(b, big, (size_t)n);
    s7p_free(big);
}

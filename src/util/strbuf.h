/* SPDX-License-Identifier: MIT */
/* A growing NUL-terminated text (s7p_realloc), for building messages and value texts. */
#ifndef S7P_UTIL_STRBUF_H
#define S7P_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

/** Start from {0}; release with s7p_free(b->p). After a failed allocation `oom` is set, the
 *  text stays as it was and further appends do nothing. */
typedef struct s7p_strbuf {
    char *p;
    size_t len, cap;
    bool oom;
} s7p_strbuf;

void s7p_strbuf_put(s7p_strbuf *b, const char *s, size_t len);
void s7p_strbuf_puts(s7p_strbuf *b, const char *s);
void s7p_strbuf_printf(s7p_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

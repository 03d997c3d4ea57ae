/* SPDX-License-Identifier: MIT */
/* Small helpers of the program loader: vectors, the name index, error messages. */
#include <stdio.h>
#include <string.h>

#include "program/prog_int.h"
#include "util/alloc.h"

void tia_vec_init(vec *v, size_t size)
{
    v->p = NULL;
    v->n = v->cap = 0;
    v->size = size;
}

void *tia_vec_push(vec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        if (cap > SIZE_MAX / v->size) return NULL;
        void *np = s7p_realloc(v->p, cap * v->size);
        if (!np) return NULL;
        v->p = np;
        v->cap = cap;
    }
    void *slot = (char *)v->p + v->n * v->size;
    memset(slot, 0, v->size);
    v->n++;
    return slot;
}

void tia_vec_free(vec *v)
{
    s7p_free(v->p);
    v->p = NULL;
    v->n = v->cap = 0;
}

static unsigned char lower(unsigned char ch) { return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch + 32) : ch; }

bool tia_name_eq(const char *a, const char *b)
{
    for (;; a++, b++) {
        if (lower((unsigned char)*a) != lower((unsigned char)*b)) return false;
        if (!*a) return true;
    }
}

bool tia_name_eq_n(const char *a, const char *b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (lower((unsigned char)a[k]) != lower((unsigned char)b[k]) || !a[k]) return false;
    return true;
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ lower((unsigned char)*s)) * 0x100000001b3ull;
    return h;
}

bool tia_name_index_build(name_index *ix, s7p_arena *a, const char *const *names, size_t n,
                      size_t *dup)
{
    *dup = SIZE_MAX;
    size_t size = 8;
    while (size < n * 2) size *= 2;
    ix->slots = s7p_arena_array(a, size, sizeof *ix->slots);
    ix->mask = size - 1;
    if (!ix->slots) return false;
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)name_hash(names[i]) & ix->mask;
        while (ix->slots[k]) {
            if (tia_name_eq(names[ix->slots[k] - 1], names[i])) {
                if (*dup == SIZE_MAX) *dup = i;
                break;
            }
            k = (k + 1) & ix->mask;
        }
        if (!ix->slots[k]) ix->slots[k] = (uint32_t)(i + 1);
    }
    return true;
}

size_t tia_name_index_find(const name_index *ix, const char *const *names, const char *key)
{
    if (!ix->slots) return SIZE_MAX;
    size_t k = (size_t)name_hash(key) & ix->mask;
    while (ix->slots[k]) {
        if (tia_name_eq(names[ix->slots[k] - 1], key)) return ix->slots[k] - 1;
        k = (k + 1) & ix->mask;
    }
    return SIZE_MAX;
}

char *tia_arena_strndup(s7p_arena *a, const char *s, size_t n)
{
    char *p = s7p_arena_alloc(a, n + 1);
    if (p && n) memcpy(p, s, n);
    return p;
}

/* Marks every source of this name bad; a name of no source ("program") makes the error
 * fatal, since leaving a source out cannot cure it. */
static void mark_bad(diags *d, const char *file)
{
    bool any = false;
    for (size_t k = 0; k < d->nsrc; k++)
        if (strcmp(d->names[k], file) == 0) {
            d->bad[k] = true;
            any = true;
        }
    if (!any) d->fatal = true;
}

bool tia_verr(diags *d, bool *failed, const char *file, pos at, const char *fmt, va_list ap)
{
    if (*failed) return false;
    *failed = true;
    d->count++;
    mark_bad(d, file);
    char line[512];
    int k = at.line ? snprintf(line, sizeof line, "%s:%u:%u: ", file, (unsigned)at.line,
                               (unsigned)at.col)
                    : snprintf(line, sizeof line, "%s: ", file);
    if (k >= 0 && (size_t)k < sizeof line) vsnprintf(line + k, sizeof line - (size_t)k, fmt, ap);
    size_t n = strlen(line), sep = d->used ? 1 : 0;
    if (!d->buf || d->used + sep + n + 1 > d->cap) {  /* does not fit: keep whole lines only */
        if (d->buf && d->cap && d->used == 0) {
            snprintf(d->buf, d->cap, "%s", line);   /* the first one, cut */
            d->used = strlen(d->buf);
        }
        return false;
    }
    if (sep) d->buf[d->used++] = '\n';
    memcpy(d->buf + d->used, line, n + 1);
    d->used += n;
    return false;
}

bool tia_perr(pctx *c, pos at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tia_verr(c->d, c->failed, c->file, at, fmt, ap);
    va_end(ap);
    return false;
}

bool tia_is_plain_ident(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')) return false;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

/* SPDX-License-Identifier: MIT */
#include "util/arena.h"

#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

#define CHUNK_MIN ((size_t)16 << 10)
/* The first chunk is small: most arenas (a request, an answer, a plan of a few tags) need
 * less than 1 KiB, and a block this size comes from the C library's per-thread cache
 * (a few dozen instructions) where a 16 KiB one takes hundreds. */
#define CHUNK_FIRST ((size_t)1024 - sizeof(s7p_arena_chunk))

void s7p_arena_init(s7p_arena *a, size_t limit)
{
    a->head = NULL;
    a->total = 0;
    a->limit = limit;
}

static s7p_arena_chunk *new_chunk(s7p_arena *a, size_t need)
{
    /* Chunks double with use (from 16 KiB after the first), so a large message needs few
     * mallocs. */
    size_t size = !a->head                 ? CHUNK_FIRST
                  : a->head->size < CHUNK_MIN ? CHUNK_MIN
                                              : a->head->size * 2;
    if (size < need) size = need;
    if (size > ((size_t)64 << 20) && need <= ((size_t)64 << 20)) size = (size_t)64 << 20;
    s7p_arena_chunk *c = s7p_malloc(sizeof *c + size);
    if (!c) return NULL;
    c->next = a->head;
    c->used = 0;
    c->size = size;
    a->head = c;
    return c;
}

static void *bump(s7p_arena *a, size_t n)
{
    size_t rounded = (n + 15u) & ~(size_t)15u;
    if (rounded < n || rounded > a->limit - a->total) return NULL;
    s7p_arena_chunk *c = a->head;
    if (!c || c->size - c->used < rounded) {
        c = new_chunk(a, rounded);
        if (!c) return NULL;
    }
    void *p = c->data + c->used;
    c->used += rounded;
    a->total += rounded;
    return p;
}

void *s7p_arena_alloc(s7p_arena *a, size_t n)
{
    void *p = bump(a, n);
    if (p) memset(p, 0, n);
    return p;
}

void *s7p_arena_array_uninit(s7p_arena *a, size_t count, size_t n)
{
    if (n && count > SIZE_MAX / n) return NULL;
    return bump(a, count * n);
}

void *s7p_arena_array(s7p_arena *a, size_t count, size_t n)
{
    if (n && count > SIZE_MAX / n) return NULL;
    return s7p_arena_alloc(a, count * n);
}

void s7p_arena_release(s7p_arena *a)
{
    s7p_arena_chunk *c = a->head;
    while (c) {
        s7p_arena_chunk *next = c->next;
        s7p_free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

void s7p_arena_adopt(s7p_arena *dst, s7p_arena *src)
{
    if (!src->head) return;
    /* src's chunks go behind dst's current one, which keeps serving dst's allocations. */
    s7p_arena_chunk *tail = src->head;
    while (tail->next) tail = tail->next;
    if (dst->head) {
        tail->next = dst->head->next;
        dst->head->next = src->head;
    } else {
        dst->head = src->head;
    }
    dst->total = src->total > dst->limit - dst->total ? dst->limit : dst->total + src->total;
    src->head = NULL;
    src->total = 0;
}

/* SPDX-License-Identifier: MIT */
/* A bump allocator that frees everything at once. Decoded messages allocate their trees from
 * one arena, so a message is released with a single call and a hostile message cannot make
 * the decoder allocate more than the arena's limit. */
#ifndef S7P_UTIL_ARENA_H
#define S7P_UTIL_ARENA_H

#include <stddef.h>

typedef struct s7p_arena_chunk s7p_arena_chunk;

/* Visible for the inline s7p_arena_take below; only arena.c changes a chunk otherwise. */
struct s7p_arena_chunk {
    s7p_arena_chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

typedef struct s7p_arena {
    s7p_arena_chunk *head;
    size_t total;     /* bytes handed out so far */
    size_t limit;     /* allocations beyond this fail */
} s7p_arena;

/** Default cap for one decoded message. */
#define S7P_ARENA_DEFAULT_LIMIT ((size_t)256 << 20)

void s7p_arena_init(s7p_arena *a, size_t limit);
/** Zeroed, 16-byte aligned memory owned by the arena; NULL when over the limit or OOM. */
void *s7p_arena_alloc(s7p_arena *a, size_t n);
/** Zeroed array of count elements of size n, with overflow checking. */
void *s7p_arena_array(s7p_arena *a, size_t count, size_t n);
/** As s7p_arena_array, but the memory is not zeroed: for a large array the caller fills
 *  completely (zeroing it costs as much as filling it). */
void *s7p_arena_array_uninit(s7p_arena *a, size_t count, size_t n);
/** As s7p_arena_array_uninit(a, 1, n), inline while the current chunk has room: for the
 *  decoder's many small blocks. */
static inline void *s7p_arena_take(s7p_arena *a, size_t n)
{
    size_t rounded = (n + 15u) & ~(size_t)15u;
    s7p_arena_chunk *c = a->head;
    if (c && rounded >= n && rounded <= c->size - c->used && rounded <= a->limit - a->total) {
        void *p = c->data + c->used;
        c->used += rounded;
        a->total += rounded;
        return p;
    }
    return s7p_arena_array_uninit(a, 1, n);
}
/** Moves every chunk of src into dst (no copy: what src handed out now lives as long as dst);
 *  src is left empty. dst's count grows by src's, capped at its limit. */
void s7p_arena_adopt(s7p_arena *dst, s7p_arena *src);
/** Frees every chunk; the arena can be reused afterwards. */
void s7p_arena_release(s7p_arena *a);

#endif

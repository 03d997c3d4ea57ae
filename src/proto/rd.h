/* SPDX-License-Identifier: MIT */
/* Bounded read cursor over received bytes.
 *
 * Every read checks the bytes left. The first failure sticks in `err`, later reads return
 * zeros, so a decoder may check once at the end of a structure; it must check before it uses
 * a decoded length or count to index or allocate anything. */
#ifndef S7P_PROTO_RD_H
#define S7P_PROTO_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s7plus/s7plus.h"

/** A view into a buffer owned by someone else (normally the receive buffer). */
typedef struct s7p_bytes {
    const uint8_t *p;
    size_t n;
} s7p_bytes;

typedef struct s7p_rd {
    const uint8_t *p, *end;
    s7p_status err;
    uint8_t depth;      /* current nesting of objects/values, limited by S7P_MAX_DEPTH */
    bool fixed_ints;    /* system-event form: every VLQ field is a fixed big-endian field */
    bool u32_ids;       /* struct member ids are u32be (GetVarSubStreamed requests) */
} s7p_rd;

/** Deepest nesting of objects and struct values a decoder accepts. */
#define S7P_MAX_DEPTH 32
/** Largest element count accepted for anything that has no per-element bytes. */
#define S7P_MAX_ITEMS 1000000u

static inline s7p_rd s7p_rd_init(const uint8_t *buf, size_t len)
{
    s7p_rd r = {buf, buf + len, S7P_OK, 0, false, false};
    return r;
}

static inline size_t s7p_rd_left(const s7p_rd *r) { return (size_t)(r->end - r->p); }

/** Records the first error; always returns false so callers can `return s7p_rd_fail(..)`. */
static inline bool s7p_rd_fail(s7p_rd *r, s7p_status e)
{
    if (r->err == S7P_OK) r->err = e;
    r->p = r->end;
    return false;
}

static inline bool s7p_rd_need(s7p_rd *r, size_t n)
{
    if (r->err != S7P_OK) return false;
    if (s7p_rd_left(r) < n) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    return true;
}

static inline bool s7p_rd_u8(s7p_rd *r, uint8_t *out)
{
    *out = 0;
    if (!s7p_rd_need(r, 1)) return false;
    *out = *r->p++;
    return true;
}

static inline bool s7p_rd_peek_u8(const s7p_rd *r, uint8_t *out)
{
    *out = 0;
    if (r->err != S7P_OK || r->p >= r->end) return false;
    *out = *r->p;
    return true;
}

static inline bool s7p_rd_u16be(s7p_rd *r, uint16_t *out)
{
    *out = 0;
    if (!s7p_rd_need(r, 2)) return false;
    *out = (uint16_t)((uint16_t)r->p[0] << 8 | r->p[1]);
    r->p += 2;
    return true;
}

static inline bool s7p_rd_u32be(s7p_rd *r, uint32_t *out)
{
    *out = 0;
    if (!s7p_rd_need(r, 4)) return false;
    *out = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    return true;
}

static inline bool s7p_rd_u64be(s7p_rd *r, uint64_t *out)
{
    uint32_t hi, lo;
    *out = 0;
    if (!s7p_rd_need(r, 8)) return false;
    s7p_rd_u32be(r, &hi);
    s7p_rd_u32be(r, &lo);
    *out = (uint64_t)hi << 32 | lo;
    return true;
}

static inline bool s7p_rd_u16le(s7p_rd *r, uint16_t *out)
{
    *out = 0;
    if (!s7p_rd_need(r, 2)) return false;
    *out = (uint16_t)((uint16_t)r->p[1] << 8 | r->p[0]);
    r->p += 2;
    return true;
}

static inline bool s7p_rd_u32le(s7p_rd *r, uint32_t *out)
{
    *out = 0;
    if (!s7p_rd_need(r, 4)) return false;
    *out = (uint32_t)r->p[3] << 24 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[1] << 8 | r->p[0];
    r->p += 4;
    return true;
}

/** A view of the next n bytes (no copy). */
static inline bool s7p_rd_bytes(s7p_rd *r, size_t n, s7p_bytes *out)
{
    out->p = NULL;
    out->n = 0;
    if (!s7p_rd_need(r, n)) return false;
    out->p = r->p;
    out->n = n;
    r->p += n;
    return true;
}

static inline bool s7p_rd_skip(s7p_rd *r, size_t n)
{
    if (!s7p_rd_need(r, n)) return false;
    r->p += n;
    return true;
}

/** Enter one nesting level; fails with S7P_E_LIMIT past S7P_MAX_DEPTH. */
static inline bool s7p_rd_enter(s7p_rd *r)
{
    if (r->err != S7P_OK) return false;
    if (r->depth >= S7P_MAX_DEPTH) return s7p_rd_fail(r, S7P_E_LIMIT);
    r->depth++;
    return true;
}

static inline void s7p_rd_leave(s7p_rd *r)
{
    if (r->depth) r->depth--;
}

/** Checks that `count` elements of at least `min_size` bytes each can still follow. */
static inline bool s7p_rd_check_count(s7p_rd *r, uint32_t count, size_t min_size)
{
    if (r->err != S7P_OK) return false;
    if (count > S7P_MAX_ITEMS) return s7p_rd_fail(r, S7P_E_LIMIT);
    if (min_size && (size_t)count > s7p_rd_left(r) / min_size) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    return true;
}

#endif

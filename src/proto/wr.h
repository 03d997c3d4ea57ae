/* SPDX-License-Identifier: MIT */
/* Bounded write cursor over a caller buffer.
 *
 * A writer never grows its buffer: running out of room sets S7P_E_LIMIT (sticky). A writer
 * created with s7p_wr_counter() has no buffer and only counts, so a caller can size a buffer
 * with the same encoder that later fills it. */
#ifndef S7P_PROTO_WR_H
#define S7P_PROTO_WR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "s7plus/s7plus.h"

typedef struct s7p_wr {
    uint8_t *buf;       /* NULL: counting only */
    size_t len, cap;
    s7p_status err;
    bool fixed_ints;    /* system-event form: VLQ fields written as fixed big-endian fields */
    bool u32_ids;       /* struct member ids are u32be (GetVarSubStreamed requests) */
} s7p_wr;

static inline s7p_wr s7p_wr_init(uint8_t *buf, size_t cap)
{
    s7p_wr w = {buf, 0, cap, S7P_OK, false, false};
    return w;
}

static inline s7p_wr s7p_wr_counter(void)
{
    s7p_wr w = {NULL, 0, SIZE_MAX, S7P_OK, false, false};
    return w;
}

static inline bool s7p_wr_fail(s7p_wr *w, s7p_status e)
{
    if (w->err == S7P_OK) w->err = e;
    return false;
}

static inline bool s7p_wr_room(s7p_wr *w, size_t n)
{
    if (w->err != S7P_OK) return false;
    if (w->cap - w->len < n) return s7p_wr_fail(w, S7P_E_LIMIT);
    return true;
}

static inline bool s7p_wr_bytes(s7p_wr *w, const void *src, size_t n)
{
    if (!s7p_wr_room(w, n)) return false;
    if (w->buf && n) memcpy(w->buf + w->len, src, n);
    w->len += n;
    return true;
}

static inline bool s7p_wr_zeros(s7p_wr *w, size_t n)
{
    if (!s7p_wr_room(w, n)) return false;
    if (w->buf && n) memset(w->buf + w->len, 0, n);
    w->len += n;
    return true;
}

static inline bool s7p_wr_u8(s7p_wr *w, uint8_t v) { return s7p_wr_bytes(w, &v, 1); }

static inline bool s7p_wr_u16be(s7p_wr *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return s7p_wr_bytes(w, b, 2);
}

static inline bool s7p_wr_u32be(s7p_wr *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return s7p_wr_bytes(w, b, 4);
}

static inline bool s7p_wr_u64be(s7p_wr *w, uint64_t v)
{
    return s7p_wr_u32be(w, (uint32_t)(v >> 32)) && s7p_wr_u32be(w, (uint32_t)v);
}

static inline bool s7p_wr_u16le(s7p_wr *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    return s7p_wr_bytes(w, b, 2);
}

static inline bool s7p_wr_u32le(s7p_wr *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return s7p_wr_bytes(w, b, 4);
}

/** Overwrites a big-endian u16 written earlier at `pos` (length fields known only later). */
static inline void s7p_wr_patch_u16be(s7p_wr *w, size_t pos, uint16_t v)
{
    if (w->buf && w->err == S7P_OK && pos + 2 <= w->len) {
        w->buf[pos] = (uint8_t)(v >> 8);
        w->buf[pos + 1] = (uint8_t)v;
    }
}

#endif

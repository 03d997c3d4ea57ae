/* SPDX-License-Identifier: MIT */
/* S7CommPlus variable-length integers (VLQ): 7 bits per byte, most significant group first,
 * bit 7 = "more bytes follow". 32-bit forms take at most 5 bytes; 64-bit forms at most 9,
 * the 9th byte carrying a full 8 bits. Signed forms keep the sign in bit 6 of the first byte.
 *
 * When the cursor is in fixed-int mode (system events) every VLQ becomes a fixed big-endian
 * field of 4 or 8 bytes. Encoders always write the shortest form; decoders accept every
 * non-overlong form a PLC or the reference clients produce (see docs/protocol.md). */
#ifndef S7P_PROTO_VLQ_H
#define S7P_PROTO_VLQ_H

#include "proto/rd.h"
#include "proto/wr.h"

/** s7p_rd_vlq_u32 out of line: every form. */
bool s7p_rd_vlq_u32_any(s7p_rd *r, uint32_t *out);
/** A 32-bit VLQ (a fixed field in fixed-int mode). Most ids, counts and item numbers are
 *  one byte: that form is read in place, inline. */
static inline bool s7p_rd_vlq_u32(s7p_rd *r, uint32_t *out)
{
    if (!r->fixed_ints && r->err == S7P_OK && r->p < r->end && *r->p < 0x80u) {
        *out = *r->p++;
        return true;
    }
    return s7p_rd_vlq_u32_any(r, out);
}
bool s7p_rd_vlq_i32(s7p_rd *r, int32_t *out);
bool s7p_rd_vlq_u64(s7p_rd *r, uint64_t *out);
bool s7p_rd_vlq_i64(s7p_rd *r, int64_t *out);

/** Signed forms as above, also accepting the full 5- / 9-byte form for a value that has a
 *  shorter one (the reference client writes negative values so); *long_form tells which. */
bool s7p_rd_vlq_i32_form(s7p_rd *r, int32_t *out, bool *long_form);
bool s7p_rd_vlq_i64_form(s7p_rd *r, int64_t *out, bool *long_form);
/** The full 5- / 9-byte forms. */
bool s7p_wr_vlq_i32_long(s7p_wr *w, int32_t v);
bool s7p_wr_vlq_i64_long(s7p_wr *w, int64_t v);

bool s7p_wr_vlq_u32(s7p_wr *w, uint32_t v);
/** Bytes s7p_wr_vlq_u32 writes for v (the VLQ form). */
static inline size_t s7p_vlq_u32_size(uint32_t v)
{
    return v < (1u << 7) ? 1u : v < (1u << 14) ? 2u : v < (1u << 21) ? 3u : v < (1u << 28) ? 4u : 5u;
}
/** Stores the VLQ form of v at p, which has room for s7p_vlq_u32_size(v) bytes; returns that
 *  size. For encoders that check the room of several fields at once. */
static inline size_t s7p_vlq_u32_put(uint8_t *p, uint32_t v)
{
    /* One branch per length and constant shifts: the compiler unrolls nothing here. */
    if (v < (1u << 7)) {
        p[0] = (uint8_t)v;
        return 1;
    }
    if (v < (1u << 14)) {
        p[0] = (uint8_t)(v >> 7 | 0x80u);
        p[1] = (uint8_t)(v & 0x7Fu);
        return 2;
    }
    if (v < (1u << 21)) {
        p[0] = (uint8_t)(v >> 14 | 0x80u);
        p[1] = (uint8_t)((v >> 7 & 0x7Fu) | 0x80u);
        p[2] = (uint8_t)(v & 0x7Fu);
        return 3;
    }
    /* Four and five bytes apart: fixed store offsets (CRCs and areas are mostly 5 bytes). */
    if (v < (1u << 28)) {
        p[0] = (uint8_t)(v >> 21 | 0x80u);
        p[1] = (uint8_t)((v >> 14 & 0x7Fu) | 0x80u);
        p[2] = (uint8_t)((v >> 7 & 0x7Fu) | 0x80u);
        p[3] = (uint8_t)(v & 0x7Fu);
        return 4;
    }
    p[0] = (uint8_t)(v >> 28 | 0x80u);
    p[1] = (uint8_t)((v >> 21 & 0x7Fu) | 0x80u);
    p[2] = (uint8_t)((v >> 14 & 0x7Fu) | 0x80u);
    p[3] = (uint8_t)((v >> 7 & 0x7Fu) | 0x80u);
    p[4] = (uint8_t)(v & 0x7Fu);
    return 5;
}
bool s7p_wr_vlq_i32(s7p_wr *w, int32_t v);
bool s7p_wr_vlq_u64(s7p_wr *w, uint64_t v);
bool s7p_wr_vlq_i64(s7p_wr *w, int64_t v);

#endif

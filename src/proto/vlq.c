/* SPDX-License-Identifier: MIT */
#include "proto/vlq.h"

#define CONT 0x80u
#define MASK7 0x7Fu

/* Reads up to `max_groups` 7-bit groups. Returns the number of bytes consumed, or 0 on error;
 * *last_cont tells whether the final byte read still had its continuation bit set. */
static unsigned read_groups(s7p_rd *r, unsigned max_groups, bool is_signed, uint64_t *acc,
                            bool *last_cont)
{
    uint8_t b;
    unsigned i;
    *acc = 0;
    *last_cont = false;
    for (i = 0; i < max_groups; i++) {
        if (!s7p_rd_u8(r, &b)) return 0;
        if (i == 0 && is_signed)
            *acc = (b & 0x40u) ? ~(uint64_t)0x3F | (b & 0x3Fu) : (uint64_t)(b & 0x3Fu);
        else
            *acc = (*acc << 7) | (b & MASK7);
        if (!(b & CONT)) return i + 1;
    }
    *last_cont = true;
    return i;
}

/* Unsigned VLQs are written in their shortest form by PLCs and clients alike; a leading
 * empty group would let the same number take several lengths, and lengths decide where a
 * PDU's tail starts (docs/protocol.md §1.9), so such input is refused. */
static bool leading_empty_group(const s7p_rd *r)
{
    return r->p + 1 < r->end && r->p[0] == 0x80;
}

/* The common case of the hottest reader (every field of every item address and value
 * header): five bytes or more left, so no group needs its own bounds check. Same result
 * and same refusals as the general path. */
static bool rd_vlq_u32_unchecked(s7p_rd *r, uint32_t *out)
{
    const uint8_t *p = r->p;
    if (p[0] == CONT) return s7p_rd_fail(r, S7P_E_PROTOCOL);  /* leading empty group */
    uint64_t acc = 0;
    for (unsigned i = 0; i < 5; i++) {
        acc = acc << 7 | (p[i] & MASK7);
        if (p[i] & CONT) continue;
        if (acc > UINT32_MAX) return s7p_rd_fail(r, S7P_E_PROTOCOL);
        r->p = p + i + 1;
        *out = (uint32_t)acc;
        return true;
    }
    return s7p_rd_fail(r, S7P_E_PROTOCOL);  /* a sixth group */
}

bool s7p_rd_vlq_u32_any(s7p_rd *r, uint32_t *out)
{
    uint64_t acc;
    bool cont;
    unsigned n;
    *out = 0;
    if (r->fixed_ints) return s7p_rd_u32be(r, out);
    if (r->err == S7P_OK && r->end - r->p >= 5) return rd_vlq_u32_unchecked(r, out);
    if (leading_empty_group(r)) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    n = read_groups(r, 5, false, &acc, &cont);
    if (n == 0) return false;
    /* A sixth group or bits above 32 mean the sender wrote something no 32-bit field holds. */
    if (cont || acc > UINT32_MAX) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    *out = (uint32_t)acc;
    return true;
}

static bool rd_i32_any(s7p_rd *r, int32_t *out)
{
    uint64_t acc;
    bool cont;
    *out = 0;
    if (r->fixed_ints) {
        uint32_t u;
        if (!s7p_rd_u32be(r, &u)) return false;
        *out = (int32_t)u;
        return true;
    }
    if (read_groups(r, 5, true, &acc, &cont) == 0) return false;
    if (cont) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    /* The 5-byte long form wraps in a 32-bit register: a reference client writes -255 as
     * 8f ff ff fe 01 and the PLC reads it as -255, so do the same. */
    *out = (int32_t)(uint32_t)acc;
    return true;
}

/* 64-bit forms: eight 7-bit groups, then, if the eighth still continues, one full byte. */
static bool rd_vlq64(s7p_rd *r, bool is_signed, uint64_t *out)
{
    uint64_t acc;
    bool cont;
    uint8_t b;
    *out = 0;
    if (r->fixed_ints) return s7p_rd_u64be(r, out);
    if (read_groups(r, 8, is_signed, &acc, &cont) == 0) return false;
    if (cont) {
        if (!s7p_rd_u8(r, &b)) return false;
        acc = (acc << 8) | b;
    }
    *out = acc;
    return true;
}

bool s7p_rd_vlq_u64(s7p_rd *r, uint64_t *out)
{
    *out = 0;
    if (r->fixed_ints) return s7p_rd_u64be(r, out);
    /* The 9-byte form starts with 0x80 padding, but only for values above 56 bits. */
    const uint8_t *start = r->p;
    if (!rd_vlq64(r, false, out)) return false;
    size_t used = (size_t)(r->p - start);
    bool long_form = used == 9;
    if ((long_form && *out <= 0x00FFFFFFFFFFFFFFull) || (!long_form && used > 1 && start[0] == 0x80))
        return s7p_rd_fail(r, S7P_E_PROTOCOL);
    return true;
}

static bool rd_i64_any(s7p_rd *r, int64_t *out)
{
    uint64_t u;
    bool ok = rd_vlq64(r, true, &u);
    *out = (int64_t)u;
    return ok;
}

/* Writes the low `groups` 7-bit groups of v, most significant first. */
static bool write_groups(s7p_wr *w, uint64_t v, unsigned groups, bool last_cont)
{
    uint8_t b[9];
    unsigned i;
    for (i = 0; i < groups; i++) {
        unsigned shift = 7u * (groups - 1u - i);
        b[i] = (uint8_t)(((v >> shift) & MASK7) | CONT);
    }
    if (!last_cont) b[groups - 1] &= (uint8_t)MASK7;
    return s7p_wr_bytes(w, b, groups);
}

static unsigned unsigned_groups(uint64_t v)
{
    unsigned n = 1;
    while (n < 10 && (v >> (7u * n)) != 0) n++;
    return n;
}

/* Groups needed so that the top group's bit 6 carries the sign of v. Like the PLC and the
 * reference client, a negative value must have a magnitude below 2^(7n-1): -64 takes two
 * bytes (ff 40) although 40 alone would decode to -64 too. */
static unsigned signed_groups(int64_t v)
{
    unsigned n = 1;
    while (n < 9) {
        int64_t lo = -((int64_t)1 << (7u * n - 1u)) + 1;
        int64_t hi = ((int64_t)1 << (7u * n - 1u)) - 1;
        if (v >= lo && v <= hi) break;
        n++;
    }
    return n;
}

/* The hottest writer (every field of every item address, three passes per request: sizing,
 * counting, writing): the groups straight into the buffer, no loop to count them. */
bool s7p_wr_vlq_u32(s7p_wr *w, uint32_t v)
{
    if (w->fixed_ints) return s7p_wr_u32be(w, v);
    size_t n = s7p_vlq_u32_size(v);
    if (!s7p_wr_room(w, n)) return false;
    if (w->buf) s7p_vlq_u32_put(w->buf + w->len, v);
    w->len += n;
    return true;
}

bool s7p_wr_vlq_i32(s7p_wr *w, int32_t v)
{
    if (w->fixed_ints) return s7p_wr_u32be(w, (uint32_t)v);
    return write_groups(w, (uint64_t)(int64_t)v, signed_groups(v), false);
}

bool s7p_wr_vlq_u64(s7p_wr *w, uint64_t v)
{
    if (w->fixed_ints) return s7p_wr_u64be(w, v);
    if (v <= 0x00FFFFFFFFFFFFFFull) return write_groups(w, v, unsigned_groups(v), false);
    /* Long form: the upper 56 bits in exactly eight continued groups, then the low byte. */
    return write_groups(w, v >> 8, 8, true) && s7p_wr_u8(w, (uint8_t)v);
}

bool s7p_wr_vlq_i64(s7p_wr *w, int64_t v)
{
    const int64_t lim = 0x007FFFFFFFFFFFFFll;
    if (w->fixed_ints) return s7p_wr_u64be(w, (uint64_t)v);
    if (v >= -lim && v <= lim) return write_groups(w, (uint64_t)v, signed_groups(v), false);
    /* Arithmetic shift keeps the sign in the top group, which pads with 0x80 or 0xFF. */
    uint64_t upper = (uint64_t)v >> 8;
    if (v < 0) upper |= 0xFF00000000000000ull;
    return write_groups(w, upper, 8, true) && s7p_wr_u8(w, (uint8_t)v);
}

/* ---- signed forms: the shortest, or the reference client's long form ----
 * A number that can take several lengths would make the same PDU decode two ways (the tail
 * is found by counting bytes), so only two forms are accepted: the shortest, and the full
 * 5-byte (32-bit) or 9-byte (64-bit) form a reference client writes for negative values;
 * the caller keeps which one it was so that re-encoding gives the same bytes. */

bool s7p_rd_vlq_i32_form(s7p_rd *r, int32_t *out, bool *long_form)
{
    const uint8_t *start = r->p;
    *long_form = false;
    if (!rd_i32_any(r, out)) return false;
    if (r->fixed_ints) return true;
    size_t used = (size_t)(r->p - start);
    s7p_wr c = s7p_wr_counter();
    s7p_wr_vlq_i32(&c, *out);
    if (used == c.len) return true;
    if (used != 5) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    *long_form = true;
    return true;
}

bool s7p_rd_vlq_i64_form(s7p_rd *r, int64_t *out, bool *long_form)
{
    const uint8_t *start = r->p;
    *long_form = false;
    if (!rd_i64_any(r, out)) return false;
    if (r->fixed_ints) return true;
    size_t used = (size_t)(r->p - start);
    s7p_wr c = s7p_wr_counter();
    s7p_wr_vlq_i64(&c, *out);
    if (used == c.len) return true;
    if (used != 9) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    *long_form = true;
    return true;
}

bool s7p_rd_vlq_i32(s7p_rd *r, int32_t *out)
{
    bool long_form;
    if (!s7p_rd_vlq_i32_form(r, out, &long_form)) return false;
    return long_form ? s7p_rd_fail(r, S7P_E_PROTOCOL) : true;
}

bool s7p_rd_vlq_i64(s7p_rd *r, int64_t *out)
{
    bool long_form;
    if (!s7p_rd_vlq_i64_form(r, out, &long_form)) return false;
    return long_form ? s7p_rd_fail(r, S7P_E_PROTOCOL) : true;
}

bool s7p_wr_vlq_i32_long(s7p_wr *w, int32_t v)
{
    if (w->fixed_ints) return s7p_wr_u32be(w, (uint32_t)v);
    /* Five groups of the 32-bit pattern: the top group holds bits 28..31 (sign wraps). */
    return write_groups(w, (uint32_t)v, 5, false);
}

bool s7p_wr_vlq_i64_long(s7p_wr *w, int64_t v)
{
    if (w->fixed_ints) return s7p_wr_u64be(w, (uint64_t)v);
    uint64_t upper = (uint64_t)v >> 8;
    if (v < 0) upper |= 0xFF00000000000000ull;
    return write_groups(w, upper, 8, true) && s7p_wr_u8(w, (uint8_t)v);
}

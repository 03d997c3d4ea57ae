/* SPDX-License-Identifier: MIT */
/* Shared by the fuzz targets: the libFuzzer entry point, the arena limit and the
 * encode/compare helpers behind the round-trip invariant.
 *
 * The invariant every codec target checks: when the decoder accepts an input x, the
 * encoder accepts decode(x); a counting writer and a real writer agree on its length; a
 * writer one byte too small fails cleanly; and decode(encode(decode(x))) succeeds and
 * encodes to the same bytes again. A violation calls abort(), which libFuzzer reports as a
 * crash and the replay executables as a failed test.
 *
 * Memory: decodes use an arena capped at FUZZ_ARENA_LIMIT; after a successful decode the
 * targets decode once more with a cap just below what it needed (fuzz_tight_limit), which
 * must fail with S7P_E_NOMEM. */
#ifndef S7P_FUZZ_COMMON_H
#define S7P_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/rd.h"
#include "proto/wr.h"
#include "util/arena.h"
#include "util/status.h"

/** The libFuzzer entry point; fuzz/replay_main.c calls it for corpus files. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Arena cap per input: small enough that the decoders' out-of-memory paths get exercised. */
#define FUZZ_ARENA_LIMIT ((size_t)8 << 20)

/** Encoded sizes above this are not compared (they cannot come from a fuzz input). */
#define FUZZ_MAX_ENCODED ((size_t)64 << 20)

/** An encoder of one decoded object, for fuzz_encode(). */
typedef bool (*fuzz_encode_fn)(s7p_wr *w, const void *obj);

static inline void fuzz_hexdump(const char *what, const uint8_t *p, size_t n)
{
    fprintf(stderr, "%s (%zu bytes):", what, n);
    for (size_t i = 0; i < n && i < 4096; i++)
        fprintf(stderr, "%s%02x", i % 32 ? " " : "\n  ", p[i]);
    fprintf(stderr, "%s\n", n > 4096 ? "\n  ..." : "");
}

/** Reports a broken invariant and aborts. */
static inline void fuzz_invariant_failed(const char *target, const char *what, const uint8_t *in,
                                         size_t n)
{
    fprintf(stderr, "%s: INVARIANT BROKEN: %s\n", target, what);
    fuzz_hexdump("input", in, n);
    abort();
}

/**
 * Encodes obj with the counting writer, then into a malloc'd buffer of exactly that size,
 * then into a buffer one byte short. The writer modes are copied from `mode`.
 * Returns the buffer (caller frees) and its length in *len; aborts on any disagreement.
 * Returns NULL without aborting only when the encoding exceeds FUZZ_MAX_ENCODED.
 */
static inline uint8_t *fuzz_encode(const char *target, fuzz_encode_fn enc, const void *obj,
                                   const s7p_wr *mode, const uint8_t *in, size_t n, size_t *len)
{
    s7p_wr cw = s7p_wr_counter();
    cw.fixed_ints = mode->fixed_ints;
    cw.u32_ids = mode->u32_ids;
    bool ok = enc(&cw, obj);
    if (!ok || cw.err != S7P_OK) {
        fprintf(stderr, "%s: encoder status %d (%s)\n", target, (int)cw.err,
                s7p_status_text(cw.err));
        fuzz_invariant_failed(target, "the encoder refuses a value the decoder produced", in, n);
    }
    if (cw.len > FUZZ_MAX_ENCODED) return NULL;

    uint8_t *buf = malloc(cw.len ? cw.len : 1);
    if (!buf) abort();
    s7p_wr w = s7p_wr_init(buf, cw.len);
    w.fixed_ints = mode->fixed_ints;
    w.u32_ids = mode->u32_ids;
    if (!enc(&w, obj) || w.err != S7P_OK || w.len != cw.len)
        fuzz_invariant_failed(target, "counting and real writer disagree", in, n);

    if (cw.len > 0) {
        /* One byte short: must fail with S7P_E_LIMIT and stay inside the buffer (ASan). */
        uint8_t *small = malloc(cw.len - 1 ? cw.len - 1 : 1);
        if (!small) abort();
        s7p_wr sw = s7p_wr_init(small, cw.len - 1);
        sw.fixed_ints = mode->fixed_ints;
        sw.u32_ids = mode->u32_ids;
        if (enc(&sw, obj) || sw.err != S7P_E_LIMIT)
            fuzz_invariant_failed(target, "encoding into a short buffer did not fail with "
                                  "S7P_E_LIMIT", in, n);
        free(small);
    }
    *len = cw.len;
    return buf;
}

/**
 * An arena limit below what a successful decode of this input used (`needed`, the arena's
 * total afterwards), picked from a hash of the input so each input fails at its own point.
 * Decoding again with it must fail with S7P_E_NOMEM: that exercises every out-of-memory path
 * and checks that none of them is ignored or reported as something else.
 */
static inline size_t fuzz_tight_limit(const uint8_t *data, size_t n, size_t needed)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ data[i]) * 0x100000001b3ull;
    return needed ? (size_t)(h % needed) : 0;
}

/** Aborts unless the two encodings are identical. */
static inline void fuzz_expect_same(const char *target, const uint8_t *e1, size_t n1,
                                    const uint8_t *e2, size_t n2, const uint8_t *in, size_t n)
{
    if (n1 == n2 && (n1 == 0 || memcmp(e1, e2, n1) == 0)) return;
    fuzz_hexdump("encode(decode(input))", e1, n1);
    fuzz_hexdump("encode(decode(encode(decode(input))))", e2, n2);
    fuzz_invariant_failed(target, "re-encoding is not stable", in, n);
}

/**
 * What every decoder that reads from a cursor must keep: its result `ok` agrees with r->err,
 * and the cursor stays inside the n bytes at p. Returns ok, with the bytes consumed in *used.
 */
static inline bool fuzz_check_cursor(const char *target, bool ok, const s7p_rd *r,
                                     const uint8_t *p, size_t n, size_t *used)
{
    if (ok != (r->err == S7P_OK))
        fuzz_invariant_failed(target, "return value and r.err disagree", p, n);
    if (r->p < p || r->p > p + n) fuzz_invariant_failed(target, "cursor left the buffer", p, n);
    *used = (size_t)(r->p - p);
    return ok;
}

/** The round trip of the invariant: fuzz_roundtrip_begin encodes the first object (e1, n1)
 * and gives an arena for decoding e1 again (a2); the target decodes and checks the second
 * object; fuzz_roundtrip_end encodes that, requires the same bytes and frees both. */
typedef struct {
    uint8_t *e1;
    size_t n1;
    s7p_arena a2;
} fuzz_roundtrip;

/** Encodes obj (decoded from the fuzz input `in`) with fuzz_encode. Returns false (nothing
 * to end) when the encoding is too large to compare. */
static inline bool fuzz_roundtrip_begin(fuzz_roundtrip *rt, const char *target, fuzz_encode_fn enc,
                                        const void *obj, const s7p_wr *mode, const uint8_t *in,
                                        size_t n)
{
    rt->e1 = fuzz_encode(target, enc, obj, mode, in, n, &rt->n1);
    if (!rt->e1) return false;
    s7p_arena_init(&rt->a2, FUZZ_ARENA_LIMIT);
    return true;
}

/** Encodes obj2, the decode of rt->e1, and aborts unless that gives rt->e1 again. */
static inline void fuzz_roundtrip_end(fuzz_roundtrip *rt, const char *target, fuzz_encode_fn enc,
                                      const void *obj2, const s7p_wr *mode, const uint8_t *in,
                                      size_t n)
{
    size_t n2;
    uint8_t *e2 = fuzz_encode(target, enc, obj2, mode, in, n, &n2);
    if (e2) fuzz_expect_same(target, rt->e1, rt->n1, e2, n2, in, n);
    free(e2);
    s7p_arena_release(&rt->a2);
    free(rt->e1);
}

#endif

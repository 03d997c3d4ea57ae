/* SPDX-License-Identifier: MIT */
/* Fuzz target: a list of PObjects (s7p_object_list_decode: objects while the next byte is
 * A1) and the round-trip invariant. */
#include "fuzz_common.h"

#include "proto/object.h"

#define TARGET "fuzz_object"

static bool enc_list(s7p_wr *w, const void *obj) { return s7p_object_list_encode(w, obj); }

static bool decode(const uint8_t *p, size_t n, s7p_arena *a, s7p_object_list *l, size_t *used)
{
    s7p_rd r = s7p_rd_init(p, n);
    return fuzz_check_cursor(TARGET, s7p_object_list_decode(&r, a, l), &r, p, n, used);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s7p_wr mode = s7p_wr_counter();
    s7p_arena a;
    s7p_object_list l;
    size_t used;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    if (decode(data, size, &a, &l, &used)) {
        if (a.total > 0) {
            s7p_arena t;
            s7p_object_list tl;
            s7p_arena_init(&t, fuzz_tight_limit(data, size, a.total));
            s7p_rd r = s7p_rd_init(data, size);
            if (s7p_object_list_decode(&r, &t, &tl) || r.err != S7P_E_NOMEM)
                fuzz_invariant_failed(TARGET, "a short arena did not give S7P_E_NOMEM", data, size);
            s7p_arena_release(&t);
        }
        fuzz_roundtrip rt;
        if (fuzz_roundtrip_begin(&rt, TARGET, enc_list, &l, &mode, data, size)) {
            s7p_object_list l2;
            if (!decode(rt.e1, rt.n1, &rt.a2, &l2, &used))
                fuzz_invariant_failed(TARGET, "the decoder rejects the encoder's output", data, size);
            if (used != rt.n1 || l2.n != l.n)
                fuzz_invariant_failed(TARGET, "decoding the encoder's output gives another list",
                                      data, size);
            fuzz_roundtrip_end(&rt, TARGET, enc_list, &l2, &mode, data, size);
        }
    }
    s7p_arena_release(&a);
    return 0;
}

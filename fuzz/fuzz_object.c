/* Fuzz target: a list of PObjects (s7p_object_list_decode: objects while the next byte is
 * A1) and the round-trip invariant. */
#include "fuzz_common.h"

#include "proto/object.h"

#define TARGET "fuzz_object"

static bool enc_list(s7p_wr *w, const void *obj) { return s7p_object_list_encode(w, obj); }

static bool decode(const uint8_t *p, size_t n, s7p_arena *a, s7p_object_list *l, size_t *used)
{
    s7p_rd r = s7p_rd_init(p, n);
    bool ok = s7p_object_list_decode(&r, a, l);
    if (ok != (r.err == S7P_OK)) fuzz_invariant_failed(TARGET, "return value and r.err disagree", p, n);
    if (r.p < p || r.p > p + n) fuzz_invariant_failed(TARGET, "cursor left the buffer", p, n);
    *used = (size_t)(r.p - p);
    return ok;
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
        size_t n1, n2;
        uint8_t *e1 = fuzz_encode(TARGET, enc_list, &l, &mode, data, size, &n1);
        if (e1) {
            s7p_arena a2;
            s7p_object_list l2;
            s7p_arena_init(&a2, FUZZ_ARENA_LIMIT);
            if (!decode(e1, n1, &a2, &l2, &used))
                fuzz_invariant_failed(TARGET, "the decoder rejects the encoder's output", data, size);
            if (used != n1 || l2.n != l.n)
                fuzz_invariant_failed(TARGET, "decoding the encoder's output gives another list",
                                      data, size);
            uint8_t *e2 = fuzz_encode(TARGET, enc_list, &l2, &mode, data, size, &n2);
            if (e2) fuzz_expect_same(TARGET, e1, n1, e2, n2, data, size);
            free(e2);
            s7p_arena_release(&a2);
            free(e1);
        }
    }
    s7p_arena_release(&a);
    return 0;
}

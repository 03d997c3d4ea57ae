/* SPDX-License-Identifier: MIT */
/* Fuzz target: one PValue (s7p_value_decode) and the round-trip invariant.
 * Byte 0 picks the cursor mode: bit 0 = fixed-int form (system events), bit 1 = u32 struct
 * member ids (GetVarSubStreamed requests). The rest is the value. */
#include "fuzz_common.h"

#include "proto/value.h"

#define TARGET "fuzz_value"

static bool enc_value(s7p_wr *w, const void *obj) { return s7p_value_encode(w, obj); }

static bool decode(const uint8_t *p, size_t n, const s7p_wr *mode, s7p_arena *a, s7p_value *v,
                   size_t *used)
{
    s7p_rd r = s7p_rd_init(p, n);
    r.fixed_ints = mode->fixed_ints;
    r.u32_ids = mode->u32_ids;
    return fuzz_check_cursor(TARGET, s7p_value_decode(&r, a, v), &r, p, n, used);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    s7p_wr mode = s7p_wr_counter();
    mode.fixed_ints = (data[0] & 1u) != 0;
    mode.u32_ids = (data[0] & 2u) != 0;
    const uint8_t *in = data + 1;
    size_t n = size - 1;

    s7p_arena a;
    s7p_value v;
    size_t used;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    if (decode(in, n, &mode, &a, &v, &used)) {
        if (a.total > 0) {
            s7p_arena t;
            s7p_value tv;
            s7p_arena_init(&t, fuzz_tight_limit(data, size, a.total));
            s7p_rd r = s7p_rd_init(in, n);
            r.fixed_ints = mode.fixed_ints;
            r.u32_ids = mode.u32_ids;
            if (s7p_value_decode(&r, &t, &tv) || r.err != S7P_E_NOMEM)
                fuzz_invariant_failed(TARGET, "a short arena did not give S7P_E_NOMEM", data, size);
            s7p_arena_release(&t);
        }
        fuzz_roundtrip rt;
        if (fuzz_roundtrip_begin(&rt, TARGET, enc_value, &v, &mode, data, size)) {
            s7p_value v2;
            if (!decode(rt.e1, rt.n1, &mode, &rt.a2, &v2, &used))
                fuzz_invariant_failed(TARGET, "the decoder rejects the encoder's output", data, size);
            if (used != rt.n1)
                fuzz_invariant_failed(TARGET, "decoding the encoder's output leaves bytes", data, size);
            fuzz_roundtrip_end(&rt, TARGET, enc_value, &v2, &mode, data, size);
        }
    }
    s7p_arena_release(&a);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* Fuzz target: a notification body (s7p_notification_decode, the part after opcode 0x33)
 * and the round-trip invariant. Byte 0 picks the protocol version (1, 2 or 3; other values
 * modulo 3). The whole-PDU path (opcode 0x33 plus tail) is covered by fuzz_pdu as well. */
#include "fuzz_common.h"

#include "proto/pdu.h"

#define TARGET "fuzz_notification"

typedef struct {
    uint8_t version;
    const s7p_notification *n;
} notif_ref;

static bool enc_notif(s7p_wr *w, const void *obj)
{
    const notif_ref *ref = obj;
    return s7p_notification_encode(w, ref->version, ref->n);
}

static bool decode(const uint8_t *p, size_t n, uint8_t version, s7p_arena *a,
                   s7p_notification *out, size_t *used)
{
    s7p_rd r = s7p_rd_init(p, n);
    memset(out, 0, sizeof *out);
    bool ok = s7p_notification_decode(&r, a, version, out);
    return fuzz_check_cursor(TARGET, ok, &r, p, n, used);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t version = (uint8_t)(1u + (data[0] + 2u) % 3u);  /* 1, 2, 3 as such */
    s7p_wr mode = s7p_wr_counter();
    s7p_arena a;
    s7p_notification n1st;
    size_t used;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    if (decode(data + 1, size - 1, version, &a, &n1st, &used)) {
        if (a.total > 0) {
            s7p_arena t;
            s7p_notification tn;
            s7p_arena_init(&t, fuzz_tight_limit(data, size, a.total));
            s7p_rd r = s7p_rd_init(data + 1, size - 1);
            if (s7p_notification_decode(&r, &t, version, &tn) || r.err != S7P_E_NOMEM)
                fuzz_invariant_failed(TARGET, "a short arena did not give S7P_E_NOMEM", data, size);
            s7p_arena_release(&t);
        }
        notif_ref ref = {version, &n1st};
        fuzz_roundtrip rt;
        if (fuzz_roundtrip_begin(&rt, TARGET, enc_notif, &ref, &mode, data, size)) {
            s7p_notification n2nd;
            if (!decode(rt.e1, rt.n1, version, &rt.a2, &n2nd, &used))
                fuzz_invariant_failed(TARGET, "the decoder rejects the encoder's output", data, size);
            if (used != rt.n1)
                fuzz_invariant_failed(TARGET, "decoding the encoder's output leaves bytes", data, size);
            notif_ref ref2 = {version, &n2nd};
            fuzz_roundtrip_end(&rt, TARGET, enc_notif, &ref2, &mode, data, size);
        }
    }
    s7p_arena_release(&a);
    return 0;
}

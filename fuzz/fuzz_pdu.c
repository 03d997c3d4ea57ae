/* SPDX-License-Identifier: MIT */
/* Fuzz target: the data part of a reassembled PDU (s7p_pdu_decode: header, every body
 * codec, notifications, tail) and the round-trip invariant. Byte 0 picks the protocol
 * version (1, 2 or 3; other values modulo 3); the rest is the data part. */
#include "fuzz_common.h"

#include "proto/pdu.h"

#define TARGET "fuzz_pdu"

static bool enc_pdu(s7p_wr *w, const void *obj) { return s7p_pdu_encode(w, obj); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t version = (uint8_t)(1u + (data[0] + 2u) % 3u);  /* 1, 2, 3 as such */
    s7p_wr mode = s7p_wr_counter();
    s7p_arena a;
    s7p_pdu *pdu = malloc(2 * sizeof *pdu);  /* s7p_pdu is large: keep it off the stack */
    if (!pdu) abort();
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    if (s7p_pdu_decode(data + 1, size - 1, version, &a, &pdu[0]) == S7P_OK) {
        if (pdu[0].version != version) fuzz_invariant_failed(TARGET, "version not kept", data, size);
        if (a.total > 0) {
            s7p_arena t;
            s7p_arena_init(&t, fuzz_tight_limit(data, size, a.total));
            if (s7p_pdu_decode(data + 1, size - 1, version, &t, &pdu[1]) != S7P_E_NOMEM)
                fuzz_invariant_failed(TARGET, "a short arena did not give S7P_E_NOMEM", data, size);
            s7p_arena_release(&t);
        }
        fuzz_roundtrip rt;
        if (fuzz_roundtrip_begin(&rt, TARGET, enc_pdu, &pdu[0], &mode, data, size)) {
            s7p_status st = s7p_pdu_decode(rt.e1, rt.n1, version, &rt.a2, &pdu[1]);
            if (st != S7P_OK) {
                fprintf(stderr, "%s: second decode: %s\n", TARGET, s7p_status_text(st));
                fuzz_hexdump("encode(decode(input))", rt.e1, rt.n1);
                fuzz_invariant_failed(TARGET, "the decoder rejects the encoder's output", data, size);
            }
            if (pdu[1].opcode != pdu[0].opcode || pdu[1].function != pdu[0].function)
                fuzz_invariant_failed(TARGET, "opcode or function changed", data, size);
            fuzz_roundtrip_end(&rt, TARGET, enc_pdu, &pdu[1], &mode, data, size);
        }
    }
    s7p_arena_release(&a);
    free(pdu);
    return 0;
}

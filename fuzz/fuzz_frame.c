/* SPDX-License-Identifier: MIT */
/* Fuzz target: a stream of S7CommPlus frames as they arrive in COTP data TPDUs.
 * s7p_frame_parse runs over the buffer until it stops; each frame goes to a reassembler with
 * a fixed 64 KiB buffer (a completed PDU is then decoded, without invariant checks: that is
 * fuzz_pdu's job), version 0xFE frames to s7p_sysevent_decode. Invariants: a parsed frame
 * lies inside the input and s7p_frame_write rebuilds exactly the bytes it consumed; the
 * reassembled length never exceeds the buffer; a decoded system event survives the
 * round trip (encode, decode, encode to the same bytes) and fails with S7P_E_NOMEM in an
 * arena just too small for it. */
#include "fuzz_common.h"

#include "proto/frame.h"
#include "proto/pdu.h"

#define TARGET "fuzz_frame"
#define REASM_CAP ((size_t)64 << 10)

static uint8_t reasm_buf[REASM_CAP];

static bool enc_sysevent(s7p_wr *w, const void *obj) { return s7p_sysevent_encode(w, obj); }

static void check_frame_bytes(const uint8_t *p, size_t used, const s7p_frame *f,
                              const uint8_t *data, size_t size)
{
    if (used == 0 || used > size - (size_t)(p - data))
        fuzz_invariant_failed(TARGET, "consumed length outside the input", data, size);
    if (f->version == S7P_PROTO_KEEPALIVE) {
        if (used != 4) fuzz_invariant_failed(TARGET, "keep-alive is not 4 bytes", data, size);
        return;
    }
    if (f->data.p != p + S7P_FRAME_HEADER_LEN)
        fuzz_invariant_failed(TARGET, "data part does not follow the header", data, size);
    uint8_t *again = malloc(used);
    if (!again) abort();
    s7p_wr w = s7p_wr_init(again, used);
    if (!s7p_frame_write(&w, f->version, f->data.p, f->data.n, f->has_trailer) || w.len != used ||
        memcmp(again, p, used) != 0)
        fuzz_invariant_failed(TARGET, "s7p_frame_write does not rebuild the parsed frame", data, size);
    free(again);
}

static void check_sysevent(const s7p_frame *f, const uint8_t *data, size_t size)
{
    s7p_arena a;
    s7p_sysevent ev;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    if (s7p_sysevent_decode(f->data.p, f->data.n, &a, &ev) == S7P_OK) {
        int64_t rv;
        (void)s7p_sysevent_return_value(&ev, &rv);
        if (a.total > 0) {
            s7p_arena t;
            s7p_sysevent tev;
            s7p_arena_init(&t, fuzz_tight_limit(f->data.p, f->data.n, a.total));
            if (s7p_sysevent_decode(f->data.p, f->data.n, &t, &tev) != S7P_E_NOMEM)
                fuzz_invariant_failed(TARGET, "a short arena did not give S7P_E_NOMEM", data, size);
            s7p_arena_release(&t);
        }
        s7p_wr mode = s7p_wr_counter();
        fuzz_roundtrip rt;
        if (fuzz_roundtrip_begin(&rt, TARGET, enc_sysevent, &ev, &mode, data, size)) {
            s7p_sysevent ev2;
            if (s7p_sysevent_decode(rt.e1, rt.n1, &rt.a2, &ev2) != S7P_OK || ev2.kind != ev.kind)
                fuzz_invariant_failed(TARGET, "system event does not survive the round trip",
                                      data, size);
            fuzz_roundtrip_end(&rt, TARGET, enc_sysevent, &ev2, &mode, data, size);
        }
    }
    s7p_arena_release(&a);
}

static void decode_pdu(const s7p_reasm *rs)
{
    static s7p_pdu pdu;
    s7p_arena a;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    (void)s7p_pdu_decode(rs->buf, rs->len, rs->version, &a, &pdu);
    s7p_arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s7p_reasm rs;
    s7p_reasm_init(&rs, reasm_buf, sizeof reasm_buf);
    const uint8_t *p = data;
    size_t left = size;
    while (left > 0) {
        s7p_frame f;
        size_t used;
        s7p_status st = s7p_frame_parse(p, left, &f, &used);
        if (st != S7P_OK) {
            if (used != 0) fuzz_invariant_failed(TARGET, "consumed bytes on failure", data, size);
            break;
        }
        check_frame_bytes(p, used, &f, data, size);
        if (f.version == S7P_PROTO_SYSTEM_EVENT) {
            check_sysevent(&f, data, size);
        } else if (f.version != S7P_PROTO_KEEPALIVE) {
            bool done;
            st = s7p_reasm_feed(&rs, &f, &done);
            if (rs.len > rs.cap) fuzz_invariant_failed(TARGET, "reassembly overran", data, size);
            if (st == S7P_OK && done) decode_pdu(&rs);
        }
        p += used;
        left -= used;
    }
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* Frames (72 vv len data [trailer]), keep-alives, reassembly of fragmented PDUs and system
 * events (version 0xFE) in their plain, text and fixed-int struct forms. */
#include "codec_test.h"
#include "proto/frame.h"
#include "proto/ids.h"

/* Parses a copy of exactly n bytes, so that ASan sees any read past the end. */
static s7p_status parse_copy(const uint8_t *b, size_t n, s7p_frame *f, size_t *used)
{
    uint8_t *copy = codec_copy(b, n);
    s7p_status st = s7p_frame_parse(copy, n, f, used);
    free(copy);
    return st;
}

/* ---- s7p_frame_parse -------------------------------------------------------------------- */

static const uint8_t single[] = {0x72, 0x02, 0x00, 0x05, 0x31, 0x00, 0x00, 0x05, 0x42,
                                 0x72, 0x02, 0x00, 0x00};

static void test_single_frame_with_trailer(void **state)
{
    (void)state;
    s7p_frame f;
    size_t used;
    assert_int_equal(s7p_frame_parse(single, sizeof single, &f, &used), S7P_OK);
    assert_int_equal(f.version, S7P_PROTO_V2);
    assert_int_equal(f.data.n, 5);
    assert_ptr_equal(f.data.p, single + 4);
    assert_true(f.has_trailer);
    assert_int_equal(used, sizeof single);
}

static void test_fragment_without_trailer(void **state)
{
    (void)state;
    /* A first fragment followed by the start of the next one. */
    const uint8_t b[] = {0x72, 0x01, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x72, 0x01, 0x00, 0x02, 0xdd};
    s7p_frame f;
    size_t used;
    assert_int_equal(s7p_frame_parse(b, sizeof b, &f, &used), S7P_OK);
    assert_int_equal(f.version, S7P_PROTO_V1);
    assert_false(f.has_trailer);
    assert_int_equal(f.data.n, 3);
    assert_int_equal(used, 7);
    /* The fragment alone, at the very end of the buffer. */
    assert_int_equal(s7p_frame_parse(b, 7, &f, &used), S7P_OK);
    assert_false(f.has_trailer);
    assert_int_equal(used, 7);
}

static void test_trailer_must_match_version(void **state)
{
    (void)state;
    const uint8_t b[] = {0x72, 0x02, 0x00, 0x01, 0xaa, 0x72, 0x03, 0x00, 0x00};
    s7p_frame f;
    size_t used;
    assert_int_equal(s7p_frame_parse(b, sizeof b, &f, &used), S7P_OK);
    assert_false(f.has_trailer);
    assert_int_equal(used, 5);
    const uint8_t c[] = {0x72, 0x02, 0x00, 0x01, 0xaa, 0x72, 0x02, 0x00, 0x01};
    assert_int_equal(s7p_frame_parse(c, sizeof c, &f, &used), S7P_OK);
    assert_false(f.has_trailer);  /* 72 02 00 01 starts a fragment, not a trailer */
    assert_int_equal(used, 5);
}

static void test_empty_data_part(void **state)
{
    (void)state;
    const uint8_t b[] = {0x72, 0x03, 0x00, 0x00, 0x72, 0x03, 0x00, 0x00};
    s7p_frame f;
    size_t used;
    assert_int_equal(s7p_frame_parse(b, sizeof b, &f, &used), S7P_OK);
    assert_int_equal(f.data.n, 0);
    assert_true(f.has_trailer);
    assert_int_equal(used, 8);
}

static void test_keepalive_frame(void **state)
{
    (void)state;
    const uint8_t b[] = {0x72, 0xff, 0x07, 0x00, 0x72, 0x02};
    s7p_frame f;
    size_t used;
    assert_int_equal(s7p_frame_parse(b, sizeof b, &f, &used), S7P_OK);
    assert_int_equal(f.version, S7P_PROTO_KEEPALIVE);
    assert_int_equal(f.keepalive_seq, 7);
    assert_int_equal(f.data.n, 0);
    assert_false(f.has_trailer);
    assert_int_equal(used, 4);
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(parse_copy(b, k, &f, &used), S7P_E_TOO_SMALL);
        assert_int_equal(used, 0);
    }
}

static void test_system_event_frame_has_no_trailer(void **state)
{
    (void)state;
    uint8_t b[4 + 16 + 4] = {0x72, 0xfe, 0x00, 0x10};
    b[4 + 7] = 0x20;
    memcpy(b + 20, (const uint8_t[]){0x72, 0xfe, 0x00, 0x00}, 4);
    s7p_frame f;
    size_t used;
    assert_int_equal(s7p_frame_parse(b, sizeof b, &f, &used), S7P_OK);
    assert_int_equal(f.version, S7P_PROTO_SYSTEM_EVENT);
    assert_int_equal(f.data.n, 16);
    assert_false(f.has_trailer);
    assert_int_equal(used, 20);
}

static void test_every_prefix_is_too_small(void **state)
{
    (void)state;
    s7p_frame f;
    size_t used;
    /* Up to the end of the data part the frame is incomplete; from there on it is a valid
     * fragment whose trailer may or may not follow (the caller's DT boundary decides). */
    for (size_t k = 0; k < sizeof single - 4; k++) {
        s7p_status st = parse_copy(single, k, &f, &used);
        if (st != S7P_E_TOO_SMALL || used != 0) fail_msg("prefix %zu: status %d", k, (int)st);
    }
    for (size_t k = sizeof single - 4; k < sizeof single; k++) {
        assert_int_equal(parse_copy(single, k, &f, &used), S7P_OK);
        assert_false(f.has_trailer);
        assert_int_equal(used, sizeof single - 4);
    }
}

static void test_wrong_marker_is_protocol_error(void **state)
{
    (void)state;
    s7p_frame f;
    size_t used;
    const uint8_t b[] = {0x73, 0x02, 0x00, 0x00, 0x72, 0x02, 0x00, 0x00};
    for (size_t k = 1; k <= sizeof b; k++)
        assert_int_equal(parse_copy(b, k, &f, &used), S7P_E_PROTOCOL);
    const uint8_t tpkt[] = {0x03, 0x00, 0x00, 0x21};
    assert_int_equal(parse_copy(tpkt, sizeof tpkt, &f, &used), S7P_E_PROTOCOL);
}

static void test_unknown_versions_are_protocol_errors(void **state)
{
    (void)state;
    for (unsigned v = 0; v <= 0xFF; v++) {
        if (v == 1 || v == 2 || v == 3 || v == 0xFE || v == 0xFF) continue;
        const uint8_t b[] = {0x72, (uint8_t)v, 0x00, 0x00, 0x72, (uint8_t)v, 0x00, 0x00};
        s7p_frame f;
        size_t used;
        s7p_status st = s7p_frame_parse(b, sizeof b, &f, &used);
        if (st != S7P_E_PROTOCOL) fail_msg("version 0x%02x: status %d", v, (int)st);
        assert_int_equal(parse_copy(b, 2, &f, &used), S7P_E_PROTOCOL);
    }
}

static void test_largest_frame(void **state)
{
    (void)state;
    size_t n = 4 + 0xFFFF + 4;
    uint8_t *b = calloc(1, n);
    assert_non_null(b);
    memcpy(b, (const uint8_t[]){0x72, 0x02, 0xff, 0xff}, 4);
    memcpy(b + 4 + 0xFFFF, (const uint8_t[]){0x72, 0x02, 0x00, 0x00}, 4);
    s7p_frame f;
    size_t used;
    s7p_status st = s7p_frame_parse(b, n, &f, &used);
    s7p_status st_short = s7p_frame_parse(b, n - 5, &f, &used);
    free(b);
    assert_int_equal(st, S7P_OK);
    assert_int_equal(st_short, S7P_E_TOO_SMALL);
}

/* ---- s7p_frame_write --------------------------------------------------------------------- */

static void test_frame_write_roundtrip(void **state)
{
    (void)state;
    const uint8_t data[] = {0x31, 0x00, 0x00, 0x05, 0x42};
    uint8_t buf[32];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_frame_write(&w, S7P_PROTO_V2, data, sizeof data, true));
    assert_int_equal(w.len, sizeof single);
    assert_memory_equal(buf, single, sizeof single);
    w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_frame_write(&w, S7P_PROTO_V3, data, sizeof data, false));
    assert_int_equal(w.len, 9);
    s7p_frame f;
    size_t used;
    assert_int_equal(s7p_frame_parse(buf, w.len, &f, &used), S7P_OK);
    assert_int_equal(f.version, S7P_PROTO_V3);
    assert_false(f.has_trailer);
    assert_memory_equal(f.data.p, data, sizeof data);
}

static void test_frame_write_limits(void **state)
{
    (void)state;
    static uint8_t big[0x10000];
    s7p_wr c = s7p_wr_counter();
    assert_false(s7p_frame_write(&c, S7P_PROTO_V2, big, sizeof big, true));
    assert_int_equal(c.err, S7P_E_LIMIT);
    c = s7p_wr_counter();
    assert_true(s7p_frame_write(&c, S7P_PROTO_V2, big, 0xFFFF, true));
    assert_int_equal(c.len, 4 + 0xFFFF + 4);
    const uint8_t data[] = {1, 2, 3};
    for (size_t cap = 0; cap < 11; cap++) {
        uint8_t *buf = malloc(cap ? cap : 1);
        assert_non_null(buf);
        s7p_wr w = s7p_wr_init(buf, cap);
        bool ok = s7p_frame_write(&w, S7P_PROTO_V1, data, sizeof data, true);
        free(buf);
        assert_false(ok);
        assert_int_equal(w.err, S7P_E_LIMIT);
    }
}

/* ---- reassembly ------------------------------------------------------------------------- */

/* Writes `data` as frames of at most `chunk` data bytes into `out`; returns the length. */
static size_t fragment(uint8_t version, const uint8_t *data, size_t n, size_t chunk, uint8_t *out,
                       size_t cap)
{
    s7p_wr w = s7p_wr_init(out, cap);
    for (size_t off = 0; off < n; off += chunk) {
        size_t len = n - off < chunk ? n - off : chunk;
        assert_true(s7p_frame_write(&w, version, data + off, len, off + len == n));
    }
    return w.len;
}

static void test_reasm_three_fragments(void **state)
{
    (void)state;
    static uint8_t pdu[2500], stream[2600], buf[4096];
    for (size_t i = 0; i < sizeof pdu; i++) pdu[i] = (uint8_t)(i * 7);
    size_t n = fragment(S7P_PROTO_V2, pdu, sizeof pdu, 1000, stream, sizeof stream);
    s7p_reasm r;
    s7p_reasm_init(&r, buf, sizeof buf);
    size_t off = 0;
    int frames = 0;
    bool done = false;
    while (off < n) {
        s7p_frame f;
        size_t used;
        assert_int_equal(s7p_frame_parse(stream + off, n - off, &f, &used), S7P_OK);
        off += used;
        assert_false(done);
        assert_int_equal(s7p_reasm_feed(&r, &f, &done), S7P_OK);
        frames++;
        assert_int_equal(done, frames == 3);
        assert_int_equal(r.active, frames < 3);
    }
    assert_int_equal(frames, 3);
    assert_true(done);
    assert_int_equal(r.len, sizeof pdu);
    assert_memory_equal(buf, pdu, sizeof pdu);
}

static void test_reasm_single_frame_and_next_pdu(void **state)
{
    (void)state;
    uint8_t buf[64];
    s7p_reasm r;
    s7p_reasm_init(&r, buf, sizeof buf);
    s7p_frame f;
    size_t used;
    bool done;
    assert_int_equal(s7p_frame_parse(single, sizeof single, &f, &used), S7P_OK);
    assert_int_equal(s7p_reasm_feed(&r, &f, &done), S7P_OK);
    assert_true(done);
    assert_int_equal(r.len, 5);
    /* The next frame starts a new PDU, even with another version. */
    const uint8_t v1[] = {0x72, 0x01, 0x00, 0x02, 0xab, 0xcd, 0x72, 0x01, 0x00, 0x00};
    assert_int_equal(s7p_frame_parse(v1, sizeof v1, &f, &used), S7P_OK);
    assert_int_equal(s7p_reasm_feed(&r, &f, &done), S7P_OK);
    assert_true(done);
    assert_int_equal(r.len, 2);
    assert_int_equal(r.version, S7P_PROTO_V1);
    assert_int_equal(buf[0], 0xab);
}

static void test_reasm_version_change_mid_pdu(void **state)
{
    (void)state;
    uint8_t buf[64];
    s7p_reasm r;
    s7p_reasm_init(&r, buf, sizeof buf);
    const uint8_t d[] = {1, 2, 3};
    s7p_frame first = {S7P_PROTO_V2, {d, 3}, false, 0};
    s7p_frame second = {S7P_PROTO_V1, {d, 3}, true, 0};
    bool done;
    assert_int_equal(s7p_reasm_feed(&r, &first, &done), S7P_OK);
    assert_false(done);
    assert_int_equal(s7p_reasm_feed(&r, &second, &done), S7P_E_PROTOCOL);
    assert_false(done);
    assert_false(r.active);
    /* After the error a new PDU starts cleanly. */
    assert_int_equal(s7p_reasm_feed(&r, &second, &done), S7P_OK);
    assert_true(done);
    assert_int_equal(r.len, 3);
}

static void test_reasm_overflow_is_limit(void **state)
{
    (void)state;
    uint8_t buf[100];
    static const uint8_t d[60];
    s7p_reasm r;
    s7p_reasm_init(&r, buf, sizeof buf);
    s7p_frame frag = {S7P_PROTO_V2, {d, 60}, false, 0};
    bool done;
    assert_int_equal(s7p_reasm_feed(&r, &frag, &done), S7P_OK);
    assert_int_equal(s7p_reasm_feed(&r, &frag, &done), S7P_E_LIMIT);
    assert_false(done);
    assert_false(r.active);
    /* Exactly the capacity fits. */
    s7p_frame last = {S7P_PROTO_V2, {d, 40}, true, 0};
    assert_int_equal(s7p_reasm_feed(&r, &frag, &done), S7P_OK);
    assert_int_equal(s7p_reasm_feed(&r, &last, &done), S7P_OK);
    assert_true(done);
    assert_int_equal(r.len, 100);
}

static void test_reasm_v3_drops_continuation_digests(void **state)
{
    (void)state;
    uint8_t frag[3][33 + 10];
    for (int k = 0; k < 3; k++) {
        frag[k][0] = 0x20;
        memset(frag[k] + 1, 0xd0 + k, 32);
        memset(frag[k] + 33, 0x10 * (k + 1), 10);
    }
    uint8_t buf[256];
    s7p_reasm r;
    s7p_reasm_init(&r, buf, sizeof buf);
    bool done;
    for (int k = 0; k < 3; k++) {
        s7p_frame f = {S7P_PROTO_V3, {frag[k], sizeof frag[k]}, k == 2, 0};
        assert_int_equal(s7p_reasm_feed(&r, &f, &done), S7P_OK);
    }
    assert_true(done);
    assert_int_equal(r.len, 33 + 30);
    assert_memory_equal(buf, frag[0], 33 + 10);  /* the first digest field stays */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(buf[43 + i], 0x20);
        assert_int_equal(buf[53 + i], 0x30);
    }
}

static void test_reasm_v3_continuation_needs_digest(void **state)
{
    (void)state;
    uint8_t first[40] = {0x20};
    uint8_t bad[40] = {0x1f};
    uint8_t buf[256];
    s7p_reasm r;
    s7p_reasm_init(&r, buf, sizeof buf);
    bool done;
    s7p_frame f1 = {S7P_PROTO_V3, {first, sizeof first}, false, 0};
    s7p_frame f2 = {S7P_PROTO_V3, {bad, sizeof bad}, true, 0};
    assert_int_equal(s7p_reasm_feed(&r, &f1, &done), S7P_OK);
    assert_int_equal(s7p_reasm_feed(&r, &f2, &done), S7P_E_PROTOCOL);
    assert_false(r.active);
    s7p_frame f3 = {S7P_PROTO_V3, {first, 20}, true, 0};  /* shorter than a digest field */
    assert_int_equal(s7p_reasm_feed(&r, &f1, &done), S7P_OK);
    assert_int_equal(s7p_reasm_feed(&r, &f3, &done), S7P_E_PROTOCOL);
}

/* ---- system events ----------------------------------------------------------------------- */

static const uint8_t sysev_head[16] = {0, 0, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};

static size_t sysev_bytes(uint8_t *out, const uint8_t *tail, size_t n)
{
    memcpy(out, sysev_head, 16);
    if (n) memcpy(out + 16, tail, n);
    return 16 + n;
}

static void check_sysevent_reencodes(const s7p_sysevent *e, const uint8_t *b, size_t n)
{
    uint8_t out[128];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_true(s7p_sysevent_encode(&w, e));
    assert_false(w.fixed_ints);  /* the writer is back in VLQ mode afterwards */
    assert_int_equal(w.len, n);
    assert_memory_equal(out, b, n);
    s7p_wr c = s7p_wr_counter();
    assert_true(s7p_sysevent_encode(&c, e));
    assert_int_equal(c.len, n);
}

static void test_sysevent_plain(void **state)
{
    s7p_sysevent e;
    assert_int_equal(s7p_sysevent_decode(sysev_head, 16, *state, &e), S7P_OK);
    assert_int_equal(e.kind, S7P_SYSEV_PLAIN);
    assert_int_equal(e.confirmed_bytes, 256);
    assert_int_equal(e.reserved1, 0);
    int64_t rv;
    assert_false(s7p_sysevent_return_value(&e, &rv));
    check_sysevent_reencodes(&e, sysev_head, 16);
}

static void test_sysevent_text_logout(void **state)
{
    uint8_t b[32];
    size_t n = sysev_bytes(b, (const uint8_t *)"LOGOUT", 6);
    s7p_sysevent e;
    assert_int_equal(s7p_sysevent_decode(b, n, *state, &e), S7P_OK);
    assert_int_equal(e.kind, S7P_SYSEV_TEXT);
    assert_int_equal(e.text.n, 6);
    assert_memory_equal(e.text.p, "LOGOUT", 6);
    int64_t rv;
    assert_false(s7p_sysevent_return_value(&e, &rv));
    check_sysevent_reencodes(&e, b, n);
}

static void test_sysevent_text_not_mistaken_for_struct(void **state)
{
    /* Only the exact u32 0x00000017 marks the struct form. */
    static const char *texts[] = {"LOG\x17OUT", "\x01\x00\x00\x17", "\x00\x01\x00\x17",
                                  "\x00\x00\x01\x17", "\x00\x00\x00\x16"};
    static const size_t lens[] = {7, 4, 4, 4, 4};
    for (size_t k = 0; k < 5; k++) {
        uint8_t b[32];
        size_t n = sysev_bytes(b, (const uint8_t *)texts[k], lens[k]);
        s7p_sysevent e;
        assert_int_equal(s7p_sysevent_decode(b, n, *state, &e), S7P_OK);
        assert_int_equal(e.kind, S7P_SYSEV_TEXT);
        assert_int_equal(e.text.n, lens[k]);
        check_sysevent_reencodes(&e, b, n);
    }
}

static const uint8_t sysev_struct[] = {
    0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x9d, 0x6c,                  /* struct 40300 */
    0x00, 0x00, 0x9d, 0x6f, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x05, 0x42,  /* 40303 UDInt */
    0x00, 0x00, 0x9d, 0x71, 0x00, 0x00, 0x00, 0x09,                  /* 40305 LInt -1 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x00, 0x00, 0x00,                                          /* end of members */
};

static void test_sysevent_struct_form(void **state)
{
    uint8_t b[128];
    size_t n = sysev_bytes(b, sysev_struct, sizeof sysev_struct);
    s7p_sysevent e;
    assert_int_equal(s7p_sysevent_decode(b, n, *state, &e), S7P_OK);
    assert_int_equal(e.kind, S7P_SYSEV_STRUCT);
    assert_int_equal(e.value.type, S7P_DT_STRUCT);
    assert_int_equal(e.value.v.st->id, S7P_ID_SYSTEM_EVENT_STRUCT);
    assert_int_equal(e.value.v.st->members.n, 2);
    assert_int_equal(s7p_idlist_find(&e.value.v.st->members, 40303)->v.u, 0x0542);
    int64_t rv = 0;
    assert_true(s7p_sysevent_return_value(&e, &rv));
    assert_int_equal(rv, -1);
    check_sysevent_reencodes(&e, b, n);
}

static void test_sysevent_struct_without_return_value(void **state)
{
    const uint8_t tail[] = {0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x9d, 0x6c,
                            0x00, 0x00, 0x9d, 0x6f, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x05, 0x42,
                            0x00, 0x00, 0x00, 0x00};
    uint8_t b[64];
    size_t n = sysev_bytes(b, tail, sizeof tail);
    s7p_sysevent e;
    assert_int_equal(s7p_sysevent_decode(b, n, *state, &e), S7P_OK);
    int64_t rv = 42;
    assert_false(s7p_sysevent_return_value(&e, &rv));
    assert_int_equal(rv, 42);
}

static void test_sysevent_positive_return_value(void **state)
{
    const uint8_t tail[] = {0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x9d, 0x6c,
                            0x00, 0x00, 0x9d, 0x71, 0x00, 0x00, 0x00, 0x09,
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13,
                            0x00, 0x00, 0x00, 0x00};
    uint8_t b[64];
    size_t n = sysev_bytes(b, tail, sizeof tail);
    s7p_sysevent e;
    assert_int_equal(s7p_sysevent_decode(b, n, *state, &e), S7P_OK);
    int64_t rv;
    assert_true(s7p_sysevent_return_value(&e, &rv));
    assert_int_equal(rv, 19);
}

static void test_sysevent_cut_short(void **state)
{
    uint8_t b[128];
    size_t n = sysev_bytes(b, sysev_struct, sizeof sysev_struct);
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = codec_copy(b, k);
        s7p_sysevent e;
        s7p_status st = s7p_sysevent_decode(copy, k, *state, &e);
        s7p_sysev_kind kind = e.kind;
        free(copy);
        if (k < 16) {
            assert_int_equal(st, S7P_E_PROTOCOL);
        } else if (k == 16) {
            assert_int_equal(st, S7P_OK);
            assert_int_equal(kind, S7P_SYSEV_PLAIN);
        } else if (k < 20) {
            /* Fewer than 4 bytes after the header cannot hold the struct marker: text. */
            assert_int_equal(st, S7P_OK);
            assert_int_equal(kind, S7P_SYSEV_TEXT);
        } else if (st != S7P_E_PROTOCOL) {
            fail_msg("prefix %zu: status %d", k, (int)st);
        }
    }
}

static void test_sysevent_struct_with_trailing_bytes(void **state)
{
    uint8_t b[128];
    size_t n = sysev_bytes(b, sysev_struct, sizeof sysev_struct);
    b[n++] = 0x00;
    s7p_sysevent e;
    assert_int_equal(s7p_sysevent_decode(b, n, *state, &e), S7P_E_PROTOCOL);
}

static void test_sysevent_bad_struct_payload(void **state)
{
    /* Starts like a struct event but the member value has datatype 0x18. */
    const uint8_t tail[] = {0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x9d, 0x6c,
                            0x00, 0x00, 0x9d, 0x71, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00};
    uint8_t b[64];
    size_t n = sysev_bytes(b, tail, sizeof tail);
    s7p_sysevent e;
    assert_int_equal(s7p_sysevent_decode(b, n, *state, &e), S7P_E_PROTOCOL);
}

static void test_sysevent_encode_checks_value(void **state)
{
    (void)state;
    s7p_sysevent e;
    memset(&e, 0, sizeof e);
    e.kind = S7P_SYSEV_STRUCT;
    e.value.type = S7P_DT_UDINT;
    uint8_t out[64];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_false(s7p_sysevent_encode(&w, &e));
    assert_int_equal(w.err, S7P_E_INVALID_ARG);
    e.value.type = S7P_DT_STRUCT;
    e.value.flags = S7P_VF_ARRAY;
    w = s7p_wr_init(out, sizeof out);
    assert_false(s7p_sysevent_encode(&w, &e));
    assert_int_equal(w.err, S7P_E_INVALID_ARG);
    /* A plain event needs its 16 bytes. */
    e.kind = S7P_SYSEV_PLAIN;
    w = s7p_wr_init(out, 10);
    assert_false(s7p_sysevent_encode(&w, &e));
    assert_int_equal(w.err, S7P_E_LIMIT);
}

static void test_sysevent_through_a_frame(void **state)
{
    uint8_t data[128], stream[160];
    size_t n = sysev_bytes(data, sysev_struct, sizeof sysev_struct);
    s7p_wr w = s7p_wr_init(stream, sizeof stream);
    assert_true(s7p_frame_write(&w, S7P_PROTO_SYSTEM_EVENT, data, n, false));
    s7p_frame f;
    size_t used;
    assert_int_equal(s7p_frame_parse(stream, w.len, &f, &used), S7P_OK);
    assert_int_equal(used, w.len);
    s7p_sysevent e;
    assert_int_equal(s7p_sysevent_decode(f.data.p, f.data.n, *state, &e), S7P_OK);
    int64_t rv;
    assert_true(s7p_sysevent_return_value(&e, &rv));
    assert_int_equal(rv, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_single_frame_with_trailer),
        TEST(test_fragment_without_trailer),
        TEST(test_trailer_must_match_version),
        TEST(test_empty_data_part),
        TEST(test_keepalive_frame),
        TEST(test_system_event_frame_has_no_trailer),
        TEST(test_every_prefix_is_too_small),
        TEST(test_wrong_marker_is_protocol_error),
        TEST(test_unknown_versions_are_protocol_errors),
        TEST(test_largest_frame),
        TEST(test_frame_write_roundtrip),
        TEST(test_frame_write_limits),
        TEST(test_reasm_three_fragments),
        TEST(test_reasm_single_frame_and_next_pdu),
        TEST(test_reasm_version_change_mid_pdu),
        TEST(test_reasm_overflow_is_limit),
        TEST(test_reasm_v3_drops_continuation_digests),
        TEST(test_reasm_v3_continuation_needs_digest),
        TEST(test_sysevent_plain),
        TEST(test_sysevent_text_logout),
        TEST(test_sysevent_text_not_mistaken_for_struct),
        TEST(test_sysevent_struct_form),
        TEST(test_sysevent_struct_without_return_value),
        TEST(test_sysevent_positive_return_value),
        TEST(test_sysevent_cut_short),
        TEST(test_sysevent_struct_with_trailing_bytes),
        TEST(test_sysevent_bad_struct_payload),
        TEST(test_sysevent_encode_checks_value),
        TEST(test_sysevent_through_a_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

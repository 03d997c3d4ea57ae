/* SPDX-License-Identifier: MIT */
/* The socket-free link (src/session/link.c): two links wired back to back in memory, client
 * and server, with no socket and no thread: COTP connect / accept, the TLS handshake both
 * ways, PDUs fed byte by byte, many at once, fragmented; and the ways a stream ends: DR,
 * close, garbage, oversize. Also the memory an idle link keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ids.h"
#include "session/link.h"

#define HMI "SIMATIC-ROOT-HMI"
#define BIG 20000u   /* a PDU of about 21 frames */

typedef struct {
    s7p_link cli, srv;
    s7p_tls_ctx *cctx, *sctx;
    s7p_arena a;
    uint8_t text[BIG];
} pair;

/* Moves what `from` queued to `to`, `chunk` bytes per feed (0: all at once). */
static void pump(s7p_link *from, s7p_link *to, size_t chunk)
{
    const uint8_t *p;
    size_t n;
    for (s7p_link_output(from, &p, &n); n; s7p_link_output(from, &p, &n)) {
        size_t k = chunk && chunk < n ? chunk : n;
        assert_int_equal(s7p_link_feed(to, p, k), S7P_OK);
        s7p_link_consumed(from, k);
    }
}

static size_t pending(const s7p_link *l)
{
    const uint8_t *p;
    size_t n;
    s7p_link_output(l, &p, &n);
    return n;
}

static void connect_cotp(pair *t, size_t chunk)
{
    s7p_iso_client_params prm = {0, HMI, 0};
    assert_int_equal(s7p_link_connect_start(&t->cli, &prm), S7P_OK);
    bool done = false;
    const uint8_t *p;
    size_t n;
    s7p_link_output(&t->cli, &p, &n);
    /* The server sees the CR only once all of it came. */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s7p_link_feed(&t->srv, p + i, 1), S7P_OK);
        assert_int_equal(s7p_link_accept_step(&t->srv, NULL, NULL, &done), S7P_OK);
        assert_int_equal(done, i + 1 == n);
    }
    s7p_link_consumed(&t->cli, n);
    done = false;
    pump(&t->srv, &t->cli, chunk);
    assert_int_equal(s7p_link_connect_step(&t->cli, &done), S7P_OK);
    assert_true(done);
    assert_int_equal(t->cli.iso.tpdu_size, 1024);
}

/* Both handshakes, pumping both ways until both are done; no socket anywhere. */
static void start_tls(pair *t, size_t chunk)
{
    assert_int_equal(s7p_link_tls_start(&t->srv, t->sctx), S7P_OK);
    assert_int_equal(pending(&t->srv), 0);       /* a server waits for the ClientHello */
    assert_int_equal(s7p_link_tls_start(&t->cli, t->cctx), S7P_OK);
    assert_true(pending(&t->cli) > 0);           /* the ClientHello */
    bool cdone = false, sdone = false;
    for (int round = 0; round < 10 && !(cdone && sdone); round++) {
        pump(&t->cli, &t->srv, chunk);
        if (!sdone) assert_int_equal(s7p_link_tls_step(&t->srv, &sdone), S7P_OK);
        pump(&t->srv, &t->cli, chunk);
        if (!cdone) assert_int_equal(s7p_link_tls_step(&t->cli, &cdone), S7P_OK);
    }
    assert_true(cdone && sdone);
    pump(&t->cli, &t->srv, chunk);
    assert_non_null(strstr(s7p_tls_cipher(t->cli.tls), "GCM"));
}

static int setup(void **state)
{
    pair *t = calloc(1, sizeof *t);
    if (!t) return -1;
    if (s7p_link_init(&t->cli, -1) != S7P_OK || s7p_link_init(&t->srv, -1) != S7P_OK) return -1;
    s7p_tls_config scfg = {.server = true, .common_name = "link-test"};
    s7p_tls_config ccfg = {.verify = S7P_TLS_VERIFY_NONE};
    t->sctx = s7p_tls_ctx_new(&scfg, NULL, 0);
    t->cctx = s7p_tls_ctx_new(&ccfg, NULL, 0);
    s7p_arena_init(&t->a, 1u << 20);
    for (size_t i = 0; i < BIG; i++) t->text[i] = (uint8_t)('a' + i % 26);
    *state = t;
    return t->sctx && t->cctx ? 0 : -1;
}

static int teardown(void **state)
{
    pair *t = *state;
    s7p_link_free(&t->cli);
    s7p_link_free(&t->srv);
    s7p_tls_ctx_free(t->sctx);
    s7p_tls_ctx_free(t->cctx);
    s7p_arena_release(&t->a);
    free(t);
    return 0;
}

/* A SetVariable request whose WString value has n bytes: its size picks the fragment count. */
static void request(pair *t, s7p_pdu *p, uint16_t seq, size_t n)
{
    s7p_pdu_init_request(p, S7P_PROTO_V2, S7P_FC_SET_VARIABLE, seq, 0x70000001u, S7P_TF_REQUEST);
    static uint32_t addr[1] = {1234};
    p->req.set_variable.object_id = 0x70000001u;
    p->req.set_variable.address_count = 1;
    p->req.set_variable.addresses = addr;
    p->req.set_variable.value.type = S7P_DT_WSTRING;
    p->req.set_variable.value.v.s = (s7p_bytes){t->text, n};
}

static void put(pair *t, s7p_link *l, uint16_t seq, size_t n)
{
    s7p_pdu p;
    request(t, &p, seq, n);
    assert_int_equal(s7p_link_put_pdu(l, &p), S7P_OK);
}

/* Pops one message, which must be the request put with (seq, n). */
static void expect(pair *t, s7p_link *l, uint16_t seq, size_t n)
{
    s7p_msg m;
    bool got;
    assert_int_equal(s7p_link_pop(l, &t->a, &m, &got), S7P_OK);
    assert_true(got);
    assert_int_equal(m.kind, S7P_MSG_PDU);
    assert_int_equal(m.pdu.function, S7P_FC_SET_VARIABLE);
    assert_int_equal(m.pdu.seq, seq);
    const s7p_value *v = &m.pdu.req.set_variable.value;
    assert_int_equal(v->type, S7P_DT_WSTRING);
    assert_int_equal(v->v.s.n, n);
    assert_memory_equal(v->v.s.p, t->text, n);
}

static void expect_none(pair *t, s7p_link *l)
{
    s7p_msg m;
    bool got = true;
    assert_int_equal(s7p_link_pop(l, &t->a, &m, &got), S7P_OK);
    assert_false(got);
}

/* Feeds what `from` queued one byte at a time; no message may appear before its last byte. */
static void trickle_one(pair *t, s7p_link *from, s7p_link *to, uint16_t seq, size_t n)
{
    const uint8_t *p;
    size_t len;
    s7p_link_output(from, &p, &len);
    assert_true(len > 0);
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(s7p_link_feed(to, p + i, 1), S7P_OK);
        if (i + 1 < len) expect_none(t, to);
    }
    s7p_link_consumed(from, len);
    expect(t, to, seq, n);
    expect_none(t, to);
}

static void test_clear_byte_at_a_time(void **state)
{
    pair *t = *state;
    connect_cotp(t, 1);
    put(t, &t->cli, 1, 10);
    trickle_one(t, &t->cli, &t->srv, 1, 10);
    put(t, &t->srv, 2, BIG);  /* fragmented, the other way */
    trickle_one(t, &t->srv, &t->cli, 2, BIG);
}

static void test_tls_byte_at_a_time(void **state)
{
    pair *t = *state;
    connect_cotp(t, 0);
    start_tls(t, 1);
    put(t, &t->cli, 1, 10);
    trickle_one(t, &t->cli, &t->srv, 1, 10);
    put(t, &t->srv, 2, BIG);
    trickle_one(t, &t->srv, &t->cli, 2, BIG);
}

/* Many PDUs, of every fragment count from 1 to 4, arrive in one feed and come out in order. */
static void many_in_one_feed(pair *t, bool tls)
{
    connect_cotp(t, 0);
    if (tls) start_tls(t, 0);
    for (uint16_t i = 0; i < 40; i++) put(t, &t->cli, i, (size_t)i * 97u);
    const uint8_t *p;
    size_t n;
    s7p_link_output(&t->cli, &p, &n);
    assert_int_equal(s7p_link_feed(&t->srv, p, n), S7P_OK);
    s7p_link_consumed(&t->cli, n);
    for (uint16_t i = 0; i < 40; i++) {
        expect(t, &t->srv, i, (size_t)i * 97u);
        s7p_arena_release(&t->a);
    }
    expect_none(t, &t->srv);
}

static void test_clear_many_in_one_feed(void **state) { many_in_one_feed(*state, false); }

/* pop_raw: a fragmented PDU comes out reassembled but undecoded, its data part exactly as
 * the sender encoded it (the replay server answers from such bytes). A data part that is
 * no valid PDU passes too: nothing decodes it. */
static void test_pop_raw(void **state)
{
    pair *t = *state;
    connect_cotp(t, 0);
    start_tls(t, 0);
    t->srv.pop_raw = true;
    put(t, &t->cli, 7, BIG);
    uint8_t *sent = malloc(t->cli.tx_len);
    assert_non_null(sent);
    s7p_pdu p;
    request(t, &p, 7, BIG);
    s7p_wr w = s7p_wr_init(sent, t->cli.tx_len);
    assert_true(s7p_pdu_encode(&w, &p));
    assert_int_equal(w.len, t->cli.tx_len);
    static const uint8_t junk[] = {0x72, 0x02, 0x00, 0x03, 0xEE, 0xEE, 0xEE, 0x72, 0x02, 0x00, 0x00};
    assert_int_equal(s7p_link_put_raw(&t->cli, junk, sizeof junk), S7P_OK);
    pump(&t->cli, &t->srv, 0);
    s7p_msg m;
    bool got;
    assert_int_equal(s7p_link_pop(&t->srv, &t->a, &m, &got), S7P_OK);
    assert_true(got);
    assert_int_equal(m.kind, S7P_MSG_PDU);
    assert_int_equal(m.pdu.version, S7P_PROTO_V2);
    assert_int_equal(m.pdu.function, 0);  /* not decoded */
    assert_int_equal(m.raw_len, w.len);
    assert_memory_equal(m.raw, sent, w.len);
    assert_int_equal(s7p_link_pop(&t->srv, &t->a, &m, &got), S7P_OK);
    assert_true(got);
    assert_int_equal(m.raw_len, 3);
    assert_memory_equal(m.raw, junk + 4, 3);
    free(sent);
}

/* ---- legacy security: signed V3 frames ---- */

static const uint8_t KEY[24] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};

static void put_v3(pair *t, s7p_link *l, uint16_t seq, size_t n, s7p_status want)
{
    s7p_pdu p;
    request(t, &p, seq, n);
    p.version = S7P_PROTO_V3;
    p.has_v3_digest = true;
    assert_int_equal(s7p_link_put_pdu(l, &p), want);
}

/* A fragmented answer: its value is n bytes of text. */
static void put_v3_answer(pair *t, s7p_link *l, uint16_t seq, size_t n)
{
    s7p_pdu req, p;
    s7p_pdu_init_request(&req, S7P_PROTO_V3, S7P_FC_GET_VAR_SUB_STREAMED, seq, 0x70000001u,
                         S7P_TF_REQUEST);
    s7p_pdu_init_response(&p, &req, 0);
    p.has_v3_digest = true;
    p.resp.get_var_sub_streamed.value.type = S7P_DT_WSTRING;
    p.resp.get_var_sub_streamed.value.v.s = (s7p_bytes){t->text, n};
    assert_int_equal(s7p_link_put_pdu(l, &p), S7P_OK);
}

static s7p_status pop_signed(pair *t, s7p_link *l, s7p_msg *m)
{
    bool got;
    return s7p_link_pop(l, &t->a, m, &got);
}

static void test_signed_frames(void **state)
{
    pair *t = *state;
    connect_cotp(t, 0);
    s7p_link_set_digest_key(&t->cli, KEY);
    s7p_link_set_digest_key(&t->srv, KEY);
    /* A V2 PDU cannot go out in a signed session; a request over one frame neither. */
    s7p_pdu v2;
    request(t, &v2, 1, 10);
    assert_int_equal(s7p_link_put_pdu(&t->cli, &v2), S7P_E_INVALID_ARG);
    assert_int_equal(pending(&t->cli), 0);
    assert_int_equal(t->cli.err, S7P_OK);
    put_v3(t, &t->cli, 1, 2000, S7P_E_LIMIT);
    put_v3(t, &t->cli, 1, 10, S7P_OK);
    pump(&t->cli, &t->srv, 0);
    expect(t, &t->srv, 1, 10);
    /* An answer of many fragments, each continuation chained to the one before. */
    put_v3_answer(t, &t->srv, 1, BIG);
    pump(&t->srv, &t->cli, 7);
    s7p_msg m;
    assert_int_equal(pop_signed(t, &t->cli, &m), S7P_OK);
    assert_int_equal(m.pdu.resp.get_var_sub_streamed.value.v.s.n, BIG);
    assert_true(t->cli.digest_frames > 20);
    /* A server sends its continuations in the state-resume form unless told otherwise. */
    assert_int_equal(t->cli.digest_cont[S7P_DIGEST_RESUME], t->cli.digest_frames - 1);
    assert_int_equal(t->cli.digest_cont[S7P_DIGEST_CHAINED], 0);
    assert_int_equal(t->cli.digest_cont[S7P_DIGEST_INDEPENDENT], 0);
}

/* ---- continuation digests: the three forms (spec §2.7 (b), (c), (d)) ---- */

/* The client link of the pair replaced by a fresh one holding KEY (the one before may be
 * broken); frames are then handed over without the COTP connect. */
static void fresh_client(pair *t)
{
    s7p_link_free(&t->cli);
    assert_int_equal(s7p_link_init(&t->cli, -1), S7P_OK);
    s7p_link_set_digest_key(&t->cli, KEY);
}

/* The encoded data part of the answer put_v3_answer sends (digest field zero). */
static size_t answer_data(pair *t, size_t n, uint8_t *out, size_t cap)
{
    s7p_pdu req, p;
    s7p_pdu_init_request(&req, S7P_PROTO_V3, S7P_FC_GET_VAR_SUB_STREAMED, 9, 0x70000001u,
                         S7P_TF_REQUEST);
    s7p_pdu_init_response(&p, &req, 0);
    p.has_v3_digest = true;
    p.resp.get_var_sub_streamed.value.type = S7P_DT_WSTRING;
    p.resp.get_var_sub_streamed.value.v.s = (s7p_bytes){t->text, n};
    s7p_wr w = s7p_wr_init(out, cap);
    assert_true(s7p_pdu_encode(&w, &p));
    return w.len;
}

/* That answer, framed and signed here from the primitives (not by the link's sender): body
 * fragments of `chunk` bytes, continuation i (from 1) in forms[i - 1]. */
static void put_forms(pair *t, size_t n, size_t chunk, const s7p_digest_form *forms)
{
    static uint8_t enc[BIG + 256];
    uint8_t part[S7P_FRAME_DATA_MAX], frame[S7P_FRAME_DATA_MAX + 16], prev[32], d[32];
    size_t len = answer_data(t, n, enc, sizeof enc) - 33;
    s7p_legacy_resume rs;
    for (size_t off = 0, i = 0, k; off < len; off += k, i++) {
        k = len - off < chunk ? len - off : chunk;
        memcpy(part + 33, enc + 33 + off, k);
        s7p_digest_form f = i ? forms[i - 1] : S7P_DIGEST_FORMS;
        if (f == S7P_DIGEST_FORMS) {
            assert_int_equal(s7p_legacy_resume_start(&rs, KEY, part + 33, k, d), S7P_OK);
        } else if (f == S7P_DIGEST_RESUME) {
            s7p_legacy_resume_next(&rs, part + 33, k, d);
        } else {
            bool chained = f == S7P_DIGEST_CHAINED;
            memcpy(part + 1, prev, 32);
            assert_int_equal(s7p_legacy_digest(KEY, chained ? part + 1 : part + 33,
                                               chained ? 32 + k : k, d),
                             S7P_OK);
        }
        part[0] = 32;
        memcpy(part + 1, d, 32);
        memcpy(prev, d, 32);
        s7p_wr fw = s7p_wr_init(frame, sizeof frame);
        assert_true(s7p_frame_write(&fw, S7P_PROTO_V3, part, 33 + k, off + k == len));
        assert_int_equal(s7p_link_put_raw(&t->srv, frame, fw.len), S7P_OK);
    }
}

static void expect_answer(pair *t, size_t n)
{
    s7p_msg m;
    assert_int_equal(pop_signed(t, &t->cli, &m), S7P_OK);
    assert_int_equal(m.pdu.seq, 9);
    assert_int_equal(m.pdu.resp.get_var_sub_streamed.value.v.s.n, n);
    assert_memory_equal(m.pdu.resp.get_var_sub_streamed.value.v.s.p, t->text, n);
}

/* Each form is accepted, from the link's sender (954-byte fragments) and from put_forms
 * (fragments of other sizes: block edges, an empty one); the counters say which form the
 * receiver recognised. */
static void test_continuation_forms(void **state)
{
    pair *t = *state;
    s7p_link_set_digest_key(&t->srv, KEY);
    for (unsigned f = 0; f < S7P_DIGEST_FORMS; f++) {
        fresh_client(t);
        t->srv.digest_send = (s7p_digest_form)f;
        put_v3_answer(t, &t->srv, 9, BIG);
        pump(&t->srv, &t->cli, 0);
        expect_answer(t, BIG);
        for (unsigned g = 0; g < S7P_DIGEST_FORMS; g++)
            assert_int_equal(t->cli.digest_cont[g], g == f ? t->cli.digest_frames - 1 : 0);
        assert_true(t->cli.digest_frames > 20);
    }
    static const size_t chunks[] = {55, 56, 63, 64, 65, 500, 954};
    s7p_digest_form forms[400];
    for (unsigned f = 0; f < S7P_DIGEST_FORMS; f++) {
        for (size_t i = 0; i < 400; i++) forms[i] = (s7p_digest_form)f;
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            fresh_client(t);
            put_forms(t, 2000, chunks[c], forms);
            pump(&t->srv, &t->cli, 0);
            expect_answer(t, 2000);
            assert_int_equal(t->cli.digest_cont[f], t->cli.digest_frames - 1);
        }
    }
}

/* The second fragment fixes the form: a later continuation in another form, although a
 * valid HMAC of its own kind, is refused. */
static void test_continuation_form_fixed(void **state)
{
    pair *t = *state;
    s7p_digest_form forms[8];
    for (unsigned a = 0; a < S7P_DIGEST_FORMS; a++)
        for (unsigned b = 0; b < S7P_DIGEST_FORMS; b++) {
            if (a == b) continue;
            fresh_client(t);
            for (size_t i = 0; i < 8; i++) forms[i] = (s7p_digest_form)a;
            forms[2] = (s7p_digest_form)b;  /* the fourth frame */
            put_forms(t, 2000, 500, forms);
            pump(&t->srv, &t->cli, 0);
            s7p_msg m;
            assert_int_equal(pop_signed(t, &t->cli, &m), S7P_E_INTEGRITY);
            assert_int_equal(t->cli.digest_frames, 3);
        }
}

/* One flipped bit in the data of continuation frame `idx` (from 0) of an answer sent in
 * `form`: S7P_E_INTEGRITY at that frame, the ones before verified. */
static void flip_in_frame(pair *t, s7p_digest_form form, size_t idx)
{
    fresh_client(t);
    t->srv.digest_send = form;
    put_v3_answer(t, &t->srv, 9, BIG);
    const uint8_t *p;
    size_t n;
    s7p_link_output(&t->srv, &p, &n);
    static uint8_t copy[BIG + 4096];
    assert_true(n <= sizeof copy);
    memcpy(copy, p, n);
    s7p_link_consumed(&t->srv, n);
    /* In clear every frame is a TPKT of its own: TPKT 4, COTP DT 3, frame header 4, digest
     * field 33, then the data. */
    size_t off = 0;
    for (size_t i = 0; i < idx; i++) off += (size_t)copy[off + 2] << 8 | copy[off + 3];
    assert_true(off + 4 + 3 + 4 + 33 + 5 < n);
    copy[off + 4 + 3 + 4 + 33 + 5] ^= 0x04;
    assert_int_equal(s7p_link_feed(&t->cli, copy, n), S7P_OK);
    s7p_msg m;
    assert_int_equal(pop_signed(t, &t->cli, &m), S7P_E_INTEGRITY);
    assert_non_null(strstr(t->cli.err_msg, "does not verify"));
    assert_int_equal(t->cli.digest_frames, idx);
}

static void test_continuation_flipped_bit(void **state)
{
    pair *t = *state;
    s7p_link_set_digest_key(&t->srv, KEY);
    for (unsigned f = 0; f < S7P_DIGEST_FORMS; f++) {
        flip_in_frame(t, (s7p_digest_form)f, 1);   /* the form is not known yet */
        flip_in_frame(t, (s7p_digest_form)f, 2);   /* the form is fixed */
        flip_in_frame(t, (s7p_digest_form)f, 20);  /* the last frame (BIG: 21 frames) */
    }
}

/* One flipped bit anywhere in the frame's data breaks the link with S7P_E_INTEGRITY. */
static void test_signed_frame_tampered(void **state)
{
    pair *t = *state;
    connect_cotp(t, 0);
    s7p_link_set_digest_key(&t->cli, KEY);
    s7p_link_set_digest_key(&t->srv, KEY);
    put_v3(t, &t->cli, 1, 10, S7P_OK);
    const uint8_t *p;
    size_t n;
    s7p_link_output(&t->cli, &p, &n);
    uint8_t copy[256];
    assert_true(n <= sizeof copy);
    memcpy(copy, p, n);
    copy[n - 6] ^= 0x10;  /* in the fill bytes at the end of the data part */
    s7p_link_consumed(&t->cli, n);
    assert_int_equal(s7p_link_feed(&t->srv, copy, n), S7P_OK);
    s7p_msg m;
    assert_int_equal(pop_signed(t, &t->srv, &m), S7P_E_INTEGRITY);
    assert_non_null(strstr(t->srv.err_msg, "does not verify"));
    /* sticky */
    assert_int_equal(pop_signed(t, &t->srv, &m), S7P_E_INTEGRITY);
}

/* An unsigned (V2) frame, or one signed with another key, is not accepted either. */
static void test_signed_frame_unsigned_or_other_key(void **state)
{
    pair *t = *state;
    connect_cotp(t, 0);
    s7p_link_set_digest_key(&t->srv, KEY);
    put(t, &t->cli, 1, 10);
    pump(&t->cli, &t->srv, 0);
    s7p_msg m;
    assert_int_equal(pop_signed(t, &t->srv, &m), S7P_E_INTEGRITY);
    assert_non_null(strstr(t->srv.err_msg, "unsigned V2"));
    s7p_link_free(&t->srv);
    assert_int_equal(s7p_link_init(&t->srv, -1), S7P_OK);
    uint8_t other[24];
    memcpy(other, KEY, sizeof other);
    other[23] ^= 1;
    s7p_link_set_digest_key(&t->cli, other);
    s7p_link_set_digest_key(&t->srv, KEY);
    put_v3(t, &t->cli, 2, 10, S7P_OK);
    /* no COTP state on the fresh server link: hand over the frame's TPDU directly */
    const uint8_t *p;
    size_t n;
    s7p_link_output(&t->cli, &p, &n);
    assert_int_equal(s7p_link_feed(&t->srv, p, n), S7P_OK);
    s7p_link_consumed(&t->cli, n);
    assert_int_equal(pop_signed(t, &t->srv, &m), S7P_E_INTEGRITY);
}
static void test_tls_many_in_one_feed(void **state) { many_in_one_feed(*state, true); }

/* The TLS stream is cut into DTs of 960 bytes; a fragmented PDU in clear is one DT per
 * frame of at most 987 data bytes. */
static void test_wire_cuts(void **state)
{
    pair *t = *state;
    connect_cotp(t, 0);
    put(t, &t->cli, 1, BIG);
    const uint8_t *p;
    size_t n, dts = 0, max = 0;
    s7p_link_output(&t->cli, &p, &n);
    for (size_t off = 0; off < n; dts++) {
        size_t len = (size_t)p[off + 2] << 8 | p[off + 3];
        if (len - 7 > max) max = len - 7;
        off += len;
    }
    assert_int_equal(max, S7P_FRAME_HEADER_LEN + S7P_FRAME_DATA_MAX);
    assert_int_equal(dts, (BIG + 64) / S7P_FRAME_DATA_MAX + 1);
    s7p_link_consumed(&t->cli, n);
    start_tls(t, 0);
    put(t, &t->cli, 2, BIG);
    s7p_link_output(&t->cli, &p, &n);
    max = 0;
    for (size_t off = 0; off < n;) {
        size_t len = (size_t)p[off + 2] << 8 | p[off + 3];
        if (len - 7 > max) max = len - 7;
        off += len;
    }
    assert_int_equal(max, S7P_TLS_DT_CHUNK);
    pump(&t->cli, &t->srv, 0);
    expect(t, &t->srv, 2, BIG);
}

static void feed_raw(s7p_link *l, const void *p, size_t n)
{
    assert_int_equal(s7p_link_feed(l, p, n), S7P_OK);
}

/* One DT with EOT around n payload bytes. */
static size_t dt(uint8_t *buf, size_t cap, const void *payload, size_t n)
{
    s7p_wr w = s7p_wr_init(buf, cap);
    assert_true(s7p_cotp_write_dt(&w, payload, n, true));
    return w.len;
}

static s7p_status pop_status(pair *t, s7p_link *l)
{
    s7p_msg m;
    bool got;
    return s7p_link_pop(l, &t->a, &m, &got);
}

static void test_dr_and_close(void **state)
{
    pair *t = *state;
    connect_cotp(t, 0);
    put(t, &t->srv, 7, 5);
    pump(&t->srv, &t->cli, 0);
    static const uint8_t dr[] = {0x03, 0x00, 0x00, 0x0B, 0x06, 0x80, 0x00, 0x01, 0x00, 0x02,
                                 0x00};
    feed_raw(&t->cli, dr, sizeof dr);
    expect(t, &t->cli, 7, 5);  /* what came before the DR is delivered */
    assert_int_equal(pop_status(t, &t->cli), S7P_E_CLOSED);
    assert_int_equal(pop_status(t, &t->cli), S7P_E_CLOSED);  /* sticky */
    assert_non_null(strstr(t->cli.err_msg, "receive"));
    s7p_pdu p;
    request(t, &p, 8, 1);
    assert_int_equal(s7p_link_put_pdu(&t->cli, &p), S7P_E_CLOSED);

    /* A TCP close reported by the driver, in the middle of the TLS handshake of a PLC that
     * never answered it: told apart as a hint to legacy mode. */
    assert_int_equal(s7p_link_tls_start(&t->srv, t->sctx), S7P_OK);
    assert_int_equal(s7p_link_transport_failed(&t->srv, S7P_E_CLOSED, false), S7P_E_CLOSED);
    assert_non_null(strstr(t->srv.err_msg, "did not answer the TLS handshake"));
}

static void test_garbage(void **state)
{
    pair *t = *state;
    /* Not a TPKT at all. */
    feed_raw(&t->cli, "GET / HTTP/1.1\r\n", 16);
    assert_int_equal(pop_status(t, &t->cli), S7P_E_PROTOCOL);
    /* A DT whose payload is no frame. */
    uint8_t buf[64];
    size_t n = dt(buf, sizeof buf, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    feed_raw(&t->srv, buf, n);
    assert_int_equal(pop_status(t, &t->srv), S7P_E_PROTOCOL);
    assert_non_null(strstr(t->srv.err_msg, "frame"));
}

/* Garbage where the TLS handshake answer should be: the legacy-mode hint. */
static void test_tls_answered_in_clear(void **state)
{
    pair *t = *state;
    connect_cotp(t, 0);
    assert_int_equal(s7p_link_tls_start(&t->cli, t->cctx), S7P_OK);
    uint8_t buf[64];
    size_t n = dt(buf, sizeof buf, "\x72\x02\x00\x05\x31\x00\x00\x04\xF2\x72\x02\x00\x00", 13);
    feed_raw(&t->cli, buf, n);
    bool done;
    assert_int_equal(s7p_link_tls_step(&t->cli, &done), S7P_E_CONFIG);
    assert_non_null(strstr(t->cli.err_msg, "non-TLS bytes (0x72...)"));
}

static void test_oversize(void **state)
{
    pair *t = *state;
    /* A PDU above the reassembly limit. */
    connect_cotp(t, 0);
    t->srv.pdu_max = 8192;
    put(t, &t->cli, 1, 8000);
    pump(&t->cli, &t->srv, 0);
    expect(t, &t->srv, 1, 8000);
    put(t, &t->cli, 2, 9000);
    pump(&t->cli, &t->srv, 0);
    assert_int_equal(pop_status(t, &t->srv), S7P_E_LIMIT);

    /* A frame header announcing 65535 data bytes can never complete. */
    uint8_t buf[64];
    size_t n = dt(buf, sizeof buf, "\x72\x02\xFF\xFF\x31", 5);
    feed_raw(&t->cli, buf, n);
    assert_int_equal(pop_status(t, &t->cli), S7P_E_PROTOCOL);
    assert_non_null(strstr(t->cli.err_msg, "frame longer than any peer sends"));

    /* A TSDU of DTs without EOT beyond 64 KiB. */
    s7p_link l;
    assert_int_equal(s7p_link_init(&l, -1), S7P_OK);
    static uint8_t block[1000], tpkt[1007];
    s7p_status st = S7P_OK;
    for (int i = 0; i < 70 && st == S7P_OK; i++) {
        s7p_wr w = s7p_wr_init(tpkt, sizeof tpkt);
        assert_true(s7p_cotp_write_dt(&w, block, sizeof block, false));
        assert_int_equal(s7p_link_feed(&l, tpkt, w.len), S7P_OK);
        st = pop_status(t, &l);
    }
    assert_int_equal(st, S7P_E_LIMIT);
    s7p_link_free(&l);
}

/* An idle link gives back what a large PDU made it grow to. */
static void test_idle_memory(void **state)
{
    pair *t = *state;
    connect_cotp(t, 0);
    start_tls(t, 0);
    put(t, &t->cli, 1, 100);
    pump(&t->cli, &t->srv, 0);
    expect(t, &t->srv, 1, 100);
    expect_none(t, &t->srv);
    size_t idle = s7p_link_heap(&t->srv);
    for (int i = 0; i < 4; i++) put(t, &t->cli, (uint16_t)(2 + i), BIG);
    pump(&t->cli, &t->srv, 0);  /* 80 KB unparsed at once */
    size_t peak = s7p_link_heap(&t->srv);
    for (int i = 0; i < 4; i++) expect(t, &t->srv, (uint16_t)(2 + i), BIG);
    expect_none(t, &t->srv);
    size_t after = s7p_link_heap(&t->srv);
    printf("link buffers: idle %zu B, with 80 KB pending %zu B, idle again %zu B\n", idle, peak,
           after);
    assert_true(peak > 4 * BIG);
    assert_true(after <= idle);
    assert_true(after + sizeof(s7p_link) <= 32u * 1024u);
    assert_true(s7p_link_heap(&t->cli) + sizeof(s7p_link) <= 32u * 1024u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clear_byte_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_byte_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clear_many_in_one_feed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pop_raw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_many_in_one_feed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wire_cuts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dr_and_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_answered_in_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signed_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signed_frame_tampered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signed_frame_unsigned_or_other_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continuation_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continuation_form_fixed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continuation_flipped_bit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

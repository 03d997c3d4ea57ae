/* Fuzz target: the receive path of a channel (src/session/channel.c, s7p_channel_recv)
 * without a socket. The input is the plaintext byte stream the channel gets from the ISO
 * layer (COTP TSDUs) or from TLS: frames are parsed out of a receive buffer (S7P_E_TOO_SMALL:
 * read more; a fragment without trailer at the very end of the buffer: read more, its
 * trailer may follow), keep-alives (version 0xFF) and system events (0xFE) become messages
 * of their own, everything else is reassembled with s7p_reasm into a buffer that doubles
 * up to a cap, and a completed PDU goes to s7p_pdu_decode. As in the channel, the first
 * error ends the stream (the channel's error is sticky); so does the end of the input
 * (the peer closed).
 *
 * channel.c's receive loop cannot run without a socket (fill_rx reads from s7p_iso_recv or
 * TLS, on_frame/grow_reasm are static), so the same loop is reimplemented here around the
 * same proto functions: keep it in step with channel.c. Differences, on purpose: the
 * reassembly buffer starts at PDU_INITIAL and stops at PDU_MAX, far below channel.c's
 * 64 KiB and S7P_PDU_MAX (16 MiB), so that growing and the size limit are reached with
 * fuzz-sized inputs (libFuzzer's -max_len is about the largest seed, ~5 KiB); the receive
 * buffer has channel.c's 64 KiB.
 *
 * Byte 0 of the input says how the rest arrives, i.e. how big each receive (a TSDU) is:
 *   0x00         all of it at once (one receive)
 *   0x01..0x7F   receives of that many bytes (the last one shorter)
 *   0x80..0xFF   receives of 1..1024 bytes, sizes from a PRNG seeded with the byte
 * The seeds use 0x00 (real peers send one frame per TSDU). Other modes may split a frame's
 * trailer across two receives; channel.c then takes the frame for a fragment without
 * trailer, and the trailer's first bytes for the start of the next frame (see chan_recv).
 *
 * Invariants: a parsed frame lies inside the receive buffer; the receive buffer never
 * overflows; s7p_reasm_feed agrees with a model of reassembly (same status, completion,
 * version and bytes; V3 continuation fragments lose their own digest field); the
 * reassembly buffer stays within its capacity and the cap; a decoded PDU has the version of
 * its frames and decodes once more from a copy of its bytes to the same opcode, function
 * and sequence number (what s7p_session_call_kept relies on); and how the stream is cut
 * into receives does not matter: a run in pieces (byte 0 not 0) delivers the same messages
 * (kind, version, bytes) and ends with the same error as a run that gets the whole stream at
 * once, unless a receive ended inside a trailer (the case above) or the stream is larger
 * than the receive buffer. */
#include "fuzz_common.h"

#include "proto/frame.h"
#include "proto/pdu.h"
#include "util/alloc.h"

#define TARGET "fuzz_stream"
#define RX_CAP ((size_t)64 << 10)    /* channel.c RX_CAP */
#define PDU_INITIAL ((size_t)256)    /* channel.c: 64 KiB */
#define PDU_MAX ((size_t)4 << 10)    /* channel.c: S7P_PDU_MAX; the captures' PDUs are < 2.5 KiB */
#define RANDOM_RECV_MAX 1024u

typedef enum { MSG_PDU, MSG_SYSTEM_EVENT, MSG_KEEPALIVE } msg_kind;

typedef struct {
    msg_kind kind;
    s7p_pdu pdu;
    s7p_sysevent event;
    const uint8_t *raw;
    size_t raw_len;
} msg;

/* A model of s7p_reasm: the data parts of one PDU's fragments, as the contract describes. */
typedef struct {
    uint8_t *buf;
    size_t len, cap;
    uint8_t version;
    bool active;
} model;

/* What a run delivered, to compare runs that receive the same stream in other pieces. */
#define TRACE_MAX 512
typedef struct {
    uint8_t kind, version;
    size_t len;              /* PDU: of its data part; event: its kind */
    uint64_t hash;           /* PDU: of its data part; event: its confirmed bytes */
} trace_entry;

typedef struct {
    trace_entry e[TRACE_MAX];
    size_t n;
    bool truncated;
    s7p_status end;          /* the error that ended the stream */
} trace;

typedef struct {
    const uint8_t *in;       /* the whole fuzz input, for reports */
    size_t in_len;
    const uint8_t *src;      /* the stream still to arrive */
    size_t src_len;
    uint8_t mode;
    uint32_t rng;
    uint8_t *rx;
    size_t rx_len, rx_cap;
    uint8_t *pdu_buf;
    s7p_reasm reasm;
    model m;
    s7p_status err;
} chan;

static void fail_inv(const chan *ch, const char *what)
{
    fuzz_invariant_failed(TARGET, what, ch->in, ch->in_len);
}

/* ---- the source: the rest of the input, cut into receives as byte 0 says ---- */

static size_t next_recv_size(chan *ch)
{
    if (ch->mode == 0) return ch->src_len;
    if (ch->mode < 0x80) return ch->mode;
    ch->rng ^= ch->rng << 13;  /* xorshift32 */
    ch->rng ^= ch->rng >> 17;
    ch->rng ^= ch->rng << 5;
    return 1 + ch->rng % RANDOM_RECV_MAX;
}

/* channel.c fill_rx (clear text): one TSDU appended to rx. */
static s7p_status fill_rx(chan *ch)
{
    if (ch->rx_len == ch->rx_cap) return S7P_E_PROTOCOL;
    if (ch->src_len == 0) return S7P_E_CLOSED;  /* the peer closed */
    size_t n = next_recv_size(ch);
    if (n > ch->src_len) n = ch->src_len;
    const uint8_t *b = ch->src;
    ch->src += n;
    ch->src_len -= n;
    if (n > ch->rx_cap - ch->rx_len) return S7P_E_PROTOCOL;
    memcpy(ch->rx + ch->rx_len, b, n);
    ch->rx_len += n;
    return S7P_OK;
}

static void consume_rx(chan *ch, size_t n)
{
    if (n > ch->rx_len) fail_inv(ch, "consumed more than the receive buffer holds");
    memmove(ch->rx, ch->rx + n, ch->rx_len - n);
    ch->rx_len -= n;
}

/* ---- the reassembly model ---- */

/* Feeds f to the model; returns the status s7p_reasm_feed must give, *done likewise. */
static s7p_status model_feed(chan *ch, const s7p_frame *f, bool *done)
{
    model *m = &ch->m;
    *done = false;
    if (!m->active) {
        m->len = 0;
        m->version = f->version;
        m->active = true;
    } else if (f->version != m->version) {
        m->active = false;
        return S7P_E_PROTOCOL;
    }
    const uint8_t *p = f->data.p;
    size_t n = f->data.n;
    /* s7p_reasm_feed: a V3 fragment after data has arrived is a continuation. */
    if (f->version == S7P_PROTO_V3 && m->len > 0) {
        if (n < 33 || p[0] != 0x20) {
            m->active = false;
            return S7P_E_PROTOCOL;
        }
        p += 33;
        n -= 33;
    }
    if (n > ch->reasm.cap - m->len) {
        m->active = false;
        return S7P_E_LIMIT;
    }
    if (m->len + n > m->cap) {
        uint8_t *nb = realloc(m->buf, m->len + n);
        if (!nb) abort();
        m->buf = nb;
        m->cap = m->len + n;
    }
    if (n) memcpy(m->buf + m->len, p, n);
    m->len += n;
    if (f->has_trailer) {
        m->active = false;
        *done = true;
    }
    return S7P_OK;
}

/* ---- channel.c's receive path ---- */

/* channel.c grow_reasm, with PDU_MAX for S7P_PDU_MAX. */
static s7p_status grow_reasm(chan *ch, size_t more)
{
    size_t used = ch->reasm.active ? ch->reasm.len : 0;
    size_t cap = ch->reasm.cap;
    if (more <= cap - used) return S7P_OK;
    while (cap - used < more && cap < PDU_MAX) cap *= 2;
    if (cap > PDU_MAX) cap = PDU_MAX;
    if (cap - used < more) return S7P_E_LIMIT;
    uint8_t *p = s7p_realloc(ch->pdu_buf, cap);
    if (!p) return S7P_E_NOMEM;
    ch->pdu_buf = ch->reasm.buf = p;
    ch->reasm.cap = cap;
    return S7P_OK;
}

/* channel.c finish_pdu. */
static s7p_status finish_pdu(chan *ch, s7p_arena *a, msg *out)
{
    out->kind = MSG_PDU;
    out->raw = ch->reasm.buf;
    out->raw_len = ch->reasm.len;
    return s7p_pdu_decode(out->raw, out->raw_len, ch->reasm.version, a, &out->pdu);
}

/* channel.c on_frame, plus the model check of the reassembly. */
static s7p_status on_frame(chan *ch, const s7p_frame *f, s7p_arena *a, msg *out, bool *done)
{
    *done = false;
    if (f->version == 0xFF) {
        out->kind = MSG_KEEPALIVE;
        *done = true;
        return S7P_OK;
    }
    if (f->version == 0xFE) {
        uint8_t *copy = s7p_arena_alloc(a, f->data.n);
        if (!copy) return S7P_E_NOMEM;
        memcpy(copy, f->data.p, f->data.n);
        out->kind = MSG_SYSTEM_EVENT;
        *done = true;
        return s7p_sysevent_decode(copy, f->data.n, a, &out->event);
    }
    s7p_status st = grow_reasm(ch, f->data.n);
    if (st == S7P_OK) {
        bool mdone;
        s7p_status mst = model_feed(ch, f, &mdone);
        st = s7p_reasm_feed(&ch->reasm, f, done);
        if (st != mst || *done != mdone || ch->reasm.active != ch->m.active)
            fail_inv(ch, "s7p_reasm_feed disagrees with the model of reassembly");
        if (ch->reasm.len > ch->reasm.cap || ch->reasm.cap > PDU_MAX)
            fail_inv(ch, "reassembly buffer overrun");
        if (st == S7P_OK && (ch->reasm.len != ch->m.len || ch->reasm.version != ch->m.version ||
                             (ch->m.len && memcmp(ch->reasm.buf, ch->m.buf, ch->m.len) != 0)))
            fail_inv(ch, "reassembled bytes differ from the model");
    }
    if (st != S7P_OK || !*done) return st;
    return finish_pdu(ch, a, out);
}

/* channel.c s7p_channel_recv. */
static s7p_status chan_recv(chan *ch, s7p_arena *a, msg *out)
{
    memset(out, 0, sizeof *out);
    if (ch->err) return ch->err;
    for (;;) {
        s7p_frame f;
        size_t used = 0;
        s7p_status st = s7p_frame_parse(ch->rx, ch->rx_len, &f, &used);
        if (st == S7P_E_TOO_SMALL || (st == S7P_OK && ch->rx_len == 0)) {
            st = fill_rx(ch);
            if (st != S7P_OK) return ch->err = st;
            continue;
        }
        if (st != S7P_OK) return ch->err = st;
        if (used == 0 || used > ch->rx_len)
            fail_inv(ch, "a parsed frame does not lie inside the receive buffer");
        if (f.version != S7P_PROTO_KEEPALIVE &&
            (f.data.p != ch->rx + S7P_FRAME_HEADER_LEN || f.data.n > used - S7P_FRAME_HEADER_LEN))
            fail_inv(ch, "frame data outside the frame");
        /* A frame without trailer at the end of rx may still get its trailer, also when the
         * bytes received so far end inside it (as channel.c does). */
        const uint8_t trailer[S7P_FRAME_TRAILER_LEN] = {S7P_FRAME_MARKER, f.version, 0, 0};
        if (!f.has_trailer && f.version <= 3 && ch->rx_len - used < S7P_FRAME_TRAILER_LEN &&
            memcmp(ch->rx + used, trailer, ch->rx_len - used) == 0) {
            st = fill_rx(ch);
            if (st != S7P_OK) return ch->err = st;
            continue;
        }
        bool done;
        st = on_frame(ch, &f, a, out, &done);
        consume_rx(ch, used);
        if (st != S7P_OK) return ch->err = st;
        if (done) return S7P_OK;
    }
}

/* ---- what the session does with a message ---- */

static void check_msg(chan *ch, const msg *m, s7p_pdu *again)
{
    if (m->kind == MSG_SYSTEM_EVENT) {
        int64_t rv;
        (void)s7p_sysevent_return_value(&m->event, &rv);  /* session.c on_event */
        return;
    }
    if (m->kind != MSG_PDU) return;
    if (m->pdu.version != ch->reasm.version) fail_inv(ch, "PDU version differs from its frames");
    /* s7p_session_call_kept decodes a copy of the same bytes again. */
    uint8_t *copy = malloc(m->raw_len ? m->raw_len : 1);
    if (!copy) abort();
    if (m->raw_len) memcpy(copy, m->raw, m->raw_len);
    s7p_arena a;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    s7p_status st = s7p_pdu_decode(copy, m->raw_len, ch->reasm.version, &a, again);
    if (st != S7P_OK || again->opcode != m->pdu.opcode || again->function != m->pdu.function ||
        again->seq != m->pdu.seq)
        fail_inv(ch, "a PDU decodes differently from a copy of its bytes");
    s7p_arena_release(&a);
    free(copy);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void trace_add(trace *t, const msg *m, uint8_t version)
{
    if (t->n == TRACE_MAX) {
        t->truncated = true;
        return;
    }
    trace_entry *e = &t->e[t->n++];
    memset(e, 0, sizeof *e);  /* padding too: entries are compared with memcmp */
    e->kind = (uint8_t)m->kind;
    e->version = m->kind == MSG_PDU ? version : 0;
    e->len = m->raw_len;
    e->hash = m->raw_len ? fnv1a(m->raw, m->raw_len) : 0;
    if (m->kind == MSG_SYSTEM_EVENT) {
        e->len = (size_t)m->event.kind;
        e->hash = m->event.confirmed_bytes;
    }
}

/* Runs the receive loop over data[1..size) cut into receives by `mode`, until it fails. */
/* Static, not malloc'd per input: ASan fills the first 4 KiB of every malloc, which made
 * that a fifth of the run time. ASan still sees overruns of globals (redzones). */
static uint8_t rx_buf[RX_CAP];
static msg g_msg;
static s7p_pdu g_again;
static trace g_trace[2];
static model g_model;

static void run(const uint8_t *data, size_t size, uint8_t mode, trace *t, model *mdl, msg *m,
                s7p_pdu *again)
{
    chan ch;
    memset(&ch, 0, sizeof ch);
    ch.in = data;
    ch.in_len = size;
    ch.mode = mode;
    ch.rng = 0x9E3779B9u ^ mode;
    ch.src = data + 1;
    ch.src_len = size - 1;
    ch.rx = rx_buf;
    ch.m = *mdl;
    ch.m.len = 0;
    ch.m.active = false;
    ch.pdu_buf = malloc(PDU_INITIAL);
    if (!ch.pdu_buf) abort();
    ch.rx_cap = RX_CAP;
    s7p_reasm_init(&ch.reasm, ch.pdu_buf, PDU_INITIAL);

    /* One arena for the whole stream, as in session.c wait_response. */
    s7p_arena a;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    t->n = 0;
    t->truncated = false;
    while (chan_recv(&ch, &a, m) == S7P_OK) {
        check_msg(&ch, m, again);
        trace_add(t, m, ch.reasm.version);
    }
    if (ch.err == S7P_OK) fail_inv(&ch, "the stream ended without an error");
    if (ch.rx_len > ch.rx_cap) fail_inv(&ch, "receive buffer overrun");
    t->end = ch.err;
    s7p_arena_release(&a);
    *mdl = ch.m;  /* keeps the model's buffer for the next run */
    free(ch.pdu_buf);
}

/* Whether the stream arrives in one piece or in many must not matter, unless the stream
 * does not fit the receive buffer in one piece. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    trace *t = g_trace;
    run(data, size, data[0], &t[0], &g_model, &g_msg, &g_again);
    if (data[0] != 0 && size - 1 <= RX_CAP) {
        run(data, size, 0, &t[1], &g_model, &g_msg, &g_again);
        if (!t[0].truncated && !t[1].truncated &&
            (t[0].end != t[1].end || t[0].n != t[1].n ||
             (t[0].n && memcmp(t[0].e, t[1].e, t[0].n * sizeof t[0].e[0]) != 0))) {
            fprintf(stderr, "%s: %zu messages then %s in pieces, %zu then %s at once\n", TARGET,
                    t[0].n, s7p_strerror(t[0].end), t[1].n, s7p_strerror(t[1].end));
            fuzz_invariant_failed(TARGET, "the messages depend on how the stream is received",
                                  data, size);
        }
    }
    return 0;
}

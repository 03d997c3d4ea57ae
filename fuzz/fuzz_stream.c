/* SPDX-License-Identifier: MIT */
/* Fuzz target: the real receive path of a link (src/session/link.c) without a socket. The
 * input is the TCP byte stream a client gets from a PLC in clear: TPKTs carrying COTP DTs
 * (a DR, any other TPDU or bytes that are no TPKT end the stream). It is fed to
 * s7p_link_feed in pieces and messages are popped with s7p_link_pop, exactly as a driver
 * does: COTP TSDU reassembly (DTs without EOT, empty DTs), frames (a trailer may come in a
 * later TSDU), keep-alives (version 0xFF) and system events (0xFE) as messages of their
 * own, fragment reassembly and PDU decoding. The first error ends the stream (a link's
 * error is sticky); so does the end of the input (the peer closed). The reassembly limit is
 * lowered to PDU_MAX so that growing and the limit are reached with fuzz-sized inputs
 * (libFuzzer's -max_len is about the largest seed).
 *
 * Byte 0 of the input says how the rest arrives, i.e. how big each feed (a TCP read) is:
 *   0x00         all of it at once
 *   0x01..0x7F   feeds of that many bytes (the last one shorter)
 *   0x80..0xFF   feeds of 1..1024 bytes, sizes from a PRNG seeded with the byte
 *
 * Invariants: the link's buffers stay within their limits (plaintext at most
 * S7P_LINK_RX_MAX, the reassembly buffer at most pdu_max) and shrink back to IDLE_HEAP_MAX
 * whenever the link waits with nothing half received; a decoded PDU has the version of its
 * frames and decodes once more from a copy of its bytes to the same opcode, function and
 * sequence number (what s7p_session_call_kept relies on); and how the stream is cut into
 * feeds does not matter: a run in pieces (byte 0 not 0) delivers the same messages (kind,
 * version, bytes) and ends with the same error as a run that gets the whole stream at
 * once (COTP reassembly hides TCP's cuts). */
#include "fuzz_common.h"

#include "session/link.h"

#define TARGET "fuzz_stream"
#define PDU_MAX ((size_t)4 << 10)       /* S7P_PDU_MAX in the client; captures' PDUs < 2.5 KiB */
#define RANDOM_FEED_MAX 1024u
#define IDLE_HEAP_MAX ((size_t)32 << 10) /* an idle link's buffers (a few KiB each) */

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
} source;

static void fail_inv(const source *s, const char *what)
{
    fuzz_invariant_failed(TARGET, what, s->in, s->in_len);
}

static size_t next_feed_size(source *s)
{
    if (s->mode == 0) return s->src_len;
    if (s->mode < 0x80) return s->mode;
    s->rng ^= s->rng << 13;  /* xorshift32 */
    s->rng ^= s->rng >> 17;
    s->rng ^= s->rng << 5;
    return 1 + s->rng % RANDOM_FEED_MAX;
}

static void check_limits(const source *s, const s7p_link *l)
{
    if (l->rx_len > l->rx_cap || l->rx_cap > S7P_LINK_RX_MAX)
        fail_inv(s, "plaintext buffer beyond its limit");
    if (l->reasm.len > l->reasm.cap || l->reasm.cap > l->pdu_max)
        fail_inv(s, "reassembly buffer beyond its limit");
}

/* A link waiting with nothing half received holds little memory. */
static void check_idle(const source *s, const s7p_link *l)
{
    bool idle = !l->reasm.active && l->rx_len == 0 && l->iso.rlen == l->iso.rpos &&
                l->iso.tsdu_len == 0;
    if (idle && s7p_link_heap(l) > IDLE_HEAP_MAX)
        fail_inv(s, "an idle link did not give its buffers back");
}

/* ---- what the session does with a message ---- */

static void check_msg(const source *s, const s7p_link *l, const s7p_msg *m, s7p_pdu *again)
{
    if (m->kind == S7P_MSG_SYSTEM_EVENT) {
        int64_t rv;
        (void)s7p_sysevent_return_value(&m->event, &rv);  /* session.c on_event */
        return;
    }
    if (m->kind != S7P_MSG_PDU) return;
    if (m->pdu.version != l->reasm.version) fail_inv(s, "PDU version differs from its frames");
    /* s7p_session_call_kept decodes a copy of the same bytes again. */
    uint8_t *copy = malloc(m->raw_len ? m->raw_len : 1);
    if (!copy) abort();
    if (m->raw_len) memcpy(copy, m->raw, m->raw_len);
    s7p_arena a;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    s7p_status st = s7p_pdu_decode(copy, m->raw_len, l->reasm.version, &a, again);
    if (st != S7P_OK || again->opcode != m->pdu.opcode || again->function != m->pdu.function ||
        again->seq != m->pdu.seq)
        fail_inv(s, "a PDU decodes differently from a copy of its bytes");
    s7p_arena_release(&a);
    free(copy);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void trace_add(trace *t, const s7p_msg *m, uint8_t version)
{
    if (t->n == TRACE_MAX) {
        t->truncated = true;
        return;
    }
    trace_entry *e = &t->e[t->n++];
    memset(e, 0, sizeof *e);  /* padding too: entries are compared with memcmp */
    e->kind = (uint8_t)m->kind;
    e->version = m->kind == S7P_MSG_PDU ? version : 0;
    e->len = m->raw_len;
    e->hash = m->raw_len ? fnv1a(m->raw, m->raw_len) : 0;
    if (m->kind == S7P_MSG_SYSTEM_EVENT) {
        e->len = (size_t)m->event.kind;
        e->hash = m->event.confirmed_bytes;
    }
}

static s7p_msg g_msg;
static s7p_pdu g_again;
static trace g_trace[2];

/* Pops every message the fed bytes hold; false once the link broke. */
static bool drain(source *s, s7p_link *l, s7p_arena *a, trace *t)
{
    for (;;) {
        bool got;
        s7p_status st = s7p_link_pop(l, a, &g_msg, &got);
        check_limits(s, l);
        if (st != S7P_OK) return false;
        if (!got) {
            check_idle(s, l);
            return true;
        }
        check_msg(s, l, &g_msg, &g_again);
        trace_add(t, &g_msg, l->reasm.version);
    }
}

/* Feeds data[1..size) cut into pieces by `mode` and pops messages, until the link fails or
 * the input ends (the peer closes). */
static void run(const uint8_t *data, size_t size, uint8_t mode, trace *t)
{
    source s = {data, size, data + 1, size - 1, mode, 0x9E3779B9u ^ mode};
    s7p_link l;
    if (s7p_link_init(&l, -1) != S7P_OK) abort();
    l.pdu_max = PDU_MAX;
    /* One arena for the whole stream, as in session.c wait_response. */
    s7p_arena a;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    t->n = 0;
    t->truncated = false;
    bool alive = true;
    while (alive && s.src_len > 0) {
        size_t n = next_feed_size(&s);
        if (n > s.src_len) n = s.src_len;
        alive = s7p_link_feed(&l, s.src, n) == S7P_OK && drain(&s, &l, &a, t);
        s.src += n;
        s.src_len -= n;
    }
    if (alive) (void)s7p_link_transport_failed(&l, S7P_E_CLOSED, false);  /* the peer closed */
    if (l.err == S7P_OK) fail_inv(&s, "the stream ended without an error");
    t->end = l.err;
    s7p_arena_release(&a);
    s7p_link_free(&l);
}

/* Whether the stream arrives in one piece or in many must not matter, unless it is more
 * than a link accepts unparsed in one feed. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    trace *t = g_trace;
    run(data, size, data[0], &t[0]);
    if (data[0] != 0 && size - 1 <= S7P_ISO_MAX_PENDING) {
        run(data, size, 0, &t[1]);
        if (!t[0].truncated && !t[1].truncated &&
            (t[0].end != t[1].end || t[0].n != t[1].n ||
             (t[0].n && memcmp(t[0].e, t[1].e, t[0].n * sizeof t[0].e[0]) != 0))) {
            fprintf(stderr, "%s: %zu messages then %s in pieces, %zu then %s at once\n", TARGET,
                    t[0].n, s7p_status_text(t[0].end), t[1].n, s7p_status_text(t[1].end));
            fuzz_invariant_failed(TARGET, "the messages depend on how the stream is received",
                                  data, size);
        }
    }
    return 0;
}

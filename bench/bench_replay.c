/* SPDX-License-Identifier: MIT */
#include "bench_replay.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/tcp.h"
#include "proto/ids.h"
#include "proto/pdu.h"
#include "proto/vlq.h"
#include "session/channel.h"
#include "util/clock.h"

#define MAX_CONNS 8
#define HEADER_SEQ 7              /* opcode, reserved, function, reserved: seq follows */
#define HEADER_FUNCTION 3

/* One recorded request and its answer, with where their integrity ids stand (the id is
 * the PDU's tail: a VLQ, then fill bytes). */
typedef struct exchange {
    uint8_t *req, *ans;
    size_t req_len, ans_len;
    uint8_t req_version, ans_version;
    uint16_t function;
    bool answered;
    bool req_iid, ans_iid;        /* the PDU carries an integrity id */
    size_t req_iid_at, req_fill;  /* offset of the request's id, bytes after it */
    size_t ans_iid_at, ans_fill;
} exchange;

typedef struct conn_slot {
    bench_replay *r;
    int fd;
    pthread_t th;
    bool used;                    /* accept thread only */
    atomic_bool done;             /* set by the connection's thread as it ends */
} conn_slot;

struct bench_replay {
    pthread_mutex_t mu;           /* recording: the simulator's threads call the trace */
    unsigned long conn;           /* the connection recorded (0: none yet) */
    exchange *x;
    size_t n, cap;
    size_t cycle_begin, cycle_end;
    int marks;
    bool stray;                   /* an answer without request was seen: not replayable */
    /* serving */
    s7p_tls_ctx *ctx;
    int lfd;
    uint16_t port;
    pthread_t accept_th;
    bool started;
    atomic_int stop;
    atomic_ulong answered;
    conn_slot conns[MAX_CONNS];
};

bench_replay *bench_replay_new(void)
{
    bench_replay *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    pthread_mutex_init(&r->mu, NULL);
    r->lfd = -1;
    return r;
}

static uint8_t *copy_of(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    if (c) memcpy(c, p, n);
    return c;
}

static void record(bench_replay *r, bool outbound, uint8_t version, const uint8_t *p, size_t n)
{
    if (!outbound) {
        if (r->n == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 256;
            exchange *x = realloc(r->x, cap * sizeof *x);
            if (!x) return;
            r->x = x;
            r->cap = cap;
        }
        exchange *e = &r->x[r->n++];
        memset(e, 0, sizeof *e);
        e->req = copy_of(p, n);
        e->req_len = n;
        e->req_version = version;
        return;
    }
    exchange *e = r->n ? &r->x[r->n - 1] : NULL;
    if (!e || e->answered) {
        r->stray = true;  /* a notification, say: nothing this server could replay */
        return;
    }
    e->ans = copy_of(p, n);
    e->ans_len = n;
    e->ans_version = version;
    e->answered = true;
}

void bench_replay_trace(void *ctx, unsigned long conn, bool outbound, uint8_t version,
                        const uint8_t *data, size_t len)
{
    bench_replay *r = ctx;
    pthread_mutex_lock(&r->mu);
    if (r->conn == 0) r->conn = conn;
    if (r->conn == conn) record(r, outbound, version, data, len);
    pthread_mutex_unlock(&r->mu);
}

void bench_replay_mark(bench_replay *r)
{
    pthread_mutex_lock(&r->mu);
    if (r->marks == 0) r->cycle_begin = r->n;
    else r->cycle_end = r->n;
    r->marks++;
    pthread_mutex_unlock(&r->mu);
}

/* Where the integrity id of a PDU stands, decoded once with the shared codec. */
static bool locate_iid(const uint8_t *p, size_t n, uint8_t version, s7p_arena *a,
                       uint16_t *function, bool *has, size_t *at, size_t *fill)
{
    s7p_pdu pdu;
    if (s7p_pdu_decode(p, n, version, a, &pdu) != S7P_OK) return false;
    *function = pdu.function;
    *has = pdu.has_iid && !pdu.has_digest;
    *fill = pdu.fill_len;
    *at = *has ? n - pdu.fill_len - s7p_vlq_u32_size(pdu.iid) : 0;
    return true;
}

static int analyse(bench_replay *r, char *err, size_t err_len)
{
    if (r->marks != 2 || r->cycle_end < r->cycle_begin || r->stray) {
        snprintf(err, err_len, "replay: recording incomplete (%d marks, %zu exchanges%s)",
                 r->marks, r->n, r->stray ? ", answers without request" : "");
        return -1;
    }
    s7p_arena a;
    s7p_arena_init(&a, (size_t)16 << 20);
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        exchange *e = &r->x[i];
        uint16_t fa;
        bool ok = e->answered && e->req_version <= S7P_PROTO_V2 && e->ans_version <= S7P_PROTO_V2 &&
                  locate_iid(e->req, e->req_len, e->req_version, &a, &e->function, &e->req_iid,
                             &e->req_iid_at, &e->req_fill) &&
                  locate_iid(e->ans, e->ans_len, e->ans_version, &a, &fa, &e->ans_iid,
                             &e->ans_iid_at, &e->ans_fill) &&
                  e->ans_len > HEADER_SEQ + 1;
        s7p_arena_release(&a);
        if (!ok) {
            snprintf(err, err_len, "replay: exchange %zu (function 0x%04x) cannot be replayed", i,
                     e->function);
            rc = -1;
        }
    }
    return rc;
}

/* ---- serving ---- */

static bool any_tsap(void *ctx, s7p_bytes called)
{
    (void)ctx;
    (void)called;
    return true;
}

/* The recorded exchange for a request of `function`: the next one in order, else the first
 * of that function after the repeating part (the disconnect), else anywhere. */
static const exchange *match(const bench_replay *r, size_t *pos, uint16_t function)
{
    if (*pos < r->n && r->x[*pos].function == function) return &r->x[*pos];
    for (size_t k = 0; k < r->n; k++) {
        size_t i = (r->cycle_end + k) % r->n;
        if (r->x[i].function != function) continue;
        *pos = i;
        return &r->x[i];
    }
    return NULL;
}

/* The answer to this request: the recorded bytes with its sequence number and integrity id.
 * Returns the answer's length, 0 when the request does not fit the recording. */
static size_t build_answer(const exchange *e, const uint8_t *req, size_t n, uint8_t *out,
                           size_t cap)
{
    uint32_t iid = 0;
    if (e->req_iid) {
        if (n < e->req_iid_at + e->req_fill + 1) return 0;
        s7p_rd rd = s7p_rd_init(req + e->req_iid_at, n - e->req_iid_at - e->req_fill);
        if (!s7p_rd_vlq_u32(&rd, &iid)) return 0;
    }
    size_t head = e->ans_iid ? e->ans_iid_at : e->ans_len;
    if (head + 5 + e->ans_fill > cap) return 0;
    memcpy(out, e->ans, head);
    out[HEADER_SEQ] = req[HEADER_SEQ];
    out[HEADER_SEQ + 1] = req[HEADER_SEQ + 1];
    if (!e->ans_iid) return head;
    uint32_t seq = (uint32_t)req[HEADER_SEQ] << 8 | req[HEADER_SEQ + 1];
    s7p_wr w = s7p_wr_init(out + head, cap - head);
    s7p_wr_vlq_u32(&w, seq + iid);
    s7p_wr_zeros(&w, e->ans_fill);
    return w.err == S7P_OK ? head + w.len : 0;
}

/* Frames the answer as the link frames a PDU (one TLS record per frame) and sends it. */
static s7p_status send_answer(s7p_channel *ch, uint8_t version, const uint8_t *p, size_t n)
{
    uint8_t frame[S7P_FRAME_DATA_MAX + 16];
    size_t off = 0;
    do {
        size_t k = n - off < S7P_FRAME_DATA_MAX ? n - off : S7P_FRAME_DATA_MAX;
        s7p_wr fw = s7p_wr_init(frame, sizeof frame);
        s7p_frame_write(&fw, version, p + off, k, off + k == n);
        s7p_status st = s7p_link_put_raw(ch, frame, fw.len);
        if (st != S7P_OK) return st;
        off += k;
    } while (off < n);
    return s7p_channel_flush(ch, s7p_deadline_in(5000));
}

/* Answers one request; false ends the connection. */
static bool answer(bench_replay *r, s7p_channel *ch, const s7p_msg *m, size_t *pos,
                   uint8_t *buf, size_t cap)
{
    const uint8_t *d = m->raw;
    size_t n = m->raw_len;
    if (m->pdu.version > S7P_PROTO_V2 || n <= HEADER_SEQ + 1) return false;
    const exchange *e = match(r, pos, (uint16_t)(d[HEADER_FUNCTION] << 8 | d[HEADER_FUNCTION + 1]));
    size_t len = e ? build_answer(e, d, n, buf, cap) : 0;
    if (!len || send_answer(ch, e->ans_version, buf, len) != S7P_OK) return false;
    atomic_fetch_add(&r->answered, 1ul);
    if (e->function == S7P_FC_INIT_SSL &&
        s7p_channel_start_tls(ch, r->ctx, s7p_deadline_in(5000)) != S7P_OK)
        return false;
    if (++*pos == r->cycle_end && r->cycle_end > r->cycle_begin) *pos = r->cycle_begin;
    return true;
}

static void *conn_main(void *arg)
{
    conn_slot *c = arg;
    bench_replay *r = c->r;
    s7p_channel ch;
    memset(&ch, 0, sizeof ch);
    s7p_arena a;
    s7p_arena_init(&a, (size_t)1 << 20);
    size_t cap = (size_t)1 << 20, pos = 0;
    uint8_t *buf = malloc(cap);
    bool ok = buf && s7p_channel_init(&ch, c->fd) == S7P_OK;
    if (ok) ok = s7p_iso_accept(&ch.iso, any_tsap, NULL, s7p_deadline_in(5000)) == S7P_OK;
    if (ok) ch.pop_raw = true;  /* no decoding: the answers are bytes already */
    while (ok && !atomic_load(&r->stop)) {
        s7p_msg m;
        s7p_status st = s7p_channel_recv(&ch, &a, &m, s7p_deadline_in(200));
        if (st == S7P_E_TIMEOUT) continue;
        ok = st == S7P_OK && (m.kind != S7P_MSG_PDU || answer(r, &ch, &m, &pos, buf, cap));
        s7p_arena_release(&a);
    }
    s7p_channel_close(&ch);
    s7p_arena_release(&a);
    free(buf);
    atomic_store(&c->done, true);
    return NULL;
}

static void *accept_main(void *arg)
{
    bench_replay *r = arg;
    while (!atomic_load(&r->stop)) {
        int fd, e;
        if (s7p_tcp_accept(r->lfd, s7p_deadline_in(200), &fd, &e) != S7P_OK) continue;
        conn_slot *c = NULL;
        for (int i = 0; i < MAX_CONNS; i++) {
            conn_slot *s = &r->conns[i];
            if (s->used && atomic_load(&s->done)) {  /* a finished connection frees its slot */
                pthread_join(s->th, NULL);
                s->used = false;
            }
            if (!s->used && !c) c = s;
        }
        if (!c) {
            s7p_tcp_close(fd);
            continue;
        }
        c->r = r;
        c->fd = fd;
        c->used = true;
        atomic_store(&c->done, false);
        if (pthread_create(&c->th, NULL, conn_main, c) != 0) {
            c->used = false;
            s7p_tcp_close(fd);
        }
    }
    return NULL;
}

int bench_replay_start(bench_replay *r, char *err, size_t err_len)
{
    pthread_mutex_lock(&r->mu);
    r->conn = ~0ul;  /* record nothing more */
    pthread_mutex_unlock(&r->mu);
    if (analyse(r, err, err_len) != 0) return -1;
    s7p_tls_config cfg = {.server = true};  /* as the raw-TLS echo server's */
    int e;
    if (!(r->ctx = s7p_tls_ctx_new(&cfg, err, err_len))) return -1;
    if (s7p_tcp_listen("127.0.0.1", 0, 16, &r->lfd, &r->port, &e) != S7P_OK ||
        pthread_create(&r->accept_th, NULL, accept_main, r) != 0) {
        snprintf(err, err_len, "replay: cannot listen");
        return -1;
    }
    r->started = true;
    return 0;
}

uint16_t bench_replay_port(const bench_replay *r) { return r->port; }

unsigned long bench_replay_answered(const bench_replay *r) { return atomic_load(&r->answered); }

size_t bench_replay_prologue(const bench_replay *r, size_t *req, size_t *resp, uint16_t *function,
                             size_t max)
{
    size_t n = r->cycle_begin < max ? r->cycle_begin : max;
    for (size_t i = 0; i < n; i++) {
        req[i] = r->x[i].req_len;
        resp[i] = r->x[i].ans_len;
        function[i] = r->x[i].function;
    }
    return n;
}

void bench_replay_free(bench_replay *r)
{
    if (!r) return;
    atomic_store(&r->stop, 1);
    if (r->started) pthread_join(r->accept_th, NULL);
    for (int i = 0; i < MAX_CONNS; i++)
        if (r->conns[i].used) pthread_join(r->conns[i].th, NULL);
    if (r->lfd >= 0) s7p_tcp_close(r->lfd);
    s7p_tls_ctx_free(r->ctx);
    for (size_t i = 0; i < r->n; i++) {
        free(r->x[i].req);
        free(r->x[i].ans);
    }
    free(r->x);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

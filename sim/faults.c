/* SPDX-License-Identifier: MIT */
/* Fault injection: the active fault, the requests it hits and the broken answers it sends.
 * Frames and records are built here byte by byte, so that they can be wrong on purpose; the
 * connection's TLS is driven by hand where a record must be cut short on the wire, or a
 * forged record fed to the server's own TLS stack (which then sends a real alert). */
#include "faults.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "legacy/handshake.h"
#include "net/tcp.h"
#include "proto/functions.h"
#include "util/clock.h"

#define GARBAGE_LEN 64u
#define FILLER_LEN 32u            /* data of a broken frame when there is no answer to break */
#define OVERSIZED_DATA 0xFFFFu
#define TLS_RECORD_MAX 16384u
#define DEFAULT_PLC_CODE (-107)   /* NotAllowed */
#define DEFAULT_EVENT_CODE (-1)   /* what a real PLC's fatal system event carries */
#define EVENT_FUNCTION_ID 40303u  /* UDInt: the function of the request that failed */
#define MODERN_OBJECT_ID 0x70000000u /* notifications of lower ids have the old short header */
#define NOTIFY_MAX 1000u          /* notifications per answer */

static const char *const kind_names[] = {
    [S7P_SIM_FAULT_NONE] = "none",
    [S7P_SIM_FAULT_DROP_BEFORE_RESPONSE] = "drop-before",
    [S7P_SIM_FAULT_DROP_MID_RESPONSE] = "drop-mid",
    [S7P_SIM_FAULT_STALL] = "stall",
    [S7P_SIM_FAULT_DELAY] = "delay",
    [S7P_SIM_FAULT_TRUNCATED_FRAME] = "truncated",
    [S7P_SIM_FAULT_GARBAGE] = "garbage",
    [S7P_SIM_FAULT_OVERSIZED_LENGTH] = "oversized",
    [S7P_SIM_FAULT_TLS_ALERT] = "tls-alert",
    [S7P_SIM_FAULT_WRONG_SEQUENCE] = "wrong-seq",
    [S7P_SIM_FAULT_PLC_ERROR] = "plc-error",
    [S7P_SIM_FAULT_SYSTEM_EVENT] = "system-event",
    [S7P_SIM_FAULT_FLIP_BIT] = "flip-bit",
    [S7P_SIM_FAULT_REPLAY] = "replay",
};
#define NKINDS (sizeof kind_names / sizeof kind_names[0])

const char *s7p_sim_fault_name(s7p_sim_fault_kind kind)
{
    return (unsigned)kind < NKINDS ? kind_names[kind] : "?";
}

/* ---- the active fault ---- */

static void describe(const s7p_sim_fault *f, char *out, size_t cap)
{
    const char *fn = f->function ? sim_function_name(f->function) : "any request";
    if (f->nth)
        snprintf(out, cap, "%s on %s 0x%04x, request %u", s7p_sim_fault_name(f->kind), fn,
                 (unsigned)f->function, f->nth);
    else
        snprintf(out, cap, "%s on %s 0x%04x, every request", s7p_sim_fault_name(f->kind), fn,
                 (unsigned)f->function);
}

void s7p_sim_set_fault(s7p_sim *s, const s7p_sim_fault *f)
{
    s7p_sim_fault none = {0};
    if (!f || (unsigned)f->kind >= NKINDS) f = &none;
    pthread_mutex_lock(&s->fault_mu);
    s->fault = *f;
    s->fault_seen = 0;
    atomic_store(&s->fault_hits, 0ul);
    pthread_mutex_unlock(&s->fault_mu);
    char what[128];
    describe(f, what, sizeof what);
    if (f->kind == S7P_SIM_FAULT_NONE)
        sim_log(s, 1, "fault: none");
    else
        sim_log(s, 1, "fault: %s", what);
}

void s7p_sim_clear_fault(s7p_sim *s)
{
    pthread_mutex_lock(&s->fault_mu);
    memset(&s->fault, 0, sizeof s->fault);
    s->fault_seen = 0;
    pthread_mutex_unlock(&s->fault_mu);
    sim_log(s, 1, "fault: cleared");
}

unsigned long s7p_sim_fault_hits(const s7p_sim *s)
{
    return atomic_load(&((s7p_sim *)s)->fault_hits);
}

bool sim_fault_take(s7p_sim *s, uint16_t function, s7p_sim_fault *f)
{
    bool fire = false;
    pthread_mutex_lock(&s->fault_mu);
    const s7p_sim_fault *a = &s->fault;
    bool any = a->function == 0 && function != S7P_SIM_FAULT_NOTIFICATION;
    if (a->kind != S7P_SIM_FAULT_NONE && (any || a->function == function)) {
        s->fault_seen++;
        fire = a->nth == 0 || s->fault_seen == a->nth;
        if (fire) {
            *f = *a;
            atomic_fetch_add(&s->fault_hits, 1ul);
        }
    }
    pthread_mutex_unlock(&s->fault_mu);
    return fire;
}

/* ---- parsing "KIND[:FUNCTION[:NTH]]" ---- */

static bool parse_kind(const char *s, size_t n, s7p_sim_fault_kind *out)
{
    for (unsigned i = 0; i < NKINDS; i++) {
        if (strlen(kind_names[i]) == n && strncasecmp(kind_names[i], s, n) == 0) {
            *out = (s7p_sim_fault_kind)i;
            return true;
        }
    }
    return false;
}

static bool parse_number(const char *s, int base, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, base);
    if (errno || end == s || *end || s[0] == '-' || s[0] == '+' || v > max) return false;
    *out = v;
    return true;
}

static bool parse_function(const char *s, uint16_t *out)
{
    unsigned long v;
    if (strcasecmp(s, "any") == 0 || strcmp(s, "*") == 0) {
        *out = 0;
        return true;
    }
    if (strcasecmp(s, "notification") == 0) {
        *out = S7P_SIM_FAULT_NOTIFICATION;
        return true;
    }
    bool hex = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'));
    if ((hex && s[2] && parse_number(s + 2, 16, 0xFFFF, &v)) ||
        (!hex && s[0] >= '0' && s[0] <= '9' && parse_number(s, 10, 0xFFFF, &v))) {
        *out = (uint16_t)v;
        return true;
    }
    return s7p_function_code(s, out);
}

bool s7p_sim_fault_parse(const char *spec, s7p_sim_fault *f, char *err, size_t err_len)
{
    char buf[96];
    if (!spec || strlen(spec) >= sizeof buf) {
        snprintf(err, err_len, "fault \"%s\": too long", spec ? spec : "");
        return false;
    }
    strcpy(buf, spec);
    char *fn = strchr(buf, ':');
    char *nth = fn ? strchr(fn + 1, ':') : NULL;
    if (fn) *fn++ = '\0';
    if (nth) *nth++ = '\0';
    s7p_sim_fault_kind kind;
    uint16_t function = 0;
    unsigned long n = 0;
    if (!parse_kind(buf, strlen(buf), &kind)) {
        snprintf(err, err_len, "unknown fault \"%s\" (drop-before, drop-mid, stall, delay, "
                 "truncated, garbage, oversized, tls-alert, wrong-seq, plc-error, system-event, "
                 "flip-bit, replay)", buf);
        return false;
    }
    if (fn && !parse_function(fn, &function)) {
        snprintf(err, err_len, "fault \"%s\": unknown function \"%s\" (0x054c or a name such "
                 "as GetMultiVariables)", spec, fn);
        return false;
    }
    if (nth && !parse_number(nth, 10, 0xFFFFFFFFul, &n)) {
        snprintf(err, err_len, "fault \"%s\": bad request number \"%s\"", spec, nth);
        return false;
    }
    f->kind = kind;
    f->function = function;
    f->nth = (unsigned)n;
    return true;
}

/* ---- building broken answers ---- */

/* xorshift64*: garbage needs no quality, only variety. */
static uint64_t rnd_next(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * UINT64_C(2685821657736338717);
}

static void random_bytes(sim_conn *c, uint8_t *p, size_t n)
{
    uint64_t x = (uint64_t)s7p_now_ms() * UINT64_C(0x9E3779B97F4A7C15) ^ c->id ^ (uintptr_t)p;
    if (!x) x = 1;
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(rnd_next(&x) >> 56);
}

/* The PDU data part the answer would have had (from the arena), or filler when there is no
 * answer to send. False when out of memory. */
static bool answer_data(sim_conn *c, const sim_reply *r, s7p_arena *a, uint8_t **p, size_t *n)
{
    if (r->send) {
        s7p_wr count = s7p_wr_counter();
        if (s7p_pdu_encode(&count, &r->pdu) && count.len > 0 &&
            (*p = s7p_arena_alloc(a, count.len))) {
            s7p_wr w = s7p_wr_init(*p, count.len);
            if (s7p_pdu_encode(&w, &r->pdu)) {
                *n = w.len;
                return true;
            }
        }
    }
    if (!(*p = s7p_arena_alloc(a, FILLER_LEN))) return false;
    random_bytes(c, *p, FILLER_LEN);
    *n = FILLER_LEN;
    return true;
}

static void put_header(uint8_t *p, uint8_t version, size_t len)
{
    p[0] = S7P_FRAME_MARKER;
    p[1] = version;
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
}

static uint8_t answer_version(const s7p_pdu *req, const sim_reply *r)
{
    return r->send ? r->pdu.version : req->version;
}

static s7p_status send_raw(sim_conn *c, const uint8_t *p, size_t n)
{
    return s7p_channel_send_raw(&c->ch, p, n, s7p_deadline_in(SIM_SEND_MS));
}

/* The whole frame in one TLS record, of which only the first half reaches the wire (in
 * DTs cut as the channel cuts them). */
static void send_half_record(sim_conn *c, const uint8_t *f, size_t len)
{
    s7p_tls *t = c->ch.tls;
    if (s7p_tls_seal(t, f, len) != S7P_OK) return;
    size_t n = s7p_tls_pending(t);
    uint8_t *rec = malloc(n ? n : 1);
    if (!rec) return;
    n = s7p_tls_take(t, rec, n);
    (void)s7p_iso_send(&c->ch.iso, rec, n / 2, S7P_TLS_DT_CHUNK, s7p_deadline_in(SIM_SEND_MS));
    free(rec);
}

/* The first frame of the answer, of which only the first half reaches the wire. */
static void drop_mid(sim_conn *c, const s7p_pdu *req, s7p_arena *a, const sim_reply *r)
{
    uint8_t *data, *f;
    size_t n;
    if (!answer_data(c, r, a, &data, &n)) return;
    size_t k = n < S7P_FRAME_DATA_MAX ? n : S7P_FRAME_DATA_MAX;
    if (!(f = s7p_arena_alloc(a, k + 8))) return;
    put_header(f, answer_version(req, r), k);
    memcpy(f + 4, data, k);
    size_t len = 4 + k;
    if (k == n) {
        put_header(f + len, answer_version(req, r), 0);
        len += 4;
    }
    if (c->tls) {
        send_half_record(c, f, len);
    } else {
        (void)send_raw(c, f, len / 2);
    }
}

/* A header claiming all of the answer's first frame, followed by half of it. */
static void truncated(sim_conn *c, const s7p_pdu *req, s7p_arena *a, const sim_reply *r)
{
    uint8_t *data, *f;
    size_t n;
    if (!answer_data(c, r, a, &data, &n)) return;
    size_t k = n < S7P_FRAME_DATA_MAX ? n : S7P_FRAME_DATA_MAX;
    if (!(f = s7p_arena_alloc(a, k + 4))) return;
    put_header(f, answer_version(req, r), k);
    memcpy(f + 4, data, k / 2);
    (void)send_raw(c, f, 4 + k / 2);
}

static void garbage(sim_conn *c)
{
    uint8_t g[GARBAGE_LEN];
    random_bytes(c, g, sizeof g);
    if (g[0] == S7P_FRAME_MARKER) g[0] = 0x00;  /* certainly no frame */
    (void)send_raw(c, g, sizeof g);
}

/* In clear: one TPKT of the largest length (65535), a DT carrying 65528 bytes of the frame,
 * then a normal DT with the rest. */
static void oversized_clear(sim_conn *c, const uint8_t *f, size_t len)
{
    uint8_t *tpkt = malloc(S7P_TPKT_MAX_LEN);
    if (!tpkt) return;
    size_t first = S7P_TPKT_MAX_LEN - 7u;
    tpkt[0] = 0x03;
    tpkt[1] = 0x00;
    tpkt[2] = 0xFF;
    tpkt[3] = 0xFF;
    tpkt[4] = 0x02;               /* COTP DT: LI 2, code F0, EOT */
    tpkt[5] = S7P_COTP_DT;
    tpkt[6] = 0x80;
    memcpy(tpkt + 7, f, first);
    int err = 0;
    int64_t deadline = s7p_deadline_in(SIM_SEND_MS);
    s7p_status st = s7p_tcp_write_all(c->ch.iso.fd, tpkt, S7P_TPKT_MAX_LEN, deadline, &err);
    free(tpkt);
    if (st == S7P_OK) (void)s7p_iso_send(&c->ch.iso, f + first, len - first, 0, deadline);
}

/* A frame with data length 0xFFFF, sent whole: the answer's data, zeros, the trailer. */
static void oversized(sim_conn *c, const s7p_pdu *req, s7p_arena *a, const sim_reply *r)
{
    uint8_t *data, *f;
    size_t n, len = 4u + OVERSIZED_DATA + 4u;
    if (!answer_data(c, r, a, &data, &n) || !(f = s7p_arena_alloc(a, len))) return;
    memset(f, 0, len);
    uint8_t version = answer_version(req, r);
    put_header(f, version, OVERSIZED_DATA);
    memcpy(f + 4, data, n < OVERSIZED_DATA ? n : OVERSIZED_DATA);
    put_header(f + 4 + OVERSIZED_DATA, version, 0);
    if (!c->tls) {
        oversized_clear(c, f, len);
        return;
    }
    for (size_t off = 0; off < len; off += TLS_RECORD_MAX) {
        size_t k = len - off < TLS_RECORD_MAX ? len - off : TLS_RECORD_MAX;
        if (send_raw(c, f + off, k) != S7P_OK) return;
    }
}

/* Inside TLS: a forged application-data record fed to our own TLS stack, which rejects it
 * (bad_record_mac) and sends the peer that fatal alert, encrypted. In clear: a plaintext
 * fatal internal_error alert record in a DT. */
static void tls_alert(sim_conn *c)
{
    if (!c->tls) {
        static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50};
        (void)s7p_iso_send(&c->ch.iso, alert, sizeof alert, 0, s7p_deadline_in(SIM_SEND_MS));
        return;
    }
    uint8_t forged[5 + 48];
    random_bytes(c, forged, sizeof forged);
    forged[0] = 0x17;             /* application_data, TLS 1.2 legacy version, 48 bytes */
    forged[1] = 0x03;
    forged[2] = 0x03;
    forged[3] = 0x00;
    forged[4] = 48;
    uint8_t sink[64];
    size_t got = 0;
    s7p_status st = s7p_tls_feed(c->ch.tls, forged, sizeof forged);
    if (st == S7P_OK) st = s7p_tls_open(c->ch.tls, sink, sizeof sink, &got);
    if (s7p_link_tls_drain(&c->ch) == S7P_OK)  /* the alert, encrypted */
        (void)s7p_channel_flush(&c->ch, s7p_deadline_in(SIM_SEND_MS));
    sim_log(c->sim, 2, "conn %lu: forged record: %s (%s)", c->id, s7p_strerror(st),
            s7p_tls_error(c->ch.tls));
}

static void system_event(sim_conn *c, const s7p_pdu *req, const s7p_sim_fault *f, s7p_arena *a)
{
    s7p_sysevent e;
    memset(&e, 0, sizeof e);
    s7p_struct *st = s7p_arena_alloc(a, sizeof *st);
    if (!st) return;
    memset(st, 0, sizeof *st);
    st->id = S7P_ID_SYSTEM_EVENT_STRUCT;
    s7p_value *rv = s7p_idlist_add(&st->members, a, S7P_ID_SYSTEM_EVENT_RETURN_VALUE);
    s7p_value *fn = s7p_idlist_add(&st->members, a, EVENT_FUNCTION_ID);
    if (!rv || !fn) return;
    rv->type = S7P_DT_LINT;
    rv->v.i = f->plc_code < 0 ? f->plc_code : DEFAULT_EVENT_CODE;
    fn->type = S7P_DT_UDINT;
    fn->v.u = req->function;
    e.kind = S7P_SYSEV_STRUCT;
    e.value.type = S7P_DT_STRUCT;
    e.value.v.st = st;
    (void)s7p_channel_send_event(&c->ch, &e, s7p_deadline_in(SIM_SEND_MS));
}

/* Whether the peer has closed its side (EOF pending); false while it may still send. */
static bool peer_closed(int fd)
{
    uint8_t b;
    ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Waits ms, or less when the simulator stops (the wake pipe stays readable from then on) or
 * the client hangs up (nobody is left to answer, and its session should be freed now, as a
 * PLC frees it). False in those two cases. */
static bool wait_ms(sim_conn *c, unsigned ms)
{
    int64_t end = s7p_deadline_in(ms);
    bool watch = true;            /* off once the client sent more: that waits for later */
    for (;;) {
        int64_t left = end - s7p_now_ms();
        if (left <= 0) return true;
        struct pollfd p[2] = {{c->sim->wake[0], POLLIN, 0}, {c->ch.iso.fd, POLLIN, 0}};
        int n = poll(p, watch ? 2u : 1u, left > 1000 ? 1000 : (int)left);
        if (n < 0 && errno != EINTR) return true;
        if (n <= 0) continue;
        if (p[0].revents) return false;
        if (p[1].revents) {
            if (peer_closed(c->ch.iso.fd)) return false;
            watch = false;
        }
    }
}

void sim_fault_plc_error(const s7p_pdu *req, const s7p_sim_fault *f, sim_reply *r)
{
    memset(r, 0, sizeof *r);
    r->send = !(req->transport_flags & S7P_TF_NO_RESPONSE);
    s7p_pdu_init_response(&r->pdu, req, SIM_RET(f->plc_code < 0 ? f->plc_code : DEFAULT_PLC_CODE));
    r->pdu.ret_only = true;
}

/* A signed answer longer than one frame: signed and fragmented by the link as always (its
 * continuations in the configured form), then one bit of its last data byte, in the last
 * continuation frame, flipped in the queued output before it goes out. Legacy sessions run
 * in clear, so the queue holds the wire bytes and ends with that frame's trailer. */
static void flip_fragmented(sim_conn *c, const sim_reply *r)
{
    s7p_link *l = &c->ch;
    if (s7p_link_put_pdu(l, &r->pdu) != S7P_OK ||
        l->iso.olen - l->iso.opos < S7P_FRAME_TRAILER_LEN + 1)
        return;
    l->iso.obuf[l->iso.olen - S7P_FRAME_TRAILER_LEN - 1] ^= 0x01;
    sim_legacy_count_sent(c);  /* before the client can see the answer */
    (void)s7p_channel_flush(l, s7p_deadline_in(SIM_SEND_MS));
}

/* The answer as one whole frame, signed like the link signs it in legacy security; then
 * either one bit of its last data byte flipped, or the frame sent twice. A signed answer
 * longer than one frame is flipped in its last continuation frame (flip_fragmented). */
static void flip_or_replay(sim_conn *c, s7p_arena *a, const sim_reply *r, bool flip)
{
    uint8_t *data, *f;
    size_t n;
    if (!r->send || !answer_data(c, r, a, &data, &n)) return;
    if (n > S7P_FRAME_DATA_MAX && flip && c->ch.digest_on && !c->tls) {
        flip_fragmented(c, r);
        return;
    }
    if (n > S7P_FRAME_DATA_MAX || !(f = s7p_arena_alloc(a, n + 8))) return;
    if (c->ch.digest_on && r->pdu.version == S7P_PROTO_V3 &&
        s7p_legacy_digest_sign(c->ch.digest_key, data, n) != S7P_OK)
        return;
    put_header(f, r->pdu.version, n);
    memcpy(f + 4, data, n);
    put_header(f + 4 + n, r->pdu.version, 0);
    if (flip) f[4 + n - 1] ^= 0x01;
    if (send_raw(c, f, n + 8) == S7P_OK && !flip) (void)send_raw(c, f, n + 8);
}

bool sim_fault_on_notification(sim_conn *c, const s7p_pdu *p, s7p_arena *a)
{
    s7p_sim_fault f;
    if (!sim_fault_take(c->sim, S7P_SIM_FAULT_NOTIFICATION, &f)) return false;
    sim_log(c->sim, 1, "conn %lu: fault %s on notification seq %u", c->id,
            s7p_sim_fault_name(f.kind), (unsigned)p->notif.seq);
    if (f.kind != S7P_SIM_FAULT_FLIP_BIT) return false;  /* the others act on answers only */
    sim_reply r;
    memset(&r, 0, sizeof r);
    r.send = true;
    r.pdu = *p;
    flip_or_replay(c, a, &r, true);
    return true;
}

sim_fault_next sim_fault_apply(sim_conn *c, const s7p_pdu *req, const s7p_sim_fault *f,
                               s7p_arena *a, sim_reply *r)
{
    sim_log(c->sim, 1, "conn %lu: fault %s on %s seq %u", c->id, s7p_sim_fault_name(f->kind),
            sim_function_name(req->function), req->seq);
    switch (f->kind) {
    case S7P_SIM_FAULT_NONE: return SIM_FAULT_ANSWER;
    case S7P_SIM_FAULT_DROP_BEFORE_RESPONSE: return SIM_FAULT_CLOSE;
    case S7P_SIM_FAULT_DROP_MID_RESPONSE: drop_mid(c, req, a, r); return SIM_FAULT_CLOSE;
    case S7P_SIM_FAULT_STALL: return SIM_FAULT_KEEP;
    case S7P_SIM_FAULT_DELAY: return wait_ms(c, f->delay_ms) ? SIM_FAULT_ANSWER : SIM_FAULT_CLOSE;
    case S7P_SIM_FAULT_TRUNCATED_FRAME: truncated(c, req, a, r); return SIM_FAULT_KEEP;
    case S7P_SIM_FAULT_GARBAGE: garbage(c); return SIM_FAULT_KEEP;
    case S7P_SIM_FAULT_OVERSIZED_LENGTH: oversized(c, req, a, r); return SIM_FAULT_KEEP;
    case S7P_SIM_FAULT_TLS_ALERT: tls_alert(c); return SIM_FAULT_CLOSE;
    case S7P_SIM_FAULT_WRONG_SEQUENCE:
        r->pdu.seq = (uint16_t)(req->seq + 1u);
        return SIM_FAULT_ANSWER;
    case S7P_SIM_FAULT_PLC_ERROR: return SIM_FAULT_ANSWER;  /* *r is the error answer */
    case S7P_SIM_FAULT_SYSTEM_EVENT: system_event(c, req, f, a); return SIM_FAULT_CLOSE;
    case S7P_SIM_FAULT_FLIP_BIT: flip_or_replay(c, a, r, true); return SIM_FAULT_KEEP;
    case S7P_SIM_FAULT_REPLAY: flip_or_replay(c, a, r, false); return SIM_FAULT_KEEP;
    }
    return SIM_FAULT_ANSWER;
}

/* ---- unsolicited notifications ---- */

void s7p_sim_set_request_hook(s7p_sim *s, uint16_t function, s7p_sim_request_fn fn, void *ctx)
{
    pthread_mutex_lock(&s->fault_mu);
    s->req_hook = fn;
    s->req_hook_function = function;
    s->req_hook_ctx = ctx;
    pthread_mutex_unlock(&s->fault_mu);
}

static uint32_t addressed_object(const s7p_pdu *req)
{
    switch (req->function) {
    case S7P_FC_EXPLORE: return req->req.explore.explore_id;
    case S7P_FC_SET_VARIABLE: return req->req.set_variable.object_id;
    case S7P_FC_DELETE_OBJECT: return req->req.delete_object.object_id;
    case S7P_FC_CREATE_OBJECT: return req->req.create_object.request_id;
    case S7P_FC_GET_VAR_SUB_STREAMED: return req->req.var_sub_streamed.object_id;
    default: return 0;
    }
}

void sim_request_hook(s7p_sim *s, const s7p_pdu *req)
{
    pthread_mutex_lock(&s->fault_mu);
    s7p_sim_request_fn fn = s->req_hook;
    void *ctx = s->req_hook_ctx;
    bool match = fn && (s->req_hook_function == 0 || s->req_hook_function == req->function);
    pthread_mutex_unlock(&s->fault_mu);
    if (match) fn(ctx, s, req->function, addressed_object(req));
}

void s7p_sim_set_notify(s7p_sim *s, const s7p_sim_notify *n)
{
    s7p_sim_notify off = {0};
    if (!n) n = &off;
    pthread_mutex_lock(&s->fault_mu);
    s->notify = *n;
    if (!s->notify.subscription_id) s->notify.subscription_id = S7P_SIM_NOTIFY_ID_DEFAULT;
    pthread_mutex_unlock(&s->fault_mu);
    if (n->per_answer)
        sim_log(s, 1, "notify: %u before each answer to %s 0x%04x, subscription 0x%08x",
                n->per_answer, n->function ? sim_function_name(n->function) : "any request",
                (unsigned)n->function, (unsigned)s->notify.subscription_id);
    else
        sim_log(s, 1, "notify: off");
}

unsigned long s7p_sim_notifications(const s7p_sim *s)
{
    return atomic_load(&((s7p_sim *)s)->notifications);
}

bool s7p_sim_notify_parse(const char *spec, s7p_sim_notify *n, char *err, size_t err_len)
{
    char buf[96];
    if (!spec || strlen(spec) >= sizeof buf) {
        snprintf(err, err_len, "notify \"%s\": too long", spec ? spec : "");
        return false;
    }
    strcpy(buf, spec);
    char *fn = strchr(buf, ':');
    char *id = fn ? strchr(fn + 1, ':') : NULL;
    if (fn) *fn++ = '\0';
    if (id) *id++ = '\0';
    unsigned long count = 0, obj = S7P_SIM_NOTIFY_ID_DEFAULT;
    uint16_t function = 0;
    if (!parse_number(buf, 10, NOTIFY_MAX, &count)) {
        snprintf(err, err_len, "notify \"%s\": count must be 0..%u", spec, NOTIFY_MAX);
        return false;
    }
    if (fn && !parse_function(fn, &function)) {
        snprintf(err, err_len, "notify \"%s\": unknown function \"%s\"", spec, fn);
        return false;
    }
    bool hex = id && id[0] == '0' && (id[1] == 'x' || id[1] == 'X');
    if (id && !(hex ? id[2] && parse_number(id + 2, 16, 0xFFFFFFFFul, &obj)
                    : parse_number(id, 10, 0xFFFFFFFFul, &obj))) {
        snprintf(err, err_len, "notify \"%s\": bad subscription id \"%s\"", spec, id);
        return false;
    }
    if (obj < MODERN_OBJECT_ID) {
        snprintf(err, err_len, "notify \"%s\": subscription id must be >= 0x70000000", spec);
        return false;
    }
    n->per_answer = (unsigned)count;
    n->function = function;
    n->subscription_id = (uint32_t)obj;
    return true;
}

/* One notification in the modern form (services spec §1.3) with one UDInt item. */
static bool send_notification(sim_conn *c, uint32_t object_id, s7p_arena *a)
{
    s7p_notif_item *it = s7p_arena_alloc(a, sizeof *it);
    if (!it) return false;
    memset(it, 0, sizeof *it);
    uint32_t seq = ++c->notif_seq;
    it->code = S7P_NI_VALUE;
    it->ref = 1;
    it->value.type = S7P_DT_UDINT;
    it->value.v.u = seq;
    s7p_pdu p;
    sim_notification_init(&p, object_id, 0, seq, sim_now_utc_us(), 1);
    p.notif.items.first = p.notif.items.last = it;
    p.notif.items.n = 1;
    return sim_notification_send(c, &p, a);
}

bool sim_notify_before_answer(sim_conn *c, const s7p_pdu *req, s7p_arena *a)
{
    pthread_mutex_lock(&c->sim->fault_mu);
    s7p_sim_notify n = c->sim->notify;
    pthread_mutex_unlock(&c->sim->fault_mu);
    if (!n.per_answer || (n.function && n.function != req->function)) return true;
    for (unsigned i = 0; i < n.per_answer; i++)
        if (!send_notification(c, n.subscription_id, a)) return false;
    return true;
}

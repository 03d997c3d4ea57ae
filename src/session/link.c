/* SPDX-License-Identifier: MIT */
#include "session/link.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "legacy/crypto.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/status.h"

/* What an idle link keeps: enough for a usual answer without growing. */
#define RX_MIN (4u * 1024u)
#define TX_MIN (4u * 1024u)
#define PDU_MIN (4u * 1024u)   /* grows up to S7P_PDU_MAX for large answers */
#define TLS_READ_MIN 1024u

static s7p_status fail(s7p_link *l, s7p_status st, const char *what)
{
    if (l->err == S7P_OK) {
        l->err = st;
        /* For TLS failures OpenSSL's own reason says more than the code. */
        const char *why = st == S7P_E_TLS && l->tls && *s7p_tls_error(l->tls)
                              ? s7p_tls_error(l->tls)
                              : s7p_status_text(st);
        snprintf(l->err_msg, sizeof l->err_msg, "%s: %s", what, why);
    }
    return st;
}

s7p_status s7p_link_break(s7p_link *l, s7p_status st, const char *what)
{
    return fail(l, st, what);
}

s7p_status s7p_link_init(s7p_link *l, int fd)
{
    memset(l, 0, sizeof *l);
    s7p_status st = s7p_iso_init(&l->iso, fd);
    if (st != S7P_OK) return st;
    /* rx is allocated from the start: a link with rx is one that needs releasing. */
    l->rx = s7p_malloc(RX_MIN);
    if (!l->rx) {
        s7p_link_free(l);
        return S7P_E_NOMEM;
    }
    l->rx_cap = RX_MIN;
    s7p_reasm_init(&l->reasm, NULL, 0);
    l->pdu_max = S7P_PDU_MAX;
    return S7P_OK;
}

void s7p_link_free(s7p_link *l)
{
    s7p_tls_free(l->tls);
    l->tls = NULL;
    s7p_iso_close(&l->iso);
    s7p_free(l->rx);
    s7p_free(l->pdu_buf);
    s7p_free(l->tx);
    l->rx = l->pdu_buf = l->tx = NULL;
    l->rx_len = l->rx_cap = l->tx_cap = 0;
    s7p_reasm_init(&l->reasm, NULL, 0);
}

size_t s7p_link_heap(const s7p_link *l)
{
    return l->rx_cap + l->reasm.cap + l->tx_cap + l->iso.rcap + l->iso.tsdu_cap + l->iso.ocap;
}

/* Gives back what a large message made the buffers grow to, once nothing is half done. */
static void trim(s7p_link *l)
{
    if (l->reasm.active || l->rx_len) return;
    s7p_buf_shrink(&l->rx, &l->rx_cap, 0, RX_MIN);
    s7p_buf_shrink(&l->pdu_buf, &l->reasm.cap, 0, PDU_MIN);
    l->reasm.buf = l->pdu_buf;
    s7p_iso_trim(&l->iso);
}

/* ---- output: frames -> (TLS records) -> COTP DTs ---- */

s7p_status s7p_link_tls_drain(s7p_link *l)
{
    uint8_t chunk[S7P_TLS_DT_CHUNK];
    size_t k;
    /* The TLS byte stream travels in DTs of at most 960 bytes, as the reference clients
     * cut it; a handshake flight of several records is cut the same way. */
    while (l->tls && (k = s7p_tls_take(l->tls, chunk, sizeof chunk)) > 0) {
        s7p_status st = s7p_iso_put(&l->iso, chunk, k, S7P_TLS_DT_CHUNK);
        if (st != S7P_OK) return st;
    }
    return S7P_OK;
}

/* One frame (or raw bytes): a DT of its own in clear, a TLS record of its own in TLS. */
static s7p_status put_unit(s7p_link *l, const uint8_t *p, size_t n)
{
    if (!l->tls) return s7p_iso_put(&l->iso, p, n, 0);
    s7p_status st = s7p_tls_seal(l->tls, p, n);
    s7p_status drained = s7p_link_tls_drain(l);  /* an alert after a failure, too */
    return st != S7P_OK ? st : drained;
}

static s7p_status ensure_tx(s7p_link *l, size_t need)
{
    return s7p_buf_reserve(&l->tx, &l->tx_cap, need, TX_MIN, S7P_PDU_MAX);
}

/* ---- legacy security: V3 digests ---- */

#define DIGEST_FIELD (1u + S7P_DIGEST_LEN)   /* 0x20, then the 32-byte HMAC */
#define SIGNED_CHUNK_MAX (S7P_FRAME_DATA_MAX - DIGEST_FIELD)

void s7p_link_set_digest_key(s7p_link *l, const uint8_t key[24])
{
    memcpy(l->digest_key, key, sizeof l->digest_key);
    l->digest_on = true;
}

void s7p_link_clear_digest_key(s7p_link *l)
{
    memset(l->digest_key, 0, sizeof l->digest_key);
    memset(&l->digest_rx, 0, sizeof l->digest_rx);
    l->digest_on = false;
}

/* HMAC(key, prev || body): `field` holds the 33-byte digest field followed by the body, and
 * its digest bytes are used as scratch for prev. */
static s7p_status chained_digest(const s7p_link *l, uint8_t *field, size_t body_len,
                                 const uint8_t *prev, uint8_t out[S7P_DIGEST_LEN])
{
    memcpy(field + 1, prev, S7P_DIGEST_LEN);
    return s7p_legacy_digest(l->digest_key, field + 1, S7P_DIGEST_LEN + body_len, out);
}

/* The digest of a continuation fragment in `form`: `rs` holds the state-resume hash states
 * (advanced here in that form), `prev` the digest of the fragment before. */
static s7p_status continuation_digest(const s7p_link *l, s7p_digest_form form,
                                      s7p_legacy_resume *rs, uint8_t *field, size_t body_len,
                                      const uint8_t *prev, uint8_t out[S7P_DIGEST_LEN])
{
    const uint8_t *body = field + DIGEST_FIELD;
    switch (form) {
    case S7P_DIGEST_CHAINED: return chained_digest(l, field, body_len, prev, out);
    case S7P_DIGEST_INDEPENDENT: return s7p_legacy_digest(l->digest_key, body, body_len, out);
    default: s7p_legacy_resume_next(rs, body, body_len, out); return S7P_OK;
    }
}

/* The digest of one fragment sent: a first one HMAC(key, body) (through the state-resume
 * start when continuations in that form follow), a continuation in the link's form. */
static s7p_status sign_fragment(const s7p_link *l, s7p_legacy_resume *rs, uint8_t *field,
                                size_t body_len, bool first, bool last, const uint8_t *prev,
                                uint8_t out[S7P_DIGEST_LEN])
{
    const uint8_t *body = field + DIGEST_FIELD;
    if (!first) return continuation_digest(l, l->digest_send, rs, field, body_len, prev, out);
    if (!last && l->digest_send == S7P_DIGEST_RESUME)
        return s7p_legacy_resume_start(rs, l->digest_key, body, body_len, out);
    return s7p_legacy_digest(l->digest_key, body, body_len, out);
}

/* Sends the signed V3 PDU encoded in tx[0..len): its body in fragments of one digest field
 * and at most SIGNED_CHUNK_MAX bytes each, the first signed alone, every further one in the
 * link's continuation form (digest_send). Requests must fit one frame: legacy PLCs do not
 * reassemble signed requests (the reference drivers refuse to fragment them too). */
static s7p_status put_signed(s7p_link *l, const s7p_pdu *p, size_t len)
{
    uint8_t part[S7P_FRAME_DATA_MAX];
    uint8_t prev[S7P_DIGEST_LEN];
    s7p_legacy_resume rs;
    const uint8_t *body = l->tx + DIGEST_FIELD;
    size_t body_len = len - DIGEST_FIELD, off = 0;
    s7p_status st = S7P_OK;
    if (p->opcode == S7P_OP_REQUEST && len > S7P_FRAME_DATA_MAX) return S7P_E_LIMIT;
    do {
        size_t n = body_len - off < SIGNED_CHUNK_MAX ? body_len - off : SIGNED_CHUNK_MAX;
        bool last = off + n == body_len;
        uint8_t d[S7P_DIGEST_LEN];
        part[0] = S7P_DIGEST_LEN;
        memcpy(part + DIGEST_FIELD, body + off, n);
        st = sign_fragment(l, &rs, part, n, off == 0, last, prev, d);
        if (st != S7P_OK) break;
        memcpy(part + 1, d, sizeof d);
        memcpy(prev, d, sizeof d);
        s7p_wr fw = s7p_wr_init(l->frame, sizeof l->frame);
        s7p_frame_write(&fw, S7P_PROTO_V3, part, DIGEST_FIELD + n, last);
        if ((st = put_unit(l, l->frame, fw.len)) != S7P_OK) {
            st = fail(l, st, "send");
            break;
        }
        if (off) l->digest_cont_sent++;
        off += n;
    } while (off < body_len);
    OPENSSL_cleanse(&rs, sizeof rs);
    return st;
}

/* A first fragment (or a whole PDU): HMAC(key, body). When continuations follow, the
 * state-resume hash states are kept for them and their form is not known yet. */
static bool verify_first(s7p_link *l, const uint8_t *body, size_t body_len, bool whole,
                         const uint8_t *got)
{
    uint8_t d[S7P_DIGEST_LEN];
    s7p_status st = whole ? s7p_legacy_digest(l->digest_key, body, body_len, d)
                          : s7p_legacy_resume_start(&l->digest_rx, l->digest_key, body,
                                                    body_len, d);
    l->digest_rx_form = S7P_DIGEST_FORMS;
    return st == S7P_OK && s7p_legacy_digest_equal(d, got);
}

/* A continuation: its form is tried in the order (b) state-resume, (c) chained, (d)
 * independent until one verifies, which then is the only form accepted for the rest of the
 * PDU (a PLC signs one answer one way). Every form is HMAC-SHA256 material under the
 * session key: accepting three lets no one without the key forge a fragment
 * (docs/protocol.md §6.1). */
static bool verify_continuation(s7p_link *l, uint8_t *field, size_t body_len, const uint8_t *got)
{
    bool ok = false;
    s7p_legacy_resume rs;
    for (unsigned f = 0; f < S7P_DIGEST_FORMS && !ok; f++) {
        if (l->digest_rx_form != S7P_DIGEST_FORMS && l->digest_rx_form != f) continue;
        rs = l->digest_rx;
        uint8_t d[S7P_DIGEST_LEN];
        ok = continuation_digest(l, (s7p_digest_form)f, &rs, field, body_len, l->digest_prev,
                                 d) == S7P_OK &&
             s7p_legacy_digest_equal(d, got);
        if (!ok) continue;
        l->digest_rx_form = (s7p_digest_form)f;
        l->digest_rx = rs;
        l->digest_cont[f]++;
    }
    OPENSSL_cleanse(&rs, sizeof rs);
    return ok;
}

/* Checks the digest of a received PDU frame of a signed session; S7P_E_INTEGRITY (the link
 * is broken, the message says why) when the frame is unsigned or its digest is wrong. */
static s7p_status verify_frame(s7p_link *l, const s7p_frame *f)
{
    if (f->version != S7P_PROTO_V3) {
        fail(l, S7P_E_INTEGRITY, "digest");
        snprintf(l->err_msg, sizeof l->err_msg,
                 "legacy security: unsigned V%u frame received in a signed session", f->version);
        return S7P_E_INTEGRITY;
    }
    bool ok = false;
    if (f->data.n >= DIGEST_FIELD && f->data.p[0] == S7P_DIGEST_LEN) {
        uint8_t field[S7P_FRAME_DATA_MAX + 64];
        size_t body_len = f->data.n - DIGEST_FIELD;
        if (f->data.n > sizeof field) return fail(l, S7P_E_PROTOCOL, "frame");
        memcpy(field, f->data.p, f->data.n);
        const uint8_t *got = f->data.p + 1;
        ok = l->reasm.active
                 ? verify_continuation(l, field, body_len, got)
                 : verify_first(l, field + DIGEST_FIELD, body_len, f->has_trailer, got);
        if (ok) memcpy(l->digest_prev, got, S7P_DIGEST_LEN);
    }
    if (ok) {
        l->digest_frames++;
        return S7P_OK;
    }
    fail(l, S7P_E_INTEGRITY, "digest");
    snprintf(l->err_msg, sizeof l->err_msg,
             "legacy security: the digest of a received frame does not verify (tampered, "
             "corrupted or signed with another key)");
    return S7P_E_INTEGRITY;
}

s7p_status s7p_link_put_pdu(s7p_link *l, const s7p_pdu *p)
{
    if (l->err) return l->err;
    /* In a signed session an unsigned PDU would be refused by the peer: a caller's bug. */
    if (l->digest_on && (p->version != S7P_PROTO_V3 || !p->has_v3_digest))
        return S7P_E_INVALID_ARG;
    /* Most PDUs fit the buffer as it is: encode once; only a larger one is counted first. */
    s7p_status st = ensure_tx(l, TX_MIN);
    if (st != S7P_OK) return st;
    s7p_wr w = s7p_wr_init(l->tx, l->tx_cap);
    if (!s7p_pdu_encode(&w, p)) {
        if (w.err != S7P_E_LIMIT) return w.err;  /* the caller's PDU is wrong */
        s7p_wr count = s7p_wr_counter();
        if (!s7p_pdu_encode(&count, p)) return count.err;
        if ((st = ensure_tx(l, count.len)) != S7P_OK) return st;
        w = s7p_wr_init(l->tx, l->tx_cap);
        if (!s7p_pdu_encode(&w, p)) return w.err;
    }
    l->tx_len = w.len;
    if (l->digest_on) {
        /* Signed here so that the trace shows the digest as it goes out. */
        s7p_status sg = s7p_legacy_digest(l->digest_key, l->tx + DIGEST_FIELD,
                                          w.len - DIGEST_FIELD, l->tx + 1);
        if (sg != S7P_OK) return sg;
        if (l->trace) l->trace(l->trace_ctx, true, p->version, l->tx, w.len);
        st = put_signed(l, p, w.len);
        s7p_buf_shrink(&l->tx, &l->tx_cap, 0, TX_MIN);
        return st;
    }
    if (l->trace) l->trace(l->trace_ctx, true, p->version, l->tx, w.len);
    size_t off = 0;
    do {
        size_t n = w.len - off < S7P_FRAME_DATA_MAX ? w.len - off : S7P_FRAME_DATA_MAX;
        bool last = off + n == w.len;
        s7p_wr fw = s7p_wr_init(l->frame, sizeof l->frame);
        s7p_frame_write(&fw, p->version, l->tx + off, n, last);
        st = put_unit(l, l->frame, fw.len);
        if (st != S7P_OK) return fail(l, st, "send");
        off += n;
    } while (off < w.len);
    s7p_buf_shrink(&l->tx, &l->tx_cap, 0, TX_MIN);  /* a large request is not kept */
    return S7P_OK;
}

s7p_status s7p_link_put_event(s7p_link *l, const s7p_sysevent *e)
{
    if (l->err) return l->err;
    uint8_t data[512];
    s7p_wr w = s7p_wr_init(data, sizeof data);
    if (!s7p_sysevent_encode(&w, e)) return w.err;
    s7p_wr fw = s7p_wr_init(l->frame, sizeof l->frame);
    if (!s7p_frame_write(&fw, 0xFE, data, w.len, false)) return fw.err;
    s7p_status st = put_unit(l, l->frame, fw.len);
    return st == S7P_OK ? st : fail(l, st, "send");
}

s7p_status s7p_link_put_raw(s7p_link *l, const uint8_t *p, size_t n)
{
    if (l->err) return l->err;
    s7p_status st = put_unit(l, p, n);
    return st == S7P_OK ? st : fail(l, st, "send");
}

void s7p_link_output(const s7p_link *l, const uint8_t **p, size_t *n)
{
    s7p_iso_output(&l->iso, p, n);
}

void s7p_link_consumed(s7p_link *l, size_t n) { s7p_iso_consumed(&l->iso, n); }

/* ---- set-up ---- */

s7p_status s7p_link_connect_start(s7p_link *l, const s7p_iso_client_params *p)
{
    return s7p_iso_connect_start(&l->iso, p);
}

s7p_status s7p_link_connect_step(s7p_link *l, bool *done)
{
    return s7p_iso_connect_step(&l->iso, done);
}

s7p_status s7p_link_accept_step(s7p_link *l, s7p_iso_tsap_check check, void *ctx, bool *done)
{
    return s7p_iso_accept_step(&l->iso, check, ctx, done);
}

/* TLS record content types 20..23 (change_cipher_spec, alert, handshake, application). */
static bool looks_like_tls(uint8_t first) { return first >= 0x14 && first <= 0x17; }

/* A PLC that acknowledged InitSsl but then answers the ClientHello with something that is
 * not TLS, or with nothing, most likely runs without secure communication (legacy mode):
 * say so instead of reporting a bare TLS failure. A certificate rejection is not this.
 * `why` is the TLS layer's reason, or the transport's. */
static s7p_status handshake_failed(s7p_link *l, s7p_status st, const char *why)
{
    static const char hint[] = "it may need legacy security mode";
    l->hs_done = true;
    fail(l, st, "tls handshake");
    if (l->hs_bytes > 0 && !looks_like_tls(l->hs_first) && st == S7P_E_TLS) {
        l->err = S7P_E_CONFIG;
        snprintf(l->err_msg, sizeof l->err_msg,
                 "tls handshake: PLC acknowledged InitSSL but answered the TLS handshake with "
                 "non-TLS bytes (0x%02x...): %s", l->hs_first, hint);
        return S7P_E_CONFIG;
    }
    if (l->hs_bytes == 0 && (st == S7P_E_CLOSED || st == S7P_E_TIMEOUT)) {
        snprintf(l->err_msg, sizeof l->err_msg,
                 "tls handshake: PLC acknowledged InitSSL but did not answer the TLS handshake "
                 "(%s): %s", st == S7P_E_CLOSED ? "it closed the connection" : "timeout", hint);
        return st;
    }
    /* The TLS layer's reason already starts with "tls handshake". */
    if (*why) snprintf(l->err_msg, sizeof l->err_msg, "%s", why);
    return st;
}

s7p_status s7p_link_tls_start(s7p_link *l, s7p_tls_ctx *ctx)
{
    if (l->err) return l->err;
    l->tls = s7p_tls_create(ctx);
    if (!l->tls) return fail(l, S7P_E_NOMEM, "tls");
    l->hs_bytes = 0;
    l->hs_done = false;
    bool done;
    return s7p_link_tls_step(l, &done);  /* a client's ClientHello goes out now */
}

s7p_status s7p_link_tls_step(s7p_link *l, bool *done)
{
    *done = false;
    if (l->err) return l->err;
    if (!l->tls || l->hs_done) return S7P_E_STATE;
    for (;;) {
        s7p_status st = s7p_tls_handshake_step(l->tls, done);
        s7p_status sent = s7p_link_tls_drain(l);  /* a flight, or the alert of a failure */
        if (st != S7P_OK) return handshake_failed(l, st, s7p_tls_error(l->tls));
        if (sent != S7P_OK) return handshake_failed(l, sent, "");
        if (*done) {
            l->hs_done = true;
            return S7P_OK;
        }
        s7p_bytes b;
        st = s7p_iso_next(&l->iso, &b);
        if (st != S7P_OK) {
            char why[64];
            snprintf(why, sizeof why, "tls handshake receive: %s", s7p_status_text(st));
            return handshake_failed(l, st, why);
        }
        if (b.n == 0) return S7P_OK;  /* more bytes needed */
        if (l->hs_bytes == 0) l->hs_first = b.p[0];
        l->hs_bytes += b.n;
        if ((st = s7p_tls_feed(l->tls, b.p, b.n)) != S7P_OK) return handshake_failed(l, st, "");
    }
}

s7p_status s7p_link_transport_failed(s7p_link *l, s7p_status st, bool sending)
{
    if (l->err) return l->err;
    if (l->tls && !l->hs_done) {
        char why[64];
        snprintf(why, sizeof why, "tls handshake %s: %s", sending ? "send" : "receive",
                 s7p_status_text(st));
        return handshake_failed(l, st, why);
    }
    return fail(l, st, sending ? "send" : "receive");
}

/* ---- input: bytes -> TSDUs -> (TLS) plaintext -> frames -> messages ---- */

s7p_status s7p_link_feed(s7p_link *l, const uint8_t *p, size_t n)
{
    if (l->err) return l->err;
    s7p_status st = s7p_iso_feed(&l->iso, p, n);
    return st == S7P_OK ? st : fail(l, st, "receive");
}

/* Room for more plaintext at the end of rx; S7P_E_PROTOCOL when rx holds the most any
 * frame can need. */
static s7p_status rx_room(s7p_link *l, size_t need)
{
    if (need > S7P_LINK_RX_MAX) return S7P_E_PROTOCOL;  /* a frame larger than any peer sends */
    return s7p_buf_reserve(&l->rx, &l->rx_cap, need, RX_MIN, S7P_LINK_RX_MAX);
}

/* Appends more plaintext to rx: a TSDU in clear, or what TLS decrypts. *more false when the
 * fed bytes hold nothing more. */
static s7p_status more_rx(s7p_link *l, bool *more)
{
    *more = false;
    if (l->rx_len == S7P_LINK_RX_MAX) return S7P_E_PROTOCOL;
    s7p_bytes b;
    if (!l->tls) {
        s7p_status st = s7p_iso_next(&l->iso, &b);
        if (st != S7P_OK || b.n == 0) return st;
        if ((st = rx_room(l, l->rx_len + b.n)) != S7P_OK) return st;
        memcpy(l->rx + l->rx_len, b.p, b.n);
        l->rx_len += b.n;
        *more = true;
        return S7P_OK;
    }
    /* Some room for what TLS decrypts; a record that does not fit waits inside TLS. */
    size_t want = l->rx_len + TLS_READ_MIN;
    s7p_status st = rx_room(l, want < S7P_LINK_RX_MAX ? want : S7P_LINK_RX_MAX);
    if (st != S7P_OK) return st;
    for (;;) {
        size_t got = 0;
        st = s7p_tls_open(l->tls, l->rx + l->rx_len, l->rx_cap - l->rx_len, &got);
        s7p_status sent = s7p_link_tls_drain(l);  /* KeyUpdate answer, our alert */
        if (st != S7P_OK) return st;
        if (sent != S7P_OK) return sent;
        if (got) {
            l->rx_len += got;
            *more = true;
            return S7P_OK;
        }
        if ((st = s7p_iso_next(&l->iso, &b)) != S7P_OK || b.n == 0) return st;
        if ((st = s7p_tls_feed(l->tls, b.p, b.n)) != S7P_OK) return st;
    }
}

static void consume_rx(s7p_link *l, size_t n)
{
    memmove(l->rx, l->rx + n, l->rx_len - n);
    l->rx_len -= n;
}

/* True when everything after `used` is a (possibly empty) beginning of `72 vv 00 00`. */
static bool trailer_may_follow(const s7p_link *l, size_t used, uint8_t version)
{
    const uint8_t trailer[S7P_FRAME_TRAILER_LEN] = {S7P_FRAME_MARKER, version, 0, 0};
    size_t rest = l->rx_len - used;
    return rest < S7P_FRAME_TRAILER_LEN && memcmp(l->rx + used, trailer, rest) == 0;
}

/* Decodes a complete PDU data part held in pdu_buf. */
static s7p_status finish_pdu(s7p_link *l, s7p_arena *a, s7p_msg *out)
{
    out->kind = S7P_MSG_PDU;
    out->raw = l->reasm.buf;
    out->raw_len = l->reasm.len;
    if (l->trace) l->trace(l->trace_ctx, false, l->reasm.version, out->raw, out->raw_len);
    if (l->pop_raw) {
        out->pdu.version = l->reasm.version;
        return S7P_OK;
    }
    return s7p_pdu_decode(out->raw, out->raw_len, l->reasm.version, a, &out->pdu);
}

/* Makes room for one more fragment, doubling the reassembly buffer up to pdu_max. */
static s7p_status grow_reasm(s7p_link *l, size_t more)
{
    size_t used = l->reasm.active ? l->reasm.len : 0;
    if (more > l->pdu_max - used) return S7P_E_LIMIT;
    /* Never a NULL buffer, even for an empty PDU: the decoder gets a real pointer. */
    size_t need = used + more ? used + more : 1;
    s7p_status st = s7p_buf_reserve(&l->pdu_buf, &l->reasm.cap, need, PDU_MIN, l->pdu_max);
    l->reasm.buf = l->pdu_buf;
    return st;
}

/* Handles one parsed frame; *done when it completed a message. */
static s7p_status on_frame(s7p_link *l, const s7p_frame *f, s7p_arena *a, s7p_msg *out,
                           bool *done)
{
    *done = false;
    if (f->version == 0xFF) {
        out->kind = S7P_MSG_KEEPALIVE;
        *done = true;
        return S7P_OK;
    }
    if (f->version == 0xFE) {
        /* The frame lives in rx, which moves on; keep the event's bytes in the arena. */
        uint8_t *copy = s7p_arena_alloc(a, f->data.n);
        if (!copy) return S7P_E_NOMEM;
        memcpy(copy, f->data.p, f->data.n);
        out->kind = S7P_MSG_SYSTEM_EVENT;
        *done = true;
        return s7p_sysevent_decode(copy, f->data.n, a, &out->event);
    }
    if (l->digest_on && verify_frame(l, f) != S7P_OK) return S7P_E_INTEGRITY;
    s7p_status st = grow_reasm(l, f->data.n);
    if (st == S7P_OK) st = s7p_reasm_feed(&l->reasm, f, done);
    if (st != S7P_OK || !*done) return st;
    return finish_pdu(l, a, out);
}

/* Parses rx for a frame that can be handled now: *need_more when rx must grow first. */
static s7p_status next_frame(s7p_link *l, s7p_frame *f, size_t *used, bool *need_more)
{
    *need_more = false;
    *used = 0;
    s7p_status st = s7p_frame_parse(l->rx, l->rx_len, f, used);
    /* A header announcing more than the receive buffer may hold can never complete. */
    if (st == S7P_E_TOO_SMALL && l->rx_len >= S7P_FRAME_HEADER_LEN &&
        S7P_FRAME_HEADER_LEN + ((size_t)l->rx[2] << 8 | l->rx[3]) + S7P_FRAME_TRAILER_LEN >
            S7P_LINK_RX_MAX)
        return fail(l, S7P_E_PROTOCOL, "frame longer than any peer sends");
    if (st == S7P_E_TOO_SMALL || (st == S7P_OK && l->rx_len == 0)) {
        *need_more = true;
        return S7P_OK;
    }
    if (st != S7P_OK) return fail(l, st, "frame");
    /* A frame without trailer at the end of rx may still get its trailer, also when the
     * bytes received so far end inside it. */
    if (!f->has_trailer && f->version <= 3 && trailer_may_follow(l, *used, f->version))
        *need_more = true;
    return S7P_OK;
}

s7p_status s7p_link_pop(s7p_link *l, s7p_arena *a, s7p_msg *out, bool *got)
{
    memset(out, 0, sizeof *out);
    *got = false;
    if (l->err) return l->err;
    for (;;) {
        s7p_frame f;
        size_t used;
        bool need_more;
        s7p_status st = next_frame(l, &f, &used, &need_more);
        if (st != S7P_OK) return st;
        if (need_more) {
            bool more;
            st = more_rx(l, &more);
            if (st != S7P_OK) return fail(l, st, "receive");
            if (more) continue;
            trim(l);  /* waiting for the peer: a good moment to give memory back */
            return S7P_OK;
        }
        st = on_frame(l, &f, a, out, got);
        consume_rx(l, used);
        if (st != S7P_OK) {
            *got = false;
            return fail(l, st, "decode");  /* an integrity failure keeps its own message */
        }
        if (*got) return S7P_OK;
    }
}

#include "session/channel.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

#define RX_CAP (64u * 1024u)
#define TX_INITIAL (16u * 1024u)
#define PDU_INITIAL (64u * 1024u)  /* grows up to S7P_PDU_MAX for large answers */

static s7p_status fail(s7p_channel *ch, s7p_status st, const char *what)
{
    if (ch->err == S7P_OK) {
        ch->err = st;
        /* For TLS failures OpenSSL's own reason says more than the code. */
        const char *why = st == S7P_E_TLS && ch->tls && *s7p_tls_error(ch->tls)
                              ? s7p_tls_error(ch->tls)
                              : s7p_strerror(st);
        snprintf(ch->err_msg, sizeof ch->err_msg, "%s: %s", what, why);
    }
    return st;
}

s7p_status s7p_channel_break(s7p_channel *ch, s7p_status st, const char *what)
{
    return fail(ch, st, what);
}

/* ---- TLS over COTP: the TLS byte stream travels in DTs of at most 960 bytes ---- */

static s7p_status tls_send(void *ctx, const uint8_t *p, size_t n, int64_t deadline)
{
    s7p_channel *ch = ctx;
    return s7p_iso_send(&ch->iso, p, n, S7P_TLS_DT_CHUNK, deadline);
}

static s7p_status tls_recv(void *ctx, const uint8_t **p, size_t *n, int64_t deadline)
{
    s7p_channel *ch = ctx;
    s7p_bytes b;
    s7p_status st = s7p_iso_recv(&ch->iso, &b, deadline);
    *p = b.p;
    *n = b.n;
    if (b.n && ch->tls && !ch->hs_done) {
        if (ch->hs_bytes == 0) ch->hs_first = b.p[0];
        ch->hs_bytes += b.n;
    }
    return st;
}

s7p_status s7p_channel_init(s7p_channel *ch, int fd)
{
    memset(ch, 0, sizeof *ch);
    s7p_status st = s7p_iso_init(&ch->iso, fd);
    if (st != S7P_OK) return st;
    ch->rx = s7p_malloc(RX_CAP);
    ch->pdu_buf = s7p_malloc(PDU_INITIAL);
    ch->tx = s7p_malloc(TX_INITIAL);
    if (!ch->rx || !ch->pdu_buf || !ch->tx) {
        s7p_channel_close(ch);
        return S7P_E_NOMEM;
    }
    ch->rx_cap = RX_CAP;
    ch->tx_cap = TX_INITIAL;
    s7p_reasm_init(&ch->reasm, ch->pdu_buf, PDU_INITIAL);
    ch->tls_io.ctx = ch;
    ch->tls_io.send = tls_send;
    ch->tls_io.recv = tls_recv;
    return S7P_OK;
}

void s7p_channel_close(s7p_channel *ch)
{
    s7p_tls_free(ch->tls);
    ch->tls = NULL;
    s7p_iso_close(&ch->iso);
    s7p_free(ch->rx);
    s7p_free(ch->pdu_buf);
    s7p_free(ch->tx);
    ch->rx = ch->pdu_buf = ch->tx = NULL;
    ch->rx_len = ch->rx_cap = ch->tx_cap = 0;
}

/* TLS record content types 20..23 (change_cipher_spec, alert, handshake, application). */
static bool looks_like_tls(uint8_t first) { return first >= 0x14 && first <= 0x17; }

/* A PLC that acknowledged InitSsl but then answers the ClientHello with something that is
 * not TLS, or with nothing, most likely runs without secure communication (legacy mode):
 * say so instead of reporting a bare TLS failure. A certificate rejection is not this. */
static s7p_status handshake_failed(s7p_channel *ch, s7p_status st)
{
    static const char hint[] = "it may need legacy security mode";
    if (ch->hs_bytes > 0 && !looks_like_tls(ch->hs_first) && st == S7P_E_TLS) {
        ch->err = S7P_E_CONFIG;
        snprintf(ch->err_msg, sizeof ch->err_msg,
                 "tls handshake: PLC acknowledged InitSSL but answered the TLS handshake with "
                 "non-TLS bytes (0x%02x...): %s", ch->hs_first, hint);
        return S7P_E_CONFIG;
    }
    if (ch->hs_bytes == 0 && (st == S7P_E_CLOSED || st == S7P_E_TIMEOUT)) {
        snprintf(ch->err_msg, sizeof ch->err_msg,
                 "tls handshake: PLC acknowledged InitSSL but did not answer the TLS handshake "
                 "(%s): %s", st == S7P_E_CLOSED ? "it closed the connection" : "timeout", hint);
        return st;
    }
    /* The TLS layer's reason already starts with "tls handshake". */
    const char *why = s7p_tls_error(ch->tls);
    if (*why) snprintf(ch->err_msg, sizeof ch->err_msg, "%s", why);
    return st;
}

s7p_status s7p_channel_start_tls(s7p_channel *ch, s7p_tls_ctx *ctx, int64_t deadline)
{
    if (ch->err) return ch->err;
    ch->tls = s7p_tls_new(ctx, &ch->tls_io);
    if (!ch->tls) return fail(ch, S7P_E_NOMEM, "tls");
    ch->hs_bytes = 0;
    s7p_status st = s7p_tls_handshake(ch->tls, deadline);
    ch->hs_done = true;
    if (st != S7P_OK) {
        fail(ch, st, "tls handshake");
        st = handshake_failed(ch, st);
    }
    return st;
}

/* ---- send ---- */

static s7p_status send_frame(s7p_channel *ch, const uint8_t *f, size_t n, int64_t deadline)
{
    if (ch->tls) return s7p_tls_write(ch->tls, f, n, deadline);
    return s7p_iso_send(&ch->iso, f, n, 0, deadline);
}

static s7p_status ensure_tx(s7p_channel *ch, size_t need)
{
    if (need <= ch->tx_cap) return S7P_OK;
    if (need > S7P_PDU_MAX) return S7P_E_LIMIT;
    uint8_t *p = s7p_realloc(ch->tx, need);
    if (!p) return S7P_E_NOMEM;
    ch->tx = p;
    ch->tx_cap = need;
    return S7P_OK;
}

s7p_status s7p_channel_send(s7p_channel *ch, const s7p_pdu *p, int64_t deadline)
{
    if (ch->err) return ch->err;
    s7p_wr count = s7p_wr_counter();
    if (!s7p_pdu_encode(&count, p)) return count.err;  /* the caller's PDU is wrong */
    s7p_status st = ensure_tx(ch, count.len);
    if (st != S7P_OK) return st;
    s7p_wr w = s7p_wr_init(ch->tx, ch->tx_cap);
    if (!s7p_pdu_encode(&w, p)) return w.err;
    ch->tx_len = w.len;
    if (ch->trace) ch->trace(ch->trace_ctx, true, p->version, ch->tx, w.len);
    size_t off = 0;
    do {
        size_t n = w.len - off < S7P_FRAME_DATA_MAX ? w.len - off : S7P_FRAME_DATA_MAX;
        bool last = off + n == w.len;
        s7p_wr fw = s7p_wr_init(ch->frame, sizeof ch->frame);
        s7p_frame_write(&fw, p->version, ch->tx + off, n, last);
        st = send_frame(ch, ch->frame, fw.len, deadline);
        if (st != S7P_OK) return fail(ch, st, "send");
        off += n;
    } while (off < w.len);
    return S7P_OK;
}

s7p_status s7p_channel_send_event(s7p_channel *ch, const s7p_sysevent *e, int64_t deadline)
{
    if (ch->err) return ch->err;
    uint8_t data[512];
    s7p_wr w = s7p_wr_init(data, sizeof data);
    if (!s7p_sysevent_encode(&w, e)) return w.err;
    s7p_wr fw = s7p_wr_init(ch->frame, sizeof ch->frame);
    if (!s7p_frame_write(&fw, 0xFE, data, w.len, false)) return fw.err;
    s7p_status st = send_frame(ch, ch->frame, fw.len, deadline);
    return st == S7P_OK ? st : fail(ch, st, "send");
}

s7p_status s7p_channel_send_raw(s7p_channel *ch, const uint8_t *p, size_t n, int64_t deadline)
{
    if (ch->err) return ch->err;
    s7p_status st = ch->tls ? s7p_tls_write(ch->tls, p, n, deadline)
                            : s7p_iso_send(&ch->iso, p, n, 0, deadline);
    return st == S7P_OK ? st : fail(ch, st, "send");
}

/* ---- receive ---- */

/* Appends more plaintext to rx: a TSDU in clear, or a record's worth of TLS data. */
static s7p_status fill_rx(s7p_channel *ch, int64_t deadline)
{
    if (ch->rx_len == ch->rx_cap) return S7P_E_PROTOCOL;  /* a frame larger than any peer sends */
    if (ch->tls) {
        size_t got = 0;
        s7p_status st = s7p_tls_read(ch->tls, ch->rx + ch->rx_len, ch->rx_cap - ch->rx_len, &got,
                                     deadline);
        ch->rx_len += got;
        return st;
    }
    s7p_bytes b;
    s7p_status st = s7p_iso_recv(&ch->iso, &b, deadline);
    if (st != S7P_OK) return st;
    if (b.n > ch->rx_cap - ch->rx_len) return S7P_E_PROTOCOL;
    memcpy(ch->rx + ch->rx_len, b.p, b.n);
    ch->rx_len += b.n;
    return S7P_OK;
}

static void consume_rx(s7p_channel *ch, size_t n)
{
    memmove(ch->rx, ch->rx + n, ch->rx_len - n);
    ch->rx_len -= n;
}

/* True when everything after `used` is a (possibly empty) beginning of `72 vv 00 00`. */
static bool trailer_may_follow(const s7p_channel *ch, size_t used, uint8_t version)
{
    const uint8_t trailer[S7P_FRAME_TRAILER_LEN] = {S7P_FRAME_MARKER, version, 0, 0};
    size_t rest = ch->rx_len - used;
    return rest < S7P_FRAME_TRAILER_LEN && memcmp(ch->rx + used, trailer, rest) == 0;
}

/* Decodes a complete PDU data part held in pdu_buf. */
static s7p_status finish_pdu(s7p_channel *ch, s7p_arena *a, s7p_msg *out)
{
    out->kind = S7P_MSG_PDU;
    out->raw = ch->reasm.buf;
    out->raw_len = ch->reasm.len;
    if (ch->trace) ch->trace(ch->trace_ctx, false, ch->reasm.version, out->raw, out->raw_len);
    return s7p_pdu_decode(out->raw, out->raw_len, ch->reasm.version, a, &out->pdu);
}

/* Makes room for one more fragment, doubling the reassembly buffer up to S7P_PDU_MAX. */
static s7p_status grow_reasm(s7p_channel *ch, size_t more)
{
    size_t used = ch->reasm.active ? ch->reasm.len : 0;
    size_t cap = ch->reasm.cap;
    if (more <= cap - used) return S7P_OK;
    while (cap - used < more && cap < S7P_PDU_MAX) cap *= 2;
    if (cap > S7P_PDU_MAX) cap = S7P_PDU_MAX;
    if (cap - used < more) return S7P_E_LIMIT;
    uint8_t *p = s7p_realloc(ch->pdu_buf, cap);
    if (!p) return S7P_E_NOMEM;
    ch->pdu_buf = ch->reasm.buf = p;
    ch->reasm.cap = cap;
    return S7P_OK;
}

/* Handles one parsed frame; *done when it completed a message. */
static s7p_status on_frame(s7p_channel *ch, const s7p_frame *f, s7p_arena *a, s7p_msg *out,
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
    s7p_status st = grow_reasm(ch, f->data.n);
    if (st == S7P_OK) st = s7p_reasm_feed(&ch->reasm, f, done);
    if (st != S7P_OK || !*done) return st;
    return finish_pdu(ch, a, out);
}

s7p_status s7p_channel_recv(s7p_channel *ch, s7p_arena *a, s7p_msg *out, int64_t deadline)
{
    memset(out, 0, sizeof *out);
    if (ch->err) return ch->err;
    for (;;) {
        s7p_frame f;
        size_t used = 0;
        s7p_status st = s7p_frame_parse(ch->rx, ch->rx_len, &f, &used);
        /* A header announcing more than the receive buffer holds can never complete. */
        if (st == S7P_E_TOO_SMALL && ch->rx_len >= S7P_FRAME_HEADER_LEN &&
            S7P_FRAME_HEADER_LEN + ((size_t)ch->rx[2] << 8 | ch->rx[3]) + S7P_FRAME_TRAILER_LEN >
                ch->rx_cap)
            return fail(ch, S7P_E_PROTOCOL, "frame longer than any peer sends");
        if (st == S7P_E_TOO_SMALL || (st == S7P_OK && ch->rx_len == 0)) {
            st = fill_rx(ch, deadline);
            if (st != S7P_OK) return fail(ch, st, "receive");
            continue;
        }
        if (st != S7P_OK) return fail(ch, st, "frame");
        /* A frame without trailer at the end of rx may still get its trailer, also when the
         * bytes received so far end inside it. */
        if (!f.has_trailer && f.version <= 3 && trailer_may_follow(ch, used, f.version)) {
            st = fill_rx(ch, deadline);
            if (st != S7P_OK) return fail(ch, st, "receive");
            continue;
        }
        bool done;
        st = on_frame(ch, &f, a, out, &done);
        consume_rx(ch, used);
        if (st != S7P_OK) return fail(ch, st, "decode");
        if (done) return S7P_OK;
    }
}

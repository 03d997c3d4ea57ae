/* SPDX-License-Identifier: MIT */
#include "net/iso.h"

#include <string.h>

#include "net/tcp.h"
#include "util/alloc.h"
#include "util/buf.h"

#define DT_OVERHEAD (S7P_TPKT_HEADER_LEN + S7P_COTP_DT_HEADER_LEN)  /* 7 bytes per DT */
#define TPDU_EXP_MIN 7u         /* 128 bytes, also the ISO 8073 default when C0 is absent */
#define TPDU_EXP_MAX 13u        /* 8192 bytes = S7P_ISO_MAX_TPDU */
#define SERVER_TPDU_EXP_MAX 10u /* a server grants at most 1024, like every PLC */
#define TPDU_SIZE_DEFAULT 1024u
/* One COTP connection per TCP connection, so any non-zero reference is unique. 1 is what the
 * reference client sends. */
#define OWN_REF 0x0001u
#define DR_REASON_ADDRESS_UNKNOWN 0x03u  /* ISO 8073 class 0 reason: no such TSAP here */
/* Buffer sizes an idle connection keeps: a few TPKTs of the usual 1024-byte TPDU, so that
 * common requests and answers need no reallocation. */
#define IN_MIN 4096u            /* also the least room offered to one socket read */
#define OUT_MIN 4096u
#define TSDU_MIN 2048u

/* ---- lifetime ---- */

s7p_status s7p_iso_init(s7p_iso *iso, int fd)
{
    memset(iso, 0, sizeof *iso);
    iso->fd = fd;
    iso->open = true;
    iso->tpdu_size = TPDU_SIZE_DEFAULT;
    return S7P_OK;
}

void s7p_iso_close(s7p_iso *iso)
{
    if (!iso) return;
    /* Only an initialised iso owns its fd; a zeroed struct's fd 0 is not ours. */
    if (iso->open) {
        s7p_tcp_close(iso->fd);
        s7p_free(iso->rbuf);
        s7p_free(iso->tsdu);
        s7p_free(iso->obuf);
        memset(iso, 0, sizeof *iso);
    }
    iso->fd = -1;
}

void s7p_iso_trim(s7p_iso *iso)
{
    if (!iso || !iso->open) return;
    if (iso->rpos == iso->rlen) iso->rpos = iso->rlen = 0;
    s7p_buf_shrink(&iso->rbuf, &iso->rcap, iso->rlen, IN_MIN);
    s7p_buf_shrink(&iso->tsdu, &iso->tsdu_cap, iso->tsdu_len, 0);
    if (iso->opos == iso->olen) s7p_buf_shrink(&iso->obuf, &iso->ocap, 0, OUT_MIN);
}

/* ---- receive: TPKTs out of the fed bytes ---- */

/* Moves the unparsed bytes to the front. */
static void compact(s7p_iso *iso)
{
    size_t left = iso->rlen - iso->rpos;
    if (iso->rpos && left) memmove(iso->rbuf, iso->rbuf + iso->rpos, left);
    iso->rlen = left;
    iso->rpos = 0;
}

s7p_status s7p_iso_feed(s7p_iso *iso, const uint8_t *p, size_t n)
{
    if (!iso || !iso->open) return S7P_E_STATE;
    if (!p && n) return S7P_E_INVALID_ARG;
    compact(iso);
    s7p_status st = s7p_buf_reserve(&iso->rbuf, &iso->rcap, iso->rlen + n, IN_MIN,
                                    S7P_ISO_MAX_PENDING);
    if (st != S7P_OK) return st;
    if (n) memcpy(iso->rbuf + iso->rlen, p, n);
    iso->rlen += n;
    return S7P_OK;
}

/* The next whole TPKT of the fed bytes as a view into rbuf, or *n == 0 when it has not come
 * completely yet. TCP may split a TPKT or bring several at once; leftovers wait. */
static s7p_status next_tpkt(s7p_iso *iso, const uint8_t **p, size_t *n)
{
    *n = 0;
    size_t avail = iso->rlen - iso->rpos;
    if (avail == 0) return S7P_OK;
    size_t len;
    s7p_status st = s7p_tpkt_length(iso->rbuf + iso->rpos, avail, &len);
    if (st == S7P_E_PROTOCOL) return st;
    if (st == S7P_OK && len <= avail) {
        *p = iso->rbuf + iso->rpos;
        *n = len;
        iso->rpos += len;
    }
    return S7P_OK;
}

/* The next TPDU, decoded; *got false when it is not complete yet. */
static s7p_status next_tpdu(s7p_iso *iso, s7p_cotp *c, bool *got)
{
    const uint8_t *p = NULL;
    size_t n;
    s7p_status st = next_tpkt(iso, &p, &n);
    *got = st == S7P_OK && n > 0;
    if (!*got) return st;
    return s7p_cotp_decode(p, n, c);
}

/* Adds one DT to the TSDU being assembled; a TSDU in one DT is returned as a view without
 * copying. *out is set when the TSDU is complete and non-empty. */
static s7p_status take_dt(s7p_iso *iso, const s7p_cotp *dt, s7p_bytes *out)
{
    if (dt->payload.n == 0) {
        /* HMIs send an empty DT after every response: skip them, but not without end. */
        if (++iso->empty_dts > S7P_ISO_MAX_EMPTY_DT) return S7P_E_PROTOCOL;
    } else {
        iso->empty_dts = 0;
        if (dt->eot && iso->tsdu_len == 0) {
            *out = dt->payload;
            return S7P_OK;
        }
        if (dt->payload.n > S7P_ISO_MAX_TSDU - iso->tsdu_len) return S7P_E_LIMIT;
        s7p_status st = s7p_buf_reserve(&iso->tsdu, &iso->tsdu_cap,
                                        iso->tsdu_len + dt->payload.n, TSDU_MIN,
                                        S7P_ISO_MAX_TSDU);
        if (st != S7P_OK) return st;
        memcpy(iso->tsdu + iso->tsdu_len, dt->payload.p, dt->payload.n);
        iso->tsdu_len += dt->payload.n;
    }
    if (dt->eot && iso->tsdu_len > 0) {
        *out = (s7p_bytes){iso->tsdu, iso->tsdu_len};
        iso->tsdu_len = 0;  /* the next TSDU starts anew in the same buffer */
    }
    return S7P_OK;
}

s7p_status s7p_iso_next(s7p_iso *iso, s7p_bytes *out)
{
    out->p = NULL;
    out->n = 0;
    if (!iso || !iso->open) return S7P_E_STATE;
    for (;;) {
        s7p_cotp c;
        bool got;
        s7p_status st = next_tpdu(iso, &c, &got);
        if (st != S7P_OK || !got) return st;  /* a partial TSDU is kept for later */
        if (c.type == S7P_COTP_DR) return S7P_E_CLOSED;
        if (c.type != S7P_COTP_DT) return S7P_E_PROTOCOL;  /* CR/CC after set-up, ER */
        st = take_dt(iso, &c, out);
        if (st != S7P_OK) {
            iso->tsdu_len = 0;
            return st;
        }
        if (out->n) {
            iso->empty_dts = 0;
            return S7P_OK;
        }
    }
}

/* ---- send: TPDUs into the output queue ---- */

/* Room for one more TPDU of at most n bytes at the end of the queue. */
static s7p_status out_room(s7p_iso *iso, size_t n, s7p_wr *w)
{
    if (iso->opos == iso->olen) iso->opos = iso->olen = 0;
    s7p_status st = s7p_buf_reserve(&iso->obuf, &iso->ocap, iso->olen + n, OUT_MIN, SIZE_MAX);
    if (st != S7P_OK) return st;
    *w = s7p_wr_init(iso->obuf + iso->olen, n);
    return S7P_OK;
}

static s7p_status put_dt(s7p_iso *iso, const uint8_t *p, size_t n, bool eot)
{
    s7p_wr w;
    s7p_status st = out_room(iso, DT_OVERHEAD + n, &w);
    if (st != S7P_OK) return st;
    s7p_cotp_write_dt(&w, p, n, eot);
    if (w.err != S7P_OK) return w.err;
    iso->olen += w.len;
    return S7P_OK;
}

s7p_status s7p_iso_put(s7p_iso *iso, const uint8_t *data, size_t n, size_t max_chunk)
{
    if (!iso || !iso->open) return S7P_E_STATE;
    if (!data && n) return S7P_E_INVALID_ARG;
    /* Never more than the negotiated TPDU, whatever the caller asks for. */
    size_t room = iso->tpdu_size - DT_OVERHEAD;
    size_t chunk = max_chunk && max_chunk < room ? max_chunk : room;
    while (n > 0) {
        size_t k = n < chunk ? n : chunk;
        /* EOT on every DT: peers pass each DT up as a unit and never reassemble (spec §1.5). */
        s7p_status st = put_dt(iso, data, k, true);
        if (st != S7P_OK) return st;
        data += k;
        n -= k;
    }
    return S7P_OK;
}

s7p_status s7p_iso_put_empty(s7p_iso *iso)
{
    if (!iso || !iso->open) return S7P_E_STATE;
    return put_dt(iso, NULL, 0, false);  /* 03 00 00 07 02 F0 00, as HMIs send */
}

void s7p_iso_output(const s7p_iso *iso, const uint8_t **p, size_t *n)
{
    bool any = iso && iso->open && iso->olen > iso->opos;
    *p = any ? iso->obuf + iso->opos : NULL;
    *n = any ? iso->olen - iso->opos : 0;
}

void s7p_iso_consumed(s7p_iso *iso, size_t n)
{
    if (!iso || !iso->open) return;
    size_t left = iso->olen - iso->opos;
    iso->opos += n < left ? n : left;
    if (iso->opos == iso->olen) {
        iso->opos = iso->olen = 0;
        /* A large PDU went out: give its room back. */
        s7p_buf_shrink(&iso->obuf, &iso->ocap, 0, OUT_MIN);
    }
}

/* ---- connection set-up ---- */

/* Client: the size the CC grants (C0 if valid, else the 1024 every peer uses), never more
 * than we asked for. */
static size_t granted_size(uint8_t got, uint8_t asked)
{
    size_t size = got >= TPDU_EXP_MIN && got <= TPDU_EXP_MAX ? (size_t)1 << got
                                                             : TPDU_SIZE_DEFAULT;
    size_t cap = (size_t)1 << asked;
    return size < cap ? size : cap;
}

/* Server: grant what the CR asked for, at most 1024. A CR without a valid C0 gets the
 * ISO 8073 default of 128, the only size such a client is known to handle. */
static uint8_t server_exp(uint8_t asked)
{
    if (asked < TPDU_EXP_MIN) return TPDU_EXP_MIN;
    return asked > SERVER_TPDU_EXP_MAX ? (uint8_t)SERVER_TPDU_EXP_MAX : asked;
}

s7p_status s7p_iso_connect_start(s7p_iso *iso, const s7p_iso_client_params *p)
{
    /* Arguments first: a bad TSAP must fail before any byte goes out. */
    if (!p || !s7p_tsap_valid(p->remote_tsap)) return S7P_E_INVALID_ARG;
    uint8_t exp = p->tpdu_exp ? p->tpdu_exp : S7P_COTP_TPDU_EXP_DEFAULT;
    if (exp < TPDU_EXP_MIN || exp > TPDU_EXP_MAX) return S7P_E_INVALID_ARG;
    if (!iso || !iso->open) return S7P_E_STATE;

    uint16_t tsap = p->local_tsap ? p->local_tsap : (uint16_t)S7P_TSAP_LOCAL_DEFAULT;
    uint8_t calling[2] = {(uint8_t)(tsap >> 8), (uint8_t)tsap};
    s7p_bytes calling_b = {calling, sizeof calling};
    s7p_bytes called_b = {(const uint8_t *)p->remote_tsap, strlen(p->remote_tsap)};
    iso->local_ref = OWN_REF;
    iso->asked_exp = exp;
    iso->setup_reply = -1;
    s7p_wr w;
    s7p_status st = out_room(iso, S7P_TPKT_HEADER_LEN + 255u, &w);
    if (st != S7P_OK) return st;
    s7p_cotp_write_cr(&w, iso->local_ref, exp, calling_b, called_b);
    if (w.err != S7P_OK) return w.err;
    iso->olen += w.len;
    return S7P_OK;
}

s7p_status s7p_iso_connect_step(s7p_iso *iso, bool *done)
{
    *done = false;
    if (!iso || !iso->open) return S7P_E_STATE;
    /* Only a DR is a refusal (spec §1.4): garbage or a close are reported as what they are,
     * so that a caller does not blame the TSAP for a peer that is not a PLC at all. */
    s7p_cotp cc;
    bool got;
    s7p_status st = next_tpdu(iso, &cc, &got);
    if (st != S7P_OK || !got) return st;
    if (cc.type == S7P_COTP_DR) return S7P_E_CONNECT;
    if (cc.type != S7P_COTP_CC) {
        iso->setup_reply = cc.type;
        return S7P_E_PROTOCOL;
    }
    iso->remote_ref = cc.src_ref;
    iso->tpdu_size = granted_size(cc.tpdu_exp, iso->asked_exp);
    *done = true;
    return S7P_OK;
}

s7p_status s7p_iso_accept_step(s7p_iso *iso, s7p_iso_tsap_check check, void *ctx, bool *done)
{
    *done = false;
    if (!iso || !iso->open) return S7P_E_STATE;
    s7p_cotp cr;
    bool got;
    s7p_status st = next_tpdu(iso, &cr, &got);
    if (st != S7P_OK || !got) return st;
    if (cr.type != S7P_COTP_CR) return S7P_E_PROTOCOL;
    iso->remote_ref = cr.src_ref;
    iso->local_ref = OWN_REF;
    *done = true;

    s7p_wr w;
    st = out_room(iso, S7P_TPKT_HEADER_LEN + 255u, &w);
    if (st != S7P_OK) return st;
    if (check && !check(ctx, cr.called_tsap)) {
        /* Refused: tell the client why, then the caller drops the connection. */
        s7p_cotp_write_dr(&w, cr.src_ref, iso->local_ref, DR_REASON_ADDRESS_UNKNOWN);
        if (w.err == S7P_OK) iso->olen += w.len;
        return S7P_E_CONNECT;
    }
    uint8_t exp = server_exp(cr.tpdu_exp);
    /* TSAPs echoed byte for byte, C0 first, as real PLCs answer (spec §1.4). */
    s7p_cotp_write_cc(&w, cr.src_ref, iso->local_ref, exp, cr.calling_tsap, cr.called_tsap);
    if (w.err != S7P_OK) return w.err;
    iso->olen += w.len;
    iso->tpdu_size = (size_t)1 << exp;
    return S7P_OK;
}

/* ---- blocking calls: the core driven through the socket ---- */

s7p_status s7p_iso_flush(s7p_iso *iso, int64_t deadline)
{
    const uint8_t *p;
    size_t n;
    s7p_iso_output(iso, &p, &n);
    if (n == 0) return S7P_OK;
    s7p_status st = s7p_tcp_write_all(iso->fd, p, n, deadline, &iso->sys_errno);
    /* Written or not, these bytes are done with: after a failure the stream is unusable. */
    s7p_iso_consumed(iso, n);
    return st;
}

s7p_status s7p_iso_fill(s7p_iso *iso, int64_t deadline)
{
    if (!iso || !iso->open) return S7P_E_STATE;
    compact(iso);
    /* Room for the whole TPKT being received (its header may announce up to 64 KiB), and
     * IN_MIN at least, so that a burst needs few reads. */
    size_t len = 0, need = iso->rlen + 1;
    if (iso->rlen && s7p_tpkt_length(iso->rbuf, iso->rlen, &len) == S7P_OK && len > need)
        need = len;
    s7p_status st = s7p_buf_reserve(&iso->rbuf, &iso->rcap, need, IN_MIN, S7P_ISO_MAX_PENDING);
    if (st != S7P_OK) return st;
    size_t got = 0;
    st = s7p_tcp_read_some(iso->fd, iso->rbuf + iso->rlen, iso->rcap - iso->rlen, &got,
                           deadline, &iso->sys_errno);
    iso->rlen += got;
    return st;
}

s7p_status s7p_iso_connect(s7p_iso *iso, const s7p_iso_client_params *p, int64_t deadline)
{
    s7p_status st = s7p_iso_connect_start(iso, p);
    if (st == S7P_OK) st = s7p_iso_flush(iso, deadline);
    bool done = false;
    while (st == S7P_OK && !(st = s7p_iso_connect_step(iso, &done)) && !done)
        st = s7p_iso_fill(iso, deadline);
    return st;
}

s7p_status s7p_iso_accept(s7p_iso *iso, s7p_iso_tsap_check check, void *ctx, int64_t deadline)
{
    bool done = false;
    s7p_status st;
    while (!(st = s7p_iso_accept_step(iso, check, ctx, &done)) && !done)
        if ((st = s7p_iso_fill(iso, deadline)) != S7P_OK) return st;
    if (st == S7P_E_CONNECT) {
        /* The DR is a courtesy, so a failure to send it does not change the result. */
        (void)s7p_iso_flush(iso, deadline);
        return st;
    }
    return st == S7P_OK ? s7p_iso_flush(iso, deadline) : st;
}

s7p_status s7p_iso_send(s7p_iso *iso, const uint8_t *data, size_t n, size_t max_chunk,
                        int64_t deadline)
{
    s7p_status st = s7p_iso_put(iso, data, n, max_chunk);
    return st == S7P_OK ? s7p_iso_flush(iso, deadline) : st;
}

s7p_status s7p_iso_send_empty(s7p_iso *iso, int64_t deadline)
{
    s7p_status st = s7p_iso_put_empty(iso);
    return st == S7P_OK ? s7p_iso_flush(iso, deadline) : st;
}

s7p_status s7p_iso_recv(s7p_iso *iso, s7p_bytes *out, int64_t deadline)
{
    for (;;) {
        s7p_status st = s7p_iso_next(iso, out);
        if (st != S7P_OK || out->n) return st;
        if ((st = s7p_iso_fill(iso, deadline)) != S7P_OK) return st;
    }
}

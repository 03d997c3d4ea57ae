#include "net/iso.h"

#include <string.h>

#include "net/tcp.h"
#include "util/alloc.h"

#define DT_OVERHEAD (S7P_TPKT_HEADER_LEN + S7P_COTP_DT_HEADER_LEN)  /* 7 bytes per DT */
#define TPDU_EXP_MIN 7u         /* 128 bytes, also the ISO 8073 default when C0 is absent */
#define TPDU_EXP_MAX 13u        /* 8192 bytes = S7P_ISO_MAX_TPDU */
#define SERVER_TPDU_EXP_MAX 10u /* a server grants at most 1024, like every PLC */
#define TPDU_SIZE_DEFAULT 1024u
/* One COTP connection per TCP connection, so any non-zero reference is unique. 1 is what the
 * reference client sends. */
#define OWN_REF 0x0001u
#define DR_REASON_ADDRESS_UNKNOWN 0x03u  /* ISO 8073 class 0 reason: no such TSAP here */

/* ---- lifetime ---- */

/* Frees everything and closes fd, leaving the closed state. */
static void release(s7p_iso *iso)
{
    s7p_tcp_close(iso->fd);
    s7p_free(iso->rbuf);
    s7p_free(iso->tsdu);
    s7p_free(iso->sbuf);
    memset(iso, 0, sizeof *iso);
    iso->fd = -1;
}

s7p_status s7p_iso_init(s7p_iso *iso, int fd)
{
    memset(iso, 0, sizeof *iso);
    iso->fd = fd;
    iso->tpdu_size = TPDU_SIZE_DEFAULT;
    /* Once, up front: the largest TPKT the length field allows, the largest TSDU we join, and
     * the largest TPDU that can be negotiated. Nothing is allocated per message. */
    iso->rbuf = s7p_malloc(S7P_TPKT_MAX_LEN);
    iso->tsdu = s7p_malloc(S7P_ISO_MAX_TSDU);
    iso->sbuf = s7p_malloc(S7P_ISO_MAX_TPDU);
    if (!iso->rbuf || !iso->tsdu || !iso->sbuf) {
        release(iso);
        return S7P_E_NOMEM;
    }
    iso->rcap = S7P_TPKT_MAX_LEN;
    iso->tsdu_cap = S7P_ISO_MAX_TSDU;
    iso->scap = S7P_ISO_MAX_TPDU;
    return S7P_OK;
}

void s7p_iso_close(s7p_iso *iso)
{
    if (!iso) return;
    /* Only an initialised iso (it has buffers) owns its fd; a zeroed struct's fd 0 is not ours. */
    if (iso->rbuf) release(iso);
    iso->fd = -1;
}

/* ---- raw TPDU I/O ---- */

/* Moves the unparsed bytes to the front so a whole TPKT (<= rcap) fits behind them. */
static void compact(s7p_iso *iso)
{
    size_t left = iso->rlen - iso->rpos;
    if (iso->rpos && left) memmove(iso->rbuf, iso->rbuf + iso->rpos, left);
    iso->rlen = left;
    iso->rpos = 0;
}

/* Returns the next whole TPKT of the stream as a view into rbuf, valid until the next call.
 * TCP may split a TPKT across reads or bring several in one, so this reads only when the
 * buffered bytes do not yet hold a whole TPKT; leftovers wait for the next call. */
static s7p_status next_tpkt(s7p_iso *iso, int64_t deadline, const uint8_t **p, size_t *n)
{
    for (;;) {
        size_t avail = iso->rlen - iso->rpos;
        size_t len;
        s7p_status st = s7p_tpkt_length(iso->rbuf + iso->rpos, avail, &len);
        if (st == S7P_E_PROTOCOL) return st;
        if (st == S7P_OK && len <= avail) {
            *p = iso->rbuf + iso->rpos;
            *n = len;
            iso->rpos += len;
            return S7P_OK;
        }
        compact(iso);
        size_t got = 0;
        st = s7p_tcp_read_some(iso->fd, iso->rbuf + iso->rlen, iso->rcap - iso->rlen, &got,
                               deadline, &iso->sys_errno);
        if (st != S7P_OK) return st;
        iso->rlen += got;
    }
}

/* Reads and decodes the next TPDU. */
static s7p_status next_tpdu(s7p_iso *iso, int64_t deadline, s7p_cotp *c)
{
    const uint8_t *p;
    size_t n;
    s7p_status st = next_tpkt(iso, deadline, &p, &n);
    if (st != S7P_OK) return st;
    return s7p_cotp_decode(p, n, c);
}

static s7p_status send_wr(s7p_iso *iso, const s7p_wr *w, int64_t deadline)
{
    if (w->err != S7P_OK) return w->err;
    return s7p_tcp_write_all(iso->fd, iso->sbuf, w->len, deadline, &iso->sys_errno);
}

static s7p_status send_dt(s7p_iso *iso, const uint8_t *p, size_t n, bool eot, int64_t deadline)
{
    s7p_wr w = s7p_wr_init(iso->sbuf, iso->scap);
    s7p_cotp_write_dt(&w, p, n, eot);
    return send_wr(iso, &w, deadline);
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

s7p_status s7p_iso_connect(s7p_iso *iso, const s7p_iso_client_params *p, int64_t deadline)
{
    /* Arguments first: a bad TSAP must fail before any byte goes out. */
    if (!p || !s7p_tsap_valid(p->remote_tsap)) return S7P_E_INVALID_ARG;
    uint8_t exp = p->tpdu_exp ? p->tpdu_exp : S7P_COTP_TPDU_EXP_DEFAULT;
    if (exp < TPDU_EXP_MIN || exp > TPDU_EXP_MAX) return S7P_E_INVALID_ARG;
    if (!iso || !iso->rbuf) return S7P_E_STATE;

    uint16_t tsap = p->local_tsap ? p->local_tsap : (uint16_t)S7P_TSAP_LOCAL_DEFAULT;
    uint8_t calling[2] = {(uint8_t)(tsap >> 8), (uint8_t)tsap};
    s7p_bytes calling_b = {calling, sizeof calling};
    s7p_bytes called_b = {(const uint8_t *)p->remote_tsap, strlen(p->remote_tsap)};
    iso->local_ref = OWN_REF;
    s7p_wr w = s7p_wr_init(iso->sbuf, iso->scap);
    s7p_cotp_write_cr(&w, iso->local_ref, exp, calling_b, called_b);
    s7p_status st = send_wr(iso, &w, deadline);
    if (st != S7P_OK) return st;

    /* Only a DR is a refusal (spec §1.4): garbage or a close are reported as what they are,
     * so that a caller does not blame the TSAP for a peer that is not a PLC at all. */
    s7p_cotp cc;
    iso->setup_reply = -1;
    st = next_tpdu(iso, deadline, &cc);
    if (st != S7P_OK) return st;
    if (cc.type == S7P_COTP_DR) return S7P_E_CONNECT;
    if (cc.type != S7P_COTP_CC) {
        iso->setup_reply = cc.type;
        return S7P_E_PROTOCOL;
    }
    iso->remote_ref = cc.src_ref;
    iso->tpdu_size = granted_size(cc.tpdu_exp, exp);
    return S7P_OK;
}

s7p_status s7p_iso_accept(s7p_iso *iso, s7p_iso_tsap_check check, void *ctx, int64_t deadline)
{
    if (!iso || !iso->rbuf) return S7P_E_STATE;
    s7p_cotp cr;
    s7p_status st = next_tpdu(iso, deadline, &cr);
    if (st != S7P_OK) return st;
    if (cr.type != S7P_COTP_CR) return S7P_E_PROTOCOL;
    iso->remote_ref = cr.src_ref;
    iso->local_ref = OWN_REF;

    s7p_wr w = s7p_wr_init(iso->sbuf, iso->scap);
    if (check && !check(ctx, cr.called_tsap)) {
        /* Refused: tell the client why, then the caller drops the connection. The DR is a
         * courtesy, so a failure to send it does not change the result. */
        s7p_cotp_write_dr(&w, cr.src_ref, iso->local_ref, DR_REASON_ADDRESS_UNKNOWN);
        (void)send_wr(iso, &w, deadline);
        return S7P_E_CONNECT;
    }
    uint8_t exp = server_exp(cr.tpdu_exp);
    /* TSAPs echoed byte for byte, C0 first, as real PLCs answer (spec §1.4). */
    s7p_cotp_write_cc(&w, cr.src_ref, iso->local_ref, exp, cr.calling_tsap, cr.called_tsap);
    st = send_wr(iso, &w, deadline);
    if (st != S7P_OK) return st;
    iso->tpdu_size = (size_t)1 << exp;
    return S7P_OK;
}

/* ---- data ---- */

s7p_status s7p_iso_send(s7p_iso *iso, const uint8_t *data, size_t n, size_t max_chunk,
                        int64_t deadline)
{
    if (!iso || !iso->sbuf) return S7P_E_STATE;
    if (!data && n) return S7P_E_INVALID_ARG;
    /* Never more than the negotiated TPDU, whatever the caller asks for. */
    size_t room = iso->tpdu_size - DT_OVERHEAD;
    size_t chunk = max_chunk && max_chunk < room ? max_chunk : room;
    while (n > 0) {
        size_t k = n < chunk ? n : chunk;
        /* EOT on every DT: peers pass each DT up as a unit and never reassemble (spec §1.5). */
        s7p_status st = send_dt(iso, data, k, true, deadline);
        if (st != S7P_OK) return st;
        data += k;
        n -= k;
    }
    return S7P_OK;
}

s7p_status s7p_iso_send_empty(s7p_iso *iso, int64_t deadline)
{
    if (!iso || !iso->sbuf) return S7P_E_STATE;
    return send_dt(iso, NULL, 0, false, deadline);  /* 03 00 00 07 02 F0 00, as HMIs send */
}

/* Adds one DT to the TSDU being assembled; *done when the TSDU is complete and non-empty. */
static s7p_status take_dt(s7p_iso *iso, const s7p_cotp *dt, unsigned *empty, bool *done)
{
    *done = false;
    if (dt->payload.n == 0) {
        /* HMIs send an empty DT after every response: skip them, but not without end. */
        if (++*empty > S7P_ISO_MAX_EMPTY_DT) return S7P_E_PROTOCOL;
    } else {
        *empty = 0;
        if (dt->payload.n > iso->tsdu_cap - iso->tsdu_len) return S7P_E_LIMIT;
        memcpy(iso->tsdu + iso->tsdu_len, dt->payload.p, dt->payload.n);
        iso->tsdu_len += dt->payload.n;
    }
    *done = dt->eot && iso->tsdu_len > 0;
    return S7P_OK;
}

s7p_status s7p_iso_recv(s7p_iso *iso, s7p_bytes *out, int64_t deadline)
{
    out->p = NULL;
    out->n = 0;
    if (!iso || !iso->rbuf) return S7P_E_STATE;
    unsigned empty = 0;
    for (;;) {
        s7p_cotp c;
        s7p_status st = next_tpdu(iso, deadline, &c);
        if (st != S7P_OK) return st;  /* after a timeout, a partial TSDU is kept for later */
        if (c.type == S7P_COTP_DR) return S7P_E_CLOSED;
        if (c.type != S7P_COTP_DT) return S7P_E_PROTOCOL;  /* CR/CC after set-up, ER */
        bool done;
        st = take_dt(iso, &c, &empty, &done);
        if (st != S7P_OK) {
            iso->tsdu_len = 0;
            return st;
        }
        if (done) {
            out->p = iso->tsdu;
            out->n = iso->tsdu_len;
            iso->tsdu_len = 0;  /* the next receive starts a new TSDU in the same buffer */
            return S7P_OK;
        }
    }
}

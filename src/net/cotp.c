/* SPDX-License-Identifier: MIT */
#include "net/cotp.h"

#include <string.h>

#define TPKT_VERSION 0x03u
#define TPKT_MIN_LEN 7u          /* header + the smallest TPDU we know (an empty DT) */
#define COTP_LI_MAX 254u         /* 255 is reserved by ISO 8073 */
#define COTP_CONN_FIXED 6u       /* CR/CC after LI: code, dst-ref, src-ref, class */
#define COTP_DR_LI 6u            /* code, dst-ref, src-ref, reason */
#define COTP_DT_LI 2u            /* code, EOT|TPDU-NR */
#define COTP_EOT 0x80u
#define PARAM_MAX_LEN 255u       /* a parameter's length is one byte */

/* Bits in a "seen" mask, so a parameter given twice is caught. */
#define SEEN_C0 1u
#define SEEN_C1 2u
#define SEEN_C2 4u

s7p_status s7p_tpkt_length(const uint8_t *buf, size_t n, size_t *len)
{
    *len = 0;
    if (n < S7P_TPKT_HEADER_LEN) return S7P_E_TOO_SMALL;
    if (buf[0] != TPKT_VERSION || buf[1] != 0) return S7P_E_PROTOCOL;
    size_t l = (size_t)buf[2] << 8 | buf[3];
    if (l < TPKT_MIN_LEN) return S7P_E_PROTOCOL;
    *len = l;
    return S7P_OK;
}

/* ---- decode ---- */

/* Stores one CR/CC parameter. A duplicate C0/C1/C2 is refused: which copy would count is
 * not defined, and a TSAP check must not be fooled by a second called TSAP. */
static bool take_param(s7p_cotp *out, uint8_t code, s7p_bytes v, unsigned *seen)
{
    unsigned bit;
    switch (code) {
    case S7P_COTP_PARAM_TPDU_SIZE: bit = SEEN_C0; break;
    case S7P_COTP_PARAM_CALLING_TSAP: bit = SEEN_C1; break;
    case S7P_COTP_PARAM_CALLED_TSAP: bit = SEEN_C2; break;
    default: return true;  /* unknown parameters (checksum, options, ...) are skipped */
    }
    if (*seen & bit) return false;
    *seen |= bit;
    if (bit == SEEN_C0) {
        if (v.n != 1) return false;
        out->tpdu_exp = v.p[0];
    } else if (bit == SEEN_C1) {
        out->calling_tsap = v;
    } else {
        out->called_tsap = v;
    }
    return true;
}

/* Walks `code len value` parameters up to the end of r (the end of the LI). With out == NULL
 * the parameters are only checked for well-formedness (DR, ER). */
static bool read_params(s7p_rd *r, s7p_cotp *out)
{
    unsigned seen = 0;
    while (r->err == S7P_OK && s7p_rd_left(r) > 0) {
        uint8_t code, n;
        s7p_bytes v;
        s7p_rd_u8(r, &code);
        s7p_rd_u8(r, &n);
        if (!s7p_rd_bytes(r, n, &v)) return false;
        if (out && !take_param(out, code, v, &seen)) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    }
    return r->err == S7P_OK;
}

static bool read_conn(s7p_rd *h, s7p_cotp *out)
{
    s7p_rd_u16be(h, &out->dst_ref);
    s7p_rd_u16be(h, &out->src_ref);
    s7p_rd_u8(h, &out->class_option);
    return read_params(h, out);
}

static bool read_dr(s7p_rd *h, s7p_cotp *out)
{
    s7p_rd_u16be(h, &out->dst_ref);
    s7p_rd_u16be(h, &out->src_ref);
    s7p_rd_u8(h, &out->class_option);  /* the reason */
    return read_params(h, NULL);        /* e.g. E0 "additional information" */
}

static bool read_er(s7p_rd *h, s7p_cotp *out)
{
    s7p_rd_u16be(h, &out->dst_ref);
    s7p_rd_u8(h, &out->class_option);  /* the reject cause */
    return read_params(h, NULL);        /* e.g. C1 "invalid TPDU" */
}

/* Decodes the TPDU whose header is h (exactly LI bytes) and whose data part is `data`. */
static s7p_status decode_tpdu(uint8_t li, s7p_rd *h, s7p_bytes data, s7p_cotp *out)
{
    uint8_t code;
    s7p_rd_u8(h, &code);
    /* The low nibble of CR/CC is the credit (CDT), always 0 in class 0 but not ours to judge. */
    uint8_t kind = (code & 0xF0u) == S7P_COTP_CR || (code & 0xF0u) == S7P_COTP_CC
                       ? (uint8_t)(code & 0xF0u) : code;
    out->type = kind;
    if (kind == S7P_COTP_DT) {
        uint8_t nr;
        if (li != COTP_DT_LI || !s7p_rd_u8(h, &nr)) return S7P_E_PROTOCOL;
        out->eot = (nr & COTP_EOT) != 0;
        out->payload = data;
        return S7P_OK;
    }
    /* Class 0 CR/CC/DR/ER carry no user data: the header fills the TPKT. */
    if (data.n != 0) return S7P_E_PROTOCOL;
    bool ok;
    switch (kind) {
    case S7P_COTP_CR:
    case S7P_COTP_CC: ok = read_conn(h, out); break;
    case S7P_COTP_DR: ok = read_dr(h, out); break;
    case S7P_COTP_ER: ok = read_er(h, out); break;
    default: return S7P_E_PROTOCOL;
    }
    return ok ? S7P_OK : S7P_E_PROTOCOL;
}

s7p_status s7p_cotp_decode(const uint8_t *tpkt, size_t len, s7p_cotp *out)
{
    memset(out, 0, sizeof *out);
    size_t tlen;
    if (s7p_tpkt_length(tpkt, len, &tlen) != S7P_OK || tlen != len) return S7P_E_PROTOCOL;
    const uint8_t *p = tpkt + S7P_TPKT_HEADER_LEN;
    size_t left = len - S7P_TPKT_HEADER_LEN - 1;  /* bytes after LI; tlen >= 7 */
    uint8_t li = p[0];
    /* LI counts the header bytes after itself; they must all lie inside this TPKT. */
    if (li == 0 || li > COTP_LI_MAX || li > left) return S7P_E_PROTOCOL;
    s7p_rd h = s7p_rd_init(p + 1, li);
    s7p_bytes data = {p + 1 + li, left - li};
    s7p_status st = decode_tpdu(li, &h, data, out);
    if (st != S7P_OK) memset(out, 0, sizeof *out);
    return st;
}

/* ---- encode ---- */

static bool put_tpkt(s7p_wr *w, size_t total)
{
    if (total > S7P_TPKT_MAX_LEN) return s7p_wr_fail(w, S7P_E_LIMIT);
    s7p_wr_u8(w, TPKT_VERSION);
    s7p_wr_u8(w, 0);
    return s7p_wr_u16be(w, (uint16_t)total);
}

static void put_param(s7p_wr *w, uint8_t code, const uint8_t *v, size_t n)
{
    s7p_wr_u8(w, code);
    s7p_wr_u8(w, (uint8_t)n);
    s7p_wr_bytes(w, v, n);
}

/* CR and CC share one layout. C0 goes first: that is what the reference client sends and what
 * real PLCs answer, whatever order the CR had (spec §1.3, §1.4). */
static bool write_conn(s7p_wr *w, uint8_t code, uint16_t dst_ref, uint16_t src_ref,
                       uint8_t tpdu_exp, s7p_bytes calling, s7p_bytes called)
{
    if (calling.n > PARAM_MAX_LEN || called.n > PARAM_MAX_LEN) return s7p_wr_fail(w, S7P_E_LIMIT);
    size_t li = COTP_CONN_FIXED + 3 + 2 + calling.n + 2 + called.n;
    if (li > COTP_LI_MAX) return s7p_wr_fail(w, S7P_E_LIMIT);
    put_tpkt(w, S7P_TPKT_HEADER_LEN + 1 + li);
    s7p_wr_u8(w, (uint8_t)li);
    s7p_wr_u8(w, code);
    s7p_wr_u16be(w, dst_ref);
    s7p_wr_u16be(w, src_ref);
    s7p_wr_u8(w, 0);  /* class 0, no options */
    put_param(w, S7P_COTP_PARAM_TPDU_SIZE, &tpdu_exp, 1);
    put_param(w, S7P_COTP_PARAM_CALLING_TSAP, calling.p, calling.n);
    put_param(w, S7P_COTP_PARAM_CALLED_TSAP, called.p, called.n);
    return w->err == S7P_OK;
}

bool s7p_cotp_write_cr(s7p_wr *w, uint16_t src_ref, uint8_t tpdu_exp, s7p_bytes calling,
                       s7p_bytes called)
{
    return write_conn(w, S7P_COTP_CR, 0, src_ref, tpdu_exp, calling, called);
}

bool s7p_cotp_write_cc(s7p_wr *w, uint16_t dst_ref, uint16_t src_ref, uint8_t tpdu_exp,
                       s7p_bytes calling, s7p_bytes called)
{
    return write_conn(w, S7P_COTP_CC, dst_ref, src_ref, tpdu_exp, calling, called);
}

bool s7p_cotp_write_dr(s7p_wr *w, uint16_t dst_ref, uint16_t src_ref, uint8_t reason)
{
    put_tpkt(w, S7P_TPKT_HEADER_LEN + 1 + COTP_DR_LI);
    s7p_wr_u8(w, COTP_DR_LI);
    s7p_wr_u8(w, S7P_COTP_DR);
    s7p_wr_u16be(w, dst_ref);
    s7p_wr_u16be(w, src_ref);
    s7p_wr_u8(w, reason);
    return w->err == S7P_OK;
}

bool s7p_cotp_write_dt(s7p_wr *w, const uint8_t *payload, size_t n, bool eot)
{
    if (n > S7P_TPKT_MAX_LEN - TPKT_MIN_LEN) return s7p_wr_fail(w, S7P_E_LIMIT);
    put_tpkt(w, TPKT_MIN_LEN + n);
    s7p_wr_u8(w, COTP_DT_LI);
    s7p_wr_u8(w, S7P_COTP_DT);
    s7p_wr_u8(w, eot ? COTP_EOT : 0);  /* TPDU-NR is always 0 in class 0 */
    s7p_wr_bytes(w, payload, n);
    return w->err == S7P_OK;
}

bool s7p_tsap_valid(const char *tsap)
{
    if (!tsap) return false;
    size_t n;
    /* Bounded scan: an over-long string is rejected without reading all of it. */
    for (n = 0; tsap[n] != '\0'; n++) {
        unsigned char c = (unsigned char)tsap[n];
        if (n >= S7P_TSAP_MAX_LEN || c < 0x20 || c > 0x7E) return false;
    }
    return n > 0;
}

/* SPDX-License-Identifier: MIT */
/* Fuzz target: the ISO-on-TCP layer under S7CommPlus, TPKT (RFC 1006) and COTP (ISO 8073
 * class 0), as net/iso.c reads it: the input is a TCP byte stream, cut into TPKTs with
 * s7p_tpkt_length (stopping at a bad header or at a TPKT that is not complete, where
 * iso.c would wait for more, or after MAX_TPKTS), and every whole TPKT goes to
 * s7p_cotp_decode.
 *
 * Invariants:
 *   - s7p_tpkt_length agrees with a model of the header (03 00 <len >= 7>) and gives the
 *     length field; S7P_E_TOO_SMALL exactly while fewer than 4 bytes are there;
 *   - s7p_cotp_decode accepts only the exact TPKT length (one byte less or more: refused);
 *     a refusal is S7P_E_PROTOCOL with the output zeroed; an accepted TPDU has a known type
 *     and its views (TSAPs, DT payload) lie inside the TPKT;
 *   - the writers rebuild what was decoded (s7p_cotp_write_dt/_dr/_cr/_cc, each checked
 *     with fuzz_encode: counting and real writer agree, one byte short fails cleanly):
 *       DT: the same bytes, except the TPDU-NR bits (always 0 from the writer);
 *       DR: the same bytes when the DR has no parameters, else a DR with the same fields;
 *       CR/CC: the same bytes when the TPDU is in the writer's form (credit 0, CR dst-ref 0,
 *       class 0, parameters C0 C1 C2 in that order and nothing else); otherwise a TPDU that
 *       decodes to the same fields and encodes to itself again; when the TSAPs are too long
 *       for one TPDU the writer refuses with S7P_E_LIMIT;
 *   - s7p_tsap_valid on a received called TSAP (as a C string) agrees with its contract. */
#include "fuzz_common.h"

#include "net/cotp.h"

#define TARGET "fuzz_cotp"
/* TPKTs checked per input. They carry no state from one to the next here, so more of them
 * add run time (libFuzzer keeps inputs that only repeat a TPKT more often) and nothing else. */
#define MAX_TPKTS 32

/* What the writers need besides the decoded TPDU. */
typedef struct {
    const s7p_cotp *c;
} cotp_ref;

static bool enc_cotp(s7p_wr *w, const void *obj)
{
    const s7p_cotp *c = ((const cotp_ref *)obj)->c;
    switch (c->type) {
    case S7P_COTP_DT: return s7p_cotp_write_dt(w, c->payload.p, c->payload.n, c->eot);
    case S7P_COTP_DR: return s7p_cotp_write_dr(w, c->dst_ref, c->src_ref, c->class_option);
    case S7P_COTP_CR:
        return s7p_cotp_write_cr(w, c->src_ref, c->tpdu_exp, c->calling_tsap, c->called_tsap);
    case S7P_COTP_CC:
        return s7p_cotp_write_cc(w, c->dst_ref, c->src_ref, c->tpdu_exp, c->calling_tsap,
                                 c->called_tsap);
    default: abort();
    }
}

static bool view_inside(s7p_bytes v, const uint8_t *t, size_t len)
{
    if (v.n == 0) return v.p == NULL || (v.p >= t && v.p <= t + len);
    return v.p >= t && v.p <= t + len && v.n <= (size_t)(t + len - v.p);
}

static bool same_bytes(s7p_bytes a, s7p_bytes b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static bool all_zero(const s7p_cotp *c)
{
    return c->type == 0 && c->dst_ref == 0 && c->src_ref == 0 && c->class_option == 0 &&
           c->tpdu_exp == 0 && c->calling_tsap.p == NULL && c->calling_tsap.n == 0 &&
           c->called_tsap.p == NULL && c->called_tsap.n == 0 && !c->eot &&
           c->payload.p == NULL && c->payload.n == 0;
}

/* The header length (LI) the CR/CC writer produces for these TSAPs. */
static size_t conn_li(const s7p_cotp *c)
{
    return 6u + 3u + 2u + c->calling_tsap.n + 2u + c->called_tsap.n;
}

/* True when the CR/CC at t is laid out exactly as write_conn() writes it. */
static bool conn_canonical(const uint8_t *t, size_t len, const s7p_cotp *c)
{
    size_t n1 = c->calling_tsap.n, n2 = c->called_tsap.n;
    size_t li = conn_li(c);
    if (li > 254 || t[4] != li || len != 5 + li) return false;
    if ((t[5] & 0x0Fu) != 0 || t[10] != 0) return false;       /* credit 0, class 0 */
    if (c->type == S7P_COTP_CR && c->dst_ref != 0) return false;  /* the writer sends 0 */
    return t[11] == S7P_COTP_PARAM_TPDU_SIZE && t[12] == 1 &&
           t[14] == S7P_COTP_PARAM_CALLING_TSAP && t[15] == n1 &&
           t[16 + n1] == S7P_COTP_PARAM_CALLED_TSAP && t[17 + n1] == n2;
}

/* The model of s7p_tsap_valid: 1..S7P_TSAP_MAX_LEN printable ASCII characters. */
static void check_tsap_valid(s7p_bytes tsap, const uint8_t *in, size_t n)
{
    char s[256];
    memcpy(s, tsap.p ? (const void *)tsap.p : "", tsap.n);
    s[tsap.n] = '\0';
    size_t sl = strlen(s);
    bool expect = sl >= 1 && sl <= S7P_TSAP_MAX_LEN;
    for (size_t i = 0; i < sl && expect; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E) expect = false;
    if (s7p_tsap_valid(s) != expect)
        fuzz_invariant_failed(TARGET, "s7p_tsap_valid disagrees with its contract", in, n);
    if (s7p_tsap_valid(NULL)) fuzz_invariant_failed(TARGET, "s7p_tsap_valid(NULL)", in, n);
}

/* Encodes the decoded TPDU c with fuzz_encode (caller frees the result). */
static uint8_t *rebuild(const s7p_cotp *c, const uint8_t *in, size_t n, size_t *len)
{
    cotp_ref ref = {c};
    s7p_wr mode = s7p_wr_counter();
    uint8_t *e = fuzz_encode(TARGET, enc_cotp, &ref, &mode, in, n, len);
    if (!e) fuzz_invariant_failed(TARGET, "a rebuilt TPKT over FUZZ_MAX_ENCODED", in, n);
    return e;
}

/* CR/CC: the rebuilt TPDU has the same fields (CR: dst-ref 0, class 0 in any case). */
static void check_conn_fields(const s7p_cotp *c, const s7p_cotp *c2, const uint8_t *in, size_t n)
{
    if (c2->type != c->type || c2->src_ref != c->src_ref ||
        c2->dst_ref != (c->type == S7P_COTP_CR ? 0 : c->dst_ref) || c2->class_option != 0 ||
        c2->tpdu_exp != c->tpdu_exp || !same_bytes(c2->calling_tsap, c->calling_tsap) ||
        !same_bytes(c2->called_tsap, c->called_tsap))
        fuzz_invariant_failed(TARGET, "rebuilt CR/CC decodes to other fields", in, n);
}

static void check_rebuild(const uint8_t *t, size_t len, const s7p_cotp *c, const uint8_t *in,
                          size_t n)
{
    if (c->type == S7P_COTP_ER) return;  /* no writer: we never send ER */
    if (c->type == S7P_COTP_CR || c->type == S7P_COTP_CC) {
        s7p_wr cw = s7p_wr_counter();
        cotp_ref ref = {c};
        bool fits = conn_li(c) <= 254;
        if (enc_cotp(&cw, &ref) != fits || (!fits && cw.err != S7P_E_LIMIT))
            fuzz_invariant_failed(TARGET, "CR/CC writer does not refuse exactly the TSAPs that "
                                  "do not fit", in, n);
        if (!fits) return;
    }
    size_t elen;
    uint8_t *e = rebuild(c, in, n, &elen);
    s7p_cotp c2;
    if (s7p_cotp_decode(e, elen, &c2) != S7P_OK || c2.type != c->type)
        fuzz_invariant_failed(TARGET, "the decoder refuses a rebuilt TPKT", in, n);
    switch (c->type) {
    case S7P_COTP_DT:
        /* Same bytes except TPDU-NR (the writer always sends 0 with the EOT bit). */
        if (elen != len || memcmp(e, t, 6) != 0 || e[6] != (t[6] & 0x80u) ||
            memcmp(e + 7, t + 7, len - 7) != 0)
            fuzz_invariant_failed(TARGET, "s7p_cotp_write_dt does not rebuild the DT", in, n);
        if (c2.eot != c->eot || !same_bytes(c2.payload, c->payload))
            fuzz_invariant_failed(TARGET, "rebuilt DT decodes to other fields", in, n);
        break;
    case S7P_COTP_DR:
        if (t[4] == 6 && (elen != len || memcmp(e, t, len) != 0))
            fuzz_invariant_failed(TARGET, "s7p_cotp_write_dr does not rebuild the DR", in, n);
        if (c2.dst_ref != c->dst_ref || c2.src_ref != c->src_ref ||
            c2.class_option != c->class_option)
            fuzz_invariant_failed(TARGET, "rebuilt DR decodes to other fields", in, n);
        break;
    default: /* CR, CC */
        check_conn_fields(c, &c2, in, n);
        if (conn_canonical(t, len, c)) {
            if (elen != len || memcmp(e, t, len) != 0)
                fuzz_invariant_failed(TARGET, "s7p_cotp_write_cr/cc does not rebuild the TPDU",
                                      in, n);
            break;  /* e is the input: what follows holds already */
        }
        if (!conn_canonical(e, elen, &c2))
            fuzz_invariant_failed(TARGET, "the CR/CC writer's output is not in its own form",
                                  in, n);
        /* And once more: the rebuilt TPDU rebuilds to itself. */
        size_t elen2;
        uint8_t *e2 = rebuild(&c2, in, n, &elen2);
        fuzz_expect_same(TARGET, e, elen, e2, elen2, in, n);
        free(e2);
        break;
    }
    free(e);
}

/* One whole TPKT t[0..len) (its header already checked), followed by `after` more bytes. */
static void check_tpkt(const uint8_t *t, size_t len, size_t after, const uint8_t *in, size_t n)
{
    s7p_cotp c;
    /* Only the exact length is accepted. */
    if (s7p_cotp_decode(t, len - 1, &c) != S7P_E_PROTOCOL || !all_zero(&c))
        fuzz_invariant_failed(TARGET, "decode accepted a TPKT one byte short", in, n);
    if (after > 0 && (s7p_cotp_decode(t, len + 1, &c) != S7P_E_PROTOCOL || !all_zero(&c)))
        fuzz_invariant_failed(TARGET, "decode accepted a TPKT one byte long", in, n);

    s7p_status st = s7p_cotp_decode(t, len, &c);
    if (st != S7P_OK) {
        if (st != S7P_E_PROTOCOL) fuzz_invariant_failed(TARGET, "refusal is not S7P_E_PROTOCOL", in, n);
        if (!all_zero(&c)) fuzz_invariant_failed(TARGET, "output not zeroed on failure", in, n);
        return;
    }
    switch (c.type) {
    case S7P_COTP_CR: case S7P_COTP_CC: case S7P_COTP_DR: case S7P_COTP_DT: case S7P_COTP_ER:
        break;
    default: fuzz_invariant_failed(TARGET, "unknown TPDU type accepted", in, n);
    }
    if (!view_inside(c.calling_tsap, t, len) || !view_inside(c.called_tsap, t, len) ||
        !view_inside(c.payload, t, len))
        fuzz_invariant_failed(TARGET, "a view points outside the TPKT", in, n);
    if (c.type == S7P_COTP_DT) {
        if (t[4] != 2 || c.payload.p != t + 7 || c.payload.n != len - 7 ||
            c.eot != ((t[6] & 0x80u) != 0))
            fuzz_invariant_failed(TARGET, "DT payload or EOT wrong", in, n);
    } else if (c.payload.n != 0 || c.eot) {
        fuzz_invariant_failed(TARGET, "payload or EOT outside a DT", in, n);
    }
    if (c.type != S7P_COTP_CR && c.type != S7P_COTP_CC &&
        (c.tpdu_exp || c.calling_tsap.n || c.called_tsap.n))
        fuzz_invariant_failed(TARGET, "CR/CC parameters outside a CR/CC", in, n);
    if (c.type == S7P_COTP_CR || c.type == S7P_COTP_CC) check_tsap_valid(c.called_tsap, in, n);
    check_rebuild(t, len, &c, in, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data;
    size_t left = size;
    for (int i = 0; i < MAX_TPKTS && left > 0; i++) {
        size_t len = 1;
        s7p_status st = s7p_tpkt_length(p, left, &len);
        if (left < S7P_TPKT_HEADER_LEN) {
            if (st != S7P_E_TOO_SMALL || len != 0)
                fuzz_invariant_failed(TARGET, "a partial TPKT header is not S7P_E_TOO_SMALL",
                                      data, size);
            break;
        }
        size_t field = (size_t)p[2] << 8 | p[3];
        bool good = p[0] == 0x03 && p[1] == 0 && field >= 7;
        if (st != (good ? S7P_OK : S7P_E_PROTOCOL) || len != (good ? field : 0))
            fuzz_invariant_failed(TARGET, "s7p_tpkt_length disagrees with the header", data, size);
        if (!good || len > left) break;  /* iso.c: error, or wait for the rest */
        check_tpkt(p, len, left - len, data, size);
        p += len;
        left -= len;
    }
    return 0;
}

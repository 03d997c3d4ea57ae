/* SPDX-License-Identifier: MIT */
/* PDU header, body dispatch and tail (integrity id, old-firmware digest, zero fill).
 * The tail is recognised the way the reference decoder does it: by the number of bytes left
 * after a completely decoded body (docs/protocol.md §1.9). */
#include "proto/pdu.h"

#include <string.h>

#include "proto/body.h"
#include "proto/vlq.h"

#define MAX_FILL 255u

static bool is_response(uint8_t opcode)
{
    return opcode == S7P_OP_RESPONSE || opcode == S7P_OP_RESPONSE2;
}

static bool rd_v3_digest(s7p_rd *r, s7p_pdu *p)
{
    uint8_t len;
    s7p_bytes d;
    if (!s7p_rd_u8(r, &len)) return false;
    if (len != S7P_DIGEST_LEN) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    if (!s7p_rd_bytes(r, S7P_DIGEST_LEN, &d)) return false;
    memcpy(p->v3_digest, d.p, S7P_DIGEST_LEN);
    p->has_v3_digest = true;
    return true;
}

static bool rd_header(s7p_rd *r, s7p_pdu *p)
{
    if (!s7p_rd_u8(r, &p->opcode)) return false;
    if (p->opcode == S7P_OP_NOTIFICATION) return true;
    if (p->opcode != S7P_OP_REQUEST && !is_response(p->opcode))
        return s7p_rd_fail(r, S7P_E_PROTOCOL);
    s7p_rd_u16be(r, &p->reserved1);
    s7p_rd_u16be(r, &p->function);
    s7p_rd_u16be(r, &p->reserved2);
    s7p_rd_u16be(r, &p->seq);
    if (p->opcode == S7P_OP_REQUEST) s7p_rd_u32be(r, &p->session_id);
    return s7p_rd_u8(r, &p->transport_flags);
}

static const s7p_body_codec *codec_of(const s7p_pdu *p)
{
    if (p->opcode == S7P_OP_REQUEST) return s7p_request_codec(p->function);
    if (is_response(p->opcode)) return s7p_response_codec(p->function);
    return NULL;
}

static bool all_zero(const uint8_t *p, const uint8_t *end)
{
    for (; p < end; p++)
        if (*p) return false;
    return true;
}

/* A PLC that refuses a request may answer with the return value alone, whatever body the
 * function's answer normally has: only the tail follows then, i.e. zero fill, or one
 * integrity id and exactly the 4 fill bytes. */
static bool only_tail_left(const s7p_rd *r)
{
    if (all_zero(r->p, r->end)) return true;
    s7p_rd t = *r;
    uint32_t iid;
    return s7p_rd_vlq_u32(&t, &iid) && s7p_rd_left(&t) == 4 && all_zero(t.p, t.end);
}

bool s7p_body_decode(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    if (p->opcode == S7P_OP_NOTIFICATION) return s7p_notification_decode(r, a, p->version, &p->notif);
    const s7p_body_codec *c = codec_of(p);
    if (!c) return s7p_rd_bytes(r, s7p_rd_left(r), &p->opaque);  /* layout unknown */
    if (is_response(p->opcode)) {
        if (!s7p_rd_vlq_u64(r, &p->ret)) return false;
        if (s7p_ret_code(p->ret) < 0 && c->decode && only_tail_left(r)) {
            p->ret_only = true;
            return true;
        }
    }
    return c->decode ? c->decode(r, a, p) : true;
}

bool s7p_body_encode(s7p_wr *w, const s7p_pdu *p)
{
    if (p->opcode == S7P_OP_NOTIFICATION) return s7p_notification_encode(w, p->version, &p->notif);
    const s7p_body_codec *c = codec_of(p);
    if (!c && is_response(p->opcode) && p->ret_only) return s7p_wr_vlq_u64(w, p->ret);
    if (!c) return s7p_wr_bytes(w, p->opaque.p, p->opaque.n);
    if (is_response(p->opcode)) {
        if (!s7p_wr_vlq_u64(w, p->ret)) return false;
        if (p->ret_only) return true;
    }
    return c->encode ? c->encode(w, p) : true;
}

/* Whether an integrity id may stand in the tail. */
static bool tail_may_have_iid(const s7p_rd *r, const s7p_pdu *p)
{
    if (p->version == S7P_PROTO_V1) return false;
    /* After a notification's items a non-zero byte starts part 2, never an id. */
    if (p->opcode == S7P_OP_NOTIFICATION) return false;
    /* The id of the deleted session is omitted; a present id is never 0. */
    if (is_response(p->opcode) && p->function == S7P_FC_DELETE_OBJECT)
        return s7p_rd_left(r) > 0 && r->p[0] != 0;
    return true;
}

static bool rd_tail_digest(s7p_rd *r, s7p_pdu *p)
{
    uint8_t len;
    s7p_bytes d;
    if (!s7p_rd_u8(r, &len)) return false;
    if (len != S7P_DIGEST_LEN) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    if (!s7p_rd_bytes(r, S7P_DIGEST_LEN, &d)) return false;
    memcpy(p->digest, d.p, S7P_DIGEST_LEN);
    p->has_digest = true;
    return true;
}

static bool rd_tail(s7p_rd *r, s7p_pdu *p)
{
    size_t left = s7p_rd_left(r);
    bool may_iid = tail_may_have_iid(r, p);
    if (p->version == S7P_PROTO_V3) {
        if (left > 4 && may_iid) p->has_iid = s7p_rd_vlq_u32(r, &p->iid);
    } else if (left > 4 && left < 32) {
        if (may_iid) p->has_iid = s7p_rd_vlq_u32(r, &p->iid);
    } else if (left >= 32) {
        /* Exactly a digest field left: no room for an id in front of it (the S7-1511 answers
         * a session's DeleteObject so). */
        bool digest_only = left == 1u + S7P_DIGEST_LEN && r->p[0] == S7P_DIGEST_LEN;
        if (may_iid && !digest_only) p->has_iid = s7p_rd_vlq_u32(r, &p->iid);
        rd_tail_digest(r, p);
    }
    left = s7p_rd_left(r);
    if (r->err != S7P_OK) return false;
    if (left > MAX_FILL) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    for (size_t i = 0; i < left; i++)
        if (r->p[i] != 0) return s7p_rd_fail(r, S7P_E_PROTOCOL);  /* bytes we cannot explain */
    p->fill_len = (uint8_t)left;
    r->p += left;
    return true;
}

s7p_status s7p_pdu_decode(const uint8_t *data, size_t len, uint8_t version, s7p_arena *a,
                          s7p_pdu *out)
{
    s7p_rd r = s7p_rd_init(data, len);
    memset(out, 0, sizeof *out);
    if (version < S7P_PROTO_V1 || version > S7P_PROTO_V3) return S7P_E_PROTOCOL;
    out->version = version;
    if (version == S7P_PROTO_V3 && !rd_v3_digest(&r, out)) return r.err;
    if (!rd_header(&r, out) || !s7p_body_decode(&r, a, out)) return r.err ? r.err : S7P_E_PROTOCOL;
    /* A body we keep as opaque bytes has no tail we could recognise. */
    if (out->opcode != S7P_OP_NOTIFICATION && !codec_of(out)) return S7P_OK;
    if (out->opcode == S7P_OP_NOTIFICATION && out->notif.raw.p) return S7P_OK;
    if (!rd_tail(&r, out)) return r.err;
    return S7P_OK;
}

static bool wr_header(s7p_wr *w, const s7p_pdu *p)
{
    if (p->version == S7P_PROTO_V3) {
        if (!p->has_v3_digest) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        s7p_wr_u8(w, S7P_DIGEST_LEN);
        s7p_wr_bytes(w, p->v3_digest, S7P_DIGEST_LEN);
    }
    s7p_wr_u8(w, p->opcode);
    if (p->opcode == S7P_OP_NOTIFICATION) return w->err == S7P_OK;
    s7p_wr_u16be(w, p->reserved1);
    s7p_wr_u16be(w, p->function);
    s7p_wr_u16be(w, p->reserved2);
    s7p_wr_u16be(w, p->seq);
    if (p->opcode == S7P_OP_REQUEST) s7p_wr_u32be(w, p->session_id);
    return s7p_wr_u8(w, p->transport_flags);
}

bool s7p_pdu_encode(s7p_wr *w, const s7p_pdu *p)
{
    if (p->version < S7P_PROTO_V1 || p->version > S7P_PROTO_V3)
        return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    if (p->has_iid && p->version == S7P_PROTO_V1) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    /* After a notification's items a non-zero byte means "part 2": no id can follow. */
    if (p->has_iid && p->opcode == S7P_OP_NOTIFICATION) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    if (!wr_header(w, p) || !s7p_body_encode(w, p)) return false;
    if (p->has_iid) s7p_wr_vlq_u32(w, p->iid);
    if (p->has_digest) {
        s7p_wr_u8(w, S7P_DIGEST_LEN);
        s7p_wr_bytes(w, p->digest, S7P_DIGEST_LEN);
    }
    return s7p_wr_zeros(w, p->fill_len);
}

void s7p_pdu_init_request(s7p_pdu *p, uint8_t version, uint16_t function, uint16_t seq,
                          uint32_t session_id, uint8_t transport_flags)
{
    memset(p, 0, sizeof *p);
    p->version = version;
    p->opcode = S7P_OP_REQUEST;
    p->function = function;
    p->seq = seq;
    p->session_id = session_id;
    p->transport_flags = transport_flags;
    p->fill_len = 4;
}

void s7p_pdu_init_response(s7p_pdu *p, const s7p_pdu *request, uint64_t ret)
{
    memset(p, 0, sizeof *p);
    p->version = request->version;
    p->opcode = S7P_OP_RESPONSE;
    p->function = request->function;
    p->seq = request->seq;
    p->transport_flags = request->transport_flags;
    p->ret = ret;
    p->fill_len = 4;
}

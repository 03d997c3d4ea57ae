/* SPDX-License-Identifier: MIT */
#include "proto/frame.h"

#include <string.h>

#include "proto/ids.h"
#include "proto/vlq.h"

#define V3_DIGEST_FIELD 33u  /* length byte 0x20 + 32 digest bytes */

static bool known_version(uint8_t v)
{
    return v == S7P_PROTO_V1 || v == S7P_PROTO_V2 || v == S7P_PROTO_V3 ||
           v == S7P_PROTO_SYSTEM_EVENT;
}

s7p_status s7p_frame_parse(const uint8_t *buf, size_t len, s7p_frame *out, size_t *consumed)
{
    memset(out, 0, sizeof *out);
    *consumed = 0;
    if (len < 2) return len && buf[0] != S7P_FRAME_MARKER ? S7P_E_PROTOCOL : S7P_E_TOO_SMALL;
    if (buf[0] != S7P_FRAME_MARKER) return S7P_E_PROTOCOL;
    out->version = buf[1];
    if (out->version == S7P_PROTO_KEEPALIVE) {
        if (len < 4) return S7P_E_TOO_SMALL;
        out->keepalive_seq = buf[2];
        *consumed = 4;
        return S7P_OK;
    }
    if (!known_version(out->version)) return S7P_E_PROTOCOL;
    if (len < S7P_FRAME_HEADER_LEN) return S7P_E_TOO_SMALL;
    size_t dlen = (size_t)buf[2] << 8 | buf[3];
    size_t end = S7P_FRAME_HEADER_LEN + dlen;
    if (len < end) return S7P_E_TOO_SMALL;
    out->data.p = buf + S7P_FRAME_HEADER_LEN;
    out->data.n = dlen;
    *consumed = end;
    if (out->version == S7P_PROTO_SYSTEM_EVENT) return S7P_OK;  /* never has a trailer */
    /* A trailer is `72 vv 00 00`; a continuation fragment would start `72 vv` + a length. */
    if (len - end >= S7P_FRAME_TRAILER_LEN && buf[end] == S7P_FRAME_MARKER &&
        buf[end + 1] == out->version && buf[end + 2] == 0 && buf[end + 3] == 0) {
        out->has_trailer = true;
        *consumed = end + S7P_FRAME_TRAILER_LEN;
    }
    return S7P_OK;
}

bool s7p_frame_write(s7p_wr *w, uint8_t version, const uint8_t *data, size_t len, bool last)
{
    if (len > 0xFFFF) return s7p_wr_fail(w, S7P_E_LIMIT);
    s7p_wr_u8(w, S7P_FRAME_MARKER);
    s7p_wr_u8(w, version);
    s7p_wr_u16be(w, (uint16_t)len);
    s7p_wr_bytes(w, data, len);
    if (last) {
        s7p_wr_u8(w, S7P_FRAME_MARKER);
        s7p_wr_u8(w, version);
        s7p_wr_u16be(w, 0);
    }
    return w->err == S7P_OK;
}

void s7p_reasm_init(s7p_reasm *r, uint8_t *buf, size_t cap)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->cap = cap;
}

s7p_status s7p_reasm_feed(s7p_reasm *r, const s7p_frame *f, bool *done)
{
    *done = false;
    if (!r->active) {
        r->len = 0;
        r->version = f->version;
        r->active = true;
    } else if (f->version != r->version) {
        r->active = false;
        return S7P_E_PROTOCOL;
    }
    const uint8_t *p = f->data.p;
    size_t n = f->data.n;
    if (f->version == S7P_PROTO_V3 && r->len > 0) {
        /* Every V3 fragment has its own digest field; keep only the first one. */
        if (n < V3_DIGEST_FIELD || p[0] != 0x20) {
            r->active = false;
            return S7P_E_PROTOCOL;
        }
        p += V3_DIGEST_FIELD;
        n -= V3_DIGEST_FIELD;
    }
    if (n > r->cap - r->len) {
        r->active = false;
        return S7P_E_LIMIT;
    }
    if (n) memcpy(r->buf + r->len, p, n);
    r->len += n;
    if (f->has_trailer) {
        r->active = false;
        *done = true;
    }
    return S7P_OK;
}

/* ---- system events ---- */

#define SYSEV_HEADER_LEN 16u

s7p_status s7p_sysevent_decode(const uint8_t *data, size_t len, s7p_arena *a, s7p_sysevent *out)
{
    s7p_rd r = s7p_rd_init(data, len);
    memset(out, 0, sizeof *out);
    s7p_rd_u32be(&r, &out->reserved1);
    s7p_rd_u32be(&r, &out->confirmed_bytes);
    s7p_rd_u32be(&r, &out->reserved2);
    if (!s7p_rd_u32be(&r, &out->reserved3)) return r.err;
    size_t left = s7p_rd_left(&r);
    if (left == 0) return S7P_OK;
    if (left >= 4 && r.p[0] == 0 && r.p[1] == 0 && r.p[2] == 0 && r.p[3] == S7P_DT_STRUCT) {
        out->kind = S7P_SYSEV_STRUCT;
        r.fixed_ints = true;
        if (!s7p_value_decode(&r, a, &out->value)) return r.err;
        return s7p_rd_left(&r) == 0 ? S7P_OK : S7P_E_PROTOCOL;
    }
    out->kind = S7P_SYSEV_TEXT;
    s7p_rd_bytes(&r, left, &out->text);
    return S7P_OK;
}

bool s7p_sysevent_encode(s7p_wr *w, const s7p_sysevent *e)
{
    s7p_wr_u32be(w, e->reserved1);
    s7p_wr_u32be(w, e->confirmed_bytes);
    s7p_wr_u32be(w, e->reserved2);
    s7p_wr_u32be(w, e->reserved3);
    if (e->kind == S7P_SYSEV_TEXT) return s7p_wr_bytes(w, e->text.p, e->text.n);
    if (e->kind != S7P_SYSEV_STRUCT) return w->err == S7P_OK;
    if (e->value.type != S7P_DT_STRUCT || e->value.flags != 0) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    bool fixed = w->fixed_ints;
    w->fixed_ints = true;
    bool ok = s7p_value_encode(w, &e->value);
    w->fixed_ints = fixed;
    return ok;
}

bool s7p_sysevent_return_value(const s7p_sysevent *e, int64_t *out)
{
    if (e->kind != S7P_SYSEV_STRUCT || !e->value.v.st) return false;
    const s7p_value *v = s7p_idlist_find(&e->value.v.st->members, S7P_ID_SYSTEM_EVENT_RETURN_VALUE);
    if (!v) return false;
    *out = v->v.i;
    return true;
}

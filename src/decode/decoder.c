/* SPDX-License-Identifier: MIT */
/* The capture decoder behind s7p_capture_decode_file/_mem (`s7plus decode`): for each TPKT
 * of a capture (decode/pcap_streams.c) in capture order, per connection and direction:
 * COTP, then TLS 1.3 records when the stream switched to TLS (decode/tls13.c), frames,
 * fragment reassembly and the PDU codec (src/proto); each message goes to the caller's
 * callback with its readable body (decode/render.c), and the statistics of the summary are
 * kept on the way. Nothing here is fatal but a failed allocation: bytes that do not decode
 * are reported as such and the stream goes on at the next TPKT. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode/pcap_streams.h"
#include "decode/render.h"
#include "decode/stats.h"
#include "decode/tls13.h"
#include "proto/frame.h"
#include "proto/functions.h"
#include "proto/pdu.h"
#include "s7plus/s7plus.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/strbuf.h"

#define PENDING_SLOTS 256u                 /* outstanding requests remembered per connection */
#define STREAM_BUF_MAX (16u * 1024 * 1024) /* bytes waiting for a complete frame or record */
#define PDU_MAX (64u * 1024 * 1024)        /* a reassembled PDU */
#define ARENA_LIMIT ((size_t)64 << 20)
#define HEX_SHOWN 64u
#define TLS_HANDSHAKE 22u
#define TLS_APPLICATION_DATA 23u

typedef struct pending {
    bool used;
    uint16_t seq, function;
    uint32_t session;
    int64_t time_us;
    s7p_tag *addr;           /* the request's item addresses (only with a callback) */
    uint32_t naddr, addr_cap;
    uint32_t *ids;           /* or its attribute ids */
    uint32_t nids, ids_cap;  /* the buffers stay with the slot, for its next requests */
} pending;

typedef struct dec_dir {
    uint8_t *fb;             /* frame bytes waiting for the rest of their frame */
    size_t fb_len, fb_cap;
    uint8_t *tb;             /* TLS bytes waiting for the rest of their record */
    size_t tb_len, tb_cap;
    bool tls, tls_reported;
    s7p_tls13_dir key;
    s7p_reasm rs;
    size_t rs_cap;
    bool has_seq;
    uint16_t last_seq;
} dec_dir;

typedef struct dec_conn {
    dec_dir d[2];
    char client[64], server[64];
    uint8_t random[S7P_TLS13_RANDOM_LEN];
    bool have_random;
    uint16_t suite;
    uint32_t session_id;
    pending pend[PENDING_SLOTS];
    s7p_fn_table fns;
    uint64_t requests, responses, notifications, sysevents, keepalives, errors, gaps,
        undecodable, tls_skipped, key_updates;
    s7p_err_stats err;       /* error codes, refused items, sequence gaps */
} dec_conn;

typedef struct decoder {
    const s7p_decode_options *o;
    const s7p_keylog *keys;
    const s7p_pcap_streams *s;
    dec_conn *c;
    s7p_fn_table all;        /* round trips per function over every connection */
    s7p_strbuf body;
    s7p_render render;       /* the body's fields while it is made */
    s7p_strbuf field_text;   /* the public fields' strings */
    s7p_decoded_field *fields;
    size_t fields_cap;
    uint8_t *plain;          /* TLS plaintext of one record */
    const s7p_pcap_tpkt *tp; /* the TPKT being decoded */
    bool nomem;
} decoder;

/* ---- emitting ------------------------------------------------------------------------------ */

static s7p_fn_stat *fn_stat_of(decoder *D, s7p_fn_table *t, uint16_t function)
{
    s7p_fn_stat *f = s7p_fn_get(t, function);
    if (!f) D->nomem = true;
    return f;
}

static void msg_init(decoder *D, s7p_decoded_pdu *m, s7p_decoded_kind kind, bool from_client)
{
    const dec_conn *c = &D->c[D->tp->conversation];
    *m = (s7p_decoded_pdu){.kind = kind, .frame = D->tp->frame, .time_us = D->tp->time_us,
                           .connection = (uint32_t)D->tp->conversation + 1,
                           .client = c->client, .server = c->server,
                           .from_client = from_client, .tls = c->d[from_client ? 0 : 1].tls,
                           .function_name = "?", .rtt_us = -1, .body = ""};
}

static void body_reset(decoder *D)
{
    D->body.len = 0;
    if (D->body.p) D->body.p[0] = '\0';
}

static void emit(decoder *D, s7p_decoded_pdu *m)
{
    if (D->body.oom) D->nomem = true;
    m->body = D->body.p ? D->body.p + (D->body.p[0] == '\n') : "";  /* renderers start lines with \n */
    if (D->o->on_pdu) D->o->on_pdu(m, D->o->user);
}

/* A PDU's message with the fields of its body. */
static void emit_fields(decoder *D, s7p_decoded_pdu *m)
{
    if (D->render.oom ||
        !s7p_render_publish(&D->render, &D->field_text, &D->fields, &D->fields_cap)) {
        D->nomem = true;
        return;
    }
    m->fields = D->fields;
    m->field_count = D->render.nfields;
    emit(D, m);
}

static void emit_undecodable(decoder *D, dec_conn *c, bool from_client, uint8_t version,
                             const char *why, const uint8_t *p, size_t n)
{
    c->undecodable++;
    if (!D->o->on_pdu) return;
    s7p_decoded_pdu m;
    msg_init(D, &m, S7P_DECODED_UNDECODABLE, from_client);
    m.version = version;
    m.function_name = "Undecodable";
    m.error = why;
    body_reset(D);
    s7p_strbuf_printf(&D->body, "%zu bytes: ", n);
    s7p_render_hex(&D->body, p, n, HEX_SHOWN);
    emit(D, &m);
}

/* ---- PDUs ---------------------------------------------------------------------------------- */

static void pending_clear(pending *q)
{
    q->used = false;
    q->naddr = q->nids = 0;
}

static void pending_free(pending *q)
{
    s7p_free(q->addr);
    s7p_free(q->ids);
    *q = (pending){0};
}

/* Room for n elements of size sz in *p (capacity *cap); false when out of memory. */
static bool room(void **p, uint32_t *cap, uint32_t n, size_t sz)
{
    if (n <= *cap) return true;
    void *np = s7p_realloc(*p, (size_t)n * sz);
    if (!np) return false;
    *p = np;
    *cap = n;
    return true;
}

/* Keeps what names the items of the answer: the addresses or attribute ids asked for. */
static void pending_items(decoder *D, pending *q, const s7p_pdu *p)
{
    const s7p_item_address *a = NULL;
    const uint32_t *ids = NULL;
    uint32_t n = 0, nids = 0;
    if (p->function == S7P_FC_GET_MULTI_VARIABLES) {
        a = p->req.get_multi.link_id ? NULL : p->req.get_multi.addresses;
        n = a ? p->req.get_multi.item_count : 0;
        ids = p->req.get_multi.ids;
        nids = p->req.get_multi.link_id ? p->req.get_multi.nids : 0;
    } else if (p->function == S7P_FC_SET_MULTI_VARIABLES) {
        a = p->req.set_multi.object_id ? NULL : p->req.set_multi.addresses;
        n = a ? p->req.set_multi.item_count : 0;
        ids = p->req.set_multi.ids;
        nids = p->req.set_multi.object_id ? p->req.set_multi.nids : 0;
    }
    if (!room((void **)&q->addr, &q->addr_cap, n, sizeof *q->addr) ||
        !room((void **)&q->ids, &q->ids_cap, nids, sizeof *q->ids)) {
        D->nomem = true;
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        s7p_render_tag_of(&a[i], &q->addr[i]);
    if (nids) memcpy(q->ids, ids, nids * sizeof *ids);
    q->naddr = n;
    q->nids = nids;
}

static void on_request(decoder *D, dec_conn *c, dec_dir *d, const s7p_pdu *p)
{
    c->requests++;
    s7p_fn_stat *f = fn_stat_of(D, &c->fns, p->function);
    if (f) f->requests++;
    /* The client numbers its requests 1, 2, 3, ...; a jump means requests we did not see. */
    if (d->has_seq && p->seq != (uint16_t)(d->last_seq + 1u) && p->seq != d->last_seq)
        s7p_err_gap(&c->err, d->last_seq, p->seq);
    d->has_seq = true;
    d->last_seq = p->seq;
    if (p->session_id) c->session_id = p->session_id;
    pending *q = &c->pend[p->seq % PENDING_SLOTS];
    pending_clear(q);
    q->used = true;
    q->seq = p->seq;
    q->function = p->function;
    q->session = p->session_id;
    q->time_us = D->tp->time_us;
    if (D->o->on_pdu) pending_items(D, q, p);
}

/* Items the PLC refused in an otherwise answered Get/SetMultiVariables. */
static void tally_item_errors(dec_conn *c, const s7p_pdu *p)
{
    const s7p_error_list *l = NULL;
    if (p->ret_only) return;
    if (p->function == S7P_FC_GET_MULTI_VARIABLES) l = &p->resp.get_multi.errors;
    else if (p->function == S7P_FC_SET_MULTI_VARIABLES) l = &p->resp.set_multi.errors;
    for (uint32_t i = 0; l && i < l->n; i++) {
        c->err.item_errors++;
        s7p_err_code(&c->err, s7p_ret_code(l->items[i].ret));
    }
}

/* Returns the request answered, if it was seen; the caller clears it after use. */
static pending *on_response(decoder *D, dec_conn *c, const s7p_pdu *p, s7p_decoded_pdu *m)
{
    c->responses++;
    pending *q = &c->pend[p->seq % PENDING_SLOTS];
    if (q->used && q->seq == p->seq && q->function == p->function) {
        /* Unsigned: corrupt timestamps must not overflow; a negative time is unknown. */
        int64_t rtt = (int64_t)((uint64_t)D->tp->time_us - (uint64_t)q->time_us);
        m->rtt_us = rtt >= 0 ? rtt : -1;
        m->session_id = q->session;
    } else {
        q = NULL;
    }
    s7p_fn_stat *f = fn_stat_of(D, &c->fns, p->function);
    if (f) f->responses++;
    if (m->return_code < 0) {
        c->errors++;
        if (f) f->errors++;
        s7p_err_code(&c->err, m->return_code);
    }
    tally_item_errors(c, p);
    s7p_fn_note_rtt(f, m->rtt_us);
    s7p_fn_note_rtt(fn_stat_of(D, &D->all, p->function), m->rtt_us);
    /* The session set-up answer names the session id the client uses from then on. */
    if (p->function == S7P_FC_CREATE_OBJECT && !p->ret_only &&
        p->resp.create_object.nids > 0 && c->session_id == 0)
        c->session_id = p->resp.create_object.object_ids[0];
    return q;
}

static void on_pdu(decoder *D, dec_conn *c, bool from_client, const uint8_t *data, size_t n,
                   uint8_t version)
{
    dec_dir *d = &c->d[from_client ? 0 : 1];
    s7p_arena a;
    s7p_pdu p;
    s7p_arena_init(&a, ARENA_LIMIT);
    s7p_status st = s7p_pdu_decode(data, n, version, &a, &p);
    if (st != S7P_OK) {
        char why[96];
        snprintf(why, sizeof why, "PDU (version %u) does not decode: %s", version,
                 s7p_strerror(st));
        emit_undecodable(D, c, from_client, version, why, data, n);
        s7p_arena_release(&a);
        return;
    }
    s7p_decoded_pdu m;
    pending *q = NULL;
    msg_init(D, &m, S7P_DECODED_PDU, from_client);
    m.version = p.version;
    m.opcode = p.opcode;
    m.has_integrity_id = p.has_iid;
    m.integrity_id = p.iid;
    if (p.opcode == S7P_OP_NOTIFICATION) {
        c->notifications++;
        m.function_name = "Notification";
        m.session_id = c->session_id;
    } else {
        const char *fn = s7p_function_name(p.function);
        m.function = p.function;
        m.function_name = fn ? fn : "?";
        m.seq = p.seq;
        if (p.opcode == S7P_OP_REQUEST) {
            m.session_id = p.session_id;
            on_request(D, c, d, &p);
        } else {
            m.has_return_value = true;
            m.return_code = s7p_ret_code(p.ret);
            m.return_name = s7p_plc_code_name(m.return_code);
            m.session_id = c->session_id;
            q = on_response(D, c, &p, &m);
        }
    }
    if (D->o->on_pdu) {
        body_reset(D);
        D->render.req = q ? (s7p_render_request){.addr = q->addr, .naddr = q->naddr,
                                                 .ids = q->ids, .nids = q->nids}
                          : (s7p_render_request){0};
        s7p_render_pdu_body(&D->render, &p);
        emit_fields(D, &m);
    }
    if (q) pending_clear(q);
    s7p_arena_release(&a);
}

static void on_sysevent(decoder *D, dec_conn *c, bool from_client, const s7p_frame *f)
{
    c->sysevents++;
    s7p_arena a;
    s7p_sysevent e;
    s7p_arena_init(&a, ARENA_LIMIT);
    if (s7p_sysevent_decode(f->data.p, f->data.n, &a, &e) != S7P_OK) {
        emit_undecodable(D, c, from_client, f->version, "system event does not decode",
                         f->data.p, f->data.n);
    } else if (D->o->on_pdu) {
        s7p_decoded_pdu m;
        msg_init(D, &m, S7P_DECODED_SYSTEM_EVENT, from_client);
        m.version = f->version;
        m.function_name = "SystemEvent";
        int64_t rv;
        if (s7p_sysevent_return_value(&e, &rv)) {
            m.has_return_value = true;
            m.return_code = (int16_t)(uint16_t)((uint64_t)rv & 0xFFFFu);
            m.return_name = s7p_plc_code_name(m.return_code);
        }
        body_reset(D);
        s7p_render_sysevent(&D->body, &e);
        emit(D, &m);
    }
    s7p_arena_release(&a);
}

static void on_frame(decoder *D, dec_conn *c, bool from_client, const s7p_frame *f)
{
    dec_dir *d = &c->d[from_client ? 0 : 1];
    if (f->version == S7P_PROTO_SYSTEM_EVENT) {
        on_sysevent(D, c, from_client, f);
        return;
    }
    if (f->version == S7P_PROTO_KEEPALIVE) {
        c->keepalives++;
        if (!D->o->on_pdu) return;
        s7p_decoded_pdu m;
        msg_init(D, &m, S7P_DECODED_KEEPALIVE, from_client);
        m.version = f->version;
        m.function_name = "KeepAlive";
        m.seq = f->keepalive_seq;
        body_reset(D);
        s7p_strbuf_printf(&D->body, "keep-alive %u", f->keepalive_seq);
        emit(D, &m);
        return;
    }
    /* The reassembly buffer grows to what the PDU needs, up to PDU_MAX. */
    s7p_status st = s7p_buf_reserve(&d->rs.buf, &d->rs_cap, d->rs.len + f->data.n, 4096,
                                    PDU_MAX);
    if (st == S7P_E_NOMEM) {
        D->nomem = true;
        return;
    }
    d->rs.cap = d->rs_cap;
    bool done = false;
    if (st == S7P_OK) st = s7p_reasm_feed(&d->rs, f, &done);
    if (st != S7P_OK) {
        d->rs.active = false;
        d->rs.len = 0;
        emit_undecodable(D, c, from_client, f->version,
                         st == S7P_E_LIMIT ? "reassembled PDU too large"
                                           : "fragment of another protocol version",
                         f->data.p, f->data.n);
        return;
    }
    if (done) on_pdu(D, c, from_client, d->rs.buf, d->rs.len, d->rs.version);
}

/* Cuts frames off the front of p; returns the bytes of an incomplete frame at the end. */
static size_t parse_frames(decoder *D, dec_conn *c, bool from_client, const uint8_t *p,
                           size_t n)
{
    while (n > 0) {
        s7p_frame f;
        size_t used = 0;
        s7p_status st = s7p_frame_parse(p, n, &f, &used);
        if (st == S7P_E_TOO_SMALL) return n;
        if (st != S7P_OK) {
            emit_undecodable(D, c, from_client, 0, "not an S7CommPlus frame", p, n);
            return 0;   /* dropped: the next TPKT starts afresh */
        }
        on_frame(D, c, from_client, &f);
        p += used;
        n -= used;
    }
    return 0;
}

static bool append(decoder *D, uint8_t **buf, size_t *len, size_t *cap, const uint8_t *p,
                   size_t n)
{
    s7p_status st = s7p_buf_reserve(buf, cap, *len + n, 1024, STREAM_BUF_MAX);
    if (st != S7P_OK) {
        D->nomem = st == S7P_E_NOMEM;
        return false;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return true;
}

static void feed_frames(decoder *D, dec_conn *c, bool from_client, const uint8_t *p, size_t n)
{
    dec_dir *d = &c->d[from_client ? 0 : 1];
    if (d->fb_len == 0) {   /* the usual case: whole frames, no copy */
        size_t rest = parse_frames(D, c, from_client, p, n);
        if (rest) append(D, &d->fb, &d->fb_len, &d->fb_cap, p + n - rest, rest);
        return;
    }
    if (!append(D, &d->fb, &d->fb_len, &d->fb_cap, p, n)) {
        emit_undecodable(D, c, from_client, 0, "frame larger than the stream buffer", p, n);
        d->fb_len = 0;
        return;
    }
    size_t rest = parse_frames(D, c, from_client, d->fb, d->fb_len);
    memmove(d->fb, d->fb + d->fb_len - rest, rest);
    d->fb_len = rest;
}

/* ---- TLS ----------------------------------------------------------------------------------- */

/* ClientHello gives the client random (the key log's index), ServerHello the cipher suite. */
static void on_handshake(dec_conn *c, bool from_client, const uint8_t *h, size_t n)
{
    if (n < 4 + 2 + S7P_TLS13_RANDOM_LEN) return;
    if (from_client && h[0] == 1) {
        memcpy(c->random, h + 6, S7P_TLS13_RANDOM_LEN);
        c->have_random = true;
    } else if (!from_client && h[0] == 2) {
        size_t at = 6 + S7P_TLS13_RANDOM_LEN;
        if (at < n && at + 1 + h[at] + 2 <= n)
            c->suite = (uint16_t)(h[at + 1 + h[at]] << 8 | h[at + 2 + h[at]]);
    }
}

static void on_record(decoder *D, dec_conn *c, bool from_client, const uint8_t *rec, size_t n)
{
    dec_dir *d = &c->d[from_client ? 0 : 1];
    if (rec[0] == TLS_HANDSHAKE && !d->key.keyed) {
        on_handshake(c, from_client, rec + 5, n - 5);
        return;
    }
    if (rec[0] != TLS_APPLICATION_DATA) return;   /* change cipher spec, alerts */
    if (!d->key.keyed && c->have_random)
        s7p_tls13_key(&d->key, D->keys, c->random, c->suite, from_client);
    if (!d->key.keyed) {
        c->tls_skipped++;
        if (!d->tls_reported) {
            d->tls_reported = true;
            emit_undecodable(D, c, from_client, 0,
                             D->keys ? "TLS: the key log has no key for this session"
                                     : "TLS: encrypted (no key log given)", rec, n);
        }
        return;
    }
    size_t len = 0;
    uint8_t type = 0;
    if (!s7p_tls13_open(&d->key, rec, n, D->plain, &len, &type)) {
        /* Before the first record that opens: the handshake's own encrypted records. */
        if (d->key.synced) emit_undecodable(D, c, from_client, 0, "TLS record does not decrypt",
                                            rec, n);
        else c->tls_skipped++;
        return;
    }
    if (type == TLS_APPLICATION_DATA) feed_frames(D, c, from_client, D->plain, len);
    /* After the handshake: NewSessionTicket (skipped) and KeyUpdate, which moves this
     * direction to its next traffic secret from the next record on. */
    else if (type == TLS_HANDSHAKE)
        c->key_updates += s7p_tls13_handshake_after(&d->key, D->plain, len);
}

static void feed_tls(decoder *D, dec_conn *c, bool from_client, const uint8_t *p, size_t n)
{
    dec_dir *d = &c->d[from_client ? 0 : 1];
    if (!append(D, &d->tb, &d->tb_len, &d->tb_cap, p, n)) {
        d->tb_len = 0;
        return;
    }
    size_t at = 0;
    while (d->tb_len - at >= 5) {
        const uint8_t *r = d->tb + at;
        size_t len = 5u + (size_t)(r[3] << 8 | r[4]);
        if (r[1] != 3 || len > S7P_TLS13_MAX_RECORD + 5) {
            emit_undecodable(D, c, from_client, 0, "not a TLS record", r, d->tb_len - at);
            at = d->tb_len;
            break;
        }
        if (d->tb_len - at < len) break;
        on_record(D, c, from_client, r, len);
        at += len;
    }
    memmove(d->tb, d->tb + at, d->tb_len - at);
    d->tb_len -= at;
}

/* ---- COTP ---------------------------------------------------------------------------------- */

static const char *cotp_name(uint8_t type)
{
    switch (type & 0xF0u) {
    case 0xE0: return "COTP CR";
    case 0xD0: return "COTP CC";
    case 0x80: return "COTP DR";
    case 0xC0: return "COTP DC";
    case 0x70: return "COTP ER";
    default: return "COTP";
    }
}

static void on_tpkt(decoder *D, const s7p_pcap_tpkt *tp)
{
    D->tp = tp;
    dec_conn *c = &D->c[tp->conversation];
    bool fc = tp->from_client;
    size_t hdr = 5u + tp->bytes[4];
    if (hdr > tp->len || tp->bytes[4] < 2) {
        emit_undecodable(D, c, fc, 0, "COTP header longer than its TPKT", tp->bytes, tp->len);
        return;
    }
    uint8_t type = tp->bytes[5];
    if ((type & 0xF0u) != 0xF0u) {
        if (!D->o->on_pdu) return;
        s7p_decoded_pdu m;
        msg_init(D, &m, S7P_DECODED_COTP, fc);
        m.function_name = cotp_name(type);
        body_reset(D);
        s7p_strbuf_puts(&D->body, "COTP ");
        s7p_render_hex(&D->body, tp->bytes + 5, tp->len - 5, HEX_SHOWN);
        emit(D, &m);
        return;
    }
    const uint8_t *p = tp->bytes + hdr;
    size_t n = tp->len - hdr;
    dec_dir *d = &c->d[fc ? 0 : 1];
    if (n == 0) return;
    /* After InitSsl the COTP data carry TLS records: 16/17/14/15 03 xx. */
    if (!d->tls && d->fb_len == 0 && n >= 3 && p[0] >= 0x14 && p[0] <= 0x17 && p[1] == 3)
        d->tls = true;
    if (d->tls) feed_tls(D, c, fc, p, n);
    else feed_frames(D, c, fc, p, n);
}

/* ---- summary ------------------------------------------------------------------------------- */

static void endpoint_text(char *out, size_t len, int ipv, const uint8_t *addr, uint16_t port)
{
    char a[INET6_ADDRSTRLEN] = "?";
    inet_ntop(ipv == 6 ? AF_INET6 : AF_INET, addr, a, sizeof a);
    snprintf(out, len, ipv == 6 ? "[%s]:%u" : "%s:%u", a, port);
}

static void summary(decoder *D, s7p_strbuf *b)
{
    s7p_strbuf_printf(b, "%" PRIu64 " frames, %zu connections\n", D->s->stats.frames,
                      D->s->conversation_count);
    for (size_t i = 0; i < D->s->conversation_count; i++) {
        const dec_conn *c = &D->c[i];
        s7p_strbuf_printf(b, "connection %zu: %s -> %s%s\n", i + 1, c->client, c->server,
                          c->d[0].tls || c->d[1].tls ? " (TLS)" : "");
        s7p_strbuf_printf(b, "  %" PRIu64 " requests, %" PRIu64 " responses, %" PRIu64
                          " notifications, %" PRIu64 " system events, %" PRIu64
                          " keep-alives\n", c->requests, c->responses, c->notifications,
                          c->sysevents, c->keepalives);
        s7p_strbuf_printf(b, "  %" PRIu64 " errors, %" PRIu64 " sequence gaps, %" PRIu64
                          " undecodable", c->errors, c->err.gaps, c->undecodable);
        if (c->tls_skipped) s7p_strbuf_printf(b, ", %" PRIu64 " TLS records not decrypted (handshake, or no key)",
                                              c->tls_skipped);
        if (c->key_updates) s7p_strbuf_printf(b, ", %" PRIu64 " TLS key updates", c->key_updates);
        s7p_strbuf_puts(b, "\n");
        s7p_err_summary(b, &c->err);
        const s7p_pcap_conversation *cv = &D->s->conversations[i];
        for (int dir = 0; dir < 2; dir++)
            if (cv->gap[dir] || cv->clipped[dir] || cv->desync[dir])
                s7p_strbuf_printf(b, "  %s stream: %s\n", dir ? "PLC" : "client",
                                  cv->gap[dir] ? "bytes missing from the capture"
                                  : cv->clipped[dir] ? "cut at the size limit"
                                                     : "stopped looking like TPKT");
        s7p_fn_summary(b, &c->fns);
    }
    if (D->all.n) s7p_strbuf_puts(b, "round trips per function:\n");
    s7p_fn_rtt_summary(b, &D->all);
}

/* ---- entry points -------------------------------------------------------------------------- */

static s7p_status from_pcap(s7p_pcap_status st)
{
    switch (st) {
    case S7P_PCAP_OK: return S7P_OK;
    case S7P_PCAP_E_INVALID_ARG: return S7P_E_INVALID_ARG;
    case S7P_PCAP_E_NOMEM: return S7P_E_NOMEM;
    case S7P_PCAP_E_LIMIT: return S7P_E_LIMIT;
    case S7P_PCAP_E_LINKTYPE: return S7P_E_UNSUPPORTED;
    default: return S7P_E_IO;
    }
}

static void free_decoder(decoder *D)
{
    for (size_t i = 0; D->c && i < D->s->conversation_count; i++) {
        for (int dir = 0; dir < 2; dir++) {
            s7p_free(D->c[i].d[dir].fb);
            s7p_free(D->c[i].d[dir].tb);
            s7p_free(D->c[i].d[dir].rs.buf);
        }
        for (size_t k = 0; k < PENDING_SLOTS; k++)
            pending_free(&D->c[i].pend[k]);
        s7p_fn_table_free(&D->c[i].fns);
    }
    s7p_free(D->c);
    s7p_fn_table_free(&D->all);
    s7p_free(D->body.p);
    s7p_free(D->render.fields);
    s7p_free(D->field_text.p);
    s7p_free(D->fields);
    s7p_free(D->plain);
}

static s7p_status run(decoder *D, char **summary_out, char *err, size_t err_len)
{
    size_t nc = D->s->conversation_count;
    D->c = s7p_calloc(nc ? nc : 1, sizeof *D->c);
    D->plain = s7p_malloc(S7P_TLS13_MAX_RECORD + 5);
    if (!D->c || !D->plain) return S7P_E_NOMEM;
    for (size_t i = 0; i < nc; i++) {
        const s7p_pcap_conversation *cv = &D->s->conversations[i];
        endpoint_text(D->c[i].client, sizeof D->c[i].client, cv->ip_version, cv->client_addr,
                      cv->client_port);
        endpoint_text(D->c[i].server, sizeof D->c[i].server, cv->ip_version, cv->server_addr,
                      cv->server_port);
    }
    for (size_t i = 0; i < D->s->tpkt_count && !D->nomem; i++)
        on_tpkt(D, &D->s->tpkts[i]);
    if (D->nomem) {
        if (err && err_len) snprintf(err, err_len, "out of memory while decoding");
        return S7P_E_NOMEM;
    }
    if (summary_out) {
        s7p_strbuf b = {0};
        summary(D, &b);
        if (b.oom) {
            s7p_free(b.p);
            return S7P_E_NOMEM;
        }
        *summary_out = b.p;
    }
    return S7P_OK;
}

static s7p_status decode(const s7p_pcap_input *in, const s7p_decode_options *opts,
                         char **summary_out, char *err, size_t err_len)
{
    static const s7p_decode_options defaults = {0};
    if (summary_out) *summary_out = NULL;
    if (err && err_len) err[0] = '\0';
    decoder D = {.o = opts ? opts : &defaults};
    D.render = (s7p_render){.b = &D.body, .symbol = D.o->symbol, .symbol_ctx = D.o->symbol_ctx};
    s7p_keylog *keys = NULL;
    if (D.o->keylog_file) {
        s7p_status st = s7p_keylog_load(D.o->keylog_file, &keys, err, err_len);
        if (st != S7P_OK) return st;
        D.keys = keys;
    }
    s7p_pcap_input pin = *in;
    pin.port = D.o->port;
    s7p_pcap_streams *s = NULL;
    s7p_pcap_status ps = s7p_pcap_streams_read(&pin, &s, err, err_len);
    s7p_status st = from_pcap(ps);
    if (st == S7P_OK) {
        D.s = s;
        st = run(&D, summary_out, err, err_len);
        free_decoder(&D);
    }
    s7p_pcap_streams_free(s);
    s7p_keylog_free(keys);
    return st;
}

s7p_status s7p_capture_decode_file(const char *path, const s7p_decode_options *opts,
                                   char **summary, char *err, size_t err_len)
{
    if (!path) return S7P_E_INVALID_ARG;
    s7p_pcap_input in = {.path = path};
    return decode(&in, opts, summary, err, err_len);
}

s7p_status s7p_capture_decode_mem(const uint8_t *data, size_t len,
                                  const s7p_decode_options *opts, char **summary, char *err,
                                  size_t err_len)
{
    if (!data || len == 0) return S7P_E_INVALID_ARG;
    s7p_pcap_input in = {.data = data, .len = len};
    return decode(&in, opts, summary, err, err_len);
}

#include "session/session.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "net/tcp.h"
#include "proto/vlq.h"
#include "session/pdu_log.h"
#include "util/utf8.h"

#define LAYER "session"

s7p_status s7p_fail_set(s7p_fail *f, s7p_status code, const char *fmt, ...)
{
    if (f && f->code == S7P_OK) {
        f->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->msg, sizeof f->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Fills f from a failed channel: its message, the socket errno and the TLS error. */
static s7p_status channel_fail(s7p_session *s, s7p_status st, s7p_fail *f, const char *step)
{
    if (f && f->code == S7P_OK) {
        f->sys_errno = s->ch.iso.sys_errno;
        if (s->ch.tls) f->tls_err = s7p_tls_error_code(s->ch.tls);
    }
    /* The channel's message already names the step that failed. */
    if (s->ch.err_msg[0]) return s7p_fail_set(f, st, "%s", s->ch.err_msg);
    return s7p_fail_set(f, st, "%s: %s", step, s7p_strerror(st));
}

static uint16_t next_seq(s7p_session *s)
{
    if (++s->seq == 0) s->seq = 1;  /* 0 is never used */
    return s->seq;
}

/* Functions that change state count on the "set" integrity counter, the rest on "get". */
static bool uses_set_counter(uint16_t function)
{
    return function == S7P_FC_SET_MULTI_VARIABLES || function == S7P_FC_SET_VARIABLE ||
           function == S7P_FC_SET_VAR_SUB_STREAMED || function == S7P_FC_DELETE_OBJECT ||
           function == S7P_FC_CREATE_OBJECT;
}

static uint32_t next_iid(s7p_session *s, uint16_t function)
{
    return uses_set_counter(function) ? ++s->iid_set : ++s->iid_get;
}

/* The response's integrity id should be request seq + request id; a mismatch is logged,
 * as the reference clients do, since PLC firmware versions differ in the detail. */
static void check_iid(s7p_session *s, const s7p_pdu *req, const s7p_pdu *resp)
{
    if (!req->has_iid) return;
    uint32_t want = (uint32_t)req->seq + req->iid;
    bool has = resp->has_iid || (resp->function == S7P_FC_EXPLORE && resp->resp.explore.has_resp_iid);
    uint32_t got = resp->function == S7P_FC_EXPLORE ? resp->resp.explore.resp_iid : resp->iid;
    if (!has || got == want) return;
    s->iid_mismatches++;
    s7p_logf(s->log, S7P_LOG_WARN, LAYER, "response seq %u: integrity id %u, expected %u",
             resp->seq, got, want);
}

static bool matches(const s7p_pdu *req, const s7p_msg *m)
{
    return m->kind == S7P_MSG_PDU && m->pdu.opcode == S7P_OP_RESPONSE &&
           m->pdu.function == req->function && m->pdu.seq == req->seq;
}

/* A system event with a negative return value reports a fatal protocol error. */
static s7p_status on_event(s7p_session *s, const s7p_msg *m, s7p_fail *f)
{
    int64_t rv;
    if (s7p_sysevent_return_value(&m->event, &rv) && rv < 0) {
        f->plc_return = (uint64_t)rv;
        /* The PLC drops the connection after such an event: so does the client. */
        s7p_channel_break(&s->ch, S7P_E_PROTOCOL, "system event");
        return s7p_fail_set(f, S7P_E_PROTOCOL, "PLC reported a fatal error (system event, code %lld)",
                            (long long)rv);
    }
    s7p_logf(s->log, S7P_LOG_DEBUG, LAYER, "system event ignored");
    return S7P_OK;
}

static s7p_status wait_response(s7p_session *s, const s7p_pdu *req, s7p_arena *a,
                                s7p_pdu *resp, int64_t deadline, s7p_fail *f)
{
    for (;;) {
        s7p_msg m;
        s7p_status st = s7p_channel_recv(&s->ch, a, &m, deadline);
        if (st != S7P_OK) return channel_fail(s, st, f, "receive");
        s7p_log_msg(s->log, &m);
        if (matches(req, &m)) {
            *resp = m.pdu;
            check_iid(s, req, resp);
            return S7P_OK;
        }
        /* One request is outstanding at a time and a timeout breaks the channel, so an answer
         * to any other sequence number cannot be a late one: the peer is out of step. */
        if (m.kind == S7P_MSG_PDU && m.pdu.opcode == S7P_OP_RESPONSE && m.pdu.seq != req->seq) {
            s7p_channel_break(&s->ch, S7P_E_PROTOCOL, "answer out of sequence");
            return s7p_fail_set(f, S7P_E_PROTOCOL, "answer with sequence number %u to request %u",
                                m.pdu.seq, req->seq);
        }
        if (m.kind == S7P_MSG_SYSTEM_EVENT && (st = on_event(s, &m, f)) != S7P_OK) return st;
        if (m.kind == S7P_MSG_PDU)
            s7p_logf(s->log, S7P_LOG_DEBUG, LAYER, "dropped opcode 0x%02x function 0x%04x seq %u",
                     m.pdu.opcode, m.pdu.function, m.pdu.seq);
    }
}

s7p_status s7p_session_call(s7p_session *s, s7p_pdu *req, s7p_arena *a, s7p_pdu *resp,
                            int64_t deadline, s7p_fail *f)
{
    req->seq = next_seq(s);
    if (req->opcode == S7P_OP_REQUEST && s->session_id) req->session_id = s->session_id;
    s7p_status st = s7p_channel_send(&s->ch, req, deadline);
    if (st != S7P_OK) return channel_fail(s, st, f, "send");
    s7p_log_pdu(s->log, true, req, s->ch.tx_len);
    if (req->transport_flags & S7P_TF_NO_RESPONSE) return S7P_OK;
    return wait_response(s, req, a, resp, deadline, f);
}

s7p_status s7p_session_call_kept(s7p_session *s, s7p_pdu *req, s7p_arena *a, s7p_pdu *resp,
                                 int64_t deadline, s7p_fail *f)
{
    s7p_status st = s7p_session_call(s, req, a, resp, deadline, f);
    if (st != S7P_OK) return st;
    size_t n = s->ch.reasm.len;
    uint8_t *copy = s7p_arena_alloc(a, n);
    if (!copy) return s7p_fail_set(f, S7P_E_NOMEM, "keeping an answer of %zu bytes", n);
    memcpy(copy, s->ch.reasm.buf, n);
    st = s7p_pdu_decode(copy, n, s->ch.reasm.version, a, resp);
    return st == S7P_OK ? st : s7p_fail_set(f, st, "answer changed while copying");
}

void s7p_session_init_request(s7p_session *s, s7p_pdu *p, uint16_t function, bool with_iid)
{
    s7p_pdu_init_request(p, S7P_PROTO_V2, function, 0, s->session_id, S7P_TF_REQUEST);
    if (with_iid) {
        p->has_iid = true;
        p->iid = next_iid(s, function);
    }
}

static s7p_status check_ret(const s7p_pdu *resp, const char *step, s7p_fail *f)
{
    if (s7p_ret_code(resp->ret) >= 0) return S7P_OK;  /* positive codes are informational */
    f->plc_return = resp->ret;
    return s7p_fail_set(f, S7P_E_PLC, "%s: PLC refused: code %d", step, s7p_ret_code(resp->ret));
}

s7p_status s7p_session_read_attr(s7p_session *s, uint32_t object_id, uint32_t attr,
                                 s7p_arena *a, const s7p_value **out, int64_t deadline,
                                 s7p_fail *f)
{
    s7p_pdu req, resp;
    s7p_session_init_request(s, &req, S7P_FC_GET_VAR_SUB_STREAMED, true);
    s7p_req_var_sub_streamed *b = &req.req.var_sub_streamed;
    b->object_id = object_id;
    /* The address: an address array of one UDInt, the attribute id. */
    s7p_scalar *elem = s7p_arena_alloc(a, sizeof *elem);
    if (!elem || !s7p_qualifier_default(&req.qualifier, a)) return s7p_fail_set(f, S7P_E_NOMEM, "read");
    elem->u = attr;
    b->value.flags = S7P_VF_ADDRESS_ARRAY;
    b->value.type = S7P_DT_UDINT;
    b->value.count = 1;
    b->value.elems = elem;
    b->unknown = 1;  /* what every reference client sends here */
    s7p_status st = s7p_session_call(s, &req, a, &resp, deadline, f);
    if (st != S7P_OK) return st;
    if ((st = check_ret(&resp, "read attribute", f)) != S7P_OK) return st;
    /* resp lives on this stack frame, its value tree in the arena: copy the root there. */
    s7p_value *copy = s7p_arena_alloc(a, sizeof *copy);
    if (!copy) return s7p_fail_set(f, S7P_E_NOMEM, "read");
    *copy = resp.resp.get_var_sub_streamed.value;
    *out = copy;
    return S7P_OK;
}

/* ---- connect sequence ---- */

static s7p_status init_ssl(s7p_session *s, int64_t deadline, s7p_fail *f)
{
    s7p_arena a;
    s7p_pdu req, resp;
    s7p_arena_init(&a, 1u << 20);
    s7p_pdu_init_request(&req, S7P_PROTO_V1, S7P_FC_INIT_SSL, 0,
                         S7P_ID_OBJECT_NULL_SERVER_SESSION, S7P_TF_INIT_SSL);
    s7p_status st = s7p_session_call(s, &req, &a, &resp, deadline, f);
    if (st == S7P_OK && s7p_ret_code(resp.ret) != 0) {
        f->plc_return = resp.ret;
        st = s7p_fail_set(f, S7P_E_UNSUPPORTED, "PLC does not start TLS (code %d)",
                          s7p_ret_code(resp.ret));
    }
    s7p_arena_release(&a);
    return st;
}

/* The ServerSession object every reference client creates (with a subscription container). */
static s7p_object *session_object(s7p_arena *a)
{
    s7p_object *o = s7p_object_new(a, S7P_ID_GET_NEW_RID_ON_SERVER, S7P_ID_CLASS_SERVER_SESSION);
    s7p_object *sub = s7p_object_new(a, S7P_ID_GET_NEW_RID_ON_SERVER, S7P_ID_CLASS_SUBSCRIPTIONS);
    s7p_value *rid = o ? s7p_object_add_attr(o, a, S7P_ID_SERVER_SESSION_CLIENT_RID) : NULL;
    if (!o || !sub || !rid || !s7p_object_add_child(o, a, sub)) return NULL;
    rid->type = S7P_DT_RID;
    rid->v.u = 0x80C3C901u;
    return o;
}

static void keep_paom(s7p_session *s, const s7p_value *ver)
{
    const s7p_value *paom = s7p_idlist_find(&ver->v.st->members, S7P_ID_SYSTEM_PAOM_STRING);
    if (!paom || paom->type != S7P_DT_WSTRING) return;
    s7p_utf8_copy(s->paom, sizeof s->paom, (const char *)paom->v.s.p, paom->v.s.n);
}

/* Echoes the ServerSessionVersion struct to the session object (attribute 306). */
static s7p_status setup_write(s7p_session *s, const s7p_value *ver, s7p_arena *a,
                              int64_t deadline, s7p_fail *f)
{
    s7p_pdu req, resp;
    s7p_session_init_request(s, &req, S7P_FC_SET_MULTI_VARIABLES, false);
    s7p_req_set_multi *b = &req.req.set_multi;
    uint32_t *id = s7p_arena_alloc(a, sizeof *id);
    s7p_value *v = s7p_idlist_add(&b->values, a, 1);
    if (!id || !v || !s7p_qualifier_default(&req.qualifier, a))
        return s7p_fail_set(f, S7P_E_NOMEM, "session setup");
    *id = S7P_ID_SERVER_SESSION_VERSION;
    b->object_id = s->session_id;
    b->item_count = 1;
    b->nids = 1;
    b->ids = id;
    *v = *ver;
    v->flags = 0;
    s7p_status st = s7p_session_call(s, &req, a, &resp, deadline, f);
    return st != S7P_OK ? st : check_ret(&resp, "session setup", f);
}

static s7p_status create_session(s7p_session *s, int64_t deadline, s7p_fail *f)
{
    s7p_arena a;
    s7p_pdu req, resp;
    s7p_arena_init(&a, 4u << 20);
    s7p_pdu_init_request(&req, S7P_PROTO_V1, S7P_FC_CREATE_OBJECT, 0,
                         S7P_ID_OBJECT_NULL_SERVER_SESSION, S7P_TF_CREATE_OBJECT);
    s7p_req_create_object *b = &req.req.create_object;
    b->request_id = S7P_ID_OBJECT_SERVER_SESSION_CONTAINER;
    b->request_value.type = S7P_DT_UDINT;
    s7p_object *o = session_object(&a);
    s7p_object *items[1] = {o};
    b->objects.items = items;
    b->objects.n = 1;
    s7p_status st = o ? s7p_session_call(s, &req, &a, &resp, deadline, f)
                      : s7p_fail_set(f, S7P_E_NOMEM, "create session");
    if (st == S7P_OK) st = check_ret(&resp, "create session", f);
    const s7p_resp_create_object *r = &resp.resp.create_object;
    const s7p_value *ver = NULL;
    if (st == S7P_OK && (r->nids < 2 || r->objects.n < 1 ||
                         !(ver = s7p_object_attr(r->objects.items[0], S7P_ID_SERVER_SESSION_VERSION)) ||
                         ver->type != S7P_DT_STRUCT))
        st = s7p_fail_set(f, S7P_E_PROTOCOL, "create session: answer without session ids or version");
    if (st == S7P_OK) {
        s->session_id = r->object_ids[0];
        s->session_id2 = r->object_ids[1];
        keep_paom(s, ver);
        st = setup_write(s, ver, &a, deadline, f);
    }
    s7p_arena_release(&a);
    return st;
}

static void add_limit_item(s7p_item_address *it, uint32_t *lid, uint32_t value)
{
    *lid = value;
    it->area = S7P_ID_OBJECT_ROOT;
    it->sub_area = S7P_ID_SYSTEM_LIMITS;
    it->nlids = 1;
    it->lids = lid;
}

/* Limits arrive as DInt per item; items the PLC refuses keep their defaults. */
static void take_limits(s7p_session *s, const s7p_pdu *resp)
{
    int32_t *slots[5] = {&s->limits.tags_per_read, &s->limits.tags_per_write,
                         &s->limits.subscriptions, &s->limits.attributes,
                         &s->limits.subscription_memory};
    for (const s7p_member *m = resp->resp.get_multi.values.first; m; m = m->next)
        if (m->id >= 1 && m->id <= 5 && m->value.type == S7P_DT_DINT && !s7p_value_is_array(&m->value))
            *slots[m->id - 1] = (int32_t)m->value.v.i;
}

static s7p_status read_limits(s7p_session *s, int64_t deadline, s7p_fail *f)
{
    static const uint32_t lids[5] = {1000, 1001, 0, 1, 2};
    s7p_arena a;
    s7p_pdu req, resp;
    s7p_item_address items[5];
    uint32_t lid[5];
    s7p_arena_init(&a, 1u << 20);
    memset(items, 0, sizeof items);
    s7p_session_init_request(s, &req, S7P_FC_GET_MULTI_VARIABLES, true);
    for (int i = 0; i < 5; i++) add_limit_item(&items[i], &lid[i], lids[i]);
    req.req.get_multi.item_count = 5;
    req.req.get_multi.nfields = 5 * s7p_item_address_fields(&items[0]);
    req.req.get_multi.addresses = items;
    s7p_status st = s7p_qualifier_default(&req.qualifier, &a)
                        ? s7p_session_call(s, &req, &a, &resp, deadline, f)
                        : s7p_fail_set(f, S7P_E_NOMEM, "limits");
    if (st == S7P_OK) take_limits(s, &resp);
    s7p_arena_release(&a);
    return st;
}

static s7p_status read_protection(s7p_session *s, int64_t deadline, s7p_fail *f)
{
    s7p_arena a;
    const s7p_value *v;
    s7p_arena_init(&a, 1u << 20);
    s7p_status st = s7p_session_read_attr(s, s->session_id, S7P_ID_EFFECTIVE_PROTECTION_LEVEL,
                                          &a, &v, deadline, f);
    if (st == S7P_OK && (v->type != S7P_DT_UDINT || s7p_value_is_array(v)))
        st = s7p_fail_set(f, S7P_E_PROTOCOL, "protection level is not a UDInt");
    if (st == S7P_OK) s->protection_level = (uint32_t)v->v.u;
    s7p_arena_release(&a);
    return st;
}

/* What arrived instead of the COTP connect confirm, for the message. */
static const char *cotp_reply_name(int type)
{
    switch (type) {
    case S7P_COTP_CR: return "a COTP connect request";
    case S7P_COTP_DT: return "COTP data";
    case S7P_COTP_ER: return "a COTP error TPDU";
    default: return "bytes that are not COTP";
    }
}

/* A COTP refusal (DR) is the PLC saying "no such TSAP here": configuration, not network.
 * Garbage and a close say nothing about the TSAP and are reported as what they are. */
static s7p_status cotp_failed(s7p_session *s, s7p_status st, const char *tsap, s7p_fail *f)
{
    switch (st) {
    case S7P_E_CONNECT:
        return s7p_fail_set(f, S7P_E_CONFIG, "cotp: PLC refused the connection (check the TSAP "
                            "\"%s\")", tsap);
    case S7P_E_PROTOCOL:
        return s7p_fail_set(f, st, "cotp: PLC sent %s instead of a COTP connect confirm",
                            cotp_reply_name(s->ch.iso.setup_reply));
    case S7P_E_CLOSED:
        return s7p_fail_set(f, st, "cotp: PLC closed the connection during the COTP connect");
    default:
        return s7p_fail_set(f, st, "cotp: %s", s7p_strerror(st));
    }
}

static s7p_status transport(s7p_session *s, const s7p_session_params *p, int64_t deadline,
                            s7p_fail *f)
{
    int fd = -1, err = 0;
    s7p_status st = s7p_tcp_connect(p->host, p->port, deadline, &fd, &err);
    if (st != S7P_OK) {
        f->sys_errno = err;
        return s7p_fail_set(f, st, "tcp: %s%s%s", s7p_strerror(st), err ? ": " : "",
                            err ? strerror(err) : "");
    }
    if ((st = s7p_tcp_set_keepalive(fd, &p->keepalive, &err)) != S7P_OK) {
        s7p_tcp_close(fd);
        f->sys_errno = err;
        return s7p_fail_set(f, st, "tcp: keepalive options: %s", strerror(err));
    }
    if ((st = s7p_channel_init(&s->ch, fd)) != S7P_OK) {
        s7p_tcp_close(fd);
        return s7p_fail_set(f, st, "channel");
    }
    s7p_iso_client_params ip = {p->local_tsap, p->remote_tsap, 0};
    st = s7p_iso_connect(&s->ch.iso, &ip, deadline);
    if (st != S7P_OK) {
        f->sys_errno = s->ch.iso.sys_errno;
        return cotp_failed(s, st, p->remote_tsap, f);
    }
    return S7P_OK;
}

s7p_status s7p_session_open(s7p_session *s, const s7p_session_params *p,
                            const s7p_log_sink *log, int64_t deadline, s7p_fail *f)
{
    memset(s, 0, sizeof *s);
    s->log = log;
    s->limits.tags_per_read = s->limits.tags_per_write = 20;
    s7p_status st = transport(s, p, deadline, f);
    if (st == S7P_OK) st = init_ssl(s, deadline, f);
    if (st == S7P_OK && (st = s7p_channel_start_tls(&s->ch, p->tls, deadline)) != S7P_OK)
        channel_fail(s, st, f, "tls");
    if (st == S7P_OK) st = create_session(s, deadline, f);
    if (st == S7P_OK) st = read_limits(s, deadline, f);
    if (st == S7P_OK) st = read_protection(s, deadline, f);
    if (st != S7P_OK) {
        s7p_channel_close(&s->ch);
        return st;
    }
    s->open = true;
    s7p_logf(log, S7P_LOG_INFO, LAYER, "session 0x%08x open (%s, %s, protection level %u)",
             s->session_id, s->paom, s7p_tls_cipher(s->ch.tls), s->protection_level);
    return S7P_OK;
}

void s7p_session_close(s7p_session *s, int64_t deadline)
{
    if (s->open && s->ch.err == S7P_OK) {
        s7p_arena a;
        s7p_pdu req, resp;
        s7p_fail f = {0};
        s7p_arena_init(&a, 1u << 20);
        s7p_session_init_request(s, &req, S7P_FC_DELETE_OBJECT, true);
        req.req.delete_object.object_id = s->session_id;
        if (s7p_qualifier_default(&req.qualifier, &a) &&
            s7p_session_call(s, &req, &a, &resp, deadline, &f) != S7P_OK)
            s7p_logf(s->log, S7P_LOG_DEBUG, LAYER, "delete session: %s", f.msg);
        s7p_arena_release(&a);
        /* No close_notify: the PLC closes right after deleting the session (as the
         * reference clients expect), and writing into that close only provokes a reset. */
    }
    s->open = false;
    s7p_channel_close(&s->ch);
}

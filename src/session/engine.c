/* SPDX-License-Identifier: MIT */
/* The engine's request table, the dispatch of received messages, timers and the heartbeat.
 * The connect and close sequences are in engine_steps.c. */
#include "session/engine_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "session/pdu_log.h"
#include "util/alloc.h"
#include "util/status.h"

#define LAYER "session"
#define HEARTBEAT_TIMEOUT_MS 5000u

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

void s7p_engine_init(s7p_engine *e, s7p_link *link, const s7p_engine_config *cfg,
                     const s7p_log_sink *log)
{
    memset(e, 0, sizeof *e);
    e->link = link;
    e->log = log;
    if (cfg) e->cfg = *cfg;
    if (e->cfg.max_in_flight == 0) e->cfg.max_in_flight = S7P_ENGINE_MAX_IN_FLIGHT;
    if (e->cfg.heartbeat_timeout_ms == 0) e->cfg.heartbeat_timeout_ms = HEARTBEAT_TIMEOUT_MS;
    e->props.limits.tags_per_read = e->props.limits.tags_per_write = 20;
    e->next_id = 1;
    s7p_arena_init(&e->rx_arena, S7P_ARENA_DEFAULT_LIMIT);
    s7p_arena_init(&e->step_arena, 4u << 20);
    s7p_arena_init(&e->hb_arena, 64u << 10);
    s7p_arena_init(&e->legacy.arena, 64u << 10);
    e->legacy.refresh_at = INT64_MAX;
}

void s7p_engine_free(s7p_engine *e)
{
    if (!e->link) return;
    if (e->head || e->step_done) {
        s7p_fail f = {0};
        s7p_fail_set(&f, S7P_E_CLOSED, "session closed with the request pending");
        s7p_engine_fail_(e, &f);
    }
    s7p_arena_release(&e->rx_arena);
    s7p_arena_release(&e->step_arena);
    s7p_arena_release(&e->hb_arena);
    s7p_arena_release(&e->legacy.arena);
    memset(e->legacy.next_key, 0, sizeof e->legacy.next_key);
    e->link = NULL;
}

/* ---- the request table ---- */

static void unlink_node(s7p_engine *e, s7p_engine_node *n)
{
    if (n->prev) n->prev->next = n->next;
    else e->head = n->next;
    if (n->next) n->next->prev = n->prev;
    else e->tail = n->prev;
    if (n->state == NODE_IN_FLIGHT) e->in_flight--;
    else if (n->state == NODE_QUEUED) e->queued--;
    else e->tombstones--;
}

/* Takes the node out of the table, then reports (the callback may change the table). */
static void complete(s7p_engine *e, s7p_engine_node *n, s7p_status st, const s7p_pdu *resp,
                     const s7p_fail *f)
{
    /* A request that never went out says so: its effects on the PLC are known (none). */
    s7p_fail unsent;
    if (f && n->state == NODE_QUEUED) {
        unsent = *f;
        unsent.unsent = true;
        f = &unsent;
    }
    unlink_node(e, n);
    if (n->done) n->done(n->ctx, n->id, st, resp, f);
    s7p_free(n);
}

static uint16_t next_seq(s7p_engine *e)
{
    if (++e->seq == 0) e->seq = 1;  /* 0 is never used */
    return e->seq;
}

/* Functions that change state count on the "set" integrity counter, the rest on "get". */
static bool uses_set_counter(uint16_t function)
{
    return function == S7P_FC_SET_MULTI_VARIABLES || function == S7P_FC_SET_VARIABLE ||
           function == S7P_FC_SET_VAR_SUB_STREAMED || function == S7P_FC_DELETE_OBJECT ||
           function == S7P_FC_CREATE_OBJECT;
}

void s7p_engine_init_request(s7p_engine *e, s7p_pdu *p, uint16_t function, bool with_iid)
{
    s7p_pdu_init_request(p, S7P_PROTO_V2, function, 0, e->props.session_id, S7P_TF_REQUEST);
    if (with_iid) {
        p->has_iid = true;
        p->iid = uses_set_counter(function) ? ++e->iid_set : ++e->iid_get;
    }
}

bool s7p_engine_read_attr_request(s7p_engine *e, s7p_pdu *p, uint32_t object_id, uint32_t attr,
                                  s7p_arena *a)
{
    s7p_engine_init_request(e, p, S7P_FC_GET_VAR_SUB_STREAMED, true);
    s7p_req_var_sub_streamed *b = &p->req.var_sub_streamed;
    b->object_id = object_id;
    /* The address: an address array of one UDInt, the attribute id. */
    s7p_scalar *elem = s7p_arena_alloc(a, sizeof *elem);
    if (!elem || !s7p_qualifier_default(&p->qualifier, a)) return false;
    elem->u = attr;
    b->value.flags = S7P_VF_ADDRESS_ARRAY;
    b->value.type = S7P_DT_UDINT;
    b->value.count = 1;
    b->value.elems = elem;
    b->unknown = 1;  /* what every reference client sends here */
    return true;
}

s7p_status s7p_engine_check_ret_(const s7p_pdu *resp, const char *step, s7p_fail *f)
{
    if (s7p_ret_code(resp->ret) >= 0) return S7P_OK;  /* positive codes are informational */
    f->plc_return = resp->ret;
    return s7p_fail_set(f, S7P_E_PLC, "%s: PLC refused: code %d", step, s7p_ret_code(resp->ret));
}

/* A failure of this request alone (its PDU could not be encoded): the session goes on. */
static void send_refused(s7p_engine *e, s7p_engine_node *n, s7p_status st)
{
    s7p_fail f = {0};
    s7p_fail_set(&f, st, "send: %s", s7p_status_text(st));
    complete(e, n, st, NULL, &f);
}

/* Tells the caller of a request in flight st now; its slot stays as a tombstone until its
 * deadline, so an answer that still comes is swallowed instead of faulting the session as
 * one out of sequence. It no longer counts against max_in_flight. */
static void complete_as_tombstone(s7p_engine *e, s7p_engine_node *n, s7p_status st,
                                  const s7p_fail *f)
{
    s7p_engine_done_fn done = n->done;
    void *ctx = n->ctx;
    n->done = NULL;
    n->state = NODE_TOMBSTONE;
    e->in_flight--;
    e->tombstones++;
    if (done) done(ctx, n->id, st, NULL, f);
}

/* A request that expects no answer (flags 0x74) completes when it goes out. Some PLCs
 * answer it all the same (S7-1200 FW V2.2 answers the credit-limit writes of a
 * subscription, services spec §1.2): hence the tombstone. */
static void sent_without_answer(s7p_engine *e, s7p_engine_node *n)
{
    complete_as_tombstone(e, n, S7P_OK, NULL);
}

/* Puts the first queued request into the link; false when nothing more can go out now. */
static bool send_next(s7p_engine *e)
{
    s7p_engine_node *n = e->head;
    /* While a legacy key renewal runs, only its requests go out (they may be queued
     * behind requests that wait for the new key). */
    while (n && (n->state != NODE_QUEUED || s7p_engine_legacy_holds_(e, n))) n = n->next;
    if (!n) return false;
    s7p_status st = s7p_link_put_pdu(e->link, &n->req);
    if (st != S7P_OK) {
        if (e->link->err) s7p_engine_fail_link_(e);
        else send_refused(e, n, st);
        return e->phase != S7P_ENGINE_FAULTED;
    }
    s7p_log_pdu(e->log, true, &n->req, e->link->tx_len);
    e->queued--;
    n->state = NODE_IN_FLIGHT;
    e->in_flight++;
    if (n->req.transport_flags & S7P_TF_NO_RESPONSE) sent_without_answer(e, n);
    return true;
}

static bool may_send(const s7p_engine *e)
{
    return e->phase == S7P_ENGINE_OPEN || e->phase == S7P_ENGINE_INIT_SSL ||
           e->phase == S7P_ENGINE_SETUP || e->phase == S7P_ENGINE_CLOSING;
}

/* Sends queued requests while fewer than max_in_flight are outstanding. */
static void pump(s7p_engine *e)
{
    s7p_engine_legacy_pump_(e);
    while (may_send(e) && e->queued > 0 && e->in_flight < e->cfg.max_in_flight && send_next(e)) {
    }
}

/* A legacy key renewal request goes out before requests queued earlier (they wait for the
 * new key): it moves to the front of the queue and takes the first queued sequence number,
 * the others shift by one, so the wire order stays the sequence order. */
static void jump_queue(s7p_engine *e, s7p_engine_node *n)
{
    s7p_engine_node *q = e->head;
    while (q && q->state != NODE_QUEUED) q = q->next;
    if (!q || q == n) return;
    uint16_t first = q->req.seq;
    for (s7p_engine_node *k = q; k != n; k = k->next)
        if (++k->req.seq == 0) k->req.seq = 1;
    n->req.seq = first;
    /* n is the tail: unlink it, insert it before q */
    e->tail = n->prev;
    e->tail->next = NULL;
    n->prev = q->prev;
    n->next = q;
    if (q->prev) q->prev->next = n;
    else e->head = n;
    q->prev = n;
}

s7p_status s7p_engine_submit_(s7p_engine *e, const s7p_engine_request *r, uint64_t *id)
{
    if (e->phase == S7P_ENGINE_FAULTED) return e->fault.code;
    s7p_engine_node *n = s7p_calloc(1, sizeof *n);
    if (!n) return S7P_E_NOMEM;
    s7p_pdu *p = r->pdu;
    /* Sequence numbers are given in submit order, which is the order on the wire. */
    p->seq = next_seq(e);
    if (p->opcode == S7P_OP_REQUEST && e->props.session_id) p->session_id = e->props.session_id;
    s7p_engine_legacy_prepare_(e, p);
    n->req = *p;
    n->id = e->next_id++;
    n->state = NODE_QUEUED;
    n->deadline = r->deadline;
    n->into = r->into;
    n->keep = r->keep;
    n->done = r->done;
    n->ctx = r->ctx;
    n->prev = e->tail;
    if (e->tail) e->tail->next = n;
    else e->head = n;
    e->tail = n;
    e->queued++;
    if (id) *id = n->id;
    if (e->legacy.refresh_wanted && n->id == e->legacy.refresh_id) jump_queue(e, n);
    pump(e);
    return S7P_OK;
}

s7p_status s7p_engine_submit(s7p_engine *e, const s7p_engine_request *r, int64_t now,
                             uint64_t *id)
{
    (void)now;
    if (e->phase == S7P_ENGINE_FAULTED) return e->fault.code;
    if (e->phase != S7P_ENGINE_OPEN) return S7P_E_STATE;
    return s7p_engine_submit_(e, r, id);
}

static s7p_engine_node *find_id(const s7p_engine *e, uint64_t id)
{
    for (s7p_engine_node *n = e->head; n; n = n->next)
        if (n->id == id) return n;
    return NULL;
}

bool s7p_engine_cancel(s7p_engine *e, uint64_t id)
{
    s7p_engine_node *n = find_id(e, id);
    if (!n || n->state == NODE_TOMBSTONE) return false;
    s7p_fail f = {0};
    s7p_fail_set(&f, S7P_E_CANCELLED, "request cancelled");
    if (n->state == NODE_QUEUED) {
        complete(e, n, S7P_E_CANCELLED, NULL, &f);  /* never sent */
        return true;
    }
    /* In flight: the caller is told now, the answer is swallowed, and the next request
     * goes out. */
    complete_as_tombstone(e, n, S7P_E_CANCELLED, &f);
    pump(e);
    return true;
}

unsigned s7p_engine_pending(const s7p_engine *e) { return e->in_flight + e->queued; }

void s7p_engine_on_notify(s7p_engine *e, s7p_engine_notify_fn fn, void *ctx)
{
    e->on_notify = fn;
    e->notify_ctx = ctx;
}

void s7p_engine_on_event(s7p_engine *e, s7p_engine_event_fn fn, void *ctx)
{
    e->on_event = fn;
    e->event_ctx = ctx;
}

/* ---- faults ---- */

void s7p_engine_step_end_(s7p_engine *e, s7p_status st, const s7p_fail *f)
{
    s7p_engine_step_fn done = e->step_done;
    e->step_done = NULL;
    s7p_arena_release(&e->step_arena);
    e->version = NULL;
    if (done) done(e->step_ctx, st, f);
}

void s7p_engine_fail_(s7p_engine *e, const s7p_fail *f)
{
    if (e->phase == S7P_ENGINE_FAULTED) return;
    e->phase = S7P_ENGINE_FAULTED;
    e->fault = *f;
    if (!e->fault.sys_errno) e->fault.sys_errno = e->sys_errno;
    if (!e->fault.tls_err && e->link->tls) e->fault.tls_err = s7p_tls_error_code(e->link->tls);
    if (!e->link->err) s7p_link_break(e->link, f->code, "session");
    e->heartbeat_id = 0;
    /* Every pending request learns why; nothing more can be sent or received. */
    while (e->head) {
        s7p_engine_node *n = e->head;
        complete(e, n, e->fault.code, NULL, &e->fault);
    }
    s7p_engine_step_end_(e, e->fault.code, &e->fault);
}

void s7p_engine_fail_link_(s7p_engine *e)
{
    s7p_fail f = {0};
    s7p_fail_set(&f, e->link->err ? e->link->err : S7P_E_IO, "%s", e->link->err_msg);
    s7p_engine_fail_(e, &f);
}

void s7p_engine_transport_failed(s7p_engine *e, s7p_status st, bool sending, int sys_errno)
{
    if (e->phase == S7P_ENGINE_FAULTED) return;
    e->sys_errno = sys_errno;
    e->link->iso.sys_errno = sys_errno;
    if (e->phase == S7P_ENGINE_COTP) {
        s7p_engine_cotp_transport_(e, st);
        return;
    }
    s7p_link_transport_failed(e->link, st, sending);
    s7p_engine_fail_link_(e);
}

/* ---- received messages ---- */

/* The response's integrity id should be request seq + request id; a mismatch is logged,
 * as the reference clients do, since PLC firmware versions differ in the detail. */
static void check_iid(s7p_engine *e, const s7p_pdu *req, const s7p_pdu *resp)
{
    if (!req->has_iid) return;
    uint32_t want = (uint32_t)req->seq + req->iid;
    bool has = resp->has_iid || (resp->function == S7P_FC_EXPLORE && resp->resp.explore.has_resp_iid);
    uint32_t got = resp->function == S7P_FC_EXPLORE ? resp->resp.explore.resp_iid : resp->iid;
    if (!has || got == want) return;
    e->props.iid_mismatches++;
    if (e->legacy.active) {
        /* In a signed session the PLC computes it exactly; a wrong one is a forged or
         * replayed answer whose digest happened to be valid. */
        s7p_fail f = {0};
        s7p_fail_set(&f, S7P_E_INTEGRITY,
                     "legacy security: answer seq %u has integrity id %u, expected %u "
                     "(replayed or forged)", resp->seq, got, want);
        s7p_link_break(e->link, S7P_E_INTEGRITY, "integrity id");
        s7p_engine_fail_(e, &f);
        return;
    }
    s7p_logf(e->log, S7P_LOG_WARN, LAYER, "response seq %u: integrity id %u, expected %u",
             resp->seq, got, want);
}

static void protocol_fault(s7p_engine *e, const char *what, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void protocol_fault(s7p_engine *e, const char *what, const char *fmt, ...)
{
    s7p_fail f = {0};
    f.code = S7P_E_PROTOCOL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f.msg, sizeof f.msg, fmt, ap);
    va_end(ap);
    s7p_link_break(e->link, S7P_E_PROTOCOL, what);
    s7p_engine_fail_(e, &f);
}

/* The answer in the form the request asked for: moved or copied into its arena. */
static s7p_status hand_over(s7p_engine *e, s7p_engine_node *n, const s7p_msg *m, s7p_pdu *resp,
                            s7p_fail *f)
{
    *resp = m->pdu;
    if (!n->into) return S7P_OK;
    if (!n->keep) {
        s7p_arena_adopt(n->into, &e->rx_arena);
        e->hold = true;  /* the trees point into the link's buffer: decode no further */
        return S7P_OK;
    }
    uint8_t *copy = s7p_arena_alloc(n->into, m->raw_len ? m->raw_len : 1);
    if (!copy) return s7p_fail_set(f, S7P_E_NOMEM, "keeping an answer of %zu bytes", m->raw_len);
    memcpy(copy, m->raw, m->raw_len);
    s7p_status st = s7p_pdu_decode(copy, m->raw_len, e->link->reasm.version, n->into, resp);
    return st == S7P_OK ? st : s7p_fail_set(f, st, "answer changed while copying");
}

static s7p_engine_node *find_seq(const s7p_engine *e, uint16_t seq)
{
    /* In flight and cancelled requests come first: the search ends at the first queued. */
    for (s7p_engine_node *n = e->head; n && n->state != NODE_QUEUED; n = n->next)
        if (n->req.seq == seq) return n;
    return NULL;
}

static void on_response(s7p_engine *e, const s7p_msg *m)
{
    s7p_engine_node *n = find_seq(e, m->pdu.seq);
    if (!n && e->legacy.active) {
        /* Signed with the session key, yet no request waits for it: an answer replayed
         * from earlier in the session. */
        s7p_fail f = {0};
        s7p_fail_set(&f, S7P_E_INTEGRITY,
                     "legacy security: answer with sequence number %u that no request awaits "
                     "(replayed)", m->pdu.seq);
        s7p_link_break(e->link, S7P_E_INTEGRITY, "replay");
        s7p_engine_fail_(e, &f);
        return;
    }
    if (!n) {
        /* Never given to another request: the peer is out of step with this session. */
        protocol_fault(e, "answer out of sequence", "answer with unknown sequence number %u",
                       m->pdu.seq);
        return;
    }
    if (n->state == NODE_TOMBSTONE) {
        s7p_logf(e->log, S7P_LOG_DEBUG, LAYER,
                 "answer seq %u to a cancelled or unanswered request discarded", m->pdu.seq);
        complete(e, n, S7P_E_CANCELLED, NULL, NULL);
        return;
    }
    if (m->pdu.function != n->req.function) {
        protocol_fault(e, "answer of another function",
                       "answer seq %u is of function 0x%04x, the request of 0x%04x", m->pdu.seq,
                       m->pdu.function, n->req.function);
        return;
    }
    check_iid(e, &n->req, &m->pdu);
    if (e->phase == S7P_ENGINE_FAULTED) return;
    s7p_pdu resp;
    s7p_fail f = {0};
    s7p_status st = hand_over(e, n, m, &resp, &f);
    complete(e, n, st, st == S7P_OK ? &resp : NULL, &f);
}

/* A system event with a negative return value reports a fatal protocol error. */
static void on_system_event(s7p_engine *e, const s7p_msg *m)
{
    int64_t rv;
    if (s7p_sysevent_return_value(&m->event, &rv) && rv < 0) {
        s7p_fail f = {0};
        f.plc_return = (uint64_t)rv;
        s7p_fail_set(&f, S7P_E_PROTOCOL, "PLC reported a fatal error (system event, code %lld)",
                     (long long)rv);
        /* The PLC drops the connection after such an event: so does the client. */
        s7p_link_break(e->link, S7P_E_PROTOCOL, "system event");
        s7p_engine_fail_(e, &f);
        return;
    }
    if (e->on_event) e->on_event(e->event_ctx, &m->event);
    else s7p_logf(e->log, S7P_LOG_DEBUG, LAYER, "system event ignored");
}

static void on_message(s7p_engine *e, const s7p_msg *m)
{
    s7p_log_msg(e->log, m);
    if (m->kind == S7P_MSG_SYSTEM_EVENT) {
        on_system_event(e, m);
    } else if (m->kind != S7P_MSG_PDU) {
        /* keep-alive: nothing to do */
    } else if (m->pdu.opcode == S7P_OP_RESPONSE) {
        on_response(e, m);
    } else if (m->pdu.opcode == S7P_OP_RESPONSE2 && find_seq(e, m->pdu.seq) &&
               find_seq(e, m->pdu.seq)->state == NODE_TOMBSTONE) {
        /* The 0x02 form some PLCs answer fire-and-forget writes with (services spec §1.2). */
        on_response(e, m);
    } else if (m->pdu.opcode == S7P_OP_NOTIFICATION && e->on_notify) {
        e->on_notify(e->notify_ctx, &m->pdu);
    } else {
        s7p_logf(e->log, S7P_LOG_DEBUG, LAYER, "dropped opcode 0x%02x function 0x%04x seq %u",
                 m->pdu.opcode, m->pdu.function, m->pdu.seq);
    }
}

/* Decodes and dispatches what was fed, until more bytes are needed or an answer's bytes
 * are lent out. */
static void decode(s7p_engine *e)
{
    if (e->phase == S7P_ENGINE_COTP || e->phase == S7P_ENGINE_TLS) s7p_engine_setup_bytes_(e);
    while (!e->hold && e->phase != S7P_ENGINE_FAULTED && e->phase != S7P_ENGINE_IDLE &&
           e->phase != S7P_ENGINE_COTP && e->phase != S7P_ENGINE_TLS) {
        s7p_msg m;
        bool got;
        s7p_arena_release(&e->rx_arena);
        s7p_status st = s7p_link_pop(e->link, &e->rx_arena, &m, &got);
        if (st != S7P_OK) {
            s7p_engine_fail_link_(e);
            return;
        }
        if (!got) return;
        on_message(e, &m);
        /* A completed step may have switched to TLS: its bytes are handled as such. */
        if (e->phase == S7P_ENGINE_TLS) s7p_engine_setup_bytes_(e);
    }
}

s7p_status s7p_engine_feed(s7p_engine *e, const uint8_t *p, size_t n, int64_t now)
{
    if (e->phase == S7P_ENGINE_FAULTED) return e->fault.code;
    if (n) e->last_rx = now;
    s7p_status st = s7p_link_feed(e->link, p, n);
    if (st != S7P_OK) {
        s7p_engine_fail_link_(e);
        return st;
    }
    e->hold = false;
    decode(e);
    pump(e);
    return e->phase == S7P_ENGINE_FAULTED ? e->fault.code : S7P_OK;
}

bool s7p_engine_paused(const s7p_engine *e) { return e->hold; }

/* ---- timers ---- */

static bool connecting(const s7p_engine *e)
{
    return e->phase == S7P_ENGINE_COTP || e->phase == S7P_ENGINE_TLS;
}

/* An unanswered request means the peer no longer serves this session: the connection
 * faults and every other request completes with the same error. */
static bool expire_one(s7p_engine *e, int64_t now)
{
    for (s7p_engine_node *n = e->head; n; n = n->next) {
        if (n->deadline > now) continue;
        if (n->state == NODE_TOMBSTONE) {
            s7p_logf(e->log, S7P_LOG_DEBUG, LAYER, "cancelled request seq %u forgotten",
                     n->req.seq);
            complete(e, n, S7P_E_CANCELLED, NULL, NULL);
        } else if (n->state == NODE_QUEUED) {
            s7p_fail f = {0};
            s7p_fail_set(&f, S7P_E_TIMEOUT, "request not sent before its deadline");
            complete(e, n, S7P_E_TIMEOUT, NULL, &f);
        } else {
            s7p_engine_transport_failed(e, S7P_E_TIMEOUT, s7p_engine_wants_write(e), 0);
        }
        return true;
    }
    return false;
}

static void heartbeat_done(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                           const s7p_fail *f)
{
    (void)id;
    s7p_engine *e = ctx;
    e->heartbeat_id = 0;
    s7p_arena_release(&e->hb_arena);
    if (st == S7P_OK)
        s7p_logf(e->log, S7P_LOG_DEBUG, LAYER, "heartbeat answered (ret %d)",
                 s7p_ret_code(resp->ret));
    else if (st != S7P_E_CANCELLED)
        s7p_logf(e->log, S7P_LOG_DEBUG, LAYER, "heartbeat failed: %s", f ? f->msg : "");
}

static int64_t heartbeat_due(const s7p_engine *e)
{
    if (!e->cfg.heartbeat_ms || e->phase != S7P_ENGINE_OPEN || e->heartbeat_id ||
        e->in_flight || e->queued)
        return INT64_MAX;
    return e->last_rx + (int64_t)e->cfg.heartbeat_ms;
}

/* Nothing received for heartbeat_ms and nothing outstanding: a cheap request (the session's
 * protection level) shows whether the PLC still serves the session. Its timeout faults the
 * session like any other. */
static void heartbeat(s7p_engine *e, int64_t now)
{
    if (heartbeat_due(e) > now) return;
    s7p_pdu req;
    if (!s7p_engine_read_attr_request(e, &req, e->props.session_id,
                                      S7P_ID_EFFECTIVE_PROTECTION_LEVEL, &e->hb_arena))
        return;
    s7p_engine_request r = {&req, now + (int64_t)e->cfg.heartbeat_timeout_ms, NULL, false,
                            heartbeat_done, e};
    if (s7p_engine_submit_(e, &r, &e->heartbeat_id) == S7P_OK) e->heartbeats++;
}

void s7p_engine_tick(s7p_engine *e, int64_t now)
{
    if (e->phase == S7P_ENGINE_FAULTED) return;
    if (e->step_done && connecting(e) && e->step_deadline <= now) {
        s7p_engine_transport_failed(e, S7P_E_TIMEOUT, false, 0);
        return;
    }
    while (e->phase != S7P_ENGINE_FAULTED && expire_one(e, now)) {
    }
    e->hold = false;
    decode(e);
    if (e->phase == S7P_ENGINE_FAULTED) return;
    s7p_engine_legacy_tick_(e, now);
    heartbeat(e, now);
    pump(e);
}

int64_t s7p_engine_next_deadline(const s7p_engine *e)
{
    if (e->phase == S7P_ENGINE_FAULTED) return INT64_MAX;
    int64_t t = heartbeat_due(e);
    int64_t renew = s7p_engine_legacy_deadline_(e);
    if (renew < t) t = renew;
    if (e->hold) t = 0;  /* decoding waits: tick at once */
    if (e->step_done && connecting(e) && e->step_deadline < t) t = e->step_deadline;
    for (const s7p_engine_node *n = e->head; n; n = n->next)
        if (n->deadline < t) t = n->deadline;
    return t;
}

bool s7p_engine_wants_write(const s7p_engine *e)
{
    const uint8_t *p;
    size_t n;
    s7p_link_output(e->link, &p, &n);
    return n > 0;
}

void s7p_engine_output(const s7p_engine *e, const uint8_t **p, size_t *n)
{
    s7p_link_output(e->link, p, n);
}

void s7p_engine_consumed(s7p_engine *e, size_t n) { s7p_link_consumed(e->link, n); }

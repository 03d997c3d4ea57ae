/* SPDX-License-Identifier: MIT */
/* The engine's connect sequence (COTP, InitSsl, TLS, CreateObject, set-up write, system
 * limits, protection level) and its close (DeleteObject), as steps: each answer's callback
 * starts the next request. In legacy security the TLS steps are left out (or InitSsl is
 * refused, in AUTO) and the authentication of engine_legacy.c replaces the set-up write. */
#include <stdio.h>
#include <string.h>

#include "proto/vlq.h"
#include "session/engine_int.h"
#include "util/utf8.h"
#include "util/status.h"

#define LAYER "session"

/* Ends the connect sequence with a failure of its own (the PLC refused, a bad answer). */
static void step_failed(s7p_engine *e, const s7p_fail *f)
{
    s7p_engine_fail_(e, f);
}

void s7p_engine_step_failed_(s7p_engine *e, const s7p_fail *f) { step_failed(e, f); }

/* Submits one request of a step, bounded by the step's deadline. */
static void step_request(s7p_engine *e, s7p_pdu *req, bool keep, s7p_engine_done_fn done)
{
    s7p_engine_request r = {req, e->step_deadline, keep ? &e->step_arena : NULL, keep, done, e};
    s7p_status st = s7p_engine_submit_(e, &r, NULL);
    if (st != S7P_OK && e->phase != S7P_ENGINE_FAULTED) {
        s7p_fail f = {0};
        s7p_fail_set(&f, st, "session: %s", s7p_status_text(st));
        step_failed(e, &f);
    }
}

void s7p_engine_step_request_(s7p_engine *e, s7p_pdu *req, bool keep, s7p_engine_done_fn done)
{
    step_request(e, req, keep, done);
}

/* ---- COTP ---- */

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
static void cotp_failed(s7p_engine *e, s7p_status st)
{
    s7p_fail f = {0};
    switch (st) {
    case S7P_E_CONNECT:
        s7p_fail_set(&f, S7P_E_CONFIG, "cotp: PLC refused the connection (check the TSAP \"%s\")",
                     e->remote_tsap);
        break;
    case S7P_E_PROTOCOL:
        s7p_fail_set(&f, st, "cotp: PLC sent %s instead of a COTP connect confirm",
                     cotp_reply_name(e->link->iso.setup_reply));
        break;
    case S7P_E_CLOSED:
        s7p_fail_set(&f, st, "cotp: PLC closed the connection during the COTP connect");
        break;
    default:
        s7p_fail_set(&f, st, "cotp: %s", s7p_status_text(st));
    }
    f.sys_errno = e->sys_errno;
    s7p_engine_fail_(e, &f);
}

void s7p_engine_cotp_transport_(s7p_engine *e, s7p_status st) { cotp_failed(e, st); }

/* ---- InitSsl, TLS ---- */

static void on_init_ssl(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                        const s7p_fail *f);
static void create_session(s7p_engine *e);

static void init_ssl(s7p_engine *e)
{
    s7p_pdu req;
    e->phase = S7P_ENGINE_INIT_SSL;
    s7p_pdu_init_request(&req, S7P_PROTO_V1, S7P_FC_INIT_SSL, 0,
                         S7P_ID_OBJECT_NULL_SERVER_SESSION, S7P_TF_INIT_SSL);
    step_request(e, &req, false, on_init_ssl);
}

static void on_init_ssl(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                        const s7p_fail *f)
{
    (void)id;
    s7p_engine *e = ctx;
    if (st != S7P_OK) {
        step_failed(e, f);
        return;
    }
    if (s7p_ret_code(resp->ret) != 0) {
        /* An old CPU refuses InitSsl: it has no TLS. AUTO goes on in clear and takes legacy
         * authentication if the CreateObject answer offers it; TLS never falls back. */
        if (e->cp.security == S7P_SECURITY_AUTO) {
            s7p_logf(e->log, S7P_LOG_INFO, LAYER,
                     "security auto: PLC refused InitSsl (code %d), it does not offer TLS: "
                     "trying legacy challenge authentication", s7p_ret_code(resp->ret));
            create_session(e);
            return;
        }
        s7p_fail mine = {0};
        mine.plc_return = resp->ret;
        s7p_fail_set(&mine, S7P_E_SECURITY_MODE,
                     "security mode tls: the PLC does not offer TLS (InitSsl refused, code %d); "
                     "older firmware needs security mode legacy (or auto)",
                     s7p_ret_code(resp->ret));
        step_failed(e, &mine);
        return;
    }
    if (e->cp.security == S7P_SECURITY_AUTO)
        s7p_logf(e->log, S7P_LOG_INFO, LAYER, "security auto: PLC accepted InitSsl: using TLS");
    e->phase = S7P_ENGINE_TLS;
    /* Bytes of the handshake that arrive with this answer are taken by the TLS step, which
     * the decoder runs next. */
    if (s7p_link_tls_start(e->link, e->cp.tls) != S7P_OK) s7p_engine_fail_link_(e);
}

void s7p_engine_setup_bytes_(s7p_engine *e)
{
    bool done = false;
    if (e->phase == S7P_ENGINE_COTP) {
        s7p_status st = s7p_link_connect_step(e->link, &done);
        if (st != S7P_OK) {
            cotp_failed(e, st);
            return;
        }
        if (!done) return;
        /* Legacy security starts in clear with the CreateObject, as TIA Portal does with
         * firmware that has no TLS. */
        if (e->cp.security == S7P_SECURITY_LEGACY_CHALLENGE) create_session(e);
        else init_ssl(e);
        return;
    }
    if (e->phase != S7P_ENGINE_TLS) return;
    if (s7p_link_tls_step(e->link, &done) != S7P_OK) {
        s7p_engine_fail_link_(e);
        return;
    }
    if (done) {
        e->props.security = S7P_SECURITY_TLS;
        create_session(e);
    }
}

s7p_status s7p_engine_connect(s7p_engine *e, const s7p_engine_connect_params *p, int64_t now,
                              int64_t deadline, s7p_engine_step_fn done, void *ctx)
{
    if (e->phase != S7P_ENGINE_IDLE) return S7P_E_STATE;
    e->cp = *p;
    snprintf(e->remote_tsap, sizeof e->remote_tsap, "%s", p->remote_tsap ? p->remote_tsap : "");
    e->cp.remote_tsap = e->remote_tsap;
    e->step_deadline = deadline;
    e->step_done = done;
    e->step_ctx = ctx;
    e->last_rx = now;
    e->phase = S7P_ENGINE_COTP;
    s7p_iso_client_params ip = {p->local_tsap, e->remote_tsap, 0};
    s7p_status st = s7p_link_connect_start(e->link, &ip);
    if (st != S7P_OK) cotp_failed(e, st);
    return st;
}

/* ---- the session object ---- */

static void on_created(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                       const s7p_fail *f);
static void on_setup(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                     const s7p_fail *f);
static void on_limits(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                      const s7p_fail *f);
static void on_protection(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                          const s7p_fail *f);

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

static void nomem(s7p_engine *e, const char *step)
{
    s7p_fail f = {0};
    s7p_fail_set(&f, S7P_E_NOMEM, "%s", step);
    step_failed(e, &f);
}

static void create_session(s7p_engine *e)
{
    s7p_pdu req;
    e->phase = S7P_ENGINE_SETUP;
    s7p_pdu_init_request(&req, S7P_PROTO_V1, S7P_FC_CREATE_OBJECT, 0,
                         S7P_ID_OBJECT_NULL_SERVER_SESSION, S7P_TF_CREATE_OBJECT);
    s7p_req_create_object *b = &req.req.create_object;
    b->request_id = S7P_ID_OBJECT_SERVER_SESSION_CONTAINER;
    b->request_value.type = S7P_DT_UDINT;
    s7p_object *o = session_object(&e->step_arena);
    s7p_object **items = s7p_arena_alloc(&e->step_arena, sizeof *items);
    if (!o || !items) {
        nomem(e, "create session");
        return;
    }
    items[0] = o;
    b->objects.items = items;
    b->objects.n = 1;
    /* Kept: the version it returns is echoed in the set-up write. */
    step_request(e, &req, true, on_created);
}

static void keep_paom(s7p_engine *e, const s7p_value *ver)
{
    const s7p_value *paom = s7p_idlist_find(&ver->v.st->members, S7P_ID_SYSTEM_PAOM_STRING);
    if (!paom || paom->type != S7P_DT_WSTRING) return;
    s7p_utf8_copy(e->props.paom, sizeof e->props.paom, (const char *)paom->v.s.p, paom->v.s.n);
}

/* Echoes the ServerSessionVersion struct to the session object (attribute 306). */
static void setup_write(s7p_engine *e, const s7p_value *ver)
{
    s7p_pdu req;
    s7p_engine_init_request(e, &req, S7P_FC_SET_MULTI_VARIABLES, false);
    s7p_req_set_multi *b = &req.req.set_multi;
    uint32_t *id = s7p_arena_alloc(&e->step_arena, sizeof *id);
    s7p_value *v = s7p_idlist_add(&b->values, &e->step_arena, 1);
    if (!id || !v || !s7p_qualifier_default(&req.qualifier, &e->step_arena)) {
        nomem(e, "session setup");
        return;
    }
    *id = S7P_ID_SERVER_SESSION_VERSION;
    b->object_id = e->props.session_id;
    b->item_count = 1;
    b->nids = 1;
    b->ids = id;
    *v = *ver;
    v->flags = 0;
    step_request(e, &req, false, on_setup);
}

/* The common start of a connect step's answer: false (the connect failed and was reported)
 * unless the request was answered and, with `step`, the PLC's return value is not an error. */
static bool step_answered(s7p_engine *e, s7p_status st, const s7p_pdu *resp, const s7p_fail *f,
                          const char *step)
{
    s7p_fail mine = {0};
    if (st != S7P_OK) {
        step_failed(e, f);
        return false;
    }
    if (step && s7p_engine_check_ret_(resp, step, &mine) != S7P_OK) {
        step_failed(e, &mine);
        return false;
    }
    return true;
}

static void on_created(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                       const s7p_fail *f)
{
    (void)id;
    s7p_engine *e = ctx;
    s7p_fail mine = {0};
    if (!step_answered(e, st, resp, f, "create session")) return;
    const s7p_resp_create_object *r = &resp->resp.create_object;
    const s7p_value *ver = NULL;
    /* Legacy firmware offers the version as the Struct 314 attribute instead of 306. */
    if (r->objects.n >= 1 &&
        !(ver = s7p_object_attr(r->objects.items[0], S7P_ID_SERVER_SESSION_VERSION)))
        ver = s7p_object_attr(r->objects.items[0], S7P_ID_SESSION_VERSION_STRUCT);
    if (r->nids < 2 || r->objects.n < 1 || !ver || ver->type != S7P_DT_STRUCT) {
        s7p_fail_set(&mine, S7P_E_PROTOCOL, "create session: answer without session ids or version");
        step_failed(e, &mine);
        return;
    }
    e->props.session_id = r->object_ids[0];
    e->props.session_id2 = r->object_ids[1];
    keep_paom(e, ver);
    if (e->link->tls) setup_write(e, ver);
    else s7p_engine_legacy_auth_(e, r->objects.items[0]);  /* carries the version echo */
}

static void session_open(s7p_engine *e)
{
    e->phase = S7P_ENGINE_OPEN;
    char how[64];
    if (e->legacy.active)
        snprintf(how, sizeof how, "legacy challenge authentication, key %s", e->props.legacy_key);
    else
        snprintf(how, sizeof how, "%s", s7p_tls_cipher(e->link->tls));
    s7p_logf(e->log, S7P_LOG_INFO, LAYER, "session 0x%08x open (%s, %s, protection level %u)",
             e->props.session_id, e->props.paom, how, e->props.protection_level);
    s7p_engine_step_end_(e, S7P_OK, NULL);
}

/* The last step: the limits and the protection level are independent reads, so both go out
 * at once (one round trip less per connect); the session is open when both are answered. */
static void read_limits_and_protection(s7p_engine *e)
{
    s7p_pdu req;
    if (!s7p_engine_limits_request(e, &req, S7P_ID_SYSTEM_LIMITS, s7p_limits_max_lids,
                                   S7P_LIMITS_MAX_N, &e->step_arena)) {
        nomem(e, "limits");
        return;
    }
    e->step_left = 2;
    step_request(e, &req, false, on_limits);
    if (e->phase == S7P_ENGINE_FAULTED) return;
    if (!s7p_engine_read_attr_request(e, &req, e->props.session_id,
                                      S7P_ID_EFFECTIVE_PROTECTION_LEVEL, &e->step_arena)) {
        nomem(e, "read");
        return;
    }
    step_request(e, &req, false, on_protection);
}

static void on_setup(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                     const s7p_fail *f)
{
    (void)id;
    s7p_engine *e = ctx;
    if (!step_answered(e, st, resp, f, "session setup")) return;
    read_limits_and_protection(e);
}

void s7p_engine_after_auth_(s7p_engine *e) { read_limits_and_protection(e); }

/* Limits arrive as DInt per item; items the PLC refuses keep their defaults. */
static void take_limits(s7p_engine *e, const s7p_pdu *resp)
{
    s7p_session_limits *l = &e->props.limits;
    int32_t *const slots[5] = {&l->tags_per_read, &l->tags_per_write, &l->subscriptions,
                               &l->attributes, &l->subscription_memory};
    (void)s7p_engine_limits_take(resp, slots, 5);
}

static void on_limits(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                      const s7p_fail *f)
{
    (void)id;
    s7p_engine *e = ctx;
    if (!step_answered(e, st, resp, f, NULL)) return;
    take_limits(e, resp);
    if (--e->step_left == 0) session_open(e);
}

static void on_protection(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                          const s7p_fail *f)
{
    (void)id;
    s7p_engine *e = ctx;
    s7p_fail mine = {0};
    if (!step_answered(e, st, resp, f, "read attribute")) return;
    const s7p_value *v = &resp->resp.get_var_sub_streamed.value;
    if (v->type != S7P_DT_UDINT || s7p_value_is_array(v)) {
        s7p_fail_set(&mine, S7P_E_PROTOCOL, "protection level is not a UDInt");
        step_failed(e, &mine);
        return;
    }
    e->props.protection_level = (uint32_t)v->v.u;
    if (--e->step_left == 0) session_open(e);
}

/* ---- close ---- */

static void on_deleted(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                       const s7p_fail *f)
{
    (void)id;
    (void)resp;
    s7p_engine *e = ctx;
    if (st != S7P_OK) s7p_logf(e->log, S7P_LOG_DEBUG, LAYER, "delete session: %s", f->msg);
    /* No close_notify: the PLC closes right after deleting the session (as the reference
     * clients expect), and writing into that close only provokes a reset. */
    if (e->phase == S7P_ENGINE_CLOSING) e->phase = S7P_ENGINE_CLOSED;
    s7p_engine_step_end_(e, S7P_OK, NULL);
}

void s7p_engine_close(s7p_engine *e, int64_t now, int64_t deadline, s7p_engine_step_fn done,
                      void *ctx)
{
    (void)now;
    if (e->phase != S7P_ENGINE_OPEN || e->step_done) {
        if (e->phase != S7P_ENGINE_FAULTED) e->phase = S7P_ENGINE_CLOSED;
        if (done) done(ctx, S7P_OK, NULL);
        return;
    }
    e->phase = S7P_ENGINE_CLOSING;
    e->step_deadline = deadline;
    e->step_done = done;
    e->step_ctx = ctx;
    s7p_pdu req;
    s7p_engine_init_request(e, &req, S7P_FC_DELETE_OBJECT, true);
    req.req.delete_object.object_id = e->props.session_id;
    if (!s7p_qualifier_default(&req.qualifier, &e->step_arena)) {
        e->phase = S7P_ENGINE_CLOSED;
        s7p_engine_step_end_(e, S7P_OK, NULL);
        return;
    }
    step_request(e, &req, false, on_deleted);
}

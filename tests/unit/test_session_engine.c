/* SPDX-License-Identifier: MIT */
/* The session engine (src/session/engine.c) with no socket, no thread and no clock: the
 * engine's bytes go to a peer link in memory whose answers are built here by hand, and the
 * time is a number the test moves. The connect sequence runs against that peer; then the
 * request table: the in-flight limit, answers out of order matched by sequence number, an
 * unknown sequence number, cancel of a queued and of an in-flight request (its late answer
 * discarded), timeouts, notifications with and without a handler, system events (a fatal
 * one faults the session), the heartbeat, the close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ids.h"
#include "session/engine.h"

#define HMI "SIMATIC-ROOT-HMI"
#define SESSION 0x70000123u
#define MAX_REQS 64

/* A request as the peer received it. */
typedef struct {
    uint16_t seq, function;
    bool has_iid;
    uint32_t iid, object_id;
} seen;

/* One completion as the engine reported it. */
typedef struct {
    uint64_t id;
    s7p_status st;
    uint32_t value;           /* the UDInt the answer carried (the peer puts its seq there) */
    char msg[256];
} done_rec;

typedef struct {
    s7p_link cli, srv;
    s7p_engine e;
    s7p_tls_ctx *cctx, *sctx;
    s7p_arena peer;           /* the peer's decoded requests and built answers */
    int64_t now;
    bool accepted, tls_started, tls_done;
    bool manual;              /* after connect: requests are only recorded */
    bool hold_after_setup;    /* requests after the set-up write are only recorded */
    seen reqs[MAX_REQS];
    size_t nreqs;
    done_rec dones[MAX_REQS];
    size_t ndones;
    bool step_done;
    s7p_status step_st;
    char step_msg[256];
    unsigned notifications, events;
    char log[4096];           /* DEBUG lines of the engine, concatenated */
    s7p_log_sink sink;
} rig;

static void log_fn(void *ctx, s7p_log_level level, const char *layer, const char *msg)
{
    (void)level;
    (void)layer;
    rig *t = ctx;
    size_t n = strlen(t->log);
    if (n + strlen(msg) + 2 < sizeof t->log) snprintf(t->log + n, sizeof t->log - n, "%s\n", msg);
}

/* ---- the peer ---- */

static void peer_put(rig *t, const s7p_pdu *p)
{
    assert_int_equal(s7p_link_put_pdu(&t->srv, p), S7P_OK);
}

static void answer_iid(s7p_pdu *resp, const seen *q)
{
    if (!q->has_iid) return;
    resp->has_iid = true;
    resp->iid = (uint32_t)q->seq + q->iid;
}

static s7p_pdu *response_to(rig *t, const seen *q, uint16_t seq)
{
    s7p_pdu *req = s7p_arena_alloc(&t->peer, sizeof *req);
    s7p_pdu *resp = s7p_arena_alloc(&t->peer, sizeof *resp);
    assert_non_null(req);
    assert_non_null(resp);
    uint8_t version = q->function == S7P_FC_INIT_SSL || q->function == S7P_FC_CREATE_OBJECT
                          ? S7P_PROTO_V1 : S7P_PROTO_V2;
    s7p_pdu_init_request(req, version, q->function, seq, 0, 0);
    s7p_pdu_init_response(resp, req, 0);
    answer_iid(resp, q);
    return resp;
}

static void udint(s7p_value *v, uint32_t u)
{
    assert_non_null(v);
    v->type = S7P_DT_UDINT;
    v->v.u = u;
}

static void answer_create(rig *t, const seen *q)
{
    s7p_pdu *resp = response_to(t, q, q->seq);
    s7p_resp_create_object *b = &resp->resp.create_object;
    b->object_ids = s7p_arena_array(&t->peer, 2, sizeof *b->object_ids);
    b->object_ids[0] = SESSION;
    b->object_ids[1] = SESSION + 1;
    b->nids = 2;
    s7p_object *o = s7p_object_new(&t->peer, S7P_ID_OBJECT_NULL_SERVER_SESSION,
                                   S7P_ID_CLASS_SERVER_SESSION);
    s7p_value *ver = s7p_object_add_attr(o, &t->peer, S7P_ID_SERVER_SESSION_VERSION);
    s7p_struct *st = s7p_arena_alloc(&t->peer, sizeof *st);
    assert_non_null(ver);
    assert_non_null(st);
    ver->type = S7P_DT_STRUCT;
    ver->v.st = st;
    st->id = S7P_ID_SESSION_VERSION_STRUCT;
    udint(s7p_idlist_add(&st->members, &t->peer, 315), 320);
    b->objects.items = s7p_arena_array(&t->peer, 1, sizeof *b->objects.items);
    b->objects.items[0] = o;
    b->objects.n = 1;
    peer_put(t, resp);
}

/* An attribute read is answered with a UDInt: the request's own seq (plus `delta`), so a
 * caller sees which request an answer was built for. */
static void answer_read(rig *t, const seen *q, uint16_t seq, uint32_t delta)
{
    s7p_pdu *resp = response_to(t, q, seq);
    udint(&resp->resp.get_var_sub_streamed.value, q->seq + delta);
    peer_put(t, resp);
}

static void answer_plain(rig *t, const seen *q)
{
    peer_put(t, response_to(t, q, q->seq));
}

/* The answers of the connect sequence and of the close, as a PLC gives them. */
static void auto_answer(rig *t, const seen *q)
{
    switch (q->function) {
    case S7P_FC_INIT_SSL:
        answer_plain(t, q);
        assert_int_equal(s7p_link_tls_start(&t->srv, t->sctx), S7P_OK);
        t->tls_started = true;
        break;
    case S7P_FC_CREATE_OBJECT: answer_create(t, q); break;
    case S7P_FC_GET_VAR_SUB_STREAMED: answer_read(t, q, q->seq, 0); break;
    default: answer_plain(t, q); break;
    }
}

static void peer_receive(rig *t)
{
    bool done = false;
    if (!t->accepted) {
        assert_int_equal(s7p_link_accept_step(&t->srv, NULL, NULL, &done), S7P_OK);
        if (!done) return;
        t->accepted = true;
    }
    if (t->tls_started && !t->tls_done) {
        assert_int_equal(s7p_link_tls_step(&t->srv, &done), S7P_OK);
        if (!done) return;
        t->tls_done = true;
    }
    for (;;) {
        s7p_msg m;
        bool got;
        assert_int_equal(s7p_link_pop(&t->srv, &t->peer, &m, &got), S7P_OK);
        if (!got) return;
        assert_int_equal(m.kind, S7P_MSG_PDU);
        assert_true(t->nreqs < MAX_REQS);
        seen *q = &t->reqs[t->nreqs++];
        q->seq = m.pdu.seq;
        q->function = m.pdu.function;
        q->has_iid = m.pdu.has_iid;
        q->iid = m.pdu.iid;
        q->object_id = m.pdu.session_id;
        if (!t->manual) auto_answer(t, q);
        if (t->hold_after_setup && q->function == S7P_FC_SET_MULTI_VARIABLES) t->manual = true;
        if (t->tls_started && !t->tls_done) return;  /* the rest is TLS */
    }
}

/* Moves bytes both ways until neither side has anything to say. */
static void pump(rig *t)
{
    for (int round = 0; round < 50; round++) {
        const uint8_t *p;
        size_t n;
        bool moved = false;
        s7p_engine_output(&t->e, &p, &n);
        if (n) {
            assert_int_equal(s7p_link_feed(&t->srv, p, n), S7P_OK);
            s7p_engine_consumed(&t->e, n);
            moved = true;
        }
        peer_receive(t);
        s7p_link_output(&t->srv, &p, &n);
        if (n) {
            (void)s7p_engine_feed(&t->e, p, n, t->now);
            s7p_link_consumed(&t->srv, n);
            moved = true;
        }
        if (!moved && !s7p_engine_paused(&t->e)) return;
        if (s7p_engine_paused(&t->e)) s7p_engine_tick(&t->e, t->now);
    }
    fail_msg("the engine and the peer keep talking");
}

/* ---- the engine's side ---- */

static void on_step(void *ctx, s7p_status st, const s7p_fail *f)
{
    rig *t = ctx;
    t->step_done = true;
    t->step_st = st;
    snprintf(t->step_msg, sizeof t->step_msg, "%s", f ? f->msg : "");
}

static void on_done(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                    const s7p_fail *f)
{
    rig *t = ctx;
    assert_true(t->ndones < MAX_REQS);
    done_rec *d = &t->dones[t->ndones++];
    d->id = id;
    d->st = st;
    if (st == S7P_OK && resp) d->value = (uint32_t)resp->resp.get_var_sub_streamed.value.v.u;
    snprintf(d->msg, sizeof d->msg, "%s", f ? f->msg : "");
}

static const done_rec *done_of(const rig *t, uint64_t id)
{
    for (size_t i = 0; i < t->ndones; i++)
        if (t->dones[i].id == id) return &t->dones[i];
    return NULL;
}

static rig *make_rig(const s7p_engine_config *cfg)
{
    rig *t = calloc(1, sizeof *t);
    assert_non_null(t);
    assert_int_equal(s7p_link_init(&t->cli, -1), S7P_OK);
    assert_int_equal(s7p_link_init(&t->srv, -1), S7P_OK);
    s7p_tls_config scfg = {.server = true, .common_name = "engine-test"};
    s7p_tls_config ccfg = {.verify = S7P_TLS_VERIFY_NONE};
    t->sctx = s7p_tls_ctx_new(&scfg, NULL, 0);
    t->cctx = s7p_tls_ctx_new(&ccfg, NULL, 0);
    assert_non_null(t->sctx);
    assert_non_null(t->cctx);
    s7p_arena_init(&t->peer, 64u << 20);
    t->sink = (s7p_log_sink){log_fn, t, S7P_LOG_DEBUG};
    t->now = 1000000;
    s7p_engine_init(&t->e, &t->cli, cfg, &t->sink);
    return t;
}

/* Runs the connect sequence against the peer; then the peer only records requests. */
static rig *connected(const s7p_engine_config *cfg)
{
    rig *t = make_rig(cfg);
    s7p_engine_connect_params cp = {.remote_tsap = HMI, .tls = t->cctx};
    assert_int_equal(s7p_engine_connect(&t->e, &cp, t->now, t->now + 5000, on_step, t), S7P_OK);
    pump(t);
    assert_true(t->step_done);
    assert_int_equal(t->step_st, S7P_OK);
    assert_int_equal(t->e.phase, S7P_ENGINE_OPEN);
    t->step_done = false;
    t->manual = true;
    t->nreqs = 0;
    return t;
}

static void free_rig(rig *t)
{
    s7p_engine_free(&t->e);
    s7p_link_free(&t->cli);
    s7p_link_free(&t->srv);
    s7p_tls_ctx_free(t->sctx);
    s7p_tls_ctx_free(t->cctx);
    s7p_arena_release(&t->peer);
    free(t);
}

/* Submits an attribute read, bounded by `ms` from now; returns its id. */
static uint64_t read_attr(rig *t, s7p_arena *a, uint32_t ms)
{
    s7p_pdu req;
    assert_true(s7p_engine_read_attr_request(&t->e, &req, SESSION, 1000, a));
    s7p_engine_request r = {&req, t->now + ms, NULL, false, on_done, t};
    uint64_t id = 0;
    assert_int_equal(s7p_engine_submit(&t->e, &r, t->now, &id), S7P_OK);
    assert_true(id != 0);
    return id;
}

/* ---- tests ---- */

/* The whole connect sequence, socket-free: the steps in their order, the session id and
 * the limits kept; the close sends DeleteObject and ends when it is answered. */
static void test_connect_and_close(void **state)
{
    (void)state;
    rig *t = make_rig(NULL);
    s7p_engine_connect_params cp = {.remote_tsap = HMI, .tls = t->cctx};
    assert_int_equal(s7p_engine_connect(&t->e, &cp, t->now, t->now + 5000, on_step, t), S7P_OK);
    pump(t);
    assert_true(t->step_done);
    assert_int_equal(t->step_st, S7P_OK);
    assert_int_equal(t->e.props.session_id, SESSION);
    assert_int_equal(t->e.props.limits.tags_per_read, 20);   /* the peer sent no limits */
    static const uint16_t order[] = {S7P_FC_INIT_SSL, S7P_FC_CREATE_OBJECT,
                                     S7P_FC_SET_MULTI_VARIABLES, S7P_FC_GET_MULTI_VARIABLES,
                                     S7P_FC_GET_VAR_SUB_STREAMED};
    assert_int_equal(t->nreqs, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(t->reqs[i].function, order[i]);
        assert_int_equal(t->reqs[i].seq, i + 1);
    }
    assert_non_null(strstr(t->log, "session 0x70000123 open"));
    t->step_done = false;
    s7p_engine_close(&t->e, t->now, t->now + 2000, on_step, t);
    pump(t);
    assert_true(t->step_done);
    assert_int_equal(t->reqs[5].function, S7P_FC_DELETE_OBJECT);
    assert_int_equal(t->e.phase, S7P_ENGINE_CLOSED);
    free_rig(t);
}

/* The limits and the protection level are read together: both requests are on the wire
 * before either is answered, and the session opens when both are, in either order. */
static void test_connect_last_reads_together(void **state)
{
    (void)state;
    rig *t = make_rig(NULL);
    t->hold_after_setup = true;
    s7p_engine_connect_params cp = {.remote_tsap = HMI, .tls = t->cctx};
    assert_int_equal(s7p_engine_connect(&t->e, &cp, t->now, t->now + 5000, on_step, t), S7P_OK);
    pump(t);
    assert_false(t->step_done);
    assert_int_equal(t->nreqs, 5);
    assert_int_equal(t->reqs[3].function, S7P_FC_GET_MULTI_VARIABLES);
    assert_int_equal(t->reqs[4].function, S7P_FC_GET_VAR_SUB_STREAMED);
    answer_read(t, &t->reqs[4], t->reqs[4].seq, 100);  /* the protection level first */
    pump(t);
    assert_false(t->step_done);
    answer_plain(t, &t->reqs[3]);
    pump(t);
    assert_true(t->step_done);
    assert_int_equal(t->step_st, S7P_OK);
    assert_int_equal(t->e.phase, S7P_ENGINE_OPEN);
    assert_int_equal(t->e.props.protection_level, 105);
    free_rig(t);
}

static bool refuse(void *ctx, s7p_bytes tsap)
{
    (void)ctx;
    (void)tsap;
    return false;
}

/* A COTP refusal (DR) names the TSAP, as before the engine; a clock past the connect
 * deadline ends the COTP step with a timeout. */
static void test_connect_refused_and_timeout(void **state)
{
    (void)state;
    rig *t = make_rig(NULL);
    s7p_engine_connect_params cp = {.remote_tsap = "NO-SUCH-TSAP", .tls = t->cctx};
    assert_int_equal(s7p_engine_connect(&t->e, &cp, t->now, t->now + 5000, on_step, t), S7P_OK);
    const uint8_t *p;
    size_t n;
    s7p_engine_output(&t->e, &p, &n);
    assert_int_equal(s7p_link_feed(&t->srv, p, n), S7P_OK);
    s7p_engine_consumed(&t->e, n);
    bool done = false;
    assert_int_equal(s7p_link_accept_step(&t->srv, refuse, NULL, &done), S7P_E_CONNECT);
    s7p_link_output(&t->srv, &p, &n);
    (void)s7p_engine_feed(&t->e, p, n, t->now);
    assert_true(t->step_done);
    assert_int_equal(t->step_st, S7P_E_CONFIG);
    assert_string_equal(t->step_msg,
                        "cotp: PLC refused the connection (check the TSAP \"NO-SUCH-TSAP\")");
    free_rig(t);

    t = make_rig(NULL);
    assert_int_equal(s7p_engine_connect(&t->e, &cp, t->now, t->now + 5000, on_step, t), S7P_OK);
    assert_int_equal(s7p_engine_next_deadline(&t->e), t->now + 5000);
    s7p_engine_tick(&t->e, t->now + 5000);
    assert_true(t->step_done);
    assert_int_equal(t->step_st, S7P_E_TIMEOUT);
    assert_string_equal(t->step_msg, "cotp: timeout");
    free_rig(t);
}

/* At most max_in_flight requests are outstanding; the rest wait in order and go out as
 * answers come. */
static void test_in_flight_limit(void **state)
{
    (void)state;
    s7p_engine_config cfg = {.max_in_flight = 2};
    rig *t = connected(&cfg);
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    uint64_t ids[5];
    for (int i = 0; i < 5; i++) ids[i] = read_attr(t, &a, 5000);
    pump(t);
    assert_int_equal(t->nreqs, 2);          /* two on the wire, three queued */
    assert_int_equal(s7p_engine_pending(&t->e), 5);
    answer_read(t, &t->reqs[0], t->reqs[0].seq, 0);
    pump(t);
    assert_int_equal(t->nreqs, 3);          /* one answer let one more go */
    for (size_t i = 1; i < 5; i++) {
        answer_read(t, &t->reqs[i], t->reqs[i].seq, 0);
        pump(t);
    }
    assert_int_equal(t->ndones, 5);
    for (int i = 0; i < 5; i++) {
        const done_rec *d = done_of(t, ids[i]);
        assert_non_null(d);
        assert_int_equal(d->st, S7P_OK);
        assert_int_equal(d->value, t->reqs[i].seq);
    }
    /* The default is four. */
    s7p_engine e2;
    s7p_engine_init(&e2, &t->cli, NULL, NULL);
    assert_int_equal(e2.cfg.max_in_flight, 4);
    s7p_arena_release(&a);
    free_rig(t);
}

/* The peer answers the second request before the first: each caller gets its own. */
static void test_out_of_order_answers(void **state)
{
    (void)state;
    rig *t = connected(NULL);
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    uint64_t first = read_attr(t, &a, 5000), second = read_attr(t, &a, 5000);
    pump(t);
    assert_int_equal(t->nreqs, 2);
    answer_read(t, &t->reqs[1], t->reqs[1].seq, 1000);
    answer_read(t, &t->reqs[0], t->reqs[0].seq, 1000);
    pump(t);
    assert_int_equal(t->ndones, 2);
    assert_int_equal(t->dones[0].id, second);  /* completed in the order the answers came */
    assert_int_equal(done_of(t, second)->value, t->reqs[1].seq + 1000u);
    assert_int_equal(done_of(t, first)->value, t->reqs[0].seq + 1000u);
    assert_int_equal(t->e.props.iid_mismatches, 0);
    s7p_arena_release(&a);
    free_rig(t);
}

/* An answer to a sequence number nobody asked for faults the session: every request in
 * flight fails with S7P_E_PROTOCOL; none gets that answer. */
static void test_unknown_sequence_number(void **state)
{
    (void)state;
    rig *t = connected(NULL);
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    uint64_t ids[2] = {read_attr(t, &a, 5000), read_attr(t, &a, 5000)};
    pump(t);
    answer_read(t, &t->reqs[0], 999, 0);
    pump(t);
    assert_int_equal(t->ndones, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(done_of(t, ids[i])->st, S7P_E_PROTOCOL);
        assert_non_null(strstr(done_of(t, ids[i])->msg, "unknown sequence number 999"));
    }
    assert_int_equal(t->e.phase, S7P_ENGINE_FAULTED);
    assert_int_equal(t->cli.err, S7P_E_PROTOCOL);
    uint64_t id;
    s7p_pdu req;
    assert_true(s7p_engine_read_attr_request(&t->e, &req, SESSION, 1000, &a));
    s7p_engine_request r = {&req, t->now + 10, NULL, false, on_done, t};
    assert_int_equal(s7p_engine_submit(&t->e, &r, t->now, &id), S7P_E_PROTOCOL);
    s7p_arena_release(&a);
    free_rig(t);
}

/* Cancel: a queued request is never sent; one in flight completes at once with
 * S7P_E_CANCELLED, frees its slot, and its late answer is discarded. */
static void test_cancel(void **state)
{
    (void)state;
    s7p_engine_config cfg = {.max_in_flight = 1};
    rig *t = connected(&cfg);
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    uint64_t a1 = read_attr(t, &a, 5000), a2 = read_attr(t, &a, 5000), a3 = read_attr(t, &a, 5000);
    pump(t);
    assert_int_equal(t->nreqs, 1);
    assert_true(s7p_engine_cancel(&t->e, a2));           /* queued */
    assert_int_equal(done_of(t, a2)->st, S7P_E_CANCELLED);
    assert_true(s7p_engine_cancel(&t->e, a1));           /* in flight */
    assert_int_equal(done_of(t, a1)->st, S7P_E_CANCELLED);
    assert_false(s7p_engine_cancel(&t->e, a1));          /* once only */
    pump(t);
    assert_int_equal(t->nreqs, 2);                       /* a3 went out, a2 never */
    assert_int_equal(t->reqs[1].seq, t->reqs[0].seq + 2);
    answer_read(t, &t->reqs[0], t->reqs[0].seq, 0);      /* the late answer */
    answer_read(t, &t->reqs[1], t->reqs[1].seq, 0);
    pump(t);
    assert_int_equal(t->ndones, 3);
    assert_int_equal(done_of(t, a3)->st, S7P_OK);
    assert_int_equal(done_of(t, a3)->value, t->reqs[1].seq);
    assert_int_equal(t->e.phase, S7P_ENGINE_OPEN);
    assert_non_null(strstr(t->log, "to a cancelled or unanswered request discarded"));
    s7p_arena_release(&a);
    free_rig(t);
}

/* A request without an answer by its deadline faults the session: it and every other
 * request fail with S7P_E_TIMEOUT; next_deadline tells the driver when to tick. */
static void test_timeout(void **state)
{
    (void)state;
    rig *t = connected(NULL);
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    uint64_t slow = read_attr(t, &a, 300), other = read_attr(t, &a, 5000);
    pump(t);
    assert_int_equal(s7p_engine_next_deadline(&t->e), t->now + 300);
    s7p_engine_tick(&t->e, t->now + 299);
    assert_int_equal(t->ndones, 0);
    s7p_engine_tick(&t->e, t->now + 300);
    assert_int_equal(t->ndones, 2);
    assert_int_equal(done_of(t, slow)->st, S7P_E_TIMEOUT);
    assert_int_equal(done_of(t, other)->st, S7P_E_TIMEOUT);
    assert_string_equal(done_of(t, slow)->msg, "receive: timeout");
    assert_int_equal(t->e.phase, S7P_ENGINE_FAULTED);
    assert_int_equal(s7p_engine_next_deadline(&t->e), INT64_MAX);
    s7p_arena_release(&a);
    free_rig(t);
}

/* A request sent without expecting an answer (flags 0x74, a subscription's credit-limit
 * write) completes when it goes out; an answer the PLC sends all the same, as 0x32 or in
 * the 0x02 form an S7-1200 uses, is swallowed, not taken for one out of sequence. */
static void test_fire_and_forget(void **state)
{
    (void)state;
    rig *t = connected(NULL);
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    uint64_t ids[2];
    for (int i = 0; i < 2; i++) {
        s7p_pdu req;
        s7p_engine_init_request(&t->e, &req, S7P_FC_SET_VARIABLE, true);
        req.transport_flags = S7P_TF_REQUEST | S7P_TF_NO_RESPONSE;
        req.req.set_variable.object_id = 0x70000300u;
        uint32_t *addr = s7p_arena_alloc(&a, sizeof *addr);
        assert_non_null(addr);
        *addr = 1053;
        req.req.set_variable.address_count = 1;
        req.req.set_variable.addresses = addr;
        req.req.set_variable.value.type = S7P_DT_INT;
        req.req.set_variable.value.v.i = 15;
        assert_true(s7p_qualifier_default(&req.qualifier, &a));
        s7p_engine_request r = {&req, t->now + 5000, NULL, false, on_done, t};
        assert_int_equal(s7p_engine_submit(&t->e, &r, t->now, &ids[i]), S7P_OK);
    }
    pump(t);
    assert_int_equal(t->nreqs, 2);
    assert_int_equal(t->ndones, 2);                       /* done when sent */
    assert_int_equal(done_of(t, ids[0])->st, S7P_OK);
    assert_int_equal(s7p_engine_pending(&t->e), 0);
    /* The PLC answers the first as 0x32 and the second in the 0x02 form. */
    s7p_pdu *r1 = response_to(t, &t->reqs[0], t->reqs[0].seq);
    s7p_pdu *r2 = response_to(t, &t->reqs[1], t->reqs[1].seq);
    r2->opcode = S7P_OP_RESPONSE2;
    peer_put(t, r1);
    peer_put(t, r2);
    uint64_t rd = read_attr(t, &a, 5000);
    pump(t);
    answer_read(t, &t->reqs[2], t->reqs[2].seq, 0);
    pump(t);
    assert_int_equal(t->e.phase, S7P_ENGINE_OPEN);
    assert_int_equal(done_of(t, rd)->st, S7P_OK);
    assert_int_equal(t->ndones, 3);                       /* no second completion */
    assert_int_equal(t->e.tombstones, 0);                 /* both answers swallowed */
    s7p_arena_release(&a);
    free_rig(t);
}

static void on_notify(void *ctx, const s7p_pdu *pdu)
{
    rig *t = ctx;
    assert_int_equal(pdu->opcode, S7P_OP_NOTIFICATION);
    assert_int_equal(pdu->notif.object_id, 0x70000300u);
    t->notifications++;
}

static void put_notification(rig *t)
{
    s7p_pdu p;
    memset(&p, 0, sizeof p);
    p.version = S7P_PROTO_V2;
    p.opcode = S7P_OP_NOTIFICATION;
    p.notif.object_id = 0x70000300u;
    p.notif.unknown2 = 0x0400;
    p.notif.seq = 1;
    p.notif.change_counter = 1;
    p.fill_len = 4;
    peer_put(t, &p);
}

/* Notifications between answers go to the handler, or are logged and dropped; they are
 * never taken for an answer. */
static void test_notifications(void **state)
{
    (void)state;
    rig *t = connected(NULL);
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    uint64_t id = read_attr(t, &a, 5000);
    pump(t);
    put_notification(t);                                  /* no handler: dropped */
    pump(t);
    assert_int_equal(t->ndones, 0);
    assert_non_null(strstr(t->log, "dropped opcode 0x33"));
    s7p_engine_on_notify(&t->e, on_notify, t);
    put_notification(t);
    put_notification(t);
    answer_read(t, &t->reqs[0], t->reqs[0].seq, 0);
    pump(t);
    assert_int_equal(t->notifications, 2);
    assert_int_equal(t->ndones, 1);
    assert_int_equal(done_of(t, id)->st, S7P_OK);
    assert_int_equal(t->e.phase, S7P_ENGINE_OPEN);
    s7p_arena_release(&a);
    free_rig(t);
}

static void on_event(void *ctx, const s7p_sysevent *ev)
{
    rig *t = ctx;
    assert_int_equal(ev->kind, S7P_SYSEV_STRUCT);
    t->events++;
}

/* A system event with return value rv (0: none). */
static void put_event(rig *t, int64_t rv)
{
    s7p_sysevent e;
    memset(&e, 0, sizeof e);
    s7p_struct *st = s7p_arena_alloc(&t->peer, sizeof *st);
    assert_non_null(st);
    st->id = S7P_ID_SYSTEM_EVENT_STRUCT;
    s7p_value *v = s7p_idlist_add(&st->members, &t->peer, S7P_ID_SYSTEM_EVENT_RETURN_VALUE);
    assert_non_null(v);
    v->type = S7P_DT_LINT;
    v->v.i = rv;
    e.kind = S7P_SYSEV_STRUCT;
    e.value.type = S7P_DT_STRUCT;
    e.value.v.st = st;
    assert_int_equal(s7p_link_put_event(&t->srv, &e), S7P_OK);
}

/* A system event that is not fatal goes to its handler; a fatal one (negative return
 * value) faults the session with S7P_E_PROTOCOL and the PLC's code, as before. */
static void test_system_events(void **state)
{
    (void)state;
    rig *t = connected(NULL);
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    s7p_engine_on_event(&t->e, on_event, t);
    uint64_t id = read_attr(t, &a, 5000);
    pump(t);
    put_event(t, 0);
    pump(t);
    assert_int_equal(t->events, 1);
    assert_int_equal(t->ndones, 0);
    put_event(t, -5);
    pump(t);
    assert_int_equal(t->events, 1);
    assert_int_equal(done_of(t, id)->st, S7P_E_PROTOCOL);
    assert_string_equal(done_of(t, id)->msg, "PLC reported a fatal error (system event, code -5)");
    assert_int_equal(t->e.fault.plc_return, (uint64_t)(int64_t)-5);
    assert_int_equal(t->e.phase, S7P_ENGINE_FAULTED);
    s7p_arena_release(&a);
    free_rig(t);
}

/* After heartbeat_ms without anything received and nothing outstanding, the engine reads
 * the protection level; answered, the session goes on; unanswered, its timeout faults the
 * session. While requests run, no heartbeat. */
static void test_heartbeat(void **state)
{
    (void)state;
    s7p_engine_config cfg = {.heartbeat_ms = 10000, .heartbeat_timeout_ms = 500};
    rig *t = connected(&cfg);
    int64_t start = t->now;
    assert_int_equal(s7p_engine_next_deadline(&t->e), start + 10000);
    s7p_engine_tick(&t->e, start + 9999);
    pump(t);
    assert_int_equal(t->nreqs, 0);
    t->now = start + 10000;
    s7p_engine_tick(&t->e, t->now);
    pump(t);
    assert_int_equal(t->nreqs, 1);
    assert_int_equal(t->reqs[0].function, S7P_FC_GET_VAR_SUB_STREAMED);
    assert_int_equal(t->e.heartbeats, 1);
    assert_int_equal(s7p_engine_next_deadline(&t->e), t->now + 500);
    answer_read(t, &t->reqs[0], t->reqs[0].seq, 0);
    t->now += 100;
    pump(t);                                               /* answered: last_rx moves */
    assert_int_equal(t->e.phase, S7P_ENGINE_OPEN);
    assert_int_equal(s7p_engine_next_deadline(&t->e), t->now + 10000);
    /* The next one goes unanswered. */
    t->now += 10000;
    s7p_engine_tick(&t->e, t->now);
    pump(t);
    assert_int_equal(t->nreqs, 2);
    s7p_engine_tick(&t->e, t->now + 500);
    assert_int_equal(t->e.phase, S7P_ENGINE_FAULTED);
    assert_int_equal(t->e.fault.code, S7P_E_TIMEOUT);
    free_rig(t);
}

/* With heartbeat 0 nothing is ever sent on its own. */
static void test_heartbeat_off(void **state)
{
    (void)state;
    rig *t = connected(NULL);
    assert_int_equal(s7p_engine_next_deadline(&t->e), INT64_MAX);
    s7p_engine_tick(&t->e, t->now + 3600000);
    pump(t);
    assert_int_equal(t->nreqs, 0);
    free_rig(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_and_close),
        cmocka_unit_test(test_connect_last_reads_together),
        cmocka_unit_test(test_connect_refused_and_timeout),
        cmocka_unit_test(test_in_flight_limit),
        cmocka_unit_test(test_out_of_order_answers),
        cmocka_unit_test(test_unknown_sequence_number),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_fire_and_forget),
        cmocka_unit_test(test_notifications),
        cmocka_unit_test(test_system_events),
        cmocka_unit_test(test_heartbeat),
        cmocka_unit_test(test_heartbeat_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Subscriptions, the requesting side: the public calls, their requests in the client's
 * queue (create, change, delete: one at a time, beside reads and writes), the loss of a
 * session and the re-creation on the next one. sub_notify.c receives. */
#include <stddef.h>
#include <string.h>

#include "client/sub_int.h"
#include "util/alloc.h"
#include "util/clock.h"

#define LAYER "client"
#define CYCLE_MAX_MS 86400000u
#define QUEUE_MAX 1048576u
#define NUMBERS_MAX (1u << 24)  /* tag numbers given over a subscription's life */

/* ---- options ---- */

void (s7p_subscription_options_init)(s7p_subscription_options *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->cycle_ms = 1000;
    o->mode = S7P_SUB_CYCLIC;
    o->notification_timeout_ms = 5000;
    o->credit_limit = 10;  /* the reference drivers' start and step (spec §1.4) */
    o->credit_step = 5;
    o->queue_size = 1024;
}

_Static_assert(offsetof(s7p_subscription_options, struct_size) == 0, "struct_size comes first");

void s7p_subscription_options_init_size(s7p_subscription_options *o, size_t size)
{
    if (!o) return;
    s7p_subscription_options full;
    (s7p_subscription_options_init)(&full);
    s7p_sized_init(o, size, &full, sizeof full);
}

const char *s7p_sub_take_options(const s7p_subscription_options *o, s7p_subscription_options *out)
{
    (s7p_subscription_options_init)(out);
    if (o) {
        if (o->struct_size < sizeof o->struct_size + sizeof o->cycle_ms)
            return "subscription options not initialised";
        if (!s7p_sized_tail_zero(o, sizeof *o, o->struct_size))
            return "subscription options use fields this library version does not know";
        memcpy(out, o, o->struct_size < sizeof *out ? o->struct_size : sizeof *out);
        out->struct_size = sizeof *out;
    }
    if (out->credit_step == 0) out->credit_step = 5;
    if (out->cycle_ms == 0 || out->cycle_ms > CYCLE_MAX_MS) return "cycle must be 1..86400000 ms";
    if ((unsigned)out->mode > S7P_SUB_CHANGES_ONLY) return "unknown subscription mode";
    if (out->notification_timeout_ms == 0 || out->notification_timeout_ms > CYCLE_MAX_MS)
        return "notification timeout must be 1..86400000 ms";
    if (out->credit_limit != -1 && (out->credit_limit < 1 || out->credit_limit > 255))
        return "credit limit must be 1..255 or -1 (unlimited)";
    /* A step of half the tick's range or more could not tell ahead from behind. */
    if (out->credit_step > 127) return "credit step must be 1..127";
    if (out->queue_size == 0 || out->queue_size > QUEUE_MAX) return "queue size must be 1..1048576";
    return NULL;
}

s7p_status s7p_sub_arg_fail(s7p_client *c, const char *op, const char *why, s7p_error *err)
{
    s7p_fail f = {0};
    s7p_fail_set(&f, S7P_E_INVALID_ARG, "%s", why);
    s7p_error_fill(err, op, c ? c->endpoint : "", &f);
    return S7P_E_INVALID_ARG;
}

s7p_status s7p_sub_run_create(s7p_client *c, s7p_subscription *s, s7p_req *r, s7p_error *err)
{
    s7p_status st = s7p_req_run(c, r, err);
    if (st != S7P_OK) {
        pthread_mutex_lock(&c->lock);
        s7p_sub_close(c, s);
        pthread_mutex_unlock(&c->lock);
    }
    return st;
}

static const char *check_tags(const s7p_tag *tags, size_t n, size_t have)
{
    if (!tags || n == 0) return "no tags";
    if (n > S7P_SUB_MAX_TAGS - have) return "at most 65535 tags per subscription";
    for (size_t i = 0; i < n; i++)
        if (tags[i].nlids == 0 || tags[i].nlids > S7P_TAG_MAX_LIDS) return "a tag without LIDs";
    return NULL;
}

/* ---- the tags of a subscription ---- */

/* Gives n new numbers (their slots not yet filled); false at the numbering's end. */
static bool reserve_numbers(s7p_subscription *s, size_t n, uint32_t *first)
{
    if (n > NUMBERS_MAX - s->next_number) return false;
    uint32_t *grown = s7p_realloc(s->slot_of, (s->next_number + n) * sizeof *grown);
    if (!grown) return false;
    s->slot_of = grown;
    *first = s->next_number;
    for (size_t i = 0; i < n; i++) s->slot_of[s->next_number++] = S7P_SUB_NO_SLOT;
    return true;
}

/* Appends tags under the given numbers. */
static bool append_tags(s7p_subscription *s, const s7p_tag *tags, const uint32_t *numbers,
                        size_t n)
{
    if (s->n + n > s->cap) {
        size_t cap = s->cap ? s->cap : 8;
        while (cap < s->n + n) cap *= 2;
        s7p_tag *t = s7p_realloc(s->tags, cap * sizeof *t);
        if (t) s->tags = t;
        uint32_t *nu = t ? s7p_realloc(s->numbers, cap * sizeof *nu) : NULL;
        if (!nu) return false;
        s->numbers = nu;
        s->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        s->tags[s->n] = tags[i];
        s->numbers[s->n] = numbers[i];
        s->slot_of[numbers[i]] = (uint32_t)s->n;
        s->n++;
    }
    return true;
}

/* Removes the tags of these numbers (unknown ones ignored), keeping the others' order. */
static void drop_numbers(s7p_subscription *s, const uint32_t *numbers, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (numbers[i] < s->next_number) s->slot_of[numbers[i]] = S7P_SUB_NO_SLOT;
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->slot_of[s->numbers[i]] == S7P_SUB_NO_SLOT) continue;
        s->tags[k] = s->tags[i];
        s->numbers[k] = s->numbers[i];
        s->slot_of[s->numbers[k]] = (uint32_t)k;
        k++;
    }
    s->n = k;
}

/* The wire items of tags (item reference = number + 1); NULL when out of memory. */
static s7p_sub_item *items_of(const s7p_tag *tags, const uint32_t *numbers, size_t n)
{
    s7p_sub_item *it = s7p_calloc(n ? n : 1, sizeof *it);
    for (size_t i = 0; it && i < n; i++) {
        it[i].ref = numbers[i] + 1u;
        it[i].area = tags[i].area;
        it[i].crc = tags[i].symbol_crc;
        it[i].sub_area = tags[i].sub_area;
        it[i].lids = tags[i].lids;
        it[i].n_lids = tags[i].nlids;
    }
    return it;
}

/* ---- requests ---- */

static void finish_request(s7p_client *c, s7p_req *r);

static s7p_req *sub_req_new(s7p_subscription *s, s7p_req_kind kind, const char *name, int flags)
{
    s7p_req *r = s7p_req_new(s->c, kind, name, flags);
    if (!r) return NULL;
    r->subscription = s;
    r->on_finish = finish_request;
    return r;
}

/* The operation's end, inside the engine call that completed it: the state changes at
 * once, so a notification right behind the answer finds the subscription. */
static void sub_op_done(void *ctx, s7p_op *op)
{
    s7p_req *r = ctx;
    s7p_subscription *s = r->subscription;
    if (op->st == S7P_OK && s->state != SUB_CLOSED) {
        if (r->kind == RQ_SUBSCRIBE) {
            s7p_sub_activated(s, r->u.sub.object_id);
        } else if (r->kind == RQ_UNSUBSCRIBE) {
            s->state = SUB_CLOSED;
        } else if (r->subm == SUBM_REMOVE) {
            drop_numbers(s, r->sub_numbers, r->sub_n);
        } else if (r->subm == SUBM_CYCLE) {
            s->opt.cycle_ms = r->sub_cycle;
        }
    }
    s7p_req_op_done(r, op);
}

static uint32_t next_rid(s7p_client *c)
{
    c->sub_rid = c->sub_rid ? c->sub_rid + 1 : S7P_SUB_FIRST_RID;
    return c->sub_rid;
}

static void run_create(s7p_client *c, s7p_req *r)
{
    s7p_subscription *s = r->subscription;
    s7p_sub_op_free(&r->u.sub);  /* a retry's first attempt */
    s7p_sub_item *items = items_of(s->tags, s->numbers, s->n);
    if (!items) {
        s7p_fail_set(&r->f, S7P_E_NOMEM, "subscribe: out of memory");
        s7p_req_complete(c, r, S7P_E_NOMEM);
        return;
    }
    s7p_sub_params p = {
        .rel_id = next_rid(c),
        .function_class = S7P_SUB_FC_VARIABLES,
        .route_mode = s->opt.mode == S7P_SUB_CHANGES_ONLY ? S7P_SUB_ROUTE_CHANGED_ONLY
                                                          : S7P_SUB_ROUTE_CYCLIC_AND_CHANGED,
        .cycle_ms = s->opt.cycle_ms,
        .credit_limit = s->opt.credit_limit,
        .refs = {.create = true, .change_counter = 1, .items = items, .n_items = s->n},
    };
    if (s->alarms) {
        /* Services spec §2.1: route mode 2, no cycle, no items, the languages in the child. */
        p.function_class = S7P_SUB_FC_ALARMS;
        p.route_mode = S7P_SUB_ROUTE_ALARM;
        p.cycle_ms = 0;
        p.alarm = (s7p_sub_alarm_ref){true, s->lcids, s->n_lcids};
    }
    r->op_live = true;
    s7p_sub_create_start(&r->u.sub, &c->session, &p, c->opt.request_timeout_ms, sub_op_done, r);
    s7p_free(items);  /* copied by the operation */
}

static void next_change_counter(s7p_subscription *s)
{
    if (++s->change_counter == 0) s->change_counter = 1;
}

/* A change of a subscription on the PLC: a new reference list or cycle time. */
static void run_change(s7p_client *c, s7p_req *r)
{
    s7p_subscription *s = r->subscription;
    if (r->subm == SUBM_ADD && !append_tags(s, r->sub_tags, r->sub_numbers, r->sub_n)) {
        s7p_fail_set(&r->f, S7P_E_NOMEM, "subscription change: out of memory");
        s7p_req_complete(c, r, S7P_E_NOMEM);
        return;
    }
    bool on_plc = s->state == SUB_ACTIVE && c->session.open && s->session == c->sessions;
    if (!on_plc) {
        /* Kept for the re-creation, which sends the whole list. */
        if (r->subm == SUBM_REMOVE) drop_numbers(s, r->sub_numbers, r->sub_n);
        if (r->subm == SUBM_CYCLE) s->opt.cycle_ms = r->sub_cycle;
        s7p_req_complete(c, r, S7P_OK);
        return;
    }
    r->op_live = true;
    s7p_sub_op_free(&r->u.sub);
    if (r->subm == SUBM_CYCLE) {
        s7p_sub_cycle_start(&r->u.sub, &c->session, s->object_id, r->sub_cycle,
                            c->opt.request_timeout_ms, sub_op_done, r);
        return;
    }
    bool add = r->subm == SUBM_ADD;
    s7p_sub_item *items = add ? items_of(r->sub_tags, r->sub_numbers, r->sub_n) : NULL;
    uint32_t *refs = add ? NULL : s7p_calloc(r->sub_n, sizeof *refs);
    if (add ? !items : !refs) {
        r->op_live = false;
        s7p_fail_set(&r->f, S7P_E_NOMEM, "subscription change: out of memory");
        s7p_req_complete(c, r, S7P_E_NOMEM);
        return;
    }
    for (size_t i = 0; refs && i < r->sub_n; i++) refs[i] = r->sub_numbers[i] + 1u;
    next_change_counter(s);
    s7p_sub_refs list = {.change_counter = s->change_counter,
                         .unsubscribe = refs, .n_unsubscribe = add ? 0 : r->sub_n,
                         .items = items, .n_items = add ? r->sub_n : 0};
    s7p_sub_refs_start(&r->u.sub, &c->session, s->object_id, &list, c->opt.request_timeout_ms,
                       sub_op_done, r);
    s7p_free(items);
    s7p_free(refs);
}

void s7p_sub_req_run(s7p_client *c, s7p_req *r)
{
    s7p_subscription *s = r->subscription;
    r->reconnect = false;
    if (s->state == SUB_CLOSED || (s->state == SUB_FAULTED && r->kind != RQ_UNSUBSCRIBE)) {
        s7p_fail_set(&r->f, S7P_E_STATE, "%s: the subscription has ended", r->name);
        s7p_req_complete(c, r, S7P_E_STATE);
        return;
    }
    if (r->kind == RQ_SUBSCRIBE) {
        run_create(c, r);
    } else if (r->kind == RQ_SUB_MODIFY) {
        run_change(c, r);
    } else if (s->state == SUB_ACTIVE && c->session.open && s->session == c->sessions) {
        r->op_live = true;
        s7p_sub_delete_start(&r->u.sub, &c->session, s->object_id, c->opt.request_timeout_ms,
                             sub_op_done, r);
    } else {
        /* Not on the PLC (its session is gone with it): nothing to delete. */
        s7p_req_complete(c, r, S7P_OK);
    }
}

void s7p_sub_close(s7p_client *c, s7p_subscription *s)
{
    s->state = SUB_CLOSED;
    s->object_id = 0;
    if (s->prev) s->prev->next = s->next;
    else if (c->subs == s) c->subs = s->next;
    if (s->next) s->next->prev = s->prev;
    s->next = s->prev = NULL;
    s7p_sub_queue_clear(s);
    pthread_cond_broadcast(&c->wake);
    s7p_sub_unref(s);
}

/* A failed re-create: tried again on a later session while the failure may pass. */
static void create_failed(s7p_client *c, s7p_subscription *s, s7p_req *r)
{
    bool passes = r->st == S7P_E_STATE || r->f.unsent ||
                  s7p_error_is_transient(r->st, s7p_ret_code(r->f.plc_return));
    if (r->internal && passes) {
        int64_t at = s7p_deadline_in(c->opt.reconnect_interval_ms);
        s->retry_at = c->next_connect_ms > at ? c->next_connect_ms : at;
        return;
    }
    if (!r->blocking) s7p_sub_fault(s, "subscribe", &r->f);
}

static void finish_request(s7p_client *c, s7p_req *r)
{
    s7p_subscription *s = r->subscription;
    r->subscription = NULL;
    if (r->kind == RQ_SUBSCRIBE) {
        s->create_pending = false;
        if (r->st != S7P_OK && s->state != SUB_CLOSED) create_failed(c, s, r);
    } else if (r->kind == RQ_SUB_MODIFY && r->subm == SUBM_ADD && r->st != S7P_OK) {
        drop_numbers(s, r->sub_numbers, r->sub_n);  /* not on the PLC: not subscribed */
    } else if (r->kind == RQ_UNSUBSCRIBE) {
        s7p_sub_close(c, s);
    }
    s7p_sub_unref(s);
}

/* ---- the session ---- */

void s7p_subs_session_lost(s7p_client *c)
{
    s7p_fail f = {0};
    if (c->session.eng.phase == S7P_ENGINE_FAULTED) f = c->session.eng.fault;
    else s7p_fail_set(&f, S7P_E_CLOSED, "session closed");
    int64_t now = s7p_now_ms();
    c->sub_rid = 0;
    for (s7p_subscription *s = c->subs; s; s = s->next) {
        if (s->state != SUB_ACTIVE) continue;
        s->state = SUB_LOST;
        s->object_id = 0;
        s->lost_at = s->retry_at = now;
        s7p_sub_notification *n = s7p_sub_event_new(S7P_SUB_LOST);
        if (n) s7p_error_fill(&n->error, "subscription", c->endpoint, &f);
        s7p_sub_emit(s, n);
    }
}

/* A lost subscription may be re-created now: on an open session, or (auto_reconnect) by
 * reconnecting a FAULTED client; not after the caller disconnected. */
static bool recreate_due(const s7p_client *c, const s7p_subscription *s, int64_t now)
{
    return s->state == SUB_LOST && !s->create_pending && now >= s->retry_at &&
           (c->session.open || (c->opt.auto_reconnect && c->state == S7P_STATE_FAULTED));
}

static bool recreate(s7p_client *c, s7p_subscription *s)
{
    s7p_req *r = sub_req_new(s, RQ_SUBSCRIBE, "subscribe",
                             S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE);
    if (!r) {
        s->retry_at = s7p_deadline_in(c->opt.reconnect_interval_ms);
        return false;
    }
    r->internal = true;
    s7p_sub_ref(s);
    s->create_pending = true;
    s7p_req_enqueue(c, r);
    return true;
}

bool s7p_subs_settle(s7p_client *c)
{
    bool queued = false;
    int64_t now = s7p_now_ms();
    for (s7p_subscription *s = c->subs; s; s = s->next) {
        s7p_sub_check_timeout(s, now);
        if (recreate_due(c, s, now) && recreate(c, s)) queued = true;
        if (s->alarms && s7p_sub_alarms_settle(c, s)) queued = true;
    }
    return queued;
}

int64_t s7p_subs_deadline(const s7p_client *c)
{
    int64_t t = INT64_MAX;
    for (const s7p_subscription *s = c->subs; s; s = s->next) {
        if (s->state == SUB_ACTIVE && s->opt.max_consecutive_timeouts && s->timeout_at < t)
            t = s->timeout_at;
        if (recreate_due(c, s, INT64_MAX) && s->retry_at < t) t = s->retry_at;
    }
    return t;
}

void s7p_subs_free_all(s7p_client *c)
{
    while (c->subs) {
        s7p_subscription *s = c->subs;
        /* A credit write still queued in the engine holds a reference: cancelled, it lets
         * go (every request was cancelled and every event delivered before). */
        if (s->credit_id) s7p_engine_cancel(&c->session.eng, s->credit_id);
        s7p_sub_close(c, s);
    }
}

/* ---- public calls ---- */

s7p_subscription *s7p_sub_alloc(s7p_client *c, const s7p_subscription_options *o,
                                s7p_sub_fn fn, void *ctx)
{
    s7p_subscription *s = s7p_calloc(1, sizeof *s);
    if (!s) return NULL;
    s->c = c;
    s->refs = 1;  /* the caller's */
    s->opt = *o;
    s->fn = fn;
    s->ctx = ctx;
    s->state = SUB_NEW;
    s7p_arena_init(&s->credit_arena, 64u << 10);
    return s;
}

static s7p_subscription *sub_new(s7p_client *c, const s7p_tag *tags, size_t n,
                                 const s7p_subscription_options *o, s7p_sub_fn fn, void *ctx)
{
    s7p_subscription *s = s7p_sub_alloc(c, o, fn, ctx);
    uint32_t *numbers = s ? s7p_calloc(n, sizeof *numbers) : NULL;
    uint32_t first = 0;
    bool ok = numbers && reserve_numbers(s, n, &first);
    for (size_t i = 0; ok && i < n; i++) numbers[i] = first + (uint32_t)i;
    ok = ok && append_tags(s, tags, numbers, n);
    s7p_free(numbers);
    if (!ok && s) {
        s7p_sub_unref(s);
        s = NULL;
    }
    return s;
}

bool s7p_sub_register(s7p_client *c, s7p_subscription *s, s7p_req **req)
{
    s7p_req *r = sub_req_new(s, RQ_SUBSCRIBE, "subscribe", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE);
    if (!r) {
        s7p_sub_unref(s);
        return false;
    }
    s->refs++;  /* the request's */
    s->create_pending = true;
    pthread_mutex_lock(&c->lock);
    s->next = c->subs;
    if (c->subs) c->subs->prev = s;
    c->subs = s;
    pthread_mutex_unlock(&c->lock);
    *req = r;
    return true;
}

/* Makes the subscription and its create request; the request holds a reference. */
static s7p_status start_subscribe(s7p_client *c, const s7p_tag *tags, size_t n,
                                  const s7p_subscription_options *o, s7p_sub_fn fn, void *ctx,
                                  s7p_subscription **sub, s7p_req **req, s7p_error *err)
{
    s7p_subscription_options opt;
    const char *why = !c ? "no client" : check_tags(tags, n, 0);
    if (!why) why = s7p_sub_take_options(o, &opt);
    if (why) return s7p_sub_arg_fail(c, "subscribe", why, err);
    s7p_subscription *s = sub_new(c, tags, n, &opt, fn, ctx);
    if (!s || !s7p_sub_register(c, s, req)) return S7P_E_NOMEM;
    *sub = s;
    return S7P_OK;
}

s7p_status s7p_subscribe(s7p_client *c, const s7p_tag *tags, size_t n,
                         const s7p_subscription_options *o, s7p_sub_fn fn, void *ctx,
                         s7p_subscription **out, s7p_error *err)
{
    if (!out) return s7p_sub_arg_fail(c, "subscribe", "no output pointer", err);
    *out = NULL;
    s7p_subscription *s;
    s7p_req *r;
    s7p_status st = start_subscribe(c, tags, n, o, fn, ctx, &s, &r, err);
    if (st == S7P_OK) st = s7p_sub_run_create(c, s, r, err);
    if (st == S7P_OK) *out = s;
    return st;
}

s7p_status s7p_subscribe_async(s7p_client *c, const s7p_tag *tags, size_t n,
                               const s7p_subscription_options *o, s7p_sub_fn fn, void *ctx,
                               s7p_subscription **out, s7p_done_fn done, void *done_ctx,
                               s7p_request_id *id)
{
    if (!out || !done) return S7P_E_INVALID_ARG;
    *out = NULL;
    s7p_subscription *s;
    s7p_req *r;
    s7p_status st = start_subscribe(c, tags, n, o, fn, ctx, &s, &r, NULL);
    if (st != S7P_OK) return st;
    r->done_fn = done;
    r->done_ctx = done_ctx;
    *out = s;
    return s7p_req_start(c, r, id);
}

/* Fills err for a wait that ended without a notification (not logged: it is no failure). */
static s7p_status nothing_came(s7p_client *c, uint32_t timeout_ms, s7p_error *err)
{
    s7p_fail f = {0};
    s7p_fail_set(&f, S7P_E_TIMEOUT, "no notification within %u ms", timeout_ms);
    s7p_error_fill(err, "subscription", c->endpoint, &f);
    return S7P_E_TIMEOUT;
}

/* The next queued notification, or why there is none (lock held); *wait: nothing yet. */
static s7p_status take_queued(s7p_subscription *s, s7p_sub_notification **out, s7p_error *err,
                              bool *wait)
{
    *wait = false;
    if (s->q_n > 0) {
        s7p_sub_notification *n = s->q[s->q_head];
        s->q_head = (s->q_head + 1) % s->q_cap;
        s->q_n--;
        n->dropped = s->dropped;
        s->dropped = 0;
        *out = n;
        s7p_error_clear(err);
        return S7P_OK;
    }
    if (s->state == SUB_FAULTED) {
        if (err) *err = s->fault;
        return s->fault.code;
    }
    if (s->state == SUB_CLOSED) {
        s7p_fail f = {0};
        s7p_fail_set(&f, S7P_E_STATE, "the subscription has ended");
        s7p_error_fill(err, "subscription", s->c->endpoint, &f);
        return S7P_E_STATE;
    }
    *wait = true;  /* nothing yet */
    return S7P_E_TIMEOUT;
}

s7p_status s7p_subscription_next(s7p_subscription *s, s7p_sub_notification **out,
                                 uint32_t timeout_ms, s7p_error *err)
{
    if (!s || !out) return S7P_E_INVALID_ARG;
    *out = NULL;
    s7p_client *c = s->c;
    s7p_client_enter(c);
    pthread_mutex_lock(&c->lock);
    s7p_status st;
    if (s->fn) {
        s7p_fail f = {0};
        st = s7p_fail_set(&f, S7P_E_STATE, "the subscription delivers to its callback");
        s7p_error_fill(err, "subscription", c->endpoint, &f);
    } else {
        s7p_sub_ref(s);
        int64_t until = s7p_deadline_in(timeout_ms);
        bool wait;
        while ((st = take_queued(s, out, err, &wait)) != S7P_OK && wait && s7p_now_ms() < until)
            s7p_driver_wait(c, until);
        if (wait) nothing_came(c, timeout_ms, err);
        s7p_sub_unref(s);
    }
    s7p_client_deliver(c);
    s7p_client_leave_locked(c);
    pthread_mutex_unlock(&c->lock);
    return st;
}

/* Runs a change request of s, unless s has ended. */
static s7p_status run_change_req(s7p_subscription *s, s7p_req *r, s7p_error *err)
{
    s7p_client *c = s->c;
    pthread_mutex_lock(&c->lock);
    bool ended = s->state == SUB_FAULTED || s->state == SUB_CLOSED;
    if (!ended) s7p_sub_ref(s);  /* the request's */
    pthread_mutex_unlock(&c->lock);
    if (ended) {
        s7p_req_free(r);
        s7p_fail f = {0};
        s7p_fail_set(&f, S7P_E_STATE, "the subscription has ended");
        s7p_error_fill(err, "subscription", c->endpoint, &f);
        return S7P_E_STATE;
    }
    return s7p_req_run(c, r, err);
}

s7p_status s7p_subscription_add(s7p_subscription *s, const s7p_tag *tags, size_t n,
                                uint32_t *first, s7p_error *err)
{
    if (!s) return S7P_E_INVALID_ARG;
    s7p_client *c = s->c;
    if (s->alarms) return s7p_sub_arg_fail(c, "subscription", "an alarm subscription has no tags", err);
    pthread_mutex_lock(&c->lock);
    const char *why = check_tags(tags, n, s->n);
    uint32_t base = 0;
    if (!why && !reserve_numbers(s, n, &base)) why = "no more tag numbers";
    pthread_mutex_unlock(&c->lock);
    if (why) return s7p_sub_arg_fail(c, "subscription", why, err);
    s7p_req *r = sub_req_new(s, RQ_SUB_MODIFY, "subscription change", S7P_OP_NEEDS_SESSION);
    s7p_tag *copy = r ? s7p_malloc(n * sizeof *copy) : NULL;
    uint32_t *numbers = copy ? s7p_malloc(n * sizeof *numbers) : NULL;
    if (!numbers) {
        s7p_free(copy);
        s7p_free(r);
        return S7P_E_NOMEM;
    }
    memcpy(copy, tags, n * sizeof *copy);
    for (size_t i = 0; i < n; i++) numbers[i] = base + (uint32_t)i;
    r->subm = SUBM_ADD;
    r->sub_tags = copy;
    r->sub_numbers = numbers;
    r->sub_n = n;
    if (first) *first = base;
    return run_change_req(s, r, err);
}

s7p_status s7p_subscription_remove(s7p_subscription *s, const uint32_t *numbers, size_t n,
                                   s7p_error *err)
{
    if (!s || (n && !numbers)) return S7P_E_INVALID_ARG;
    if (s->alarms) return s7p_sub_arg_fail(s->c, "subscription", "an alarm subscription has no tags", err);
    if (n == 0) return S7P_OK;
    s7p_req *r = sub_req_new(s, RQ_SUB_MODIFY, "subscription change", S7P_OP_NEEDS_SESSION);
    uint32_t *copy = r ? s7p_malloc(n * sizeof *copy) : NULL;
    if (!copy) {
        s7p_free(r);
        return S7P_E_NOMEM;
    }
    memcpy(copy, numbers, n * sizeof *copy);
    r->subm = SUBM_REMOVE;
    r->sub_numbers = copy;
    r->sub_n = n;
    return run_change_req(s, r, err);
}

s7p_status s7p_subscription_set_cycle(s7p_subscription *s, uint32_t cycle_ms, s7p_error *err)
{
    if (!s) return S7P_E_INVALID_ARG;
    if (s->alarms)
        return s7p_sub_arg_fail(s->c, "subscription", "an alarm subscription has no cycle", err);
    if (cycle_ms == 0 || cycle_ms > CYCLE_MAX_MS)
        return s7p_sub_arg_fail(s->c, "subscription", "cycle must be 1..86400000 ms", err);
    s7p_req *r = sub_req_new(s, RQ_SUB_MODIFY, "subscription cycle", S7P_OP_NEEDS_SESSION);
    if (!r) return S7P_E_NOMEM;
    r->subm = SUBM_CYCLE;
    r->sub_cycle = cycle_ms;
    return run_change_req(s, r, err);
}

s7p_status s7p_unsubscribe(s7p_subscription *s, s7p_error *err)
{
    if (!s) {
        s7p_error_clear(err);
        return S7P_OK;
    }
    s7p_client *c = s->c;
    s7p_req *r = sub_req_new(s, RQ_UNSUBSCRIBE, "unsubscribe", 0);
    if (!r) {
        /* Freed all the same: the PLC drops it with the session. */
        pthread_mutex_lock(&c->lock);
        s7p_sub_close(c, s);
        pthread_mutex_unlock(&c->lock);
        return S7P_E_NOMEM;
    }
    pthread_mutex_lock(&c->lock);
    s7p_sub_ref(s);  /* the request's */
    pthread_mutex_unlock(&c->lock);
    return s7p_req_run(c, r, err);
}

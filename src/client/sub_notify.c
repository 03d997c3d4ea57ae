/* SPDX-License-Identifier: MIT */
/* Subscriptions, the receiving side: notifications (opcode 0x33) turned into the public
 * s7p_sub_notification with the values layer, sequence gaps, credits, the notification
 * timeout, and the hand-over to the caller (pull queue or ordered callbacks). */
#include <stdio.h>
#include <string.h>

#include "client/sub_int.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "values/convert.h"

#define LAYER "client"
#define CREDIT_AHEAD_MS 1000u  /* notifications the PLC may send ahead: a second's worth */
#define CREDIT_STEP_MAX 127u

/* ---- references and events ---- */

void s7p_sub_ref(s7p_subscription *s) { s->refs++; }

void s7p_sub_queue_clear(s7p_subscription *s)
{
    while (s->q_n > 0) {
        s7p_sub_notification_free(s->q[s->q_head]);
        s->q_head = (s->q_head + 1) % s->q_cap;
        s->q_n--;
    }
    s7p_free(s->q);
    s->q = NULL;
    s->q_cap = s->q_head = 0;
}

void s7p_sub_unref(s7p_subscription *s)
{
    if (--s->refs > 0) return;
    s7p_sub_queue_clear(s);
    s7p_arena_release(&s->credit_arena);
    s7p_sub_alarms_free(s);
    s7p_free(s->tags);
    s7p_free(s->numbers);
    s7p_free(s->slot_of);
    s7p_free(s);
}

void s7p_sub_notification_free(s7p_sub_notification *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->count; i++) s7p_tag_value_clear(&n->values[i].value);
    for (size_t i = 0; i < n->alarm_count; i++) s7p_alarm_clear(&n->alarms[i]);
    s7p_free(n->values);
    s7p_free(n->alarms);
    s7p_free(n->gone_ids);
    s7p_free(n);
}

s7p_sub_notification *s7p_sub_event_new(s7p_sub_event ev)
{
    s7p_sub_notification *n = s7p_calloc(1, sizeof *n);
    if (n) n->event = ev;
    return n;
}

/* The pull queue keeps the newest queue_size notifications: a full queue drops its oldest
 * and the next one taken says how many went. */
static void queue_push(s7p_subscription *s, s7p_sub_notification *n)
{
    if (!s->q) {
        s->q_cap = s->opt.queue_size < 64 ? s->opt.queue_size : 64;
        s->q = s7p_calloc(s->q_cap, sizeof *s->q);
        if (!s->q) {
            s->q_cap = 0;
            s->dropped++;
            s7p_sub_notification_free(n);
            return;
        }
    }
    if (s->q_n == s->q_cap && s->q_cap < s->opt.queue_size) {
        size_t cap = s->q_cap * 2 < s->opt.queue_size ? s->q_cap * 2 : s->opt.queue_size;
        s7p_sub_notification **q = s7p_calloc(cap, sizeof *q);
        if (q) {
            for (size_t i = 0; i < s->q_n; i++) q[i] = s->q[(s->q_head + i) % s->q_cap];
            s7p_free(s->q);
            s->q = q;
            s->q_head = 0;
            s->q_cap = cap;
        }
    }
    if (s->q_n == s->q_cap) {
        s7p_sub_notification_free(s->q[s->q_head]);
        s->q_head = (s->q_head + 1) % s->q_cap;
        s->q_n--;
        s->dropped++;
    }
    s->q[(s->q_head + s->q_n) % s->q_cap] = n;
    s->q_n++;
}

void s7p_sub_emit(s7p_subscription *s, s7p_sub_notification *n)
{
    s7p_client *c = s->c;
    if (!n) {
        s->dropped++;  /* out of memory: counted like an overflow */
        return;
    }
    if (!s->fn) {
        queue_push(s, n);
        pthread_cond_broadcast(&c->wake);  /* a waiter in s7p_subscription_next() */
        return;
    }
    n->dropped = s->dropped;
    s->dropped = 0;
    s7p_event e = {.kind = EV_SUB, .sub = s, .notif = n};
    s7p_sub_ref(s);
    size_t before = c->events_n;
    s7p_client_queue(c, &e);
    if (c->events_n == before) {  /* not queued (out of memory) */
        s7p_sub_notification_free(n);
        s7p_sub_unref(s);
        s->dropped++;
    }
}

void s7p_subs_deliver(s7p_client *c, const s7p_event *e)
{
    s7p_subscription *s = e->sub;
    /* Unsubscribed meanwhile: its events are dropped, so none starts after it returned. */
    if (s->state != SUB_CLOSED && s->fn) {
        pthread_mutex_unlock(&c->lock);
        s->fn(s->ctx, s, e->notif);
        pthread_mutex_lock(&c->lock);
    }
    s7p_sub_notification_free(e->notif);
    s7p_sub_unref(s);
}

void s7p_sub_fault(s7p_subscription *s, const char *op, const s7p_fail *f)
{
    if (s->state == SUB_FAULTED || s->state == SUB_CLOSED) return;
    s->state = SUB_FAULTED;
    s->object_id = 0;
    s7p_error_fill(&s->fault, op, s->c->endpoint, f);
    s7p_logf(&s->c->log, S7P_LOG_WARN, LAYER, "%s", s->fault.message);
    s7p_sub_notification *n = s7p_sub_event_new(S7P_SUB_FAULTED);
    if (n) n->error = s->fault;
    s7p_sub_emit(s, n);
}

void s7p_sub_activated(s7p_subscription *s, uint32_t object_id)
{
    s7p_client *c = s->c;
    bool was_lost = s->state == SUB_LOST;
    int64_t now = s7p_now_ms();
    s->state = SUB_ACTIVE;
    s->object_id = object_id;
    s->session = c->sessions;
    s->change_counter = 1;
    s->credit_limit = s->opt.credit_limit;
    s->have_seq = false;
    s->timeouts = 0;
    s->timeout_at = now + (int64_t)s->opt.notification_timeout_ms;
    if (s->alarms) s7p_sub_alarms_activated(s, was_lost);
    if (!was_lost) return;
    s7p_sub_notification *n = s7p_sub_event_new(S7P_SUB_RECREATED);
    int64_t gap = now - s->lost_at;
    if (n) n->gap_ms = gap < 0 ? 0 : gap > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
    s7p_logf(&c->log, S7P_LOG_INFO, LAYER, "%s: subscription re-created as 0x%08x after %lld ms",
             c->endpoint, object_id, (long long)gap);
    s7p_sub_emit(s, n);
}

/* ---- credits ---- */

static void credit_sent(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                        const s7p_fail *f)
{
    (void)id;
    (void)resp;
    s7p_subscription *s = ctx;
    if (st != S7P_OK && st != S7P_E_CANCELLED)
        s7p_logf(&s->c->log, S7P_LOG_DEBUG, LAYER, "credit write: %s", f ? f->msg : "");
    s->credit_id = 0;
    s7p_arena_release(&s->credit_arena);
    s7p_sub_unref(s);
}

/* The credit granted at a time: the options' step, and for a fast cycle as many
 * notifications as fit in CREDIT_AHEAD_MS (at most 127: with two steps in hand the one-byte
 * tick must still tell ahead from behind), so a client thread that is late for a moment (a
 * busy machine, a long callback) never stalls the PLC: at a 10 ms cycle a step of 5 left
 * the PLC 50 ms. */
static uint8_t credit_step(const s7p_subscription *s)
{
    uint32_t cycles = (CREDIT_AHEAD_MS + s->opt.cycle_ms - 1) / s->opt.cycle_ms;
    if (cycles > CREDIT_STEP_MAX) cycles = CREDIT_STEP_MAX;
    return cycles > s->opt.credit_step ? (uint8_t)cycles : s->opt.credit_step;
}

/* Grants more credit before the PLC runs out (spec §1.4): one write at a time, sent
 * without waiting for an answer. */
static void keep_credit(s7p_subscription *s, uint8_t tick)
{
    s7p_client *c = s->c;
    int16_t next;
    if (s->credit_id || !s7p_sub_next_credit(s->credit_limit, tick, credit_step(s), &next))
        return;
    s7p_pdu req;
    if (!s7p_sub_credit_request(&c->session.eng, &req, s->object_id, next, &s->credit_arena)) {
        s7p_arena_release(&s->credit_arena);
        return;
    }
    s7p_engine_request r = {&req, s7p_deadline_in(c->opt.request_timeout_ms), NULL, false,
                            credit_sent, s};
    s7p_sub_ref(s);
    if (s7p_engine_submit(&c->session.eng, &r, s7p_now_ms(), &s->credit_id) != S7P_OK) {
        s7p_arena_release(&s->credit_arena);
        s->credit_id = 0;
        s7p_sub_unref(s);
        return;
    }
    /* A write sent at once completed inside submit (credit_sent ran): credit_id is 0. */
    s->credit_limit = next;
}

/* ---- notifications ---- */

static bool is_value(uint8_t code)
{
    return code == S7P_NI_VALUE || code == S7P_NI_VALUE_REF32;
}

static bool is_item_error(uint8_t code)
{
    return code == S7P_NI_ERROR_1500 || code == S7P_NI_ERROR_1200;
}

/* The slot of a wire reference (number + 1); S7P_SUB_NO_SLOT for one not subscribed. */
static uint32_t slot_of_ref(const s7p_subscription *s, uint32_t ref)
{
    if (ref == 0 || ref - 1 >= s->next_number) return S7P_SUB_NO_SLOT;
    return s->slot_of[ref - 1];
}

/* One item into v through the values layer: the value, or the item's error. */
static void take_item(const s7p_subscription *s, const s7p_notif_item *it, uint32_t slot,
                      s7p_sub_value *v)
{
    v->tag = s->numbers[slot];
    v->plc_item_code = it->code;
    if (is_item_error(it->code)) {
        v->status = S7P_E_PLC;
        return;
    }
    char why[160];
    v->status = s7p_convert_read(&s->tags[slot], &it->value, &v->value, why, sizeof why);
    if (v->status != S7P_OK)
        s7p_logf(&s->c->log, S7P_LOG_DEBUG, LAYER, "notification item %u: %s", v->tag, why);
}

/* Sequence numbers lost before seq (the short header of old S7-1200 counts in one byte). */
static uint32_t missed_before(s7p_subscription *s, const s7p_notification *n)
{
    uint32_t mask = n->object_id < S7P_SUB_MODERN_ID ? 0xFFu : UINT32_MAX;
    uint32_t missed = s->have_seq ? ((n->seq - s->last_seq - 1u) & mask) : 0;
    s->have_seq = true;
    s->last_seq = n->seq;
    return missed;
}

s7p_sub_notification *s7p_sub_notification_build(s7p_subscription *s, const s7p_notification *n)
{
    s7p_sub_notification *out = s7p_sub_event_new(S7P_SUB_DATA);
    size_t cap = 0;
    for (const s7p_notif_item *it = n->items.first; it; it = it->next)
        if (is_value(it->code) || is_item_error(it->code)) cap++;
    if (!out || (cap && !(out->values = s7p_calloc(cap, sizeof *out->values)))) {
        s7p_free(out);
        return NULL;
    }
    for (const s7p_notif_item *it = n->items.first; it; it = it->next) {
        uint32_t slot = slot_of_ref(s, it->ref);
        if ((!is_value(it->code) && !is_item_error(it->code)) || slot == S7P_SUB_NO_SLOT) continue;
        take_item(s, it, slot, &out->values[out->count++]);
    }
    s7p_sub_fill_header(s, n, out);
    return out;
}

void s7p_sub_fill_header(s7p_subscription *s, const s7p_notification *n, s7p_sub_notification *out)
{
    out->sequence = n->seq;
    out->missed = missed_before(s, n);
    out->has_timestamp = n->has_timestamp;
    if (n->has_timestamp) out->timestamp_ns = (int64_t)(n->timestamp_us * 1000u);
}

static s7p_subscription *find_active(const s7p_client *c, uint32_t object_id)
{
    for (s7p_subscription *s = c->subs; s; s = s->next)
        if (s->state == SUB_ACTIVE && s->object_id == object_id && s->session == c->sessions)
            return s;
    return NULL;
}

/* By the header's object id, else (alarm notifications) by part 2's, as the reference
 * driver routes them (services spec §2.3). */
static s7p_subscription *route(const s7p_client *c, const s7p_notification *n)
{
    s7p_subscription *s = find_active(c, n->object_id);
    if (!s && n->has_part2 && n->object_id2 != n->object_id) s = find_active(c, n->object_id2);
    return s;
}

void s7p_subs_on_notify(void *ctx, const s7p_pdu *pdu)
{
    s7p_client *c = ctx;
    const s7p_notification *n = &pdu->notif;
    s7p_subscription *s = route(c, n);
    if (!s) {
        /* Nobody's (a deleted subscription's last ones): as the engine does without a
         * handler. */
        s7p_logf(&c->log, S7P_LOG_DEBUG, LAYER, "notification for object 0x%08x dropped",
                 n->object_id);
        return;
    }
    s->timeouts = 0;
    s->timeout_at = s7p_now_ms() + (int64_t)s->opt.notification_timeout_ms;
    if (n->unknown2 != 0x0400) return;  /* a layout without values: alive, nothing to say */
    s7p_sub_notification *out = s->alarms ? s7p_sub_alarms_build(s, n)
                                          : s7p_sub_notification_build(s, n);
    if (out && out->missed)
        s7p_logf(&c->log, S7P_LOG_WARN, LAYER, "%s: subscription 0x%08x: %u notifications lost "
                 "before sequence %u", c->endpoint, n->object_id, out->missed, n->seq);
    if (s->alarms) s7p_sub_alarms_take(s, out);
    else s7p_sub_emit(s, out);
    if (n->object_id >= S7P_SUB_MODERN_ID) keep_credit(s, n->credit_tick);
}

/* ---- timers ---- */

void s7p_sub_check_timeout(s7p_subscription *s, int64_t now)
{
    if (s->state != SUB_ACTIVE || now < s->timeout_at) return;
    s->timeouts++;
    s->timeout_at = now + (int64_t)s->opt.notification_timeout_ms;
    s7p_logf(&s->c->log, S7P_LOG_DEBUG, LAYER, "subscription 0x%08x: no notification for %u ms "
             "(%u in a row)", s->object_id, s->opt.notification_timeout_ms, s->timeouts);
    if (s->opt.max_consecutive_timeouts == 0 || s->timeouts < s->opt.max_consecutive_timeouts)
        return;
    s7p_fail f = {0};
    s7p_fail_set(&f, S7P_E_TIMEOUT, "no notification in %u consecutive waits of %u ms",
                 s->timeouts, s->opt.notification_timeout_ms);
    s7p_sub_fault(s, "subscription", &f);
}

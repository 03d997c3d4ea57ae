/* SPDX-License-Identifier: MIT */
/* Alarm subscriptions (docs/protocol.md §11.7, §11.8): the same subscription handle as tag
 * subscriptions (create, credits, timeouts, loss and re-creation, delivery, unsubscribe are
 * theirs), with alarm records instead of tag values, and the snapshot merge.
 *
 * Snapshot merge: while a snapshot of the active alarms is read (s7p_subscribe_alarms_with_
 * snapshot on a second connection, or the resync after a re-creation on the session itself),
 * notifications are held back. The snapshot then becomes the subscription's "floor": a
 * record whose alarm the floor holds with the same or a newer DAI sequence counter is
 * dropped (the snapshot already says it), held or arriving later (a notification the PLC
 * sent before the snapshot may still be on its way on the subscription's connection); the
 * first newer record of an alarm passes and takes that alarm off the floor, so a PLC that
 * started an alarm's counter again would lose nothing after it. The subscription also
 * remembers which alarms it reported active (id and sequence counter), so that a resync
 * reports exactly what changed while the session was lost. */
#include <string.h>

#include "client/sub_int.h"
#include "util/alloc.h"

#define LAYER "client"
#define KNOWN_MAX 65536u           /* alarms remembered as active (a PLC has a few hundred) */

static uint32_t display_lcid(const s7p_subscription *s) { return s->n_lcids ? s->lcids[0] : 0; }

/* ---- records ---- */

s7p_sub_notification *s7p_sub_alarms_build(s7p_subscription *s, const s7p_notification *n)
{
    s7p_sub_notification *out = s7p_sub_event_new(S7P_SUB_DATA);
    size_t cap = 0;
    for (const s7p_notif_item *it = n->items2.first; it; it = it->next)
        if (it->code == S7P_NI_OBJECT) cap++;
    if (!out || (cap && !(out->alarms = s7p_calloc(cap, sizeof *out->alarms)))) {
        s7p_free(out);
        return NULL;
    }
    for (const s7p_notif_item *it = n->items2.first; it; it = it->next) {
        if (it->code != S7P_NI_OBJECT) continue;
        s7p_fail f = {0};
        s7p_status st = s7p_alarm_from_object(it->object, display_lcid(s),
                                              &out->alarms[out->alarm_count], &f);
        if (st == S7P_OK) out->alarm_count++;
        else if (st != S7P_E_NOT_FOUND)  /* a DAI without a state change is no alarm */
            s7p_logf(&s->c->log, S7P_LOG_WARN, LAYER, "%s: alarm notification: %s",
                     s->c->endpoint, f.msg);
    }
    s7p_sub_fill_header(s, n, out);
    return out;
}

/* ---- the alarms reported active ---- */

static s7p_sub_known *known_find(const s7p_subscription *s, uint64_t id)
{
    for (size_t i = 0; i < s->n_known; i++)
        if (s->known[i].id == id) return &s->known[i];
    return NULL;
}

/* A record was reported: its alarm is active in that state, unless it went and needs
 * nothing more (acknowledged; an alarm that needs no acknowledgement stays until the next
 * snapshot shows it gone: the AllStatesInfo bits that would tell are not documented). */
static void known_note(s7p_subscription *s, const s7p_alarm *a)
{
    s7p_sub_known *k = known_find(s, a->id);
    if (a->state == S7P_ALARM_GOING && a->acknowledged) {
        if (k) *k = s->known[--s->n_known];
        return;
    }
    if (k) {
        k->seq = a->sequence_counter;
        return;
    }
    if (s->n_known == s->cap_known) {
        size_t cap = s->cap_known ? s->cap_known * 2 : 16;
        s7p_sub_known *grown = cap <= KNOWN_MAX ? s7p_realloc(s->known, cap * sizeof *grown) : NULL;
        if (!grown) return;  /* not remembered: a resync reports it once more */
        s->known = grown;
        s->cap_known = cap;
    }
    s->known[s->n_known++] = (s7p_sub_known){a->id, a->sequence_counter};
}

static void known_from(s7p_subscription *s, const s7p_alarm_list *l)
{
    s->n_known = 0;
    for (size_t i = 0; i < l->count; i++) known_note(s, &l->items[i]);
}

/* ---- the floor: what the last snapshot said ---- */

static void floor_from(s7p_subscription *s, const s7p_alarm_list *l)
{
    s7p_free(s->floor);
    s->n_floor = 0;
    s->floor = l->count ? s7p_calloc(l->count, sizeof *s->floor) : NULL;
    for (size_t i = 0; s->floor && i < l->count; i++)
        s->floor[s->n_floor++] = (s7p_sub_known){l->items[i].id, l->items[i].sequence_counter};
}

/* Whether record a says no more than the snapshot did: its alarm is on the floor with the
 * same or a newer sequence counter (compared modulo 2^32). A newer record takes the alarm
 * off the floor. */
static bool below_floor(s7p_subscription *s, const s7p_alarm *a)
{
    for (size_t i = 0; i < s->n_floor; i++) {
        if (s->floor[i].id != a->id) continue;
        if ((int32_t)(a->sequence_counter - s->floor[i].seq) <= 0) return true;
        s->floor[i] = s->floor[--s->n_floor];
        return false;
    }
    return false;
}

/* Drops the records below the floor; false when the notification had records and none is
 * left (it says nothing new). */
static bool above_floor(s7p_subscription *s, s7p_sub_notification *n)
{
    size_t k = 0, had = n->alarm_count;
    for (size_t i = 0; i < n->alarm_count; i++) {
        if (below_floor(s, &n->alarms[i])) s7p_alarm_clear(&n->alarms[i]);
        else n->alarms[k++] = n->alarms[i];
    }
    n->alarm_count = k;
    if (k < had)
        s7p_logf(&s->c->log, S7P_LOG_DEBUG, LAYER, "alarm subscription: %zu records older than "
                 "the snapshot dropped", had - k);
    return k > 0 || had == 0;
}

static void emit_noted(s7p_subscription *s, s7p_sub_notification *n)
{
    if (n && n->event == S7P_SUB_DATA && s->n_floor && !above_floor(s, n)) {
        s7p_sub_notification_free(n);
        return;
    }
    for (size_t i = 0; n && i < n->alarm_count; i++) known_note(s, &n->alarms[i]);
    s7p_sub_emit(s, n);
}

/* ---- holding back and merging ---- */

static void hold(s7p_subscription *s, s7p_sub_notification *n)
{
    if (s->n_held == s->cap_held) {
        /* At most queue_size held (a queue of fewer than 16 gets exactly that room). */
        size_t cap = s->cap_held ? s->cap_held * 2 : 16;
        if (cap > s->opt.queue_size) cap = s->opt.queue_size;
        s7p_sub_notification **grown =
            cap > s->cap_held ? s7p_realloc(s->held, cap * sizeof *grown) : NULL;
        if (!grown && s->n_held == 0) {
            /* Out of memory with nothing held: this one goes. */
            s7p_sub_notification_free(n);
            s->dropped++;
            return;
        }
        if (!grown) {
            /* As a full pull queue: the oldest goes, the next one delivered says so. */
            s7p_sub_notification_free(s->held[0]);
            memmove(s->held, s->held + 1, (s->n_held - 1) * sizeof *s->held);
            s->n_held--;
            s->dropped++;
        } else {
            s->held = grown;
            s->cap_held = cap;
        }
    }
    s->held[s->n_held++] = n;
}

void s7p_sub_alarms_take(s7p_subscription *s, s7p_sub_notification *n)
{
    if (n && s->holding) hold(s, n);
    else emit_noted(s, n);
}

/* Ends holding: the snapshot (if any) becomes the floor, the held notifications go out
 * through it. */
static void release_held(s7p_subscription *s, const s7p_alarm_list *snap)
{
    s->holding = false;
    if (snap) floor_from(s, snap);
    for (size_t i = 0; i < s->n_held; i++) emit_noted(s, s->held[i]);
    s7p_free(s->held);
    s->held = NULL;
    s->n_held = s->cap_held = 0;
}

/* ---- resync after a re-creation ---- */

void s7p_sub_alarms_activated(s7p_subscription *s, bool was_lost)
{
    if (!was_lost) return;
    s->resync_due = true;
    s->holding = true;
}

/* Moves record src into dst, leaving src with its id, state and counter but nothing owned. */
static void move_alarm(s7p_alarm *dst, s7p_alarm *src)
{
    *dst = *src;
    src->name = src->text = src->info_text = NULL;
    memset(src->additional_texts, 0, sizeof src->additional_texts);
    memset(src->values, 0, sizeof src->values);
}

static bool in_list(const s7p_alarm_list *l, uint64_t id)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].id == id) return true;
    return false;
}

/* The differences between what was reported active and the fresh snapshot l (records of new
 * or changed alarms are moved out of l). NULL when out of memory. */
static s7p_sub_notification *resync_report(s7p_subscription *s, s7p_alarm_list *l)
{
    s7p_sub_notification *n = s7p_sub_event_new(S7P_SUB_RESYNC);
    if (!n) return NULL;
    n->alarms = l->count ? s7p_calloc(l->count, sizeof *n->alarms) : NULL;
    n->gone_ids = s->n_known ? s7p_calloc(s->n_known, sizeof *n->gone_ids) : NULL;
    if ((l->count && !n->alarms) || (s->n_known && !n->gone_ids)) {
        s7p_sub_notification_free(n);
        return NULL;
    }
    for (size_t i = 0; i < l->count; i++) {
        const s7p_sub_known *k = known_find(s, l->items[i].id);
        if (!k || k->seq != l->items[i].sequence_counter)
            move_alarm(&n->alarms[n->alarm_count++], &l->items[i]);
    }
    for (size_t i = 0; i < s->n_known; i++)
        if (!in_list(l, s->known[i].id)) n->gone_ids[n->gone_count++] = s->known[i].id;
    return n;
}

static void resync_done(s7p_client *c, s7p_req *r)
{
    s7p_subscription *s = r->subscription;
    r->subscription = NULL;
    s->resync_pending = false;
    s7p_alarm_list *l = s->resync_list;
    s->resync_list = NULL;
    bool live = s->state != SUB_CLOSED && s->state != SUB_FAULTED;
    if (live && r->st == S7P_OK && l) {
        s7p_sub_notification *n = resync_report(s, l);
        known_from(s, l);
        if (n)
            s7p_logf(&c->log, S7P_LOG_INFO, LAYER, "%s: alarm subscription re-synchronised: "
                     "%zu alarms new or changed, %zu gone", c->endpoint, n->alarm_count,
                     n->gone_count);
        s7p_sub_emit(s, n);
        if (!s->resync_due) release_held(s, l);
    } else if (live && !s->resync_due) {
        /* The session went again (a new resync follows the next re-creation), or the PLC
         * refused: what was held goes out as it is. */
        s7p_logf(&c->log, S7P_LOG_WARN, LAYER, "%s: alarm resync failed: %s", c->endpoint,
                 r->f.msg);
        release_held(s, NULL);
    }
    s7p_alarm_list_free(l);
    s7p_sub_unref(s);
}

bool s7p_sub_alarms_settle(s7p_client *c, s7p_subscription *s)
{
    if (!s->resync_due || s->resync_pending || s->state != SUB_ACTIVE) return false;
    s7p_req *r = s7p_req_new(c, RQ_ALARMS, "alarm resync", S7P_OP_NEEDS_SESSION);
    if (!r) return false;  /* tried again at the next settle */
    r->internal = true;
    r->alarm_lcid = display_lcid(s);
    r->alarms_out = &s->resync_list;
    r->subscription = s;
    r->on_finish = resync_done;
    s7p_sub_ref(s);
    s->resync_due = false;
    s->resync_pending = true;
    s->holding = true;
    s7p_req_enqueue(c, r);
    return true;
}

void s7p_sub_alarms_free(s7p_subscription *s)
{
    for (size_t i = 0; i < s->n_held; i++) s7p_sub_notification_free(s->held[i]);
    s7p_free(s->held);
    s->held = NULL;
    s->n_held = s->cap_held = 0;
    s7p_free(s->known);
    s->known = NULL;
    s->n_known = s->cap_known = 0;
    s7p_free(s->floor);
    s->floor = NULL;
    s->n_floor = 0;
    s7p_alarm_list_free(s->resync_list);
    s->resync_list = NULL;
}

/* ---- public calls ---- */

static const char *check_lcids(const uint32_t *lcids, size_t n)
{
    if (n && !lcids) return "languages without an array";
    if (n > S7P_ALARM_MAX_LANGUAGES) return "at most 16 languages";
    for (size_t i = 0; i < n; i++)
        if (lcids[i] == 0 || lcids[i] > 0xFFFFu) return "a language id must be 1..65535";
    return NULL;
}

/* Makes the alarm subscription and its create request (holding back notifications from the
 * start when `holding`). */
static s7p_status start_alarms(s7p_client *c, const uint32_t *lcids, size_t n,
                               const s7p_subscription_options *o, s7p_sub_fn fn, void *ctx,
                               bool holding, s7p_subscription **sub, s7p_req **req,
                               s7p_error *err)
{
    s7p_subscription_options opt;
    const char *why = !c ? "no client" : check_lcids(lcids, n);
    if (!why) why = s7p_sub_take_options(o, &opt);
    if (why) return s7p_sub_arg_fail(c, "subscribe alarms", why, err);
    s7p_subscription *s = s7p_sub_alloc(c, &opt, fn, ctx);
    if (!s) return S7P_E_NOMEM;
    s->alarms = true;
    s->holding = holding;
    if (n) memcpy(s->lcids, lcids, n * sizeof *lcids);
    s->n_lcids = n;
    if (!s7p_sub_register(c, s, req)) return S7P_E_NOMEM;
    *sub = s;
    return S7P_OK;
}

s7p_status s7p_subscribe_alarms(s7p_client *c, const uint32_t *lcids, size_t n_lcids,
                                const s7p_subscription_options *o, s7p_sub_fn fn, void *ctx,
                                s7p_subscription **out, s7p_error *err)
{
    if (!out) return s7p_sub_arg_fail(c, "subscribe alarms", "no output pointer", err);
    *out = NULL;
    s7p_subscription *s = NULL;  /* -O3 cannot see that run_create sets it */
    s7p_req *r;
    s7p_status st = start_alarms(c, lcids, n_lcids, o, fn, ctx, false, &s, &r, err);
    if (st == S7P_OK) st = s7p_sub_run_create(c, s, r, err);
    if (st == S7P_OK) *out = s;
    return st;
}

s7p_status s7p_subscribe_alarms_async(s7p_client *c, const uint32_t *lcids, size_t n_lcids,
                                      const s7p_subscription_options *o, s7p_sub_fn fn,
                                      void *ctx, s7p_subscription **out, s7p_done_fn done,
                                      void *done_ctx, s7p_request_id *id)
{
    if (!out || !done) return S7P_E_INVALID_ARG;
    *out = NULL;
    s7p_subscription *s = NULL;
    s7p_req *r;
    s7p_status st = start_alarms(c, lcids, n_lcids, o, fn, ctx, false, &s, &r, NULL);
    if (st != S7P_OK) return st;
    r->done_fn = done;
    r->done_ctx = done_ctx;
    *out = s;
    return s7p_req_start(c, r, id);
}

/* A second connection with c's options (its credentials and legacy keys included), without
 * c's callbacks, reconnects or threads. */
static s7p_status temp_client(s7p_client *c, s7p_client **out, s7p_error *err)
{
    s7p_client *t = NULL;
    pthread_mutex_lock(&c->lock);
    s7p_client_options o = c->opt;
    o.password = c->password;
    o.username = c->username;
    o.on_state = NULL;
    o.on_comm_error = NULL;
    o.auto_reconnect = false;
    o.io_thread = false;
    o.heartbeat_s = 0;
    s7p_status st = s7p_client_new(&t, &o, err);
    if (st == S7P_OK && c->legacy.nextra) {
        t->legacy_keys = s7p_calloc(c->legacy.nextra, sizeof *t->legacy_keys);
        if (t->legacy_keys)
            memcpy(t->legacy_keys, c->legacy_keys, c->legacy.nextra * sizeof *t->legacy_keys);
    }
    if (st == S7P_OK) {
        t->legacy = c->legacy;
        t->legacy.extra = t->legacy_keys;
        t->legacy.nextra = t->legacy_keys ? c->legacy.nextra : 0;
    }
    pthread_mutex_unlock(&c->lock);
    if (st == S7P_OK) st = s7p_connect(t, err);
    if (st != S7P_OK) {
        s7p_client_free(t);
        return st;
    }
    *out = t;
    return S7P_OK;
}

/* The snapshot on snap, or on a temporary connection. */
static s7p_status read_snapshot(s7p_client *c, s7p_client *snap, uint32_t lcid,
                                s7p_alarm_list **l, s7p_error *err)
{
    s7p_client *tmp = NULL;
    s7p_status st = snap ? S7P_OK : temp_client(c, &tmp, err);
    if (st == S7P_OK) st = s7p_get_active_alarms(snap ? snap : tmp, lcid, l, err);
    if (tmp) {
        (void)s7p_disconnect(tmp, NULL);
        s7p_client_free(tmp);
    }
    return st;
}

s7p_status s7p_subscribe_alarms_with_snapshot(s7p_client *c, s7p_client *snapshot_client,
                                              const uint32_t *lcids, size_t n_lcids,
                                              const s7p_subscription_options *o, s7p_sub_fn fn,
                                              void *ctx, s7p_alarm_list **snapshot,
                                              s7p_subscription **out, s7p_error *err)
{
    if (!out || !snapshot)
        return s7p_sub_arg_fail(c, "subscribe alarms", "no output pointer", err);
    *out = NULL;
    *snapshot = NULL;
    if (snapshot_client && snapshot_client == c)
        return s7p_sub_arg_fail(c, "subscribe alarms",
                                "the snapshot needs a second connection, not the same client", err);
    s7p_subscription *s = NULL;
    s7p_req *r;
    /* The subscription first: every change from now on is seen, held back meanwhile. */
    s7p_status st = start_alarms(c, lcids, n_lcids, o, fn, ctx, true, &s, &r, err);
    if (st == S7P_OK) st = s7p_sub_run_create(c, s, r, err);
    if (st != S7P_OK) return st;
    s7p_alarm_list *l = NULL;
    st = read_snapshot(c, snapshot_client, display_lcid(s), &l, err);
    if (st != S7P_OK) {
        (void)s7p_unsubscribe(s, NULL);
        return st;
    }
    s7p_client_enter(c);
    pthread_mutex_lock(&c->lock);
    if (s->holding && !s->resync_pending && !s->resync_due) {
        known_from(s, l);
        release_held(s, l);
    }
    s7p_client_deliver(c);
    s7p_client_leave_locked(c);
    pthread_mutex_unlock(&c->lock);
    *snapshot = l;
    *out = s;
    return S7P_OK;
}

/* SPDX-License-Identifier: MIT */
/* Tag subscriptions of a session (services spec §1; docs/protocol.md §12): created under the
 * session's container (SessionId2), notified at their cycle time on the session's own
 * connection, flow-controlled by the credit limit, modified through their attributes,
 * deleted by DeleteObject or with the session.
 *
 * Everything here runs on the connection's thread, so the list needs no lock; only the
 * simulator-wide count of subscriptions (s->subs_active, the PLC's limit) is shared. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "faults.h"
#include "plc_data.h"
#include "proto/subscription.h"
#include "sim_int.h"
#include "util/clock.h"

#define SUB_FIRST_ID 0x70000100u  /* object ids >= 0x70000000: the modern header */

typedef struct sub_item {
    uint32_t ref;
    s7p_item_address addr;        /* lids owned */
    bool sent;                    /* reported at least once */
    int16_t last_err;             /* what was reported last: an error code, or 0 and... */
    uint8_t *last;                /* ...the encoded value */
    size_t last_len;
} sub_item;

struct sim_sub {
    uint32_t id;
    uint8_t route_mode, change_counter, tick;
    int16_t credit_limit;
    uint32_t cycle_ms, seq;
    int64_t next_due;             /* monotonic ms */
    sub_item *items;
    size_t n, cap;
    struct sim_sub *next;
};

uint64_t sim_now_utc_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void sim_notification_init(s7p_pdu *p, uint32_t object_id, uint8_t tick, uint32_t seq,
                           uint64_t timestamp_us, uint8_t change_counter)
{
    memset(p, 0, sizeof *p);
    p->version = S7P_PROTO_V2;
    p->opcode = S7P_OP_NOTIFICATION;
    p->notif.object_id = object_id;
    p->notif.unknown2 = 0x0400;   /* the only layout that is decoded further */
    p->notif.credit_tick = tick;
    p->notif.seq = seq;
    p->notif.has_timestamp = true;
    p->notif.timestamp_us = timestamp_us;
    p->notif.change_counter = change_counter;
    p->fill_len = 4;
}

bool sim_notification_send(sim_conn *c, s7p_pdu *p, s7p_arena *a)
{
    sim_legacy_sign_answer(c, p);
    if (sim_fault_on_notification(c, p, a)) {
        atomic_fetch_add(&c->sim->notifications, 1ul);
        return true;
    }
    s7p_status st = s7p_channel_send(&c->ch, p, s7p_deadline_in(SIM_SEND_MS));
    if (st != S7P_OK) {
        sim_log(c->sim, 1, "conn %lu: notification: %s", c->id, s7p_strerror(st));
        return false;
    }
    atomic_fetch_add(&c->sim->notifications, 1ul);
    sim_log(c->sim, 2, "conn %lu:   <- notification 0x%08x seq %u, %u items", c->id,
            (unsigned)p->notif.object_id, (unsigned)p->notif.seq, (unsigned)p->notif.items.n);
    return true;
}

/* ---- slots, lookup, freeing ---- */

static bool slot_acquire(s7p_sim *s)
{
    unsigned cur = atomic_load(&s->subs_active);
    do {
        if (cur >= s->cfg.max_subscriptions) return false;
    } while (!atomic_compare_exchange_weak(&s->subs_active, &cur, cur + 1));
    return true;
}

static void item_clear(sub_item *it)
{
    free(it->addr.lids);
    free(it->last);
    memset(it, 0, sizeof *it);
}

static void sub_free(s7p_sim *s, struct sim_sub *sub)
{
    for (size_t i = 0; i < sub->n; i++) item_clear(&sub->items[i]);
    free(sub->items);
    free(sub);
    atomic_fetch_sub(&s->subs_active, 1u);
}

static struct sim_sub *find(const sim_conn *c, uint32_t id)
{
    for (struct sim_sub *sub = c->subs; sub; sub = sub->next)
        if (sub->id == id) return sub;
    return NULL;
}

bool sim_subs_owns(const sim_conn *c, uint32_t object_id)
{
    return find(c, object_id) != NULL || sim_asubs_owns(c, object_id);
}

bool sim_subs_delete(sim_conn *c, uint32_t object_id)
{
    if (sim_asubs_delete(c, object_id)) {
        atomic_fetch_sub(&c->sim->subs_active, 1u);
        return true;
    }
    for (struct sim_sub **pp = &c->subs; *pp; pp = &(*pp)->next) {
        if ((*pp)->id != object_id) continue;
        struct sim_sub *sub = *pp;
        *pp = sub->next;
        sim_log(c->sim, 1, "conn %lu: subscription 0x%08x deleted", c->id, (unsigned)object_id);
        sub_free(c->sim, sub);
        return true;
    }
    return false;
}

void sim_subs_free_all(sim_conn *c)
{
    atomic_fetch_sub(&c->sim->subs_active, sim_asubs_free_conn(c));
    while (c->subs) {
        struct sim_sub *sub = c->subs;
        c->subs = sub->next;
        sub_free(c->sim, sub);
    }
}

/* ---- items ---- */

static bool add_item(struct sim_sub *sub, const s7p_sub_item *in)
{
    sub_item *it = NULL;
    for (size_t i = 0; i < sub->n && !it; i++)
        if (sub->items[i].ref == in->ref) it = &sub->items[i];  /* the same ref: replaced */
    if (!it) {
        if (sub->n == sub->cap) {
            size_t cap = sub->cap ? sub->cap * 2 : 8;
            sub_item *v = realloc(sub->items, cap * sizeof *v);
            if (!v) return false;
            sub->items = v;
            sub->cap = cap;
        }
        it = &sub->items[sub->n++];
        memset(it, 0, sizeof *it);
    }
    uint32_t *lids = in->n_lids ? malloc(in->n_lids * sizeof *lids) : NULL;
    if (in->n_lids && !lids) return false;
    if (in->n_lids) memcpy(lids, in->lids, in->n_lids * sizeof *lids);
    item_clear(it);
    it->ref = in->ref;
    it->addr.area = in->area;
    it->addr.symbol_crc = in->crc;
    it->addr.sub_area = in->sub_area;
    it->addr.nlids = (uint32_t)in->n_lids;
    it->addr.lids = lids;
    return true;
}

static void remove_item(struct sim_sub *sub, uint32_t ref)
{
    for (size_t i = 0; i < sub->n; i++) {
        if (sub->items[i].ref != ref) continue;
        item_clear(&sub->items[i]);
        memmove(&sub->items[i], &sub->items[i + 1], (sub->n - i - 1) * sizeof *sub->items);
        sub->n--;
        return;
    }
}

/* Credit limits: -1 (any negative) unlimited, 0 nothing, 1..255 (the tick is one byte). */
static bool credit_ok(int64_t limit) { return limit <= 255; }

/* ---- create ---- */

static int16_t check_params(const sim_conn *c, const s7p_req_create_object *b,
                            s7p_arena *a, s7p_sub_params *sp)
{
    if (b->request_id != c->session2) return SIM_E_INVALID_OBJECT;
    if (b->objects.n != 1 || s7p_sub_object_parse(b->objects.items[0], a, sp) != S7P_OK)
        return SIM_E_OBJECT_PARSING;
    /* Alarm subscriptions (2) go to alarm_subs.c; TIS (1) is not served. */
    if (sp->function_class == S7P_SUB_FC_ALARMS) return sp->refs.create ? 0 : SIM_E_OBJECT_PARSING;
    if (sp->function_class != S7P_SUB_FC_VARIABLES) return SIM_E_NOT_IMPLEMENTED;
    if (sp->cycle_ms == 0 || !sp->refs.create) return SIM_E_OBJECT_PARSING;
    if (!credit_ok(sp->credit_limit)) return SIM_E_INVALID_RANGE;
    return 0;
}

int16_t sim_subs_create(sim_conn *c, const s7p_req_create_object *b, s7p_arena *a,
                        uint32_t *id)
{
    s7p_sub_params sp;
    int16_t rc = check_params(c, b, a, &sp);
    if (rc != 0) return rc;
    if (!slot_acquire(c->sim)) return SIM_E_SYSTEM_LIMIT;
    if (sp.function_class == S7P_SUB_FC_ALARMS) {
        *id = SUB_FIRST_ID + (atomic_fetch_add(&c->sim->next_sub, 1u) % 0x0FFFFF00u);
        rc = sim_asubs_create(c, &sp, *id);
        if (rc != 0) atomic_fetch_sub(&c->sim->subs_active, 1u);
        return rc;
    }
    struct sim_sub *sub = calloc(1, sizeof *sub);
    bool ok = sub != NULL;
    for (size_t i = 0; ok && i < sp.refs.n_items; i++) ok = add_item(sub, &sp.refs.items[i]);
    if (!ok) {
        if (sub) sub_free(c->sim, sub);
        else atomic_fetch_sub(&c->sim->subs_active, 1u);
        return SIM_E_SYSTEM_LIMIT;
    }
    sub->id = SUB_FIRST_ID + (atomic_fetch_add(&c->sim->next_sub, 1u) % 0x0FFFFF00u);
    sub->route_mode = sp.route_mode;
    sub->change_counter = sp.refs.change_counter;
    sub->credit_limit = sp.credit_limit;
    sub->cycle_ms = sp.cycle_ms;
    sub->next_due = s7p_now_ms();  /* the first notification right after the answer */
    sub->next = c->subs;
    c->subs = sub;
    *id = sub->id;
    sim_log(c->sim, 1, "conn %lu: subscription 0x%08x: %zu items, %u ms, route 0x%02x, credit %d",
            c->id, (unsigned)sub->id, sub->n, (unsigned)sub->cycle_ms, sub->route_mode,
            (int)sub->credit_limit);
    return 0;
}

/* ---- modify ---- */

static int16_t set_refs(struct sim_sub *sub, const s7p_value *v, s7p_arena *a)
{
    s7p_sub_refs r;
    if (s7p_sub_refs_from_value(v, a, &r) != S7P_OK || r.create) return SIM_E_OBJECT_PARSING;
    for (size_t i = 0; i < r.n_unsubscribe; i++) remove_item(sub, r.unsubscribe[i]);
    for (size_t i = 0; i < r.n_items; i++)
        if (!add_item(sub, &r.items[i])) return SIM_E_SYSTEM_LIMIT;
    sub->change_counter = r.change_counter;
    return 0;
}

/* An integer scalar attribute value in [lo, hi]. */
static bool int_value(const s7p_value *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (!v || s7p_value_is_array(v) || s7p_value_is_sparse(v)) return false;
    switch (v->type) {
    case S7P_DT_SINT: case S7P_DT_INT: case S7P_DT_DINT: case S7P_DT_LINT: *out = v->v.i; break;
    case S7P_DT_USINT: case S7P_DT_UINT: case S7P_DT_UDINT: case S7P_DT_BYTE: case S7P_DT_WORD:
    case S7P_DT_DWORD:
        *out = (int64_t)v->v.u;
        break;
    default: return false;
    }
    return *out >= lo && *out <= hi;
}

int16_t sim_subs_set(sim_conn *c, uint32_t object_id, uint32_t attr, const s7p_value *v,
                     s7p_arena *a)
{
    struct sim_sub *sub = find(c, object_id);
    int64_t x;
    if (!sub && attr == S7P_ID_SUBSCRIPTION_CREDIT_LIMIT && sim_asubs_owns(c, object_id)) {
        /* An alarm subscription: its credit limit is the one attribute it takes. */
        if (!int_value(v, INT16_MIN, INT16_MAX, &x) || !credit_ok(x)) return SIM_E_INVALID_RANGE;
        return sim_asubs_set_credit(c, object_id, (int16_t)x) ? 0 : SIM_E_OBJECT_NOT_FOUND;
    }
    if (!sub) return sim_asubs_owns(c, object_id) ? SIM_E_INVALID_ADDRESS : SIM_E_OBJECT_NOT_FOUND;
    switch (attr) {
    case S7P_ID_SUBSCRIPTION_REFERENCE_LIST: return v ? set_refs(sub, v, a) : SIM_E_OBJECT_PARSING;
    case S7P_ID_SUBSCRIPTION_CREDIT_LIMIT:
        if (!int_value(v, INT16_MIN, INT16_MAX, &x) || !credit_ok(x)) return SIM_E_INVALID_RANGE;
        sub->credit_limit = (int16_t)x;
        return 0;
    case S7P_ID_SUBSCRIPTION_CYCLE_TIME:
        if (!int_value(v, 1, UINT32_MAX, &x)) return SIM_E_INVALID_RANGE;
        sub->cycle_ms = (uint32_t)x;
        sub->next_due = s7p_now_ms() + x;   /* the new cycle counts from now */
        return 0;
    case S7P_ID_SUBSCRIPTION_ROUTE_MODE:
        if (!int_value(v, 0, 255, &x)) return SIM_E_INVALID_RANGE;
        sub->route_mode = (uint8_t)x;
        return 0;
    default: return SIM_E_INVALID_ADDRESS;
    }
}

/* ---- notifications ---- */

/* Whether the credit allows another notification: limit 0 none, negative unlimited, else
 * until the one-byte tick reaches the limit (equality, so that a limit raised past a
 * wrap of the tick still counts). */
static bool has_credit(const struct sim_sub *sub)
{
    if (sub->credit_limit < 0) return true;
    return sub->credit_limit != 0 && sub->tick != (uint8_t)sub->credit_limit;
}

static s7p_notif_item *new_item(s7p_arena *a, s7p_notif_list *l, uint8_t code, uint32_t ref)
{
    s7p_notif_item *it = s7p_arena_alloc(a, sizeof *it);
    if (!it) return NULL;
    it->code = code;
    it->ref = ref;
    if (l->last) l->last->next = it;
    else l->first = it;
    l->last = it;
    l->n++;
    return it;
}

/* The encoded form of v, to tell a change (arena memory). */
static bool encode_value(const s7p_value *v, s7p_arena *a, s7p_bytes *out)
{
    s7p_wr cw = s7p_wr_counter();
    if (!s7p_value_encode(&cw, v)) return false;
    uint8_t *buf = s7p_arena_alloc(a, cw.len ? cw.len : 1);
    if (!buf) return false;
    s7p_wr w = s7p_wr_init(buf, cw.len);
    out->p = buf;
    out->n = cw.len;
    return s7p_value_encode(&w, v);
}

/* Remembers what was reported for the item; false when out of memory. */
static bool remember(sub_item *it, int16_t err, const s7p_bytes *enc)
{
    uint8_t *copy = NULL;
    if (!err) {
        copy = malloc(enc->n ? enc->n : 1);
        if (!copy) return false;
        memcpy(copy, enc->p, enc->n);
    }
    free(it->last);
    it->last = copy;
    it->last_len = err ? 0 : enc->n;
    it->last_err = err;
    it->sent = true;
    return true;
}

/* One item: appended to l when it changed since it was last reported (or never was).
 * Unknown addresses are reported with code 0x03 (the S7-1500 form) and no value. */
static bool eval_item(sim_conn *c, sub_item *it, s7p_arena *a, s7p_notif_list *l)
{
    s7p_value v;
    s7p_bytes enc = {NULL, 0};
    int16_t err = sim_read_item(c, &it->addr, a, &v);
    if (!err && !encode_value(&v, a, &enc)) err = SIM_E_CONVERSION;
    bool changed = !it->sent || err != it->last_err ||
                   (!err && (enc.n != it->last_len || memcmp(enc.p, it->last, enc.n) != 0));
    if (!changed) return true;
    s7p_notif_item *n = new_item(a, l, err ? S7P_NI_ERROR_1500 : S7P_NI_VALUE, it->ref);
    if (!n) return false;
    if (!err) n->value = v;
    return remember(it, err, &enc);
}

static bool notify(sim_conn *c, struct sim_sub *sub, s7p_arena *a)
{
    s7p_notif_list items = {0};
    s7p_notif_list *l = &items;
    bool ok = true;
    struct sim_plc *plc = c->sim->plc;
    if (plc) sim_plc_lock(plc);
    for (size_t i = 0; i < sub->n && ok; i++) ok = eval_item(c, &sub->items[i], a, l);
    if (plc) sim_plc_unlock(plc);
    if (!ok) return false;
    /* Changed-only mode says nothing in a cycle without changes (the first one has all). */
    if (sub->route_mode == S7P_SUB_ROUTE_CHANGED_ONLY && sub->seq > 0 && l->n == 0) return true;
    if (sub->credit_limit > 0) sub->tick++;
    s7p_pdu p;
    sim_notification_init(&p, sub->id, sub->tick, ++sub->seq, sim_now_utc_us(),
                          sub->change_counter);
    p.notif.items = items;
    return sim_notification_send(c, &p, a);
}

int64_t sim_subs_next_due(const sim_conn *c)
{
    int64_t due = INT64_MAX;
    for (const struct sim_sub *sub = c->subs; sub; sub = sub->next)
        if (sub->next_due < due) due = sub->next_due;
    return due;
}

bool sim_subs_run(sim_conn *c, s7p_arena *a)
{
    if (!sim_asubs_run(c, a)) return false;
    int64_t now = s7p_now_ms();
    for (struct sim_sub *sub = c->subs; sub; sub = sub->next) {
        if (sub->next_due > now) continue;
        if (!has_credit(sub)) atomic_fetch_add(&c->sim->subs_no_credit, 1ul);
        else if (!notify(c, sub, a)) return false;
        /* The next cycle; cycles missed (a slow client, a stalled send) are skipped. */
        sub->next_due += sub->cycle_ms;
        if (sub->next_due <= now) {
            unsigned long passed = (unsigned long)((now - sub->next_due) / sub->cycle_ms) + 1;
            atomic_fetch_add(&c->sim->subs_late, passed);
            sub->next_due = now + sub->cycle_ms;
        }
    }
    return true;
}

void s7p_sim_subs_skipped(const s7p_sim *s, unsigned long *no_credit, unsigned long *late)
{
    s7p_sim *m = (s7p_sim *)s;
    if (no_credit) *no_credit = atomic_load(&m->subs_no_credit);
    if (late) *late = atomic_load(&m->subs_late);
}

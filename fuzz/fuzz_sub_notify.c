/* SPDX-License-Identifier: MIT */
/* Fuzz target: the client's side of subscriptions (src/client/sub_notify.c, sub_alarms.c) on
 * what an attacker-controlled PLC can send: a notification turned into the public
 * s7p_sub_notification. The input is a notification as fuzz_notification reads it (byte 0
 * the protocol version, the rest the body after opcode 0x33), so its seeds serve.
 *
 * A client (never connected) holds a tag subscription over a table of tags of every kind
 * (scalars, arrays, strings; one number removed again) and an alarm subscription, both on
 * the notification's object id. The notification goes through s7p_subs_on_notify three
 * times: to the tag subscription (every value converted against its tag), to the alarm
 * subscription holding back (as while a snapshot is read), and to the alarm subscription
 * with the held records' alarms as its snapshot floor (the merge). Invariants: a DATA
 * notification has at most one value per value or error item, each for a subscribed tag,
 * a converted value has the tag's shape and its strings are terminated; alarm records
 * have their state in range; the queue keeps its bound. */
#include "fuzz_common.h"

#include "client/sub_int.h"
#include "proto/pdu.h"
#include "util/alloc.h"

#define TARGET "fuzz_sub_notify"

static const uint8_t *g_in;
static size_t g_n;

static void expect(bool ok, const char *what)
{
    if (!ok) fuzz_invariant_failed(TARGET, what, g_in, g_n);
}

#define DB1 0x8A0E0001u
#define T(ty, cnt, smax) {.type = (ty), .count = (cnt), .str_max = (smax), .area = DB1, \
                          .sub_area = 2550, .nlids = 1}

/* Every kind a value is converted to; the wire's item reference k + 1 is tags[k]. */
static const s7p_tag tag_table[] = {
    T(S7P_T_BOOL, 0, 0),   T(S7P_T_BYTE, 0, 0),     T(S7P_T_CHAR, 0, 0),
    T(S7P_T_WORD, 0, 0),   T(S7P_T_INT, 0, 0),      T(S7P_T_DWORD, 0, 0),
    T(S7P_T_DINT, 0, 0),   T(S7P_T_REAL, 0, 0),     T(S7P_T_DATE, 0, 0),
    T(S7P_T_TIME_OF_DAY, 0, 0), T(S7P_T_TIME, 0, 0), T(S7P_T_S5TIME, 0, 0),
    T(S7P_T_DATE_AND_TIME, 0, 0), T(S7P_T_STRING, 0, 10), T(S7P_T_STRING, 0, 254),
    T(S7P_T_LREAL, 0, 0),  T(S7P_T_ULINT, 0, 0),    T(S7P_T_LINT, 0, 0),
    T(S7P_T_LWORD, 0, 0),  T(S7P_T_USINT, 0, 0),    T(S7P_T_UINT, 0, 0),
    T(S7P_T_UDINT, 0, 0),  T(S7P_T_SINT, 0, 0),     T(S7P_T_WCHAR, 0, 0),
    T(S7P_T_WSTRING, 0, 5), T(S7P_T_LTIME, 0, 0),   T(S7P_T_LTIME_OF_DAY, 0, 0),
    T(S7P_T_LDT, 0, 0),    T(S7P_T_DTL, 0, 0),      T(S7P_T_BBOOL, 0, 0),
    T(S7P_T_BOOL, 10, 0),  T(S7P_T_BYTE, 8, 0),     T(S7P_T_CHAR, 4, 0),
    T(S7P_T_INT, 4, 0),    T(S7P_T_REAL, 3, 0),     T(S7P_T_STRING, 2, 10),
    T(S7P_T_WSTRING, 2, 4), T(S7P_T_DTL, 2, 0),     T(S7P_T_USINT, 1, 0),
    T(S7P_T_LREAL, 2, 0),  T(S7P_T_POINTER, 0, 0),  T(S7P_T_ANY, 0, 0),
    T(S7P_T_REMOTE, 0, 0), T(S7P_T_DB_ANY, 0, 0),   T(S7P_T_WCHAR, 3, 0),
};
#define NTAGS (sizeof tag_table / sizeof tag_table[0])
#define REMOVED 5u  /* number 5 (reference 6) was subscribed and removed again */

/* The tag subscription: slot i holds tag_table[i] under number i, except REMOVED. */
static bool fill_tags(s7p_subscription *s)
{
    s->tags = s7p_calloc(NTAGS, sizeof *s->tags);
    s->numbers = s7p_calloc(NTAGS, sizeof *s->numbers);
    s->slot_of = s7p_calloc(NTAGS, sizeof *s->slot_of);
    if (!s->tags || !s->numbers || !s->slot_of) return false;
    for (uint32_t i = 0; i < NTAGS; i++) {
        s->slot_of[i] = S7P_SUB_NO_SLOT;
        if (i == REMOVED) continue;
        s->tags[s->n] = tag_table[i];
        s->tags[s->n].lids[0] = i + 1;
        s->numbers[s->n] = i;
        s->slot_of[i] = (uint32_t)s->n++;
    }
    s->cap = NTAGS;
    s->next_number = NTAGS;
    return true;
}

static void check_value(const s7p_subscription *s, const s7p_sub_value *v)
{
    expect(v->tag < s->next_number && v->tag != REMOVED, "a value of a tag not subscribed");
    if (v->status != S7P_OK) return;
    const s7p_tag *t = &s->tags[s->slot_of[v->tag]];
    const s7p_tag_value *x = &v->value;
    expect(x->count == t->count, "a converted value has another shape than its tag");
    expect(x->count == 0 || x->elems != NULL, "an array value without elements");
    for (uint32_t i = 0; i < (x->count ? x->count : 1); i++) {
        const s7p_tag_value *e = x->count ? &x->elems[i] : x;
        if (e->type == S7P_T_STRING || e->type == S7P_T_WSTRING)
            expect(e->v.str.p && e->v.str.p[e->v.str.len] == '\0', "a string not terminated");
    }
}

/* Takes the queued notifications of s and checks them against the items of n. */
static void drain(s7p_subscription *s, const s7p_notification *n)
{
    size_t items = 0;
    for (const s7p_notif_item *it = n->items.first; it; it = it->next) items++;
    expect(s->q_n <= s->opt.queue_size, "the pull queue exceeds its size");
    while (s->q_n > 0) {
        s7p_sub_notification *x = s->q[s->q_head];
        s->q_head = (s->q_head + 1) % s->q_cap;
        s->q_n--;
        if (x->event == S7P_SUB_DATA) {
            expect(x->count <= items, "more values than items");
            for (size_t i = 0; i < x->count; i++) check_value(s, &x->values[i]);
            for (size_t i = 0; i < x->alarm_count; i++)
                expect(x->alarms[i].state <= S7P_ALARM_GOING, "an alarm state out of range");
        }
        s7p_sub_notification_free(x);
    }
}

static s7p_subscription *new_sub(s7p_client *c, bool alarms)
{
    s7p_subscription_options o;
    s7p_subscription_options_init(&o);
    o.queue_size = 8;
    s7p_subscription *s = s7p_sub_alloc(c, &o, NULL, NULL);
    if (!s) return NULL;
    s->next = c->subs;
    if (c->subs) c->subs->prev = s;
    c->subs = s;
    s->alarms = alarms;
    if (alarms) {
        s->lcids[0] = 1033;
        s->n_lcids = 1;
    }
    return s;
}

static void activate(s7p_subscription *on, s7p_subscription *off, uint32_t object_id)
{
    on->state = SUB_ACTIVE;
    on->object_id = object_id;
    on->session = on->c->sessions;
    on->credit_limit = 10;
    off->state = SUB_LOST;
    off->object_id = 0;
}

/* The held records' alarms as the floor of a snapshot, one of them one counter behind. */
static void floor_from_held(s7p_subscription *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_held; i++) n += s->held[i]->alarm_count;
    s->floor = n ? s7p_calloc(n, sizeof *s->floor) : NULL;
    for (size_t i = 0; s->floor && i < s->n_held; i++)
        for (size_t k = 0; k < s->held[i]->alarm_count; k++) {
            const s7p_alarm *a = &s->held[i]->alarms[k];
            s->floor[s->n_floor++] = (s7p_sub_known){a->id, a->sequence_counter - (uint32_t)(k & 1)};
        }
    for (size_t i = 0; i < s->n_held; i++) s7p_sub_notification_free(s->held[i]);
    s->n_held = 0;
}

static void run(const s7p_pdu *pdu)
{
    s7p_client_options co;
    s7p_client_options_init(&co);
    co.host = "127.0.0.1";
    s7p_client *c = NULL;
    if (s7p_client_new(&c, &co, NULL) != S7P_OK) return;
    pthread_mutex_lock(&c->lock);
    s7p_subscription *tags = new_sub(c, false), *alarms = new_sub(c, true);
    if (tags && alarms && fill_tags(tags)) {
        uint32_t id = pdu->notif.object_id;
        activate(tags, alarms, id);
        s7p_subs_on_notify(c, pdu);
        drain(tags, &pdu->notif);
        activate(alarms, tags, pdu->notif.has_part2 ? pdu->notif.object_id2 : id);
        alarms->holding = true;
        s7p_subs_on_notify(c, pdu);
        expect(alarms->n_held <= alarms->opt.queue_size, "more held than the queue's size");
        floor_from_held(alarms);
        alarms->holding = false;
        s7p_subs_on_notify(c, pdu);
        drain(alarms, &pdu->notif);
    }
    pthread_mutex_unlock(&c->lock);
    s7p_client_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    g_in = data;
    g_n = size;
    uint8_t version = (uint8_t)(1u + (data[0] + 2u) % 3u);  /* 1, 2, 3 as such */
    s7p_arena a;
    s7p_pdu *pdu = calloc(1, sizeof *pdu);
    if (!pdu) abort();
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    s7p_rd r = s7p_rd_init(data + 1, size - 1);
    pdu->version = version;
    pdu->opcode = S7P_OP_NOTIFICATION;
    if (s7p_notification_decode(&r, &a, version, &pdu->notif)) run(pdu);
    s7p_arena_release(&a);
    free(pdu);
    return 0;
}

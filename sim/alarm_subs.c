/* SPDX-License-Identifier: MIT */
/* Alarm subscriptions (services spec §2.1, §2.3, §2.7; docs/protocol.md §11.7): a class-1001
 * subscription with function class 2 and the class-2662 child. Every alarm state change
 * (sim_alarm_changed, on whatever thread raised, cleared or acknowledged the alarm) queues a
 * notification for each alarm subscription with credit left, its DAI holding the texts of
 * the subscription's languages; the connection's thread sends the queue (it is woken through
 * its wake pipe), so notifications go out between answers on the subscription's own
 * connection, as the tag subscriptions' do.
 *
 * The list lives in the simulator, guarded by alarm_mu: the change hook runs with it held,
 * and the connection thread takes it to create, delete, set the credit limit and take the
 * queue. The connection's wake pipe outlives its alarm subscriptions (sim_conn_main closes
 * it after sim_subs_free_all), so the hook never writes to a closed descriptor. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/subscription.h"
#include "sim_int.h"
#include "util/clock.h"

#define QUEUE_MAX 1024u            /* notifications waiting per subscription */
#define ARENA_LIMIT ((size_t)1 << 20)

typedef struct asub_msg {
    struct asub_msg *next;
    uint32_t sub_id;
    uint8_t tick;
    uint32_t seq;
    uint64_t ts_us;
    s7p_arena a;                   /* the DAI */
    s7p_object *dai;
} asub_msg;

struct sim_asub {
    uint32_t id;
    sim_conn *conn;
    uint16_t lcids[S7P_SUB_MAX_LCIDS];
    size_t nlcids;                 /* 0: every language */
    int16_t credit_limit;          /* < 0 unlimited, 0 nothing, else up to the tick */
    uint8_t tick;
    uint32_t seq;
    asub_msg *head, *tail;
    size_t nq;
    struct sim_asub *next;
};

static void msg_free(asub_msg *m)
{
    s7p_arena_release(&m->a);
    free(m);
}

static void asub_free(struct sim_asub *sub)
{
    while (sub->head) {
        asub_msg *m = sub->head;
        sub->head = m->next;
        msg_free(m);
    }
    free(sub);
}

int16_t sim_asubs_create(sim_conn *c, const s7p_sub_params *sp, uint32_t id)
{
    if (!sp->alarm.present) return SIM_E_OBJECT_PARSING;
    if (sp->credit_limit > 255) return SIM_E_INVALID_RANGE;
    struct sim_asub *sub = calloc(1, sizeof *sub);
    if (!sub) return SIM_E_SYSTEM_LIMIT;
    sub->id = id;
    sub->conn = c;
    sub->credit_limit = sp->credit_limit;
    for (size_t i = 0; i < sp->alarm.n_lcids; i++) sub->lcids[i] = (uint16_t)sp->alarm.lcids[i];
    sub->nlcids = sp->alarm.n_lcids;
    s7p_sim *s = c->sim;
    pthread_mutex_lock(&s->alarm_mu);
    sub->next = s->asubs;
    s->asubs = sub;
    pthread_mutex_unlock(&s->alarm_mu);
    c->nasubs++;
    sim_log(s, 1, "conn %lu: alarm subscription 0x%08x: %zu languages, credit %d", c->id,
            (unsigned)id, sub->nlcids, (int)sub->credit_limit);
    return 0;
}

/* The subscription of this connection with this id (alarm_mu held). */
static struct sim_asub **find(s7p_sim *s, const sim_conn *c, uint32_t id)
{
    for (struct sim_asub **pp = &s->asubs; *pp; pp = &(*pp)->next)
        if ((*pp)->id == id && (*pp)->conn == c) return pp;
    return NULL;
}

bool sim_asubs_owns(const sim_conn *c, uint32_t id)
{
    if (c->nasubs == 0) return false;
    s7p_sim *s = c->sim;
    pthread_mutex_lock(&s->alarm_mu);
    bool found = find(s, c, id) != NULL;
    pthread_mutex_unlock(&s->alarm_mu);
    return found;
}

bool sim_asubs_set_credit(sim_conn *c, uint32_t id, int16_t limit)
{
    s7p_sim *s = c->sim;
    pthread_mutex_lock(&s->alarm_mu);
    struct sim_asub **pp = find(s, c, id);
    if (pp) (*pp)->credit_limit = limit;
    pthread_mutex_unlock(&s->alarm_mu);
    return pp != NULL;
}

bool sim_asubs_delete(sim_conn *c, uint32_t id)
{
    s7p_sim *s = c->sim;
    pthread_mutex_lock(&s->alarm_mu);
    struct sim_asub **pp = find(s, c, id), *sub = pp ? *pp : NULL;
    if (sub) *pp = sub->next;
    pthread_mutex_unlock(&s->alarm_mu);
    if (!sub) return false;
    asub_free(sub);
    c->nasubs--;
    sim_log(s, 1, "conn %lu: alarm subscription 0x%08x deleted", c->id, (unsigned)id);
    return true;
}

unsigned sim_asubs_free_conn(sim_conn *c)
{
    s7p_sim *s = c->sim;
    struct sim_asub *gone = NULL;
    unsigned n = 0;
    pthread_mutex_lock(&s->alarm_mu);
    for (struct sim_asub **pp = &s->asubs; *pp;) {
        struct sim_asub *sub = *pp;
        if (sub->conn != c) {
            pp = &sub->next;
            continue;
        }
        *pp = sub->next;
        sub->next = gone;
        gone = sub;
        n++;
    }
    pthread_mutex_unlock(&s->alarm_mu);
    while (gone) {
        struct sim_asub *sub = gone;
        gone = sub->next;
        asub_free(sub);
    }
    c->nasubs = 0;
    return n;
}

/* ---- the change hook (alarm_mu held) ---- */

/* As for tag subscriptions: until the one-byte tick reaches the limit. */
static bool has_credit(const struct sim_asub *sub)
{
    if (sub->credit_limit < 0) return true;
    return sub->credit_limit != 0 && sub->tick != (uint8_t)sub->credit_limit;
}

static void wake(const sim_conn *c)
{
    s7p_wake_signal(&c->wake);
}

/* The DAI as it is now, owning its bytes: sim_alarm_dai() borrows the alarm's strings,
 * which go with the alarm (a going alarm leaves the table right after the hook), so it is
 * encoded here and decoded again into the message's arena. */
static s7p_object *own_dai(const struct sim_alarm *al, s7p_arena *a, const uint16_t *lcids,
                           size_t n)
{
    s7p_object *o = sim_alarm_dai(al, a, lcids, n), *copy = NULL;
    s7p_wr cw = s7p_wr_counter();
    if (!o || !s7p_object_encode(&cw, o)) return NULL;
    uint8_t *buf = s7p_arena_alloc(a, cw.len);
    if (!buf) return NULL;
    s7p_wr w = s7p_wr_init(buf, cw.len);
    if (!s7p_object_encode(&w, o)) return NULL;
    s7p_rd r = s7p_rd_init(buf, w.len);
    return s7p_object_decode(&r, a, &copy) ? copy : NULL;
}

static void queue(s7p_sim *s, struct sim_asub *sub, const struct sim_alarm *al)
{
    uint32_t seq = ++sub->seq;
    if (sub->credit_limit > 0) sub->tick++;
    asub_msg *m = sub->nq < QUEUE_MAX ? calloc(1, sizeof *m) : NULL;
    if (!m) {
        /* Not sent: the client sees the gap in the sequence numbers. */
        sim_log(s, 1, "alarm subscription 0x%08x: notification %u dropped", (unsigned)sub->id,
                (unsigned)seq);
        return;
    }
    s7p_arena_init(&m->a, ARENA_LIMIT);
    m->dai = own_dai(al, &m->a, sub->lcids, sub->nlcids);
    if (!m->dai) {
        msg_free(m);
        sim_log(s, 1, "alarm subscription 0x%08x: out of memory", (unsigned)sub->id);
        return;
    }
    m->sub_id = sub->id;
    m->tick = sub->tick;
    m->seq = seq;
    m->ts_us = sim_now_utc_us();
    if (sub->tail) sub->tail->next = m;
    else sub->head = m;
    sub->tail = m;
    sub->nq++;
    wake(sub->conn);
}

void sim_asubs_changed(s7p_sim *s, const struct sim_alarm *al)
{
    for (struct sim_asub *sub = s->asubs; sub; sub = sub->next)
        if (has_credit(sub)) queue(s, sub, al);
}

/* ---- sending (the connection's thread) ---- */

/* Header as for tag subscriptions, an empty value list, then part 2: the subscription's id
 * again, u16 0, the DAI as item 0x81, the end byte 0 (services spec §2.3, §2.7). */
static bool send_one(sim_conn *c, const asub_msg *m, s7p_arena *a)
{
    s7p_notif_item it = {.code = S7P_NI_OBJECT, .object = m->dai};
    s7p_pdu p;
    sim_notification_init(&p, m->sub_id, m->tick, m->seq, m->ts_us, 1);
    p.notif.has_part2 = true;
    p.notif.object_id2 = m->sub_id;
    p.notif.items2.first = p.notif.items2.last = &it;
    p.notif.items2.n = 1;
    return sim_notification_send(c, &p, a);
}

bool sim_asubs_run(sim_conn *c, s7p_arena *a)
{
    if (c->nasubs == 0) return true;
    s7p_sim *s = c->sim;
    asub_msg *head = NULL, **tail = &head;
    pthread_mutex_lock(&s->alarm_mu);
    for (struct sim_asub *sub = s->asubs; sub; sub = sub->next) {
        if (sub->conn != c || !sub->head) continue;
        *tail = sub->head;
        tail = &sub->tail->next;
        sub->head = sub->tail = NULL;
        sub->nq = 0;
    }
    pthread_mutex_unlock(&s->alarm_mu);
    bool ok = true;
    while (head) {
        asub_msg *m = head;
        head = m->next;
        if (ok) ok = send_one(c, m, a);
        msg_free(m);
    }
    return ok;
}

void sim_conn_drain_wake(sim_conn *c)
{
    s7p_wake_drain(&c->wake);
}

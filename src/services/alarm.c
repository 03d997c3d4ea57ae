/* SPDX-License-Identifier: MIT */
/* DAI objects -> s7p_alarm, and the active-alarm snapshot (services/alarm.h). */
#include "services/alarm.h"

#include <string.h>

#include "services/browse_int.h"
#include "util/alloc.h"
#include "util/clock.h"

#define DAI_ARENA_LIMIT ((size_t)4 << 20)
#define OLD_TEXT_KEY 0xA09Cu     /* older CPUs: keys 0xA09C8001.. carry no LCID */
#define OLD_TEXT_BASE 0x8000u
#define MAX_NESTING 4

/* ---- records ---- */

void s7p_alarm_clear(s7p_alarm *a)
{
    if (!a) return;
    s7p_free(a->name);
    s7p_free(a->text);
    s7p_free(a->info_text);
    for (int i = 0; i < S7P_ALARM_ADDITIONAL_TEXTS; i++) s7p_free(a->additional_texts[i]);
    for (int i = 0; i < S7P_ALARM_VALUES; i++) s7p_tag_value_clear(&a->values[i]);
    memset(a, 0, sizeof *a);
}

void s7p_alarm_list_free(s7p_alarm_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->count; i++) s7p_alarm_clear(&l->items[i]);
    s7p_free(l->items);
    s7p_free(l);
}

const char *s7p_alarm_message_type_name(int32_t type)
{
    switch (type) {
    case S7P_ALARM_MSG_INVALID: return "invalid";
    case S7P_ALARM_MSG_ALARM: return "alarm";
    case S7P_ALARM_MSG_NOTIFY: return "notify";
    case S7P_ALARM_MSG_INFO_REPORT: return "info-report";
    case S7P_ALARM_MSG_EVENT_ACK: return "event-ack";
    default: return "?";
    }
}

static char *dup_bytes(const uint8_t *p, size_t n)
{
    char *s = s7p_malloc(n + 1);
    if (!s) return NULL;
    if (n) memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* ---- associated values ---- */

/* The packed standard form: every value blob after the type information has root id 0, and
 * the first of them holds all values. */
static bool packed_form(const s7p_as_cgs *g)
{
    if (g->nvalues < 2 || g->values[1].data.n == 0) return false;
    for (uint32_t i = 1; i < g->nvalues; i++)
        if (g->values[i].root_id != 0) return false;
    return true;
}

static s7p_status take_values(const s7p_as_cgs *g, s7p_alarm *out, s7p_fail *f)
{
    if (packed_form(g)) return S7P_OK;  /* texts are formatted from the image; no typed values */
    for (uint32_t i = 1; i < g->nvalues && i <= S7P_ALARM_VALUES; i++) {
        s7p_status st = s7p_alarm_value_decode(g->values[i].root_id, g->values[i].data.p,
                                               g->values[i].data.n, &out->values[i - 1]);
        if (st != S7P_OK)
            return s7p_fail_set(f, st, "alarm 0x%016llx: associated value %u (type 0x%08x) is "
                                "malformed", (unsigned long long)out->id, (unsigned)i,
                                (unsigned)g->values[i].root_id);
        if (out->values[i - 1].type != S7P_T_VOID) out->nvalues = i;
    }
    return S7P_OK;
}

/* ---- texts ---- */

/* The language to take: the one asked for, or the lowest one sent. */
static uint32_t pick_lcid(const s7p_dai *d, uint32_t lcid)
{
    if (lcid) return lcid;
    uint32_t best = 0;
    for (uint32_t i = 0; i < d->ntexts; i++) {
        uint32_t l = d->texts[i].key >> 16;
        if (l != OLD_TEXT_KEY && (!best || l < best)) best = l;
    }
    return best;
}

/* Text id of a key in language lcid, 0 when it is of another language. Keys of older CPUs
 * (no language) count when the DAI has no text in any language. */
static unsigned text_id(uint32_t key, uint32_t lcid, bool use_old)
{
    if ((key >> 16) == OLD_TEXT_KEY)
        return use_old && (key & 0xFFFFu) > OLD_TEXT_BASE ? (key & 0xFFFFu) - OLD_TEXT_BASE : 0;
    return (key >> 16) == lcid ? key & 0xFFFFu : 0;
}

static char **text_slot(s7p_alarm *a, unsigned id)
{
    if (id == S7P_DAI_TEXT_INFO) return &a->info_text;
    if (id == S7P_DAI_TEXT_ALARM) return &a->text;
    if (id >= S7P_DAI_TEXT_ADDITIONAL1 && id <= S7P_DAI_TEXT_LAST)
        return &a->additional_texts[id - S7P_DAI_TEXT_ADDITIONAL1];
    return NULL;
}

static s7p_status take_texts(const s7p_dai *d, const s7p_alarm_src *src, s7p_alarm *out,
                             s7p_fail *f)
{
    bool use_old = true;
    out->lcid = pick_lcid(d, out->lcid);
    for (uint32_t i = 0; i < d->ntexts && use_old; i++)
        use_old = (d->texts[i].key >> 16) == OLD_TEXT_KEY;
    for (uint32_t i = 0; i < d->ntexts; i++) {
        char **slot = text_slot(out, text_id(d->texts[i].key, out->lcid, use_old));
        if (!slot || *slot) continue;  /* another language, unknown id, or a repeat */
        s7p_status st = s7p_alarm_format((const char *)d->texts[i].text.p, d->texts[i].text.n,
                                         src, out->lcid, NULL, NULL, slot);
        if (st != S7P_OK)
            return s7p_fail_set(f, st, "alarm 0x%016llx: text %u cannot be formatted",
                                (unsigned long long)out->id, (unsigned)(d->texts[i].key & 0xFFFFu));
    }
    char **all[2 + S7P_ALARM_ADDITIONAL_TEXTS] = {&out->text, &out->info_text};
    for (int i = 0; i < S7P_ALARM_ADDITIONAL_TEXTS; i++) all[2 + i] = &out->additional_texts[i];
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!*all[i] && !(*all[i] = dup_bytes(NULL, 0))) return s7p_fail_set(f, S7P_E_NOMEM, "alarms");
    return S7P_OK;
}

/* ---- the record ---- */

static void take_state(const s7p_dai *d, s7p_alarm *out)
{
    /* Exactly one of Coming / Going is expected; should both come, the going one tells the
     * newer state. */
    const s7p_as_cgs *g = d->going.present ? &d->going : &d->coming;
    out->id = d->cpu_alarm_id;
    out->state = d->going.present ? S7P_ALARM_GOING : S7P_ALARM_COMING;
    out->state_bits = d->all_states;
    out->change_state_bits = g->all_states;
    out->coming_ns = d->coming.present ? (int64_t)d->coming.timestamp : 0;
    out->going_ns = d->going.present ? (int64_t)d->going.timestamp : 0;
    out->ack_ns = (int64_t)g->ack_timestamp;
    out->acknowledged = g->ack_timestamp != 0;
    out->priority = d->hmi.priority;
    out->alarm_class = d->hmi.alarm_class;
    out->hmi_alarm_id = d->hmi.client_alarm_id;
    out->message_type = d->message_type;
    out->domain = d->domain;
    out->sequence_counter = d->sequence_counter;
}

static s7p_status fill(const s7p_dai *d, s7p_alarm *out, s7p_fail *f)
{
    const s7p_as_cgs *g = d->going.present ? &d->going : &d->coming;
    take_state(d, out);
    if (!(out->name = dup_bytes(d->name.p, d->name.n))) return s7p_fail_set(f, S7P_E_NOMEM, "alarms");
    s7p_status st = take_values(g, out, f);
    if (st != S7P_OK) return st;
    s7p_alarm_src src = {out->values, out->nvalues, NULL, 0};
    if (packed_form(g)) {
        src.packed = g->values[1].data.p;
        src.npacked = g->values[1].data.n;
    }
    return take_texts(d, &src, out, f);
}

s7p_status s7p_alarm_from_object(const s7p_object *o, uint32_t lcid, s7p_alarm *out,
                                 s7p_fail *f)
{
    s7p_arena a;
    s7p_dai d;
    char why[160];
    memset(out, 0, sizeof *out);
    s7p_arena_init(&a, DAI_ARENA_LIMIT);
    s7p_status st = s7p_dai_decode(o, &a, &d, why, sizeof why);
    if (st != S7P_OK) {
        s7p_arena_release(&a);
        return st == S7P_E_NOMEM ? s7p_fail_set(f, st, "alarms")
                                 : s7p_fail_set(f, st, "alarms: malformed alarm: %s", why);
    }
    if (!d.coming.present && !d.going.present) {
        s7p_arena_release(&a);
        return S7P_E_NOT_FOUND;
    }
    out->lcid = lcid;
    st = fill(&d, out, f);
    s7p_arena_release(&a);
    if (st != S7P_OK) s7p_alarm_clear(out);
    return st;
}

/* ---- the snapshot ---- */

s7p_status s7p_alarms_explore_build(s7p_session *s, s7p_arena *a, s7p_pdu *req, s7p_fail *f)
{
    s7p_status st = s7p_browse_explore_build(s, a, req, S7P_ID_ALARM_SUBSYSTEM, true, s7p_dai_attrs,
                                             (uint8_t)(sizeof s7p_dai_attrs / sizeof s7p_dai_attrs[0]),
                                             f);
    if (st == S7P_OK) req->req.explore.explore_request_id = S7P_ID_ALARM_UPDATE_RELEVANT_DAI;
    return st;
}

typedef struct collect {
    s7p_alarm_list *l;
    size_t cap;
    uint32_t lcid;
    s7p_fail *f;
} collect;

static s7p_status add_alarm(collect *c, const s7p_object *o)
{
    if (c->l->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        s7p_alarm *items = s7p_realloc(c->l->items, cap * sizeof *items);
        if (!items) return s7p_fail_set(c->f, S7P_E_NOMEM, "alarms");
        c->l->items = items;
        c->cap = cap;
    }
    s7p_status st = s7p_alarm_from_object(o, c->lcid, &c->l->items[c->l->count], c->f);
    if (st == S7P_OK) c->l->count++;
    return st == S7P_E_NOT_FOUND ? S7P_OK : st;
}

static s7p_status walk(collect *c, const s7p_object *o, int depth)
{
    if (s7p_dai_is(o)) return add_alarm(c, o);
    if (depth >= MAX_NESTING) return S7P_OK;
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        if (e->tag != S7P_EL_START_OBJECT) continue;
        s7p_status st = walk(c, e->u.child, depth + 1);
        if (st != S7P_OK) return st;
    }
    return S7P_OK;
}

s7p_status s7p_alarms_take(const s7p_pdu *resp, uint32_t lcid, s7p_alarm_list **out,
                           s7p_fail *f)
{
    *out = NULL;
    if (s7p_ret_code(resp->ret) < 0) {
        f->plc_return = resp->ret;
        return s7p_fail_set(f, S7P_E_PLC, "alarms: the PLC refused the Explore of the alarm "
                            "subsystem: code %d", s7p_ret_code(resp->ret));
    }
    s7p_alarm_list *l = s7p_calloc(1, sizeof *l);
    if (!l) return s7p_fail_set(f, S7P_E_NOMEM, "alarms");
    collect c = {l, 0, lcid, f};
    s7p_status st = S7P_OK;
    for (uint32_t i = 0; st == S7P_OK && i < resp->resp.explore.objects.n; i++)
        st = walk(&c, resp->resp.explore.objects.items[i], 0);
    if (st != S7P_OK) {
        s7p_alarm_list_free(l);
        return st;
    }
    *out = l;
    return S7P_OK;
}

/* ---- the operation ---- */

static void alarms_take(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                        const s7p_fail *f)
{
    (void)k;
    s7p_alarms_op *o = (s7p_alarms_op *)op;
    if (st != S7P_OK) {
        o->st = s7p_op_fail(op, f);
        return;
    }
    s7p_fail mine = {0};
    o->st = s7p_alarms_take(resp, o->lcid, o->out, &mine);
    if (o->st != S7P_OK) s7p_op_fail(op, &mine);
}

static void alarms_step(s7p_op *op)
{
    s7p_alarms_op *o = (s7p_alarms_op *)op;
    if (op->phase == 0) {
        op->phase = 1;
        s7p_op_req *r = s7p_op_req_new(op, 0, alarms_take);
        s7p_fail f = {0};
        if (!r || s7p_alarms_explore_build(op->s, &r->a, &r->req, &f) != S7P_OK) {
            if (r) s7p_op_drop(r);
            s7p_fail_set(&f, S7P_E_NOMEM, "alarms");
            o->st = s7p_op_fail(op, &f);
            return;
        }
        s7p_op_submit(r, s7p_deadline_in(o->request_ms), NULL, false);
        return;
    }
    s7p_op_finish(op, o->st);
}

void s7p_alarms_start(s7p_alarms_op *o, s7p_session *s, uint32_t lcid, s7p_alarm_list **out,
                      uint32_t request_ms, s7p_op_done_fn done, void *ctx)
{
    memset(o, 0, sizeof *o);
    s7p_op_init(&o->op, s, alarms_step, done, ctx);
    o->lcid = lcid;
    o->out = out;
    o->request_ms = request_ms;
    *out = NULL;
    s7p_op_start(&o->op);
}

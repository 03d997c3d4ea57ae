/* SPDX-License-Identifier: MIT */
/* The simulator's active alarms: raise / clear / acknowledge (API and control channel), the
 * DAI of each active instance built with the codec of proto/alarm.c, the answer to Explore
 * of the alarm subsystem (RID 8), and the change hook (sim_int.h). docs/simulator.md,
 * "Alarms". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alarms.h"
#include "plc_data.h"
#include "services/alarm.h"
#include "sim_int.h"

/* AllStatesInfo as the simulator sets it (docs/protocol.md, "Alarms": the bits are not
 * documented; a real S7-1500 sent 0x87 for a coming alarm that needs no acknowledgement). */
#define ST_ACTIVE 0x01u
#define ST_COMING_ACKED 0x02u
#define ST_GOING_ACKED 0x04u
#define ST_VALID 0x80u

typedef struct sim_alarm {
    sim_alarm_def def;            /* a copy (ad-hoc alarms: made up from the raise) */
    bool coming;                  /* false: gone, waiting for its acknowledgement */
    bool acked;                   /* the current state change is acknowledged */
    uint64_t coming_ns, going_ns, ack_ns;
    uint32_t seq;                 /* DAI.SequenceCounter: +1 per state change */
    uint8_t coming_states;        /* AllStatesInfo when it came */
    s7p_tag_value values[S7P_ALARM_VALUES];
} sim_alarm;

struct sim_alarm_table {
    sim_alarm_defs defs;
    sim_alarm *items;             /* S7P_SIM_MAX_ALARMS slots, n used */
    size_t n;
    uint32_t next_seq;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One acknowledgement per alarm cycle: the coming, or the going when the coming was not
 * acknowledged; alarms that need none count as acknowledged both ways. */
static uint8_t states_of(const sim_alarm *al)
{
    uint8_t st = ST_VALID;
    if (al->coming) st |= ST_ACTIVE;
    if (!al->def.ack) st |= ST_COMING_ACKED | ST_GOING_ACKED;
    else if (al->acked) st |= ST_COMING_ACKED;
    return st;
}

static void free_alarm(sim_alarm *al)
{
    sim_alarm_def_free(&al->def);
    for (int i = 0; i < S7P_ALARM_VALUES; i++) s7p_tag_value_clear(&al->values[i]);
}

bool sim_alarms_init(s7p_sim *s, const char *path, char *err, size_t err_len)
{
    struct sim_alarm_table *t = calloc(1, sizeof *t);
    if (!t || !(t->items = calloc(S7P_SIM_MAX_ALARMS, sizeof *t->items))) {
        free(t);
        snprintf(err, err_len, "out of memory");
        return false;
    }
    if (path && !sim_alarm_defs_load(path, &t->defs, err, err_len)) {
        free(t->items);
        free(t);
        return false;
    }
    s->alarm_tab = t;
    if (path) sim_log(s, 1, "alarms: %zu defined in %s", t->defs.n, path);
    return true;
}

void sim_alarms_free(s7p_sim *s)
{
    struct sim_alarm_table *t = s->alarm_tab;
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) free_alarm(&t->items[i]);
    sim_alarm_defs_free(&t->defs);
    free(t->items);
    free(t);
    s->alarm_tab = NULL;
}

static sim_alarm *find(struct sim_alarm_table *t, uint32_t id)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->items[i].def.id == id) return &t->items[i];
    return NULL;
}

static void drop(struct sim_alarm_table *t, sim_alarm *al)
{
    free_alarm(al);
    *al = t->items[--t->n];  /* the order of the list does not matter */
}

/* ---- copies of definitions ---- */

static bool copy_def(sim_alarm_def *dst, const sim_alarm_def *src)
{
    *dst = *src;
    dst->name = strdup(src->name ? src->name : "");
    bool ok = dst->name != NULL;
    for (unsigned i = 0; i < src->ntexts; i++)
        ok &= (dst->texts[i].text = strdup(src->texts[i].text)) != NULL;
    for (int i = 0; i < S7P_ALARM_VALUES; i++) {
        dst->values[i].literal = src->values[i].literal ? strdup(src->values[i].literal) : NULL;
        dst->values[i].symbol = src->values[i].symbol ? strdup(src->values[i].symbol) : NULL;
        ok &= (!src->values[i].literal || dst->values[i].literal) &&
              (!src->values[i].symbol || dst->values[i].symbol);
    }
    if (!ok) sim_alarm_def_free(dst);
    return ok;
}

/* An alarm without definition: its text (in the default language) is the raise's. */
static bool adhoc_def(sim_alarm_def *d, uint32_t id, const char *text)
{
    char name[32];
    memset(d, 0, sizeof *d);
    snprintf(name, sizeof name, "Alarm_%u", (unsigned)id);
    d->id = id;
    d->source = SIM_ALARM_SOURCE_DEFAULT;
    d->message_type = S7P_ALARM_MSG_ALARM;
    d->name = strdup(name);
    d->texts[0].lcid = SIM_ALARM_LCID_DEFAULT;
    d->texts[0].kind = S7P_DAI_TEXT_ALARM;
    d->texts[0].text = strdup(text ? text : "");
    d->ntexts = 1;
    if (!d->name || !d->texts[0].text) {
        sim_alarm_def_free(d);
        return false;
    }
    return true;
}

/* ---- values ---- */

/* The value of associated value i: the raise's literal (given), else the definition's
 * literal or its tag's current value. */
static bool take_value(s7p_sim *s, const sim_alarm_value *dv, const char *given,
                       s7p_tag_value *out, char *err, size_t err_len)
{
    char text[1024], why[160];
    const char *lit = given ? given : dv->literal;
    s7p_tag t = {.type = dv->type, .str_max = dv->str_max};
    if (!lit && dv->symbol) {
        if (!s->plc || !sim_plc_get_symbol(s->plc, dv->symbol, text, sizeof text)) {
            snprintf(err, err_len, "cannot read %s for an associated value", dv->symbol);
            return false;
        }
        lit = text;
    }
    if (!lit) return true;
    if (s7p_value_parse(&t, lit, out, why, sizeof why) != S7P_OK) {
        snprintf(err, err_len, "associated value \"%s\": %s", lit, why);
        return false;
    }
    return true;
}

static bool take_values(s7p_sim *s, const sim_alarm_def *d, const char *const *given,
                        size_t ngiven, s7p_tag_value *out, char *err, size_t err_len)
{
    if (ngiven > S7P_ALARM_VALUES) {
        snprintf(err, err_len, "at most %d associated values", S7P_ALARM_VALUES);
        return false;
    }
    for (size_t i = 0; i < S7P_ALARM_VALUES; i++) {
        if (d->values[i].type == S7P_T_VOID) {
            if (i < ngiven) {
                snprintf(err, err_len, "alarm %u has no associated value %zu", (unsigned)d->id, i + 1);
                return false;
            }
            continue;
        }
        if (!take_value(s, &d->values[i], i < ngiven ? given[i] : NULL, &out[i], err, err_len))
            return false;
    }
    return true;
}

/* ---- state changes ---- */

static void logged(s7p_sim *s, uint32_t id, const char *what)
{
    sim_log(s, 1, "alarm %u %s", (unsigned)id, what);
}

static bool raise_locked(s7p_sim *s, uint32_t id, const char *text, const char *const *given,
                         size_t ngiven, char *err, size_t err_len)
{
    struct sim_alarm_table *t = s->alarm_tab;
    const sim_alarm_def *def = sim_alarm_defs_find(&t->defs, id);
    sim_alarm *al = find(t, id);
    s7p_tag_value vals[S7P_ALARM_VALUES] = {0};
    if (al && al->coming && def) {
        snprintf(err, err_len, "alarm %u is raised already", (unsigned)id);
        return false;
    }
    if (def && !take_values(s, def, given, ngiven, vals, err, err_len)) {
        for (int i = 0; i < S7P_ALARM_VALUES; i++) s7p_tag_value_clear(&vals[i]);
        return false;
    }
    if (!al && t->n == S7P_SIM_MAX_ALARMS) {
        snprintf(err, err_len, "%u alarms are raised already", S7P_SIM_MAX_ALARMS);
        return false;
    }
    sim_alarm fresh = {0};
    if (!(def ? copy_def(&fresh.def, def) : adhoc_def(&fresh.def, id, text))) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    if (al) free_alarm(al);
    else al = &t->items[t->n++];
    *al = fresh;
    memcpy(al->values, vals, sizeof vals);
    al->coming = true;
    al->coming_ns = now_ns();
    al->seq = ++t->next_seq;
    al->coming_states = states_of(al);
    sim_alarm_changed(s, al);
    return true;
}

bool s7p_sim_alarm_raise_values(s7p_sim *s, uint32_t id, const char *const *values, size_t n,
                                char *err, size_t err_len)
{
    pthread_mutex_lock(&s->alarm_mu);
    bool ok = raise_locked(s, id, NULL, values, n, err, err_len);
    pthread_mutex_unlock(&s->alarm_mu);
    if (ok) logged(s, id, "came");
    return ok;
}

bool s7p_sim_alarm_raise(s7p_sim *s, uint32_t id, const char *text)
{
    char err[160];
    pthread_mutex_lock(&s->alarm_mu);
    bool ok = raise_locked(s, id, text, NULL, 0, err, sizeof err);
    pthread_mutex_unlock(&s->alarm_mu);
    if (ok) logged(s, id, "came");
    else sim_log(s, 1, "alarm %u: %s", (unsigned)id, err);
    return ok;
}

bool s7p_sim_alarm_defined(const s7p_sim *s, uint32_t id)
{
    return s->alarm_tab && sim_alarm_defs_find(&s->alarm_tab->defs, id) != NULL;
}

/* Values bound to tags are read again when the alarm goes. */
static void refresh_values(s7p_sim *s, sim_alarm *al)
{
    for (int i = 0; i < S7P_ALARM_VALUES; i++) {
        s7p_tag_value v = {0};
        char err[160];
        if (!al->def.values[i].symbol ||
            !take_value(s, &al->def.values[i], NULL, &v, err, sizeof err))
            continue;
        s7p_tag_value_clear(&al->values[i]);
        al->values[i] = v;
    }
}

bool s7p_sim_alarm_clear(s7p_sim *s, uint32_t id)
{
    pthread_mutex_lock(&s->alarm_mu);
    struct sim_alarm_table *t = s->alarm_tab;
    sim_alarm *al = find(t, id);
    bool ok = al && al->coming;
    if (ok) {
        refresh_values(s, al);
        al->coming = false;
        al->going_ns = now_ns();
        al->seq = ++t->next_seq;
        sim_alarm_changed(s, al);
        /* Gone and nothing (more) to acknowledge: no longer active. */
        if (!al->def.ack || al->acked) drop(t, al);
    }
    pthread_mutex_unlock(&s->alarm_mu);
    if (ok) logged(s, id, "went");
    return ok;
}

bool s7p_sim_alarm_ack(s7p_sim *s, uint32_t id)
{
    pthread_mutex_lock(&s->alarm_mu);
    struct sim_alarm_table *t = s->alarm_tab;
    sim_alarm *al = find(t, id);
    bool ok = al && al->def.ack && !al->acked;
    if (ok) {
        al->acked = true;
        al->ack_ns = now_ns();
        al->seq = ++t->next_seq;
        sim_alarm_changed(s, al);
        if (!al->coming) drop(t, al);  /* gone and now acknowledged */
    }
    pthread_mutex_unlock(&s->alarm_mu);
    if (ok) logged(s, id, "acknowledged");
    return ok;
}

size_t s7p_sim_alarm_count(const s7p_sim *s)
{
    s7p_sim *m = (s7p_sim *)s;
    pthread_mutex_lock(&m->alarm_mu);
    size_t n = m->alarm_tab ? m->alarm_tab->n : 0;
    pthread_mutex_unlock(&m->alarm_mu);
    return n;
}

/* ---- DAIs ---- */

static bool dai_values(const sim_alarm *al, s7p_arena *a, s7p_as_cgs *g)
{
    static const uint8_t type_info[4] = {1, 1, 0, 0};  /* Syntax UInt 0x0101, Aap 0 (as seen) */
    enum { PLC_VALUES = 17 };  /* PLCs send 17 blobs: type information, SD_1..SD_10, 6 empty */
    g->values = s7p_arena_array(a, PLC_VALUES, sizeof *g->values);
    if (!g->values) return false;
    memset(g->values, 0, PLC_VALUES * sizeof *g->values);
    g->nvalues = PLC_VALUES;
    g->values[0] = (s7p_dai_blob){S7P_ID_AS_CGS_ASSOCIATED_VALUES, {type_info, sizeof type_info}};
    for (int i = 0; i < S7P_ALARM_VALUES; i++) {
        if (al->values[i].type == S7P_T_VOID) continue;
        if (s7p_alarm_value_encode(&al->values[i], al->def.values[i].str_max, a, &g->values[1 + i]) !=
            S7P_OK)
            return false;
    }
    return true;
}

static bool dai_texts(const sim_alarm *al, s7p_arena *a, s7p_dai *d)
{
    d->ntexts = al->def.ntexts;
    d->texts = d->ntexts ? s7p_arena_array(a, d->ntexts, sizeof *d->texts) : NULL;
    if (d->ntexts && !d->texts) return false;
    for (unsigned i = 0; i < al->def.ntexts; i++) {
        const sim_alarm_text *t = &al->def.texts[i];
        d->texts[i].key = (uint32_t)t->lcid << 16 | t->kind;
        d->texts[i].text = (s7p_bytes){(const uint8_t *)t->text, strlen(t->text)};
    }
    return true;
}

/* The DAI of an active alarm (strings borrowed from al: build and encode under the lock). */
static s7p_object *dai_object(const sim_alarm *al, s7p_arena *a, const uint32_t *attrs,
                              size_t nattrs, const uint16_t *lcids, size_t nlcids)
{
    s7p_dai d;
    memset(&d, 0, sizeof d);
    d.rel_id = 0x70000000u + al->def.id;  /* a DAI's RID; not used by clients */
    d.name = (s7p_bytes){(const uint8_t *)al->def.name, strlen(al->def.name)};
    d.cpu_alarm_id = (uint64_t)al->def.source << 32 | (uint64_t)(al->def.id & 0xFFFFu) << 16;
    d.all_states = states_of(al);
    d.domain = al->def.domain;
    d.message_type = al->def.message_type;
    d.hmi = (s7p_hmi_info){.syntax_id = 258, .version = 1, .client_alarm_id = al->def.id,
                           .priority = al->def.priority, .alarm_class = al->def.alarm_class};
    d.sequence_counter = al->seq;
    s7p_as_cgs *g = al->coming ? &d.coming : &d.going;
    g->present = true;
    g->all_states = al->coming ? al->coming_states : d.all_states;
    g->timestamp = al->coming ? al->coming_ns : al->going_ns;
    g->ack_timestamp = al->ack_ns;
    if (!dai_values(al, a, g) || !dai_texts(al, a, &d)) return NULL;
    return s7p_dai_encode(&d, a, attrs, nattrs, lcids, nlcids);
}

s7p_object *sim_alarm_dai(const struct sim_alarm *al, s7p_arena *a, const uint16_t *lcids,
                          size_t nlcids)
{
    return dai_object(al, a, NULL, 0, lcids, nlcids);
}

/* The attribute ids an Explore asks for (every block's list). */
static size_t wanted_attrs(const s7p_req_explore *req, uint32_t *out, size_t cap)
{
    size_t n = 0;
    for (uint32_t b = 0; b < req->nblocks; b++)
        for (uint32_t i = 0; i < req->blocks[b].address_count && n < cap; i++)
            out[n++] = req->blocks[b].addresses[i];
    return n;
}

int sim_alarms_explore(s7p_sim *s, const s7p_req_explore *req, s7p_arena *a, s7p_object_list *out)
{
    uint32_t attrs[64];
    size_t nattrs = wanted_attrs(req, attrs, sizeof attrs / sizeof attrs[0]);
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->alarm_mu);
    struct sim_alarm_table *t = s->alarm_tab;
    size_t n = t ? t->n : 0;
    int rc = 0;
    out->items = n ? s7p_arena_array(a, n, sizeof *out->items) : NULL;
    if (n && !out->items) rc = 1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        /* No attribute list: everything a DAI has. */
        s7p_object *o = dai_object(&t->items[i], a, nattrs ? attrs : NULL, nattrs, NULL, 0);
        if (!o) rc = 1;
        else out->items[out->n++] = o;
    }
    pthread_mutex_unlock(&s->alarm_mu);
    return rc;
}

void sim_alarm_changed(s7p_sim *s, const struct sim_alarm *al)
{
    sim_asubs_changed(s, al);
    atomic_fetch_add(&s->alarm_changes, 1);
}

unsigned long s7p_sim_alarm_changes(const s7p_sim *s)
{
    return atomic_load(&((s7p_sim *)s)->alarm_changes);
}

/* ---- listing (control channel) ---- */

size_t sim_alarms_list(s7p_sim *s, char *out, size_t len)
{
    size_t at = 0;
    pthread_mutex_lock(&s->alarm_mu);
    struct sim_alarm_table *t = s->alarm_tab;
    size_t n = t ? t->n : 0;
    at += (size_t)snprintf(out, len, "ok %zu", n);
    for (size_t i = 0; i < n && at < len; i++) {
        const sim_alarm *al = &t->items[i];
        const char *text = "";
        for (unsigned k = 0; k < al->def.ntexts && !*text; k++)
            if (al->def.texts[k].kind == S7P_DAI_TEXT_ALARM) text = al->def.texts[k].text;
        at += (size_t)snprintf(out + at, len - at, "%s %u %s%s \"%s\"", i ? ";" : ":",
                               (unsigned)al->def.id, al->coming ? "coming" : "going",
                               al->def.ack ? (al->acked ? ",acked" : ",unacked") : "", text);
    }
    pthread_mutex_unlock(&s->alarm_mu);
    return at < len ? at : len ? len - 1 : 0;
}

/* SPDX-License-Identifier: MIT */
/* Program change detection (docs/protocol.md §5). The marker is Container.ChangeCounter
 * (attribute 2479) of the program object (RID 3), asked for with an Explore of RID 3 that
 * explores no children: the attribute a real S7-1200 answered on that object. */
#include "services/program.h"

#include <stdio.h>
#include <string.h>

#include "services/browse_int.h"
#include "services/rw.h"
#include "util/alloc.h"
#include "util/clock.h"

#define ATTR_CHANGE_COUNTER 2479u  /* Container.ChangeCounter, UDInt */
#define PLC_INVALID_CRC (-17)
#define PLC_INVALID_LID (-255)
#define PLC_OBJECT_NOT_FOUND (-12)

static const s7p_object *find_rel(const s7p_object *o, uint32_t rel, int depth)
{
    if (o->rel_id == rel) return o;
    if (depth > 4) return NULL;
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        if (e->tag != S7P_EL_START_OBJECT) continue;
        const s7p_object *hit = find_rel(e->u.child, rel, depth + 1);
        if (hit) return hit;
    }
    return NULL;
}

static bool counter_value(const s7p_value *v, uint32_t *out)
{
    if (!v || s7p_value_is_array(v)) return false;
    switch (v->type) {
    case S7P_DT_USINT:
    case S7P_DT_UINT:
    case S7P_DT_UDINT:
    case S7P_DT_ULINT: *out = (uint32_t)v->v.u; return true;
    default: return false;
    }
}

s7p_status s7p_program_marker_build(s7p_session *s, s7p_arena *a, s7p_pdu *req, s7p_fail *f)
{
    static const uint32_t attr = ATTR_CHANGE_COUNTER;
    return s7p_browse_explore_build(s, a, req, S7P_ID_PLC_PROGRAM, false, &attr, 1, f);
}

void s7p_program_marker_take(const s7p_pdu *resp, bool *known, uint32_t *marker)
{
    *known = false;
    *marker = 0;
    /* A PLC that refuses or leaves the attribute out has no marker: not an error. */
    for (uint32_t i = 0; s7p_ret_code(resp->ret) >= 0 && !*known && i < resp->resp.explore.objects.n;
         i++) {
        const s7p_object *o = find_rel(resp->resp.explore.objects.items[i], S7P_ID_PLC_PROGRAM, 0);
        *known = o && counter_value(s7p_object_attr(o, ATTR_CHANGE_COUNTER), marker);
    }
}

static uint32_t stamp_of(uint32_t marker) { return marker + 1u ? marker + 1u : 1u; }

uint32_t s7p_program_stamp(const s7p_browse_cache *c)
{
    return c->marker_known ? stamp_of(c->marker) : 0;
}

static bool cache_empty(const s7p_browse_cache *c) { return !c->have_dbs && c->ntypes == 0; }

/* Takes a freshly read marker: a different one (or a hint without any marker) drops what
 * the cache holds, since it describes another program. Returns whether it dropped it. */
bool s7p_program_take_marker(s7p_browse_cache *c, bool known, uint32_t marker)
{
    bool changed = known != c->marker_known || (known && marker != c->marker) ||
                   (!known && c->suspect);
    bool dropped = changed && !cache_empty(c);
    if (dropped) s7p_browse_cache_clear(c);
    c->marker_known = known;
    c->marker = marker;
    c->marker_checked = s7p_now_ms();
    c->suspect = false;
    return dropped;
}

bool s7p_program_marker_due(const s7p_browse_cache *c, int64_t max_age_ms)
{
    bool fresh = c->marker_checked && s7p_now_ms() - c->marker_checked < max_age_ms;
    return !fresh || c->suspect;
}

/* ---- the guard around reads and writes ---- */

static bool unchecked(const s7p_tag *t) { return t->symbol_crc == 0 && t->program_stamp != 0; }

size_t s7p_program_unchecked(const s7p_tag *tags, size_t n)
{
    size_t need = 0;
    for (size_t i = 0; i < n; i++) need += unchecked(&tags[i]);
    return need;
}

size_t s7p_program_mark_stale(s7p_browse_cache *c, const s7p_tag *tags, size_t n, bool known,
                              uint32_t marker, bool *stale)
{
    size_t nstale = 0;
    s7p_program_take_marker(c, known, marker);
    for (size_t i = 0; i < n; i++) {
        /* A stamp says the marker was readable then: no marker now is no proof either. */
        stale[i] = unchecked(&tags[i]) && (!known || tags[i].program_stamp != stamp_of(marker));
        nstale += stale[i];
    }
    return nstale;
}

void s7p_program_note_answers(s7p_browse_cache *c, const s7p_item_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].plc_code == PLC_INVALID_CRC || r[i].plc_code == PLC_INVALID_LID ||
            r[i].plc_code == PLC_OBJECT_NOT_FOUND)
            c->suspect = true;
}

/* A whole request refused with InvalidCRC: say what it means and what to do. */
s7p_status s7p_program_explain(s7p_browse_cache *c, s7p_status st, s7p_fail *f, const char *op)
{
    if (st != S7P_E_PLC || s7p_ret_code(f->plc_return) != PLC_INVALID_CRC) return st;
    c->suspect = true;
    f->code = S7P_E_PROGRAM_CHANGED;
    snprintf(f->msg, sizeof f->msg,
             "%s: the PLC refused the request with InvalidCRC (-17): its program changed since "
             "the tags were resolved; resolve them again (s7p_tag_by_symbol or browse)", op);
    return f->code;
}

static void mark_changed(s7p_item_result *r)
{
    r->code = S7P_E_PROGRAM_CHANGED;
    r->plc_code = 0;
    r->plc_return = 0;
}

/* The tags that may be sent, compacted, with where each came from. */
static bool keep(s7p_rw_kept *k, const s7p_tag *tags, const s7p_tag_value *wvalues,
                 const bool *stale, size_t n)
{
    memset(k, 0, sizeof *k);
    size_t m = n ? n : 1;
    k->tags = s7p_calloc(m, sizeof *k->tags);
    k->values = s7p_calloc(m, sizeof *k->values);
    k->results = s7p_calloc(m, sizeof *k->results);
    k->from = s7p_calloc(m, sizeof *k->from);
    if (!k->tags || !k->values || !k->results || !k->from) return false;
    for (size_t i = 0; i < n; i++) {
        if (stale[i]) continue;
        k->tags[k->n] = tags[i];
        if (wvalues) k->values[k->n] = wvalues[i];  /* borrowed: never cleared here */
        k->from[k->n++] = i;
    }
    return true;
}

static void kept_free(s7p_rw_kept *k)
{
    s7p_free(k->tags);
    s7p_free(k->values);
    s7p_free(k->results);
    s7p_free(k->from);
    memset(k, 0, sizeof *k);
}

/* ---- the read/write operation behind the guard ----
 * Phases: the marker (only for tags the PLC cannot check), then the plan's requests: a read
 * keeps up to max_in_flight of them outstanding (each bounded by the request timeout from
 * when it is submitted), a write sends the next only when the previous one was answered
 * without failure, so a failed request leaves the later items S7P_E_NOT_SENT. The first
 * failure stops further requests, as when they ran one after the other. */
enum { RW_START, RW_MARKER, RW_PLAN, RW_REQUESTS, RW_END };

static const char *rw_name(const s7p_rw_op *o) { return o->wvalues ? "write" : "read"; }

static void marker_take(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                        const s7p_fail *f)
{
    (void)k;
    s7p_rw_op *o = (s7p_rw_op *)op;
    o->marker_st = st;
    if (st == S7P_OK) s7p_program_marker_take(resp, &o->known, &o->marker);
    else s7p_op_fail(op, f);
}

static void rw_take(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                    const s7p_fail *f);

/* Submits the next request of the plan; false when none is left or it could not be built. */
static bool rw_send_next(s7p_rw_op *o)
{
    if (o->failed || o->op.cancelled || o->next >= o->plan.nrequests) return false;
    size_t k = o->next++;
    s7p_op_req *r = s7p_op_req_new(&o->op, k, rw_take);
    s7p_fail f = {0};
    if (!r) {
        s7p_rw_failed(&o->plan, k, S7P_E_NOMEM, false, &f);
        s7p_fail_set(&f, S7P_E_NOMEM, "%s", o->plan.op);
    } else if (s7p_rw_build(&o->plan, k, o->op.s, &r->a, &r->req, &f) != S7P_OK) {
        s7p_op_drop(r);
        r = NULL;
    }
    if (!r) {
        o->failed = true;
        s7p_op_fail(&o->op, &f);
        o->st = f.code;
        return false;
    }
    s7p_op_submit(r, s7p_deadline_in(o->request_ms), NULL, false);
    return true;
}

static void rw_take(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                    const s7p_fail *f)
{
    s7p_rw_op *o = (s7p_rw_op *)op;
    s7p_fail mine = {0};
    if (st == S7P_OK) {
        st = s7p_rw_take(&o->plan, k, resp, &mine);
    } else {
        mine = *f;
        s7p_rw_failed(&o->plan, k, st, !f->unsent, f);
    }
    if (st != S7P_OK && !o->failed) {
        o->failed = true;
        o->st = st;
        s7p_op_fail(op, &mine);
    }
    /* Reads keep the window full; a write waits for the previous answer (the step). */
    if (!o->plan.write) rw_send_next(o);
}

static void rw_requests(s7p_rw_op *o)
{
    s7p_rw_kept *k = &o->kept;
    const s7p_tag *tags = o->nstale ? k->tags : o->tags;
    size_t n = o->nstale ? k->n : o->n;
    s7p_item_result *results = o->nstale ? k->results : o->results;
    s7p_fail f = {0};
    s7p_status st = o->wvalues
        ? s7p_rw_plan_write(&o->plan, o->op.s, tags, o->nstale ? k->values : o->wvalues, n,
                            results, &f)
        : s7p_rw_plan_read(&o->plan, o->op.s, tags, n, o->nstale ? k->values : o->rvalues,
                           results, &f);
    o->planned = true;
    o->op.phase = RW_REQUESTS;
    if (st != S7P_OK) {
        o->failed = true;
        o->st = st;
        s7p_op_fail(&o->op, &f);
        return;
    }
    unsigned window = o->plan.write ? 1 : o->op.s->eng.cfg.max_in_flight;
    for (unsigned i = 0; i < window && rw_send_next(o); i++) {
    }
}

static void rw_end(s7p_rw_op *o)
{
    s7p_rw_kept *k = &o->kept;
    if (o->nstale) {
        for (size_t j = 0; j < k->n; j++) {
            o->results[k->from[j]] = k->results[j];
            if (o->rvalues) o->rvalues[k->from[j]] = k->values[j];  /* the caller's now */
        }
        s7p_program_note_answers(o->c, k->results, k->n);
    } else {
        s7p_program_note_answers(o->c, o->results, o->n);
    }
    s7p_status st = s7p_program_explain(o->c, o->st, &o->op.f, rw_name(o));
    s7p_op_finish(&o->op, st);
}

/* The marker answered: tags of another program are not sent. */
static void rw_after_marker(s7p_rw_op *o)
{
    if (o->marker_st != S7P_OK) {  /* nothing was sent */
        if (o->rvalues) memset(o->rvalues, 0, o->n * sizeof *o->rvalues);
        for (size_t i = 0; i < o->n; i++) o->results[i] = (s7p_item_result){S7P_E_NOT_SENT, 0, 0};
        o->st = o->marker_st;
        o->op.phase = RW_END;
        return;
    }
    o->nstale = s7p_program_mark_stale(o->c, o->tags, o->n, o->known, o->marker, o->stale);
    if (o->nstale && !keep(&o->kept, o->tags, o->wvalues, o->stale, o->n)) {
        o->nstale = 0;
        o->st = s7p_fail_set(&o->op.f, S7P_E_NOMEM, "%s", rw_name(o));
        o->op.phase = RW_END;
        return;
    }
    if (o->nstale) {
        if (o->rvalues) memset(o->rvalues, 0, o->n * sizeof *o->rvalues);
        for (size_t i = 0; i < o->n; i++)
            if (o->stale[i]) mark_changed(&o->results[i]);
    }
    if (o->nstale && o->kept.n == 0) o->op.phase = RW_END;
    else rw_requests(o);
}

static void rw_step(s7p_op *op)
{
    s7p_rw_op *o = (s7p_rw_op *)op;
    switch (op->phase) {
    case RW_START: {
        o->stale = s7p_calloc(o->n ? o->n : 1, sizeof *o->stale);
        if (!o->stale) {
            s7p_fail_set(&op->f, S7P_E_NOMEM, "%s", rw_name(o));
            s7p_op_finish(op, S7P_E_NOMEM);
            return;
        }
        if (!s7p_program_unchecked(o->tags, o->n)) {
            rw_requests(o);
            return;
        }
        op->phase = RW_MARKER;
        s7p_op_req *r = s7p_op_req_new(op, 0, marker_take);
        s7p_fail f = {0};
        if (!r || s7p_program_marker_build(op->s, &r->a, &r->req, &f) != S7P_OK) {
            if (r) s7p_op_drop(r);
            s7p_fail_set(&f, S7P_E_NOMEM, "%s", rw_name(o));
            o->marker_st = s7p_op_fail(op, &f);
            return;
        }
        s7p_op_submit(r, s7p_deadline_in(o->request_ms), NULL, false);
        return;
    }
    case RW_MARKER: rw_after_marker(o); return;
    case RW_REQUESTS:
        /* A write's request was answered: the next one, or the end. */
        if (o->plan.write && rw_send_next(o)) return;
        op->phase = RW_END;
        return;
    default: rw_end(o); return;
    }
}

void s7p_rw_op_free(s7p_rw_op *o)
{
    if (o->planned) s7p_rw_plan_free(&o->plan);
    o->planned = false;
    kept_free(&o->kept);
    s7p_free(o->stale);
    o->stale = NULL;
}

void s7p_program_rw_start(s7p_rw_op *o, s7p_session *s, s7p_browse_cache *c, const s7p_tag *tags,
                          size_t n, s7p_tag_value *rvalues, const s7p_tag_value *wvalues,
                          s7p_item_result *results, uint32_t request_ms, s7p_op_done_fn done,
                          void *ctx)
{
    memset(o, 0, sizeof *o);
    s7p_op_init(&o->op, s, rw_step, done, ctx);
    o->c = c;
    o->tags = tags;
    o->n = n;
    o->rvalues = rvalues;
    o->wvalues = wvalues;
    o->results = results;
    o->request_ms = request_ms;
    s7p_op_start(&o->op);
}

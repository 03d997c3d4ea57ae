/* SPDX-License-Identifier: MIT */
/* Browse and symbol lookup as operations (op.h): the pure steps over the cache (the walk,
 * s7p_resolve_step) name what they miss, and the operation fetches it with the builders and
 * takers of browse.c, the requests of one need in flight together. The program's change
 * marker is read first (program.c). */
#include <string.h>

#include "services/browse_int.h"
#include "services/program.h"
#include "util/clock.h"

enum {
    P_START,        /* marker (a lookup: only when due) */
    P_MARKER,       /* the marker answered: continue at o->ret */
    P_DBS_LIST,     /* the DB list answered */
    P_DBS_RIDS,     /* the type ids answered: continue at o->ret */
    P_TYPES,        /* missing type information answered: continue at o->ret */
    P_WALK,         /* browse: the walk */
    P_RESOLVE,      /* lookup: the resolution */
    P_RECHECKED,    /* lookup: the marker read again after resolving */
};

static int64_t req_deadline(const s7p_browse_op *o)
{
    return s7p_browse_request_deadline(o->c, o->deadline);
}

static void fail(s7p_browse_op *o, s7p_status st, const s7p_fail *f)
{
    s7p_op_fail(&o->op, f);
    s7p_op_finish(&o->op, st);
}

/* ---- batches: requests k = 0..n-1 of one kind, up to max_in_flight outstanding ---- */

static void batch_take(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                       const s7p_fail *f);

static bool batch_build(s7p_browse_op *o, size_t k, s7p_op_req *r, s7p_fail *f)
{
    switch (o->op.phase) {
    case P_MARKER: return s7p_program_marker_build(o->op.s, &r->a, &r->req, f) == S7P_OK;
    case P_DBS_LIST: return s7p_browse_dbs_build(o->op.s, &r->a, &r->req, f) == S7P_OK;
    case P_DBS_RIDS: return s7p_browse_rids_build(o->op.s, o->c, k, &r->a, &r->req, f) == S7P_OK;
    default:
        return s7p_browse_typeinfo_build(o->op.s, o->m.rid[k], &o->c->arena, &r->req, f) == S7P_OK;
    }
}

static bool batch_send_next(s7p_browse_op *o)
{
    if (o->batch_failed || o->op.cancelled || o->batch_next >= o->batch_n) return false;
    size_t k = o->batch_next++;
    s7p_fail f = {0};
    s7p_op_req *r = s7p_op_req_new(&o->op, k, batch_take);
    if (!r || !batch_build(o, k, r, &f)) {
        if (r) s7p_op_drop(r);
        s7p_fail_set(&f, S7P_E_NOMEM, "browse");
        o->batch_failed = true;
        o->batch_st = s7p_op_fail(&o->op, &f);
        return false;
    }
    /* Type information is decoded into the cache's arena and kept there (the cache points
     * into it); the other answers are taken at once. */
    bool types = o->op.phase == P_TYPES;
    s7p_op_submit(r, req_deadline(o), types ? &o->c->arena : NULL, types);
    return true;
}

static void batch_start(s7p_browse_op *o, int phase, size_t n)
{
    o->op.phase = phase;
    o->batch_n = n;
    o->batch_next = 0;
    o->batch_failed = false;
    o->batch_st = S7P_OK;
    for (unsigned i = 0; i < o->op.s->eng.cfg.max_in_flight && batch_send_next(o); i++) {
    }
}

/* A failure of the batch: the first one wins, and no further request is sent. */
static void batch_failure(s7p_browse_op *o, s7p_status st, const s7p_fail *f)
{
    if (o->batch_failed) return;
    o->batch_failed = true;
    o->batch_st = st;
    s7p_op_fail(&o->op, f);
}

static void batch_take(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                       const s7p_fail *got)
{
    s7p_browse_op *o = (s7p_browse_op *)op;
    s7p_fail f = {0};
    if (st != S7P_OK) f = *got;
    else if (op->phase == P_MARKER) s7p_program_marker_take(resp, &o->known, &o->marker);
    else if (op->phase == P_DBS_LIST)
        st = s7p_browse_dbs_take(o->c, resp, op->s->limits.tags_per_read, &f);
    else if (op->phase == P_DBS_RIDS) st = s7p_browse_rids_take(o->c, k, resp, &f);
    else st = s7p_browse_typeinfo_take(o->c, o->m.rid[k], resp, &f);
    /* A refused tag table means "no such table"; a refused look-ahead comes back as needed
     * later and fails then, in its turn. */
    if (op->phase == P_TYPES && st == S7P_E_PLC &&
        (s7p_browse_typeinfo_refused(o->c, o->m.rid[k]) || k >= o->m.needed))
        st = S7P_OK;
    if (st != S7P_OK) batch_failure(o, st, &f);
    batch_send_next(o);
}

/* ---- sub-steps that continue at o->ret ---- */

static void marker(s7p_browse_op *o, int ret)
{
    o->ret = ret;
    batch_start(o, P_MARKER, 1);
}

static void dbs(s7p_browse_op *o, int ret)
{
    o->ret = ret;
    if (o->c->have_dbs) {
        o->op.phase = ret;
        return;
    }
    batch_start(o, P_DBS_LIST, 1);
}

static void fetch(s7p_browse_op *o, int ret)
{
    o->ret = ret;
    batch_start(o, P_TYPES, o->m.n);
}

/* ---- browse ---- */

static void walk(s7p_browse_op *o)
{
    if (s7p_browse_walk_step(&o->walk, o->c, &o->m) == S7P_WALK_DONE) {
        s7p_op_finish(&o->op, S7P_OK);
        return;
    }
    /* Nothing is in flight between two steps, and the walk holds no pointer into the types:
     * the ones it walked past may go, and the missing ones are asked for again. Once per
     * block at most: a block whose types alone exceed the budget must still get them all. */
    if (o->c->arena.total > S7P_BROWSE_CACHE_BUDGET && o->trimmed_at != o->walk.block + 1) {
        o->trimmed_at = o->walk.block + 1;
        s7p_browse_cache_trim(o->c, S7P_BROWSE_CACHE_BUDGET);
        (void)s7p_browse_walk_step(&o->walk, o->c, &o->m);
    }
    fetch(o, P_WALK);
}

/* ---- symbol lookup ---- */

static void finish_lookup(s7p_browse_op *o, s7p_status st)
{
    if (st == S7P_OK) o->out->program_stamp = s7p_program_stamp(o->c);
    s7p_op_finish(&o->op, st);
}

/* The resolution ended with st (why in o->why). A name the cached program lacks may be new;
 * a tag without a CRC (an index in its path) is protected by its stamp alone, so it must
 * name the program running now. Either way: check the marker now unless this call just did,
 * and resolve again if it changed. */
static void resolved(s7p_browse_op *o, s7p_status st)
{
    bool recheck = st == S7P_E_NOT_FOUND || (st == S7P_OK && o->out->symbol_crc == 0);
    if (recheck && !o->marker_read) {
        o->first = st;
        marker(o, P_RECHECKED);
        return;
    }
    if (st != S7P_OK) s7p_op_fail(&o->op, &o->why);
    finish_lookup(o, st);
}

static void resolve(s7p_browse_op *o)
{
    memset(&o->why, 0, sizeof o->why);
    switch (s7p_resolve_step(o->c, o->symbol, o->out, &o->m, &o->why)) {
    case S7P_RESOLVE_DONE: resolved(o, S7P_OK); return;
    case S7P_RESOLVE_FAILED: resolved(o, o->why.code); return;
    case S7P_RESOLVE_NEED_DBS: dbs(o, P_RESOLVE); return;
    case S7P_RESOLVE_NEED_TYPES: fetch(o, P_RESOLVE); return;
    }
}

/* ---- the step ---- */

static void after_marker(s7p_browse_op *o)
{
    bool dropped = s7p_program_take_marker(o->c, o->known, o->marker);
    o->marker_read = true;
    if (o->ret != P_RECHECKED) {
        o->op.phase = o->ret;
        return;
    }
    if (dropped) {
        o->op.phase = P_RESOLVE;
        return;
    }
    /* The first resolution's outcome stands (o->why). */
    if (o->first != S7P_OK) s7p_op_fail(&o->op, &o->why);
    finish_lookup(o, o->first);
}

static void browse_step(s7p_op *op)
{
    s7p_browse_op *o = (s7p_browse_op *)op;
    bool batch = op->phase == P_MARKER || op->phase == P_DBS_LIST || op->phase == P_DBS_RIDS ||
                 op->phase == P_TYPES;
    if (batch && o->batch_failed) {
        fail(o, o->batch_st, NULL);
        return;
    }
    switch (op->phase) {
    case P_START:
        if (o->symbol && !s7p_program_marker_due(o->c, S7P_PROGRAM_CHECK_MS)) {
            op->phase = P_RESOLVE;
            return;
        }
        marker(o, o->symbol ? P_RESOLVE : P_WALK);
        return;
    case P_MARKER: after_marker(o); return;
    case P_DBS_LIST: batch_start(o, P_DBS_RIDS, s7p_browse_rids_requests(o->c)); return;
    case P_DBS_RIDS:
        o->c->have_dbs = true;
        op->phase = o->ret;
        return;
    case P_TYPES: op->phase = o->ret; return;
    case P_WALK:
        if (!o->c->have_dbs) {
            dbs(o, P_WALK);
            return;
        }
        if (!o->walk_started) {
            o->walk_started = true;
            s7p_browse_walk_init(&o->walk, o->c, o->fn, o->fn_ctx);
            /* The types of the next blocks come in the same round of requests, so that
             * max_in_flight requests are outstanding rather than one per block. */
            o->walk.ahead = op->s->eng.cfg.max_in_flight;
        }
        walk(o);
        return;
    case P_RESOLVE: resolve(o); return;
    default: s7p_op_finish(op, S7P_E_STATE); return;
    }
}

void s7p_program_browse_start(s7p_browse_op *o, s7p_session *s, s7p_browse_cache *c,
                              s7p_browse_fn fn, void *ctx, int64_t deadline,
                              s7p_op_done_fn done, void *done_ctx)
{
    memset(o, 0, sizeof *o);
    s7p_op_init(&o->op, s, browse_step, done, done_ctx);
    o->c = c;
    o->fn = fn;
    o->fn_ctx = ctx;
    o->deadline = deadline;
    s7p_op_start(&o->op);
}

void s7p_program_resolve_start(s7p_browse_op *o, s7p_session *s, s7p_browse_cache *c,
                               const char *symbol, s7p_tag *out, int64_t deadline,
                               s7p_op_done_fn done, void *done_ctx)
{
    memset(o, 0, sizeof *o);
    s7p_op_init(&o->op, s, browse_step, done, done_ctx);
    o->c = c;
    o->symbol = symbol;
    o->out = out;
    o->deadline = deadline;
    s7p_op_start(&o->op);
}

/* SPDX-License-Identifier: MIT */
/* The step-machine driver of the services' operations (op.h). */
#include "services/op.h"

#include <string.h>

#include "util/alloc.h"

void s7p_op_init(s7p_op *op, s7p_session *s, s7p_op_step_fn step, s7p_op_done_fn done,
                 void *ctx)
{
    memset(op, 0, sizeof *op);
    op->s = s;
    op->step = step;
    op->done = done;
    op->ctx = ctx;
}

/* Steps while nothing is outstanding; reports the end last (the owner may free op then). */
static void run(s7p_op *op)
{
    if (op->running) return;  /* a completion inside a step: the loop below goes on */
    op->running = true;
    for (;;) {
        if (op->finished) {
            op->running = false;
            if (op->done) op->done(op->ctx, op);
            return;
        }
        if (op->outstanding > 0) break;
        if (op->cancelled) {
            s7p_fail_set(&op->f, S7P_E_CANCELLED, "cancelled");
            op->st = S7P_E_CANCELLED;
            op->finished = true;
            continue;
        }
        op->step(op);
    }
    op->running = false;
}

void s7p_op_start(s7p_op *op) { run(op); }

s7p_op_req *s7p_op_req_new(s7p_op *op, size_t k, s7p_op_take_fn take)
{
    s7p_op_req *r = s7p_calloc(1, sizeof *r);
    if (!r) return NULL;
    r->op = op;
    r->k = k;
    r->take = take;
    s7p_arena_init(&r->a, S7P_ARENA_DEFAULT_LIMIT);
    return r;
}

void s7p_op_drop(s7p_op_req *r)
{
    s7p_arena_release(&r->a);
    s7p_free(r);
}

static void unlink_req(s7p_op *op, s7p_op_req *r)
{
    if (r->prev) r->prev->next = r->next;
    else op->reqs = r->next;
    if (r->next) r->next->prev = r->prev;
}

static void req_done(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                     const s7p_fail *f)
{
    (void)id;
    s7p_op_req *r = ctx;
    s7p_op *op = r->op;
    unlink_req(op, r);
    r->take(op, r->k, st, resp, f);
    s7p_op_drop(r);
    op->outstanding--;
    if (op->outstanding == 0) run(op);
}

void s7p_op_submit(s7p_op_req *r, int64_t deadline, s7p_arena *into, bool keep)
{
    s7p_op *op = r->op;
    r->next = op->reqs;
    if (op->reqs) op->reqs->prev = r;
    op->reqs = r;
    op->outstanding++;
    s7p_engine_request er = {&r->req, deadline, into ? into : &r->a, keep, req_done, r};
    s7p_status st = s7p_engine_submit(&op->s->eng, &er, 0, &r->id);
    if (st == S7P_OK) return;
    s7p_fail f = {0};
    if (op->s->eng.phase == S7P_ENGINE_FAULTED) f = op->s->eng.fault;
    else s7p_fail_set(&f, st, "send: not connected");
    f.unsent = true;
    req_done(r, 0, f.code, NULL, &f);
}

s7p_status s7p_op_fail(s7p_op *op, const s7p_fail *got)
{
    if (op->f.code == S7P_OK && got) op->f = *got;
    return got ? got->code : op->f.code;
}

void s7p_op_finish(s7p_op *op, s7p_status st)
{
    if (st != S7P_OK && op->f.code == S7P_OK) s7p_fail_set(&op->f, st, "failed");
    op->st = st;
    op->finished = true;
}

void s7p_op_cancel(s7p_op *op)
{
    if (op->finished || op->cancelled) return;
    op->cancelled = true;
    bool inside = op->running;  /* called from a step's callback: its loop goes on */
    op->running = true;  /* the completions below must not step: the loop runs once after */
    while (op->reqs) {
        s7p_op_req *r = op->reqs;
        if (!s7p_engine_cancel(&op->s->eng, r->id)) {
            /* Not in the engine any more (cannot happen while listed): complete it here. */
            s7p_fail f = {0};
            s7p_fail_set(&f, S7P_E_CANCELLED, "request cancelled");
            req_done(r, 0, S7P_E_CANCELLED, NULL, &f);
        }
    }
    op->running = inside;
    if (!inside) run(op);
}

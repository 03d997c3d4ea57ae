/* SPDX-License-Identifier: MIT */
/* Operations as step machines over the session engine. An operation (info, a read or write
 * batch, a browse, a symbol lookup) is a step function plus takers: a step issues the
 * requests it needs at once (they are independent, so the engine keeps up to max_in_flight
 * of them outstanding), each answer goes to its taker, and when none is outstanding the
 * step runs again, until it finishes the operation. Nothing here blocks or touches a
 * socket: whoever drives the engine (client/) drives every operation on it.
 *
 * Every call into an operation (start, cancel, and the engine calls that complete its
 * requests) may finish it: `done` runs then, once, as the last thing the operation does;
 * after it the owner may free the operation. */
#ifndef S7P_SERVICES_OP_H
#define S7P_SERVICES_OP_H

#include "session/session.h"

typedef struct s7p_op s7p_op;
typedef struct s7p_op_req s7p_op_req;

/** The next step: runs when no request of op is outstanding (op->phase says where it is). */
typedef void (*s7p_op_step_fn)(s7p_op *op);
/** The answer (st S7P_OK, resp valid during the call) or the failure (f; f->unsent: the
 *  request never went out) of request k. */
typedef void (*s7p_op_take_fn)(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                               const s7p_fail *f);
typedef void (*s7p_op_done_fn)(void *ctx, s7p_op *op);

struct s7p_op {
    s7p_session *s;
    s7p_op_step_fn step;
    s7p_op_done_fn done;
    void *ctx;
    s7p_status st;            /* the outcome once finished */
    s7p_fail f;               /* its details when it failed */
    int phase;                /* the step machine's own state */
    unsigned outstanding;     /* requests submitted and not completed */
    s7p_op_req *reqs;         /* those requests (for cancel) */
    bool running, finished, cancelled;
};

/** One request of an operation: build it in `req`, its trees in `a` (freed with it). */
struct s7p_op_req {
    s7p_op_req *prev, *next;
    s7p_op *op;
    size_t k;
    s7p_op_take_fn take;
    uint64_t id;
    s7p_arena a;
    s7p_pdu req;
};

void s7p_op_init(s7p_op *op, s7p_session *s, s7p_op_step_fn step, s7p_op_done_fn done,
                 void *ctx);
/** Runs the first step (and what follows synchronously). */
void s7p_op_start(s7p_op *op);
/** A new request k for take; NULL when out of memory. Build into r->req / r->a, then
 *  s7p_op_submit() or s7p_op_drop(). */
s7p_op_req *s7p_op_req_new(s7p_op *op, size_t k, s7p_op_take_fn take);
void s7p_op_drop(s7p_op_req *r);
/** Submits r with this deadline (`into`: the answer's trees go there instead of r->a; keep:
 *  copied too). A refusal completes it at once through take (f->unsent). */
void s7p_op_submit(s7p_op_req *r, int64_t deadline, s7p_arena *into, bool keep);
/** Ends the operation with st (S7P_OK, or the failure in op->f / made here from fmt). */
void s7p_op_finish(s7p_op *op, s7p_status st);
/** Cancels: requests in flight complete with S7P_E_CANCELLED (their answers are dropped by
 *  the engine), queued ones are never sent; the operation finishes with S7P_E_CANCELLED. */
void s7p_op_cancel(s7p_op *op);

/** Keeps the first failure: copies got into op->f unless it holds one. Returns got->code. */
s7p_status s7p_op_fail(s7p_op *op, const s7p_fail *got);

#endif

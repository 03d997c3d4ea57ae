/* SPDX-License-Identifier: MIT */
/* Tag subscriptions on the PLC (services spec §1): create (a subscription object under the
 * session's subscription container), modify (a new reference list or cycle time), delete,
 * and the credit-limit write that keeps the PLC sending. Step machines over the session
 * engine (op.h); the objects and reference lists come from proto/subscription.h. Nothing
 * here keeps the subscription's state: client/ does. */
#ifndef S7P_SERVICES_SUBSCRIBE_H
#define S7P_SERVICES_SUBSCRIBE_H

#include "proto/subscription.h"
#include "services/op.h"

typedef enum {
    S7P_SUBOP_CREATE,          /* check PlcSubscriptionsFree, then CreateObject */
    S7P_SUBOP_REFS,            /* SetVariable of the reference list (add / remove tags) */
    S7P_SUBOP_CYCLE,           /* SetVariable of the cycle time */
    S7P_SUBOP_DELETE,          /* DeleteObject */
} s7p_subop_kind;

/** One subscription operation. Its inputs (params, refs) are copied at start into `keep`,
 *  so the caller may change or free its own arrays once start returned. */
typedef struct s7p_sub_op {
    s7p_op op;                 /* first: the operation */
    s7p_subop_kind kind;
    uint32_t request_ms;
    s7p_sub_params params;     /* CREATE: the copy */
    s7p_sub_refs refs;         /* REFS: the copy */
    uint32_t object_id;        /* REFS, CYCLE, DELETE: the subscription object; CREATE: its
                                  id once created */
    uint32_t cycle_ms;         /* CYCLE */
    int32_t free_slots;        /* CREATE: PlcSubscriptionsFree as read; -1 not known */
    s7p_arena keep;            /* the copies (the requests point into them until sent) */
} s7p_sub_op;

/** Creates a subscription object (p->rel_id, attributes, references) under the session's
 *  subscription container. First reads PlcSubscriptionsFree (ObjectRoot / FreeItems, LID 0):
 *  0 fails with S7P_E_LIMIT and sends no create; an unreadable value is not a reason to
 *  stop (older PLCs do not report it). A refusal is S7P_E_PLC with the PLC's return value.
 *  On success o->object_id is the new object. Each request bounded by request_ms. */
void s7p_sub_create_start(s7p_sub_op *o, s7p_session *s, const s7p_sub_params *p,
                          uint32_t request_ms, s7p_op_done_fn done, void *ctx);
/** Writes a new reference list (add and remove items; create false, the next change
 *  counter) to the subscription object. */
void s7p_sub_refs_start(s7p_sub_op *o, s7p_session *s, uint32_t object_id,
                        const s7p_sub_refs *refs, uint32_t request_ms, s7p_op_done_fn done,
                        void *ctx);
/** Writes a new cycle time. */
void s7p_sub_cycle_start(s7p_sub_op *o, s7p_session *s, uint32_t object_id, uint32_t cycle_ms,
                         uint32_t request_ms, s7p_op_done_fn done, void *ctx);
/** Deletes the subscription object. */
void s7p_sub_delete_start(s7p_sub_op *o, s7p_session *s, uint32_t object_id,
                          uint32_t request_ms, s7p_op_done_fn done, void *ctx);

/** Takes the answer of the PlcSubscriptionsFree read (item 1, a scalar DInt >= 0); -1
 *  (not known) for a refusal or anything else. */
int32_t s7p_sub_free_take(const s7p_pdu *resp);
/** Takes the answer of the CreateObject (its return value checked before): the new object's
 *  id into *object_id, else S7P_E_PROTOCOL (in f). */
s7p_status s7p_sub_created_take(const s7p_pdu *resp, uint32_t *object_id, s7p_fail *f);

/** Releases what the operation keeps (once it is finished). Safe on a zeroed op. */
void s7p_sub_op_free(s7p_sub_op *o);

/** Builds the credit-limit write: SetVariable of SubscriptionCreditLimit (Int) on the
 *  subscription object, sent without expecting an answer (flags 0x74, spec §1.2). Its trees
 *  live in a (they must stay until the engine sent it). */
bool s7p_sub_credit_request(s7p_engine *e, s7p_pdu *p, uint32_t object_id, int16_t limit,
                            s7p_arena *a);

/** The credit limit to grant next: none (returns false) while more than `step`
 *  notifications are left before the PLC's credit tick reaches `limit`; else the limit
 *  `step` further on (spec §1.4; the tick is one byte, so the limit wraps within 1..255).
 *  limit < 0 (unlimited): never. */
bool s7p_sub_next_credit(int16_t limit, uint8_t tick, uint8_t step, int16_t *next);

#endif

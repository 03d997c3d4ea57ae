/* SPDX-License-Identifier: MIT */
/* Shared by the session layer (engine.c: request table, dispatch, timers; engine_steps.c:
 * connect and close sequences; session.c). Not for other layers. */
#ifndef S7P_SESSION_ENGINE_INT_H
#define S7P_SESSION_ENGINE_INT_H

#include "session/engine.h"

typedef enum { NODE_QUEUED, NODE_IN_FLIGHT, NODE_TOMBSTONE } s7p_node_state;

struct s7p_engine_node {
    s7p_engine_node *prev, *next;
    uint64_t id;
    s7p_node_state state;
    s7p_pdu req;
    int64_t deadline;
    s7p_arena *into;
    bool keep;
    s7p_engine_done_fn done;
    void *ctx;
};

/** Faults the engine with f (first fault wins): the link breaks, every pending request
 *  completes with the fault, a connect or close in progress ends with it. */
void s7p_engine_fail_(s7p_engine *e, const s7p_fail *f);
/** Faults the engine with the link's own error (the link is broken already). */
void s7p_engine_fail_link_(s7p_engine *e);
/** Submits without the phase check (the connect and close steps, the heartbeat). */
s7p_status s7p_engine_submit_(s7p_engine *e, const s7p_engine_request *r, uint64_t *id);
/** Connect phases working on bytes (COTP, TLS): advances them with what was fed. */
void s7p_engine_setup_bytes_(s7p_engine *e);
/** The transport failed during the COTP connect: faults with the COTP message. */
void s7p_engine_cotp_transport_(s7p_engine *e, s7p_status st);
/** Ends a connect or close in progress (once). */
void s7p_engine_step_end_(s7p_engine *e, s7p_status st, const s7p_fail *f);
/** S7P_E_PLC (f filled) when the answer's return code is negative. */
s7p_status s7p_engine_check_ret_(const s7p_pdu *resp, const char *step, s7p_fail *f);

/* ---- legacy security (engine_legacy.c) ---- */

/** The CreateObject answer came in clear (LEGACY or AUTO after a refused InitSsl): reads the
 *  challenge and sends the authentication, or fails the connect. `session` is the answer's
 *  ServerSession object, in the step arena. */
void s7p_engine_legacy_auth_(s7p_engine *e, const s7p_object *session);
/** A request about to be queued: in a signed session it becomes a V3 PDU with a digest
 *  field (the link signs it). */
void s7p_engine_legacy_prepare_(s7p_engine *e, s7p_pdu *p);
/** True when the queued request n must wait (a key renewal is due or running). */
bool s7p_engine_legacy_holds_(const s7p_engine *e, const s7p_engine_node *n);
/** Starts a due key renewal once nothing else is in flight. */
void s7p_engine_legacy_pump_(s7p_engine *e);
/** Notes a renewal that has come due. */
void s7p_engine_legacy_tick_(s7p_engine *e, int64_t now);
/** When the next renewal is due (INT64_MAX: none). */
int64_t s7p_engine_legacy_deadline_(const s7p_engine *e);
/** Continues the connect after the authentication (engine_steps.c). */
void s7p_engine_after_auth_(s7p_engine *e);
/** Ends a connect step with a failure. */
void s7p_engine_step_failed_(s7p_engine *e, const s7p_fail *f);
/** Submits a request of the connect sequence, bounded by the step deadline. */
void s7p_engine_step_request_(s7p_engine *e, s7p_pdu *req, bool keep, s7p_engine_done_fn done);

#endif

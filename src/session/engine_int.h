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

#endif

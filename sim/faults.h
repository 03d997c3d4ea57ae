/* SPDX-License-Identifier: MIT */
/* Fault injection: which request a fault hits (sim_fault_take) and what is sent instead of
 * the answer (sim_fault_apply). The public side (set, clear, hits, parse) is in sim.h. */
#ifndef S7P_SIM_FAULTS_H
#define S7P_SIM_FAULTS_H

#include "sim_int.h"

/** What the connection does after sim_fault_apply(). */
typedef enum sim_fault_next {
    SIM_FAULT_ANSWER,             /* go on as without a fault, with the (changed) reply */
    SIM_FAULT_KEEP,               /* nothing more for this request; keep the connection */
    SIM_FAULT_CLOSE,              /* end the connection */
} sim_fault_next;

/** Counts a request of this function against the active fault; true (and *f, a copy) when
 *  the fault fires for it. */
bool sim_fault_take(s7p_sim *s, uint16_t function, s7p_sim_fault *f);

/** The reply of a PLC_ERROR fault: the return value alone, instead of running the request. */
void sim_fault_plc_error(const s7p_pdu *req, const s7p_sim_fault *f, sim_reply *r);

/** Carries out fault f for request req whose normal reply is *r (may change *r). */
sim_fault_next sim_fault_apply(sim_conn *c, const s7p_pdu *req, const s7p_sim_fault *f,
                               s7p_arena *a, sim_reply *r);

/** Counts a notification about to be sent against the active fault (only one whose function
 *  is S7P_SIM_FAULT_NOTIFICATION); true when the fault sent it in its place (FLIP_BIT). */
bool sim_fault_on_notification(sim_conn *c, const s7p_pdu *p, s7p_arena *a);

/** Sends the notifications configured with s7p_sim_set_notify() that precede the answer to
 *  req (none if it does not match). False when sending failed (the connection is broken). */
bool sim_notify_before_answer(sim_conn *c, const s7p_pdu *req, s7p_arena *a);

/** Runs the test hook (s7p_sim_set_request_hook) for req if it matches. */
void sim_request_hook(s7p_sim *s, const s7p_pdu *req);

#endif

/* SPDX-License-Identifier: MIT */
/* One DEBUG log line per PDU sent or received (what `-vv` shows): direction, function,
 * opcode, sequence number and size of the PDU's data part, e.g.
 *     send GetMultiVariables request seq=5 size=42
 *     recv GetMultiVariables response seq=5 size=120 ret=-17
 * Nothing is formatted unless the sink takes DEBUG. */
#ifndef S7P_SESSION_PDU_LOG_H
#define S7P_SESSION_PDU_LOG_H

#include "session/channel.h"
#include "util/log.h"

/** Logs one PDU (sent: outbound) with its data part's size. */
void s7p_log_pdu(const s7p_log_sink *log, bool outbound, const s7p_pdu *p, size_t size);
/** Logs a received message that is not a PDU (system event, keep-alive). */
void s7p_log_msg(const s7p_log_sink *log, const s7p_msg *m);

#endif

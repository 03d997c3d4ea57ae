/* SPDX-License-Identifier: MIT */
#include "session/pdu_log.h"

#include <stdio.h>

#include "proto/functions.h"

#define LAYER "pdu"

static const char *opcode_name(uint8_t opcode)
{
    switch (opcode) {
    case S7P_OP_REQUEST: return "request";
    case S7P_OP_RESPONSE:
    case S7P_OP_RESPONSE2: return "response";
    case S7P_OP_NOTIFICATION: return "notification";
    default: return "opcode?";
    }
}

void s7p_log_pdu(const s7p_log_sink *log, bool outbound, const s7p_pdu *p, size_t size)
{
    if (!s7p_log_on(log, S7P_LOG_DEBUG)) return;
    const char *name = s7p_function_name(p->function);
    char code[16];
    if (!name) {
        snprintf(code, sizeof code, "0x%04x", p->function);
        name = code;
    }
    bool response = p->opcode == S7P_OP_RESPONSE || p->opcode == S7P_OP_RESPONSE2;
    char ret[32] = "";
    if (response && s7p_ret_code(p->ret) != 0)
        snprintf(ret, sizeof ret, " ret=%d", s7p_ret_code(p->ret));
    s7p_logf(log, S7P_LOG_DEBUG, LAYER, "%s %s %s seq=%u size=%zu%s", outbound ? "send" : "recv",
             name, opcode_name(p->opcode), p->seq, size, ret);
}

void s7p_log_msg(const s7p_log_sink *log, const s7p_msg *m)
{
    if (!s7p_log_on(log, S7P_LOG_DEBUG)) return;
    if (m->kind == S7P_MSG_PDU)
        s7p_log_pdu(log, false, &m->pdu, m->raw_len);
    else
        s7p_logf(log, S7P_LOG_DEBUG, LAYER, "recv %s",
                 m->kind == S7P_MSG_SYSTEM_EVENT ? "system event" : "keep-alive");
}

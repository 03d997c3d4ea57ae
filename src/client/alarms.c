/* SPDX-License-Identifier: MIT */
/* The active-alarm snapshot of the public API (s7p_get_active_alarms and its asynchronous
 * form); the work is the services' operation (services/alarm.c). */
#include "client/client_int.h"

static s7p_req *alarms_req(s7p_client *c, uint32_t lcid, s7p_alarm_list **out)
{
    s7p_req *r = s7p_req_new(c, RQ_ALARMS, "alarms", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE);
    if (r) {
        r->alarm_lcid = lcid;
        r->alarms_out = out;
    }
    return r;
}

s7p_status s7p_get_active_alarms(s7p_client *c, uint32_t lcid, s7p_alarm_list **out,
                                 s7p_error *err)
{
    if (out) *out = NULL;
    if (!c || !out || lcid > 0xFFFFu) return S7P_E_INVALID_ARG;
    s7p_req *r = alarms_req(c, lcid, out);
    if (!r) return S7P_E_NOMEM;
    return s7p_req_run(c, r, err);
}

s7p_status s7p_get_active_alarms_async(s7p_client *c, uint32_t lcid, s7p_alarm_list **out,
                                       s7p_done_fn done, void *ctx, s7p_request_id *id)
{
    if (out) *out = NULL;
    if (!c || !out || !done || lcid > 0xFFFFu) return S7P_E_INVALID_ARG;
    s7p_req *r = alarms_req(c, lcid, out);
    if (!r) return S7P_E_NOMEM;
    r->done_fn = done;
    r->done_ctx = ctx;
    return s7p_req_start(c, r, id);
}

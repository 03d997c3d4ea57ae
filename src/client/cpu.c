/* SPDX-License-Identifier: MIT */
/* Public CPU culture info, communication resources and operating state, blocking and
 * asynchronous: requests of the driver's queue around the operations of services/cpu.c. */
#include "client/client_int.h"

s7p_req *s7p_cpu_req(s7p_client *c, s7p_cpu_op_kind kind, void *out)
{
    static const char *const names[] = {"culture", "resources", "state"};
    s7p_req *r = s7p_req_new(c, RQ_CPU, names[kind], S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE);
    if (r) {
        r->cpu_kind = kind;
        r->cpu_out = out;
    }
    return r;
}

static s7p_status run(s7p_client *c, s7p_cpu_op_kind kind, void *out, s7p_error *err)
{
    if (!c || !out) return S7P_E_INVALID_ARG;
    s7p_req *r = s7p_cpu_req(c, kind, out);
    return r ? s7p_req_run(c, r, err) : S7P_E_NOMEM;
}

static s7p_status start(s7p_client *c, s7p_cpu_op_kind kind, void *out, s7p_done_fn done,
                        void *ctx, s7p_request_id *id)
{
    if (!c || !out || !done) return S7P_E_INVALID_ARG;
    s7p_req *r = s7p_cpu_req(c, kind, out);
    if (!r) return S7P_E_NOMEM;
    r->done_fn = done;
    r->done_ctx = ctx;
    return s7p_req_start(c, r, id);
}

s7p_status s7p_get_cpu_culture_info(s7p_client *c, s7p_cpu_culture_info *out, s7p_error *err)
{
    return run(c, S7P_CPU_OP_CULTURE, out, err);
}

s7p_status s7p_get_communication_resources(s7p_client *c, s7p_comm_resources *out,
                                           s7p_error *err)
{
    return run(c, S7P_CPU_OP_RESOURCES, out, err);
}

s7p_status s7p_get_cpu_state(s7p_client *c, s7p_cpu_state_info *out, s7p_error *err)
{
    return run(c, S7P_CPU_OP_STATE, out, err);
}

s7p_status s7p_get_cpu_culture_info_async(s7p_client *c, s7p_cpu_culture_info *out,
                                          s7p_done_fn done, void *ctx, s7p_request_id *id)
{
    return start(c, S7P_CPU_OP_CULTURE, out, done, ctx, id);
}

s7p_status s7p_get_communication_resources_async(s7p_client *c, s7p_comm_resources *out,
                                                 s7p_done_fn done, void *ctx,
                                                 s7p_request_id *id)
{
    return start(c, S7P_CPU_OP_RESOURCES, out, done, ctx, id);
}

s7p_status s7p_get_cpu_state_async(s7p_client *c, s7p_cpu_state_info *out, s7p_done_fn done,
                                   void *ctx, s7p_request_id *id)
{
    return start(c, S7P_CPU_OP_STATE, out, done, ctx, id);
}

/* SPDX-License-Identifier: MIT */
/* CPU culture info, communication resources and operating state (services spec §3.2-3.4)
 * as operations over the session engine (op.h), and the pure takers of their answers. */
#ifndef S7P_SERVICES_CPU_H
#define S7P_SERVICES_CPU_H

#include "services/op.h"

/* Objects, attributes and classes these operations read. */
enum {
    S7P_ID_TEXT_CONTAINER = 114,          /* NativeObjects.theTextContainer */
    S7P_ATTR_TEXT_CONTAINER_LCIDS = 2717, /* TextContainer.LCIDs: UInt array */
    S7P_CLASS_TEXT_CONTAINER = 4672,      /* TextContainer.Class_Rid */
    S7P_ATTR_HWOBJECT_DIS = 2237,         /* HWObject.DIS on object 52: a struct */
    S7P_ATTR_DIS_OPERATING_STATE = 3486,  /* AS_DIS.OperatingState, a member of it */
    S7P_ATTR_CPU_STATE_FALLBACK = 3451,   /* on object 50, older firmware */
};

/** Takes an Explore answer of the text container: the LCIDs of the object with RID 114 or
 *  class 4672 (searched through the children), attribute 2717, a UInt array or one UInt.
 *  S7P_E_PLC for a refusal, S7P_E_PROTOCOL (in f) when the list is missing. */
s7p_status s7p_culture_take(const s7p_pdu *resp, s7p_cpu_culture_info *out, s7p_fail *f);

/** Sets *out to the defaults of the resources (20 tags per request, 0 for the others). */
void s7p_resources_defaults(s7p_comm_resources *out);
/** Takes the answer of the maximum values (free: false) or of the free ones (true). */
void s7p_resources_take(const s7p_pdu *resp, bool free, s7p_comm_resources *out);

/** Takes the value of an operating-state read of attribute `source` (3486: the DIS struct
 *  holding member 3486, or the number alone; 3451: a number). False when it holds none. */
bool s7p_cpu_state_take(const s7p_value *v, uint32_t source, s7p_cpu_state_info *out);

typedef enum s7p_cpu_op_kind {
    S7P_CPU_OP_CULTURE,
    S7P_CPU_OP_RESOURCES,
    S7P_CPU_OP_STATE,
} s7p_cpu_op_kind;

/** The operation: culture (one Explore), resources (two GetMultiVariables in flight
 *  together; the session's tags-per-request limits take the answer), state (one
 *  GetVarSubStreamed, then the fallback read when the PLC refused it or its answer held no
 *  state). Each request is bounded by request_ms. out is the kind's public struct, zeroed
 *  (resources: set to the defaults) first. */
typedef struct s7p_cpu_op {
    s7p_op op;                  /* first: the operation */
    s7p_cpu_op_kind kind;
    void *out;
    uint32_t request_ms;
    s7p_status st[2];
    s7p_fail f[2];
    bool got_state;             /* state: the read of this phase gave one */
} s7p_cpu_op;

void s7p_cpu_op_start(s7p_cpu_op *o, s7p_session *s, s7p_cpu_op_kind kind, void *out,
                      uint32_t request_ms, s7p_op_done_fn done, void *ctx);

#endif

/* SPDX-License-Identifier: MIT */
/* The CPU execution unit (object 52, theCPUexecUnit): its operating state as HMIs read it
 * and as a RUN/STOP request changes it (services spec §3.4, §3.5; docs/protocol.md §8.2),
 * and the shape of a real CPU's error return values (§8.4). */
#include <string.h>
#include <strings.h>

#include "sim_int.h"

#define ATTR_HWOBJECT_DIS 2237u          /* HWObject.DIS: struct of the diagnostic state */
#define ATTR_DIS_OPERATING_STATE 3486u   /* AS_DIS.OperatingState, a member of it */
#define STRUCT_AS_DIS 3481u              /* AS_DIS.Class_Rid, the struct's id (assumed) */
#define ATTR_OPERATING_STATE_REQ 2167u   /* CPUexecUnit.OperatingStateREQ */
#define REQ_STOP 1
#define REQ_RUN 3

static const struct {
    s7p_sim_state state;
    const char *name;
} STATES[] = {
    {S7P_SIM_STATE_RUN, "run"}, {S7P_SIM_STATE_STOP, "stop"},
    {S7P_SIM_STATE_STARTUP, "startup"}, {S7P_SIM_STATE_HOLD, "hold"},
    {S7P_SIM_STATE_DEFECTIVE, "defective"},
};
#define NSTATES (sizeof STATES / sizeof STATES[0])

const char *s7p_sim_state_name(s7p_sim_state state)
{
    for (size_t i = 0; i < NSTATES; i++)
        if (STATES[i].state == state) return STATES[i].name;
    return "?";
}

bool s7p_sim_state_parse(const char *name, s7p_sim_state *state)
{
    for (size_t i = 0; name && i < NSTATES; i++) {
        if (strcasecmp(name, STATES[i].name) == 0) {
            *state = STATES[i].state;
            return true;
        }
    }
    return false;
}

bool s7p_sim_set_state(s7p_sim *s, s7p_sim_state state)
{
    if (strcmp(s7p_sim_state_name(state), "?") == 0) return false;
    s7p_sim_state old = (s7p_sim_state)atomic_exchange(&s->state, (int)state);
    if (old != state)
        sim_log(s, 1, "operating state %s -> %s", s7p_sim_state_name(old),
                s7p_sim_state_name(state));
    return true;
}

s7p_sim_state s7p_sim_get_state(const s7p_sim *s)
{
    return (s7p_sim_state)atomic_load(&((s7p_sim *)s)->state);
}

static void set_dint(s7p_value *v, int32_t x)
{
    memset(v, 0, sizeof *v);
    v->type = S7P_DT_DINT;
    v->v.i = x;
}

bool sim_exec_attr(s7p_sim *s, const uint32_t *ids, uint32_t n, s7p_arena *a, s7p_value *out)
{
    if (n == 0 || ids[0] != ATTR_HWOBJECT_DIS) return false;
    int32_t state = (int32_t)s7p_sim_get_state(s);
    if (n == 2 && ids[1] == ATTR_DIS_OPERATING_STATE) {  /* TIA's path: the member alone */
        set_dint(out, state);
        return true;
    }
    if (n != 1) return false;
    s7p_struct *st = s7p_arena_alloc(a, sizeof *st);
    s7p_value *m = st ? s7p_idlist_add(&st->members, a, ATTR_DIS_OPERATING_STATE) : NULL;
    if (!m) return false;
    set_dint(m, state);
    st->id = STRUCT_AS_DIS;
    memset(out, 0, sizeof *out);
    out->type = S7P_DT_STRUCT;
    out->v.st = st;
    return true;
}

/* Any integer the request may carry (the driver sends DInt). */
static bool int_of(const s7p_value *v, int64_t *x)
{
    if (s7p_value_is_array(v) || s7p_value_is_sparse(v)) return false;
    switch (v->type) {
    case S7P_DT_SINT: case S7P_DT_INT: case S7P_DT_DINT: case S7P_DT_LINT: *x = v->v.i; return true;
    case S7P_DT_USINT: case S7P_DT_UINT: case S7P_DT_UDINT: case S7P_DT_ULINT:
        *x = (int64_t)v->v.u;
        return true;
    default: return false;
    }
}

int16_t sim_exec_set(s7p_sim *s, const s7p_req_set_variable *req)
{
    if (req->object_id != SIM_ID_CPU_EXEC_UNIT) return SIM_E_OBJECT_NOT_FOUND;
    if (req->address_count != 1 || req->addresses[0] != ATTR_OPERATING_STATE_REQ)
        return SIM_E_INVALID_ADDRESS;
    int64_t x;
    if (!int_of(&req->value, &x)) return SIM_E_CONVERSION;
    if (x == REQ_STOP) s7p_sim_set_state(s, S7P_SIM_STATE_STOP);
    else if (x == REQ_RUN) s7p_sim_set_state(s, S7P_SIM_STATE_RUN);
    else return SIM_E_INVALID_RANGE;
    return 0;
}

/* Generic error code (bits 40..46) a code carries: those seen from real CPUs, else the
 * dissector's closest name. */
static unsigned generic_of(int16_t code)
{
    switch (code) {
    case SIM_E_OBJECT_NOT_FOUND: return 43;  /* S7-1200 capture: InvalidArgumentValue */
    case SIM_E_INVALID_ADDRESS: return 19;   /* InvalidAddress */
    case SIM_E_ACCESS_DENIED: return 3;      /* AccessDenied */
    case SIM_E_INVALID_SESSION: return 14;   /* InvalidSession */
    case SIM_E_NOT_ALLOWED: return 20;       /* ServiceNotAllowed */
    case SIM_E_TOO_MANY_SESSIONS: return 24; /* TooManySessions */
    case SIM_E_UNKNOWN_REQUEST: return 26;   /* UnknownService */
    case SIM_E_INVALID_RANGE: return 13;     /* InvalidRange */
    case SIM_E_CONVERSION: return 9;         /* InvalidDatatype */
    default: return 1;                       /* General */
    }
}

uint64_t sim_ret_error(int16_t code)
{
    /* As the S7-1200 answered ObjectNotFound (0x8020AB001BC8FFF4): bit 63, debug info 0x0020,
     * the server-error bit, the generic code, an OMS line (the firmware's source line; ours
     * is 0) and the code in the low 16 bits. */
    return UINT64_C(0x8000000000000000) | UINT64_C(0x0020) << 48 | UINT64_C(1) << 47 |
           (uint64_t)generic_of(code) << 40 | (uint64_t)(uint16_t)code;
}

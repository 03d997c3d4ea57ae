/* SPDX-License-Identifier: MIT */
/* CPU culture info (one Explore of the text container), communication resources (two
 * GetMultiVariables of ObjectRoot) and operating state (GetVarSubStreamed of the CPU
 * execution unit, with the fallback of older firmware): services spec §3.2-3.4. */
#include "services/cpu.h"

#include <string.h>

#include "services/browse_int.h"
#include "util/clock.h"

/* ---- culture ---- */

/* The text container: the object with its RID or its class, here or among the children. */
static const s7p_object *find_text_container(const s7p_object *o, unsigned depth)
{
    if (o->rel_id == S7P_ID_TEXT_CONTAINER || o->class_id == S7P_CLASS_TEXT_CONTAINER) return o;
    if (depth == 0) return NULL;  /* a bound on a hostile answer's nesting */
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        if (e->tag != S7P_EL_START_OBJECT || !e->u.child) continue;
        const s7p_object *got = find_text_container(e->u.child, depth - 1);
        if (got) return got;
    }
    return NULL;
}

static void add_language(s7p_cpu_culture_info *out, uint64_t lcid)
{
    if (out->count < S7P_MAX_LANGUAGES) {
        s7p_culture *l = &out->languages[out->count++];
        l->lcid = (uint16_t)lcid;
        l->name = s7p_lcid_name(l->lcid);
    }
    out->reported++;
}

s7p_status s7p_culture_take(const s7p_pdu *resp, s7p_cpu_culture_info *out, s7p_fail *f)
{
    memset(out, 0, sizeof *out);
    if (s7p_ret_code(resp->ret) < 0) {
        f->plc_return = resp->ret;
        return s7p_fail_set(f, S7P_E_PLC, "culture info: PLC refused: code %d",
                            s7p_ret_code(resp->ret));
    }
    const s7p_object_list *l = &resp->resp.explore.objects;
    const s7p_value *v = NULL;
    for (uint32_t i = 0; i < l->n && !v; i++) {
        const s7p_object *tc = l->items[i] ? find_text_container(l->items[i], 8) : NULL;
        if (tc) v = s7p_object_attr(tc, S7P_ATTR_TEXT_CONTAINER_LCIDS);
    }
    if (!v || v->type != S7P_DT_UINT || s7p_value_is_sparse(v))
        return s7p_fail_set(f, S7P_E_PROTOCOL, "culture info: answer without a language list");
    if (!s7p_value_is_array(v)) {
        add_language(out, v->v.u);
        return S7P_OK;
    }
    for (uint32_t i = 0; i < v->count; i++) add_language(out, s7p_value_elem_u64(v, i));
    return S7P_OK;
}

/* ---- communication resources ---- */

void s7p_resources_defaults(s7p_comm_resources *out)
{
    memset(out, 0, sizeof *out);
    out->tags_per_read_max = out->tags_per_write_max = 20;
}

void s7p_resources_take(const s7p_pdu *resp, bool free, s7p_comm_resources *out)
{
    if (free) {
        int32_t *const slots[S7P_LIMITS_FREE_N] = {&out->subscriptions_free,
                                                   &out->attributes_free,
                                                   &out->subscription_memory_free};
        out->reported |= s7p_engine_limits_take(resp, slots, S7P_LIMITS_FREE_N)
                         << S7P_LIMITS_MAX_N;
        return;
    }
    int32_t *const slots[S7P_LIMITS_MAX_N] = {&out->tags_per_read_max, &out->tags_per_write_max,
                                              &out->subscriptions_max, &out->attributes_max,
                                              &out->subscription_memory_max};
    out->reported |= s7p_engine_limits_take(resp, slots, S7P_LIMITS_MAX_N);
}

/* ---- operating state ---- */

/* Any integer PValue, as the reference driver accepts. */
static bool int_value(const s7p_value *v, int64_t *x)
{
    if (s7p_value_is_array(v) || s7p_value_is_sparse(v)) return false;
    switch (v->type) {
    case S7P_DT_SINT: case S7P_DT_INT: case S7P_DT_DINT: case S7P_DT_LINT:
        *x = v->v.i;
        return true;
    case S7P_DT_USINT: case S7P_DT_UINT: case S7P_DT_UDINT: case S7P_DT_ULINT:
    case S7P_DT_BYTE: case S7P_DT_WORD: case S7P_DT_DWORD: case S7P_DT_LWORD:
        *x = (int64_t)v->v.u;
        return true;
    default: return false;
    }
}

bool s7p_cpu_state_take(const s7p_value *v, uint32_t source, s7p_cpu_state_info *out)
{
    int64_t x;
    if (source == S7P_ATTR_DIS_OPERATING_STATE && v->type == S7P_DT_STRUCT &&
        !s7p_value_is_array(v) && v->v.st) {
        const s7p_value *m = s7p_idlist_find(&v->v.st->members, S7P_ATTR_DIS_OPERATING_STATE);
        if (!m || !int_value(m, &x)) return false;
    } else if (!int_value(v, &x)) {
        return false;
    }
    out->raw = x;
    out->state = s7p_cpu_state_of(x);
    out->source = source;
    return true;
}

s7p_cpu_state s7p_cpu_state_of(int64_t raw)
{
    switch (raw) {
    case 0: return S7P_CPU_NOT_SUPPORTED;
    case 1: case 3: case 4: case 17: case 33: return S7P_CPU_STOP;
    case 5: case 8: case 9: case 18: case 20: case 37: case 40: return S7P_CPU_RUN;
    case 6: case 35: case 38: return S7P_CPU_STARTUP;
    case 10: case 34: return S7P_CPU_HOLD;
    case 13: return S7P_CPU_DEFECTIVE;
    default: return S7P_CPU_UNKNOWN;
    }
}

const char *s7p_cpu_state_name(s7p_cpu_state s)
{
    static const char *const names[] = {"unknown", "stop", "run", "startup", "hold",
                                        "defective", "not supported"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

/* ---- the operation ---- */

/* The PLC's refusal of a whole request, as a failure in f. */
static s7p_status refused(const s7p_pdu *resp, const char *what, s7p_fail *f)
{
    if (s7p_ret_code(resp->ret) >= 0) return S7P_OK;
    f->plc_return = resp->ret;
    return s7p_fail_set(f, S7P_E_PLC, "%s: PLC refused: code %d", what, s7p_ret_code(resp->ret));
}

static void cpu_take(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                     const s7p_fail *got)
{
    s7p_cpu_op *o = (s7p_cpu_op *)op;
    if (st != S7P_OK) {
        o->f[k] = *got;
        o->st[k] = st;
        return;
    }
    switch (o->kind) {
    case S7P_CPU_OP_CULTURE: o->st[k] = s7p_culture_take(resp, o->out, &o->f[k]); return;
    case S7P_CPU_OP_RESOURCES:
        if ((o->st[k] = refused(resp, "communication resources", &o->f[k])) == S7P_OK)
            s7p_resources_take(resp, k == 1, o->out);
        return;
    case S7P_CPU_OP_STATE: {
        uint32_t source = op->phase == 1 ? S7P_ATTR_DIS_OPERATING_STATE : S7P_ATTR_CPU_STATE_FALLBACK;
        if ((o->st[k] = refused(resp, "operating state", &o->f[k])) != S7P_OK) return;
        o->got_state = s7p_cpu_state_take(&resp->resp.get_var_sub_streamed.value, source, o->out);
        if (!o->got_state)
            o->st[k] = s7p_fail_set(&o->f[k], S7P_E_PROTOCOL,
                                    "operating state: answer without a state number");
        return;
    }
    }
}

/* Starts request k; one that cannot be built fails alone (the step then finishes). */
static void submit(s7p_cpu_op *o, size_t k, bool (*build)(s7p_cpu_op *, s7p_op_req *, size_t))
{
    s7p_op_req *r = s7p_op_req_new(&o->op, k, cpu_take);
    if (!r || !build(o, r, k)) {
        if (r) s7p_op_drop(r);
        o->st[k] = s7p_fail_set(&o->f[k], S7P_E_NOMEM, "request");
        return;
    }
    s7p_op_submit(r, s7p_deadline_in(o->request_ms), NULL, false);
}

static bool build_culture(s7p_cpu_op *o, s7p_op_req *r, size_t k)
{
    (void)k;
    static const uint32_t attrs[1] = {S7P_ATTR_TEXT_CONTAINER_LCIDS};
    s7p_fail f = {0};
    if (s7p_browse_explore_build(o->op.s, &r->a, &r->req, S7P_ID_TEXT_CONTAINER, false, attrs, 1,
                                 &f) != S7P_OK)
        return false;
    r->req.req.explore.parents = 1;  /* as the reference driver asks */
    return true;
}

static bool build_resources(s7p_cpu_op *o, s7p_op_req *r, size_t k)
{
    return k == 0 ? s7p_engine_limits_request(&o->op.s->eng, &r->req, S7P_ID_SYSTEM_LIMITS,
                                              s7p_limits_max_lids, S7P_LIMITS_MAX_N, &r->a)
                  : s7p_engine_limits_request(&o->op.s->eng, &r->req, S7P_ID_FREE_ITEMS,
                                              s7p_limits_free_lids, S7P_LIMITS_FREE_N, &r->a);
}

static bool build_state(s7p_cpu_op *o, s7p_op_req *r, size_t k)
{
    (void)k;
    return o->op.phase == 1
               ? s7p_engine_read_attr_request(&o->op.s->eng, &r->req, S7P_ID_CPU_EXEC_UNIT,
                                              S7P_ATTR_HWOBJECT_DIS, &r->a)
               : s7p_engine_read_attr_request(&o->op.s->eng, &r->req, S7P_ID_CPU_COMMON,
                                              S7P_ATTR_CPU_STATE_FALLBACK, &r->a);
}

/* The first failed request in order decides. */
static void finish(s7p_cpu_op *o, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (o->st[k] == S7P_OK) continue;
        s7p_op_fail(&o->op, &o->f[k]);
        s7p_op_finish(&o->op, o->st[k]);
        return;
    }
    s7p_op_finish(&o->op, S7P_OK);
}

/* The new limits cut the batches of this session from now on. */
static void keep_limits(s7p_session *s, const s7p_comm_resources *r)
{
    if (r->reported & S7P_RES_TAGS_PER_READ) s->limits.tags_per_read = r->tags_per_read_max;
    if (r->reported & S7P_RES_TAGS_PER_WRITE) s->limits.tags_per_write = r->tags_per_write_max;
    if (r->reported & S7P_RES_SUBSCRIPTIONS_MAX) s->limits.subscriptions = r->subscriptions_max;
    if (r->reported & S7P_RES_ATTRIBUTES_MAX) s->limits.attributes = r->attributes_max;
    if (r->reported & S7P_RES_SUBSCRIPTION_MEMORY_MAX)
        s->limits.subscription_memory = r->subscription_memory_max;
}

/* State: the DIS read; when the PLC refused it or it held no state (not when the
 * connection failed), the fallback read, whose outcome decides. */
static void state_step(s7p_cpu_op *o)
{
    s7p_op *op = &o->op;
    if (op->phase == 0 || (op->phase == 1 && !o->got_state &&
                           (o->st[0] == S7P_E_PLC || o->st[0] == S7P_E_PROTOCOL))) {
        op->phase++;
        o->st[0] = S7P_OK;
        memset(&o->f[0], 0, sizeof o->f[0]);
        submit(o, 0, build_state);
        return;
    }
    finish(o, 1);
}

static void cpu_step(s7p_op *op)
{
    s7p_cpu_op *o = (s7p_cpu_op *)op;
    if (o->kind == S7P_CPU_OP_STATE) {
        state_step(o);
        return;
    }
    if (op->phase == 0) {
        op->phase = 1;
        if (o->kind == S7P_CPU_OP_CULTURE) {
            submit(o, 0, build_culture);
            return;
        }
        submit(o, 0, build_resources);
        submit(o, 1, build_resources);
        return;
    }
    bool resources = o->kind == S7P_CPU_OP_RESOURCES;
    if (resources && o->st[0] == S7P_OK && o->st[1] == S7P_OK) keep_limits(op->s, o->out);
    finish(o, resources ? 2 : 1);
}

void s7p_cpu_op_start(s7p_cpu_op *o, s7p_session *s, s7p_cpu_op_kind kind, void *out,
                      uint32_t request_ms, s7p_op_done_fn done, void *ctx)
{
    memset(o, 0, sizeof *o);
    s7p_op_init(&o->op, s, cpu_step, done, ctx);
    o->kind = kind;
    o->out = out;
    o->request_ms = request_ms;
    switch (kind) {
    case S7P_CPU_OP_CULTURE: memset(out, 0, sizeof(s7p_cpu_culture_info)); break;
    case S7P_CPU_OP_RESOURCES: s7p_resources_defaults(out); break;
    case S7P_CPU_OP_STATE: memset(out, 0, sizeof(s7p_cpu_state_info)); break;
    }
    s7p_op_start(&o->op);
}

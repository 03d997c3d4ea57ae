/* SPDX-License-Identifier: MIT */
/* Tag subscriptions on the PLC: create, modify, delete, credit (subscribe.h). */
#include "services/subscribe.h"

#include <string.h>

#include "proto/ids.h"
#include "util/clock.h"

/* ---- shared ---- */

/* The PLC's verdict on a request of the operation: S7P_OK, or the failure kept in op. */
static s7p_status answered(s7p_op *op, s7p_status st, const s7p_pdu *resp, const s7p_fail *got,
                           const char *what)
{
    if (st != S7P_OK) return s7p_op_fail(op, got);
    if (s7p_ret_code(resp->ret) >= 0) return S7P_OK;
    op->f.plc_return = resp->ret;
    return s7p_fail_set(&op->f, S7P_E_PLC, "%s: PLC refused: code %d", what,
                        s7p_ret_code(resp->ret));
}

static void nomem(s7p_op *op, const char *what)
{
    s7p_fail_set(&op->f, S7P_E_NOMEM, "%s: out of memory", what);
    s7p_op_finish(op, S7P_E_NOMEM);
}

static int64_t deadline_of(const s7p_sub_op *o) { return s7p_deadline_in(o->request_ms); }

/* A SetVariable of one attribute of the subscription object (its value built by the
 * caller into r->req.req.set_variable.value). */
static bool set_attr_request(s7p_engine *e, s7p_pdu *p, uint32_t object_id, uint32_t attr,
                             s7p_arena *a)
{
    uint32_t *addr = s7p_arena_alloc(a, sizeof *addr);
    s7p_engine_init_request(e, p, S7P_FC_SET_VARIABLE, true);
    if (!addr || !s7p_qualifier_default(&p->qualifier, a)) return false;
    *addr = attr;
    p->req.set_variable.object_id = object_id;
    p->req.set_variable.address_count = 1;
    p->req.set_variable.addresses = addr;
    return true;
}

/* Copies a reference list into a (items, their LIDs, the references to remove). */
static bool copy_refs(s7p_arena *a, const s7p_sub_refs *in, s7p_sub_refs *out)
{
    *out = *in;
    uint32_t *un = in->n_unsubscribe ? s7p_arena_array(a, in->n_unsubscribe, sizeof *un) : NULL;
    s7p_sub_item *items = in->n_items ? s7p_arena_array(a, in->n_items, sizeof *items) : NULL;
    if ((in->n_unsubscribe && !un) || (in->n_items && !items)) return false;
    if (un) memcpy(un, in->unsubscribe, in->n_unsubscribe * sizeof *un);
    for (size_t i = 0; i < in->n_items; i++) {
        items[i] = in->items[i];
        uint32_t *lids = in->items[i].n_lids ? s7p_arena_array(a, in->items[i].n_lids, sizeof *lids)
                                             : NULL;
        if (in->items[i].n_lids && !lids) return false;
        if (lids) memcpy(lids, in->items[i].lids, in->items[i].n_lids * sizeof *lids);
        items[i].lids = lids;
    }
    out->unsubscribe = un;
    out->items = items;
    return true;
}

void s7p_sub_op_free(s7p_sub_op *o) { s7p_arena_release(&o->keep); }

/* ---- create ---- */

enum { CREATE_FREE, CREATE_OBJECT, CREATE_DONE };

/* PlcSubscriptionsFree arrives as a DInt; anything else leaves it unknown. */
int32_t s7p_sub_free_take(const s7p_pdu *resp)
{
    const s7p_member *m = s7p_ret_code(resp->ret) >= 0 ? resp->resp.get_multi.values.first : NULL;
    if (m && m->id == 1 && m->value.type == S7P_DT_DINT && !s7p_value_is_array(&m->value) &&
        !s7p_value_is_sparse(&m->value) && m->value.v.i >= 0 && m->value.v.i <= INT32_MAX)
        return (int32_t)m->value.v.i;
    return -1;
}

static void take_free(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                      const s7p_fail *got)
{
    (void)k;
    s7p_sub_op *o = (s7p_sub_op *)op;
    if (st != S7P_OK) {
        /* The session broke: nothing more can be sent. */
        s7p_op_fail(op, got);
        return;
    }
    o->free_slots = s7p_sub_free_take(resp);
}

static void read_free(s7p_sub_op *o)
{
    s7p_op *op = &o->op;
    s7p_op_req *r = s7p_op_req_new(op, 0, take_free);
    s7p_item_address *it = r ? s7p_arena_alloc(&r->a, sizeof *it) : NULL;
    uint32_t *lid = r ? s7p_arena_alloc(&r->a, sizeof *lid) : NULL;
    if (!it || !lid) {
        if (r) s7p_op_drop(r);
        nomem(op, "subscribe");
        return;
    }
    s7p_engine_init_request(&op->s->eng, &r->req, S7P_FC_GET_MULTI_VARIABLES, true);
    if (!s7p_qualifier_default(&r->req.qualifier, &r->a)) {
        s7p_op_drop(r);
        nomem(op, "subscribe");
        return;
    }
    *lid = 0;  /* FreeItems LID 0: PlcSubscriptionsFree (spec §3.3) */
    it->area = S7P_ID_OBJECT_ROOT;
    it->sub_area = S7P_ID_FREE_ITEMS;
    it->nlids = 1;
    it->lids = lid;
    r->req.req.get_multi.item_count = 1;
    r->req.req.get_multi.nfields = s7p_item_address_fields(it);
    r->req.req.get_multi.addresses = it;
    s7p_op_submit(r, deadline_of(o), NULL, false);
}

s7p_status s7p_sub_created_take(const s7p_pdu *resp, uint32_t *object_id, s7p_fail *f)
{
    const s7p_resp_create_object *b = &resp->resp.create_object;
    if (b->nids < 1 || !b->object_ids || b->object_ids[0] == 0)
        return s7p_fail_set(f, S7P_E_PROTOCOL, "create: answer without the object id");
    *object_id = b->object_ids[0];
    return S7P_OK;
}

static void take_created(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                         const s7p_fail *got)
{
    (void)k;
    s7p_sub_op *o = (s7p_sub_op *)op;
    if (answered(op, st, resp, got, "create") != S7P_OK) return;
    (void)s7p_sub_created_take(resp, &o->object_id, &op->f);
}

/* CreateObject under SessionId2, the session's subscription container (spec §0.1, §1.1):
 * V2, flags 0x34, the integrity id in the body before the object. */
static void send_create(s7p_sub_op *o)
{
    s7p_op *op = &o->op;
    s7p_op_req *r = s7p_op_req_new(op, 0, take_created);
    s7p_object *obj = NULL;
    s7p_object **items = r ? s7p_arena_alloc(&r->a, sizeof *items) : NULL;
    if (!items || !s7p_sub_object_build(&r->a, &o->params, &obj)) {
        if (r) s7p_op_drop(r);
        s7p_fail_set(&op->f, S7P_E_NOMEM, "create: cannot build the subscription object");
        s7p_op_finish(op, S7P_E_NOMEM);
        return;
    }
    s7p_engine_init_request(&op->s->eng, &r->req, S7P_FC_CREATE_OBJECT, true);
    s7p_req_create_object *b = &r->req.req.create_object;
    b->request_id = op->s->eng.props.session_id2;
    b->request_value.type = S7P_DT_UDINT;
    b->has_inline_iid = true;
    b->inline_iid = r->req.iid;
    r->req.has_iid = false;
    items[0] = obj;
    b->objects.items = items;
    b->objects.n = 1;
    s7p_op_submit(r, deadline_of(o), NULL, false);
}

static void create_step(s7p_op *op)
{
    s7p_sub_op *o = (s7p_sub_op *)op;
    if (op->f.code != S7P_OK) {
        s7p_op_finish(op, op->f.code);
        return;
    }
    switch (op->phase++) {
    case CREATE_FREE:
        read_free(o);
        return;
    case CREATE_OBJECT:
        if (o->free_slots == 0) {
            s7p_fail_set(&op->f, S7P_E_LIMIT,
                         "the PLC has no free subscription (PlcSubscriptionsFree 0)");
            s7p_op_finish(op, S7P_E_LIMIT);
            return;
        }
        send_create(o);
        return;
    default:
        s7p_op_finish(op, S7P_OK);
        return;
    }
}

void s7p_sub_create_start(s7p_sub_op *o, s7p_session *s, const s7p_sub_params *p,
                          uint32_t request_ms, s7p_op_done_fn done, void *ctx)
{
    memset(o, 0, sizeof *o);
    s7p_op_init(&o->op, s, create_step, done, ctx);
    o->kind = S7P_SUBOP_CREATE;
    o->request_ms = request_ms;
    o->free_slots = -1;
    s7p_arena_init(&o->keep, S7P_ARENA_DEFAULT_LIMIT);
    o->params = *p;
    if (!copy_refs(&o->keep, &p->refs, &o->params.refs)) {
        o->op.phase = CREATE_DONE;
        s7p_fail_set(&o->op.f, S7P_E_NOMEM, "subscribe: out of memory");
    }
    s7p_op_start(&o->op);
}

/* ---- modify and delete ---- */

static void take_plain(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                       const s7p_fail *got)
{
    (void)k;
    s7p_sub_op *o = (s7p_sub_op *)op;
    static const char *const what[] = {"create", "change", "cycle", "delete"};
    answered(op, st, resp, got, what[o->kind]);
}

/* Builds the one request of a modify or delete in r; false when out of memory. */
static bool build_single(s7p_sub_op *o, s7p_op_req *r)
{
    s7p_engine *e = &o->op.s->eng;
    switch (o->kind) {
    case S7P_SUBOP_REFS:
        return set_attr_request(e, &r->req, o->object_id, S7P_ID_SUBSCRIPTION_REFERENCE_LIST,
                                &r->a) &&
               s7p_sub_refs_to_value(&o->refs, &r->a, &r->req.req.set_variable.value);
    case S7P_SUBOP_CYCLE:
        if (!set_attr_request(e, &r->req, o->object_id, S7P_ID_SUBSCRIPTION_CYCLE_TIME, &r->a))
            return false;
        r->req.req.set_variable.value.type = S7P_DT_UDINT;
        r->req.req.set_variable.value.v.u = o->cycle_ms;
        return true;
    default:
        s7p_engine_init_request(e, &r->req, S7P_FC_DELETE_OBJECT, true);
        r->req.req.delete_object.object_id = o->object_id;
        return s7p_qualifier_default(&r->req.qualifier, &r->a);
    }
}

static void single_step(s7p_op *op)
{
    s7p_sub_op *o = (s7p_sub_op *)op;
    if (op->phase++ > 0) {
        s7p_op_finish(op, op->f.code);
        return;
    }
    s7p_op_req *r = s7p_op_req_new(op, 0, take_plain);
    if (!r || !build_single(o, r)) {
        if (r) s7p_op_drop(r);
        nomem(op, "subscription");
        return;
    }
    s7p_op_submit(r, deadline_of(o), NULL, false);
}

static void single_start(s7p_sub_op *o, s7p_session *s, s7p_subop_kind kind, uint32_t object_id,
                         uint32_t request_ms, s7p_op_done_fn done, void *ctx)
{
    s7p_op_init(&o->op, s, single_step, done, ctx);
    o->kind = kind;
    o->object_id = object_id;
    o->request_ms = request_ms;
    o->free_slots = -1;
    s7p_op_start(&o->op);
}

void s7p_sub_refs_start(s7p_sub_op *o, s7p_session *s, uint32_t object_id,
                        const s7p_sub_refs *refs, uint32_t request_ms, s7p_op_done_fn done,
                        void *ctx)
{
    memset(o, 0, sizeof *o);
    s7p_arena_init(&o->keep, S7P_ARENA_DEFAULT_LIMIT);
    if (!copy_refs(&o->keep, refs, &o->refs)) {
        /* Finishes at once: the one step sees the failure. */
        s7p_op_init(&o->op, s, single_step, done, ctx);
        o->op.phase = 1;
        s7p_fail_set(&o->op.f, S7P_E_NOMEM, "subscription change: out of memory");
        s7p_op_start(&o->op);
        return;
    }
    single_start(o, s, S7P_SUBOP_REFS, object_id, request_ms, done, ctx);
}

void s7p_sub_cycle_start(s7p_sub_op *o, s7p_session *s, uint32_t object_id, uint32_t cycle_ms,
                         uint32_t request_ms, s7p_op_done_fn done, void *ctx)
{
    memset(o, 0, sizeof *o);
    o->cycle_ms = cycle_ms;
    single_start(o, s, S7P_SUBOP_CYCLE, object_id, request_ms, done, ctx);
}

void s7p_sub_delete_start(s7p_sub_op *o, s7p_session *s, uint32_t object_id,
                          uint32_t request_ms, s7p_op_done_fn done, void *ctx)
{
    memset(o, 0, sizeof *o);
    single_start(o, s, S7P_SUBOP_DELETE, object_id, request_ms, done, ctx);
}

/* ---- credits ---- */

bool s7p_sub_credit_request(s7p_engine *e, s7p_pdu *p, uint32_t object_id, int16_t limit,
                            s7p_arena *a)
{
    if (!set_attr_request(e, p, object_id, S7P_ID_SUBSCRIPTION_CREDIT_LIMIT, a)) return false;
    p->transport_flags = S7P_TF_REQUEST | S7P_TF_NO_RESPONSE;
    p->req.set_variable.value.type = S7P_DT_INT;
    p->req.set_variable.value.v.i = limit;
    return true;
}

bool s7p_sub_next_credit(int16_t limit, uint8_t tick, uint8_t step, int16_t *next)
{
    if (limit <= 0 || step == 0) return false;
    /* Both count modulo 256: what is left is the distance from the tick to the limit. */
    uint8_t left = (uint8_t)((uint8_t)limit - tick);
    if (left > step) return false;
    int n = limit + step;
    if (n > 255) n -= 255;  /* 0 would stop the PLC: the limit stays within 1..255 */
    *next = (int16_t)n;
    return true;
}

/* SPDX-License-Identifier: MIT */
/* Request handlers: one decoded request in, the reply to send (and what to do after it) out.
 * Answers follow transport-and-session.md §4, §5.1, §7.4 and §8 and the services spec §3. */
#include <string.h>
#include <strings.h>

#include "plc_data.h"
#include "proto/functions.h"
#include "legacy/handshake.h"
#include "proto/vlq.h"
#include "sim_int.h"

static s7p_pdu *reply_pdu(sim_reply *r, const s7p_pdu *req, uint64_t ret)
{
    r->send = true;
    s7p_pdu_init_response(&r->pdu, req, ret);
    return &r->pdu;
}

/* An error answer is `header, return value, fill`, whatever body the function's answer
 * normally has (transport spec §7.4). */
static void reply_error(sim_reply *r, const s7p_pdu *req, int16_t code)
{
    reply_pdu(r, req, SIM_RET(code))->ret_only = true;
}

/* A response carries (request seq + request integrity id) when the request had an id. */
static void answer_iid(s7p_pdu *resp, const s7p_pdu *req)
{
    if (!req->has_iid) return;
    resp->has_iid = true;
    resp->iid = (uint32_t)req->seq + req->iid;
}

static void on_init_ssl(sim_conn *c, const s7p_pdu *req, sim_reply *r)
{
    if (c->tls) {
        reply_error(r, req, SIM_E_NOT_ALLOWED);
        return;
    }
    if (c->sim->cfg.security == S7P_SIM_SECURITY_LEGACY) {
        /* Firmware without TLS does not know the function. */
        reply_error(r, req, SIM_E_UNKNOWN_REQUEST);
        return;
    }
    reply_pdu(r, req, 0);
    r->start_tls = true;
}

static void on_create_session(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *r)
{
    if (!sim_session_acquire(c->sim, &c->session, &c->session2)) {
        sim_log(c->sim, 1, "conn %lu: session refused: %u sessions open (limit)", c->id,
                c->sim->cfg.max_sessions);
        reply_error(r, req, SIM_E_TOO_MANY_SESSIONS);
        r->close = true;
        return;
    }
    s7p_pdu *p = reply_pdu(r, req, sim_cpu_session_ret(&c->sim->ident));
    s7p_resp_create_object *b = &p->resp.create_object;
    b->object_ids = s7p_arena_array(a, 2, sizeof *b->object_ids);
    if (!b->object_ids) goto nomem;
    b->nids = 2;
    b->object_ids[0] = c->session;
    b->object_ids[1] = c->session2;
    sim_legit_session_start(c);
    answer_iid(p, req);
    if (req->version == S7P_PROTO_V1) {  /* only V1 responses carry the object */
        b->objects.items = s7p_arena_array(a, 1, sizeof *b->objects.items);
        if (!b->objects.items) goto nomem;
        s7p_value *ch = NULL;
        if (c->sim->ident.family == SIM_FAMILY_1500 &&
            (!(ch = s7p_arena_alloc(a, sizeof *ch)) || !sim_session_challenge(c, a, ch)))
            goto nomem;
        b->objects.items[0] = sim_cpu_session_object(&c->sim->ident, a, ch);
        if (!b->objects.items[0]) goto nomem;
        if (sim_legacy_offered(c) && !sim_legacy_hello(c, b->objects.items[0], a)) goto nomem;
        b->objects.n = 1;
    }
    sim_log(c->sim, 1, "conn %lu: session 0x%08x opened", c->id, (unsigned)c->session);
    return;
nomem:
    r->send = false;
    r->close = true;
}

static void on_create_object(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *r)
{
    if (req->session_id == S7P_ID_OBJECT_NULL_SERVER_SESSION &&
        req->req.create_object.request_id == S7P_ID_OBJECT_SERVER_SESSION_CONTAINER)
        on_create_session(c, req, a, r);
    else
        reply_error(r, req, SIM_E_INVALID_SESSION);
}

/* CreateObject inside a session: a subscription under the session's container (subs.c).
 * A refusal keeps the body (no object id) and carries the full return value. */
static void on_create_in_session(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *r)
{
    uint32_t id = 0;
    int16_t rc = sim_subs_create(c, &req->req.create_object, a, &id);
    if (rc != 0)
        sim_log(c->sim, 1, "conn %lu: subscription refused: %d", c->id, (int)rc);
    s7p_pdu *p = reply_pdu(r, req, rc ? sim_ret_error(rc) : 0);
    answer_iid(p, req);
    if (req->req.create_object.has_inline_iid) {  /* V2/V3: the id stands before the object */
        p->has_iid = true;
        p->iid = (uint32_t)req->seq + req->req.create_object.inline_iid;
    }
    if (rc != 0) return;
    p->resp.create_object.object_ids = s7p_arena_array(a, 1, sizeof(uint32_t));
    if (!p->resp.create_object.object_ids) {
        sim_subs_delete(c, id);
        r->send = false;
        r->close = true;
        return;
    }
    p->resp.create_object.nids = 1;
    p->resp.create_object.object_ids[0] = id;
}

/* Appends an item error; errs has room for every item of the request. */
static void add_error(s7p_error_list *l, uint32_t item, int16_t code)
{
    l->items[l->n].item = item;
    l->items[l->n].ret = SIM_RET(code);
    l->n++;
}

static bool alloc_errors(s7p_error_list *l, s7p_arena *a, uint32_t n)
{
    l->n = 0;
    l->items = s7p_arena_array(a, n ? n : 1, sizeof *l->items);
    return l->items != NULL;
}

/* A variable write (object id 0) of item i: the program's DB values, else refused. */
static int16_t write_item(sim_conn *c, const s7p_req_set_multi *b, uint32_t i)
{
    const s7p_item_address *addr = &b->addresses[i];
    if (!sim_legit_allows(c, SIM_NEED_WRITE)) return SIM_E_ACCESS_DENIED;
    if (!sim_plc_owns_area(addr->area)) return SIM_E_INVALID_ADDRESS;
    if (!c->sim->plc) return SIM_E_OBJECT_NOT_FOUND;
    return sim_plc_write(c->sim->plc, addr, s7p_idlist_find(&b->values, i + 1));
}

/* The optional items of the legacy authentication (role, roles, compatibility flag). */
static bool legacy_item(const sim_conn *c, uint32_t id)
{
    return sim_legacy_offered(c) && (id == S7P_ID_SERVER_SESSION_ROLE ||
                                     id == S7P_ID_SERVER_SESSION_ROLES ||
                                     id == S7P_ID_LEGACY_COMPAT_FLAG);
}

static void on_set_multi(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *r)
{
    const s7p_req_set_multi *b = &req->req.set_multi;
    s7p_pdu *p = reply_pdu(r, req, 0);
    s7p_error_list *errs = &p->resp.set_multi.errors;
    if (!alloc_errors(errs, a, b->item_count)) {
        r->send = false;
        r->close = true;
        return;
    }
    bool vars = b->object_id == 0 && b->addresses;
    bool sub = b->object_id != 0 && sim_subs_owns(c, b->object_id);
    int16_t auth = 0;
    if (vars && c->sim->plc) sim_plc_lock(c->sim->plc);
    for (uint32_t i = 0; i < b->item_count; i++) {
        if (vars) {
            int16_t rc = write_item(c, b, i);
            if (rc != 0) add_error(errs, i + 1, rc);
            continue;
        }
        if (sub && i < b->nids) {
            int16_t rc = sim_subs_set(c, b->object_id, b->ids[i], s7p_idlist_find(&b->values, i + 1), a);
            if (rc != 0) add_error(errs, i + 1, rc);
            continue;
        }
        uint32_t id = b->object_id == c->session && i < b->nids ? b->ids[i] : 0;
        if (id == S7P_ID_SERVER_SESSION_SESSION_KEY && sim_legacy_offered(c) && !c->legacy.on)
            auth = sim_legacy_auth_item(c, s7p_idlist_find(&b->values, i + 1));
        else if (!legacy_item(c, id) && id != S7P_ID_SERVER_SESSION_VERSION)
            add_error(errs, i + 1, b->object_id ? SIM_E_OBJECT_NOT_FOUND : SIM_E_INVALID_ADDRESS);
    }
    if (vars && c->sim->plc) sim_plc_unlock(c->sim->plc);
    if (auth != 0) {
        /* A failed authentication refuses the whole request; the CPU then drops the
         * connection. */
        reply_error(r, req, auth);
        r->close = true;
        return;
    }
    /* The real PLC answers the setup write (sent without id) with integrity id 0. */
    if (req->has_iid) {
        answer_iid(p, req);
    } else if (req->version != S7P_PROTO_V1) {
        p->has_iid = true;
        p->iid = 0;
    }
}

/* One variable of a read: system limits, the program's DB values, else refused. */
int16_t sim_read_item(sim_conn *c, const s7p_item_address *addr, s7p_arena *a, s7p_value *v)
{
    if (sim_cpu_limit(c->sim, addr, v)) return 0;
    if (!sim_legit_allows(c, SIM_NEED_READ)) return SIM_E_ACCESS_DENIED;
    if (!sim_plc_owns_area(addr->area)) return SIM_E_INVALID_ADDRESS;
    if (!c->sim->plc) return SIM_E_OBJECT_NOT_FOUND;
    return sim_plc_read(c->sim->plc, addr, a, v);
}

static void on_get_multi(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *r)
{
    const s7p_req_get_multi *b = &req->req.get_multi;
    s7p_pdu *p = reply_pdu(r, req, 0);
    s7p_resp_get_multi *out = &p->resp.get_multi;
    bool ok = true;
    answer_iid(p, req);
    if (!alloc_errors(&out->errors, a, b->item_count)) goto nomem;
    if (b->link_id == 0 && c->sim->plc) sim_plc_lock(c->sim->plc);
    for (uint32_t i = 0; i < b->item_count && ok; i++) {
        s7p_value v;
        int16_t rc = b->link_id == 0 ? sim_read_item(c, &b->addresses[i], a, &v) : SIM_E_INVALID_ADDRESS;
        if (rc != 0) {
            add_error(&out->errors, i + 1, rc);
            continue;
        }
        s7p_value *slot = s7p_idlist_add(&out->values, a, i + 1);
        if (slot) *slot = v;
        ok = slot != NULL;
    }
    if (b->link_id == 0 && c->sim->plc) sim_plc_unlock(c->sim->plc);
    if (ok) return;
nomem:
    r->send = false;
    r->close = true;
}

/* The response's "response sequence integrity" (request seq + request integrity id). A V2
 * decoder takes it for present only when its first byte is neither an object start (0xA1)
 * nor 0, so values that would encode so are left out rather than misread. */
static void explore_iid(s7p_resp_explore *b, const s7p_pdu *req)
{
    if (!req->has_iid || req->version == S7P_PROTO_V1) return;
    uint32_t iid = (uint32_t)req->seq + req->iid;
    uint8_t first[5];
    s7p_wr w = s7p_wr_init(first, sizeof first);
    s7p_wr_vlq_u32(&w, iid);
    if (req->version == S7P_PROTO_V2 && (first[0] == S7P_EL_START_OBJECT || first[0] == 0)) return;
    b->has_resp_iid = true;
    b->resp_iid = iid;
}

static void on_explore(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *r)
{
    uint32_t id = req->req.explore.explore_id;
    s7p_object_list objs = {0};
    int rc = id == SIM_ID_TEXT_CONTAINER
                 ? (sim_cpu_text_container(&c->sim->ident, a, &objs) ? 0 : 1)
             : !sim_legit_allows(c, SIM_NEED_BROWSE) ? SIM_E_ACCESS_DENIED
             : id == S7P_ID_ALARM_SUBSYSTEM ? sim_alarms_explore(c->sim, &req->req.explore, a, &objs)
                                            : sim_plc_explore(c->sim->plc, &req->req.explore, a, &objs);
    if (rc == 1) {
        r->send = false;
        r->close = true;
        return;
    }
    /* A real CPU's error answer keeps the body: the full return value, the explored id and
     * the integrity id, no objects (docs/protocol.md §8.4). */
    if (rc != 0)
        sim_log(c->sim, 2, "conn %lu: explore 0x%08x: %s", c->id, (unsigned)id,
                rc == SIM_E_ACCESS_DENIED ? "access denied at this level" : "no such object");
    s7p_pdu *p = reply_pdu(r, req, rc != 0 ? sim_ret_error((int16_t)rc) : 0);
    p->resp.explore.explore_id = id;
    p->resp.explore.objects = objs;
    explore_iid(&p->resp.explore, req);
}

#define MAX_ATTR_PATH 4u

/* The attribute path of a GetVarSubStreamed address (`20 04 01 <aid>`, or TIA's attribute
 * and struct member `20 04 02 <aid> <member>`); false if the value is not a UDInt address
 * of 1..MAX_ATTR_PATH ids. */
static bool address_path(const s7p_value *v, uint32_t *ids, uint32_t *n)
{
    if (v->type != S7P_DT_UDINT) return false;
    if (!s7p_value_is_array(v)) {
        ids[0] = (uint32_t)v->v.u;
        *n = 1;
        return true;
    }
    if (s7p_value_is_sparse(v) || v->count == 0 || v->count > MAX_ATTR_PATH || !v->elems)
        return false;
    for (uint32_t i = 0; i < v->count; i++) ids[i] = (uint32_t)v->elems[i].u;
    *n = v->count;
    return true;
}

/* An attribute read: 0 with the value, or the PLC error code. The own session's level and
 * challenge may be read at any access level (a client must be able to log in); every other
 * object needs the level that reads. */
static int16_t read_attr(sim_conn *c, uint32_t obj, const uint32_t *ids, uint32_t n,
                         s7p_arena *a, s7p_value *v)
{
    memset(v, 0, sizeof *v);
    if (n == 1 && sim_legit_attr(c, obj, ids[0], a, v)) return 0;
    if (obj != c->session && !sim_legit_allows(c, SIM_NEED_READ)) return SIM_E_ACCESS_DENIED;
    bool found = obj == SIM_ID_CPU_EXEC_UNIT
                     ? sim_exec_attr(c->sim, ids, n, a, v)
                     : n == 1 && (sim_legacy_challenge_attr(c, obj, ids[0], a, v) ||
                                  sim_cpu_attr(&c->sim->ident, c->session, obj, ids[0], a, v));
    if (found) return 0;
    memset(v, 0, sizeof *v);
    return SIM_E_OBJECT_NOT_FOUND;
}

static void on_get_var_sub_streamed(sim_conn *c, const s7p_pdu *req, s7p_arena *a,
                                    sim_reply *r)
{
    const s7p_req_var_sub_streamed *b = &req->req.var_sub_streamed;
    uint32_t ids[MAX_ATTR_PATH], n, attr;
    if (!address_path(&b->value, ids, &n)) {
        reply_error(r, req, SIM_E_PARSING);
        return;
    }
    attr = ids[0];
    s7p_value v;
    int16_t rc = read_attr(c, b->object_id, ids, n, a, &v);
    /* Not found: the full return value and a Null value, as the S7-1200 capture shows. */
    s7p_pdu *p = reply_pdu(r, req, rc ? sim_ret_error(rc) : 0);
    p->resp.get_var_sub_streamed.value = v;  /* Null when not found */
    answer_iid(p, req);
    if (rc)
        sim_log(c->sim, 2, "conn %lu: attribute %u of object 0x%08x: %s", c->id, (unsigned)attr,
                (unsigned)b->object_id, rc == SIM_E_ACCESS_DENIED ? "access denied" : "none");
}

/* SetVariable: the session key renewal of legacy security (1830 on the own session) and the
 * RUN/STOP request of the CPU execution unit; nothing else is served. */
static bool is_key_renewal(const sim_conn *c, const s7p_req_set_variable *b)
{
    return c->legacy.on && b->object_id == c->session && b->address_count == 1 &&
           b->addresses[0] == S7P_ID_SERVER_SESSION_SESSION_KEY;
}

static void on_key_renewal(sim_conn *c, const s7p_pdu *req, sim_reply *r)
{
    if (sim_legacy_renewal_resets(c)) {
        sim_log(c->sim, 1, "conn %lu: legacy key renewal on a PLCSIM key: connection reset, "
                "as PLCSIM Advanced does", c->id);
        r->send = false;
        r->close = true;
        return;
    }
    int16_t rc = sim_legacy_auth_item(c, &req->req.set_variable.value);
    if (rc != 0) {
        reply_error(r, req, rc);
        r->close = true;
        return;
    }
    answer_iid(reply_pdu(r, req, 0), req);
}

/* SetVariable of a subscription's attribute. The credit limit comes fire-and-forget (flags
 * 0x74), yet a real S7-1200 answers it: opcode 0x02, flags 0x74, return value 0, integrity
 * id 0 and ten zero bytes (docs/protocol.md §12.3); so does the simulator. */
static void on_set_subscription(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *r)
{
    const s7p_req_set_variable *b = &req->req.set_variable;
    int16_t rc = b->address_count == 1
                     ? sim_subs_set(c, b->object_id, b->addresses[0], &b->value, a)
                     : SIM_E_INVALID_ADDRESS;
    if (rc != 0)
        sim_log(c->sim, 2, "conn %lu: SetVariable of subscription 0x%08x refused: %d", c->id,
                (unsigned)b->object_id, rc);
    s7p_pdu *p = reply_pdu(r, req, rc != 0 ? sim_ret_error(rc) : 0);
    if (!(req->transport_flags & S7P_TF_NO_RESPONSE)) {
        answer_iid(p, req);
        return;
    }
    p->opcode = S7P_OP_RESPONSE2;
    p->has_iid = req->version != S7P_PROTO_V1;
    p->iid = 0;
    p->fill_len = 10;
    r->answer_anyway = true;
}

static void on_set_variable(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *r)
{
    const s7p_req_set_variable *b = &req->req.set_variable;
    if (is_key_renewal(c, b)) {
        on_key_renewal(c, req, r);
        return;
    }
    /* A subscription's attributes; a login (legitimation); else RUN/STOP, which needs full
     * access. */
    if (sim_subs_owns(c, b->object_id)) {
        on_set_subscription(c, req, a, r);
        return;
    }
    int16_t rc = sim_legit_is_login(c, b)                ? sim_legit_login(c, b, a)
                 : !sim_legit_allows(c, SIM_NEED_WRITE) ? SIM_E_ACCESS_DENIED
                                                         : sim_exec_set(c->sim, b);
    if (rc != 0)
        sim_log(c->sim, 2, "conn %lu: SetVariable of object 0x%08x refused: %d", c->id,
                (unsigned)req->req.set_variable.object_id, rc);
    s7p_pdu *p = reply_pdu(r, req, rc != 0 ? sim_ret_error(rc) : 0);
    answer_iid(p, req);
}

static void on_delete_object(sim_conn *c, const s7p_pdu *req, sim_reply *r)
{
    uint32_t id = req->req.delete_object.object_id;
    if (id != c->session && c->session2 && id == c->session2) {
        /* The subscription container (as older client code ends its subscriptions): every
         * subscription of the session goes, the session stays. */
        sim_subs_free_all(c);
        s7p_pdu *p = reply_pdu(r, req, 0);
        p->resp.delete_object.object_id = id;
        answer_iid(p, req);
        return;
    }
    if (id != c->session && sim_subs_delete(c, id)) {
        s7p_pdu *p = reply_pdu(r, req, 0);
        p->resp.delete_object.object_id = id;
        answer_iid(p, req);
        return;
    }
    if (id != c->session) {
        s7p_pdu *p = reply_pdu(r, req, SIM_RET(SIM_E_OBJECT_NOT_FOUND));
        p->resp.delete_object.object_id = id;
        answer_iid(p, req);
        return;
    }
    /* Deleting the own session: no integrity id in the answer, then the client closes. */
    s7p_pdu *p = reply_pdu(r, req, 0);
    p->resp.delete_object.object_id = id;
    sim_log(c->sim, 1, "conn %lu: session 0x%08x deleted", c->id, (unsigned)c->session);
    sim_subs_free_all(c);
    sim_session_release(c->sim);
    c->session = c->session2 = 0;
    r->close = true;
}

static void on_session_request(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *r)
{
    if (req->session_id != c->session) {
        reply_error(r, req, SIM_E_INVALID_SESSION);
        return;
    }
    switch (req->function) {
    case S7P_FC_SET_MULTI_VARIABLES: on_set_multi(c, req, a, r); break;
    case S7P_FC_GET_MULTI_VARIABLES: on_get_multi(c, req, a, r); break;
    case S7P_FC_EXPLORE: on_explore(c, req, a, r); break;
    case S7P_FC_GET_VAR_SUB_STREAMED: on_get_var_sub_streamed(c, req, a, r); break;
    case S7P_FC_SET_VARIABLE: on_set_variable(c, req, a, r); break;
    case S7P_FC_CREATE_OBJECT: on_create_in_session(c, req, a, r); break;
    case S7P_FC_DELETE_OBJECT: on_delete_object(c, req, r); break;
    default: reply_error(r, req, SIM_E_UNKNOWN_REQUEST); break;
    }
}

void sim_dispatch(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *out)
{
    memset(out, 0, sizeof *out);
    if (req->function == S7P_FC_INIT_SSL)
        on_init_ssl(c, req, out);
    else if (!c->session && req->function == S7P_FC_CREATE_OBJECT)
        on_create_object(c, req, a, out);
    else if (!c->session)
        reply_error(out, req, SIM_E_INVALID_SESSION);
    else
        on_session_request(c, req, a, out);
    if ((req->transport_flags & S7P_TF_NO_RESPONSE) && !out->answer_anyway) out->send = false;
}

const char *sim_function_name(uint16_t function)
{
    const char *name = s7p_function_name(function);
    return name ? name : "?";
}

/* SPDX-License-Identifier: MIT */
#include "tc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/tcp.h"
#include "util/clock.h"

static s7p_status fail(tc *t, s7p_status st, const char *what)
{
    snprintf(t->err, sizeof t->err, "%s: %s%s%s", what, s7p_strerror(st),
             t->ch.err_msg[0] ? " / " : "", t->ch.err_msg);
    return st;
}

s7p_status tc_open(tc *t, uint16_t port, const char *tsap)
{
    memset(t, 0, sizeof *t);
    s7p_arena_init(&t->a, S7P_ARENA_DEFAULT_LIMIT);
    int fd = -1, e = 0;
    s7p_status st = s7p_tcp_connect("127.0.0.1", port, s7p_deadline_in(TC_TIMEOUT_MS), &fd, &e);
    if (st != S7P_OK) return fail(t, st, "tcp connect");
    st = s7p_channel_init(&t->ch, fd);
    if (st != S7P_OK) return fail(t, st, "channel init");
    t->open = true;
    s7p_iso_client_params ip = {S7P_TSAP_LOCAL_DEFAULT, tsap ? tsap : S7P_TSAP_REMOTE_HMI, 0};
    st = s7p_iso_connect(&t->ch.iso, &ip, s7p_deadline_in(TC_TIMEOUT_MS));
    return st == S7P_OK ? st : fail(t, st, "cotp connect");
}

s7p_status tc_init_ssl(tc *t, const uint8_t *pin)
{
    s7p_pdu p;
    const s7p_pdu *r;
    tc_begin(t, &p, S7P_PROTO_V1, S7P_FC_INIT_SSL, S7P_TF_INIT_SSL);
    s7p_status st = tc_call(t, &p, &r);
    if (st != S7P_OK) return st;
    if (r->ret != 0) return fail(t, S7P_E_PLC, "init ssl");
    s7p_tls_config tc_cfg = {0};
    tc_cfg.verify = pin ? S7P_TLS_VERIFY_PIN : S7P_TLS_VERIFY_NONE;
    if (pin) memcpy(tc_cfg.pin_sha256, pin, sizeof tc_cfg.pin_sha256);
    t->tls = s7p_tls_ctx_new(&tc_cfg, t->err, sizeof t->err);
    if (!t->tls) return S7P_E_TLS;
    st = s7p_channel_start_tls(&t->ch, t->tls, s7p_deadline_in(TC_TIMEOUT_MS));
    return st == S7P_OK ? st : fail(t, st, "tls");
}

void tc_close(tc *t)
{
    if (t->open) s7p_channel_close(&t->ch);
    t->open = false;
    s7p_tls_ctx_free(t->tls);
    t->tls = NULL;
    s7p_arena_release(&t->a);
}

void tc_begin(tc *t, s7p_pdu *p, uint8_t version, uint16_t function, uint8_t flags)
{
    t->seq = (uint16_t)(t->seq == 0xFFFF ? 1 : t->seq + 1);
    uint32_t sid = t->session ? t->session : S7P_ID_OBJECT_NULL_SERVER_SESSION;
    s7p_pdu_init_request(p, version, function, t->seq, sid, flags);
}

s7p_status tc_send(tc *t, const s7p_pdu *p)
{
    s7p_status st = s7p_channel_send(&t->ch, p, s7p_deadline_in(TC_TIMEOUT_MS));
    return st == S7P_OK ? st : fail(t, st, "send");
}

s7p_status tc_recv(tc *t, const s7p_pdu **resp)
{
    s7p_arena_release(&t->a);
    memset(&t->version, 0, sizeof t->version);
    for (;;) {
        s7p_status st = s7p_channel_recv(&t->ch, &t->a, &t->m, s7p_deadline_in(TC_TIMEOUT_MS));
        if (st != S7P_OK) return fail(t, st, "recv");
        if (t->m.kind == S7P_MSG_PDU) break;
    }
    *resp = &t->m.pdu;
    return S7P_OK;
}

s7p_status tc_call(tc *t, const s7p_pdu *req, const s7p_pdu **resp)
{
    s7p_status st = tc_send(t, req);
    if (st != S7P_OK) return st;
    st = tc_recv(t, resp);
    if (st != S7P_OK) return st;
    const s7p_pdu *r = *resp;
    if (r->opcode != S7P_OP_RESPONSE || r->function != req->function || r->seq != req->seq)
        return fail(t, S7P_E_PROTOCOL, "unmatched response");
    return S7P_OK;
}

/* ---- builders ---- */

void tc_create_session_req(tc *t, s7p_pdu *p)
{
    tc_begin(t, p, S7P_PROTO_V1, S7P_FC_CREATE_OBJECT, S7P_TF_CREATE_OBJECT);
    s7p_req_create_object *b = &p->req.create_object;
    b->request_id = S7P_ID_OBJECT_SERVER_SESSION_CONTAINER;
    b->request_value.type = S7P_DT_UDINT;
    s7p_object *o = s7p_object_new(&t->a, S7P_ID_GET_NEW_RID_ON_SERVER,
                                   S7P_ID_CLASS_SERVER_SESSION);
    s7p_object *child = s7p_object_new(&t->a, S7P_ID_GET_NEW_RID_ON_SERVER,
                                       S7P_ID_CLASS_SUBSCRIPTIONS);
    s7p_value *rid = s7p_object_add_attr(o, &t->a, S7P_ID_SERVER_SESSION_CLIENT_RID);
    rid->type = S7P_DT_RID;
    rid->v.u = 0x80C3C901u;
    s7p_object_add_child(o, &t->a, child);
    b->objects.items = s7p_arena_array(&t->a, 1, sizeof *b->objects.items);
    b->objects.items[0] = o;
    b->objects.n = 1;
}

void tc_setup_write_req(tc *t, s7p_pdu *p)
{
    tc_begin(t, p, S7P_PROTO_V2, S7P_FC_SET_MULTI_VARIABLES, S7P_TF_REQUEST);
    s7p_req_set_multi *b = &p->req.set_multi;
    b->object_id = t->session;
    b->item_count = 1;
    b->nids = 1;
    b->ids = s7p_arena_array(&t->a, 1, sizeof *b->ids);
    b->ids[0] = S7P_ID_SERVER_SESSION_VERSION;
    *s7p_idlist_add(&b->values, &t->a, 1) = t->version;
    s7p_qualifier_default(&p->qualifier, &t->a);
}

void tc_get_limits_req(tc *t, s7p_pdu *p, uint32_t sub_area, const uint32_t *lids, uint32_t n)
{
    tc_begin(t, p, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, S7P_TF_REQUEST);
    s7p_req_get_multi *b = &p->req.get_multi;
    b->item_count = n;
    b->addresses = s7p_arena_array(&t->a, n, sizeof *b->addresses);
    for (uint32_t i = 0; i < n; i++) {
        s7p_item_address *ad = &b->addresses[i];
        ad->area = S7P_ID_OBJECT_ROOT;
        ad->sub_area = sub_area;
        ad->nlids = 1;
        ad->lids = s7p_arena_array(&t->a, 1, sizeof *ad->lids);
        ad->lids[0] = lids[i];
        b->nfields += s7p_item_address_fields(ad);
    }
    s7p_qualifier_default(&p->qualifier, &t->a);
    p->has_iid = true;
    p->iid = ++t->iid_get;
}

void tc_get_attr_req(tc *t, s7p_pdu *p, uint32_t object, uint32_t attr)
{
    tc_begin(t, p, S7P_PROTO_V2, S7P_FC_GET_VAR_SUB_STREAMED, S7P_TF_REQUEST);
    s7p_req_var_sub_streamed *b = &p->req.var_sub_streamed;
    b->object_id = object;
    b->value.flags = S7P_VF_ADDRESS_ARRAY;
    b->value.type = S7P_DT_UDINT;
    b->value.count = 1;
    b->value.elems = s7p_arena_array(&t->a, 1, sizeof *b->value.elems);
    b->value.elems[0].u = attr;
    b->unknown = 1;
    s7p_qualifier_default(&p->qualifier, &t->a);
    p->has_iid = true;
    p->iid = ++t->iid_get;
}

void tc_delete_req(tc *t, s7p_pdu *p, uint32_t object)
{
    tc_begin(t, p, S7P_PROTO_V2, S7P_FC_DELETE_OBJECT, S7P_TF_REQUEST);
    p->req.delete_object.object_id = object;
    s7p_qualifier_default(&p->qualifier, &t->a);
    p->has_iid = true;
    p->iid = ++t->iid_set;
}

void tc_explore_req(tc *t, s7p_pdu *p, uint32_t id, bool recursive, const uint32_t *attrs,
                    uint8_t n)
{
    tc_begin(t, p, S7P_PROTO_V2, S7P_FC_EXPLORE, S7P_TF_REQUEST);
    s7p_req_explore *b = &p->req.explore;
    s7p_explore_block *blk = s7p_arena_alloc(&t->a, sizeof *blk);
    blk->address_count = n;
    blk->addresses = n ? s7p_arena_array(&t->a, n, sizeof *blk->addresses) : NULL;
    for (uint8_t i = 0; i < n; i++) blk->addresses[i] = attrs[i];
    b->explore_id = id;
    b->children_recursive = recursive ? 1 : 0;
    b->unknown = 1;
    b->blocks = blk;
    b->nblocks = 1;
    p->has_iid = true;
    p->iid = ++t->iid_get;
}

void tc_get_attr_path_req(tc *t, s7p_pdu *p, uint32_t object, const uint32_t *ids, uint32_t n)
{
    tc_get_attr_req(t, p, object, ids[0]);
    s7p_value *v = &p->req.var_sub_streamed.value;
    v->count = n;
    v->elems = s7p_arena_array(&t->a, n, sizeof *v->elems);
    for (uint32_t i = 0; i < n; i++) v->elems[i].u = ids[i];
}

void tc_set_variable_req(tc *t, s7p_pdu *p, uint32_t object, uint32_t attr, int32_t value)
{
    tc_begin(t, p, S7P_PROTO_V2, S7P_FC_SET_VARIABLE, S7P_TF_REQUEST);
    s7p_req_set_variable *b = &p->req.set_variable;
    b->object_id = object;
    b->address_count = 1;
    b->addresses = s7p_arena_array(&t->a, 1, sizeof *b->addresses);
    b->addresses[0] = attr;
    b->value.type = S7P_DT_DINT;
    b->value.v.i = value;
    s7p_qualifier_default(&p->qualifier, &t->a);
    p->has_iid = true;
    p->iid = ++t->iid_set;
}

static void range_address(tc *t, s7p_item_address *ad, uint32_t area, uint32_t off,
                          uint32_t count, int bit)
{
    ad->symbol_crc = 0;
    ad->area = area;
    ad->sub_area = S7P_ID_DB_VALUE_ACTUAL;
    ad->nlids = bit < 0 ? 3 : 4;
    ad->lids = s7p_arena_array(&t->a, 4, sizeof *ad->lids);
    ad->lids[0] = 3;  /* LID_OMS_STB_ClassicBlob */
    ad->lids[1] = off;
    ad->lids[2] = count;
    if (bit >= 0) ad->lids[3] = (uint32_t)bit;
}

void tc_get_range_req(tc *t, s7p_pdu *p, uint32_t area, uint32_t off, uint32_t count, int bit)
{
    tc_begin(t, p, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, S7P_TF_REQUEST);
    s7p_req_get_multi *b = &p->req.get_multi;
    b->item_count = 1;
    b->addresses = s7p_arena_array(&t->a, 1, sizeof *b->addresses);
    range_address(t, &b->addresses[0], area, off, count, bit);
    b->nfields = s7p_item_address_fields(&b->addresses[0]);
    s7p_qualifier_default(&p->qualifier, &t->a);
    p->has_iid = true;
    p->iid = ++t->iid_get;
}

void tc_set_range_req(tc *t, s7p_pdu *p, uint32_t area, uint32_t off, const uint8_t *bytes,
                      uint32_t count, int bit, bool bit_value)
{
    tc_begin(t, p, S7P_PROTO_V2, S7P_FC_SET_MULTI_VARIABLES, S7P_TF_REQUEST);
    s7p_req_set_multi *b = &p->req.set_multi;
    b->item_count = 1;
    b->addresses = s7p_arena_array(&t->a, 1, sizeof *b->addresses);
    range_address(t, &b->addresses[0], area, off, count, bit);
    b->nfields = s7p_item_address_fields(&b->addresses[0]);
    s7p_value *v = s7p_idlist_add(&b->values, &t->a, 1);
    if (bit >= 0) {
        v->type = S7P_DT_BOOL;
        v->v.u = bit_value;
    } else {
        s7p_blob *blob = s7p_arena_alloc(&t->a, sizeof *blob);
        uint8_t *copy = s7p_arena_alloc(&t->a, count ? count : 1);
        memcpy(copy, bytes, count);
        blob->data.p = copy;
        blob->data.n = count;
        v->type = S7P_DT_BLOB;
        v->v.blob = blob;
    }
    s7p_qualifier_default(&p->qualifier, &t->a);
    p->has_iid = true;
    p->iid = ++t->iid_set;
}

/* ---- sequences ---- */

s7p_status tc_create_session(tc *t, const s7p_pdu **resp)
{
    s7p_pdu p;
    tc_create_session_req(t, &p);
    s7p_status st = tc_call(t, &p, resp);
    if (st != S7P_OK) return st;
    const s7p_pdu *r = *resp;
    const s7p_resp_create_object *b = &r->resp.create_object;
    /* An S7-1200 answers an informational 17 (MessageSessionPreLegitimated). */
    if (s7p_ret_code(r->ret) < 0) return fail(t, S7P_E_PLC, "create session");
    if (b->nids < 2 || b->objects.n != 1) return fail(t, S7P_E_PROTOCOL, "create session");
    const s7p_value *v = s7p_object_attr(b->objects.items[0], S7P_ID_SERVER_SESSION_VERSION);
    if (!v || v->type != S7P_DT_STRUCT) return fail(t, S7P_E_PROTOCOL, "session version");
    t->session = b->object_ids[0];
    t->session2 = b->object_ids[1];
    t->version = *v;
    return S7P_OK;
}

s7p_status tc_connect_session(tc *t, uint16_t port)
{
    const s7p_pdu *r;
    s7p_pdu p;
    s7p_status st = tc_open(t, port, NULL);
    if (st == S7P_OK) st = tc_init_ssl(t, NULL);
    if (st == S7P_OK) st = tc_create_session(t, &r);
    if (st != S7P_OK) return st;
    tc_setup_write_req(t, &p);
    st = tc_call(t, &p, &r);
    if (st == S7P_OK && r->ret != 0) st = fail(t, S7P_E_PLC, "setup write");
    return st;
}

s7p_status tc_get_attr(tc *t, uint32_t object, uint32_t attr, const s7p_pdu **resp)
{
    s7p_pdu p;
    tc_get_attr_req(t, &p, object, attr);
    s7p_status st = tc_call(t, &p, resp);
    if (st != S7P_OK) return st;
    if (!(*resp)->has_iid || (*resp)->iid != (uint32_t)p.seq + p.iid)
        return fail(t, S7P_E_PROTOCOL, "integrity id");
    return S7P_OK;
}

s7p_status tc_delete_session(tc *t)
{
    s7p_pdu p;
    const s7p_pdu *r;
    tc_delete_req(t, &p, t->session);
    s7p_status st = tc_call(t, &p, &r);
    if (st != S7P_OK) return st;
    if (r->ret != 0 || r->resp.delete_object.object_id != t->session || r->has_iid)
        return fail(t, S7P_E_PROTOCOL, "delete session");
    t->session = 0;
    /* The server closes after answering. */
    st = tc_recv(t, &r);
    return st == S7P_E_CLOSED ? S7P_OK : fail(t, S7P_E_PROTOCOL, "expected close");
}

bool tc_wait_sessions(const s7p_sim *s, unsigned n, unsigned ms)
{
    int64_t end = s7p_deadline_in(ms);
    while (s7p_sim_sessions(s) != n) {
        if (s7p_now_ms() > end) return false;
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return true;
}

int tc_teardown(void **state)
{
    tc_fixture *f = *state;
    tc_close(&f->t);
    s7p_sim_stop(f->sim);
    free(f);
    return 0;
}

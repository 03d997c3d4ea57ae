/* SPDX-License-Identifier: MIT */
/* Request bodies (after the request header). Layouts: docs/protocol.md §1.10. */
#include <string.h>

#include "proto/body.h"
#include "proto/vlq.h"

bool s7p_rd_u32_array(s7p_rd *r, s7p_arena *a, uint32_t n, bool vlq, uint32_t **out)
{
    *out = NULL;
    if (!s7p_rd_check_count(r, n, 1)) return false;
    if (n == 0) return true;
    *out = s7p_arena_array(a, n, sizeof **out);
    if (!*out) return s7p_rd_fail(r, S7P_E_NOMEM);
    for (uint32_t i = 0; i < n; i++)
        if (!(vlq ? s7p_rd_vlq_u32(r, &(*out)[i]) : s7p_rd_u32be(r, &(*out)[i]))) return false;
    return true;
}

bool s7p_wr_u32_array(s7p_wr *w, const uint32_t *v, uint32_t n, bool vlq)
{
    if (n && !v) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    for (uint32_t i = 0; i < n; i++)
        if (!(vlq ? s7p_wr_vlq_u32(w, v[i]) : s7p_wr_u32be(w, v[i]))) return false;
    return true;
}

/* Requests of these functions may end their body with an object qualifier. The reference
 * decoder reads one only when more than 10 bytes are left. */
static bool rd_qualifier(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    if (s7p_rd_left(r) <= 10) return true;
    return s7p_qualifier_decode(r, a, &p->qualifier);
}

/* ---- CreateObject ---- */

static bool rd_create_object(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_req_create_object *b = &p->req.create_object;
    uint8_t next;
    s7p_rd_u32be(r, &b->request_id);
    if (!s7p_value_decode(r, a, &b->request_value) || !s7p_rd_u32be(r, &b->unknown)) return false;
    if (p->version != S7P_PROTO_V1 && s7p_rd_peek_u8(r, &next) && next != S7P_EL_START_OBJECT) {
        b->has_inline_iid = true;
        if (!s7p_rd_vlq_u32(r, &b->inline_iid)) return false;
    }
    return s7p_object_list_decode(r, a, &b->objects);
}

static bool wr_create_object(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_req_create_object *b = &p->req.create_object;
    s7p_wr_u32be(w, b->request_id);
    s7p_value_encode(w, &b->request_value);
    s7p_wr_u32be(w, b->unknown);
    if (b->has_inline_iid) {
        if (p->version == S7P_PROTO_V1) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        s7p_wr_vlq_u32(w, b->inline_iid);
    }
    return s7p_object_list_encode(w, &b->objects);
}

/* ---- DeleteObject ---- */

static bool rd_delete_object(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_rd_u32be(r, &p->req.delete_object.object_id);
    s7p_rd_u8(r, &p->req.delete_object.unknown);
    return rd_qualifier(r, a, p);
}

static bool wr_delete_object(s7p_wr *w, const s7p_pdu *p)
{
    s7p_wr_u32be(w, p->req.delete_object.object_id);
    s7p_wr_u8(w, p->req.delete_object.unknown);
    return s7p_qualifier_encode(w, &p->qualifier);
}

/* ---- Explore ---- */

static bool rd_explore_block(s7p_rd *r, s7p_arena *a, s7p_explore_block *b)
{
    s7p_rd_u8(r, &b->object_count);
    s7p_rd_u8(r, &b->address_count);
    if (b->object_count > 0) {
        s7p_rd_u8(r, &b->datatype);
        if (b->datatype == S7P_DT_STRUCT &&
            !(s7p_rd_u32be(r, &b->struct_id) && s7p_idlist_decode(r, a, &b->members)))
            return false;
    }
    return s7p_rd_u32_array(r, a, b->address_count, true, &b->addresses);
}

static bool wr_explore_block(s7p_wr *w, const s7p_explore_block *b)
{
    s7p_wr_u8(w, b->object_count);
    s7p_wr_u8(w, b->address_count);
    if (b->object_count > 0) {
        s7p_wr_u8(w, b->datatype);
        if (b->datatype == S7P_DT_STRUCT && s7p_wr_u32be(w, b->struct_id))
            s7p_idlist_encode(w, &b->members);
    }
    return s7p_wr_u32_array(w, b->addresses, b->address_count, true);
}

static bool rd_explore(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_req_explore *b = &p->req.explore;
    uint32_t cap = 0;
    s7p_rd_u32be(r, &b->explore_id);
    s7p_rd_vlq_u32(r, &b->explore_request_id);
    s7p_rd_u8(r, &b->children_recursive);
    s7p_rd_u8(r, &b->unknown);
    s7p_rd_u8(r, &b->parents);
    do {
        if (b->nblocks == cap) {
            uint32_t ncap = cap ? cap * 2 : 4;
            if (ncap > S7P_MAX_ITEMS) return s7p_rd_fail(r, S7P_E_LIMIT);
            s7p_explore_block *nb = s7p_arena_array(a, ncap, sizeof *nb);
            if (!nb) return s7p_rd_fail(r, S7P_E_NOMEM);
            if (b->nblocks) memcpy(nb, b->blocks, b->nblocks * sizeof *nb);
            b->blocks = nb;
            cap = ncap;
        }
        if (!rd_explore_block(r, a, &b->blocks[b->nblocks])) return false;
    } while (b->blocks[b->nblocks++].object_count > 0);
    return r->err == S7P_OK;
}

static bool wr_explore(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_req_explore *b = &p->req.explore;
    if (b->nblocks == 0 || b->blocks[b->nblocks - 1].object_count != 0)
        return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    s7p_wr_u32be(w, b->explore_id);
    s7p_wr_vlq_u32(w, b->explore_request_id);
    s7p_wr_u8(w, b->children_recursive);
    s7p_wr_u8(w, b->unknown);
    s7p_wr_u8(w, b->parents);
    for (uint32_t i = 0; i < b->nblocks; i++)
        if (!wr_explore_block(w, &b->blocks[i])) return false;
    return w->err == S7P_OK;
}

/* ---- Get/SetMultiVariables ---- */

static bool rd_addresses(s7p_rd *r, s7p_arena *a, uint32_t n, s7p_item_address **out)
{
    *out = NULL;
    if (!s7p_rd_check_count(r, n, 4)) return false;
    if (n == 0) return true;
    *out = s7p_arena_array(a, n, sizeof **out);
    if (!*out) return s7p_rd_fail(r, S7P_E_NOMEM);
    for (uint32_t i = 0; i < n; i++)
        if (!s7p_item_address_decode(r, a, &(*out)[i])) return false;
    return true;
}

static bool wr_addresses(s7p_wr *w, const s7p_item_address *v, uint32_t n)
{
    if (n && !v) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    for (uint32_t i = 0; i < n; i++)
        if (!s7p_item_address_encode(w, &v[i])) return false;
    return true;
}

static bool rd_get_multi(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_req_get_multi *b = &p->req.get_multi;
    s7p_rd_u32be(r, &b->link_id);
    s7p_rd_vlq_u32(r, &b->item_count);
    if (b->link_id == 0) {
        if (!s7p_rd_vlq_u32(r, &b->nfields) || !rd_addresses(r, a, b->item_count, &b->addresses))
            return false;
    } else if (!s7p_rd_vlq_u32(r, &b->nids) || !s7p_rd_u32_array(r, a, b->nids, true, &b->ids)) {
        return false;
    }
    return rd_qualifier(r, a, p);
}

static bool wr_get_multi(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_req_get_multi *b = &p->req.get_multi;
    s7p_wr_u32be(w, b->link_id);
    s7p_wr_vlq_u32(w, b->item_count);
    if (b->link_id == 0) {
        s7p_wr_vlq_u32(w, b->nfields);
        wr_addresses(w, b->addresses, b->item_count);
    } else {
        s7p_wr_vlq_u32(w, b->nids);
        s7p_wr_u32_array(w, b->ids, b->nids, true);
    }
    return s7p_qualifier_encode(w, &p->qualifier);
}

/* `count` (item number, value) pairs with no terminator of their own. */
static bool rd_counted_values(s7p_rd *r, s7p_arena *a, uint32_t count, s7p_idlist *out)
{
    uint32_t item;
    memset(out, 0, sizeof *out);
    if (!s7p_rd_check_count(r, count, 3)) return false;
    for (uint32_t i = 0; i < count; i++) {
        if (!s7p_rd_vlq_u32(r, &item)) return false;
        s7p_value *v = s7p_idlist_add(out, a, item);
        if (!v) return s7p_rd_fail(r, S7P_E_NOMEM);
        if (!s7p_value_decode(r, a, v)) return false;
    }
    return true;
}

static bool wr_counted_values(s7p_wr *w, const s7p_idlist *l, uint32_t count)
{
    if (l->n != count) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    for (const s7p_member *m = l->first; m; m = m->next)
        if (!s7p_wr_vlq_u32(w, m->id) || !s7p_value_encode(w, &m->value)) return false;
    return true;
}

static bool rd_set_multi(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_req_set_multi *b = &p->req.set_multi;
    s7p_rd_u32be(r, &b->object_id);
    s7p_rd_vlq_u32(r, &b->item_count);
    if (b->object_id == 0) {
        if (!s7p_rd_vlq_u32(r, &b->nfields) || !rd_addresses(r, a, b->item_count, &b->addresses))
            return false;
    } else if (!s7p_rd_vlq_u32(r, &b->nids) || !s7p_rd_u32_array(r, a, b->nids, true, &b->ids)) {
        return false;
    }
    if (!rd_counted_values(r, a, b->item_count, &b->values) || !s7p_rd_u8(r, &b->fill))
        return false;
    return rd_qualifier(r, a, p);
}

static bool wr_set_multi(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_req_set_multi *b = &p->req.set_multi;
    s7p_wr_u32be(w, b->object_id);
    s7p_wr_vlq_u32(w, b->item_count);
    if (b->object_id == 0) {
        s7p_wr_vlq_u32(w, b->nfields);
        wr_addresses(w, b->addresses, b->item_count);
    } else {
        s7p_wr_vlq_u32(w, b->nids);
        s7p_wr_u32_array(w, b->ids, b->nids, true);
    }
    wr_counted_values(w, &b->values, b->item_count);
    s7p_wr_u8(w, b->fill);
    return s7p_qualifier_encode(w, &p->qualifier);
}

/* ---- SetVariable / GetVariable ---- */

static bool rd_set_variable(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_req_set_variable *b = &p->req.set_variable;
    s7p_rd_u32be(r, &b->object_id);
    if (!s7p_rd_vlq_u32(r, &b->address_count) ||
        !s7p_rd_u32_array(r, a, b->address_count, true, &b->addresses))
        return false;
    if (!s7p_value_decode(r, a, &b->value) || !rd_qualifier(r, a, p)) return false;
    return s7p_rd_u8(r, &b->unknown);
}

static bool wr_set_variable(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_req_set_variable *b = &p->req.set_variable;
    s7p_wr_u32be(w, b->object_id);
    s7p_wr_vlq_u32(w, b->address_count);
    s7p_wr_u32_array(w, b->addresses, b->address_count, true);
    s7p_value_encode(w, &b->value);
    s7p_qualifier_encode(w, &p->qualifier);
    return s7p_wr_u8(w, b->unknown);
}

static bool rd_get_variable(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_req_get_variable *b = &p->req.get_variable;
    s7p_rd_u32be(r, &b->object_id);
    if (!s7p_rd_vlq_u32(r, &b->nids) || !s7p_rd_u32_array(r, a, b->nids, true, &b->ids))
        return false;
    return rd_qualifier(r, a, p);
}

static bool wr_get_variable(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_req_get_variable *b = &p->req.get_variable;
    s7p_wr_u32be(w, b->object_id);
    s7p_wr_vlq_u32(w, b->nids);
    s7p_wr_u32_array(w, b->ids, b->nids, true);
    return s7p_qualifier_encode(w, &p->qualifier);
}

/* ---- Get/SetVarSubStreamed: struct members in the request value carry u32 ids ---- */

static bool rd_var_sub_streamed(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_req_var_sub_streamed *b = &p->req.var_sub_streamed;
    s7p_rd_u32be(r, &b->object_id);
    r->u32_ids = true;
    bool ok = s7p_value_decode(r, a, &b->value);
    r->u32_ids = false;
    if (!ok || !rd_qualifier(r, a, p) || !s7p_rd_u16be(r, &b->unknown)) return false;
    if (p->function == S7P_FC_SET_VAR_SUB_STREAMED) return s7p_value_decode(r, a, &b->stream);
    return true;
}

static bool wr_var_sub_streamed(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_req_var_sub_streamed *b = &p->req.var_sub_streamed;
    s7p_wr_u32be(w, b->object_id);
    w->u32_ids = true;
    bool ok = s7p_value_encode(w, &b->value);
    w->u32_ids = false;
    if (!ok || !s7p_qualifier_encode(w, &p->qualifier) || !s7p_wr_u16be(w, b->unknown))
        return false;
    if (p->function == S7P_FC_SET_VAR_SUB_STREAMED) return s7p_value_encode(w, &b->stream);
    return true;
}

/* ---- GetLink, Begin/EndSequence, Invoke ---- */

static bool rd_get_link(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    (void)a;
    s7p_rd_u32be(r, &p->req.get_link.unknown1);
    s7p_rd_vlq_u32(r, &p->req.get_link.id);
    return s7p_rd_u16be(r, &p->req.get_link.unknown2);
}

static bool wr_get_link(s7p_wr *w, const s7p_pdu *p)
{
    s7p_wr_u32be(w, p->req.get_link.unknown1);
    s7p_wr_vlq_u32(w, p->req.get_link.id);
    return s7p_wr_u16be(w, p->req.get_link.unknown2);
}

static bool rd_begin_sequence(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_req_begin_sequence *b = &p->req.begin_sequence;
    if (!s7p_rd_u8(r, &b->transaction_type) || p->version == S7P_PROTO_V1) return r->err == S7P_OK;
    if (!s7p_rd_u16be(r, &b->value_type)) return false;
    if (b->value_type != 1) return s7p_rd_u32be(r, &b->request_id);
    /* One unknown byte before the object, or two when the second is not the object start. */
    if (s7p_rd_left(r) >= 2 && r->p[1] == S7P_EL_START_OBJECT) {
        uint8_t u8v;
        s7p_rd_u8(r, &u8v);
        b->unknown = u8v;
    } else {
        b->unknown_is_u16 = true;
        s7p_rd_u16be(r, &b->unknown);
    }
    return s7p_object_list_decode(r, a, &b->objects);
}

static bool wr_begin_sequence(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_req_begin_sequence *b = &p->req.begin_sequence;
    if (!s7p_wr_u8(w, b->transaction_type) || p->version == S7P_PROTO_V1) return w->err == S7P_OK;
    s7p_wr_u16be(w, b->value_type);
    if (b->value_type != 1) return s7p_wr_u32be(w, b->request_id);
    if (b->unknown_is_u16) s7p_wr_u16be(w, b->unknown);
    else s7p_wr_u8(w, (uint8_t)b->unknown);
    return s7p_object_list_encode(w, &b->objects);
}

static bool rd_end_sequence(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    (void)a;
    return s7p_rd_u16be(r, &p->req.end_sequence.unknown);
}

static bool wr_end_sequence(s7p_wr *w, const s7p_pdu *p)
{
    return s7p_wr_u16be(w, p->req.end_sequence.unknown);
}

static bool rd_invoke(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_req_invoke *b = &p->req.invoke;
    s7p_rd_u32be(r, &b->sub_session_id);
    s7p_rd_u32be(r, &b->unknown1);
    return s7p_idlist_decode(r, a, &b->values) && s7p_rd_u8(r, &b->unknown2);
}

static bool wr_invoke(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_req_invoke *b = &p->req.invoke;
    s7p_wr_u32be(w, b->sub_session_id);
    s7p_wr_u32be(w, b->unknown1);
    return s7p_idlist_encode(w, &b->values) && s7p_wr_u8(w, b->unknown2);
}

/* ---- dispatch ---- */

static const s7p_body_codec req_codecs[] = {
    {S7P_FC_INIT_SSL, NULL, NULL},
    {S7P_FC_CREATE_OBJECT, rd_create_object, wr_create_object},
    {S7P_FC_DELETE_OBJECT, rd_delete_object, wr_delete_object},
    {S7P_FC_EXPLORE, rd_explore, wr_explore},
    {S7P_FC_GET_MULTI_VARIABLES, rd_get_multi, wr_get_multi},
    {S7P_FC_SET_MULTI_VARIABLES, rd_set_multi, wr_set_multi},
    {S7P_FC_SET_VARIABLE, rd_set_variable, wr_set_variable},
    {S7P_FC_GET_VARIABLE, rd_get_variable, wr_get_variable},
    {S7P_FC_GET_VAR_SUB_STREAMED, rd_var_sub_streamed, wr_var_sub_streamed},
    {S7P_FC_SET_VAR_SUB_STREAMED, rd_var_sub_streamed, wr_var_sub_streamed},
    {S7P_FC_GET_LINK, rd_get_link, wr_get_link},
    {S7P_FC_BEGIN_SEQUENCE, rd_begin_sequence, wr_begin_sequence},
    {S7P_FC_END_SEQUENCE, rd_end_sequence, wr_end_sequence},
    {S7P_FC_INVOKE, rd_invoke, wr_invoke},
};

const s7p_body_codec *s7p_request_codec(uint16_t function)
{
    for (size_t i = 0; i < sizeof req_codecs / sizeof req_codecs[0]; i++)
        if (req_codecs[i].function == function) return &req_codecs[i];
    return NULL;
}

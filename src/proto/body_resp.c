/* SPDX-License-Identifier: MIT */
/* Response bodies after the return value. Layouts: docs/protocol.md §1.10. */
#include <string.h>

#include "proto/body.h"
#include "proto/vlq.h"

static bool rd_create_object(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_resp_create_object *b = &p->resp.create_object;
    if (!s7p_rd_u8(r, &b->nids) || !s7p_rd_u32_array(r, a, b->nids, true, &b->object_ids))
        return false;
    /* Only the session-setup response (V1) carries the created object. */
    if (p->version == S7P_PROTO_V1) return s7p_object_list_decode(r, a, &b->objects);
    return true;
}

static bool wr_create_object(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_resp_create_object *b = &p->resp.create_object;
    s7p_wr_u8(w, b->nids);
    s7p_wr_u32_array(w, b->object_ids, b->nids, true);
    if (p->version != S7P_PROTO_V1 && b->objects.n) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    return s7p_object_list_encode(w, &b->objects);
}

static bool rd_delete_object(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    if (!s7p_rd_u32be(r, &p->resp.delete_object.object_id)) return false;
    if (p->ret & S7P_RET_ERROR_EXTENSION)
        return s7p_object_list_decode(r, a, &p->resp.delete_object.error);
    return true;
}

static bool wr_delete_object(s7p_wr *w, const s7p_pdu *p)
{
    s7p_wr_u32be(w, p->resp.delete_object.object_id);
    return s7p_object_list_encode(w, &p->resp.delete_object.error);
}

static bool rd_explore(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_resp_explore *b = &p->resp.explore;
    uint8_t next = 0;
    if (!s7p_rd_u32be(r, &b->explore_id)) return false;
    s7p_rd_peek_u8(r, &next);
    /* V3 always carries the id here; V2 only when an object or the fill does not follow. */
    if (p->version == S7P_PROTO_V3 ||
        (p->version == S7P_PROTO_V2 && s7p_rd_left(r) > 0 && next != S7P_EL_START_OBJECT &&
         next != 0)) {
        b->has_resp_iid = true;
        if (!s7p_rd_vlq_u32(r, &b->resp_iid)) return false;
    }
    return s7p_object_list_decode(r, a, &b->objects);
}

static bool wr_explore(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_resp_explore *b = &p->resp.explore;
    s7p_wr_u32be(w, b->explore_id);
    if (b->has_resp_iid) {
        if (p->version == S7P_PROTO_V1) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        s7p_wr_vlq_u32(w, b->resp_iid);
    }
    return s7p_object_list_encode(w, &b->objects);
}

static bool rd_get_multi(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    return s7p_idlist_decode(r, a, &p->resp.get_multi.values) &&
           s7p_error_list_decode(r, a, &p->resp.get_multi.errors);
}

static bool wr_get_multi(s7p_wr *w, const s7p_pdu *p)
{
    return s7p_idlist_encode(w, &p->resp.get_multi.values) &&
           s7p_error_list_encode(w, &p->resp.get_multi.errors);
}

static bool rd_set_multi(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    return s7p_error_list_decode(r, a, &p->resp.set_multi.errors);
}

static bool wr_set_multi(s7p_wr *w, const s7p_pdu *p)
{
    return s7p_error_list_encode(w, &p->resp.set_multi.errors);
}

static bool rd_get_variable(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    return s7p_value_decode(r, a, &p->resp.get_variable.value);
}

static bool wr_get_variable(s7p_wr *w, const s7p_pdu *p)
{
    return s7p_value_encode(w, &p->resp.get_variable.value);
}

static bool rd_get_var_sub_streamed(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    return s7p_rd_u8(r, &p->resp.get_var_sub_streamed.unknown) &&
           s7p_value_decode(r, a, &p->resp.get_var_sub_streamed.value);
}

static bool wr_get_var_sub_streamed(s7p_wr *w, const s7p_pdu *p)
{
    return s7p_wr_u8(w, p->resp.get_var_sub_streamed.unknown) &&
           s7p_value_encode(w, &p->resp.get_var_sub_streamed.value);
}

static bool rd_get_link(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    return s7p_rd_u8(r, &p->resp.get_link.n) &&
           s7p_rd_u32_array(r, a, p->resp.get_link.n, false, &p->resp.get_link.links);
}

static bool wr_get_link(s7p_wr *w, const s7p_pdu *p)
{
    return s7p_wr_u8(w, p->resp.get_link.n) &&
           s7p_wr_u32_array(w, p->resp.get_link.links, p->resp.get_link.n, false);
}

static bool rd_begin_sequence(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    (void)a;
    s7p_resp_begin_sequence *b = &p->resp.begin_sequence;
    if (p->version == S7P_PROTO_V1) return true;
    b->has_id = true;
    return s7p_rd_u16be(r, &b->value_type) && s7p_rd_u32be(r, &b->request_id);
}

static bool wr_begin_sequence(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_resp_begin_sequence *b = &p->resp.begin_sequence;
    if (b->has_id != (p->version != S7P_PROTO_V1)) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    if (!b->has_id) return true;
    return s7p_wr_u16be(w, b->value_type) && s7p_wr_u32be(w, b->request_id);
}

static bool rd_invoke(s7p_rd *r, s7p_arena *a, s7p_pdu *p)
{
    s7p_resp_invoke *b = &p->resp.invoke;
    uint8_t next = 0;
    for (b->nrets = 0; b->nrets < 3; b->nrets++)
        if (!s7p_rd_vlq_u64(r, &b->rets[b->nrets])) return false;
    if (s7p_rd_peek_u8(r, &next) && next != 0x01 && !s7p_rd_vlq_u64(r, &b->rets[b->nrets++]))
        return false;
    return s7p_idlist_decode(r, a, &b->values) && s7p_rd_u8(r, &b->unknown);
}

static bool wr_invoke(s7p_wr *w, const s7p_pdu *p)
{
    const s7p_resp_invoke *b = &p->resp.invoke;
    if (b->nrets < 3 || b->nrets > 4) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    for (uint8_t i = 0; i < b->nrets; i++) s7p_wr_vlq_u64(w, b->rets[i]);
    return s7p_idlist_encode(w, &b->values) && s7p_wr_u8(w, b->unknown);
}

static const s7p_body_codec resp_codecs[] = {
    {S7P_FC_INIT_SSL, NULL, NULL},
    {S7P_FC_ERROR, NULL, NULL},
    {S7P_FC_ERROR2, NULL, NULL},
    {S7P_FC_SET_VARIABLE, NULL, NULL},
    {S7P_FC_SET_VAR_SUB_STREAMED, NULL, NULL},
    {S7P_FC_END_SEQUENCE, NULL, NULL},
    {S7P_FC_CREATE_OBJECT, rd_create_object, wr_create_object},
    {S7P_FC_DELETE_OBJECT, rd_delete_object, wr_delete_object},
    {S7P_FC_EXPLORE, rd_explore, wr_explore},
    {S7P_FC_GET_MULTI_VARIABLES, rd_get_multi, wr_get_multi},
    {S7P_FC_SET_MULTI_VARIABLES, rd_set_multi, wr_set_multi},
    {S7P_FC_GET_VARIABLE, rd_get_variable, wr_get_variable},
    {S7P_FC_GET_VAR_SUB_STREAMED, rd_get_var_sub_streamed, wr_get_var_sub_streamed},
    {S7P_FC_GET_LINK, rd_get_link, wr_get_link},
    {S7P_FC_BEGIN_SEQUENCE, rd_begin_sequence, wr_begin_sequence},
    {S7P_FC_INVOKE, rd_invoke, wr_invoke},
};

const s7p_body_codec *s7p_response_codec(uint16_t function)
{
    for (size_t i = 0; i < sizeof resp_codecs / sizeof resp_codecs[0]; i++)
        if (resp_codecs[i].function == function) return &resp_codecs[i];
    return NULL;
}

/* SPDX-License-Identifier: MIT */
/* Notification PDUs (opcode 0x33): subscription and alarm data pushed by the PLC.
 * Layouts: docs/protocol.md §1.11. */
#include <string.h>

#include "proto/pdu.h"
#include "proto/vlq.h"

#define MODERN_OBJECT_ID 0x70000000u

static bool rd_item(s7p_rd *r, s7p_arena *a, s7p_notif_item *it)
{
    switch (it->code) {
    case S7P_NI_VALUE_REF32:
        return s7p_rd_u32be(r, &it->ref) && s7p_value_decode(r, a, &it->value);
    case S7P_NI_VALUE:
        return s7p_rd_vlq_u32(r, &it->ref) && s7p_value_decode(r, a, &it->value);
    case S7P_NI_VALUE_V1:
        return s7p_value_decode(r, a, &it->value);
    case S7P_NI_STATUS_TABLE: case S7P_NI_ERROR_1200: case S7P_NI_ERROR_1500:
        return s7p_rd_u32be(r, &it->ref);
    case S7P_NI_OBJECT:
        return s7p_object_decode(r, a, &it->object);
    default:
        return s7p_rd_fail(r, S7P_E_PROTOCOL);  /* unknown item code */
    }
}

static bool wr_item(s7p_wr *w, const s7p_notif_item *it)
{
    if (!s7p_wr_u8(w, it->code)) return false;
    switch (it->code) {
    case S7P_NI_VALUE_REF32: return s7p_wr_u32be(w, it->ref) && s7p_value_encode(w, &it->value);
    case S7P_NI_VALUE: return s7p_wr_vlq_u32(w, it->ref) && s7p_value_encode(w, &it->value);
    case S7P_NI_VALUE_V1: return s7p_value_encode(w, &it->value);
    case S7P_NI_STATUS_TABLE: case S7P_NI_ERROR_1200: case S7P_NI_ERROR_1500:
        return s7p_wr_u32be(w, it->ref);
    case S7P_NI_OBJECT:
        return it->object ? s7p_object_encode(w, it->object) : s7p_wr_fail(w, S7P_E_INVALID_ARG);
    default: return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    }
}

static bool rd_items(s7p_rd *r, s7p_arena *a, s7p_notif_list *l)
{
    uint8_t code;
    memset(l, 0, sizeof *l);
    while (s7p_rd_u8(r, &code) && code != S7P_NI_END) {
        s7p_notif_item *it = s7p_arena_alloc(a, sizeof *it);
        if (!it) return s7p_rd_fail(r, S7P_E_NOMEM);
        it->code = code;
        if (!rd_item(r, a, it)) return false;
        if (l->last) l->last->next = it; else l->first = it;
        l->last = it;
        l->n++;
    }
    return r->err == S7P_OK;
}

static bool wr_items(s7p_wr *w, const s7p_notif_list *l)
{
    for (const s7p_notif_item *it = l->first; it; it = it->next)
        if (!wr_item(w, it)) return false;
    return s7p_wr_u8(w, S7P_NI_END);
}

static bool rd_v1(s7p_rd *r, s7p_arena *a, s7p_notification *n)
{
    if (!s7p_rd_u32be(r, &n->v1_unknown2)) return false;
    if (s7p_rd_left(r) < 4 || (r->p[0] | r->p[1] | r->p[2] | r->p[3]) == 0) return true;
    n->v1_has_items = true;
    return s7p_rd_u32be(r, &n->v1_unknown3) && s7p_rd_u16be(r, &n->v1_unknown4) &&
           rd_items(r, a, &n->items);
}

static bool rd_counters(s7p_rd *r, s7p_notification *n)
{
    uint8_t u8v, next;
    if (n->object_id < MODERN_OBJECT_ID) {
        /* Old S7-1200 short header: one-byte sequence number, no credit tick. */
        s7p_rd_u8(r, &u8v);
        n->seq = u8v;
        return s7p_rd_u8(r, &n->change_counter);
    }
    s7p_rd_u8(r, &n->credit_tick);
    s7p_rd_vlq_u32(r, &n->seq);
    /* A zero byte here is the top byte of a microsecond timestamp. */
    if (s7p_rd_peek_u8(r, &next) && next == 0) {
        n->has_timestamp = true;
        s7p_rd_u64be(r, &n->timestamp_us);
    }
    return s7p_rd_u8(r, &n->change_counter);
}

bool s7p_notification_decode(s7p_rd *r, s7p_arena *a, uint8_t version, s7p_notification *n)
{
    memset(n, 0, sizeof *n);
    if (!s7p_rd_u32be(r, &n->object_id)) return false;
    if (version == S7P_PROTO_V1) return rd_v1(r, a, n);
    s7p_rd_u16be(r, &n->unknown2);
    if (!s7p_rd_u16be(r, &n->unknown3)) return false;
    if (n->unknown2 != 0x0400)
        return s7p_rd_bytes(r, s7p_rd_left(r), &n->raw);  /* layout unknown: keep as is */
    if (!s7p_rd_u16be(r, &n->unknown4) || !rd_counters(r, n) || !rd_items(r, a, &n->items))
        return false;
    /* Optional second part (alarm objects): another object id, then more items. */
    if (s7p_rd_left(r) >= 4 && r->p[0] != 0) {
        n->has_part2 = true;
        return s7p_rd_u32be(r, &n->object_id2) && s7p_rd_u16be(r, &n->unknown5) &&
               rd_items(r, a, &n->items2);
    }
    return r->err == S7P_OK;
}

bool s7p_notification_encode(s7p_wr *w, uint8_t version, const s7p_notification *n)
{
    s7p_wr_u32be(w, n->object_id);
    if (version == S7P_PROTO_V1) {
        s7p_wr_u32be(w, n->v1_unknown2);
        if (!n->v1_has_items) return w->err == S7P_OK;
        s7p_wr_u32be(w, n->v1_unknown3);
        s7p_wr_u16be(w, n->v1_unknown4);
        return wr_items(w, &n->items);
    }
    s7p_wr_u16be(w, n->unknown2);
    s7p_wr_u16be(w, n->unknown3);
    if (n->unknown2 != 0x0400) return s7p_wr_bytes(w, n->raw.p, n->raw.n);
    s7p_wr_u16be(w, n->unknown4);
    if (n->object_id < MODERN_OBJECT_ID) {
        if (n->seq > 0xFF || n->has_timestamp) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        s7p_wr_u8(w, (uint8_t)n->seq);
    } else {
        s7p_wr_u8(w, n->credit_tick);
        s7p_wr_vlq_u32(w, n->seq);
        /* The timestamp's top byte must be 0, or a decoder cannot tell it is there. */
        if (n->has_timestamp && (n->timestamp_us >> 56) != 0) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        if (n->has_timestamp) s7p_wr_u64be(w, n->timestamp_us);
        else if (n->change_counter == 0) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    }
    s7p_wr_u8(w, n->change_counter);
    if (!wr_items(w, &n->items)) return false;
    if (!n->has_part2) return w->err == S7P_OK;
    if ((n->object_id2 >> 24) == 0) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    s7p_wr_u32be(w, n->object_id2);
    s7p_wr_u16be(w, n->unknown5);
    return wr_items(w, &n->items2);
}

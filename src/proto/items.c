/* SPDX-License-Identifier: MIT */
#include "proto/items.h"

#include <string.h>

#include "proto/ids.h"
#include "proto/vlq.h"


bool s7p_item_address_decode(s7p_rd *r, s7p_arena *ar, s7p_item_address *out)
{
    uint32_t count;
    memset(out, 0, sizeof *out);
    s7p_rd_vlq_u32(r, &out->symbol_crc);
    s7p_rd_vlq_u32(r, &out->area);
    s7p_rd_vlq_u32(r, &count);
    /* The sub-area is there even when the count says 0. */
    if (!s7p_rd_vlq_u32(r, &out->sub_area)) return false;
    out->nlids = count ? count - 1 : 0;
    if (!s7p_rd_check_count(r, out->nlids, 1)) return false;
    if (out->nlids) {
        out->lids = s7p_arena_array(ar, out->nlids, sizeof *out->lids);
        if (!out->lids) return s7p_rd_fail(r, S7P_E_NOMEM);
    }
    for (uint32_t i = 0; i < out->nlids; i++)
        if (!s7p_rd_vlq_u32(r, &out->lids[i])) return false;
    return true;
}

bool s7p_item_address_encode(s7p_wr *w, const s7p_item_address *a)
{
    if (a->nlids >= UINT32_MAX || (a->nlids && !a->lids)) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    if (!w->fixed_ints) {
        /* The hottest encoder of a batch (every tag of every request): the room of the whole
         * address is checked once (by its largest size when that fits) and its fields
         * stored in place. */
        size_t most = ((size_t)a->nlids + 4u) * 5u;
        size_t n = w->err == S7P_OK && w->cap - w->len >= most ? most : s7p_item_address_size(a);
        if (!s7p_wr_room(w, n)) return false;
        if (!w->buf) {
            w->len += s7p_item_address_size(a);
            return true;
        }
        uint8_t *p = w->buf + w->len, *start = p;
        p += s7p_vlq_u32_put(p, a->symbol_crc);
        p += s7p_vlq_u32_put(p, a->area);
        p += s7p_vlq_u32_put(p, a->nlids + 1);
        p += s7p_vlq_u32_put(p, a->sub_area);
        for (uint32_t i = 0; i < a->nlids; i++) p += s7p_vlq_u32_put(p, a->lids[i]);
        w->len += (size_t)(p - start);
        return true;
    }
    s7p_wr_vlq_u32(w, a->symbol_crc);
    s7p_wr_vlq_u32(w, a->area);
    s7p_wr_vlq_u32(w, a->nlids + 1);
    s7p_wr_vlq_u32(w, a->sub_area);
    for (uint32_t i = 0; i < a->nlids; i++) s7p_wr_vlq_u32(w, a->lids[i]);
    return w->err == S7P_OK;
}


bool s7p_error_list_decode(s7p_rd *r, s7p_arena *a, s7p_error_list *out)
{
    uint32_t item, cap = 0;
    memset(out, 0, sizeof *out);
    while (s7p_rd_vlq_u32(r, &item) && item != 0) {
        if (out->n == cap) {
            uint32_t ncap = cap ? cap * 2 : 8;
            if (ncap > S7P_MAX_ITEMS) return s7p_rd_fail(r, S7P_E_LIMIT);
            s7p_item_error *items = s7p_arena_array(a, ncap, sizeof *items);
            if (!items) return s7p_rd_fail(r, S7P_E_NOMEM);
            if (out->n) memcpy(items, out->items, out->n * sizeof *items);
            out->items = items;
            cap = ncap;
        }
        out->items[out->n].item = item;
        if (!s7p_rd_vlq_u64(r, &out->items[out->n].ret)) return false;
        out->n++;
    }
    return r->err == S7P_OK;
}

bool s7p_error_list_encode(s7p_wr *w, const s7p_error_list *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        if (l->items[i].item == 0) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        s7p_wr_vlq_u32(w, l->items[i].item);
        s7p_wr_vlq_u64(w, l->items[i].ret);
    }
    return s7p_wr_vlq_u32(w, 0);
}

bool s7p_qualifier_decode(s7p_rd *r, s7p_arena *a, s7p_qualifier *out)
{
    out->present = true;
    return s7p_rd_u32be(r, &out->id) && s7p_idlist_decode(r, a, &out->list);
}

bool s7p_qualifier_encode(s7p_wr *w, const s7p_qualifier *q)
{
    if (!q->present) return true;
    return s7p_wr_u32be(w, q->id) && s7p_idlist_encode(w, &q->list);
}

bool s7p_qualifier_default(s7p_qualifier *q, s7p_arena *a)
{
    memset(q, 0, sizeof *q);
    q->present = true;
    q->id = S7P_ID_OBJECT_QUALIFIER;
    s7p_value *v;
    if (!(v = s7p_idlist_add(&q->list, a, S7P_ID_PARENT_RID))) return false;
    v->type = S7P_DT_RID;
    if (!(v = s7p_idlist_add(&q->list, a, S7P_ID_COMPOSITION_AID))) return false;
    v->type = S7P_DT_AID;
    if (!(v = s7p_idlist_add(&q->list, a, S7P_ID_KEY_QUALIFIER))) return false;
    v->type = S7P_DT_UDINT;
    return true;
}

/* SPDX-License-Identifier: MIT */
/* The ObjectRoot pseudo-variables a PLC reports its communication resources in (services
 * spec §3.3): one GetMultiVariables of ObjectRoot(201) / SystemLimits(1037) or
 * FreeItems(1081), one item per LID, each answered as a DInt. The connect sequence reads
 * the maximum values with it, and s7p_get_communication_resources() both sets. */
#include <string.h>

#include "session/engine.h"

const uint32_t s7p_limits_max_lids[S7P_LIMITS_MAX_N] = {1000, 1001, 0, 1, 2};
const uint32_t s7p_limits_free_lids[S7P_LIMITS_FREE_N] = {0, 1, 2};

bool s7p_engine_limits_request(s7p_engine *e, s7p_pdu *p, uint32_t sub_area,
                               const uint32_t *lids, uint32_t n, s7p_arena *a)
{
    s7p_engine_init_request(e, p, S7P_FC_GET_MULTI_VARIABLES, true);
    s7p_item_address *items = s7p_arena_array(a, n, sizeof *items);
    uint32_t *lid = s7p_arena_array(a, n, sizeof *lid);
    if (n == 0 || !items || !lid || !s7p_qualifier_default(&p->qualifier, a)) return false;
    memset(items, 0, n * sizeof *items);
    for (uint32_t i = 0; i < n; i++) {
        lid[i] = lids[i];
        items[i].area = S7P_ID_OBJECT_ROOT;
        items[i].sub_area = sub_area;
        items[i].nlids = 1;
        items[i].lids = &lid[i];
    }
    s7p_req_get_multi *b = &p->req.get_multi;
    b->item_count = n;
    b->nfields = n * s7p_item_address_fields(&items[0]);
    b->addresses = items;
    return true;
}

uint32_t s7p_engine_limits_take(const s7p_pdu *resp, int32_t *const *slots, uint32_t n)
{
    uint32_t got = 0;
    for (const s7p_member *m = resp->resp.get_multi.values.first; m; m = m->next) {
        /* Item numbers count from 1; another type or an array is not a limit. */
        if (m->id < 1 || m->id > n || m->value.type != S7P_DT_DINT || s7p_value_is_array(&m->value))
            continue;
        *slots[m->id - 1] = (int32_t)m->value.v.i;
        got |= 1u << (m->id - 1);
    }
    return got;
}

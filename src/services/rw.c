/* SPDX-License-Identifier: MIT */
#include "services/rw.h"

#include <stdio.h>
#include <string.h>

#include "values/convert.h"
#include "util/clock.h"

#define LAYER "services"

/* Room in one frame for a request's item addresses (and values): the frame's data part
 * less the request header, counts, object qualifier, integrity id and fill, and the V3
 * digest field of legacy security (whose requests must never be fragmented). */
#define REQUEST_ROOM (S7P_FRAME_DATA_MAX - 64u - 33u)

static void tag_address(const s7p_tag *t, s7p_item_address *a)
{
    a->symbol_crc = t->symbol_crc;
    a->area = t->area;
    a->sub_area = t->sub_area;
    a->nlids = t->nlids;
    a->lids = (uint32_t *)t->lids;  /* encoder only reads */
}

static size_t address_size(const s7p_tag *t)
{
    s7p_item_address a;
    tag_address(t, &a);
    return s7p_item_address_size(&a);
}

/* What is wrong with the tag, or NULL when it can be sent. Cheap when it is fine: the
 * planner asks for every tag of a batch, and only a refused tag's message is formatted. */
static const char *tag_problem(const s7p_tag *t)
{
    if (t->nlids < 1 || t->nlids > S7P_TAG_MAX_LIDS) return "nlids out of 1..S7P_TAG_MAX_LIDS";
    if (s7p_convert_wire_type(t->type) == S7P_DT_NULL)
        return "type has no value form (unknown type, Void, Struct ...)";
    if (t->count > S7P_MAX_ITEMS) return "count above the element limit";
    if (t->type == S7P_T_STRING ? t->str_max > S7P_STRING_MAX
        : t->type == S7P_T_WSTRING ? t->str_max > S7P_WSTRING_MAX : t->str_max != 0)
        return "str_max out of range for the type";
    if (t->area == 0 || t->sub_area == 0) return "area or sub_area is 0";
    return NULL;
}

static void tag_message(const s7p_tag *t, const char *what, char *why, size_t why_len)
{
    snprintf(why, why_len, "%s (type %d, count %u, str_max %u, area 0x%08x, sub_area %u, nlids %u)",
             what, (int)t->type, (unsigned)t->count, (unsigned)t->str_max, (unsigned)t->area,
             (unsigned)t->sub_area, (unsigned)t->nlids);
}

s7p_status s7p_rw_check_tag(const s7p_tag *t, char *why, size_t why_len)
{
    const char *what = tag_problem(t);
    if (!what) return S7P_OK;
    tag_message(t, what, why, why_len);
    return S7P_E_INVALID_ARG;
}

/* The one place where an outcome becomes an item's result: the status, and the PLC's return
 * value when the PLC answered for the item or refused the item's request (else 0). */
static void item_fail(s7p_item_result *r, s7p_status code, uint64_t ret)
{
    r->code = code;
    r->plc_return = ret;
    r->plc_code = s7p_ret_code(ret);
    /* InvalidCRC: the symbol the tag was resolved from is not there any more (protocol.md §5) */
    if (code == S7P_E_PLC && r->plc_code == -17) r->code = S7P_E_PROGRAM_CHANGED;
}

/* ---- the plan ---- */

/* Checks every tag before anything is sent: an invalid one fails alone, the others are
 * marked S7P_E_NOT_SENT until their request is answered. Returns how many go on the wire. */
static size_t check_tags(const s7p_session *s, const char *op, const s7p_tag *tags, size_t n,
                         s7p_rw_item *items, s7p_item_result *results)
{
    char why[200];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const char *what = tag_problem(&tags[i]);
        if (what) {
            tag_message(&tags[i], what, why, sizeof why);
            s7p_logf(s->log, S7P_LOG_DEBUG, LAYER, "%s: item %zu not sent: %s", op, i, why);
            item_fail(&results[i], S7P_E_INVALID_ARG, 0);
            continue;
        }
        item_fail(&results[i], S7P_E_NOT_SENT, 0);
        items[m].index = i;
        items[m].size = address_size(&tags[i]);
        m++;
    }
    return m;
}

/* How many items from `start` fit one request. */
static size_t batch_len(const s7p_rw_item *items, size_t start, size_t m, int32_t limit)
{
    size_t per = limit > 0 ? (size_t)limit : 20;
    size_t k = 0, used = 0;
    while (start + k < m && k < per && (k == 0 || used + items[start + k].size <= REQUEST_ROOM))
        used += items[start + k++].size;
    return k;
}

static size_t value_size(const s7p_value *v)
{
    s7p_wr w = s7p_wr_counter();
    s7p_value_encode(&w, v);
    return w.len;
}

/* Encodes every value first: one that does not fit its tag fails alone and is not sent. */
static size_t encode_values(const s7p_tag *tags, const s7p_tag_value *values, s7p_rw_item *items,
                            size_t m, s7p_arena *a, s7p_item_result *results)
{
    char why[160];
    size_t kept = 0;
    for (size_t j = 0; j < m; j++) {
        size_t i = items[j].index;
        s7p_status st = s7p_convert_write(&tags[i], &values[i], a, &items[j].wire, why, sizeof why);
        if (st != S7P_OK) {
            item_fail(&results[i], st, 0);
            continue;
        }
        items[kept] = items[j];
        items[kept].size += value_size(&items[kept].wire) + 5;
        kept++;
    }
    return kept;
}

/* Cuts the items into requests; false without memory. */
static bool cut_requests(s7p_rw_plan *p, int32_t limit)
{
    p->starts = s7p_arena_array(&p->arena, p->nitems + 1, sizeof *p->starts);
    if (!p->starts) return false;
    size_t start = 0;
    while (start < p->nitems) {
        p->starts[p->nrequests++] = start;
        start += batch_len(p->items, start, p->nitems, limit);
    }
    p->starts[p->nrequests] = start;
    return true;
}

static s7p_status plan(s7p_rw_plan *p, const s7p_session *s, const s7p_tag *tags,
                       const s7p_tag_value *wvalues, size_t n, s7p_item_result *results,
                       s7p_fail *f)
{
    p->tags = tags;
    p->results = results;
    s7p_arena_init(&p->arena, S7P_ARENA_DEFAULT_LIMIT);
    /* A read fills index and size of every item it keeps and never looks at `wire`: the
     * array (64 bytes a tag) is not zeroed first. */
    p->items = wvalues ? s7p_arena_array(&p->arena, n ? n : 1, sizeof *p->items)
                       : s7p_arena_array_uninit(&p->arena, n ? n : 1, sizeof *p->items);
    if (p->items) {
        p->nitems = check_tags(s, p->op, tags, n, p->items, results);
        if (wvalues) p->nitems = encode_values(tags, wvalues, p->items, p->nitems, &p->arena, results);
        int32_t limit = wvalues ? s->limits.tags_per_write : s->limits.tags_per_read;
        if (cut_requests(p, limit)) return S7P_OK;
    }
    for (size_t i = 0; i < n; i++) item_fail(&results[i], S7P_E_NOT_SENT, 0);
    p->nitems = p->nrequests = 0;
    return s7p_fail_set(f, S7P_E_NOMEM, "%s", p->op);
}

s7p_status s7p_rw_plan_read(s7p_rw_plan *p, const s7p_session *s, const s7p_tag *tags, size_t n,
                            s7p_tag_value *values, s7p_item_result *results, s7p_fail *f)
{
    memset(p, 0, sizeof *p);
    p->op = "read";
    p->values = values;
    return plan(p, s, tags, NULL, n, results, f);
}

s7p_status s7p_rw_plan_write(s7p_rw_plan *p, const s7p_session *s, const s7p_tag *tags,
                             const s7p_tag_value *values, size_t n, s7p_item_result *results,
                             s7p_fail *f)
{
    memset(p, 0, sizeof *p);
    p->op = "write";
    p->write = true;
    return plan(p, s, tags, values, n, results, f);
}

void s7p_rw_plan_free(s7p_rw_plan *p)
{
    s7p_arena_release(&p->arena);
    memset(p, 0, sizeof *p);
}

/* ---- one request ---- */

static const s7p_rw_item *request_items(const s7p_rw_plan *p, size_t k, size_t *n)
{
    *n = p->starts[k + 1] - p->starts[k];
    return p->items + p->starts[k];
}

void s7p_rw_failed(const s7p_rw_plan *p, size_t k, s7p_status st, bool sent, const s7p_fail *f)
{
    size_t n;
    const s7p_rw_item *items = request_items(p, k, &n);
    for (size_t i = 0; i < n; i++)
        item_fail(&p->results[items[i].index], sent ? st : S7P_E_NOT_SENT, sent ? f->plc_return : 0);
}

s7p_status s7p_rw_build(const s7p_rw_plan *p, size_t k, s7p_session *s, s7p_arena *a,
                        s7p_pdu *req, s7p_fail *f)
{
    size_t n;
    const s7p_rw_item *items = request_items(p, k, &n);
    /* Every field of every address is set below. */
    s7p_item_address *addr = s7p_arena_array_uninit(a, n, sizeof *addr);
    s7p_session_init_request(s, req, p->write ? S7P_FC_SET_MULTI_VARIABLES
                                              : S7P_FC_GET_MULTI_VARIABLES, true);
    bool ok = addr && s7p_qualifier_default(&req->qualifier, a);
    uint32_t fields = 0;
    for (size_t i = 0; ok && i < n; i++) {
        tag_address(&p->tags[items[i].index], &addr[i]);
        fields += s7p_item_address_fields(&addr[i]);
        if (!p->write) continue;
        s7p_value *v = s7p_idlist_add(&req->req.set_multi.values, a, (uint32_t)i + 1);
        if (v) *v = items[i].wire;
        ok = v != NULL;
    }
    if (!ok) {
        s7p_rw_failed(p, k, S7P_E_NOMEM, false, f);
        return s7p_fail_set(f, S7P_E_NOMEM, "%s", p->op);
    }
    if (p->write) {
        req->req.set_multi.item_count = (uint32_t)n;
        req->req.set_multi.nfields = fields;
        req->req.set_multi.addresses = addr;
    } else {
        req->req.get_multi.item_count = (uint32_t)n;
        req->req.get_multi.nfields = fields;
        req->req.get_multi.addresses = addr;
    }
    return S7P_OK;
}

/* The PLC's per-item refusals of a read or write. */
static void take_errors(const s7p_rw_plan *p, const s7p_rw_item *items, size_t n,
                        const s7p_error_list *e)
{
    for (uint32_t j = 0; j < e->n; j++) {
        if (e->items[j].item < 1 || e->items[j].item > n) continue;
        size_t i = items[e->items[j].item - 1].index;
        if (p->values) s7p_tag_value_clear(&p->values[i]);
        item_fail(&p->results[i], S7P_E_PLC, e->items[j].ret);
    }
}

static void take_values(const s7p_rw_plan *p, const s7p_rw_item *items, size_t n,
                        const s7p_pdu *resp)
{
    for (size_t i = 0; i < n; i++)
        item_fail(&p->results[items[i].index], S7P_E_PROTOCOL, 0);  /* until the answer names it */
    for (const s7p_member *m = resp->resp.get_multi.values.first; m; m = m->next) {
        if (m->id < 1 || m->id > n) continue;
        size_t i = items[m->id - 1].index;
        /* An id the answer repeats: free what its first value holds (a value never set is
         * all zero and holds nothing; s7p_convert_read zeroes its output itself). */
        if (p->values[i].type != S7P_T_VOID) s7p_tag_value_clear(&p->values[i]);
        /* Only the status is kept: no message is formatted. */
        s7p_status st = s7p_convert_read(&p->tags[i], &m->value, &p->values[i], NULL, 0);
        item_fail(&p->results[i], st, 0);
    }
    take_errors(p, items, n, &resp->resp.get_multi.errors);
}

s7p_status s7p_rw_take(const s7p_rw_plan *p, size_t k, const s7p_pdu *resp, s7p_fail *f)
{
    size_t n;
    const s7p_rw_item *items = request_items(p, k, &n);
    if (resp->ret_only) {
        f->plc_return = resp->ret;
        s7p_status st = s7p_fail_set(f, S7P_E_PLC, "%s: PLC refused the request: code %d", p->op,
                                     s7p_ret_code(resp->ret));
        s7p_rw_failed(p, k, st, true, f);
        return st;
    }
    if (!p->write) {
        take_values(p, items, n, resp);
        return S7P_OK;
    }
    for (size_t i = 0; i < n; i++) item_fail(&p->results[items[i].index], S7P_OK, 0);
    take_errors(p, items, n, &resp->resp.set_multi.errors);
    return S7P_OK;
}

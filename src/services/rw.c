#include "services/rw.h"

#include <stdio.h>
#include <string.h>

#include "values/convert.h"
#include "util/clock.h"

#define LAYER "services"

/* Room in one frame for a request's item addresses (and values): the frame's data part
 * less the request header, counts, object qualifier, integrity id and fill. */
#define REQUEST_ROOM (S7P_FRAME_DATA_MAX - 64u)

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
    s7p_wr w = s7p_wr_counter();
    tag_address(t, &a);
    s7p_item_address_encode(&w, &a);
    return w.len;
}

s7p_status s7p_rw_check_tag(const s7p_tag *t, char *why, size_t why_len)
{
    const char *what = NULL;
    if (t->nlids < 1 || t->nlids > S7P_TAG_MAX_LIDS)
        what = "nlids out of 1..S7P_TAG_MAX_LIDS";
    else if (s7p_convert_wire_type(t->type) == S7P_DT_NULL)
        what = "type has no value form (unknown type, Void, Struct ...)";
    else if (t->count > S7P_MAX_ITEMS)
        what = "count above the element limit";
    else if (t->type == S7P_T_STRING ? t->str_max > S7P_STRING_MAX
             : t->type == S7P_T_WSTRING ? t->str_max > S7P_WSTRING_MAX : t->str_max != 0)
        what = "str_max out of range for the type";
    else if (t->area == 0 || t->sub_area == 0)
        what = "area or sub_area is 0";
    if (!what) return S7P_OK;
    snprintf(why, why_len, "%s (type %d, count %u, str_max %u, area 0x%08x, sub_area %u, nlids %u)",
             what, (int)t->type, (unsigned)t->count, (unsigned)t->str_max, (unsigned)t->area,
             (unsigned)t->sub_area, (unsigned)t->nlids);
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

/* ---- batches ---- */

/* An item that goes on the wire. */
typedef struct wire_item {
    size_t index;              /* into the caller's arrays */
    s7p_value wire;            /* write: the encoded value */
    size_t size;               /* bytes in a request: address (and value) */
} wire_item;

/* Checks every tag before anything is sent: an invalid one fails alone, the others are
 * marked S7P_E_NOT_SENT until their request is answered. Returns how many go on the wire. */
static size_t check_tags(const s7p_session *s, const char *op, const s7p_tag *tags, size_t n,
                         wire_item *items, s7p_item_result *results)
{
    char why[200];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (s7p_rw_check_tag(&tags[i], why, sizeof why) != S7P_OK) {
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
static size_t batch_len(const wire_item *items, size_t start, size_t m, int32_t limit)
{
    size_t per = limit > 0 ? (size_t)limit : 20;
    size_t k = 0, used = 0;
    while (start + k < m && k < per && (k == 0 || used + items[start + k].size <= REQUEST_ROOM))
        used += items[start + k++].size;
    return k;
}

/* Sends one request of a batch; a request the PLC refuses as a whole is S7P_E_PLC. *sent
 * tells whether it went out: after that, a failure leaves the PLC's side unknown. */
static s7p_status exchange(s7p_session *s, s7p_pdu *req, s7p_arena *a, s7p_pdu *resp,
                           uint32_t ms, const char *op, bool *sent, s7p_fail *f)
{
    *sent = true;
    s7p_status st = s7p_session_call(s, req, a, resp, s7p_deadline_in(ms), f);
    if (st == S7P_OK && resp->ret_only) {
        f->plc_return = resp->ret;
        st = s7p_fail_set(f, S7P_E_PLC, "%s: PLC refused the request: code %d", op,
                          s7p_ret_code(resp->ret));
    }
    return st;
}

/* Results of the items of a request without a usable answer: refused by the PLC (S7P_E_PLC
 * and its code), the error that broke the exchange (sent: written or not, nobody knows), or
 * S7P_E_NOT_SENT when it failed before going out. */
static void request_failed(const wire_item *items, size_t k, s7p_item_result *results,
                           s7p_status st, bool sent, const s7p_fail *f)
{
    for (size_t i = 0; i < k; i++)
        item_fail(&results[items[i].index], sent ? st : S7P_E_NOT_SENT, sent ? f->plc_return : 0);
}

/* ---- read ---- */

static void take_values(const s7p_pdu *resp, const s7p_tag *tags, const wire_item *items,
                        size_t k, s7p_tag_value *values, s7p_item_result *results)
{
    char why[160];
    for (size_t i = 0; i < k; i++)
        item_fail(&results[items[i].index], S7P_E_PROTOCOL, 0);  /* until the answer names it */
    for (const s7p_member *m = resp->resp.get_multi.values.first; m; m = m->next) {
        if (m->id < 1 || m->id > k) continue;
        size_t i = items[m->id - 1].index;
        s7p_tag_value_clear(&values[i]);  /* an id the answer repeats */
        s7p_status st = s7p_convert_read(&tags[i], &m->value, &values[i], why, sizeof why);
        item_fail(&results[i], st, 0);
    }
    const s7p_error_list *e = &resp->resp.get_multi.errors;
    for (uint32_t j = 0; j < e->n; j++) {
        if (e->items[j].item < 1 || e->items[j].item > k) continue;
        size_t i = items[e->items[j].item - 1].index;
        s7p_tag_value_clear(&values[i]);
        item_fail(&results[i], S7P_E_PLC, e->items[j].ret);
    }
}

static s7p_status read_batch(s7p_session *s, const s7p_tag *tags, const wire_item *items,
                             size_t k, s7p_tag_value *values, s7p_item_result *results,
                             uint32_t ms, s7p_fail *f)
{
    s7p_arena a;
    s7p_pdu req, resp;
    bool sent = false;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_item_address *addr = s7p_arena_array(&a, k, sizeof *addr);
    s7p_session_init_request(s, &req, S7P_FC_GET_MULTI_VARIABLES, true);
    s7p_status st = S7P_OK;
    if (!addr || !s7p_qualifier_default(&req.qualifier, &a)) st = s7p_fail_set(f, S7P_E_NOMEM, "read");
    uint32_t fields = 0;
    for (size_t i = 0; st == S7P_OK && i < k; i++) {
        tag_address(&tags[items[i].index], &addr[i]);
        fields += s7p_item_address_fields(&addr[i]);
    }
    req.req.get_multi.item_count = (uint32_t)k;
    req.req.get_multi.nfields = fields;
    req.req.get_multi.addresses = addr;
    if (st == S7P_OK) st = exchange(s, &req, &a, &resp, ms, "read", &sent, f);
    if (st == S7P_OK) take_values(&resp, tags, items, k, values, results);
    else request_failed(items, k, results, st, sent, f);
    s7p_arena_release(&a);
    return st;
}

s7p_status s7p_rw_read(s7p_session *s, const s7p_tag *tags, size_t n, s7p_tag_value *values,
                       s7p_item_result *results, uint32_t request_ms, s7p_fail *f)
{
    memset(values, 0, n * sizeof *values);
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    wire_item *items = s7p_arena_array(&a, n ? n : 1, sizeof *items);
    if (!items) {
        for (size_t i = 0; i < n; i++) item_fail(&results[i], S7P_E_NOT_SENT, 0);
        return s7p_fail_set(f, S7P_E_NOMEM, "read");
    }
    size_t m = check_tags(s, "read", tags, n, items, results);
    s7p_status st = S7P_OK;
    size_t start = 0;
    while (st == S7P_OK && start < m) {
        size_t k = batch_len(items, start, m, s->limits.tags_per_read);
        st = read_batch(s, tags, items + start, k, values, results, request_ms, f);
        if (st == S7P_OK) start += k;
    }
    /* Items answered before a failed request keep their values and S7P_OK: they were read. */
    s7p_arena_release(&a);
    return st;
}

/* ---- write ---- */

static size_t value_size(const s7p_value *v)
{
    s7p_wr w = s7p_wr_counter();
    s7p_value_encode(&w, v);
    return w.len;
}

static s7p_status write_batch(s7p_session *s, const s7p_tag *tags, const wire_item *items,
                              size_t k, s7p_item_result *results, uint32_t ms, s7p_fail *f)
{
    s7p_arena a;
    s7p_pdu req, resp;
    bool sent = false;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_item_address *addr = s7p_arena_array(&a, k, sizeof *addr);
    s7p_session_init_request(s, &req, S7P_FC_SET_MULTI_VARIABLES, true);
    s7p_req_set_multi *b = &req.req.set_multi;
    s7p_status st = addr && s7p_qualifier_default(&req.qualifier, &a) ? S7P_OK
                                                                     : s7p_fail_set(f, S7P_E_NOMEM, "write");
    for (size_t i = 0; st == S7P_OK && i < k; i++) {
        tag_address(&tags[items[i].index], &addr[i]);
        b->nfields += s7p_item_address_fields(&addr[i]);
        s7p_value *v = s7p_idlist_add(&b->values, &a, (uint32_t)i + 1);
        if (!v) st = s7p_fail_set(f, S7P_E_NOMEM, "write");
        else *v = items[i].wire;
    }
    b->item_count = (uint32_t)k;
    b->addresses = addr;
    if (st == S7P_OK) st = exchange(s, &req, &a, &resp, ms, "write", &sent, f);
    if (st != S7P_OK) {
        request_failed(items, k, results, st, sent, f);
    } else {
        for (size_t i = 0; i < k; i++) item_fail(&results[items[i].index], S7P_OK, 0);
        const s7p_error_list *e = &resp.resp.set_multi.errors;
        for (uint32_t j = 0; j < e->n; j++)
            if (e->items[j].item >= 1 && e->items[j].item <= k)
                item_fail(&results[items[e->items[j].item - 1].index], S7P_E_PLC, e->items[j].ret);
    }
    s7p_arena_release(&a);
    return st;
}

/* Encodes every value first: one that does not fit its tag fails alone and is not sent. */
static size_t encode_values(const s7p_tag *tags, const s7p_tag_value *values, wire_item *items,
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

s7p_status s7p_rw_write(s7p_session *s, const s7p_tag *tags, const s7p_tag_value *values,
                        size_t n, s7p_item_result *results, uint32_t request_ms, s7p_fail *f)
{
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    wire_item *items = s7p_arena_array(&a, n ? n : 1, sizeof *items);
    if (!items) {
        for (size_t i = 0; i < n; i++) item_fail(&results[i], S7P_E_NOT_SENT, 0);
        return s7p_fail_set(f, S7P_E_NOMEM, "write");
    }
    size_t m = check_tags(s, "write", tags, n, items, results);
    m = encode_values(tags, values, items, m, &a, results);
    s7p_status st = S7P_OK;
    for (size_t start = 0; st == S7P_OK && start < m;) {
        size_t k = batch_len(items, start, m, s->limits.tags_per_write);
        st = write_batch(s, tags, items + start, k, results, request_ms, f);
        start += k;
    }
    s7p_arena_release(&a);
    return st;
}

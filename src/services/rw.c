#include "services/rw.h"

#include <string.h>

#include "services/convert.h"
#include "util/clock.h"

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

static void item_fail(s7p_item_result *r, s7p_status code, uint64_t ret)
{
    r->code = code;
    r->plc_return = ret;
    r->plc_code = s7p_ret_code(ret);
    /* InvalidCRC: the symbol the tag was resolved from is not there any more (protocol.md §5) */
    if (code == S7P_E_PLC && r->plc_code == -17) r->code = S7P_E_PROGRAM_CHANGED;
}

/* ---- read ---- */

/* How many items from `start` fit one request. */
static size_t read_batch_len(const s7p_session *s, const s7p_tag *tags, size_t start, size_t n)
{
    size_t per = s->limits.tags_per_read > 0 ? (size_t)s->limits.tags_per_read : 20;
    size_t used = 0, k = 0;
    while (start + k < n && k < per) {
        size_t sz = address_size(&tags[start + k]);
        if (k > 0 && used + sz > REQUEST_ROOM) break;
        used += sz;
        k++;
    }
    return k;
}

static void take_values(const s7p_pdu *resp, const s7p_tag *tags, size_t k,
                        s7p_tag_value *values, s7p_item_result *results)
{
    char why[160];
    for (const s7p_member *m = resp->resp.get_multi.values.first; m; m = m->next) {
        if (m->id < 1 || m->id > k) continue;
        size_t i = m->id - 1;
        s7p_status st = s7p_convert_read(&tags[i], &m->value, &values[i], why, sizeof why);
        item_fail(&results[i], st, 0);
    }
    const s7p_error_list *e = &resp->resp.get_multi.errors;
    for (uint32_t j = 0; j < e->n; j++)
        if (e->items[j].item >= 1 && e->items[j].item <= k)
            item_fail(&results[e->items[j].item - 1], S7P_E_PLC, e->items[j].ret);
}

static s7p_status read_batch(s7p_session *s, const s7p_tag *tags, size_t k, s7p_tag_value *values,
                             s7p_item_result *results, uint32_t ms, s7p_fail *f)
{
    s7p_arena a;
    s7p_pdu req, resp;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_item_address *addr = s7p_arena_array(&a, k, sizeof *addr);
    s7p_session_init_request(s, &req, S7P_FC_GET_MULTI_VARIABLES, true);
    s7p_status st = S7P_OK;
    if (!addr || !s7p_qualifier_default(&req.qualifier, &a)) st = s7p_fail_set(f, S7P_E_NOMEM, "read");
    uint32_t fields = 0;
    for (size_t i = 0; st == S7P_OK && i < k; i++) {
        tag_address(&tags[i], &addr[i]);
        fields += s7p_item_address_fields(&addr[i]);
        item_fail(&results[i], S7P_E_PROTOCOL, 0);  /* until the answer names the item */
    }
    req.req.get_multi.item_count = (uint32_t)k;
    req.req.get_multi.nfields = fields;
    req.req.get_multi.addresses = addr;
    if (st == S7P_OK) st = s7p_session_call(s, &req, &a, &resp, s7p_deadline_in(ms), f);
    if (st == S7P_OK && resp.ret_only) {
        f->plc_return = resp.ret;
        st = s7p_fail_set(f, S7P_E_PLC, "read: PLC refused the request: code %d", s7p_ret_code(resp.ret));
    }
    if (st == S7P_OK) take_values(&resp, tags, k, values, results);
    s7p_arena_release(&a);
    return st;
}

s7p_status s7p_rw_read(s7p_session *s, const s7p_tag *tags, size_t n, s7p_tag_value *values,
                       s7p_item_result *results, uint32_t request_ms, s7p_fail *f)
{
    memset(values, 0, n * sizeof *values);
    for (size_t start = 0; start < n;) {
        size_t k = read_batch_len(s, tags, start, n);
        s7p_status st = read_batch(s, tags + start, k, values + start, results + start, request_ms, f);
        if (st != S7P_OK) return st;
        start += k;
    }
    return S7P_OK;
}

/* ---- write ---- */

typedef struct wire_item {
    size_t index;              /* into the caller's arrays */
    s7p_value wire;
    size_t size;               /* address + value bytes */
} wire_item;

static size_t value_size(const s7p_value *v)
{
    s7p_wr w = s7p_wr_counter();
    s7p_value_encode(&w, v);
    return w.len;
}

static s7p_status write_batch(s7p_session *s, const s7p_tag *tags, wire_item *items, size_t k,
                              s7p_item_result *results, uint32_t ms, s7p_fail *f)
{
    s7p_arena a;
    s7p_pdu req, resp;
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
        item_fail(&results[items[i].index], S7P_E_PROTOCOL, 0);  /* until answered */
    }
    b->item_count = (uint32_t)k;
    b->addresses = addr;
    if (st == S7P_OK) st = s7p_session_call(s, &req, &a, &resp, s7p_deadline_in(ms), f);
    if (st == S7P_OK && resp.ret_only) {
        f->plc_return = resp.ret;
        st = s7p_fail_set(f, S7P_E_PLC, "write: PLC refused the request: code %d", s7p_ret_code(resp.ret));
    }
    for (size_t i = 0; st == S7P_OK && i < k; i++) item_fail(&results[items[i].index], S7P_OK, 0);
    const s7p_error_list *e = &resp.resp.set_multi.errors;
    for (uint32_t j = 0; st == S7P_OK && j < e->n; j++)
        if (e->items[j].item >= 1 && e->items[j].item <= k)
            item_fail(&results[items[e->items[j].item - 1].index], S7P_E_PLC, e->items[j].ret);
    s7p_arena_release(&a);
    return st;
}

/* Encodes every value first: one that does not fit its tag fails alone and is not sent. */
static size_t prepare(const s7p_tag *tags, const s7p_tag_value *values, size_t n, s7p_arena *a,
                      wire_item *items, s7p_item_result *results)
{
    char why[160];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        s7p_status st = s7p_convert_write(&tags[i], &values[i], a, &items[m].wire, why, sizeof why);
        item_fail(&results[i], st, 0);
        if (st != S7P_OK) continue;
        items[m].index = i;
        items[m].size = address_size(&tags[i]) + value_size(&items[m].wire) + 5;
        m++;
    }
    return m;
}

s7p_status s7p_rw_write(s7p_session *s, const s7p_tag *tags, const s7p_tag_value *values,
                        size_t n, s7p_item_result *results, uint32_t request_ms, s7p_fail *f)
{
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    wire_item *items = s7p_arena_array(&a, n ? n : 1, sizeof *items);
    if (!items) return s7p_fail_set(f, S7P_E_NOMEM, "write");
    size_t m = prepare(tags, values, n, &a, items, results);
    size_t per = s->limits.tags_per_write > 0 ? (size_t)s->limits.tags_per_write : 20;
    s7p_status st = S7P_OK;
    for (size_t start = 0; st == S7P_OK && start < m;) {
        size_t k = 0, used = 0;
        while (start + k < m && k < per && (k == 0 || used + items[start + k].size <= REQUEST_ROOM))
            used += items[start + k++].size;
        st = write_batch(s, tags, items + start, k, results, request_ms, f);
        start += k;
    }
    s7p_arena_release(&a);
    return st;
}

/* SPDX-License-Identifier: MIT */
/* Public browse, symbol resolution, read and write: argument checks, the client lock and
 * the write gate around the services. */
#include <string.h>

#include "client/client_int.h"
#include "util/alloc.h"
#include "services/program.h"
#include "util/clock.h"

/* Passes an item on; once the caller has seen one, a retry would repeat it. */
static bool pass_item(void *ctx, const s7p_browse_item *item)
{
    s7p_req *r = ctx;
    if (!r->browse_restart) r->no_retry = true;
    return r->browse_fn(r->browse_ctx, item);
}

/* Until the services say otherwise, nothing was sent: a call that fails before (not
 * connected, writes disabled) still leaves every result set and every value empty. */
static void batch_start(size_t n, s7p_tag_value *values, s7p_item_result *results)
{
    if (values) memset(values, 0, n * sizeof *values);
    for (size_t i = 0; i < n; i++) {
        memset(&results[i], 0, sizeof results[i]);
        results[i].code = S7P_E_NOT_SENT;
    }
}

void s7p_req_run_op(s7p_client *c, s7p_req *r)
{
    s7p_session *s = &c->session;
    r->reconnect = false;
    r->op_live = true;
    switch (r->kind) {
    case RQ_LEGIT:
        s7p_legit_req_start(c, r);
        return;
    case RQ_INFO:
        s7p_info_start(&r->u.info, s, r->info_out, c->opt.request_timeout_ms, s7p_req_op_done, r);
        return;
    case RQ_ALARMS:
        s7p_alarms_start(&r->u.alarms, s, r->alarm_lcid, r->alarms_out, c->opt.request_timeout_ms,
                         s7p_req_op_done, r);
        return;
    case RQ_READ:
        /* A retry starts over: values kept from the failed attempt are the library's to
         * free (s7p_read() zeroed them all before the first attempt; one never set is all
         * zero and holds nothing). The clear leaves each zeroed, as the plan expects. */
        for (size_t i = 0; i < r->n; i++)
            if (r->values[i].type != S7P_T_VOID) s7p_tag_value_clear(&r->values[i]);
        s7p_rw_op_free(&r->u.rw);
        s7p_program_rw_start(&r->u.rw, s, &c->cache, r->tags, r->n, r->values, NULL, r->results,
                             c->opt.request_timeout_ms, s7p_req_op_done, r);
        return;
    case RQ_WRITE:
        /* The gate comes first: with writes disabled nothing is sent, whatever the state. */
        if (!c->opt.allow_write) {
            r->op_live = false;
            s7p_fail_set(&r->f, S7P_E_WRITE_DISABLED, "writes are disabled (enable allow_write)");
            s7p_req_complete(c, r, S7P_E_WRITE_DISABLED);
            return;
        }
        if (!s->open) {
            r->op_live = false;
            s7p_fail_set(&r->f, S7P_E_STATE, "not connected");
            s7p_req_complete(c, r, S7P_E_STATE);
            return;
        }
        s7p_program_rw_start(&r->u.rw, s, &c->cache, r->tags, r->n, NULL, r->wvalues, r->results,
                             c->opt.request_timeout_ms, s7p_req_op_done, r);
        return;
    case RQ_CPU:
        s7p_cpu_op_start(&r->u.cpu, s, r->cpu_kind, r->cpu_out, c->opt.request_timeout_ms,
                         s7p_req_op_done, r);
        return;
    case RQ_BROWSE:
        if (r->browse_restart) r->browse_restart(r->browse_ctx);
        s7p_program_browse_start(&r->u.browse, s, &c->cache, pass_item, r,
                                 s7p_deadline_in(c->opt.browse_timeout_ms), s7p_req_op_done, r);
        return;
    case RQ_SYMBOL:
        s7p_program_resolve_start(&r->u.browse, s, &c->cache, r->symbol, r->tag_out,
                                  s7p_deadline_in(c->opt.browse_timeout_ms), s7p_req_op_done, r);
        return;
    case RQ_SUBSCRIBE: case RQ_SUB_MODIFY: case RQ_UNSUBSCRIBE:
        s7p_sub_req_run(c, r);
        return;
    default:
        r->op_live = false;
        s7p_req_complete(c, r, S7P_E_STATE);
        return;
    }
}

/* The requests of the public calls (blocking and asynchronous share them). */
s7p_req *s7p_browse_req(s7p_client *c, s7p_browse_fn fn, void *ctx)
{
    s7p_req *r = s7p_req_new(c, RQ_BROWSE, "browse", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE);
    if (r) {
        r->browse_fn = fn;
        r->browse_ctx = ctx;
    }
    return r;
}

s7p_req *s7p_symbol_req(s7p_client *c, const char *symbol, s7p_tag *out)
{
    s7p_req *r = s7p_req_new(c, RQ_SYMBOL, "symbol", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE);
    size_t n = strlen(symbol) + 1;
    char *copy = r ? s7p_malloc(n) : NULL;
    if (!copy) {
        s7p_free(r);
        return NULL;
    }
    memcpy(copy, symbol, n);
    r->symbol = copy;
    r->tag_out = out;
    return r;
}

s7p_req *s7p_rw_req(s7p_client *c, bool write, const s7p_tag *tags, size_t n,
                    s7p_tag_value *values, const s7p_tag_value *wvalues,
                    s7p_item_result *results)
{
    /* Writes are never retried: one that may have reached the PLC is the caller's to repeat. */
    s7p_req *r = write ? s7p_req_new(c, RQ_WRITE, "write", 0)
                       : s7p_req_new(c, RQ_READ, "read", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE);
    if (!r) return NULL;
    r->tags = tags;
    r->n = n;
    r->values = values;
    r->wvalues = wvalues;
    r->results = results;
    batch_start(n, values, results);
    return r;
}

s7p_status s7p_browse(s7p_client *c, s7p_browse_fn fn, void *ctx, s7p_error *err)
{
    if (!c || !fn) return S7P_E_INVALID_ARG;
    /* Retried only while the callback has seen nothing: a stream never repeats an item. */
    s7p_req *r = s7p_browse_req(c, fn, ctx);
    return r ? s7p_req_run(c, r, err) : S7P_E_NOMEM;
}

s7p_status s7p_tag_by_symbol(s7p_client *c, const char *symbol, s7p_tag *out, s7p_error *err)
{
    if (!c || !symbol || !out) return S7P_E_INVALID_ARG;
    s7p_req *r = s7p_symbol_req(c, symbol, out);
    return r ? s7p_req_run(c, r, err) : S7P_E_NOMEM;
}

s7p_status s7p_read(s7p_client *c, const s7p_tag *tags, size_t n, s7p_tag_value *values,
                    s7p_item_result *results, s7p_error *err)
{
    if (!c || (n && (!tags || !values || !results))) return S7P_E_INVALID_ARG;
    s7p_req *r = s7p_rw_req(c, false, tags, n, values, NULL, results);
    return r ? s7p_req_run(c, r, err) : S7P_E_NOMEM;
}

s7p_status s7p_write(s7p_client *c, const s7p_tag *tags, size_t n, const s7p_tag_value *values,
                     s7p_item_result *results, s7p_error *err)
{
    if (!c || (n && (!tags || !values || !results))) return S7P_E_INVALID_ARG;
    s7p_req *r = s7p_rw_req(c, true, tags, n, NULL, values, results);
    return r ? s7p_req_run(c, r, err) : S7P_E_NOMEM;
}

/* ---- the whole list at once ---- */

typedef struct collector {
    s7p_browse_item *items;
    size_t n, cap;
    char *text;                 /* symbols and block names, NUL-separated */
    size_t text_len, text_cap;
    size_t *sym_off, *block_off;
    bool oom;
} collector;

static size_t keep_text(collector *k, const char *s)
{
    size_t n = strlen(s) + 1;
    if (k->text_len + n > k->text_cap) {
        size_t cap = k->text_cap ? k->text_cap : 4096;
        while (cap < k->text_len + n) cap *= 2;
        char *t = s7p_realloc(k->text, cap);
        if (!t) {
            k->oom = true;
            return 0;
        }
        k->text = t;
        k->text_cap = cap;
    }
    memcpy(k->text + k->text_len, s, n);
    k->text_len += n;
    return k->text_len - n;
}

static bool grow_items(collector *k)
{
    size_t cap = k->cap ? k->cap * 2 : 256;
    s7p_browse_item *it = s7p_realloc(k->items, cap * sizeof *it);
    size_t *so = it ? s7p_realloc(k->sym_off, cap * sizeof *so) : NULL;
    size_t *bo = so ? s7p_realloc(k->block_off, cap * sizeof *bo) : NULL;
    if (it) k->items = it;
    if (so) k->sym_off = so;
    if (bo) k->block_off = bo;
    if (!bo) return false;
    k->cap = cap;
    return true;
}

static bool collect_item(void *ctx, const s7p_browse_item *item)
{
    collector *k = ctx;
    if (k->n == k->cap && !grow_items(k)) {
        k->oom = true;
        return false;
    }
    k->items[k->n] = *item;
    k->items[k->n].blocks_done = k->items[k->n].blocks_total = 0;
    k->sym_off[k->n] = keep_text(k, item->symbol);
    k->block_off[k->n] = keep_text(k, item->block ? item->block : "");
    k->n++;
    return !k->oom;
}

void s7p_browse_result_free(s7p_browse_result *r)
{
    if (!r) return;
    if (r->count) s7p_free((char *)r->items[0].symbol);  /* the text pool starts there */
    s7p_free(r->items);
    s7p_free(r);
}

/* Every run (a retry too) collects from the start, keeping the memory already grown. */
static void collect_restart(void *ctx)
{
    collector *k = ctx;
    k->n = 0;
    k->text_len = 0;
    k->oom = false;
}

s7p_status s7p_browse_all(s7p_client *c, s7p_browse_result **out, s7p_error *err)
{
    if (!c || !out) return S7P_E_INVALID_ARG;
    *out = NULL;
    collector k;
    memset(&k, 0, sizeof k);
    s7p_req *req = s7p_browse_req(c, collect_item, &k);
    if (!req) return S7P_E_NOMEM;
    req->browse_restart = collect_restart;
    s7p_status st = s7p_req_run(c, req, err);
    s7p_browse_result *r = st == S7P_OK && !k.oom ? s7p_calloc(1, sizeof *r) : NULL;
    if (st == S7P_OK && !r) st = S7P_E_NOMEM;
    if (r) {
        for (size_t i = 0; i < k.n; i++) {
            k.items[i].symbol = k.text + k.sym_off[i];
            k.items[i].block = k.text + k.block_off[i];
        }
        r->items = k.items;
        r->count = k.n;
        *out = r;
    } else {
        s7p_free(k.items);
    }
    /* The text pool belongs to the result through items[0].symbol; otherwise free it. */
    if (!r || k.n == 0) s7p_free(k.text);
    s7p_free(k.sym_off);
    s7p_free(k.block_off);
    return st;
}

/* Public browse, symbol resolution, read and write: argument checks, the client lock and
 * the write gate around the services. */
#include <string.h>

#include "client/client_int.h"
#include "util/alloc.h"
#include "services/program.h"
#include "util/clock.h"

typedef struct browse_args {
    s7p_browse_fn fn;
    void *ctx;
    s7p_events *ev;
} browse_args;

/* Passes an item on; once the caller has seen one, a retry would repeat it. */
static bool pass_item(void *ctx, const s7p_browse_item *item)
{
    browse_args *a = ctx;
    a->ev->no_retry = true;
    return a->fn(a->ctx, item);
}

static s7p_status op_browse(s7p_client *c, void *arg, s7p_events *ev, s7p_fail *f)
{
    browse_args *a = arg;
    a->ev = ev;
    return s7p_program_browse(&c->session, &c->cache, pass_item, a,
                              s7p_deadline_in(c->opt.browse_timeout_ms), f);
}

s7p_status s7p_browse(s7p_client *c, s7p_browse_fn fn, void *ctx, s7p_error *err)
{
    if (!c || !fn) return S7P_E_INVALID_ARG;
    browse_args a = {fn, ctx, NULL};
    /* Retried only while the callback has seen nothing: a stream never repeats an item. */
    return s7p_client_run(c, "browse", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE, op_browse, &a, err);
}

typedef struct symbol_args {
    const char *symbol;
    s7p_tag *out;
} symbol_args;

static s7p_status op_symbol(s7p_client *c, void *arg, s7p_events *ev, s7p_fail *f)
{
    symbol_args *a = arg;
    (void)ev;
    return s7p_program_resolve(&c->session, &c->cache, a->symbol, a->out,
                               s7p_deadline_in(c->opt.browse_timeout_ms), f);
}

s7p_status s7p_tag_by_symbol(s7p_client *c, const char *symbol, s7p_tag *out, s7p_error *err)
{
    if (!c || !symbol || !out) return S7P_E_INVALID_ARG;
    symbol_args a = {symbol, out};
    return s7p_client_run(c, "symbol", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE, op_symbol, &a, err);
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

typedef struct rw_args {
    const s7p_tag *tags;
    size_t n;
    s7p_tag_value *values;           /* read */
    const s7p_tag_value *wvalues;    /* write */
    s7p_item_result *results;
} rw_args;

static s7p_status op_read(s7p_client *c, void *arg, s7p_events *ev, s7p_fail *f)
{
    rw_args *a = arg;
    (void)ev;
    /* A retry starts over: values kept from the failed attempt are the library's to free
     * (s7p_read() zeroed them all before the first attempt). */
    for (size_t i = 0; i < a->n; i++) s7p_tag_value_clear(&a->values[i]);
    return s7p_program_read(&c->session, &c->cache, a->tags, a->n, a->values, a->results,
                            c->opt.request_timeout_ms, f);
}

s7p_status s7p_read(s7p_client *c, const s7p_tag *tags, size_t n, s7p_tag_value *values,
                    s7p_item_result *results, s7p_error *err)
{
    if (!c || (n && (!tags || !values || !results))) return S7P_E_INVALID_ARG;
    rw_args a = {tags, n, values, NULL, results};
    batch_start(n, values, results);
    return s7p_client_run(c, "read", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE, op_read, &a, err);
}

static s7p_status op_write(s7p_client *c, void *arg, s7p_events *ev, s7p_fail *f)
{
    rw_args *a = arg;
    (void)ev;
    /* The gate comes first: with writes disabled nothing is sent, whatever the state. */
    if (!c->opt.allow_write)
        return s7p_fail_set(f, S7P_E_WRITE_DISABLED, "writes are disabled (enable allow_write)");
    if (!c->session.open) return s7p_fail_set(f, S7P_E_STATE, "not connected");
    return s7p_program_write(&c->session, &c->cache, a->tags, a->wvalues, a->n, a->results,
                             c->opt.request_timeout_ms, f);
}

s7p_status s7p_write(s7p_client *c, const s7p_tag *tags, size_t n, const s7p_tag_value *values,
                     s7p_item_result *results, s7p_error *err)
{
    if (!c || (n && (!tags || !values || !results))) return S7P_E_INVALID_ARG;
    rw_args a = {tags, n, NULL, values, results};
    batch_start(n, NULL, results);
    /* Never retried: a write that may have reached the PLC is the caller's to repeat. */
    return s7p_client_run(c, "write", 0, op_write, &a, err);
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
static s7p_status op_browse_all(s7p_client *c, void *arg, s7p_events *ev, s7p_fail *f)
{
    collector *k = arg;
    (void)ev;
    k->n = 0;
    k->text_len = 0;
    k->oom = false;
    return s7p_program_browse(&c->session, &c->cache, collect_item, k,
                              s7p_deadline_in(c->opt.browse_timeout_ms), f);
}

s7p_status s7p_browse_all(s7p_client *c, s7p_browse_result **out, s7p_error *err)
{
    if (!c || !out) return S7P_E_INVALID_ARG;
    *out = NULL;
    collector k;
    memset(&k, 0, sizeof k);
    s7p_status st = s7p_client_run(c, "browse", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE,
                                   op_browse_all, &k, err);
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

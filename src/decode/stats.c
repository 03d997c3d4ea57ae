/* SPDX-License-Identifier: MIT */
/* The statistics of the capture decoder's summary. See stats.h. */
#include "decode/stats.h"

#include <inttypes.h>

#include "proto/functions.h"
#include "s7plus/s7plus.h"
#include "util/alloc.h"

s7p_fn_stat *s7p_fn_get(s7p_fn_table *t, uint16_t function)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].function == function) return &t->v[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        s7p_fn_stat *v = s7p_realloc(t->v, cap * sizeof *v);
        if (!v) return NULL;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n] = (s7p_fn_stat){.function = function};
    return &t->v[t->n++];
}

void s7p_fn_note_rtt(s7p_fn_stat *f, int64_t rtt)
{
    if (!f || rtt < 0) return;
    f->rtt_min = f->rtt_n == 0 || rtt < f->rtt_min ? rtt : f->rtt_min;
    f->rtt_max = f->rtt_n == 0 || rtt > f->rtt_max ? rtt : f->rtt_max;
    f->rtt_sum += (double)rtt;
    f->rtt_n++;
}

void s7p_fn_table_free(s7p_fn_table *t)
{
    s7p_free(t->v);
    *t = (s7p_fn_table){0};
}

static const char *fn_name(uint16_t function)
{
    const char *name = s7p_function_name(function);
    return name ? name : "?";
}

void s7p_fn_summary(s7p_strbuf *b, const s7p_fn_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const s7p_fn_stat *f = &t->v[i];
        s7p_strbuf_printf(b, "    %-22s %" PRIu64 " requests, %" PRIu64 " responses",
                          fn_name(f->function), f->requests, f->responses);
        if (f->errors) s7p_strbuf_printf(b, ", %" PRIu64 " errors", f->errors);
        s7p_strbuf_puts(b, "\n");
    }
}

void s7p_fn_rtt_summary(s7p_strbuf *b, const s7p_fn_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const s7p_fn_stat *f = &t->v[i];
        if (f->rtt_n == 0) {   /* answers whose request is not in the capture */
            s7p_strbuf_printf(b, "  %-22s no answer to a request seen\n", fn_name(f->function));
            continue;
        }
        s7p_strbuf_printf(b, "  %-22s %" PRIu64 " answers, min %.3f ms, avg %.3f ms, max %.3f ms\n",
                          fn_name(f->function), f->rtt_n, (double)f->rtt_min / 1000.0,
                          f->rtt_sum / 1000.0 / (double)f->rtt_n,
                          (double)f->rtt_max / 1000.0);
    }
}

void s7p_err_code(s7p_err_stats *e, int16_t code)
{
    size_t i = 0;
    while (i < e->ncodes && e->codes[i].code != code) i++;
    if (i == e->ncodes) {
        if (e->ncodes == S7P_STATS_CODES) return;   /* the error counts still have it */
        e->codes[e->ncodes++] = (s7p_code_count){.code = code};
    }
    e->codes[i].n++;
}

void s7p_err_gap(s7p_err_stats *e, uint16_t last, uint16_t next)
{
    if (e->gaps < S7P_STATS_GAPS) {
        e->gap_at[e->gaps][0] = last;
        e->gap_at[e->gaps][1] = next;
    }
    e->gaps++;
}

void s7p_err_summary(s7p_strbuf *b, const s7p_err_stats *e)
{
    if (e->item_errors) s7p_strbuf_printf(b, "  %" PRIu64 " refused items\n", e->item_errors);
    for (size_t k = 0; k < e->ncodes; k++) {
        const char *name = s7p_plc_code_name(e->codes[k].code);
        s7p_strbuf_printf(b, "%s%d %s x%" PRIu64, k ? ", " : "  error codes: ",
                          e->codes[k].code, name ? name : "(unknown code)", e->codes[k].n);
    }
    if (e->ncodes) s7p_strbuf_puts(b, "\n");
    for (uint64_t k = 0; k < e->gaps && k < S7P_STATS_GAPS; k++)
        s7p_strbuf_printf(b, "%sseq %u -> %u", k ? ", " : "  sequence gaps: ",
                          e->gap_at[k][0], e->gap_at[k][1]);
    if (e->gaps) s7p_strbuf_puts(b, e->gaps > S7P_STATS_GAPS ? ", ...\n" : "\n");
}

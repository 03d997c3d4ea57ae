/* SPDX-License-Identifier: MIT */
/* bench_read: single-tag read latency and a 10 000-tag batch read against the simulator,
 * each next to a raw TLS 1.3 ping-pong of the same byte sizes on the same loopback.
 * Usage: bench_read [--smoke]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s7plus/s7plus.h>

#include "bench_gen.h"
#include "bench_tls.h"
#include "proto/pdu.h"
#include "values/convert.h"
#include "sim.h"

typedef struct {
    s7p_tag *tags;
    size_t n, cap;
} tag_list;

static bool collect(void *ctx, const s7p_browse_item *it)
{
    tag_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->tags = realloc(l->tags, l->cap * sizeof *l->tags);
    }
    l->tags[l->n++] = it->tag;
    return true;
}

/* Bytes on the wire (data part + frame header and trailer) of a GetMultiVariables request
 * and its answer for these tags and values, as our codec writes them. */
static void wire_sizes(const s7p_tag *tags, const s7p_tag_value *vals, size_t k, size_t *req,
                       size_t *resp)
{
    s7p_arena a;
    s7p_pdu q, r;
    char why[128];
    s7p_arena_init(&a, (size_t)64 << 20);
    s7p_pdu_init_request(&q, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, 1000, 0x3A0, S7P_TF_REQUEST);
    q.has_iid = true;
    q.iid = 1000;
    s7p_qualifier_default(&q.qualifier, &a);
    s7p_item_address *addr = s7p_arena_array(&a, k, sizeof *addr);
    s7p_pdu_init_response(&r, &q, 0);
    r.has_iid = true;
    r.iid = 2000;
    for (size_t i = 0; i < k; i++) {
        addr[i] = (s7p_item_address){tags[i].symbol_crc, tags[i].area, tags[i].sub_area,
                                     tags[i].nlids, (uint32_t *)tags[i].lids};
        q.req.get_multi.nfields += s7p_item_address_fields(&addr[i]);
        s7p_value *v = s7p_idlist_add(&r.resp.get_multi.values, &a, (uint32_t)i + 1);
        s7p_convert_write(&tags[i], &vals[i], &a, v, why, sizeof why);
    }
    q.req.get_multi.item_count = (uint32_t)k;
    q.req.get_multi.addresses = addr;
    s7p_wr w = s7p_wr_counter();
    s7p_pdu_encode(&w, &q);
    *req = w.len + 8;
    w = s7p_wr_counter();
    s7p_pdu_encode(&w, &r);
    *resp = w.len + 8;
    s7p_arena_release(&a);
}

static double time_single(s7p_client *c, const s7p_tag *t, int rounds)
{
    double *v = calloc((size_t)rounds, sizeof *v);
    s7p_tag_value val;
    s7p_item_result res;
    for (int i = 0; i < rounds; i++) {
        double t0 = bench_now_us();
        s7p_read(c, t, 1, &val, &res, NULL);
        v[i] = bench_now_us() - t0;
        s7p_tag_value_clear(&val);
    }
    double m = bench_median(v, (size_t)rounds);
    free(v);
    return m;
}

static double time_batch(s7p_client *c, const tag_list *l, s7p_tag_value *vals, int rounds)
{
    double *v = calloc((size_t)rounds, sizeof *v);
    s7p_item_result *res = calloc(l->n, sizeof *res);
    for (int i = 0; i < rounds; i++) {
        double t0 = bench_now_us();
        s7p_read(c, l->tags, l->n, vals, res, NULL);
        v[i] = bench_now_us() - t0;
        if (i + 1 < rounds)
            for (size_t j = 0; j < l->n; j++) s7p_tag_value_clear(&vals[j]);
    }
    double m = bench_median(v, (size_t)rounds);
    free(v);
    free(res);
    return m;
}

/* The same exchange as raw TLS: one ping-pong per request of `per` items, with the sizes
 * worked out before the clock starts. */
static double baseline_batch(bench_tls_client *b, const tag_list *l, const s7p_tag_value *vals,
                             size_t per, int rounds)
{
    size_t nreq = (l->n + per - 1) / per;
    size_t *rq = calloc(nreq, sizeof *rq), *rs = calloc(nreq, sizeof *rs);
    for (size_t r = 0; r < nreq; r++) {
        size_t s = r * per, k = l->n - s < per ? l->n - s : per;
        wire_sizes(l->tags + s, vals + s, k, &rq[r], &rs[r]);
    }
    double *v = calloc((size_t)rounds, sizeof *v);
    for (int i = 0; i < rounds; i++) {
        double t0 = bench_now_us();
        for (size_t r = 0; r < nreq; r++) bench_tls_roundtrip(b, rq[r], rs[r]);
        v[i] = bench_now_us() - t0;
    }
    double m = bench_median(v, (size_t)rounds);
    free(v);
    free(rq);
    free(rs);
    return m;
}

int main(int argc, char **argv)
{
    bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
    unsigned dbs = smoke ? 1 : 10, members = smoke ? 50 : 1000;
    int single_rounds = smoke ? 20 : 2000, batch_rounds = smoke ? 1 : 10;
    char dir[256], err[256];
    if (bench_gen_program(dir, sizeof dir, dbs, members, 0) != 0) return 1;
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.program_dir = dir;
    s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "bench_read: %s\n", err);
        return 1;
    }
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = s7p_sim_port(sim);
    s7p_client *c;
    s7p_error e;
    tag_list l = {0};
    if (s7p_client_new(&c, &o, &e) != S7P_OK || s7p_connect(c, &e) != S7P_OK ||
        s7p_browse(c, collect, &l, &e) != S7P_OK || l.n == 0) {
        fprintf(stderr, "bench_read: %s\n", e.message);
        return 1;
    }
    s7p_tag_value *vals = calloc(l.n, sizeof *vals);
    unsigned long before = s7p_sim_requests(sim, S7P_FC_GET_MULTI_VARIABLES);
    double single = time_single(c, &l.tags[0], single_rounds);
    double batch = time_batch(c, &l, vals, batch_rounds);
    unsigned long requests = (s7p_sim_requests(sim, S7P_FC_GET_MULTI_VARIABLES) - before -
                              (unsigned long)single_rounds) / (unsigned long)batch_rounds;
    size_t per = requests ? (l.n + requests - 1) / requests : l.n;

    bench_tls_server *bs = bench_tls_server_start();
    bench_tls_client *b = bs ? bench_tls_connect(bench_tls_server_port(bs)) : NULL;
    if (!b) return 1;
    size_t rq, rs;
    wire_sizes(&l.tags[0], &vals[0], 1, &rq, &rs);
    double *pp = calloc((size_t)single_rounds, sizeof *pp);
    for (int i = 0; i < single_rounds; i++) {
        double t0 = bench_now_us();
        bench_tls_roundtrip(b, rq, rs);
        pp[i] = bench_now_us() - t0;
    }
    double base_single = bench_median(pp, (size_t)single_rounds);
    double base_batch = baseline_batch(b, &l, vals, per, batch_rounds);

    printf("%-40s %12s %12s %8s\n", "loopback, medians", "s7plus", "raw TLS", "ratio");
    printf("%-40s %10.1f us %10.1f us %8.2f   (%zu B out, %zu B back)\n", "single-tag read", single,
           base_single, single / base_single, rq, rs);
    printf("%-40s %10.2f ms %10.2f ms %8.2f   (%zu tags, %lu requests)\n", "batch read", batch / 1000,
           base_batch / 1000, batch / base_batch, l.n, requests);
    printf("batch: %.0f tags/s, %.2f us per tag\n", (double)l.n / (batch / 1e6), batch / (double)l.n);
    for (size_t j = 0; j < l.n; j++) s7p_tag_value_clear(&vals[j]);
    free(vals);
    free(pp);
    free(l.tags);
    bench_tls_close(b);
    bench_tls_server_stop(bs);
    s7p_client_free(c);
    s7p_sim_stop(sim);
    bench_gen_remove(dir);
    return 0;
}

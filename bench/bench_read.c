/* SPDX-License-Identifier: MIT */
/* bench_read: single-tag read latency and a 10 000-tag batch read against the simulator,
 * each next to a raw TLS 1.3 ping-pong of the same byte sizes on the same loopback. The
 * batch runs with max_in_flight 1 and 4, beside raw TLS keeping as many requests
 * outstanding: what pipelining gains on one session, and what it costs over the floor.
 * Exit status 1 when a read fails. Usage: bench_read [--smoke]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Median and spread of a bench's rounds. */
typedef struct {
    double med, min, max;
} spread;

static spread spread_of(double *v, size_t n)
{
    double med = bench_median(v, n);  /* sorts v */
    return (spread){med, v[0], v[n - 1]};
}

/* One batch read of every tag; returns its time in us, or -1 when an item failed. */
static double one_batch(s7p_client *c, const tag_list *l, s7p_tag_value *vals,
                        s7p_item_result *res)
{
    s7p_error e;
    double t0 = bench_now_us();
    s7p_status st = s7p_read(c, l->tags, l->n, vals, res, &e);
    double us = bench_now_us() - t0;
    if (st != S7P_OK) fprintf(stderr, "bench_read: %s\n", e.message);
    for (size_t j = 0; j < l->n; j++)
        if (res[j].code != S7P_OK) st = res[j].code;
    return st == S7P_OK ? us : -1;
}

/* The raw-TLS exchanges of one batch: a ping-pong of the same byte sizes per request (`per`
 * items each), worked out before any clock starts. */
typedef struct {
    size_t n, *req, *resp;
} floor_plan;

static floor_plan plan_floor(const tag_list *l, const s7p_tag_value *vals, size_t per)
{
    floor_plan f = {(l->n + per - 1) / per, NULL, NULL};
    f.req = calloc(f.n, sizeof *f.req);
    f.resp = calloc(f.n, sizeof *f.resp);
    for (size_t r = 0; r < f.n; r++) {
        size_t s = r * per, k = l->n - s < per ? l->n - s : per;
        wire_sizes(l->tags + s, vals + s, k, &f.req[r], &f.resp[r]);
    }
    return f;
}

static double cpu_us(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The 10 000-tag batch with max_in_flight 1 and 4, each beside raw TLS keeping as many
 * requests outstanding. Rounds interleave the four so that drift on a shared machine hits
 * them alike. The client's CPU (this thread runs its engine) and the simulator's (the rest
 * of the process: the raw-TLS server idles meanwhile) tell latency-bound from CPU-bound.
 * Returns 0, or 1 when a read failed. */
static int batch_rows(s7p_client *const c[2], const tag_list *l, s7p_tag_value *vals,
                      bench_tls_client *b, size_t per, unsigned long requests, int rounds)
{
    static const unsigned depth[2] = {1, 4};
    double *v[8];  /* s7plus 1, 4; raw TLS 1, 4; client CPU 1, 4; simulator CPU 1, 4 */
    s7p_item_result *res = calloc(l->n, sizeof *res);
    for (int k = 0; k < 8; k++) v[k] = calloc((size_t)rounds, sizeof *v[k]);
    floor_plan f = plan_floor(l, vals, per);
    int rc = 0;
    for (int i = 0; i < rounds && rc == 0; i++) {
        for (int k = 0; k < 2 && rc == 0; k++) {
            for (size_t j = 0; j < l->n; j++) s7p_tag_value_clear(&vals[j]);
            double mine = cpu_us(CLOCK_THREAD_CPUTIME_ID), all = cpu_us(CLOCK_PROCESS_CPUTIME_ID);
            v[k][i] = one_batch(c[k], l, vals, res);
            v[4 + k][i] = cpu_us(CLOCK_THREAD_CPUTIME_ID) - mine;
            v[6 + k][i] = cpu_us(CLOCK_PROCESS_CPUTIME_ID) - all - v[4 + k][i];
            double t0 = bench_now_us();
            rc = v[k][i] < 0 || bench_tls_pipeline(b, f.req, f.resp, f.n, depth[k]) != 0;
            v[2 + k][i] = bench_now_us() - t0;
        }
    }
    spread s[8];
    for (int k = 0; k < 8 && rc == 0; k++) s[k] = spread_of(v[k], (size_t)rounds);
    for (int k = 0; k < 2 && rc == 0; k++) {
        char row[64];
        snprintf(row, sizeof row, "batch read, max_in_flight %u", depth[k]);
        printf("%-40s %10.2f ms %10.2f ms %8.2f   (min-max %.2f-%.2f / %.2f-%.2f ms; CPU "
               "client %.2f, simulator %.2f ms)\n", row, s[k].med / 1000, s[2 + k].med / 1000,
               s[k].med / s[2 + k].med, s[k].min / 1000, s[k].max / 1000, s[2 + k].min / 1000,
               s[2 + k].max / 1000, s[4 + k].med / 1000, s[6 + k].med / 1000);
    }
    if (rc == 0)
        printf("batch: %zu tags in %lu requests; max_in_flight 4 takes %.2f of the time of 1 "
               "(%.0f vs %.0f tags/s); medians of %d rounds\n", l->n, requests,
               s[1].med / s[0].med, (double)l->n / (s[1].med / 1e6),
               (double)l->n / (s[0].med / 1e6), rounds);
    for (int k = 0; k < 8; k++) free(v[k]);
    free(f.req);
    free(f.resp);
    free(res);
    return rc;
}

static s7p_client *connected(uint16_t port, unsigned max_in_flight)
{
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    o.max_in_flight = max_in_flight;
    s7p_client *c;
    s7p_error e;
    if (s7p_client_new(&c, &o, &e) != S7P_OK) return NULL;
    if (s7p_connect(c, &e) == S7P_OK) return c;
    fprintf(stderr, "bench_read: %s\n", e.message);
    s7p_client_free(c);
    return NULL;
}

int main(int argc, char **argv)
{
    bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
    /* The smoke batch still needs several requests, for in flight to mean something. */
    unsigned dbs = smoke ? 1 : 10, members = smoke ? 200 : 1000;
    int single_rounds = smoke ? 20 : 2000, batch_rounds = smoke ? 3 : 15;
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
    s7p_client *c[2] = {connected(s7p_sim_port(sim), 1), connected(s7p_sim_port(sim), 4)};
    tag_list l = {0};
    s7p_error e;
    if (!c[0] || !c[1] || s7p_browse(c[0], collect, &l, &e) != S7P_OK || l.n == 0) return 1;
    s7p_tag_value *vals = calloc(l.n, sizeof *vals);
    s7p_item_result *res = calloc(l.n, sizeof *res);
    double single = time_single(c[0], &l.tags[0], single_rounds);
    /* A first batch fills the values the raw-TLS sizes are worked out from, and counts the
     * requests it takes. */
    unsigned long before = s7p_sim_requests(sim, S7P_FC_GET_MULTI_VARIABLES);
    if (one_batch(c[0], &l, vals, res) < 0) return 1;
    unsigned long requests = s7p_sim_requests(sim, S7P_FC_GET_MULTI_VARIABLES) - before;
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

    printf("%-40s %12s %12s %8s\n", "loopback, medians", "s7plus", "raw TLS", "ratio");
    printf("%-40s %10.1f us %10.1f us %8.2f   (%zu B out, %zu B back)\n", "single-tag read", single,
           base_single, single / base_single, rq, rs);
    int rc = batch_rows(c, &l, vals, b, per, requests, batch_rounds);
    for (size_t j = 0; j < l.n; j++) s7p_tag_value_clear(&vals[j]);
    free(vals);
    free(res);
    free(pp);
    free(l.tags);
    bench_tls_close(b);
    bench_tls_server_stop(bs);
    s7p_client_free(c[0]);
    s7p_client_free(c[1]);
    s7p_sim_stop(sim);
    bench_gen_remove(dir);
    return rc;
}

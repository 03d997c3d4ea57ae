/* SPDX-License-Identifier: MIT */
/* bench_read: single-tag read latency and a 10 000-tag batch read against the simulator,
 * each next to a raw TLS 1.3 ping-pong of the same byte sizes on the same loopback. The
 * batch runs with max_in_flight 1 and 4, beside raw TLS keeping as many requests
 * outstanding: what pipelining gains on one session, and what it costs over the floor.
 * The client's CPU (this thread runs its engine) and the simulator's (the rest of the
 * process) are reported apart, per request and per tag, and the batch with one request in
 * flight once more without what the simulator spends beyond the raw-TLS server.
 * Exit status 1 when a read fails.
 *
 *   bench_read [--smoke] [--json] [--cpus CLIENT,SERVER]
 *   bench_read --loop N | --loop-single N | --loop-replay N [--cpus CLIENT,SERVER]
 *       (N batches, single reads, or batches against the replay server only: for a profiler) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <s7plus/s7plus.h>

#include "bench_cpus.h"
#include "bench_gen.h"
#include "bench_replay.h"
#include "bench_report.h"
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

static double cpu_us(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* CPU of this thread (the client: the blocking call runs its engine here) and of the rest of
 * the process (the simulator, or the raw-TLS server: whichever answered). */
typedef struct {
    double mine, all;
} cpu_mark;

static cpu_mark cpu_mark_now(void)
{
    return (cpu_mark){cpu_us(CLOCK_THREAD_CPUTIME_ID), cpu_us(CLOCK_PROCESS_CPUTIME_ID)};
}

static void cpu_since(cpu_mark m, double *client, double *server)
{
    cpu_mark n = cpu_mark_now();
    *client = n.mine - m.mine;
    *server = n.all - m.all - *client;
}

/* The single-tag read against the simulator and against the replay server, and the raw
 * ping-pong of its sizes, round by round; then a run of each alone for the CPU per request
 * of both sides. */
typedef struct {
    double *s7p, *rep, *raw;
    double cpu_client, cpu_sim, cpu_rep_client, cpu_rep_server;  /* us per request */
    double cpu_raw_client, cpu_raw_server;
} single_result;

static int read_one(s7p_client *c, const s7p_tag *t)
{
    s7p_tag_value val;
    s7p_item_result res;
    int rc = s7p_read(c, t, 1, &val, &res, NULL) != S7P_OK || res.code != S7P_OK;
    s7p_tag_value_clear(&val);
    return rc;
}

/* n reads on c (or raw ping-pongs when c is NULL); the CPU per request of both sides. */
static int cpu_of_reads(s7p_client *c, const s7p_tag *t, bench_tls_client *b, size_t rq,
                        size_t rs, int n, double *client, double *server)
{
    int rc = 0;
    cpu_mark m = cpu_mark_now();
    for (int i = 0; i < n && rc == 0; i++) rc = c ? read_one(c, t) : bench_tls_roundtrip(b, rq, rs);
    cpu_since(m, client, server);
    *client /= n;
    *server /= n;
    return rc;
}

static int time_single(s7p_client *c, s7p_client *rep, const s7p_tag *t, bench_tls_client *b,
                       size_t rq, size_t rs, int rounds, single_result *out)
{
    int rc = 0;
    for (int i = 0; i < rounds && rc == 0; i++) {
        double t0 = bench_now_us();
        rc |= read_one(c, t);
        double t1 = bench_now_us();
        rc |= read_one(rep, t);
        double t2 = bench_now_us();
        rc |= bench_tls_roundtrip(b, rq, rs);
        out->s7p[i] = t1 - t0;
        out->rep[i] = t2 - t1;
        out->raw[i] = bench_now_us() - t2;
    }
    if (rc == 0) rc = cpu_of_reads(c, t, b, rq, rs, rounds, &out->cpu_client, &out->cpu_sim);
    if (rc == 0)
        rc = cpu_of_reads(rep, t, b, rq, rs, rounds, &out->cpu_rep_client, &out->cpu_rep_server);
    if (rc == 0)
        rc = cpu_of_reads(NULL, t, b, rq, rs, rounds, &out->cpu_raw_client, &out->cpu_raw_server);
    return rc;
}

/* One batch read of every tag; returns its time in us, or -1 when an item failed. */
static double one_batch(s7p_client *c, const tag_list *l, s7p_tag_value *vals,
                        s7p_item_result *res)
{
    s7p_error e;
    for (size_t j = 0; j < l->n; j++) s7p_tag_value_clear(&vals[j]);
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

/* Per round: s7plus with 1 and 4 in flight against the simulator and against the replay
 * server, raw TLS with 1 and 4 outstanding, and the CPU of each side (client thread; the
 * rest of the process: simulator, replay or raw-TLS server). */
enum {
    B_S1, B_S4, B_R1, B_R4, B_CC1, B_CC4, B_CS1, B_CS4, B_RS1, B_ADJ1,
    B_P1, B_P4, B_PC1, B_PC4, B_PS1, B_PS4, B_RS4, B_N
};

typedef struct {
    double *v[B_N];
    int rounds;
} batch_rounds;

/* One round: the four runs interleaved, so that drift on a shared machine hits them alike.
 * 0, or 1 when a read failed. */
static int batch_round(s7p_client *const c[4], const tag_list *l, s7p_tag_value *vals,
                       s7p_item_result *res, bench_tls_client *b, const floor_plan *f,
                       batch_rounds *br, int i)
{
    static const unsigned depth[2] = {1, 4};
    double **v = br->v, unused;
    for (int k = 0; k < 2; k++) {
        cpu_mark m = cpu_mark_now();
        v[B_S1 + k][i] = one_batch(c[k], l, vals, res);
        cpu_since(m, &v[B_CC1 + k][i], &v[B_CS1 + k][i]);
        if (v[B_S1 + k][i] < 0) return 1;
        m = cpu_mark_now();
        v[B_P1 + k][i] = one_batch(c[2 + k], l, vals, res);
        cpu_since(m, &v[B_PC1 + k][i], &v[B_PS1 + k][i]);
        if (v[B_P1 + k][i] < 0) return 1;
        m = cpu_mark_now();
        double t0 = bench_now_us();
        if (bench_tls_pipeline(b, f->req, f->resp, f->n, depth[k]) != 0) return 1;
        v[B_R1 + k][i] = bench_now_us() - t0;
        cpu_since(m, &unused, &v[B_RS1 + (k ? B_RS4 - B_RS1 : 0)][i]);
    }
    /* With one request in flight the server's work is on the path of every request: take
     * out what the simulator spends beyond what the raw-TLS server spends. */
    v[B_ADJ1][i] = v[B_S1][i] - (v[B_CS1][i] - v[B_RS1][i]);
    return 0;
}

static int batch_measure(s7p_client *const c[4], const tag_list *l, s7p_tag_value *vals,
                         bench_tls_client *b, size_t per, batch_rounds *br)
{
    s7p_item_result *res = calloc(l->n, sizeof *res);
    floor_plan f = plan_floor(l, vals, per);
    int rc = res ? 0 : 1;
    for (int i = 0; i < br->rounds && rc == 0; i++)
        rc = batch_round(c, l, vals, res, b, &f, br, i);
    free(f.req);
    free(f.resp);
    free(res);
    return rc;
}

/* The targets are judged on the rows against the replay server, whose work per request is
 * the raw-TLS server's: against the simulator, its own work (address resolution, encoding)
 * is in our figure and not in the floor's. */
#define SIM_NOTE "target judged against the replay server (the simulator's work is in this figure)"

typedef struct {
    bench_json j;
    bool json;
    double *tmp;
} report;

static void report_single(report *r, const single_result *s, int rounds, size_t rq, size_t rs)
{
    char note[160];
    size_t n = (size_t)rounds;
    bench_spread rat = bench_ratio_of(s->s7p, s->raw, r->tmp, n);
    bench_spread prat = bench_ratio_of(s->rep, s->raw, r->tmp, n);
    bench_spread a = bench_spread_of(s->s7p, n), p = bench_spread_of(s->rep, n);
    bench_spread b = bench_spread_of(s->raw, n);
    snprintf(note, sizeof note, "%zu B out, %zu B back; %s", rq, rs, SIM_NOTE);
    bench_json_row(&r->j, "single-tag read round trip, simulator", "us", a, &b, &rat, NULL, -1,
                   note);
    snprintf(note, sizeof note, "server CPU per request: replay %.1f us, raw TLS %.1f us",
             s->cpu_rep_server, s->cpu_raw_server);
    bench_json_row(&r->j, "single-tag read round trip, replay server", "us", p, &b, &prat,
                   "<= 1.10 x", 1.10, note);
    snprintf(note, sizeof note, "raw TLS: client %.1f us, server %.1f us per request",
             s->cpu_raw_client, s->cpu_raw_server);
    bench_json_row(&r->j, "single-tag read: client CPU per request", "us",
                   bench_one(s->cpu_client), NULL, NULL, NULL, -1, note);
    bench_json_row(&r->j, "single-tag read: client CPU per request, replay server", "us",
                   bench_one(s->cpu_rep_client), NULL, NULL, NULL, -1, NULL);
    bench_json_row(&r->j, "single-tag read: simulator CPU per request", "us",
                   bench_one(s->cpu_sim), NULL, NULL, NULL, -1, NULL);
    if (r->json) return;
    printf("%-40s %12s %12s %8s\n", "loopback, medians", "s7plus", "raw TLS", "ratio");
    printf("%-40s %10.1f us %10.1f us %8.2f   (%zu B out, %zu B back; ratio min-max %.2f-%.2f)\n",
           "single-tag read", a.med, b.med, rat.med, rq, rs, rat.min, rat.max);
    printf("%-40s %10.1f us %10.1f us %8.2f   (ratio min-max %.2f-%.2f)\n",
           "single-tag read, replay server", p.med, b.med, prat.med, prat.min, prat.max);
    printf("%-40s client %.1f us, simulator %.1f us per read; against the replay server: "
           "client %.1f, server %.1f us; raw TLS client %.1f, server %.1f us\n", "  CPU",
           s->cpu_client, s->cpu_sim, s->cpu_rep_client, s->cpu_rep_server, s->cpu_raw_client,
           s->cpu_raw_server);
}

/* The batch against the replay server (a server that only frames recorded answers: its CPU
 * per request is the raw-TLS echo server's), beside the same floors. */
static void report_replay(report *r, size_t ntags, const bench_spread *s,
                          const bench_spread rat[4], const double srv[4])
{
    char note[200], name[4][96];
    static const char *const what[4] = {
        "1 in flight, replay server", "4 in flight, replay server",
        "4 in flight vs raw 4, replay server", "client CPU per tag, replay server"};
    for (int k = 0; k < 4; k++) snprintf(name[k], sizeof name[k], "%zu-tag batch: %s", ntags, what[k]);
    snprintf(note, sizeof note, "server CPU per request: replay %.1f us, raw TLS %.1f us, "
             "simulator %.1f us", srv[1], srv[0], srv[2]);
    bench_json_row(&r->j, name[0], "ms", s[B_P1], &s[B_R1], &rat[0], "<= 1.2 x raw, 1 in flight",
                   1.2, note);
    bench_json_row(&r->j, name[1], "ms", s[B_P4], &s[B_R1], &rat[1], "< 1.0 x raw, 1 in flight",
                   0.999, "floor: raw TLS with 1 in flight");
    bench_json_row(&r->j, name[2], "ms", s[B_P4], &s[B_R4], &rat[2], NULL, -1,
                   "floor: raw TLS with 4 outstanding");
    snprintf(note, sizeof note, "client CPU per request: %.1f us", srv[3]);
    bench_json_row(&r->j, name[3], "us", rat[3], NULL, NULL, NULL, -1, note);
    if (r->json) return;
    printf("%-40s %10.2f ms %10.2f ms %8.2f   (ratio min-max %.2f-%.2f)\n",
           "batch vs replay server, 1 in flight", s[B_P1].med, s[B_R1].med, rat[0].med,
           rat[0].min, rat[0].max);
    printf("%-40s %10.2f ms %10.2f ms %8.2f   (vs raw 1 in flight; vs raw 4: %.2f)\n",
           "batch vs replay server, 4 in flight", s[B_P4].med, s[B_R1].med, rat[1].med,
           rat[2].med);
    printf("  CPU per request: client %.1f us (replay) ; server: replay %.1f us, raw TLS %.1f us, "
           "simulator %.1f us\n", srv[3], srv[1], srv[0], srv[2]);
}

static void report_batch(report *r, batch_rounds *br, const tag_list *l, unsigned long requests)
{
    size_t n = (size_t)br->rounds;
    double **v = br->v, tags = (double)l->n;
    bench_spread r1 = bench_ratio_of(v[B_S1], v[B_R1], r->tmp, n);
    bench_spread r4 = bench_ratio_of(v[B_S4], v[B_R1], r->tmp, n);
    bench_spread r44 = bench_ratio_of(v[B_S4], v[B_R4], r->tmp, n);
    bench_spread ra = bench_ratio_of(v[B_ADJ1], v[B_R1], r->tmp, n);
    for (size_t i = 0; i < n; i++) r->tmp[i] = v[B_CC1][i] / tags;
    bench_spread per_tag = bench_spread_of(r->tmp, n);
    for (size_t i = 0; i < n; i++) r->tmp[i] = v[B_CS1][i] / tags;
    bench_spread sim_tag = bench_spread_of(r->tmp, n);
    bench_spread p1 = bench_ratio_of(v[B_P1], v[B_R1], r->tmp, n);
    bench_spread p4 = bench_ratio_of(v[B_P4], v[B_R1], r->tmp, n);
    bench_spread p44 = bench_ratio_of(v[B_P4], v[B_R4], r->tmp, n);
    /* CPU per request of each server and of the client against the replay server */
    double perq = (double)requests, srv[4];
    static const int srv_col[4] = {B_RS1, B_PS1, B_CS1, B_PC1};
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < n; i++) r->tmp[i] = v[srv_col[k]][i] / perq;
        srv[k] = bench_spread_of(r->tmp, n).med;
    }
    for (size_t i = 0; i < n; i++) r->tmp[i] = v[B_PC1][i] / tags;
    bench_spread replay_tag = bench_spread_of(r->tmp, n);
    bench_spread s[B_N];
    for (int k = 0; k < B_N; k++) {
        for (size_t i = 0; i < n; i++) v[k][i] /= 1000;  /* ms */
        s[k] = bench_spread_of(v[k], n);
    }
    char note[160], name[6][96];
    static const char *const what[6] = {
        "1 in flight, simulator", "4 in flight, simulator", "4 in flight vs raw 4, simulator",
        "1 in flight, simulator's extra CPU out", "client CPU per tag (whole request path)",
        "simulator CPU per tag"};
    for (int k = 0; k < 6; k++) snprintf(name[k], sizeof name[k], "%zu-tag batch: %s", l->n, what[k]);
    snprintf(note, sizeof note, "%zu tags in %lu requests; %s", l->n, requests, SIM_NOTE);
    bench_json_row(&r->j, name[0], "ms", s[B_S1], &s[B_R1], &r1, NULL, -1, note);
    bench_json_row(&r->j, name[1], "ms", s[B_S4], &s[B_R1], &r4, NULL, -1,
                   "floor: raw TLS with 1 in flight; " SIM_NOTE);
    bench_json_row(&r->j, name[2], "ms", s[B_S4], &s[B_R4], &r44, NULL, -1,
                   "floor: raw TLS with 4 outstanding");
    bench_json_row(&r->j, name[3], "ms", s[B_ADJ1], &s[B_R1], &ra, NULL, -1,
                   "minus (simulator CPU - raw server CPU) of the round");
    bench_json_row(&r->j, name[4], "us", per_tag, NULL, NULL, NULL, -1,
                   "encode, TLS, I/O, decode, convert");
    bench_json_row(&r->j, name[5], "us", sim_tag, NULL, NULL, NULL, -1, NULL);
    report_replay(r, l->n, s, (const bench_spread[]){p1, p4, p44, replay_tag}, srv);
    if (r->json) return;
    printf("%-40s %10.2f ms %10.2f ms %8.2f   (ratio min-max %.2f-%.2f)\n",
           "batch read, max_in_flight 1", s[B_S1].med, s[B_R1].med, r1.med, r1.min, r1.max);
    printf("%-40s %10.2f ms %10.2f ms %8.2f   (vs raw 1 in flight; vs raw 4: %.2f)\n",
           "batch read, max_in_flight 4", s[B_S4].med, s[B_R1].med, r4.med, r44.med);
    printf("%-40s %10.2f ms %10.2f ms %8.2f\n", "  1 in flight, simulator's extra CPU out",
           s[B_ADJ1].med, s[B_R1].med, ra.med);
    printf("batch: %zu tags in %lu requests; CPU per tag: client %.3f us, simulator %.3f us; "
           "medians of %d rounds\n", l->n, requests, per_tag.med, sim_tag.med, br->rounds);
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

/* --loop N: only N batches with 1 in flight; --loop-single N: only N single-tag reads;
 * nothing printed (for a profiler). */
static int loop_only(s7p_client *c, const tag_list *l, s7p_tag_value *vals, long n, bool single)
{
    s7p_item_result *res = calloc(l->n, sizeof *res);
    tag_list one = {l->tags, 1, 1};
    int rc = res ? 0 : 1;
    for (long i = 0; i < n && rc == 0; i++) rc = one_batch(c, single ? &one : l, vals, res) < 0;
    free(res);
    return rc;
}

typedef struct {
    s7p_sim *sim, *sim_single;
    bench_replay *replay, *replay_single;
    s7p_client *c[5];  /* simulator: 1, 4 in flight; replay server: 1, 4; single-read replay */
    tag_list l;
    s7p_tag_value *vals;
    unsigned long requests;  /* GetMultiVariables of one batch */
    size_t per;
    char dir[256];
} setup;

/* Records the simulator's first connection (bench_replay_trace): its connect, one batch
 * (the part the replay server repeats) and its disconnect; then starts the replay server
 * and connects its two clients. */
static int record_and_replay(setup *u, s7p_client *rec, s7p_item_result *res)
{
    char err[256];
    bench_replay_mark(u->replay);
    int rc = one_batch(rec, &u->l, u->vals, res) < 0;
    bench_replay_mark(u->replay);
    s7p_client_free(rec);  /* the disconnect (DeleteObject) is recorded too */
    if (rc == 0 && bench_replay_start(u->replay, err, sizeof err) != 0) {
        fprintf(stderr, "bench_read: %s\n", err);
        return 1;
    }
    if (rc == 0) u->c[2] = connected(bench_replay_port(u->replay), 1);
    if (rc == 0) u->c[3] = connected(bench_replay_port(u->replay), 4);
    return rc || !u->c[2] || !u->c[3];
}

/* A second simulator on the same program records a connection that reads one tag (the
 * replay server's repeated part: one single-tag read); its replay server and client. */
static int record_single(setup *u)
{
    char err[256];
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.program_dir = u->dir;
    cfg.trace = bench_replay_trace;
    cfg.trace_ctx = u->replay_single = bench_replay_new();
    if (!u->replay_single || !(u->sim_single = s7p_sim_start(&cfg, err, sizeof err))) return 1;
    s7p_client *rec = connected(s7p_sim_port(u->sim_single), 1);
    if (!rec) return 1;
    bench_replay_mark(u->replay_single);
    int rc = read_one(rec, &u->l.tags[0]);
    bench_replay_mark(u->replay_single);
    s7p_client_free(rec);
    if (rc == 0 && bench_replay_start(u->replay_single, err, sizeof err) != 0) {
        fprintf(stderr, "bench_read: %s\n", err);
        return 1;
    }
    if (rc == 0) u->c[4] = connected(bench_replay_port(u->replay_single), 1);
    return rc || !u->c[4];
}

/* The program, the simulator (recording its first connection), two clients (1 and 4 in
 * flight), every tag, a first batch that fills the values the raw-TLS sizes are worked out
 * from and counts its requests; the replay server and its two clients. */
static int set_up(setup *u, bool smoke)
{
    char err[256];
    if (bench_gen_program(u->dir, sizeof u->dir, smoke ? 1 : 10, smoke ? 200 : 1000, 0) != 0)
        return 1;
    if (!(u->replay = bench_replay_new())) return 1;
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.program_dir = u->dir;
    cfg.trace = bench_replay_trace;
    cfg.trace_ctx = u->replay;
    if (!(u->sim = s7p_sim_start(&cfg, err, sizeof err))) {
        fprintf(stderr, "bench_read: %s\n", err);
        return 1;
    }
    s7p_client *rec = connected(s7p_sim_port(u->sim), 1);  /* the recorded connection */
    u->c[0] = connected(s7p_sim_port(u->sim), 1);
    u->c[1] = connected(s7p_sim_port(u->sim), 4);
    s7p_error e;
    if (!rec || !u->c[0] || !u->c[1] || s7p_browse(u->c[0], collect, &u->l, &e) != S7P_OK ||
        !u->l.n) {
        s7p_client_free(rec);
        return 1;
    }
    u->vals = calloc(u->l.n, sizeof *u->vals);
    s7p_item_result *res = calloc(u->l.n, sizeof *res);
    unsigned long before = s7p_sim_requests(u->sim, S7P_FC_GET_MULTI_VARIABLES);
    int rc = !u->vals || !res || one_batch(u->c[0], &u->l, u->vals, res) < 0;
    unsigned long after = s7p_sim_requests(u->sim, S7P_FC_GET_MULTI_VARIABLES);
    rc = rc ? (s7p_client_free(rec), rc) : record_and_replay(u, rec, res);
    if (rc == 0) rc = record_single(u);
    free(res);
    u->requests = after - before;
    u->per = u->requests ? (u->l.n + u->requests - 1) / u->requests : u->l.n;
    return rc;
}

static void tear_down(setup *u)
{
    for (size_t j = 0; u->vals && j < u->l.n; j++) s7p_tag_value_clear(&u->vals[j]);
    free(u->vals);
    free(u->l.tags);
    for (int k = 0; k < 5; k++) s7p_client_free(u->c[k]);
    if (u->sim) s7p_sim_stop(u->sim);
    if (u->sim_single) s7p_sim_stop(u->sim_single);
    bench_replay_free(u->replay);
    bench_replay_free(u->replay_single);
    bench_gen_remove(u->dir);
}

static int measure(setup *u, bench_tls_client *b, int single_rounds, int batch_rounds_n,
                   report *r)
{
    size_t rq, rs;
    wire_sizes(&u->l.tags[0], &u->vals[0], 1, &rq, &rs);
    single_result sr = {calloc((size_t)single_rounds, sizeof(double)),
                        calloc((size_t)single_rounds, sizeof(double)),
                        calloc((size_t)single_rounds, sizeof(double)), 0, 0, 0, 0, 0, 0};
    batch_rounds br = {.rounds = batch_rounds_n};
    for (int k = 0; k < B_N; k++) br.v[k] = calloc((size_t)batch_rounds_n, sizeof(double));
    int rc = !sr.s7p || !sr.rep || !sr.raw;
    if (rc == 0) rc = time_single(u->c[0], u->c[4], &u->l.tags[0], b, rq, rs, single_rounds, &sr);
    if (rc == 0) report_single(r, &sr, single_rounds, rq, rs);
    if (rc == 0) rc = batch_measure(u->c, &u->l, u->vals, b, u->per, &br);
    if (rc == 0) report_batch(r, &br, &u->l, u->requests);
    for (int k = 0; k < B_N; k++) free(br.v[k]);
    free(sr.s7p);
    free(sr.rep);
    free(sr.raw);
    return rc;
}

int main(int argc, char **argv)
{
    bool smoke = bench_has_flag(argc, argv, "--smoke");
    bool single = argc >= 3 && strcmp(argv[1], "--loop-single") == 0;
    bool replay = argc >= 3 && strcmp(argv[1], "--loop-replay") == 0;
    long loop = argc >= 3 && (single || replay || strcmp(argv[1], "--loop") == 0) ? atol(argv[2]) : 0;
    int single_rounds = smoke ? 20 : 2000, batch_n = smoke ? 3 : 15;
    bench_cpus cpus;
    if (!bench_cpus_parse(argc, argv, &cpus)) return 2;
    setup u = {0};
    int rc = bench_cpus_servers(&cpus) != 0 || set_up(&u, smoke);
    if (rc == 0 && loop > 0) {
        rc = bench_cpus_client(&cpus);
        if (rc == 0) rc = loop_only(u.c[replay ? 2 : 0], &u.l, u.vals, loop, single);
        tear_down(&u);
        return rc;
    }
    bench_tls_server *bs = rc == 0 ? bench_tls_server_start() : NULL;
    if (bs && bench_cpus_client(&cpus) != 0) rc = 1;  /* every server thread runs: pin the client */
    bench_tls_client *b = bs && rc == 0 ? bench_tls_connect(bench_tls_server_port(bs)) : NULL;
    report r = {.json = bench_has_flag(argc, argv, "--json")};
    r.tmp = calloc((size_t)(single_rounds > batch_n ? single_rounds : batch_n), sizeof(double));
    bench_json_begin(&r.j, r.json ? stdout : NULL, "read");
    rc = b && r.tmp ? measure(&u, b, single_rounds, batch_n, &r) : 1;
    bench_json_end(&r.j);
    if (rc) fprintf(stderr, "bench_read: failed\n");
    free(r.tmp);
    bench_tls_close(b);
    if (bs) bench_tls_server_stop(bs);
    tear_down(&u);
    return rc;
}

/* SPDX-License-Identifier: MIT */
/* bench_subscribe: a tag subscription of N scalar tags (default 1 000) at a cycle of C ms
 * (default 10) against the in-process simulator, for S seconds (default 10) in R rounds of
 * equal length (default 5): notifications per second, the client's CPU per notification and
 * per value, the simulator's CPU apart; medians of the rounds with their spread.
 *
 * The simulator serves one DB of N DInt members, "DB1_Bench".v0 .. v<N-1>, each with a
 * counter generator of period C/2, so every tag changes in every cycle (a period of C alone
 * would keep the generators in phase with the cycles, and a jitter would leave some cycles
 * without a change) and every notification carries values. The client browses the DB,
 * subscribes every member (cyclic mode, default credit handling) and takes the
 * notifications with s7p_subscription_next() on this thread, which drives the client
 * (receive, TLS, decode, values layer, credit writes): this thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID) is the client's; the rest of the process's is the simulator's
 * threads (connection, generators, listener).
 *
 * Checked on every notification: sequence numbers (lost = the sum of the client's `missed`,
 * must be 0), notifications dropped by a full pull queue (0), each value a DInt that never
 * goes down (a counter: a stale or crossed value would), no item errors, no LOST or FAULTED
 * event. Reported: notifications and values per second against the nominal rate (cycles
 * the simulator skipped, e.g. for want of credit, show as a shortfall), latency from the
 * simulator's timestamp to delivery, client CPU, simulator CPU.
 *
 *   bench_subscribe [--smoke] [--json] [--seconds S] [--rounds R] [--tags N] [--cycle MS]
 *                   [--credit LIMIT]
 *
 * --smoke: 100 tags for 2 s (the ctest run). --seconds 600 is the 10-minute soak
 * (`make bench-soak`). --json: the rows of scripts/bench-report.py's table on stdout, the
 * text report on stderr. Exit status 1 when anything checked failed. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <s7plus/s7plus.h>

#include "bench_gen.h"
#include "bench_report.h"
#include "bench_tls.h"
#include "sim.h"
#include "util/clock.h"

#define TAGS_MAX 65535u
#define ROUNDS_MAX 100u

typedef struct cfg {
    unsigned tags, cycle_ms, seconds, rounds;
    int credit_limit;             /* the subscription's option (-1 unlimited) */
    bool json;                    /* --json: rows on stdout, the text report on stderr */
} cfg;

typedef struct tally {
    unsigned long notifs, values, lost, dropped, item_errors, went_down, first_seq_off;
    unsigned long empty;          /* DATA notifications without a value */
    unsigned long other_events;   /* LOST, RECREATED, FAULTED: none expected */
    int64_t *last;                /* per tag number: the value seen last */
    double *lat_us;               /* per notification: timestamp to delivery */
    size_t nlat, cap_lat;
} tally;

typedef struct bench {
    s7p_sim *sim;
    s7p_client *c;
    s7p_tag *tags;
    size_t ntags, cap_tags;
} bench;

/* ---- clocks ---- */

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double process_cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_stime.tv_sec +
           ((double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_usec) / 1e6;
}

static int64_t utc_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- set-up ---- */

static bool collect(void *ctx, const s7p_browse_item *it)
{
    bench *b = ctx;
    if (b->ntags == b->cap_tags) {
        size_t cap = b->cap_tags ? b->cap_tags * 2 : 1024;
        s7p_tag *t = realloc(b->tags, cap * sizeof *t);
        if (!t) return false;
        b->tags = t;
        b->cap_tags = cap;
    }
    b->tags[b->ntags++] = it->tag;
    return true;
}

/* The simulator with the program and a counter on every member. 0 or 1. */
static int start_sim(bench *b, const char *prog, const cfg *k)
{
    s7p_sim_config sc;
    char err[256], sym[64], spec[32];
    s7p_sim_config_init(&sc);
    sc.port = 0;
    sc.program_dir = prog;
    b->sim = s7p_sim_start(&sc, err, sizeof err);
    if (!b->sim) {
        fprintf(stderr, "bench_subscribe: simulator: %s\n", err);
        return 1;
    }
    snprintf(spec, sizeof spec, "counter:%u", k->cycle_ms > 1 ? k->cycle_ms / 2 : 1);
    for (unsigned i = 0; i < k->tags; i++) {
        snprintf(sym, sizeof sym, "\"DB1_Bench\".v%u", i);
        if (!s7p_sim_generate(b->sim, sym, spec, err, sizeof err)) {
            fprintf(stderr, "bench_subscribe: generator on %s: %s\n", sym, err);
            return 1;
        }
    }
    return 0;
}

static int connect_and_browse(bench *b, const cfg *k)
{
    s7p_client_options o;
    s7p_error e = {0};
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = s7p_sim_port(b->sim);
    if (s7p_client_new(&b->c, &o, &e) != S7P_OK || s7p_connect(b->c, &e) != S7P_OK ||
        s7p_browse(b->c, collect, b, &e) != S7P_OK) {
        fprintf(stderr, "bench_subscribe: %s\n", e.message);
        return 1;
    }
    if (b->ntags != k->tags) {
        fprintf(stderr, "bench_subscribe: browse found %zu tags, not %u\n", b->ntags, k->tags);
        return 1;
    }
    return 0;
}

/* ---- the run ---- */

static void note_value(tally *t, const s7p_sub_value *v)
{
    if (v->status != S7P_OK || v->value.type != S7P_T_DINT || v->value.count != 0) {
        if (t->item_errors++ == 0)
            fprintf(stderr, "bench_subscribe: tag %u: %s\n", v->tag, s7p_strerror(v->status));
        return;
    }
    if (v->value.v.i < t->last[v->tag]) t->went_down++;
    t->last[v->tag] = v->value.v.i;
}

static void note_latency(tally *t, const s7p_sub_notification *n)
{
    if (!n->has_timestamp) return;
    if (t->nlat == t->cap_lat) {
        size_t cap = t->cap_lat ? t->cap_lat * 2 : 4096;
        double *v = realloc(t->lat_us, cap * sizeof *v);
        if (!v) return;
        t->lat_us = v;
        t->cap_lat = cap;
    }
    t->lat_us[t->nlat++] = (double)(utc_ns() - n->timestamp_ns) / 1000.0;
}

/* One notification into the tally; false on an event that ends the run. */
static bool note(tally *t, const s7p_sub_notification *n)
{
    if (n->event != S7P_SUB_DATA) {
        t->other_events++;
        fprintf(stderr, "bench_subscribe: event %d: %s\n", (int)n->event, n->error.message);
        return n->event != S7P_SUB_FAULTED;
    }
    t->notifs++;
    t->values += n->count;
    t->lost += n->missed;
    t->dropped += n->dropped;
    if (n->count == 0) t->empty++;
    for (size_t i = 0; i < n->count; i++) note_value(t, &n->values[i]);
    note_latency(t, n);
    return true;
}

/* Takes notifications until `end` (monotonic ms). false when the subscription failed. */
static bool drain(s7p_subscription *s, tally *t, int64_t end)
{
    while (s7p_now_ms() < end) {
        s7p_sub_notification *n = NULL;
        s7p_error e;
        s7p_status st = s7p_subscription_next(s, &n, 1000, &e);
        if (st == S7P_E_TIMEOUT) continue;
        if (st != S7P_OK) {
            fprintf(stderr, "bench_subscribe: next: %s\n", e.message);
            return false;
        }
        bool go_on = note(t, n);
        s7p_sub_notification_free(n);
        if (!go_on) return false;
    }
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct span {
    double secs, client_cpu, process_cpu;
    unsigned long sim_sent, no_credit, late;  /* by the simulator over the span */
} span;

/* Per round: the figures whose median and spread the report gives. */
enum { R_NOTIF_S, R_VALUE_S, R_CPU_NOTIF, R_CPU_VALUE, R_SIM_NOTIF, R_LAT_MS, R_N };

typedef struct rounds {
    size_t n;
    double v[R_N][ROUNDS_MAX];
} rounds;

/* The median latency (ms) of lat[0..n-1] (sorts them); 0 without any. */
static double median_ms(double *lat, size_t n)
{
    if (!n) return 0;
    qsort(lat, n, sizeof *lat, cmp_double);
    return lat[n / 2] / 1000;
}

/* One round: notifications until `end`, its figures into r. false when the run must end. */
static bool run_round(bench *b, s7p_subscription *s, tally *t, int64_t end, rounds *r)
{
    unsigned long n0 = t->notifs, v0 = t->values, sent0 = s7p_sim_notifications(b->sim);
    size_t l0 = t->nlat;
    double c0 = thread_cpu_s(), p0 = process_cpu_s();
    int64_t t0 = s7p_now_ms();
    bool ok = drain(s, t, end);
    double secs = (double)(s7p_now_ms() - t0) / 1000.0, cpu = thread_cpu_s() - c0;
    double sim = process_cpu_s() - p0 - cpu;
    double notifs = (double)(t->notifs - n0), values = (double)(t->values - v0);
    double sent = (double)(s7p_sim_notifications(b->sim) - sent0);
    size_t i = r->n++;
    r->v[R_NOTIF_S][i] = secs > 0 ? notifs / secs : 0;
    r->v[R_VALUE_S][i] = secs > 0 ? values / secs : 0;
    r->v[R_CPU_NOTIF][i] = notifs > 0 ? cpu * 1e6 / notifs : 0;
    r->v[R_CPU_VALUE][i] = values > 0 ? cpu * 1e6 / values : 0;
    r->v[R_SIM_NOTIF][i] = sent > 0 ? sim * 1e6 / sent : 0;
    r->v[R_LAT_MS][i] = median_ms(t->lat_us + l0, t->nlat - l0);
    return ok;
}

/* The rows of scripts/bench-report.py's table (--json): medians of the rounds with their
 * spread; the counts over the whole run. No targets but 0 lost (the exit status checks it
 * too). */
static void report_json(const cfg *k, const tally *t, const span *sp, rounds *r)
{
    bench_json j;
    bench_json_begin(&j, k->json ? stdout : NULL, "subscribe");
    char name[160];
    bench_spread f[R_N];
    for (int i = 0; i < R_N; i++) f[i] = bench_spread_of(r->v[i], r->n);
    snprintf(name, sizeof name, "subscription %u tags x %u ms: notifications (nominal %.0f/s)",
             k->tags, k->cycle_ms, 1000.0 / k->cycle_ms);
    bench_json_row(&j, name, "1/s", f[R_NOTIF_S], NULL, NULL, NULL, -1, NULL);
    bench_json_row(&j, "subscription: values", "1/s", f[R_VALUE_S], NULL, NULL, NULL, -1, NULL);
    bench_json_row(&j, "subscription: client CPU per notification", "us", f[R_CPU_NOTIF], NULL,
                   NULL, NULL, -1, "the thread that takes the notifications and drives the client");
    bench_json_row(&j, "subscription: client CPU per value", "us", f[R_CPU_VALUE], NULL, NULL,
                   NULL, -1, NULL);
    bench_json_row(&j, "subscription: simulator CPU per notification sent", "us",
                   f[R_SIM_NOTIF], NULL, NULL, NULL, -1, "the rest of the process");
    bench_json_row(&j, "subscription: latency PLC timestamp -> delivery (median)", "ms",
                   f[R_LAT_MS], NULL, NULL, NULL, -1, NULL);
    bench_json_row(&j, "subscription: lost notifications (sequence gaps + queue drops)", "count",
                   bench_one((double)(t->lost + t->dropped)), NULL, NULL, "0", 0,
                   "over the whole run");
    bench_json_row(&j, "subscription: credit stalls (cycles skipped for want of credit)", "count",
                   bench_one((double)sp->no_credit), NULL, NULL, NULL, -1, "over the whole run");
    bench_json_row(&j, "subscription: cycles late (the simulator's thread came too late)",
                   "count", bench_one((double)sp->late), NULL, NULL, NULL, -1,
                   "a busy machine: explains notifications below the nominal rate");
    bench_json_end(&j);
}

static void report(const cfg *k, tally *t, const span *sp, rounds *r)
{
    double nominal = sp->secs * 1000.0 / k->cycle_ms;
    double p50 = 0, p99 = 0, max = 0;
    if (t->nlat) {
        qsort(t->lat_us, t->nlat, sizeof *t->lat_us, cmp_double);
        p50 = t->lat_us[t->nlat / 2];
        p99 = t->lat_us[t->nlat * 99 / 100];
        max = t->lat_us[t->nlat - 1];
    }
    double sim_cpu = sp->process_cpu - sp->client_cpu;
    FILE *out = k->json ? stderr : stdout;
    fprintf(out, "notifications: %lu in %.1f s = %.1f/s (nominal %.1f/s: %.1f %%); simulator "
            "sent %lu\n", t->notifs, sp->secs, (double)t->notifs / sp->secs,
            1000.0 / k->cycle_ms, 100.0 * (double)t->notifs / nominal, sp->sim_sent);
    fprintf(out, "skipped:       %lu cycles for want of credit (credit stalls), %lu passed by "
            "before the simulator's thread came (a busy machine)\n", sp->no_credit, sp->late);
    fprintf(out, "values:        %lu = %.0f/s, %.1f per notification; %lu notifications "
            "without a value\n", t->values, (double)t->values / sp->secs,
            t->notifs ? (double)t->values / (double)t->notifs : 0.0, t->empty);
    fprintf(out, "checks:        lost (sequence gaps) %lu, dropped (queue) %lu, item errors %lu, "
            "values gone down %lu, other events %lu\n", t->lost, t->dropped, t->item_errors,
            t->went_down, t->other_events);
    fprintf(out, "latency:       simulator timestamp to delivery: median %.2f ms, p99 %.2f ms, "
            "max %.2f ms\n", p50 / 1000, p99 / 1000, max / 1000);
    fprintf(out, "client CPU:    %.2f s (%.1f %% of one core): %.1f us per notification, %.3f "
            "us per value\n", sp->client_cpu, 100 * sp->client_cpu / sp->secs,
            t->notifs ? sp->client_cpu * 1e6 / (double)t->notifs : 0.0,
            t->values ? sp->client_cpu * 1e6 / (double)t->values : 0.0);
    fprintf(out, "simulator CPU: %.2f s (%.1f %% of one core; its threads: connection, "
            "generators, listener): %.1f us per notification sent\n", sim_cpu,
            100 * sim_cpu / sp->secs, sp->sim_sent ? sim_cpu * 1e6 / (double)sp->sim_sent : 0.0);
    bench_spread n = bench_spread_of(r->v[R_NOTIF_S], r->n);
    bench_spread c = bench_spread_of(r->v[R_CPU_NOTIF], r->n);
    fprintf(out, "rounds:        %zu: notifications %.1f/s (%.1f-%.1f), client CPU %.1f us per "
            "notification (%.1f-%.1f)\n", r->n, n.med, n.min, n.max, c.med, c.min, c.max);
    report_json(k, t, sp, r);
}

/* Until the first notification (it carries every value; the clock starts after it). */
static bool await_first(s7p_subscription *s, tally *t)
{
    int64_t first_by = s7p_deadline_in(10000);
    bool ok = true;
    while (ok && t->notifs == 0 && s7p_now_ms() < first_by)
        ok = drain(s, t, s7p_deadline_in(10));
    ok = ok && t->notifs > 0;
    memset(t, 0, offsetof(tally, last));
    t->nlat = 0;
    return ok;
}

/* k->seconds in k->rounds rounds of equal length. */
static bool measure(bench *b, const cfg *k, s7p_subscription *s, tally *t, rounds *r)
{
    unsigned long sent0 = s7p_sim_notifications(b->sim), nc0, late0, nc1, late1;
    s7p_sim_subs_skipped(b->sim, &nc0, &late0);
    double c0 = thread_cpu_s(), p0 = process_cpu_s();
    int64_t t0 = s7p_now_ms(), total = (int64_t)k->seconds * 1000;
    bool ok = true;
    for (unsigned i = 1; ok && i <= k->rounds; i++)
        ok = run_round(b, s, t, t0 + total * i / k->rounds, r);
    s7p_sim_subs_skipped(b->sim, &nc1, &late1);
    span sp = {(double)(s7p_now_ms() - t0) / 1000.0, thread_cpu_s() - c0, process_cpu_s() - p0,
               s7p_sim_notifications(b->sim) - sent0, nc1 - nc0, late1 - late0};
    report(k, t, &sp, r);
    return ok;
}

static int run(bench *b, const cfg *k)
{
    s7p_subscription_options so;
    s7p_subscription_options_init(&so);
    so.cycle_ms = k->cycle_ms;
    so.credit_limit = (int16_t)k->credit_limit;
    so.queue_size = 65536;  /* a slow turn of this thread must not drop anything */
    s7p_subscription *s = NULL;
    s7p_error e;
    tally t = {.last = calloc(k->tags, sizeof(int64_t))};
    rounds *r = calloc(1, sizeof *r);
    if (!t.last || !r) {
        free(t.last);
        free(r);
        return 1;
    }
    bool ok = s7p_subscribe(b->c, b->tags, b->ntags, &so, NULL, NULL, &s, &e) == S7P_OK;
    if (!ok) fprintf(stderr, "bench_subscribe: subscribe: %s\n", e.message);
    ok = ok && await_first(s, &t);
    ok = ok && measure(b, k, s, &t, r);
    if (s && s7p_unsubscribe(s, &e) != S7P_OK) {
        fprintf(stderr, "bench_subscribe: unsubscribe: %s\n", e.message);
        ok = false;
    }
    if (s7p_sim_subscriptions(b->sim) != 0) {
        fprintf(stderr, "bench_subscribe: the simulator still holds a subscription\n");
        ok = false;
    }
    ok = ok && t.notifs > 0 && !t.lost && !t.dropped && !t.item_errors && !t.went_down &&
         !t.other_events;
    free(t.last);
    free(t.lat_us);
    free(r);
    return ok ? 0 : 1;
}

static int parse_args(int argc, char **argv, cfg *k)
{
    for (int a = 1; a < argc; a++) {
        bool more = a + 1 < argc;
        if (strcmp(argv[a], "--smoke") == 0) {
            k->tags = 100;
            k->seconds = 2;
        } else if (strcmp(argv[a], "--json") == 0) {
            k->json = true;
        } else if (strcmp(argv[a], "--seconds") == 0 && more) {
            k->seconds = (unsigned)strtoul(argv[++a], NULL, 10);
        } else if (strcmp(argv[a], "--rounds") == 0 && more) {
            k->rounds = (unsigned)strtoul(argv[++a], NULL, 10);
        } else if (strcmp(argv[a], "--tags") == 0 && more) {
            k->tags = (unsigned)strtoul(argv[++a], NULL, 10);
        } else if (strcmp(argv[a], "--cycle") == 0 && more) {
            k->cycle_ms = (unsigned)strtoul(argv[++a], NULL, 10);
        } else if (strcmp(argv[a], "--credit") == 0 && more) {
            k->credit_limit = (int)strtol(argv[++a], NULL, 10);
        } else {
            return 2;
        }
    }
    bool credit_ok = k->credit_limit == -1 || (k->credit_limit >= 1 && k->credit_limit <= 255);
    bool rounds_ok = k->rounds && k->rounds <= ROUNDS_MAX;
    return k->tags && k->tags <= TAGS_MAX && k->cycle_ms && k->seconds && rounds_ok && credit_ok
               ? 0
               : 2;
}

int main(int argc, char **argv)
{
    cfg k = {1000, 10, 10, 5, 10, false};
    if (parse_args(argc, argv, &k) != 0) {
        fprintf(stderr, "usage: bench_subscribe [--smoke] [--json] [--seconds S] [--rounds R "
                        "(1..%u)] [--tags N (1..%u)] [--cycle MS] [--credit LIMIT (1..255, -1)]\n",
                ROUNDS_MAX, TAGS_MAX);
        return 2;
    }
    fprintf(k.json ? stderr : stdout, "bench_subscribe: %u DInt tags changing every cycle, "
            "cycle %u ms, credit limit %d, %u s in %u rounds, in-process simulator, pull form "
            "on one thread\n", k.tags, k.cycle_ms, k.credit_limit, k.seconds, k.rounds);
    char prog[256];
    bench b = {0};
    int rc = bench_gen_scalars(prog, sizeof prog, k.tags, "DInt") != 0 ? 1 : 0;
    if (!rc) rc = start_sim(&b, prog, &k);
    if (!rc) rc = connect_and_browse(&b, &k);
    if (!rc) rc = run(&b, &k);
    if (b.c) s7p_disconnect(b.c, NULL);
    s7p_client_free(b.c);
    if (b.sim) s7p_sim_stop(b.sim);
    bench_gen_remove(prog);
    free(b.tags);
    return rc;
}

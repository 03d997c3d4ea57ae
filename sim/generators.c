/* SPDX-License-Identifier: MIT */
/* Value generators: variables of the program whose values change by themselves (a counter,
 * a sine, a toggling bit, a random walk), written into the program's data like a client's
 * write, so reads and subscriptions see them alike. One thread serves every generator; it
 * starts with the first one and sleeps until the next one is due.
 *
 * Spec: KIND[:PERIOD_MS[:P1[:P2[:P3]]]] (docs/simulator.md, "Value generators"). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gen_spec.h"
#include "plc_data.h"
#include "sim_int.h"
#include "util/clock.h"

/* A program's worth of changing values (a benchmark subscribes 1 000 of them); the store
 * grows as they are added. */
#define GEN_MAX 65536u
#define GEN_SYMBOL_MAX 256u
#define GEN_PI 3.14159265358979323846

typedef struct gen {
    char symbol[GEN_SYMBOL_MAX];
    sim_gen_kind kind;
    uint32_t period_ms;
    double p[3];                  /* counter: step; sine: amplitude, offset, steps;
                                     random: step */
    double x;                     /* the value last written (counter, random, toggle) */
    uint64_t n;                   /* updates so far */
    uint64_t rng;                 /* xorshift state (random) */
    s7p_type type;
    int64_t next_due;             /* monotonic ms */
} gen;

struct sim_generators {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    bool started, stop;
    gen *v;
    size_t n, cap;
};

/* ---- spec parsing ---- */

/* KIND[:PERIOD_MS[:P1[:P2[:P3]]]] into g (gen_spec.c). */
static bool parse_spec(const char *spec, gen *g, char *err, size_t err_len)
{
    sim_gen_spec p;
    if (!sim_gen_spec_parse(spec, &p, err, err_len)) return false;
    g->kind = p.kind;
    g->period_ms = p.period_ms;
    memcpy(g->p, p.p, sizeof g->p);
    return true;
}

/* ---- values ---- */

static uint64_t next_random(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static bool is_float(s7p_type t) { return t == S7P_T_REAL || t == S7P_T_LREAL; }

static bool is_bits(s7p_type t)
{
    return t == S7P_T_BYTE || t == S7P_T_WORD || t == S7P_T_DWORD || t == S7P_T_LWORD;
}

/* The literal of x for the variable's type (integers rounded). */
static void literal(s7p_type t, double x, char *out, size_t len)
{
    if (t == S7P_T_BOOL || t == S7P_T_BBOOL) snprintf(out, len, "%s", x != 0 ? "TRUE" : "FALSE");
    else if (is_float(t)) snprintf(out, len, "%.9g", x);
    else if (is_bits(t)) snprintf(out, len, "16#%llX", (unsigned long long)llround(fabs(x)));
    else snprintf(out, len, "%lld", (long long)llround(x));
}

/* The next value of g (the first update gives the first value after the start value). */
static double next_value(gen *g)
{
    double step;
    switch (g->kind) {
    case SIM_GEN_COUNTER: return g->x + g->p[0];
    case SIM_GEN_TOGGLE: return g->x != 0 ? 0 : 1;
    case SIM_GEN_SINE:
        return g->p[1] + g->p[0] * sin(2.0 * GEN_PI * (double)(g->n + 1) / g->p[2]);
    case SIM_GEN_RANDOM:
    default:
        step = g->p[0] * ((double)(next_random(&g->rng) >> 11) / 9007199254740992.0 * 2 - 1);
        /* Integers move by at least one, so every update changes the value. */
        if (!is_float(g->type) && fabs(step) < 1) step = step < 0 ? -1 : 1;
        return g->x + step;
    }
}

/* One update. A value that does not fit the type starts the counter again from 0 and turns
 * the random walk back. */
static void update(s7p_sim *s, gen *g)
{
    char lit[64], err[160];
    double x = next_value(g);
    literal(g->type, x, lit, sizeof lit);
    bool ok = sim_plc_set_symbol(s->plc, g->symbol, lit, err, sizeof err);
    if (!ok && (g->kind == SIM_GEN_COUNTER || g->kind == SIM_GEN_RANDOM)) {
        x = g->kind == SIM_GEN_COUNTER ? 0 : g->x - (x - g->x);
        literal(g->type, x, lit, sizeof lit);
        ok = sim_plc_set_symbol(s->plc, g->symbol, lit, err, sizeof err);
    }
    if (ok) g->x = x;
    else sim_log(s, 2, "generator %s: %s", g->symbol, err);
    g->n++;
}

/* A counter or random walk goes on from the variable's value (when it reads as a plain
 * number; bit strings and Bools start from 0). */
static void start_value(s7p_sim *s, gen *g)
{
    char text[128];
    double v;
    g->x = 0;
    if (is_bits(g->type) || !sim_plc_get_symbol(s->plc, g->symbol, text, sizeof text)) return;
    if (sim_gen_parse_number(text, &v)) g->x = v;
}

/* ---- the thread ---- */

static void *gen_main(void *arg)
{
    s7p_sim *s = arg;
    struct sim_generators *G = s->gens;
    sim_block_signals();
    pthread_mutex_lock(&G->mu);
    while (!G->stop) {
        int64_t now = s7p_now_ms(), due = now + 1000;
        for (size_t i = 0; i < G->n; i++) {
            gen *g = &G->v[i];
            if (g->next_due <= now) {
                update(s, g);
                g->next_due += g->period_ms;
                if (g->next_due <= now) g->next_due = now + g->period_ms;
            }
            if (g->next_due < due) due = g->next_due;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t wait = due - s7p_now_ms();
        if (wait <= 0) continue;
        ts.tv_sec += (time_t)(wait / 1000);
        ts.tv_nsec += (long)(wait % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&G->cv, &G->mu, &ts);
    }
    pthread_mutex_unlock(&G->mu);
    return NULL;
}

/* The generator store, created (and its thread started) on first use; NULL when that
 * fails. Called with s->mu held. */
static struct sim_generators *store(s7p_sim *s)
{
    if (s->gens) return s->gens;
    struct sim_generators *G = calloc(1, sizeof *G);
    if (!G) return NULL;
    pthread_mutex_init(&G->mu, NULL);
    pthread_cond_init(&G->cv, NULL);
    s->gens = G;
    if (pthread_create(&G->th, NULL, gen_main, s) != 0) {
        s->gens = NULL;
        pthread_mutex_destroy(&G->mu);
        pthread_cond_destroy(&G->cv);
        free(G);
        return NULL;
    }
    G->started = true;
    return G;
}

static bool remove_gen(struct sim_generators *G, const char *symbol)
{
    for (size_t i = 0; i < G->n; i++) {
        if (strcmp(G->v[i].symbol, symbol) != 0) continue;
        G->v[i] = G->v[--G->n];
        return true;
    }
    return false;
}

/* Room for one more generator; false when out of memory. Called with G->mu held. */
static bool grow(struct sim_generators *G)
{
    if (G->n < G->cap) return true;
    size_t cap = G->cap ? G->cap * 2 : 16;
    gen *v = realloc(G->v, cap * sizeof *v);
    if (!v) return false;
    G->v = v;
    G->cap = cap;
    return true;
}

static bool add_gen(s7p_sim *s, gen *g, char *err, size_t err_len)
{
    pthread_mutex_lock(&s->mu);
    struct sim_generators *G = store(s);
    pthread_mutex_unlock(&s->mu);
    if (!G) {
        snprintf(err, err_len, "cannot start the generator thread");
        return false;
    }
    pthread_mutex_lock(&G->mu);
    remove_gen(G, g->symbol);
    bool ok = G->n < GEN_MAX && grow(G);
    if (ok) {
        g->rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)G->n;
        g->next_due = s7p_now_ms() + g->period_ms;
        G->v[G->n++] = *g;
        pthread_cond_signal(&G->cv);
    }
    pthread_mutex_unlock(&G->mu);
    if (!ok) snprintf(err, err_len, "at most %u generators (or out of memory)", GEN_MAX);
    return ok;
}

bool s7p_sim_generate(s7p_sim *s, const char *symbol, const char *spec, char *err,
                      size_t err_len)
{
    gen g;
    memset(&g, 0, sizeof g);
    if (!s->plc) {
        snprintf(err, err_len, "no program loaded");
        return false;
    }
    if (!symbol || !*symbol || strlen(symbol) >= GEN_SYMBOL_MAX) {
        snprintf(err, err_len, "a symbol of 1..%u characters", GEN_SYMBOL_MAX - 1);
        return false;
    }
    if (spec && strcasecmp(spec, "off") == 0) {
        bool found = false;
        if (s->gens) {
            pthread_mutex_lock(&s->gens->mu);
            found = remove_gen(s->gens, symbol);
            pthread_mutex_unlock(&s->gens->mu);
        }
        if (!found) snprintf(err, err_len, "no generator on %s", symbol);
        return found;
    }
    if (!parse_spec(spec ? spec : "", &g, err, err_len)) return false;
    if (!sim_plc_symbol_type(s->plc, symbol, &g.type, err, err_len)) return false;
    if (g.kind != SIM_GEN_TOGGLE && (g.type == S7P_T_BOOL || g.type == S7P_T_BBOOL)) {
        snprintf(err, err_len, "%s is a Bool: only toggle fits", symbol);
        return false;
    }
    snprintf(g.symbol, sizeof g.symbol, "%s", symbol);
    start_value(s, &g);
    if (!add_gen(s, &g, err, err_len)) return false;
    sim_log(s, 1, "generator on %s: %s every %u ms", symbol, sim_gen_kind_name(g.kind),
            (unsigned)g.period_ms);
    return true;
}

bool s7p_sim_generate_arg(s7p_sim *s, const char *arg, char *err, size_t err_len)
{
    const char *eq = arg ? strrchr(arg, '=') : NULL;
    if (!eq || eq == arg || (size_t)(eq - arg) >= GEN_SYMBOL_MAX) {
        snprintf(err, err_len, "generator \"%s\": expected SYMBOL=KIND[:PERIOD_MS[:...]]",
                 arg ? arg : "");
        return false;
    }
    char symbol[GEN_SYMBOL_MAX];
    memcpy(symbol, arg, (size_t)(eq - arg));
    symbol[eq - arg] = '\0';
    return s7p_sim_generate(s, symbol, eq + 1, err, err_len);
}

size_t s7p_sim_generator_count(const s7p_sim *s)
{
    s7p_sim *m = (s7p_sim *)s;
    pthread_mutex_lock(&m->mu);
    struct sim_generators *G = m->gens;
    pthread_mutex_unlock(&m->mu);
    if (!G) return 0;
    pthread_mutex_lock(&G->mu);
    size_t n = G->n;
    pthread_mutex_unlock(&G->mu);
    return n;
}

void sim_generators_stop(s7p_sim *s)
{
    struct sim_generators *G = s->gens;
    if (!G) return;
    pthread_mutex_lock(&G->mu);
    G->stop = true;
    pthread_cond_signal(&G->cv);
    pthread_mutex_unlock(&G->mu);
    if (G->started) pthread_join(G->th, NULL);
    pthread_mutex_destroy(&G->mu);
    pthread_cond_destroy(&G->cv);
    free(G->v);
    free(G);
    s->gens = NULL;
}

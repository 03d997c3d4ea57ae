/* SPDX-License-Identifier: MIT */
/* Codec benchmark: decode and encode speed of a GetMultiVariables response.
 *
 *   bench_codec [--items N] [--seconds S] [--smoke] [--json]
 *
 * Builds a response with N items (default 10 000) of mixed types through the pdu.h
 * structures and s7p_pdu_encode: Bool, Int, DInt, Real, LReal, UDInt, WString of 20
 * characters, and a USInt array of 256 (a STRING's byte image), in turn. Times decoding it
 * (fresh arena per message, as a client does), encoding it, and a memcpy of the same bytes,
 * each for about S seconds (default 1), then does the same for a 20-item response (a typical
 * request). The "ratio" column is decode time over memcpy time for the same bytes, which
 * compares across machines better than absolute figures. Last, the client's own work on a
 * batch answer of N scalar tags: decode plus conversion of every value into s7p_tag_value.
 *
 * --smoke: small sizes and a few milliseconds each, for ctest; only correctness is checked
 * (decode succeeds, every item comes back with its type, re-encoding gives the same bytes).
 * Exit status: 0 on success, 1 on a codec failure, 2 on bad arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_report.h"
#include "proto/pdu.h"
#include "values/convert.h"

typedef struct {
    uint8_t *pdu;          /* encoded data part */
    size_t len;
    uint32_t items;
    uint8_t *scratch;      /* encode / memcpy destination, len bytes */
    s7p_pdu *decoded;      /* kept for the encode loop */
    s7p_arena decoded_arena;
} bench_case;

static const uint8_t wstring20[] = "Motor 17 temperature";  /* 20 characters */
static uint8_t s7string[256];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Fills one item value: the type cycles through the eight kinds above. */
static void fill_value(s7p_value *v, uint32_t i)
{
    memset(v, 0, sizeof *v);
    switch (i % 8u) {
    case 0: v->type = S7P_DT_BOOL; v->v.u = i & 1u; break;
    case 1: v->type = S7P_DT_INT; v->v.i = (int16_t)(i * 37u) - 16000; break;
    case 2: v->type = S7P_DT_DINT; v->v.i = -(int64_t)i * 1000003; break;
    case 3: v->type = S7P_DT_REAL; v->v.r = (float)i * 0.5f; break;
    case 4: v->type = S7P_DT_LREAL; v->v.lr = (double)i * 0.25; break;
    case 5: v->type = S7P_DT_UDINT; v->v.u = (uint64_t)i * 100003u; break;
    case 6:
        v->type = S7P_DT_WSTRING;
        v->v.s.p = wstring20;
        v->v.s.n = sizeof wstring20 - 1;
        break;
    default:
        v->flags = S7P_VF_ARRAY;
        v->type = S7P_DT_USINT;
        v->count = sizeof s7string;
        v->v.s.p = s7string;
        v->v.s.n = sizeof s7string;
        break;
    }
}

static uint8_t expected_type(uint32_t i)
{
    static const uint8_t t[8] = {S7P_DT_BOOL, S7P_DT_INT, S7P_DT_DINT, S7P_DT_REAL,
                                 S7P_DT_LREAL, S7P_DT_UDINT, S7P_DT_WSTRING, S7P_DT_USINT};
    return t[i % 8u];
}

static int build_case(bench_case *c, uint32_t items)
{
    memset(c, 0, sizeof *c);
    c->items = items;
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_pdu *req = calloc(2, sizeof *req);
    if (!req) return -1;
    s7p_pdu *resp = &req[1];
    s7p_pdu_init_request(req, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, 0x0123, 0x70000123u,
                         S7P_TF_REQUEST);
    s7p_pdu_init_response(resp, req, 0);
    resp->has_iid = true;
    resp->iid = 0x2A5u;
    for (uint32_t i = 1; i <= items; i++) {
        s7p_value *v = s7p_idlist_add(&resp->resp.get_multi.values, &a, i);
        if (!v) {
            fprintf(stderr, "bench_codec: out of memory building %u items\n", items);
            return -1;
        }
        fill_value(v, i);
    }
    s7p_wr cw = s7p_wr_counter();
    if (!s7p_pdu_encode(&cw, resp)) {
        fprintf(stderr, "bench_codec: encoding failed: %s\n", s7p_strerror(cw.err));
        return -1;
    }
    c->len = cw.len;
    c->pdu = malloc(c->len);
    c->scratch = malloc(c->len);
    c->decoded = calloc(1, sizeof *c->decoded);
    if (!c->pdu || !c->scratch || !c->decoded) return -1;
    s7p_wr w = s7p_wr_init(c->pdu, c->len);
    if (!s7p_pdu_encode(&w, resp) || w.len != c->len) {
        fprintf(stderr, "bench_codec: encoding failed: %s\n", s7p_strerror(w.err));
        return -1;
    }
    s7p_arena_release(&a);
    free(req);

    /* Check: it decodes, every item is there with its type, and it re-encodes identically. */
    s7p_arena_init(&c->decoded_arena, S7P_ARENA_DEFAULT_LIMIT);
    s7p_status st = s7p_pdu_decode(c->pdu, c->len, S7P_PROTO_V2, &c->decoded_arena, c->decoded);
    if (st != S7P_OK) {
        fprintf(stderr, "bench_codec: decoding failed: %s\n", s7p_strerror(st));
        return -1;
    }
    const s7p_idlist *vals = &c->decoded->resp.get_multi.values;
    uint32_t i = 1;
    for (const s7p_member *m = vals->first; m; m = m->next, i++) {
        if (m->id != i || m->value.type != expected_type(i)) {
            fprintf(stderr, "bench_codec: item %u decoded wrong (id %u type 0x%02x)\n", i, m->id,
                    m->value.type);
            return -1;
        }
    }
    if (vals->n != items || i != items + 1) {
        fprintf(stderr, "bench_codec: %u of %u items decoded\n", vals->n, items);
        return -1;
    }
    w = s7p_wr_init(c->scratch, c->len);
    if (!s7p_pdu_encode(&w, c->decoded) || w.len != c->len || memcmp(c->scratch, c->pdu, c->len)) {
        fprintf(stderr, "bench_codec: re-encoding differs\n");
        return -1;
    }
    return 0;
}

static void free_case(bench_case *c)
{
    s7p_arena_release(&c->decoded_arena);
    free(c->decoded);
    free(c->pdu);
    free(c->scratch);
}

/* ---- timed operations (each returns 0, or -1 on a codec failure) --------------------- */

static s7p_pdu g_pdu;

static int op_decode(bench_case *c)
{
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_status st = s7p_pdu_decode(c->pdu, c->len, S7P_PROTO_V2, &a, &g_pdu);
    s7p_arena_release(&a);
    return st == S7P_OK ? 0 : -1;
}

static int op_encode(bench_case *c)
{
    s7p_wr w = s7p_wr_init(c->scratch, c->len);
    return s7p_pdu_encode(&w, c->decoded) ? 0 : -1;
}

/* Called through a volatile pointer so the copy is not optimised away. */
static void *(*volatile memcpy_fn)(void *, const void *, size_t) = memcpy;
static volatile uint8_t g_sink;

static int op_memcpy(bench_case *c)
{
    memcpy_fn(c->scratch, c->pdu, c->len);
    g_sink = c->scratch[c->len / 2];
    return 0;
}

/* Nanoseconds per call of op, measured over about `seconds` (after a calibration). */
static double time_op(int (*op)(bench_case *), bench_case *c, double seconds, int *failed)
{
    uint64_t iters = 1;
    double t0, dt;
    for (;;) {  /* calibrate: double until a tenth of the budget is used */
        t0 = now_s();
        for (uint64_t k = 0; k < iters; k++)
            if (op(c)) *failed = 1;
        dt = now_s() - t0;
        if (dt >= seconds / 10 || iters >= ((uint64_t)1 << 40)) break;
        iters *= 2;
    }
    double per = dt / (double)iters;
    uint64_t n = per > 0 ? (uint64_t)(seconds / per) : iters;
    if (n < 1) n = 1;
    t0 = now_s();
    for (uint64_t k = 0; k < n; k++)
        if (op(c)) *failed = 1;
    dt = now_s() - t0;
    return dt * 1e9 / (double)n;
}

/* ---- decode + convert of scalar tags: the client's own work per tag of a batch ---------- */

typedef struct scalar_case {
    bench_case c;
    s7p_tag *tags;
    s7p_tag_value *out;
} scalar_case;

static scalar_case g_scalar;

/* The six scalar kinds in turn (Bool, Int, DInt, Real, LReal, UDInt) and their tags. */
static int build_scalars(scalar_case *s, uint32_t items)
{
    static const s7p_type types[6] = {S7P_T_BOOL, S7P_T_INT, S7P_T_DINT,
                                      S7P_T_REAL, S7P_T_LREAL, S7P_T_UDINT};
    static const uint32_t kind[6] = {0, 1, 2, 3, 4, 5};  /* fill_value's cases */
    memset(s, 0, sizeof *s);
    s->tags = calloc(items, sizeof *s->tags);
    s->out = calloc(items, sizeof *s->out);
    if (!s->tags || !s->out) return -1;
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_pdu req, resp;
    s7p_pdu_init_request(&req, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, 1, 0x70000123u,
                         S7P_TF_REQUEST);
    s7p_pdu_init_response(&resp, &req, 0);
    resp.has_iid = true;
    resp.iid = 0x2A5u;
    for (uint32_t i = 1; i <= items; i++) {
        s7p_value *v = s7p_idlist_add(&resp.resp.get_multi.values, &a, i);
        if (!v) return -1;
        fill_value(v, kind[i % 6] + 8 * i);  /* keeps the kind, varies the value */
        s->tags[i - 1].type = types[i % 6];
    }
    s7p_wr cw = s7p_wr_counter();
    s7p_pdu_encode(&cw, &resp);
    s->c.len = cw.len;
    s->c.pdu = malloc(cw.len);
    if (!s->c.pdu) return -1;
    s7p_wr w = s7p_wr_init(s->c.pdu, s->c.len);
    int rc = s7p_pdu_encode(&w, &resp) && w.len == s->c.len ? 0 : -1;
    s7p_arena_release(&a);
    s->c.items = items;
    return rc;
}

/* What the client does with a batch answer: decode it (fresh arena) and convert every
 * value into the caller's s7p_tag_value. */
static int op_decode_convert(bench_case *c)
{
    scalar_case *s = &g_scalar;
    s7p_arena a;
    char why[96];
    int rc = 0;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    if (s7p_pdu_decode(c->pdu, c->len, S7P_PROTO_V2, &a, &g_pdu) != S7P_OK) rc = -1;
    uint32_t i = 0;
    for (const s7p_member *m = g_pdu.resp.get_multi.values.first; m && rc == 0; m = m->next, i++)
        if (m->id != i + 1 || s7p_convert_read(&s->tags[i], &m->value, &s->out[i], why,
                                               sizeof why) != S7P_OK)
            rc = -1;
    s7p_arena_release(&a);
    return rc == 0 && i == c->items ? 0 : -1;
}

/* ns per tag of decode + convert: the median and spread of 5 measurements. */
static int run_scalars(uint32_t items, double seconds, bench_spread *out)
{
    if (build_scalars(&g_scalar, items) != 0) return -1;
    double v[5];
    int failed = 0;
    for (int r = 0; r < 5; r++) v[r] = time_op(op_decode_convert, &g_scalar.c, seconds, &failed) / items;
    *out = bench_spread_of(v, 5);
    free(g_scalar.c.pdu);
    free(g_scalar.tags);
    free(g_scalar.out);
    return failed ? -1 : 0;
}

static int run_case(uint32_t items, double seconds, bench_json *j)
{
    bench_case c;
    if (build_case(&c, items) != 0) return -1;
    int failed = 0;
    double dec = time_op(op_decode, &c, seconds, &failed);
    double enc = time_op(op_encode, &c, seconds, &failed);
    double cpy = time_op(op_memcpy, &c, seconds, &failed);
    if (failed) {
        fprintf(stderr, "bench_codec: a timed decode or encode failed\n");
        free_case(&c);
        return -1;
    }
    double len = (double)c.len, n = (double)items;
    char name[64];
    snprintf(name, sizeof name, "codec: decode of %u mixed values", items);
    bench_json_row(j, name, "ns/value", bench_one(dec / n), NULL, NULL, NULL, -1,
                   "Bool ... WString[20], USInt[256] in turn");
    if (!j->f) printf("%7u %10zu %12.1f %12.2f %9.1f %12.3f %7.1f %12.1f\n", items, c.len,
           len / dec * 1e3,        /* bytes per ns -> MB/s */
           n / dec * 1e3,          /* values per ns -> millions of values per second */
           dec / n, cpy / n, dec / cpy,
           len / enc * 1e3);
    free_case(&c);
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t items = 10000;
    double seconds = 1.0;
    bool smoke = false, json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) {
            smoke = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--items") == 0 && i + 1 < argc) {
            long v = strtol(argv[++i], NULL, 10);
            if (v < 1 || v > 1000000) {
                fprintf(stderr, "bench_codec: --items must be 1..1000000\n");
                return 2;
            }
            items = (uint32_t)v;
        } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = strtod(argv[++i], NULL);
            if (!(seconds > 0 && seconds <= 600)) {
                fprintf(stderr, "bench_codec: --seconds must be in (0, 600]\n");
                return 2;
            }
        } else {
            fprintf(stderr, "usage: %s [--items N] [--seconds S] [--smoke]\n", argv[0]);
            return 2;
        }
    }
    if (smoke) {
        items = items < 200 ? items : 200;
        seconds = 0.005;
    }
    bench_json j;
    bench_json_begin(&j, json ? stdout : NULL, "codec");
    /* A STRING[254] image: max length, actual length, characters, zero padding. */
    s7string[0] = 254;
    s7string[1] = 40;
    for (int i = 0; i < 40; i++) s7string[2 + i] = (uint8_t)('A' + i % 26);

    if (!json)
    printf("bench_codec: GetMultiVariables response (V2), items cycle through Bool, Int, DInt,\n"
           "Real, LReal, UDInt, WString[20], USInt[256] (a STRING); %.3g s per measurement%s\n"
           "ratio = decode time / memcpy time of the same bytes\n\n",
           seconds, smoke ? " (smoke run: figures are meaningless)" : "");
    if (!json)
    printf("%7s %10s %12s %12s %9s %12s %7s %12s\n", "items", "PDU bytes", "decode MB/s",
           "Mvalues/s", "ns/value", "memcpy ns/v", "ratio", "encode MB/s");
    if (run_case(items, seconds, &j) != 0) return 1;
    if (run_case(20, seconds, &j) != 0) return 1;
    bench_spread dc;
    if (run_scalars(items, seconds / 5, &dc) != 0) {
        fprintf(stderr, "bench_codec: decode + convert failed\n");
        return 1;
    }
    char name[80];
    snprintf(name, sizeof name, "batch answer: decode + convert per scalar tag (%u tags)", items);
    bench_json_row(&j, name, "us", (bench_spread){dc.med / 1e3, dc.min / 1e3, dc.max / 1e3, dc.n},
                   NULL, NULL, "<= 0.5 us", 0.5, "one GetMultiVariables answer, fresh arena");
    bench_json_end(&j);
    if (!json)
        printf("\ndecode + convert of %u scalar tags (Bool, Int, DInt, Real, LReal, UDInt): "
               "%.1f ns per tag (min-max %.1f-%.1f)\n", items, dc.med, dc.min, dc.max);
    return 0;
}

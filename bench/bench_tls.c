/* SPDX-License-Identifier: MIT */
#include "bench_tls.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/tcp.h"
#include "tls/tls.h"
#include "util/clock.h"

#define MAX_MSG (1u << 20)

typedef struct sock_io {
    int fd;
    uint8_t buf[17 * 1024];
} sock_io;

static s7p_status io_send(void *ctx, const uint8_t *p, size_t n, int64_t deadline)
{
    int e;
    return s7p_tcp_write_all(((sock_io *)ctx)->fd, p, n, deadline, &e);
}

static s7p_status io_recv(void *ctx, const uint8_t **p, size_t *n, int64_t deadline)
{
    sock_io *s = ctx;
    int e;
    s7p_status st = s7p_tcp_read_some(s->fd, s->buf, sizeof s->buf, n, deadline, &e);
    *p = s->buf;
    return st;
}

struct bench_tls_server {
    int lfd;
    uint16_t port;
    s7p_tls_ctx *ctx;
    pthread_t thread;
    volatile int stop;
};

struct bench_tls_client {
    sock_io io;
    s7p_tls_ctx *ctx;
    s7p_tls *tls;
    uint8_t *buf;
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads exactly n bytes (records may hold less than asked). */
static int read_exact(s7p_tls *t, uint8_t *p, size_t n)
{
    size_t have = 0, got;
    while (have < n) {
        if (s7p_tls_read(t, p + have, n - have, &got, s7p_deadline_in(10000)) != S7P_OK) return -1;
        have += got;
    }
    return 0;
}

/* Writes n bytes in records of at most 16 KiB. */
static int write_all(s7p_tls *t, const uint8_t *p, size_t n)
{
    for (size_t off = 0; off < n;) {
        size_t k = n - off > 16384 ? 16384 : n - off;
        if (s7p_tls_write(t, p + off, k, s7p_deadline_in(10000)) != S7P_OK) return -1;
        off += k;
    }
    return 0;
}

static void serve(bench_tls_server *s, int fd, uint8_t *buf)
{
    sock_io io = {.fd = fd};
    s7p_tls_io tio = {&io, io_send, io_recv};
    s7p_tls *t = s7p_tls_new(s->ctx, &tio);
    if (t && s7p_tls_handshake(t, s7p_deadline_in(10000)) == S7P_OK) {
        while (read_exact(t, buf, 8) == 0) {
            uint32_t req = be32(buf), resp = be32(buf + 4);
            if (req < 8 || req > MAX_MSG || resp > MAX_MSG) break;
            if (read_exact(t, buf + 8, req - 8) != 0 || write_all(t, buf, resp) != 0) break;
        }
    }
    s7p_tls_free(t);
    s7p_tcp_close(fd);
}

static void *server_main(void *arg)
{
    bench_tls_server *s = arg;
    uint8_t *buf = malloc(MAX_MSG);
    while (buf && !s->stop) {
        int fd, e;
        if (s7p_tcp_accept(s->lfd, s7p_deadline_in(200), &fd, &e) == S7P_OK) serve(s, fd, buf);
    }
    free(buf);
    return NULL;
}

bench_tls_server *bench_tls_server_start(void)
{
    char err[160];
    int e;
    s7p_tls_config cfg = {.server = true};
    bench_tls_server *s = calloc(1, sizeof *s);
    if (!s || !(s->ctx = s7p_tls_ctx_new(&cfg, err, sizeof err)) ||
        s7p_tcp_listen("127.0.0.1", 0, 16, &s->lfd, &s->port, &e) != S7P_OK ||
        pthread_create(&s->thread, NULL, server_main, s) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

uint16_t bench_tls_server_port(const bench_tls_server *s) { return s->port; }

void bench_tls_server_stop(bench_tls_server *s)
{
    s->stop = 1;
    pthread_join(s->thread, NULL);
    s7p_tcp_close(s->lfd);
    s7p_tls_ctx_free(s->ctx);
    free(s);
}

bench_tls_client *bench_tls_client_new(void)
{
    char err[160];
    s7p_tls_config cfg = {.server = false};
    bench_tls_client *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->io.fd = -1;
    if (!(c->buf = malloc(MAX_MSG)) || !(c->ctx = s7p_tls_ctx_new(&cfg, err, sizeof err))) {
        bench_tls_close(c);
        return NULL;
    }
    return c;
}

int bench_tls_client_connect(bench_tls_client *c, uint16_t port)
{
    int e;
    if (s7p_tcp_connect("127.0.0.1", port, s7p_deadline_in(5000), &c->io.fd, &e) != S7P_OK) return -1;
    s7p_tls_io tio = {&c->io, io_send, io_recv};
    c->tls = s7p_tls_new(c->ctx, &tio);
    return c->tls && s7p_tls_handshake(c->tls, s7p_deadline_in(5000)) == S7P_OK ? 0 : -1;
}

void bench_tls_client_disconnect(bench_tls_client *c)
{
    if (c->tls) s7p_tls_shutdown(c->tls, s7p_deadline_in(1000));
    s7p_tls_free(c->tls);
    c->tls = NULL;
    if (c->io.fd >= 0) s7p_tcp_close(c->io.fd);
    c->io.fd = -1;
}

bench_tls_client *bench_tls_connect(uint16_t port)
{
    bench_tls_client *c = bench_tls_client_new();
    if (c && bench_tls_client_connect(c, port) != 0) {
        bench_tls_close(c);
        return NULL;
    }
    return c;
}

/* Sends one request naming the size of its answer. */
static int send_request(bench_tls_client *c, size_t req_len, size_t resp_len)
{
    if (req_len < 8 || req_len > MAX_MSG || resp_len > MAX_MSG) return -1;
    memset(c->buf, 0, req_len);
    for (int i = 0; i < 4; i++) {
        c->buf[i] = (uint8_t)(req_len >> (24 - 8 * i));
        c->buf[4 + i] = (uint8_t)(resp_len >> (24 - 8 * i));
    }
    return write_all(c->tls, c->buf, req_len);
}

int bench_tls_roundtrip(bench_tls_client *c, size_t req_len, size_t resp_len)
{
    if (send_request(c, req_len, resp_len) != 0) return -1;
    return read_exact(c->tls, c->buf, resp_len);
}

int bench_tls_pipeline(bench_tls_client *c, const size_t *req, const size_t *resp, size_t n,
                       unsigned depth)
{
    size_t sent = 0, ahead = depth ? depth : 1;
    for (size_t done = 0; done < n; done++) {
        /* Keep `depth` requests outstanding; the server answers them in order. */
        for (; sent < n && sent < done + ahead; sent++)
            if (send_request(c, req[sent], resp[sent]) != 0) return -1;
        if (read_exact(c->tls, c->buf, resp[done]) != 0) return -1;
    }
    return 0;
}

void bench_tls_close(bench_tls_client *c)
{
    if (!c) return;
    bench_tls_client_disconnect(c);
    s7p_tls_ctx_free(c->ctx);
    free(c->buf);
    free(c);
}

double bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp);
    return n ? v[n / 2] : 0;
}

/* bench_connect: the time to connect a session (TCP + COTP + InitSsl + TLS 1.3 + session
 * setup + limits + protection level) against the simulator, next to a bare TLS 1.3 handshake
 * (TCP + TLS, same OpenSSL settings) on the same loopback — the physical floor.
 * Usage: bench_connect [--smoke] [ROUNDS]. Prints medians, p90 and the ratio. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s7plus/s7plus.h>

#include "net/tcp.h"
#include "sim.h"
#include "tls/tls.h"
#include "util/clock.h"

typedef struct {
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

typedef struct {
    int lfd;
    int rounds;
    s7p_tls_ctx *ctx;
} server_args;

static void *tls_server(void *arg)
{
    server_args *a = arg;
    for (int i = 0; i < a->rounds; i++) {
        sock_io io;
        int e;
        if (s7p_tcp_accept(a->lfd, s7p_deadline_in(10000), &io.fd, &e) != S7P_OK) break;
        s7p_tls_io tio = {&io, io_send, io_recv};
        s7p_tls *t = s7p_tls_new(a->ctx, &tio);
        s7p_tls_handshake(t, s7p_deadline_in(5000));
        /* Wait for the client's close so the next round starts clean. */
        uint8_t b[64];
        size_t got;
        s7p_tls_read(t, b, sizeof b, &got, s7p_deadline_in(5000));
        s7p_tls_free(t);
        s7p_tcp_close(io.fd);
    }
    return NULL;
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int bare_handshakes(int rounds, double *out)
{
    char err[160];
    s7p_tls_config scfg = {.server = true}, ccfg = {.server = false};
    server_args a = {-1, rounds, s7p_tls_ctx_new(&scfg, err, sizeof err)};
    s7p_tls_ctx *cctx = s7p_tls_ctx_new(&ccfg, err, sizeof err);
    uint16_t port;
    int e;
    if (!a.ctx || !cctx || s7p_tcp_listen("127.0.0.1", 0, 16, &a.lfd, &port, &e) != S7P_OK) return -1;
    pthread_t th;
    pthread_create(&th, NULL, tls_server, &a);
    for (int i = 0; i < rounds; i++) {
        sock_io io;
        double t0 = now_us();
        if (s7p_tcp_connect("127.0.0.1", port, s7p_deadline_in(5000), &io.fd, &e) != S7P_OK) return -1;
        s7p_tls_io tio = {&io, io_send, io_recv};
        s7p_tls *t = s7p_tls_new(cctx, &tio);
        if (s7p_tls_handshake(t, s7p_deadline_in(5000)) != S7P_OK) return -1;
        out[i] = now_us() - t0;
        s7p_tls_shutdown(t, s7p_deadline_in(1000));
        s7p_tls_free(t);
        s7p_tcp_close(io.fd);
    }
    pthread_join(th, NULL);
    s7p_tcp_close(a.lfd);
    s7p_tls_ctx_free(a.ctx);
    s7p_tls_ctx_free(cctx);
    return 0;
}

static int session_connects(int rounds, double *out)
{
    s7p_sim_config cfg;
    char err[256];
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
    if (!sim) return -1;
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = s7p_sim_port(sim);
    s7p_client *c;
    s7p_error e;
    if (s7p_client_new(&c, &o, &e) != S7P_OK) return -1;
    for (int i = 0; i < rounds; i++) {
        double t0 = now_us();
        if (s7p_connect(c, &e) != S7P_OK) {
            fprintf(stderr, "%s\n", e.message);
            return -1;
        }
        out[i] = now_us() - t0;
        s7p_disconnect(c, NULL);
    }
    s7p_client_free(c);
    s7p_sim_stop(sim);
    return 0;
}

int main(int argc, char **argv)
{
    int rounds = 200;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) rounds = 3;
        else rounds = atoi(argv[i]) > 0 ? atoi(argv[i]) : rounds;
    }
    double *bare = calloc((size_t)rounds, sizeof *bare), *conn = calloc((size_t)rounds, sizeof *conn);
    if (!bare || !conn || bare_handshakes(rounds, bare) != 0 || session_connects(rounds, conn) != 0) {
        fprintf(stderr, "bench_connect: failed\n");
        return 1;
    }
    qsort(bare, (size_t)rounds, sizeof *bare, cmp);
    qsort(conn, (size_t)rounds, sizeof *conn, cmp);
    double mb = bare[rounds / 2], mc = conn[rounds / 2];
    printf("%-44s %10s %10s\n", "loopback, median of rounds", "median us", "p90 us");
    printf("%-44s %10.0f %10.0f\n", "bare TLS 1.3 handshake (TCP + TLS)", mb, bare[rounds * 9 / 10]);
    printf("%-44s %10.0f %10.0f\n", "s7p_connect (TCP+COTP+InitSsl+TLS+session)", mc, conn[rounds * 9 / 10]);
    printf("ratio connect / bare handshake: %.2f  (%d rounds)\n", mc / mb, rounds);
    free(bare);
    free(conn);
    return 0;
}

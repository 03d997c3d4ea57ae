/* SPDX-License-Identifier: MIT */
/* Heap of one more idle connected client: a client connects to the simulator (running in a
 * child process, so that its memory is not counted), reads the CPU info once and idles; the
 * growth of the heap (glibc mallinfo2) is split into what OpenSSL allocated (counted through
 * CRYPTO_set_mem_functions: its SSL_CTX, SSL and their buffers) and the rest (the library).
 * A first client connects before the measurement so that one-time initialisation does not
 * count.
 *
 *   bench_idle_heap [--max-kib N] [--json]   exit status 1 when the library's part exceeds N KiB
 *
 * Five clients are added one after the other; the figures are the medians of the five.
 *
 * Under a sanitizer mallinfo2 does not see the allocations: then nothing is asserted. */
#include <malloc.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "s7plus/s7plus.h"
#include "bench_report.h"
#include "sim.h"

/* OpenSSL's live bytes: each block carries its size in a header. */
#define HDR 16u
static atomic_size_t g_ossl_live;

static void *ossl_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    unsigned char *p = malloc(n + HDR);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    atomic_fetch_add(&g_ossl_live, n);
    return p + HDR;
}

static void ossl_free(void *q, const char *file, int line)
{
    (void)file;
    (void)line;
    if (!q) return;
    unsigned char *p = (unsigned char *)q - HDR;
    size_t n;
    memcpy(&n, p, sizeof n);
    atomic_fetch_sub(&g_ossl_live, n);
    free(p);
}

static void *ossl_realloc(void *q, size_t n, const char *file, int line)
{
    if (!q) return ossl_malloc(n, file, line);
    if (n == 0) {
        ossl_free(q, file, line);
        return NULL;
    }
    unsigned char *p = (unsigned char *)q - HDR;
    size_t old;
    memcpy(&old, p, sizeof old);
    unsigned char *r = realloc(p, n + HDR);
    if (!r) return NULL;
    memcpy(r, &n, sizeof n);
    atomic_fetch_sub(&g_ossl_live, old);
    atomic_fetch_add(&g_ossl_live, n);
    return r + HDR;
}

/* The simulator in a child process; returns its port, or 0. */
static uint16_t start_sim(int *keep_fd, pid_t *pid)
{
    int up[2], hold[2];
    if (pipe(up) != 0 || pipe(hold) != 0) return 0;
    *pid = fork();
    if (*pid < 0) return 0;
    if (*pid == 0) {
        close(up[0]);
        close(hold[1]);
        s7p_sim_config cfg;
        char err[256];
        s7p_sim_config_init(&cfg);
        cfg.port = 0;
        s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
        uint16_t port = sim ? s7p_sim_port(sim) : 0;
        if (write(up[1], &port, sizeof port) != sizeof port) _exit(1);
        char b;
        while (read(hold[0], &b, 1) > 0) {}  /* until the parent is done */
        if (sim) s7p_sim_stop(sim);
        _exit(0);
    }
    close(up[1]);
    close(hold[0]);
    uint16_t port = 0;
    if (read(up[0], &port, sizeof port) != sizeof port) port = 0;
    close(up[0]);
    *keep_fd = hold[1];
    return port;
}

static s7p_client *connected(uint16_t port)
{
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    s7p_client *c;
    s7p_error e;
    s7p_cpu_info info;
    if (s7p_client_new(&c, &o, &e) != S7P_OK) return NULL;
    if (s7p_connect(c, &e) != S7P_OK || s7p_get_cpu_info(c, &info, &e) != S7P_OK) {
        fprintf(stderr, "bench_idle_heap: %s\n", e.message);
        s7p_client_free(c);
        return NULL;
    }
    return c;
}

#define ROUNDS 5

/* One more client, connected and idle: its heap (KiB) in total and OpenSSL's part. */
static s7p_client *one_more(uint16_t port, double *total, double *ossl)
{
    struct mallinfo2 m0 = mallinfo2();
    size_t o0 = atomic_load(&g_ossl_live);
    s7p_client *c = connected(port);
    nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    struct mallinfo2 m1 = mallinfo2();
    size_t o1 = atomic_load(&g_ossl_live);
    *total = ((double)(m1.uordblks + m1.hblkhd) - (double)(m0.uordblks + m0.hblkhd)) / 1024.0;
    *ossl = ((double)o1 - (double)o0) / 1024.0;
    return c;
}

int main(int argc, char **argv)
{
    long max_kib = -1;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--max-kib") == 0) max_kib = atol(argv[i + 1]);
    bool json = bench_has_flag(argc, argv, "--json");
    int keep = -1;
    pid_t pid = -1;
    uint16_t port = start_sim(&keep, &pid);
    if (!port) {
        fprintf(stderr, "bench_idle_heap: simulator did not start\n");
        return 1;
    }
    if (!CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free)) {
        fprintf(stderr, "bench_idle_heap: cannot count OpenSSL's allocations\n");
        return 1;
    }
    s7p_client *c[ROUNDS + 1] = {connected(port)};
    double lib[ROUNDS], ossl[ROUNDS], total[ROUNDS];
    int rc = c[0] ? 0 : 1;
    for (int i = 0; i < ROUNDS && rc == 0; i++) {
        c[i + 1] = one_more(port, &total[i], &ossl[i]);
        lib[i] = total[i] - ossl[i];
        rc = c[i + 1] ? 0 : 1;
    }
    bench_spread sl = bench_spread_of(lib, ROUNDS), so = bench_spread_of(ossl, ROUNDS);
    bool seen = rc == 0 && total[0] > 0;  /* mallinfo2 sees nothing under a sanitizer */
    bench_json j;
    bench_json_begin(&j, json ? stdout : NULL, "idle_heap");
    if (seen) {
        bench_json_row(&j, "heap of one more idle connected client (library)", "KiB", sl, NULL,
                       NULL, "<= 64 KiB", 64, "counting allocator; OpenSSL apart");
        bench_json_row(&j, "heap of one more idle connected client (OpenSSL)", "KiB", so, NULL,
                       NULL, NULL, -1, "SSL_CTX, SSL and their buffers");
    }
    bench_json_end(&j);
    if (seen && !json)
        printf("one more idle connected client: heap %.1f KiB = OpenSSL %.1f KiB + library "
               "%.1f KiB (medians of %d; library min-max %.1f-%.1f)\n", sl.med + so.med, so.med,
               sl.med, ROUNDS, sl.min, sl.max);
    if (seen && max_kib >= 0 && sl.med > (double)max_kib) {
        fprintf(stderr, "bench_idle_heap: library part above %ld KiB\n", max_kib);
        rc = 1;
    }
    for (int i = 0; i <= ROUNDS; i++) s7p_client_free(c[i]);
    close(keep);
    waitpid(pid, NULL, 0);
    return rc;
}

/* SPDX-License-Identifier: MIT */
/* bench_browse: browse time and the client's peak RSS for generated programs of 10 000 and
 * 100 000 variables. The simulator runs in a child process so the RSS is the client's alone.
 * Usage: bench_browse [--smoke]. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <s7plus/s7plus.h>

#include "bench_gen.h"
#include "bench_tls.h"
#include "sim.h"

/* Child: serve the program until killed; report the port through the pipe. */
static void run_sim(const char *dir, int out)
{
    s7p_sim_config cfg;
    char err[256];
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.program_dir = dir;
    s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
    uint16_t port = sim ? s7p_sim_port(sim) : 0;
    if (write(out, &port, sizeof port) != (ssize_t)sizeof port) _exit(1);
    if (!sim) _exit(1);
    pause();
    _exit(0);
}

static bool count_item(void *ctx, const s7p_browse_item *it)
{
    (void)it;
    ++*(size_t *)ctx;
    return true;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Browses a program of dbs x members variables; prints one table row. 0 on success. */
static int measure(unsigned dbs, unsigned members)
{
    char dir[256];
    int fds[2];
    if (bench_gen_program(dir, sizeof dir, dbs, members, 0) != 0 || pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) run_sim(dir, fds[1]);
    uint16_t port = 0;
    if (pid < 0 || read(fds[0], &port, sizeof port) != (ssize_t)sizeof port || port == 0) return -1;
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    s7p_client *c;
    s7p_error e;
    size_t n = 0;
    long rss0 = peak_rss_kib();
    double t0 = 0, t1 = 0;
    int rc = -1;
    if (s7p_client_new(&c, &o, &e) == S7P_OK && s7p_connect(c, &e) == S7P_OK) {
        t0 = bench_now_us();
        if (s7p_browse(c, count_item, &n, &e) == S7P_OK) rc = 0;
        t1 = bench_now_us();
        s7p_client_free(c);
    }
    if (rc != 0) fprintf(stderr, "bench_browse: %s\n", e.message);
    else
        printf("%10zu %12.3f %14ld %14ld\n", n, (t1 - t0) / 1e6, peak_rss_kib(), peak_rss_kib() - rss0);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(fds[0]);
    close(fds[1]);
    bench_gen_remove(dir);
    return rc;
}

int main(int argc, char **argv)
{
    bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
    printf("%10s %12s %14s %14s\n", "variables", "browse s", "peak RSS KiB", "growth KiB");
    if (measure(smoke ? 1 : 10, smoke ? 100 : 1000) != 0) return 1;
    if (!smoke && measure(100, 1000) != 0) return 1;
    return 0;
}

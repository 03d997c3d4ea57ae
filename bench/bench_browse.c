/* SPDX-License-Identifier: MIT */
/* bench_browse: browse time and the client's peak RSS for generated programs of 10 000,
 * 100 000 and 1 000 000 variables (1000 members per DB). The simulator runs in a child
 * process, and so does each browsing client, so that the peak RSS is one browse's alone.
 * Usage: bench_browse [--smoke] [--json] [--no-1m]. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <s7plus/s7plus.h>

#include "bench_gen.h"
#include "bench_report.h"
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

/* What one browse in a fresh client process found. */
typedef struct {
    size_t items;
    double seconds;
    long rss0_kib, peak_kib;  /* peak RSS before connecting, and at the end */
    int ok;
} browse_run;

/* Client child: connect, browse, report through the pipe. Its own process, so that the
 * peak RSS is this browse's alone. */
static void run_client(uint16_t port, int out)
{
    browse_run r = {0};
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    o.browse_timeout_ms = 600000;
    s7p_client *c;
    s7p_error e;
    r.rss0_kib = peak_rss_kib();
    if (s7p_client_new(&c, &o, &e) == S7P_OK && s7p_connect(c, &e) == S7P_OK) {
        double t0 = bench_now_us();
        r.ok = s7p_browse(c, count_item, &r.items, &e) == S7P_OK;
        r.seconds = (bench_now_us() - t0) / 1e6;
        s7p_client_free(c);
    }
    if (!r.ok) fprintf(stderr, "bench_browse: %s\n", e.message);
    r.peak_kib = peak_rss_kib();
    _exit(write(out, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1);
}

static int one_run(uint16_t port, browse_run *r)
{
    int fds[2];
    if (pipe(fds) != 0) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) run_client(port, fds[1]);
    close(fds[1]);
    int rc = pid > 0 && read(fds[0], r, sizeof *r) == (ssize_t)sizeof *r && r->ok ? 0 : -1;
    close(fds[0]);
    if (pid > 0) waitpid(pid, NULL, 0);
    return rc;
}

/* Browses a program of dbs x members variables `rounds` times, each from a new client
 * process; one row. 0 on success. */
static int measure(unsigned dbs, unsigned members, int rounds, bench_json *j)
{
    char dir[256];
    int fds[2];
    if (bench_gen_program(dir, sizeof dir, dbs, members, 0) != 0 || pipe(fds) != 0) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) run_sim(dir, fds[1]);
    uint16_t port = 0;
    if (pid < 0 || read(fds[0], &port, sizeof port) != (ssize_t)sizeof port || port == 0) return -1;
    double t[16], peak[16], growth[16];
    browse_run r = {0};
    int rc = 0;
    for (int i = 0; i < rounds && rc == 0; i++) {
        rc = one_run(port, &r);
        t[i] = r.seconds;
        peak[i] = (double)r.peak_kib / 1024;
        growth[i] = (double)(r.peak_kib - r.rss0_kib) / 1024;
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(fds[0]);
    close(fds[1]);
    bench_gen_remove(dir);
    if (rc != 0) return rc;
    bench_spread st = bench_spread_of(t, (size_t)rounds), sp = bench_spread_of(peak, (size_t)rounds);
    bench_spread sg = bench_spread_of(growth, (size_t)rounds);
    char name[64], note[64];
    bool target = r.items == 100000;
    snprintf(name, sizeof name, "browse %zu variables: time", r.items);
    snprintf(note, sizeof note, "%u DBs x %u members", dbs, members);
    bench_json_row(j, name, "s", st, NULL, NULL, target ? "<= 0.5 s" : NULL, target ? 0.5 : -1,
                   note);
    snprintf(name, sizeof name, "browse %zu variables: peak client RSS", r.items);
    bench_json_row(j, name, "MiB", sp, NULL, NULL, target ? "<= 32 MiB" : NULL,
                   target ? 32 : -1, "client process alone; simulator in another");
    snprintf(name, sizeof name, "browse %zu variables: RSS growth", r.items);
    bench_json_row(j, name, "MiB", sg, NULL, NULL, NULL, -1, "peak minus before connecting");
    if (!j->f)
        printf("%10zu %12.3f %14.1f %14.1f   (time min-max %.3f-%.3f s, %d rounds)\n", r.items,
               st.med, sp.med, sg.med, st.min, st.max, rounds);
    return 0;
}

int main(int argc, char **argv)
{
    bool smoke = bench_has_flag(argc, argv, "--smoke");
    bool big = !smoke && !bench_has_flag(argc, argv, "--no-1m");
    bench_json j;
    bench_json_begin(&j, bench_has_flag(argc, argv, "--json") ? stdout : NULL, "browse");
    if (!j.f) printf("%10s %12s %14s %14s\n", "variables", "browse s", "peak RSS MiB", "growth MiB");
    int rc = measure(smoke ? 1 : 10, smoke ? 100 : 1000, smoke ? 1 : 5, &j);
    if (rc == 0 && !smoke) rc = measure(100, 1000, 5, &j);
    if (rc == 0 && big) rc = measure(1000, 1000, 1, &j);
    bench_json_end(&j);
    if (rc) fprintf(stderr, "bench_browse: failed\n");
    return rc ? 1 : 0;
}

/* SPDX-License-Identifier: MIT */
/* bench_cli: the same read and browse done by the s7plus command and by the library, so that
 * the command's own cost (process start, option handling, output) is visible. Both against
 * one s7plus-sim process serving 10 DBs x 1000 members:
 *   read:   `s7plus read HOST:PORT '"DB1_Bench".v0' --insecure` (stdout to /dev/null) against
 *           connect + s7p_tag_by_symbol + s7p_read + disconnect with a new client;
 *   browse: `s7plus browse HOST:PORT --flat --insecure` (10 000 lines to /dev/null) against
 *           connect + s7p_browse + disconnect.
 * Rounds interleave the two; the CLI's CPU from getrusage(RUSAGE_CHILDREN), the library's from this thread.
 *
 *   bench_cli [--smoke] [--json] */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <s7plus/s7plus.h>

#include "bench_gen.h"
#include "bench_report.h"
#include "bench_tls.h"

extern char **environ;

#define MAX_ROUNDS 32

typedef struct sim_proc {
    pid_t pid;
    char dir[64], port_file[96];
    uint16_t port;
} sim_proc;

static double tv_us(struct timeval t) { return (double)t.tv_sec * 1e6 + (double)t.tv_usec; }

/* Runs argv with stdout and stderr to /dev/null; wall time and CPU (us). 0 on exit status 0. */
static int run(char *const argv[], double *wall, double *cpu)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    double t0 = bench_now_us();
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int status;
    struct rusage r0, r1;  /* the children reaped so far: this one is the difference */
    getrusage(RUSAGE_CHILDREN, &r0);
    if (waitpid(pid, &status, 0) != pid) return -1;
    *wall = bench_now_us() - t0;
    getrusage(RUSAGE_CHILDREN, &r1);
    *cpu = tv_us(r1.ru_utime) + tv_us(r1.ru_stime) - tv_us(r0.ru_utime) - tv_us(r0.ru_stime);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int sim_start(sim_proc *s, const char *prog)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/s7plus-bench-cli-XXXXXX");
    if (!mkdtemp(s->dir)) return -1;
    snprintf(s->port_file, sizeof s->port_file, "%s/port", s->dir);
    char *argv[] = {(char *)S7P_SIM_EXE, "--port", "0", "--port-file", s->port_file, "--program",
                    (char *)prog, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&s->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; rc == 0 && i < 400; i++) {
        unsigned port = 0;
        FILE *f = fopen(s->port_file, "r");  /* written whole (rename) */
        bool got = f && fscanf(f, "%u", &port) == 1 && port > 0 && port < 65536;
        if (f) fclose(f);
        if (got) {
            s->port = (uint16_t)port;
            return 0;
        }
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    return -1;
}

static void sim_stop(sim_proc *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
    }
    unlink(s->port_file);
    rmdir(s->dir);
}

static double thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static bool count(void *ctx, const s7p_browse_item *it)
{
    (void)it;
    ++*(size_t *)ctx;
    return true;
}

/* The library doing what the command does: 0 on success; wall and CPU (us). */
static int lib_run(uint16_t port, bool browse, double *wall, double *cpu)
{
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    s7p_client *c;
    s7p_error e;
    s7p_tag t;
    s7p_tag_value v = {0};
    s7p_item_result r;
    size_t n = 0;
    double t0 = bench_now_us(), c0 = thread_cpu_us();
    int rc = s7p_client_new(&c, &o, &e) == S7P_OK ? 0 : -1;
    if (rc == 0 && s7p_connect(c, &e) != S7P_OK) rc = -1;
    if (rc == 0 && browse) rc = s7p_browse(c, count, &n, &e) == S7P_OK && n > 0 ? 0 : -1;
    if (rc == 0 && !browse)
        rc = s7p_tag_by_symbol(c, "\"DB1_Bench\".v0", &t, &e) == S7P_OK &&
                     s7p_read(c, &t, 1, &v, &r, &e) == S7P_OK && r.code == S7P_OK
                 ? 0
                 : -1;
    if (rc == 0) s7p_disconnect(c, NULL);
    s7p_client_free(c);
    s7p_tag_value_clear(&v);
    *wall = bench_now_us() - t0;
    *cpu = thread_cpu_us() - c0;
    if (rc) fprintf(stderr, "bench_cli: library: %s\n", e.message);
    return rc;
}

typedef struct series {
    double cli[MAX_ROUNDS], lib[MAX_ROUNDS], cli_cpu[MAX_ROUNDS], lib_cpu[MAX_ROUNDS];
} series;

static void report(bench_json *j, const char *what, series *s, int rounds)
{
    double tmp[MAX_ROUNDS];
    size_t n = (size_t)rounds;
    bench_spread ratio = bench_ratio_of(s->cli, s->lib, tmp, n);
    for (int i = 0; i < rounds; i++) {
        s->cli[i] /= 1000;
        s->lib[i] /= 1000;
        s->cli_cpu[i] /= 1000;
        s->lib_cpu[i] /= 1000;
    }
    bench_spread cli = bench_spread_of(s->cli, n), lib = bench_spread_of(s->lib, n);
    bench_spread cc = bench_spread_of(s->cli_cpu, n), lc = bench_spread_of(s->lib_cpu, n);
    char name[96], note[160];
    snprintf(name, sizeof name, "CLI vs library: %s", what);
    snprintf(note, sizeof note, "floor: the library; CPU: s7plus %.1f ms, library %.1f ms",
             cc.med, lc.med);
    bench_json_row(j, name, "ms", cli, &lib, &ratio, NULL, -1, note);
    if (!j->f)
        printf("%-34s %9.1f ms %9.1f ms %7.2f   (CPU %.1f / %.1f ms; ratio min-max %.2f-%.2f)\n",
               what, cli.med, lib.med, ratio.med, cc.med, lc.med, ratio.min, ratio.max);
}

static int measure(uint16_t port, int rounds, unsigned vars, bench_json *j)
{
    char hp[32];
    snprintf(hp, sizeof hp, "127.0.0.1:%u", port);
    char *rd[] = {(char *)S7P_CLI_EXE, "read", hp, "\"DB1_Bench\".v0", "--insecure", NULL};
    char *br[] = {(char *)S7P_CLI_EXE, "browse", hp, "--flat", "--insecure", NULL};
    static series s[2];
    int rc = 0;
    for (int i = 0; i < rounds && rc == 0; i++) {
        rc |= run(rd, &s[0].cli[i], &s[0].cli_cpu[i]);
        rc |= lib_run(port, false, &s[0].lib[i], &s[0].lib_cpu[i]);
        rc |= run(br, &s[1].cli[i], &s[1].cli_cpu[i]);
        rc |= lib_run(port, true, &s[1].lib[i], &s[1].lib_cpu[i]);
    }
    if (rc) return rc;
    if (!j->f)
        printf("%-34s %12s %12s %7s\n", "loopback, medians, new process/client each",
               "s7plus CLI", "library", "ratio");
    report(j, "read one tag (connect .. disconnect)", &s[0], rounds);
    char what[48];
    snprintf(what, sizeof what, "browse %u variables", vars);
    report(j, what, &s[1], rounds);
    return 0;
}

int main(int argc, char **argv)
{
    bool smoke = bench_has_flag(argc, argv, "--smoke");
    int rounds = smoke ? 2 : 15;
    char prog[256];
    sim_proc sim = {0};
    bench_json j;
    bench_json_begin(&j, bench_has_flag(argc, argv, "--json") ? stdout : NULL, "cli");
    int rc = bench_gen_program(prog, sizeof prog, smoke ? 1 : 10, smoke ? 100 : 1000, 0);
    if (rc == 0) rc = sim_start(&sim, prog);
    if (rc == 0) rc = measure(sim.port, rounds, smoke ? 100 : 10000, &j);
    bench_json_end(&j);
    if (rc) fprintf(stderr, "bench_cli: failed\n");
    sim_stop(&sim);
    bench_gen_remove(prog);
    return rc ? 1 : 0;
}

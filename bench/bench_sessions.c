/* SPDX-License-Identifier: MIT */
/* bench_sessions: N clients (default 1000) driven by one poll() loop of one thread with
 * the non-blocking public API against the simulator: the time to connect them all, then
 * ROUNDS CPU-info calls per client (four reads each, in flight together), all clients at
 * once. Usage: bench_sessions [--smoke] [N [ROUNDS]]. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <s7plus/s7plus.h>

#include "sim.h"
#include "util/clock.h"

typedef struct sess {
    s7p_client *c;
    int rounds_left;
    bool busy;
    unsigned ok, failed;
    s7p_cpu_info info;
} sess;

static void on_done(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err)
{
    (void)id;
    sess *s = ctx;
    s->busy = false;
    if (st == S7P_OK) {
        s->ok++;
        return;
    }
    if (s->failed++ == 0) fprintf(stderr, "bench_sessions: %s\n", err->message);
}

/* Runs the loop until no client is busy (or the deadline passed). */
static void drive(sess *ss, unsigned n, struct pollfd *fds, int64_t deadline)
{
    for (;;) {
        unsigned busy = 0;
        int timeout = -1;
        for (unsigned i = 0; i < n; i++) {
            fds[i].fd = -1;
            fds[i].revents = 0;
            if (!ss[i].busy) continue;
            busy++;
            unsigned want = s7p_client_want(ss[i].c);
            fds[i].fd = want ? s7p_client_fd(ss[i].c) : -1;
            fds[i].events = (short)((want & S7P_WANT_READ ? POLLIN : 0) |
                                    (want & S7P_WANT_WRITE ? POLLOUT : 0));
            int t = s7p_client_next_timeout(ss[i].c);
            if (t >= 0 && (timeout < 0 || t < timeout)) timeout = t;
        }
        if (!busy || s7p_now_ms() > deadline) return;
        if (timeout < 0 || timeout > 100) timeout = 100;
        if (poll(fds, n, timeout) < 0) return;
        for (unsigned i = 0; i < n; i++)
            if (ss[i].busy && (fds[i].revents || s7p_client_next_timeout(ss[i].c) == 0))
                s7p_client_process(ss[i].c);
    }
}

int main(int argc, char **argv)
{
    int a = 1;
    bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
    if (smoke) a++;
    unsigned n = smoke ? 20 : 1000, rounds = smoke ? 2 : 10;
    if (a < argc) n = (unsigned)atoi(argv[a++]);
    if (a < argc) rounds = (unsigned)atoi(argv[a++]);
    if (n == 0 || n > 10000) return 2;
    /* Two descriptors a session (client and simulator) and some spare. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2 * n + 64) {
        rl.rlim_cur = rl.rlim_max < 2 * n + 64 ? rl.rlim_max : 2 * n + 64;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.max_sessions = n;
    /* All of them connect at the same moment (the simulator's limit is 1024 pending). */
    cfg.max_pending = n < 1024 ? n : 1024;
    cfg.setup_timeout_ms = 120000;
    char err[256];
    s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "simulator: %s\n", err);
        return 1;
    }
    sess *ss = calloc(n, sizeof *ss);
    struct pollfd *fds = calloc(n, sizeof *fds);
    if (!ss || !fds) return 1;
    int rc = 0;
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = s7p_sim_port(sim);
    o.connect_timeout_ms = 60000;
    o.request_timeout_ms = 30000;
    int64_t t0 = s7p_now_ms();
    for (unsigned i = 0; i < n; i++) {
        s7p_error e;
        if (s7p_client_new(&ss[i].c, &o, &e) != S7P_OK) {
            fprintf(stderr, "client %u: %s\n", i, e.message);
            return 1;
        }
        ss[i].busy = true;
        (void)s7p_connect_async(ss[i].c, on_done, &ss[i], NULL);
    }
    drive(ss, n, fds, s7p_deadline_in(300000));
    int64_t t1 = s7p_now_ms();
    unsigned connected = 0;
    for (unsigned i = 0; i < n; i++) connected += s7p_is_connected(ss[i].c);
    printf("bench_sessions: %u sessions connected from one poll loop in %lld ms (%u of %u)\n",
           connected, (long long)(t1 - t0), connected, n);
    if (connected != n) rc = 1;
    for (unsigned i = 0; i < n; i++) ss[i].ok = ss[i].failed = 0;
    int64_t t2 = s7p_now_ms();
    for (unsigned r = 0; r < rounds; r++) {
        for (unsigned i = 0; i < n; i++) {
            if (!s7p_is_connected(ss[i].c)) continue;
            ss[i].busy = true;
            (void)s7p_get_cpu_info_async(ss[i].c, &ss[i].info, on_done, &ss[i], NULL);
        }
        drive(ss, n, fds, s7p_deadline_in(300000));
    }
    int64_t t3 = s7p_now_ms();
    unsigned ok = 0, failed = 0;
    for (unsigned i = 0; i < n; i++) {
        ok += ss[i].ok;
        failed += ss[i].failed;
    }
    double secs = (double)(t3 - t2) / 1000.0;
    printf("bench_sessions: %u rounds x %u sessions of CPU info (4 reads each): %u ok, %u failed, "
           "%lld ms, %.0f calls/s, %.0f reads/s\n",
           rounds, n, ok, failed, (long long)(t3 - t2), secs > 0 ? ok / secs : 0.0,
           secs > 0 ? 4.0 * ok / secs : 0.0);
    if (failed || ok != rounds * connected) rc = 1;
    for (unsigned i = 0; i < n; i++) s7p_client_free(ss[i].c);
    free(ss);
    free(fds);
    s7p_sim_stop(sim);
    return rc;
}

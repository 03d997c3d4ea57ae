/* SPDX-License-Identifier: MIT */
/* One s7plus-sim process holds N concurrent sessions (N = S7P_SCALE_SESSIONS, 1 000 in a
 * plain build, fewer under the sanitizers; argv[1] overrides it):
 * the executable runs with --max-sessions N and a soft open-file limit too low for them
 * (it must raise it itself), 64 client threads connect N raw sessions (up to 64 setting up
 * at once, none of them evicted) and each reads a value;
 * then every session, all still open, reads again, one more session is refused with
 * ServiceTooManySessions, and SIGTERM stops it all promptly. Prints the connect-all time and
 * the simulator's memory (RSS idle and with N sessions, per session) and threads. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "simtest.h"
#include "tc.h"
#include "util/clock.h"

#define NTHREADS 64            /* up to 64 clients setting up at once */
#define CONNECT_ALL_MAX_MS 120000 /* far above what it takes (seconds), far below the test bound */
#define RSS_PER_SESSION_MAX_KIB 1024  /* a sanity bound; the figure is printed */

static unsigned nsessions = S7P_SCALE_SESSIONS;

typedef struct job {
    tc *conns;
    unsigned first, n;
    uint16_t port;
    bool ok;
    char err[320];
} job;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t k; buf && (k = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += k;
        if (cap - n < 2) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* "Key:   value kB" of /proc/PID/status. */
static long proc_status(pid_t pid, const char *key)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    char *s = slurp(path, NULL);
    if (!s) return -1;
    const char *p = strstr(s, key);
    long v = p ? strtol(p + strlen(key) + 1, NULL, 10) : -1;
    free(s);
    return v;
}

/* Starts the executable with a soft open-file limit of nsessions (inherited): too low for
 * its connection slots, so it has to raise it. */
static void sim_start(st_proc *sp)
{
    char max[16];
    snprintf(max, sizeof max, "%u", nsessions);
    const char *args[] = {"--max-sessions", max, "-v", NULL};
    struct rlimit mine, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &mine), 0);
    low = mine;
    low.rlim_cur = nsessions;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    st_sim_exe_spawn(sp, "sim-scale", S7P_SIM_EXE, args);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &mine), 0);
    sp->port = (uint16_t)st_wait_port(sp->port_file, 10000);
    assert_true(sp->port > 0);
}

/* One value: the tags-per-read limit (50) by GetMultiVariables, integrity id checked. */
static bool read_one(tc *t)
{
    static const uint32_t lid[] = {1000};
    s7p_pdu p;
    const s7p_pdu *r;
    tc_get_limits_req(t, &p, 1037, lid, 1);
    if (tc_call(t, &p, &r) != S7P_OK) return false;
    const s7p_idlist *v = &r->resp.get_multi.values;
    return r->ret == 0 && v->n == 1 && v->first->value.v.i == 50 && r->has_iid &&
           r->iid == (uint32_t)p.seq + p.iid;
}

static void *connect_main(void *arg)
{
    job *j = arg;
    j->ok = true;
    for (unsigned i = j->first; i < j->first + j->n && j->ok; i++) {
        tc *t = &j->conns[i];
        if (tc_connect_session(t, j->port) != S7P_OK || !read_one(t)) {
            snprintf(j->err, sizeof j->err, "session %u: %s", i, t->err);
            j->ok = false;
        }
    }
    return NULL;
}

/* This process holds one socket per session: raise its own limit, or skip. */
static bool enough_fds(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return false;
    rlim_t need = nsessions + 256;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need;
}

static void test_many_sessions(void **state)
{
    (void)state;
    if (!enough_fds()) {
        fprintf(stderr, "skipped: the open file limit is too low for %u sessions\n", nsessions);
        skip();
    }
    st_proc sp;
    sim_start(&sp);
    st_sleep_ms(100);
    long rss_idle = proc_status(sp.pid, "VmRSS:");

    tc *conns = calloc(nsessions, sizeof *conns);
    assert_non_null(conns);
    job jobs[NTHREADS];
    pthread_t th[NTHREADS];
    int64_t t0 = s7p_now_ms();
    for (unsigned i = 0, first = 0; i < NTHREADS; i++) {
        unsigned n = nsessions / NTHREADS + (i < nsessions % NTHREADS ? 1u : 0u);
        jobs[i] = (job){conns, first, n, sp.port, false, ""};
        first += n;
        assert_int_equal(pthread_create(&th[i], NULL, connect_main, &jobs[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    int64_t connect_all = s7p_now_ms() - t0;
    for (int i = 0; i < NTHREADS; i++)
        if (!jobs[i].ok) fail_msg("thread %d: %s", i, jobs[i].err);

    /* All of them at once: every session reads again, each had its own session id. */
    int64_t t1 = s7p_now_ms();
    for (unsigned i = 0; i < nsessions; i++)
        if (!read_one(&conns[i])) fail_msg("second read, session %u: %s", i, conns[i].err);
    int64_t read_all = s7p_now_ms() - t1;
    long rss = proc_status(sp.pid, "VmRSS:"), hwm = proc_status(sp.pid, "VmHWM:");
    long threads = proc_status(sp.pid, "Threads:");
    for (unsigned i = 1; i < nsessions; i++) assert_true(conns[i].session != conns[i - 1].session);

    /* One more is told "too many sessions". */
    tc extra;
    const s7p_pdu *r;
    assert_int_equal(tc_open(&extra, sp.port, NULL), S7P_OK);
    assert_int_equal(tc_init_ssl(&extra, NULL), S7P_OK);
    assert_int_equal(tc_create_session(&extra, &r), S7P_E_PLC);
    assert_int_equal((int16_t)(uint16_t)r->ret, -113);
    tc_close(&extra);

    double per_session = (double)(rss - rss_idle) / nsessions;
    printf("%u sessions: connect-all %lld ms (%.2f ms each, %d threads), read-all %lld ms; "
           "simulator RSS idle %ld KiB, with sessions %ld KiB (peak %ld KiB), "
           "%.1f KiB per session, %ld threads\n",
           nsessions, (long long)connect_all, (double)connect_all / nsessions, NTHREADS,
           (long long)read_all, rss_idle, rss, hwm, per_session, threads);
    fflush(stdout);
    assert_true(connect_all < CONNECT_ALL_MAX_MS);
    assert_true(per_session > 0 && per_session < RSS_PER_SESSION_MAX_KIB);
    assert_true(threads >= (long)nsessions);

    int64_t t2 = s7p_now_ms();
    for (unsigned i = 0; i < nsessions; i++) tc_close(&conns[i]);
    free(conns);
    assert_int_equal(st_proc_stop(&sp, SIGTERM, 10000), 0);
    printf("closed and stopped in %lld ms\n", (long long)(s7p_now_ms() - t2));
    char *log = slurp(sp.err, NULL);
    assert_non_null(log);
    char want[96];
    snprintf(want, sizeof want, "open file limit raised from %u to ", nsessions);
    bool raised = strstr(log, want) != NULL;
    bool refused = strstr(log, "connection refused") != NULL;  /* an accepted socket dropped */
    bool evicted = strstr(log, "closed: ") != NULL;  /* a set-up closed to make room */
    free(log);
    if (!raised) fail_msg("no \"%s\" in the simulator's log", want);
    assert_false(refused);
    assert_false(evicted);
    st_proc_cleanup(&sp);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1) nsessions = (unsigned)strtoul(argv[1], NULL, 10);
    if (nsessions < NTHREADS) nsessions = NTHREADS;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_sessions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

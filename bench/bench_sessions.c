/* SPDX-License-Identifier: MIT */
/* bench_sessions: N sessions (default 1000) held by ONE thread with ONE epoll loop through
 * the non-blocking public API, against the s7plus-sim executable running as a child process
 * (--max-sessions N + 8), each session reading a tag once a second for D seconds (default 60).
 *
 * The simulator serves one DB of N DInt members, "DB1_Bench".v0 .. v<N-1>. Before the clock
 * starts, one client resolves every member once with s7p_tag_by_symbol() and writes into
 * member i the value 1000000 + i. Session i then reads member i, its phase spread over the
 * second, and checks every completion: an answer with another request id than the one it
 * submitted, or a value that is not a scalar DInt equal to 1000000 + i (the answer of
 * another session or request), counts as a crossed answer; a failed read (call or item) as
 * an error. Prints the connect-all time, reads done/expected, errors, crossed answers,
 * latency, the client's CPU, RSS and heap per session, and the simulator's CPU, RSS and
 * threads (read from /proc/PID before it is stopped). The heap of one more idle connected
 * client, OpenSSL apart, is bench_idle_heap's figure.
 *
 * The loop: every client's socket sits in one level-triggered epoll set for the events its
 * s7p_client_want() asks, changed (epoll_ctl) only when the want or the descriptor changes;
 * the sessions' next reads and the clients' s7p_client_next_timeout() are kept in a binary
 * heap on time. A turn thus costs in proportion to the sessions that are ready or due, not
 * to N. Connects are paced: at most 1 024 at once, the simulator's most pending set-ups.
 *
 *   bench_sessions [--smoke] [--json] [--sim PATH] [N [SECONDS]]
 *
 * --smoke: 20 sessions for 3 s (the ctest run). Exit status 1 unless every session connected
 * and every read came back right. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <s7plus/s7plus.h>

#include "bench_gen.h"
#include "bench_report.h"
#include "bench_tls.h"
#include "util/clock.h"

#define VALUE_BASE 1000000
#define PERIOD_MS 1000
#define LATE_MS 100          /* a read sent this much after its time counts as late */
#define MAX_SESSIONS 9992    /* s7plus-sim takes --max-sessions up to 10000 */
#define EVENTS_PER_WAIT 256  /* events taken from one epoll_wait() */
#define FDS_PER_CLIENT 3     /* its socket and its wake pipe */
#define CONNECT_WINDOW 1024  /* connects at once: the simulator's most pending set-ups */

typedef enum { PH_CONNECT, PH_READ, PH_CLOSE } phase;

struct run;

typedef struct sess {
    struct run *r;
    s7p_client *c;
    s7p_tag tag;
    int64_t expect;
    bool pending;            /* a request of this session is outstanding */
    s7p_request_id id;       /* the read it submitted */
    int64_t due;             /* when its next read is to go out (ms) */
    unsigned reads_left;
    double sent_us;
    s7p_tag_value val;
    s7p_item_result res;
    int64_t wake;            /* s7p_client_next_timeout() as a time (ms), -1 none */
    int64_t key;             /* its time in the heap (ms): the next read due or the wake */
    int hpos;                /* its place in the heap, -1 none */
    int reg_fd;              /* the descriptor in the epoll set for it, -1 none */
    uint32_t reg_ev;         /* the events it is registered for */
} sess;

typedef struct run {
    sess *ss;
    sess **heap;             /* min-heap on sess.key */
    sess **fired;            /* the sessions whose time came in this turn */
    unsigned nheap;
    int ep;                  /* the epoll set */
    struct epoll_event *evs;
    unsigned n, started, busy, window;
    phase ph;
    unsigned long reads_left, done, errors, crossed, late, failed_ops, turns, ctl_calls;
    unsigned long ctl_failed, timer_runs;
    double wait_cpu_s;       /* CPU this thread spent inside epoll_wait() */
    double *lat;             /* us, one per completed read */
    size_t nlat;
    /* the figures of the report, for --json */
    double connect_all_ms, lat_p50_ms, lat_p99_ms, reads_s, cpu_client_pct, cpu_sim_pct;
    double rss_client_mib, rss_sim_mib, heap_kib, cpu_client_s;
} run;

/* ---- the simulator process and /proc ---------------------------------------------------- */

typedef struct child {
    pid_t pid;
    char dir[64], port_file[96], err_file[96];
    uint16_t port;
} child;

/* /proc/PID/stat: utime + stime in seconds; -1 if unreadable. */
static double proc_cpu_s(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, pid ? "/proc/%d/stat" : "/proc/self/stat", (int)pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = 0;
    const char *p = strrchr(buf, ')');  /* the command name may hold spaces */
    unsigned long ut, st;
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* A "Key: value" number of /proc/PID/status (kB for the Vm* keys); -1 if absent. */
static long proc_status(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, pid ? "/proc/%d/status" : "/proc/self/status", (int)pid);
    FILE *f = fopen(path, "r");
    long v = -1;
    size_t k = strlen(key);
    while (f && v < 0 && fgets(line, sizeof line, f))
        if (strncmp(line, key, k) == 0) v = strtol(line + k, NULL, 10);
    if (f) fclose(f);
    return v;
}

static void child_exec(const child *ch, const char *exe, const char *prog, unsigned sessions)
{
    char max[16];
    snprintf(max, sizeof max, "%u", sessions);
    prctl(PR_SET_PDEATHSIG, SIGTERM);  /* never outlive the bench */
    int err = open(ch->err_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int null = open("/dev/null", O_WRONLY);
    if (err < 0 || null < 0 || dup2(err, 2) < 0 || dup2(null, 1) < 0) _exit(127);
    /* The set-up limit is generous: this measures the client, not the simulator's guard
     * against half-open connections. */
    execl(exe, "s7plus-sim", "--port", "0", "--port-file", ch->port_file, "--max-sessions", max,
          "--setup-timeout-ms", "60000", "--program", prog, (char *)NULL);
    _exit(127);
}

/* Starts `exe --port 0 --port-file F --max-sessions sessions --program prog` and waits (20 s
 * at most) for its port. 0 on success. */
static int sim_spawn(child *ch, const char *exe, const char *prog, unsigned sessions)
{
    snprintf(ch->dir, sizeof ch->dir, "/tmp/s7plus-bench-sim-XXXXXX");
    if (!mkdtemp(ch->dir)) return -1;
    snprintf(ch->port_file, sizeof ch->port_file, "%s/port", ch->dir);
    snprintf(ch->err_file, sizeof ch->err_file, "%s/stderr", ch->dir);
    ch->pid = fork();
    if (ch->pid < 0) return -1;
    if (ch->pid == 0) child_exec(ch, exe, prog, sessions);
    for (int i = 0; i < 400; i++) {
        unsigned port = 0;
        FILE *f = fopen(ch->port_file, "r");  /* written whole (rename) */
        bool got = f && fscanf(f, "%u", &port) == 1 && port > 0 && port < 65536;
        if (f) fclose(f);
        if (got) {
            ch->port = (uint16_t)port;
            return 0;
        }
        if (waitpid(ch->pid, NULL, WNOHANG) == ch->pid) {
            ch->pid = -1;
            break;
        }
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    fprintf(stderr, "bench_sessions: %s did not start (stderr in %s)\n", exe, ch->err_file);
    return -1;
}

/* SIGTERM, 10 s to end, then SIGKILL. Returns its exit status (-1 if killed or unknown). */
static int sim_stop(child *ch)
{
    int status = -1;
    if (ch->pid > 0) {
        kill(ch->pid, SIGTERM);
        int i = 0;
        while (waitpid(ch->pid, &status, WNOHANG) == 0 && i++ < 200)
            nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
        if (i > 200) {
            kill(ch->pid, SIGKILL);
            waitpid(ch->pid, &status, 0);
        }
        ch->pid = -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- set-up: one client resolves every tag once and writes each session's value ---------- */

/* Resolves and writes with c: 0 on success, else 1 with the reason in e. */
static int resolve_and_write(s7p_client *c, sess *ss, unsigned n, s7p_tag *tags,
                             s7p_tag_value *vals, s7p_item_result *res, s7p_error *e)
{
    if (s7p_connect(c, e) != S7P_OK) return 1;
    for (unsigned i = 0; i < n; i++) {
        char sym[64];
        snprintf(sym, sizeof sym, "\"DB1_Bench\".v%u", i);
        if (s7p_tag_by_symbol(c, sym, &tags[i], e) != S7P_OK) return 1;
        ss[i].tag = tags[i];
        ss[i].expect = VALUE_BASE + (int64_t)i;
        vals[i] = (s7p_tag_value){.type = S7P_T_DINT, .v.i = ss[i].expect};
    }
    if (s7p_write(c, tags, n, vals, res, e) != S7P_OK) return 1;
    for (unsigned i = 0; i < n; i++)
        if (res[i].code != S7P_OK) {
            snprintf(e->message, sizeof e->message, "write of v%u: %s", i,
                     s7p_strerror(res[i].code));
            return 1;
        }
    return 0;
}

static int prepare(uint16_t port, sess *ss, unsigned n)
{
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    o.allow_write = true;
    o.request_timeout_ms = 30000;
    s7p_client *c = NULL;
    s7p_error e = {0};
    s7p_tag *tags = calloc(n, sizeof *tags);
    s7p_tag_value *vals = calloc(n, sizeof *vals);
    s7p_item_result *res = calloc(n, sizeof *res);
    int rc = 1;
    if (tags && vals && res && s7p_client_new(&c, &o, &e) == S7P_OK) {
        rc = resolve_and_write(c, ss, n, tags, vals, res, &e);
        s7p_disconnect(c, NULL);
        s7p_client_free(c);
    }
    if (rc) fprintf(stderr, "bench_sessions: set-up: %s\n", e.message);
    free(tags);
    free(vals);
    free(res);
    return rc;
}

/* ---- the epoll loop ----------------------------------------------------------------------- */

/* The sessions that want the loop's attention at a time (a read due, a client's timer) are
 * kept in a binary min-heap on that time, each at most once (sess.hpos), so that a turn of
 * the loop touches only the sessions whose socket is ready or whose time came. */

static void heap_put(run *r, unsigned i, sess *s)
{
    r->heap[i] = s;
    s->hpos = (int)i;
}

static void heap_up(run *r, unsigned i)
{
    sess *s = r->heap[i];
    while (i > 0 && r->heap[(i - 1) / 2]->key > s->key) {
        heap_put(r, i, r->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_put(r, i, s);
}

static void heap_down(run *r, unsigned i)
{
    sess *s = r->heap[i];
    for (unsigned c = 2 * i + 1; c < r->nheap; i = c, c = 2 * i + 1) {
        if (c + 1 < r->nheap && r->heap[c + 1]->key < r->heap[c]->key) c++;
        if (r->heap[c]->key >= s->key) break;
        heap_put(r, i, r->heap[c]);
    }
    heap_put(r, i, s);
}

static void heap_remove(run *r, sess *s)
{
    unsigned i = (unsigned)s->hpos;
    sess *last = r->heap[--r->nheap];
    s->hpos = -1;
    if (last == s) return;
    heap_put(r, i, last);
    heap_up(r, i);
    heap_down(r, (unsigned)last->hpos);
}

/* Files s under `key` (ms), or takes it out of the heap with -1. */
static void heap_set(run *r, sess *s, int64_t key)
{
    if (key < 0) {
        if (s->hpos >= 0) heap_remove(r, s);
        return;
    }
    int64_t old = s->key;
    s->key = key;
    if (s->hpos < 0) {
        heap_put(r, r->nheap++, s);
        heap_up(r, (unsigned)s->hpos);
    } else if (key < old) {
        heap_up(r, (unsigned)s->hpos);
    } else if (key > old) {
        heap_down(r, (unsigned)s->hpos);
    }
}

static int ep_ctl(run *r, int op, int fd, uint32_t events, sess *s)
{
    struct epoll_event e = {.events = events, .data.ptr = s};
    r->ctl_calls++;
    return epoll_ctl(r->ep, op, fd, &e);
}

/* Makes the epoll set watch fd for `events` on behalf of s (fd -1 or no events: nothing), with
 * a call only when that changed. A descriptor the client closed has left the set by itself (the
 * DEL then fails, harmlessly); it is always looked at right after the client's call that closed
 * it, before another client may be given the same number. A new socket under the old number
 * comes with another want (a connect in progress waits for POLLOUT), and the MOD that finds it
 * unregistered adds it. */
static void watch(run *r, sess *s, int fd, uint32_t events)
{
    if (!events) fd = -1;
    if (fd == s->reg_fd && events == s->reg_ev) return;
    if (s->reg_fd >= 0 && fd != s->reg_fd) {
        (void)ep_ctl(r, EPOLL_CTL_DEL, s->reg_fd, 0, s);
        s->reg_fd = -1;
    }
    s->reg_ev = 0;
    if (fd < 0) return;
    int op = s->reg_fd >= 0 ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    int rc = ep_ctl(r, op, fd, events, s);
    if (rc != 0 && errno == ENOENT) rc = ep_ctl(r, EPOLL_CTL_ADD, fd, events, s);
    if (rc != 0 && errno == EEXIST) rc = ep_ctl(r, EPOLL_CTL_MOD, fd, events, s);
    if (rc != 0 && r->ctl_failed++ == 0)
        fprintf(stderr, "bench_sessions: epoll_ctl on descriptor %d: %s\n", fd, strerror(errno));
    s->reg_fd = rc == 0 ? fd : -1;
    s->reg_ev = rc == 0 ? events : 0;
}

/* Whether s has a read to send once its time comes. */
static bool read_waits(const run *r, const sess *s)
{
    return r->ph == PH_READ && !s->pending && s->reads_left;
}

/* What the session's client waits for now: its socket's events in the epoll set, its next
 * timeout (and the session's next read) in the heap. Only calls from this thread (submit,
 * process) change it, so it is asked again right after each of them and at no other time. */
static void refresh(run *r, sess *s)
{
    unsigned want = s7p_client_want(s->c);
    uint32_t events = (want & S7P_WANT_READ ? (uint32_t)EPOLLIN : 0u) |
                      (want & S7P_WANT_WRITE ? (uint32_t)EPOLLOUT : 0u);
    watch(r, s, events ? s7p_client_fd(s->c) : -1, events);
    int t = s7p_client_next_timeout(s->c);
    s->wake = t < 0 ? -1 : s7p_now_ms() + t;
    int64_t key = s->wake;
    if (read_waits(r, s) && (key < 0 || s->due < key)) key = s->due;
    heap_set(r, s, key);
}

static void on_op(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err)
{
    (void)id;
    sess *s = ctx;
    s->pending = false;
    s->r->busy--;
    if (st != S7P_OK && s->r->failed_ops++ == 0)
        fprintf(stderr, "bench_sessions: session %u: %s\n", (unsigned)(s - s->r->ss),
                err ? err->message : s7p_strerror(st));
}

static void on_read(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err)
{
    sess *s = ctx;
    run *r = s->r;
    bool mine = id == s->id && s->val.type == S7P_T_DINT && s->val.count == 0 &&
                s->val.v.i == s->expect;
    if (st != S7P_OK || s->res.code != S7P_OK) {
        if (r->errors++ == 0)
            fprintf(stderr, "bench_sessions: read of session %u: %s\n", (unsigned)(s - r->ss),
                    st != S7P_OK ? err->message : s7p_strerror(s->res.code));
    } else if (!mine) {
        r->crossed++;
    } else {
        r->done++;
        r->lat[r->nlat++] = bench_now_us() - s->sent_us;
    }
    s7p_tag_value_clear(&s->val);
    s->pending = false;
    r->busy--;
}

static void submit_read(run *r, sess *s, int64_t now)
{
    if (now - s->due > LATE_MS) r->late++;
    s->due += PERIOD_MS;
    s->reads_left--;
    r->reads_left--;
    s->sent_us = bench_now_us();
    s->pending = true;
    r->busy++;
    if (s7p_read_async(s->c, &s->tag, 1, &s->val, &s->res, on_read, s, &s->id) != S7P_OK) {
        s->pending = false;
        r->busy--;
        r->errors++;
    }
}

/* Starts the connects, up to the window at once. */
static void start_connects(run *r)
{
    while (r->ph == PH_CONNECT && r->started < r->n && r->busy < r->window) {
        sess *s = &r->ss[r->started++];
        s->pending = true;
        r->busy++;
        if (s7p_connect_async(s->c, on_op, s, NULL) != S7P_OK) on_op(s, 0, S7P_E_NOMEM, NULL);
        refresh(r, s);
    }
}

/* A session whose time came: its read goes out if it is due, and its client runs (which
 * also runs the client's timers). After a submit the request is written at once rather than
 * after a turn through epoll for POLLOUT: a non-blocking send that finds the socket full
 * leaves the rest queued, and the want then asks for POLLOUT. */
static void on_time(run *r, sess *s, int64_t now)
{
    bool read = read_waits(r, s) && now >= s->due;
    if (read) submit_read(r, s, now);
    bool timer = s->wake >= 0 && s->wake <= now;
    r->timer_runs += timer;
    if (read || timer) s7p_client_process(s->c);
    refresh(r, s);
}

/* Takes every session whose time came out of the heap first, then runs each once, so a
 * client whose timeout stays 0 is run once per turn and cannot hold the loop. */
static void run_timers(run *r, int64_t now)
{
    unsigned k = 0;
    while (r->nheap && r->heap[0]->key <= now) {
        sess *s = r->heap[0];
        heap_remove(r, s);
        r->fired[k++] = s;
    }
    for (unsigned i = 0; i < k; i++) on_time(r, r->fired[i], now);
}

static bool finished(const run *r)
{
    if (r->busy) return false;
    return r->ph == PH_CONNECT ? r->started == r->n : r->ph == PH_READ ? r->reads_left == 0 : true;
}

/* Milliseconds epoll_wait() may sleep: up to the first time in the heap, a period at most. */
static int sleep_ms(const run *r, int64_t now)
{
    int64_t first = r->nheap ? r->heap[0]->key : now + PERIOD_MS;
    if (first > now + PERIOD_MS) first = now + PERIOD_MS;
    return first <= now ? 0 : (int)(first - now);
}

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the loop of the phase until it finished or `end` (ms) passed. */
static void drive(run *r, int64_t end)
{
    for (int64_t now = s7p_now_ms(); now < end; now = s7p_now_ms()) {
        start_connects(r);
        if (finished(r)) return;
        int timeout = sleep_ms(r, now);
        double c0 = thread_cpu_s();
        int k = epoll_wait(r->ep, r->evs, EVENTS_PER_WAIT, timeout);
        r->wait_cpu_s += thread_cpu_s() - c0;
        if (k < 0 && errno != EINTR) return;
        r->turns++;
        for (int i = 0; i < k; i++) {
            sess *s = r->evs[i].data.ptr;
            s7p_client_process(s->c);
            refresh(r, s);
        }
        run_timers(r, s7p_now_ms());
    }
}
/* ---- phases and report -------------------------------------------------------------------- */

static double cpu_self_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_stime.tv_sec +
           ((double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_usec) / 1e6;
}

/* The N clients, created and connected from the loop. Returns how many connected. */
static unsigned connect_all(run *r, uint16_t port)
{
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    o.connect_timeout_ms = 60000;
    o.request_timeout_ms = 30000;
    for (unsigned i = 0; i < r->n; i++) {
        s7p_error e;
        r->ss[i].r = r;
        r->ss[i].wake = -1;
        r->ss[i].hpos = -1;
        r->ss[i].reg_fd = -1;
        if (s7p_client_new(&r->ss[i].c, &o, &e) != S7P_OK) {
            fprintf(stderr, "bench_sessions: client %u: %s\n", i, e.message);
            return 0;
        }
    }
    r->ph = PH_CONNECT;
    drive(r, s7p_deadline_in(300000));
    unsigned connected = 0;
    for (unsigned i = 0; i < r->n; i++) connected += s7p_is_connected(r->ss[i].c);
    return connected;
}

static void read_phase(run *r, unsigned seconds)
{
    int64_t t0 = s7p_now_ms();
    for (unsigned i = 0; i < r->n; i++) {
        r->ss[i].due = t0 + (int64_t)i * PERIOD_MS / r->n;  /* phases spread over the second */
        r->ss[i].reads_left = seconds;
    }
    r->reads_left = (unsigned long)r->n * seconds;
    r->ph = PH_READ;
    r->turns = r->ctl_calls = r->timer_runs = 0;
    r->wait_cpu_s = 0;
    for (unsigned i = 0; i < r->n; i++) refresh(r, &r->ss[i]);  /* files its first read */
    drive(r, t0 + (int64_t)seconds * PERIOD_MS + 60000);
}

static void close_all(run *r)
{
    r->ph = PH_CLOSE;
    for (unsigned i = 0; i < r->n; i++) {
        sess *s = &r->ss[i];
        s->pending = true;
        r->busy++;
        if (s7p_disconnect_async(s->c, on_op, s, NULL) != S7P_OK) on_op(s, 0, S7P_E_NOMEM, NULL);
        refresh(r, s);
    }
    drive(r, s7p_deadline_in(60000));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_reads(run *r, unsigned seconds, double secs)
{
    unsigned long expected = (unsigned long)r->n * seconds;
    double p50 = 0, p99 = 0, max = 0;
    if (r->nlat) {
        qsort(r->lat, r->nlat, sizeof *r->lat, cmp_double);
        p50 = r->lat[r->nlat / 2];
        p99 = r->lat[r->nlat * 99 / 100];
        max = r->lat[r->nlat - 1];
    }
    r->lat_p50_ms = p50 / 1000;
    r->lat_p99_ms = p99 / 1000;
    r->reads_s = secs > 0 ? (double)r->done / secs : 0;
    printf("reads:       %lu of %lu in %.1f s, %lu errors, %lu crossed answers, %lu sent late "
           "(> %d ms); latency median %.2f ms, p99 %.2f ms, max %.2f ms\n",
           r->done, expected, secs, r->errors, r->crossed, r->late, LATE_MS, p50 / 1000,
           p99 / 1000, max / 1000);
}

typedef struct usage {
    double cpu_self, cpu_sim;
} usage;

static usage usage_now(pid_t sim)
{
    return (usage){cpu_self_s(), proc_cpu_s(sim)};
}

static void print_usage(run *r, pid_t sim, usage u0, usage u1, double secs,
                        double heap_kib)
{
    char heap[96] = "heap per session not seen (sanitizer)";  /* mallinfo2 misses its heap */
    if (heap_kib > 0)
        snprintf(heap, sizeof heap, "heap %.1f KiB per connected session (OpenSSL included)",
                 heap_kib);
    r->cpu_client_pct = 100 * (u1.cpu_self - u0.cpu_self) / secs;
    r->cpu_client_s = u1.cpu_self - u0.cpu_self;
    r->cpu_sim_pct = 100 * (u1.cpu_sim - u0.cpu_sim) / secs;
    r->rss_client_mib = (double)proc_status(0, "VmHWM:") / 1024;
    r->rss_sim_mib = (double)proc_status(sim, "VmHWM:") / 1024;
    r->heap_kib = heap_kib;
    printf("client:      CPU %.2f s over the reads (%.1f %% of one core), %.2f s in all; RSS "
           "%.1f MiB (peak %.1f MiB); %s\n", u1.cpu_self - u0.cpu_self,
           100 * (u1.cpu_self - u0.cpu_self) / secs, u1.cpu_self,
           (double)proc_status(0, "VmRSS:") / 1024, (double)proc_status(0, "VmHWM:") / 1024, heap);
    printf("             of it %.2f s inside epoll_wait() (%lu turns of the loop, %lu epoll_ctl "
           "calls, %lu clients run for their timeout), %.2f s the rest (library and this loop)\n",
           r->wait_cpu_s, r->turns, r->ctl_calls, r->timer_runs,
           u1.cpu_self - u0.cpu_self - r->wait_cpu_s);
    printf("simulator:   CPU %.2f s over the reads (%.1f %% of one core), %.2f s in all; RSS "
           "%.1f MiB (peak %.1f MiB), %ld threads\n",
           u1.cpu_sim - u0.cpu_sim, 100 * (u1.cpu_sim - u0.cpu_sim) / secs, u1.cpu_sim,
           (double)proc_status(sim, "VmRSS:") / 1024, (double)proc_status(sim, "VmHWM:") / 1024,
           proc_status(sim, "Threads:"));
}

/* The sessions' part once the simulator runs: 0 when everything came back right. */
static int bench(run *r, const child *ch, unsigned seconds)
{
    int64_t t0 = s7p_now_ms();
    if (prepare(ch->port, r->ss, r->n) != 0) return 1;
    printf("set-up:      %u tags resolved and written by one client in %lld ms\n", r->n,
           (long long)(s7p_now_ms() - t0));
    struct mallinfo2 m0 = mallinfo2();
    double cpu0 = cpu_self_s();
    int64_t t1 = s7p_now_ms();
    unsigned connected = connect_all(r, ch->port);
    int64_t t2 = s7p_now_ms();
    struct mallinfo2 m1 = mallinfo2();
    double heap = ((double)m1.uordblks - (double)m0.uordblks) / 1024.0 / r->n;
    r->connect_all_ms = (double)(t2 - t1);
    printf("connect-all: %u of %u sessions in %lld ms (client CPU %.2f s)\n", connected, r->n,
           (long long)(t2 - t1), cpu_self_s() - cpu0);
    if (connected != r->n) return 1;
    usage u0 = usage_now(ch->pid);
    read_phase(r, seconds);
    double secs = (double)(s7p_now_ms() - t2) / 1000.0;
    usage u1 = usage_now(ch->pid);
    print_reads(r, seconds, secs);
    print_usage(r, ch->pid, u0, u1, secs, heap);
    close_all(r);
    if (r->failed_ops) printf("close:       %lu of %u disconnects failed\n", r->failed_ops, r->n);
    return r->done == (unsigned long)r->n * seconds && !r->errors && !r->crossed &&
                   !r->failed_ops
               ? 0
               : 1;
}

/* --json: the report's figures as rows (the text went to stderr). */
static void print_json(const run *r, FILE *out, unsigned seconds)
{
    bench_json j;
    char name[96], note[96];
    bench_json_begin(&j, out, "sessions");
    snprintf(name, sizeof name, "%u sessions: connect-all", r->n);
    bench_json_row(&j, name, "ms", bench_one(r->connect_all_ms), NULL, NULL, NULL, -1,
                   "one thread, one epoll loop; s7plus-sim as a child process");
    snprintf(name, sizeof name, "%u sessions: one read each per second", r->n);
    snprintf(note, sizeof note, "%lu of %lu reads, %lu errors, %lu crossed; p99 %.2f ms",
             r->done, (unsigned long)r->n * seconds, r->errors, r->crossed, r->lat_p99_ms);
    bench_json_row(&j, name, "ms latency", bench_one(r->lat_p50_ms), NULL, NULL, NULL, -1, note);
    snprintf(name, sizeof name, "%u sessions: client CPU", r->n);
    snprintf(note, sizeof note, "%.0f %% of it inside epoll_wait() over %u descriptors",
             r->cpu_client_s > 0 ? 100 * r->wait_cpu_s / r->cpu_client_s : 0, r->n);
    bench_json_row(&j, name, "% of a core", bench_one(r->cpu_client_pct), NULL, NULL, NULL, -1,
                   note);
    snprintf(name, sizeof name, "%u sessions: client CPU per read outside epoll_wait()", r->n);
    bench_json_row(&j, name, "us", bench_one(r->done ? (r->cpu_client_s - r->wait_cpu_s) * 1e6 /
                                                           (double)r->done : 0),
                   NULL, NULL, NULL, -1, "the library and the bench's loop (heap of due times)");
    snprintf(name, sizeof name, "%u sessions: simulator CPU", r->n);
    bench_json_row(&j, name, "% of a core", bench_one(r->cpu_sim_pct), NULL, NULL, NULL, -1, NULL);
    snprintf(name, sizeof name, "%u sessions: client peak RSS", r->n);
    snprintf(note, sizeof note, "heap %.1f KiB per session, OpenSSL included", r->heap_kib);
    bench_json_row(&j, name, "MiB", bench_one(r->rss_client_mib), NULL, NULL, NULL, -1, note);
    snprintf(name, sizeof name, "%u sessions: simulator peak RSS", r->n);
    bench_json_row(&j, name, "MiB", bench_one(r->rss_sim_mib), NULL, NULL, NULL, -1, NULL);
    bench_json_end(&j);
}

/* Each client holds its socket and its wake pipe; the simulator, which inherits the limit,
 * as many per connection, and per set-up still in progress (up to the connect window). Says
 * so when the hard limit is too low. */
static void raise_fd_limit(unsigned n)
{
    struct rlimit rl;
    rlim_t need = ((rlim_t)n + CONNECT_WINDOW) * FDS_PER_CLIENT + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need ? rl.rlim_max : need;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < need)
            fprintf(stderr, "bench_sessions: open file limit %llu, %u sessions need %llu\n",
                    (unsigned long long)rl.rlim_cur, n, (unsigned long long)need);
    }
}

/* The sessions, the heap, the events and the latencies of r (r->n sessions), and the epoll
 * set: 0 on success. */
static int run_alloc(run *r, unsigned seconds)
{
    r->ss = calloc(r->n, sizeof *r->ss);
    r->heap = calloc(r->n, sizeof *r->heap);
    r->fired = calloc(r->n, sizeof *r->fired);
    r->evs = calloc(EVENTS_PER_WAIT, sizeof *r->evs);
    r->lat = calloc((size_t)r->n * seconds, sizeof *r->lat);
    r->ep = epoll_create1(EPOLL_CLOEXEC);
    return r->ss && r->heap && r->fired && r->evs && r->lat && r->ep >= 0 ? 0 : -1;
}

static void run_free(run *r)
{
    if (r->ep >= 0) close(r->ep);
    free(r->ss);
    free(r->heap);
    free(r->fired);
    free(r->evs);
    free(r->lat);
}

int main(int argc, char **argv)
{
    const char *exe = S7P_SIM_EXE;
    unsigned n = 1000, seconds = 60;
    int a = 1;
    FILE *json = NULL;
    for (; a < argc && argv[a][0] == '-'; a++) {
        if (strcmp(argv[a], "--json") == 0 && !json) {
            /* The report's text goes to stderr, the JSON alone to stdout. */
            fflush(stdout);
            json = fdopen(dup(STDOUT_FILENO), "w");
            if (!json || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) return 1;
        } else if (strcmp(argv[a], "--smoke") == 0) {
            n = 20;
            seconds = 3;
        } else if (strcmp(argv[a], "--sim") == 0 && a + 1 < argc) {
            exe = argv[++a];
        } else {
            fprintf(stderr, "usage: bench_sessions [--smoke] [--json] [--sim PATH] [N [SECONDS]]\n");
            return 2;
        }
    }
    if (a < argc) n = (unsigned)atoi(argv[a++]);
    if (a < argc) seconds = (unsigned)atoi(argv[a++]);
    if (n == 0 || n > MAX_SESSIONS || seconds == 0) return 2;
    raise_fd_limit(n);
    char prog[256];
    child ch = {.pid = -1};
    run r = {.n = n, .window = n < CONNECT_WINDOW ? n : CONNECT_WINDOW};
    if (run_alloc(&r, seconds) != 0 || bench_gen_scalars(prog, sizeof prog, n, "DInt") != 0)
        return 1;
    printf("bench_sessions: %u sessions x %u s, one thread, one epoll loop, s7plus-sim as a "
           "child process (--max-sessions %u)\n", n, seconds, n + 8);
    int rc = sim_spawn(&ch, exe, prog, n + 8) != 0 ? 1 : bench(&r, &ch, seconds);
    if (json) {
        if (rc == 0) print_json(&r, json, seconds);
        fclose(json);
    }
    for (unsigned i = 0; i < n; i++) s7p_client_free(r.ss[i].c);
    if (sim_stop(&ch) != 0 && ch.port) fprintf(stderr, "bench_sessions: simulator ended badly\n");
    bench_gen_remove(ch.dir);
    bench_gen_remove(prog);
    run_free(&r);
    return rc;
}

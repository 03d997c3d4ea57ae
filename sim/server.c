/* SPDX-License-Identifier: MIT */
/* Simulator life cycle: configuration, listener, accept thread, connection slots, stop. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/tcp.h"
#include "plc_data.h"
#include "sim_int.h"
#include "util/alloc.h"
#include "util/clock.h"

#define NFUNCTIONS 65536u
#define LISTEN_BACKLOG_MIN 64u    /* the kernel caps larger backlogs at net.core.somaxconn */
#define SIM_MAX_SESSIONS 10000u
#define FDS_RESERVED 64u          /* listener, wake pipe, log, key log, program files ... */
/* Per-connection threads: a connection needs some tens of KiB of stack (OpenSSL, decoding),
 * so 256 KiB leaves ample room and 1 000 connections reserve 256 MiB, not 8 GiB. The
 * sanitizers' instrumentation needs several times more. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CONN_STACK_SIZE ((size_t)2 << 20)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CONN_STACK_SIZE ((size_t)2 << 20)
#endif
#endif
#ifndef CONN_STACK_SIZE
#define CONN_STACK_SIZE ((size_t)256 << 10)
#endif
#define REAP_INTERVAL_MS 500
/* A connection thread whose connection ended waits this long for the next one. */
#define SIM_PARK_MS 2000
#define SLOT_WAIT_TRIES 100u      /* x SLOT_WAIT_NS: at most half a second */
#define SLOT_WAIT_NS (5L * 1000 * 1000)

void s7p_sim_config_init(s7p_sim_config *c)
{
    memset(c, 0, sizeof *c);
    c->listen_addr = "127.0.0.1";
    c->max_sessions = 8;
    c->order_number = "6ES7 516-3AN02-0AB0";
    c->firmware = "V3.1.0";
    c->serial_number = "S V-SIM000000001";
    c->plc_name = "PLC_1";
    c->project_name = "s7plus-sim";
    c->protection_level = 1;
    c->tags_per_request = 50;
    c->setup_timeout_ms = 5000;
    c->max_pending = 16;
    c->state = S7P_SIM_STATE_RUN;
    c->languages[0] = 1033;
    c->languages[1] = 1031;
    c->nlanguages = 2;
    c->max_subscriptions = SIM_SUBSCRIPTIONS_DEFAULT;
}

void sim_block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void sim_wake_and_join(int wake_fd, pthread_t th)
{
    ssize_t w;
    do {
        w = write(wake_fd, "x", 1);
    } while (w < 0 && errno == EINTR);
    pthread_join(th, NULL);
}

void sim_close_pipe(int p[2])
{
    for (int i = 0; i < 2; i++) {
        if (p[i] >= 0) close(p[i]);
        p[i] = -1;
    }
}

/* ---- sessions ---- */

bool sim_session_acquire(s7p_sim *s, uint32_t *id, uint32_t *id2)
{
    unsigned cur = atomic_load(&s->sessions);
    do {
        if (cur >= s->cfg.max_sessions) return false;
    } while (!atomic_compare_exchange_weak(&s->sessions, &cur, cur + 1));
    unsigned n = atomic_fetch_add(&s->next_session, 1u) % 0x01000000u;
    *id = SIM_FIRST_SESSION + (uint32_t)n * 4u;  /* stays below 0x70000000 */
    *id2 = *id + 1u;
    return true;
}

void sim_session_release(s7p_sim *s) { atomic_fetch_sub(&s->sessions, 1u); }

void sim_conn_set_up(sim_conn *c)
{
    pthread_mutex_lock(&c->sim->mu);
    c->pending = false;
    pthread_mutex_unlock(&c->sim->mu);
}

/* ---- accept thread ---- */

/* Joins the threads of finished connections and frees their slots. One pass under the lock
 * finds them (with a thousand connections that is a thousand slots, not a thousand locks);
 * the joins happen outside it, as a finishing thread takes the lock last. */
static void reap(s7p_sim *s)
{
    unsigned from = 0;
    for (;;) {
        sim_conn *finished = NULL;
        pthread_mutex_lock(&s->mu);
        for (; from < s->nconns && !finished; from++)
            if (s->conns[from].used && s->conns[from].done) finished = &s->conns[from];
        pthread_mutex_unlock(&s->mu);
        if (!finished) return;
        pthread_join(finished->th, NULL);
        pthread_mutex_lock(&s->mu);
        finished->used = finished->done = false;
        pthread_mutex_unlock(&s->mu);
    }
}

/* With max_pending connections still setting up, the oldest of them is shut down (its
 * thread then ends at once and frees its slot): a flood of sockets that connect and idle
 * keeps replacing itself, while a real client that finishes its set-up in a few
 * milliseconds gets through. Called with s->mu held. */
static void evict_oldest_pending(s7p_sim *s)
{
    sim_conn *oldest = NULL;
    unsigned pending = 0;
    for (unsigned i = 0; i < s->nconns; i++) {
        sim_conn *c = &s->conns[i];
        if (!c->used || c->done || !c->pending || c->evicted) continue;
        pending++;
        if (!oldest || c->id < oldest->id) oldest = c;
    }
    if (pending < s->cfg.max_pending || !oldest) return;
    oldest->evicted = true;
    if (oldest->fd >= 0) shutdown(oldest->fd, SHUT_RDWR);
    sim_log(s, 1, "conn %lu: closed: %u connections still setting up (limit)", oldest->id,
            pending);
}

static bool evicted_open(s7p_sim *s)
{
    bool any = false;
    pthread_mutex_lock(&s->mu);
    for (unsigned i = 0; i < s->nconns && !any; i++) any = s->conns[i].used && s->conns[i].evicted;
    pthread_mutex_unlock(&s->mu);
    return any;
}

/* A slot for the new connection: preferably one whose thread is parked (it takes the
 * connection over, *reused), else a free one (a new thread for it). */
static sim_conn *claim_slot(s7p_sim *s, int fd, bool *reused)
{
    sim_conn *slot = NULL, *free_slot = NULL;
    pthread_mutex_lock(&s->mu);
    for (unsigned i = 0; i < s->nconns && !slot && (s->nidle || !free_slot); i++) {
        if (s->conns[i].used && s->conns[i].idle) slot = &s->conns[i];
        else if (!s->conns[i].used && !free_slot) free_slot = &s->conns[i];
    }
    *reused = slot != NULL;
    if (*reused) s->nidle--;
    if (!slot) slot = free_slot;
    if (slot) {
        pthread_t th = slot->th;  /* a parked thread keeps its slot */
        memset(slot, 0, sizeof *slot);
        slot->th = th;
        slot->sim = s;
        slot->used = true;
        slot->pending = true;
        slot->fd = fd;
        slot->setup_deadline = s7p_deadline_in(s->cfg.setup_timeout_ms);
        slot->id = atomic_fetch_add(&s->next_conn, 1ul) + 1ul;
    }
    pthread_mutex_unlock(&s->mu);
    /* Signalled after the unlock: woken while the mutex is still held, the parked thread
     * would at once block on it and need a second wake-up. Its slot is no longer idle, so
     * the signal cannot be lost (it re-checks that under the mutex). */
    if (slot && *reused) pthread_cond_signal(&s->idle_cv[slot - s->conns]);
    return slot;
}

bool sim_conn_park(sim_conn *c)
{
    s7p_sim *s = c->sim;
    pthread_cond_t *cv = &s->idle_cv[c - s->conns];
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    long ns = until.tv_nsec + (long)(SIM_PARK_MS % 1000) * 1000000L;
    until.tv_sec += SIM_PARK_MS / 1000 + ns / 1000000000L;
    until.tv_nsec = ns % 1000000000L;
    pthread_mutex_lock(&s->mu);
    c->pending = c->evicted = false;
    c->idle = true;
    s->nidle++;
    while (c->idle && !s->stopping)
        if (pthread_cond_timedwait(cv, &s->mu, &until) == ETIMEDOUT) break;
    bool handed = !c->idle;       /* claim_slot cleared it along with the rest of the slot */
    if (!handed) s->nidle--;
    c->idle = false;
    c->done = !handed;
    pthread_mutex_unlock(&s->mu);
    return handed;
}

static bool start_conn_thread(sim_conn *c)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    /* If the size is refused the default stays: more memory, but a working thread. */
    (void)pthread_attr_setstacksize(&attr, CONN_STACK_SIZE);
    bool ok = pthread_create(&c->th, &attr, sim_conn_main, c) == 0;
    pthread_attr_destroy(&attr);
    return ok;
}

static void accept_one(s7p_sim *s)
{
    int fd = -1, err = 0;
    s7p_status st = s7p_tcp_accept(s->listen_fd, s7p_deadline_in(100), &fd, &err);
    if (st == S7P_E_TIMEOUT) return;
    if (st != S7P_OK) {
        sim_log(s, 0, "accept: %s (%s)", s7p_strerror(st), strerror(err));
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);  /* e.g. out of descriptors: do not spin */
        return;
    }
    pthread_mutex_lock(&s->mu);
    evict_oldest_pending(s);
    pthread_mutex_unlock(&s->mu);
    bool reused = false;
    sim_conn *c = claim_slot(s, fd, &reused);
    /* Evicted connections end within moments (their socket is shut down): on a busy machine
     * the flood can outpace them, so wait for one to free its slot rather than refuse. */
    for (unsigned i = 0; !c && i < SLOT_WAIT_TRIES && evicted_open(s); i++) {
        struct timespec pause = {0, SLOT_WAIT_NS};
        nanosleep(&pause, NULL);
        reap(s);
        c = claim_slot(s, fd, &reused);
    }
    if (!c) {
        sim_log(s, 1, "connection refused: %u connections open", s->nconns);
        s7p_tcp_close(fd);
        return;
    }
    if (!reused && !start_conn_thread(c)) {
        sim_log(s, 0, "accept: cannot start a thread");
        s7p_tcp_close(fd);
        pthread_mutex_lock(&s->mu);
        c->used = false;
        pthread_mutex_unlock(&s->mu);
    }
}

static void *accept_main(void *arg)
{
    s7p_sim *s = arg;
    sim_block_signals();
    for (;;) {
        struct pollfd p[2] = {{s->listen_fd, POLLIN, 0}, {s->wake[0], POLLIN, 0}};
        int n = poll(p, 2, REAP_INTERVAL_MS);
        if (n < 0 && errno != EINTR) {
            sim_log(s, 0, "poll: %s", strerror(errno));
            break;
        }
        if (n > 0 && p[1].revents) break;
        reap(s);
        if (n > 0 && (p[0].revents & POLLIN)) accept_one(s);
    }
    return NULL;
}

/* ---- start / stop ---- */

static const char *keep(s7p_sim *s, unsigned i, const char *str)
{
    if (!str) return NULL;
    size_t n = strlen(str) + 1;
    s->strs[i] = malloc(n);
    if (s->strs[i]) memcpy(s->strs[i], str, n);
    return s->strs[i];
}

static bool copy_config(s7p_sim *s, const s7p_sim_config *c, char *err, size_t err_len)
{
    s->cfg = *c;
    const char **fields[] = {&s->cfg.listen_addr, &s->cfg.cert_file, &s->cfg.key_file,
                             &s->cfg.keylog_file, &s->cfg.order_number, &s->cfg.firmware,
                             &s->cfg.serial_number, &s->cfg.plc_name, &s->cfg.project_name,
                             &s->cfg.paom, &s->cfg.program_dir, &s->cfg.control_path,
                             &s->cfg.alarms_file};
    for (unsigned i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (*fields[i] && !(*fields[i] = keep(s, i, *fields[i]))) {
            snprintf(err, err_len, "out of memory");
            return false;
        }
    }
    static const char *const required[] = {"listen address", "order number", "firmware",
                                            "serial number", "PLC name", "project name"};
    const char *vals[] = {s->cfg.listen_addr, s->cfg.order_number, s->cfg.firmware,
                          s->cfg.serial_number, s->cfg.plc_name, s->cfg.project_name};
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        if (!vals[i]) {
            snprintf(err, err_len, "%s missing", required[i]);
            return false;
        }
    }
    if (s->cfg.max_sessions == 0 || s->cfg.max_sessions > SIM_MAX_SESSIONS) {
        snprintf(err, err_len, "max_sessions must be 1..%u", SIM_MAX_SESSIONS);
        return false;
    }
    if (s->cfg.setup_timeout_ms == 0 || s->cfg.setup_timeout_ms > 600000) {
        snprintf(err, err_len, "setup_timeout_ms must be 1..600000");
        return false;
    }
    if (s->cfg.max_pending == 0 || s->cfg.max_pending > 1024) {
        snprintf(err, err_len, "max_pending must be 1..1024");
        return false;
    }
    if (s->cfg.max_subscriptions == 0) s->cfg.max_subscriptions = SIM_SUBSCRIPTIONS_DEFAULT;
    if (s->cfg.max_subscriptions > SIM_SUBSCRIPTIONS_MAX) {
        snprintf(err, err_len, "max_subscriptions must be 1..%u", SIM_SUBSCRIPTIONS_MAX);
        return false;
    }
    if (s->cfg.legacy_family != 0 && s->cfg.legacy_family != 3) {
        snprintf(err, err_len, "legacy_family must be 0 or 3");
        return false;
    }
    if (s->cfg.state == 0) s->cfg.state = S7P_SIM_STATE_RUN;
    if (!s7p_sim_set_state(s, (s7p_sim_state)s->cfg.state)) {
        snprintf(err, err_len, "state %d is not an operating state", s->cfg.state);
        return false;
    }
    if ((s->cfg.cert_file == NULL) != (s->cfg.key_file == NULL)) {
        snprintf(err, err_len, "give both a certificate and a key file, or neither");
        return false;
    }
    return true;
}

/* Every connection holds two descriptors (its socket and its wake-up eventfd; three where
 * the wake-up is a pipe): raise the soft limit towards what the slots need (as far as the
 * hard limit allows) and say so; warn when it still falls short. */
static void raise_fd_limit(s7p_sim *s)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
#ifdef __linux__
    rlim_t need = (rlim_t)s->nconns * 2 + FDS_RESERVED;
#else
    rlim_t need = (rlim_t)s->nconns * 3 + FDS_RESERVED;
#endif
    rlim_t before = rl.rlim_cur;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
            sim_log(s, 1, "open file limit raised from %llu to %llu", (unsigned long long)before,
                    (unsigned long long)rl.rlim_cur);
        else
            rl.rlim_cur = before;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
        sim_log(s, 0, "open file limit %llu (hard limit %llu) is below the %llu that %u "
                "connections need: expect refused connections", (unsigned long long)rl.rlim_cur,
                (unsigned long long)rl.rlim_max, (unsigned long long)need, s->nconns);
}

static bool make_wake_pipe(s7p_sim *s)
{
    if (pipe(s->wake) != 0) return false;
    for (int i = 0; i < 2; i++) fcntl(s->wake[i], F_SETFD, FD_CLOEXEC);
    return true;
}

/* Logs the loader's lines (errors of sources left out), one per line. */
void sim_log_program_errors(s7p_sim *s, const char *lines)
{
    for (const char *p = lines; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        sim_log(s, 0, "program: %.*s (source left out)", (int)n, p);
        p += n + (e ? 1 : 0);
    }
}

static bool load_program(s7p_sim *s, char *err, size_t err_len)
{
    char *msgs = s7p_malloc(SIM_PROGRAM_MSGS);
    if (!msgs) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    s->plc = sim_plc_load(s->cfg.program_dir, s->cfg.strict_program, msgs, SIM_PROGRAM_MSGS);
    if (!s->plc) snprintf(err, err_len, "%s", msgs);
    else sim_log_program_errors(s, msgs);
    s7p_free(msgs);
    return s->plc != NULL;
}

/* The parked threads' condition variables, on the monotonic clock (their waits are bounded). */
static bool init_idle_cvs(s7p_sim *s)
{
    pthread_condattr_t attr;
    if (!(s->idle_cv = calloc(s->nconns, sizeof *s->idle_cv)) ||
        pthread_condattr_init(&attr) != 0)
        return false;
    bool ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0;
    unsigned n = 0;
    while (ok && n < s->nconns && pthread_cond_init(&s->idle_cv[n], &attr) == 0) n++;
    pthread_condattr_destroy(&attr);
    for (unsigned i = 0; n < s->nconns && i < n; i++) pthread_cond_destroy(&s->idle_cv[i]);
    s->idle_cv_init = ok && n == s->nconns;
    return s->idle_cv_init;
}

static bool setup(s7p_sim *s, const s7p_sim_config *c, char *err, size_t err_len)
{
    if (!copy_config(s, c, err, err_len)) return false;
    if (!sim_identity_init(&s->ident, &s->cfg, err, err_len)) return false;
    if (!sim_legit_init(s, err, err_len)) return false;
    if (s->cfg.program_dir && !load_program(s, err, err_len)) return false;
    if (!sim_alarms_init(s, s->cfg.alarms_file, err, err_len)) return false;
    s7p_tls_config tc = {0};
    tc.server = true;
    tc.cert_file = s->cfg.cert_file;
    tc.key_file = s->cfg.key_file;
    tc.keylog_file = s->cfg.keylog_file;
    s->tls = s7p_tls_ctx_new(&tc, err, err_len);
    if (!s->tls) return false;
    if (!s7p_tls_ctx_cert_sha256(s->tls, s->cert_sha256)) {
        snprintf(err, err_len, "cannot fingerprint the server certificate");
        return false;
    }
    /* Sessions, a few over the limit (they are told so), the pending ones and as many being
     * evicted (their threads end within moments). */
    s->nconns = s->cfg.max_sessions + SIM_EXTRA_CONNS + 2 * s->cfg.max_pending;
    s->conns = calloc(s->nconns, sizeof *s->conns);
    s->counters = calloc(NFUNCTIONS, sizeof *s->counters);
    if (!s->conns || !s->counters || !init_idle_cvs(s) || !make_wake_pipe(s)) {
        snprintf(err, err_len, "out of memory or descriptors");
        return false;
    }
    int e = 0;
    raise_fd_limit(s);
    /* Room in the backlog for every session connecting at once (a plant restarting). */
    unsigned backlog = s->cfg.max_sessions + s->cfg.max_pending;
    if (backlog < LISTEN_BACKLOG_MIN) backlog = LISTEN_BACKLOG_MIN;
    s7p_status st = s7p_tcp_listen(s->cfg.listen_addr, s->cfg.port, (int)backlog,
                                   &s->listen_fd, &s->port, &e);
    if (st != S7P_OK) {
        snprintf(err, err_len, "listen on %s:%u: %s%s%s", s->cfg.listen_addr,
                 (unsigned)s->cfg.port, s7p_strerror(st), e ? ": " : "", e ? strerror(e) : "");
        s->listen_fd = -1;
        return false;
    }
    return true;
}

static void teardown(s7p_sim *s)
{
    sim_control_stop(s);
    sim_control_stdio_stop(s);
    sim_generators_stop(s);       /* before the program they write into goes */
    sim_alarms_free(s);
    if (s->listen_fd >= 0) s7p_tcp_close(s->listen_fd);
    sim_close_pipe(s->wake);
    s7p_tls_ctx_free(s->tls);
    sim_identity_free(&s->ident);
    sim_legit_free(s);
    sim_plc_free(s->plc);
    for (unsigned i = 0; i < sizeof s->strs / sizeof s->strs[0]; i++) free(s->strs[i]);
    for (unsigned i = 0; s->idle_cv_init && i < s->nconns; i++)
        pthread_cond_destroy(&s->idle_cv[i]);
    free(s->idle_cv);
    free(s->conns);
    free(s->counters);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->log_mu);
    pthread_mutex_destroy(&s->fault_mu);
    pthread_mutex_destroy(&s->alarm_mu);
    free(s);
}

s7p_sim *s7p_sim_start(const s7p_sim_config *c, char *err, size_t err_len)
{
    s7p_sim *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    s->listen_fd = s->wake[0] = s->wake[1] = -1;
    s->control_fd = s->control_wake[0] = s->control_wake[1] = -1;
    s->stdio_wake[0] = s->stdio_wake[1] = -1;
    pthread_mutex_init(&s->alarm_mu, NULL);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->log_mu, NULL);
    pthread_mutex_init(&s->fault_mu, NULL);
    if (!setup(s, c, err, err_len)) {
        teardown(s);
        return NULL;
    }
    if (pthread_create(&s->accept_th, NULL, accept_main, s) != 0) {
        snprintf(err, err_len, "cannot start the accept thread");
        teardown(s);
        return NULL;
    }
    s->accept_started = true;
    if (s->cfg.control_path && !sim_control_start(s, err, err_len)) {
        s7p_sim_stop(s);
        return NULL;
    }
    sim_log(s, 1, "listening on %s:%u, %u sessions", s->cfg.listen_addr, (unsigned)s->port,
            s->cfg.max_sessions);
    if (s->plc)
        sim_log(s, 1, "program %s: %zu data blocks, %zu PLC data types, %zu tags",
                s->cfg.program_dir, s7t_program_db_count(sim_plc_program(s->plc)),
                s7t_program_udt_count(sim_plc_program(s->plc)),
                s7t_program_tag_count(sim_plc_program(s->plc)));
    return s;
}

void s7p_sim_stop(s7p_sim *s)
{
    if (!s) return;
    sim_control_stop(s);  /* first: a command may still reach into the program */
    sim_control_stdio_stop(s);
    if (s->accept_started) sim_wake_and_join(s->wake[1], s->accept_th);
    /* Wake every connection thread: its next or current read fails at once, and a parked
     * one ends. */
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    for (unsigned i = 0; i < s->nconns; i++) {
        if (s->conns[i].used && s->conns[i].fd >= 0) shutdown(s->conns[i].fd, SHUT_RDWR);
        if (s->conns[i].used) pthread_cond_signal(&s->idle_cv[i]);
    }
    pthread_mutex_unlock(&s->mu);
    for (unsigned i = 0; i < s->nconns; i++)
        if (s->conns[i].used) pthread_join(s->conns[i].th, NULL);
    sim_log(s, 1, "stopped");
    teardown(s);
}

uint16_t s7p_sim_port(const s7p_sim *s) { return s->port; }

const uint8_t *s7p_sim_cert_sha256(const s7p_sim *s) { return s->cert_sha256; }

unsigned s7p_sim_sessions(const s7p_sim *s)
{
    return atomic_load(&((s7p_sim *)s)->sessions);
}

unsigned s7p_sim_subscriptions(const s7p_sim *s)
{
    return atomic_load(&((s7p_sim *)s)->subs_active);
}

unsigned long s7p_sim_requests(const s7p_sim *s, uint16_t function)
{
    return atomic_load(&s->counters[function]);
}

/* SPDX-License-Identifier: MIT */
/* Running requests: their order and concurrency, the connection state machine around them
 * (reconnect and retry), the drive of the session engine over the socket, and the
 * callbacks, delivered once the lock is released. See client_int.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client/client_int.h"
#include "util/alloc.h"
#include "util/clock.h"

#define LAYER "client"

/* The longest a leader polls before it looks at the queue again (a safety net only). */
#define LEADER_POLL_MAX_MS 1000

const char *s7p_state_name(s7p_conn_state s)
{
    switch (s) {
    case S7P_STATE_DISCONNECTED: return "disconnected";
    case S7P_STATE_CONNECTING: return "connecting";
    case S7P_STATE_CONNECTED: return "connected";
    case S7P_STATE_FAULTED: return "faulted";
    case S7P_STATE_DISCONNECTING: return "disconnecting";
    }
    return "unknown";
}

/* ---- callbacks ---- */

/* Appends a callback to the client's queue (lock held). The array is compacted before it
 * grows, so a queue that never runs empty stays as large as its backlog. */
void s7p_client_queue(s7p_client *c, const s7p_event *e)
{
    if (c->events_n == c->events_cap && c->events_next > 0) {
        memmove(c->events, c->events + c->events_next,
                (c->events_n - c->events_next) * sizeof *c->events);
        c->events_n -= c->events_next;
        c->events_next = 0;
    }
    if (c->events_n == c->events_cap) {
        size_t cap = c->events_cap ? 2 * c->events_cap : 16;
        s7p_event *grown = s7p_realloc(c->events, cap * sizeof *grown);
        if (!grown) {
            s7p_logf(&c->log, S7P_LOG_ERROR, LAYER, "%s: out of memory, a callback is lost",
                     c->endpoint);
            if (e->kind == EV_DONE) s7p_req_free(e->req);
            return;
        }
        c->events = grown;
        c->events_cap = cap;
    }
    c->events[c->events_n++] = *e;
}

void s7p_client_set_state(s7p_client *c, s7p_conn_state to)
{
    if (c->state == to) return;
    if (c->opt.on_state) {
        s7p_event e = {.kind = EV_STATE, .from = c->state, .to = to};
        s7p_client_queue(c, &e);
    }
    s7p_logf(&c->log, S7P_LOG_INFO, LAYER, "%s: %s -> %s", c->endpoint, s7p_state_name(c->state),
             s7p_state_name(to));
    c->state = to;
    atomic_store(&c->pub_state, (int)to);
}

void s7p_client_enter(s7p_client *c) { atomic_fetch_add(&c->calls, 1); }

void s7p_client_leave_locked(s7p_client *c)
{
    if (atomic_fetch_sub(&c->calls, 1) == 1) pthread_cond_broadcast(&c->idle);
}

/* Delivers the queued callbacks in order (lock held on entry and exit, released around each
 * callback). Events that other threads, or the callbacks themselves, queue meanwhile are
 * delivered too, so the queue is empty when this returns. */
void s7p_client_deliver(s7p_client *c)
{
    if (c->delivering) return;
    c->delivering = true;
    while (c->events_next < c->events_n) {
        s7p_event e = c->events[c->events_next++];
        if (e.kind == EV_SUB) {
            s7p_subs_deliver(c, &e);
            continue;
        }
        pthread_mutex_unlock(&c->lock);
        if (e.kind == EV_ERROR) c->opt.on_comm_error(c->opt.comm_error_ctx, &e.err);
        else if (e.kind == EV_STATE) c->opt.on_state(c->opt.state_ctx, e.from, e.to);
        else e.req->done_fn(e.req->done_ctx, e.req->id, e.req->st, &e.req->err);
        pthread_mutex_lock(&c->lock);
        if (e.kind == EV_DONE) s7p_req_free(e.req);
    }
    c->events_next = c->events_n = 0;
    c->delivering = false;
}

/* ---- requests ---- */

/* Bytes of the operations' union that a request of this kind uses. */
static size_t op_size(s7p_req_kind kind)
{
    const s7p_req *r = NULL;
    switch (kind) {
    case RQ_INFO: return sizeof r->u.info;
    case RQ_READ: case RQ_WRITE: return sizeof r->u.rw;
    case RQ_CPU: return sizeof r->u.cpu;
    case RQ_LEGIT: return sizeof r->u.legit;
    case RQ_ALARMS: return sizeof r->u.alarms;
    case RQ_SUBSCRIBE: case RQ_SUB_MODIFY: case RQ_UNSUBSCRIBE: return sizeof r->u.sub;
    default: return sizeof r->u;
    }
}

s7p_req *s7p_req_new(s7p_client *c, s7p_req_kind kind, const char *name, int flags)
{
    /* The union is as large as its largest member (a browse, 3 KiB); a read uses a fifth of
     * it. Zeroing only the part of the request's kind keeps a call's set-up cheap. */
    s7p_req *r = s7p_malloc(sizeof *r);
    if (!r) return NULL;
    size_t u = offsetof(s7p_req, u), after = u + sizeof r->u;
    memset(r, 0, u + op_size(kind));
    memset((char *)r + after, 0, sizeof *r - after);
    r->c = c;
    r->kind = kind;
    r->name = name;
    r->flags = flags;
    r->retry = (flags & S7P_OP_RETRYABLE) && c->opt.auto_reconnect;
    return r;
}

void s7p_req_free(s7p_req *r)
{
    if (!r) return;
    if (r->kind == RQ_READ || r->kind == RQ_WRITE) s7p_rw_op_free(&r->u.rw);
    if (r->kind == RQ_SUBSCRIBE || r->kind == RQ_SUB_MODIFY || r->kind == RQ_UNSUBSCRIBE)
        s7p_sub_op_free(&r->u.sub);
    s7p_free(r->symbol);
    s7p_secret_free(r->password);
    s7p_secret_free(r->username);
    s7p_free(r->sub_tags);
    s7p_free(r->sub_numbers);
    s7p_free(r);
}

static void list_remove(s7p_req **head, s7p_req **tail, s7p_req *r)
{
    if (r->prev) r->prev->next = r->next;
    else *head = r->next;
    if (r->next) r->next->prev = r->prev;
    else if (tail) *tail = r->prev;
    r->next = r->prev = NULL;
}

/* Requests that run alone (they change the connection), and those that use the cache. */
static bool runs_alone(const s7p_req *r)
{
    return r->kind == RQ_CONNECT || r->kind == RQ_DISCONNECT || r->kind == RQ_LEGIT ||
           r->reconnect;
}

static bool uses_cache(const s7p_req *r)
{
    return r->kind == RQ_BROWSE || r->kind == RQ_SYMBOL ||
           ((r->kind == RQ_READ || r->kind == RQ_WRITE) && s7p_program_unchecked(r->tags, r->n));
}

/* Requests that change subscriptions run one at a time: a change or delete must find the
 * create before it finished. */
static bool changes_subscriptions(const s7p_req *r)
{
    return r->kind == RQ_SUBSCRIBE || r->kind == RQ_SUB_MODIFY || r->kind == RQ_UNSUBSCRIBE;
}

/* Whether r may start beside the requests running now. */
static bool may_start(const s7p_client *c, const s7p_req *r)
{
    if (c->n_alone) return false;
    if (runs_alone(r)) return c->n_active == 0;
    if (changes_subscriptions(r) && c->n_sub) return false;
    return !uses_cache(r) || c->n_cache == 0;
}

static void activate(s7p_client *c, s7p_req *r)
{
    r->where = RQ_ACTIVE;
    r->next = c->active;
    if (c->active) c->active->prev = r;
    c->active = r;
    c->n_active++;
    /* What r counts as is fixed here: a reconnect before its operation clears r->reconnect
     * while r is still active, and the counts must come down as they went up. */
    r->counted_alone = runs_alone(r);
    r->counted_cache = !r->counted_alone && uses_cache(r);
    if (r->counted_alone) c->n_alone++;
    if (r->counted_cache) c->n_cache++;
    r->counted_sub = changes_subscriptions(r);
    if (r->counted_sub) c->n_sub++;
}

static void deactivate(s7p_client *c, s7p_req *r)
{
    list_remove(&c->active, NULL, r);
    c->n_active--;
    if (r->counted_alone) c->n_alone--;
    if (r->counted_cache) c->n_cache--;
    if (r->counted_sub) c->n_sub--;
    r->counted_alone = r->counted_cache = r->counted_sub = false;
}

/* r reconnected and now runs its operation: it no longer runs alone, so it is counted
 * again as what it is now (the requests waiting behind it may start beside it). */
void s7p_req_reconnected(s7p_client *c, s7p_req *r)
{
    deactivate(c, r);
    r->reconnect = false;
    activate(c, r);
    s7p_req_run_op(c, r);
}

/* Failures about the link or the PLC, as opposed to the caller's arguments or state. */
static bool is_comm_error(s7p_status st)
{
    switch (st) {
    case S7P_E_RESOLVE: case S7P_E_CONNECT: case S7P_E_TIMEOUT: case S7P_E_CLOSED:
    case S7P_E_IO: case S7P_E_TLS: case S7P_E_TLS_VERIFY: case S7P_E_PROTOCOL:
    case S7P_E_PLC: case S7P_E_AUTH: case S7P_E_UNSUPPORTED: case S7P_E_SECURITY_MODE:
    case S7P_E_INTEGRITY:
        return true;
    default:
        return false;
    }
}

void s7p_req_complete(s7p_client *c, s7p_req *r, s7p_status st)
{
    if (r->where == RQ_WAITING) list_remove(&c->waiting, &c->waiting_tail, r);
    else if (r->where == RQ_ACTIVE || r->where == RQ_FINISHED) deactivate(c, r);
    r->where = RQ_DONE;
    r->op_live = false;
    if (st != S7P_OK && r->f.code == S7P_OK) s7p_fail_set(&r->f, st, "%s failed", r->name);
    r->st = s7p_client_finish(c, r->name, st, &r->f, &r->err);
    if (st != S7P_OK && is_comm_error(st) && c->opt.on_comm_error) {
        s7p_event e = {.kind = EV_ERROR, .err = r->err};
        s7p_client_queue(c, &e);
    }
    if (r->on_finish) r->on_finish(c, r);
    if (r->internal) {
        s7p_req_free(r);
        return;
    }
    if (r->blocking) {
        r->done = true;
        pthread_cond_broadcast(&c->wake);
    } else {
        s7p_event e = {.kind = EV_DONE, .req = r};
        s7p_client_queue(c, &e);
    }
}

/* After a failed attempt, automatic ones wait for the reconnect interval so that a dead PLC
 * is not hammered; meanwhile a call fails at once with the last attempt's error. */
static bool reconnect_allowed(s7p_client *c, s7p_fail *f)
{
    int64_t wait = c->next_connect_ms - s7p_now_ms();
    if (!c->last_connect_failed || wait <= 0) return true;
    *f = c->last_connect_fail;
    snprintf(f->msg, sizeof f->msg, "%.140s (next reconnect attempt in %d ms)",
             c->last_connect_fail.msg, (int)wait);
    return false;
}

/* Starts r: a reconnect first when it needs one, then its operation. */
static void start(s7p_client *c, s7p_req *r)
{
    activate(c, r);
    if (r->kind == RQ_CONNECT) {
        s7p_conn_begin(c, r);
        return;
    }
    if (r->kind == RQ_DISCONNECT) {
        s7p_disconnect_begin(c, r);
        return;
    }
    if (r->reconnect && c->session.open && c->sessions != r->failed_session) {
        /* Another request reconnected since r failed: r runs on that new session (a second
         * reconnect would close a healthy session, and its failure would leave the client
         * DISCONNECTED instead of FAULTED). */
        s7p_req_reconnected(c, r);
        return;
    }
    if (r->reconnect) {
        if (!reconnect_allowed(c, &r->f)) {
            s7p_req_complete(c, r, r->f.code);
            return;
        }
        if (c->session.open) s7p_client_shut(c);
        s7p_logf(&c->log, S7P_LOG_INFO, LAYER, "%s: reconnecting", c->endpoint);
        s7p_conn_begin(c, r);
        return;
    }
    if ((r->flags & S7P_OP_NEEDS_SESSION) && !c->session.open) {
        if (c->idle_fault_pending && c->state == S7P_STATE_FAULTED) {
            c->idle_fault_pending = false;
            r->f = c->idle_fault;
        } else {
            s7p_fail_set(&r->f, S7P_E_STATE, "not connected");
        }
        s7p_req_complete(c, r, r->f.code);
        return;
    }
    s7p_req_run_op(c, r);
}

/* Starts waiting requests in order while they may run. */
static bool pump(s7p_client *c)
{
    bool started = false;
    while (c->waiting && may_start(c, c->waiting)) {
        s7p_req *r = c->waiting;
        list_remove(&c->waiting, &c->waiting_tail, r);
        /* A faulted client reconnects first; that counts as the one retry. */
        if (r->retry && !c->session.open && c->state == S7P_STATE_FAULTED && !r->reconnect &&
            r->kind != RQ_CONNECT && r->kind != RQ_DISCONNECT) {
            r->retry = false;
            r->reconnect = true;
            r->failed_session = c->sessions;
            if (!may_start(c, r)) {  /* now it runs alone: wait for the others */
                r->next = c->waiting;
                if (c->waiting) c->waiting->prev = r;
                else c->waiting_tail = r;
                c->waiting = r;
                r->where = RQ_WAITING;
                return started;
            }
        }
        start(c, r);
        started = true;
    }
    return started;
}

static void settle(s7p_client *c, bool writable);

void s7p_req_enqueue(s7p_client *c, s7p_req *r)
{
    r->id = ++c->next_id;
    r->where = RQ_WAITING;
    r->prev = c->waiting_tail;
    r->next = NULL;
    if (c->waiting_tail) c->waiting_tail->next = r;
    else c->waiting = r;
    c->waiting_tail = r;
}

void s7p_req_submit(s7p_client *c, s7p_req *r)
{
    s7p_req_enqueue(c, r);
    settle(c, false);  /* an operation may finish at once (all it needs is cached) */
    s7p_driver_poke(c);
}

/* The operation of r ended (called from the operation's done, inside an engine call). */
void s7p_req_op_done(void *ctx, s7p_op *op)
{
    s7p_req *r = ctx;
    r->op_live = false;
    r->st = op->st;
    if (op->st != S7P_OK && r->f.code == S7P_OK) r->f = op->f;
    r->where = RQ_FINISHED;  /* still counted active: settle() decides what follows */
}

/* An active request will report the session's fault (it did not finish, or not well). */
static bool fault_seen(const s7p_client *c)
{
    for (const s7p_req *r = c->active; r; r = r->next)
        if (r->where != RQ_FINISHED || r->st != S7P_OK) return true;
    return false;
}

/* A broken session is closed: the client is FAULTED until it reconnects. An idle client's
 * failure (the heartbeat) is reported as a communication error of its own. */
static void fault_if_broken(s7p_client *c)
{
    if (!c->session.open || c->session.eng.phase != S7P_ENGINE_FAULTED) return;
    /* No call sees it: the next one reports it, as a blocking client that read it then would
     * (a legacy session's replayed answer read right after the one it copies). */
    c->idle_fault_pending = !fault_seen(c);
    c->idle_fault = c->session.eng.fault;
    if (c->n_active == 0 && c->opt.on_comm_error) {
        s7p_error e;
        s7p_error_fill(&e, "heartbeat", c->endpoint, &c->session.eng.fault);
        s7p_logf(&c->log, S7P_LOG_WARN, LAYER, "%s", e.message);
        s7p_event ev = {.kind = EV_ERROR, .err = e};
        s7p_client_queue(c, &ev);
    }
    s7p_client_shut(c);
    s7p_client_set_state(c, S7P_STATE_FAULTED);
}

/* A finished operation: done, or once more after reconnecting (auto_reconnect). */
static void after_op(s7p_client *c, s7p_req *r)
{
    s7p_status st = r->st;
    if (st == S7P_OK || !r->retry || r->no_retry || r->cancelled ||
        !s7p_error_is_transient(st, s7p_ret_code(r->f.plc_return))) {
        s7p_req_complete(c, r, st);
        return;
    }
    s7p_logf(&c->log, S7P_LOG_WARN, LAYER, "%s: %s; retrying once after reconnecting",
             c->endpoint, r->f.msg);
    deactivate(c, r);
    memset(&r->f, 0, sizeof r->f);
    r->retry = false;
    r->reconnect = true;
    r->failed_session = c->sessions;
    /* First in line: it runs as soon as the requests still running are done. */
    r->where = RQ_WAITING;
    r->prev = NULL;
    r->next = c->waiting;
    if (c->waiting) c->waiting->prev = r;
    else c->waiting_tail = r;
    c->waiting = r;
}

/* Settles what the last engine calls did: the session's fault, the connect or close in
 * progress, finished operations; then starts what may start. */
static void settle(s7p_client *c, bool writable)
{
    for (int round = 0; round < 64; round++) {
        bool again = false;
        s7p_conn_settle(c, writable);
        writable = false;
        fault_if_broken(c);
        for (s7p_req *r = c->active, *next; r; r = next) {
            next = r->next;
            if (r->where != RQ_FINISHED) continue;
            after_op(c, r);
            again = true;
        }
        if (s7p_subs_settle(c)) again = true;  /* timers, re-creations due */
        if (pump(c)) again = true;  /* what started may have finished at once */
        s7p_driver_flush(c);
        if (!again) break;
    }
}

/* ---- the engine over the socket ---- */

int s7p_driver_fd(const s7p_client *c)
{
    if (c->conn_fd >= 0) return c->conn_fd;
    return c->session.ch.rx || c->session.open ? c->session.ch.iso.fd : -1;
}

static bool engine_live(const s7p_client *c)
{
    return c->conn_fd < 0 && s7p_driver_fd(c) >= 0 && c->session.eng.link &&
           c->session.eng.phase != S7P_ENGINE_FAULTED;
}

short s7p_driver_events(const s7p_client *c)
{
    if (c->conn_fd >= 0) return POLLOUT;
    if (!engine_live(c)) return 0;
    return (short)(POLLIN | (s7p_engine_wants_write(&c->session.eng) ? POLLOUT : 0));
}

static int64_t engine_deadline(const s7p_client *c)
{
    if (c->conn_fd >= 0) return c->conn_deadline;
    if (!engine_live(c)) return INT64_MAX;
    /* Decoding paused for a lent answer goes on at the next tick. */
    if (s7p_engine_paused(&c->session.eng)) return s7p_now_ms();
    return s7p_engine_next_deadline(&c->session.eng);
}

int64_t s7p_driver_deadline(const s7p_client *c)
{
    int64_t t = engine_deadline(c), subs = s7p_subs_deadline(c);
    return subs < t ? subs : t;
}

void s7p_driver_flush(s7p_client *c)
{
    while (engine_live(c) && s7p_engine_wants_write(&c->session.eng)) {
        const uint8_t *p;
        size_t n;
        s7p_engine_output(&c->session.eng, &p, &n);
        ssize_t w = send(s7p_driver_fd(c), p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w > 0) {
            s7p_engine_consumed(&c->session.eng, (size_t)w);
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        int err = w < 0 ? errno : 0;
        s7p_engine_transport_failed(&c->session.eng,
                                    err == EPIPE || err == ECONNRESET ? S7P_E_CLOSED : S7P_E_IO,
                                    true, err);
    }
}

/* Feeds what the socket holds (a bounded amount per turn, so one busy session does not
 * starve the others of a shared loop). */
static void receive(s7p_client *c)
{
    uint8_t buf[16384];
    for (int i = 0; i < 16 && engine_live(c); i++) {
        ssize_t got = recv(s7p_driver_fd(c), buf, sizeof buf, MSG_DONTWAIT);
        if (got > 0) {
            s7p_engine_feed(&c->session.eng, buf, (size_t)got, s7p_now_ms());
            if ((size_t)got < sizeof buf) return;
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        int err = got < 0 ? errno : 0;
        s7p_engine_transport_failed(&c->session.eng, got == 0 || err == ECONNRESET
                                                         ? S7P_E_CLOSED : S7P_E_IO,
                                    false, err);
    }
}

void s7p_driver_io(s7p_client *c, bool readable, bool writable)
{
    bool connect_ready = c->conn_fd >= 0 && writable;
    if (!connect_ready && engine_live(c)) {
        if (readable) receive(c);
        s7p_engine_tick(&c->session.eng, s7p_now_ms());
        s7p_driver_flush(c);
    }
    settle(c, connect_ready);
}

void s7p_driver_poke(s7p_client *c)
{
    if (c->leader) s7p_wake_signal(&c->wake_fd);
}

static void drain_wake(s7p_client *c)
{
    s7p_wake_drain(&c->wake_fd);
}

/* One poll of the socket as the leader, at the latest until `until`: the lock is released
 * while waiting. */
static void lead_once(s7p_client *c, int64_t until)
{
    c->leader = true;
    struct pollfd p[2] = {{c->wake_fd.fd[0], POLLIN, 0}, {s7p_driver_fd(c), s7p_driver_events(c), 0}};
    int64_t deadline = s7p_driver_deadline(c);
    if (until < deadline) deadline = until;
    int64_t now = s7p_now_ms();
    /* Every wait is bounded: a lost wake-up costs at most one interval, never a hang. */
    int timeout = deadline <= now ? 0
                  : deadline - now > LEADER_POLL_MAX_MS ? LEADER_POLL_MAX_MS
                  : (int)(deadline - now);
    nfds_t n = p[1].fd >= 0 && p[1].events ? 2 : 1;
    pthread_mutex_unlock(&c->lock);
    int rc = poll(p, n, timeout);
    pthread_mutex_lock(&c->lock);
    c->leader = false;
    if (rc > 0 && (p[0].revents & POLLIN)) drain_wake(c);
    bool rd = n == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR));
    bool wr = n == 2 && (p[1].revents & (POLLOUT | POLLHUP | POLLERR));
    s7p_driver_io(c, rd, wr);
    pthread_cond_broadcast(&c->wake);
}

/* Drives the client until r completed: one waiting thread at a time polls (the leader), the
 * others sleep on the condition variable and one of them takes over when it returns. With
 * an I/O thread, that thread is the only leader. */
static void wait_for(s7p_client *c, s7p_req *r)
{
    while (!r->done) {
        if (c->leader || c->io_running) {
            pthread_cond_wait(&c->wake, &c->lock);
        } else {
            lead_once(c, INT64_MAX);
            /* Completions of asynchronous requests this thread drove. */
            if (!r->done) s7p_client_deliver(c);
        }
    }
}

void s7p_driver_wait(s7p_client *c, int64_t until)
{
    if (c->leader || c->io_running) {
        /* Another thread drives: it broadcasts after every turn and whenever a notification
         * is queued; the bound is a safety net. */
        int64_t left = until - s7p_now_ms();
        if (left <= 0) return;
        if (left > LEADER_POLL_MAX_MS) left = LEADER_POLL_MAX_MS;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)(left / 1000);
        ts.tv_nsec += (long)(left % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->wake, &c->lock, &ts);
        return;
    }
    lead_once(c, until);
    s7p_client_deliver(c);
}

s7p_status s7p_req_run(s7p_client *c, s7p_req *r, s7p_error *err)
{
    r->blocking = true;
    s7p_client_enter(c);
    pthread_mutex_lock(&c->lock);
    s7p_req_submit(c, r);
    wait_for(c, r);
    s7p_status st = r->st;
    if (err) *err = r->err;
    /* One thread at a time delivers, so callbacks arrive in the order of the changes; a
     * call made from inside a callback only queues its own. */
    s7p_client_deliver(c);
    s7p_client_leave_locked(c);
    pthread_mutex_unlock(&c->lock);
    s7p_req_free(r);
    return st;
}

s7p_status s7p_req_start(s7p_client *c, s7p_req *r, uint64_t *id)
{
    s7p_client_enter(c);
    pthread_mutex_lock(&c->lock);
    s7p_req_submit(c, r);
    if (id) *id = r->id;  /* set before it may complete and be freed by a delivery */
    if (!c->io_running && !c->leader) s7p_client_deliver(c);
    s7p_client_leave_locked(c);
    pthread_mutex_unlock(&c->lock);
    return S7P_OK;
}

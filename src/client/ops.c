/* Running an API call: the lock, the connection state machine, automatic reconnection for
 * calls that may be repeated, and the callbacks, delivered once the lock is released. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "client/client_int.h"
#include "util/alloc.h"
#include "util/clock.h"

#define LAYER "client"

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

/* Appends a callback to the client's queue (lock held). The array is compacted before it
 * grows, so a queue that never runs empty stays as large as its backlog. */
static void queue_event(s7p_client *c, const s7p_event *e)
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
            return;
        }
        c->events = grown;
        c->events_cap = cap;
    }
    c->events[c->events_n++] = *e;
}

void s7p_client_set_state(s7p_client *c, s7p_events *ev, s7p_conn_state to)
{
    (void)ev;
    if (c->state == to) return;
    if (c->opt.on_state) {
        s7p_event e = {.is_error = false, .from = c->state, .to = to};
        queue_event(c, &e);
    }
    s7p_logf(&c->log, S7P_LOG_INFO, LAYER, "%s: %s -> %s", c->endpoint, s7p_state_name(c->state),
             s7p_state_name(to));
    c->state = to;
}

void s7p_client_enter(s7p_client *c)
{
    atomic_fetch_add(&c->calls, 1);
}

void s7p_client_leave_locked(s7p_client *c)
{
    if (atomic_fetch_sub(&c->calls, 1) == 1) pthread_cond_broadcast(&c->idle);
}

/* Failures about the link or the PLC, as opposed to the caller's arguments or state. */
static bool is_comm_error(s7p_status st)
{
    switch (st) {
    case S7P_E_RESOLVE: case S7P_E_CONNECT: case S7P_E_TIMEOUT: case S7P_E_CLOSED:
    case S7P_E_IO: case S7P_E_TLS: case S7P_E_TLS_VERIFY: case S7P_E_PROTOCOL:
    case S7P_E_PLC: case S7P_E_AUTH: case S7P_E_UNSUPPORTED:
        return true;
    default:
        return false;
    }
}

/* A session whose channel broke is closed: the client is FAULTED until it reconnects. */
static void fault_if_broken(s7p_client *c, s7p_events *ev)
{
    if (!c->session.open || c->session.ch.err == S7P_OK) return;
    s7p_session_close(&c->session, 0);
    s7p_client_set_state(c, ev, S7P_STATE_FAULTED);
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

static s7p_status reconnect(s7p_client *c, s7p_events *ev, s7p_fail *f)
{
    if (!reconnect_allowed(c, f)) return f->code;
    if (c->session.open) s7p_session_close(&c->session, s7p_deadline_in(c->opt.disconnect_timeout_ms));
    s7p_logf(&c->log, S7P_LOG_INFO, LAYER, "%s: reconnecting", c->endpoint);
    return s7p_client_connect_locked(c, ev, f);
}

static s7p_status run_locked(s7p_client *c, int flags, s7p_locked_op fn, void *arg,
                             s7p_events *ev, s7p_fail *f)
{
    bool retry = (flags & S7P_OP_RETRYABLE) && c->opt.auto_reconnect;
    s7p_status st = S7P_OK;
    /* A faulted client reconnects first; that counts as the one retry. */
    if (!c->session.open && retry && c->state == S7P_STATE_FAULTED) {
        retry = false;
        st = reconnect(c, ev, f);
    }
    if (st == S7P_OK && (flags & S7P_OP_NEEDS_SESSION) && !c->session.open)
        st = s7p_fail_set(f, S7P_E_STATE, "not connected");
    if (st == S7P_OK) st = fn(c, arg, ev, f);
    fault_if_broken(c, ev);
    if (st == S7P_OK || !retry || ev->no_retry ||
        !s7p_error_is_transient(st, s7p_ret_code(f->plc_return)))
        return st;
    s7p_logf(&c->log, S7P_LOG_WARN, LAYER, "%s: %s; retrying once after reconnecting", c->endpoint,
             f->msg);
    memset(f, 0, sizeof *f);
    st = reconnect(c, ev, f);
    if (st == S7P_OK) st = fn(c, arg, ev, f);
    fault_if_broken(c, ev);
    return st;
}

/* Delivers the queued callbacks in order (lock held on entry and exit, released around each
 * callback). Events that other threads, or the callbacks themselves, queue meanwhile are
 * delivered too, so the queue is empty when this returns. */
static void deliver_locked(s7p_client *c)
{
    while (c->events_next < c->events_n) {
        s7p_event e = c->events[c->events_next++];
        pthread_mutex_unlock(&c->lock);
        if (e.is_error) c->opt.on_comm_error(c->opt.comm_error_ctx, &e.err);
        else c->opt.on_state(c->opt.state_ctx, e.from, e.to);
        pthread_mutex_lock(&c->lock);
    }
    c->events_next = c->events_n = 0;
    c->delivering = false;
}

s7p_status s7p_client_run(s7p_client *c, const char *op, int flags, s7p_locked_op fn,
                          void *arg, s7p_error *err)
{
    s7p_events ev;
    s7p_fail f;
    memset(&ev, 0, sizeof ev);
    memset(&f, 0, sizeof f);
    s7p_client_enter(c);
    pthread_mutex_lock(&c->lock);
    s7p_status st = run_locked(c, flags, fn, arg, &ev, &f);
    s7p_error mine;
    st = s7p_client_finish(c, op, st, &f, &mine);
    if (err) *err = mine;
    if (st != S7P_OK && is_comm_error(st) && c->opt.on_comm_error) {
        s7p_event e = {.is_error = true, .err = mine};
        queue_event(c, &e);
    }
    /* One thread at a time delivers, so callbacks arrive in the order of the changes; a
     * call made from inside a callback only queues its own. */
    if (!c->delivering) {
        c->delivering = true;
        deliver_locked(c);
    }
    s7p_client_leave_locked(c);
    pthread_mutex_unlock(&c->lock);
    return st;
}

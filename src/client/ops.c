/* Running an API call: the lock, the connection state machine, automatic reconnection for
 * calls that may be repeated, and the callbacks, delivered once the lock is released. */
#include "client/client_int.h"
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

void s7p_client_set_state(s7p_client *c, s7p_events *ev, s7p_conn_state to)
{
    if (c->state == to) return;
    if (ev->n < (int)(sizeof ev->to / sizeof ev->to[0])) {
        ev->from[ev->n] = c->state;
        ev->to[ev->n] = to;
        ev->n++;
    }
    s7p_logf(&c->log, S7P_LOG_INFO, LAYER, "%s: %s -> %s", c->endpoint, s7p_state_name(c->state),
             s7p_state_name(to));
    c->state = to;
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

static s7p_status reconnect(s7p_client *c, s7p_events *ev, s7p_fail *f)
{
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
    if (st == S7P_OK || !retry || !s7p_error_is_transient(st, s7p_ret_code(f->plc_return)))
        return st;
    s7p_logf(&c->log, S7P_LOG_WARN, LAYER, "%s: %s; retrying once after reconnecting", c->endpoint,
             f->msg);
    memset(f, 0, sizeof *f);
    st = reconnect(c, ev, f);
    if (st == S7P_OK) st = fn(c, arg, ev, f);
    fault_if_broken(c, ev);
    return st;
}

s7p_status s7p_client_run(s7p_client *c, const char *op, int flags, s7p_locked_op fn,
                          void *arg, s7p_error *err)
{
    s7p_events ev;
    s7p_fail f;
    memset(&ev, 0, sizeof ev);
    memset(&f, 0, sizeof f);
    pthread_mutex_lock(&c->lock);
    s7p_status st = run_locked(c, flags, fn, arg, &ev, &f);
    pthread_mutex_unlock(&c->lock);
    s7p_error mine;
    st = s7p_client_finish(c, op, st, &f, &mine);
    if (err) *err = mine;
    for (int i = 0; i < ev.n && c->opt.on_state; i++)
        c->opt.on_state(c->opt.state_ctx, ev.from[i], ev.to[i]);
    if (st != S7P_OK && is_comm_error(st) && c->opt.on_comm_error)
        c->opt.on_comm_error(c->opt.comm_error_ctx, &mine);
    return st;
}

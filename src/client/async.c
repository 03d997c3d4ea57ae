/* SPDX-License-Identifier: MIT */
/* The non-blocking API: asynchronous requests, cancel, the caller's event loop
 * (fd / want / next_timeout / process) and the optional I/O thread. */
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "client/client_int.h"
#include "util/clock.h"

static s7p_status start_async(s7p_client *c, s7p_req *r, s7p_done_fn done, void *ctx,
                              s7p_request_id *id)
{
    if (!r) return S7P_E_NOMEM;
    r->done_fn = done;
    r->done_ctx = ctx;
    return s7p_req_start(c, r, id);
}

s7p_status s7p_connect_async(s7p_client *c, s7p_done_fn done, void *ctx, s7p_request_id *id)
{
    if (!c || !done) return S7P_E_INVALID_ARG;
    return start_async(c, s7p_req_new(c, RQ_CONNECT, "connect", 0), done, ctx, id);
}

s7p_status s7p_disconnect_async(s7p_client *c, s7p_done_fn done, void *ctx, s7p_request_id *id)
{
    if (!c || !done) return S7P_E_INVALID_ARG;
    return start_async(c, s7p_req_new(c, RQ_DISCONNECT, "disconnect", 0), done, ctx, id);
}

s7p_status s7p_get_cpu_info_async(s7p_client *c, s7p_cpu_info *out, s7p_done_fn done,
                                  void *ctx, s7p_request_id *id)
{
    if (!c || !out || !done) return S7P_E_INVALID_ARG;
    s7p_req *r = s7p_req_new(c, RQ_INFO, "info", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE);
    if (r) r->info_out = out;
    return start_async(c, r, done, ctx, id);
}

s7p_status s7p_browse_async(s7p_client *c, s7p_browse_fn fn, void *fn_ctx, s7p_done_fn done,
                            void *ctx, s7p_request_id *id)
{
    if (!c || !fn || !done) return S7P_E_INVALID_ARG;
    return start_async(c, s7p_browse_req(c, fn, fn_ctx), done, ctx, id);
}

s7p_status s7p_tag_by_symbol_async(s7p_client *c, const char *symbol, s7p_tag *out,
                                   s7p_done_fn done, void *ctx, s7p_request_id *id)
{
    if (!c || !symbol || !out || !done) return S7P_E_INVALID_ARG;
    return start_async(c, s7p_symbol_req(c, symbol, out), done, ctx, id);
}

s7p_status s7p_read_async(s7p_client *c, const s7p_tag *tags, size_t n, s7p_tag_value *values,
                          s7p_item_result *results, s7p_done_fn done, void *ctx,
                          s7p_request_id *id)
{
    if (!c || !done || (n && (!tags || !values || !results))) return S7P_E_INVALID_ARG;
    return start_async(c, s7p_rw_req(c, false, tags, n, values, NULL, results), done, ctx, id);
}

s7p_status s7p_write_async(s7p_client *c, const s7p_tag *tags, size_t n,
                           const s7p_tag_value *values, s7p_item_result *results,
                           s7p_done_fn done, void *ctx, s7p_request_id *id)
{
    if (!c || !done || (n && (!tags || !values || !results))) return S7P_E_INVALID_ARG;
    return start_async(c, s7p_rw_req(c, true, tags, n, NULL, values, results), done, ctx, id);
}

/* ---- cancel ---- */

static s7p_op *op_of(s7p_req *r)
{
    switch (r->kind) {
    case RQ_INFO: return &r->u.info.op;
    case RQ_READ: case RQ_WRITE: return &r->u.rw.op;
    case RQ_BROWSE: case RQ_SYMBOL: return &r->u.browse.op;
    case RQ_CPU: return &r->u.cpu.op;
    case RQ_LEGIT: return &r->u.legit.op;
    case RQ_ALARMS: return &r->u.alarms.op;
    case RQ_SUBSCRIBE: case RQ_SUB_MODIFY: case RQ_UNSUBSCRIBE: return &r->u.sub.op;
    default: return NULL;
    }
}

/* Cancels r (lock held): false when it cannot be (a connect or disconnect in progress). */
static bool cancel_req(s7p_client *c, s7p_req *r)
{
    if (r->where == RQ_WAITING) {
        s7p_fail_set(&r->f, S7P_E_CANCELLED, "%s: cancelled before it was sent", r->name);
        s7p_req_complete(c, r, S7P_E_CANCELLED);
        return true;
    }
    if (r->where == RQ_FINISHED) {
        r->cancelled = true;  /* no retry */
        return true;
    }
    if (!r->op_live || !op_of(r)) return false;
    r->cancelled = true;
    s7p_fail_set(&r->f, S7P_E_CANCELLED, "%s: cancelled", r->name);
    s7p_op_cancel(op_of(r));
    return true;
}

static s7p_req *find(s7p_client *c, s7p_request_id id)
{
    for (s7p_req *r = c->waiting; r; r = r->next)
        if (r->id == id) return r;
    for (s7p_req *r = c->active; r; r = r->next)
        if (r->id == id) return r;
    return NULL;
}

s7p_status s7p_cancel(s7p_client *c, s7p_request_id id)
{
    if (!c || !id) return S7P_E_INVALID_ARG;
    s7p_client_enter(c);
    pthread_mutex_lock(&c->lock);
    s7p_req *r = find(c, id);
    s7p_status st = !r ? S7P_E_NOT_FOUND : cancel_req(c, r) ? S7P_OK : S7P_E_STATE;
    if (st == S7P_OK) {
        s7p_driver_io(c, false, false);  /* settles it now: its completion is queued */
        s7p_driver_poke(c);
        s7p_client_deliver(c);
    }
    s7p_client_leave_locked(c);
    pthread_mutex_unlock(&c->lock);
    return st;
}

void s7p_client_cancel_all(s7p_client *c)
{
    while (c->waiting) cancel_req(c, c->waiting);
    for (s7p_req *r = c->active, *next; r; r = next) {
        next = r->next;
        if (r->where == RQ_ACTIVE && !cancel_req(c, r)) {
            /* a connect or disconnect in progress: ends with the session */
            s7p_fail_set(&r->f, S7P_E_CANCELLED, "%s: client freed", r->name);
            c->conn_req = NULL;
            s7p_req_complete(c, r, S7P_E_CANCELLED);
        }
    }
    for (s7p_req *r = c->active, *next; r; r = next) {
        next = r->next;
        if (r->where == RQ_FINISHED) s7p_req_complete(c, r, r->st);
    }
}

/* ---- the caller's event loop ---- */

int s7p_client_fd(s7p_client *c)
{
    if (!c) return -1;
    pthread_mutex_lock(&c->lock);
    int fd = s7p_driver_fd(c);
    pthread_mutex_unlock(&c->lock);
    return fd;
}

unsigned s7p_client_want(s7p_client *c)
{
    if (!c) return 0;
    pthread_mutex_lock(&c->lock);
    short ev = s7p_driver_events(c);
    pthread_mutex_unlock(&c->lock);
    return ((ev & POLLIN) ? S7P_WANT_READ : 0u) | ((ev & POLLOUT) ? S7P_WANT_WRITE : 0u);
}

int s7p_client_next_timeout(s7p_client *c)
{
    if (!c) return -1;
    pthread_mutex_lock(&c->lock);
    int64_t d = s7p_driver_deadline(c);
    pthread_mutex_unlock(&c->lock);
    if (d == INT64_MAX) return -1;
    int64_t left = d - s7p_now_ms();
    return left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
}

s7p_status s7p_client_process(s7p_client *c)
{
    if (!c) return S7P_E_INVALID_ARG;
    s7p_client_enter(c);
    pthread_mutex_lock(&c->lock);
    /* Non-blocking reads and writes find out themselves what the socket is ready for; a TCP
     * connect in progress must not be taken for established, so it is asked. */
    bool writable = true;
    if (c->conn_fd >= 0) {
        struct pollfd p = {c->conn_fd, POLLOUT, 0};
        writable = poll(&p, 1, 0) > 0 && p.revents != 0;
    }
    s7p_driver_io(c, true, writable);
    s7p_client_deliver(c);
    s7p_client_leave_locked(c);
    pthread_mutex_unlock(&c->lock);
    return S7P_OK;
}

/* ---- the I/O thread ---- */

static void *io_main(void *arg)
{
    s7p_client *c = arg;
    pthread_mutex_lock(&c->lock);
    while (!c->io_stop) {
        c->leader = true;
        struct pollfd p[2] = {{c->wake_fd.fd[0], POLLIN, 0},
                              {s7p_driver_fd(c), s7p_driver_events(c), 0}};
        int64_t deadline = s7p_driver_deadline(c), now = s7p_now_ms();
        int timeout = deadline == INT64_MAX ? -1
                      : deadline <= now ? 0
                      : deadline - now > 60000 ? 60000 : (int)(deadline - now);
        nfds_t n = p[1].fd >= 0 && p[1].events ? 2 : 1;
        pthread_mutex_unlock(&c->lock);
        int rc = poll(p, n, timeout);
        pthread_mutex_lock(&c->lock);
        c->leader = false;
        if (rc > 0 && (p[0].revents & POLLIN)) s7p_wake_drain(&c->wake_fd);
        bool rd = n == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR));
        bool wr = n == 2 && (p[1].revents & (POLLOUT | POLLHUP | POLLERR));
        s7p_driver_io(c, rd, wr);
        pthread_cond_broadcast(&c->wake);
        s7p_client_deliver(c);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

s7p_status s7p_io_thread_start(s7p_client *c)
{
    pthread_mutex_lock(&c->lock);
    if (c->io_running) {
        pthread_mutex_unlock(&c->lock);
        return S7P_OK;
    }
    c->io_stop = false;
    c->io_running = pthread_create(&c->io_thread, NULL, io_main, c) == 0;
    /* A blocking caller polling now hands over at its next turn. */
    s7p_driver_poke(c);
    pthread_mutex_unlock(&c->lock);
    return c->io_running ? S7P_OK : S7P_E_NOMEM;
}

void s7p_io_thread_stop(s7p_client *c)
{
    pthread_mutex_lock(&c->lock);
    bool running = c->io_running;
    c->io_stop = true;
    s7p_wake_signal(&c->wake_fd);
    pthread_mutex_unlock(&c->lock);
    if (!running) return;
    pthread_join(c->io_thread, NULL);
    pthread_mutex_lock(&c->lock);
    c->io_running = false;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

s7p_status s7p_client_start_io_thread(s7p_client *c)
{
    if (!c) return S7P_E_INVALID_ARG;
    return s7p_io_thread_start(c);
}

/* SPDX-License-Identifier: MIT */
#include "session/session.h"

#include <string.h>

#include "net/tcp.h"
#include "session/engine_int.h"
#include "util/clock.h"
#include "util/status.h"

/* One blocking step's wait: filled by the engine's completion callback. */
typedef struct waiter {
    bool done;
    s7p_status st;
    s7p_fail *f;
} waiter;

static void copy_fail(s7p_fail *to, const s7p_fail *from)
{
    if (to && from && to->code == S7P_OK) *to = *from;  /* the first failure wins */
}

static void on_step_done(void *ctx, s7p_status st, const s7p_fail *f)
{
    waiter *w = ctx;
    w->done = true;
    w->st = st;
    if (st != S7P_OK) copy_fail(w->f, f);
}

/* ---- the blocking driver ---- */

static int fd_of(const s7p_session *s) { return s->ch.iso.fd; }

/* Writes what the engine produced; a failure faults it. */
static void flush(s7p_session *s, int64_t deadline)
{
    const uint8_t *p;
    size_t n;
    s7p_engine_output(&s->eng, &p, &n);
    if (n == 0) return;
    int err = 0;
    s7p_status st = s7p_tcp_write_all(fd_of(s), p, n, deadline, &err);
    /* Written or not, these bytes are done with: after a failure the stream is unusable. */
    s7p_engine_consumed(&s->eng, n);
    if (st != S7P_OK) s7p_engine_transport_failed(&s->eng, st, true, err);
}

/* One turn: waits for the socket until the engine's next deadline (at most `bound`), feeds
 * what arrived, runs the timers. */
static void turn(s7p_session *s, int64_t bound)
{
    uint8_t buf[16384];
    int64_t now = s7p_now_ms();
    int64_t next = s7p_engine_next_deadline(&s->eng);
    if (next > bound) next = bound;
    if (next <= now) {
        s7p_engine_tick(&s->eng, now);
        return;
    }
    size_t got = 0;
    int err = 0;
    s7p_status st = s7p_tcp_read_some(fd_of(s), buf, sizeof buf, &got, next, &err);
    if (st == S7P_OK) s7p_engine_feed(&s->eng, buf, got, s7p_now_ms());
    else if (st == S7P_E_TIMEOUT) s7p_engine_tick(&s->eng, s7p_now_ms());
    else s7p_engine_transport_failed(&s->eng, st, false, err);
}

/* Runs the engine until *done (the engine's deadlines bound every wait; `bound` as well). */
static void run_until(s7p_session *s, const bool *done, int64_t bound)
{
    for (;;) {
        flush(s, bound);
        if (*done || s->eng.phase == S7P_ENGINE_FAULTED) return;
        turn(s, bound);
    }
}

/* ---- requests ---- */

void s7p_session_init_request(s7p_session *s, s7p_pdu *p, uint16_t function, bool with_iid)
{
    s7p_engine_init_request(&s->eng, p, function, with_iid);
}

/* ---- open, close ---- */

static s7p_status transport(s7p_session *s, const s7p_session_params *p, int64_t deadline,
                            s7p_fail *f)
{
    int fd = -1, err = 0;
    s7p_status st = s7p_tcp_connect(p->host, p->port, deadline, &fd, &err);
    if (st != S7P_OK) {
        f->sys_errno = err;
        return s7p_fail_set(f, st, "tcp: %s%s%s", s7p_status_text(st), err ? ": " : "",
                            err ? strerror(err) : "");
    }
    if ((st = s7p_tcp_set_keepalive(fd, &p->keepalive, &err)) != S7P_OK) {
        s7p_tcp_close(fd);
        f->sys_errno = err;
        return s7p_fail_set(f, st, "tcp: keepalive options: %s", strerror(err));
    }
    if ((st = s7p_channel_init(&s->ch, fd)) != S7P_OK) {
        s7p_tcp_close(fd);
        return s7p_fail_set(f, st, "channel");
    }
    return S7P_OK;
}

void s7p_session_opened(s7p_session *s)
{
    const s7p_engine_props *pr = &s->eng.props;
    memcpy(s->paom, pr->paom, sizeof s->paom);
    s->protection_level = pr->protection_level;
    s->limits = pr->limits;
    s->security = pr->security;
    memcpy(s->legacy_key, pr->legacy_key, sizeof s->legacy_key);
    s->open = true;
}

static void shut(s7p_session *s)
{
    s->open = false;
    s7p_engine_free(&s->eng);
    s7p_channel_close(&s->ch);
}

/* One connection and connect sequence; *again when the PLC refused a legacy attempt that
 * has a successor. */
static s7p_status open_once(s7p_session *s, const s7p_session_params *p, unsigned attempt,
                            int64_t deadline, s7p_fail *f, bool *again)
{
    *again = false;
    s7p_status st = transport(s, p, deadline, f);
    if (st != S7P_OK) return st;
    s7p_engine_init(&s->eng, &s->ch, &p->engine, s->log);
    waiter w = {false, S7P_OK, f};
    s7p_engine_connect_params cp = {p->local_tsap, p->remote_tsap, p->tls, p->security,
                                    p->keys, attempt, p->legacy_refresh_ms};
    (void)s7p_engine_connect(&s->eng, &cp, s7p_now_ms(), deadline, on_step_done, &w);
    run_until(s, &w.done, deadline);
    if (!w.done || w.st != S7P_OK) {
        *again = s->eng.props.legacy_refused && attempt + 1 < s->eng.props.legacy_attempts;
        shut(s);
        return w.done ? w.st : s7p_fail_set(f, S7P_E_STATE, "connect did not finish");
    }
    s7p_session_opened(s);
    return S7P_OK;
}

s7p_status s7p_session_open(s7p_session *s, const s7p_session_params *p,
                            const s7p_log_sink *log, int64_t deadline, s7p_fail *f)
{
    for (unsigned attempt = 0;; attempt++) {
        memset(s, 0, sizeof *s);
        s->log = log;
        s->limits.tags_per_read = s->limits.tags_per_write = 20;
        bool again;
        s7p_status st = open_once(s, p, attempt, deadline, f, &again);
        if (st == S7P_OK || !again || s7p_now_ms() >= deadline) return st;
        s7p_logf(log, S7P_LOG_INFO, "session", "%s: trying the next key or frame variant",
                 f->msg);
        memset(f, 0, sizeof *f);
    }
}

void s7p_session_close(s7p_session *s, int64_t deadline)
{
    if (s->open && s->ch.err == S7P_OK && s->eng.phase == S7P_ENGINE_OPEN) {
        s7p_fail f = {0};
        waiter w = {false, S7P_OK, &f};
        s7p_engine_close(&s->eng, s7p_now_ms(), deadline, on_step_done, &w);
        run_until(s, &w.done, deadline);
    }
    shut(s);
}

s7p_status s7p_session_wait_all(s7p_session *s, int64_t deadline, s7p_fail *f)
{
    while (s->eng.phase != S7P_ENGINE_FAULTED && s7p_engine_pending(&s->eng) > 0) {
        if (s7p_now_ms() >= deadline) return s7p_fail_set(f, S7P_E_TIMEOUT, "wait: timeout");
        flush(s, deadline);
        turn(s, deadline);
    }
    flush(s, deadline);
    if (s->eng.phase != S7P_ENGINE_FAULTED) return S7P_OK;
    copy_fail(f, &s->eng.fault);
    return s->eng.fault.code;
}

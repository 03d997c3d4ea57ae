/* SPDX-License-Identifier: MIT */
/* One client connection: COTP accept with the TSAP check, then requests until the client
 * deletes its session, closes, sends something broken or stays silent for SIM_IDLE_MS.
 * Until its session exists, the whole set-up (COTP, InitSsl, TLS, CreateObject) must end by
 * the set-up deadline, so a socket that connects and then idles is closed soon. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "faults.h"
#include "proto/vlq.h"
#include "sim_int.h"
#include "util/clock.h"

#define ARENA_LIMIT ((size_t)64 << 20)

static bool tsap_equals(s7p_bytes t, const char *s)
{
    size_t n = strlen(s);
    return t.n == n && memcmp(t.p, s, n) == 0;
}

static bool tsap_check(void *ctx, s7p_bytes called)
{
    const s7p_sim *s = ctx;
    return s->cfg.accept_any_tsap || tsap_equals(called, S7P_TSAP_REMOTE_HMI) ||
           tsap_equals(called, S7P_TSAP_REMOTE_ES);
}

static bool send_reply(sim_conn *c, const sim_reply *r)
{
    if (r->pdu.ret_only)
        sim_log(c->sim, 2, "conn %lu:   -> error %d", c->id, (int)s7p_ret_code(r->pdu.ret));
    s7p_status st = s7p_channel_send(&c->ch, &r->pdu, s7p_deadline_in(SIM_SEND_MS));
    if (st != S7P_OK)
        sim_log(c->sim, 1, "conn %lu: send failed: %s", c->id, s7p_strerror(st));
    return st == S7P_OK;
}

static bool start_tls(sim_conn *c)
{
    s7p_status st = s7p_channel_start_tls(&c->ch, c->sim->tls, c->setup_deadline);
    if (st != S7P_OK) {
        sim_log(c->sim, 1, "conn %lu: %s", c->id, c->ch.err_msg);
        return false;
    }
    c->tls = true;
    sim_log(c->sim, 1, "conn %lu: TLS established (%s)", c->id, s7p_tls_cipher(c->ch.tls));
    return true;
}

/* Handles one received message; false ends the connection. */
static bool on_message(sim_conn *c, const s7p_msg *m, s7p_arena *a)
{
    if (m->kind != S7P_MSG_PDU) return true;  /* keep-alives and events need no answer */
    const s7p_pdu *req = &m->pdu;
    if (req->opcode != S7P_OP_REQUEST) {
        sim_log(c->sim, 1, "conn %lu: unexpected opcode 0x%02x, closing", c->id, req->opcode);
        return false;
    }
    if (!sim_legacy_check_request(c, req)) {
        sim_log(c->sim, 1, "conn %lu: V%u request %s, closing", c->id, req->version,
                c->legacy.on ? "replayed" : "without agreed digests");
        return false;
    }
    atomic_fetch_add(&c->sim->counters[req->function], 1ul);
    sim_log(c->sim, 2, "conn %lu: %s (0x%04x) seq %u session 0x%08x flags 0x%02x", c->id,
            sim_function_name(req->function), req->function, req->seq,
            (unsigned)req->session_id, req->transport_flags);
    bool in_session = c->session != 0;  /* notifications only inside a session */
    sim_request_hook(c->sim, req);
    s7p_sim_fault f;
    bool fault = sim_fault_take(c->sim, req->function, &f);
    sim_reply r;
    if (fault && f.kind == S7P_SIM_FAULT_PLC_ERROR)
        sim_fault_plc_error(req, &f, &r);  /* refused: the request is not carried out */
    else
        sim_dispatch(c, req, a, &r);
    if (r.send) sim_legacy_sign_answer(c, &r.pdu);
    if (fault) {
        sim_fault_next next = sim_fault_apply(c, req, &f, a, &r);
        if (next != SIM_FAULT_ANSWER) return next == SIM_FAULT_KEEP;
    }
    if (r.send && in_session && !sim_notify_before_answer(c, req, a)) return false;
    /* Alarm notifications queued before the request was carried out go out before its
     * answer, as a PLC's: a client that waits for the answer has seen them. */
    if (r.send && in_session && !sim_asubs_run(c, a)) return false;
    if (r.send && !send_reply(c, &r)) return false;
    sim_legacy_after_answer(c);
    if (r.start_tls && !start_tls(c)) return false;
    return !r.close;
}

/* A receive that also ends when another thread queued alarm notifications (the wake pipe):
 * what the socket holds is taken without waiting, then the socket and the pipe are polled
 * together. A partial frame stays in the channel for the next call. S7P_E_TIMEOUT when the
 * deadline passed or the pipe woke it. */
static s7p_status recv_or_wake(sim_conn *c, s7p_arena *a, s7p_msg *m, int64_t deadline)
{
    for (;;) {
        s7p_status st = s7p_channel_recv(&c->ch, a, m, 0);
        if (st != S7P_E_TIMEOUT) return st;
        int64_t left = deadline - s7p_now_ms();
        if (left <= 0) return S7P_E_TIMEOUT;
        struct pollfd p[2] = {{c->ch.iso.fd, POLLIN, 0}, {c->wake.fd[0], POLLIN, 0}};
        int k = poll(p, 2, left > INT_MAX ? INT_MAX : (int)left);
        if (k < 0 && errno != EINTR) return S7P_E_IO;
        if (k > 0 && p[1].revents) {
            sim_conn_drain_wake(c);
            return S7P_E_TIMEOUT;
        }
    }
}

static s7p_status receive(sim_conn *c, s7p_arena *a, s7p_msg *m, int64_t deadline)
{
    if (c->nasubs > 0 && c->wake.fd[0] >= 0) return recv_or_wake(c, a, m, deadline);
    return s7p_channel_recv(&c->ch, a, m, deadline);
}

static void serve(sim_conn *c)
{
    s7p_sim *s = c->sim;
    s7p_status st = s7p_iso_accept(&c->ch.iso, tsap_check, s, c->setup_deadline);
    if (st != S7P_OK) {
        sim_log(s, 1, "conn %lu: COTP connect refused or failed: %s", c->id, s7p_strerror(st));
        return;
    }
    s7p_arena a;
    s7p_arena_init(&a, ARENA_LIMIT);
    bool set_up = false;
    int64_t last_rx = s7p_now_ms();
    for (;;) {
        /* Notifications that are due go out between answers, on this thread. */
        bool sent = sim_subs_run(c, &a);
        s7p_arena_release(&a);
        if (!sent) break;
        /* A session with subscriptions may stay silent: the PLC keeps sending. */
        int64_t limit = !c->session             ? c->setup_deadline
                        : c->subs || c->nasubs ? s7p_deadline_in(SIM_IDLE_MS)
                                                : last_rx + SIM_IDLE_MS;
        int64_t due = sim_subs_next_due(c);
        s7p_msg m;
        st = receive(c, &a, &m, due < limit ? due : limit);
        if (st == S7P_E_TIMEOUT && s7p_now_ms() < limit) continue;  /* woke for a cycle */
        if (st != S7P_OK) {
            const char *why = st == S7P_E_CLOSED ? "closed by the client" : c->ch.err_msg;
            if (st == S7P_E_TIMEOUT) why = c->session ? "idle too long" : "set-up not finished in time";
            sim_log(s, 1, "conn %lu: %s", c->id, why);
            break;
        }
        last_rx = s7p_now_ms();
        bool go_on = on_message(c, &m, &a);
        s7p_arena_release(&a);
        if (c->session && !set_up) {
            sim_conn_set_up(c);
            set_up = true;
        }
        if (!go_on) break;
    }
    s7p_arena_release(&a);
}

/* The wake-up descriptor (an eventfd on Linux); without one (no descriptors left) the
 * connection still works, its alarm notifications then wait for its next request or timer. */
static void open_wake(sim_conn *c)
{
    if (!s7p_wake_open(&c->wake))
        sim_log(c->sim, 0, "conn %lu: no wake descriptor: %s", c->id, strerror(errno));
}

/* One connection, from accept to close. */
static void serve_connection(sim_conn *c)
{
    s7p_sim *s = c->sim;
    sim_log(s, 1, "conn %lu: accepted", c->id);
    open_wake(c);
    if (s7p_channel_init(&c->ch, c->fd) == S7P_OK) {
        c->ch.trace = sim_trace;
        c->ch.trace_ctx = c;
        serve(c);
    } else {
        sim_log(s, 0, "conn %lu: out of memory", c->id);
    }
    pthread_mutex_lock(&s->mu);
    c->fd = -1;                   /* stop must not shutdown() a number about to be reused */
    pthread_mutex_unlock(&s->mu);
    sim_subs_free_all(c);         /* the session's subscriptions end with it */
    s7p_wake_close(&c->wake);     /* no alarm subscription can write to it any more */
    if (c->session) {
        sim_log(s, 1, "conn %lu: session 0x%08x dropped", c->id, (unsigned)c->session);
        sim_session_release(s);
        c->session = 0;
    }
    s7p_channel_close(&c->ch);
    sim_log(s, 1, "conn %lu: closed", c->id);
}

/* A thread serves connection after connection: a new thread for each would cost, besides
 * its creation, OpenSSL's per-thread random generators (seeded anew in every thread). */
void *sim_conn_main(void *arg)
{
    sim_conn *c = arg;
    sim_block_signals();
    do {
        serve_connection(c);
    } while (sim_conn_park(c));
    return NULL;
}

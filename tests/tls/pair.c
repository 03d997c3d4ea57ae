/* SPDX-License-Identifier: MIT */
#include "pair.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/clock.h"

static void inspect_send(pipe_end *e, const uint8_t *p, size_t n)
{
    e->sends++;
    if (n < 5 || p[0] != 0x17 || p[1] != 0x03 || p[2] != 0x03) {
        e->bad_records++;
        return;
    }
    e->last_record_len = (size_t)p[3] << 8 | p[4];
    if (5 + e->last_record_len != n) e->bad_records++;
}

/* poll() for ev until the deadline; S7P_OK when ready. */
static s7p_status wait_fd(int fd, short ev, int64_t deadline)
{
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = ev};
        int r = poll(&pfd, 1, s7p_ms_left(deadline));
        if (r > 0) return S7P_OK;
        if (r == 0) return S7P_E_TIMEOUT;
        if (errno != EINTR) return S7P_E_IO;
    }
}

static s7p_status end_send(void *ctx, const uint8_t *p, size_t n, int64_t deadline)
{
    pipe_end *e = ctx;
    if (e->inspect) inspect_send(e, p, n);
    while (n > 0) {
        s7p_status st = wait_fd(e->fd, POLLOUT, deadline);
        if (st != S7P_OK) return st;
        ssize_t w = send(e->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return errno == EPIPE || errno == ECONNRESET ? S7P_E_CLOSED : S7P_E_IO;
        p += w;
        n -= (size_t)w;
    }
    return S7P_OK;
}

static s7p_status end_recv(void *ctx, const uint8_t **p, size_t *n, int64_t deadline)
{
    pipe_end *e = ctx;
    for (;;) {
        s7p_status st = wait_fd(e->fd, POLLIN, deadline);
        if (st != S7P_OK) return st;
        ssize_t r = recv(e->fd, e->buf, sizeof e->buf, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) return S7P_E_CLOSED;
        if (r < 0) return errno == ECONNRESET ? S7P_E_CLOSED : S7P_E_IO;
        *p = e->buf;
        *n = (size_t)r;
        e->received += *n;
        return S7P_OK;
    }
}

s7p_tls_io pipe_io(pipe_end *e)
{
    return (s7p_tls_io){.ctx = e, .send = end_send, .recv = end_recv};
}

size_t msg_size(int i)
{
    if (i == 0) return 1;
    if (i == 99) return PAIR_MAX_MSG;
    return 1 + ((size_t)i * 2654435761u) % PAIR_MAX_MSG;
}

void msg_fill(uint8_t *p, size_t n, int i, char dir)
{
    for (size_t j = 0; j < n; j++) p[j] = (uint8_t)(i * 131 + (int)j * 7 + dir + (int)(j >> 8));
}

/* One message from the client, checked, answered with one record. */
static bool serve_one(s7p_tls *t, server_job *job, int i, uint8_t *buf, uint8_t *want)
{
    size_t got = 0, n = msg_size(i);
    if (s7p_tls_read(t, buf, PAIR_MAX_MSG, &got, job->deadline) != S7P_OK) return false;
    msg_fill(want, n, i, 'c');
    if (got != n || memcmp(buf, want, n) != 0) job->msg_bad++;
    msg_fill(buf, n, i, 's');
    unsigned before = job->end.sends;
    if (s7p_tls_write(t, buf, n, job->deadline) != S7P_OK) return false;
    if (job->end.sends != before + 1 || job->end.last_record_len != n + 17) job->msg_bad++;
    return true;
}

static void serve(s7p_tls *t, server_job *job)
{
    uint8_t *buf = malloc(PAIR_MAX_MSG), *want = malloc(PAIR_MAX_MSG);
    job->oms_ok = s7p_tls_export(t, "EXPERIMENTAL_OMS", job->oms, sizeof job->oms);
    job->end.inspect = true;
    for (int i = 0; i < job->messages; i++)
        if (!serve_one(t, job, i, buf, want)) break;
    if (job->tail_len) {
        msg_fill(buf, job->tail_len, 7, 't');
        if (s7p_tls_write(t, buf, job->tail_len, job->deadline) != S7P_OK) job->msg_bad++;
    }
    size_t got;
    do {
        job->last = s7p_tls_read(t, buf, PAIR_MAX_MSG, &got, job->deadline);
    } while (job->last == S7P_OK);
    snprintf(job->err, sizeof job->err, "%s", s7p_tls_error(t));
    free(buf);
    free(want);
}

static void *server_main(void *arg)
{
    server_job *job = arg;
    s7p_tls_io io = pipe_io(&job->end);
    s7p_tls *t = s7p_tls_new(job->ctx, &io);
    if (!t) {
        job->hs = S7P_E_NOMEM;
        return NULL;
    }
    job->hs = s7p_tls_handshake(t, job->deadline);
    if (job->hs == S7P_OK)
        serve(t, job);
    else
        snprintf(job->err, sizeof job->err, "%s", s7p_tls_error(t));
    s7p_tls_free(t);
    return NULL;
}

pair *pair_new(s7p_tls_ctx *server_ctx, int messages, size_t tail_len, int64_t deadline)
{
    pair *p = calloc(1, sizeof *p);
    int fds[2];
    if (!p || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) abort();
    p->cli.fd = fds[0];
    p->srv.end.fd = fds[1];
    p->io = pipe_io(&p->cli);
    p->srv.ctx = server_ctx;
    p->srv.messages = messages;
    p->srv.tail_len = tail_len;
    p->srv.deadline = deadline;
    p->srv.hs = p->srv.last = S7P_E_STATE;
    if (server_ctx) {
        if (pthread_create(&p->srv.th, NULL, server_main, &p->srv) != 0) abort();
        p->srv.started = true;
    }
    return p;
}

s7p_status pair_client_handshake(pair *p, s7p_tls_ctx *cctx, int64_t deadline)
{
    p->t = s7p_tls_new(cctx, &p->io);
    if (!p->t) return S7P_E_NOMEM;
    return s7p_tls_handshake(p->t, deadline);
}

void pair_free(pair *p, bool shutdown)
{
    if (shutdown && p->t) s7p_tls_shutdown(p->t, s7p_deadline_in(1000));
    s7p_tls_free(p->t);
    close(p->cli.fd);     /* the server's next recv sees the end of the stream */
    if (p->srv.started) pthread_join(p->srv.th, NULL);
    close(p->srv.end.fd);
    free(p);
}

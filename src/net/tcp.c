/* SPDX-License-Identifier: MIT */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE  /* accept4(): new sockets get O_NONBLOCK and FD_CLOEXEC atomically */
#endif

#include "net/tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "util/clock.h"

/* Platforms without MSG_NOSIGNAL (macOS) get SO_NOSIGPIPE on the socket instead. */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* ---- helpers ---- */

static s7p_status os_error(int *sys_errno, int e, s7p_status st)
{
    *sys_errno = e;
    return st;
}

/* Linux sets O_NONBLOCK and FD_CLOEXEC atomically at creation (socket flags, accept4), so a
 * fork+exec in another thread never inherits our sockets. Elsewhere: fcntl right after. */
#if defined(__linux__)
#define ATOMIC_SOCK_FLAGS 1
#else
#define ATOMIC_SOCK_FLAGS 0
static int set_fd_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* The new fd with its flags set, or -1 (errno of the failure kept) after closing it. */
static int with_fd_flags(int fd)
{
    if (fd >= 0 && set_fd_flags(fd) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}
#endif

static int new_socket(int family, int type, int protocol)
{
#if ATOMIC_SOCK_FLAGS
    return socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
#else
    return with_fd_flags(socket(family, type, protocol));
#endif
}

/* Small request/response PDUs must not wait for Nagle; no SIGPIPE where MSG_NOSIGNAL is
 * missing. */
static int tune_socket(int fd)
{
    int one = 1;
#ifdef SO_NOSIGPIPE
    if (setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) < 0) return -1;
#endif
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Waits until fd is ready for `events` or the deadline passes. EINTR restarts the wait
 * with the time that is left, so a signal never stretches or cuts the budget. */
static s7p_status wait_fd(int fd, short events, int64_t deadline, int *sys_errno)
{
    struct pollfd pfd = {.fd = fd, .events = events, .revents = 0};
    for (;;) {
        int ms = s7p_ms_left(deadline);
        int rc = poll(&pfd, 1, ms);
        if (rc > 0) return S7P_OK;  /* POLLERR/POLLHUP: the next call reports the error */
        if (rc == 0) {
            if (ms == 0 || s7p_ms_left(deadline) == 0) return S7P_E_TIMEOUT;
            continue;  /* woke up early (rounding): wait for the rest */
        }
        if (errno != EINTR) return os_error(sys_errno, errno, S7P_E_IO);
    }
}

static s7p_status map_errno(int e)
{
    switch (e) {
    case ECONNREFUSED:
    case ENETUNREACH:
    case EHOSTUNREACH: return S7P_E_CONNECT;
    case ETIMEDOUT: return S7P_E_TIMEOUT;  /* the kernel gave up on the SYN before we did */
    case EPIPE:
    case ECONNRESET: return S7P_E_CLOSED;
    default: return S7P_E_IO;
    }
}

/* getaddrinfo() wants the port as a decimal string. */
static void port_str(uint16_t port, char out[6])
{
    char tmp[6];
    size_t n = 0, i = 0;
    do {
        tmp[n++] = (char)('0' + port % 10);
        port /= 10;
    } while (port);
    while (n) out[i++] = tmp[--n];
    out[i] = '\0';
}

static s7p_status resolve(const char *host, uint16_t port, int flags, struct addrinfo **res,
                          int *sys_errno)
{
    char service[6];
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | flags;
    port_str(port, service);
    int rc = getaddrinfo(host, service, &hints, res);
    if (rc == 0) return S7P_OK;
    *res = NULL;
    if (rc == EAI_SYSTEM) return os_error(sys_errno, errno, S7P_E_RESOLVE);
    if (rc == EAI_MEMORY) return S7P_E_NOMEM;
    return S7P_E_RESOLVE;  /* no OS errno: the name itself failed */
}

/* ---- connect ---- */

/* One address: non-blocking connect, then wait for writability and read SO_ERROR. */
static s7p_status try_connect(const struct addrinfo *ai, int64_t deadline, int *fd,
                              int *sys_errno)
{
    int s = new_socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (s < 0) return os_error(sys_errno, errno, S7P_E_IO);
    s7p_status st = S7P_OK;
    /* EINTR: the connection still completes in the background, like EINPROGRESS. */
    if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS && errno != EINTR) {
        st = os_error(sys_errno, errno, map_errno(errno));
    } else {
        st = wait_fd(s, POLLOUT, deadline, sys_errno);
        int err = 0;
        socklen_t len = sizeof err;
        if (st == S7P_OK && getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        if (st == S7P_OK && err != 0) st = os_error(sys_errno, err, map_errno(err));
    }
    if (st == S7P_OK && tune_socket(s) < 0) st = os_error(sys_errno, errno, S7P_E_IO);
    if (st != S7P_OK) {
        close(s);
        return st;
    }
    *fd = s;
    return S7P_OK;
}

s7p_status s7p_tcp_connect(const char *host, uint16_t port, int64_t deadline, int *fd,
                           int *sys_errno)
{
    int dummy;
    if (!sys_errno) sys_errno = &dummy;
    *sys_errno = 0;
    *fd = -1;
    if (!host || port == 0) return S7P_E_INVALID_ARG;
    struct addrinfo *res;
    s7p_status st = resolve(host, port, 0, &res, sys_errno);
    if (st != S7P_OK) return st;
    st = S7P_E_CONNECT;
    /* Try each address in turn (e.g. ::1 then 127.0.0.1 for "localhost"); the status of the
     * last one tried is reported. A spent deadline ends the search. */
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        *sys_errno = 0;
        st = try_connect(ai, deadline, fd, sys_errno);
        if (st == S7P_OK || s7p_ms_left(deadline) == 0) break;
    }
    freeaddrinfo(res);
    return st;
}

/* ---- listen / accept ---- */

static s7p_status try_listen(const struct addrinfo *ai, int backlog, int *fd, int *sys_errno)
{
    int one = 1;
    int s = new_socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (s < 0) return os_error(sys_errno, errno, S7P_E_IO);
    /* SO_REUSEADDR: a restarted server can bind while old connections sit in TIME_WAIT. */
    if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(s, ai->ai_addr, ai->ai_addrlen) < 0 || listen(s, backlog) < 0) {
        int e = errno;
        close(s);
        return os_error(sys_errno, e, S7P_E_IO);
    }
    *fd = s;
    return S7P_OK;
}

static s7p_status bound_port_of(int fd, uint16_t *port, int *sys_errno)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return os_error(sys_errno, errno, S7P_E_IO);
    if (ss.ss_family == AF_INET)
        *port = ntohs(((const struct sockaddr_in *)&ss)->sin_port);
    else if (ss.ss_family == AF_INET6)
        *port = ntohs(((const struct sockaddr_in6 *)&ss)->sin6_port);
    else
        return S7P_E_IO;
    return S7P_OK;
}

s7p_status s7p_tcp_listen(const char *addr, uint16_t port, int backlog, int *fd,
                          uint16_t *bound_port, int *sys_errno)
{
    int dummy;
    if (!sys_errno) sys_errno = &dummy;
    *sys_errno = 0;
    *fd = -1;
    struct addrinfo *res;
    s7p_status st = resolve(addr, port, AI_PASSIVE, &res, sys_errno);
    if (st != S7P_OK) return st;
    st = S7P_E_IO;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        st = try_listen(ai, backlog, fd, sys_errno);
        if (st == S7P_OK) break;
    }
    freeaddrinfo(res);
    if (st != S7P_OK) return st;
    uint16_t p = 0;
    st = bound_port_of(*fd, &p, sys_errno);
    if (st != S7P_OK) {
        s7p_tcp_close(*fd);
        *fd = -1;
        return st;
    }
    if (bound_port) *bound_port = p;
    return S7P_OK;
}

static int accept_nb(int listen_fd)
{
#if ATOMIC_SOCK_FLAGS
    return accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
    return with_fd_flags(accept(listen_fd, NULL, NULL));
#endif
}

s7p_status s7p_tcp_accept(int listen_fd, int64_t deadline, int *fd, int *sys_errno)
{
    int dummy;
    if (!sys_errno) sys_errno = &dummy;
    *sys_errno = 0;
    *fd = -1;
    for (;;) {
        /* Poll first, so a blocking listen socket never blocks past the deadline. */
        s7p_status st = wait_fd(listen_fd, POLLIN, deadline, sys_errno);
        if (st != S7P_OK) return st;
        int s = accept_nb(listen_fd);
        if (s < 0) {
            /* Gone before we took it, or taken by another thread: wait again. */
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK ||
                errno == ECONNABORTED)
                continue;
            return os_error(sys_errno, errno, S7P_E_IO);
        }
        if (tune_socket(s) < 0) {
            int e = errno;
            close(s);
            return os_error(sys_errno, e, S7P_E_IO);
        }
        *fd = s;
        return S7P_OK;
    }
}

/* ---- data ---- */

s7p_status s7p_tcp_write_all(int fd, const uint8_t *p, size_t n, int64_t deadline,
                             int *sys_errno)
{
    int dummy;
    if (!sys_errno) sys_errno = &dummy;
    *sys_errno = 0;
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k > 0) {
            p += k;
            n -= (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            s7p_status st = map_errno(errno);
            return os_error(sys_errno, errno, st == S7P_E_CLOSED ? st : S7P_E_IO);
        }
        s7p_status st = wait_fd(fd, POLLOUT, deadline, sys_errno);
        if (st != S7P_OK) return st;
    }
    return S7P_OK;
}

s7p_status s7p_tcp_read_some(int fd, uint8_t *p, size_t cap, size_t *got, int64_t deadline,
                             int *sys_errno)
{
    int dummy;
    if (!sys_errno) sys_errno = &dummy;
    *sys_errno = 0;
    *got = 0;
    if (cap == 0) return S7P_E_INVALID_ARG;  /* a 0-byte read would look like a close */
    for (;;) {
        ssize_t k = recv(fd, p, cap, 0);
        if (k > 0) {
            *got = (size_t)k;
            return S7P_OK;
        }
        if (k == 0) return S7P_E_CLOSED;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            s7p_status st = map_errno(errno);
            return os_error(sys_errno, errno, st == S7P_E_CLOSED ? st : S7P_E_IO);
        }
        s7p_status st = wait_fd(fd, POLLIN, deadline, sys_errno);
        if (st != S7P_OK) return st;
    }
}

/* ---- dead-peer detection ---- */

/* macOS calls the idle time TCP_KEEPALIVE. */
#if !defined(TCP_KEEPIDLE) && defined(TCP_KEEPALIVE)
#define TCP_KEEPIDLE TCP_KEEPALIVE
#endif

static int set_int(int fd, int level, int name, uint32_t v)
{
    int i = v > INT32_MAX ? INT32_MAX : (int)v;
    return setsockopt(fd, level, name, &i, sizeof i);
}

static uint32_t get_int(int fd, int level, int name, int *rc)
{
    int i = 0;
    socklen_t len = sizeof i;
    if (getsockopt(fd, level, name, &i, &len) < 0) *rc = -1;
    return i < 0 ? 0u : (uint32_t)i;
}

s7p_status s7p_tcp_set_keepalive(int fd, const s7p_tcp_keepalive *k, int *sys_errno)
{
    int dummy;
    if (!sys_errno) sys_errno = &dummy;
    *sys_errno = 0;
    if (fd < 0 || !k) return S7P_E_INVALID_ARG;
    int rc = set_int(fd, SOL_SOCKET, SO_KEEPALIVE, k->enabled ? 1u : 0u);
    if (rc == 0 && k->enabled) {
#ifdef TCP_KEEPIDLE
        rc = set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, k->idle_s);
#endif
#ifdef TCP_KEEPINTVL
        if (rc == 0) rc = set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, k->interval_s);
#endif
#ifdef TCP_KEEPCNT
        if (rc == 0) rc = set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, k->count);
#endif
    }
#ifdef TCP_USER_TIMEOUT
    if (rc == 0 && k->user_timeout_ms)
        rc = set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, k->user_timeout_ms);
#endif
    return rc == 0 ? S7P_OK : os_error(sys_errno, errno, S7P_E_IO);
}

s7p_status s7p_tcp_get_keepalive(int fd, s7p_tcp_keepalive *out, int *sys_errno)
{
    int dummy;
    if (!sys_errno) sys_errno = &dummy;
    *sys_errno = 0;
    if (fd < 0 || !out) return S7P_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    int rc = 0;
    out->enabled = get_int(fd, SOL_SOCKET, SO_KEEPALIVE, &rc) != 0;
#ifdef TCP_KEEPIDLE
    out->idle_s = get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, &rc);
#endif
#ifdef TCP_KEEPINTVL
    out->interval_s = get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, &rc);
#endif
#ifdef TCP_KEEPCNT
    out->count = get_int(fd, IPPROTO_TCP, TCP_KEEPCNT, &rc);
#endif
#ifdef TCP_USER_TIMEOUT
    out->user_timeout_ms = get_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &rc);
#endif
    return rc == 0 ? S7P_OK : os_error(sys_errno, errno, S7P_E_IO);
}

void s7p_tcp_close(int fd)
{
    /* No retry on EINTR: on Linux the descriptor is already released. */
    if (fd >= 0) (void)close(fd);
}

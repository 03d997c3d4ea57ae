/* SPDX-License-Identifier: MIT */
/* TCP with deadlines. Sockets are non-blocking; every call waits with poll() until its
 * absolute deadline (monotonic ms, util/clock.h). No protocol knowledge. */
#ifndef S7P_NET_TCP_H
#define S7P_NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s7plus/s7plus.h"

/** Connects to host:port (name or numeric IPv4/IPv6), TCP_NODELAY on. On failure *sys_errno
 *  holds the OS error (0 if none): S7P_E_RESOLVE, S7P_E_CONNECT (refused, unreachable),
 *  S7P_E_TIMEOUT. */
s7p_status s7p_tcp_connect(const char *host, uint16_t port, int64_t deadline, int *fd,
                           int *sys_errno);

/** Listens on addr:port (port 0 = kernel's choice); *bound_port is the real port. */
s7p_status s7p_tcp_listen(const char *addr, uint16_t port, int backlog, int *fd,
                          uint16_t *bound_port, int *sys_errno);

/** Accepts one connection, waiting until the deadline; the new socket is non-blocking with
 *  TCP_NODELAY. S7P_E_TIMEOUT when none came. */
s7p_status s7p_tcp_accept(int listen_fd, int64_t deadline, int *fd, int *sys_errno);

/** Writes all n bytes. S7P_E_CLOSED when the peer is gone, S7P_E_TIMEOUT, S7P_E_IO. */
s7p_status s7p_tcp_write_all(int fd, const uint8_t *p, size_t n, int64_t deadline,
                             int *sys_errno);

/** Reads at least one byte (up to cap). S7P_E_CLOSED on orderly close. */
s7p_status s7p_tcp_read_some(int fd, uint8_t *p, size_t cap, size_t *got, int64_t deadline,
                             int *sys_errno);

/** Dead-peer detection on a connected socket. With `enabled`, the kernel probes a connection
 *  that has been silent for idle_s seconds every interval_s seconds and drops it after `count`
 *  unanswered probes (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT). user_timeout_ms
 *  (TCP_USER_TIMEOUT, Linux) bounds how long sent data may stay unacknowledged before the
 *  connection is dropped; 0 leaves the kernel default. Options a platform lacks are skipped. */
typedef struct s7p_tcp_keepalive {
    bool enabled;
    uint32_t idle_s, interval_s, count;
    uint32_t user_timeout_ms;
} s7p_tcp_keepalive;

/** Applies k to fd. S7P_E_IO (with *sys_errno) when the kernel refuses a value. */
s7p_status s7p_tcp_set_keepalive(int fd, const s7p_tcp_keepalive *k, int *sys_errno);
/** Reads the values back (fields of options the platform lacks are 0). */
s7p_status s7p_tcp_get_keepalive(int fd, s7p_tcp_keepalive *out, int *sys_errno);

void s7p_tcp_close(int fd);

#endif

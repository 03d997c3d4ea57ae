/* TCP with deadlines. Sockets are non-blocking; every call waits with poll() until its
 * absolute deadline (monotonic ms, util/clock.h). No protocol knowledge. */
#ifndef S7P_NET_TCP_H
#define S7P_NET_TCP_H

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

void s7p_tcp_close(int fd);

#endif

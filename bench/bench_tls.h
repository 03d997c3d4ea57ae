/* SPDX-License-Identifier: MIT */
/* The physical floor for the benchmarks: TLS 1.3 over TCP on loopback with the same OpenSSL
 * settings as S7CommPlus sessions, without COTP or S7CommPlus. A server thread answers
 * every request with a response of the size the request names. */
#ifndef S7P_BENCH_TLS_H
#define S7P_BENCH_TLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_tls_server bench_tls_server;
typedef struct bench_tls_client bench_tls_client;

bench_tls_server *bench_tls_server_start(void);
uint16_t bench_tls_server_port(const bench_tls_server *s);
void bench_tls_server_stop(bench_tls_server *s);

/** TCP connect + TLS handshake with a fresh client (context included); NULL on failure. */
bench_tls_client *bench_tls_connect(uint16_t port);
/** A client whose context is made once; connect/disconnect it repeatedly. */
bench_tls_client *bench_tls_client_new(void);
/** TCP connect + TLS handshake on an existing client. 0 on success. */
int bench_tls_client_connect(bench_tls_client *c, uint16_t port);
/** Ends the connection (close_notify, socket), keeps the context. */
void bench_tls_client_disconnect(bench_tls_client *c);
/** One round trip: req_len bytes out (>= 8), resp_len bytes back. 0 on success. */
int bench_tls_roundtrip(bench_tls_client *c, size_t req_len, size_t resp_len);
/** n round trips with up to `depth` requests outstanding (answered in order): the floor of
 *  a client that keeps several requests in flight. 0 on success. */
int bench_tls_pipeline(bench_tls_client *c, const size_t *req, const size_t *resp, size_t n,
                       unsigned depth);
void bench_tls_close(bench_tls_client *c);

double bench_now_us(void);
/** Sorts v and returns its median. */
double bench_median(double *v, size_t n);

#endif

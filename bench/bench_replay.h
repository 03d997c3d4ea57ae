/* SPDX-License-Identifier: MIT */
/* A replay server: the floor of a server that does no work of its own per request. It
 * records one connection of the simulator (every PDU data part in clear, through the
 * simulator's trace hook: the connect, a batch, the disconnect) and then serves clients
 * that repeat that connection, answering each request with the recorded answer's bytes.
 * Per request it does what the raw-TLS echo server does (read a message, write one back,
 * over the same TLS settings) plus S7CommPlus framing: no decoding, no encoding, no
 * lookup. The answer gets the request's sequence number and integrity id (sequence number
 * + the request's id), so the client's checks pass as against the simulator.
 *
 * The recorded part between the two marks (a batch) repeats: a client may read it again
 * and again on one connection. Requests are matched by order; one that does not match the
 * next recorded request's function is looked up by function (the disconnect's
 * DeleteObject). */
#ifndef S7P_BENCH_REPLAY_H
#define S7P_BENCH_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bench_replay bench_replay;

bench_replay *bench_replay_new(void);
/** Stops the server (if started) and frees everything. NULL is fine. */
void bench_replay_free(bench_replay *r);
/** The simulator's trace hook (s7p_sim_config.trace, ctx = the replay): records the first
 *  connection it sees. */
void bench_replay_trace(void *ctx, unsigned long conn, bool outbound, uint8_t version,
                        const uint8_t *data, size_t len);
/** Marks the start (first call) and the end (second call) of the part that repeats (none
 *  when both marks are at the same place: a connect and a disconnect only). */
void bench_replay_mark(bench_replay *r);
/** Works out where each recorded PDU's sequence number and integrity id stand and starts
 *  serving on 127.0.0.1. 0 on success. */
int bench_replay_start(bench_replay *r, char *err, size_t err_len);
uint16_t bench_replay_port(const bench_replay *r);
/** Requests answered so far (all connections). */
unsigned long bench_replay_answered(const bench_replay *r);
/** The exchanges recorded before the first mark (the connect, once started): sizes of the
 *  request's and the answer's data parts and the function; returns how many (<= max). */
size_t bench_replay_prologue(const bench_replay *r, size_t *req, size_t *resp, uint16_t *function,
                             size_t max);

#endif

/* SPDX-License-Identifier: MIT */
/* Test harness: a TLS client on the test's thread and a TLS server on a second thread,
 * joined by a socketpair(AF_UNIX). The transport callbacks are write/read with poll and the
 * deadline, and can check that every send after the handshake is exactly one TLS record. */
#ifndef S7P_TEST_TLS_PAIR_H
#define S7P_TEST_TLS_PAIR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/tls.h"

#define PAIR_MAX_MSG 16384

typedef struct pipe_end {
    int fd;
    bool inspect;              /* check each send: one application-data record */
    unsigned sends;            /* sends seen while inspecting */
    unsigned bad_records;      /* sends that were not exactly one 17 03 03 record */
    size_t last_record_len;    /* length field of the last inspected record */
    size_t received;           /* bytes delivered by recv, in total */
    uint8_t buf[2 * PAIR_MAX_MSG];
} pipe_end;

/* What the server thread does and what it saw. */
typedef struct server_job {
    s7p_tls_ctx *ctx;
    int64_t deadline;
    int messages;              /* read this many client messages and answer each */
    size_t tail_len;           /* then send one message of this size (0 = none) */
    pipe_end end;
    s7p_status hs;             /* handshake result */
    s7p_status last;           /* status of the final read (S7P_E_CLOSED expected) */
    uint8_t oms[32];
    bool oms_ok;
    unsigned msg_bad;          /* messages that arrived wrong or were sent badly */
    char err[256];
    pthread_t th;
    bool started;
} server_job;

typedef struct pair {
    pipe_end cli;
    server_job srv;
    s7p_tls *t;                /* the client connection */
    s7p_tls_io io;
} pair;

s7p_tls_io pipe_io(pipe_end *e);
/* Socketpair + server thread (srv.ctx may be NULL: then nobody answers). */
pair *pair_new(s7p_tls_ctx *server_ctx, int messages, size_t tail_len, int64_t deadline);
/* Creates the client connection on cctx and runs its handshake. */
s7p_status pair_client_handshake(pair *p, s7p_tls_ctx *cctx, int64_t deadline);
/* close_notify from the client (if it got that far), then joins the server and frees all. */
void pair_free(pair *p, bool shutdown);
/* Deterministic message i of one direction ('c' or 's'). */
size_t msg_size(int i);
void msg_fill(uint8_t *p, size_t n, int i, char dir);

#endif

/* SPDX-License-Identifier: MIT */
/* ISO-on-TCP: one COTP connection over one TCP byte stream. Sends TSDUs as COTP DTs (EOT set
 * on each, as every S7CommPlus peer does) and receives TSDUs, joining DTs without EOT and
 * skipping empty DTs. Connection set-up both ways: connect (CR → CC) and accept (CR → CC or
 * DR).
 *
 * The core is socket-free: the driver feeds the bytes TCP delivered (s7p_iso_feed), takes
 * TSDUs out (s7p_iso_next), and writes what the output queue holds (s7p_iso_output /
 * s7p_iso_consumed). The blocking calls further down (connect, accept, send, recv) are thin
 * loops over it that use the owned socket with a deadline. Buffers start small, grow with
 * the traffic and shrink back when it is idle. */
#ifndef S7P_NET_ISO_H
#define S7P_NET_ISO_H

#include "net/cotp.h"

/** Largest TSDU we assemble from several DTs (S7CommPlus frames are far smaller). */
#define S7P_ISO_MAX_TSDU (64u * 1024u)
/** Largest TPDU size that can be negotiated (C0 exponent 13). */
#define S7P_ISO_MAX_TPDU 8192u
/** More empty DTs than this in a row, with no data between them, is a misbehaving peer. */
#define S7P_ISO_MAX_EMPTY_DT 64
/** Most bytes fed and not yet taken out as TSDUs (a driver takes TSDUs out between feeds). */
#define S7P_ISO_MAX_PENDING (2u * S7P_TPKT_MAX_LEN + 2u)

typedef struct s7p_iso {
    int fd;                    /* owned; -1 when closed or when driven by bytes only; used
                                  only by the blocking calls */
    size_t tpdu_size;          /* negotiated TPDU size (TPKT included), e.g. 1024 */
    uint16_t local_ref, remote_ref;
    bool open;                 /* initialised and not closed: owns fd, may hold buffers */
    uint8_t asked_exp;         /* connect: the TPDU size exponent the CR asked for */
    /* receive side */
    uint8_t *rbuf;             /* raw TPKT bytes fed from TCP, not yet parsed */
    size_t rlen, rcap;
    size_t rpos;               /* rbuf[rpos..rlen) is not parsed yet; [0..rpos) is done */
    uint8_t *tsdu;             /* a TSDU of several DTs being assembled / last returned */
    size_t tsdu_len, tsdu_cap; /* tsdu_len: bytes assembled so far (kept across a timeout) */
    unsigned empty_dts;        /* empty DTs since the last data */
    int sys_errno;             /* OS error of the last failure, 0 if none */
    /* send side: TPDUs waiting for the socket */
    uint8_t *obuf;
    size_t olen, opos, ocap;   /* obuf[opos..olen) is not written yet */
    int setup_reply;           /* connect: TPDU code that came instead of a CC, -1 = bytes
                                  that are not COTP at all (only after S7P_E_PROTOCOL) */
} s7p_iso;

typedef struct s7p_iso_client_params {
    uint16_t local_tsap;       /* 0 = S7P_TSAP_LOCAL_DEFAULT */
    const char *remote_tsap;   /* validated with s7p_tsap_valid() */
    uint8_t tpdu_exp;          /* 0 = S7P_COTP_TPDU_EXP_DEFAULT; else 7..13 */
} s7p_iso_client_params;

/** Decides whether a server accepts a connection request with this called TSAP (a view into
 *  the CR, valid during the call; empty when the CR has no C2). */
typedef bool (*s7p_iso_tsap_check)(void *ctx, s7p_bytes called_tsap);

/** Prepares the iso; fd (may be -1 when the iso is only fed bytes) becomes owned by it
 *  (closed by s7p_iso_close). Allocates nothing up front. */
s7p_status s7p_iso_init(s7p_iso *iso, int fd);
/** Closes the socket and frees the buffers. Safe to call twice, and on a zeroed struct (which
 *  is not taken to own fd 0). */
void s7p_iso_close(s7p_iso *iso);

/* ---- socket-free core ---- */

/** Appends bytes received from TCP. S7P_E_LIMIT when more than S7P_ISO_MAX_PENDING bytes
 *  would wait unparsed. */
s7p_status s7p_iso_feed(s7p_iso *iso, const uint8_t *p, size_t n);
/** Takes the next complete non-empty TSDU out of the fed bytes: *out views iso-owned memory
 *  valid until the next feed, next or fill; out->n == 0 when more bytes are needed (a
 *  partial TSDU is kept). A peer DR gives S7P_E_CLOSED, other TPDUs or bytes that are not
 *  TPKTs S7P_E_PROTOCOL, a TSDU over S7P_ISO_MAX_TSDU S7P_E_LIMIT. */
s7p_status s7p_iso_next(s7p_iso *iso, s7p_bytes *out);
/** Queues n bytes as DTs of at most max_chunk payload bytes each (0 = TPDU size - 7; never
 *  more than the negotiated TPDU allows). n == 0 queues nothing. */
s7p_status s7p_iso_put(s7p_iso *iso, const uint8_t *data, size_t n, size_t max_chunk);
/** Queues an empty DT (what HMIs send after each response). */
s7p_status s7p_iso_put_empty(s7p_iso *iso);
/** The bytes waiting to go to TCP (n == 0: none). */
void s7p_iso_output(const s7p_iso *iso, const uint8_t **p, size_t *n);
/** The first n of them went out. */
void s7p_iso_consumed(s7p_iso *iso, size_t n);
/** Client side: checks the parameters and queues the CR. */
s7p_status s7p_iso_connect_start(s7p_iso *iso, const s7p_iso_client_params *p);
/** Client side: looks for the answer to the CR in the fed bytes; *done once the CC came.
 *  A DR gives S7P_E_CONNECT, any other answer S7P_E_PROTOCOL (setup_reply says what came). */
s7p_status s7p_iso_connect_step(s7p_iso *iso, bool *done);
/** Server side: looks for the CR in the fed bytes; *done once it came and the answer is
 *  queued: CC echoing both TSAPs and the (possibly lowered) TPDU size, or DR when check()
 *  says no (then S7P_E_CONNECT). */
s7p_status s7p_iso_accept_step(s7p_iso *iso, s7p_iso_tsap_check check, void *ctx, bool *done);
/** Frees what an idle connection does not need (nothing pending is lost). */
void s7p_iso_trim(s7p_iso *iso);

/* ---- blocking calls over the owned socket ---- */

/** Writes the output queue to the socket. On failure the queue is dropped. */
s7p_status s7p_iso_flush(s7p_iso *iso, int64_t deadline);
/** Reads once from the socket (at least one byte) and feeds what came. S7P_E_CLOSED at EOF. */
s7p_status s7p_iso_fill(s7p_iso *iso, int64_t deadline);
/** Client side: sends CR, waits for CC. A DR (the server refused, e.g. an unknown TSAP)
 *  gives S7P_E_CONNECT; any other answer S7P_E_PROTOCOL (setup_reply says what came); a
 *  close before the CC S7P_E_CLOSED; timeouts and OS errors keep their status. */
s7p_status s7p_iso_connect(s7p_iso *iso, const s7p_iso_client_params *p, int64_t deadline);
/** Server side: waits for CR; answers CC echoing both TSAPs and the (possibly lowered)
 *  TPDU size, or DR when check() says no (then S7P_E_CONNECT). */
s7p_status s7p_iso_accept(s7p_iso *iso, s7p_iso_tsap_check check, void *ctx, int64_t deadline);
/** Sends n bytes as DTs (see s7p_iso_put). */
s7p_status s7p_iso_send(s7p_iso *iso, const uint8_t *data, size_t n, size_t max_chunk,
                        int64_t deadline);
/** Receives the next non-empty TSDU; *out views iso-owned memory valid until the next
 *  receive. A peer DR or TCP close gives S7P_E_CLOSED. */
s7p_status s7p_iso_recv(s7p_iso *iso, s7p_bytes *out, int64_t deadline);
/** Sends an empty DT; used by tests and the simulator. */
s7p_status s7p_iso_send_empty(s7p_iso *iso, int64_t deadline);

#endif

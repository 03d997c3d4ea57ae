/* ISO-on-TCP: one COTP connection over one TCP socket. Sends TSDUs as COTP DTs (EOT set on
 * each, as every S7CommPlus peer does) and receives TSDUs, joining DTs without EOT and
 * skipping empty DTs. Connection set-up both ways: connect (CR → CC) and accept (CR → CC or
 * DR). */
#ifndef S7P_NET_ISO_H
#define S7P_NET_ISO_H

#include "proto/cotp.h"

/** Largest TSDU we assemble from several DTs (S7CommPlus frames are far smaller). */
#define S7P_ISO_MAX_TSDU (64u * 1024u)
/** Largest TPDU size that can be negotiated (C0 exponent 13). */
#define S7P_ISO_MAX_TPDU 8192u
/** More empty DTs than this in a row, with no data between them, is a misbehaving peer. */
#define S7P_ISO_MAX_EMPTY_DT 64

typedef struct s7p_iso {
    int fd;                    /* owned; -1 when closed */
    size_t tpdu_size;          /* negotiated TPDU size (TPKT included), e.g. 1024 */
    uint16_t local_ref, remote_ref;
    /* receive side */
    uint8_t *rbuf;             /* raw TPKT bytes read from TCP, not yet parsed */
    size_t rlen, rcap;
    uint8_t *tsdu;             /* the TSDU being assembled / last returned */
    size_t tsdu_len, tsdu_cap; /* tsdu_len: bytes assembled so far (kept across a timeout) */
    int sys_errno;             /* OS error of the last failure, 0 if none */
    size_t rpos;               /* rbuf[rpos..rlen) is not parsed yet; [0..rpos) is done */
    uint8_t *sbuf;             /* one outgoing TPDU (at most S7P_ISO_MAX_TPDU bytes) */
    size_t scap;
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

/** Allocates the buffers; fd becomes owned by the iso (closed by s7p_iso_close). On failure
 *  (S7P_E_NOMEM) fd has already been closed and the iso is in the closed state. */
s7p_status s7p_iso_init(s7p_iso *iso, int fd);
/** Client side: sends CR, waits for CC. A DR (the server refused, e.g. an unknown TSAP)
 *  gives S7P_E_CONNECT; any other answer S7P_E_PROTOCOL (setup_reply says what came); a
 *  close before the CC S7P_E_CLOSED; timeouts and OS errors keep their status. */
s7p_status s7p_iso_connect(s7p_iso *iso, const s7p_iso_client_params *p, int64_t deadline);
/** Server side: waits for CR; answers CC echoing both TSAPs and the (possibly lowered)
 *  TPDU size, or DR when check() says no (then S7P_E_CONNECT). */
s7p_status s7p_iso_accept(s7p_iso *iso, s7p_iso_tsap_check check, void *ctx, int64_t deadline);
/** Sends n bytes as DTs of at most max_chunk payload bytes each (0 = TPDU size - 7; never
 *  more than the negotiated TPDU allows). n == 0 sends nothing. */
s7p_status s7p_iso_send(s7p_iso *iso, const uint8_t *data, size_t n, size_t max_chunk,
                        int64_t deadline);
/** Receives the next non-empty TSDU; *out views iso-owned memory valid until the next
 *  receive. A peer DR or TCP close gives S7P_E_CLOSED. */
s7p_status s7p_iso_recv(s7p_iso *iso, s7p_bytes *out, int64_t deadline);
/** Sends an empty DT (what HMIs send after each response); used by tests and the simulator. */
s7p_status s7p_iso_send_empty(s7p_iso *iso, int64_t deadline);
/** Closes the socket and frees the buffers. Safe to call twice, and on a zeroed struct (which
 *  is not taken to own fd 0). */
void s7p_iso_close(s7p_iso *iso);

#endif

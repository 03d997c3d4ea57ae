/* A channel carries S7CommPlus PDUs over one ISO-on-TCP connection, in clear or inside TLS
 * (after the cleartext InitSsl exchange). It frames and fragments outgoing PDUs (one frame
 * per DT in clear, one frame per TLS record in TLS) and parses the incoming byte stream into
 * frames, reassembling fragmented PDUs. Client and simulator both use it.
 *
 * Lifetime of received data: a message returned by s7p_channel_recv() points into the
 * channel's buffers and into the caller's arena; it stays valid until the next receive. */
#ifndef S7P_SESSION_CHANNEL_H
#define S7P_SESSION_CHANNEL_H

#include "net/iso.h"
#include "proto/frame.h"
#include "proto/pdu.h"
#include "tls/tls.h"

/** Data bytes per frame: TPDU 1024 - TPKT 4 - COTP 3 - TLS header 5 - AES-GCM overhead 17 -
 *  frame header 4 - trailer 4. Also used in clear so both modes fragment alike. */
#define S7P_FRAME_DATA_MAX 987u
/** TLS bytes per COTP DT, as the reference clients cut the TLS stream. */
#define S7P_TLS_DT_CHUNK 960u
/** Largest reassembled PDU accepted (an Explore of a big program spans many fragments). */
#define S7P_PDU_MAX (16u * 1024u * 1024u)

typedef enum { S7P_MSG_PDU, S7P_MSG_SYSTEM_EVENT, S7P_MSG_KEEPALIVE } s7p_msg_kind;

typedef struct s7p_msg {
    s7p_msg_kind kind;
    s7p_pdu pdu;              /* S7P_MSG_PDU */
    s7p_sysevent event;       /* S7P_MSG_SYSTEM_EVENT */
    const uint8_t *raw;       /* the PDU's data part as received (for traces) */
    size_t raw_len;
} s7p_msg;

/** Called with every PDU data part sent or received (before encryption / after decryption).
 *  Must not call back into the channel. */
typedef void (*s7p_channel_trace_fn)(void *ctx, bool outbound, uint8_t version,
                                     const uint8_t *data, size_t len);

typedef struct s7p_channel {
    s7p_iso iso;
    s7p_tls *tls;             /* NULL while in clear */
    s7p_tls_io tls_io;
    uint8_t *rx;              /* plaintext bytes received, not yet parsed into frames */
    size_t rx_len, rx_cap;
    uint8_t *pdu_buf;         /* reassembly buffer */
    s7p_reasm reasm;
    uint8_t *tx;              /* encoded PDU before framing */
    size_t tx_cap;
    size_t tx_len;            /* data part size of the last PDU sent (for traces) */
    uint8_t frame[S7P_FRAME_DATA_MAX + 16];
    s7p_channel_trace_fn trace;
    void *trace_ctx;
    s7p_status err;           /* sticky: once broken, a channel stays broken */
    char err_msg[224];        /* one line about the failure (room for two fingerprints) */
    size_t hs_bytes;          /* bytes the peer sent during the TLS handshake */
    uint8_t hs_first;         /* the first of them */
    bool hs_done;             /* the handshake is over (counting stops) */
} s7p_channel;

/** Takes ownership of fd. */
s7p_status s7p_channel_init(s7p_channel *ch, int fd);
/** Releases everything (closes the socket). Safe on a zeroed or closed channel. */
void s7p_channel_close(s7p_channel *ch);
/** Switches to TLS (handshake as client or server, by the context) over the COTP stream. */
s7p_status s7p_channel_start_tls(s7p_channel *ch, s7p_tls_ctx *ctx, int64_t deadline);
/** Encodes and sends one PDU, fragmented into frames of at most S7P_FRAME_DATA_MAX bytes. */
s7p_status s7p_channel_send(s7p_channel *ch, const s7p_pdu *p, int64_t deadline);
/** Sends a system event (version 0xFE frame). */
s7p_status s7p_channel_send_event(s7p_channel *ch, const s7p_sysevent *e, int64_t deadline);
/** Sends raw bytes as they are (fault injection in the simulator, tests). */
s7p_status s7p_channel_send_raw(s7p_channel *ch, const uint8_t *p, size_t n, int64_t deadline);
/** Marks the channel broken (a fatal condition found above the framing, e.g. a PLC's
 *  fatal system event); every later call fails with st. Returns st. */
s7p_status s7p_channel_break(s7p_channel *ch, s7p_status st, const char *what);

/** Receives the next message; decoded trees are allocated from `a` (released by the caller). */
s7p_status s7p_channel_recv(s7p_channel *ch, s7p_arena *a, s7p_msg *out, int64_t deadline);

#endif

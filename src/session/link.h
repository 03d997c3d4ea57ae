/* SPDX-License-Identifier: MIT */
/* A link is one S7CommPlus connection without a socket (sans-I/O): the driver feeds the bytes
 * TCP delivered and pops decoded messages; it puts PDUs, system events or raw bytes in and
 * writes what the output queue holds to TCP. In between: TPKT/COTP (net/iso), TLS on memory
 * BIOs (tls/) after the cleartext InitSsl exchange, S7CommPlus frames and the reassembly of
 * fragmented PDUs. Connection set-up (COTP connect / accept, the TLS handshake as client or
 * server) runs as steps over the same bytes. Nothing here blocks, reads a clock or touches
 * a file descriptor, so any event loop can drive a link; s7p_channel (channel.h) drives it
 * with blocking socket calls for today's client and simulator.
 *
 * Receive: s7p_link_feed(bytes) any number of times, then s7p_link_pop() until it reports
 * no message; the decoder works lazily, so what it buffers stays about one frame plus the
 * last read. Send: s7p_link_put_*(), then write s7p_link_output() and report it with
 * s7p_link_consumed(). After a TLS step or a pop the output may hold bytes too (handshake
 * flights, a KeyUpdate answer, an alert): drain it after every call.
 *
 * Lifetime of received data: a message points into the link's buffers and into the caller's
 * arena; it stays valid until the next pop. Errors are sticky: once broken, a link stays
 * broken, err_msg says why in one line.
 *
 * Memory: buffers start at a few KiB, grow on demand up to the limits below and shrink back
 * when the link is idle (no partial message buffered). */
#ifndef S7P_SESSION_LINK_H
#define S7P_SESSION_LINK_H

#include "legacy/crypto.h"
#include "net/iso.h"
#include "proto/frame.h"
#include "proto/pdu.h"
#include "tls/tls.h"
#include "util/arena.h"

/** Data bytes per frame: TPDU 1024 - TPKT 4 - COTP 3 - TLS header 5 - AES-GCM overhead 17 -
 *  frame header 4 - trailer 4. Also used in clear so both modes fragment alike. */
#define S7P_FRAME_DATA_MAX 987u
/** TLS bytes per COTP DT, as the reference clients cut the TLS stream. */
#define S7P_TLS_DT_CHUNK 960u
/** Largest reassembled PDU accepted (an Explore of a big program spans many fragments). */
#define S7P_PDU_MAX (16u * 1024u * 1024u)
/** Most plaintext buffered while a frame is incomplete: a frame whose header announces more
 *  can never complete. */
#define S7P_LINK_RX_MAX (64u * 1024u)

typedef enum { S7P_MSG_PDU, S7P_MSG_SYSTEM_EVENT, S7P_MSG_KEEPALIVE } s7p_msg_kind;

/** How the continuation frames of a fragmented signed (V3) PDU carry their digests (spec
 *  §2.7; docs/protocol.md §6.1). The first fragment is always HMAC(key, data_1). */
typedef enum s7p_digest_form {
    S7P_DIGEST_RESUME = 0,    /* (b) real S7-1200/1500 firmware: both HMAC hash states
                                 resumed from their finalized values (legacy/resume.c) */
    S7P_DIGEST_CHAINED,       /* (c) PLCSIM: HMAC(key, digest_{n-1} || data_n) */
    S7P_DIGEST_INDEPENDENT,   /* (d) HMAC(key, data_n) */
    S7P_DIGEST_FORMS,         /* their number; receiving: not yet known */
} s7p_digest_form;

typedef struct s7p_msg {
    s7p_msg_kind kind;
    s7p_pdu pdu;              /* S7P_MSG_PDU */
    s7p_sysevent event;       /* S7P_MSG_SYSTEM_EVENT */
    const uint8_t *raw;       /* the PDU's data part as received (for traces) */
    size_t raw_len;
} s7p_msg;

/** Called with every PDU data part sent or received (before encryption / after decryption).
 *  Must not call back into the link. */
typedef void (*s7p_link_trace_fn)(void *ctx, bool outbound, uint8_t version,
                                  const uint8_t *data, size_t len);

typedef struct s7p_link {
    s7p_iso iso;              /* COTP; iso.fd belongs to a blocking driver (-1: none) */
    s7p_tls *tls;             /* NULL while in clear */
    uint8_t *rx;              /* plaintext bytes received, not yet parsed into frames */
    size_t rx_len, rx_cap;
    uint8_t *pdu_buf;         /* reassembly buffer */
    s7p_reasm reasm;
    size_t pdu_max;           /* largest reassembled PDU accepted; S7P_PDU_MAX after init */
    uint8_t *tx;              /* encoded PDU before framing */
    size_t tx_cap;
    size_t tx_len;            /* data part size of the last PDU put (for traces) */
    uint8_t frame[S7P_FRAME_DATA_MAX + 16];
    s7p_link_trace_fn trace;
    void *trace_ctx;
    bool pop_raw;             /* pop leaves PDUs undecoded (only raw/raw_len set): a server
                                 that answers from bytes, as the benchmarks' replay server */
    s7p_status err;           /* sticky: once broken, a link stays broken */
    char err_msg[224];        /* one line about the failure (room for two fingerprints) */
    size_t hs_bytes;          /* bytes the peer sent during the TLS handshake */
    uint8_t hs_first;         /* the first of them */
    bool hs_done;             /* the handshake is over (counting stops) */
    /* Legacy security (link.c, "digests"): once a session key is set, every PDU sent is a
     * signed V3 PDU and every PDU received must be one whose digests verify. */
    bool digest_on;
    uint8_t digest_key[24];
    uint8_t digest_prev[32];  /* the digest of the previous fragment received */
    uint32_t digest_frames;   /* V3 frames verified (statistics, tests) */
    s7p_digest_form digest_send;   /* form of the continuations sent; S7P_DIGEST_RESUME
                                      after init (only a server sends fragmented PDUs) */
    s7p_digest_form digest_rx_form;  /* of the PDU being received: fixed by its second
                                        fragment, S7P_DIGEST_FORMS until then */
    s7p_legacy_resume digest_rx;   /* its state-resume hash states */
    uint32_t digest_cont[S7P_DIGEST_FORMS];  /* continuations verified, by form (tests) */
    uint32_t digest_cont_sent;     /* continuation frames sent (statistics, tests) */
} s7p_link;

/** Prepares a link; fd (-1 for none) is owned and closed by s7p_link_free, for a blocking
 *  driver. */
s7p_status s7p_link_init(s7p_link *l, int fd);
/** Releases everything (closes the fd). Safe on a zeroed or freed link. */
void s7p_link_free(s7p_link *l);
/** Marks the link broken (a fatal condition found above the framing, e.g. a PLC's fatal
 *  system event, or a failure of the driver's socket); every later call fails with st.
 *  Returns st. */
s7p_status s7p_link_break(s7p_link *l, s7p_status st, const char *what);

/* ---- bytes in, messages out ---- */

/** Hands over bytes TCP delivered. */
s7p_status s7p_link_feed(s7p_link *l, const uint8_t *p, size_t n);
/** Decodes the next message from what was fed; decoded trees are allocated from `a`.
 *  *got false: more bytes are needed. Errors break the link. */
s7p_status s7p_link_pop(s7p_link *l, s7p_arena *a, s7p_msg *out, bool *got);

/* ---- messages in, bytes out ---- */

/** Encodes one PDU, fragmented into frames of at most S7P_FRAME_DATA_MAX bytes. */
s7p_status s7p_link_put_pdu(s7p_link *l, const s7p_pdu *p);
/** A system event (version 0xFE frame). */
s7p_status s7p_link_put_event(s7p_link *l, const s7p_sysevent *e);
/** Raw bytes as they are, one TLS record in TLS (n <= 16384); fault injection and tests. */
s7p_status s7p_link_put_raw(s7p_link *l, const uint8_t *p, size_t n);
/** The bytes waiting for TCP (n == 0: none). */
void s7p_link_output(const s7p_link *l, const uint8_t **p, size_t *n);
/** The first n of them went out. */
void s7p_link_consumed(s7p_link *l, size_t n);

/* ---- set-up steps ---- */

/** Client: queues the COTP CR. Then feed and call s7p_link_connect_step until *done. */
s7p_status s7p_link_connect_start(s7p_link *l, const s7p_iso_client_params *p);
s7p_status s7p_link_connect_step(s7p_link *l, bool *done);
/** Server: waits in the fed bytes for the CR, answers CC (or DR: S7P_E_CONNECT). */
s7p_status s7p_link_accept_step(s7p_link *l, s7p_iso_tsap_check check, void *ctx, bool *done);
/** Switches to TLS, as client or server by the context; a client's ClientHello is queued
 *  at once. Then feed and call s7p_link_tls_step until *done. */
s7p_status s7p_link_tls_start(s7p_link *l, s7p_tls_ctx *ctx);
s7p_status s7p_link_tls_step(s7p_link *l, bool *done);
/** The driver's transport failed (timeout, close, OS error) while sending or receiving:
 *  breaks the link with the message that fits the moment (a PLC that never answers the
 *  TLS handshake is told apart). Returns the link's error. */
s7p_status s7p_link_transport_failed(s7p_link *l, s7p_status st, bool sending);
/** Moves what TLS queued (e.g. an alert after a failed s7p_tls_open) into the output. */
s7p_status s7p_link_tls_drain(s7p_link *l);

/* ---- legacy security: V3 per-packet digests ---- */

/** From now on signs every PDU sent (they must be V3, encoded with a digest field; a PDU
 *  larger than one frame is refused with S7P_E_LIMIT, as legacy requests are never
 *  fragmented) and verifies every PDU frame received against `key` (24 bytes): a V1/V2
 *  frame or a digest that does not verify breaks the link with S7P_E_INTEGRITY. A server
 *  (the simulator) may send fragmented V3 answers: each continuation frame carries its own
 *  digest, in the form digest_send says. A received PDU's continuations are accepted in each
 *  of the three forms; its second fragment fixes the form for the rest of it
 *  (docs/protocol.md §6.1). Calling it again switches the key (key refresh). */
void s7p_link_set_digest_key(s7p_link *l, const uint8_t key[24]);
/** Back to unsigned frames (a fresh connection reuses a link only after init). */
void s7p_link_clear_digest_key(s7p_link *l);

/** Heap held by the link's own buffers (OpenSSL's objects not included). */
size_t s7p_link_heap(const s7p_link *l);

#endif

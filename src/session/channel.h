/* SPDX-License-Identifier: MIT */
/* A channel is a link (link.h) driven through its own socket with blocking calls and
 * deadlines: sending puts into the link and writes its output to the socket; receiving pops
 * a message, and while there is none, reads the socket and feeds the link. The client's
 * session and the simulator's connection threads use it; an event loop uses the link
 * itself.
 *
 * Lifetime of received data: a message returned by s7p_channel_recv() points into the
 * channel's buffers and into the caller's arena; it stays valid until the next receive. */
#ifndef S7P_SESSION_CHANNEL_H
#define S7P_SESSION_CHANNEL_H

#include "session/link.h"

typedef s7p_link s7p_channel;
typedef s7p_link_trace_fn s7p_channel_trace_fn;

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
/** Writes whatever the link queued (e.g. a TLS alert) to the socket. */
s7p_status s7p_channel_flush(s7p_channel *ch, int64_t deadline);
/** Marks the channel broken (a fatal condition found above the framing, e.g. a PLC's
 *  fatal system event); every later call fails with st. Returns st. */
s7p_status s7p_channel_break(s7p_channel *ch, s7p_status st, const char *what);

/** Receives the next message; decoded trees are allocated from `a` (released by the caller).
 *  S7P_E_TIMEOUT when the deadline passes first: the channel stays usable, and bytes of a
 *  message received in part are kept for the next call. Other failures break the channel. */
s7p_status s7p_channel_recv(s7p_channel *ch, s7p_arena *a, s7p_msg *out, int64_t deadline);

#endif

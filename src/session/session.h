/* SPDX-License-Identifier: MIT */
/* The client side of an S7CommPlus session: a link (its socket) and the session engine
 * (engine.h: connect sequence, request table, timeouts, close). The client layer drives the
 * engine itself (client/driver.c); the blocking open / close / wait_all here run the engine
 * over the socket until their work completes (tools, benchmarks, the close at free). */
#ifndef S7P_SESSION_SESSION_H
#define S7P_SESSION_SESSION_H

#include "net/tcp.h"
#include "session/channel.h"
#include "session/engine.h"
#include "util/log.h"

typedef struct s7p_session_params {
    const char *host;
    uint16_t port;
    uint16_t local_tsap;
    const char *remote_tsap;
    s7p_tls_ctx *tls;
    s7p_tcp_keepalive keepalive;  /* set on the socket right after the TCP connect */
    s7p_engine_config engine;     /* in-flight limit, heartbeat */
    s7p_security security;        /* TLS, LEGACY_CHALLENGE or AUTO (engine.h) */
    const s7p_legacy_key_policy *keys;  /* legacy: key selection (NULL: catalog, fallback) */
    uint32_t legacy_refresh_ms;   /* legacy: session key renewal; 0 = never */
} s7p_session_params;

typedef struct s7p_session {
    s7p_channel ch;                  /* the link; its iso.fd is the session's socket */
    s7p_engine eng;
    bool open;
    /* What the connect sequence learned (copies of eng.props, for the services). */
    char paom[64];
    uint32_t protection_level;
    s7p_session_limits limits;
    s7p_security security;           /* negotiated: TLS or LEGACY_CHALLENGE */
    char legacy_key[20];             /* legacy: the PLC key used */
    const s7p_log_sink *log;
    /* Legitimation, newer variant: this connection's key chain, taken from the TLS exporter
     * at the first attempt and rolled with every attempt (session/legit.h); wiped when the
     * connection closes. */
    uint8_t legit_secret[32];
    bool legit_have_secret;
} s7p_session;

/** Runs the whole connect sequence until the deadline. On failure everything is closed.
 *  In legacy security a PLC that refuses the authentication is tried again on a fresh
 *  connection with the next key candidate or frame variant, while the deadline allows. */
s7p_status s7p_session_open(s7p_session *s, const s7p_session_params *p,
                            const s7p_log_sink *log, int64_t deadline, s7p_fail *f);

/** Starts a V2 request of this session (flags 0x34, 4 fill bytes), with an integrity id
 *  from the matching counter when with_iid. */
void s7p_session_init_request(s7p_session *s, s7p_pdu *p, uint16_t function, bool with_iid);

/** Deletes the session object (bounded by the deadline; errors ignored) and closes. */
void s7p_session_close(s7p_session *s, int64_t deadline);

/** Runs the engine until no request is pending (requests submitted to s->eng directly,
 *  several in flight), or the deadline. S7P_OK, the engine's fault, or S7P_E_TIMEOUT. */
s7p_status s7p_session_wait_all(s7p_session *s, int64_t deadline, s7p_fail *f);

/** Takes what the engine's connect sequence learnt and marks the session open (for a driver
 *  that ran the connect itself over s->ch and s->eng). */
void s7p_session_opened(s7p_session *s);

#endif

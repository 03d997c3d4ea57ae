/* The client side of an S7CommPlus session with blocking calls: the session engine
 * (engine.h: connect sequence, request table, timeouts, close) driven over the session's
 * own socket. Each call submits its work to the engine and runs the engine (poll the
 * socket until the deadline, feed it what arrives, write what it produces) until that work
 * completes. Not thread-safe: the client layer serialises calls. */
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
} s7p_session;

/** Runs the whole connect sequence until the deadline. On failure everything is closed.
 *  In legacy security a PLC that refuses the authentication is tried again on a fresh
 *  connection with the next key candidate or frame variant, while the deadline allows. */
s7p_status s7p_session_open(s7p_session *s, const s7p_session_params *p,
                            const s7p_log_sink *log, int64_t deadline, s7p_fail *f);

/** Starts a V2 request of this session (flags 0x34, 4 fill bytes), with an integrity id
 *  from the matching counter when with_iid. */
void s7p_session_init_request(s7p_session *s, s7p_pdu *p, uint16_t function, bool with_iid);

/** Sends req (its seq and session id are assigned here) and waits for the response with
 *  its sequence number; notifications that arrive meanwhile go to the engine's handlers
 *  (none: logged at DEBUG and dropped), an answer with an unknown sequence number faults
 *  the session (S7P_E_PROTOCOL). The response's trees live in `a`. A negative PLC return code
 *  is not an error here: the caller decides. */
s7p_status s7p_session_call(s7p_session *s, s7p_pdu *req, s7p_arena *a, s7p_pdu *resp,
                            int64_t deadline, s7p_fail *f);

/** As s7p_session_call, but the response is decoded again from a copy in `a`, so it stays
 *  valid after later receives (for answers that are kept, such as type information). */
s7p_status s7p_session_call_kept(s7p_session *s, s7p_pdu *req, s7p_arena *a, s7p_pdu *resp,
                                 int64_t deadline, s7p_fail *f);

/** Reads one attribute of an object with GetVarSubStreamed. S7P_E_PLC when the PLC refuses
 *  (f->plc_return), S7P_E_PROTOCOL when the answer carries no value. */
s7p_status s7p_session_read_attr(s7p_session *s, uint32_t object_id, uint32_t attr,
                                 s7p_arena *a, const s7p_value **out, int64_t deadline,
                                 s7p_fail *f);

/** Deletes the session object (bounded by the deadline; errors ignored) and closes. */
void s7p_session_close(s7p_session *s, int64_t deadline);

/** Runs the engine until no request is pending (requests submitted to s->eng directly,
 *  several in flight), or the deadline. S7P_OK, the engine's fault, or S7P_E_TIMEOUT. */
s7p_status s7p_session_wait_all(s7p_session *s, int64_t deadline, s7p_fail *f);

/** While the client idles: runs the engine's timers (the heartbeat when it is due, and
 *  until it is answered). S7P_OK when nothing failed; a failed heartbeat breaks the
 *  session. */
s7p_status s7p_session_idle(s7p_session *s, s7p_fail *f);
/** When s7p_session_idle should run next (monotonic ms; INT64_MAX: never). */
int64_t s7p_session_next_idle(const s7p_session *s);


#endif

/* The client side of an S7CommPlus session: the connect sequence (COTP, InitSsl, TLS,
 * CreateObject, set-up write, system limits, protection level), request/response matching
 * with sequence numbers and integrity ids, and the closing DeleteObject. Not thread-safe:
 * the client layer serialises calls. */
#ifndef S7P_SESSION_SESSION_H
#define S7P_SESSION_SESSION_H

#include "net/tcp.h"
#include "session/channel.h"
#include "util/log.h"

/** Details of a failure, turned into an s7p_error by the client layer. */
typedef struct s7p_fail {
    s7p_status code;
    uint64_t plc_return;       /* the PLC's return value when it refused */
    int sys_errno;
    unsigned long tls_err;
    char msg[256];
} s7p_fail;

typedef struct s7p_session_params {
    const char *host;
    uint16_t port;
    uint16_t local_tsap;
    const char *remote_tsap;
    s7p_tls_ctx *tls;
    s7p_tcp_keepalive keepalive;  /* set on the socket right after the TCP connect */
} s7p_session_params;

/** Limits the PLC reported at connect (defaults where it did not answer). */
typedef struct s7p_session_limits {
    int32_t tags_per_read, tags_per_write;
    int32_t subscriptions, attributes, subscription_memory;
} s7p_session_limits;

typedef struct s7p_session {
    s7p_channel ch;
    bool open;
    uint16_t seq;
    uint32_t iid_get, iid_set;       /* integrity id counters */
    uint32_t session_id, session_id2;
    char paom[64];                   /* ServerSessionVersion's SystemPAOMString */
    uint32_t protection_level;
    s7p_session_limits limits;
    uint32_t iid_mismatches;         /* responses whose integrity id did not match */
    const s7p_log_sink *log;
} s7p_session;

/** Runs the whole connect sequence until the deadline. On failure everything is closed. */
s7p_status s7p_session_open(s7p_session *s, const s7p_session_params *p,
                            const s7p_log_sink *log, int64_t deadline, s7p_fail *f);

/** Starts a V2 request of this session (flags 0x34, 4 fill bytes), with an integrity id
 *  from the matching counter when with_iid. */
void s7p_session_init_request(s7p_session *s, s7p_pdu *p, uint16_t function, bool with_iid);

/** Sends req (its seq, session id and integrity id are assigned here) and waits for the
 *  matching response; notifications and unrelated responses that arrive meanwhile are
 *  dropped (logged at DEBUG). The response's trees live in `a`. A negative PLC return code
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

/** Fills f (first failure wins) and returns code. */
s7p_status s7p_fail_set(s7p_fail *f, s7p_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif

/* SPDX-License-Identifier: MIT */
/* The session engine: one client-side S7CommPlus session without a socket, a thread or a
 * clock (sans-I/O, over an s7p_link). The driver connects TCP, then moves bytes between the
 * socket and the engine and passes the time in; the engine runs the connect sequence, the
 * request table (sequence numbers, integrity ids, up to max_in_flight requests outstanding,
 * answers matched by sequence number), cancel, timeouts, unsolicited PDUs, the idle
 * heartbeat and the closing DeleteObject, and reports every outcome through callbacks.
 *
 * Driving it (any event loop; session.c does it with blocking socket calls):
 *   - s7p_engine_feed(e, bytes, n, now) with what the socket delivered;
 *   - while s7p_engine_wants_write(e): write s7p_engine_output() and report it with
 *     s7p_engine_consumed(); check after every engine call;
 *   - s7p_engine_tick(e, now) when s7p_engine_next_deadline(e) has come (it also sends
 *     queued requests and the heartbeat, and goes on decoding when it paused, see below);
 *   - s7p_engine_transport_failed() when the socket fails or closes.
 * Times are milliseconds of one monotonic clock; deadlines are absolute on that clock.
 *
 * Callbacks run inside the engine call that completed them (feed, tick, cancel,
 * transport_failed, submit). A callback may submit and cancel requests; it must not free
 * the engine. Each submitted request completes exactly once.
 *
 * Lifetime of an answer: the response handed to a completion callback is valid during the
 * callback. With `into` set its decoded trees move into that arena (they live as long as
 * it), while the bytes they point to (strings, blobs) stay valid until the engine decodes
 * its next message: after such a completion the engine stops decoding until the next
 * feed/tick call. With `keep` the bytes are copied into `into` too and decoded again there,
 * so the whole answer lives as long as the arena. */
#ifndef S7P_SESSION_ENGINE_H
#define S7P_SESSION_ENGINE_H

#include "legacy/handshake.h"
#include "session/link.h"
#include "util/log.h"

/** Details of a failure, turned into an s7p_error by the client layer. */
typedef struct s7p_fail {
    s7p_status code;
    uint64_t plc_return;       /* the PLC's return value when it refused */
    int sys_errno;
    unsigned long tls_err;
    bool unsent;               /* a request's failure: it never went out (still queued) */
    char msg[256];
} s7p_fail;

/** Fills f (first failure wins) and returns code. */
s7p_status s7p_fail_set(s7p_fail *f, s7p_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** Requests outstanding at once by default. TIA Portal HMIs keep a few requests in flight
 *  on one session (capture V13_1200_TP1200sim_..._Timer_sync.pcapng, frames 79-83: two
 *  requests sent before the first answer); four lets a batch overlap its round trips
 *  without crowding a PLC that serves several HMIs. */
#define S7P_ENGINE_MAX_IN_FLIGHT 4u

typedef struct s7p_engine_config {
    unsigned max_in_flight;       /* 0: S7P_ENGINE_MAX_IN_FLIGHT */
    uint32_t heartbeat_ms;        /* idle time before a heartbeat request; 0 = off */
    uint32_t heartbeat_timeout_ms; /* the heartbeat's request timeout; 0: 5000 */
} s7p_engine_config;

/** Limits the PLC reported at connect (defaults where it did not answer). */
typedef struct s7p_session_limits {
    int32_t tags_per_read, tags_per_write;
    int32_t subscriptions, attributes, subscription_memory;
} s7p_session_limits;

/** What the connect sequence learned about the session. */
typedef struct s7p_engine_props {
    uint32_t session_id, session_id2;
    char paom[64];                   /* ServerSessionVersion's SystemPAOMString */
    uint32_t protection_level;
    s7p_session_limits limits;
    uint32_t iid_mismatches;         /* responses whose integrity id did not match */
    s7p_security security;           /* negotiated: S7P_SECURITY_TLS or _LEGACY_CHALLENGE */
    char legacy_key[20];             /* legacy: the PLC key used, "FF:HHHHHHHHHHHHHHHH" */
    unsigned legacy_attempts;        /* legacy: attempts (key x frame variant) there are */
    bool legacy_refused;             /* legacy: the PLC refused this attempt's key or
                                        variant (or dropped the connection on it): the
                                        next attempt, on a fresh connection, may pass */
    uint32_t legacy_refreshes;       /* legacy: session keys renewed */
} s7p_engine_props;

/** Completion of a request: st S7P_OK with the answer (NULL for a request sent with
 *  S7P_TF_NO_RESPONSE), or a failure described by f (S7P_E_CANCELLED after a cancel). A
 *  negative PLC return code is not a failure here: the caller decides. */
typedef void (*s7p_engine_done_fn)(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                                   const s7p_fail *f);
/** A notification (opcode 0x33); valid during the call. */
typedef void (*s7p_engine_notify_fn)(void *ctx, const s7p_pdu *pdu);
/** A system event that is not fatal; valid during the call. */
typedef void (*s7p_engine_event_fn)(void *ctx, const s7p_sysevent *ev);
/** End of the connect sequence (S7P_OK: the session is open) or of the close. */
typedef void (*s7p_engine_step_fn)(void *ctx, s7p_status st, const s7p_fail *f);

/** What the connect sequence needs; strings are copied. */
typedef struct s7p_engine_connect_params {
    uint16_t local_tsap;
    const char *remote_tsap;
    s7p_tls_ctx *tls;
    /* Security mode (docs/protocol.md §6.1): TLS (InitSsl, TLS handshake), LEGACY_CHALLENGE
     * (CreateObject in clear, challenge authentication, signed V3 frames), AUTO (TLS when
     * the PLC accepts InitSsl, else legacy when its CreateObject answer has a challenge). */
    s7p_security security;
    const s7p_legacy_key_policy *keys;  /* legacy: how PLC keys are found (NULL: catalog) */
    unsigned legacy_attempt;            /* legacy: which (key, variant) candidate to use */
    uint32_t legacy_refresh_ms;         /* legacy: session key renewal interval; 0 = never */
} s7p_engine_connect_params;

/** One request to submit. */
typedef struct s7p_engine_request {
    s7p_pdu *pdu;             /* filled by s7p_engine_init_request() or by hand; its seq
                                 and session id are assigned at submit (written back). It is
                                 copied, but the trees it points to must stay valid until
                                 the request completes */
    int64_t deadline;         /* no answer by then: the session faults (S7P_E_TIMEOUT) */
    s7p_arena *into;          /* optional: the answer's trees move here (see the top) */
    bool keep;                /* with into: the whole answer is copied there */
    s7p_engine_done_fn done;
    void *ctx;
} s7p_engine_request;

typedef struct s7p_engine_node s7p_engine_node;

typedef enum {
    S7P_ENGINE_IDLE,          /* initialised, nothing started */
    S7P_ENGINE_COTP,          /* connect: COTP CR sent, waiting for CC */
    S7P_ENGINE_INIT_SSL,      /* connect: InitSsl in flight (clear) */
    S7P_ENGINE_TLS,           /* connect: TLS handshake */
    S7P_ENGINE_SETUP,         /* connect: CreateObject, set-up write, limits, protection */
    S7P_ENGINE_OPEN,          /* requests may be submitted */
    S7P_ENGINE_CLOSING,       /* DeleteObject in flight */
    S7P_ENGINE_CLOSED,        /* closed after the DeleteObject (or without a session) */
    S7P_ENGINE_FAULTED,       /* the connection broke: fault says why */
} s7p_engine_phase;

/** Legacy security state of an engine (engine_legacy.c). */
typedef struct s7p_engine_legacy {
    bool active;                  /* authenticated: requests go out as signed V3 PDUs */
    s7p_legacy_pubkey key;        /* the PLC key in use (a refresh uses it again) */
    uint32_t refresh_ms;
    int64_t refresh_at;           /* when the next renewal is due */
    bool refresh_wanted;          /* due: new requests wait until the renewal is done */
    uint64_t refresh_id;          /* the renewal request in flight or queued; 0: none */
    uint8_t next_key[S7P_LEGACY_KEY_LEN]; /* the key the renewal write announced */
    s7p_arena arena;              /* the renewal requests */
} s7p_engine_legacy;

typedef struct s7p_engine {
    s7p_link *link;
    const s7p_log_sink *log;
    s7p_engine_config cfg;
    s7p_engine_phase phase;
    s7p_engine_props props;
    s7p_fail fault;               /* why the engine faulted (sticky) */
    int sys_errno;                /* the driver's errno of a transport failure */
    /* request table: in submit order; in flight (and tombstones of cancelled ones) first */
    s7p_engine_node *head, *tail;
    unsigned in_flight, queued, tombstones;
    uint64_t next_id;
    uint16_t seq;
    uint32_t iid_get, iid_set;    /* integrity id counters */
    s7p_arena rx_arena;           /* the message being dispatched */
    bool hold;                    /* an answer's bytes are lent out: decode no further */
    int64_t last_rx;              /* when bytes last arrived (heartbeat) */
    uint64_t heartbeat_id;        /* the heartbeat in flight; 0: none */
    uint64_t heartbeats;          /* heartbeats sent (tests, statistics) */
    s7p_arena hb_arena;           /* the heartbeat's request */
    s7p_engine_notify_fn on_notify;
    void *notify_ctx;
    s7p_engine_event_fn on_event;
    void *event_ctx;
    /* the connect or close in progress */
    s7p_engine_connect_params cp;
    char remote_tsap[40];
    int64_t step_deadline;
    s7p_engine_step_fn step_done;
    void *step_ctx;
    s7p_arena step_arena;
    const s7p_value *version;     /* ServerSessionVersion, in step_arena, for the set-up write */
    unsigned step_left;           /* answers the last connect step still waits for */
    s7p_engine_legacy legacy;
} s7p_engine;

/** Prepares an engine over a link (initialised, owned by the caller, outliving the engine).
 *  cfg may be NULL (defaults). */
void s7p_engine_init(s7p_engine *e, s7p_link *link, const s7p_engine_config *cfg,
                     const s7p_log_sink *log);
/** Completes whatever is pending with S7P_E_CLOSED (callbacks run) and frees the engine's
 *  memory; the link stays the caller's. Safe on a zeroed engine. */
void s7p_engine_free(s7p_engine *e);

/* ---- driver interface ---- */

/** Bytes the socket delivered; decodes and dispatches what they complete. */
s7p_status s7p_engine_feed(s7p_engine *e, const uint8_t *p, size_t n, int64_t now);
/** Expires requests and the connect/close deadline, sends queued requests and the
 *  heartbeat, goes on decoding after a pause. Call when next_deadline has come, or at any
 *  time. */
void s7p_engine_tick(s7p_engine *e, int64_t now);
/** The earliest time tick must run (INT64_MAX: none). */
int64_t s7p_engine_next_deadline(const s7p_engine *e);
/** True when the engine has bytes for the socket. */
bool s7p_engine_wants_write(const s7p_engine *e);
/** The bytes waiting for the socket (n == 0: none). */
void s7p_engine_output(const s7p_engine *e, const uint8_t **p, size_t *n);
/** The first n of them went out. */
void s7p_engine_consumed(s7p_engine *e, size_t n);
/** The socket failed (S7P_E_IO with sys_errno, S7P_E_CLOSED, or S7P_E_TIMEOUT of a write)
 *  while sending or receiving: the engine faults with the message that fits its phase. */
void s7p_engine_transport_failed(s7p_engine *e, s7p_status st, bool sending, int sys_errno);
/** True while decoding is paused for an answer lent out by reference (see the top): the
 *  next feed or tick goes on. */
bool s7p_engine_paused(const s7p_engine *e);

/* ---- connect and close ---- */

/** Starts the connect sequence over a link whose TCP connection the driver established:
 *  COTP CR/CC, InitSsl (V1, clear), TLS handshake, CreateObject, set-up write (attribute
 *  306), system limits, protection level. `done` reports the end; everything is bounded
 *  by deadline. */
s7p_status s7p_engine_connect(s7p_engine *e, const s7p_engine_connect_params *p, int64_t now,
                              int64_t deadline, s7p_engine_step_fn done, void *ctx);
/** Deletes the session object, bounded by deadline; done reports the end (errors are only
 *  logged: the caller closes the socket either way). Without an open session, done runs at
 *  once. */
void s7p_engine_close(s7p_engine *e, int64_t now, int64_t deadline, s7p_engine_step_fn done,
                      void *ctx);

/* ---- requests ---- */

/** Starts a V2 request of this session (flags 0x34, 4 fill bytes), with an integrity id
 *  from the matching counter when with_iid. */
void s7p_engine_init_request(s7p_engine *e, s7p_pdu *p, uint16_t function, bool with_iid);
/** Builds a GetVarSubStreamed request reading one attribute of an object (its address
 *  lives in `a`). */
bool s7p_engine_read_attr_request(s7p_engine *e, s7p_pdu *p, uint32_t object_id, uint32_t attr,
                                  s7p_arena *a);
/** LIDs of ObjectRoot's SystemLimits (TagsPerRead/WriteRequestMax, PlcSubscriptionsMax,
 *  PlcAttributesMax, SubscriptionMemoryMax) and FreeItems (PlcSubscriptionsFree,
 *  PlcAttributesFree, SubscriptionMemoryFree), in the order the reference driver reads
 *  them (services spec §3.3). */
#define S7P_LIMITS_MAX_N 5u
#define S7P_LIMITS_FREE_N 3u
extern const uint32_t s7p_limits_max_lids[S7P_LIMITS_MAX_N];
extern const uint32_t s7p_limits_free_lids[S7P_LIMITS_FREE_N];
/** Builds a GetMultiVariables reading ObjectRoot(201) pseudo-variables of sub_area
 *  (S7P_ID_SYSTEM_LIMITS or S7P_ID_FREE_ITEMS), one item per LID (n <= 32; addresses in
 *  `a`). session/limits.c. */
bool s7p_engine_limits_request(s7p_engine *e, s7p_pdu *p, uint32_t sub_area,
                               const uint32_t *lids, uint32_t n, s7p_arena *a);
/** Takes its answer: *slots[i] = item i+1 when the PLC answered it with a scalar DInt; the
 *  others keep their value (a per-item error or another type leaves the default). Returns
 *  the bit mask (bit i: item i+1) of the items taken. */
uint32_t s7p_engine_limits_take(const s7p_pdu *resp, int32_t *const *slots, uint32_t n);
/** Queues a request; it goes out at once when fewer than max_in_flight are outstanding.
 *  *id (optional) names it for cancel. S7P_E_STATE when the session is not open (or
 *  faulted: the fault's code); then no callback runs. */
s7p_status s7p_engine_submit(s7p_engine *e, const s7p_engine_request *r, int64_t now,
                             uint64_t *id);
/** Cancels a request: a queued one is never sent, an in-flight one completes at once with
 *  S7P_E_CANCELLED and its answer is discarded when it comes (until its deadline; an answer
 *  later than that is an unknown sequence number). False when no such request is pending. */
bool s7p_engine_cancel(s7p_engine *e, uint64_t id);
/** Requests in flight and queued. */
unsigned s7p_engine_pending(const s7p_engine *e);

/** Handlers for unsolicited PDUs (NULL: logged at DEBUG and dropped). */
void s7p_engine_on_notify(s7p_engine *e, s7p_engine_notify_fn fn, void *ctx);
void s7p_engine_on_event(s7p_engine *e, s7p_engine_event_fn fn, void *ctx);

#endif

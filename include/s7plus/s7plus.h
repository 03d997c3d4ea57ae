/* SPDX-License-Identifier: MIT */
/**
 * @file s7plus.h
 * @brief libs7plus — a C11 client library for Siemens S7-1200/S7-1500 PLCs over S7CommPlus.
 *
 * Thread safety: the library keeps no global mutable state, starts no threads (except the
 * one a client with `heartbeat_s` runs for its heartbeat) and needs no global init (OpenSSL 3
 * initialises itself). Calls on one client are serialised by the
 * client; separate clients run in parallel. s7p_strerror() and s7p_version() may be called
 * from any thread.
 *
 * Ownership: what the caller passes in stays the caller's (strings in options are copied);
 * what the library allocates is released with the matching s7p_*_free(); every _free(NULL)
 * is a no-op.
 */
#ifndef S7PLUS_S7PLUS_H
#define S7PLUS_S7PLUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the functions the library exports (all others are hidden). */
#if defined(S7P_BUILDING_LIBRARY)
#define S7P_API __attribute__((visibility("default")))
#else
#define S7P_API
#endif

/** Major version of this header: a new one may break the API and the ABI. */
#define S7P_VERSION_MAJOR 0
/** Minor version of this header (while the major version is 0, it may break the ABI). */
#define S7P_VERSION_MINOR 1
/** Patch version of this header. */
#define S7P_VERSION_PATCH 0
/** The version of this header as one number, MAJOR * 10000 + MINOR * 100 + PATCH. */
#define S7P_VERSION_NUMBER \
    (S7P_VERSION_MAJOR * 10000 + S7P_VERSION_MINOR * 100 + S7P_VERSION_PATCH)

/** Result of every call that can fail. The numbers are ABI: append only, never reuse. */
typedef enum s7p_status {
    S7P_OK = 0,         /**< success */
    S7P_E_INVALID_ARG,  /**< a caller argument is out of its documented range */
    S7P_E_NOMEM,        /**< an allocation failed */
    S7P_E_STATE,        /**< the handle is not in a state that allows the call */
    S7P_E_RESOLVE,      /**< host name could not be resolved */
    S7P_E_CONNECT,      /**< TCP or COTP connection could not be established */
    S7P_E_TIMEOUT,      /**< a deadline passed before the peer answered */
    S7P_E_CLOSED,       /**< the peer closed the connection */
    S7P_E_IO,           /**< an operating-system I/O error */
    S7P_E_TLS,          /**< TLS handshake or record failure */
    S7P_E_TLS_VERIFY,   /**< the PLC certificate did not pass the configured verification */
    S7P_E_PROTOCOL,     /**< the peer sent bytes that violate the protocol */
    S7P_E_UNSUPPORTED,  /**< a valid feature this build or the peer does not support */
    S7P_E_AUTH,         /**< legitimation (password) failed */
    S7P_E_PLC,          /**< the PLC answered with an error return value */
    S7P_E_NOT_FOUND,    /**< a symbol, object or attribute does not exist */
    S7P_E_TOO_SMALL,    /**< a caller buffer is too small */
    S7P_E_LIMIT,        /**< a size, count or nesting limit was exceeded */
    S7P_E_WRITE_DISABLED, /**< a write on a client created without allow_write */
    S7P_E_CONFIG,       /**< the local configuration does not fit the PLC: wrong TSAP, CA or
                             key-log file unusable, a PLC that acknowledged InitSsl but does
                             not speak TLS */
    S7P_E_CERT_CHANGED, /**< trust on first use: the PLC's certificate differs from the one
                             remembered (the message shows both fingerprints) */
    S7P_E_NOT_SENT,     /**< batch item: not sent, because an earlier request of the same
                             batch failed (or the call failed before sending it) */
    S7P_E_PROGRAM_CHANGED, /**< the PLC's program changed since the tag was resolved (symbol
                             CRC mismatch, or a changed program was detected): resolve the
                             tag again with s7p_tag_by_symbol() or browse */
    S7P_E_CANCELLED,    /**< the request was cancelled before its answer came: a queued one
                             was never sent, an answer that still comes is discarded */
    S7P_E_INTEGRITY,    /**< legacy security: a frame from the peer failed its integrity check
                             (HMAC digest mismatch, a replayed or out-of-sequence answer, an
                             unsigned frame in a signed session); the session is faulted */
    S7P_E_SECURITY_MODE, /**< the PLC does not offer the security mode asked for (TLS from a
                             PLC that refuses InitSsl, legacy from one without the challenge,
                             AUTO from one with neither); nothing falls back: choose the
                             mode (s7p_client_options.security) the PLC speaks */
} s7p_status;

/**
 * Short English name of a status, e.g. "protocol error".
 * @param s  any value, also one this version does not know ("unknown status")
 * @return a static string, never NULL
 * @threadsafety Any thread.
 */
S7P_API const char *s7p_strerror(s7p_status s);

/**
 * Name of a PLC return code as the PLC firmware names it, e.g. -17 gives "InvalidCRC".
 * @param code  a signed PLC code, as in s7p_error.plc_code or s7p_item_result.plc_code
 * @return a static string, or NULL for a code the library does not know
 * @threadsafety Any thread.
 */
S7P_API const char *s7p_plc_code_name(int16_t code);

/**
 * One line of English saying what a PLC return code means for the caller, e.g. -17 gives
 * "symbol CRC mismatch: the PLC's program changed, resolve the tag again".
 * @param code  a signed PLC code, as in s7p_error.plc_code or s7p_item_result.plc_code
 * @return a static string, never NULL (unknown codes give a generic text)
 * @threadsafety Any thread.
 */
S7P_API const char *s7p_plc_code_text(int16_t code);

/**
 * Version of the library running, as "MAJOR.MINOR.PATCH".
 * @return a static string, never NULL
 * @threadsafety Any thread.
 */
S7P_API const char *s7p_version(void);

/**
 * Version of the library running (which may be newer than the header a program was built
 * with), as one number, e.g. to check at start-up that a shared library is recent enough.
 * @return MAJOR * 10000 + MINOR * 100 + PATCH, comparable with S7P_VERSION_NUMBER
 * @threadsafety Any thread.
 */
S7P_API int s7p_version_number(void);

/* ---- errors -------------------------------------------------------------------------- */

/**
 * Everything known about a failure. A plain value: no heap pointers, copy it with `=`.
 * Every call that can fail takes an `s7p_error *err` (may be NULL): on failure it is filled,
 * on success it is cleared (code S7P_OK). Each call fills only the caller's own struct, so
 * threads never see each other's errors.
 */
typedef struct s7p_error {
    s7p_status code;           /**< what failed, by class; S7P_OK after a success */
    const char *op;            /**< static: "connect", "info", "disconnect", ... */
    char endpoint[72];         /**< "192.0.2.10:102" or "[2001:db8::1]:102" */
    uint64_t plc_return;       /**< raw PLC return value; 0 when the PLC did not answer */
    int16_t plc_code;          /**< signed PLC error code (low 16 bits of plc_return) */
    int sys_errno;             /**< 0 when not an OS error */
    unsigned long tls_err;     /**< OpenSSL error code, 0 when none */
    bool transient;            /**< a retry (maybe after reconnect) may succeed */
    char message[256];         /**< one line, no trailing newline */
} s7p_error;

/* ---- logging --------------------------------------------------------------------------- */

/** How important a log message is; s7p_client_options.log_level is the most verbose passed. */
typedef enum s7p_log_level {
    S7P_LOG_ERROR = 0,  /**< a failure the caller is told about as well */
    S7P_LOG_WARN = 1,   /**< a failed call, a fault the library works around */
    S7P_LOG_INFO = 2,   /**< connection events, the PLC certificate's fingerprint */
    S7P_LOG_DEBUG = 3,  /**< every PDU sent and received (the PDU trace) */
} s7p_log_level;

/**
 * Log callback. Runs on the calling thread inside the API call that logs, holds no library
 * lock, and must not call back into the same client. `msg` is valid only during the call.
 * Secrets (passwords, keys) are never logged. With no callback the library writes nothing.
 * @param ctx    s7p_client_options.log_ctx
 * @param level  the message's level (never more verbose than s7p_client_options.log_level)
 * @param layer  static name of the layer that logs: "client", "session", "tls", ...
 * @param msg    one line, no trailing newline; valid only during the call
 */
typedef void (*s7p_log_fn)(void *ctx, s7p_log_level level, const char *layer, const char *msg);

/* ---- client ---------------------------------------------------------------------------- */

/** How the session is protected. There is never a silent downgrade: TLS fails with
 *  S7P_E_SECURITY_MODE against a PLC without TLS; only AUTO falls back, and it logs (INFO)
 *  which mode it chose and why. The mode used is in s7p_cpu_info.security. */
typedef enum s7p_security {
    S7P_SECURITY_TLS = 0,           /**< TLS 1.3 (S7-1500 FW >= 2.9, S7-1200 FW >= 4.5) */
    S7P_SECURITY_LEGACY_CHALLENGE,  /**< older firmware without TLS: the challenge
                                         authentication with the PLC's public key (see the
                                         legacy_* options), then an HMAC-SHA256 digest on
                                         every frame both ways (a frame that does not verify
                                         faults the session with S7P_E_INTEGRITY). It
                                         authenticates and protects integrity, but does NOT
                                         encrypt: values travel in clear */
    S7P_SECURITY_AUTO,              /**< TLS when the PLC offers it (accepts InitSsl); legacy
                                         only when it refuses InitSsl and offers the
                                         challenge */
} s7p_security;

/** A PLC public key of the legacy challenge authentication (families 0 S7-1500, 1
 *  S7-1200 and 3 PLCSIM / virtual PLC). The library has the public keys of the known CPU
 *  firmware built in; this is for others (and for the s7plus simulator's test keys,
 *  s7p_legacy_test_key() and s7p_legacy_test_key_plcsim()). */
typedef struct s7p_legacy_key {
    uint8_t family;                 /**< the digits before the colon of the PLC's key
                                         fingerprint: 0 S7-1500, 1 S7-1200, 3 PLCSIM */
    uint64_t id;                    /**< the 16 hex digits after the colon, as a number */
    uint8_t key[40];                /**< families 0 and 1: the public key, x (20 bytes
                                         little-endian), then 20 bytes the computation does
                                         not use */
    uint8_t key_p256[64];           /**< family 3: the NIST P-256 public point, x then y,
                                         32 bytes big-endian each (`key` is unused) */
} s7p_legacy_key;

/** Finds a public key the library does not have built in.
 *  @param ctx     s7p_client_options.legacy_key_ctx
 *  @param family  the PLC's key family (0 S7-1500, 1 S7-1200, 3 PLCSIM)
 *  @param has_id  false when the PLC named only its family (then `id` is 0)
 *  @param id      the key id the PLC named
 *  @param out     to fill
 *  @return true when `out` was filled. Runs on the connecting thread during s7p_connect(). */
typedef bool (*s7p_legacy_key_fn)(void *ctx, uint8_t family, bool has_id, uint64_t id,
                                  s7p_legacy_key *out);

/**
 * The public half of the s7plus simulator's TEST key pair ("00:BA35267CA865911B"). It is
 * NOT a PLC key: made up for s7plus-sim and tests, no PLC accepts it. Put it in
 * s7p_client_options.legacy_keys to connect to `s7plus-sim --security legacy`.
 * @param out  filled (not NULL)
 * @threadsafety Any thread.
 */
S7P_API void s7p_legacy_test_key(s7p_legacy_key *out);

/**
 * The public half of the s7plus simulator's family-3 (PLCSIM) TEST key pair
 * ("03:25E216899D5A17CA", a NIST P-256 point). NOT a PLCSIM key: made up for s7plus-sim
 * (`--security legacy --legacy-family 3`) and tests. Put it in
 * s7p_client_options.legacy_keys to connect to such a simulator.
 * @param out  filled (not NULL)
 * @threadsafety Any thread.
 */
S7P_API void s7p_legacy_test_key_plcsim(s7p_legacy_key *out);

/** Which PLC certificates are accepted. PLCs ship self-signed certificates, so the default
 *  accepts any and logs its SHA-256 fingerprint (INFO); pin that fingerprint for production. */
typedef enum s7p_verify {
    S7P_VERIFY_NONE = 0,            /**< accept any certificate (fingerprint logged) */
    S7P_VERIFY_CA,                  /**< the chain must verify against `ca_file` */
    S7P_VERIFY_PIN,                 /**< the certificate's SHA-256 must equal `pin_sha256` */
    S7P_VERIFY_TOFU,                /**< trust on first use, like SSH's known_hosts: the
                                         fingerprint is remembered in `known_hosts_file` on
                                         first contact; a changed certificate later fails
                                         with S7P_E_CERT_CHANGED */
} s7p_verify;

/** ISO-on-TCP port of every S7 PLC. */
#define S7P_DEFAULT_PORT 102
/** Calling (local) TSAP the library sends by default. */
#define S7P_DEFAULT_LOCAL_TSAP 0x0600
/** Called (remote) TSAP of an HMI connection: the default. */
#define S7P_REMOTE_TSAP_HMI "SIMATIC-ROOT-HMI"
/** Called (remote) TSAP of an engineering-station connection, as TIA Portal uses. */
#define S7P_REMOTE_TSAP_ES "SIMATIC-ROOT-ES"

/** Where a client's connection stands. */
typedef enum s7p_conn_state {
    S7P_STATE_DISCONNECTED = 0,     /**< no connection (initial, after s7p_disconnect()) */
    S7P_STATE_CONNECTING,           /**< s7p_connect() (or an automatic reconnect) is running */
    S7P_STATE_CONNECTED,            /**< a session is established */
    S7P_STATE_FAULTED,              /**< the connection broke; s7p_connect() (or, with
                                         auto_reconnect, the next read) connects again */
    S7P_STATE_DISCONNECTING,        /**< s7p_disconnect() is ending the session */
} s7p_conn_state;

/** Called on every state change, in the order the changes happened, each `from` being the
 *  previous call's `to`. Runs without the client's lock (so it may call into the client: the
 *  changes such a nested call makes are delivered after the current callback returns), on
 *  the thread of an API call on this client: usually the call that changed the state, but
 *  when threads share a client, one thread at a time delivers the queued callbacks of all,
 *  so a call may return before its own changes were reported, and a slow callback delays
 *  the other callbacks (not the other calls).
 *  @param ctx   s7p_client_options.state_ctx
 *  @param from  the state before the change
 *  @param to    the state after it */
typedef void (*s7p_state_fn)(void *ctx, s7p_conn_state from, s7p_conn_state to);

/** Called when a call fails for a communication reason (network, timeout, TLS, protocol,
 *  the PLC refusing a whole request), with (a copy of) the error the call returns, after the
 *  state changes of that call. Shares one ordered queue, and the thread and lock rules, with
 *  s7p_state_fn. Argument errors and per-item errors do not call it.
 *  @param ctx  s7p_client_options.comm_error_ctx
 *  @param err  the error; valid only during the call (copy it with `=`) */
typedef void (*s7p_comm_error_fn)(void *ctx, const s7p_error *err);

/** Client options. Initialise with s7p_client_options_init(); s7p_client_new() copies every
 *  string, so the struct and its strings may go away afterwards. New fields go at the end. */
typedef struct s7p_client_options {
    size_t struct_size;             /**< set by s7p_client_options_init() */
    const char *host;               /**< name or address; required */
    uint16_t port;                  /**< default 102 */
    uint16_t local_tsap;            /**< default 0x0600 */
    const char *remote_tsap;        /**< default "SIMATIC-ROOT-HMI"; 1..32 printable ASCII */
    uint32_t connect_timeout_ms;    /**< whole connect sequence; default 5000 */
    uint32_t request_timeout_ms;    /**< each request/response, also each one inside a
                                         browse or symbol lookup; default 5000 */
    uint32_t disconnect_timeout_ms; /**< session close; default 2000 */
    uint32_t browse_timeout_ms;     /**< a whole browse or symbol lookup (each of its
                                         requests is bounded by request_timeout_ms as well);
                                         default 120000 */
    s7p_security security;          /**< default S7P_SECURITY_TLS */
    const char *keylog_file;        /**< append TLS secrets (SSLKEYLOGFILE format); NULL = off */
    s7p_verify verify;              /**< default S7P_VERIFY_NONE */
    const char *ca_file;            /**< S7P_VERIFY_CA */
    uint8_t pin_sha256[32];         /**< S7P_VERIFY_PIN */
    s7p_log_fn log;                 /**< NULL = silent */
    void *log_ctx;                  /**< passed to `log` as it is */
    s7p_log_level log_level;        /**< most verbose level passed to `log`; default INFO */
    bool allow_write;               /**< default false: s7p_write() fails, sends nothing */
    s7p_state_fn on_state;          /**< NULL = none */
    void *state_ctx;                /**< passed to `on_state` as it is */
    s7p_comm_error_fn on_comm_error; /**< NULL = none */
    void *comm_error_ctx;           /**< passed to `on_comm_error` as it is */
    bool auto_reconnect;            /**< default false. When on, a read, browse, symbol lookup
                                         or CPU info call that fails transiently reconnects
                                         and retries exactly once; a write is never retried
                                         (the caller gets the error and decides). A client
                                         that lost its session stays FAULTED, and every
                                         later retryable call tries to reconnect again (at
                                         most one attempt per reconnect_interval_ms). */
    uint32_t reconnect_interval_ms; /**< auto_reconnect: least time between a failed
                                         connect attempt and the next automatic one; default
                                         1000, 0 is rejected. A call within the interval
                                         fails at once with the last connect error (its code,
                                         so transient for a refused or timed-out connect). */
    const char *expected_name;      /**< S7P_VERIFY_CA: the DNS name or IP address the PLC
                                         certificate must carry; NULL = `host` */
    const char *known_hosts_file;   /**< S7P_VERIFY_TOFU: the file of remembered fingerprints
                                         (one "endpoint sha256-hex" line each); required */
    /* Dead-peer detection by the kernel (a pulled cable, a PLC switched off): set on the
     * socket after the TCP connect. A connection that has been silent for keepalive_idle_s
     * is probed every keepalive_interval_s; after keepalive_count unanswered probes it is
     * dropped, so a dead peer is noticed within idle + interval x count seconds (default
     * 10 + 5 x 3 = 25 s) and the next call fails at once with S7P_E_IO or S7P_E_CLOSED
     * (transient). A call in progress is bounded by the request timeout anyway. Values out
     * of range give S7P_E_INVALID_ARG from s7p_client_new(). docs/errors.md. */
    bool tcp_keepalive;             /**< default true */
    uint32_t keepalive_idle_s;      /**< default 10; 1..32767 */
    uint32_t keepalive_interval_s;  /**< default 5; 1..32767 */
    uint32_t keepalive_count;       /**< default 3; 1..127 */
    uint32_t tcp_user_timeout_ms;   /**< TCP_USER_TIMEOUT (Linux): how long sent data may stay
                                         unacknowledged before the connection is dropped.
                                         Default 0 = the keepalive bound (idle + interval x
                                         count, in ms) when tcp_keepalive is on, else the
                                         kernel's default (about 15 minutes); at most
                                         2147483647 */
    uint32_t heartbeat_s;           /**< dead-application detection: after this many seconds
                                         in which nothing arrived from a connected PLC and no
                                         call was running, the client reads a cheap attribute
                                         (the session's protection level) to see that the PLC
                                         still serves the session. No answer within
                                         request_timeout_ms faults the connection (state
                                         FAULTED, on_comm_error with S7P_E_TIMEOUT), so a PLC
                                         whose TCP stack answers while its application does
                                         not is noticed within heartbeat_s +
                                         request_timeout_ms. It costs one background thread
                                         per client. Default 0 = off (TCP keepalive covers a
                                         dead peer); at most 86400 */
    /* Legacy challenge authentication (security LEGACY_CHALLENGE or AUTO). The PLC names
     * its key ("00:181B7B0847D11694"); the key tried first is the resolver's, else one of
     * legacy_keys, else the built-in one of that id; with legacy_key_fallback the other keys
     * of the family follow, each on a fresh connection, while the connect timeout lasts. */
    const char *legacy_key_id;      /**< "FF:HHHHHHHHHHHHHHHH": use only this key, whatever
                                         the PLC names; NULL = the PLC's (default) */
    s7p_legacy_key_fn legacy_key_resolver; /**< NULL = none */
    void *legacy_key_ctx;           /**< passed to `legacy_key_resolver` as it is */
    const s7p_legacy_key *legacy_keys; /**< keys searched before the built-in ones (copied
                                         by s7p_client_new()); NULL = none */
    size_t legacy_nkeys;            /**< entries of legacy_keys; at most 64 */
    bool legacy_key_fallback;       /**< default true: when the PLC refuses the key of its
                                         id (or names no id), try the other keys of its
                                         family */
    uint32_t legacy_refresh_s;      /**< renew the session key this often (PLCs expire it);
                                         default 1500 (25 minutes); 0 = never; at most
                                         86400 */
    uint32_t max_in_flight;         /**< requests outstanding at once on the session: the
                                         requests of a read batch and of other threads'
                                         calls go out without waiting for the answers
                                         before them, up to this many (TIA Portal HMIs keep
                                         a few in flight). Default 4; 1 = one at a time;
                                         at most 64 */
    bool io_thread;                 /**< run the client's I/O on a thread of its own
                                         (s7p_client_start_io_thread() at s7p_client_new());
                                         a client with heartbeat_s > 0 gets one anyway */
    /* Legitimation (password login to a protected PLC, docs/protocol.md "Legitimation"):
     * when the session the PLC gives has less than full access, the client logs in with
     * these at the end of every connect, automatic reconnects included, before the connect
     * counts as done; a wrong password fails the connect with S7P_E_AUTH. Both strings are
     * copied (the copies are wiped at s7p_client_free()) and never logged. */
    const char *password;           /**< the password of the access level wanted (TIA
                                         Portal's "protection" passwords), UTF-8, at most
                                         256 bytes; NULL or "" = none (the session keeps the
                                         PLC's level for clients without password) */
    const char *username;           /**< user management (S7-1500 from V3.1, S7-1200 from
                                         V4.7, S7-1200 G2): log in as this user with
                                         `password`; NULL or "" = the password alone. At
                                         most 256 bytes */
} s7p_client_options;

/** One PLC endpoint. Opaque. Calls on one client are serialised internally: a client may be
 *  shared by threads, each call waits for the one before it. */
typedef struct s7p_client s7p_client;

/** @cond S7P_HIDDEN */
/* The function behind the macro s7p_client_options_init(): it fills a struct of this
 * library's size, so it is for programs built with this very header only. */
S7P_API void (s7p_client_options_init)(s7p_client_options *o);
/** @endcond */

/**
 * Sets every field of a struct of `size` bytes (the program's `sizeof`) to its default and
 * struct_size to `size`. A program built with an older, smaller struct gets only its own
 * fields written, and s7p_client_new() fills the newer ones with their defaults; a program
 * built with a newer, larger struct gets the fields this library does not know zeroed, and
 * s7p_client_new() refuses the options if any of them is set later.
 * @param o     the options to fill; NULL is a no-op
 * @param size  `sizeof` of the program's s7p_client_options
 * @threadsafety Any thread.
 */
S7P_API void s7p_client_options_init_size(s7p_client_options *o, size_t size);

/**
 * Sets every field of the options to its default. A macro that calls
 * s7p_client_options_init_size() with the program's own struct size, so that a program
 * built with this header works with a later library whose struct is larger.
 * @param o  the options to fill (not NULL)
 * @threadsafety Any thread.
 */
#define s7p_client_options_init(o) s7p_client_options_init_size((o), sizeof *(o))

/**
 * Creates a client (does not connect, opens no file or socket).
 * @param out  receives the client, or NULL on failure; the caller frees it with
 *             s7p_client_free()
 * @param o    the options; every string in them is copied, so they may go away afterwards.
 *             A struct of an older or newer library version is accepted (see
 *             s7p_client_options_init_size())
 * @param err  filled on failure, cleared on success; may be NULL
 * @return S7P_OK; S7P_E_INVALID_ARG for invalid options (no host, an invalid remote TSAP,
 *         a zero timeout or interval, verify mode CA without a CA file or TOFU without a
 *         known-hosts file, an expected name without verify mode CA, a struct that is not
 *         initialised or uses fields this library does not know): nothing is created;
 *         S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_client_new(s7p_client **out, const s7p_client_options *o, s7p_error *err);

/**
 * Disconnects (bounded by the disconnect timeout) and frees everything; no callback is
 * called for this disconnect.
 * @param c  the client; NULL is a no-op. Invalid afterwards
 * @threadsafety Calls in progress on other threads are waited for (each is bounded by its
 * timeout); no new call may start once s7p_client_free() was called, and it must not be
 * called from one of the client's own callbacks.
 */
S7P_API void s7p_client_free(s7p_client *c);

/**
 * Connects: TCP, COTP, InitSsl, TLS 1.3, session creation and set-up. Blocks up to the
 * connect timeout. Errors: S7P_E_RESOLVE, S7P_E_CONNECT (TCP refused or unreachable),
 * S7P_E_CONFIG (COTP refused: wrong TSAP; unusable CA, key-log or known-hosts file; a PLC
 * that does not speak TLS after InitSsl), S7P_E_TIMEOUT, S7P_E_CLOSED, S7P_E_TLS,
 * S7P_E_TLS_VERIFY, S7P_E_CERT_CHANGED (trust on first use), S7P_E_PLC (the PLC refused the
 * session, e.g. too many sessions: see err->plc_code), S7P_E_PROTOCOL, S7P_E_SECURITY_MODE
 * (the PLC does not offer the security mode asked for), S7P_E_UNSUPPORTED, S7P_E_INTEGRITY,
 * S7P_E_STATE (already connected). docs/errors.md
 * lists which condition gives which code.
 * @param c    the client
 * @param err  filled on failure, cleared on success; may be NULL
 * @return S7P_OK or one of the errors above; `err->transient` says whether trying again
 *         may help
 * @threadsafety Any thread; serialised with the client's other calls. Calls the client's
 * state and error callbacks (see ::s7p_state_fn).
 */
S7P_API s7p_status s7p_connect(s7p_client *c, s7p_error *err);

/**
 * Ends the session (DeleteObject) and closes the connection; always frees the connection's
 * resources, even when the PLC does not answer within the disconnect timeout. The client
 * may connect again afterwards.
 * @param c    the client
 * @param err  filled on failure, cleared on success; may be NULL
 * @return S7P_OK, also when not connected or when the PLC did not answer the goodbye (the
 *         connection is closed all the same); S7P_E_INVALID_ARG for a NULL client
 * @threadsafety Any thread; serialised with the client's other calls.
 */
S7P_API s7p_status s7p_disconnect(s7p_client *c, s7p_error *err);

/**
 * Whether a session is established.
 * @param c  the client
 * @return true in state S7P_STATE_CONNECTED
 * @threadsafety Any thread; the answer may be stale once another thread's call changed
 * the state.
 */
S7P_API bool s7p_is_connected(s7p_client *c);

/**
 * The connection state.
 * @param c  the client
 * @return its current state
 * @threadsafety Any thread; the answer may be stale once another thread's call changed
 * the state.
 */
S7P_API s7p_conn_state s7p_get_state(s7p_client *c);

/**
 * Name of a connection state: "disconnected", "connecting", "connected", "faulted",
 * "disconnecting".
 * @param s  a state
 * @return a static string, never NULL
 * @threadsafety Any thread.
 */
S7P_API const char *s7p_state_name(s7p_conn_state s);

/** What the CPU tells about itself. Strings are NUL-terminated, empty when not reported. */
typedef struct s7p_cpu_info {
    char order_number[32];          /**< e.g. "6ES7 516-3AN02-0AB0" */
    char serial_number[32];         /**< the CPU's serial number */
    char firmware[16];              /**< e.g. "V3.1.0" */
    char hardware_revision[8];      /**< hardware product version */
    char plc_name[128];             /**< the CPU's name in the project, e.g. "PLC_1" */
    char project_name[128];         /**< TIA project name, when the PLC reports it */
    char tia_version[32];           /**< TIA Portal version the project was built with */
    char paom[64];                  /**< session version string, e.g. "1;6ES7 516-3AN02-0AB0;V3.1" */
    uint32_t protection_level;      /**< 1 full, 2 read, 3 HMI, 4 no access */
    char tls_cipher[48];            /**< negotiated suite */
    char cert_sha256[65];           /**< PLC certificate fingerprint (hex) */
    char security[16];              /**< the security mode the session uses: "tls" or
                                         "legacy" (legacy challenge authentication) */
    char legacy_key[20];            /**< legacy: the PLC key used, "FF:HHHHHHHHHHHHHHHH" */
} s7p_cpu_info;

/**
 * Reads CPU information (four reads; blocks up to 4 request timeouts). With auto_reconnect
 * a transient failure reconnects and retries once.
 * @param c    a connected client
 * @param out  filled on success (the caller's struct)
 * @param err  filled on failure, cleared on success; may be NULL
 * @return S7P_OK; S7P_E_STATE (not connected, no auto_reconnect); S7P_E_TIMEOUT,
 *         S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS, S7P_E_PROTOCOL, S7P_E_PLC
 * @threadsafety Any thread; serialised with the client's other calls.
 */
S7P_API s7p_status s7p_get_cpu_info(s7p_client *c, s7p_cpu_info *out, s7p_error *err);

/* ---- CPU culture, communication resources, operating state ---------------------------- */

/** At most this many languages are kept in s7p_cpu_culture_info. */
#define S7P_MAX_LANGUAGES 32

/** One language of the PLC's texts: a Windows LCID and its culture name. */
typedef struct s7p_culture {
    uint16_t lcid;                  /**< Windows language code identifier, e.g. 1033 */
    const char *name;               /**< culture name (s7p_lcid_name()), e.g. "en-US";
                                         static; NULL for an LCID the table does not know */
} s7p_culture;

/** The languages the PLC's text container is configured for (project texts, alarm texts). */
typedef struct s7p_cpu_culture_info {
    size_t count;                   /**< languages in `languages` (<= S7P_MAX_LANGUAGES) */
    size_t reported;                /**< languages the PLC reported (more than count when
                                         it reported more than S7P_MAX_LANGUAGES) */
    s7p_culture languages[S7P_MAX_LANGUAGES]; /**< in the PLC's order; the first is the
                                         primary language */
} s7p_cpu_culture_info;

/**
 * Reads the languages configured in the PLC's text container (one Explore of object 114,
 * attribute 2717: a list of Windows LCIDs) and names them from a complete table of the
 * standard Windows LCIDs. With auto_reconnect a transient failure reconnects and retries
 * once.
 * @param c    a connected client
 * @param out  filled on success
 * @param err  filled on failure, cleared on success; may be NULL
 * @return S7P_OK; S7P_E_STATE (not connected, no auto_reconnect); S7P_E_PROTOCOL (the answer
 *         holds no LCID list); S7P_E_PLC; S7P_E_TIMEOUT, S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS
 * @threadsafety Any thread; serialised with the client's other calls.
 */
S7P_API s7p_status s7p_get_cpu_culture_info(s7p_client *c, s7p_cpu_culture_info *out,
                                            s7p_error *err);

/**
 * Culture name of a Windows LCID ("en-US" for 1033, "de-DE" for 1031, "zh-Hans" for 4 ...),
 * as Windows names it, from a table of every standard LCID.
 * @param lcid  a Windows language code identifier
 * @return a static string, or NULL when the LCID is not a standard one
 * @threadsafety Any thread.
 */
S7P_API const char *s7p_lcid_name(uint16_t lcid);

/** s7p_comm_resources.reported: the bit of each value (set when the PLC reported it). */
enum s7p_resource_bit {
    S7P_RES_TAGS_PER_READ = 1u << 0,         /**< tags_per_read_max */
    S7P_RES_TAGS_PER_WRITE = 1u << 1,        /**< tags_per_write_max */
    S7P_RES_SUBSCRIPTIONS_MAX = 1u << 2,     /**< subscriptions_max */
    S7P_RES_ATTRIBUTES_MAX = 1u << 3,        /**< attributes_max */
    S7P_RES_SUBSCRIPTION_MEMORY_MAX = 1u << 4, /**< subscription_memory_max */
    S7P_RES_SUBSCRIPTIONS_FREE = 1u << 5,    /**< subscriptions_free */
    S7P_RES_ATTRIBUTES_FREE = 1u << 6,       /**< attributes_free */
    S7P_RES_SUBSCRIPTION_MEMORY_FREE = 1u << 7, /**< subscription_memory_free */
};

/**
 * The communication resources the PLC reports (SystemLimits and FreeItems of ObjectRoot).
 * A value the PLC did not report (an item error, or not a DInt) keeps its default: 20 for
 * the tags per request, 0 for the others; `reported` tells which came from the PLC.
 */
typedef struct s7p_comm_resources {
    int32_t tags_per_read_max;      /**< TagsPerReadRequestMax: items per read request */
    int32_t tags_per_write_max;     /**< TagsPerWriteRequestMax: items per write request */
    int32_t subscriptions_max;      /**< PlcSubscriptionsMax */
    int32_t attributes_max;         /**< PlcAttributesMax */
    int32_t subscription_memory_max; /**< SubscriptionMemoryMax (bytes, presumably) */
    int32_t subscriptions_free;     /**< PlcSubscriptionsFree: subscriptions still possible */
    int32_t attributes_free;        /**< PlcAttributesFree */
    int32_t subscription_memory_free; /**< SubscriptionMemoryFree */
    uint32_t reported;              /**< S7P_RES_* bits of the values the PLC reported */
} s7p_comm_resources;

/**
 * Reads the PLC's communication resources (two GetMultiVariables: the maximum values and
 * the free ones). The session keeps the tags-per-request maximums from this answer (and
 * from the one read at every connect) to cut read and write batches into requests. With
 * auto_reconnect a transient failure reconnects and retries once.
 * @param c    a connected client
 * @param out  filled on success (defaults where the PLC reported nothing)
 * @param err  filled on failure, cleared on success; may be NULL
 * @return S7P_OK; S7P_E_STATE (not connected, no auto_reconnect); S7P_E_PLC (the PLC refused
 *         a whole request); S7P_E_TIMEOUT, S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS, S7P_E_PROTOCOL
 * @threadsafety Any thread; serialised with the client's other calls.
 */
S7P_API s7p_status s7p_get_communication_resources(s7p_client *c, s7p_comm_resources *out,
                                                   s7p_error *err);

/** The CPU's operating state, as the PLC's state number maps to it. */
typedef enum s7p_cpu_state {
    S7P_CPU_UNKNOWN = 0,        /**< a state number without a known meaning */
    S7P_CPU_STOP,               /**< STOP (numbers 1, 3, 4, 17, 33) */
    S7P_CPU_RUN,                /**< RUN (5, 8, 9, 18, 20, 37, 40) */
    S7P_CPU_STARTUP,            /**< STARTUP (6, 35, 38) */
    S7P_CPU_HOLD,               /**< HOLD (10, 34) */
    S7P_CPU_DEFECTIVE,          /**< DEFECTIVE (13) */
    S7P_CPU_NOT_SUPPORTED,      /**< the PLC reports 0: no operating state */
} s7p_cpu_state;

/** What s7p_get_cpu_state() read. */
typedef struct s7p_cpu_state_info {
    s7p_cpu_state state;        /**< the state */
    int64_t raw;                /**< the number as the PLC reported it */
    uint32_t source;            /**< the attribute it came from: 3486 (AS_DIS.OperatingState
                                     of object 52) or 3451 (object 50, the fallback) */
} s7p_cpu_state_info;

/**
 * Reads the CPU's operating state: attribute 2237 (HWObject.DIS) of the CPU execution unit
 * (object 52), member 3486 (OperatingState). When the PLC refuses that read or its answer
 * holds no state number, attribute 3451 of object 50 is read instead (older firmware).
 * With auto_reconnect a transient failure reconnects and retries once.
 * @param c    a connected client
 * @param out  filled on success
 * @param err  filled on failure, cleared on success; may be NULL
 * @return S7P_OK; S7P_E_STATE (not connected, no auto_reconnect); S7P_E_PLC (both reads
 *         refused); S7P_E_PROTOCOL (no state number in either answer); S7P_E_TIMEOUT,
 *         S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS
 * @threadsafety Any thread; serialised with the client's other calls.
 */
S7P_API s7p_status s7p_get_cpu_state(s7p_client *c, s7p_cpu_state_info *out, s7p_error *err);

/**
 * Name of an operating state: "unknown", "stop", "run", "startup", "hold", "defective",
 * "not supported".
 * @param s  a state
 * @return a static string, never NULL ("unknown" for a value out of range)
 * @threadsafety Any thread.
 */
S7P_API const char *s7p_cpu_state_name(s7p_cpu_state s);

/**
 * The operating state a PLC's state number means (the mapping of s7p_get_cpu_state()).
 * @param raw  the number, e.g. 8
 * @return the state, e.g. S7P_CPU_RUN; S7P_CPU_UNKNOWN for numbers without a known meaning
 * @threadsafety Any thread.
 */
S7P_API s7p_cpu_state s7p_cpu_state_of(int64_t raw);

/* ---- data types and values --------------------------------------------------------- */

/** Siemens data types, numbered as the PLC numbers them (its software datatype ids). */
typedef enum s7p_type {
    S7P_T_VOID = 0,
    S7P_T_BOOL = 1,
    S7P_T_BYTE = 2,
    S7P_T_CHAR = 3,
    S7P_T_WORD = 4,
    S7P_T_INT = 5,
    S7P_T_DWORD = 6,
    S7P_T_DINT = 7,
    S7P_T_REAL = 8,
    S7P_T_DATE = 9,
    S7P_T_TIME_OF_DAY = 10,
    S7P_T_TIME = 11,
    S7P_T_S5TIME = 12,
    S7P_T_DATE_AND_TIME = 14,
    S7P_T_STRUCT = 17,
    S7P_T_STRING = 19,
    S7P_T_POINTER = 20,
    S7P_T_ANY = 22,
    S7P_T_BLOCK_FB = 23,
    S7P_T_BLOCK_FC = 24,
    S7P_T_COUNTER = 28,
    S7P_T_TIMER = 29,
    S7P_T_BBOOL = 40,           /**< a Bool inside an optimized block; same values as Bool */
    S7P_T_LREAL = 48,
    S7P_T_ULINT = 49,
    S7P_T_LINT = 50,
    S7P_T_LWORD = 51,
    S7P_T_USINT = 52,
    S7P_T_UINT = 53,
    S7P_T_UDINT = 54,
    S7P_T_SINT = 55,
    S7P_T_WCHAR = 61,
    S7P_T_WSTRING = 62,
    S7P_T_LTIME = 64,
    S7P_T_LTIME_OF_DAY = 65,
    S7P_T_LDT = 66,
    S7P_T_DTL = 67,
    S7P_T_REMOTE = 96,
    S7P_T_AOM_IDENT = 128,      /**< 128..134, 171: 32-bit ids (event/AOM/connection R-ID) */
    S7P_T_HW_ANY = 144,         /**< 144..156: hardware identifiers (HW_IO, HW_SUBMODULE ...) */
    S7P_T_OB_ANY = 160,         /**< 160..164, 192..197: OB numbers */
    S7P_T_CONN_ANY = 168,       /**< 168..170: connection ids */
    S7P_T_PORT = 173,           /**< 173..175 */
    S7P_T_DB_ANY = 208,         /**< 208..210: DB numbers */
} s7p_type;

/**
 * Short name of a type ("Int", "DTL", "HW_IO" ...).
 * @param type  an ::s7p_type value (any int: unknown ids give a generic name)
 * @return a static string, never NULL
 * @threadsafety Any thread.
 */
S7P_API const char *s7p_type_name(int type);

/**
 * A tag value in a natural C form. Units and epochs:
 * - integers, bit strings (Byte..LWord), counters/timers (raw 16-bit words), hardware, OB, DB
 *   and connection ids: `u` (unsigned kinds) or `i` (SInt, Int, DInt, LInt);
 * - Char: `u` = ISO-8859-1 code; WChar: `u` = UTF-16 code unit;
 * - Real: `r`; LReal: `lr`;
 * - durations Time, LTime, S5Time: `i` in nanoseconds;
 * - times of day TOD, LTOD: `i` in nanoseconds since midnight;
 * - points in time Date, DT, LDT, DTL: `i` in nanoseconds since 1970-01-01 00:00:00 of the
 *   PLC's clock (no time zone is applied);
 * - String, WString: `str`, UTF-8 and NUL-terminated (converted from ISO-8859-1 / UTF-16);
 * - Pointer, Any, Remote: `raw` bytes as the PLC stores them.
 * Arrays: `count` elements in `elems`, each a scalar of `type`.
 * Ownership: values the library fills (reads) are released with s7p_tag_value_clear();
 * values the caller fills (writes) stay the caller's, borrowed for the call.
 */
typedef struct s7p_tag_value {
    s7p_type type;                  /**< the value's type (an array: its elements' type) */
    uint32_t count;                 /**< 0: a scalar in `v`; n: an array in `elems` */
    /** A scalar; which member is used depends on `type` (see above). */
    union {
        bool b;                     /**< Bool */
        uint64_t u;                 /**< unsigned kinds */
        int64_t i;                  /**< signed kinds, durations, times, points in time */
        float r;                    /**< Real */
        double lr;                  /**< LReal */
        /** String, WString: UTF-8, NUL-terminated */
        struct {
            char *p;                /**< the text */
            size_t len;             /**< its length in bytes, without the NUL */
        } str;
        /** Pointer, Any, Remote */
        struct {
            uint8_t *p;             /**< the bytes */
            size_t len;             /**< their number */
        } raw;
    } v;
    struct s7p_tag_value *elems;    /**< an array's `count` elements; NULL for a scalar */
} s7p_tag_value;

/**
 * Frees what the library allocated inside a value (strings, raw bytes, arrays) and zeroes
 * it, ready for reuse.
 * @param v  a value filled by s7p_read(), or zeroed; NULL is a no-op. Not for values the
 *           caller filled with memory of its own
 * @threadsafety Any thread (for a value no other thread uses).
 */
S7P_API void s7p_tag_value_clear(s7p_tag_value *v);

/** Deepest LID path of a tag address. */
#define S7P_TAG_MAX_LIDS 16
/** Most array dimensions. */
#define S7P_MAX_DIMS 6

/** Where a variable lives in the PLC and how it is typed; from browsing or from
 *  s7p_tag_by_symbol(). A plain value: copy it with `=`. */
typedef struct s7p_tag {
    s7p_type type;                  /**< element type */
    uint32_t count;                 /**< 0: a scalar; n: a whole array of n elements */
    uint16_t str_max;               /**< String / WString: declared maximum length */
    uint32_t area;                  /**< access area: DB 0x8A0E0000 + n; 80..84 I, Q, M, C, T */
    uint32_t sub_area;              /**< attribute accessed (actual values of a DB: 2550) */
    uint32_t symbol_crc;            /**< 0 = no symbol check */
    uint8_t nlids;                  /**< number of LIDs in `lids` (1..S7P_TAG_MAX_LIDS) */
    uint32_t lids[S7P_TAG_MAX_LIDS]; /**< the path of LIDs from the block to the variable */
    uint32_t program_stamp;         /**< the PLC program the tag was resolved against, set by
                                         s7p_tag_by_symbol() and browse; 0 = not known. A tag
                                         without a symbol CRC (a path with an array index)
                                         whose program has changed since fails with
                                         S7P_E_PROGRAM_CHANGED and is not sent */
} s7p_tag;

/* ---- browse, symbols, read and write ------------------------------------------------- */

/** One variable found by browsing. Everything is valid only during the callback. */
typedef struct s7p_browse_item {
    const char *symbol;             /**< e.g. "\"My DB\".Motor[3].Speed" */
    s7p_tag tag;                    /**< ready for s7p_read() / s7p_write() */
    uint8_t ndims;                  /**< arrays: dimensions, with bounds below */
    int32_t lower[S7P_MAX_DIMS];    /**< left-most dimension first */
    uint32_t dim_count[S7P_MAX_DIMS]; /**< arrays: elements of each dimension */
    const char *block;              /**< the DB's name (or "I", "Q", "M", "T", "C") */
    uint32_t blocks_done;           /**< progress: blocks finished ... */
    uint32_t blocks_total;          /**< ... of all blocks */
} s7p_browse_item;

/** Browse callback, called once per variable on the thread that called s7p_browse(),
 *  without the client's lock; it must not call into the same client.
 *  @param ctx   the `ctx` given to s7p_browse()
 *  @param item  the variable; valid only during the call
 *  @return true to go on, false to stop browsing (s7p_browse() then returns S7P_OK) */
typedef bool (*s7p_browse_fn)(void *ctx, const s7p_browse_item *item);

/**
 * Lists every variable of the PLC program through `fn`, one call per variable: all DBs, then
 * the PLC tags of the tag tables (I, Q, M, S7 timers, S7 counters; block "I", "Q" ...):
 * nothing is held twice, so programs of any size stream through. Arrays of elementary types
 * come as one item (the whole array); arrays of structs are expanded element by element.
 * Blocks up to the browse timeout. With auto_reconnect, a browse that fails transiently is
 * retried (after reconnecting) only if `fn` has not been called yet; once items were passed
 * on, the error is returned (transient), so `fn` never sees an item twice: the caller
 * decides whether to start over. s7p_browse_all() starts over by itself.
 * @param c    a connected client
 * @param fn   called for each variable (not NULL)
 * @param ctx  passed to `fn` as it is
 * @param err  filled on failure, cleared on success; may be NULL
 * @return S7P_OK (also when `fn` stopped the browse); S7P_E_INVALID_ARG (no `fn`);
 *         S7P_E_STATE (not connected, no auto_reconnect); S7P_E_TIMEOUT (also the browse
 *         timeout), S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS, S7P_E_PROTOCOL, S7P_E_PLC,
 *         S7P_E_NOMEM
 * @threadsafety Any thread; serialised with the client's other calls, so a long browse
 * delays the other threads' calls on this client.
 */
S7P_API s7p_status s7p_browse(s7p_client *c, s7p_browse_fn fn, void *ctx, s7p_error *err);

/** Every variable at once (see s7p_browse_all()). items[i].symbol and .block point into
 *  the result; blocks_done/blocks_total are 0. */
typedef struct s7p_browse_result {
    s7p_browse_item *items;         /**< `count` variables, in browse order */
    size_t count;                   /**< number of variables */
} s7p_browse_result;

/**
 * Browses like s7p_browse() and returns all variables in one result, for programs small
 * enough to hold in memory (a 100 000-variable program takes some tens of MiB). With
 * auto_reconnect, a retried browse collects from the start: every variable comes once.
 * @param c    a connected client
 * @param out  receives the result (NULL on failure); free it with s7p_browse_result_free()
 * @param err  filled on failure, cleared on success; may be NULL
 * @return S7P_OK or an error of s7p_browse(); on failure nothing is returned
 * @threadsafety Any thread; serialised with the client's other calls.
 */
S7P_API s7p_status s7p_browse_all(s7p_client *c, s7p_browse_result **out, s7p_error *err);

/**
 * Frees a browse result and every string in it.
 * @param r  the result; NULL is a no-op
 * @threadsafety Any thread (for a result no other thread uses).
 */
S7P_API void s7p_browse_result_free(s7p_browse_result *r);

/**
 * Resolves a symbol such as `"My DB".Motor[3].Speed` or `Db.Arr[1,2]` (DB names may be
 * quoted or bare; member names with special characters quoted), or a PLC tag of the tag
 * tables by its name alone, bare or quoted (`Setpoint`, `"Start button"`). Unknown names give
 * S7P_E_NOT_FOUND with the failing part named in err->message. Each request of the lookup
 * is bounded by the request timeout. The tag carries the program it was resolved against:
 * after the PLC's program changed, using it gives S7P_E_PROGRAM_CHANGED (resolve it again).
 * The DB list and type information fetched are cached in the client for later lookups.
 * @param c       a connected client
 * @param symbol  the symbol, NUL-terminated (not NULL)
 * @param out     receives the tag (a plain value, the caller's)
 * @param err     filled on failure, cleared on success; may be NULL
 * @return S7P_OK; S7P_E_INVALID_ARG (a symbol that does not parse); S7P_E_NOT_FOUND;
 *         S7P_E_LIMIT (a path deeper than S7P_TAG_MAX_LIDS);
 *         S7P_E_STATE (not connected, no auto_reconnect); S7P_E_TIMEOUT, S7P_E_CLOSED,
 *         S7P_E_IO, S7P_E_TLS, S7P_E_PROTOCOL, S7P_E_PLC
 * @threadsafety Any thread; serialised with the client's other calls.
 */
S7P_API s7p_status s7p_tag_by_symbol(s7p_client *c, const char *symbol, s7p_tag *out,
                                     s7p_error *err);

/**
 * Result of one item of a batch. Every item's result is set, whatever the call returns, and
 * says what happened to the item (docs/errors.md, "Per-item results of a batch"):
 * - S7P_OK: read (the value is in values[i]) or written;
 * - S7P_E_INVALID_ARG: not sent, the tag is invalid (see s7p_read()) or, for a write, the
 *   value does not fit the tag;
 * - S7P_E_PLC: the PLC refused the item, or the whole request that carried it (plc_code and
 *   plc_return say why); a refused item was not written;
 * - S7P_E_NOT_SENT: not sent, because an earlier request of the batch failed (for a write:
 *   certainly not written);
 * - a communication error (S7P_E_TIMEOUT, S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS,
 *   S7P_E_PROTOCOL ...): the item's request was sent but its answer never came or could not
 *   be understood; for a write the item MAY OR MAY NOT HAVE BEEN WRITTEN (read it back);
 * - S7P_E_PROTOCOL in a batch that succeeded: the answer lacks the item, or its value does
 *   not fit the tag.
 */
typedef struct s7p_item_result {
    s7p_status code;                /**< what happened to the item (see above) */
    int16_t plc_code;               /**< signed PLC code (low 16 bits of plc_return); 0 when
                                         the PLC gave none */
    uint64_t plc_return;            /**< the PLC's raw return value for the item; 0 when none */
} s7p_item_result;

/**
 * Reads n tags. The batch is split by the PLC's tags-per-request limit and the frame size.
 * Returns S7P_OK when every request was answered; per-item outcomes are in results[i]
 * (caller's array of n) and values[i] (caller's array of n; release each with
 * s7p_tag_value_clear()). A failed item never fails the batch.
 *
 * Every tag is checked before anything is sent: nlids 1..S7P_TAG_MAX_LIDS, a type that has
 * a value (not Void, Struct or an unknown id), count up to 1 000 000, str_max up to 254
 * (String) / 16382 (WString) and 0 for other types, area and sub_area not 0. An invalid tag
 * gets S7P_E_INVALID_ARG in its result and is not sent; the other items go through.
 *
 * When a request fails the call returns its error: items read by earlier requests keep
 * S7P_OK and their values, the failed request's items carry the error and the items of
 * later requests S7P_E_NOT_SENT (their values empty). So release every values[i] with
 * s7p_tag_value_clear() whatever the call returned (an empty value is a no-op). With
 * auto_reconnect a retried read starts over and frees what the failed attempt kept.
 * @param c        a connected client
 * @param tags     n tags (from browsing or s7p_tag_by_symbol()), borrowed for the call
 * @param n        number of tags (may be 0)
 * @param values   the caller's array of n values, filled; their contents belong to the
 *                 caller, released with s7p_tag_value_clear()
 * @param results  the caller's array of n results, each set whatever the call returns
 * @param err      filled on failure, cleared on success; may be NULL
 * @return S7P_OK when every request was answered (items may still have failed: see
 *         `results`); S7P_E_INVALID_ARG (a NULL client, or NULL arrays with n > 0: `err`
 *         is not filled); S7P_E_STATE (not connected, no
 *         auto_reconnect); the error of the request that failed (S7P_E_TIMEOUT,
 *         S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS, S7P_E_PROTOCOL, S7P_E_PLC); S7P_E_NOMEM
 * @threadsafety Any thread; serialised with the client's other calls.
 */
S7P_API s7p_status s7p_read(s7p_client *c, const s7p_tag *tags, size_t n,
                            s7p_tag_value *values, s7p_item_result *results, s7p_error *err);

/**
 * Writes n values. Fails with S7P_E_WRITE_DISABLED and sends nothing unless the client was
 * created with `allow_write`. Tags are checked as for s7p_read(), and values are range- and
 * length-checked, before anything is sent: items with an invalid tag or a value that does
 * not fit get S7P_E_INVALID_ARG in results[i] and are not sent.
 *
 * The batch is split into requests like a read. When a request fails the call returns its
 * error and stops: items of earlier requests keep their results (written, or refused by the
 * PLC), the failed request's items get S7P_E_PLC when the PLC refused it (not written) or
 * the communication error when its answer never came (may or may not have been written),
 * and the items of later requests S7P_E_NOT_SENT. A write is never retried automatically.
 * @param c        a connected client created with `allow_write`
 * @param tags     n tags, borrowed for the call
 * @param n        number of items (may be 0)
 * @param values   n values of the tags' types, the caller's, borrowed for the call
 * @param results  the caller's array of n results, each set whatever the call returns
 * @param err      filled on failure, cleared on success; may be NULL
 * @return S7P_OK when every request was answered (items may still have failed: see
 *         `results`); S7P_E_WRITE_DISABLED (nothing sent); S7P_E_INVALID_ARG (a NULL
 *         client, or NULL arrays with n > 0: `err` is not filled); S7P_E_STATE (not
 *         connected); the error of the request that failed
 *         (S7P_E_TIMEOUT, S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS, S7P_E_PROTOCOL, S7P_E_PLC);
 *         S7P_E_NOMEM
 * @threadsafety Any thread; serialised with the client's other calls.
 */
S7P_API s7p_status s7p_write(s7p_client *c, const s7p_tag *tags, size_t n,
                             const s7p_tag_value *values, s7p_item_result *results,
                             s7p_error *err);

/* ---- tag values as text: TIA Portal literals -------------------------------------------- */

/** s7p_value_format() / s7p_value_text() flags. */
#define S7P_TEXT_ISO8601 0x1u       /**< Date, TOD, LTOD, DT, LDT, DTL in ISO 8601 form without a
                                         TIA prefix (2024-01-31, 12:30:00.500,
                                         2024-01-31T12:00:00.500): for JSON. Parses back. */
#define S7P_TEXT_PLAIN 0x2u         /**< Char, WChar, String, WString as their bare UTF-8 text,
                                         without quotes or $-escapes (a WChar that is a lone
                                         surrogate stays `16#D800`). Does not parse back. */

/**
 * Parses `text` as a value for `tag` (its type, count and str_max) in TIA Portal literal
 * syntax. Accepts what s7p_value_format() prints and also: Bool 1/0 (any case of true/false);
 * integers `16#FF`, `2#1010`, `8#17` with '_' between digits, a sign, typed prefixes (`INT#-5`,
 * `W#16#FF`); Real any decimal number (not inf/nan); Char/WChar also bare or as a code (`16#41`);
 * strings quoted with $-escapes, or bare (taken as is); durations with any of the prefixes
 * T#, TIME#, LT#, LTIME#, S5T#, S5TIME#, units D H M S MS US NS (any case, largest first, '_'
 * optional, fractions allowed: `T#-1.5s`), or a plain integer (ms for Time and S5Time, ns for
 * LTime); times of day and points in time with or without their prefix, with '-', 'T' or ' '
 * between date and time (ISO 8601 2024-01-31T12:00:00.5), seconds, fraction and (for DT,
 * LDT, DTL) the time optional; for an array tag a list [a, b, n(c)] of tag->count values,
 * where n(c) repeats c n times and n() repeats the type's zero.
 *
 * Every value is range-checked for the tag's type. On success *out holds the value (strings,
 * raw bytes and elements allocated by the library: release with s7p_tag_value_clear()).
 * On failure *out is empty and `why` (may be NULL) receives one line that says why, e.g.
 * "300 is out of range for USInt (0..255)".
 *
 * @param tag      the variable the text is for (type, count, str_max); not kept
 * @param text     the literal, NUL-terminated; not kept
 * @param out      receives the value; release it with s7p_tag_value_clear()
 * @param why      receives a one-line reason on failure (may be NULL)
 * @param why_len  size of `why` in bytes
 * @return S7P_OK; S7P_E_INVALID_ARG (the text is not a value of the type, or a NULL
 *         argument); S7P_E_UNSUPPORTED (a type without text form: Struct, Void ...);
 *         S7P_E_NOMEM.
 */
S7P_API s7p_status s7p_value_parse(const s7p_tag *tag, const char *text, s7p_tag_value *out,
                                   char *why, size_t why_len);

/**
 * Formats v (a scalar, or an array "[v1, v2, ...]") in the canonical TIA literal form of its
 * type: Bool true/false; signed and unsigned integers and ids in decimal; Byte..LWord 16#
 * with all digits of the type (`16#00FF`); Real with 9, LReal with 17 significant digits and
 * always a "." (1.0, 1.0e+10); Char/WChar/String/WString quoted with $-escapes ('It$'s');
 * `T#1D_2H_3M_4S_5MS`, `LT#..._6US_7NS`, `S5T#2H_46M_30S`; `TOD#12:30:00.500`,
 * `LTOD#12:30:00.000000001`, `D#2024-01-31`, `DT#2024-01-31-12:00:00.500`,
 * `LDT#/DTL#2024-01-31-12:00:00.123456789`; Pointer, Any, Remote as 16# and two hex digits
 * per byte. s7p_value_parse() reads each form back to the same value. `flags`: S7P_TEXT_*.
 *
 * The text is written into buf (len bytes, NUL included; cut at a character boundary when it
 * does not fit). *needed (may be NULL) receives the size the whole text needs, NUL included.
 *
 * @param v       the value; not kept
 * @param flags   S7P_TEXT_ISO8601, S7P_TEXT_PLAIN or 0
 * @param buf     the caller's buffer
 * @param len     its size in bytes
 * @param needed  receives the size the whole text needs, NUL included (may be NULL)
 * @return S7P_OK; S7P_E_LIMIT when buf was too small; S7P_E_UNSUPPORTED when the type has
 *         no text form ("<Struct: no text form>" stands in its place); S7P_E_INVALID_ARG;
 *         S7P_E_NOMEM.
 */
S7P_API s7p_status s7p_value_format(const s7p_tag_value *v, unsigned flags, char *buf,
                                    size_t len, size_t *needed);

/**
 * As s7p_value_format(), into a string the library allocates: *out is released with
 * s7p_text_free(). *out is set for S7P_OK and S7P_E_UNSUPPORTED, NULL otherwise.
 *
 * @param v      the value; not kept
 * @param flags  S7P_TEXT_ISO8601, S7P_TEXT_PLAIN or 0
 * @param out    receives the text; the caller frees it with s7p_text_free()
 * @return S7P_OK; S7P_E_UNSUPPORTED (a type without text form); S7P_E_INVALID_ARG;
 *         S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_value_text(const s7p_tag_value *v, unsigned flags, char **out);

/** Frees a string from s7p_value_text(). NULL is a no-op.
 *  @param s  the string, or NULL */
S7P_API void s7p_text_free(char *s);

/** Whether s7p_value_parse() and s7p_value_format() handle a type.
 *  @param type  an s7p_type
 *  @return true for the types with a text form */
S7P_API bool s7p_type_has_text(int type);

/* ---- capture decoder (s7plus decode) ---------------------------------------------------- */

/** Kinds of message s7p_decoded_pdu reports, beside the PDU's own opcode. */
typedef enum s7p_decoded_kind {
    S7P_DECODED_PDU = 0,      /**< an S7CommPlus request, response or notification */
    S7P_DECODED_SYSTEM_EVENT, /**< a version 0xFE frame (PLC system event) */
    S7P_DECODED_KEEPALIVE,    /**< a version 0xFF keep-alive frame */
    S7P_DECODED_COTP,         /**< a COTP connection request/confirm/disconnect */
    S7P_DECODED_UNDECODABLE,  /**< bytes that could not be decoded (see error, hex in body) */
} s7p_decoded_kind;

/** What an entry of s7p_decoded_pdu::fields describes. */
typedef enum s7p_decoded_field_kind {
    S7P_FIELD_OBJECT = 0,   /**< an object: `id` its relation id, `class_id` its class */
    S7P_FIELD_ATTRIBUTE,    /**< an attribute of the object before it: `id` and the value */
    S7P_FIELD_ITEM,         /**< an item of Get/SetMultiVariables, Invoke or a notification:
                                 `item`, the address (requests; responses: their request's)
                                 and the value (written, read or notified) */
    S7P_FIELD_ITEM_ERROR,   /**< an item the PLC refused: `item`, `code`, `code_name` */
} s7p_decoded_field_kind;

/** One decoded element of a message's body (objects, attributes, items), in body order, for
 *  programs that want the parts rather than the text. The strings are as the body text
 *  shows them; every pointer is valid only during the callback. */
typedef struct s7p_decoded_field {
    s7p_decoded_field_kind kind; /**< what it is */
    uint32_t depth;            /**< nesting: an object's attributes and child objects are one
                                    deeper than the object; items are at 0 */
    uint32_t item;             /**< items: the item number (1-based); 0 for others */
    uint32_t id;               /**< objects: relation id; attributes: attribute id; items
                                    of an object's attributes (SetMultiVariables of an
                                    object, GetMultiVariables by link): the attribute id */
    const char *id_name;       /**< the protocol's name of `id` ("ObjectVariableTypeName"),
                                    or NULL */
    uint32_t class_id;         /**< objects: class id */
    const char *class_name;    /**< objects: the class's name, or NULL */
    bool has_address;          /**< items: `address` and `address_text` are set */
    s7p_tag address;           /**< items: area, sub_area, symbol_crc, nlids and lids of the
                                    variable (type and count are 0) */
    const char *address_text;  /**< items: "DB6 sub 2550 lid 16 (crc 0x8DB85E63)", or NULL */
    const char *symbol;        /**< items: the symbol the options' lookup gave, or NULL */
    const char *type;          /**< the value's type name ("DInt", "Struct", "Blob"; arrays:
                                    the elements'), or NULL when there is no value */
    uint32_t count;            /**< arrays: the element count; 0 for a scalar */
    bool sparse;               /**< a sparse array (index: value pairs) */
    const char *value;         /**< the value as the body shows it, without its type name
                                    ("-5", "\"text\"", "[1, 2, 3]"); NULL when none */
    int16_t code;              /**< item errors: the PLC code */
    const char *code_name;     /**< item errors: s7p_plc_code_name() of it, or NULL */
} s7p_decoded_field;

/** One message of a capture, as s7p_capture_decode_file() reports it. Every pointer is
 *  valid only during the callback. */
typedef struct s7p_decoded_pdu {
    s7p_decoded_kind kind;     /**< what it is */
    uint64_t frame;            /**< 1-based number of the frame that completed it */
    int64_t time_us;           /**< that frame's capture time, microseconds since 1970 */
    uint32_t connection;       /**< 1-based TCP connection number, in order of appearance */
    const char *client;        /**< the client's address, "192.168.0.10:49712" */
    const char *server;        /**< the server's (PLC's) address, "192.168.0.1:102" */
    bool from_client;          /**< direction: true for client (HMI) to PLC */
    bool tls;                  /**< decrypted from TLS 1.3 records */
    uint8_t version;           /**< protocol version: 1..3, 0xFE, 0xFF; 0 for COTP */
    uint8_t opcode;            /**< 0x31 request, 0x32 response, 0x33 notification; 0 else */
    uint16_t function;         /**< function code (requests and responses) */
    const char *function_name; /**< "GetMultiVariables", "Notification", "SystemEvent",
                                    "KeepAlive", "COTP CR", ...; never NULL */
    uint16_t seq;              /**< sequence number (requests and responses) */
    uint32_t session_id;       /**< requests: as sent; responses: the request's */
    bool has_integrity_id;     /**< integrity_id is set */
    uint32_t integrity_id;     /**< the PDU's integrity id (V2/V3 after the session set-up) */
    bool has_return_value;     /**< responses */
    int16_t return_code;       /**< the PLC code of the return value (0: OK) */
    const char *return_name;   /**< s7p_plc_code_name() of it, or NULL */
    int64_t rtt_us;            /**< responses: time since their request; -1 unknown */
    const char *body;          /**< readable body, lines separated by '\n'; never NULL */
    const char *error;         /**< why it is undecodable, or NULL */
    const s7p_decoded_field *fields; /**< the body's objects, attributes and items */
    size_t field_count;        /**< number of `fields` (0 for kinds other than PDUs) */
} s7p_decoded_pdu;

/** Called once per message, in capture order.
 *  @param pdu   the message; valid during the call only
 *  @param user  the options' user pointer */
typedef void (*s7p_decode_cb)(const s7p_decoded_pdu *pdu, void *user);

/** Names a variable by its address, for s7p_decode_options::symbol.
 *  @param ctx      the options' symbol_ctx
 *  @param address  area, sub_area, symbol_crc, nlids and lids of an item (type and count 0)
 *  @return the symbol ("\"My DB\".Motor[3].Speed"), or NULL when unknown; the text must
 *          stay valid until the next call */
typedef const char *(*s7p_decode_symbol_fn)(void *ctx, const s7p_tag *address);

/** What s7p_capture_decode_file() decodes and how. Start from {0}. */
typedef struct s7p_decode_options {
    uint16_t port;             /**< the PLC's TCP port; 0 means 102 */
    const char *keylog_file;   /**< TLS key log (SSLKEYLOGFILE format) or NULL */
    s7p_decode_cb on_pdu;      /**< may be NULL (only the summary is wanted) */
    void *user;                /**< handed to on_pdu */
    s7p_decode_symbol_fn symbol; /**< names item addresses (e.g. from a browse of the PLC);
                                      NULL: addresses only */
    void *symbol_ctx;          /**< handed to symbol */
} s7p_decode_options;

/**
 * Decodes every S7CommPlus message of a pcap or pcapng capture: follows the TCP connections
 * to the PLC port (out-of-order and retransmitted segments reassembled), TPKT/COTP,
 * decrypts TLS 1.3 with the key log's CLIENT/SERVER_TRAFFIC_SECRET_0 lines, reassembles
 * fragmented PDUs and decodes them. Undecodable bytes are reported as such (kind
 * S7P_DECODED_UNDECODABLE), never fatal.
 *
 * @param path     the capture file
 * @param opts     options and the callback; NULL for defaults without callback
 * @param summary  receives the summary text (functions per connection, errors, sequence
 *                 gaps, round-trip times per function); release it with s7p_text_free();
 *                 may be NULL
 * @param err      one-line reason on failure (may be NULL)
 * @param err_len  size of err
 * @return S7P_OK; S7P_E_IO (file unreadable or not a capture); S7P_E_CONFIG (key log
 *         unreadable); S7P_E_LIMIT (capture beyond the reader's bounds); S7P_E_UNSUPPORTED
 *         (link type); S7P_E_NOMEM; S7P_E_INVALID_ARG
 * @threadsafety Any thread; no shared state.
 */
S7P_API s7p_status s7p_capture_decode_file(const char *path, const s7p_decode_options *opts,
                                           char **summary, char *err, size_t err_len);

/**
 * As s7p_capture_decode_file(), for a capture in memory.
 *
 * @param data     the pcap or pcapng bytes; only read during the call
 * @param len      their number
 * @param opts     options and the callback; NULL for defaults without callback
 * @param summary  receives the summary text (s7p_text_free()); may be NULL
 * @param err      one-line reason on failure (may be NULL)
 * @param err_len  size of err
 * @return as s7p_capture_decode_file()
 * @threadsafety Any thread; no shared state.
 */
S7P_API s7p_status s7p_capture_decode_mem(const uint8_t *data, size_t len,
                                          const s7p_decode_options *opts, char **summary,
                                          char *err, size_t err_len);

/* ---- Non-blocking use ---------------------------------------------------------------- */

/** Names an asynchronous request (never 0) for s7p_cancel(). */
typedef uint64_t s7p_request_id;

/**
 * Completion of an asynchronous request: st and err are what the blocking call would have
 * returned, and the outputs given at submit (values, results, CPU info, tag) are filled as
 * it would have filled them. err is valid during the call.
 *
 * Runs on the thread that drives the client: the one calling s7p_client_process(), the I/O
 * thread (s7p_client_start_io_thread()), or a thread inside a blocking call of the same
 * client. It may call into the client (submit, cancel, even blocking calls when it does
 * not run on the I/O thread).
 */
typedef void (*s7p_done_fn)(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err);

/**
 * Connects without waiting: as s7p_connect(), completing through done.
 *
 * @param c     the client
 * @param done  called once when the connect ended
 * @param ctx   passed to done
 * @param id    receives the request's id (may be NULL)
 * @return S7P_OK (submitted; done will run); S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_connect_async(s7p_client *c, s7p_done_fn done, void *ctx,
                                     s7p_request_id *id);

/**
 * Disconnects without waiting: as s7p_disconnect(), completing through done.
 *
 * @param c     the client
 * @param done  called once when the session is closed
 * @param ctx   passed to done
 * @param id    receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_disconnect_async(s7p_client *c, s7p_done_fn done, void *ctx,
                                        s7p_request_id *id);

/**
 * Reads the CPU information without waiting: as s7p_get_cpu_info(); its four reads are in
 * flight together.
 *
 * @param c     the client
 * @param out   filled before done runs; must stay valid until then
 * @param done  called once at the end
 * @param ctx   passed to done
 * @param id    receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_get_cpu_info_async(s7p_client *c, s7p_cpu_info *out, s7p_done_fn done,
                                          void *ctx, s7p_request_id *id);

/**
 * Reads the PLC's languages without waiting: as s7p_get_cpu_culture_info().
 *
 * @param c     the client
 * @param out   filled before done runs; must stay valid until then
 * @param done  called once at the end
 * @param ctx   passed to done
 * @param id    receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_get_cpu_culture_info_async(s7p_client *c, s7p_cpu_culture_info *out,
                                                  s7p_done_fn done, void *ctx,
                                                  s7p_request_id *id);

/**
 * Reads the communication resources without waiting: as s7p_get_communication_resources();
 * its two requests are in flight together.
 *
 * @param c     the client
 * @param out   filled before done runs; must stay valid until then
 * @param done  called once at the end
 * @param ctx   passed to done
 * @param id    receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_get_communication_resources_async(s7p_client *c,
                                                         s7p_comm_resources *out,
                                                         s7p_done_fn done, void *ctx,
                                                         s7p_request_id *id);

/**
 * Reads the operating state without waiting: as s7p_get_cpu_state().
 *
 * @param c     the client
 * @param out   filled before done runs; must stay valid until then
 * @param done  called once at the end
 * @param ctx   passed to done
 * @param id    receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_get_cpu_state_async(s7p_client *c, s7p_cpu_state_info *out,
                                           s7p_done_fn done, void *ctx, s7p_request_id *id);

/**
 * Browses without waiting: as s7p_browse(); items reach fn on the driving thread as their
 * type information arrives, then done runs.
 *
 * @param c         the client
 * @param fn        receives each variable (return false to stop)
 * @param fn_ctx    passed to fn
 * @param done      called once at the end
 * @param ctx       passed to done
 * @param id        receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_browse_async(s7p_client *c, s7p_browse_fn fn, void *fn_ctx,
                                    s7p_done_fn done, void *ctx, s7p_request_id *id);

/**
 * Resolves a symbol without waiting: as s7p_tag_by_symbol(). The symbol is copied.
 *
 * @param c       the client
 * @param symbol  the symbol
 * @param out     filled before done runs; must stay valid until then
 * @param done    called once at the end
 * @param ctx     passed to done
 * @param id      receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_tag_by_symbol_async(s7p_client *c, const char *symbol, s7p_tag *out,
                                           s7p_done_fn done, void *ctx, s7p_request_id *id);

/**
 * Reads a batch without waiting: as s7p_read(); its requests go out together, up to
 * max_in_flight outstanding.
 *
 * @param c        the client
 * @param tags     the tags; must stay valid until done ran
 * @param n        how many
 * @param values   receives the values (free each with s7p_tag_value_clear()); valid until
 *                 done ran
 * @param results  receives each item's result; valid until done ran
 * @param done     called once at the end
 * @param ctx      passed to done
 * @param id       receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_read_async(s7p_client *c, const s7p_tag *tags, size_t n,
                                  s7p_tag_value *values, s7p_item_result *results,
                                  s7p_done_fn done, void *ctx, s7p_request_id *id);

/**
 * Writes a batch without waiting: as s7p_write() (its requests in order, each sent when the
 * one before was answered; never retried).
 *
 * @param c        the client
 * @param tags     the tags; must stay valid until done ran
 * @param n        how many
 * @param values   the values to write; must stay valid until done ran
 * @param results  receives each item's result; valid until done ran
 * @param done     called once at the end
 * @param ctx      passed to done
 * @param id       receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_write_async(s7p_client *c, const s7p_tag *tags, size_t n,
                                   const s7p_tag_value *values, s7p_item_result *results,
                                   s7p_done_fn done, void *ctx, s7p_request_id *id);

/**
 * Cancels an asynchronous request. One that waits its turn is never sent; one in flight
 * completes at once with S7P_E_CANCELLED (its done runs before this returns, or on the
 * thread delivering callbacks), and the PLC's late answer is discarded. The client stays
 * usable. A cancelled write may have reached the PLC.
 *
 * @param c   the client
 * @param id  the request
 * @return S7P_OK; S7P_E_NOT_FOUND (no such request pending: it completed already);
 *         S7P_E_INVALID_ARG
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_cancel(s7p_client *c, s7p_request_id id);

/** s7p_client_want(): wait until the socket is readable. */
#define S7P_WANT_READ 1u
/** s7p_client_want(): wait until the socket is writable. */
#define S7P_WANT_WRITE 2u

/**
 * The client's socket for the caller's event loop (poll, epoll, libuv ...), or -1 while it
 * has none (then only the timeout matters). It changes with each connect: ask again after
 * every s7p_client_process().
 *
 * @param c  the client
 * @return the file descriptor, or -1
 * @threadsafety Any thread.
 */
S7P_API int s7p_client_fd(s7p_client *c);

/**
 * The events the client waits for on its socket: S7P_WANT_READ and/or S7P_WANT_WRITE.
 *
 * @param c  the client
 * @return a combination of S7P_WANT_READ and S7P_WANT_WRITE (0: none)
 * @threadsafety Any thread.
 */
S7P_API unsigned s7p_client_want(s7p_client *c);

/**
 * Milliseconds until s7p_client_process() must run even when the socket stays quiet (a
 * request's timeout, the connect timeout, the heartbeat): 0 now, -1 no deadline.
 *
 * @param c  the client
 * @return milliseconds, 0, or -1
 * @threadsafety Any thread.
 */
S7P_API int s7p_client_next_timeout(s7p_client *c);

/**
 * Does the client's work without waiting: reads what the socket holds, writes what is
 * queued, runs the timers, then delivers the callbacks (completions, browse items, state
 * and error callbacks) on this thread. Call it when the socket is ready for what
 * s7p_client_want() asked, or when s7p_client_next_timeout() passed.
 *
 * @param c  the client
 * @return S7P_OK; S7P_E_INVALID_ARG
 * @threadsafety Any thread; callbacks run on the calling thread.
 */
S7P_API s7p_status s7p_client_process(s7p_client *c);

/**
 * Starts a thread that drives the client (the loop of s7p_client_process() over its own
 * poll): asynchronous requests then complete, and the heartbeat runs, without a loop of the
 * caller's; callbacks come from that thread. It ends with s7p_client_free().
 *
 * @param c  the client
 * @return S7P_OK (also when it runs already); S7P_E_NOMEM; S7P_E_INVALID_ARG
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_client_start_io_thread(s7p_client *c);

/* ---- Legitimation (protected PLCs) ------------------------------------------------------ */

/**
 * Logs in to a protected PLC: raises the access level of the connected session with the
 * password of an access level (and, on firmware with user management, a user name). Reads
 * the session's protection level first; a session that has full access already needs
 * nothing and the call succeeds without sending the password. Otherwise the client answers
 * the PLC's challenge as its firmware requires (the older password hash, or the encrypted
 * form of current firmware, which needs TLS) and reads the level again: it is in
 * s7p_cpu_info.protection_level afterwards. It needs no allow_write. On success the client
 * keeps the password and user name (copies, replacing those of the options) and logs in
 * with them again after every reconnect. The password is never logged, and the client's
 * copies of it are wiped when no longer needed. Blocks up to 4 request timeouts.
 * @param c         a connected client (with auto_reconnect a FAULTED one reconnects first)
 * @param password  UTF-8, 1..256 bytes (not NULL)
 * @param username  user management: the user (UTF-8, at most 256 bytes); NULL or "" = none
 * @param err       filled on failure, cleared on success; may be NULL
 * @return S7P_OK; S7P_E_AUTH (the PLC refused the password or user: err->plc_code has its
 *         code; the session stays connected with its former level); S7P_E_UNSUPPORTED (a
 *         user name for firmware without user management, or firmware whose login needs
 *         TLS on a legacy session); S7P_E_INVALID_ARG; S7P_E_STATE (not connected);
 *         S7P_E_TIMEOUT, S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS, S7P_E_PROTOCOL, S7P_E_PLC
 * @threadsafety Any thread; serialised with the client's other calls (it runs alone: calls
 *         of other threads wait until it is done).
 */
S7P_API s7p_status s7p_legitimate(s7p_client *c, const char *password, const char *username,
                                  s7p_error *err);

/**
 * Logs in without waiting: as s7p_legitimate(), completing through done. The password and
 * user name are copied at once (the caller may wipe its own right after the call).
 *
 * @param c         the client
 * @param password  UTF-8, 1..256 bytes (not NULL)
 * @param username  NULL or "" = none
 * @param done      called once at the end
 * @param ctx       passed to done
 * @param id        receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_legitimate_async(s7p_client *c, const char *password,
                                        const char *username, s7p_done_fn done, void *ctx,
                                        s7p_request_id *id);
/* ---- alarms ------------------------------------------------------------------------- */

/** Which state change of an alarm a record describes (the DAI's Coming or Going struct). */
typedef enum s7p_alarm_state {
    S7P_ALARM_COMING = 1,           /**< the alarm came (is active) */
    S7P_ALARM_GOING = 2,            /**< the alarm went (its cause is gone) */
} s7p_alarm_state;

/** The PLC's message type of an alarm (DAI.MessageType). */
typedef enum s7p_alarm_message_type {
    S7P_ALARM_MSG_INVALID = 0,      /**< not set */
    S7P_ALARM_MSG_ALARM = 1,        /**< an alarm (Program_Alarm, system diagnostics) */
    S7P_ALARM_MSG_NOTIFY = 2,       /**< a notification */
    S7P_ALARM_MSG_INFO_REPORT = 3,  /**< an information report */
    S7P_ALARM_MSG_EVENT_ACK = 4,    /**< an event acknowledgement */
} s7p_alarm_message_type;

/** Associated values an alarm can carry (SD_1 .. SD_10). */
#define S7P_ALARM_VALUES 10
/** Additional texts of an alarm (AdditionalText1 .. 9). */
#define S7P_ALARM_ADDITIONAL_TEXTS 9

/**
 * One alarm as the PLC reports it: from s7p_get_active_alarms() (and, later, from alarm
 * notifications: the same record). Strings are UTF-8, NUL-terminated and never NULL in a
 * record the library filled (empty when the PLC sent none); texts have the associated values
 * formatted in (s7p_alarm_format_text()). Timestamps are ns since 1970-01-01 UTC; 0 = not
 * known. Release a record with s7p_alarm_clear(), a list with s7p_alarm_list_free().
 */
typedef struct s7p_alarm {
    uint64_t id;                    /**< CPU alarm id: source RID << 32 | alarm number << 16 |
                                         instance */
    char *name;                     /**< the instance's name (ObjectVariableTypeName) */
    s7p_alarm_state state;          /**< coming or going */
    bool acknowledged;              /**< acknowledged (ack_ns != 0) */
    uint8_t state_bits;             /**< DAI.AllStatesInfo as sent (meaning of the bits:
                                         docs/protocol.md, "Alarms") */
    uint8_t change_state_bits;      /**< AllStatesInfo of the state change (AS_CGS) */
    int64_t coming_ns;              /**< when it came (state coming), else 0 */
    int64_t going_ns;               /**< when it went (state going), else 0 */
    int64_t ack_ns;                 /**< when it was acknowledged; 0 = not acknowledged */
    uint8_t priority;               /**< HmiInfo priority (0..16 in TIA) */
    uint16_t alarm_class;           /**< HmiInfo alarm class (0 when the PLC sends none) */
    uint32_t hmi_alarm_id;          /**< HmiInfo ClientAlarmId: the alarm number in TIA */
    int32_t message_type;           /**< an ::s7p_alarm_message_type */
    uint16_t domain;                /**< alarm domain (1 system diagnostics, 3 security,
                                         256..272 user display classes 0..16) */
    uint32_t sequence_counter;      /**< the PLC's counter of this alarm's state changes */
    uint32_t nvalues;               /**< values[0 .. nvalues) hold SD_1 .. (type S7P_T_VOID:
                                         not sent) */
    s7p_tag_value values[S7P_ALARM_VALUES]; /**< associated values, values[i] = SD_(i+1) */
    uint32_t lcid;                  /**< language of the texts (Windows LCID, e.g. 1033) */
    char *text;                     /**< alarm text */
    char *info_text;                /**< info text */
    char *additional_texts[S7P_ALARM_ADDITIONAL_TEXTS]; /**< additional texts 1 .. 9 */
} s7p_alarm;

/** A list of alarms (s7p_get_active_alarms()). */
typedef struct s7p_alarm_list {
    s7p_alarm *items;               /**< `count` alarms, in the PLC's order */
    size_t count;                   /**< number of alarms */
} s7p_alarm_list;

/**
 * Reads the alarms active now (one Explore of the alarm subsystem, RID 8): one record per
 * alarm instance with its state, timestamps, priority, associated values and texts in the
 * language `lcid`, values formatted in. A DAI the PLC sends without a coming or going state
 * is left out (a reference driver drops them too). Blocks up to the request timeout; with
 * auto_reconnect a transient failure reconnects and retries once.
 * @param c     a connected client
 * @param lcid  language of the texts (Windows LCID, e.g. 1033 en-US, 1031 de-DE); 0 = the
 *              lowest the PLC sent. Texts of a language the PLC did not send are empty
 * @param out   receives the list (empty when no alarm is active; NULL on failure); free it
 *              with s7p_alarm_list_free()
 * @param err   filled on failure, cleared on success; may be NULL
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_STATE (not connected, no auto_reconnect);
 *         S7P_E_TIMEOUT, S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS; S7P_E_PLC (the PLC refused the
 *         Explore); S7P_E_PROTOCOL (a malformed alarm); S7P_E_NOMEM
 * @threadsafety Any thread; serialised with the client's other calls.
 */
S7P_API s7p_status s7p_get_active_alarms(s7p_client *c, uint32_t lcid, s7p_alarm_list **out,
                                         s7p_error *err);

/**
 * Reads the active alarms without waiting: as s7p_get_active_alarms().
 *
 * @param c     the client
 * @param lcid  language of the texts, as for s7p_get_active_alarms()
 * @param out   receives the list before done runs (NULL on failure); must stay valid until
 *              then; free the list with s7p_alarm_list_free()
 * @param done  called once at the end
 * @param ctx   passed to done
 * @param id    receives the request's id (may be NULL)
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_get_active_alarms_async(s7p_client *c, uint32_t lcid,
                                               s7p_alarm_list **out, s7p_done_fn done,
                                               void *ctx, s7p_request_id *id);

/**
 * Frees what the library allocated inside one alarm record (strings, values) and zeroes it.
 * @param a  a record the library filled, or zeroed; NULL is a no-op
 * @threadsafety Any thread (for a record no other thread uses).
 */
S7P_API void s7p_alarm_clear(s7p_alarm *a);

/**
 * Frees an alarm list and everything in it.
 * @param l  the list; NULL is a no-op
 * @threadsafety Any thread (for a list no other thread uses).
 */
S7P_API void s7p_alarm_list_free(s7p_alarm_list *l);

/**
 * Formats the associated values into an alarm text written in the PLC's text-field syntax:
 * `@<n>[<type>]%[0][<width>][.<precision>]<format>@` puts value n (1-based) there, with
 * format d (signed decimal), u (unsigned), x / X (hexadecimal, prefix 16#), b (binary,
 * prefix 2#), f (fixed point, 6 decimals by default) or s (text); type letters B, Y, C, W,
 * I, X, D, R, O, T choose the width the value is read with (1 bit, 8, 8, 16, 16, 32, 32,
 * 32, 64 bits, text); a width pads on the left, with zeros when it starts with 0. A literal
 * `\n` becomes a line break. A placeholder whose value is missing, or a text-list reference
 * `%t#Name` (text lists are not read), stays as it is. Details: docs/protocol.md, "Alarms".
 * @param text     the text (UTF-8, NUL-terminated)
 * @param values   the associated values, values[0] = SD_1; may be NULL when n is 0
 * @param n        number of values
 * @param out      receives the formatted text; free it with s7p_text_free()
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_LIMIT (the result would exceed 64 KiB);
 *         S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_alarm_format_text(const char *text, const s7p_tag_value *values,
                                         size_t n, char **out);

/**
 * Name of a message type: "alarm", "notify", "info-report", "event-ack", "invalid"; "?" for
 * other numbers.
 * @param type  an ::s7p_alarm_message_type value
 * @return a static string, never NULL
 * @threadsafety Any thread.
 */
S7P_API const char *s7p_alarm_message_type_name(int32_t type);
/* ---- tag subscriptions ---------------------------------------------------------------- */

/** A subscription: a set of tags the PLC sends the values of by itself, at a cycle time,
 *  on the client's session (requests go on beside it). Opaque; made by s7p_subscribe(),
 *  freed by s7p_unsubscribe(). */
typedef struct s7p_subscription s7p_subscription;

/** What the PLC sends, per cycle. */
typedef enum s7p_sub_mode {
    S7P_SUB_CYCLIC = 0,       /**< a notification every cycle, carrying the values that
                                   changed (an empty one when none did); the PLC's
                                   "cyclic and changed values" mode. The default */
    S7P_SUB_CHANGES_ONLY,     /**< a notification only in cycles in which a value changed
                                   (an idle subscription is silent) */
} s7p_sub_mode;

/** Options of a subscription. Initialise with s7p_subscription_options_init(); new fields go
 *  at the end. */
typedef struct s7p_subscription_options {
    size_t struct_size;             /**< set by s7p_subscription_options_init() */
    uint32_t cycle_ms;              /**< how often the PLC looks at the values; default
                                         1000, 1..86400000 (real PLCs refuse less than about
                                         100) */
    s7p_sub_mode mode;              /**< default S7P_SUB_CYCLIC */
    uint32_t notification_timeout_ms; /**< a wait this long without any notification counts
                                         as one timeout; default 5000, 1..86400000 */
    uint32_t max_consecutive_timeouts; /**< that many timeouts in a row fault the
                                         subscription with S7P_E_TIMEOUT (event
                                         S7P_SUB_FAULTED). Default 0: waiting idle is never
                                         a failure (right for S7P_SUB_CHANGES_ONLY) */
    int16_t credit_limit;           /**< notifications the PLC may send before the client
                                         grants more (the protocol's flow control): default
                                         10, 1..255, or -1 for no limit. The client raises the
                                         limit by credit_step whenever fewer than credit_step
                                         notifications are left, so the PLC never waits for
                                         credit while the client keeps up */
    uint8_t credit_step;            /**< default 5; 1..127 (0: the default). For a cycle
                                         under 200 ms the client grants a second's worth at
                                         a time (1000 / cycle_ms notifications, at most 127)
                                         when that is more, so a client thread that is late
                                         for a moment never stalls a fast subscription */
    uint32_t queue_size;            /**< pull form (no callback): notifications kept until
                                         s7p_subscription_next() takes them; default 1024,
                                         1..1048576. When the queue is full the oldest one is
                                         dropped and the next one taken says how many were
                                         (s7p_sub_notification.dropped) */
} s7p_subscription_options;

/** @cond S7P_HIDDEN */
S7P_API void (s7p_subscription_options_init)(s7p_subscription_options *o);
/** @endcond */

/**
 * Sets every field of a struct of `size` bytes (the program's `sizeof`) to its default and
 * struct_size to `size` (see s7p_client_options_init_size()).
 * @param o     the options to fill; NULL is a no-op
 * @param size  `sizeof` of the program's s7p_subscription_options
 * @threadsafety Any thread.
 */
S7P_API void s7p_subscription_options_init_size(s7p_subscription_options *o, size_t size);

/**
 * Sets every field of the subscription options to its default (a macro passing the
 * program's struct size to s7p_subscription_options_init_size()).
 * @param o  the options to fill (not NULL)
 * @threadsafety Any thread.
 */
#define s7p_subscription_options_init(o) s7p_subscription_options_init_size((o), sizeof *(o))

/** What a notification reports. */
typedef enum s7p_sub_event {
    S7P_SUB_DATA = 0,         /**< values from the PLC (possibly none: a cyclic
                                   subscription's cycle without a change) */
    S7P_SUB_LOST,             /**< the session broke (or was disconnected): no data until
                                   the subscription is re-created on a new session, by
                                   itself with auto_reconnect, else at the caller's next
                                   s7p_connect(). `error` says why */
    S7P_SUB_RECREATED,        /**< re-created on a new session after S7P_SUB_LOST: values
                                   that changed in between were not seen (`gap_ms` long);
                                   the next S7P_SUB_DATA carries every tag's value */
    S7P_SUB_FAULTED,          /**< the subscription ended: `error` says why (S7P_E_TIMEOUT:
                                   max_consecutive_timeouts reached; S7P_E_PLC or
                                   S7P_E_LIMIT: the PLC refused to re-create it). Nothing
                                   follows; free it with s7p_unsubscribe() */
    S7P_SUB_RESYNC,           /**< alarm subscriptions, after S7P_SUB_RECREATED: what changed
                                   while the session was lost, found by a fresh snapshot of
                                   the active alarms taken after the re-creation. `alarms`
                                   holds every active alarm the subscription had not reported
                                   in its present state (new, or changed: another sequence
                                   counter), `gone_ids` the alarms it had reported active that
                                   are active no longer. Notifications that follow are newer
                                   than that snapshot */
} s7p_sub_event;

/** One tag's value in a notification. */
typedef struct s7p_sub_value {
    uint32_t tag;                   /**< the tag's number: its index in the array given to
                                         s7p_subscribe(); tags added later continue the
                                         numbering (s7p_subscription_add()) */
    s7p_status status;              /**< S7P_OK: `value` holds the value; S7P_E_PLC: the PLC
                                         cannot address the tag (see plc_item_code);
                                         S7P_E_PROTOCOL: the value does not fit the tag's
                                         type */
    uint8_t plc_item_code;          /**< the item's code in the notification (0x9B or 0x92 a
                                         value, 0x03 or 0x13 an addressing error) */
    s7p_tag_value value;            /**< the value (status S7P_OK), owned by the notification */
} s7p_sub_value;

/** A notification or an event of a subscription. Everything in it is released with
 *  s7p_sub_notification_free() (pull form) or after the callback returns. */
typedef struct s7p_sub_notification {
    s7p_sub_event event;            /**< what it reports */
    uint32_t sequence;              /**< S7P_SUB_DATA: the PLC's notification sequence
                                         number (per subscription, from 1 after each create) */
    uint32_t missed;                /**< S7P_SUB_DATA: sequence numbers skipped before this one,
                                         i.e. notifications the PLC sent that never arrived
                                         (0: none) */
    bool has_timestamp;             /**< the PLC sent a timestamp */
    int64_t timestamp_ns;           /**< the PLC's time of the notification, nanoseconds since
                                         1970-01-01 UTC (microsecond resolution) */
    size_t count;                   /**< entries of `values` */
    s7p_sub_value *values;          /**< the tags whose values came, in the PLC's order */
    uint32_t dropped;               /**< pull form: notifications dropped before this one
                                         because the queue was full (0: none) */
    uint32_t gap_ms;                /**< S7P_SUB_RECREATED: milliseconds from the loss of the
                                         session to the re-creation */
    s7p_error error;                /**< S7P_SUB_LOST and S7P_SUB_FAULTED: why */
    size_t alarm_count;             /**< alarm subscriptions: entries of `alarms` */
    s7p_alarm *alarms;              /**< S7P_SUB_DATA of an alarm subscription: the alarms'
                                         state changes, in the PLC's order (texts in the
                                         subscription's first language); S7P_SUB_RESYNC: see
                                         there. Owned by the notification */
    size_t gone_count;              /**< S7P_SUB_RESYNC: entries of `gone_ids` */
    uint64_t *gone_ids;             /**< S7P_SUB_RESYNC: CPU alarm ids (s7p_alarm.id) of alarms
                                         that left the active alarms while the session was
                                         lost (they went, and were acknowledged if they
                                         needed it) */
} s7p_sub_notification;

/**
 * Receives a subscription's notifications and events, in order. Runs on the thread that
 * drives the client, with the client's lock released (the rule of ::s7p_done_fn): a thread
 * inside a blocking call of this client, the one calling s7p_client_process(), or the I/O
 * thread (option io_thread, or s7p_client_start_io_thread()). An idle client with no I/O
 * thread and no event loop delivers nothing until one of its calls runs. It may call into
 * the client, even s7p_unsubscribe() of this subscription when it does not run on the I/O
 * thread; after s7p_unsubscribe() returns, no further callback of the subscription starts.
 * @param ctx  the `ctx` given to s7p_subscribe()
 * @param sub  the subscription
 * @param n    the notification; valid only during the call
 */
typedef void (*s7p_sub_fn)(void *ctx, s7p_subscription *sub, const s7p_sub_notification *n);

/**
 * Subscribes to tags: creates a subscription object on the PLC (a free slot is checked
 * first: the PLC's PlcSubscriptionsFree) and waits for its answer. The first notification
 * carries every tag's value, later ones the values that changed. A client may hold several
 * subscriptions and go on reading, writing and browsing on the same session. After a lost
 * session they are re-created by themselves (events S7P_SUB_LOST, S7P_SUB_RECREATED): with
 * auto_reconnect the client reconnects for them, else at the caller's next s7p_connect().
 * @param c     a connected client
 * @param tags  the tags (copied), from browse or s7p_tag_by_symbol(); scalars or arrays of
 *              elementary types
 * @param n     how many, 1..65535
 * @param o     options; NULL for the defaults
 * @param fn    receives notifications and events (see ::s7p_sub_fn); NULL: they are queued
 *              for s7p_subscription_next() (the pull form)
 * @param ctx   passed to fn as it is
 * @param out   receives the subscription (NULL on failure); free it with s7p_unsubscribe()
 * @param err   filled on failure, cleared on success; may be NULL
 * @return S7P_OK; S7P_E_INVALID_ARG (no tags, options out of range); S7P_E_STATE (not
 *         connected, no auto_reconnect); S7P_E_LIMIT (the PLC has no free subscription);
 *         S7P_E_PLC (the PLC refused it: err->plc_code); S7P_E_TIMEOUT, S7P_E_CLOSED,
 *         S7P_E_IO, S7P_E_TLS, S7P_E_PROTOCOL; S7P_E_NOMEM
 * @threadsafety Any thread; runs beside the client's other calls.
 */
S7P_API s7p_status s7p_subscribe(s7p_client *c, const s7p_tag *tags, size_t n,
                                 const s7p_subscription_options *o, s7p_sub_fn fn, void *ctx,
                                 s7p_subscription **out, s7p_error *err);

/**
 * Subscribes without waiting: as s7p_subscribe(), the subscription at once in *out and the
 * outcome of the create through done. When it fails the subscription is FAULTED (an
 * S7P_SUB_FAULTED event) and must still be freed with s7p_unsubscribe().
 * @param c     the client
 * @param tags  the tags (copied)
 * @param n     how many, 1..65535
 * @param o     options; NULL for the defaults
 * @param fn    as for s7p_subscribe()
 * @param ctx   passed to fn
 * @param out   receives the subscription at once
 * @param done  called once when the create ended
 * @param done_ctx  passed to done
 * @param id    receives the request's id (may be NULL)
 * @return S7P_OK (submitted); S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_subscribe_async(s7p_client *c, const s7p_tag *tags, size_t n,
                                       const s7p_subscription_options *o, s7p_sub_fn fn,
                                       void *ctx, s7p_subscription **out, s7p_done_fn done,
                                       void *done_ctx, s7p_request_id *id);

/**
 * The pull form: waits up to timeout_ms for the next notification or event of a
 * subscription made without a callback. While it waits, the calling thread drives the
 * client (unless another thread or the I/O thread does), so it fits any threading model:
 * other threads' calls on the client go on meanwhile.
 * @param s           the subscription
 * @param out         receives the notification; free it with s7p_sub_notification_free()
 * @param timeout_ms  longest wait; 0 takes only what is queued
 * @param err         filled on failure, cleared on success; may be NULL
 * @return S7P_OK (*out set); S7P_E_TIMEOUT (nothing came: not a failure of the
 *         subscription); the fault's code once a FAULTED subscription's queue is empty;
 *         S7P_E_STATE (a subscription with a callback); S7P_E_INVALID_ARG
 * @threadsafety Any thread; one waiter per subscription.
 */
S7P_API s7p_status s7p_subscription_next(s7p_subscription *s, s7p_sub_notification **out,
                                         uint32_t timeout_ms, s7p_error *err);

/**
 * Frees a notification from s7p_subscription_next() and every value in it.
 * @param n  the notification; NULL is a no-op
 * @threadsafety Any thread.
 */
S7P_API void s7p_sub_notification_free(s7p_sub_notification *n);

/**
 * Adds tags to a subscription without re-creating it (a new reference list with the next
 * change counter). Their numbers continue the subscription's numbering.
 * @param s      the subscription
 * @param tags   the tags (copied)
 * @param n      how many (the subscription holds at most 65535)
 * @param first  receives the number of the first added tag (may be NULL)
 * @param err    filled on failure, cleared on success; may be NULL
 * @return S7P_OK; S7P_E_INVALID_ARG; S7P_E_STATE (a FAULTED subscription); S7P_E_PLC and
 *         the errors of a request. While the session is lost the change is kept and made
 *         with the re-creation
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_subscription_add(s7p_subscription *s, const s7p_tag *tags, size_t n,
                                        uint32_t *first, s7p_error *err);

/**
 * Removes tags from a subscription (by their numbers) without re-creating it.
 * @param s        the subscription
 * @param numbers  the tags' numbers (s7p_sub_value.tag); unknown numbers are ignored
 * @param n        how many
 * @param err      filled on failure, cleared on success; may be NULL
 * @return as s7p_subscription_add()
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_subscription_remove(s7p_subscription *s, const uint32_t *numbers,
                                           size_t n, s7p_error *err);

/**
 * Changes the cycle time of a subscription (its attribute on the PLC, no re-creation).
 * @param s         the subscription
 * @param cycle_ms  1..86400000
 * @param err       filled on failure, cleared on success; may be NULL
 * @return as s7p_subscription_add()
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_subscription_set_cycle(s7p_subscription *s, uint32_t cycle_ms,
                                              s7p_error *err);

/**
 * Ends a subscription: deletes it on the PLC (when its session is still open; a PLC that
 * does not answer within the request timeout is given up on) and frees it with every queued
 * notification. No callback of it starts after this returns.
 * @param s    the subscription; NULL is a no-op. Invalid afterwards
 * @param err  filled when the delete failed on the PLC (it is freed all the same), cleared
 *             otherwise; may be NULL
 * @return S7P_OK, or the delete's error (the subscription is freed either way)
 * @threadsafety Any thread; not while another thread waits in s7p_subscription_next() for
 * it. Subscriptions still held at s7p_client_free() are freed with the client.
 */
S7P_API s7p_status s7p_unsubscribe(s7p_subscription *s, s7p_error *err);

/* ---- alarm subscriptions ---------------------------------------------------------------- */

/** Most languages an alarm subscription asks for. */
#define S7P_ALARM_MAX_LANGUAGES 16

/**
 * Subscribes to alarms: creates an alarm subscription on the PLC (a subscription object of
 * function class "alarms" with its alarm reference; a free slot is checked first). From then
 * on every state change of an alarm (came, went, acknowledged) arrives as an S7P_SUB_DATA
 * notification whose `alarms` hold the DAI records the PLC sent, with texts and associated
 * values formatted in the first language of `lcids`. Delivery, credits, the notification
 * timeout and s7p_unsubscribe() are those of tag subscriptions (::s7p_sub_fn,
 * s7p_subscription_next()); s7p_subscription_add(), _remove() and _set_cycle() do not
 * apply (S7P_E_INVALID_ARG). After a lost session it is re-created by itself (events
 * S7P_SUB_LOST, S7P_SUB_RECREATED) and a fresh snapshot of the active alarms is read on the
 * new session: S7P_SUB_RESYNC reports what changed meanwhile (notifications that arrive
 * while it is read are held back and de-duplicated against it, as in
 * s7p_subscribe_alarms_with_snapshot()).
 * @param c        a connected client
 * @param lcids    the languages the PLC sends texts in (Windows LCIDs, e.g. 1033); the first
 *                 one is the language of the records. NULL or none: every language the PLC
 *                 has (records in the lowest one it sends)
 * @param n_lcids  entries of lcids, at most ::S7P_ALARM_MAX_LANGUAGES
 * @param o        options (cycle_ms and mode do not apply); NULL for the defaults
 * @param fn       receives notifications and events; NULL: the pull form
 * @param ctx      passed to fn as it is
 * @param out      receives the subscription (NULL on failure); free it with s7p_unsubscribe()
 * @param err      filled on failure, cleared on success; may be NULL
 * @return as s7p_subscribe(); S7P_E_INVALID_ARG also for an LCID above 0xFFFF
 * @threadsafety Any thread; runs beside the client's other calls.
 */
S7P_API s7p_status s7p_subscribe_alarms(s7p_client *c, const uint32_t *lcids, size_t n_lcids,
                                        const s7p_subscription_options *o, s7p_sub_fn fn,
                                        void *ctx, s7p_subscription **out, s7p_error *err);

/**
 * Subscribes to alarms without waiting: as s7p_subscribe_alarms(), the subscription at once
 * in *out and the outcome of the create through done (see s7p_subscribe_async()).
 * @param c         the client
 * @param lcids     languages, as for s7p_subscribe_alarms() (copied)
 * @param n_lcids   entries of lcids
 * @param o         options; NULL for the defaults
 * @param fn        as for s7p_subscribe_alarms()
 * @param ctx       passed to fn
 * @param out       receives the subscription at once
 * @param done      called once when the create ended
 * @param done_ctx  passed to done
 * @param id        receives the request's id (may be NULL)
 * @return S7P_OK (submitted); S7P_E_INVALID_ARG; S7P_E_NOMEM
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_subscribe_alarms_async(s7p_client *c, const uint32_t *lcids,
                                              size_t n_lcids, const s7p_subscription_options *o,
                                              s7p_sub_fn fn, void *ctx, s7p_subscription **out,
                                              s7p_done_fn done, void *done_ctx,
                                              s7p_request_id *id);

/**
 * Subscribes to alarms and reads the alarms active now, so that no change is lost or
 * reported twice: the subscription is created FIRST, then the active alarms are read on a
 * second connection (snapshot_client, or a temporary one opened with c's options and closed
 * again), and the notifications that arrive meanwhile are held back and merged: a
 * notification about an alarm whose snapshot record has the same or a newer DAI sequence
 * counter is dropped, the others are delivered after this returns (pull form) or to fn. An
 * alarm that comes between the subscribe and the snapshot is therefore reported exactly
 * once: in the snapshot or as a notification. Details: docs/protocol.md §11.8.
 * @param c                the client that holds the subscription (connected)
 * @param snapshot_client  a connected client to the same PLC for the snapshot, not c; NULL:
 *                         a temporary connection with c's options
 * @param lcids            languages, as for s7p_subscribe_alarms(); the snapshot's texts are
 *                         in the first one
 * @param n_lcids          entries of lcids
 * @param o                options; NULL for the defaults
 * @param fn               receives the notifications; NULL: the pull form. With a callback,
 *                         notifications newer than the snapshot may be delivered (on the
 *                         thread that drives c) before this returns
 * @param ctx              passed to fn
 * @param snapshot         receives the active alarms (NULL on failure); free the list with
 *                         s7p_alarm_list_free()
 * @param out              receives the subscription (NULL on failure); free it with
 *                         s7p_unsubscribe()
 * @param err              filled on failure, cleared on success; may be NULL
 * @return S7P_OK; the errors of s7p_subscribe_alarms(); the snapshot's (then the subscription
 *         is deleted again); S7P_E_INVALID_ARG (snapshot_client is c)
 * @threadsafety Any thread.
 */
S7P_API s7p_status s7p_subscribe_alarms_with_snapshot(s7p_client *c, s7p_client *snapshot_client,
                                                      const uint32_t *lcids, size_t n_lcids,
                                                      const s7p_subscription_options *o,
                                                      s7p_sub_fn fn, void *ctx,
                                                      s7p_alarm_list **snapshot,
                                                      s7p_subscription **out, s7p_error *err);

#ifdef __cplusplus
}
#endif
#endif

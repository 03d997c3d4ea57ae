/* The client handle, shared by the files of the client layer. */
#ifndef S7P_CLIENT_CLIENT_INT_H
#define S7P_CLIENT_CLIENT_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "client/error.h"
#include "legacy/keys.h"
#include "services/browse.h"

/** A callback to deliver: a state change or a communication error. */
typedef struct s7p_event {
    bool is_error;
    s7p_conn_state from, to;    /* state change */
    s7p_error err;              /* communication error */
} s7p_event;

struct s7p_client {
    s7p_client_options opt;     /* strings point at the copies below */
    char *host, *remote_tsap, *keylog_file, *ca_file, *expected_name, *known_hosts_file;
    char endpoint[72];
    s7p_log_sink log;
    pthread_mutex_t lock;       /* serialises every call on this client */
    s7p_tls_ctx *tls;           /* created on first connect, reused afterwards */
    s7p_session session;
    s7p_browse_cache cache;     /* DB list and type information of the connected PLC */
    s7p_conn_state state;
    /* Automatic reconnection: after a failed attempt the next one waits for the interval. */
    bool last_connect_failed;
    int64_t next_connect_ms;    /* monotonic; no automatic attempt before */
    s7p_fail last_connect_fail;
    /* Callbacks in the order their events happened (appended under the lock); one thread
     * at a time delivers them, without the lock, so a callback may call into the client. */
    s7p_event *events;
    size_t events_next, events_n, events_cap;
    bool delivering;
    /* Calls inside the client (counted before they wait for the lock, uncounted after their
     * callbacks were delivered); s7p_client_free() waits until none is left. */
    atomic_uint calls;
    pthread_cond_t idle;
    /* The heartbeat thread (heartbeat_s > 0): runs the session's idle timers. */
    pthread_t hb_thread;
    pthread_mutex_t hb_lock;
    pthread_cond_t hb_wake;
    bool hb_running, hb_stop;
    /* Legacy security (legacy.c): the key policy of the options, with its own key copies. */
    s7p_legacy_key_policy legacy;
    s7p_legacy_pubkey *legacy_keys;
};

/* legacy.c */
/** NULL, or why the legacy options are invalid. */
const char *s7p_client_legacy_check(const s7p_client_options *o);
/** Builds c->legacy from c->opt (checked); false when out of memory. Then
 *  s7p_client_legacy_take_keys() copies the caller's keys. */
bool s7p_client_legacy_init(s7p_client *c);
void s7p_client_legacy_take_keys(s7p_client *c, const s7p_legacy_key *keys, size_t n);
void s7p_client_legacy_free(s7p_client *c);

/** What one call did under the lock, beyond its result. */
typedef struct s7p_events {
    bool no_retry;              /* the caller already saw effects (items delivered to a
                                   callback): running the operation again would repeat them */
} s7p_events;

/** Work done under the client's lock; fills f on failure. */
typedef s7p_status (*s7p_locked_op)(s7p_client *c, void *arg, s7p_events *ev, s7p_fail *f);

enum {
    S7P_OP_NEEDS_SESSION = 1,   /* fails with S7P_E_STATE when not connected */
    S7P_OP_RETRYABLE = 2,       /* may reconnect and run once more (auto_reconnect) */
};

/** Runs fn under the lock with the client's state handling: broken connections become
 *  FAULTED, retryable operations reconnect and retry once when auto_reconnect is on (a
 *  FAULTED client tries again on every retryable call, at most once per reconnect interval
 *  after a failed attempt); then fills err, logs, and delivers the queued state and
 *  communication-error callbacks in order, unless another thread is delivering them. */
s7p_status s7p_client_run(s7p_client *c, const char *op, int flags, s7p_locked_op fn,
                          void *arg, s7p_error *err);

/** Connects (lock held). A failed attempt leaves a FAULTED client with auto_reconnect
 *  FAULTED (it keeps trying), any other DISCONNECTED. */
s7p_status s7p_client_connect_locked(s7p_client *c, s7p_events *ev, s7p_fail *f);
/** Moves to a new state (lock held), queueing the change for delivery. */
void s7p_client_set_state(s7p_client *c, s7p_events *ev, s7p_conn_state to);

/** Clears or fills err from the outcome of a call, logging failures. Returns st. */
s7p_status s7p_client_finish(s7p_client *c, const char *op, s7p_status st, const s7p_fail *f,
                             s7p_error *err);

/** Starts the heartbeat thread when the options ask for one (S7P_OK when they do not). */
s7p_status s7p_heartbeat_start(s7p_client *c);
/** Stops and joins it (no-op when none runs). Called before the client is torn down. */
void s7p_heartbeat_stop(s7p_client *c);

/** Counts a call entering the client (before it takes the lock). */
void s7p_client_enter(s7p_client *c);
/** Uncounts it (lock held), waking s7p_client_free() when it was the last. */
void s7p_client_leave_locked(s7p_client *c);

#endif

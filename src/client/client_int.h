/* The client handle, shared by the files of the client layer. */
#ifndef S7P_CLIENT_CLIENT_INT_H
#define S7P_CLIENT_CLIENT_INT_H

#include <pthread.h>

#include "client/error.h"
#include "services/browse.h"

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
};

/** Events a call collects while it holds the lock, delivered after it let go. */
typedef struct s7p_events {
    s7p_conn_state from[8], to[8];
    int n;
} s7p_events;

/** Work done under the client's lock; records state changes in ev, fills f on failure. */
typedef s7p_status (*s7p_locked_op)(s7p_client *c, void *arg, s7p_events *ev, s7p_fail *f);

enum {
    S7P_OP_NEEDS_SESSION = 1,   /* fails with S7P_E_STATE when not connected */
    S7P_OP_RETRYABLE = 2,       /* may reconnect and run once more (auto_reconnect) */
};

/** Runs fn under the lock with the client's state handling: broken connections become
 *  FAULTED, retryable operations reconnect and retry once when auto_reconnect is on; then
 *  fills err, logs, and delivers the state and communication-error callbacks. */
s7p_status s7p_client_run(s7p_client *c, const char *op, int flags, s7p_locked_op fn,
                          void *arg, s7p_error *err);

/** Connects (lock held): records the state changes in ev. */
s7p_status s7p_client_connect_locked(s7p_client *c, s7p_events *ev, s7p_fail *f);
/** Moves to a new state (lock held), recording the change for delivery. */
void s7p_client_set_state(s7p_client *c, s7p_events *ev, s7p_conn_state to);

/** Clears or fills err from the outcome of a call, logging failures. Returns st. */
s7p_status s7p_client_finish(s7p_client *c, const char *op, s7p_status st, const s7p_fail *f,
                             s7p_error *err);

#endif

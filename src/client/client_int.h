/* SPDX-License-Identifier: MIT */
/* The client handle, shared by the files of the client layer.
 *
 * Every API call becomes a request (s7p_req): an operation of services/ (op.h) plus the
 * client's policy around it (state machine, reconnect, retry, callbacks). Requests wait in
 * submit order and start when they may run beside the ones running: connect, disconnect
 * and a reconnect run alone; browse, symbol lookup and a guarded read or write (they use
 * the browse cache) one at a time; other reads, writes and CPU info together, their PDUs in
 * flight on the one session up to max_in_flight. The engine is driven (driver.c) by whoever
 * holds the lock for a moment: a blocking caller that is the leader of the poll, an I/O
 * thread, or the caller's event loop through s7p_client_process(). Nothing waits on the
 * network with the lock held. */
#ifndef S7P_CLIENT_CLIENT_INT_H
#define S7P_CLIENT_CLIENT_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "client/error.h"
#include "legacy/keys.h"
#include "services/alarm.h"
#include "services/cpu.h"
#include "services/info.h"
#include "services/legitimate.h"
#include "services/program.h"
#include "services/subscribe.h"
#include "util/wake.h"

typedef enum { EV_STATE, EV_ERROR, EV_DONE, EV_SUB } s7p_event_kind;

typedef struct s7p_req s7p_req;

/** A callback to deliver: a state change, a communication error, an async completion. */
typedef struct s7p_event {
    s7p_event_kind kind;
    s7p_conn_state from, to;    /* state change */
    s7p_error err;              /* communication error */
    s7p_req *req;               /* completion (the request is freed after its callback) */
    s7p_subscription *sub;      /* a subscription's notification (holds a reference) */
    s7p_sub_notification *notif;
} s7p_event;

typedef enum {
    RQ_CONNECT, RQ_DISCONNECT, RQ_INFO, RQ_READ, RQ_WRITE, RQ_BROWSE, RQ_SYMBOL,
    RQ_CPU,                     /* culture, resources or operating state (cpu_kind) */
    RQ_LEGIT, RQ_ALARMS, RQ_SUBSCRIBE, RQ_SUB_MODIFY, RQ_UNSUBSCRIBE
} s7p_req_kind;

/** What a subscription change request does (subscription.c). */
typedef enum { SUBM_ADD, SUBM_REMOVE, SUBM_CYCLE } s7p_subm_kind;

enum {
    S7P_OP_NEEDS_SESSION = 1,   /* fails with S7P_E_STATE when not connected */
    S7P_OP_RETRYABLE = 2,       /* may reconnect and run once more (auto_reconnect) */
};

typedef enum { RQ_WAITING, RQ_ACTIVE, RQ_FINISHED, RQ_DONE } s7p_req_where;

struct s7p_req {
    s7p_client *c;
    s7p_req *next, *prev;       /* in the waiting or the active list */
    uint64_t id;
    s7p_req_kind kind;
    const char *name;           /* "read": messages */
    int flags;
    s7p_req_where where;
    bool retry;                 /* a retry after reconnecting is still allowed */
    bool reconnect;             /* reconnect before running the operation */
    uint64_t failed_session;    /* c->sessions when its attempt failed (retry) */
    bool counted_alone;         /* counted in n_alone while active (reconnect may change) */
    bool counted_cache;         /* counted in n_cache while active */
    bool counted_sub;           /* counted in n_sub while active */
    bool no_retry;              /* the caller saw effects (browse items) */
    bool op_live;               /* u's operation is running */
    bool cancelled;
    bool blocking;              /* a blocking caller waits for done */
    bool done;
    union {
        s7p_info_op info;
        s7p_rw_op rw;
        s7p_browse_op browse;
        s7p_cpu_op cpu;
        s7p_legit_op legit;
        s7p_alarms_op alarms;
        s7p_sub_op sub;
    } u;
    /* arguments */
    s7p_cpu_info *info_out;
    s7p_cpu_op_kind cpu_kind;   /* RQ_CPU: which one, and its output */
    void *cpu_out;
    const s7p_tag *tags;
    size_t n;
    s7p_tag_value *values;
    const s7p_tag_value *wvalues;
    s7p_item_result *results;
    char *symbol;               /* a copy */
    s7p_tag *tag_out;
    s7p_browse_fn browse_fn;
    void *browse_ctx;
    void (*browse_restart)(void *ctx); /* a collector that starts over on a retry */
    char *password, *username;  /* s7p_legitimate: copies, wiped when r is freed */
    uint32_t alarm_lcid;        /* active alarms: language of the texts */
    s7p_alarm_list **alarms_out;
    /* subscriptions (subscription.c) */
    s7p_subscription *subscription; /* holds a reference while the request lives */
    s7p_subm_kind subm;
    s7p_tag *sub_tags;          /* SUBM_ADD: the tags added (a copy) */
    uint32_t *sub_numbers;      /* SUBM_ADD: their numbers; SUBM_REMOVE: those removed */
    size_t sub_n;
    uint32_t sub_cycle;         /* SUBM_CYCLE */
    bool internal;              /* the library's own request (a re-create): no caller waits */
    /** Runs when the request completes (lock held), before its caller learns of it. */
    void (*on_finish)(s7p_client *c, s7p_req *r);
    /* outcome */
    s7p_status st;
    s7p_fail f;
    s7p_error err;
    /* an asynchronous caller's completion */
    s7p_done_fn done_fn;
    void *done_ctx;
};

struct s7p_client {
    s7p_client_options opt;     /* strings point at the copies below */
    char *host, *remote_tsap, *keylog_file, *ca_file, *expected_name, *known_hosts_file;
    char endpoint[72];
    s7p_log_sink log;
    pthread_mutex_t lock;       /* guards everything below; never held across a wait */
    pthread_cond_t wake;        /* a request completed, or the leader gave up the poll */
    s7p_wake wake_fd;           /* interrupts the leader's poll (new output, deadline) */
    s7p_tls_ctx *tls;           /* created on first connect, reused afterwards */
    s7p_session session;
    s7p_browse_cache cache;     /* DB list and type information of the connected PLC */
    s7p_conn_state state;
    _Atomic int pub_state;      /* state, readable without the lock */
    /* Automatic reconnection: after a failed attempt the next one waits for the interval. */
    bool last_connect_failed;
    int64_t next_connect_ms;    /* monotonic; no automatic attempt before */
    s7p_fail last_connect_fail;
    /* requests */
    s7p_req *waiting, *waiting_tail, *active;
    unsigned n_alone, n_cache, n_active, n_sub;
    uint64_t sessions;          /* sessions opened so far (a retry's reconnect may be done) */
    uint64_t next_id;
    /* the connect or disconnect in progress (a request running alone) */
    s7p_req *conn_req;
    int conn_fd;                /* the TCP connect in progress; -1: none */
    int64_t conn_deadline;
    bool conn_engine_done, close_done;
    s7p_status conn_st;
    s7p_fail conn_f;
    s7p_conn_state conn_failed_state;
    /* The fault that closed the session while no request was active: the next request
     * reports it (once) instead of "not connected". */
    bool idle_fault_pending;
    s7p_fail idle_fault;
    bool leader;                /* a thread polls the socket without the lock */
    /* Callbacks in the order their events happened (appended under the lock); one thread
     * at a time delivers them, without the lock, so a callback may call into the client. */
    s7p_event *events;
    size_t events_next, events_n, events_cap;
    bool delivering;
    /* Calls inside the client (counted before they take the lock, uncounted after their
     * callbacks were delivered); s7p_client_free() waits until none is left. */
    atomic_uint calls;
    pthread_cond_t idle;
    /* the I/O thread (s7p_client_start_io_thread, or heartbeat_s > 0) */
    pthread_t io_thread;
    bool io_running, io_stop;
    /* Legacy security (legacy.c): the key policy of the options, with its own key copies. */
    s7p_legacy_key_policy legacy;
    s7p_legacy_pubkey *legacy_keys;
    unsigned conn_attempt;      /* the legacy attempt (key or variant) of this connect */
    /* Legitimation (legit.c): the credentials for every connect (copies, wiped at free),
     * and the login that ends a connect when they are set. */
    char *password, *username;
    s7p_legit_op conn_legit;
    bool conn_legit_done;
    /* Subscriptions (subscription.c, sub_notify.c), in creation order. */
    s7p_subscription *subs;
    uint32_t sub_rid;           /* the last RelationId given on this session */
};

/* ---- legacy.c ---- */

/** NULL, or why the legacy options are invalid. */
const char *s7p_client_legacy_check(const s7p_client_options *o);
/** Builds c->legacy from c->opt (checked); false when out of memory. Then
 *  s7p_client_legacy_take_keys() copies the caller's keys. */
bool s7p_client_legacy_init(s7p_client *c);
void s7p_client_legacy_take_keys(s7p_client *c, const s7p_legacy_key *keys, size_t n);
void s7p_client_legacy_free(s7p_client *c);

/* ---- legit.c ---- */

/** NULL, or why the credentials of the options are invalid. */
const char *s7p_client_legit_check(const s7p_client_options *o);
/** A copy of a secret text (NULL for NULL or ""); *oom set when out of memory. */
char *s7p_secret_dup(const char *s, bool *oom);
/** Wipes and frees a secret text (NULL is a no-op). */
void s7p_secret_free(char *s);
/** Starts the login that ends a connect when the client has a password (lock held): true
 *  when it runs (it ends by setting conn_legit_done, conn_st and conn_f). */
bool s7p_conn_legit_begin(s7p_client *c);
/** Starts the operation of an s7p_legitimate() request (lock held). */
void s7p_legit_req_start(s7p_client *c, s7p_req *r);

/* ---- driver.c ---- */

/** A new request (lock not needed); NULL when out of memory. */
s7p_req *s7p_req_new(s7p_client *c, s7p_req_kind kind, const char *name, int flags);
/** Submits r (lock held): it waits its turn, then runs. */
void s7p_req_submit(s7p_client *c, s7p_req *r);
/** Runs a blocking call: submits r, drives the engine until r completed (the lock released
 *  while polling), delivers the callbacks, frees r. Fills err; returns the outcome. */
s7p_status s7p_req_run(s7p_client *c, s7p_req *r, s7p_error *err);
/** Submits an asynchronous call; its done_fn runs when it completes. */
s7p_status s7p_req_start(s7p_client *c, s7p_req *r, uint64_t *id);
/** Ends r's operation (lock held, from an operation's done): the driver settles it. */
void s7p_req_op_done(void *ctx, s7p_op *op);
/** Completes r now with st (lock held). */
void s7p_req_complete(s7p_client *c, s7p_req *r, s7p_status st);
void s7p_req_free(s7p_req *r);
/** Writes what the engine produced as far as the socket takes it (lock held). */
void s7p_driver_flush(s7p_client *c);
/** One turn of the driver over the socket's readiness (lock held): reads, feeds, ticks,
 *  flushes, settles. */
void s7p_driver_io(s7p_client *c, bool readable, bool writable);
/** Delivers the queued callbacks unless another thread does (lock held on entry and exit). */
void s7p_client_deliver(s7p_client *c);
/** Wakes a leader's poll (new output or an earlier deadline). */
void s7p_driver_poke(s7p_client *c);
/** Poll events the session wants now (lock held). */
short s7p_driver_events(const s7p_client *c);
int64_t s7p_driver_deadline(const s7p_client *c);
int s7p_driver_fd(const s7p_client *c);

/* ---- client.c ---- */

/** Moves to a new state (lock held), queueing the change for delivery. */
void s7p_client_set_state(s7p_client *c, s7p_conn_state to);
/** Starts r's connect (lock held); it ends in s7p_conn_end(). */
void s7p_conn_begin(s7p_client *c, s7p_req *r);
/** Drives the connect or close in progress after an engine call (lock held). */
void s7p_conn_settle(s7p_client *c, bool writable);
/** Starts r's disconnect (lock held). */
void s7p_disconnect_begin(s7p_client *c, s7p_req *r);
/** Closes the session without a goodbye (lock held; not from an engine callback). */
void s7p_client_shut(s7p_client *c);
/** Completes every pending request with S7P_E_CANCELLED (lock held; s7p_client_free). */
void s7p_client_cancel_all(s7p_client *c);
/* The requests of the public calls (vars.c), blocking and asynchronous alike. */
s7p_req *s7p_browse_req(s7p_client *c, s7p_browse_fn fn, void *ctx);
s7p_req *s7p_symbol_req(s7p_client *c, const char *symbol, s7p_tag *out);
s7p_req *s7p_rw_req(s7p_client *c, bool write, const s7p_tag *tags, size_t n,
                    s7p_tag_value *values, const s7p_tag_value *wvalues,
                    s7p_item_result *results);
/** A culture, resources or state request (cpu.c), blocking and asynchronous alike. */
s7p_req *s7p_cpu_req(s7p_client *c, s7p_cpu_op_kind kind, void *out);
/** Starts the operation of a read, write, info, browse or symbol request (lock held). */
void s7p_req_run_op(s7p_client *c, s7p_req *r);
void s7p_req_reconnected(s7p_client *c, s7p_req *r);

/** Clears or fills err from the outcome of a call, logging failures. Returns st. */
s7p_status s7p_client_finish(s7p_client *c, const char *op, s7p_status st, const s7p_fail *f,
                             s7p_error *err);
/** Queues a callback (lock held). */
void s7p_client_queue(s7p_client *c, const s7p_event *e);

/** Counts a call entering the client (before it takes the lock). */
void s7p_client_enter(s7p_client *c);
/** Uncounts it (lock held), waking s7p_client_free() when it was the last. */
void s7p_client_leave_locked(s7p_client *c);

/* ---- versioned structs of the public API: struct_size (a size_t) first (client.c) ---- */

/** The body of an *_init_size(): the defaults `full` (full_size bytes) into the caller's
 *  struct o of `size` bytes. An older, smaller struct gets only its own fields; a newer,
 *  larger one's fields this library does not know are zeroed. struct_size = size when the
 *  struct reaches it. */
void s7p_sized_init(void *o, size_t size, const void *full, size_t full_size);
/** Whether the bytes of the caller's struct o (`size` bytes) beyond the `known` bytes of
 *  this library's struct are all zero: fields of a newer library, unused. */
bool s7p_sized_tail_zero(const void *o, size_t known, size_t size);

/* ---- subscriptions (subscription.c, sub_notify.c; sub_int.h has the handle) ---- */

/** The engine's notification handler (lock held: the driver feeds the engine). */
void s7p_subs_on_notify(void *ctx, const s7p_pdu *pdu);
/** The session is about to close (lock held): active subscriptions are LOST. */
void s7p_subs_session_lost(s7p_client *c);
/** Timers and re-creations due (lock held, from the driver's settle); true when it
 *  submitted requests. */
bool s7p_subs_settle(s7p_client *c);
/** The earliest time s7p_subs_settle() has something to do (INT64_MAX: none). */
int64_t s7p_subs_deadline(const s7p_client *c);
/** Delivers a subscription's event (lock held on entry and exit, released around the
 *  callback). */
void s7p_subs_deliver(s7p_client *c, const s7p_event *e);
/** Frees every subscription (s7p_client_free, lock held). */
void s7p_subs_free_all(s7p_client *c);
/** Runs the operation of a subscription request (lock held). */
void s7p_sub_req_run(s7p_client *c, s7p_req *r);

/** One turn of a waiting call (lock held): leads one poll of the socket, or waits for the
 *  leader, bounded by `until` (monotonic ms); delivers the callbacks it may. */
void s7p_driver_wait(s7p_client *c, int64_t until);
/** Queues r without settling (lock held; from the driver's settle). */
void s7p_req_enqueue(s7p_client *c, s7p_req *r);

/** Starts / stops the I/O thread (lock not held). */
s7p_status s7p_io_thread_start(s7p_client *c);
void s7p_io_thread_stop(s7p_client *c);

#endif

/* SPDX-License-Identifier: MIT */
/* The subscription handle, shared by subscription.c (public calls, requests, re-creation)
 * and sub_notify.c (notifications, credits, timers, delivery). Everything in it is guarded
 * by the client's lock.
 *
 * Life cycle: NEW (create not yet answered) -> ACTIVE (object on the PLC, on session
 * `session`) -> LOST (the session closed; re-created by itself on the next session) ->
 * ACTIVE ...; FAULTED (ended with `fault`); CLOSED (s7p_unsubscribe). The handle is freed when
 * its last reference goes: the caller's (until s7p_unsubscribe), one per request that works
 * on it, one per queued callback event, one per credit write not yet sent. */
#ifndef S7P_CLIENT_SUB_INT_H
#define S7P_CLIENT_SUB_INT_H

#include "client/client_int.h"

typedef enum { SUB_NEW, SUB_ACTIVE, SUB_LOST, SUB_FAULTED, SUB_CLOSED } s7p_sub_state;

/** slot_of[] entry of a number that is not subscribed (removed). */
#define S7P_SUB_NO_SLOT UINT32_MAX
/** Most tags in one subscription. */
#define S7P_SUB_MAX_TAGS 65535u

/** An alarm the subscription reported as active (alarm subscriptions): its CPU alarm id and
 *  the DAI sequence counter of the state reported last. */
typedef struct s7p_sub_known {
    uint64_t id;
    uint32_t seq;
} s7p_sub_known;

struct s7p_subscription {
    s7p_client *c;
    s7p_subscription *next, *prev;  /* in c->subs while not CLOSED */
    unsigned refs;
    s7p_subscription_options opt;
    s7p_sub_fn fn;
    void *ctx;
    s7p_sub_state state;
    /* The tags: slot i holds tags[i], whose number is numbers[i]; slot_of[number] is its
     * slot (the wire's item reference is number + 1). */
    s7p_tag *tags;
    uint32_t *numbers;
    size_t n, cap;
    uint32_t *slot_of;
    uint32_t next_number;           /* numbers given so far (entries of slot_of) */
    /* on the PLC */
    uint64_t session;               /* c->sessions of the session it lives on */
    uint32_t object_id;             /* 0 while not ACTIVE */
    uint8_t change_counter;         /* of its reference list (1 at create) */
    int16_t credit_limit;           /* the limit granted last; -1 unlimited */
    uint64_t credit_id;             /* the credit write waiting in the engine; 0: none */
    s7p_arena credit_arena;         /* its request */
    bool create_pending;            /* a create is queued or running */
    bool have_seq;
    uint32_t last_seq;
    int64_t timeout_at;             /* ACTIVE: when the next wait without data ends */
    uint32_t timeouts;              /* consecutive waits without a notification */
    int64_t lost_at;                /* LOST: when the session went */
    int64_t retry_at;               /* LOST: no re-create before */
    s7p_error fault;                /* FAULTED: why */
    /* pull form: a ring of queued notifications */
    s7p_sub_notification **q;
    size_t q_head, q_n, q_cap;
    uint32_t dropped;
    /* alarm subscriptions (sub_alarms.c) */
    bool alarms;                    /* function class alarms: no tags */
    uint32_t lcids[S7P_SUB_MAX_LCIDS];
    size_t n_lcids;
    bool holding;                   /* notifications held back while a snapshot is read */
    s7p_sub_notification **held;
    size_t n_held, cap_held;
    s7p_sub_known *known;           /* alarms reported active, by id (unsorted) */
    size_t n_known, cap_known;
    s7p_sub_known *floor;           /* the last snapshot's alarms not yet changed since */
    size_t n_floor;
    bool resync_due;                /* re-created: a fresh snapshot is to be read */
    bool resync_pending;            /* its request is queued or running */
    s7p_alarm_list *resync_list;    /* its answer */
};

/** Takes / drops a reference (lock held); the last one frees the handle. */
void s7p_sub_ref(s7p_subscription *s);
void s7p_sub_unref(s7p_subscription *s);
/** Hands n to the caller (lock held): the pull queue, or the callback queue. */
void s7p_sub_emit(s7p_subscription *s, s7p_sub_notification *n);
/** A new event notification without data (NULL when out of memory). */
s7p_sub_notification *s7p_sub_event_new(s7p_sub_event ev);
/** Ends the subscription with f (lock held): FAULTED, the event emitted. */
void s7p_sub_fault(s7p_subscription *s, const char *op, const s7p_fail *f);
/** The subscription is ACTIVE with object id on the current session (lock held, from the
 *  create's completion inside the engine): counters reset, RECREATED emitted after a loss. */
void s7p_sub_activated(s7p_subscription *s, uint32_t object_id);
/** Builds the public notification of a decoded one (NULL when out of memory): each value
 *  through the values layer, items of tags not subscribed (removed while the PLC still
 *  sent them) left out, the sequence gap counted. */
s7p_sub_notification *s7p_sub_notification_build(s7p_subscription *s,
                                                 const s7p_notification *n);
/** The header of a DATA notification: sequence, the gap before it, the timestamp. */
void s7p_sub_fill_header(s7p_subscription *s, const s7p_notification *n,
                         s7p_sub_notification *out);
/** A wait of notification_timeout_ms without a notification ended at `now`: counted;
 *  max_consecutive_timeouts of them in a row fault the subscription (0: never). */
void s7p_sub_check_timeout(s7p_subscription *s, int64_t now);
/** Releases the pull queue (lock held). */
void s7p_sub_queue_clear(s7p_subscription *s);

/* subscription.c, for sub_alarms.c */
/** The caller's options of whatever size, checked; NULL when fine, else why not. */
const char *s7p_sub_take_options(const s7p_subscription_options *o, s7p_subscription_options *out);
/** A new handle without tags (refs 1: the caller's); NULL when out of memory. */
s7p_subscription *s7p_sub_alloc(s7p_client *c, const s7p_subscription_options *o,
                                s7p_sub_fn fn, void *ctx);
/** Links s into the client and makes its create request (holding a reference); false when
 *  out of memory (s is then freed). */
bool s7p_sub_register(s7p_client *c, s7p_subscription *s, s7p_req **req);
/** Ends s at once (lock held): unlinked, queue freed, the caller's reference dropped. */
void s7p_sub_close(s7p_client *c, s7p_subscription *s);
/** Fills err with an argument error; returns S7P_E_INVALID_ARG. */
s7p_status s7p_sub_arg_fail(s7p_client *c, const char *op, const char *why, s7p_error *err);
/** Runs the create request r of s (lock not held); on failure s is closed. */
s7p_status s7p_sub_run_create(s7p_client *c, s7p_subscription *s, s7p_req *r, s7p_error *err);

/* sub_alarms.c */
/** The records of an alarm notification's part 2 (NULL when out of memory). */
s7p_sub_notification *s7p_sub_alarms_build(s7p_subscription *s, const s7p_notification *n);
/** Hands an alarm subscription's notification on (lock held): held back while a snapshot
 *  is read, else the known alarms updated and emitted. */
void s7p_sub_alarms_take(s7p_subscription *s, s7p_sub_notification *n);
/** The create of an alarm subscription succeeded; after a loss a resync is due. */
void s7p_sub_alarms_activated(s7p_subscription *s, bool was_lost);
/** Starts a due resync (lock held, from the driver's settle); true when it queued one. */
bool s7p_sub_alarms_settle(s7p_client *c, s7p_subscription *s);
/** Releases what an alarm subscription keeps (held notifications, known alarms). */
void s7p_sub_alarms_free(s7p_subscription *s);

#endif

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
/** A wait of notification_timeout_ms without a notification ended at `now`: counted;
 *  max_consecutive_timeouts of them in a row fault the subscription (0: never). */
void s7p_sub_check_timeout(s7p_subscription *s, int64_t now);
/** Releases the pull queue (lock held). */
void s7p_sub_queue_clear(s7p_subscription *s);

#endif

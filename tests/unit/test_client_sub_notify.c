/* SPDX-License-Identifier: MIT */
/* The receiving side of subscriptions without a network (src/client/sub_notify.c,
 * sub_alarms.c): a client that never connects, a subscription made active by hand, and
 * notifications as a PLC may send them. Regressions of fuzz_sub_notify's findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "client/sub_int.h"
#include "util/alloc.h"

typedef struct fixture {
    s7p_client *c;
    s7p_subscription *s;
} fixture;

static int setup(void **state)
{
    static fixture fx;
    s7p_client_options co;
    s7p_client_options_init(&co);
    co.host = "127.0.0.1";
    memset(&fx, 0, sizeof fx);
    if (s7p_client_new(&fx.c, &co, NULL) != S7P_OK) return -1;
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    s7p_client_free(fx->c);  /* closes the subscriptions linked into it */
    return 0;
}

/* An alarm subscription with this pull-queue size, linked into the client. */
static s7p_subscription *alarm_sub(fixture *fx, uint32_t queue_size)
{
    s7p_subscription_options o;
    s7p_subscription_options_init(&o);
    o.queue_size = queue_size;
    s7p_subscription *s = s7p_sub_alloc(fx->c, &o, NULL, NULL);
    assert_non_null(s);
    s->alarms = true;
    s->next = fx->c->subs;
    if (fx->c->subs) fx->c->subs->prev = s;
    fx->c->subs = s;
    return s;
}

/* Held back while a snapshot is read, with a queue smaller than the first growth step (16):
 * the first notification held crashed (the oldest of none was dropped). Now the queue's size
 * bounds what is held, the oldest going first. */
static void test_hold_small_queue(void **state)
{
    fixture *fx = *state;
    pthread_mutex_lock(&fx->c->lock);
    s7p_subscription *s = alarm_sub(fx, 3);
    s->holding = true;
    for (uint32_t i = 0; i < 5; i++) {
        s7p_sub_notification *n = s7p_sub_event_new(S7P_SUB_DATA);
        assert_non_null(n);
        n->sequence = i;
        s7p_sub_alarms_take(s, n);
    }
    assert_int_equal(s->n_held, 3);
    assert_int_equal(s->dropped, 2);
    assert_int_equal(s->held[0]->sequence, 2);
    assert_int_equal(s->held[2]->sequence, 4);
    pthread_mutex_unlock(&fx->c->lock);
}

/* A larger queue that is no power of two: the held notifications grow up to exactly it. */
static void test_hold_up_to_queue_size(void **state)
{
    fixture *fx = *state;
    pthread_mutex_lock(&fx->c->lock);
    s7p_subscription *s = alarm_sub(fx, 20);
    s->holding = true;
    for (uint32_t i = 0; i < 25; i++) s7p_sub_alarms_take(s, s7p_sub_event_new(S7P_SUB_DATA));
    assert_int_equal(s->n_held, 20);
    assert_int_equal(s->dropped, 5);
    pthread_mutex_unlock(&fx->c->lock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hold_small_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_up_to_queue_size, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Alarm subscriptions against the simulator with examples/plc/plant.alarms: raise,
 * acknowledge and clear while subscribed arrive as records with their texts in the
 * subscribed language; an alarm raised exactly between the subscribe and the snapshot is
 * reported exactly once, whether it came before the snapshot's Explore was answered (it is
 * in the snapshot: its notification is dropped) or while the answer was on its way (it is
 * not: its notification is delivered); a PLC restart re-creates the subscription and a fresh
 * snapshot reports what changed in the gap; unsubscribe frees everything and gives the
 * PLC's subscription slot back (PlcSubscriptionsFree). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

#define PLANT_ALARMS S7P_EXAMPLES_PLC "/plant.alarms"
#define FC_EXPLORE 0x04BBu
#define FC_CREATE_OBJECT 0x04CAu
#define ALARM_SUBSYSTEM 8u
#define SESSION_CONTAINER 285u
#define QUIET_MS 400u

static s7p_sim *start_sim(uint16_t port)
{
    s7p_sim_config cfg;
    st_sim_config(&cfg, port, S7P_EXAMPLES_PLC);
    cfg.alarms_file = PLANT_ALARMS;
    return st_sim_start(&cfg);
}

static void control(s7p_sim *sim, const char *line)
{
    char out[512];
    if (!s7p_sim_control(sim, line, out, sizeof out)) fail_msg("%s: %s", line, out);
}

/* The alarm number of a record (low half of the TIA alarm number the simulator sends). */
static uint32_t number_of(const s7p_alarm *a) { return a->hmi_alarm_id; }

/* The next DATA notification of a pull subscription within ms (events fail the test unless
 * allowed). */
static s7p_sub_notification *next_data(s7p_subscription *s, uint32_t ms)
{
    s7p_sub_notification *n = NULL;
    s7p_error e;
    s7p_status st = s7p_subscription_next(s, &n, ms, &e);
    if (st != S7P_OK) fail_msg("no notification within %u ms: %s", ms, e.message);
    if (n->event != S7P_SUB_DATA) fail_msg("event %d instead of data", (int)n->event);
    return n;
}

static void expect_quiet(s7p_subscription *s, uint32_t ms)
{
    s7p_sub_notification *n = NULL;
    s7p_error e;
    s7p_status st = s7p_subscription_next(s, &n, ms, &e);
    if (st == S7P_OK) {
        fail_msg("unexpected notification: event %d, %zu alarms (first %u)", (int)n->event,
                 n->alarm_count, n->alarm_count ? number_of(&n->alarms[0]) : 0);
    }
    assert_int_equal(st, S7P_E_TIMEOUT);
}

/* The one record of a DATA notification: alarm `number` in `state`. */
static s7p_sub_notification *expect_record(s7p_subscription *s, uint32_t number,
                                           s7p_alarm_state state)
{
    s7p_sub_notification *n = next_data(s, 5000);
    assert_int_equal(n->alarm_count, 1);
    assert_int_equal(number_of(&n->alarms[0]), number);
    assert_int_equal(n->alarms[0].state, state);
    return n;
}

static const s7p_alarm *in_list(const s7p_alarm_list *l, uint32_t number)
{
    for (size_t i = 0; i < l->count; i++)
        if (number_of(&l->items[i]) == number) return &l->items[i];
    return NULL;
}

/* ---- changes while subscribed ---- */

static void test_changes_in_language(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0);
    s7p_client *c = st_client_of(sim, false);
    static const uint32_t german[] = {1031};
    s7p_subscription *sub;
    s7p_error e;
    assert_int_equal(s7p_subscribe_alarms(c, german, 1, NULL, NULL, NULL, &sub, &e), S7P_OK);
    assert_int_equal(s7p_sim_subscriptions(sim), 1);
    expect_quiet(sub, QUIET_MS);

    control(sim, "alarm raise 1 4 50.5");
    s7p_sub_notification *n = expect_record(sub, 1, S7P_ALARM_COMING);
    const s7p_alarm *a = &n->alarms[0];
    assert_int_equal(n->sequence, 1);
    assert_int_equal(n->missed, 0);
    assert_true(n->has_timestamp);
    assert_int_equal(a->lcid, 1031);
    assert_string_equal(a->text, "Behälter 4 läuft über: Füllstand 50.5 %");
    assert_string_equal(a->additional_texts[0], "Bereich B");
    assert_false(a->acknowledged);
    assert_int_equal(a->priority, 9);
    assert_int_equal(a->nvalues, 2);
    assert_int_equal(a->values[0].v.i, 4);
    uint32_t seq = a->sequence_counter;
    s7p_sub_notification_free(n);

    control(sim, "alarm ack 1");
    n = expect_record(sub, 1, S7P_ALARM_COMING);
    assert_true(n->alarms[0].acknowledged);
    assert_true(n->alarms[0].sequence_counter > seq);
    assert_int_equal(n->sequence, 2);
    s7p_sub_notification_free(n);

    control(sim, "alarm clear 1");
    n = expect_record(sub, 1, S7P_ALARM_GOING);
    assert_true(n->alarms[0].going_ns > 0);
    assert_string_equal(n->alarms[0].text, "Behälter 4 läuft über: Füllstand 50.5 %");
    s7p_sub_notification_free(n);

    control(sim, "alarm raise 2");
    n = expect_record(sub, 2, S7P_ALARM_COMING);
    assert_string_equal(n->alarms[0].text,
                        "Motor M-101: Temperatur  85 °C (Status 16#A5, Sollwert 12.50)");
    assert_int_equal(n->alarms[0].message_type, S7P_ALARM_MSG_NOTIFY);
    assert_int_equal(n->sequence, 4);
    s7p_sub_notification_free(n);

    /* Tag calls do not apply; reads go on beside it. */
    assert_int_equal(s7p_subscription_set_cycle(sub, 100, &e), S7P_E_INVALID_ARG);
    s7p_alarm_list *l = NULL;
    assert_int_equal(s7p_get_active_alarms(c, 1033, &l, &e), S7P_OK);
    assert_non_null(in_list(l, 2));
    s7p_alarm_list_free(l);
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    assert_int_equal(s7p_sim_subscriptions(sim), 0);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- exactly once between subscribe and snapshot ---- */

typedef struct window {
    s7p_sim *sim;
    bool delayed;              /* raise while the answer is delayed (else: before it) */
    bool fired;
    pthread_t raiser;
} window;

static void *raise_later(void *arg)
{
    window *w = arg;
    st_sleep_ms(150);          /* the answer is computed and waits in the delay fault */
    assert_true(s7p_sim_alarm_raise(w->sim, 40, "Raised while the snapshot travels"));
    return NULL;
}

/* On the snapshot's Explore of the alarm subsystem (the subscription exists by then). */
static void on_explore(void *ctx, s7p_sim *sim, uint16_t function, uint32_t object_id)
{
    window *w = ctx;
    if (function != FC_EXPLORE || object_id != ALARM_SUBSYSTEM || w->fired) return;
    w->fired = true;
    if (!w->delayed) {
        assert_true(s7p_sim_alarm_raise(sim, 3, NULL));
        return;
    }
    s7p_sim_fault f = {.kind = S7P_SIM_FAULT_DELAY, .function = FC_EXPLORE, .nth = 1,
                       .delay_ms = 500};
    s7p_sim_set_fault(sim, &f);
    assert_int_equal(pthread_create(&w->raiser, NULL, raise_later, w), 0);
}

/* Counts the records of alarm `number` delivered within QUIET_MS (and in `more`). */
static unsigned count_records(s7p_subscription *s, uint32_t number)
{
    unsigned k = 0;
    for (;;) {
        s7p_sub_notification *n = NULL;
        if (s7p_subscription_next(s, &n, QUIET_MS, NULL) != S7P_OK) return k;
        for (size_t i = 0; i < n->alarm_count; i++) k += number_of(&n->alarms[i]) == number;
        s7p_sub_notification_free(n);
    }
}

static void run_window(bool delayed)
{
    s7p_sim *sim = start_sim(0);
    s7p_client *c = st_client_of(sim, false);
    control(sim, "alarm raise 1 7 99.5");  /* active before: in the snapshot only */
    window w = {.sim = sim, .delayed = delayed};
    s7p_sim_set_request_hook(sim, FC_EXPLORE, on_explore, &w);
    unsigned long sent = s7p_sim_notifications(sim);
    static const uint32_t english[] = {1033};
    s7p_alarm_list *snap = NULL;
    s7p_subscription *sub = NULL;
    s7p_error e;
    s7p_status st = s7p_subscribe_alarms_with_snapshot(c, NULL, english, 1, NULL, NULL, NULL,
                                                       &snap, &sub, &e);
    if (st != S7P_OK) fail_msg("with snapshot: %s", e.message);
    if (delayed) pthread_join(w.raiser, NULL);
    s7p_sim_set_request_hook(sim, 0, NULL, NULL);
    s7p_sim_clear_fault(sim);
    assert_true(w.fired);
    uint32_t number = delayed ? 40 : 3;
    assert_non_null(in_list(snap, 1));
    /* Before the answer: in the snapshot; while it travels: not. */
    assert_true((in_list(snap, number) != NULL) == !delayed);
    assert_int_equal(snap->count, delayed ? 1 : 2);
    /* The PLC did notify the subscription of it... */
    unsigned n = count_records(sub, number);
    assert_true(s7p_sim_notifications(sim) > sent);
    /* ...and the caller hears of it exactly once: snapshot + notifications. */
    assert_int_equal(n + (in_list(snap, number) != NULL), 1);
    assert_int_equal(count_records(sub, 1), 0);
    /* Later changes of it come through. */
    char cmd[32];
    snprintf(cmd, sizeof cmd, "alarm clear %u", (unsigned)number);
    control(sim, cmd);
    s7p_sub_notification_free(expect_record(sub, number, S7P_ALARM_GOING));
    s7p_alarm_list_free(snap);
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    st_client_close(c);
    s7p_sim_stop(sim);
}

static void test_raised_before_snapshot_once(void **state)
{
    (void)state;
    run_window(false);
}

static void test_raised_while_snapshot_travels_once(void **state)
{
    (void)state;
    run_window(true);
}

/* ---- a PLC restart in the middle ---- */

/* On the new PLC, before the client's session exists: alarm 2 comes again (a new sequence
 * counter), alarm 3 is new, alarm 1 (active before) is gone. */
static void on_new_session(void *ctx, s7p_sim *sim, uint16_t function, uint32_t object_id)
{
    bool *fired = ctx;
    if (function != FC_CREATE_OBJECT || object_id != SESSION_CONTAINER || *fired) return;
    *fired = true;
    assert_true(s7p_sim_alarm_raise(sim, 2, NULL));
    assert_true(s7p_sim_alarm_raise(sim, 3, NULL));
}

static s7p_sub_notification *next_event(s7p_subscription *s)
{
    s7p_sub_notification *n = NULL;
    s7p_error e;
    if (s7p_subscription_next(s, &n, 5000, &e) != S7P_OK) fail_msg("no event: %s", e.message);
    return n;
}

static void test_reconnect_resyncs(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0);
    uint16_t port = s7p_sim_port(sim);
    s7p_client *c = st_client_reconnecting(port, 1000);
    control(sim, "alarm raise 1");
    control(sim, "alarm raise 2");
    s7p_alarm_list *snap = NULL;
    s7p_subscription *sub = NULL;
    s7p_error e;
    assert_int_equal(s7p_subscribe_alarms_with_snapshot(c, NULL, NULL, 0, NULL, NULL, NULL,
                                                        &snap, &sub, &e), S7P_OK);
    assert_int_equal(snap->count, 2);
    uint64_t id1 = in_list(snap, 1)->id;
    s7p_alarm_list_free(snap);
    s7p_sim_stop(sim);
    s7p_sub_notification *n = next_event(sub);
    assert_int_equal(n->event, S7P_SUB_LOST);
    s7p_sub_notification_free(n);
    bool fired = false;
    sim = start_sim(port);
    s7p_sim_set_request_hook(sim, FC_CREATE_OBJECT, on_new_session, &fired);
    n = next_event(sub);
    assert_int_equal(n->event, S7P_SUB_RECREATED);
    s7p_sub_notification_free(n);
    n = next_event(sub);
    assert_int_equal(n->event, S7P_SUB_RESYNC);
    assert_true(fired);
    assert_int_equal(n->alarm_count, 2);  /* 2 changed (its counter), 3 new */
    assert_non_null(n->alarm_count == 2 ? &n->alarms[0] : NULL);
    bool two = false, three = false;
    for (size_t i = 0; i < n->alarm_count; i++) {
        two |= number_of(&n->alarms[i]) == 2;
        three |= number_of(&n->alarms[i]) == 3;
        assert_int_equal(n->alarms[i].state, S7P_ALARM_COMING);
    }
    assert_true(two && three);
    assert_int_equal(n->gone_count, 1);
    assert_int_equal(n->gone_ids[0], id1);
    s7p_sub_notification_free(n);
    s7p_sim_set_request_hook(sim, 0, NULL, NULL);
    /* Live again, and nothing twice. */
    expect_quiet(sub, QUIET_MS);
    control(sim, "alarm clear 3");
    s7p_sub_notification_free(expect_record(sub, 3, S7P_ALARM_GOING));
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    assert_int_equal(s7p_sim_subscriptions(sim), 0);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- unsubscribe frees everything; the PLC's slot ---- */

static int32_t free_slots(s7p_client *c)
{
    s7p_comm_resources r;
    s7p_error e;
    if (s7p_get_communication_resources(c, &r, &e) != S7P_OK) fail_msg("resources: %s", e.message);
    assert_true(r.reported & S7P_RES_SUBSCRIPTIONS_FREE);
    return r.subscriptions_free;
}

typedef struct counter {
    unsigned data, alarms;
} counter;

static void on_alarm(void *ctx, s7p_subscription *sub, const s7p_sub_notification *n)
{
    (void)sub;
    counter *k = ctx;
    if (n->event != S7P_SUB_DATA) return;
    k->data++;
    k->alarms += (unsigned)n->alarm_count;
}

static void test_unsubscribe_frees_slot(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0);
    s7p_client *c = st_client_of(sim, false);
    int32_t before = free_slots(c);
    s7p_subscription *pull, *cb;
    counter k = {0};
    s7p_error e;
    assert_int_equal(s7p_subscribe_alarms(c, NULL, 0, NULL, NULL, NULL, &pull, &e), S7P_OK);
    assert_int_equal(free_slots(c), before - 1);
    assert_int_equal(s7p_subscribe_alarms(c, NULL, 0, NULL, on_alarm, &k, &cb, &e), S7P_OK);
    assert_int_equal(free_slots(c), before - 2);
    control(sim, "alarm raise 1");
    control(sim, "alarm raise 2");  /* the pull queue keeps both, nobody takes them */
    for (int i = 0; i < 50 && k.alarms < 2; i++) (void)free_slots(c);  /* drives the client */
    assert_int_equal(k.alarms, 2);
    assert_int_equal(s7p_unsubscribe(cb, &e), S7P_OK);
    assert_int_equal(free_slots(c), before - 1);
    assert_int_equal(s7p_unsubscribe(pull, &e), S7P_OK);
    assert_int_equal(free_slots(c), before);
    assert_int_equal(s7p_sim_subscriptions(sim), 0);
    /* One left alive goes with the client. */
    s7p_subscription *left;
    assert_int_equal(s7p_subscribe_alarms(c, NULL, 0, NULL, NULL, NULL, &left, &e), S7P_OK);
    control(sim, "alarm clear 2");
    st_sleep_ms(50);
    st_client_close(c);
    s7p_sim_stop(sim);
}

static void test_arguments(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0);
    s7p_client *c = st_client_of(sim, false);
    s7p_subscription *sub = NULL;
    s7p_alarm_list *snap = NULL;
    s7p_error e;
    static const uint32_t bad[] = {1033, 70000};
    assert_int_equal(s7p_subscribe_alarms(c, bad, 2, NULL, NULL, NULL, &sub, &e),
                     S7P_E_INVALID_ARG);
    uint32_t many[S7P_ALARM_MAX_LANGUAGES + 1];
    for (size_t i = 0; i < sizeof many / sizeof many[0]; i++) many[i] = 1033;
    assert_int_equal(s7p_subscribe_alarms(c, many, S7P_ALARM_MAX_LANGUAGES + 1, NULL, NULL, NULL,
                                          &sub, &e), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_subscribe_alarms_with_snapshot(c, c, NULL, 0, NULL, NULL, NULL, &snap,
                                                        &sub, &e), S7P_E_INVALID_ARG);
    assert_null(sub);
    assert_int_equal(s7p_sim_subscriptions(sim), 0);
    /* A caller's second client for the snapshot. */
    s7p_client *second = st_client_of(sim, false);
    control(sim, "alarm raise 2");
    assert_int_equal(s7p_subscribe_alarms_with_snapshot(c, second, NULL, 0, NULL, NULL, NULL,
                                                        &snap, &sub, &e), S7P_OK);
    assert_int_equal(snap->count, 1);
    s7p_alarm_list_free(snap);
    assert_int_equal(s7p_unsubscribe(sub, &e), S7P_OK);
    st_client_close(second);
    st_client_close(c);
    s7p_sim_stop(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changes_in_language),
        cmocka_unit_test(test_raised_before_snapshot_once),
        cmocka_unit_test(test_raised_while_snapshot_travels_once),
        cmocka_unit_test(test_reconnect_resyncs),
        cmocka_unit_test(test_unsubscribe_frees_slot),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

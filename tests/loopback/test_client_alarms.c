/* SPDX-License-Identifier: MIT */
/* Active alarms against the simulator with examples/plc/plant.alarms: two alarms raised with
 * associated values read in English and German with the values formatted into the texts,
 * acknowledged and cleared; a going alarm that waits for its acknowledgement; the
 * asynchronous form; a refused Explore. */
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

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static s7p_sim *start_sim(void)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.program_dir = S7P_EXAMPLES_PLC;
    cfg.alarms_file = PLANT_ALARMS;
    return st_sim_start(&cfg);
}

static s7p_alarm_list *active(s7p_client *c, uint32_t lcid)
{
    s7p_alarm_list *l = NULL;
    s7p_error err;
    s7p_status st = s7p_get_active_alarms(c, lcid, &l, &err);
    if (st != S7P_OK) fprintf(stderr, "alarms: %s\n", err.message);
    assert_int_equal(st, S7P_OK);
    assert_non_null(l);
    return l;
}

static const s7p_alarm *by_number(const s7p_alarm_list *l, uint32_t n)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].hmi_alarm_id == n) return &l->items[i];
    return NULL;
}

static void raise_values(s7p_sim *sim, uint32_t id, const char *const *v, size_t n)
{
    char why[256] = "";
    bool ok = s7p_sim_alarm_raise_values(sim, id, v, n, why, sizeof why);
    if (!ok) fprintf(stderr, "raise %u: %s\n", (unsigned)id, why);
    assert_true(ok);
}

static void test_two_alarms_two_languages(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim();
    s7p_client *c = st_client_of(sim, false);
    s7p_alarm_list *l = active(c, 1033);
    assert_int_equal(l->count, 0);
    s7p_alarm_list_free(l);

    int64_t t0 = wall_ns();
    static const char *const v1[] = {"3", "12.25"};
    raise_values(sim, 1, v1, 2);
    raise_values(sim, 2, NULL, 0);  /* the definition's values, SD_4 from the tag Setpoint */
    int64_t t1 = wall_ns();

    l = active(c, 1033);
    assert_int_equal(l->count, 2);
    const s7p_alarm *a1 = by_number(l, 1), *a2 = by_number(l, 2);
    assert_non_null(a1);
    assert_non_null(a2);
    assert_string_equal(a1->text, "Tank 3 overflows: level 12.2 %");  /* %.1f of 12.25 */
    assert_string_equal(a1->info_text, "Close the inlet valve of tank 3.\nThen check the level sensor.");
    assert_string_equal(a1->additional_texts[0], "Area B");
    assert_string_equal(a1->name, "Tank_Overflow");
    assert_int_equal(a1->id, 0x8A0E000100010000ull);
    assert_int_equal(a1->state, S7P_ALARM_COMING);
    assert_false(a1->acknowledged);
    assert_true(a1->coming_ns >= t0 && a1->coming_ns <= t1);
    assert_int_equal(a1->going_ns, 0);
    assert_int_equal(a1->priority, 9);
    assert_int_equal(a1->alarm_class, 2);
    assert_int_equal(a1->domain, 256);
    assert_int_equal(a1->message_type, S7P_ALARM_MSG_ALARM);
    assert_int_equal(a1->nvalues, 2);
    assert_int_equal(a1->values[0].type, S7P_T_INT);
    assert_int_equal(a1->values[0].v.i, 3);
    assert_true(a1->values[1].v.r == 12.25f);
    assert_string_equal(a2->text, "Motor M-101: temperature  85 °C (status 16#A5, setpoint 12.50)");
    assert_int_equal(a2->message_type, S7P_ALARM_MSG_NOTIFY);
    assert_int_equal(a2->values[0].type, S7P_T_STRING);
    assert_string_equal(a2->values[0].v.str.p, "M-101");
    assert_true(a2->sequence_counter > a1->sequence_counter);
    s7p_alarm_list_free(l);

    l = active(c, 1031);
    a1 = by_number(l, 1);
    a2 = by_number(l, 2);
    assert_string_equal(a1->text, "Behälter 3 läuft über: Füllstand 12.2 %");
    assert_string_equal(a1->additional_texts[0], "Bereich B");
    assert_string_equal(a2->text, "Motor M-101: Temperatur  85 °C (Status 16#A5, Sollwert 12.50)");
    assert_int_equal(a1->lcid, 1031);
    s7p_alarm_list_free(l);

    /* Acknowledge one, clear the other (it needs no acknowledgement: it is gone). */
    assert_true(s7p_sim_alarm_ack(sim, 1));
    assert_false(s7p_sim_alarm_ack(sim, 2));
    assert_true(s7p_sim_alarm_clear(sim, 2));
    l = active(c, 1033);
    assert_int_equal(l->count, 1);
    a1 = by_number(l, 1);
    assert_true(a1->acknowledged);
    assert_true(a1->ack_ns >= a1->coming_ns);
    assert_int_equal(a1->state, S7P_ALARM_COMING);
    s7p_alarm_list_free(l);
    /* Acknowledged and gone: no longer active. */
    assert_true(s7p_sim_alarm_clear(sim, 1));
    l = active(c, 1033);
    assert_int_equal(l->count, 0);
    s7p_alarm_list_free(l);
    assert_int_equal(s7p_sim_alarm_changes(sim), 5);
    st_client_close(c);
    s7p_sim_stop(sim);
}

static void test_going_waits_for_ack(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim();
    s7p_client *c = st_client_of(sim, false);
    raise_values(sim, 1, NULL, 0);
    assert_true(s7p_sim_alarm_clear(sim, 1));
    s7p_alarm_list *l = active(c, 0);
    assert_int_equal(l->count, 1);
    const s7p_alarm *a = &l->items[0];
    assert_int_equal(a->state, S7P_ALARM_GOING);
    assert_false(a->acknowledged);
    assert_true(a->going_ns > 0);
    assert_int_equal(a->coming_ns, 0);   /* a going DAI carries only its going time */
    assert_int_equal(a->lcid, 1031);     /* 0: the lowest language sent */
    assert_string_equal(a->text, "Behälter 7 läuft über: Füllstand 98.5 %");
    s7p_alarm_list_free(l);
    assert_true(s7p_sim_alarm_ack(sim, 1));
    l = active(c, 1033);
    assert_int_equal(l->count, 0);
    s7p_alarm_list_free(l);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* An alarm without definition, raised by number with a text, as the control channel does. */
static void test_adhoc_alarm(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim();
    s7p_client *c = st_client_of(sim, false);
    char reply[512];
    assert_true(s7p_sim_control(sim, "alarm raise 40 Door @1%d@ open", reply, sizeof reply));
    assert_false(s7p_sim_control(sim, "alarm raise 1 x", reply, sizeof reply));
    assert_non_null(strstr(reply, "error: associated value \"x\""));
    assert_false(s7p_sim_control(sim, "alarm raise 3 5", reply, sizeof reply));
    assert_string_equal(reply, "error: alarm 3 has no associated value 1");
    assert_true(s7p_sim_control(sim, "alarm raise 1 5 \"7.5\"", reply, sizeof reply));
    assert_false(s7p_sim_control(sim, "alarm raise 1", reply, sizeof reply));
    assert_string_equal(reply, "error: alarm 1 is raised already");
    s7p_alarm_list *l = active(c, 1033);
    assert_int_equal(l->count, 2);
    assert_string_equal(by_number(l, 40)->text, "Door @1%d@ open");   /* no value 1 */
    assert_string_equal(by_number(l, 1)->text, "Tank 5 overflows: level 7.5 %");
    s7p_alarm_list_free(l);
    assert_true(s7p_sim_control(sim, "alarm ack 1", reply, sizeof reply));
    assert_true(s7p_sim_control(sim, "alarm clear 40", reply, sizeof reply));
    assert_true(s7p_sim_control(sim, "alarms", reply, sizeof reply));
    assert_string_equal(reply, "ok 1: 1 coming,acked \"Tank @1%d@ overflows: level @2%.1f@ %\"");
    st_client_close(c);
    s7p_sim_stop(sim);
}

typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    s7p_status st;
} waiter;

static void on_done(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err)
{
    (void)id;
    (void)err;
    waiter *w = ctx;
    pthread_mutex_lock(&w->mu);
    w->done = true;
    w->st = st;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void test_async_and_refused(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim();
    s7p_client *c = st_client_of(sim, false);
    raise_values(sim, 3, NULL, 0);
    assert_int_equal(s7p_client_start_io_thread(c), S7P_OK);
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, S7P_OK};
    s7p_alarm_list *l = NULL;
    s7p_request_id id = 0;
    assert_int_equal(s7p_get_active_alarms_async(c, 1033, &l, on_done, &w, &id), S7P_OK);
    assert_true(id != 0);
    pthread_mutex_lock(&w.mu);
    while (!w.done) pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    assert_int_equal(w.st, S7P_OK);
    assert_int_equal(l->count, 1);
    assert_string_equal(l->items[0].text, "Shift change");
    assert_int_equal(l->items[0].message_type, S7P_ALARM_MSG_INFO_REPORT);
    s7p_alarm_list_free(l);

    s7p_sim_fault f = {.kind = S7P_SIM_FAULT_PLC_ERROR, .function = 0x04BB, .plc_code = -104};
    s7p_sim_set_fault(sim, &f);
    s7p_error err;
    l = (s7p_alarm_list *)1;
    assert_int_equal(s7p_get_active_alarms(c, 1033, &l, &err), S7P_E_PLC);
    assert_null(l);
    assert_int_equal(err.plc_code, -104);
    s7p_sim_clear_fault(sim);
    assert_int_equal(s7p_get_active_alarms(c, 70000, &l, &err), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_get_active_alarms(NULL, 1033, &l, &err), S7P_E_INVALID_ARG);
    st_client_close(c);
    s7p_sim_stop(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_alarms_two_languages),
        cmocka_unit_test(test_going_waits_for_ack),
        cmocka_unit_test(test_adhoc_alarm),
        cmocka_unit_test(test_async_and_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

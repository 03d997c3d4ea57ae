/* SPDX-License-Identifier: MIT */
/* Notifications nobody registered for (opcode 0x33, as a PLC pushes them for subscriptions
 * between its answers) never reach a caller as an answer: the simulator sends three of them
 * before every answer in the session, from the connect sequence on, and every call still
 * gets its own, right answer: symbol lookups, a write and a read split into three requests
 * each, CPU information. Each notification is logged (DEBUG) and dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

#define FC_EXPLORE 0x04BB
#define FC_GET_MULTI 0x054C
#define FC_SET_MULTI 0x0542
#define FC_GET_VAR_SUB_STREAMED 0x0586
#define N 9
#define PER_ANSWER 3u

static const char PROGRAM[] =
    "DATA_BLOCK \"Notes\"\n"
    "{ S7_Optimized_Access := 'TRUE' }\n"
    "VERSION : 0.1\n"
    "   VAR\n"
    "      w : Array[1..9] of Int := [1, 2, 3, 4, 5, 6, 7, 8, 9];\n"
    "   END_VAR\n"
    "BEGIN\n"
    "END_DATA_BLOCK\n";

typedef struct fixture {
    char dir[64];
    s7p_sim *sim;
    unsigned long logged;         /* DEBUG lines that mention a notification */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    /* 3 tags per request: nine items take three requests, three answers */
    fx->sim = st_sim_start_source(fx->dir, sizeof fx->dir, "notify", "Notes.db", PROGRAM, 3);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    st_sim_stop_source(fx->sim, fx->dir);
    free(fx);
    return 0;
}

static void on_log(void *ctx, s7p_log_level level, const char *layer, const char *msg)
{
    (void)layer;
    fixture *fx = ctx;
    if (level == S7P_LOG_DEBUG && strstr(msg, "recv") && strstr(msg, "notification"))
        fx->logged++;
}

/* Session requests answered so far (each answer got PER_ANSWER notifications). */
static unsigned long answered(const fixture *fx)
{
    static const uint16_t fns[] = {FC_EXPLORE, FC_GET_MULTI, FC_SET_MULTI, FC_GET_VAR_SUB_STREAMED};
    unsigned long n = 0;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) n += s7p_sim_requests(fx->sim, fns[i]);
    return n;
}

static void test_answers_right_between_notifications(void **state)
{
    fixture *fx = *state;
    s7p_sim_notify nf = {PER_ANSWER, 0, 0};
    s7p_sim_set_notify(fx->sim, &nf);

    s7p_client_options o;
    s7p_error err;
    st_client_options(&o, s7p_sim_port(fx->sim));
    o.allow_write = true;
    o.log = on_log;
    o.log_ctx = fx;
    o.log_level = S7P_LOG_DEBUG;
    s7p_client *c = st_client_connect(&o);
    assert_true(s7p_sim_notifications(fx->sim) >= PER_ANSWER);  /* the connect saw some */

    s7p_tag t[N];
    for (int i = 0; i < N; i++) {
        char sym[48];
        snprintf(sym, sizeof sym, "\"Notes\".w[%d]", i + 1);
        if (s7p_tag_by_symbol(c, sym, &t[i], &err) != S7P_OK) fail_msg("%s: %s", sym, err.message);
    }
    s7p_tag_value w[N], v[N];
    s7p_item_result r[N];
    memset(w, 0, sizeof w);
    for (int i = 0; i < N; i++) {
        w[i].type = S7P_T_INT;
        w[i].v.i = 1000 + 7 * i;
    }
    unsigned long sets = s7p_sim_requests(fx->sim, FC_SET_MULTI);
    if (s7p_write(c, t, N, w, r, &err) != S7P_OK) fail_msg("write: %s", err.message);
    assert_int_equal(s7p_sim_requests(fx->sim, FC_SET_MULTI) - sets, 3);
    for (int i = 0; i < N; i++) assert_int_equal(r[i].code, S7P_OK);
    memset(v, 0, sizeof v);
    if (s7p_read(c, t, N, v, r, &err) != S7P_OK) fail_msg("read: %s", err.message);
    for (int i = 0; i < N; i++) {
        assert_int_equal(r[i].code, S7P_OK);
        assert_int_equal(v[i].type, S7P_T_INT);
        assert_int_equal(v[i].v.i, 1000 + 7 * i);
        s7p_tag_value_clear(&v[i]);
    }
    s7p_cpu_info info;
    if (s7p_get_cpu_info(c, &info, &err) != S7P_OK) fail_msg("info: %s", err.message);
    assert_string_equal(info.plc_name, "PLC_1");
    assert_string_equal(info.order_number, "6ES7 516-3AN02-0AB0");
    assert_true(s7p_is_connected(c));

    /* Every answer in the session had its notifications, and each was logged. */
    unsigned long sent = s7p_sim_notifications(fx->sim);
    assert_int_equal(sent, PER_ANSWER * answered(fx));
    assert_true(sent >= PER_ANSWER * (N + 6 + 4));  /* lookups, 3 + 3 requests, info */
    assert_true(fx->logged >= sent);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    s7p_sim_set_notify(fx->sim, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_answers_right_between_notifications, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

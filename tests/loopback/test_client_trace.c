/* SPDX-License-Identifier: MIT */
/* What the client tells through its log and its fixed-size strings, against the simulator:
 * - at DEBUG, one line per PDU sent and received (layer "pdu": direction, function, opcode,
 *   sequence number, size), each request answered by a response of the same function and
 *   sequence number; nothing of it below DEBUG;
 * - names longer than their array are cut on a UTF-8 character boundary. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

#define MAX_LINES 256

typedef struct lines {
    char text[MAX_LINES][160];
    char layer[MAX_LINES][16];
    s7p_log_level level[MAX_LINES];
    int n;
} lines;

static void collect(void *ctx, s7p_log_level level, const char *layer, const char *msg)
{
    lines *l = ctx;
    if (l->n == MAX_LINES) return;
    snprintf(l->text[l->n], sizeof l->text[0], "%s", msg);
    snprintf(l->layer[l->n], sizeof l->layer[0], "%s", layer);
    l->level[l->n++] = level;
}

typedef struct pdu_line {
    char dir[8], function[32], kind[16];
    unsigned seq;
    size_t size;
} pdu_line;

static bool parse(const char *text, pdu_line *p)
{
    int used = 0;
    return sscanf(text, "%7s %31s %15s seq=%u size=%zu%n", p->dir, p->function, p->kind, &p->seq,
                  &p->size, &used) == 5 && used > 0;
}

static s7p_sim *start_sim(const char *plc_name)
{
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    if (plc_name) c.plc_name = plc_name;
    return st_sim_start(&c);
}

static void run_connect_info(s7p_sim *sim, s7p_log_level level, lines *l, s7p_cpu_info *info)
{
    s7p_client_options o;
    s7p_client *c;
    s7p_error err;
    st_client_options(&o, s7p_sim_port(sim));
    o.log = collect;
    o.log_ctx = l;
    o.log_level = level;
    c = st_client_connect(&o);
    assert_int_equal(s7p_get_cpu_info(c, info, &err), S7P_OK);
    assert_int_equal(s7p_disconnect(c, &err), S7P_OK);
    s7p_client_free(c);
}

/* Finds the line of this direction, function and sequence number; -1 if none. */
static int find(const lines *l, const char *dir, const char *function, unsigned seq)
{
    for (int i = 0; i < l->n; i++) {
        pdu_line p;
        if (strcmp(l->layer[i], "pdu") == 0 && parse(l->text[i], &p) &&
            strcmp(p.dir, dir) == 0 && strcmp(p.function, function) == 0 && p.seq == seq)
            return i;
    }
    return -1;
}

static void test_debug_trace_of_every_pdu(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(NULL);
    lines *l = calloc(1, sizeof *l);
    s7p_cpu_info info;
    run_connect_info(sim, S7P_LOG_DEBUG, l, &info);
    int pdus = 0, sends = 0;
    for (int i = 0; i < l->n; i++) {
        if (strcmp(l->layer[i], "pdu") != 0) continue;
        pdu_line p;
        print_message("  %s\n", l->text[i]);
        if (!parse(l->text[i], &p)) fail_msg("not a PDU trace line: \"%s\"", l->text[i]);
        assert_int_equal(l->level[i], S7P_LOG_DEBUG);
        assert_true(p.size > 0);
        assert_true(strcmp(p.dir, "send") == 0 || strcmp(p.dir, "recv") == 0);
        pdus++;
        if (strcmp(p.dir, "send") != 0) continue;
        sends++;
        assert_string_equal(p.kind, "request");
        /* Each request's answer: same function, same sequence number, after it. */
        int r = find(l, "recv", p.function, p.seq);
        if (r <= i) fail_msg("no response line after \"%s\"", l->text[i]);
        assert_non_null(strstr(l->text[r], " response "));
    }
    /* The connect sequence in order, then the CPU information reads and the close. */
    static const char *const seq_fn[] = {"InitSsl", "CreateObject", "SetMultiVariables",
                                         "GetMultiVariables", "GetVarSubStreamed"};
    for (unsigned k = 0; k < 5; k++)
        if (find(l, "send", seq_fn[k], k + 1) < 0)
            fail_msg("no \"send %s request seq=%u\" line", seq_fn[k], k + 1);
    assert_true(find(l, "send", "DeleteObject", (unsigned)sends) >= 0);
    assert_true(sends >= 7);              /* connect (5) + info (at least 1) + close */
    assert_int_equal(pdus, 2 * sends);
    free(l);

    /* At INFO nothing of the trace arrives. */
    l = calloc(1, sizeof *l);
    run_connect_info(sim, S7P_LOG_INFO, l, &info);
    for (int i = 0; i < l->n; i++) {
        assert_string_not_equal(l->layer[i], "pdu");
        assert_true(l->level[i] <= S7P_LOG_INFO);
    }
    free(l);
    s7p_sim_stop(sim);
}

/* plc_name holds 127 bytes: a name of 126 ASCII letters and an 'é' (2 bytes) must lose the
 * whole 'é', not keep its first byte. */
static void test_names_cut_on_character_boundary(void **state)
{
    (void)state;
    char name[160];
    memset(name, 'a', 126);
    memcpy(name + 126, "\xC3\xA9xyz", 6);  /* é then more, NUL included */
    s7p_sim *sim = start_sim(name);
    lines *l = calloc(1, sizeof *l);
    s7p_cpu_info info;
    run_connect_info(sim, S7P_LOG_ERROR, l, &info);
    assert_int_equal(strlen(info.plc_name), 126);
    assert_memory_equal(info.plc_name, name, 126);
    free(l);
    s7p_sim_stop(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debug_trace_of_every_pdu),
        cmocka_unit_test(test_names_cut_on_character_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

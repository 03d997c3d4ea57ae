/* SPDX-License-Identifier: MIT */
/* A browse or lookup retried on the same connection after the PLC refused the read of the
 * DBs' type ids: the DB list taken again replaces the first one (it used to be appended,
 * listing every DB twice, and past 32 DBs writing beyond the list's allocation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "proto/ids.h"
#include "sim.h"

static bool count_item(void *ctx, const s7p_browse_item *item)
{
    (void)item;
    ++*(size_t *)ctx;
    return true;
}

static void test_browse_after_refused_type_ids(void **state)
{
    (void)state;
    s7p_sim_config cfg;
    char why[256];
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.program_dir = S7P_EXAMPLES_PLC;
    s7p_sim *sim = s7p_sim_start(&cfg, why, sizeof why);
    if (!sim) fail_msg("sim: %s", why);
    s7p_client_options o;
    s7p_client *c;
    s7p_error err;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = s7p_sim_port(sim);
    o.request_timeout_ms = 2000;
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_OK);
    assert_int_equal(s7p_connect(c, &err), S7P_OK);
    size_t want = 0;
    assert_int_equal(s7p_browse(c, count_item, &want, &err), S7P_OK);
    assert_true(want > 0);
    s7p_client_free(c);

    /* A fresh client: its first GetMultiVariables after the connect reads the type ids. */
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_OK);
    assert_int_equal(s7p_connect(c, &err), S7P_OK);
    s7p_sim_fault f = {S7P_SIM_FAULT_PLC_ERROR, S7P_FC_GET_MULTI_VARIABLES, 1, 0, -112};
    s7p_sim_set_fault(sim, &f);
    size_t n = 0;
    assert_int_equal(s7p_browse(c, count_item, &n, &err), S7P_E_PLC);
    assert_int_equal(s7p_sim_fault_hits(sim), 1);
    s7p_sim_clear_fault(sim);
    assert_true(s7p_is_connected(c));
    n = 0;
    if (s7p_browse(c, count_item, &n, &err) != S7P_OK) fail_msg("%s", err.message);
    assert_int_equal(n, want);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browse_after_refused_type_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

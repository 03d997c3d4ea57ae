/* SPDX-License-Identifier: MIT */
/* Security modes end to end against the in-process simulator: the loopback suite (connect,
 * CPU info, browse, read, write, legitimate, subscribe, disconnect) runs once per mode on a
 * TLS and on a legacy-only simulator, driven by the caller and by the I/O thread; AUTO picks TLS or legacy by what the simulator offers; TLS against
 * a legacy-only simulator fails typed, without fallback; a flipped bit and a replayed answer
 * in a legacy session fault it with S7P_E_INTEGRITY; fragmented answers signed in each
 * continuation form verify, a flipped bit in a state-resume continuation does not; the
 * legacy session key renewal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "proto/ids.h"
#include "simtest.h"
#include "tc.h"

#ifndef S7P_EXAMPLES_PLC
#error "S7P_EXAMPLES_PLC must name the examples/plc directory"
#endif

typedef struct mode_case {
    s7p_sim_security sim;
    s7p_security client;
    const char *expect;          /* s7p_cpu_info.security */
    unsigned legacy_family;      /* the simulator's test key: 0, or 3 (PLCSIM, P-256) */
} mode_case;

static const mode_case TLS_CASE = {S7P_SIM_SECURITY_TLS, S7P_SECURITY_TLS, "tls", 0};
static const mode_case LEGACY_CASE = {S7P_SIM_SECURITY_LEGACY, S7P_SECURITY_LEGACY_CHALLENGE,
                                      "legacy", 0};
static const mode_case PLCSIM_CASE = {S7P_SIM_SECURITY_LEGACY, S7P_SECURITY_LEGACY_CHALLENGE,
                                      "legacy", 3};

#define TEST_KEY_ID "00:BA35267CA865911B"
#define PLCSIM_TEST_KEY_ID "03:25E216899D5A17CA"

static s7p_legacy_key test_key;

static s7p_sim *start_sim_with(s7p_sim_security sec, s7p_sim_legacy_fragments frag,
                               unsigned legacy_family)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.program_dir = S7P_EXAMPLES_PLC;
    cfg.security = sec;
    cfg.legacy_fragments = frag;
    cfg.legacy_family = legacy_family;
    return st_sim_start(&cfg);
}

static s7p_sim *start_sim(s7p_sim_security sec)
{
    return start_sim_with(sec, S7P_SIM_FRAGMENTS_RESUME, 0);
}

static s7p_sim *start_sim_fragments(s7p_sim_security sec, s7p_sim_legacy_fragments frag)
{
    return start_sim_with(sec, frag, 0);
}

static s7p_sim *start_sim_family(s7p_sim_security sec, unsigned legacy_family)
{
    return start_sim_with(sec, S7P_SIM_FRAGMENTS_RESUME, legacy_family);
}

/* The client is told the simulator's test key of the family (no PLC has it). */
static void options_family(s7p_client_options *o, const s7p_sim *sim, s7p_security sec,
                           unsigned legacy_family)
{
    st_client_options(o, s7p_sim_port(sim));
    o->security = sec;
    o->request_timeout_ms = 10000;
    o->connect_timeout_ms = 10000;
    o->allow_write = true;
    if (legacy_family == 3) s7p_legacy_test_key_plcsim(&test_key);
    else s7p_legacy_test_key(&test_key);
    o->legacy_keys = &test_key;
    o->legacy_nkeys = 1;
    o->legacy_key_id = legacy_family == 3 ? PLCSIM_TEST_KEY_ID : TEST_KEY_ID;
}

static void options(s7p_client_options *o, const s7p_sim *sim, s7p_security sec)
{
    options_family(o, sim, sec, 0);
}

static s7p_client *connect_mode(const s7p_sim *sim, s7p_security sec)
{
    s7p_client_options o;
    options(&o, sim, sec);
    return st_client_connect(&o);
}

static void expect_security(s7p_client *c, const char *mode, const char *key)
{
    s7p_cpu_info info;
    s7p_error err;
    assert_int_equal(s7p_get_cpu_info(c, &info, &err), S7P_OK);
    assert_string_equal(info.security, mode);
    assert_string_equal(info.order_number, "6ES7 516-3AN02-0AB0");
    if (strcmp(mode, "legacy") == 0) {
        assert_string_equal(info.legacy_key, key);
        assert_string_equal(info.tls_cipher, "");
    } else {
        assert_true(info.tls_cipher[0] != '\0');
    }
}

static int16_t read_int(s7p_client *c, const s7p_tag *t)
{
    s7p_tag_value v;
    s7p_item_result r;
    s7p_error err;
    memset(&v, 0, sizeof v);
    if (s7p_read(c, t, 1, &v, &r, &err) != S7P_OK) fail_msg("read: %s", err.message);
    assert_int_equal(r.code, S7P_OK);
    return (int16_t)v.v.i;
}

/* ---- the loopback suite, once per mode and driver ---- */

#define SUITE_PW_FULL "Full-Pw-7x!"
#define SUITE_PW_WRONG "wrong-Pw-0"

/* A simulator of the mode at read access (protection level 2) with a full-access password:
 * browsing and reading work at once, writing only after the login. Its firmware takes the
 * login variant that works in the mode (legacy security: V2.9, whose login needs no TLS). */
static s7p_sim *start_suite_sim(const mode_case *m)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.program_dir = S7P_EXAMPLES_PLC;
    cfg.security = m->sim;
    cfg.protection_level = 2;
    cfg.passwords[0] = SUITE_PW_FULL;
    cfg.legacy_family = m->legacy_family;
    if (m->sim == S7P_SIM_SECURITY_LEGACY) cfg.firmware = "V2.9.0";
    return st_sim_start(&cfg);
}

static s7p_status write_int(s7p_client *c, const s7p_tag *t, int16_t value, s7p_item_result *r)
{
    s7p_tag_value w;
    s7p_error err;
    memset(&w, 0, sizeof w);
    w.type = S7P_T_INT;
    w.v.i = value;
    return s7p_write(c, t, 1, &w, r, &err);
}

static void suite_browse(s7p_client *c)
{
    s7p_error err;
    st_items all;
    memset(&all, 0, sizeof all);
    assert_int_equal(s7p_browse(c, st_collect, &all, &err), S7P_OK);
    assert_true(all.n > 200);  /* the example program: every DB and tag table */
    assert_non_null(st_find_item(&all, "\"AllTypes\".v_int"));
    st_items_free(&all);
}

/* The next DATA notification within ms; events before it fail the test. */
static s7p_sub_notification *next_data(s7p_subscription *s, uint32_t ms)
{
    s7p_sub_notification *n = NULL;
    s7p_error err;
    if (s7p_subscription_next(s, &n, ms, &err) != S7P_OK)
        fail_msg("no notification within %u ms: %s", ms, err.message);
    if (n->event != S7P_SUB_DATA) fail_msg("subscription event %d: %s", n->event, n->error.message);
    return n;
}

/* A subscription at a 50 ms cycle with a credit of 2 raised by 1: more than 20 notifications,
 * so the client sends credit raises (writes without an answer) all along, each of them signed
 * in legacy mode; then a written value (the login made writing possible) comes within a few
 * cycles. Every notification is signed by the simulator and verified by the client. */
static void suite_subscribe(s7p_client *c, const s7p_tag *t, int16_t before, int16_t written)
{
    s7p_subscription_options o;
    s7p_subscription_options_init(&o);
    o.cycle_ms = 50;
    o.credit_limit = 2;
    o.credit_step = 1;
    s7p_subscription *sub;
    s7p_error err;
    assert_int_equal(s7p_subscribe(c, t, 1, &o, NULL, NULL, &sub, &err), S7P_OK);
    uint32_t first = 0, missed = 0;
    for (unsigned k = 0; k < 24; k++) {
        s7p_sub_notification *n = next_data(sub, 5000);
        if (k == 0) {
            first = n->sequence;
            assert_int_equal(n->count, 1);
            assert_int_equal(n->values[0].status, S7P_OK);
            assert_int_equal(n->values[0].value.v.i, before);
        }
        missed += n->missed + n->dropped;
        s7p_sub_notification_free(n);
    }
    assert_int_equal(first, 1);
    assert_int_equal(missed, 0);
    s7p_item_result r;
    assert_int_equal(write_int(c, t, written, &r), S7P_OK);
    bool seen = false;
    for (unsigned k = 0; k < 40 && !seen; k++) {
        s7p_sub_notification *n = next_data(sub, 5000);
        for (size_t i = 0; i < n->count; i++)
            if (n->values[i].status == S7P_OK && n->values[i].value.v.i == written) seen = true;
        s7p_sub_notification_free(n);
    }
    assert_true(seen);
    assert_int_equal(s7p_unsubscribe(sub, &err), S7P_OK);
}

/* connect, info, browse, read, write (refused at read access), legitimate (a wrong password
 * refused, the right one), write, subscribe, disconnect: the whole loopback list on one
 * session of the mode, driven by the calling thread or by the client's I/O thread. */
static void suite(const mode_case *m, bool io_thread)
{
    s7p_sim *sim = start_suite_sim(m);
    s7p_client_options o;
    options_family(&o, sim, m->client, m->legacy_family);
    o.io_thread = io_thread;
    s7p_client *c = st_client_connect(&o);
    s7p_error err;
    expect_security(c, m->expect, o.legacy_key_id);
    suite_browse(c);
    s7p_tag t;
    assert_int_equal(s7p_tag_by_symbol(c, "\"AllTypes\".v_int", &t, &err), S7P_OK);
    assert_int_equal(read_int(c, &t), -12345);
    s7p_item_result r;
    assert_int_equal(write_int(c, &t, 4242, &r), S7P_OK);
    assert_int_equal(r.code, S7P_E_PLC);  /* read access only */
    assert_int_equal(r.plc_code, -100);
    assert_int_equal(s7p_legitimate(c, SUITE_PW_WRONG, NULL, &err), S7P_E_AUTH);
    assert_int_equal(s7p_legitimate(c, SUITE_PW_FULL, NULL, &err), S7P_OK);
    assert_int_equal(write_int(c, &t, 4242, &r), S7P_OK);
    assert_int_equal(r.code, S7P_OK);
    assert_int_equal(read_int(c, &t), 4242);
    suite_subscribe(c, &t, 4242, 777);
    assert_int_equal(read_int(c, &t), 777);
    assert_int_equal(s7p_get_state(c), S7P_STATE_CONNECTED);
    assert_int_equal(s7p_disconnect(c, &err), S7P_OK);
    assert_true(tc_wait_sessions(sim, 0, 5000));
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

static void test_suite_tls(void **state)
{
    (void)state;
    suite(&TLS_CASE, false);
}

static void test_suite_legacy(void **state)
{
    (void)state;
    suite(&LEGACY_CASE, false);
}

/* Family 03: the PLCSIM key (P-256, AES-GCM blob of 216 bytes) with the same suite. */
static void test_suite_legacy_plcsim(void **state)
{
    (void)state;
    suite(&PLCSIM_CASE, false);
}

static void test_suite_tls_io_thread(void **state)
{
    (void)state;
    suite(&TLS_CASE, true);
}

static void test_suite_legacy_io_thread(void **state)
{
    (void)state;
    suite(&LEGACY_CASE, true);
}

/* ---- mode selection ---- */

static void test_auto_picks_tls(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_TLS);
    s7p_client *c = connect_mode(sim, S7P_SECURITY_AUTO);
    expect_security(c, "tls", "");
    st_client_close(c);
    s7p_sim_stop(sim);
}

static void test_auto_picks_legacy(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_LEGACY);
    s7p_client *c = connect_mode(sim, S7P_SECURITY_AUTO);
    expect_security(c, "legacy", TEST_KEY_ID);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* A simulator that offers both: AUTO takes TLS, LEGACY takes legacy (in clear). */
static void test_both_offers_each(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_BOTH);
    s7p_client *c = connect_mode(sim, S7P_SECURITY_AUTO);
    expect_security(c, "tls", "");
    st_client_close(c);
    c = connect_mode(sim, S7P_SECURITY_LEGACY_CHALLENGE);
    expect_security(c, "legacy", TEST_KEY_ID);
    st_client_close(c);
    s7p_sim_stop(sim);
}

static void test_tls_against_legacy_only(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_LEGACY);
    s7p_client_options o;
    options(&o, sim, S7P_SECURITY_TLS);
    s7p_client *c = st_client_new(&o);
    s7p_error err;
    assert_int_equal(s7p_connect(c, &err), S7P_E_SECURITY_MODE);
    assert_non_null(strstr(err.message, "security mode tls"));
    assert_false(err.transient);
    /* No fallback: the session was never created in clear. */
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_CREATE_OBJECT), 0);
    assert_int_equal(s7p_get_state(c), S7P_STATE_DISCONNECTED);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* LEGACY against a TLS-only simulator: it offers no challenge, so no session. */
static void test_legacy_against_tls_only(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_TLS);
    s7p_client_options o;
    options(&o, sim, S7P_SECURITY_LEGACY_CHALLENGE);
    s7p_client *c = st_client_new(&o);
    s7p_error err;
    assert_int_equal(s7p_connect(c, &err), S7P_E_SECURITY_MODE);
    assert_non_null(strstr(err.message, "security mode legacy"));
    assert_false(err.transient);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* A key the simulator does not have: it refuses each attempt, the client tries the next
 * candidate on a fresh connection and fails with the PLC's refusal in the end. */
static void test_wrong_key_refused(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_LEGACY);
    s7p_client_options o;
    options(&o, sim, S7P_SECURITY_LEGACY_CHALLENGE);
    o.legacy_key_id = "00:181B7B0847D11694";  /* a real S7-1500 key of the catalog */
    o.legacy_keys = NULL;
    o.legacy_nkeys = 0;
    s7p_client *c = st_client_new(&o);
    s7p_error err;
    assert_int_equal(s7p_connect(c, &err), S7P_E_PLC);
    assert_non_null(strstr(err.message, "refused the authentication"));
    /* One key, two frame variants: two connections. */
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_CREATE_OBJECT), 2);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* ---- integrity ---- */

static void integrity_fault(s7p_sim_fault_kind kind, int reads_ok)
{
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_LEGACY);
    s7p_client *c = connect_mode(sim, S7P_SECURITY_LEGACY_CHALLENGE);
    s7p_error err;
    s7p_tag t;
    assert_int_equal(s7p_tag_by_symbol(c, "\"AllTypes\".v_int", &t, &err), S7P_OK);
    s7p_sim_fault f = {kind, S7P_FC_GET_MULTI_VARIABLES, 1, 0, 0};
    s7p_sim_set_fault(sim, &f);
    s7p_tag_value v;
    s7p_item_result r;
    for (int i = 0; i < reads_ok; i++) assert_int_equal(read_int(c, &t), -12345);
    memset(&v, 0, sizeof v);
    assert_int_equal(s7p_read(c, &t, 1, &v, &r, &err), S7P_E_INTEGRITY);
    assert_false(err.transient);
    assert_int_equal(s7p_get_state(c), S7P_STATE_FAULTED);
    assert_int_equal(s7p_sim_fault_hits(sim), 1);
    /* The session is gone for good: the next call fails at once, the simulator sees the
     * connection close. */
    assert_int_not_equal(s7p_read(c, &t, 1, &v, &r, &err), S7P_OK);
    assert_true(tc_wait_sessions(sim, 0, 5000));
    st_client_close(c);
    s7p_sim_stop(sim);
}

static void test_flipped_bit_rejected(void **state)
{
    (void)state;
    integrity_fault(S7P_SIM_FAULT_FLIP_BIT, 0);
}

/* The answer comes twice: the first completes the read, the copy, validly signed, has a
 * sequence number no request awaits any more and faults the session on the next call. */
static void test_replayed_answer_rejected(void **state)
{
    (void)state;
    integrity_fault(S7P_SIM_FAULT_REPLAY, 1);
}

/* A notification with a flipped bit: the subscription is lost with S7P_E_INTEGRITY and the
 * session faults (the simulator signs notifications; without the check the flipped value
 * would be delivered). */
static void test_flipped_notification_rejected(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_LEGACY);
    s7p_client *c = connect_mode(sim, S7P_SECURITY_LEGACY_CHALLENGE);
    s7p_error err;
    s7p_tag t;
    assert_int_equal(s7p_tag_by_symbol(c, "\"AllTypes\".v_int", &t, &err), S7P_OK);
    s7p_sim_fault f = {S7P_SIM_FAULT_FLIP_BIT, S7P_SIM_FAULT_NOTIFICATION, 3, 0, 0};
    s7p_sim_set_fault(sim, &f);
    s7p_subscription_options o;
    s7p_subscription_options_init(&o);
    o.cycle_ms = 50;
    s7p_subscription *sub;
    assert_int_equal(s7p_subscribe(c, &t, 1, &o, NULL, NULL, &sub, &err), S7P_OK);
    unsigned data = 0;
    s7p_sub_notification *n = NULL;
    for (;;) {
        assert_int_equal(s7p_subscription_next(sub, &n, 5000, &err), S7P_OK);
        if (n->event != S7P_SUB_DATA) break;
        if (data++ == 0) {  /* the first carries the value, later cycles no change */
            assert_int_equal(n->count, 1);
            assert_int_equal(n->values[0].value.v.i, -12345);
        }
        s7p_sub_notification_free(n);
    }
    assert_int_equal(n->event, S7P_SUB_LOST);
    assert_int_equal(n->error.code, S7P_E_INTEGRITY);
    s7p_sub_notification_free(n);
    assert_int_equal(data, 2);  /* the two before the flipped one */
    assert_int_equal(s7p_sim_fault_hits(sim), 1);
    assert_int_equal(s7p_get_state(c), S7P_STATE_FAULTED);
    assert_int_equal(s7p_unsubscribe(sub, &err), S7P_OK);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- fragmented answers: continuation digests (docs/protocol.md §6.1) ---- */

/* A browse of the example program gets answers longer than one frame; the simulator signs
 * their continuation frames in the form a real S7-1200/1500 uses (state-resume, its
 * default), or in one of the other two when told, and the client verifies each. */
static void test_fragmented_answers_verified(void **state)
{
    (void)state;
    static const s7p_sim_legacy_fragments forms[] = {
        S7P_SIM_FRAGMENTS_RESUME, S7P_SIM_FRAGMENTS_CHAINED, S7P_SIM_FRAGMENTS_INDEPENDENT};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        s7p_sim *sim = start_sim_fragments(S7P_SIM_SECURITY_LEGACY, forms[i]);
        s7p_client *c = connect_mode(sim, S7P_SECURITY_LEGACY_CHALLENGE);
        assert_int_equal(s7p_sim_legacy_continuations(sim), 0);
        suite_browse(c);
        assert_true(s7p_sim_legacy_continuations(sim) > 0);
        assert_int_equal(s7p_get_state(c), S7P_STATE_CONNECTED);
        st_client_close(c);
        s7p_sim_stop(sim);
    }
}

/* A flipped bit in the last continuation frame of a state-resume signed answer (the
 * simulator's default form): the browse fails with S7P_E_INTEGRITY, the session faults. */
static void test_flipped_continuation_rejected(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_LEGACY);
    s7p_client *c = connect_mode(sim, S7P_SECURITY_LEGACY_CHALLENGE);
    /* The third Explore of a browse (the first DB's type information, about 3 KB) is the
     * first answer longer than a frame. */
    s7p_sim_fault f = {S7P_SIM_FAULT_FLIP_BIT, S7P_FC_EXPLORE, 3, 0, 0};
    s7p_sim_set_fault(sim, &f);
    s7p_error err;
    st_items all;
    memset(&all, 0, sizeof all);
    assert_int_equal(s7p_browse(c, st_collect, &all, &err), S7P_E_INTEGRITY);
    st_items_free(&all);
    assert_int_equal(s7p_sim_fault_hits(sim), 1);
    /* The flipped answer was longer than a frame (the only one so far). */
    assert_true(s7p_sim_legacy_continuations(sim) > 0);
    assert_int_equal(s7p_get_state(c), S7P_STATE_FAULTED);
    assert_true(tc_wait_sessions(sim, 0, 5000));
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* ---- key renewal ---- */

static void test_key_renewal(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_LEGACY);
    s7p_client_options o;
    options(&o, sim, S7P_SECURITY_LEGACY_CHALLENGE);
    o.legacy_refresh_s = 1;
    s7p_client *c = st_client_connect(&o);
    s7p_error err;
    s7p_tag t;
    assert_int_equal(s7p_tag_by_symbol(c, "\"AllTypes\".v_int", &t, &err), S7P_OK);
    for (int i = 0; i < 3; i++) {
        struct timespec ts = {1, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        assert_int_equal(read_int(c, &t), -12345);
        assert_int_equal(read_int(c, &t), -12345);
    }
    /* Renewed at least twice, each time the next request signed with the new key. */
    assert_true(s7p_sim_requests(sim, S7P_FC_SET_VARIABLE) >= 2);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* PLCSIM Advanced resets the connection on a key renewal (the simulator with family 03 does
 * the same): the client does not renew a family-03 session key, whatever the interval. */
static void test_plcsim_no_renewal(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim_family(S7P_SIM_SECURITY_LEGACY, 3);
    s7p_client_options o;
    options_family(&o, sim, S7P_SECURITY_LEGACY_CHALLENGE, 3);
    o.legacy_refresh_s = 1;
    s7p_client *c = st_client_connect(&o);
    s7p_error err;
    s7p_tag t;
    assert_int_equal(s7p_tag_by_symbol(c, "\"AllTypes\".v_int", &t, &err), S7P_OK);
    for (int i = 0; i < 2; i++) {
        struct timespec ts = {1, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        assert_int_equal(read_int(c, &t), -12345);
    }
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_SET_VARIABLE), 0);
    assert_int_equal(s7p_get_state(c), S7P_STATE_CONNECTED);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* A PLC naming a family-03 key of the catalog: the client builds the blob with that key
 * (the simulator, which holds only its test key, refuses it: the PLC's refusal, not a
 * missing key). */
static void test_plcsim_catalog_key_used(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim_family(S7P_SIM_SECURITY_LEGACY, 3);
    s7p_client_options o;
    options_family(&o, sim, S7P_SECURITY_LEGACY_CHALLENGE, 3);
    o.legacy_key_id = "03:CE331E08538A26B9";
    o.legacy_keys = NULL;
    o.legacy_nkeys = 0;
    s7p_client *c = st_client_new(&o);
    s7p_error err;
    assert_int_equal(s7p_connect(c, &err), S7P_E_PLC);
    assert_non_null(strstr(err.message, "refused the authentication with key 03:CE331E08538A26B9"));
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_CREATE_OBJECT), 2);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* A key family without mathematics (02 WinAC): typed unsupported, no attempt sent. */
static void test_unsupported_family(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(S7P_SIM_SECURITY_LEGACY);
    s7p_client_options o;
    options(&o, sim, S7P_SECURITY_LEGACY_CHALLENGE);
    o.legacy_key_id = "02:1CE2E82CFB24A8BD";
    o.legacy_keys = NULL;
    o.legacy_nkeys = 0;
    s7p_client *c = st_client_new(&o);
    s7p_error err;
    assert_int_equal(s7p_connect(c, &err), S7P_E_UNSUPPORTED);
    assert_non_null(strstr(err.message, "family 02 (WinAC), which is not supported"));
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_SET_MULTI_VARIABLES), 0);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

static void test_options_checked(void **state)
{
    (void)state;
    s7p_client_options o;
    s7p_client *c = NULL;
    s7p_error err;
    st_client_options(&o, 102);
    o.legacy_key_id = "00:XYZ";
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
    st_client_options(&o, 102);
    s7p_legacy_key k;
    s7p_legacy_test_key(&k);
    k.id ^= 1;  /* the id no longer belongs to the key */
    o.legacy_keys = &k;
    o.legacy_nkeys = 1;
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
    st_client_options(&o, 102);
    s7p_legacy_test_key_plcsim(&k);          /* family 3: the P-256 point's id */
    o.legacy_keys = &k;
    o.legacy_nkeys = 1;
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_OK);
    s7p_client_free(c);
    c = NULL;
    k.key_p256[5] ^= 1;
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
    k.key_p256[5] ^= 1;
    k.family = 2;                            /* WinAC: no mathematics */
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
    st_client_options(&o, 102);
    o.security = (s7p_security)7;
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
    st_client_options(&o, 102);
    assert_int_equal(o.legacy_refresh_s, 1500);
    assert_true(o.legacy_key_fallback);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_checked),
        cmocka_unit_test(test_suite_tls),
        cmocka_unit_test(test_suite_legacy),
        cmocka_unit_test(test_suite_legacy_plcsim),
        cmocka_unit_test(test_plcsim_no_renewal),
        cmocka_unit_test(test_plcsim_catalog_key_used),
        cmocka_unit_test(test_unsupported_family),
        cmocka_unit_test(test_suite_tls_io_thread),
        cmocka_unit_test(test_suite_legacy_io_thread),
        cmocka_unit_test(test_auto_picks_tls),
        cmocka_unit_test(test_auto_picks_legacy),
        cmocka_unit_test(test_both_offers_each),
        cmocka_unit_test(test_tls_against_legacy_only),
        cmocka_unit_test(test_legacy_against_tls_only),
        cmocka_unit_test(test_wrong_key_refused),
        cmocka_unit_test(test_flipped_bit_rejected),
        cmocka_unit_test(test_replayed_answer_rejected),
        cmocka_unit_test(test_flipped_notification_rejected),
        cmocka_unit_test(test_fragmented_answers_verified),
        cmocka_unit_test(test_flipped_continuation_rejected),
        cmocka_unit_test(test_key_renewal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

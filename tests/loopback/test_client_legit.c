/* SPDX-License-Identifier: MIT */
/* Legitimation (password login) against the simulator's protection: for the newer variant
 * (firmware V3.1, TLS exporter + AES) and the legacy one (V2.9, SHA-1 XOR challenge), for a
 * protection of read, HMI and no access, the right password of every better level gives
 * exactly that level's rights (reads, browsing, writes) and a wrong one fails with S7P_E_AUTH,
 * through the options at connect and through s7p_legitimate(); user and password (user
 * management); writes refused before and accepted after; legitimation without allow_write;
 * the login is redone after automatic reconnects; the password is in no log message, at the
 * most verbose level. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

#define FW_NEW "V3.1.0"
#define FW_LEGACY "V2.9.0"
#define SYMBOL "\"AllTypes\".v_int"
#define SYMBOL2 "\"AllTypes\".v_dint"
#define VALUE (-12345)

static const char *const PW[3] = {"Full-Pw-7x!", "Read-Pw-3y?", "Hmi-Pw-5z#"};
#define PW_WRONG "wrong-Pw-0"
static const s7p_sim_user USERS[2] = {{"admin", "Admin-Pw-1", 1}, {"operator", "Op-Pw-3", 3}};

static s7p_sim *start_sim_sec(uint16_t port, unsigned protection, const char *firmware,
                              s7p_sim_security security)
{
    s7p_sim_config cfg;
    st_sim_config(&cfg, port, S7P_EXAMPLES_PLC);
    cfg.firmware = firmware;
    cfg.protection_level = protection;
    for (int i = 0; i < 3; i++) cfg.passwords[i] = PW[i];
    cfg.users = USERS;
    cfg.nusers = 2;
    cfg.security = security;
    return st_sim_start(&cfg);
}

static s7p_sim *start_sim(uint16_t port, unsigned protection, const char *firmware)
{
    return start_sim_sec(port, protection, firmware, S7P_SIM_SECURITY_TLS);
}

static void options(s7p_client_options *o, const s7p_sim *sim, const char *pw, const char *user)
{
    st_client_options(o, s7p_sim_port(sim));
    o->request_timeout_ms = 10000;
    o->allow_write = true;
    o->password = pw;
    o->username = user;
}

/* The tag, resolved by a client with full access (browsing needs read access or better). */
static s7p_tag full_access_tag(const s7p_sim *sim)
{
    s7p_client_options o;
    s7p_error e;
    s7p_tag t;
    options(&o, sim, PW[0], NULL);
    s7p_client *c = st_client_connect(&o);
    if (s7p_tag_by_symbol(c, SYMBOL, &t, &e) != S7P_OK) fail_msg("symbol: %s", e.message);
    st_client_close(c);
    return t;
}

/* What a session at `level` may do, and only that: reads and CPU information from HMI
 * access, browsing from read access, writes with full access; else -100. */
static void check_rights(s7p_client *c, const s7p_tag *t, unsigned level)
{
    s7p_tag_value v = {0};
    s7p_item_result r;
    s7p_error e;
    assert_int_equal(s7p_read(c, t, 1, &v, &r, &e), S7P_OK);
    if (level <= 3) {
        assert_int_equal(r.code, S7P_OK);
        assert_int_equal(v.v.i, VALUE);
    } else {
        assert_int_equal(r.code, S7P_E_PLC);
        assert_int_equal(r.plc_code, -100);
    }
    s7p_tag_value_clear(&v);
    s7p_tag_value w = {.type = S7P_T_INT, .v.i = VALUE};
    assert_int_equal(s7p_write(c, t, 1, &w, &r, &e), S7P_OK);
    assert_int_equal(r.code, level == 1 ? S7P_OK : S7P_E_PLC);
    if (level != 1) assert_int_equal(r.plc_code, -100);
    s7p_tag t2;
    s7p_status st = s7p_tag_by_symbol(c, SYMBOL2, &t2, &e);
    assert_int_equal(st, level <= 2 ? S7P_OK : S7P_E_PLC);
    if (st != S7P_OK) assert_int_equal(e.plc_code, -100);
    s7p_cpu_info info;
    st = s7p_get_cpu_info(c, &info, &e);
    assert_int_equal(st, level <= 3 ? S7P_OK : S7P_E_PLC);
    if (st == S7P_OK) assert_int_equal(info.protection_level, level);
}

/* A wrong password at connect: the connect fails, typed, and leaves nothing connected. */
static void check_wrong_at_connect(const s7p_sim *sim, const char *pw, const char *user)
{
    s7p_client_options o;
    s7p_error e;
    options(&o, sim, pw, user);
    s7p_client *c = st_client_new(&o);
    assert_int_equal(s7p_connect(c, &e), S7P_E_AUTH);
    assert_int_equal(e.code, S7P_E_AUTH);
    assert_int_equal(e.plc_code, -100);
    assert_false(e.transient);
    assert_non_null(strstr(e.message, "refused"));
    assert_int_equal(s7p_get_state(c), S7P_STATE_DISCONNECTED);
    s7p_client_free(c);
}

/* Every login for one firmware and protection: options and s7p_legitimate, right and wrong. */
static void run_protection(const char *firmware, unsigned protection)
{
    s7p_sim *sim = start_sim(0, protection, firmware);
    s7p_tag t = full_access_tag(sim);
    s7p_client_options o;
    s7p_error e;
    for (unsigned level = 1; level < protection; level++) {
        options(&o, sim, PW[level - 1], NULL);
        s7p_client *c = st_client_connect(&o);
        check_rights(c, &t, level);
        st_client_close(c);
    }
    check_wrong_at_connect(sim, PW_WRONG, NULL);
    /* Without a password the session keeps the PLC's level; logins raise it step by step,
     * a wrong one changes nothing and the session stays. */
    options(&o, sim, NULL, NULL);
    s7p_client *c = st_client_connect(&o);
    check_rights(c, &t, protection);
    assert_int_equal(s7p_legitimate(c, PW_WRONG, NULL, &e), S7P_E_AUTH);
    assert_int_equal(e.plc_code, -100);
    assert_true(s7p_is_connected(c));
    check_rights(c, &t, protection);
    for (unsigned level = protection - 1; level >= 1; level--) {
        if (s7p_legitimate(c, PW[level - 1], NULL, &e) != S7P_OK)
            fail_msg("level %u: %s", level, e.message);
        check_rights(c, &t, level);
    }
    st_client_close(c);
    s7p_sim_stop(sim);
}

static void test_levels_new_variant(void **state)
{
    (void)state;
    for (unsigned p = 2; p <= 4; p++) run_protection(FW_NEW, p);
}

static void test_levels_legacy_variant(void **state)
{
    (void)state;
    for (unsigned p = 2; p <= 4; p++) run_protection(FW_LEGACY, p);
}

/* Full access without protection: nothing to log in to, the password is not sent. */
static void test_full_access_sends_nothing(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0, 1, FW_NEW);
    s7p_client_options o;
    s7p_error e;
    options(&o, sim, PW_WRONG, NULL);
    s7p_client *c = st_client_connect(&o);
    assert_int_equal(s7p_legitimate(c, PW_WRONG, NULL, &e), S7P_OK);
    assert_int_equal(s7p_sim_requests(sim, 0x04F2 /* SetVariable */), 0);
    st_client_close(c);
    s7p_sim_stop(sim);
}

static void test_user_and_password(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0, 4, FW_NEW);
    s7p_tag t = full_access_tag(sim);
    s7p_client_options o;
    s7p_error e;
    for (int i = 0; i < 2; i++) {
        options(&o, sim, USERS[i].password, USERS[i].name);
        s7p_client *c = st_client_connect(&o);
        check_rights(c, &t, USERS[i].level);
        st_client_close(c);
    }
    check_wrong_at_connect(sim, USERS[1].password, USERS[0].name);  /* another's password */
    check_wrong_at_connect(sim, USERS[0].password, "nobody");
    check_wrong_at_connect(sim, PW[0], USERS[0].name);  /* a level's password is no user's */
    options(&o, sim, NULL, NULL);
    s7p_client *c = st_client_connect(&o);
    assert_int_equal(s7p_legitimate(c, "Op-Pw-4", "operator", &e), S7P_E_AUTH);
    assert_int_equal(s7p_legitimate(c, "Op-Pw-3", "operator", &e), S7P_OK);
    check_rights(c, &t, 3);
    st_client_close(c);
    s7p_sim_stop(sim);
    /* Firmware without user management: a user name cannot be sent. */
    sim = start_sim(0, 4, FW_LEGACY);
    options(&o, sim, USERS[0].password, USERS[0].name);
    c = st_client_new(&o);
    assert_int_equal(s7p_connect(c, &e), S7P_E_UNSUPPORTED);
    assert_non_null(strstr(e.message, "user management"));
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* Writes enabled: refused at read access, accepted once logged in with full access. */
static void test_write_before_and_after(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0, 2, FW_NEW);
    s7p_tag t = full_access_tag(sim);
    s7p_client_options o;
    s7p_error e;
    s7p_item_result r;
    options(&o, sim, NULL, NULL);
    s7p_client *c = st_client_connect(&o);
    s7p_tag_value w = {.type = S7P_T_INT, .v.i = 4321};
    assert_int_equal(s7p_write(c, &t, 1, &w, &r, &e), S7P_OK);
    assert_int_equal(r.code, S7P_E_PLC);
    assert_int_equal(r.plc_code, -100);
    assert_int_equal(s7p_legitimate(c, PW[0], NULL, &e), S7P_OK);
    assert_int_equal(s7p_write(c, &t, 1, &w, &r, &e), S7P_OK);
    assert_int_equal(r.code, S7P_OK);
    s7p_tag_value v = {0};
    assert_int_equal(s7p_read(c, &t, 1, &v, &r, &e), S7P_OK);
    assert_int_equal(v.v.i, 4321);
    w.v.i = VALUE;
    assert_int_equal(s7p_write(c, &t, 1, &w, &r, &e), S7P_OK);
    st_client_close(c);
    s7p_sim_stop(sim);
}

/* Legitimation is not a write: a client without allow_write logs in; writes stay its own
 * refusal. */
static void test_works_with_writes_disabled(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0, 4, FW_NEW);
    s7p_tag t = full_access_tag(sim);
    s7p_client_options o;
    s7p_error e;
    s7p_item_result r;
    options(&o, sim, NULL, NULL);
    o.allow_write = false;
    s7p_client *c = st_client_connect(&o);
    assert_int_equal(s7p_legitimate(c, PW[0], NULL, &e), S7P_OK);
    s7p_cpu_info info;
    assert_int_equal(s7p_get_cpu_info(c, &info, &e), S7P_OK);
    assert_int_equal(info.protection_level, 1);
    s7p_tag_value w = {.type = S7P_T_INT, .v.i = VALUE};
    assert_int_equal(s7p_write(c, &t, 1, &w, &r, &e), S7P_E_WRITE_DISABLED);
    st_client_close(c);
    /* The options' password too. */
    options(&o, sim, PW[1], NULL);
    o.allow_write = false;
    c = st_client_connect(&o);
    assert_int_equal(s7p_get_cpu_info(c, &info, &e), S7P_OK);
    assert_int_equal(info.protection_level, 2);
    st_client_close(c);
    s7p_sim_stop(sim);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool read_ok(s7p_client *c, const s7p_tag *t)
{
    s7p_tag_value v = {0};
    s7p_item_result r;
    s7p_error e;
    bool ok = s7p_read(c, t, 1, &v, &r, &e) == S7P_OK && r.code == S7P_OK && v.v.i == VALUE;
    s7p_tag_value_clear(&v);
    return ok;
}

/* The PLC restarts (its sessions start at no access again): a client with auto_reconnect
 * logs in again on the new session, with the options' password or with the one an
 * s7p_legitimate() call gave, and its reads go on. */
static void test_login_redone_after_reconnect(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0, 4, FW_NEW);
    uint16_t port = s7p_sim_port(sim);
    s7p_tag t = full_access_tag(sim);
    s7p_client_options o;
    s7p_error e;
    options(&o, sim, PW[2], NULL);
    o.auto_reconnect = true;
    o.request_timeout_ms = o.connect_timeout_ms = 2000;
    o.reconnect_interval_ms = 200;
    s7p_client *a = st_client_connect(&o);
    options(&o, sim, NULL, NULL);
    o.auto_reconnect = true;
    o.request_timeout_ms = o.connect_timeout_ms = 2000;
    o.reconnect_interval_ms = 200;
    s7p_client *b = st_client_connect(&o);
    assert_false(read_ok(b, &t));
    assert_int_equal(s7p_legitimate(b, PW[1], NULL, &e), S7P_OK);
    assert_true(read_ok(a, &t));
    assert_true(read_ok(b, &t));
    s7p_sim_stop(sim);
    assert_false(read_ok(a, &t));
    assert_false(read_ok(b, &t));
    sim = start_sim(port, 4, FW_NEW);
    int64_t t0 = now_ms();
    bool ok_a = false, ok_b = false;
    while (!(ok_a && ok_b) && now_ms() - t0 < 5000) {
        ok_a = ok_a || read_ok(a, &t);
        ok_b = ok_b || read_ok(b, &t);
        if (!(ok_a && ok_b)) st_sleep_ms(50);
    }
    assert_true(ok_a);
    assert_true(ok_b);
    /* Two logins on the new simulator: one per client. */
    assert_int_equal(s7p_sim_requests(sim, 0x04F2 /* SetVariable */), 2);
    s7p_cpu_info info;
    assert_int_equal(s7p_get_cpu_info(b, &info, &e), S7P_OK);
    assert_int_equal(info.protection_level, 2);
    st_client_close(a);
    st_client_close(b);
    s7p_sim_stop(sim);
}

/* Legacy security (no TLS, signed frames): the legacy login, also with a session key renewal
 * (which reads the same challenge attribute) in between; firmware whose login needs TLS is
 * refused before anything is sent. */
static void test_legacy_security_session(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim_sec(0, 4, FW_LEGACY, S7P_SIM_SECURITY_LEGACY);
    s7p_legacy_key key;
    s7p_legacy_test_key(&key);
    s7p_client_options o;
    s7p_error e;
    options(&o, sim, PW[1], NULL);
    o.security = S7P_SECURITY_LEGACY_CHALLENGE;
    o.legacy_keys = &key;
    o.legacy_nkeys = 1;
    o.legacy_refresh_s = 1;
    s7p_client *c = st_client_connect(&o);
    s7p_tag t;
    assert_int_equal(s7p_tag_by_symbol(c, SYMBOL, &t, &e), S7P_OK);  /* read access */
    check_rights(c, &t, 2);
    st_sleep_ms(1100);  /* a key renewal is due: it runs before the next request */
    assert_true(read_ok(c, &t));
    assert_int_equal(s7p_legitimate(c, PW_WRONG, NULL, &e), S7P_E_AUTH);
    assert_int_equal(s7p_legitimate(c, PW[0], NULL, &e), S7P_OK);
    check_rights(c, &t, 1);
    /* Three logins (connect, wrong, right) and at least one key renewal, all SetVariable. */
    assert_true(s7p_sim_requests(sim, 0x04F2) >= 4);
    st_client_close(c);
    s7p_sim_stop(sim);
    /* Current firmware over legacy security: its login needs TLS. */
    sim = start_sim_sec(0, 4, FW_NEW, S7P_SIM_SECURITY_LEGACY);
    options(&o, sim, PW[0], NULL);
    o.security = S7P_SECURITY_LEGACY_CHALLENGE;
    o.legacy_keys = &key;
    o.legacy_nkeys = 1;
    c = st_client_new(&o);
    assert_int_equal(s7p_connect(c, &e), S7P_E_UNSUPPORTED);
    assert_non_null(strstr(e.message, "needs TLS"));
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* ---- the password in no log message ---- */

typedef struct log_capture {
    char text[1 << 16];
    size_t n;
    unsigned lines;
} log_capture;

static void on_log(void *ctx, s7p_log_level level, const char *layer, const char *msg)
{
    log_capture *l = ctx;
    (void)level;
    int w = snprintf(l->text + l->n, sizeof l->text - l->n, "%s: %s\n", layer, msg);
    if (w > 0 && (size_t)w < sizeof l->text - l->n) l->n += (size_t)w;
    l->lines++;
}

static void assert_not_logged(const log_capture *l, const char *secret)
{
    if (strstr(l->text, secret)) fail_msg("\"%s\" was logged:\n%s", secret, l->text);
}

static void test_password_never_logged(void **state)
{
    (void)state;
    static log_capture logs;
    memset(&logs, 0, sizeof logs);
    s7p_sim *sim = start_sim(0, 4, FW_NEW);
    s7p_client_options o;
    s7p_error e;
    for (int variant = 0; variant < 2; variant++) {
        /* HMI access, by the level's password or by a user's: there is a login left. */
        options(&o, sim, variant ? USERS[1].password : PW[2], variant ? USERS[1].name : NULL);
        o.log = on_log;
        o.log_ctx = &logs;
        o.log_level = S7P_LOG_DEBUG;
        s7p_client *c = st_client_connect(&o);
        assert_int_equal(s7p_legitimate(c, PW_WRONG, NULL, &e), S7P_E_AUTH);
        assert_int_equal(s7p_legitimate(c, PW[0], NULL, &e), S7P_OK);
        st_client_close(c);
    }
    o.password = PW[1];
    o.username = NULL;
    s7p_client *c = st_client_new(&o);
    assert_int_equal(s7p_connect(c, &e), S7P_OK);
    s7p_client_free(c);
    /* The trace was on (PDUs of the logins are in it) ... */
    assert_non_null(strstr(logs.text, "SetVariable"));
    assert_non_null(strstr(logs.text, "legitimation accepted"));
    assert_true(logs.lines > 20);
    /* ... and no password, right or wrong. */
    for (int i = 0; i < 3; i++) assert_not_logged(&logs, PW[i]);
    assert_not_logged(&logs, PW_WRONG);
    assert_not_logged(&logs, USERS[1].password);
    s7p_sim_stop(sim);
}

/* ---- asynchronous ---- */

static atomic_int async_done;
static s7p_status async_st;

static void on_done(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err)
{
    (void)ctx;
    (void)id;
    (void)err;
    async_st = st;
    atomic_store(&async_done, 1);
}

static void test_async(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(0, 3, FW_NEW);
    s7p_client_options o;
    s7p_error e;
    options(&o, sim, NULL, NULL);
    o.io_thread = true;
    s7p_client *c = st_client_connect(&o);
    char pw[32];
    snprintf(pw, sizeof pw, "%s", PW[0]);
    atomic_store(&async_done, 0);
    assert_int_equal(s7p_legitimate_async(c, pw, NULL, on_done, NULL, NULL), S7P_OK);
    memset(pw, 0, sizeof pw);  /* copied at the call */
    for (int i = 0; i < 1000 && !atomic_load(&async_done); i++) st_sleep_ms(10);
    assert_int_equal(atomic_load(&async_done), 1);
    assert_int_equal(async_st, S7P_OK);
    s7p_cpu_info info;
    assert_int_equal(s7p_get_cpu_info(c, &info, &e), S7P_OK);
    assert_int_equal(info.protection_level, 1);
    assert_int_equal(s7p_legitimate_async(c, NULL, NULL, on_done, NULL, NULL), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_legitimate(c, "", NULL, &e), S7P_E_INVALID_ARG);
    st_client_close(c);
    /* Not connected (no auto_reconnect): nothing to log in to. */
    c = st_client_new(&o);
    assert_int_equal(s7p_legitimate(c, PW[0], NULL, &e), S7P_E_STATE);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels_new_variant),
        cmocka_unit_test(test_levels_legacy_variant),
        cmocka_unit_test(test_full_access_sends_nothing),
        cmocka_unit_test(test_user_and_password),
        cmocka_unit_test(test_write_before_and_after),
        cmocka_unit_test(test_works_with_writes_disabled),
        cmocka_unit_test(test_login_redone_after_reconnect),
        cmocka_unit_test(test_legacy_security_session),
        cmocka_unit_test(test_password_never_logged),
        cmocka_unit_test(test_async),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

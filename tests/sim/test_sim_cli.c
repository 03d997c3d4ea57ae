/* SPDX-License-Identifier: MIT */
/* The s7plus-sim executable: options, port files, the listening line, a session against it
 * and a clean exit on SIGTERM. S7P_SIM_EXE is the path of the built program. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "simtest.h"
#include "tc.h"
#include "util/clock.h"

typedef struct run {
    st_proc p;
    char port_env[96];          /* the port file named by S7P_PORT_FILE */
} run;

static void start(run *r, char *const argv[])
{
    st_proc_init(&r->p, "sim-cli");
    snprintf(r->port_env, sizeof r->port_env, "%s/port-env", r->p.dir);
    setenv("S7P_PORT_FILE", r->port_env, 1);
    st_proc_spawn(&r->p, S7P_SIM_EXE, argv, true);
    unsetenv("S7P_PORT_FILE");
}

static int run_to_end(char *const argv[], char **out)
{
    run r;
    start(&r, argv);
    int rc = st_proc_wait(&r.p, 10000);
    *out = st_slurp(r.p.out);
    st_proc_cleanup(&r.p);
    return rc;
}

static void test_help_version(void **state)
{
    (void)state;
    char *out;
    char *help[] = {"s7plus-sim", "--help", NULL};
    assert_int_equal(run_to_end(help, &out), 0);
    assert_non_null(strstr(out, "usage: s7plus-sim"));
    char *version[] = {"s7plus-sim", "--version", NULL};
    assert_int_equal(run_to_end(version, &out), 0);
    char want[64];
    snprintf(want, sizeof want, "s7plus-sim %s\n", s7p_version());
    assert_string_equal(out, want);
}

static void test_bad_usage(void **state)
{
    (void)state;
    char *out;
    char *bogus[] = {"s7plus-sim", "--bogus", NULL};
    assert_int_equal(run_to_end(bogus, &out), 1);
    char *port[] = {"s7plus-sim", "--port", "70000", NULL};
    assert_int_equal(run_to_end(port, &out), 1);
    char *sessions[] = {"s7plus-sim", "--max-sessions", "0", NULL};
    assert_int_equal(run_to_end(sessions, &out), 1);
    char *extra[] = {"s7plus-sim", "extra", NULL};
    assert_int_equal(run_to_end(extra, &out), 1);
    char *notify[] = {"s7plus-sim", "--notify", "1:any:0x10000001", NULL};
    assert_int_equal(run_to_end(notify, &out), 1);
    char *langs[] = {"s7plus-sim", "--languages", "1033,x", NULL};
    assert_int_equal(run_to_end(langs, &out), 1);
    char *per_req[] = {"s7plus-sim", "--tags-per-request", "0", NULL};
    assert_int_equal(run_to_end(per_req, &out), 1);
    char *per_write[] = {"s7plus-sim", "--tags-per-write", "-3", NULL};
    assert_int_equal(run_to_end(per_write, &out), 1);
    char *subs[] = {"s7plus-sim", "--max-subscriptions", "many", NULL};
    assert_int_equal(run_to_end(subs, &out), 1);
    char *fw[] = {"s7plus-sim", "--port", "0", "--firmware", "x", NULL};
    assert_int_equal(run_to_end(fw, &out), 2);
}

/* "listening on 127.0.0.1:PORT (TLS 1.3, certificate sha256 HEX)" -> the fingerprint. */
static void parse_line(const char *out, unsigned port, uint8_t sha[32])
{
    char prefix[96];
    snprintf(prefix, sizeof prefix, "listening on 127.0.0.1:%u (TLS 1.3, certificate sha256 ", port);
    assert_int_equal(strncmp(out, prefix, strlen(prefix)), 0);
    const char *h = out + strlen(prefix);
    for (int i = 0; i < 32; i++) {
        unsigned v;
        assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
        sha[i] = (uint8_t)v;
    }
    assert_string_equal(h + 64, ")\n");
}

static void test_serve_and_sigterm(void **state)
{
    (void)state;
    run r;
    char port_file[96];
    char *argv[] = {"s7plus-sim", "--port", "0", "--port-file", port_file, "-v",
                    "--plc-name", "CLI_PLC", "--max-sessions", "2", NULL};
    char dir[64];
    st_tmpdir(dir, sizeof dir, "sim-cli-pf");
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    start(&r, argv);
    unsigned port = st_wait_port(port_file, 10000);
    assert_true(port > 0 && port < 65536);
    assert_int_equal(st_wait_port(r.port_env, 10000), port);
    uint8_t sha[32];
    parse_line(st_slurp(r.p.out), port, sha);

    tc t;
    const s7p_pdu *resp;
    assert_int_equal(tc_open(&t, (uint16_t)port, NULL), S7P_OK);
    assert_int_equal(tc_init_ssl(&t, sha), S7P_OK);
    assert_int_equal(tc_create_session(&t, &resp), S7P_OK);
    assert_int_equal(tc_get_attr(&t, 50, 233, &resp), S7P_OK);
    s7p_bytes name = resp->resp.get_var_sub_streamed.value.v.s;
    assert_true(name.n == 7 && memcmp(name.p, "CLI_PLC", 7) == 0);
    assert_int_equal(tc_delete_session(&t), S7P_OK);
    tc_close(&t);

    assert_int_equal(kill(r.p.pid, SIGTERM), 0);
    assert_int_equal(st_proc_wait(&r.p, 3000), 0);
    char *err = st_slurp(r.p.err);
    assert_non_null(strstr(err, "conn 1: accepted"));
    assert_non_null(strstr(err, "session 0x000003a0 opened"));
    st_remove_dir(dir);
    st_proc_cleanup(&r.p);
}

/* SIGINT also stops it cleanly, with a client still connected. */
static void test_sigint_with_client(void **state)
{
    (void)state;
    run r;
    char *argv[] = {"s7plus-sim", "--port", "0", NULL};
    start(&r, argv);
    unsigned port = st_wait_port(r.port_env, 10000);
    assert_true(port > 0);
    tc t;
    assert_int_equal(tc_connect_session(&t, (uint16_t)port), S7P_OK);
    int64_t t0 = s7p_now_ms();
    assert_int_equal(kill(r.p.pid, SIGINT), 0);
    assert_int_equal(st_proc_wait(&r.p, 3000), 0);
    assert_true(s7p_now_ms() - t0 < 2000);
    const s7p_pdu *resp;
    assert_int_equal(tc_recv(&t, &resp), S7P_E_CLOSED);
    tc_close(&t);
    assert_string_equal(st_slurp(r.p.err), "");
    st_proc_cleanup(&r.p);
}

/* --notify: notifications for the given subscription before the answers to one function. */
static void test_notify_option(void **state)
{
    (void)state;
    run r;
    char *argv[] = {"s7plus-sim", "--port", "0", "--notify", "2:GetVarSubStreamed:0x7000abcd",
                    NULL};
    start(&r, argv);
    unsigned port = st_wait_port(r.port_env, 10000);
    assert_true(port > 0);
    tc t;
    assert_int_equal(tc_connect_session(&t, (uint16_t)port), S7P_OK);  /* no notifications */
    s7p_pdu p;
    const s7p_pdu *resp;
    tc_get_attr_req(&t, &p, 50, 233);
    uint16_t seq = p.seq;
    assert_int_equal(tc_send(&t, &p), S7P_OK);
    for (uint32_t i = 1; i <= 2; i++) {
        assert_int_equal(tc_recv(&t, &resp), S7P_OK);
        assert_int_equal(resp->opcode, S7P_OP_NOTIFICATION);
        assert_int_equal(resp->notif.object_id, 0x7000ABCDu);
        assert_int_equal(resp->notif.seq, i);
    }
    assert_int_equal(tc_recv(&t, &resp), S7P_OK);
    assert_int_equal(resp->opcode, S7P_OP_RESPONSE);
    assert_int_equal(resp->seq, seq);
    tc_close(&t);
    assert_int_equal(kill(r.p.pid, SIGTERM), 0);
    assert_int_equal(st_proc_wait(&r.p, 3000), 0);
    st_proc_cleanup(&r.p);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_version),
        cmocka_unit_test(test_bad_usage),
        cmocka_unit_test(test_serve_and_sigterm),
        cmocka_unit_test(test_sigint_with_client),
        cmocka_unit_test(test_notify_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

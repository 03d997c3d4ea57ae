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
#include <fcntl.h>
#include <spawn.h>

#include "tc.h"
#include "util/clock.h"

extern char **environ;

typedef struct run {
    char dir[64];
    char out[96], err[96], port[96], port_env[96];
    pid_t pid;
} run;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void start(run *r, char *const argv[])
{
    snprintf(r->dir, sizeof r->dir, "/tmp/s7p-sim-cli-XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->out, sizeof r->out, "%s/out", r->dir);
    snprintf(r->err, sizeof r->err, "%s/err", r->dir);
    snprintf(r->port, sizeof r->port, "%s/port", r->dir);
    snprintf(r->port_env, sizeof r->port_env, "%s/port-env", r->dir);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, r->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, r->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    setenv("S7P_PORT_FILE", r->port_env, 1);
    assert_int_equal(posix_spawn(&r->pid, S7P_SIM_EXE, &fa, NULL, argv, environ), 0);
    unsetenv("S7P_PORT_FILE");
    posix_spawn_file_actions_destroy(&fa);
}

/* Exit status, or -1 if the program did not end within ms (it is killed then). */
static int finish(run *r, long ms)
{
    int64_t end = s7p_deadline_in((uint32_t)ms);
    int status = 0;
    while (waitpid(r->pid, &status, WNOHANG) == 0) {
        if (s7p_now_ms() > end) {
            kill(r->pid, SIGKILL);
            waitpid(r->pid, &status, 0);
            return -1;
        }
        sleep_ms(5);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *slurp(const char *path)
{
    static char buf[16384];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void cleanup(run *r)
{
    const char *files[] = {r->out, r->err, r->port, r->port_env};
    for (size_t i = 0; i < 4; i++) unlink(files[i]);
    rmdir(r->dir);
}

static int run_to_end(char *const argv[], char **out)
{
    run r;
    start(&r, argv);
    int rc = finish(&r, 10000);
    *out = slurp(r.out);
    cleanup(&r);
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
    char *fw[] = {"s7plus-sim", "--port", "0", "--firmware", "x", NULL};
    assert_int_equal(run_to_end(fw, &out), 2);
}

static unsigned wait_port(const char *path)
{
    int64_t end = s7p_deadline_in(10000);
    while (s7p_now_ms() < end) {
        char *s = slurp(path);
        if (s && *s) return (unsigned)strtoul(s, NULL, 10);
        sleep_ms(10);
    }
    return 0;
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
    char dir[64] = "/tmp/s7p-sim-cli-pf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    start(&r, argv);
    unsigned port = wait_port(port_file);
    assert_true(port > 0 && port < 65536);
    assert_int_equal(wait_port(r.port_env), port);
    uint8_t sha[32];
    parse_line(slurp(r.out), port, sha);

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

    assert_int_equal(kill(r.pid, SIGTERM), 0);
    assert_int_equal(finish(&r, 3000), 0);
    char *err = slurp(r.err);
    assert_non_null(strstr(err, "conn 1: accepted"));
    assert_non_null(strstr(err, "session 0x000003a0 opened"));
    unlink(port_file);
    rmdir(dir);
    cleanup(&r);
}

/* SIGINT also stops it cleanly, with a client still connected. */
static void test_sigint_with_client(void **state)
{
    (void)state;
    run r;
    char *argv[] = {"s7plus-sim", "--port", "0", NULL};
    start(&r, argv);
    unsigned port = wait_port(r.port_env);
    assert_true(port > 0);
    tc t;
    assert_int_equal(tc_connect_session(&t, (uint16_t)port), S7P_OK);
    int64_t t0 = s7p_now_ms();
    assert_int_equal(kill(r.pid, SIGINT), 0);
    assert_int_equal(finish(&r, 3000), 0);
    assert_true(s7p_now_ms() - t0 < 2000);
    const s7p_pdu *resp;
    assert_int_equal(tc_recv(&t, &resp), S7P_E_CLOSED);
    tc_close(&t);
    assert_string_equal(slurp(r.err), "");
    cleanup(&r);
}

/* --notify: notifications for the given subscription before the answers to one function. */
static void test_notify_option(void **state)
{
    (void)state;
    run r;
    char *argv[] = {"s7plus-sim", "--port", "0", "--notify", "2:GetVarSubStreamed:0x7000abcd",
                    NULL};
    start(&r, argv);
    unsigned port = wait_port(r.port_env);
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
    assert_int_equal(kill(r.pid, SIGTERM), 0);
    assert_int_equal(finish(&r, 3000), 0);
    cleanup(&r);
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

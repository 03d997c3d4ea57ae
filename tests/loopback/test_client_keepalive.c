/* SPDX-License-Identifier: MIT */
/* Dead-peer detection, the socket part: the keepalive and TCP_USER_TIMEOUT options of the
 * client land on its connected socket (read back with getsockopt), their defaults, and the
 * checks of s7p_client_new(). The client's socket is found as the descriptor of this process
 * whose peer is the simulator's port. Loopback only. */
#include <dirent.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "net/tcp.h"
#include "simtest.h"
#include "util/clock.h"

/* The descriptor connected to 127.0.0.1:port (the client's end; the simulator's end has
 * port as its local port, not as its peer's). -1 if none or more than one. */
static int socket_to(uint16_t port)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int found = -1, n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d)) continue;
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0 || ss.ss_family != AF_INET) continue;
        if (ntohs(((struct sockaddr_in *)&ss)->sin_port) != port) continue;
        found = fd;
        n++;
    }
    closedir(d);
    return n == 1 ? found : -1;
}

/* Connects a client with o to s and returns what its socket says. */
static s7p_tcp_keepalive connected_keepalive(s7p_sim *s, s7p_client_options *o)
{
    o->host = "127.0.0.1";
    o->port = s7p_sim_port(s);
    s7p_client *c;
    c = st_client_connect(o);
    int fd = socket_to(s7p_sim_port(s));
    assert_true(fd >= 0);
    s7p_tcp_keepalive k;
    assert_int_equal(s7p_tcp_get_keepalive(fd, &k, NULL), S7P_OK);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return k;
}

static void test_defaults_on_socket(void **state)
{
    (void)state;
    s7p_client_options o;
    s7p_client_options_init(&o);
    assert_true(o.tcp_keepalive);
    assert_int_equal(o.keepalive_idle_s, 10);
    assert_int_equal(o.keepalive_interval_s, 5);
    assert_int_equal(o.keepalive_count, 3);
    assert_int_equal(o.tcp_user_timeout_ms, 0);
    s7p_sim *s = st_sim_start(NULL);
    s7p_tcp_keepalive k = connected_keepalive(s, &o);
    assert_true(k.enabled);
    assert_int_equal(k.idle_s, 10);
    assert_int_equal(k.interval_s, 5);
    assert_int_equal(k.count, 3);
    assert_int_equal(k.user_timeout_ms, 25000);  /* 0 = the keepalive bound: 10 + 5 x 3 s */
    s7p_sim_stop(s);
}

static void test_configured_on_socket(void **state)
{
    (void)state;
    s7p_sim *s = st_sim_start(NULL);
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.keepalive_idle_s = 2;
    o.keepalive_interval_s = 1;
    o.keepalive_count = 4;
    o.tcp_user_timeout_ms = 7000;
    s7p_tcp_keepalive k = connected_keepalive(s, &o);
    assert_true(k.enabled);
    assert_int_equal(k.idle_s, 2);
    assert_int_equal(k.interval_s, 1);
    assert_int_equal(k.count, 4);
    assert_int_equal(k.user_timeout_ms, 7000);

    /* Off: no probes, and the kernel's own user timeout (0) unless one is given. */
    s7p_client_options_init(&o);
    o.tcp_keepalive = false;
    k = connected_keepalive(s, &o);
    assert_false(k.enabled);
    assert_int_equal(k.user_timeout_ms, 0);
    o.tcp_user_timeout_ms = 3000;
    k = connected_keepalive(s, &o);
    assert_false(k.enabled);
    assert_int_equal(k.user_timeout_ms, 3000);
    s7p_sim_stop(s);
}

/* The net layer alone, on a plain loopback pair. */
static void test_tcp_set_get(void **state)
{
    (void)state;
    int lfd = -1, cfd = -1, afd = -1, e = 0;
    uint16_t port = 0;
    assert_int_equal(s7p_tcp_listen("127.0.0.1", 0, 4, &lfd, &port, &e), S7P_OK);
    assert_int_equal(s7p_tcp_connect("127.0.0.1", port, s7p_deadline_in(5000), &cfd, &e), S7P_OK);
    assert_int_equal(s7p_tcp_accept(lfd, s7p_deadline_in(5000), &afd, &e), S7P_OK);
    s7p_tcp_keepalive set = {true, 30, 7, 9, 61000}, got;
    assert_int_equal(s7p_tcp_set_keepalive(cfd, &set, &e), S7P_OK);
    assert_int_equal(s7p_tcp_get_keepalive(cfd, &got, &e), S7P_OK);
    assert_true(got.enabled);
    assert_int_equal(got.idle_s, 30);
    assert_int_equal(got.interval_s, 7);
    assert_int_equal(got.count, 9);
    assert_int_equal(got.user_timeout_ms, 61000);
    set.enabled = false;
    assert_int_equal(s7p_tcp_set_keepalive(cfd, &set, &e), S7P_OK);
    assert_int_equal(s7p_tcp_get_keepalive(cfd, &got, &e), S7P_OK);
    assert_false(got.enabled);
    /* A value the kernel refuses is an I/O error with its errno. */
    s7p_tcp_keepalive bad = {true, 0, 1, 1, 0};
    assert_int_equal(s7p_tcp_set_keepalive(cfd, &bad, &e), S7P_E_IO);
    assert_true(e != 0);
    assert_int_equal(s7p_tcp_set_keepalive(-1, &set, &e), S7P_E_INVALID_ARG);
    s7p_tcp_close(afd);
    s7p_tcp_close(cfd);
    s7p_tcp_close(lfd);
}

static void expect_rejected(const s7p_client_options *o, const char *what)
{
    s7p_client *c = NULL;
    s7p_error err;
    assert_int_equal(s7p_client_new(&c, o, &err), S7P_E_INVALID_ARG);
    assert_null(c);
    if (!strstr(err.message, what)) fail_msg("message \"%s\" lacks \"%s\"", err.message, what);
}

static void test_options_checked(void **state)
{
    (void)state;
    s7p_client_options o;
    uint32_t *fields[] = {&o.keepalive_idle_s, &o.keepalive_interval_s, &o.keepalive_count};
    uint32_t too_big[] = {32768, 32768, 128};
    for (int i = 0; i < 3; i++) {
        s7p_client_options_init(&o);
        o.host = "127.0.0.1";
        *fields[i] = 0;
        expect_rejected(&o, "keepalive");
        *fields[i] = too_big[i];
        expect_rejected(&o, "keepalive");
        o.tcp_keepalive = false;  /* ignored when off */
        s7p_client *c = NULL;
        c = st_client_new(&o);
        s7p_client_free(c);
    }
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.tcp_user_timeout_ms = 0x80000000u;
    expect_rejected(&o, "user timeout");
    /* The largest values are accepted. */
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.keepalive_idle_s = o.keepalive_interval_s = 32767;
    o.keepalive_count = 127;
    o.tcp_user_timeout_ms = 0x7FFFFFFFu;
    s7p_client *c = NULL;
    c = st_client_new(&o);
    s7p_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_on_socket),
        cmocka_unit_test(test_configured_on_socket),
        cmocka_unit_test(test_tcp_set_get),
        cmocka_unit_test(test_options_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Connections that never finish their set-up cannot lock a real client out of the simulator:
 * 200 idle TCP sockets plus 12 that send only a COTP connect request, then a real client
 * (the public library) connects promptly; and every idle socket is closed by the set-up
 * deadline. Loopback only; every wait is bounded. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "net/tcp.h"
#include "net/cotp.h"
#include "proto/wr.h"
#include "simtest.h"
#include "util/clock.h"

#define N_IDLE 200
#define N_COTP 12
#define CONNECT_MS 2000u          /* the real client must be in within this */
#define SETUP_MS 1500u            /* the simulator's set-up deadline in the test */

/* A TCP socket to the simulator that then says nothing. */
static int idle_socket(uint16_t port)
{
    int fd = -1, e = 0;
    assert_int_equal(s7p_tcp_connect("127.0.0.1", port, s7p_deadline_in(CONNECT_MS), &fd, &e),
                     S7P_OK);
    return fd;
}

/* A socket that sends a valid COTP connect request and then nothing. */
static int cotp_only_socket(uint16_t port)
{
    int fd = idle_socket(port);
    uint8_t buf[64];
    uint8_t calling[2] = {S7P_TSAP_LOCAL_DEFAULT >> 8, S7P_TSAP_LOCAL_DEFAULT & 0xFF};
    s7p_bytes cg = {calling, sizeof calling};
    s7p_bytes cd = {(const uint8_t *)S7P_TSAP_REMOTE_HMI, strlen(S7P_TSAP_REMOTE_HMI)};
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_cotp_write_cr(&w, 1, 0x0A, cg, cd));
    int e = 0;
    assert_int_equal(s7p_tcp_write_all(fd, buf, w.len, s7p_deadline_in(CONNECT_MS), &e), S7P_OK);
    return fd;
}

/* True once the peer closed fd (EOF or reset), reading and dropping whatever came first. */
static bool peer_closed(int fd)
{
    uint8_t b[256];
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) return false;
        ssize_t n = read(fd, b, sizeof b);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
        if (n < 0) return false;
    }
}

static s7p_sim *start_sim(unsigned setup_ms)
{
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    if (setup_ms) c.setup_timeout_ms = setup_ms;
    return st_sim_start(&c);
}

/* Connects, reads nothing, disconnects; returns the connect time in ms (-1: failed). */
static int64_t real_client_connect_ms(uint16_t port)
{
    s7p_client_options o;
    st_client_options(&o, port);
    o.connect_timeout_ms = CONNECT_MS;
    o.request_timeout_ms = CONNECT_MS;
    o.disconnect_timeout_ms = CONNECT_MS;
    s7p_client *c = st_client_new(&o);
    s7p_error err;
    int64_t t0 = s7p_now_ms();
    s7p_status st = s7p_connect(c, &err);
    int64_t took = s7p_now_ms() - t0;
    if (st != S7P_OK) fprintf(stderr, "connect: %s\n", err.message);
    s7p_client_free(c);
    return st == S7P_OK ? took : -1;
}

static void open_flood(uint16_t port, int *idle, int *cotp)
{
    for (int i = 0; i < N_IDLE; i++) idle[i] = idle_socket(port);
    for (int i = 0; i < N_COTP; i++) cotp[i] = cotp_only_socket(port);
}

static void close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++) s7p_tcp_close(fds[i]);
}

/* With the default configuration (5 s set-up deadline), the flood does not keep a real client
 * out: it is connected within CONNECT_MS. */
static void test_real_client_gets_in(void **state)
{
    (void)state;
    s7p_sim *s = start_sim(0);
    uint16_t port = s7p_sim_port(s);
    int idle[N_IDLE], cotp[N_COTP];
    open_flood(port, idle, cotp);
    int64_t took = real_client_connect_ms(port);
    assert_true(took >= 0);
    assert_true(took < CONNECT_MS);
    /* Again while the flood sockets are still open (and some still pending). */
    took = real_client_connect_ms(port);
    assert_true(took >= 0 && took < CONNECT_MS);
    close_all(idle, N_IDLE);
    close_all(cotp, N_COTP);
    s7p_sim_stop(s);
}

/* Every flood socket is closed by the simulator within the set-up deadline (plus slack for
 * a busy machine), the COTP ones as well as the silent ones. */
static void test_idle_sockets_closed(void **state)
{
    (void)state;
    s7p_sim *s = start_sim(SETUP_MS);
    uint16_t port = s7p_sim_port(s);
    int idle[N_IDLE], cotp[N_COTP];
    open_flood(port, idle, cotp);
    /* From the last connect on: a full listen backlog makes some connects wait for a SYN
     * retry, so the simulator accepts the last sockets only then. */
    int64_t t0 = s7p_now_ms();
    bool closed[N_IDLE + N_COTP] = {false};
    int left = N_IDLE + N_COTP;
    while (left > 0 && s7p_now_ms() - t0 < 2 * (int64_t)SETUP_MS + 1000) {
        for (int i = 0; i < N_IDLE + N_COTP; i++) {
            if (closed[i]) continue;
            int fd = i < N_IDLE ? idle[i] : cotp[i - N_IDLE];
            if (peer_closed(fd)) {
                closed[i] = true;
                left--;
            }
        }
        poll(NULL, 0, 20);
    }
    if (left) fprintf(stderr, "%d sockets still open after %lld ms\n", left,
                      (long long)(s7p_now_ms() - t0));
    assert_int_equal(left, 0);
    /* A closed flood leaves the simulator usable. */
    int64_t took = real_client_connect_ms(port);
    assert_true(took >= 0 && took < CONNECT_MS);
    close_all(idle, N_IDLE);
    close_all(cotp, N_COTP);
    s7p_sim_stop(s);
}

/* The options are checked. */
static void test_setup_options_checked(void **state)
{
    (void)state;
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    assert_int_equal(c.setup_timeout_ms, 5000);
    assert_int_equal(c.max_pending, 16);
    char err[256] = "";
    c.setup_timeout_ms = 0;
    assert_null(s7p_sim_start(&c, err, sizeof err));
    assert_non_null(strstr(err, "setup_timeout_ms"));
    s7p_sim_config_init(&c);
    c.max_pending = 0;
    assert_null(s7p_sim_start(&c, err, sizeof err));
    assert_non_null(strstr(err, "max_pending"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_client_gets_in),
        cmocka_unit_test(test_idle_sockets_closed),
        cmocka_unit_test(test_setup_options_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

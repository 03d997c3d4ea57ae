/* SPDX-License-Identifier: MIT */
/* The blocking channel (src/session/channel.c) over a socket pair: a receive whose deadline
 * passes in the middle of a frame keeps the bytes it read and the channel usable, so the
 * simulator's connection thread can wake up for its subscriptions' cycles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/ids.h"
#include "session/channel.h"
#include "util/clock.h"

#define HMI "SIMATIC-ROOT-HMI"

static void write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        assert_true(k > 0);
        p += k;
        n -= (size_t)k;
    }
}

/* Writes what the link queued to fd. */
static void drain(s7p_link *l, int fd, size_t max)
{
    const uint8_t *p;
    size_t n;
    s7p_link_output(l, &p, &n);
    if (n > max) n = max;
    write_all(fd, p, n);
    s7p_link_consumed(l, n);
}

static void test_timeout_mid_frame_keeps_bytes(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    /* The channel expects a non-blocking socket, as s7p_tcp_connect/accept give it. */
    assert_int_equal(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK), 0);
    s7p_channel srv;
    s7p_link cli;  /* the peer, driven by hand through sv[1] */
    assert_int_equal(s7p_channel_init(&srv, sv[0]), S7P_OK);
    assert_int_equal(s7p_link_init(&cli, -1), S7P_OK);
    /* COTP: the CR goes into the socket, the server accepts, the CC comes back. */
    s7p_iso_client_params prm = {0, HMI, 0};
    assert_int_equal(s7p_link_connect_start(&cli, &prm), S7P_OK);
    drain(&cli, sv[1], SIZE_MAX);
    assert_int_equal(s7p_iso_accept(&srv.iso, NULL, NULL, s7p_deadline_in(2000)), S7P_OK);
    uint8_t buf[256];
    ssize_t k = read(sv[1], buf, sizeof buf);
    assert_true(k > 0);
    assert_int_equal(s7p_link_feed(&cli, buf, (size_t)k), S7P_OK);
    bool done = false;
    assert_int_equal(s7p_link_connect_step(&cli, &done), S7P_OK);
    assert_true(done);

    s7p_pdu p;
    s7p_pdu_init_request(&p, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, 77, 0x3A0, S7P_TF_REQUEST);
    assert_int_equal(s7p_link_put_pdu(&cli, &p), S7P_OK);
    const uint8_t *out;
    size_t n;
    s7p_link_output(&cli, &out, &n);
    assert_true(n > 10);
    drain(&cli, sv[1], n / 2);      /* half of the frame */

    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    s7p_msg m;
    int64_t t0 = s7p_now_ms();
    assert_int_equal(s7p_channel_recv(&srv, &a, &m, s7p_deadline_in(50)), S7P_E_TIMEOUT);
    assert_true(s7p_now_ms() - t0 >= 40);
    /* Still usable: a second wait times out the same way, not with a broken link. */
    assert_int_equal(s7p_channel_recv(&srv, &a, &m, s7p_deadline_in(10)), S7P_E_TIMEOUT);
    drain(&cli, sv[1], SIZE_MAX);   /* the rest */
    assert_int_equal(s7p_channel_recv(&srv, &a, &m, s7p_deadline_in(2000)), S7P_OK);
    assert_int_equal(m.kind, S7P_MSG_PDU);
    assert_int_equal(m.pdu.function, S7P_FC_GET_MULTI_VARIABLES);
    assert_int_equal(m.pdu.seq, 77);
    /* And answers still go out. */
    s7p_pdu r;
    s7p_pdu_init_response(&r, &m.pdu, 0);
    assert_int_equal(s7p_channel_send(&srv, &r, s7p_deadline_in(2000)), S7P_OK);

    s7p_arena_release(&a);
    s7p_link_free(&cli);
    s7p_channel_close(&srv);
    close(sv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeout_mid_frame_keeps_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

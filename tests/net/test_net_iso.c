/* SPDX-License-Identifier: MIT */
/* ISO-on-TCP over real loopback TCP (127.0.0.1, kernel-chosen ports) and socketpairs: the
 * CR/CC handshake both ways, refusals, TSDU sizes, DT joining, empty DTs, limits, timeouts
 * (measured), refused and closed connections. Both ends run in this process; the peer runs on
 * a thread, which only records results: all assertions happen on the main thread. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "net/iso.h"
#include "net/tcp.h"
#include "util/clock.h"

#define HMI "SIMATIC-ROOT-HMI"
#define STEP_MS 2000u     /* bound for steps that should finish at once */
#define TIMEOUT_MS 250u   /* deadline of the timeout tests */
#define SLACK 1.10        /* a timeout must fire within deadline + 10 % */

static int64_t soon(void) { return s7p_deadline_in(STEP_MS); }

static double now_f(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_us(unsigned us)
{
    struct timespec ts = {0, (long)us * 1000L};
    nanosleep(&ts, NULL);
}

/* Every measured timeout, for the summary at the end. */
static struct { const char *what; double ms; } timings[16];
static size_t n_timings;

static void assert_timely(const char *what, double elapsed)
{
    print_message("timeout %-26s deadline %u ms, fired after %.2f ms\n", what, TIMEOUT_MS,
                  elapsed);
    if (n_timings < sizeof timings / sizeof timings[0]) {
        timings[n_timings].what = what;
        timings[n_timings++].ms = elapsed;
    }
    assert_true(elapsed >= TIMEOUT_MS - 5.0);  /* not early (ms rounding of the deadline) */
    assert_true(elapsed <= TIMEOUT_MS * SLACK);
}

/* ---- sockets ---- */

static int listen_lo(uint16_t *port)
{
    int lfd, e;
    assert_int_equal(s7p_tcp_listen("127.0.0.1", 0, 4, &lfd, port, &e), S7P_OK);
    assert_true(lfd >= 0);
    assert_int_not_equal(*port, 0);
    return lfd;
}

/* A connected TCP pair over 127.0.0.1: the kernel completes the handshake from the listen
 * backlog, so no thread is needed. */
static void tcp_pair(int *cfd, int *sfd)
{
    int e;
    uint16_t port;
    int lfd = listen_lo(&port);
    assert_int_equal(s7p_tcp_connect("127.0.0.1", port, soon(), cfd, &e), S7P_OK);
    assert_int_equal(s7p_tcp_accept(lfd, soon(), sfd, &e), S7P_OK);
    s7p_tcp_close(lfd);
}

/* Where TCP itself is not under test: an iso over one end of a socketpair, raw bytes on the
 * other. */
static int iso_on_socketpair(s7p_iso *iso)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
    assert_int_equal(s7p_iso_init(iso, sv[0]), S7P_OK);
    return sv[1];
}

static void raw_write(int fd, const void *p, size_t n)
{
    int e;
    assert_int_equal(s7p_tcp_write_all(fd, p, n, soon(), &e), S7P_OK);
}

/* Reads exactly one TPKT (never more, so the next one stays in the socket). */
static s7p_status raw_read_tpkt(int fd, uint8_t *buf, size_t cap, size_t *n, int64_t deadline)
{
    size_t have = 0, need = S7P_TPKT_HEADER_LEN;
    *n = 0;
    while (have < need) {
        size_t got;
        int e;
        s7p_status st = s7p_tcp_read_some(fd, buf + have, need - have, &got, deadline, &e);
        if (st != S7P_OK) return st;
        have += got;
        if (need == S7P_TPKT_HEADER_LEN && have == need) {
            st = s7p_tpkt_length(buf, have, &need);
            if (st != S7P_OK) return st;
            if (need > cap) return S7P_E_LIMIT;
        }
    }
    *n = have;
    return S7P_OK;
}

static size_t dt(uint8_t *buf, size_t cap, const void *p, size_t n, bool eot)
{
    s7p_wr w = s7p_wr_init(buf, cap);
    assert_true(s7p_cotp_write_dt(&w, p, n, eot));
    return w.len;
}

/* ---- the peer thread ---- */

typedef struct peer {
    pthread_t thread;
    int fd;                    /* raw socket of a scripted peer */
    s7p_iso iso;               /* server iso (accept) */
    s7p_iso *send_iso;         /* sender: which iso sends */
    s7p_status st;
    /* accept */
    bool refuse;
    char called[48];           /* TSAP the check saw */
    /* scripted: optionally read one TPKT, then write script, optionally close */
    bool read_first;
    uint8_t got[256];
    size_t got_n;
    const uint8_t *script;
    size_t script_n;
    unsigned byte_delay_us;    /* write byte by byte with this pause; 0 = one write */
    bool close_after;
    /* sender */
    const uint8_t *data;
    size_t data_n, chunk;
} peer;

static bool check_tsap(void *ctx, s7p_bytes called)
{
    peer *p = ctx;
    size_t n = called.n < sizeof p->called - 1 ? called.n : sizeof p->called - 1;
    memcpy(p->called, called.p, n);
    p->called[n] = '\0';
    return !p->refuse;
}

static void *accept_main(void *arg)
{
    peer *p = arg;
    p->st = s7p_iso_accept(&p->iso, check_tsap, p, soon());
    return NULL;
}

static void *accept_all_main(void *arg)
{
    peer *p = arg;
    p->st = s7p_iso_accept(&p->iso, NULL, NULL, soon());
    return NULL;
}

static void *script_main(void *arg)
{
    peer *p = arg;
    int e;
    p->st = S7P_OK;
    if (p->read_first) p->st = raw_read_tpkt(p->fd, p->got, sizeof p->got, &p->got_n, soon());
    if (p->st == S7P_OK && p->byte_delay_us == 0 && p->script_n)
        p->st = s7p_tcp_write_all(p->fd, p->script, p->script_n, soon(), &e);
    for (size_t i = 0; p->st == S7P_OK && p->byte_delay_us && i < p->script_n; i++) {
        p->st = s7p_tcp_write_all(p->fd, p->script + i, 1, soon(), &e);
        sleep_us(p->byte_delay_us);
    }
    if (p->close_after) {
        s7p_tcp_close(p->fd);
        p->fd = -1;
    }
    return NULL;
}

static void *send_main(void *arg)
{
    peer *p = arg;
    p->st = s7p_iso_send(p->send_iso, p->data, p->data_n, p->chunk, soon());
    return NULL;
}

static void start(peer *p, void *(*fn)(void *))
{
    assert_int_equal(pthread_create(&p->thread, NULL, fn, p), 0);
}

static void join(peer *p) { assert_int_equal(pthread_join(p->thread, NULL), 0); }

/* Client and server iso over loopback TCP, after a full CR/CC handshake. */
static void iso_pair(s7p_iso *cli, peer *srv)
{
    int cfd, sfd;
    tcp_pair(&cfd, &sfd);
    memset(srv, 0, sizeof *srv);
    assert_int_equal(s7p_iso_init(&srv->iso, sfd), S7P_OK);
    assert_int_equal(s7p_iso_init(cli, cfd), S7P_OK);
    start(srv, accept_main);
    s7p_iso_client_params prm = {0, HMI, 0};
    s7p_status st = s7p_iso_connect(cli, &prm, soon());
    join(srv);
    assert_int_equal(st, S7P_OK);
    assert_int_equal(srv->st, S7P_OK);
}

static uint8_t *pattern(size_t n, unsigned seed)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i * 31u + seed + (i >> 8));
    return p;
}

/* ---- handshake ---- */

static void test_handshake(void **state)
{
    (void)state;
    s7p_iso cli;
    peer srv;
    iso_pair(&cli, &srv);
    assert_string_equal(srv.called, HMI);
    assert_int_equal(cli.tpdu_size, 1024);
    assert_int_equal(srv.iso.tpdu_size, 1024);
    assert_int_not_equal(cli.local_ref, 0);
    assert_int_not_equal(srv.iso.local_ref, 0);
    assert_int_equal(cli.remote_ref, srv.iso.local_ref);
    assert_int_equal(srv.iso.remote_ref, cli.local_ref);

    /* Both directions carry data afterwards. */
    s7p_bytes b;
    assert_int_equal(s7p_iso_send(&cli, (const uint8_t *)"hello", 5, 0, soon()), S7P_OK);
    assert_int_equal(s7p_iso_recv(&srv.iso, &b, soon()), S7P_OK);
    assert_int_equal(b.n, 5);
    assert_memory_equal(b.p, "hello", 5);
    assert_int_equal(s7p_iso_send(&srv.iso, (const uint8_t *)"world!", 6, 0, soon()), S7P_OK);
    assert_int_equal(s7p_iso_recv(&cli, &b, soon()), S7P_OK);
    assert_int_equal(b.n, 6);
    assert_memory_equal(b.p, "world!", 6);
    s7p_iso_close(&cli);
    s7p_iso_close(&srv.iso);
}

/* The server's CC for a given raw CR, read by a raw client. */
static size_t cc_for(const uint8_t *cr, size_t crn, uint8_t *cc, size_t cap, size_t *srv_tpdu)
{
    int cfd, sfd;
    size_t n;
    peer srv;
    tcp_pair(&cfd, &sfd);
    memset(&srv, 0, sizeof srv);
    assert_int_equal(s7p_iso_init(&srv.iso, sfd), S7P_OK);
    start(&srv, accept_all_main);  /* NULL check: every TSAP is accepted */
    raw_write(cfd, cr, crn);
    s7p_status st = raw_read_tpkt(cfd, cc, cap, &n, soon());
    join(&srv);
    assert_int_equal(st, S7P_OK);
    assert_int_equal(srv.st, S7P_OK);
    *srv_tpdu = srv.iso.tpdu_size;
    s7p_iso_close(&srv.iso);
    s7p_tcp_close(cfd);
    return n;
}

static void test_cc_echoes_tsaps(void **state)
{
    (void)state;
    /* A real HMI's CR (shared/captures/s7-1200-hmi.pcap): C1 C2 C0, calling TSAP 06 20. */
    static const uint8_t cr[] = {
        0x03, 0x00, 0x00, 0x24, 0x1F, 0xE0, 0x00, 0x00, 0x01, 0x12, 0x00, 0xC1, 0x02, 0x06,
        0x20, 0xC2, 0x10, 'S', 'I', 'M', 'A', 'T', 'I', 'C', '-', 'R', 'O', 'O', 'T', '-',
        'H', 'M', 'I', 0xC0, 0x01, 0x0A};
    /* Our answer: what that PLC sent, except our own reference (1 instead of 9). */
    static const uint8_t want[] = {
        0x03, 0x00, 0x00, 0x24, 0x1F, 0xD0, 0x01, 0x12, 0x00, 0x01, 0x00, 0xC0, 0x01, 0x0A,
        0xC1, 0x02, 0x06, 0x20, 0xC2, 0x10, 'S', 'I', 'M', 'A', 'T', 'I', 'C', '-', 'R', 'O',
        'O', 'T', '-', 'H', 'M', 'I'};
    uint8_t cc[128];
    size_t tpdu;
    size_t n = cc_for(cr, sizeof cr, cc, sizeof cc, &tpdu);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(cc, want, sizeof want);
    assert_int_equal(tpdu, 1024);

    /* TPDU size granted: min(asked, 1024); no C0 means ISO's 128. */
    static const struct { uint8_t ask; uint8_t grant; size_t size; } g[] = {
        {0x0D, 0x0A, 1024}, {0x0B, 0x0A, 1024}, {0x08, 0x08, 256}, {0x07, 0x07, 128},
        {0x00, 0x07, 128},
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        uint8_t buf[64], tsap[2] = {0x06, 0x00};
        s7p_wr w = s7p_wr_init(buf, sizeof buf);
        s7p_bytes calling = {tsap, 2}, called = {(const uint8_t *)"X", 1};
        s7p_cotp_write_cr(&w, 7, g[i].ask, calling, called);
        if (g[i].ask == 0) {  /* drop C0 (3 bytes at offset 11) */
            memmove(buf + 11, buf + 14, w.len - 14);
            w.len -= 3;
            buf[3] = (uint8_t)w.len;
            buf[4] = (uint8_t)(w.len - 5);
        }
        n = cc_for(buf, w.len, cc, sizeof cc, &tpdu);
        s7p_cotp c;
        assert_int_equal(s7p_cotp_decode(cc, n, &c), S7P_OK);
        assert_int_equal(c.type, S7P_COTP_CC);
        assert_int_equal(c.dst_ref, 7);
        assert_int_equal(c.tpdu_exp, g[i].grant);
        assert_int_equal(tpdu, g[i].size);
        assert_int_equal(c.calling_tsap.n, 2);
        assert_memory_equal(c.calling_tsap.p, tsap, 2);
        assert_int_equal(c.called_tsap.n, 1);
        assert_int_equal(c.called_tsap.p[0], 'X');
    }
}

static void test_tsap_refused(void **state)
{
    (void)state;
    int cfd, sfd;
    peer srv;
    s7p_iso cli;
    /* Our client against a server that refuses. */
    tcp_pair(&cfd, &sfd);
    memset(&srv, 0, sizeof srv);
    srv.refuse = true;
    assert_int_equal(s7p_iso_init(&srv.iso, sfd), S7P_OK);
    assert_int_equal(s7p_iso_init(&cli, cfd), S7P_OK);
    start(&srv, accept_main);
    s7p_iso_client_params prm = {0, "SIMATIC-ROOT-OTH", 0};
    s7p_status st = s7p_iso_connect(&cli, &prm, soon());
    join(&srv);
    assert_int_equal(st, S7P_E_CONNECT);
    assert_int_equal(srv.st, S7P_E_CONNECT);
    assert_string_equal(srv.called, "SIMATIC-ROOT-OTH");
    s7p_iso_close(&cli);
    s7p_iso_close(&srv.iso);

    /* A raw client sees the DR: addressed to its reference, reason "address unknown". */
    static const uint8_t cr[] = {0x03, 0x00, 0x00, 0x16, 0x11, 0xE0, 0x00, 0x00, 0x00, 0x05,
                                 0x00, 0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x06, 0x00, 0xC2, 0x02,
                                 'N', 'O'};
    tcp_pair(&cfd, &sfd);
    memset(&srv, 0, sizeof srv);
    srv.refuse = true;
    assert_int_equal(s7p_iso_init(&srv.iso, sfd), S7P_OK);
    start(&srv, accept_main);
    raw_write(cfd, cr, sizeof cr);
    uint8_t buf[64];
    size_t n;
    st = raw_read_tpkt(cfd, buf, sizeof buf, &n, soon());
    join(&srv);
    assert_int_equal(st, S7P_OK);
    assert_int_equal(srv.st, S7P_E_CONNECT);
    s7p_cotp c;
    assert_int_equal(s7p_cotp_decode(buf, n, &c), S7P_OK);
    assert_int_equal(c.type, S7P_COTP_DR);
    assert_int_equal(c.dst_ref, 5);
    assert_int_equal(c.class_option, 3);
    s7p_iso_close(&srv.iso);
    s7p_tcp_close(cfd);
}

static void test_invalid_tsap_touches_nothing(void **state)
{
    (void)state;
    static const char *bad[] = {NULL, "", "012345678901234567890123456789012", "SIMATIC\tHMI",
                                "\xC3\xA4", "A\x7F"};
    s7p_iso iso;
    /* fd -1: any attempt to send would fail with an I/O error, not S7P_E_INVALID_ARG. */
    assert_int_equal(s7p_iso_init(&iso, -1), S7P_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s7p_iso_client_params prm = {0, bad[i], 0};
        assert_int_equal(s7p_iso_connect(&iso, &prm, soon()), S7P_E_INVALID_ARG);
        assert_int_equal(iso.fd, -1);
        assert_int_equal(iso.sys_errno, 0);
    }
    assert_int_equal(s7p_iso_connect(&iso, NULL, soon()), S7P_E_INVALID_ARG);
    s7p_iso_client_params bad_exp = {0, HMI, 6};
    assert_int_equal(s7p_iso_connect(&iso, &bad_exp, soon()), S7P_E_INVALID_ARG);
    bad_exp.tpdu_exp = 14;
    assert_int_equal(s7p_iso_connect(&iso, &bad_exp, soon()), S7P_E_INVALID_ARG);
    s7p_iso_close(&iso);

    /* A live socket: nothing reaches the peer. */
    int other = iso_on_socketpair(&iso);
    s7p_iso_client_params prm = {0, "", 0};
    assert_int_equal(s7p_iso_connect(&iso, &prm, soon()), S7P_E_INVALID_ARG);
    uint8_t b;
    assert_int_equal(recv(other, &b, 1, MSG_DONTWAIT), -1);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    s7p_iso_close(&iso);
    close(other);
}

/* Our client against a scripted server that reads the CR and answers `reply`. */
static s7p_status connect_to_script(const s7p_iso_client_params *prm, const uint8_t *reply,
                                    size_t n, bool close_after, s7p_iso *cli, peer *srv)
{
    int cfd, sfd;
    tcp_pair(&cfd, &sfd);
    memset(srv, 0, sizeof *srv);
    srv->fd = sfd;
    srv->read_first = true;
    srv->script = reply;
    srv->script_n = n;
    srv->close_after = close_after;
    assert_int_equal(s7p_iso_init(cli, cfd), S7P_OK);
    start(srv, script_main);
    s7p_status st = s7p_iso_connect(cli, prm, soon());
    join(srv);
    if (srv->fd >= 0) s7p_tcp_close(srv->fd);
    return st;
}

static size_t make_cc(uint8_t *buf, size_t cap, uint8_t exp)
{
    uint8_t tsap[2] = {0x06, 0x00};
    s7p_bytes calling = {tsap, 2}, called = {(const uint8_t *)HMI, 16};
    s7p_wr w = s7p_wr_init(buf, cap);
    assert_true(s7p_cotp_write_cc(&w, 1, 0x0013, exp, calling, called));
    return w.len;
}

static void test_client_negotiation(void **state)
{
    (void)state;
    static const uint8_t ref_cr[] = {
        0x03, 0x00, 0x00, 0x24, 0x1F, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC0, 0x01, 0x0A,
        0xC1, 0x02, 0x06, 0x00, 0xC2, 0x10, 'S', 'I', 'M', 'A', 'T', 'I', 'C', '-', 'R', 'O',
        'O', 'T', '-', 'H', 'M', 'I'};
    static const struct { uint8_t ask, answer; size_t size; } g[] = {
        {0, 0x0A, 1024}, {0, 0x09, 512}, {0, 0x0D, 1024} /* capped at what we asked */,
        {0x0D, 0x0D, 8192}, {0, 0x05, 1024} /* invalid: default */, {0x08, 0x0A, 256},
        {0, 0x00, 1024} /* no C0 at all */,
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        uint8_t cc[64];
        size_t n = make_cc(cc, sizeof cc, g[i].answer);
        if (g[i].answer == 0) {  /* drop C0 */
            memmove(cc + 11, cc + 14, n - 14);
            n -= 3;
            cc[3] = (uint8_t)n;
            cc[4] = (uint8_t)(n - 5);
        }
        s7p_iso cli;
        peer srv;
        s7p_iso_client_params prm = {0, HMI, g[i].ask};
        assert_int_equal(connect_to_script(&prm, cc, n, false, &cli, &srv), S7P_OK);
        assert_int_equal(srv.st, S7P_OK);
        assert_int_equal(cli.tpdu_size, g[i].size);
        assert_int_equal(cli.remote_ref, 0x0013);
        if (i == 0) {  /* the default CR is the reference client's, byte for byte */
            assert_int_equal(srv.got_n, sizeof ref_cr);
            assert_memory_equal(srv.got, ref_cr, sizeof ref_cr);
        }
        s7p_iso_close(&cli);
    }
    /* A custom local TSAP goes into C1. */
    uint8_t cc[64];
    size_t n = make_cc(cc, sizeof cc, 0x0A);
    s7p_iso cli;
    peer srv;
    s7p_iso_client_params prm = {0x0620, S7P_TSAP_REMOTE_ES, 0};
    assert_int_equal(connect_to_script(&prm, cc, n, false, &cli, &srv), S7P_OK);
    s7p_cotp c;
    assert_int_equal(s7p_cotp_decode(srv.got, srv.got_n, &c), S7P_OK);
    assert_memory_equal(c.calling_tsap.p, "\x06\x20", 2);
    assert_int_equal(c.called_tsap.n, strlen(S7P_TSAP_REMOTE_ES));
    s7p_iso_close(&cli);
}

static void test_connect_anything_but_cc(void **state)
{
    (void)state;
    static const uint8_t dr[] = {0x03, 0x00, 0x00, 0x0B, 0x06, 0x80, 0x00, 0x01, 0x00, 0x02,
                                 0x00};
    static const uint8_t data[] = {0x03, 0x00, 0x00, 0x08, 0x02, 0xF0, 0x80, 0x72};
    static const uint8_t bad_tpkt[] = {0x04, 0x00, 0x00, 0x07, 0x02, 0xF0, 0x80};
    static const uint8_t cr[] = {0x03, 0x00, 0x00, 0x0B, 0x06, 0xE0, 0x00, 0x00, 0x00, 0x01,
                                 0x00};
    /* Only a DR is a refusal; garbage is a protocol error (setup_reply says what came, -1
     * for bytes that are not COTP), and a close is a close, whole TPKT or not. */
    static const struct {
        const uint8_t *p;
        size_t n;
        bool close;
        s7p_status want;
        int reply;
    } cases[] = {
        {dr, sizeof dr, false, S7P_E_CONNECT, -1},
        {data, sizeof data, false, S7P_E_PROTOCOL, S7P_COTP_DT},
        {bad_tpkt, sizeof bad_tpkt, false, S7P_E_PROTOCOL, -1},
        {cr, sizeof cr, false, S7P_E_PROTOCOL, S7P_COTP_CR},
        {NULL, 0, true, S7P_E_CLOSED, -1} /* closes TCP without a word */,
        {dr, 5, true, S7P_E_CLOSED, -1} /* half a TPKT, then close */,
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s7p_iso cli;
        peer srv;
        s7p_iso_client_params prm = {0, HMI, 0};
        assert_int_equal(connect_to_script(&prm, cases[i].p, cases[i].n, cases[i].close, &cli,
                                           &srv),
                         cases[i].want);
        if (cases[i].want == S7P_E_PROTOCOL) assert_int_equal(cli.setup_reply, cases[i].reply);
        s7p_iso_close(&cli);
    }
}

/* ---- data ---- */

/* Sends n bytes one way on a thread and receives them on the main thread. Every DT carries
 * EOT, so each comes up as its own TSDU of at most `limit` bytes. */
static void transfer(s7p_iso *from, s7p_iso *to, size_t n, size_t chunk, size_t limit)
{
    uint8_t *data = pattern(n, (unsigned)n);
    uint8_t *got = malloc(n);
    assert_non_null(got);
    peer tx;
    memset(&tx, 0, sizeof tx);
    tx.send_iso = from;
    tx.data = data;
    tx.data_n = n;
    tx.chunk = chunk;
    start(&tx, send_main);
    size_t total = 0, pieces = 0;
    s7p_status st = S7P_OK;
    while (total < n && st == S7P_OK) {
        s7p_bytes b;
        st = s7p_iso_recv(to, &b, soon());
        if (st != S7P_OK || b.n > limit || b.n > n - total) break;
        memcpy(got + total, b.p, b.n);
        total += b.n;
        pieces++;
    }
    join(&tx);
    assert_int_equal(st, S7P_OK);
    assert_int_equal(tx.st, S7P_OK);
    assert_int_equal(total, n);
    assert_int_equal(pieces, (n + limit - 1) / limit);
    assert_memory_equal(got, data, n);
    free(data);
    free(got);
}

static void test_tsdu_sizes(void **state)
{
    (void)state;
    s7p_iso cli;
    peer srv;
    iso_pair(&cli, &srv);
    static const size_t sizes[] = {1, 1017, 1018, 60000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        transfer(&cli, &srv.iso, sizes[i], 0, 1017);  /* 0: TPDU 1024 - 7 */
        transfer(&srv.iso, &cli, sizes[i], 0, 1017);
    }
    transfer(&cli, &srv.iso, 1018, 100, 100);
    transfer(&cli, &srv.iso, 60000, 960, 960);   /* the TLS chunk size */
    transfer(&cli, &srv.iso, 3000, 5000, 1017);  /* never beyond the TPDU size */
    assert_int_equal(s7p_iso_send(&cli, NULL, 0, 0, soon()), S7P_OK);  /* nothing to send */
    s7p_iso_close(&cli);
    s7p_iso_close(&srv.iso);
}

static void test_dts_joined(void **state)
{
    (void)state;
    s7p_iso iso;
    int raw = iso_on_socketpair(&iso);
    uint8_t buf[256];
    size_t n = 0;
    s7p_bytes b;
    /* One TSDU in three DTs, EOT only on the last; all in one write. */
    n += dt(buf + n, sizeof buf - n, "abc", 3, false);
    n += dt(buf + n, sizeof buf - n, "def", 3, false);
    n += dt(buf + n, sizeof buf - n, "gh", 2, true);
    raw_write(raw, buf, n);
    assert_int_equal(s7p_iso_recv(&iso, &b, soon()), S7P_OK);
    assert_int_equal(b.n, 8);
    assert_memory_equal(b.p, "abcdefgh", 8);

    /* Three TSDUs in one write come up one by one. */
    n = 0;
    n += dt(buf + n, sizeof buf - n, "one", 3, true);
    n += dt(buf + n, sizeof buf - n, "two", 3, true);
    n += dt(buf + n, sizeof buf - n, "three", 5, true);
    raw_write(raw, buf, n);
    static const char *want[] = {"one", "two", "three"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s7p_iso_recv(&iso, &b, soon()), S7P_OK);
        assert_int_equal(b.n, strlen(want[i]));
        assert_memory_equal(b.p, want[i], b.n);
    }

    /* Byte by byte, so every TPKT arrives split across many reads. */
    n = 0;
    n += dt(buf + n, sizeof buf - n, "split ", 6, false);
    n += dt(buf + n, sizeof buf - n, "tsdu", 4, true);
    n += dt(buf + n, sizeof buf - n, "next", 4, true);
    peer wr;
    memset(&wr, 0, sizeof wr);
    wr.fd = raw;
    wr.script = buf;
    wr.script_n = n;
    wr.byte_delay_us = 300;
    start(&wr, script_main);
    s7p_status st1 = s7p_iso_recv(&iso, &b, soon());
    size_t n1 = b.n;
    int same1 = st1 == S7P_OK && n1 == 10 && memcmp(b.p, "split tsdu", 10) == 0;
    s7p_status st2 = s7p_iso_recv(&iso, &b, soon());
    join(&wr);
    assert_int_equal(st1, S7P_OK);
    assert_true(same1);
    assert_int_equal(st2, S7P_OK);
    assert_int_equal(b.n, 4);
    assert_memory_equal(b.p, "next", 4);
    s7p_iso_close(&iso);
    close(raw);
}

static void test_empty_dts_skipped(void **state)
{
    (void)state;
    s7p_iso iso;
    int raw = iso_on_socketpair(&iso);
    static uint8_t buf[80 * 7 + 64];
    size_t n = 0;
    s7p_bytes b;
    /* Ours are byte for byte what HMIs send. */
    static const uint8_t empty[] = {0x03, 0x00, 0x00, 0x07, 0x02, 0xF0, 0x00};
    assert_int_equal(s7p_iso_send_empty(&iso, soon()), S7P_OK);
    uint8_t got[16];
    assert_int_equal(recv(raw, got, sizeof got, 0), 7);
    assert_memory_equal(got, empty, 7);

    /* Empty DTs with and without EOT, before and inside a TSDU. */
    n += dt(buf + n, sizeof buf - n, NULL, 0, false);
    n += dt(buf + n, sizeof buf - n, NULL, 0, true);
    n += dt(buf + n, sizeof buf - n, "data", 4, true);
    n += dt(buf + n, sizeof buf - n, "a", 1, false);
    n += dt(buf + n, sizeof buf - n, NULL, 0, false);
    n += dt(buf + n, sizeof buf - n, "b", 1, true);
    raw_write(raw, buf, n);
    assert_int_equal(s7p_iso_recv(&iso, &b, soon()), S7P_OK);
    assert_int_equal(b.n, 4);
    assert_memory_equal(b.p, "data", 4);
    assert_int_equal(s7p_iso_recv(&iso, &b, soon()), S7P_OK);
    assert_int_equal(b.n, 2);
    assert_memory_equal(b.p, "ab", 2);

    /* 64 empty DTs in a row are tolerated, the 65th is not. */
    for (int limit = 64; limit <= 65; limit++) {
        n = 0;
        for (int i = 0; i < limit; i++) n += dt(buf + n, sizeof buf - n, NULL, 0, i % 2);
        n += dt(buf + n, sizeof buf - n, "x", 1, true);
        raw_write(raw, buf, n);
        s7p_status st = s7p_iso_recv(&iso, &b, soon());
        assert_int_equal(st, limit == 64 ? S7P_OK : S7P_E_PROTOCOL);
    }
    s7p_iso_close(&iso);
    close(raw);
}

/* n payload bytes in DTs of 1024 (a TPKT may exceed the TPDU size; we accept it), EOT last. */
static size_t tsdu_of(uint8_t *buf, size_t cap, size_t n)
{
    size_t len = 0;
    static uint8_t block[1024];
    while (n > 0) {
        size_t k = n < sizeof block ? n : sizeof block;
        len += dt(buf + len, cap - len, block, k, k == n);
        n -= k;
    }
    return len;
}

static void test_tsdu_limit(void **state)
{
    (void)state;
    s7p_iso iso;
    int raw = iso_on_socketpair(&iso);
    size_t cap = S7P_ISO_MAX_TSDU + 100 * 7 + 64;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    for (size_t extra = 0; extra <= 1; extra++) {
        size_t n = tsdu_of(buf, cap, S7P_ISO_MAX_TSDU + extra);
        peer wr;
        memset(&wr, 0, sizeof wr);
        wr.fd = raw;
        wr.script = buf;
        wr.script_n = n;
        start(&wr, script_main);
        s7p_bytes b;
        s7p_status st = s7p_iso_recv(&iso, &b, soon());
        join(&wr);
        assert_int_equal(wr.st, S7P_OK);
        if (extra == 0) {
            assert_int_equal(st, S7P_OK);
            assert_int_equal(b.n, S7P_ISO_MAX_TSDU);
        } else {
            assert_int_equal(st, S7P_E_LIMIT);
        }
    }
    free(buf);
    s7p_iso_close(&iso);
    close(raw);
}

static void test_partial_tsdu_survives_timeout(void **state)
{
    (void)state;
    s7p_iso iso;
    int raw = iso_on_socketpair(&iso);
    uint8_t buf[64];
    s7p_bytes b;
    /* A first DT without EOT, then half of the second TPKT: the receive times out... */
    size_t n = dt(buf, sizeof buf, "abc", 3, false);
    size_t m = dt(buf + n, sizeof buf - n, "def", 3, true);
    raw_write(raw, buf, n + 5);
    assert_int_equal(s7p_iso_recv(&iso, &b, s7p_deadline_in(30)), S7P_E_TIMEOUT);
    assert_null(b.p);
    /* ...and the next one still gets the whole TSDU. */
    raw_write(raw, buf + n + 5, m - 5);
    assert_int_equal(s7p_iso_recv(&iso, &b, soon()), S7P_OK);
    assert_int_equal(b.n, 6);
    assert_memory_equal(b.p, "abcdef", 6);
    s7p_iso_close(&iso);
    close(raw);
}

static void test_unexpected_tpdus(void **state)
{
    (void)state;
    static const uint8_t dr[] = {0x03, 0x00, 0x00, 0x0B, 0x06, 0x80, 0x00, 0x01, 0x00, 0x02,
                                 0x00};
    static const uint8_t cr[] = {0x03, 0x00, 0x00, 0x0B, 0x06, 0xE0, 0x00, 0x00, 0x00, 0x01,
                                 0x00};
    static const uint8_t cc[] = {0x03, 0x00, 0x00, 0x0B, 0x06, 0xD0, 0x00, 0x01, 0x00, 0x01,
                                 0x00};
    static const uint8_t er[] = {0x03, 0x00, 0x00, 0x09, 0x04, 0x70, 0x00, 0x01, 0x00};
    static const uint8_t bad_version[] = {0x04, 0x00, 0x00, 0x07, 0x02, 0xF0, 0x80};
    static const uint8_t bad_li[] = {0x03, 0x00, 0x00, 0x08, 0x03, 0xF0, 0x80, 0x00};
    static const struct { const uint8_t *p; size_t n; s7p_status want; } cases[] = {
        {dr, sizeof dr, S7P_E_CLOSED}, {cr, sizeof cr, S7P_E_PROTOCOL},
        {cc, sizeof cc, S7P_E_PROTOCOL}, {er, sizeof er, S7P_E_PROTOCOL},
        {bad_version, sizeof bad_version, S7P_E_PROTOCOL},
        {bad_li, sizeof bad_li, S7P_E_PROTOCOL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s7p_iso iso;
        int raw = iso_on_socketpair(&iso);
        raw_write(raw, cases[i].p, cases[i].n);
        s7p_bytes b;
        assert_int_equal(s7p_iso_recv(&iso, &b, soon()), cases[i].want);
        s7p_iso_close(&iso);
        close(raw);
    }
}

/* ---- closing ---- */

static void test_peer_close(void **state)
{
    (void)state;
    s7p_iso cli;
    peer srv;
    s7p_bytes b;
    iso_pair(&cli, &srv);
    s7p_iso_close(&srv.iso);
    double t0 = now_f();
    assert_int_equal(s7p_iso_recv(&cli, &b, soon()), S7P_E_CLOSED);
    assert_true(now_f() - t0 < 500.0);  /* noticed at once, not at the deadline */
    s7p_iso_close(&cli);

    /* Closed in the middle of a TPKT. */
    s7p_iso iso;
    int raw = iso_on_socketpair(&iso);
    raw_write(raw, "\x03\x00\x00\x0A\x02", 5);
    close(raw);
    assert_int_equal(s7p_iso_recv(&iso, &b, soon()), S7P_E_CLOSED);
    s7p_iso_close(&iso);
}

/* Writing to a closed peer must give S7P_E_CLOSED, never SIGPIPE (no handler installed: a
 * SIGPIPE would kill this test). */
static void test_no_sigpipe(void **state)
{
    (void)state;
    int cfd, sfd, e = 0;
    tcp_pair(&cfd, &sfd);
    s7p_tcp_close(sfd);
    static uint8_t block[4096];
    s7p_status st = S7P_OK;
    for (int i = 0; i < 1000 && st == S7P_OK; i++) {
        st = s7p_tcp_write_all(cfd, block, sizeof block, soon(), &e);
        if (st == S7P_OK) sleep_us(1000);  /* let the RST come back */
    }
    assert_int_equal(st, S7P_E_CLOSED);
    assert_true(e == EPIPE || e == ECONNRESET);
    s7p_tcp_close(cfd);
}

static void test_close_idempotent(void **state)
{
    (void)state;
    s7p_iso iso;
    int raw = iso_on_socketpair(&iso);
    s7p_iso_close(&iso);
    assert_int_equal(iso.fd, -1);
    assert_null(iso.rbuf);
    s7p_iso_close(&iso);
    s7p_bytes b;
    assert_int_equal(s7p_iso_recv(&iso, &b, soon()), S7P_E_STATE);
    assert_int_equal(s7p_iso_send(&iso, (const uint8_t *)"x", 1, 0, soon()), S7P_E_STATE);
    close(raw);

    /* A zeroed struct owns nothing, in particular not fd 0. */
    int was_open = fcntl(0, F_GETFD) != -1;
    memset(&iso, 0, sizeof iso);
    s7p_iso_close(&iso);
    assert_int_equal(fcntl(0, F_GETFD) != -1, was_open);
    s7p_iso_close(NULL);
}

/* ---- TCP errors and timeouts ---- */

static void test_connect_refused(void **state)
{
    (void)state;
    uint16_t port;
    int fd, e;
    s7p_tcp_close(listen_lo(&port));  /* a port that was just free, now closed */
    double t0 = now_f();
    assert_int_equal(s7p_tcp_connect("127.0.0.1", port, soon(), &fd, &e), S7P_E_CONNECT);
    assert_true(now_f() - t0 < 500.0);
    assert_int_equal(e, ECONNREFUSED);
    assert_int_equal(fd, -1);
}

static void test_tcp_resolve_and_families(void **state)
{
    (void)state;
    int fd, e;
    uint16_t port;
    /* Names that fail before any DNS query leaves the host. */
    assert_int_equal(s7p_tcp_connect("..", 102, soon(), &fd, &e), S7P_E_RESOLVE);
    assert_int_equal(s7p_tcp_connect("a b", 102, soon(), &fd, &e), S7P_E_RESOLVE);
    assert_int_equal(s7p_tcp_connect(NULL, 102, soon(), &fd, &e), S7P_E_INVALID_ARG);

    /* "localhost" may resolve to ::1 and 127.0.0.1: each address is tried. */
    int lfd = listen_lo(&port);
    assert_int_equal(s7p_tcp_connect("localhost", port, soon(), &fd, &e), S7P_OK);
    int sfd;
    assert_int_equal(s7p_tcp_accept(lfd, soon(), &sfd, &e), S7P_OK);
    s7p_tcp_close(fd);
    s7p_tcp_close(sfd);
    s7p_tcp_close(lfd);

    /* IPv6 loopback, where the host has it. */
    if (s7p_tcp_listen("::1", 0, 4, &lfd, &port, &e) == S7P_OK) {
        assert_int_equal(s7p_tcp_connect("::1", port, soon(), &fd, &e), S7P_OK);
        assert_int_equal(s7p_tcp_accept(lfd, soon(), &sfd, &e), S7P_OK);
        raw_write(fd, "v6", 2);
        uint8_t b[2];
        size_t got;
        assert_int_equal(s7p_tcp_read_some(sfd, b, 2, &got, soon(), &e), S7P_OK);
        s7p_tcp_close(fd);
        s7p_tcp_close(sfd);
        s7p_tcp_close(lfd);
    } else {
        print_message("no IPv6 loopback here: ::1 part skipped\n");
    }
    size_t got;
    assert_int_equal(s7p_tcp_read_some(0, NULL, 0, &got, soon(), &e), S7P_E_INVALID_ARG);
}

static void test_iso_connect_timeout(void **state)
{
    (void)state;
    uint16_t port;
    int fd, e;
    int lfd = listen_lo(&port);
    /* The kernel accepts TCP from the backlog; nobody ever answers the CR. */
    assert_int_equal(s7p_tcp_connect("127.0.0.1", port, soon(), &fd, &e), S7P_OK);
    s7p_iso iso;
    assert_int_equal(s7p_iso_init(&iso, fd), S7P_OK);
    s7p_iso_client_params prm = {0, HMI, 0};
    double t0 = now_f();
    s7p_status st = s7p_iso_connect(&iso, &prm, s7p_deadline_in(TIMEOUT_MS));
    double el = now_f() - t0;
    assert_int_equal(st, S7P_E_TIMEOUT);
    assert_timely("iso_connect (no CC)", el);
    s7p_iso_close(&iso);
    s7p_tcp_close(lfd);
}

static void test_other_timeouts(void **state)
{
    (void)state;
    uint16_t port;
    int fd, e;
    int lfd = listen_lo(&port);
    double t0 = now_f();
    assert_int_equal(s7p_tcp_accept(lfd, s7p_deadline_in(TIMEOUT_MS), &fd, &e), S7P_E_TIMEOUT);
    assert_timely("tcp_accept (nobody)", now_f() - t0);

    /* A client that connects but never sends its CR. */
    int cfd, sfd;
    assert_int_equal(s7p_tcp_connect("127.0.0.1", port, soon(), &cfd, &e), S7P_OK);
    assert_int_equal(s7p_tcp_accept(lfd, soon(), &sfd, &e), S7P_OK);
    s7p_iso srv;
    assert_int_equal(s7p_iso_init(&srv, sfd), S7P_OK);
    t0 = now_f();
    assert_int_equal(s7p_iso_accept(&srv, NULL, NULL, s7p_deadline_in(TIMEOUT_MS)),
                     S7P_E_TIMEOUT);
    assert_timely("iso_accept (no CR)", now_f() - t0);

    /* A connected peer that sends nothing. */
    s7p_bytes b;
    t0 = now_f();
    assert_int_equal(s7p_iso_recv(&srv, &b, s7p_deadline_in(TIMEOUT_MS)), S7P_E_TIMEOUT);
    assert_timely("iso_recv (silence)", now_f() - t0);
    s7p_iso_close(&srv);
    s7p_tcp_close(cfd);
    s7p_tcp_close(lfd);
}

/* A listener whose accept queue is full drops further SYNs, so connect() hangs: the only way
 * to make a TCP connect time out on loopback. */
static void test_tcp_connect_timeout(void **state)
{
    (void)state;
    uint16_t port;
    int e, fds[8], nfd = 0;
    int lfd;
    assert_int_equal(s7p_tcp_listen("127.0.0.1", 0, 0, &lfd, &port, &e), S7P_OK);
    s7p_status st = S7P_OK;
    double el = 0;
    while (nfd < 8) {
        int fd;
        double t0 = now_f();
        st = s7p_tcp_connect("127.0.0.1", port, s7p_deadline_in(TIMEOUT_MS), &fd, &e);
        el = now_f() - t0;
        if (st != S7P_OK) break;
        fds[nfd++] = fd;
    }
    for (int i = 0; i < nfd; i++) s7p_tcp_close(fds[i]);
    s7p_tcp_close(lfd);
    if (st == S7P_OK) skip();  /* this kernel queued all of them */
    assert_int_equal(st, S7P_E_TIMEOUT);
    assert_timely("tcp_connect (queue full)", el);
}

static int summary(void **state)
{
    (void)state;
    double worst = 0;
    for (size_t i = 0; i < n_timings; i++)
        if (timings[i].ms > worst) worst = timings[i].ms;
    print_message("timeouts: %zu measured, worst %.2f ms for a %u ms deadline (+%.1f %%)\n",
                  n_timings, worst, TIMEOUT_MS, (worst / TIMEOUT_MS - 1.0) * 100.0);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake),
        cmocka_unit_test(test_cc_echoes_tsaps),
        cmocka_unit_test(test_tsap_refused),
        cmocka_unit_test(test_invalid_tsap_touches_nothing),
        cmocka_unit_test(test_client_negotiation),
        cmocka_unit_test(test_connect_anything_but_cc),
        cmocka_unit_test(test_tsdu_sizes),
        cmocka_unit_test(test_dts_joined),
        cmocka_unit_test(test_empty_dts_skipped),
        cmocka_unit_test(test_tsdu_limit),
        cmocka_unit_test(test_partial_tsdu_survives_timeout),
        cmocka_unit_test(test_unexpected_tpdus),
        cmocka_unit_test(test_peer_close),
        cmocka_unit_test(test_no_sigpipe),
        cmocka_unit_test(test_close_idempotent),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_tcp_resolve_and_families),
        cmocka_unit_test(test_iso_connect_timeout),
        cmocka_unit_test(test_other_timeouts),
        cmocka_unit_test(test_tcp_connect_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, summary);
}

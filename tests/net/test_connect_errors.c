/* SPDX-License-Identifier: MIT */
/* Connect failures through the public client, each against an in-process fake PLC on
 * 127.0.0.1 (a thread that plays one scripted connection): the code, the transient flag and
 * the message say what happened. A COTP refusal is a configuration error (TSAP); garbage
 * instead of the connect confirm is a protocol error; a close is a close; a PLC that
 * acknowledges InitSSL and then does not speak TLS is pointed at the security mode; CA and
 * key-log files that cannot be used are configuration errors, and a key log that is a FIFO
 * never blocks the connect. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "net/tcp.h"
#include "session/channel.h"
#include "simtest.h"
#include "util/clock.h"

#define STEP_MS 3000u
#define CONNECT_MS 2000u

typedef enum {
    PLAY_GARBAGE,        /* answers the CR with an HTTP error */
    PLAY_DT,             /* answers the CR with a COTP DT */
    PLAY_CLOSE,          /* reads the CR, closes */
    PLAY_REFUSE,         /* answers the CR with a DR (unknown TSAP) */
    PLAY_NO_TLS_BYTES,   /* CC, acknowledges InitSSL, answers the ClientHello in clear */
    PLAY_NO_TLS_CLOSE,   /* CC, acknowledges InitSSL, closes on the ClientHello */
} play;

typedef struct fake {
    play mode;
    int lfd;
    uint16_t port;
    pthread_t thread;
    s7p_status st;       /* the fake's own outcome, checked on the main thread */
} fake;

static bool refuse_all(void *ctx, s7p_bytes called)
{
    (void)ctx;
    (void)called;
    return false;
}

/* Reads the CR without answering it. */
static s7p_status read_cr(s7p_iso *iso, int64_t deadline)
{
    uint8_t buf[64];
    size_t got = 0;
    return s7p_tcp_read_some(iso->fd, buf, sizeof buf, &got, deadline, &iso->sys_errno);
}

/* CC, then the InitSSL request answered with return value 0, as a PLC does. */
static s7p_status ack_init_ssl(s7p_channel *ch, int64_t deadline)
{
    s7p_status st = s7p_iso_accept(&ch->iso, NULL, NULL, deadline);
    s7p_arena a;
    s7p_arena_init(&a, 1u << 16);
    s7p_msg m;
    if (st == S7P_OK) st = s7p_channel_recv(ch, &a, &m, deadline);
    if (st == S7P_OK && (m.kind != S7P_MSG_PDU || m.pdu.function != S7P_FC_INIT_SSL))
        st = S7P_E_PROTOCOL;
    if (st == S7P_OK) {
        s7p_pdu resp;
        s7p_pdu_init_response(&resp, &m.pdu, 0);
        st = s7p_channel_send(ch, &resp, deadline);
    }
    s7p_arena_release(&a);
    return st;
}

static s7p_status play_one(fake *f, s7p_channel *ch, int64_t deadline)
{
    static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    static const uint8_t dt[] = {0x03, 0x00, 0x00, 0x08, 0x02, 0xF0, 0x80, 0x72};
    static const uint8_t s7[] = {0x72, 0x01, 0x00, 0x04, 0x32, 0x00, 0x00, 0x00};
    s7p_status st;
    s7p_bytes hello;
    switch (f->mode) {
    case PLAY_GARBAGE:
        st = read_cr(&ch->iso, deadline);
        return st ? st : s7p_tcp_write_all(ch->iso.fd, (const uint8_t *)http, strlen(http),
                                           deadline, &ch->iso.sys_errno);
    case PLAY_DT:
        st = read_cr(&ch->iso, deadline);
        return st ? st : s7p_tcp_write_all(ch->iso.fd, dt, sizeof dt, deadline, &ch->iso.sys_errno);
    case PLAY_CLOSE:
        return read_cr(&ch->iso, deadline);
    case PLAY_REFUSE:
        st = s7p_iso_accept(&ch->iso, refuse_all, NULL, deadline);
        return st == S7P_E_CONNECT ? S7P_OK : S7P_E_STATE;
    case PLAY_NO_TLS_BYTES:
    case PLAY_NO_TLS_CLOSE:
        st = ack_init_ssl(ch, deadline);
        if (st == S7P_OK) st = s7p_iso_recv(&ch->iso, &hello, deadline);  /* ClientHello */
        if (st == S7P_OK && (hello.n == 0 || hello.p[0] != 0x16)) st = S7P_E_PROTOCOL;
        if (st == S7P_OK && f->mode == PLAY_NO_TLS_BYTES)
            st = s7p_iso_send(&ch->iso, s7, sizeof s7, 0, deadline);
        return st;
    }
    return S7P_E_STATE;
}

static void *fake_main(void *arg)
{
    fake *f = arg;
    int64_t deadline = s7p_deadline_in(STEP_MS);
    int fd = -1, e = 0;
    s7p_channel ch;
    f->st = s7p_tcp_accept(f->lfd, deadline, &fd, &e);
    if (f->st != S7P_OK) return NULL;
    f->st = s7p_channel_init(&ch, fd);
    if (f->st != S7P_OK) return NULL;
    f->st = play_one(f, &ch, deadline);
    if (f->mode != PLAY_CLOSE && f->mode != PLAY_NO_TLS_CLOSE) {
        /* Stay until the client gives up, so the client sees our bytes, not a close. */
        uint8_t buf[256];
        size_t got;
        while (s7p_tcp_read_some(fd, buf, sizeof buf, &got, deadline, &e) == S7P_OK) {}
    }
    s7p_channel_close(&ch);
    return NULL;
}

static void fake_start(fake *f, play mode)
{
    int e;
    memset(f, 0, sizeof *f);
    f->mode = mode;
    assert_int_equal(s7p_tcp_listen("127.0.0.1", 0, 4, &f->lfd, &f->port, &e), S7P_OK);
    assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_join(fake *f)
{
    pthread_join(f->thread, NULL);
    s7p_tcp_close(f->lfd);
    assert_int_equal(f->st, S7P_OK);
}

static void options(s7p_client_options *o, uint16_t port)
{
    st_client_options(o, port);
    o->connect_timeout_ms = CONNECT_MS;
}

/* Connects once; returns the code and fills err. Also checks the time bound. */
static s7p_status connect_once(const s7p_client_options *o, s7p_error *err)
{
    s7p_client *c;
    c = st_client_new(o);
    int64_t t0 = s7p_now_ms();
    s7p_status st = s7p_connect(c, err);
    int64_t took = s7p_now_ms() - t0;
    print_message("  %s (transient %d) after %lld ms: %s\n", s7p_strerror(err->code),
                  err->transient, (long long)took, err->message);
    assert_true(took < 2 * (int64_t)CONNECT_MS);
    assert_false(s7p_is_connected(c));
    s7p_client_free(c);
    return st;
}

static void expect_fake(play mode, s7p_status code, bool transient, const char *text)
{
    fake f;
    s7p_client_options o;
    s7p_error err;
    fake_start(&f, mode);
    options(&o, f.port);
    assert_int_equal(connect_once(&o, &err), code);
    fake_join(&f);
    assert_int_equal(err.code, code);
    assert_int_equal(err.transient, transient);
    assert_string_equal(err.op, "connect");
    if (!strstr(err.message, text)) fail_msg("\"%s\" lacks \"%s\"", err.message, text);
}

static void test_garbage_instead_of_cc(void **state)
{
    (void)state;
    expect_fake(PLAY_GARBAGE, S7P_E_PROTOCOL, false,
                "PLC sent bytes that are not COTP instead of a COTP connect confirm");
    expect_fake(PLAY_DT, S7P_E_PROTOCOL, false,
                "PLC sent COTP data instead of a COTP connect confirm");
}

static void test_close_instead_of_cc(void **state)
{
    (void)state;
    expect_fake(PLAY_CLOSE, S7P_E_CLOSED, true,
                "PLC closed the connection during the COTP connect");
}

static void test_cotp_refusal_is_config(void **state)
{
    (void)state;
    expect_fake(PLAY_REFUSE, S7P_E_CONFIG, false,
                "PLC refused the connection (check the TSAP \"SIMATIC-ROOT-HMI\")");
}

static void test_init_ssl_without_tls(void **state)
{
    (void)state;
    expect_fake(PLAY_NO_TLS_BYTES, S7P_E_CONFIG, false,
                "PLC acknowledged InitSSL but answered the TLS handshake with non-TLS bytes "
                "(0x72...): it may need legacy security mode");
    expect_fake(PLAY_NO_TLS_CLOSE, S7P_E_CLOSED, true,
                "PLC acknowledged InitSSL but did not answer the TLS handshake (it closed the "
                "connection): it may need legacy security mode");
}

/* ---- local files: no PLC needed, the TLS set-up fails before any connect ---- */

static char tmpdir[64];

static void path_in_tmp(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void expect_config(const s7p_client_options *o, const char *text)
{
    s7p_error err;
    assert_int_equal(connect_once(o, &err), S7P_E_CONFIG);
    assert_int_equal(err.code, S7P_E_CONFIG);
    assert_false(err.transient);
    if (!strstr(err.message, text)) fail_msg("\"%s\" lacks \"%s\"", err.message, text);
}

static void test_ca_file_unusable(void **state)
{
    (void)state;
    char missing[128], junk[128];
    path_in_tmp(missing, sizeof missing, "no-such-ca.pem");
    path_in_tmp(junk, sizeof junk, "junk-ca.pem");
    FILE *fp = fopen(junk, "w");
    assert_non_null(fp);
    fputs("this is not a certificate\n", fp);
    fclose(fp);
    s7p_client_options o;
    options(&o, 1);  /* nobody listens: the CA file must fail first */
    o.verify = S7P_VERIFY_CA;
    o.ca_file = missing;
    expect_config(&o, "cannot load CA file");
    expect_config(&o, "No such file or directory");
    o.ca_file = junk;
    expect_config(&o, junk);
    o.ca_file = tmpdir;  /* a directory */
    expect_config(&o, "cannot load CA file");
}

/* A FIFO as key log: opening it for writing blocks until a reader comes, which used to hold
 * the handshake forever. Now it is refused at once, with and without a reader. */
static void test_keylog_fifo(void **state)
{
    (void)state;
    char fifo[128];
    path_in_tmp(fifo, sizeof fifo, "keylog.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    s7p_sim *sim = st_sim_start(NULL);
    s7p_client_options o;
    options(&o, s7p_sim_port(sim));
    o.keylog_file = fifo;
    expect_config(&o, "key-log file");  /* no reader */
    expect_config(&o, "not a regular file");
    int reader = open(fifo, O_RDONLY | O_NONBLOCK);
    assert_true(reader >= 0);
    expect_config(&o, "not a regular file");  /* with a reader */
    close(reader);
    char dir_keylog[128];
    path_in_tmp(dir_keylog, sizeof dir_keylog, "no-dir/keys.log");
    o.keylog_file = dir_keylog;
    expect_config(&o, "cannot open key-log file");
    /* A plain file still works and gets the secrets. */
    char plain[128];
    path_in_tmp(plain, sizeof plain, "keys.log");
    o.keylog_file = plain;
    s7p_client_free(st_client_connect(&o));
    struct stat sb;
    assert_int_equal(stat(plain, &sb), 0);
    assert_true(sb.st_size > 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    s7p_sim_stop(sim);
    unlink(plain);
    unlink(fifo);
}

static int make_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/s7p-connerr-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmp(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_garbage_instead_of_cc),
        cmocka_unit_test(test_close_instead_of_cc),
        cmocka_unit_test(test_cotp_refusal_is_config),
        cmocka_unit_test(test_init_ssl_without_tls),
        cmocka_unit_test(test_ca_file_unusable),
        cmocka_unit_test(test_keylog_fifo),
    };
    return cmocka_run_group_tests(tests, make_tmp, remove_tmp);
}

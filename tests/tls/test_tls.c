/* SPDX-License-Identifier: MIT */
/* TLS layer: client and server s7p_tls over a socketpair (server on a second thread). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/pem.h>

#include "pair.h"
#include "tls/internal.h"
#include "util/clock.h"

#define OMS_LABEL "EXPERIMENTAL_OMS"

typedef struct fixture {
    char dir[64];               /* temporary directory for PEM and key log files */
    s7p_tls_ctx *server;        /* generated certificate */
    s7p_tls_ctx *client;        /* VERIFY_NONE */
} fixture;

/* Every file the tests create in the temporary directory. */
static const char *const TEMP_FILES[] = {"server.pem", "server.key", "other-ca.pem", "pem.pem",
                                         "pem.key", "a.pem", "a.key", "b.pem", "b.key",
                                         "keys.log"};

static void path_in(const char *dir, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", dir, name);
}

static s7p_tls_ctx *make_ctx(const s7p_tls_config *cfg)
{
    char err[256];
    s7p_tls_ctx *c = s7p_tls_ctx_new(cfg, err, sizeof err);
    if (!c) fprintf(stderr, "ctx: %s\n", err);
    assert_non_null(c);
    return c;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/s7p-tls-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    s7p_tls_config srv = {.server = true, .common_name = "unit-test"};
    s7p_tls_config cli = {.verify = S7P_TLS_VERIFY_NONE};
    f->server = s7p_tls_ctx_new(&srv, NULL, 0);
    f->client = s7p_tls_ctx_new(&cli, NULL, 0);
    *state = f;
    return f->server && f->client ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    s7p_tls_ctx_free(f->server);
    s7p_tls_ctx_free(f->client);
    for (size_t i = 0; i < sizeof TEMP_FILES / sizeof TEMP_FILES[0]; i++) {
        char path[96];
        path_in(f->dir, TEMP_FILES[i], path, sizeof path);
        unlink(path);
    }
    int r = rmdir(f->dir);
    free(f);
    return r;
}

/* A fresh self-signed certificate + key from our generator, as PEM files. */
static void write_pem_pair(const char *cert_path, const char *key_path, uint8_t fp[32])
{
    EVP_PKEY *key;
    X509 *cert;
    assert_null(s7p_tls_self_signed("pem-test", &key, &cert));
    FILE *fc = fopen(cert_path, "w");
    assert_non_null(fc);
    assert_int_equal(PEM_write_X509(fc, cert), 1);
    fclose(fc);
    if (key_path) {
        FILE *fk = fopen(key_path, "w");
        assert_non_null(fk);
        assert_int_equal(PEM_write_PrivateKey(fk, key, NULL, NULL, 0, NULL, NULL), 1);
        fclose(fk);
    }
    unsigned int n = 0;
    if (fp) assert_int_equal(X509_digest(cert, EVP_sha256(), fp, &n), 1);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static bool is_gcm_suite(const char *name)
{
    return strcmp(name, "TLS_AES_256_GCM_SHA384") == 0 ||
           strcmp(name, "TLS_AES_128_GCM_SHA256") == 0;
}

static void test_handshake_cipher_export_fingerprint(void **state)
{
    fixture *f = *state;
    int64_t dl = s7p_deadline_in(5000);
    pair *p = pair_new(f->server, 0, 0, dl);
    assert_int_equal(pair_client_handshake(p, f->client, dl), S7P_OK);
    assert_string_equal(s7p_tls_error(p->t), "");
    assert_int_equal(s7p_tls_error_code(p->t), 0);
    assert_true(is_gcm_suite(s7p_tls_cipher(p->t)));

    uint8_t oms[32], peer[32], cert[32];
    assert_true(s7p_tls_export(p->t, OMS_LABEL, oms, sizeof oms));
    assert_true(s7p_tls_peer_sha256(p->t, peer));
    assert_true(s7p_tls_ctx_cert_sha256(f->server, cert));
    assert_memory_equal(peer, cert, 32);
    assert_false(s7p_tls_ctx_cert_sha256(f->client, cert));
    pair_free(p, true);
}

/* The exporter value must be the same on both ends; checked after the server has joined. */
static void test_export_matches_server(void **state)
{
    fixture *f = *state;
    int64_t dl = s7p_deadline_in(5000);
    pair *p = pair_new(f->server, 0, 0, dl);
    assert_int_equal(pair_client_handshake(p, f->client, dl), S7P_OK);
    uint8_t oms[32], other[32];
    assert_true(s7p_tls_export(p->t, OMS_LABEL, oms, sizeof oms));
    assert_true(s7p_tls_export(p->t, "OTHER_LABEL", other, sizeof other));
    assert_memory_not_equal(oms, other, 32);
    s7p_tls_shutdown(p->t, dl);
    s7p_tls_free(p->t);
    p->t = NULL;
    server_job *srv = &p->srv;
    pthread_join(srv->th, NULL);
    srv->started = false;
    assert_int_equal(srv->hs, S7P_OK);
    assert_true(srv->oms_ok);
    assert_memory_equal(srv->oms, oms, 32);
    assert_int_equal(srv->last, S7P_E_CLOSED);     /* close_notify reached the server */
    assert_non_null(strstr(srv->err, "close_notify"));
    pair_free(p, false);
}

static void send_and_check_echo(pair *p, int i, uint8_t *buf, uint8_t *want, int64_t dl)
{
    size_t n = msg_size(i), got = 0;
    msg_fill(buf, n, i, 'c');
    unsigned before = p->cli.sends;
    assert_int_equal(s7p_tls_write(p->t, buf, n, dl), S7P_OK);
    assert_int_equal(p->cli.sends, before + 1);               /* one send ... */
    assert_int_equal(p->cli.bad_records, 0);                  /* ... holding one record */
    assert_int_equal(p->cli.last_record_len, n + 17);         /* type byte + GCM tag */
    assert_int_equal(s7p_tls_read(p->t, buf, PAIR_MAX_MSG, &got, dl), S7P_OK);
    assert_int_equal(got, n);
    msg_fill(want, n, i, 's');
    assert_memory_equal(buf, want, n);
}

static void test_hundred_messages_both_ways(void **state)
{
    fixture *f = *state;
    int64_t dl = s7p_deadline_in(20000);
    pair *p = pair_new(f->server, 100, 0, dl);
    assert_int_equal(pair_client_handshake(p, f->client, dl), S7P_OK);
    p->cli.inspect = true;
    size_t after_handshake = p->cli.received, app_bytes = 0;
    uint8_t *buf = malloc(PAIR_MAX_MSG), *want = malloc(PAIR_MAX_MSG);
    for (int i = 0; i < 100; i++) {
        send_and_check_echo(p, i, buf, want, dl);
        app_bytes += msg_size(i) + 22;
    }
    free(buf);
    free(want);
    /* The server's NewSessionTickets (sent after it saw our Finished) arrived in between
     * and were swallowed by s7p_tls_read. */
    assert_true(p->cli.received - after_handshake > app_bytes);
    s7p_tls_shutdown(p->t, dl);
    s7p_tls_free(p->t);
    p->t = NULL;
    pthread_join(p->srv.th, NULL);
    p->srv.started = false;
    assert_int_equal(p->srv.msg_bad, 0);
    assert_int_equal(p->srv.end.bad_records, 0);
    assert_int_equal(p->srv.end.sends, 100);
    assert_int_equal(p->srv.last, S7P_E_CLOSED);
    pair_free(p, false);
}

/* An error the application left on this thread's OpenSSL queue does not make the next
 * handshake, write or read fail (SSL_get_error would report it), and is gone afterwards. */
static void test_stale_error_queue(void **state)
{
    fixture *f = *state;
    int64_t dl = s7p_deadline_in(5000);
    pair *p = pair_new(f->server, 2, 0, dl);
    ERR_raise(ERR_LIB_USER, 1);
    assert_int_equal(pair_client_handshake(p, f->client, dl), S7P_OK);
    p->cli.inspect = true;
    uint8_t *buf = malloc(PAIR_MAX_MSG), *want = malloc(PAIR_MAX_MSG);
    for (int i = 0; i < 2; i++) {
        ERR_raise(ERR_LIB_USER, 2);
        send_and_check_echo(p, i, buf, want, dl);
    }
    free(buf);
    free(want);
    assert_int_equal(ERR_peek_error(), 0);
    pair_free(p, true);
}

/* A record larger than the caller's buffer comes out in pieces, in order. */
static void test_read_small_buffer(void **state)
{
    fixture *f = *state;
    int64_t dl = s7p_deadline_in(5000);
    pair *p = pair_new(f->server, 0, 1000, dl);
    assert_int_equal(pair_client_handshake(p, f->client, dl), S7P_OK);
    uint8_t got_all[1000], want[1000];
    size_t total = 0, got;
    while (total < sizeof got_all) {
        assert_int_equal(s7p_tls_read(p->t, got_all + total, 300, &got, dl), S7P_OK);
        assert_true(got > 0 && got <= 300);
        total += got;
    }
    assert_int_equal(total, 1000);
    msg_fill(want, sizeof want, 7, 't');
    assert_memory_equal(got_all, want, sizeof want);
    pair_free(p, true);
}

/* ---- sans-I/O: two connections over memory, bytes moved by hand ---- */

static void move_bytes(s7p_tls *from, s7p_tls *to)
{
    uint8_t b[4096];
    size_t n;
    while ((n = s7p_tls_take(from, b, sizeof b)) > 0) assert_int_equal(s7p_tls_feed(to, b, n), S7P_OK);
}

static void mem_handshake(fixture *f, s7p_tls **cli, s7p_tls **srv)
{
    *cli = s7p_tls_create(f->client);
    *srv = s7p_tls_create(f->server);
    assert_non_null(*cli);
    assert_non_null(*srv);
    bool cdone = false, sdone = false;
    for (int i = 0; i < 20 && !(cdone && sdone); i++) {
        assert_int_equal(s7p_tls_handshake_step(*cli, &cdone), S7P_OK);
        move_bytes(*cli, *srv);
        assert_int_equal(s7p_tls_handshake_step(*srv, &sdone), S7P_OK);
        move_bytes(*srv, *cli);
    }
    assert_true(cdone && sdone);
    /* The client takes what followed the server's Finished (TLS 1.3 session tickets). */
    uint8_t b[64];
    size_t got = 1;
    assert_int_equal(s7p_tls_open(*cli, b, sizeof b, &got), S7P_OK);
    assert_int_equal(got, 0);
}

static void seal_msg(s7p_tls *t, size_t n, int i)
{
    uint8_t m[2000];
    assert_true(n <= sizeof m);
    msg_fill(m, n, i, 's');
    assert_int_equal(s7p_tls_seal(t, m, n), S7P_OK);
}

/* Opens exactly the message sealed by seal_msg(n, i), in pieces of at most cap bytes. */
static void open_msg(s7p_tls *t, size_t n, int i, size_t cap)
{
    uint8_t got_all[2000], want[2000];
    size_t total = 0, got;
    while (total < n) {
        assert_int_equal(s7p_tls_open(t, got_all + total, cap, &got), S7P_OK);
        assert_true(got > 0 && got <= cap);
        total += got;
    }
    assert_int_equal(total, n);
    msg_fill(want, n, i, 's');
    assert_memory_equal(got_all, want, n);
}

static void assert_nothing_to_open(s7p_tls *t)
{
    uint8_t b[64];
    size_t got = 1;
    assert_int_equal(s7p_tls_open(t, b, sizeof b, &got), S7P_OK);
    assert_int_equal(got, 0);
}

/* s7p_tls_open stops asking OpenSSL once a read left nothing buffered, until bytes are fed:
 * records that came together, a record larger than the buffer, a record cut in two, the
 * peer's close after a record and a stale error in the thread's queue all come out as when
 * OpenSSL was asked every time. */
static void test_open_asks_only_when_something_can_come(void **state)
{
    fixture *f = *state;
    s7p_tls *cli, *srv;
    mem_handshake(f, &cli, &srv);
    /* Three records fed at once: each comes out, then nothing. */
    seal_msg(srv, 100, 1);
    seal_msg(srv, 1, 2);
    seal_msg(srv, 700, 3);
    move_bytes(srv, cli);
    open_msg(cli, 100, 1, 1500);
    open_msg(cli, 1, 2, 1500);
    open_msg(cli, 700, 3, 1500);
    assert_nothing_to_open(cli);
    assert_nothing_to_open(cli);
    /* A record larger than the buffer comes out in pieces. */
    seal_msg(srv, 1000, 4);
    move_bytes(srv, cli);
    open_msg(cli, 1000, 4, 300);
    assert_nothing_to_open(cli);
    /* A record fed in two parts: nothing after the first, all of it after the second. */
    uint8_t wire[2100];
    seal_msg(srv, 900, 5);
    size_t n = s7p_tls_take(srv, wire, sizeof wire);
    assert_true(n > 900);
    assert_int_equal(s7p_tls_feed(cli, wire, 10), S7P_OK);
    assert_nothing_to_open(cli);
    assert_int_equal(s7p_tls_feed(cli, wire + 10, n - 10), S7P_OK);
    open_msg(cli, 900, 5, 1500);
    assert_nothing_to_open(cli);
    /* A stale error in the thread's queue does not turn "nothing yet" into a failure. */
    seal_msg(srv, 50, 6);
    n = s7p_tls_take(srv, wire, sizeof wire);
    assert_int_equal(s7p_tls_feed(cli, wire, 10), S7P_OK);
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
    assert_nothing_to_open(cli);
    ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
    assert_int_equal(s7p_tls_feed(cli, wire + 10, n - 10), S7P_OK);
    open_msg(cli, 50, 6, 1500);
    /* A record and the peer's close_notify together: the record, then the close. */
    seal_msg(srv, 20, 7);
    s7p_tls_close_notify(srv);
    move_bytes(srv, cli);
    open_msg(cli, 20, 7, 1500);
    uint8_t b[64];
    size_t got = 1;
    assert_int_equal(s7p_tls_open(cli, b, sizeof b, &got), S7P_E_CLOSED);
    assert_int_equal(got, 0);
    s7p_tls_free(cli);
    s7p_tls_free(srv);
}

static void test_argument_and_state_checks(void **state)
{
    fixture *f = *state;
    pair *p = pair_new(NULL, 0, 0, 0);
    p->t = s7p_tls_new(f->client, &p->io);
    assert_non_null(p->t);
    uint8_t b[32] = {0};
    size_t got = 1;
    int64_t dl = s7p_deadline_in(100);
    assert_int_equal(s7p_tls_write(p->t, b, sizeof b, dl), S7P_E_STATE);
    assert_int_equal(s7p_tls_read(p->t, b, sizeof b, &got, dl), S7P_E_STATE);
    assert_int_equal(got, 0);
    assert_int_equal(s7p_tls_write(p->t, b, 16385, dl), S7P_E_INVALID_ARG);
    assert_false(s7p_tls_export(p->t, OMS_LABEL, b, sizeof b));
    assert_false(s7p_tls_peer_sha256(p->t, b));
    assert_string_equal(s7p_tls_cipher(p->t), "");
    s7p_tls_io bad = {0};
    assert_null(s7p_tls_new(f->client, &bad));
    s7p_tls_free(NULL);
    s7p_tls_ctx_free(NULL);
    pair_free(p, true);
}

static s7p_status pin_handshake(fixture *f, const uint8_t pin[32])
{
    s7p_tls_config cfg = {.verify = S7P_TLS_VERIFY_PIN};
    memcpy(cfg.pin_sha256, pin, 32);
    s7p_tls_ctx *c = make_ctx(&cfg);
    int64_t dl = s7p_deadline_in(5000);
    pair *p = pair_new(f->server, 0, 0, dl);
    s7p_status st = pair_client_handshake(p, c, dl);
    if (st != S7P_OK) {
        assert_non_null(strstr(s7p_tls_error(p->t), "fingerprint"));
        uint8_t b[32] = {0};
        assert_int_equal(s7p_tls_write(p->t, b, sizeof b, dl), S7P_E_STATE);
        assert_false(s7p_tls_export(p->t, OMS_LABEL, b, sizeof b));
        assert_int_equal(s7p_tls_handshake(p->t, dl), S7P_E_TLS_VERIFY);
    }
    pair_free(p, st == S7P_OK);
    s7p_tls_ctx_free(c);
    return st;
}

static void test_pin(void **state)
{
    fixture *f = *state;
    uint8_t pin[32];
    assert_true(s7p_tls_ctx_cert_sha256(f->server, pin));
    assert_int_equal(pin_handshake(f, pin), S7P_OK);
    pin[17] ^= 0x01;
    assert_int_equal(pin_handshake(f, pin), S7P_E_TLS_VERIFY);
}

/* Server with certificate/key from PEM files; the client trusts ca_path. */
static void run_ca_case(fixture *f, const char *ca_path, s7p_status want_client)
{
    char cert[96], key[96];
    path_in(f->dir, "server.pem", cert, sizeof cert);
    path_in(f->dir, "server.key", key, sizeof key);
    s7p_tls_config scfg = {.server = true, .cert_file = cert, .key_file = key};
    s7p_tls_config ccfg = {.verify = S7P_TLS_VERIFY_CA, .ca_file = ca_path};
    s7p_tls_ctx *sc = make_ctx(&scfg), *cc = make_ctx(&ccfg);
    int64_t dl = s7p_deadline_in(5000);
    pair *p = pair_new(sc, 0, 0, dl);
    s7p_status st = pair_client_handshake(p, cc, dl);
    assert_int_equal(st, want_client);
    if (st == S7P_E_TLS_VERIFY) {
        assert_non_null(strstr(s7p_tls_error(p->t), "certificate verification failed"));
        assert_int_not_equal(s7p_tls_error_code(p->t), 0);
        pthread_join(p->srv.th, NULL);
        p->srv.started = false;
        /* the client's alert ends the server's handshake */
        assert_int_equal(p->srv.hs, S7P_E_TLS);
        assert_non_null(strstr(p->srv.err, "alert"));
    }
    pair_free(p, st == S7P_OK);
    s7p_tls_ctx_free(sc);
    s7p_tls_ctx_free(cc);
}

static void test_ca_self_signed_ok_and_unrelated_rejected(void **state)
{
    fixture *f = *state;
    char cert[96], key[96], other[96];
    path_in(f->dir, "server.pem", cert, sizeof cert);
    path_in(f->dir, "server.key", key, sizeof key);
    path_in(f->dir, "other-ca.pem", other, sizeof other);
    write_pem_pair(cert, key, NULL);
    write_pem_pair(other, NULL, NULL);
    run_ca_case(f, cert, S7P_OK);
    run_ca_case(f, other, S7P_E_TLS_VERIFY);
}

static void test_pem_files(void **state)
{
    fixture *f = *state;
    char cert[96], key[96];
    uint8_t fp[32], got[32];
    path_in(f->dir, "pem.pem", cert, sizeof cert);
    path_in(f->dir, "pem.key", key, sizeof key);
    write_pem_pair(cert, key, fp);
    s7p_tls_config scfg = {.server = true, .cert_file = cert, .key_file = key};
    s7p_tls_ctx *sc = make_ctx(&scfg);
    assert_true(s7p_tls_ctx_cert_sha256(sc, got));
    assert_memory_equal(got, fp, 32);
    int64_t dl = s7p_deadline_in(5000);
    pair *p = pair_new(sc, 0, 0, dl);
    assert_int_equal(pair_client_handshake(p, f->client, dl), S7P_OK);
    assert_true(s7p_tls_peer_sha256(p->t, got));
    assert_memory_equal(got, fp, 32);
    pair_free(p, true);
    s7p_tls_ctx_free(sc);
}

static void expect_ctx_error(const s7p_tls_config *cfg, const char *needle)
{
    char err[256];
    assert_null(s7p_tls_ctx_new(cfg, err, sizeof err));
    if (!strstr(err, needle)) fail_msg("error '%s' lacks '%s'", err, needle);
}

static void test_ctx_errors(void **state)
{
    fixture *f = *state;
    char a_cert[96], a_key[96], b_cert[96], b_key[96];
    path_in(f->dir, "a.pem", a_cert, sizeof a_cert);
    path_in(f->dir, "a.key", a_key, sizeof a_key);
    path_in(f->dir, "b.pem", b_cert, sizeof b_cert);
    path_in(f->dir, "b.key", b_key, sizeof b_key);
    write_pem_pair(a_cert, a_key, NULL);
    write_pem_pair(b_cert, b_key, NULL);
    expect_ctx_error(&(s7p_tls_config){.server = true, .cert_file = "/nonexistent.pem",
                                       .key_file = a_key}, "cannot load certificate");
    expect_ctx_error(&(s7p_tls_config){.server = true, .cert_file = a_cert},
                     "must be given together");
    expect_ctx_error(&(s7p_tls_config){.server = true, .cert_file = a_cert,
                                       .key_file = b_key}, "mismatch");
    expect_ctx_error(&(s7p_tls_config){.verify = S7P_TLS_VERIFY_CA,
                                       .ca_file = "/nonexistent.pem"}, "cannot load CA file");
    expect_ctx_error(&(s7p_tls_config){.verify = (s7p_tls_verify)42}, "unknown verification");
    assert_null(s7p_tls_ctx_new(NULL, NULL, 0));
}

/* Checks one key log line: "LABEL <64 hex client random> <hex secret>". */
static void check_keylog_line(char *line, char *random_out)
{
    char *label = strtok(line, " "), *rnd = strtok(NULL, " "), *secret = strtok(NULL, " ");
    assert_non_null(label);
    assert_non_null(rnd);
    assert_non_null(secret);
    assert_null(strtok(NULL, " "));
    assert_int_equal(strlen(rnd), 64);
    size_t sl = strlen(secret);
    assert_true(sl == 64 || sl == 96);
    for (size_t i = 0; i < sl; i++) assert_true(isxdigit((unsigned char)secret[i]));
    if (random_out[0])
        assert_string_equal(random_out, rnd);
    else
        strcpy(random_out, rnd);
}

static const char *const KEYLOG_LABELS[] = {
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"};

static void test_keylog(void **state)
{
    fixture *f = *state;
    char path[96];
    path_in(f->dir, "keys.log", path, sizeof path);
    /* client and server write to the same file, as a test setup with the simulator might */
    s7p_tls_ctx *cc = make_ctx(&(s7p_tls_config){.keylog_file = path});
    s7p_tls_ctx *sc = make_ctx(&(s7p_tls_config){.server = true, .keylog_file = path});
    int64_t dl = s7p_deadline_in(5000);
    pair *p = pair_new(sc, 0, 0, dl);
    assert_int_equal(pair_client_handshake(p, cc, dl), S7P_OK);
    pair_free(p, true);
    s7p_tls_ctx_free(cc);
    s7p_tls_ctx_free(sc);

    struct stat stt;
    assert_int_equal(stat(path, &stt), 0);
    assert_int_equal(stt.st_mode & 0777, 0600);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[512], rnd[80] = "";
    int seen[5] = {0}, lines = 0;
    while (fgets(line, sizeof line, fp)) {
        size_t n = strlen(line);
        assert_true(n > 0 && line[n - 1] == '\n');
        line[n - 1] = '\0';
        for (int i = 0; i < 5; i++) {
            size_t ln = strlen(KEYLOG_LABELS[i]);
            if (strncmp(line, KEYLOG_LABELS[i], ln) == 0 && line[ln] == ' ') seen[i]++;
        }
        check_keylog_line(line, rnd);
        lines++;
    }
    fclose(fp);
    assert_int_equal(lines, 10);
    for (int i = 0; i < 5; i++) assert_int_equal(seen[i], 2);   /* once per side */
}

static void test_silent_server_times_out(void **state)
{
    fixture *f = *state;
    pair *p = pair_new(NULL, 0, 0, 0);
    int64_t t0 = s7p_now_ms(), dl = t0 + 500;
    assert_int_equal(pair_client_handshake(p, f->client, dl), S7P_E_TIMEOUT);
    int64_t took = s7p_now_ms() - t0;
    assert_true(took >= 500 && took <= 550);
    assert_non_null(strstr(s7p_tls_error(p->t), "timeout"));
    pair_free(p, false);
}

static void test_read_timeout(void **state)
{
    fixture *f = *state;
    int64_t dl = s7p_deadline_in(5000);
    pair *p = pair_new(f->server, 0, 0, dl);
    assert_int_equal(pair_client_handshake(p, f->client, dl), S7P_OK);
    uint8_t b[64];
    size_t got;
    int64_t t0 = s7p_now_ms();
    assert_int_equal(s7p_tls_read(p->t, b, sizeof b, &got, t0 + 200), S7P_E_TIMEOUT);
    int64_t took = s7p_now_ms() - t0;
    assert_true(took >= 200 && took <= 220);
    pair_free(p, true);
}

static void test_garbage_to_client(void **state)
{
    fixture *f = *state;
    pair *p = pair_new(NULL, 0, 0, 0);
    static const char junk[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(write(p->srv.end.fd, junk, sizeof junk - 1), (ssize_t)(sizeof junk - 1));
    assert_int_equal(pair_client_handshake(p, f->client, s7p_deadline_in(2000)), S7P_E_TLS);
    assert_int_not_equal(s7p_tls_error_code(p->t), 0);
    assert_non_null(strstr(s7p_tls_error(p->t), "tls handshake"));
    pair_free(p, false);
}

static void test_garbage_to_server(void **state)
{
    fixture *f = *state;
    pair *p = pair_new(f->server, 0, 0, s7p_deadline_in(2000));
    uint8_t junk[300];
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)(i * 37 + 5);
    junk[0] = 0x16;                  /* looks like a handshake record, then nonsense */
    assert_int_equal(write(p->cli.fd, junk, sizeof junk), (ssize_t)sizeof junk);
    pthread_join(p->srv.th, NULL);
    p->srv.started = false;
    assert_int_equal(p->srv.hs, S7P_E_TLS);
    assert_true(strlen(p->srv.err) > 0);
    pair_free(p, false);
}

static void test_peer_closes_during_handshake(void **state)
{
    fixture *f = *state;
    pair *p = pair_new(NULL, 0, 0, 0);
    close(p->srv.end.fd);
    p->srv.end.fd = -1;
    assert_int_equal(pair_client_handshake(p, f->client, s7p_deadline_in(2000)), S7P_E_CLOSED);
    pair_free(p, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_cipher_export_fingerprint),
        cmocka_unit_test(test_export_matches_server),
        cmocka_unit_test(test_hundred_messages_both_ways),
        cmocka_unit_test(test_read_small_buffer),
        cmocka_unit_test(test_stale_error_queue),
        cmocka_unit_test(test_open_asks_only_when_something_can_come),
        cmocka_unit_test(test_argument_and_state_checks),
        cmocka_unit_test(test_pin),
        cmocka_unit_test(test_ca_self_signed_ok_and_unrelated_rejected),
        cmocka_unit_test(test_pem_files),
        cmocka_unit_test(test_ctx_errors),
        cmocka_unit_test(test_keylog),
        cmocka_unit_test(test_silent_server_times_out),
        cmocka_unit_test(test_read_timeout),
        cmocka_unit_test(test_garbage_to_client),
        cmocka_unit_test(test_garbage_to_server),
        cmocka_unit_test(test_peer_closes_during_handshake),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

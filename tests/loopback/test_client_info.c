/* SPDX-License-Identifier: MIT */
/* Client against the embedded simulator on 127.0.0.1: connect, CPU info, disconnect, and
 * every connect failure the issue names, each with its typed error and bounded in time. */
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

static s7p_sim *start_sim(unsigned max_sessions)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.max_sessions = max_sessions;
    cfg.plc_name = "PLC_Loopback";
    cfg.order_number = "6ES7 516-3AN02-0AB0";
    cfg.serial_number = "S C-X4U421302023";
    cfg.firmware = "V3.1.0";
    cfg.project_name = "s7plus demo";
    return st_sim_start(&cfg);
}

static void test_info_fields(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(4);
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(sim));
    s7p_client *c;
    s7p_error err;
    s7p_cpu_info info;
    c = st_client_connect(&o);
    assert_true(s7p_is_connected(c));
    assert_int_equal(s7p_get_cpu_info(c, &info, &err), S7P_OK);
    assert_string_equal(info.plc_name, "PLC_Loopback");
    assert_string_equal(info.order_number, "6ES7 516-3AN02-0AB0");
    assert_string_equal(info.serial_number, "S C-X4U421302023");
    assert_string_equal(info.firmware, "V3.1.0");
    assert_string_equal(info.project_name, "s7plus demo");
    assert_string_equal(info.paom, "1;6ES7 516-3AN02-0AB0;V3.1");
    assert_int_equal(info.protection_level, 1);
    assert_true(strncmp(info.tls_cipher, "TLS_AES_", 8) == 0);
    char hex[65];
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", s7p_sim_cert_sha256(sim)[i]);
    assert_string_equal(info.cert_sha256, hex);
    assert_int_equal(s7p_disconnect(c, &err), S7P_OK);
    assert_false(s7p_is_connected(c));
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* 100 full cycles on one client; ASan's leak check covers the "no leak" part. */
static void test_hundred_cycles(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(4);
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(sim));
    s7p_client *c;
    s7p_error err;
    s7p_cpu_info info;
    int fds = open_fds();
    c = st_client_new(&o);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(s7p_connect(c, &err), S7P_OK);
        assert_int_equal(s7p_get_cpu_info(c, &info, &err), S7P_OK);
        assert_int_equal(s7p_disconnect(c, &err), S7P_OK);
    }
    s7p_client_free(c);
    /* Every socket closed. The client closes its own before disconnect returns; the
     * simulator's connection thread closes its socket and wake pipe a moment later. */
    for (int i = 0; i < 200 && open_fds() > fds; i++) st_sleep_ms(10);
    assert_int_equal(open_fds(), fds);
    assert_true(s7p_sim_requests(sim, 0x04CA) == 100);  /* 100 sessions created */
    assert_true(s7p_sim_requests(sim, 0x04D4) == 100);  /* and deleted */
    s7p_sim_stop(sim);
}

static uint16_t closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);  /* nothing listens there now */
    return ntohs(a.sin_port);
}

static void test_refused(void **state)
{
    (void)state;
    s7p_client_options o;
    st_client_options(&o, closed_port());
    s7p_client *c;
    s7p_error err;
    c = st_client_new(&o);
    assert_int_equal(s7p_connect(c, &err), S7P_E_CONNECT);
    assert_int_equal(err.code, S7P_E_CONNECT);
    assert_true(err.transient);
    assert_string_equal(err.op, "connect");
    char ep[64];
    snprintf(ep, sizeof ep, "127.0.0.1:%u", o.port);
    assert_string_equal(err.endpoint, ep);
    assert_non_null(strstr(err.message, ep));
    s7p_client_free(c);
}

/* A listener that accepts TCP (the kernel does) and never says a word. */
static void test_silent_server_times_out(void **state)
{
    (void)state;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lfd, 4), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
    s7p_client_options o;
    st_client_options(&o, ntohs(a.sin_port));
    o.connect_timeout_ms = 800;
    s7p_client *c;
    s7p_error err;
    c = st_client_new(&o);
    int64_t t0 = now_ms();
    assert_int_equal(s7p_connect(c, &err), S7P_E_TIMEOUT);
    int64_t took = now_ms() - t0;
    /* The bound is the timeout plus scheduling slack: on a loaded 2-core machine a wake-up
     * can come a few hundred ms late, while a wrong deadline would be off by whole seconds. */
    fprintf(stderr, "silent server: timeout after %lld ms (limit 800 ms + 400 ms slack)\n",
            (long long)took);
    assert_true(took >= 800 && took <= 1200);
    assert_true(err.transient);
    s7p_client_free(c);
    close(lfd);
}

static void test_invalid_tsap_opens_nothing(void **state)
{
    (void)state;
    static const char *bad[] = {"", "SIMATIC\x01ROOT", "ÄÖÜ", "0123456789012345678901234567890123"};
    int fds = open_fds();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s7p_client_options o;
        st_client_options(&o, 102);
        o.remote_tsap = bad[i];
        s7p_client *c = (s7p_client *)&o;  /* must be reset to NULL */
        s7p_error err;
        assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
        assert_null(c);
        assert_int_equal(err.code, S7P_E_INVALID_ARG);
        assert_false(err.transient);
    }
    assert_int_equal(open_fds(), fds);
}

static void test_session_limit(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(2);
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(sim));
    s7p_client *c[3];
    s7p_error err;
    for (int i = 0; i < 3; i++) assert_int_equal(s7p_client_new(&c[i], &o, &err), S7P_OK);
    assert_int_equal(s7p_connect(c[0], &err), S7P_OK);
    assert_int_equal(s7p_connect(c[1], &err), S7P_OK);
    assert_int_equal(s7p_connect(c[2], &err), S7P_E_PLC);
    assert_int_equal(err.plc_code, -113);
    assert_non_null(strstr(err.message, "-113"));
    assert_int_equal(s7p_disconnect(c[0], &err), S7P_OK);
    assert_int_equal(s7p_connect(c[2], &err), S7P_OK);  /* a session freed up */
    for (int i = 0; i < 3; i++) s7p_client_free(c[i]);
    s7p_sim_stop(sim);
}

static void test_pin(void **state)
{
    (void)state;
    s7p_sim *sim = start_sim(4);
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(sim));
    o.verify = S7P_VERIFY_PIN;
    memcpy(o.pin_sha256, s7p_sim_cert_sha256(sim), 32);
    s7p_client *c;
    s7p_error err;
    c = st_client_connect(&o);
    s7p_client_free(c);
    o.pin_sha256[7] ^= 0x40;
    c = st_client_new(&o);
    assert_int_equal(s7p_connect(c, &err), S7P_E_TLS_VERIFY);
    assert_false(err.transient);
    assert_false(s7p_is_connected(c));
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

/* The key log holds the five TLS 1.3 secrets of the session, all with one client random. */
static void test_keylog(void **state)
{
    (void)state;
    static const char *labels[] = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                   "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0",
                                   "EXPORTER_SECRET"};
    char path[] = "/tmp/s7p-keylog-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    s7p_sim *sim = start_sim(4);
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(sim));
    o.keylog_file = path;
    s7p_client *c;
    c = st_client_connect(&o);
    s7p_client_free(c);
    s7p_sim_stop(sim);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512], random[80] = "";
    int seen[5] = {0};
    while (fgets(line, sizeof line, f)) {
        char label[64], rnd[80], secret[200];
        assert_int_equal(sscanf(line, "%63s %79s %199s", label, rnd, secret), 3);
        assert_int_equal(strlen(rnd), 64);
        assert_true(strlen(secret) == 64 || strlen(secret) == 96);  /* SHA-256 / SHA-384 */
        if (!random[0]) snprintf(random, sizeof random, "%s", rnd);
        assert_string_equal(rnd, random);
        for (int i = 0; i < 5; i++) seen[i] += strcmp(label, labels[i]) == 0;
    }
    fclose(f);
    unlink(path);
    for (int i = 0; i < 5; i++) assert_int_equal(seen[i], 1);
}

static void test_calls_need_connection(void **state)
{
    (void)state;
    s7p_client_options o;
    st_client_options(&o, 102);
    s7p_client *c;
    s7p_error err;
    s7p_cpu_info info;
    c = st_client_new(&o);
    assert_int_equal(s7p_get_cpu_info(c, &info, &err), S7P_E_STATE);
    s7p_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_fields),
        cmocka_unit_test(test_hundred_cycles),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_silent_server_times_out),
        cmocka_unit_test(test_invalid_tsap_opens_nothing),
        cmocka_unit_test(test_session_limit),
        cmocka_unit_test(test_pin),
        cmocka_unit_test(test_keylog),
        cmocka_unit_test(test_calls_need_connection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

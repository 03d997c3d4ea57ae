/* SPDX-License-Identifier: MIT */
/* Whom the client trusts, through the public API against the simulator on 127.0.0.1:
 * - S7P_VERIFY_CA checks the PLC's identity, not only the chain: a certificate the CA issued
 *   for another host or address is refused; expected_name names the PLC when it is reached
 *   by another address.
 * - S7P_VERIFY_TOFU remembers the fingerprint in known_hosts_file on first contact, passes
 *   the same certificate later, and refuses a changed one with S7P_E_CERT_CHANGED showing
 *   both fingerprints.
 * The CA and the PLC certificates are made by the `openssl` command in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "simtest.h"

static char dir[64];

static void path_in(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void run(const char *cmd)
{
    if (system(cmd) != 0) fail_msg("failed: %s", cmd);
}

/* A PLC key and certificate <name>.pem/.key signed by the test CA, with these SANs. */
static void make_plc_cert(const char *name, const char *san)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && printf 'subjectAltName=%s\\nbasicConstraints=critical,CA:FALSE\\n' > %s.ext"
             " && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
             " -keyout %s.key -out %s.csr -subj /CN=%s 2>/dev/null"
             " && openssl x509 -req -in %s.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
             " -days 2 -sha256 -extfile %s.ext -out %s.pem 2>/dev/null",
             dir, san, name, name, name, name, name, name, name);
    run(cmd);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/s7p-ident-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
             " -keyout ca.key -out ca.pem -days 2 -subj /CN=s7plus-test-CA"
             " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign 2>/dev/null",
             dir);
    if (system(cmd) != 0) return -1;
    make_plc_cert("plc1", "DNS:plc1.example,IP:127.0.0.1");
    make_plc_cert("other", "DNS:other.example,IP:192.0.2.7");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The simulator serving <name>.pem, or a generated certificate when name is NULL. */
static s7p_sim *start_sim(const char *name, uint16_t port)
{
    char cert[128], key[128], f[64];
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.port = port;
    if (name) {
        snprintf(f, sizeof f, "%s.pem", name);
        path_in(cert, sizeof cert, f);
        snprintf(f, sizeof f, "%s.key", name);
        path_in(key, sizeof key, f);
        c.cert_file = cert;
        c.key_file = key;
    }
    return st_sim_start(&c);
}

static s7p_status try_connect(const s7p_client_options *o, s7p_error *err)
{
    s7p_client *c;
    c = st_client_new(o);
    s7p_status st = s7p_connect(c, err);
    if (st != S7P_OK) print_message("  %s: %s\n", s7p_strerror(st), err->message);
    s7p_client_free(c);
    return st;
}

static void ca_options(s7p_client_options *o, uint16_t port, char *ca, size_t cap)
{
    st_client_options(o, port);
    o->verify = S7P_VERIFY_CA;
    path_in(ca, cap, "ca.pem");
    o->ca_file = ca;
}

static void expect_refused(const s7p_client_options *o, const char *why)
{
    s7p_error err;
    assert_int_equal(try_connect(o, &err), S7P_E_TLS_VERIFY);
    assert_false(err.transient);
    if (!strstr(err.message, why)) fail_msg("\"%s\" lacks \"%s\"", err.message, why);
}

static void test_ca_checks_the_address(void **state)
{
    (void)state;
    char ca[128];
    s7p_client_options o;
    s7p_error err;
    s7p_sim *sim = start_sim("plc1", 0);
    ca_options(&o, s7p_sim_port(sim), ca, sizeof ca);
    assert_int_equal(try_connect(&o, &err), S7P_OK);      /* IP SAN 127.0.0.1 */
    o.expected_name = "plc1.example";
    assert_int_equal(try_connect(&o, &err), S7P_OK);      /* DNS SAN */
    o.expected_name = "plc2.example";
    expect_refused(&o, "expected \"plc2.example\"");
    o.expected_name = "127.0.0.9";
    expect_refused(&o, "expected \"127.0.0.9\"");
    s7p_sim_stop(sim);
}

static void test_ca_refuses_another_hosts_certificate(void **state)
{
    (void)state;
    char ca[128];
    s7p_client_options o;
    s7p_error err;
    s7p_sim *sim = start_sim("other", 0);
    ca_options(&o, s7p_sim_port(sim), ca, sizeof ca);
    /* Signed by the trusted CA, but for other.example / 192.0.2.7: not this PLC. */
    expect_refused(&o, "IP address mismatch");
    /* Reached through another address: the expected name says whom to expect. */
    o.expected_name = "other.example";
    assert_int_equal(try_connect(&o, &err), S7P_OK);
    o.expected_name = "192.0.2.7";
    assert_int_equal(try_connect(&o, &err), S7P_OK);
    /* A self-signed certificate is not signed by the CA at all. */
    s7p_sim_stop(sim);
    sim = start_sim(NULL, 0);
    ca_options(&o, s7p_sim_port(sim), ca, sizeof ca);
    expect_refused(&o, "certificate verification failed");
    s7p_sim_stop(sim);
}

static void test_expected_name_needs_ca(void **state)
{
    (void)state;
    s7p_client_options o;
    s7p_client *c = NULL;
    s7p_error err;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.expected_name = "plc1.example";  /* with verify NONE nobody would check it */
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
    assert_null(c);
    o.expected_name = NULL;
    o.verify = S7P_VERIFY_TOFU;        /* TOFU without a file */
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
    assert_non_null(strstr(err.message, "known-hosts file"));
    assert_null(c);
}

/* ---- trust on first use ---- */

static void hex(const uint8_t *fp, char out[65])
{
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", fp[i]);
}

static size_t read_all(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    return n;
}

static void test_tofu(void **state)
{
    (void)state;
    char known[128], first[65], second[65], want[160], text[1024];
    path_in(known, sizeof known, "known_hosts");
    s7p_sim *sim = start_sim(NULL, 0);
    uint16_t port = s7p_sim_port(sim);
    hex(s7p_sim_cert_sha256(sim), first);
    s7p_client_options o;
    s7p_error err;
    st_client_options(&o, port);
    o.verify = S7P_VERIFY_TOFU;
    o.known_hosts_file = known;

    /* First contact: accepted and remembered, in a file only the owner may read. */
    assert_int_equal(try_connect(&o, &err), S7P_OK);
    snprintf(want, sizeof want, "127.0.0.1:%u %s\n", port, first);
    read_all(known, text, sizeof text);
    assert_string_equal(text, want);
    struct stat sb;
    assert_int_equal(stat(known, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    /* Second contact: the same certificate passes, nothing is added. */
    assert_int_equal(try_connect(&o, &err), S7P_OK);
    read_all(known, text, sizeof text);
    assert_string_equal(text, want);

    /* The PLC comes back on the same port with a new certificate: refused, both shown. */
    s7p_sim_stop(sim);
    sim = start_sim(NULL, port);
    hex(s7p_sim_cert_sha256(sim), second);
    assert_string_not_equal(first, second);
    assert_int_equal(try_connect(&o, &err), S7P_E_CERT_CHANGED);
    assert_int_equal(err.code, S7P_E_CERT_CHANGED);
    assert_false(err.transient);
    if (!strstr(err.message, first)) fail_msg("old fingerprint missing: %s", err.message);
    if (!strstr(err.message, second)) fail_msg("new fingerprint missing: %s", err.message);
    read_all(known, text, sizeof text);
    assert_string_equal(text, want);  /* the remembered one stays */

    /* Another endpoint in the same file is remembered on its own line. */
    s7p_sim *other = start_sim(NULL, 0);
    o.port = s7p_sim_port(other);
    assert_int_equal(try_connect(&o, &err), S7P_OK);
    read_all(known, text, sizeof text);
    assert_int_equal(strncmp(text, want, strlen(want)), 0);
    char line2[160], hex2[65];
    hex(s7p_sim_cert_sha256(other), hex2);
    snprintf(line2, sizeof line2, "127.0.0.1:%u %s\n", o.port, hex2);
    assert_string_equal(text + strlen(want), line2);
    s7p_sim_stop(other);
    s7p_sim_stop(sim);
}

/* A line for the endpoint that is not a fingerprint is a configuration error, not a
 * silent first contact; other lines and comments are ignored. */
static void test_tofu_malformed_file(void **state)
{
    (void)state;
    char known[128];
    path_in(known, sizeof known, "known_hosts_bad");
    s7p_sim *sim = start_sim(NULL, 0);
    FILE *f = fopen(known, "w");
    assert_non_null(f);
    fprintf(f, "# comment\n\n10.0.0.1:102 00\n127.0.0.1:%u not-a-fingerprint\n",
            s7p_sim_port(sim));
    fclose(f);
    s7p_client_options o;
    s7p_error err;
    st_client_options(&o, s7p_sim_port(sim));
    o.verify = S7P_VERIFY_TOFU;
    o.known_hosts_file = known;
    assert_int_equal(try_connect(&o, &err), S7P_E_CONFIG);
    assert_false(err.transient);
    assert_non_null(strstr(err.message, "line 4"));
    s7p_sim_stop(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ca_checks_the_address),
        cmocka_unit_test(test_ca_refuses_another_hosts_certificate),
        cmocka_unit_test(test_expected_name_needs_ca),
        cmocka_unit_test(test_tofu),
        cmocka_unit_test(test_tofu_malformed_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* ABI care of the options struct and the version query: a program built with an older,
 * smaller s7p_client_options (or a newer, larger one) works with this library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "client/client_int.h"
#include "client/sub_int.h"

/* An "older" struct: it ends before auto_reconnect (and what follows). */
#define OLD_SIZE offsetof(s7p_client_options, auto_reconnect)

typedef struct bigger {
    s7p_client_options o;
    unsigned char newer[16];        /* fields of a newer library this one does not know */
} bigger;

static void test_init_size_writes_only_the_callers_struct(void **state)
{
    (void)state;
    unsigned char buf[sizeof(s7p_client_options) + 8];
    memset(buf, 0xAA, sizeof buf);
    s7p_client_options_init_size((s7p_client_options *)buf, OLD_SIZE);
    const s7p_client_options *o = (const s7p_client_options *)buf;
    assert_int_equal(o->struct_size, OLD_SIZE);
    assert_int_equal(o->port, S7P_DEFAULT_PORT);
    assert_int_equal(o->connect_timeout_ms, 5000);
    for (size_t i = OLD_SIZE; i < sizeof buf; i++) assert_int_equal(buf[i], 0xAA);
}

static void test_older_struct_gets_defaults_for_newer_fields(void **state)
{
    (void)state;
    unsigned char buf[sizeof(s7p_client_options)];
    s7p_client_options *o = (s7p_client_options *)buf;
    s7p_client_options_init_size(o, OLD_SIZE);
    o->host = "192.0.2.1";
    o->request_timeout_ms = 1234;
    /* What lies beyond the old struct is not the program's: garbage must not be read. */
    memset(buf + OLD_SIZE, 0xAA, sizeof buf - OLD_SIZE);
    s7p_client *c = NULL;
    s7p_error err;
    assert_int_equal(s7p_client_new(&c, o, &err), S7P_OK);
    assert_int_equal(c->opt.request_timeout_ms, 1234);  /* the program's own field */
    assert_false(c->opt.auto_reconnect);                /* newer fields: defaults */
    assert_int_equal(c->opt.reconnect_interval_ms, 1000);
    assert_null(c->opt.expected_name);
    assert_null(c->opt.known_hosts_file);
    s7p_client_free(c);
}

static void test_newer_struct_accepted_while_unknown_fields_are_zero(void **state)
{
    (void)state;
    bigger b;
    s7p_client_options_init_size(&b.o, sizeof b);
    assert_int_equal(b.o.struct_size, sizeof b);
    for (size_t i = 0; i < sizeof b.newer; i++) assert_int_equal(b.newer[i], 0);
    b.o.host = "192.0.2.1";
    s7p_client *c = NULL;
    s7p_error err;
    assert_int_equal(s7p_client_new(&c, &b.o, &err), S7P_OK);
    assert_int_equal(c->opt.port, S7P_DEFAULT_PORT);
    s7p_client_free(c);
    /* A newer field in use: this library cannot honour it, so it refuses. */
    b.newer[3] = 1;
    c = NULL;
    assert_int_equal(s7p_client_new(&c, &b.o, &err), S7P_E_INVALID_ARG);
    assert_null(c);
    assert_non_null(strstr(err.message, "does not know"));
}

static void test_too_small_or_uninitialised_is_refused(void **state)
{
    (void)state;
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "192.0.2.1";
    o.struct_size = offsetof(s7p_client_options, host);    /* does not reach the host */
    s7p_client *c = NULL;
    s7p_error err;
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
    assert_non_null(strstr(err.message, "not initialised"));
    o.struct_size = 0;
    assert_int_equal(s7p_client_new(&c, &o, &err), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_client_new(&c, NULL, &err), S7P_E_INVALID_ARG);
}

static void test_macro_passes_the_programs_size(void **state)
{
    (void)state;
    s7p_client_options o;
    memset(&o, 0, sizeof o);
    s7p_client_options_init(&o);
    assert_int_equal(o.struct_size, sizeof o);
    (s7p_client_options_init)(&o);      /* the function itself, for old binaries */
    assert_int_equal(o.struct_size, sizeof o);
}

/* The subscription options follow the same rules. */
static void test_subscription_options_sizes(void **state)
{
    (void)state;
    const size_t old = offsetof(s7p_subscription_options, queue_size);
    unsigned char buf[sizeof(s7p_subscription_options) + 8];
    memset(buf, 0xAA, sizeof buf);
    s7p_subscription_options *o = (s7p_subscription_options *)buf;
    s7p_subscription_options_init_size(o, old);
    assert_int_equal(o->struct_size, old);
    assert_int_equal(o->cycle_ms, 1000);
    for (size_t i = old; i < sizeof buf; i++) assert_int_equal(buf[i], 0xAA);
    s7p_subscription_options got;
    assert_null(s7p_sub_take_options(o, &got));       /* garbage beyond it is not read */
    assert_int_equal(got.queue_size, 1024);
    assert_int_equal(got.struct_size, sizeof got);

    s7p_subscription_options_init_size(o, sizeof buf);  /* a newer library's struct */
    assert_int_equal(o->struct_size, sizeof buf);
    for (size_t i = sizeof *o; i < sizeof buf; i++) assert_int_equal(buf[i], 0);
    assert_null(s7p_sub_take_options(o, &got));
    buf[sizeof *o + 5] = 1;                            /* a newer field in use */
    assert_non_null(strstr(s7p_sub_take_options(o, &got), "does not know"));
    o->struct_size = sizeof o->struct_size;
    assert_non_null(strstr(s7p_sub_take_options(o, &got), "not initialised"));
}

static void test_version_number(void **state)
{
    (void)state;
    char want[32];
    int n = s7p_version_number();
    assert_int_equal(n, S7P_VERSION_NUMBER);
    snprintf(want, sizeof want, "%d.%d.%d", n / 10000, n / 100 % 100, n % 100);
    assert_string_equal(s7p_version(), want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_size_writes_only_the_callers_struct),
        cmocka_unit_test(test_older_struct_gets_defaults_for_newer_fields),
        cmocka_unit_test(test_newer_struct_accepted_while_unknown_fields_are_zero),
        cmocka_unit_test(test_too_small_or_uninitialised_is_refused),
        cmocka_unit_test(test_subscription_options_sizes),
        cmocka_unit_test(test_macro_passes_the_programs_size),
        cmocka_unit_test(test_version_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

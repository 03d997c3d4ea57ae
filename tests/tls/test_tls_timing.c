/* SPDX-License-Identifier: MIT */
/* Handshake time on loopback: median of 100 full TLS 1.3 handshakes over a socketpair, with
 * the server on a second thread. Prints the numbers; fails only if a handshake fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "pair.h"
#include "util/clock.h"

#define ROUNDS 100

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_handshake_median(void **state)
{
    (void)state;
    s7p_tls_ctx *sc = s7p_tls_ctx_new(&(s7p_tls_config){.server = true}, NULL, 0);
    s7p_tls_ctx *cc = s7p_tls_ctx_new(&(s7p_tls_config){.verify = S7P_TLS_VERIFY_NONE}, NULL, 0);
    assert_non_null(sc);
    assert_non_null(cc);
    double us[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        int64_t dl = s7p_deadline_in(5000);
        pair *p = pair_new(sc, 0, 0, dl);
        double t0 = now_us();
        assert_int_equal(pair_client_handshake(p, cc, dl), S7P_OK);
        us[i] = now_us() - t0;
        pair_free(p, true);
    }
    qsort(us, ROUNDS, sizeof us[0], cmp_double);
    printf("tls handshake over socketpair, %d rounds: median %.3f ms, min %.3f ms, "
           "p90 %.3f ms, max %.3f ms\n",
           ROUNDS, us[ROUNDS / 2] / 1e3, us[0] / 1e3, us[ROUNDS * 9 / 10] / 1e3,
           us[ROUNDS - 1] / 1e3);
    s7p_tls_ctx_free(sc);
    s7p_tls_ctx_free(cc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_handshake_median)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

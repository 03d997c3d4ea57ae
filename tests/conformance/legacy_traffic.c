/* SPDX-License-Identifier: MIT */
/* s7p_legacy_traffic PROGRAM_DIR: a legacy-security session (no TLS: challenge
 * authentication, then a digest on every frame) of our client against our simulator, for
 * capture_check.sh. Starts the embedded simulator (--security legacy, firmware V2.9, read
 * access until the login) on a free port, writes the port to $S7P_PORT_FILE, waits for
 * $S7P_GO_FILE, then: connect with the simulator's TEST key, browse (answers of many
 * frames, each fragment with its own digest), a read, a password login, a write, a
 * subscription with a few notifications and credit raises, a session key renewal, a read
 * with the new key, disconnect. Everything after the authentication is a signed V3 frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <s7plus/s7plus.h>

#include "traffic.h"

#define PW_FULL "Full-Pw-1"
#define SYMBOL "\"AllTypes\".v_int"

static int fail(const char *what, const s7p_error *err)
{
    fprintf(stderr, "legacy_traffic: %s: %s\n", what, err ? err->message : "failed");
    return 1;
}

static bool count_item(void *ctx, const s7p_browse_item *it)
{
    (void)it;
    (*(size_t *)ctx)++;
    return true;
}

static int read_int(s7p_client *c, const s7p_tag *t, int64_t want)
{
    s7p_tag_value v = {0};
    s7p_item_result r;
    s7p_error err;
    if (s7p_read(c, t, 1, &v, &r, &err) != S7P_OK) return fail("read", &err);
    int bad = r.code != S7P_OK || v.v.i != want;
    s7p_tag_value_clear(&v);
    return bad ? fail("read: unexpected value", NULL) : 0;
}

static int subscribe_some(s7p_client *c, const s7p_tag *t)
{
    s7p_subscription_options o;
    s7p_subscription_options_init(&o);
    o.cycle_ms = 50;
    o.credit_limit = 2;  /* a credit raise (a signed write without answer) every notification */
    o.credit_step = 1;
    s7p_subscription *sub;
    s7p_error err;
    if (s7p_subscribe(c, t, 1, &o, NULL, NULL, &sub, &err) != S7P_OK)
        return fail("subscribe", &err);
    int rc = 0;
    for (int k = 0; k < 6 && rc == 0; k++) {
        s7p_sub_notification *n = NULL;
        if (s7p_subscription_next(sub, &n, 5000, &err) != S7P_OK) rc = fail("notification", &err);
        else if (n->event != S7P_SUB_DATA) rc = fail("notification event", &n->error);
        s7p_sub_notification_free(n);
    }
    if (s7p_unsubscribe(sub, &err) != S7P_OK && rc == 0) rc = fail("unsubscribe", &err);
    return rc;
}

static int session(s7p_client *c)
{
    s7p_error err;
    s7p_tag t;
    size_t items = 0;
    if (s7p_browse(c, count_item, &items, &err) != S7P_OK) return fail("browse", &err);
    if (s7p_tag_by_symbol(c, SYMBOL, &t, &err) != S7P_OK) return fail("symbol", &err);
    if (read_int(c, &t, -12345)) return 1;
    if (s7p_legitimate(c, PW_FULL, NULL, &err) != S7P_OK) return fail("legitimate", &err);
    s7p_tag_value w = {.type = S7P_T_INT, .v.i = 2021};
    s7p_item_result r;
    if (s7p_write(c, &t, 1, &w, &r, &err) != S7P_OK || r.code != S7P_OK)
        return fail("write", &err);
    if (subscribe_some(c, &t)) return 1;
    /* The renewal is due after 1 s: it runs before the next request. */
    struct timespec ts = {1, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    if (read_int(c, &t, 2021)) return 1;
    printf("legacy_traffic: %zu variables browsed; login, write, subscription, key renewal ok\n",
           items);
    return 0;
}

static int run_client(uint16_t port)
{
    s7p_client_options o;
    s7p_legacy_key key;
    s7p_legacy_test_key(&key);
    traffic_client_options(&o, port, NULL);
    o.allow_write = true;
    o.security = S7P_SECURITY_LEGACY_CHALLENGE;
    o.legacy_keys = &key;
    o.legacy_nkeys = 1;
    o.legacy_key_id = "00:BA35267CA865911B";
    o.legacy_refresh_s = 1;
    o.request_timeout_ms = 10000;
    s7p_client *c = traffic_connect("legacy_traffic: connect", &o);
    if (!c) return 1;
    int rc = session(c);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2 || !traffic_env_ok()) {
        fprintf(stderr, "usage: S7P_PORT_FILE=F S7P_GO_FILE=G s7p_legacy_traffic PROGRAM_DIR\n");
        return 2;
    }
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.program_dir = argv[1];
    cfg.security = S7P_SIM_SECURITY_LEGACY;
    cfg.firmware = "V2.9.0";
    cfg.protection_level = 2;
    cfg.passwords[0] = PW_FULL;
    s7p_sim *sim = traffic_sim_start("legacy_traffic", &cfg);
    if (!sim) return 1;
    int rc = run_client(s7p_sim_port(sim));
    s7p_sim_stop(sim);
    return rc;
}

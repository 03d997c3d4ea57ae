/* SPDX-License-Identifier: MIT */
/* s7p_legit_traffic KEYLOG FIRMWARE PROGRAM_DIR: legitimation sessions of our client against
 * our simulator protected with "no access" (firmware FIRMWARE picks the variant: V3.1 the
 * newer one into attribute 1846, V2.9 the legacy one into 304), for capture_check.sh. Starts
 * the embedded simulator on a free port, writes the port to $S7P_PORT_FILE, waits for
 * $S7P_GO_FILE, then: a connect that logs in with the options' password, a wrong password
 * (refused), a right one, with the newer variant a user and password; a read and a write at
 * full access; disconnect. TLS secrets go to KEYLOG so the capture can be decrypted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <s7plus/s7plus.h>

#include "traffic.h"

static const s7p_sim_user USERS[1] = {{"engineer", "Eng-Pw-9", 1}};

static int fail(const s7p_error *err)
{
    fprintf(stderr, "legit_traffic: %s\n", err->message);
    return 1;
}

static int read_write(s7p_client *c)
{
    s7p_tag t;
    s7p_tag_value v = {0}, w = {.type = S7P_T_INT, .v.i = 2024};
    s7p_item_result r;
    s7p_error err;
    if (s7p_tag_by_symbol(c, "\"AllTypes\".v_int", &t, &err) != S7P_OK ||
        s7p_write(c, &t, 1, &w, &r, &err) != S7P_OK || r.code != S7P_OK ||
        s7p_read(c, &t, 1, &v, &r, &err) != S7P_OK || r.code != S7P_OK || v.v.i != 2024) {
        fprintf(stderr, "legit_traffic: read/write at full access failed\n");
        s7p_tag_value_clear(&v);
        return 1;
    }
    s7p_tag_value_clear(&v);
    return 0;
}

static int run_client(uint16_t port, const char *keylog, bool users)
{
    s7p_client_options o;
    traffic_client_options(&o, port, keylog);
    o.allow_write = true;
    o.password = "Hmi-Pw-3";
    s7p_client *c = traffic_connect("legit_traffic", &o);
    if (!c) return 1;
    s7p_error err;
    int rc = 0;
    if (s7p_legitimate(c, "not-the-password", NULL, &err) != S7P_E_AUTH) {
        fprintf(stderr, "legit_traffic: a wrong password was not refused\n");
        rc = 1;
    }
    if (rc == 0 && users && s7p_legitimate(c, USERS[0].password, USERS[0].name, &err) != S7P_OK)
        rc = fail(&err);
    if (rc == 0 && !users && s7p_legitimate(c, "Full-Pw-1", NULL, &err) != S7P_OK)
        rc = fail(&err);
    if (rc == 0) rc = read_write(c);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    if (rc == 0) printf("legit_traffic: logins and full access ok\n");
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 4 || !traffic_env_ok()) {
        fprintf(stderr, "usage: S7P_PORT_FILE=F S7P_GO_FILE=G s7p_legit_traffic KEYLOG "
                        "FIRMWARE PROGRAM_DIR\n");
        return 2;
    }
    unlink(argv[1]);
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.firmware = argv[2];
    cfg.program_dir = argv[3];
    cfg.protection_level = 4;
    cfg.passwords[0] = "Full-Pw-1";
    cfg.passwords[2] = "Hmi-Pw-3";
    cfg.users = USERS;
    cfg.nusers = 1;
    s7p_sim *sim = traffic_sim_start("legit_traffic", &cfg);
    if (!sim) return 1;
    int rc = run_client(s7p_sim_port(sim), argv[1], strcmp(argv[2], "V3.1.0") == 0);
    s7p_sim_stop(sim);
    return rc;
}

/* SPDX-License-Identifier: MIT */
#include "traffic.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "portfile.h"

bool traffic_env_ok(void)
{
    return getenv("S7P_PORT_FILE") && getenv("S7P_GO_FILE");
}

s7p_sim *traffic_sim_start(const char *who, const s7p_sim_config *cfg)
{
    char err[256];
    s7p_sim *sim = s7p_sim_start(cfg, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "%s: simulator: %s\n", who, err);
        return NULL;
    }
    if (write_port(getenv("S7P_PORT_FILE"), s7p_sim_port(sim)) == 0 &&
        wait_for(getenv("S7P_GO_FILE"), 10) == 0)
        return sim;
    s7p_sim_stop(sim);
    return NULL;
}

void traffic_client_options(s7p_client_options *o, uint16_t port, const char *keylog)
{
    s7p_client_options_init(o);
    o->host = "127.0.0.1";
    o->port = port;
    o->keylog_file = keylog;
}

s7p_client *traffic_connect(const char *who, const s7p_client_options *o)
{
    s7p_client *c = NULL;
    s7p_error err;
    if (s7p_client_new(&c, o, &err) != S7P_OK || s7p_connect(c, &err) != S7P_OK) {
        fprintf(stderr, "%s: %s\n", who, err.message);
        s7p_client_free(c);
        return NULL;
    }
    return c;
}

static int run_session(s7p_sim *sim, const char *keylog, FILE *expect,
                       const char *who, traffic_session_fn *session)
{
    s7p_client_options o;
    traffic_client_options(&o, s7p_sim_port(sim), keylog);
    s7p_client *c = traffic_connect(who, &o);
    if (!c) return 1;
    int rc = session(sim, c, expect);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return rc;
}

int traffic_alarms_program(int argc, char **argv, const char *who, traffic_session_fn *session)
{
    if (argc != 5 || !traffic_env_ok()) {
        fprintf(stderr, "usage: S7P_PORT_FILE=F S7P_GO_FILE=G s7p_%s KEYLOG "
                        "PROGRAM_DIR ALARMS_FILE EXPECT_FILE\n", who);
        return 2;
    }
    unlink(argv[1]);
    FILE *expect = fopen(argv[4], "w");
    if (!expect) {
        perror(argv[4]);
        return 1;
    }
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.program_dir = argv[2];
    cfg.alarms_file = argv[3];
    s7p_sim *sim = traffic_sim_start(who, &cfg);
    int rc = 1;
    if (sim) {
        rc = run_session(sim, argv[1], expect, who, session);
        s7p_sim_stop(sim);
    }
    fclose(expect);
    return rc;
}

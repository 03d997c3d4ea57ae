/* s7p_session_traffic KEYLOG: our client against our simulator on 127.0.0.1, for the
 * capture harness (capture_check.sh). Starts the embedded simulator on a free port, writes
 * the port to $S7P_PORT_FILE, waits for $S7P_GO_FILE, then runs connect, CPU info and
 * disconnect with TLS secrets logged to KEYLOG so the capture can be decrypted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <s7plus/s7plus.h>

#include "sim.h"

static int write_port(const char *path, unsigned port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return -1;
    fprintf(f, "%u\n", port);
    if (fclose(f) != 0) return -1;
    return rename(tmp, path);
}

static int wait_for(const char *path, int seconds)
{
    for (int i = 0; i < seconds * 20; i++) {
        if (access(path, F_OK) == 0) return 0;
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    return -1;
}

static int run_client(uint16_t port, const char *keylog)
{
    s7p_client_options o;
    s7p_client *c;
    s7p_error err;
    s7p_cpu_info info;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    o.keylog_file = keylog;
    if (s7p_client_new(&c, &o, &err) != S7P_OK || s7p_connect(c, &err) != S7P_OK ||
        s7p_get_cpu_info(c, &info, &err) != S7P_OK) {
        fprintf(stderr, "session_traffic: %s\n", err.message);
        return 1;
    }
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    printf("session_traffic: %s %s %s\n", info.plc_name, info.order_number, info.firmware);
    return 0;
}

int main(int argc, char **argv)
{
    const char *port_file = getenv("S7P_PORT_FILE"), *go_file = getenv("S7P_GO_FILE");
    if (argc != 2 || !port_file || !go_file) {
        fprintf(stderr, "usage: S7P_PORT_FILE=F S7P_GO_FILE=G s7p_session_traffic KEYLOG\n");
        return 2;
    }
    unlink(argv[1]);
    s7p_sim_config cfg;
    char err[256];
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "session_traffic: simulator: %s\n", err);
        return 1;
    }
    int rc = 1;
    if (write_port(port_file, s7p_sim_port(sim)) == 0 && wait_for(go_file, 10) == 0)
        rc = run_client(s7p_sim_port(sim), argv[1]);
    s7p_sim_stop(sim);
    return rc;
}

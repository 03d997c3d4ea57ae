/* SPDX-License-Identifier: MIT */
/* What the traffic programs for capture_check.sh share: the embedded simulator started on a
 * free port with the port-file handshake done (portfile.h), and our client connected to it. */
#ifndef S7P_TESTS_CONFORMANCE_TRAFFIC_H
#define S7P_TESTS_CONFORMANCE_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <s7plus/s7plus.h>

#include "sim.h"

/** Whether capture_check.sh's $S7P_PORT_FILE and $S7P_GO_FILE are set. */
bool traffic_env_ok(void);
/** Starts the simulator with cfg, writes its port to $S7P_PORT_FILE and waits up to 10 s for
 *  $S7P_GO_FILE. NULL when one of them failed (a failed start is said on stderr after
 *  "WHO: simulator: "); the simulator is stopped then. */
s7p_sim *traffic_sim_start(const char *who, const s7p_sim_config *cfg);
/** Initialised client options for 127.0.0.1:port, TLS secrets to keylog (NULL: none). */
void traffic_client_options(s7p_client_options *o, uint16_t port, const char *keylog);
/** A client made with o and connected; NULL after "WHO: message" on stderr. */
s7p_client *traffic_connect(const char *who, const s7p_client_options *o);

/** What a program does on the session traffic_alarms_program opened: 0 or 1, with the reason
 *  on stderr. The lines its decode must show go to expect. */
typedef int traffic_session_fn(s7p_sim *sim, s7p_client *c, FILE *expect);
/** The main of a program `s7p_WHO KEYLOG PROGRAM_DIR ALARMS_FILE EXPECT_FILE`: the simulator
 *  with the program and the alarms file (traffic_sim_start), our client connected to it with
 *  its TLS secrets in KEYLOG, session() on it, disconnect. The exit code: 2 for bad usage. */
int traffic_alarms_program(int argc, char **argv, const char *who, traffic_session_fn *session);

#endif

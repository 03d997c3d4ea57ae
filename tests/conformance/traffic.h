/* SPDX-License-Identifier: MIT */
/* What the traffic programs for capture_check.sh share: the embedded simulator started on a
 * free port with the port-file handshake done (portfile.h), and our client connected to it. */
#ifndef S7P_TESTS_CONFORMANCE_TRAFFIC_H
#define S7P_TESTS_CONFORMANCE_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

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

#endif

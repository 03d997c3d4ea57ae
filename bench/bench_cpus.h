/* SPDX-License-Identifier: MIT */
/* --cpus C,S: run the client (the measuring thread) on CPU C and every server thread (the
 * simulator's, the replay server's, the raw-TLS floor's) on CPU S, so that the two sides
 * of each exchange neither share a CPU nor migrate. Threads inherit the affinity of the
 * thread that creates them: pin the main thread to S before any server starts, and to C
 * once they all run. Without --cpus nothing is pinned. */
#ifndef S7P_BENCH_CPUS_H
#define S7P_BENCH_CPUS_H

#include <stdbool.h>

typedef struct bench_cpus {
    bool on;
    int client, server;
} bench_cpus;

/** Reads `--cpus C,S` from argv. Returns false (and prints why) when it is malformed or a
 *  CPU is not available to this process; absent: true with on = false. */
bool bench_cpus_parse(int argc, char **argv, bench_cpus *out);
/** Pins the calling thread to the server CPU (before servers start). 0 on success or off. */
int bench_cpus_servers(const bench_cpus *c);
/** Pins the calling thread to the client CPU (once the servers run). 0 on success or off. */
int bench_cpus_client(const bench_cpus *c);
/** "client CPU 0, servers CPU 1" or "unpinned", for reports. */
const char *bench_cpus_text(const bench_cpus *c, char *buf, unsigned len);

#endif

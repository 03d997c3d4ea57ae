/* SPDX-License-Identifier: MIT */
/* The handshake between a traffic program and capture_check.sh: the program writes the
 * simulator's port to a file (atomically, so the script never reads half a number) and waits
 * until the script says the capture runs. */
#ifndef S7P_TESTS_CONFORMANCE_PORTFILE_H
#define S7P_TESTS_CONFORMANCE_PORTFILE_H

/** Writes port to path via a temporary file and a rename; 0 or -1. */
int write_port(const char *path, unsigned port);
/** Waits up to seconds for path to exist; 0 or -1. */
int wait_for(const char *path, int seconds);

#endif

/* SPDX-License-Identifier: MIT */
/* A wake-up descriptor: one thread makes another's poll() return. On Linux an eventfd (one
 * descriptor per waiter: a client or a simulator connection held by thousands matters),
 * elsewhere a non-blocking pipe. Both ends live in w->fd[2]; with an eventfd they are the
 * same descriptor. */
#ifndef S7P_UTIL_WAKE_H
#define S7P_UTIL_WAKE_H

#include <stdbool.h>

typedef struct s7p_wake {
    int fd[2];  /* [0]: poll for POLLIN and drain; [1]: signal. -1 when closed */
} s7p_wake;

/** Opens it, non-blocking and close-on-exec. false (fd[] both -1) when no descriptor is left. */
bool s7p_wake_open(s7p_wake *w);
/** Makes fd[0] readable (async-signal-safe; a full pipe is readable already). */
void s7p_wake_signal(const s7p_wake *w);
/** Takes every pending signal, so that fd[0] is no longer readable. */
void s7p_wake_drain(const s7p_wake *w);
/** Closes it (both ends once); fd[] become -1. Fine on a closed one. */
void s7p_wake_close(s7p_wake *w);

#endif

/* SPDX-License-Identifier: MIT */
/* Monotonic time and deadlines. Every blocking call in the library takes an absolute
 * deadline in monotonic milliseconds, so a chain of steps shares one time budget. */
#ifndef S7P_UTIL_CLOCK_H
#define S7P_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t s7p_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t s7p_deadline_in(uint32_t ms) { return s7p_now_ms() + (int64_t)ms; }

/** Milliseconds left until the deadline, clamped to [0, INT32_MAX] (a poll() timeout). */
static inline int s7p_ms_left(int64_t deadline)
{
    int64_t left = deadline - s7p_now_ms();
    if (left < 0) return 0;
    if (left > INT32_MAX) return INT32_MAX;
    return (int)left;
}

#endif

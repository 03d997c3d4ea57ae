/* SPDX-License-Identifier: MIT */
/* Internal logging: formats into a stack buffer and hands the text to the user's callback.
 * Nothing is formatted when no callback is set or the level is filtered out. */
#ifndef S7P_UTIL_LOG_H
#define S7P_UTIL_LOG_H

#include "s7plus/s7plus.h"

typedef struct s7p_log_sink {
    s7p_log_fn fn;
    void *ctx;
    s7p_log_level level;       /* most verbose level delivered */
} s7p_log_sink;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void s7p_logf(const s7p_log_sink *sink, s7p_log_level level, const char *layer,
              const char *fmt, ...);

static inline bool s7p_log_on(const s7p_log_sink *sink, s7p_log_level level)
{
    return sink && sink->fn && level <= sink->level;
}

#endif

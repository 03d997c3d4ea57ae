/* SPDX-License-Identifier: MIT */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

void s7p_logf(const s7p_log_sink *sink, s7p_log_level level, const char *layer,
              const char *fmt, ...)
{
    if (!s7p_log_on(sink, level)) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sink->fn(sink->ctx, level, layer, msg);
}

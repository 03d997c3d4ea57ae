/* SPDX-License-Identifier: MIT */
/* Turning internal failures into the public s7p_error, and the one place that decides
 * which failures are transient. */
#ifndef S7P_CLIENT_ERROR_H
#define S7P_CLIENT_ERROR_H

#include "session/session.h"

/** True when retrying (perhaps after a reconnect) may succeed. */
bool s7p_error_is_transient(s7p_status code, int16_t plc_code);

/** Fills err (if not NULL) from f; op is a static string; endpoint "host:port". */
void s7p_error_fill(s7p_error *err, const char *op, const char *endpoint, const s7p_fail *f);
void s7p_error_clear(s7p_error *err);

#endif

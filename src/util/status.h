/* SPDX-License-Identifier: MIT */
/* Text of a status code, for the messages of every layer. The public s7p_strerror()
 * (client layer) returns the same text. */
#ifndef S7P_UTIL_STATUS_H
#define S7P_UTIL_STATUS_H

#include "s7plus/s7plus.h"

/** Short English text of a status ("timeout"); "unknown status" for a value not in the enum. */
const char *s7p_status_text(s7p_status s);

#endif

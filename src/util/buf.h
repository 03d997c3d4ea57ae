/* SPDX-License-Identifier: MIT */
/* Growable byte buffers for the connection pipeline: they start small, grow on demand up to
 * a limit, and shrink back when the connection goes idle, so that an idle connection costs
 * little memory while a large answer still fits. */
#ifndef S7P_UTIL_BUF_H
#define S7P_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "s7plus/s7plus.h"

/** Makes *cap at least need (doubling from min, at most max). S7P_E_LIMIT when need > max
 *  (nothing changes), S7P_E_NOMEM when the allocation fails. */
s7p_status s7p_buf_reserve(uint8_t **p, size_t *cap, size_t need, size_t min, size_t max);
/** Gives memory back: reallocates to `to` bytes when the used part (len) fits and the buffer
 *  is larger; to == 0 frees it (only when len == 0). */
void s7p_buf_shrink(uint8_t **p, size_t *cap, size_t len, size_t to);

#endif

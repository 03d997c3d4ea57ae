/* Reading and writing batches of tags with GetMultiVariables / SetMultiVariables, split by
 * the PLC's tags-per-request limits and the size of one frame. */
#ifndef S7P_SERVICES_RW_H
#define S7P_SERVICES_RW_H

#include "session/session.h"

/** Checks every field of a caller's tag before it is sent (nlids 1..S7P_TAG_MAX_LIDS, a type
 *  with a value form, count up to S7P_MAX_ITEMS, str_max within its type's limit and 0 for
 *  other types, non-zero area and sub-area): S7P_E_INVALID_ARG with the reason in why. */
s7p_status s7p_rw_check_tag(const s7p_tag *t, char *why, size_t why_len);

/* Every item's result says what happened to it (s7plus.h, s7p_item_result): a failed read
 * keeps no value; a failed write leaves the items of later requests S7P_E_NOT_SENT. */
s7p_status s7p_rw_read(s7p_session *s, const s7p_tag *tags, size_t n, s7p_tag_value *values,
                       s7p_item_result *results, uint32_t request_ms, s7p_fail *f);
s7p_status s7p_rw_write(s7p_session *s, const s7p_tag *tags, const s7p_tag_value *values,
                        size_t n, s7p_item_result *results, uint32_t request_ms, s7p_fail *f);

#endif

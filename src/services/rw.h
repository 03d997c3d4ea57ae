/* Reading and writing batches of tags with GetMultiVariables / SetMultiVariables, split by
 * the PLC's tags-per-request limits and the size of one frame. */
#ifndef S7P_SERVICES_RW_H
#define S7P_SERVICES_RW_H

#include "session/session.h"

s7p_status s7p_rw_read(s7p_session *s, const s7p_tag *tags, size_t n, s7p_tag_value *values,
                       s7p_item_result *results, uint32_t request_ms, s7p_fail *f);
s7p_status s7p_rw_write(s7p_session *s, const s7p_tag *tags, const s7p_tag_value *values,
                        size_t n, s7p_item_result *results, uint32_t request_ms, s7p_fail *f);

#endif

/* SPDX-License-Identifier: MIT */
/* Internal: per-function body codecs used by pdu.c. */
#ifndef S7P_PROTO_BODY_H
#define S7P_PROTO_BODY_H

#include "proto/pdu.h"

typedef struct s7p_body_codec {
    uint16_t function;
    bool (*decode)(s7p_rd *r, s7p_arena *a, s7p_pdu *p);   /* NULL: empty body */
    bool (*encode)(s7p_wr *w, const s7p_pdu *p);
} s7p_body_codec;

/** The codec for a function's request / response body, or NULL if the layout is unknown. */
const s7p_body_codec *s7p_request_codec(uint16_t function);
const s7p_body_codec *s7p_response_codec(uint16_t function);

bool s7p_rd_u32_array(s7p_rd *r, s7p_arena *a, uint32_t n, bool vlq, uint32_t **out);
bool s7p_wr_u32_array(s7p_wr *w, const uint32_t *v, uint32_t n, bool vlq);

#endif

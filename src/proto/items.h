/* SPDX-License-Identifier: MIT */
/* Building blocks shared by several PDU bodies: item addresses, item-number/error lists,
 * the object qualifier and return values. */
#ifndef S7P_PROTO_ITEMS_H
#define S7P_PROTO_ITEMS_H

#include "proto/value.h"
#include "proto/vlq.h"

/** Address of one variable: symbol CRC, access area, sub-area and a LID path. On the wire the
 *  LID count includes the sub-area: `crc area (nlids+1) sub_area lids...`, all VLQ. */
typedef struct s7p_item_address {
    uint32_t symbol_crc;
    uint32_t area;
    uint32_t sub_area;
    uint32_t nlids;
    uint32_t *lids;
} s7p_item_address;

/** "Number of fields" an address contributes to a request header. */
static inline uint32_t s7p_item_address_fields(const s7p_item_address *a) { return 4u + a->nlids; }
bool s7p_item_address_decode(s7p_rd *r, s7p_arena *ar, s7p_item_address *out);
bool s7p_item_address_encode(s7p_wr *w, const s7p_item_address *a);
/** Bytes s7p_item_address_encode writes for a. Inline: a request's planner sizes every tag
 *  of a batch. */
static inline size_t s7p_item_address_size(const s7p_item_address *a)
{
    size_t n = s7p_vlq_u32_size(a->symbol_crc) + s7p_vlq_u32_size(a->area) +
               s7p_vlq_u32_size(a->nlids + 1) + s7p_vlq_u32_size(a->sub_area);
    for (uint32_t i = 0; i < a->nlids; i++) n += s7p_vlq_u32_size(a->lids[i]);
    return n;
}

typedef struct s7p_item_error {
    uint32_t item;       /* 1-based position in the request */
    uint64_t ret;        /* PLC return value (error code in the low 16 bits, signed) */
} s7p_item_error;

typedef struct s7p_error_list {
    s7p_item_error *items;
    uint32_t n;
} s7p_error_list;

/** `{ item:VLQ ret:VLQ64 }* 0` */
bool s7p_error_list_decode(s7p_rd *r, s7p_arena *a, s7p_error_list *out);
bool s7p_error_list_encode(s7p_wr *w, const s7p_error_list *l);

/** Object qualifier: u32 id (1256) and an id/value list. */
typedef struct s7p_qualifier {
    bool present;
    uint32_t id;
    s7p_idlist list;
} s7p_qualifier;

bool s7p_qualifier_decode(s7p_rd *r, s7p_arena *a, s7p_qualifier *out);
bool s7p_qualifier_encode(s7p_wr *w, const s7p_qualifier *q);
/** Fills q with the qualifier every reference client sends (ParentRID 0, CompositionAID 0,
 *  KeyQualifier 0). */
bool s7p_qualifier_default(s7p_qualifier *q, s7p_arena *a);

/** Signed PLC error code of a return value (its low 16 bits). */
static inline int16_t s7p_ret_code(uint64_t ret) { return (int16_t)(uint16_t)(ret & 0xFFFFu); }
/** Return-value bit saying an error object follows. */
#define S7P_RET_ERROR_EXTENSION 0x4000000000000000ull

#endif

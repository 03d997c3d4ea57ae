/* SPDX-License-Identifier: MIT */
/* S7CommPlus PDUs: the data part of one (reassembled) frame sequence, decoded into a request,
 * response or notification with its function-specific body and its tail (integrity id,
 * old-firmware digest, zero fill). Layouts: docs/protocol.md §1.
 *
 * Ownership: an s7p_pdu and everything it points to live in the arena passed to the decoder
 * (or built by the caller for encoding); views point into the decoded buffer, which must
 * outlive the PDU. Nothing here frees memory: release the arena. */
#ifndef S7P_PROTO_PDU_H
#define S7P_PROTO_PDU_H

#include "proto/ids.h"
#include "proto/items.h"
#include "proto/object.h"

#define S7P_DIGEST_LEN 32

/* ---- request bodies ------------------------------------------------------------------- */

typedef struct s7p_req_create_object {
    uint32_t request_id;          /* e.g. 285 ObjectServerSessionContainer, or a parent id */
    s7p_value request_value;
    uint32_t unknown;             /* 4 bytes, zero in every capture */
    bool has_inline_iid;          /* V2/V3: integrity id before the object */
    uint32_t inline_iid;
    s7p_object_list objects;
} s7p_req_create_object;

typedef struct s7p_req_delete_object {
    uint32_t object_id;
    uint8_t unknown;
} s7p_req_delete_object;

/** One filter/address block of an Explore request; the list ends with object_count 0. */
typedef struct s7p_explore_block {
    uint8_t object_count;
    uint8_t datatype;             /* object_count > 0: datatype of the filter value */
    uint32_t struct_id;           /* datatype Struct: struct id and its members */
    s7p_idlist members;
    uint8_t address_count;
    uint32_t *addresses;          /* attribute ids wanted in the response */
} s7p_explore_block;

typedef struct s7p_req_explore {
    uint32_t explore_id;
    uint32_t explore_request_id;
    uint8_t children_recursive;
    uint8_t unknown;
    uint8_t parents;
    s7p_explore_block *blocks;    /* the last one has object_count 0 */
    uint32_t nblocks;
} s7p_req_explore;

typedef struct s7p_req_get_multi {
    uint32_t link_id;             /* 0: variables by item address */
    uint32_t item_count;
    uint32_t nfields;             /* link_id 0: sum of address fields, as sent */
    s7p_item_address *addresses;  /* link_id 0: item_count addresses */
    uint32_t nids;                /* link_id != 0: attribute ids */
    uint32_t *ids;
} s7p_req_get_multi;

typedef struct s7p_req_set_multi {
    uint32_t object_id;           /* 0: variables by item address; else attributes */
    uint32_t item_count;
    uint32_t nfields;             /* object_id 0 */
    s7p_item_address *addresses;  /* object_id 0 */
    uint32_t nids;                /* object_id != 0 */
    uint32_t *ids;
    s7p_idlist values;            /* item_count (item number, value) pairs, no terminator */
    uint8_t fill;
} s7p_req_set_multi;

typedef struct s7p_req_set_variable {
    uint32_t object_id;
    uint32_t address_count;       /* entries as counted on the wire */
    uint32_t *addresses;          /* address_count entries; an id 0 is followed by a length */
    s7p_value value;
    uint8_t unknown;              /* after the qualifier */
} s7p_req_set_variable;

typedef struct s7p_req_get_variable {
    uint32_t object_id;
    uint32_t nids;
    uint32_t *ids;
} s7p_req_get_variable;

/** GetVarSubStreamed / SetVarSubStreamed: object id + value; struct members here carry
 *  u32 ids. SetVarSubStreamed adds stream data after the qualifier. */
typedef struct s7p_req_var_sub_streamed {
    uint32_t object_id;
    s7p_value value;
    uint16_t unknown;             /* after the qualifier */
    s7p_value stream;             /* SetVarSubStreamed only */
} s7p_req_var_sub_streamed;

typedef struct s7p_req_get_link {
    uint32_t unknown1;
    uint32_t id;
    uint16_t unknown2;
} s7p_req_get_link;

typedef struct s7p_req_begin_sequence {
    uint8_t transaction_type;
    uint16_t value_type;          /* not in V1 */
    bool unknown_is_u16;          /* value_type 1: a 1- or 2-byte unknown field precedes the object */
    uint16_t unknown;
    s7p_object_list objects;      /* value_type 1 */
    uint32_t request_id;          /* other value types */
} s7p_req_begin_sequence;

typedef struct s7p_req_end_sequence {
    uint16_t unknown;
} s7p_req_end_sequence;

typedef struct s7p_req_invoke {
    uint32_t sub_session_id;
    uint32_t unknown1;
    s7p_idlist values;            /* item number / value list, 0-terminated */
    uint8_t unknown2;
} s7p_req_invoke;

/* ---- response bodies ------------------------------------------------------------------ */

typedef struct s7p_resp_create_object {
    uint8_t nids;
    uint32_t *object_ids;         /* [0] = session id, [1] = subscription container */
    s7p_object_list objects;      /* V1 only */
} s7p_resp_create_object;

typedef struct s7p_resp_delete_object {
    uint32_t object_id;
    s7p_object_list error;        /* when the return value has the error-extension bit */
} s7p_resp_delete_object;

typedef struct s7p_resp_explore {
    uint32_t explore_id;
    bool has_resp_iid;
    uint32_t resp_iid;            /* request seq + request integrity id */
    s7p_object_list objects;
} s7p_resp_explore;

typedef struct s7p_resp_get_multi {
    s7p_idlist values;            /* item number / value, 0-terminated */
    s7p_error_list errors;
} s7p_resp_get_multi;

typedef struct s7p_resp_set_multi {
    s7p_error_list errors;
} s7p_resp_set_multi;

typedef struct s7p_resp_get_variable {
    s7p_value value;
} s7p_resp_get_variable;

typedef struct s7p_resp_get_var_sub_streamed {
    uint8_t unknown;
    s7p_value value;
} s7p_resp_get_var_sub_streamed;

typedef struct s7p_resp_get_link {
    uint8_t n;
    uint32_t *links;
} s7p_resp_get_link;

typedef struct s7p_resp_begin_sequence {
    bool has_id;                  /* not in V1 */
    uint16_t value_type;
    uint32_t request_id;
} s7p_resp_begin_sequence;

typedef struct s7p_resp_invoke {
    uint8_t nrets;                /* 3 or 4 further return values */
    uint64_t rets[4];
    s7p_idlist values;
    uint8_t unknown;
} s7p_resp_invoke;

/* ---- notifications -------------------------------------------------------------------- */

enum {
    S7P_NI_END = 0x00,
    S7P_NI_ERROR_1500 = 0x03,
    S7P_NI_ERROR_1200 = 0x13,
    S7P_NI_OBJECT = 0x81,
    S7P_NI_VALUE_V1 = 0x83,
    S7P_NI_VALUE_REF32 = 0x92,
    S7P_NI_VALUE = 0x9B,
    S7P_NI_STATUS_TABLE = 0x9C,
};

typedef struct s7p_notif_item {
    uint8_t code;                 /* S7P_NI_* */
    uint32_t ref;                 /* item reference (VLQ for 0x9B, u32 for 0x92/0x03/0x13/0x9C) */
    s7p_value value;              /* 0x92, 0x9B, 0x83 */
    s7p_object *object;           /* 0x81 */
    struct s7p_notif_item *next;
} s7p_notif_item;

typedef struct s7p_notif_list {
    s7p_notif_item *first, *last;
    uint32_t n;
} s7p_notif_list;

typedef struct s7p_notification {
    uint32_t object_id;           /* subscription object */
    /* V2/V3 */
    uint16_t unknown2, unknown3, unknown4;  /* the rest is decoded only if unknown2 == 0x0400 */
    uint8_t credit_tick;          /* object ids >= 0x70000000 */
    uint32_t seq;                 /* VLQ; u8 in the short (old S7-1200) form */
    bool has_timestamp;
    uint64_t timestamp_us;
    uint8_t change_counter;
    s7p_notif_list items;
    bool has_part2;
    uint32_t object_id2;
    uint16_t unknown5;
    s7p_notif_list items2;
    /* V1 */
    uint32_t v1_unknown2;
    bool v1_has_items;
    uint32_t v1_unknown3;
    uint16_t v1_unknown4;
    /* unknown2 != 0x0400: the undecoded rest */
    s7p_bytes raw;
} s7p_notification;

/* ---- the PDU -------------------------------------------------------------------------- */

typedef struct s7p_pdu {
    uint8_t version;              /* S7P_PROTO_V1..V3 */
    bool has_v3_digest;           /* V3: digest at the start of the data part */
    uint8_t v3_digest[S7P_DIGEST_LEN];
    uint8_t opcode;               /* S7P_OP_* */
    uint16_t reserved1, reserved2;
    uint16_t function;
    uint16_t seq;
    uint32_t session_id;          /* requests only */
    uint8_t transport_flags;      /* requests and responses */
    uint64_t ret;                 /* responses: return value */
    bool ret_only;                /* an error response carrying only its return value (also
                                     encodable for functions without a known layout) */
    union {
        s7p_req_create_object create_object;
        s7p_req_delete_object delete_object;
        s7p_req_explore explore;
        s7p_req_get_multi get_multi;
        s7p_req_set_multi set_multi;
        s7p_req_set_variable set_variable;
        s7p_req_get_variable get_variable;
        s7p_req_var_sub_streamed var_sub_streamed;
        s7p_req_get_link get_link;
        s7p_req_begin_sequence begin_sequence;
        s7p_req_end_sequence end_sequence;
        s7p_req_invoke invoke;
    } req;
    union {
        s7p_resp_create_object create_object;
        s7p_resp_delete_object delete_object;
        s7p_resp_explore explore;
        s7p_resp_get_multi get_multi;
        s7p_resp_set_multi set_multi;
        s7p_resp_get_variable get_variable;
        s7p_resp_get_var_sub_streamed get_var_sub_streamed;
        s7p_resp_get_link get_link;
        s7p_resp_begin_sequence begin_sequence;
        s7p_resp_invoke invoke;
    } resp;
    s7p_notification notif;
    s7p_bytes opaque;             /* body of functions without a known layout */
    s7p_qualifier qualifier;      /* requests that carry one */
    /* tail */
    bool has_iid;
    uint32_t iid;                 /* integrity id */
    bool has_digest;              /* old-firmware V1/V2 digest at the end */
    uint8_t digest[S7P_DIGEST_LEN];
    uint8_t fill_len;             /* zero bytes that end the data part (normally 4) */
} s7p_pdu;

/** Decodes the data part of a PDU (reassembled, without frame headers and trailer; for V3
 *  including the leading digest field). Every byte must be accounted for. */
s7p_status s7p_pdu_decode(const uint8_t *data, size_t len, uint8_t version, s7p_arena *a,
                          s7p_pdu *out);
/** Encodes the data part. Returns S7P_E_LIMIT when it does not fit in w. */
bool s7p_pdu_encode(s7p_wr *w, const s7p_pdu *p);

/** Starts a request/response PDU with the usual header values and a 4-byte fill. */
void s7p_pdu_init_request(s7p_pdu *p, uint8_t version, uint16_t function, uint16_t seq,
                          uint32_t session_id, uint8_t transport_flags);
void s7p_pdu_init_response(s7p_pdu *p, const s7p_pdu *request, uint64_t ret);

/* Body codecs (body.c), exposed for tests: decode/encode the part after the header. */
bool s7p_body_decode(s7p_rd *r, s7p_arena *a, s7p_pdu *p);
bool s7p_body_encode(s7p_wr *w, const s7p_pdu *p);
bool s7p_notification_decode(s7p_rd *r, s7p_arena *a, uint8_t version, s7p_notification *n);
bool s7p_notification_encode(s7p_wr *w, uint8_t version, const s7p_notification *n);

#endif

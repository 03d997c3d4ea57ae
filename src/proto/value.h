/* SPDX-License-Identifier: MIT */
/* PValue: the typed values of S7CommPlus (a flags byte, a datatype byte, then a payload).
 *
 * Decoded values live in an arena (util/arena.h) owned by the caller; strings, blobs and
 * arrays of one-byte elements are views into the decoded buffer, so that buffer must outlive
 * the value. Encoding takes the same structures, so callers build values with pointers to
 * their own memory. Layouts and the decisions on unsure forms: docs/protocol.md. */
#ifndef S7P_PROTO_VALUE_H
#define S7P_PROTO_VALUE_H

#include "proto/rd.h"
#include "proto/wr.h"
#include "util/arena.h"

typedef enum s7p_datatype {
    S7P_DT_NULL = 0x00,
    S7P_DT_BOOL = 0x01,
    S7P_DT_USINT = 0x02,
    S7P_DT_UINT = 0x03,
    S7P_DT_UDINT = 0x04,
    S7P_DT_ULINT = 0x05,
    S7P_DT_SINT = 0x06,
    S7P_DT_INT = 0x07,
    S7P_DT_DINT = 0x08,
    S7P_DT_LINT = 0x09,
    S7P_DT_BYTE = 0x0A,
    S7P_DT_WORD = 0x0B,
    S7P_DT_DWORD = 0x0C,
    S7P_DT_LWORD = 0x0D,
    S7P_DT_REAL = 0x0E,
    S7P_DT_LREAL = 0x0F,
    S7P_DT_TIMESTAMP = 0x10,
    S7P_DT_TIMESPAN = 0x11,
    S7P_DT_RID = 0x12,
    S7P_DT_AID = 0x13,
    S7P_DT_BLOB = 0x14,
    S7P_DT_WSTRING = 0x15,
    S7P_DT_VARIANT = 0x16,
    S7P_DT_STRUCT = 0x17,
    S7P_DT_S7STRING = 0x19,
} s7p_datatype;

/* Flags byte. Only the shape bits change the layout; other bits (0x80 is set by S7-1500
 * PLCs on every value they return) are carried through unchanged. */
#define S7P_VF_ARRAY 0x10u
#define S7P_VF_ADDRESS_ARRAY 0x20u
#define S7P_VF_SPARSE 0x40u

typedef struct s7p_value s7p_value;
typedef struct s7p_member s7p_member;

/** An id/value list: `{ id:VLQ PValue }* 0`. Linked, in wire order. */
typedef struct s7p_idlist {
    s7p_member *first, *last;
    uint32_t n;
} s7p_idlist;

typedef struct s7p_blob {
    uint32_t root_id;
    uint8_t reserved[8];   /* root_id > 1 only */
    uint8_t blob_type;     /* root_id > 1 only: 0 = id/value list, 2 or 3 = bytes */
    s7p_bytes data;        /* root_id <= 1, or blob_type 2/3 */
    s7p_idlist list;       /* blob_type 0 */
} s7p_blob;

typedef struct s7p_struct {
    uint32_t id;
    /* Packed form (id in a type-info range, see s7p_struct_id_is_packed): a raw byte image. */
    uint64_t iface_timestamp;
    uint32_t transport_flags;  /* 0x400: a second count follows the first */
    uint32_t count, count2;    /* the data length is count2 when present, else count */
    s7p_bytes data;
    /* Element form: an id/value list. */
    s7p_idlist members;
    /* Address-array form (flags 0x20): nlists id/value lists. */
    s7p_idlist *lists;
    uint32_t nlists;
} s7p_struct;

typedef union s7p_scalar {
    uint64_t u;      /* Bool USInt UInt UDInt ULInt Byte Word DWord LWord Timestamp RID AID
                        S7String; Variant inside a sparse array */
    int64_t i;       /* SInt Int DInt LInt Timespan */
    float r;         /* Real (bits kept exactly) */
    double lr;       /* LReal */
    s7p_bytes s;     /* WString (UTF-8 bytes); for arrays of one-byte types: the elements */
    s7p_blob *blob;
    s7p_struct *st;
    s7p_value *var;  /* Variant outside sparse arrays: its own flags + type + payload */
} s7p_scalar;

struct s7p_value {
    uint8_t flags;
    uint8_t type;          /* s7p_datatype */
    uint32_t count;        /* arrays: element count; sparse arrays: pair count */
    s7p_scalar v;          /* scalars; Struct always (v.st); arrays of one-byte types (v.s) */
    s7p_scalar *elems;     /* other arrays and every sparse array */
    uint32_t *keys;        /* sparse arrays: the key of each element (never 0) */
    bool vlq_long;         /* scalar DInt/LInt sent in the full 5-/9-byte VLQ form */
};

struct s7p_member {
    uint32_t id;
    s7p_value value;
    s7p_member *next;
};

/** True for struct ids whose values travel as a packed byte image (e.g. DTL). */
bool s7p_struct_id_is_packed(uint32_t id);
/* Inline: the decoder and the value conversion ask these for every value. */
static inline bool s7p_value_is_sparse(const s7p_value *v) { return (v->flags & S7P_VF_SPARSE) != 0; }
/** True when the value has an array layout (count + elements) rather than a scalar one. */
static inline bool s7p_value_is_array(const s7p_value *v)
{
    return !s7p_value_is_sparse(v) && v->type != S7P_DT_STRUCT &&
           (v->flags & (S7P_VF_ARRAY | S7P_VF_ADDRESS_ARRAY)) != 0;
}
/** True for datatypes whose array elements are single bytes kept as a view (v.s). */
static inline bool s7p_datatype_is_bytewise(uint8_t type)
{
    return type == S7P_DT_BOOL || type == S7P_DT_USINT || type == S7P_DT_SINT ||
           type == S7P_DT_BYTE;
}

/** Decodes one PValue (header + payload). Allocates from `a`; on failure r->err says why. */
bool s7p_value_decode(s7p_rd *r, s7p_arena *a, s7p_value *out);
bool s7p_value_encode(s7p_wr *w, const s7p_value *v);

/** Id/value list terminated by id 0. */
bool s7p_idlist_decode(s7p_rd *r, s7p_arena *a, s7p_idlist *out);
bool s7p_idlist_encode(s7p_wr *w, const s7p_idlist *l);
/** Appends a member allocated from `a`; returns its value to fill in, or NULL. */
s7p_value *s7p_idlist_add(s7p_idlist *l, s7p_arena *a, uint32_t id);
/** First member with this id, or NULL. */
const s7p_value *s7p_idlist_find(const s7p_idlist *l, uint32_t id);

/** Element i of an array value as an unsigned / signed integer (one-byte arrays included). */
uint64_t s7p_value_elem_u64(const s7p_value *v, uint32_t i);

#endif

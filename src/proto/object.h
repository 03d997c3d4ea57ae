/* SPDX-License-Identifier: MIT */
/* PObject trees: objects (A1 .. A2) holding attributes (A3), child objects, relations (A4),
 * type information lists (AB vartype list, AC varname list) and old-firmware tag
 * descriptions (A7 .. A8). Elements keep their wire order, so a decoded tree re-encodes to
 * the same bytes. Memory: everything comes from the caller's arena; names are views into the
 * decoded buffer. */
#ifndef S7P_PROTO_OBJECT_H
#define S7P_PROTO_OBJECT_H

#include "proto/value.h"

enum {
    S7P_EL_START_OBJECT = 0xA1,
    S7P_EL_END_OBJECT = 0xA2,
    S7P_EL_ATTRIBUTE = 0xA3,
    S7P_EL_RELATION = 0xA4,
    S7P_EL_START_TAGDESC = 0xA7,
    S7P_EL_END_TAGDESC = 0xA8,
    S7P_EL_VARTYPE_LIST = 0xAB,
    S7P_EL_VARNAME_LIST = 0xAC,
};

/* OffsetInfoType: bits 15..12 of a vartype element's attribute flags. */
enum {
    S7P_OIT_FB_ARRAY = 0, S7P_OIT_SE_STD = 1, S7P_OIT_SE_STRING = 2, S7P_OIT_SE_ARRAY1 = 3,
    S7P_OIT_SE_ARRAYM = 4, S7P_OIT_SE_STRUCT = 5, S7P_OIT_SE_STRUCT1 = 6, S7P_OIT_SE_STRUCTM = 7,
    S7P_OIT_STD = 8, S7P_OIT_STRING = 9, S7P_OIT_ARRAY1 = 10, S7P_OIT_ARRAYM = 11,
    S7P_OIT_STRUCT = 12, S7P_OIT_STRUCT1 = 13, S7P_OIT_STRUCTM = 14, S7P_OIT_FB_SFB = 15,
};

/* S7P_MAX_DIMS (6) comes from the public header. */

/** One member of a type (vartype list element). Fields not used by its offset-info type
 *  are 0. Numbers inside a vartype list are little-endian on the wire. */
typedef struct s7p_vartype {
    uint32_t lid, symbol_crc;
    uint8_t softdatatype;
    uint16_t attr_flags;       /* bits 15..12: offset-info type (S7P_OIT_*) */
    uint8_t bit_offset_info;
    uint16_t info1, info2;     /* Std kinds: optimized / non-optimized 16-bit address;
                                  others: unspecified words (string length in info1) */
    uint32_t opt_addr, nonopt_addr;
    int32_t lower_bound;
    uint32_t element_count;
    int32_t mdim_lower[S7P_MAX_DIMS];   /* index 0 = right-most dimension */
    uint32_t mdim_count[S7P_MAX_DIMS];
    uint32_t nonopt_struct_size, opt_struct_size;
    uint32_t relation_id;               /* type of struct / UDT / FB members */
    uint32_t info4, info5, info6, info7;
    uint32_t retain_offset, volatile_offset;
    uint32_t classic_size, retain_size, volatile_size;  /* FB arrays */
    bool starts_block;                  /* a new length-prefixed block begins here */
} s7p_vartype;

typedef struct s7p_vartype_list {
    uint32_t first_id;         /* 4 bytes after the first block length; meaning unknown */
    s7p_vartype *items;
    uint32_t n;
} s7p_vartype_list;

typedef struct s7p_varname {
    s7p_bytes name;            /* UTF-8, at most 255 bytes */
    uint8_t trailer;           /* the byte after each name, normally 0 */
    bool starts_block;
} s7p_varname;

typedef struct s7p_varname_list {
    s7p_varname *items;
    uint32_t n;
} s7p_varname_list;

/** Old S7-1200 firmware tag description (A7 ... ; A8 is a separate element). */
typedef struct s7p_tagdesc {
    uint8_t offset_info_type;  /* 0x04/0x08: access+section present; low 2 bits: layout */
    s7p_bytes name;
    uint8_t unknown;
    uint8_t datatype;
    uint32_t softdatatype;
    uint32_t attr_flags;
    uint32_t lid;
    uint32_t extra;            /* S7String max length, struct relation id, or unknown */
    uint32_t access, section;
    uint32_t offset1, offset2;
    uint32_t bit_offset1, bit_offset2;   /* layout 1 */
    uint32_t pad1, pad2;                 /* layouts 2 and 3 */
    uint32_t ndims;                      /* layout 3 (layout 2: one dimension) */
    int32_t lower[S7P_MAX_DIMS];
    uint32_t count[S7P_MAX_DIMS];
    uint32_t sfb_offset1, sfb_offset2;   /* offset_info_type exactly 0x08 */
} s7p_tagdesc;

typedef struct s7p_object s7p_object;

typedef struct s7p_relation {
    uint32_t id;
    uint32_t target;
} s7p_relation;

typedef struct s7p_obj_elem {
    uint8_t tag;               /* S7P_EL_* */
    union {
        s7p_member attr;       /* A3: id + value (attr.next unused) */
        s7p_object *child;     /* A1 */
        s7p_relation rel;      /* A4 */
        s7p_vartype_list *vartypes;
        s7p_varname_list *varnames;
        s7p_tagdesc *tagdesc;
    } u;
    struct s7p_obj_elem *next;
} s7p_obj_elem;

struct s7p_object {
    uint32_t rel_id;
    uint32_t class_id;
    uint32_t class_flags;
    uint32_t attr_id;
    uint32_t attr_id_flags;    /* present on the wire only when attr_id != 0 */
    s7p_obj_elem *first, *last;
    uint32_t nelems;
};

/** Decodes one object starting at its A1 tag, up to and including its A2. */
bool s7p_object_decode(s7p_rd *r, s7p_arena *a, s7p_object **out);
bool s7p_object_encode(s7p_wr *w, const s7p_object *o);

/** A sequence of top-level objects: decodes while the next byte is A1. */
typedef struct s7p_object_list {
    s7p_object **items;
    uint32_t n;
} s7p_object_list;
bool s7p_object_list_decode(s7p_rd *r, s7p_arena *a, s7p_object_list *out);
bool s7p_object_list_encode(s7p_wr *w, const s7p_object_list *l);

/* Builders and lookups (for encoders and for code that walks decoded trees). */
s7p_object *s7p_object_new(s7p_arena *a, uint32_t rel_id, uint32_t class_id);
s7p_value *s7p_object_add_attr(s7p_object *o, s7p_arena *a, uint32_t id);
bool s7p_object_add_child(s7p_object *o, s7p_arena *a, s7p_object *child);
bool s7p_object_add_relation(s7p_object *o, s7p_arena *a, uint32_t id, uint32_t target);
const s7p_value *s7p_object_attr(const s7p_object *o, uint32_t id);
/** The first vartype / varname list of the object, or NULL. */
const s7p_vartype_list *s7p_object_vartypes(const s7p_object *o);
const s7p_varname_list *s7p_object_varnames(const s7p_object *o);

bool s7p_vartype_list_decode(s7p_rd *r, s7p_arena *a, s7p_vartype_list *out);
bool s7p_vartype_list_encode(s7p_wr *w, const s7p_vartype_list *l);
bool s7p_varname_list_decode(s7p_rd *r, s7p_arena *a, s7p_varname_list *out);
bool s7p_varname_list_encode(s7p_wr *w, const s7p_varname_list *l);
bool s7p_tagdesc_decode(s7p_rd *r, s7p_tagdesc *out);
bool s7p_tagdesc_encode(s7p_wr *w, const s7p_tagdesc *t);

#endif

/* SPDX-License-Identifier: MIT */
/* Dynamic Alarm Instances (DAI, class 2681): one alarm's state as the PLC sends it in the
 * answer to Explore(8, 2667) and in part 2 of alarm notifications (docs/protocol.md,
 * "Alarms"). This is the wire record only: ids, raw blobs and UTF-8 text views; what they
 * mean (associated values as tag values, texts in a language, placeholders) is services/
 * alarm.c. The same definitions encode a DAI (the simulator) and decode one (the client).
 *
 * Memory: views point into the decoded object's buffer; arrays come from the caller's
 * arena. Nothing here frees memory. */
#ifndef S7P_PROTO_ALARM_H
#define S7P_PROTO_ALARM_H

#include "proto/ids.h"
#include "proto/object.h"

/** Associated values in AS_CGS (3476): element 0 is type information, 1..10 are SD_1..SD_10;
 *  PLCs send 17 elements. More than this many is refused as malformed. */
#define S7P_DAI_MAX_VALUES 32u
/** Texts (2715) kept of one DAI: 11 per language, a generous number of languages. */
#define S7P_DAI_MAX_TEXTS 1024u
/** HmiInfo blob sizes by syntax id: 256 -> 9, 257 -> 12, 258 and later -> 17 bytes. */
#define S7P_HMI_INFO_MAX 17u

/** Text ids: the low 16 bits of a 2715 key (high 16 bits: the LCID). */
enum {
    S7P_DAI_TEXT_INFO = 1,
    S7P_DAI_TEXT_ALARM = 2,
    S7P_DAI_TEXT_ADDITIONAL1 = 3,   /* .. 11 = AdditionalText9 */
    S7P_DAI_TEXT_LAST = 11,
};

/** DAI.HmiInfo (7813): big-endian fields; later syntax ids append fields. */
typedef struct s7p_hmi_info {
    uint16_t syntax_id;
    uint16_t version;
    uint32_t client_alarm_id;  /* the HMI / TIA alarm number */
    uint8_t priority;
    uint8_t reserved[3];       /* syntax >= 257 */
    uint16_t alarm_class;      /* syntax >= 258 */
    uint8_t producer, group_id, flags;
} s7p_hmi_info;

/** One associated-value blob: its root id (a type-info id 0x02000000 + n, 3476 for the type
 *  information of element 0, or 0) and its bytes. */
typedef struct s7p_dai_blob {
    uint32_t root_id;
    s7p_bytes data;
} s7p_dai_blob;

/** AS_CGS (struct 3473): a coming or going state change. */
typedef struct s7p_as_cgs {
    bool present;
    uint8_t all_states;        /* 3474 */
    uint64_t timestamp;        /* 3475, ns since 1970 UTC */
    uint64_t ack_timestamp;    /* 3646, 0 = not acknowledged */
    s7p_dai_blob *values;      /* 3476 */
    uint32_t nvalues;
} s7p_as_cgs;

typedef struct s7p_dai_text {
    uint32_t key;              /* LCID << 16 | text id (older CPUs: 0xA09C8000 | text id) */
    s7p_bytes text;            /* UTF-8, no terminator */
} s7p_dai_text;

/** The attributes of a DAI; `has` tells which were present (S7P_DAI_HAS_*). */
typedef struct s7p_dai {
    uint32_t rel_id;           /* the DAI object's RID */
    unsigned has;
    s7p_bytes name;            /* 233, UTF-8 */
    uint64_t cpu_alarm_id;     /* 2670 */
    uint8_t all_states;        /* 2671 */
    uint16_t domain;           /* 2672 */
    int32_t message_type;      /* 4079 */
    s7p_hmi_info hmi;          /* 7813 */
    uint32_t sequence_counter; /* 7917 */
    s7p_as_cgs coming, going;  /* 2673, 2677 */
    s7p_dai_text *texts;       /* 2715, in wire order */
    uint32_t ntexts;
} s7p_dai;

enum {
    S7P_DAI_HAS_NAME = 1u << 0,
    S7P_DAI_HAS_ID = 1u << 1,
    S7P_DAI_HAS_STATES = 1u << 2,
    S7P_DAI_HAS_DOMAIN = 1u << 3,
    S7P_DAI_HAS_MESSAGE_TYPE = 1u << 4,
    S7P_DAI_HAS_HMI = 1u << 5,
    S7P_DAI_HAS_SEQUENCE = 1u << 6,
    S7P_DAI_HAS_TEXTS = 1u << 7,
};

/** The attribute list a client asks for in Explore(8, 2667) (services spec §2.2), in the
 *  order the reference driver sends it. */
extern const uint32_t s7p_dai_attrs[10];

/** Decodes a HmiInfo blob: S7P_E_PROTOCOL when shorter than its syntax id needs (9, 12 or 17
 *  bytes) or longer than 17 bytes. */
s7p_status s7p_hmi_info_decode(const uint8_t *p, size_t n, s7p_hmi_info *out);
/** Encodes h in the length its syntax id needs; returns that length. */
size_t s7p_hmi_info_encode(const s7p_hmi_info *h, uint8_t out[S7P_HMI_INFO_MAX]);

/** True for an object of class 2681. */
bool s7p_dai_is(const s7p_object *o);
/** Reads a DAI object. An attribute of the wrong type or shape, a malformed HmiInfo or too
 *  many values or texts: S7P_E_PROTOCOL (why says which); arena exhausted: S7P_E_NOMEM.
 *  Missing attributes are not an error (out->has and coming/going.present tell). */
s7p_status s7p_dai_decode(const s7p_object *o, s7p_arena *a, s7p_dai *out, char *why,
                          size_t why_len);
/** Builds a DAI object from d with the attributes of `attrs` (in that order; ids the DAI
 *  does not have, and 2673/2677 when that change is not present, are left out; NULL: all
 *  it has). Texts are filtered to the LCIDs in lcids (n 0: all). NULL when out of memory. */
s7p_object *s7p_dai_encode(const s7p_dai *d, s7p_arena *a, const uint32_t *attrs, size_t nattrs,
                           const uint16_t *lcids, size_t nlcids);

#endif

/* SPDX-License-Identifier: MIT */
/* Alarms (docs/protocol.md, "Alarms"): what a DAI (proto/alarm.h) means for a caller, as the
 * public s7p_alarm: associated values as tag values, the texts of one language with the
 * values formatted in, and the active-alarm snapshot (Explore of RID 8 with 2667).
 *
 * s7p_alarm_from_object() takes one DAI object, wherever it came from: the snapshot's
 * Explore answer here, the part 2 of an alarm notification in the alarm subscription. */
#ifndef S7P_SERVICES_ALARM_H
#define S7P_SERVICES_ALARM_H

#include "proto/alarm.h"
#include "services/op.h"

/** Longest formatted text (bytes). */
#define S7P_ALARM_TEXT_MAX 65536u

/* ---- associated values (alarm_values.c) ---- */

/** One associated-value blob -> a tag value (strings from s7p_malloc: s7p_tag_value_clear).
 *  A root id that names no value type gives type S7P_T_VOID and S7P_OK; bytes too short for
 *  the type, or a string whose length exceeds its bytes: S7P_E_PROTOCOL; S7P_E_NOMEM. */
s7p_status s7p_alarm_value_decode(uint32_t root_id, const uint8_t *p, size_t n,
                                  s7p_tag_value *out);
/** A tag value -> its blob (bytes in `a`); str_max: declared length of a String / WString
 *  (0: 254). S7P_E_INVALID_ARG for a type alarms cannot carry or a string too long. */
s7p_status s7p_alarm_value_encode(const s7p_tag_value *v, uint16_t str_max, s7p_arena *a,
                                  s7p_dai_blob *out);
/** Types an associated value may have (Bool, Byte, Char, Word, Int, DWord, DInt, Real,
 *  LReal, USInt, UInt, UDInt, SInt, WChar, String, WString, and the 64-bit integers). */
bool s7p_alarm_value_type_ok(s7p_type t);

/* ---- text formatting (alarm_text.c) ---- */

/** Where placeholders take their values: typed values (values[0] = SD_1), or the packed
 *  standard form (one byte image; the placeholder's type letter says the element size). */
typedef struct s7p_alarm_src {
    const s7p_tag_value *values;
    size_t n;
    const uint8_t *packed;
    size_t npacked;
} s7p_alarm_src;

/** Text-list lookup for `%t#Name`: sets *text (borrowed until the format call returns) for
 *  the entry `value` of list name[0..len) in language lcid; false when there is none. */
typedef bool (*s7p_alarm_textlist_fn)(void *ctx, const char *name, size_t len, int64_t value,
                                      uint32_t lcid, const char **text);

/** Formats text[0..len) (UTF-8) into *out (s7p_malloc, NUL-terminated). lookup may be NULL
 *  (text-list placeholders then stay as written). S7P_E_LIMIT beyond S7P_ALARM_TEXT_MAX;
 *  S7P_E_NOMEM. */
s7p_status s7p_alarm_format(const char *text, size_t len, const s7p_alarm_src *src, uint32_t lcid,
                            s7p_alarm_textlist_fn lookup, void *lookup_ctx, char **out);

/* ---- DAI -> s7p_alarm (alarm.c) ---- */

/** Fills out (zeroed first) from a DAI object: texts of language lcid (0: the lowest sent).
 *  S7P_E_NOT_FOUND (*out left cleared) for a DAI with neither a coming nor a going state,
 *  which callers skip; S7P_E_PROTOCOL for a malformed DAI (f says which attribute);
 *  S7P_E_NOMEM. */
s7p_status s7p_alarm_from_object(const s7p_object *o, uint32_t lcid, s7p_alarm *out,
                                 s7p_fail *f);

/* ---- the active-alarm snapshot ---- */

/** The Explore request of the snapshot (services spec §2.2). */
s7p_status s7p_alarms_explore_build(s7p_session *s, s7p_arena *a, s7p_pdu *req, s7p_fail *f);
/** Takes its answer into a new list (*out; s7p_alarm_list_free). Every DAI of the answer,
 *  top level or nested, in order; DAIs without a state change are left out. */
s7p_status s7p_alarms_take(const s7p_pdu *resp, uint32_t lcid, s7p_alarm_list **out,
                           s7p_fail *f);

/** The operation: one request bounded by request_ms. *out is NULL until it succeeded. */
typedef struct s7p_alarms_op {
    s7p_op op;                      /* first: the operation */
    uint32_t lcid;
    s7p_alarm_list **out;
    uint32_t request_ms;
    s7p_status st;
} s7p_alarms_op;
void s7p_alarms_start(s7p_alarms_op *o, s7p_session *s, uint32_t lcid, s7p_alarm_list **out,
                      uint32_t request_ms, s7p_op_done_fn done, void *ctx);

#endif

/* SPDX-License-Identifier: MIT */
/* Tag values: the PLC's wire form (PValue, proto/value.h) <-> the public s7p_tag_value.
 *
 * The wire form of each Siemens type is the table in the data-model spec §9; the public form
 * is documented at s7p_tag_value in s7plus.h (ns durations, ns since 1970 for points in time,
 * UTF-8 text). Decisions on unsure forms: docs/protocol.md (tag value conversion). */
#ifndef S7P_VALUES_CONVERT_H
#define S7P_VALUES_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/value.h"
#include "s7plus/s7plus.h"
#include "util/arena.h"
#include "util/utf8.h"
#include "values/calendar.h"

/** Struct id of a packed DTL value (TI_DTL = 0x02000000 + softdatatype 67). */
#define S7P_DTL_STRUCT_ID 0x02000043u
/** Bytes of one DTL image: year u16be, month, day, weekday, hour, minute, second, ns u32be. */
#define S7P_DTL_SIZE 12u
/** Bytes of one Date_And_Time image (BCD). */
#define S7P_DT_SIZE 8u
/** Packed-struct transport flags: "always set", and "a second count follows". */
#define S7P_PACKED_ALWAYS 0x0002u
#define S7P_PACKED_COUNT2 0x0400u
/** Longest declared String and WString (Siemens limits). */
#define S7P_STRING_MAX 254u
#define S7P_WSTRING_MAX 16382u

/**
 * Decodes a value the PLC returned for `tag` into out (library-allocated strings/arrays:
 * free with s7p_tag_value_clear). Reads ignore flag bits other than the shape bits (S7-1500
 * sets 0x80). S7P_E_PROTOCOL when the wire type or shape does not fit the tag's type, or the
 * wire value is not valid for it (bad BCD, unpaired surrogate, a date out of range): `why`
 * names both. S7P_E_UNSUPPORTED for types that have no value (Void, Struct ...). S7P_E_NOMEM.
 * On failure `out` is left cleared.
 */
s7p_status s7p_convert_read(const s7p_tag *tag, const s7p_value *wire, s7p_tag_value *out,
                            char *why, size_t why_len);

/**
 * Encodes `in` for writing `tag`; every allocation (elements, byte images) comes from `a`,
 * and string/raw inputs are copied, so `in` may go away afterwards. S7P_E_INVALID_ARG with a
 * reason when the value does not fit the tag (wrong type, out of range, not representable,
 * too long, invalid UTF-8, array count not matching tag->count); S7P_E_UNSUPPORTED for types
 * that have no value; S7P_E_LIMIT when the wire array would be larger than S7P_MAX_ITEMS;
 * S7P_E_NOMEM when the arena is exhausted.
 */
s7p_status s7p_convert_write(const s7p_tag *tag, const s7p_tag_value *in, s7p_arena *a,
                             s7p_value *wire, char *why, size_t why_len);

/** Wire datatype (s7p_datatype) of a tag of this type; S7P_DT_NULL for types without a
 *  value. Accepts every softdatatype id of the ranges (HW_*, OB_*, AOM ...), not only the
 *  enum's names. */
uint8_t s7p_convert_wire_type(s7p_type t);

/** Flags byte a writer sends for this tag: 0x10 for arrays and for types whose scalar is a
 *  byte/unit array on the wire (String, WString, DT, Pointer, Any, Remote), else 0x00. */
uint8_t s7p_convert_wire_flags(const s7p_tag *tag);

/* ---- WString text (text.c; the rest of the text functions are in util/utf8.h) ---------- */

/** Writes info.units16 units into dst[i].u; only after a valid s7p_utf8_scan(). */
void s7p_utf8_to_utf16(const char *s, size_t n, s7p_scalar *dst);
/** UTF-16 units (u[i].u, low 16 bits) -> NUL-terminated UTF-8 from s7p_malloc.
 *  S7P_E_PROTOCOL on an unpaired surrogate (*bad_at = its index); S7P_E_NOMEM. */
s7p_status s7p_utf16_to_utf8(const s7p_scalar *u, size_t n, char **out, size_t *out_len,
                             size_t *bad_at);

#endif

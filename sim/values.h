/* SPDX-License-Identifier: MIT */
/* The simulator's live values are kept in the public form (s7p_tag_value, s7plus.h), so the
 * client's own conversions (values/convert.h) turn them into wire values and back. This
 * file converts the program's start values (s7t_value) into that form and checks written
 * values against the declared type. */
#ifndef S7P_SIM_VALUES_H
#define S7P_SIM_VALUES_H

#include <stdbool.h>

#include "program/program.h"
#include "proto/value.h"
#include "s7plus/s7plus.h"

/** The type a variable of this elementary type is converted as: the announced softdatatype
 *  (sim_sdt()). */
s7p_type sim_value_type(const s7t_type *elem);

/** Describes a variable for values/convert.h: count 0 for one element, n for a whole
 *  array of n elements. Only type, count and str_max are set. */
void sim_value_tag(const s7t_type *elem, uint32_t count, s7p_tag *tag);

/** A start value in the public form; text and bytes are copied (s7p_malloc), release with
 *  s7p_tag_value_clear(). False when out of memory. */
bool sim_value_from_model(const s7t_type *elem, const s7t_value *in, s7p_tag_value *out);

/** Whether a decoded written element fits the declared type beyond what the conversion
 *  checks: text not longer than declared, Pointer/Any images of the stored length. */
bool sim_value_fits(const s7t_type *elem, const s7p_tag_value *v, const s7p_tag_value *cur);

/** Whether a written wire value has the form a variable of `tag` travels in (wire type,
 *  array or not, element count of simple arrays); its contents are the conversion's job. */
bool sim_value_wire_ok(const s7p_tag *tag, const s7p_value *w);

#endif

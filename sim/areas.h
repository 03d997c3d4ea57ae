/* SPDX-License-Identifier: MIT */
/* I, Q, M, timers and counters: the PLC tags of the program's tag tables, served from byte
 * images of the process areas (docs/protocol.md §3.3; data-model spec §5.8).
 *
 * Each area is addressed by its native object id (80 I, 81 Q, 82 M, 83 counters, 84 timers)
 * with sub-area 3736 (ControllerArea_ValueActual) and one LID per tag; its type information
 * (Explore of 0x90010000 I, 0x90020000 Q, 0x90030000 M, 0x90050000 T, 0x90060000 C) lists the
 * area's tags. LIDs are 9, 10, ... in tag-table order within the area, as DB members.
 *
 * Values live in the area images (I/Q/M bytes, T/C 16-bit words), so tags that overlap see
 * each other's writes as in a PLC. The caller serialises access (sim_plc_lock()). */
#ifndef S7P_SIM_AREAS_H
#define S7P_SIM_AREAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program/program.h"
#include "proto/items.h"
#include "proto/object.h"

typedef struct sim_areas sim_areas;

/** Builds the areas of p's tags with their start values; NULL with a message on failure. */
sim_areas *sim_areas_build(const s7t_program *p, char *err, size_t err_len);
void sim_areas_free(sim_areas *a);

/** True for the native ids of the areas (80..84). */
bool sim_areas_owns(uint32_t area);

/** The type-info object of an area RID (from ar); NULL with *found false when rid is not
 *  one, NULL with *found true when ar is exhausted. */
s7p_object *sim_areas_typeinfo(const sim_areas *a, uint32_t rid, s7p_arena *ar, bool *found);

/** Appends the type-info objects of all five areas (I, Q, M, T, C) as children of parent
 *  (the type-info container's answer). False when ar is exhausted. */
bool sim_areas_typeinfo_all(const sim_areas *a, s7p_object *parent, s7p_arena *ar);

/** One tag read / write; 0 or a PLC error code (as sim_plc_read() / sim_plc_write()). */
int16_t sim_areas_read(sim_areas *a, const s7p_item_address *addr, s7p_arena *ar,
                       s7p_value *out);
int16_t sim_areas_write(sim_areas *a, const s7p_item_address *addr, const s7p_value *w);

/** A tag's value in the public form (control channel); 0 or a PLC error code. */
int16_t sim_areas_get_tag(const sim_areas *a, const s7t_tag *t, s7p_tag_value *out);
/** Sets a tag from a value of its type (control channel); 0 or a PLC error code. */
int16_t sim_areas_set_tag(sim_areas *a, const s7t_tag *t, const s7p_tag_value *v);

#endif

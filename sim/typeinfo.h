/* SPDX-License-Identifier: MIT */
/* Type information the simulator serves (docs/protocol.md §3.2): one type-info RID per
 * distinct struct type of the program (each DB's root type and every struct or UDT type
 * reachable from it), and the ClassTypeInfo object an Explore of that RID answers.
 *
 * A struct type used both in an optimized and in a standard DB gets two RIDs, since the
 * attribute flags of its members say which access the block has. RIDs are 0x91000000 + k,
 * k = 0, 1, ... in the order the types are first met (DBs by number, members in order); a
 * reloaded program starts at another base (sim_tinfo_set_rid_base).
 *
 * Built once when the program is loaded and never changed afterwards, so lookups need no
 * lock. Everything borrowed from the program stays valid while the program lives. */
#ifndef S7P_SIM_TYPEINFO_H
#define S7P_SIM_TYPEINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program/program.h"
#include "proto/object.h"

#define SIM_TINFO_RID_BASE 0x91000000u
/** ClassTypeInfo: the class of a type-info object. */
#define SIM_CLASS_TYPE_INFO 511u

typedef struct sim_tinfo sim_tinfo;

/** Registers the struct types of every DB of p. NULL with a message when out of memory. */
sim_tinfo *sim_tinfo_build(const s7t_program *p, char *err, size_t err_len);
void sim_tinfo_free(sim_tinfo *t);

/** Moves the RIDs to base + k: a reloaded program's types get RIDs the previous program did
 *  not use, as a CPU gives a changed type a new type-info object. */
void sim_tinfo_set_rid_base(sim_tinfo *t, uint32_t base);
/** Number of registered struct types: their RIDs are the base (see
 *  sim_tinfo_rid_at) + 0 .. count - 1. */
size_t sim_tinfo_count(const sim_tinfo *t);
/** The RID of the k-th registered type (k < sim_tinfo_count()). */
uint32_t sim_tinfo_rid_at(const sim_tinfo *t, size_t k);

/** RID of a struct type as seen from an optimized or a standard DB; 0 if not registered. */
uint32_t sim_tinfo_rid(const sim_tinfo *t, const s7t_type *st, bool optimized);

/** The symbol-CRC segments of a registered struct type's members (sim_member_crc of
 *  st->members[i] at [i]), computed when the program was loaded; NULL if not registered. A
 *  reloaded program has its own table: nothing outlives the program it was computed from. */
const uint32_t *sim_tinfo_member_crcs(const sim_tinfo *t, const s7t_type *st, bool optimized);

/**
 * The ClassTypeInfo object of `rid` (vartype and varname list of the struct's members),
 * allocated from `a`. Returns NULL with *found false for an unknown RID, NULL with *found
 * true when the arena is exhausted.
 */
s7p_object *sim_tinfo_object(const sim_tinfo *t, uint32_t rid, s7p_arena *a, bool *found);

/** The softdatatype the simulator announces for an elementary type: the model's id, with
 *  Event_HwInt moved to 134 (the model numbers it 131, the PLC's Folder). */
uint8_t sim_sdt(const s7t_type *elem);

/** Inner symbol-CRC segment of a member, as the client computes it from the type info. */
uint32_t sim_member_crc(const s7t_member *m);

#endif

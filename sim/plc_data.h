/* SPDX-License-Identifier: MIT */
/* The PLC program the simulator serves and its live values (docs/protocol.md §3).
 *
 * Loaded at start: the program (sim/program), its type-info RIDs (typeinfo.h) and a copy of
 * every DB's start values. Reads, writes and explores of many connections go through one
 * mutex; what is written stays until the program is reloaded (sim_plc_reload, a simulated
 * download: every DB starts again from its start values, the change counter goes up, types
 * get new type-info RIDs).
 *
 * Error answers are PLC error codes (int16, 0 = OK) as docs/protocol.md §3.4 lists them. */
#ifndef S7P_SIM_PLC_DATA_H
#define S7P_SIM_PLC_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program/program.h"
#include "proto/items.h"
#include "proto/object.h"
#include "proto/pdu.h"

typedef struct sim_plc sim_plc;

/** Loads every source of dir (s7t_program_load_dir_ex). msg receives the loader's lines
 *  ("file:line:col: message", '\n' between them): on failure why; on success the errors of
 *  the sources left out (not strict), "" when none. */
sim_plc *sim_plc_load(const char *dir, bool strict, char *msg, size_t msg_len);
void sim_plc_free(sim_plc *p);

/** The program loaded at start (for start-up messages; not safe against a reload). */
const s7t_program *sim_plc_program(const sim_plc *p);

/** Loads the program directory again and serves it from the next request on. False with the
 *  loader's message when it does not load; the running program stays then. msg as for
 *  sim_plc_load (with the strictness given there). */
bool sim_plc_reload(sim_plc *p, char *msg, size_t msg_len);
/** Container.ChangeCounter of the program object: 1 at start, +1 per reload. */
uint32_t sim_plc_change_counter(sim_plc *p);

/** True for the access areas this module answers: DBs (0x8A0E0000 + n) and I/Q/M/C/T. */
bool sim_plc_owns_area(uint32_t area);

/**
 * Explore of the request's id: 3 (the PLC program: one child per DB when exploring children,
 * and attribute 2479 ChangeCounter when the request asks for it), 537 (the type-info
 * container: every type-info object, the tag tables' included, as children of one object of
 * class 534) or a type-info RID (a DB's type, or 0x90010000..0x90060000 for the tag tables).
 * Appends the answer's objects to out (allocated from a). Returns 0, -12 for an unknown id,
 * or 1 when the arena is exhausted. p may be NULL (no program).
 */
int sim_plc_explore(sim_plc *p, const s7p_req_explore *req, s7p_arena *a, s7p_object_list *out);

/** One lock around all items of a request, so a batch sees (and leaves) one state. */
void sim_plc_lock(sim_plc *p);
void sim_plc_unlock(sim_plc *p);

/** Reads one item (lock held). Returns 0 and the wire value (from a), or an error code. */
int16_t sim_plc_read(sim_plc *p, const s7p_item_address *addr, s7p_arena *a, s7p_value *out);

/** Writes one item (lock held). Returns 0 or an error code; on error nothing changes. */
int16_t sim_plc_write(sim_plc *p, const s7p_item_address *addr, const s7p_value *v);

/** Sets a variable from a TIA literal (s7p_value_parse): SYMBOL is `"DB".path` (an
 *  elementary member or a whole array of elementary type) or the name of a PLC tag. Takes
 *  the lock. False with a one-line reason. */
bool sim_plc_set_symbol(sim_plc *p, const char *symbol, const char *literal, char *err,
                        size_t err_len);
/** The type of a single (not array) variable, for generators. Takes the lock. False with a
 *  one-line reason. */
bool sim_plc_symbol_type(sim_plc *p, const char *symbol, s7p_type *type, char *err,
                         size_t err_len);
/** Formats a variable's value as a TIA literal into out. Takes the lock. */
bool sim_plc_get_symbol(sim_plc *p, const char *symbol, char *out, size_t out_len);

#endif

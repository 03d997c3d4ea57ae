/* SPDX-License-Identifier: MIT */
/* Classic byte-range access to standard (non-optimized) DBs (docs/protocol.md §8.3).
 *
 * Older HMIs and drivers read and write a standard DB as a byte range: an item address with
 * symbol CRC 0, sub-area DB_ValueActual (2550) and the LIDs 3 (LID_OMS_STB_ClassicBlob),
 * byte offset, byte count and, optionally, a bit offset. The value travels as a Blob (a Bool
 * with a bit offset).
 *
 * The byte image follows the classic S7 layout of the DB's declaration: Bools packed into
 * bits, one-byte types on any byte, everything else (and every struct, array and string) on
 * an even byte, structs and arrays padded to an even size. The simulator keeps its values
 * typed (one s7p_tag_value per leaf, plc_data.c), so a read encodes the leaves the range
 * touches into that image and a write decodes them back. */
#ifndef S7P_SIM_CLASSIC_H
#define S7P_SIM_CLASSIC_H

#include <stdbool.h>
#include <stdint.h>

#include "program/program.h"
#include "proto/items.h"
#include "proto/value.h"
#include "s7plus/s7plus.h"

/** LID_OMS_STB_ClassicBlob: the first LID of a byte-range address. */
#define SIM_LID_CLASSIC_BLOB 3u

typedef struct sim_classic sim_classic;

/** The layout of a standard DB's leaves; NULL when out of memory. */
sim_classic *sim_classic_build(const s7t_db *db);
void sim_classic_free(sim_classic *c);
/** Bytes of the DB's image. */
uint32_t sim_classic_size(const sim_classic *c);

/** True for the byte-range form of an item address (CRC 0, sub-area 2550, LIDs 3.off.cnt[.bit]). */
bool sim_classic_is_range(const s7p_item_address *addr);

/** Reads the range of addr from the leaves (in leaf order) into a Blob (or a Bool) from a.
 *  Returns 0 or a PLC error code. */
int16_t sim_classic_read(const sim_classic *c, const s7t_db *db, const s7p_tag_value *leaves,
                         const s7p_item_address *addr, s7p_arena *a, s7p_value *out);

/** Writes a Blob (or a Bool for a bit address) into the range; the touched leaves are
 *  decoded again from the new image. Returns 0 or a PLC error code; on error nothing
 *  changes. */
int16_t sim_classic_write(const sim_classic *c, const s7t_db *db, s7p_tag_value *leaves,
                          const s7p_item_address *addr, const s7p_value *w);

#endif

/* SPDX-License-Identifier: MIT */
/* Symbol CRC: the checksum a client puts in an item address so the PLC can verify that the
 * variable still is what the client resolved (0 = no check). CRC-32, polynomial 0xF4ACFB13,
 * MSB first, init 0, no final XOR, over the path segments below the DB or area name
 * (docs/protocol.md, "Symbol CRC"). */
#ifndef S7P_PROTO_SYMCRC_H
#define S7P_PROTO_SYMCRC_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

uint32_t s7p_crc32_f4ac(uint32_t crc, const uint8_t *p, size_t n);

/** The type code a software datatype contributes (BBool counts as Bool, hardware ids as
 *  Word, OB numbers as Int ...). */
uint8_t s7p_symcrc_type_code(uint8_t softdatatype);

/** Inner CRC of one path segment: a plain member (name, softdatatype) or, when is_array, an
 *  array member (name, element softdatatype, lower bound of the first dimension). */
uint32_t s7p_symcrc_segment(const char *name, size_t name_len, uint8_t softdatatype,
                            bool is_array, int32_t lower_bound);

/** Final CRC of a path from its segments' inner CRCs (n >= 1). */
uint32_t s7p_symcrc_path(const uint32_t *inner, size_t n);

#endif

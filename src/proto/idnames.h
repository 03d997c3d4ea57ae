/* SPDX-License-Identifier: MIT */
/* Names of the protocol's object, class and attribute ids ("233 ObjectVariableTypeName"),
 * for readable output (`s7plus decode`). The ids share one number space. The table holds the
 * ids of src/proto/ids.h and those met in the real captures and in our own sessions, named
 * as the protocol names them; an id without an entry simply has no name. */
#ifndef S7P_PROTO_IDNAMES_H
#define S7P_PROTO_IDNAMES_H

#include <stddef.h>
#include <stdint.h>

/** One entry of the table. */
typedef struct s7p_id_name_entry {
    uint32_t id;
    const char *name;
} s7p_id_name_entry;

/** The name of an id, or NULL when it is not in the table. */
const char *s7p_id_name(uint32_t id);

/** The whole table, sorted by id without duplicates; *n receives its length. */
const s7p_id_name_entry *s7p_id_names(size_t *n);

#endif

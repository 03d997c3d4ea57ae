/* SPDX-License-Identifier: MIT */
/* Browsing and symbol resolution: DB list, type information (cached per type-info RID),
 * walking types into variables, and resolving symbols to access addresses
 * (docs/protocol.md §3). */
#ifndef S7P_SERVICES_BROWSE_H
#define S7P_SERVICES_BROWSE_H

#include "session/session.h"

typedef struct s7p_db_entry {
    uint32_t number;
    uint32_t relid;            /* 0x8A0E0000 + number */
    uint32_t type_rid;         /* 0 until read */
    char name[130];
} s7p_db_entry;

typedef struct s7p_tinfo {
    uint32_t rid;
    const s7p_vartype_list *vt;
    const s7p_varname_list *vn;
} s7p_tinfo;

/** What a client remembers of a PLC's program while connected. */
typedef struct s7p_browse_cache {
    s7p_arena arena;           /* type-info objects and their bytes */
    s7p_tinfo *types;          /* sorted by rid */
    size_t ntypes, cap_types;
    s7p_db_entry *dbs;
    size_t ndbs, cap_dbs;
    uint32_t rids_per_request; /* DBs per request of type ids (the PLC's tags per read) */
    bool have_dbs;             /* the list and every DB's type id are read */
    /* the program's change marker this cache belongs to (services/program.c) */
    bool marker_known;
    uint32_t marker;
    int64_t marker_checked;    /* s7p_now_ms() of the last read; 0 = never */
    bool suspect;              /* a PLC answer hinted at a changed program */
    uint32_t request_ms;       /* bound of each request within a browse or lookup (0: only the
                                  operation's deadline); set by the client, kept by clear */
    uint8_t tag_areas_absent;  /* bit k: the PLC has no tag table for area k (browse_tags.c) */
} s7p_browse_cache;

void s7p_browse_cache_init(s7p_browse_cache *c);
void s7p_browse_cache_clear(s7p_browse_cache *c);

#endif

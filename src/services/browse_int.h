/* SPDX-License-Identifier: MIT */
/* Internal helpers shared by browsing and symbol resolution. */
#ifndef S7P_SERVICES_BROWSE_INT_H
#define S7P_SERVICES_BROWSE_INT_H

#include "services/browse.h"

/** What a vartype element describes, whatever offset-info variant the PLC used. */
typedef struct s7p_member_shape {
    bool is_array, is_struct;
    uint8_t ndims;                       /* arrays: 1..6 */
    int32_t lower[S7P_MAX_DIMS];         /* left-most dimension first */
    uint32_t count[S7P_MAX_DIMS];
    uint64_t total;                      /* elements of the array */
    uint16_t str_max;
    bool bool_elems;                     /* Bool arrays pad their right-most dimension to 8 */
} s7p_member_shape;

void s7p_vartype_shape(const s7p_vartype *v, s7p_member_shape *out);
/** Whether the element has members (a struct, or an array of structs): cheaper than a shape. */
bool s7p_vartype_has_members(const s7p_vartype *v);
/** LID of the element with row-major ordinal i (Bool padding applied). */
uint64_t s7p_linear_index(const s7p_member_shape *sh, uint64_t ordinal);
/** LID of the element with these indexes; false when one is out of bounds. */
bool s7p_index_lid(const s7p_member_shape *sh, const int32_t *idx, uint8_t n, uint32_t *lid);

/* Symbol text: blocks always quoted, members quoted when they are not plain identifiers.
 * Each returns the number of characters written (output truncated safely). */
size_t s7p_format_block(char *out, size_t cap, const char *name);
size_t s7p_format_member(char *out, size_t cap, const char *name, size_t len);
size_t s7p_format_index(char *out, size_t cap, const s7p_member_shape *sh, uint64_t ordinal);

/** Deadline of one request within a browse or lookup: the operation's deadline, but no later
 *  than one request timeout (cache->request_ms) from now. */
int64_t s7p_browse_request_deadline(const s7p_browse_cache *c, int64_t deadline);

/* ---- the I/O-free core: requests and the takers of their answers ----
 * Builders fill req (its trees in `a`, the next integrity id of s); takers read an answer. */

/** An Explore of object id (recursive: its children too) asking for these attributes. */
s7p_status s7p_browse_explore_build(s7p_session *s, s7p_arena *a, s7p_pdu *req, uint32_t id,
                                    bool recursive, const uint32_t *attrs, uint8_t nattrs,
                                    s7p_fail *f);

/** The DB list: one Explore of the program; the taker fills c->dbs (replacing what was
 *  there) and sizes the requests of type ids by the PLC's tags per read. */
s7p_status s7p_browse_dbs_build(s7p_session *s, s7p_arena *a, s7p_pdu *req, s7p_fail *f);
s7p_status s7p_browse_dbs_take(s7p_browse_cache *c, const s7p_pdu *resp, int32_t tags_per_read,
                               s7p_fail *f);
/** Then each DB's type-info RID: s7p_browse_rids_requests() independent reads; when every one
 *  is taken, set c->have_dbs. */
size_t s7p_browse_rids_requests(const s7p_browse_cache *c);
s7p_status s7p_browse_rids_build(s7p_session *s, const s7p_browse_cache *c, size_t k,
                                 s7p_arena *a, s7p_pdu *req, s7p_fail *f);
s7p_status s7p_browse_rids_take(s7p_browse_cache *c, size_t k, const s7p_pdu *resp, s7p_fail *f);

/** Type information of one RID: an Explore; the answer must be decoded into c->arena and kept
 *  there (s7p_session_call_kept), since the cache points into it. A PLC refusal is S7P_E_PLC;
 *  then s7p_browse_typeinfo_refused() tells whether that is an answer (a tag table the PLC
 *  does not have: remembered) rather than a failure. */
s7p_status s7p_browse_typeinfo_build(s7p_session *s, uint32_t rid, s7p_arena *a, s7p_pdu *req,
                                     s7p_fail *f);
s7p_status s7p_browse_typeinfo_take(s7p_browse_cache *c, uint32_t rid, const s7p_pdu *resp,
                                    s7p_fail *f);
bool s7p_browse_typeinfo_refused(s7p_browse_cache *c, uint32_t rid);
/** Adds type information (its lists must outlive the cache: in c->arena) unless cached. */
s7p_status s7p_browse_cache_add(s7p_browse_cache *c, const s7p_tinfo *t);
/** The type information a browse keeps while it walks on: a browse streams the program block
 *  by block, and the types it has walked past are dropped once they take more than this, so
 *  that its memory is bounded by this and the types of the blocks fetched at once, not by
 *  the whole program. A symbol lookup fetches a dropped type again. */
#define S7P_BROWSE_CACHE_BUDGET ((size_t)4 << 20)
/** Drops every cached type when they take more than budget bytes (the DB list stays); only
 *  while no answer is being decoded into the cache. */
void s7p_browse_cache_trim(s7p_browse_cache *c, size_t budget);
/** The cached type information of rid, or NULL. */
const s7p_tinfo *s7p_browse_cached(const s7p_browse_cache *c, uint32_t rid);

/** Type-info RIDs a walk or a resolution misses; independent of each other. The first
 *  `needed` are required by the current step; the rest are looked ahead: a PLC refusal of
 *  one of those may be ignored (it comes back as needed and fails then). */
#define S7P_BROWSE_MISSING_MAX 32
typedef struct s7p_browse_missing {
    uint32_t rid[S7P_BROWSE_MISSING_MAX];
    size_t n, needed;
} s7p_browse_missing;
void s7p_browse_missing_add(s7p_browse_missing *m, uint32_t rid);

/** The walk of a browse: a pure function over the cache, resumable. Each step emits the items
 *  of every block (DBs, then tag-table areas) whose types are all cached, in order, through
 *  fn; at the first block that misses types it stops with S7P_WALK_NEED and the missing RIDs
 *  of that block (needed) and of up to `ahead` blocks after it. S7P_WALK_DONE: every block is
 *  emitted or fn asked to stop. Nothing is fetched and no item is held. */
typedef enum { S7P_WALK_DONE, S7P_WALK_NEED } s7p_walk_result;

typedef struct s7p_browse_walk {
    s7p_browse_fn fn;
    void *ctx;
    size_t block;                     /* next block: DBs 0..ndbs-1, then the tag areas */
    size_t ahead;                     /* blocks to look ahead for missing types */
    bool stop;                        /* fn asked to stop */
    s7p_browse_item item;             /* progress counters and the item being emitted */
    char path[2048];
    uint32_t crcs[S7P_TAG_MAX_LIDS];  /* inner CRC per path segment */
    bool indexed;                     /* an array index is in the path: no symbol CRC */
} s7p_browse_walk;

void s7p_browse_walk_init(s7p_browse_walk *w, const s7p_browse_cache *c, s7p_browse_fn fn,
                          void *ctx);
s7p_walk_result s7p_browse_walk_step(s7p_browse_walk *w, const s7p_browse_cache *c,
                                     s7p_browse_missing *m);

/** Symbol resolution as a pure function over the cache: S7P_RESOLVE_DONE fills out (not its
 *  program stamp); NEED_DBS: read the DB list first; NEED_TYPES: fetch the RIDs in m;
 *  FAILED: f says why (S7P_E_INVALID_ARG, S7P_E_NOT_FOUND, S7P_E_LIMIT). */
typedef enum {
    S7P_RESOLVE_DONE, S7P_RESOLVE_NEED_DBS, S7P_RESOLVE_NEED_TYPES, S7P_RESOLVE_FAILED
} s7p_resolve_result;
s7p_resolve_result s7p_resolve_step(const s7p_browse_cache *c, const char *symbol, s7p_tag *out,
                                    s7p_browse_missing *m, s7p_fail *f);

/* Tag tables (browse_tags.c). */
/** Areas with a tag table (I, Q, M, T, C): blocks a browse reports after the DBs. */
unsigned s7p_tag_area_count(void);
/** The type-info RID of area k's tag table (k < s7p_tag_area_count(), browse order), and
 *  whether the PLC has none (it refused that RID). */
uint32_t s7p_tag_area_rid(unsigned k);
bool s7p_tag_area_absent(const s7p_browse_cache *c, unsigned k);
/** Emits area k's tags (type info cached) through fn with it as the progress; false when fn
 *  asked to stop. */
bool s7p_tag_area_emit(const s7p_tinfo *t, unsigned k, s7p_browse_item *it, char *path,
                       size_t cap, s7p_browse_fn fn, void *ctx);
/** The tag-table type info holding the PLC tag `name` (exact spelling first, then ignoring
 *  case) and its access area: 1 found, 0 no tag table has it, -1 the tables in m are missing
 *  (all of them are needed). */
int s7p_tag_table_lookup(const s7p_browse_cache *c, const char *name, size_t len,
                         uint32_t *area, s7p_tinfo *out, s7p_browse_missing *m);

#endif

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

s7p_status s7p_browse_dbs(s7p_session *s, s7p_browse_cache *c, int64_t deadline, s7p_fail *f);
s7p_status s7p_browse_typeinfo(s7p_session *s, s7p_browse_cache *c, uint32_t rid,
                               int64_t deadline, const s7p_tinfo **out, s7p_fail *f);

/* Tag tables (browse_tags.c). */
/** Areas with a tag table (I, Q, M, T, C): blocks a browse reports after the DBs. */
unsigned s7p_tag_area_count(void);
/** Streams every PLC tag of the tag tables through fn after the DBs; progress->blocks_done
 *  goes on counting. *stop is set when fn asks to stop. */
s7p_status s7p_browse_tag_tables(s7p_session *s, s7p_browse_cache *c, s7p_browse_fn fn,
                                 void *ctx, s7p_browse_item *progress, bool *stop,
                                 int64_t deadline, s7p_fail *f);
/** The tag-table type info holding the PLC tag `name` (exact spelling first, then ignoring
 *  case) and its access area; *found false when no tag table has it. */
s7p_status s7p_tag_table_find(s7p_session *s, s7p_browse_cache *c, const char *name, size_t len,
                              int64_t deadline, uint32_t *area, s7p_tinfo *out, bool *found,
                              s7p_fail *f);

#endif

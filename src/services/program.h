/* SPDX-License-Identifier: MIT */
/* Noticing a changed PLC program while connected (docs/protocol.md §5): a cheap change marker
 * (Container.ChangeCounter of the program object), re-read before symbols are resolved when
 * the cache's last check is old or a PLC answer hinted at a change, and before any item that
 * the PLC cannot check itself (no symbol CRC, i.e. a path with an array index) is sent. */
#ifndef S7P_SERVICES_PROGRAM_H
#define S7P_SERVICES_PROGRAM_H

#include "services/browse_int.h"
#include "services/op.h"
#include "services/rw.h"

/** Re-read the marker before resolving when the last check is older than this. */
#define S7P_PROGRAM_CHECK_MS 10000

/* ---- the I/O-free core ---- */

/** The marker request (an Explore of the program object asking for its change counter) and
 *  the taker of its answer: *known false when the PLC refuses or leaves it out. */
s7p_status s7p_program_marker_build(s7p_session *s, s7p_arena *a, s7p_pdu *req, s7p_fail *f);
void s7p_program_marker_take(const s7p_pdu *resp, bool *known, uint32_t *marker);
/** Whether the cache's marker must be read again: its last read is older than max_age_ms
 *  (0: always) or a PLC answer hinted at a change. */
bool s7p_program_marker_due(const s7p_browse_cache *c, int64_t max_age_ms);
/** Takes a freshly read marker into the cache: a different one (or a hint without any
 *  marker) drops what the cache holds. Returns whether it dropped something. */
bool s7p_program_take_marker(s7p_browse_cache *c, bool known, uint32_t marker);

/** The guard of reads and writes: how many tags the PLC cannot check itself (no symbol CRC,
 *  stamped): only then is the marker read before the rw plan; then mark_stale takes the
 *  marker and marks stale[i] for those of another program (returns how many); they get
 *  S7P_E_PROGRAM_CHANGED and are not sent. After the answers: note_answers (per-item codes
 *  that hint at a change), explain (a whole request refused with InvalidCRC). */
size_t s7p_program_unchecked(const s7p_tag *tags, size_t n);
size_t s7p_program_mark_stale(s7p_browse_cache *c, const s7p_tag *tags, size_t n, bool known,
                              uint32_t marker, bool *stale);
void s7p_program_note_answers(s7p_browse_cache *c, const s7p_item_result *r, size_t n);
s7p_status s7p_program_explain(s7p_browse_cache *c, s7p_status st, s7p_fail *f, const char *op);

/** The stamp tags resolved from this cache carry (s7p_tag.program_stamp); 0 = not known. */
uint32_t s7p_program_stamp(const s7p_browse_cache *c);

/* ---- operations (op.h) ---- */

/** The tags that may be sent when some are stale, compacted, with where each came from. */
typedef struct s7p_rw_kept {
    s7p_tag *tags;
    s7p_tag_value *values;
    s7p_item_result *results;
    size_t *from;
    size_t n;
} s7p_rw_kept;

/** A read or write batch behind the guard: a tag without a symbol CRC whose stamp no longer
 *  matches the PLC's marker gets S7P_E_PROGRAM_CHANGED and is not sent. Per-item answers that
 *  hint at a change (-17, -255, -12) make the next resolution re-check. A read keeps up to
 *  max_in_flight requests outstanding; a write sends each request after the previous one was
 *  answered; the first failure stops further requests (their items stay S7P_E_NOT_SENT).
 *  Each request is bounded by request_ms from when it is submitted. Free with
 *  s7p_rw_op_free() after done. */
typedef struct s7p_rw_op {
    s7p_op op;                      /* first: the operation */
    s7p_browse_cache *c;
    const s7p_tag *tags;
    size_t n;
    s7p_tag_value *rvalues;         /* read */
    const s7p_tag_value *wvalues;   /* write */
    s7p_item_result *results;
    uint32_t request_ms;
    bool *stale;
    size_t nstale;
    s7p_rw_kept kept;
    s7p_status marker_st;
    bool known;
    uint32_t marker;
    s7p_rw_plan plan;
    bool planned, failed;
    size_t next;                    /* the plan's next request to send */
    s7p_status st;                  /* the first failure of the requests */
} s7p_rw_op;

void s7p_program_rw_start(s7p_rw_op *o, s7p_session *s, s7p_browse_cache *c, const s7p_tag *tags,
                          size_t n, s7p_tag_value *rvalues, const s7p_tag_value *wvalues,
                          s7p_item_result *results, uint32_t request_ms, s7p_op_done_fn done,
                          void *ctx);
void s7p_rw_op_free(s7p_rw_op *o);

/** A browse (every variable through fn, DBs then the tag tables: the walk over the cache,
 *  fetching what it misses; the marker is read first) or a symbol lookup (the resolution
 *  over the cache; the marker is read first when the last read is old, and again after
 *  resolving a path without CRC or a name the cache lacks); tags come out stamped. Each
 *  request is bounded by the cache's request_ms and the whole by deadline. */
typedef struct s7p_browse_op {
    s7p_op op;                      /* first: the operation */
    s7p_browse_cache *c;
    int64_t deadline;
    s7p_browse_fn fn;               /* browse */
    void *fn_ctx;
    s7p_browse_walk walk;
    bool walk_started;
    size_t trimmed_at;              /* walk.block + 1 when the cache was last trimmed; 0 never */
    const char *symbol;             /* lookup */
    s7p_tag *out;
    s7p_fail why;                   /* why the resolution failed */
    s7p_status first;               /* the resolution's outcome before a re-check */
    bool marker_read, known;
    uint32_t marker;
    s7p_browse_missing m;           /* type information being fetched */
    int ret;                        /* the phase after the requests in flight */
    size_t batch_n, batch_next;
    bool batch_failed;
    s7p_status batch_st;
} s7p_browse_op;

void s7p_program_browse_start(s7p_browse_op *o, s7p_session *s, s7p_browse_cache *c,
                              s7p_browse_fn fn, void *ctx, int64_t deadline,
                              s7p_op_done_fn done, void *done_ctx);
void s7p_program_resolve_start(s7p_browse_op *o, s7p_session *s, s7p_browse_cache *c,
                               const char *symbol, s7p_tag *out, int64_t deadline,
                               s7p_op_done_fn done, void *done_ctx);

#endif

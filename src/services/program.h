/* Noticing a changed PLC program while connected (docs/protocol.md §5): a cheap change marker
 * (Container.ChangeCounter of the program object), re-read before symbols are resolved when
 * the cache's last check is old or a PLC answer hinted at a change, and before any item that
 * the PLC cannot check itself (no symbol CRC, i.e. a path with an array index) is sent. */
#ifndef S7P_SERVICES_PROGRAM_H
#define S7P_SERVICES_PROGRAM_H

#include "services/browse.h"

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

/* ---- blocking forms ---- */

/** The PLC's change marker: *known false when the PLC does not answer it (then nothing is
 *  stamped and only the PLC's own checks remain). Fails only when the request fails. */
s7p_status s7p_program_marker(s7p_session *s, int64_t deadline, bool *known, uint32_t *marker,
                              s7p_fail *f);

/** The stamp tags resolved from this cache carry (s7p_tag.program_stamp); 0 = not known. */
uint32_t s7p_program_stamp(const s7p_browse_cache *c);

/** Drops the cache when the program changed: re-reads the marker when the cache holds
 *  something and its last check is older than max_age_ms or a failure hinted at a change. */
s7p_status s7p_program_refresh(s7p_session *s, s7p_browse_cache *c, int64_t max_age_ms,
                               int64_t deadline, s7p_fail *f);

/** Symbol resolution and browsing against a fresh cache; tags come out stamped. A browse
 *  always reads the marker first; a resolution when the last read is old, and again after
 *  resolving a path without CRC or a name the cache lacks. */
s7p_status s7p_program_resolve(s7p_session *s, s7p_browse_cache *c, const char *symbol,
                               s7p_tag *out, int64_t deadline, s7p_fail *f);
s7p_status s7p_program_browse(s7p_session *s, s7p_browse_cache *c, s7p_browse_fn fn, void *ctx,
                              int64_t deadline, s7p_fail *f);

/** s7p_rw_read / s7p_rw_write behind the guard: a tag without a symbol CRC whose stamp no
 *  longer matches the PLC's marker gets S7P_E_PROGRAM_CHANGED and is not sent. Per-item
 *  answers that hint at a change (-17, -255, -12) make the next resolution re-check. */
s7p_status s7p_program_read(s7p_session *s, s7p_browse_cache *c, const s7p_tag *tags, size_t n,
                            s7p_tag_value *values, s7p_item_result *results,
                            uint32_t request_ms, s7p_fail *f);
s7p_status s7p_program_write(s7p_session *s, s7p_browse_cache *c, const s7p_tag *tags,
                             const s7p_tag_value *values, size_t n, s7p_item_result *results,
                             uint32_t request_ms, s7p_fail *f);

#endif

/* Program change detection (docs/protocol.md §5). The marker is Container.ChangeCounter
 * (attribute 2479) of the program object (RID 3), asked for with an Explore of RID 3 that
 * explores no children: the attribute a real S7-1200 answered on that object. */
#include "services/program.h"

#include <stdio.h>
#include <string.h>

#include "services/browse_int.h"
#include "services/rw.h"
#include "util/alloc.h"
#include "util/clock.h"

#define ATTR_CHANGE_COUNTER 2479u  /* Container.ChangeCounter, UDInt */
#define PLC_INVALID_CRC (-17)
#define PLC_INVALID_LID (-255)
#define PLC_OBJECT_NOT_FOUND (-12)

static const s7p_object *find_rel(const s7p_object *o, uint32_t rel, int depth)
{
    if (o->rel_id == rel) return o;
    if (depth > 4) return NULL;
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        if (e->tag != S7P_EL_START_OBJECT) continue;
        const s7p_object *hit = find_rel(e->u.child, rel, depth + 1);
        if (hit) return hit;
    }
    return NULL;
}

static bool counter_value(const s7p_value *v, uint32_t *out)
{
    if (!v || s7p_value_is_array(v)) return false;
    switch (v->type) {
    case S7P_DT_USINT:
    case S7P_DT_UINT:
    case S7P_DT_UDINT:
    case S7P_DT_ULINT: *out = (uint32_t)v->v.u; return true;
    default: return false;
    }
}

s7p_status s7p_program_marker_build(s7p_session *s, s7p_arena *a, s7p_pdu *req, s7p_fail *f)
{
    static const uint32_t attr = ATTR_CHANGE_COUNTER;
    return s7p_browse_explore_build(s, a, req, S7P_ID_PLC_PROGRAM, false, &attr, 1, f);
}

void s7p_program_marker_take(const s7p_pdu *resp, bool *known, uint32_t *marker)
{
    *known = false;
    *marker = 0;
    /* A PLC that refuses or leaves the attribute out has no marker: not an error. */
    for (uint32_t i = 0; s7p_ret_code(resp->ret) >= 0 && !*known && i < resp->resp.explore.objects.n;
         i++) {
        const s7p_object *o = find_rel(resp->resp.explore.objects.items[i], S7P_ID_PLC_PROGRAM, 0);
        *known = o && counter_value(s7p_object_attr(o, ATTR_CHANGE_COUNTER), marker);
    }
}

s7p_status s7p_program_marker(s7p_session *s, int64_t deadline, bool *known, uint32_t *marker,
                              s7p_fail *f)
{
    s7p_pdu req, resp;
    s7p_arena a;
    *known = false;
    *marker = 0;
    s7p_arena_init(&a, (size_t)4 << 20);
    s7p_status st = s7p_program_marker_build(s, &a, &req, f);
    if (st == S7P_OK) st = s7p_session_call(s, &req, &a, &resp, deadline, f);
    if (st == S7P_OK) s7p_program_marker_take(&resp, known, marker);
    s7p_arena_release(&a);
    return st;
}

static uint32_t stamp_of(uint32_t marker) { return marker + 1u ? marker + 1u : 1u; }

uint32_t s7p_program_stamp(const s7p_browse_cache *c)
{
    return c->marker_known ? stamp_of(c->marker) : 0;
}

static bool cache_empty(const s7p_browse_cache *c) { return !c->have_dbs && c->ntypes == 0; }

/* Takes a freshly read marker: a different one (or a hint without any marker) drops what
 * the cache holds, since it describes another program. Returns whether it dropped it. */
bool s7p_program_take_marker(s7p_browse_cache *c, bool known, uint32_t marker)
{
    bool changed = known != c->marker_known || (known && marker != c->marker) ||
                   (!known && c->suspect);
    bool dropped = changed && !cache_empty(c);
    if (dropped) s7p_browse_cache_clear(c);
    c->marker_known = known;
    c->marker = marker;
    c->marker_checked = s7p_now_ms();
    c->suspect = false;
    return dropped;
}

bool s7p_program_marker_due(const s7p_browse_cache *c, int64_t max_age_ms)
{
    bool fresh = c->marker_checked && s7p_now_ms() - c->marker_checked < max_age_ms;
    return !fresh || c->suspect;
}

/* *read: the marker was read in this call; *dropped: the cache described another program. */
static s7p_status refresh(s7p_session *s, s7p_browse_cache *c, int64_t max_age_ms,
                          int64_t deadline, bool *read, bool *dropped, s7p_fail *f)
{
    *read = *dropped = false;
    if (!s7p_program_marker_due(c, max_age_ms)) return S7P_OK;
    bool known;
    uint32_t marker;
    s7p_status st = s7p_program_marker(s, s7p_browse_request_deadline(c, deadline), &known,
                                       &marker, f);
    if (st != S7P_OK) return st;
    *read = true;
    *dropped = s7p_program_take_marker(c, known, marker);
    return S7P_OK;
}

s7p_status s7p_program_refresh(s7p_session *s, s7p_browse_cache *c, int64_t max_age_ms,
                               int64_t deadline, s7p_fail *f)
{
    bool read, dropped;
    return refresh(s, c, max_age_ms, deadline, &read, &dropped, f);
}

s7p_status s7p_program_resolve(s7p_session *s, s7p_browse_cache *c, const char *symbol,
                               s7p_tag *out, int64_t deadline, s7p_fail *f)
{
    s7p_fail before = *f;
    bool read, dropped;
    s7p_status st = refresh(s, c, S7P_PROGRAM_CHECK_MS, deadline, &read, &dropped, f);
    if (st == S7P_OK) st = s7p_browse_resolve(s, c, symbol, out, deadline, f);
    /* A name the cached program lacks may be new; a tag without a CRC (an index in its path)
     * is protected by its stamp alone, so it must name the program running now. Either way:
     * check the marker now unless this call just did, and resolve again if it changed. */
    bool recheck = st == S7P_E_NOT_FOUND || (st == S7P_OK && out->symbol_crc == 0);
    if (recheck && !read) {
        s7p_fail first = *f;
        *f = before;
        st = refresh(s, c, 0, deadline, &read, &dropped, f);
        if (st == S7P_OK && dropped) {
            st = s7p_browse_resolve(s, c, symbol, out, deadline, f);
        } else if (st == S7P_OK) {
            *f = first;
            st = first.code;
        }
    }
    if (st == S7P_OK) out->program_stamp = s7p_program_stamp(c);
    return st;
}

s7p_status s7p_program_browse(s7p_session *s, s7p_browse_cache *c, s7p_browse_fn fn, void *ctx,
                              int64_t deadline, s7p_fail *f)
{
    /* Browse items include array elements (no CRC), so they must carry the current program:
     * one marker read per browse is cheap next to the browse itself. */
    s7p_status st = s7p_program_refresh(s, c, 0, deadline, f);
    return st == S7P_OK ? s7p_browse_run(s, c, fn, ctx, deadline, f) : st;
}

/* ---- the guard around reads and writes ---- */

static bool unchecked(const s7p_tag *t) { return t->symbol_crc == 0 && t->program_stamp != 0; }

size_t s7p_program_unchecked(const s7p_tag *tags, size_t n)
{
    size_t need = 0;
    for (size_t i = 0; i < n; i++) need += unchecked(&tags[i]);
    return need;
}

size_t s7p_program_mark_stale(s7p_browse_cache *c, const s7p_tag *tags, size_t n, bool known,
                              uint32_t marker, bool *stale)
{
    size_t nstale = 0;
    s7p_program_take_marker(c, known, marker);
    for (size_t i = 0; i < n; i++) {
        /* A stamp says the marker was readable then: no marker now is no proof either. */
        stale[i] = unchecked(&tags[i]) && (!known || tags[i].program_stamp != stamp_of(marker));
        nstale += stale[i];
    }
    return nstale;
}

/* Marks stale[i] for every stamped tag without a symbol CRC that belongs to another program
 * than the PLC's current one; returns how many. Reads the marker only when such tags exist. */
static s7p_status find_stale(s7p_session *s, s7p_browse_cache *c, const s7p_tag *tags, size_t n,
                             bool *stale, size_t *nstale, int64_t deadline, s7p_fail *f)
{
    *nstale = 0;
    if (!s7p_program_unchecked(tags, n)) return S7P_OK;
    bool known;
    uint32_t marker;
    s7p_status st = s7p_program_marker(s, deadline, &known, &marker, f);
    if (st == S7P_OK) *nstale = s7p_program_mark_stale(c, tags, n, known, marker, stale);
    return st;
}

void s7p_program_note_answers(s7p_browse_cache *c, const s7p_item_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].plc_code == PLC_INVALID_CRC || r[i].plc_code == PLC_INVALID_LID ||
            r[i].plc_code == PLC_OBJECT_NOT_FOUND)
            c->suspect = true;
}

/* A whole request refused with InvalidCRC: say what it means and what to do. */
s7p_status s7p_program_explain(s7p_browse_cache *c, s7p_status st, s7p_fail *f, const char *op)
{
    if (st != S7P_E_PLC || s7p_ret_code(f->plc_return) != PLC_INVALID_CRC) return st;
    c->suspect = true;
    f->code = S7P_E_PROGRAM_CHANGED;
    snprintf(f->msg, sizeof f->msg,
             "%s: the PLC refused the request with InvalidCRC (-17): its program changed since "
             "the tags were resolved; resolve them again (s7p_tag_by_symbol or browse)", op);
    return f->code;
}

static void mark_changed(s7p_item_result *r)
{
    r->code = S7P_E_PROGRAM_CHANGED;
    r->plc_code = 0;
    r->plc_return = 0;
}

/* The tags that may be sent, compacted, with where each came from. */
typedef struct kept {
    s7p_tag *tags;
    s7p_tag_value *values;
    s7p_item_result *results;
    size_t *from;
    size_t n;
} kept;

static bool keep(kept *k, const s7p_tag *tags, const s7p_tag_value *wvalues, const bool *stale,
                 size_t n)
{
    memset(k, 0, sizeof *k);
    size_t m = n ? n : 1;
    k->tags = s7p_calloc(m, sizeof *k->tags);
    k->values = s7p_calloc(m, sizeof *k->values);
    k->results = s7p_calloc(m, sizeof *k->results);
    k->from = s7p_calloc(m, sizeof *k->from);
    if (!k->tags || !k->values || !k->results || !k->from) return false;
    for (size_t i = 0; i < n; i++) {
        if (stale[i]) continue;
        k->tags[k->n] = tags[i];
        if (wvalues) k->values[k->n] = wvalues[i];  /* borrowed: never cleared here */
        k->from[k->n++] = i;
    }
    return true;
}

static void kept_free(kept *k)
{
    s7p_free(k->tags);
    s7p_free(k->values);
    s7p_free(k->results);
    s7p_free(k->from);
}

static s7p_status guarded(s7p_session *s, s7p_browse_cache *c, const s7p_tag *tags,
                          const s7p_tag_value *wvalues, size_t n, s7p_tag_value *rvalues,
                          s7p_item_result *results, uint32_t request_ms, s7p_fail *f)
{
    const char *op = wvalues ? "write" : "read";
    bool *stale = s7p_calloc(n ? n : 1, sizeof *stale);
    if (!stale) return s7p_fail_set(f, S7P_E_NOMEM, "%s", op);
    size_t nstale = 0;
    s7p_status st = find_stale(s, c, tags, n, stale, &nstale, s7p_deadline_in(request_ms), f);
    kept k;
    memset(&k, 0, sizeof k);
    if (st != S7P_OK) {  /* nothing was sent */
        if (rvalues) memset(rvalues, 0, n * sizeof *rvalues);
        for (size_t i = 0; i < n; i++) results[i] = (s7p_item_result){S7P_E_NOT_SENT, 0, 0};
    } else if (nstale == 0) {
        st = wvalues ? s7p_rw_write(s, tags, wvalues, n, results, request_ms, f)
                     : s7p_rw_read(s, tags, n, rvalues, results, request_ms, f);
        s7p_program_note_answers(c, results, n);
    } else if (!keep(&k, tags, wvalues, stale, n)) {
        st = s7p_fail_set(f, S7P_E_NOMEM, "%s", op);
    } else {
        if (rvalues) memset(rvalues, 0, n * sizeof *rvalues);
        for (size_t i = 0; i < n; i++)
            if (stale[i]) mark_changed(&results[i]);
        if (k.n)
            st = wvalues ? s7p_rw_write(s, k.tags, k.values, k.n, k.results, request_ms, f)
                         : s7p_rw_read(s, k.tags, k.n, k.values, k.results, request_ms, f);
        for (size_t j = 0; j < k.n; j++) {
            results[k.from[j]] = k.results[j];
            if (rvalues) rvalues[k.from[j]] = k.values[j];  /* the caller owns them now */
        }
        s7p_program_note_answers(c, k.results, k.n);
    }
    kept_free(&k);
    s7p_free(stale);
    return s7p_program_explain(c, st, f, op);
}

s7p_status s7p_program_read(s7p_session *s, s7p_browse_cache *c, const s7p_tag *tags, size_t n,
                            s7p_tag_value *values, s7p_item_result *results,
                            uint32_t request_ms, s7p_fail *f)
{
    return guarded(s, c, tags, NULL, n, values, results, request_ms, f);
}

s7p_status s7p_program_write(s7p_session *s, s7p_browse_cache *c, const s7p_tag *tags,
                             const s7p_tag_value *values, size_t n, s7p_item_result *results,
                             uint32_t request_ms, s7p_fail *f)
{
    return guarded(s, c, tags, values, n, NULL, results, request_ms, f);
}

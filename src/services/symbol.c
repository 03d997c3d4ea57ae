/* SPDX-License-Identifier: MIT */
/* Symbols to access addresses: `"My DB".Motor[3].Speed`, `Db.Arr[1,2]`, and PLC tags of the
 * tag tables: `"Start button"`, `Setpoint` (a single name without a block). The DB is found
 * in the DB list, a PLC tag in the tag tables' type info (browse_tags.c), each member in its
 * type's varname list (exact match first, then ignoring case, as TIA Portal treats names). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/symcrc.h"
#include "services/browse_int.h"

#define MAX_SEGMENTS S7P_TAG_MAX_LIDS

typedef struct segment {
    const char *name;
    size_t len;
    uint8_t nidx;
    int32_t idx[S7P_MAX_DIMS];
} segment;

typedef struct parsed {
    segment seg[MAX_SEGMENTS + 1];  /* [0] is the block */
    size_t n;
} parsed;

static const char *parse_name(const char *p, segment *s)
{
    if (*p == '"') {
        const char *end = strchr(p + 1, '"');
        if (!end || end == p + 1) return NULL;
        s->name = p + 1;
        s->len = (size_t)(end - p - 1);
        return end + 1;
    }
    s->name = p;
    while (*p && *p != '.' && *p != '[') p++;
    s->len = (size_t)(p - s->name);
    return s->len ? p : NULL;
}

static const char *parse_index(const char *p, segment *s)
{
    if (*p != '[') return p;
    p++;
    for (;;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || s->nidx == S7P_MAX_DIMS || v < INT32_MIN || v > INT32_MAX) return NULL;
        s->idx[s->nidx++] = (int32_t)v;
        p = end;
        while (*p == ' ') p++;
        if (*p == ']') return p + 1;
        if (*p != ',') return NULL;
        p++;
    }
}

static bool parse_symbol(const char *sym, parsed *out)
{
    memset(out, 0, sizeof *out);
    const char *p = parse_name(sym, &out->seg[0]);
    if (p) p = parse_index(p, &out->seg[0]);  /* only a PLC tag may take one here */
    out->n = 1;
    while (p && *p) {
        if (*p != '.' || out->n > MAX_SEGMENTS) return false;
        segment *s = &out->seg[out->n++];
        p = parse_name(p + 1, s);
        if (p) p = parse_index(p, s);
    }
    return p != NULL;
}

static bool name_eq(const char *a, size_t alen, const uint8_t *b, size_t blen, bool fold)
{
    if (alen != blen) return false;
    return fold ? strncasecmp(a, (const char *)b, alen) == 0 : memcmp(a, b, alen) == 0;
}

static const s7p_db_entry *find_db(const s7p_browse_cache *c, const segment *s)
{
    for (int fold = 0; fold < 2; fold++)
        for (size_t i = 0; i < c->ndbs; i++)
            if (name_eq(s->name, s->len, (const uint8_t *)c->dbs[i].name, strlen(c->dbs[i].name), fold))
                return &c->dbs[i];
    return NULL;
}

static int find_member(const s7p_tinfo *t, const segment *s)
{
    for (int fold = 0; fold < 2; fold++)
        for (uint32_t k = 0; k < t->vn->n; k++)
            if (name_eq(s->name, s->len, t->vn->items[k].name.p, t->vn->items[k].name.n, fold))
                return (int)k;
    return -1;
}

typedef struct resolver {
    s7p_tag *tag;
    uint32_t crcs[S7P_TAG_MAX_LIDS];
    size_t ncrc;
    bool indexed;
} resolver;

static s7p_status push_lid(resolver *r, uint32_t lid, s7p_fail *f, const char *sym)
{
    if (r->tag->nlids >= S7P_TAG_MAX_LIDS)
        return s7p_fail_set(f, S7P_E_LIMIT, "%s: path deeper than %d levels", sym, S7P_TAG_MAX_LIDS);
    r->tag->lids[r->tag->nlids++] = lid;
    return S7P_OK;
}

/* Applies one member segment; *rid becomes the next struct type when the path goes on. */
static s7p_status step(resolver *r, const s7p_tinfo *t, const segment *s, bool last,
                       uint32_t *rid, const char *sym, s7p_fail *f)
{
    int k = find_member(t, s);
    if (k < 0) return s7p_fail_set(f, S7P_E_NOT_FOUND, "%s: no member '%.*s'", sym, (int)s->len, s->name);
    const s7p_vartype *v = &t->vt->items[k];
    s7p_member_shape sh;
    s7p_vartype_shape(v, &sh);
    s7p_status st = push_lid(r, v->lid, f, sym);
    if (st != S7P_OK) return st;
    /* The CRC covers the PLC's spelling of the name, whatever case the caller used. */
    const s7p_bytes *plc_name = &t->vn->items[k].name;
    r->crcs[r->ncrc++] = s7p_symcrc_segment((const char *)plc_name->p, plc_name->n,
                                            sh.is_struct ? 17 : v->softdatatype, sh.is_array,
                                            sh.lower[0]);
    if (s->nidx) {
        uint32_t lid;
        if (!sh.is_array)
            return s7p_fail_set(f, S7P_E_NOT_FOUND, "%s: '%.*s' is not an array", sym, (int)s->len, s->name);
        if (!s7p_index_lid(&sh, s->idx, s->nidx, &lid))
            return s7p_fail_set(f, S7P_E_NOT_FOUND, "%s: index out of the bounds of '%.*s'", sym,
                                (int)s->len, s->name);
        r->indexed = true;
        if ((st = push_lid(r, lid, f, sym)) != S7P_OK) return st;
        if (sh.is_struct && (st = push_lid(r, 1, f, sym)) != S7P_OK) return st;
    } else if (sh.is_array && !last) {
        return s7p_fail_set(f, S7P_E_NOT_FOUND, "%s: '%.*s' needs an index", sym, (int)s->len, s->name);
    }
    if (!last) {
        if (!sh.is_struct)
            return s7p_fail_set(f, S7P_E_NOT_FOUND, "%s: '%.*s' has no members", sym, (int)s->len, s->name);
        *rid = v->relation_id;
        return S7P_OK;
    }
    if (sh.is_struct)
        return s7p_fail_set(f, S7P_E_NOT_FOUND, "%s: '%.*s' is a structure: name one of its members",
                            sym, (int)s->len, s->name);
    r->tag->type = (s7p_type)(v->softdatatype == S7P_T_BBOOL ? S7P_T_BOOL : v->softdatatype);
    r->tag->count = sh.is_array && !s->nidx ? (uint32_t)sh.total : 0;
    r->tag->str_max = sh.str_max;
    return S7P_OK;
}

/* The first segment as a PLC tag of a tag table: its area, and the type info to look the
 * segment up in (the tag is a "member" of its area). */
static s7p_resolve_result tag_table_root(const s7p_browse_cache *c, const parsed *ps,
                                         const char *symbol, s7p_tag *out, s7p_tinfo *t,
                                         s7p_browse_missing *m, s7p_fail *f)
{
    const segment *s0 = &ps->seg[0];
    int found = s7p_tag_table_lookup(c, s0->name, s0->len, &out->area, t, m);
    if (found < 0) return S7P_RESOLVE_NEED_TYPES;
    if (!found && ps->n == 1 && s0->nidx == 0 && find_db(c, s0)) {
        s7p_fail_set(f, S7P_E_NOT_FOUND, "%s: '%.*s' is a data block: name one of its members",
                     symbol, (int)s0->len, s0->name);
        return S7P_RESOLVE_FAILED;
    }
    if (!found && ps->n == 1) {
        s7p_fail_set(f, S7P_E_NOT_FOUND, "%s: no PLC tag '%.*s' in the tag tables", symbol,
                     (int)s0->len, s0->name);
        return S7P_RESOLVE_FAILED;
    }
    if (!found) {
        s7p_fail_set(f, S7P_E_NOT_FOUND, "%s: no data block or PLC tag '%.*s'", symbol,
                     (int)s0->len, s0->name);
        return S7P_RESOLVE_FAILED;
    }
    out->sub_area = S7P_ID_CONTROLLER_AREA_VALUE_ACTUAL;
    return S7P_RESOLVE_DONE;
}

/* The root of the path: a DB, or a PLC tag of a tag table (then its segment is applied). */
static s7p_resolve_result resolve_root(const s7p_browse_cache *c, const parsed *ps,
                                       const char *symbol, resolver *r, uint32_t *rid,
                                       s7p_browse_missing *m, s7p_fail *f)
{
    /* A DB name followed by members; anything else names a PLC tag of the tag tables. */
    const s7p_db_entry *db = ps->n >= 2 && ps->seg[0].nidx == 0 ? find_db(c, &ps->seg[0]) : NULL;
    if (db && !db->type_rid) {
        s7p_fail_set(f, S7P_E_NOT_FOUND, "%s: no data block '%.*s'", symbol,
                     (int)ps->seg[0].len, ps->seg[0].name);
        return S7P_RESOLVE_FAILED;
    }
    if (db) {
        r->tag->area = db->relid;
        r->tag->sub_area = S7P_ID_DB_VALUE_ACTUAL;
        *rid = db->type_rid;
        return S7P_RESOLVE_DONE;
    }
    s7p_tinfo t;
    s7p_resolve_result res = tag_table_root(c, ps, symbol, r->tag, &t, m, f);
    if (res != S7P_RESOLVE_DONE) return res;
    if (step(r, &t, &ps->seg[0], ps->n == 1, rid, symbol, f) != S7P_OK) return S7P_RESOLVE_FAILED;
    return S7P_RESOLVE_DONE;
}

s7p_resolve_result s7p_resolve_step(const s7p_browse_cache *c, const char *symbol, s7p_tag *out,
                                    s7p_browse_missing *m, s7p_fail *f)
{
    parsed ps;
    memset(m, 0, sizeof *m);
    if (!parse_symbol(symbol, &ps)) {
        s7p_fail_set(f, S7P_E_INVALID_ARG,
                     "%s: not a symbol like \"DB\".member[1].x or a PLC tag name", symbol);
        return S7P_RESOLVE_FAILED;
    }
    if (!c->have_dbs) return S7P_RESOLVE_NEED_DBS;
    memset(out, 0, sizeof *out);
    resolver r = {out, {0}, 0, false};
    uint32_t rid = 0;
    s7p_resolve_result res = resolve_root(c, &ps, symbol, &r, &rid, m, f);
    if (res != S7P_RESOLVE_DONE) return res;
    for (size_t i = 1; i < ps.n; i++) {
        const s7p_tinfo *t = s7p_browse_cached(c, rid);
        if (!t) {
            s7p_browse_missing_add(m, rid);
            m->needed = m->n;
            return S7P_RESOLVE_NEED_TYPES;
        }
        if (step(&r, t, &ps.seg[i], i + 1 == ps.n, &rid, symbol, f) != S7P_OK)
            return S7P_RESOLVE_FAILED;
    }
    out->symbol_crc = r.indexed ? 0 : s7p_symcrc_path(r.crcs, r.ncrc);
    return S7P_RESOLVE_DONE;
}

/* SPDX-License-Identifier: MIT */
/* Everything after parsing all sources: UDT references, recursion and depth checks, leaf
 * counts and member offsets, DB start values (declared defaults, then the BEGIN section),
 * DB numbers, and the lists and indexes of the program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program/prog_int.h"
#include "util/alloc.h"

typedef struct rctx {
    s7t_program *p;
    s7t_builder *b;
    const s7t_limits *lim;
    diags *d;
} rctx;

static bool rerr(rctx *r, const char *file, pos at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool rerr(rctx *r, const char *file, pos at, const char *fmt, ...)
{
    bool failed = false;  /* every error of this phase is one of its own */
    va_list ap;
    va_start(ap, fmt);
    tia_verr(r->d, &failed, file, at, fmt, ap);
    va_end(ap);
    return false;
}

static bool room(rctx *r)
{
    pos none = {0, 0};
    r->d->fatal = true;
    return rerr(r, "program", none, "out of memory (program larger than %zu bytes?)",
                r->lim->max_program_bytes);
}

/* ---- references ---- */

static udt_build *find_udt(rctx *r, const char *name)
{
    size_t k = tia_name_index_find(&r->p->udt_ix, (const char *const *)r->p->udt_names, name);
    return k == SIZE_MAX ? NULL : ((udt_build **)r->b->udts.p)[k];
}

/* Every reference, also after an unknown one: the load reports them all. */
static bool link_refs(rctx *r)
{
    bool ok = true;
    const s7t_type ***slots = r->b->slots.p;
    for (size_t i = 0; i < r->b->slots.n; i++) {
        udt_ref *ref = (udt_ref *)(void *)*slots[i];
        udt_build *u = find_udt(r, ref->name);
        if (!u) ok = rerr(r, ref->file, ref->at, "unknown PLC data type \"%s\"", ref->name);
        else ref->target = &u->u;
    }
    db_build **dbs = r->b->dbs.p;
    for (size_t i = 0; i < r->b->dbs.n; i++) {
        udt_ref *ref = dbs[i]->typed_by;
        if (!ref) continue;
        udt_build *u = find_udt(r, ref->name);
        if (!u)
            ok = rerr(r, ref->file, ref->at, "\"%s\" is not a PLC data type or function block "
                      "of this program", ref->name);
        else ref->target = &u->u;
    }
    return ok;
}

/* ---- recursion and depth: before the references are replaced ---- */

typedef struct where { const char *what, *name, *file; pos at; } where;

static bool depth_of(rctx *r, const s7t_type *t, unsigned lvl, const where *w, unsigned *out);

static bool visit(rctx *r, udt_build *u, unsigned lvl, const where *w, unsigned *out)
{
    if (u->state == 1)
        return rerr(r, u->u.file, u->at, "%s \"%s\" contains itself",
                    u->u.fb ? "function block" : "PLC data type", u->u.name);
    if (u->state == 0) {
        u->state = 1;
        if (!depth_of(r, u->u.type, lvl, w, &u->depth)) return false;
        u->state = 2;
    }
    if (lvl - 1 + u->depth > r->lim->max_depth)
        return rerr(r, w->file, w->at, "%s \"%s\" nests deeper than %u levels", w->what, w->name,
                    r->lim->max_depth);
    *out = u->depth;
    return true;
}

/* Depth of t when it sits at nesting level lvl; fails beyond the limit or on a cycle. */
static bool depth_of(rctx *r, const s7t_type *t, unsigned lvl, const where *w, unsigned *out)
{
    *out = 0;
    if (t->kind == S7T_ELEMENTARY) return true;
    if (t->kind == 0) {
        const udt_ref *ref = (const udt_ref *)(const void *)t;
        return visit(r, (udt_build *)(void *)ref->target, lvl, w, out);
    }
    if (lvl > r->lim->max_depth)
        return rerr(r, w->file, w->at, "%s \"%s\" nests deeper than %u levels", w->what, w->name,
                    r->lim->max_depth);
    unsigned d = 0, sub;
    if (t->kind == S7T_ARRAY) {
        if (!depth_of(r, t->elem, lvl + 1, w, &d)) return false;
    } else {
        for (size_t i = 0; i < t->nmembers; i++) {
            if (!depth_of(r, t->members[i].type, lvl + 1, w, &sub)) return false;
            if (sub > d) d = sub;
        }
    }
    *out = d + 1;
    return true;
}

static bool check_depths(rctx *r)
{
    udt_build **udts = r->b->udts.p;
    unsigned d;
    for (size_t i = 0; i < r->b->udts.n; i++) {
        where w = {"PLC data type", udts[i]->u.name, udts[i]->u.file, udts[i]->at};
        if (!visit(r, udts[i], 1, &w, &d)) return false;
    }
    db_build **dbs = r->b->dbs.p;
    for (size_t i = 0; i < r->b->dbs.n; i++) {
        where w = {"data block", dbs[i]->db.name, dbs[i]->db.file, dbs[i]->at};
        if (!dbs[i]->typed_by && !depth_of(r, dbs[i]->db.type, 1, &w, &d)) return false;
    }
    return true;
}

static void replace_refs(rctx *r)
{
    const s7t_type ***slots = r->b->slots.p;
    for (size_t i = 0; i < r->b->slots.n; i++) {
        const udt_ref *ref = (const udt_ref *)(const void *)*slots[i];
        *slots[i] = ref->target->type;
    }
    db_build **dbs = r->b->dbs.p;
    for (size_t i = 0; i < r->b->dbs.n; i++) {
        if (!dbs[i]->typed_by) continue;
        dbs[i]->db.udt = dbs[i]->typed_by->target;
        dbs[i]->db.type = dbs[i]->db.udt->type;
    }
}

/* ---- sizes ---- */

static uint64_t sat_mul(uint64_t a, uint64_t b) { return a && b > UINT64_MAX / a ? UINT64_MAX : a * b; }
static uint64_t sat_add(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }

/* Leaves, depth and member offsets; types are the loader's own, hence the casts. */
static void size_type(const s7t_type *ct)
{
    s7t_type *t = (s7t_type *)(void *)ct;
    if (t->kind == S7T_ARRAY) {
        size_type(t->elem);
        t->leaves = sat_mul(t->count, t->elem->leaves);
        t->depth = t->elem->depth + 1;
    } else if (t->kind == S7T_STRUCT) {
        struct_type *st = (struct_type *)(void *)t;
        if (st->sized) return;
        uint64_t total = 0;
        unsigned depth = 0;
        s7t_member *m = (s7t_member *)(void *)t->members;
        for (size_t i = 0; i < t->nmembers; i++) {
            size_type(m[i].type);
            m[i].offset = total;
            total = sat_add(total, m[i].type->leaves);
            if (m[i].type->depth > depth) depth = m[i].type->depth;
        }
        t->leaves = total;
        t->depth = depth + 1;
        st->sized = true;
    }
}

/* ---- DB start values ---- */

static void fill(const s7t_type *t, const s7t_value *decl, s7t_value *out)
{
    if (t->kind == S7T_ELEMENTARY) {
        out[0] = decl ? decl[0] : tia_elem_zero(t);
    } else if (t->kind == S7T_ARRAY && t->elem->kind == S7T_ELEMENTARY) {
        s7t_value zero = tia_elem_zero(t->elem);
        for (uint64_t k = 0; k < t->count; k++) out[k] = decl ? decl[k] : zero;
    } else if (t->kind == S7T_ARRAY) {
        for (uint64_t k = 0; k < t->count; k++) fill(t->elem, NULL, out + k * t->elem->leaves);
    } else {
        for (size_t i = 0; i < t->nmembers; i++)
            fill(t->members[i].type, t->members[i].start, out + t->members[i].offset);
    }
}

static const char *const dtl_fields[8] = {
    "YEAR", "MONTH", "DAY", "WEEKDAY", "HOUR", "MINUTE", "SECOND", "NANOSECOND",
};

bool tia_path_step(walk_pos *w, const seg *s, char *msg, size_t len)
{
    char tn[96];
    if (w->dtl_field >= 0) {
        snprintf(msg, len, "DTL element %s has no members", dtl_fields[w->dtl_field]);
        return false;
    }
    if (s->name) {
        if (w->type->kind == S7T_ELEMENTARY && w->type->sdt == S7T_SDT_DTL) {
            for (int k = 0; k < 8; k++)
                if (tia_name_eq(s->name, dtl_fields[k])) {
                    w->dtl_field = k;
                    return true;
                }
            snprintf(msg, len, "DTL has no element '%s'", s->name);
            return false;
        }
        if (w->type->kind != S7T_STRUCT) {
            s7t_type_format(w->type, tn, sizeof tn);
            snprintf(msg, len, "no member '%s': %s has no members", s->name, tn);
            return false;
        }
        const struct_type *st = (const struct_type *)(const void *)w->type;
        size_t k = tia_name_index_find(&st->ix, st->names, s->name);
        if (k == SIZE_MAX) {
            if (w->type->udt)
                snprintf(msg, len, "no member '%s' in \"%s\"", s->name, w->type->udt->name);
            else
                snprintf(msg, len, "no member '%s'", s->name);
            return false;
        }
        const s7t_member *m = &w->type->members[k];
        w->member = m;
        w->first += m->offset;
        w->type = m->type;
        return true;
    }
    if (w->type->kind != S7T_ARRAY) {
        s7t_type_format(w->type, tn, sizeof tn);
        snprintf(msg, len, "%s cannot be indexed", tn);
        return false;
    }
    if (s->nidx != w->type->ndims) {
        snprintf(msg, len, "the Array has %u dimension%s, not %u", (unsigned)w->type->ndims,
                 w->type->ndims == 1 ? "" : "s", (unsigned)s->nidx);
        return false;
    }
    uint64_t flat = 0;
    for (unsigned k = 0; k < w->type->ndims; k++) {
        const s7t_dim *d = &w->type->dims[k];
        int64_t hi = (int64_t)d->lo + d->count - 1;
        if (s->idx[k] < d->lo || s->idx[k] > hi) {
            snprintf(msg, len, "index %lld is out of the bounds %ld..%lld", (long long)s->idx[k],
                     (long)d->lo, (long long)hi);
            return false;
        }
        flat = flat * d->count + (uint64_t)(s->idx[k] - d->lo);
    }
    w->first += flat * w->type->elem->leaves;
    w->type = w->type->elem;
    return true;
}

static bool patch_dtl(pctx *c, s7t_value *v, int field, const init *in)
{
    static const uint32_t lo[8] = {1970, 1, 1, 1, 0, 0, 0, 0};
    static const uint32_t hi[8] = {2262, 12, 31, 7, 23, 59, 59, 999999999};
    const lit *l = &in->items[0];
    if (in->list || l->kind != LIT_INT || (l->neg && l->mag))
        return tia_perr(c, in->at, "DTL element %s takes an integer %u..%u", dtl_fields[field],
                    (unsigned)lo[field], (unsigned)hi[field]);
    if (l->mag < lo[field] || l->mag > hi[field])
        return tia_perr(c, l->at, "value out of range for DTL element %s (%u..%u)", dtl_fields[field],
                    (unsigned)lo[field], (unsigned)hi[field]);
    uint32_t x = (uint32_t)l->mag;
    uint8_t *b = v->bytes;
    if (field == 0) {
        b[0] = (uint8_t)(x >> 8);
        b[1] = (uint8_t)x;
    } else if (field == 7) {
        b[8] = (uint8_t)(x >> 24);
        b[9] = (uint8_t)(x >> 16);
        b[10] = (uint8_t)(x >> 8);
        b[11] = (uint8_t)x;
    } else {
        b[field + 1] = (uint8_t)x;
    }
    return true;
}

static bool apply(pctx *c, db_build *d, const assign *a)
{
    walk_pos w = {d->db.type, NULL, 0, -1};
    char msg[200];
    for (size_t i = 0; i < a->nsegs; i++)
        if (!tia_path_step(&w, &a->segs[i], msg, sizeof msg)) return tia_perr(c, a->segs[i].at, "%s", msg);
    s7t_value *dst = (s7t_value *)(void *)d->db.start + w.first;
    if (w.dtl_field >= 0) return patch_dtl(c, dst, w.dtl_field, &a->val);
    if (w.type->kind == S7T_STRUCT)
        return tia_perr(c, a->val.at, "start values of a Struct or PLC data type are set per member");
    s7t_value *vals;
    if (!tia_init_convert(c, &a->val, w.type, &vals)) return false;
    uint64_t n = w.type->kind == S7T_ELEMENTARY ? 1 : w.type->count;
    memcpy(dst, vals, n * sizeof *dst);
    return true;
}

/* Start values of every DB; every bad assignment of every DB is reported. */
static bool build_dbs(rctx *r)
{
    bool all_ok = true;
    db_build **dbs = r->b->dbs.p;
    for (size_t i = 0; i < r->b->dbs.n; i++) {
        db_build *d = dbs[i];
        size_type(d->db.type);
        if (d->db.type->leaves > r->lim->max_db_leaves) {
            all_ok = rerr(r, d->db.file, d->at, "data block \"%s\" has more than %llu values",
                          d->db.name, (unsigned long long)r->lim->max_db_leaves);
            continue;
        }
        s7t_value *v = s7p_arena_array(&r->p->arena, d->db.type->leaves, sizeof *v);
        if (!v) return room(r);
        fill(d->db.type, NULL, v);
        d->db.start = v;
        pctx c;
        memset(&c, 0, sizeof c);
        c.arena = &r->p->arena;
        c.lim = r->lim;
        c.b = r->b;
        c.file = d->db.file;
        c.d = r->d;
        for (size_t k = 0; k < d->nassigns; k++) {
            bool failed = false;
            c.failed = &failed;
            if (!apply(&c, d, &d->assigns[k])) all_ok = false;
            if (r->d->fatal) return false;
        }
    }
    return all_ok;
}

/* ---- numbers ---- */

static bool explicit_number(const char *name, uint16_t *out)
{
    if ((name[0] != 'D' && name[0] != 'd') || (name[1] != 'B' && name[1] != 'b')) return false;
    const char *s = name + 2;
    if (*s < '1' || *s > '9') return false;
    uint32_t v = 0;
    for (int digits = 0; *s >= '0' && *s <= '9'; s++) {
        if (++digits > 5) return false;
        v = v * 10 + (uint32_t)(*s - '0');
    }
    if ((*s && *s != '_') || v > 65535) return false;
    *out = (uint16_t)v;
    return true;
}

static int by_number(const void *a, const void *b)
{
    const s7t_db *x = *(const s7t_db *const *)a, *y = *(const s7t_db *const *)b;
    return (x->number > y->number) - (x->number < y->number);
}

static bool number_dbs(rctx *r)
{
    size_t n = r->b->dbs.n;
    db_build **dbs = r->b->dbs.p;
    uint32_t *owner = s7p_calloc(65536, sizeof *owner);  /* db index + 1 */
    if (!owner) return room(r);
    bool ok = false;
    for (size_t i = 0; i < n; i++) {
        uint16_t num;
        if (!explicit_number(dbs[i]->db.name, &num)) continue;
        if (owner[num]) {
            rerr(r, dbs[i]->db.file, dbs[i]->at, "data blocks \"%s\" and \"%s\" both have number %u",
                 dbs[owner[num] - 1]->db.name, dbs[i]->db.name, (unsigned)num);
            goto out;
        }
        owner[num] = (uint32_t)(i + 1);
        dbs[i]->db.number = num;
    }
    uint32_t next = 1;
    for (size_t i = 0; i < n; i++) {
        if (dbs[i]->db.number) continue;
        while (next <= 65535 && owner[next]) next++;
        if (next > 65535) {
            rerr(r, dbs[i]->db.file, dbs[i]->at, "more than 65535 data blocks");
            goto out;
        }
        owner[next] = (uint32_t)(i + 1);
        dbs[i]->db.number = (uint16_t)next;
    }
    ok = true;
out:
    s7p_free(owner);
    return ok;
}

/* ---- lists ---- */

static bool build_lists(rctx *r)
{
    s7t_program *p = r->p;
    s7p_arena *a = &p->arena;
    size_t dup;

    p->nudts = r->b->udts.n;
    p->udts = s7p_arena_array(a, p->nudts, sizeof *p->udts);
    p->udt_names = s7p_arena_array(a, p->nudts, sizeof *p->udt_names);
    if (!p->udts || !p->udt_names) return room(r);
    udt_build **udts = r->b->udts.p;
    for (size_t i = 0; i < p->nudts; i++) {
        p->udts[i] = &udts[i]->u;
        p->udt_names[i] = udts[i]->u.name;
    }
    if (!tia_name_index_build(&p->udt_ix, a, p->udt_names, p->nudts, &dup)) return room(r);
    if (dup != SIZE_MAX)
        return rerr(r, udts[dup]->u.file, udts[dup]->at, "duplicate PLC data type name \"%s\"",
                    udts[dup]->u.name);

    db_build **dbs = r->b->dbs.p;
    p->db_names = s7p_arena_array(a, r->b->dbs.n, sizeof *p->db_names);
    if (!p->db_names) return room(r);
    for (size_t i = 0; i < r->b->dbs.n; i++) p->db_names[i] = dbs[i]->db.name;
    if (!tia_name_index_build(&p->db_ix, a, p->db_names, r->b->dbs.n, &dup)) return room(r);
    if (dup != SIZE_MAX)
        return rerr(r, dbs[dup]->db.file, dbs[dup]->at, "duplicate data block name \"%s\"",
                    dbs[dup]->db.name);

    p->ntags = r->b->tags.n;
    s7t_tag *tags = s7p_arena_array(a, p->ntags, sizeof *tags);
    p->tag_names = s7p_arena_array(a, p->ntags, sizeof *p->tag_names);
    if (!tags || !p->tag_names) return room(r);
    if (p->ntags) memcpy(tags, r->b->tags.p, p->ntags * sizeof *tags);
    for (size_t i = 0; i < p->ntags; i++) p->tag_names[i] = tags[i].name;
    p->tags = tags;
    if (!tia_name_index_build(&p->tag_ix, a, p->tag_names, p->ntags, &dup)) return room(r);
    if (dup != SIZE_MAX)
        return rerr(r, tags[dup].file, ((const pos *)r->b->tag_pos.p)[dup],
                    "duplicate tag name \"%s\"", tags[dup].name);
    return true;
}

/* The DB list sorted by number, and the name index rebuilt in that order. */
static bool sort_dbs(rctx *r)
{
    s7t_program *p = r->p;
    p->ndbs = r->b->dbs.n;
    p->dbs = s7p_arena_array(&p->arena, p->ndbs, sizeof *p->dbs);
    if (!p->dbs) return room(r);
    db_build **dbs = r->b->dbs.p;
    for (size_t i = 0; i < p->ndbs; i++) p->dbs[i] = &dbs[i]->db;
    if (p->ndbs) qsort(p->dbs, p->ndbs, sizeof *p->dbs, by_number);
    for (size_t i = 0; i < p->ndbs; i++) p->db_names[i] = p->dbs[i]->name;
    size_t dup;
    if (!tia_name_index_build(&p->db_ix, &p->arena, p->db_names, p->ndbs, &dup)) return room(r);
    return true;
}

bool tia_resolve_program(s7t_program *p, s7t_builder *b, const s7t_limits *lim, diags *d)
{
    rctx r = {p, b, lim, d};
    if (!build_lists(&r) || !link_refs(&r) || !check_depths(&r)) return false;
    replace_refs(&r);
    udt_build **udts = b->udts.p;
    for (size_t i = 0; i < b->udts.n; i++) {
        size_type(udts[i]->u.type);
        if (udts[i]->u.type->leaves > lim->max_db_leaves)
            return rerr(&r, udts[i]->u.file, udts[i]->at,
                        "PLC data type \"%s\" has more than %llu values", udts[i]->u.name,
                        (unsigned long long)lim->max_db_leaves);
    }
    return build_dbs(&r) && number_dbs(&r) && sort_dbs(&r);
}

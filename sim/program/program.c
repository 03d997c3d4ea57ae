/* SPDX-License-Identifier: MIT */
/* Loading entry points, accessors, walking the leaves of a DB and symbolic lookups. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "program/prog_int.h"
#include "util/alloc.h"

void s7t_limits_init(s7t_limits *l)
{
    l->max_source_bytes = (size_t)16 << 20;
    l->max_depth = 32;
    l->max_db_leaves = 1000000;
    l->max_program_bytes = (size_t)256 << 20;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && tia_name_eq(s + n - k, suffix);
}

typedef struct order { const s7t_source *s; size_t i; } order;

static int by_name(const void *a, const void *b)
{
    const order *x = a, *y = b;
    int d = strcmp(x->s->name ? x->s->name : "", y->s->name ? y->s->name : "");
    return d ? d : (x->i > y->i) - (x->i < y->i);
}

static const char *source_name(const s7t_source *s) { return s->name ? s->name : "(unnamed)"; }

/* One source file into the builder; its errors go to d and mark it bad. */
static void parse_source(const s7t_source *s, s7t_program *p, s7t_builder *b, const s7t_limits *L,
                         diags *d)
{
    pos none = {0, 0};
    bool failed = false;
    pctx c;
    memset(&c, 0, sizeof c);
    c.arena = &p->arena;
    c.lim = L;
    c.b = b;
    c.d = d;
    c.failed = &failed;
    const char *name = source_name(s);
    c.file = tia_arena_strndup(&p->arena, name, strlen(name));
    if (!c.file) {
        d->fatal = true;
        return;
    }
    if (s->len > L->max_source_bytes) {
        tia_perr(&c, none, "file is larger than %zu bytes", L->max_source_bytes);
        return;
    }
    if (!s->text && s->len) {
        tia_perr(&c, none, "no text");
        return;
    }
    tia_lex_init(&c, s->text ? s->text : "", s->len);
    if (ends_with(c.file, ".tags")) tia_parse_tags(&c);
    else tia_parse_tia(&c);
}

static void builder_init(s7t_builder *b)
{
    memset(b, 0, sizeof *b);
    tia_vec_init(&b->udts, sizeof(udt_build *));
    tia_vec_init(&b->dbs, sizeof(db_build *));
    tia_vec_init(&b->slots, sizeof(const s7t_type **));
    tia_vec_init(&b->tags, sizeof(s7t_tag));
    tia_vec_init(&b->tag_pos, sizeof(pos));
}

static void builder_free(s7t_builder *b)
{
    tia_vec_free(&b->udts);
    tia_vec_free(&b->dbs);
    tia_vec_free(&b->slots);
    tia_vec_free(&b->tags);
    tia_vec_free(&b->tag_pos);
}

static bool builder_has_udt(const s7t_builder *b, const char *name)
{
    udt_build *const *u = b->udts.p;
    for (size_t i = 0; i < b->udts.n; i++)
        if (strlen(u[i]->u.name) == strlen(name) && tia_name_eq_n(u[i]->u.name, name, strlen(name)))
            return true;
    return false;
}

/* The TIA structure types (sdt.c) the sources use and do not declare, parsed as PLC data
 * types; again for those they use in turn (TCON_IP_v4 holds an IP_V4). */
static void add_system_structs(s7t_program *p, s7t_builder *b, const s7t_limits *L, diags *d)
{
    for (bool added = true; added && !d->fatal;) {
        added = false;
        size_t n = b->slots.n;
        for (size_t i = 0; i < n && !d->fatal; i++) {
            const udt_ref *ref = (const udt_ref *)(const void *)*((const s7t_type ***)b->slots.p)[i];
            const char *name;
            const char *text = tia_sdt_find(ref->name, strlen(ref->name), &name);
            if (!text || builder_has_udt(b, name)) continue;
            s7t_source src = {name, text, strlen(text)};
            parse_source(&src, p, b, L, d);
            added = true;
        }
    }
}

/* One attempt with the sources not yet found bad. NULL when some source turned out bad
 * (another attempt follows without it) or on a fatal error. */
static s7t_program *attempt(const order *ord, size_t n, const s7t_limits *L, diags *d)
{
    s7t_program *p = s7p_calloc(1, sizeof *p);
    if (!p) {
        d->fatal = true;
        return NULL;
    }
    s7p_arena_init(&p->arena, L->max_program_bytes);
    s7t_builder b;
    builder_init(&b);
    unsigned before = d->count;
    for (size_t k = 0; k < n && !d->fatal; k++)
        if (!d->bad[k]) parse_source(ord[k].s, p, &b, L, d);
    if (d->count == before && !d->fatal) add_system_structs(p, &b, L, d);
    /* Blocks of a bad source are in the builder: parse again without it. */
    if (d->count == before && !d->fatal) tia_resolve_program(p, &b, L, d);
    builder_free(&b);
    if (d->count != before || d->fatal) {
        s7t_program_free(p);
        return NULL;
    }
    return p;
}

static void limits_or_default(const s7t_limits *lim, s7t_limits *out)
{
    if (lim) *out = *lim;
    else s7t_limits_init(out);
    if (out->max_depth < 1) out->max_depth = 1;
}

/* The sources sorted by name (a load does not depend on the order they were given in). */
static void sort_sources(const s7t_source *src, size_t n, order *ord, const char **names)
{
    for (size_t i = 0; i < n; i++) {
        ord[i].s = &src[i];
        ord[i].i = i;
    }
    if (n) qsort(ord, n, sizeof *ord, by_name);
    for (size_t i = 0; i < n; i++) names[i] = source_name(ord[i].s);
}

static void report_load(diags *d, const bool *bad, size_t n, s7t_load_report *rep)
{
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++) skipped += bad[i];
    if (d->fatal && d->count == 0) {  /* out of memory before any message could be written */
        d->count = 1;
        if (d->buf && d->cap) snprintf(d->buf, d->cap, "program: out of memory");
    }
    if (rep) {
        rep->errors = d->count;
        rep->skipped = (unsigned)skipped;
    }
}

s7t_program *s7t_program_load(const s7t_source *src, size_t n, const s7t_limits *lim,
                              bool strict, char *err, size_t err_len, s7t_load_report *rep)
{
    s7t_limits L;
    limits_or_default(lim, &L);
    if (err && err_len) err[0] = '\0';
    if (rep) memset(rep, 0, sizeof *rep);

    order *ord = s7p_calloc(n ? n : 1, sizeof *ord);
    const char **names = s7p_calloc(n ? n : 1, sizeof *names);
    bool *bad = s7p_calloc(n ? n : 1, sizeof *bad);
    s7t_program *p = NULL;
    if (!ord || !names || !bad) {
        if (err && err_len) snprintf(err, err_len, "out of memory");
    } else {
        sort_sources(src, n, ord, names);
        diags d = {err, err_len, 0, 0, false, names, bad, n};
        /* Each failed attempt marks at least one more source bad, so this ends. */
        while (!d.fatal && !(p = attempt(ord, n, &L, &d))) {}
        report_load(&d, bad, n, rep);
        if (p && strict && d.count) {
            s7t_program_free(p);
            p = NULL;
        }
    }
    s7p_free(ord);
    s7p_free(names);
    s7p_free(bad);
    return p;
}

s7t_program *s7t_program_parse(const s7t_source *src, size_t n, const s7t_limits *lim,
                               char *err, size_t err_len)
{
    return s7t_program_load(src, n, lim, true, err, err_len, NULL);
}

static bool wanted(const char *name)
{
    return name[0] != '.' && (ends_with(name, ".db") || ends_with(name, ".udt") ||
                              ends_with(name, ".scl") || ends_with(name, ".tags"));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads one file (at most max bytes) into a malloc'd buffer. */
static char *read_file(const char *path, size_t max, size_t *len, char *err, size_t err_len,
                       const char *name)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: %s", name, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = s7p_malloc(cap);
    for (;;) {
        if (!buf) {
            snprintf(err, err_len, "%s: out of memory", name);
            break;
        }
        if (n == cap) {
            if (cap > max) {
                snprintf(err, err_len, "%s: file is larger than %zu bytes", name, max);
                s7p_free(buf);
                buf = NULL;
                break;
            }
            char *nb = s7p_realloc(buf, cap * 2);
            if (!nb) {
                s7p_free(buf);
                buf = NULL;
                continue;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                snprintf(err, err_len, "%s: read error", name);
                s7p_free(buf);
                buf = NULL;
            } else if (n > max) {
                snprintf(err, err_len, "%s: file is larger than %zu bytes", name, max);
                s7p_free(buf);
                buf = NULL;
            }
            break;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

s7t_program *s7t_program_load_dir(const char *dir, char *err, size_t err_len)
{
    return s7t_program_load_dir_ex(dir, true, err, err_len, NULL);
}

s7t_program *s7t_program_load_dir_ex(const char *dir, bool strict, char *err, size_t err_len,
                                     s7t_load_report *rep)
{
    if (rep) memset(rep, 0, sizeof *rep);
    char dummy[1];
    if (!err || !err_len) {
        err = dummy;
        err_len = sizeof dummy;
    }
    err[0] = '\0';
    s7t_limits L;
    s7t_limits_init(&L);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_len, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    vec names;
    tia_vec_init(&names, sizeof(char *));
    struct dirent *e;
    bool ok = true;
    while (ok && (e = readdir(d)) != NULL) {
        if (!wanted(e->d_name)) continue;
        char **slot = tia_vec_push(&names);
        size_t k = strlen(e->d_name);
        if (!slot || !(*slot = s7p_malloc(k + 1))) {
            ok = false;
            break;
        }
        memcpy(*slot, e->d_name, k + 1);
    }
    closedir(d);
    char **nm = names.p;
    s7t_source *src = NULL;
    s7t_program *p = NULL;
    if (!ok) {
        snprintf(err, err_len, "%s: out of memory", dir);
        goto out;
    }
    if (names.n == 0) {
        snprintf(err, err_len, "%s: no .udt, .db, .scl or .tags files", dir);
        goto out;
    }
    qsort(nm, names.n, sizeof *nm, cmp_str);
    src = s7p_calloc(names.n, sizeof *src);
    if (!src) {
        snprintf(err, err_len, "%s: out of memory", dir);
        goto out;
    }
    for (size_t i = 0; i < names.n; i++) {
        size_t plen = strlen(dir) + 1 + strlen(nm[i]) + 1;
        char *path = s7p_malloc(plen);
        if (!path) {
            snprintf(err, err_len, "%s: out of memory", dir);
            goto out;
        }
        snprintf(path, plen, "%s/%s", dir, nm[i]);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            s7p_free(path);
            continue;
        }
        src[i].name = nm[i];
        src[i].text = read_file(path, L.max_source_bytes, &src[i].len, err, err_len, nm[i]);
        s7p_free(path);
        if (!src[i].text) goto out;
    }
    /* entries skipped above (not regular files) have no name: drop them */
    size_t m = 0;
    for (size_t i = 0; i < names.n; i++)
        if (src[i].name) src[m++] = src[i];
    p = s7t_program_load(src, m, &L, strict, err, err_len, rep);
out:
    if (src)
        for (size_t i = 0; i < names.n; i++) s7p_free((void *)src[i].text);
    s7p_free(src);
    for (size_t i = 0; i < names.n; i++) s7p_free(nm[i]);
    tia_vec_free(&names);
    return p;
}

void s7t_program_free(s7t_program *p)
{
    if (!p) return;
    s7p_arena_release(&p->arena);
    s7p_free(p);
}

size_t s7t_program_udt_count(const s7t_program *p) { return p->nudts; }
const s7t_udt *s7t_program_udt(const s7t_program *p, size_t i) { return p->udts[i]; }
size_t s7t_program_db_count(const s7t_program *p) { return p->ndbs; }
const s7t_db *s7t_program_db(const s7t_program *p, size_t i) { return p->dbs[i]; }
size_t s7t_program_tag_count(const s7t_program *p) { return p->ntags; }
const s7t_tag *s7t_program_tag(const s7t_program *p, size_t i) { return &p->tags[i]; }

const s7t_udt *s7t_program_find_udt(const s7t_program *p, const char *name)
{
    size_t k = tia_name_index_find(&p->udt_ix, p->udt_names, name);
    return k == SIZE_MAX ? NULL : p->udts[k];
}

const s7t_db *s7t_program_find_db(const s7t_program *p, const char *name)
{
    size_t k = tia_name_index_find(&p->db_ix, p->db_names, name);
    return k == SIZE_MAX ? NULL : p->dbs[k];
}

const s7t_db *s7t_program_find_db_number(const s7t_program *p, uint16_t number)
{
    size_t lo = 0, hi = p->ndbs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->dbs[mid]->number < number) lo = mid + 1;
        else hi = mid;
    }
    return lo < p->ndbs && p->dbs[lo]->number == number ? p->dbs[lo] : NULL;
}

const s7t_tag *s7t_program_find_tag(const s7t_program *p, const char *name)
{
    size_t k = tia_name_index_find(&p->tag_ix, p->tag_names, name);
    return k == SIZE_MAX ? NULL : &p->tags[k];
}

/* ---- walking ---- */

typedef struct walker {
    const s7t_db *db;
    s7t_leaf_fn fn;
    void *ctx;
    char *path;
    size_t len, cap;
    uint32_t *ids;                /* one per nesting level */
    size_t nids;
    bool oom;
} walker;

static bool append(walker *w, const char *s, size_t n)
{
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n + 1) cap *= 2;
        char *np = s7p_realloc(w->path, cap);
        if (!np) {
            w->oom = true;
            return false;
        }
        w->path = np;
        w->cap = cap;
    }
    memcpy(w->path + w->len, s, n);
    w->len += n;
    w->path[w->len] = '\0';
    return true;
}

static bool append_name(walker *w, const char *name, bool always_quote)
{
    bool q = always_quote || !tia_is_plain_ident(name);
    return (!q || append(w, "\"", 1)) && append(w, name, strlen(name)) && (!q || append(w, "\"", 1));
}

static bool append_index(walker *w, const s7t_type *a, uint64_t flat)
{
    char buf[16 * S7T_MAX_DIMS + 2];
    int64_t idx[S7T_MAX_DIMS];
    for (int k = a->ndims - 1; k >= 0; k--) {
        idx[k] = a->dims[k].lo + (int64_t)(flat % a->dims[k].count);
        flat /= a->dims[k].count;
    }
    size_t o = 0;
    buf[o++] = '[';
    for (unsigned k = 0; k < a->ndims; k++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%lld", k ? "," : "", (long long)idx[k]);
    buf[o++] = ']';
    return append(w, buf, o);
}

static int walk(walker *w, const s7t_type *t, const s7t_member *m, uint64_t first)
{
    if (t->kind == S7T_ELEMENTARY) {
        s7t_leaf leaf = {w->path, t, &w->db->start[first], m, first, w->ids, w->nids};
        return w->fn(w->ctx, &leaf);
    }
    size_t len = w->len;
    int rc = 0;
    if (t->kind == S7T_ARRAY) {
        for (uint64_t k = 0; k < t->count && !rc; k++) {
            if (!append_index(w, t, k)) return -1;
            w->ids[w->nids++] = (uint32_t)k;
            rc = walk(w, t->elem, m, first + k * t->elem->leaves);
            w->nids--;
            w->len = len;
            w->path[len] = '\0';
        }
        return rc;
    }
    for (size_t i = 0; i < t->nmembers && !rc; i++) {
        const s7t_member *mi = &t->members[i];
        if (!append(w, ".", 1) || !append_name(w, mi->name, false)) return -1;
        w->ids[w->nids++] = mi->lid;
        rc = walk(w, mi->type, mi, first + mi->offset);
        w->nids--;
        w->len = len;
        w->path[len] = '\0';
    }
    return rc;
}

int s7t_db_walk(const s7t_db *db, s7t_leaf_fn fn, void *ctx)
{
    walker w;
    memset(&w, 0, sizeof w);
    w.db = db;
    w.fn = fn;
    w.ctx = ctx;
    int rc = -1;
    w.ids = s7p_calloc(db->type->depth + 1u, sizeof *w.ids);
    if (w.ids && append_name(&w, db->name, true)) rc = walk(&w, db->type, NULL, 0);
    s7p_free(w.ids);
    s7p_free(w.path);
    return w.oom ? -1 : rc;
}

/* ---- lookups ---- */

bool s7t_db_resolve(const s7t_db *db, const char *path, s7t_ref *out, char *err,
                    size_t err_len)
{
    char dummy[1];
    if (!err || !err_len) {
        err = dummy;
        err_len = sizeof dummy;
    }
    err[0] = '\0';
    s7p_arena a;
    s7p_arena_init(&a, (size_t)1 << 20);
    s7t_limits L;
    s7t_limits_init(&L);
    bool failed = false;
    diags d = {err, err_len, 0, 0, false, NULL, NULL, 0};
    pctx c;
    memset(&c, 0, sizeof c);
    c.arena = &a;
    c.lim = &L;
    c.file = "path";
    c.d = &d;
    c.failed = &failed;
    tia_lex_init(&c, path, strlen(path));
    const seg *segs;
    size_t n;
    bool ok = false;
    if (tia_parse_path(&c, &segs, &n)) {
        const tok *t = tia_lex_peek(&c);
        if (t->kind != T_EOF) {
            tia_perr(&c, t->at, "unexpected text after the path");
        } else {
            walk_pos w = {db->type, NULL, 0, -1};
            char msg[200];
            ok = true;
            for (size_t i = 0; i < n && ok; i++) {
                ok = tia_path_step(&w, &segs[i], msg, sizeof msg) && w.dtl_field < 0;
                if (!ok)
                    tia_perr(&c, segs[i].at, "%s", w.dtl_field >= 0 ? "DTL elements are not leaves" : msg);
            }
            if (ok) {
                out->type = w.type;
                out->member = w.member;
                out->first = w.first;
                out->count = w.type->leaves;
            }
        }
    }
    s7p_arena_release(&a);
    return ok;
}

const s7t_value *s7t_db_value(const s7t_db *db, const char *path)
{
    s7t_ref r;
    if (!s7t_db_resolve(db, path, &r, NULL, 0) || r.type->kind != S7T_ELEMENTARY) return NULL;
    return &db->start[r.first];
}

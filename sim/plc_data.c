/* SPDX-License-Identifier: MIT */
/* The loaded program: the DB list and type information answers, LID paths, live values. */
#include "plc_data.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "areas.h"
#include "classic.h"
#include "proto/symcrc.h"
#include "values/convert.h"
#include "sim_int.h"
#include "typeinfo.h"
#include "util/alloc.h"
#include "values.h"

#define CLASS_PLC_PROGRAM 2520u
#define ID_TYPE_INFO_CONTAINER 537u     /* ObjectOMSTypeInfoContainer */
#define CLASS_TYPE_INFO_CONTAINER 534u  /* ClassOMSTypeInfoContainer */
#define ATTR_COMMENT 4288u        /* ASObjectES_Comment: sparse WString array by LCID */
#define ATTR_CHANGE_COUNTER 2479u /* Container.ChangeCounter (docs/protocol.md §5) */
#define ATTR_STRUCT_MOD_TIME 529u /* VariableTypeStructModificationTime, ULInt ns since 1970 */
#define ATTR_STRUCTURE_TYPE 1503u /* TI_StructureType, DInt */
/* Class flags a real CPU sets (S7-1200 capture, frame 97): the container NativeFixed and
 * Persistent, its type-info objects Persistent. */
#define FLAGS_TYPE_INFO_CONTAINER 0x30u
#define FLAGS_TYPE_INFO 0x20u
#define LID_TYPE_INFO 1u          /* under DB_ValueActual: the block's type-info RID */
#define LID_MEMBER_BASE 8u        /* member LIDs are 8 + ordinal */
#define LID_STRUCT_ELEM 1u        /* between an array-of-struct index and a member LID */
#define MAX_PATH_SEGMENTS 64u

typedef struct live_db {
    const s7t_db *db;
    s7p_tag_value *leaves;        /* db->type->leaves values, leaf order */
    uint64_t nleaves;
    sim_classic *classic;         /* standard DBs: the byte image layout; NULL if optimized */
} live_db;

/* One loaded program with its type information and live values. A reload builds a new one;
 * the old one stays allocated until the simulator stops, since answers already built may
 * still point into it (names, type lists). */
typedef struct sim_gen {
    s7t_program *prog;
    sim_tinfo *tinfo;
    sim_areas *areas;             /* I, Q, M, T, C with the tag tables' tags */
    live_db *dbs;                 /* by number, as the program lists them */
    size_t ndbs;
    struct sim_gen *older;        /* superseded programs, newest first */
    uint64_t loaded_ns;           /* load time: the types' modification time (attribute 529) */
} sim_gen;

struct sim_plc {
    pthread_mutex_t mu;           /* guards cur, change_counter, every leaves[], area images */
    sim_gen *cur;
    uint32_t change_counter;      /* Container.ChangeCounter of RID 3: +1 per reload */
    char *dir;                    /* where the program is (re)loaded from */
    bool strict;                  /* a source with errors fails the load */
};

/* ---- loading ---- */

static bool fill_db(live_db *l, const s7t_db *db)
{
    l->db = db;
    l->nleaves = db->type->leaves;
    if (l->nleaves > SIZE_MAX / sizeof *l->leaves) return false;
    l->leaves = s7p_calloc(l->nleaves ? (size_t)l->nleaves : 1, sizeof *l->leaves);
    if (!l->leaves) return false;
    if (!db->optimized && !(l->classic = sim_classic_build(db))) return false;
    return true;
}

/* Start values into the public form, in the loader's leaf order. */
static bool fill_values(s7p_tag_value *out, const s7t_type *t, const s7t_value *start)
{
    if (t->kind == S7T_ELEMENTARY) return sim_value_from_model(t, start, out);
    if (t->kind == S7T_ARRAY) {
        for (uint64_t k = 0; k < t->count; k++)
            if (!fill_values(out + k * t->elem->leaves, t->elem, start + k * t->elem->leaves))
                return false;
        return true;
    }
    for (size_t i = 0; i < t->nmembers; i++) {
        const s7t_member *m = &t->members[i];
        if (!fill_values(out + m->offset, m->type, start + m->offset)) return false;
    }
    return true;
}

static void gen_free(sim_gen *g)
{
    while (g) {
        sim_gen *older = g->older;
        for (size_t i = 0; i < g->ndbs; i++) {
            live_db *l = &g->dbs[i];
            for (uint64_t k = 0; l->leaves && k < l->nleaves; k++)
                s7p_tag_value_clear(&l->leaves[k]);
            s7p_free(l->leaves);
            sim_classic_free(l->classic);
        }
        s7p_free(g->dbs);
        sim_tinfo_free(g->tinfo);
        sim_areas_free(g->areas);
        s7t_program_free(g->prog);
        s7p_free(g);
        g = older;
    }
}

static sim_gen *gen_load(const char *dir, bool strict, uint32_t generation, char *err,
                         size_t err_len)
{
    sim_gen *g = s7p_calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    g->prog = s7t_program_load_dir_ex(dir, strict, err, err_len, NULL);
    if (!g->prog) {
        gen_free(g);
        return NULL;
    }
    g->tinfo = sim_tinfo_build(g->prog, err, err_len);
    if (g->tinfo) g->areas = sim_areas_build(g->prog, err, err_len);
    if (!g->tinfo || !g->areas) {
        gen_free(g);
        return NULL;
    }
    sim_tinfo_set_rid_base(g->tinfo, SIM_TINFO_RID_BASE + ((generation & 0xFFu) << 16));
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    g->loaded_ns = (uint64_t)now.tv_sec * UINT64_C(1000000000) + (uint64_t)now.tv_nsec;
    size_t n = s7t_program_db_count(g->prog);
    g->dbs = s7p_calloc(n ? n : 1, sizeof *g->dbs);
    bool ok = g->dbs != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        const s7t_db *db = s7t_program_db(g->prog, i);
        ok = fill_db(&g->dbs[i], db) && fill_values(g->dbs[i].leaves, db->type, db->start);
        g->ndbs = i + 1;
    }
    if (!ok) {
        snprintf(err, err_len, "out of memory for the values of the program");
        gen_free(g);
        return NULL;
    }
    return g;
}

sim_plc *sim_plc_load(const char *dir, bool strict, char *err, size_t err_len)
{
    sim_plc *p = s7p_calloc(1, sizeof *p);
    size_t n = strlen(dir) + 1;
    char *copy = p ? s7p_malloc(n) : NULL;
    if (!copy) {
        s7p_free(p);
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    memcpy(copy, dir, n);
    p->dir = copy;
    pthread_mutex_init(&p->mu, NULL);
    p->change_counter = 1;
    p->strict = strict;
    p->cur = gen_load(dir, strict, 0, err, err_len);
    if (!p->cur) {
        sim_plc_free(p);
        return NULL;
    }
    return p;
}

bool sim_plc_reload(sim_plc *p, char *err, size_t err_len)
{
    pthread_mutex_lock(&p->mu);
    uint32_t next = p->change_counter;  /* generations count from 0, the counter from 1 */
    pthread_mutex_unlock(&p->mu);
    /* Loading takes long: outside the lock, so requests go on against the old program. */
    sim_gen *g = gen_load(p->dir, p->strict, next, err, err_len);
    if (!g) return false;
    pthread_mutex_lock(&p->mu);
    g->older = p->cur;
    p->cur = g;
    p->change_counter++;
    pthread_mutex_unlock(&p->mu);
    return true;
}

uint32_t sim_plc_change_counter(sim_plc *p)
{
    pthread_mutex_lock(&p->mu);
    uint32_t v = p->change_counter;
    pthread_mutex_unlock(&p->mu);
    return v;
}

void sim_plc_free(sim_plc *p)
{
    if (!p) return;
    gen_free(p->cur);
    s7p_free(p->dir);
    pthread_mutex_destroy(&p->mu);
    s7p_free(p);
}

const s7t_program *sim_plc_program(const sim_plc *p) { return p->cur->prog; }

bool sim_plc_owns_area(uint32_t area)
{
    return (area >> 16) == (S7P_DB_AREA_BASE >> 16) || sim_areas_owns(area);
}

void sim_plc_lock(sim_plc *p) { pthread_mutex_lock(&p->mu); }
void sim_plc_unlock(sim_plc *p) { pthread_mutex_unlock(&p->mu); }

/* ---- Explore ---- */

static bool add_db_object(const live_db *l, s7p_object *prog, s7p_arena *a)
{
    s7p_object *o = s7p_object_new(a, S7P_DB_AREA_BASE + l->db->number, S7P_ID_DB_CLASS_RID);
    if (!o || !s7p_object_add_child(prog, a, o)) return false;
    s7p_value *name = s7p_object_add_attr(o, a, S7P_ID_OBJECT_VARIABLE_TYPE_NAME);
    s7p_value *num = s7p_object_add_attr(o, a, S7P_ID_BLOCK_BLOCK_NUMBER);
    s7p_value *comment = s7p_object_add_attr(o, a, ATTR_COMMENT);
    if (!name || !num || !comment) return false;
    name->type = S7P_DT_WSTRING;
    name->v.s.p = (const uint8_t *)l->db->name;
    name->v.s.n = strlen(l->db->name);
    num->type = S7P_DT_UINT;
    num->v.u = l->db->number;
    comment->flags = S7P_VF_SPARSE;  /* no comments: an empty sparse array */
    comment->type = S7P_DT_WSTRING;
    return true;
}

static bool append_object(s7p_object_list *out, s7p_arena *a, s7p_object *o)
{
    s7p_object **items = s7p_arena_array(a, (size_t)out->n + 1, sizeof *items);
    if (!items) return false;
    if (out->n) memcpy(items, out->items, out->n * sizeof *items);
    items[out->n++] = o;
    out->items = items;
    return true;
}

static bool wants_attr(const s7p_req_explore *req, uint32_t attr);

/* The attributes a real CPU gives a type-info object when the Explore asks for them
 * (docs/protocol.md §8.1): 529 its modification time (0 for an area without tags, as the
 * S7-1200 sent for its empty Q area), 1503 TI_StructureType 1. Members stay in every answer. */
static bool decorate_type_info(const sim_gen *p, const s7p_req_explore *req, s7p_object *o,
                               s7p_arena *a)
{
    o->class_flags = FLAGS_TYPE_INFO;
    if (wants_attr(req, ATTR_STRUCT_MOD_TIME)) {
        s7p_value *t = s7p_object_add_attr(o, a, ATTR_STRUCT_MOD_TIME);
        if (!t) return false;
        t->type = S7P_DT_ULINT;
        const s7p_vartype_list *vt = s7p_object_vartypes(o);
        t->v.u = vt && vt->n ? p->loaded_ns : 0;
    }
    if (wants_attr(req, ATTR_STRUCTURE_TYPE)) {
        s7p_value *k = s7p_object_add_attr(o, a, ATTR_STRUCTURE_TYPE);
        if (!k) return false;
        k->type = S7P_DT_DINT;
        k->v.i = 1;
    }
    return true;
}

/* Explore of the type-info container: every type-info object at once, those of the DBs'
 * types and of the tag tables (the reference client's browse reads them so). */
static int explore_type_infos(const sim_gen *p, const s7p_req_explore *req, s7p_arena *a,
                              s7p_object_list *out)
{
    s7p_object *cont = s7p_object_new(a, ID_TYPE_INFO_CONTAINER, CLASS_TYPE_INFO_CONTAINER);
    if (!cont) return 1;
    cont->class_flags = FLAGS_TYPE_INFO_CONTAINER;
    for (size_t k = 0; k < sim_tinfo_count(p->tinfo); k++) {
        bool found;
        s7p_object *o = sim_tinfo_object(p->tinfo, sim_tinfo_rid_at(p->tinfo, k), a, &found);
        if (!o || !s7p_object_add_child(cont, a, o)) return 1;
    }
    if (!sim_areas_typeinfo_all(p->areas, cont, a)) return 1;
    for (s7p_obj_elem *e = cont->first; e; e = e->next)
        if (e->tag == S7P_EL_START_OBJECT && !decorate_type_info(p, req, e->u.child, a)) return 1;
    return append_object(out, a, cont) ? 0 : 1;
}


static bool wants_attr(const s7p_req_explore *req, uint32_t attr)
{
    for (uint32_t b = 0; req && b < req->nblocks; b++)
        for (uint32_t i = 0; i < req->blocks[b].address_count; i++)
            if (req->blocks[b].addresses[i] == attr) return true;
    return false;
}

static bool only_attr(const s7p_req_explore *req, uint32_t attr)
{
    uint32_t n = 0;
    for (uint32_t b = 0; b < req->nblocks; b++)
        for (uint32_t i = 0; i < req->blocks[b].address_count; i++, n++)
            if (req->blocks[b].addresses[i] != attr) return false;
    return n > 0;
}

/* The program object: its change counter when asked for, its DBs when exploring children. */
static int explore_program(sim_plc *p, const s7p_req_explore *req, s7p_arena *a,
                           s7p_object_list *out)
{
    s7p_object *prog = s7p_object_new(a, S7P_ID_PLC_PROGRAM, CLASS_PLC_PROGRAM);
    if (!prog) return 1;
    if (p && wants_attr(req, ATTR_CHANGE_COUNTER)) {
        s7p_value *cc = s7p_object_add_attr(prog, a, ATTR_CHANGE_COUNTER);
        if (!cc) return 1;
        cc->type = S7P_DT_UDINT;
        cc->v.u = p->change_counter;
    }
    /* Children unless only the counter is asked for (the client's cheap marker read). */
    bool children = !req || req->children_recursive || !only_attr(req, ATTR_CHANGE_COUNTER);
    for (size_t i = 0; children && p && i < p->cur->ndbs; i++)
        if (!add_db_object(&p->cur->dbs[i], prog, a)) return 1;
    return append_object(out, a, prog) ? 0 : 1;
}

int sim_plc_explore(sim_plc *p, const s7p_req_explore *req, s7p_arena *a, s7p_object_list *out)
{
    uint32_t id = req->explore_id;
    if (!p) return id == S7P_ID_PLC_PROGRAM ? explore_program(NULL, req, a, out)
                                            : SIM_E_OBJECT_NOT_FOUND;
    pthread_mutex_lock(&p->mu);
    int rc;
    if (id == S7P_ID_PLC_PROGRAM) {
        rc = explore_program(p, req, a, out);
    } else if (id == ID_TYPE_INFO_CONTAINER) {
        rc = explore_type_infos(p->cur, req, a, out);
    } else {
        bool found;
        s7p_object *o = sim_areas_typeinfo(p->cur->areas, id, a, &found);
        if (!found) o = sim_tinfo_object(p->cur->tinfo, id, a, &found);
        rc = !found ? SIM_E_OBJECT_NOT_FOUND
             : o && decorate_type_info(p->cur, req, o, a) && append_object(out, a, o) ? 0 : 1;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* ---- LID paths ---- */

/** What an item address names. */
typedef struct ref {
    live_db *db;
    bool type_info;               /* LID 1: the block's type-info RID */
    const s7t_type *elem;         /* elementary type of the value(s) */
    uint64_t first;               /* first leaf */
    uint32_t count;               /* 0: one value; n: a whole array of n */
    bool indexed;                 /* an array index is on the path */
    uint32_t crcs[MAX_PATH_SEGMENTS];
    size_t ncrc;
} ref;

static live_db *find_db(sim_gen *p, uint32_t area)
{
    if ((area >> 16) != (S7P_DB_AREA_BASE >> 16)) return NULL;
    uint32_t number = area & 0xFFFFu;
    size_t lo = 0, hi = p->ndbs;  /* the program lists DBs by number */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->dbs[mid].db->number < number) lo = mid + 1; else hi = mid;
    }
    return lo < p->ndbs && p->dbs[lo].db->number == number ? &p->dbs[lo] : NULL;
}

/* Row-major ordinal of the element with this LID (Bool arrays of several dimensions pad
 * their right-most dimension to a multiple of 8); false when no element has it. */
static bool element_ordinal(const s7t_type *arr, uint32_t lid, uint64_t *ordinal)
{
    uint8_t n = arr->ndims;
    uint64_t last = arr->dims[n - 1].count;
    uint64_t padded = arr->elem->sdt == S7T_SDT_BOOL && arr->elem->kind == S7T_ELEMENTARY && n > 1
                          ? (last + 7) / 8 * 8
                          : last;
    uint64_t rest = lid, idx[S7T_MAX_DIMS];
    idx[n - 1] = rest % padded;
    rest /= padded;
    if (idx[n - 1] >= last) return false;
    for (int d = n - 2; d >= 0; d--) {
        idx[d] = rest % arr->dims[d].count;
        rest /= arr->dims[d].count;
    }
    if (rest != 0) return false;
    uint64_t ord = 0;
    for (uint8_t d = 0; d < n; d++) ord = ord * arr->dims[d].count + idx[d];
    *ordinal = ord;
    return true;
}

/* Resolves a DB item address (docs/protocol.md §3.3). */
static int16_t resolve(sim_gen *p, const s7p_item_address *a, ref *r)
{
    memset(r, 0, sizeof *r);
    r->db = find_db(p, a->area);
    if (!r->db || a->sub_area != S7P_ID_DB_VALUE_ACTUAL) return SIM_E_OBJECT_NOT_FOUND;
    if (a->nlids == 1 && a->lids[0] == LID_TYPE_INFO) {
        r->type_info = true;
        return 0;
    }
    const s7t_type *st = r->db->db->type;
    bool optimized = r->db->db->optimized;
    uint64_t base = 0;
    uint32_t i = 0;
    for (;;) {
        if (i == a->nlids) return SIM_E_OBJECT_NOT_FOUND;  /* a struct is not a value */
        uint32_t lid = a->lids[i++];
        if (lid <= LID_MEMBER_BASE || lid - LID_MEMBER_BASE > st->nmembers)
            return SIM_E_INVALID_LID;  /* no member has this LID (any more) */
        size_t k = lid - LID_MEMBER_BASE - 1;
        const s7t_member *m = &st->members[k];
        if (r->ncrc == MAX_PATH_SEGMENTS) return SIM_E_INVALID_LID;
        const uint32_t *crcs = sim_tinfo_member_crcs(p->tinfo, st, optimized);
        r->crcs[r->ncrc++] = crcs ? crcs[k] : sim_member_crc(m);
        base += m->offset;
        const s7t_type *mt = m->type;
        if (mt->kind == S7T_STRUCT) {
            st = mt;
            continue;
        }
        if (mt->kind == S7T_ELEMENTARY) {
            if (i != a->nlids) return SIM_E_INVALID_LID;
            r->elem = mt;
            r->first = base;
            return 0;
        }
        if (i == a->nlids) {  /* the whole array */
            if (mt->elem->kind == S7T_STRUCT) return SIM_E_OBJECT_NOT_FOUND;
            if (mt->count > S7P_MAX_ITEMS) return SIM_E_INVALID_LID;
            r->elem = mt->elem;
            r->first = base;
            r->count = (uint32_t)mt->count;
            return 0;
        }
        uint64_t ord;
        if (!element_ordinal(mt, a->lids[i++], &ord)) return SIM_E_INVALID_LID;
        r->indexed = true;
        base += ord * mt->elem->leaves;
        if (mt->elem->kind == S7T_ELEMENTARY) {
            if (i != a->nlids) return SIM_E_INVALID_LID;
            r->elem = mt->elem;
            r->first = base;
            return 0;
        }
        if (i == a->nlids) return SIM_E_OBJECT_NOT_FOUND;
        if (a->lids[i++] != LID_STRUCT_ELEM) return SIM_E_INVALID_LID;
        st = mt->elem;
    }
}

/* Resolution, then the symbol CRC when the client sent one. Paths with an array index
 * carry none (the PLC refuses a CRC there, data-model spec §5.6). */
static int16_t resolve_checked(sim_gen *p, const s7p_item_address *a, ref *r)
{
    if ((a->area >> 16) != (S7P_DB_AREA_BASE >> 16)) return SIM_E_OBJECT_NOT_FOUND;
    int16_t rc = resolve(p, a, r);
    if (rc != 0 || r->type_info || a->symbol_crc == 0) return rc;
    if (r->indexed || a->symbol_crc != s7p_symcrc_path(r->crcs, r->ncrc)) return SIM_E_INVALID_CRC;
    return 0;
}

/* ---- values ---- */

/* The DB of a byte-range address (docs/protocol.md §8.3): only standard DBs have one. */
static int16_t classic_db(sim_gen *p, const s7p_item_address *addr, live_db **l)
{
    *l = find_db(p, addr->area);
    if (!*l) return SIM_E_OBJECT_NOT_FOUND;
    return (*l)->classic ? 0 : SIM_E_INVALID_ADDRESS;
}

static bool is_db_range(const s7p_item_address *addr)
{
    return (addr->area >> 16) == (S7P_DB_AREA_BASE >> 16) && sim_classic_is_range(addr);
}

int16_t sim_plc_read(sim_plc *plc, const s7p_item_address *addr, s7p_arena *a, s7p_value *out)
{
    sim_gen *p = plc->cur;
    ref r;
    live_db *l;
    memset(out, 0, sizeof *out);
    if (sim_areas_owns(addr->area)) return sim_areas_read(p->areas, addr, a, out);
    if (is_db_range(addr)) {
        int16_t rc = classic_db(p, addr, &l);
        return rc ? rc : sim_classic_read(l->classic, l->db, l->leaves, addr, a, out);
    }
    int16_t rc = resolve_checked(p, addr, &r);
    if (rc != 0) return rc;
    if (r.type_info) {
        out->type = S7P_DT_RID;
        out->v.u = sim_tinfo_rid(p->tinfo, r.db->db->type, r.db->db->optimized);
        return 0;
    }
    s7p_tag tag;
    s7p_tag_value v;
    sim_value_tag(r.elem, r.count, &tag);
    if (r.count) {
        memset(&v, 0, sizeof v);
        v.type = tag.type;
        v.count = r.count;
        v.elems = &r.db->leaves[r.first];  /* an array's leaves are consecutive */
    } else {
        v = r.db->leaves[r.first];
    }
    s7p_status st = s7p_convert_write(&tag, &v, a, out, NULL, 0);
    if (st == S7P_OK) return 0;
    return st == S7P_E_NOMEM || st == S7P_E_LIMIT ? SIM_E_INVALID_LID : SIM_E_CONVERSION;
}

int16_t sim_plc_write(sim_plc *plc, const s7p_item_address *addr, const s7p_value *w)
{
    sim_gen *p = plc->cur;
    ref r;
    live_db *l;
    if (sim_areas_owns(addr->area)) return sim_areas_write(p->areas, addr, w);
    if (is_db_range(addr)) {
        int16_t rc = classic_db(p, addr, &l);
        return rc ? rc : sim_classic_write(l->classic, l->db, l->leaves, addr, w);
    }
    int16_t rc = resolve_checked(p, addr, &r);
    if (rc != 0) return rc;
    if (r.type_info) return SIM_E_READ_ONLY;
    if (r.db->db->read_only) return SIM_E_READ_ONLY;
    s7p_tag tag;
    sim_value_tag(r.elem, r.count, &tag);
    if (!w || !sim_value_wire_ok(&tag, w)) return SIM_E_CONVERSION;
    s7p_tag_value v;
    s7p_status st = s7p_convert_read(&tag, w, &v, NULL, 0);
    if (st != S7P_OK) return st == S7P_E_UNSUPPORTED ? SIM_E_CONVERSION : SIM_E_INVALID_RANGE;
    s7p_tag_value *dst = &r.db->leaves[r.first];
    uint32_t n = r.count ? r.count : 1;
    for (uint32_t k = 0; k < n; k++) {
        if (!sim_value_fits(r.elem, r.count ? &v.elems[k] : &v, &dst[k])) {
            s7p_tag_value_clear(&v);
            return SIM_E_INVALID_RANGE;
        }
    }
    if (r.count == 0) {
        s7p_tag_value_clear(dst);
        *dst = v;
        return 0;
    }
    for (uint32_t k = 0; k < n; k++) {  /* move the elements, then drop the array shell */
        s7p_tag_value_clear(&dst[k]);
        dst[k] = v.elems[k];
    }
    s7p_free(v.elems);
    return 0;
}

/* ---- variables by symbol (control channel) ---- */

typedef struct sym {
    live_db *db;                  /* NULL: a PLC tag */
    const s7t_tag *tag;
    const s7t_type *elem;
    uint64_t first;               /* DB: first leaf */
    uint32_t count;               /* 0: one value; n: a whole array of n */
} sym;

/* `"DB".path`, `DB.path` or a PLC tag name (quoted or not). */
static bool find_symbol(sim_gen *g, const char *symbol, sym *out, char *err, size_t err_len)
{
    char name[S7T_MAX_NAME + 1];
    const char *start = symbol, *rest;
    size_t n;
    memset(out, 0, sizeof *out);
    if (*symbol == '"') {
        const char *q = strchr(symbol + 1, '"');
        if (!q) goto bad;
        start = symbol + 1;
        n = (size_t)(q - start);
        rest = q + 1;
    } else {
        n = strcspn(symbol, ".[");
        rest = symbol + n;
    }
    if (n == 0 || n > S7T_MAX_NAME) goto bad;
    memcpy(name, start, n);
    name[n] = '\0';
    const s7t_db *db = s7t_program_find_db(g->prog, name);
    if (!db) {
        out->tag = *rest ? NULL : s7t_program_find_tag(g->prog, name);
        if (out->tag) {
            out->elem = out->tag->type;
            return true;
        }
        snprintf(err, err_len, "no data block or PLC tag \"%s\"", name);
        return false;
    }
    if (*rest == '.') rest++;
    s7t_ref sr;
    if (!*rest) {
        snprintf(err, err_len, "\"%s\" is a data block, not a value", name);
        return false;
    }
    if (!s7t_db_resolve(db, rest, &sr, err, err_len)) return false;
    if (sr.type->kind == S7T_ELEMENTARY) {
        out->elem = sr.type;
    } else if (sr.type->kind == S7T_ARRAY && sr.type->elem->kind == S7T_ELEMENTARY &&
               sr.count <= S7P_MAX_ITEMS) {
        out->elem = sr.type->elem;
        out->count = (uint32_t)sr.count;
    } else {
        snprintf(err, err_len, "%s is a structure, not a value", symbol);
        return false;
    }
    out->db = find_db(g, S7P_DB_AREA_BASE + db->number);
    out->first = sr.first;
    return out->db != NULL;
bad:
    snprintf(err, err_len, "\"%s\" is not a symbol", symbol);
    return false;
}

static void sym_tag(const sym *s, s7p_tag *tag) { sim_value_tag(s->elem, s->count, tag); }

/* Moves v into the leaves of a DB variable (v is left empty). */
static void store_leaves(live_db *l, const sym *s, s7p_tag_value *v)
{
    s7p_tag_value *dst = &l->leaves[s->first];
    if (s->count == 0) {
        s7p_tag_value_clear(dst);
        *dst = *v;
    } else {
        for (uint32_t k = 0; k < s->count; k++) {
            s7p_tag_value_clear(&dst[k]);
            dst[k] = v->elems[k];
        }
        s7p_free(v->elems);
    }
    memset(v, 0, sizeof *v);
}

bool sim_plc_set_symbol(sim_plc *p, const char *symbol, const char *literal, char *err,
                        size_t err_len)
{
    pthread_mutex_lock(&p->mu);
    sym s;
    s7p_tag tag;
    s7p_tag_value v;
    memset(&v, 0, sizeof v);
    bool ok = find_symbol(p->cur, symbol, &s, err, err_len);
    if (ok) {
        sym_tag(&s, &tag);
        ok = s7p_value_parse(&tag, literal, &v, err, err_len) == S7P_OK;
    }
    if (ok && s.db) {
        for (uint32_t k = 0; k < (s.count ? s.count : 1) && ok; k++)
            ok = sim_value_fits(s.elem, s.count ? &v.elems[k] : &v, &s.db->leaves[s.first + k]);
        if (ok) store_leaves(s.db, &s, &v);
        else snprintf(err, err_len, "%s does not fit the declared type", literal);
    } else if (ok) {
        ok = sim_areas_set_tag(p->cur->areas, s.tag, &v) == 0;
        if (!ok) snprintf(err, err_len, "%s does not fit the tag", literal);
    }
    s7p_tag_value_clear(&v);
    pthread_mutex_unlock(&p->mu);
    return ok;
}

bool sim_plc_symbol_type(sim_plc *p, const char *symbol, s7p_type *type, char *err,
                         size_t err_len)
{
    pthread_mutex_lock(&p->mu);
    sym s;
    bool ok = find_symbol(p->cur, symbol, &s, err, err_len);
    if (ok && s.count) {
        snprintf(err, err_len, "%s is an array, not a single value", symbol);
        ok = false;
    }
    if (ok) *type = sim_value_type(s.elem);
    pthread_mutex_unlock(&p->mu);
    return ok;
}

bool sim_plc_get_symbol(sim_plc *p, const char *symbol, char *out, size_t out_len)
{
    pthread_mutex_lock(&p->mu);
    sym s;
    bool ok = find_symbol(p->cur, symbol, &s, out, out_len);
    if (ok && s.db) {
        s7p_tag_value v = s.db->leaves[s.first];
        if (s.count) {
            memset(&v, 0, sizeof v);
            v.type = sim_value_type(s.elem);
            v.count = s.count;
            v.elems = &s.db->leaves[s.first];
        }
        ok = s7p_value_format(&v, 0, out, out_len, NULL) == S7P_OK;
    } else if (ok) {
        s7p_tag_value v;
        ok = sim_areas_get_tag(p->cur->areas, s.tag, &v) == 0 &&
             s7p_value_format(&v, 0, out, out_len, NULL) == S7P_OK;
    }
    if (!ok && out_len && !*out) snprintf(out, out_len, "cannot format the value");
    pthread_mutex_unlock(&p->mu);
    return ok;
}

/* SPDX-License-Identifier: MIT */
/* Process areas I, Q, M and the S7 timers and counters, with the program's PLC tags. */
#include "areas.h"

#include <stdio.h>
#include <string.h>

#include "proto/symcrc.h"
#include "values/convert.h"
#include "sim_int.h"
#include "typeinfo.h"
#include "util/alloc.h"
#include "values.h"

#define NAREAS 5
#define LID_MEMBER_BASE 8u
#define MAX_IMAGE ((size_t)1 << 24)
#define BLOCK_BYTES 60000u
/* Vartype flags of a PLC tag: HMI visible and accessible, section Operand (7). */
#define TAG_FLAGS (0x0800u | 0x0200u | (7u << 4))
#define BITINFO_CLASSIC 0x08u
#define DAYS_1970_TO_1990 INT64_C(7305)

typedef struct area {
    uint32_t native;              /* access area: 80 I, 81 Q, 82 M, 83 C, 84 T */
    uint32_t rid;                 /* type-info RID */
    const s7t_tag **tags;         /* tag-table order; LID 9 + index */
    size_t ntags;
    uint8_t *image;               /* bytes; T and C: a big-endian word per number */
    size_t nbytes;
} area;

struct sim_areas {
    area a[NAREAS];               /* by s7t_area - 1 */
};

static const struct { uint32_t native, rid; } AREA_IDS[NAREAS] = {
    {S7P_ID_I_AREA, 0x90010000u}, {S7P_ID_Q_AREA, 0x90020000u}, {S7P_ID_M_AREA, 0x90030000u},
    {S7P_ID_S7_TIMERS, 0x90050000u}, {S7P_ID_S7_COUNTERS, 0x90060000u},
};

static bool is_word_area(const area *a)
{
    return a->native == S7P_ID_S7_TIMERS || a->native == S7P_ID_S7_COUNTERS;
}

/* Where a tag's bytes are in its area image, and how many. */
static size_t tag_pos(const area *a, const s7t_tag *t) { return is_word_area(a) ? 2u * t->offset : t->offset; }
static unsigned tag_width(const area *a, const s7t_tag *t)
{
    if (is_word_area(a)) return 2;
    return t->width ? t->width : 1;
}

/* ---- raw image values <-> public values ---- */

static uint64_t get_raw(const area *a, const s7t_tag *t)
{
    size_t pos = tag_pos(a, t);
    if (t->type->sdt == S7T_SDT_BOOL && !is_word_area(a)) return (a->image[pos] >> t->bit) & 1u;
    uint64_t v = 0;
    for (unsigned i = 0; i < tag_width(a, t); i++) v = v << 8 | a->image[pos + i];
    return v;
}

static void put_raw(area *a, const s7t_tag *t, uint64_t v)
{
    size_t pos = tag_pos(a, t);
    if (t->type->sdt == S7T_SDT_BOOL && !is_word_area(a)) {
        uint8_t m = (uint8_t)(1u << t->bit);
        a->image[pos] = (uint8_t)(v ? a->image[pos] | m : a->image[pos] & ~m);
        return;
    }
    unsigned w = tag_width(a, t);
    for (unsigned i = 0; i < w; i++) a->image[pos + i] = (uint8_t)(v >> (8 * (w - 1 - i)));
}

static bool raw_to_public(uint16_t sdt, uint64_t raw, s7p_tag_value *v)
{
    memset(v, 0, sizeof *v);
    v->type = (s7p_type)sdt;
    switch (sdt) {
    case S7T_SDT_BOOL: v->v.b = raw != 0; return true;
    case S7T_SDT_SINT: v->v.i = (int8_t)(uint8_t)raw; return true;
    case S7T_SDT_INT: v->v.i = (int16_t)(uint16_t)raw; return true;
    case S7T_SDT_DINT: v->v.i = (int32_t)(uint32_t)raw; return true;
    case S7T_SDT_REAL: {
        uint32_t bits = (uint32_t)raw;
        memcpy(&v->v.r, &bits, sizeof bits);
        return true;
    }
    case S7T_SDT_DATE: v->v.i = (DAYS_1970_TO_1990 + (int64_t)raw) * S7P_NS_PER_DAY; return true;
    case S7T_SDT_TOD: v->v.i = (int64_t)raw * S7P_NS_PER_MS; return true;
    case S7T_SDT_TIME: v->v.i = (int64_t)(int32_t)(uint32_t)raw * S7P_NS_PER_MS; return true;
    case S7T_SDT_S5TIME: return s7p_s5time_decode((uint16_t)raw, &v->v.i);
    default: v->v.u = raw; return true;  /* bit strings, unsigned, Char, WChar, T, C */
    }
}

static bool public_to_raw(uint16_t sdt, const s7p_tag_value *v, uint64_t *raw)
{
    uint16_t w;
    switch (sdt) {
    case S7T_SDT_BOOL: *raw = v->v.b ? 1 : 0; return true;
    case S7T_SDT_SINT: case S7T_SDT_INT: case S7T_SDT_DINT:
        *raw = (uint64_t)v->v.i & 0xFFFFFFFFu;
        return true;
    case S7T_SDT_REAL: {
        uint32_t bits;
        memcpy(&bits, &v->v.r, sizeof bits);
        *raw = bits;
        return true;
    }
    case S7T_SDT_DATE: *raw = (uint64_t)(v->v.i / S7P_NS_PER_DAY - DAYS_1970_TO_1990); return true;
    case S7T_SDT_TOD: *raw = (uint64_t)(v->v.i / S7P_NS_PER_MS); return true;
    case S7T_SDT_TIME: *raw = (uint64_t)(v->v.i / S7P_NS_PER_MS) & 0xFFFFFFFFu; return true;
    case S7T_SDT_S5TIME:
        if (!s7p_s5time_encode(v->v.i, &w)) return false;
        *raw = w;
        return true;
    default: *raw = v->v.u; return true;
    }
}

/* A start value of the tag table in the area's representation. */
static uint64_t start_raw(const s7t_tag *t)
{
    const s7t_value *s = &t->start;
    uint32_t bits;
    float f;
    switch (s->kind) {
    case S7T_V_INT:
        if (t->type->sdt == S7T_SDT_S5TIME) return s7t_s5time_encode(s->i);
        return (uint64_t)s->i & 0xFFFFFFFFu;
    case S7T_V_REAL:
        f = (float)s->r;
        memcpy(&bits, &f, sizeof bits);
        return bits;
    default:
        return s->u;
    }
}

/* ---- building ---- */

sim_areas *sim_areas_build(const s7t_program *p, char *err, size_t err_len)
{
    sim_areas *as = s7p_calloc(1, sizeof *as);
    if (!as) goto nomem;
    size_t n = s7t_program_tag_count(p);
    for (int k = 0; k < NAREAS; k++) {
        as->a[k].native = AREA_IDS[k].native;
        as->a[k].rid = AREA_IDS[k].rid;
        as->a[k].tags = s7p_calloc(n ? n : 1, sizeof *as->a[k].tags);
        if (!as->a[k].tags) goto nomem;
    }
    for (size_t i = 0; i < n; i++) {
        const s7t_tag *t = s7t_program_tag(p, i);
        if (t->area < S7T_AREA_I || t->area > S7T_AREA_C) continue;
        area *a = &as->a[t->area - 1];
        a->tags[a->ntags++] = t;
        size_t end = tag_pos(a, t) + tag_width(a, t);
        if (end > MAX_IMAGE) {
            snprintf(err, err_len, "%s:%u: tag \"%s\": address beyond %zu bytes", t->file,
                     (unsigned)t->line, t->name, MAX_IMAGE);
            sim_areas_free(as);
            return NULL;
        }
        if (end > a->nbytes) a->nbytes = end;
    }
    for (int k = 0; k < NAREAS; k++) {
        area *a = &as->a[k];
        a->image = s7p_calloc(a->nbytes ? a->nbytes : 1, 1);
        if (!a->image) goto nomem;
        for (size_t i = 0; i < a->ntags; i++) put_raw(a, a->tags[i], start_raw(a->tags[i]));
    }
    return as;
nomem:
    snprintf(err, err_len, "out of memory for the tag areas");
    sim_areas_free(as);
    return NULL;
}

void sim_areas_free(sim_areas *as)
{
    if (!as) return;
    for (int k = 0; k < NAREAS; k++) {
        s7p_free(as->a[k].tags);
        s7p_free(as->a[k].image);
    }
    s7p_free(as);
}

bool sim_areas_owns(uint32_t id) { return id >= S7P_ID_I_AREA && id <= S7P_ID_S7_TIMERS; }

/* ---- type information ---- */

static uint32_t tag_crc(const s7t_tag *t)
{
    return s7p_symcrc_segment(t->name, strlen(t->name), (uint8_t)t->type->sdt, false, 0);
}

s7p_object *sim_areas_typeinfo(const sim_areas *as, uint32_t rid, s7p_arena *ar, bool *found)
{
    const area *a = NULL;
    for (int k = 0; k < NAREAS && !a; k++)
        if (as && as->a[k].rid == rid) a = &as->a[k];
    *found = a != NULL;
    if (!a) return NULL;
    s7p_object *o = s7p_object_new(ar, rid, SIM_CLASS_TYPE_INFO);
    s7p_vartype_list *vt = s7p_arena_alloc(ar, sizeof *vt);
    s7p_varname_list *vn = s7p_arena_alloc(ar, sizeof *vn);
    s7p_obj_elem *el = s7p_arena_array(ar, 2, sizeof *el);
    if (!o || !vt || !vn || !el) return NULL;
    size_t n = a->ntags;
    vt->items = s7p_arena_array(ar, n ? n : 1, sizeof *vt->items);
    vn->items = s7p_arena_array(ar, n ? n : 1, sizeof *vn->items);
    if (!vt->items || !vn->items) return NULL;
    vt->n = vn->n = (uint32_t)n;
    size_t vt_block = 4, vn_block = 0;
    for (size_t i = 0; i < n; i++) {
        const s7t_tag *t = a->tags[i];
        s7p_vartype *v = &vt->items[i];
        v->lid = LID_MEMBER_BASE + 1u + (uint32_t)i;
        v->symbol_crc = tag_crc(t);
        v->softdatatype = (uint8_t)t->type->sdt;
        v->attr_flags = (uint16_t)((unsigned)S7P_OIT_STD << 12 | TAG_FLAGS);
        v->bit_offset_info = (uint8_t)(BITINFO_CLASSIC | (unsigned)t->bit << 4 | t->bit);
        v->opt_addr = v->nonopt_addr = t->offset & 0xFFFFu;
        size_t len = strlen(t->name);
        vn->items[i].name.p = (const uint8_t *)t->name;
        vn->items[i].name.n = len > 255 ? 255 : len;
        /* 16 bytes per Std vartype, at most 257 per name: new blocks well before 64 KiB */
        if (i == 0 || vt_block + 16 > BLOCK_BYTES) {
            v->starts_block = true;
            vt_block = i == 0 ? 4 : 0;
        }
        if (i == 0 || vn_block + 257 > BLOCK_BYTES) {
            vn->items[i].starts_block = true;
            vn_block = 0;
        }
        vt_block += 16;
        vn_block += vn->items[i].name.n + 2;
    }
    el[0].tag = S7P_EL_VARTYPE_LIST;
    el[0].u.vartypes = vt;
    el[0].next = &el[1];
    el[1].tag = S7P_EL_VARNAME_LIST;
    el[1].u.varnames = vn;
    o->first = &el[0];
    o->last = &el[1];
    o->nelems = 2;
    return o;
}

bool sim_areas_typeinfo_all(const sim_areas *as, s7p_object *parent, s7p_arena *ar)
{
    for (int k = 0; k < NAREAS; k++) {
        bool found;
        s7p_object *o = sim_areas_typeinfo(as, AREA_IDS[k].rid, ar, &found);
        if (!o || !s7p_object_add_child(parent, ar, o)) return false;
    }
    return true;
}

/* ---- values ---- */

static int16_t resolve(sim_areas *as, const s7p_item_address *addr, area **ap,
                       const s7t_tag **tp)
{
    area *a = NULL;
    for (int k = 0; k < NAREAS && !a; k++)
        if (as->a[k].native == addr->area) a = &as->a[k];
    if (!a || addr->sub_area != S7P_ID_CONTROLLER_AREA_VALUE_ACTUAL || addr->nlids == 0)
        return SIM_E_OBJECT_NOT_FOUND;
    uint32_t lid = addr->lids[0];
    if (lid <= LID_MEMBER_BASE || lid - LID_MEMBER_BASE > a->ntags) return SIM_E_OBJECT_NOT_FOUND;
    if (addr->nlids > 1) return SIM_E_INVALID_LID;
    const s7t_tag *t = a->tags[lid - LID_MEMBER_BASE - 1];
    uint32_t crc = tag_crc(t);
    if (addr->symbol_crc != 0 && addr->symbol_crc != s7p_symcrc_path(&crc, 1))
        return SIM_E_INVALID_CRC;
    *ap = a;
    *tp = t;
    return 0;
}

int16_t sim_areas_read(sim_areas *as, const s7p_item_address *addr, s7p_arena *ar,
                       s7p_value *out)
{
    area *a;
    const s7t_tag *t;
    memset(out, 0, sizeof *out);
    int16_t rc = resolve(as, addr, &a, &t);
    if (rc != 0) return rc;
    s7p_tag_value v;
    if (!raw_to_public(t->type->sdt, get_raw(a, t), &v)) return SIM_E_CONVERSION;
    s7p_tag tag;
    sim_value_tag(t->type, 0, &tag);
    return s7p_convert_write(&tag, &v, ar, out, NULL, 0) == S7P_OK ? 0 : SIM_E_CONVERSION;
}

int16_t sim_areas_write(sim_areas *as, const s7p_item_address *addr, const s7p_value *w)
{
    area *a;
    const s7t_tag *t;
    int16_t rc = resolve(as, addr, &a, &t);
    if (rc != 0) return rc;
    s7p_tag tag;
    sim_value_tag(t->type, 0, &tag);
    if (!w || !sim_value_wire_ok(&tag, w)) return SIM_E_CONVERSION;
    s7p_tag_value v;
    uint64_t raw;
    if (s7p_convert_read(&tag, w, &v, NULL, 0) != S7P_OK) return SIM_E_INVALID_RANGE;
    if (!public_to_raw(t->type->sdt, &v, &raw)) return SIM_E_INVALID_RANGE;
    put_raw(a, t, raw);
    return 0;
}

/* ---- by tag (control channel) ---- */

static area *area_of(const sim_areas *as, const s7t_tag *t)
{
    if (t->area < S7T_AREA_I || t->area > S7T_AREA_C) return NULL;
    return (area *)&as->a[t->area - 1];
}

int16_t sim_areas_get_tag(const sim_areas *as, const s7t_tag *t, s7p_tag_value *out)
{
    area *a = area_of(as, t);
    if (!a) return SIM_E_OBJECT_NOT_FOUND;
    return raw_to_public(t->type->sdt, get_raw(a, t), out) ? 0 : SIM_E_CONVERSION;
}

int16_t sim_areas_set_tag(sim_areas *as, const s7t_tag *t, const s7p_tag_value *v)
{
    area *a = area_of(as, t);
    uint64_t raw;
    if (!a) return SIM_E_OBJECT_NOT_FOUND;
    if (!public_to_raw(t->type->sdt, v, &raw)) return SIM_E_INVALID_RANGE;
    put_raw(a, t, raw);
    return 0;
}

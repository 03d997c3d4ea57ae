/* SPDX-License-Identifier: MIT */
/* Type information inside objects: vartype lists (AB), varname lists (AC) and old-firmware
 * tag descriptions (A7). Vartype numbers are little-endian; both lists come in blocks, each
 * prefixed by a big-endian u16 byte length, ended by a zero length. */
#include <string.h>

#include "proto/object.h"
#include "proto/vlq.h"

static bool oit_in(unsigned t, unsigned mask) { return (mask >> t) & 1u; }

#define M(x) (1u << (x))
#define OIT_STD_KINDS (M(S7P_OIT_SE_STD) | M(S7P_OIT_STD))
#define OIT_FB_KINDS (M(S7P_OIT_FB_ARRAY) | M(S7P_OIT_FB_SFB))
#define OIT_DIM_KINDS (M(S7P_OIT_SE_ARRAY1) | M(S7P_OIT_ARRAY1) | M(S7P_OIT_SE_STRUCT1) | \
                       M(S7P_OIT_STRUCT1) | M(S7P_OIT_SE_ARRAYM) | M(S7P_OIT_ARRAYM) |   \
                       M(S7P_OIT_SE_STRUCTM) | M(S7P_OIT_STRUCTM))
#define OIT_MDIM_KINDS (M(S7P_OIT_SE_ARRAYM) | M(S7P_OIT_ARRAYM) | M(S7P_OIT_SE_STRUCTM) | \
                        M(S7P_OIT_STRUCTM) | M(S7P_OIT_FB_ARRAY))
#define OIT_STRUCT_SIZE_KINDS (M(S7P_OIT_SE_STRUCT1) | M(S7P_OIT_STRUCT1) | \
                               M(S7P_OIT_SE_STRUCTM) | M(S7P_OIT_STRUCTM))
#define OIT_STRUCT_REL_KINDS (OIT_STRUCT_SIZE_KINDS | M(S7P_OIT_SE_STRUCT) | M(S7P_OIT_STRUCT))

static unsigned oit_of(const s7p_vartype *v) { return (unsigned)(v->attr_flags >> 12) & 0xFu; }

/* ---- vartype element: the offset info is read in the same stages as the reference
 *      decoder, each stage present for a set of offset-info types ---- */

static bool rd_addr16(s7p_rd *r, uint32_t *out)
{
    uint16_t v;
    bool ok = s7p_rd_u16le(r, &v);
    *out = v;
    return ok;
}

static bool rd_i32le(s7p_rd *r, int32_t *out)
{
    uint32_t v;
    bool ok = s7p_rd_u32le(r, &v);
    *out = (int32_t)v;
    return ok;
}

static void rd_fb_stage(s7p_rd *r, s7p_vartype *v)
{
    s7p_rd_u32le(r, &v->relation_id);
    s7p_rd_u32le(r, &v->info4);
    s7p_rd_u32le(r, &v->info5);
    s7p_rd_u32le(r, &v->info6);
    s7p_rd_u32le(r, &v->info7);
    s7p_rd_u32le(r, &v->retain_offset);
    s7p_rd_u32le(r, &v->volatile_offset);
}

static void rd_dims_stage(s7p_rd *r, s7p_vartype *v, unsigned t)
{
    if (oit_in(t, OIT_DIM_KINDS)) {
        rd_i32le(r, &v->lower_bound);
        s7p_rd_u32le(r, &v->element_count);
    } else if (t == S7P_OIT_FB_ARRAY) {
        s7p_rd_u32le(r, &v->element_count);
        s7p_rd_u32le(r, &v->classic_size);
        s7p_rd_u32le(r, &v->retain_size);
        s7p_rd_u32le(r, &v->volatile_size);
    }
    if (oit_in(t, OIT_MDIM_KINDS)) {
        for (int d = 0; d < S7P_MAX_DIMS; d++) rd_i32le(r, &v->mdim_lower[d]);
        for (int d = 0; d < S7P_MAX_DIMS; d++) s7p_rd_u32le(r, &v->mdim_count[d]);
    }
}

static void rd_struct_stage(s7p_rd *r, s7p_vartype *v, unsigned t)
{
    if (oit_in(t, OIT_STRUCT_SIZE_KINDS)) {
        s7p_rd_u32le(r, &v->nonopt_struct_size);
        s7p_rd_u32le(r, &v->opt_struct_size);
    }
    if (oit_in(t, OIT_STRUCT_REL_KINDS)) {
        s7p_rd_u32le(r, &v->relation_id);
        s7p_rd_u32le(r, &v->info4);
        s7p_rd_u32le(r, &v->info5);
        s7p_rd_u32le(r, &v->info6);
        s7p_rd_u32le(r, &v->info7);
    }
}

static bool rd_vartype(s7p_rd *r, s7p_vartype *v)
{
    s7p_rd_u32le(r, &v->lid);
    s7p_rd_u32le(r, &v->symbol_crc);
    s7p_rd_u8(r, &v->softdatatype);
    s7p_rd_u16be(r, &v->attr_flags);
    s7p_rd_u8(r, &v->bit_offset_info);
    unsigned t = oit_of(v);
    if (t == S7P_OIT_SE_STD) {
        rd_addr16(r, &v->nonopt_addr);
        rd_addr16(r, &v->opt_addr);
    } else if (t == S7P_OIT_STD) {
        rd_addr16(r, &v->opt_addr);
        rd_addr16(r, &v->nonopt_addr);
    } else {
        s7p_rd_u16le(r, &v->info1);
        s7p_rd_u16le(r, &v->info2);
        s7p_rd_u32le(r, &v->opt_addr);
        s7p_rd_u32le(r, &v->nonopt_addr);
    }
    if (oit_in(t, OIT_FB_KINDS)) rd_fb_stage(r, v);
    rd_dims_stage(r, v, t);
    rd_struct_stage(r, v, t);
    return r->err == S7P_OK;
}

static void wr_fb_stage(s7p_wr *w, const s7p_vartype *v)
{
    s7p_wr_u32le(w, v->relation_id);
    s7p_wr_u32le(w, v->info4);
    s7p_wr_u32le(w, v->info5);
    s7p_wr_u32le(w, v->info6);
    s7p_wr_u32le(w, v->info7);
    s7p_wr_u32le(w, v->retain_offset);
    s7p_wr_u32le(w, v->volatile_offset);
}

static void wr_dims_stage(s7p_wr *w, const s7p_vartype *v, unsigned t)
{
    if (oit_in(t, OIT_DIM_KINDS)) {
        s7p_wr_u32le(w, (uint32_t)v->lower_bound);
        s7p_wr_u32le(w, v->element_count);
    } else if (t == S7P_OIT_FB_ARRAY) {
        s7p_wr_u32le(w, v->element_count);
        s7p_wr_u32le(w, v->classic_size);
        s7p_wr_u32le(w, v->retain_size);
        s7p_wr_u32le(w, v->volatile_size);
    }
    if (oit_in(t, OIT_MDIM_KINDS)) {
        for (int d = 0; d < S7P_MAX_DIMS; d++) s7p_wr_u32le(w, (uint32_t)v->mdim_lower[d]);
        for (int d = 0; d < S7P_MAX_DIMS; d++) s7p_wr_u32le(w, v->mdim_count[d]);
    }
}

static void wr_struct_stage(s7p_wr *w, const s7p_vartype *v, unsigned t)
{
    if (oit_in(t, OIT_STRUCT_SIZE_KINDS)) {
        s7p_wr_u32le(w, v->nonopt_struct_size);
        s7p_wr_u32le(w, v->opt_struct_size);
    }
    if (oit_in(t, OIT_STRUCT_REL_KINDS)) {
        s7p_wr_u32le(w, v->relation_id);
        s7p_wr_u32le(w, v->info4);
        s7p_wr_u32le(w, v->info5);
        s7p_wr_u32le(w, v->info6);
        s7p_wr_u32le(w, v->info7);
    }
}

static bool wr_vartype(s7p_wr *w, const s7p_vartype *v)
{
    unsigned t = oit_of(v);
    s7p_wr_u32le(w, v->lid);
    s7p_wr_u32le(w, v->symbol_crc);
    s7p_wr_u8(w, v->softdatatype);
    s7p_wr_u16be(w, v->attr_flags);
    s7p_wr_u8(w, v->bit_offset_info);
    if (t == S7P_OIT_SE_STD || t == S7P_OIT_STD) {
        if (v->opt_addr > 0xFFFF || v->nonopt_addr > 0xFFFF) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        uint16_t first = (uint16_t)(t == S7P_OIT_STD ? v->opt_addr : v->nonopt_addr);
        uint16_t second = (uint16_t)(t == S7P_OIT_STD ? v->nonopt_addr : v->opt_addr);
        s7p_wr_u16le(w, first);
        s7p_wr_u16le(w, second);
    } else {
        s7p_wr_u16le(w, v->info1);
        s7p_wr_u16le(w, v->info2);
        s7p_wr_u32le(w, v->opt_addr);
        s7p_wr_u32le(w, v->nonopt_addr);
    }
    if (oit_in(t, OIT_FB_KINDS)) wr_fb_stage(w, v);
    wr_dims_stage(w, v, t);
    wr_struct_stage(w, v, t);
    return w->err == S7P_OK;
}

/* ---- blocked lists ---------------------------------------------------------------------- */

/* Doubles an arena array; old copies stay in the arena until it is released. */
static void *grow(s7p_rd *r, s7p_arena *a, void *items, uint32_t n, uint32_t *cap, size_t size)
{
    uint32_t ncap = *cap ? *cap * 2 : 16;
    if (ncap > S7P_MAX_ITEMS) {
        s7p_rd_fail(r, S7P_E_LIMIT);
        return NULL;
    }
    void *p = s7p_arena_array(a, ncap, size);
    if (!p) {
        s7p_rd_fail(r, S7P_E_NOMEM);
        return NULL;
    }
    if (n) memcpy(p, items, (size_t)n * size);
    *cap = ncap;
    return p;
}

/* Reads a block length and returns where that block ends (NULL at the end of the list). */
static const uint8_t *next_block(s7p_rd *r, size_t *len)
{
    uint16_t n;
    if (!s7p_rd_u16be(r, &n)) return NULL;
    *len = n;
    if (n > s7p_rd_left(r)) {
        s7p_rd_fail(r, S7P_E_PROTOCOL);
        return NULL;
    }
    return r->p + n;
}

/* Reads one item of a blocked list and marks whether it starts its block. */
typedef bool (*rd_item_fn)(s7p_rd *r, void *item, bool first);

/* Reads the items of the block ending at end (len bytes) and of the blocks after it, up to
 * a zero length, into a growing arena array of *n items of the given size. */
static bool rd_blocks(s7p_rd *r, s7p_arena *a, const uint8_t *end, size_t len, void **items,
                      uint32_t *n, size_t size, rd_item_fn get)
{
    uint32_t cap = 0;
    while (end && len > 0) {
        bool first = true;
        while (r->p < end) {
            if (*n == cap) {
                *items = grow(r, a, *items, *n, &cap, size);
                if (!*items) return false;
            }
            if (!get(r, (uint8_t *)*items + (size_t)*n * size, first)) return false;
            first = false;
            (*n)++;
        }
        if (r->p != end) return s7p_rd_fail(r, S7P_E_PROTOCOL);  /* element ran past block */
        end = next_block(r, &len);
    }
    return r->err == S7P_OK;
}

static bool vartype_get(s7p_rd *r, void *p, bool first)
{
    s7p_vartype *v = p;
    if (!rd_vartype(r, v)) return false;
    v->starts_block = first;
    return true;
}

bool s7p_vartype_list_decode(s7p_rd *r, s7p_arena *a, s7p_vartype_list *out)
{
    size_t len = 0;
    void *items = NULL;
    memset(out, 0, sizeof *out);
    const uint8_t *end = next_block(r, &len);
    /* The first block holds at least the 4-byte first id; a shorter one could not be
     * re-encoded as received. */
    if (end && len < 4) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    if (!s7p_rd_u32le(r, &out->first_id)) return false;
    bool ok = rd_blocks(r, a, end, len, &items, &out->n, sizeof *out->items, vartype_get);
    out->items = items;
    return ok;
}

/* Writes the items as blocks split where starts_block is set; patches each block length. */
static bool wr_blocks(s7p_wr *w, const void *items, uint32_t n, size_t size,
                      bool (*starts)(const void *), bool (*put)(s7p_wr *, const void *),
                      bool with_first_id, uint32_t first_id)
{
    size_t pos = w->len, body;
    if (!s7p_wr_u16be(w, 0)) return false;
    body = w->len;
    if (with_first_id) s7p_wr_u32le(w, first_id);
    for (uint32_t i = 0; i < n; i++) {
        const void *it = (const uint8_t *)items + (size_t)i * size;
        if (i > 0 && starts(it)) {
            if (w->len - body > 0xFFFF) return s7p_wr_fail(w, S7P_E_LIMIT);
            s7p_wr_patch_u16be(w, pos, (uint16_t)(w->len - body));
            pos = w->len;
            if (!s7p_wr_u16be(w, 0)) return false;
            body = w->len;
        }
        if (!put(w, it)) return false;
    }
    if (w->len - body > 0xFFFF) return s7p_wr_fail(w, S7P_E_LIMIT);
    s7p_wr_patch_u16be(w, pos, (uint16_t)(w->len - body));
    /* An empty list is just its (zero) length; otherwise a zero length ends the list. */
    if (n > 0 || with_first_id) s7p_wr_u16be(w, 0);
    return w->err == S7P_OK;
}

static bool vartype_starts(const void *p) { return ((const s7p_vartype *)p)->starts_block; }
static bool vartype_put(s7p_wr *w, const void *p) { return wr_vartype(w, p); }

bool s7p_vartype_list_encode(s7p_wr *w, const s7p_vartype_list *l)
{
    return wr_blocks(w, l->items, l->n, sizeof *l->items, vartype_starts, vartype_put, true,
                     l->first_id);
}

static bool varname_get(s7p_rd *r, void *p, bool first)
{
    s7p_varname *v = p;
    uint8_t n;
    s7p_rd_u8(r, &n);
    s7p_rd_bytes(r, n, &v->name);
    if (!s7p_rd_u8(r, &v->trailer)) return false;
    v->starts_block = first;
    return true;
}

bool s7p_varname_list_decode(s7p_rd *r, s7p_arena *a, s7p_varname_list *out)
{
    size_t len = 0;
    void *items = NULL;
    memset(out, 0, sizeof *out);
    const uint8_t *end = next_block(r, &len);
    bool ok = rd_blocks(r, a, end, len, &items, &out->n, sizeof *out->items, varname_get);
    out->items = items;
    return ok;
}

static bool varname_starts(const void *p) { return ((const s7p_varname *)p)->starts_block; }

static bool varname_put(s7p_wr *w, const void *p)
{
    const s7p_varname *v = p;
    if (v->name.n > 0xFF) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    return s7p_wr_u8(w, (uint8_t)v->name.n) && s7p_wr_bytes(w, v->name.p, v->name.n) &&
           s7p_wr_u8(w, v->trailer);
}

bool s7p_varname_list_encode(s7p_wr *w, const s7p_varname_list *l)
{
    return wr_blocks(w, l->items, l->n, sizeof *l->items, varname_starts, varname_put, false, 0);
}

/* ---- tag description (old S7-1200 firmware) ------------------------------------------ */

static bool rd_dims(s7p_rd *r, s7p_tagdesc *t)
{
    if (!s7p_rd_vlq_u32(r, &t->ndims)) return false;
    if (t->ndims > S7P_MAX_DIMS) return s7p_rd_fail(r, S7P_E_UNSUPPORTED);
    for (uint32_t d = 0; d < t->ndims; d++)
        if (!s7p_rd_vlq_i32(r, &t->lower[d]) || !s7p_rd_vlq_u32(r, &t->count[d])) return false;
    return true;
}

bool s7p_tagdesc_decode(s7p_rd *r, s7p_tagdesc *t)
{
    uint32_t name_len;
    memset(t, 0, sizeof *t);
    s7p_rd_u8(r, &t->offset_info_type);
    s7p_rd_vlq_u32(r, &name_len);
    s7p_rd_bytes(r, name_len, &t->name);
    s7p_rd_u8(r, &t->unknown);
    s7p_rd_u8(r, &t->datatype);
    s7p_rd_vlq_u32(r, &t->softdatatype);
    s7p_rd_u32be(r, &t->attr_flags);
    s7p_rd_vlq_u32(r, &t->lid);
    s7p_rd_vlq_u32(r, &t->extra);
    if (t->offset_info_type & 0x0C) {
        s7p_rd_vlq_u32(r, &t->access);
        s7p_rd_vlq_u32(r, &t->section);
    }
    s7p_rd_vlq_u32(r, &t->offset1);
    s7p_rd_vlq_u32(r, &t->offset2);
    switch (t->offset_info_type & 0x03) {
    case 1:
        s7p_rd_vlq_u32(r, &t->bit_offset1);
        s7p_rd_vlq_u32(r, &t->bit_offset2);
        break;
    case 2:
        t->ndims = 1;
        s7p_rd_vlq_i32(r, &t->lower[0]);
        s7p_rd_vlq_u32(r, &t->count[0]);
        s7p_rd_vlq_u32(r, &t->pad1);
        s7p_rd_vlq_u32(r, &t->pad2);
        break;
    case 3:
        s7p_rd_vlq_u32(r, &t->pad1);
        s7p_rd_vlq_u32(r, &t->pad2);
        rd_dims(r, t);
        break;
    default:
        break;
    }
    if (t->offset_info_type == 0x08) {  /* SFB instance offsets */
        s7p_rd_vlq_u32(r, &t->sfb_offset1);
        s7p_rd_vlq_u32(r, &t->sfb_offset2);
    }
    return r->err == S7P_OK;
}

bool s7p_tagdesc_encode(s7p_wr *w, const s7p_tagdesc *t)
{
    if (t->name.n > UINT32_MAX || t->ndims > S7P_MAX_DIMS) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    s7p_wr_u8(w, t->offset_info_type);
    s7p_wr_vlq_u32(w, (uint32_t)t->name.n);
    s7p_wr_bytes(w, t->name.p, t->name.n);
    s7p_wr_u8(w, t->unknown);
    s7p_wr_u8(w, t->datatype);
    s7p_wr_vlq_u32(w, t->softdatatype);
    s7p_wr_u32be(w, t->attr_flags);
    s7p_wr_vlq_u32(w, t->lid);
    s7p_wr_vlq_u32(w, t->extra);
    if (t->offset_info_type & 0x0C) {
        s7p_wr_vlq_u32(w, t->access);
        s7p_wr_vlq_u32(w, t->section);
    }
    s7p_wr_vlq_u32(w, t->offset1);
    s7p_wr_vlq_u32(w, t->offset2);
    switch (t->offset_info_type & 0x03) {
    case 1:
        s7p_wr_vlq_u32(w, t->bit_offset1);
        s7p_wr_vlq_u32(w, t->bit_offset2);
        break;
    case 2:
        s7p_wr_vlq_i32(w, t->lower[0]);
        s7p_wr_vlq_u32(w, t->count[0]);
        s7p_wr_vlq_u32(w, t->pad1);
        s7p_wr_vlq_u32(w, t->pad2);
        break;
    case 3:
        s7p_wr_vlq_u32(w, t->pad1);
        s7p_wr_vlq_u32(w, t->pad2);
        s7p_wr_vlq_u32(w, t->ndims);
        for (uint32_t d = 0; d < t->ndims; d++) {
            s7p_wr_vlq_i32(w, t->lower[d]);
            s7p_wr_vlq_u32(w, t->count[d]);
        }
        break;
    default:
        break;
    }
    if (t->offset_info_type == 0x08) {
        s7p_wr_vlq_u32(w, t->sfb_offset1);
        s7p_wr_vlq_u32(w, t->sfb_offset2);
    }
    return w->err == S7P_OK;
}

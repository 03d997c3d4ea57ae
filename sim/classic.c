/* SPDX-License-Identifier: MIT */
/* Classic byte-range access to standard DBs: the layout of the leaves and the conversion
 * between typed leaf values and the byte image. A leaf goes through its wire value (the
 * client's own conversion, values/convert.h), whose payload is the classic big-endian image
 * for every type: numbers, String/WString with their max and actual length, DT in BCD,
 * Pointer/Any bytes, DTL's packed image. */
#include "classic.h"

#include <string.h>

#include "sim_int.h"
#include "util/alloc.h"
#include "values.h"
#include "values/convert.h"

#define NO_BIT 0xFFu
#define SCRATCH_LIMIT ((size_t)1 << 20)

typedef struct slot {
    const s7t_type *type;         /* elementary */
    uint32_t offset;              /* first byte */
    uint32_t size;                /* bytes; 1 for a Bool */
    uint8_t bit;                  /* Bool: 0..7; NO_BIT otherwise */
} slot;

struct sim_classic {
    slot *s;                      /* one per leaf, in leaf order (offsets never go down) */
    uint64_t n;
    uint32_t size;
};

/* ---- layout ---- */

typedef struct cursor {
    uint64_t byte;
    unsigned bit;                 /* next free bit in `byte` while Bools are being packed */
    uint64_t leaf;
} cursor;

static void close_bits(cursor *c)
{
    if (c->bit) {
        c->byte++;
        c->bit = 0;
    }
}

static void align_even(cursor *c)
{
    close_bits(c);
    c->byte = (c->byte + 1) / 2 * 2;
}

static bool is_bool(const s7t_type *t) { return t->kind == S7T_ELEMENTARY && t->sdt == S7T_SDT_BOOL; }

static void place_elem(sim_classic *cl, cursor *c, const s7t_type *t)
{
    slot *s = &cl->s[c->leaf++];
    s->type = t;
    if (is_bool(t)) {
        s->offset = (uint32_t)c->byte;
        s->bit = (uint8_t)c->bit;
        s->size = 1;
        if (++c->bit == 8) close_bits(c);
        return;
    }
    unsigned size = s7t_elem_size(t);
    if (size == 0) size = 2;      /* a type without a known classic size: one word */
    if (size == 1) close_bits(c); else align_even(c);
    s->offset = (uint32_t)c->byte;
    s->bit = NO_BIT;
    s->size = size;
    c->byte += size;
}

static void place(sim_classic *cl, cursor *c, const s7t_type *t)
{
    if (t->kind == S7T_ELEMENTARY) {
        place_elem(cl, c, t);
        return;
    }
    align_even(c);                /* structs and arrays start on a word... */
    if (t->kind == S7T_ARRAY) {
        for (uint64_t k = 0; k < t->count; k++) place(cl, c, t->elem);
    } else {
        for (size_t i = 0; i < t->nmembers; i++) place(cl, c, t->members[i].type);
    }
    align_even(c);                /* ...and take a whole number of words */
}

sim_classic *sim_classic_build(const s7t_db *db)
{
    sim_classic *cl = s7p_calloc(1, sizeof *cl);
    if (!cl) return NULL;
    cl->n = db->type->leaves;
    cl->s = s7p_calloc(cl->n ? (size_t)cl->n : 1, sizeof *cl->s);
    if (!cl->s) {
        s7p_free(cl);
        return NULL;
    }
    cursor c = {0, 0, 0};
    place(cl, &c, db->type);
    cl->size = c.byte > UINT32_MAX ? UINT32_MAX : (uint32_t)c.byte;
    return cl;
}

void sim_classic_free(sim_classic *c)
{
    if (!c) return;
    s7p_free(c->s);
    s7p_free(c);
}

uint32_t sim_classic_size(const sim_classic *c) { return c->size; }

bool sim_classic_is_range(const s7p_item_address *addr)
{
    return addr->symbol_crc == 0 && addr->sub_area == S7P_ID_DB_VALUE_ACTUAL &&
           (addr->nlids == 3 || addr->nlids == 4) && addr->lids[0] == SIM_LID_CLASSIC_BLOB;
}

/* ---- one leaf <-> its bytes ---- */

static unsigned wire_width(uint8_t type)
{
    switch (type) {
    case S7P_DT_USINT: case S7P_DT_BYTE: case S7P_DT_SINT: return 1;
    case S7P_DT_UINT: case S7P_DT_WORD: case S7P_DT_INT: return 2;
    case S7P_DT_UDINT: case S7P_DT_DWORD: case S7P_DT_DINT: case S7P_DT_REAL: return 4;
    case S7P_DT_ULINT: case S7P_DT_LWORD: case S7P_DT_LINT: case S7P_DT_LREAL:
    case S7P_DT_TIMESTAMP: case S7P_DT_TIMESPAN:
        return 8;
    default: return 0;
    }
}

static bool is_signed(uint8_t type)
{
    return type == S7P_DT_SINT || type == S7P_DT_INT || type == S7P_DT_DINT ||
           type == S7P_DT_LINT || type == S7P_DT_TIMESPAN;
}

static uint64_t scalar_bits(const s7p_value *w, const s7p_scalar *s)
{
    if (w->type == S7P_DT_REAL) {
        uint32_t b;
        memcpy(&b, &s->r, sizeof b);
        return b;
    }
    if (w->type == S7P_DT_LREAL) {
        uint64_t b;
        memcpy(&b, &s->lr, sizeof b);
        return b;
    }
    return is_signed(w->type) ? (uint64_t)s->i : s->u;
}

static void scalar_from_bits(uint8_t type, unsigned width, uint64_t b, s7p_scalar *s)
{
    if (type == S7P_DT_REAL) {
        uint32_t b32 = (uint32_t)b;
        memcpy(&s->r, &b32, sizeof b32);
    } else if (type == S7P_DT_LREAL) {
        memcpy(&s->lr, &b, sizeof b);
    } else if (is_signed(type)) {
        unsigned shift = 64 - 8 * width;  /* sign-extend from the image width */
        s->i = (int64_t)(b << shift) >> shift;
    } else {
        s->u = b;
    }
}

static void put_be(uint8_t *d, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++) d[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *d, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v = v << 8 | d[i];
    return v;
}

/* The wire value of a leaf's payload as `size` image bytes (zero-filled where short). */
static bool wire_to_bytes(const s7p_value *w, uint8_t *d, uint32_t size)
{
    memset(d, 0, size);
    if (w->type == S7P_DT_STRUCT) {
        if (!w->v.st) return false;
        memcpy(d, w->v.st->data.p, w->v.st->data.n < size ? w->v.st->data.n : size);
        return true;
    }
    unsigned width = wire_width(w->type);
    if (!width) return false;
    if (!s7p_value_is_array(w)) {
        if (width <= size) put_be(d, width, scalar_bits(w, &w->v));
        return width <= size;
    }
    for (uint32_t i = 0; i < w->count && (uint64_t)(i + 1) * width <= size; i++) {
        if (s7p_datatype_is_bytewise(w->type)) d[i] = w->v.s.p[i];
        else put_be(d + (size_t)i * width, width, scalar_bits(w, &w->elems[i]));
    }
    return true;
}

/* A wire value shaped like `tmpl` whose payload is read from the image bytes. */
static bool bytes_to_wire(const s7p_value *tmpl, const uint8_t *d, uint32_t size, s7p_arena *a,
                          s7p_value *w)
{
    *w = *tmpl;
    if (tmpl->type == S7P_DT_STRUCT) {
        s7p_struct *st = s7p_arena_alloc(a, sizeof *st);
        uint8_t *copy = s7p_arena_alloc(a, size ? size : 1);
        if (!st || !copy || !tmpl->v.st) return false;
        *st = *tmpl->v.st;
        memcpy(copy, d, size);
        st->data.p = copy;
        st->data.n = size < tmpl->v.st->data.n ? size : tmpl->v.st->data.n;
        w->v.st = st;
        return true;
    }
    unsigned width = wire_width(tmpl->type);
    if (!width) return false;
    if (!s7p_value_is_array(tmpl)) {
        if (width > size) return false;
        scalar_from_bits(tmpl->type, width, get_be(d, width), &w->v);
        return true;
    }
    if ((uint64_t)tmpl->count * width > size) return false;
    if (s7p_datatype_is_bytewise(tmpl->type)) {
        uint8_t *copy = s7p_arena_alloc(a, tmpl->count ? tmpl->count : 1);
        if (!copy) return false;
        memcpy(copy, d, tmpl->count);
        w->v.s.p = copy;
        w->v.s.n = tmpl->count;
        return true;
    }
    w->elems = s7p_arena_array(a, tmpl->count ? tmpl->count : 1, sizeof *w->elems);
    if (!w->elems) return false;
    for (uint32_t i = 0; i < tmpl->count; i++)
        scalar_from_bits(tmpl->type, width, get_be(d + (size_t)i * width, width), &w->elems[i]);
    return true;
}

/* The leaf's current value as a wire value (from a). */
static bool leaf_wire(const slot *s, const s7p_tag_value *v, s7p_arena *a, s7p_value *w)
{
    s7p_tag tag;
    sim_value_tag(s->type, 0, &tag);
    return s7p_convert_write(&tag, v, a, w, NULL, 0) == S7P_OK;
}

/* ---- ranges ---- */

/* First slot whose bytes end after `off`. */
static uint64_t first_slot(const sim_classic *c, uint32_t off)
{
    uint64_t lo = 0, hi = c->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if ((uint64_t)c->s[mid].offset + c->s[mid].size <= off) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* The image bytes [off, off + n) into buf (padding reads as 0). */
static bool read_image(const sim_classic *c, const s7p_tag_value *leaves, uint32_t off,
                       uint32_t n, s7p_arena *a, uint8_t *buf)
{
    memset(buf, 0, n);
    uint64_t end = (uint64_t)off + n;
    for (uint64_t k = first_slot(c, off); k < c->n && c->s[k].offset < end; k++) {
        const slot *s = &c->s[k];
        if (s->bit != NO_BIT) {
            if (leaves[k].v.b) buf[s->offset - off] |= (uint8_t)(1u << s->bit);
            continue;
        }
        s7p_value w;
        uint8_t *img = s7p_arena_alloc(a, s->size);
        if (!img || !leaf_wire(s, &leaves[k], a, &w) || !wire_to_bytes(&w, img, s->size))
            return false;
        uint64_t from = s->offset < off ? off : s->offset;
        uint64_t to = (uint64_t)s->offset + s->size < end ? (uint64_t)s->offset + s->size : end;
        memcpy(buf + (from - off), img + (from - s->offset), (size_t)(to - from));
    }
    return true;
}

typedef struct range {
    uint32_t off, n;
    int bit;                      /* -1: bytes */
} range;

static int16_t parse_range(const sim_classic *c, const s7p_item_address *addr, range *r)
{
    r->off = addr->lids[1];
    r->n = addr->lids[2];
    r->bit = addr->nlids == 4 ? (int)addr->lids[3] : -1;
    if (r->n == 0 || (uint64_t)r->off + r->n > c->size) return SIM_E_INVALID_ADDRESS;
    if (r->bit >= 0 && (r->bit > 7 || r->n != 1)) return SIM_E_INVALID_ADDRESS;
    return 0;
}

int16_t sim_classic_read(const sim_classic *c, const s7t_db *db, const s7p_tag_value *leaves,
                         const s7p_item_address *addr, s7p_arena *a, s7p_value *out)
{
    (void)db;
    range r;
    memset(out, 0, sizeof *out);
    int16_t rc = parse_range(c, addr, &r);
    if (rc != 0) return rc;
    uint8_t *buf = s7p_arena_alloc(a, r.n);
    s7p_blob *blob = s7p_arena_alloc(a, sizeof *blob);
    if (!buf || !blob || !read_image(c, leaves, r.off, r.n, a, buf)) return SIM_E_INVALID_LID;
    if (r.bit >= 0) {
        out->type = S7P_DT_BOOL;
        out->v.u = (buf[0] >> r.bit) & 1u;
        return 0;
    }
    blob->data.p = buf;
    blob->data.n = r.n;
    out->type = S7P_DT_BLOB;
    out->v.blob = blob;
    return 0;
}

/* New values of the leaves the range touches, decoded from the patched image; false (with
 * *rc) when one does not decode or does not fit its declaration. */
static bool decode_touched(const sim_classic *c, const s7p_tag_value *leaves, const range *r,
                           const uint8_t *bytes, s7p_arena *a, uint64_t first, uint64_t count,
                           s7p_tag_value *nv, int16_t *rc)
{
    for (uint64_t i = 0; i < count; i++) {
        uint64_t k = first + i;
        const slot *s = &c->s[k];
        uint64_t lo = s->offset, hi = (uint64_t)s->offset + s->size;
        uint64_t from = lo < r->off ? r->off : lo, to = hi < (uint64_t)r->off + r->n ? hi : (uint64_t)r->off + r->n;
        if (s->bit != NO_BIT) {
            uint8_t byte = bytes[s->offset - r->off];
            nv[i] = leaves[k];
            nv[i].v.b = ((byte >> s->bit) & 1u) != 0;
            continue;
        }
        s7p_value cur, neu;
        uint8_t *img = s7p_arena_alloc(a, s->size);
        *rc = SIM_E_INVALID_LID;
        if (!img || !leaf_wire(s, &leaves[k], a, &cur) || !wire_to_bytes(&cur, img, s->size))
            return false;
        memcpy(img + (from - lo), bytes + (from - r->off), (size_t)(to - from));
        s7p_tag tag;
        sim_value_tag(s->type, 0, &tag);
        *rc = SIM_E_INVALID_RANGE;  /* e.g. a String whose actual length passes its maximum */
        if (!bytes_to_wire(&cur, img, s->size, a, &neu) ||
            s7p_convert_read(&tag, &neu, &nv[i], NULL, 0) != S7P_OK)
            return false;
        if (!sim_value_fits(s->type, &nv[i], &leaves[k])) {
            s7p_tag_value_clear(&nv[i]);
            return false;
        }
    }
    return true;
}

int16_t sim_classic_write(const sim_classic *c, const s7t_db *db, s7p_tag_value *leaves,
                          const s7p_item_address *addr, const s7p_value *w)
{
    range r;
    int16_t rc = parse_range(c, addr, &r);
    if (rc != 0) return rc;
    if (db->read_only) return SIM_E_READ_ONLY;
    if (!w || s7p_value_is_array(w) || s7p_value_is_sparse(w)) return SIM_E_CONVERSION;
    s7p_arena a;
    s7p_arena_init(&a, SCRATCH_LIMIT + 4u * r.n);
    const uint8_t *bytes;
    uint8_t bitbyte;
    if (r.bit >= 0) {              /* a Bool: the byte it is in, with that bit changed */
        if (w->type != S7P_DT_BOOL) goto conversion;
        if (!read_image(c, leaves, r.off, 1, &a, &bitbyte)) goto nomem;
        bitbyte = (uint8_t)(w->v.u ? bitbyte | 1u << r.bit : bitbyte & ~(1u << r.bit));
        bytes = &bitbyte;
    } else {
        if (w->type != S7P_DT_BLOB || !w->v.blob) goto conversion;
        if (w->v.blob->data.n != r.n) {
            s7p_arena_release(&a);
            return SIM_E_INVALID_RANGE;
        }
        bytes = w->v.blob->data.p;
    }
    uint64_t first = first_slot(c, r.off), last = first;
    while (last < c->n && c->s[last].offset < (uint64_t)r.off + r.n) last++;
    uint64_t count = last - first;
    s7p_tag_value *nv = s7p_calloc(count ? (size_t)count : 1, sizeof *nv);
    if (!nv) goto nomem;
    if (!decode_touched(c, leaves, &r, bytes, &a, first, count, nv, &rc)) {
        for (uint64_t i = 0; i < count; i++)
            if (c->s[first + i].bit == NO_BIT) s7p_tag_value_clear(&nv[i]);
        s7p_free(nv);
        s7p_arena_release(&a);
        return rc;
    }
    for (uint64_t i = 0; i < count; i++) {
        if (c->s[first + i].bit == NO_BIT) s7p_tag_value_clear(&leaves[first + i]);
        leaves[first + i] = nv[i];
    }
    s7p_free(nv);
    s7p_arena_release(&a);
    return 0;
conversion:
    s7p_arena_release(&a);
    return SIM_E_CONVERSION;
nomem:
    s7p_arena_release(&a);
    return SIM_E_INVALID_LID;
}

/* SPDX-License-Identifier: MIT */
#include "proto/value.h"

#include <string.h>

#include "proto/vlq.h"

/* Some fields stay VLQ even in the fixed-int (system event) form: AID, Timespan, Variant,
 * string and blob lengths, struct array counts (as the reference decoder reads them). */
static bool rd_plain_u32(s7p_rd *r, uint32_t *out)
{
    bool fixed = r->fixed_ints;
    r->fixed_ints = false;
    bool ok = s7p_rd_vlq_u32(r, out);
    r->fixed_ints = fixed;
    return ok;
}

static bool rd_plain_i64(s7p_rd *r, int64_t *out)
{
    bool fixed = r->fixed_ints;
    r->fixed_ints = false;
    bool ok = s7p_rd_vlq_i64(r, out);
    r->fixed_ints = fixed;
    return ok;
}

static bool wr_plain_u32(s7p_wr *w, uint32_t v)
{
    bool fixed = w->fixed_ints;
    w->fixed_ints = false;
    bool ok = s7p_wr_vlq_u32(w, v);
    w->fixed_ints = fixed;
    return ok;
}

static bool wr_plain_i64(s7p_wr *w, int64_t v)
{
    bool fixed = w->fixed_ints;
    w->fixed_ints = false;
    bool ok = s7p_wr_vlq_i64(w, v);
    w->fixed_ints = fixed;
    return ok;
}

static void *alloc_or_fail(s7p_rd *r, s7p_arena *a, size_t count, size_t size)
{
    void *p = s7p_arena_array(a, count, size);
    if (!p) s7p_rd_fail(r, S7P_E_NOMEM);
    return p;
}

bool s7p_struct_id_is_packed(uint32_t id)
{
    /* Type-info id ranges (system types like DTL, elementary type infos); bounds exclusive. */
    return (id > 0x90000000u && id < 0x9FFFFFFFu) || (id > 0x02000000u && id < 0x02FFFFFFu);
}

static bool known_datatype(uint8_t type)
{
    return type <= S7P_DT_STRUCT || type == S7P_DT_S7STRING;
}

/* ---- payloads ------------------------------------------------------------------------ */

static bool rd_blob(s7p_rd *r, s7p_arena *a, s7p_blob **out);
static bool wr_blob(s7p_wr *w, const s7p_blob *b);

static bool rd_u8_as(s7p_rd *r, s7p_scalar *out, bool is_signed)
{
    uint8_t b;
    if (!s7p_rd_u8(r, &b)) return false;
    if (is_signed) out->i = (int8_t)b; else out->u = b;
    return true;
}

static bool rd_u16_as(s7p_rd *r, s7p_scalar *out, bool is_signed)
{
    uint16_t v;
    if (!s7p_rd_u16be(r, &v)) return false;
    if (is_signed) out->i = (int16_t)v; else out->u = v;
    return true;
}


static bool rd_var_u32(s7p_rd *r, s7p_scalar *out, bool plain)
{
    uint32_t v;
    if (!(plain ? rd_plain_u32(r, &v) : s7p_rd_vlq_u32(r, &v))) return false;
    out->u = v;
    return true;
}

static bool rd_wstring(s7p_rd *r, s7p_scalar *out)
{
    uint32_t len;
    return rd_plain_u32(r, &len) && s7p_rd_bytes(r, len, &out->s);
}

static bool rd_real(s7p_rd *r, s7p_scalar *out, bool is_double)
{
    if (is_double) {
        uint64_t bits;
        if (!s7p_rd_u64be(r, &bits)) return false;
        memcpy(&out->lr, &bits, sizeof bits);
    } else {
        uint32_t bits;
        if (!s7p_rd_u32be(r, &bits)) return false;
        memcpy(&out->r, &bits, sizeof bits);
    }
    return true;
}

/* Signed VLQ of a DInt/LInt; the long form is accepted only where it can be kept. */
static bool rd_signed(s7p_rd *r, bool wide, s7p_scalar *out, bool *long_form)
{
    bool lf;
    if (wide) {
        if (!s7p_rd_vlq_i64_form(r, &out->i, &lf)) return false;
    } else {
        int32_t i32;
        if (!s7p_rd_vlq_i32_form(r, &i32, &lf)) return false;
        out->i = i32;
    }
    if (lf && !long_form) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    if (long_form) *long_form = lf;
    return true;
}

/* The payload of one element of `type` (no header). Struct is handled by the caller.
 * long_form: where a scalar keeps the long VLQ form of DInt/LInt; NULL refuses it. */
static bool rd_payload(s7p_rd *r, s7p_arena *a, uint8_t type, s7p_scalar *out, bool *long_form)
{
    uint32_t u32;
    switch (type) {
    case S7P_DT_NULL: return true;
    case S7P_DT_BOOL: case S7P_DT_USINT: case S7P_DT_BYTE: return rd_u8_as(r, out, false);
    case S7P_DT_SINT: return rd_u8_as(r, out, true);
    case S7P_DT_UINT: case S7P_DT_WORD: return rd_u16_as(r, out, false);
    case S7P_DT_INT: return rd_u16_as(r, out, true);
    case S7P_DT_UDINT: return rd_var_u32(r, out, false);
    case S7P_DT_AID: case S7P_DT_S7STRING: return rd_var_u32(r, out, true);
    case S7P_DT_ULINT: return s7p_rd_vlq_u64(r, &out->u);
    case S7P_DT_DINT: return rd_signed(r, false, out, long_form);
    case S7P_DT_LINT: return rd_signed(r, true, out, long_form);
    case S7P_DT_TIMESPAN: return rd_plain_i64(r, &out->i);
    case S7P_DT_DWORD: case S7P_DT_RID:
        if (!s7p_rd_u32be(r, &u32)) return false;
        out->u = u32;
        return true;
    case S7P_DT_LWORD: case S7P_DT_TIMESTAMP: return s7p_rd_u64be(r, &out->u);
    case S7P_DT_REAL: return rd_real(r, out, false);
    case S7P_DT_LREAL: return rd_real(r, out, true);
    case S7P_DT_WSTRING: return rd_wstring(r, out);
    case S7P_DT_BLOB: return rd_blob(r, a, &out->blob);
    default: return s7p_rd_fail(r, S7P_E_PROTOCOL);  /* unknown datatype id */
    }
}

static bool wr_real(s7p_wr *w, const s7p_scalar *v, bool is_double)
{
    if (is_double) {
        uint64_t bits;
        memcpy(&bits, &v->lr, sizeof bits);
        return s7p_wr_u64be(w, bits);
    }
    uint32_t bits;
    memcpy(&bits, &v->r, sizeof bits);
    return s7p_wr_u32be(w, bits);
}

static bool wr_payload(s7p_wr *w, uint8_t type, const s7p_scalar *v, bool long_form)
{
    switch (type) {
    case S7P_DT_NULL: return true;
    case S7P_DT_BOOL: case S7P_DT_USINT: case S7P_DT_BYTE: return s7p_wr_u8(w, (uint8_t)v->u);
    case S7P_DT_SINT: return s7p_wr_u8(w, (uint8_t)v->i);
    case S7P_DT_UINT: case S7P_DT_WORD: return s7p_wr_u16be(w, (uint16_t)v->u);
    case S7P_DT_INT: return s7p_wr_u16be(w, (uint16_t)v->i);
    case S7P_DT_UDINT: return s7p_wr_vlq_u32(w, (uint32_t)v->u);
    case S7P_DT_AID: case S7P_DT_S7STRING:
        return wr_plain_u32(w, (uint32_t)v->u);
    case S7P_DT_ULINT: return s7p_wr_vlq_u64(w, v->u);
    case S7P_DT_DINT:
        return long_form ? s7p_wr_vlq_i32_long(w, (int32_t)v->i) : s7p_wr_vlq_i32(w, (int32_t)v->i);
    case S7P_DT_LINT: return long_form ? s7p_wr_vlq_i64_long(w, v->i) : s7p_wr_vlq_i64(w, v->i);
    case S7P_DT_TIMESPAN: return wr_plain_i64(w, v->i);
    case S7P_DT_DWORD: case S7P_DT_RID: return s7p_wr_u32be(w, (uint32_t)v->u);
    case S7P_DT_LWORD: case S7P_DT_TIMESTAMP: return s7p_wr_u64be(w, v->u);
    case S7P_DT_REAL: return wr_real(w, v, false);
    case S7P_DT_LREAL: return wr_real(w, v, true);
    case S7P_DT_WSTRING:
        if (v->s.n > UINT32_MAX) return s7p_wr_fail(w, S7P_E_LIMIT);
        return wr_plain_u32(w, (uint32_t)v->s.n) && s7p_wr_bytes(w, v->s.p, v->s.n);
    case S7P_DT_BLOB: return v->blob ? wr_blob(w, v->blob) : s7p_wr_fail(w, S7P_E_INVALID_ARG);
    default: return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    }
}

/* ---- blob ------------------------------------------------------------------------------ */

static bool rd_blob(s7p_rd *r, s7p_arena *a, s7p_blob **out)
{
    uint32_t size;
    s7p_blob *b = alloc_or_fail(r, a, 1, sizeof *b);
    *out = b;
    if (!b || !rd_plain_u32(r, &b->root_id)) return false;
    if (b->root_id <= 1) return rd_plain_u32(r, &size) && s7p_rd_bytes(r, size, &b->data);
    /* Extended form: 8 reserved bytes and a blob type. */
    s7p_bytes reserved;
    if (!s7p_rd_bytes(r, sizeof b->reserved, &reserved) || !s7p_rd_u8(r, &b->blob_type))
        return false;
    memcpy(b->reserved, reserved.p, sizeof b->reserved);
    if (b->blob_type == 0) return s7p_idlist_decode(r, a, &b->list);
    if (b->blob_type == 2 || b->blob_type == 3)
        return rd_plain_u32(r, &size) && s7p_rd_bytes(r, size, &b->data);
    return s7p_rd_fail(r, S7P_E_UNSUPPORTED);
}

static bool wr_blob(s7p_wr *w, const s7p_blob *b)
{
    if (b->data.n > UINT32_MAX) return s7p_wr_fail(w, S7P_E_LIMIT);
    if (!wr_plain_u32(w, b->root_id)) return false;
    if (b->root_id > 1) {
        if (!s7p_wr_bytes(w, b->reserved, sizeof b->reserved) || !s7p_wr_u8(w, b->blob_type))
            return false;
        if (b->blob_type == 0) return s7p_idlist_encode(w, &b->list);
        if (b->blob_type != 2 && b->blob_type != 3) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    }
    return wr_plain_u32(w, (uint32_t)b->data.n) && s7p_wr_bytes(w, b->data.p, b->data.n);
}

/* ---- struct ---------------------------------------------------------------------------- */

static bool rd_struct_lists(s7p_rd *r, s7p_arena *a, s7p_struct *st)
{
    if (!rd_plain_u32(r, &st->nlists) || !s7p_rd_check_count(r, st->nlists, 1)) return false;
    st->lists = alloc_or_fail(r, a, st->nlists, sizeof *st->lists);
    if (!st->lists && st->nlists) return false;
    for (uint32_t i = 0; i < st->nlists; i++)
        if (!s7p_idlist_decode(r, a, &st->lists[i])) return false;
    return true;
}

static bool rd_packed(s7p_rd *r, s7p_struct *st)
{
    if (!s7p_rd_u64be(r, &st->iface_timestamp) || !rd_plain_u32(r, &st->transport_flags) ||
        !rd_plain_u32(r, &st->count))
        return false;
    uint32_t len = st->count;
    if (st->transport_flags & 0x400u) {
        if (!rd_plain_u32(r, &st->count2)) return false;
        len = st->count2;
    }
    return s7p_rd_bytes(r, len, &st->data);
}

static bool rd_struct(s7p_rd *r, s7p_arena *a, uint8_t flags, s7p_struct **out)
{
    s7p_struct *st = alloc_or_fail(r, a, 1, sizeof *st);
    *out = st;
    if (!st || !s7p_rd_u32be(r, &st->id)) return false;
    if (flags & S7P_VF_ADDRESS_ARRAY) return rd_struct_lists(r, a, st);
    if (s7p_struct_id_is_packed(st->id)) return rd_packed(r, st);
    return s7p_idlist_decode(r, a, &st->members);
}

static bool wr_struct(s7p_wr *w, uint8_t flags, const s7p_struct *st)
{
    if (!st) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    if (!s7p_wr_u32be(w, st->id)) return false;
    if (flags & S7P_VF_ADDRESS_ARRAY) {
        if (!wr_plain_u32(w, st->nlists)) return false;
        for (uint32_t i = 0; i < st->nlists; i++)
            if (!s7p_idlist_encode(w, &st->lists[i])) return false;
        return true;
    }
    if (s7p_struct_id_is_packed(st->id)) {
        bool two = (st->transport_flags & 0x400u) != 0;
        if (st->data.n != (two ? st->count2 : st->count)) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        return s7p_wr_u64be(w, st->iface_timestamp) && wr_plain_u32(w, st->transport_flags) &&
               wr_plain_u32(w, st->count) && (!two || wr_plain_u32(w, st->count2)) &&
               s7p_wr_bytes(w, st->data.p, st->data.n);
    }
    return s7p_idlist_encode(w, &st->members);
}

/* ---- arrays ---------------------------------------------------------------------------- */

/* A Variant inside an (address) array carries its own flags and datatype per element. */
static bool rd_variant_elem(s7p_rd *r, s7p_arena *a, s7p_scalar *out)
{
    s7p_value *v = alloc_or_fail(r, a, 1, sizeof *v);
    out->var = v;
    if (!v || !s7p_rd_u8(r, &v->flags) || !s7p_rd_u8(r, &v->type)) return false;
    if (v->type == S7P_DT_STRUCT) return s7p_rd_fail(r, S7P_E_UNSUPPORTED);
    /* An inner array would have a length nobody can tell: the reference decoder reads a
     * scalar whatever the flags say, so such bytes cannot mean what they claim. */
    if (v->flags & (S7P_VF_ARRAY | S7P_VF_ADDRESS_ARRAY | S7P_VF_SPARSE))
        return s7p_rd_fail(r, S7P_E_UNSUPPORTED);
    return rd_payload(r, a, v->type, &v->v, &v->vlq_long);
}

static bool wr_variant_elem(s7p_wr *w, const s7p_scalar *e)
{
    const s7p_value *v = e->var;
    if (!v || v->type == S7P_DT_STRUCT ||
        (v->flags & (S7P_VF_ARRAY | S7P_VF_ADDRESS_ARRAY | S7P_VF_SPARSE)))
        return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    return s7p_wr_u8(w, v->flags) && s7p_wr_u8(w, v->type) &&
           wr_payload(w, v->type, &v->v, v->vlq_long);
}

static bool rd_array(s7p_rd *r, s7p_arena *a, s7p_value *out)
{
    bool variant = out->type == S7P_DT_VARIANT;
    size_t min = variant ? 2 : (out->type == S7P_DT_NULL ? 0 : 1);
    if (!s7p_rd_vlq_u32(r, &out->count) || !s7p_rd_check_count(r, out->count, min)) return false;
    if (s7p_datatype_is_bytewise(out->type)) return s7p_rd_bytes(r, out->count, &out->v.s);
    if (out->type == S7P_DT_NULL) return true;
    out->elems = alloc_or_fail(r, a, out->count, sizeof *out->elems);
    if (!out->elems && out->count) return false;
    for (uint32_t i = 0; i < out->count; i++) {
        bool ok = variant ? rd_variant_elem(r, a, &out->elems[i])
                          : rd_payload(r, a, out->type, &out->elems[i], NULL);
        if (!ok) return false;
    }
    return true;
}

static bool wr_array(s7p_wr *w, const s7p_value *v)
{
    if (!s7p_wr_vlq_u32(w, v->count)) return false;
    if (s7p_datatype_is_bytewise(v->type)) {
        if (v->v.s.n != v->count) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        return s7p_wr_bytes(w, v->v.s.p, v->v.s.n);
    }
    if (v->type == S7P_DT_NULL) return true;
    if (!v->elems && v->count) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    for (uint32_t i = 0; i < v->count; i++) {
        bool ok = v->type == S7P_DT_VARIANT ? wr_variant_elem(w, &v->elems[i])
                                            : wr_payload(w, v->type, &v->elems[i], false);
        if (!ok) return false;
    }
    return true;
}

/* Grows the sparse arrays by doubling; the arena keeps the old copies until released. */
static bool sparse_grow(s7p_rd *r, s7p_arena *a, s7p_value *out, uint32_t *cap)
{
    uint32_t ncap = *cap ? *cap * 2 : 8;
    if (ncap > S7P_MAX_ITEMS) return s7p_rd_fail(r, S7P_E_LIMIT);
    uint32_t *keys = alloc_or_fail(r, a, ncap, sizeof *keys);
    s7p_scalar *elems = alloc_or_fail(r, a, ncap, sizeof *elems);
    if (!keys || !elems) return false;
    if (out->count) {
        memcpy(keys, out->keys, out->count * sizeof *keys);
        memcpy(elems, out->elems, out->count * sizeof *elems);
    }
    out->keys = keys;
    out->elems = elems;
    *cap = ncap;
    return true;
}

static bool rd_sparse(s7p_rd *r, s7p_arena *a, s7p_value *out)
{
    uint32_t cap = 0, key;
    if (out->type == S7P_DT_STRUCT) return s7p_rd_fail(r, S7P_E_UNSUPPORTED);
    for (;;) {
        if (!s7p_rd_vlq_u32(r, &key)) return false;
        if (key == 0) return true;
        if (out->count == cap && !sparse_grow(r, a, out, &cap)) return false;
        out->keys[out->count] = key;
        /* In a sparse array a Variant element is a plain VLQ, not a typed value. */
        bool ok = out->type == S7P_DT_VARIANT
                      ? rd_var_u32(r, &out->elems[out->count], true)
                      : rd_payload(r, a, out->type, &out->elems[out->count], NULL);
        if (!ok) return false;
        out->count++;
    }
}

static bool wr_sparse(s7p_wr *w, const s7p_value *v)
{
    if (v->type == S7P_DT_STRUCT || (v->count && (!v->keys || !v->elems)))
        return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    for (uint32_t i = 0; i < v->count; i++) {
        if (v->keys[i] == 0) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        if (!s7p_wr_vlq_u32(w, v->keys[i])) return false;
        bool ok = v->type == S7P_DT_VARIANT ? wr_plain_u32(w, (uint32_t)v->elems[i].u)
                                            : wr_payload(w, v->type, &v->elems[i], false);
        if (!ok) return false;
    }
    return s7p_wr_vlq_u32(w, 0);
}

/* ---- value ----------------------------------------------------------------------------- */

static bool rd_header(s7p_rd *r, s7p_value *out)
{
    if (!r->fixed_ints) return s7p_rd_u8(r, &out->flags) && s7p_rd_u8(r, &out->type);
    /* Fixed-int form: 16-bit flags word and 16-bit datatype word. */
    uint16_t flags, type;
    if (!s7p_rd_u16be(r, &flags) || !s7p_rd_u16be(r, &type)) return false;
    if (flags > 0xFF || type > 0xFF) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    out->flags = (uint8_t)flags;
    out->type = (uint8_t)type;
    return true;
}

bool s7p_value_decode(s7p_rd *r, s7p_arena *a, s7p_value *out)
{
    memset(out, 0, sizeof *out);
    if (!rd_header(r, out)) return false;
    if (!known_datatype(out->type)) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    if (!s7p_rd_enter(r)) return false;
    bool ok;
    if (s7p_value_is_sparse(out))
        ok = rd_sparse(r, a, out);
    else if (out->type == S7P_DT_STRUCT)
        ok = rd_struct(r, a, out->flags, &out->v.st);
    else if (s7p_value_is_array(out))
        ok = rd_array(r, a, out);
    else if (out->type == S7P_DT_VARIANT)
        ok = rd_variant_elem(r, a, &out->v);
    else
        ok = rd_payload(r, a, out->type, &out->v, &out->vlq_long);
    s7p_rd_leave(r);
    return ok && r->err == S7P_OK;
}

bool s7p_value_encode(s7p_wr *w, const s7p_value *v)
{
    bool ok = w->fixed_ints ? s7p_wr_u16be(w, v->flags) && s7p_wr_u16be(w, v->type)
                            : s7p_wr_u8(w, v->flags) && s7p_wr_u8(w, v->type);
    if (!ok) return false;
    if (s7p_value_is_sparse(v)) return wr_sparse(w, v);
    if (v->type == S7P_DT_STRUCT) return wr_struct(w, v->flags, v->v.st);
    if (s7p_value_is_array(v)) return wr_array(w, v);
    if (v->type == S7P_DT_VARIANT) return wr_variant_elem(w, &v->v);
    return wr_payload(w, v->type, &v->v, v->vlq_long);
}

/* ---- id/value lists -------------------------------------------------------------------- */

s7p_value *s7p_idlist_add(s7p_idlist *l, s7p_arena *a, uint32_t id)
{
    /* Every field set here rather than the block zeroed through the arena first: the
     * decoder adds a member per value of an answer. */
    s7p_member *m = s7p_arena_take(a, sizeof *m);
    if (!m) return NULL;
    m->id = id;
    m->next = NULL;
    memset(&m->value, 0, sizeof m->value);
    if (l->last) l->last->next = m; else l->first = m;
    l->last = m;
    l->n++;
    return &m->value;
}

const s7p_value *s7p_idlist_find(const s7p_idlist *l, uint32_t id)
{
    for (const s7p_member *m = l->first; m; m = m->next)
        if (m->id == id) return &m->value;
    return NULL;
}

static bool rd_member_id(s7p_rd *r, uint32_t *id)
{
    return r->u32_ids ? s7p_rd_u32be(r, id) : s7p_rd_vlq_u32(r, id);
}

static bool wr_member_id(s7p_wr *w, uint32_t id)
{
    return w->u32_ids ? s7p_wr_u32be(w, id) : s7p_wr_vlq_u32(w, id);
}

/* A struct address array ends the list it stands in: no terminator follows it (this is how
 * the reference decoder reads it; see docs/protocol.md §1.3). */
static bool ends_list(const s7p_value *v)
{
    return v->type == S7P_DT_STRUCT && (v->flags & S7P_VF_ADDRESS_ARRAY) &&
           !(v->flags & S7P_VF_SPARSE);
}

bool s7p_idlist_decode(s7p_rd *r, s7p_arena *a, s7p_idlist *out)
{
    uint32_t id;
    memset(out, 0, sizeof *out);
    if (!s7p_rd_enter(r)) return false;
    while (rd_member_id(r, &id) && id != 0) {
        s7p_value *v = s7p_idlist_add(out, a, id);
        if (!v) {
            s7p_rd_fail(r, S7P_E_NOMEM);
            break;
        }
        if (!s7p_value_decode(r, a, v)) break;
        if (ends_list(v)) break;
    }
    s7p_rd_leave(r);
    return r->err == S7P_OK;
}

bool s7p_idlist_encode(s7p_wr *w, const s7p_idlist *l)
{
    for (const s7p_member *m = l->first; m; m = m->next) {
        if (m->id == 0) return s7p_wr_fail(w, S7P_E_INVALID_ARG);
        if (!wr_member_id(w, m->id) || !s7p_value_encode(w, &m->value)) return false;
        if (ends_list(&m->value)) return m->next ? s7p_wr_fail(w, S7P_E_INVALID_ARG) : true;
    }
    return wr_member_id(w, 0);
}

uint64_t s7p_value_elem_u64(const s7p_value *v, uint32_t i)
{
    if (i >= v->count) return 0;
    if (!s7p_value_is_sparse(v) && s7p_datatype_is_bytewise(v->type)) {
        uint8_t b = v->v.s.p[i];
        return v->type == S7P_DT_SINT ? (uint64_t)(int64_t)(int8_t)b : b;
    }
    return v->elems ? v->elems[i].u : 0;
}

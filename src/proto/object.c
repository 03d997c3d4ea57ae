/* SPDX-License-Identifier: MIT */
#include "proto/object.h"

#include <string.h>

#include "proto/vlq.h"

static s7p_obj_elem *add_elem(s7p_object *o, s7p_arena *a, uint8_t tag)
{
    s7p_obj_elem *e = s7p_arena_alloc(a, sizeof *e);
    if (!e) return NULL;
    e->tag = tag;
    if (o->last) o->last->next = e; else o->first = e;
    o->last = e;
    o->nelems++;
    return e;
}

static bool rd_header(s7p_rd *r, s7p_object *o)
{
    s7p_rd_u32be(r, &o->rel_id);
    s7p_rd_vlq_u32(r, &o->class_id);
    s7p_rd_vlq_u32(r, &o->class_flags);
    s7p_rd_vlq_u32(r, &o->attr_id);
    if (o->attr_id != 0) s7p_rd_vlq_u32(r, &o->attr_id_flags);
    return r->err == S7P_OK;
}

/* Decodes the body of one element whose tag was already read. */
static bool rd_elem(s7p_rd *r, s7p_arena *a, s7p_obj_elem *e)
{
    switch (e->tag) {
    case S7P_EL_ATTRIBUTE:
        return s7p_rd_vlq_u32(r, &e->u.attr.id) && s7p_value_decode(r, a, &e->u.attr.value);
    case S7P_EL_RELATION:
        return s7p_rd_vlq_u32(r, &e->u.rel.id) && s7p_rd_u32be(r, &e->u.rel.target);
    case S7P_EL_VARTYPE_LIST:
        e->u.vartypes = s7p_arena_alloc(a, sizeof *e->u.vartypes);
        if (!e->u.vartypes) return s7p_rd_fail(r, S7P_E_NOMEM);
        return s7p_vartype_list_decode(r, a, e->u.vartypes);
    case S7P_EL_VARNAME_LIST:
        e->u.varnames = s7p_arena_alloc(a, sizeof *e->u.varnames);
        if (!e->u.varnames) return s7p_rd_fail(r, S7P_E_NOMEM);
        return s7p_varname_list_decode(r, a, e->u.varnames);
    case S7P_EL_START_TAGDESC:
        e->u.tagdesc = s7p_arena_alloc(a, sizeof *e->u.tagdesc);
        if (!e->u.tagdesc) return s7p_rd_fail(r, S7P_E_NOMEM);
        return s7p_tagdesc_decode(r, e->u.tagdesc);
    case S7P_EL_END_TAGDESC:
        return true;
    default:
        return s7p_rd_fail(r, S7P_E_PROTOCOL);  /* not an element tag */
    }
}

static bool rd_elems(s7p_rd *r, s7p_arena *a, s7p_object *o)
{
    uint8_t tag;
    for (;;) {
        if (!s7p_rd_peek_u8(r, &tag)) return s7p_rd_fail(r, S7P_E_PROTOCOL);  /* no A2 */
        if (tag == S7P_EL_END_OBJECT) {
            r->p++;
            return true;
        }
        s7p_obj_elem *e = add_elem(o, a, tag);
        if (!e) return s7p_rd_fail(r, S7P_E_NOMEM);
        if (tag == S7P_EL_START_OBJECT) {
            if (!s7p_object_decode(r, a, &e->u.child)) return false;
            continue;
        }
        r->p++;
        if (!rd_elem(r, a, e)) return false;
    }
}

bool s7p_object_decode(s7p_rd *r, s7p_arena *a, s7p_object **out)
{
    uint8_t tag;
    *out = NULL;
    if (!s7p_rd_u8(r, &tag)) return false;
    if (tag != S7P_EL_START_OBJECT) return s7p_rd_fail(r, S7P_E_PROTOCOL);
    if (!s7p_rd_enter(r)) return false;
    s7p_object *o = s7p_arena_alloc(a, sizeof *o);
    if (!o) return s7p_rd_fail(r, S7P_E_NOMEM);
    *out = o;
    bool ok = rd_header(r, o) && rd_elems(r, a, o);
    s7p_rd_leave(r);
    return ok;
}

static bool wr_elem(s7p_wr *w, const s7p_obj_elem *e)
{
    if (e->tag == S7P_EL_START_OBJECT)
        return e->u.child ? s7p_object_encode(w, e->u.child) : s7p_wr_fail(w, S7P_E_INVALID_ARG);
    if (!s7p_wr_u8(w, e->tag)) return false;
    switch (e->tag) {
    case S7P_EL_ATTRIBUTE:
        return s7p_wr_vlq_u32(w, e->u.attr.id) && s7p_value_encode(w, &e->u.attr.value);
    case S7P_EL_RELATION:
        return s7p_wr_vlq_u32(w, e->u.rel.id) && s7p_wr_u32be(w, e->u.rel.target);
    case S7P_EL_VARTYPE_LIST: return s7p_vartype_list_encode(w, e->u.vartypes);
    case S7P_EL_VARNAME_LIST: return s7p_varname_list_encode(w, e->u.varnames);
    case S7P_EL_START_TAGDESC: return s7p_tagdesc_encode(w, e->u.tagdesc);
    case S7P_EL_END_TAGDESC: return true;
    default: return s7p_wr_fail(w, S7P_E_INVALID_ARG);
    }
}

bool s7p_object_encode(s7p_wr *w, const s7p_object *o)
{
    s7p_wr_u8(w, S7P_EL_START_OBJECT);
    s7p_wr_u32be(w, o->rel_id);
    s7p_wr_vlq_u32(w, o->class_id);
    s7p_wr_vlq_u32(w, o->class_flags);
    s7p_wr_vlq_u32(w, o->attr_id);
    if (o->attr_id != 0) s7p_wr_vlq_u32(w, o->attr_id_flags);
    for (const s7p_obj_elem *e = o->first; e && w->err == S7P_OK; e = e->next) wr_elem(w, e);
    s7p_wr_u8(w, S7P_EL_END_OBJECT);
    return w->err == S7P_OK;
}

bool s7p_object_list_decode(s7p_rd *r, s7p_arena *a, s7p_object_list *out)
{
    uint8_t tag;
    uint32_t cap = 0;
    memset(out, 0, sizeof *out);
    while (s7p_rd_peek_u8(r, &tag) && tag == S7P_EL_START_OBJECT) {
        if (out->n == cap) {
            uint32_t ncap = cap ? cap * 2 : 8;
            s7p_object **items = s7p_arena_array(a, ncap, sizeof *items);
            if (!items) return s7p_rd_fail(r, S7P_E_NOMEM);
            if (out->n) memcpy(items, out->items, out->n * sizeof *items);
            out->items = items;
            cap = ncap;
        }
        if (!s7p_object_decode(r, a, &out->items[out->n])) return false;
        out->n++;
    }
    return r->err == S7P_OK;
}

bool s7p_object_list_encode(s7p_wr *w, const s7p_object_list *l)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (!s7p_object_encode(w, l->items[i])) return false;
    return w->err == S7P_OK;
}

s7p_object *s7p_object_new(s7p_arena *a, uint32_t rel_id, uint32_t class_id)
{
    s7p_object *o = s7p_arena_alloc(a, sizeof *o);
    if (o) {
        o->rel_id = rel_id;
        o->class_id = class_id;
    }
    return o;
}

s7p_value *s7p_object_add_attr(s7p_object *o, s7p_arena *a, uint32_t id)
{
    s7p_obj_elem *e = add_elem(o, a, S7P_EL_ATTRIBUTE);
    if (!e) return NULL;
    e->u.attr.id = id;
    return &e->u.attr.value;
}

bool s7p_object_add_child(s7p_object *o, s7p_arena *a, s7p_object *child)
{
    s7p_obj_elem *e = add_elem(o, a, S7P_EL_START_OBJECT);
    if (!e) return false;
    e->u.child = child;
    return true;
}

bool s7p_object_add_relation(s7p_object *o, s7p_arena *a, uint32_t id, uint32_t target)
{
    s7p_obj_elem *e = add_elem(o, a, S7P_EL_RELATION);
    if (!e) return false;
    e->u.rel.id = id;
    e->u.rel.target = target;
    return true;
}

const s7p_value *s7p_object_attr(const s7p_object *o, uint32_t id)
{
    for (const s7p_obj_elem *e = o->first; e; e = e->next)
        if (e->tag == S7P_EL_ATTRIBUTE && e->u.attr.id == id) return &e->u.attr.value;
    return NULL;
}

const s7p_vartype_list *s7p_object_vartypes(const s7p_object *o)
{
    for (const s7p_obj_elem *e = o->first; e; e = e->next)
        if (e->tag == S7P_EL_VARTYPE_LIST) return e->u.vartypes;
    return NULL;
}

const s7p_varname_list *s7p_object_varnames(const s7p_object *o)
{
    for (const s7p_obj_elem *e = o->first; e; e = e->next)
        if (e->tag == S7P_EL_VARNAME_LIST) return e->u.varnames;
    return NULL;
}

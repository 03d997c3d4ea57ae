/* SPDX-License-Identifier: MIT */
/* Readable text of decoded S7CommPlus messages. See render.h. */
#include "decode/render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/idnames.h"
#include "util/alloc.h"
#include "util/utf8.h"

#define MAX_ARRAY_SHOWN 16u   /* array elements printed before "..." */
#define MAX_HEX_SHOWN 48u     /* blob bytes printed before "..." */
#define MAX_DEPTH 24          /* nested structs/objects printed; deeper ones are elided */

static void indent(s7p_strbuf *b, int depth)
{
    s7p_strbuf_puts(b, "\n");
    for (int i = 0; i < depth; i++)
        s7p_strbuf_puts(b, "  ");
}

void s7p_render_hex(s7p_strbuf *b, const uint8_t *p, size_t n, size_t max)
{
    static const char digits[] = "0123456789abcdef";
    size_t shown = n < max ? n : max;
    for (size_t i = 0; i < shown; i++) {
        char h[3] = {digits[p[i] >> 4], digits[p[i] & 15u], '\0'};
        s7p_strbuf_put(b, h, 2);
    }
    if (shown < n)
        s7p_strbuf_printf(b, "... (%zu bytes)", n);
}

/* Text in quotes; control characters and quotes escaped so that a line stays one line. */
static void quoted(s7p_strbuf *b, const uint8_t *p, size_t n)
{
    s7p_strbuf_puts(b, "\"");
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = p[i] >= 0x80 ? s7p_utf8_next((const char *)p + i, n - i, &cp) : 1;
        if (p[i] < 0x20 || p[i] == '"' || p[i] == '\\' || k == 0) {
            s7p_strbuf_printf(b, "\\x%02x", p[i]);   /* also bytes that are not UTF-8 */
            k = 1;
        } else {
            s7p_strbuf_put(b, (const char *)p + i, k);
        }
        i += k;
    }
    s7p_strbuf_puts(b, "\"");
}

static void render_value_depth(s7p_strbuf *b, const s7p_value *v, int depth);

/* The shortest of `digits` or `max` significant digits that reads back as the same value. */
static void render_float(s7p_strbuf *b, double v, int digits, int max)
{
    char t[40];
    snprintf(t, sizeof t, "%.*g", digits, v);
    if (strtod(t, NULL) != v) snprintf(t, sizeof t, "%.*g", max, v);
    s7p_strbuf_puts(b, t);
}

static void render_idlist(s7p_strbuf *b, const s7p_idlist *l, int depth)
{
    s7p_strbuf_puts(b, "{");
    for (const s7p_member *m = l->first; m; m = m->next) {
        s7p_strbuf_printf(b, "%s%" PRIu32 "=", m == l->first ? "" : ", ", m->id);
        render_value_depth(b, &m->value, depth + 1);
    }
    s7p_strbuf_puts(b, "}");
}

static void render_struct(s7p_strbuf *b, const s7p_struct *st, int depth)
{
    s7p_strbuf_printf(b, "Struct %" PRIu32, st->id);
    if (depth > MAX_DEPTH) {
        s7p_strbuf_puts(b, " {...}");
        return;
    }
    if (st->data.p) {
        s7p_strbuf_puts(b, " packed ");
        s7p_render_hex(b, st->data.p, st->data.n, MAX_HEX_SHOWN);
        return;
    }
    if (st->nlists) {
        for (uint32_t i = 0; i < st->nlists; i++) {
            s7p_strbuf_puts(b, i ? ", " : " [");
            render_idlist(b, &st->lists[i], depth);
        }
        s7p_strbuf_puts(b, "]");
        return;
    }
    s7p_strbuf_puts(b, " ");
    render_idlist(b, &st->members, depth);
}

static void render_blob(s7p_strbuf *b, const s7p_blob *bl, int depth)
{
    s7p_strbuf_printf(b, "Blob(root %" PRIu32 ") ", bl->root_id);
    if (bl->root_id > 1 && bl->blob_type == 0)
        render_idlist(b, &bl->list, depth);
    else
        s7p_render_hex(b, bl->data.p, bl->data.n, MAX_HEX_SHOWN);
}

/* One scalar of a datatype: the union member the codec fills for that type. */
static void render_scalar(s7p_strbuf *b, uint8_t type, const s7p_scalar *s, int depth)
{
    switch (type) {
    case S7P_DT_NULL: s7p_strbuf_puts(b, "Null"); break;
    case S7P_DT_BOOL: s7p_strbuf_puts(b, s->u ? "true" : "false"); break;
    case S7P_DT_USINT: case S7P_DT_UINT: case S7P_DT_UDINT: case S7P_DT_ULINT:
    case S7P_DT_RID: case S7P_DT_AID: case S7P_DT_TIMESTAMP: case S7P_DT_S7STRING:
        s7p_strbuf_printf(b, "%" PRIu64, s->u);
        break;
    case S7P_DT_BYTE: case S7P_DT_WORD: case S7P_DT_DWORD: case S7P_DT_LWORD:
        s7p_strbuf_printf(b, "16#%" PRIX64, s->u);
        break;
    case S7P_DT_SINT: case S7P_DT_INT: case S7P_DT_DINT: case S7P_DT_LINT: case S7P_DT_TIMESPAN:
        s7p_strbuf_printf(b, "%" PRId64, s->i);
        break;
    case S7P_DT_REAL: render_float(b, (double)s->r, 6, 9); break;
    case S7P_DT_LREAL: render_float(b, s->lr, 15, 17); break;
    case S7P_DT_WSTRING: quoted(b, s->s.p, s->s.n); break;
    case S7P_DT_BLOB:
        if (s->blob) render_blob(b, s->blob, depth);
        break;
    case S7P_DT_STRUCT:
        if (s->st) render_struct(b, s->st, depth);
        break;
    case S7P_DT_VARIANT:
        if (s->var) render_value_depth(b, s->var, depth + 1);
        else s7p_strbuf_printf(b, "%" PRIu64, s->u);
        break;
    default: s7p_strbuf_printf(b, "<type 0x%02x>", type); break;
    }
}

static const char *type_word(uint8_t type)
{
    static const char *const names[] = {
        "Null", "Bool", "USInt", "UInt", "UDInt", "ULInt", "SInt", "Int", "DInt", "LInt",
        "Byte", "Word", "DWord", "LWord", "Real", "LReal", "Timestamp", "Timespan", "RID",
        "AID", "Blob", "WString", "Variant", "Struct", "?", "S7String"};
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

/* Elements of an array of one-byte type live in v.s; other arrays in elems. */
static void render_array(s7p_strbuf *b, const s7p_value *v, int depth)
{
    bool sparse = s7p_value_is_sparse(v);
    s7p_strbuf_puts(b, "[");
    uint32_t shown = v->count < MAX_ARRAY_SHOWN ? v->count : MAX_ARRAY_SHOWN;
    for (uint32_t i = 0; i < shown; i++) {
        if (i) s7p_strbuf_puts(b, ", ");
        if (sparse && v->keys) s7p_strbuf_printf(b, "%" PRIu32 ": ", v->keys[i]);
        if (v->elems) {
            render_scalar(b, v->type, &v->elems[i], depth);
        } else {
            s7p_scalar s = {.u = s7p_value_elem_u64(v, i)};
            if (v->type == S7P_DT_SINT) s.i = (int8_t)(uint8_t)s.u;
            render_scalar(b, v->type, &s, depth);
        }
    }
    s7p_strbuf_puts(b, v->count > shown ? ", ...]" : "]");
}

static bool is_array(const s7p_value *v) { return s7p_value_is_array(v) || s7p_value_is_sparse(v); }

/* The type part of a value's text ("DInt ", "Array of 3 UInt "); structs, blobs, variants
 * and Null name themselves in the rest. */
static void value_head(s7p_strbuf *b, const s7p_value *v)
{
    if (is_array(v))
        s7p_strbuf_printf(b, "%s of %" PRIu32 " %s ",
                          s7p_value_is_sparse(v) ? "Sparse array" : "Array", v->count,
                          type_word(v->type));
    else if (v->type != S7P_DT_STRUCT && v->type != S7P_DT_NULL && v->type != S7P_DT_VARIANT &&
             v->type != S7P_DT_BLOB)
        s7p_strbuf_printf(b, "%s ", type_word(v->type));
}

static void value_tail(s7p_strbuf *b, const s7p_value *v, int depth)
{
    if (is_array(v)) render_array(b, v, depth);
    else render_scalar(b, v->type, &v->v, depth);
}

static void render_value_depth(s7p_strbuf *b, const s7p_value *v, int depth)
{
    if (depth > MAX_DEPTH) {
        s7p_strbuf_puts(b, "...");
        return;
    }
    value_head(b, v);
    value_tail(b, v, depth);
}

void s7p_render_value(s7p_strbuf *b, const s7p_value *v) { render_value_depth(b, v, 0); }

/* ---- fields ----------------------------------------------------------------------------- */

/* A new field, valid until the next one is made; NULL when out of memory (the text goes on). */
static s7p_render_field *field_new(s7p_render *r, s7p_decoded_field_kind kind, uint32_t depth)
{
    if (r->oom) return NULL;
    if (r->nfields == r->fields_cap) {
        size_t cap = r->fields_cap ? r->fields_cap * 2 : 16;
        s7p_render_field *f = s7p_realloc(r->fields, cap * sizeof *f);
        if (!f) {
            r->oom = true;
            return NULL;
        }
        r->fields = f;
        r->fields_cap = cap;
    }
    s7p_render_field *f = &r->fields[r->nfields++];
    *f = (s7p_render_field){.f = {.kind = kind, .depth = depth},
                            .addr_at = S7P_RENDER_NO_SPAN, .sym_at = S7P_RENDER_NO_SPAN,
                            .val_at = S7P_RENDER_NO_SPAN};
    return f;
}

/* A number in decimal, without printf: ids and item numbers are on every line. */
static void put_u32(s7p_strbuf *b, uint32_t v)
{
    char t[10];
    size_t i = sizeof t;
    do {
        t[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    s7p_strbuf_put(b, t + i, sizeof t - i);
}

/* "233 ObjectVariableTypeName": an id with its name when the table has one. */
static void named_id(s7p_strbuf *b, uint32_t id)
{
    const char *name = s7p_id_name(id);
    put_u32(b, id);
    if (name) {
        s7p_strbuf_put(b, " ", 1);
        s7p_strbuf_puts(b, name);
    }
}

/* "\nitem N" */
static void item_start(s7p_strbuf *b, uint32_t item)
{
    s7p_strbuf_put(b, "\nitem ", 6);
    put_u32(b, item);
}

/* The value's text into the body, its type and span into the field (when there is one). */
static void field_value(s7p_render *r, s7p_render_field *f, const s7p_value *v)
{
    value_head(r->b, v);
    size_t at = r->b->len;
    value_tail(r->b, v, 0);
    if (!f) return;
    f->f.type = type_word(v->type);
    f->f.count = is_array(v) ? v->count : 0;
    f->f.sparse = s7p_value_is_sparse(v);
    f->val_at = at;
    f->val_len = r->b->len - at;
}

/* ---- objects ---------------------------------------------------------------------------- */

static void render_attribute(s7p_render *r, const s7p_obj_elem *e, int depth)
{
    indent(r->b, depth);
    s7p_strbuf_puts(r->b, "attribute ");
    named_id(r->b, e->u.attr.id);
    s7p_strbuf_puts(r->b, " = ");
    s7p_render_field *f = field_new(r, S7P_FIELD_ATTRIBUTE, (uint32_t)depth);
    if (f) {
        f->f.id = e->u.attr.id;
        f->f.id_name = s7p_id_name(e->u.attr.id);
    }
    if (depth > MAX_DEPTH) s7p_strbuf_puts(r->b, "...");
    else field_value(r, f, &e->u.attr.value);
}

static void render_object(s7p_render *r, const s7p_object *o, int depth);

static void render_element(s7p_render *r, const s7p_obj_elem *e, int depth)
{
    s7p_strbuf *b = r->b;
    switch (e->tag) {
    case S7P_EL_ATTRIBUTE: render_attribute(r, e, depth + 1); break;
    case S7P_EL_START_OBJECT:
        if (e->u.child) render_object(r, e->u.child, depth + 1);
        break;
    case S7P_EL_RELATION:
        indent(b, depth + 1);
        s7p_strbuf_puts(b, "relation ");
        named_id(b, e->u.rel.id);
        s7p_strbuf_printf(b, " -> %" PRIu32, e->u.rel.target);
        break;
    case S7P_EL_VARTYPE_LIST:
        indent(b, depth + 1);
        s7p_strbuf_printf(b, "vartype list: %" PRIu32 " members",
                          e->u.vartypes ? e->u.vartypes->n : 0);
        break;
    case S7P_EL_VARNAME_LIST:
        indent(b, depth + 1);
        s7p_strbuf_puts(b, "varname list:");
        for (uint32_t i = 0; e->u.varnames && i < e->u.varnames->n; i++) {
            s7p_strbuf_puts(b, " ");
            quoted(b, e->u.varnames->items[i].name.p, e->u.varnames->items[i].name.n);
        }
        break;
    case S7P_EL_START_TAGDESC:
        indent(b, depth + 1);
        s7p_strbuf_puts(b, "tag description ");
        if (e->u.tagdesc) quoted(b, e->u.tagdesc->name.p, e->u.tagdesc->name.n);
        break;
    default: break;
    }
}

static void render_object(s7p_render *r, const s7p_object *o, int depth)
{
    s7p_strbuf *b = r->b;
    indent(b, depth);
    s7p_strbuf_puts(b, "object rel=");
    named_id(b, o->rel_id);
    s7p_strbuf_puts(b, " class=");
    named_id(b, o->class_id);
    if (o->attr_id) {
        s7p_strbuf_puts(b, " attr=");
        named_id(b, o->attr_id);
    }
    s7p_render_field *f = field_new(r, S7P_FIELD_OBJECT, (uint32_t)depth);
    if (f) {
        f->f.id = o->rel_id;
        f->f.id_name = s7p_id_name(o->rel_id);
        f->f.class_id = o->class_id;
        f->f.class_name = s7p_id_name(o->class_id);
    }
    if (depth > MAX_DEPTH) {
        s7p_strbuf_puts(b, " {...}");
        return;
    }
    for (const s7p_obj_elem *e = o->first; e; e = e->next)
        render_element(r, e, depth);
}

static void render_objects(s7p_render *r, const s7p_object_list *l, int depth)
{
    for (uint32_t i = 0; i < l->n; i++)
        render_object(r, l->items[i], depth);
}

/* ---- items ------------------------------------------------------------------------------ */

void s7p_render_tag_of(const s7p_item_address *a, s7p_tag *out)
{
    *out = (s7p_tag){.area = a->area, .sub_area = a->sub_area, .symbol_crc = a->symbol_crc};
    out->nlids = (uint8_t)(a->nlids < S7P_TAG_MAX_LIDS ? a->nlids : S7P_TAG_MAX_LIDS);
    for (uint8_t i = 0; i < out->nlids; i++)
        out->lids[i] = a->lids[i];
}

static void address_text(s7p_strbuf *b, const s7p_tag *a)
{
    if ((a->area & 0xFFFF0000u) == S7P_DB_AREA_BASE)
        s7p_strbuf_printf(b, "DB%" PRIu32, a->area & 0xFFFFu);
    else if (a->area == S7P_ID_I_AREA) s7p_strbuf_puts(b, "I");
    else if (a->area == S7P_ID_Q_AREA) s7p_strbuf_puts(b, "Q");
    else if (a->area == S7P_ID_M_AREA) s7p_strbuf_puts(b, "M");
    else if (a->area == S7P_ID_S7_COUNTERS) s7p_strbuf_puts(b, "C");
    else if (a->area == S7P_ID_S7_TIMERS) s7p_strbuf_puts(b, "T");
    else if (s7p_id_name(a->area)) s7p_strbuf_printf(b, "area %" PRIu32 " %s", a->area, s7p_id_name(a->area));
    else s7p_strbuf_printf(b, "area 0x%08" PRIX32, a->area);
    s7p_strbuf_printf(b, " sub %" PRIu32 " lid", a->sub_area);
    for (uint32_t i = 0; i < a->nlids; i++)
        s7p_strbuf_printf(b, "%s%" PRIX32, i ? "." : " ", a->lids[i]);
    s7p_strbuf_printf(b, " (crc 0x%08" PRIX32 ")", a->symbol_crc);
}

/* The symbol of an address into the body (" \"DB\".x"), its span into the field. */
static void symbol_text(s7p_render *r, s7p_render_field *f, const s7p_tag *a)
{
    const char *sym = r->symbol ? r->symbol(r->symbol_ctx, a) : NULL;
    if (!sym || !*sym) return;
    s7p_strbuf_puts(r->b, " ");
    size_t at = r->b->len;
    s7p_strbuf_puts(r->b, sym);
    if (f) {
        f->sym_at = at;
        f->sym_len = r->b->len - at;
    }
}

/* "item 1 DB6 sub 2550 lid 16 (crc ...)", or with a symbol "item 1 \"DB\".x [DB6 ...]". */
static s7p_render_field *render_item_address(s7p_render *r, uint32_t item,
                                             const s7p_item_address *ia)
{
    s7p_tag a;
    s7p_render_tag_of(ia, &a);
    item_start(r->b, item);
    s7p_render_field *f = field_new(r, S7P_FIELD_ITEM, 0);
    if (f) {
        f->f.item = item;
        f->f.has_address = true;
        f->f.address = a;
    }
    size_t before = r->b->len;
    symbol_text(r, f, &a);
    bool named = r->b->len != before;
    s7p_strbuf_puts(r->b, named ? " [" : " ");
    size_t at = r->b->len;
    address_text(r->b, &a);
    if (f) {
        f->addr_at = at;
        f->addr_len = r->b->len - at;
    }
    if (named) s7p_strbuf_puts(r->b, "]");
    return f;
}

/* An item of a response or notification: what its request said about it (address and
 * symbol, or attribute id) goes into the field, the symbol also into the text. */
static s7p_render_field *render_item_ref(s7p_render *r, s7p_decoded_field_kind kind,
                                         uint32_t item)
{
    item_start(r->b, item);
    s7p_render_field *f = field_new(r, kind, 0);
    if (f) f->f.item = item;
    if (item >= 1 && item <= r->req.naddr) {
        const s7p_tag *a = &r->req.addr[item - 1];
        if (f) {
            f->f.has_address = true;
            f->f.address = *a;
        }
        symbol_text(r, f, a);
    } else if (item >= 1 && item <= r->req.nids) {
        s7p_strbuf_puts(r->b, " attribute ");
        named_id(r->b, r->req.ids[item - 1]);
        if (f) {
            f->f.id = r->req.ids[item - 1];
            f->f.id_name = s7p_id_name(f->f.id);
        }
    }
    return f;
}

static void render_ids(s7p_strbuf *b, const char *what, const uint32_t *ids, uint32_t n)
{
    indent(b, 0);
    s7p_strbuf_puts(b, what);
    for (uint32_t i = 0; i < n; i++) {
        s7p_strbuf_puts(b, i ? ", " : " ");
        named_id(b, ids[i]);
    }
}

static void render_item_values(s7p_render *r, const s7p_idlist *l)
{
    for (const s7p_member *m = l->first; m; m = m->next) {
        s7p_render_field *f = render_item_ref(r, S7P_FIELD_ITEM, m->id);
        s7p_strbuf_puts(r->b, " = ");
        field_value(r, f, &m->value);
    }
}

static void render_plc_code(s7p_strbuf *b, uint64_t ret)
{
    int16_t code = s7p_ret_code(ret);
    const char *name = s7p_plc_code_name(code);
    s7p_strbuf_printf(b, "%d (%s)", code, name ? name : "unknown code");
}

static void render_errors(s7p_render *r, const s7p_error_list *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        s7p_render_field *f = render_item_ref(r, S7P_FIELD_ITEM_ERROR, l->items[i].item);
        s7p_strbuf_puts(r->b, " error ");
        render_plc_code(r->b, l->items[i].ret);
        if (f) {
            f->f.code = s7p_ret_code(l->items[i].ret);
            f->f.code_name = s7p_plc_code_name(f->f.code);
        }
    }
}

/* ---- requests --------------------------------------------------------------------------- */

static void render_get_multi_req(s7p_render *r, const s7p_req_get_multi *g)
{
    if (g->link_id) {
        s7p_strbuf_printf(r->b, "\nlink %" PRIu32, g->link_id);
        render_ids(r->b, "attributes", g->ids, g->nids);
        return;
    }
    for (uint32_t i = 0; i < g->item_count && g->addresses; i++)
        render_item_address(r, i + 1, &g->addresses[i]);
}

static void render_set_multi_req(s7p_render *r, const s7p_req_set_multi *sm)
{
    if (sm->object_id) s7p_strbuf_printf(r->b, "\nobject %" PRIu32, sm->object_id);
    for (uint32_t i = 0; i < sm->item_count; i++) {
        s7p_render_field *f = NULL;
        if (!sm->object_id && sm->addresses) {
            f = render_item_address(r, i + 1, &sm->addresses[i]);
        } else {
            item_start(r->b, i + 1);
            f = field_new(r, S7P_FIELD_ITEM, 0);
            if (f) f->f.item = i + 1;
            if (sm->ids && i < sm->nids) {
                s7p_strbuf_puts(r->b, " attribute ");
                named_id(r->b, sm->ids[i]);
                if (f) {
                    f->f.id = sm->ids[i];
                    f->f.id_name = s7p_id_name(sm->ids[i]);
                }
            }
        }
        const s7p_value *v = s7p_idlist_find(&sm->values, i + 1);
        if (v) {
            s7p_strbuf_puts(r->b, " := ");
            field_value(r, f, v);
        }
    }
}

static void render_explore_req(s7p_render *r, const s7p_req_explore *e)
{
    s7p_strbuf_printf(r->b, "\nexplore %" PRIu32 " request %" PRIu32 " children %u parents %u",
                      e->explore_id, e->explore_request_id, e->children_recursive, e->parents);
    for (uint32_t i = 0; i < e->nblocks; i++)
        if (e->blocks[i].address_count)
            render_ids(r->b, "attributes", e->blocks[i].addresses, e->blocks[i].address_count);
}

static void render_request(s7p_render *r, const s7p_pdu *p)
{
    s7p_strbuf *b = r->b;
    switch (p->function) {
    case S7P_FC_CREATE_OBJECT:
        s7p_strbuf_printf(b, "\nin %" PRIu32 " value ", p->req.create_object.request_id);
        s7p_render_value(b, &p->req.create_object.request_value);
        render_objects(r, &p->req.create_object.objects, 0);
        break;
    case S7P_FC_DELETE_OBJECT:
        s7p_strbuf_printf(b, "\nobject %" PRIu32, p->req.delete_object.object_id);
        break;
    case S7P_FC_EXPLORE: render_explore_req(r, &p->req.explore); break;
    case S7P_FC_GET_MULTI_VARIABLES: render_get_multi_req(r, &p->req.get_multi); break;
    case S7P_FC_SET_MULTI_VARIABLES: render_set_multi_req(r, &p->req.set_multi); break;
    case S7P_FC_SET_VARIABLE:
        s7p_strbuf_printf(b, "\nobject %" PRIu32, p->req.set_variable.object_id);
        render_ids(b, "address", p->req.set_variable.addresses,
                   p->req.set_variable.address_count);
        s7p_strbuf_puts(b, "\nvalue ");
        s7p_render_value(b, &p->req.set_variable.value);
        break;
    case S7P_FC_GET_VARIABLE:
        s7p_strbuf_printf(b, "\nobject %" PRIu32, p->req.get_variable.object_id);
        render_ids(b, "attributes", p->req.get_variable.ids, p->req.get_variable.nids);
        break;
    case S7P_FC_GET_VAR_SUB_STREAMED:
    case S7P_FC_SET_VAR_SUB_STREAMED:
        s7p_strbuf_printf(b, "\nobject %" PRIu32 " value ", p->req.var_sub_streamed.object_id);
        s7p_render_value(b, &p->req.var_sub_streamed.value);
        break;
    case S7P_FC_GET_LINK: s7p_strbuf_printf(b, "\nid %" PRIu32, p->req.get_link.id); break;
    case S7P_FC_BEGIN_SEQUENCE:
        s7p_strbuf_printf(b, "\ntransaction type %u value type %u",
                          p->req.begin_sequence.transaction_type,
                          p->req.begin_sequence.value_type);
        render_objects(r, &p->req.begin_sequence.objects, 0);
        break;
    case S7P_FC_INVOKE:
        s7p_strbuf_printf(b, "\nsub-session %" PRIu32, p->req.invoke.sub_session_id);
        render_item_values(r, &p->req.invoke.values);
        break;
    default: break;
    }
}

/* ---- responses -------------------------------------------------------------------------- */

static void render_response_body(s7p_render *r, const s7p_pdu *p)
{
    s7p_strbuf *b = r->b;
    switch (p->function) {
    case S7P_FC_CREATE_OBJECT:
        render_ids(b, "object ids", p->resp.create_object.object_ids,
                   p->resp.create_object.nids);
        render_objects(r, &p->resp.create_object.objects, 0);
        break;
    case S7P_FC_DELETE_OBJECT:
        s7p_strbuf_printf(b, "\nobject %" PRIu32, p->resp.delete_object.object_id);
        render_objects(r, &p->resp.delete_object.error, 0);
        break;
    case S7P_FC_EXPLORE:
        s7p_strbuf_printf(b, "\nexplore %" PRIu32, p->resp.explore.explore_id);
        render_objects(r, &p->resp.explore.objects, 0);
        break;
    case S7P_FC_GET_MULTI_VARIABLES:
        render_item_values(r, &p->resp.get_multi.values);
        render_errors(r, &p->resp.get_multi.errors);
        break;
    case S7P_FC_SET_MULTI_VARIABLES: render_errors(r, &p->resp.set_multi.errors); break;
    case S7P_FC_GET_VARIABLE:
        s7p_strbuf_puts(b, "\nvalue ");
        s7p_render_value(b, &p->resp.get_variable.value);
        break;
    case S7P_FC_GET_VAR_SUB_STREAMED:
        s7p_strbuf_puts(b, "\nvalue ");
        s7p_render_value(b, &p->resp.get_var_sub_streamed.value);
        break;
    case S7P_FC_GET_LINK:
        for (uint8_t i = 0; i < p->resp.get_link.n; i++)
            s7p_strbuf_printf(b, "\nlink %" PRIu32, p->resp.get_link.links[i]);
        break;
    case S7P_FC_BEGIN_SEQUENCE:
        if (p->resp.begin_sequence.has_id)
            s7p_strbuf_printf(b, "\nid %" PRIu32, p->resp.begin_sequence.request_id);
        break;
    case S7P_FC_INVOKE: render_item_values(r, &p->resp.invoke.values); break;
    default: break;
    }
}

/* ---- notifications ---------------------------------------------------------------------- */

static void render_notif_items(s7p_render *r, const s7p_notif_list *l)
{
    for (const s7p_notif_item *it = l->first; it; it = it->next) {
        s7p_render_field *f;
        switch (it->code) {
        case S7P_NI_OBJECT:
            indent(r->b, 0);
            s7p_strbuf_puts(r->b, "object");
            if (it->object) render_object(r, it->object, 1);
            break;
        case S7P_NI_ERROR_1500:
        case S7P_NI_ERROR_1200:
            render_item_ref(r, S7P_FIELD_ITEM_ERROR, it->ref);
            s7p_strbuf_puts(r->b, " error");
            break;
        case S7P_NI_STATUS_TABLE:
            indent(r->b, 0);
            s7p_strbuf_printf(r->b, "item %" PRIu32 " status table", it->ref);
            break;
        default:
            f = render_item_ref(r, S7P_FIELD_ITEM, it->ref);
            s7p_strbuf_puts(r->b, " = ");
            field_value(r, f, &it->value);
            break;
        }
    }
}

static void render_notification(s7p_render *r, const s7p_pdu *p)
{
    const s7p_notification *n = &p->notif;
    s7p_strbuf *b = r->b;
    s7p_strbuf_printf(b, "subscription %" PRIu32, n->object_id);
    if (n->raw.p) {
        s7p_strbuf_puts(b, "\nundecoded ");
        s7p_render_hex(b, n->raw.p, n->raw.n, MAX_HEX_SHOWN);
        return;
    }
    if (p->version != S7P_PROTO_V1) {
        s7p_strbuf_printf(b, " seq %" PRIu32 " change counter %u", n->seq, n->change_counter);
        if (n->credit_tick) s7p_strbuf_printf(b, " credit tick %u", n->credit_tick);
        if (n->has_timestamp) s7p_strbuf_printf(b, " timestamp %" PRIu64, n->timestamp_us);
    }
    render_notif_items(r, &n->items);
    if (n->has_part2) {
        s7p_strbuf_printf(b, "\nsubscription %" PRIu32, n->object_id2);
        render_notif_items(r, &n->items2);
    }
}

void s7p_render_pdu_body(s7p_render *r, const s7p_pdu *p)
{
    r->nfields = 0;
    if (p->opcode == S7P_OP_NOTIFICATION) {
        render_notification(r, p);
        return;
    }
    if (p->opcode == S7P_OP_REQUEST) {
        render_request(r, p);
    } else {
        s7p_strbuf_puts(r->b, "return ");
        render_plc_code(r->b, p->ret);
        if (!p->ret_only) render_response_body(r, p);
    }
    if (p->opaque.p) {
        s7p_strbuf_puts(r->b, "\nbody ");
        s7p_render_hex(r->b, p->opaque.p, p->opaque.n, MAX_HEX_SHOWN);
    }
}

void s7p_render_sysevent(s7p_strbuf *b, const s7p_sysevent *e)
{
    s7p_strbuf_printf(b, "confirmed bytes %" PRIu32, e->confirmed_bytes);
    int64_t rv;
    if (e->kind == S7P_SYSEV_TEXT) {
        s7p_strbuf_puts(b, "\ntext ");
        quoted(b, e->text.p, e->text.n);
    } else if (e->kind == S7P_SYSEV_STRUCT) {
        s7p_strbuf_puts(b, "\n");
        s7p_render_value(b, &e->value);
        if (s7p_sysevent_return_value(e, &rv)) {
            s7p_strbuf_puts(b, "\nreturn ");
            render_plc_code(b, (uint64_t)rv);
        }
    }
}

/* ---- public fields ---------------------------------------------------------------------- */

/* Offset of a NUL-terminated copy of the span in `strings`, or NO_SPAN. */
static size_t copy_span(const s7p_render *r, s7p_strbuf *strings, size_t at, size_t len)
{
    if (at == S7P_RENDER_NO_SPAN || at > r->b->len || len > r->b->len - at)
        return S7P_RENDER_NO_SPAN;
    size_t out = strings->len;
    s7p_strbuf_put(strings, r->b->p + at, len);
    s7p_strbuf_put(strings, "", 1);
    return out;
}

/* Pointers are made after all strings are copied: the buffer may move while it grows, so
 * the offsets wait in the pointer members meanwhile. */
static const char *offset_ptr(size_t at) { return (const char *)(uintptr_t)(at + 1); }

static const char *ptr_of(const s7p_strbuf *strings, const char *tagged)
{
    size_t at = (size_t)(uintptr_t)tagged;
    return at ? strings->p + at - 1 : NULL;
}

bool s7p_render_publish(const s7p_render *r, s7p_strbuf *strings, s7p_decoded_field **out,
                        size_t *cap)
{
    strings->len = 0;
    if (r->nfields > *cap) {
        s7p_decoded_field *a = s7p_realloc(*out, r->nfields * sizeof *a);
        if (!a) return false;
        *out = a;
        *cap = r->nfields;
    }
    for (size_t i = 0; i < r->nfields; i++) {
        const s7p_render_field *f = &r->fields[i];
        s7p_decoded_field *d = &(*out)[i];
        size_t addr = copy_span(r, strings, f->addr_at, f->addr_len);
        if (addr == S7P_RENDER_NO_SPAN && f->f.has_address) {
            addr = strings->len;   /* a response's item: its request's address */
            address_text(strings, &f->f.address);
            s7p_strbuf_put(strings, "", 1);
        }
        size_t sym = copy_span(r, strings, f->sym_at, f->sym_len);
        size_t val = copy_span(r, strings, f->val_at, f->val_len);
        *d = f->f;
        d->address_text = addr != S7P_RENDER_NO_SPAN ? offset_ptr(addr) : NULL;
        d->symbol = sym != S7P_RENDER_NO_SPAN ? offset_ptr(sym) : NULL;
        d->value = val != S7P_RENDER_NO_SPAN ? offset_ptr(val) : NULL;
    }
    if (strings->oom) return false;
    for (size_t i = 0; i < r->nfields; i++) {
        s7p_decoded_field *d = &(*out)[i];
        d->address_text = ptr_of(strings, d->address_text);
        d->symbol = ptr_of(strings, d->symbol);
        d->value = ptr_of(strings, d->value);
    }
    return true;
}

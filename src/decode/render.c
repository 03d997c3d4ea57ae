/* SPDX-License-Identifier: MIT */
/* Readable text of decoded S7CommPlus messages. See render.h. */
#include "decode/render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"
#include "s7plus/s7plus.h"

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
    s7p_strbuf_printf(b, "%s of %" PRIu32 " %s [", sparse ? "Sparse array" : "Array", v->count,
                      type_word(v->type));
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

static void render_value_depth(s7p_strbuf *b, const s7p_value *v, int depth)
{
    if (depth > MAX_DEPTH) {
        s7p_strbuf_puts(b, "...");
        return;
    }
    if (s7p_value_is_array(v) || s7p_value_is_sparse(v)) {
        render_array(b, v, depth);
        return;
    }
    if (v->type != S7P_DT_STRUCT && v->type != S7P_DT_NULL && v->type != S7P_DT_VARIANT &&
        v->type != S7P_DT_BLOB)
        s7p_strbuf_printf(b, "%s ", type_word(v->type));
    render_scalar(b, v->type, &v->v, depth);
}

void s7p_render_value(s7p_strbuf *b, const s7p_value *v) { render_value_depth(b, v, 0); }

/* ---- objects ---------------------------------------------------------------------------- */

static void render_object(s7p_strbuf *b, const s7p_object *o, int depth)
{
    indent(b, depth);
    s7p_strbuf_printf(b, "object rel=%" PRIu32 " class=%" PRIu32, o->rel_id, o->class_id);
    if (o->attr_id) s7p_strbuf_printf(b, " attr=%" PRIu32, o->attr_id);
    if (depth > MAX_DEPTH) {
        s7p_strbuf_puts(b, " {...}");
        return;
    }
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        switch (e->tag) {
        case S7P_EL_ATTRIBUTE:
            indent(b, depth + 1);
            s7p_strbuf_printf(b, "attribute %" PRIu32 " = ", e->u.attr.id);
            render_value_depth(b, &e->u.attr.value, depth + 1);
            break;
        case S7P_EL_START_OBJECT:
            if (e->u.child) render_object(b, e->u.child, depth + 1);
            break;
        case S7P_EL_RELATION:
            indent(b, depth + 1);
            s7p_strbuf_printf(b, "relation %" PRIu32 " -> %" PRIu32, e->u.rel.id,
                              e->u.rel.target);
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
}

static void render_objects(s7p_strbuf *b, const s7p_object_list *l, int depth)
{
    for (uint32_t i = 0; i < l->n; i++)
        render_object(b, l->items[i], depth);
}

/* ---- items ------------------------------------------------------------------------------ */

static void render_address(s7p_strbuf *b, const s7p_item_address *a)
{
    if ((a->area & 0xFFFF0000u) == S7P_DB_AREA_BASE)
        s7p_strbuf_printf(b, "DB%" PRIu32, a->area & 0xFFFFu);
    else if (a->area == S7P_ID_I_AREA) s7p_strbuf_puts(b, "I");
    else if (a->area == S7P_ID_Q_AREA) s7p_strbuf_puts(b, "Q");
    else if (a->area == S7P_ID_M_AREA) s7p_strbuf_puts(b, "M");
    else if (a->area == S7P_ID_S7_COUNTERS) s7p_strbuf_puts(b, "C");
    else if (a->area == S7P_ID_S7_TIMERS) s7p_strbuf_puts(b, "T");
    else s7p_strbuf_printf(b, "area 0x%08" PRIX32, a->area);
    s7p_strbuf_printf(b, " sub %" PRIu32 " lid", a->sub_area);
    for (uint32_t i = 0; i < a->nlids; i++)
        s7p_strbuf_printf(b, "%s%" PRIX32, i ? "." : " ", a->lids[i]);
    s7p_strbuf_printf(b, " (crc 0x%08" PRIX32 ")", a->symbol_crc);
}

static void render_ids(s7p_strbuf *b, const char *what, const uint32_t *ids, uint32_t n)
{
    indent(b, 0);
    s7p_strbuf_puts(b, what);
    for (uint32_t i = 0; i < n; i++)
        s7p_strbuf_printf(b, "%s%" PRIu32, i ? ", " : " ", ids[i]);
}

static void render_item_values(s7p_strbuf *b, const s7p_idlist *l, const char *label)
{
    for (const s7p_member *m = l->first; m; m = m->next) {
        indent(b, 0);
        s7p_strbuf_printf(b, "%s %" PRIu32 " = ", label, m->id);
        s7p_render_value(b, &m->value);
    }
}

static void render_plc_code(s7p_strbuf *b, uint64_t ret)
{
    int16_t code = s7p_ret_code(ret);
    const char *name = s7p_plc_code_name(code);
    s7p_strbuf_printf(b, "%d (%s)", code, name ? name : "unknown code");
}

static void render_errors(s7p_strbuf *b, const s7p_error_list *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        indent(b, 0);
        s7p_strbuf_printf(b, "item %" PRIu32 " error ", l->items[i].item);
        render_plc_code(b, l->items[i].ret);
    }
}

/* ---- requests --------------------------------------------------------------------------- */

static void render_get_multi_req(s7p_strbuf *b, const s7p_req_get_multi *g)
{
    if (g->link_id) {
        s7p_strbuf_printf(b, "\nlink %" PRIu32, g->link_id);
        render_ids(b, "attributes", g->ids, g->nids);
        return;
    }
    for (uint32_t i = 0; i < g->item_count && g->addresses; i++) {
        s7p_strbuf_printf(b, "\nitem %" PRIu32 " ", i + 1);
        render_address(b, &g->addresses[i]);
    }
}

static void render_set_multi_req(s7p_strbuf *b, const s7p_req_set_multi *sm)
{
    if (sm->object_id) s7p_strbuf_printf(b, "\nobject %" PRIu32, sm->object_id);
    for (uint32_t i = 0; i < sm->item_count; i++) {
        s7p_strbuf_printf(b, "\nitem %" PRIu32 " ", i + 1);
        if (!sm->object_id && sm->addresses) render_address(b, &sm->addresses[i]);
        else if (sm->ids && i < sm->nids) s7p_strbuf_printf(b, "attribute %" PRIu32, sm->ids[i]);
        const s7p_value *v = s7p_idlist_find(&sm->values, i + 1);
        if (v) {
            s7p_strbuf_puts(b, " := ");
            s7p_render_value(b, v);
        }
    }
}

static void render_explore_req(s7p_strbuf *b, const s7p_req_explore *e)
{
    s7p_strbuf_printf(b, "\nexplore %" PRIu32 " request %" PRIu32 " children %u parents %u",
                      e->explore_id, e->explore_request_id, e->children_recursive, e->parents);
    for (uint32_t i = 0; i < e->nblocks; i++)
        if (e->blocks[i].address_count)
            render_ids(b, "attributes", e->blocks[i].addresses, e->blocks[i].address_count);
}

static void render_request(s7p_strbuf *b, const s7p_pdu *p)
{
    switch (p->function) {
    case S7P_FC_CREATE_OBJECT:
        s7p_strbuf_printf(b, "\nin %" PRIu32 " value ", p->req.create_object.request_id);
        s7p_render_value(b, &p->req.create_object.request_value);
        render_objects(b, &p->req.create_object.objects, 0);
        break;
    case S7P_FC_DELETE_OBJECT:
        s7p_strbuf_printf(b, "\nobject %" PRIu32, p->req.delete_object.object_id);
        break;
    case S7P_FC_EXPLORE: render_explore_req(b, &p->req.explore); break;
    case S7P_FC_GET_MULTI_VARIABLES: render_get_multi_req(b, &p->req.get_multi); break;
    case S7P_FC_SET_MULTI_VARIABLES: render_set_multi_req(b, &p->req.set_multi); break;
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
    case S7P_FC_GET_LINK:
        s7p_strbuf_printf(b, "\nid %" PRIu32, p->req.get_link.id);
        break;
    case S7P_FC_BEGIN_SEQUENCE:
        s7p_strbuf_printf(b, "\ntransaction type %u value type %u",
                          p->req.begin_sequence.transaction_type,
                          p->req.begin_sequence.value_type);
        render_objects(b, &p->req.begin_sequence.objects, 0);
        break;
    case S7P_FC_INVOKE:
        s7p_strbuf_printf(b, "\nsub-session %" PRIu32, p->req.invoke.sub_session_id);
        render_item_values(b, &p->req.invoke.values, "item");
        break;
    default: break;
    }
}

/* ---- responses -------------------------------------------------------------------------- */

static void render_response(s7p_strbuf *b, const s7p_pdu *p)
{
    s7p_strbuf_puts(b, "return ");
    render_plc_code(b, p->ret);
    if (p->ret_only) return;
    switch (p->function) {
    case S7P_FC_CREATE_OBJECT:
        render_ids(b, "object ids", p->resp.create_object.object_ids,
                   p->resp.create_object.nids);
        render_objects(b, &p->resp.create_object.objects, 0);
        break;
    case S7P_FC_DELETE_OBJECT:
        s7p_strbuf_printf(b, "\nobject %" PRIu32, p->resp.delete_object.object_id);
        render_objects(b, &p->resp.delete_object.error, 0);
        break;
    case S7P_FC_EXPLORE:
        s7p_strbuf_printf(b, "\nexplore %" PRIu32, p->resp.explore.explore_id);
        render_objects(b, &p->resp.explore.objects, 0);
        break;
    case S7P_FC_GET_MULTI_VARIABLES:
        render_item_values(b, &p->resp.get_multi.values, "item");
        render_errors(b, &p->resp.get_multi.errors);
        break;
    case S7P_FC_SET_MULTI_VARIABLES: render_errors(b, &p->resp.set_multi.errors); break;
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
    case S7P_FC_INVOKE: render_item_values(b, &p->resp.invoke.values, "item"); break;
    default: break;
    }
}

/* ---- notifications ---------------------------------------------------------------------- */

static void render_notif_items(s7p_strbuf *b, const s7p_notif_list *l)
{
    for (const s7p_notif_item *it = l->first; it; it = it->next) {
        indent(b, 0);
        switch (it->code) {
        case S7P_NI_OBJECT:
            s7p_strbuf_puts(b, "object");
            if (it->object) render_object(b, it->object, 1);
            break;
        case S7P_NI_ERROR_1500:
        case S7P_NI_ERROR_1200:
            s7p_strbuf_printf(b, "item %" PRIu32 " error", it->ref);
            break;
        case S7P_NI_STATUS_TABLE:
            s7p_strbuf_printf(b, "item %" PRIu32 " status table", it->ref);
            break;
        default:
            s7p_strbuf_printf(b, "item %" PRIu32 " = ", it->ref);
            s7p_render_value(b, &it->value);
            break;
        }
    }
}

static void render_notification(s7p_strbuf *b, const s7p_pdu *p)
{
    const s7p_notification *n = &p->notif;
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
    render_notif_items(b, &n->items);
    if (n->has_part2) {
        s7p_strbuf_printf(b, "\nsubscription %" PRIu32, n->object_id2);
        render_notif_items(b, &n->items2);
    }
}

void s7p_render_pdu_body(s7p_strbuf *b, const s7p_pdu *p)
{
    if (p->opcode == S7P_OP_NOTIFICATION) {
        render_notification(b, p);
        return;
    }
    if (p->opcode == S7P_OP_REQUEST) {
        render_request(b, p);
    } else {
        render_response(b, p);
    }
    if (p->opaque.p) {
        s7p_strbuf_puts(b, "\nbody ");
        s7p_render_hex(b, p->opaque.p, p->opaque.n, MAX_HEX_SHOWN);
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

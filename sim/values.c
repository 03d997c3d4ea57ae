/* SPDX-License-Identifier: MIT */
/* Start values into the public value form; range checks of written values. */
#include "values.h"

#include <string.h>

#include "values/convert.h"
#include "typeinfo.h"
#include "util/alloc.h"

#define DAYS_1970_TO_1990 INT64_C(7305)

s7p_type sim_value_type(const s7t_type *elem) { return (s7p_type)sim_sdt(elem); }

void sim_value_tag(const s7t_type *elem, uint32_t count, s7p_tag *tag)
{
    memset(tag, 0, sizeof *tag);
    tag->type = sim_value_type(elem);
    tag->count = count;
    tag->str_max = elem->max_len;
}

static bool copy_bytes(const void *p, size_t n, bool terminate, void **out)
{
    uint8_t *b = s7p_malloc(n + (terminate ? 1 : 0));
    if (!b) return false;
    if (n) memcpy(b, p, n);
    if (terminate) b[n] = 0;
    *out = b;
    return true;
}

static int64_t from_uint(uint16_t sdt, uint64_t u, bool *is_time)
{
    *is_time = true;
    switch (sdt) {
    case S7T_SDT_DATE: return (DAYS_1970_TO_1990 + (int64_t)u) * S7P_NS_PER_DAY;
    case S7T_SDT_TOD: return (int64_t)u * S7P_NS_PER_MS;
    case S7T_SDT_LTOD: return (int64_t)u;
    default: *is_time = false; return 0;
    }
}

bool sim_value_from_model(const s7t_type *elem, const s7t_value *in, s7p_tag_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = sim_value_type(elem);
    bool is_time;
    switch (in->kind) {
    case S7T_V_UINT:
        if (elem->sdt == S7T_SDT_BOOL) {
            out->v.b = in->u != 0;
            break;
        }
        out->v.i = from_uint(elem->sdt, in->u, &is_time);
        if (!is_time) out->v.u = in->u;
        break;
    case S7T_V_INT:
        /* Time and S5Time are ms; LTime, DT and LDT already ns. */
        if (elem->sdt == S7T_SDT_TIME || elem->sdt == S7T_SDT_S5TIME)
            out->v.i = in->i * S7P_NS_PER_MS;
        else
            out->v.i = in->i;
        break;
    case S7T_V_REAL:
        if (elem->sdt == S7T_SDT_REAL) out->v.r = (float)in->r;
        else out->v.lr = in->r;
        break;
    case S7T_V_TEXT:
        out->v.str.len = in->text.n;
        return copy_bytes(in->text.p, in->text.n, true, (void **)&out->v.str.p);
    case S7T_V_BYTES:
        if (elem->sdt == S7T_SDT_DTL) {
            if (!s7p_dtl_decode(in->bytes, &out->v.i)) out->v.i = 0;
            break;
        }
        out->v.raw.len = s7t_elem_size(elem);
        if (out->v.raw.len > sizeof in->bytes) out->v.raw.len = sizeof in->bytes;
        return copy_bytes(in->bytes, out->v.raw.len, false, (void **)&out->v.raw.p);
    default:
        break;
    }
    return true;
}

bool sim_value_fits(const s7t_type *elem, const s7p_tag_value *v, const s7p_tag_value *cur)
{
    s7p_utf8_info info;
    switch (elem->sdt) {
    case S7T_SDT_STRING:
        return s7p_utf8_scan(v->v.str.p, v->v.str.len, &info) && info.wide_cp == 0 &&
               info.chars <= elem->max_len;
    case S7T_SDT_WSTRING:
        return s7p_utf8_scan(v->v.str.p, v->v.str.len, &info) && info.units16 <= elem->max_len;
    case S7T_SDT_POINTER:
    case S7T_SDT_ANY:
        return v->v.raw.len == cur->v.raw.len;
    default:
        return true;
    }
}

/* Whether the wire value has the form the variable travels in (type and shape); the
 * conversion then checks the contents. */
bool sim_value_wire_ok(const s7p_tag *tag, const s7p_value *w)
{
    if (s7p_value_is_sparse(w)) return false;
    if (tag->type == S7P_T_DTL)
        return w->type == S7P_DT_STRUCT && !(w->flags & S7P_VF_ADDRESS_ARRAY) && w->v.st &&
               w->v.st->id == S7P_DTL_STRUCT_ID;
    if (w->type != s7p_convert_wire_type(tag->type)) return false;
    bool want_array = (s7p_convert_wire_flags(tag) & S7P_VF_ARRAY) != 0;
    if (s7p_value_is_array(w) != want_array) return false;
    s7p_tag one = *tag;
    one.count = 0;
    bool image = (s7p_convert_wire_flags(&one) & S7P_VF_ARRAY) != 0;  /* String, DT, ... */
    if (tag->count == 0 || image) return true;  /* the conversion checks image sizes */
    uint64_t padded = ((uint64_t)tag->count + 7) / 8 * 8;
    return w->count == tag->count || (tag->type == S7P_T_BOOL && w->count == padded);
}

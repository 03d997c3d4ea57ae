/* SPDX-License-Identifier: MIT */
#include "proto/subscription.h"

#include <stdio.h>
#include <string.h>

#include "proto/ids.h"

/* ---- reference list (AID 1048) -------------------------------------------------------- */

/* Elements of one item block: head, ref, 0, area, crc, sub-area, then the LIDs. */
#define ITEM_FIXED 6u

static bool refs_count(const s7p_sub_refs *r, uint32_t *out)
{
    uint64_t n = 3u + (uint64_t)r->n_unsubscribe;
    if ((r->n_unsubscribe && !r->unsubscribe) || (r->n_items && !r->items)) return false;
    for (size_t i = 0; i < r->n_items; i++) {
        const s7p_sub_item *it = &r->items[i];
        if (it->n_lids > S7P_SUB_MAX_LIDS || (it->n_lids && !it->lids)) return false;
        n += ITEM_FIXED + it->n_lids;
        if (n > S7P_MAX_ITEMS) return false;
    }
    if (n > S7P_MAX_ITEMS) return false;
    *out = (uint32_t)n;
    return true;
}

bool s7p_sub_refs_to_value(const s7p_sub_refs *r, s7p_arena *a, s7p_value *out)
{
    uint32_t n;
    memset(out, 0, sizeof *out);
    if (!refs_count(r, &n)) return false;
    s7p_scalar *e = s7p_arena_array(a, n, sizeof *e);
    if (!e) return false;
    uint32_t k = 0;
    e[k++].u = (r->create ? S7P_SUB_REFS_CREATE : 0u) | ((uint32_t)r->change_counter << 16);
    e[k++].u = r->n_unsubscribe;
    for (size_t i = 0; i < r->n_unsubscribe; i++) e[k++].u = r->unsubscribe[i];
    e[k++].u = r->n_items;
    for (size_t i = 0; i < r->n_items; i++) {
        const s7p_sub_item *it = &r->items[i];
        e[k++].u = S7P_SUB_ITEM_HEAD | (uint32_t)(it->n_lids + 1u);
        e[k++].u = it->ref;
        e[k++].u = 0;
        e[k++].u = it->area;
        e[k++].u = it->crc;
        e[k++].u = it->sub_area;
        for (size_t j = 0; j < it->n_lids; j++) e[k++].u = it->lids[j];
    }
    out->flags = S7P_VF_ADDRESS_ARRAY;
    out->type = S7P_DT_UDINT;
    out->count = n;
    out->elems = e;
    return true;
}

/* A cursor over the elements of the address array. */
typedef struct {
    const s7p_scalar *e;
    uint32_t i, n;
} elem_cur;

static bool take(elem_cur *c, uint32_t *out)
{
    if (c->i >= c->n || c->e[c->i].u > UINT32_MAX) return false;
    *out = (uint32_t)c->e[c->i++].u;
    return true;
}

/* Takes n elements as a view-like arena copy (n is checked against what is left first). */
static s7p_status take_array(elem_cur *c, s7p_arena *a, uint32_t n, uint32_t **out)
{
    *out = NULL;
    if (n > c->n - c->i) return S7P_E_PROTOCOL;
    if (n == 0) return S7P_OK;
    *out = s7p_arena_array(a, n, sizeof **out);
    if (!*out) return S7P_E_NOMEM;
    for (uint32_t k = 0; k < n; k++)
        if (!take(c, &(*out)[k])) return S7P_E_PROTOCOL;
    return S7P_OK;
}

static s7p_status take_item(elem_cur *c, s7p_arena *a, s7p_sub_item *it)
{
    uint32_t head, zero, *lids;
    if (!take(c, &head) || (head & 0xFFFF0000u) != S7P_SUB_ITEM_HEAD) return S7P_E_PROTOCOL;
    uint32_t nfields = head & 0xFFFFu;
    if (nfields < 1u || nfields - 1u > S7P_SUB_MAX_LIDS) return S7P_E_PROTOCOL;
    if (!take(c, &it->ref) || !take(c, &zero) || zero != 0 || !take(c, &it->area) ||
        !take(c, &it->crc) || !take(c, &it->sub_area))
        return S7P_E_PROTOCOL;
    s7p_status st = take_array(c, a, nfields - 1u, &lids);
    it->lids = lids;
    it->n_lids = nfields - 1u;
    return st;
}

s7p_status s7p_sub_refs_from_value(const s7p_value *v, s7p_arena *a, s7p_sub_refs *out)
{
    memset(out, 0, sizeof *out);
    if (!(v->flags & S7P_VF_ADDRESS_ARRAY) || !s7p_value_is_array(v) || v->type != S7P_DT_UDINT ||
        (v->count && !v->elems))
        return S7P_E_PROTOCOL;
    elem_cur c = {v->elems, 0, v->count};
    uint32_t head, nun, nsub, *un;
    if (!take(&c, &head) || (head & ~(S7P_SUB_REFS_CREATE | 0x00FF0000u)) != 0)
        return S7P_E_PROTOCOL;
    out->create = (head & S7P_SUB_REFS_CREATE) != 0;
    out->change_counter = (uint8_t)(head >> 16);
    if (!take(&c, &nun)) return S7P_E_PROTOCOL;
    s7p_status st = take_array(&c, a, nun, &un);
    if (st != S7P_OK) return st;
    out->unsubscribe = un;
    out->n_unsubscribe = nun;
    /* Each item takes at least ITEM_FIXED elements: bound the count before allocating. */
    if (!take(&c, &nsub) || nsub > (c.n - c.i) / ITEM_FIXED) return S7P_E_PROTOCOL;
    s7p_sub_item *items = nsub ? s7p_arena_array(a, nsub, sizeof *items) : NULL;
    if (nsub && !items) return S7P_E_NOMEM;
    for (uint32_t i = 0; i < nsub; i++)
        if ((st = take_item(&c, a, &items[i])) != S7P_OK) return st;
    out->items = items;
    out->n_items = nsub;
    return c.i == c.n ? S7P_OK : S7P_E_PROTOCOL;  /* every element accounted for */
}

/* ---- the subscription object (class 1001) --------------------------------------------- */

static bool add_scalar(s7p_object *o, s7p_arena *a, uint32_t id, uint8_t type, uint64_t u)
{
    s7p_value *v = s7p_object_add_attr(o, a, id);
    if (!v) return false;
    v->type = type;
    if (type == S7P_DT_INT || type == S7P_DT_LINT) v->v.i = (int64_t)u;
    else v->v.u = u;
    return true;
}

static bool add_text(s7p_object *o, s7p_arena *a, const char *text)
{
    size_t n = strlen(text);
    char *s = s7p_arena_alloc(a, n + 1u);
    s7p_value *v = s7p_object_add_attr(o, a, S7P_ID_OBJECT_VARIABLE_TYPE_NAME);
    if (!s || !v) return false;
    memcpy(s, text, n + 1u);
    v->type = S7P_DT_WSTRING;
    v->v.s.p = (const uint8_t *)s;
    v->v.s.n = n;
    return true;
}

static bool add_name(s7p_object *o, s7p_arena *a, uint32_t rel_id)
{
    char buf[32];
    snprintf(buf, sizeof buf, "Subscription_%u", (unsigned)rel_id);
    return add_text(o, a, buf);
}

/* An array attribute of n elements, all of type, with flags (0x10 array, 0x20 address
 * array: VLQ elements); the elements are filled by the caller. */
static s7p_value *add_array(s7p_object *o, s7p_arena *a, uint32_t id, uint8_t flags,
                            uint8_t type, uint32_t n)
{
    s7p_value *v = s7p_object_add_attr(o, a, id);
    s7p_scalar *e = n ? s7p_arena_array(a, n, sizeof *e) : NULL;
    if (!v || (n && !e)) return NULL;
    if (n) memset(e, 0, n * sizeof *e);
    v->flags = flags;
    v->type = type;
    v->count = n;
    v->elems = e;
    return v;
}

/* The alarm subscription's reference (services spec §2.1): every alarm domain (2659 ten
 * zeros, 7731 = 65535), trigger and transmit mode 3, texts sent with each alarm (8173), the
 * language filter (8181), related to the alarm subsystem (2660 -> RID 8). */
static bool add_alarm_ref(s7p_object *o, s7p_arena *a, const s7p_sub_alarm_ref *r)
{
    enum { DOMAINS = 10, ALL_DOMAINS = 65535 };
    if (r->n_lcids > S7P_SUB_MAX_LCIDS || (r->n_lcids && !r->lcids)) return false;
    s7p_object *ref = s7p_object_new(a, S7P_ID_GET_NEW_RID_ON_SERVER,
                                     S7P_ID_ALARM_SUBSCRIPTION_REF_CLASS);
    if (!ref || !add_text(ref, a, "s7plus_Alarming") ||
        !add_scalar(ref, a, S7P_ID_SUBSCRIPTION_REF_TRIGGER_AND_TRANSMIT_MODE, S7P_DT_USINT, 3) ||
        !add_array(ref, a, S7P_ID_ALARM_SUBSCRIPTION_REF_DOMAIN, S7P_VF_ARRAY, S7P_DT_UINT, DOMAINS))
        return false;
    s7p_value *dom = add_array(ref, a, S7P_ID_ALARM_SUBSCRIPTION_REF_DOMAIN2,
                               S7P_VF_ADDRESS_ARRAY, S7P_DT_UINT, 1);
    s7p_value *langs = dom ? add_array(ref, a, S7P_ID_ALARM_SUBSCRIPTION_LANGUAGES,
                                       S7P_VF_ADDRESS_ARRAY, S7P_DT_UDINT, (uint32_t)r->n_lcids)
                           : NULL;
    if (!langs) return false;
    dom->elems[0].u = ALL_DOMAINS;
    for (size_t i = 0; i < r->n_lcids; i++) langs->elems[i].u = r->lcids[i];
    return add_scalar(ref, a, S7P_ID_ALARM_SUBSCRIPTION_SEND_TEXTS, S7P_DT_BOOL, 1) &&
           s7p_object_add_relation(ref, a, S7P_ID_ALARM_SUBSCRIPTION_REF_SUBSYSTEM,
                                   S7P_ID_ALARM_SUBSYSTEM) &&
           s7p_object_add_child(o, a, ref);
}

bool s7p_sub_object_build(s7p_arena *a, const s7p_sub_params *p, s7p_object **out)
{
    *out = NULL;
    s7p_object *o = s7p_object_new(a, p->rel_id, S7P_ID_CLASS_SUBSCRIPTION);
    if (!o || !add_name(o, a, p->rel_id)) return false;
    bool ok = add_scalar(o, a, S7P_ID_SUBSCRIPTION_FUNCTION_CLASS_ID, S7P_DT_USINT,
                         p->function_class) &&
              add_scalar(o, a, S7P_ID_SUBSCRIPTION_MISSED_SENDINGS, S7P_DT_UINT, 0) &&
              add_scalar(o, a, S7P_ID_SUBSCRIPTION_SUBSYSTEM_ERROR, S7P_DT_LINT, 0) &&
              add_scalar(o, a, S7P_ID_SUBSCRIPTION_ROUTE_MODE, S7P_DT_USINT, p->route_mode) &&
              add_scalar(o, a, S7P_ID_SUBSCRIPTION_ACTIVE, S7P_DT_BOOL, 1);
    s7p_value *refs = ok ? s7p_object_add_attr(o, a, S7P_ID_SUBSCRIPTION_REFERENCE_LIST) : NULL;
    ok = refs && s7p_sub_refs_to_value(&p->refs, a, refs) &&
         add_scalar(o, a, S7P_ID_SUBSCRIPTION_CYCLE_TIME, S7P_DT_UDINT, p->cycle_ms) &&
         add_scalar(o, a, S7P_ID_SUBSCRIPTION_DELAY_TIME, S7P_DT_UDINT, 0) &&
         add_scalar(o, a, S7P_ID_SUBSCRIPTION_DISABLED, S7P_DT_USINT, 0) &&
         add_scalar(o, a, S7P_ID_SUBSCRIPTION_COUNT, S7P_DT_USINT, 0) &&
         add_scalar(o, a, S7P_ID_SUBSCRIPTION_CREDIT_LIMIT, S7P_DT_INT,
                    (uint64_t)(int64_t)p->credit_limit) &&
         add_scalar(o, a, S7P_ID_SUBSCRIPTION_TICKS, S7P_DT_UINT, 0xFFFFu);
    if (ok && p->function_class == S7P_SUB_FC_ALARMS) ok = add_alarm_ref(o, a, &p->alarm);
    if (ok) *out = o;
    return ok;
}

static bool is_signed_type(uint8_t t)
{
    return t == S7P_DT_SINT || t == S7P_DT_INT || t == S7P_DT_DINT || t == S7P_DT_LINT;
}

static bool is_unsigned_type(uint8_t t)
{
    return t == S7P_DT_BOOL || t == S7P_DT_USINT || t == S7P_DT_UINT || t == S7P_DT_UDINT ||
           t == S7P_DT_ULINT || t == S7P_DT_BYTE || t == S7P_DT_WORD || t == S7P_DT_DWORD ||
           t == S7P_DT_LWORD;
}

/* An integer attribute in [lo, hi], of any integer type; absent: def when optional. */
static bool attr_int(const s7p_object *o, uint32_t id, bool mandatory, int64_t lo, int64_t hi,
                     int64_t def, int64_t *out)
{
    const s7p_value *v = s7p_object_attr(o, id);
    *out = def;
    if (!v) return !mandatory;
    if (s7p_value_is_array(v) || s7p_value_is_sparse(v)) return false;
    int64_t x;
    if (is_signed_type(v->type)) x = v->v.i;
    else if (is_unsigned_type(v->type) && v->v.u <= (uint64_t)INT64_MAX) x = (int64_t)v->v.u;
    else return false;
    if (x < lo || x > hi) return false;
    *out = x;
    return true;
}

/* The language filter of a class-2662 child: a UDInt (or UInt) array, at most
 * S7P_SUB_MAX_LCIDS LCIDs of 16 bits; absent: all languages. */
static s7p_status parse_alarm_ref(const s7p_object *ref, s7p_arena *a, s7p_sub_alarm_ref *out)
{
    const s7p_value *v = s7p_object_attr(ref, S7P_ID_ALARM_SUBSCRIPTION_LANGUAGES);
    out->present = true;
    if (!v) return S7P_OK;
    if (!s7p_value_is_array(v) || (v->type != S7P_DT_UDINT && v->type != S7P_DT_UINT) ||
        v->count > S7P_SUB_MAX_LCIDS || (v->count && !v->elems))
        return S7P_E_PROTOCOL;
    uint32_t *l = v->count ? s7p_arena_array(a, v->count, sizeof *l) : NULL;
    if (v->count && !l) return S7P_E_NOMEM;
    for (uint32_t i = 0; i < v->count; i++) {
        if (v->elems[i].u > 0xFFFFu) return S7P_E_PROTOCOL;
        l[i] = (uint32_t)v->elems[i].u;
    }
    out->lcids = l;
    out->n_lcids = v->count;
    return S7P_OK;
}

static const s7p_object *alarm_ref_child(const s7p_object *o)
{
    for (const s7p_obj_elem *e = o->first; e; e = e->next)
        if (e->tag == S7P_EL_START_OBJECT &&
            e->u.child->class_id == S7P_ID_ALARM_SUBSCRIPTION_REF_CLASS)
            return e->u.child;
    return NULL;
}

s7p_status s7p_sub_object_parse(const s7p_object *o, s7p_arena *a, s7p_sub_params *out)
{
    memset(out, 0, sizeof *out);
    if (o->class_id != S7P_ID_CLASS_SUBSCRIPTION) return S7P_E_PROTOCOL;
    int64_t fc, route, cycle, credit;
    if (!attr_int(o, S7P_ID_SUBSCRIPTION_FUNCTION_CLASS_ID, false, 0, 255, 0, &fc) ||
        !attr_int(o, S7P_ID_SUBSCRIPTION_ROUTE_MODE, true, 0, 255, 0, &route) ||
        !attr_int(o, S7P_ID_SUBSCRIPTION_CYCLE_TIME, true, 0, UINT32_MAX, 0, &cycle) ||
        !attr_int(o, S7P_ID_SUBSCRIPTION_CREDIT_LIMIT, true, INT16_MIN, INT16_MAX, 0, &credit))
        return S7P_E_PROTOCOL;
    const s7p_value *refs = s7p_object_attr(o, S7P_ID_SUBSCRIPTION_REFERENCE_LIST);
    if (!refs) return S7P_E_PROTOCOL;
    s7p_status st = s7p_sub_refs_from_value(refs, a, &out->refs);
    const s7p_object *ref = st == S7P_OK ? alarm_ref_child(o) : NULL;
    if (ref) st = parse_alarm_ref(ref, a, &out->alarm);
    if (st != S7P_OK) return st;
    out->rel_id = o->rel_id;
    out->function_class = (uint8_t)fc;
    out->route_mode = (uint8_t)route;
    out->cycle_ms = (uint32_t)cycle;
    out->credit_limit = (int16_t)credit;
    return S7P_OK;
}

/* SPDX-License-Identifier: MIT */
/* DAI objects <-> s7p_dai (alarm.h): the one codec of alarm instances, used by the client's
 * decoder and by the simulator's encoder alike. */
#include "proto/alarm.h"

#include <stdio.h>
#include <string.h>

const uint32_t s7p_dai_attrs[10] = {
    S7P_ID_DAI_CPU_ALARM_ID, S7P_ID_DAI_ALL_STATES_INFO, S7P_ID_DAI_ALARM_DOMAIN,
    S7P_ID_DAI_COMING,       S7P_ID_DAI_GOING,           S7P_ID_DAI_MESSAGE_TYPE,
    S7P_ID_DAI_HMI_INFO,     S7P_ID_OBJECT_VARIABLE_TYPE_NAME,
    S7P_ID_DAI_SEQUENCE_COUNTER, S7P_ID_DAI_ALARM_TEXTS,
};

/* ---- HmiInfo ---- */

static size_t hmi_len(uint16_t syntax_id)
{
    return syntax_id >= 258 ? 17u : syntax_id == 257 ? 12u : 9u;
}

s7p_status s7p_hmi_info_decode(const uint8_t *p, size_t n, s7p_hmi_info *out)
{
    memset(out, 0, sizeof *out);
    if (n < 9 || n > S7P_HMI_INFO_MAX) return S7P_E_PROTOCOL;
    s7p_rd r = s7p_rd_init(p, n);
    s7p_rd_u16be(&r, &out->syntax_id);
    s7p_rd_u16be(&r, &out->version);
    s7p_rd_u32be(&r, &out->client_alarm_id);
    s7p_rd_u8(&r, &out->priority);
    /* A longer blob than the syntax id needs is kept short: later fields are unknown. */
    if (n < hmi_len(out->syntax_id)) return S7P_E_PROTOCOL;
    if (out->syntax_id < 257) return S7P_OK;
    for (int i = 0; i < 3; i++) s7p_rd_u8(&r, &out->reserved[i]);
    if (out->syntax_id < 258) return S7P_OK;
    s7p_rd_u16be(&r, &out->alarm_class);
    s7p_rd_u8(&r, &out->producer);
    s7p_rd_u8(&r, &out->group_id);
    s7p_rd_u8(&r, &out->flags);
    return r.err;
}

size_t s7p_hmi_info_encode(const s7p_hmi_info *h, uint8_t out[S7P_HMI_INFO_MAX])
{
    s7p_wr w = s7p_wr_init(out, S7P_HMI_INFO_MAX);
    s7p_wr_u16be(&w, h->syntax_id);
    s7p_wr_u16be(&w, h->version);
    s7p_wr_u32be(&w, h->client_alarm_id);
    s7p_wr_u8(&w, h->priority);
    if (h->syntax_id >= 257)
        for (int i = 0; i < 3; i++) s7p_wr_u8(&w, h->reserved[i]);
    if (h->syntax_id >= 258) {
        s7p_wr_u16be(&w, h->alarm_class);
        s7p_wr_u8(&w, h->producer);
        s7p_wr_u8(&w, h->group_id);
        s7p_wr_u8(&w, h->flags);
    }
    return w.len;
}

/* ---- decoding ---- */

typedef struct dctx {
    s7p_arena *a;
    char *why;
    size_t why_len;
} dctx;

static s7p_status bad(dctx *c, uint32_t id, const char *what)
{
    if (c->why_len) snprintf(c->why, c->why_len, "DAI attribute %u: %s", (unsigned)id, what);
    return S7P_E_PROTOCOL;
}

/* An unsigned scalar of any integer or bit-string type. */
static bool scalar_u64(const s7p_value *v, uint64_t *out)
{
    if (s7p_value_is_array(v) || s7p_value_is_sparse(v)) return false;
    switch (v->type) {
    case S7P_DT_BOOL: case S7P_DT_USINT: case S7P_DT_UINT: case S7P_DT_UDINT:
    case S7P_DT_ULINT: case S7P_DT_BYTE: case S7P_DT_WORD: case S7P_DT_DWORD:
    case S7P_DT_LWORD: case S7P_DT_TIMESTAMP:
        *out = v->v.u;
        return true;
    case S7P_DT_SINT: case S7P_DT_INT: case S7P_DT_DINT: case S7P_DT_LINT:
        *out = (uint64_t)v->v.i;
        return true;
    default: return false;
    }
}

/* The bytes of a blob: plain, or the extended form with a byte payload. */
static bool blob_bytes(const s7p_blob *b, s7p_bytes *out)
{
    if (!b) return false;
    if (b->root_id > 1 && b->blob_type != 2 && b->blob_type != 3) return false;
    *out = b->data;
    return true;
}

static s7p_status take_values(dctx *c, const s7p_value *v, s7p_as_cgs *g)
{
    if (v->type != S7P_DT_BLOB || !s7p_value_is_array(v) || (v->count && !v->elems))
        return bad(c, S7P_ID_AS_CGS_ASSOCIATED_VALUES, "not a Blob array");
    if (v->count > S7P_DAI_MAX_VALUES)
        return bad(c, S7P_ID_AS_CGS_ASSOCIATED_VALUES, "too many associated values");
    g->values = v->count ? s7p_arena_array(c->a, v->count, sizeof *g->values) : NULL;
    if (v->count && !g->values) return S7P_E_NOMEM;
    for (uint32_t i = 0; i < v->count; i++) {
        const s7p_blob *b = v->elems[i].blob;
        if (!blob_bytes(b, &g->values[i].data))
            return bad(c, S7P_ID_AS_CGS_ASSOCIATED_VALUES, "a value is not a byte blob");
        g->values[i].root_id = b->root_id;
    }
    g->nvalues = v->count;
    return S7P_OK;
}

static s7p_status take_cgs_member(dctx *c, const s7p_member *m, s7p_as_cgs *g)
{
    uint64_t u;
    switch (m->id) {
    case S7P_ID_AS_CGS_ALL_STATES_INFO:
        if (!scalar_u64(&m->value, &u) || u > 0xFF) return bad(c, m->id, "not a USInt");
        g->all_states = (uint8_t)u;
        return S7P_OK;
    case S7P_ID_AS_CGS_TIMESTAMP:
    case S7P_ID_AS_CGS_ACK_TIMESTAMP:
        if (!scalar_u64(&m->value, &u)) return bad(c, m->id, "not a Timestamp");
        *(m->id == S7P_ID_AS_CGS_TIMESTAMP ? &g->timestamp : &g->ack_timestamp) = u;
        return S7P_OK;
    case S7P_ID_AS_CGS_ASSOCIATED_VALUES: return take_values(c, &m->value, g);
    default: return S7P_OK;  /* members we do not know are skipped */
    }
}

static s7p_status take_cgs(dctx *c, uint32_t id, const s7p_value *v, s7p_as_cgs *g)
{
    if (v->type != S7P_DT_STRUCT || !v->v.st || (v->flags & S7P_VF_ADDRESS_ARRAY) ||
        s7p_struct_id_is_packed(v->v.st->id))
        return bad(c, id, "not an AS_CGS struct");
    memset(g, 0, sizeof *g);
    g->present = true;
    for (const s7p_member *m = v->v.st->members.first; m; m = m->next) {
        s7p_status st = take_cgs_member(c, m, g);
        if (st != S7P_OK) return st;
    }
    return S7P_OK;
}

static s7p_status take_texts(dctx *c, const s7p_value *v, s7p_dai *d)
{
    if (v->type != S7P_DT_BLOB || !s7p_value_is_sparse(v) || (v->count && (!v->elems || !v->keys)))
        return bad(c, S7P_ID_DAI_ALARM_TEXTS, "not a sparse Blob array");
    if (v->count > S7P_DAI_MAX_TEXTS) return bad(c, S7P_ID_DAI_ALARM_TEXTS, "too many texts");
    d->texts = v->count ? s7p_arena_array(c->a, v->count, sizeof *d->texts) : NULL;
    if (v->count && !d->texts) return S7P_E_NOMEM;
    for (uint32_t i = 0; i < v->count; i++) {
        if (!blob_bytes(v->elems[i].blob, &d->texts[i].text))
            return bad(c, S7P_ID_DAI_ALARM_TEXTS, "a text is not a byte blob");
        d->texts[i].key = v->keys[i];
    }
    d->ntexts = v->count;
    d->has |= S7P_DAI_HAS_TEXTS;
    return S7P_OK;
}

static s7p_status take_hmi(dctx *c, const s7p_value *v, s7p_dai *d)
{
    s7p_bytes b;
    if (v->type != S7P_DT_BLOB || s7p_value_is_array(v) || s7p_value_is_sparse(v) ||
        !blob_bytes(v->v.blob, &b))
        return bad(c, S7P_ID_DAI_HMI_INFO, "not a Blob");
    if (s7p_hmi_info_decode(b.p, b.n, &d->hmi) != S7P_OK)
        return bad(c, S7P_ID_DAI_HMI_INFO, "HmiInfo of a wrong length");
    d->has |= S7P_DAI_HAS_HMI;
    return S7P_OK;
}

/* A scalar attribute into an integer field, with its range. */
static s7p_status take_int(dctx *c, uint32_t id, const s7p_value *v, uint64_t max, bool is_signed,
                           uint64_t *out)
{
    if (!scalar_u64(v, out)) return bad(c, id, "not an integer");
    if (is_signed) {
        int64_t i = (int64_t)*out;
        if (i < INT32_MIN || i > INT32_MAX) return bad(c, id, "out of range");
    } else if (*out > max) {
        return bad(c, id, "out of range");
    }
    return S7P_OK;
}

static s7p_status take_number(dctx *c, uint32_t id, const s7p_value *v, s7p_dai *d)
{
    uint64_t u = 0;
    s7p_status st;
    switch (id) {
    case S7P_ID_DAI_CPU_ALARM_ID:
        if ((st = take_int(c, id, v, UINT64_MAX, false, &u)) == S7P_OK) d->cpu_alarm_id = u;
        d->has |= S7P_DAI_HAS_ID;
        return st;
    case S7P_ID_DAI_ALL_STATES_INFO:
        if ((st = take_int(c, id, v, 0xFF, false, &u)) == S7P_OK) d->all_states = (uint8_t)u;
        d->has |= S7P_DAI_HAS_STATES;
        return st;
    case S7P_ID_DAI_ALARM_DOMAIN:
        if ((st = take_int(c, id, v, 0xFFFF, false, &u)) == S7P_OK) d->domain = (uint16_t)u;
        d->has |= S7P_DAI_HAS_DOMAIN;
        return st;
    case S7P_ID_DAI_MESSAGE_TYPE:
        if ((st = take_int(c, id, v, 0, true, &u)) == S7P_OK) d->message_type = (int32_t)(int64_t)u;
        d->has |= S7P_DAI_HAS_MESSAGE_TYPE;
        return st;
    default:  /* S7P_ID_DAI_SEQUENCE_COUNTER */
        if ((st = take_int(c, id, v, UINT32_MAX, false, &u)) == S7P_OK)
            d->sequence_counter = (uint32_t)u;
        d->has |= S7P_DAI_HAS_SEQUENCE;
        return st;
    }
}

static s7p_status take_attr(dctx *c, const s7p_member *m, s7p_dai *d)
{
    const s7p_value *v = &m->value;
    switch (m->id) {
    case S7P_ID_OBJECT_VARIABLE_TYPE_NAME:
        if (v->type != S7P_DT_WSTRING || s7p_value_is_array(v) || s7p_value_is_sparse(v))
            return bad(c, m->id, "not a WString");
        d->name = v->v.s;
        d->has |= S7P_DAI_HAS_NAME;
        return S7P_OK;
    case S7P_ID_DAI_CPU_ALARM_ID: case S7P_ID_DAI_ALL_STATES_INFO: case S7P_ID_DAI_ALARM_DOMAIN:
    case S7P_ID_DAI_MESSAGE_TYPE: case S7P_ID_DAI_SEQUENCE_COUNTER:
        return take_number(c, m->id, v, d);
    case S7P_ID_DAI_HMI_INFO: return take_hmi(c, v, d);
    case S7P_ID_DAI_COMING: return take_cgs(c, m->id, v, &d->coming);
    case S7P_ID_DAI_GOING: return take_cgs(c, m->id, v, &d->going);
    case S7P_ID_DAI_ALARM_TEXTS: return take_texts(c, v, d);
    default: return S7P_OK;
    }
}

bool s7p_dai_is(const s7p_object *o) { return o && o->class_id == S7P_ID_DAI_CLASS; }

s7p_status s7p_dai_decode(const s7p_object *o, s7p_arena *a, s7p_dai *out, char *why,
                          size_t why_len)
{
    dctx c = {a, why, why_len};
    memset(out, 0, sizeof *out);
    if (why_len) why[0] = '\0';
    if (!s7p_dai_is(o)) {
        if (why_len) snprintf(why, why_len, "object of class %u is no DAI", (unsigned)o->class_id);
        return S7P_E_PROTOCOL;
    }
    out->rel_id = o->rel_id;
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        if (e->tag != S7P_EL_ATTRIBUTE) continue;
        s7p_status st = take_attr(&c, &e->u.attr, out);
        if (st != S7P_OK) return st;
    }
    return S7P_OK;
}

/* ---- encoding ---- */

static s7p_blob *new_blob(s7p_arena *a, uint32_t root_id, s7p_bytes data)
{
    s7p_blob *b = s7p_arena_alloc(a, sizeof *b);
    if (!b) return NULL;
    memset(b, 0, sizeof *b);
    b->root_id = root_id;
    /* Extended form for type-info roots: a byte payload (blob type 2, UNSURE: 3 also seen). */
    if (root_id > 1) b->blob_type = 2;
    b->data = data;
    return b;
}

static bool put_scalar(s7p_value *v, uint8_t type, uint64_t u)
{
    if (!v) return false;
    v->type = type;
    v->v.u = u;
    return true;
}

static bool put_cgs(s7p_object *o, s7p_arena *a, uint32_t id, const s7p_as_cgs *g)
{
    s7p_value *v = s7p_object_add_attr(o, a, id);
    s7p_struct *st = v ? s7p_arena_alloc(a, sizeof *st) : NULL;
    if (!st) return false;
    memset(st, 0, sizeof *st);
    st->id = S7P_ID_AS_CGS_CLASS;
    v->type = S7P_DT_STRUCT;
    v->v.st = st;
    if (!put_scalar(s7p_idlist_add(&st->members, a, S7P_ID_AS_CGS_ALL_STATES_INFO), S7P_DT_USINT,
                    g->all_states) ||
        !put_scalar(s7p_idlist_add(&st->members, a, S7P_ID_AS_CGS_TIMESTAMP), S7P_DT_TIMESTAMP,
                    g->timestamp))
        return false;
    s7p_value *vals = s7p_idlist_add(&st->members, a, S7P_ID_AS_CGS_ASSOCIATED_VALUES);
    if (!vals) return false;
    vals->flags = S7P_VF_ARRAY;
    vals->type = S7P_DT_BLOB;
    vals->count = g->nvalues;
    vals->elems = g->nvalues ? s7p_arena_array(a, g->nvalues, sizeof *vals->elems) : NULL;
    if (g->nvalues && !vals->elems) return false;
    for (uint32_t i = 0; i < g->nvalues; i++)
        if (!(vals->elems[i].blob = new_blob(a, g->values[i].root_id, g->values[i].data)))
            return false;
    return put_scalar(s7p_idlist_add(&st->members, a, S7P_ID_AS_CGS_ACK_TIMESTAMP),
                      S7P_DT_TIMESTAMP, g->ack_timestamp);
}

static bool lcid_wanted(uint32_t key, const uint16_t *lcids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((key >> 16) == lcids[i]) return true;
    return n == 0;
}

static bool put_texts(s7p_object *o, s7p_arena *a, const s7p_dai *d, const uint16_t *lcids,
                      size_t nlcids)
{
    s7p_value *v = s7p_object_add_attr(o, a, S7P_ID_DAI_ALARM_TEXTS);
    if (!v) return false;
    v->flags = S7P_VF_SPARSE;
    v->type = S7P_DT_BLOB;
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->ntexts; i++) n += lcid_wanted(d->texts[i].key, lcids, nlcids);
    if (!n) return true;
    v->keys = s7p_arena_array(a, n, sizeof *v->keys);
    v->elems = s7p_arena_array(a, n, sizeof *v->elems);
    if (!v->keys || !v->elems) return false;
    for (uint32_t i = 0; i < d->ntexts; i++) {
        if (!lcid_wanted(d->texts[i].key, lcids, nlcids)) continue;
        v->keys[v->count] = d->texts[i].key;
        if (!(v->elems[v->count].blob = new_blob(a, 0, d->texts[i].text))) return false;
        v->count++;
    }
    return true;
}

static bool put_hmi(s7p_object *o, s7p_arena *a, const s7p_hmi_info *h)
{
    uint8_t *buf = s7p_arena_alloc(a, S7P_HMI_INFO_MAX);
    s7p_value *v = buf ? s7p_object_add_attr(o, a, S7P_ID_DAI_HMI_INFO) : NULL;
    if (!v) return false;
    s7p_bytes b = {buf, s7p_hmi_info_encode(h, buf)};
    v->type = S7P_DT_BLOB;
    return (v->v.blob = new_blob(a, 0, b)) != NULL;
}

static bool put_attr(s7p_object *o, s7p_arena *a, uint32_t id, const s7p_dai *d,
                     const uint16_t *lcids, size_t nlcids)
{
    switch (id) {
    case S7P_ID_OBJECT_VARIABLE_TYPE_NAME: {
        s7p_value *v = s7p_object_add_attr(o, a, id);
        if (!v) return false;
        v->type = S7P_DT_WSTRING;
        v->v.s = d->name;
        return true;
    }
    case S7P_ID_DAI_CPU_ALARM_ID:
        return put_scalar(s7p_object_add_attr(o, a, id), S7P_DT_LWORD, d->cpu_alarm_id);
    case S7P_ID_DAI_ALL_STATES_INFO:
        return put_scalar(s7p_object_add_attr(o, a, id), S7P_DT_USINT, d->all_states);
    case S7P_ID_DAI_ALARM_DOMAIN:
        return put_scalar(s7p_object_add_attr(o, a, id), S7P_DT_UINT, d->domain);
    case S7P_ID_DAI_MESSAGE_TYPE: {
        s7p_value *v = s7p_object_add_attr(o, a, id);
        if (!v) return false;
        v->type = S7P_DT_DINT;
        v->v.i = d->message_type;
        return true;
    }
    case S7P_ID_DAI_SEQUENCE_COUNTER:
        return put_scalar(s7p_object_add_attr(o, a, id), S7P_DT_UDINT, d->sequence_counter);
    case S7P_ID_DAI_HMI_INFO: return put_hmi(o, a, &d->hmi);
    case S7P_ID_DAI_COMING: return !d->coming.present || put_cgs(o, a, id, &d->coming);
    case S7P_ID_DAI_GOING: return !d->going.present || put_cgs(o, a, id, &d->going);
    case S7P_ID_DAI_ALARM_TEXTS: return put_texts(o, a, d, lcids, nlcids);
    default: return true;  /* an attribute a DAI does not have */
    }
}

s7p_object *s7p_dai_encode(const s7p_dai *d, s7p_arena *a, const uint32_t *attrs, size_t nattrs,
                           const uint16_t *lcids, size_t nlcids)
{
    if (!attrs) {
        attrs = s7p_dai_attrs;
        nattrs = sizeof s7p_dai_attrs / sizeof s7p_dai_attrs[0];
    }
    s7p_object *o = s7p_object_new(a, d->rel_id, S7P_ID_DAI_CLASS);
    if (!o) return NULL;
    for (size_t i = 0; i < nattrs; i++) {
        bool dup = false;  /* an id asked for twice is sent once */
        for (size_t j = 0; j < i && !dup; j++) dup = attrs[j] == attrs[i];
        if (!dup && !put_attr(o, a, attrs[i], d, lcids, nlcids)) return NULL;
    }
    return o;
}

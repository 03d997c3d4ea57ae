/* SPDX-License-Identifier: MIT */
/* The legacy handshake's messages over the proto/ codec. Sources of the layouts and of the
 * variant choice: docs/protocol.md "Legacy challenge authentication". */
#include <string.h>

#include "legacy/handshake.h"
#include "legacy/plcsim.h"
#include "proto/items.h"

/* ---- the CreateObject response ----------------------------------------------------- */

s7p_status s7p_legacy_challenge_read(const s7p_value *v, uint8_t out[S7P_LEGACY_CHALLENGE_LEN])
{
    if (!v || v->type != S7P_DT_USINT || !(v->flags & S7P_VF_ARRAY) || s7p_value_is_sparse(v) ||
        (v->flags & S7P_VF_ADDRESS_ARRAY) || v->count != S7P_LEGACY_CHALLENGE_LEN ||
        v->v.s.n != S7P_LEGACY_CHALLENGE_LEN)
        return S7P_E_PROTOCOL;
    memcpy(out, v->v.s.p, S7P_LEGACY_CHALLENGE_LEN);
    return S7P_OK;
}

static s7p_bytes paom_of(const s7p_value *ver)
{
    s7p_bytes none = {NULL, 0};
    if (!ver || ver->type != S7P_DT_STRUCT || !ver->v.st) return none;
    const s7p_value *p = s7p_idlist_find(&ver->v.st->members, S7P_ID_SYSTEM_PAOM_STRING);
    return p && p->type == S7P_DT_WSTRING && !s7p_value_is_array(p) ? p->v.s : none;
}

s7p_status s7p_legacy_server_hello_read(const s7p_object *session, s7p_legacy_server_hello *out)
{
    memset(out, 0, sizeof *out);
    if (!session) return S7P_E_INVALID_ARG;
    const s7p_value *fp = s7p_object_attr(session, S7P_ID_OBJECT_VARIABLE_TYPE_NAME);
    const s7p_value *ch = s7p_object_attr(session, S7P_ID_SERVER_SESSION_CHALLENGE);
    const s7p_value *ver = s7p_object_attr(session, S7P_ID_SESSION_VERSION_STRUCT);
    if (!ver) ver = s7p_object_attr(session, S7P_ID_SERVER_SESSION_VERSION);
    /* An empty 233 beside a challenge is a CPU without the key handshake (the S7-1511 FW V1.0
     * of the captures answers so): no legacy challenge offered either. */
    if (!fp || !ch || (fp->type == S7P_DT_WSTRING && fp->v.s.n == 0)) return S7P_E_NOT_FOUND;
    if (fp->type != S7P_DT_WSTRING || s7p_value_is_array(fp) || !ver ||
        ver->type != S7P_DT_STRUCT || !ver->v.st)
        return S7P_E_PROTOCOL;
    s7p_status st = s7p_legacy_challenge_read(ch, out->challenge);
    if (st == S7P_OK)
        st = s7p_legacy_fingerprint_parse((const char *)fp->v.s.p, fp->v.s.n, &out->fingerprint);
    if (st != S7P_OK) return S7P_E_PROTOCOL;
    out->fingerprint_text = fp->v.s;
    out->version = ver;
    out->paom = paom_of(ver);
    return S7P_OK;
}

/* ";V<major>." with major 3..9 anywhere in the PAOM string (e.g. "...;V3.1"). */
static bool paom_v3_to_v9(s7p_bytes paom)
{
    for (size_t i = 0; i + 3 < paom.n; i++)
        if (paom.p[i] == ';' && (paom.p[i + 1] == 'V' || paom.p[i + 1] == 'v') &&
            paom.p[i + 2] >= '3' && paom.p[i + 2] <= '9' && paom.p[i + 3] == '.')
            return true;
    return false;
}

s7p_legacy_variant s7p_legacy_select_variant(uint8_t family, uint32_t session_id, s7p_bytes paom)
{
    if (family == S7P_LEGACY_FAMILY_PLCSIM) return S7P_LEGACY_VARIANT_ROLE;
    if (family == S7P_LEGACY_FAMILY_S71500 && session_id >= S7P_LEGACY_HIGH_SESSION_ID &&
        paom_v3_to_v9(paom))
        return S7P_LEGACY_VARIANT_ROLE;
    return S7P_LEGACY_VARIANT_PLAIN;
}

/* ---- StructSecurityKey -------------------------------------------------------------- */

uint32_t s7p_legacy_struct_sym_flags(uint8_t family) { return 0x10001u | (uint32_t)family << 8; }

static s7p_struct *new_struct(s7p_arena *a, uint32_t id, s7p_value *v)
{
    s7p_struct *st = s7p_arena_alloc(a, sizeof *st);
    if (!st) return NULL;
    memset(st, 0, sizeof *st);
    st->id = id;
    memset(v, 0, sizeof *v);
    v->type = S7P_DT_STRUCT;
    v->v.st = st;
    return st;
}

static bool add_scalar(s7p_struct *st, s7p_arena *a, uint32_t id, uint8_t type, uint64_t u)
{
    s7p_value *v = s7p_idlist_add(&st->members, a, id);
    if (!v) return false;
    v->type = type;
    v->v.u = u;
    return true;
}

static bool add_key_id(s7p_struct *st, s7p_arena *a, uint32_t id, uint64_t key_id, uint32_t flags)
{
    s7p_value *v = s7p_idlist_add(&st->members, a, id);
    s7p_struct *k = v ? new_struct(a, S7P_ID_STRUCT_SECURITY_KEY_ID, v) : NULL;
    return k && add_scalar(k, a, S7P_ID_SECURITY_KEY_ID_VALUE, S7P_DT_ULINT, key_id) &&
           add_scalar(k, a, S7P_ID_SECURITY_KEY_ID_FLAGS, S7P_DT_UDINT, flags) &&
           add_scalar(k, a, S7P_ID_SECURITY_KEY_ID_INTERNAL_FLAGS, S7P_DT_UDINT, 0);
}

bool s7p_legacy_security_key_value(s7p_arena *a, const s7p_legacy_security_key *k, s7p_value *out)
{
    s7p_struct *st = new_struct(a, S7P_ID_STRUCT_SECURITY_KEY, out);
    s7p_blob *b = s7p_arena_alloc(a, sizeof *b);
    if (!st || !b || !add_scalar(st, a, S7P_ID_SECURITY_KEY_VERSION, S7P_DT_UDINT, 0) ||
        !add_scalar(st, a, S7P_ID_SECURITY_KEY_SECURITY_LEVEL, S7P_DT_USINT, 0) ||
        !add_key_id(st, a, S7P_ID_SECURITY_KEY_PUBLIC_KEY_ID, k->pub_id, k->pub_flags) ||
        !add_key_id(st, a, S7P_ID_SECURITY_KEY_SYMMETRIC_KEY_ID, k->sym_id, k->sym_flags))
        return false;
    memset(b, 0, sizeof *b);
    b->data = k->blob;
    s7p_value *v = s7p_idlist_add(&st->members, a, S7P_ID_SECURITY_KEY_ENCRYPTED_KEY);
    if (!v) return false;
    v->type = S7P_DT_BLOB;
    v->v.blob = b;
    return true;
}

static const s7p_value *member(const s7p_value *v, uint32_t struct_id, uint32_t id, uint8_t type)
{
    if (!v || v->type != S7P_DT_STRUCT || s7p_value_is_array(v) || !v->v.st ||
        v->v.st->id != struct_id)
        return NULL;
    const s7p_value *m = s7p_idlist_find(&v->v.st->members, id);
    return m && m->type == type && !s7p_value_is_array(m) ? m : NULL;
}

static bool read_key_id(const s7p_value *sk, uint32_t id, uint64_t *key_id, uint32_t *flags)
{
    const s7p_value *k = member(sk, S7P_ID_STRUCT_SECURITY_KEY, id, S7P_DT_STRUCT);
    const s7p_value *val = member(k, S7P_ID_STRUCT_SECURITY_KEY_ID, S7P_ID_SECURITY_KEY_ID_VALUE, S7P_DT_ULINT);
    const s7p_value *fl = member(k, S7P_ID_STRUCT_SECURITY_KEY_ID, S7P_ID_SECURITY_KEY_ID_FLAGS, S7P_DT_UDINT);
    if (!val || !fl || fl->v.u > UINT32_MAX) return false;
    *key_id = val->v.u;
    *flags = (uint32_t)fl->v.u;
    return true;
}

s7p_status s7p_legacy_security_key_read(const s7p_value *v, s7p_legacy_security_key *out)
{
    memset(out, 0, sizeof *out);
    const s7p_value *blob = member(v, S7P_ID_STRUCT_SECURITY_KEY, S7P_ID_SECURITY_KEY_ENCRYPTED_KEY, S7P_DT_BLOB);
    if (!blob || !blob->v.blob || blob->v.blob->root_id > 1 ||
        !read_key_id(v, S7P_ID_SECURITY_KEY_PUBLIC_KEY_ID, &out->pub_id, &out->pub_flags) ||
        !read_key_id(v, S7P_ID_SECURITY_KEY_SYMMETRIC_KEY_ID, &out->sym_id, &out->sym_flags))
        return S7P_E_PROTOCOL;
    out->blob = blob->v.blob->data;
    return S7P_OK;
}

/* ---- the authenticating request ------------------------------------------------------ */

static bool add_item(s7p_req_set_multi *b, uint32_t *ids, s7p_arena *a, uint32_t id, s7p_value **v)
{
    ids[b->nids++] = id;
    b->item_count++;
    *v = s7p_idlist_add(&b->values, a, b->item_count);
    return *v != NULL;
}

static bool add_role_items(s7p_req_set_multi *b, uint32_t *ids, s7p_arena *a,
                           const s7p_legacy_auth_params *p)
{
    s7p_value *v;
    if (p->variant == S7P_LEGACY_VARIANT_ROLES) {
        s7p_scalar *e = s7p_arena_alloc(a, sizeof *e);
        if (!e || !add_item(b, ids, a, S7P_ID_SERVER_SESSION_ROLES, &v)) return false;
        e->u = p->role;
        v->flags = S7P_VF_ADDRESS_ARRAY;
        v->type = S7P_DT_UINT;
        v->count = 1;
        v->elems = e;
        return true;
    }
    if (p->variant == S7P_LEGACY_VARIANT_ROLE || p->variant == S7P_LEGACY_VARIANT_PLCSIM) {
        if (!add_item(b, ids, a, S7P_ID_SERVER_SESSION_ROLE, &v)) return false;
        v->type = S7P_DT_UDINT;
        v->v.u = p->role;
    }
    if (p->variant == S7P_LEGACY_VARIANT_PLCSIM) {
        if (!add_item(b, ids, a, S7P_ID_LEGACY_COMPAT_FLAG, &v)) return false;
        v->type = S7P_DT_UDINT;
        v->v.u = 1;
    }
    return true;
}

s7p_status s7p_legacy_auth_request(s7p_arena *a, const s7p_legacy_auth_params *p, s7p_pdu *out)
{
    if (!p->version || p->version->type != S7P_DT_STRUCT) return S7P_E_INVALID_ARG;
    s7p_pdu_init_request(out, S7P_PROTO_V2, S7P_FC_SET_MULTI_VARIABLES, p->seq, p->session_id,
                         S7P_TF_REQUEST);
    s7p_req_set_multi *b = &out->req.set_multi;
    uint32_t *ids = s7p_arena_array(a, 4, sizeof *ids);
    s7p_value *v;
    b->object_id = p->session_id;
    b->ids = ids;
    if (!ids || !add_item(b, ids, a, S7P_ID_SERVER_SESSION_SESSION_KEY, &v) ||
        !s7p_legacy_security_key_value(a, &p->key, v) ||
        !add_item(b, ids, a, S7P_ID_SERVER_SESSION_VERSION, &v))
        return S7P_E_NOMEM;
    *v = *p->version;
    v->flags = 0;  /* the PLC sends 0x80 on its values; requests carry 0 */
    if (!add_role_items(b, ids, a, p) || !s7p_qualifier_default(&out->qualifier, a))
        return S7P_E_NOMEM;
    return S7P_OK;
}

static s7p_status build_blob(const s7p_legacy_pubkey *pk,
                             const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                             const s7p_legacy_client_random *rnd, s7p_legacy_client_result *out)
{
    if (!s7p_legacy_family_supported(pk->family)) return S7P_E_UNSUPPORTED;
    if (pk->family == S7P_LEGACY_FAMILY_PLCSIM) {
        if (pk->len != S7P_LEGACY_P256_KEY_LEN) return S7P_E_INVALID_ARG;
        out->key.blob.n = S7P_LEGACY_PLCSIM_BLOB_LEN;
        return s7p_legacy_plcsim_blob_build(pk->key, challenge, rnd, out->blob, out->session_key);
    }
    if (pk->len != S7P_LEGACY_CURVE_KEY_LEN) return S7P_E_INVALID_ARG;
    out->key.blob.n = S7P_LEGACY_BLOB_LEN;
    return s7p_legacy_blob_build(pk->family, pk->key, challenge, rnd, out->blob, out->session_key);
}

s7p_status s7p_legacy_client_compute(const s7p_legacy_pubkey *pk,
                                     const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                     const s7p_legacy_client_random *rnd,
                                     s7p_legacy_client_result *out)
{
    uint8_t id[S7P_LEGACY_KEY_ID_LEN];
    if (!pk) return S7P_E_INVALID_ARG;
    s7p_status st = build_blob(pk, challenge, rnd, out);
    if (st == S7P_OK) st = s7p_legacy_key_id(out->session_key, id);
    if (st != S7P_OK) return st;
    out->key.pub_id = pk->id;
    out->key.pub_flags = s7p_legacy_pub_flags(pk->family);
    out->key.sym_id = s7p_legacy_key_id_u64(id);
    out->key.sym_flags = s7p_legacy_struct_sym_flags(pk->family);
    out->key.blob.p = out->blob;
    return S7P_OK;
}

/* ---- refresh ------------------------------------------------------------------------ */

bool s7p_legacy_refresh_challenge_request(s7p_arena *a, uint32_t session_id, s7p_pdu *req)
{
    s7p_pdu_init_request(req, S7P_PROTO_V3, S7P_FC_GET_VAR_SUB_STREAMED, 0, session_id, S7P_TF_REQUEST);
    req->has_v3_digest = true;  /* zeros here; s7p_legacy_digest_sign() fills it once encoded */
    s7p_req_var_sub_streamed *b = &req->req.var_sub_streamed;
    s7p_scalar *e = s7p_arena_alloc(a, sizeof *e);
    if (!e || !s7p_qualifier_default(&req->qualifier, a)) return false;
    e->u = S7P_ID_SERVER_SESSION_CHALLENGE;
    b->object_id = session_id;
    b->value.flags = S7P_VF_ADDRESS_ARRAY;
    b->value.type = S7P_DT_UDINT;
    b->value.count = 1;
    b->value.elems = e;
    b->unknown = 1;
    return true;
}

bool s7p_legacy_refresh_key_request(s7p_arena *a, uint32_t session_id,
                                    const s7p_legacy_security_key *k, s7p_pdu *req)
{
    s7p_pdu_init_request(req, S7P_PROTO_V3, S7P_FC_SET_VARIABLE, 0, session_id, S7P_TF_REQUEST);
    req->has_v3_digest = true;
    s7p_req_set_variable *b = &req->req.set_variable;
    uint32_t *addr = s7p_arena_alloc(a, sizeof *addr);
    if (!addr || !s7p_qualifier_default(&req->qualifier, a)) return false;
    *addr = S7P_ID_SERVER_SESSION_SESSION_KEY;
    b->object_id = session_id;
    b->address_count = 1;
    b->addresses = addr;
    return s7p_legacy_security_key_value(a, k, &b->value);
}

/* ---- digests ------------------------------------------------------------------------ */

#define DIGEST_FIELD (1 + S7P_DIGEST_LEN)

s7p_status s7p_legacy_digest_sign(const uint8_t key[S7P_LEGACY_KEY_LEN], uint8_t *data, size_t len)
{
    if (!data || len < DIGEST_FIELD) return S7P_E_INVALID_ARG;
    data[0] = S7P_DIGEST_LEN;
    return s7p_legacy_digest(key, data + DIGEST_FIELD, len - DIGEST_FIELD, data + 1);
}

s7p_status s7p_legacy_digest_verify(const uint8_t key[S7P_LEGACY_KEY_LEN], const uint8_t *data,
                                    size_t len)
{
    uint8_t d[S7P_DIGEST_LEN];
    if (!data || len < DIGEST_FIELD || data[0] != S7P_DIGEST_LEN) return S7P_E_PROTOCOL;
    s7p_status st = s7p_legacy_digest(key, data + DIGEST_FIELD, len - DIGEST_FIELD, d);
    if (st != S7P_OK) return st;
    return s7p_legacy_digest_equal(d, data + 1) ? S7P_OK : S7P_E_PROTOCOL;
}

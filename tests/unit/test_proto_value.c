/* SPDX-License-Identifier: MIT */
/* PValue codec: every datatype in every shape both ways, the spec's hand-written vectors,
 * cut-short input, limits, allocation bounds and the encoder's error paths. */
#include <stdio.h>

#include "codec_test.h"
#include "proto/value.h"
#include "proto/vlq.h"

/* ---- deep comparison ------------------------------------------------------------------- */

static bool value_equal(const s7p_value *x, const s7p_value *y);
static bool idlist_equal(const s7p_idlist *x, const s7p_idlist *y);

static bool bytes_equal(s7p_bytes x, s7p_bytes y)
{
    return x.n == y.n && (x.n == 0 || memcmp(x.p, y.p, x.n) == 0);
}

static bool blob_equal(const s7p_blob *x, const s7p_blob *y)
{
    if (!x || !y) return x == y;
    if (x->root_id != y->root_id) return false;
    if (x->root_id <= 1) return bytes_equal(x->data, y->data);
    if (memcmp(x->reserved, y->reserved, sizeof x->reserved) != 0 || x->blob_type != y->blob_type)
        return false;
    return x->blob_type == 0 ? idlist_equal(&x->list, &y->list) : bytes_equal(x->data, y->data);
}

static bool payload_equal(uint8_t type, const s7p_scalar *x, const s7p_scalar *y)
{
    switch (type) {
    case S7P_DT_NULL: return true;
    case S7P_DT_SINT: case S7P_DT_INT: case S7P_DT_DINT: case S7P_DT_LINT: case S7P_DT_TIMESPAN:
        return x->i == y->i;
    case S7P_DT_REAL: return memcmp(&x->r, &y->r, sizeof x->r) == 0;
    case S7P_DT_LREAL: return memcmp(&x->lr, &y->lr, sizeof x->lr) == 0;
    case S7P_DT_WSTRING: return bytes_equal(x->s, y->s);
    case S7P_DT_BLOB: return blob_equal(x->blob, y->blob);
    case S7P_DT_VARIANT: return x->var && y->var && value_equal(x->var, y->var);
    default: return x->u == y->u;
    }
}

static bool struct_equal(uint8_t flags, const s7p_struct *x, const s7p_struct *y)
{
    if (!x || !y) return x == y;
    if (x->id != y->id) return false;
    if (flags & S7P_VF_ADDRESS_ARRAY) {
        if (x->nlists != y->nlists) return false;
        for (uint32_t i = 0; i < x->nlists; i++)
            if (!idlist_equal(&x->lists[i], &y->lists[i])) return false;
        return true;
    }
    if (s7p_struct_id_is_packed(x->id)) {
        bool two = (x->transport_flags & 0x400u) != 0;
        return x->iface_timestamp == y->iface_timestamp &&
               x->transport_flags == y->transport_flags && x->count == y->count &&
               (!two || x->count2 == y->count2) && bytes_equal(x->data, y->data);
    }
    return idlist_equal(&x->members, &y->members);
}

static bool value_equal(const s7p_value *x, const s7p_value *y)
{
    if (x->flags != y->flags || x->type != y->type) return false;
    if (s7p_value_is_sparse(x)) {
        if (x->count != y->count) return false;
        for (uint32_t i = 0; i < x->count; i++) {
            if (x->keys[i] != y->keys[i]) return false;
            bool same = x->type == S7P_DT_VARIANT
                            ? x->elems[i].u == y->elems[i].u
                            : payload_equal(x->type, &x->elems[i], &y->elems[i]);
            if (!same) return false;
        }
        return true;
    }
    if (x->type == S7P_DT_STRUCT) return struct_equal(x->flags, x->v.st, y->v.st);
    if (s7p_value_is_array(x)) {
        if (x->count != y->count) return false;
        if (s7p_datatype_is_bytewise(x->type)) return bytes_equal(x->v.s, y->v.s);
        if (x->type == S7P_DT_NULL) return true;
        for (uint32_t i = 0; i < x->count; i++)
            if (!payload_equal(x->type, &x->elems[i], &y->elems[i])) return false;
        return true;
    }
    return payload_equal(x->type, &x->v, &y->v);
}

static bool idlist_equal(const s7p_idlist *x, const s7p_idlist *y)
{
    if (x->n != y->n) return false;
    const s7p_member *m = x->first, *k = y->first;
    for (; m && k; m = m->next, k = k->next)
        if (m->id != k->id || !value_equal(&m->value, &k->value)) return false;
    return m == NULL && k == NULL;
}

/* ---- codec helpers ---------------------------------------------------------------------- */

static bool dec_value(s7p_rd *r, s7p_arena *a, void *out) { return s7p_value_decode(r, a, out); }
static bool enc_value(s7p_wr *w, const void *in) { return s7p_value_encode(w, in); }

/* Long arrays: short writers of encodings over 300 bytes try only the ends. */
static const codec_ops value_codec = {dec_value, enc_value, sizeof(s7p_value), true};

static s7p_status decode(s7p_arena *a, const uint8_t *b, size_t n, bool fixed, s7p_value *out,
                         size_t *left)
{
    return codec_decode(&value_codec, a, b, n, fixed, out, left);
}

static s7p_status decode_status(s7p_arena *a, const uint8_t *b, size_t n)
{
    s7p_value v;
    return decode(a, b, n, false, &v, NULL);
}

static s7p_bytes encode(s7p_arena *a, const s7p_value *v, bool fixed)
{
    return codec_encode(&value_codec, a, v, fixed);
}

static s7p_status encode_status(const s7p_value *v)
{
    uint8_t buf[256];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    bool ok = s7p_value_encode(&w, v);
    assert_int_equal(ok, w.err == S7P_OK);
    return w.err;
}

/* A wire vector decodes completely, re-encodes to the same bytes, and fails cleanly when cut. */
static void check_vector(s7p_arena *a, const uint8_t *b, size_t n, bool fixed, s7p_value *out)
{
    codec_check_vector(&value_codec, a, b, n, fixed, out);
}

/* A built value encodes, decodes to an equal value and re-encodes to the same bytes. */
static s7p_bytes check_roundtrip(s7p_arena *a, const s7p_value *v, bool fixed)
{
    s7p_bytes e = encode(a, v, fixed);
    s7p_value d;
    check_vector(a, e.p, e.n, fixed, &d);
    assert_true(value_equal(v, &d));
    return e;
}

#define VEC(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* ---- builders (v_u, v_i, v_ws, new_struct, struct_value, add_member: codec_test.h) ------ */

/* Element i of a sample array of `type`: distinct per i, spread over the type's range. */
static s7p_scalar sample(s7p_arena *a, uint8_t type, uint32_t i)
{
    s7p_scalar s;
    memset(&s, 0, sizeof s);
    int64_t sign = (i & 1) ? -1 : 1;
    switch (type) {
    case S7P_DT_BOOL: s.u = i & 1; break;
    case S7P_DT_USINT: case S7P_DT_BYTE: s.u = (uint8_t)(i * 37 + 1); break;
    case S7P_DT_SINT: s.i = (int8_t)(uint8_t)(i * 37 + 1); break;
    case S7P_DT_UINT: case S7P_DT_WORD: s.u = (uint16_t)(i * 1000 + 7); break;
    case S7P_DT_INT: s.i = (int16_t)(uint16_t)(i * 1000 + 7); break;
    case S7P_DT_UDINT: case S7P_DT_AID: case S7P_DT_S7STRING:
        s.u = (uint32_t)(i * 0x01010101u + i);
        break;
    case S7P_DT_DWORD: case S7P_DT_RID: s.u = 0xDEAD0000u + i; break;
    case S7P_DT_ULINT: s.u = (uint64_t)i * 0x0123456789ABCDEFull; break;
    case S7P_DT_LWORD: case S7P_DT_TIMESTAMP: s.u = 0x1122334455667788ull + i; break;
    case S7P_DT_DINT: s.i = sign * (int64_t)i * 1234567; break;
    case S7P_DT_LINT: case S7P_DT_TIMESPAN: s.i = sign * (int64_t)i * 1000000007LL; break;
    case S7P_DT_REAL: s.r = (float)i * 0.5f - 3.0f; break;
    case S7P_DT_LREAL: s.lr = (double)i * 0.25 - 1e10; break;
    case S7P_DT_WSTRING: {
        char *t = s7p_arena_alloc(a, 16);
        assert_non_null(t);
        int n = snprintf(t, 16, "s%u\xc3\xa4", (unsigned)i);
        s.s.p = (const uint8_t *)t;
        s.s.n = (size_t)n;
        break;
    }
    case S7P_DT_BLOB: {
        s7p_blob *b = s7p_arena_alloc(a, sizeof *b);
        uint8_t *d = s7p_arena_alloc(a, 3);
        assert_non_null(b);
        assert_non_null(d);
        d[0] = (uint8_t)i;
        d[1] = 0xB0;
        d[2] = 0x0B;
        b->root_id = i & 1;
        b->data.p = d;
        b->data.n = i % 4;
        s.blob = b;
        break;
    }
    case S7P_DT_VARIANT: {
        s7p_value *v = s7p_arena_alloc(a, sizeof *v);
        assert_non_null(v);
        *v = (i & 1) ? v_u(S7P_DT_UINT, i) : v_i(S7P_DT_DINT, -(int64_t)i);
        s.var = v;
        break;
    }
    default: break;
    }
    return s;
}

/* An array (flags 0x10/0x20) or sparse array (0x40) of n sample elements. */
static s7p_value make_array(s7p_arena *a, uint8_t flags, uint8_t type, uint32_t n)
{
    s7p_value v = v_u(type, 0);
    v.flags = flags;
    v.count = n;
    if (flags & S7P_VF_SPARSE) {
        v.keys = s7p_arena_array(a, n, sizeof *v.keys);
        v.elems = s7p_arena_array(a, n, sizeof *v.elems);
        assert_non_null(v.keys);
        assert_non_null(v.elems);
        for (uint32_t i = 0; i < n; i++) {
            v.keys[i] = i == 2 ? 0xFFFFFFFFu : 1 + i * 300;
            v.elems[i] = type == S7P_DT_VARIANT ? (s7p_scalar){.u = i * 1000u + 5}
                                                : sample(a, type, i);
        }
    } else if (s7p_datatype_is_bytewise(type)) {
        uint8_t *b = s7p_arena_alloc(a, n ? n : 1);
        assert_non_null(b);
        for (uint32_t i = 0; i < n; i++) {
            s7p_scalar s = sample(a, type, i);
            b[i] = type == S7P_DT_SINT ? (uint8_t)s.i : (uint8_t)s.u;
        }
        v.v.s.p = b;
        v.v.s.n = n;
    } else if (type != S7P_DT_NULL) {
        v.elems = s7p_arena_array(a, n, sizeof *v.elems);
        assert_non_null(v.elems);
        for (uint32_t i = 0; i < n; i++) v.elems[i] = sample(a, type, i);
    }
    return v;
}

/* Every datatype the codec knows except Struct (which has its own tests). */
static const uint8_t plain_types[] = {
    S7P_DT_NULL, S7P_DT_BOOL, S7P_DT_USINT, S7P_DT_UINT, S7P_DT_UDINT, S7P_DT_ULINT,
    S7P_DT_SINT, S7P_DT_INT, S7P_DT_DINT, S7P_DT_LINT, S7P_DT_BYTE, S7P_DT_WORD,
    S7P_DT_DWORD, S7P_DT_LWORD, S7P_DT_REAL, S7P_DT_LREAL, S7P_DT_TIMESTAMP, S7P_DT_TIMESPAN,
    S7P_DT_RID, S7P_DT_AID, S7P_DT_BLOB, S7P_DT_WSTRING, S7P_DT_VARIANT, S7P_DT_S7STRING,
};
#define N_PLAIN_TYPES (sizeof plain_types / sizeof plain_types[0])

/* ---- the spec's vectors ------------------------------------------------------------------ */

static void test_spec_int_array_vector(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x10, 0x07, 0x03, 0x00, 0x01, 0xff, 0xfe, 0x01, 0x2c), false, &v);
    assert_int_equal(v.flags, S7P_VF_ARRAY);
    assert_int_equal(v.type, S7P_DT_INT);
    assert_int_equal(v.count, 3);
    assert_true(v.elems[0].i == 1 && v.elems[1].i == -2 && v.elems[2].i == 300);
}

static void test_spec_udint_array_vector(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x10, 0x04, 0x02, 0x01, 0x82, 0x2c), false, &v);
    assert_int_equal(v.type, S7P_DT_UDINT);
    assert_int_equal(v.count, 2);
    assert_int_equal(s7p_value_elem_u64(&v, 0), 1);
    assert_int_equal(s7p_value_elem_u64(&v, 1), 300);
    assert_int_equal(s7p_value_elem_u64(&v, 2), 0);  /* out of range */
}

static void test_spec_wstring_sparse_vector(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x40, 0x15, 0x01, 0x01, 0x61, 0x02, 0x02, 0x62, 0x63, 0x00), false,
                 &v);
    assert_true(s7p_value_is_sparse(&v));
    assert_int_equal(v.count, 2);
    assert_int_equal(v.keys[0], 1);
    assert_int_equal(v.keys[1], 2);
    assert_int_equal(v.elems[0].s.n, 1);
    assert_memory_equal(v.elems[0].s.p, "a", 1);
    assert_int_equal(v.elems[1].s.n, 2);
    assert_memory_equal(v.elems[1].s.p, "bc", 2);
}

static void test_spec_struct_314_vector(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x00, 0x17, 0x00, 0x00, 0x01, 0x3a, 0x82, 0x3b, 0x00, 0x15, 0x02,
                             0x56, 0x31, 0x00), false, &v);
    assert_int_equal(v.type, S7P_DT_STRUCT);
    assert_int_equal(v.v.st->id, 314);
    assert_int_equal(v.v.st->members.n, 1);
    const s7p_value *m = s7p_idlist_find(&v.v.st->members, 315);
    assert_non_null(m);
    assert_int_equal(m->type, S7P_DT_WSTRING);
    assert_int_equal(m->v.s.n, 2);
    assert_memory_equal(m->v.s.p, "V1", 2);
    assert_null(s7p_idlist_find(&v.v.st->members, 316));
}

/* Values as they occur in the real captures quoted in docs/protocol.md and the spec. */
static void test_capture_value_vectors(void **state)
{
    s7p_value v;
    /* 303 challenge: USInt array of 20 bytes, kept as a view. */
    check_vector(*state, VEC(0x10, 0x02, 0x14, 0x9F, 0x96, 0xC1, 0x06, 0xA8, 0xBF, 0xC5, 0x94, 0x46,
                             0x6C, 0x40, 0x47, 0xF8, 0xE0, 0x2D, 0x7B, 0xB9, 0x56, 0xDB, 0xD7),
                 false, &v);
    assert_int_equal(v.count, 20);
    assert_int_equal(v.v.s.n, 20);
    assert_int_equal(s7p_value_elem_u64(&v, 19), 0xD7);
    /* role list: UInt address array [2] */
    check_vector(*state, VEC(0x20, 0x03, 0x01, 0x00, 0x02), false, &v);
    assert_int_equal(v.elems[0].u, 2);
    /* 299 role: UDInt 0x20000000 as a 5-byte VLQ */
    check_vector(*state, VEC(0x00, 0x04, 0x82, 0x80, 0x80, 0x80, 0x00), false, &v);
    assert_int_equal(v.v.u, 0x20000000u);
    /* ULInt with a 9-byte VLQ from the S7-1511 setup write */
    check_vector(*state, VEC(0x00, 0x05, 0x8c, 0x86, 0xef, 0xb0, 0xc2, 0x9f, 0xa2, 0x96, 0x94),
                 false, &v);
    assert_true(v.v.u > (1ull << 56));
    /* DInt sparse array from a GetVarSubStreamed response: {1:250, 2:2000, 3:204800} */
    check_vector(*state, VEC(0x40, 0x08, 0x01, 0x81, 0x7a, 0x02, 0x8f, 0x50, 0x03, 0x8c, 0xc0,
                             0x00, 0x00), false, &v);
    assert_int_equal(v.count, 3);
    assert_true(v.elems[0].i == 250 && v.elems[1].i == 2000 && v.elems[2].i == 204800);
    /* Byte array of 11 with the S7-1500 0x80 flag */
    check_vector(*state, VEC(0x90, 0x0a, 0x0b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), false, &v);
    assert_int_equal(v.flags, 0x90);
    assert_int_equal(v.count, 11);
}

/* ---- scalars ---------------------------------------------------------------------------- */

typedef struct {
    uint8_t b[12];
    uint8_t n;
    uint64_t want;  /* u, or i as two's complement, or the IEEE bits */
} scalar_vec;

static void test_scalar_vector_per_type(void **state)
{
    static const scalar_vec vs[] = {
        {{0x00, 0x00}, 2, 0},
        {{0x00, 0x01, 0x01}, 3, 1},
        {{0x00, 0x02, 0xff}, 3, 255},
        {{0x00, 0x03, 0xab, 0xcd}, 4, 0xabcd},
        {{0x00, 0x04, 0x82, 0x2c}, 4, 300},
        {{0x00, 0x05, 0x82, 0x2c}, 4, 300},
        {{0x00, 0x06, 0xfe}, 3, (uint64_t)-2},
        {{0x00, 0x07, 0xfe, 0xd4}, 4, (uint64_t)-300},
        {{0x00, 0x08, 0xfd, 0x54}, 4, (uint64_t)-300},
        {{0x00, 0x09, 0x7f}, 3, (uint64_t)-1},
        {{0x00, 0x0a, 0x5a}, 3, 0x5a},
        {{0x00, 0x0b, 0x12, 0x34}, 4, 0x1234},
        {{0x00, 0x0c, 0xde, 0xad, 0xbe, 0xef}, 6, 0xdeadbeef},
        {{0x00, 0x0d, 1, 2, 3, 4, 5, 6, 7, 8}, 10, 0x0102030405060708ull},
        {{0x00, 0x0e, 0x3f, 0xc0, 0x00, 0x00}, 6, 0x3fc00000u},
        {{0x00, 0x0f, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, 10, 0x3ff8000000000000ull},
        {{0x00, 0x10, 0x00, 0x05, 0xf0, 0xa1, 0x2b, 0x3c, 0x4d, 0x01}, 10, 0x0005f0a12b3c4d01ull},
        {{0x00, 0x11, 0xff, 0x1c}, 4, (uint64_t)-100},
        {{0x00, 0x12, 0x10, 0x00, 0x00, 0x20}, 6, 0x10000020u},
        {{0x00, 0x13, 0x93, 0x59}, 4, 2521},
        {{0x00, 0x19, 0x81, 0x7e}, 4, 254},
    };
    for (size_t k = 0; k < sizeof vs / sizeof vs[0]; k++) {
        s7p_value v;
        check_vector(*state, vs[k].b, vs[k].n, false, &v);
        assert_int_equal(v.flags, 0);
        assert_int_equal(v.type, vs[k].b[1]);
        uint64_t got;
        if (v.type == S7P_DT_REAL) {
            uint32_t bits;
            memcpy(&bits, &v.v.r, sizeof bits);
            got = bits;
        } else if (v.type == S7P_DT_LREAL) {
            memcpy(&got, &v.v.lr, sizeof got);
        } else if (v.type == S7P_DT_SINT || v.type == S7P_DT_INT || v.type == S7P_DT_DINT ||
                   v.type == S7P_DT_LINT || v.type == S7P_DT_TIMESPAN) {
            got = (uint64_t)v.v.i;
        } else {
            got = v.v.u;
        }
        if (got != vs[k].want) fail_msg("type 0x%02x: got 0x%llx", v.type, (unsigned long long)got);
    }
}

static void test_scalar_roundtrip_every_type(void **state)
{
    for (size_t t = 0; t < N_PLAIN_TYPES; t++) {
        for (uint32_t i = 0; i < 4; i++) {
            s7p_value v = v_u(plain_types[t], 0);
            v.v = sample(*state, plain_types[t], i);
            check_roundtrip(*state, &v, false);
        }
    }
}

static void check_int(s7p_arena *a, uint8_t type, int64_t val, size_t want_len)
{
    s7p_value v = v_i(type, val);
    s7p_bytes e = check_roundtrip(a, &v, false);
    if (e.n != want_len)
        fail_msg("type 0x%02x value %lld: %zu bytes, want %zu", type, (long long)val, e.n,
                 want_len);
}

static void check_uint(s7p_arena *a, uint8_t type, uint64_t val, size_t want_len)
{
    s7p_value v = v_u(type, val);
    s7p_bytes e = check_roundtrip(a, &v, false);
    if (e.n != want_len)
        fail_msg("type 0x%02x value %llu: %zu bytes, want %zu", type, (unsigned long long)val,
                 e.n, want_len);
}

static void test_fixed_width_integer_limits(void **state)
{
    s7p_arena *a = *state;
    check_uint(a, S7P_DT_BOOL, 0, 3);
    check_uint(a, S7P_DT_BOOL, 1, 3);
    check_uint(a, S7P_DT_USINT, 0, 3);
    check_uint(a, S7P_DT_USINT, UINT8_MAX, 3);
    check_uint(a, S7P_DT_BYTE, UINT8_MAX, 3);
    check_int(a, S7P_DT_SINT, INT8_MIN, 3);
    check_int(a, S7P_DT_SINT, INT8_MAX, 3);
    check_int(a, S7P_DT_SINT, 0, 3);
    check_uint(a, S7P_DT_UINT, UINT16_MAX, 4);
    check_uint(a, S7P_DT_WORD, 0, 4);
    check_int(a, S7P_DT_INT, INT16_MIN, 4);
    check_int(a, S7P_DT_INT, INT16_MAX, 4);
    check_int(a, S7P_DT_INT, -1, 4);
    check_uint(a, S7P_DT_DWORD, UINT32_MAX, 6);
    check_uint(a, S7P_DT_RID, 0, 6);
    check_uint(a, S7P_DT_RID, UINT32_MAX, 6);
    check_uint(a, S7P_DT_LWORD, UINT64_MAX, 10);
    check_uint(a, S7P_DT_TIMESTAMP, UINT64_MAX, 10);
    check_uint(a, S7P_DT_TIMESTAMP, 0, 10);
}

/* VLQ element lengths: each type at the edges of every byte count, both directions. */
static void test_vlq_integer_lengths(void **state)
{
    s7p_arena *a = *state;
    static const struct { uint64_t v; size_t n; } u32s[] = {
        {0, 1}, {127, 1}, {128, 2}, {16383, 2}, {16384, 3}, {(1u << 21) - 1, 3},
        {1u << 21, 4}, {(1u << 28) - 1, 4}, {1u << 28, 5}, {UINT32_MAX, 5},
    };
    for (size_t k = 0; k < sizeof u32s / sizeof u32s[0]; k++) {
        check_uint(a, S7P_DT_UDINT, u32s[k].v, 2 + u32s[k].n);
        check_uint(a, S7P_DT_AID, u32s[k].v, 2 + u32s[k].n);
        check_uint(a, S7P_DT_S7STRING, u32s[k].v, 2 + u32s[k].n);
    }
    for (unsigned n = 1; n <= 9; n++) {
        uint64_t lo = n == 1 ? 0 : (uint64_t)1 << (7 * (n - 1));
        uint64_t hi = n == 9 ? UINT64_MAX : ((uint64_t)1 << (7 * n)) - 1;
        check_uint(a, S7P_DT_ULINT, lo, 2 + n);
        check_uint(a, S7P_DT_ULINT, hi, 2 + n);
    }
    static const struct { int64_t v; size_t n; } i32s[] = {
        /* Like the PLC, a negative value of n bytes has a magnitude below 2^(7n-1). */
        {0, 1}, {63, 1}, {-63, 1}, {-64, 2}, {64, 2}, {8191, 2}, {-8191, 2}, {-8192, 3},
        {8192, 3}, {(1 << 20) - 1, 3}, {1 << 20, 4}, {-(1 << 27) + 1, 4}, {-(1 << 27), 5},
        {INT32_MAX, 5}, {INT32_MIN, 5},
    };
    for (size_t k = 0; k < sizeof i32s / sizeof i32s[0]; k++) {
        check_int(a, S7P_DT_DINT, i32s[k].v, 2 + i32s[k].n);
        check_int(a, S7P_DT_LINT, i32s[k].v, 2 + i32s[k].n);
        check_int(a, S7P_DT_TIMESPAN, i32s[k].v, 2 + i32s[k].n);
    }
    for (unsigned n = 1; n <= 8; n++) {
        int64_t hi = ((int64_t)1 << (7 * n - 1)) - 1;  /* largest that fits n bytes */
        check_int(a, S7P_DT_LINT, hi, 2 + n);
        check_int(a, S7P_DT_LINT, -hi, 2 + n);
        check_int(a, S7P_DT_LINT, -hi - 1, 2 + n + 1);
        check_int(a, S7P_DT_TIMESPAN, hi + 1, 2 + n + 1);
    }
    check_int(a, S7P_DT_LINT, INT64_MAX, 11);
    check_int(a, S7P_DT_LINT, INT64_MIN, 11);
    check_int(a, S7P_DT_TIMESPAN, INT64_MIN, 11);
}

static void test_real_special_values_bit_exact(void **state)
{
    static const uint32_t fbits[] = {
        0x7fc00001u, 0xffc00000u, 0x7f800001u, 0x7f800000u, 0xff800000u, 0x80000000u,
        0x00000000u, 0x00000001u, 0x7f7fffffu,
    };
    for (size_t k = 0; k < sizeof fbits / sizeof fbits[0]; k++) {
        s7p_value v = v_u(S7P_DT_REAL, 0);
        memcpy(&v.v.r, &fbits[k], sizeof fbits[k]);
        s7p_bytes e = check_roundtrip(*state, &v, false);
        const uint8_t want[6] = {0x00, 0x0e, (uint8_t)(fbits[k] >> 24), (uint8_t)(fbits[k] >> 16),
                                 (uint8_t)(fbits[k] >> 8), (uint8_t)fbits[k]};
        assert_int_equal(e.n, 6);
        assert_memory_equal(e.p, want, 6);
    }
}

static void test_lreal_special_values_bit_exact(void **state)
{
    static const uint64_t dbits[] = {
        0x7ff8000000000001ull, 0xfff8000000000000ull, 0x7ff0000000000001ull,
        0x7ff0000000000000ull, 0xfff0000000000000ull, 0x8000000000000000ull,
        0x0000000000000001ull, 0x7fefffffffffffffull,
    };
    for (size_t k = 0; k < sizeof dbits / sizeof dbits[0]; k++) {
        s7p_value v = v_u(S7P_DT_LREAL, 0);
        memcpy(&v.v.lr, &dbits[k], sizeof dbits[k]);
        s7p_bytes e = check_roundtrip(*state, &v, false);
        assert_int_equal(e.n, 10);
        for (int b = 0; b < 8; b++)
            assert_int_equal(e.p[2 + b], (uint8_t)(dbits[k] >> (56 - 8 * b)));
        s7p_value d;
        assert_int_equal(decode(*state, e.p, e.n, false, &d, NULL), S7P_OK);
        uint64_t got;
        memcpy(&got, &d.v.lr, sizeof got);
        assert_true(got == dbits[k]);
    }
}

static void test_wstring_empty_utf8_and_long(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x00, 0x15, 0x00), false, &v);
    assert_int_equal(v.v.s.n, 0);
    /* "Grüße €" is 11 UTF-8 bytes: the length counts bytes, not characters. */
    check_vector(*state, VEC(0x00, 0x15, 0x0b, 'G', 'r', 0xc3, 0xbc, 0xc3, 0x9f, 'e', ' ', 0xe2,
                             0x82, 0xac), false, &v);
    assert_int_equal(v.v.s.n, 11);
    char big[201];
    memset(big, 'x', 200);
    big[200] = '\0';
    s7p_value w = v_ws(big);
    s7p_bytes e = check_roundtrip(*state, &w, false);
    assert_int_equal(e.n, 2 + 2 + 200);
    assert_int_equal(e.p[2], 0x81);
    assert_int_equal(e.p[3], 0x48);
}

static void test_flag_0x80_is_carried_through(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x80, 0x01, 0x01), false, &v);
    assert_int_equal(v.flags, 0x80);
    assert_false(s7p_value_is_array(&v));
    check_vector(*state, VEC(0xa0, 0x07, 0x01, 0x00, 0x05), false, &v);
    assert_int_equal(v.flags, 0xa0);
    assert_true(s7p_value_is_array(&v));
    check_vector(*state, VEC(0xc0, 0x04, 0x01, 0x05, 0x00), false, &v);
    assert_int_equal(v.flags, 0xc0);
    assert_true(s7p_value_is_sparse(&v));
    s7p_value st = struct_value(0x80, new_struct(*state, 314));
    check_roundtrip(*state, &st, false);
}

/* ---- arrays ----------------------------------------------------------------------------- */

static void test_array_every_type_both_array_flags(void **state)
{
    static const uint8_t flag_sets[] = {S7P_VF_ARRAY, S7P_VF_ADDRESS_ARRAY, 0x90, 0xa0};
    for (size_t f = 0; f < sizeof flag_sets; f++) {
        for (size_t t = 0; t < N_PLAIN_TYPES; t++) {
            s7p_value v = make_array(*state, flag_sets[f], plain_types[t], 5);
            s7p_bytes e = check_roundtrip(*state, &v, false);
            assert_int_equal(e.p[0], flag_sets[f]);
            assert_int_equal(e.p[2], 5);  /* the count follows the header */
        }
    }
}

static void test_array_flags_share_one_layout(void **state)
{
    for (size_t t = 0; t < N_PLAIN_TYPES; t++) {
        s7p_value x = make_array(*state, S7P_VF_ARRAY, plain_types[t], 3);
        s7p_value y = make_array(*state, S7P_VF_ADDRESS_ARRAY, plain_types[t], 3);
        s7p_bytes ex = encode(*state, &x, false), ey = encode(*state, &y, false);
        assert_int_equal(ex.n, ey.n);
        assert_memory_equal(ex.p + 1, ey.p + 1, ex.n - 1);
    }
}

static void test_empty_array_every_type(void **state)
{
    for (size_t t = 0; t < N_PLAIN_TYPES; t++) {
        s7p_value v = make_array(*state, S7P_VF_ARRAY, plain_types[t], 0);
        s7p_bytes e = check_roundtrip(*state, &v, false);
        assert_int_equal(e.n, 3);
    }
}

static void test_thousand_element_arrays(void **state)
{
    static const uint8_t types[] = {S7P_DT_BOOL, S7P_DT_SINT, S7P_DT_INT, S7P_DT_DINT,
                                    S7P_DT_LREAL, S7P_DT_WSTRING, S7P_DT_VARIANT};
    for (size_t t = 0; t < sizeof types; t++) {
        s7p_value v = make_array(*state, S7P_VF_ARRAY, types[t], 1000);
        s7p_bytes e = check_roundtrip(*state, &v, false);
        assert_int_equal(e.p[2], 0x87);  /* 1000 = VLQ 87 68 */
        assert_int_equal(e.p[3], 0x68);
    }
}

static void test_null_array_allocates_nothing(void **state)
{
    s7p_arena *a = *state;
    s7p_value v;
    size_t before = a->total;
    check_vector(a, VEC(0x10, 0x00, 0xbd, 0x84, 0x40), false, &v);  /* 1 000 000 Nulls */
    assert_int_equal(v.count, S7P_MAX_ITEMS);
    s7p_arena small;
    s7p_arena_init(&small, 64);
    assert_int_equal(decode(&small, VEC(0x10, 0x00, 0xbd, 0x84, 0x40), false, &v, NULL), S7P_OK);
    assert_int_equal(small.total, 0);
    s7p_arena_release(&small);
    (void)before;
    /* One more than S7P_MAX_ITEMS is refused as a limit. */
    assert_int_equal(decode_status(a, VEC(0x10, 0x00, 0xbd, 0x84, 0x41)), S7P_E_LIMIT);
}

static void test_elem_u64_sign_extends_sint_bytes(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x10, 0x06, 0x03, 0x80, 0xff, 0x7f), false, &v);
    assert_true(s7p_value_elem_u64(&v, 0) == (uint64_t)-128);
    assert_true(s7p_value_elem_u64(&v, 1) == (uint64_t)-1);
    assert_int_equal(s7p_value_elem_u64(&v, 2), 127);
    check_vector(*state, VEC(0x10, 0x02, 0x02, 0x80, 0xff), false, &v);
    assert_int_equal(s7p_value_elem_u64(&v, 0), 0x80);
    assert_int_equal(s7p_value_elem_u64(&v, 1), 0xff);
}

/* ---- sparse arrays ------------------------------------------------------------------------ */

static void test_sparse_every_type(void **state)
{
    for (size_t t = 0; t < N_PLAIN_TYPES; t++) {
        s7p_value v = make_array(*state, S7P_VF_SPARSE, plain_types[t], 4);
        s7p_bytes e = check_roundtrip(*state, &v, false);
        assert_int_equal(e.p[0], S7P_VF_SPARSE);
        assert_int_equal(e.p[2], 1);          /* first key, no count */
        assert_int_equal(e.p[e.n - 1], 0);    /* terminating key 0 */
    }
}

static void test_sparse_empty_and_wins_over_array_flag(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x40, 0x07, 0x00), false, &v);
    assert_int_equal(v.count, 0);
    /* 0x50: sparse and array both set: the sparse form (no count) is read. */
    check_vector(*state, VEC(0x50, 0x07, 0x03, 0x00, 0x05, 0x00), false, &v);
    assert_true(s7p_value_is_sparse(&v));
    assert_false(s7p_value_is_array(&v));
    assert_int_equal(v.count, 1);
    assert_int_equal(v.keys[0], 3);
    assert_int_equal(v.elems[0].i, 5);
}

static void test_sparse_grows_past_initial_capacity(void **state)
{
    s7p_value v = make_array(*state, S7P_VF_SPARSE, S7P_DT_UDINT, 100);
    check_roundtrip(*state, &v, false);
}

static void test_sparse_struct_is_unsupported(void **state)
{
    assert_int_equal(decode_status(*state, VEC(0x40, 0x17, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00)),
                     S7P_E_UNSUPPORTED);
    assert_int_equal(decode_status(*state, VEC(0x40, 0x17, 0x00)), S7P_E_UNSUPPORTED);
}

/* ---- blobs ----------------------------------------------------------------------------- */

static void test_blob_root_0_and_1(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x00, 0x14, 0x00, 0x03, 0xaa, 0xbb, 0xcc), false, &v);
    assert_int_equal(v.v.blob->root_id, 0);
    assert_int_equal(v.v.blob->data.n, 3);
    assert_int_equal(v.v.blob->data.p[2], 0xcc);
    check_vector(*state, VEC(0x00, 0x14, 0x00, 0x00), false, &v);
    assert_int_equal(v.v.blob->data.n, 0);
    check_vector(*state, VEC(0x00, 0x14, 0x01, 0x01, 0x5a), false, &v);
    assert_int_equal(v.v.blob->root_id, 1);
}

static void test_blob_root_gt1_idlist(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x00, 0x14, 0x82, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 0x00,
                             0x01, 0x00, 0x02, 0x05, 0x93, 0x59, 0x00, 0x15, 0x01, 0x41, 0x00),
                 false, &v);
    const s7p_blob *b = v.v.blob;
    assert_int_equal(b->root_id, 0x10a);
    assert_int_equal(b->reserved[0], 1);
    assert_int_equal(b->reserved[7], 8);
    assert_int_equal(b->blob_type, 0);
    assert_int_equal(b->list.n, 2);
    assert_int_equal(s7p_idlist_find(&b->list, 1)->v.u, 5);
    assert_int_equal(s7p_idlist_find(&b->list, 2521)->v.s.n, 1);
}

static void test_blob_root_gt1_byte_types(void **state)
{
    for (uint8_t type = 2; type <= 3; type++) {
        s7p_value v;
        const uint8_t b[] = {0x00, 0x14, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, type, 0x02, 0xde, 0xad};
        check_vector(*state, b, sizeof b, false, &v);
        assert_int_equal(v.v.blob->blob_type, type);
        assert_int_equal(v.v.blob->data.n, 2);
        assert_int_equal(v.v.blob->data.p[1], 0xad);
    }
}

static void test_blob_other_types_unsupported(void **state)
{
    for (unsigned type = 0; type <= 0xFF; type++) {
        if (type == 0 || type == 2 || type == 3) continue;
        const uint8_t b[] = {0x00, 0x14, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)type, 0x00, 0x00};
        if (decode_status(*state, b, sizeof b) != S7P_E_UNSUPPORTED)
            fail_msg("blob type %u not rejected", type);
    }
}

static void test_blob_length_past_input(void **state)
{
    assert_int_equal(decode_status(*state, VEC(0x00, 0x14, 0x00, 0x05, 0xaa)), S7P_E_PROTOCOL);
    assert_int_equal(decode_status(*state, VEC(0x00, 0x14, 0x00, 0x8f, 0xff, 0xff, 0xff, 0x7f)),
                     S7P_E_PROTOCOL);
}

/* ---- structs ---------------------------------------------------------------------------- */

static void test_struct_nested_element_form(void **state)
{
    s7p_arena *a = *state;
    s7p_struct *inner2 = new_struct(a, 1001);
    s7p_struct *inner = new_struct(a, 1000);
    add_member(&inner->members, a, 1, v_ws("x"));
    add_member(&inner->members, a, 2, struct_value(0, inner2));
    add_member(&inner->members, a, 3, v_i(S7P_DT_DINT, -7));
    s7p_struct *outer = new_struct(a, 314);
    add_member(&outer->members, a, 315, v_u(S7P_DT_UDINT, 320));
    add_member(&outer->members, a, 316, struct_value(0, inner));
    add_member(&outer->members, a, 321, v_u(S7P_DT_UINT, 3));
    s7p_value v = struct_value(0, outer);
    check_roundtrip(a, &v, false);
}

static void test_struct_hand_vector_with_nested_struct(void **state)
{
    s7p_value v;
    /* struct 314 { 315: UDInt 320, 316: struct 1000 { 1: Int 5 }, 321: UInt 3 } */
    check_vector(*state, VEC(0x00, 0x17, 0x00, 0x00, 0x01, 0x3a,
                             0x82, 0x3b, 0x00, 0x04, 0x82, 0x40,
                             0x82, 0x3c, 0x00, 0x17, 0x00, 0x00, 0x03, 0xe8,
                             0x01, 0x00, 0x07, 0x00, 0x05, 0x00,
                             0x82, 0x41, 0x00, 0x03, 0x00, 0x03, 0x00), false, &v);
    const s7p_value *inner = s7p_idlist_find(&v.v.st->members, 316);
    assert_non_null(inner);
    assert_int_equal(inner->v.st->id, 1000);
    assert_int_equal(s7p_idlist_find(&inner->v.st->members, 1)->v.i, 5);
    assert_int_equal(s7p_idlist_find(&v.v.st->members, 321)->v.u, 3);
}

static void test_struct_with_array_flag_is_single_struct(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x10, 0x17, 0x00, 0x00, 0x01, 0x3a, 0x82, 0x3b, 0x00, 0x04, 0x05,
                             0x00), false, &v);
    assert_int_equal(v.flags, S7P_VF_ARRAY);
    assert_false(s7p_value_is_array(&v));
    assert_int_equal(v.v.st->id, 314);
    assert_int_equal(v.v.st->members.n, 1);
}

static void test_packed_struct_dtl(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x00, 0x17, 0x02, 0x00, 0x00, 0x43,
                             0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                             0x02, 0x0c,
                             0x07, 0xe8, 0x05, 0x1f, 0x05, 0x0c, 0x22, 0x38,
                             0x00, 0x00, 0x00, 0x01), false, &v);
    const s7p_struct *st = v.v.st;
    assert_int_equal(st->id, 0x02000043u);
    assert_true(st->iface_timestamp == 0x1122334455667788ull);
    assert_int_equal(st->transport_flags, 2);
    assert_int_equal(st->count, 12);
    assert_int_equal(st->data.n, 12);
    assert_int_equal(st->data.p[0], 0x07);
    assert_int_equal(st->data.p[11], 0x01);
    assert_int_equal(st->members.n, 0);
}

static void test_packed_struct_count2_gives_length(void **state)
{
    s7p_value v;
    /* transport flags 0x402: count 1 (per element), count2 12 = the data length */
    check_vector(*state, VEC(0x00, 0x17, 0x02, 0x00, 0x00, 0x43,
                             0, 0, 0, 0, 0, 0, 0, 0,
                             0x88, 0x02, 0x01, 0x0c,
                             1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), false, &v);
    const s7p_struct *st = v.v.st;
    assert_int_equal(st->transport_flags, 0x402);
    assert_int_equal(st->count, 1);
    assert_int_equal(st->count2, 12);
    assert_int_equal(st->data.n, 12);
    /* The 12 data bytes need count2: cutting one off must fail. */
    assert_int_equal(decode_status(*state, VEC(0x00, 0x17, 0x02, 0x00, 0x00, 0x43, 0, 0, 0, 0, 0,
                                               0, 0, 0, 0x88, 0x02, 0x01, 0x0c, 1, 2, 3, 4, 5, 6,
                                               7, 8, 9, 10, 11)),
                     S7P_E_PROTOCOL);
}

static void test_packed_struct_id_ranges(void **state)
{
    (void)state;
    assert_false(s7p_struct_id_is_packed(0x02000000u));
    assert_true(s7p_struct_id_is_packed(0x02000001u));
    assert_true(s7p_struct_id_is_packed(0x02FFFFFEu));
    assert_false(s7p_struct_id_is_packed(0x02FFFFFFu));
    assert_false(s7p_struct_id_is_packed(0x90000000u));
    assert_true(s7p_struct_id_is_packed(0x90000001u));
    assert_true(s7p_struct_id_is_packed(0x9FFFFFFEu));
    assert_false(s7p_struct_id_is_packed(0x9FFFFFFFu));
    assert_false(s7p_struct_id_is_packed(314));
}

static void test_struct_at_packed_bounds_uses_member_list(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x00, 0x17, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0x00),
                 false, &v);
    assert_int_equal(v.v.st->members.n, 1);
    check_vector(*state, VEC(0x00, 0x17, 0x9f, 0xff, 0xff, 0xff, 0x00), false, &v);
    assert_int_equal(v.v.st->members.n, 0);
}

static void test_struct_address_array_value(void **state)
{
    s7p_value v;
    /* struct 5, two id/value lists: {10: USInt 7} and {} */
    check_vector(*state, VEC(0x20, 0x17, 0x00, 0x00, 0x00, 0x05, 0x02,
                             0x0a, 0x00, 0x02, 0x07, 0x00,
                             0x00), false, &v);
    const s7p_struct *st = v.v.st;
    assert_int_equal(st->id, 5);
    assert_int_equal(st->nlists, 2);
    assert_int_equal(st->lists[0].n, 1);
    assert_int_equal(s7p_idlist_find(&st->lists[0], 10)->v.u, 7);
    assert_int_equal(st->lists[1].n, 0);
}

static void test_struct_address_array_ends_enclosing_list(void **state)
{
    const uint8_t b[] = {0x01, 0x00, 0x04, 0x09,                       /* 1: UDInt 9 */
                         0x02, 0x20, 0x17, 0x00, 0x00, 0x00, 0x05, 0x01, /* 2: struct addr array */
                         0x0a, 0x00, 0x02, 0x07, 0x00,
                         0xee};                                        /* not read */
    s7p_rd r = s7p_rd_init(b, sizeof b);
    s7p_idlist l;
    assert_true(s7p_idlist_decode(&r, *state, &l));
    assert_int_equal(s7p_rd_left(&r), 1);
    assert_int_equal(l.n, 2);
    uint8_t out[32];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_true(s7p_idlist_encode(&w, &l));
    assert_int_equal(w.len, sizeof b - 1);
    assert_memory_equal(out, b, sizeof b - 1);
    /* Nothing may follow it in an encoded list. */
    add_member(&l, *state, 3, v_u(S7P_DT_UDINT, 1));
    w = s7p_wr_init(out, sizeof out);
    assert_false(s7p_idlist_encode(&w, &l));
    assert_int_equal(w.err, S7P_E_INVALID_ARG);
}

static void test_struct_address_array_count_past_input(void **state)
{
    (void)state;
    s7p_arena small;
    s7p_arena_init(&small, 4096);
    s7p_value v;
    assert_int_equal(decode(&small, VEC(0x20, 0x17, 0x00, 0x00, 0x00, 0x05, 0x87, 0x68, 0x00, 0x00),
                            false, &v, NULL),
                     S7P_E_PROTOCOL);
    assert_true(small.total < 256);
    s7p_arena_release(&small);
}

/* ---- variants --------------------------------------------------------------------------- */

static void test_variant_scalar(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x00, 0x16, 0x00, 0x07, 0x01, 0x2c), false, &v);
    assert_non_null(v.v.var);
    assert_int_equal(v.v.var->type, S7P_DT_INT);
    assert_int_equal(v.v.var->v.i, 300);
    check_vector(*state, VEC(0x00, 0x16, 0x80, 0x15, 0x02, 0x68, 0x69), false, &v);
    assert_int_equal(v.v.var->flags, 0x80);
    assert_int_equal(v.v.var->v.s.n, 2);
}

static void test_variant_array_typed_elements(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x10, 0x16, 0x03, 0x00, 0x07, 0x00, 0x01, 0x00, 0x15, 0x01, 0x61,
                             0x00, 0x00), false, &v);
    assert_int_equal(v.count, 3);
    assert_int_equal(v.elems[0].var->type, S7P_DT_INT);
    assert_int_equal(v.elems[1].var->type, S7P_DT_WSTRING);
    assert_int_equal(v.elems[2].var->type, S7P_DT_NULL);
    check_vector(*state, VEC(0x20, 0x16, 0x01, 0x00, 0x04, 0x82, 0x2c), false, &v);
    assert_int_equal(v.elems[0].var->v.u, 300);
}

static void test_variant_sparse_plain_vlq(void **state)
{
    s7p_value v;
    check_vector(*state, VEC(0x40, 0x16, 0x07, 0x81, 0x00, 0x0e, 0x05, 0x00), false, &v);
    assert_int_equal(v.count, 2);
    assert_int_equal(v.keys[0], 7);
    assert_int_equal(v.elems[0].u, 128);
    assert_int_equal(v.keys[1], 14);
    assert_int_equal(v.elems[1].u, 5);
}

static void test_variant_rejects_struct_and_unknown_inner(void **state)
{
    assert_int_equal(decode_status(*state, VEC(0x00, 0x16, 0x00, 0x17, 0x00, 0x00, 0x00, 0x01,
                                               0x00)),
                     S7P_E_UNSUPPORTED);
    assert_int_equal(decode_status(*state, VEC(0x00, 0x16, 0x00, 0x18)), S7P_E_PROTOCOL);
    assert_int_equal(decode_status(*state, VEC(0x00, 0x16, 0x00, 0x16, 0x00, 0x01, 0x01)),
                     S7P_E_PROTOCOL);
    assert_int_equal(decode_status(*state, VEC(0x10, 0x16, 0x01, 0x00, 0x17, 0, 0, 0, 1, 0)),
                     S7P_E_UNSUPPORTED);
}

/* docs/protocol.md §2 decision 2: a Variant element whose own flags byte has array bits
 * (0x10/0x20/0x40) is rejected with UNSUPPORTED (its length cannot be known), as a scalar
 * and inside a Variant array; the encoder refuses such an element with INVALID_ARG. */
static void test_variant_rejects_inner_array_flags(void **state)
{
    static const uint8_t inner_flags[] = {0x10, 0x20, 0x40};
    for (size_t k = 0; k < sizeof inner_flags; k++) {
        const uint8_t b[] = {0x00, 0x16, inner_flags[k], 0x07, 0x00, 0x05};
        assert_int_equal(decode_status(*state, b, sizeof b), S7P_E_UNSUPPORTED);
        const uint8_t arr[] = {0x10, 0x16, 0x01, inner_flags[k], 0x07, 0x00, 0x05};
        assert_int_equal(decode_status(*state, arr, sizeof arr), S7P_E_UNSUPPORTED);

        s7p_value inner = v_i(S7P_DT_INT, 5);
        inner.flags = inner_flags[k];
        s7p_value v = v_u(S7P_DT_VARIANT, 0);
        v.v.var = &inner;
        assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
        s7p_scalar elem = {.var = &inner};
        s7p_value arr_v = v_u(S7P_DT_VARIANT, 0);
        arr_v.flags = S7P_VF_ARRAY;
        arr_v.count = 1;
        arr_v.elems = &elem;
        assert_int_equal(encode_status(&arr_v), S7P_E_INVALID_ARG);
    }
}

/* ---- fixed-int (system event) mode ----------------------------------------------------- */

static void test_fixed_int_mode_vectors(void **state)
{
    s7p_arena *a = *state;
    s7p_value v;
    check_vector(a, VEC(0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x01, 0x2c), true, &v);
    assert_int_equal(v.v.u, 300);
    check_vector(a, VEC(0x00, 0x00, 0x00, 0x08, 0xff, 0xff, 0xff, 0xfe), true, &v);
    assert_int_equal(v.v.i, -2);
    check_vector(a, VEC(0x00, 0x00, 0x00, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
                 true, &v);
    assert_int_equal(v.v.i, -1);
    check_vector(a, VEC(0x00, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0x01, 0x00), true, &v);
    assert_int_equal(v.v.u, 256);
    /* Timespan, AID, S7String, WString and Blob lengths stay VLQ. */
    check_vector(a, VEC(0x00, 0x00, 0x00, 0x11, 0xff, 0x1c), true, &v);
    assert_int_equal(v.v.i, -100);
    check_vector(a, VEC(0x00, 0x00, 0x00, 0x13, 0x93, 0x59), true, &v);
    assert_int_equal(v.v.u, 2521);
    check_vector(a, VEC(0x00, 0x00, 0x00, 0x19, 0x05), true, &v);
    check_vector(a, VEC(0x00, 0x00, 0x00, 0x15, 0x02, 0x56, 0x31), true, &v);
    check_vector(a, VEC(0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0xaa, 0xbb), true, &v);
    /* Array counts and sparse keys are u32. */
    check_vector(a, VEC(0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02,
                        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c), true, &v);
    assert_int_equal(v.count, 2);
    assert_int_equal(v.elems[1].u, 300);
    check_vector(a, VEC(0x00, 0x40, 0x00, 0x08, 0x00, 0x00, 0x00, 0x07, 0xff, 0xff, 0xff, 0xff,
                        0x00, 0x00, 0x00, 0x00), true, &v);
    assert_int_equal(v.keys[0], 7);
    assert_int_equal(v.elems[0].i, -1);
}

static void test_fixed_int_struct_u32_member_ids(void **state)
{
    s7p_value v;
    /* struct 40300 { 40305: LInt -1, 40303: UDInt 0x0542 } */
    check_vector(*state, VEC(0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x9d, 0x6c,
                             0x00, 0x00, 0x9d, 0x71, 0x00, 0x00, 0x00, 0x09,
                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                             0x00, 0x00, 0x9d, 0x6f, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x05, 0x42,
                             0x00, 0x00, 0x00, 0x00), true, &v);
    assert_int_equal(v.v.st->id, 40300);
    assert_int_equal(s7p_idlist_find(&v.v.st->members, 40305)->v.i, -1);
    assert_int_equal(s7p_idlist_find(&v.v.st->members, 40303)->v.u, 0x0542);
}

static void test_fixed_int_roundtrip_every_type(void **state)
{
    for (size_t t = 0; t < N_PLAIN_TYPES; t++) {
        s7p_value v = v_u(plain_types[t], 0);
        v.v = sample(*state, plain_types[t], 3);
        check_roundtrip(*state, &v, true);
        s7p_value arr = make_array(*state, S7P_VF_ARRAY, plain_types[t], 3);
        check_roundtrip(*state, &arr, true);
        s7p_value sp = make_array(*state, S7P_VF_SPARSE, plain_types[t], 3);
        check_roundtrip(*state, &sp, true);
    }
}

static void test_fixed_int_header_rejects_wide_words(void **state)
{
    s7p_value v;
    assert_int_equal(decode(*state, VEC(0x01, 0x00, 0x00, 0x04, 0, 0, 0, 1), true, &v, NULL),
                     S7P_E_PROTOCOL);
    assert_int_equal(decode(*state, VEC(0x00, 0x00, 0x01, 0x04, 0, 0, 0, 1), true, &v, NULL),
                     S7P_E_PROTOCOL);
}

/* ---- rejection -------------------------------------------------------------------------- */

static void test_unknown_datatypes_rejected(void **state)
{
    for (unsigned type = 0x18; type <= 0xFF; type++) {
        if (type == S7P_DT_S7STRING) continue;
        const uint8_t b[] = {0x00, (uint8_t)type, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
        if (decode_status(*state, b, sizeof b) != S7P_E_PROTOCOL)
            fail_msg("datatype 0x%02x accepted", type);
        const uint8_t arr[] = {0x10, (uint8_t)type, 0x02, 0x01, 0x02, 0x03, 0x04};
        if (decode_status(*state, arr, sizeof arr) != S7P_E_PROTOCOL)
            fail_msg("array of datatype 0x%02x accepted", type);
    }
}

/* Unknown datatypes (0x18, 0x1A..0xFF) are PROTOCOL errors even when an array, address
 * array or sparse array holds no element to read. */
static void test_unknown_datatypes_rejected_in_empty_arrays(void **state)
{
    for (unsigned type = 0x18; type <= 0xFF; type++) {
        if (type == S7P_DT_S7STRING) continue;
        const uint8_t arr[] = {0x10, (uint8_t)type, 0x00};
        const uint8_t addr[] = {0x20, (uint8_t)type, 0x00};
        const uint8_t sparse[] = {0x40, (uint8_t)type, 0x00};
        if (decode_status(*state, arr, sizeof arr) != S7P_E_PROTOCOL)
            fail_msg("empty array of datatype 0x%02x accepted", type);
        if (decode_status(*state, addr, sizeof addr) != S7P_E_PROTOCOL)
            fail_msg("empty address array of datatype 0x%02x accepted", type);
        if (decode_status(*state, sparse, sizeof sparse) != S7P_E_PROTOCOL)
            fail_msg("empty sparse array of datatype 0x%02x accepted", type);
    }
}

/* n nested structs: `00 17 <id 1>` then member 1 holding the next, the innermost empty. */
static uint8_t *nested_structs(unsigned n, size_t *len)
{
    size_t cap = (size_t)n * 8 + 8, k = 0;
    uint8_t *b = malloc(cap);
    assert_non_null(b);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t head[] = {0x00, 0x17, 0x00, 0x00, 0x00, 0x01};
        memcpy(b + k, head, sizeof head);
        k += sizeof head;
        b[k++] = i + 1 < n ? 0x01 : 0x00;  /* member id 1, or the innermost terminator */
    }
    for (unsigned i = 1; i < n; i++) b[k++] = 0x00;
    *len = k;
    return b;
}

static void test_depth_limit(void **state)
{
    /* Each struct level takes two levels: the value and its member list. */
    const unsigned deepest = S7P_MAX_DEPTH / 2;
    size_t n;
    uint8_t *b = nested_structs(deepest, &n);
    s7p_value v;
    size_t left;
    s7p_status st = decode(*state, b, n, false, &v, &left);
    free(b);
    assert_int_equal(st, S7P_OK);
    assert_int_equal(left, 0);
    s7p_bytes e = encode(*state, &v, false);
    assert_int_equal(e.n, n);
    b = nested_structs(deepest + 1, &n);
    st = decode(*state, b, n, false, &v, NULL);
    free(b);
    assert_int_equal(st, S7P_E_LIMIT);
}

static void test_depth_limit_through_blob_lists(void **state)
{
    /* Blob type 0 id/value lists nest too and count against the same limit. */
    const uint8_t blob_head[] = {0x00, 0x14, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01};
    size_t n = 0;
    uint8_t *b = malloc(64 * sizeof blob_head + 64);
    assert_non_null(b);
    for (int i = 0; i < 40; i++) {
        memcpy(b + n, blob_head, sizeof blob_head);
        n += sizeof blob_head;
    }
    s7p_value v;
    s7p_status st = decode(*state, b, n, false, &v, NULL);
    free(b);
    assert_int_equal(st, S7P_E_LIMIT);
}

static void test_array_count_beyond_input_allocates_nothing(void **state)
{
    (void)state;
    static const struct { uint8_t b[16]; uint8_t n; } vs[] = {
        {{0x10, 0x0f, 0x87, 0x68, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 14},  /* 1000 LReal, 10 bytes */
        {{0x10, 0x15, 0x87, 0x68, 0x00, 0x00}, 6},                      /* 1000 WString */
        {{0x20, 0x04, 0x87, 0x68, 0x01}, 5},                            /* 1000 UDInt */
        {{0x10, 0x16, 0x05, 0x00, 0x01, 0x01, 0x00, 0x01}, 8},          /* 5 Variants, 6 bytes */
        {{0x10, 0x01, 0x87, 0x68, 0x01, 0x00}, 6},                      /* 1000 Bool */
        {{0x10, 0x14, 0x87, 0x68, 0x00, 0x00}, 6},                      /* 1000 Blobs */
    };
    for (size_t k = 0; k < sizeof vs / sizeof vs[0]; k++) {
        s7p_arena small;
        s7p_arena_init(&small, 4096);
        s7p_value v;
        s7p_status st = decode(&small, vs[k].b, vs[k].n, false, &v, NULL);
        size_t used = small.total;
        s7p_arena_release(&small);
        if (st != S7P_E_PROTOCOL || used != 0)
            fail_msg("vector %zu: status %d, %zu bytes allocated", k, (int)st, used);
    }
}

static void test_array_count_over_max_items_is_limit(void **state)
{
    s7p_arena small;
    s7p_arena_init(&small, 4096);
    s7p_value v;
    assert_int_equal(decode(&small, VEC(0x10, 0x04, 0x8f, 0xff, 0xff, 0xff, 0x7f), false, &v, NULL),
                     S7P_E_LIMIT);
    assert_int_equal(small.total, 0);
    s7p_arena_release(&small);
    (void)state;
}

static void test_arena_exhaustion_is_nomem(void **state)
{
    (void)state;
    static const struct { uint8_t b[16]; uint8_t n; } vs[] = {
        {{0x10, 0x07, 0x03, 0x00, 0x01, 0xff, 0xfe, 0x01, 0x2c}, 9},      /* 3 × 16 bytes */
        {{0x00, 0x17, 0x00, 0x00, 0x01, 0x3a, 0x00}, 7},                 /* s7p_struct */
        {{0x40, 0x04, 0x01, 0x01, 0x00}, 5},                             /* sparse storage */
        {{0x00, 0x14, 0x00, 0x00}, 4},                                   /* s7p_blob */
        {{0x00, 0x16, 0x00, 0x01, 0x01}, 5},                             /* variant element */
    };
    for (size_t k = 0; k < sizeof vs / sizeof vs[0]; k++) {
        s7p_arena tiny;
        s7p_arena_init(&tiny, 16);
        s7p_value v;
        s7p_status st = decode(&tiny, vs[k].b, vs[k].n, false, &v, NULL);
        s7p_arena_release(&tiny);
        if (st != S7P_E_NOMEM) fail_msg("vector %zu: status %d", k, (int)st);
    }
}

static void test_struct_members_nomem(void **state)
{
    (void)state;
    s7p_arena tiny;
    s7p_arena_init(&tiny, 128);  /* room for the struct but not for its members */
    s7p_value v;
    s7p_status st = decode(&tiny, VEC(0x00, 0x17, 0x00, 0x00, 0x01, 0x3a, 0x01, 0x00, 0x01, 0x01,
                                      0x02, 0x00, 0x01, 0x01, 0x03, 0x00, 0x01, 0x01, 0x00),
                           false, &v, NULL);
    s7p_arena_release(&tiny);
    assert_int_equal(st, S7P_E_NOMEM);
}

static void test_truncated_vlq_and_overlong_vlq(void **state)
{
    assert_int_equal(decode_status(*state, VEC(0x00, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)),
                     S7P_E_PROTOCOL);
    assert_int_equal(decode_status(*state, VEC(0x00, 0x04, 0x9f, 0xff, 0xff, 0xff, 0x7f)),
                     S7P_E_PROTOCOL);
    assert_int_equal(decode_status(*state, VEC(0x10, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)),
                     S7P_E_PROTOCOL);
    assert_int_equal(decode_status(*state, VEC(0x40, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)),
                     S7P_E_PROTOCOL);
}

/* Member ids of every VLQ length decode as before the one-byte fast path: the list round
 * trips, an id with a leading empty group or cut short fails, and the fixed-int form (system
 * events) reads a 4-byte id even when its first byte is below 0x80. */
static void test_idlist_member_id_forms(void **state)
{
    static const uint32_t ids[] = {1, 0x7F, 0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000,
                                   0xFFFFFFF, 0x10000000, 0xFFFFFFFFu, 2};
    s7p_idlist l = {0};
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++)
        add_member(&l, *state, ids[k], v_u(S7P_DT_UDINT, k * 1000u));
    uint8_t out[256];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_true(s7p_idlist_encode(&w, &l));
    s7p_rd r = s7p_rd_init(out, w.len);
    s7p_idlist d;
    assert_true(s7p_idlist_decode(&r, *state, &d));
    assert_int_equal(s7p_rd_left(&r), 0);
    assert_true(idlist_equal(&l, &d));
    for (size_t cut = 0; cut < w.len; cut++) {
        r = s7p_rd_init(out, cut);
        assert_false(s7p_idlist_decode(&r, *state, &d));
        assert_int_equal(r.err, S7P_E_PROTOCOL);
    }
    /* A leading empty group (0x80 0x05 for 5) is refused as for any VLQ. */
    const uint8_t lead[] = {0x80, 0x05, 0x00, 0x04, 0x01, 0x00};
    r = s7p_rd_init(lead, sizeof lead);
    assert_false(s7p_idlist_decode(&r, *state, &d));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
    /* Fixed-int form: id 5 as four bytes, then a UDInt 9 in the fixed form. */
    const uint8_t fixed[] = {0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 9, 0, 0, 0, 0};
    r = s7p_rd_init(fixed, sizeof fixed);
    r.fixed_ints = true;
    assert_true(s7p_idlist_decode(&r, *state, &d));
    assert_int_equal(s7p_rd_left(&r), 0);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.first->id, 5);
    assert_int_equal(d.first->value.v.u, 9);
    assert_null(d.first->next);
}

/* ---- encoder errors ---------------------------------------------------------------------- */

static void test_encoder_rejects_inconsistent_values(void **state)
{
    s7p_arena *a = *state;
    s7p_value v = make_array(a, S7P_VF_ARRAY, S7P_DT_BYTE, 3);
    v.count = 4;  /* the byte view holds 3 */
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
    v = make_array(a, S7P_VF_ARRAY, S7P_DT_INT, 3);
    v.elems = NULL;
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
    v = make_array(a, S7P_VF_SPARSE, S7P_DT_UDINT, 3);
    v.keys[1] = 0;
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
    v = make_array(a, S7P_VF_SPARSE, S7P_DT_UDINT, 3);
    v.type = S7P_DT_STRUCT;
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
    v = v_u(S7P_DT_BLOB, 0);
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);  /* no blob */
    s7p_blob blob;
    memset(&blob, 0, sizeof blob);
    blob.root_id = 2;
    blob.blob_type = 1;
    v.v.blob = &blob;
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
    v = v_u(0x18, 0);
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
    v = struct_value(0, NULL);
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
    v = v_u(S7P_DT_VARIANT, 0);
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);  /* no inner value */
    s7p_value inner = struct_value(0, new_struct(a, 1));
    v.v.var = &inner;
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
}

static void test_encoder_rejects_bad_packed_struct_and_member_id(void **state)
{
    s7p_arena *a = *state;
    s7p_struct *st = new_struct(a, 0x02000043u);
    static const uint8_t data[12] = {0};
    st->data.p = data;
    st->data.n = 12;
    st->count = 11;
    s7p_value v = struct_value(0, st);
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
    st->transport_flags = 0x400;
    st->count2 = 12;
    assert_int_equal(encode_status(&v), S7P_OK);
    check_roundtrip(a, &v, false);
    s7p_struct *bad = new_struct(a, 7);
    add_member(&bad->members, a, 0, v_u(S7P_DT_UDINT, 1));  /* id 0 is the terminator */
    v = struct_value(0, bad);
    assert_int_equal(encode_status(&v), S7P_E_INVALID_ARG);
}

static void test_encoder_limit_and_counter_agree(void **state)
{
    s7p_arena *a = *state;
    s7p_value v = make_array(a, S7P_VF_ARRAY, S7P_DT_WSTRING, 50);
    s7p_wr c = s7p_wr_counter();
    assert_true(s7p_value_encode(&c, &v));
    uint8_t *buf = s7p_arena_alloc(a, c.len);
    s7p_wr w = s7p_wr_init(buf, c.len - 1);
    assert_false(s7p_value_encode(&w, &v));
    assert_int_equal(w.err, S7P_E_LIMIT);
    /* The error sticks: further writes fail too. */
    assert_false(s7p_wr_u8(&w, 0));
    w = s7p_wr_init(buf, c.len);
    assert_true(s7p_value_encode(&w, &v));
    assert_int_equal(w.len, c.len);
}

/* ---- id/value lists and predicates ------------------------------------------------------ */

static void test_idlist_add_find_and_order(void **state)
{
    s7p_arena *a = *state;
    s7p_idlist l;
    memset(&l, 0, sizeof l);
    add_member(&l, a, 5, v_u(S7P_DT_USINT, 1));
    add_member(&l, a, 3, v_u(S7P_DT_USINT, 2));
    add_member(&l, a, 5, v_u(S7P_DT_USINT, 3));
    assert_int_equal(l.n, 3);
    assert_int_equal(s7p_idlist_find(&l, 5)->v.u, 1);  /* the first of equal ids */
    assert_int_equal(s7p_idlist_find(&l, 3)->v.u, 2);
    assert_null(s7p_idlist_find(&l, 4));
    uint8_t out[16];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_true(s7p_idlist_encode(&w, &l));
    const uint8_t want[] = {0x05, 0x00, 0x02, 0x01, 0x03, 0x00, 0x02, 0x02, 0x05, 0x00, 0x02, 0x03,
                            0x00};
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(out, want, sizeof want);
    s7p_idlist empty;
    memset(&empty, 0, sizeof empty);
    w = s7p_wr_init(out, sizeof out);
    assert_true(s7p_idlist_encode(&w, &empty));
    assert_int_equal(w.len, 1);
    assert_int_equal(out[0], 0);
}

static void test_idlist_cut_short_fails(void **state)
{
    (void)state;
    const uint8_t b[] = {0x05, 0x00, 0x02, 0x01, 0x82, 0x3b, 0x00, 0x15, 0x01, 0x41, 0x00};
    for (size_t k = 0; k < sizeof b; k++) {
        s7p_arena a;
        s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
        s7p_rd r = s7p_rd_init(b, k);
        s7p_idlist l;
        bool ok = s7p_idlist_decode(&r, &a, &l);
        s7p_arena_release(&a);
        assert_false(ok);
        assert_int_equal(r.err, S7P_E_PROTOCOL);
        assert_int_equal(r.depth, 0);
    }
}

static void test_u32_member_ids(void **state)
{
    s7p_arena *a = *state;
    const uint8_t b[] = {0x00, 0x17, 0x00, 0x00, 0x01, 0x3a, 0x00, 0x00, 0x01, 0x3b, 0x00, 0x04,
                         0x05, 0x00, 0x00, 0x00, 0x00};
    s7p_rd r = s7p_rd_init(b, sizeof b);
    r.u32_ids = true;
    s7p_value v;
    assert_true(s7p_value_decode(&r, a, &v));
    assert_int_equal(s7p_rd_left(&r), 0);
    assert_int_equal(s7p_idlist_find(&v.v.st->members, 315)->v.u, 5);
    uint8_t out[32];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    w.u32_ids = true;
    assert_true(s7p_value_encode(&w, &v));
    assert_int_equal(w.len, sizeof b);
    assert_memory_equal(out, b, sizeof b);
}

static void test_shape_predicates(void **state)
{
    (void)state;
    s7p_value v = v_u(S7P_DT_INT, 0);
    assert_false(s7p_value_is_array(&v));
    v.flags = S7P_VF_ARRAY;
    assert_true(s7p_value_is_array(&v));
    v.flags = S7P_VF_ADDRESS_ARRAY;
    assert_true(s7p_value_is_array(&v));
    v.flags = S7P_VF_SPARSE | S7P_VF_ARRAY;
    assert_false(s7p_value_is_array(&v));
    assert_true(s7p_value_is_sparse(&v));
    v = struct_value(S7P_VF_ARRAY, NULL);
    assert_false(s7p_value_is_array(&v));
    assert_true(s7p_datatype_is_bytewise(S7P_DT_BOOL));
    assert_true(s7p_datatype_is_bytewise(S7P_DT_USINT));
    assert_true(s7p_datatype_is_bytewise(S7P_DT_SINT));
    assert_true(s7p_datatype_is_bytewise(S7P_DT_BYTE));
    assert_false(s7p_datatype_is_bytewise(S7P_DT_UINT));
    assert_false(s7p_datatype_is_bytewise(S7P_DT_WSTRING));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_spec_int_array_vector),
        TEST(test_spec_udint_array_vector),
        TEST(test_spec_wstring_sparse_vector),
        TEST(test_spec_struct_314_vector),
        TEST(test_capture_value_vectors),
        TEST(test_scalar_vector_per_type),
        TEST(test_scalar_roundtrip_every_type),
        TEST(test_fixed_width_integer_limits),
        TEST(test_vlq_integer_lengths),
        TEST(test_real_special_values_bit_exact),
        TEST(test_lreal_special_values_bit_exact),
        TEST(test_wstring_empty_utf8_and_long),
        TEST(test_flag_0x80_is_carried_through),
        TEST(test_array_every_type_both_array_flags),
        TEST(test_array_flags_share_one_layout),
        TEST(test_empty_array_every_type),
        TEST(test_thousand_element_arrays),
        TEST(test_null_array_allocates_nothing),
        TEST(test_elem_u64_sign_extends_sint_bytes),
        TEST(test_sparse_every_type),
        TEST(test_sparse_empty_and_wins_over_array_flag),
        TEST(test_sparse_grows_past_initial_capacity),
        TEST(test_sparse_struct_is_unsupported),
        TEST(test_blob_root_0_and_1),
        TEST(test_blob_root_gt1_idlist),
        TEST(test_blob_root_gt1_byte_types),
        TEST(test_blob_other_types_unsupported),
        TEST(test_blob_length_past_input),
        TEST(test_struct_nested_element_form),
        TEST(test_struct_hand_vector_with_nested_struct),
        TEST(test_struct_with_array_flag_is_single_struct),
        TEST(test_packed_struct_dtl),
        TEST(test_packed_struct_count2_gives_length),
        TEST(test_packed_struct_id_ranges),
        TEST(test_struct_at_packed_bounds_uses_member_list),
        TEST(test_struct_address_array_value),
        TEST(test_struct_address_array_ends_enclosing_list),
        TEST(test_struct_address_array_count_past_input),
        TEST(test_variant_scalar),
        TEST(test_variant_array_typed_elements),
        TEST(test_variant_sparse_plain_vlq),
        TEST(test_variant_rejects_struct_and_unknown_inner),
        TEST(test_variant_rejects_inner_array_flags),
        TEST(test_fixed_int_mode_vectors),
        TEST(test_fixed_int_struct_u32_member_ids),
        TEST(test_fixed_int_roundtrip_every_type),
        TEST(test_fixed_int_header_rejects_wide_words),
        TEST(test_unknown_datatypes_rejected),
        TEST(test_unknown_datatypes_rejected_in_empty_arrays),
        TEST(test_depth_limit),
        TEST(test_depth_limit_through_blob_lists),
        TEST(test_array_count_beyond_input_allocates_nothing),
        TEST(test_array_count_over_max_items_is_limit),
        TEST(test_arena_exhaustion_is_nomem),
        TEST(test_struct_members_nomem),
        TEST(test_truncated_vlq_and_overlong_vlq),
        TEST(test_encoder_rejects_inconsistent_values),
        TEST(test_encoder_rejects_bad_packed_struct_and_member_id),
        TEST(test_encoder_limit_and_counter_agree),
        TEST(test_idlist_add_find_and_order),
        TEST(test_idlist_cut_short_fails),
        TEST(test_idlist_member_id_forms),
        TEST(test_u32_member_ids),
        TEST(test_shape_predicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

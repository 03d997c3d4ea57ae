/* SPDX-License-Identifier: MIT */
/* PObject trees: attributes, children, relations, vartype/varname lists and tag descriptions,
 * the spec's vectors, byte-identical round trips, cut-short input and limits. */
#include "codec_test.h"
#include "proto/object.h"
#include "proto/vlq.h"

/* ---- a byte builder for hand-written vectors (bytes, put, PUT, put_str: codec_test.h) --- */

static void put_le16(bytes *x, uint16_t v) { PUT(x, (uint8_t)v, (uint8_t)(v >> 8)); }

static void put_le32(bytes *x, uint32_t v)
{
    PUT(x, (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24));
}

static void put_be16(bytes *x, uint16_t v) { PUT(x, (uint8_t)(v >> 8), (uint8_t)v); }

/* ---- codec helpers ---------------------------------------------------------------------- */

/* The codec's item is an s7p_object * (what s7p_object_decode gives). */
static bool dec_object(s7p_rd *r, s7p_arena *a, void *out) { return s7p_object_decode(r, a, out); }

static bool enc_object(s7p_wr *w, const void *in)
{
    return s7p_object_encode(w, *(const s7p_object *const *)in);
}

static const codec_ops object_codec = {dec_object, enc_object, sizeof(s7p_object *), false};

static s7p_status decode_object(s7p_arena *a, const uint8_t *b, size_t n, s7p_object **out,
                                size_t *left)
{
    return codec_decode(&object_codec, a, b, n, false, out, left);
}

static s7p_bytes encode_object(s7p_arena *a, const s7p_object *o)
{
    return codec_encode(&object_codec, a, &o, false);
}

/* Decodes a complete object, re-encodes it byte for byte, and checks every cut-short copy. */
static s7p_object *check_object_vector(s7p_arena *a, const uint8_t *b, size_t n)
{
    s7p_object *o;
    codec_check_vector(&object_codec, a, b, n, false, &o);
    return o;
}

static s7p_object *roundtrip_object(s7p_arena *a, const s7p_object *o)
{
    s7p_bytes e = encode_object(a, o);
    return check_object_vector(a, e.p, e.n);
}

static s7p_obj_elem *push_elem(s7p_object *o, s7p_arena *a, uint8_t tag)
{
    s7p_obj_elem *e = s7p_arena_alloc(a, sizeof *e);
    assert_non_null(e);
    e->tag = tag;
    if (o->last) o->last->next = e; else o->first = e;
    o->last = e;
    o->nelems++;
    return e;
}

static const s7p_obj_elem *nth_elem(const s7p_object *o, uint32_t i)
{
    const s7p_obj_elem *e = o->first;
    while (e && i--) e = e->next;
    assert_non_null(e);
    return e;
}

/* ---- objects ------------------------------------------------------------------------------ */

static void test_spec_db_object_vector(void **state)
{
    bytes x = {.n = 0};
    PUT(&x, 0xa1, 0x8a, 0x0e, 0x00, 0x01, 0x94, 0x0e, 0x00, 0x00);
    PUT(&x, 0xa3, 0x81, 0x69, 0x00, 0x15, 0x0c);
    put_str(&x, "Data_block_1");
    PUT(&x, 0xa3, 0x93, 0x59, 0x00, 0x03, 0x00, 0x01, 0xa2);
    s7p_object *o = check_object_vector(*state, x.b, x.n);
    assert_int_equal(o->rel_id, 0x8A0E0001u);
    assert_int_equal(o->class_id, 2574);
    assert_int_equal(o->class_flags, 0);
    assert_int_equal(o->attr_id, 0);
    assert_int_equal(o->nelems, 2);
    const s7p_value *name = s7p_object_attr(o, 233);
    assert_non_null(name);
    assert_int_equal(name->type, S7P_DT_WSTRING);
    assert_int_equal(name->v.s.n, 12);
    assert_memory_equal(name->v.s.p, "Data_block_1", 12);
    const s7p_value *num = s7p_object_attr(o, 2521);
    assert_non_null(num);
    assert_int_equal(num->type, S7P_DT_UINT);
    assert_int_equal(num->v.u, 1);
    assert_null(s7p_object_attr(o, 234));
    assert_null(s7p_object_vartypes(o));
    assert_null(s7p_object_varnames(o));
}

/* The ServerSession object of the real S7-1511 CreateObject response (spec §9, frame 7). */
static void test_capture_session_object_vector(void **state)
{
    static const char paom[] = "1;6ES7 511-1AK00-0AB0;V1.0";
    bytes x = {.n = 0};
    PUT(&x, 0xA1, 0x00, 0x00, 0x01, 0x20, 0x82, 0x1F, 0x01, 0x00);
    PUT(&x, 0xA3, 0x81, 0x69, 0x00, 0x15, 0x00);
    PUT(&x, 0xA3, 0x82, 0x2B, 0x00, 0x04, 0x82, 0x80, 0x80, 0x80, 0x00);
    PUT(&x, 0xA3, 0x82, 0x2D, 0x00, 0x15, 0x10);
    put_str(&x, "OMSP.REL.5041.23");
    PUT(&x, 0xA3, 0x82, 0x2F, 0x10, 0x02, 0x14, 0x9F, 0x96, 0xC1, 0x06, 0xA8, 0xBF, 0xC5, 0x94,
        0x46, 0x6C, 0x40, 0x47, 0xF8, 0xE0, 0x2D, 0x7B, 0xB9, 0x56, 0xDB, 0xD7);
    PUT(&x, 0xA3, 0x82, 0x32, 0x00, 0x17, 0x00, 0x00, 0x01, 0x3A);
    PUT(&x, 0x82, 0x3B, 0x00, 0x04, 0x82, 0x40, 0x82, 0x3C, 0x00, 0x04, 0x82, 0x40);
    PUT(&x, 0x82, 0x3D, 0x00, 0x04, 0x84, 0x81, 0x80, 0x40, 0x82, 0x3E, 0x00, 0x04, 0x84, 0x81,
        0x80, 0x40);
    PUT(&x, 0x82, 0x3F, 0x00, 0x15, 0x1A);
    put_str(&x, paom);
    PUT(&x, 0x82, 0x40, 0x00, 0x15, 0x1A);
    put_str(&x, paom);
    PUT(&x, 0x82, 0x41, 0x00, 0x03, 0x00, 0x03, 0x00, 0xA2);
    s7p_object *o = check_object_vector(*state, x.b, x.n);
    assert_int_equal(o->rel_id, 288);
    assert_int_equal(o->class_id, 287);
    assert_int_equal(o->class_flags, 1);
    assert_int_equal(o->nelems, 5);
    assert_int_equal(s7p_object_attr(o, 299)->v.u, 0x20000000u);
    assert_int_equal(s7p_object_attr(o, 303)->count, 20);
    const s7p_value *ver = s7p_object_attr(o, 306);
    assert_non_null(ver);
    assert_int_equal(ver->v.st->id, 314);
    assert_int_equal(ver->v.st->members.n, 7);
    assert_int_equal(s7p_idlist_find(&ver->v.st->members, 317)->v.u, 8405056);
    assert_int_equal(s7p_idlist_find(&ver->v.st->members, 319)->v.s.n, strlen(paom));
}

static void test_capture_explore_tree_vector(void **state)
{
    bytes x = {.n = 0};
    PUT(&x, 0xa1, 0x00, 0x00, 0x00, 0x01, 0x93, 0x2e, 0x30, 0x00);
    PUT(&x, 0xa3, 0x81, 0x69, 0x00, 0x15, 0x06);
    put_str(&x, "ASRoot");
    PUT(&x, 0xa3, 0x93, 0x15, 0x00, 0x05, 0x00, 0xa3, 0x93, 0x2f, 0x00, 0x04, 0x32);
    PUT(&x, 0xa1, 0x00, 0x00, 0x00, 0x03, 0x93, 0x58, 0x30, 0x00);
    PUT(&x, 0xa4, 0x90, 0x0a, 0x00, 0x00, 0x00, 0x60, 0xa2, 0xa2);
    s7p_object *o = check_object_vector(*state, x.b, x.n);
    assert_int_equal(o->rel_id, 1);
    assert_int_equal(o->class_id, 2478);
    assert_int_equal(o->class_flags, 0x30);
    assert_int_equal(o->nelems, 4);
    const s7p_obj_elem *child = nth_elem(o, 3);
    assert_int_equal(child->tag, S7P_EL_START_OBJECT);
    assert_int_equal(child->u.child->rel_id, 3);
    assert_int_equal(child->u.child->class_id, 2520);
    const s7p_obj_elem *rel = nth_elem(child->u.child, 0);
    assert_int_equal(rel->tag, S7P_EL_RELATION);
    assert_int_equal(rel->u.rel.id, 0x80a);
    assert_int_equal(rel->u.rel.target, 0x60);
}

/* Old S7-1200 type info: a child object then a tag description (docs/protocol.md §1.14). */
static void test_capture_tagdesc_tree_vector(void **state)
{
    bytes x = {.n = 0};
    PUT(&x, 0xa1, 0x00, 0x00, 0x02, 0x19, 0x84, 0x16, 0x30, 0x00);
    PUT(&x, 0xa1, 0x90, 0x01, 0x00, 0x00, 0x83, 0x7f, 0x20, 0x00);
    PUT(&x, 0xa3, 0x84, 0x11, 0x00, 0x05, 0x89, 0xd0, 0xb2, 0xd0, 0x8b, 0xab, 0x98, 0xd5, 0x38);
    PUT(&x, 0xa3, 0x8b, 0x5f, 0x00, 0x08, 0x01, 0xa2);
    PUT(&x, 0xa7, 0x04, 0x03, 'M', 'W', '0', 0x00, 0x0b, 0x04, 0x01, 0x90, 0x00, 0x00, 0x09, 0x00,
        0x00, 0x04, 0x00, 0x00, 0xa8, 0xa2);
    s7p_object *o = check_object_vector(*state, x.b, x.n);
    assert_int_equal(o->nelems, 3);
    const s7p_tagdesc *t = nth_elem(o, 1)->u.tagdesc;
    assert_int_equal(nth_elem(o, 1)->tag, S7P_EL_START_TAGDESC);
    assert_int_equal(nth_elem(o, 2)->tag, S7P_EL_END_TAGDESC);
    assert_int_equal(t->offset_info_type, 0x04);
    assert_int_equal(t->name.n, 3);
    assert_memory_equal(t->name.p, "MW0", 3);
    assert_int_equal(t->datatype, S7P_DT_WORD);
    assert_int_equal(t->softdatatype, 4);
    assert_int_equal(t->attr_flags, 0x01900000u);
    assert_int_equal(t->lid, 9);
    assert_int_equal(t->extra, 0);
    assert_int_equal(t->access, 0);
    assert_int_equal(t->section, 4);
    assert_int_equal(t->offset1, 0);
    assert_int_equal(t->offset2, 0);
}

static void test_header_with_attribute_id_flags(void **state)
{
    s7p_object *o = check_object_vector(*state, (const uint8_t[]){0xa1, 0x00, 0x00, 0x00, 0x05,
                                                                  0x05, 0x00, 0x81, 0x00, 0x07,
                                                                  0xa2}, 11);
    assert_int_equal(o->attr_id, 128);
    assert_int_equal(o->attr_id_flags, 7);
    assert_int_equal(o->nelems, 0);
    /* attribute id 0: no flags field, even if the struct holds one */
    o->attr_id = 0;
    s7p_bytes e = encode_object(*state, o);
    assert_int_equal(e.n, 9);
}

static s7p_object *sample_tree(s7p_arena *a)
{
    s7p_object *root = s7p_object_new(a, 0x7FFFC001u, 1001);
    assert_non_null(root);
    root->class_flags = 0x20;
    s7p_value *v = s7p_object_add_attr(root, a, 233);
    *v = v_ws("Subscription_1");
    v = s7p_object_add_attr(root, a, 1051);
    v->type = S7P_DT_BOOL;
    v->v.u = 1;
    s7p_object *mid = s7p_object_new(a, 211, 255);
    s7p_object *leaf = s7p_object_new(a, 0x8A0E0003u, 2574);
    assert_non_null(mid);
    assert_non_null(leaf);
    leaf->attr_id = 0x9999;
    leaf->attr_id_flags = 0x123;
    v = s7p_object_add_attr(leaf, a, 2521);
    v->type = S7P_DT_DINT;
    v->v.i = -123456;
    assert_true(s7p_object_add_relation(leaf, a, 0x80a, 0x60));
    assert_true(s7p_object_add_child(mid, a, leaf));
    v = s7p_object_add_attr(mid, a, 3);
    v->type = S7P_DT_LREAL;
    v->v.lr = -0.0;
    assert_true(s7p_object_add_child(root, a, mid));
    assert_true(s7p_object_add_relation(root, a, 1, 0xFFFFFFFFu));
    return root;
}

static void test_built_tree_roundtrip(void **state)
{
    s7p_arena *a = *state;
    s7p_object *o = roundtrip_object(a, sample_tree(a));
    assert_int_equal(o->rel_id, 0x7FFFC001u);
    assert_int_equal(o->class_flags, 0x20);
    assert_int_equal(o->nelems, 4);
    assert_int_equal(s7p_object_attr(o, 1051)->v.u, 1);
    const s7p_object *mid = nth_elem(o, 2)->u.child;
    assert_int_equal(mid->class_id, 255);
    const s7p_object *leaf = nth_elem(mid, 0)->u.child;
    assert_int_equal(leaf->attr_id, 0x9999);
    assert_int_equal(leaf->attr_id_flags, 0x123);
    assert_int_equal(s7p_object_attr(leaf, 2521)->v.i, -123456);
    assert_int_equal(nth_elem(leaf, 1)->u.rel.target, 0x60);
    assert_int_equal(nth_elem(o, 3)->u.rel.target, 0xFFFFFFFFu);
}

static void test_object_list_stops_at_other_byte(void **state)
{
    s7p_arena *a = *state;
    const uint8_t b[] = {0xa1, 0, 0, 0, 1, 0x01, 0x00, 0x00, 0xa2,
                         0xa1, 0, 0, 0, 2, 0x02, 0x00, 0x00, 0xa3, 0x01, 0x00, 0x00, 0xa2,
                         0x00, 0xa1};
    s7p_rd r = s7p_rd_init(b, sizeof b);
    s7p_object_list l;
    assert_true(s7p_object_list_decode(&r, a, &l));
    assert_int_equal(l.n, 2);
    assert_int_equal(s7p_rd_left(&r), 2);  /* the 00 is not consumed */
    assert_int_equal(l.items[1]->rel_id, 2);
    assert_int_equal(l.items[1]->nelems, 1);
    uint8_t out[64];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_true(s7p_object_list_encode(&w, &l));
    assert_int_equal(w.len, sizeof b - 2);
    assert_memory_equal(out, b, sizeof b - 2);
    /* Nothing but other bytes, or nothing at all: an empty list. */
    r = s7p_rd_init(b + sizeof b - 2, 1);
    assert_true(s7p_object_list_decode(&r, a, &l));
    assert_int_equal(l.n, 0);
    r = s7p_rd_init(b, 0);
    assert_true(s7p_object_list_decode(&r, a, &l));
    assert_int_equal(l.n, 0);
    /* Any other element tag ends the list too, without being consumed. */
    uint8_t c[sizeof b];
    memcpy(c, b, sizeof b);
    c[sizeof b - 2] = 0xa2;
    r = s7p_rd_init(c, sizeof c);
    assert_true(s7p_object_list_decode(&r, a, &l));
    assert_int_equal(l.n, 2);
    assert_int_equal(s7p_rd_left(&r), 2);
    c[sizeof b - 2] = 0xa3;
    r = s7p_rd_init(c, sizeof c);
    assert_true(s7p_object_list_decode(&r, a, &l));
    assert_int_equal(s7p_rd_left(&r), 2);
    /* An A1 that is cut short fails the list. */
    r = s7p_rd_init(b + sizeof b - 1, 1);
    assert_false(s7p_object_list_decode(&r, a, &l));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
}

static void test_object_list_of_many(void **state)
{
    s7p_arena *a = *state;
    s7p_object *items[20];
    for (uint32_t i = 0; i < 20; i++) {
        items[i] = s7p_object_new(a, 0x8A0E0000u + i, 2574);
        s7p_value *v = s7p_object_add_attr(items[i], a, 2521);
        v->type = S7P_DT_UINT;
        v->v.u = i;
    }
    s7p_object_list l = {items, 20};
    uint8_t out[1024];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_true(s7p_object_list_encode(&w, &l));
    s7p_rd r = s7p_rd_init(out, w.len);
    s7p_object_list d;
    assert_true(s7p_object_list_decode(&r, a, &d));
    assert_int_equal(s7p_rd_left(&r), 0);
    assert_int_equal(d.n, 20);
    for (uint32_t i = 0; i < 20; i++) {
        assert_int_equal(d.items[i]->rel_id, 0x8A0E0000u + i);
        assert_int_equal(s7p_object_attr(d.items[i], 2521)->v.u, i);
    }
}

static void test_missing_end_of_object(void **state)
{
    s7p_object *o;
    assert_int_equal(decode_object(*state, (const uint8_t[]){0xa1, 0, 0, 0, 1, 0x01, 0x00, 0x00,
                                                             0xa3, 0x01, 0x00, 0x00},
                                   12, &o, NULL),
                     S7P_E_PROTOCOL);
    /* Inner A2 present, outer missing. */
    assert_int_equal(decode_object(*state, (const uint8_t[]){0xa1, 0, 0, 0, 1, 0x01, 0x00, 0x00,
                                                             0xa1, 0, 0, 0, 2, 0x01, 0x00, 0x00,
                                                             0xa2},
                                   17, &o, NULL),
                     S7P_E_PROTOCOL);
}

static void test_unknown_element_tags_rejected(void **state)
{
    for (unsigned tag = 0; tag <= 0xFF; tag++) {
        switch (tag) {
        case 0xA1: case 0xA2: case 0xA3: case 0xA4: case 0xA7: case 0xA8: case 0xAB: case 0xAC:
            continue;
        default: break;
        }
        const uint8_t b[] = {0xa1, 0, 0, 0, 1, 0x01, 0x00, 0x00, (uint8_t)tag, 0x00, 0x00, 0xa2};
        s7p_object *o;
        if (decode_object(*state, b, sizeof b, &o, NULL) != S7P_E_PROTOCOL)
            fail_msg("tag 0x%02x accepted", tag);
    }
}

static void test_object_must_start_with_a1(void **state)
{
    s7p_object *o;
    assert_int_equal(decode_object(*state, (const uint8_t[]){0xa2}, 1, &o, NULL), S7P_E_PROTOCOL);
    assert_int_equal(decode_object(*state, (const uint8_t[]){0xa3, 0x01, 0x00, 0x00}, 4, &o, NULL),
                     S7P_E_PROTOCOL);
    assert_null(o);
}

static void test_bad_attribute_value_fails_object(void **state)
{
    s7p_object *o;
    /* datatype 0x18 inside an attribute */
    assert_int_equal(decode_object(*state, (const uint8_t[]){0xa1, 0, 0, 0, 1, 0x01, 0x00, 0x00,
                                                             0xa3, 0x01, 0x00, 0x18, 0xa2},
                                   13, &o, NULL),
                     S7P_E_PROTOCOL);
}

static uint8_t *nested_objects(unsigned n, size_t *len)
{
    uint8_t *b = malloc((size_t)n * 9 + 8);
    assert_non_null(b);
    size_t k = 0;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t head[] = {0xa1, 0, 0, 0, 1, 0x01, 0x00, 0x00};
        memcpy(b + k, head, sizeof head);
        k += sizeof head;
    }
    for (unsigned i = 0; i < n; i++) b[k++] = 0xa2;
    *len = k;
    return b;
}

static void test_depth_limit(void **state)
{
    size_t n;
    uint8_t *b = nested_objects(S7P_MAX_DEPTH, &n);
    s7p_object *o;
    size_t left;
    s7p_status st = decode_object(*state, b, n, &o, &left);
    free(b);
    assert_int_equal(st, S7P_OK);
    assert_int_equal(left, 0);
    s7p_bytes e = encode_object(*state, o);
    assert_int_equal(e.n, n);
    b = nested_objects(S7P_MAX_DEPTH + 1, &n);
    st = decode_object(*state, b, n, &o, NULL);
    free(b);
    assert_int_equal(st, S7P_E_LIMIT);
}

static void test_arena_exhaustion(void **state)
{
    const uint8_t b[] = {0xa1, 0, 0, 0, 1, 0x01, 0x00, 0x00, 0xa3, 0x01, 0x00, 0x01, 0x01,
                         0xa1, 0, 0, 0, 2, 0x01, 0x00, 0x00, 0xa2, 0xa2};
    s7p_arena *big = *state;
    s7p_object *o;
    size_t before = big->total;
    assert_int_equal(decode_object(big, b, sizeof b, &o, NULL), S7P_OK);
    size_t need = big->total - before;
    assert_true(need > 0);
    for (size_t limit = 0; limit < need; limit += 8) {
        s7p_arena tiny;
        s7p_arena_init(&tiny, limit);
        s7p_status st = decode_object(&tiny, b, sizeof b, &o, NULL);
        s7p_arena_release(&tiny);
        if (st != S7P_E_NOMEM) fail_msg("limit %zu of %zu: status %d", limit, need, (int)st);
    }
}

static void test_encoder_rejects_bad_elements(void **state)
{
    s7p_arena *a = *state;
    uint8_t out[64];
    s7p_object *o = s7p_object_new(a, 1, 1);
    push_elem(o, a, S7P_EL_START_OBJECT);  /* child pointer NULL */
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_false(s7p_object_encode(&w, o));
    assert_int_equal(w.err, S7P_E_INVALID_ARG);
    o = s7p_object_new(a, 1, 1);
    push_elem(o, a, 0xA5);
    w = s7p_wr_init(out, sizeof out);
    assert_false(s7p_object_encode(&w, o));
    assert_int_equal(w.err, S7P_E_INVALID_ARG);
}

/* ---- vartype lists ---------------------------------------------------------------------- */

static void put_vartype_head(bytes *x, uint32_t lid, uint32_t crc, uint8_t sdt, uint16_t flags,
                             uint8_t bitinfo)
{
    put_le32(x, lid);
    put_le32(x, crc);
    PUT(x, sdt);
    put_be16(x, flags);
    PUT(x, bitinfo);
}

/* Decodes `AB` + list inside an object wrapper and checks the byte-identical round trip. */
static const s7p_vartype_list *check_vartype_list_bytes(s7p_arena *a, const bytes *list)
{
    bytes x = {.n = 0};
    PUT(&x, 0xa1, 0x90, 0x00, 0x00, 0x01, 0x83, 0x7f, 0x00, 0x00, 0xab);
    put(&x, list->b, list->n);
    PUT(&x, 0xa2);
    s7p_object *o = check_object_vector(a, x.b, x.n);
    const s7p_vartype_list *l = s7p_object_vartypes(o);
    assert_non_null(l);
    return l;
}

static void test_vartype_std_field_order(void **state)
{
    bytes x = {.n = 0};
    put_be16(&x, 4 + 16 + 16);
    put_le32(&x, 0xCAFEF00Du);
    put_vartype_head(&x, 1, 0x11223344u, 0x05, 0x8ac0, 0x08);  /* type 8: opt, non-opt */
    put_le16(&x, 0x0102);
    put_le16(&x, 0x0304);
    put_vartype_head(&x, 2, 0x55667788u, 0x01, 0x1a80, 0x19);  /* type 1: non-opt, opt */
    put_le16(&x, 0x0506);
    put_le16(&x, 0x0708);
    put_be16(&x, 0);
    const s7p_vartype_list *l = check_vartype_list_bytes(*state, &x);
    assert_int_equal(l->first_id, 0xCAFEF00Du);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->items[0].lid, 1);
    assert_int_equal(l->items[0].symbol_crc, 0x11223344u);
    assert_int_equal(l->items[0].softdatatype, 5);
    assert_int_equal(l->items[0].attr_flags, 0x8ac0);
    assert_int_equal(l->items[0].bit_offset_info, 0x08);
    assert_int_equal(l->items[0].opt_addr, 0x0102);
    assert_int_equal(l->items[0].nonopt_addr, 0x0304);
    assert_int_equal(l->items[1].nonopt_addr, 0x0506);
    assert_int_equal(l->items[1].opt_addr, 0x0708);
    assert_true(l->items[0].starts_block);
    assert_false(l->items[1].starts_block);
}

static void test_vartype_array1_and_string_placement(void **state)
{
    bytes x = {.n = 0};
    put_be16(&x, 4 + 32 + 24);
    put_le32(&x, 0);
    put_vartype_head(&x, 7, 8, 0x05, 0xa000, 0);  /* type 10 Array1Dim */
    put_le16(&x, 0x0a0b);
    put_le16(&x, 0x0c0d);
    put_le32(&x, 0x100);
    put_le32(&x, 0x200);
    put_le32(&x, (uint32_t)-5);
    put_le32(&x, 11);
    put_vartype_head(&x, 9, 10, 0x13, 0x9a40, 0);  /* type 9 String */
    put_le16(&x, 254);
    put_le16(&x, 0);
    put_le32(&x, 0x300);
    put_le32(&x, 0x400);
    put_be16(&x, 0);
    const s7p_vartype_list *l = check_vartype_list_bytes(*state, &x);
    const s7p_vartype *v = &l->items[0];
    assert_int_equal(v->info1, 0x0a0b);
    assert_int_equal(v->info2, 0x0c0d);
    assert_int_equal(v->opt_addr, 0x100);
    assert_int_equal(v->nonopt_addr, 0x200);
    assert_int_equal(v->lower_bound, -5);
    assert_int_equal(v->element_count, 11);
    assert_int_equal(l->items[1].info1, 254);
    assert_int_equal(l->items[1].opt_addr, 0x300);
    assert_int_equal(l->items[1].nonopt_addr, 0x400);
}

static void put_mdims(bytes *x, int32_t base)
{
    for (int d = 0; d < 6; d++) put_le32(x, (uint32_t)(base - d));
    for (int d = 0; d < 6; d++) put_le32(x, d < 3 ? (uint32_t)(d + 2) : 0);
}

static void check_mdims(const s7p_vartype *v, int32_t base)
{
    for (int d = 0; d < 6; d++) {
        assert_int_equal(v->mdim_lower[d], base - d);
        assert_int_equal(v->mdim_count[d], d < 3 ? (uint32_t)(d + 2) : 0);
    }
}

static void test_vartype_mdim_and_struct_placement(void **state)
{
    bytes x = {.n = 0};
    put_be16(&x, 4 + 80 + 108);
    put_le32(&x, 1);
    put_vartype_head(&x, 1, 2, 0x05, 0xb000, 0);  /* type 11 ArrayMDim */
    put_le16(&x, 1);
    put_le16(&x, 2);
    put_le32(&x, 3);
    put_le32(&x, 4);
    put_le32(&x, (uint32_t)-1);
    put_le32(&x, 24);
    put_mdims(&x, -1);
    put_vartype_head(&x, 3, 4, 0x11, 0xe000, 0);  /* type 14 StructMDim */
    put_le16(&x, 5);
    put_le16(&x, 6);
    put_le32(&x, 7);
    put_le32(&x, 8);
    put_le32(&x, 0);
    put_le32(&x, 6);
    put_mdims(&x, 10);
    put_le32(&x, 0x40);       /* non-optimized struct size */
    put_le32(&x, 0x44);       /* optimized struct size */
    put_le32(&x, 0x9001);     /* relation id */
    put_le32(&x, 0xa4);
    put_le32(&x, 0xa5);
    put_le32(&x, 0xa6);
    put_le32(&x, 0xa7);
    put_be16(&x, 0);
    const s7p_vartype_list *l = check_vartype_list_bytes(*state, &x);
    assert_int_equal(l->items[0].lower_bound, -1);
    assert_int_equal(l->items[0].element_count, 24);
    check_mdims(&l->items[0], -1);
    const s7p_vartype *s = &l->items[1];
    assert_int_equal(s->element_count, 6);
    check_mdims(s, 10);
    assert_int_equal(s->nonopt_struct_size, 0x40);
    assert_int_equal(s->opt_struct_size, 0x44);
    assert_int_equal(s->relation_id, 0x9001);
    assert_int_equal(s->info4, 0xa4);
    assert_int_equal(s->info7, 0xa7);
}

static void test_vartype_fb_array_and_fb_sfb_placement(void **state)
{
    bytes x = {.n = 0};
    put_be16(&x, 4 + 116 + 52);
    put_le32(&x, 0);
    put_vartype_head(&x, 1, 2, 0x17, 0x0000, 0);  /* type 0 FbArray */
    put_le16(&x, 1);
    put_le16(&x, 2);
    put_le32(&x, 3);
    put_le32(&x, 4);
    put_le32(&x, 0x5001);     /* relation id */
    put_le32(&x, 0x14);
    put_le32(&x, 0x15);
    put_le32(&x, 0x16);
    put_le32(&x, 0x17);
    put_le32(&x, 0x18);       /* retain offset */
    put_le32(&x, 0x19);       /* volatile offset */
    put_le32(&x, 4);          /* element count */
    put_le32(&x, 0x20);       /* classic size */
    put_le32(&x, 0x21);       /* retain size */
    put_le32(&x, 0x22);       /* volatile size */
    put_mdims(&x, 0);
    put_vartype_head(&x, 5, 6, 0x17, 0xf000, 0);  /* type 15 FbSfb */
    put_le16(&x, 0);
    put_le16(&x, 0);
    put_le32(&x, 0x30);
    put_le32(&x, 0x31);
    put_le32(&x, 0x5002);
    put_le32(&x, 0x33);
    put_le32(&x, 0x34);
    put_le32(&x, 0x35);
    put_le32(&x, 0x36);
    put_le32(&x, 0x37);
    put_le32(&x, 0x38);
    put_be16(&x, 0);
    const s7p_vartype_list *l = check_vartype_list_bytes(*state, &x);
    const s7p_vartype *f = &l->items[0];
    assert_int_equal(f->relation_id, 0x5001);
    assert_int_equal(f->info4, 0x14);
    assert_int_equal(f->info7, 0x17);
    assert_int_equal(f->retain_offset, 0x18);
    assert_int_equal(f->volatile_offset, 0x19);
    assert_int_equal(f->element_count, 4);
    assert_int_equal(f->classic_size, 0x20);
    assert_int_equal(f->retain_size, 0x21);
    assert_int_equal(f->volatile_size, 0x22);
    check_mdims(f, 0);
    const s7p_vartype *g = &l->items[1];
    assert_int_equal(g->opt_addr, 0x30);
    assert_int_equal(g->nonopt_addr, 0x31);
    assert_int_equal(g->relation_id, 0x5002);
    assert_int_equal(g->retain_offset, 0x37);
    assert_int_equal(g->volatile_offset, 0x38);
}

/* Bytes each offset-info type takes on the wire (dissector s7commp_decode_vartypelist). */
static const size_t vartype_size[16] = {116, 16, 24, 32, 80, 44, 60, 108,
                                        16, 24, 32, 80, 44, 60, 108, 52};

static s7p_vartype sample_vartype(unsigned type, uint32_t seed)
{
    s7p_vartype v;
    memset(&v, 0, sizeof v);
    v.lid = seed + 1;
    v.symbol_crc = 0x80000000u + seed;
    v.softdatatype = (uint8_t)(seed + 3);
    v.attr_flags = (uint16_t)(type << 12 | 0x0ac0);
    v.bit_offset_info = 0x19;
    v.opt_addr = 0x1000 + seed;
    v.nonopt_addr = 0x2000 + seed;
    return v;
}

static void test_vartype_size_of_every_offset_info_type(void **state)
{
    for (unsigned t = 0; t < 16; t++) {
        s7p_vartype v = sample_vartype(t, t);
        s7p_vartype_list l = {0, &v, 1};
        s7p_wr c = s7p_wr_counter();
        assert_true(s7p_vartype_list_encode(&c, &l));
        if (c.len != 2 + 4 + vartype_size[t] + 2)
            fail_msg("offset-info type %u: %zu bytes", t, c.len - 8);
        /* And a decoder reading the entry ends exactly at the block end. */
        uint8_t buf[256];
        s7p_wr w = s7p_wr_init(buf, sizeof buf);
        assert_true(s7p_vartype_list_encode(&w, &l));
        s7p_rd r = s7p_rd_init(buf, w.len);
        s7p_vartype_list d;
        assert_true(s7p_vartype_list_decode(&r, *state, &d));
        assert_int_equal(s7p_rd_left(&r), 0);
        assert_int_equal(d.n, 1);
        assert_int_equal(d.items[0].attr_flags >> 12, t);
        assert_int_equal(d.items[0].opt_addr, 0x1000 + t);
        assert_int_equal(d.items[0].nonopt_addr, 0x2000 + t);
    }
}

static void test_vartype_every_type_in_blocks_roundtrip(void **state)
{
    s7p_arena *a = *state;
    s7p_vartype items[32];
    for (unsigned i = 0; i < 32; i++) {
        unsigned t = i % 16;
        items[i] = sample_vartype(t, i);
        s7p_vartype *v = &items[i];
        v->info1 = (uint16_t)(i + 1);
        v->info2 = (uint16_t)(i + 2);
        if (t == 1 || t == 8) v->info1 = v->info2 = 0;  /* Std kinds have no info words */
        v->lower_bound = -(int32_t)i;
        v->element_count = i + 10;
        v->relation_id = 0x9000 + i;
        v->info4 = 4;
        v->info5 = 5;
        v->info6 = 6;
        v->info7 = 7;
        v->retain_offset = 8;
        v->volatile_offset = 9;
        v->classic_size = 10;
        v->retain_size = 11;
        v->volatile_size = 12;
        v->nonopt_struct_size = 13;
        v->opt_struct_size = 14;
        for (int d = 0; d < S7P_MAX_DIMS; d++) {
            v->mdim_lower[d] = -d;
            v->mdim_count[d] = (uint32_t)d;
        }
        v->starts_block = i == 0 || i == 5 || i == 6 || i == 20;
    }
    s7p_vartype_list l = {0x12345678u, items, 32};
    s7p_object *o = s7p_object_new(a, 0x90000001u, 511);
    push_elem(o, a, S7P_EL_VARTYPE_LIST)->u.vartypes = &l;
    s7p_object *d = roundtrip_object(a, o);
    const s7p_vartype_list *dl = s7p_object_vartypes(d);
    assert_int_equal(dl->first_id, 0x12345678u);
    assert_int_equal(dl->n, 32);
    for (unsigned i = 0; i < 32; i++) {
        assert_int_equal(dl->items[i].starts_block, items[i].starts_block);
        assert_int_equal(dl->items[i].lid, items[i].lid);
        assert_int_equal(dl->items[i].opt_addr, items[i].opt_addr);
    }
}

static void test_vartype_hand_blocks(void **state)
{
    bytes x = {.n = 0};
    put_be16(&x, 4 + 16);
    put_le32(&x, 0x01020304u);
    put_vartype_head(&x, 1, 1, 1, 0x8a40, 0);
    put_le32(&x, 0);
    put_be16(&x, 16 + 16);
    put_vartype_head(&x, 2, 2, 1, 0x8a40, 0);
    put_le32(&x, 0);
    put_vartype_head(&x, 3, 3, 1, 0x8a40, 0);
    put_le32(&x, 0);
    put_be16(&x, 0);
    const s7p_vartype_list *l = check_vartype_list_bytes(*state, &x);
    assert_int_equal(l->n, 3);
    assert_true(l->items[0].starts_block);
    assert_true(l->items[1].starts_block);
    assert_false(l->items[2].starts_block);
    assert_int_equal(l->items[2].lid, 3);
}

static void test_vartype_element_past_block(void **state)
{
    bytes x = {.n = 0};
    put_be16(&x, 4 + 15);  /* one byte short of the Std entry */
    put_le32(&x, 0);
    put_vartype_head(&x, 1, 1, 1, 0x8a40, 0);
    put_le32(&x, 0);
    put_be16(&x, 0);
    s7p_rd r = s7p_rd_init(x.b, x.n);
    s7p_vartype_list l;
    assert_false(s7p_vartype_list_decode(&r, *state, &l));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
    /* A later block that is too short for its entry. */
    x.n = 0;
    put_be16(&x, 4);
    put_le32(&x, 0);
    put_be16(&x, 10);
    put_vartype_head(&x, 1, 1, 1, 0x8a40, 0);
    put_le32(&x, 0);
    put_be16(&x, 0);
    r = s7p_rd_init(x.b, x.n);
    assert_false(s7p_vartype_list_decode(&r, *state, &l));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
}

static void test_vartype_block_length_past_input(void **state)
{
    const uint8_t b[] = {0x00, 0x30, 0x00, 0x00, 0x00, 0x00};
    s7p_rd r = s7p_rd_init(b, sizeof b);
    s7p_vartype_list l;
    assert_false(s7p_vartype_list_decode(&r, *state, &l));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
}

/* A vartype list whose first block is shorter than its 4-byte first id (e.g. `00 00 11 22
 * 33 44`) is a PROTOCOL error: it could not be re-encoded as received. */
static void test_vartype_short_first_block_rejected(void **state)
{
    for (uint8_t len = 0; len < 4; len++) {
        const uint8_t b[] = {0x00, len, 0x11, 0x22, 0x33, 0x44};
        s7p_rd r = s7p_rd_init(b, sizeof b);
        s7p_vartype_list l;
        assert_false(s7p_vartype_list_decode(&r, *state, &l));
        assert_int_equal(r.err, S7P_E_PROTOCOL);
    }
}

static void test_vartype_empty_list_roundtrip(void **state)
{
    s7p_vartype_list l = {0xAABBCCDDu, NULL, 0};
    uint8_t out[16];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_true(s7p_vartype_list_encode(&w, &l));
    const uint8_t want[] = {0x00, 0x04, 0xdd, 0xcc, 0xbb, 0xaa, 0x00, 0x00};
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(out, want, sizeof want);
    s7p_rd r = s7p_rd_init(out, w.len);
    s7p_vartype_list d;
    assert_true(s7p_vartype_list_decode(&r, *state, &d));
    assert_int_equal(d.n, 0);
    assert_int_equal(d.first_id, 0xAABBCCDDu);
}

static void test_vartype_std_address_over_16_bits_rejected(void **state)
{
    (void)state;
    s7p_vartype v = sample_vartype(S7P_OIT_STD, 1);
    v.opt_addr = 0x10000;
    s7p_vartype_list l = {0, &v, 1};
    uint8_t out[64];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_false(s7p_vartype_list_encode(&w, &l));
    assert_int_equal(w.err, S7P_E_INVALID_ARG);
}

/* ---- varname lists ---------------------------------------------------------------------- */

static void test_varname_blocks_roundtrip(void **state)
{
    bytes x = {.n = 0};
    put_be16(&x, 5 + 6);
    PUT(&x, 0x03, 'a', 'b', 'c', 0x00, 0x04, 'd', 'e', 'f', 'g', 0x00);
    put_be16(&x, 3 + 2);
    PUT(&x, 0x01, 'h', 0x00, 0x00, 0x00);  /* an empty name */
    put_be16(&x, 0);
    bytes obj = {.n = 0};
    PUT(&obj, 0xa1, 0x90, 0x00, 0x00, 0x01, 0x83, 0x7f, 0x00, 0x00, 0xac);
    put(&obj, x.b, x.n);
    PUT(&obj, 0xa2);
    s7p_object *o = check_object_vector(*state, obj.b, obj.n);
    const s7p_varname_list *l = s7p_object_varnames(o);
    assert_non_null(l);
    assert_int_equal(l->n, 4);
    assert_memory_equal(l->items[1].name.p, "defg", 4);
    assert_true(l->items[0].starts_block);
    assert_false(l->items[1].starts_block);
    assert_true(l->items[2].starts_block);
    assert_int_equal(l->items[3].name.n, 0);
    assert_int_equal(l->items[3].trailer, 0);
}

static void test_varname_utf8_and_max_length(void **state)
{
    s7p_arena *a = *state;
    static uint8_t long_name[255];
    memset(long_name, 'n', sizeof long_name);
    s7p_varname names[3];
    memset(names, 0, sizeof names);
    names[0].name.p = (const uint8_t *)"T\xc3\xbcr";
    names[0].name.n = 4;
    names[1].name.p = long_name;
    names[1].name.n = 255;
    names[1].trailer = 0x00;
    names[2].name.p = (const uint8_t *)"x";
    names[2].name.n = 1;
    names[2].trailer = 0x7f;  /* an odd trailer byte is kept */
    s7p_varname_list l = {names, 3};
    s7p_object *o = s7p_object_new(a, 1, 1);
    push_elem(o, a, S7P_EL_VARNAME_LIST)->u.varnames = &l;
    s7p_object *d = roundtrip_object(a, o);
    const s7p_varname_list *dl = s7p_object_varnames(d);
    assert_int_equal(dl->n, 3);
    assert_int_equal(dl->items[1].name.n, 255);
    assert_int_equal(dl->items[2].trailer, 0x7f);
    names[1].name.n = 256;
    uint8_t out[600];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_false(s7p_varname_list_encode(&w, &l));
    assert_int_equal(w.err, S7P_E_INVALID_ARG);
}

static void test_varname_name_past_block(void **state)
{
    const uint8_t b[] = {0x00, 0x04, 0x05, 'a', 'b', 'c', 'd', 'e', 0x00, 0x00, 0x00};
    s7p_rd r = s7p_rd_init(b, sizeof b);
    s7p_varname_list l;
    assert_false(s7p_varname_list_decode(&r, *state, &l));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
    const uint8_t c[] = {0x00, 0x09, 0x05, 'a', 'b'};
    r = s7p_rd_init(c, sizeof c);
    assert_false(s7p_varname_list_decode(&r, *state, &l));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
}

static void test_varname_empty_list(void **state)
{
    const uint8_t b[] = {0x00, 0x00};
    s7p_rd r = s7p_rd_init(b, sizeof b);
    s7p_varname_list l;
    assert_true(s7p_varname_list_decode(&r, *state, &l));
    assert_int_equal(l.n, 0);
    uint8_t out[8];
    s7p_wr w = s7p_wr_init(out, sizeof out);
    assert_true(s7p_varname_list_encode(&w, &l));
    assert_int_equal(w.len, 2);
    assert_memory_equal(out, b, 2);
}

/* ---- tag descriptions -------------------------------------------------------------------- */

static s7p_tagdesc sample_tagdesc(uint8_t oit)
{
    s7p_tagdesc t;
    memset(&t, 0, sizeof t);
    t.offset_info_type = oit;
    t.name.p = (const uint8_t *)"Tag_1";
    t.name.n = 5;
    t.unknown = 0;
    t.datatype = S7P_DT_INT;
    t.softdatatype = 5;
    t.attr_flags = 0x01900000u;
    t.lid = 0x0a;
    t.extra = 0;
    if (oit & 0x0C) {
        t.access = 3;
        t.section = 4;
    }
    t.offset1 = 300;
    t.offset2 = 2;
    switch (oit & 3) {
    case 1:
        t.bit_offset1 = 5;
        t.bit_offset2 = 6;
        break;
    case 2:
        t.ndims = 1;
        t.lower[0] = -3;
        t.count[0] = 10;
        t.pad1 = 1;
        t.pad2 = 2;
        break;
    case 3:
        t.pad1 = 7;
        t.pad2 = 8;
        t.ndims = 3;
        for (int d = 0; d < 3; d++) {
            t.lower[d] = -d;
            t.count[d] = (uint32_t)(d + 2);
        }
        break;
    default: break;
    }
    return t;
}

static bool tagdesc_equal(const s7p_tagdesc *x, const s7p_tagdesc *y)
{
    if (x->offset_info_type != y->offset_info_type || x->name.n != y->name.n ||
        memcmp(x->name.p, y->name.p, x->name.n) != 0 || x->unknown != y->unknown ||
        x->datatype != y->datatype || x->softdatatype != y->softdatatype ||
        x->attr_flags != y->attr_flags || x->lid != y->lid || x->extra != y->extra ||
        x->access != y->access || x->section != y->section || x->offset1 != y->offset1 ||
        x->offset2 != y->offset2 || x->bit_offset1 != y->bit_offset1 ||
        x->bit_offset2 != y->bit_offset2 || x->pad1 != y->pad1 || x->pad2 != y->pad2 ||
        x->ndims != y->ndims)
        return false;
    for (uint32_t d = 0; d < x->ndims; d++)
        if (x->lower[d] != y->lower[d] || x->count[d] != y->count[d]) return false;
    return true;
}

static void test_tagdesc_every_layout_roundtrip(void **state)
{
    s7p_arena *a = *state;
    static const uint8_t oits[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                   0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
    for (size_t k = 0; k < sizeof oits; k++) {
        s7p_tagdesc t = sample_tagdesc(oits[k]);
        s7p_object *o = s7p_object_new(a, 0x90030000u, 0x37f);
        push_elem(o, a, S7P_EL_START_TAGDESC)->u.tagdesc = &t;
        push_elem(o, a, S7P_EL_END_TAGDESC);
        s7p_object *d = roundtrip_object(a, o);
        assert_int_equal(d->nelems, 2);
        if (!tagdesc_equal(&t, nth_elem(d, 0)->u.tagdesc)) fail_msg("layout 0x%02x", oits[k]);
    }
}

static void test_tagdesc_hand_vectors_per_layout(void **state)
{
    (void)state;
    s7p_tagdesc t;
    /* layout 1 with access/section: bit offsets follow the two offsets */
    const uint8_t l1[] = {0x05, 0x02, 'M', '1', 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
                          0x03, 0x00, 0x07, 0x08, 0x82, 0x2c, 0x02, 0x05, 0x06};
    s7p_rd r = s7p_rd_init(l1, sizeof l1);
    assert_true(s7p_tagdesc_decode(&r, &t));
    assert_int_equal(s7p_rd_left(&r), 0);
    assert_int_equal(t.access, 7);
    assert_int_equal(t.section, 8);
    assert_int_equal(t.offset1, 300);
    assert_int_equal(t.offset2, 2);
    assert_int_equal(t.bit_offset1, 5);
    assert_int_equal(t.bit_offset2, 6);
    /* layout 2 without access/section: signed lower bound, count, two paddings */
    const uint8_t l2[] = {0x02, 0x01, 'A', 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00,
                          0x04, 0x00, 0x0a, 0x00, 0x7d, 0x0a, 0x01, 0x02};
    r = s7p_rd_init(l2, sizeof l2);
    assert_true(s7p_tagdesc_decode(&r, &t));
    assert_int_equal(s7p_rd_left(&r), 0);
    assert_int_equal(t.offset1, 10);
    assert_int_equal(t.ndims, 1);
    assert_int_equal(t.lower[0], -3);
    assert_int_equal(t.count[0], 10);
    assert_int_equal(t.pad1, 1);
    assert_int_equal(t.pad2, 2);
    /* layout 2 with the 0x08 bit: access and section come first */
    const uint8_t l2b[] = {0x0a, 0x01, 'A', 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00,
                           0x04, 0x00, 0x01, 0x02, 0x0a, 0x00, 0x7d, 0x0a, 0x01, 0x02};
    r = s7p_rd_init(l2b, sizeof l2b);
    assert_true(s7p_tagdesc_decode(&r, &t));
    assert_int_equal(s7p_rd_left(&r), 0);
    assert_int_equal(t.access, 1);
    assert_int_equal(t.section, 2);
    assert_int_equal(t.offset1, 10);
    assert_int_equal(t.lower[0], -3);
    /* layout 3: paddings, then ndims pairs */
    const uint8_t l3[] = {0x03, 0x01, 'B', 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00,
                          0x05, 0x00, 0x00, 0x00, 0x09, 0x0a, 0x02, 0x7f, 0x04, 0x01, 0x03};
    r = s7p_rd_init(l3, sizeof l3);
    assert_true(s7p_tagdesc_decode(&r, &t));
    assert_int_equal(s7p_rd_left(&r), 0);
    assert_int_equal(t.pad1, 9);
    assert_int_equal(t.pad2, 10);
    assert_int_equal(t.ndims, 2);
    assert_int_equal(t.lower[0], -1);
    assert_int_equal(t.count[0], 4);
    assert_int_equal(t.lower[1], 1);
    assert_int_equal(t.count[1], 3);
    /* S7String with its max length in the extra field */
    const uint8_t s[] = {0x00, 0x01, 'S', 0x00, 0x19, 0x13, 0x00, 0x00, 0x00, 0x00,
                         0x06, 0x81, 0x7e, 0x00, 0x00};
    r = s7p_rd_init(s, sizeof s);
    assert_true(s7p_tagdesc_decode(&r, &t));
    assert_int_equal(s7p_rd_left(&r), 0);
    assert_int_equal(t.datatype, S7P_DT_S7STRING);
    assert_int_equal(t.extra, 254);
}

static void test_tagdesc_access_flag_bits(void **state)
{
    (void)state;
    /* 0x04, 0x08 and 0x0C all add the access/section pair; 0x00 does not. */
    static const struct { uint8_t oit; size_t len; } vs[] = {
        {0x00, 18}, {0x04, 20}, {0x0C, 20},
        {0x09, 22}, {0x01, 20},  /* 0x08 alone (0x09: not the SFB form): access/section too */
    };
    for (size_t k = 0; k < sizeof vs / sizeof vs[0]; k++) {
        s7p_tagdesc t = sample_tagdesc(vs[k].oit);
        t.offset1 = 0;
        t.offset2 = 0;
        s7p_wr c = s7p_wr_counter();
        assert_true(s7p_tagdesc_encode(&c, &t));
        if (c.len != vs[k].len) fail_msg("oit 0x%02x: %zu bytes", vs[k].oit, c.len);
    }
}

/* docs/protocol.md §1.6.1: offset_info_type 0x08 adds two VLQs, the SFB instance offsets,
 * after the offsets; they decode into sfb_offset1/2 and are encoded back. Input: A7 08 01
 * 'X' 00 02 01 00000000 01 00 | 03 04 | 05 06 | 07 08 | A8. */
static void test_tagdesc_type_8_sfb_instance_offsets(void **state)
{
    const uint8_t b[] = {0xa1, 0x90, 0x03, 0x00, 0x00, 0x83, 0x7f, 0x00, 0x00,
                         0xa7, 0x08, 0x01, 'X', 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00,
                         0x01, 0x00,              /* lid, extra */
                         0x03, 0x04,              /* access, section */
                         0x05, 0x06,              /* offset1, offset2 */
                         0x07, 0x08,              /* SFB instance offset 1, 2 */
                         0xa8, 0xa2};
    s7p_object *o = check_object_vector(*state, b, sizeof b);
    assert_int_equal(o->nelems, 2);
    const s7p_obj_elem *e = nth_elem(o, 0);
    assert_int_equal(e->tag, S7P_EL_START_TAGDESC);
    const s7p_tagdesc *t = e->u.tagdesc;
    assert_int_equal(t->offset_info_type, 0x08);
    assert_int_equal(t->access, 3);
    assert_int_equal(t->section, 4);
    assert_int_equal(t->offset1, 5);
    assert_int_equal(t->offset2, 6);
    assert_int_equal(t->sfb_offset1, 7);
    assert_int_equal(t->sfb_offset2, 8);
    assert_int_equal(nth_elem(o, 1)->tag, S7P_EL_END_TAGDESC);
}

static void test_tagdesc_too_many_dims_unsupported(void **state)
{
    (void)state;
    const uint8_t b[] = {0x03, 0x01, 'B', 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00,
                         0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
                         0, 1, 0, 1};
    s7p_rd r = s7p_rd_init(b, sizeof b);
    s7p_tagdesc t;
    assert_false(s7p_tagdesc_decode(&r, &t));
    assert_int_equal(r.err, S7P_E_UNSUPPORTED);
    s7p_tagdesc big = sample_tagdesc(0x03);
    big.ndims = S7P_MAX_DIMS + 1;
    s7p_wr w = s7p_wr_counter();
    assert_false(s7p_tagdesc_encode(&w, &big));
    assert_int_equal(w.err, S7P_E_INVALID_ARG);
}

static void test_tagdesc_cut_short(void **state)
{
    (void)state;
    s7p_tagdesc t = sample_tagdesc(0x07);
    uint8_t buf[128];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_tagdesc_encode(&w, &t));
    for (size_t k = 0; k < w.len; k++) {
        s7p_rd r = s7p_rd_init(buf, k);
        s7p_tagdesc d;
        assert_false(s7p_tagdesc_decode(&r, &d));
        assert_int_equal(r.err, S7P_E_PROTOCOL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_spec_db_object_vector),
        TEST(test_capture_session_object_vector),
        TEST(test_capture_explore_tree_vector),
        TEST(test_capture_tagdesc_tree_vector),
        TEST(test_header_with_attribute_id_flags),
        TEST(test_built_tree_roundtrip),
        TEST(test_object_list_stops_at_other_byte),
        TEST(test_object_list_of_many),
        TEST(test_missing_end_of_object),
        TEST(test_unknown_element_tags_rejected),
        TEST(test_object_must_start_with_a1),
        TEST(test_bad_attribute_value_fails_object),
        TEST(test_depth_limit),
        TEST(test_arena_exhaustion),
        TEST(test_encoder_rejects_bad_elements),
        TEST(test_vartype_std_field_order),
        TEST(test_vartype_array1_and_string_placement),
        TEST(test_vartype_mdim_and_struct_placement),
        TEST(test_vartype_fb_array_and_fb_sfb_placement),
        TEST(test_vartype_size_of_every_offset_info_type),
        TEST(test_vartype_every_type_in_blocks_roundtrip),
        TEST(test_vartype_hand_blocks),
        TEST(test_vartype_element_past_block),
        TEST(test_vartype_block_length_past_input),
        TEST(test_vartype_short_first_block_rejected),
        TEST(test_vartype_empty_list_roundtrip),
        TEST(test_vartype_std_address_over_16_bits_rejected),
        TEST(test_varname_blocks_roundtrip),
        TEST(test_varname_utf8_and_max_length),
        TEST(test_varname_name_past_block),
        TEST(test_varname_empty_list),
        TEST(test_tagdesc_every_layout_roundtrip),
        TEST(test_tagdesc_hand_vectors_per_layout),
        TEST(test_tagdesc_access_flag_bits),
        TEST(test_tagdesc_type_8_sfb_instance_offsets),
        TEST(test_tagdesc_too_many_dims_unsupported),
        TEST(test_tagdesc_cut_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* VLQ integers: the spec's vectors both ways, extremes, and rejection of bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/items.h"
#include "proto/vlq.h"

typedef struct {
    uint64_t v;
    uint8_t n;
    uint8_t b[9];
} vec;

static void check_bytes(const uint8_t *got, size_t got_n, const uint8_t *want, size_t want_n)
{
    assert_int_equal(got_n, want_n);
    assert_memory_equal(got, want, want_n);
}

static void test_u32_vectors(void **state)
{
    (void)state;
    static const vec vs[] = {
        {0, 1, {0x00}}, {1, 1, {0x01}}, {127, 1, {0x7f}}, {128, 2, {0x81, 0x00}},
        {300, 2, {0x82, 0x2c}}, {2521, 2, {0x93, 0x59}}, {2550, 2, {0x93, 0x76}},
        {16383, 2, {0xff, 0x7f}}, {16384, 3, {0x81, 0x80, 0x00}},
        {0x8A0E0001u, 5, {0x88, 0xd0, 0xb8, 0x80, 0x01}},
        {0xFFFFFFFFu, 5, {0x8f, 0xff, 0xff, 0xff, 0x7f}},
    };
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        uint8_t buf[9];
        s7p_wr w = s7p_wr_init(buf, sizeof buf);
        assert_true(s7p_wr_vlq_u32(&w, (uint32_t)vs[i].v));
        check_bytes(buf, w.len, vs[i].b, vs[i].n);
        s7p_rd r = s7p_rd_init(vs[i].b, vs[i].n);
        uint32_t out;
        assert_true(s7p_rd_vlq_u32(&r, &out));
        assert_int_equal(out, vs[i].v);
        assert_int_equal(s7p_rd_left(&r), 0);
    }
}

/* Every length boundary of the VLQ form, written by the in-place writer and read back. */
static void test_u32_put_boundaries(void **state)
{
    (void)state;
    for (unsigned k = 7; k <= 28; k += 7) {
        uint32_t vs[3] = {(1u << k) - 1u, 1u << k, (1u << k) + 1u};
        for (int i = 0; i < 3; i++) {
            uint8_t buf[8] = {0};
            size_t n = s7p_vlq_u32_put(buf, vs[i]);
            assert_int_equal(n, s7p_vlq_u32_size(vs[i]));
            assert_int_equal(n, k / 7 + (i > 0));
            s7p_rd r = s7p_rd_init(buf, n);
            uint32_t out;
            assert_true(s7p_rd_vlq_u32(&r, &out));
            assert_int_equal(out, vs[i]);
            assert_int_equal(s7p_rd_left(&r), 0);
        }
    }
}

/* The VLQ form by its definition: 7-bit groups, most significant first, every group but
 * the last with the top bit set, no leading empty group. */
static size_t ref_vlq(uint8_t *out, uint32_t v)
{
    uint8_t g[5];
    size_t n = 0;
    do {
        g[n++] = (uint8_t)(v & 0x7Fu);
        v >>= 7;
    } while (v);
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(g[n - 1 - i] | (i + 1 < n ? 0x80u : 0));
    return n;
}

/* s7p_vlq_u32_put writes the VLQ form by its definition, byte for byte, and nothing past
 * its length: every length's ends, 0 and the largest value. */
static void test_u32_put_matches_writer(void **state)
{
    (void)state;
    static const uint32_t vs[] = {0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000,
                                  0x0FFFFFFF, 0x10000000, 0x10000001, 0x8A0E0001u,
                                  0xFFFFFFFEu, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        uint8_t put[8], ref[8];
        memset(put, 0xEE, sizeof put);
        size_t n = s7p_vlq_u32_put(put, vs[i]);
        assert_int_equal(n, ref_vlq(ref, vs[i]));
        assert_int_equal(n, s7p_vlq_u32_size(vs[i]));
        assert_memory_equal(put, ref, n);
        for (size_t k = n; k < sizeof put; k++) assert_int_equal(put[k], 0xEE);
    }
}

/* An item address stored in place (room checked once) is the field-by-field encoding, also
 * in a buffer of exactly its size (less than the largest size an address may take); one
 * byte less fails with S7P_E_LIMIT. */
static void test_item_address_in_place(void **state)
{
    (void)state;
    uint32_t lids[3] = {127, 16384, (1u << 28)};
    s7p_item_address a = {0xFFFFFFFFu, 0x8A0E0001u, 2521, 3, lids};
    uint8_t want[64], got[64];
    s7p_wr ref = s7p_wr_init(want, sizeof want);
    s7p_wr_vlq_u32(&ref, a.symbol_crc);
    s7p_wr_vlq_u32(&ref, a.area);
    s7p_wr_vlq_u32(&ref, a.nlids + 1);
    s7p_wr_vlq_u32(&ref, a.sub_area);
    for (int i = 0; i < 3; i++) s7p_wr_vlq_u32(&ref, lids[i]);
    assert_int_equal(ref.len, s7p_item_address_size(&a));
    assert_true(ref.len < (3u + 4u) * 5u);
    s7p_wr c = s7p_wr_counter();
    assert_true(s7p_item_address_encode(&c, &a));
    assert_int_equal(c.len, ref.len);
    for (size_t cap = ref.len; cap <= sizeof got; cap += sizeof got - ref.len) {
        memset(got, 0xAA, sizeof got);
        s7p_wr w = s7p_wr_init(got, cap);
        assert_true(s7p_wr_u8(&w, 0x55));  /* not at the start of the buffer */
        w.cap = cap + 1 > sizeof got ? sizeof got : cap + 1;
        assert_true(s7p_item_address_encode(&w, &a));
        assert_int_equal(w.len, ref.len + 1);
        assert_memory_equal(got + 1, want, ref.len);
    }
    s7p_wr w = s7p_wr_init(got, ref.len - 1);
    assert_false(s7p_item_address_encode(&w, &a));
    assert_int_equal(w.err, S7P_E_LIMIT);
}

/* The reader has a path without per-byte bounds checks when five bytes or more are left:
 * every input gives the same value, length and refusal whether bytes follow it or not. */
static void test_u32_read_paths_agree(void **state)
{
    (void)state;
    static const struct { uint8_t n, b[6]; } in[] = {
        {1, {0x00}}, {1, {0x7f}}, {2, {0x81, 0x00}}, {2, {0xff, 0x7f}}, {3, {0x81, 0x80, 0x00}},
        {5, {0x88, 0xd0, 0xb8, 0x80, 0x01}}, {5, {0x8f, 0xff, 0xff, 0xff, 0x7f}},
        {5, {0x9f, 0xff, 0xff, 0xff, 0x7f}},        /* 33 bits */
        {6, {0x81, 0x80, 0x80, 0x80, 0x80, 0x01}},  /* a sixth group */
        {3, {0x80, 0x80, 0x01}},                    /* leading empty group */
        {2, {0x80, 0x00}},
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        uint8_t padded[16];
        memset(padded, 0, sizeof padded);
        memcpy(padded, in[i].b, in[i].n);
        s7p_rd exact = s7p_rd_init(in[i].b, in[i].n), more = s7p_rd_init(padded, sizeof padded);
        uint32_t a = 1, b = 2;
        bool oka = s7p_rd_vlq_u32(&exact, &a), okb = s7p_rd_vlq_u32(&more, &b);
        assert_int_equal(oka, okb);
        assert_int_equal(exact.err, more.err);
        if (!oka) continue;
        assert_int_equal(a, b);
        assert_int_equal(s7p_rd_left(&exact), 0);
        assert_int_equal(s7p_rd_left(&more), sizeof padded - in[i].n);
    }
}

static void test_i32_vectors(void **state)
{
    (void)state;
    static const struct { int32_t v; uint8_t n; uint8_t b[5]; } vs[] = {
        {0, 1, {0x00}}, {1, 1, {0x01}}, {-1, 1, {0x7f}}, {63, 1, {0x3f}},
        {64, 2, {0x80, 0x40}}, {-64, 2, {0xff, 0x40}}, {-65, 2, {0xff, 0x3f}},
        {100, 2, {0x80, 0x64}}, {-100, 2, {0xff, 0x1c}}, {1000, 2, {0x87, 0x68}},
        {-255, 2, {0xfe, 0x01}}, {-1234567, 4, {0xff, 0xb4, 0xd2, 0x79}},
        {INT32_MAX, 5, {0x87, 0xff, 0xff, 0xff, 0x7f}},
        {INT32_MIN, 5, {0xf8, 0x80, 0x80, 0x80, 0x00}},
    };
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        uint8_t buf[9];
        s7p_wr w = s7p_wr_init(buf, sizeof buf);
        assert_true(s7p_wr_vlq_i32(&w, vs[i].v));
        check_bytes(buf, w.len, vs[i].b, vs[i].n);
        s7p_rd r = s7p_rd_init(vs[i].b, vs[i].n);
        int32_t out;
        assert_true(s7p_rd_vlq_i32(&r, &out));
        assert_int_equal(out, vs[i].v);
    }
}

static void test_i32_long_forms_wrap(void **state)
{
    (void)state;
    /* The 5-byte forms a reference client writes and a PLC accepts: accepted by the form
     * reader (which says so, so the value re-encodes the same), refused by the strict one. */
    const uint8_t a[] = {0x8f, 0xff, 0xb4, 0xd2, 0x79}, b[] = {0x8f, 0xff, 0xff, 0xfe, 0x01};
    int32_t out;
    bool long_form;
    s7p_rd r = s7p_rd_init(a, sizeof a);
    assert_true(s7p_rd_vlq_i32_form(&r, &out, &long_form));
    assert_int_equal(out, -1234567);
    assert_true(long_form);
    r = s7p_rd_init(b, sizeof b);
    assert_true(s7p_rd_vlq_i32_form(&r, &out, &long_form));
    assert_int_equal(out, -255);
    assert_true(long_form);
    uint8_t buf[5];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_wr_vlq_i32_long(&w, -255));
    assert_memory_equal(buf, b, sizeof b);
    r = s7p_rd_init(b, sizeof b);
    assert_false(s7p_rd_vlq_i32(&r, &out));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
    /* Other non-minimal lengths have no meaning and are refused. */
    const uint8_t three[] = {0xff, 0xff, 0x4e};
    r = s7p_rd_init(three, sizeof three);
    assert_false(s7p_rd_vlq_i32_form(&r, &out, &long_form));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
    /* The 9-byte 64-bit form of a small value. */
    const uint8_t nine[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x05};
    int64_t o64;
    r = s7p_rd_init(nine, sizeof nine);
    assert_true(s7p_rd_vlq_i64_form(&r, &o64, &long_form));
    assert_true(o64 == 5 && long_form);
    uint8_t buf9[9];
    w = s7p_wr_init(buf9, sizeof buf9);
    assert_true(s7p_wr_vlq_i64_long(&w, 5));
    assert_memory_equal(buf9, nine, sizeof nine);
}

static void test_u64_vectors(void **state)
{
    (void)state;
    static const vec vs[] = {
        {0, 1, {0x00}}, {128, 2, {0x81, 0x00}},
        {0x00FFFFFFFFFFFFFFull, 8, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
        {0x0100000000000000ull, 9, {0x80, 0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}},
        {123456789012345678ull, 9, {0x80, 0xed, 0xd3, 0xb4, 0xdd, 0x98, 0xe1, 0xf3, 0x4e}},
        {UINT64_MAX, 9, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
    };
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        uint8_t buf[9];
        s7p_wr w = s7p_wr_init(buf, sizeof buf);
        assert_true(s7p_wr_vlq_u64(&w, vs[i].v));
        check_bytes(buf, w.len, vs[i].b, vs[i].n);
        s7p_rd r = s7p_rd_init(vs[i].b, vs[i].n);
        uint64_t out;
        assert_true(s7p_rd_vlq_u64(&r, &out));
        assert_true(out == vs[i].v);
    }
}

static void test_i64_vectors(void **state)
{
    (void)state;
    static const struct { int64_t v; uint8_t n; uint8_t b[9]; } vs[] = {
        {0, 1, {0x00}}, {-1, 1, {0x7f}},
        {1000000000, 5, {0x83, 0xdc, 0xeb, 0x94, 0x00}},
        {-1000000000, 5, {0xfc, 0xa3, 0x94, 0xec, 0x00}},
        {0x007FFFFFFFFFFFFFll, 8, {0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
        {0x0080000000000000ll, 9, {0x80, 0xa0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}},
        {INT64_MAX, 9, {0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
        {INT64_MIN, 9, {0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}},
    };
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        uint8_t buf[9];
        s7p_wr w = s7p_wr_init(buf, sizeof buf);
        assert_true(s7p_wr_vlq_i64(&w, vs[i].v));
        check_bytes(buf, w.len, vs[i].b, vs[i].n);
        s7p_rd r = s7p_rd_init(vs[i].b, vs[i].n);
        int64_t out;
        assert_true(s7p_rd_vlq_i64(&r, &out));
        assert_true(out == vs[i].v);
    }
}

/* Every value round-trips through the shortest form, sweeping all bit widths and signs. */
static void test_roundtrip_sweep(void **state)
{
    (void)state;
    for (unsigned bit = 0; bit < 64; bit++) {
        for (int d = -1; d <= 1; d++) {
            uint64_t u = ((uint64_t)1 << bit) + (uint64_t)(int64_t)d;
            uint8_t buf[9];
            s7p_wr w = s7p_wr_init(buf, sizeof buf);
            assert_true(s7p_wr_vlq_u64(&w, u));
            s7p_rd r = s7p_rd_init(buf, w.len);
            uint64_t ou;
            assert_true(s7p_rd_vlq_u64(&r, &ou));
            assert_true(ou == u);
            int64_t s = -(int64_t)(u >> 1);
            w = s7p_wr_init(buf, sizeof buf);
            assert_true(s7p_wr_vlq_i64(&w, s));
            r = s7p_rd_init(buf, w.len);
            int64_t os;
            assert_true(s7p_rd_vlq_i64(&r, &os));
            assert_true(os == s);
            int32_t s32 = (int32_t)(uint32_t)u;
            w = s7p_wr_init(buf, sizeof buf);
            assert_true(s7p_wr_vlq_i32(&w, s32));
            assert_true(w.len <= 5);
            r = s7p_rd_init(buf, w.len);
            int32_t o32;
            assert_true(s7p_rd_vlq_i32(&r, &o32));
            assert_int_equal(o32, s32);
        }
    }
}

static void test_rejects_overlong_and_truncated(void **state)
{
    (void)state;
    const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    const uint8_t over[] = {0x9f, 0xff, 0xff, 0xff, 0x7f};  /* 33 bits */
    const uint8_t cut[] = {0x81, 0x80};
    uint32_t u;
    int32_t i;
    s7p_rd r = s7p_rd_init(six, sizeof six);
    assert_false(s7p_rd_vlq_u32(&r, &u));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
    r = s7p_rd_init(six, sizeof six);
    assert_false(s7p_rd_vlq_i32(&r, &i));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
    r = s7p_rd_init(over, sizeof over);
    assert_false(s7p_rd_vlq_u32(&r, &u));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
    for (size_t n = 0; n <= sizeof cut; n++) {
        r = s7p_rd_init(cut, n);
        assert_false(s7p_rd_vlq_u32(&r, &u));
        assert_int_equal(r.err, S7P_E_PROTOCOL);
    }
    /* Unsigned forms with leading empty groups are refused: the same number would have
     * several lengths, and lengths decide where a PDU's tail starts. */
    const uint8_t padded[] = {0x80, 0x80, 0x01};
    r = s7p_rd_init(padded, sizeof padded);
    assert_false(s7p_rd_vlq_u32(&r, &u));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
    uint64_t u64;
    r = s7p_rd_init(padded, sizeof padded);
    assert_false(s7p_rd_vlq_u64(&r, &u64));
    const uint8_t nine_small[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x05};
    r = s7p_rd_init(nine_small, sizeof nine_small);
    assert_false(s7p_rd_vlq_u64(&r, &u64));
    assert_int_equal(r.err, S7P_E_PROTOCOL);
    /* A single 0x00 is zero, and signed forms keep their long variants (tested above). */
    const uint8_t zero[] = {0x00};
    r = s7p_rd_init(zero, 1);
    assert_true(s7p_rd_vlq_u32(&r, &u));
    assert_int_equal(u, 0);
}

static void test_fixed_int_mode(void **state)
{
    (void)state;
    uint8_t buf[8];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    w.fixed_ints = true;
    assert_true(s7p_wr_vlq_u32(&w, 300));
    assert_int_equal(w.len, 4);
    const uint8_t want[] = {0, 0, 1, 0x2c};
    assert_memory_equal(buf, want, 4);
    s7p_rd r = s7p_rd_init(buf, 4);
    r.fixed_ints = true;
    uint32_t u;
    assert_true(s7p_rd_vlq_u32(&r, &u));
    assert_int_equal(u, 300);
}

static void test_writer_limit(void **state)
{
    (void)state;
    uint8_t buf[2];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_false(s7p_wr_vlq_u32(&w, 0xFFFFFFFFu));
    assert_int_equal(w.err, S7P_E_LIMIT);
    s7p_wr c = s7p_wr_counter();
    assert_true(s7p_wr_vlq_u64(&c, UINT64_MAX));
    assert_int_equal(c.len, 9);
}

/* The size function agrees with the writer at every group boundary. */
static void test_u32_size(void **state)
{
    (void)state;
    static const uint32_t v[] = {0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000,
                                 0xFFFFFFF, 0x10000000, 0x8A0E0001u, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t buf[8];
        s7p_wr w = s7p_wr_init(buf, sizeof buf);
        assert_true(s7p_wr_vlq_u32(&w, v[i]));
        assert_int_equal(s7p_vlq_u32_size(v[i]), w.len);
        s7p_rd r = s7p_rd_init(buf, w.len);
        uint32_t back;
        assert_true(s7p_rd_vlq_u32(&r, &back));
        assert_int_equal(back, v[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u32_vectors),
        cmocka_unit_test(test_u32_size),
        cmocka_unit_test(test_i32_vectors),
        cmocka_unit_test(test_i32_long_forms_wrap),
        cmocka_unit_test(test_u64_vectors),
        cmocka_unit_test(test_i64_vectors),
        cmocka_unit_test(test_roundtrip_sweep),
        cmocka_unit_test(test_rejects_overlong_and_truncated),
        cmocka_unit_test(test_fixed_int_mode),
        cmocka_unit_test(test_writer_limit),
        cmocka_unit_test(test_u32_put_boundaries),
        cmocka_unit_test(test_u32_put_matches_writer),
        cmocka_unit_test(test_u32_read_paths_agree),
        cmocka_unit_test(test_item_address_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

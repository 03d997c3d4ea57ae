/* SPDX-License-Identifier: MIT */
/* TPKT/COTP codec: the reference client's bytes, real PLC CR/CC pairs, parameter order,
 * every malformed length we can think of, every strict prefix, and random mutations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "net/cotp.h"

#define HMI "SIMATIC-ROOT-HMI"

/* ---- helpers ---- */

static unsigned nibble(char c)
{
    if (c >= '0' && c <= '9') return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f') return (unsigned)(c - 'a' + 10);
    assert_true(c >= 'A' && c <= 'F');
    return (unsigned)(c - 'A' + 10);
}

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (const char *s = hex; s[0] && s[1]; s += 2) {
        assert_true(n < cap);
        out[n++] = (uint8_t)(nibble(s[0]) << 4 | nibble(s[1]));
    }
    return n;
}

static s7p_bytes str_bytes(const char *s)
{
    s7p_bytes b = {(const uint8_t *)s, strlen(s)};
    return b;
}

static void assert_view(s7p_bytes v, const void *want, size_t n)
{
    assert_int_equal(v.n, n);
    if (n) assert_memory_equal(v.p, want, n);
}

/* The reference client's CR (spec §1.3). */
static const uint8_t REF_CR[] = {
    0x03, 0x00, 0x00, 0x24, 0x1F, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC0, 0x01, 0x0A,
    0xC1, 0x02, 0x06, 0x00, 0xC2, 0x10, 'S', 'I', 'M', 'A', 'T', 'I', 'C', '-',
    'R', 'O', 'O', 'T', '-', 'H', 'M', 'I'};

/* CR/CC pairs from real traffic (shared/captures, spec §1.4): clients send C1 C2 C0, the PLC
 * answers C0 C1 C2 with the TSAPs echoed. */
static const struct { const char *cr, *cc; uint16_t plc_ref; } REAL[] = {
    {"030000231ee00000001100c1020600c20f53494d415449432d524f4f542d4553c0010a",
     "030000231ed00011000700c0010ac1020600c20f53494d415449432d524f4f542d4553", 0x0007},
    {"030000322de00000002800c110534e4f50434330303032303030303031c21053494d415449432d524f4f54"
     "2d4f5448c0010a",
     "030000322dd00028000100c0010ac110534e4f50434330303032303030303031c21053494d415449432d52"
     "4f4f542d4f5448", 0x0001},
    {"030000241fe00000000900c1020600c21053494d415449432d524f4f542d484d49c0010a",
     "030000241fd00009000900c0010ac1020600c21053494d415449432d524f4f542d484d49", 0x0009},
    {"030000241fe00000011200c1020620c21053494d415449432d524f4f542d484d49c0010a",
     "030000241fd00112000900c0010ac1020620c21053494d415449432d524f4f542d484d49", 0x0009},
};

/* ---- writers: exact bytes ---- */

static void test_cr_reference_bytes(void **state)
{
    (void)state;
    uint8_t buf[64], tsap[2] = {0x06, 0x00};
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    s7p_bytes calling = {tsap, 2};
    assert_true(s7p_cotp_write_cr(&w, 1, S7P_COTP_TPDU_EXP_DEFAULT, calling, str_bytes(HMI)));
    assert_int_equal(w.len, sizeof REF_CR);
    assert_memory_equal(buf, REF_CR, sizeof REF_CR);
}

static void test_cr_reference_decode(void **state)
{
    (void)state;
    s7p_cotp c;
    assert_int_equal(s7p_cotp_decode(REF_CR, sizeof REF_CR, &c), S7P_OK);
    assert_int_equal(c.type, S7P_COTP_CR);
    assert_int_equal(c.dst_ref, 0);
    assert_int_equal(c.src_ref, 1);
    assert_int_equal(c.class_option, 0);
    assert_int_equal(c.tpdu_exp, 0x0A);
    assert_view(c.calling_tsap, "\x06\x00", 2);
    assert_view(c.called_tsap, HMI, 16);
}

/* Acting as the PLC: decode each real CR, answer with our CC writer, and get the PLC's bytes. */
static void test_cc_matches_real_plc(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof REAL / sizeof REAL[0]; i++) {
        uint8_t cr[128], want[128], got[128];
        size_t crn = unhex(REAL[i].cr, cr, sizeof cr), wn = unhex(REAL[i].cc, want, sizeof want);
        s7p_cotp c;
        assert_int_equal(s7p_cotp_decode(cr, crn, &c), S7P_OK);
        assert_int_equal(c.type, S7P_COTP_CR);
        s7p_wr w = s7p_wr_init(got, sizeof got);
        assert_true(s7p_cotp_write_cc(&w, c.src_ref, REAL[i].plc_ref, c.tpdu_exp, c.calling_tsap,
                                      c.called_tsap));
        assert_int_equal(w.len, wn);
        assert_memory_equal(got, want, wn);

        s7p_cotp cc;
        assert_int_equal(s7p_cotp_decode(want, wn, &cc), S7P_OK);
        assert_int_equal(cc.type, S7P_COTP_CC);
        assert_int_equal(cc.dst_ref, c.src_ref);
        assert_int_equal(cc.src_ref, REAL[i].plc_ref);
        assert_int_equal(cc.tpdu_exp, 0x0A);
        assert_view(cc.calling_tsap, c.calling_tsap.p, c.calling_tsap.n);
        assert_view(cc.called_tsap, c.called_tsap.p, c.called_tsap.n);
    }
}

static void test_cc_spec_example(void **state)
{
    (void)state;
    static const char *want_hex =
        "030000241fd0000b000900c0010ac1020600c21053494d415449432d524f4f542d484d49";
    uint8_t want[64], buf[64], tsap[2] = {0x06, 0x00};
    size_t wn = unhex(want_hex, want, sizeof want);
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    s7p_bytes calling = {tsap, 2};
    assert_true(s7p_cotp_write_cc(&w, 0x000B, 0x0009, 0x0A, calling, str_bytes(HMI)));
    assert_int_equal(w.len, wn);
    assert_memory_equal(buf, want, wn);
}

static void test_dr_roundtrip(void **state)
{
    (void)state;
    static const uint8_t want[] = {0x03, 0x00, 0x00, 0x0B, 0x06, 0x80, 0x00, 0x01, 0x00, 0x09,
                                   0x03};
    uint8_t buf[16];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_cotp_write_dr(&w, 0x0001, 0x0009, 0x03));
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    s7p_cotp c;
    assert_int_equal(s7p_cotp_decode(buf, w.len, &c), S7P_OK);
    assert_int_equal(c.type, S7P_COTP_DR);
    assert_int_equal(c.dst_ref, 1);
    assert_int_equal(c.src_ref, 9);
    assert_int_equal(c.class_option, 3);

    /* A DR may carry parameters (E0 "additional information"): skipped. */
    static const uint8_t with_param[] = {0x03, 0x00, 0x00, 0x0F, 0x0A, 0x80, 0x00, 0x01,
                                         0x00, 0x09, 0x80, 0xE0, 0x02, 0xAA, 0xBB};
    assert_int_equal(s7p_cotp_decode(with_param, sizeof with_param, &c), S7P_OK);
    assert_int_equal(c.type, S7P_COTP_DR);
    assert_int_equal(c.class_option, 0x80);
}

static void test_dt_roundtrip(void **state)
{
    (void)state;
    uint8_t buf[32];
    s7p_cotp c;
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_cotp_write_dt(&w, (const uint8_t *)"\x72\x01\x00", 3, true));
    static const uint8_t want[] = {0x03, 0x00, 0x00, 0x0A, 0x02, 0xF0, 0x80, 0x72, 0x01, 0x00};
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    assert_int_equal(s7p_cotp_decode(buf, w.len, &c), S7P_OK);
    assert_int_equal(c.type, S7P_COTP_DT);
    assert_true(c.eot);
    assert_view(c.payload, "\x72\x01\x00", 3);
    assert_ptr_equal(c.payload.p, buf + 7);

    /* The empty DT HMIs send after each response (spec §1.5). */
    static const uint8_t empty[] = {0x03, 0x00, 0x00, 0x07, 0x02, 0xF0, 0x00};
    w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_cotp_write_dt(&w, NULL, 0, false));
    assert_int_equal(w.len, sizeof empty);
    assert_memory_equal(buf, empty, sizeof empty);
    assert_int_equal(s7p_cotp_decode(empty, sizeof empty, &c), S7P_OK);
    assert_int_equal(c.type, S7P_COTP_DT);
    assert_false(c.eot);
    assert_int_equal(c.payload.n, 0);

    /* TPDU-NR bits other than EOT are ignored. */
    static const uint8_t nr[] = {0x03, 0x00, 0x00, 0x08, 0x02, 0xF0, 0x05, 0x42};
    assert_int_equal(s7p_cotp_decode(nr, sizeof nr, &c), S7P_OK);
    assert_false(c.eot);
    assert_view(c.payload, "\x42", 1);
}

static void test_er_decode(void **state)
{
    (void)state;
    static const uint8_t er[] = {0x03, 0x00, 0x00, 0x0D, 0x08, 0x70, 0x00, 0x01, 0x03,
                                 0xC1, 0x02, 0xAB, 0xCD};
    s7p_cotp c;
    assert_int_equal(s7p_cotp_decode(er, sizeof er, &c), S7P_OK);
    assert_int_equal(c.type, S7P_COTP_ER);
    assert_int_equal(c.dst_ref, 1);
    assert_int_equal(c.class_option, 3);
}

/* ---- parameters ---- */

/* Builds a CR with the given parameter blocks in the given order. */
static size_t build_cr(uint8_t *buf, const uint8_t *const *params, const size_t *lens, size_t np)
{
    size_t n = 5;
    static const uint8_t fixed[] = {0xE0, 0x00, 0x00, 0x00, 0x01, 0x00};
    memcpy(buf + n, fixed, sizeof fixed);
    n += sizeof fixed;
    for (size_t i = 0; i < np; i++) {
        memcpy(buf + n, params[i], lens[i]);
        n += lens[i];
    }
    buf[0] = 0x03;
    buf[1] = 0x00;
    buf[2] = (uint8_t)(n >> 8);
    buf[3] = (uint8_t)n;
    buf[4] = (uint8_t)(n - 5);
    return n;
}

static const uint8_t P_C0[] = {0xC0, 0x01, 0x0A};
static const uint8_t P_C1[] = {0xC1, 0x02, 0x06, 0x00};
static const uint8_t P_C2[] = {0xC2, 0x10, 'S', 'I', 'M', 'A', 'T', 'I', 'C', '-',
                               'R', 'O', 'O', 'T', '-', 'H', 'M', 'I'};

static void assert_ref_fields(const s7p_cotp *c)
{
    assert_int_equal(c->type, S7P_COTP_CR);
    assert_int_equal(c->src_ref, 1);
    assert_int_equal(c->tpdu_exp, 0x0A);
    assert_view(c->calling_tsap, "\x06\x00", 2);
    assert_view(c->called_tsap, HMI, 16);
}

static void test_param_order_independent(void **state)
{
    (void)state;
    static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1},
                                    {2, 1, 0}};
    const uint8_t *all[3] = {P_C0, P_C1, P_C2};
    const size_t lens[3] = {sizeof P_C0, sizeof P_C1, sizeof P_C2};
    for (int i = 0; i < 6; i++) {
        const uint8_t *ps[3];
        size_t ls[3];
        for (int j = 0; j < 3; j++) {
            ps[j] = all[perms[i][j]];
            ls[j] = lens[perms[i][j]];
        }
        uint8_t buf[64];
        size_t n = build_cr(buf, ps, ls, 3);
        s7p_cotp c;
        assert_int_equal(s7p_cotp_decode(buf, n, &c), S7P_OK);
        assert_ref_fields(&c);
    }
}

static void test_unknown_params_skipped(void **state)
{
    (void)state;
    static const uint8_t opt[] = {0xC6, 0x01, 0x00};             /* additional options */
    static const uint8_t sum[] = {0xC3, 0x02, 0x12, 0x34};       /* checksum */
    static const uint8_t empty[] = {0x87, 0x00};                 /* anything, length 0 */
    const uint8_t *ps[6] = {opt, P_C1, sum, P_C2, empty, P_C0};
    const size_t ls[6] = {sizeof opt, sizeof P_C1, sizeof sum, sizeof P_C2, sizeof empty,
                          sizeof P_C0};
    uint8_t buf[64];
    size_t n = build_cr(buf, ps, ls, 6);
    s7p_cotp c;
    assert_int_equal(s7p_cotp_decode(buf, n, &c), S7P_OK);
    assert_ref_fields(&c);

    /* No parameters at all: still a CR, with nothing negotiated. */
    n = build_cr(buf, ps, ls, 0);
    assert_int_equal(s7p_cotp_decode(buf, n, &c), S7P_OK);
    assert_int_equal(c.type, S7P_COTP_CR);
    assert_int_equal(c.tpdu_exp, 0);
    assert_int_equal(c.called_tsap.n, 0);
}

static void test_param_lengths_checked(void **state)
{
    (void)state;
    static const uint8_t c0_long[] = {0xC0, 0x02, 0x0A, 0x00};
    static const uint8_t c0_empty[] = {0xC0, 0x00};
    static const uint8_t overrun[] = {0xC2, 0x05, 'A', 'B'};     /* says 5, has 2 */
    static const uint8_t lone_code[] = {0xC2};                   /* no length byte */
    static const struct { const uint8_t *p; size_t n; } bad[] = {
        {c0_long, sizeof c0_long}, {c0_empty, sizeof c0_empty}, {overrun, sizeof overrun},
        {lone_code, sizeof lone_code}, {P_C0, 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const uint8_t *ps[2] = {P_C1, bad[i].p};
        const size_t ls[2] = {sizeof P_C1, bad[i].n};
        uint8_t buf[64];
        size_t n = build_cr(buf, ps, ls, 2);
        s7p_cotp c;
        assert_int_equal(s7p_cotp_decode(buf, n, &c), S7P_E_PROTOCOL);
        assert_int_equal(c.type, 0);  /* nothing half-decoded is left behind */
    }
    /* The same parameter twice is ambiguous. */
    const uint8_t *dup[3] = {P_C2, P_C0, P_C2};
    const size_t dls[3] = {sizeof P_C2, sizeof P_C0, sizeof P_C2};
    uint8_t buf[64];
    size_t n = build_cr(buf, dup, dls, 3);
    s7p_cotp c;
    assert_int_equal(s7p_cotp_decode(buf, n, &c), S7P_E_PROTOCOL);
}

/* ---- lengths ---- */

static void test_tpkt_length(void **state)
{
    (void)state;
    size_t len;
    assert_int_equal(s7p_tpkt_length(REF_CR, sizeof REF_CR, &len), S7P_OK);
    assert_int_equal(len, 0x24);
    for (size_t n = 0; n < 4; n++) {
        assert_int_equal(s7p_tpkt_length(REF_CR, n, &len), S7P_E_TOO_SMALL);
        assert_int_equal(len, 0);
    }
    static const uint8_t bad_version[] = {0x02, 0x00, 0x00, 0x07};
    static const uint8_t bad_reserved[] = {0x03, 0x01, 0x00, 0x07};
    static const uint8_t too_short[] = {0x03, 0x00, 0x00, 0x06};
    static const uint8_t zero[] = {0x03, 0x00, 0x00, 0x00};
    static const uint8_t seven[] = {0x03, 0x00, 0x00, 0x07};
    static const uint8_t max[] = {0x03, 0x00, 0xFF, 0xFF};
    assert_int_equal(s7p_tpkt_length(bad_version, 4, &len), S7P_E_PROTOCOL);
    assert_int_equal(s7p_tpkt_length(bad_reserved, 4, &len), S7P_E_PROTOCOL);
    assert_int_equal(s7p_tpkt_length(too_short, 4, &len), S7P_E_PROTOCOL);
    assert_int_equal(s7p_tpkt_length(zero, 4, &len), S7P_E_PROTOCOL);
    assert_int_equal(s7p_tpkt_length(seven, 4, &len), S7P_OK);
    assert_int_equal(len, 7);
    assert_int_equal(s7p_tpkt_length(max, 4, &len), S7P_OK);
    assert_int_equal(len, 65535);
}

static void test_buffer_must_match_tpkt(void **state)
{
    (void)state;
    uint8_t buf[sizeof REF_CR + 1];
    memcpy(buf, REF_CR, sizeof REF_CR);
    buf[sizeof REF_CR] = 0x00;
    s7p_cotp c;
    assert_int_equal(s7p_cotp_decode(buf, sizeof buf, &c), S7P_E_PROTOCOL);  /* extra byte */
    buf[3] = 0x25;  /* now the TPKT covers it, but a CR has no room for user data */
    assert_int_equal(s7p_cotp_decode(buf, sizeof buf, &c), S7P_E_PROTOCOL);
    uint8_t dt[] = {0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0xAA, 0xBB, 0xCC};
    assert_int_equal(s7p_cotp_decode(dt, 10, &c), S7P_E_PROTOCOL);  /* buffer > TPKT */
    assert_int_equal(s7p_cotp_decode(dt, 9, &c), S7P_OK);
    dt[3] = 0x0A;
    assert_int_equal(s7p_cotp_decode(dt, 10, &c), S7P_OK);
    assert_view(c.payload, "\xAA\xBB\xCC", 3);
    assert_int_equal(s7p_cotp_decode(dt, 9, &c), S7P_E_PROTOCOL);   /* buffer < TPKT */
}

static void expect_li(const uint8_t *src, size_t n, uint8_t li, s7p_status want)
{
    uint8_t buf[64];
    memcpy(buf, src, n);
    buf[4] = li;
    s7p_cotp c;
    assert_int_equal(s7p_cotp_decode(buf, n, &c), want);
}

static void test_li_inconsistent(void **state)
{
    (void)state;
    expect_li(REF_CR, sizeof REF_CR, 0x1F, S7P_OK);
    expect_li(REF_CR, sizeof REF_CR, 0x20, S7P_E_PROTOCOL);  /* past the TPKT */
    expect_li(REF_CR, sizeof REF_CR, 0x1E, S7P_E_PROTOCOL);  /* leaves user data in a CR */
    expect_li(REF_CR, sizeof REF_CR, 0x00, S7P_E_PROTOCOL);
    expect_li(REF_CR, sizeof REF_CR, 0xFF, S7P_E_PROTOCOL);
    static const uint8_t dt[] = {0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0xAA, 0xBB};
    expect_li(dt, sizeof dt, 0x02, S7P_OK);
    expect_li(dt, sizeof dt, 0x03, S7P_E_PROTOCOL);  /* a DT header is always 2 */
    expect_li(dt, sizeof dt, 0x01, S7P_E_PROTOCOL);
    expect_li(dt, sizeof dt, 0x05, S7P_E_PROTOCOL);  /* past the TPKT */
    static const uint8_t dr[] = {0x03, 0x00, 0x00, 0x0B, 0x06, 0x80, 0x00, 0x01, 0x00, 0x09,
                                 0x03};
    expect_li(dr, sizeof dr, 0x05, S7P_E_PROTOCOL);
    expect_li(dr, sizeof dr, 0x04, S7P_E_PROTOCOL);  /* too short for refs + reason */
}

static void test_tpdu_codes(void **state)
{
    (void)state;
    uint8_t buf[sizeof REF_CR];
    s7p_cotp c;
    memcpy(buf, REF_CR, sizeof buf);
    /* The CR/CC low nibble is the credit: ignored. */
    buf[5] = 0xE1;
    assert_int_equal(s7p_cotp_decode(buf, sizeof buf, &c), S7P_OK);
    assert_int_equal(c.type, S7P_COTP_CR);
    buf[5] = 0xD0;
    assert_int_equal(s7p_cotp_decode(buf, sizeof buf, &c), S7P_OK);
    assert_int_equal(c.type, S7P_COTP_CC);
    /* AK, RJ, ED, EA, DC and made-up codes are not ours. */
    static const uint8_t others[] = {0x60, 0x50, 0x10, 0x20, 0xC0, 0x00, 0xF1, 0x81, 0x71};
    for (size_t i = 0; i < sizeof others; i++) {
        buf[5] = others[i];
        assert_int_equal(s7p_cotp_decode(buf, sizeof buf, &c), S7P_E_PROTOCOL);
    }
    static const uint8_t dt_nr_only[] = {0x03, 0x00, 0x00, 0x07, 0x01, 0xF0, 0x80};
    assert_int_equal(s7p_cotp_decode(dt_nr_only, 7, &c), S7P_E_PROTOCOL);
}

/* ---- writer limits ---- */

static void test_writer_limits(void **state)
{
    (void)state;
    uint8_t buf[64], tsap[2] = {0x06, 0x00};
    s7p_bytes calling = {tsap, 2};
    /* Every buffer one byte too small fails cleanly with S7P_E_LIMIT. */
    for (size_t cap = 0; cap < sizeof REF_CR; cap++) {
        s7p_wr w = s7p_wr_init(buf, cap);
        assert_false(s7p_cotp_write_cr(&w, 1, 0x0A, calling, str_bytes(HMI)));
        assert_int_equal(w.err, S7P_E_LIMIT);
    }
    for (size_t cap = 0; cap < 11; cap++) {
        s7p_wr w = s7p_wr_init(buf, cap);
        assert_false(s7p_cotp_write_dr(&w, 1, 1, 0));
        assert_int_equal(w.err, S7P_E_LIMIT);
    }
    for (size_t cap = 0; cap < 8; cap++) {
        s7p_wr w = s7p_wr_init(buf, cap);
        assert_false(s7p_cotp_write_dt(&w, (const uint8_t *)"x", 1, true));
        assert_int_equal(w.err, S7P_E_LIMIT);
    }
    /* A parameter or header that does not fit its one-byte length. */
    static uint8_t big[256];
    memset(big, 'A', sizeof big);
    s7p_bytes b256 = {big, 256}, b200 = {big, 200}, b50 = {big, 50};
    s7p_wr w = s7p_wr_counter();
    assert_false(s7p_cotp_write_cr(&w, 1, 0x0A, calling, b256));
    assert_int_equal(w.err, S7P_E_LIMIT);
    w = s7p_wr_counter();
    assert_false(s7p_cotp_write_cc(&w, 1, 1, 0x0A, b200, b50));  /* LI would be 263 */
    assert_int_equal(w.err, S7P_E_LIMIT);
    w = s7p_wr_counter();
    assert_true(s7p_cotp_write_cc(&w, 1, 1, 0x0A, b200, (s7p_bytes){big, 41}));  /* LI 254 */
    /* A DT payload that would overflow the TPKT length field. */
    w = s7p_wr_counter();
    assert_true(s7p_cotp_write_dt(&w, big, 65528, true));  /* counting only reads nothing */
    assert_int_equal(w.len, 65535);
    w = s7p_wr_counter();
    assert_false(s7p_cotp_write_dt(&w, big, 65529, true));
    assert_int_equal(w.err, S7P_E_LIMIT);
}

/* ---- TSAP validation ---- */

static void test_tsap_valid(void **state)
{
    (void)state;
    assert_true(s7p_tsap_valid(HMI));
    assert_true(s7p_tsap_valid(S7P_TSAP_REMOTE_ES));
    assert_true(s7p_tsap_valid("A"));
    assert_true(s7p_tsap_valid(" "));
    assert_true(s7p_tsap_valid("~"));
    assert_true(s7p_tsap_valid("01234567890123456789012345678901"));   /* 32 */
    assert_false(s7p_tsap_valid("012345678901234567890123456789012")); /* 33 */
    assert_false(s7p_tsap_valid(NULL));
    assert_false(s7p_tsap_valid(""));
    assert_false(s7p_tsap_valid("SIMATIC\nROOT"));
    assert_false(s7p_tsap_valid("\x1F"));
    assert_false(s7p_tsap_valid("A\x7F"));
    assert_false(s7p_tsap_valid("\xC3\xA4"));  /* UTF-8 "ä" */
    assert_false(s7p_tsap_valid("\x80"));
}

/* ---- prefixes and mutations ---- */

typedef struct { uint8_t b[96]; size_t n; } vec;

/* Valid TPKTs of every kind we decode. */
static size_t valid_vectors(vec *v, size_t cap)
{
    size_t k = 0;
    uint8_t tsap[2] = {0x06, 0x00};
    s7p_bytes calling = {tsap, 2};
    s7p_wr w;
    assert_true(cap >= 12);
    memcpy(v[k].b, REF_CR, sizeof REF_CR);
    v[k++].n = sizeof REF_CR;
    for (size_t i = 0; i < sizeof REAL / sizeof REAL[0]; i++) {
        v[k].n = unhex(REAL[i].cr, v[k].b, sizeof v[k].b);
        k++;
        v[k].n = unhex(REAL[i].cc, v[k].b, sizeof v[k].b);
        k++;
    }
    w = s7p_wr_init(v[k].b, sizeof v[k].b);
    s7p_cotp_write_cc(&w, 1, 2, 0x0A, calling, str_bytes(HMI));
    v[k++].n = w.len;
    w = s7p_wr_init(v[k].b, sizeof v[k].b);
    s7p_cotp_write_dr(&w, 1, 2, 3);
    v[k++].n = w.len;
    w = s7p_wr_init(v[k].b, sizeof v[k].b);
    s7p_cotp_write_dt(&w, (const uint8_t *)"\x72\x01\x00\x05\x31\x00\x00\x72\x01\x00\x00", 11, 1);
    v[k++].n = w.len;
    static const uint8_t er[] = {0x03, 0x00, 0x00, 0x0D, 0x08, 0x70, 0x00, 0x01, 0x03,
                                 0xC1, 0x02, 0xAB, 0xCD};
    memcpy(v[k].b, er, sizeof er);
    v[k++].n = sizeof er;
    return k;
}

/* What a successful decode must always satisfy, whatever the input. */
static void check_invariants(const uint8_t *buf, size_t n, const s7p_cotp *c)
{
    const s7p_bytes views[3] = {c->calling_tsap, c->called_tsap, c->payload};
    for (int i = 0; i < 3; i++) {
        if (views[i].n == 0) continue;
        assert_true(views[i].p >= buf && views[i].p + views[i].n <= buf + n);
    }
    assert_true(c->type == S7P_COTP_CR || c->type == S7P_COTP_CC || c->type == S7P_COTP_DR ||
                c->type == S7P_COTP_DT || c->type == S7P_COTP_ER);
    if (c->type == S7P_COTP_DT) assert_int_equal(c->payload.n, n - 7);
}

static void test_every_prefix_rejected(void **state)
{
    (void)state;
    vec v[16];
    size_t nv = valid_vectors(v, 16);
    for (size_t i = 0; i < nv; i++) {
        s7p_cotp c;
        assert_int_equal(s7p_cotp_decode(v[i].b, v[i].n, &c), S7P_OK);
        check_invariants(v[i].b, v[i].n, &c);
        for (size_t n = 0; n < v[i].n; n++) {
            size_t len;
            s7p_status st = s7p_tpkt_length(v[i].b, n, &len);
            if (n < 4) {
                assert_int_equal(st, S7P_E_TOO_SMALL);
            } else {
                assert_int_equal(st, S7P_OK);
                assert_true(len > n);  /* the reader knows it must wait for more */
            }
            assert_int_equal(s7p_cotp_decode(v[i].b, n, &c), S7P_E_PROTOCOL);
        }
    }
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

/* One random mutation: change, insert, drop, or append bytes; sometimes also repair the TPKT
 * length and LI so the mutation reaches the TPDU parser instead of the length checks. */
static size_t mutate(uint8_t *b, size_t n, size_t cap)
{
    switch (rnd() % 5) {
    case 0: if (n) b[rnd() % n] = (uint8_t)rnd(); break;
    case 1: if (n) b[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8)); break;
    case 2: if (n) n = rnd() % n; break;
    case 3:
        if (n < cap) {
            size_t at = rnd() % (n + 1);
            memmove(b + at + 1, b + at, n - at);
            b[at] = (uint8_t)rnd();
            n++;
        }
        break;
    default:
        if (n > 5) {
            size_t at = 5 + rnd() % (n - 5);
            memmove(b + at, b + at + 1, n - at - 1);
            n--;
        }
        break;
    }
    if (n >= 5 && rnd() % 2) {
        b[2] = (uint8_t)(n >> 8);
        b[3] = (uint8_t)n;
        if (rnd() % 2 && b[5] != S7P_COTP_DT) b[4] = (uint8_t)(n - 5);
    }
    return n;
}

/* 10 000 random mutations of valid TPKTs: never a crash or an out-of-bounds view (ASan
 * builds make out-of-bounds reads fatal), and some of them must still decode. */
static void fuzz_decode(unsigned rounds, unsigned *accepted)
{
    vec v[16];
    size_t nv = valid_vectors(v, 16);
    *accepted = 0;
    for (unsigned r = 0; r < rounds; r++) {
        uint8_t buf[128];
        const vec *src = &v[rnd() % nv];
        size_t n = src->n;
        memcpy(buf, src->b, n);
        unsigned k = 1 + rnd() % 4;
        for (unsigned j = 0; j < k; j++) n = mutate(buf, n, sizeof buf);
        /* Placed at the very end of an array: any read past n leaves the array, which ASan
         * reports. */
        uint8_t tail[128];
        uint8_t *p = tail + sizeof tail - n;
        memcpy(p, buf, n);
        s7p_cotp c;
        size_t len;
        (void)s7p_tpkt_length(p, n, &len);
        if (s7p_cotp_decode(p, n, &c) == S7P_OK) {
            check_invariants(p, n, &c);
            (*accepted)++;
        } else {
            assert_int_equal(c.type, 0);
        }
    }
}

static void test_fuzz_mutations(void **state)
{
    (void)state;
    unsigned accepted;
    fuzz_decode(10000, &accepted);
    print_message("cotp mutations: 10000 run, %u decoded OK\n", accepted);
    assert_true(accepted > 100);
    assert_true(accepted < 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cr_reference_bytes),
        cmocka_unit_test(test_cr_reference_decode),
        cmocka_unit_test(test_cc_matches_real_plc),
        cmocka_unit_test(test_cc_spec_example),
        cmocka_unit_test(test_dr_roundtrip),
        cmocka_unit_test(test_dt_roundtrip),
        cmocka_unit_test(test_er_decode),
        cmocka_unit_test(test_param_order_independent),
        cmocka_unit_test(test_unknown_params_skipped),
        cmocka_unit_test(test_param_lengths_checked),
        cmocka_unit_test(test_tpkt_length),
        cmocka_unit_test(test_buffer_must_match_tpkt),
        cmocka_unit_test(test_li_inconsistent),
        cmocka_unit_test(test_tpdu_codes),
        cmocka_unit_test(test_writer_limits),
        cmocka_unit_test(test_tsap_valid),
        cmocka_unit_test(test_every_prefix_rejected),
        cmocka_unit_test(test_fuzz_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Alarms without a network: the DAI codec (proto/alarm.c) through the object codec's bytes
 * and back, HmiInfo lengths by syntax id, associated-value blobs of every type (and
 * malformed ones), the text formatter's placeholder rules, and a DAI turned into the public
 * s7p_alarm in two languages (services/alarm.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/alarm.h"
#include "services/alarm.h"
#include "util/alloc.h"

/* ---- helpers ---- */

static s7p_tag_value tv_i(s7p_type t, int64_t i)
{
    s7p_tag_value v = {.type = t};
    v.v.i = i;
    return v;
}

static s7p_tag_value tv_u(s7p_type t, uint64_t u)
{
    s7p_tag_value v = {.type = t};
    v.v.u = u;
    return v;
}

static s7p_tag_value tv_r(float r)
{
    s7p_tag_value v = {.type = S7P_T_REAL};
    v.v.r = r;
    return v;
}

static s7p_tag_value tv_s(s7p_type t, const char *s)
{
    s7p_tag_value v = {.type = t};
    v.v.str.p = (char *)s;
    v.v.str.len = strlen(s);
    return v;
}

/* Formats text with values; returns a static copy of the result. */
static const char *fmt(const char *text, const s7p_tag_value *vals, size_t n)
{
    static char buf[1024];
    char *out = NULL;
    assert_int_equal(s7p_alarm_format_text(text, vals, n, &out), S7P_OK);
    snprintf(buf, sizeof buf, "%s", out);
    s7p_text_free(out);
    return buf;
}

/* ---- formatter ---- */

static void test_format_decimal(void **state)
{
    (void)state;
    s7p_tag_value v[3] = {tv_i(S7P_T_INT, -5), tv_u(S7P_T_WORD, 0xFFFF), tv_i(S7P_T_DINT, 42)};
    assert_string_equal(fmt("a @1%d@ b", v, 3), "a -5 b");
    assert_string_equal(fmt("@1%u@", v, 3), "65531");             /* Int read unsigned */
    /* d reads the bits signed at the element's width, u unsigned, whatever the value's type. */
    assert_string_equal(fmt("@2%d@", v, 3), "-1");
    assert_string_equal(fmt("@2W%d@", v, 3), "-1");
    assert_string_equal(fmt("@2%u@", v, 3), "65535");
    assert_string_equal(fmt("@2D%d@", v, 3), "65535");            /* a DInt reading of it */
    assert_string_equal(fmt("@3%5d@|", v, 3), "   42|");          /* width pads with blanks */
    assert_string_equal(fmt("@3%05d@", v, 3), "00042");           /* leading 0: zeros */
    assert_string_equal(fmt("@1%05d@", v, 3), "-0005");           /* zeros after the sign */
    assert_string_equal(fmt("@3Y%d@", v, 3), "42");
    assert_string_equal(fmt("@1Y%d@", v, 3), "-5");               /* low byte, signed */
    assert_string_equal(fmt("@1Y%u@", v, 3), "251");
}

static void test_format_radix(void **state)
{
    (void)state;
    s7p_tag_value v[2] = {tv_u(S7P_T_WORD, 0xA5), tv_u(S7P_T_BYTE, 5)};
    assert_string_equal(fmt("@1%X@", v, 2), "16#A5");
    assert_string_equal(fmt("@1%x@", v, 2), "16#a5");
    assert_string_equal(fmt("@1%4X@", v, 2), "16#00A5");          /* hex width pads zeros */
    assert_string_equal(fmt("@2%b@", v, 2), "2#101");
    assert_string_equal(fmt("@2%8b@", v, 2), "2#00000101");
    s7p_tag_value b = {.type = S7P_T_BOOL, .v.b = true};
    assert_string_equal(fmt("@1%d@ @1%b@", &b, 1), "1 2#1");
}

static void test_format_real(void **state)
{
    (void)state;
    s7p_tag_value v[3] = {tv_r(98.5f), tv_i(S7P_T_DINT, -7), tv_i(S7P_T_INT, 3)};
    v[1].type = S7P_T_DINT;
    s7p_tag_value lr = {.type = S7P_T_LREAL, .v.lr = 3.14159};
    assert_string_equal(fmt("@1%f@", v, 3), "98.500000");         /* 6 decimals by default */
    assert_string_equal(fmt("@1%.1f@", v, 3), "98.5");
    assert_string_equal(fmt("@1%8.2f@|", v, 3), "   98.50|");
    assert_string_equal(fmt("@1%08.2f@", v, 3), "00098.50");
    assert_string_equal(fmt("@2%.1f@", v, 3), "-7.0");            /* D with f: the number */
    assert_string_equal(fmt("@3%.1f@", v, 3), "@3%.1f@");         /* I with f: not allowed */
    assert_string_equal(fmt("@1%d@", v, 3), "99");                /* a real read as integer */
    assert_string_equal(fmt("@1%.3f@", &lr, 1), "3.142");
    assert_string_equal(fmt("@1%s@", v, 3), "98.5");
}

static void test_format_strings(void **state)
{
    (void)state;
    s7p_tag_value v[2] = {tv_s(S7P_T_STRING, "M-101"), tv_s(S7P_T_WSTRING, "Füller")};
    assert_string_equal(fmt("Motor @1%s@", v, 2), "Motor M-101");
    assert_string_equal(fmt("[@1%8s@]", v, 2), "[   M-101]");
    assert_string_equal(fmt("[@2%8s@]", v, 2), "[  Füller]");     /* width counts characters */
    assert_string_equal(fmt("@1%d@", v, 2), "@1%d@");             /* text is no number */
    assert_string_equal(fmt("@1T%s@", v, 2), "M-101");
}

static void test_format_left_alone(void **state)
{
    (void)state;
    s7p_tag_value v[2] = {tv_i(S7P_T_INT, 1), {.type = S7P_T_VOID}};
    assert_string_equal(fmt("@2%d@ @3%d@", v, 2), "@2%d@ @3%d@");  /* missing values */
    assert_string_equal(fmt("@1%q@ @1d@ @%d@ @0%d@ 100%", v, 2), "@1%q@ @1d@ @%d@ @0%d@ 100%");
    assert_string_equal(fmt("@1%t#Colors@", v, 2), "@1%t#Colors@");  /* no text lists read */
    assert_string_equal(fmt("@@1%d@@", v, 2), "@1@");             /* the first @ is text */
    assert_string_equal(fmt("end @1%d", v, 2), "end @1%d");
    assert_string_equal(fmt("", v, 2), "");
    assert_string_equal(fmt("@1%d@", NULL, 0), "@1%d@");
}

static void test_format_newline(void **state)
{
    (void)state;
    s7p_tag_value v[1] = {tv_s(S7P_T_STRING, "a\\nb")};
    assert_string_equal(fmt("x\\ny", NULL, 0), "x\ny");
    assert_string_equal(fmt("\\n\\n", NULL, 0), "\n\n");
    /* Only the text's own \n: a value keeps its characters. */
    assert_string_equal(fmt("@1%s@\\n", v, 1), "a\\nb\n");
    assert_string_equal(fmt("a\\tb\\", NULL, 0), "a\\tb\\");
}

static void test_format_args(void **state)
{
    (void)state;
    char *out = (char *)1;
    assert_int_equal(s7p_alarm_format_text(NULL, NULL, 0, &out), S7P_E_INVALID_ARG);
    assert_null(out);
    assert_int_equal(s7p_alarm_format_text("x", NULL, 1, &out), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_alarm_format_text("x", NULL, 0, NULL), S7P_E_INVALID_ARG);
}

/* Text lists through the internal formatter's lookup, recursively. */
static bool colors(void *ctx, const char *name, size_t len, int64_t value, uint32_t lcid,
                   const char **text)
{
    (void)ctx;
    if (len == 6 && memcmp(name, "Colors", 6) == 0) {
        static const char *const en[] = {"red", "green @2%d@", "loop @1%t#Colors@"};
        static const char *const de[] = {"rot", "grün @2%d@", "Schleife @1%t#Colors@"};
        if (value < 0 || value > 2) return false;
        *text = (lcid == 1031 ? de : en)[value];
        return true;
    }
    return false;
}

static void test_format_text_list(void **state)
{
    (void)state;
    s7p_tag_value v[2] = {tv_u(S7P_T_BYTE, 1), tv_i(S7P_T_INT, 9)};
    s7p_alarm_src src = {v, 2, NULL, 0};
    char *out;
    assert_int_equal(s7p_alarm_format("is @1%t#Colors@!", 16, &src, 1033, colors, NULL, &out), S7P_OK);
    assert_string_equal(out, "is green 9!");
    s7p_free(out);
    assert_int_equal(s7p_alarm_format("@1%t#Colors@", 12, &src, 1031, colors, NULL, &out), S7P_OK);
    assert_string_equal(out, "grün 9");
    s7p_free(out);
    assert_int_equal(s7p_alarm_format("@1%t#Other@", 11, &src, 1031, colors, NULL, &out), S7P_OK);
    assert_string_equal(out, "@1%t#Other@");
    s7p_free(out);
    /* An entry that refers to itself ends after 8 levels. */
    v[0].v.u = 2;
    assert_int_equal(s7p_alarm_format("@1%t#Colors@", 12, &src, 1033, colors, NULL, &out), S7P_OK);
    assert_non_null(strstr(out, "loop loop loop loop loop loop loop loop @1%t#Colors@"));
    s7p_free(out);
}

static void test_format_packed(void **state)
{
    (void)state;
    /* Packed standard form: one image, the type letter says the element size. */
    static const uint8_t img[8] = {0x00, 0x07, 0xFF, 0xFE, 0x42, 0xC5, 0x00, 0x00};
    s7p_alarm_src src = {NULL, 0, img, sizeof img};
    char *out;
    const char *t = "@1W%d@ @2I%d@ @2R%.1f@ @3W%X@ @9W%d@ @1%d@";
    assert_int_equal(s7p_alarm_format(t, strlen(t), &src, 0, NULL, NULL, &out), S7P_OK);
    assert_string_equal(out, "7 -2 98.5 16#42C5 @9W%d@ @1%d@");
    s7p_free(out);
}

static void test_format_limit(void **state)
{
    (void)state;
    /* 300 placeholders of width 255 each: more than 64 KiB. */
    s7p_tag_value v = tv_i(S7P_T_INT, 1);
    char text[300 * 9 + 1];
    for (int i = 0; i < 300; i++) memcpy(text + 9 * i, "@1%255d@", 9);
    text[sizeof text - 1] = '\0';
    for (int i = 0; i < 300; i++) text[9 * i + 8] = ' ';
    text[sizeof text - 1] = '\0';
    char *out = NULL;
    assert_int_equal(s7p_alarm_format_text(text, &v, 1, &out), S7P_E_LIMIT);
    assert_null(out);
}

/* ---- associated values ---- */

static void test_value_blobs(void **state)
{
    (void)state;
    s7p_tag_value v;
    static const uint8_t i16[] = {0xFF, 0xFB}, r32[] = {0x42, 0xC5, 0x00, 0x00};
    static const uint8_t str[] = {10, 5, 'M', '-', 0xE4, '0', '1', 0, 0};
    static const uint8_t wstr[] = {0, 8, 0, 3, 0, 'a', 0x00, 0xFC, 0xD8, 0x3D};  /* a ü, unpaired */
    assert_int_equal(s7p_alarm_value_decode(S7P_TI_BASE + S7P_T_INT, i16, 2, &v), S7P_OK);
    assert_int_equal(v.type, S7P_T_INT);
    assert_int_equal(v.v.i, -5);
    assert_int_equal(s7p_alarm_value_decode(S7P_TI_BASE + S7P_T_WORD, i16, 2, &v), S7P_OK);
    assert_int_equal(v.v.u, 0xFFFB);
    assert_int_equal(s7p_alarm_value_decode(S7P_TI_BASE + S7P_T_REAL, r32, 4, &v), S7P_OK);
    assert_true(v.v.r == 98.5f);
    assert_int_equal(s7p_alarm_value_decode(S7P_TI_STRING_BASE + 10, str, sizeof str, &v), S7P_OK);
    assert_int_equal(v.type, S7P_T_STRING);
    assert_string_equal(v.v.str.p, "M-\xC3\xA4" "01");             /* ISO-8859-1 -> UTF-8 */
    s7p_tag_value_clear(&v);
    assert_int_equal(s7p_alarm_value_decode(S7P_TI_WSTRING_BASE + 8, wstr, sizeof wstr, &v), S7P_OK);
    assert_string_equal(v.v.str.p, "a\xC3\xBC\xEF\xBF\xBD");
    s7p_tag_value_clear(&v);
    /* Too short for the type, lengths beyond the bytes: malformed. */
    assert_int_equal(s7p_alarm_value_decode(S7P_TI_BASE + S7P_T_DINT, i16, 2, &v), S7P_E_PROTOCOL);
    assert_int_equal(s7p_alarm_value_decode(S7P_TI_STRING_BASE + 10, str, 4, &v), S7P_E_PROTOCOL);
    assert_int_equal(s7p_alarm_value_decode(S7P_TI_WSTRING_BASE + 8, wstr, 6, &v), S7P_E_PROTOCOL);
    /* Root ids that name no value: Void, not an error. */
    assert_int_equal(s7p_alarm_value_decode(0, i16, 2, &v), S7P_OK);
    assert_int_equal(v.type, S7P_T_VOID);
    assert_int_equal(s7p_alarm_value_decode(S7P_TI_BASE + S7P_T_DTL, i16, 2, &v), S7P_OK);
    assert_int_equal(v.type, S7P_T_VOID);
}

static void test_value_roundtrip(void **state)
{
    (void)state;
    s7p_tag_value in[] = {
        {.type = S7P_T_BOOL, .v.b = true}, tv_u(S7P_T_BYTE, 0xAB), tv_u(S7P_T_CHAR, 'x'),
        tv_u(S7P_T_WORD, 0xBEEF), tv_i(S7P_T_INT, -300), tv_u(S7P_T_DWORD, 0xDEADBEEF),
        tv_i(S7P_T_DINT, -70000), tv_r(-1.25f), tv_u(S7P_T_USINT, 200), tv_u(S7P_T_UINT, 60000),
        tv_u(S7P_T_UDINT, 4000000000u), tv_i(S7P_T_SINT, -100), tv_u(S7P_T_WCHAR, 0x20AC),
        tv_s(S7P_T_STRING, "Tank 7"), tv_s(S7P_T_WSTRING, "Tür \xF0\x9F\x98\x80"),
        {.type = S7P_T_LREAL, .v.lr = 2.5e100},
    };
    s7p_arena a;
    s7p_arena_init(&a, 1 << 16);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        s7p_dai_blob b;
        s7p_tag_value out;
        assert_int_equal(s7p_alarm_value_encode(&in[i], 0, &a, &b), S7P_OK);
        assert_int_equal(s7p_alarm_value_decode(b.root_id, b.data.p, b.data.n, &out), S7P_OK);
        assert_int_equal(out.type, in[i].type);
        if (in[i].type == S7P_T_STRING || in[i].type == S7P_T_WSTRING)
            assert_string_equal(out.v.str.p, in[i].v.str.p);
        else if (in[i].type == S7P_T_BOOL)
            assert_true(out.v.b);
        else
            assert_memory_equal(&out.v, &in[i].v, in[i].type == S7P_T_REAL ? 4 : 8);
        s7p_tag_value_clear(&out);
    }
    s7p_dai_blob b;
    s7p_tag_value bad = tv_s(S7P_T_STRING, "\xE2\x82\xAC");          /* no ISO-8859-1 form */
    assert_int_equal(s7p_alarm_value_encode(&bad, 0, &a, &b), S7P_E_INVALID_ARG);
    s7p_tag_value lt = tv_i(S7P_T_TIME, 1);
    assert_int_equal(s7p_alarm_value_encode(&lt, 0, &a, &b), S7P_E_INVALID_ARG);
    s7p_arena_release(&a);
}

/* ---- HmiInfo ---- */

static void test_hmi_info(void **state)
{
    (void)state;
    /* A real S7-1500 alarm's HmiInfo (syntax 259): alarm 62, priority 9, class 34. */
    static const uint8_t real[17] = {0x01, 0x03, 0x33, 0xB0, 0, 0, 0, 0x3E, 9, 0, 0, 0,
                                     0x00, 0x22, 0x00, 0x01, 0x01};
    s7p_hmi_info h;
    assert_int_equal(s7p_hmi_info_decode(real, sizeof real, &h), S7P_OK);
    assert_int_equal(h.syntax_id, 259);
    assert_int_equal(h.client_alarm_id, 62);
    assert_int_equal(h.priority, 9);
    assert_int_equal(h.alarm_class, 34);
    assert_int_equal(h.group_id, 1);
    assert_int_equal(h.flags, 1);
    uint8_t buf[S7P_HMI_INFO_MAX];
    assert_int_equal(s7p_hmi_info_encode(&h, buf), 17);
    assert_memory_equal(buf, real, 17);
    /* 256: 9 bytes, 257: 12 bytes; shorter than the syntax needs, or longer than 17: bad. */
    h = (s7p_hmi_info){.syntax_id = 256, .client_alarm_id = 5, .priority = 3};
    assert_int_equal(s7p_hmi_info_encode(&h, buf), 9);
    assert_int_equal(s7p_hmi_info_decode(buf, 9, &h), S7P_OK);
    assert_int_equal(h.priority, 3);
    h.syntax_id = 257;
    assert_int_equal(s7p_hmi_info_encode(&h, buf), 12);
    assert_int_equal(s7p_hmi_info_decode(buf, 9, &h), S7P_E_PROTOCOL);
    assert_int_equal(s7p_hmi_info_decode(real, 16, &h), S7P_E_PROTOCOL);
    uint8_t big[18] = {0};
    assert_int_equal(s7p_hmi_info_decode(big, 18, &h), S7P_E_PROTOCOL);
}

/* ---- DAI ---- */

typedef struct dai_fixture {
    s7p_arena a;
    s7p_dai d;
    s7p_dai_blob vals[17];
    s7p_dai_text texts[5];
} dai_fixture;

static const uint8_t type_info[4] = {1, 1, 0, 0};

static void make_dai(dai_fixture *f, bool going)
{
    memset(f, 0, sizeof *f);
    s7p_arena_init(&f->a, 1 << 20);
    s7p_tag_value sd1 = tv_i(S7P_T_INT, 7), sd2 = tv_r(98.5f), sd3 = tv_s(S7P_T_STRING, "B-2");
    f->vals[0] = (s7p_dai_blob){S7P_ID_AS_CGS_ASSOCIATED_VALUES, {type_info, 4}};
    assert_int_equal(s7p_alarm_value_encode(&sd1, 0, &f->a, &f->vals[1]), S7P_OK);
    assert_int_equal(s7p_alarm_value_encode(&sd2, 0, &f->a, &f->vals[2]), S7P_OK);
    assert_int_equal(s7p_alarm_value_encode(&sd3, 20, &f->a, &f->vals[5]), S7P_OK);
    static const char *const t[5] = {"Tank @1%d@ level @2%.1f@ % in @5%s@", "Close valve @1%d@",
                                     "Behälter @1%d@ Füllstand @2%.1f@ %", "Area B", "Bereich B"};
    static const uint32_t keys[5] = {1033u << 16 | 2, 1033u << 16 | 1, 1031u << 16 | 2,
                                     1033u << 16 | 3, 1031u << 16 | 3};
    for (int i = 0; i < 5; i++)
        f->texts[i] = (s7p_dai_text){keys[i], {(const uint8_t *)t[i], strlen(t[i])}};
    s7p_dai *d = &f->d;
    d->rel_id = 0x70000001u;
    d->name = (s7p_bytes){(const uint8_t *)"Tank_Overflow", 13};
    d->cpu_alarm_id = 0x8A0E003E00010000ull;
    d->all_states = 0x81;
    d->domain = 256;
    d->message_type = 1;
    d->hmi = (s7p_hmi_info){.syntax_id = 258, .client_alarm_id = 62, .priority = 9, .alarm_class = 2};
    d->sequence_counter = 5103;
    s7p_as_cgs *g = going ? &d->going : &d->coming;
    *g = (s7p_as_cgs){true, 0x81, 1788363987898972159ull, going ? 1788363999000000000ull : 0, f->vals, 17};
    d->texts = f->texts;
    d->ntexts = 5;
}

/* Encodes the DAI object to bytes and decodes them back: what a client receives. */
static s7p_object *through_wire(dai_fixture *f, const uint32_t *attrs, size_t n,
                                const uint16_t *lcids, size_t nl)
{
    s7p_object *o = s7p_dai_encode(&f->d, &f->a, attrs, n, lcids, nl);
    assert_non_null(o);
    static uint8_t buf[8192];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_object_encode(&w, o));
    s7p_rd r = s7p_rd_init(buf, w.len);
    s7p_object *back = NULL;
    assert_true(s7p_object_decode(&r, &f->a, &back));
    assert_int_equal(s7p_rd_left(&r), 0);
    return back;
}

static void test_dai_roundtrip(void **state)
{
    (void)state;
    dai_fixture f;
    make_dai(&f, false);
    s7p_object *o = through_wire(&f, NULL, 0, NULL, 0);
    s7p_dai d;
    char why[128];
    assert_int_equal(s7p_dai_decode(o, &f.a, &d, why, sizeof why), S7P_OK);
    assert_int_equal(d.cpu_alarm_id, f.d.cpu_alarm_id);
    assert_int_equal(d.all_states, 0x81);
    assert_int_equal(d.domain, 256);
    assert_int_equal(d.message_type, 1);
    assert_int_equal(d.sequence_counter, 5103);
    assert_int_equal(d.hmi.client_alarm_id, 62);
    assert_true(d.coming.present);
    assert_false(d.going.present);
    assert_int_equal(d.coming.timestamp, 1788363987898972159ull);
    assert_int_equal(d.coming.nvalues, 17);
    assert_int_equal(d.coming.values[0].root_id, S7P_ID_AS_CGS_ASSOCIATED_VALUES);
    assert_int_equal(d.coming.values[1].root_id, S7P_TI_BASE + S7P_T_INT);
    assert_int_equal(d.ntexts, 5);
    assert_int_equal(d.texts[2].key, 1031u << 16 | 2);
    assert_int_equal(d.name.n, 13);
    /* Only the attributes asked for, texts only of the languages asked for. */
    static const uint32_t some[] = {S7P_ID_DAI_CPU_ALARM_ID, S7P_ID_DAI_ALARM_TEXTS, 999};
    static const uint16_t de[] = {1031};
    o = through_wire(&f, some, 3, de, 1);
    assert_int_equal(s7p_dai_decode(o, &f.a, &d, why, sizeof why), S7P_OK);
    assert_int_equal(d.has, S7P_DAI_HAS_ID | S7P_DAI_HAS_TEXTS);
    assert_int_equal(d.ntexts, 2);
    assert_false(d.coming.present);
    s7p_arena_release(&f.a);
}

static void test_dai_malformed(void **state)
{
    (void)state;
    dai_fixture f;
    make_dai(&f, false);
    s7p_object *o = s7p_dai_encode(&f.d, &f.a, NULL, 0, NULL, 0);
    s7p_dai d;
    char why[128];
    /* The alarm id as a WString, HmiInfo too short, not a DAI at all. */
    s7p_value *v = (s7p_value *)s7p_object_attr(o, S7P_ID_DAI_CPU_ALARM_ID);
    v->type = S7P_DT_WSTRING;
    v->v.s = (s7p_bytes){(const uint8_t *)"x", 1};
    assert_int_equal(s7p_dai_decode(o, &f.a, &d, why, sizeof why), S7P_E_PROTOCOL);
    assert_non_null(strstr(why, "2670"));
    v->type = S7P_DT_LWORD;
    v->v.u = 1;
    v = (s7p_value *)s7p_object_attr(o, S7P_ID_DAI_HMI_INFO);
    v->v.blob->data.n = 5;
    assert_int_equal(s7p_dai_decode(o, &f.a, &d, why, sizeof why), S7P_E_PROTOCOL);
    assert_non_null(strstr(why, "7813"));
    o->class_id = 2662;
    assert_int_equal(s7p_dai_decode(o, &f.a, &d, why, sizeof why), S7P_E_PROTOCOL);
    s7p_arena_release(&f.a);
}

static void test_alarm_from_object(void **state)
{
    (void)state;
    dai_fixture f;
    make_dai(&f, false);
    s7p_object *o = through_wire(&f, NULL, 0, NULL, 0);
    s7p_alarm al;
    s7p_fail fail = {0};
    assert_int_equal(s7p_alarm_from_object(o, 1033, &al, &fail), S7P_OK);
    assert_int_equal(al.id, 0x8A0E003E00010000ull);
    assert_int_equal(al.state, S7P_ALARM_COMING);
    assert_false(al.acknowledged);
    assert_int_equal(al.coming_ns, 1788363987898972159ll);
    assert_int_equal(al.going_ns, 0);
    assert_int_equal(al.priority, 9);
    assert_int_equal(al.alarm_class, 2);
    assert_int_equal(al.hmi_alarm_id, 62);
    assert_int_equal(al.sequence_counter, 5103);
    assert_string_equal(al.name, "Tank_Overflow");
    assert_int_equal(al.nvalues, 5);
    assert_int_equal(al.values[0].v.i, 7);
    assert_int_equal(al.values[2].type, S7P_T_VOID);
    assert_string_equal(al.values[4].v.str.p, "B-2");
    assert_int_equal(al.lcid, 1033);
    assert_string_equal(al.text, "Tank 7 level 98.5 % in B-2");
    assert_string_equal(al.info_text, "Close valve 7");
    assert_string_equal(al.additional_texts[0], "Area B");
    assert_string_equal(al.additional_texts[1], "");
    s7p_alarm_clear(&al);
    /* German; 0: the lowest language sent (1031); a language not sent: empty texts. */
    assert_int_equal(s7p_alarm_from_object(o, 1031, &al, &fail), S7P_OK);
    assert_string_equal(al.text, "Behälter 7 Füllstand 98.5 %");
    assert_string_equal(al.info_text, "");
    s7p_alarm_clear(&al);
    assert_int_equal(s7p_alarm_from_object(o, 0, &al, &fail), S7P_OK);
    assert_int_equal(al.lcid, 1031);
    s7p_alarm_clear(&al);
    assert_int_equal(s7p_alarm_from_object(o, 1036, &al, &fail), S7P_OK);
    assert_string_equal(al.text, "");
    s7p_alarm_clear(&al);
    s7p_arena_release(&f.a);
}

static void test_alarm_going_and_stateless(void **state)
{
    (void)state;
    dai_fixture f;
    make_dai(&f, true);
    s7p_object *o = through_wire(&f, NULL, 0, NULL, 0);
    s7p_alarm al;
    s7p_fail fail = {0};
    assert_int_equal(s7p_alarm_from_object(o, 1033, &al, &fail), S7P_OK);
    assert_int_equal(al.state, S7P_ALARM_GOING);
    assert_true(al.acknowledged);
    assert_int_equal(al.going_ns, 1788363987898972159ll);
    assert_int_equal(al.coming_ns, 0);
    assert_int_equal(al.ack_ns, 1788363999000000000ll);
    s7p_alarm_clear(&al);
    /* Neither Coming nor Going: skipped by callers. */
    static const uint32_t no_state[] = {S7P_ID_DAI_CPU_ALARM_ID, S7P_ID_DAI_ALARM_TEXTS};
    o = through_wire(&f, no_state, 2, NULL, 0);
    assert_int_equal(s7p_alarm_from_object(o, 1033, &al, &fail), S7P_E_NOT_FOUND);
    assert_null(al.text);
    s7p_arena_release(&f.a);
}

static void test_alarms_take(void **state)
{
    (void)state;
    dai_fixture f;
    make_dai(&f, false);
    s7p_pdu resp;
    memset(&resp, 0, sizeof resp);
    s7p_object *items[2] = {through_wire(&f, NULL, 0, NULL, 0), NULL};
    /* The second one nested in a container object. */
    items[1] = s7p_object_new(&f.a, 8, 2669);
    assert_true(s7p_object_add_child(items[1], &f.a, through_wire(&f, NULL, 0, NULL, 0)));
    resp.resp.explore.objects = (s7p_object_list){items, 2};
    s7p_alarm_list *l = NULL;
    s7p_fail fail = {0};
    assert_int_equal(s7p_alarms_take(&resp, 1033, &l, &fail), S7P_OK);
    assert_int_equal(l->count, 2);
    assert_string_equal(l->items[1].text, "Tank 7 level 98.5 % in B-2");
    s7p_alarm_list_free(l);
    resp.ret = 0x4000000000000000ull | (uint16_t)-104;
    assert_int_equal(s7p_alarms_take(&resp, 1033, &l, &fail), S7P_E_PLC);
    assert_null(l);
    assert_int_equal(fail.plc_return, resp.ret);
    s7p_arena_release(&f.a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_decimal),     cmocka_unit_test(test_format_radix),
        cmocka_unit_test(test_format_real),        cmocka_unit_test(test_format_strings),
        cmocka_unit_test(test_format_left_alone),  cmocka_unit_test(test_format_newline),
        cmocka_unit_test(test_format_args),        cmocka_unit_test(test_format_text_list),
        cmocka_unit_test(test_format_packed),      cmocka_unit_test(test_format_limit),
        cmocka_unit_test(test_value_blobs),        cmocka_unit_test(test_value_roundtrip),
        cmocka_unit_test(test_hmi_info),           cmocka_unit_test(test_dai_roundtrip),
        cmocka_unit_test(test_dai_malformed),      cmocka_unit_test(test_alarm_from_object),
        cmocka_unit_test(test_alarm_going_and_stateless), cmocka_unit_test(test_alarms_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Tag values as TIA literal text (the public s7p_value_parse() / s7p_value_format(),
 * src/values/literal*.c): every literal form of every type parses and prints in its canonical
 * form, the canonical form parses back to the same value, boundary values of each range pass
 * and the first value past them fails with a clear message. Moved here from the CLI's tests
 * when the text moved into the library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <math.h>

#include <s7plus/s7plus.h>

/* The old CLI names of the calls, so the cases read as before. */
static bool vt_parse(const s7p_tag *t, const char *in, s7p_tag_value *v, char *err, size_t n)
{
    return s7p_value_parse(t, in, v, err, n) == S7P_OK;
}

static char *vt_format_str(const s7p_tag_value *v)
{
    char *s = NULL;
    s7p_status st = s7p_value_text(v, 0, &s);
    assert_true(st == S7P_OK || st == S7P_E_UNSUPPORTED);
    return s;
}

#define vt_value_free s7p_tag_value_clear

#define NS_MS INT64_C(1000000)
#define NS_S INT64_C(1000000000)
#define NS_DAY (INT64_C(86400) * NS_S)

typedef struct rt {
    int type;
    uint32_t count;
    uint16_t str_max;
    const char *in;
    const char *out;   /* canonical text; NULL: the same as `in` */
} rt;

static s7p_tag tag_of(int type, uint32_t count, uint16_t str_max)
{
    s7p_tag t;
    memset(&t, 0, sizeof t);
    t.type = (s7p_type)type;
    t.count = count;
    t.str_max = str_max;
    return t;
}

static char *parse_format(const s7p_tag *t, const char *in)
{
    s7p_tag_value v;
    char err[300];
    if (!vt_parse(t, in, &v, err, sizeof err)) {
        print_error("parse of \"%s\" as %s failed: %s\n", in, s7p_type_name((int)t->type), err);
        return NULL;
    }
    assert_int_equal(v.count, t->count);
    assert_int_equal(v.type, t->type);
    char *s = vt_format_str(&v);
    vt_value_free(&v);
    return s;
}

static void check_round_trips(const rt *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const rt *c = &cases[i];
        s7p_tag t = tag_of(c->type, c->count, c->str_max);
        const char *want = c->out ? c->out : c->in;
        char *got = parse_format(&t, c->in);
        assert_non_null(got);
        if (strcmp(got, want) != 0)
            print_error("%s \"%s\": printed \"%s\", expected \"%s\"\n", s7p_type_name(c->type),
                        c->in, got, want);
        assert_string_equal(got, want);
        /* The canonical form is a fixed point. */
        char *again = parse_format(&t, got);
        assert_non_null(again);
        assert_string_equal(again, want);
        s7p_text_free(again);
        s7p_text_free(got);
    }
}

#define RUN(cases) check_round_trips(cases, sizeof cases / sizeof cases[0])

static void test_bool(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_BOOL, 0, 0, "true", NULL},      {S7P_T_BOOL, 0, 0, "false", NULL},
        {S7P_T_BOOL, 0, 0, "TRUE", "true"},    {S7P_T_BOOL, 0, 0, "FALSE", "false"},
        {S7P_T_BOOL, 0, 0, "1", "true"},       {S7P_T_BOOL, 0, 0, "0", "false"},
        {S7P_T_BOOL, 0, 0, " True ", "true"},  {S7P_T_BOOL, 0, 0, "BOOL#FALSE", "false"},
        {S7P_T_BBOOL, 0, 0, "1", "true"},
    };
    RUN(cases);
}

static void test_bit_strings(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_BYTE, 0, 0, "16#00", NULL},         {S7P_T_BYTE, 0, 0, "16#FF", NULL},
        {S7P_T_BYTE, 0, 0, "255", "16#FF"},        {S7P_T_BYTE, 0, 0, "16#ff", "16#FF"},
        {S7P_T_BYTE, 0, 0, "2#1010", "16#0A"},     {S7P_T_BYTE, 0, 0, "8#17", "16#0F"},
        {S7P_T_BYTE, 0, 0, "B#16#7F", "16#7F"},    {S7P_T_BYTE, 0, 0, "16#F_F", "16#FF"},
        {S7P_T_BYTE, 0, 0, "2#1111_0000", "16#F0"}, {S7P_T_BYTE, 0, 0, "BYTE#16#01", "16#01"},
        {S7P_T_WORD, 0, 0, "16#00FF", NULL},       {S7P_T_WORD, 0, 0, "65535", "16#FFFF"},
        {S7P_T_WORD, 0, 0, "W#16#1234", "16#1234"}, {S7P_T_WORD, 0, 0, "0", "16#0000"},
        {S7P_T_DWORD, 0, 0, "16#FFFFFFFF", NULL},  {S7P_T_DWORD, 0, 0, "0", "16#00000000"},
        {S7P_T_DWORD, 0, 0, "DW#16#DEADBEEF", "16#DEADBEEF"},
        {S7P_T_LWORD, 0, 0, "16#FFFFFFFFFFFFFFFF", NULL},
        {S7P_T_LWORD, 0, 0, "18446744073709551615", "16#FFFFFFFFFFFFFFFF"},
        {S7P_T_LWORD, 0, 0, "LW#16#1", "16#0000000000000001"},
    };
    RUN(cases);
}

static void test_integers(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_USINT, 0, 0, "0", NULL},        {S7P_T_USINT, 0, 0, "255", NULL},
        {S7P_T_USINT, 0, 0, "16#FF", "255"},   {S7P_T_USINT, 0, 0, "+7", "7"},
        {S7P_T_USINT, 0, 0, "-0", "0"},        {S7P_T_USINT, 0, 0, "USINT#5", "5"},
        {S7P_T_UINT, 0, 0, "65535", NULL},     {S7P_T_UINT, 0, 0, "1_000", "1000"},
        {S7P_T_UDINT, 0, 0, "4294967295", NULL}, {S7P_T_UDINT, 0, 0, "8#777", "511"},
        {S7P_T_ULINT, 0, 0, "18446744073709551615", NULL},
        {S7P_T_ULINT, 0, 0, "16#FFFF_FFFF_FFFF_FFFF", "18446744073709551615"},
        {S7P_T_SINT, 0, 0, "-128", NULL},      {S7P_T_SINT, 0, 0, "127", NULL},
        {S7P_T_SINT, 0, 0, "-16#80", "-128"},  {S7P_T_SINT, 0, 0, "-2#1", "-1"},
        {S7P_T_INT, 0, 0, "-32768", NULL},     {S7P_T_INT, 0, 0, "32767", NULL},
        {S7P_T_INT, 0, 0, "INT#-5", "-5"},     {S7P_T_INT, 0, 0, "0", NULL},
        {S7P_T_DINT, 0, 0, "-2147483648", NULL}, {S7P_T_DINT, 0, 0, "2147483647", NULL},
        {S7P_T_LINT, 0, 0, "-9223372036854775808", NULL},
        {S7P_T_LINT, 0, 0, "9223372036854775807", NULL},
        {S7P_T_LINT, 0, 0, "LINT#-16#8000000000000000", "-9223372036854775808"},
        {S7P_T_COUNTER, 0, 0, "0", NULL},      {S7P_T_COUNTER, 0, 0, "65535", NULL},
        {S7P_T_TIMER, 0, 0, "16#FFFF", "65535"}, {S7P_T_BLOCK_FB, 0, 0, "1", NULL},
        {S7P_T_HW_ANY, 0, 0, "65535", NULL},   {149 /* HW_IO */, 0, 0, "257", NULL},
        {S7P_T_OB_ANY, 0, 0, "32767", NULL},   {197 /* OB_Startup */, 0, 0, "100", NULL},
        {194 /* OB_Comm */, 0, 0, "50", NULL}, {194 /* OB_Comm */, 0, 0, "16#7FFF", "32767"},
        {S7P_T_DB_ANY, 0, 0, "65535", NULL},   {S7P_T_AOM_IDENT, 0, 0, "4294967295", NULL},
        {S7P_T_CONN_ANY, 0, 0, "16#10", "16"}, {S7P_T_PORT, 0, 0, "2", NULL},
    };
    RUN(cases);
}

/* A scalar's value after parsing, for checks of the public units. */
static s7p_tag_value parsed(int type, uint16_t str_max, const char *in)
{
    s7p_tag t = tag_of(type, 0, str_max);
    s7p_tag_value v;
    char err[300];
    bool ok = vt_parse(&t, in, &v, err, sizeof err);
    if (!ok) print_error("%s: %s\n", in, err);
    assert_true(ok);
    return v;
}

static void test_integer_values(void **state)
{
    (void)state;
    assert_true(parsed(S7P_T_ULINT, 0, "18446744073709551615").v.u == UINT64_MAX);
    assert_true(parsed(S7P_T_LINT, 0, "-9223372036854775808").v.i == INT64_MIN);
    assert_true(parsed(S7P_T_LINT, 0, "9223372036854775807").v.i == INT64_MAX);
    assert_true(parsed(S7P_T_SINT, 0, "-16#80").v.i == -128);
    assert_true(parsed(S7P_T_WORD, 0, "W#16#1234").v.u == 0x1234);
    assert_true(parsed(S7P_T_BOOL, 0, "TRUE").v.b);
}

static void test_reals(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_REAL, 0, 0, "1.5", NULL},              {S7P_T_REAL, 0, 0, "0", "0.0"},
        {S7P_T_REAL, 0, 0, "-2", "-2.0"},             {S7P_T_REAL, 0, 0, "0.1", "0.100000001"},
        {S7P_T_REAL, 0, 0, "3.40282347e+38", NULL},   {S7P_T_REAL, 0, 0, "-3.40282347e+38", NULL},
        {S7P_T_REAL, 0, 0, "1e10", "1.0e+10"},        {S7P_T_REAL, 0, 0, "1.17549435e-38", NULL},
        {S7P_T_REAL, 0, 0, "1.40129846e-45", NULL},   {S7P_T_REAL, 0, 0, "REAL#2.5", "2.5"},
        {S7P_T_REAL, 0, 0, "-0.0", NULL},             {S7P_T_REAL, 0, 0, "1_000.5", "1000.5"},
        {S7P_T_REAL, 0, 0, "0x1p-2", "0.25"},         {S7P_T_REAL, 0, 0, "16777217", "16777216.0"},
        {S7P_T_LREAL, 0, 0, "0.1", "0.10000000000000001"},
        {S7P_T_LREAL, 0, 0, "1.7976931348623157e+308", NULL},
        {S7P_T_LREAL, 0, 0, "-1", "-1.0"},
        {S7P_T_LREAL, 0, 0, "5e-324", "4.9406564584124654e-324"},
        {S7P_T_LREAL, 0, 0, "LREAL#1e100", "1.0e+100"},
    };
    RUN(cases);
    assert_true(parsed(S7P_T_REAL, 0, "0.1").v.r == 0.1f);
    assert_true(parsed(S7P_T_LREAL, 0, "0.1").v.lr == 0.1);
}

static void test_chars(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_CHAR, 0, 0, "'A'", NULL},         {S7P_T_CHAR, 0, 0, "A", "'A'"},
        {S7P_T_CHAR, 0, 0, "'$''", NULL},        {S7P_T_CHAR, 0, 0, "'$$'", NULL},
        {S7P_T_CHAR, 0, 0, "'$N'", NULL},        {S7P_T_CHAR, 0, 0, "'$0A'", "'$N'"},
        {S7P_T_CHAR, 0, 0, "'$l'", "'$N'"},      {S7P_T_CHAR, 0, 0, "'$41'", "'A'"},
        {S7P_T_CHAR, 0, 0, "16#41", "'A'"},      {S7P_T_CHAR, 0, 0, "CHAR#'x'", "'x'"},
        {S7P_T_CHAR, 0, 0, "CHAR#16#78", "'x'"}, {S7P_T_CHAR, 0, 0, "\xc3\xa9", "'\xc3\xa9'"},
        {S7P_T_CHAR, 0, 0, "'$E9'", "'\xc3\xa9'"}, {S7P_T_CHAR, 0, 0, "'$00'", NULL},
        {S7P_T_CHAR, 0, 0, "' '", NULL},         {S7P_T_CHAR, 0, 0, " ", "' '"},
        {S7P_T_CHAR, 0, 0, "'", "'$''"},         {S7P_T_CHAR, 0, 0, "'$7F'", NULL},
        {S7P_T_CHAR, 0, 0, "'$9F'", NULL},       {S7P_T_CHAR, 0, 0, "16#FF", "'\xc3\xbf'"},
        {S7P_T_CHAR, 0, 0, "'$R'", NULL},        {S7P_T_CHAR, 0, 0, "'$t'", "'$T'"},
        {S7P_T_CHAR, 0, 0, "'$p'", "'$P'"},      {S7P_T_CHAR, 0, 0, "#", "'#'"},
        {S7P_T_WCHAR, 0, 0, "'\xe2\x82\xac'", NULL}, {S7P_T_WCHAR, 0, 0, "16#20AC", "'\xe2\x82\xac'"},
        {S7P_T_WCHAR, 0, 0, "16#D800", NULL},    {S7P_T_WCHAR, 0, 0, "WCHAR#'A'", "'A'"},
        {S7P_T_WCHAR, 0, 0, "16#FFFF", "'\xef\xbf\xbf'"}, {S7P_T_WCHAR, 0, 0, "'$00'", NULL},
    };
    RUN(cases);
    assert_int_equal(parsed(S7P_T_CHAR, 0, "\xc3\xa9").v.u, 0xE9);
    assert_int_equal(parsed(S7P_T_WCHAR, 0, "'\xe2\x82\xac'").v.u, 0x20AC);
}

static void test_strings(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_STRING, 0, 20, "'hello'", NULL},       {S7P_T_STRING, 0, 20, "hello world", "'hello world'"},
        {S7P_T_STRING, 0, 20, "'it$'s'", NULL},       {S7P_T_STRING, 0, 20, "'a$$b'", NULL},
        {S7P_T_STRING, 0, 20, "'$L'", "'$N'"},        {S7P_T_STRING, 0, 20, "'$r$t$p'", "'$R$T$P'"},
        {S7P_T_STRING, 0, 20, "''", NULL},            {S7P_T_STRING, 0, 20, "", "''"},
        {S7P_T_STRING, 0, 20, "'\xc3\xa9t\xc3\xa9'", NULL},
        {S7P_T_STRING, 0, 20, "STRING#'x'", "'x'"},   {S7P_T_STRING, 0, 20, "'$01$1f'", "'$01$1F'"},
        {S7P_T_STRING, 0, 20, "'$9F'", NULL},         {S7P_T_STRING, 0, 20, "'$a0'", "'\xc2\xa0'"},
        {S7P_T_STRING, 0, 20, "'$\"'", "'\"'"},        {S7P_T_STRING, 0, 20, "it's", "'it$'s'"},
        {S7P_T_STRING, 0, 20, " padded ", "' padded '"}, {S7P_T_STRING, 0, 20, "a$b", "'a$$b'"},
        {S7P_T_STRING, 0, 20, "'", "'$''"},           {S7P_T_STRING, 0, 20, "  'x'  ", "'x'"},
        {S7P_T_STRING, 0, 3, "'abc'", NULL},          {S7P_T_STRING, 0, 0, "''", NULL},
        {S7P_T_STRING, 0, 254, "'$00'", NULL},
        {S7P_T_WSTRING, 0, 5, "'\xe2\x82\xacuro'", NULL},
        {S7P_T_WSTRING, 0, 2, "'\xf0\x9f\x98\x80'", NULL},
        {S7P_T_WSTRING, 0, 10, "WSTRING#'$N'", "'$N'"}, {S7P_T_WSTRING, 0, 10, "bare", "'bare'"},
    };
    RUN(cases);
    s7p_tag_value v = parsed(S7P_T_STRING, 10, "'a$00b'");
    assert_int_equal(v.v.str.len, 3);
    assert_memory_equal(v.v.str.p, "a\0b", 3);
    vt_value_free(&v);
}

static void test_durations(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_TIME, 0, 0, "T#0MS", NULL},                 {S7P_T_TIME, 0, 0, "T#1D_2H_3M_4S_5MS", NULL},
        {S7P_T_TIME, 0, 0, "T#5s", "T#5S"},                {S7P_T_TIME, 0, 0, "T#-1.5s", "T#-1S_500MS"},
        {S7P_T_TIME, 0, 0, "1500", "T#1S_500MS"},          {S7P_T_TIME, 0, 0, "-1", "T#-1MS"},
        {S7P_T_TIME, 0, 0, "T#24D_20H_31M_23S_647MS", NULL},
        {S7P_T_TIME, 0, 0, "T#-24D_20H_31M_23S_648MS", NULL},
        {S7P_T_TIME, 0, 0, "TIME#1h", "T#1H"},             {S7P_T_TIME, 0, 0, "T#1.5h", "T#1H_30M"},
        {S7P_T_TIME, 0, 0, "T#90m", "T#1H_30M"},           {S7P_T_TIME, 0, 0, "T#1000us", "T#1MS"},
        {S7P_T_TIME, 0, 0, "T#1d2h", "T#1D_2H"},           {S7P_T_TIME, 0, 0, "1.5s", "T#1S_500MS"},
        {S7P_T_TIME, 0, 0, "T#+2S", "T#2S"},               {S7P_T_TIME, 0, 0, "0", "T#0MS"},
        {S7P_T_TIME, 0, 0, "T#-0s", "T#0MS"},              {S7P_T_TIME, 0, 0, "LT#1S", "T#1S"},
        {S7P_T_LTIME, 0, 0, "LT#0NS", NULL},               {S7P_T_LTIME, 0, 0, "LT#1D_2H_3M_4S_5MS_6US_7NS", NULL},
        {S7P_T_LTIME, 0, 0, "LT#-106751D_23H_47M_16S_854MS_775US_808NS", NULL},
        {S7P_T_LTIME, 0, 0, "LT#106751D_23H_47M_16S_854MS_775US_807NS", NULL},
        {S7P_T_LTIME, 0, 0, "20", "LT#20NS"},              {S7P_T_LTIME, 0, 0, "T#1s", "LT#1S"},
        {S7P_T_LTIME, 0, 0, "LT#1.000000001S", "LT#1S_1NS"},
        {S7P_T_LTIME, 0, 0, "LTIME#-1.5us", "LT#-1US_500NS"},
        {S7P_T_LTIME, 0, 0, "-9223372036854775808", "LT#-106751D_23H_47M_16S_854MS_775US_808NS"},
        {S7P_T_S5TIME, 0, 0, "S5T#0MS", NULL},             {S7P_T_S5TIME, 0, 0, "S5T#2H_46M_30S", NULL},
        {S7P_T_S5TIME, 0, 0, "S5T#10MS", NULL},            {S7P_T_S5TIME, 0, 0, "S5T#9S_990MS", NULL},
        {S7P_T_S5TIME, 0, 0, "S5T#1M_30S", NULL},          {S7P_T_S5TIME, 0, 0, "90000", "S5T#1M_30S"},
        {S7P_T_S5TIME, 0, 0, "T#1s", "S5T#1S"},            {S7P_T_S5TIME, 0, 0, "S5TIME#99.9s", "S5T#1M_39S_900MS"},
    };
    RUN(cases);
    assert_true(parsed(S7P_T_TIME, 0, "T#-1.5s").v.i == -1500 * NS_MS);
    assert_true(parsed(S7P_T_LTIME, 0, "LT#1US_500NS").v.i == 1500);
    assert_true(parsed(S7P_T_S5TIME, 0, "S5T#2H_46M_30S").v.i == 9990 * NS_S);
}

static void test_times_of_day(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_TIME_OF_DAY, 0, 0, "TOD#00:00:00.000", NULL},
        {S7P_T_TIME_OF_DAY, 0, 0, "TOD#23:59:59.999", NULL},
        {S7P_T_TIME_OF_DAY, 0, 0, "TOD#12:30:00.500", NULL},
        {S7P_T_TIME_OF_DAY, 0, 0, "TOD#12:30", "TOD#12:30:00.000"},
        {S7P_T_TIME_OF_DAY, 0, 0, "12:30:00.5", "TOD#12:30:00.500"},
        {S7P_T_TIME_OF_DAY, 0, 0, "TIME_OF_DAY#1:02:03", "TOD#01:02:03.000"},
        {S7P_T_TIME_OF_DAY, 0, 0, "tod#12:00:00.100000", "TOD#12:00:00.100"},
        {S7P_T_LTIME_OF_DAY, 0, 0, "LTOD#12:30:00.000000001", NULL},
        {S7P_T_LTIME_OF_DAY, 0, 0, "LTOD#23:59:59.999999999", NULL},
        {S7P_T_LTIME_OF_DAY, 0, 0, "LTOD#00:00:00.000000000", NULL},
        {S7P_T_LTIME_OF_DAY, 0, 0, "TOD#1:00", "LTOD#01:00:00.000000000"},
        {S7P_T_LTIME_OF_DAY, 0, 0, "LTIME_OF_DAY#10:00:00.5", "LTOD#10:00:00.500000000"},
    };
    RUN(cases);
    assert_true(parsed(S7P_T_TIME_OF_DAY, 0, "TOD#12:30:00.500").v.i ==
                (12 * 3600 + 30 * 60) * NS_S + 500 * NS_MS);
}

static void test_dates(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_DATE, 0, 0, "D#1990-01-01", NULL},   {S7P_T_DATE, 0, 0, "D#2169-06-06", NULL},
        {S7P_T_DATE, 0, 0, "D#2024-02-29", NULL},   {S7P_T_DATE, 0, 0, "DATE#2024-1-5", "D#2024-01-05"},
        {S7P_T_DATE, 0, 0, "2024-01-31", "D#2024-01-31"}, {S7P_T_DATE, 0, 0, "D#2000-02-29", NULL},
        {S7P_T_DATE_AND_TIME, 0, 0, "DT#1990-01-01-00:00:00.000", NULL},
        {S7P_T_DATE_AND_TIME, 0, 0, "DT#2089-12-31-23:59:59.999", NULL},
        {S7P_T_DATE_AND_TIME, 0, 0, "DT#2024-01-31-12:00:00.500", NULL},
        {S7P_T_DATE_AND_TIME, 0, 0, "2024-01-31T12:00:00.5", "DT#2024-01-31-12:00:00.500"},
        {S7P_T_DATE_AND_TIME, 0, 0, "DATE_AND_TIME#2024-01-31-12:00", "DT#2024-01-31-12:00:00.000"},
        {S7P_T_DATE_AND_TIME, 0, 0, "DT#2024-01-31", "DT#2024-01-31-00:00:00.000"},
        {S7P_T_LDT, 0, 0, "LDT#1970-01-01-00:00:00.000000000", NULL},
        {S7P_T_LDT, 0, 0, "LDT#2262-04-11-23:47:16.854775807", NULL},
        {S7P_T_LDT, 0, 0, "LDT#2024-01-31-12:00:00.123456789", NULL},
        {S7P_T_LDT, 0, 0, "2024-01-31 12:00", "LDT#2024-01-31-12:00:00.000000000"},
        {S7P_T_LDT, 0, 0, "DATE_AND_LTIME#2024-01-31-12:00:00.1", "LDT#2024-01-31-12:00:00.100000000"},
        {S7P_T_DTL, 0, 0, "DTL#2024-01-31-12:00:00.123456789", NULL},
        {S7P_T_DTL, 0, 0, "2024-01-31T12:00:00.5", "DTL#2024-01-31-12:00:00.500000000"},
        {S7P_T_DTL, 0, 0, "DTL#1970-01-01-00:00:00.000000000", NULL},
        {S7P_T_DTL, 0, 0, "DTL#2262-04-11-23:47:16.854775807", NULL},
        {S7P_T_DTL, 0, 0, "dtl#2024-02-29t23:59:59,25", "DTL#2024-02-29-23:59:59.250000000"},
    };
    RUN(cases);
    assert_true(parsed(S7P_T_DATE, 0, "D#1990-01-01").v.i == 7305 * NS_DAY);
    assert_true(parsed(S7P_T_DTL, 0, "DTL#1970-01-01-00:00:00.000000001").v.i == 1);
    assert_true(parsed(S7P_T_LDT, 0, "LDT#2262-04-11-23:47:16.854775807").v.i == INT64_MAX);
    assert_true(parsed(S7P_T_DATE_AND_TIME, 0, "DT#2024-01-31-12:00:00.500").v.i ==
                INT64_C(1706702400500) * NS_MS);
}

static void test_raw(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_POINTER, 0, 0, "16#840000000000", NULL},
        {S7P_T_POINTER, 0, 0, "16#84_00_00_00_00_00", "16#840000000000"},
        {S7P_T_ANY, 0, 0, "10 02 00 01 00 00 84 00 00 00", "16#10020001000084000000"},
        {S7P_T_REMOTE, 0, 0, "ab:cd", "16#ABCD"},
    };
    RUN(cases);
}

static void test_arrays(void **state)
{
    (void)state;
    static const rt cases[] = {
        {S7P_T_INT, 3, 0, "[1, 2, 3]", NULL},       {S7P_T_INT, 3, 0, "[1,2,3]", "[1, 2, 3]"},
        {S7P_T_INT, 3, 0, "[3(7)]", "[7, 7, 7]"},   {S7P_T_INT, 3, 0, "[2(), 5]", "[0, 0, 5]"},
        {S7P_T_INT, 3, 0, " [ -1 , 16#10, 2 ] ", "[-1, 16, 2]"},
        {S7P_T_INT, 4, 0, "[2(1), 2(-2)]", "[1, 1, -2, -2]"},
        {S7P_T_BOOL, 2, 0, "[true, 0]", "[true, false]"},
        {S7P_T_STRING, 2, 5, "['a,b', 'c']", NULL}, {S7P_T_STRING, 2, 5, "[x, 'y$'z']", "['x', 'y$'z']"},
        {S7P_T_STRING, 3, 5, "[3('(a)')]", "['(a)', '(a)', '(a)']"},
        {S7P_T_STRING, 2, 5, "[2()]", "['', '']"},
        {S7P_T_REAL, 2, 0, "[1.5, 2]", "[1.5, 2.0]"},
        {S7P_T_TIME, 2, 0, "[T#1s, 500]", "[T#1S, T#500MS]"},
        {S7P_T_DTL, 1, 0, "[DTL#2024-01-31-12:00:00.5]", "[DTL#2024-01-31-12:00:00.500000000]"},
        {S7P_T_CHAR, 3, 0, "['a', b, 16#63]", "['a', 'b', 'c']"},
        {S7P_T_POINTER, 2, 0, "[16#0102, 16#0304]", NULL},
        {S7P_T_POINTER, 2, 0, "[2(16#0102)]", "[16#0102, 16#0102]"},
        {S7P_T_BYTE, 4, 0, "[16#01, 16#02, 16#03, 16#04]", NULL},
    };
    RUN(cases);
}

typedef struct bad {
    int type;
    uint32_t count;
    uint16_t str_max;
    const char *in;
    const char *msg;   /* expected part of the message */
} bad;

static void test_errors(void **state)
{
    (void)state;
    static const bad cases[] = {
        {S7P_T_USINT, 0, 0, "256", "256 is out of range for USInt (0..255)"},
        {S7P_T_USINT, 0, 0, "-1", "-1 is out of range for USInt (0..255)"},
        {S7P_T_SINT, 0, 0, "128", "128 is out of range for SInt (-128..127)"},
        {S7P_T_SINT, 0, 0, "-129", "out of range for SInt"},
        {S7P_T_INT, 0, 0, "12x", "'12x' is not an integer"},
        {S7P_T_INT, 0, 0, "1.5", "not an integer"},
        {S7P_T_INT, 0, 0, "DINT#5", "'DINT#' does not fit Int"},
        {S7P_T_INT, 0, 0, "", "no value given for Int"},
        {S7P_T_INT, 0, 0, "_1", "not an integer"},
        {S7P_T_BYTE, 0, 0, "16#100", "16#100 is out of range for Byte (16#00..16#FF)"},
        {S7P_T_BYTE, 0, 0, "3#12", "not an integer"},
        {S7P_T_BYTE, 0, 0, "16#", "not an integer"},
        {S7P_T_BYTE, 0, 0, "2#102", "not an integer"},
        {S7P_T_WORD, 0, 0, "W#16#10000", "out of range for Word"},
        {S7P_T_DINT, 0, 0, "2147483648", "out of range for DInt (-2147483648..2147483647)"},
        {S7P_T_LINT, 0, 0, "9223372036854775808", "out of range for LInt"},
        {S7P_T_LINT, 0, 0, "-9223372036854775809", "out of range for LInt"},
        {S7P_T_ULINT, 0, 0, "18446744073709551616", "out of range for ULInt"},
        {S7P_T_OB_ANY, 0, 0, "32768", "out of range for OB_Any (0..32767)"},
        {S7P_T_COUNTER, 0, 0, "65536", "out of range for Counter"},
        {S7P_T_BOOL, 0, 0, "yes", "'yes' is not a Bool"},
        {S7P_T_BOOL, 0, 0, "2", "not a Bool"},
        {S7P_T_REAL, 0, 0, "1e39", "out of range for Real"},
        {S7P_T_REAL, 0, 0, "inf", "infinity cannot be written"},
        {S7P_T_REAL, 0, 0, "-Infinity", "infinity cannot be written"},
        {S7P_T_REAL, 0, 0, "nan", "NaN cannot be written"},
        {S7P_T_REAL, 0, 0, "abc", "'abc' is not a number"},
        {S7P_T_REAL, 0, 0, "1.5.5", "not a number"},
        {S7P_T_LREAL, 0, 0, "1e999", "out of range for LReal"},
        {S7P_T_CHAR, 0, 0, "'AB'", "Char takes one character, 2 given"},
        {S7P_T_CHAR, 0, 0, "AB", "Char takes one character, 2 given"},
        {S7P_T_CHAR, 0, 0, "''", "takes one character, 0 given"},
        {S7P_T_CHAR, 0, 0, "'\xe2\x82\xac'", "U+20AC is not in ISO-8859-1"},
        {S7P_T_CHAR, 0, 0, "16#100", "out of range for Char"},
        {S7P_T_CHAR, 0, 0, "\xff", "not valid UTF-8"},
        {S7P_T_WCHAR, 0, 0, "'\xf0\x9f\x98\x80'", "does not fit one UTF-16 unit"},
        {S7P_T_STRING, 0, 3, "'abcd'", "4 characters exceed String[3]"},
        {S7P_T_STRING, 0, 10, "'\xe2\x82\xac'", "U+20AC is not in ISO-8859-1"},
        {S7P_T_STRING, 0, 10, "'abc", "unterminated string"},
        {S7P_T_STRING, 0, 10, "'a'b'", "must be written $'"},
        {S7P_T_STRING, 0, 10, "'$X'", "invalid escape '$X'"},
        {S7P_T_STRING, 0, 10, "'$'", "a $ at the end"},
        {S7P_T_STRING, 0, 10, "STRING#abc", "a quoted text must follow"},
        {S7P_T_STRING, 0, 10, "\xc0\xaf", "not valid UTF-8"},
        {S7P_T_STRING, 0, 10, "'$ED$A0$80'", NULL},  /* escapes are code points: fine */
        {S7P_T_WSTRING, 0, 2, "'\xf0\x9f\x98\x80" "a'", "3 UTF-16 units exceed WString[2]"},
        {S7P_T_TIME, 0, 0, "T#25D", "out of range for Time (T#-24D_20H_31M_23S_648MS..T#24D"},
        {S7P_T_TIME, 0, 0, "T#24D_20H_31M_23S_648MS", "out of range for Time"},
        {S7P_T_TIME, 0, 0, "2147483648", "out of range for Time"},
        {S7P_T_TIME, 0, 0, "T#1.0005s", "not a whole number of milliseconds"},
        {S7P_T_TIME, 0, 0, "T#1x", "unknown unit 'x'"},
        {S7P_T_TIME, 0, 0, "T#1s2h", "largest to smallest"},
        {S7P_T_TIME, 0, 0, "T#1s1s", "largest to smallest"},
        {S7P_T_TIME, 0, 0, "T#", "is not a duration"},
        {S7P_T_TIME, 0, 0, "T#5", "a unit must follow"},
        {S7P_T_TIME, 0, 0, "abc", "not a duration"},
        {S7P_T_TIME, 0, 0, "X#5s", "not a duration"},
        {S7P_T_LTIME, 0, 0, "LT#106752D", "out of range for LTime"},
        {S7P_T_LTIME, 0, 0, "LT#99999999999999999999D", "out of range for LTime"},
        {S7P_T_LTIME, 0, 0, "LT#1.0000000001s", "more than 9 decimals"},
        {S7P_T_S5TIME, 0, 0, "S5T#2H_46M_31S", "out of range for S5Time"},
        {S7P_T_S5TIME, 0, 0, "S5T#5MS", "cannot be an S5Time"},
        {S7P_T_S5TIME, 0, 0, "S5T#10S_10MS", "cannot be an S5Time"},
        {S7P_T_S5TIME, 0, 0, "S5T#-1S", "S5Time cannot be negative"},
        {S7P_T_TIME_OF_DAY, 0, 0, "TOD#24:00:00", "is not a time of day (hours 0..23"},
        {S7P_T_TIME_OF_DAY, 0, 0, "TOD#12:60", "not a time of day"},
        {S7P_T_TIME_OF_DAY, 0, 0, "TOD#12:30:00.0005", "finer than 1 ms"},
        {S7P_T_TIME_OF_DAY, 0, 0, "noon", "'noon' is not a time of day"},
        {S7P_T_TIME_OF_DAY, 0, 0, "TOD#12:30:00.1234567890", "not a time of day"},
        {S7P_T_DATE, 0, 0, "D#1989-12-31", "out of range for Date (D#1990-01-01..D#2169-06-06)"},
        {S7P_T_DATE, 0, 0, "D#2169-06-07", "out of range for Date"},
        {S7P_T_DATE, 0, 0, "D#2023-02-29", "is not a valid date"},
        {S7P_T_DATE, 0, 0, "D#2024-01-31-12:00", "is not a Date"},
        {S7P_T_DATE, 0, 0, "31.01.2024", "is not a Date"},
        {S7P_T_DATE_AND_TIME, 0, 0, "DT#2090-01-01-00:00", "out of range for Date_And_Time"},
        {S7P_T_DATE_AND_TIME, 0, 0, "DT#1989-12-31-23:59:59.999", "out of range for Date_And_Time"},
        {S7P_T_DATE_AND_TIME, 0, 0, "DT#2024-01-31-12:00:00.0001", "finer than 1 ms"},
        {S7P_T_DATE_AND_TIME, 0, 0, "DT#2024-01-31-25:00", "not a valid time"},
        {S7P_T_LDT, 0, 0, "LDT#1969-12-31-23:59:59", "out of range for LDT"},
        {S7P_T_LDT, 0, 0, "LDT#2262-04-11-23:47:16.854775808", "out of range for LDT"},
        {S7P_T_LDT, 0, 0, "2024-01-31T12:00:00Z", "time zones are not supported"},
        {S7P_T_LDT, 0, 0, "2024-01-31T12:00:00+01:00", "time zones are not supported"},
        {S7P_T_DTL, 0, 0, "DTL#2024-13-01", "is not a valid date"},
        {S7P_T_DTL, 0, 0, "DTL#2024-01-31x12:00", "is not a DTL"},
        {S7P_T_POINTER, 0, 0, "16#123", "even number of hex digits"},
        {S7P_T_POINTER, 0, 0, "xyz", "not hex bytes"},
        {S7P_T_POINTER, 0, 0, "", "no value given"},
        {S7P_T_INT, 3, 0, "[1, 2]", "Array of 3 Int needs 3 values, 2 given"},
        {S7P_T_INT, 3, 0, "[1,2,3,4]", "needs 3 values, 4 given"},
        {S7P_T_INT, 3, 0, "[]", "needs 3 values, 0 given"},
        {S7P_T_INT, 3, 0, "1, 2, 3", "needs a list [v1, v2, ...] of 3 values"},
        {S7P_T_INT, 3, 0, "[1, x, 3]", "value 2 of 3: 'x' is not an integer (Int takes"},
        {S7P_T_INT, 3, 0, "[5(1)]", "needs 3 values, 5 given"},
        {S7P_T_INT, 3, 0, "[0(1), 1, 2, 3]", "repetition count must be at least 1"},
        {S7P_T_INT, 3, 0, "[1, 2, ]", "value 3 of 3: no value given for Int"},
        {S7P_T_USINT, 2, 0, "[1, 300]", "value 2 of 2: 300 is out of range for USInt (0..255)"},
        {S7P_T_STRING, 2, 2, "['ab', 'abc']", "value 2 of 2: 3 characters exceed String[2]"},
        {S7P_T_POINTER, 2, 0, "[16#01, 16#0203]", "all elements need the same length"},
        {S7P_T_POINTER, 2, 0, "[2()]", "has no zero value"},
        {S7P_T_STRUCT, 0, 0, "1", "values of type Struct cannot be written"},
        {S7P_T_VOID, 0, 0, "1", "cannot be written"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad *c = &cases[i];
        s7p_tag t = tag_of(c->type, c->count, c->str_max);
        s7p_tag_value v;
        char err[300] = "untouched";
        bool ok = vt_parse(&t, c->in, &v, err, sizeof err);
        if (!c->msg) { /* a case that must pass */
            if (!ok) print_error("\"%s\": %s\n", c->in, err);
            assert_true(ok);
            vt_value_free(&v);
            continue;
        }
        if (ok) print_error("%s \"%s\" was accepted\n", s7p_type_name(c->type), c->in);
        assert_false(ok);
        if (!strstr(err, c->msg))
            print_error("%s \"%s\": message \"%s\", expected \"%s\"\n", s7p_type_name(c->type),
                        c->in, err, c->msg);
        assert_non_null(strstr(err, c->msg));
        assert_null(strchr(err, '\n'));
        /* A failed parse leaves nothing behind. */
        assert_int_equal(v.count, 0);
        assert_null(v.elems);
    }
}

/* Values the library hands out that no parse produces. */
static void test_format_only(void **state)
{
    (void)state;
    s7p_tag_value v;
    memset(&v, 0, sizeof v);
    char *s;
#define FMT(want)                                  \
    do {                                           \
        s = vt_format_str(&v);                     \
        assert_non_null(s);                        \
        assert_string_equal(s, want);              \
        s7p_text_free(s);                          \
    } while (0)
    v.type = S7P_T_REAL;
    v.v.r = NAN;
    FMT("nan");
    v.v.r = INFINITY;
    FMT("inf");
    v.v.r = -INFINITY;
    FMT("-inf");
    v.type = S7P_T_WCHAR;
    v.v.u = 0xDC00;
    FMT("16#DC00");
    v.type = S7P_T_CHAR;
    v.v.u = 0xE9;
    FMT("'\xc3\xa9'");
    v.v.u = 0x85;
    FMT("'$85'");
    v.type = S7P_T_STRING;
    v.v.str.p = (char *)"\x01\xc2\x85z'$\n";
    v.v.str.len = strlen(v.v.str.p);
    FMT("'$01$85z$'$$$N'");
    v.v.str.p = NULL;
    v.v.str.len = 0;
    FMT("''");
    v.type = S7P_T_LTIME;
    v.v.i = INT64_MIN;
    FMT("LT#-106751D_23H_47M_16S_854MS_775US_808NS");
    v.type = S7P_T_TIME;
    v.v.i = 1;  /* not on the ms grid: nothing is lost */
    FMT("T#1NS");
    v.type = S7P_T_UDINT;
    v.v.u = 4294967295u;
    FMT("4294967295");
    v.type = S7P_T_STRUCT;
    s = NULL;
    assert_int_equal(s7p_value_text(&v, 0, &s), S7P_E_UNSUPPORTED);
    assert_string_equal(s, "<Struct: no text form>");
    s7p_text_free(s);
    /* An array from the library: element types are taken from the array. */
    s7p_tag_value e[2];
    memset(e, 0, sizeof e);
    e[0].v.i = -1;
    e[1].v.i = 2;
    memset(&v, 0, sizeof v);
    v.type = S7P_T_INT;
    v.count = 2;
    v.elems = e;
    FMT("[-1, 2]");
#undef FMT
}

/* ISO 8601 dates and times (for JSON): no TIA prefix, 'T' between date and time; they parse
 * back to the same value. Durations keep their TIA form. */
static void test_iso8601(void **state)
{
    (void)state;
    static const struct { int type; const char *in, *iso; } cases[] = {
        {S7P_T_DATE, "D#2024-01-31", "2024-01-31"},
        {S7P_T_TIME_OF_DAY, "TOD#12:30:00.5", "12:30:00.500"},
        {S7P_T_LTIME_OF_DAY, "LTOD#0:00:00.000000001", "00:00:00.000000001"},
        {S7P_T_DATE_AND_TIME, "DT#2089-12-31-23:59:59.999", "2089-12-31T23:59:59.999"},
        {S7P_T_LDT, "LDT#1970-01-01-00:00:00", "1970-01-01T00:00:00.000000000"},
        {S7P_T_DTL, "DTL#2262-04-11-23:47:16.854775807", "2262-04-11T23:47:16.854775807"},
        {S7P_T_TIME, "T#1.5S", "T#1S_500MS"},
        {S7P_T_INT, "-5", "-5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s7p_tag t = tag_of(cases[i].type, 0, 0);
        s7p_tag_value v, back;
        char *s = NULL;
        assert_int_equal(s7p_value_parse(&t, cases[i].in, &v, NULL, 0), S7P_OK);
        assert_int_equal(s7p_value_text(&v, S7P_TEXT_ISO8601, &s), S7P_OK);
        assert_string_equal(s, cases[i].iso);
        assert_int_equal(s7p_value_parse(&t, s, &back, NULL, 0), S7P_OK);
        assert_true(back.v.i == v.v.i);
        s7p_text_free(s);
    }
    /* An array takes the flag for every element. */
    s7p_tag t = tag_of(S7P_T_DATE, 2, 0);
    s7p_tag_value v;
    char buf[64];
    assert_int_equal(s7p_value_parse(&t, "[D#1990-01-01, 2169-06-06]", &v, NULL, 0), S7P_OK);
    assert_int_equal(s7p_value_format(&v, S7P_TEXT_ISO8601, buf, sizeof buf, NULL), S7P_OK);
    assert_string_equal(buf, "[1990-01-01, 2169-06-06]");
    s7p_tag_value_clear(&v);
}

/* Plain text: characters and strings without quotes or escapes. */
static void test_plain(void **state)
{
    (void)state;
    char buf[64];
    s7p_tag t = tag_of(S7P_T_STRING, 0, 20);
    s7p_tag_value v;
    assert_int_equal(s7p_value_parse(&t, "'it$'s$N'", &v, NULL, 0), S7P_OK);
    assert_int_equal(s7p_value_format(&v, S7P_TEXT_PLAIN, buf, sizeof buf, NULL), S7P_OK);
    assert_string_equal(buf, "it's\n");
    s7p_tag_value_clear(&v);
    memset(&v, 0, sizeof v);
    v.type = S7P_T_WCHAR;
    v.v.u = 0x20AC;
    assert_int_equal(s7p_value_format(&v, S7P_TEXT_PLAIN, buf, sizeof buf, NULL), S7P_OK);
    assert_string_equal(buf, "\xe2\x82\xac");
    v.v.u = 0xD800;
    assert_int_equal(s7p_value_format(&v, S7P_TEXT_PLAIN, buf, sizeof buf, NULL), S7P_OK);
    assert_string_equal(buf, "16#D800");
}

/* The caller's buffer: the size needed, a cut that never splits a character. */
static void test_buffer(void **state)
{
    (void)state;
    s7p_tag t = tag_of(S7P_T_WSTRING, 0, 10);
    s7p_tag_value v;
    char buf[8];
    size_t need = 0;
    assert_int_equal(s7p_value_parse(&t, "'ab\xe2\x82\xac\xe2\x82\xac'", &v, NULL, 0), S7P_OK);
    /* 'ab€€' is 10 bytes and a NUL */
    assert_int_equal(s7p_value_format(&v, 0, buf, sizeof buf, &need), S7P_E_LIMIT);
    assert_int_equal(need, 11);
    assert_string_equal(buf, "'ab\xe2\x82\xac");
    assert_int_equal(s7p_value_format(&v, 0, NULL, 0, &need), S7P_E_LIMIT);
    assert_int_equal(need, 11);
    char big[11];
    assert_int_equal(s7p_value_format(&v, 0, big, sizeof big, &need), S7P_OK);
    assert_string_equal(big, "'ab\xe2\x82\xac\xe2\x82\xac'");
    s7p_tag_value_clear(&v);
}

/* What each failure returns. */
static void test_statuses(void **state)
{
    (void)state;
    s7p_tag t = tag_of(S7P_T_STRUCT, 0, 0);
    s7p_tag_value v;
    char why[100];
    assert_int_equal(s7p_value_parse(&t, "1", &v, why, sizeof why), S7P_E_UNSUPPORTED);
    assert_string_equal(why, "values of type Struct cannot be written");
    t = tag_of(S7P_T_USINT, 0, 0);
    assert_int_equal(s7p_value_parse(&t, "300", &v, why, sizeof why), S7P_E_INVALID_ARG);
    assert_string_equal(why, "300 is out of range for USInt (0..255)");
    assert_int_equal(s7p_value_parse(&t, "300", &v, NULL, 0), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_value_parse(NULL, "1", &v, NULL, 0), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_value_parse(&t, NULL, &v, NULL, 0), S7P_E_INVALID_ARG);
    assert_int_equal(s7p_value_text(NULL, 0, &(char *){NULL}), S7P_E_INVALID_ARG);
    assert_true(s7p_type_has_text(S7P_T_DTL));
    assert_false(s7p_type_has_text(S7P_T_STRUCT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bool),          cmocka_unit_test(test_bit_strings),
        cmocka_unit_test(test_integers),      cmocka_unit_test(test_integer_values),
        cmocka_unit_test(test_reals),         cmocka_unit_test(test_chars),
        cmocka_unit_test(test_strings),       cmocka_unit_test(test_durations),
        cmocka_unit_test(test_times_of_day),  cmocka_unit_test(test_dates),
        cmocka_unit_test(test_raw),           cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_format_only),
        cmocka_unit_test(test_iso8601),       cmocka_unit_test(test_plain),
        cmocka_unit_test(test_buffer),        cmocka_unit_test(test_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

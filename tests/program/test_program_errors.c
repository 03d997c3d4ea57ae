/* SPDX-License-Identifier: MIT */
/* Malformed and unsupported sources: each is rejected with the exact "file:line:col: message",
 * never a crash; limits on nesting, sizes and counts; a few literal corner cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "program/program.h"

static char g_err[512];

/* Loads the sources; returns the error message, failing the test if they load. */
static const char *load_err(const s7t_source *src, size_t n, const s7t_limits *lim)
{
    memset(g_err, 'x', sizeof g_err);
    s7t_program *p = s7t_program_parse(src, n, lim, g_err, sizeof g_err);
    if (p) {
        s7t_program_free(p);
        fail_msg("loaded: %s", src[n - 1].text);
    }
    return g_err;
}

static const char *err1(const char *name, const char *text)
{
    s7t_source s = {name, text, strlen(text)};
    return load_err(&s, 1, NULL);
}

static s7t_program *load1(const char *name, const char *text)
{
    s7t_source s = {name, text, strlen(text)};
    char err[512];
    s7t_program *p = s7t_program_parse(&s, 1, NULL, err, sizeof err);
    if (!p) fail_msg("%s", err);
    return p;
}

/* A DB "D" with the given member lines and BEGIN lines. */
static const char *db_err(const char *members, const char *begin)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "DATA_BLOCK \"D\"\nVERSION : 0.1\n   VAR\n%s   END_VAR\nBEGIN\n%s"
             "END_DATA_BLOCK\n", members, begin);
    return err1("d.db", buf);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    assert_string_equal(err1("motor.db", "DATA_BLOCK \"Motor\"\nVERSION : 0.1\n   VAR\n"
                                         "      speed  Real;\n   END_VAR\nBEGIN\nEND_DATA_BLOCK\n"),
                        "motor.db:4:14: expected ':' after member name");
    assert_string_equal(db_err("      a : Int\n      b : Int;\n", ""),
                        "d.db:5:7: expected ';' after the declaration of 'a'");
    assert_string_equal(db_err("      a : Rael;\n", ""), "d.db:4:11: unknown data type 'Rael'");
    assert_string_equal(db_err("      s : String := 'abc;\n", ""), "d.db:4:21: unterminated string");
    assert_string_equal(db_err("      a : Int; (* open\n", ""), "d.db:4:16: unterminated comment");
    assert_string_equal(db_err("      a : Int := 5 ? ;\n", ""), "d.db:4:20: unexpected character '?'");
    assert_string_equal(db_err("      a : Int := 5 \x01;\n", ""), "d.db:4:20: unexpected byte 0x01");
    assert_string_equal(db_err("      \"Gr\xC3\xB6\xC3\x9F" "e\" Int;\n", ""),
                        "d.db:4:15: expected ':' after member name");   /* columns count characters */
    assert_string_equal(db_err("      s : String := 'a\xFF';\n", ""), "d.db:4:23: invalid UTF-8");
    assert_string_equal(db_err("      s : String := 'a$Qb';\n", ""), "d.db:4:23: invalid escape '$Q' in string");
    assert_string_equal(db_err("      \"a\nb\" : Int;\n", ""), "d.db:4:7: unterminated quoted name");
    assert_string_equal(db_err("      \"\" : Int;\n", ""), "d.db:4:7: empty name");
    assert_string_equal(db_err("      a : String[300];\n", ""), "d.db:4:18: String length must be 1..254");
    assert_string_equal(db_err("      a : WString[0];\n", ""), "d.db:4:19: WString length must be 1..16382");
    assert_string_equal(db_err("      a : Array[0..1] of Array[0..1] of Int;\n", ""),
                        "d.db:4:26: an Array of Array is not supported (use Array[a..b, c..d])");
    assert_string_equal(db_err("      a : Array[5..1] of Int;\n", ""),
                        "d.db:4:17: array low bound 5 is above the high bound 1");
    assert_string_equal(db_err("      a : Array[0..1,0..1,0..1,0..1,0..1,0..1,0..1] of Int;\n", ""),
                        "d.db:4:47: an Array has at most 6 dimensions");
    assert_string_equal(db_err("      a : Array[0..1000000] of Bool;\n", ""),
                        "d.db:4:17: the Array has more than 1000000 elements");
    assert_string_equal(db_err("      a : Array[0..9999999999] of Bool;\n", ""),
                        "d.db:4:20: array bound out of range");
    assert_string_equal(db_err("      a : Array[*] of Bool;\n", ""),
                        "d.db:4:11: a reference (Variant, Array[*], Block_DB ...) is only allowed "
                        "as an FB parameter");
    assert_string_equal(db_err("      a : Variant;\n", ""),
                        "d.db:4:11: a reference (Variant, Array[*], Block_DB ...) is only allowed "
                        "as an FB parameter");
    assert_string_equal(db_err("      a : Array[0..1] Bool;\n", ""),
                        "d.db:4:23: expected 'of' after the array bounds");
    assert_string_equal(db_err("      a : Int;\n      A : Bool;\n", ""), "d.db:5:7: duplicate member name 'A'");
    assert_string_equal(db_err("      a : Int;\n", "   a := 1\n"), "d.db:8:1: expected ';' after the start value");
    assert_string_equal(db_err("      a : Int;\n", "   a = 1;\n"),
                        "d.db:7:6: expected ':=' after the name in the BEGIN section");

    assert_string_equal(err1("x.db", "hello"),
                        "x.db:1:1: expected TYPE, DATA_BLOCK or FUNCTION_BLOCK");
    assert_string_equal(err1("x.scl", "FUNCTION_BLOCK \"F\"\nBEGIN\n x := 1;\n"),
                        "x.scl:4:1: expected END_FUNCTION_BLOCK");
    assert_string_equal(err1("x.scl", "FUNCTION \"F\" : Void\nBEGIN\n"),
                        "x.scl:1:1: FUNCTION without END_FUNCTION");
    assert_string_equal(err1("x.scl", "FUNCTION_BLOCK \"F\"\nVAR_INPUT\n a : Int\nEND_VAR\n"
                                      "BEGIN\nEND_FUNCTION_BLOCK\n"),
                        "x.scl:4:1: expected ';' after the declaration of 'a'");
    assert_string_equal(err1("x.db", "DATA_BLOCK \"D\"\nVAR\n a : Int;\nEND_VAR\nBEGIN\n a := 1;\n"),
                        "x.db:7:1: expected END_DATA_BLOCK");
    assert_string_equal(err1("x.db", "DATA_BLOCK \"D\"\nVAR\n a : Int;\nEND_VAR\n"),
                        "x.db:5:1: expected BEGIN");
    assert_string_equal(err1("x.db", "DATA_BLOCK \"D\"\nVAR CONSTANT\n a : Int;\nEND_VAR\nBEGIN\nEND_DATA_BLOCK\n"),
                        "x.db:2:5: VAR CONSTANT is not allowed in a data block");
    assert_string_equal(err1("x.db", "DATA_BLOCK \"D\"\nVERSION 0.1\nBEGIN\nEND_DATA_BLOCK\n"),
                        "x.db:2:9: expected ':' after VERSION");
    assert_string_equal(err1("x.db", "DATA_BLOCK \"D\"\n{ S7_Optimized_Access = 'TRUE' }\nBEGIN\nEND_DATA_BLOCK\n"),
                        "x.db:2:23: expected ':=' after the attribute name");
    assert_string_equal(err1("x.db", "DATA_BLOCK \"D\"\nBEGIN\nEND_DATA_BLOCK\n"),
                        "x.db:2:1: expected VAR, STRUCT or the name of a PLC data type");
    assert_string_equal(err1("x.udt", "TYPE \"U\"\nVERSION : 0.1\n  STRUCT\n  a : Int;\n  END_STRUCT;\n"),
                        "x.udt:6:1: expected END_TYPE");
    assert_string_equal(err1("x.udt", "TYPE \"U\"\n  a : Int;\nEND_TYPE\n"), "x.udt:2:3: expected STRUCT");
    assert_string_equal(err1("x.udt", "TYPE \"U\"\nSTRUCT\n  a : Int;\n"), "x.udt:4:1: expected END_STRUCT");
}

static void test_instance_db(void **state)
{
    (void)state;
    assert_string_equal(err1("FB_x_DB.db", "DATA_BLOCK \"FB_x_DB\"\n{ S7_Optimized_Access := 'TRUE' }\n"
                                           "VERSION : 0.1\nNON_RETAIN\n\"FB_x\"\n\nBEGIN\n\nEND_DATA_BLOCK\n"),
                        "FB_x_DB.db:5:1: \"FB_x\" is not a PLC data type or function block of "
                        "this program");
    assert_string_equal(err1("t.db", "DATA_BLOCK \"t\"\nNON_RETAIN\nIEC_TIMERX\nBEGIN\nEND_DATA_BLOCK\n"),
                        "t.db:3:1: unknown data type 'IEC_TIMERX'");
    assert_string_equal(err1("t.db", "DATA_BLOCK \"t\"\nNON_RETAIN\nInt\nBEGIN\nEND_DATA_BLOCK\n"),
                        "t.db:3:1: expected VAR, STRUCT, a PLC data type or an FB");
}

static void test_value_errors(void **state)
{
    (void)state;
    static const struct { const char *decl, *err; } cases[] = {
        {"b : Byte := 256;", "d.db:4:19: 256 is out of range for Byte (16#00..16#FF)"},
        {"b : Int := -32769;", "d.db:4:18: -32769 is out of range for Int (-32768..32767)"},
        {"b : UInt := -1;", "d.db:4:19: -1 is out of range for UInt (0..65535)"},
        {"b : SInt := 16#1FF;", "d.db:4:19: 16#1FF is out of range for SInt (-128..127)"},
        {"b : ULInt := 18446744073709551616;", "d.db:4:20: 18446744073709551616 is out of range for ULInt (0..18446744073709551615)"},
        {"b : Real := 1.0E39;", "d.db:4:19: 1.0E39 is out of range for Real (about +-3.4028235e+38)"},
        {"b : LReal := 1.0E400;", "d.db:4:20: 1.0E400 is out of range for LReal (about +-1.7976931348623157e+308)"},
        {"b : Int := 'x';", "d.db:4:18: ''x'' is not an integer (Int takes e.g. 42, -5, 16#FF, 2#1010, 8#17)"},
        {"b : Bool := 2;", "d.db:4:19: '2' is not a Bool (true, false, 1 or 0)"},
        {"b : Real := TRUE;", "d.db:4:19: 'TRUE' is not a number (Real takes e.g. 1.5, -2, 1.0e-3)"},
        {"b : Time := D#2024-01-01;", "d.db:4:19: 'D#2024-01-01' is not a duration (Time takes e.g. T#1D_2H, T#-1.5S, 1500)"},
        {"b : Int := [1, 2];", "d.db:4:18: a list of start values needs an Array"},
        {"b : Array[0..1] of Int := 5;", "d.db:4:33: an Array takes a list of start values [a, b, ...]"},
        {"b : Array[0..1] of Int := [1, 2, 3];", "d.db:4:40: too many start values (the Array has 2 elements)"},
        {"b : Array[0..3] of Int := [1, 4(2)];", "d.db:4:37: too many start values (the Array has 4 elements)"},
        {"b : Array[0..3] of Int := [0(2)];", "d.db:4:34: a repetition count must be at least 1"},
        {"b : Array[0..3] of Int := [-1(2)];", "d.db:4:34: a repetition count must be a positive integer"},
        {"b : Array[0..3] of Int := [1; 2];", "d.db:4:35: expected ',' or ']' in a list of start values"},
        {"b : Array[0..3] of Int := [2(1];", "d.db:4:37: expected ')' after a repeated start value"},
        {"b : Char := 'ab';", "d.db:4:19: Char takes one character, 2 given"},
        {"b : Char := '\xE2\x82\xAC';", "d.db:4:19: U+20AC is not in ISO-8859-1 (Char; use a WChar)"},
        {"b : String[4] := 'abcde';", "d.db:4:24: 5 characters exceed String[4]"},
        {"b : String := WSTRING#'\xCE\xA9';", "d.db:4:21: U+03A9 is not in ISO-8859-1 (String holds Latin-1 only; use a WString)"},
        {"b : Int := MAX_SPEED;", "d.db:4:18: expected a start value, found 'MAX_SPEED'"},
        {"b : Int := \"MaxSpeed\";", "d.db:4:18: named constants are not supported as start values"},
        {"b : Int := FOO#1;", "d.db:4:18: 'FOO#' does not fit Int"},
        {"b : Int := 3#12;", "d.db:4:18: '3#12' is not an integer (Int takes e.g. 42, -5, 16#FF, 2#1010, 8#17)"},
        {"b : Int := 16#FG;", "d.db:4:18: '16#FG' is not an integer (Int takes e.g. 42, -5, 16#FF, 2#1010, 8#17)"},
        {"b : Time := T#5X;", "d.db:4:19: T#5X: unknown unit 'X' (D, H, M, S, MS, US, NS)"},
        {"b : Time := T#5S3M;", "d.db:4:19: T#5S3M: units must go from largest to smallest (D H M S MS US NS)"},
        {"b : Time := T#1US;", "d.db:4:19: T#1US is not a whole number of milliseconds (Time counts ms)"},
        {"b : Time := T#25D;", "d.db:4:19: T#25D is out of range for Time (T#-24D_20H_31M_23S_648MS..T#24D_20H_31M_23S_647MS)"},
        {"b : S5Time := S5T#-1S;", "d.db:4:21: S5T#-1S: S5Time cannot be negative"},
        {"b : S5Time := S5T#3H;", "d.db:4:21: S5T#3H is out of range for S5Time (S5T#0MS..S5T#2H_46M_30S)"},
        {"b : LTime := LT#106752D;", "d.db:4:20: LT#106752D is out of range for LTime (LT#-106751D_23H_47M_16S_854MS_775US_808NS..LT#106751D_23H_47M_16S_854MS_775US_807NS)"},
        {"b : Date := D#2023-02-29;", "d.db:4:19: D#2023-02-29 is not a valid date"},
        {"b : Date := D#1989-12-31;", "d.db:4:19: D#1989-12-31 is out of range for Date (D#1990-01-01..D#2169-06-06)"},
        {"b : Date := D#2169-06-07;", "d.db:4:19: D#2169-06-07 is out of range for Date (D#1990-01-01..D#2169-06-06)"},
        {"b : TOD := TOD#24:00:00;", "d.db:4:18: TOD#24:00:00 is not a time of day (hours 0..23, minutes and seconds 0..59)"},
        {"b : TOD := TOD#12:00:00.0001;", "d.db:4:18: TOD#12:00:00.0001 is finer than 1 ms (Time_Of_Day counts ms; use an LTOD)"},
        {"b : DT := DT#2090-01-01-00:00:00;", "d.db:4:17: DT#2090-01-01-00:00:00 is out of range for Date_And_Time (DT#1990-01-01-00:00:00.000..DT#2089-12-31-23:59:59.999)"},
        {"b : DT := DT#2024-01-01 12:00:00;", "d.db:4:31: expected ';' after the declaration of 'b'"},
        {"b : LDT := LDT#1969-12-31-23:59:59;", "d.db:4:18: LDT#1969-12-31-23:59:59 is out of range for LDT (1970-01-01-00:00:00.000000000..2262-04-11-23:47:16.854775807)"},
        {"b : DTL := DTL#2262-04-11-23:47:16.854775808;", "d.db:4:18: DTL#2262-04-11-23:47:16.854775808 is out of range for DTL (1970-01-01-00:00:00.000000000..2262-04-11-23:47:16.854775807)"},
        {"b : Pointer := 0;", "d.db:4:22: start values of Pointer are not supported"},
        {"b : Int := T#'x';", "d.db:4:18: 'T#' does not fit Int"},
        {"b : WString := WSTRING#5;", "d.db:4:22: a quoted text must follow the prefix in WSTRING#5"},
        {"b : Int := INT#'5';", "d.db:4:18: 'INT#'5'' is not an integer (Int takes e.g. 42, -5, 16#FF, 2#1010, 8#17)"},
        {"b : Int := - x;", "d.db:4:20: expected a number after '-'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char members[256];
        snprintf(members, sizeof members, "      %s\n", cases[i].decl);
        const char *e = db_err(members, "");
        if (strcmp(e, cases[i].err) != 0) fail_msg("%s\n  got:  %s\n  want: %s", cases[i].decl, e, cases[i].err);
    }
}

static void test_begin_errors(void **state)
{
    (void)state;
    static const struct { const char *assign, *err; } cases[] = {
        {"zz := 1;", "d.db:7:4: no member 'zz'"},
        {"arr[3] := 1;", "d.db:7:7: index 3 is out of the bounds 0..2"},
        {"arr[1,1] := 1;", "d.db:7:7: the Array has 1 dimension, not 2"},
        {"s := 1;", "d.db:7:9: start values of a Struct or PLC data type are set per member"},
        {"s.x.y := 1;", "d.db:7:8: no member 'y': Int has no members"},
        {"x[0] := 1;", "d.db:7:5: Int cannot be indexed"},
        {"arr := 5;", "d.db:7:11: an Array takes a list of start values [a, b, ...]"},
        {"arr := [1, 2, 3, 4];", "d.db:7:21: too many start values (the Array has 3 elements)"},
        {"t.YEAR := 1969;", "d.db:7:14: value out of range for DTL element YEAR (1970..2262)"},
        {"t.NANOSECOND := 1000000000;", "d.db:7:20: value out of range for DTL element NANOSECOND (0..999999999)"},
        {"t.MONTH := TRUE;", "d.db:7:15: DTL element MONTH takes an integer 1..12"},
        {"t.YEAR.x := 1;", "d.db:7:11: DTL element YEAR has no members"},
        {"t.CENTURY := 1;", "d.db:7:6: DTL has no element 'CENTURY'"},
        {"x := T#1S;", "d.db:7:9: 'T#' does not fit Int"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char begin[256], members[] = "      x : Int; arr : Array[0..2] of Int; s : Struct x : Int; END_STRUCT; t : DTL;\n";
        snprintf(begin, sizeof begin, "   %s\n", cases[i].assign);
        const char *e = db_err(members, begin);
        if (strcmp(e, cases[i].err) != 0) fail_msg("%s\n  got:  %s\n  want: %s", cases[i].assign, e, cases[i].err);
    }
}

static void test_resolve_errors(void **state)
{
    (void)state;
    assert_string_equal(db_err("      m : \"Nope\";\n", ""), "d.db:4:11: unknown PLC data type \"Nope\"");
    assert_string_equal(db_err("      m : Array[1..2] of \"Nope\";\n", ""),
                        "d.db:4:26: unknown PLC data type \"Nope\"");
    assert_string_equal(db_err("      m : \"Nope\" := 1;\n", ""),
                        "d.db:4:21: start values of a PLC data type are set per member");

    const char *a = "TYPE \"A\"\nSTRUCT\n  b : \"B\";\nEND_STRUCT;\nEND_TYPE\n";
    const char *b = "TYPE \"B\"\nSTRUCT\n  x : Int;\n  a : Array[0..1] of \"A\";\nEND_STRUCT;\nEND_TYPE\n";
    s7t_source rec[2] = {{"b.udt", b, strlen(b)}, {"a.udt", a, strlen(a)}};
    /* b.udt, left without a.udt, then misses "A": both are reported */
    assert_string_equal(load_err(rec, 2, NULL), "a.udt:1:6: PLC data type \"A\" contains itself\n"
                                                "b.udt:4:22: unknown PLC data type \"A\"");
    const char *self = "TYPE \"S\"\nSTRUCT\n  s : \"S\";\nEND_STRUCT;\nEND_TYPE\n";
    assert_string_equal(err1("s.udt", self), "s.udt:1:6: PLC data type \"S\" contains itself");

    const char *u1 = "TYPE \"U\"\nSTRUCT\n  a : Int;\nEND_STRUCT;\nEND_TYPE\n";
    s7t_source dup[2] = {{"u1.udt", u1, strlen(u1)}, {"u2.udt", u1, strlen(u1)}};
    assert_string_equal(load_err(dup, 2, NULL), "u2.udt:1:6: duplicate PLC data type name \"U\"");
    const char *d1 = "DATA_BLOCK \"D\"\nVAR\n a : Int;\nEND_VAR\nBEGIN\nEND_DATA_BLOCK\n";
    const char *d2 = "DATA_BLOCK \"d\"\nVAR\n a : Int;\nEND_VAR\nBEGIN\nEND_DATA_BLOCK\n";
    s7t_source dupdb[2] = {{"x.db", d1, strlen(d1)}, {"y.db", d2, strlen(d2)}};
    assert_string_equal(load_err(dupdb, 2, NULL), "y.db:1:12: duplicate data block name \"d\"");
    const char *n1 = "DATA_BLOCK \"DB5\"\nVAR\n a : Int;\nEND_VAR\nBEGIN\nEND_DATA_BLOCK\n";
    const char *n2 = "DATA_BLOCK \"db5_Two\"\nVAR\n a : Int;\nEND_VAR\nBEGIN\nEND_DATA_BLOCK\n";
    s7t_source num[2] = {{"a.db", n1, strlen(n1)}, {"b.db", n2, strlen(n2)}};
    assert_string_equal(load_err(num, 2, NULL),
                        "b.db:1:12: data blocks \"DB5\" and \"db5_Two\" both have number 5");
}

static void test_tag_errors(void **state)
{
    (void)state;
    static const struct { const char *line, *err; } cases[] = {
        {"a : Bool @ %MW2;", "t.tags:1:12: a Bool needs a bit address like %M10.0"},
        {"a : Int @ %MB2;", "t.tags:1:11: address '%MB2' is 1 bytes wide, Int has 2"},
        {"a : Int @ %M2;", "t.tags:1:11: Int needs a word (W) address"},
        {"a : Real @ %MD2.1;", "t.tags:1:12: malformed address '%MD2.1'"},
        {"a : Bool @ %M2.8;", "t.tags:1:12: malformed address '%M2.8'"},
        {"a : Bool @ %X1.0;", "t.tags:1:12: unknown memory area in '%X1.0' (I, Q, M, T or C)"},
        {"a : Bool @ %M1.0:P;", "t.tags:1:12: ':P' is for I and Q addresses only"},
        {"a : Timer @ %M1.0;", "t.tags:1:13: Timer needs a %T address"},
        {"a : Int @ %T1;", "t.tags:1:11: Int does not fit address '%T1' (Timer: %T, Counter: %C)"},
        {"a : Counter @ %C1 := 5;", "t.tags:1:22: timers and counters take no start value"},
        {"a : Bool %M1.0;", "t.tags:1:10: expected '@' and an address after the type"},
        {"a : Bool @ M1.0;", "t.tags:1:12: expected an address like %MW10 after '@'"},
        {"a : LReal @ %MD0;", "t.tags:1:5: LReal is not allowed in a tag table"},
        {"a : Array[0..1] of Bool @ %M0.0;", "t.tags:1:5: tag tables hold elementary types only"},
        {"a : \"Udt\" @ %M0.0;", "t.tags:1:5: tag tables hold elementary types only"},
        {"a : Bool @ %M0.0", "t.tags:1:17: expected ';' after the tag 'a'"},
        {"a Bool @ %M0.0;", "t.tags:1:3: expected ':' after the tag name"},
        {"a : Int @ %MW0 := 40000;", "t.tags:1:19: 40000 is out of range for Int (-32768..32767)"},
        {"a : Bool @ %M0.0;\nA : Bool @ %M0.1;", "t.tags:2:1: duplicate tag name \"A\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *e = err1("t.tags", cases[i].line);
        if (strcmp(e, cases[i].err) != 0) fail_msg("%s\n  got:  %s\n  want: %s", cases[i].line, e, cases[i].err);
    }
}

/* Nesting: 32 levels load, 33 do not; through UDTs as well. */
static void test_nesting_limit(void **state)
{
    (void)state;
    char *buf = malloc(16384);
    assert_non_null(buf);
    for (int levels = 31; levels <= 32; levels++) {
        size_t o = (size_t)snprintf(buf, 16384, "DATA_BLOCK \"D\"\nVAR\n");
        for (int k = 1; k <= levels; k++) o += (size_t)snprintf(buf + o, 16384 - o, "s%02d : Struct\n", k);
        o += (size_t)snprintf(buf + o, 16384 - o, "x : Int;\n");
        for (int k = 1; k <= levels; k++) o += (size_t)snprintf(buf + o, 16384 - o, "END_STRUCT;\n");
        snprintf(buf + o, 16384 - o, "END_VAR\nBEGIN\nEND_DATA_BLOCK\n");
        if (levels == 31) {
            s7t_program *p = load1("d.db", buf);
            assert_int_equal(s7t_program_db(p, 0)->type->depth, 32);
            s7t_program_free(p);
        } else {
            assert_string_equal(err1("d.db", buf), "d.db:34:7: nesting deeper than 32 levels");
        }
    }
    /* arrays count as a level too */
    snprintf(buf, 16384, "DATA_BLOCK \"D\"\nVAR\n");
    size_t o = strlen(buf);
    for (int k = 1; k <= 40; k++) o += (size_t)snprintf(buf + o, 16384 - o, "s : Array[0..1] of Struct\n");
    assert_string_equal(err1("d.db", buf), "d.db:18:20: nesting deeper than 32 levels");

    /* a chain of UDTs: U01 holds U02 ... each adds a level */
    for (int n = 32; n <= 33; n++) {
        s7t_source src[40];
        static char texts[40][128];
        static char names[40][16];
        for (int k = 1; k <= n; k++) {
            snprintf(names[k - 1], sizeof names[0], "u%02d.udt", k);
            if (k < n)
                snprintf(texts[k - 1], sizeof texts[0], "TYPE \"U%02d\"\nSTRUCT\n  next : \"U%02d\";\nEND_STRUCT;\nEND_TYPE\n", k, k + 1);
            else
                snprintf(texts[k - 1], sizeof texts[0], "TYPE \"U%02d\"\nSTRUCT\n  x : Int;\nEND_STRUCT;\nEND_TYPE\n", k);
            src[k - 1] = (s7t_source){names[k - 1], texts[k - 1], strlen(texts[k - 1])};
        }
        char err[256];
        s7t_program *p = s7t_program_parse(src, (size_t)n, NULL, err, sizeof err);
        if (n == 32) {
            if (!p) fail_msg("%s", err);
            assert_int_equal(s7t_program_udt(p, 0)->type->depth, 32);
            s7t_program_free(p);
        } else {
            assert_null(p);
            assert_string_equal(err, "u01.udt:1:6: PLC data type \"U01\" nests deeper than 32 levels");
        }
    }
    free(buf);
}

static void test_size_limits(void **state)
{
    (void)state;
    /* 1001 x 1000 values through a UDT */
    const char *u = "TYPE \"K\"\nSTRUCT\n  a : Array[1..1000] of Byte;\nEND_STRUCT;\nEND_TYPE\n";
    const char *d = "DATA_BLOCK \"Big\"\nVAR\n  k : Array[0..1000] of \"K\";\nEND_VAR\nBEGIN\nEND_DATA_BLOCK\n";
    s7t_source big[2] = {{"k.udt", u, strlen(u)}, {"big.db", d, strlen(d)}};
    assert_string_equal(load_err(big, 2, NULL), "big.db:1:12: data block \"Big\" has more than 1000000 values");
    const char *u2 = "TYPE \"L\"\nSTRUCT\n  a : Array[1..1000] of \"K\";\n  b : Array[1..1000] of \"K\";\nEND_STRUCT;\nEND_TYPE\n";
    s7t_source bigu[2] = {{"k.udt", u, strlen(u)}, {"l.udt", u2, strlen(u2)}};
    assert_string_equal(load_err(bigu, 2, NULL), "l.udt:1:6: PLC data type \"L\" has more than 1000000 values");

    s7t_limits lim;
    s7t_limits_init(&lim);
    assert_int_equal(lim.max_source_bytes, 16u << 20);
    assert_int_equal(lim.max_depth, 32);
    assert_int_equal(lim.max_db_leaves, 1000000);
    lim.max_source_bytes = 10;
    s7t_source s = {"x.db", "DATA_BLOCK \"D\"", 14};
    assert_string_equal(load_err(&s, 1, &lim), "x.db: file is larger than 10 bytes");

    s7t_limits_init(&lim);
    lim.max_db_leaves = 10;
    const char *t2 = "DATA_BLOCK \"D\" VAR a : Array[0..10] of Bool; END_VAR BEGIN END_DATA_BLOCK";
    s7t_source s2 = {"x.db", t2, strlen(t2)};
    assert_string_equal(load_err(&s2, 1, &lim), "x.db:1:30: the Array has more than 10 elements");

    /* running out of program memory is an error, not a crash */
    s7t_limits_init(&lim);
    lim.max_program_bytes = 4096;
    const char *t3 = "DATA_BLOCK \"D\" VAR a : Array[0..999] of LInt; END_VAR BEGIN END_DATA_BLOCK";
    s7t_source s3 = {"x.db", t3, strlen(t3)};
    const char *e = load_err(&s3, 1, &lim);
    assert_non_null(strstr(e, "out of memory"));
}

static void test_literals_misc(void **state)
{
    (void)state;
    s7t_program *p = load1("d.db",
        "DATA_BLOCK \"D\"\n"
        "VAR\n"
        "  i : Int := 16#FFFF;\n"            /* radix literals are bit patterns */
        "  l : LInt := 16#8000_0000_0000_0000;\n"
        "  r : Real := 5;\n"
        "  t : Time := T#1.5S;\n"
        "  lt : LTime := LT#0.000000001S;\n"
        "  tod : TOD := TOD#7:05;\n"
        "  s : String := '$L$P$R$T$$$'$\"$41$c3';\n"
        "  w : WString := 'plain \xF0\x9F\x98\x80';\n"
        "  ws : WString[2] := WSTRING#'\xF0\x9F\x98\x80';\n"   /* one character, two UTF-16 units */
        "  c : WChar := '\xE2\x82\xAC';\n"
        "  b : Bool := bool#false;\n"
        "  d : Date := date#2000-02-29;\n"
        "  x : Word := WORD#16#ab_cd;\n"
        "  n : SInt := +5;\n"
        "  e : LReal := -1_000.5e-10;\n"
        "  dr : DTL := DTL#1970-01-04-00:00:00;\n"
        "END_VAR\nBEGIN\nEND_DATA_BLOCK\n");
    const s7t_db *d = s7t_program_db(p, 0);
    assert_int_equal(s7t_db_value(d, "i")->i, -1);
    assert_int_equal(s7t_db_value(d, "l")->i, INT64_MIN);
    assert_true(s7t_db_value(d, "r")->r == 5.0);
    assert_int_equal(s7t_db_value(d, "t")->i, 1500);
    assert_int_equal(s7t_db_value(d, "lt")->i, 1);
    assert_int_equal(s7t_db_value(d, "tod")->u, (7 * 3600 + 5 * 60) * 1000);
    assert_string_equal(s7t_db_value(d, "s")->text.p, "\n\f\r\t$'\"A\xC3\x83");
    assert_string_equal(s7t_db_value(d, "w")->text.p, "plain \xF0\x9F\x98\x80");
    assert_int_equal(s7t_db_value(d, "c")->u, 0x20AC);
    assert_int_equal(s7t_db_value(d, "b")->u, 0);
    assert_int_equal(s7t_db_value(d, "d")->u, 3711);   /* 2000-02-29 - 1990-01-01 */
    assert_int_equal(s7t_db_value(d, "x")->u, 0xABCD);
    assert_int_equal(s7t_db_value(d, "n")->i, 5);
    assert_true(s7t_db_value(d, "e")->r == -1000.5e-10);
    assert_int_equal(s7t_db_value(d, "dr")->bytes[4], 1);   /* a Sunday */
    assert_true(d->optimized);                               /* no attribute: optimized */
    assert_int_equal(d->number, 1);
    s7t_program_free(p);

    /* 1 (one UTF-16 unit too many) */
    assert_string_equal(db_err("      ws : WString[1] := WSTRING#'\xF0\x9F\x98\x80';\n", ""),
                        "d.db:4:26: 2 UTF-16 units exceed WString[1]");
    assert_string_equal(db_err("      c : WChar := WCHAR#'\xF0\x9F\x98\x80';\n", ""),
                        "d.db:4:20: U+1F600 does not fit one UTF-16 unit (WChar)");

    /* header odds and ends, comments in all three styles */
    p = load1("h.db",
        "\xEF\xBB\xBF// leading comment\n"
        "DATA_BLOCK DB7 (* unquoted name *)\n"
        "TITLE = some title   \n"
        "{ S7_Optimized_Access := 'false'; Other := x }\n"
        "AUTHOR : 'me'\nFAMILY : fam\nNAME : nm\nVERSION : 2.0\nRETAIN\nREAD_ONLY\nUNLINKED\n"
        "/* block comment */\n"
        "STRUCT\n  a : Int := 1; // trailing\n  // own line, not a member comment\n  b : Int;\nEND_STRUCT\n"
        "BEGIN\nEND_DATA_BLOCK\n");
    d = s7t_program_db(p, 0);
    assert_string_equal(d->name, "DB7");
    assert_int_equal(d->number, 7);
    assert_false(d->optimized);
    assert_true(d->retain);
    assert_true(d->read_only);
    assert_string_equal(d->title, "some title");
    assert_string_equal(d->author, "me");
    assert_string_equal(d->family, "fam");
    assert_string_equal(d->version, "2.0");
    assert_int_equal(d->nattrs, 2);
    assert_string_equal(d->attrs[1].key, "Other");
    assert_string_equal(d->attrs[1].value, "x");
    assert_string_equal(d->type->members[0].comment, "trailing");
    assert_string_equal(d->type->members[1].comment, "");
    assert_true(d->type->members[0].retain);
    s7t_program_free(p);

    /* an empty source and a source of comments are fine */
    p = load1("e.db", "");
    assert_int_equal(s7t_program_db_count(p), 0);
    s7t_program_free(p);
    p = load1("e.db", "// nothing\n(* at all *)\n");
    s7t_program_free(p);
}

static void test_load_dir_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/s7t_test_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[512], want[600];
    assert_null(s7t_program_load_dir(dir, err, sizeof err));
    snprintf(want, sizeof want, "%s: no .udt, .db, .scl or .tags files", dir);
    assert_string_equal(err, want);

    char path[600];
    snprintf(path, sizeof path, "%s/readme.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("ignored", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/bad.DB", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("DATA_BLOCK \"x\"\nVAR\n a : Int\nEND_VAR\n", f);
    fclose(f);
    assert_null(s7t_program_load_dir(dir, err, sizeof err));
    assert_string_equal(err, "bad.DB:4:1: expected ';' after the declaration of 'a'");
    remove(path);
    snprintf(path, sizeof path, "%s/readme.txt", dir);
    remove(path);
    rmdir(dir);

    assert_null(s7t_program_load_dir("/nonexistent/s7t", err, sizeof err));
    assert_string_equal(err, "/nonexistent/s7t: No such file or directory");
    assert_null(s7t_program_load_dir("/nonexistent/s7t", NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_instance_db),
        cmocka_unit_test(test_value_errors),
        cmocka_unit_test(test_begin_errors),
        cmocka_unit_test(test_resolve_errors),
        cmocka_unit_test(test_tag_errors),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_literals_misc),
        cmocka_unit_test(test_load_dir_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

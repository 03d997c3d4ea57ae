/* SPDX-License-Identifier: MIT */
/* The public text functions against the simulator serving examples/plc: every variable is
 * read, printed with s7p_value_text() (TIA form and ISO 8601 form), parsed back with
 * s7p_value_parse() for its tag, and the value must come back equal. Every type that
 * examples/plc declares is covered (the test counts them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <s7plus/s7plus.h>

#include "sim.h"

#ifndef S7P_EXAMPLES_PLC
#error "S7P_EXAMPLES_PLC must name the examples/plc directory"
#endif

static bool scalar_equal(s7p_type t, const s7p_tag_value *a, const s7p_tag_value *b)
{
    switch (t) {
    case S7P_T_BOOL: case S7P_T_BBOOL: return a->v.b == b->v.b;
    case S7P_T_REAL: return memcmp(&a->v.r, &b->v.r, sizeof a->v.r) == 0;
    case S7P_T_LREAL: return memcmp(&a->v.lr, &b->v.lr, sizeof a->v.lr) == 0;
    case S7P_T_STRING: case S7P_T_WSTRING:
        return a->v.str.len == b->v.str.len && memcmp(a->v.str.p, b->v.str.p, a->v.str.len) == 0;
    case S7P_T_POINTER: case S7P_T_ANY: case S7P_T_REMOTE:
        return a->v.raw.len == b->v.raw.len && memcmp(a->v.raw.p, b->v.raw.p, a->v.raw.len) == 0;
    default: return a->v.u == b->v.u;
    }
}

static bool value_equal(const s7p_tag_value *a, const s7p_tag_value *b)
{
    if (a->type != b->type || a->count != b->count) return false;
    if (a->count == 0) return scalar_equal(a->type, a, b);
    for (uint32_t i = 0; i < a->count; i++)
        if (!scalar_equal(a->type, &a->elems[i], &b->elems[i])) return false;
    return true;
}

/* text -> value for the tag, equal to v. */
static void round_trip(const s7p_browse_item *it, const s7p_tag_value *v, unsigned flags)
{
    char *text = NULL, why[256] = "";
    assert_int_equal(s7p_value_text(v, flags, &text), S7P_OK);
    s7p_tag_value back;
    s7p_status st = s7p_value_parse(&it->tag, text, &back, why, sizeof why);
    if (st != S7P_OK) print_error("%s = %s: %s\n", it->symbol, text, why);
    assert_int_equal(st, S7P_OK);
    if (!value_equal(v, &back)) print_error("%s = %s: parsed back to another value\n", it->symbol, text);
    assert_true(value_equal(v, &back));
    s7p_tag_value_clear(&back);
    s7p_text_free(text);
}

static void test_examples_round_trip(void **state)
{
    (void)state;
    s7p_sim_config cfg;
    char err[256] = "";
    s7p_sim_config_init(&cfg);
    cfg.program_dir = S7P_EXAMPLES_PLC;
    s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
    if (!sim) print_error("sim: %s\n", err);
    assert_non_null(sim);

    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = "127.0.0.1";
    o.port = s7p_sim_port(sim);
    s7p_client *c = NULL;
    s7p_error e;
    assert_int_equal(s7p_client_new(&c, &o, &e), S7P_OK);
    assert_int_equal(s7p_connect(c, &e), S7P_OK);
    s7p_browse_result *r = NULL;
    assert_int_equal(s7p_browse_all(c, &r, &e), S7P_OK);
    assert_true(r->count > 100);

    bool seen[256] = {false};
    unsigned types = 0, values = 0;
    for (size_t i = 0; i < r->count; i++) {
        const s7p_browse_item *it = &r->items[i];
        s7p_tag_value v;
        s7p_item_result res;
        assert_int_equal(s7p_read(c, &it->tag, 1, &v, &res, &e), S7P_OK);
        if (res.code != S7P_OK) print_error("%s: %s\n", it->symbol, e.message);
        assert_int_equal(res.code, S7P_OK);
        assert_true(s7p_type_has_text((int)it->tag.type));
        round_trip(it, &v, 0);
        round_trip(it, &v, S7P_TEXT_ISO8601);
        s7p_tag_value_clear(&v);
        values++;
        if (it->tag.type < 256 && !seen[it->tag.type]) {
            seen[it->tag.type] = true;
            types++;
        }
    }
    print_message("%u variables of %u types read, printed and parsed back\n", values, types);
    /* AllTypes.db declares every elementary type: the Siemens types and the id ranges. */
    assert_true(types >= 60);
    s7p_browse_result_free(r);
    s7p_client_free(c);
    s7p_sim_stop(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

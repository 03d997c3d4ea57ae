/* SPDX-License-Identifier: MIT */
/* The I/O-free parts of tag subscriptions (src/services/subscribe.c): when and how far the
 * client raises the credit limit (spec §1.4; the one-byte tick and limit wrap), and the
 * credit-limit write as it goes on the wire (SetVariable of 1053, flags 0x74). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/ids.h"
#include "services/subscribe.h"

static void test_next_credit(void **state)
{
    (void)state;
    int16_t next = 0;
    /* limit 10, step 5: nothing while more than 5 are left */
    assert_false(s7p_sub_next_credit(10, 1, 5, &next));
    assert_false(s7p_sub_next_credit(10, 4, 5, &next));
    assert_true(s7p_sub_next_credit(10, 5, 5, &next));
    assert_int_equal(next, 15);
    /* unlimited, or no step: never */
    assert_false(s7p_sub_next_credit(-1, 200, 5, &next));
    assert_false(s7p_sub_next_credit(10, 9, 0, &next));
    /* near the byte's end the limit wraps within 1..255 (0 would stop the PLC) */
    assert_true(s7p_sub_next_credit(253, 250, 5, &next));
    assert_int_equal(next, 3);
    assert_true(s7p_sub_next_credit(250, 250, 5, &next));
    assert_int_equal(next, 255);
    /* after the wrap the tick (mod 256) is still behind the limit: 253 -> 3 leaves 6 */
    assert_false(s7p_sub_next_credit(3, 253, 5, &next));
    assert_true(s7p_sub_next_credit(3, 254, 5, &next));
    assert_int_equal(next, 8);
    /* a simulated run of 2000 notifications: the PLC (tick != limit, both mod 256) never
     * runs out while each notification is followed by the client's grant */
    int16_t limit = 10;
    uint8_t tick = 0;
    for (int i = 0; i < 2000; i++) {
        assert_true(tick != (uint8_t)limit);  /* the PLC may send */
        tick++;
        if (s7p_sub_next_credit(limit, tick, 5, &next)) limit = next;
        assert_true(limit >= 1 && limit <= 255);
    }
}

static void test_credit_request(void **state)
{
    (void)state;
    s7p_link link;
    s7p_engine e;
    s7p_arena a;
    assert_int_equal(s7p_link_init(&link, -1), S7P_OK);
    s7p_engine_init(&e, &link, NULL, NULL);
    e.props.session_id = 0x70000123u;
    s7p_arena_init(&a, 1u << 20);
    s7p_pdu p;
    assert_true(s7p_sub_credit_request(&e, &p, 0x7000006Au, 15, &a));
    uint8_t buf[256];
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    assert_true(s7p_pdu_encode(&w, &p));
    s7p_pdu d;
    assert_int_equal(s7p_pdu_decode(buf, w.len, S7P_PROTO_V2, &a, &d), S7P_OK);
    assert_int_equal(d.function, S7P_FC_SET_VARIABLE);
    assert_int_equal(d.transport_flags, 0x74);
    assert_int_equal(d.req.set_variable.object_id, 0x7000006Au);
    assert_int_equal(d.req.set_variable.address_count, 1);
    assert_int_equal(d.req.set_variable.addresses[0], S7P_ID_SUBSCRIPTION_CREDIT_LIMIT);
    assert_int_equal(d.req.set_variable.value.type, S7P_DT_INT);
    assert_int_equal(d.req.set_variable.value.v.i, 15);
    assert_true(d.has_iid);
    s7p_arena_release(&a);
    s7p_engine_free(&e);
    s7p_link_free(&link);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_credit),
        cmocka_unit_test(test_credit_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

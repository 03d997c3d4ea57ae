/* SPDX-License-Identifier: MIT */
/* Tag subscriptions in the simulator (sim/subs.c), driven with the raw client (tc.h) and
 * requests built from the spec (docs/protocol.md §12): notifications every cycle with rising
 * sequence numbers, a written value in the next notification, changed-only mode, the credit
 * limit (and the PLC-style answer to its fire-and-forget update), modify, delete, refusals,
 * unknown addresses, the end of a session; and the value generators. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/alarm.h"
#include "proto/subscription.h"
#include "simtest.h"
#include "tc.h"
#include "util/clock.h"

#define CHECK(expr)                                                                             \
    do {                                                                                        \
        s7p_status st_ = (expr);                                                                \
        if (st_ != S7P_OK) fail_msg("%s: %s (%s)", #expr, s7p_strerror(st_), f->t.err);         \
    } while (0)

/* M tags of examples/plc (plant.tags): LIDs 9, 10, ... in table order within the M area. */
#define M_AREA 82u
#define CTRL_AREA_VALUE 3736u
#define LID_SETPOINT 9u        /* Real, MD20 */
#define LID_COUNTER 10u        /* DInt, MD24 */
#define CYCLE_MS 40u
#define QUIET_MS 300u          /* "no notification": nothing within this long */

typedef tc_fixture fx;

static const uint32_t lid_setpoint[] = {LID_SETPOINT}, lid_counter[] = {LID_COUNTER};

static s7p_sim *start(unsigned max_subs)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.program_dir = S7P_EXAMPLES_PLC;
    if (max_subs) cfg.max_subscriptions = max_subs;
    cfg.alarms_file = S7P_EXAMPLES_PLC "/plant.alarms";
    return st_sim_start(&cfg);
}

static int setup_n(void **state, unsigned max_subs)
{
    fx *f = calloc(1, sizeof *f);
    f->sim = start(max_subs);
    *state = f;
    if (!f->sim) return -1;
    return tc_connect_session(&f->t, s7p_sim_port(f->sim)) == S7P_OK ? 0 : -1;
}

static int setup(void **state) { return setup_n(state, 0); }
static int setup_two(void **state) { return setup_n(state, 2); }

static void control(fx *f, const char *line)
{
    char out[512];
    if (!s7p_sim_control(f->sim, line, out, sizeof out)) fail_msg("%s: %s", line, out);
}

/* The next PDU within ms: S7P_E_TIMEOUT when none came (the channel stays usable). */
static s7p_status recv_within(fx *f, unsigned ms, const s7p_pdu **out)
{
    tc *t = &f->t;
    s7p_arena_release(&t->a);
    for (;;) {
        s7p_status st = s7p_channel_recv(&t->ch, &t->a, &t->m, s7p_deadline_in(ms));
        if (st != S7P_OK) return st;
        if (t->m.kind == S7P_MSG_PDU) break;
    }
    *out = &t->m.pdu;
    return S7P_OK;
}

/* Sends a request and returns its answer; notifications that come first are skipped (they
 * are sent between answers, as a PLC does). */
static const s7p_pdu *call(fx *f, const s7p_pdu *p)
{
    const s7p_pdu *r = NULL;  /* -O3 cannot see that CHECK() returns on failure */
    CHECK(tc_send(&f->t, p));
    do CHECK(recv_within(f, 5000, &r));
    while (r->opcode == S7P_OP_NOTIFICATION);
    assert_int_equal(r->function, p->function);
    assert_int_equal(r->seq, p->seq);
    return r;
}

/* Sends a CreateObject of a subscription (RequestId = parent) and returns its answer. */
static const s7p_pdu *create_under(fx *f, uint32_t parent, uint8_t route, uint32_t cycle,
                                   int16_t credit, const s7p_sub_item *items, size_t n)
{
    tc *t = &f->t;
    s7p_pdu p;
    const s7p_pdu *r;
    tc_begin(t, &p, S7P_PROTO_V2, S7P_FC_CREATE_OBJECT, S7P_TF_REQUEST);
    s7p_req_create_object *b = &p.req.create_object;
    b->request_id = parent;
    b->request_value.type = S7P_DT_UDINT;
    b->has_inline_iid = true;
    b->inline_iid = ++t->iid_set;
    s7p_sub_params sp = {S7P_SUB_FIRST_RID, S7P_SUB_FC_VARIABLES, route, cycle, credit,
                         {true, 1, NULL, 0, items, n}, {false, NULL, 0}};
    b->objects.items = s7p_arena_array(&t->a, 1, sizeof *b->objects.items);
    assert_true(s7p_sub_object_build(&t->a, &sp, &b->objects.items[0]));
    b->objects.n = 1;
    r = call(f, &p);
    /* Answers carry request seq + request integrity id. */
    assert_true(r->has_iid);
    assert_int_equal(r->iid, (uint32_t)p.seq + b->inline_iid);
    return r;
}

static uint32_t create(fx *f, uint8_t route, uint32_t cycle, int16_t credit,
                       const s7p_sub_item *items, size_t n)
{
    const s7p_pdu *r = create_under(f, f->t.session2, route, cycle, credit, items, n);
    assert_int_equal(r->ret, 0);
    assert_int_equal(r->resp.create_object.nids, 1);
    uint32_t id = r->resp.create_object.object_ids[0];
    assert_true(id >= S7P_SUB_MODERN_ID);
    return id;
}

static const s7p_notification *notification(fx *f, uint32_t id)
{
    const s7p_pdu *p = NULL;
    CHECK(recv_within(f, 5000, &p));
    assert_int_equal(p->opcode, S7P_OP_NOTIFICATION);
    assert_int_equal(p->notif.object_id, id);
    assert_int_equal(p->notif.unknown2, 0x0400);
    assert_true(p->notif.has_timestamp);
    return &p->notif;
}

static void expect_quiet(fx *f, unsigned ms)
{
    const s7p_pdu *p;
    s7p_status st = recv_within(f, ms, &p);
    if (st == S7P_OK) fail_msg("unexpected PDU opcode 0x%02x", p->opcode);
    assert_int_equal(st, S7P_E_TIMEOUT);
}

static const s7p_notif_item *item_of(const s7p_notification *n, uint32_t ref)
{
    for (const s7p_notif_item *it = n->items.first; it; it = it->next)
        if (it->ref == ref) return it;
    return NULL;
}

static const s7p_sub_item two_items[] = {
    {1, M_AREA, 0, CTRL_AREA_VALUE, lid_setpoint, 1},
    {2, M_AREA, 0, CTRL_AREA_VALUE, lid_counter, 1},
};

static void test_notifies_every_cycle(void **state)
{
    fx *f = *state;
    control(f, "set Counter_Value 7");
    int64_t t0 = s7p_now_ms();
    uint32_t id = create(f, S7P_SUB_ROUTE_CYCLIC_AND_CHANGED, CYCLE_MS, -1, two_items, 2);
    assert_int_equal(s7p_sim_subscriptions(f->sim), 1);
    /* The first one: every item, sequence 1, no credit counting (unlimited). */
    const s7p_notification *n = notification(f, id);
    assert_int_equal(n->seq, 1);
    assert_int_equal(n->credit_tick, 0);
    assert_int_equal(n->change_counter, 1);
    assert_int_equal(n->items.n, 2);
    assert_int_equal(item_of(n, 1)->code, S7P_NI_VALUE);
    assert_int_equal(item_of(n, 1)->value.type, S7P_DT_REAL);
    assert_int_equal(item_of(n, 2)->value.type, S7P_DT_DINT);
    assert_int_equal(item_of(n, 2)->value.v.i, 7);
    uint64_t ts = n->timestamp_us;
    /* Then one per cycle, empty while nothing changes, numbers without a gap. */
    enum { N = 6 };
    for (uint32_t k = 2; k <= N; k++) {
        n = notification(f, id);
        assert_int_equal(n->seq, k);
        assert_int_equal(n->items.n, 0);
        assert_true(n->timestamp_us >= ts);
        ts = n->timestamp_us;
    }
    int64_t took = s7p_now_ms() - t0;
    assert_true(took >= (N - 1) * (int64_t)CYCLE_MS - 5);   /* not faster than the cycle */
    assert_true(took < 20 * N * (int64_t)CYCLE_MS);          /* nor stuck (busy machines) */
    /* A written value is in the very next notification, alone. */
    control(f, "set Counter_Value 42");
    n = notification(f, id);
    assert_int_equal(n->seq, N + 1);
    assert_int_equal(n->items.n, 1);
    assert_int_equal(item_of(n, 2)->value.v.i, 42);
}

static void test_changed_only(void **state)
{
    fx *f = *state;
    uint32_t id = create(f, S7P_SUB_ROUTE_CHANGED_ONLY, CYCLE_MS, -1, two_items, 2);
    const s7p_notification *n = notification(f, id);
    assert_int_equal(n->seq, 1);
    assert_int_equal(n->items.n, 2);
    expect_quiet(f, QUIET_MS);            /* no change, no notification */
    control(f, "set Setpoint 99.5");
    n = notification(f, id);
    assert_int_equal(n->seq, 2);
    assert_int_equal(n->items.n, 1);
    assert_int_equal(item_of(n, 1)->value.type, S7P_DT_REAL);
    assert_true(item_of(n, 1)->value.v.r == 99.5f);
}

/* SetVariable(1053) fire-and-forget, as WinCC sends it; the answer a real PLC gives. */
static void raise_credit(fx *f, uint32_t id, int16_t limit)
{
    tc *t = &f->t;
    s7p_pdu p;
    tc_set_variable_req(t, &p, id, S7P_ID_SUBSCRIPTION_CREDIT_LIMIT, limit);
    p.transport_flags = 0x74;
    p.req.set_variable.value.type = S7P_DT_INT;
    CHECK(tc_send(t, &p));
    const s7p_pdu *r = NULL;
    CHECK(recv_within(f, 5000, &r));
    assert_int_equal(r->opcode, S7P_OP_RESPONSE2);
    assert_int_equal(r->function, S7P_FC_SET_VARIABLE);
    assert_int_equal(r->seq, p.seq);
    assert_int_equal(r->transport_flags, 0x74);
    assert_int_equal(r->ret, 0);
    assert_true(r->has_iid);
    assert_int_equal(r->iid, 0);
}

static void test_credit_limit(void **state)
{
    fx *f = *state;
    uint32_t id = create(f, S7P_SUB_ROUTE_CYCLIC_AND_CHANGED, CYCLE_MS, 3, two_items, 2);
    for (uint32_t k = 1; k <= 3; k++) {
        const s7p_notification *n = notification(f, id);
        assert_int_equal(n->seq, k);
        assert_int_equal(n->credit_tick, k);
    }
    unsigned long no_credit = 1, late;
    s7p_sim_subs_skipped(f->sim, &no_credit, &late);
    assert_int_equal(no_credit, 0);
    expect_quiet(f, QUIET_MS);            /* the tick reached the limit */
    /* Every cycle of the quiet time is counted as a credit stall (some slack for a slow
     * machine: only half of them). */
    s7p_sim_subs_skipped(f->sim, &no_credit, &late);
    assert_true(no_credit >= QUIET_MS / CYCLE_MS / 2);
    control(f, "set Counter_Value 1234"); /* a change waits for credit, it is not lost */
    raise_credit(f, id, 6);
    const s7p_notification *n = notification(f, id);
    assert_int_equal(n->seq, 4);
    assert_int_equal(n->credit_tick, 4);
    assert_non_null(item_of(n, 2));
    assert_int_equal(item_of(n, 2)->value.v.i, 1234);
    assert_int_equal(notification(f, id)->credit_tick, 5);
    assert_int_equal(notification(f, id)->credit_tick, 6);
    expect_quiet(f, QUIET_MS);
    /* A limit of 0 sends nothing; -1 unlimited again. */
    raise_credit(f, id, -1);
    n = notification(f, id);
    assert_int_equal(n->seq, 7);
}

static const s7p_pdu *delete_object(fx *f, uint32_t id)
{
    tc *t = &f->t;
    s7p_pdu p;
    const s7p_pdu *r;
    tc_delete_req(t, &p, id);
    r = call(f, &p);
    assert_int_equal(r->opcode, S7P_OP_RESPONSE);
    return r;
}

static void test_delete_stops(void **state)
{
    fx *f = *state;
    uint32_t id = create(f, S7P_SUB_ROUTE_CYCLIC_AND_CHANGED, CYCLE_MS, -1, two_items, 2);
    notification(f, id);
    const s7p_pdu *r = delete_object(f, id);
    assert_int_equal(r->ret, 0);
    assert_int_equal(r->resp.delete_object.object_id, id);
    assert_int_equal(s7p_sim_subscriptions(f->sim), 0);
    expect_quiet(f, QUIET_MS);
    r = delete_object(f, id);             /* gone */
    assert_int_equal(s7p_ret_code(r->ret), -12);
    /* The session is still usable. */
    const s7p_pdu *a;
    CHECK(tc_get_attr(&f->t, 50, 233, &a));
}

static void test_refused(void **state)
{
    fx *f = *state;
    /* Not under the session's container: refused with the full return value. */
    const s7p_pdu *r = create_under(f, f->t.session, 0x14, CYCLE_MS, -1, two_items, 2);
    assert_true(r->ret != 0);
    assert_int_equal(s7p_ret_code(r->ret), -105);   /* ServiceInvalidObject */
    assert_int_equal(r->resp.create_object.nids, 0);
    /* max_subscriptions 2: the third is refused, a freed slot is usable again. */
    uint32_t a = create(f, 0x20, 1000, -1, two_items, 1);
    create(f, 0x20, 1000, -1, two_items, 1);
    r = create_under(f, f->t.session2, 0x20, 1000, -1, two_items, 1);
    assert_int_equal(s7p_ret_code(r->ret), -501);   /* SystemLimitExceeded */
    assert_int_equal(s7p_sim_subscriptions(f->sim), 2);
    r = delete_object(f, a);
    assert_int_equal(r->ret, 0);
    create(f, 0x20, 1000, -1, two_items, 1);
    /* Out of range: a credit limit above 255. */
    r = create_under(f, f->t.session2, 0x20, 1000, 256, two_items, 1);
    assert_int_equal(s7p_ret_code(r->ret), -61);
}

static void test_unknown_address(void **state)
{
    fx *f = *state;
    static const uint32_t lid_none[] = {999}, db_lids[] = {1};
    const s7p_sub_item items[] = {
        {10, M_AREA, 0, CTRL_AREA_VALUE, lid_counter, 1},
        {11, M_AREA, 0, CTRL_AREA_VALUE, lid_none, 1},      /* no such tag */
        {12, 0x8A0E0FFFu, 0, 2550, db_lids, 1},              /* no such DB */
    };
    uint32_t id = create(f, S7P_SUB_ROUTE_CYCLIC_AND_CHANGED, CYCLE_MS, -1, items, 3);
    const s7p_notification *n = notification(f, id);
    assert_int_equal(n->items.n, 3);
    assert_int_equal(item_of(n, 10)->code, S7P_NI_VALUE);
    assert_int_equal(item_of(n, 11)->code, S7P_NI_ERROR_1500);
    assert_int_equal(item_of(n, 12)->code, S7P_NI_ERROR_1500);
    /* Reported once, not every cycle. */
    assert_int_equal(notification(f, id)->items.n, 0);
}

static void test_modify(void **state)
{
    fx *f = *state;
    tc *t = &f->t;
    uint32_t id = create(f, S7P_SUB_ROUTE_CYCLIC_AND_CHANGED, CYCLE_MS, -1, two_items, 1);
    notification(f, id);
    /* SetMultiVariables of 1048: drop ref 1, add ref 7 (Counter_Value), change counter 2. */
    s7p_pdu p;
    tc_begin(t, &p, S7P_PROTO_V2, S7P_FC_SET_MULTI_VARIABLES, S7P_TF_REQUEST);
    s7p_req_set_multi *b = &p.req.set_multi;
    b->object_id = id;
    b->item_count = b->nids = 1;
    b->ids = s7p_arena_array(&t->a, 1, sizeof *b->ids);
    b->ids[0] = S7P_ID_SUBSCRIPTION_REFERENCE_LIST;
    static const uint32_t drop[] = {1};
    const s7p_sub_item add = {7, M_AREA, 0, CTRL_AREA_VALUE, lid_counter, 1};
    s7p_sub_refs refs = {false, 2, drop, 1, &add, 1};
    assert_true(s7p_sub_refs_to_value(&refs, &t->a, s7p_idlist_add(&b->values, &t->a, 1)));
    s7p_qualifier_default(&p.qualifier, &t->a);
    p.has_iid = true;
    p.iid = ++t->iid_set;
    const s7p_pdu *r = call(f, &p);
    assert_int_equal(r->ret, 0);
    assert_int_equal(r->resp.set_multi.errors.n, 0);
    const s7p_notification *n = notification(f, id);
    assert_int_equal(n->change_counter, 2);
    assert_int_equal(n->items.n, 1);
    assert_non_null(item_of(n, 7));
    control(f, "set Setpoint 3.25");      /* no longer subscribed */
    assert_int_equal(notification(f, id)->items.n, 0);
    /* SetVariable of 1049: a long cycle, then nothing for a while. */
    tc_set_variable_req(t, &p, id, S7P_ID_SUBSCRIPTION_CYCLE_TIME, 60000);
    r = call(f, &p);
    assert_int_equal(r->ret, 0);
    expect_quiet(f, QUIET_MS);
}

static void test_session_end_frees(void **state)
{
    fx *f = *state;
    create(f, S7P_SUB_ROUTE_CYCLIC_AND_CHANGED, CYCLE_MS, -1, two_items, 2);
    create(f, S7P_SUB_ROUTE_CHANGED_ONLY, CYCLE_MS, 5, two_items, 1);
    assert_int_equal(s7p_sim_subscriptions(f->sim), 2);
    tc_close(&f->t);
    int64_t end = s7p_deadline_in(5000);
    while (s7p_sim_subscriptions(f->sim) != 0 && s7p_now_ms() < end) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(s7p_sim_subscriptions(f->sim), 0);
}

/* Polls the control channel until SYMBOL's value differs from `before`. */
static void wait_change(fx *f, const char *symbol, char *before, size_t len)
{
    char cmd[128], now[128];
    snprintf(cmd, sizeof cmd, "get %s", symbol);
    int64_t end = s7p_deadline_in(5000);
    do {
        assert_true(s7p_sim_control(f->sim, cmd, now, sizeof now));
        if (strcmp(now, before) != 0) {
            snprintf(before, len, "%s", now);
            return;
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    } while (s7p_now_ms() < end);
    fail_msg("%s stays %s", symbol, before);
}

static void test_generators(void **state)
{
    fx *f = *state;
    char err[256];
    assert_true(s7p_sim_generate(f->sim, "Counter_Value", "counter:20:5", err, sizeof err));
    /* A changed-only subscription sees every generated value: +5 each time. */
    const s7p_sub_item it = {1, M_AREA, 0, CTRL_AREA_VALUE, lid_counter, 1};
    uint32_t id = create(f, S7P_SUB_ROUTE_CHANGED_ONLY, 10, -1, &it, 1);
    int64_t last = notification(f, id)->items.first->value.v.i;
    for (int k = 0; k < 4; k++) {
        const s7p_notification *n = notification(f, id);
        assert_int_equal(n->items.n, 1);
        int64_t v = n->items.first->value.v.i;
        assert_int_equal((v - last) % 5, 0);
        assert_true(v > last);
        last = v;
    }
    /* The other kinds through the control channel; each one changes its variable. */
    control(f, "generate Setpoint sine:10:50:0:8");
    control(f, "generate Heartbeat toggle:10");
    control(f, "generate Flags random:10:3");
    assert_int_equal(s7p_sim_generator_count(f->sim), 4);
    static const char *const sym[] = {"Setpoint", "Heartbeat", "Flags"};
    for (int i = 0; i < 3; i++) {
        char v[128] = "";
        wait_change(f, sym[i], v, sizeof v);
        wait_change(f, sym[i], v, sizeof v);
    }
    /* Refusals: a kind that does not fit, an unknown kind, an unknown symbol; off. */
    char out[256];
    assert_false(s7p_sim_control(f->sim, "generate Heartbeat counter", out, sizeof out));
    assert_false(s7p_sim_control(f->sim, "generate Setpoint square:10", out, sizeof out));
    assert_false(s7p_sim_control(f->sim, "generate Nothing counter", out, sizeof out));
    assert_true(s7p_sim_generate_arg(f->sim, "Counter_Value=off", err, sizeof err));
    assert_int_equal(s7p_sim_generator_count(f->sim), 3);
}

/* ---- alarm subscriptions (docs/protocol.md §11.7) ---- */

static uint32_t create_alarm_sub(fx *f, const uint32_t *lcids, size_t n, int16_t credit)
{
    tc *t = &f->t;
    s7p_pdu p;
    tc_begin(t, &p, S7P_PROTO_V2, S7P_FC_CREATE_OBJECT, S7P_TF_REQUEST);
    s7p_req_create_object *b = &p.req.create_object;
    b->request_id = t->session2;
    b->request_value.type = S7P_DT_UDINT;
    b->has_inline_iid = true;
    b->inline_iid = ++t->iid_set;
    s7p_sub_params sp = {.rel_id = S7P_SUB_FIRST_RID, .function_class = S7P_SUB_FC_ALARMS,
                         .route_mode = S7P_SUB_ROUTE_ALARM, .credit_limit = credit,
                         .refs = {.create = true, .change_counter = 1},
                         .alarm = {true, lcids, n}};
    b->objects.items = s7p_arena_array(&t->a, 1, sizeof *b->objects.items);
    assert_true(s7p_sub_object_build(&t->a, &sp, &b->objects.items[0]));
    b->objects.n = 1;
    const s7p_pdu *r = call(f, &p);
    assert_int_equal(r->ret, 0);
    assert_int_equal(r->resp.create_object.nids, 1);
    return r->resp.create_object.object_ids[0];
}

/* The DAI of an alarm notification: header, empty value list, part 2 with the same id and
 * one object (item 0x81). */
static void alarm_notification(fx *f, uint32_t id, s7p_dai *d)
{
    const s7p_notification *n = notification(f, id);
    assert_int_equal(n->items.n, 0);
    assert_true(n->has_part2);
    assert_int_equal(n->object_id2, id);
    assert_int_equal(n->items2.n, 1);
    assert_int_equal(n->items2.first->code, S7P_NI_OBJECT);
    assert_int_equal(n->items2.first->object->class_id, S7P_ID_DAI_CLASS);
    char why[160];
    assert_int_equal(s7p_dai_decode(n->items2.first->object, &f->t.a, d, why, sizeof why), S7P_OK);
}

static void test_alarm_subscription(void **state)
{
    fx *f = *state;
    static const uint32_t german[] = {1031};
    uint32_t id = create_alarm_sub(f, german, 1, 2);
    assert_int_equal(s7p_sim_subscriptions(f->sim), 1);
    expect_quiet(f, QUIET_MS);  /* nothing until an alarm changes */
    control(f, "alarm raise 1 4 50.5");
    s7p_dai d;
    alarm_notification(f, id, &d);
    assert_true(d.coming.present);
    assert_false(d.going.present);
    assert_int_equal(d.cpu_alarm_id >> 16 & 0xFFFF, 1);
    assert_true(d.ntexts > 0);
    for (uint32_t i = 0; i < d.ntexts; i++) assert_int_equal(d.texts[i].key >> 16, 1031);
    uint32_t seq1 = d.sequence_counter;
    control(f, "alarm ack 1");
    alarm_notification(f, id, &d);
    assert_true(d.coming.present && d.coming.ack_timestamp != 0);
    assert_true(d.sequence_counter > seq1);
    /* Credit 2 is used up: the next change is not sent, also not later. */
    control(f, "alarm clear 1");
    expect_quiet(f, QUIET_MS);
    raise_credit(f, id, 10);
    control(f, "alarm raise 3");
    alarm_notification(f, id, &d);
    assert_int_equal(d.cpu_alarm_id >> 16 & 0xFFFF, 3);
    /* Delete: no more notifications, the slot is free. */
    const s7p_pdu *r = delete_object(f, id);
    assert_int_equal(r->ret, 0);
    assert_int_equal(s7p_sim_subscriptions(f->sim), 0);
    control(f, "alarm clear 3");
    expect_quiet(f, QUIET_MS);
    /* No language filter. */
    id = create_alarm_sub(f, NULL, 0, -1);
    control(f, "alarm raise 2");
    alarm_notification(f, id, &d);  /* no filter: every language */
    bool en = false, de = false;
    for (uint32_t i = 0; i < d.ntexts; i++) {
        en |= d.texts[i].key >> 16 == 1033;
        de |= d.texts[i].key >> 16 == 1031;
    }
    assert_true(en && de);
}

/* A benchmark's worth of generators: 1 000 variables that all change, more than the 256 the
 * store once held. */
static void test_many_generators(void **state)
{
    (void)state;
    enum { N = 1000 };
    static char text[N * 24 + 256];
    char dir[256], sym[64], err[256];
    size_t len = (size_t)snprintf(text, sizeof text, "DATA_BLOCK \"DB1_Many\"\n"
                                  "{ S7_Optimized_Access := 'TRUE' }\nVERSION : 0.1\n"
                                  "NON_RETAIN\n   STRUCT\n");
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "      v%d : DInt;\n", i);
    snprintf(text + len, sizeof text - len, "   END_STRUCT;\nBEGIN\nEND_DATA_BLOCK\n");
    fx f = {.sim = st_sim_start_source(dir, sizeof dir, "gens", "DB1_Many.db", text, 0)};
    assert_non_null(f.sim);
    for (int i = 0; i < N; i++) {
        snprintf(sym, sizeof sym, "\"DB1_Many\".v%d", i);
        if (!s7p_sim_generate(f.sim, sym, "counter:10", err, sizeof err)) fail_msg("%s", err);
    }
    assert_int_equal(s7p_sim_generator_count(f.sim), N);
    char v0[128] = "ok 0", vlast[128] = "ok 0";
    wait_change(&f, "\"DB1_Many\".v0", v0, sizeof v0);
    wait_change(&f, "\"DB1_Many\".v999", vlast, sizeof vlast);
    st_sim_stop_source(f.sim, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_notifies_every_cycle, setup, tc_teardown),
        cmocka_unit_test_setup_teardown(test_changed_only, setup, tc_teardown),
        cmocka_unit_test_setup_teardown(test_credit_limit, setup, tc_teardown),
        cmocka_unit_test_setup_teardown(test_delete_stops, setup, tc_teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup_two, tc_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_address, setup, tc_teardown),
        cmocka_unit_test_setup_teardown(test_modify, setup, tc_teardown),
        cmocka_unit_test_setup_teardown(test_session_end_frees, setup, tc_teardown),
        cmocka_unit_test_setup_teardown(test_generators, setup, tc_teardown),
        cmocka_unit_test_setup_teardown(test_alarm_subscription, setup, tc_teardown),
        cmocka_unit_test(test_many_generators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

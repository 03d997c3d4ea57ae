/* SPDX-License-Identifier: MIT */
/* The CreateObject (session) answer against what real CPUs sent: for each real capture, the
 * simulator is started with that CPU's order number and firmware, a session is created with
 * the raw client (tc.h), and its answer is compared field by field with the captured one:
 * return value, transport flags, number of object ids, the object header, every attribute
 * in order with its type and value, every member of ServerSessionVersion. Only what is
 * random or names the capture's session differs: the object ids, the 20 challenge bytes and
 * the S7-1200's project number in ProjectPAOMString ("2;<n>"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pcap_streams.h"
#include "proto/frame.h"
#include "simtest.h"
#include "tc.h"

#define ATTR_CHALLENGE 303u
#define MEMBER_PROJECT_PAOM_STRING 320u

typedef struct capture_case {
    const char *file;
    const char *order_number, *firmware;
    uint64_t ret;            /* the captured return value, checked before comparing */
} capture_case;

static const capture_case cases[] = {
    {"s7-1200-hmi.pcap", "6ES7 211-1BE31-0XB0", "V3.0", 17},
    {"S7-1200-Uploading-OB1-TIAV12.pcap", "6ES7 214-1HE30-0XB0", "V2.2", 17},
    {"V13_1200_TP1200sim_MW100_Int_SPS_5s_MW102_Int_SPS_10s_MW102_ab_1000_Timer_sync.pcapng",
     "6ES7 214-1HE30-0XB0", "V2.2", 17},
    {"S7-1511_db3_var1_HMI.pcap", "6ES7 511-1AK00-0AB0", "V1.0", 0},
    {"S7-1511-opc-request-all-types.pcap", "6ES7 511-1AK00-0AB0", "V1.0", 0},
};

/* The first session CreateObject answer of the capture, decoded into `pdu` (arena `a`). */
static void captured_answer(const capture_case *c, s7p_arena *a, s7p_pdu *pdu)
{
    char path[1024], err[256];
    s7p_pcap_streams *s = NULL;
    snprintf(path, sizeof path, "%s/%s", S7P_CAPTURE_DIR, c->file);
    assert_int_equal(s7p_pcap_streams_load(path, &s, err, sizeof err), S7P_PCAP_OK);
    bool found = false;
    for (size_t i = 0; i < s->tpkt_count && !found; i++) {
        const s7p_pcap_tpkt *tp = &s->tpkts[i];
        if (tp->from_client || tp->len < 8 || tp->bytes[5] != 0xF0) continue;
        size_t hdr = 4u + 1u + tp->bytes[4];
        s7p_frame f;
        size_t used;
        if (s7p_frame_parse(tp->bytes + hdr, tp->len - hdr, &f, &used) != S7P_OK ||
            f.version != S7P_PROTO_V1 || !f.has_trailer)
            continue;
        /* The answer's data part is copied: the capture is freed below. */
        uint8_t *copy = s7p_arena_alloc(a, f.data.n);
        assert_non_null(copy);
        memcpy(copy, f.data.p, f.data.n);
        assert_int_equal(s7p_pdu_decode(copy, f.data.n, f.version, a, pdu), S7P_OK);
        found = pdu->opcode == S7P_OP_RESPONSE && pdu->function == S7P_FC_CREATE_OBJECT;
    }
    s7p_pcap_streams_free(s);
    assert_true(found);
}

static void same_value(const capture_case *c, uint32_t id, const s7p_value *got,
                       const s7p_value *want);

static void same_struct(const capture_case *c, const s7p_struct *got, const s7p_struct *want)
{
    assert_int_equal(got->id, want->id);
    assert_int_equal(got->members.n, want->members.n);
    const s7p_member *g = got->members.first, *w = want->members.first;
    for (; g && w; g = g->next, w = w->next) {
        assert_int_equal(g->id, w->id);
        same_value(c, g->id, &g->value, &w->value);
    }
}

static bool digits(s7p_bytes b, size_t from)
{
    if (b.n <= from) return false;
    for (size_t i = from; i < b.n; i++)
        if (b.p[i] < '0' || b.p[i] > '9') return false;
    return true;
}

static void same_value(const capture_case *c, uint32_t id, const s7p_value *got,
                       const s7p_value *want)
{
    if (got->type != want->type || got->flags != want->flags || got->count != want->count)
        fail_msg("%s: %u: type/flags/count %u/%u/%u, captured %u/%u/%u", c->file, id, got->type,
                 got->flags, got->count, want->type, want->flags, want->count);
    switch (got->type) {
    case S7P_DT_STRUCT: same_struct(c, got->v.st, want->v.st); return;
    case S7P_DT_WSTRING:
    case S7P_DT_USINT:
        if (id == ATTR_CHALLENGE) {  /* 20 random bytes */
            assert_int_equal(got->v.s.n, want->v.s.n);
            return;
        }
        if (id == MEMBER_PROJECT_PAOM_STRING && want->v.s.n > 2 && memcmp(want->v.s.p, "2;", 2) == 0) {
            /* An S7-1200's project number: any "2;<digits>". */
            assert_true(got->v.s.n > 2 && memcmp(got->v.s.p, "2;", 2) == 0 && digits(got->v.s, 2));
            return;
        }
        if (got->v.s.n != want->v.s.n || memcmp(got->v.s.p, want->v.s.p, got->v.s.n) != 0)
            fail_msg("%s: %u: \"%.*s\", captured \"%.*s\"", c->file, id, (int)got->v.s.n,
                     (const char *)got->v.s.p, (int)want->v.s.n, (const char *)want->v.s.p);
        return;
    default:
        if (got->v.u != want->v.u)
            fail_msg("%s: %u: %llu, captured %llu", c->file, id, (unsigned long long)got->v.u,
                     (unsigned long long)want->v.u);
    }
}

static void same_object(const capture_case *c, const s7p_object *got, const s7p_object *want)
{
    assert_int_equal(got->rel_id, want->rel_id);
    assert_int_equal(got->class_id, want->class_id);
    assert_int_equal(got->class_flags, want->class_flags);
    assert_int_equal(got->attr_id, want->attr_id);
    if (got->nelems != want->nelems) fail_msg("%s: %u elements, captured %u", c->file, got->nelems, want->nelems);
    const s7p_obj_elem *g = got->first, *w = want->first;
    for (; g && w; g = g->next, w = w->next) {
        assert_int_equal(g->tag, w->tag);
        assert_int_equal(g->tag, S7P_EL_ATTRIBUTE);  /* the captured answers hold only these */
        if (g->u.attr.id != w->u.attr.id)
            fail_msg("%s: attribute %u where the CPU sent %u", c->file, g->u.attr.id, w->u.attr.id);
        same_value(c, g->u.attr.id, &g->u.attr.value, &w->u.attr.value);
    }
}

static void test_answer(void **state)
{
    const capture_case *c = *state;
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_pdu want;
    captured_answer(c, &a, &want);
    assert_int_equal(want.ret, c->ret);

    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.order_number = c->order_number;
    cfg.firmware = c->firmware;
    s7p_sim *sim = st_sim_start(&cfg);
    tc t;
    const s7p_pdu *got;
    assert_int_equal(tc_open(&t, s7p_sim_port(sim), NULL), S7P_OK);
    t.seq = 0;  /* in clear, as these firmwares talk: the CreateObject is request 1 */
    assert_int_equal(tc_create_session(&t, &got), S7P_OK);
    if (got->ret != want.ret)
        fail_msg("%s: return value %#llx, captured %#llx", c->file, (unsigned long long)got->ret,
                 (unsigned long long)want.ret);
    assert_int_equal(got->version, want.version);
    assert_int_equal(got->transport_flags, want.transport_flags);
    assert_int_equal(got->has_iid, want.has_iid);
    assert_int_equal(got->resp.create_object.nids, want.resp.create_object.nids);
    assert_int_equal(got->resp.create_object.objects.n, 1);
    assert_int_equal(want.resp.create_object.objects.n, 1);
    same_object(c, got->resp.create_object.objects.items[0], want.resp.create_object.objects.items[0]);
    tc_close(&t);
    s7p_sim_stop(sim);
    s7p_arena_release(&a);
}

int main(void)
{
    struct CMUnitTest tests[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(test_answer, (void *)&cases[i]);
        tests[i].name = cases[i].file;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

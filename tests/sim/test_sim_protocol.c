/* SPDX-License-Identifier: MIT */
/* The simulator driven request by request with the shared layers: every field of every
 * answer of the TLS connect sequence, CPU information, errors, TSAP check, session limit. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/vlq.h"
#include "simtest.h"
#include "tc.h"
#include "util/clock.h"

#define CHECK(expr)                                                                             \
    do {                                                                                        \
        s7p_status st_ = (expr);                                                                \
        if (st_ != S7P_OK) fail_msg("%s: %s (%s)", #expr, s7p_strerror(st_), t.err);            \
    } while (0)

/* "32 00 'ab'": hex byte pairs and quoted ASCII; returns the length. */
static size_t hex(const char *spec, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = spec; *p;) {
        if (*p == ' ') {
            p++;
        } else if (*p == '\'') {
            for (p++; *p && *p != '\''; p++) {
                assert_true(n < cap);
                out[n++] = (uint8_t)*p;
            }
            p++;
        } else {
            unsigned v;
            assert_int_equal(sscanf(p, "%2x", &v), 1);
            assert_true(n < cap);
            out[n++] = (uint8_t)v;
            p += 2;
        }
    }
    return n;
}

static void assert_raw(const tc *t, const char *spec)
{
    uint8_t want[1024];
    size_t n = hex(spec, want, sizeof want);
    if (t->m.raw_len != n || memcmp(t->m.raw, want, n) != 0) {
        for (size_t i = 0; i < t->m.raw_len; i++) fprintf(stderr, "%02x ", t->m.raw[i]);
        fprintf(stderr, "\n");
    }
    assert_int_equal(t->m.raw_len, n);
    assert_memory_equal(t->m.raw, want, n);
}

static void assert_header(const s7p_pdu *r, uint8_t version, uint16_t fc, uint16_t seq,
                          uint8_t flags, uint64_t ret)
{
    assert_int_equal(r->version, version);
    assert_int_equal(r->opcode, S7P_OP_RESPONSE);
    assert_int_equal(r->reserved1, 0);
    assert_int_equal(r->reserved2, 0);
    assert_int_equal(r->function, fc);
    assert_int_equal(r->seq, seq);
    assert_int_equal(r->transport_flags, flags);
    assert_int_equal(r->ret, ret);
    assert_false(r->has_digest);
    assert_int_equal(r->fill_len, 4);
}

static bool bytes_eq(s7p_bytes b, const char *s)
{
    return b.n == strlen(s) && memcmp(b.p, s, b.n) == 0;
}

static int setup_sim(void **state)
{
    *state = st_sim_start(NULL);
    return *state ? 0 : -1;
}

static int teardown_sim(void **state)
{
    s7p_sim_stop(*state);
    return 0;
}

/* ---- the connect sequence ---- */

static void step_init_ssl(tc *tp, const s7p_sim *sim)
{
    s7p_pdu p;
    const s7p_pdu *r;
    tc_begin(tp, &p, S7P_PROTO_V1, S7P_FC_INIT_SSL, S7P_TF_INIT_SSL);
    assert_int_equal(tc_call(tp, &p, &r), S7P_OK);
    assert_header(r, S7P_PROTO_V1, S7P_FC_INIT_SSL, 1, 0x30, 0);
    assert_false(r->has_iid);
    assert_raw(tp, "32 0000 05B3 0000 0001 30 00 00000000");
    s7p_tls_config cfg = {0};
    cfg.verify = S7P_TLS_VERIFY_PIN;
    memcpy(cfg.pin_sha256, s7p_sim_cert_sha256(sim), 32);
    tp->tls = s7p_tls_ctx_new(&cfg, tp->err, sizeof tp->err);
    assert_non_null(tp->tls);
    assert_int_equal(s7p_channel_start_tls(&tp->ch, tp->tls, s7p_deadline_in(5000)), S7P_OK);
    assert_non_null(strstr(s7p_tls_cipher(tp->ch.tls), "GCM"));
}

static void check_session_version(const s7p_value *v)
{
    assert_int_equal(v->type, S7P_DT_STRUCT);
    assert_int_equal(v->flags, 0);
    assert_int_equal(v->v.st->id, 314);
    const s7p_idlist *m = &v->v.st->members;
    assert_int_equal(m->n, 7);
    static const uint32_t ids[] = {315, 316, 317, 318, 319, 320, 321};
    static const uint8_t types[] = {S7P_DT_UDINT, S7P_DT_UDINT, S7P_DT_UDINT, S7P_DT_UDINT,
                                    S7P_DT_WSTRING, S7P_DT_WSTRING, S7P_DT_UINT};
    static const uint64_t nums[] = {320, 320, 8405056, 8405056, 0, 0, 3};
    const s7p_member *e = m->first;
    for (int i = 0; i < 7; i++, e = e->next) {
        assert_int_equal(e->id, ids[i]);
        assert_int_equal(e->value.type, types[i]);
        if (types[i] == S7P_DT_WSTRING)
            assert_true(bytes_eq(e->value.v.s, "1;6ES7 516-3AN02-0AB0;V3.1"));
        else
            assert_int_equal(e->value.v.u, nums[i]);
    }
}

static void check_session_object(const s7p_object *o)
{
    assert_int_equal(o->rel_id, 288);
    assert_int_equal(o->class_id, 287);
    assert_int_equal(o->class_flags, 1);
    assert_int_equal(o->attr_id, 0);
    assert_int_equal(o->nelems, 5);
    const s7p_value *v = s7p_object_attr(o, 233);
    assert_true(v && v->type == S7P_DT_WSTRING && v->v.s.n == 0);
    v = s7p_object_attr(o, 299);
    assert_true(v && v->type == S7P_DT_UDINT && v->v.u == 0x20000000u);
    v = s7p_object_attr(o, 301);
    assert_true(v && v->type == S7P_DT_WSTRING && bytes_eq(v->v.s, "OMSP.REL.5041.23"));
    v = s7p_object_attr(o, 303);
    assert_true(v && v->type == S7P_DT_USINT && s7p_value_is_array(v) && v->count == 20);
    check_session_version(s7p_object_attr(o, 306));
}

static void step_create_object(tc *t)
{
    const s7p_pdu *r;
    assert_int_equal(tc_create_session(t, &r), S7P_OK);
    assert_header(r, S7P_PROTO_V1, S7P_FC_CREATE_OBJECT, 2, 0x36, 0);
    assert_false(r->has_iid);
    const s7p_resp_create_object *b = &r->resp.create_object;
    assert_int_equal(b->nids, 2);
    assert_int_equal(b->object_ids[0], 0x3A0);
    assert_int_equal(b->object_ids[1], 0x3A1);
    assert_int_equal(b->objects.n, 1);
    check_session_object(b->objects.items[0]);
    /* The exact shape of the S7-1511 answer (transport spec §9 frame 7), with its random
     * challenge. */
    char challenge[41] = "";
    const s7p_value *ch = s7p_object_attr(b->objects.items[0], 303);
    for (int i = 0; i < 20; i++) snprintf(challenge + 2 * i, 3, "%02x", ch->v.s.p[i]);
    char want[1024];
    snprintf(want, sizeof want,
             "32 0000 04CA 0000 0002 36 00 02 8720 8721"
             " A1 00000120 821F 01 00"
             " A3 8169 00 15 00"
             " A3 822B 00 04 82808080 00"
             " A3 822D 00 15 10 'OMSP.REL.5041.23'"
             " A3 822F 10 02 14 %s"
             " A3 8232 00 17 0000013A"
             "  823B 00 04 8240  823C 00 04 8240  823D 00 04 84818040  823E 00 04 84818040"
             "  823F 00 15 1A '1;6ES7 516-3AN02-0AB0;V3.1'"
             "  8240 00 15 1A '1;6ES7 516-3AN02-0AB0;V3.1'"
             "  8241 00 03 0003 00"
             " A2 00000000",
             challenge);
    assert_raw(t, want);
    assert_int_equal(t->session, 0x3A0);
}

static void step_setup_write(tc *t)
{
    s7p_pdu p;
    const s7p_pdu *r;
    tc_setup_write_req(t, &p);
    assert_int_equal(tc_call(t, &p, &r), S7P_OK);
    assert_header(r, S7P_PROTO_V2, S7P_FC_SET_MULTI_VARIABLES, 3, 0x34, 0);
    assert_int_equal(r->resp.set_multi.errors.n, 0);
    assert_true(r->has_iid);
    assert_int_equal(r->iid, 0);  /* as the real PLC answers the id-less setup write */
    assert_raw(t, "32 0000 0542 0000 0003 34 00 00 00 00000000");
}

static void check_dint_values(const s7p_idlist *l, const int64_t *want, uint32_t n)
{
    assert_int_equal(l->n, n);
    const s7p_member *m = l->first;
    for (uint32_t i = 0; i < n; i++, m = m->next) {
        assert_int_equal(m->id, i + 1);
        assert_int_equal(m->value.flags, 0);
        assert_int_equal(m->value.type, S7P_DT_DINT);
        assert_int_equal(m->value.v.i, want[i]);
    }
}

static void step_system_limits(tc *t)
{
    static const uint32_t lids[] = {1000, 1001, 0, 1, 2};
    static const int64_t want[] = {50, 50, 200, 2000, 100000};
    s7p_pdu p;
    const s7p_pdu *r;
    tc_get_limits_req(t, &p, 1037, lids, 5);
    assert_int_equal(tc_call(t, &p, &r), S7P_OK);
    assert_header(r, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, 4, 0x34, 0);
    check_dint_values(&r->resp.get_multi.values, want, 5);
    assert_int_equal(r->resp.get_multi.errors.n, 0);
    assert_true(r->has_iid);
    assert_int_equal(r->iid, 4 + 1);
}

/* Free items plus two addresses that do not exist: per-item errors, the rest answered. */
static void step_free_items(tc *t)
{
    static const uint32_t lids[] = {0, 1, 2, 1000, 77};
    static const int64_t want[] = {200, 2000, 100000};
    s7p_pdu p;
    const s7p_pdu *r;
    tc_get_limits_req(t, &p, 1081, lids, 5);
    assert_int_equal(tc_call(t, &p, &r), S7P_OK);
    assert_header(r, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, 5, 0x34, 0);
    check_dint_values(&r->resp.get_multi.values, want, 3);
    const s7p_error_list *e = &r->resp.get_multi.errors;
    assert_int_equal(e->n, 2);
    assert_int_equal(e->items[0].item, 4);
    assert_int_equal(e->items[0].ret, 0xFF98);
    assert_int_equal(s7p_ret_code(e->items[0].ret), -104);
    assert_int_equal(e->items[1].item, 5);
    assert_int_equal(e->items[1].ret, 0xFF98);
    assert_int_equal(r->iid, 5 + 2);
}

static const s7p_value *attr(tc *t, uint32_t obj, uint32_t aid, uint64_t ret)
{
    const s7p_pdu *r;
    uint16_t seq = (uint16_t)(t->seq + 1);
    assert_int_equal(tc_get_attr(t, obj, aid, &r), S7P_OK);
    assert_header(r, S7P_PROTO_V2, S7P_FC_GET_VAR_SUB_STREAMED, seq, 0x34, ret);
    assert_int_equal(r->resp.get_var_sub_streamed.unknown, 0);
    return &r->resp.get_var_sub_streamed.value;
}

static void step_protection_level(tc *t)
{
    const s7p_value *v = attr(t, t->session, 1842, 0);
    assert_int_equal(v->flags, 0);
    assert_int_equal(v->type, S7P_DT_UDINT);
    assert_int_equal(v->v.u, 1);
    assert_raw(t, "32 0000 0586 0000 0006 34 00 00 00 04 01 09 00000000");  /* iid 6 + 3 */
}

static void check_im0(const s7p_value *v, const char *order, const char *serial,
                      const uint8_t fw[3])
{
    assert_int_equal(v->flags, 0);
    assert_int_equal(v->type, S7P_DT_BLOB);
    assert_int_equal(v->v.blob->root_id, 0);
    assert_int_equal(v->v.blob->data.n, 64);
    const uint8_t *b = v->v.blob->data.p;
    assert_memory_equal(b + 8, order, 19);
    assert_int_equal(b[27], ' ');
    assert_memory_equal(b + 28, serial, 16);
    assert_int_equal(b[44], 0);
    assert_int_equal(b[46], 1);
    assert_int_equal(b[47], 'V');
    assert_memory_equal(b + 48, fw, 3);
}

static void step_cpu_info(tc *t)
{
    const s7p_value *v = attr(t, 1, 2459, 0);
    static const uint8_t es[8] = {17, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(v->flags, S7P_VF_ARRAY);
    assert_int_equal(v->type, S7P_DT_USINT);
    assert_int_equal(v->count, 8);
    assert_memory_equal(v->v.s.p, es, 8);

    v = attr(t, 50, 233, 0);
    assert_int_equal(v->type, S7P_DT_WSTRING);
    assert_true(bytes_eq(v->v.s, "PLC_1"));

    static const uint8_t fw[3] = {3, 1, 0};
    check_im0(attr(t, 49, 3753, 0), "6ES7 516-3AN02-0AB0", "S V-SIM000000001", fw);

    v = attr(t, 0x894A0000u, 8342, 0);
    assert_int_equal(v->flags, S7P_VF_ARRAY);
    assert_int_equal(v->type, S7P_DT_WSTRING);
    assert_int_equal(v->count, 3);
    assert_true(bytes_eq(v->elems[2].s, "s7plus-sim"));
}

/* A real CPU's full return value (ObjectNotFound, S7-1200 capture; docs/protocol.md §8.4). */
static void step_unknown_attribute(tc *t)
{
    const s7p_value *v = attr(t, 50, 9999, UINT64_C(0x8020AB000000FFF4));
    assert_int_equal(v->type, S7P_DT_NULL);
    v = attr(t, 0x12345678u, 233, UINT64_C(0x8020AB000000FFF4));
    assert_int_equal(v->type, S7P_DT_NULL);
}

static void step_unknown_functions(tc *t)
{
    s7p_pdu p;
    const s7p_pdu *r;
    /* SetVariable of an object other than the execution unit (test_sim_real_plc has that):
     * a real CPU's ObjectNotFound and the integrity id. */
    tc_begin(t, &p, S7P_PROTO_V2, S7P_FC_SET_VARIABLE, S7P_TF_REQUEST);
    p.req.set_variable.object_id = 0x12345678u;
    p.req.set_variable.address_count = 1;
    uint32_t addr = 2167;
    p.req.set_variable.addresses = &addr;
    p.req.set_variable.value.type = S7P_DT_DINT;
    p.req.set_variable.value.v.i = 3;
    s7p_qualifier_default(&p.qualifier, &t->a);
    p.has_iid = true;
    p.iid = ++t->iid_set;
    assert_int_equal(tc_call(t, &p, &r), S7P_OK);
    assert_header(r, S7P_PROTO_V2, S7P_FC_SET_VARIABLE, p.seq, 0x34,
                  UINT64_C(0x8020AB000000FFF4));
    assert_int_equal(s7p_ret_code(r->ret), -12);
    assert_true(r->has_iid);

    /* A function without a known body layout. */
    tc_begin(t, &p, S7P_PROTO_V2, S7P_FC_GET_VARIABLES_ADDRESS, S7P_TF_REQUEST);
    assert_int_equal(tc_call(t, &p, &r), S7P_OK);
    char want[64];
    snprintf(want, sizeof want, "32 0000 0590 0000 %04X 34 83FF09 00000000", (unsigned)p.seq);
    assert_raw(t, want);
}

static void step_delete_other(tc *t)
{
    s7p_pdu p;
    const s7p_pdu *r;
    tc_delete_req(t, &p, 0x1234);
    assert_int_equal(tc_call(t, &p, &r), S7P_OK);
    assert_header(r, S7P_PROTO_V2, S7P_FC_DELETE_OBJECT, p.seq, 0x34, 0xFFF4);
    assert_int_equal(r->resp.delete_object.object_id, 0x1234);
    assert_true(r->has_iid);
    assert_int_equal(r->iid, (uint32_t)p.seq + p.iid);
}

static void step_delete_session(tc *t, s7p_sim *sim)
{
    s7p_pdu p;
    const s7p_pdu *r;
    assert_int_equal(s7p_sim_sessions(sim), 1);
    tc_delete_req(t, &p, t->session);
    assert_int_equal(tc_call(t, &p, &r), S7P_OK);
    assert_header(r, S7P_PROTO_V2, S7P_FC_DELETE_OBJECT, p.seq, 0x34, 0);
    assert_int_equal(r->resp.delete_object.object_id, 0x3A0);
    assert_false(r->has_iid);
    char want[64];
    snprintf(want, sizeof want, "32 0000 04D4 0000 %04X 34 00 000003A0 00000000", (unsigned)p.seq);
    assert_raw(t, want);
    assert_int_equal(tc_recv(t, &r), S7P_E_CLOSED);
    assert_true(tc_wait_sessions(sim, 0, 2000));
}

static void test_full_sequence(void **state)
{
    s7p_sim *sim = *state;
    tc t;
    CHECK(tc_open(&t, s7p_sim_port(sim), NULL));
    step_init_ssl(&t, sim);
    step_create_object(&t);
    step_setup_write(&t);
    step_system_limits(&t);
    step_free_items(&t);
    step_protection_level(&t);
    step_cpu_info(&t);
    step_unknown_attribute(&t);
    step_unknown_functions(&t);
    step_delete_other(&t);
    step_delete_session(&t, sim);
    tc_close(&t);

    assert_int_equal(s7p_sim_requests(sim, S7P_FC_INIT_SSL), 1);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_CREATE_OBJECT), 1);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_SET_MULTI_VARIABLES), 1);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_GET_MULTI_VARIABLES), 2);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_GET_VAR_SUB_STREAMED), 7);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_SET_VARIABLE), 1);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_GET_VARIABLES_ADDRESS), 1);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_DELETE_OBJECT), 2);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_EXPLORE), 0);
}

/* ---- TSAP check ---- */

static void test_tsap_refused(void **state)
{
    s7p_sim *sim = *state;
    tc t;
    assert_int_equal(tc_open(&t, s7p_sim_port(sim), "FOO"), S7P_E_CONNECT);
    tc_close(&t);
    CHECK(tc_open(&t, s7p_sim_port(sim), "SIMATIC-ROOT-ES"));
    tc_close(&t);
    CHECK(tc_open(&t, s7p_sim_port(sim), "SIMATIC-ROOT-HMI"));
    tc_close(&t);
}

static void test_tsap_any(void **state)
{
    (void)state;
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.accept_any_tsap = true;
    s7p_sim *sim = st_sim_start(&c);
    tc t;
    CHECK(tc_open(&t, s7p_sim_port(sim), "FOO"));
    CHECK(tc_init_ssl(&t, NULL));
    const s7p_pdu *r;
    CHECK(tc_create_session(&t, &r));
    CHECK(tc_delete_session(&t));
    tc_close(&t);
    s7p_sim_stop(sim);
}

/* ---- session limit ---- */

static void test_session_limit(void **state)
{
    (void)state;
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.max_sessions = 2;
    s7p_sim *sim = st_sim_start(&c);
    uint16_t port = s7p_sim_port(sim);
    tc a, b, t, d;
    assert_int_equal(tc_connect_session(&a, port), S7P_OK);
    assert_int_equal(tc_connect_session(&b, port), S7P_OK);
    assert_int_not_equal(a.session, b.session);
    assert_int_equal(s7p_sim_sessions(sim), 2);

    CHECK(tc_open(&t, port, NULL));
    CHECK(tc_init_ssl(&t, NULL));
    s7p_pdu p;
    const s7p_pdu *r;
    tc_create_session_req(&t, &p);
    CHECK(tc_call(&t, &p, &r));
    assert_int_equal(r->ret, 0xFF8F);
    assert_int_equal(s7p_ret_code(r->ret), -113);
    assert_raw(&t, "32 0000 04CA 0000 0002 36 83FF0F 00000000");
    assert_int_equal(tc_recv(&t, &r), S7P_E_CLOSED);
    tc_close(&t);
    assert_int_equal(s7p_sim_sessions(sim), 2);

    /* A freed session can be taken again. */
    assert_int_equal(tc_delete_session(&a), S7P_OK);
    assert_true(tc_wait_sessions(sim, 1, 2000));
    assert_int_equal(tc_connect_session(&d, port), S7P_OK);
    assert_int_equal(s7p_sim_sessions(sim), 2);
    tc_close(&a);
    tc_close(&b);      /* a plain close also frees the session */
    assert_true(tc_wait_sessions(sim, 1, 2000));
    tc_close(&d);
    assert_true(tc_wait_sessions(sim, 0, 2000));
    s7p_sim_stop(sim);
}

/* ---- error paths ---- */

static void test_no_response_flag(void **state)
{
    s7p_sim *sim = *state;
    tc t;
    CHECK(tc_connect_session(&t, s7p_sim_port(sim)));
    s7p_pdu p;
    const s7p_pdu *r;
    tc_begin(&t, &p, S7P_PROTO_V2, S7P_FC_SET_VARIABLE, 0x74);
    uint32_t addr = 1053;
    p.req.set_variable.object_id = t.session2;
    p.req.set_variable.address_count = 1;
    p.req.set_variable.addresses = &addr;
    p.req.set_variable.value.type = S7P_DT_DINT;
    s7p_qualifier_default(&p.qualifier, &t.a);
    CHECK(tc_send(&t, &p));
    /* The next answer belongs to the next request. */
    CHECK(tc_get_attr(&t, t.session, 1842, &r));
    assert_int_equal(r->function, S7P_FC_GET_VAR_SUB_STREAMED);
    assert_int_equal(r->seq, t.seq);
    assert_int_equal(s7p_sim_requests(sim, S7P_FC_SET_VARIABLE), 1);
    CHECK(tc_delete_session(&t));
    tc_close(&t);
}

/* A GetVarSubStreamed answered with a bare error: header, return value, fill. */
static int16_t attr_error(tc *tp)
{
    s7p_pdu p;
    const s7p_pdu *r;
    tc_get_attr_req(tp, &p, 50, 233);
    assert_int_equal(tc_call(tp, &p, &r), S7P_OK);
    assert_int_equal(tp->m.raw_len, 10 + 3 + 4);
    assert_false(r->has_iid);
    return s7p_ret_code(r->ret);
}

static void test_wrong_session(void **state)
{
    s7p_sim *sim = *state;
    tc t;
    CHECK(tc_open(&t, s7p_sim_port(sim), NULL));
    CHECK(tc_init_ssl(&t, NULL));
    /* Before any session: only InitSsl and the session CreateObject are served. */
    assert_int_equal(attr_error(&t), -106);
    const s7p_pdu *r;
    CHECK(tc_create_session(&t, &r));
    /* A request naming another session. */
    uint32_t own = t.session;
    t.session = own + 8;
    assert_int_equal(attr_error(&t), -106);
    t.session = own;
    /* InitSsl again inside TLS is refused. */
    s7p_pdu p;
    tc_begin(&t, &p, S7P_PROTO_V1, S7P_FC_INIT_SSL, S7P_TF_INIT_SSL);
    CHECK(tc_call(&t, &p, &r));
    assert_int_equal(s7p_ret_code(r->ret), -107);
    CHECK(tc_delete_session(&t));
    tc_close(&t);
}

static void test_malformed_request_closes(void **state)
{
    s7p_sim *sim = *state;
    tc t;
    CHECK(tc_connect_session(&t, s7p_sim_port(sim)));
    assert_int_equal(s7p_sim_sessions(sim), 1);
    /* GetMultiVariables that announces 5 items and ends. */
    uint8_t data[] = {0x31, 0, 0, 0x05, 0x4C, 0, 0, 0, 9, 0, 0, 0x03, 0xA0, 0x34, 0, 0, 0, 0, 5};
    uint8_t frame[64];
    s7p_wr w = s7p_wr_init(frame, sizeof frame);
    assert_true(s7p_frame_write(&w, S7P_PROTO_V2, data, sizeof data, true));
    CHECK(s7p_channel_send_raw(&t.ch, frame, w.len, s7p_deadline_in(2000)));
    const s7p_pdu *r;
    assert_int_equal(tc_recv(&t, &r), S7P_E_CLOSED);
    assert_true(tc_wait_sessions(sim, 0, 2000));
    tc_close(&t);

    /* Broken framing in clear: not a 0x72 frame. */
    CHECK(tc_open(&t, s7p_sim_port(sim), NULL));
    static const uint8_t junk[] = {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5};
    CHECK(s7p_iso_send(&t.ch.iso, junk, sizeof junk, 0, s7p_deadline_in(2000)));
    assert_int_equal(tc_recv(&t, &r), S7P_E_CLOSED);
    tc_close(&t);
}

/* Without InitSsl the session runs in clear (our own client's test mode, spec §8.1). */
static void test_clear_mode(void **state)
{
    s7p_sim *sim = *state;
    tc t;
    const s7p_pdu *r;
    CHECK(tc_open(&t, s7p_sim_port(sim), NULL));
    t.seq = 1;
    CHECK(tc_create_session(&t, &r));
    assert_int_equal(t.session, 0x3A0);
    CHECK(tc_get_attr(&t, t.session, 1842, &r));
    assert_int_equal(r->resp.get_var_sub_streamed.value.v.u, 1);
    CHECK(tc_delete_session(&t));
    tc_close(&t);
}

/* ---- identity from the configuration ---- */

static void test_identity_config(void **state)
{
    (void)state;
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.order_number = "6ES7 214-1AG40-0XB0";
    c.firmware = "V4.7.2";
    c.serial_number = "S C-ABC123";
    c.plc_name = "Line 3";
    c.project_name = "Bottling";
    c.protection_level = 3;
    s7p_sim *sim = st_sim_start(&c);
    tc t;
    const s7p_pdu *r;
    CHECK(tc_open(&t, s7p_sim_port(sim), NULL));
    CHECK(tc_init_ssl(&t, s7p_sim_cert_sha256(sim)));
    CHECK(tc_create_session(&t, &r));
    const s7p_value *paom = s7p_idlist_find(&t.version.v.st->members, 319);
    assert_true(paom && bytes_eq(paom->v.s, "1;6ES7 214-1AG40-0XB0 ;V4.7"));  /* an S7-1200's */
    assert_int_equal(r->ret, 0);  /* protected (level 3): not 17 PreLegitimated */
    assert_int_equal(attr(&t, t.session, 1842, 0)->v.u, 3);
    assert_true(bytes_eq(attr(&t, 50, 233, 0)->v.s, "Line 3"));
    static const uint8_t fw[3] = {4, 7, 2};
    check_im0(attr(&t, 49, 3753, 0), "6ES7 214-1AG40-0XB0", "S C-ABC123      ", fw);
    assert_true(bytes_eq(attr(&t, 0x894A0000u, 8342, 0)->elems[2].s, "Bottling"));
    CHECK(tc_delete_session(&t));
    tc_close(&t);
    s7p_sim_stop(sim);

    c.paom = "1;6ES7 510-1DJ01-0AB0;V2.9";
    sim = st_sim_start(&c);
    CHECK(tc_open(&t, s7p_sim_port(sim), NULL));
    CHECK(tc_init_ssl(&t, NULL));
    CHECK(tc_create_session(&t, &r));
    paom = s7p_idlist_find(&t.version.v.st->members, 319);
    assert_true(paom && bytes_eq(paom->v.s, "1;6ES7 510-1DJ01-0AB0;V2.9"));
    tc_close(&t);
    s7p_sim_stop(sim);
}

/* ---- logging and key log ---- */

static void test_logging(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *log = open_memstream(&buf, &len);
    assert_non_null(log);
    char keylog[] = "/tmp/s7p-sim-keylog-XXXXXX";
    int kfd = mkstemp(keylog);
    assert_true(kfd >= 0);
    close(kfd);
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.log = log;
    c.verbosity = 3;
    c.keylog_file = keylog;
    s7p_sim *sim = st_sim_start(&c);
    tc t;
    CHECK(tc_connect_session(&t, s7p_sim_port(sim)));
    CHECK(tc_delete_session(&t));
    tc_close(&t);
    s7p_sim_stop(sim);
    fclose(log);
    assert_non_null(strstr(buf, "listening on 127.0.0.1:"));
    assert_non_null(strstr(buf, "conn 1: accepted"));
    assert_non_null(strstr(buf, "conn 1: TLS established"));
    assert_non_null(strstr(buf, "conn 1: CreateObject (0x04ca) seq 2 session 0x00000120 flags 0x36"));
    assert_non_null(strstr(buf, "conn 1: session 0x000003a0 opened"));
    assert_non_null(strstr(buf, "conn 1 << "));
    assert_non_null(strstr(buf, "conn 1 >> "));
    assert_non_null(strstr(buf, "conn 1: session 0x000003a0 deleted"));
    assert_non_null(strstr(buf, "conn 1: closed"));
    assert_non_null(strstr(buf, "stopped"));
    free(buf);

    FILE *k = fopen(keylog, "r");
    assert_non_null(k);
    char line[512];
    bool found = false;
    while (fgets(line, sizeof line, k))
        if (strncmp(line, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ", 32) == 0) found = true;
    fclose(k);
    unlink(keylog);
    assert_true(found);
}

/* Verbosity 0 with a log: only errors, so a clean session writes nothing. */
static void test_quiet_log(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *log = open_memstream(&buf, &len);
    s7p_sim_config c;
    s7p_sim_config_init(&c);
    c.log = log;
    s7p_sim *sim = st_sim_start(&c);
    tc t;
    CHECK(tc_connect_session(&t, s7p_sim_port(sim)));
    CHECK(tc_delete_session(&t));
    tc_close(&t);
    s7p_sim_stop(sim);
    fclose(log);
    assert_int_equal(len, 0);
    free(buf);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_sequence, setup_sim, teardown_sim),
        cmocka_unit_test_setup_teardown(test_tsap_refused, setup_sim, teardown_sim),
        cmocka_unit_test(test_tsap_any),
        cmocka_unit_test(test_session_limit),
        cmocka_unit_test_setup_teardown(test_no_response_flag, setup_sim, teardown_sim),
        cmocka_unit_test_setup_teardown(test_wrong_session, setup_sim, teardown_sim),
        cmocka_unit_test_setup_teardown(test_malformed_request_closes, setup_sim, teardown_sim),
        cmocka_unit_test_setup_teardown(test_clear_mode, setup_sim, teardown_sim),
        cmocka_unit_test(test_identity_config),
        cmocka_unit_test(test_logging),
        cmocka_unit_test(test_quiet_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Requests in flight: a client may send several requests before it reads any answer, as TIA
 * HMIs do (capture V13_1200_TP1200sim..._Timer_sync, frames 79-83). The simulator must answer
 * each of them, in order, with its own sequence number and integrity id, however the bytes
 * arrive: all frames in one TLS record, one record per request, records cut anywhere (frame
 * headers and fragments split across records), everything in one TCP write or trickled.
 * Fragments of two PDUs cannot interleave on one stream (a fragment carries no sequence
 * number), so a fragmented request sits between whole ones here. Loopback only, bounded. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "net/tcp.h"
#include "net/cotp.h"
#include "proto/frame.h"
#include "simtest.h"
#include "tc.h"
#include "util/clock.h"

#define NREQ 4
#define BIG_ITEMS 300u            /* a GetMultiVariables of this many limits spans 3 frames */
#define BUF_CAP (256u * 1024u)

/* A raw client whose TLS output can be held back and written to TCP in one piece. */
typedef struct pc {
    tc t;
    bool hold;                    /* queue TLS records in the link instead of sending them */
} pc;

/* What an answer must carry, taken from the request before the arena is released. */
typedef struct expect {
    uint16_t function, seq;
    uint32_t iid;                 /* seq + request integrity id */
    uint8_t type;                 /* GetVarSubStreamed: value type; GetMulti: 0 */
    uint32_t items;               /* GetMulti: values expected */
} expect;

/* The whole connect sequence. */
static void pc_connect(pc *c, uint16_t port)
{
    memset(c, 0, sizeof *c);
    tc *t = &c->t;
    assert_int_equal(tc_open(t, port, NULL), S7P_OK);
    const s7p_pdu *r;
    s7p_pdu p;
    if (tc_init_ssl(t, NULL) != S7P_OK || tc_create_session(t, &r) != S7P_OK)
        fail_msg("%s", t->err);
    tc_setup_write_req(t, &p);
    if (tc_call(t, &p, &r) != S7P_OK || r->ret != 0) fail_msg("setup write: %s", t->err);
}

static void pc_close(pc *c)
{
    tc_close(&c->t);
}

/* Writes what was held in one TCP write (on loopback: one segment) and stops holding. */
static void pc_flush(pc *c)
{
    c->hold = false;
    assert_int_equal(s7p_channel_flush(&c->t.ch, s7p_deadline_in(TC_TIMEOUT_MS)), S7P_OK);
}

/* One TLS record of raw bytes: queued in the link while holding, else sent at once. */
static void pc_record(pc *c, const uint8_t *p, size_t n)
{
    s7p_status st = c->hold ? s7p_link_put_raw(&c->t.ch, p, n)
                            : s7p_channel_send_raw(&c->t.ch, p, n, s7p_deadline_in(TC_TIMEOUT_MS));
    assert_int_equal(st, S7P_OK);
}

/* Appends the frames of p (fragmented as the channel fragments) to buf. */
static void append_frames(const s7p_pdu *p, uint8_t *buf, size_t *len)
{
    static uint8_t data[BUF_CAP];
    s7p_wr w = s7p_wr_init(data, sizeof data);
    assert_true(s7p_pdu_encode(&w, p));
    for (size_t off = 0; off < w.len;) {
        size_t n = w.len - off < S7P_FRAME_DATA_MAX ? w.len - off : S7P_FRAME_DATA_MAX;
        s7p_wr fw = s7p_wr_init(buf + *len, BUF_CAP - *len);
        assert_true(s7p_frame_write(&fw, p->version, data + off, n, off + n == w.len));
        *len += fw.len;
        off += n;
    }
}

/* Builds the NREQ requests (the second one fragmented) into frames; fills want[]. */
static size_t build_requests(tc *t, uint8_t *buf, expect want[NREQ])
{
    static const uint32_t attrs[][3] = {{0, 1842, S7P_DT_UDINT}, {1, 2459, S7P_DT_USINT},
                                        {50, 233, S7P_DT_WSTRING}};
    uint32_t lids[BIG_ITEMS];
    for (uint32_t i = 0; i < BIG_ITEMS; i++) lids[i] = 1000;
    memset(want, 0, NREQ * sizeof *want);
    size_t len = 0;
    for (int i = 0, a = 0; i < NREQ; i++) {
        s7p_pdu p;
        if (i == 1) {
            tc_get_limits_req(t, &p, 1037, lids, BIG_ITEMS);
            want[i].items = BIG_ITEMS;
        } else {
            tc_get_attr_req(t, &p, attrs[a][0] ? attrs[a][0] : t->session, attrs[a][1]);
            want[i].type = (uint8_t)attrs[a++][2];
        }
        want[i].function = p.function;
        want[i].seq = p.seq;
        want[i].iid = (uint32_t)p.seq + p.iid;
        append_frames(&p, buf, &len);
    }
    assert_true(len > 2 * S7P_FRAME_DATA_MAX);  /* the big one really is fragmented */
    return len;
}

/* Unsolicited notifications expected before answers (none: per_answer 0). */
typedef struct notif_expect {
    unsigned per_answer;
    uint16_t function;            /* 0 = before every answer */
    uint32_t object_id;
    uint32_t seq;                 /* last notification sequence number seen */
} notif_expect;

/* One notification: the modern header with a timestamp of about now, one UDInt item. */
static void check_notification(const s7p_pdu *r, notif_expect *ne)
{
    assert_int_equal(r->opcode, S7P_OP_NOTIFICATION);
    const s7p_notification *n = &r->notif;
    assert_int_equal(n->object_id, ne->object_id);
    assert_int_equal(n->unknown2, 0x0400);
    assert_int_equal(n->seq, ++ne->seq);
    assert_int_equal(n->credit_tick, 0);
    assert_int_equal(n->change_counter, 1);
    assert_true(n->has_timestamp);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t age_s = (int64_t)now.tv_sec - (int64_t)(n->timestamp_us / 1000000u);
    assert_true(age_s >= -60 && age_s <= 60);
    assert_int_equal(n->items.n, 1);
    assert_int_equal(n->items.first->code, S7P_NI_VALUE);
    assert_int_equal(n->items.first->ref, 1);
    assert_int_equal(n->items.first->value.type, S7P_DT_UDINT);
    assert_int_equal(n->items.first->value.v.u, n->seq);
    assert_false(n->has_part2);
}

/* Reads NREQ answers and checks each against its request, in order; before each, the
 * notifications ne asks for. */
static void read_answers_notified(tc *t, const expect want[NREQ], notif_expect *ne)
{
    for (int i = 0; i < NREQ; i++) {
        const s7p_pdu *r;
        unsigned notifs = ne && (!ne->function || ne->function == want[i].function)
                              ? ne->per_answer : 0;
        for (unsigned k = 0; k < notifs; k++) {
            if (tc_recv(t, &r) != S7P_OK) fail_msg("notification %u/%d: %s", k, i, t->err);
            check_notification(r, ne);
        }
        if (tc_recv(t, &r) != S7P_OK) fail_msg("answer %d: %s", i, t->err);
        assert_int_equal(r->opcode, S7P_OP_RESPONSE);
        assert_int_equal(r->function, want[i].function);
        assert_int_equal(r->seq, want[i].seq);
        assert_true(r->has_iid);
        assert_int_equal(r->iid, want[i].iid);
        assert_int_equal(r->ret, 0);
        if (want[i].items) {
            assert_int_equal(r->resp.get_multi.values.n, want[i].items);
            assert_int_equal(r->resp.get_multi.values.first->value.v.i, 50);
        } else {
            assert_int_equal(r->resp.get_var_sub_streamed.value.type, want[i].type);
        }
    }
}

static void read_answers(tc *t, const expect want[NREQ]) { read_answers_notified(t, want, NULL); }

static s7p_sim *start(void)
{
    s7p_sim *s = st_sim_start(NULL);
    return s;
}

/* Sends buf[0..n) as TLS records of the given sizes (cycled), held for one TCP write when
 * one_write, else each record written at once. */
static void send_in_records(pc *c, const uint8_t *buf, size_t n, const size_t *sizes,
                            size_t nsizes, bool one_write)
{
    c->hold = one_write;
    for (size_t off = 0, i = 0; off < n; i++) {
        size_t k = sizes[i % nsizes] < n - off ? sizes[i % nsizes] : n - off;
        pc_record(c, buf + off, k);
        off += k;
    }
    if (one_write) pc_flush(c);
}

/* All frames of the four requests in one TLS record, in one TCP write. */
static void test_one_record(void **state)
{
    (void)state;
    s7p_sim *s = start();
    pc c;
    pc_connect(&c, s7p_sim_port(s));
    static uint8_t buf[BUF_CAP];
    expect want[NREQ];
    size_t n = build_requests(&c.t, buf, want);
    size_t one[] = {16384};
    assert_true(n <= one[0]);
    send_in_records(&c, buf, n, one, 1, true);
    read_answers(&c.t, want);
    unsigned long before = s7p_sim_requests(s, S7P_FC_GET_VAR_SUB_STREAMED);
    assert_int_equal(before, 3);
    /* The session is still in step: one more ordinary call works. */
    const s7p_pdu *r;
    if (tc_get_attr(&c.t, c.t.session, 1842, &r) != S7P_OK) fail_msg("%s", c.t.err);
    pc_close(&c);
    s7p_sim_stop(s);
}

/* One TLS record per frame, as the channel sends them, all in one TCP write. */
static void test_record_per_frame(void **state)
{
    (void)state;
    s7p_sim *s = start();
    pc c;
    pc_connect(&c, s7p_sim_port(s));
    static uint8_t buf[BUF_CAP];
    expect want[NREQ];
    size_t len = build_requests(&c.t, buf, want), frames = 0;
    c.hold = true;
    for (size_t off = 0; off < len; frames++) {
        s7p_frame f;
        size_t used = 0;
        assert_int_equal(s7p_frame_parse(buf + off, len - off, &f, &used), S7P_OK);
        pc_record(&c, buf + off, used);
        off += used;
    }
    assert_true(frames >= NREQ + 2);  /* the big request took 3 frames */
    pc_flush(&c);
    read_answers(&c.t, want);
    pc_close(&c);
    s7p_sim_stop(s);
}

/* Records cut at odd places, so frame headers, trailers and fragments are split between
 * records (and the DTs that carry them); once in one TCP write, once record by record. */
static void test_records_cut_anywhere(void **state)
{
    (void)state;
    s7p_sim *s = start();
    static const size_t sizes[] = {1, 3, 2, 7, 5, 250, 11, 999, 4, 1500, 13};
    for (int one_write = 1; one_write >= 0; one_write--) {
        pc c;
        pc_connect(&c, s7p_sim_port(s));
        static uint8_t buf[BUF_CAP];
        expect want[NREQ];
        size_t n = build_requests(&c.t, buf, want);
        send_in_records(&c, buf, n, sizes, sizeof sizes / sizeof sizes[0], one_write != 0);
        read_answers(&c.t, want);
        pc_close(&c);
    }
    s7p_sim_stop(s);
}

/* Notifications for a subscription nobody created, before every answer, then before the
 * answers to one function only: each is well-formed and numbered, every answer still comes
 * in order with its own sequence number and integrity id. */
static void test_notifications_between_answers(void **state)
{
    (void)state;
    s7p_sim *s = start();
    pc c;
    pc_connect(&c, s7p_sim_port(s));
    s7p_sim_notify n = {2, 0, 0x7FFF1234u};
    s7p_sim_set_notify(s, &n);
    notif_expect ne = {2, 0, 0x7FFF1234u, 0};
    static uint8_t buf[BUF_CAP];
    expect want[NREQ];
    size_t len = build_requests(&c.t, buf, want);
    size_t one[] = {16384};
    send_in_records(&c, buf, len, one, 1, true);
    read_answers_notified(&c.t, want, &ne);
    assert_int_equal(ne.seq, 2 * NREQ);
    assert_int_equal(s7p_sim_notifications(s), 2 * NREQ);

    /* Only before GetMultiVariables answers, with the default subscription id. */
    n = (s7p_sim_notify){3, S7P_FC_GET_MULTI_VARIABLES, 0};
    s7p_sim_set_notify(s, &n);
    ne = (notif_expect){3, S7P_FC_GET_MULTI_VARIABLES, S7P_SIM_NOTIFY_ID_DEFAULT, ne.seq};
    len = build_requests(&c.t, buf, want);
    send_in_records(&c, buf, len, one, 1, true);
    read_answers_notified(&c.t, want, &ne);
    assert_int_equal(s7p_sim_notifications(s), 2 * NREQ + 3);

    /* Off again: answers only. */
    s7p_sim_set_notify(s, NULL);
    len = build_requests(&c.t, buf, want);
    send_in_records(&c, buf, len, one, 1, true);
    read_answers(&c.t, want);
    assert_int_equal(s7p_sim_notifications(s), 2 * NREQ + 3);
    pc_close(&c);
    s7p_sim_stop(s);
}

/* "COUNT[:FUNCTION[:SUBSCRIPTION_ID]]" */
static void test_notify_parse(void **state)
{
    (void)state;
    s7p_sim_notify n;
    char err[256];
    assert_true(s7p_sim_notify_parse("3", &n, err, sizeof err));
    assert_int_equal(n.per_answer, 3);
    assert_int_equal(n.function, 0);
    assert_int_equal(n.subscription_id, S7P_SIM_NOTIFY_ID_DEFAULT);
    assert_true(s7p_sim_notify_parse("1:GetMultiVariables:0x7000012a", &n, err, sizeof err));
    assert_int_equal(n.function, S7P_FC_GET_MULTI_VARIABLES);
    assert_int_equal(n.subscription_id, 0x7000012Au);
    assert_true(s7p_sim_notify_parse("0:any", &n, err, sizeof err));
    assert_int_equal(n.per_answer, 0);
    static const char *const bad[] = {"", "x", "-1", "1001", "1:Nope", "1:any:0x1000006a",
                                      "1:any:0x", "1:any:12ab"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_false(s7p_sim_notify_parse(bad[i], &n, err, sizeof err));
        assert_non_null(strstr(err, "notify"));
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_record),
        cmocka_unit_test(test_record_per_frame),
        cmocka_unit_test(test_records_cut_anywhere),
        cmocka_unit_test(test_notifications_between_answers),
        cmocka_unit_test(test_notify_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

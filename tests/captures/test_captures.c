/* SPDX-License-Identifier: MIT */
/* Real PLC traffic through our codec: each capture's S7CommPlus PDUs are reassembled,
 * decoded, counted and re-encoded byte for byte. The expected counts come from the
 * independent decoder, one PDU per frame that carries an opcode (fragments counted once):
 *   tshark -r FILE -Y s7comm-plus -T fields -e s7comm-plus.data.opcode | sort | uniq -c */
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
#include "proto/pdu.h"

#define REASM_CAP (1u << 20)

typedef struct {
    const char *file;
    size_t pdus;          /* S7CommPlus PDUs (reassembled), as the independent decoder counts */
    size_t requests, responses, notifications;
} capture_case;

static const capture_case cases[] = {
    {"S7-1200-Uploading-OB1-TIAV12.pcap", 86, 43, 43, 0},  /* + 2 fragment frames */
    {"S7-1511-opc-request-all-types.pcap", 18, 9, 9, 0},
    {"S7-1511_db3_var1_HMI.pcap", 19, 11, 8, 0},
    {"s7-1200-hmi.pcap", 24, 12, 12, 0},
    {"V13_1200_TP1200sim_MW100_Int_SPS_5s_MW102_Int_SPS_10s_MW102_ab_1000_Timer_sync.pcapng",
     72, 20, 20, 32},
};

typedef struct {
    size_t pdus, requests, responses, notifications, mismatches;
    size_t sessions;      /* session-setup responses with a well-formed ServerSessionVersion */
} tally;

/* The session-setup response names the firmware: attribute 306 is struct 314 whose member
 * 319 is the PAOM string "1;<order number>;V<x.y>". Proves the tree was decoded, not skipped. */
static void check_session_setup(const s7p_pdu *pdu, tally *t)
{
    if (pdu->opcode != S7P_OP_RESPONSE || pdu->function != S7P_FC_CREATE_OBJECT ||
        pdu->version != S7P_PROTO_V1)
        return;
    const s7p_resp_create_object *b = &pdu->resp.create_object;
    assert_int_equal(b->nids, 2);
    assert_int_equal(b->objects.n, 1);
    const s7p_value *ver = s7p_object_attr(b->objects.items[0], S7P_ID_SERVER_SESSION_VERSION);
    assert_non_null(ver);
    assert_int_equal(ver->type, S7P_DT_STRUCT);
    assert_int_equal(ver->v.st->id, S7P_ID_SESSION_VERSION_STRUCT);
    const s7p_value *paom = s7p_idlist_find(&ver->v.st->members, S7P_ID_SYSTEM_PAOM_STRING);
    assert_non_null(paom);
    assert_int_equal(paom->type, S7P_DT_WSTRING);
    assert_true(paom->v.s.n > 8 && memcmp(paom->v.s.p, "1;6ES7 ", 7) == 0);
    t->sessions++;
}

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
    fprintf(stderr, "%s (%zu bytes):", what, n);
    for (size_t i = 0; i < n; i++) fprintf(stderr, "%s%02x", i % 32 ? " " : "\n  ", p[i]);
    fprintf(stderr, "\n");
}

/* Decodes one complete data part, re-encodes it and compares. */
static void check_pdu(const capture_case *c, uint64_t frame, const uint8_t *data, size_t n,
                      uint8_t version, tally *t)
{
    s7p_arena a;
    s7p_pdu pdu;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_status st = s7p_pdu_decode(data, n, version, &a, &pdu);
    if (st != S7P_OK) {
        fprintf(stderr, "%s frame %llu: decode failed: %s\n", c->file, (unsigned long long)frame,
                s7p_strerror(st));
        hexdump("data part", data, n);
    }
    assert_int_equal(st, S7P_OK);
    /* Every function in these captures has a known layout: nothing may stay opaque. */
    assert_null(pdu.opaque.p);
    assert_null(pdu.notif.raw.p);
    check_session_setup(&pdu, t);
    t->pdus++;
    if (pdu.opcode == S7P_OP_REQUEST) t->requests++;
    else if (pdu.opcode == S7P_OP_NOTIFICATION) t->notifications++;
    else t->responses++;

    uint8_t *out = malloc(n + 64);
    assert_non_null(out);
    s7p_wr w = s7p_wr_init(out, n + 64);
    assert_true(s7p_pdu_encode(&w, &pdu));
    if (w.len != n || memcmp(out, data, n) != 0) {
        fprintf(stderr, "%s frame %llu: re-encoding differs\n", c->file, (unsigned long long)frame);
        hexdump("original", data, n);
        hexdump("re-encoded", out, w.len);
        t->mismatches++;
    }
    free(out);
    s7p_arena_release(&a);
}

/* Feeds the frames of one COTP DT payload to the reassembler of its direction. */
static void feed_payload(const capture_case *c, const s7p_pcap_tpkt *tp, s7p_reasm *rs,
                         tally *t)
{
    size_t hdr = 4u + 1u + tp->bytes[4];  /* TPKT + COTP length indicator + COTP header */
    const uint8_t *p = tp->bytes + hdr;
    size_t n = tp->len - hdr;
    while (n > 0) {
        s7p_frame f;
        size_t used;
        s7p_status st = s7p_frame_parse(p, n, &f, &used);
        if (st != S7P_OK) hexdump("frame", p, n);
        assert_int_equal(st, S7P_OK);
        if (f.version == S7P_PROTO_SYSTEM_EVENT || f.version == S7P_PROTO_KEEPALIVE) {
            t->pdus++;
        } else {
            bool done;
            assert_int_equal(s7p_reasm_feed(rs, &f, &done), S7P_OK);
            if (done) check_pdu(c, tp->frame, rs->buf, rs->len, rs->version, t);
        }
        p += used;
        n -= used;
    }
}

static void run_capture(const capture_case *c)
{
    char path[1024], err[256];
    s7p_pcap_streams *s = NULL;
    snprintf(path, sizeof path, "%s/%s", S7P_CAPTURE_DIR, c->file);
    assert_int_equal(s7p_pcap_streams_load(path, &s, err, sizeof err), S7P_PCAP_OK);

    size_t nreasm = s->conversation_count * 2;
    s7p_reasm *rs = calloc(nreasm ? nreasm : 1, sizeof *rs);
    uint8_t *bufs = malloc((nreasm ? nreasm : 1) * (size_t)REASM_CAP);
    assert_non_null(rs);
    assert_non_null(bufs);
    for (size_t i = 0; i < nreasm; i++) s7p_reasm_init(&rs[i], bufs + i * REASM_CAP, REASM_CAP);

    tally t = {0};
    for (size_t i = 0; i < s->tpkt_count; i++) {
        const s7p_pcap_tpkt *tp = &s->tpkts[i];
        /* Only COTP data TPDUs carry S7CommPlus; CR/CC are the transport layer's. */
        if (tp->len < 7 || tp->bytes[5] != 0xF0) continue;
        feed_payload(c, tp, &rs[tp->conversation * 2 + (tp->from_client ? 0 : 1)], &t);
    }
    fprintf(stderr, "%s: %zu PDUs (%zu requests, %zu responses, %zu notifications), "
            "%zu re-encoding differences, %zu session setups\n", c->file, t.pdus, t.requests,
            t.responses, t.notifications, t.mismatches, t.sessions);
    assert_int_equal(t.pdus, c->pdus);
    assert_int_equal(t.requests, c->requests);
    assert_int_equal(t.responses, c->responses);
    assert_int_equal(t.notifications, c->notifications);
    assert_int_equal(t.mismatches, 0);
    assert_true(t.sessions >= 1);
    free(bufs);
    free(rs);
    s7p_pcap_streams_free(s);
}

static void test_capture(void **state) { run_capture(*state); }

int main(void)
{
    struct CMUnitTest tests[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(test_capture, (void *)&cases[i]);
        tests[i].name = cases[i].file;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* pcap_streams: TPKT counts of the five real captures, hand-built captures for the TCP
 * corner cases (out of order, duplicates, keep-alive, wrap-around, gaps, desync, port
 * reuse, link types), and damaged files that must fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap_streams.h"

#ifndef S7P_CAPTURE_DIR
#define S7P_CAPTURE_DIR "../shared/captures"
#endif

/* ------------------------------------------------------------ the real captures */

typedef struct conv_counts {
    size_t c2s, s2c;
} conv_counts;

typedef struct capture_case {
    const char *file;
    size_t n_conv;
    conv_counts conv[6];  /* per conversation, in order of first appearance */
    size_t s7p_pdus;      /* non-empty COTP DT payloads (all start with 0x72) */
} capture_case;

/* Expected numbers, obtained independently of this code with tshark 4.0 (which skips TCP
 * retransmissions and counts each TPKT of a frame):
 *   tshark -n -r F -Y tpkt -T fields -E occurrence=a -E aggregator=, \
 *          -e tcp.stream -e tcp.srcport -e tpkt.length
 * counting the tpkt.length values per (tcp.stream, source port); tcp.stream numbers the
 * conversations in order of first appearance. No frame of these captures holds more than
 * one TPKT and none is split over two frames. s7p_pdus is "s7comm-plus PDUs" from
 * ../shared/tools/s7comm-dissector/check-pcap.sh F. */
static const capture_case captures[] = {
    {"S7-1200-Uploading-OB1-TIAV12.pcap", 1, {{89, 44}}, 88},
    {"S7-1511-opc-request-all-types.pcap", 1, {{19, 10}}, 18},
    {"S7-1511_db3_var1_HMI.pcap", 6, {{1, 0}, {1, 0}, {1, 0}, {9, 5}, {5, 3}, {5, 3}}, 19},
    {"s7-1200-hmi.pcap", 1, {{25, 13}}, 24},
    {"V13_1200_TP1200sim_MW100_Int_SPS_5s_MW102_Int_SPS_10s_MW102_ab_1000_Timer_sync.pcapng",
     2, {{7, 4}, {67, 50}}, 72},
};

static s7p_pcap_streams *load_ok(const char *dir, const char *file)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    s7p_pcap_streams *s = NULL;
    s7p_pcap_status st = s7p_pcap_streams_load(path, &s, err, sizeof err);
    if (st != S7P_PCAP_OK)
        fail_msg("%s: %s (%s)", path, s7p_pcap_status_str(st), err);
    assert_non_null(s);
    assert_string_equal(err, "");
    return s;
}

/* COTP DT (02 F0 xx) carries S7CommPlus (0x72) when it carries anything; the other TPDUs in
 * these captures are the connection request and confirm. Returns 1 for a non-empty DT. */
static size_t check_cotp(const s7p_pcap_tpkt *t)
{
    assert_true(t->len >= S7P_PCAP_TPKT_MIN_LEN);
    assert_int_equal(t->bytes[0], 0x03);
    assert_int_equal(t->bytes[1], 0x00);
    assert_int_equal((size_t)t->bytes[2] << 8 | t->bytes[3], t->len);
    if (t->bytes[4] == 0x02 && t->bytes[5] == 0xF0) {
        if (t->len == 7)
            return 0;
        assert_int_equal(t->bytes[7], 0x72);
        return 1;
    }
    assert_true(t->bytes[5] == 0xE0 || t->bytes[5] == 0xD0); /* CR or CC */
    return 0;
}

static void check_capture(const char *dir, const capture_case *cc)
{
    s7p_pcap_streams *s = load_ok(dir, cc->file);
    assert_int_equal(s->conversation_count, cc->n_conv);
    size_t want = 0, pdus = 0, per_dir[6][2] = {{0}};
    for (size_t i = 0; i < cc->n_conv; i++) {
        const s7p_pcap_conversation *cv = &s->conversations[i];
        assert_int_equal(cv->server_port, 102);
        assert_int_equal(cv->tpkt_count[S7P_PCAP_C2S], cc->conv[i].c2s);
        assert_int_equal(cv->tpkt_count[S7P_PCAP_S2C], cc->conv[i].s2c);
        for (int d = 0; d < 2; d++)
            assert_false(cv->desync[d] || cv->gap[d] || cv->clipped[d] || cv->leftover[d]);
        want += cc->conv[i].c2s + cc->conv[i].s2c;
    }
    assert_int_equal(s->tpkt_count, want);
    for (size_t k = 0; k < s->tpkt_count; k++) {
        const s7p_pcap_tpkt *t = &s->tpkts[k];
        assert_true(t->conversation < cc->n_conv);
        assert_true(k == 0 || t->frame >= s->tpkts[k - 1].frame); /* capture order */
        per_dir[t->conversation][t->from_client ? 0 : 1]++;
        pdus += check_cotp(t);
    }
    for (size_t i = 0; i < cc->n_conv; i++) {
        assert_int_equal(per_dir[i][0], cc->conv[i].c2s);
        assert_int_equal(per_dir[i][1], cc->conv[i].s2c);
    }
    assert_int_equal(pdus, cc->s7p_pdus);
    s7p_pcap_streams_free(s);
}

static void test_real_captures(void **state)
{
    const char *dir = *state;
    for (size_t i = 0; i < sizeof captures / sizeof captures[0]; i++)
        check_capture(dir, &captures[i]);
}

/* ------------------------------------------------------------ hand-built captures */

enum { LT_EN10MB = 1, LT_RAW = 101, LT_IEEE802_11 = 105, LT_SLL2 = 276 };
enum { F_FIN = 0x01, F_SYN = 0x02, F_ACK = 0x10 };

typedef struct pcap_writer {
    char path[64];
    FILE *f;
    uint32_t usec; /* time stamps only increase; the code under test does not read them */
} pcap_writer;

static void put_le32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    assert_int_equal(fwrite(b, 1, 4, f), 4);
}

static void writer_open(pcap_writer *w, uint32_t linktype)
{
    memset(w, 0, sizeof *w);
    strcpy(w->path, "/tmp/s7p_test_pcap_XXXXXX");
    int fd = mkstemp(w->path);
    assert_true(fd >= 0);
    w->f = fdopen(fd, "wb");
    assert_non_null(w->f);
    put_le32(w->f, 0xA1B2C3D4u); /* classic pcap, microseconds, little endian */
    put_le32(w->f, 2u | 4u << 16); /* version 2.4 */
    put_le32(w->f, 0);
    put_le32(w->f, 0);
    put_le32(w->f, 65535);
    put_le32(w->f, linktype);
}

static void writer_frame(pcap_writer *w, const uint8_t *p, size_t n)
{
    put_le32(w->f, 1);
    put_le32(w->f, ++w->usec);
    put_le32(w->f, (uint32_t)n);
    put_le32(w->f, (uint32_t)n);
    assert_int_equal(fwrite(p, 1, n, w->f), n);
}

static s7p_pcap_streams *writer_load(pcap_writer *w)
{
    char err[256];
    s7p_pcap_streams *s = NULL;
    assert_int_equal(fclose(w->f), 0);
    s7p_pcap_status st = s7p_pcap_streams_load(w->path, &s, err, sizeof err);
    unlink(w->path);
    if (st != S7P_PCAP_OK)
        fail_msg("%s (%s)", s7p_pcap_status_str(st), err);
    return s;
}

typedef struct seg_spec {
    int from_client;
    uint32_t seq;
    uint8_t flags;
    const uint8_t *data;
    size_t len;
} seg_spec;

static size_t put_tcp(uint8_t *p, uint16_t sport, uint16_t dport, const seg_spec *sg)
{
    memset(p, 0, 20);
    p[0] = (uint8_t)(sport >> 8), p[1] = (uint8_t)sport;
    p[2] = (uint8_t)(dport >> 8), p[3] = (uint8_t)dport;
    for (int i = 0; i < 4; i++)
        p[4 + i] = (uint8_t)(sg->seq >> (24 - 8 * i));
    p[12] = 5 << 4;
    p[13] = (uint8_t)(sg->flags | F_ACK * !(sg->flags & F_SYN));
    if (sg->len) /* SYN/FIN specs have data == NULL */
        memcpy(p + 20, sg->data, sg->len);
    return 20 + sg->len;
}

/* IPv4 10.0.0.1:40000 (client) <-> 10.0.0.2:102, at p. */
static size_t put_ipv4_tcp(uint8_t *p, const seg_spec *sg)
{
    static const uint8_t cl[4] = {10, 0, 0, 1}, sv[4] = {10, 0, 0, 2};
    memset(p, 0, 20);
    p[0] = 0x45;
    p[8] = 64;
    p[9] = 6;
    memcpy(p + 12, sg->from_client ? cl : sv, 4);
    memcpy(p + 16, sg->from_client ? sv : cl, 4);
    size_t n = 20 + put_tcp(p + 20, sg->from_client ? 40000 : 102,
                            sg->from_client ? 102 : 40000, sg);
    p[2] = (uint8_t)(n >> 8), p[3] = (uint8_t)n;
    return n;
}

static const uint8_t TA[] = {0x03, 0x00, 0x00, 0x07, 0x02, 0xF0, 0x80};
static const uint8_t TB[] = {0x03, 0x00, 0x00, 0x0B, 0x02, 0xF0, 0x80, 0x72, 0x01, 0x02, 0x03};
static const uint8_t TC[] = {0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x72, 0xFF};
static const uint8_t TD[] = {0x03, 0x00, 0x00, 0x08, 0x02, 0xF0, 0x80, 0x72};

static void assert_tpkt(const s7p_pcap_tpkt *t, const uint8_t *want, size_t n, bool from_client,
                        uint64_t frame)
{
    assert_int_equal(t->len, n);
    assert_memory_equal(t->bytes, want, n);
    assert_int_equal(t->from_client, from_client);
    assert_int_equal(t->frame, frame);
}

/* Raw IPv4: SYN, out-of-order segment, overlapping fill, a corrupted retransmission that
 * must not overwrite, two TPKTs completed by one segment, a keep-alive byte, a UDP frame. */
static void test_reorder_duplicates_keepalive(void **state)
{
    (void)state;
    uint8_t stream[27], junk[10], ka[1] = {0xEE}, frame[256];
    memcpy(stream, TA, 7), memcpy(stream + 7, TB, 11), memcpy(stream + 18, TC, 9);
    memset(junk, 0x55, sizeof junk);
    const seg_spec segs[] = {
        {1, 1000, F_SYN, NULL, 0},          {0, 5000, F_SYN | F_ACK, NULL, 0},
        {1, 1001 + 7, 0, stream + 7, 5},    {1, 1001, 0, stream, 10},
        {1, 1001, 0, junk, 10},             {1, 1001 + 12, 0, stream + 12, 15},
        {0, 5001, 0, TD, 8},                {0, 5001 + 7, 0, ka, 1},
    };
    pcap_writer w;
    writer_open(&w, LT_RAW);
    for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++)
        writer_frame(&w, frame, put_ipv4_tcp(frame, &segs[i]));
    size_t n = put_ipv4_tcp(frame, &segs[6]);
    frame[9] = 17; /* UDP: skipped */
    writer_frame(&w, frame, n);
    s7p_pcap_streams *s = writer_load(&w);
    assert_int_equal(s->conversation_count, 1);
    assert_int_equal(s->tpkt_count, 4);
    assert_tpkt(&s->tpkts[0], TA, 7, true, 4);
    assert_tpkt(&s->tpkts[1], TB, 11, true, 6);
    assert_tpkt(&s->tpkts[2], TC, 9, true, 6);
    assert_tpkt(&s->tpkts[3], TD, 8, false, 7);
    const s7p_pcap_conversation *cv = &s->conversations[0];
    assert_true(cv->saw_syn[0] && cv->saw_syn[1]);
    assert_int_equal(cv->client_port, 40000);
    assert_memory_equal(cv->server_addr, ((uint8_t[]){10, 0, 0, 2}), 4);
    assert_false(cv->gap[0] || cv->gap[1] || cv->desync[0] || cv->desync[1]);
    assert_int_equal(cv->leftover[0] + cv->leftover[1], 0);
    assert_int_equal(s->stats.frames, 9);
    assert_int_equal(s->stats.skipped_not_tcp, 1);
    s7p_pcap_streams_free(s);
}

/* IPv6 in Linux cooked v2 with a hop-by-hop header; no SYN; sequence numbers wrap. */
static size_t put_sll2_ipv6(uint8_t *p, const seg_spec *sg)
{
    memset(p, 0, 20 + 48);
    p[0] = 0x86, p[1] = 0xDD;
    uint8_t *ip = p + 20;
    ip[0] = 0x60;
    ip[6] = 0;                      /* hop-by-hop options follow */
    ip[7] = 64;
    ip[8] = 0x20, ip[9] = 0x01, ip[23] = sg->from_client ? 1 : 2;
    ip[24] = 0x20, ip[25] = 0x01, ip[39] = sg->from_client ? 2 : 1;
    ip[40] = 6;                     /* then TCP; 8-byte option header of padding */
    size_t tcp = put_tcp(ip + 48, sg->from_client ? 50000 : 102, sg->from_client ? 102 : 50000, sg);
    ip[4] = (uint8_t)((8 + tcp) >> 8), ip[5] = (uint8_t)(8 + tcp);
    return 20 + 48 + tcp;
}

static void test_ipv6_sll2_wraparound(void **state)
{
    (void)state;
    uint8_t frame[256];
    const seg_spec segs[] = {
        {1, 0xFFFFFFFEu + 4, 0, TB + 4, 7}, /* second half first (wrapped) */
        {1, 0xFFFFFFFEu, 0, TB, 4},
    };
    pcap_writer w;
    writer_open(&w, LT_SLL2);
    for (size_t i = 0; i < 2; i++)
        writer_frame(&w, frame, put_sll2_ipv6(frame, &segs[i]));
    s7p_pcap_streams *s = writer_load(&w);
    assert_int_equal(s->conversation_count, 1);
    assert_int_equal(s->conversations[0].ip_version, 6);
    assert_int_equal(s->conversations[0].client_addr[15], 1);
    assert_false(s->conversations[0].saw_syn[0]);
    assert_int_equal(s->tpkt_count, 1);
    assert_tpkt(&s->tpkts[0], TB, 11, true, 2);
    s7p_pcap_streams_free(s);
}

/* Ethernet + 802.1Q; a TPKT with length 5 (desync) and a server stream with a hole. */
static size_t put_eth_vlan(uint8_t *p, const seg_spec *sg)
{
    memset(p, 0, 18);
    p[12] = 0x81, p[13] = 0x00, p[15] = 7; /* VLAN 7 */
    p[16] = 0x08, p[17] = 0x00;
    return 18 + put_ipv4_tcp(p + 18, sg);
}

static void test_desync_and_gap(void **state)
{
    (void)state;
    static const uint8_t bad[] = {0x03, 0x00, 0x00, 0x05, 0x02, 0xF0, 0x80};
    uint8_t frame[256];
    const seg_spec segs[] = {
        {1, 1, 0, TA, 7}, {1, 8, 0, bad, 7}, {1, 15, 0, TA, 7},
        {0, 100, 0, TD, 8}, {0, 200, 0, TC, 9},
    };
    pcap_writer w;
    writer_open(&w, LT_EN10MB);
    for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++)
        writer_frame(&w, frame, put_eth_vlan(frame, &segs[i]));
    s7p_pcap_streams *s = writer_load(&w);
    const s7p_pcap_conversation *cv = &s->conversations[0];
    assert_int_equal(s->tpkt_count, 2);
    assert_true(cv->desync[0]);
    assert_int_equal(cv->tpkt_count[0], 1);
    assert_int_equal(cv->leftover[0], 14);
    assert_false(cv->desync[1]);
    assert_true(cv->gap[1]);
    assert_int_equal(cv->tpkt_count[1], 1);
    assert_int_equal(cv->leftover[1], 9);
    s7p_pcap_streams_free(s);
}

/* The same 4-tuple used twice: a new SYN after data starts a second conversation. */
static void test_port_reuse(void **state)
{
    (void)state;
    uint8_t frame[256];
    const seg_spec segs[] = {
        {1, 10, F_SYN, NULL, 0}, {1, 11, 0, TA, 7}, {1, 18, F_FIN, NULL, 0},
        {1, 9000, F_SYN, NULL, 0}, {1, 9000, F_SYN, NULL, 0}, /* SYN retransmitted */
        {1, 9001, 0, TC, 9},
    };
    pcap_writer w;
    writer_open(&w, LT_RAW);
    for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++)
        writer_frame(&w, frame, put_ipv4_tcp(frame, &segs[i]));
    s7p_pcap_streams *s = writer_load(&w);
    assert_int_equal(s->conversation_count, 2);
    assert_int_equal(s->tpkt_count, 2);
    assert_int_equal(s->tpkts[0].conversation, 0);
    assert_int_equal(s->tpkts[1].conversation, 1);
    assert_int_equal(s->conversations[1].first_frame, 4);
    assert_tpkt(&s->tpkts[1], TC, 9, true, 6);
    s7p_pcap_streams_free(s);
}

/* ------------------------------------------------------------ errors, damaged files */

static void test_errors(void **state)
{
    (void)state;
    char err[256];
    s7p_pcap_streams dummy, *s = &dummy; /* must be reset to NULL */
    assert_int_equal(s7p_pcap_streams_load(NULL, &s, err, sizeof err), S7P_PCAP_E_INVALID_ARG);
    assert_null(s);
    assert_int_equal(s7p_pcap_streams_load("x", NULL, NULL, 0), S7P_PCAP_E_INVALID_ARG);
    assert_int_equal(s7p_pcap_streams_load("/nonexistent/s7p.pcap", &s, err, sizeof err),
                     S7P_PCAP_E_OPEN);
    assert_true(strlen(err) > 0);
    pcap_writer w;
    writer_open(&w, LT_IEEE802_11);
    assert_int_equal(fclose(w.f), 0);
    assert_int_equal(s7p_pcap_streams_load(w.path, &s, err, sizeof err), S7P_PCAP_E_LINKTYPE);
    unlink(w.path);
    s7p_pcap_streams_free(NULL);
    assert_string_equal(s7p_pcap_status_str(S7P_PCAP_OK), "ok");
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *b = malloc(1 << 20);
    assert_non_null(b);
    *n = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

/* Loads a damaged copy; any status is fine, crashing or leaking is not (ASan build). */
static void load_damaged(const uint8_t *b, size_t n)
{
    char path[] = "/tmp/s7p_test_pcap_XXXXXX", err[256];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b, n), (ssize_t)n);
    close(fd);
    s7p_pcap_streams *s = NULL;
    if (s7p_pcap_streams_load(path, &s, err, sizeof err) == S7P_PCAP_OK) {
        for (size_t k = 0; k < s->tpkt_count; k++)
            assert_true(s->tpkts[k].len >= 7 && s->tpkts[k].bytes[0] == 3);
        s7p_pcap_streams_free(s);
    } else {
        assert_null(s);
    }
    unlink(path);
}

static void test_damaged_captures(void **state)
{
    const char *dir = *state;
    uint32_t rnd = 12345; /* fixed seed: the same damage every run */
    for (size_t i = 0; i < sizeof captures / sizeof captures[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, captures[i].file);
        size_t n;
        uint8_t *orig = read_all(path, &n), *b = malloc(n);
        assert_non_null(b);
        for (int round = 0; round < 60; round++) {
            memcpy(b, orig, n);
            for (int k = 0; k < 8; k++) {
                rnd = rnd * 1103515245u + 12345u;
                b[(rnd >> 8) % n] ^= (uint8_t)(1u << (rnd >> 28 & 7));
            }
            load_damaged(b, round % 4 == 3 ? (rnd >> 4) % n : n); /* some cut short */
        }
        free(b);
        free(orig);
    }
}

int main(int argc, char **argv)
{
    void *dir = (void *)(argc > 1 ? argv[1] : S7P_CAPTURE_DIR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_real_captures, dir),
        cmocka_unit_test(test_reorder_duplicates_keepalive),
        cmocka_unit_test(test_ipv6_sll2_wraparound),
        cmocka_unit_test(test_desync_and_gap),
        cmocka_unit_test(test_port_reuse),
        cmocka_unit_test(test_errors),
        cmocka_unit_test_prestate(test_damaged_captures, dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

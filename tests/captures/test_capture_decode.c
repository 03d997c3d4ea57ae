/* SPDX-License-Identifier: MIT */
/* The capture decoder (s7p_capture_decode_mem) on captures made here: PDUs encoded with the
 * codec, framed, wrapped in TPKT/COTP and in Ethernet/IPv4/TCP frames of a pcap in memory.
 *  - the body's fields and the symbol lookup: request items named by the callback, the
 *    answer's items named after their request, refused items with their PLC names;
 *  - the summary: error codes by name, refused items, where the sequence numbers jumped,
 *    an answer whose request is not in the capture (no round trip, no NaN);
 *  - TLS 1.3 with key updates: a real OpenSSL client and server over memory BIOs, the key log
 *    written by OpenSSL, KeyUpdate sent by the client (update_requested, so the server
 *    updates too) and by the server alone; every PDU after them must still decrypt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "codec_test.h"
#include "proto/frame.h"
#include "proto/pdu.h"
#include "proto/wr.h"
#include "tls/internal.h"

/* ---- a pcap in memory ------------------------------------------------------------------- */

typedef struct pcap_mem {
    uint8_t *p;
    size_t n, cap;
    uint32_t tcp_seq[2];   /* next sequence number, per direction (0: client) */
    uint32_t t_us;
} pcap_mem;

static void mem_put(pcap_mem *m, const void *p, size_t n)
{
    if (m->n + n > m->cap) {
        m->cap = (m->n + n) * 2 + 4096;
        m->p = realloc(m->p, m->cap);
        assert_non_null(m->p);
    }
    memcpy(m->p + m->n, p, n);
    m->n += n;
}

static void be16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, v >> 16); be16(p + 2, v & 0xFFFFu); }

static void pcap_start(pcap_mem *m)
{
    memset(m, 0, sizeof *m);
    uint32_t gh[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};   /* Ethernet */
    mem_put(m, gh, sizeof gh);
    m->tcp_seq[0] = 1000;
    m->tcp_seq[1] = 900000;
}

/* One TCP segment of the connection 10.0.0.1:50000 <-> 10.0.0.2:102. */
static void pcap_segment(pcap_mem *m, bool from_client, const uint8_t *data, size_t n)
{
    uint8_t h[14 + 20 + 20] = {0};
    uint32_t rec[4] = {1700000000u, m->t_us, (uint32_t)(sizeof h + n), (uint32_t)(sizeof h + n)};
    m->t_us += 1000;
    be16(h + 12, 0x0800);
    uint8_t *ip = h + 14, *tcp = ip + 20;
    ip[0] = 0x45;
    be16(ip + 2, (unsigned)(40 + n));
    ip[8] = 64;
    ip[9] = 6;
    static const uint8_t cl[4] = {10, 0, 0, 1}, sv[4] = {10, 0, 0, 2};
    memcpy(ip + 12, from_client ? cl : sv, 4);
    memcpy(ip + 16, from_client ? sv : cl, 4);
    be16(tcp, from_client ? 50000 : 102);
    be16(tcp + 2, from_client ? 102 : 50000);
    be32(tcp + 4, m->tcp_seq[from_client ? 0 : 1]);
    m->tcp_seq[from_client ? 0 : 1] += (uint32_t)n;
    tcp[12] = 0x50;
    tcp[13] = 0x18;
    mem_put(m, rec, sizeof rec);
    mem_put(m, h, sizeof h);
    mem_put(m, data, n);
}

/* TPKT + COTP DT around the bytes, as one segment. */
static void pcap_tpkt(pcap_mem *m, bool from_client, const uint8_t *data, size_t n)
{
    assert_true(n + 7 <= 65535);
    uint8_t *t = malloc(n + 7);
    assert_non_null(t);
    t[0] = 3;
    t[1] = 0;
    be16(t + 2, (unsigned)(n + 7));
    t[4] = 2;
    t[5] = 0xF0;
    t[6] = 0x80;
    memcpy(t + 7, data, n);
    pcap_segment(m, from_client, t, n + 7);
    free(t);
}

/* The S7CommPlus frame of a PDU (one frame, with its trailer). */
static size_t pdu_frame(const s7p_pdu *p, uint8_t *out, size_t cap)
{
    uint8_t data[4096];
    s7p_wr w = s7p_wr_init(data, sizeof data);
    assert_true(s7p_pdu_encode(&w, p));
    s7p_wr f = s7p_wr_init(out, cap);
    assert_true(s7p_frame_write(&f, p->version, data, w.len, true));
    return f.len;
}

/* ---- PDUs ------------------------------------------------------------------------------- */

#define DB3 0x8A0E0003u

static s7p_item_address addr(s7p_arena *a, uint32_t crc, uint32_t area, uint32_t sub, uint32_t lid)
{
    s7p_item_address ad = {.symbol_crc = crc, .area = area, .sub_area = sub, .nlids = 1};
    ad.lids = s7p_arena_array(a, 1, sizeof *ad.lids);
    assert_non_null(ad.lids);
    ad.lids[0] = lid;
    return ad;
}

/* GetMultiVariables of DB3 lid 0xA and M lid 7. */
static void get_multi_req(s7p_arena *a, s7p_pdu *p, uint16_t seq)
{
    s7p_pdu_init_request(p, S7P_PROTO_V2, S7P_FC_GET_MULTI_VARIABLES, seq, 0x3C0,
                         S7P_TF_REQUEST);
    s7p_req_get_multi *g = &p->req.get_multi;
    g->item_count = 2;
    g->addresses = s7p_arena_array(a, 2, sizeof *g->addresses);
    assert_non_null(g->addresses);
    g->addresses[0] = addr(a, 0x11223344u, DB3, S7P_ID_DB_VALUE_ACTUAL, 0xA);
    g->addresses[1] = addr(a, 0, S7P_ID_M_AREA, S7P_ID_CONTROLLER_AREA_VALUE_ACTUAL, 7);
    g->nfields = s7p_item_address_fields(&g->addresses[0]) +
                 s7p_item_address_fields(&g->addresses[1]);
    assert_true(s7p_qualifier_default(&p->qualifier, a));
}

/* Its answer: item 1 = Int -5, item 2 refused with -12 (ObjectNotFound). */
static void get_multi_resp(s7p_arena *a, s7p_pdu *p, const s7p_pdu *req)
{
    s7p_pdu_init_response(p, req, 0);
    add_member(&p->resp.get_multi.values, a, 1, v_i(S7P_DT_INT, -5));
    s7p_item_error *e = s7p_arena_array(a, 1, sizeof *e);
    assert_non_null(e);
    e->item = 2;
    e->ret = (uint64_t)(uint16_t)-12;
    p->resp.get_multi.errors.items = e;
    p->resp.get_multi.errors.n = 1;
}

static void add_pdu(pcap_mem *m, const s7p_pdu *p)
{
    uint8_t f[4200];
    pcap_tpkt(m, p->opcode == S7P_OP_REQUEST, f, pdu_frame(p, f, sizeof f));
}

/* ---- what the decoder reports ----------------------------------------------------------- */

typedef struct seen {
    size_t pdus, undecodable, fields_checked;
    char text[8192];            /* "FUNCTION seq" lines and bodies */
    int calls;                  /* symbol lookups */
} seen;

static const char *name_db3(void *ctx, const s7p_tag *a)
{
    seen *s = ctx;
    s->calls++;
    if (a->area == DB3 && a->sub_area == S7P_ID_DB_VALUE_ACTUAL && a->nlids == 1 &&
        a->lids[0] == 0xA)
        return "\"Data\".speed";
    return NULL;
}

static void check_answer_fields(seen *s, const s7p_decoded_pdu *m)
{
    assert_int_equal(m->field_count, 2);
    const s7p_decoded_field *f = &m->fields[0];
    assert_int_equal(f->kind, S7P_FIELD_ITEM);
    assert_int_equal(f->item, 1);
    assert_true(f->has_address);
    assert_int_equal(f->address.area, DB3);
    assert_int_equal(f->address.symbol_crc, 0x11223344u);
    assert_string_equal(f->address_text, "DB3 sub 2550 lid A (crc 0x11223344)");
    assert_string_equal(f->symbol, "\"Data\".speed");
    assert_string_equal(f->type, "Int");
    assert_string_equal(f->value, "-5");
    f = &m->fields[1];
    assert_int_equal(f->kind, S7P_FIELD_ITEM_ERROR);
    assert_int_equal(f->item, 2);
    assert_int_equal(f->code, -12);
    assert_string_equal(f->code_name, "ObjectNotFound");
    assert_int_equal(f->address.area, S7P_ID_M_AREA);
    assert_null(f->symbol);
    s->fields_checked++;
}

static void on_msg(const s7p_decoded_pdu *m, void *user)
{
    seen *s = user;
    if (m->kind == S7P_DECODED_UNDECODABLE) s->undecodable++;
    if (m->kind != S7P_DECODED_PDU) return;
    s->pdus++;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s %s %u\n%s\n",
             m->opcode == S7P_OP_REQUEST ? "req" : "resp", m->function_name, m->seq, m->body);
    if (m->opcode == S7P_OP_RESPONSE && m->function == S7P_FC_GET_MULTI_VARIABLES &&
        m->seq == 5)
        check_answer_fields(s, m);
}

static void test_fields_symbols_and_summary(void **state)
{
    (void)state;
    s7p_arena a;
    s7p_arena_init(&a, 1 << 20);
    pcap_mem m;
    pcap_start(&m);
    s7p_pdu req, resp, req9, lone_resp, lone_req;
    get_multi_req(&a, &req, 5);
    get_multi_resp(&a, &resp, &req);
    get_multi_req(&a, &req9, 9);   /* 6..8 are not in the capture */
    s7p_pdu_init_request(&lone_req, S7P_PROTO_V2, S7P_FC_GET_VARIABLE, 20, 0x3C0, S7P_TF_REQUEST);
    s7p_pdu_init_response(&lone_resp, &lone_req, 0);
    lone_resp.ret_only = true;
    add_pdu(&m, &req);
    add_pdu(&m, &resp);
    add_pdu(&m, &req9);
    add_pdu(&m, &lone_resp);      /* an answer whose request was not captured */
    seen s = {0};
    s7p_decode_options o = {.on_pdu = on_msg, .user = &s, .symbol = name_db3, .symbol_ctx = &s};
    char *summary = NULL, err[256];
    assert_int_equal(s7p_capture_decode_mem(m.p, m.n, &o, &summary, err, sizeof err), S7P_OK);
    assert_int_equal(s.pdus, 4);
    assert_int_equal(s.undecodable, 0);
    assert_int_equal(s.fields_checked, 1);
    assert_true(s.calls >= 4);
    if (!strstr(s.text, "item 1 \"Data\".speed [DB3 sub 2550 lid A (crc 0x11223344)]\n") ||
        !strstr(s.text, "item 2 M sub 3736 lid 7 (crc 0x00000000)") ||
        !strstr(s.text, "item 1 \"Data\".speed = Int -5") ||
        !strstr(s.text, "item 2 error -12 (ObjectNotFound)"))
        fail_msg("bodies:\n%s", s.text);
    assert_non_null(summary);
    if (!strstr(summary, "  1 refused items\n") ||
        !strstr(summary, "  error codes: -12 ObjectNotFound x1\n") ||
        !strstr(summary, "1 sequence gaps") || !strstr(summary, "  sequence gaps: seq 5 -> 9\n") ||
        !strstr(summary, "GetVariable            no answer to a request seen\n") ||
        !strstr(summary, "GetMultiVariables      1 answers, min 1.000 ms") || strstr(summary, "nan"))
        fail_msg("summary:\n%s", summary);
    s7p_text_free(summary);
    free(m.p);
    s7p_arena_release(&a);
}

/* ---- TLS 1.3 with key updates ----------------------------------------------------------- */

typedef struct tls_pair {
    SSL *c, *s;
    BIO *c_in, *c_out, *s_in, *s_out;   /* memory BIOs: what each side reads / wrote */
    pcap_mem *cap;
} tls_pair;

static void keylog_line(const SSL *ssl, const char *line)
{
    FILE *f = SSL_get_app_data(ssl);
    fprintf(f, "%s\n", line);
}

/* Moves what each side wrote to the other, and into the capture as TPKTs. */
static void pump(tls_pair *t)
{
    uint8_t buf[20000];
    int n;
    while ((n = BIO_read(t->c_out, buf, sizeof buf)) > 0) {
        pcap_tpkt(t->cap, true, buf, (size_t)n);
        assert_int_equal(BIO_write(t->s_in, buf, n), n);
    }
    while ((n = BIO_read(t->s_out, buf, sizeof buf)) > 0) {
        pcap_tpkt(t->cap, false, buf, (size_t)n);
        assert_int_equal(BIO_write(t->c_in, buf, n), n);
    }
}

static void handshake(tls_pair *t)
{
    for (int i = 0; i < 20; i++) {
        int rc = SSL_do_handshake(t->c), rs = SSL_do_handshake(t->s);
        pump(t);
        if (rc == 1 && rs == 1) return;
    }
    fail_msg("TLS handshake did not finish");
}

/* One side writes the PDU's frame; the other reads it whole. */
static void send_pdu(tls_pair *t, const s7p_pdu *p)
{
    uint8_t f[4200], back[4200];
    size_t n = pdu_frame(p, f, sizeof f);
    bool from_client = p->opcode == S7P_OP_REQUEST;
    assert_int_equal(SSL_write(from_client ? t->c : t->s, f, (int)n), (int)n);
    pump(t);
    assert_int_equal(SSL_read(from_client ? t->s : t->c, back, sizeof back), (int)n);
    assert_memory_equal(back, f, n);
    pump(t);   /* a KeyUpdate the reader answers with goes out with its next write */
}

static SSL_CTX *ctx_new(bool server, EVP_PKEY *key, X509 *cert)
{
    SSL_CTX *x = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    assert_non_null(x);
    SSL_CTX_set_min_proto_version(x, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(x, TLS1_3_VERSION);
    if (server) {
        assert_int_equal(SSL_CTX_use_certificate(x, cert), 1);
        assert_int_equal(SSL_CTX_use_PrivateKey(x, key), 1);
    } else {
        SSL_CTX_set_verify(x, SSL_VERIFY_NONE, NULL);
        SSL_CTX_set_keylog_callback(x, keylog_line);
    }
    return x;
}

static SSL *ssl_new(SSL_CTX *x, BIO **in, BIO **out)
{
    SSL *s = SSL_new(x);
    assert_non_null(s);
    *in = BIO_new(BIO_s_mem());
    *out = BIO_new(BIO_s_mem());
    assert_true(*in && *out);
    SSL_set_bio(s, *in, *out);   /* the SSL owns them; we keep the pointers to pump */
    return s;
}

/* A session of 4 exchanges with key updates between them; returns the capture. */
static void tls_session(pcap_mem *cap, const char *keylog_path, s7p_arena *a)
{
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    assert_null(s7p_tls_self_signed("plc", &key, &cert));
    SSL_CTX *cx = ctx_new(false, NULL, NULL), *sx = ctx_new(true, key, cert);
    FILE *kl = fopen(keylog_path, "w");
    assert_non_null(kl);
    tls_pair t = {.cap = cap};
    t.c = ssl_new(cx, &t.c_in, &t.c_out);
    t.s = ssl_new(sx, &t.s_in, &t.s_out);
    SSL_set_app_data(t.c, kl);
    SSL_set_connect_state(t.c);
    SSL_set_accept_state(t.s);
    handshake(&t);
    for (uint16_t seq = 1; seq <= 4; seq++) {
        s7p_pdu req, resp;
        get_multi_req(a, &req, seq);
        get_multi_resp(a, &resp, &req);
        if (seq == 2) assert_int_equal(SSL_key_update(t.c, SSL_KEY_UPDATE_REQUESTED), 1);
        if (seq == 4) assert_int_equal(SSL_key_update(t.c, SSL_KEY_UPDATE_NOT_REQUESTED), 1);
        send_pdu(&t, &req);
        if (seq == 3) assert_int_equal(SSL_key_update(t.s, SSL_KEY_UPDATE_NOT_REQUESTED), 1);
        send_pdu(&t, &resp);
    }
    fclose(kl);
    SSL_free(t.c);
    SSL_free(t.s);
    SSL_CTX_free(cx);
    SSL_CTX_free(sx);
    EVP_PKEY_free(key);
    X509_free(cert);
}

static void test_tls_key_updates(void **state)
{
    (void)state;
    s7p_arena a;
    s7p_arena_init(&a, 1 << 20);
    char keylog[] = "/tmp/s7p-keyupdate-XXXXXX";
    int fd = mkstemp(keylog);
    assert_true(fd >= 0);
    close(fd);
    pcap_mem m;
    pcap_start(&m);
    tls_session(&m, keylog, &a);
    seen s = {0};
    s7p_decode_options o = {.on_pdu = on_msg, .user = &s, .keylog_file = keylog};
    char *summary = NULL, err[256];
    assert_int_equal(s7p_capture_decode_mem(m.p, m.n, &o, &summary, err, sizeof err), S7P_OK);
    unlink(keylog);
    if (s.pdus != 8 || s.undecodable != 0)
        fail_msg("%zu PDUs, %zu undecodable; summary:\n%s", s.pdus, s.undecodable, summary);
    for (unsigned seq = 1; seq <= 4; seq++) {
        char want[64];
        snprintf(want, sizeof want, "resp GetMultiVariables %u\nreturn 0 (OK)\nitem 1 = Int -5", seq);
        if (!strstr(s.text, want)) fail_msg("no answer %u:\n%s", seq, s.text);
    }
    /* client: 2 updates; server: 1 asked for by the client, 1 of its own */
    if (!strstr(summary, ", 4 TLS key updates\n")) fail_msg("summary:\n%s", summary);
    s7p_text_free(summary);
    free(m.p);
    s7p_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_symbols_and_summary),
        cmocka_unit_test(test_tls_key_updates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

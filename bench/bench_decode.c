/* SPDX-License-Identifier: MIT */
/* Capture decoder benchmark: how fast `s7plus decode` reads a large capture.
 *
 *   bench_decode [--mb N] [--smoke]
 *
 * Writes a synthetic pcap of about N MB (default 100) to a temporary file: the TPKTs of a
 * real capture (S7-1511-opc-request-all-types: session set-up, Explore, Get/SetMultiVariables
 * with every type) repeated over Ethernet/IPv4/TCP connections of 16 MB each (a new client
 * port each, so no stream reaches the reader's per-direction bound). Then times
 * s7p_capture_decode_file over it twice: with a callback (every message's readable body is
 * made, as the CLI does) and without one (statistics only), and prints MB/s of capture file.
 *
 * --smoke: 2 MB, for ctest; only correctness is checked (every message decodes).
 * Exit status: 0 on success, 1 on a failure, 2 on bad arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode/pcap_streams.h"
#include "s7plus/s7plus.h"

#define SEED "S7-1511-opc-request-all-types.pcap"
#define CONN_BYTES ((size_t)16 << 20)

typedef struct counts {
    size_t messages, undecodable, body_bytes;
} counts;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* One Ethernet/IPv4/TCP frame with the TPKT as payload, as a pcap record. */
static size_t write_frame(FILE *f, uint32_t t, uint16_t cport, bool from_client, uint32_t seq,
                          const uint8_t *tpkt, size_t len)
{
    uint8_t h[16 + 14 + 20 + 20] = {0};
    size_t frame = 14 + 20 + 20 + len;
    uint32_t rec[4] = {t / 1000000u, t % 1000000u, (uint32_t)frame, (uint32_t)frame};
    memcpy(h, rec, sizeof rec);                     /* native byte order, as the magic says */
    uint8_t *e = h + 16, *ip = e + 14, *tcp = ip + 20;
    put16(e + 12, 0x0800);
    ip[0] = 0x45; put16(ip + 2, (unsigned)(20 + 20 + len)); ip[8] = 64; ip[9] = 6;
    uint8_t cl[4] = {10, 0, 0, 1}, sv[4] = {10, 0, 0, 2};
    memcpy(ip + 12, from_client ? cl : sv, 4);
    memcpy(ip + 16, from_client ? sv : cl, 4);
    put16(tcp, from_client ? cport : 102);
    put16(tcp + 2, from_client ? 102 : cport);
    put32(tcp + 4, seq);
    tcp[12] = 0x50; tcp[13] = 0x18;
    fwrite(h, 1, sizeof h, f);
    fwrite(tpkt, 1, len, f);
    return sizeof h + len;
}

static int make_capture(const char *out, size_t target)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", S7P_CAPTURE_DIR, SEED);
    s7p_pcap_streams *s = NULL;
    if (s7p_pcap_streams_load(path, &s, err, sizeof err) != S7P_PCAP_OK) {
        fprintf(stderr, "bench_decode: %s: %s\n", path, err);
        return 1;
    }
    FILE *f = fopen(out, "wb");
    if (!f) return 1;
    uint32_t gh[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};
    fwrite(gh, 1, sizeof gh, f);
    size_t total = sizeof gh, conn_start = 0;
    uint16_t cport = 40000;
    uint32_t seq[2] = {1000, 5000}, t = 0;
    while (total < target) {
        for (size_t i = 0; i < s->tpkt_count; i++) {
            const s7p_pcap_tpkt *tp = &s->tpkts[i];
            int d = tp->from_client ? 0 : 1;
            total += write_frame(f, t += 100, cport, tp->from_client, seq[d], tp->bytes, tp->len);
            seq[d] += (uint32_t)tp->len;
        }
        if (total - conn_start > CONN_BYTES) {   /* next connection */
            conn_start = total;
            cport++;
            seq[0] = 1000;
            seq[1] = 5000;
        }
    }
    s7p_pcap_streams_free(s);
    return fclose(f) == 0 ? 0 : 1;
}

static void on_msg(const s7p_decoded_pdu *m, void *user)
{
    counts *c = user;
    c->messages++;
    c->undecodable += m->kind == S7P_DECODED_UNDECODABLE;
    c->body_bytes += strlen(m->body);
}

static int run(const char *file, size_t size, bool with_cb)
{
    counts c = {0};
    s7p_decode_options o = {.on_pdu = with_cb ? on_msg : NULL, .user = &c};
    char err[256], *summary = NULL;
    double t0 = now_s();
    s7p_status st = s7p_capture_decode_file(file, &o, &summary, err, sizeof err);
    double dt = now_s() - t0;
    if (st != S7P_OK) {
        fprintf(stderr, "bench_decode: %s: %s\n", s7p_strerror(st), err);
        return 1;
    }
    s7p_text_free(summary);
    printf("%-26s %8.1f MB in %6.3f s = %7.1f MB/s (%zu messages, %zu MB of text)\n",
           with_cb ? "decode + readable bodies" : "decode, summary only", (double)size / 1e6,
           dt, (double)size / 1e6 / dt, c.messages, c.body_bytes >> 20);
    if (with_cb && (c.messages == 0 || c.undecodable)) {
        fprintf(stderr, "bench_decode: %zu undecodable of %zu\n", c.undecodable, c.messages);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t mb = 100;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) mb = 2;
        else if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc) mb = (size_t)atol(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_decode [--mb N] [--smoke]\n");
            return 2;
        }
    }
    char file[] = "/tmp/s7p-bench-decode-XXXXXX";
    int fd = mkstemp(file);
    if (fd < 0) return 1;
    close(fd);
    int rc = make_capture(file, mb << 20);
    FILE *f = fopen(file, "rb");
    long size = 0;
    if (f && fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (f) fclose(f);
    if (rc == 0) rc = run(file, (size_t)size, true);
    if (rc == 0) rc = run(file, (size_t)size, false);
    remove(file);
    return rc;
}

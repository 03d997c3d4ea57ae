/* SPDX-License-Identifier: MIT */
/* TPKT packets out of a pcap/pcapng capture. See pcap_streams.h.
 *
 * Two passes. Pass 1 reads every frame, decodes link/IP/TCP, sorts the segments into
 * conversations and keeps the payload. Only then is it known where each direction's
 * stream starts (SYN + 1, or the lowest sequence number when the SYN was not captured, or
 * arrived late), so pass 2 places the kept segments into per-direction stream buffers in
 * capture order and cuts TPKT packets as soon as they are complete. That gives every TPKT
 * the frame that completed it, and the result array comes out in capture order for free.
 */
/* pcap.h uses the BSD types u_char/u_int, which glibc hides under plain _POSIX_C_SOURCE. */
#define _DEFAULT_SOURCE 1

#include "decode/pcap_streams.h"

#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86DDu
#define ETHERTYPE_ANY  0u /* link layer without a type field: look at the IP version */
#define IPPROTO_TCP_NUM 6u
#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_ACK 0x10u
#define HASH_SLOTS (2u * S7P_PCAP_MAX_CONVERSATIONS) /* power of two, load <= 50 % */
#define MAX_VLAN_TAGS 4
#define MAX_IPV6_EXT_HEADERS 8
#define LINKTYPE_RAW_FILE 101 /* LINKTYPE_RAW, in case libpcap hands it through unmapped */

typedef struct endpoint {
    uint8_t  addr[16];
    uint16_t port;
} endpoint;

/* What one frame says once the link, IP and TCP headers are peeled off. */
typedef struct tcp_seg {
    int            ip_version;
    endpoint       src, dst;
    uint32_t       seq;
    uint8_t        flags;
    const uint8_t *payload;
    size_t         len;
    bool           truncated;
} tcp_seg;

typedef enum { DECODE_OK, DECODE_NOT_TCP, DECODE_MALFORMED } decode_result;

/* A payload-carrying segment, kept from pass 1 for pass 2. */
typedef struct seg_rec {
    uint64_t frame;
    int64_t  time_us;
    size_t   conv;
    uint8_t  dir;
    uint32_t seq;  /* sequence number of the first payload byte */
    size_t   off;  /* into priv->payload */
    size_t   len;
} seg_rec;

/* One direction of one conversation. Offsets are signed distances from `ref`, the first
 * sequence number seen, so that sequence-number wrap-around needs no special case. */
typedef struct dir_state {
    bool     have_ref, have_syn, have_data;
    uint32_t ref, syn_seq;
    int64_t  syn_data;       /* offset of the first byte after the SYN */
    int64_t  min_off, max_end;
    int64_t  base;           /* offset of stream byte 0 */
    uint8_t *buf;            /* stream bytes; kept until free, TPKTs point into it */
    uint8_t *filled;         /* 1 bit per stream byte: placed already (first copy wins) */
    size_t   span, contig, cut;
} dir_state;

typedef struct conv_state {
    dir_state d[2];
} conv_state;

struct s7p_pcap_priv {
    conv_state *cs;          /* parallel to conversations[] */
    size_t      conv_cap, cs_cap, tpkt_cap;
    uint8_t    *payload;     /* pass-1 scratch from here on; freed at the end of load */
    size_t      payload_len, payload_cap;
    seg_rec    *segs;
    size_t      seg_count, seg_cap;
    uint32_t   *hash;        /* conversation index + 1; 0 = empty slot */
    size_t      stream_total;
};

typedef struct loader {
    s7p_pcap_streams     *res;
    struct s7p_pcap_priv *pv;
    int                   linktype;
    uint16_t              port;     /* the server side's TCP port */
    int64_t               time_us;  /* timestamp of the frame being read */
    char                 *err;
    size_t                err_len;
} loader;

/* ---------------------------------------------------------------- small helpers */

static uint16_t be16(const uint8_t *p) { return (uint16_t)((unsigned)p[0] << 8 | p[1]); }

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

__attribute__((format(printf, 3, 4)))
static s7p_pcap_status fail(loader *L, s7p_pcap_status st, const char *fmt, ...)
{
    if (L->err && L->err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(L->err, L->err_len, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* Doubling growth with overflow checks; the caller's limits keep `need` reasonable.
 * Returns the array, moved or not, with room for `need` elements; NULL if that failed,
 * in which case the old array is still valid and still owned by the caller. */
static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 64;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return NULL;
        n *= 2;
    }
    void *q = realloc(p, n * elem);
    if (q)
        *cap = n;
    return q;
}

/* Signed distance of seq from ref, read as the shorter way round the 2^32 circle. */
static int64_t seq_rel(uint32_t ref, uint32_t seq)
{
    uint32_t d = seq - ref;
    return d < 0x80000000u ? (int64_t)d : (int64_t)d - (int64_t)0x100000000;
}

static bool bit_get(const uint8_t *bm, size_t i) { return (bm[i / 8] >> (i % 8)) & 1u; }
static void bit_set(uint8_t *bm, size_t i) { bm[i / 8] = (uint8_t)(bm[i / 8] | 1u << (i % 8)); }

/* ---------------------------------------------------------------- frame decoding */

static bool linktype_supported(int dlt)
{
    return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 ||
           dlt == DLT_NULL || dlt == DLT_LOOP || dlt == DLT_RAW || dlt == DLT_IPV4 ||
           dlt == DLT_IPV6 || dlt == LINKTYPE_RAW_FILE;
}

/* Ethernet, with up to MAX_VLAN_TAGS 802.1Q / 802.1ad tags in front of the type. */
static bool strip_ethernet(const uint8_t **p, size_t *n, unsigned *type)
{
    size_t off = 12;
    for (int tags = 0; tags <= MAX_VLAN_TAGS; tags++) {
        if (*n < off + 2)
            return false;
        unsigned t = be16(*p + off);
        if (t != 0x8100u && t != 0x88A8u && t != 0x9100u) {
            *type = t;
            *p += off + 2;
            *n -= off + 2;
            return true;
        }
        off += 4;
    }
    return false;
}

/* Moves *p past the link-layer header. *type is an ethertype or ETHERTYPE_ANY. */
static bool strip_link(int dlt, const uint8_t **p, size_t *n, unsigned *type)
{
    size_t hdr = 0;
    *type = ETHERTYPE_ANY;
    if (dlt == DLT_EN10MB)
        return strip_ethernet(p, n, type);
    if (dlt == DLT_LINUX_SLL) {
        hdr = 16;
        if (*n >= hdr)
            *type = be16(*p + 14);
    } else if (dlt == DLT_LINUX_SLL2) {
        hdr = 20;
        if (*n >= hdr)
            *type = be16(*p);
    } else if (dlt == DLT_NULL || dlt == DLT_LOOP) {
        hdr = 4; /* address family in either byte order: the IP version nibble decides */
    }
    if (*n < hdr)
        return false;
    *p += hdr;
    *n -= hdr;
    return true;
}

static decode_result parse_tcp(const uint8_t *p, size_t n, tcp_seg *s)
{
    if (n < 20)
        return DECODE_MALFORMED;
    size_t doff = (size_t)(p[12] >> 4) * 4;
    if (doff < 20 || doff > n)
        return DECODE_MALFORMED;
    s->src.port = be16(p);
    s->dst.port = be16(p + 2);
    s->seq = be32(p + 4);
    s->flags = p[13];
    s->payload = p + doff;
    s->len = n - doff;
    return DECODE_OK;
}

static decode_result parse_ipv4(const uint8_t *p, size_t n, tcp_seg *s)
{
    if (n < 20 || p[0] >> 4 != 4)
        return DECODE_MALFORMED;
    size_t ihl = (size_t)(p[0] & 0x0Fu) * 4;
    size_t total = be16(p + 2);
    if (total == 0)
        total = n; /* TSO on the capturing host writes 0 here; trust the frame */
    if (ihl < 20 || ihl > n || total < ihl)
        return DECODE_MALFORMED;
    if ((be16(p + 6) & 0x3FFFu) != 0)
        return DECODE_MALFORMED; /* a fragment: we do not reassemble IP */
    if (p[9] != IPPROTO_TCP_NUM)
        return DECODE_NOT_TCP;
    s->ip_version = 4;
    memcpy(s->src.addr, p + 12, 4);
    memcpy(s->dst.addr, p + 16, 4);
    s->truncated = total > n;
    /* total < n: Ethernet padding after a short packet, which is not TCP payload */
    return parse_tcp(p + ihl, (total > n ? n : total) - ihl, s);
}

/* Walks hop-by-hop, routing and destination options headers to the TCP header. */
static decode_result parse_ipv6(const uint8_t *p, size_t n, tcp_seg *s)
{
    if (n < 40 || p[0] >> 4 != 6)
        return DECODE_MALFORMED;
    size_t total = 40 + (size_t)be16(p + 4);
    if (total == 40)
        return DECODE_MALFORMED; /* jumbogram or empty; neither carries our TCP */
    size_t avail = total > n ? n : total;
    unsigned nh = p[6];
    size_t off = 40;
    for (int i = 0; i < MAX_IPV6_EXT_HEADERS && (nh == 0 || nh == 43 || nh == 60); i++) {
        if (avail < off + 2)
            return DECODE_MALFORMED;
        nh = p[off];
        off += ((size_t)p[off + 1] + 1) * 8;
    }
    if (nh == 44 || off > avail)
        return DECODE_MALFORMED; /* fragment, or headers beyond the packet */
    if (nh != IPPROTO_TCP_NUM)
        return DECODE_NOT_TCP;
    s->ip_version = 6;
    memcpy(s->src.addr, p + 8, 16);
    memcpy(s->dst.addr, p + 24, 16);
    s->truncated = total > n;
    return parse_tcp(p + off, avail - off, s);
}

static decode_result decode_frame(int dlt, const uint8_t *p, size_t n, tcp_seg *s)
{
    unsigned type;
    memset(s, 0, sizeof *s);
    if (!strip_link(dlt, &p, &n, &type))
        return DECODE_MALFORMED;
    if (type == ETHERTYPE_ANY && n > 0)
        type = (p[0] >> 4) == 4 ? ETHERTYPE_IPV4 : (p[0] >> 4) == 6 ? ETHERTYPE_IPV6 : 1u;
    if (type == ETHERTYPE_IPV4)
        return parse_ipv4(p, n, s);
    if (type == ETHERTYPE_IPV6)
        return parse_ipv6(p, n, s);
    return DECODE_NOT_TCP;
}

/* ---------------------------------------------------------------- conversations */

static int endpoint_cmp(const endpoint *a, const endpoint *b)
{
    int c = memcmp(a->addr, b->addr, sizeof a->addr);
    return c ? c : (int)a->port - (int)b->port;
}

/* Which side is the client (not on port 102), and which way this segment goes. */
static void orient(const tcp_seg *s, uint16_t port, endpoint *client, endpoint *server, int *dir)
{
    bool src_srv = s->src.port == port;
    bool dst_srv = s->dst.port == port;
    bool from_client = (dst_srv && !src_srv) ? true
                       : (src_srv && !dst_srv) ? false
                       : endpoint_cmp(&s->src, &s->dst) <= 0;
    *client = from_client ? s->src : s->dst;
    *server = from_client ? s->dst : s->src;
    *dir = from_client ? S7P_PCAP_C2S : S7P_PCAP_S2C;
}

static uint32_t conv_hash(int ipv, const endpoint *c, const endpoint *sv)
{
    uint32_t h = 2166136261u ^ (uint32_t)ipv; /* FNV-1a */
    const endpoint *e[2] = {c, sv};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < sizeof e[k]->addr; i++)
            h = (h ^ e[k]->addr[i]) * 16777619u;
        h = (h ^ (e[k]->port & 0xFFu)) * 16777619u;
        h = (h ^ (uint32_t)(e[k]->port >> 8)) * 16777619u;
    }
    return h;
}

static bool conv_matches(const s7p_pcap_conversation *cv, int ipv, const endpoint *c,
                         const endpoint *sv)
{
    return cv->ip_version == ipv && cv->client_port == c->port &&
           cv->server_port == sv->port && !memcmp(cv->client_addr, c->addr, 16) &&
           !memcmp(cv->server_addr, sv->addr, 16);
}

/* Slot holding this 4-tuple, or the empty slot where it would go. Never full: at most
 * MAX_CONVERSATIONS distinct tuples live in 2 * MAX_CONVERSATIONS slots. */
static uint32_t *conv_slot(loader *L, int ipv, const endpoint *c, const endpoint *sv)
{
    uint32_t i = conv_hash(ipv, c, sv) & (HASH_SLOTS - 1);
    for (;; i = (i + 1) & (HASH_SLOTS - 1)) {
        uint32_t v = L->pv->hash[i];
        if (v == 0 || conv_matches(&L->res->conversations[v - 1], ipv, c, sv))
            return &L->pv->hash[i];
    }
}

static s7p_pcap_status conv_add(loader *L, const tcp_seg *s, const endpoint *c,
                                const endpoint *sv, uint64_t frame, size_t *idx)
{
    s7p_pcap_streams *r = L->res;
    if (r->conversation_count >= S7P_PCAP_MAX_CONVERSATIONS)
        return fail(L, S7P_PCAP_E_LIMIT, "more than %u TCP conversations on port 102",
                    S7P_PCAP_MAX_CONVERSATIONS);
    size_t n = r->conversation_count + 1;
    void *cvs = grow(r->conversations, &L->pv->conv_cap, n, sizeof *r->conversations);
    if (cvs)
        r->conversations = cvs;
    void *css = cvs ? grow(L->pv->cs, &L->pv->cs_cap, n, sizeof *L->pv->cs) : NULL;
    if (!css)
        return fail(L, S7P_PCAP_E_NOMEM, "out of memory (conversations)");
    L->pv->cs = css;
    s7p_pcap_conversation *cv = &r->conversations[n - 1];
    memset(cv, 0, sizeof *cv);
    memset(&L->pv->cs[n - 1], 0, sizeof L->pv->cs[n - 1]);
    cv->ip_version = s->ip_version;
    memcpy(cv->client_addr, c->addr, 16);
    memcpy(cv->server_addr, sv->addr, 16);
    cv->client_port = c->port;
    cv->server_port = sv->port;
    cv->first_frame = frame;
    r->conversation_count = n;
    *idx = n - 1;
    return S7P_PCAP_OK;
}

/* A client SYN on a tuple that already carried data, or with another initial sequence
 * number, opens a new connection that happens to reuse the ports. */
static bool starts_new_connection(const conv_state *cs, const tcp_seg *s, int dir)
{
    if (dir != S7P_PCAP_C2S || !(s->flags & TCP_SYN) || (s->flags & TCP_ACK))
        return false;
    const dir_state *d = &cs->d[S7P_PCAP_C2S];
    return cs->d[0].have_data || cs->d[1].have_data || (d->have_syn && d->syn_seq != s->seq);
}

static s7p_pcap_status find_conv(loader *L, const tcp_seg *s, uint64_t frame, size_t *idx,
                                 int *dir)
{
    endpoint c, sv;
    orient(s, L->port, &c, &sv, dir);
    uint32_t *slot = conv_slot(L, s->ip_version, &c, &sv);
    if (*slot != 0 && !starts_new_connection(&L->pv->cs[*slot - 1], s, *dir)) {
        *idx = *slot - 1;
        return S7P_PCAP_OK;
    }
    s7p_pcap_status st = conv_add(L, s, &c, &sv, frame, idx);
    if (st == S7P_PCAP_OK)
        *slot = (uint32_t)(*idx + 1); /* the newest connection on this tuple wins */
    return st;
}

/* ---------------------------------------------------------------- pass 1: collect */

static s7p_pcap_status keep_payload(loader *L, const tcp_seg *s, size_t conv, int dir,
                                    uint32_t seq, uint64_t frame)
{
    struct s7p_pcap_priv *pv = L->pv;
    if (s->len > S7P_PCAP_MAX_PAYLOAD - pv->payload_len)
        return fail(L, S7P_PCAP_E_LIMIT, "more than %u bytes of TCP payload on port 102",
                    S7P_PCAP_MAX_PAYLOAD);
    void *pl = grow(pv->payload, &pv->payload_cap, pv->payload_len + s->len, 1);
    if (pl)
        pv->payload = pl;
    void *sg = pl ? grow(pv->segs, &pv->seg_cap, pv->seg_count + 1, sizeof *pv->segs) : NULL;
    if (!sg)
        return fail(L, S7P_PCAP_E_NOMEM, "out of memory (segments)");
    pv->segs = sg;
    memcpy(pv->payload + pv->payload_len, s->payload, s->len);
    pv->segs[pv->seg_count++] = (seg_rec){.frame = frame, .time_us = L->time_us, .conv = conv, .dir = (uint8_t)dir,
                                          .seq = seq, .off = pv->payload_len, .len = s->len};
    pv->payload_len += s->len;
    return S7P_PCAP_OK;
}

static s7p_pcap_status collect_segment(loader *L, const tcp_seg *s, uint64_t frame)
{
    size_t conv = 0;
    int dir = 0;
    s7p_pcap_status st = find_conv(L, s, frame, &conv, &dir);
    if (st != S7P_PCAP_OK)
        return st;
    L->res->stats.tcp_segments++;
    L->res->stats.truncated_payload += s->truncated;
    dir_state *d = &L->pv->cs[conv].d[dir];
    if (!d->have_ref) {
        d->have_ref = true;
        d->ref = s->seq;
    }
    uint32_t data_seq = s->seq + ((s->flags & TCP_SYN) ? 1u : 0u); /* SYN takes one number */
    if ((s->flags & TCP_SYN) && !d->have_syn) {
        d->have_syn = true;
        d->syn_seq = s->seq;
        d->syn_data = seq_rel(d->ref, data_seq);
    }
    if (s->len == 0)
        return S7P_PCAP_OK;
    int64_t off = seq_rel(d->ref, data_seq), end = off + (int64_t)s->len;
    d->min_off = (!d->have_data || off < d->min_off) ? off : d->min_off;
    d->max_end = (!d->have_data || end > d->max_end) ? end : d->max_end;
    d->have_data = true;
    return keep_payload(L, s, conv, dir, data_seq, frame);
}

static s7p_pcap_status on_frame(loader *L, const struct pcap_pkthdr *h, const uint8_t *data)
{
    s7p_pcap_stats *stats = &L->res->stats;
    if (++stats->frames > S7P_PCAP_MAX_FRAMES)
        return fail(L, S7P_PCAP_E_LIMIT, "more than %u frames", S7P_PCAP_MAX_FRAMES);
    tcp_seg s;
    /* Unsigned: a corrupt pcapng timestamp must not overflow (it only shows a wrong time). */
    L->time_us = (int64_t)((uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec);
    decode_result r = decode_frame(L->linktype, data, h->caplen, &s);
    if (r == DECODE_OK && s.src.port != L->port && s.dst.port != L->port)
        r = DECODE_NOT_TCP;
    stats->skipped_not_tcp += r == DECODE_NOT_TCP;
    stats->skipped_malformed += r == DECODE_MALFORMED;
    return r == DECODE_OK ? collect_segment(L, &s, stats->frames) : S7P_PCAP_OK;
}

static s7p_pcap_status read_frames(loader *L, pcap_t *pc)
{
    struct pcap_pkthdr *h;
    const uint8_t *data;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        s7p_pcap_status st = on_frame(L, h, data);
        if (st != S7P_PCAP_OK)
            return st;
    }
    if (rc == PCAP_ERROR_BREAK) /* -2: end of file */
        return S7P_PCAP_OK;
    return fail(L, S7P_PCAP_E_READ, "reading frame %llu: %s",
                (unsigned long long)L->res->stats.frames + 1, pcap_geterr(pc));
}

/* ---------------------------------------------------------------- pass 2: streams */

static s7p_pcap_status alloc_stream(loader *L, s7p_pcap_conversation *cv, dir_state *d, int dir)
{
    if (!d->have_data)
        return S7P_PCAP_OK;
    d->base = d->have_syn ? d->syn_data : d->min_off;
    int64_t end = d->max_end - d->base;
    if (end <= 0)
        return S7P_PCAP_OK; /* all data lies before the SYN: nothing to place */
    if (end > (int64_t)S7P_PCAP_MAX_STREAM) {
        end = S7P_PCAP_MAX_STREAM;
        cv->clipped[dir] = true;
    }
    d->span = (size_t)end;
    if (d->span > S7P_PCAP_MAX_STREAM_TOTAL - L->pv->stream_total)
        return fail(L, S7P_PCAP_E_LIMIT, "TCP streams span more than %u bytes",
                    S7P_PCAP_MAX_STREAM_TOTAL);
    L->pv->stream_total += d->span;
    d->buf = malloc(d->span);
    d->filled = calloc((d->span + 7) / 8, 1);
    if (!d->buf || !d->filled)
        return fail(L, S7P_PCAP_E_NOMEM, "out of memory (%zu-byte stream)", d->span);
    return S7P_PCAP_OK;
}

/* Copies the bytes of one segment that are not in the stream yet. */
static void place_segment(dir_state *d, const seg_rec *sg, const uint8_t *payload)
{
    int64_t o = seq_rel(d->ref, sg->seq) - d->base;
    const uint8_t *src = payload + sg->off;
    size_t len = sg->len;
    if (o < 0) { /* starts before the stream (before the SYN): drop that part */
        if ((uint64_t)-o >= len)
            return;
        src += (size_t)-o;
        len -= (size_t)-o;
        o = 0;
    }
    if ((uint64_t)o >= d->span)
        return;
    size_t at = (size_t)o;
    if (len > d->span - at)
        len = d->span - at;
    for (size_t i = 0; i < len; i++) {
        if (!bit_get(d->filled, at + i)) {
            d->buf[at + i] = src[i];
            bit_set(d->filled, at + i);
        }
    }
    while (d->contig < d->span && bit_get(d->filled, d->contig))
        d->contig++;
}

static s7p_pcap_status push_tpkt(loader *L, const seg_rec *sg, const uint8_t *bytes, size_t len)
{
    s7p_pcap_streams *r = L->res;
    void *t = grow(r->tpkts, &L->pv->tpkt_cap, r->tpkt_count + 1, sizeof *r->tpkts);
    if (!t)
        return fail(L, S7P_PCAP_E_NOMEM, "out of memory (TPKT list)");
    r->tpkts = t;
    r->tpkts[r->tpkt_count++] = (s7p_pcap_tpkt){.conversation = sg->conv,
                                                .from_client = sg->dir == S7P_PCAP_C2S,
                                                .bytes = bytes, .len = len,
                                                .frame = sg->frame,
                                                .time_us = sg->time_us};
    r->conversations[sg->conv].tpkt_count[sg->dir]++;
    return S7P_PCAP_OK;
}

/* Cuts every TPKT that is complete in the contiguous part of the stream. */
static s7p_pcap_status cut_tpkts(loader *L, dir_state *d, const seg_rec *sg)
{
    s7p_pcap_conversation *cv = &L->res->conversations[sg->conv];
    while (!cv->desync[sg->dir] && d->contig - d->cut >= 4) {
        const uint8_t *h = d->buf + d->cut;
        size_t len = be16(h + 2);
        if (h[0] != 3 || h[1] != 0 || len < S7P_PCAP_TPKT_MIN_LEN) {
            cv->desync[sg->dir] = true;
            break;
        }
        if (d->contig - d->cut < len)
            break;
        s7p_pcap_status st = push_tpkt(L, sg, h, len);
        if (st != S7P_PCAP_OK)
            return st;
        d->cut += len;
    }
    return S7P_PCAP_OK;
}

static size_t count_bits(const uint8_t *bm, size_t nbits)
{
    size_t n = 0;
    for (size_t i = 0; i < nbits; i++)
        n += bit_get(bm, i);
    return n;
}

static void finish_direction(s7p_pcap_conversation *cv, dir_state *d, int dir)
{
    size_t have = d->filled ? count_bits(d->filled, d->span) : 0;
    cv->saw_syn[dir] = d->have_syn;
    cv->gap[dir] = have > d->contig;
    cv->leftover[dir] = have - d->cut;
    free(d->filled); /* only the bytes are needed from here on */
    d->filled = NULL;
}

static s7p_pcap_status build_streams(loader *L)
{
    s7p_pcap_streams *r = L->res;
    struct s7p_pcap_priv *pv = L->pv;
    for (size_t i = 0; i < r->conversation_count; i++) {
        for (int dir = 0; dir < 2; dir++) {
            s7p_pcap_status st = alloc_stream(L, &r->conversations[i], &pv->cs[i].d[dir], dir);
            if (st != S7P_PCAP_OK)
                return st;
        }
    }
    for (size_t k = 0; k < pv->seg_count; k++) {
        const seg_rec *sg = &pv->segs[k];
        dir_state *d = &pv->cs[sg->conv].d[sg->dir];
        if (d->span == 0)
            continue;
        place_segment(d, sg, pv->payload);
        s7p_pcap_status st = cut_tpkts(L, d, sg);
        if (st != S7P_PCAP_OK)
            return st;
    }
    for (size_t i = 0; i < r->conversation_count; i++)
        for (int dir = 0; dir < 2; dir++)
            finish_direction(&r->conversations[i], &pv->cs[i].d[dir], dir);
    return S7P_PCAP_OK;
}

/* ---------------------------------------------------------------- public */

static void free_scratch(struct s7p_pcap_priv *pv)
{
    free(pv->payload);
    free(pv->segs);
    free(pv->hash);
    pv->payload = NULL;
    pv->segs = NULL;
    pv->hash = NULL;
    pv->payload_len = pv->payload_cap = pv->seg_count = pv->seg_cap = 0;
}

void s7p_pcap_streams_free(s7p_pcap_streams *s)
{
    if (!s)
        return;
    if (s->priv) {
        for (size_t i = 0; i < s->conversation_count && s->priv->cs; i++) {
            for (int dir = 0; dir < 2; dir++) {
                free(s->priv->cs[i].d[dir].buf);
                free(s->priv->cs[i].d[dir].filled);
            }
        }
        free(s->priv->cs);
        free_scratch(s->priv);
        free(s->priv);
    }
    free(s->tpkts);
    free(s->conversations);
    free(s);
}

/* A capture in memory is read through a stdio stream on it (fmemopen): libpcap reads pcap
 * and pcapng from any FILE *. pcap_close() closes the stream too. */
static pcap_t *open_memory(const s7p_pcap_input *in, char *perr)
{
    FILE *f = fmemopen((void *)(uintptr_t)in->data, in->len, "rb");
    if (!f) {
        snprintf(perr, PCAP_ERRBUF_SIZE, "cannot open the capture in memory");
        return NULL;
    }
    pcap_t *pc = pcap_fopen_offline(f, perr);
    if (!pc)
        fclose(f);
    return pc;
}

static s7p_pcap_status open_capture(loader *L, const s7p_pcap_input *in, pcap_t **pc)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    const char *path = in->path ? in->path : "(memory)";
    *pc = in->path ? pcap_open_offline(path, perr) : open_memory(in, perr);
    if (!*pc) /* libpcap names the file in some messages and not in others */
        return strncmp(perr, path, strlen(path)) == 0
                   ? fail(L, S7P_PCAP_E_OPEN, "%s", perr)
                   : fail(L, S7P_PCAP_E_OPEN, "%s: %s", path, perr);
    L->linktype = pcap_datalink(*pc);
    L->res->linktype = L->linktype;
    if (!linktype_supported(L->linktype))
        return fail(L, S7P_PCAP_E_LINKTYPE, "%s: link type %d (%s) not supported", path,
                    L->linktype, pcap_datalink_val_to_name(L->linktype)
                                     ? pcap_datalink_val_to_name(L->linktype) : "?");
    return S7P_PCAP_OK;
}

static s7p_pcap_status load_into(loader *L, const s7p_pcap_input *in)
{
    L->pv->hash = calloc(HASH_SLOTS, sizeof *L->pv->hash);
    if (!L->pv->hash)
        return fail(L, S7P_PCAP_E_NOMEM, "out of memory (hash)");
    pcap_t *pc = NULL;
    s7p_pcap_status st = open_capture(L, in, &pc);
    if (st == S7P_PCAP_OK)
        st = read_frames(L, pc);
    if (pc)
        pcap_close(pc);
    if (st == S7P_PCAP_OK)
        st = build_streams(L);
    free_scratch(L->pv);
    return st;
}

s7p_pcap_status s7p_pcap_streams_load(const char *path, s7p_pcap_streams **out, char *err,
                                      size_t err_len)
{
    s7p_pcap_input in = {.path = path};
    if (!path && out) {
        *out = NULL;
        if (err && err_len)
            snprintf(err, err_len, "path is NULL");
        return S7P_PCAP_E_INVALID_ARG;
    }
    return s7p_pcap_streams_read(&in, out, err, err_len);
}

s7p_pcap_status s7p_pcap_streams_read(const s7p_pcap_input *in, s7p_pcap_streams **out,
                                      char *err, size_t err_len)
{
    loader L = {.err = err, .err_len = err_len};
    if (err && err_len)
        err[0] = '\0';
    if (!out)
        return fail(&L, S7P_PCAP_E_INVALID_ARG, "out is NULL");
    *out = NULL;
    if (!in || (!in->path && (!in->data || in->len == 0)))
        return fail(&L, S7P_PCAP_E_INVALID_ARG, "no capture given");
    L.port = in->port ? in->port : S7P_PCAP_ISO_TCP_PORT;
    L.res = calloc(1, sizeof *L.res);
    L.pv = calloc(1, sizeof *L.pv);
    if (!L.res || !L.pv) {
        free(L.res);
        free(L.pv);
        return fail(&L, S7P_PCAP_E_NOMEM, "out of memory");
    }
    L.res->priv = L.pv;
    s7p_pcap_status st = load_into(&L, in);
    if (st != S7P_PCAP_OK) {
        s7p_pcap_streams_free(L.res);
        return st;
    }
    *out = L.res;
    return S7P_PCAP_OK;
}

const char *s7p_pcap_status_str(s7p_pcap_status st)
{
    switch (st) {
    case S7P_PCAP_OK: return "ok";
    case S7P_PCAP_E_INVALID_ARG: return "invalid argument";
    case S7P_PCAP_E_OPEN: return "cannot open capture";
    case S7P_PCAP_E_READ: return "error while reading capture";
    case S7P_PCAP_E_LINKTYPE: return "unsupported link type";
    case S7P_PCAP_E_NOMEM: return "out of memory";
    case S7P_PCAP_E_LIMIT: return "capture exceeds a size limit";
    }
    return "unknown status";
}

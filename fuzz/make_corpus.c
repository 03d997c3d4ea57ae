/* SPDX-License-Identifier: MIT */
/* Seed corpus for the fuzz targets, cut out of the real PLC captures.
 *
 *   make_corpus CAPTURE_DIR OUT_DIR
 *
 * Reads every *.pcap / *.pcapng in CAPTURE_DIR (tests/support/pcap_streams.h), splits the COTP
 * data TPDUs into frames, reassembles the PDUs and writes, one file per input, named by a
 * hash of its content (so duplicates collapse):
 *   OUT_DIR/frame/         every COTP payload, every single frame, every fragmented PDU's
 *                          frames together; a keep-alive and system events (synthetic)
 *   OUT_DIR/pdu/           version byte + every reassembled data part (V2 ones also as V3,
 *                          with a zero digest field in front)
 *   OUT_DIR/value/         mode byte + every value found in the decoded PDUs (top-level and
 *                          struct members), re-encoded with our encoder
 *   OUT_DIR/object/        every object list and every single object (children included)
 *   OUT_DIR/notification/  version byte + every notification body
 *   OUT_DIR/subscription/  every subscription object (class 1001) and its reference list
 *                          (attribute 1048, a PValue without mode byte)
 *   OUT_DIR/cotp/          every whole TPKT (any TPDU: CR, CC, DT, DR ...), each direction's
 *                          TPKTs joined (pieces of at most SEED_STREAM_MAX bytes, cut between
 *                          TPKTs); synthetic CR, CC, DR, ER and DT TPKTs and a sequence of them
 *   OUT_DIR/stream/        receive mode byte 0 (fuzz_stream: all at once) + a TCP byte
 *                          stream as a link gets it, in COTP DTs: each direction's COTP
 *                          payloads joined (pieces of about SEED_STREAM_MAX bytes, cut between
 *                          messages), each message's frames alone; the synthetic keep-alive
 *                          and system events alone and together
 * Files already in those directories are removed first. This is test code: it prints a
 * summary line and returns 1 on any error. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pcap_streams.h"
#include "net/cotp.h"
#include "proto/frame.h"
#include "proto/pdu.h"

#define REASM_CAP ((size_t)1 << 20)
#define ACC_CAP ((size_t)1 << 20)
#define SEED_STREAM_MAX ((size_t)32 << 10)  /* joined TPKTs / payloads per cotp, stream seed */
#define STREAM_MODE_ALL 0x00                /* fuzz_stream byte 0: the rest in one feed */
#define STREAM_DT_DATA 1017u                /* a DT of the usual 1024-byte TPDU */

enum { T_FRAME, T_PDU, T_VALUE, T_OBJECT, T_NOTIF, T_COTP, T_STREAM, T_CAPTURE, T_SUB, T_COUNT };
static const char *const target_dir[T_COUNT] = {"frame", "pdu", "value", "object", "notification",
                                                "cotp", "stream", "capture", "subscription"};

static char g_out[4096];
static size_t g_written[T_COUNT];
static int g_errors;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void fail(const char *fmt, ...);

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "make_corpus: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    g_errors++;
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Writes one input (prefix byte first when prefix >= 0) unless the same content exists. */
static void emit2(int t, int prefix, const uint8_t *p, size_t n)
{
    uint8_t *buf = malloc(n + 1);
    if (!buf) {
        fail("out of memory");
        return;
    }
    size_t len = 0;
    if (prefix >= 0) buf[len++] = (uint8_t)prefix;
    if (n) memcpy(buf + len, p, n);
    len += n;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s/%016llx", g_out, target_dir[t],
             (unsigned long long)fnv1a(buf, len));
    struct stat st;
    if (stat(path, &st) != 0) {
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
            fail("%s: %s", path, strerror(errno));
        } else {
            g_written[t]++;
        }
    }
    free(buf);
}

static void emit(int t, const uint8_t *p, size_t n) { emit2(t, -1, p, n); }

/* A stream seed: the receive mode byte, then the plaintext as a peer sends it over TCP, in
 * COTP DTs (each with EOT) of at most STREAM_DT_DATA bytes. */
static void emit_stream(const uint8_t *p, size_t n)
{
    size_t dts = n / STREAM_DT_DATA + 1;
    size_t cap = n + dts * (S7P_TPKT_HEADER_LEN + S7P_COTP_DT_HEADER_LEN);
    uint8_t *buf = malloc(cap);
    if (!buf) {
        fail("out of memory");
        return;
    }
    s7p_wr w = s7p_wr_init(buf, cap);
    for (size_t off = 0; off < n;) {
        size_t k = n - off < STREAM_DT_DATA ? n - off : STREAM_DT_DATA;
        s7p_cotp_write_dt(&w, p + off, k, true);
        off += k;
    }
    if (w.err == S7P_OK)
        emit2(T_STREAM, STREAM_MODE_ALL, buf, w.len);
    else
        fail("stream seed of %zu bytes: %s", n, s7p_strerror(w.err));
    free(buf);
}

/* ---- encoders of decoded pieces -------------------------------------------------------- */

typedef bool (*enc_fn)(s7p_wr *w, const void *obj);

static void emit_encoded(int t, int prefix, enc_fn enc, const void *obj, bool fixed, bool u32)
{
    s7p_wr cw = s7p_wr_counter();
    cw.fixed_ints = fixed;
    cw.u32_ids = u32;
    if (!enc(&cw, obj)) return;  /* e.g. a member list that only makes sense in context */
    uint8_t *buf = malloc(cw.len ? cw.len : 1);
    if (!buf) {
        fail("out of memory");
        return;
    }
    s7p_wr w = s7p_wr_init(buf, cw.len);
    w.fixed_ints = fixed;
    w.u32_ids = u32;
    if (enc(&w, obj)) emit2(t, prefix, buf, w.len);
    free(buf);
}

static bool enc_value(s7p_wr *w, const void *o) { return s7p_value_encode(w, o); }
static bool enc_object(s7p_wr *w, const void *o) { return s7p_object_encode(w, o); }
static bool enc_object_list(s7p_wr *w, const void *o) { return s7p_object_list_encode(w, o); }

static void walk_value(const s7p_value *v, int mode);
static void walk_object(const s7p_object *o);

static void walk_idlist(const s7p_idlist *l, int mode)
{
    for (const s7p_member *m = l->first; m; m = m->next) walk_value(&m->value, mode);
}

/* mode: fuzz_value's first byte (bit 0 fixed ints, bit 1 u32 member ids). */
static void walk_value(const s7p_value *v, int mode)
{
    emit_encoded(T_VALUE, mode, enc_value, v, mode & 1, (mode & 2) != 0);
    if (v->type == S7P_DT_STRUCT && v->v.st && !s7p_value_is_array(v) && !s7p_value_is_sparse(v))
        walk_idlist(&v->v.st->members, mode);
    if (v->type == S7P_DT_BLOB && v->v.blob && !s7p_value_is_array(v) && !s7p_value_is_sparse(v))
        walk_idlist(&v->v.blob->list, mode);
}

static void walk_object(const s7p_object *o)
{
    if (!o) return;
    emit_encoded(T_OBJECT, -1, enc_object, o, false, false);
    if (o->class_id == S7P_ID_CLASS_SUBSCRIPTION) {
        emit_encoded(T_SUB, -1, enc_object, o, false, false);
        const s7p_value *refs = s7p_object_attr(o, S7P_ID_SUBSCRIPTION_REFERENCE_LIST);
        if (refs) emit_encoded(T_SUB, -1, enc_value, refs, false, false);
    }
    for (const s7p_obj_elem *e = o->first; e; e = e->next) {
        if (e->tag == S7P_EL_ATTRIBUTE) walk_value(&e->u.attr.value, 0);
        else if (e->tag == S7P_EL_START_OBJECT) walk_object(e->u.child);
    }
}

static void walk_object_list(const s7p_object_list *l)
{
    if (l->n == 0) return;
    emit_encoded(T_OBJECT, -1, enc_object_list, l, false, false);
    for (uint32_t i = 0; i < l->n; i++) walk_object(l->items[i]);
}

static void walk_notif_list(const s7p_notif_list *l)
{
    for (const s7p_notif_item *it = l->first; it; it = it->next) {
        if (it->code == S7P_NI_OBJECT) walk_object(it->object);
        else if (it->code == S7P_NI_VALUE || it->code == S7P_NI_VALUE_REF32 ||
                 it->code == S7P_NI_VALUE_V1)
            walk_value(&it->value, 0);
    }
}

typedef struct {
    uint8_t version;
    const s7p_notification *n;
} notif_ref;

static bool enc_notif(s7p_wr *w, const void *o)
{
    const notif_ref *r = o;
    return s7p_notification_encode(w, r->version, r->n);
}

static void walk_pdu(const s7p_pdu *p)
{
    if (p->opcode == S7P_OP_NOTIFICATION) {
        notif_ref ref = {p->version, &p->notif};
        emit_encoded(T_NOTIF, p->version, enc_notif, &ref, false, false);
        walk_notif_list(&p->notif.items);
        walk_notif_list(&p->notif.items2);
        return;
    }
    if (p->opcode == S7P_OP_REQUEST) {
        if (p->qualifier.present) walk_idlist(&p->qualifier.list, 0);
        switch (p->function) {
        case S7P_FC_CREATE_OBJECT:
            walk_value(&p->req.create_object.request_value, 0);
            walk_object_list(&p->req.create_object.objects);
            break;
        case S7P_FC_EXPLORE:
            for (uint32_t i = 0; i < p->req.explore.nblocks; i++)
                walk_idlist(&p->req.explore.blocks[i].members, 0);
            break;
        case S7P_FC_SET_MULTI_VARIABLES: walk_idlist(&p->req.set_multi.values, 0); break;
        case S7P_FC_SET_VARIABLE: walk_value(&p->req.set_variable.value, 0); break;
        case S7P_FC_GET_VAR_SUB_STREAMED:
        case S7P_FC_SET_VAR_SUB_STREAMED:
            walk_value(&p->req.var_sub_streamed.value, 2);
            if (p->function == S7P_FC_SET_VAR_SUB_STREAMED)
                walk_value(&p->req.var_sub_streamed.stream, 0);
            break;
        case S7P_FC_BEGIN_SEQUENCE: walk_object_list(&p->req.begin_sequence.objects); break;
        case S7P_FC_INVOKE: walk_idlist(&p->req.invoke.values, 0); break;
        default: break;
        }
        return;
    }
    switch (p->function) {
    case S7P_FC_CREATE_OBJECT: walk_object_list(&p->resp.create_object.objects); break;
    case S7P_FC_DELETE_OBJECT: walk_object_list(&p->resp.delete_object.error); break;
    case S7P_FC_EXPLORE: walk_object_list(&p->resp.explore.objects); break;
    case S7P_FC_GET_MULTI_VARIABLES: walk_idlist(&p->resp.get_multi.values, 0); break;
    case S7P_FC_GET_VARIABLE: walk_value(&p->resp.get_variable.value, 0); break;
    case S7P_FC_GET_VAR_SUB_STREAMED: walk_value(&p->resp.get_var_sub_streamed.value, 0); break;
    case S7P_FC_INVOKE: walk_idlist(&p->resp.invoke.values, 0); break;
    default: break;
    }
}

/* ---- PDUs and frames ------------------------------------------------------------------- */

static s7p_pdu g_pdu;

static void handle_pdu(const uint8_t *data, size_t n, uint8_t version)
{
    emit2(T_PDU, version, data, n);
    if (version == S7P_PROTO_V2) {
        /* The same body as V3: a digest field in front. */
        uint8_t *v3 = malloc(n + 33);
        if (!v3) {
            fail("out of memory");
            return;
        }
        v3[0] = 0x20;
        memset(v3 + 1, 0, 32);
        memcpy(v3 + 33, data, n);
        emit2(T_PDU, S7P_PROTO_V3, v3, n + 33);
        free(v3);
    }
    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    if (s7p_pdu_decode(data, n, version, &a, &g_pdu) == S7P_OK) {
        walk_pdu(&g_pdu);
        if (g_pdu.opcode == S7P_OP_NOTIFICATION && n > 1)
            emit2(T_NOTIF, version, data + 1, n - 1);  /* as on the wire, tail included */
    }
    s7p_arena_release(&a);
}

typedef struct {
    s7p_reasm rs;
    uint8_t *acc;          /* the raw frames of the PDU being reassembled */
    size_t acc_len, acc_frames;
    uint8_t *tpkts;        /* whole TPKTs joined, for a cotp seed */
    size_t tpkts_len;
    uint8_t *stream;       /* COTP payloads joined, for a stream seed */
    size_t stream_len;
} direction;

/* Appends n bytes to a seed being joined (buf of ACC_CAP bytes); false when they do not fit. */
static bool join(uint8_t *buf, size_t *len, const uint8_t *p, size_t n)
{
    if (n > ACC_CAP - *len) return false;
    memcpy(buf + *len, p, n);
    *len += n;
    return true;
}

static void flush_tpkts(direction *d)
{
    if (d->tpkts_len) emit(T_COTP, d->tpkts, d->tpkts_len);
    d->tpkts_len = 0;
}

static void flush_stream(direction *d)
{
    if (d->stream_len) emit_stream(d->stream, d->stream_len);
    d->stream_len = 0;
}

static void handle_sysevent(const s7p_frame *f)
{
    s7p_arena a;
    s7p_sysevent ev;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    if (s7p_sysevent_decode(f->data.p, f->data.n, &a, &ev) == S7P_OK && ev.kind == S7P_SYSEV_STRUCT)
        walk_value(&ev.value, 1);
    s7p_arena_release(&a);
}

static void handle_payload(const uint8_t *p, size_t n, direction *d)
{
    emit(T_FRAME, p, n);
    /* The stream seed is cut between messages only, once it has SEED_STREAM_MAX bytes. */
    if (!d->rs.active && d->stream_len && d->stream_len + n > SEED_STREAM_MAX) flush_stream(d);
    if (!join(d->stream, &d->stream_len, p, n)) {
        flush_stream(d);
        (void)join(d->stream, &d->stream_len, p, n);
    }
    while (n > 0) {
        s7p_frame f;
        size_t used;
        if (s7p_frame_parse(p, n, &f, &used) != S7P_OK) break;
        emit(T_FRAME, p, used);
        if (f.version == S7P_PROTO_SYSTEM_EVENT) {
            emit_stream(p, used);
            handle_sysevent(&f);
        } else if (f.version == S7P_PROTO_KEEPALIVE) {
            emit_stream(p, used);
        } else {
            if (!d->rs.active) d->acc_len = d->acc_frames = 0;
            if (d->acc_len + used <= ACC_CAP) {
                memcpy(d->acc + d->acc_len, p, used);
                d->acc_len += used;
                d->acc_frames++;
            }
            bool done;
            if (s7p_reasm_feed(&d->rs, &f, &done) == S7P_OK && done) {
                if (d->acc_frames > 1) emit(T_FRAME, d->acc, d->acc_len);
                emit_stream(d->acc, d->acc_len);
                handle_pdu(d->rs.buf, d->rs.len, d->rs.version);
            }
        }
        p += used;
        n -= used;
    }
}

/* fuzz_capture: the capture file itself, whole. */
static void emit_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    if (n) emit(T_CAPTURE, buf, n);
}

static void run_capture(const char *path)
{
    emit_file(path);
    char err[256];
    s7p_pcap_streams *s = NULL;
    s7p_pcap_status st = s7p_pcap_streams_load(path, &s, err, sizeof err);
    if (st != S7P_PCAP_OK) {
        fail("%s: %s (%s)", path, s7p_pcap_status_str(st), err);
        return;
    }
    size_t nd = s->conversation_count * 2;
    direction *dirs = calloc(nd ? nd : 1, sizeof *dirs);
    if (!dirs) {
        fail("out of memory");
        s7p_pcap_streams_free(s);
        return;
    }
    for (size_t i = 0; i < nd; i++) {
        uint8_t *buf = malloc(REASM_CAP);
        dirs[i].acc = malloc(ACC_CAP);
        dirs[i].tpkts = malloc(ACC_CAP);
        dirs[i].stream = malloc(ACC_CAP);
        if (!buf || !dirs[i].acc || !dirs[i].tpkts || !dirs[i].stream) {
            fail("out of memory");
            abort();
        }
        s7p_reasm_init(&dirs[i].rs, buf, REASM_CAP);
    }
    for (size_t i = 0; i < s->tpkt_count; i++) {
        const s7p_pcap_tpkt *tp = &s->tpkts[i];
        direction *d = &dirs[tp->conversation * 2 + (tp->from_client ? 0 : 1)];
        emit(T_COTP, tp->bytes, tp->len);
        if (d->tpkts_len && d->tpkts_len + tp->len > SEED_STREAM_MAX) flush_tpkts(d);
        (void)join(d->tpkts, &d->tpkts_len, tp->bytes, tp->len);  /* a TPKT <= 65535 fits */
        /* Only COTP data TPDUs (DT, 0xF0) carry S7CommPlus. */
        if (tp->len < S7P_PCAP_TPKT_MIN_LEN || tp->bytes[5] != 0xF0) continue;
        size_t hdr = 4u + 1u + tp->bytes[4];
        if (hdr >= tp->len) continue;
        handle_payload(tp->bytes + hdr, tp->len - hdr, d);
    }
    for (size_t i = 0; i < nd; i++) {
        flush_tpkts(&dirs[i]);
        flush_stream(&dirs[i]);
        free(dirs[i].rs.buf);
        free(dirs[i].acc);
        free(dirs[i].tpkts);
        free(dirs[i].stream);
    }
    free(dirs);
    s7p_pcap_streams_free(s);
}

/* Forms no capture holds: a keep-alive and two system events (frame and stream seeds, the
 * stream ones also all three in a row). */
static void synthetic_frames(void)
{
    uint8_t all[2048];
    size_t all_len = 0;
    static const uint8_t keepalive[] = {0x72, 0xFF, 0x01, 0x00};
    emit(T_FRAME, keepalive, sizeof keepalive);
    emit_stream(keepalive, sizeof keepalive);
    memcpy(all, keepalive, sizeof keepalive);
    all_len = sizeof keepalive;

    uint8_t buf[512], frame[600];
    s7p_sysevent ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = S7P_SYSEV_TEXT;
    ev.text.p = (const uint8_t *)"LOGOUT";
    ev.text.n = 6;
    s7p_wr w = s7p_wr_init(buf, sizeof buf);
    s7p_wr fw = s7p_wr_init(frame, sizeof frame);
    if (s7p_sysevent_encode(&w, &ev) && s7p_frame_write(&fw, S7P_PROTO_SYSTEM_EVENT, buf, w.len, false)) {
        emit(T_FRAME, frame, fw.len);
        emit_stream(frame, fw.len);
        memcpy(all + all_len, frame, fw.len);
        all_len += fw.len;
    }

    s7p_arena a;
    s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
    s7p_struct *stc = s7p_arena_alloc(&a, sizeof *stc);
    memset(&ev, 0, sizeof ev);
    ev.kind = S7P_SYSEV_STRUCT;
    ev.confirmed_bytes = 0x1234;
    ev.value.type = S7P_DT_STRUCT;
    ev.value.v.st = stc;
    if (stc) {
        stc->id = S7P_ID_SYSTEM_EVENT_STRUCT;
        s7p_value *rv = s7p_idlist_add(&stc->members, &a, S7P_ID_SYSTEM_EVENT_RETURN_VALUE);
        s7p_value *tx = s7p_idlist_add(&stc->members, &a, S7P_ID_SYSTEM_EVENT_RETURN_VALUE + 1);
        if (rv && tx) {
            rv->type = S7P_DT_LINT;
            rv->v.i = -12;
            tx->type = S7P_DT_WSTRING;
            tx->v.s.p = (const uint8_t *)"session closed";
            tx->v.s.n = 14;
            w = s7p_wr_init(buf, sizeof buf);
            fw = s7p_wr_init(frame, sizeof frame);
            if (s7p_sysevent_encode(&w, &ev) &&
                s7p_frame_write(&fw, S7P_PROTO_SYSTEM_EVENT, buf, w.len, false)) {
                emit(T_FRAME, frame, fw.len);
                emit_stream(frame, fw.len);
                memcpy(all + all_len, frame, fw.len);
                all_len += fw.len;
            }
            walk_value(&ev.value, 1);
        }
    }
    s7p_arena_release(&a);
    emit_stream(all, all_len);
}

/* TPDUs the captures may lack, from our writers and by hand: CR, CC, DR, ER and DT, alone
 * and in a row (CR CC DT DT DR, as a connection would go). */
static void synthetic_tpkts(void)
{
    static const uint8_t calling[] = {0x06, 0x00};
    static const char called[] = S7P_TSAP_REMOTE_HMI;
    s7p_bytes cg = {calling, sizeof calling};
    s7p_bytes cd = {(const uint8_t *)called, sizeof called - 1};
    static const uint8_t payload[] = {0x72, 0xFF, 0x01, 0x00};
    /* DR with "additional information" (E0), ER with the invalid TPDU (C1). */
    static const uint8_t dr_param[] = {0x03, 0x00, 0x00, 0x0E, 0x09, 0x80, 0x00, 0x01,
                                       0x00, 0x01, 0x03, 0xE0, 0x01, 0x00};
    static const uint8_t er[] = {0x03, 0x00, 0x00, 0x0E, 0x09, 0x70, 0x00, 0x01,
                                 0x02, 0xC1, 0x03, 0xE0, 0x00, 0x01};
    uint8_t all[1024];
    size_t all_len = 0;
    for (int i = 0; i < 6; i++) {
        uint8_t buf[512];
        s7p_wr w = s7p_wr_init(buf, sizeof buf);
        switch (i) {
        case 0: s7p_cotp_write_cr(&w, 0x0001, S7P_COTP_TPDU_EXP_DEFAULT, cg, cd); break;
        case 1: s7p_cotp_write_cc(&w, 0x0001, 0x0001, S7P_COTP_TPDU_EXP_DEFAULT, cg, cd); break;
        case 2: s7p_cotp_write_dt(&w, payload, sizeof payload, true); break;
        case 3: s7p_cotp_write_dt(&w, NULL, 0, false); break;
        case 4: s7p_cotp_write_dr(&w, 0x0001, 0x0001, 0x03); break;
        default: s7p_wr_bytes(&w, dr_param, sizeof dr_param); break;
        }
        if (w.err != S7P_OK) {
            fail("synthetic TPKT %d: %s", i, s7p_strerror(w.err));
            continue;
        }
        emit(T_COTP, buf, w.len);
        if (i < 5 && all_len + w.len <= sizeof all) {
            memcpy(all + all_len, buf, w.len);
            all_len += w.len;
        }
    }
    emit(T_COTP, er, sizeof er);
    emit(T_COTP, all, all_len);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return 0;
    fail("mkdir %s: %s", path, strerror(errno));
    return -1;
}

/* Creates OUT_DIR/<target> (and OUT_DIR's missing parents) and empties it. */
static int prepare_out(void)
{
    char path[4200];
    for (char *p = g_out + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        int rc = make_dir(g_out);
        *p = '/';
        if (rc) return -1;
    }
    if (make_dir(g_out)) return -1;
    for (int t = 0; t < T_COUNT; t++) {
        snprintf(path, sizeof path, "%s/%s", g_out, target_dir[t]);
        if (make_dir(path)) return -1;
        DIR *d = opendir(path);
        if (!d) {
            fail("%s: %s", path, strerror(errno));
            return -1;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char file[4500];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            if (remove(file) != 0) fail("remove %s: %s", file, strerror(errno));
        }
        closedir(d);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s CAPTURE_DIR OUT_DIR\n", argv[0]);
        return 1;
    }
    snprintf(g_out, sizeof g_out, "%s", argv[2]);
    if (prepare_out()) return 1;

    DIR *d = opendir(argv[1]);
    if (!d) {
        fprintf(stderr, "make_corpus: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!has_suffix(e->d_name, ".pcap") && !has_suffix(e->d_name, ".pcapng")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn) abort();
            names = nn;
        }
        size_t len = strlen(argv[1]) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) abort();
        snprintf(names[n++], len, "%s/%s", argv[1], e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        run_capture(names[i]);
        free(names[i]);
    }
    free(names);
    synthetic_frames();
    synthetic_tpkts();

    printf("make_corpus: %zu captures ->", n);
    for (int t = 0; t < T_COUNT; t++) printf(" %s %zu", target_dir[t], g_written[t]);
    printf(" (in %s)\n", g_out);
    if (n == 0) fail("no captures in %s", argv[1]);
    for (int t = 0; t < T_COUNT; t++)
        if (g_written[t] == 0) fail("no seeds for %s", target_dir[t]);
    return g_errors ? 1 : 0;
}

/* SPDX-License-Identifier: MIT */
/* Fuzz target: every decoder of legacy-security input, on the client and the simulator side.
 * Byte 0 of the input chooses the decoder, the rest is its input:
 *   0  HELLO     a PObject read as the CreateObject session object (fingerprint 233,
 *                challenge 303, version 314: s7p_legacy_server_hello_read) and a PValue read
 *                as a challenge (the renewal answer: s7p_legacy_challenge_read)
 *   1  KEY       20 challenge bytes, then a PValue read as the StructSecurityKey of the
 *                authenticating request, whose blob is opened with the simulator's TEST key
 *                (what the simulator does with the client's request)
 *   2  BLOB      20 challenge bytes, then a raw 180-byte blob: header decode and open
 *   3  TEXT      a key fingerprint text ("00:BA35267CA865911B")
 *   4  SIGNED    the TCP byte stream of a signed session (TPKT/COTP, V3 frames with their
 *                33-byte digest field, continuation fragments) fed to a link holding the
 *                session key of the vectors' packet_digest_case1: digest check,
 *                continuations in the state-resume, chained and independent forms (the
 *                second fragment fixes the form), reassembly and PDU decoding
 *                (src/session/link.c)
 *   5  PLCSIM    20 challenge bytes, then a raw family-03 (PLCSIM) blob of any length:
 *                header decode and open with the simulator's family-03 TEST key (P-256
 *                point check, ECDH, the two AES-GCM tags). KEY opens a 216-byte blob so too
 *   others       nothing (libFuzzer drops inputs that add no coverage)
 * One target with a selector rather than five: the decoders share their inputs' building
 * blocks (objects, values, blobs), one corpus keeps them, and the smoke test costs one run.
 * Seeds: make_legacy_seeds (the captures' objects, blobs and keys of the vectors, signed
 * streams). Invariants: nothing crashes or leaks; a hello read without error has a version
 * struct and a fingerprint of family < 100; a blob that opens derives a session key that
 * its header's key id matches (a random input cannot open); a signed link delivers only
 * V3 PDUs and fails only with S7P_E_INTEGRITY, S7P_E_PROTOCOL, S7P_E_LIMIT or the close. */
#include "fuzz_common.h"

#include "legacy/handshake.h"
#include "legacy/plcsim.h"
#include "session/link.h"

#define TARGET "fuzz_legacy"

enum { SEL_HELLO, SEL_KEY, SEL_BLOB, SEL_TEXT, SEL_SIGNED, SEL_PLCSIM };

/* packet_digest_case1 of legacy_realplc_vectors.txt (HarpoPacketDigestTests). */
static const uint8_t SIGNED_KEY[S7P_LEGACY_KEY_LEN] = {
    0xA2, 0x33, 0x87, 0x5E, 0x3C, 0x7F, 0xC0, 0x59, 0xC0, 0x16, 0x12, 0x8D,
    0xE5, 0x90, 0xAB, 0x3C, 0x28, 0xBC, 0x04, 0xC2, 0x77, 0xFA, 0x7C, 0x51};

static void fail_inv(const char *what, const uint8_t *in, size_t n)
{
    fuzz_invariant_failed(TARGET, what, in, n);
}

static void hello(const uint8_t *p, size_t n, s7p_arena *a, const uint8_t *in, size_t in_n)
{
    s7p_rd r = s7p_rd_init(p, n);
    s7p_object *o = NULL;
    s7p_legacy_server_hello h;
    if (s7p_object_decode(&r, a, &o) && s7p_legacy_server_hello_read(o, &h) == S7P_OK &&
        (!h.version || h.version->type != S7P_DT_STRUCT || h.fingerprint.family > 99))
        fail_inv("a hello without version struct or with a bad family", in, in_n);
    r = s7p_rd_init(p, n);
    s7p_value v;
    uint8_t ch[S7P_LEGACY_CHALLENGE_LEN];
    if (s7p_value_decode(&r, a, &v)) (void)s7p_legacy_challenge_read(&v, ch);
}

/* Opens a blob with the simulator's key; one that opens must carry key2's id. */
static void open_blob(const uint8_t *ch, const uint8_t *blob, size_t n, const uint8_t *in,
                      size_t in_n)
{
    uint8_t key2[S7P_LEGACY_KEY_LEN], sk[S7P_LEGACY_KEY_LEN], id[S7P_LEGACY_KEY_ID_LEN];
    s7p_legacy_blob_header bh;
    if (s7p_legacy_blob_header_decode(blob, n, &bh) != S7P_OK) return;
    if (s7p_legacy_blob_open(s7p_legacy_test_server_key(), ch, blob, n, key2, sk) != S7P_OK)
        return;
    if (s7p_legacy_key_id(key2, id) != S7P_OK || memcmp(id, bh.sym_key_id, sizeof id) != 0)
        fail_inv("a blob opened whose key id is not its key2's", in, in_n);
}

/* Opens a family-03 blob with the simulator's PLCSIM key; one that opens must carry key1's
 * id and give key1's session key. */
static void open_plcsim_blob(const uint8_t *ch, const uint8_t *blob, size_t n, const uint8_t *in,
                             size_t in_n)
{
    uint8_t key1[S7P_LEGACY_KEY_LEN], sk[S7P_LEGACY_KEY_LEN], id[S7P_LEGACY_KEY_ID_LEN];
    uint8_t want[S7P_LEGACY_KEY_LEN];
    s7p_legacy_blob_header bh;
    if (s7p_legacy_blob_header_decode(blob, n, &bh) != S7P_OK) return;
    if (s7p_legacy_plcsim_blob_open(s7p_legacy_plcsim_test_server_key(), ch, blob, n, key1, sk) !=
        S7P_OK)
        return;
    if (s7p_legacy_key_id(key1, id) != S7P_OK || memcmp(id, bh.sym_key_id, sizeof id) != 0 ||
        s7p_legacy_session_key(key1, ch, want) != S7P_OK || memcmp(want, sk, sizeof sk) != 0)
        fail_inv("a PLCSIM blob opened whose key id or session key is not its key1's", in, in_n);
}

static void security_key(const uint8_t *p, size_t n, s7p_arena *a, const uint8_t *in,
                         size_t in_n)
{
    if (n < S7P_LEGACY_CHALLENGE_LEN) return;
    s7p_rd r = s7p_rd_init(p + S7P_LEGACY_CHALLENGE_LEN, n - S7P_LEGACY_CHALLENGE_LEN);
    s7p_value v;
    s7p_legacy_security_key k;
    if (s7p_value_decode(&r, a, &v) && s7p_legacy_security_key_read(&v, &k) == S7P_OK) {
        if (k.blob.n == S7P_LEGACY_PLCSIM_BLOB_LEN) open_plcsim_blob(p, k.blob.p, k.blob.n, in, in_n);
        else open_blob(p, k.blob.p, k.blob.n, in, in_n);
    }
}

static void signed_stream(const uint8_t *p, size_t n, const uint8_t *in, size_t in_n)
{
    s7p_link l;
    if (s7p_link_init(&l, -1) != S7P_OK) abort();
    s7p_link_set_digest_key(&l, SIGNED_KEY);
    s7p_arena a;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    s7p_status st = s7p_link_feed(&l, p, n);
    for (bool got = true; st == S7P_OK && got;) {
        s7p_msg m;
        st = s7p_link_pop(&l, &a, &m, &got);
        if (st == S7P_OK && got && m.kind == S7P_MSG_PDU && m.pdu.version != S7P_PROTO_V3)
            fail_inv("a signed link delivered an unsigned PDU", in, in_n);
    }
    if (st != S7P_OK && st != S7P_E_INTEGRITY && st != S7P_E_PROTOCOL && st != S7P_E_LIMIT &&
        st != S7P_E_NOMEM && st != S7P_E_UNSUPPORTED)
        fail_inv("a signed link failed with an unexpected status", in, in_n);
    s7p_arena_release(&a);
    s7p_link_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    s7p_arena a;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    switch (data[0]) {
    case SEL_HELLO: hello(p, n, &a, data, size); break;
    case SEL_KEY: security_key(p, n, &a, data, size); break;
    case SEL_BLOB:
        if (n >= S7P_LEGACY_CHALLENGE_LEN)
            open_blob(p, p + S7P_LEGACY_CHALLENGE_LEN, n - S7P_LEGACY_CHALLENGE_LEN, data, size);
        break;
    case SEL_TEXT: {
        s7p_legacy_fingerprint_text fp;
        (void)s7p_legacy_fingerprint_parse((const char *)p, n, &fp);
        break;
    }
    case SEL_SIGNED: signed_stream(p, n, data, size); break;
    case SEL_PLCSIM:
        if (n >= S7P_LEGACY_CHALLENGE_LEN)
            open_plcsim_blob(p, p + S7P_LEGACY_CHALLENGE_LEN, n - S7P_LEGACY_CHALLENGE_LEN, data,
                             size);
        break;
    default: break;
    }
    s7p_arena_release(&a);
    return 0;
}

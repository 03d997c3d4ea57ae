/* SPDX-License-Identifier: MIT */
/* make_legacy_seeds VECTORS_FILE OBJECT_SEED_DIR OUT_DIR: the seed corpus of fuzz_legacy
 * (its first byte chooses the decoder, see fuzz_legacy.c), out of the known answers in
 * legacy_realplc_vectors.txt and the object seeds make_corpus took from the captures:
 *   0  every object seed, and each session object among them (it has the version struct
 *      306) made into a legacy one: the TEST key's fingerprint (233) and the first case's
 *      challenge (303)
 *   1  a StructSecurityKey value around a blob for the simulator's TEST key, built from the
 *      random inputs and challenge of each real-PLC case (so that it opens)
 *   2  those blobs, and each case's own blob_180 with its challenge
 *   3  each case's key fingerprint text, and the TEST key's
 *   4  a signed stream: the V3 frame of packet_digest_case1 (its data and digest), and an
 *      answer of several fragments signed with that case's session key, once per
 *      continuation form (state-resume, chained, independent: docs/protocol.md §6.1)
 *   5  a family-03 blob for the simulator's PLCSIM TEST key from each case's challenge and
 *      random inputs (so that it opens); 1 also gets its StructSecurityKey
 * Exits 1 when a vector is missing or a seed cannot be written. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "legacy/handshake.h"
#include "legacy/plcsim.h"
#include "proto/ids.h"
#include "proto/frame.h"
#include "session/link.h"
#include "vectors.h"

static const char *g_out;
static unsigned g_count;

static int emit(uint8_t sel, const uint8_t *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/sel%u-%03u", g_out, sel, g_count++);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int rc = (fwrite(&sel, 1, 1, f) == 1 && (n == 0 || fwrite(p, 1, n, f) == n)) ? 0 : -1;
    return fclose(f) == 0 ? rc : -1;
}

/* A session object of the captures (it has the version struct 306) made into a legacy one,
 * as the simulator does: the TEST key's fingerprint in 233 and a challenge in 303. */
static int legacy_hello_seed(const uint8_t *b, size_t n, const uint8_t challenge[20])
{
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    s7p_rd r = s7p_rd_init(b, n);
    s7p_object *o = NULL;
    int rc = 0;
    if (s7p_object_decode(&r, &a, &o) && s7p_object_attr(o, S7P_ID_SERVER_SESSION_VERSION)) {
        static const char fp[] = "00:BA35267CA865911B";
        s7p_value *name = (s7p_value *)s7p_object_attr(o, S7P_ID_OBJECT_VARIABLE_TYPE_NAME);
        if (!name) name = s7p_object_add_attr(o, &a, S7P_ID_OBJECT_VARIABLE_TYPE_NAME);
        s7p_value *ch = s7p_object_add_attr(o, &a, S7P_ID_SERVER_SESSION_CHALLENGE);
        uint8_t *out = s7p_arena_alloc(&a, n + 256);
        rc = -1;
        if (name && ch && out) {
            memset(name, 0, sizeof *name);
            name->type = S7P_DT_WSTRING;
            name->v.s = (s7p_bytes){(const uint8_t *)fp, sizeof fp - 1};
            memset(ch, 0, sizeof *ch);
            ch->type = S7P_DT_USINT;
            ch->flags = S7P_VF_ARRAY;
            ch->count = S7P_LEGACY_CHALLENGE_LEN;
            ch->v.s = (s7p_bytes){challenge, S7P_LEGACY_CHALLENGE_LEN};
            s7p_wr w = s7p_wr_init(out, n + 256);
            rc = s7p_object_encode(&w, o) ? emit(0, out, w.len) : -1;
        }
    }
    s7p_arena_release(&a);
    return rc;
}

static int object_seeds(const char *dir, const uint8_t challenge[20])
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t n;
        uint8_t *b = lv_read_file(path, &n);
        if (!b) continue;
        rc = emit(0, b, n);
        if (rc == 0) rc = legacy_hello_seed(b, n, challenge);
        free(b);
    }
    closedir(d);
    return rc;
}

/* Blob (2) and StructSecurityKey (1) for the TEST key from a case's inputs; its own blob (2). */
/* The StructSecurityKey of the simulator's key `pk` around `blob`, after the challenge. */
static int key_seed(const s7p_legacy_pubkey *pk, const uint8_t ch[S7P_LEGACY_CHALLENGE_LEN],
                    const uint8_t *blob, size_t n)
{
    s7p_legacy_security_key k;
    memset(&k, 0, sizeof k);
    k.pub_id = pk->id;
    k.pub_flags = s7p_legacy_pub_flags(pk->family);
    k.sym_flags = s7p_legacy_struct_sym_flags(pk->family);
    k.blob = (s7p_bytes){blob, n};
    s7p_arena a;
    s7p_arena_init(&a, 1u << 16);
    s7p_value v;
    uint8_t seed[S7P_LEGACY_CHALLENGE_LEN + 512];
    memcpy(seed, ch, S7P_LEGACY_CHALLENGE_LEN);
    s7p_wr w = s7p_wr_init(seed + S7P_LEGACY_CHALLENGE_LEN, sizeof seed - S7P_LEGACY_CHALLENGE_LEN);
    int rc = s7p_legacy_security_key_value(&a, &k, &v) && s7p_value_encode(&w, &v)
                 ? emit(1, seed, S7P_LEGACY_CHALLENGE_LEN + w.len)
                 : -1;
    s7p_arena_release(&a);
    return rc;
}

/* A family-03 blob for the PLCSIM test key (its P-256 scalar: the case's 20 scalar bytes,
 * zero-extended): as a raw blob (5) and in its StructSecurityKey (1). */
static int plcsim_seeds(const s7p_legacy_client_random *rnd, const uint8_t ch[S7P_LEGACY_CHALLENGE_LEN])
{
    s7p_legacy_client_random r = *rnd;
    memset(r.p256_scalar, 0, sizeof r.p256_scalar);
    memcpy(r.p256_scalar + 12, rnd->scalar, S7P_LEGACY_FIELD_LEN);
    s7p_legacy_pubkey pk;
    s7p_legacy_plcsim_test_pubkey(&pk);
    uint8_t seed[S7P_LEGACY_CHALLENGE_LEN + S7P_LEGACY_PLCSIM_BLOB_LEN], sk[S7P_LEGACY_KEY_LEN];
    memcpy(seed, ch, S7P_LEGACY_CHALLENGE_LEN);
    uint8_t *blob = seed + S7P_LEGACY_CHALLENGE_LEN;
    if (s7p_legacy_plcsim_blob_build(pk.key, ch, &r, blob, sk) != S7P_OK ||
        emit(5, seed, sizeof seed) != 0)
        return -1;
    return key_seed(&pk, ch, blob, S7P_LEGACY_PLCSIM_BLOB_LEN);
}

static int case_seeds(const lv_section *s)
{
    s7p_legacy_client_random rnd;
    uint8_t ch[S7P_LEGACY_CHALLENGE_LEN], seed[S7P_LEGACY_CHALLENGE_LEN + 512];
    uint8_t sk[S7P_LEGACY_KEY_LEN];
    if (!lv_hex(s, "challenge", ch, sizeof ch) || !lv_hex(s, "key1", rnd.key1, 24) ||
        !lv_hex(s, "key2", rnd.key2, 24) || !lv_hex(s, "iv", rnd.iv, 16) ||
        !lv_hex(s, "blinding_prng1", rnd.blinding, 20) || !lv_hex(s, "scalar_prng2", rnd.scalar, 20))
        return -1;
    memcpy(seed, ch, sizeof ch);
    uint8_t *blob = seed + sizeof ch;
    s7p_legacy_pubkey pk;
    s7p_legacy_test_pubkey(&pk);
    if (!lv_hex(s, "blob_180", blob, S7P_LEGACY_BLOB_LEN) ||
        emit(2, seed, sizeof ch + S7P_LEGACY_BLOB_LEN) != 0 ||
        s7p_legacy_blob_build(pk.family, pk.key, ch, &rnd, blob, sk) != S7P_OK ||
        emit(2, seed, sizeof ch + S7P_LEGACY_BLOB_LEN) != 0 || plcsim_seeds(&rnd, ch) != 0)
        return -1;
    s7p_legacy_security_key k;
    memset(&k, 0, sizeof k);
    k.pub_id = pk.id;
    k.pub_flags = s7p_legacy_pub_flags(pk.family);
    k.sym_flags = s7p_legacy_struct_sym_flags(pk.family);
    k.blob = (s7p_bytes){blob, S7P_LEGACY_BLOB_LEN};
    s7p_arena a;
    s7p_arena_init(&a, 1u << 16);
    s7p_value v;
    uint8_t val[512];
    s7p_wr w = s7p_wr_init(val, sizeof val);
    int rc = s7p_legacy_security_key_value(&a, &k, &v) && s7p_value_encode(&w, &v) ? 0 : -1;
    if (rc == 0) {
        memmove(seed + sizeof ch, val, w.len);
        rc = emit(1, seed, sizeof ch + w.len);
    }
    s7p_arena_release(&a);
    const char *fp = lv_get(s, "public_key_id");
    return rc == 0 && fp ? emit(3, (const uint8_t *)fp, strlen(fp)) : rc;
}

/* What a link holding `key` sends, as TCP bytes. */
static int link_seed(s7p_link *l)
{
    const uint8_t *p;
    size_t n;
    s7p_link_output(l, &p, &n);
    int rc = n ? emit(4, p, n) : -1;
    s7p_link_consumed(l, n);
    return rc;
}

/* packet_digest_case1 as a frame; an answer of several fragments in each form. */
static int signed_seeds(const lv_section *s)
{
    uint8_t key[S7P_LEGACY_KEY_LEN], data[64 + 33], frame[128], big[3000];
    const char *hex = lv_get(s, "data");
    size_t dn = hex ? strlen(hex) / 2 : 0;
    if (!lv_hex(s, "session_key", key, sizeof key) || dn > 64 || !lv_unhex(hex, data + 33, dn) ||
        !lv_hex(s, "digest", data + 1, 32))
        return -1;
    data[0] = 32;
    s7p_link l;
    if (s7p_link_init(&l, -1) != S7P_OK) return -1;
    s7p_link_set_digest_key(&l, key);
    s7p_wr fw = s7p_wr_init(frame, sizeof frame);
    int rc = s7p_frame_write(&fw, S7P_PROTO_V3, data, 33 + dn, true) &&
                     s7p_link_put_raw(&l, frame, fw.len) == S7P_OK
                 ? link_seed(&l)
                 : -1;
    s7p_pdu req, p;
    memset(big, 'x', sizeof big);
    s7p_pdu_init_request(&req, S7P_PROTO_V3, S7P_FC_GET_VAR_SUB_STREAMED, 7, 0x70000001u,
                         S7P_TF_REQUEST);
    s7p_pdu_init_response(&p, &req, 0);
    p.has_v3_digest = true;
    p.resp.get_var_sub_streamed.value.type = S7P_DT_WSTRING;
    p.resp.get_var_sub_streamed.value.v.s = (s7p_bytes){big, sizeof big};
    for (unsigned f = 0; rc == 0 && f < S7P_DIGEST_FORMS; f++) {
        l.digest_send = (s7p_digest_form)f;
        rc = s7p_link_put_pdu(&l, &p) == S7P_OK ? link_seed(&l) : -1;
    }
    s7p_link_free(&l);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: make_legacy_seeds VECTORS_FILE OBJECT_SEED_DIR OUT_DIR\n");
        return 2;
    }
    g_out = argv[3];
    mkdir(g_out, 0777);
    lv_file *f = lv_load(argv[1]);
    if (!f) {
        fprintf(stderr, "make_legacy_seeds: cannot read %s\n", argv[1]);
        return 1;
    }
    uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN];
    int rc = f->n && lv_hex(&f->sec[0], "challenge", challenge, sizeof challenge)
                 ? object_seeds(argv[2], challenge)
                 : -1;
    unsigned cases = 0;
    for (size_t i = 0; rc == 0 && i < f->n; i++) {
        if (strncmp(f->sec[i].name, "realplc_", 8) == 0 && ++cases) rc = case_seeds(&f->sec[i]);
        if (strcmp(f->sec[i].name, "packet_digest_case1") == 0) rc = signed_seeds(&f->sec[i]);
    }
    const char test_fp[] = "00:BA35267CA865911B";
    if (rc == 0) rc = emit(3, (const uint8_t *)test_fp, sizeof test_fp - 1);
    lv_free(f);
    if (rc != 0 || cases != 3) {
        fprintf(stderr, "make_legacy_seeds: failed (%u real-PLC cases)\n", cases);
        return 1;
    }
    printf("make_legacy_seeds: %u seeds in %s\n", g_count, g_out);
    return 0;
}

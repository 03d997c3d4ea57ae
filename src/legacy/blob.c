/* SPDX-License-Identifier: MIT */
/* Families 00/01 blob (180 bytes):
 *   0 header (48)  48 encrypted seed (20)  68 ephemeral x (20)  88 blinding (20)
 *   108 IV (16)   124 counter-mode ciphertext of C[2..17] || key2 (40)  164 checksum (16)
 * The seed is pre_seed(key1) masked with a value of the ECDH shared x; pre_seed gives the two
 * AES keys and the checksum's H. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "legacy/blob.h"

enum {
    OFF_SEED = 48, OFF_EPHEMERAL = 68, OFF_BLINDING = 88, OFF_IV = 108, OFF_CT = 124,
    OFF_TAG = 164, CT_LEN = 40,
};

uint32_t s7p_legacy_pub_flags(uint8_t family) { return 0x010u | (uint32_t)family << 8; }
uint32_t s7p_legacy_blob_sym_flags(uint8_t family) { return 0x001u | (uint32_t)family << 8; }

s7p_status s7p_legacy_random(s7p_legacy_client_random *r)
{
    return RAND_bytes((unsigned char *)r, (int)sizeof *r) == 1 ? S7P_OK : S7P_E_NOMEM;
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i);
}

s7p_status s7p_legacy_blob_header_decode(const uint8_t *blob, size_t n, s7p_legacy_blob_header *out)
{
    if (!blob || n < S7P_LEGACY_BLOB_HEADER_LEN) return S7P_E_PROTOCOL;
    out->magic = get_le32(blob);
    out->length = get_le32(blob + 4);
    out->version = get_le32(blob + 8);
    out->security_level = get_le32(blob + 12);
    memcpy(out->sym_key_id, blob + 16, S7P_LEGACY_KEY_ID_LEN);
    out->sym_flags = get_le32(blob + 24);
    out->sym_internal_flags = get_le32(blob + 28);
    memcpy(out->pub_key_id, blob + 32, S7P_LEGACY_KEY_ID_LEN);
    out->pub_flags = get_le32(blob + 40);
    out->pub_internal_flags = get_le32(blob + 44);
    return S7P_OK;
}

void s7p_legacy_blob_header_encode(const s7p_legacy_blob_header *h, uint8_t out[S7P_LEGACY_BLOB_HEADER_LEN])
{
    put_le32(out, h->magic);
    put_le32(out + 4, h->length);
    put_le32(out + 8, h->version);
    put_le32(out + 12, h->security_level);
    memcpy(out + 16, h->sym_key_id, S7P_LEGACY_KEY_ID_LEN);
    put_le32(out + 24, h->sym_flags);
    put_le32(out + 28, h->sym_internal_flags);
    memcpy(out + 32, h->pub_key_id, S7P_LEGACY_KEY_ID_LEN);
    put_le32(out + 40, h->pub_flags);
    put_le32(out + 44, h->pub_internal_flags);
}

static bool is_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc == 0;
}

/* The symmetric part shared by both sides: keys from pre_seed, then the checksum. */
typedef struct sym_keys {
    uint8_t challenge_key[16], checksum_key[16], h[16];
} sym_keys;

static s7p_status header_for(uint8_t family, const uint8_t pubkey[S7P_LEGACY_CURVE_KEY_LEN],
                             const uint8_t key2[S7P_LEGACY_KEY_LEN], uint8_t out[S7P_LEGACY_BLOB_HEADER_LEN])
{
    s7p_legacy_blob_header h = {
        .magic = S7P_LEGACY_BLOB_MAGIC, .length = S7P_LEGACY_BLOB_LEN, .version = 1,
        .security_level = 1, .sym_flags = s7p_legacy_blob_sym_flags(family),
        .pub_flags = s7p_legacy_pub_flags(family),
    };
    s7p_status st = s7p_legacy_key_id(key2, h.sym_key_id);
    if (st == S7P_OK) st = s7p_legacy_key_id(pubkey, h.pub_key_id);
    if (st == S7P_OK) s7p_legacy_blob_header_encode(&h, out);
    return st;
}

s7p_status s7p_legacy_blob_build(uint8_t family, const uint8_t pubkey[S7P_LEGACY_CURVE_KEY_LEN],
                                 const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                 const s7p_legacy_client_random *rnd,
                                 uint8_t blob[S7P_LEGACY_BLOB_LEN],
                                 uint8_t session_key[S7P_LEGACY_KEY_LEN])
{
    if (family != S7P_LEGACY_FAMILY_S71500 && family != S7P_LEGACY_FAMILY_S71200)
        return S7P_E_INVALID_ARG;
    uint8_t k[S7P_LEGACY_FIELD_LEN], shared[S7P_LEGACY_FIELD_LEN], mask[S7P_LEGACY_FIELD_LEN];
    uint8_t pre_seed[S7P_LEGACY_FIELD_LEN], plain[CT_LEN];
    sym_keys sk;
    s7p_legacy_scalar(rnd->scalar, k);
    s7p_status st = header_for(family, pubkey, rnd->key2, blob);
    if (st == S7P_OK) st = s7p_legacy_curve_mul(k, NULL, blob + OFF_EPHEMERAL);
    if (st == S7P_OK) st = s7p_legacy_curve_mul(k, pubkey, shared);
    if (st == S7P_OK && (is_zero(blob + OFF_EPHEMERAL, S7P_LEGACY_FIELD_LEN) ||
                         is_zero(shared, S7P_LEGACY_FIELD_LEN)))
        st = S7P_E_INVALID_ARG;
    if (st == S7P_OK) {
        s7p_legacy_pre_seed(rnd->key1, pre_seed);
        s7p_legacy_seed_mask(shared, mask);
        for (int i = 0; i < S7P_LEGACY_FIELD_LEN; i++) blob[OFF_SEED + i] = pre_seed[i] ^ mask[i];
        memcpy(blob + OFF_BLINDING, rnd->blinding, S7P_LEGACY_FIELD_LEN);
        memcpy(blob + OFF_IV, rnd->iv, 16);
        s7p_legacy_key_material(pre_seed, sk.challenge_key, sk.checksum_key, sk.h);
        memcpy(plain, challenge + 2, 16);
        memcpy(plain + 16, rnd->key2, S7P_LEGACY_KEY_LEN);
        st = s7p_legacy_ctr_crypt(sk.challenge_key, rnd->iv, plain, blob + OFF_CT, CT_LEN);
    }
    if (st == S7P_OK)
        st = s7p_legacy_checksum(sk.checksum_key, sk.h, rnd->iv, blob + OFF_CT, CT_LEN, blob + OFF_TAG);
    if (st == S7P_OK) st = s7p_legacy_session_key(rnd->key2, challenge, session_key);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(shared, sizeof shared);
    OPENSSL_cleanse(pre_seed, sizeof pre_seed);
    OPENSSL_cleanse(plain, sizeof plain);
    OPENSSL_cleanse(&sk, sizeof sk);
    return st;
}

/* The header must name this key, its family's flags and the fixed fields. */
static bool header_ok(const s7p_legacy_server_key *key, const uint8_t *blob, size_t n)
{
    s7p_legacy_blob_header h;
    uint8_t own_id[S7P_LEGACY_KEY_ID_LEN];
    if (n != S7P_LEGACY_BLOB_LEN || s7p_legacy_blob_header_decode(blob, n, &h) != S7P_OK ||
        s7p_legacy_key_id(key->pubkey, own_id) != S7P_OK)
        return false;
    return h.magic == S7P_LEGACY_BLOB_MAGIC && h.length == S7P_LEGACY_BLOB_LEN &&
           h.version == 1 && h.security_level == 1 && h.sym_internal_flags == 0 &&
           h.pub_internal_flags == 0 &&
           h.pub_flags == s7p_legacy_pub_flags(key->family) &&
           h.sym_flags == s7p_legacy_blob_sym_flags(key->family) &&
           memcmp(h.pub_key_id, own_id, sizeof own_id) == 0;
}

static s7p_status open_checked(const s7p_legacy_server_key *key,
                               const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                               const uint8_t *blob, uint8_t key2[S7P_LEGACY_KEY_LEN],
                               uint8_t session_key[S7P_LEGACY_KEY_LEN], sym_keys *sk,
                               uint8_t plain[CT_LEN])
{
    uint8_t shared[S7P_LEGACY_FIELD_LEN], mask[S7P_LEGACY_FIELD_LEN], pre_seed[S7P_LEGACY_FIELD_LEN];
    uint8_t tag[16], id[S7P_LEGACY_KEY_ID_LEN];
    s7p_status st = s7p_legacy_curve_mul(key->private_le, blob + OFF_EPHEMERAL, shared);
    if (st == S7P_E_INVALID_ARG || (st == S7P_OK && is_zero(shared, sizeof shared))) return S7P_E_PROTOCOL;
    if (st != S7P_OK) return st;
    s7p_legacy_seed_mask(shared, mask);
    for (int i = 0; i < S7P_LEGACY_FIELD_LEN; i++) pre_seed[i] = blob[OFF_SEED + i] ^ mask[i];
    s7p_legacy_key_material(pre_seed, sk->challenge_key, sk->checksum_key, sk->h);
    OPENSSL_cleanse(pre_seed, sizeof pre_seed);
    st = s7p_legacy_checksum(sk->checksum_key, sk->h, blob + OFF_IV, blob + OFF_CT, CT_LEN, tag);
    if (st != S7P_OK) return st;
    if (CRYPTO_memcmp(tag, blob + OFF_TAG, sizeof tag) != 0) return S7P_E_PROTOCOL;
    st = s7p_legacy_ctr_crypt(sk->challenge_key, blob + OFF_IV, blob + OFF_CT, plain, CT_LEN);
    if (st != S7P_OK) return st;
    if (CRYPTO_memcmp(plain, challenge + 2, 16) != 0) return S7P_E_PROTOCOL;
    memcpy(key2, plain + 16, S7P_LEGACY_KEY_LEN);
    st = s7p_legacy_key_id(key2, id);
    if (st == S7P_OK && memcmp(id, blob + 16, sizeof id) != 0) st = S7P_E_PROTOCOL;
    if (st == S7P_OK) st = s7p_legacy_session_key(key2, challenge, session_key);
    return st;
}

s7p_status s7p_legacy_blob_open(const s7p_legacy_server_key *key,
                                const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                const uint8_t *blob, size_t n, uint8_t key2[S7P_LEGACY_KEY_LEN],
                                uint8_t session_key[S7P_LEGACY_KEY_LEN])
{
    if (!key || !challenge || !blob) return S7P_E_INVALID_ARG;
    if (!header_ok(key, blob, n)) return S7P_E_PROTOCOL;
    sym_keys sk;
    uint8_t plain[CT_LEN];
    s7p_status st = open_checked(key, challenge, blob, key2, session_key, &sk, plain);
    OPENSSL_cleanse(&sk, sizeof sk);
    OPENSSL_cleanse(plain, sizeof plain);
    if (st != S7P_OK) {
        OPENSSL_cleanse(key2, S7P_LEGACY_KEY_LEN);
        OPENSSL_cleanse(session_key, S7P_LEGACY_KEY_LEN);
    }
    return st;
}

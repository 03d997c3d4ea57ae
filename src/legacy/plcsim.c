/* SPDX-License-Identifier: MIT */
/* Family 03 (PLCSIM): P-256 ECDH, AES-128-GCM with 16-byte IVs and the SHA-256 derivations,
 * all from OpenSSL; this file only arranges them (layout in plcsim.h). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "legacy/blob.h"
#include "legacy/plcsim.h"

enum {
    OFF_EPHEMERAL = 48, OFF_SEED_CT = 112, OFF_SEED_TAG = 128, OFF_IV = 144, OFF_CT = 160,
    OFF_TAG = 200, CT_LEN = 16 + S7P_LEGACY_KEY_LEN,
};

/* ---- P-256 ------------------------------------------------------------------------------ */

static EC_POINT *point_from(const EC_GROUP *g, const uint8_t xy[S7P_LEGACY_P256_KEY_LEN],
                            BN_CTX *bn)
{
    uint8_t oct[1 + S7P_LEGACY_P256_KEY_LEN];
    oct[0] = 0x04;  /* uncompressed; oct2point checks that the point is on the curve */
    memcpy(oct + 1, xy, S7P_LEGACY_P256_KEY_LEN);
    EC_POINT *p = EC_POINT_new(g);
    if (p && EC_POINT_oct2point(g, p, oct, sizeof oct, bn) != 1) {
        EC_POINT_free(p);
        return NULL;
    }
    return p;
}

bool s7p_legacy_p256_on_curve(const uint8_t point[S7P_LEGACY_P256_KEY_LEN])
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *p = g ? point_from(g, point, NULL) : NULL;
    bool ok = p != NULL;
    EC_POINT_free(p);
    EC_GROUP_free(g);
    return ok;
}

s7p_status s7p_legacy_p256_mul(const uint8_t k[S7P_LEGACY_P256_LEN], const uint8_t *point,
                               uint8_t out[S7P_LEGACY_P256_KEY_LEN])
{
    s7p_status st = S7P_E_NOMEM;
    uint8_t oct[1 + S7P_LEGACY_P256_KEY_LEN];
    BN_CTX *bn = BN_CTX_new();
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM *s = BN_secure_new();
    EC_POINT *r = g ? EC_POINT_new(g) : NULL, *p = NULL;
    if (!bn || !g || !s || !r || !BN_bin2bn(k, S7P_LEGACY_P256_LEN, s)) goto out;
    BN_set_flags(s, BN_FLG_CONSTTIME);
    if (point && !(p = point_from(g, point, bn))) {
        st = S7P_E_INVALID_ARG;
        goto out;
    }
    if (EC_POINT_mul(g, r, p ? NULL : s, p, p ? s : NULL, bn) != 1) goto out;
    st = S7P_E_INVALID_ARG;  /* k = 0 mod n: no point to send */
    if (EC_POINT_is_at_infinity(g, r)) goto out;
    st = S7P_E_NOMEM;
    if (EC_POINT_point2oct(g, r, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof oct, bn) != sizeof oct)
        goto out;
    memcpy(out, oct + 1, S7P_LEGACY_P256_KEY_LEN);
    st = S7P_OK;
out:
    OPENSSL_cleanse(oct, sizeof oct);
    EC_POINT_clear_free(r);
    EC_POINT_free(p);
    BN_clear_free(s);
    EC_GROUP_free(g);
    BN_CTX_free(bn);
    return st;
}

/* ---- AES-128-GCM with a 16-byte IV ------------------------------------------------------ */

static EVP_CIPHER_CTX *gcm_init(const uint8_t key[16], const uint8_t iv[16], int enc)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    /* GCM's J0 for an IV that is not 12 bytes: GHASH(IV || 0^64 || bitlen(IV)) (SP 800-38D). */
    if (c && EVP_CipherInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL, enc) == 1 &&
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 16, NULL) == 1 &&
        EVP_CipherInit_ex(c, NULL, NULL, key, iv, enc) == 1)
        return c;
    EVP_CIPHER_CTX_free(c);
    return NULL;
}

s7p_status s7p_legacy_gcm_seal(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
                               size_t n, uint8_t *out, uint8_t tag[16])
{
    EVP_CIPHER_CTX *c = n <= 64 ? gcm_init(key, iv, 1) : NULL;
    int l1 = 0, l2 = 0;
    bool ok = c && EVP_CipherUpdate(c, out, &l1, in, (int)n) == 1 &&
              EVP_CipherFinal_ex(c, out + l1, &l2) == 1 && (size_t)(l1 + l2) == n &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? S7P_OK : n > 64 ? S7P_E_INVALID_ARG : S7P_E_NOMEM;
}

s7p_status s7p_legacy_gcm_open(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
                               size_t n, const uint8_t tag[16], uint8_t *out)
{
    if (n > 64) return S7P_E_INVALID_ARG;
    EVP_CIPHER_CTX *c = gcm_init(key, iv, 0);
    uint8_t t[16];
    int l1 = 0, l2 = 0;
    memcpy(t, tag, sizeof t);
    if (!c) return S7P_E_NOMEM;
    bool ok = EVP_CipherUpdate(c, out, &l1, in, (int)n) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, t) == 1;
    /* Final fails when the tag does not match: nothing decrypted may be used then. */
    ok = ok && EVP_CipherFinal_ex(c, out + l1, &l2) == 1 && (size_t)(l1 + l2) == n;
    EVP_CIPHER_CTX_free(c);
    if (!ok) OPENSSL_cleanse(out, n);
    return ok ? S7P_OK : S7P_E_PROTOCOL;
}

/* ---- derivations ---------------------------------------------------------------------- */

s7p_status s7p_legacy_plcsim_challenge_key(const uint8_t key2[S7P_LEGACY_KEY_LEN], uint8_t out[16])
{
    static const uint8_t magic[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0};
    uint8_t msg[S7P_LEGACY_KEY_LEN + sizeof magic], md[32];
    memcpy(msg, key2, S7P_LEGACY_KEY_LEN);
    memcpy(msg + S7P_LEGACY_KEY_LEN, magic, sizeof magic);
    bool ok = EVP_Digest(msg, sizeof msg, md, NULL, EVP_sha256(), NULL) == 1;
    if (ok) memcpy(out, md, 16);
    OPENSSL_cleanse(msg, sizeof msg);
    OPENSSL_cleanse(md, sizeof md);
    return ok ? S7P_OK : S7P_E_NOMEM;
}

s7p_status s7p_legacy_plcsim_seed_kdf(const uint8_t shared_x[S7P_LEGACY_P256_LEN],
                                      const uint8_t ephemeral[S7P_LEGACY_P256_KEY_LEN],
                                      uint8_t out48[48])
{
    uint8_t msg[S7P_LEGACY_P256_LEN + S7P_LEGACY_P256_KEY_LEN + 1], md[32];
    memcpy(msg, shared_x, S7P_LEGACY_P256_LEN);
    memcpy(msg + S7P_LEGACY_P256_LEN, ephemeral, S7P_LEGACY_P256_KEY_LEN);
    bool ok = true;
    /* The counter byte is the output offset (0, then 32): 32 + 16 bytes. */
    for (size_t off = 0; off < 48 && ok; off += 32) {
        msg[sizeof msg - 1] = (uint8_t)off;
        ok = EVP_Digest(msg, sizeof msg, md, NULL, EVP_sha256(), NULL) == 1;
        if (ok) memcpy(out48 + off, md, 48 - off < 32 ? 48 - off : 32);
    }
    OPENSSL_cleanse(msg, sizeof msg);
    OPENSSL_cleanse(md, sizeof md);
    return ok ? S7P_OK : S7P_E_NOMEM;
}

/* ---- seed and blob -------------------------------------------------------------------- */

s7p_status s7p_legacy_plcsim_seed(const uint8_t pubkey[S7P_LEGACY_P256_KEY_LEN],
                                  const uint8_t l[S7P_LEGACY_P256_LEN],
                                  const uint8_t challenge_key[16],
                                  uint8_t out[S7P_LEGACY_PLCSIM_SEED_LEN])
{
    uint8_t shared[S7P_LEGACY_P256_KEY_LEN], kdf[48];
    s7p_status st = s7p_legacy_p256_mul(l, NULL, out);
    if (st == S7P_OK) st = s7p_legacy_p256_mul(l, pubkey, shared);
    if (st == S7P_OK) st = s7p_legacy_plcsim_seed_kdf(shared, out, kdf);
    if (st == S7P_OK) st = s7p_legacy_gcm_seal(kdf, kdf + 32, challenge_key, 16, out + 64, out + 80);
    OPENSSL_cleanse(shared, sizeof shared);
    OPENSSL_cleanse(kdf, sizeof kdf);
    return st;
}

static s7p_status plcsim_header(const uint8_t pubkey[S7P_LEGACY_P256_KEY_LEN],
                                const uint8_t key1[S7P_LEGACY_KEY_LEN], uint8_t *out)
{
    s7p_legacy_blob_header h = {
        .magic = S7P_LEGACY_BLOB_MAGIC, .length = S7P_LEGACY_PLCSIM_BLOB_LEN, .version = 1,
        .security_level = 1, .sym_flags = s7p_legacy_blob_sym_flags(S7P_LEGACY_FAMILY_PLCSIM),
        .pub_flags = s7p_legacy_pub_flags(S7P_LEGACY_FAMILY_PLCSIM),
    };
    s7p_status st = s7p_legacy_key_id(key1, h.sym_key_id);
    if (st == S7P_OK) st = s7p_legacy_key_id(pubkey, h.pub_key_id);
    if (st == S7P_OK) s7p_legacy_blob_header_encode(&h, out);
    return st;
}

s7p_status s7p_legacy_plcsim_blob_build(const uint8_t pubkey[S7P_LEGACY_P256_KEY_LEN],
                                        const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                        const s7p_legacy_client_random *rnd,
                                        uint8_t blob[S7P_LEGACY_PLCSIM_BLOB_LEN],
                                        uint8_t session_key[S7P_LEGACY_KEY_LEN])
{
    uint8_t ck[16], plain[CT_LEN];
    s7p_status st = plcsim_header(pubkey, rnd->key1, blob);
    if (st == S7P_OK) st = s7p_legacy_plcsim_challenge_key(rnd->key2, ck);
    if (st == S7P_OK) st = s7p_legacy_plcsim_seed(pubkey, rnd->p256_scalar, ck, blob + OFF_EPHEMERAL);
    if (st == S7P_OK) {
        memcpy(blob + OFF_IV, rnd->iv, 16);
        memcpy(plain, challenge + 2, 16);
        memcpy(plain + 16, rnd->key1, S7P_LEGACY_KEY_LEN);
        st = s7p_legacy_gcm_seal(ck, rnd->iv, plain, CT_LEN, blob + OFF_CT, blob + OFF_TAG);
    }
    /* key1, not key2: the key that travels in the blob is the session key's HMAC key. */
    if (st == S7P_OK) st = s7p_legacy_session_key(rnd->key1, challenge, session_key);
    OPENSSL_cleanse(ck, sizeof ck);
    OPENSSL_cleanse(plain, sizeof plain);
    return st;
}

static bool header_ok(const s7p_legacy_plcsim_server_key *key, const uint8_t *blob, size_t n)
{
    s7p_legacy_blob_header h;
    uint8_t own_id[S7P_LEGACY_KEY_ID_LEN];
    if (n != S7P_LEGACY_PLCSIM_BLOB_LEN || s7p_legacy_blob_header_decode(blob, n, &h) != S7P_OK ||
        s7p_legacy_key_id(key->pubkey, own_id) != S7P_OK)
        return false;
    return h.magic == S7P_LEGACY_BLOB_MAGIC && h.length == S7P_LEGACY_PLCSIM_BLOB_LEN &&
           h.version == 1 && h.security_level == 1 && h.sym_internal_flags == 0 &&
           h.pub_internal_flags == 0 &&
           h.pub_flags == s7p_legacy_pub_flags(S7P_LEGACY_FAMILY_PLCSIM) &&
           h.sym_flags == s7p_legacy_blob_sym_flags(S7P_LEGACY_FAMILY_PLCSIM) &&
           memcmp(h.pub_key_id, own_id, sizeof own_id) == 0;
}

/* The challenge key from the seed: ECDH with d, the seed key, the seed's tag. */
static s7p_status open_seed(const s7p_legacy_plcsim_server_key *key, const uint8_t *blob,
                            uint8_t ck[16])
{
    uint8_t shared[S7P_LEGACY_P256_KEY_LEN], kdf[48];
    s7p_status st = s7p_legacy_p256_mul(key->private_key, blob + OFF_EPHEMERAL, shared);
    if (st == S7P_E_INVALID_ARG) st = S7P_E_PROTOCOL;  /* the client's point is off the curve */
    if (st == S7P_OK) st = s7p_legacy_plcsim_seed_kdf(shared, blob + OFF_EPHEMERAL, kdf);
    if (st == S7P_OK)
        st = s7p_legacy_gcm_open(kdf, kdf + 32, blob + OFF_SEED_CT, 16, blob + OFF_SEED_TAG, ck);
    OPENSSL_cleanse(shared, sizeof shared);
    OPENSSL_cleanse(kdf, sizeof kdf);
    return st;
}

static s7p_status open_main(const uint8_t ck[16], const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                            const uint8_t *blob, uint8_t key1[S7P_LEGACY_KEY_LEN])
{
    uint8_t plain[CT_LEN], id[S7P_LEGACY_KEY_ID_LEN];
    s7p_status st = s7p_legacy_gcm_open(ck, blob + OFF_IV, blob + OFF_CT, CT_LEN, blob + OFF_TAG, plain);
    if (st == S7P_OK && CRYPTO_memcmp(plain, challenge + 2, 16) != 0) st = S7P_E_PROTOCOL;
    if (st == S7P_OK) {
        memcpy(key1, plain + 16, S7P_LEGACY_KEY_LEN);
        st = s7p_legacy_key_id(key1, id);
    }
    if (st == S7P_OK && memcmp(id, blob + 16, sizeof id) != 0) st = S7P_E_PROTOCOL;
    OPENSSL_cleanse(plain, sizeof plain);
    return st;
}

s7p_status s7p_legacy_plcsim_blob_open(const s7p_legacy_plcsim_server_key *key,
                                       const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                       const uint8_t *blob, size_t n,
                                       uint8_t key1[S7P_LEGACY_KEY_LEN],
                                       uint8_t session_key[S7P_LEGACY_KEY_LEN])
{
    if (!key || !challenge || !blob) return S7P_E_INVALID_ARG;
    uint8_t ck[16];
    s7p_status st = header_ok(key, blob, n) ? open_seed(key, blob, ck) : S7P_E_PROTOCOL;
    if (st == S7P_OK) st = open_main(ck, challenge, blob, key1);
    if (st == S7P_OK) st = s7p_legacy_session_key(key1, challenge, session_key);
    OPENSSL_cleanse(ck, sizeof ck);
    if (st != S7P_OK) {
        OPENSSL_cleanse(key1, S7P_LEGACY_KEY_LEN);
        OPENSSL_cleanse(session_key, S7P_LEGACY_KEY_LEN);
    }
    return st;
}

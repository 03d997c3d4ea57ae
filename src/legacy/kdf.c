/* SPDX-License-Identifier: MIT */
/* SHA-256 and HMAC-SHA256 based derivations (OpenSSL): key ids, the session key and the
 * per-packet digest. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "legacy/crypto.h"

s7p_status s7p_legacy_key_id(const uint8_t key[S7P_LEGACY_KEY_LEN], uint8_t out[S7P_LEGACY_KEY_ID_LEN])
{
    uint8_t msg[S7P_LEGACY_KEY_LEN + 6], md[32];
    memcpy(msg, key, S7P_LEGACY_KEY_LEN);
    memcpy(msg + S7P_LEGACY_KEY_LEN, "DERIVE", 6);
    if (!EVP_Digest(msg, sizeof msg, md, NULL, EVP_sha256(), NULL)) return S7P_E_NOMEM;
    memcpy(out, md, S7P_LEGACY_KEY_ID_LEN);
    return S7P_OK;
}

uint64_t s7p_legacy_key_id_u64(const uint8_t id[S7P_LEGACY_KEY_ID_LEN])
{
    uint64_t v = 0;
    for (int i = S7P_LEGACY_KEY_ID_LEN - 1; i >= 0; i--) v = v << 8 | id[i];
    return v;
}

static s7p_status hmac256(const uint8_t *key, size_t klen, const uint8_t *data, size_t n,
                          uint8_t out[32])
{
    unsigned len = 0;
    static const uint8_t empty[1] = {0};
    if (!HMAC(EVP_sha256(), key, (int)klen, n ? data : empty, n, out, &len) || len != 32)
        return S7P_E_NOMEM;
    return S7P_OK;
}

s7p_status s7p_legacy_session_key(const uint8_t hmac_key[S7P_LEGACY_KEY_LEN],
                                  const uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN],
                                  uint8_t out[S7P_LEGACY_KEY_LEN])
{
    uint8_t msg[S7P_LEGACY_FP_LEN + 16], md[32];
    s7p_legacy_fingerprint(challenge, msg);
    memcpy(msg + S7P_LEGACY_FP_LEN, challenge + 2, 16);
    s7p_status st = hmac256(hmac_key, S7P_LEGACY_KEY_LEN, msg, sizeof msg, md);
    if (st == S7P_OK) memcpy(out, md, S7P_LEGACY_KEY_LEN);
    OPENSSL_cleanse(md, sizeof md);
    return st;
}

s7p_status s7p_legacy_digest(const uint8_t session_key[S7P_LEGACY_KEY_LEN], const uint8_t *data,
                             size_t n, uint8_t out[32])
{
    return hmac256(session_key, S7P_LEGACY_KEY_LEN, data, n, out);
}

bool s7p_legacy_digest_equal(const uint8_t a[32], const uint8_t b[32])
{
    return CRYPTO_memcmp(a, b, 32) == 0;
}

/* SPDX-License-Identifier: MIT */
/* Legitimation: variant selection, the legacy response, the newer variant's payload and its
 * AES-256-CBC encryption (session/legit.h; docs/protocol.md "Legitimation"). */
#include "session/legit.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

void s7p_legit_wipe(void *p, size_t n)
{
    if (p && n) OPENSSL_cleanse(p, n);
}

/* ---- variant ---- */

/* The three digits of the CPU family after "ES7" ("6ES7 516-..." gives 516); -1 if none. */
static int device_number(const char *paom)
{
    for (const char *p = strstr(paom, "ES7"); p; p = strstr(p + 1, "ES7")) {
        const char *d = p + 3;
        if (*d == ' ') d++;
        if (isdigit((unsigned char)d[0]) && isdigit((unsigned char)d[1]) &&
            isdigit((unsigned char)d[2]))
            return (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
    }
    return -1;
}

/* The firmware after the last ';' ("V3.1", "S21.9") as major * 100 + minor; -1 if none. */
static int firmware_number(const char *paom)
{
    const char *p = strrchr(paom, ';');
    p = p ? p + 1 : paom;
    if (*p != 'V' && *p != 'S') return -1;
    p++;
    int major = 0, minor = 0, digits = 0;
    for (; isdigit((unsigned char)*p) && digits < 3; p++, digits++) major = major * 10 + (*p - '0');
    if (!digits || *p++ != '.' || !isdigit((unsigned char)*p)) return -1;
    for (digits = 0; isdigit((unsigned char)*p) && digits < 2; p++, digits++)
        minor = minor * 10 + (*p - '0');
    return major * 100 + minor;
}

s7p_legit_variant s7p_legit_variant_of(const char *paom)
{
    if (!paom) return S7P_LEGIT_LEGACY;
    int dev = device_number(paom), fw = firmware_number(paom);
    if (dev < 0 || fw < 0) return S7P_LEGIT_LEGACY;
    switch (dev / 100) {
    case 5: return fw >= 301 ? S7P_LEGIT_NEW : S7P_LEGIT_LEGACY;             /* S7-1500 */
    case 2:                                                                     /* S7-1200 */
        if (strstr(paom, "50-0XB0")) return S7P_LEGIT_NEW;                     /* G2 */
        return fw >= 407 ? S7P_LEGIT_NEW : S7P_LEGIT_LEGACY;
    default: return S7P_LEGIT_LEGACY;  /* software controllers and anything unknown */
    }
}

const char *s7p_legit_variant_name(s7p_legit_variant v)
{
    return v == S7P_LEGIT_NEW ? "new" : "legacy";
}

/* ---- hashes ---- */

void s7p_legit_sha1(const char *text, uint8_t out[S7P_LEGIT_SHA1_LEN])
{
    SHA1((const unsigned char *)text, strlen(text), out);
}

s7p_status s7p_legit_legacy_response(const char *password, const uint8_t *challenge, size_t n,
                                     uint8_t out[S7P_LEGIT_SHA1_LEN])
{
    if (n != S7P_LEGIT_SHA1_LEN) return S7P_E_PROTOCOL;
    s7p_legit_sha1(password, out);
    for (size_t i = 0; i < S7P_LEGIT_SHA1_LEN; i++) out[i] ^= challenge[i];
    return S7P_OK;
}

void s7p_legit_roll_key(uint8_t secret[S7P_LEGIT_KEY_LEN], uint8_t key[S7P_LEGIT_KEY_LEN])
{
    SHA256(secret, S7P_LEGIT_KEY_LEN, key);
    memcpy(secret, key, S7P_LEGIT_KEY_LEN);
}

/* ---- payload ---- */

static void set_blob(s7p_value *v, s7p_blob *b, const uint8_t *p, size_t n)
{
    memset(b, 0, sizeof *b);
    b->data.p = p;
    b->data.n = n;
    v->type = S7P_DT_BLOB;
    v->v.blob = b;
}

s7p_status s7p_legit_payload(const char *password, const char *username, uint8_t *buf,
                             size_t cap, size_t *n)
{
    size_t plen = password ? strlen(password) : 0, ulen = username ? strlen(username) : 0;
    if (!password || plen > S7P_LEGIT_MAX_TEXT || ulen > S7P_LEGIT_MAX_TEXT)
        return S7P_E_INVALID_ARG;
    bool user = ulen > 0;
    uint8_t hash[S7P_LEGIT_SHA1_LEN];
    if (!user) s7p_legit_sha1(password, hash);
    /* The value tree lives on the stack: three members, two blobs, no arena. */
    s7p_member m[3];
    s7p_blob blobs[2];
    s7p_struct st;
    memset(m, 0, sizeof m);
    memset(&st, 0, sizeof st);
    m[0].id = S7P_LEGIT_PAYLOAD_TYPE;
    m[0].value.type = S7P_DT_UDINT;
    m[0].value.v.u = user ? S7P_LEGIT_TYPE_USER : S7P_LEGIT_TYPE_PASSWORD;
    m[1].id = S7P_LEGIT_PAYLOAD_USERNAME;
    set_blob(&m[1].value, &blobs[0], (const uint8_t *)(user ? username : ""), ulen);
    m[2].id = S7P_LEGIT_PAYLOAD_PASSWORD;
    set_blob(&m[2].value, &blobs[1], user ? (const uint8_t *)password : hash,
             user ? plen : sizeof hash);
    m[0].next = &m[1];
    m[1].next = &m[2];
    st.id = S7P_LEGIT_PAYLOAD_STRUCT;
    st.members = (s7p_idlist){&m[0], &m[2], 3};
    s7p_value v = {0};
    v.type = S7P_DT_STRUCT;
    v.v.st = &st;
    s7p_wr w = s7p_wr_init(buf, cap);
    bool ok = s7p_value_encode(&w, &v) && w.err == S7P_OK;
    s7p_legit_wipe(hash, sizeof hash);
    if (!ok) return w.err != S7P_OK ? w.err : S7P_E_TOO_SMALL;
    *n = w.len;
    return S7P_OK;
}

static bool blob_of(const s7p_struct *st, uint32_t id, s7p_bytes *out)
{
    const s7p_value *v = s7p_idlist_find(&st->members, id);
    if (!v || v->type != S7P_DT_BLOB || s7p_value_is_array(v) || !v->v.blob) return false;
    *out = v->v.blob->data;
    return true;
}

s7p_status s7p_legit_payload_parse(const uint8_t *p, size_t n, s7p_arena *a,
                                   s7p_legit_payload_view *out)
{
    s7p_rd r = s7p_rd_init(p, n);
    s7p_value v;
    memset(out, 0, sizeof *out);
    if (!s7p_value_decode(&r, a, &v) || v.type != S7P_DT_STRUCT || s7p_value_is_array(&v) ||
        !v.v.st || v.v.st->id != S7P_LEGIT_PAYLOAD_STRUCT)
        return S7P_E_PROTOCOL;
    const s7p_value *type = s7p_idlist_find(&v.v.st->members, S7P_LEGIT_PAYLOAD_TYPE);
    if (!type || type->type != S7P_DT_UDINT || s7p_value_is_array(type) ||
        !blob_of(v.v.st, S7P_LEGIT_PAYLOAD_USERNAME, &out->username) ||
        !blob_of(v.v.st, S7P_LEGIT_PAYLOAD_PASSWORD, &out->password))
        return S7P_E_PROTOCOL;
    out->type = (uint32_t)type->v.u;
    return S7P_OK;
}

/* ---- AES-256-CBC ---- */

static s7p_status cbc(bool enc, const uint8_t *key, const uint8_t *iv, const uint8_t *in,
                      size_t n, uint8_t *out, size_t cap, size_t *out_n)
{
    if (n > INT32_MAX - 32 || cap < n + 16) return S7P_E_TOO_SMALL;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx) return S7P_E_NOMEM;
    int a = 0, b = 0;
    bool ok = EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, iv, enc ? 1 : 0) == 1 &&
              EVP_CipherUpdate(ctx, out, &a, in, (int)n) == 1;
    /* Decrypting, a final block whose padding does not check out means a wrong key. */
    bool final = ok && EVP_CipherFinal_ex(ctx, out + a, &b) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) return S7P_E_TLS;
    if (!final) {
        s7p_legit_wipe(out, (size_t)a);
        return enc ? S7P_E_TLS : S7P_E_AUTH;
    }
    *out_n = (size_t)a + (size_t)b;
    return S7P_OK;
}

s7p_status s7p_legit_encrypt(const uint8_t key[S7P_LEGIT_KEY_LEN],
                             const uint8_t iv[S7P_LEGIT_IV_LEN], const uint8_t *in, size_t n,
                             uint8_t *out, size_t cap, size_t *out_n)
{
    return cbc(true, key, iv, in, n, out, cap, out_n);
}

s7p_status s7p_legit_decrypt(const uint8_t key[S7P_LEGIT_KEY_LEN],
                             const uint8_t iv[S7P_LEGIT_IV_LEN], const uint8_t *in, size_t n,
                             uint8_t *out, size_t cap, size_t *out_n)
{
    if (n == 0 || n % 16) return S7P_E_AUTH;
    return cbc(false, key, iv, in, n, out, cap, out_n);
}

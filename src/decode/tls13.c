/* SPDX-License-Identifier: MIT */
/* TLS 1.3 record decryption from a key log. See tls13.h. */
#include "decode/tls13.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

#define TAG_LEN 16u
#define SUITE_AES_128_GCM 0x1301u
#define SUITE_AES_256_GCM 0x1302u
#define SUITE_CHACHA20 0x1303u
#define KEYLOG_MAX_ENTRIES 65536u   /* bounds the memory a hostile key log can take */
#define TLS13_KEY_UPDATE 24u        /* handshake message type (§4.6.3) */

typedef struct keylog_entry {
    uint8_t random[S7P_TLS13_RANDOM_LEN];
    bool client;                     /* CLIENT_ or SERVER_TRAFFIC_SECRET_0 */
    uint8_t secret[S7P_TLS13_MAX_SECRET];
    size_t secret_len;
} keylog_entry;

struct s7p_keylog {
    keylog_entry *e;
    size_t n, cap;
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses exactly `max` or fewer bytes of hex ending at a space, newline or NUL. */
static bool parse_hex(const char **s, uint8_t *out, size_t max, size_t *n)
{
    const char *p = *s;
    size_t k = 0;
    while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
        if (k == max) return false;
        out[k++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
        p += 2;
    }
    *s = p;
    *n = k;
    return k > 0;
}

/* One line "LABEL <random> <secret>"; other labels and malformed lines are ignored. */
static void keylog_line(s7p_keylog *k, const char *line)
{
    keylog_entry e = {0};
    const char *p;
    if (strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24) == 0) {
        e.client = true;
        p = line + 24;
    } else if (strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24) == 0) {
        p = line + 24;
    } else {
        return;
    }
    size_t n;
    if (!parse_hex(&p, e.random, sizeof e.random, &n) || n != S7P_TLS13_RANDOM_LEN || *p != ' ')
        return;
    p++;
    if (!parse_hex(&p, e.secret, sizeof e.secret, &e.secret_len) ||
        (e.secret_len != 32 && e.secret_len != 48))
        return;
    if (k->n == k->cap) {
        if (k->cap >= KEYLOG_MAX_ENTRIES) return;
        size_t cap = k->cap ? k->cap * 2 : 16;
        keylog_entry *ne = s7p_realloc(k->e, cap * sizeof *ne);
        if (!ne) return;
        k->e = ne;
        k->cap = cap;
    }
    k->e[k->n++] = e;
}

s7p_status s7p_keylog_load(const char *path, s7p_keylog **out, char *err, size_t err_len)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (err && err_len) snprintf(err, err_len, "%s: cannot open the key log", path);
        return S7P_E_CONFIG;
    }
    s7p_keylog *k = s7p_calloc(1, sizeof *k);
    if (!k) {
        fclose(f);
        return S7P_E_NOMEM;
    }
    char line[512];
    while (fgets(line, sizeof line, f))
        keylog_line(k, line);
    fclose(f);
    *out = k;
    return S7P_OK;
}

void s7p_keylog_free(s7p_keylog *k)
{
    if (!k) return;
    s7p_free(k->e);
    s7p_free(k);
}

/* HKDF-Expand-Label(secret, label, "", len) of RFC 8446 §7.1. */
static bool expand_label(const char *md, const uint8_t *secret, size_t secret_len,
                         const char *label, uint8_t *out, size_t len)
{
    uint8_t info[64];
    size_t ll = strlen(label);
    info[0] = 0;
    info[1] = (uint8_t)len;
    info[2] = (uint8_t)(6 + ll);
    memcpy(info + 3, "tls13 ", 6);
    memcpy(info + 9, label, ll);
    info[9 + ll] = 0;   /* empty context */
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *cx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)(uintptr_t)md, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(uintptr_t)secret,
                                          secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, 10 + ll),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_end(),
    };
    bool ok = cx && EVP_KDF_derive(cx, out, len, params) == 1;
    EVP_KDF_CTX_free(cx);
    EVP_KDF_free(kdf);
    return ok;
}

static const char *suite_md(uint16_t suite)
{
    return suite == SUITE_AES_256_GCM ? "SHA384" : "SHA256";
}

/* The record key and iv of the direction's current secret (§7.3). */
static bool derive_keys(s7p_tls13_dir *d)
{
    const char *md = suite_md(d->suite);
    size_t key_len = d->suite == SUITE_AES_128_GCM ? 16 : 32;
    if (!expand_label(md, d->secret, d->secret_len, "key", d->key, key_len) ||
        !expand_label(md, d->secret, d->secret_len, "iv", d->iv, sizeof d->iv))
        return false;
    d->key_len = key_len;
    d->seq = 0;
    return true;
}

bool s7p_tls13_key_update(s7p_tls13_dir *d)
{
    uint8_t next[S7P_TLS13_MAX_SECRET];
    if (!d->keyed ||
        !expand_label(suite_md(d->suite), d->secret, d->secret_len, "traffic upd", next,
                      d->secret_len)) {
        d->keyed = false;
        return false;
    }
    memcpy(d->secret, next, d->secret_len);
    d->keyed = derive_keys(d);
    return d->keyed;
}

unsigned s7p_tls13_handshake_after(s7p_tls13_dir *d, const uint8_t *p, size_t n)
{
    unsigned updates = 0;
    /* Handshake messages: type (1), length (3), body. */
    while (n >= 4) {
        size_t len = (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
        if (len > n - 4) break;
        if (p[0] == TLS13_KEY_UPDATE && len == 1 && s7p_tls13_key_update(d)) updates++;
        p += 4 + len;
        n -= 4 + len;
    }
    return updates;
}

bool s7p_tls13_key(s7p_tls13_dir *d, const s7p_keylog *k, const uint8_t *client_random,
                   uint16_t suite, bool client)
{
    for (size_t i = 0; k && i < k->n; i++) {
        const keylog_entry *e = &k->e[i];
        if (e->client != client || memcmp(e->random, client_random, S7P_TLS13_RANDOM_LEN) != 0)
            continue;
        if (suite == 0) suite = e->secret_len == 48 ? SUITE_AES_256_GCM : SUITE_AES_128_GCM;
        d->suite = suite;
        memcpy(d->secret, e->secret, e->secret_len);
        d->secret_len = e->secret_len;
        d->synced = false;
        d->keyed = derive_keys(d);
        return d->keyed;
    }
    return false;
}

static const EVP_CIPHER *suite_cipher(uint16_t suite)
{
    switch (suite) {
    case SUITE_AES_128_GCM: return EVP_aes_128_gcm();
    case SUITE_AES_256_GCM: return EVP_aes_256_gcm();
    case SUITE_CHACHA20: return EVP_chacha20_poly1305();
    default: return NULL;
    }
}

bool s7p_tls13_open(s7p_tls13_dir *d, const uint8_t *rec, size_t rec_len, uint8_t *out,
                    size_t *out_len, uint8_t *type)
{
    const EVP_CIPHER *c = suite_cipher(d->suite);
    if (!d->keyed || !c || rec_len < 5 + TAG_LEN + 1)
        return false;
    uint8_t nonce[12];
    memcpy(nonce, d->iv, sizeof nonce);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(d->seq >> (8 * i));
    size_t ct_len = rec_len - 5 - TAG_LEN;
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ok = cx && EVP_DecryptInit_ex(cx, c, NULL, d->key, nonce) == 1 &&
              EVP_DecryptUpdate(cx, NULL, &n, rec, 5) == 1 &&
              EVP_DecryptUpdate(cx, out, &n, rec + 5, (int)ct_len) == 1 &&
              EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN,
                                  (void *)(uintptr_t)(rec + 5 + ct_len)) == 1 &&
              EVP_DecryptFinal_ex(cx, out + n, &fin) == 1;
    EVP_CIPHER_CTX_free(cx);
    if (!ok)
        return false;
    /* TLSInnerPlaintext: content, the type byte, then zero padding (§5.2). */
    size_t len = (size_t)n + (size_t)fin;
    while (len > 0 && out[len - 1] == 0)
        len--;
    if (len == 0)
        return false;
    *type = out[len - 1];
    *out_len = len - 1;
    d->seq++;
    d->synced = true;
    return true;
}

/* s7p_tls_ctx: one SSL_CTX with the S7CommPlus TLS profile (spec 4.3), the verification
 * mode, the server certificate and the key log. */
#include "tls/internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "util/alloc.h"

/* AES-GCM only: S7CommPlus peers size their frames for the 22-byte AES-GCM record overhead
 * (5 header + 1 content type + 16 tag), so CHACHA20 stays out even though it has the same. */
#define S7P_TLS_SUITES "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"
/* PLCs are reported to reset the connection when offered groups they lack (x448, ffdhe*). */
#define S7P_TLS_GROUPS "X25519:P-256"
#define KEYLOG_STACK_LINE 512     /* NSS key log lines are < 200 bytes */

/* "what: <OpenSSL reason>" into err, and clears the error queue. */
static void ctx_error(char *err, size_t len, const char *what, const char *arg)
{
    char ossl[256] = "";
    unsigned long code = ERR_peek_last_error();
    if (code) ERR_error_string_n(code, ossl, sizeof ossl);
    ERR_clear_error();
    if (!err || !len) return;
    snprintf(err, len, "tls: %s%s%s%s%s", what, arg ? " " : "", arg ? arg : "",
             code ? ": " : "", ossl);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = s7p_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Appends one line per secret. Each line goes out in a single write() on an O_APPEND file,
 * so lines from connections running in parallel (client and simulator in one process, or
 * several clients) never interleave. Errors are ignored: the key log is a debugging aid
 * and must not break the connection. */
static void keylog_cb(const SSL *ssl, const char *line)
{
    const s7p_tls_ctx *ctx = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (!ctx || !ctx->keylog_path) return;
    size_t n = strlen(line);
    char stack[KEYLOG_STACK_LINE];
    char *buf = n + 1 <= sizeof stack ? stack : s7p_malloc(n + 1);
    if (!buf) return;
    memcpy(buf, line, n);
    buf[n] = '\n';
    int fd = open(ctx->keylog_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ssize_t w = write(fd, buf, n + 1);
        (void)w;
        close(fd);
    }
    if (buf != stack) s7p_free(buf);
}

static bool set_profile(SSL_CTX *ssl)
{
    return SSL_CTX_set_min_proto_version(ssl, TLS1_3_VERSION) == 1 &&
           SSL_CTX_set_max_proto_version(ssl, TLS1_3_VERSION) == 1 &&
           SSL_CTX_set_ciphersuites(ssl, S7P_TLS_SUITES) == 1 &&
           SSL_CTX_set1_groups_list(ssl, S7P_TLS_GROUPS) == 1;
}

static bool cert_digest(const X509 *x, uint8_t out[S7P_SHA256_LEN])
{
    unsigned int n = 0;
    return x && X509_digest(x, EVP_sha256(), out, &n) == 1 && n == S7P_SHA256_LEN;
}

static bool use_generated_cert(s7p_tls_ctx *ctx, const char *cn, char *err, size_t len)
{
    EVP_PKEY *key;
    X509 *cert;
    const char *failed = s7p_tls_self_signed(cn ? cn : "s7plus-sim", &key, &cert);
    if (failed) {
        ctx_error(err, len, "self-signed certificate:", failed);
        return false;
    }
    /* Both calls take their own references, so ours are dropped either way. */
    bool ok = SSL_CTX_use_certificate(ctx->ssl, cert) == 1 &&
              SSL_CTX_use_PrivateKey(ctx->ssl, key) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!ok) ctx_error(err, len, "installing the self-signed certificate", NULL);
    return ok;
}

static bool use_pem_files(s7p_tls_ctx *ctx, const s7p_tls_config *cfg, char *err, size_t len)
{
    if (!cfg->cert_file || !cfg->key_file) {
        ctx_error(err, len, "cert_file and key_file must be given together", NULL);
        return false;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx->ssl, cfg->cert_file) != 1) {
        ctx_error(err, len, "cannot load certificate", cfg->cert_file);
        return false;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx->ssl, cfg->key_file, SSL_FILETYPE_PEM) != 1) {
        ctx_error(err, len, "cannot load private key", cfg->key_file);
        return false;
    }
    if (SSL_CTX_check_private_key(ctx->ssl) != 1) {
        ctx_error(err, len, "private key does not match certificate", cfg->key_file);
        return false;
    }
    return true;
}

static bool setup_server(s7p_tls_ctx *ctx, const s7p_tls_config *cfg, char *err, size_t len)
{
    bool generate = !cfg->cert_file && !cfg->key_file;
    if (generate ? !use_generated_cert(ctx, cfg->common_name, err, len)
                 : !use_pem_files(ctx, cfg, err, len))
        return false;
    ctx->has_cert = cert_digest(SSL_CTX_get0_certificate(ctx->ssl), ctx->cert_sha256);
    if (!ctx->has_cert) ctx_error(err, len, "certificate fingerprint", NULL);
    return ctx->has_cert;
}

/* PIN mode handshakes unverified (like NONE) and compares the fingerprint afterwards, in
 * s7p_tls_handshake, so that a self-signed PLC certificate can be pinned. */
static bool setup_client(s7p_tls_ctx *ctx, const s7p_tls_config *cfg, char *err, size_t len)
{
    ctx->verify = cfg->verify;
    memcpy(ctx->pin, cfg->pin_sha256, S7P_SHA256_LEN);
    switch (cfg->verify) {
    case S7P_TLS_VERIFY_NONE:
    case S7P_TLS_VERIFY_PIN:
        SSL_CTX_set_verify(ctx->ssl, SSL_VERIFY_NONE, NULL);
        return true;
    case S7P_TLS_VERIFY_CA:
        break;
    default:
        ctx_error(err, len, "unknown verification mode", NULL);
        return false;
    }
    int ok = cfg->ca_file ? SSL_CTX_load_verify_locations(ctx->ssl, cfg->ca_file, NULL)
                          : SSL_CTX_set_default_verify_paths(ctx->ssl);
    if (ok != 1) {
        ctx_error(err, len, "cannot load CA file", cfg->ca_file ? cfg->ca_file : "(default)");
        return false;
    }
    SSL_CTX_set_verify(ctx->ssl, SSL_VERIFY_PEER, NULL);
    return true;
}

static bool setup_keylog(s7p_tls_ctx *ctx, const char *path, char *err, size_t len)
{
    if (!path) return true;
    ctx->keylog_path = dup_str(path);
    if (!ctx->keylog_path) {
        ctx_error(err, len, "out of memory", NULL);
        return false;
    }
    SSL_CTX_set_keylog_callback(ctx->ssl, keylog_cb);
    return true;
}

static bool setup(s7p_tls_ctx *ctx, const s7p_tls_config *cfg, char *err, size_t len)
{
    ctx->ssl = SSL_CTX_new(cfg->server ? TLS_server_method() : TLS_client_method());
    if (!ctx->ssl) {
        ctx_error(err, len, "SSL_CTX_new failed", NULL);
        return false;
    }
    SSL_CTX_set_app_data(ctx->ssl, ctx);
    if (!set_profile(ctx->ssl)) {
        ctx_error(err, len, "cannot set the TLS 1.3 profile", NULL);
        return false;
    }
    if (!setup_keylog(ctx, cfg->keylog_file, err, len)) return false;
    return cfg->server ? setup_server(ctx, cfg, err, len) : setup_client(ctx, cfg, err, len);
}

s7p_tls_ctx *s7p_tls_ctx_new(const s7p_tls_config *cfg, char *err, size_t err_len)
{
    if (err && err_len) err[0] = '\0';
    if (!cfg) {
        ctx_error(err, err_len, "no configuration", NULL);
        return NULL;
    }
    s7p_tls_ctx *ctx = s7p_calloc(1, sizeof *ctx);
    if (!ctx) {
        ctx_error(err, err_len, "out of memory", NULL);
        return NULL;
    }
    ctx->server = cfg->server;
    if (!setup(ctx, cfg, err, err_len)) {
        s7p_tls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

void s7p_tls_ctx_free(s7p_tls_ctx *ctx)
{
    if (!ctx) return;
    SSL_CTX_free(ctx->ssl);
    s7p_free(ctx->keylog_path);
    s7p_free(ctx);
}

bool s7p_tls_ctx_cert_sha256(const s7p_tls_ctx *ctx, uint8_t out[S7P_SHA256_LEN])
{
    if (!ctx || !ctx->has_cert) return false;
    memcpy(out, ctx->cert_sha256, S7P_SHA256_LEN);
    return true;
}

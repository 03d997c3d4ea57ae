/* SPDX-License-Identifier: MIT */
/* s7p_tls_ctx: one SSL_CTX with the S7CommPlus TLS profile (spec 4.3), the verification
 * mode, the server certificate and the key log. */
#include "tls/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "util/alloc.h"

/* AES-GCM only: S7CommPlus peers size their frames for the 22-byte AES-GCM record overhead
 * (5 header + 1 content type + 16 tag), so CHACHA20 stays out even though it has the same. */
#define S7P_TLS_SUITES "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"
/* PLCs are reported to reset the connection when offered groups they lack (x448, ffdhe*). */
#define S7P_TLS_GROUPS "X25519:P-256"
#define KEYLOG_STACK_LINE 512     /* NSS key log lines are < 200 bytes */

/* "what: <OpenSSL reason>" into err, clears the error queue, and returns st. */
static s7p_status ctx_error(char *err, size_t len, s7p_status st, const char *what,
                            const char *arg)
{
    char ossl[256] = "";
    unsigned long code = ERR_peek_last_error();
    if (code) ERR_error_string_n(code, ossl, sizeof ossl);
    ERR_clear_error();
    if (err && len)
        snprintf(err, len, "tls: %s%s%s%s%s", what, arg ? " " : "", arg ? arg : "",
                 code ? ": " : "", ossl);
    return st;
}

/* The same for a failed system call: errno's text instead of OpenSSL's. */
static s7p_status file_error(char *err, size_t len, const char *what, const char *path, int e)
{
    ERR_clear_error();
    if (err && len)
        snprintf(err, len, "tls: %s %s: %s", what, path,
                 e == EINVAL || e == ENXIO ? "not a regular file" : strerror(e));
    return S7P_E_CONFIG;
}

/* 0 when path is a regular file this process can open for reading, else the errno. */
static int readable_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return errno;
    struct stat sb;
    int e = fstat(fd, &sb) != 0 ? errno : S_ISREG(sb.st_mode) ? 0 : EINVAL;
    close(fd);
    return e;
}

int s7p_tls_open_append(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0600);
    if (fd < 0) return -1;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
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
 * and must not break the connection (setup_keylog checked the file once). The open never
 * blocks: the path may have become a FIFO since. */
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
    int fd = s7p_tls_open_append(ctx->keylog_path);
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

static s7p_status use_generated_cert(s7p_tls_ctx *ctx, const char *cn, char *err, size_t len)
{
    EVP_PKEY *key;
    X509 *cert;
    const char *failed = s7p_tls_self_signed(cn ? cn : "s7plus-sim", &key, &cert);
    if (failed) return ctx_error(err, len, S7P_E_TLS, "self-signed certificate:", failed);
    /* Both calls take their own references, so ours are dropped either way. */
    bool ok = SSL_CTX_use_certificate(ctx->ssl, cert) == 1 &&
              SSL_CTX_use_PrivateKey(ctx->ssl, key) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok ? S7P_OK
              : ctx_error(err, len, S7P_E_TLS, "installing the self-signed certificate", NULL);
}

static s7p_status use_pem_files(s7p_tls_ctx *ctx, const s7p_tls_config *cfg, char *err,
                                size_t len)
{
    if (!cfg->cert_file || !cfg->key_file)
        return ctx_error(err, len, S7P_E_CONFIG, "cert_file and key_file must be given together",
                         NULL);
    if (SSL_CTX_use_certificate_chain_file(ctx->ssl, cfg->cert_file) != 1)
        return ctx_error(err, len, S7P_E_CONFIG, "cannot load certificate", cfg->cert_file);
    if (SSL_CTX_use_PrivateKey_file(ctx->ssl, cfg->key_file, SSL_FILETYPE_PEM) != 1)
        return ctx_error(err, len, S7P_E_CONFIG, "cannot load private key", cfg->key_file);
    if (SSL_CTX_check_private_key(ctx->ssl) != 1)
        return ctx_error(err, len, S7P_E_CONFIG, "private key does not match certificate",
                         cfg->key_file);
    return S7P_OK;
}

static s7p_status setup_server(s7p_tls_ctx *ctx, const s7p_tls_config *cfg, char *err,
                               size_t len)
{
    bool generate = !cfg->cert_file && !cfg->key_file;
    s7p_status st = generate ? use_generated_cert(ctx, cfg->common_name, err, len)
                             : use_pem_files(ctx, cfg, err, len);
    if (st != S7P_OK) return st;
    ctx->has_cert = cert_digest(SSL_CTX_get0_certificate(ctx->ssl), ctx->cert_sha256);
    return ctx->has_cert ? S7P_OK
                         : ctx_error(err, len, S7P_E_TLS, "certificate fingerprint", NULL);
}

static bool is_ip_address(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* The certificate must name the PLC: an IP address is matched against the IP SANs, a name
 * against the DNS SANs (the subject CN only when there are none), without partial
 * wildcards. Without this a certificate the CA issued to any other device would do. */
static s7p_status set_identity(s7p_tls_ctx *ctx, const char *name, char *err, size_t len)
{
    if (!name) return S7P_OK;
    ctx->expected_name = dup_str(name);
    if (!ctx->expected_name) return ctx_error(err, len, S7P_E_NOMEM, "out of memory", NULL);
    X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(ctx->ssl);
    int ok;
    if (is_ip_address(name)) {
        ok = X509_VERIFY_PARAM_set1_ip_asc(vp, name);
    } else {
        X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        ok = *name && X509_VERIFY_PARAM_set1_host(vp, name, 0);
    }
    return ok == 1 ? S7P_OK
                   : ctx_error(err, len, S7P_E_CONFIG, "invalid expected certificate name", name);
}

static s7p_status setup_tofu(s7p_tls_ctx *ctx, const s7p_tls_config *cfg, char *err, size_t len)
{
    if (!cfg->known_hosts_file || !cfg->known_hosts_key)
        return ctx_error(err, len, S7P_E_CONFIG, "trust on first use needs a known-hosts file",
                         NULL);
    ctx->known_hosts_file = dup_str(cfg->known_hosts_file);
    ctx->known_hosts_key = dup_str(cfg->known_hosts_key);
    if (!ctx->known_hosts_file || !ctx->known_hosts_key)
        return ctx_error(err, len, S7P_E_NOMEM, "out of memory", NULL);
    return S7P_OK;
}

/* PIN and TOFU modes handshake unverified (like NONE) and compare the fingerprint
 * afterwards, in s7p_tls_handshake, so that a self-signed PLC certificate can be used. */
static s7p_status setup_client(s7p_tls_ctx *ctx, const s7p_tls_config *cfg, char *err,
                               size_t len)
{
    ctx->verify = cfg->verify;
    memcpy(ctx->pin, cfg->pin_sha256, S7P_SHA256_LEN);
    switch (cfg->verify) {
    case S7P_TLS_VERIFY_NONE:
    case S7P_TLS_VERIFY_PIN:
        SSL_CTX_set_verify(ctx->ssl, SSL_VERIFY_NONE, NULL);
        return S7P_OK;
    case S7P_TLS_VERIFY_TOFU:
        SSL_CTX_set_verify(ctx->ssl, SSL_VERIFY_NONE, NULL);
        return setup_tofu(ctx, cfg, err, len);
    case S7P_TLS_VERIFY_CA:
        break;
    default:
        return ctx_error(err, len, S7P_E_CONFIG, "unknown verification mode", NULL);
    }
    /* First the file as such, for a plain reason ("No such file or directory") instead of
     * OpenSSL's; and a FIFO would block the load: anything but a regular file is a mistake. */
    if (cfg->ca_file) {
        int e = readable_file(cfg->ca_file);
        if (e) return file_error(err, len, "cannot load CA file", cfg->ca_file, e);
    }
    int ok = cfg->ca_file ? SSL_CTX_load_verify_locations(ctx->ssl, cfg->ca_file, NULL)
                          : SSL_CTX_set_default_verify_paths(ctx->ssl);
    if (ok != 1)
        return ctx_error(err, len, S7P_E_CONFIG, "cannot load CA file",
                         cfg->ca_file ? cfg->ca_file : "(default)");
    SSL_CTX_set_verify(ctx->ssl, SSL_VERIFY_PEER, NULL);
    return set_identity(ctx, cfg->expected_name, err, len);
}

/* The key log is opened once here, so that a path that cannot be written, or that names
 * a FIFO or a device, fails the set-up instead of blocking or vanishing silently later. */
static s7p_status setup_keylog(s7p_tls_ctx *ctx, const char *path, char *err, size_t len)
{
    if (!path) return S7P_OK;
    /* ENXIO: a FIFO without a reader (O_NONBLOCK); also "not a regular file". */
    int fd = s7p_tls_open_append(path);
    if (fd < 0) return file_error(err, len, "cannot open key-log file", path, errno);
    close(fd);
    ctx->keylog_path = dup_str(path);
    if (!ctx->keylog_path) return ctx_error(err, len, S7P_E_NOMEM, "out of memory", NULL);
    SSL_CTX_set_keylog_callback(ctx->ssl, keylog_cb);
    return S7P_OK;
}

static s7p_status setup(s7p_tls_ctx *ctx, const s7p_tls_config *cfg, char *err, size_t len)
{
    ctx->ssl = SSL_CTX_new(cfg->server ? TLS_server_method() : TLS_client_method());
    if (!ctx->ssl) return ctx_error(err, len, S7P_E_TLS, "SSL_CTX_new failed", NULL);
    SSL_CTX_set_app_data(ctx->ssl, ctx);
    if (!set_profile(ctx->ssl))
        return ctx_error(err, len, S7P_E_TLS, "cannot set the TLS 1.3 profile", NULL);
    s7p_status st = setup_keylog(ctx, cfg->keylog_file, err, len);
    if (st != S7P_OK) return st;
    return cfg->server ? setup_server(ctx, cfg, err, len) : setup_client(ctx, cfg, err, len);
}

s7p_tls_ctx *s7p_tls_ctx_create(const s7p_tls_config *cfg, s7p_status *st, char *err,
                                size_t err_len)
{
    s7p_status dummy;
    if (!st) st = &dummy;
    if (err && err_len) err[0] = '\0';
    if (!cfg) {
        *st = ctx_error(err, err_len, S7P_E_INVALID_ARG, "no configuration", NULL);
        return NULL;
    }
    s7p_tls_ctx *ctx = s7p_calloc(1, sizeof *ctx);
    if (!ctx) {
        *st = ctx_error(err, err_len, S7P_E_NOMEM, "out of memory", NULL);
        return NULL;
    }
    ctx->server = cfg->server;
    *st = setup(ctx, cfg, err, err_len);
    if (*st != S7P_OK) {
        s7p_tls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

s7p_tls_ctx *s7p_tls_ctx_new(const s7p_tls_config *cfg, char *err, size_t err_len)
{
    return s7p_tls_ctx_create(cfg, NULL, err, err_len);
}

void s7p_tls_ctx_free(s7p_tls_ctx *ctx)
{
    if (!ctx) return;
    SSL_CTX_free(ctx->ssl);
    s7p_free(ctx->keylog_path);
    s7p_free(ctx->expected_name);
    s7p_free(ctx->known_hosts_file);
    s7p_free(ctx->known_hosts_key);
    s7p_free(ctx);
}

bool s7p_tls_ctx_cert_sha256(const s7p_tls_ctx *ctx, uint8_t out[S7P_SHA256_LEN])
{
    if (!ctx || !ctx->has_cert) return false;
    memcpy(out, ctx->cert_sha256, S7P_SHA256_LEN);
    return true;
}

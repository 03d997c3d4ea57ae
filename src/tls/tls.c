/* SPDX-License-Identifier: MIT */
/* One TLS connection over memory BIOs. OpenSSL never touches a socket: what it wants to send
 * collects in wbio until the caller takes it, and what the caller feeds is poured into rbio.
 * That is how TLS rides inside COTP DT payloads. The blocking calls at the end move the bytes
 * through the io callbacks. */
#include "tls/internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

#include "tls/known_hosts.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/status.h"

#define S7P_TLS_MAX_RECORD 16384   /* TLS plaintext limit: one write = one record */

struct s7p_tls {
    s7p_tls_ctx *ctx;
    SSL *ssl;
    BIO *rbio, *wbio;                /* owned by ssl */
    s7p_tls_io io;                   /* blocking calls only */
    uint8_t *out;                    /* staging buffer for wbio -> io.send, grown as needed */
    size_t out_cap;
    bool rejected;                   /* pin mismatch: the session exists but must not be used */
    bool drained;                    /* SSL_read said WANT_READ and nothing was fed since */
    unsigned long err_code;
    char err[288];
};

/* OpenSSL's error queue must be empty before an SSL call for SSL_get_error() to be right.
 * Looking costs a fraction of clearing its sixteen entries (about 700 instructions, on every
 * record), and it is empty nearly always: fail() leaves it so. */
static void clear_error(s7p_tls *t)
{
    t->err[0] = '\0';
    t->err_code = 0;
    if (ERR_peek_error() != 0) ERR_clear_error();
}

/* "op: what[: OpenSSL reason]" with the queue's last error, then empties the queue so that
 * nothing stale leaks into the next call on this thread. */
static s7p_status fail(s7p_tls *t, s7p_status st, const char *op, const char *what)
{
    char ossl[200] = "";
    unsigned long code = ERR_peek_last_error();
    if (code) ERR_error_string_n(code, ossl, sizeof ossl);
    ERR_clear_error();
    t->err_code = code;
    snprintf(t->err, sizeof t->err, "%s: %s%s%s", op, what, code ? ": " : "", ossl);
    return st;
}

s7p_tls *s7p_tls_create(s7p_tls_ctx *ctx)
{
    if (!ctx) return NULL;
    s7p_tls *t = s7p_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->ctx = ctx;
    t->ssl = SSL_new(ctx->ssl);
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->rbio || !t->wbio) {
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        SSL_free(t->ssl);
        s7p_free(t);
        ERR_clear_error();
        return NULL;
    }
    /* An empty rbio means "no data yet" (retry), never end of stream: the end of the
     * stream is the transport's to report. */
    BIO_set_mem_eof_return(t->rbio, -1);
    SSL_set_bio(t->ssl, t->rbio, t->wbio);
    /* An idle connection gives its record buffers back (about 34 KiB). */
    SSL_set_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS);
    if (ctx->server)
        SSL_set_accept_state(t->ssl);
    else
        SSL_set_connect_state(t->ssl);
    return t;
}

void s7p_tls_free(s7p_tls *t)
{
    if (!t) return;
    SSL_free(t->ssl);
    s7p_free(t->out);
    s7p_free(t);
}

s7p_status s7p_tls_feed(s7p_tls *t, const uint8_t *p, size_t n)
{
    if (!t || (!p && n)) return S7P_E_INVALID_ARG;
    if (n) t->drained = false;
    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        if (BIO_write(t->rbio, p, chunk) != chunk) return S7P_E_NOMEM;
        p += chunk;
        n -= (size_t)chunk;
    }
    return S7P_OK;
}

size_t s7p_tls_pending(const s7p_tls *t) { return t ? BIO_ctrl_pending(t->wbio) : 0; }

size_t s7p_tls_take(s7p_tls *t, uint8_t *p, size_t cap)
{
    if (!t || !p || !cap) return 0;
    int got = BIO_read(t->wbio, p, cap > INT_MAX ? INT_MAX : (int)cap);
    return got > 0 ? (size_t)got : 0;
}

/* A handshake that OpenSSL aborted: a failed chain check is S7P_E_TLS_VERIFY, everything
 * else (alert from the peer, garbage bytes, no common suite) is S7P_E_TLS. */
/* Handshake complete and the peer accepted by the configured verification. */
static bool usable(const s7p_tls *t) { return SSL_is_init_finished(t->ssl) && !t->rejected; }

static s7p_status handshake_failed(s7p_tls *t)
{
    long vr = SSL_get_verify_result(t->ssl);
    if (t->ctx->verify == S7P_TLS_VERIFY_CA && vr != X509_V_OK) {
        char what[200];
        bool name = vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH;
        snprintf(what, sizeof what, "certificate verification failed (%s%s%s%s)",
                 X509_verify_cert_error_string(vr), name ? ": expected \"" : "",
                 name ? t->ctx->expected_name : "", name ? "\"" : "");
        return fail(t, S7P_E_TLS_VERIFY, "tls handshake", what);
    }
    return fail(t, S7P_E_TLS, "tls handshake", "failed");
}

/* OpenSSL considers the handshake done when PIN or TOFU reject the peer; the rejected flag
 * keeps read/write/export from talking to it, even if the caller ignores the error. */
static s7p_status reject(s7p_tls *t, s7p_status st, const char *what)
{
    t->rejected = true;
    return fail(t, st, "tls handshake", what);
}

static s7p_status check_pin(s7p_tls *t, const uint8_t got[S7P_SHA256_LEN])
{
    if (CRYPTO_memcmp(got, t->ctx->pin, S7P_SHA256_LEN) != 0)
        return reject(t, S7P_E_TLS_VERIFY,
                      "certificate fingerprint does not match the pinned SHA-256");
    return S7P_OK;
}

static s7p_status check_known_hosts(s7p_tls *t, const uint8_t got[S7P_SHA256_LEN])
{
    char why[240] = "";
    bool added;
    s7p_status st = s7p_known_hosts_check(t->ctx->known_hosts_file, t->ctx->known_hosts_key,
                                          got, &added, why, sizeof why);
    return st == S7P_OK ? S7P_OK : reject(t, st, why[0] ? why : s7p_status_text(st));
}

/* PIN and TOFU: the fingerprint decides, after OpenSSL accepted the handshake unverified. */
static s7p_status check_peer(s7p_tls *t)
{
    s7p_tls_verify v = t->ctx->verify;
    if (v != S7P_TLS_VERIFY_PIN && v != S7P_TLS_VERIFY_TOFU) return S7P_OK;
    uint8_t got[S7P_SHA256_LEN];
    if (!s7p_tls_peer_sha256(t, got))
        return reject(t, S7P_E_TLS_VERIFY, "peer sent no certificate");
    return v == S7P_TLS_VERIFY_PIN ? check_pin(t, got) : check_known_hosts(t, got);
}

s7p_status s7p_tls_handshake_step(s7p_tls *t, bool *done)
{
    *done = false;
    if (!t) return S7P_E_INVALID_ARG;
    if (t->rejected) return S7P_E_TLS_VERIFY;  /* a rejected peer stays rejected */
    clear_error(t);
    int r = SSL_do_handshake(t->ssl);
    int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(t->ssl, r);
    /* A failed handshake may have queued an alert: the caller sends it all the same. */
    if (e == SSL_ERROR_WANT_READ) return S7P_OK;
    if (e != SSL_ERROR_NONE) return handshake_failed(t);
    *done = true;
    return check_peer(t);
}

s7p_status s7p_tls_seal(s7p_tls *t, const uint8_t *p, size_t n)
{
    if (!t || (!p && n) || n > S7P_TLS_MAX_RECORD) return S7P_E_INVALID_ARG;
    if (!usable(t)) return S7P_E_STATE;
    clear_error(t);
    if (n == 0) return S7P_OK;      /* SSL_write(0) is an error in OpenSSL; nothing to send */
    /* n <= 16384 and wbio never blocks, so this one call produces exactly one record. */
    if (SSL_write(t->ssl, p, (int)n) <= 0) return fail(t, S7P_E_TLS, "tls write", "failed");
    return S7P_OK;
}

/* Post-handshake messages (NewSessionTicket, KeyUpdate) are consumed inside SSL_read, which
 * then reports WANT_READ, so they never reach the caller. */
s7p_status s7p_tls_open(s7p_tls *t, uint8_t *p, size_t cap, size_t *got)
{
    if (got) *got = 0;
    if (!t || !p || !cap || !got) return S7P_E_INVALID_ARG;
    if (!usable(t)) return S7P_E_STATE;
    /* The receive path asks after every step whether more is there; without new bytes
     * OpenSSL's answer cannot change, and asking costs a few thousand instructions. */
    if (t->drained) return S7P_OK;
    clear_error(t);
    int r = SSL_read(t->ssl, p, cap > INT_MAX ? INT_MAX : (int)cap);
    if (r > 0) {
        *got = (size_t)r;
        /* Nothing left inside OpenSSL (no plaintext, no record) nor fed to it: the next
         * SSL_read could only want more, so it is not asked until bytes are fed. */
        if (!SSL_has_pending(t->ssl) && BIO_ctrl_pending(t->rbio) == 0) t->drained = true;
        return S7P_OK;
    }
    int e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ) {
        t->drained = true;
        return S7P_OK;
    }
    if (e == SSL_ERROR_ZERO_RETURN)
        return fail(t, S7P_E_CLOSED, "tls read", "peer sent close_notify");
    return fail(t, S7P_E_TLS, "tls read", "failed");
}

void s7p_tls_close_notify(s7p_tls *t)
{
    if (!t || !SSL_is_init_finished(t->ssl)) return;
    (void)SSL_shutdown(t->ssl);
    ERR_clear_error();
}

/* ---- blocking calls over io ---- */

static bool grow_out(s7p_tls *t, size_t need)
{
    if (need <= t->out_cap) return true;
    uint8_t *p = s7p_realloc(t->out, need);
    if (!p) return false;
    t->out = p;
    t->out_cap = need;
    return true;
}

/* Sends everything OpenSSL has queued in one io.send call: a handshake flight may hold
 * several records, and the transport decides how to cut it. */
static s7p_status flush(s7p_tls *t, int64_t deadline)
{
    size_t n = s7p_tls_pending(t);
    if (n == 0) return S7P_OK;
    if (n > INT_MAX || !grow_out(t, n)) return S7P_E_NOMEM;
    size_t got = s7p_tls_take(t, t->out, n);
    if (got == 0) return S7P_OK;
    return t->io.send(t->io.ctx, t->out, got, deadline);
}

/* Feeds the next transport chunk to OpenSSL. An empty chunk is allowed; the deadline check
 * keeps a transport that only returns empty chunks from spinning forever. */
static s7p_status pull(s7p_tls *t, int64_t deadline)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    s7p_status st = t->io.recv(t->io.ctx, &p, &n, deadline);
    if (st != S7P_OK) return st;
    if (n == 0 && s7p_now_ms() >= deadline) return S7P_E_TIMEOUT;
    return s7p_tls_feed(t, p, n);
}

s7p_tls *s7p_tls_new(s7p_tls_ctx *ctx, const s7p_tls_io *io)
{
    if (!io || !io->send || !io->recv) return NULL;
    s7p_tls *t = s7p_tls_create(ctx);
    if (t) t->io = *io;
    return t;
}

s7p_status s7p_tls_handshake(s7p_tls *t, int64_t deadline)
{
    if (!t) return S7P_E_INVALID_ARG;
    for (;;) {
        bool done;
        s7p_status st = s7p_tls_handshake_step(t, &done);
        /* Flush before looking at the result: the peer should see an alert. */
        s7p_status sent = flush(t, deadline);
        if (st != S7P_OK && !(done && sent != S7P_OK)) return st;
        if (sent != S7P_OK) return fail(t, sent, "tls handshake send", s7p_status_text(sent));
        if (done) return st;
        st = pull(t, deadline);
        if (st != S7P_OK) return fail(t, st, "tls handshake receive", s7p_status_text(st));
    }
}

s7p_status s7p_tls_write(s7p_tls *t, const uint8_t *p, size_t n, int64_t deadline)
{
    s7p_status st = s7p_tls_seal(t, p, n);
    if (st == S7P_E_INVALID_ARG || st == S7P_E_STATE) return st;
    s7p_status sent = flush(t, deadline);
    if (st != S7P_OK) return st;
    return sent == S7P_OK ? S7P_OK : fail(t, sent, "tls write send", s7p_status_text(sent));
}

s7p_status s7p_tls_read(s7p_tls *t, uint8_t *p, size_t cap, size_t *got, int64_t deadline)
{
    for (;;) {
        s7p_status st = s7p_tls_open(t, p, cap, got);
        if (st == S7P_E_INVALID_ARG || st == S7P_E_STATE) return st;
        /* Whatever OpenSSL queued meanwhile (our alert, a KeyUpdate answer) goes out first,
         * before we wait for the peer. */
        s7p_status sent = flush(t, deadline);
        if (st != S7P_OK) return st;
        if (sent != S7P_OK) return fail(t, sent, "tls read send", s7p_status_text(sent));
        if (*got) return S7P_OK;
        st = pull(t, deadline);
        if (st != S7P_OK) return fail(t, st, "tls read receive", s7p_status_text(st));
    }
}

void s7p_tls_shutdown(s7p_tls *t, int64_t deadline)
{
    if (!t || !SSL_is_init_finished(t->ssl)) return;
    s7p_tls_close_notify(t);
    (void)flush(t, deadline);
    ERR_clear_error();
}

bool s7p_tls_peer_sha256(const s7p_tls *t, uint8_t out[S7P_SHA256_LEN])
{
    if (!t) return false;
    const X509 *x = SSL_get0_peer_certificate(t->ssl);
    unsigned int n = 0;
    return x && X509_digest(x, EVP_sha256(), out, &n) == 1 && n == S7P_SHA256_LEN;
}

bool s7p_tls_export(const s7p_tls *t, const char *label, uint8_t *out, size_t n)
{
    if (!t || !label || !out || !usable(t)) return false;
    /* use_context = 0: "no context" differs from an empty context in TLS 1.3 exporters,
     * and the reference clients derive the EXPERIMENTAL_OMS secret without one. */
    return SSL_export_keying_material(t->ssl, out, n, label, strlen(label), NULL, 0, 0) == 1;
}

const char *s7p_tls_cipher(const s7p_tls *t)
{
    const SSL_CIPHER *c = t ? SSL_get_current_cipher(t->ssl) : NULL;
    return c ? SSL_CIPHER_get_name(c) : "";
}

const char *s7p_tls_error(const s7p_tls *t) { return t ? t->err : ""; }

unsigned long s7p_tls_error_code(const s7p_tls *t) { return t ? t->err_code : 0; }

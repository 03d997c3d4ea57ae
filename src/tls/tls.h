/* SPDX-License-Identifier: MIT */
/* TLS 1.3 over any byte transport, through OpenSSL memory BIOs. The caller moves the bytes
 * (in S7CommPlus: COTP DT payloads), push style or through two blocking callbacks, so this
 * layer knows nothing about the protocol around it. Offers only TLS 1.3 with AES-GCM suites
 * (the frame size arithmetic of S7CommPlus peers assumes their 22-byte record overhead) and
 * X25519/P-256. */
#ifndef S7P_TLS_TLS_H
#define S7P_TLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s7plus/s7plus.h"

#define S7P_SHA256_LEN 32

typedef enum {
    S7P_TLS_VERIFY_NONE = 0,   /* accept any certificate; its fingerprint is still reported */
    S7P_TLS_VERIFY_CA,         /* chain must verify against ca_file */
    S7P_TLS_VERIFY_PIN,        /* leaf certificate's SHA-256 must equal pin_sha256 */
    S7P_TLS_VERIFY_TOFU,       /* trust on first use: known_hosts_file remembers it */
} s7p_tls_verify;

typedef struct s7p_tls_config {
    bool server;
    /* client */
    s7p_tls_verify verify;
    const char *ca_file;                  /* VERIFY_CA; copied */
    const char *expected_name;            /* VERIFY_CA: DNS name or IP address the certificate
                                             must carry; NULL = chain only; copied */
    const char *known_hosts_file;         /* VERIFY_TOFU: "key sha256hex" lines; copied */
    const char *known_hosts_key;          /* VERIFY_TOFU: this peer's key, e.g. "host:port" */
    uint8_t pin_sha256[S7P_SHA256_LEN];   /* VERIFY_PIN */
    /* server: PEM files, or both NULL to generate a self-signed EC P-256 certificate */
    const char *cert_file, *key_file;
    const char *common_name;              /* generated certificate's CN; NULL = "s7plus-sim" */
    /* both: append NSS key log lines (SSLKEYLOGFILE format) to this file; NULL = off */
    const char *keylog_file;
} s7p_tls_config;

/** Shared settings (SSL_CTX): one per client handle or per simulator. */
typedef struct s7p_tls_ctx s7p_tls_ctx;
/** One TLS connection. */
typedef struct s7p_tls s7p_tls;

/** Creates the context. On failure returns NULL and writes a one-line reason to err. */
s7p_tls_ctx *s7p_tls_ctx_new(const s7p_tls_config *cfg, char *err, size_t err_len);
/** The same, with the kind of failure in *st: S7P_E_CONFIG for files that cannot be used
 *  (CA, certificate, key, key log that is not a regular file) or a bad expected name,
 *  S7P_E_NOMEM, else S7P_E_TLS. */
s7p_tls_ctx *s7p_tls_ctx_create(const s7p_tls_config *cfg, s7p_status *st, char *err,
                                size_t err_len);
void s7p_tls_ctx_free(s7p_tls_ctx *ctx);
/** SHA-256 of the server certificate this context presents (server contexts only). */
bool s7p_tls_ctx_cert_sha256(const s7p_tls_ctx *ctx, uint8_t out[S7P_SHA256_LEN]);

/* ---- push style: no transport, the caller moves the bytes ---- */

/** Creates a connection without transport: the peer's bytes go in with s7p_tls_feed, the
 *  bytes for the peer come out with s7p_tls_take after every call that may produce some
 *  (handshake step, seal, open, close_notify). NULL when out of memory. */
s7p_tls *s7p_tls_create(s7p_tls_ctx *ctx);
void s7p_tls_free(s7p_tls *t);
/** Hands bytes received from the peer to TLS. */
s7p_status s7p_tls_feed(s7p_tls *t, const uint8_t *p, size_t n);
/** Bytes waiting to go to the peer. */
size_t s7p_tls_pending(const s7p_tls *t);
/** Takes up to cap of them; returns how many. */
size_t s7p_tls_take(s7p_tls *t, uint8_t *p, size_t cap);
/** Advances the handshake with what was fed; *done when it completed and the peer passed the
 *  configured verification. S7P_OK with !*done: feed more bytes. Errors as for
 *  s7p_tls_handshake (then s7p_tls_error() holds a one-line reason). */
s7p_status s7p_tls_handshake_step(s7p_tls *t, bool *done);
/** Encrypts n bytes (n <= 16384) as one record into the output. */
s7p_status s7p_tls_seal(s7p_tls *t, const uint8_t *p, size_t n);
/** Decrypts what was fed: up to cap bytes (at most one record's worth); *got == 0 when more
 *  bytes are needed. S7P_E_CLOSED on close_notify, S7P_E_TLS on a bad record or an alert. */
s7p_status s7p_tls_open(s7p_tls *t, uint8_t *p, size_t cap, size_t *got);
/** Queues close_notify (after a completed handshake only). */
void s7p_tls_close_notify(s7p_tls *t);

/* ---- blocking, over a transport of two callbacks (tests, benchmarks) ---- */

/** The byte transport under TLS. send() sends all bytes; recv() returns the next chunk
 *  (a view valid until the next recv) or an error. Both honour the deadline. */
typedef struct s7p_tls_io {
    void *ctx;
    s7p_status (*send)(void *ctx, const uint8_t *p, size_t n, int64_t deadline);
    s7p_status (*recv)(void *ctx, const uint8_t **p, size_t *n, int64_t deadline);
} s7p_tls_io;

/** A connection over io (both callbacks required). */
s7p_tls *s7p_tls_new(s7p_tls_ctx *ctx, const s7p_tls_io *io);

/** Runs the handshake to completion. S7P_E_TLS (handshake/record failure, alert),
 *  S7P_E_TLS_VERIFY (CA, name or pin mismatch), S7P_E_CERT_CHANGED (TOFU: not the
 *  remembered certificate), S7P_E_CONFIG (TOFU: known-hosts file unusable),
 *  S7P_E_TIMEOUT, or the transport's error.
 *  s7p_tls_error() then holds a one-line reason. */
s7p_status s7p_tls_handshake(s7p_tls *t, int64_t deadline);
/** Encrypts n bytes as one record (n <= 16384) and sends it. */
s7p_status s7p_tls_write(s7p_tls *t, const uint8_t *p, size_t n, int64_t deadline);
/** Returns decrypted bytes (at most one record's worth per call, up to cap). */
s7p_status s7p_tls_read(s7p_tls *t, uint8_t *p, size_t cap, size_t *got, int64_t deadline);
/** Sends close_notify (best effort, bounded by the deadline). */
void s7p_tls_shutdown(s7p_tls *t, int64_t deadline);

/** SHA-256 of the peer's certificate (after the handshake). */
bool s7p_tls_peer_sha256(const s7p_tls *t, uint8_t out[S7P_SHA256_LEN]);
/** Keying material exporter (RFC 8446 7.5), no context; "EXPERIMENTAL_OMS" for legitimation. */
bool s7p_tls_export(const s7p_tls *t, const char *label, uint8_t *out, size_t n);
/** Negotiated cipher suite name, e.g. "TLS_AES_256_GCM_SHA384". */
const char *s7p_tls_cipher(const s7p_tls *t);
/** One-line reason of the last failure ("" if none). */
const char *s7p_tls_error(const s7p_tls *t);
/** OpenSSL error code of the last failure (ERR_get_error()), 0 if none. */
unsigned long s7p_tls_error_code(const s7p_tls *t);

#endif

/* SPDX-License-Identifier: MIT */
/* Internals shared by the files of the TLS layer (and its tests). Not part of any API. */
#ifndef S7P_TLS_INTERNAL_H
#define S7P_TLS_INTERNAL_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls/tls.h"

/* One SSL_CTX plus what the connections made from it need. A connection keeps a pointer to
 * its context, and the key log callback finds the context through SSL_CTX app data, so the
 * context must outlive every connection made from it. */
struct s7p_tls_ctx {
    SSL_CTX *ssl;
    bool server;
    s7p_tls_verify verify;
    uint8_t pin[S7P_SHA256_LEN];
    bool has_cert;                    /* server: cert_sha256 is valid */
    uint8_t cert_sha256[S7P_SHA256_LEN];
    char *keylog_path;                /* owned copy, NULL = no key log */
    char *expected_name;              /* owned copy, for messages; NULL = none */
    char *known_hosts_file;           /* VERIFY_TOFU: owned copies */
    char *known_hosts_key;
};

/** Makes a fresh EC P-256 key and a self-signed X.509 v3 certificate for it (CN = cn,
 *  random serial, valid from now-1d to now+10y, SHA-256 signature). Returns NULL on
 *  success, else the name of the step that failed (static string; OpenSSL's error queue
 *  holds the detail). On success the caller owns *key and *cert. */
const char *s7p_tls_self_signed(const char *cn, EVP_PKEY **key, X509 **cert);

/** Opens path for appending without ever blocking (a FIFO or device as key log or
 *  known-hosts file would hold the handshake past every deadline): O_NONBLOCK, and anything
 *  but a regular file is refused. Returns the fd, or -1 with errno set (EINVAL: not a
 *  regular file). */
int s7p_tls_open_append(const char *path);

#endif

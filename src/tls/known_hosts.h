/* SPDX-License-Identifier: MIT */
/* Trust on first use, like SSH's known_hosts: a text file with one line per endpoint,
 *     <endpoint> <sha256 of the certificate, 64 hex digits>
 * e.g. "192.0.2.10:102 3f0c...". Blank lines and lines starting with '#' are ignored; the
 * first line for an endpoint counts. An endpoint seen for the first time is appended. */
#ifndef S7P_TLS_KNOWN_HOSTS_H
#define S7P_TLS_KNOWN_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s7plus/s7plus.h"
#include "tls/tls.h"

/** Largest known-hosts file read (a line is about 90 bytes). */
#define S7P_KNOWN_HOSTS_MAX (1024u * 1024u)

/** Checks fp against the line for key in path, appending one when there is none (the file
 *  is created with mode 0600; the line goes out in one O_APPEND write, so clients connecting
 *  at the same time never mix their lines). S7P_OK (known or just added: *added tells),
 *  S7P_E_CERT_CHANGED (the message shows both fingerprints) or S7P_E_CONFIG (the file cannot
 *  be read or written, is not a regular file, or its line for key is malformed). */
s7p_status s7p_known_hosts_check(const char *path, const char *key,
                                 const uint8_t fp[S7P_SHA256_LEN], bool *added, char *why,
                                 size_t why_len);

/** 64 lowercase hex digits and a NUL. */
void s7p_sha256_hex(const uint8_t fp[S7P_SHA256_LEN], char out[2 * S7P_SHA256_LEN + 1]);

#endif

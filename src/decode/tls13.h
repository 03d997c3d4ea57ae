/* SPDX-License-Identifier: MIT */
/* TLS 1.3 application data of a captured connection, decrypted with the traffic secrets of
 * a key log (SSLKEYLOGFILE format: "CLIENT_TRAFFIC_SECRET_0 <client random> <secret>").
 * Only the application traffic keys are derived (RFC 8446 §7.1, §7.3: HKDF-Expand-Label
 * "key" and "iv"), so the encrypted handshake records before them are skipped; each record
 * is opened with the AEAD of the cipher suite the ServerHello chose (§5.2, §5.3: nonce =
 * iv XOR the record's sequence number, additional data = the record header). A KeyUpdate
 * message (§4.6.3) moves its sender's direction to the next traffic secret (§7.2). */
#ifndef S7P_DECODE_TLS13_H
#define S7P_DECODE_TLS13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s7plus/s7plus.h"

#define S7P_TLS13_RANDOM_LEN 32
#define S7P_TLS13_MAX_SECRET 48
#define S7P_TLS13_MAX_RECORD (16384 + 256)   /* TLSCiphertext length limit (§5.2) */

/** The traffic secrets of a key log, by client random. */
typedef struct s7p_keylog s7p_keylog;

/** Reads a key log file. S7P_E_CONFIG (with a reason in err) when it cannot be read. */
s7p_status s7p_keylog_load(const char *path, s7p_keylog **out, char *err, size_t err_len);
void s7p_keylog_free(s7p_keylog *k);

/** One direction's record protection. */
typedef struct s7p_tls13_dir {
    bool keyed;              /* a key is installed */
    bool synced;             /* a record opened with it: handshake records are behind us */
    uint16_t suite;
    uint8_t secret[S7P_TLS13_MAX_SECRET];   /* the current traffic secret (key updates) */
    size_t secret_len;
    uint8_t key[32], iv[12];
    size_t key_len;
    uint64_t seq;
} s7p_tls13_dir;

/** Installs the application traffic key of one direction (client: true for the client's
 *  records) when the key log has the secret for this client random; false otherwise. A
 *  suite of 0 (no ServerHello seen) is guessed from the secret's length. */
bool s7p_tls13_key(s7p_tls13_dir *d, const s7p_keylog *k, const uint8_t *client_random,
                   uint16_t suite, bool client);

/** Moves to the next traffic secret after the peer's KeyUpdate (RFC 8446 §7.2):
 *  secret = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length), new key and iv, the
 *  record sequence number back to 0. False (the direction is then unkeyed) on failure. */
bool s7p_tls13_key_update(s7p_tls13_dir *d);

/** Goes through the handshake messages of a decrypted record of content type handshake:
 *  a KeyUpdate moves d to the next secret (other messages, such as NewSessionTicket, are
 *  skipped). Returns the number of key updates done. */
unsigned s7p_tls13_handshake_after(s7p_tls13_dir *d, const uint8_t *p, size_t n);

/** Opens one record (header included). On success the plaintext (content type removed)
 *  is out[0..*out_len) and *type its inner content type. out has room for rec_len bytes. */
bool s7p_tls13_open(s7p_tls13_dir *d, const uint8_t *rec, size_t rec_len, uint8_t *out,
                    size_t *out_len, uint8_t *type);

#endif

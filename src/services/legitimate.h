/* SPDX-License-Identifier: MIT */
/* Legitimation as an operation (op.h): raises the access level of an open session with a
 * password (and, on firmware with user management, a user name). Reads the session's
 * EffectiveProtectionLevel (1842); when it is not full access, reads the challenge (303),
 * answers with the variant the PLC needs (legacy: attribute 304; newer, TLS only: the
 * encrypted payload into 1846) and reads the level again. A negative return value of the
 * answer is a wrong password: S7P_E_AUTH, the session stays open at its level.
 * docs/protocol.md "Legitimation". */
#ifndef S7P_SERVICES_LEGITIMATE_H
#define S7P_SERVICES_LEGITIMATE_H

#include "services/op.h"
#include "session/legit.h"

typedef struct s7p_legit_op {
    s7p_op op;                  /* first: the operation */
    const char *password;       /* borrowed until done; not NULL */
    const char *username;       /* borrowed until done; NULL or "" = none */
    uint32_t request_ms;
    int64_t deadline_cap;       /* no request beyond this (the connect timeout); 0 = none */
    s7p_legit_variant variant;
    uint32_t level_before, level;
    uint8_t challenge[64];
    size_t nchallenge;
    bool sent;                  /* the answer to the challenge went out */
    void *answer;               /* the answer's bytes until its request completes (wiped) */
    size_t answer_len;
} s7p_legit_op;

/** Starts the operation on an open session (s->eng open; the PAOM string and security of
 *  s->eng.props decide the variant). On success s->protection_level and the engine's copy
 *  hold the new level. Failures: S7P_E_AUTH (the PLC refused the password), S7P_E_UNSUPPORTED
 *  (a user name where the PLC's variant has none, or the newer variant without TLS),
 *  S7P_E_PROTOCOL (a malformed answer), S7P_E_PLC (a read refused), the session's faults. */
void s7p_legit_start(s7p_legit_op *o, s7p_session *s, const char *password,
                     const char *username, uint32_t request_ms, int64_t deadline_cap,
                     s7p_op_done_fn done, void *ctx);

/** Takes the answer of a protection-level read (EffectiveProtectionLevel, 1842): a scalar
 *  UDInt into *level, else S7P_E_PROTOCOL (in f). The return value is checked before. */
s7p_status s7p_legit_level_take(const s7p_pdu *resp, uint32_t *level, s7p_fail *f);
/** Takes the answer of the challenge read (303): a USInt array of 16..cap bytes copied into
 *  out (*n its length), else S7P_E_PROTOCOL (in f). The return value is checked before. */
s7p_status s7p_legit_challenge_take(const s7p_pdu *resp, uint8_t *out, size_t cap, size_t *n,
                                    s7p_fail *f);

/** Name of an access level for messages: "full access", "read access", "HMI access", "no
 *  access", else "level N" (buf). */
const char *s7p_legit_level_name(uint32_t level, char *buf, size_t len);

/** Wipes the session's legitimation secrets (at close). */
void s7p_legit_forget(s7p_session *s);

#endif

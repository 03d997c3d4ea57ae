/* SPDX-License-Identifier: MIT */
/* TPKT (RFC 1006) and COTP (ISO 8073 class 0) as used under S7CommPlus. Pure codec: the
 * I/O lives in net/iso.c. Every TPKT is `03 00 <len:u16be incl. header>`, then one COTP
 * TPDU: CR (0xE0), CC (0xD0), DR (0x80), DT (0xF0) or ER (0x70). */
#ifndef S7P_NET_COTP_H
#define S7P_NET_COTP_H

#include "proto/rd.h"
#include "proto/wr.h"

#define S7P_TPKT_HEADER_LEN 4
#define S7P_TPKT_MAX_LEN 65535u
#define S7P_COTP_DT_HEADER_LEN 3   /* 02 F0 <eot|nr> */

enum {
    S7P_COTP_CR = 0xE0,
    S7P_COTP_CC = 0xD0,
    S7P_COTP_DR = 0x80,
    S7P_COTP_DT = 0xF0,
    S7P_COTP_ER = 0x70,
};

enum {
    S7P_COTP_PARAM_TPDU_SIZE = 0xC0,
    S7P_COTP_PARAM_CALLING_TSAP = 0xC1,
    S7P_COTP_PARAM_CALLED_TSAP = 0xC2,
};

/* Default TSAPs of the HMI client; "SIMATIC-ROOT-ES" is the engineering variant. */
#define S7P_TSAP_LOCAL_DEFAULT 0x0600u
#define S7P_TSAP_REMOTE_HMI "SIMATIC-ROOT-HMI"
#define S7P_TSAP_REMOTE_ES "SIMATIC-ROOT-ES"
/** Longest TSAP we send or accept (the COTP parameter length is one byte; PLCs use <= 32). */
#define S7P_TSAP_MAX_LEN 32u
/** TPDU size exponent 0x0A = 1024 bytes, what every S7CommPlus peer uses. */
#define S7P_COTP_TPDU_EXP_DEFAULT 10

typedef struct s7p_cotp {
    uint8_t type;              /* S7P_COTP_* */
    /* CR / CC / DR */
    uint16_t dst_ref, src_ref;
    uint8_t class_option;      /* CR/CC; DR: reason */
    uint8_t tpdu_exp;          /* CR/CC parameter C0 as sent (valid: 7..13), 0 when absent */
    s7p_bytes calling_tsap;    /* CR/CC parameter C1 */
    s7p_bytes called_tsap;     /* CR/CC parameter C2 */
    /* DT */
    bool eot;                  /* last DT of a TSDU */
    s7p_bytes payload;
} s7p_cotp;

/** Length of the TPKT starting at buf, from its header. S7P_E_TOO_SMALL while fewer than 4
 *  bytes are there; S7P_E_PROTOCOL for a bad version or a length below 7. */
s7p_status s7p_tpkt_length(const uint8_t *buf, size_t n, size_t *len);
/** Decodes one whole TPKT (header included): len must be exactly the TPKT's length. Views in
 *  *out point into tpkt. S7P_E_PROTOCOL for anything malformed or an unknown TPDU code. */
s7p_status s7p_cotp_decode(const uint8_t *tpkt, size_t len, s7p_cotp *out);

/** Each writer emits a whole TPKT. TSAPs are copied as given. */
bool s7p_cotp_write_cr(s7p_wr *w, uint16_t src_ref, uint8_t tpdu_exp, s7p_bytes calling,
                       s7p_bytes called);
bool s7p_cotp_write_cc(s7p_wr *w, uint16_t dst_ref, uint16_t src_ref, uint8_t tpdu_exp,
                       s7p_bytes calling, s7p_bytes called);
bool s7p_cotp_write_dr(s7p_wr *w, uint16_t dst_ref, uint16_t src_ref, uint8_t reason);
bool s7p_cotp_write_dt(s7p_wr *w, const uint8_t *payload, size_t n, bool eot);

/** True when a remote TSAP may be sent: 1..S7P_TSAP_MAX_LEN printable ASCII characters. */
bool s7p_tsap_valid(const char *tsap);

#endif

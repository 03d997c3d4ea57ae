/* SPDX-License-Identifier: MIT */
/* `s7plus decode --filter EXPR`: which messages to show.
 *
 *   EXPR  := TERM [',' TERM]...          every term must match (AND)
 *   TERM  := 'errors'                    error answers, refused items, undecodable bytes
 *          | NAME                        short for function=NAME (the old form)
 *          | KEY '=' VALUE ['|' VALUE]... one of the values must match (OR)
 *   KEY   := function | seq | conn | dir | session | frame
 *
 * function: a function name (GetMultiVariables, Notification, SystemEvent, KeepAlive,
 * "COTP CR", ...), case-insensitive; seq, conn, frame: a number N or a range N-M; session:
 * a number, decimal or 0x hex; dir: req (requests), resp (responses), notif (notifications),
 * client (everything the client sent), plc (everything the PLC sent).
 *
 * Only the public header is used, so this file also serves the unit tests. */
#ifndef S7PLUS_CLI_DECODE_FILTER_H
#define S7PLUS_CLI_DECODE_FILTER_H

#include <s7plus/s7plus.h>
#include <stddef.h>

#define DECODE_FILTER_TERMS 16
#define DECODE_FILTER_VALUES 16
#define DECODE_FILTER_NAME 48

typedef enum decode_key {
    KEY_ERRORS,
    KEY_FUNCTION,
    KEY_SEQ,
    KEY_CONN,
    KEY_DIR,
    KEY_SESSION,
    KEY_FRAME,
} decode_key;

/** One accepted value: a name (function, dir) or a range lo..hi (numbers). */
typedef struct decode_value {
    char name[DECODE_FILTER_NAME];
    uint64_t lo, hi;
} decode_value;

typedef struct decode_term {
    decode_key key;
    size_t n;
    decode_value v[DECODE_FILTER_VALUES];
} decode_term;

/** A parsed filter; n == 0 matches everything. */
typedef struct decode_filter {
    size_t n;
    decode_term t[DECODE_FILTER_TERMS];
} decode_filter;

/** Parses EXPR into *f. False with a one-line reason in err when it does not parse. */
bool decode_filter_parse(const char *expr, decode_filter *f, char *err, size_t err_len);

/** Whether the message passes the filter. */
bool decode_filter_match(const decode_filter *f, const s7p_decoded_pdu *m);

#endif

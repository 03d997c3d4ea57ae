/* SPDX-License-Identifier: MIT */
/* The S7CommPlus frame: `72 <version> <len:u16be> <data[len]> [72 <version> 00 00]`.
 * A PDU larger than one frame is split into several frames; only the last carries the
 * trailer. Version 0xFE frames are system events (never fragmented, no trailer); version
 * 0xFF is a 4-byte keep-alive without length. Reassembly writes into a caller buffer. */
#ifndef S7P_PROTO_FRAME_H
#define S7P_PROTO_FRAME_H

#include "proto/value.h"

#define S7P_FRAME_MARKER 0x72
#define S7P_FRAME_HEADER_LEN 4
#define S7P_FRAME_TRAILER_LEN 4

typedef struct s7p_frame {
    uint8_t version;
    s7p_bytes data;        /* the data part (for V3 it starts with the digest field) */
    bool has_trailer;      /* last (or only) fragment of a PDU */
    uint8_t keepalive_seq; /* version 0xFF only */
} s7p_frame;

/** Parses one frame at the start of buf. *consumed is its full length (trailer included).
 *  Returns S7P_E_TOO_SMALL when buf holds only the beginning of a frame (read more),
 *  S7P_E_PROTOCOL when buf does not start with a frame. */
s7p_status s7p_frame_parse(const uint8_t *buf, size_t len, s7p_frame *out, size_t *consumed);

/** Writes one frame around `data`; the trailer only when `last`. */
bool s7p_frame_write(s7p_wr *w, uint8_t version, const uint8_t *data, size_t len, bool last);

/** Reassembles the data parts of a fragmented PDU into a caller buffer. */
typedef struct s7p_reasm {
    uint8_t *buf;
    size_t cap, len;
    uint8_t version;
    bool active;           /* a first fragment arrived, the last did not yet */
} s7p_reasm;

void s7p_reasm_init(s7p_reasm *r, uint8_t *buf, size_t cap);
/** Adds a frame. *done becomes true when the PDU is complete; its data part is then
 *  buf[0..len) and the next call starts a new PDU. System events and keep-alives must not be
 *  fed here. S7P_E_LIMIT when the PDU outgrows the buffer; S7P_E_PROTOCOL when a fragment's
 *  version differs from the first one. For V3, each continuation fragment's own digest field
 *  is dropped: only the first fragment's stays, at the start of the data. */
s7p_status s7p_reasm_feed(s7p_reasm *r, const s7p_frame *f, bool *done);

/* ---- system events (version 0xFE) ----------------------------------------------------- */

typedef enum { S7P_SYSEV_PLAIN, S7P_SYSEV_STRUCT, S7P_SYSEV_TEXT } s7p_sysev_kind;

typedef struct s7p_sysevent {
    uint32_t reserved1;
    uint32_t confirmed_bytes;
    uint32_t reserved2, reserved3;
    s7p_sysev_kind kind;
    s7p_value value;       /* S7P_SYSEV_STRUCT: a struct in fixed-int form */
    s7p_bytes text;        /* S7P_SYSEV_TEXT, e.g. "LOGOUT" */
} s7p_sysevent;

s7p_status s7p_sysevent_decode(const uint8_t *data, size_t len, s7p_arena *a, s7p_sysevent *out);
bool s7p_sysevent_encode(s7p_wr *w, const s7p_sysevent *e);
/** ReturnValue (40305) of a struct system event; false when there is none. */
bool s7p_sysevent_return_value(const s7p_sysevent *e, int64_t *out);

#endif

/* SPDX-License-Identifier: MIT */
/* Readable text of decoded S7CommPlus messages, for `s7plus decode`: the body of a PDU
 * (objects and attributes with their ids, item addresses with their values, errors with
 * their PLC names), of a system event, and hex dumps of what could not be decoded. Lines
 * are separated by '\n', the text has no trailing newline. */
#ifndef S7P_DECODE_RENDER_H
#define S7P_DECODE_RENDER_H

#include "proto/frame.h"
#include "proto/pdu.h"
#include "util/strbuf.h"

/** Appends the body of a decoded PDU. */
void s7p_render_pdu_body(s7p_strbuf *b, const s7p_pdu *p);
/** Appends the content of a system event. */
void s7p_render_sysevent(s7p_strbuf *b, const s7p_sysevent *e);
/** Appends one PValue on one line (arrays and long blobs are shortened). */
void s7p_render_value(s7p_strbuf *b, const s7p_value *v);
/** Appends bytes as hex, at most max of them ("... (N bytes)" after). */
void s7p_render_hex(s7p_strbuf *b, const uint8_t *p, size_t n, size_t max);

#endif

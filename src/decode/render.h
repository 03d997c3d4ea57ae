/* SPDX-License-Identifier: MIT */
/* Readable text of decoded S7CommPlus messages, for `s7plus decode`: the body of a PDU
 * (objects and attributes with their ids and names, item addresses — as symbols when a
 * lookup names them — with their values, errors with their PLC names), of a system event,
 * and hex dumps of what could not be decoded. Lines are separated by '\n', the text has no
 * trailing newline. Beside the text, the body's objects, attributes and items are collected
 * as fields (s7p_decoded_field) whose strings are spans of the text. */
#ifndef S7P_DECODE_RENDER_H
#define S7P_DECODE_RENDER_H

#include "proto/frame.h"
#include "proto/pdu.h"
#include "s7plus/s7plus.h"
#include "util/strbuf.h"

#define S7P_RENDER_NO_SPAN ((size_t)-1)

/** A field while the body is made: the strings are spans (offset, length) of the body. */
typedef struct s7p_render_field {
    s7p_decoded_field f;             /* the string members stay NULL here */
    size_t addr_at, addr_len, sym_at, sym_len, val_at, val_len;
} s7p_render_field;

/** The addresses of a request's items, to name the items of its response. */
typedef struct s7p_render_request {
    const s7p_tag *addr;             /* by item address: naddr addresses */
    uint32_t naddr;
    const uint32_t *ids;             /* by object (link) and attribute ids: nids ids */
    uint32_t nids;
} s7p_render_request;

/** What one body is rendered with and into. Start from {0} and set b (and the lookup). */
typedef struct s7p_render {
    s7p_strbuf *b;                   /* the body text */
    s7p_render_field *fields;        /* the fields so far (nfields of them) */
    size_t nfields, fields_cap;
    bool oom;
    s7p_decode_symbol_fn symbol;     /* names addresses; may be NULL */
    void *symbol_ctx;
    s7p_render_request req;          /* responses: their request's items; zero otherwise */
} s7p_render;

/** Appends the body of a decoded PDU and collects its fields (r->nfields is reset first). */
void s7p_render_pdu_body(s7p_render *r, const s7p_pdu *p);
/** Appends the content of a system event. */
void s7p_render_sysevent(s7p_strbuf *b, const s7p_sysevent *e);
/** Appends one PValue on one line (arrays and long blobs are shortened). */
void s7p_render_value(s7p_strbuf *b, const s7p_value *v);
/** Appends bytes as hex, at most max of them ("... (N bytes)" after). */
void s7p_render_hex(s7p_strbuf *b, const uint8_t *p, size_t n, size_t max);
/** The public form of an item address (LIDs beyond S7P_TAG_MAX_LIDS are cut). */
void s7p_render_tag_of(const s7p_item_address *a, s7p_tag *out);
/** Makes the public fields of r: their strings are copied, NUL-terminated, into `strings`
 *  (reset first), and the array *out (capacity *cap) grows as needed. False when out of
 *  memory. */
bool s7p_render_publish(const s7p_render *r, s7p_strbuf *strings, s7p_decoded_field **out,
                        size_t *cap);

#endif

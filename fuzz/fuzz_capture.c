/* SPDX-License-Identifier: MIT */
/* Fuzz target: the capture decoder (src/decode) fed a pcap/pcapng file from memory, as
 * `s7plus decode` reads one: libpcap, link/IP/TCP headers, TCP reassembly, TPKT/COTP, TLS
 * record detection, frames, fragments, PDU decoding and the readable body of every message.
 *
 * Invariants: truncated or corrupted captures never crash, leak or read out of bounds
 * (ASan/UBSan); the call returns S7P_OK or a documented status (S7P_E_IO for what libpcap
 * refuses, S7P_E_UNSUPPORTED, S7P_E_LIMIT); every message has a function name and a body;
 * an undecodable message names its reason; every field's strings are NUL-terminated and
 * the symbol lookup's text (given for every other address) arrives whole; on S7P_OK a
 * summary is made. */
#include "fuzz_common.h"

#include "s7plus/s7plus.h"

#define TARGET "fuzz_capture"

static void on_msg(const s7p_decoded_pdu *m, void *user)
{
    size_t *count = user;
    if (!m->function_name || !m->body || !m->client || !m->server)
        abort();
    if (m->kind == S7P_DECODED_UNDECODABLE && !m->error)
        abort();
    (void)strlen(m->body);   /* the text must be NUL-terminated inside its buffer */
    if (m->field_count && !m->fields) abort();
    for (size_t i = 0; i < m->field_count; i++) {
        const s7p_decoded_field *f = &m->fields[i];
        const char *s[] = {f->address_text, f->symbol, f->value, f->type, f->id_name,
                           f->class_name, f->code_name};
        for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
            if (s[k]) (void)strlen(s[k]);
        if (f->symbol && strcmp(f->symbol, "\"Fuzz\".sym[1]") != 0) abort();
        if (f->has_address && f->address.nlids > S7P_TAG_MAX_LIDS) abort();
    }
    (*count)++;
}

static const char *symbol(void *ctx, const s7p_tag *a)
{
    (void)ctx;
    return a->nlids % 2 ? "\"Fuzz\".sym[1]" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    size_t count = 0;
    s7p_decode_options o = {.on_pdu = on_msg, .user = &count, .symbol = symbol};
    char *summary = NULL, err[256];
    s7p_status st = s7p_capture_decode_mem(data, size, &o, &summary, err, sizeof err);
    if (st == S7P_OK && !summary) abort();
    if (st != S7P_OK && st != S7P_E_IO && st != S7P_E_UNSUPPORTED && st != S7P_E_LIMIT &&
        st != S7P_E_NOMEM)
        abort();
    s7p_text_free(summary);
    return 0;
}

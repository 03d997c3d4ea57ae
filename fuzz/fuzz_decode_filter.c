/* SPDX-License-Identifier: MIT */
/* Fuzz target: `s7plus decode --filter EXPR` (cli/decode_filter.c), the expression parser and
 * the matcher. The input is the expression (cut at its first NUL). Invariants: a parsed
 * filter has 1..DECODE_FILTER_TERMS terms of 1..DECODE_FILTER_VALUES values each, names
 * terminated and ranges ordered; a refusal has its reason; a parsed filter matches a set
 * of made-up messages (requests, responses, notifications, errors, keep-alives) without
 * reading outside them. Seeds: fuzz/seeds/decode_filter (the forms of the man page). */
#include "fuzz_common.h"

#include "decode_filter.h"

#define TARGET "fuzz_decode_filter"

static const s7p_decoded_field item_error = {.kind = S7P_FIELD_ITEM_ERROR};

static const s7p_decoded_pdu messages[] = {
    {.kind = S7P_DECODED_PDU, .frame = 7, .connection = 1, .from_client = true, .opcode = 0x31,
     .function_name = "GetMultiVariables", .seq = 12, .session_id = 0x380},
    {.kind = S7P_DECODED_PDU, .frame = 8, .connection = 1, .opcode = 0x32,
     .function_name = "GetMultiVariables", .seq = 12, .session_id = 0x380,
     .has_return_value = true, .return_code = -1, .fields = &item_error, .field_count = 1},
    {.kind = S7P_DECODED_PDU, .frame = 9, .connection = 2, .opcode = 0x33,
     .function_name = "Notification"},
    {.kind = S7P_DECODED_KEEPALIVE, .frame = 10, .connection = 2, .function_name = "KeepAlive"},
    {.kind = S7P_DECODED_UNDECODABLE, .frame = UINT64_MAX, .connection = UINT32_MAX,
     .function_name = ""},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *expr = malloc(size + 1);
    if (!expr) abort();
    memcpy(expr, data, size);
    expr[size] = '\0';
    decode_filter *f = malloc(sizeof *f);  /* large: off the stack */
    if (!f) abort();
    char err[256] = "";
    if (!decode_filter_parse(expr, f, err, sizeof err)) {
        if (strncmp(err, "--filter: ", 10) != 0)
            fuzz_invariant_failed(TARGET, "a refusal without its reason", data, size);
    } else {
        if (f->n < 1 || f->n > DECODE_FILTER_TERMS)
            fuzz_invariant_failed(TARGET, "term count out of bounds", data, size);
        for (size_t i = 0; i < f->n; i++) {
            const decode_term *t = &f->t[i];
            if (t->n < 1 || t->n > DECODE_FILTER_VALUES)
                fuzz_invariant_failed(TARGET, "value count out of bounds", data, size);
            for (size_t k = 0; k < t->n; k++)
                if (!memchr(t->v[k].name, '\0', sizeof t->v[k].name) || t->v[k].lo > t->v[k].hi)
                    fuzz_invariant_failed(TARGET, "a value not terminated or not ordered", data,
                                          size);
        }
        for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
            (void)decode_filter_match(f, &messages[i]);
    }
    free(f);
    free(expr);
    return 0;
}

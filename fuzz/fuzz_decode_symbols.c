/* SPDX-License-Identifier: MIT */
/* Fuzz target: `s7plus decode --symbols FILE` (cli/decode_symbols.c), the table read from a
 * browse JSON file and its lookups. The input is the JSON text up to its first NUL; the
 * bytes after it are LIDs (4 bytes each, little-endian) for lookups. Every entry of the
 * JSON array with an address (read here with jansson as well) is looked up as it is, with
 * each LID of the tail appended (an array element), and with the last LID replaced by it.
 * Invariants: a symbol found is a terminated text of at most 1 KiB (an element's name is
 * built in a 1 KiB buffer); a table holds at least one variable. Seeds: fuzz/seeds/
 * decode_symbols (browse output with arrays of one and more dimensions, Bool arrays). */
#include "fuzz_common.h"

#include <jansson.h>

#include "decode_symbols.h"

#define TARGET "fuzz_decode_symbols"
#define MAX_TAIL_LIDS 8

static const uint8_t *g_in;
static size_t g_n;

static void check(decode_symbols *s, const s7p_tag *t)
{
    const char *sym = decode_symbols_lookup(s, t);
    if (sym && !memchr(sym, '\0', 1024))
        fuzz_invariant_failed(TARGET, "a symbol longer than 1 KiB or not terminated", g_in, g_n);
}

/* The address of one browse entry, as far as it reads as one. */
static bool address_of(json_t *e, s7p_tag *t)
{
    json_t *a = json_object_get(e, "address"), *lids = json_object_get(a, "lids");
    memset(t, 0, sizeof *t);
    if (!json_is_array(lids) || json_array_size(lids) == 0 ||
        json_array_size(lids) > S7P_TAG_MAX_LIDS)
        return false;
    t->area = (uint32_t)json_integer_value(json_object_get(a, "area"));
    t->sub_area = (uint32_t)json_integer_value(json_object_get(a, "sub_area"));
    t->nlids = (uint8_t)json_array_size(lids);
    for (uint8_t i = 0; i < t->nlids; i++)
        t->lids[i] = (uint32_t)json_integer_value(json_array_get(lids, i));
    return true;
}

static void lookups(decode_symbols *s, json_t *root, const uint32_t *tail, size_t ntail)
{
    for (size_t i = 0; json_is_array(root) && i < json_array_size(root); i++) {
        s7p_tag t;
        if (!address_of(json_array_get(root, i), &t)) continue;
        check(s, &t);
        for (size_t k = 0; k < ntail; k++) {
            s7p_tag x = t;
            x.lids[x.nlids - 1] = tail[k];
            check(s, &x);
            if (t.nlids == S7P_TAG_MAX_LIDS) continue;
            x = t;
            x.lids[x.nlids++] = tail[k];
            check(s, &x);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_in = data;
    g_n = size;
    const uint8_t *nul = memchr(data, '\0', size);
    size_t json_len = nul ? (size_t)(nul - data) : size;
    uint32_t tail[MAX_TAIL_LIDS + 3] = {0, 1, UINT32_MAX};
    size_t ntail = 3;
    for (size_t off = json_len + 1; off + 4 <= size && ntail < MAX_TAIL_LIDS + 3; off += 4)
        tail[ntail++] = (uint32_t)data[off] | (uint32_t)data[off + 1] << 8 |
                        (uint32_t)data[off + 2] << 16 | (uint32_t)data[off + 3] << 24;
    char err[256] = "";
    decode_symbols *s = decode_symbols_parse((const char *)data, json_len, "fuzz", err, sizeof err);
    if (!s) {
        if (!err[0]) fuzz_invariant_failed(TARGET, "a refusal without its reason", data, size);
        return 0;
    }
    if (decode_symbols_count(s) == 0)
        fuzz_invariant_failed(TARGET, "a table without variables", data, size);
    json_t *root = json_loadb((const char *)data, json_len, 0, NULL);
    lookups(s, root, tail, ntail);
    json_decref(root);
    decode_symbols_free(s);
    return 0;
}

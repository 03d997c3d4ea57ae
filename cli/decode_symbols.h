/* SPDX-License-Identifier: MIT */
/* `s7plus decode --symbols FILE`: item addresses named after a browse of the same PLC (the
 * JSON array `s7plus browse --json` writes). An address names a variable when its area,
 * sub-area and LID path are those of a browsed variable; one LID more than a browsed array
 * names an element of it ("DB".Arr[3] or [1,2]). The symbol CRC is not compared: some
 * clients send 0. Only the public header and jansson are used (also by the unit tests). */
#ifndef S7PLUS_CLI_DECODE_SYMBOLS_H
#define S7PLUS_CLI_DECODE_SYMBOLS_H

#include <s7plus/s7plus.h>
#include <stddef.h>

typedef struct decode_symbols decode_symbols;

/** Reads a browse JSON file. NULL with a one-line reason in err when it cannot be read or
 *  is not a browse array. */
decode_symbols *decode_symbols_load(const char *path, char *err, size_t err_len);
/** The same from the JSON text[0..len) (`name` for messages). */
decode_symbols *decode_symbols_parse(const char *text, size_t len, const char *name, char *err,
                                     size_t err_len);
/** Frees the table (NULL is a no-op). */
void decode_symbols_free(decode_symbols *s);
/** Number of variables in the table. */
size_t decode_symbols_count(const decode_symbols *s);
/** s7p_decode_symbol_fn: the symbol of an address, or NULL (ctx is the decode_symbols). The
 *  text stays valid until the next call. */
const char *decode_symbols_lookup(void *ctx, const s7p_tag *address);

#endif

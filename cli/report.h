/* SPDX-License-Identifier: MIT */
/* What the CLI reports: error texts and JSON error objects, for whole calls and for the
 * items of a batch, and the per-item output of read and write. Only the public header is
 * used (and jansson), so the unit tests link this file directly. */
#ifndef S7PLUS_CLI_REPORT_H
#define S7PLUS_CLI_REPORT_H

#include <jansson.h>
#include <s7plus/s7plus.h>

/** "S7P_E_TIMEOUT": the status as its C name (stable, for scripts). Static, never NULL. */
const char *cli_status_name(s7p_status st);

/** Whether a PLC return code means "busy, try again later". */
bool cli_plc_code_transient(int16_t code);

/** " (PLC error -17 InvalidCRC: symbol CRC mismatch: ...)" for err's PLC code, or "" when it
 *  has none or `text` names it already. Into buf. */
const char *cli_plc_suffix(const s7p_error *err, const char *text, char *buf, size_t len);

/** A batch item's outcome as an error: the code, the PLC code with its name and text
 *  ("PLC error -17 InvalidCRC: symbol CRC mismatch: ..."), transient. `op` and `endpoint`
 *  are the batch's. */
void cli_result_error(const s7p_item_result *r, const char *op, const char *endpoint,
                      s7p_error *out);

/** {"code": "S7P_E_...", "status": N, "operation", "endpoint", "plc_code",
 *  "plc_code_name", "plc_code_text", "transient", "message"}; `message` overrides
 *  err->message when not NULL. NULL when out of memory. */
json_t *cli_error_json(const s7p_error *err, const char *message);

typedef enum cli_item_state { CLI_ITEM_PENDING, CLI_ITEM_OK, CLI_ITEM_FAILED } cli_item_state;

/** One SYMBOL (=VALUE) of read or write. */
typedef struct cli_item {
    const char *symbol;
    const char *text;          /* write: the value's text */
    s7p_tag tag;
    bool resolved;             /* tag is valid */
    s7p_tag_value value;       /* read: the value read; write: the value to write */
    cli_item_state state;      /* pending: nothing known (not resolved, or not reached) */
    s7p_error err;             /* CLI_ITEM_FAILED */
    const char *err_text;      /* the text for err (err.message, shortened) */
} cli_item;

/** Marks an item failed with `err`; `text` (NULL: err->message) is what is printed after
 *  "SYMBOL: error: ". */
void cli_item_fail(cli_item *it, const s7p_error *err, const char *text);

/** Prints o indented on stdout and releases it; CLI_OK, or CLI_PROTOCOL when o is NULL (out
 *  of memory while building it). */
int cli_print_json(json_t *o);
/** Prints o as one compact line on stdout (an error object when o is NULL: out of memory)
 *  and releases it. */
void cli_print_json_line(json_t *o);

/** Prints the items (SYMBOL = VALUE, SYMBOL: error: ...) on stdout, or with `json` one
 *  object {SYMBOL: value or {"error": {...}}}; items still pending are left out. When
 *  `batch` is not NULL the call failed as a whole: text mode prints it on stderr, JSON mode
 *  prints {"error": {...}, "results": {...items...}} instead. */
void cli_print_items(bool json, const cli_item *it, size_t n, const s7p_error *batch);

#endif

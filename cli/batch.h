/* SPDX-License-Identifier: MIT */
/* What read and write share: their operands as items, symbol resolution, and the batch's
 * per-item results. */
#ifndef S7PLUS_CLI_BATCH_H
#define S7PLUS_CLI_BATCH_H

#include "cli.h"
#include "report.h"

/** A result code no library call sets: the item's result was not filled in. */
#define CLI_RESULT_UNSET ((s7p_status)0x7FFF)

/** Clears *c, then parses the options, the endpoint and at least one operand; *items
 *  (calloc, n of them) get the operands as symbols. CLI_OK, or the exit code after saying why. */
int cli_batch_start(int argc, char **argv, cli_common *c, const char *usage, cli_item **items,
                    size_t *n);
/** "host:port" ("[v6]:port") of the options. */
void cli_endpoint(const cli_common *c, char *buf, size_t len);
/** Resolves every item's symbol; an unknown symbol fails only its item. False (and *rc,
 *  after printing the error) when the connection failed. */
bool cli_resolve(const cli_common *c, s7p_client *cl, cli_item *it, size_t n, int *rc);
/** Takes results[k] for item index[k] (index NULL: item k): ok or failed with the PLC code
 *  named; results still CLI_RESULT_UNSET leave the item pending. */
void cli_take_results(const cli_common *c, const char *op, cli_item *it,
                      const s7p_item_result *results, const size_t *index, size_t m);
/** Prints the items (and `batch`, the call's failure, when not NULL); returns the exit code:
 *  the batch's, else 3 when an item failed, else 0. */
int cli_report(const cli_common *c, const cli_item *it, size_t n, const s7p_error *batch);

#endif

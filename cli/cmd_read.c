/* SPDX-License-Identifier: MIT */
/* s7plus read HOST SYMBOL...: resolves the symbols, reads them in one batch and prints
 * `SYMBOL = VALUE` lines (TIA literal text) or one JSON object. */
#include <stdlib.h>
#include <string.h>

#include "batch.h"

static const char usage[] =
    "usage: s7plus read HOST[:PORT] SYMBOL... [options]\n"
    "Reads the variables in one batch and prints SYMBOL = VALUE, values in TIA Portal\n"
    "literal style (16#00FF, T#1S_500MS, DTL#2024-01-31-12:00:00.000000000, 'text').\n"
    "Symbols as in TIA Portal: '\"My DB\".Motor[3].Speed', 'Data.Arr[1,2]' (quote them for\n"
    "the shell). --json prints one object {SYMBOL: value or {\"error\": {...}}}.\n"
    "A variable that fails prints SYMBOL: error: ... (with the PLC's error code, its name\n"
    "and meaning) and makes the exit code 3.\n";

static int read_all(cli_common *c, s7p_client *cl, cli_item *it, size_t n)
{
    int rc = CLI_OK;
    if (!cli_resolve(c, cl, it, n, &rc)) return rc;
    s7p_tag *tags = calloc(n, sizeof *tags);
    s7p_tag_value *values = calloc(n, sizeof *values);
    s7p_item_result *results = calloc(n, sizeof *results);
    size_t *index = calloc(n, sizeof *index);
    if (!tags || !values || !results || !index) {
        fprintf(stderr, "s7plus: out of memory\n");
        rc = CLI_PROTOCOL;
        goto out;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i].resolved) {
            index[m] = i;
            results[m].code = CLI_RESULT_UNSET;
            tags[m++] = it[i].tag;
        }
    s7p_error err;
    bool failed = m && s7p_read(cl, tags, m, values, results, &err) != S7P_OK;
    cli_take_results(c, "read", it, results, index, m);
    for (size_t k = 0; k < m; k++) {
        cli_item *x = &it[index[k]];
        if (x->state == CLI_ITEM_OK) x->value = values[k];  /* cleared below */
        else s7p_tag_value_clear(&values[k]);
    }
    rc = cli_report(c, it, n, failed ? &err : NULL);
    for (size_t i = 0; i < n; i++)
        if (it[i].state == CLI_ITEM_OK) s7p_tag_value_clear(&it[i].value);
out:
    free(tags);
    free(values);
    free(results);
    free(index);
    return rc;
}

int cmd_read(int argc, char **argv)
{
    cli_common c;
    cli_item *it;
    size_t n;
    int rc = cli_batch_start(argc, argv, &c, usage, &it, &n);
    s7p_client *cl = NULL;
    if (rc == CLI_OK) rc = cli_connect(&c, &cl);
    if (rc == CLI_OK) rc = read_all(&c, cl, it, n);
    cli_close(cl);
    free(it);
    return rc;
}

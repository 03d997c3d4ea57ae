/* SPDX-License-Identifier: MIT */
#include "batch.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

int cli_batch_start(int argc, char **argv, cli_common *c, const char *usage, cli_item **items,
                    size_t *n)
{
    int first;
    memset(c, 0, sizeof *c);
    *items = NULL;
    *n = 0;
    int rc = cli_start(argc, argv, c, usage, NULL, 1, -1, &first);
    if (rc != CLI_OK) return rc;
    *n = (size_t)(argc - first);
    *items = calloc(*n, sizeof **items);
    if (!*items) {
        fprintf(stderr, "s7plus: out of memory\n");
        return CLI_PROTOCOL;
    }
    for (size_t i = 0; i < *n; i++) (*items)[i].symbol = argv[first + (int)i];
    return CLI_OK;
}

void cli_endpoint(const cli_common *c, char *buf, size_t len)
{
    bool v6 = strchr(c->host, ':') != NULL;
    snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "", c->host, v6 ? "]" : "", (unsigned)c->opt.port);
}

bool cli_resolve(const cli_common *c, s7p_client *cl, cli_item *it, size_t n, int *rc)
{
    for (size_t i = 0; i < n; i++) {
        s7p_error err;
        s7p_status st = s7p_tag_by_symbol(cl, it[i].symbol, &it[i].tag, &err);
        if (st == S7P_OK) {
            it[i].resolved = true;
        } else if (cli_item_status(st)) {
            cli_item_fail(&it[i], &err, cli_item_message(&err, it[i].symbol));
        } else {
            *rc = cli_fail(c, &err);
            return false;
        }
    }
    return true;
}

void cli_take_results(const cli_common *c, const char *op, cli_item *it,
                      const s7p_item_result *results, const size_t *index, size_t m)
{
    char endpoint[300];
    cli_endpoint(c, endpoint, sizeof endpoint);
    for (size_t k = 0; k < m; k++) {
        cli_item *x = &it[index ? index[k] : k];
        if (results[k].code == CLI_RESULT_UNSET) continue;
        if (results[k].code == S7P_OK) {
            x->state = CLI_ITEM_OK;
            continue;
        }
        s7p_error e;
        cli_result_error(&results[k], op, endpoint, &e);
        cli_item_fail(x, &e, NULL);
    }
}

int cli_report(const cli_common *c, const cli_item *it, size_t n, const s7p_error *batch)
{
    cli_print_items(c->json, it, n, batch);
    if (batch) return cli_error_exit_code(batch);
    for (size_t i = 0; i < n; i++)
        if (it[i].state != CLI_ITEM_OK) return CLI_PLC;
    return CLI_OK;
}

/* SPDX-License-Identifier: MIT */
/* s7plus write HOST SYMBOL=VALUE... --allow-write: resolves the symbols, parses each value
 * for its variable's type and writes them all in one batch. Nothing is written when a
 * symbol or a value is wrong. */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "text.h"

static const char usage[] =
    "usage: s7plus write HOST[:PORT] SYMBOL=VALUE... --allow-write [options]\n"
    "Writes the variables in one batch; without --allow-write nothing is sent (exit 1).\n"
    "Values in TIA Portal literal style, parsed for each variable's type, e.g. (as shell\n"
    "words) '\"Data\".on=true'  Data.speed=-1.5  Data.w=16#00FF  Data.t=T#1M_30S\n"
    "  Data.t=T#-1.5s  Data.t=1500 (ms)  Data.when=DTL#2024-01-31-12:00:00.5\n"
    "  Data.when=2024-01-31T12:00  \"Data.name='it$'s'\"  'Data.name=bare text'\n"
    "  'Data.arr=[1, 2, 3]'  'Data.arr=[3(0)]' (string escapes: $' $$ $N $R $T $hh)\n"
    "  Data.hw=257 (hardware, OB, DB, connection ids: numbers)  Data.p=16#8400000A (Pointer,\n"
    "  Any, Remote: their bytes in hex)\n"
    "Prints SYMBOL = VALUE for each value written; a variable the PLC refuses prints\n"
    "SYMBOL: error: ... (the PLC's code, name and meaning) and makes the exit code 3; when\n"
    "a request of the batch fails, the variables it did not reach say \"not sent\". A wrong\n"
    "value exits 1, an unknown symbol 3, in both cases before anything is written. --json\n"
    "prints one object.\n";

/* The '=' that ends the symbol: the first one outside double quotes. */
static const char *split_at(const char *arg)
{
    bool quoted = false;
    for (const char *p = arg; *p; p++) {
        if (*p == '"') quoted = !quoted;
        else if (*p == '=' && !quoted) return p;
    }
    return NULL;
}

/* Resolves and parses everything; the exit code when something is wrong (all problems are
 * reported), CLI_OK when the batch may be sent. */
static int prepare(cli_common *c, s7p_client *cl, cli_item *it, size_t n)
{
    int rc = CLI_OK;
    if (!cli_resolve(c, cl, it, n, &rc)) return rc;
    s7p_status first = S7P_OK;
    bool bad_value = false;
    for (size_t i = 0; i < n; i++) {
        char why[sizeof it[i].err.message];
        if (it[i].state == CLI_ITEM_FAILED) {
            if (first == S7P_OK) first = it[i].err.code;
        } else if (s7p_value_parse(&it[i].tag, it[i].text, &it[i].value, why, sizeof why) != S7P_OK) {
            s7p_error e = {.code = S7P_E_INVALID_ARG, .op = "write"};
            cli_endpoint(c, e.endpoint, sizeof e.endpoint);
            snprintf(e.message, sizeof e.message, "%s", why);
            cli_item_fail(&it[i], &e, NULL);
            bad_value = true;
        }
    }
    if (!bad_value && first == S7P_OK) return CLI_OK;
    s7p_error batch = {.code = bad_value ? S7P_E_INVALID_ARG : first, .op = "write"};
    cli_endpoint(c, batch.endpoint, sizeof batch.endpoint);
    snprintf(batch.message, sizeof batch.message, "nothing was written");
    if (c->json) return cli_report(c, it, n, &batch);
    for (size_t i = 0; i < n; i++)  /* nothing happened: the whole report is an error */
        if (it[i].state == CLI_ITEM_FAILED) {
            char plc[240];
            fprintf(stderr, "%s: error: %s%s\n", it[i].symbol, it[i].err_text,
                    cli_plc_suffix(&it[i].err, it[i].err_text, plc, sizeof plc));
        }
    fprintf(stderr, "s7plus: nothing was written\n");
    return cli_error_exit_code(&batch);
}

static int write_all(cli_common *c, s7p_client *cl, cli_item *it, size_t n)
{
    int rc = prepare(c, cl, it, n);
    if (rc != CLI_OK) return rc;
    s7p_tag *tags = calloc(n, sizeof *tags);
    s7p_tag_value *values = calloc(n, sizeof *values);
    s7p_item_result *results = calloc(n, sizeof *results);
    if (!tags || !values || !results) {
        fprintf(stderr, "s7plus: out of memory\n");
        rc = CLI_PROTOCOL;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        tags[i] = it[i].tag;
        values[i] = it[i].value;  /* borrowed: freed through it[i] */
        results[i].code = CLI_RESULT_UNSET;
    }
    s7p_error err;
    bool failed = s7p_write(cl, tags, n, values, results, &err) != S7P_OK;
    if (failed && err.code == S7P_E_WRITE_DISABLED) {
        rc = cli_fail(c, &err);
        fprintf(stderr, "s7plus: add --allow-write to write to the PLC\n");
        goto out;
    }
    cli_take_results(c, "write", it, results, NULL, n);
    rc = cli_report(c, it, n, failed ? &err : NULL);
out:
    free(tags);
    free(values);
    free(results);
    return rc;
}

/* SYMBOL=VALUE operands: symbol copied (freed by free_items), text points into argv. */
static int split_items(cli_item *it, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *arg = it[i].symbol, *eq = split_at(arg);
        it[i].symbol = NULL;
        int rc = !eq || eq == arg ? CLI_USAGE : CLI_OK;
        if (rc == CLI_OK) {
            it[i].symbol = strndup(arg, (size_t)(eq - arg));
            it[i].text = eq + 1;
            if (!it[i].symbol) rc = CLI_PROTOCOL;
        } else {
            fprintf(stderr, "s7plus: '%s' is not SYMBOL=VALUE\n", arg);
        }
        if (rc != CLI_OK) {
            for (size_t k = i + 1; k < n; k++) it[k].symbol = NULL;  /* not ours to free */
            return rc;
        }
    }
    return CLI_OK;
}

static void free_items(cli_item *it, size_t n)
{
    for (size_t i = 0; it && i < n; i++) {
        free((char *)it[i].symbol);
        s7p_tag_value_clear(&it[i].value);
    }
    free(it);
}

int cmd_write(int argc, char **argv)
{
    cli_common c;
    cli_item *it;
    size_t n;
    int rc = cli_batch_start(argc, argv, &c, usage, &it, &n);
    if (rc == CLI_OK) rc = split_items(it, n);
    s7p_client *cl = NULL;
    s7p_error err;
    if (rc == CLI_OK) rc = cli_client_new(&c, &cl);
    /* Without --allow-write the library refuses before sending anything: ask it first, so a
     * refused write does not even connect. */
    if (rc == CLI_OK && !c.opt.allow_write &&
        s7p_write(cl, NULL, 0, NULL, NULL, &err) == S7P_E_WRITE_DISABLED) {
        rc = cli_fail(&c, &err);
        fprintf(stderr, "s7plus: add --allow-write to write to the PLC\n");
    }
    if (rc == CLI_OK) rc = cli_client_connect(&c, cl);
    if (rc == CLI_OK) rc = write_all(&c, cl, it, n);
    cli_close(cl);
    free_items(it, n);
    return rc;
}

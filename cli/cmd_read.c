/* s7plus read HOST SYMBOL...: resolves the symbols, reads them in one batch and prints
 * `SYMBOL = VALUE` lines (TIA literal text) or one JSON object. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "value_text.h"

static const char usage[] =
    "usage: s7plus read HOST[:PORT] SYMBOL... [--json] [--tsap NAME] [--timeout MS]\n"
    "                   [--keylog FILE] [--pin SHA256 | --ca FILE] [-v]\n"
    "Reads the variables in one batch and prints SYMBOL = VALUE, values in TIA Portal\n"
    "literal style (16#00FF, T#1S_500MS, DTL#2024-01-31-12:00:00.000000000, 'text').\n"
    "Symbols as in TIA Portal: '\"My DB\".Motor[3].Speed', 'Data.Arr[1,2]' (quote them for\n"
    "the shell). --json prints one object {SYMBOL: value or {\"error\": ...}}.\n"
    "A variable that fails prints SYMBOL: error: ... and makes the exit code 3.\n";

typedef struct item {
    const char *symbol;
    s7p_tag tag;
    bool resolved;
    char error[300];
    s7p_tag_value value;
    bool ok;
} item;

/* JSON text of a string (malloc); "\"?\"" when it is not valid UTF-8. */
static char *json_text(const char *s)
{
    json_t *j = json_string(s);
    char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    return out ? out : strdup("\"?\"");
}

static void print_json(item *it, size_t n)
{
    printf("{");
    for (size_t i = 0; i < n; i++) {
        char *key = json_text(it[i].symbol);
        char *val = NULL;
        if (it[i].ok) {
            val = vt_json(&it[i].value);
        } else {
            json_t *e = json_pack("{s:s}", "error", it[i].error);
            val = e ? json_dumps(e, 0) : NULL;
            json_decref(e);
        }
        printf("%s\n  %s: %s", i ? "," : "", key ? key : "\"?\"", val ? val : "null");
        free(key);
        free(val);
    }
    printf("\n}\n");
}

static void print_text(item *it, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!it[i].ok) {
            printf("%s: error: %s\n", it[i].symbol, it[i].error);
            continue;
        }
        char *text = vt_format_str(&it[i].value);
        printf("%s = %s\n", it[i].symbol, text ? text : "<out of memory>");
        free(text);
    }
}

/* Resolves every symbol; false (and *rc) when the connection failed. */
static bool resolve(cli_common *c, s7p_client *cl, item *it, size_t n, int *rc)
{
    for (size_t i = 0; i < n; i++) {
        s7p_error err;
        s7p_status st = s7p_tag_by_symbol(cl, it[i].symbol, &it[i].tag, &err);
        if (st == S7P_OK) {
            it[i].resolved = true;
        } else if (cli_item_status(st)) {
            snprintf(it[i].error, sizeof it[i].error, "%s", cli_item_message(&err, it[i].symbol));
        } else {
            *rc = cli_fail(c, &err);
            return false;
        }
    }
    return true;
}

static int read_all(cli_common *c, s7p_client *cl, item *it, size_t n)
{
    int rc = CLI_OK;
    if (!resolve(c, cl, it, n, &rc)) return rc;
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
            tags[m++] = it[i].tag;
        }
    s7p_error err;
    if (m && s7p_read(cl, tags, m, values, results, &err) != S7P_OK) {
        rc = cli_fail(c, &err);
        for (size_t k = 0; k < m; k++) s7p_tag_value_clear(&values[k]);
        goto out;
    }
    for (size_t k = 0; k < m; k++) {
        item *x = &it[index[k]];
        if (results[k].code == S7P_OK) {
            x->ok = true;
            x->value = values[k];  /* cleared with s7p_tag_value_clear() by the caller */
        } else {
            cli_item_error(&results[k], x->error, sizeof x->error);
            s7p_tag_value_clear(&values[k]);
        }
    }
    if (c->json) print_json(it, n);
    else print_text(it, n);
    for (size_t i = 0; i < n; i++) {
        if (it[i].ok) s7p_tag_value_clear(&it[i].value);
        else rc = CLI_PLC;
    }
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
    memset(&c, 0, sizeof c);
    int rc = cli_parse_common(argc, argv, &c, usage);
    if (rc != CLI_OK) return rc;
    if (optind + 2 > argc || cli_set_endpoint(&c, argv[optind]) != 0) {
        fprintf(stderr, "%s", usage);
        return CLI_USAGE;
    }
    size_t n = (size_t)(argc - optind - 1);
    item *it = calloc(n, sizeof *it);
    if (!it) {
        fprintf(stderr, "s7plus: out of memory\n");
        return CLI_PROTOCOL;
    }
    for (size_t i = 0; i < n; i++) it[i].symbol = argv[optind + 1 + (int)i];
    s7p_client *cl;
    rc = cli_connect(&c, &cl);
    if (rc == CLI_OK) {
        rc = read_all(&c, cl, it, n);
        cli_close(cl);
    }
    free(it);
    return rc;
}

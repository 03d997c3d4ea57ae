/* s7plus write HOST SYMBOL=VALUE... --allow-write: resolves the symbols, parses each value
 * for its variable's type and writes them all in one batch. Nothing is written when a
 * symbol or a value is wrong. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "value_text.h"

static const char usage[] =
    "usage: s7plus write HOST[:PORT] SYMBOL=VALUE... --allow-write [--json] [--tsap NAME]\n"
    "                    [--timeout MS] [--keylog FILE] [--pin SHA256 | --ca FILE] [-v]\n"
    "Writes the variables in one batch; without --allow-write nothing is sent (exit 1).\n"
    "Values in TIA Portal literal style, parsed for each variable's type, e.g. (as shell\n"
    "words) '\"Data\".on=true'  Data.speed=-1.5  Data.w=16#00FF  Data.t=T#1M_30S\n"
    "  Data.t=T#-1.5s  Data.t=1500 (ms)  Data.when=DTL#2024-01-31-12:00:00.5\n"
    "  Data.when=2024-01-31T12:00  \"Data.name='it$'s'\"  'Data.name=bare text'\n"
    "  'Data.arr=[1, 2, 3]'  'Data.arr=[3(0)]' (string escapes: $' $$ $N $R $T $hh)\n"
    "Prints SYMBOL = VALUE for each value written; a variable the PLC refuses prints\n"
    "SYMBOL: error: ... and makes the exit code 3. A wrong value exits 1, an unknown\n"
    "symbol 3, in both cases before anything is written. --json prints one object.\n";

typedef struct item {
    char *symbol;          /* copy of the part before '=' */
    const char *text;      /* the part after '=' */
    s7p_tag tag;
    s7p_tag_value value;   /* from vt_parse */
    bool parsed, ok;
    char error[400];
} item;

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

static char *json_key(const char *s)
{
    json_t *j = json_string(s);
    char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    return out ? out : strdup("\"?\"");
}

static void print_results(const cli_common *c, item *it, size_t n)
{
    if (c->json) printf("{");
    for (size_t i = 0; i < n; i++) {
        if (c->json) {
            char *key = json_key(it[i].symbol), *val = NULL;
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
        } else if (it[i].ok) {
            char *text = vt_format_str(&it[i].value);
            printf("%s = %s\n", it[i].symbol, text ? text : "<out of memory>");
            free(text);
        } else {
            printf("%s: error: %s\n", it[i].symbol, it[i].error);
        }
    }
    if (c->json) printf("\n}\n");
}

/* Resolves and parses everything; the exit code when something is wrong (all problems are
 * printed to stderr), CLI_OK when the batch may be sent. */
static int prepare(cli_common *c, s7p_client *cl, item *it, size_t n)
{
    bool bad_value = false, unknown = false;
    for (size_t i = 0; i < n; i++) {
        s7p_error err;
        s7p_status st = s7p_tag_by_symbol(cl, it[i].symbol, &it[i].tag, &err);
        if (st != S7P_OK) {
            if (!cli_item_status(st)) return cli_fail(c, &err);
            fprintf(stderr, "%s: error: %s\n", it[i].symbol, cli_item_message(&err, it[i].symbol));
            unknown = true;
            continue;
        }
        char why[300];
        if (!vt_parse(&it[i].tag, it[i].text, &it[i].value, why, sizeof why)) {
            fprintf(stderr, "%s: error: %s\n", it[i].symbol, why);
            bad_value = true;
            continue;
        }
        it[i].parsed = true;
    }
    if (bad_value || unknown) {
        fprintf(stderr, "s7plus: nothing was written\n");
        return bad_value ? CLI_USAGE : CLI_PLC;
    }
    return CLI_OK;
}

static int write_all(cli_common *c, s7p_client *cl, item *it, size_t n)
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
    }
    s7p_error err;
    if (s7p_write(cl, tags, values, n, results, &err) != S7P_OK) {
        rc = cli_fail(c, &err);
        if (err.code == S7P_E_WRITE_DISABLED)
            fprintf(stderr, "s7plus: add --allow-write to write to the PLC\n");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        it[i].ok = results[i].code == S7P_OK;
        if (!it[i].ok) {
            cli_item_error(&results[i], it[i].error, sizeof it[i].error);
            rc = CLI_PLC;
        }
    }
    print_results(c, it, n);
out:
    free(tags);
    free(values);
    free(results);
    return rc;
}

int cmd_write(int argc, char **argv)
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
    for (size_t i = 0; i < n && rc == CLI_OK; i++) {
        const char *arg = argv[optind + 1 + (int)i], *eq = split_at(arg);
        if (!eq || eq == arg) {
            fprintf(stderr, "s7plus: '%s' is not SYMBOL=VALUE\n%s", arg, usage);
            rc = CLI_USAGE;
            break;
        }
        it[i].symbol = strndup(arg, (size_t)(eq - arg));
        it[i].text = eq + 1;
        if (!it[i].symbol) rc = CLI_PROTOCOL;
    }
    s7p_client *cl = NULL;
    s7p_error err;
    if (rc == CLI_OK && s7p_client_new(&cl, &c.opt, &err) != S7P_OK) rc = cli_fail(&c, &err);
    /* Without --allow-write the library refuses before sending anything: ask it first, so a
     * refused write does not even connect. */
    if (rc == CLI_OK && !c.opt.allow_write &&
        s7p_write(cl, NULL, NULL, 0, NULL, &err) == S7P_E_WRITE_DISABLED) {
        rc = cli_fail(&c, &err);
        fprintf(stderr, "s7plus: add --allow-write to write to the PLC\n");
    }
    if (rc == CLI_OK && s7p_connect(cl, &err) != S7P_OK) rc = cli_fail(&c, &err);
    if (rc == CLI_OK) rc = write_all(&c, cl, it, n);
    cli_close(cl);
    for (size_t i = 0; i < n; i++) {
        free(it[i].symbol);
        vt_value_free(&it[i].value);
    }
    free(it);
    return rc;
}

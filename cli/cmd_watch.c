/* SPDX-License-Identifier: MIT */
/* s7plus watch HOST SYMBOL...: subscribes to the symbols and prints each change as the PLC
 * sends it (SYMBOL = VALUE, or JSON lines) until interrupted or --count changes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "text.h"

static const char usage[] =
    "usage: s7plus watch HOST[:PORT] SYMBOL... [--cycle MS] [--count N] [options]\n"
    "Subscribes to the variables and prints each change as the PLC sends it, SYMBOL =\n"
    "VALUE (TIA literal style), starting with every variable's value, until interrupted\n"
    "(Ctrl-C) or N changes were printed. The connection is re-established by itself when it\n"
    "breaks (a note on stderr; values that changed meanwhile are not seen).\n"
    "  --cycle MS           how often the PLC looks at the values; 1..86400000, default 1000\n"
    "  --count N            stop after N changes; 1..4294967295\n"
    "--json prints one JSON object per line: {\"symbol\", \"value\", \"sequence\", \"time\"}\n"
    "per change ({\"symbol\", \"error\": {...}} for a variable the PLC cannot give), and\n"
    "{\"event\": \"lost\" | \"recreated\" | \"gap\", ...} for the connection's events.\n";

#define CYCLE_MAX_MS 86400000UL
#define WAIT_MS 200  /* how often the loop looks at Ctrl-C */

typedef struct watch_args {
    unsigned long cycle_ms;
    unsigned long count;          /* 0: until interrupted */
} watch_args;

/* Takes --cycle and --count (their own arguments) out of argv; the rest goes to the common
 * parser. CLI_OK or CLI_USAGE after saying why. */
static int take_own_options(int *argc, char **argv, watch_args *w)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        bool cycle = strncmp(a, "--cycle", 7) == 0 && (a[7] == 0 || a[7] == '=');
        bool count = strncmp(a, "--count", 7) == 0 && (a[7] == 0 || a[7] == '=');
        if (!cycle && !count) {
            argv[out++] = argv[i];
            continue;
        }
        const char *v = a[7] == '=' ? a + 8 : (i + 1 < *argc ? argv[++i] : NULL);
        if (!v) {
            fprintf(stderr, "s7plus: watch: %s needs a value\n%s", cycle ? "--cycle" : "--count",
                    usage);
            return CLI_USAGE;
        }
        int rc = cycle ? cli_parse_number("--cycle", v, 1, CYCLE_MAX_MS, &w->cycle_ms)
                       : cli_parse_number("--count", v, 1, UINT32_MAX, &w->count);
        if (rc != CLI_OK) return rc;
    }
    *argc = out;
    argv[out] = NULL;
    return CLI_OK;
}

/* "2024-01-31T12:00:00.123456Z" of the PLC's time (UTC). */
static void iso_time(int64_t ns, char *buf, size_t len)
{
    time_t sec = (time_t)(ns / 1000000000);
    struct tm tm;
    if (!gmtime_r(&sec, &tm)) {
        snprintf(buf, len, "?");
        return;
    }
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%06dZ", (int)((ns % 1000000000) / 1000));
}

/* One value of a notification, as a line. */
static void print_value(const cli_common *c, const cli_item *it, const s7p_sub_notification *n,
                        const s7p_sub_value *v)
{
    if (!c->json) {
        if (v->status == S7P_OK) {
            char *text = NULL;
            s7p_value_text(&v->value, 0, &text);
            printf("%s = %s\n", it->symbol, text ? text : "<out of memory>");
            s7p_text_free(text);
        } else {
            printf("%s: error: %s (item code 0x%02X)\n", it->symbol, s7p_strerror(v->status),
                   v->plc_item_code);
        }
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "symbol", json_string(it->symbol));
    if (v->status == S7P_OK) {
        char *val = vt_json(&v->value);
        json_t *j = val ? json_loads(val, JSON_DECODE_ANY, NULL) : NULL;
        json_object_set_new(o, "value", j ? j : json_null());
        free(val);
    } else {
        s7p_error e = {.code = v->status};
        snprintf(e.message, sizeof e.message, "%s (item code 0x%02X)", s7p_strerror(v->status),
                 v->plc_item_code);
        json_object_set_new(o, "error", cli_error_json(&e, NULL));
    }
    json_object_set_new(o, "sequence", json_integer(n->sequence));
    char t[48];
    if (n->has_timestamp) iso_time(n->timestamp_ns, t, sizeof t);
    json_object_set_new(o, "time", n->has_timestamp ? json_string(t) : json_null());
    cli_print_json_line(o);
}

/* The connection's events: notes on stderr, or JSON lines. */
static void print_event(const cli_common *c, const s7p_sub_notification *n)
{
    if (!c->json) {
        if (n->event == S7P_SUB_LOST)
            fprintf(stderr, "s7plus: watch: connection lost (%s); re-subscribing\n",
                    n->error.message);
        else if (n->event == S7P_SUB_RECREATED)
            fprintf(stderr, "s7plus: watch: subscribed again after %u ms; changes in between "
                    "were not seen\n", n->gap_ms);
        if (n->missed || n->dropped)
            fprintf(stderr, "s7plus: watch: %u notifications lost\n", n->missed + n->dropped);
        return;
    }
    json_t *o = NULL;
    if (n->event == S7P_SUB_LOST)
        o = json_pack("{s:s,s:o}", "event", "lost", "error", cli_error_json(&n->error, NULL));
    else if (n->event == S7P_SUB_RECREATED)
        o = json_pack("{s:s,s:I}", "event", "recreated", "gap_ms", (json_int_t)n->gap_ms);
    if (o) cli_print_json_line(o);
    if (n->missed || n->dropped)
        cli_print_json_line(json_pack("{s:s,s:I}", "event", "gap", "missed",
                                  (json_int_t)(n->missed + n->dropped)));
}

/* The symbols that could not be resolved: their error lines (JSON lines with --json). */
static void print_unresolved(const cli_common *c, const cli_item *it, size_t n)
{
    if (!c->json) {
        cli_print_items(false, it, n, NULL);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (it[i].state == CLI_ITEM_FAILED)
            cli_print_json_line(json_pack("{s:s,s:o}", "symbol", it[i].symbol, "error",
                                      cli_error_json(&it[i].err, it[i].err_text)));
}

/* Prints notifications until Ctrl-C, the count, or a fault; returns the exit code. */
static int watch_loop(const cli_common *c, s7p_subscription *sub, const cli_item *it,
                      const size_t *index, const watch_args *w)
{
    unsigned long printed = 0;
    while (!cli_stop_requested() && (w->count == 0 || printed < w->count)) {
        s7p_sub_notification *n = NULL;
        s7p_error err;
        s7p_status st = s7p_subscription_next(sub, &n, WAIT_MS, &err);
        if (st == S7P_E_TIMEOUT) continue;
        if (st != S7P_OK) return cli_fail(c, &err);
        print_event(c, n);
        for (size_t k = 0; k < n->count && (w->count == 0 || printed < w->count); k++) {
            print_value(c, &it[index[n->values[k].tag]], n, &n->values[k]);
            printed++;
        }
        fflush(stdout);
        s7p_sub_notification_free(n);
    }
    return CLI_OK;
}

static int watch(cli_common *c, s7p_client *cl, cli_item *it, size_t n, const watch_args *w)
{
    int rc = CLI_OK;
    if (!cli_resolve(c, cl, it, n, &rc)) return rc;
    s7p_tag *tags = calloc(n, sizeof *tags);
    size_t *index = calloc(n, sizeof *index);  /* tag number -> item */
    size_t m = 0;
    for (size_t i = 0; tags && index && i < n; i++)
        if (it[i].resolved) {
            index[m] = i;
            tags[m++] = it[i].tag;
        }
    print_unresolved(c, it, n);
    bool some_failed = m < n;
    if (!tags || !index) {
        fprintf(stderr, "s7plus: out of memory\n");
        rc = CLI_PROTOCOL;
    } else if (m > 0) {
        s7p_subscription_options o;
        s7p_subscription_options_init(&o);
        o.cycle_ms = (uint32_t)w->cycle_ms;
        s7p_subscription *sub = NULL;
        s7p_error err;
        if (s7p_subscribe(cl, tags, m, &o, NULL, NULL, &sub, &err) != S7P_OK)
            rc = cli_fail(c, &err);
        else
            rc = watch_loop(c, sub, it, index, w);
        s7p_unsubscribe(sub, NULL);
    }
    free(tags);
    free(index);
    return rc == CLI_OK && some_failed ? CLI_PLC : rc;
}

int cmd_watch(int argc, char **argv)
{
    watch_args w = {1000, 0};
    int rc = take_own_options(&argc, argv, &w);
    cli_common c;
    cli_item *it = NULL;
    size_t n = 0;
    if (rc == CLI_OK) rc = cli_batch_start(argc, argv, &c, usage, &it, &n);
    if (rc != CLI_OK) {
        free(it);
        return rc;
    }
    /* Watching is long: a broken connection is re-established rather than the end. */
    c.opt.auto_reconnect = true;
    cli_catch_stop();
    s7p_client *cl = NULL;
    rc = cli_connect(&c, &cl);
    if (rc == CLI_OK) rc = watch(&c, cl, it, n, &w);
    cli_close(cl);
    free(it);
    return rc;
}

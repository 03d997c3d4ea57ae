/* SPDX-License-Identifier: MIT */
/* s7plus alarms HOST[:PORT] [--lang LCID] [--follow]: the alarms active now, with their
 * texts in one language, as blocks of text or JSON; with --follow the changes after them
 * (an alarm subscription with snapshot) until interrupted. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "report.h"
#include "text.h"

#define WAIT_MS 200  /* how often --follow looks at Ctrl-C */

static const char usage[] =
    "usage: s7plus alarms HOST[:PORT] [--lang LCID] [--follow] [options]\n"
    "Prints the alarms active now: state (coming or going, acknowledged or not), when they\n"
    "came, went and were acknowledged (UTC), priority, class, associated values and their\n"
    "texts in the language LCID (a Windows language id: 1033 English, 1031 German, ...;\n"
    "default: the lowest the PLC sends), with the values formatted in. --json prints\n"
    "{\"lcid\": N, \"alarms\": [...]}.\n"
    "--follow subscribes to alarms first, then prints the active ones, then every change as\n"
    "it comes (each change once) until Ctrl-C; with --json one JSON object per line:\n"
    "{\"event\": \"snapshot\", \"alarms\": [...]}, then {\"event\": \"alarm\", \"alarm\": {...}}\n"
    "per change, \"lost\", \"recreated\" and after a reconnect \"resync\" (alarms new or\n"
    "changed meanwhile, \"gone\": ids no longer active).\n";

/* Takes `--lang N` / `--lang=N` and `--follow` out of argv (the common parser does not know
 * them). */
static int take_lang(int *argc, char **argv, unsigned long *lcid, bool *follow)
{
    for (int i = 1; i < *argc; i++) {
        const char *val = NULL;
        int used = 1;
        if (strcmp(argv[i], "--follow") == 0) {
            *follow = true;
            memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof *argv);
            (*argc)--;
            i--;
            continue;
        }
        if (strcmp(argv[i], "--lang") == 0) {
            if (i + 1 >= *argc) {
                fprintf(stderr, "s7plus alarms: --lang needs a language id\n");
                return CLI_USAGE;
            }
            val = argv[i + 1];
            used = 2;
        } else if (strncmp(argv[i], "--lang=", 7) == 0) {
            val = argv[i] + 7;
        } else {
            continue;
        }
        int rc = cli_parse_number("--lang", val, 1, 0xFFFF, lcid);
        if (rc != CLI_OK) return rc;
        memmove(&argv[i], &argv[i + used], (size_t)(*argc - i - used + 1) * sizeof *argv);
        *argc -= used;
        i--;
    }
    return CLI_OK;
}

/* ns since 1970 UTC as ISO 8601 with milliseconds; "" for 0. */
static const char *utc_text(int64_t ns, char *buf, size_t len)
{
    if (ns <= 0) return "";
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) return "";
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03dZ", (int)(ns / 1000000 % 1000));
    return buf;
}

static void print_values(const s7p_alarm *a)
{
    bool any = false;
    for (uint32_t i = 0; i < a->nvalues; i++) {
        char *t = NULL;
        if (a->values[i].type == S7P_T_VOID || s7p_value_text(&a->values[i], 0, &t) != S7P_OK)
            continue;
        printf("%sSD_%u = %s", any ? ", " : "  values   ", (unsigned)i + 1, t);
        any = true;
        s7p_text_free(t);
    }
    if (any) putchar('\n');
}

/* A text over several lines is indented under its label. */
static void print_text(const char *label, const char *text)
{
    if (!text || !*text) return;
    printf("  %-9s", label);
    for (const char *p = text; *p; p++) {
        putchar(*p);
        if (*p == '\n') printf("           ");
    }
    putchar('\n');
}

static void print_alarm(const s7p_alarm *a)
{
    char t1[64], t2[64], t3[64];
    printf("%s (alarm %" PRIu32 ", id 16#%016" PRIX64 ")\n", a->name, a->hmi_alarm_id, a->id);
    printf("  state    %s, %s\n", a->state == S7P_ALARM_GOING ? "going" : "coming",
           a->acknowledged ? "acknowledged" : "not acknowledged");
    if (a->coming_ns) printf("  came     %s\n", utc_text(a->coming_ns, t1, sizeof t1));
    if (a->going_ns) printf("  went     %s\n", utc_text(a->going_ns, t2, sizeof t2));
    if (a->ack_ns) printf("  acked    %s\n", utc_text(a->ack_ns, t3, sizeof t3));
    printf("  priority %u, class %u, domain %u, type %s\n", a->priority, a->alarm_class,
           a->domain, s7p_alarm_message_type_name(a->message_type));
    print_text("text", a->text);
    print_text("info", a->info_text);
    for (int i = 0; i < S7P_ALARM_ADDITIONAL_TEXTS; i++) {
        char label[16];
        snprintf(label, sizeof label, "text %d", i + 1);
        print_text(label, a->additional_texts[i]);
    }
    print_values(a);
}

static json_t *time_json(int64_t ns)
{
    char buf[64];
    return ns ? json_string(utc_text(ns, buf, sizeof buf)) : json_null();
}

static json_t *alarm_json(const s7p_alarm *a)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRIu64, a->id);
    json_t *vals = json_array(), *adds = json_array();
    for (uint32_t i = 0; i < a->nvalues; i++) {
        char *j = a->values[i].type == S7P_T_VOID ? NULL : vt_json(&a->values[i]);
        json_array_append_new(vals, j ? json_loads(j, JSON_DECODE_ANY, NULL) : json_null());
        free(j);
    }
    for (int i = 0; i < S7P_ALARM_ADDITIONAL_TEXTS; i++)
        json_array_append_new(adds, json_string(a->additional_texts[i]));
    return json_pack("{s:s, s:I, s:s, s:s, s:b, s:i, s:o, s:o, s:o, s:i, s:i, s:i, s:s, s:I, "
                     "s:o, s:s, s:s, s:o}",
                     "id", id, "hmi_alarm_id", (json_int_t)a->hmi_alarm_id, "name", a->name,
                     "state", a->state == S7P_ALARM_GOING ? "going" : "coming", "acknowledged",
                     a->acknowledged, "state_bits", a->state_bits, "came", time_json(a->coming_ns),
                     "went", time_json(a->going_ns), "acknowledged_at", time_json(a->ack_ns),
                     "priority", a->priority, "class", a->alarm_class, "domain", a->domain,
                     "message_type", s7p_alarm_message_type_name(a->message_type),
                     "sequence_counter", (json_int_t)a->sequence_counter, "values", vals, "text",
                     a->text, "info_text", a->info_text, "additional_texts", adds);
}

static int print_json(const s7p_alarm_list *l, unsigned long lcid)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < l->count; i++) json_array_append_new(arr, alarm_json(&l->items[i]));
    return cli_print_json(json_pack("{s:I, s:o}", "lcid",
                                    (json_int_t)(l->count ? l->items[0].lcid : lcid), "alarms",
                                    arr));
}

static void print_list(const s7p_alarm_list *l)
{
    if (!l->count) printf("No active alarms.\n");
    for (size_t i = 0; i < l->count; i++) {
        if (i) putchar('\n');
        print_alarm(&l->items[i]);
    }
}

/* ---- --follow ---- */

static json_t *alarms_json(const s7p_alarm *a, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, alarm_json(&a[i]));
    return arr;
}

static void print_resync(const cli_common *c, const s7p_sub_notification *n)
{
    if (c->json) {
        json_t *gone = json_array();
        for (size_t i = 0; i < n->gone_count; i++) {
            char id[24];
            snprintf(id, sizeof id, "%" PRIu64, n->gone_ids[i]);
            json_array_append_new(gone, json_string(id));
        }
        cli_print_json_line(json_pack("{s:s,s:o,s:o}", "event", "resync", "alarms",
                                  alarms_json(n->alarms, n->alarm_count), "gone", gone));
        return;
    }
    fprintf(stderr, "s7plus: alarms: re-synchronised: %zu new or changed, %zu gone\n",
            n->alarm_count, n->gone_count);
    for (size_t i = 0; i < n->gone_count; i++)
        printf("\nalarm id 16#%016" PRIX64 " is no longer active\n", n->gone_ids[i]);
    for (size_t i = 0; i < n->alarm_count; i++) {
        putchar('\n');
        print_alarm(&n->alarms[i]);
    }
}

static void print_change(const cli_common *c, const s7p_sub_notification *n)
{
    switch (n->event) {
    case S7P_SUB_DATA:
        for (size_t i = 0; i < n->alarm_count; i++) {
            if (c->json) {
                cli_print_json_line(json_pack("{s:s,s:o}", "event", "alarm", "alarm",
                                          alarm_json(&n->alarms[i])));
            } else {
                putchar('\n');
                print_alarm(&n->alarms[i]);
            }
        }
        break;
    case S7P_SUB_RESYNC: print_resync(c, n); break;
    case S7P_SUB_LOST:
        if (c->json)
            cli_print_json_line(json_pack("{s:s,s:o}", "event", "lost", "error",
                                      cli_error_json(&n->error, NULL)));
        else
            fprintf(stderr, "s7plus: alarms: connection lost (%s); re-subscribing\n",
                    n->error.message);
        break;
    case S7P_SUB_RECREATED:
        if (c->json)
            cli_print_json_line(json_pack("{s:s,s:I}", "event", "recreated", "gap_ms",
                                      (json_int_t)n->gap_ms));
        else
            fprintf(stderr, "s7plus: alarms: subscribed again after %u ms\n", n->gap_ms);
        break;
    default: break;
    }
    if (n->missed || n->dropped)
        fprintf(stderr, "s7plus: alarms: %u notifications lost\n", n->missed + n->dropped);
}

static int follow_loop(const cli_common *c, s7p_subscription *sub)
{
    while (!cli_stop_requested()) {
        s7p_sub_notification *n = NULL;
        s7p_error err;
        s7p_status st = s7p_subscription_next(sub, &n, WAIT_MS, &err);
        if (st == S7P_E_TIMEOUT) continue;
        if (st != S7P_OK) return cli_fail(c, &err);
        print_change(c, n);
        fflush(stdout);
        s7p_sub_notification_free(n);
    }
    return CLI_OK;
}

/* The snapshot (on a second, temporary connection), then the changes until Ctrl-C. */
static int follow(cli_common *c, s7p_client *cl, unsigned long lcid)
{
    uint32_t lang = (uint32_t)lcid;
    s7p_alarm_list *l = NULL;
    s7p_subscription *sub = NULL;
    s7p_error err;
    if (s7p_subscribe_alarms_with_snapshot(cl, NULL, lcid ? &lang : NULL, lcid ? 1 : 0, NULL,
                                           NULL, NULL, &l, &sub, &err) != S7P_OK)
        return cli_fail(c, &err);
    if (c->json)
        cli_print_json_line(json_pack("{s:s,s:I,s:o}", "event", "snapshot", "lcid",
                                  (json_int_t)(l->count ? l->items[0].lcid : lcid), "alarms",
                                  alarms_json(l->items, l->count)));
    else
        print_list(l);
    fflush(stdout);
    s7p_alarm_list_free(l);
    int rc = follow_loop(c, sub);
    s7p_unsubscribe(sub, NULL);
    return rc;
}

typedef struct {
    unsigned long lcid;
    s7p_alarm_list *list;
} active_alarms;

static s7p_status fetch_alarms(s7p_client *cl, void *ctx, s7p_error *err)
{
    active_alarms *a = ctx;
    return s7p_get_active_alarms(cl, (uint32_t)a->lcid, &a->list, err);
}

int cmd_alarms(int argc, char **argv)
{
    cli_common c;
    memset(&c, 0, sizeof c);
    unsigned long lcid = 0;
    bool follow_on = false;
    int first;
    int rc = take_lang(&argc, argv, &lcid, &follow_on);
    if (rc == CLI_OK) rc = cli_start(argc, argv, &c, usage, NULL, 0, 0, &first);
    if (rc != CLI_OK) return rc;
    if (follow_on) {
        /* Following is long: a broken connection is re-established rather than the end. */
        c.opt.auto_reconnect = true;
        cli_catch_stop();
        s7p_client *cl = NULL;
        if ((rc = cli_connect(&c, &cl)) != CLI_OK) return rc;
        rc = follow(&c, cl, lcid);
        cli_close(cl);
        return rc;
    }
    active_alarms a = {lcid, NULL};
    if ((rc = cli_fetch(&c, fetch_alarms, &a)) != CLI_OK) return rc;
    if (c.json) rc = print_json(a.list, lcid);
    else print_list(a.list);
    s7p_alarm_list_free(a.list);
    return rc;
}

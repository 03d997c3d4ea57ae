/* SPDX-License-Identifier: MIT */
/* alarms_snapshot: the alarms active in a PLC, then every change as it happens, each exactly
 * once (an alarm subscription with snapshot).
 *
 *   alarms_snapshot HOST[:PORT] [LCID [CHANGES]]
 *   alarms_snapshot 192.0.2.10 1033
 *
 * The subscription is made first, then the active alarms are read on a second, temporary
 * connection; a change that happens in between is reported once: in the snapshot or as a
 * change. The program stops after CHANGES changes (default: never; Ctrl-C ends it). LCID is
 * a Windows language id (1033 English, 1031 German, ...); 0 or none: every language, the
 * texts in the lowest. The PLC's certificate is trusted on first use when
 * $S7PLUS_KNOWN_HOSTS names a file, otherwise any certificate is accepted. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s7plus/s7plus.h>

static void set_endpoint(s7p_client_options *o, char *arg)
{
    char *colon = strrchr(arg, ':');
    if (colon && !strchr(arg, ']') && colon == strchr(arg, ':')) {
        *colon = '\0';
        o->port = (uint16_t)atoi(colon + 1);
    }
    o->host = arg;
    if (getenv("S7PLUS_KNOWN_HOSTS")) {
        o->verify = S7P_VERIFY_TOFU;
        o->known_hosts_file = getenv("S7PLUS_KNOWN_HOSTS");
    }
}

static void print_alarm(const char *what, const s7p_alarm *a)
{
    printf("%s alarm %" PRIu32 " %s%s: %s\n", what, a->hmi_alarm_id,
           a->state == S7P_ALARM_GOING ? "going" : "coming",
           a->acknowledged ? " (acknowledged)" : "", a->text);
}

/* Prints what a notification says; returns the number of alarm changes in it. */
static unsigned print_notification(const s7p_sub_notification *n)
{
    switch (n->event) {
    case S7P_SUB_DATA:
        for (size_t i = 0; i < n->alarm_count; i++) print_alarm("change:", &n->alarms[i]);
        return (unsigned)n->alarm_count;
    case S7P_SUB_RESYNC:
        /* After a reconnect: what changed while the connection was down. */
        for (size_t i = 0; i < n->alarm_count; i++) print_alarm("resync:", &n->alarms[i]);
        for (size_t i = 0; i < n->gone_count; i++)
            printf("resync: alarm id 16#%016" PRIX64 " is no longer active\n", n->gone_ids[i]);
        return (unsigned)(n->alarm_count + n->gone_count);
    case S7P_SUB_LOST:
        fprintf(stderr, "alarms_snapshot: connection lost: %s\n", n->error.message);
        return 0;
    case S7P_SUB_RECREATED:
        fprintf(stderr, "alarms_snapshot: subscribed again after %u ms\n", n->gap_ms);
        return 0;
    default:
        return 0;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: alarms_snapshot HOST[:PORT] [LCID [CHANGES]]\n");
        return 2;
    }
    s7p_client_options o;
    s7p_client_options_init(&o);
    set_endpoint(&o, argv[1]);
    o.auto_reconnect = true;  /* the subscription outlives a broken connection */
    uint32_t lcid = argc >= 3 ? (uint32_t)strtoul(argv[2], NULL, 10) : 0;
    unsigned long want = argc == 4 ? strtoul(argv[3], NULL, 10) : 0;

    s7p_client *c = NULL;
    s7p_error err;
    s7p_alarm_list *active = NULL;
    s7p_subscription *sub = NULL;
    /* NULL snapshot client: a temporary second connection with the same options. */
    if (s7p_client_new(&c, &o, &err) != S7P_OK || s7p_connect(c, &err) != S7P_OK ||
        s7p_subscribe_alarms_with_snapshot(c, NULL, lcid ? &lcid : NULL, lcid ? 1 : 0, NULL,
                                           NULL, NULL, &active, &sub, &err) != S7P_OK) {
        fprintf(stderr, "alarms_snapshot: %s\n", err.message);
        s7p_client_free(c);
        return 1;
    }
    for (size_t i = 0; i < active->count; i++) print_alarm("active:", &active->items[i]);
    printf("%zu active alarms; following the changes\n", active->count);
    fflush(stdout);
    s7p_alarm_list_free(active);

    /* The pull form: this thread drives the client while it waits. */
    unsigned long changes = 0;
    while (want == 0 || changes < want) {
        s7p_sub_notification *n = NULL;
        s7p_status st = s7p_subscription_next(sub, &n, 1000, &err);
        if (st == S7P_E_TIMEOUT) continue;
        if (st != S7P_OK) {
            fprintf(stderr, "alarms_snapshot: %s\n", err.message);
            break;
        }
        changes += print_notification(n);
        fflush(stdout);
        s7p_sub_notification_free(n);
    }
    printf("%lu changes\n", changes);
    s7p_unsubscribe(sub, NULL);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return 0;
}

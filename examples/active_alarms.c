/* SPDX-License-Identifier: MIT */
/* active_alarms: prints the alarms active in a PLC, with their texts in one language.
 *
 *   active_alarms HOST[:PORT] [LCID]
 *   active_alarms 192.0.2.10 1031
 *
 * LCID is a Windows language id (1033 English, 1031 German, ...); without it the texts come
 * in the lowest language the PLC has. The PLC's certificate is trusted on first use when
 * $S7PLUS_KNOWN_HOSTS names a file, otherwise any certificate is accepted. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Timestamps are nanoseconds since 1970 UTC. */
static const char *utc(int64_t ns, char *buf, size_t len)
{
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

static void print_alarm(const s7p_alarm *a)
{
    char when[64];
    const char *state = a->state == S7P_ALARM_GOING ? "going" : "coming";
    int64_t at = a->state == S7P_ALARM_GOING ? a->going_ns : a->coming_ns;
    printf("alarm %" PRIu32 " (%s) %s%s, priority %u, since %s\n", a->hmi_alarm_id, a->name,
           state, a->acknowledged ? ", acknowledged" : "", a->priority, utc(at, when, sizeof when));
    /* The texts come with the associated values formatted in. */
    printf("  %s\n", a->text);
    if (a->info_text[0]) printf("  info: %s\n", a->info_text);
    for (uint32_t i = 0; i < a->nvalues; i++) {
        char *text = NULL;
        if (a->values[i].type != S7P_T_VOID && s7p_value_text(&a->values[i], 0, &text) == S7P_OK)
            printf("  SD_%" PRIu32 " = %s\n", i + 1, text);
        s7p_text_free(text);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: active_alarms HOST[:PORT] [LCID]\n");
        return 2;
    }
    s7p_client_options o;
    s7p_client_options_init(&o);
    set_endpoint(&o, argv[1]);
    uint32_t lcid = argc == 3 ? (uint32_t)strtoul(argv[2], NULL, 10) : 0;

    s7p_client *c = NULL;
    s7p_error err;
    s7p_alarm_list *alarms = NULL;
    if (s7p_client_new(&c, &o, &err) != S7P_OK || s7p_connect(c, &err) != S7P_OK ||
        s7p_get_active_alarms(c, lcid, &alarms, &err) != S7P_OK) {
        fprintf(stderr, "active_alarms: %s\n", err.message);
        s7p_client_free(c);
        return 1;
    }
    for (size_t i = 0; i < alarms->count; i++) print_alarm(&alarms->items[i]);
    printf("%zu active alarms\n", alarms->count);
    s7p_alarm_list_free(alarms);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return 0;
}

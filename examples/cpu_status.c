/* SPDX-License-Identifier: MIT */
/* cpu_status: what an HMI shows about a CPU before it reads any data: the operating state,
 * the communication resources (how many tags fit into one request, how many subscriptions
 * are left) and the languages of the PLC's texts.
 *
 *   cpu_status HOST[:PORT]
 *   cpu_status 192.0.2.10
 *
 * The PLC's certificate is trusted on first use when $S7PLUS_KNOWN_HOSTS names a file (as
 * the s7plus tool does), otherwise any certificate is accepted (see docs/user-guide.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s7plus/s7plus.h>

/* "host:port" or "host" into the options; the string is kept (the options borrow it). */
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

static int show_state(s7p_client *c)
{
    s7p_cpu_state_info st;
    s7p_error err;
    if (s7p_get_cpu_state(c, &st, &err) != S7P_OK) {
        fprintf(stderr, "cpu_status: state: %s\n", err.message);
        return 1;
    }
    printf("state: %s (state number %lld)\n", s7p_cpu_state_name(st.state), (long long)st.raw);
    if (st.state != S7P_CPU_RUN) printf("note: the CPU is not in RUN: values do not change\n");
    return 0;
}

static int show_resources(s7p_client *c)
{
    s7p_comm_resources r;
    s7p_error err;
    if (s7p_get_communication_resources(c, &r, &err) != S7P_OK) {
        fprintf(stderr, "cpu_status: resources: %s\n", err.message);
        return 1;
    }
    /* The library cuts read and write batches by these limits by itself. */
    printf("tags per request: %ld read, %ld write\n", (long)r.tags_per_read_max,
           (long)r.tags_per_write_max);
    if (r.reported & S7P_RES_SUBSCRIPTIONS_FREE)
        printf("subscriptions: %ld of %ld free\n", (long)r.subscriptions_free,
               (long)r.subscriptions_max);
    else
        printf("subscriptions: not reported\n");
    return 0;
}

static int show_languages(s7p_client *c)
{
    s7p_cpu_culture_info ci;
    s7p_error err;
    if (s7p_get_cpu_culture_info(c, &ci, &err) != S7P_OK) {
        fprintf(stderr, "cpu_status: languages: %s\n", err.message);
        return 1;
    }
    printf("languages:");
    for (size_t i = 0; i < ci.count; i++)
        printf(" %s%s", ci.languages[i].name ? ci.languages[i].name : "?",
               i == 0 ? " (primary)" : "");
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: cpu_status HOST[:PORT]\n");
        return 2;
    }
    s7p_client_options o;
    s7p_client_options_init(&o);
    set_endpoint(&o, argv[1]);
    s7p_error err;
    s7p_client *c = NULL;
    if (s7p_client_new(&c, &o, &err) != S7P_OK || s7p_connect(c, &err) != S7P_OK) {
        fprintf(stderr, "cpu_status: %s\n", err.message);
        s7p_client_free(c);
        return 1;
    }
    int rc = show_state(c) | show_resources(c) | show_languages(c);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return rc;
}

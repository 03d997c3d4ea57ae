/* SPDX-License-Identifier: MIT */
/* s7plus culture|resources|state HOST[:PORT]: the CPU's text languages, its communication
 * resources and its operating state, as a table or JSON. */
#include <jansson.h>
#include <stddef.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static const char culture_usage[] =
    "usage: s7plus culture HOST[:PORT] [options]\n"
    "Prints the languages the PLC's texts are configured for (Windows LCIDs and their\n"
    "culture names, the primary language first).\n";

static const char resources_usage[] =
    "usage: s7plus resources HOST[:PORT] [options]\n"
    "Prints the communication resources the PLC reports: tags per read and write request\n"
    "(the library cuts batches by them), subscriptions, attributes and subscription\n"
    "memory, each as maximum and free. A value the PLC does not report shows its default\n"
    "marked \"(default)\".\n";

static const char state_usage[] =
    "usage: s7plus state HOST[:PORT] [options]\n"
    "Prints the CPU's operating state (run, stop, startup, hold, defective, ...) and the\n"
    "state number the PLC reported.\n";

typedef enum { CULTURE, RESOURCES, STATE } what;

typedef union {
    s7p_cpu_culture_info culture;
    s7p_comm_resources res;
    s7p_cpu_state_info state;
} answer;

/* ---- culture ---- */

static int print_culture(const s7p_cpu_culture_info *ci, const char *endpoint, bool json)
{
    if (!json) {
        printf("%-6s %s\n", "LCID", "Culture");
        for (size_t i = 0; i < ci->count; i++)
            printf("%-6u %s%s\n", (unsigned)ci->languages[i].lcid,
                   ci->languages[i].name ? ci->languages[i].name : "(unknown)",
                   i == 0 ? "  (primary)" : "");
        if (ci->reported > ci->count)
            printf("(%zu more not shown)\n", ci->reported - ci->count);
        return CLI_OK;
    }
    json_t *langs = json_array();
    for (size_t i = 0; langs && i < ci->count; i++) {
        const s7p_culture *l = &ci->languages[i];
        json_array_append_new(langs, json_pack("{s:i, s:o}", "lcid", (int)l->lcid, "name",
                                               l->name ? json_string(l->name) : json_null()));
    }
    return cli_print_json(json_pack("{s:s, s:o, s:i}", "endpoint", endpoint, "languages",
                                    langs, "reported", (int)ci->reported));
}

/* ---- resources ---- */

typedef struct {
    const char *key, *label;
    size_t offset;
    uint32_t bit;
} res_field;

static const res_field RES[] = {
    {"tags_per_read_max", "Tags per read request", offsetof(s7p_comm_resources, tags_per_read_max),
     S7P_RES_TAGS_PER_READ},
    {"tags_per_write_max", "Tags per write request",
     offsetof(s7p_comm_resources, tags_per_write_max), S7P_RES_TAGS_PER_WRITE},
    {"subscriptions_max", "Subscriptions max", offsetof(s7p_comm_resources, subscriptions_max),
     S7P_RES_SUBSCRIPTIONS_MAX},
    {"subscriptions_free", "Subscriptions free", offsetof(s7p_comm_resources, subscriptions_free),
     S7P_RES_SUBSCRIPTIONS_FREE},
    {"attributes_max", "Attributes max", offsetof(s7p_comm_resources, attributes_max),
     S7P_RES_ATTRIBUTES_MAX},
    {"attributes_free", "Attributes free", offsetof(s7p_comm_resources, attributes_free),
     S7P_RES_ATTRIBUTES_FREE},
    {"subscription_memory_max", "Subscription memory max",
     offsetof(s7p_comm_resources, subscription_memory_max), S7P_RES_SUBSCRIPTION_MEMORY_MAX},
    {"subscription_memory_free", "Subscription memory free",
     offsetof(s7p_comm_resources, subscription_memory_free), S7P_RES_SUBSCRIPTION_MEMORY_FREE},
};
#define NRES (sizeof RES / sizeof RES[0])

static int32_t res_value(const s7p_comm_resources *r, size_t i)
{
    int32_t v;
    memcpy(&v, (const char *)r + RES[i].offset, sizeof v);
    return v;
}

static int print_resources(const s7p_comm_resources *r, const char *endpoint, bool json)
{
    if (!json) {
        for (size_t i = 0; i < NRES; i++)
            printf("%-26s %ld%s\n", RES[i].label, (long)res_value(r, i),
                   (r->reported & RES[i].bit) ? "" : " (default)");
        return CLI_OK;
    }
    json_t *o = json_pack("{s:s}", "endpoint", endpoint);
    json_t *defaults = json_array();
    for (size_t i = 0; o && defaults && i < NRES; i++) {
        json_object_set_new(o, RES[i].key, json_integer(res_value(r, i)));
        if (!(r->reported & RES[i].bit)) json_array_append_new(defaults, json_string(RES[i].key));
    }
    if (o) json_object_set_new(o, "defaults", defaults ? defaults : json_array());
    return cli_print_json(o);
}

/* ---- state ---- */

static int print_state(const s7p_cpu_state_info *s, const char *endpoint, bool json)
{
    if (json)
        return cli_print_json(json_pack("{s:s, s:s, s:I, s:i}", "endpoint", endpoint,
                                        "state", s7p_cpu_state_name(s->state), "raw",
                                        (json_int_t)s->raw, "source", (int)s->source));
    printf("%-20s %s\n", "Operating state", s7p_cpu_state_name(s->state));
    printf("%-20s %lld (attribute %u)\n", "State number", (long long)s->raw, (unsigned)s->source);
    return CLI_OK;
}

/* ---- the three commands ---- */

typedef struct {
    what w;
    answer a;
} question;

static s7p_status fetch(s7p_client *cl, void *ctx, s7p_error *err)
{
    question *q = ctx;
    switch (q->w) {
    case CULTURE: return s7p_get_cpu_culture_info(cl, &q->a.culture, err);
    case RESOURCES: return s7p_get_communication_resources(cl, &q->a.res, err);
    default: return s7p_get_cpu_state(cl, &q->a.state, err);
    }
}

static int run(int argc, char **argv, what w, const char *usage)
{
    cli_common c;
    question q = {.w = w};
    int rc = cli_fetch_once(argc, argv, &c, usage, fetch, &q);
    if (rc != CLI_OK) return rc;
    const answer *a = &q.a;
    char endpoint[300];
    snprintf(endpoint, sizeof endpoint, "%s:%u", c.host, c.opt.port);
    switch (w) {
    case CULTURE: return print_culture(&a->culture, endpoint, c.json);
    case RESOURCES: return print_resources(&a->res, endpoint, c.json);
    default: return print_state(&a->state, endpoint, c.json);
    }
}

int cmd_culture(int argc, char **argv) { return run(argc, argv, CULTURE, culture_usage); }
int cmd_resources(int argc, char **argv) { return run(argc, argv, RESOURCES, resources_usage); }
int cmd_state(int argc, char **argv) { return run(argc, argv, STATE, state_usage); }

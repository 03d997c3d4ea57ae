/* SPDX-License-Identifier: MIT */
/* s7p_session_traffic KEYLOG [PROGRAM_DIR EXPECT_FILE]: our client against our simulator on
 * 127.0.0.1, for the capture harness (capture_check.sh). Starts the embedded simulator on a
 * free port, writes the port to $S7P_PORT_FILE, waits for $S7P_GO_FILE, then runs connect,
 * CPU info, culture info, communication resources, operating state and disconnect with TLS
 * secrets logged to KEYLOG so the capture can be decrypted.
 * With a program: also browses it, reads every variable, writes values of several types,
 * reads them back, and writes to EXPECT_FILE the lines the decoded capture must show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <s7plus/s7plus.h>

#include "traffic.h"

typedef struct {
    s7p_tag *tags;
    char **symbols;
    size_t n, cap;
} tag_list;

static bool collect(void *ctx, const s7p_browse_item *it)
{
    tag_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        s7p_tag *t = realloc(l->tags, l->cap * sizeof *t);
        char **sy = realloc(l->symbols, l->cap * sizeof *sy);
        if (t) l->tags = t;
        if (sy) l->symbols = sy;
        if (!t || !sy) return false;
    }
    l->symbols[l->n] = strdup(it->symbol);
    l->tags[l->n++] = it->tag;
    return true;
}

/* Values the decoded capture must show, as the dissector prints them. */
typedef struct {
    const char *symbol;
    s7p_tag_value value;
    const char *decoded;
} planned_write;

static int write_and_check(s7p_client *c, FILE *expect)
{
    planned_write w[] = {
        {"\"AllTypes\".v_dint", {.type = S7P_T_DINT, .v.i = -123456789}, "(DInt) = -123456789"},
        {"\"AllTypes\".v_int", {.type = S7P_T_INT, .v.i = -4321}, "(Int) = -4321"},
        {"\"AllTypes\".v_udint", {.type = S7P_T_UDINT, .v.u = 3000000000u}, "(UDInt) = 3000000000"},
        {"\"AllTypes\".v_lint", {.type = S7P_T_LINT, .v.i = -9000000000000LL}, "(LInt) = -9000000000000"},
        {"\"AllTypes\".v_lreal", {.type = S7P_T_LREAL, .v.lr = 2.5}, "(LReal) = 2.500000"},
        /* Strings travel as USInt/UInt arrays, which the dissector shows as numbers. */
        {"\"AllTypes\".v_wstring", {.type = S7P_T_WSTRING, .v.str = {"conformance", 11}},
         "(UInt) Array[256] = 254, 11, 99, 111, 110, 102, 111, 114, 109"},
    };
    size_t n = sizeof w / sizeof w[0];
    s7p_tag tags[8];
    s7p_tag_value vals[8], back[8];
    s7p_item_result res[8];
    s7p_error err;
    for (size_t i = 0; i < n; i++) {
        if (s7p_tag_by_symbol(c, w[i].symbol, &tags[i], &err) != S7P_OK) {
            fprintf(stderr, "session_traffic: %s\n", err.message);
            return 1;
        }
        vals[i] = w[i].value;
        fprintf(expect, "%s\n", w[i].decoded);
    }
    memset(back, 0, sizeof back);
    if (s7p_write(c, tags, n, vals, res, &err) != S7P_OK || s7p_read(c, tags, n, back, res, &err) != S7P_OK) {
        fprintf(stderr, "session_traffic: %s\n", err.message);
        for (size_t i = 0; i < n; i++) s7p_tag_value_clear(&back[i]);
        return 1;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (res[i].code != S7P_OK) rc = 1;
        s7p_tag_value_clear(&back[i]);
    }
    return rc;
}

static int exercise_program(s7p_client *c, const char *expect_file)
{
    tag_list l = {0};
    s7p_error err;
    FILE *expect = fopen(expect_file, "w");
    if (!expect || s7p_browse(c, collect, &l, &err) != S7P_OK) {
        fprintf(stderr, "session_traffic: browse failed\n");
        if (expect) fclose(expect);
        for (size_t i = 0; i < l.n; i++) free(l.symbols[i]);
        free(l.symbols);
        free(l.tags);
        return 1;
    }
    s7p_tag_value *vals = calloc(l.n, sizeof *vals);
    s7p_item_result *res = calloc(l.n, sizeof *res);
    int rc = vals && res && s7p_read(c, l.tags, l.n, vals, res, &err) == S7P_OK ? 0 : 1;
    size_t failed = 0;
    for (size_t i = 0; vals && res && i < l.n; i++) {
        if (res[i].code != S7P_OK) {
            failed++;
            fprintf(stderr, "session_traffic: %s (%s): %s, PLC code %d\n", l.symbols[i],
                    s7p_type_name(l.tags[i].type), s7p_strerror(res[i].code), res[i].plc_code);
        }
        s7p_tag_value_clear(&vals[i]);
    }
    printf("session_traffic: %zu variables browsed and read, %zu item errors\n", l.n, failed);
    if (rc == 0) rc = write_and_check(c, expect);
    free(vals);
    free(res);
    for (size_t i = 0; i < l.n; i++) free(l.symbols[i]);
    free(l.symbols);
    free(l.tags);
    fclose(expect);
    return rc || failed ? 1 : 0;
}

/* The CPU's languages (Explore 114), resources (GetMultiVariables of ObjectRoot) and
 * operating state (GetVarSubStreamed 52/2237), as the simulator's defaults say. */
static int cpu_status(s7p_client *c)
{
    s7p_cpu_culture_info ci;
    s7p_comm_resources r;
    s7p_cpu_state_info st;
    s7p_error err;
    if (s7p_get_cpu_culture_info(c, &ci, &err) != S7P_OK ||
        s7p_get_communication_resources(c, &r, &err) != S7P_OK ||
        s7p_get_cpu_state(c, &st, &err) != S7P_OK) {
        fprintf(stderr, "session_traffic: %s\n", err.message);
        return 1;
    }
    if (ci.count != 2 || ci.languages[0].lcid != 1033 || r.reported != 0xFF ||
        st.state != S7P_CPU_RUN) {
        fprintf(stderr, "session_traffic: unexpected culture, resources or state\n");
        return 1;
    }
    printf("session_traffic: languages %s %s, %ld tags per read, state %s\n",
           ci.languages[0].name, ci.languages[1].name, (long)r.tags_per_read_max,
           s7p_cpu_state_name(st.state));
    return 0;
}

static int run_client(uint16_t port, const char *keylog, const char *expect_file)
{
    s7p_client_options o;
    s7p_error err;
    s7p_cpu_info info;
    traffic_client_options(&o, port, keylog);
    o.allow_write = true;
    s7p_client *c = traffic_connect("session_traffic", &o);
    if (!c) return 1;
    if (s7p_get_cpu_info(c, &info, &err) != S7P_OK) {
        fprintf(stderr, "session_traffic: %s\n", err.message);
        s7p_client_free(c);
        return 1;
    }
    int rc = cpu_status(c);
    if (rc == 0 && expect_file) rc = exercise_program(c, expect_file);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    if (rc != 0) return rc;
    printf("session_traffic: %s %s %s\n", info.plc_name, info.order_number, info.firmware);
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc != 2 && argc != 4) || !traffic_env_ok()) {
        fprintf(stderr, "usage: S7P_PORT_FILE=F S7P_GO_FILE=G s7p_session_traffic KEYLOG "
                        "[PROGRAM_DIR EXPECT_FILE]\n");
        return 2;
    }
    unlink(argv[1]);
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    if (argc == 4) cfg.program_dir = argv[2];
    s7p_sim *sim = traffic_sim_start("session_traffic", &cfg);
    if (!sim) return 1;
    int rc = run_client(s7p_sim_port(sim), argv[1], argc == 4 ? argv[3] : NULL);
    s7p_sim_stop(sim);
    return rc;
}

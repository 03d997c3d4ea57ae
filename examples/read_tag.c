/* SPDX-License-Identifier: MIT */
/* read_tag: reads variables by their symbols and prints SYMBOL = VALUE.
 *
 *   read_tag HOST[:PORT] SYMBOL...
 *   read_tag 192.0.2.10 '"Motors".pumps[2].speed' '"AllTypes".v_int'
 *
 * The PLC's certificate is trusted on first use when $S7PLUS_KNOWN_HOSTS names a file (as
 * the s7plus tool does), otherwise any certificate is accepted (see docs/user-guide.md). */
#include <inttypes.h>
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

static void print_value(const s7p_tag_value *v)
{
    if (v->count > 0) {
        printf("[");
        for (uint32_t i = 0; i < v->count; i++) {
            if (i) printf(", ");
            print_value(&v->elems[i]);
        }
        printf("]");
        return;
    }
    switch (v->type) {
    case S7P_T_BOOL: case S7P_T_BBOOL: printf("%s", v->v.b ? "TRUE" : "FALSE"); break;
    case S7P_T_SINT: case S7P_T_INT: case S7P_T_DINT: case S7P_T_LINT:
        printf("%" PRId64, v->v.i); break;
    case S7P_T_REAL: printf("%g", (double)v->v.r); break;
    case S7P_T_LREAL: printf("%g", v->v.lr); break;
    case S7P_T_STRING: case S7P_T_WSTRING: printf("'%s'", v->v.str.p); break;
    case S7P_T_TIME: case S7P_T_LTIME: case S7P_T_S5TIME:
        printf("%" PRId64 " ns", v->v.i); break;
    default:
        /* unsigned kinds; dates and times of day are in v.i (see s7p_tag_value) */
        printf("%" PRIu64 " (%s)", v->v.u, s7p_type_name((int)v->type));
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: read_tag HOST[:PORT] SYMBOL...\n");
        return 2;
    }
    s7p_client_options o;
    s7p_client_options_init(&o);
    set_endpoint(&o, argv[1]);
    s7p_error err;
    s7p_client *c = NULL;
    if (s7p_client_new(&c, &o, &err) != S7P_OK || s7p_connect(c, &err) != S7P_OK) {
        fprintf(stderr, "read_tag: %s\n", err.message);
        s7p_client_free(c);
        return 1;
    }
    size_t n = (size_t)argc - 2;
    s7p_tag *tags = calloc(n, sizeof *tags);
    s7p_tag_value *values = calloc(n, sizeof *values);
    s7p_item_result *results = calloc(n, sizeof *results);
    int rc = tags && values && results ? 0 : 1;
    /* Resolve every symbol first; one read then fetches them all in one batch. */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (s7p_tag_by_symbol(c, argv[2 + i], &tags[i], &err) != S7P_OK) {
            fprintf(stderr, "read_tag: %s\n", err.message);
            rc = 1;
        }
    }
    if (rc == 0 && s7p_read(c, tags, n, values, results, &err) != S7P_OK) {
        fprintf(stderr, "read_tag: %s\n", err.message);
        rc = 1;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        printf("%s = ", argv[2 + i]);
        if (results[i].code == S7P_OK) print_value(&values[i]);
        else printf("error: %s (PLC code %d)", s7p_strerror(results[i].code),
                    results[i].plc_code);
        printf("\n");
    }
    /* Release every value, whatever the read returned. */
    for (size_t i = 0; values && i < n; i++) s7p_tag_value_clear(&values[i]);
    free(tags);
    free(values);
    free(results);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return rc;
}

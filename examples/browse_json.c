/* SPDX-License-Identifier: MIT */
/* browse_json: lists every variable of the PLC program as a JSON array (with jansson):
 * [{"symbol": "\"Motors\".pumps[1].speed", "type": "Real", "count": 0, "block": "Motors"}, ...]
 *
 *   browse_json HOST[:PORT] > variables.json
 *
 * s7p_browse() streams the variables through a callback, so a program of any size passes
 * through without being held twice; the callback's item is valid only during the call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <s7plus/s7plus.h>

static bool add_variable(void *ctx, const s7p_browse_item *item)
{
    json_t *list = ctx;
    json_t *v = json_pack("{s:s, s:s, s:i, s:s}", "symbol", item->symbol,
                          "type", s7p_type_name((int)item->tag.type), "count",
                          (json_int_t)item->tag.count, "block", item->block);
    /* Returning false stops the browse: out of memory is a good reason. */
    return v && json_array_append_new(list, v) == 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: browse_json HOST[:PORT]\n");
        return 2;
    }
    s7p_client_options o;
    s7p_client_options_init(&o);
    char *colon = strrchr(argv[1], ':');
    if (colon && colon == strchr(argv[1], ':')) {
        *colon = '\0';
        o.port = (uint16_t)atoi(colon + 1);
    }
    o.host = argv[1];
    if (getenv("S7PLUS_KNOWN_HOSTS")) {
        o.verify = S7P_VERIFY_TOFU;
        o.known_hosts_file = getenv("S7PLUS_KNOWN_HOSTS");
    }
    o.browse_timeout_ms = 60000;    /* the whole browse; each request has its own timeout */

    s7p_error err;
    s7p_client *c = NULL;
    json_t *list = json_array();
    s7p_status st = list ? s7p_client_new(&c, &o, &err) : S7P_E_NOMEM;
    if (st == S7P_OK) st = s7p_connect(c, &err);
    if (st == S7P_OK) st = s7p_browse(c, add_variable, list, &err);
    if (st != S7P_OK) {
        fprintf(stderr, "browse_json: %s\n", list ? err.message : "out of memory");
    } else {
        json_dumpf(list, stdout, JSON_INDENT(1));
        printf("\n");
        fprintf(stderr, "browse_json: %zu variables\n", json_array_size(list));
    }
    json_decref(list);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return st == S7P_OK ? 0 : 1;
}

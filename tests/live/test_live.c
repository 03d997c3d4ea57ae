/* SPDX-License-Identifier: MIT */
/* Opt-in smoke test against a real PLC, read-only. Runs only when S7COMMPLUS_LIVE_HOST is
 * set (HOST or HOST:PORT); otherwise it reports "skipped" (exit 77). Optional:
 * S7COMMPLUS_LIVE_TAGS = symbols separated by ';', S7COMMPLUS_LIVE_SECURITY_MODE = Tls |
 * LegacyChallenge | Auto. It connects, reads CPU information, browses, reads the tags and
 * disconnects. It never writes: the client is created without allow_write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <s7plus/s7plus.h>

#define SKIPPED 77

static bool count_item(void *ctx, const s7p_browse_item *it)
{
    (void)it;
    ++*(size_t *)ctx;
    return true;
}

static int fail(const char *what, const s7p_error *e)
{
    fprintf(stderr, "live: %s: %s\n", what, e->message);
    return 1;
}

static int parse_security(const char *s, s7p_security *out)
{
    if (!s || strcasecmp(s, "Tls") == 0) *out = S7P_SECURITY_TLS;
    else if (strcasecmp(s, "LegacyChallenge") == 0) *out = S7P_SECURITY_LEGACY_CHALLENGE;
    else if (strcasecmp(s, "Auto") == 0) *out = S7P_SECURITY_AUTO;
    else return -1;
    return 0;
}

static int read_tags(s7p_client *c, char *list)
{
    s7p_error e;
    int rc = 0;
    for (char *save = NULL, *sym = strtok_r(list, ";", &save); sym; sym = strtok_r(NULL, ";", &save)) {
        s7p_tag t;
        s7p_tag_value v;
        s7p_item_result r;
        if (s7p_tag_by_symbol(c, sym, &t, &e) != S7P_OK) {
            rc = fail(sym, &e);
            continue;
        }
        if (s7p_read(c, &t, 1, &v, &r, &e) != S7P_OK) return fail(sym, &e);
        printf("live: %s: %s (%s)\n", sym, r.code == S7P_OK ? "read" : s7p_strerror(r.code),
               s7p_type_name(t.type));
        rc |= r.code != S7P_OK;
        s7p_tag_value_clear(&v);
    }
    return rc;
}

int main(void)
{
    const char *host = getenv("S7COMMPLUS_LIVE_HOST");
    if (!host || !*host) {
        printf("live: S7COMMPLUS_LIVE_HOST not set: skipped\n");
        return SKIPPED;
    }
    char hostbuf[256];
    snprintf(hostbuf, sizeof hostbuf, "%s", host);
    s7p_client_options o;
    s7p_client_options_init(&o);
    char *colon = strrchr(hostbuf, ':');
    if (colon && strchr(hostbuf, ':') == colon) {
        *colon = 0;
        o.port = (uint16_t)atoi(colon + 1);
    }
    o.host = hostbuf;
    o.allow_write = false;  /* read-only, whatever else happens */
    if (parse_security(getenv("S7COMMPLUS_LIVE_SECURITY_MODE"), &o.security) != 0) {
        fprintf(stderr, "live: S7COMMPLUS_LIVE_SECURITY_MODE must be Tls, LegacyChallenge or Auto\n");
        return 1;
    }
    s7p_client *c;
    s7p_error e;
    s7p_cpu_info info;
    size_t vars = 0;
    if (s7p_client_new(&c, &o, &e) != S7P_OK) return fail("options", &e);
    int rc = 0;
    if (s7p_connect(c, &e) != S7P_OK) rc = fail("connect", &e);
    else if (s7p_get_cpu_info(c, &info, &e) != S7P_OK) rc = fail("info", &e);
    else if (s7p_browse(c, count_item, &vars, &e) != S7P_OK) rc = fail("browse", &e);
    if (rc == 0) {
        printf("live: %s %s %s, %zu variables\n", info.plc_name, info.order_number, info.firmware, vars);
        const char *tags = getenv("S7COMMPLUS_LIVE_TAGS");
        if (tags && *tags) {
            char *list = strdup(tags);
            rc = list ? read_tags(c, list) : 1;
            free(list);
        }
    }
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return rc;
}

/* SPDX-License-Identifier: MIT */
/* protected_read: reads a variable of a password-protected PLC. The password comes from the
 * environment, never from the command line (which every user of the machine can see).
 *
 *   S7PLUS_PASSWORD=... protected_read HOST[:PORT] SYMBOL [USER]
 *
 * The client logs in (legitimation) at the end of its connect, and again after every
 * reconnect; the access level it got is in s7p_cpu_info.protection_level. A wrong password
 * fails the connect with S7P_E_AUTH. The PLC's certificate is trusted on first use when
 * $S7PLUS_KNOWN_HOSTS names a file, otherwise any certificate is accepted. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s7plus/s7plus.h>

static const char *const LEVELS[] = {"?", "full access", "read access", "HMI access",
                                     "no access"};

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: S7PLUS_PASSWORD=... protected_read HOST[:PORT] SYMBOL [USER]\n");
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
    /* The client copies both (and wipes its copies when freed); NULL: no login. */
    o.password = getenv("S7PLUS_PASSWORD");
    o.username = argc == 4 ? argv[3] : NULL;
    o.auto_reconnect = true;   /* a reconnect logs in again by itself */

    s7p_error err;
    s7p_client *c = NULL;
    if (s7p_client_new(&c, &o, &err) != S7P_OK || s7p_connect(c, &err) != S7P_OK) {
        fprintf(stderr, "protected_read: %s\n", err.message);
        if (err.code == S7P_E_AUTH)
            fprintf(stderr, "protected_read: wrong password (PLC code %d %s)\n", err.plc_code,
                    s7p_plc_code_name(err.plc_code) ? s7p_plc_code_name(err.plc_code) : "");
        s7p_client_free(c);
        return 1;
    }
    s7p_cpu_info info;
    if (s7p_get_cpu_info(c, &info, &err) == S7P_OK)
        printf("access: %s\n", LEVELS[info.protection_level <= 4 ? info.protection_level : 0]);
    s7p_tag tag;
    s7p_tag_value v = {0};
    s7p_item_result r = {0};
    int rc = 1;
    if (s7p_tag_by_symbol(c, argv[2], &tag, &err) != S7P_OK ||
        s7p_read(c, &tag, 1, &v, &r, &err) != S7P_OK) {
        fprintf(stderr, "protected_read: %s\n", err.message);
    } else if (r.code != S7P_OK) {
        /* A level too low for this read: the PLC refuses it (-100 ServiceAccessDenied). */
        fprintf(stderr, "protected_read: %s: %s (PLC code %d)\n", argv[2],
                s7p_strerror(r.code), r.plc_code);
    } else {
        char *text = NULL;
        if (s7p_value_text(&v, 0, &text) == S7P_OK) printf("%s = %s\n", argv[2], text);
        s7p_text_free(text);
        rc = 0;
    }
    s7p_tag_value_clear(&v);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return rc;
}

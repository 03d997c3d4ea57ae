/* SPDX-License-Identifier: MIT */
/* write_tag: writes an Int through the library's write gate and reads it back.
 *
 *   write_tag HOST[:PORT] SYMBOL VALUE
 *   write_tag 192.0.2.10 '"AllTypes".v_int' 42
 *
 * A client writes only when it was created with allow_write: without it s7p_write() fails
 * with S7P_E_WRITE_DISABLED and sends nothing. This program shows both. A write is never
 * retried by the library: when its answer is lost, the value may or may not have been
 * written, so read it back. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s7plus/s7plus.h>

static s7p_client *open_client(char *host, uint16_t port, bool allow_write, s7p_error *err)
{
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = host;
    o.port = port;
    o.allow_write = allow_write;
    if (getenv("S7PLUS_KNOWN_HOSTS")) {
        o.verify = S7P_VERIFY_TOFU;
        o.known_hosts_file = getenv("S7PLUS_KNOWN_HOSTS");
    }
    s7p_client *c = NULL;
    if (s7p_client_new(&c, &o, err) != S7P_OK) return NULL;
    if (s7p_connect(c, err) != S7P_OK) {
        s7p_client_free(c);
        return NULL;
    }
    return c;
}

/* Writes one value; S7P_OK only when the PLC confirmed the item. */
static s7p_status write_one(s7p_client *c, const s7p_tag *tag, int64_t value, s7p_error *err)
{
    s7p_tag_value v = {.type = tag->type, .v.i = value};
    s7p_item_result r;
    s7p_status st = s7p_write(c, tag, 1, &v, &r, err);
    if (st == S7P_OK && r.code != S7P_OK) {
        snprintf(err->message, sizeof err->message, "the PLC refused the item: %s (%s)",
                 s7p_strerror(r.code), s7p_plc_code_text(r.plc_code));
        st = r.code;
    }
    return st;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: write_tag HOST[:PORT] SYMBOL VALUE\n");
        return 2;
    }
    uint16_t port = S7P_DEFAULT_PORT;
    char *colon = strrchr(argv[1], ':');
    if (colon && colon == strchr(argv[1], ':')) {
        *colon = '\0';
        port = (uint16_t)atoi(colon + 1);
    }
    int64_t value = strtoll(argv[3], NULL, 10);
    s7p_error err;

    /* 1. A read-only client (the default): the write is refused before anything is sent. */
    s7p_client *ro = open_client(argv[1], port, false, &err);
    s7p_tag tag;
    if (!ro || s7p_tag_by_symbol(ro, argv[2], &tag, &err) != S7P_OK) {
        fprintf(stderr, "write_tag: %s\n", err.message);
        s7p_client_free(ro);
        return 1;
    }
    if (tag.type != S7P_T_INT && tag.type != S7P_T_DINT && tag.type != S7P_T_SINT) {
        fprintf(stderr, "write_tag: %s is a %s, this example writes Int, DInt or SInt\n",
                argv[2], s7p_type_name((int)tag.type));
        s7p_client_free(ro);
        return 1;
    }
    s7p_status st = write_one(ro, &tag, value, &err);
    printf("without allow_write: %s\n", s7p_strerror(st));
    s7p_client_free(ro);

    /* 2. A client created with allow_write: the tag resolved above is a plain value and can
     * be used with any client of the same PLC. */
    s7p_client *rw = open_client(argv[1], port, true, &err);
    if (!rw || write_one(rw, &tag, value, &err) != S7P_OK) {
        fprintf(stderr, "write_tag: %s\n", err.message);
        s7p_client_free(rw);
        return 1;
    }
    s7p_tag_value back = {0};
    s7p_item_result r;
    st = s7p_read(rw, &tag, 1, &back, &r, &err);
    if (st == S7P_OK && r.code == S7P_OK)
        printf("with allow_write: wrote %" PRId64 ", read back %" PRId64 "\n", value, back.v.i);
    else
        fprintf(stderr, "write_tag: reading back failed: %s\n",
                st != S7P_OK ? err.message : s7p_strerror(r.code));
    s7p_tag_value_clear(&back);
    s7p_disconnect(rw, NULL);
    s7p_client_free(rw);
    return st == S7P_OK && r.code == S7P_OK ? 0 : 1;
}

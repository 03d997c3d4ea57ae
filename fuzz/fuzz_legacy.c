/* SPDX-License-Identifier: MIT */
/* The decoders of the legacy handshake on the server and client side: the input is decoded
 * as a PObject (the CreateObject session object) and read as a server hello, and as a PValue
 * read as a StructSecurityKey whose blob is opened with the simulator's test key; the raw
 * input also goes through the fingerprint text parser, the blob header decoder and the V3
 * digest check. Invariant: nothing crashes or leaks; a hello read without error has a
 * version struct. */
#include <stdlib.h>

#include "legacy/handshake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s7p_arena a;
    s7p_arena_init(&a, 1u << 20);
    s7p_rd r = s7p_rd_init(data, size);
    s7p_object *o = NULL;
    s7p_legacy_server_hello h;
    if (s7p_object_decode(&r, &a, &o) && s7p_legacy_server_hello_read(o, &h) == S7P_OK &&
        (!h.version || h.version->type != S7P_DT_STRUCT))
        abort();
    r = s7p_rd_init(data, size);
    s7p_value v;
    s7p_legacy_security_key k;
    if (s7p_value_decode(&r, &a, &v) && s7p_legacy_security_key_read(&v, &k) == S7P_OK) {
        uint8_t ch[20] = {0}, key2[24], sk[24];
        (void)s7p_legacy_blob_open(s7p_legacy_test_server_key(), ch, k.blob.p, k.blob.n, key2, sk);
    }
    s7p_legacy_fingerprint_text fp;
    (void)s7p_legacy_fingerprint_parse((const char *)data, size, &fp);
    s7p_legacy_blob_header bh;
    (void)s7p_legacy_blob_header_decode(data, size, &bh);
    static const uint8_t key[24] = {1};
    (void)s7p_legacy_digest_verify(key, data, size);
    s7p_arena_release(&a);
    return 0;
}

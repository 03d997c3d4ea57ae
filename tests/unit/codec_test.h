/* SPDX-License-Identifier: MIT */
/* Shared by the cmocka tests of the wire codec (tests/unit/test_proto_*.c; the library
 * s7p_codec_test): the per-test arena fixture, a byte builder for hand-written vectors,
 * PValue builders, and the checks every codec gets: encode with the counting and a real
 * writer, decode completely, re-encode byte for byte, fail cleanly on every cut-short input
 * and on every writer too small for the encoding. */
#ifndef S7P_TESTS_CODEC_TEST_H
#define S7P_TESTS_CODEC_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/rd.h"
#include "proto/value.h"
#include "proto/wr.h"
#include "util/arena.h"

/* ---- fixture: one arena per test (in *state) ------------------------------------------- */

int codec_arena_setup(void **state);
int codec_arena_teardown(void **state);

#define TEST(f) cmocka_unit_test_setup_teardown(f, codec_arena_setup, codec_arena_teardown)

/* ---- a byte builder for hand-written vectors --------------------------------------------- */

typedef struct {
    uint8_t b[8192];
    size_t n;
} bytes;

/** Appends n bytes (asserts they fit). */
void put(bytes *x, const void *p, size_t n);

#define PUT(x, ...) put((x), (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

/** Appends the characters of s (no NUL). */
void put_str(bytes *x, const char *s);

/** Appends the hex digits of s, as printed in the docs; spaces and '|' separate fields and
 * are skipped, anything else fails the test, as does an odd number of digits. */
void put_hex(bytes *x, const char *s);

/** An exact-size heap copy of the n bytes at b (free() it), so that ASan sees any read past
 * the end. */
uint8_t *codec_copy(const uint8_t *b, size_t n);

/* ---- PValue builders -------------------------------------------------------------------- */

/** A scalar of `type` (flags 0) with payload u, respectively i. */
s7p_value v_u(uint8_t type, uint64_t u);
s7p_value v_i(uint8_t type, int64_t i);

/** A WString scalar viewing s (not copied). */
s7p_value v_ws(const char *s);

/** A struct with id `id` and no members, in arena memory. */
s7p_struct *new_struct(s7p_arena *a, uint32_t id);

/** A Struct value with the given flags byte. */
s7p_value struct_value(uint8_t flags, s7p_struct *st);

/** struct_value(0, new_struct(a, id)). */
s7p_value v_struct(s7p_arena *a, uint32_t id);

/** Appends id = v to the list. */
void add_member(s7p_idlist *l, s7p_arena *a, uint32_t id, s7p_value v);

/* ---- codec checks ----------------------------------------------------------------------- */

/** A codec under test, through cursor and writer. Its item is what `decode` writes to *out
 * (an s7p_value, an s7p_object *, ...); `encode` takes a pointer to an item. `decode` may be
 * NULL for codecs that are not decoded from a cursor (codec_decode,
 * codec_check_prefixes_fail and codec_check_vector need it). */
typedef struct {
    bool (*decode)(s7p_rd *r, s7p_arena *a, void *out);
    bool (*encode)(s7p_wr *w, const void *in);
    size_t out_size;  /* of an item */
    bool sample_long; /* short writers of encodings over 300 bytes: only the first and last
                         few sizes (long arrays), instead of every size */
} codec_ops;

/** Decodes n bytes at b (`fixed`: fixed-int form); the result must agree with the cursor's
 * error and leave its depth at 0. Returns the cursor's error; *left (if given) the bytes it
 * left. */
s7p_status codec_decode(const codec_ops *c, s7p_arena *a, const uint8_t *b, size_t n, bool fixed,
                        void *out, size_t *left);

/** Encodes the item at `in` into arena memory; the counting writer must agree on the
 * length. */
s7p_bytes codec_encode(const codec_ops *c, s7p_arena *a, const void *in, bool fixed);

/** Every strict prefix (copied to an exact-size buffer, so ASan sees over-reads) must fail
 * with S7P_E_PROTOCOL. */
void codec_check_prefixes_fail(const codec_ops *c, const uint8_t *b, size_t n, bool fixed);

/** Every writer smaller than the encoding of the item at `in` (n bytes; an exact-size heap
 * buffer) must fail with S7P_E_LIMIT without counting past its end. */
void codec_check_short_writers(const codec_ops *c, const void *in, size_t n, bool fixed);

/** A wire vector decodes completely into the item at out, re-encodes to the same bytes, and
 * fails cleanly when cut or written short. */
void codec_check_vector(const codec_ops *c, s7p_arena *a, const uint8_t *b, size_t n, bool fixed,
                        void *out);

#endif

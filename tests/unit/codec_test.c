/* SPDX-License-Identifier: MIT */
/* Helpers shared by the codec tests: see codec_test.h. */
#include "codec_test.h"

/* ---- fixture ---------------------------------------------------------------------------- */

int codec_arena_setup(void **state)
{
    s7p_arena *a = malloc(sizeof *a);
    if (!a) return -1;
    s7p_arena_init(a, S7P_ARENA_DEFAULT_LIMIT);
    *state = a;
    return 0;
}

int codec_arena_teardown(void **state)
{
    s7p_arena_release(*state);
    free(*state);
    return 0;
}

/* ---- byte builder ----------------------------------------------------------------------- */

void put(bytes *x, const void *p, size_t n)
{
    assert_true(n <= sizeof x->b - x->n);
    memcpy(x->b + x->n, p, n);
    x->n += n;
}

void put_str(bytes *x, const char *s) { put(x, s, strlen(s)); }

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void put_hex(bytes *x, const char *s)
{
    int hi = -1;
    for (; *s; s++) {
        int v = hexval(*s);
        if (v < 0) {
            assert_true(*s == ' ' || *s == '|');
            continue;
        }
        if (hi < 0) {
            hi = v;
            continue;
        }
        assert_true(x->n < sizeof x->b);
        x->b[x->n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    assert_int_equal(hi, -1);
}

uint8_t *codec_copy(const uint8_t *b, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    if (n) memcpy(copy, b, n);
    return copy;
}

/* ---- PValue builders -------------------------------------------------------------------- */

s7p_value v_u(uint8_t type, uint64_t u)
{
    s7p_value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    v.v.u = u;
    return v;
}

s7p_value v_i(uint8_t type, int64_t i)
{
    s7p_value v = v_u(type, 0);
    v.v.i = i;
    return v;
}

s7p_value v_ws(const char *s)
{
    s7p_value v = v_u(S7P_DT_WSTRING, 0);
    v.v.s.p = (const uint8_t *)s;
    v.v.s.n = strlen(s);
    return v;
}

s7p_struct *new_struct(s7p_arena *a, uint32_t id)
{
    s7p_struct *st = s7p_arena_alloc(a, sizeof *st);
    assert_non_null(st);
    st->id = id;
    return st;
}

s7p_value struct_value(uint8_t flags, s7p_struct *st)
{
    s7p_value v = v_u(S7P_DT_STRUCT, 0);
    v.flags = flags;
    v.v.st = st;
    return v;
}

s7p_value v_struct(s7p_arena *a, uint32_t id) { return struct_value(0, new_struct(a, id)); }

void add_member(s7p_idlist *l, s7p_arena *a, uint32_t id, s7p_value v)
{
    s7p_value *slot = s7p_idlist_add(l, a, id);
    assert_non_null(slot);
    *slot = v;
}

/* ---- codec checks ----------------------------------------------------------------------- */

s7p_status codec_decode(const codec_ops *c, s7p_arena *a, const uint8_t *b, size_t n, bool fixed,
                        void *out, size_t *left)
{
    assert_non_null(c->decode);
    s7p_rd r = s7p_rd_init(b, n);
    r.fixed_ints = fixed;
    bool ok = c->decode(&r, a, out);
    assert_int_equal(ok, r.err == S7P_OK);
    if (ok) assert_int_equal(r.depth, 0);
    if (left) *left = s7p_rd_left(&r);
    return r.err;
}

s7p_bytes codec_encode(const codec_ops *c, s7p_arena *a, const void *in, bool fixed)
{
    s7p_wr cw = s7p_wr_counter();
    cw.fixed_ints = fixed;
    assert_true(c->encode(&cw, in));
    uint8_t *buf = s7p_arena_alloc(a, cw.len ? cw.len : 1);
    assert_non_null(buf);
    s7p_wr w = s7p_wr_init(buf, cw.len);
    w.fixed_ints = fixed;
    assert_true(c->encode(&w, in));
    assert_int_equal(w.len, cw.len);
    s7p_bytes out = {buf, w.len};
    return out;
}

void codec_check_prefixes_fail(const codec_ops *c, const uint8_t *b, size_t n, bool fixed)
{
    assert_non_null(c->decode);
    void *out = malloc(c->out_size ? c->out_size : 1);
    assert_non_null(out);
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = codec_copy(b, k);
        s7p_arena a;
        s7p_arena_init(&a, S7P_ARENA_DEFAULT_LIMIT);
        s7p_rd r = s7p_rd_init(copy, k);
        r.fixed_ints = fixed;
        bool ok = c->decode(&r, &a, out);
        s7p_arena_release(&a);
        free(copy);
        if (ok || r.err != S7P_E_PROTOCOL) {
            free(out);
            fail_msg("prefix of %zu/%zu bytes: ok=%d err=%d", k, n, (int)ok, (int)r.err);
        }
    }
    free(out);
}

void codec_check_short_writers(const codec_ops *c, const void *in, size_t n, bool fixed)
{
    bool sample = c->sample_long && n > 300;
    for (size_t cap = 0; cap < n; cap = (sample && cap > 8 && cap < n - 8) ? n - 8 : cap + 1) {
        uint8_t *buf = malloc(cap ? cap : 1);
        assert_non_null(buf);
        s7p_wr w = s7p_wr_init(buf, cap);
        w.fixed_ints = fixed;
        bool ok = c->encode(&w, in);
        free(buf);
        if (ok || w.err != S7P_E_LIMIT || w.len > cap)
            fail_msg("writer of %zu/%zu bytes: ok=%d err=%d", cap, n, (int)ok, (int)w.err);
    }
}

void codec_check_vector(const codec_ops *c, s7p_arena *a, const uint8_t *b, size_t n, bool fixed,
                        void *out)
{
    size_t left;
    assert_int_equal(codec_decode(c, a, b, n, fixed, out, &left), S7P_OK);
    assert_int_equal(left, 0);
    s7p_bytes e = codec_encode(c, a, out, fixed);
    assert_int_equal(e.n, n);
    assert_memory_equal(e.p, b, n);
    codec_check_prefixes_fail(c, b, n, fixed);
    codec_check_short_writers(c, out, n, fixed);
}

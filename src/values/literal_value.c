/* SPDX-License-Identifier: MIT */
/* Arrays of literals ("[a, b, n(c), m()]") and the public entry point s7p_value_parse(). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "values/literal.h"

#define Q(str, len) s7p_lit_q(str, len).s

/* Next top-level element of an array body: up to a ',' outside quotes and parentheses. */
static size_t element_end(const char *s, size_t n)
{
    bool quoted = false;
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (quoted) {
            if (ch == '$' && i + 1 < n) i++;
            else if (ch == '\'') quoted = false;
        } else if (ch == '\'' || ch == '(' || ch == ')') {
            quoted = ch == '\'';
            depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
        } else if (ch == ',' && depth <= 0) {
            return i;
        }
    }
    return n;
}

/* "n(value)" / "n()": the repetition count and the inner text. */
static bool repetition(const char *s, size_t n, uint64_t *count, const char **in, size_t *inn)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == 0 || i >= n || s[i] != '(' || s[n - 1] != ')') return false;
    if (s7p_lit_digits(s, i, 10, count) != 0) *count = UINT64_MAX;
    *in = s + i + 1;
    *inn = n - i - 2;
    s7p_lit_trim(in, inn);
    return true;
}

static void *dup_bytes(const void *p, size_t n)
{
    void *d = s7p_malloc(n);
    if (d && n) memcpy(d, p, n);
    return d;
}

/* A deep copy of a parsed element (strings and bytes duplicated). */
static bool copy_elem(const s7p_lit_type *t, s7p_tag_value *dst, const s7p_tag_value *src)
{
    *dst = *src;
    if (t->k == LK_STRING || t->k == LK_WSTRING)
        return (dst->v.str.p = dup_bytes(src->v.str.p, src->v.str.len + 1)) != NULL;
    if (t->k == LK_RAW) return (dst->v.raw.p = dup_bytes(src->v.raw.p, src->v.raw.len)) != NULL;
    return true;
}

/* The zero value of the type, for "n()". */
static bool zero_elem(s7p_lit_cx *c, s7p_tag_value *o)
{
    memset(o, 0, sizeof *o);
    o->type = c->tag->type;
    if (c->t.k == LK_RAW) return s7p_lit_err(c, "%s has no zero value: give the bytes", c->tname);
    if (c->t.k == LK_STRING || c->t.k == LK_WSTRING) {
        o->v.str.p = s7p_calloc(1, 1);
        if (!o->v.str.p) return s7p_lit_nomem(c);
    }
    return true;
}

/* One element "v", "n(v)" or "n()" at o->elems[*got]; *got counts on past the array's size
 * (for the message). */
static bool array_element(s7p_lit_cx *c, const char *el, size_t en, s7p_tag_value *o,
                          uint64_t *got)
{
    uint32_t want = c->tag->count;
    const char *in = el;
    size_t inn = en;
    uint64_t reps = 1;
    bool rep = repetition(el, en, &reps, &in, &inn);
    if (rep && reps == 0)
        return s7p_lit_err(c, "a repetition count must be at least 1 ('%s')", Q(el, en));
    if (*got < want && reps <= want - *got) {
        snprintf(c->where, sizeof c->where, "value %" PRIu64 " of %" PRIu32 ": ", *got + 1, want);
        s7p_tag_value *first = &o->elems[*got];
        const char *array_name = c->tname;
        c->tname = c->ename;
        bool ok = rep && inn == 0 ? zero_elem(c, first) : s7p_lit_parse_scalar(c, in, inn, first);
        c->tname = array_name;
        if (!ok) return false;
        for (uint64_t r = 1; r < reps; r++)
            if (!copy_elem(&c->t, &o->elems[*got + r], first)) return s7p_lit_nomem(c);
        c->where[0] = 0;
    }
    *got = reps > UINT64_MAX - *got ? UINT64_MAX : *got + reps;
    return true;
}

static bool same_lengths(s7p_lit_cx *c, const s7p_tag_value *o)
{
    for (uint32_t k = 1; c->t.k == LK_RAW && k < o->count; k++)
        if (o->elems[k].v.raw.len != o->elems[0].v.raw.len)
            return s7p_lit_err(c, "value %" PRIu32 " has %zu bytes, value 1 has %zu: all elements "
                               "need the same length", k + 1, o->elems[k].v.raw.len,
                               o->elems[0].v.raw.len);
    return true;
}

static bool parse_array(s7p_lit_cx *c, const char *s, size_t n, s7p_tag_value *o)
{
    uint32_t want = c->tag->count;
    s7p_lit_trim(&s, &n);
    if (n < 2 || s[0] != '[' || s[n - 1] != ']')
        return s7p_lit_err(c, "%s needs a list [v1, v2, ...] of %" PRIu32 " values", c->tname, want);
    o->type = c->tag->type;
    o->count = want;
    o->elems = s7p_calloc(want, sizeof *o->elems);
    if (!o->elems) return s7p_lit_nomem(c);
    for (uint32_t k = 0; k < want; k++) o->elems[k].type = c->tag->type;
    const char *body = s + 1;
    size_t bn = n - 2, pos = 0;
    uint64_t got = 0;
    s7p_lit_trim(&body, &bn);
    while (bn > 0) {
        size_t e = element_end(body + pos, bn - pos);
        const char *el = body + pos;
        size_t en = e;
        s7p_lit_trim(&el, &en);
        if (!array_element(c, el, en, o, &got)) return false;
        if (pos + e >= bn) break;
        pos += e + 1;
    }
    if (got != want)
        return s7p_lit_err(c, "%s needs %" PRIu32 " values, %" PRIu64 " given", c->tname, want, got);
    return same_lengths(c, o);
}

static void name_types(s7p_lit_cx *c, const s7p_tag *tag)
{
    const char *name = s7p_type_name((int)tag->type);
    if (tag->type == S7P_T_STRING || tag->type == S7P_T_WSTRING)
        snprintf(c->ename, sizeof c->ename, "%s[%u]", name, (unsigned)tag->str_max);
    else
        snprintf(c->ename, sizeof c->ename, "%s", name);
    if (tag->count)
        snprintf(c->tname_buf, sizeof c->tname_buf, "Array of %" PRIu32 " %s", tag->count, c->ename);
    else
        snprintf(c->tname_buf, sizeof c->tname_buf, "%s", c->ename);
    c->tname = c->tname_buf;
}

s7p_status s7p_value_parse(const s7p_tag *tag, const char *text, s7p_tag_value *out, char *why,
                           size_t why_len)
{
    if (why && why_len) why[0] = 0;
    if (!out) return S7P_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (!tag || !text) return S7P_E_INVALID_ARG;
    s7p_lit_cx c;
    memset(&c, 0, sizeof c);
    c.tag = tag;
    c.t = s7p_lit_describe((int)tag->type);
    c.err = why;
    c.err_len = why_len;
    name_types(&c, tag);
    bool ok;
    if (c.t.k == LK_NONE) {
        s7p_lit_err(&c, "values of type %s cannot be written", c.tname);
        c.st = S7P_E_UNSUPPORTED;
        ok = false;
    } else if (tag->count) {
        ok = parse_array(&c, text, strlen(text), out);
    } else {
        ok = s7p_lit_parse_scalar(&c, text, strlen(text), out);
    }
    if (ok) return S7P_OK;
    s7p_tag_value_clear(out);
    return c.st ? c.st : S7P_E_INVALID_ARG;
}

/* SPDX-License-Identifier: MIT */
/* Member paths of BEGIN assignments: `a.b[1,2]."c d"` (docs/protocol.md §7). */
#include <string.h>

#include "program/prog_int.h"

static bool parse_index(pctx *c, int64_t *out)
{
    pos at;
    return tia_parse_signed(c, INT64_MAX, INT64_MAX, "index", out, &at);
}

/* A new path segment; NULL (and the out-of-memory error) when the vector cannot grow. */
static seg *push_seg(pctx *c, vec *v)
{
    seg *s = tia_vec_push(v);
    if (!s) tia_oom(c);
    return s;
}

/* "[i, j ...]" after a member name: the indexes of one segment. */
static bool parse_indexes(pctx *c, seg *s)
{
    for (;;) {
        if (s->nidx == S7T_MAX_DIMS) {
            tia_perr(c, tia_lex_peek(c)->at, "at most %d indexes", S7T_MAX_DIMS);
            return false;
        }
        if (!parse_index(c, &s->idx[s->nidx++])) return false;
        tok sep = tia_lex_next(c);
        if (sep.kind == T_RBRACK) return true;
        if (sep.kind != T_COMMA) {
            tia_perr(c, sep.at, "expected ',' or ']' after an index");
            return false;
        }
    }
}

bool tia_parse_path(pctx *c, const seg **segs, size_t *n)
{
    vec v;
    tia_vec_init(&v, sizeof(seg));
    bool ok = false;
    seg *s = push_seg(c, &v);
    if (!s || !tia_parse_name(c, "a member name", &s->name, &s->at)) goto out;
    for (const tok *t = tia_lex_peek(c); t->kind == T_DOT || t->kind == T_LBRACK;
         t = tia_lex_peek(c)) {
        pos at = t->at;
        bool dot = t->kind == T_DOT;
        tia_lex_next(c);
        if (!(s = push_seg(c, &v))) goto out;
        s->at = at;
        if (dot ? !tia_parse_name(c, "a member name after '.'", &s->name, &s->at)
                : !parse_indexes(c, s))
            goto out;
    }
    seg *a = s7p_arena_array(c->arena, v.n, sizeof *a);
    if (!a) {
        tia_oom(c);
        goto out;
    }
    memcpy(a, v.p, v.n * sizeof *a);
    *segs = a;
    *n = v.n;
    ok = true;
out:
    tia_vec_free(&v);
    return ok;
}

/* SPDX-License-Identifier: MIT */
/* Start values in TIA sources: which tokens make a literal, and their conversion to a typed
 * s7t_value through the library's literal parser (s7p_value_parse(), src/values/), so a DB
 * source takes exactly the literals a client writes: TRUE/FALSE; 123, -5, 1_000; 16#FF,
 * 2#1010, 8#17; 1.5, -1.0E-3; 'text' with $-escapes; typed forms PREFIX#body (INT#-5,
 * BYTE#16#99, REAL#1.5, CHAR#'A', WSTRING#'x', T#1D_2H, LT#, S5T#, D#, TOD#, LTOD#, DT#,
 * LDT#, DTL# and their long names). A start value is one literal or a list [a, b, n(c), m()]
 * where n(c) repeats c n times and m() leaves m elements at the type's zero. */
#include <stdio.h>
#include <string.h>

#include "program/prog_int.h"
#include "values/literal.h"

/* The literal's text in the arena: a sign (when given) and the token's raw text. */
static bool lit_text(pctx *c, lit *o, const char *sign, const tok *t)
{
    size_t sn = strlen(sign);
    char *p = s7p_arena_alloc(c->arena, sn + t->n + 1);
    if (!p) return tia_perr(c, t->at, "out of memory");
    memcpy(p, sign, sn);
    memcpy(p + sn, t->p, t->n);
    p[sn + t->n] = '\0';
    o->text = p;
    return true;
}

/* A plain integer (decimal, or 2#/8#/16# without a type name): also its sign and magnitude,
 * for repetition counts and DTL elements. Too large: left to the value parser's message. */
static void classify(lit *o, const tok *t, bool neg)
{
    uint64_t radix = 10;
    const char *digits = t->p;
    size_t n = t->n;
    if (t->kind == T_TYPED) {
        if (s7p_lit_digits(t->s, t->sn, 10, &radix) != 0 || t->body_string) return;
        digits = t->body;
        n = t->bn;
    } else if (t->is_real) {
        return;
    }
    if ((radix != 10 && radix != 16 && radix != 8 && radix != 2) ||
        s7p_lit_digits(digits, n, (unsigned)radix, &o->mag) != 0)
        return;
    o->kind = LIT_INT;
    o->neg = neg;
    o->radix = radix != 10;
}

bool tia_lit_parse(pctx *c, lit *o)
{
    memset(o, 0, sizeof *o);
    tok t = tia_lex_next(c);
    o->at = t.at;
    o->kind = LIT_VALUE;
    switch (t.kind) {
    case T_MINUS:
    case T_PLUS: {
        tok n = tia_lex_next(c);
        if (n.kind != T_NUMBER)
            return tia_perr(c, n.at, "expected a number after '%c'", t.kind == T_MINUS ? '-' : '+');
        classify(o, &n, t.kind == T_MINUS);
        return lit_text(c, o, t.kind == T_MINUS ? "-" : "+", &n);
    }
    case T_NUMBER:
    case T_TYPED:
        classify(o, &t, false);
        return lit_text(c, o, "", &t);
    case T_STRING:
        return lit_text(c, o, "", &t);
    case T_IDENT:
        if (tia_tok_is(&t, "TRUE") || tia_tok_is(&t, "FALSE")) return lit_text(c, o, "", &t);
        return tia_perr(c, t.at, "expected a start value, found '%.*s'", (int)(t.n > 40 ? 40 : t.n), t.p);
    case T_QNAME:
        return tia_perr(c, t.at, "named constants are not supported as start values");
    default:
        return tia_perr(c, t.at, "expected a start value");
    }
}

/* `n(` after a literal in a list: the literal was the count; *l becomes the repeated value. */
static bool repetition(pctx *c, lit *l, uint64_t *r)
{
    if (l->kind != LIT_INT || l->neg || l->radix)
        return tia_perr(c, l->at, "a repetition count must be a positive integer");
    if (l->mag == 0) return tia_perr(c, l->at, "a repetition count must be at least 1");
    *r = l->mag;
    pos count_at = l->at;
    tia_lex_next(c);
    if (tia_lex_peek(c)->kind == T_RPAREN) {
        memset(l, 0, sizeof *l);
        l->kind = LIT_NONE;
        l->at = count_at;
    } else if (!tia_lit_parse(c, l)) {
        return false;
    }
    l->rep_at = count_at;
    if (tia_lex_peek(c)->kind != T_RPAREN)
        return tia_perr(c, tia_lex_peek(c)->at, "expected ')' after a repeated start value");
    tia_lex_next(c);
    return true;
}

/* The items of a list after its '[' up to and with the ']'. */
static bool list_items(pctx *c, vec *items, vec *reps)
{
    for (;;) {
        lit *l = tia_vec_push(items);
        uint64_t *r = tia_vec_push(reps);
        if (!l || !r) return tia_perr(c, tia_lex_peek(c)->at, "out of memory");
        *r = 1;
        if (!tia_lit_parse(c, l)) return false;
        if (tia_lex_peek(c)->kind == T_LPAREN && !repetition(c, l, r)) return false;
        tok sep = tia_lex_next(c);
        if (sep.kind == T_RBRACK) return true;
        if (sep.kind != T_COMMA) return tia_perr(c, sep.at, "expected ',' or ']' in a list of start values");
    }
}

bool tia_init_parse(pctx *c, init *out)
{
    memset(out, 0, sizeof *out);
    const tok *t = tia_lex_peek(c);
    out->at = t->at;
    if (t->kind != T_LBRACK) {
        lit *l = s7p_arena_alloc(c->arena, sizeof *l);
        if (!l) return tia_perr(c, t->at, "out of memory");
        if (!tia_lit_parse(c, l)) return false;
        out->items = l;
        out->n = 1;
        return true;
    }
    tia_lex_next(c);
    out->list = true;
    vec items, reps;
    tia_vec_init(&items, sizeof(lit));
    tia_vec_init(&reps, sizeof(uint64_t));
    bool ok = list_items(c, &items, &reps);
    lit *li = ok ? s7p_arena_array(c->arena, items.n, sizeof(lit)) : NULL;
    uint64_t *ri = ok ? s7p_arena_array(c->arena, reps.n, sizeof(uint64_t)) : NULL;
    if (ok && (!li || !ri)) ok = tia_perr(c, out->at, "out of memory");
    if (ok) {
        memcpy(li, items.p, items.n * sizeof(lit));
        memcpy(ri, reps.p, reps.n * sizeof(uint64_t));
        out->items = li;
        out->reps = ri;
        out->n = items.n;
    }
    tia_vec_free(&items);
    tia_vec_free(&reps);
    return ok;
}

/* ---- conversion -------------------------------------------------------------------------- */

/* The library's value (public units: ns, ns since 1970, UTF-8) in the program's form. */
static bool start_value(pctx *c, const s7t_type *t, const s7p_tag_value *v, s7t_value *out)
{
    switch (t->sdt) {
    case S7T_SDT_BOOL: out->u = v->v.b; return true;
    case S7T_SDT_REAL: out->r = v->v.r; return true;
    case S7T_SDT_LREAL: out->r = v->v.lr; return true;
    case S7T_SDT_DATE: out->u = (uint64_t)(v->v.i / S7P_NS_PER_DAY - S7P_DAYS_1990); return true;
    case S7T_SDT_TOD: out->u = (uint64_t)(v->v.i / S7P_NS_PER_MS); return true;
    case S7T_SDT_LTOD: out->u = (uint64_t)v->v.i; return true;
    case S7T_SDT_TIME: case S7T_SDT_S5TIME: out->i = v->v.i / S7P_NS_PER_MS; return true;
    case S7T_SDT_DTL: s7p_dtl_encode(v->v.i, out->bytes); return true;
    case S7T_SDT_STRING: case S7T_SDT_WSTRING: {
        char *p = tia_arena_strndup(c->arena, v->v.str.p, v->v.str.len);
        if (!p) return false;
        out->text.p = p;
        out->text.n = (uint32_t)v->v.str.len;
        return true;
    }
    default: break;
    }
    if (out->kind == S7T_V_INT) out->i = v->v.i;
    else out->u = v->v.u;
    return true;
}

bool tia_lit_convert(pctx *c, const lit *l, const s7t_type *t, s7t_value *out)
{
    *out = tia_elem_zero(t);
    if (l->kind == LIT_NONE) return true;
    if (t->sdt == S7T_SDT_POINTER || t->sdt == S7T_SDT_ANY)
        return tia_perr(c, l->at, "start values of %s are not supported", t->name);
    s7p_tag tag;
    memset(&tag, 0, sizeof tag);
    tag.type = (s7p_type)t->sdt;
    tag.str_max = t->max_len;
    s7p_tag_value v;
    char why[200];
    s7p_status st = s7p_value_parse(&tag, l->text, &v, why, sizeof why);
    if (st != S7P_OK) return tia_perr(c, l->at, "%s", st == S7P_E_NOMEM ? "out of memory" : why);
    bool ok = start_value(c, t, &v, out);
    s7p_tag_value_clear(&v);
    return ok ? true : tia_perr(c, l->at, "out of memory");
}

bool tia_init_convert(pctx *c, const init *in, const s7t_type *t, s7t_value **out)
{
    if (t->kind == S7T_ELEMENTARY) {
        if (in->list) return tia_perr(c, in->at, "a list of start values needs an Array");
        s7t_value *v = s7p_arena_alloc(c->arena, sizeof *v);
        if (!v) return tia_perr(c, in->at, "out of memory");
        if (!tia_lit_convert(c, &in->items[0], t, v)) return false;
        *out = v;
        return true;
    }
    if (t->kind != S7T_ARRAY || !t->elem || t->elem->kind != S7T_ELEMENTARY)
        return tia_perr(c, in->at, "start values of a Struct or PLC data type are set per member");
    if (!in->list) return tia_perr(c, in->at, "an Array takes a list of start values [a, b, ...]");
    s7t_value *v = s7p_arena_array(c->arena, t->count, sizeof *v);
    if (!v) return tia_perr(c, in->at, "out of memory");
    s7t_value zero = tia_elem_zero(t->elem);
    uint64_t k = 0;
    for (size_t i = 0; i < in->n; i++) {
        const lit *l = &in->items[i];
        if (in->reps[i] > t->count - k)
            return tia_perr(c, in->reps[i] != 1 || l->kind == LIT_NONE ? l->rep_at : l->at,
                            "too many start values (the Array has %llu elements)",
                            (unsigned long long)t->count);
        s7t_value one;
        if (!tia_lit_convert(c, l, t->elem, &one)) return false;
        for (uint64_t r = 0; r < in->reps[i]; r++) v[k++] = one;
    }
    for (; k < t->count; k++) v[k] = zero;
    *out = v;
    return true;
}

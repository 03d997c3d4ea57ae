/* SPDX-License-Identifier: MIT */
/* TIA Portal sources of PLC data types, global and instance data blocks and FB interfaces:
 *
 *   TYPE "Name"  [header]  STRUCT members END_STRUCT[;]  END_TYPE
 *   DATA_BLOCK "Name"  [header]
 *       ( {VAR [RETAIN|NON_RETAIN] members END_VAR} | STRUCT members END_STRUCT[;] | "Udt"
 *         | "Fb" | system FB or type (TON_TIME, IEC_TIMER ...) )
 *   BEGIN  {path := start value;}  END_DATA_BLOCK
 *   FUNCTION_BLOCK "Name"  [header]
 *       { (VAR_INPUT | VAR_OUTPUT | VAR_IN_OUT | VAR | VAR_TEMP | VAR CONSTANT)
 *         [RETAIN|NON_RETAIN] members END_VAR }
 *   [BEGIN code]  END_FUNCTION_BLOCK            (the code is skipped unread)
 *   FUNCTION ... END_FUNCTION, ORGANIZATION_BLOCK ... END_ORGANIZATION_BLOCK: skipped
 *
 *   header:  { Key := 'value'; ... }  TITLE = text  VERSION : 0.1  AUTHOR/FAMILY/NAME : x
 *            NON_RETAIN  RETAIN  READ_ONLY  UNLINKED  KNOW_HOW_PROTECT
 *   member:  name [{attrs}] : type [:= start value] ;  [// comment]
 *   type:    Bool ... DTL | String[n] | WString[n] | "Udt" | Struct members END_STRUCT
 *            | Array[lo..hi, ...] of type
 *
 * Keywords and type names are matched without case. Instance DBs (`DATA_BLOCK "x" "FB"`)
 * parse like DBs of a UDT; resolve.c finds "FB" among the UDTs and FBs.
 *
 * FB interfaces keep what an instance DB holds (docs/protocol.md, "FB interfaces"): VAR_TEMP
 * and VAR CONSTANT are parsed and dropped, and so are parameters that are references to the
 * caller's data: VAR_IN_OUT of a structured type or a string, Variant, Array[*], Block_DB...
 *
 * After an error the parser goes on at the next line that starts a block, so one load
 * reports the errors of every block. */
#include <stdio.h>
#include <string.h>

#include "program/prog_int.h"

bool tia_oom(pctx *c)
{
    c->d->fatal = true;
    return tia_perr(c, c->at, "out of memory (program larger than %zu bytes?)",
                c->lim->max_program_bytes);
}

static bool expect(pctx *c, tok_kind k, const char *msg)
{
    const tok *t = tia_lex_peek(c);
    if (t->kind != k) return tia_perr(c, t->at, "%s", msg);
    tia_lex_next(c);
    return true;
}

static bool expect_kw(pctx *c, const char *kw, const char *msg)
{
    const tok *t = tia_lex_peek(c);
    if (!tia_tok_is(t, kw)) return tia_perr(c, t->at, "%s", msg);
    tia_lex_next(c);
    return true;
}

bool tia_add_slot(pctx *c, const s7t_type **slot)
{
    const s7t_type ***p = tia_vec_push(&c->b->slots);
    if (!p) return tia_oom(c);
    *p = slot;
    return true;
}

static const char *copy(pctx *c, const char *s, size_t n)
{
    char *p = tia_arena_strndup(c->arena, s, n);
    if (!p) tia_oom(c);
    return p;
}

static bool check_name(pctx *c, pos at, const char *s, size_t n)
{
    if (n == 0) return tia_perr(c, at, "empty name");
    if (n > S7T_MAX_NAME) return tia_perr(c, at, "name longer than %d bytes", S7T_MAX_NAME);
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)s[k] < 0x20) return tia_perr(c, at, "control character in name");
    return true;
}

bool tia_parse_name(pctx *c, const char *what, const char **out, pos *at)
{
    tok t = tia_lex_next(c);
    *at = t.at;
    if (t.kind == T_IDENT) {
        if (!check_name(c, t.at, t.p, t.n)) return false;
        return (*out = copy(c, t.p, t.n)) != NULL;
    }
    if (t.kind == T_QNAME) {
        if (!check_name(c, t.at, t.s, t.sn)) return false;
        return (*out = copy(c, t.s, t.sn)) != NULL;
    }
    return tia_perr(c, t.at, "expected %s", what);
}

/* { Key := 'value'; ... } */
static bool parse_attrs(pctx *c, vec *attrs)
{
    tia_lex_next(c);
    for (;;) {
        if (tia_lex_peek(c)->kind == T_RBRACE) {
            tia_lex_next(c);
            return true;
        }
        tok k = tia_lex_next(c);
        if (k.kind != T_IDENT && k.kind != T_QNAME) return tia_perr(c, k.at, "expected an attribute name");
        if (!expect(c, T_ASSIGN, "expected ':=' after the attribute name")) return false;
        tok v = tia_lex_next(c);
        s7t_attr *a = tia_vec_push(attrs);
        if (!a) return tia_oom(c);
        if (!(a->key = k.kind == T_IDENT ? copy(c, k.p, k.n) : copy(c, k.s, k.sn))) return false;
        if (v.kind == T_STRING) a->value = v.s;
        else if (v.kind == T_IDENT || v.kind == T_NUMBER) a->value = copy(c, v.p, v.n);
        else return tia_perr(c, v.at, "expected a quoted attribute value");
        if (!a->value) return false;
        const tok *s = tia_lex_peek(c);
        if (s->kind == T_SEMI) tia_lex_next(c);
        else if (s->kind != T_RBRACE) return tia_perr(c, s->at, "expected ';' or '}' in the attribute list");
    }
}

static bool finish_attrs(pctx *c, vec *v, const s7t_attr **out, size_t *n)
{
    s7t_attr *a = s7p_arena_array(c->arena, v->n, sizeof *a);
    if (!a) return tia_oom(c);
    if (v->n) memcpy(a, v->p, v->n * sizeof *a);
    *out = a;
    *n = v->n;
    return true;
}

typedef struct header {
    vec attrs;
    const char *version, *title, *author, *family, *name;
    bool retain, read_only;
} header;

static void header_init(header *h)
{
    memset(h, 0, sizeof *h);
    tia_vec_init(&h->attrs, sizeof(s7t_attr));
}

static bool parse_header(pctx *c, header *h)
{
    for (;;) {
        const tok *t = tia_lex_peek(c);
        if (t->kind == T_LBRACE) {
            if (!parse_attrs(c, &h->attrs)) return false;
            continue;
        }
        if (tia_tok_is(t, "TITLE")) {
            tia_lex_next(c);
            if (!expect(c, T_EQ, "expected '=' after TITLE")) return false;
            if (!(h->title = tia_lex_rest_of_line(c))) return tia_oom(c);
            continue;
        }
        const char **field = tia_tok_is(t, "VERSION") ? &h->version
                           : tia_tok_is(t, "AUTHOR")  ? &h->author
                           : tia_tok_is(t, "FAMILY")  ? &h->family
                           : tia_tok_is(t, "NAME")    ? &h->name : NULL;
        if (field) {
            tok kw = tia_lex_next(c);
            if (tia_lex_peek(c)->kind != T_COLON)
                return tia_perr(c, tia_lex_peek(c)->at, "expected ':' after %.*s", (int)kw.n, kw.p);
            tia_lex_next(c);
            tok v = tia_lex_next(c);
            if (v.kind == T_IDENT || v.kind == T_NUMBER) *field = copy(c, v.p, v.n);
            else if (v.kind == T_STRING || v.kind == T_QNAME) *field = copy(c, v.s, v.sn);
            else return tia_perr(c, v.at, "expected a value after %.*s :", (int)kw.n, kw.p);
            if (!*field) return false;
            continue;
        }
        if (tia_tok_is(t, "NON_RETAIN")) h->retain = false;
        else if (tia_tok_is(t, "RETAIN")) h->retain = true;
        else if (tia_tok_is(t, "READ_ONLY")) h->read_only = true;
        else if (!tia_tok_is(t, "UNLINKED") && !tia_tok_is(t, "KNOW_HOW_PROTECT")) return true;
        tia_lex_next(c);
    }
}

typedef struct mlist {
    vec m;                        /* s7t_member */
    vec at;                       /* pos of each member's name */
    uint8_t section;              /* members of an FB interface: their s7t_section */
} mlist;

static void mlist_init(mlist *l)
{
    tia_vec_init(&l->m, sizeof(s7t_member));
    tia_vec_init(&l->at, sizeof(pos));
    l->section = S7T_SEC_NONE;
}

static void mlist_free(mlist *l)
{
    tia_vec_free(&l->m);
    tia_vec_free(&l->at);
}

static bool finish_struct(pctx *c, mlist *ml, const s7t_type **out)
{
    size_t n = ml->m.n;
    struct_type *st = s7p_arena_alloc(c->arena, sizeof *st);
    s7t_member *mem = s7p_arena_array(c->arena, n, sizeof *mem);
    const char **names = s7p_arena_array(c->arena, n, sizeof *names);
    if (!st || !mem || !names) return tia_oom(c);
    if (n) memcpy(mem, ml->m.p, n * sizeof *mem);
    for (size_t i = 0; i < n; i++) {
        mem[i].lid = (uint32_t)(i + 1);
        names[i] = mem[i].name;
    }
    size_t dup;
    if (!tia_name_index_build(&st->ix, c->arena, names, n, &dup)) return tia_oom(c);
    if (dup != SIZE_MAX)
        return tia_perr(c, ((const pos *)ml->at.p)[dup], "duplicate member name '%s'", names[dup]);
    for (size_t i = 0; i < n; i++)
        if (mem[i].type->kind == 0 && !tia_add_slot(c, &mem[i].type)) return false;
    st->names = names;
    st->t.kind = S7T_STRUCT;
    st->t.sdt = S7T_SDT_STRUCT;
    st->t.members = mem;
    st->t.nmembers = n;
    *out = &st->t;
    return true;
}

static bool parse_member(pctx *c, unsigned depth, bool retain, mlist *ml);

/* Members up to and including end_kw; depth is the level of the struct they belong to. */
static bool parse_members(pctx *c, unsigned depth, const char *end_kw, bool retain, mlist *ml)
{
    for (;;) {
        const tok *t = tia_lex_peek(c);
        if (tia_tok_is(t, end_kw)) {
            tia_lex_next(c);
            return true;
        }
        if (t->kind == T_ERROR) return false;
        if (t->kind == T_EOF) return tia_perr(c, t->at, "expected %s", end_kw);
        if (!parse_member(c, depth, retain, ml)) return false;
    }
}

/* An integer with an optional sign, magnitude at most max (max_neg when negative); what
 * names it in the messages ("array bound", "index"); *at: where it starts. */
bool tia_parse_signed(pctx *c, uint64_t max, uint64_t max_neg, const char *what, int64_t *out,
                      pos *at)
{
    tok t = tia_lex_next(c);
    *at = t.at;
    bool neg = false;
    if (t.kind == T_MINUS || t.kind == T_PLUS) {
        neg = t.kind == T_MINUS;
        t = tia_lex_next(c);
    }
    uint64_t v;
    if (t.kind != T_NUMBER || t.is_real) return tia_perr(c, t.at, "expected an integer %s", what);
    if (s7p_lit_digits(t.p, t.n, 10, &v) != 0 || v > (neg ? max_neg : max))
        return tia_perr(c, t.at, "%s out of range", what);
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

static bool parse_bound(pctx *c, int64_t *out, pos *at)
{
    return tia_parse_signed(c, INT32_MAX, (uint64_t)INT32_MAX + 1, "array bound", out, at);
}

/* Array[*] or Array[*, *] of type after the '[': an FB parameter that references the
 * caller's array; it stands for a Variant (a reference, not data). */
static bool open_array(pctx *c, unsigned depth, const s7t_type **out)
{
    for (;;) {
        if (!expect(c, T_STAR, "expected '*' in the bounds of Array[*]")) return false;
        tok s = tia_lex_next(c);
        if (s.kind == T_RBRACK) break;
        if (s.kind != T_COMMA) return tia_perr(c, s.at, "expected ',' or ']' in Array[*]");
    }
    if (!expect_kw(c, "of", "expected 'of' after the array bounds")) return false;
    const s7t_type *elem;
    if (!tia_parse_type(c, depth, false, &elem, NULL)) return false;
    *out = tia_elem_type(tia_elem_find("Variant", 7));
    return true;
}

/* Array[lo..hi, ...] of type; the Array keyword is consumed; depth is the array's level. */
static bool parse_array(pctx *c, unsigned depth, const s7t_type **out)
{
    if (!expect(c, T_LBRACK, "expected '[' after Array")) return false;
    if (tia_lex_peek(c)->kind == T_STAR) return open_array(c, depth, out);
    s7t_type *a = s7p_arena_alloc(c->arena, sizeof *a);
    if (!a) return tia_oom(c);
    a->kind = S7T_ARRAY;
    uint64_t count = 1;
    for (;;) {
        if (a->ndims == S7T_MAX_DIMS)
            return tia_perr(c, tia_lex_peek(c)->at, "an Array has at most %d dimensions", S7T_MAX_DIMS);
        int64_t lo, hi;
        pos lo_at, hi_at;
        if (!parse_bound(c, &lo, &lo_at)) return false;
        if (!expect(c, T_DOTDOT, "expected '..' in the array bounds")) return false;
        if (!parse_bound(c, &hi, &hi_at)) return false;
        if (lo > hi)
            return tia_perr(c, lo_at, "array low bound %lld is above the high bound %lld",
                        (long long)lo, (long long)hi);
        uint64_t n = (uint64_t)(hi - lo) + 1;
        count *= n;
        if (count > c->lim->max_db_leaves)
            return tia_perr(c, lo_at, "the Array has more than %llu elements",
                        (unsigned long long)c->lim->max_db_leaves);
        a->dims[a->ndims].lo = (int32_t)lo;
        a->dims[a->ndims].count = (uint32_t)n;
        a->ndims++;
        tok s = tia_lex_next(c);
        if (s.kind == T_RBRACK) break;
        if (s.kind != T_COMMA) return tia_perr(c, s.at, "expected ',' or ']' in the array bounds");
    }
    if (!expect_kw(c, "of", "expected 'of' after the array bounds")) return false;
    pos et = tia_lex_peek(c)->at;
    if (!tia_parse_type(c, depth, false, &a->elem, NULL)) return false;
    if (a->elem->kind == S7T_ARRAY)
        return tia_perr(c, et, "an Array of Array is not supported (use Array[a..b, c..d])");
    a->count = count;
    if (a->elem->kind == 0) {
        a->sdt = S7T_SDT_STRUCT;
        if (!tia_add_slot(c, &a->elem)) return false;
    } else {
        a->sdt = a->elem->sdt;
    }
    *out = a;
    return true;
}

/* A reference to the PLC data type `name`, resolved after parsing. */
static bool udt_ref_to(pctx *c, const char *name, size_t n, const tok *t, const s7t_type **out)
{
    udt_ref *r = s7p_arena_alloc(c->arena, sizeof *r);
    if (!r) return tia_oom(c);
    if (!(r->name = copy(c, name, n))) return false;
    r->file = c->file;
    r->at = t->at;
    *out = &r->t;
    return true;
}

/* "Udt name": a reference resolved after parsing, unless it names a system data type. */
static bool udt_type(pctx *c, const tok *t, bool tags, const s7t_type **out)
{
    if (tags) return tia_perr(c, t->at, "tag tables hold elementary types only");
    if (!check_name(c, t->at, t->s, t->sn)) return false;
    bool known;
    if ((*out = tia_system_type(c, t->s, t->sn, t->at, &known)) != NULL || known) return known && *out;
    return udt_ref_to(c, t->s, t->sn, t, out);
}

/* Array[..] of ..., or Struct ... END_STRUCT (its trailing comment into *comment). */
static bool nested_type(pctx *c, const tok *t, unsigned depth, bool tags, const s7t_type **out,
                        const char **comment)
{
    if (tags) return tia_perr(c, t->at, "tag tables hold elementary types only");
    if (depth + 1 > c->lim->max_depth)
        return tia_perr(c, t->at, "nesting deeper than %u levels", c->lim->max_depth);
    if (tia_tok_is(t, "Array")) return parse_array(c, depth + 1, out);
    if (comment) {
        const tok *n = tia_lex_peek(c);
        if (n->kind != T_ERROR && n->comment && !(*comment = copy(c, n->comment, n->cn)))
            return false;
    }
    mlist ml;
    mlist_init(&ml);
    bool ok = parse_members(c, depth + 1, "END_STRUCT", false, &ml) && finish_struct(c, &ml, out);
    mlist_free(&ml);
    return ok;
}

/* [n] after String or WString: its maximum length. */
static bool string_length(pctx *c, const elem_info *e, const s7t_type **out)
{
    tia_lex_next(c);
    tok n = tia_lex_next(c);
    unsigned max = e->sdt == S7T_SDT_STRING ? 254 : 16382;
    uint64_t len;
    if (n.kind != T_NUMBER || n.is_real || s7p_lit_digits(n.p, n.n, 10, &len) != 0)
        return tia_perr(c, n.at, "expected the maximum length of the %s", e->name);
    if (len < 1 || len > max) return tia_perr(c, n.at, "%s length must be 1..%u", e->name, max);
    if (!expect(c, T_RBRACK, "expected ']' after the string length")) return false;
    s7t_type *st = s7p_arena_alloc(c->arena, sizeof *st);
    if (!st) return tia_oom(c);
    *st = *tia_elem_type(e);
    st->max_len = (uint16_t)len;
    *out = st;
    return true;
}

bool tia_parse_type(pctx *c, unsigned depth, bool tags, const s7t_type **out, const char **comment)
{
    tok t = tia_lex_next(c);
    if (t.kind == T_QNAME) return udt_type(c, &t, tags, out);
    if (t.kind != T_IDENT) return tia_perr(c, t.at, "expected a data type");
    if (tia_tok_is(&t, "Array") || tia_tok_is(&t, "Struct"))
        return nested_type(c, &t, depth, tags, out, comment);
    const elem_info *e = tia_elem_find(t.p, t.n);
    if (!e) {
        bool known;
        if (!tags && ((*out = tia_system_type(c, t.p, t.n, t.at, &known)) != NULL || known))
            return *out != NULL;
        const char *sdt_name;
        if (!tags && tia_sdt_find(t.p, t.n, &sdt_name))  /* TCON_IP_v4 ...: loaded on demand */
            return udt_ref_to(c, sdt_name, strlen(sdt_name), &t, out);
        return tia_perr(c, t.at, "unknown data type '%.*s'", (int)(t.n > 64 ? 64 : t.n), t.p);
    }
    if (tags && !e->tag_ok) return tia_perr(c, t.at, "%s is not allowed in a tag table", e->name);
    *out = tia_elem_type(e);
    if ((e->sdt != S7T_SDT_STRING && e->sdt != S7T_SDT_WSTRING) || tia_lex_peek(c)->kind != T_LBRACK)
        return true;
    return string_length(c, e, out);
}

/* A reference type (Variant, Block_DB, Array[*]), also as an array's element. */
static bool is_reference(const s7t_type *t)
{
    const elem_info *e = tia_elem_info_of(t->kind == S7T_ARRAY ? t->elem : t);
    return e && e->ref_only;
}

/* Whether an FB keeps a parameter in its instance data: VAR_IN_OUT holds elementary values
 * (copied in and out by the call) but only a reference to anything larger. */
static bool held_in_instance(const s7t_member *m, uint8_t section)
{
    if (is_reference(m->type)) return false;
    if (section != S7T_SEC_INOUT) return true;
    const s7t_type *t = m->type;
    return t->kind == S7T_ELEMENTARY && t->sdt != S7T_SDT_STRING && t->sdt != S7T_SDT_WSTRING &&
           t->sdt != S7T_SDT_POINTER && t->sdt != S7T_SDT_ANY;
}

static bool parse_member(pctx *c, unsigned depth, bool retain, mlist *ml)
{
    s7t_member *m = tia_vec_push(&ml->m);
    pos *mp = tia_vec_push(&ml->at);
    if (!m || !mp) return tia_oom(c);
    if (!tia_parse_name(c, "a member name", &m->name, mp)) return false;
    m->line = mp->line;
    m->retain = retain;
    vec attrs;
    tia_vec_init(&attrs, sizeof(s7t_attr));
    const char *comment = NULL;
    bool ok = false;
    if (tia_lex_peek(c)->kind == T_LBRACE && !parse_attrs(c, &attrs)) goto out;
    if (!expect(c, T_COLON, "expected ':' after member name")) goto out;
    if (tia_lex_peek(c)->kind == T_LBRACE && !parse_attrs(c, &attrs)) goto out;
    /* nested parses push to their own lists, so m stays valid */
    pos type_at = tia_lex_peek(c)->at;
    if (!tia_parse_type(c, depth, false, &m->type, &comment)) goto out;
    if (ml->section == S7T_SEC_NONE && is_reference(m->type)) {
        tia_perr(c, type_at, "a reference (Variant, Array[*], Block_DB ...) is only allowed as "
                 "an FB parameter");
        goto out;
    }
    m->section = ml->section;
    if (tia_lex_peek(c)->kind == T_ASSIGN) {
        tia_lex_next(c);
        init in;
        s7t_value *start;
        if (!tia_init_parse(c, &in)) goto out;
        if (m->type->kind == 0) {
            tia_perr(c, in.at, "start values of a PLC data type are set per member");
            goto out;
        }
        if (!tia_init_convert(c, &in, m->type, &start)) goto out;
        m->start = start;
    }
    const tok *t = tia_lex_peek(c);
    if (t->kind != T_SEMI) {
        tia_perr(c, t->at, "expected ';' after the declaration of '%s'", m->name);
        goto out;
    }
    tia_lex_next(c);
    t = tia_lex_peek(c);
    if (!comment && t->kind != T_ERROR && t->comment && !(comment = copy(c, t->comment, t->cn)))
        goto out;
    m->comment = comment ? comment : "";
    ok = finish_attrs(c, &attrs, &m->attrs, &m->nattrs);
    if (ok && ml->section != S7T_SEC_NONE && !held_in_instance(m, ml->section)) {
        ml->m.n--;  /* parsed, but not part of the instance data */
        ml->at.n--;
    }
out:
    tia_vec_free(&attrs);
    return ok;
}

static bool push_ptr(pctx *c, vec *v, void *p)
{
    void **slot = tia_vec_push(v);
    if (!slot) return tia_oom(c);
    *slot = p;
    return true;
}

/* The start of a UDT or FB source: its keyword (already peeked) and its name. */
static udt_build *start_udt(pctx *c, const char *what)
{
    tia_lex_next(c);
    udt_build *u = s7p_arena_alloc(c->arena, sizeof *u);
    if (!u) {
        tia_oom(c);
        return NULL;
    }
    if (!tia_parse_name(c, what, &u->u.name, &u->at)) return NULL;
    u->u.file = c->file;
    u->u.line = u->at.line;
    return u;
}

/* The end of a UDT or FB source: its end keyword, the header's attributes and texts, and the
 * type registered under the block's name. */
static bool finish_udt(pctx *c, udt_build *u, header *h, bool ok, const char *end_kw)
{
    char msg[40];
    snprintf(msg, sizeof msg, "expected %s", end_kw);
    ok = ok && expect_kw(c, end_kw, msg) && finish_attrs(c, &h->attrs, &u->u.attrs, &u->u.nattrs);
    tia_vec_free(&h->attrs);
    if (!ok) return false;
    u->u.version = h->version ? h->version : "";
    u->u.title = h->title ? h->title : "";
    struct_type *st = (struct_type *)(void *)u->u.type;
    st->t.name = u->u.name;
    st->t.udt = &u->u;
    return push_ptr(c, &c->b->udts, u);
}

static bool parse_udt(pctx *c)
{
    udt_build *u = start_udt(c, "the name of the PLC data type");
    if (!u) return false;
    header h;
    header_init(&h);
    mlist ml;
    mlist_init(&ml);
    bool ok = parse_header(c, &h) && expect_kw(c, "STRUCT", "expected STRUCT") &&
              parse_members(c, 1, "END_STRUCT", false, &ml) && finish_struct(c, &ml, &u->u.type);
    mlist_free(&ml);
    if (ok && tia_lex_peek(c)->kind == T_SEMI) tia_lex_next(c);
    return finish_udt(c, u, &h, ok, "END_TYPE");
}

static bool parse_begin(pctx *c, db_build *d)
{
    if (!expect_kw(c, "BEGIN", "expected BEGIN")) return false;
    vec as;
    tia_vec_init(&as, sizeof(assign));
    bool ok = false;
    for (;;) {
        const tok *t = tia_lex_peek(c);
        if (tia_tok_is(t, "END_DATA_BLOCK")) {
            tia_lex_next(c);
            break;
        }
        if (t->kind == T_ERROR) goto out;
        if (t->kind == T_EOF) {
            tia_perr(c, t->at, "expected END_DATA_BLOCK");
            goto out;
        }
        assign *a = tia_vec_push(&as);
        if (!a) {
            tia_oom(c);
            goto out;
        }
        a->at = t->at;
        if (!tia_parse_path(c, &a->segs, &a->nsegs)) goto out;
        if (!expect(c, T_ASSIGN, "expected ':=' after the name in the BEGIN section")) goto out;
        if (!tia_init_parse(c, &a->val)) goto out;
        if (!expect(c, T_SEMI, "expected ';' after the start value")) goto out;
    }
    assign *a = s7p_arena_array(c->arena, as.n, sizeof *a);
    if (!a) {
        tia_oom(c);
        goto out;
    }
    if (as.n) memcpy(a, as.p, as.n * sizeof *a);
    d->assigns = a;
    d->nassigns = as.n;
    ok = true;
out:
    tia_vec_free(&as);
    return ok;
}

static bool parse_db_body(pctx *c, db_build *d, bool retain)
{
    const tok *t = tia_lex_peek(c);
    mlist ml;
    mlist_init(&ml);
    bool ok = false;
    if (tia_tok_is(t, "VAR")) {
        while (tia_tok_is(tia_lex_peek(c), "VAR")) {
            tia_lex_next(c);
            bool r = retain;
            const tok *q = tia_lex_peek(c);
            if (tia_tok_is(q, "RETAIN") || tia_tok_is(q, "NON_RETAIN")) {
                r = tia_tok_is(q, "RETAIN");
                tia_lex_next(c);
            } else if (tia_tok_is(q, "CONSTANT")) {
                tia_perr(c, q->at, "VAR CONSTANT is not allowed in a data block");
                goto out;
            }
            if (!parse_members(c, 1, "END_VAR", r, &ml)) goto out;
        }
        ok = finish_struct(c, &ml, &d->db.type);
    } else if (tia_tok_is(t, "STRUCT")) {
        tia_lex_next(c);
        ok = parse_members(c, 1, "END_STRUCT", retain, &ml) && finish_struct(c, &ml, &d->db.type);
        if (ok && tia_lex_peek(c)->kind == T_SEMI) tia_lex_next(c);
    } else if (t->kind == T_QNAME || (t->kind == T_IDENT && !tia_tok_is(t, "BEGIN"))) {
        /* "Udt", "Fb", or a system FB / type: TON_TIME, IEC_TIMER, "IEC_TIMER" */
        pos at = t->at;
        ok = tia_parse_type(c, 0, false, &d->db.type, NULL);
        if (ok && d->db.type->kind == 0) d->typed_by = (udt_ref *)(void *)d->db.type;
        else if (ok && !s7t_is_system_type(d->db.type))
            ok = tia_perr(c, at, "expected VAR, STRUCT, a PLC data type or an FB");
    } else if (t->kind != T_ERROR) {
        tia_perr(c, t->at, "expected VAR, STRUCT or the name of a PLC data type");
    }
out:
    mlist_free(&ml);
    return ok;
}

static bool parse_db(pctx *c)
{
    tia_lex_next(c);
    db_build *d = s7p_arena_alloc(c->arena, sizeof *d);
    if (!d) return tia_oom(c);
    d->order = c->b->dbs.n;
    if (!tia_parse_name(c, "the name of the data block", &d->db.name, &d->at)) return false;
    d->db.file = c->file;
    d->db.line = d->at.line;
    header h;
    header_init(&h);
    bool ok = parse_header(c, &h) && parse_db_body(c, d, h.retain) && parse_begin(c, d) &&
              finish_attrs(c, &h.attrs, &d->db.attrs, &d->db.nattrs);
    tia_vec_free(&h.attrs);
    if (!ok) return false;
    d->db.retain = h.retain;
    d->db.read_only = h.read_only;
    d->db.version = h.version ? h.version : "";
    d->db.title = h.title ? h.title : "";
    d->db.author = h.author ? h.author : "";
    d->db.family = h.family ? h.family : "";
    d->db.optimized = true;
    for (size_t i = 0; i < d->db.nattrs; i++)
        if (tia_name_eq(d->db.attrs[i].key, "S7_Optimized_Access"))
            d->db.optimized = !tia_name_eq(d->db.attrs[i].value, "FALSE");
    return push_ptr(c, &c->b->dbs, d);
}

/* One section of an FB interface: VAR_INPUT ... END_VAR. The section keyword is next. */
static bool parse_fb_section(pctx *c, bool retain, mlist *ml)
{
    tok kw = tia_lex_next(c);
    uint8_t sec = tia_tok_is(&kw, "VAR_INPUT") ? S7T_SEC_INPUT
                : tia_tok_is(&kw, "VAR_OUTPUT") ? S7T_SEC_OUTPUT
                : tia_tok_is(&kw, "VAR_IN_OUT") ? S7T_SEC_INOUT : S7T_SEC_STATIC;
    bool keep = !tia_tok_is(&kw, "VAR_TEMP");
    const tok *q = tia_lex_peek(c);  /* one qualifier may follow the keyword */
    bool retain_kw = tia_tok_is(q, "RETAIN") || tia_tok_is(q, "NON_RETAIN");
    if (retain_kw) retain = tia_tok_is(q, "RETAIN");
    if (tia_tok_is(q, "CONSTANT")) keep = false;
    if (retain_kw || tia_tok_is(q, "CONSTANT") || tia_tok_is(q, "DB_SPECIFIC")) tia_lex_next(c);
    if (keep) {
        ml->section = sec;
        return parse_members(c, 1, "END_VAR", retain, ml);
    }
    mlist dropped;  /* parsed for the errors it may have, then forgotten */
    mlist_init(&dropped);
    dropped.section = S7T_SEC_STATIC;
    bool ok = parse_members(c, 1, "END_VAR", false, &dropped);
    mlist_free(&dropped);
    return ok;
}

static bool is_fb_section(const tok *t)
{
    return tia_tok_is(t, "VAR_INPUT") || tia_tok_is(t, "VAR_OUTPUT") ||
           tia_tok_is(t, "VAR_IN_OUT") || tia_tok_is(t, "VAR") || tia_tok_is(t, "VAR_TEMP");
}

static const char *const end_fb[] = {"END_FUNCTION_BLOCK", NULL};

/* FUNCTION_BLOCK "Name" header sections [BEGIN code] END_FUNCTION_BLOCK: its interface. */
static bool parse_fb(pctx *c)
{
    udt_build *u = start_udt(c, "the name of the function block");
    if (!u) return false;
    u->u.fb = true;
    header h;
    header_init(&h);
    mlist ml;
    mlist_init(&ml);
    bool ok = parse_header(c, &h);
    while (ok && is_fb_section(tia_lex_peek(c))) ok = parse_fb_section(c, h.retain, &ml);
    ok = ok && finish_struct(c, &ml, &u->u.type);
    mlist_free(&ml);
    if (ok && tia_tok_is(tia_lex_peek(c), "BEGIN")) {
        if (!tia_lex_skip_to_line(c, end_fb)) ok = tia_perr(c, c->at, "expected END_FUNCTION_BLOCK");
    }
    return finish_udt(c, u, &h, ok, "END_FUNCTION_BLOCK");
}

/* FUNCTION and ORGANIZATION_BLOCK hold no data a client reads: skipped to their end. */
static bool skip_block(pctx *c, const char *end_kw)
{
    tok kw = tia_lex_next(c);
    const char *const kws[] = {end_kw, NULL};
    if (!tia_lex_skip_to_line(c, kws))
        return tia_perr(c, kw.at, "%.*s without %s", (int)kw.n, kw.p, end_kw);
    tia_lex_next(c);
    return true;
}

static const char *const block_starts[] = {"TYPE", "DATA_BLOCK", "FUNCTION_BLOCK", "FUNCTION",
                                           "ORGANIZATION_BLOCK", NULL};

static bool parse_block(pctx *c, const tok *t)
{
    if (tia_tok_is(t, "TYPE")) return parse_udt(c);
    if (tia_tok_is(t, "DATA_BLOCK")) return parse_db(c);
    if (tia_tok_is(t, "FUNCTION_BLOCK")) return parse_fb(c);
    if (tia_tok_is(t, "FUNCTION")) return skip_block(c, "END_FUNCTION");
    if (tia_tok_is(t, "ORGANIZATION_BLOCK")) return skip_block(c, "END_ORGANIZATION_BLOCK");
    if (t->kind == T_ERROR) return false;
    return tia_perr(c, t->at, "expected TYPE, DATA_BLOCK or FUNCTION_BLOCK");
}

bool tia_parse_tia(pctx *c)
{
    bool all_ok = true;
    for (;;) {
        const tok *t = tia_lex_peek(c);
        if (t->kind == T_EOF) return all_ok;
        if (parse_block(c, t)) continue;
        /* The error is recorded; the next block may still show errors of its own. */
        all_ok = false;
        if (c->d->fatal) return false;
        *c->failed = false;
        if (!tia_lex_skip_to_line(c, block_starts)) return false;
    }
}

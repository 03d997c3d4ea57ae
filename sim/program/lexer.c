/* SPDX-License-Identifier: MIT */
/* Tokens of TIA sources and tag tables. Comments: `// ...` to the end of the line,
 * `(* ... *)` and `/ * ... * /` (not nested). A `//` comment that starts on the line where
 * the previous token ended is handed to the parser with the next token (tok.comment): that
 * is how a member's trailing comment is found. Positions count lines and UTF-8 characters
 * from 1. */
#include <stdio.h>
#include <string.h>

#include "program/prog_int.h"
#include "util/utf8.h"

static int ch(const pctx *c, size_t k)
{
    return c->i + k < c->len ? (unsigned char)c->src[c->i + k] : -1;
}

static void adv(pctx *c)
{
    unsigned char b = (unsigned char)c->src[c->i++];
    if (b == '\n') {
        c->at.line++;
        c->at.col = 1;
    } else if ((b & 0xC0) != 0x80) {
        c->at.col++;
    }
}

static bool is_alpha(int b) { return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_'; }
static bool is_digit(int b) { return b >= '0' && b <= '9'; }

void tia_lex_init(pctx *c, const char *src, size_t len)
{
    c->src = src;
    c->len = len;
    c->i = 0;
    c->at.line = 1;
    c->at.col = 1;
    c->prev_line = 1;
    c->has_la = false;
    if (len >= 3 && (unsigned char)src[0] == 0xEF && (unsigned char)src[1] == 0xBB &&
        (unsigned char)src[2] == 0xBF)
        c->i = 3;
}

static tok error_tok(pctx *c, pos at)
{
    tok t;
    memset(&t, 0, sizeof t);
    t.kind = T_ERROR;
    t.at = at;
    (void)c;
    return t;
}

static void skip_blanks(pctx *c)
{
    while (ch(c, 0) == ' ' || ch(c, 0) == '\t') adv(c);
}

/* The rest of the line from the cursor, without trailing blanks; the cursor ends before the
 * line break. */
static void rest_of_line(pctx *c, size_t *start, size_t *end)
{
    skip_blanks(c);
    *start = c->i;
    while (ch(c, 0) != -1 && ch(c, 0) != '\n') adv(c);
    *end = c->i;
    while (*end > *start && (c->src[*end - 1] == ' ' || c->src[*end - 1] == '\t' ||
                             c->src[*end - 1] == '\r'))
        (*end)--;
}

/* `// ...`: handed to the next token when it trails the previous token's line. */
static void skip_line_comment(pctx *c, tok *t)
{
    uint32_t line = c->at.line;
    size_t start, end;
    adv(c);
    adv(c);
    rest_of_line(c, &start, &end);
    if (line == c->prev_line && !t->comment) {
        t->comment = c->src + start;
        t->cn = end - start;
    }
}

/* `(* ... *)` or `/ * ... * /`, not nested. */
static bool skip_block_comment(pctx *c, int close)
{
    pos at = c->at;
    adv(c);
    adv(c);
    while (!(ch(c, 0) == '*' && ch(c, 1) == close)) {
        if (ch(c, 0) == -1) return tia_perr(c, at, "unterminated comment");
        adv(c);
    }
    adv(c);
    adv(c);
    return true;
}

static bool is_space(int b) { return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\f' || b == '\v'; }

/* Skips white space and comments; remembers a trailing `//` comment of the previous line. */
static bool skip_space(pctx *c, tok *t)
{
    for (;;) {
        int b = ch(c, 0), b1 = ch(c, 1);
        if (is_space(b)) adv(c);
        else if (b == '/' && b1 == '/') skip_line_comment(c, t);
        else if ((b == '(' || b == '/') && b1 == '*') {
            if (!skip_block_comment(c, b == '(' ? ')' : '/')) return false;
        } else return true;
    }
}

/* A valid UTF-8 sequence at the cursor, or an error. Returns its length (0 on error). */
static size_t utf8_at(pctx *c)
{
    uint32_t cp;
    size_t k = s7p_utf8_next(c->src + c->i, c->len - c->i, &cp);
    if (!k) tia_perr(c, c->at, "invalid UTF-8");
    return k;
}

/* Moves over one UTF-8 character; false (error set) when it is not valid UTF-8. */
static bool adv_char(pctx *c)
{
    size_t k = utf8_at(c);
    for (size_t j = 0; j < k; j++) adv(c);
    return k != 0;
}

static int hexval(int b)
{
    if (b >= '0' && b <= '9') return b - '0';
    if (b >= 'A' && b <= 'F') return b - 'A' + 10;
    if (b >= 'a' && b <= 'f') return b - 'a' + 10;
    return -1;
}

/* The character a one-letter $-escape stands for (any case), -1 for none. */
static int simple_escape(int e)
{
    static const char map[][2] = {{'$', '$'}, {'\'', '\''}, {'"', '"'}, {'L', '\n'}, {'N', '\n'},
                                  {'P', '\f'}, {'R', '\r'}, {'T', '\t'}};
    int up = e >= 'a' && e <= 'z' ? e - 32 : e;
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (up == map[k][0]) return map[k][1];
    return -1;
}

/* The escape at the cursor ('$'), decoded into out. */
static bool lex_escape(pctx *c, char *out, size_t *o)
{
    pos eat = c->at;
    int e = ch(c, 1), simple = simple_escape(e);
    adv(c);
    if (simple >= 0) {
        out[(*o)++] = (char)simple;
        adv(c);
        return true;
    }
    if (hexval(e) >= 0 && hexval(ch(c, 1)) >= 0) {
        uint32_t cp = (uint32_t)(hexval(e) * 16 + hexval(ch(c, 1)));
        adv(c);
        adv(c);
        *o += s7p_utf8_put(out + *o, cp);
        return true;
    }
    if (e > 32 && e < 127) return tia_perr(c, eat, "invalid escape '$%c' in string", e);
    return tia_perr(c, eat, "invalid escape in string");
}

/* One UTF-8 character at the cursor, copied into out. */
static bool copy_char(pctx *c, char *out, size_t *o)
{
    size_t k = utf8_at(c);
    for (size_t j = 0; j < k; j++) {
        out[(*o)++] = c->src[c->i];
        adv(c);
    }
    return k != 0;
}

/* Bytes a string's decoded text can take at most: its raw length up to the closing quote
 * (an escape never decodes to more bytes than it is written with). */
static size_t raw_string_len(const pctx *c, size_t start)
{
    size_t raw = 0;
    for (size_t k = start; k < c->len && c->src[k] != '\'' && c->src[k] != '\n'; k++) {
        if (c->src[k] == '$' && k + 1 < c->len && c->src[k + 1] != '\n') k++;
        raw = k + 1 - start;
    }
    return raw;
}

/* '...' with $-escapes, decoded into the arena. The cursor is on the opening quote. */
static bool lex_string(pctx *c, const char **s, size_t *sn)
{
    pos at = c->at;
    adv(c);
    char *out = s7p_arena_alloc(c->arena, raw_string_len(c, c->i) + 1);
    if (!out) return tia_perr(c, at, "out of memory");
    size_t o = 0;
    for (int b = ch(c, 0); b != '\''; b = ch(c, 0)) {
        if (b == -1 || b == '\n' || b == '\r') return tia_perr(c, at, "unterminated string");
        if (b == '$' ? !lex_escape(c, out, &o) : !copy_char(c, out, &o)) return false;
    }
    adv(c);
    out[o] = '\0';
    *s = out;
    *sn = o;
    return true;
}

static bool body_char(int b)
{
    return is_alpha(b) || is_digit(b) || b == '.' || b == ':' || b == '+' || b == '-' ||
           b == '#';
}

static size_t since(const pctx *c, const char *p) { return (size_t)(c->src + c->i - p); }

/* The body of `NAME#...`: a quoted string, or the characters a literal can hold. */
static bool typed_body(pctx *c, tok *t)
{
    adv(c);
    if (ch(c, 0) == '\'') {
        t->body_string = true;
        if (!lex_string(c, &t->body, &t->bn)) return false;
    } else {
        t->body = c->src + c->i;
        while (body_char(ch(c, 0))) adv(c);
        t->bn = since(c, t->body);
        if (!t->bn)
            return tia_perr(c, t->at, "expected a value after '%.*s#'", (int)(t->sn > 32 ? 32 : t->sn), t->s);
    }
    t->n = since(c, t->p);
    return true;
}

/* A name, or a typed literal `NAME#...`. */
static bool lex_word(pctx *c, tok *t)
{
    for (int b = ch(c, 0); is_alpha(b) || is_digit(b) || b >= 0x80; b = ch(c, 0)) {
        if (b < 0x80) adv(c);
        else if (!adv_char(c)) return false;
    }
    t->n = since(c, t->p);
    t->kind = T_IDENT;
    if (ch(c, 0) != '#') return true;
    t->kind = T_TYPED;
    t->s = t->p;
    t->sn = t->n;
    return typed_body(c, t);
}

/* Digits, '_' and an optional exponent of a real number. */
static void lex_fraction(pctx *c, tok *t)
{
    if (ch(c, 0) == '.' && is_digit(ch(c, 1))) {
        t->is_real = true;
        adv(c);
        while (is_digit(ch(c, 0)) || ch(c, 0) == '_') adv(c);
    }
    int e = ch(c, 0), e1 = ch(c, 1);
    if ((e == 'e' || e == 'E') && (is_digit(e1) || ((e1 == '+' || e1 == '-') && is_digit(ch(c, 2))))) {
        t->is_real = true;
        adv(c);
        adv(c);
        while (is_digit(ch(c, 0))) adv(c);
    }
}

/* A number, or a radix literal `16#FF`. */
static bool lex_number(pctx *c, tok *t)
{
    while (is_digit(ch(c, 0)) || ch(c, 0) == '_') adv(c);
    if (ch(c, 0) != '#') {
        lex_fraction(c, t);
        t->kind = T_NUMBER;
        t->n = since(c, t->p);
        return true;
    }
    t->kind = T_TYPED;
    t->s = t->p;
    t->sn = since(c, t->p);
    adv(c);
    t->body = c->src + c->i;
    while (is_alpha(ch(c, 0)) || is_digit(ch(c, 0))) adv(c);
    t->bn = since(c, t->body);
    t->n = since(c, t->p);
    if (!t->bn) return tia_perr(c, t->at, "expected digits after '%.*s#'", (int)(t->sn > 32 ? 32 : t->sn), t->s);
    return true;
}

/* "a quoted name". */
static bool lex_qname(pctx *c, tok *t)
{
    adv(c);
    const char *s = c->src + c->i;
    for (int e = ch(c, 0); e != '"'; e = ch(c, 0)) {
        if (e == -1 || e == '\n' || e == '\r') return tia_perr(c, t->at, "unterminated quoted name");
        if (!adv_char(c)) return false;
    }
    t->kind = T_QNAME;
    t->s = s;
    t->sn = since(c, s);
    adv(c);
    t->n = since(c, t->p);
    return true;
}

static bool lex_quoted(pctx *c, tok *t)
{
    t->kind = T_STRING;
    if (!lex_string(c, &t->s, &t->sn)) return false;
    t->n = since(c, t->p);
    return true;
}

/* %MW10, %I0.0:P: the text after the '%'. */
static bool lex_addr(pctx *c, tok *t)
{
    adv(c);
    t->p = c->src + c->i;
    for (int b = ch(c, 0); is_alpha(b) || is_digit(b) || b == '.' || b == ':'; b = ch(c, 0)) adv(c);
    t->n = since(c, t->p);
    t->kind = T_ADDR;
    return true;
}

static bool lex_punct(pctx *c, tok *t)
{
    static const struct { char c1, c2; tok_kind k; } punct[] = {
        {':', '=', T_ASSIGN}, {'.', '.', T_DOTDOT}, {':', 0, T_COLON}, {';', 0, T_SEMI},
        {',', 0, T_COMMA}, {'.', 0, T_DOT}, {'[', 0, T_LBRACK}, {']', 0, T_RBRACK},
        {'(', 0, T_LPAREN}, {')', 0, T_RPAREN}, {'{', 0, T_LBRACE}, {'}', 0, T_RBRACE},
        {'=', 0, T_EQ}, {'-', 0, T_MINUS}, {'+', 0, T_PLUS}, {'@', 0, T_AT},
        {'*', 0, T_STAR},
    };
    int b = ch(c, 0);
    for (size_t k = 0; k < sizeof punct / sizeof punct[0]; k++) {
        if (b == punct[k].c1 && (!punct[k].c2 || ch(c, 1) == punct[k].c2)) {
            adv(c);
            if (punct[k].c2) adv(c);
            t->kind = punct[k].k;
            t->n = punct[k].c2 ? 2 : 1;
            return true;
        }
    }
    if (b > 32 && b < 127) return tia_perr(c, t->at, "unexpected character '%c'", b);
    return tia_perr(c, t->at, "unexpected byte 0x%02X", (unsigned)b);
}

/* The token kind a first byte starts. */
static bool (*lexer_for(int b))(pctx *, tok *)
{
    if (is_alpha(b) || b >= 0x80) return lex_word;
    if (is_digit(b)) return lex_number;
    if (b == '"') return lex_qname;
    if (b == '\'') return lex_quoted;
    if (b == '%') return lex_addr;
    return lex_punct;
}

static tok lex_one(pctx *c)
{
    tok t;
    memset(&t, 0, sizeof t);
    if (!skip_space(c, &t)) return error_tok(c, c->at);
    t.at = c->at;
    t.p = c->src + c->i;
    int b = ch(c, 0);
    if (b == -1) {
        t.kind = T_EOF;
        return t;
    }
    pos at = t.at;
    if (!lexer_for(b)(c, &t)) return error_tok(c, at);
    return t;
}

const tok *tia_lex_peek(pctx *c)
{
    if (!c->has_la) {
        c->la = *c->failed ? error_tok(c, c->at) : lex_one(c);
        c->has_la = true;
    }
    return &c->la;
}

tok tia_lex_next(pctx *c)
{
    tia_lex_peek(c);
    c->has_la = false;
    if (c->la.kind != T_ERROR) c->prev_line = c->at.line;
    return c->la;
}

const char *tia_lex_rest_of_line(pctx *c)
{
    size_t start, end;
    rest_of_line(c, &start, &end);
    c->prev_line = c->at.line;
    return tia_arena_strndup(c->arena, c->src + start, end - start);
}

bool tia_tok_is(const tok *t, const char *kw)
{
    if (t->kind != T_IDENT) return false;
    size_t k = 0;
    for (; k < t->n; k++) {
        unsigned char a = (unsigned char)t->p[k], b = (unsigned char)kw[k];
        if (!b) return false;
        if (a >= 'a' && a <= 'z') a = (unsigned char)(a - 32);
        if (b >= 'a' && b <= 'z') b = (unsigned char)(b - 32);
        if (a != b) return false;
    }
    return kw[k] == '\0';
}

/* ---- raw scanning ---- */

/* The word at the cursor equals one of kws (any case) and ends there. */
static bool word_is(const pctx *c, const char *const *kws)
{
    size_t n = 0;
    while (is_alpha(ch(c, n)) || is_digit(ch(c, n))) n++;
    for (size_t k = 0; n && kws[k]; k++) {
        tok t;
        memset(&t, 0, sizeof t);
        t.kind = T_IDENT;
        t.p = c->src + c->i;
        t.n = n;
        if (tia_tok_is(&t, kws[k])) return true;
    }
    return false;
}

/* Past a string or quoted name that does not end on its line: to the end of the line. */
static void skip_quoted_raw(pctx *c, int q)
{
    adv(c);
    while (ch(c, 0) != -1 && ch(c, 0) != '\n' && ch(c, 0) != q) adv(c);
    if (ch(c, 0) == q) adv(c);
}

bool tia_lex_skip_to_line(pctx *c, const char *const *kws)
{
    c->has_la = false;
    bool line_start = false;
    for (;;) {
        int b = ch(c, 0), b1 = ch(c, 1);
        if (b == -1) return false;
        if (line_start && b != ' ' && b != '\t' && b != '\r') {
            line_start = false;
            if (word_is(c, kws)) {
                c->prev_line = c->at.line;
                return true;
            }
            continue;
        }
        if (b == '\n') {
            adv(c);
            line_start = true;
        } else if (b == '/' && b1 == '/') {
            while (ch(c, 0) != -1 && ch(c, 0) != '\n') adv(c);
        } else if ((b == '(' || b == '/') && b1 == '*') {
            int close = b == '(' ? ')' : '/';
            adv(c);
            adv(c);
            while (ch(c, 0) != -1 && !(ch(c, 0) == '*' && ch(c, 1) == close)) adv(c);
            if (ch(c, 0) != -1) {
                adv(c);
                adv(c);
            }
        } else if (b == '\'' || b == '"') {
            skip_quoted_raw(c, b);
        } else {
            adv(c);
        }
    }
}

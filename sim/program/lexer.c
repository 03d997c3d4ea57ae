/* Tokens of TIA sources and tag tables. Comments: `// ...` to the end of the line,
 * `(* ... *)` and `/ * ... * /` (not nested). A `//` comment that starts on the line where
 * the previous token ended is handed to the parser with the next token (tok.comment): that
 * is how a member's trailing comment is found. Positions count lines and UTF-8 characters
 * from 1. */
#include <stdio.h>
#include <string.h>

#include "program/prog_int.h"

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

/* Skips white space and comments; remembers a trailing `//` comment of the previous line. */
static bool skip_space(pctx *c, tok *t)
{
    for (;;) {
        int b = ch(c, 0);
        if (b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\f' || b == '\v') {
            adv(c);
        } else if (b == '/' && ch(c, 1) == '/') {
            uint32_t line = c->at.line;
            adv(c);
            adv(c);
            while (ch(c, 0) == ' ' || ch(c, 0) == '\t') adv(c);
            size_t start = c->i;
            while (ch(c, 0) != -1 && ch(c, 0) != '\n') adv(c);
            size_t end = c->i;
            while (end > start && (c->src[end - 1] == ' ' || c->src[end - 1] == '\t' ||
                                   c->src[end - 1] == '\r'))
                end--;
            if (line == c->prev_line && !t->comment) {
                t->comment = c->src + start;
                t->cn = end - start;
            }
        } else if ((b == '(' && ch(c, 1) == '*') || (b == '/' && ch(c, 1) == '*')) {
            int close = b == '(' ? ')' : '/';
            pos at = c->at;
            adv(c);
            adv(c);
            for (;;) {
                if (ch(c, 0) == -1) return tia_perr(c, at, "unterminated comment");
                if (ch(c, 0) == '*' && ch(c, 1) == close) {
                    adv(c);
                    adv(c);
                    break;
                }
                adv(c);
            }
        } else {
            return true;
        }
    }
}

/* A valid UTF-8 sequence at the cursor, or an error. Returns its length (0 on error). */
static size_t utf8_at(pctx *c, uint32_t *cp)
{
    size_t k = tia_utf8_decode((const unsigned char *)c->src + c->i, c->len - c->i, cp);
    if (!k) tia_perr(c, c->at, "invalid UTF-8");
    return k;
}

static void put_utf8(char *out, size_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else {
        out[(*o)++] = (char)(0xC0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int hexval(int b)
{
    if (b >= '0' && b <= '9') return b - '0';
    if (b >= 'A' && b <= 'F') return b - 'A' + 10;
    if (b >= 'a' && b <= 'f') return b - 'a' + 10;
    return -1;
}

/* '...' with $-escapes, decoded into the arena. The cursor is on the opening quote. */
static bool lex_string(pctx *c, const char **s, size_t *sn)
{
    pos at = c->at;
    adv(c);
    size_t start = c->i, raw = 0;
    /* Find the end first so the buffer can be sized. */
    for (size_t k = start; k < c->len && c->src[k] != '\''; k++) {
        if (c->src[k] == '\n') break;
        if (c->src[k] == '$' && k + 1 < c->len && c->src[k + 1] != '\n') k++;
        raw = k + 1 - start;
    }
    char *out = s7p_arena_alloc(c->arena, raw + 1);
    if (!out) return tia_perr(c, at, "out of memory");
    size_t o = 0;
    for (;;) {
        int b = ch(c, 0);
        if (b == -1 || b == '\n' || b == '\r') return tia_perr(c, at, "unterminated string");
        if (b == '\'') {
            adv(c);
            break;
        }
        if (b == '$') {
            pos eat = c->at;
            int e = ch(c, 1);
            int lo = e >= 'a' && e <= 'z' ? e - 32 : e;
            adv(c);
            if (e == '$' || e == '\'' || e == '"') {
                out[o++] = (char)e;
                adv(c);
            } else if (lo == 'L' || lo == 'N') {
                out[o++] = '\n';
                adv(c);
            } else if (lo == 'P') {
                out[o++] = '\f';
                adv(c);
            } else if (lo == 'R') {
                out[o++] = '\r';
                adv(c);
            } else if (lo == 'T') {
                out[o++] = '\t';
                adv(c);
            } else if (hexval(e) >= 0 && hexval(ch(c, 1)) >= 0) {
                uint32_t cp = (uint32_t)(hexval(e) * 16 + hexval(ch(c, 1)));
                adv(c);
                adv(c);
                put_utf8(out, &o, cp);
            } else {
                if (e > 32 && e < 127) return tia_perr(c, eat, "invalid escape '$%c' in string", e);
                return tia_perr(c, eat, "invalid escape in string");
            }
            continue;
        }
        uint32_t cp;
        size_t k = utf8_at(c, &cp);
        if (!k) return false;
        for (size_t j = 0; j < k; j++) {
            out[o++] = c->src[c->i];
            adv(c);
        }
    }
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
    if (is_alpha(b) || b >= 0x80) {
        while (is_alpha(ch(c, 0)) || is_digit(ch(c, 0)) || ch(c, 0) >= 0x80) {
            if (ch(c, 0) >= 0x80) {
                uint32_t cp;
                size_t k = utf8_at(c, &cp);
                if (!k) return error_tok(c, c->at);
                while (k--) adv(c);
            } else {
                adv(c);
            }
        }
        t.n = (size_t)(c->src + c->i - t.p);
        t.kind = T_IDENT;
        if (ch(c, 0) != '#') return t;
        t.kind = T_TYPED;
        t.s = t.p;
        t.sn = t.n;
        adv(c);
        if (ch(c, 0) == '\'') {
            t.body_string = true;
            if (!lex_string(c, &t.body, &t.bn)) return error_tok(c, t.at);
        } else {
            t.body = c->src + c->i;
            while (body_char(ch(c, 0))) adv(c);
            t.bn = (size_t)(c->src + c->i - t.body);
            if (!t.bn) {
                tia_perr(c, t.at, "expected a value after '%.*s#'", (int)(t.sn > 32 ? 32 : t.sn),
                     t.s);
                return error_tok(c, t.at);
            }
        }
        t.n = (size_t)(c->src + c->i - t.p);
        return t;
    }
    if (is_digit(b)) {
        while (is_digit(ch(c, 0)) || ch(c, 0) == '_') adv(c);
        if (ch(c, 0) == '#') {
            t.kind = T_TYPED;
            t.s = t.p;
            t.sn = (size_t)(c->src + c->i - t.p);
            adv(c);
            t.body = c->src + c->i;
            while (is_alpha(ch(c, 0)) || is_digit(ch(c, 0))) adv(c);
            t.bn = (size_t)(c->src + c->i - t.body);
            t.n = (size_t)(c->src + c->i - t.p);
            if (!t.bn) {
                tia_perr(c, t.at, "expected digits after '%.*s#'", (int)(t.sn > 32 ? 32 : t.sn), t.s);
                return error_tok(c, t.at);
            }
            return t;
        }
        if (ch(c, 0) == '.' && is_digit(ch(c, 1))) {
            t.is_real = true;
            adv(c);
            while (is_digit(ch(c, 0)) || ch(c, 0) == '_') adv(c);
        }
        if ((ch(c, 0) == 'e' || ch(c, 0) == 'E') &&
            (is_digit(ch(c, 1)) || ((ch(c, 1) == '+' || ch(c, 1) == '-') && is_digit(ch(c, 2))))) {
            t.is_real = true;
            adv(c);
            adv(c);
            while (is_digit(ch(c, 0))) adv(c);
        }
        t.kind = T_NUMBER;
        t.n = (size_t)(c->src + c->i - t.p);
        return t;
    }
    if (b == '"') {
        adv(c);
        const char *s = c->src + c->i;
        for (;;) {
            int e = ch(c, 0);
            if (e == -1 || e == '\n' || e == '\r') {
                tia_perr(c, t.at, "unterminated quoted name");
                return error_tok(c, t.at);
            }
            if (e == '"') break;
            uint32_t cp;
            size_t k = utf8_at(c, &cp);
            if (!k) return error_tok(c, c->at);
            while (k--) adv(c);
        }
        t.kind = T_QNAME;
        t.s = s;
        t.sn = (size_t)(c->src + c->i - s);
        adv(c);
        t.n = (size_t)(c->src + c->i - t.p);
        return t;
    }
    if (b == '\'') {
        t.kind = T_STRING;
        if (!lex_string(c, &t.s, &t.sn)) return error_tok(c, t.at);
        t.n = (size_t)(c->src + c->i - t.p);
        return t;
    }
    if (b == '%') {
        adv(c);
        t.p = c->src + c->i;
        while (is_alpha(ch(c, 0)) || is_digit(ch(c, 0)) || ch(c, 0) == '.' || ch(c, 0) == ':')
            adv(c);
        t.n = (size_t)(c->src + c->i - t.p);
        t.kind = T_ADDR;
        return t;
    }
    static const struct { char c1, c2; tok_kind k; } punct[] = {
        {':', '=', T_ASSIGN}, {'.', '.', T_DOTDOT}, {':', 0, T_COLON}, {';', 0, T_SEMI},
        {',', 0, T_COMMA}, {'.', 0, T_DOT}, {'[', 0, T_LBRACK}, {']', 0, T_RBRACK},
        {'(', 0, T_LPAREN}, {')', 0, T_RPAREN}, {'{', 0, T_LBRACE}, {'}', 0, T_RBRACE},
        {'=', 0, T_EQ}, {'-', 0, T_MINUS}, {'+', 0, T_PLUS}, {'@', 0, T_AT},
    };
    for (size_t k = 0; k < sizeof punct / sizeof punct[0]; k++) {
        if (b == punct[k].c1 && (!punct[k].c2 || ch(c, 1) == punct[k].c2)) {
            adv(c);
            if (punct[k].c2) adv(c);
            t.kind = punct[k].k;
            t.n = punct[k].c2 ? 2 : 1;
            return t;
        }
    }
    if (b > 32 && b < 127)
        tia_perr(c, t.at, "unexpected character '%c'", b);
    else
        tia_perr(c, t.at, "unexpected byte 0x%02X", (unsigned)b);
    return error_tok(c, t.at);
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
    while (ch(c, 0) == ' ' || ch(c, 0) == '\t') adv(c);
    size_t start = c->i;
    while (ch(c, 0) != -1 && ch(c, 0) != '\n') adv(c);
    size_t end = c->i;
    while (end > start && (c->src[end - 1] == ' ' || c->src[end - 1] == '\t' ||
                           c->src[end - 1] == '\r'))
        end--;
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

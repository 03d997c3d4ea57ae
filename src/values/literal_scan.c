/* SPDX-License-Identifier: MIT */
/* Scanning helpers of the literal parsers: words, prefixes, digits, error messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "values/literal.h"

bool s7p_lit_err(s7p_lit_cx *c, const char *fmt, ...)
{
    c->st = S7P_E_INVALID_ARG;
    if (!c->err || !c->err_len) return false;
    int n = snprintf(c->err, c->err_len, "%s", c->where);
    if (n < 0 || (size_t)n >= c->err_len) return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->err_len - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

bool s7p_lit_nomem(s7p_lit_cx *c)
{
    s7p_lit_err(c, "out of memory");
    c->st = S7P_E_NOMEM;
    return false;
}

s7p_lit_quote s7p_lit_q(const char *s, size_t n)
{
    s7p_lit_quote r;
    if (n > 40) snprintf(r.s, sizeof r.s, "%.40s...", s);
    else snprintf(r.s, sizeof r.s, "%.*s", (int)n, s);
    return r;
}

char s7p_lit_upc(char ch) { return ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch; }

bool s7p_lit_is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

bool s7p_lit_word_is(const char *s, size_t n, const char *w)
{
    size_t k = 0;
    for (; k < n; k++)
        if (!w[k] || s7p_lit_upc(s[k]) != s7p_lit_upc(w[k])) return false;
    return w[k] == 0;
}

void s7p_lit_trim(const char **s, size_t *n)
{
    while (*n && s7p_lit_is_space(**s)) (*s)++, (*n)--;
    while (*n && s7p_lit_is_space((*s)[*n - 1])) (*n)--;
}

bool s7p_lit_strip_prefix(const char **s, size_t *n, const char *const *names)
{
    const char *hash = memchr(*s, '#', *n);
    if (!hash) return false;
    size_t pn = (size_t)(hash - *s);
    for (size_t k = 0; names[k]; k++) {
        if (s7p_lit_word_is(*s, pn, names[k])) {
            *s = hash + 1;
            *n -= pn + 1;
            return true;
        }
    }
    return false;
}

static bool is_alpha(char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'); }
static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

bool s7p_lit_word_prefix(const char *s, size_t n, size_t *pn)
{
    const char *hash = memchr(s, '#', n);
    if (!hash || hash == s) return false;
    for (const char *p = s; p < hash; p++)
        if (!(is_alpha(*p) || *p == '_' || (p > s && is_digit(*p)))) return false;
    *pn = (size_t)(hash - s);
    return true;
}

int s7p_lit_digit(char ch)
{
    ch = s7p_lit_upc(ch);
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

int s7p_lit_digits(const char *s, size_t n, unsigned radix, uint64_t *out)
{
    uint64_t v = 0;
    bool any = false, over = false;
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '_' && any && k + 1 < n) continue;
        int d = s7p_lit_digit(s[k]);
        if (d < 0 || (unsigned)d >= radix) return 1;
        if (v > (UINT64_MAX - (unsigned)d) / radix) over = true;
        else v = v * radix + (unsigned)d;
        any = true;
    }
    *out = v;
    return !any ? 1 : over ? 2 : 0;
}

/* "16", "8" or "2" before a '#': the radix, 0 for anything else. */
static unsigned radix_of(const char *s, size_t n)
{
    if (n == 2 && s[0] == '1' && s[1] == '6') return 16;
    if (n == 1 && (s[0] == '8' || s[0] == '2')) return (unsigned)(s[0] - '0');
    return 0;
}

int s7p_lit_integer(const char *s, size_t n, bool *neg, uint64_t *mag)
{
    *neg = false;
    if (n && (s[0] == '+' || s[0] == '-')) {
        *neg = s[0] == '-';
        s++;
        n--;
    }
    const char *hash = memchr(s, '#', n);
    unsigned radix = 10;
    if (hash) {
        size_t rn = (size_t)(hash - s);
        radix = radix_of(s, rn);
        if (!radix) return 1;
        n -= rn + 1;
        s = hash + 1;
    }
    return s7p_lit_digits(s, n, radix, mag);
}

uint64_t s7p_lit_magnitude(int64_t v) { return v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v; }

int64_t s7p_lit_signed(bool neg, uint64_t mag)
{
    return neg ? (mag == 0 ? 0 : -(int64_t)(mag - 1) - 1) : (int64_t)mag;
}

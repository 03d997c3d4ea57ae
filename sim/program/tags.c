/* SPDX-License-Identifier: MIT */
/* Our tag-table format (`*.tags`). TIA exports PLC tag tables only as XML or xlsx, so the
 * simulator reads this small text format instead, one tag per declaration:
 *
 *     name : type @ address [:= start value] ;   [// comment]
 *
 *   name     Start_Button or "Start button" (quoted names may hold any character but ")
 *   type     Bool, Byte, Char, SInt, USInt (1 byte); Word, Int, UInt, WChar, Date, S5Time
 *            (2 bytes); DWord, DInt, UDInt, Real, Time, Time_Of_Day (4 bytes); Timer; Counter
 *   address  %I0.0 %IX0.0 %Q4.1 %M10.7   bits, for Bool
 *            %IB0 %QW2 %MD20             byte, word, double word: must match the type's size
 *            %IW64:P                     peripheral access (I and Q only)
 *            %T5 %C3                     timer / counter number, for Timer / Counter
 *   start    any literal the type takes in a DB (TRUE, 16#FF, T#1S, 1.5 ...); not for
 *            Timer and Counter
 *
 * Comments as in TIA sources: `//`, `(* *)`, `/ * * /`. Names are unique without case. */
#include <string.h>

#include "program/prog_int.h"

static bool oom(pctx *c) { return tia_perr(c, c->at, "out of memory"); }

static char up(char ch) { return ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch; }

static bool read_u(const char *p, size_t n, size_t *i, uint64_t max, uint64_t *out)
{
    size_t d0 = *i;
    uint64_t v = 0;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9') {
        v = v * 10 + (uint64_t)(p[(*i)++] - '0');
        if (v > max) return false;
    }
    *out = v;
    return *i > d0;
}

/* %T5, %C3: a timer or counter number. */
static bool timer_counter_address(pctx *c, const tok *a, char area, const s7t_type *t, s7t_tag *g)
{
    const char *p = a->p;
    size_t n = a->n, i = 1;
    int an = (int)(n > 32 ? 32 : n);
    uint64_t v;
    if (!read_u(p, n, &i, 65535, &v) || i != n)
        return tia_perr(c, a->at, "malformed address '%%%.*s'", an, p);
    if ((area == 'T') != (t->sdt == S7T_SDT_TIMER) || (area == 'C') != (t->sdt == S7T_SDT_COUNTER))
        return tia_perr(c, a->at, "%s does not fit address '%%%.*s' (Timer: %%T, Counter: %%C)",
                        t->name, an, p);
    g->area = area == 'T' ? S7T_AREA_T : S7T_AREA_C;
    g->offset = (uint32_t)v;
    return true;
}

/* The memory area letter of an I/Q/M address; false (error set) for others. */
static bool memory_area(pctx *c, const tok *a, char area, s7t_tag *g)
{
    static const struct { char letter; uint8_t area; } areas[] = {
        {'I', S7T_AREA_I}, {'Q', S7T_AREA_Q}, {'M', S7T_AREA_M},
    };
    for (size_t k = 0; k < sizeof areas / sizeof areas[0]; k++) {
        if (area == areas[k].letter) {
            g->area = areas[k].area;
            return true;
        }
    }
    return tia_perr(c, a->at, "unknown memory area in '%%%.*s' (I, Q, M, T or C)",
                    (int)(a->n > 32 ? 32 : a->n), a->p);
}

/* The width letter (X, B, W, D) after the area: bytes, 0 for bits or none. */
static unsigned width_letter(const char *p, size_t n, size_t *i)
{
    char size = *i < n ? up(p[*i]) : 0;
    static const char letters[] = "XBWD";
    static const unsigned widths[] = {0, 1, 2, 4};
    for (unsigned k = 0; k < 4; k++) {
        if (size && size == letters[k]) {
            (*i)++;
            return widths[k];
        }
    }
    return 0;
}

/* offset[.bit][:P] after the area and width letters; *bit says whether a bit was given. */
static bool memory_offset(pctx *c, const tok *a, size_t i, unsigned width, s7t_tag *g, bool *bit)
{
    const char *p = a->p;
    size_t n = a->n;
    int an = (int)(n > 32 ? 32 : n);
    uint64_t v;
    if (!read_u(p, n, &i, 65535, &v)) return tia_perr(c, a->at, "malformed address '%%%.*s'", an, p);
    g->offset = (uint32_t)v;
    *bit = i < n && p[i] == '.';
    if (*bit) {
        i++;
        if (width || !read_u(p, n, &i, 7, &v)) return tia_perr(c, a->at, "malformed address '%%%.*s'", an, p);
        g->bit = (uint8_t)v;
    }
    if (i + 2 == n && p[i] == ':' && up(p[i + 1]) == 'P') {
        if (g->area == S7T_AREA_M) return tia_perr(c, a->at, "':P' is for I and Q addresses only");
        g->peripheral = true;
        i += 2;
    }
    if (i != n) return tia_perr(c, a->at, "malformed address '%%%.*s'", an, p);
    return true;
}

/* Whether the address's size fits the tag's type. */
static bool address_fits(pctx *c, const tok *a, const s7t_type *t, unsigned width, bool bit)
{
    const elem_info *e = tia_elem_info_of(t);
    if (t->sdt == S7T_SDT_BOOL)
        return bit ? true : tia_perr(c, a->at, "a Bool needs a bit address like %%M10.0");
    if (t->sdt == S7T_SDT_TIMER || t->sdt == S7T_SDT_COUNTER)
        return tia_perr(c, a->at, "%s needs a %%%c address", t->name,
                        t->sdt == S7T_SDT_TIMER ? 'T' : 'C');
    if (bit || !width)
        return tia_perr(c, a->at, "%s needs a %s address", t->name,
                        e->size == 1 ? "byte (B)" : e->size == 2 ? "word (W)" : "double word (D)");
    if (width != e->size)
        return tia_perr(c, a->at, "address '%%%.*s' is %u bytes wide, %s has %u",
                        (int)(a->n > 32 ? 32 : a->n), a->p, width, t->name, (unsigned)e->size);
    return true;
}

static bool address(pctx *c, const tok *a, const s7t_type *t, s7t_tag *g)
{
    if (a->n == 0) return tia_perr(c, a->at, "expected an address like %%MW10 after '%%'");
    char area = up(a->p[0]);
    if (area == 'T' || area == 'C') return timer_counter_address(c, a, area, t, g);
    if (!memory_area(c, a, area, g)) return false;
    size_t i = 1;
    unsigned width = width_letter(a->p, a->n, &i);
    bool bit = false;
    if (!memory_offset(c, a, i, width, g, &bit) || !address_fits(c, a, t, width, bit)) return false;
    g->width = (uint8_t)width;
    return true;
}

static bool tag_name(pctx *c, const char **out, pos *at)
{
    tok t = tia_lex_next(c);
    *at = t.at;
    const char *s = t.kind == T_IDENT ? t.p : t.s;
    size_t n = t.kind == T_IDENT ? t.n : t.sn;
    if (t.kind != T_IDENT && t.kind != T_QNAME) return tia_perr(c, t.at, "expected a tag name");
    if (n == 0 || n > S7T_MAX_NAME) return tia_perr(c, t.at, "tag names have 1..%d bytes", S7T_MAX_NAME);
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)s[k] < 0x20) return tia_perr(c, t.at, "control character in name");
    if (!(*out = tia_arena_strndup(c->arena, s, n))) return oom(c);
    return true;
}

bool tia_parse_tags(pctx *c)
{
    for (;;) {
        const tok *t = tia_lex_peek(c);
        if (t->kind == T_EOF) return true;
        if (t->kind == T_ERROR) return false;
        s7t_tag *g = tia_vec_push(&c->b->tags);
        pos *gp = tia_vec_push(&c->b->tag_pos);
        if (!g || !gp) return oom(c);
        if (!tag_name(c, &g->name, gp)) return false;
        g->file = c->file;
        g->line = gp->line;
        if (tia_lex_peek(c)->kind != T_COLON)
            return tia_perr(c, tia_lex_peek(c)->at, "expected ':' after the tag name");
        tia_lex_next(c);
        if (!tia_parse_type(c, 1, true, &g->type, NULL)) return false;
        if (tia_lex_peek(c)->kind != T_AT)
            return tia_perr(c, tia_lex_peek(c)->at, "expected '@' and an address after the type");
        tia_lex_next(c);
        tok a = tia_lex_next(c);
        if (a.kind != T_ADDR) return tia_perr(c, a.at, "expected an address like %%MW10 after '@'");
        if (!address(c, &a, g->type, g)) return false;
        g->start = tia_elem_zero(g->type);
        if (tia_lex_peek(c)->kind == T_ASSIGN) {
            tia_lex_next(c);
            lit l;
            if (g->type->sdt == S7T_SDT_TIMER || g->type->sdt == S7T_SDT_COUNTER)
                return tia_perr(c, tia_lex_peek(c)->at, "timers and counters take no start value");
            if (!tia_lit_parse(c, &l) || !tia_lit_convert(c, &l, g->type, &g->start)) return false;
        }
        if (tia_lex_peek(c)->kind != T_SEMI)
            return tia_perr(c, tia_lex_peek(c)->at, "expected ';' after the tag '%s'", g->name);
        tia_lex_next(c);
        const tok *n = tia_lex_peek(c);
        g->comment = "";
        if (n->kind != T_ERROR && n->comment &&
            !(g->comment = tia_arena_strndup(c->arena, n->comment, n->cn)))
            return oom(c);
    }
}

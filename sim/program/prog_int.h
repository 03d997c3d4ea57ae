/* SPDX-License-Identifier: MIT */
/* Internals of the program loader shared by its files:
 *   lexer.c     tokens of TIA sources and tag tables, positions, errors
 *   literals.c  start-value literals (16#FF, T#1S, DTL#..., 'text'): tokens, and their
 *               conversion through the library's s7p_value_parse()
 *   types.c     the elementary type table, formatting, zero values
 *   parser.c    TYPE / DATA_BLOCK / FUNCTION_BLOCK blocks, recovery after an error
 *   system.c    the system data types (IEC_TIMER, IEC_COUNTER ..., CREF, NREF, ErrorStruct)
 *   tags.c      the .tags format
 *   resolve.c   UDT references, leaf counts, DB start values, BEGIN assignments, numbers
 *   program.c   entry points, accessors, walking and path lookup
 * Everything a program holds lives in one arena (c->arena) that the program owns. */
#ifndef S7P_SIM_PROGRAM_PROG_INT_H
#define S7P_SIM_PROGRAM_PROG_INT_H

#include <stdarg.h>

#include "program/program.h"
#include "util/arena.h"
#include "values/literal.h"

/* ---- growable vector (s7p_realloc), for the lists built while loading ---- */
typedef struct vec {
    void *p;
    size_t n, cap, size;
} vec;

void tia_vec_init(vec *v, size_t size);
void *tia_vec_push(vec *v);           /* zeroed new slot, NULL when out of memory */
void tia_vec_free(vec *v);

/* ---- names: case-insensitive (ASCII) hash index over a fixed set of strings ---- */
typedef struct name_index {
    uint32_t *slots;              /* item number + 1; 0 = empty */
    size_t mask;
} name_index;

bool tia_name_eq(const char *a, const char *b);
bool tia_name_eq_n(const char *a, const char *b, size_t n);   /* the first n bytes */
/* Builds the index in the arena; *dup gets the first duplicate's number (or SIZE_MAX). */
bool tia_name_index_build(name_index *ix, s7p_arena *a, const char *const *names, size_t n,
                      size_t *dup);
/* names[i] equal to key, or SIZE_MAX. */
size_t tia_name_index_find(const name_index *ix, const char *const *names, const char *key);

/* ---- tokens ---- */
typedef enum tok_kind {
    T_EOF, T_ERROR, T_IDENT, T_QNAME, T_STRING, T_NUMBER, T_TYPED, T_ADDR,
    T_ASSIGN, T_COLON, T_SEMI, T_COMMA, T_DOTDOT, T_DOT, T_LBRACK, T_RBRACK,
    T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_EQ, T_MINUS, T_PLUS, T_AT, T_STAR,
} tok_kind;

typedef struct pos { uint32_t line, col; } pos;

typedef struct tok {
    tok_kind kind;
    pos at;
    const char *p;                /* raw text */
    size_t n;
    const char *s;                /* T_QNAME content, T_STRING decoded (UTF-8, NUL terminated,
                                   * in the arena), T_TYPED prefix */
    size_t sn;
    const char *body;             /* T_TYPED: raw text after '#', or the decoded string */
    size_t bn;
    bool body_string;             /* T_TYPED body was a '...' string */
    bool is_real;                 /* T_NUMBER has '.' or an exponent */
    const char *comment;          /* a `//` comment that began on the previous token's line */
    size_t cn;
} tok;

typedef struct s7t_builder s7t_builder;

/* The errors of one load: lines into the caller's buffer, and which sources they condemn. */
typedef struct diags {
    char *buf;                    /* the caller's; lines joined by '\n'; may be NULL */
    size_t cap, used;
    unsigned count;
    bool fatal;                   /* out of memory: the load fails whatever strict says */
    const char *const *names;     /* the sources' names in processing order */
    bool *bad;                    /* bad[k]: source k had an error and is left out */
    size_t nsrc;
} diags;

/* Parsing context of one source. */
typedef struct pctx {
    s7p_arena *arena;
    const s7t_limits *lim;
    s7t_builder *b;
    const char *file;
    diags *d;
    bool *failed;                 /* the current block (or item) has an error: the lexer
                                   * stops, later errors of it are consequences */
    /* lexer state */
    const char *src;
    size_t len, i;
    pos at;
    uint32_t prev_line;           /* line on which the last token ended */
    tok la;
    bool has_la;
} pctx;

void tia_lex_init(pctx *c, const char *src, size_t len);
const tok *tia_lex_peek(pctx *c);
tok tia_lex_next(pctx *c);
/* After a consumed token: the raw rest of the current line (TITLE = ...), trimmed. */
const char *tia_lex_rest_of_line(pctx *c);
bool tia_tok_is(const tok *t, const char *kw);   /* T_IDENT equal to kw, any case */

/* Records an error (unless *failed: the first of a block or item wins), marks the file's
 * source bad and returns false. */
bool tia_perr(pctx *c, pos at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool tia_verr(diags *d, bool *failed, const char *file, pos at, const char *fmt,
          va_list ap) __attribute__((format(printf, 5, 0)));
/* Raw scanning past code the loader does not read: moves the cursor to the start of the
 * next line whose first word is one of kws (NULL-terminated), skipping comments and strings;
 * returns false at the end of the text. */
bool tia_lex_skip_to_line(pctx *c, const char *const *kws);
char *tia_arena_strndup(s7p_arena *a, const char *s, size_t n);

/* ---- literals ---- */
typedef enum lit_kind {
    LIT_VALUE,                    /* any literal: converted by s7p_value_parse() */
    LIT_INT,                      /* a plain integer (also a LIT_VALUE): sign and magnitude known */
    LIT_NONE,                     /* `n()` in a list: the type's zero */
} lit_kind;

typedef struct lit {
    lit_kind kind;
    pos at;
    pos rep_at;                   /* in a list: where its repetition count `n(` is */
    const char *text;             /* the literal as written (sign included), in the arena */
    bool neg;                     /* LIT_INT */
    bool radix;                   /* LIT_INT written as 2#, 8#, 16# */
    uint64_t mag;                 /* LIT_INT magnitude */
} lit;

/* A start value: one literal or a [list] with repetition counts. */
typedef struct init {
    pos at;
    bool list;
    const lit *items;
    const uint64_t *reps;         /* list only: each item's count (1 unless `n(...)`) */
    size_t n;
} init;

bool tia_lit_parse(pctx *c, lit *out);
bool tia_init_parse(pctx *c, init *out);
/* Converts to a value of elementary type t; errors name `what` (the member). */
bool tia_lit_convert(pctx *c, const lit *l, const s7t_type *t, s7t_value *out);
/* Fills count values of the array (or 1 of the elementary type) from an init. */
bool tia_init_convert(pctx *c, const init *in, const s7t_type *t, s7t_value **out);

/* ---- types ---- */
typedef struct elem_info {
    const char *name;             /* canonical */
    const char *alias;            /* second accepted spelling or NULL */
    uint16_t sdt;
    uint8_t vkind;                /* s7t_vkind */
    uint8_t size;                 /* standard-layout bytes (Bool 0) */
    bool is_signed;               /* V_INT range is signed */
    bool tag_ok;                  /* may be a tag-table type */
    bool ref_only;                /* a reference (Variant, Block_DB ...): an FB parameter
                                   * the instance data does not hold; nowhere else allowed */
    int64_t min;                  /* integer range (V_UINT uses max only) */
    uint64_t max;
} elem_info;

const elem_info *tia_elem_find(const char *name, size_t n);   /* any case, NULL if unknown */
const elem_info *tia_elem_by_sdt(uint16_t sdt);
const s7t_type *tia_elem_type(const elem_info *e);           /* shared static type */
const elem_info *tia_elem_info_of(const s7t_type *t);
s7t_value tia_elem_zero(const s7t_type *t);

/* ---- system data types (system.c) ---- */
/* The system data type or system FB named (IEC_TIMER, TON_TIME, CTU_INT, CREF ...), built
 * once per load in the builder; NULL with *known false when the name is none; NULL with
 * *known true when out of memory (error set). */
const s7t_type *tia_system_type(pctx *c, const char *name, size_t n, pos at, bool *known);

/* ---- building ---- */
typedef struct seg {              /* one step of a path: .name or [i, j] */
    const char *name;             /* NULL for an index step */
    int64_t idx[S7T_MAX_DIMS];
    uint8_t nidx;
    pos at;
} seg;

typedef struct assign {           /* one line of a BEGIN section */
    const seg *segs;
    size_t nsegs;
    init val;
    pos at;
} assign;

/* A UDT or FB reference while loading: an S7T_STRUCT-less placeholder that resolve.c
 * replaces (a quoted name may also be a system type: "IEC_TIMER"). */
typedef struct udt_ref {
    s7t_type t;                   /* kind 0 until resolved */
    const char *name;
    const char *file;
    pos at;
    const s7t_udt *target;
} udt_ref;

typedef struct udt_build {
    s7t_udt u;                    /* first: &udt_build.u is what the program hands out */
    pos at;
    int state;                    /* 0 not visited, 1 being visited, 2 done */
    unsigned depth;               /* depth of its struct type, UDTs included */
} udt_build;

typedef struct db_build {
    s7t_db db;                    /* first: &db_build.db is what the program hands out */
    pos at;
    udt_ref *typed_by;            /* DATA_BLOCK "x" "Udt" / "Fb" */
    const assign *assigns;
    size_t nassigns;
    size_t order;                 /* processing order, for numbering */
} db_build;

struct s7t_builder {
    vec udts;                     /* udt_build * */
    vec dbs;                      /* db_build * */
    vec slots;                    /* const s7t_type ** that may hold a udt_ref */
    vec tags;                     /* s7t_tag */
    vec tag_pos;                  /* pos of each tag's name (for messages) */
    const s7t_type *sys[16];      /* system data types built so far (system.c) */
};

/* A struct type as the parser builds it: the public part plus a member index. */
typedef struct struct_type {
    s7t_type t;                   /* first */
    name_index ix;
    const char **names;
    bool sized;                   /* leaves/depth/offsets computed */
} struct_type;

bool tia_parse_tia(pctx *c);
/* sdt.c: the TYPE source of a TIA structure type an export may use undeclared (TCON_IP_v4,
 * IP_V4, TADDR_Param, TCON_Param; any case), with its spelling in *canonical; NULL if none. */
const char *tia_sdt_find(const char *name, size_t n, const char **canonical);
/* `a.b[1,2]."c d"`: segments into the arena; stops before ':=' or the end of input. */
bool tia_parse_path(pctx *c, const seg **segs, size_t *n);
bool tia_parse_tags(pctx *c);
/* The shared part of both grammars: a data type at nesting depth `depth`. */
bool tia_parse_type(pctx *c, unsigned depth, bool tags, const s7t_type **out, const char **comment);
bool tia_add_slot(pctx *c, const s7t_type **slot);
/* Parser pieces shared by the grammar files (parser.c, path.c). */
bool tia_oom(pctx *c);  /* records the fatal out-of-memory error; false */
bool tia_parse_name(pctx *c, const char *what, const char **out, pos *at);
/* An integer with an optional sign, magnitude at most max (max_neg when negative). */
bool tia_parse_signed(pctx *c, uint64_t max, uint64_t max_neg, const char *what, int64_t *out,
                      pos *at);
bool tia_is_plain_ident(const char *s);

/* resolve.c: everything after parsing; fills the program's lists. */
struct s7t_program {
    s7p_arena arena;
    const s7t_udt **udts;
    size_t nudts;
    const s7t_db **dbs;
    size_t ndbs;
    const s7t_tag *tags;
    size_t ntags;
    name_index udt_ix, db_ix, tag_ix;
    const char **udt_names, **db_names, **tag_names;
};

/* False when some block could not be resolved (errors recorded, their sources marked bad)
 * or out of memory (d->fatal). */
bool tia_resolve_program(s7t_program *p, s7t_builder *b, const s7t_limits *lim, diags *d);
/* Path steps against a type: used by BEGIN assignments and s7t_db_resolve(). */
typedef struct walk_pos {
    const s7t_type *type;
    const s7t_member *member;
    uint64_t first;
    int dtl_field;                /* -1, or 0..7 (YEAR .. NANOSECOND) when the path ends in a
                                   * DTL element */
} walk_pos;
bool tia_path_step(walk_pos *w, const seg *s, char *msg, size_t msg_len);

#endif

/* SPDX-License-Identifier: MIT */
/* s7plus browse HOST: every variable of the PLC program, as a tree (default), one line per
 * variable (--flat) or a JSON array (--json). Output streams as the library finds variables;
 * nothing is collected. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "text.h"

static const char usage[] =
    "usage: s7plus browse HOST[:PORT] [--flat | --json] [options]\n"
    "Lists every variable of the PLC program (all data blocks), within --browse-timeout.\n"
    "  (default)  a tree: each block, then its members indented by level, with their types\n"
    "  --flat     one line per variable: SYMBOL<TAB>TYPE<TAB>ADDRESS, the address as the\n"
    "             area and the LID path in hex (DB5.A.3.1)\n"
    "  --json     one JSON array, one object per line: {symbol, type, count,\n"
    "             dims: [{lower, count}], address: {area, sub_area, lids, crc}}\n"
    "--json on a failure: the error object {\"error\": {...}} alone, or as the array's last\n"
    "element when variables were listed before it.\n"
    "Arrays of elementary types are one variable; arrays of structs are listed element by\n"
    "element. On a terminal, progress is shown on stderr.\n";

#define MAX_SEGMENTS (S7P_TAG_MAX_LIDS + 2)
#define DB_AREA_BASE 0x8A0E0000u

typedef enum mode { MODE_TREE, MODE_FLAT, MODE_JSON } mode;

typedef struct browse_ctx {
    mode mode;
    unsigned long variables;
    bool failed_output;
    /* tree: the previous symbol, cut into segments */
    char prev[2048];
    size_t prev_off[MAX_SEGMENTS], prev_len[MAX_SEGMENTS], prev_n;
    /* progress */
    bool progress, progress_shown, stdout_tty;
    uint32_t blocks_done, blocks_total;
    double last_draw;
} browse_ctx;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_clear(browse_ctx *b)
{
    if (!b->progress_shown) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    b->progress_shown = false;
}

static void progress_draw(browse_ctx *b, bool force)
{
    double t = now_s();
    if (!b->progress || (!force && t - b->last_draw < 0.1)) return;
    b->last_draw = t;
    if (b->stdout_tty) fflush(stdout);
    fprintf(stderr, "\r  blocks %u/%u, %lu variables\033[K", b->blocks_done, b->blocks_total,
            b->variables);
    fflush(stderr);
    b->progress_shown = true;
}

/* Before a line on stdout: when stdout shares the terminal, the progress line goes first. */
static void before_output(browse_ctx *b)
{
    if (b->stdout_tty) progress_clear(b);
}

/* "DB5.A.3.1": the area (DBn, I, Q, M, C, T or hex) and the LIDs in hex. */
static void address_text(vt_buf *o, const s7p_tag *t)
{
    static const char *const areas[] = {"I", "Q", "M", "C", "T"};
    if ((t->area & 0xFFFF0000u) == DB_AREA_BASE) vt_printf(o, "DB%u", (unsigned)(t->area & 0xFFFFu));
    else if (t->area >= 80 && t->area <= 84) vt_puts(o, areas[t->area - 80]);
    else vt_printf(o, "%X", (unsigned)t->area);
    for (uint8_t i = 0; i < t->nlids && i < S7P_TAG_MAX_LIDS; i++) vt_printf(o, ".%X", (unsigned)t->lids[i]);
}

static void type_text(vt_buf *o, const s7p_browse_item *it)
{
    vt_type_text(o, (int)it->tag.type, it->tag.count, it->tag.str_max, it->ndims, it->lower,
                 it->dim_count);
}

/* Cuts a symbol at the dots outside double quotes: "\"My DB\".motor[1].speed" gives
 * "\"My DB\"", "motor[1]", "speed". */
static size_t segments(const char *s, size_t *off, size_t *len, size_t max)
{
    size_t n = 0, start = 0;
    bool quoted = false;
    for (size_t i = 0;; i++) {
        char ch = s[i];
        if (ch == '"') quoted = !quoted;
        if ((ch == '.' && !quoted) || ch == 0) {
            if (n < max) {
                off[n] = start;
                len[n] = i - start;
                n++;
            }
            start = i + 1;
            if (ch == 0) break;
        }
    }
    return n;
}

static void print_tree(browse_ctx *b, const s7p_browse_item *it)
{
    size_t off[MAX_SEGMENTS], len[MAX_SEGMENTS];
    size_t n = segments(it->symbol, off, len, MAX_SEGMENTS);
    /* Nodes shared with the previous variable are already printed. */
    size_t same = 0;
    while (same + 1 < n && same < b->prev_n && len[same] == b->prev_len[same] &&
           memcmp(it->symbol + off[same], b->prev + b->prev_off[same], len[same]) == 0)
        same++;
    for (size_t d = same; d + 1 < n; d++) {
        if (d == 0 && (it->tag.area & 0xFFFF0000u) == DB_AREA_BASE)
            printf("%.*s  DB%u\n", (int)len[0], it->symbol, (unsigned)(it->tag.area & 0xFFFFu));
        else
            printf("%*s%.*s\n", (int)(2 * d), "", (int)len[d], it->symbol + off[d]);
    }
    vt_buf t = {0};
    type_text(&t, it);
    size_t leaf = n ? n - 1 : 0;
    printf("%*s%.*s  %s\n", (int)(2 * leaf), "", n ? (int)len[leaf] : 0,
           n ? it->symbol + off[leaf] : "", t.p ? t.p : "?");
    free(t.p);
    size_t sl = strlen(it->symbol);
    if (sl < sizeof b->prev) {
        memcpy(b->prev, it->symbol, sl + 1);
        memcpy(b->prev_off, off, sizeof off);
        memcpy(b->prev_len, len, sizeof len);
        b->prev_n = n;
    } else {
        b->prev_n = 0;
    }
}

static void print_flat(const s7p_browse_item *it)
{
    vt_buf t = {0}, a = {0};
    type_text(&t, it);
    address_text(&a, &it->tag);
    printf("%s\t%s\t%s\n", it->symbol, t.p ? t.p : "?", a.p ? a.p : "?");
    free(t.p);
    free(a.p);
}

static bool print_json(browse_ctx *b, const s7p_browse_item *it)
{
    json_t *dims = json_array(), *lids = json_array();
    for (uint8_t d = 0; dims && d < it->ndims && d < S7P_MAX_DIMS; d++)
        json_array_append_new(dims, json_pack("{s:I, s:I}", "lower", (json_int_t)it->lower[d],
                                              "count", (json_int_t)it->dim_count[d]));
    for (uint8_t i = 0; lids && i < it->tag.nlids && i < S7P_TAG_MAX_LIDS; i++)
        json_array_append_new(lids, json_integer((json_int_t)it->tag.lids[i]));
    json_t *o = json_pack("{s:s, s:s, s:I, s:o, s:{s:I, s:I, s:o, s:I}}", "symbol", it->symbol,
                          "type", s7p_type_name((int)it->tag.type), "count",
                          (json_int_t)it->tag.count, "dims", dims, "address", "area",
                          (json_int_t)it->tag.area, "sub_area", (json_int_t)it->tag.sub_area,
                          "lids", lids, "crc", (json_int_t)it->tag.symbol_crc);
    if (o && (it->tag.type == S7P_T_STRING || it->tag.type == S7P_T_WSTRING))
        json_object_set_new(o, "str_max", json_integer(it->tag.str_max));
    char *s = o ? json_dumps(o, JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!s) return false;
    printf("%s%s", b->variables > 1 ? ",\n" : "[\n", s);  /* "[" once there is an item */
    free(s);
    return true;
}

static bool on_item(void *ctx, const s7p_browse_item *it)
{
    browse_ctx *b = ctx;
    b->variables++;
    b->blocks_done = it->blocks_done;
    b->blocks_total = it->blocks_total;
    before_output(b);
    switch (b->mode) {
    case MODE_TREE: print_tree(b, it); break;
    case MODE_FLAT: print_flat(it); break;
    case MODE_JSON:
        if (!print_json(b, it)) {
            fprintf(stderr, "s7plus: cannot encode %s as JSON\n", it->symbol);
            b->failed_output = true;
            return false;
        }
        break;
    }
    if (ferror(stdout)) {
        b->failed_output = true;
        return false;
    }
    progress_draw(b, false);
    return true;
}

int cmd_browse(int argc, char **argv)
{
    cli_common c;
    bool flat = false;
    memset(&c, 0, sizeof c);
    const cli_flag flags[] = {{"flat", &flat}, {NULL, NULL}};
    int first;
    int rc = cli_start(argc, argv, &c, usage, flags, 0, 0, &first);
    if (rc != CLI_OK) return rc;
    if (flat && c.json) {
        fprintf(stderr, "s7plus: --flat and --json exclude each other\n");
        return CLI_USAGE;
    }
    browse_ctx *b = calloc(1, sizeof *b);
    if (!b) return CLI_PROTOCOL;
    b->mode = c.json ? MODE_JSON : flat ? MODE_FLAT : MODE_TREE;
    /* Progress goes to stderr, so it needs stderr to be a terminal; when stdout is the same
     * terminal the progress line is cleared before each line of output. */
    b->progress = !c.json && isatty(STDERR_FILENO);
    b->stdout_tty = isatty(STDOUT_FILENO);
    s7p_client *cl;
    rc = cli_connect(&c, &cl);
    if (rc != CLI_OK) {
        free(b);
        return rc;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);  /* each variable leaves as soon as it is found */
    s7p_error err;
    s7p_status st = s7p_browse(cl, on_item, b, &err);
    progress_clear(b);
    if (st != S7P_OK && b->mode == MODE_JSON && b->variables) {
        /* A failure after some variables: the array's last element is the error. */
        json_t *e = cli_error_json(&err, NULL);
        char *t = e ? json_dumps(e, JSON_PRESERVE_ORDER) : NULL;
        printf(",\n{\"error\": %s}\n]\n", t ? t : "null");
        free(t);
        json_decref(e);
        rc = cli_error_exit_code(&err);
    } else if (st != S7P_OK) {
        fflush(stdout);
        rc = cli_fail(&c, &err);
    } else if (b->mode == MODE_JSON) {
        printf("%s]\n", b->variables ? "\n" : "[");
    }
    fflush(stdout);
    if (st == S7P_OK && b->failed_output) rc = CLI_PROTOCOL;
    cli_close(cl);
    free(b);
    return rc;
}

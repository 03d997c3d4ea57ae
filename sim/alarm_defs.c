/* SPDX-License-Identifier: MIT */
/* Alarms files: one definition per `alarm` line, followed by its `text` and `value` lines.
 *
 *   # a comment
 *   alarm 1 type=alarm priority=5 class=2 domain=256 ack=yes name=Tank_Overflow source=0x8A0E0001
 *   text 1033 alarm "Tank @1%d@ overflows: level @2%.1f@ %"
 *   text 1031 alarm "Tank @1%d@ läuft über: Füllstand @2%.1f@ %"
 *   text 1033 info "Close the inlet valve"
 *   text 1033 add1 "Area B"
 *   value 1 Int 7
 *   value 2 Real @"Tanks".Level
 *
 * A text is a double-quoted UTF-8 string in which \" and \\ stand for " and \; every other
 * backslash stays (so `\n` reaches the client as the PLC sends it). Reference of every key:
 * docs/simulator.md, "Alarms". */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alarms.h"
#include "services/alarm.h"

#define MAX_FILE (1u << 20)

typedef struct lctx {
    const char *name;
    unsigned line;
    char *err;
    size_t err_len;
    sim_alarm_defs *out;
    size_t cap;
} lctx;

static bool failf(lctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool failf(lctx *c, const char *fmt, ...)
{
    int n = snprintf(c->err, c->err_len, "%s:%u: ", c->name, c->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < c->err_len) vsnprintf(c->err + n, c->err_len - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

void sim_alarm_def_free(sim_alarm_def *d)
{
    free(d->name);
    for (unsigned i = 0; i < d->ntexts; i++) free(d->texts[i].text);
    for (int i = 0; i < S7P_ALARM_VALUES; i++) {
        free(d->values[i].literal);
        free(d->values[i].symbol);
    }
    memset(d, 0, sizeof *d);
}

void sim_alarm_defs_free(sim_alarm_defs *d)
{
    for (size_t i = 0; i < d->n; i++) sim_alarm_def_free(&d->items[i]);
    free(d->items);
    memset(d, 0, sizeof *d);
}

const sim_alarm_def *sim_alarm_defs_find(const sim_alarm_defs *d, uint32_t id)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].id == id) return &d->items[i];
    return NULL;
}

static bool parse_num(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (!*s || *s == '-' || errno || *end || v > max) return false;
    *out = v;
    return true;
}

bool sim_alarm_type_parse(const char *name, s7p_type *type, uint16_t *str_max)
{
    char base[32];
    size_t n = strcspn(name, "[");
    uint64_t max = 0;
    *str_max = 0;
    if (n >= sizeof base) return false;
    memcpy(base, name, n);
    base[n] = '\0';
    if (name[n] == '[') {
        char num[8];
        size_t m = strcspn(name + n + 1, "]");
        if (m == 0 || m >= sizeof num || strcmp(name + n + 1 + m, "]") != 0) return false;
        memcpy(num, name + n + 1, m);
        num[m] = '\0';
        if (!parse_num(num, 16382, &max) || max == 0) return false;
    }
    for (int t = 1; t < 256; t++) {
        if (strcasecmp(s7p_type_name(t), base) != 0 || !s7p_alarm_value_type_ok((s7p_type)t))
            continue;
        bool is_str = t == S7P_T_STRING || t == S7P_T_WSTRING;
        if (name[n] == '[' && (!is_str || (t == S7P_T_STRING && max > 254))) return false;
        *type = (s7p_type)t;
        *str_max = (uint16_t)max;
        return true;
    }
    return false;
}

/* ---- words ---- */

/* The next blank-separated word; a "quoted" word is unescaped (\" and \\) and loses its
 * quotes. NULL at the end of the line. *quoted tells which kind it was. */
static char *word(char **cur, bool *quoted, lctx *c, bool *bad)
{
    char *p = *cur;
    while (*p == ' ' || *p == '\t') p++;
    *quoted = *p == '"';
    if (!*p) return NULL;
    if (!*quoted) {
        char *w = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        if (*p) *p++ = '\0';
        *cur = p;
        return w;
    }
    char *w = ++p, *o = p;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) p++;
        *o++ = *p;
    }
    if (*p != '"') {
        *bad = !failf(c, "unterminated string");
        return NULL;
    }
    *o = '\0';
    *cur = p + 1;
    return w;
}

static sim_alarm_def *current(lctx *c)
{
    return c->out->n ? &c->out->items[c->out->n - 1] : NULL;
}

/* ---- lines ---- */

static bool alarm_option(lctx *c, sim_alarm_def *d, char *opt)
{
    char *eq = strchr(opt, '=');
    uint64_t v;
    if (!eq) return failf(c, "expected KEY=VALUE, not \"%s\"", opt);
    *eq++ = '\0';
    if (strcmp(opt, "type") == 0) {
        static const char *const names[] = {"invalid", "alarm", "notify", "info-report", "event-ack"};
        for (int32_t i = 0; i < 5; i++)
            if (strcasecmp(eq, names[i]) == 0) return d->message_type = i, true;
        return failf(c, "unknown type \"%s\" (alarm, notify, info-report, event-ack)", eq);
    }
    if (strcmp(opt, "name") == 0) {
        free(d->name);
        return (d->name = strdup(eq)) != NULL || failf(c, "out of memory");
    }
    if (strcmp(opt, "ack") == 0) {
        if (strcasecmp(eq, "yes") != 0 && strcasecmp(eq, "no") != 0) return failf(c, "ack=yes or ack=no");
        d->ack = strcasecmp(eq, "yes") == 0;
        return true;
    }
    if (strcmp(opt, "priority") == 0 && parse_num(eq, 255, &v)) return d->priority = (uint8_t)v, true;
    if (strcmp(opt, "class") == 0 && parse_num(eq, 0xFFFF, &v)) return d->alarm_class = (uint16_t)v, true;
    if (strcmp(opt, "domain") == 0 && parse_num(eq, 0xFFFF, &v)) return d->domain = (uint16_t)v, true;
    if (strcmp(opt, "source") == 0 && parse_num(eq, 0xFFFFFFFFu, &v)) return d->source = (uint32_t)v, true;
    return failf(c, "bad option %s=%s", opt, eq);
}

static bool line_alarm(lctx *c, char *rest)
{
    bool q, bad = false;
    char *id = word(&rest, &q, c, &bad), *opt;
    uint64_t v;
    if (!id || q || !parse_num(id, 0xFFFF, &v) || v == 0) return failf(c, "alarm needs an ID 1..65535");
    if (sim_alarm_defs_find(c->out, (uint32_t)v)) return failf(c, "alarm %u is defined twice", (unsigned)v);
    if (c->out->n == SIM_ALARM_MAX_DEFS) return failf(c, "more than %u alarms", SIM_ALARM_MAX_DEFS);
    if (c->out->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        sim_alarm_def *items = realloc(c->out->items, cap * sizeof *items);
        if (!items) return failf(c, "out of memory");
        c->out->items = items;
        c->cap = cap;
    }
    sim_alarm_def *d = &c->out->items[c->out->n++];
    memset(d, 0, sizeof *d);
    d->id = (uint32_t)v;
    d->source = SIM_ALARM_SOURCE_DEFAULT;
    d->message_type = S7P_ALARM_MSG_ALARM;
    while ((opt = word(&rest, &q, c, &bad)) != NULL)
        if (q || !alarm_option(c, d, opt)) return q ? failf(c, "unexpected string") : false;
    if (bad) return false;
    if (!d->name) {
        char name[32];
        snprintf(name, sizeof name, "Alarm_%u", (unsigned)d->id);
        if (!(d->name = strdup(name))) return failf(c, "out of memory");
    }
    return true;
}

static int text_kind(const char *k)
{
    if (strcasecmp(k, "info") == 0) return S7P_DAI_TEXT_INFO;
    if (strcasecmp(k, "alarm") == 0) return S7P_DAI_TEXT_ALARM;
    if (strncasecmp(k, "add", 3) == 0 && k[3] >= '1' && k[3] <= '9' && !k[4])
        return S7P_DAI_TEXT_ADDITIONAL1 + (k[3] - '1');
    return 0;
}

static bool line_text(lctx *c, sim_alarm_def *d, char *rest)
{
    bool q1, q2, q3, bad = false;
    char *lcid = word(&rest, &q1, c, &bad), *kind = word(&rest, &q2, c, &bad);
    char *text = word(&rest, &q3, c, &bad), *extra = word(&rest, &q1, c, &bad);
    uint64_t l;
    if (bad) return false;
    if (!lcid || !kind || !text || !q3 || extra)
        return failf(c, "usage: text LCID alarm|info|add1..add9 \"TEXT\"");
    if (!parse_num(lcid, 0xFFFF, &l) || l == 0) return failf(c, "bad LCID \"%s\"", lcid);
    int k = text_kind(kind);
    if (!k) return failf(c, "unknown text kind \"%s\" (alarm, info, add1..add9)", kind);
    for (unsigned i = 0; i < d->ntexts; i++)
        if (d->texts[i].lcid == l && d->texts[i].kind == k)
            return failf(c, "text %s %s given twice", lcid, kind);
    if (d->ntexts == SIM_ALARM_MAX_TEXTS) return failf(c, "more than %u texts", SIM_ALARM_MAX_TEXTS);
    sim_alarm_text *t = &d->texts[d->ntexts];
    if (!(t->text = strdup(text))) return failf(c, "out of memory");
    t->lcid = (uint16_t)l;
    t->kind = (uint8_t)k;
    d->ntexts++;
    return true;
}

static bool line_value(lctx *c, sim_alarm_def *d, char *rest)
{
    bool q1, q2, bad = false;
    char *num = word(&rest, &q1, c, &bad), *type = word(&rest, &q2, c, &bad);
    while (*rest == ' ' || *rest == '\t') rest++;
    uint64_t n;
    if (bad) return false;
    if (!num || !type || !*rest) return failf(c, "usage: value N TYPE LITERAL|@SYMBOL");
    if (!parse_num(num, S7P_ALARM_VALUES, &n) || n == 0)
        return failf(c, "value number %s is not 1..%d", num, S7P_ALARM_VALUES);
    sim_alarm_value *v = &d->values[n - 1];
    if (v->type != S7P_T_VOID) return failf(c, "value %s given twice", num);
    if (!sim_alarm_type_parse(type, &v->type, &v->str_max))
        return failf(c, "\"%s\" is no associated value type", type);
    if (*rest == '@') v->symbol = strdup(rest + 1);
    else v->literal = strdup(rest);
    if (!v->symbol && !v->literal) return failf(c, "out of memory");
    if (v->literal) {  /* checked now, so that a raise cannot fail on it */
        s7p_tag t = {.type = v->type, .str_max = v->str_max};
        s7p_tag_value tv;
        char why[160];
        if (s7p_value_parse(&t, v->literal, &tv, why, sizeof why) != S7P_OK)
            return failf(c, "value %s: %s", num, why);
        s7p_tag_value_clear(&tv);
    }
    return true;
}

static bool one_line(lctx *c, char *line)
{
    bool q, bad = false;
    char *rest = line, *kw = word(&rest, &q, c, &bad);
    if (bad) return false;
    if (!kw || kw[0] == '#') return true;
    if (q) return failf(c, "a line starts with a keyword");
    if (strcmp(kw, "alarm") == 0) return line_alarm(c, rest);
    sim_alarm_def *d = current(c);
    if (strcmp(kw, "text") == 0 || strcmp(kw, "value") == 0) {
        if (!d) return failf(c, "%s before the first alarm line", kw);
        return kw[0] == 't' ? line_text(c, d, rest) : line_value(c, d, rest);
    }
    return failf(c, "unknown keyword \"%s\" (alarm, text, value)", kw);
}

bool sim_alarm_defs_parse(const char *name, const char *text, sim_alarm_defs *out, char *err,
                          size_t err_len)
{
    lctx c = {name, 0, err, err_len, out, 0};
    memset(out, 0, sizeof *out);
    char *copy = strdup(text);
    if (!copy) return failf(&c, "out of memory");
    bool ok = true;
    for (char *line = copy, *next; ok && line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r') line[n - 1] = '\0';
        c.line++;
        ok = one_line(&c, line);
    }
    free(copy);
    if (!ok) sim_alarm_defs_free(out);
    return ok;
}

bool sim_alarm_defs_load(const char *path, sim_alarm_defs *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return false;
    }
    char *buf = malloc(MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
    bool err_read = ferror(f) != 0;
    fclose(f);
    if (!buf || err_read || n > MAX_FILE) {
        snprintf(err, err_len, "%s: %s", path, !buf ? "out of memory" : err_read ? "read error"
                                                                              : "larger than 1 MiB");
        free(buf);
        return false;
    }
    buf[n] = '\0';
    bool ok = sim_alarm_defs_parse(path, buf, out, err, err_len);
    free(buf);
    return ok;
}

/* SPDX-License-Identifier: MIT */
#include "vectors.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return s;
}

static bool add_line(lv_file *f, char *line)
{
    char *s = trim(line);
    if (!*s || *s == '#') return true;
    if (*s == '[') {
        char *e = strchr(s, ']');
        if (!e || f->n == LV_MAX_SECTIONS) return false;
        *e = 0;
        lv_section *sec = &f->sec[f->n++];
        snprintf(sec->name, sizeof sec->name, "%s", s + 1);
        return true;
    }
    char *eq = strchr(s, '=');
    if (!eq || f->n == 0) return false;
    *eq = 0;
    lv_section *sec = &f->sec[f->n - 1];
    if (sec->n == LV_MAX_KEYS) return false;
    snprintf(sec->keys[sec->n], sizeof sec->keys[0], "%s", trim(s));
    sec->values[sec->n] = strdup(trim(eq + 1));
    return sec->values[sec->n++] != NULL;
}

lv_file *lv_load(const char *path)
{
    FILE *fp = fopen(path, "r");
    lv_file *f = fp ? calloc(1, sizeof *f) : NULL;
    char line[4096];
    bool ok = f != NULL;
    while (ok && fgets(line, sizeof line, fp)) ok = add_line(f, line);
    if (fp) fclose(fp);
    if (!ok) {
        lv_free(f);
        return NULL;
    }
    return f;
}

void lv_free(lv_file *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->n; i++)
        for (size_t k = 0; k < f->sec[i].n; k++) free(f->sec[i].values[k]);
    free(f);
}

const char *lv_get(const lv_section *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->keys[i], key) == 0) return s->values[i];
    return NULL;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)toupper((unsigned char)c);
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool lv_unhex(const char *hex, uint8_t *out, size_t len)
{
    if (!hex || strlen(hex) != 2 * len) return false;
    for (size_t i = 0; i < len; i++) {
        int h = nibble(hex[2 * i]), l = nibble(hex[2 * i + 1]);
        if (h < 0 || l < 0) return false;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return true;
}

bool lv_hex(const lv_section *s, const char *key, uint8_t *out, size_t len)
{
    return lv_unhex(lv_get(s, key), out, len);
}

lv_arrays *lv_arrays_load(const char *path)
{
    FILE *fp = fopen(path, "r");
    lv_arrays *f = fp ? calloc(1, sizeof *f) : NULL;
    char line[16384];  /* the longest array: a 4 KB table, 8192 hex digits */
    bool ok = f != NULL;
    while (ok && fgets(line, sizeof line, fp)) {
        char *s = trim(line), *hex;
        if (*s != 'L') continue;
        unsigned num = (unsigned)strtoul(s + 1, &hex, 10);
        hex = trim(hex);
        if (strncmp(hex, "str ", 4) == 0) hex = trim(hex + 4);
        size_t n = strlen(hex) / 2;
        lv_array *a = f->n < LV_MAX_LINES ? &f->a[f->n++] : NULL;
        ok = a && (a->bytes = malloc(n ? n : 1)) && lv_unhex(hex, a->bytes, n);
        if (a) {
            a->line = num;
            a->len = n;
        }
    }
    if (fp) fclose(fp);
    if (!ok) {
        lv_arrays_free(f);
        return NULL;
    }
    return f;
}

void lv_arrays_free(lv_arrays *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->n; i++) free(f->a[i].bytes);
    free(f);
}

const lv_array *lv_at(const lv_arrays *f, unsigned line)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->a[i].line == line) return &f->a[i];
    return NULL;
}

uint8_t *lv_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    uint8_t *buf = NULL;
    long n = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
    if (n >= 0 && fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, fp) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    return buf;
}

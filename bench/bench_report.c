/* SPDX-License-Identifier: MIT */
#include "bench_report.h"

#include <stdlib.h>
#include <string.h>

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

bench_spread bench_spread_of(double *v, size_t n)
{
    if (!n) return (bench_spread){0, 0, 0, 0};
    qsort(v, n, sizeof *v, cmp);
    return (bench_spread){v[n / 2], v[0], v[n - 1], n};
}

bench_spread bench_ratio_of(const double *a, const double *b, double *tmp, size_t n)
{
    for (size_t i = 0; i < n; i++) tmp[i] = b[i] > 0 ? a[i] / b[i] : 0;
    return bench_spread_of(tmp, n);
}

bench_spread bench_one(double v) { return (bench_spread){v, v, v, 1}; }

bool bench_has_flag(int argc, char **argv, const char *flag)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], flag) == 0) return true;
    return false;
}

void bench_json_begin(bench_json *j, FILE *f, const char *name)
{
    j->f = f;
    j->rows = 0;
    if (j->f) fprintf(j->f, "{\"bench\": \"%s\", \"rows\": [", name);
}

/* Text for JSON: the names and notes are ours, so escaping quotes and backslashes is enough. */
static void str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void spread(FILE *f, const bench_spread *s)
{
    if (!s) fputs("null", f);
    else fprintf(f, "{\"median\": %.6g, \"min\": %.6g, \"max\": %.6g, \"n\": %zu}", s->med,
                 s->min, s->max, s->n);
}

void bench_json_row(bench_json *j, const char *name, const char *unit, bench_spread value,
                    const bench_spread *floor, const bench_spread *ratio, const char *target,
                    double target_max, const char *note)
{
    if (!j->f) return;
    FILE *f = j->f;
    fputs(j->rows++ ? ",\n  {\"name\": " : "\n  {\"name\": ", f);
    str(f, name);
    fputs(", \"unit\": ", f);
    str(f, unit);
    fputs(", \"value\": ", f);
    spread(f, &value);
    fputs(", \"floor\": ", f);
    spread(f, floor);
    fputs(", \"ratio\": ", f);
    spread(f, ratio);
    fputs(", \"target\": ", f);
    str(f, target);
    double judged = ratio ? ratio->med : value.med;
    if (target_max >= 0) fprintf(f, ", \"met\": %s", judged <= target_max ? "true" : "false");
    fputs(", \"note\": ", f);
    str(f, note);
    fputc('}', f);
}

void bench_json_end(bench_json *j)
{
    if (j->f) fputs("\n]}\n", j->f);
    j->f = NULL;
}

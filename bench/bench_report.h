/* SPDX-License-Identifier: MIT */
/* What every benchmark reports: the median of its rounds with their spread, and with
 * --json one object of rows (scripts/bench-report.py assembles the rows of all benchmarks
 * into the table of `make bench`). A row is a figure, optionally the physical floor it is
 * measured against in the same rounds, and their ratio per round. */
#ifndef S7P_BENCH_REPORT_H
#define S7P_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct bench_spread {
    double med, min, max;
    size_t n;
} bench_spread;

/** Median, minimum and maximum of v[0..n-1] (sorts v). */
bench_spread bench_spread_of(double *v, size_t n);
/** The spread of a[i] / b[i] (paired rounds); tmp holds n doubles. */
bench_spread bench_ratio_of(const double *a, const double *b, double *tmp, size_t n);
/** A single measurement as a spread of one. */
bench_spread bench_one(double v);

/** Whether argv holds `flag`. */
bool bench_has_flag(int argc, char **argv, const char *flag);

typedef struct bench_json {
    FILE *f;        /* NULL: not in --json mode, every call does nothing */
    int rows;
} bench_json;

/** Starts the object {"bench": name, "rows": [ on f; f NULL: --json is off. */
void bench_json_begin(bench_json *j, FILE *f, const char *name);
/** One row: value in unit; floor and ratio may be NULL; target (text such as "<= 1.10 x" or
 *  "<= 0.5 us") and note may be NULL. target_max: the number the target names for the ratio
 *  (or for the value when there is no ratio), < 0 when there is none; met is judged on the
 *  median. */
void bench_json_row(bench_json *j, const char *name, const char *unit, bench_spread value,
                    const bench_spread *floor, const bench_spread *ratio, const char *target,
                    double target_max, const char *note);
void bench_json_end(bench_json *j);

#endif

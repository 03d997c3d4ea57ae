/* SPDX-License-Identifier: MIT */
/* The statistics of `s7plus decode`'s summary: requests, answers, errors and round-trip
 * times per function, and per connection the PLC error codes seen (with their names) and
 * where the client's sequence numbers jumped. */
#ifndef S7P_DECODE_STATS_H
#define S7P_DECODE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

#define S7P_STATS_CODES 16u   /* PLC error codes tallied per connection */
#define S7P_STATS_GAPS 8u     /* sequence gaps listed per connection */

typedef struct s7p_fn_stat {
    uint16_t function;
    uint64_t requests, responses, errors;
    uint64_t rtt_n;
    int64_t rtt_min, rtt_max;
    double rtt_sum;   /* double: no overflow, whatever the timestamps */
} s7p_fn_stat;

/** Statistics per function, in order of first appearance. Start from {0}. */
typedef struct s7p_fn_table {
    s7p_fn_stat *v;
    size_t n, cap;
} s7p_fn_table;

/** The function's entry, made when new; NULL when out of memory. */
s7p_fn_stat *s7p_fn_get(s7p_fn_table *t, uint16_t function);
/** Counts one round trip (rtt < 0: unknown, not counted). f may be NULL. */
void s7p_fn_note_rtt(s7p_fn_stat *f, int64_t rtt);
void s7p_fn_table_free(s7p_fn_table *t);
/** "    GetMultiVariables      9 requests, 9 responses, 2 errors" per function. */
void s7p_fn_summary(s7p_strbuf *b, const s7p_fn_table *t);
/** "  GetMultiVariables      9 answers, min ... ms, avg ... ms, max ... ms" per function. */
void s7p_fn_rtt_summary(s7p_strbuf *b, const s7p_fn_table *t);

typedef struct s7p_code_count {
    int16_t code;
    uint64_t n;
} s7p_code_count;

/** Error codes and sequence gaps of one connection. Start from {0}. */
typedef struct s7p_err_stats {
    s7p_code_count codes[S7P_STATS_CODES];
    size_t ncodes;
    uint64_t item_errors;              /* items refused in answered requests */
    uint64_t gaps;
    uint16_t gap_at[S7P_STATS_GAPS][2]; /* the first gaps: last sequence number seen, next */
} s7p_err_stats;

void s7p_err_code(s7p_err_stats *e, int16_t code);
void s7p_err_gap(s7p_err_stats *e, uint16_t last, uint16_t next);
/** The refused items, the codes with their names and counts, the first gaps. */
void s7p_err_summary(s7p_strbuf *b, const s7p_err_stats *e);

#endif

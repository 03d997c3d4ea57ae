/* SPDX-License-Identifier: MIT */
/* Writes generated PLC programs (TIA source text) for the benchmarks. */
#ifndef S7P_BENCH_GEN_H
#define S7P_BENCH_GEN_H

#include <stddef.h>

/** Creates a temporary directory holding `dbs` optimized DBs of `members` mixed scalar
 *  members each (plus one struct array per DB when with_structs). Returns 0 and the
 *  directory in dir (caller removes it with bench_gen_remove). */
int bench_gen_program(char *dir, size_t dir_len, unsigned dbs, unsigned members, int with_structs);
/** As bench_gen_program with one DB, "DB1_Bench", whose members v0 .. v<members-1> are all
 *  of `type` (e.g. "DInt"). */
int bench_gen_scalars(char *dir, size_t dir_len, unsigned members, const char *type);
void bench_gen_remove(const char *dir);

#endif

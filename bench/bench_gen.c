/* SPDX-License-Identifier: MIT */
#include "bench_gen.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *types[] = {"DInt", "Real", "Int", "Bool", "UDInt", "LReal", "Word", "String[16]"};

/* uniform: every member of this type; NULL: the mixed types above in turn. */
static int write_db(const char *dir, unsigned n, unsigned members, int with_structs,
                    const char *uniform)
{
    char path[512];
    snprintf(path, sizeof path, "%s/DB%u_Bench.db", dir, n);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "DATA_BLOCK \"DB%u_Bench\"\n{ S7_Optimized_Access := 'TRUE' }\nVERSION : 0.1\n"
               "NON_RETAIN\n   STRUCT\n", n);
    for (unsigned m = 0; m < members; m++)
        fprintf(f, "      v%u : %s;\n", m,
                uniform ? uniform : types[m % (sizeof types / sizeof types[0])]);
    if (with_structs)
        fprintf(f, "      axis : Array[1..4] of Struct\n         pos : LReal;\n         on : Bool;\n"
                   "      END_STRUCT;\n");
    fprintf(f, "   END_STRUCT;\nBEGIN\nEND_DATA_BLOCK\n");
    return fclose(f);
}

int bench_gen_program(char *dir, size_t dir_len, unsigned dbs, unsigned members, int with_structs)
{
    snprintf(dir, dir_len, "/tmp/s7plus-bench-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    for (unsigned i = 1; i <= dbs; i++)
        if (write_db(dir, i, members, with_structs, NULL) != 0) return -1;
    return 0;
}

int bench_gen_scalars(char *dir, size_t dir_len, unsigned members, const char *type)
{
    snprintf(dir, dir_len, "/tmp/s7plus-bench-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    return write_db(dir, 1, members, 0, type);
}

void bench_gen_remove(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(dir);
}

/* SPDX-License-Identifier: MIT */
/* Fuzz target: the simulator's loader of TIA Portal sources and tag tables (sim/program).
 *
 * The input is split at form feeds (0x0C) into up to 8 sources, in0.db, in1.db, ..., loaded
 * together (so UDTs in one part can type members in another); the whole input is also loaded
 * on its own as a tag table, in.tags. Seeds: the sample program in examples/plc, each file
 * and all .udt/.db files joined with form feeds (fuzz/CMakeLists.txt).
 *
 * Each input is loaded strict and not strict (sources with errors left out).
 * Invariants: every line of the message starts with the name of a source (or "program:"
 * for running out of memory), one line per error; a strict load fails exactly when there is
 * an error, one that is not strict returns the rest of the program whatever the errors
 * (unless out of memory); a loaded program has DBs sorted by distinct
 * numbers, each DB's walk visits leaves 0..leaves-1 with start values of the kind of their
 * type, and the path of each of the first leaves resolves back to the same leaf. */
#include "fuzz_common.h"

#include "program/program.h"

#define TARGET "fuzz_tia_source"
#define MAX_PARTS 8
#define RESOLVE_CHECKS 64

typedef struct check {
    const s7t_db *db;
    uint64_t next;
    const uint8_t *in;
    size_t n;
} check;

static int leaf_ok(void *ctx, const s7t_leaf *l)
{
    check *c = ctx;
    if (l->index != c->next) fuzz_invariant_failed(TARGET, "leaves out of order", c->in, c->n);
    if (l->type->kind != S7T_ELEMENTARY || l->start->kind != s7t_elem_vkind(l->type))
        fuzz_invariant_failed(TARGET, "start value of the wrong kind", c->in, c->n);
    if (l->start->kind == S7T_V_TEXT && (!l->start->text.p || l->start->text.p[l->start->text.n]))
        fuzz_invariant_failed(TARGET, "text start value not terminated", c->in, c->n);
    if (c->next < RESOLVE_CHECKS) {
        /* "DB name".rest -> rest */
        size_t skip = strlen(c->db->name) + 3;
        s7t_ref r;
        char err[256];
        if (strlen(l->path) <= skip || !s7t_db_resolve(c->db, l->path + skip, &r, err, sizeof err)) {
            fprintf(stderr, "%s: %s: %s\n", TARGET, l->path, err);
            fuzz_invariant_failed(TARGET, "a leaf path does not resolve", c->in, c->n);
        }
        if (r.first != l->index || r.count != 1 || r.type != l->type)
            fuzz_invariant_failed(TARGET, "a leaf path resolves to another leaf", c->in, c->n);
    }
    c->next++;
    return 0;
}

static bool named(const char *err, const s7t_source *src, size_t n)
{
    if (strncmp(err, "program:", 8) == 0) return true;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(src[i].name);
        if (strncmp(err, src[i].name, k) == 0 && err[k] == ':') return true;
    }
    return false;
}

/* Every line names a source; the number of lines is the number of errors (all fit here). */
static bool lines_named(const char *err, const s7t_source *src, size_t n, unsigned *lines)
{
    *lines = 0;
    for (const char *l = err; *l; (*lines)++) {
        if (!named(l, src, n)) return false;
        const char *e = strchr(l, '\n');
        if (!e) {
            (*lines)++;
            break;
        }
        l = e + 1;
    }
    return true;
}

static void load(const s7t_source *src, size_t n, const uint8_t *data, size_t size, bool strict)
{
    s7t_limits lim;
    s7t_limits_init(&lim);
    lim.max_db_leaves = 100000;
    lim.max_program_bytes = (size_t)32 << 20;
    static char err[1 << 16];
    err[0] = '\0';
    s7t_load_report rep;
    s7t_program *p = s7t_program_load(src, n, &lim, strict, err, sizeof err, &rep);
    unsigned lines;
    bool oom = strncmp(err, "program:", 8) == 0 || strstr(err, "out of memory");
    if (!lines_named(err, src, n, &lines) || lines != rep.errors || rep.skipped > n ||
        (rep.errors && !rep.skipped && !oom)) {
        fprintf(stderr, "%s: message: %s\n", TARGET, err);
        fuzz_invariant_failed(TARGET, "messages do not match the errors", data, size);
    }
    if (!p) {
        if (!rep.errors || (!strict && !oom))
            fuzz_invariant_failed(TARGET, "a failed load without a reason", data, size);
        return;
    }
    if (strict && rep.errors) fuzz_invariant_failed(TARGET, "strict load with errors", data, size);
    for (size_t i = 0; i < s7t_program_db_count(p); i++) {
        const s7t_db *d = s7t_program_db(p, i);
        if (i && d->number <= s7t_program_db(p, i - 1)->number)
            fuzz_invariant_failed(TARGET, "DB numbers not ascending", data, size);
        if (s7t_program_find_db_number(p, d->number) != d || s7t_program_find_db(p, d->name) != d)
            fuzz_invariant_failed(TARGET, "DB lookup", data, size);
        check c = {d, 0, data, size};
        if (s7t_db_walk(d, leaf_ok, &c) != 0 || c.next != d->type->leaves)
            fuzz_invariant_failed(TARGET, "walk", data, size);
    }
    for (size_t i = 0; i < s7t_program_tag_count(p); i++) {
        const s7t_tag *t = s7t_program_tag(p, i);
        if (t->type->kind != S7T_ELEMENTARY || t->start.kind != s7t_elem_vkind(t->type) ||
            t->area < S7T_AREA_I || t->area > S7T_AREA_C || t->bit > 7 ||
            s7t_program_find_tag(p, t->name) != t)
            fuzz_invariant_failed(TARGET, "tag", data, size);
    }
    s7t_program_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char names[MAX_PARTS][8];
    s7t_source src[MAX_PARTS];
    size_t n = 0, start = 0;
    for (size_t i = 0; i < size && n < MAX_PARTS - 1; i++) {
        if (data[i] != 0x0C) continue;
        snprintf(names[n], sizeof names[n], "in%zu.db", n);
        src[n] = (s7t_source){names[n], (const char *)data + start, i - start};
        n++;
        start = i + 1;
    }
    snprintf(names[n], sizeof names[n], "in%zu.db", n);   /* the rest */
    src[n] = (s7t_source){names[n], (const char *)data + start, size - start};
    n++;
    load(src, n, data, size, true);
    load(src, n, data, size, false);
    s7t_source tags = {"in.tags", (const char *)data, size};
    load(&tags, 1, data, size, false);
    return 0;
}

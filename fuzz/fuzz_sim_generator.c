/* SPDX-License-Identifier: MIT */
/* Fuzz target: the simulator's value generator specs, KIND[:PERIOD_MS[:P1[:P2[:P3]]]]
 * (sim/gen_spec.c; `--generate SYMBOL=SPEC` and the control command `generate`). The input
 * is the spec (cut at its first NUL). Invariants: an accepted spec has a known kind, a
 * period within bounds, finite parameters and (sine) 2..1e6 steps, and printed back in full
 * it parses to the same spec; a refused one has its reason. Seeds: fuzz/seeds/sim_generator. */
#include "fuzz_common.h"

#include <math.h>

#include "gen_spec.h"

#define TARGET "fuzz_sim_generator"

static bool same(const sim_gen_spec *a, const sim_gen_spec *b)
{
    return a->kind == b->kind && a->period_ms == b->period_ms &&
           memcmp(a->p, b->p, sizeof a->p) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = malloc(size + 1);
    if (!spec) abort();
    memcpy(spec, data, size);
    spec[size] = '\0';
    sim_gen_spec g;
    char err[512] = "";
    if (!sim_gen_spec_parse(spec, &g, err, sizeof err)) {
        if (!err[0]) fuzz_invariant_failed(TARGET, "a refusal without its reason", data, size);
        free(spec);
        return 0;
    }
    if ((unsigned)g.kind > SIM_GEN_RANDOM || g.period_ms < SIM_GEN_PERIOD_MIN ||
        g.period_ms > SIM_GEN_PERIOD_MAX)
        fuzz_invariant_failed(TARGET, "kind or period out of bounds", data, size);
    for (int i = 0; i < 3; i++)
        if (!isfinite(g.p[i])) fuzz_invariant_failed(TARGET, "a parameter not finite", data, size);
    if (g.kind == SIM_GEN_SINE && (g.p[2] < 2 || g.p[2] > SIM_GEN_SINE_STEPS_MAX))
        fuzz_invariant_failed(TARGET, "sine steps out of bounds", data, size);
    char again[256];
    snprintf(again, sizeof again, "%s:%u:%.17g:%.17g:%.17g", sim_gen_kind_name(g.kind),
             (unsigned)g.period_ms, g.p[0], g.p[1], g.p[2]);
    sim_gen_spec h;
    if (!sim_gen_spec_parse(again, &h, err, sizeof err) || !same(&g, &h)) {
        fprintf(stderr, "%s: printed back: %s (%s)\n", TARGET, again, err);
        fuzz_invariant_failed(TARGET, "a spec printed back parses differently", data, size);
    }
    free(spec);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* The spec of a value generator, KIND[:PERIOD_MS[:P1[:P2[:P3]]]] (docs/simulator.md, "Value
 * generators"), parsed apart from the generator thread (generators.c) so that it can be
 * tested and fuzzed alone. */
#ifndef S7P_SIM_GEN_SPEC_H
#define S7P_SIM_GEN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_GEN_PERIOD_MIN 1u
#define SIM_GEN_PERIOD_MAX 3600000u
#define SIM_GEN_PERIOD_DEFAULT 1000u
#define SIM_GEN_SINE_STEPS_MAX 1e6

typedef enum { SIM_GEN_COUNTER, SIM_GEN_SINE, SIM_GEN_TOGGLE, SIM_GEN_RANDOM } sim_gen_kind;

/** A parsed spec: the kind, its period and parameters (defaults where the spec stops). */
typedef struct sim_gen_spec {
    sim_gen_kind kind;
    uint32_t period_ms;           /* SIM_GEN_PERIOD_MIN..SIM_GEN_PERIOD_MAX */
    double p[3];                  /* counter: step; sine: amplitude, offset, steps (2..1e6);
                                     random: step. Finite. */
} sim_gen_spec;

/** The kind's name ("counter", "sine", "toggle", "random"). */
const char *sim_gen_kind_name(sim_gen_kind k);

/** A finite number at s, ended by the string's end or a ':'. */
bool sim_gen_parse_number(const char *s, double *out);

/** Parses spec into *out. False with a one-line reason in err. */
bool sim_gen_spec_parse(const char *spec, sim_gen_spec *out, char *err, size_t err_len);

#endif

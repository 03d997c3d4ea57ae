/* SPDX-License-Identifier: MIT */
/* Value generator specs (gen_spec.h). */
#include "gen_spec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[] = {"counter", "sine", "toggle", "random"};

const char *sim_gen_kind_name(sim_gen_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

static bool parse_kind(const char *s, size_t n, sim_gen_kind *out)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strlen(kind_names[i]) == n && strncasecmp(s, kind_names[i], n) == 0) {
            *out = (sim_gen_kind)i;
            return true;
        }
    return false;
}

bool sim_gen_parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && (*end == '\0' || *end == ':') && errno == 0 && isfinite(*out);
}

bool sim_gen_spec_parse(const char *spec, sim_gen_spec *g, char *err, size_t err_len)
{
    static const double defaults[4][3] = {{1, 0, 0}, {100, 0, 20}, {0, 0, 0}, {1, 0, 0}};
    size_t n = strcspn(spec, ":");
    if (!parse_kind(spec, n, &g->kind)) {
        snprintf(err, err_len, "unknown generator \"%.*s\" (counter, sine, toggle, random)",
                 (int)n, spec);
        return false;
    }
    memcpy(g->p, defaults[g->kind], sizeof g->p);
    g->period_ms = SIM_GEN_PERIOD_DEFAULT;
    const char *cur = spec + n;
    for (int field = 0; *cur == ':' && field < 4; field++) {
        double v;
        if (!sim_gen_parse_number(++cur, &v)) break;
        if (field == 0) {
            if (v < SIM_GEN_PERIOD_MIN || v > SIM_GEN_PERIOD_MAX) break;
            g->period_ms = (uint32_t)v;
        } else {
            g->p[field - 1] = v;
        }
        cur += strcspn(cur, ":");
    }
    if (*cur != '\0') {
        snprintf(err, err_len, "generator \"%s\": expected KIND[:PERIOD_MS (%u..%u)[:NUMBER...]]",
                 spec, SIM_GEN_PERIOD_MIN, SIM_GEN_PERIOD_MAX);
        return false;
    }
    if (g->kind == SIM_GEN_SINE && (g->p[2] < 2 || g->p[2] > SIM_GEN_SINE_STEPS_MAX)) {
        snprintf(err, err_len, "generator \"%s\": steps per sine period must be 2..1000000", spec);
        return false;
    }
    return true;
}

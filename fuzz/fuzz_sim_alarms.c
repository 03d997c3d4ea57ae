/* SPDX-License-Identifier: MIT */
/* Fuzz target: the simulator's alarms files (sim/alarm_defs.c, `--alarms FILE`): `alarm`,
 * `text` and `value` lines, quoted strings, numbers, value types and literals. The input is
 * the file's text (cut at its first NUL, as the loader's string is). Invariants: a file
 * read has at most SIM_ALARM_MAX_DEFS definitions with distinct ids 1..65535, a name each,
 * at most SIM_ALARM_MAX_TEXTS texts of a language and kind each, and every associated value
 * a literal (that parses for its type) or a symbol; a refused file leaves nothing behind and
 * its reason starts with the file's name and line. Seeds: examples/plc/plant.alarms and
 * fuzz/seeds/sim_alarms. */
#include "fuzz_common.h"

#include "alarms.h"

#define TARGET "fuzz_sim_alarms"

static const uint8_t *g_in;
static size_t g_n;

static void expect(bool ok, const char *what)
{
    if (!ok) fuzz_invariant_failed(TARGET, what, g_in, g_n);
}

static void check_def(const sim_alarm_defs *d, size_t i)
{
    const sim_alarm_def *a = &d->items[i];
    expect(a->id >= 1 && a->id <= 0xFFFF && a->name, "an alarm without id or name");
    for (size_t k = 0; k < i; k++) expect(d->items[k].id != a->id, "an alarm id twice");
    expect(a->ntexts <= SIM_ALARM_MAX_TEXTS, "too many texts");
    for (unsigned k = 0; k < a->ntexts; k++)
        expect(a->texts[k].text && a->texts[k].lcid != 0, "a text without text or language");
    for (int k = 0; k < S7P_ALARM_VALUES; k++) {
        const sim_alarm_value *v = &a->values[k];
        if (v->type == S7P_T_VOID) {
            expect(!v->literal && !v->symbol, "an unused value with a source");
            continue;
        }
        expect(!v->literal != !v->symbol, "a value without exactly one source");
        if (!v->literal) continue;
        s7p_tag t = {.type = v->type, .str_max = v->str_max};
        s7p_tag_value tv;
        char why[160];
        expect(s7p_value_parse(&t, v->literal, &tv, why, sizeof why) == S7P_OK,
               "a literal accepted at load that does not parse");
        s7p_tag_value_clear(&tv);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_in = data;
    g_n = size;
    char *text = malloc(size + 1);
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = '\0';
    sim_alarm_defs d;
    char err[512] = "";
    if (sim_alarm_defs_parse("f.alarms", text, &d, err, sizeof err)) {
        expect(d.n <= SIM_ALARM_MAX_DEFS, "too many alarms");
        for (size_t i = 0; i < d.n; i++) check_def(&d, i);
        sim_alarm_defs_free(&d);
    } else {
        expect(strncmp(err, "f.alarms:", 9) == 0, "a refusal without the file's name");
        expect(d.n == 0 && d.items == NULL, "a refused file leaves definitions");
    }
    free(text);
    return 0;
}

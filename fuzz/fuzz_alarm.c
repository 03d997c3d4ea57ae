/* SPDX-License-Identifier: MIT */
/* Fuzz target: alarms. The input is read twice: as an object (s7p_object_decode), taken for a
 * DAI whatever its class, through s7p_dai_decode and s7p_alarm_from_object (texts in 1033,
 * then in the lowest language sent), with the round-trip invariant that a decoded DAI
 * re-encoded by the simulator's encoder (s7p_dai_encode) decodes to the same record; and as
 * an alarm text through the placeholder formatter, with typed values and with the input as
 * the packed value image. Seeds: the objects of the captures. */
#include "fuzz_common.h"

#include "proto/alarm.h"
#include "services/alarm.h"
#include "util/alloc.h"

#define TARGET "fuzz_alarm"

static void same_dai(const s7p_dai *a, const s7p_dai *b, const uint8_t *data, size_t size)
{
    bool same = a->cpu_alarm_id == b->cpu_alarm_id && a->all_states == b->all_states &&
                a->domain == b->domain && a->message_type == b->message_type &&
                a->sequence_counter == b->sequence_counter && a->ntexts == b->ntexts &&
                a->coming.present == b->coming.present && a->going.present == b->going.present &&
                a->coming.nvalues == b->coming.nvalues && a->going.nvalues == b->going.nvalues &&
                a->coming.timestamp == b->coming.timestamp && a->name.n == b->name.n &&
                a->hmi.client_alarm_id == b->hmi.client_alarm_id &&
                a->hmi.priority == b->hmi.priority;
    for (uint32_t i = 0; same && i < a->ntexts; i++)
        same = a->texts[i].key == b->texts[i].key && a->texts[i].text.n == b->texts[i].text.n;
    if (!same) fuzz_invariant_failed(TARGET, "a re-encoded DAI decodes differently", data, size);
}

static void roundtrip(const s7p_dai *d, s7p_arena *a, const uint8_t *data, size_t size)
{
    s7p_object *o = s7p_dai_encode(d, a, NULL, 0, NULL, 0);
    if (!o) return;  /* the arena's limit */
    s7p_wr cnt = s7p_wr_counter();
    if (!s7p_object_encode(&cnt, o)) fuzz_invariant_failed(TARGET, "a built DAI does not encode", data, size);
    uint8_t *buf = malloc(cnt.len ? cnt.len : 1);
    if (!buf) return;
    s7p_wr w = s7p_wr_init(buf, cnt.len);
    s7p_object *back = NULL;
    s7p_dai d2;
    s7p_rd r = s7p_rd_init(buf, cnt.len);
    if (!s7p_object_encode(&w, o) || !s7p_object_decode(&r, a, &back) ||
        s7p_dai_decode(back, a, &d2, NULL, 0) != S7P_OK)
        fuzz_invariant_failed(TARGET, "a re-encoded DAI does not decode", data, size);
    same_dai(d, &d2, data, size);
    free(buf);
}

static void as_dai(const uint8_t *data, size_t size)
{
    s7p_arena a;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    s7p_rd r = s7p_rd_init(data, size);
    s7p_object *o = NULL;
    if (s7p_object_decode(&r, &a, &o) && o) {
        o->class_id = S7P_ID_DAI_CLASS;
        s7p_dai d;
        if (s7p_dai_decode(o, &a, &d, NULL, 0) == S7P_OK) roundtrip(&d, &a, data, size);
        static const uint32_t lcids[] = {1033, 0};
        for (int i = 0; i < 2; i++) {
            s7p_alarm al;
            s7p_fail f = {0};
            if (s7p_alarm_from_object(o, lcids[i], &al, &f) == S7P_OK) s7p_alarm_clear(&al);
        }
    }
    s7p_arena_release(&a);
}

static void as_text(const uint8_t *data, size_t size)
{
    s7p_tag_value v[4] = {{.type = S7P_T_INT, .v.i = -5}, {.type = S7P_T_REAL, .v.r = 98.5f},
                          {.type = S7P_T_STRING, .v.str = {"M-101", 5}},
                          {.type = S7P_T_DWORD, .v.u = 0xDEADBEEF}};
    s7p_alarm_src typed = {v, 4, NULL, 0}, packed = {NULL, 0, data, size};
    char *out = NULL;
    if (s7p_alarm_format((const char *)data, size, &typed, 1033, NULL, NULL, &out) == S7P_OK &&
        (!out || strlen(out) > S7P_ALARM_TEXT_MAX))
        fuzz_invariant_failed(TARGET, "a formatted text is missing or too long", data, size);
    s7p_free(out);
    if (s7p_alarm_format((const char *)data, size, &packed, 0, NULL, NULL, &out) == S7P_OK)
        s7p_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_dai(data, size);
    as_text(data, size);
    return 0;
}

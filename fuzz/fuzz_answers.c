/* SPDX-License-Identifier: MIT */
/* Fuzz target: the services' takers of a PLC's answers, on what an attacker-controlled PLC
 * can send. The input is a PDU as fuzz_pdu reads it (byte 0 the protocol version, the rest
 * the data part, so fuzz_pdu's seeds serve); a response is handed to every taker of its
 * function, as the engine does once an answer's sequence number and function matched:
 *   Explore             culture info (s7p_culture_take), the active-alarm snapshot
 *                       (s7p_alarms_take, in 1033 and in the lowest language sent)
 *   GetMultiVariables   communication resources (maximum and free), the session limits
 *                       (s7p_engine_limits_take), PlcSubscriptionsFree (s7p_sub_free_take)
 *   GetVarSubStreamed   operating state (both sources), protection level and challenge of
 *                       legitimation
 *   CreateObject        the new subscription object's id (s7p_sub_created_take)
 * Invariants: what a taker accepts is within the bounds its callers rely on (language and
 * alarm counts, the reported bit masks, the state enum, the challenge length, a non-zero
 * object id), and a refusal always comes with its failure text. */
#include "fuzz_common.h"

#include "proto/pdu.h"
#include "services/alarm.h"
#include "services/cpu.h"
#include "services/legitimate.h"
#include "services/subscribe.h"

#define TARGET "fuzz_answers"

static const uint8_t *g_in;
static size_t g_n;

static void expect(bool ok, const char *what)
{
    if (!ok) fuzz_invariant_failed(TARGET, what, g_in, g_n);
}

/* A refusal has its code and a message in f. */
static void refused_with_text(s7p_status st, const s7p_fail *f)
{
    if (st != S7P_OK) expect(f->code == st && f->msg[0] != '\0', "a refusal without its text");
}

static void explore_takers(const s7p_pdu *p)
{
    s7p_cpu_culture_info ci;
    s7p_fail f = {0};
    s7p_status st = s7p_culture_take(p, &ci, &f);
    refused_with_text(st, &f);
    if (st == S7P_OK)
        expect(ci.count <= S7P_MAX_LANGUAGES && ci.count <= ci.reported &&
               (ci.count == S7P_MAX_LANGUAGES || ci.count == ci.reported),
               "culture info: language counts out of bounds");
    static const uint32_t lcids[] = {1033, 0};
    for (size_t i = 0; i < 2; i++) {
        s7p_alarm_list *l = NULL;
        s7p_fail g = {0};
        st = s7p_alarms_take(p, lcids[i], &l, &g);
        refused_with_text(st, &g);
        expect((st == S7P_OK) == (l != NULL), "alarm snapshot: list and status disagree");
        for (size_t k = 0; l && k < l->count; k++)
            expect(l->items[k].state <= S7P_ALARM_GOING, "alarm snapshot: a state out of range");
        s7p_alarm_list_free(l);
    }
}

static void get_multi_takers(const s7p_pdu *p)
{
    s7p_comm_resources r;
    s7p_resources_defaults(&r);
    s7p_resources_take(p, false, &r);
    s7p_resources_take(p, true, &r);
    expect((r.reported >> (S7P_LIMITS_MAX_N + S7P_LIMITS_FREE_N)) == 0,
           "resources: reported bits beyond the slots");
    int32_t x[S7P_LIMITS_MAX_N];
    int32_t *const slots[S7P_LIMITS_MAX_N] = {&x[0], &x[1], &x[2], &x[3], &x[4]};
    uint32_t got = s7p_engine_limits_take(p, slots, S7P_LIMITS_MAX_N);
    expect((got >> S7P_LIMITS_MAX_N) == 0, "limits: taken bits beyond the slots");
    expect(s7p_sub_free_take(p) >= -1, "PlcSubscriptionsFree below -1");
}

static void get_var_takers(const s7p_pdu *p)
{
    static const uint32_t sources[] = {S7P_ATTR_DIS_OPERATING_STATE, S7P_ATTR_CPU_STATE_FALLBACK};
    for (size_t i = 0; i < 2; i++) {
        s7p_cpu_state_info si;
        memset(&si, 0, sizeof si);
        if (s7p_cpu_state_take(&p->resp.get_var_sub_streamed.value, sources[i], &si))
            expect(si.state == s7p_cpu_state_of(si.raw) && si.source == sources[i],
                   "operating state: taken state disagrees with its number");
        expect(s7p_cpu_state_name(si.state) != NULL, "operating state without a name");
    }
    uint32_t level = 0;
    s7p_fail f = {0};
    refused_with_text(s7p_legit_level_take(p, &level, &f), &f);
    uint8_t challenge[64];
    size_t n = 0;
    s7p_fail g = {0};
    s7p_status st = s7p_legit_challenge_take(p, challenge, sizeof challenge, &n, &g);
    refused_with_text(st, &g);
    if (st == S7P_OK) expect(n >= 16 && n <= sizeof challenge, "challenge length out of bounds");
}

static void create_takers(const s7p_pdu *p)
{
    uint32_t id = 0;
    s7p_fail f = {0};
    s7p_status st = s7p_sub_created_take(p, &id, &f);
    refused_with_text(st, &f);
    if (st == S7P_OK) expect(id != 0, "subscription created with object id 0");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    g_in = data;
    g_n = size;
    uint8_t version = (uint8_t)(1u + (data[0] + 2u) % 3u);  /* 1, 2, 3 as such */
    s7p_arena a;
    s7p_pdu *pdu = malloc(sizeof *pdu);  /* s7p_pdu is large: keep it off the stack */
    if (!pdu) abort();
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    if (s7p_pdu_decode(data + 1, size - 1, version, &a, pdu) == S7P_OK &&
        (pdu->opcode == S7P_OP_RESPONSE || pdu->opcode == S7P_OP_RESPONSE2)) {
        switch (pdu->function) {
        case S7P_FC_EXPLORE: explore_takers(pdu); break;
        case S7P_FC_GET_MULTI_VARIABLES: get_multi_takers(pdu); break;
        case S7P_FC_GET_VAR_SUB_STREAMED: get_var_takers(pdu); break;
        case S7P_FC_CREATE_OBJECT: create_takers(pdu); break;
        default: break;
        }
    }
    s7p_arena_release(&a);
    free(pdu);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* Seeds for fuzz_sim_requests: sequences of requests a client sends the simulator inside its
 * session, built with the library's own request builders and encoder.
 *
 *   make_sim_seeds OUT_DIR
 *
 * Each seed is a list of request PDUs (V2 data parts), each preceded by its length (2 bytes,
 * big-endian); object ids use fuzz_sim_requests' placeholders (FUZZ_SIM_SESSION for the
 * session, FUZZ_SIM_CONTAINER for its subscription container, FUZZ_SIM_CREATED + k for
 * the k-th object created). Seeds: a tag subscription created, changed (references,
 * credit limit, cycle, route mode, by SetVariable and SetMultiVariables) and deleted; an
 * alarm subscription; legitimation (level, challenge, legacy and newer answers); reads of
 * tags by address. Files in OUT_DIR are replaced. Test code: returns 1 on any error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_sim.h"
#include "proto/pdu.h"
#include "proto/subscription.h"
#include "services/subscribe.h"
#include "session/legit.h"

#define SEED_MAX 8192

typedef struct seed {
    uint8_t buf[SEED_MAX];
    size_t len;
    bool bad;
} seed;

static s7p_link g_link;
static s7p_engine g_eng;
static s7p_arena g_a;

static void add(seed *sd, s7p_pdu *p)
{
    uint8_t tmp[SEED_MAX];
    s7p_wr w = s7p_wr_init(tmp, sizeof tmp);
    if (!s7p_pdu_encode(&w, p) || sd->len + 2 + w.len > SEED_MAX) {
        sd->bad = true;
        return;
    }
    sd->buf[sd->len++] = (uint8_t)(w.len >> 8);
    sd->buf[sd->len++] = (uint8_t)w.len;
    memcpy(sd->buf + sd->len, tmp, w.len);
    sd->len += w.len;
}

static int write_seed(const char *dir, const char *name, const seed *sd)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (sd->bad || !f || fwrite(sd->buf, 1, sd->len, f) != sd->len || fclose(f) != 0) {
        fprintf(stderr, "make_sim_seeds: %s: %s\n", path, sd->bad ? "not built" : strerror(errno));
        return 1;
    }
    return 0;
}

static void set_variable(seed *sd, uint32_t object, uint32_t attr, const s7p_value *v)
{
    s7p_pdu p;
    uint32_t *addr = s7p_arena_alloc(&g_a, sizeof *addr);
    s7p_engine_init_request(&g_eng, &p, S7P_FC_SET_VARIABLE, true);
    if (!addr || !s7p_qualifier_default(&p.qualifier, &g_a)) {
        sd->bad = true;
        return;
    }
    *addr = attr;
    p.req.set_variable.object_id = object;
    p.req.set_variable.address_count = 1;
    p.req.set_variable.addresses = addr;
    p.req.set_variable.value = *v;
    add(sd, &p);
}

static void read_attr(seed *sd, uint32_t object, uint32_t attr)
{
    s7p_pdu p;
    if (!s7p_engine_read_attr_request(&g_eng, &p, object, attr, &g_a)) sd->bad = true;
    else add(sd, &p);
}

static void create(seed *sd, const s7p_sub_params *sp)
{
    s7p_pdu p;
    s7p_object *obj = NULL;
    s7p_object **items = s7p_arena_alloc(&g_a, sizeof *items);
    if (!items || !s7p_sub_object_build(&g_a, sp, &obj)) {
        sd->bad = true;
        return;
    }
    s7p_engine_init_request(&g_eng, &p, S7P_FC_CREATE_OBJECT, true);
    p.req.create_object.request_id = FUZZ_SIM_CONTAINER;
    p.req.create_object.request_value.type = S7P_DT_UDINT;
    p.req.create_object.has_inline_iid = true;
    p.req.create_object.inline_iid = p.iid;
    p.has_iid = false;
    items[0] = obj;
    p.req.create_object.objects.items = items;
    p.req.create_object.objects.n = 1;
    add(sd, &p);
}

static void delete_object(seed *sd, uint32_t id)
{
    s7p_pdu p;
    s7p_engine_init_request(&g_eng, &p, S7P_FC_DELETE_OBJECT, true);
    p.req.delete_object.object_id = id;
    if (!s7p_qualifier_default(&p.qualifier, &g_a)) sd->bad = true;
    else add(sd, &p);
}

static const uint32_t lids_a[] = {1}, lids_b[] = {2, 3}, lids_c[] = {4};
static const s7p_sub_item items3[] = {
    {1, 0x8A0E0001u, 0, 2550, lids_a, 1},
    {2, 0x8A0E0002u, 0x12345678u, 2550, lids_b, 2},
    {3, 0x52u, 0, 3736, lids_c, 1},
};

static void scalar(s7p_value *v, uint8_t type, int64_t x)
{
    memset(v, 0, sizeof *v);
    v->type = type;
    v->v.i = x;
}

/* A tag subscription through its life. */
static seed *tag_subscription(void)
{
    static seed sd;
    s7p_sub_params sp = {.rel_id = 0x7FFFC001u, .function_class = S7P_SUB_FC_VARIABLES,
                         .route_mode = S7P_SUB_ROUTE_CYCLIC_AND_CHANGED, .cycle_ms = 100,
                         .credit_limit = 10,
                         .refs = {.create = true, .change_counter = 1, .items = items3,
                                  .n_items = 3}};
    create(&sd, &sp);
    static const uint32_t gone[] = {2};
    s7p_sub_refs more = {.change_counter = 2, .unsubscribe = gone, .n_unsubscribe = 1,
                         .items = items3, .n_items = 1};
    s7p_value v;
    if (!s7p_sub_refs_to_value(&more, &g_a, &v)) sd.bad = true;
    else set_variable(&sd, FUZZ_SIM_CREATED, S7P_ID_SUBSCRIPTION_REFERENCE_LIST, &v);
    s7p_pdu p;
    if (!s7p_sub_credit_request(&g_eng, &p, FUZZ_SIM_CREATED, 20, &g_a)) sd.bad = true;
    else add(&sd, &p);
    scalar(&v, S7P_DT_UDINT, 50);
    set_variable(&sd, FUZZ_SIM_CREATED, S7P_ID_SUBSCRIPTION_CYCLE_TIME, &v);
    scalar(&v, S7P_DT_USINT, S7P_SUB_ROUTE_CHANGED_ONLY);
    set_variable(&sd, FUZZ_SIM_CREATED, S7P_ID_SUBSCRIPTION_ROUTE_MODE, &v);
    delete_object(&sd, FUZZ_SIM_CREATED);
    create(&sd, &sp);
    delete_object(&sd, FUZZ_SIM_CONTAINER);
    return &sd;
}

static seed *alarm_subscription(void)
{
    static seed sd;
    static const uint32_t lcids[] = {1033, 1031};
    s7p_sub_params sp = {.rel_id = 0x7FFFC002u, .function_class = S7P_SUB_FC_ALARMS,
                         .route_mode = S7P_SUB_ROUTE_ALARM, .cycle_ms = 0, .credit_limit = -1,
                         .refs = {.create = true, .change_counter = 1},
                         .alarm = {.present = true, .lcids = lcids, .n_lcids = 2}};
    create(&sd, &sp);
    s7p_pdu p;
    if (!s7p_sub_credit_request(&g_eng, &p, FUZZ_SIM_CREATED, 5, &g_a)) sd.bad = true;
    else add(&sd, &p);
    delete_object(&sd, FUZZ_SIM_CREATED);
    return &sd;
}

/* Level, challenge, a (wrong) legacy answer, a newer-variant blob, the level again. */
static seed *legitimation(void)
{
    static seed sd;
    static uint8_t answer[S7P_LEGIT_SHA1_LEN] = {1, 2, 3};
    static uint8_t cipher[48] = {9, 8, 7};
    static s7p_blob blob;
    read_attr(&sd, FUZZ_SIM_SESSION, S7P_ID_EFFECTIVE_PROTECTION_LEVEL);
    read_attr(&sd, FUZZ_SIM_SESSION, S7P_LEGIT_ATTR_CHALLENGE);
    s7p_value v;
    memset(&v, 0, sizeof v);
    v.flags = S7P_VF_ARRAY;
    v.type = S7P_DT_USINT;
    v.count = sizeof answer;
    v.v.s.p = answer;
    v.v.s.n = sizeof answer;
    set_variable(&sd, FUZZ_SIM_SESSION, S7P_LEGIT_ATTR_RESPONSE, &v);
    read_attr(&sd, FUZZ_SIM_SESSION, S7P_LEGIT_ATTR_CHALLENGE);
    memset(&v, 0, sizeof v);
    blob.data.p = cipher;
    blob.data.n = sizeof cipher;
    v.type = S7P_DT_BLOB;
    v.v.blob = &blob;
    set_variable(&sd, FUZZ_SIM_SESSION, S7P_LEGIT_ATTR_LEGITIMATE, &v);
    read_attr(&sd, FUZZ_SIM_SESSION, S7P_ID_EFFECTIVE_PROTECTION_LEVEL);
    return &sd;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 1;
    }
    if (mkdir(argv[1], 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_sim_seeds: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    if (s7p_link_init(&g_link, -1) != S7P_OK) return 1;
    s7p_engine_init(&g_eng, &g_link, NULL, NULL);
    g_eng.props.session_id = FUZZ_SIM_SESSION;
    s7p_arena_init(&g_a, 1u << 20);
    int rc = write_seed(argv[1], "tag_subscription", tag_subscription());
    rc |= write_seed(argv[1], "alarm_subscription", alarm_subscription());
    rc |= write_seed(argv[1], "legitimation", legitimation());
    s7p_arena_release(&g_a);
    s7p_engine_free(&g_eng);
    s7p_link_free(&g_link);
    printf("make_sim_seeds: 3 seeds in %s\n", argv[1]);
    return rc;
}

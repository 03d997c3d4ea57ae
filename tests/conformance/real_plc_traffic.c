/* SPDX-License-Identifier: MIT */
/* s7p_real_plc_traffic KEYLOG PROGRAM_DIR [ORDER_NUMBER FIRMWARE]: the requests other
 * clients send a real CPU (raw client tc.h, built from the spec), for the capture harness
 * (capture_check.sh): the session's CreateObject (its answer as the CPU family sends it), Explore of
 * the type-info container with and without attributes, the execution unit's operating state
 * (GetVarSubStreamed path and struct) and a STOP/RUN request (SetVariable), byte-range reads
 * and writes of a standard DB, and the error answers to an unknown object. The simulator logs
 * its TLS secrets to KEYLOG so the capture decrypts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tc.h"
#include "traffic.h"

#define CALL(build)                                                                             \
    do {                                                                                        \
        s7p_pdu req_;                                                                           \
        const s7p_pdu *r_;                                                                      \
        build;                                                                                  \
        if (tc_call(t, &req_, &r_) != S7P_OK) {                                                 \
            fprintf(stderr, "real_plc_traffic: %s: %s\n", #build, t->err);                      \
            return 1;                                                                           \
        }                                                                                       \
        resp = r_;                                                                              \
    } while (0)

/* The DB "Legacy" of examples/plc is DB 1 (numbers are given in name order, DB20_... aside). */
static uint32_t legacy_area(tc *t)
{
    s7p_pdu req;
    const s7p_pdu *r;
    static const uint32_t attrs[] = {233};
    tc_explore_req(t, &req, 3, true, attrs, 1);
    if (tc_call(t, &req, &r) != S7P_OK || r->resp.explore.objects.n != 1) return 0;
    for (const s7p_obj_elem *e = r->resp.explore.objects.items[0]->first; e; e = e->next) {
        const s7p_value *n = e->tag == S7P_EL_START_OBJECT ? s7p_object_attr(e->u.child, 233) : NULL;
        if (n && n->v.s.n == 6 && memcmp(n->v.s.p, "Legacy", 6) == 0) return e->u.child->rel_id;
    }
    return 0;
}

static int traffic(tc *t, uint16_t port)
{
    const s7p_pdu *resp;
    if (tc_connect_session(t, port) != S7P_OK) {
        fprintf(stderr, "real_plc_traffic: connect: %s\n", t->err);
        return 1;
    }
    static const uint32_t ti_attrs[] = {1503, 611, 529, 410};
    static const uint32_t state_path[] = {2237, 3486};
    CALL(tc_get_attr_path_req(t, &req_, 52, state_path, 2));
    CALL(tc_get_attr_req(t, &req_, 52, 2237));
    CALL(tc_set_variable_req(t, &req_, 52, 2167, 1));
    CALL(tc_get_attr_path_req(t, &req_, 52, state_path, 2));
    if (resp->resp.get_var_sub_streamed.value.v.i != 4) return 1;
    CALL(tc_set_variable_req(t, &req_, 52, 2167, 3));
    uint32_t legacy = legacy_area(t);
    if (!legacy) return 1;
    CALL(tc_get_range_req(t, &req_, legacy, 64, 8, -1));
    CALL(tc_get_range_req(t, &req_, legacy, 66, 1, 3));
    static const uint8_t level[2] = {0x12, 0x34};
    CALL(tc_set_range_req(t, &req_, legacy, 68, level, 2, -1, false));
    CALL(tc_set_range_req(t, &req_, legacy, 82, NULL, 1, 0, true));
    CALL(tc_get_range_req(t, &req_, legacy, 64, 32, -1));
    if (resp->resp.get_multi.errors.n) return 1;
    CALL(tc_explore_req(t, &req_, 0x12345678u, false, NULL, 0));
    CALL(tc_get_attr_req(t, &req_, 7735, 7735));
    if (s7p_ret_code(resp->ret) != -12) return 1;
    CALL(tc_set_variable_req(t, &req_, 0x12345678u, 2167, 1));
    /* Last: tshark does not decode the answers after a response it had to reassemble from
     * several frames inside TLS, so the big type-info answers come at the end. */
    CALL(tc_explore_req(t, &req_, 537, false, ti_attrs, 4));
    CALL(tc_explore_req(t, &req_, 537, true, NULL, 0));
    return tc_delete_session(t) == S7P_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if ((argc != 3 && argc != 5) || !traffic_env_ok()) {
        fprintf(stderr, "usage: S7P_PORT_FILE=F S7P_GO_FILE=G s7p_real_plc_traffic KEYLOG DIR "
                        "[ORDER_NUMBER FIRMWARE]\n");
        return 2;
    }
    unlink(argv[1]);
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.keylog_file = argv[1];
    cfg.program_dir = argv[2];
    if (argc == 5) {  /* the CPU whose session answer to send (an S7-1200's, say) */
        cfg.order_number = argv[3];
        cfg.firmware = argv[4];
    }
    s7p_sim *sim = traffic_sim_start("real_plc_traffic", &cfg);
    if (!sim) return 1;
    tc t;
    memset(&t, 0, sizeof t);
    int rc = traffic(&t, s7p_sim_port(sim));
    tc_close(&t);
    s7p_sim_stop(sim);
    if (rc == 0) printf("real_plc_traffic: all requests answered\n");
    return rc;
}

/* SPDX-License-Identifier: MIT */
/* Fuzz target: the simulator's handling of what a hostile client sends inside its session
 * (sim/handlers.c, subs.c, alarm_subs.c, legit.c): subscriptions created, changed and
 * deleted, their notifications, legitimation (level, challenge, legacy and newer answers),
 * reads, writes and explores of the program in examples/plc. One simulator per process
 * (started on 127.0.0.1, a free port, without clients), protected (read access until a
 * login, passwords for every level, so that writes are refused and the served data stays as
 * loaded); each input is one connection with a fresh session.
 *
 * The input is a list of request PDUs (V2 data parts), each preceded by its length (2 bytes,
 * big-endian). Each is decoded, its session id set to the connection's, object ids of the
 * placeholders of fuzz_sim.h replaced, dispatched (sim_dispatch), and the subscriptions run
 * (their notifications go to a closed channel); each chunk is also parsed as a decrypted
 * legitimation payload (s7p_legit_payload_parse: the simulator's parser of the newer
 * variant, behind AES-CBC otherwise). Invariants: every answer encodes, a refused login
 * never raises the level, the subscription count of the simulator returns to 0 after the
 * connection. Seeds: make_sim_seeds (test fuzz_sim_seeds). */
#include "fuzz_common.h"

#include "fuzz_sim.h"
#include "proto/pdu.h"
#include "session/legit.h"
#include "sim_int.h"

#define TARGET "fuzz_sim_requests"
#define MAX_CREATED 8u

static const uint8_t *g_in;
static size_t g_n;

static void expect(bool ok, const char *what)
{
    if (!ok) fuzz_invariant_failed(TARGET, what, g_in, g_n);
}

/* The simulator of this process (started at the first input, never stopped). */
static s7p_sim *simulator(void)
{
    static s7p_sim *sim;
    if (sim) return sim;
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.program_dir = S7P_FUZZ_PLC_DIR;
    cfg.alarms_file = S7P_FUZZ_PLC_DIR "/plant.alarms";
    cfg.protection_level = 2;
    cfg.passwords[0] = "full";
    cfg.passwords[1] = "read";
    cfg.passwords[2] = "hmi";
    cfg.max_subscriptions = 4;
    if (getenv("FUZZ_SIM_LOG")) {  /* to see what an input does */
        cfg.log = stderr;
        cfg.verbosity = 2;
    }
    char err[512];
    sim = s7p_sim_start(&cfg, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "%s: simulator: %s\n", TARGET, err);
        abort();
    }
    return sim;
}

typedef struct conn_state {
    sim_conn c;
    uint32_t created[MAX_CREATED];
    unsigned ncreated;
} conn_state;

static void map_id(const conn_state *cs, uint32_t *id)
{
    if (*id == FUZZ_SIM_SESSION) *id = cs->c.session;
    else if (*id == FUZZ_SIM_CONTAINER) *id = cs->c.session2;
    else if (*id >= FUZZ_SIM_CREATED && *id < FUZZ_SIM_CREATED + MAX_CREATED)
        *id = cs->created[*id - FUZZ_SIM_CREATED];
}

static void patch(const conn_state *cs, s7p_pdu *p)
{
    p->session_id = cs->c.session;
    switch (p->function) {
    case S7P_FC_CREATE_OBJECT: map_id(cs, &p->req.create_object.request_id); break;
    case S7P_FC_DELETE_OBJECT: map_id(cs, &p->req.delete_object.object_id); break;
    case S7P_FC_SET_VARIABLE: map_id(cs, &p->req.set_variable.object_id); break;
    case S7P_FC_SET_MULTI_VARIABLES: map_id(cs, &p->req.set_multi.object_id); break;
    case S7P_FC_GET_VAR_SUB_STREAMED: map_id(cs, &p->req.var_sub_streamed.object_id); break;
    default: break;
    }
}

static void check_reply(conn_state *cs, const s7p_pdu *req, const sim_reply *r,
                        unsigned level_before)
{
    if (!r->send && !r->close) return;
    s7p_wr cw = s7p_wr_counter();
    expect(s7p_pdu_encode(&cw, &r->pdu), "an answer of the simulator does not encode");
    if (req->function == S7P_FC_CREATE_OBJECT && !r->pdu.ret_only &&
        r->pdu.resp.create_object.nids >= 1 && cs->ncreated < MAX_CREATED)
        cs->created[cs->ncreated++] = r->pdu.resp.create_object.object_ids[0];
    if (req->function == S7P_FC_SET_VARIABLE && s7p_ret_code(r->pdu.ret) < 0)
        expect(cs->c.legit.level == level_before, "a refused request changed the access level");
}

static void one_request(conn_state *cs, const uint8_t *p, size_t n, s7p_arena *a, s7p_pdu *req,
                        sim_reply *r)
{
    s7p_legit_payload_view view;
    (void)s7p_legit_payload_parse(p, n, a, &view);
    if (s7p_pdu_decode(p, n, S7P_PROTO_V2, a, req) != S7P_OK || req->opcode != S7P_OP_REQUEST)
        return;
    patch(cs, req);
    unsigned level = cs->c.legit.level;
    sim_dispatch(&cs->c, req, a, r);
    check_reply(cs, req, r, level);
    if (r->close || !cs->c.session) return;
    (void)sim_subs_run(&cs->c, a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_in = data;
    g_n = size;
    s7p_sim *sim = simulator();
    conn_state *cs = calloc(1, sizeof *cs);
    s7p_pdu *req = malloc(sizeof *req);
    sim_reply *r = malloc(sizeof *r);
    if (!cs || !req || !r) abort();
    cs->c.sim = sim;
    cs->c.id = 1;
    cs->c.fd = -1;
    cs->c.wake.fd[0] = cs->c.wake.fd[1] = -1;
    if (s7p_channel_init(&cs->c.ch, -1) != S7P_OK ||
        !sim_session_acquire(sim, &cs->c.session, &cs->c.session2))
        abort();
    sim_legit_session_start(&cs->c);
    for (size_t off = 0; off + 2 <= size && cs->c.session;) {
        size_t n = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (n > size - off) n = size - off;
        s7p_arena a;
        s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
        one_request(cs, data + off, n, &a, req, r);
        s7p_arena_release(&a);
        off += n;
    }
    sim_subs_free_all(&cs->c);
    if (cs->c.session) sim_session_release(sim);
    s7p_channel_close(&cs->c.ch);
    expect(atomic_load(&sim->subs_active) == 0, "subscriptions left after the connection");
    free(r);
    free(req);
    free(cs);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* Fault injection of the simulator, seen through the public client API: for every fault kind
 * a read of "AllTypes".v_int (examples/plc) fails with the error the client documents (or,
 * where the client cannot tell, the error it really gives), in bounded time, with the
 * `transient` flag of src/client/error.c; the simulator counts exactly the requests that
 * reached it; and the same client handle reconnects and reads again once the fault is
 * cleared. Then the fault selection (function, nth), faults during connect (in clear and in
 * TLS), stopping the simulator while a fault holds an answer back, and the command line.
 * Run under ASan, each test also checks that nothing leaks on these error paths. */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>

#include <s7plus/s7plus.h>

#include "simtest.h"
#include "util/clock.h"

#ifndef S7P_EXAMPLES_PLC
#error "S7P_EXAMPLES_PLC must name the examples/plc directory"
#endif
#ifndef S7P_SIM_EXE
#error "S7P_SIM_EXE must name the s7plus-sim executable"
#endif

#define REQ_MS 500u
#define CONNECT_MS 1500u
#define TIMEOUT_MAX_MS (REQ_MS + REQ_MS / 4u)    /* a timeout: within request timeout + 25 % */
#define FAST_MS 250u                             /* a failure the client can see at once */
#define STOP_MS 1000u
#define SYMBOL "\"AllTypes\".v_int"
#define V_INT (-12345)

#define FC_EXPLORE 0x04BBu
#define FC_CREATE_OBJECT 0x04CAu
#define FC_DELETE_OBJECT 0x04D4u
#define FC_SET_MULTI 0x0542u
#define FC_GET_MULTI 0x054Cu
#define FC_GET_VAR_SUB_STREAMED 0x0586u
#define FC_INIT_SSL 0x05B3u

/* ---- fixture: a simulator serving examples/plc, a connected client, the tag -------------- */

typedef struct fx {
    s7p_sim *sim;
    s7p_client *cli;
    s7p_tag tag;
} fx;

static s7p_client *new_client(uint16_t port, uint32_t request_ms, uint32_t connect_ms)
{
    s7p_client_options o;
    st_client_options(&o, port);
    o.request_timeout_ms = request_ms;
    o.connect_timeout_ms = connect_ms;
    o.disconnect_timeout_ms = REQ_MS;
    return st_client_new(&o);
}

static int setup(void **state)
{
    fx *F = calloc(1, sizeof *F);
    assert_non_null(F);
    F->sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    F->cli = new_client(s7p_sim_port(F->sim), REQ_MS, CONNECT_MS);
    s7p_error err;
    assert_int_equal(s7p_connect(F->cli, &err), S7P_OK);
    assert_int_equal(s7p_tag_by_symbol(F->cli, SYMBOL, &F->tag, &err), S7P_OK);
    *state = F;
    return 0;
}

static int teardown(void **state)
{
    fx *F = *state;
    int64_t t0 = s7p_now_ms();
    s7p_client_free(F->cli);
    assert_true(s7p_now_ms() - t0 < 2 * (int64_t)REQ_MS);
    t0 = s7p_now_ms();
    s7p_sim_stop(F->sim);
    assert_true(s7p_now_ms() - t0 < STOP_MS);
    free(F);
    return 0;
}

/* ---- helpers ----------------------------------------------------------------------------- */

/* Requests the simulator counted, by function. */
typedef struct counts {
    unsigned long init_ssl, create, del, explore, get_multi, set_multi, get_attr;
} counts;

static counts count_now(const s7p_sim *s)
{
    counts c = {s7p_sim_requests(s, FC_INIT_SSL), s7p_sim_requests(s, FC_CREATE_OBJECT),
                s7p_sim_requests(s, FC_DELETE_OBJECT), s7p_sim_requests(s, FC_EXPLORE),
                s7p_sim_requests(s, FC_GET_MULTI), s7p_sim_requests(s, FC_SET_MULTI),
                s7p_sim_requests(s, FC_GET_VAR_SUB_STREAMED)};
    return c;
}

/* Later counts minus earlier ones must be exactly d (a request that arrived is counted at
 * once, before any answer, so no waiting is needed). */
static void expect_delta(const counts *a, const counts *b, const counts *d)
{
    assert_int_equal(b->init_ssl - a->init_ssl, d->init_ssl);
    assert_int_equal(b->create - a->create, d->create);
    assert_int_equal(b->del - a->del, d->del);
    assert_int_equal(b->explore - a->explore, d->explore);
    assert_int_equal(b->get_multi - a->get_multi, d->get_multi);
    assert_int_equal(b->set_multi - a->set_multi, d->set_multi);
    assert_int_equal(b->get_attr - a->get_attr, d->get_attr);
}

typedef struct outcome {
    s7p_status st;
    s7p_error err;
    int64_t ms;
    s7p_conn_state state;
} outcome;

/* One read of the tag; a success must bring the program's start value. */
static outcome read_tag(fx *F)
{
    outcome o;
    s7p_tag_value v;
    s7p_item_result r;
    memset(&v, 0, sizeof v);
    int64_t t0 = s7p_now_ms();
    o.st = s7p_read(F->cli, &F->tag, 1, &v, &r, &o.err);
    o.ms = s7p_now_ms() - t0;
    o.state = s7p_get_state(F->cli);
    assert_int_equal(o.err.code, o.st);
    if (o.st == S7P_OK) {
        assert_int_equal(r.code, S7P_OK);
        assert_int_equal(v.type, S7P_T_INT);
        assert_int_equal(v.v.i, V_INT);
    }
    s7p_tag_value_clear(&v);
    return o;
}

static void report(const char *what, const outcome *o)
{
    printf("[fault] %-22s -> %-16s transient=%d plc_code=%d state=%-12s %4lld ms | %s\n", what,
           o->st == S7P_OK ? "OK" : s7p_strerror(o->st), o->err.transient, o->err.plc_code,
           s7p_state_name(o->state), (long long)o->ms, o->err.message);
}

/* The fault on the next GetMultiVariables, one read, the fault cleared again. */
static outcome read_with_fault(fx *F, s7p_sim_fault_kind kind, unsigned delay_ms, int16_t code)
{
    s7p_sim_fault f = {kind, FC_GET_MULTI, 1, delay_ms, code};
    counts before = count_now(F->sim);
    s7p_sim_set_fault(F->sim, &f);
    outcome o = read_tag(F);
    counts after = count_now(F->sim);
    s7p_sim_clear_fault(F->sim);
    char what[48];
    snprintf(what, sizeof what, "%s%s", s7p_sim_fault_name(kind),
             kind == S7P_SIM_FAULT_DELAY ? (delay_ms < REQ_MS ? " (short)" : " (long)") : "");
    report(what, &o);
    /* Exactly the one read reached the simulator; nothing was retried or sent besides. */
    counts one = {.get_multi = 1};
    expect_delta(&before, &after, &one);
    assert_int_equal(s7p_sim_fault_hits(F->sim), 1);
    return o;
}

static void expect_timeout(const outcome *o)
{
    assert_int_equal(o->st, S7P_E_TIMEOUT);
    assert_true(o->err.transient);
    assert_true(o->ms >= (int64_t)REQ_MS - 5);
    assert_true(o->ms <= (int64_t)TIMEOUT_MAX_MS);
    assert_int_equal(o->state, S7P_STATE_FAULTED);
}

static void expect_fast(const outcome *o, s7p_status code, bool transient)
{
    assert_int_equal(o->st, code);
    assert_int_equal(o->err.transient, transient);
    assert_true(o->ms < (int64_t)FAST_MS);
}

/* Waits up to a second for the simulator to count n sessions. */
static bool wait_sessions(const s7p_sim *s, unsigned n)
{
    int64_t end = s7p_deadline_in(STOP_MS);
    while (s7p_sim_sessions(s) != n && s7p_now_ms() < end) st_sleep_ms(2);
    return s7p_sim_sessions(s) == n;
}

/* The same handle: disconnect, connect, read. deleted: whether the disconnect still had a
 * session to delete (a DeleteObject reached the simulator). */
static void reconnect_and_read(fx *F, bool deleted)
{
    counts before = count_now(F->sim);
    s7p_error err;
    assert_int_equal(s7p_disconnect(F->cli, &err), S7P_OK);
    assert_int_equal(s7p_get_state(F->cli), S7P_STATE_DISCONNECTED);
    assert_int_equal(s7p_connect(F->cli, &err), S7P_OK);
    outcome o = read_tag(F);
    assert_int_equal(o.st, S7P_OK);
    assert_int_equal(o.state, S7P_STATE_CONNECTED);
    counts after = count_now(F->sim);
    /* A DeleteObject is counted once the simulator read it, which may be after disconnect
     * returned when the client did not wait for the answer: compare after the connect. */
    assert_int_equal(after.del - before.del, deleted ? 1u : 0u);
    /* connect: InitSsl, CreateObject, set-up write, limits read, protection level; the read */
    counts d = {.init_ssl = 1, .create = 1, .get_multi = 2, .set_multi = 1, .get_attr = 1,
                .del = deleted ? 1u : 0u};
    expect_delta(&before, &after, &d);
    /* The old connection's session is gone once the simulator saw the client hang up. */
    assert_true(wait_sessions(F->sim, 1));
}

/* ---- one test per fault kind ------------------------------------------------------------- */

static void test_drop_before_response(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, 0, 0);
    assert_true(o.st == S7P_E_CLOSED || o.st == S7P_E_IO);
    expect_fast(&o, o.st, true);
    assert_int_equal(o.state, S7P_STATE_FAULTED);
    reconnect_and_read(F, false);
}

static void test_drop_mid_response(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_DROP_MID_RESPONSE, 0, 0);
    assert_true(o.st == S7P_E_CLOSED || o.st == S7P_E_IO);
    expect_fast(&o, o.st, true);
    assert_int_equal(o.state, S7P_STATE_FAULTED);
    reconnect_and_read(F, false);
}

static void test_stall(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_STALL, 0, 0);
    expect_timeout(&o);
    reconnect_and_read(F, false);
}

static void test_delay_below_timeout(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_DELAY, REQ_MS / 2, 0);
    assert_int_equal(o.st, S7P_OK);
    assert_true(o.ms >= (int64_t)REQ_MS / 2 - 5 && o.ms < (int64_t)REQ_MS);
    assert_int_equal(o.state, S7P_STATE_CONNECTED);
    reconnect_and_read(F, true);
}

static void test_delay_above_timeout(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_DELAY, 2 * REQ_MS, 0);
    expect_timeout(&o);
    reconnect_and_read(F, false);
}

/* The client cannot tell a cut frame from a slow network: it waits for the rest. */
static void test_truncated_frame(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_TRUNCATED_FRAME, 0, 0);
    expect_timeout(&o);
    reconnect_and_read(F, false);
}

static void test_garbage(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_GARBAGE, 0, 0);
    expect_fast(&o, S7P_E_PROTOCOL, false);
    assert_int_equal(o.state, S7P_STATE_FAULTED);
    reconnect_and_read(F, false);
}

static void test_oversized_length(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_OVERSIZED_LENGTH, 0, 0);
    expect_fast(&o, S7P_E_PROTOCOL, false);
    assert_int_equal(o.state, S7P_STATE_FAULTED);
    reconnect_and_read(F, false);
}

static void test_tls_alert(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_TLS_ALERT, 0, 0);
    expect_fast(&o, S7P_E_TLS, true);
    assert_int_equal(o.state, S7P_STATE_FAULTED);
    /* OpenSSL's reason: the peer's alert, not a local decryption failure. */
    assert_int_not_equal(o.err.tls_err, 0);
    const char *why = ERR_reason_error_string(o.err.tls_err);
    assert_non_null(why);
    assert_non_null(strstr(why, "alert"));
    reconnect_and_read(F, false);
}

/* An answer whose sequence number is not the request's cannot be a late answer (one
 * request is outstanding at a time and a timeout ends the connection): the client fails at
 * once with a protocol error instead of waiting out the timeout. */
static void test_wrong_sequence(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_WRONG_SEQUENCE, 0, 0);
    expect_fast(&o, S7P_E_PROTOCOL, false);
    assert_int_equal(o.state, S7P_STATE_FAULTED);
    assert_non_null(strstr(o.err.message, "sequence number"));
    reconnect_and_read(F, false);
}

/* A refused request: S7P_E_PLC with the code; transient only for the "busy" codes; the
 * session stays usable without reconnecting. */
static void test_plc_error(void **state)
{
    fx *F = *state;
    static const struct {
        int16_t code;
        bool transient;
    } cases[] = {{-108, true}, {-112, true}, {-119, false}, {-12, false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        outcome o = read_with_fault(F, S7P_SIM_FAULT_PLC_ERROR, 0, cases[i].code);
        expect_fast(&o, S7P_E_PLC, cases[i].transient);
        assert_int_equal(o.err.plc_code, cases[i].code);
        assert_int_equal(o.err.plc_return, (uint64_t)(uint16_t)cases[i].code);
        assert_int_equal(o.state, S7P_STATE_CONNECTED);
        o = read_tag(F);
        assert_int_equal(o.st, S7P_OK);
    }
    reconnect_and_read(F, true);
}

/* A fatal system event: S7P_E_PROTOCOL with the event's return value. The state is not
 * checked: the client still says CONNECTED although the PLC has closed (its next call fails
 * with S7P_E_CLOSED and only then FAULTED), where a fatal event should fault the session. */
static void test_system_event(void **state)
{
    fx *F = *state;
    outcome o = read_with_fault(F, S7P_SIM_FAULT_SYSTEM_EVENT, 0, -30);
    expect_fast(&o, S7P_E_PROTOCOL, false);
    assert_int_equal((int64_t)o.err.plc_return, -30);
    assert_int_equal(o.err.plc_code, -30);
    assert_non_null(strstr(o.err.message, "system event"));
    assert_int_equal(o.state, S7P_STATE_FAULTED);        /* the client gives up the link too */
    assert_true(wait_sessions(F->sim, 0));               /* the simulator closed */
    reconnect_and_read(F, false);
}

/* ---- selecting the request --------------------------------------------------------------- */

/* "Drop the connection on the 2nd GetMultiVariables": the first read passes, the second
 * fails, later ones pass again (the fault stays set but has had its request). */
static void test_nth_request(void **state)
{
    fx *F = *state;
    s7p_sim_fault f = {S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, FC_GET_MULTI, 2, 0, 0};
    s7p_sim_set_fault(F->sim, &f);
    assert_int_equal(read_tag(F).st, S7P_OK);
    assert_int_equal(s7p_sim_fault_hits(F->sim), 0);
    outcome o = read_tag(F);
    assert_true(o.st == S7P_E_CLOSED || o.st == S7P_E_IO);
    assert_int_equal(s7p_sim_fault_hits(F->sim), 1);
    s7p_error err;
    assert_int_equal(s7p_connect(F->cli, &err), S7P_OK);  /* FAULTED -> connect again */
    assert_int_equal(read_tag(F).st, S7P_OK);
    assert_int_equal(read_tag(F).st, S7P_OK);
    assert_int_equal(s7p_sim_fault_hits(F->sim), 1);
    s7p_sim_clear_fault(F->sim);
    assert_int_equal(s7p_sim_fault_hits(F->sim), 1);     /* stays readable after clear */
}

/* nth 0: every matching request; other functions pass. */
static void test_every_request(void **state)
{
    fx *F = *state;
    s7p_sim_fault f = {S7P_SIM_FAULT_PLC_ERROR, FC_GET_MULTI, 0, 0, -108};
    s7p_sim_set_fault(F->sim, &f);
    for (int i = 0; i < 3; i++) assert_int_equal(read_tag(F).st, S7P_E_PLC);
    s7p_tag t;
    s7p_error err;
    assert_int_equal(s7p_tag_by_symbol(F->cli, "\"AllTypes\".v_dint", &t, &err), S7P_OK);
    s7p_cpu_info info;
    assert_int_equal(s7p_get_cpu_info(F->cli, &info, &err), S7P_OK);
    assert_int_equal(s7p_sim_fault_hits(F->sim), 3);
    s7p_sim_set_fault(F->sim, NULL);
    assert_int_equal(read_tag(F).st, S7P_OK);
    assert_int_equal(s7p_sim_fault_hits(F->sim), 0);      /* set (to none) restarts the count */
}

/* function 0: the next request of any function. */
static void test_any_function(void **state)
{
    fx *F = *state;
    s7p_sim_fault f = {S7P_SIM_FAULT_PLC_ERROR, 0, 1, 0, -119};
    s7p_sim_set_fault(F->sim, &f);
    s7p_cpu_info info;
    s7p_error err;
    assert_int_equal(s7p_get_cpu_info(F->cli, &info, &err), S7P_E_PLC);
    assert_int_equal(err.plc_code, -119);
    assert_int_equal(read_tag(F).st, S7P_OK);
    assert_int_equal(s7p_sim_fault_hits(F->sim), 1);
}

/* ---- faults while connecting ------------------------------------------------------------- */

typedef struct connect_case {
    s7p_sim_fault_kind kind;
    uint16_t function;
    int16_t code;
    s7p_status want, alt;         /* alt: a second acceptable code (CLOSED vs IO) */
    bool timeout;                 /* fails by the connect timeout */
} connect_case;

static void connect_with_fault(fx *F, const connect_case *k)
{
    s7p_error err;
    assert_int_equal(s7p_disconnect(F->cli, &err), S7P_OK);
    s7p_sim_fault f = {k->kind, k->function, 1, 0, k->code};
    s7p_sim_set_fault(F->sim, &f);
    int64_t t0 = s7p_now_ms();
    s7p_status st = s7p_connect(F->cli, &err);
    int64_t ms = s7p_now_ms() - t0;
    s7p_sim_clear_fault(F->sim);
    char what[64];
    snprintf(what, sizeof what, "%s@%s", s7p_sim_fault_name(k->kind),
             k->function == FC_INIT_SSL ? "InitSsl" : "CreateObject");
    outcome o = {st, err, ms, s7p_get_state(F->cli)};
    report(what, &o);
    assert_true(st == k->want || st == k->alt);
    assert_int_equal(err.code, st);
    assert_int_equal(s7p_sim_fault_hits(F->sim), 1);
    assert_int_equal(o.state, S7P_STATE_DISCONNECTED);
    if (k->timeout)
        assert_true(ms >= (int64_t)CONNECT_MS - 5 && ms <= (int64_t)(CONNECT_MS * 11 / 10));
    else  /* TCP, COTP and (for CreateObject) the TLS handshake come first */
        assert_true(ms < (int64_t)CONNECT_MS / 2);
    if (k->want == S7P_E_PLC) assert_int_equal(err.plc_code, k->code);
    /* The session a failed connect may have opened is gone once the client has closed. */
    assert_true(wait_sessions(F->sim, 0));
    assert_int_equal(s7p_connect(F->cli, &err), S7P_OK);
    assert_int_equal(read_tag(F).st, S7P_OK);
}

/* In clear (InitSsl) and inside TLS (CreateObject): the clear-mode variants of the faults. */
static void test_connect_faults(void **state)
{
    fx *F = *state;
    static const connect_case cases[] = {
        {S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, FC_INIT_SSL, 0, S7P_E_CLOSED, S7P_E_IO, false},
        {S7P_SIM_FAULT_DROP_MID_RESPONSE, FC_INIT_SSL, 0, S7P_E_CLOSED, S7P_E_IO, false},
        {S7P_SIM_FAULT_STALL, FC_INIT_SSL, 0, S7P_E_TIMEOUT, S7P_E_TIMEOUT, true},
        {S7P_SIM_FAULT_TRUNCATED_FRAME, FC_INIT_SSL, 0, S7P_E_TIMEOUT, S7P_E_TIMEOUT, true},
        {S7P_SIM_FAULT_GARBAGE, FC_INIT_SSL, 0, S7P_E_PROTOCOL, S7P_E_PROTOCOL, false},
        {S7P_SIM_FAULT_OVERSIZED_LENGTH, FC_INIT_SSL, 0, S7P_E_PROTOCOL, S7P_E_PROTOCOL, false},
        {S7P_SIM_FAULT_TLS_ALERT, FC_INIT_SSL, 0, S7P_E_PROTOCOL, S7P_E_PROTOCOL, false},
        {S7P_SIM_FAULT_WRONG_SEQUENCE, FC_INIT_SSL, 0, S7P_E_PROTOCOL, S7P_E_PROTOCOL, false},
        {S7P_SIM_FAULT_PLC_ERROR, FC_INIT_SSL, -107, S7P_E_SECURITY_MODE, S7P_E_SECURITY_MODE,
         false},
        {S7P_SIM_FAULT_SYSTEM_EVENT, FC_INIT_SSL, 0, S7P_E_PROTOCOL, S7P_E_PROTOCOL, false},
        {S7P_SIM_FAULT_DROP_BEFORE_RESPONSE, FC_CREATE_OBJECT, 0, S7P_E_CLOSED, S7P_E_IO, false},
        {S7P_SIM_FAULT_TLS_ALERT, FC_CREATE_OBJECT, 0, S7P_E_TLS, S7P_E_TLS, false},
        {S7P_SIM_FAULT_PLC_ERROR, FC_CREATE_OBJECT, -113, S7P_E_PLC, S7P_E_PLC, false},
        {S7P_SIM_FAULT_GARBAGE, FC_CREATE_OBJECT, 0, S7P_E_PROTOCOL, S7P_E_PROTOCOL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) connect_with_fault(F, &cases[i]);
}

/* ---- stopping the simulator while a fault holds an answer back --------------------------- */

typedef struct bg_read {
    s7p_client *cli;
    s7p_tag tag;
    s7p_status st;
    int64_t ms;
} bg_read;

static void *bg_main(void *arg)
{
    bg_read *b = arg;
    s7p_tag_value v;
    s7p_item_result r;
    s7p_error err;
    memset(&v, 0, sizeof v);
    int64_t t0 = s7p_now_ms();
    b->st = s7p_read(b->cli, &b->tag, 1, &v, &r, &err);
    b->ms = s7p_now_ms() - t0;
    s7p_tag_value_clear(&v);
    return NULL;
}

static void stop_while(s7p_sim_fault_kind kind, unsigned delay_ms)
{
    s7p_sim *sim = st_sim_start_dir(S7P_EXAMPLES_PLC);
    bg_read b = {new_client(s7p_sim_port(sim), 20000, CONNECT_MS), {0}, S7P_OK, 0};
    s7p_error err;
    assert_int_equal(s7p_connect(b.cli, &err), S7P_OK);
    assert_int_equal(s7p_tag_by_symbol(b.cli, SYMBOL, &b.tag, &err), S7P_OK);
    s7p_sim_fault f = {kind, FC_GET_MULTI, 0, delay_ms, 0};
    s7p_sim_set_fault(sim, &f);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, bg_main, &b), 0);
    int64_t end = s7p_deadline_in(5000);
    while (s7p_sim_fault_hits(sim) == 0 && s7p_now_ms() < end) {
        st_sleep_ms(2);
    }
    assert_int_equal(s7p_sim_fault_hits(sim), 1);
    int64_t t0 = s7p_now_ms();
    s7p_sim_stop(sim);
    int64_t stop_ms = s7p_now_ms() - t0;
    pthread_join(th, NULL);
    printf("[fault] stop during %-9s: stop %lld ms, client %s after %lld ms\n",
           s7p_sim_fault_name(kind), (long long)stop_ms, s7p_strerror(b.st), (long long)b.ms);
    assert_true(stop_ms < (int64_t)STOP_MS);
    assert_true(b.st == S7P_E_CLOSED || b.st == S7P_E_IO);
    assert_true(b.ms < 5000);
    s7p_client_free(b.cli);
}

static void test_stop_while_stalled(void **state)
{
    (void)state;
    stop_while(S7P_SIM_FAULT_STALL, 0);
}

static void test_stop_while_delayed(void **state)
{
    (void)state;
    stop_while(S7P_SIM_FAULT_DELAY, 60000);
}

/* ---- parsing and names ------------------------------------------------------------------- */

static void test_parse(void **state)
{
    (void)state;
    char err[256];
    s7p_sim_fault f;
    memset(&f, 0, sizeof f);
    f.delay_ms = 77;
    assert_true(s7p_sim_fault_parse("drop-before:0x054c:2", &f, err, sizeof err));
    assert_int_equal(f.kind, S7P_SIM_FAULT_DROP_BEFORE_RESPONSE);
    assert_int_equal(f.function, 0x054C);
    assert_int_equal(f.nth, 2);
    assert_int_equal(f.delay_ms, 77);             /* left alone */
    assert_true(s7p_sim_fault_parse("stall", &f, err, sizeof err));
    assert_int_equal(f.kind, S7P_SIM_FAULT_STALL);
    assert_int_equal(f.function, 0);
    assert_int_equal(f.nth, 0);
    assert_true(s7p_sim_fault_parse("Garbage:GetMultiVariables", &f, err, sizeof err));
    assert_int_equal(f.kind, S7P_SIM_FAULT_GARBAGE);
    assert_int_equal(f.function, 0x054C);
    assert_true(s7p_sim_fault_parse("plc-error:explore:1", &f, err, sizeof err));
    assert_int_equal(f.function, FC_EXPLORE);
    assert_true(s7p_sim_fault_parse("wrong-seq:any:3", &f, err, sizeof err));
    assert_int_equal(f.function, 0);
    assert_int_equal(f.nth, 3);
    assert_true(s7p_sim_fault_parse("delay:1356", &f, err, sizeof err));
    assert_int_equal(f.function, 1356);
    static const char *const bad[] = {"", "boom", "stall:Nope", "stall:0x", "stall:0x10000",
                                      "stall:1:x", "stall:1:-1", "stall:1:2:3", "stall:-5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_false(s7p_sim_fault_parse(bad[i], &f, err, sizeof err));
        assert_true(err[0] != '\0');
    }
    for (int k = S7P_SIM_FAULT_NONE; k <= S7P_SIM_FAULT_SYSTEM_EVENT; k++) {
        const char *name = s7p_sim_fault_name((s7p_sim_fault_kind)k);
        assert_string_not_equal(name, "?");
        assert_true(s7p_sim_fault_parse(name, &f, err, sizeof err));
        assert_int_equal(f.kind, k);
    }
    assert_string_equal(s7p_sim_fault_name((s7p_sim_fault_kind)99), "?");
}

/* ---- the command line -------------------------------------------------------------------- */

/* s7plus-sim --port 0 --port-file F --program examples/plc EXTRA..., waiting for its port
 * or not. */
static void spawn_sim(st_proc *r, const char *const *extra, bool wait_port)
{
    const char *args[16] = {"--program", S7P_EXAMPLES_PLC};
    size_t n = 2;
    for (; *extra && n < 15; extra++) args[n++] = *extra;
    args[n] = NULL;
    if (wait_port) st_sim_exe_start(r, "sim-faults", S7P_SIM_EXE, args);
    else st_sim_exe_spawn(r, "sim-faults", S7P_SIM_EXE, args);
}

/* --fault plc-error:GetMultiVariables:3 --plc-code -112: the third GetMultiVariables is
 * refused (the first is the connect's limits read, the second the symbol lookup's read of
 * the DBs' type ids), the next one passes. */
static void test_cli_fault(void **state)
{
    (void)state;
    st_proc r;
    const char *extra[] = {"--fault", "plc-error:GetMultiVariables:3", "--plc-code", "-112", NULL};
    spawn_sim(&r, extra, true);
    fx F = {NULL, new_client(r.port, REQ_MS, CONNECT_MS), {0}};
    s7p_error err;
    assert_int_equal(s7p_connect(F.cli, &err), S7P_OK);
    assert_int_equal(s7p_tag_by_symbol(F.cli, SYMBOL, &F.tag, &err), S7P_OK);
    outcome o = read_tag(&F);
    assert_int_equal(o.st, S7P_E_PLC);
    assert_int_equal(o.err.plc_code, -112);
    assert_true(o.err.transient);
    assert_int_equal(read_tag(&F).st, S7P_OK);
    s7p_client_free(F.cli);
    assert_int_equal(st_proc_stop(&r, SIGTERM, 3000), 0);
    st_proc_cleanup(&r);
}

static void *bg_connect(void *arg)
{
    bg_read *b = arg;
    s7p_error err;
    int64_t t0 = s7p_now_ms();
    b->st = s7p_connect(b->cli, &err);
    b->ms = s7p_now_ms() - t0;
    return NULL;
}

/* --delay-ms alone delays every answer; a stalled connection does not keep SIGTERM waiting. */
static void test_cli_delay_and_stall(void **state)
{
    (void)state;
    st_proc r;
    const char *delay[] = {"--delay-ms", "100", NULL};
    spawn_sim(&r, delay, true);
    s7p_client *cli = new_client(r.port, REQ_MS, CONNECT_MS);
    s7p_error err;
    int64_t t0 = s7p_now_ms();
    assert_int_equal(s7p_connect(cli, &err), S7P_OK);
    assert_true(s7p_now_ms() - t0 >= 5 * 100 - 5);   /* five requests, each 100 ms late */
    s7p_client_free(cli);
    assert_int_equal(st_proc_stop(&r, SIGTERM, 3000), 0);
    st_proc_cleanup(&r);

    const char *stall[] = {"--fault", "stall:0x05b3", NULL};
    spawn_sim(&r, stall, true);
    cli = new_client(r.port, REQ_MS, CONNECT_MS);
    t0 = s7p_now_ms();
    assert_int_equal(s7p_connect(cli, &err), S7P_E_TIMEOUT);
    assert_true(s7p_now_ms() - t0 <= (int64_t)(CONNECT_MS * 11 / 10));
    s7p_client_free(cli);
    /* a connection left stalled (connect timeout 20 s) while the program stops */
    bg_read b = {new_client(r.port, REQ_MS, 20000), {0}, S7P_OK, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, bg_connect, &b), 0);
    st_sleep_ms(300);
    t0 = s7p_now_ms();
    assert_int_equal(st_proc_stop(&r, SIGTERM, 3000), 0);
    assert_true(s7p_now_ms() - t0 < STOP_MS);
    pthread_join(th, NULL);
    assert_int_not_equal(b.st, S7P_OK);
    assert_true(b.ms < 5000);
    s7p_client_free(b.cli);
    st_proc_cleanup(&r);
}

static void test_cli_bad_usage(void **state)
{
    (void)state;
    static const char *const cases[][5] = {
        {"--fault", "boom", NULL},
        {"--fault", "stall:Nope", NULL},
        {"--fault", "stall:1:x", NULL},
        {"--fault", "delay", NULL},                       /* delay without --delay-ms */
        {"--plc-code", "-5", NULL},                       /* code without a fault using it */
        {"--fault", "plc-error", "--plc-code", "5", NULL},  /* not negative */
        {"--delay-ms", "-1", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        st_proc r;
        spawn_sim(&r, cases[i], false);
        assert_int_equal(st_proc_wait(&r, 5000), 1);
        st_proc_cleanup(&r);
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_drop_before_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drop_mid_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delay_below_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delay_above_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_alert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plc_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_system_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nth_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_any_function, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_faults, setup, teardown),
        cmocka_unit_test(test_stop_while_stalled),
        cmocka_unit_test(test_stop_while_delayed),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_cli_fault),
        cmocka_unit_test(test_cli_delay_and_stall),
        cmocka_unit_test(test_cli_bad_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* What other clients ask a real CPU, asked of the simulator with requests built from the spec
 * (raw client tc.h, not the library's services): Explore of the type-info container, the CPU
 * execution unit's operating state and RUN/STOP request, classic byte-range access to a
 * standard DB, the shape of an error answer; and the control channel end to end. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "simtest.h"
#include "tc.h"

#define CHECK(expr)                                                                             \
    do {                                                                                        \
        s7p_status st_ = (expr);                                                                \
        if (st_ != S7P_OK) fail_msg("%s: %s (%s)", #expr, s7p_strerror(st_), t.err);            \
    } while (0)

#define ATTR_STRUCT_MOD_TIME 529u
#define ATTR_STRUCTURE_TYPE 1503u
#define ATTR_DIS 2237u
#define ATTR_OPERATING_STATE 3486u
#define ATTR_OPERATING_STATE_REQ 2167u
#define EXEC_UNIT 52u

typedef tc_fixture fx;

static s7p_sim *start(int state, const char *control)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    cfg.program_dir = S7P_EXAMPLES_PLC;
    if (state) cfg.state = state;
    cfg.control_path = control;
    return st_sim_start(&cfg);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->sim = start(0, NULL);
    *state = f;
    return f->sim ? 0 : -1;
}

static const s7p_object *child_with(const s7p_object *o, uint32_t rel)
{
    for (const s7p_obj_elem *e = o->first; e; e = e->next)
        if (e->tag == S7P_EL_START_OBJECT && e->u.child->rel_id == rel) return e->u.child;
    return NULL;
}

static size_t children(const s7p_object *o)
{
    size_t n = 0;
    for (const s7p_obj_elem *e = o->first; e; e = e->next) n += e->tag == S7P_EL_START_OBJECT;
    return n;
}

/* The relation id (0x8A0E0000 + number) of a DB, found as a browsing client finds it. */
static uint32_t db_area(tc *tp, const char *name)
{
    tc t = *tp;
    s7p_pdu req;
    const s7p_pdu *r;
    static const uint32_t attrs[] = {233};
    tc_explore_req(&t, &req, 3, true, attrs, 1);
    CHECK(tc_call(&t, &req, &r));
    *tp = t;
    assert_int_equal(r->resp.explore.objects.n, 1);
    for (const s7p_obj_elem *e = r->resp.explore.objects.items[0]->first; e; e = e->next) {
        if (e->tag != S7P_EL_START_OBJECT) continue;
        const s7p_value *n = s7p_object_attr(e->u.child, 233);
        if (n && n->v.s.n == strlen(name) && memcmp(n->v.s.p, name, n->v.s.n) == 0)
            return e->u.child->rel_id;
    }
    fail_msg("no DB %s", name);
    return 0;
}

/* ---- Explore 537 ---- */

static void test_explore_type_info_container(void **state)
{
    fx *f = *state;
    tc t = f->t;
    s7p_pdu req;
    const s7p_pdu *r;
    CHECK(tc_connect_session(&t, s7p_sim_port(f->sim)));
    /* As TIA asks (S7-1200 capture, frame 95): every type's times in one request. */
    static const uint32_t attrs[] = {ATTR_STRUCTURE_TYPE, 611, ATTR_STRUCT_MOD_TIME, 410};
    tc_explore_req(&t, &req, 537, true, attrs, 4);
    CHECK(tc_call(&t, &req, &r));
    assert_int_equal(r->ret, 0);
    assert_int_equal(r->resp.explore.objects.n, 1);
    const s7p_object *cont = r->resp.explore.objects.items[0];
    assert_int_equal(cont->rel_id, 537);
    assert_int_equal(cont->class_id, 534);
    assert_int_equal(cont->class_flags, 0x30);
    assert_true(children(cont) > 5);  /* the DBs' types and the five areas */
    for (const s7p_obj_elem *e = cont->first; e; e = e->next) {
        if (e->tag != S7P_EL_START_OBJECT) continue;
        const s7p_object *o = e->u.child;
        assert_int_equal(o->class_id, 511);
        assert_int_equal(o->class_flags, 0x20);
        const s7p_value *mt = s7p_object_attr(o, ATTR_STRUCT_MOD_TIME);
        const s7p_value *st = s7p_object_attr(o, ATTR_STRUCTURE_TYPE);
        assert_non_null(mt);
        assert_non_null(st);
        assert_int_equal(mt->type, S7P_DT_ULINT);
        assert_int_equal(st->type, S7P_DT_DINT);
        assert_int_equal(st->v.i, 1);
        assert_null(s7p_object_attr(o, 611));  /* not served: not asked back */
        const s7p_vartype_list *vt = s7p_object_vartypes(o);
        /* Members in every answer; the time is 0 exactly for a type without members. */
        assert_int_equal(mt->v.u == 0, !vt || vt->n == 0);
    }
    const s7p_object *ia = child_with(cont, 0x90010000u);
    assert_non_null(ia);
    assert_true(s7p_object_attr(ia, ATTR_STRUCT_MOD_TIME)->v.u > UINT64_C(1600000000) * 1000000000u);

    /* Without an attribute list (the seed driver's browse): the lists, no attributes. */
    tc_explore_req(&t, &req, 537, true, NULL, 0);
    CHECK(tc_call(&t, &req, &r));
    cont = r->resp.explore.objects.items[0];
    ia = child_with(cont, 0x90030000u);
    assert_non_null(ia);
    assert_null(s7p_object_attr(ia, ATTR_STRUCT_MOD_TIME));
    assert_non_null(s7p_object_vartypes(ia));
    assert_true(s7p_object_vartypes(ia)->n > 0);  /* plant.tags has M tags */
    f->t = t;
}

/* ---- CPU execution unit ---- */

static int32_t operating_state(tc *tp)
{
    tc t = *tp;
    s7p_pdu req;
    const s7p_pdu *r;
    static const uint32_t path[] = {ATTR_DIS, ATTR_OPERATING_STATE};
    tc_get_attr_path_req(&t, &req, EXEC_UNIT, path, 2);
    CHECK(tc_call(&t, &req, &r));
    assert_int_equal(r->ret, 0);
    const s7p_value *v = &r->resp.get_var_sub_streamed.value;
    assert_int_equal(v->type, S7P_DT_DINT);
    *tp = t;
    return (int32_t)v->v.i;
}

static void test_operating_state(void **state)
{
    fx *f = *state;
    tc t = f->t;
    s7p_pdu req;
    const s7p_pdu *r;
    CHECK(tc_connect_session(&t, s7p_sim_port(f->sim)));
    assert_int_equal(operating_state(&t), 8);  /* RUN, as the S7-1200 answered */

    /* The attribute alone: the AS_DIS struct holding OperatingState. */
    tc_get_attr_req(&t, &req, EXEC_UNIT, ATTR_DIS);
    CHECK(tc_call(&t, &req, &r));
    assert_int_equal(r->ret, 0);
    const s7p_value *v = &r->resp.get_var_sub_streamed.value;
    assert_int_equal(v->type, S7P_DT_STRUCT);
    const s7p_value *m = s7p_idlist_find(&v->v.st->members, ATTR_OPERATING_STATE);
    assert_non_null(m);
    assert_int_equal(m->v.i, 8);

    /* STOP request as the driver sends it (SetVariable 52/2167 DInt 1), then RUN (3). */
    tc_set_variable_req(&t, &req, EXEC_UNIT, ATTR_OPERATING_STATE_REQ, 1);
    CHECK(tc_call(&t, &req, &r));
    assert_int_equal(r->ret, 0);
    assert_true(r->has_iid);
    assert_int_equal(r->iid, (uint32_t)req.seq + req.iid);
    assert_int_equal(operating_state(&t), 4);
    assert_int_equal(s7p_sim_get_state(f->sim), S7P_SIM_STATE_STOP);
    tc_set_variable_req(&t, &req, EXEC_UNIT, ATTR_OPERATING_STATE_REQ, 3);
    CHECK(tc_call(&t, &req, &r));
    assert_int_equal(operating_state(&t), 8);
    /* Anything but 1 or 3 is refused, with the full error value. */
    tc_set_variable_req(&t, &req, EXEC_UNIT, ATTR_OPERATING_STATE_REQ, 7);
    CHECK(tc_call(&t, &req, &r));
    assert_int_equal((int16_t)(r->ret & 0xFFFF), -61);
    assert_true(r->ret >> 63);

    /* Through the API, as a test harness does. */
    assert_true(s7p_sim_set_state(f->sim, S7P_SIM_STATE_HOLD));
    assert_int_equal(operating_state(&t), 10);
    assert_false(s7p_sim_set_state(f->sim, (s7p_sim_state)99));
    assert_int_equal(operating_state(&t), 10);
    f->t = t;
}

static void test_state_from_config(void **state)
{
    (void)state;
    s7p_sim *sim = start(S7P_SIM_STATE_STOP, NULL);
    assert_non_null(sim);
    tc t = {0};
    CHECK(tc_connect_session(&t, s7p_sim_port(sim)));
    assert_int_equal(operating_state(&t), 4);
    tc_close(&t);
    s7p_sim_stop(sim);
}

/* ---- byte ranges ---- */

static const uint8_t *read_range(tc *tp, uint32_t area, uint32_t off, uint32_t n, int bit,
                                 int16_t *code, const s7p_value **val)
{
    tc t = *tp;
    s7p_pdu req;
    const s7p_pdu *r;
    tc_get_range_req(&t, &req, area, off, n, bit);
    CHECK(tc_call(&t, &req, &r));
    *tp = t;
    const s7p_resp_get_multi *b = &r->resp.get_multi;
    *code = 0;
    if (b->errors.n) {
        *code = (int16_t)(b->errors.items[0].ret & 0xFFFF);
        return NULL;
    }
    const s7p_value *v = s7p_idlist_find(&b->values, 1);
    assert_non_null(v);
    *val = v;
    if (v->type != S7P_DT_BLOB) return NULL;
    assert_int_equal(v->v.blob->data.n, n);
    return v->v.blob->data.p;
}

static void expect_bytes(tc *t, uint32_t area, uint32_t off, const uint8_t *want, uint32_t n)
{
    int16_t code;
    const s7p_value *v;
    const uint8_t *got = read_range(t, area, off, n, -1, &code, &v);
    assert_int_equal(code, 0);
    assert_non_null(got);
    assert_memory_equal(got, want, n);
}

static int16_t write_range(tc *tp, uint32_t area, uint32_t off, const uint8_t *b, uint32_t n,
                           int bit, bool value)
{
    tc t = *tp;
    s7p_pdu req;
    const s7p_pdu *r;
    tc_set_range_req(&t, &req, area, off, b, n, bit, value);
    CHECK(tc_call(&t, &req, &r));
    *tp = t;
    const s7p_error_list *e = &r->resp.set_multi.errors;
    return e->n ? (int16_t)(e->items[0].ret & 0xFFFF) : 0;
}

static void expect_symbol(s7p_sim *sim, const char *symbol, const char *text)
{
    char cmd[256], reply[256], want[256];
    snprintf(cmd, sizeof cmd, "get %s", symbol);
    snprintf(want, sizeof want, "ok %s", text);
    assert_true(s7p_sim_control(sim, cmd, reply, sizeof reply));
    assert_string_equal(reply, want);
}

static void test_byte_range(void **state)
{
    fx *f = *state;
    tc t = f->t;
    CHECK(tc_connect_session(&t, s7p_sim_port(f->sim)));
    uint32_t legacy = db_area(&t, "Legacy"), all = db_area(&t, "AllTypes");
    /* The classic layout of examples/plc/Legacy.db: cnt DB.DBW16, tmr DBW18, counters
     * DBW52..58, header.version DBW64, header.flags DBX66.0..67.7, header.inner.level DBW68,
     * "weird name (1)" DBB70, records[1..4] 6 bytes each from DBB72 (id DBD, valid DBX+4.0). */
    expect_bytes(&t, legacy, 16, (const uint8_t[]){0x00, 0x03, 0x00, 0x05}, 4);
    expect_bytes(&t, legacy, 52, (const uint8_t[]){0, 1, 0, 2, 0, 3, 0, 4}, 8);
    expect_bytes(&t, legacy, 64, (const uint8_t[]){0x01, 0x02, 0x08, 0x00, 0x00, 0x63, 0, 0}, 8);
    expect_bytes(&t, legacy, 78, (const uint8_t[]){0, 0, 0, 42, 0x01, 0x00}, 6);
    /* A range across the middle of a value, and a single bit. */
    expect_bytes(&t, legacy, 69, (const uint8_t[]){0x63}, 1);
    int16_t code;
    const s7p_value *v;
    read_range(&t, legacy, 66, 1, 3, &code, &v);
    assert_int_equal(code, 0);
    assert_int_equal(v->type, S7P_DT_BOOL);
    assert_int_equal(v->v.u, 1);

    /* Writes change the typed values the symbolic side sees. */
    assert_int_equal(write_range(&t, legacy, 68, (const uint8_t[]){0x12, 0x34}, 2, -1, false), 0);
    expect_symbol(f->sim, "\"Legacy\".header.inner.level", "4660");
    assert_int_equal(write_range(&t, legacy, 81, (const uint8_t[]){0x2B, 0x00}, 2, -1, false), 0);
    expect_symbol(f->sim, "\"Legacy\".records[2].id", "43");
    expect_symbol(f->sim, "\"Legacy\".records[2].valid", "false");
    assert_int_equal(write_range(&t, legacy, 82, NULL, 1, 0, true), 0);
    expect_symbol(f->sim, "\"Legacy\".records[2].valid", "true");
    expect_bytes(&t, legacy, 78, (const uint8_t[]){0, 0, 0, 43, 0x01}, 5);

    /* Refused: beyond the DB (96 bytes), a bit offset over 7, an optimized DB. */
    read_range(&t, legacy, 95, 2, -1, &code, &v);
    assert_int_equal(code, -104);
    assert_int_equal(write_range(&t, legacy, 95, (const uint8_t[]){1, 2}, 2, -1, false), -104);
    assert_int_equal(write_range(&t, legacy, 82, NULL, 1, 8, true), -104);
    read_range(&t, all, 0, 2, -1, &code, &v);
    assert_int_equal(code, -104);
    expect_symbol(f->sim, "\"Legacy\".cnt", "3");  /* untouched by the refused write */
    f->t = t;
}

/* ---- error answers ---- */

static void test_error_answer_shape(void **state)
{
    fx *f = *state;
    tc t = f->t;
    s7p_pdu req;
    const s7p_pdu *r;
    CHECK(tc_connect_session(&t, s7p_sim_port(f->sim)));
    tc_explore_req(&t, &req, 0x12345678u, false, NULL, 0);
    CHECK(tc_call(&t, &req, &r));
    /* The full value as the S7-1200 sends ObjectNotFound (0x8020AB001BC8FFF4, OMS line 0). */
    assert_int_equal(r->ret, UINT64_C(0x8020AB000000FFF4));
    assert_false(r->ret_only);
    assert_int_equal(r->resp.explore.explore_id, 0x12345678u);
    assert_int_equal(r->resp.explore.objects.n, 0);
    assert_true(r->resp.explore.has_resp_iid);
    assert_int_equal(r->resp.explore.resp_iid, (uint32_t)req.seq + req.iid);
    assert_int_equal(r->fill_len, 4);
    /* An unknown attribute: the same value, and the Null value of the real answer. */
    tc_get_attr_req(&t, &req, 7735, 7735);
    CHECK(tc_call(&t, &req, &r));
    assert_int_equal(r->ret, UINT64_C(0x8020AB000000FFF4));
    assert_int_equal(r->resp.get_var_sub_streamed.value.type, S7P_DT_NULL);
    f->t = t;
}

/* ---- control channel ---- */

static int control_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static void control(int fd, const char *cmd, char *reply, size_t len)
{
    char line[512];
    int n = snprintf(line, sizeof line, "%s\n", cmd);
    assert_int_equal(send(fd, line, (size_t)n, 0), n);
    size_t got = 0;
    while (got + 1 < len) {
        ssize_t k = recv(fd, reply + got, 1, 0);
        assert_true(k == 1);
        if (reply[got] == '\n') break;
        got++;
    }
    reply[got] = '\0';
}

static void test_control_channel(void **state)
{
    (void)state;
    char path[] = "/tmp/s7p-ctl-XXXXXX", reply[1024];
    int tmp = mkstemp(path);
    close(tmp);
    unlink(path);
    s7p_sim *sim = start(0, path);
    assert_non_null(sim);
    int fd = control_connect(path);
    control(fd, "set \"AllTypes\".v_int -1234", reply, sizeof reply);
    assert_string_equal(reply, "ok");
    control(fd, "set Setpoint 42.5", reply, sizeof reply);  /* a PLC tag (plant.tags) */
    assert_string_equal(reply, "ok");
    control(fd, "set \"AllTypes\".v_int 40000", reply, sizeof reply);
    assert_string_equal(reply, "error: 40000 is out of range for Int (-32768..32767)");

    /* The library reads what the channel set. */
    s7p_client *c = st_client_of(sim, false);
    s7p_tag tags[2];
    s7p_tag_value vals[2] = {{0}};
    s7p_item_result res[2];
    s7p_error err;
    assert_int_equal(s7p_tag_by_symbol(c, "\"AllTypes\".v_int", &tags[0], &err), S7P_OK);
    assert_int_equal(s7p_tag_by_symbol(c, "Setpoint", &tags[1], &err), S7P_OK);
    assert_int_equal(s7p_read(c, tags, 2, vals, res, &err), S7P_OK);
    assert_int_equal(res[0].code, S7P_OK);
    assert_int_equal(vals[0].v.i, -1234);
    assert_true(vals[1].v.r == 42.5f);

    /* State, alarms, faults, counters, reload. */
    control(fd, "state stop", reply, sizeof reply);
    assert_string_equal(reply, "ok stop");
    assert_int_equal(s7p_sim_get_state(sim), S7P_SIM_STATE_STOP);
    control(fd, "alarm raise 17 Motor 1 overheated", reply, sizeof reply);
    assert_string_equal(reply, "ok");
    control(fd, "alarms", reply, sizeof reply);
    assert_string_equal(reply, "ok 1: 17 coming \"Motor 1 overheated\"");
    control(fd, "alarm clear 17", reply, sizeof reply);
    assert_int_equal(s7p_sim_alarm_count(sim), 0);
    control(fd, "fault plc-error:GetMultiVariables:1 code=-33", reply, sizeof reply);
    assert_string_equal(reply, "ok plc-error");
    s7p_status st = s7p_read(c, tags, 1, vals, res, &err);
    assert_int_equal(st, S7P_E_PLC);
    assert_int_equal(err.plc_code, -33);
    control(fd, "counters", reply, sizeof reply);
    assert_non_null(strstr(reply, "fault_hits=1"));
    assert_non_null(strstr(reply, "GetMultiVariables="));
    control(fd, "reload", reply, sizeof reply);
    assert_string_equal(reply, "ok change counter 2");
    control(fd, "nonsense", reply, sizeof reply);
    assert_string_equal(reply, "error: unknown command \"nonsense\" (try help)");
    for (int i = 0; i < 2; i++) s7p_tag_value_clear(&vals[i]);
    st_client_close(c);
    close(fd);
    s7p_sim_stop(sim);
    assert_int_equal(access(path, F_OK), -1);  /* the socket is removed */
}

/* The same commands from a stream (what s7plus-sim --control - serves on stdin): a script's
 * batch written at once is answered line by line, in order; the end of the stream ends only
 * the commands; a second stream is refused while one is served; the simulator stops with a
 * stream still open. */
static void test_control_stream(void **state)
{
    (void)state;
    s7p_sim *sim = start(0, NULL);
    assert_non_null(sim);
    int in[2], out[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    char err[256];
    assert_true(s7p_sim_control_fd(sim, in[0], out[1], err, sizeof err));
    assert_false(s7p_sim_control_fd(sim, in[0], out[1], err, sizeof err));
    static const char batch[] = "set \"AllTypes\".v_int 4321\r\nget \"AllTypes\".v_int\n"
                                "state hold\nset \"AllTypes\".v_int x\ncounters\n";
    assert_int_equal(write(in[1], batch, sizeof batch - 1), (ssize_t)(sizeof batch - 1));
    close(in[1]);  /* the end of the script */
    FILE *f = fdopen(out[0], "r");
    char line[1024];
    static const char *const want[] = {"ok\n", "ok 4321\n", "ok hold\n", NULL, NULL};
    for (int i = 0; i < 5; i++) {
        assert_non_null(fgets(line, sizeof line, f));
        if (want[i]) assert_string_equal(line, want[i]);
    }
    assert_true(strncmp(line, "ok sessions=0 ", 14) == 0);
    assert_int_equal(s7p_sim_get_state(sim), S7P_SIM_STATE_HOLD);
    /* The simulator serves on after the end of the commands. */
    s7p_client *c = st_client_of(sim, false);
    s7p_tag tag;
    s7p_tag_value v = {0};
    s7p_item_result res;
    s7p_error e;
    assert_int_equal(s7p_tag_by_symbol(c, "\"AllTypes\".v_int", &tag, &e), S7P_OK);
    assert_int_equal(s7p_read(c, &tag, 1, &v, &res, &e), S7P_OK);
    assert_int_equal(v.v.i, 4321);
    s7p_tag_value_clear(&v);
    st_client_close(c);
    s7p_sim_stop(sim);
    fclose(f);
    close(in[0]);
    close(out[1]);

    /* Stopped while a stream is open and silent: the stop does not wait for it. */
    sim = start(0, NULL);
    assert_int_equal(pipe(in), 0);
    assert_true(s7p_sim_control_fd(sim, in[0], out[1] = open("/dev/null", O_WRONLY), err, sizeof err));
    s7p_sim_stop(sim);
    for (int i = 0; i < 2; i++) close(in[i]);
    close(out[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_explore_type_info_container, setup, tc_teardown),
        cmocka_unit_test_setup_teardown(test_operating_state, setup, tc_teardown),
        cmocka_unit_test(test_state_from_config),
        cmocka_unit_test_setup_teardown(test_byte_range, setup, tc_teardown),
        cmocka_unit_test_setup_teardown(test_error_answer_shape, setup, tc_teardown),
        cmocka_unit_test(test_control_channel),
        cmocka_unit_test(test_control_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

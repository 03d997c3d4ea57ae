/* SPDX-License-Identifier: MIT */
/* Legitimation as an operation (services/legitimate.h): level, challenge, answer, level.
 * The password is only ever read here to compute the answer; what is derived from it (the
 * hash, the payload, the key, the answer itself) is wiped once the answer is sent. Nothing
 * of it is logged. */
#include "services/legitimate.h"

#include <stdio.h>
#include <string.h>

#include "util/clock.h"
#include "util/status.h"

#define LAYER "session"

enum { PH_LEVEL, PH_CHALLENGE, PH_ANSWER, PH_RECHECK, PH_END };
enum { REQ_LEVEL, REQ_CHALLENGE, REQ_ANSWER };

/* The answer of the newer variant (a blob) or of the legacy one (USInt[20]); it must live
 * until the request is encoded, which may be after the submit (queued behind others). */
typedef struct answer_buf {
    uint8_t bytes[S7P_LEGIT_CIPHER_MAX];
    size_t n;
    s7p_blob blob;
} answer_buf;

const char *s7p_legit_level_name(uint32_t level, char *buf, size_t len)
{
    static const char *const names[] = {"full access", "read access", "HMI access", "no access"};
    if (level >= 1 && level <= 4) return names[level - 1];
    snprintf(buf, len, "level %u", level);
    return buf;
}

void s7p_legit_forget(s7p_session *s)
{
    s7p_legit_wipe(s->legit_secret, sizeof s->legit_secret);
    s->legit_have_secret = false;
}

static int64_t deadline_of(const s7p_legit_op *o)
{
    int64_t d = s7p_deadline_in(o->request_ms);
    return o->deadline_cap && o->deadline_cap < d ? o->deadline_cap : d;
}

static void fail(s7p_op *op, const s7p_fail *f)
{
    s7p_op_fail(op, f);
    s7p_op_finish(op, f->code);
}

/* A taker's common start: false (the operation failed) unless the request was answered
 * without a negative return value. */
static bool answered(s7p_op *op, s7p_status st, const s7p_pdu *resp, const s7p_fail *got,
                     const char *what)
{
    if (st != S7P_OK) {
        fail(op, got);
        return false;
    }
    if (s7p_ret_code(resp->ret) >= 0) return true;
    s7p_fail f = {0};
    f.plc_return = resp->ret;
    s7p_fail_set(&f, S7P_E_PLC, "legitimation: %s: PLC refused: code %d", what,
                 s7p_ret_code(resp->ret));
    fail(op, &f);
    return false;
}

s7p_status s7p_legit_level_take(const s7p_pdu *resp, uint32_t *level, s7p_fail *f)
{
    const s7p_value *v = &resp->resp.get_var_sub_streamed.value;
    if (v->type != S7P_DT_UDINT || s7p_value_is_array(v) || s7p_value_is_sparse(v))
        return s7p_fail_set(f, S7P_E_PROTOCOL, "legitimation: protection level is not a UDInt");
    *level = (uint32_t)v->v.u;
    return S7P_OK;
}

s7p_status s7p_legit_challenge_take(const s7p_pdu *resp, uint8_t *out, size_t cap, size_t *n,
                                    s7p_fail *f)
{
    const s7p_value *v = &resp->resp.get_var_sub_streamed.value;
    if (v->type != S7P_DT_USINT || !s7p_value_is_array(v) || s7p_value_is_sparse(v) ||
        v->v.s.n < S7P_LEGIT_IV_LEN || v->v.s.n > cap)
        return s7p_fail_set(f, S7P_E_PROTOCOL, "legitimation: the challenge is not USInt[16..64]");
    memcpy(out, v->v.s.p, v->v.s.n);
    *n = v->v.s.n;
    return S7P_OK;
}

static void take(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp, const s7p_fail *got)
{
    s7p_legit_op *o = (s7p_legit_op *)op;
    static const char *const what[] = {"protection level", "challenge", "answer"};
    if (k == REQ_ANSWER && o->answer) {
        s7p_legit_wipe(o->answer, o->answer_len);  /* its request's arena goes next */
        o->answer = NULL;
    }
    if (k == REQ_ANSWER && st == S7P_OK && s7p_ret_code(resp->ret) < 0) {
        char a[24];
        s7p_fail f = {0};
        f.plc_return = resp->ret;
        s7p_fail_set(&f, S7P_E_AUTH,
                     "legitimation: the PLC refused the %s (code %d; the session had %s)",
                     o->username && *o->username ? "user name or password" : "password",
                     s7p_ret_code(resp->ret), s7p_legit_level_name(o->level_before, a, sizeof a));
        fail(op, &f);
        return;
    }
    if (!answered(op, st, resp, got, what[k])) return;
    s7p_fail f = {0};
    if (k == REQ_LEVEL &&
        s7p_legit_level_take(resp, op->phase == PH_CHALLENGE ? &o->level_before : &o->level,
                             &f) != S7P_OK)
        fail(op, &f);
    else if (k == REQ_CHALLENGE &&
             s7p_legit_challenge_take(resp, o->challenge, sizeof o->challenge, &o->nchallenge,
                                      &f) != S7P_OK)
        fail(op, &f);
}

static void submit_read(s7p_op *op, uint32_t attr)
{
    s7p_legit_op *o = (s7p_legit_op *)op;
    s7p_op_req *r = s7p_op_req_new(op, attr == S7P_LEGIT_ATTR_CHALLENGE ? REQ_CHALLENGE : REQ_LEVEL,
                                   take);
    if (!r || !s7p_engine_read_attr_request(&op->s->eng, &r->req, op->s->eng.props.session_id,
                                            attr, &r->a)) {
        if (r) s7p_op_drop(r);
        s7p_op_finish(op, s7p_fail_set(&op->f, S7P_E_NOMEM, "legitimation: read"));
        return;
    }
    s7p_op_submit(r, deadline_of(o), NULL, false);
}

/* The newer variant: the payload encrypted with the connection's next key, the IV the
 * challenge's first 16 bytes. */
static s7p_status new_answer(s7p_legit_op *o, answer_buf *ab, s7p_fail *f)
{
    s7p_session *s = o->op.s;
    if (!s->ch.tls)
        return s7p_fail_set(f, S7P_E_UNSUPPORTED, "legitimation: this PLC's firmware needs "
                            "TLS for legitimation (security mode tls)");
    if (!s->legit_have_secret) {
        if (!s7p_tls_export(s->ch.tls, S7P_LEGIT_OMS_LABEL, s->legit_secret,
                            sizeof s->legit_secret))
            return s7p_fail_set(f, S7P_E_TLS, "legitimation: TLS exporter failed");
        s->legit_have_secret = true;
    }
    uint8_t key[S7P_LEGIT_KEY_LEN], plain[S7P_LEGIT_PAYLOAD_MAX];
    size_t n = 0;
    s7p_legit_roll_key(s->legit_secret, key);
    s7p_status st = s7p_legit_payload(o->password, o->username, plain, sizeof plain, &n);
    if (st == S7P_OK)
        st = s7p_legit_encrypt(key, o->challenge, plain, n, ab->bytes, sizeof ab->bytes, &ab->n);
    s7p_legit_wipe(plain, sizeof plain);
    s7p_legit_wipe(key, sizeof key);
    if (st != S7P_OK) return s7p_fail_set(f, st, "legitimation: payload: %s", s7p_status_text(st));
    return S7P_OK;
}

static s7p_status legacy_answer(s7p_legit_op *o, answer_buf *ab, s7p_fail *f)
{
    if (o->username && *o->username)
        return s7p_fail_set(f, S7P_E_UNSUPPORTED, "legitimation: this PLC's firmware has no "
                            "user management (legacy variant): give the password only");
    if (s7p_legit_legacy_response(o->password, o->challenge, o->nchallenge, ab->bytes) != S7P_OK)
        return s7p_fail_set(f, S7P_E_PROTOCOL, "legitimation: the challenge has %zu bytes, "
                            "the legacy variant needs 20", o->nchallenge);
    ab->n = S7P_LEGIT_SHA1_LEN;
    return S7P_OK;
}

/* The answer as the value of a SetVariable on the session object. */
static void answer_value(s7p_legit_op *o, answer_buf *ab, s7p_value *v)
{
    memset(v, 0, sizeof *v);
    if (o->variant == S7P_LEGIT_NEW) {
        memset(&ab->blob, 0, sizeof ab->blob);
        ab->blob.data.p = ab->bytes;
        ab->blob.data.n = ab->n;
        v->type = S7P_DT_BLOB;
        v->v.blob = &ab->blob;
        return;
    }
    v->flags = S7P_VF_ARRAY;
    v->type = S7P_DT_USINT;
    v->count = (uint32_t)ab->n;
    v->v.s.p = ab->bytes;
    v->v.s.n = ab->n;
}

static void send_answer(s7p_legit_op *o)
{
    s7p_op *op = &o->op;
    s7p_fail f = {0};
    /* In the request's own arena: it lives until the request completes, then it is wiped. */
    s7p_op_req *r = s7p_op_req_new(op, REQ_ANSWER, take);
    answer_buf *ab = r ? s7p_arena_alloc(&r->a, sizeof *ab) : NULL;
    uint32_t *addr = r ? s7p_arena_alloc(&r->a, sizeof *addr) : NULL;
    if (ab) s7p_engine_init_request(&op->s->eng, &r->req, S7P_FC_SET_VARIABLE, true);
    if (!ab || !addr || !s7p_qualifier_default(&r->req.qualifier, &r->a)) {
        if (r) s7p_op_drop(r);
        s7p_op_finish(op, s7p_fail_set(&op->f, S7P_E_NOMEM, "legitimation: answer"));
        return;
    }
    s7p_status st = o->variant == S7P_LEGIT_NEW ? new_answer(o, ab, &f) : legacy_answer(o, ab, &f);
    if (st != S7P_OK) {
        s7p_legit_wipe(ab, sizeof *ab);
        s7p_op_drop(r);
        fail(op, &f);
        return;
    }
    s7p_req_set_variable *b = &r->req.req.set_variable;
    *addr = o->variant == S7P_LEGIT_NEW ? S7P_LEGIT_ATTR_LEGITIMATE : S7P_LEGIT_ATTR_RESPONSE;
    b->object_id = op->s->eng.props.session_id;
    b->address_count = 1;
    b->addresses = addr;
    answer_value(o, ab, &b->value);
    o->sent = true;
    o->answer = ab;
    o->answer_len = sizeof *ab;
    s7p_op_submit(r, deadline_of(o), NULL, false);
}

/* Full access already, or the level the PLC reported: whether there is anything to do. */
static bool needs_login(s7p_legit_op *o)
{
    char a[24];
    const char *name = s7p_legit_level_name(o->level_before, a, sizeof a);
    if (o->level_before <= 1) {
        s7p_logf(o->op.s->log, S7P_LOG_INFO, LAYER,
                 "legitimation: the session has full access already, nothing to send");
        return false;
    }
    o->variant = s7p_legit_variant_of(o->op.s->eng.props.paom);
    s7p_logf(o->op.s->log, S7P_LOG_INFO, LAYER,
             "legitimation: session has %s, logging in (%s variant%s)", name,
             s7p_legit_variant_name(o->variant),
             o->username && *o->username ? ", with a user name" : "");
    return true;
}

static void finish_ok(s7p_legit_op *o)
{
    char a[24], b[24];
    s7p_session *s = o->op.s;
    s->protection_level = s->eng.props.protection_level = o->level;
    s7p_logf(s->log, S7P_LOG_INFO, LAYER, "legitimation accepted: %s (was %s)",
             s7p_legit_level_name(o->level, a, sizeof a),
             s7p_legit_level_name(o->level_before, b, sizeof b));
    s7p_op_finish(&o->op, S7P_OK);
}

static void legit_step(s7p_op *op)
{
    s7p_legit_op *o = (s7p_legit_op *)op;
    switch (op->phase++) {
    case PH_LEVEL: submit_read(op, S7P_ID_EFFECTIVE_PROTECTION_LEVEL); return;
    case PH_CHALLENGE:
        op->s->protection_level = op->s->eng.props.protection_level = o->level_before;
        if (needs_login(o)) submit_read(op, S7P_LEGIT_ATTR_CHALLENGE);
        else s7p_op_finish(op, S7P_OK);
        return;
    case PH_ANSWER: send_answer(o); return;
    case PH_RECHECK:
        s7p_legit_wipe(o->challenge, sizeof o->challenge);
        submit_read(op, S7P_ID_EFFECTIVE_PROTECTION_LEVEL);
        return;
    default: finish_ok(o); return;
    }
}

void s7p_legit_start(s7p_legit_op *o, s7p_session *s, const char *password,
                     const char *username, uint32_t request_ms, int64_t deadline_cap,
                     s7p_op_done_fn done, void *ctx)
{
    memset(o, 0, sizeof *o);
    s7p_op_init(&o->op, s, legit_step, done, ctx);
    o->password = password;
    o->username = username;
    o->request_ms = request_ms;
    o->deadline_cap = deadline_cap;
    s7p_op_start(&o->op);
}

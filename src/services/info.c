/* SPDX-License-Identifier: MIT */
#include "services/info.h"

#include <stdio.h>
#include <string.h>

#include "util/clock.h"
#include "util/utf8.h"

/* Copies printable text, trimming trailing spaces and NULs. */
static void copy_text(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == 0)) n--;
    if (n >= cap) n = cap - 1;
    for (size_t i = 0; i < n; i++) dst[i] = (p[i] >= 0x20 && p[i] < 0x7F) ? (char)p[i] : '?';
    dst[n] = 0;
}

void s7p_info_parse_im0(const uint8_t *p, size_t n, s7p_cpu_info *out)
{
    if (n < S7P_IM0_MIN_LEN) return;
    copy_text(out->order_number, sizeof out->order_number, p + S7P_IM0_ORDER_OFF, S7P_IM0_ORDER_LEN);
    copy_text(out->serial_number, sizeof out->serial_number, p + S7P_IM0_SERIAL_OFF,
              S7P_IM0_SERIAL_LEN);
    snprintf(out->hardware_revision, sizeof out->hardware_revision, "%u", p[S7P_IM0_HW_REV_OFF]);
    const uint8_t *fw = p + S7P_IM0_FW_OFF;
    /* The software revision is a prefix letter ('V' release, 'B' beta ...) and three numbers. */
    if (fw[0] >= 'A' && fw[0] <= 'Z')
        snprintf(out->firmware, sizeof out->firmware, "%c%u.%u.%u", fw[0], fw[1], fw[2], fw[3]);
    else
        snprintf(out->firmware, sizeof out->firmware, "%u.%u.%u.%u", fw[0], fw[1], fw[2], fw[3]);
}

static void copy_wstring(char *dst, size_t cap, const s7p_value *v)
{
    if (v->type != S7P_DT_WSTRING || s7p_value_is_array(v)) return;
    s7p_utf8_copy(dst, cap, (const char *)v->v.s.p, v->v.s.n);
}

static void take_versions(const s7p_value *v, s7p_cpu_info *out)
{
    if (s7p_value_is_array(v) && v->type == S7P_DT_USINT && v->count >= 4) {
        const uint8_t *b = v->v.s.p;
        snprintf(out->tia_version, sizeof out->tia_version, "V%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    }
}

static s7p_status take_im0(const s7p_value *v, s7p_cpu_info *out, s7p_fail *f)
{
    if (v->type != S7P_DT_BLOB || s7p_value_is_array(v) || !v->v.blob ||
        v->v.blob->data.n < S7P_IM0_MIN_LEN)
        return s7p_fail_set(f, S7P_E_PROTOCOL, "I&M0 record missing or too short");
    s7p_info_parse_im0(v->v.blob->data.p, v->v.blob->data.n, out);
    return S7P_OK;
}

/* The project name is element 2 of the TIA info texts. */
static void take_project(const s7p_value *v, s7p_cpu_info *out)
{
    if (v->type == S7P_DT_WSTRING && s7p_value_is_array(v) && v->count > 2) {
        s7p_value el = {0};
        el.type = S7P_DT_WSTRING;
        el.v = v->elems[2];
        copy_wstring(out->project_name, sizeof out->project_name, &el);
    }
}

enum { READ_VERSIONS, READ_NAME, READ_IM0, READ_PROJECT };

s7p_info_read_def s7p_info_read_at(unsigned k)
{
    static const s7p_info_read_def reads[S7P_INFO_READS] = {
        [READ_VERSIONS] = {S7P_ID_AS_ROOT, S7P_ATTR_AS_ROOT_ES_VERSION},
        [READ_NAME] = {S7P_ID_CPU_COMMON, S7P_ID_OBJECT_VARIABLE_TYPE_NAME},
        [READ_IM0] = {S7P_ID_CPU_PROXY, S7P_ATTR_IM0_DATA},
        [READ_PROJECT] = {S7P_ID_RELEASE_MNGMT_ROOT, S7P_ATTR_TIA_INFO_TEXTS},
    };
    return reads[k < S7P_INFO_READS ? k : 0];
}

s7p_status s7p_info_take(unsigned k, s7p_status st, const s7p_value *v, const s7p_fail *got,
                         s7p_cpu_info *out, s7p_fail *f)
{
    /* Many CPUs refuse the project texts: that is not an error, but a broken connection is. */
    if (k == READ_PROJECT && st == S7P_E_PLC) return S7P_OK;
    if (st != S7P_OK) {
        if (f->code == S7P_OK) *f = *got;
        return st;
    }
    switch (k) {
    case READ_VERSIONS: take_versions(v, out); return S7P_OK;
    case READ_NAME: copy_wstring(out->plc_name, sizeof out->plc_name, v); return S7P_OK;
    case READ_IM0: return take_im0(v, out, f);
    case READ_PROJECT: take_project(v, out); return S7P_OK;
    default: return S7P_OK;
    }
}

void s7p_info_session_facts(const s7p_session *s, s7p_cpu_info *out)
{
    snprintf(out->paom, sizeof out->paom, "%s", s->paom);
    out->protection_level = s->protection_level;
    snprintf(out->security, sizeof out->security, "%s",
             s->security == S7P_SECURITY_LEGACY_CHALLENGE ? "legacy" : "tls");
    if (s->security == S7P_SECURITY_LEGACY_CHALLENGE)
        snprintf(out->legacy_key, sizeof out->legacy_key, "%s", s->legacy_key);
    if (s->ch.tls) {
        uint8_t fp[S7P_SHA256_LEN];
        snprintf(out->tls_cipher, sizeof out->tls_cipher, "%s", s7p_tls_cipher(s->ch.tls));
        if (s7p_tls_peer_sha256(s->ch.tls, fp))
            for (int i = 0; i < S7P_SHA256_LEN; i++) snprintf(out->cert_sha256 + 2 * i, 3, "%02x", fp[i]);
    }
}

/* ---- the operation: the four reads in flight together ---- */

/* A read attribute's value, or why there is none (as s7p_session_read_attr did). */
static s7p_status attr_value(s7p_status st, const s7p_pdu *resp, const s7p_fail *got,
                             s7p_fail *f, const s7p_value **v)
{
    *v = NULL;
    if (st != S7P_OK) {
        *f = *got;
        return st;
    }
    if (s7p_ret_code(resp->ret) < 0) {
        f->plc_return = resp->ret;
        return s7p_fail_set(f, S7P_E_PLC, "read attribute: PLC refused: code %d",
                            s7p_ret_code(resp->ret));
    }
    *v = &resp->resp.get_var_sub_streamed.value;
    return S7P_OK;
}

static void info_take(s7p_op *op, size_t k, s7p_status st, const s7p_pdu *resp,
                      const s7p_fail *got)
{
    s7p_info_op *o = (s7p_info_op *)op;
    const s7p_value *v;
    s7p_fail why = {0};
    st = attr_value(st, resp, got, &why, &v);
    o->st[k] = s7p_info_take((unsigned)k, st, v, &why, o->out, &o->f[k]);
}

static void info_step(s7p_op *op)
{
    s7p_info_op *o = (s7p_info_op *)op;
    if (op->phase == 0) {
        op->phase = 1;
        for (unsigned k = 0; k < S7P_INFO_READS; k++) {
            s7p_info_read_def d = s7p_info_read_at(k);
            s7p_op_req *r = s7p_op_req_new(op, k, info_take);
            if (!r || !s7p_engine_read_attr_request(&op->s->eng, &r->req, d.object_id, d.attr,
                                                    &r->a)) {
                if (r) s7p_op_drop(r);
                o->st[k] = s7p_fail_set(&o->f[k], S7P_E_NOMEM, "read");
                continue;
            }
            s7p_op_submit(r, s7p_deadline_in(o->request_ms), NULL, false);
        }
        return;
    }
    /* The first read in order that failed decides, as when they ran one after the other. */
    for (unsigned k = 0; k < S7P_INFO_READS; k++) {
        if (o->st[k] == S7P_OK) continue;
        s7p_op_fail(op, &o->f[k]);
        s7p_op_finish(op, o->st[k]);
        return;
    }
    s7p_info_session_facts(op->s, o->out);
    s7p_op_finish(op, S7P_OK);
}

void s7p_info_start(s7p_info_op *o, s7p_session *s, s7p_cpu_info *out, uint32_t request_ms,
                    s7p_op_done_fn done, void *ctx)
{
    memset(o, 0, sizeof *o);
    s7p_op_init(&o->op, s, info_step, done, ctx);
    o->out = out;
    o->request_ms = request_ms;
    memset(out, 0, sizeof *out);
    s7p_op_start(&o->op);
}

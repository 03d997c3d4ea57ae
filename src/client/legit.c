/* SPDX-License-Identifier: MIT */
/* Legitimation in the client: the credentials of the options (checked, copied, wiped at
 * free), the login that ends every connect when they are set, and s7p_legitimate(). The
 * exchange is the operation of services/legitimate.c. */
#include <string.h>

#include "client/client_int.h"
#include "util/alloc.h"

const char *s7p_client_legit_check(const s7p_client_options *o)
{
    if (o->password && strlen(o->password) > S7P_LEGIT_MAX_TEXT)
        return "password longer than 256 bytes";
    if (o->username && strlen(o->username) > S7P_LEGIT_MAX_TEXT)
        return "user name longer than 256 bytes";
    if (o->username && *o->username && (!o->password || !*o->password))
        return "a user name needs a password";
    return NULL;
}

char *s7p_secret_dup(const char *s, bool *oom)
{
    if (!s || !*s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = s7p_malloc(n);
    if (!d) *oom = true;
    else memcpy(d, s, n);
    return d;
}

void s7p_secret_free(char *s)
{
    if (!s) return;
    s7p_legit_wipe(s, strlen(s));
    s7p_free(s);
}

/* ---- the login at the end of a connect ---- */

static void conn_legit_done(void *ctx, s7p_op *op)
{
    s7p_client *c = ctx;
    c->conn_st = op->st;
    if (op->st != S7P_OK && c->conn_f.code == S7P_OK) c->conn_f = op->f;
    c->conn_legit_done = true;
}

bool s7p_conn_legit_begin(s7p_client *c)
{
    if (!c->password) return false;
    c->conn_legit_done = false;
    s7p_legit_start(&c->conn_legit, &c->session, c->password, c->username,
                    c->opt.request_timeout_ms, c->conn_deadline, conn_legit_done, c);
    return true;
}

/* ---- s7p_legitimate ---- */

/* The request's operation ended: on success its credentials become the client's, so that
 * every later connect logs in with them. */
static void legit_req_done(void *ctx, s7p_op *op)
{
    s7p_req *r = ctx;
    s7p_client *c = r->c;
    if (op->st == S7P_OK) {
        s7p_secret_free(c->password);
        s7p_secret_free(c->username);
        c->password = r->password;
        c->username = r->username;
        r->password = r->username = NULL;
    }
    s7p_req_op_done(r, op);
}

void s7p_legit_req_start(s7p_client *c, s7p_req *r)
{
    s7p_legit_start(&r->u.legit, &c->session, r->password, r->username,
                    c->opt.request_timeout_ms, 0, legit_req_done, r);
}

/* A request of s7p_legitimate(): NULL for bad arguments (*bad set) or out of memory. */
static s7p_req *legit_req(s7p_client *c, const char *password, const char *username, bool *bad)
{
    s7p_client_options o = {0};
    o.password = password;
    o.username = username;
    *bad = !password || !*password || s7p_client_legit_check(&o);
    if (*bad) return NULL;
    /* Runs alone (a challenge and its answer must not interleave with another login) and
     * may reconnect once like a read: the reconnect logs in with the former credentials. */
    s7p_req *r = s7p_req_new(c, RQ_LEGIT, "legitimate", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE);
    bool oom = !r;
    if (r) {
        r->password = s7p_secret_dup(password, &oom);
        r->username = s7p_secret_dup(username, &oom);
    }
    if (oom) {
        s7p_req_free(r);
        return NULL;
    }
    return r;
}

s7p_status s7p_legitimate(s7p_client *c, const char *password, const char *username,
                          s7p_error *err)
{
    bool bad = false;
    s7p_req *r = c ? legit_req(c, password, username, &bad) : NULL;
    if (!r && (bad || !c)) {
        s7p_fail f = {0};
        s7p_fail_set(&f, S7P_E_INVALID_ARG, "%s", !c ? "no client"
                     : !password || !*password ? "no password given"
                     : "password or user name longer than 256 bytes");
        s7p_error_fill(err, "legitimate", c ? c->endpoint : "", &f);
        return S7P_E_INVALID_ARG;
    }
    return r ? s7p_req_run(c, r, err) : S7P_E_NOMEM;
}

s7p_status s7p_legitimate_async(s7p_client *c, const char *password, const char *username,
                                s7p_done_fn done, void *ctx, s7p_request_id *id)
{
    bool bad = false;
    if (!c || !done) return S7P_E_INVALID_ARG;
    s7p_req *r = legit_req(c, password, username, &bad);
    if (!r) return bad ? S7P_E_INVALID_ARG : S7P_E_NOMEM;
    r->done_fn = done;
    r->done_ctx = ctx;
    return s7p_req_start(c, r, id);
}

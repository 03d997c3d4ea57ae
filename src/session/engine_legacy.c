/* SPDX-License-Identifier: MIT */
/* Legacy security in the engine (docs/protocol.md §6.1): the challenge authentication after
 * a CreateObject in clear, the signed V3 requests of the session, and the periodic session
 * key renewal. The mathematics and the wire forms are src/legacy's; the digests are signed
 * and verified by the link. */
#include <stdio.h>
#include <string.h>

#include "session/engine_int.h"
#include "util/status.h"

#define LAYER "session"
#define CANDIDATES_MAX 32u
#define RANDOM_TRIES 4    /* a degenerate ephemeral point is astronomically rare */

/* Frame variants per key: the one the PLC's identity suggests, then the other of PLAIN and
 * ROLE (the two forms TIA Portal sends; docs/protocol.md §6). */
#define VARIANTS_PER_KEY 2u

static const char *variant_name(s7p_legacy_variant v)
{
    switch (v) {
    case S7P_LEGACY_VARIANT_PLAIN: return "plain";
    case S7P_LEGACY_VARIANT_ROLE: return "role";
    case S7P_LEGACY_VARIANT_ROLES: return "roles";
    case S7P_LEGACY_VARIANT_PLCSIM: return "plcsim";
    }
    return "?";
}

static void fail_with(s7p_engine *e, s7p_status code, const char *msg)
{
    s7p_fail f = {0};
    s7p_fail_set(&f, code, "%s", msg);
    s7p_engine_step_failed_(e, &f);
}

static void on_auth(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                    const s7p_fail *f);

/* A key family without implemented mathematics (02 WinAC, 04, 05, or a new one): no key
 * could help, so no key options are suggested. */
static void unsupported_family(s7p_engine *e, uint8_t family, const char *fp)
{
    char msg[200];
    snprintf(msg, sizeof msg,
             "legacy: the PLC's key %s is of family %02u (%s), which is not supported (only "
             "00 S7-1500, 01 S7-1200 and 03 PLCSIM are implemented)",
             fp, (unsigned)family % 100u, s7p_legacy_family_name(family));
    fail_with(e, S7P_E_UNSUPPORTED, msg);
}

/* Blob and session key for key pk, with fresh randomness. */
static s7p_status compute(const s7p_legacy_pubkey *pk, const uint8_t challenge[20],
                          s7p_legacy_client_result *out)
{
    s7p_status st = S7P_E_INVALID_ARG;
    for (int i = 0; i < RANDOM_TRIES && st == S7P_E_INVALID_ARG; i++) {
        s7p_legacy_client_random rnd;
        if ((st = s7p_legacy_random(&rnd)) != S7P_OK) return st;
        st = s7p_legacy_client_compute(pk, challenge, &rnd, out);
        memset(&rnd, 0, sizeof rnd);  /* key material */
    }
    return st;
}

/* The keys to try for the PLC's key fingerprint; false (the step failed) when none. */
static bool candidates(s7p_engine *e, const s7p_legacy_fingerprint_text *plc, const char *fp,
                       s7p_legacy_pubkey *cands, size_t *n)
{
    static const s7p_legacy_key_policy defaults = {.fallback = true};
    const s7p_legacy_key_policy *p = e->cp.keys ? e->cp.keys : &defaults;
    s7p_status st = s7p_legacy_key_candidates(p, plc, cands, CANDIDATES_MAX, n);
    if (st == S7P_E_UNSUPPORTED) {
        unsupported_family(e, p->force ? p->forced_family : plc->family, fp);
        return false;
    }
    if (st != S7P_OK) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "legacy: no public key for the PLC's key %s (give it with the legacy key "
                 "options: an extra key, a resolver, or a forced key id)", fp);
        fail_with(e, S7P_E_CONFIG, msg);
        return false;
    }
    return true;
}

static s7p_legacy_variant attempt_variant(s7p_legacy_variant first, unsigned k)
{
    if (k == 0) return first;
    return first == S7P_LEGACY_VARIANT_PLAIN ? S7P_LEGACY_VARIANT_ROLE : S7P_LEGACY_VARIANT_PLAIN;
}

void s7p_engine_legacy_auth_(s7p_engine *e, const s7p_object *session)
{
    const char *mode = e->cp.security == S7P_SECURITY_AUTO ? "auto" : "legacy";
    char msg[200];
    s7p_legacy_server_hello hello;
    s7p_status st = s7p_legacy_server_hello_read(session, &hello);
    if (st == S7P_E_NOT_FOUND) {
        fail_with(e, S7P_E_SECURITY_MODE,
                  e->cp.security == S7P_SECURITY_AUTO
                      ? "security mode auto: the PLC offers neither TLS (InitSsl refused) nor "
                        "legacy challenge authentication"
                      : "security mode legacy: the PLC offers no legacy challenge authentication "
                        "(no challenge in its CreateObject answer); use security mode tls");
        return;
    }
    if (st != S7P_OK) {
        fail_with(e, S7P_E_PROTOCOL, "legacy: malformed challenge or key fingerprint");
        return;
    }
    char fp[20];
    s7p_legacy_fingerprint_format(hello.fingerprint.family, hello.fingerprint.id, fp);
    if (!hello.fingerprint.has_id) snprintf(fp, sizeof fp, "%02u", hello.fingerprint.family);
    s7p_legacy_pubkey cands[CANDIDATES_MAX];
    size_t n = 0;
    if (!candidates(e, &hello.fingerprint, fp, cands, &n)) return;
    e->props.legacy_attempts = (unsigned)n * VARIANTS_PER_KEY;
    unsigned at = e->cp.legacy_attempt;
    if (at >= e->props.legacy_attempts) {
        snprintf(msg, sizeof msg, "legacy: no candidate left for key %s", fp);
        fail_with(e, S7P_E_STATE, msg);
        return;
    }
    const s7p_legacy_pubkey *pk = &cands[at / VARIANTS_PER_KEY];
    s7p_legacy_variant variant = attempt_variant(
        s7p_legacy_select_variant(pk->family, e->props.session_id, hello.paom),
        at % VARIANTS_PER_KEY);
    s7p_legacy_client_result res;
    if ((st = compute(pk, hello.challenge, &res)) != S7P_OK) {
        snprintf(msg, sizeof msg, "legacy: %s", s7p_status_text(st));
        fail_with(e, st, msg);
        return;
    }
    s7p_legacy_fingerprint_format(pk->family, pk->id, e->props.legacy_key);
    e->legacy.key = *pk;
    memcpy(e->legacy.next_key, res.session_key, sizeof res.session_key);
    memset(res.session_key, 0, sizeof res.session_key);
    /* The blob travels in the request: keep it in the step arena. */
    uint8_t *blob = s7p_arena_alloc(&e->step_arena, res.key.blob.n);
    s7p_pdu req;
    s7p_legacy_auth_params ap = {e->props.session_id, 0, variant,
                                 strcmp(e->remote_tsap, "SIMATIC-ROOT-ES") == 0 ? 1u : 2u,
                                 hello.version, res.key};
    if (!blob) {
        fail_with(e, S7P_E_NOMEM, "legacy authentication");
        return;
    }
    memcpy(blob, res.blob, res.key.blob.n);
    ap.key.blob.p = blob;
    if ((st = s7p_legacy_auth_request(&e->step_arena, &ap, &req)) != S7P_OK) {
        snprintf(msg, sizeof msg, "legacy: authentication request: %s", s7p_status_text(st));
        fail_with(e, st, msg);
        return;
    }
    s7p_logf(e->log, S7P_LOG_INFO, LAYER,
             "security %s: PLC key %s, authenticating with key %s (%s frame, attempt %u of %u)",
             mode, fp, e->props.legacy_key, variant_name(variant), at + 1,
             e->props.legacy_attempts);
    s7p_engine_step_request_(e, &req, false, on_auth);
}

static void on_auth(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                    const s7p_fail *f)
{
    (void)id;
    s7p_engine *e = ctx;
    s7p_fail mine = {0};
    if (st != S7P_OK) {
        /* A PLC that does not accept the key may just drop the connection. */
        e->props.legacy_refused = st == S7P_E_CLOSED || st == S7P_E_IO;
        memset(e->legacy.next_key, 0, sizeof e->legacy.next_key);
        s7p_engine_step_failed_(e, f);
        return;
    }
    if (s7p_ret_code(resp->ret) < 0) {
        e->props.legacy_refused = true;
        memset(e->legacy.next_key, 0, sizeof e->legacy.next_key);
        mine.plc_return = resp->ret;
        s7p_fail_set(&mine, S7P_E_PLC,
                     "legacy: PLC refused the authentication with key %s (code %d)",
                     e->props.legacy_key, s7p_ret_code(resp->ret));
        s7p_engine_step_failed_(e, &mine);
        return;
    }
    /* From here on every frame in both directions is V3 and signed. */
    s7p_link_set_digest_key(e->link, e->legacy.next_key);
    memset(e->legacy.next_key, 0, sizeof e->legacy.next_key);
    e->legacy.active = true;
    e->props.security = S7P_SECURITY_LEGACY_CHALLENGE;
    e->legacy.refresh_ms = e->cp.legacy_refresh_ms;
    e->legacy.refresh_at = e->legacy.refresh_ms ? e->last_rx + (int64_t)e->legacy.refresh_ms
                                                : INT64_MAX;
    /* PLCSIM resets the connection on a renewal write (docs/protocol.md §6). */
    if (e->legacy.key.family == S7P_LEGACY_FAMILY_PLCSIM) e->legacy.refresh_at = INT64_MAX;
    s7p_engine_after_auth_(e);
}

void s7p_engine_legacy_prepare_(s7p_engine *e, s7p_pdu *p)
{
    if (!e->legacy.active || p->opcode != S7P_OP_REQUEST) return;
    p->version = S7P_PROTO_V3;
    p->has_v3_digest = true;
    memset(p->v3_digest, 0, sizeof p->v3_digest);  /* the link writes the digest */
}

/* ---- session key renewal ---- */

bool s7p_engine_legacy_holds_(const s7p_engine *e, const s7p_engine_node *n)
{
    if (!e->legacy.refresh_wanted) return false;
    return n->id != e->legacy.refresh_id;
}

static void renewal_failed(s7p_engine *e, const char *what, const s7p_pdu *resp)
{
    s7p_fail f = {0};
    f.plc_return = resp->ret;
    s7p_fail_set(&f, S7P_E_PLC, "legacy: session key renewal: PLC refused the %s (code %d)",
                 what, s7p_ret_code(resp->ret));
    s7p_engine_fail_(e, &f);
}

static void renewal_done(s7p_engine *e)
{
    e->legacy.refresh_wanted = false;
    e->legacy.refresh_id = 0;
    e->legacy.refresh_at = e->last_rx + (int64_t)e->legacy.refresh_ms;
    s7p_arena_release(&e->legacy.arena);
}

static void on_key_written(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                           const s7p_fail *f)
{
    (void)id;
    (void)f;
    s7p_engine *e = ctx;
    if (st != S7P_OK) return;  /* the engine faulted: it says why */
    if (s7p_ret_code(resp->ret) < 0) {
        renewal_failed(e, "new key", resp);
        return;
    }
    /* This answer was verified with the old key; everything after uses the new one. */
    s7p_link_set_digest_key(e->link, e->legacy.next_key);
    memset(e->legacy.next_key, 0, sizeof e->legacy.next_key);
    e->props.legacy_refreshes++;
    s7p_logf(e->log, S7P_LOG_DEBUG, LAYER, "legacy: session key renewed (%u)",
             e->props.legacy_refreshes);
    renewal_done(e);
}

static void submit_renewal(s7p_engine *e, s7p_pdu *req, s7p_engine_done_fn done)
{
    req->has_iid = true;
    req->iid = req->function == S7P_FC_SET_VARIABLE ? ++e->iid_set : ++e->iid_get;
    s7p_engine_request r = {req, e->last_rx + (int64_t)e->cfg.heartbeat_timeout_ms, NULL, false,
                            done, e};
    /* refresh_id must name the node before the submit pumps it out. */
    e->legacy.refresh_id = e->next_id;
    if (s7p_engine_submit_(e, &r, NULL) != S7P_OK && e->phase != S7P_ENGINE_FAULTED) {
        s7p_fail f = {0};
        s7p_fail_set(&f, S7P_E_NOMEM, "legacy: session key renewal");
        s7p_engine_fail_(e, &f);
    }
}

static void on_new_challenge(void *ctx, uint64_t id, s7p_status st, const s7p_pdu *resp,
                             const s7p_fail *f)
{
    (void)id;
    (void)f;
    s7p_engine *e = ctx;
    if (st != S7P_OK) return;
    if (s7p_ret_code(resp->ret) < 0) {
        renewal_failed(e, "challenge read", resp);
        return;
    }
    uint8_t challenge[S7P_LEGACY_CHALLENGE_LEN];
    s7p_legacy_client_result res;
    s7p_pdu req;
    st = s7p_legacy_challenge_read(&resp->resp.get_var_sub_streamed.value, challenge);
    if (st == S7P_OK) st = compute(&e->legacy.key, challenge, &res);
    if (st != S7P_OK) {
        s7p_fail mine = {0};
        s7p_fail_set(&mine, st == S7P_E_NOMEM ? st : S7P_E_PROTOCOL,
                     "legacy: session key renewal: %s", s7p_status_text(st));
        s7p_engine_fail_(e, &mine);
        return;
    }
    uint8_t *blob = s7p_arena_alloc(&e->legacy.arena, res.key.blob.n);
    if (blob) {
        memcpy(blob, res.blob, res.key.blob.n);
        res.key.blob.p = blob;
    }
    memcpy(e->legacy.next_key, res.session_key, sizeof res.session_key);
    memset(res.session_key, 0, sizeof res.session_key);
    if (!blob ||
        !s7p_legacy_refresh_key_request(&e->legacy.arena, e->props.session_id, &res.key, &req)) {
        s7p_fail mine = {0};
        s7p_fail_set(&mine, S7P_E_NOMEM, "legacy: session key renewal");
        s7p_engine_fail_(e, &mine);
        return;
    }
    submit_renewal(e, &req, on_key_written);
}

void s7p_engine_legacy_pump_(s7p_engine *e)
{
    if (!e->legacy.refresh_wanted || e->legacy.refresh_id || e->in_flight ||
        e->phase != S7P_ENGINE_OPEN)
        return;
    s7p_pdu req;
    s7p_arena_release(&e->legacy.arena);
    if (!s7p_legacy_refresh_challenge_request(&e->legacy.arena, e->props.session_id, &req)) {
        s7p_fail f = {0};
        s7p_fail_set(&f, S7P_E_NOMEM, "legacy: session key renewal");
        s7p_engine_fail_(e, &f);
        return;
    }
    submit_renewal(e, &req, on_new_challenge);
}

void s7p_engine_legacy_tick_(s7p_engine *e, int64_t now)
{
    if (e->legacy.active && e->phase == S7P_ENGINE_OPEN && !e->legacy.refresh_wanted &&
        now >= e->legacy.refresh_at)
        e->legacy.refresh_wanted = true;
}

int64_t s7p_engine_legacy_deadline_(const s7p_engine *e)
{
    if (!e->legacy.active || e->legacy.refresh_wanted || e->phase != S7P_ENGINE_OPEN)
        return INT64_MAX;
    return e->legacy.refresh_at;
}

/* SPDX-License-Identifier: MIT */
/* The simulator's side of legacy security (--security legacy|both; docs/protocol.md §6.1):
 * the CreateObject answer in clear carries the fingerprint of the simulator's TEST key
 * (attribute 233), a fresh challenge (303) and the version struct (314); the
 * authenticating SetMultiVariables is checked by opening the blob with the test private
 * key; from its answer on, every frame is V3 and signed (the link verifies what arrives: a
 * tampered frame breaks the connection, which then closes as a real CPU drops a session
 * whose integrity fails). A request whose sequence number does not follow the last one is a
 * replay: the connection closes too. The key renewal (GetVarSubStreamed 303, SetVariable
 * 1830) is answered with the old key, then the new one is used. An answer longer than one
 * frame signs its continuation frames in the configured form (--legacy-fragments; by
 * default the state-resume form of S7-1200/1500 firmware).
 * With legacy_family 3 the test key is the PLCSIM (P-256) one, and a renewal write resets
 * the connection as PLCSIM Advanced does. */
#include <string.h>

#include <openssl/rand.h>

#include "legacy/handshake.h"
#include "legacy/plcsim.h"
#include "sim_int.h"

#define SEQ_WINDOW 0x8000u   /* a sequence number ahead of the last by less than this is new */

bool sim_legacy_offered(const sim_conn *c)
{
    return c->sim->cfg.security != S7P_SIM_SECURITY_TLS && !c->tls;
}

bool sim_session_challenge(sim_conn *c, s7p_arena *a, s7p_value *out)
{
    uint8_t *b = s7p_arena_alloc(a, S7P_LEGACY_CHALLENGE_LEN);
    if (!b || RAND_bytes(c->legacy.challenge, S7P_LEGACY_CHALLENGE_LEN) != 1) return false;
    memcpy(b, c->legacy.challenge, S7P_LEGACY_CHALLENGE_LEN);
    memset(out, 0, sizeof *out);
    out->type = S7P_DT_USINT;
    out->flags = S7P_VF_ARRAY;
    out->count = S7P_LEGACY_CHALLENGE_LEN;
    out->v.s.p = b;
    out->v.s.n = S7P_LEGACY_CHALLENGE_LEN;
    return true;
}

/* Legacy firmware offers its version as the Struct 314 attribute (the client echoes it
 * into 306): the TLS answer's 306 element becomes 314. */
static bool version_as_314(s7p_object *o)
{
    for (s7p_obj_elem *e = o->first; e; e = e->next)
        if (e->tag == S7P_EL_ATTRIBUTE && e->u.attr.id == S7P_ID_SERVER_SESSION_VERSION) {
            e->u.attr.id = S7P_ID_SESSION_VERSION_STRUCT;
            return true;
        }
    return false;
}

static bool is_plcsim(const sim_conn *c)
{
    return c->sim->cfg.legacy_family == S7P_LEGACY_FAMILY_PLCSIM;
}

bool sim_legacy_hello(sim_conn *c, s7p_object *o, s7p_arena *a)
{
    s7p_legacy_pubkey pk;
    if (is_plcsim(c)) s7p_legacy_plcsim_test_pubkey(&pk);
    else s7p_legacy_test_pubkey(&pk);
    char *fp = s7p_arena_alloc(a, 20);
    /* The object's own value, in the caller's arena: changed in place. */
    s7p_value *name = (s7p_value *)s7p_object_attr(o, S7P_ID_OBJECT_VARIABLE_TYPE_NAME);
    /* An S7-1500's answer carries its challenge already (sim_session_challenge). */
    bool has_challenge = s7p_object_attr(o, S7P_ID_SERVER_SESSION_CHALLENGE) != NULL;
    s7p_value *ch = has_challenge ? NULL : s7p_object_add_attr(o, a, S7P_ID_SERVER_SESSION_CHALLENGE);
    if (!fp || !name || (!has_challenge && (!ch || !sim_session_challenge(c, a, ch))) ||
        !version_as_314(o))
        return false;
    s7p_legacy_fingerprint_format(pk.family, pk.id, fp);
    name->v.s.p = (const uint8_t *)fp;
    name->v.s.n = strlen(fp);
    return true;
}

int16_t sim_legacy_auth_item(sim_conn *c, const s7p_value *v)
{
    s7p_legacy_security_key k;
    uint8_t hmac_key[S7P_LEGACY_KEY_LEN];  /* key2 (00/01) or key1 (03) */
    if (!v || s7p_legacy_security_key_read(v, &k) != S7P_OK) return SIM_E_PARSING;
    /* The struct's symmetric key id is not checked: real PLCs accept either value the
     * known clients send (docs/protocol.md §6). */
    s7p_status st =
        is_plcsim(c)
            ? s7p_legacy_plcsim_blob_open(s7p_legacy_plcsim_test_server_key(), c->legacy.challenge,
                                          k.blob.p, k.blob.n, hmac_key, c->legacy.next_key)
            : s7p_legacy_blob_open(s7p_legacy_test_server_key(), c->legacy.challenge, k.blob.p,
                                   k.blob.n, hmac_key, c->legacy.next_key);
    if (st != S7P_OK) {
        sim_log(c->sim, 1, "conn %lu: legacy authentication refused (blob does not open with "
                "the test key and this session's challenge)", c->id);
        return SIM_E_ACCESS_DENIED;
    }
    memset(hmac_key, 0, sizeof hmac_key);
    c->legacy.switch_key = true;
    return 0;
}

bool s7p_sim_legacy_fragments_parse(const char *name, s7p_sim_legacy_fragments *out)
{
    static const char *const names[] = {"resume", "chained", "independent"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (s7p_sim_legacy_fragments)i;
            return true;
        }
    return false;
}

static s7p_digest_form digest_form(s7p_sim_legacy_fragments f)
{
    switch (f) {
    case S7P_SIM_FRAGMENTS_CHAINED: return S7P_DIGEST_CHAINED;
    case S7P_SIM_FRAGMENTS_INDEPENDENT: return S7P_DIGEST_INDEPENDENT;
    default: return S7P_DIGEST_RESUME;
    }
}

unsigned long s7p_sim_legacy_continuations(const s7p_sim *s)
{
    return atomic_load(&((s7p_sim *)s)->legacy_continuations);
}

void sim_legacy_count_sent(sim_conn *c)
{
    uint32_t now = c->ch.digest_cont_sent;
    if (now == c->legacy.cont_counted) return;
    atomic_fetch_add(&c->sim->legacy_continuations, (unsigned long)(now - c->legacy.cont_counted));
    c->legacy.cont_counted = now;
}

void sim_legacy_after_answer(sim_conn *c)
{
    sim_legacy_count_sent(c);
    if (!c->legacy.switch_key) return;
    c->legacy.switch_key = false;
    if (!c->legacy.on) sim_log(c->sim, 1, "conn %lu: legacy authentication accepted", c->id);
    else sim_log(c->sim, 2, "conn %lu: legacy session key renewed", c->id);
    c->legacy.on = true;
    c->ch.digest_send = digest_form(c->sim->cfg.legacy_fragments);
    s7p_link_set_digest_key(&c->ch, c->legacy.next_key);
    memset(c->legacy.next_key, 0, sizeof c->legacy.next_key);
}

bool sim_legacy_challenge_attr(sim_conn *c, uint32_t obj, uint32_t attr, s7p_arena *a,
                               s7p_value *out)
{
    if (!c->legacy.on || obj != c->session || attr != S7P_ID_SERVER_SESSION_CHALLENGE)
        return false;
    return sim_session_challenge(c, a, out);
}

bool sim_legacy_check_request(sim_conn *c, const s7p_pdu *req)
{
    if (!c->legacy.on) return req->version != S7P_PROTO_V3;  /* no digests agreed */
    /* The link verified the digest; a valid digest on an old sequence number is a replay. */
    uint16_t ahead = (uint16_t)(req->seq - c->legacy.last_seq);
    if (c->legacy.seen && (ahead == 0 || ahead >= SEQ_WINDOW)) {
        sim_log(c->sim, 1, "conn %lu: legacy: request seq %u after %u: replayed, closing", c->id,
                req->seq, c->legacy.last_seq);
        return false;
    }
    c->legacy.seen = true;
    c->legacy.last_seq = req->seq;
    return true;
}

void sim_legacy_sign_answer(sim_conn *c, s7p_pdu *p)
{
    if (!c->legacy.on) return;
    p->version = S7P_PROTO_V3;
    p->has_v3_digest = true;  /* zeros: the link signs */
}

bool sim_legacy_renewal_resets(const sim_conn *c)
{
    return is_plcsim(c);
}

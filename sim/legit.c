/* SPDX-License-Identifier: MIT */
/* The simulator's protection (docs/simulator.md "Protected PLC"; docs/protocol.md
 * "Legitimation"): each session starts at the configured protection level (attribute 1842);
 * GetVarSubStreamed of 303 gives a fresh 20-byte challenge; a SetVariable of 304 (the legacy
 * variant: SHA-1(password) XOR challenge) or of 1846 (the newer variant, TLS only: the
 * payload AES-256-CBC encrypted with the connection's rolled exporter key, IV = challenge)
 * logs in. Which of the two the simulator takes follows its firmware (the PAOM string), as
 * the client chooses; the other is refused like a wrong password. One answer per challenge. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "session/legit.h"
#include "sim_int.h"

/* ---- configuration ---- */

bool s7p_sim_level_parse(const char *name, unsigned *level)
{
    static const char *const names[] = {"full", "read", "hmi", "none"};
    for (unsigned i = 0; i < 4; i++)
        if (strcasecmp(name, names[i]) == 0) {
            *level = i + 1;
            return true;
        }
    return false;
}

static bool login_level_parse(const char *name, unsigned *level)
{
    return s7p_sim_level_parse(name, level) && *level <= 3;
}

bool s7p_sim_password_parse(const char *spec, s7p_sim_config *c, char *err, size_t err_len)
{
    const char *eq = strchr(spec, '=');
    char name[8];
    unsigned level;
    size_t n = eq ? (size_t)(eq - spec) : 0;
    if (!eq || n >= sizeof name) goto bad;
    memcpy(name, spec, n);
    name[n] = 0;
    if (!login_level_parse(name, &level) || !eq[1]) goto bad;
    c->passwords[level - 1] = eq + 1;
    return true;
bad:
    snprintf(err, err_len, "password \"LEVEL=PASSWORD\" expected, LEVEL full, read or hmi, "
             "the password not empty");
    return false;
}

bool s7p_sim_user_parse(char *spec, s7p_sim_user *u, char *err, size_t err_len)
{
    char *first = strchr(spec, ':'), *last = strrchr(spec, ':');
    if (!first || first == last || first == spec || last == first + 1 ||
        !login_level_parse(last + 1, &u->level)) {
        snprintf(err, err_len, "user \"NAME:PASSWORD:LEVEL\" expected, LEVEL full, read or hmi");
        return false;
    }
    *first = *last = 0;
    u->name = spec;
    u->password = first + 1;
    return true;
}

static char *copy_text(const char *s, bool *bad)
{
    if (!s) return NULL;
    size_t n = strlen(s);
    if (!n || n > S7P_LEGIT_MAX_TEXT) {
        *bad = true;
        return NULL;
    }
    char *d = strdup(s);
    if (!d) *bad = true;
    return d;
}

static void free_text(char *s)
{
    if (!s) return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}

bool sim_legit_init(s7p_sim *s, char *err, size_t err_len)
{
    const s7p_sim_config *c = &s->cfg;
    bool bad = c->protection_level < 1 || c->protection_level > 4 ||
               c->nusers > S7P_SIM_MAX_USERS || (c->nusers && !c->users);
    for (unsigned i = 0; i < 3 && !bad; i++) s->passwords[i] = copy_text(c->passwords[i], &bad);
    if (!bad && c->nusers) {
        s->users = calloc(c->nusers, sizeof *s->users);
        bad = !s->users;
    }
    for (size_t i = 0; i < c->nusers && !bad; i++) {
        s->users[i].level = c->users[i].level;
        s->users[i].name = copy_text(c->users[i].name, &bad);
        s->users[i].password = copy_text(c->users[i].password, &bad);
        s->nusers = i + 1;
        bad = bad || !s->users[i].name || !s->users[i].password || c->users[i].level < 1 ||
              c->users[i].level > 3;
    }
    /* From here on the configuration names the copies, never the caller's strings. */
    for (unsigned i = 0; i < 3; i++) s->cfg.passwords[i] = s->passwords[i];
    s->cfg.users = s->users;
    s->cfg.nusers = s->nusers;
    if (bad)
        snprintf(err, err_len, "protection: level 1..4, passwords and users of 1..256 bytes, "
                 "user levels 1..3, at most %u users (or out of memory)", S7P_SIM_MAX_USERS);
    return !bad;
}

void sim_legit_free(s7p_sim *s)
{
    for (unsigned i = 0; i < 3; i++) free_text(s->passwords[i]);
    for (size_t i = 0; i < s->nusers; i++) {
        free_text((char *)s->users[i].name);
        free_text((char *)s->users[i].password);
    }
    free(s->users);
}

/* ---- sessions ---- */

void sim_legit_session_start(sim_conn *c)
{
    c->legit.level = c->sim->cfg.protection_level;
    c->legit.challenged = false;
}

bool sim_legit_allows(const sim_conn *c, unsigned need)
{
    return c->legit.level <= need;
}

static bool udint(s7p_value *out, uint32_t v)
{
    out->type = S7P_DT_UDINT;
    out->v.u = v;
    return true;
}

bool sim_legit_attr(sim_conn *c, uint32_t obj, uint32_t attr, s7p_arena *a, s7p_value *out)
{
    if (!c->session || obj != c->session) return false;
    memset(out, 0, sizeof *out);
    if (attr == S7P_ID_EFFECTIVE_PROTECTION_LEVEL) return udint(out, c->legit.level);
    if (attr != S7P_LEGIT_ATTR_CHALLENGE) return false;
    uint8_t *b = s7p_arena_alloc(a, sizeof c->legit.challenge);
    if (!b || RAND_bytes(c->legit.challenge, sizeof c->legit.challenge) != 1) return false;
    /* One challenge per session: a signed legacy session's key renewal answers it too. */
    memcpy(c->legacy.challenge, c->legit.challenge, sizeof c->legacy.challenge);
    memcpy(b, c->legit.challenge, sizeof c->legit.challenge);
    c->legit.challenged = true;
    out->flags = S7P_VF_ARRAY;
    out->type = S7P_DT_USINT;
    out->count = sizeof c->legit.challenge;
    out->v.s.p = b;
    out->v.s.n = sizeof c->legit.challenge;
    return true;
}

/* ---- logins ---- */

static s7p_legit_variant variant(const sim_conn *c)
{
    /* Without TLS there is no exporter secret: only the legacy answer can be checked. */
    return c->tls ? s7p_legit_variant_of(c->sim->ident.paom) : S7P_LEGIT_LEGACY;
}

bool sim_legit_is_login(const sim_conn *c, const s7p_req_set_variable *b)
{
    return c->session && b->object_id == c->session && b->address_count == 1 &&
           (b->addresses[0] == S7P_LEGIT_ATTR_RESPONSE ||
            b->addresses[0] == S7P_LEGIT_ATTR_LEGITIMATE);
}

static bool same(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    return an == bn && CRYPTO_memcmp(a, b, an) == 0;
}

/* The best level whose password hashes (SHA-1) to `hash`; 0 if none. With a challenge,
 * `hash` is the legacy answer (SHA-1 XOR challenge). */
static unsigned level_of_hash(const s7p_sim *s, const uint8_t *hash, size_t n,
                              const uint8_t *challenge)
{
    unsigned found = 0;
    for (unsigned i = 0; i < 3 && !found; i++) {
        uint8_t want[S7P_LEGIT_SHA1_LEN];
        if (!s->passwords[i]) continue;
        if (challenge)
            (void)s7p_legit_legacy_response(s->passwords[i], challenge, S7P_LEGIT_SHA1_LEN, want);
        else
            s7p_legit_sha1(s->passwords[i], want);
        if (same(hash, n, want, sizeof want)) found = i + 1;
        OPENSSL_cleanse(want, sizeof want);
    }
    return found;
}

static unsigned level_of_user(const s7p_sim *s, const s7p_legit_payload_view *v)
{
    for (size_t i = 0; i < s->nusers; i++) {
        const s7p_sim_user *u = &s->users[i];
        if (same(v->username.p, v->username.n, (const uint8_t *)u->name, strlen(u->name)) &&
            same(v->password.p, v->password.n, (const uint8_t *)u->password, strlen(u->password)))
            return u->level;
    }
    return 0;
}

static unsigned legacy_login(sim_conn *c, const s7p_value *v)
{
    if (v->type != S7P_DT_USINT || !s7p_value_is_array(v) || v->v.s.n != S7P_LEGIT_SHA1_LEN)
        return 0;
    return level_of_hash(c->sim, v->v.s.p, v->v.s.n, c->legit.challenge);
}

/* The newer variant: the same key chain as the client (exporter secret once, then SHA-256
 * per attempt), AES-256-CBC with the challenge's first 16 bytes as IV. */
static unsigned new_login(sim_conn *c, const s7p_value *v, s7p_arena *a)
{
    if (v->type != S7P_DT_BLOB || s7p_value_is_array(v) || !v->v.blob ||
        v->v.blob->data.n > S7P_LEGIT_CIPHER_MAX)
        return 0;
    if (!c->legit.have_secret &&
        !(c->legit.have_secret = s7p_tls_export(c->ch.tls, S7P_LEGIT_OMS_LABEL, c->legit.secret,
                                                sizeof c->legit.secret)))
        return 0;
    uint8_t key[S7P_LEGIT_KEY_LEN], plain[S7P_LEGIT_CIPHER_MAX];
    size_t n = 0;
    unsigned level = 0;
    s7p_legit_payload_view p;
    s7p_legit_roll_key(c->legit.secret, key);
    if (s7p_legit_decrypt(key, c->legit.challenge, v->v.blob->data.p, v->v.blob->data.n, plain,
                          sizeof plain, &n) == S7P_OK &&
        s7p_legit_payload_parse(plain, n, a, &p) == S7P_OK) {
        if (p.type == S7P_LEGIT_TYPE_PASSWORD && !p.username.n)
            level = level_of_hash(c->sim, p.password.p, p.password.n, NULL);
        else if (p.type == S7P_LEGIT_TYPE_USER)
            level = level_of_user(c->sim, &p);
    }
    OPENSSL_cleanse(plain, sizeof plain);
    OPENSSL_cleanse(key, sizeof key);
    return level;
}

int16_t sim_legit_login(sim_conn *c, const s7p_req_set_variable *b, s7p_arena *a)
{
    bool legacy_attr = b->addresses[0] == S7P_LEGIT_ATTR_RESPONSE;
    bool fits = legacy_attr == (variant(c) == S7P_LEGIT_LEGACY);
    unsigned level = 0;
    /* Without a fresh challenge, or in the other variant's attribute, nothing can match. */
    if (c->legit.challenged && fits)
        level = legacy_attr ? legacy_login(c, &b->value) : new_login(c, &b->value, a);
    c->legit.challenged = false;
    OPENSSL_cleanse(c->legit.challenge, sizeof c->legit.challenge);
    if (!level) {
        sim_log(c->sim, 1, "conn %lu: legitimation refused (%s variant%s)", c->id,
                legacy_attr ? "legacy" : "new", fits ? "" : ", not this firmware's");
        return SIM_E_ACCESS_DENIED;
    }
    if (level < c->legit.level) c->legit.level = level;
    sim_log(c->sim, 1, "conn %lu: legitimation accepted: access level %u, session now %u", c->id,
            level, c->legit.level);
    return 0;
}

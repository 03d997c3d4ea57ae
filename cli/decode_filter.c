/* SPDX-License-Identifier: MIT */
/* `s7plus decode --filter EXPR`. See decode_filter.h. */
#include "decode_filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    decode_key key;
} keys[] = {
    {"function", KEY_FUNCTION}, {"seq", KEY_SEQ},         {"conn", KEY_CONN},
    {"dir", KEY_DIR},           {"session", KEY_SESSION}, {"frame", KEY_FRAME},
};

static const char *const dirs[] = {"req", "resp", "notif", "client", "plc"};

/* Copies s[0..n) without the spaces around it. */
static void trimmed(char *out, size_t cap, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n >= cap) n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

static bool number(const char *s, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+') return false;
    char *end;
    errno = 0;
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    unsigned long long v = strtoull(s, &end, hex ? 16 : 10);   /* not octal: "010" is 10 */
    if (errno || *end) return false;
    *out = v;
    return true;
}

/* "N" or "N-M" (seq, conn, frame); session takes one number. */
static bool range(decode_key key, const char *s, decode_value *v)
{
    const char *dash = key == KEY_SESSION ? NULL : strchr(s, '-');
    if (!dash) {
        if (!number(s, &v->lo)) return false;
        v->hi = v->lo;
        return true;
    }
    char lo[DECODE_FILTER_NAME];
    trimmed(lo, sizeof lo, s, (size_t)(dash - s));
    return number(lo, &v->lo) && number(dash + 1, &v->hi) && v->lo <= v->hi;
}

static bool value(decode_key key, const char *s, decode_value *v, char *err, size_t len)
{
    if (!*s) {
        snprintf(err, len, "an empty value");
        return false;
    }
    snprintf(v->name, sizeof v->name, "%s", s);
    if (key == KEY_FUNCTION) return true;
    if (key == KEY_DIR) {
        for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
            if (strcasecmp(s, dirs[i]) == 0) return true;
        snprintf(err, len, "dir=%s: not req, resp, notif, client or plc", s);
        return false;
    }
    if (range(key, s, v)) return true;
    snprintf(err, len, "'%s' is not a number%s", s, key == KEY_SESSION ? "" : " or a range N-M");
    return false;
}

static bool key_of(const char *name, decode_key *key)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcasecmp(name, keys[i].name) == 0) {
            *key = keys[i].key;
            return true;
        }
    return false;
}

/* KEY=V1|V2|..., or a bare word: 'errors' or a function name. */
static bool term(const char *s, decode_term *t, char *err, size_t len)
{
    const char *eq = strchr(s, '=');
    char name[DECODE_FILTER_NAME];
    *t = (decode_term){.key = KEY_FUNCTION};
    if (!eq) {
        trimmed(name, sizeof name, s, strlen(s));
        if (!*name) return snprintf(err, len, "an empty term"), false;
        if (strcasecmp(name, "errors") == 0) t->key = KEY_ERRORS;
        t->n = 1;
        snprintf(t->v[0].name, sizeof t->v[0].name, "%s", name);
        return true;
    }
    trimmed(name, sizeof name, s, (size_t)(eq - s));
    if (!key_of(name, &t->key)) {
        snprintf(err, len, "unknown key '%s' (function, seq, conn, dir, session, frame)", name);
        return false;
    }
    for (const char *p = eq + 1;; ) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        char v[DECODE_FILTER_NAME];
        if (t->n == DECODE_FILTER_VALUES) return snprintf(err, len, "too many values"), false;
        trimmed(v, sizeof v, p, n);
        if (!value(t->key, v, &t->v[t->n++], err, len)) return false;
        if (!bar) return true;
        p = bar + 1;
    }
}

bool decode_filter_parse(const char *expr, decode_filter *f, char *err, size_t err_len)
{
    *f = (decode_filter){0};
    const char *p = expr;
    do {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char t[512], why[160] = "";
        if (n >= sizeof t || f->n == DECODE_FILTER_TERMS) {
            snprintf(err, err_len, "--filter: expression too long");
            return false;
        }
        memcpy(t, p, n);
        t[n] = '\0';
        if (!term(t, &f->t[f->n++], why, sizeof why)) {
            snprintf(err, err_len, "--filter: %s in '%s'", why, t);
            return false;
        }
        p = comma ? comma + 1 : NULL;
    } while (p);
    return true;
}

/* An error answer, a refused item, a failed system event, or bytes that did not decode. */
static bool is_error(const s7p_decoded_pdu *m)
{
    if (m->kind == S7P_DECODED_UNDECODABLE) return true;
    if (m->has_return_value && m->return_code < 0) return true;
    for (size_t i = 0; i < m->field_count; i++)
        if (m->fields[i].kind == S7P_FIELD_ITEM_ERROR) return true;
    return false;
}

static bool has_seq(const s7p_decoded_pdu *m)
{
    return (m->kind == S7P_DECODED_PDU && m->opcode != 0x33) || m->kind == S7P_DECODED_KEEPALIVE;
}

static bool dir_is(const s7p_decoded_pdu *m, const char *d)
{
    bool pdu = m->kind == S7P_DECODED_PDU;
    if (strcasecmp(d, "client") == 0) return m->from_client;
    if (strcasecmp(d, "plc") == 0) return !m->from_client;
    if (strcasecmp(d, "req") == 0) return pdu && m->opcode == 0x31;
    if (strcasecmp(d, "notif") == 0) return pdu && m->opcode == 0x33;
    return pdu && m->opcode != 0x31 && m->opcode != 0x33;   /* resp */
}

static bool value_matches(const decode_term *t, const decode_value *v, const s7p_decoded_pdu *m)
{
    switch (t->key) {
    case KEY_ERRORS: return is_error(m);
    case KEY_FUNCTION: return strcasecmp(v->name, m->function_name) == 0;
    case KEY_DIR: return dir_is(m, v->name);
    case KEY_SEQ: return has_seq(m) && m->seq >= v->lo && m->seq <= v->hi;
    case KEY_CONN: return m->connection >= v->lo && m->connection <= v->hi;
    case KEY_FRAME: return m->frame >= v->lo && m->frame <= v->hi;
    case KEY_SESSION: return m->session_id != 0 && m->session_id == v->lo;
    }
    return false;
}

bool decode_filter_match(const decode_filter *f, const s7p_decoded_pdu *m)
{
    for (size_t i = 0; i < f->n; i++) {
        const decode_term *t = &f->t[i];
        bool any = false;
        for (size_t k = 0; k < t->n && !any; k++)
            any = value_matches(t, &t->v[k], m);
        if (!any) return false;
    }
    return true;
}

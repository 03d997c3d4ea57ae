/* SPDX-License-Identifier: MIT */
/* The simulated CPU: its identity, the ServerSession object handed out by CreateObject, the
 * attributes read with GetVarSubStreamed (services spec §3.1), the text container's
 * languages (§3.2) and the ObjectRoot system limits and free items read with
 * GetMultiVariables (§3.3). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

#define IM0_LEN 64u
#define REL_MNGMT_ROOT 0x894A0000u
#define ATTR_ES_VERSION 2459u
#define ATTR_IM0 3753u
#define ATTR_TIA_INFO_TEXTS 8342u
#define SESSION_ROLE 0x20000000u
#define SESSION_COMMENT_1500 "OMSP.REL.5041.23"  /* S7-1511 FW V1.0 (transport spec §9) */
#define PROJECT_PAOM_1200 "2;793"                /* CPU 1214C FW V2.2 captures */
#define MSG_SESSION_PRE_LEGITIMATED 17u
#define CLASS_TEXT_CONTAINER 4672u
#define ATTR_TEXT_CONTAINER_LCIDS 2717u
#define PLC_ATTRIBUTES_MAX 2000
#define SUBSCRIPTION_MEMORY_MAX 100000

static void pad_copy(char *dst, size_t width, const char *src)
{
    size_t n = strlen(src);
    if (n > width) n = width;
    memset(dst, ' ', width);
    memcpy(dst, src, n);
    dst[width] = '\0';
}

/* "V3.1.0", "3.1" -> {3, 1, 0}. */
static bool parse_fw(const char *s, uint8_t fw[3])
{
    unsigned v[3] = {0, 0, 0};
    if (*s == 'V' || *s == 'v') s++;
    int n = sscanf(s, "%u.%u.%u", &v[0], &v[1], &v[2]);
    if (n < 2 || v[0] > 255 || v[1] > 255 || v[2] > 255) return false;
    for (int i = 0; i < 3; i++) fw[i] = (uint8_t)v[i];
    return true;
}

/* The family by the device number after "6ES7" ("6ES7 214-..." is an S7-1200); everything
 * that is not a 2xx (S7-1500, software controllers, unknown) answers as an S7-1500. */
static sim_family family_of(const char *order_number)
{
    const char *p = strstr(order_number, "ES7");
    if (!p) return SIM_FAMILY_1500;
    p += 3;
    if (*p == ' ') p++;
    return *p == '2' ? SIM_FAMILY_1200 : SIM_FAMILY_1500;
}

bool sim_identity_init(sim_identity *id, const s7p_sim_config *cfg, char *err, size_t err_len)
{
    memset(id, 0, sizeof *id);
    if (!parse_fw(cfg->firmware, id->fw)) {
        snprintf(err, err_len, "firmware \"%s\" is not V<major>.<minor>[.<patch>]", cfg->firmware);
        return false;
    }
    pad_copy(id->order_number, sizeof id->order_number - 1, cfg->order_number);
    pad_copy(id->serial, sizeof id->serial - 1, cfg->serial_number);
    id->family = family_of(cfg->order_number);
    char paom[128];
    /* An S7-1200 puts a blank after the order number (all three S7-1200 captures). */
    const char *gap = id->family == SIM_FAMILY_1200 ? " " : "";
    if (cfg->paom)
        snprintf(paom, sizeof paom, "%s", cfg->paom);
    else
        snprintf(paom, sizeof paom, "1;%s%s;V%u.%u", cfg->order_number, gap, id->fw[0], id->fw[1]);
    id->plc_name = strdup(cfg->plc_name);
    id->project_name = strdup(cfg->project_name);
    id->paom = strdup(paom);
    id->protection_level = cfg->protection_level;
    id->tags_per_read = cfg->tags_per_request;
    id->tags_per_write = cfg->tags_per_write ? cfg->tags_per_write : cfg->tags_per_request;
    id->max_subscriptions = cfg->max_subscriptions;
    if (cfg->nlanguages == 0 || cfg->nlanguages > S7P_SIM_MAX_LANGUAGES) {
        snprintf(err, err_len, "languages: 1 to %u LCIDs", S7P_SIM_MAX_LANGUAGES);
        return false;
    }
    memcpy(id->languages, cfg->languages, cfg->nlanguages * sizeof id->languages[0]);
    id->nlanguages = cfg->nlanguages;
    if (!id->plc_name || !id->project_name || !id->paom) {
        sim_identity_free(id);
        snprintf(err, err_len, "out of memory");
        return false;
    }
    return true;
}

void sim_identity_free(sim_identity *id)
{
    free(id->plc_name);
    free(id->project_name);
    free(id->paom);
    id->plc_name = id->project_name = id->paom = NULL;
}

static s7p_bytes str_view(const char *s)
{
    s7p_bytes b = {(const uint8_t *)s, strlen(s)};
    return b;
}

static bool set_wstring(s7p_value *v, const char *s)
{
    if (!v) return false;
    v->type = S7P_DT_WSTRING;
    v->v.s = str_view(s);
    return true;
}

static bool set_udint(s7p_value *v, uint32_t x)
{
    if (!v) return false;
    v->type = S7P_DT_UDINT;
    v->v.u = x;
    return true;
}

/* Struct 314 ServerSessionVersion as the family's CPUs send it (captures, docs/protocol.md
 * §8.5): an S7-1511 names its PAOM twice with OMS 320; an S7-1200 gives OMS 256/192 and a
 * project PAOM string "2;<n>". Nothing newer was captured: every firmware of a family gets
 * its family's numbers. */
static bool session_version(const sim_identity *id, s7p_arena *a, s7p_value *v)
{
    s7p_struct *st = s7p_arena_alloc(a, sizeof *st);
    if (!v || !st) return false;
    v->type = S7P_DT_STRUCT;
    v->v.st = st;
    st->id = S7P_ID_SESSION_VERSION_STRUCT;
    bool s1200 = id->family == SIM_FAMILY_1200;
    uint32_t paom_no = s1200 ? 8396864u : 8405056u;
    s7p_value *fmt;
    bool ok = set_udint(s7p_idlist_add(&st->members, a, 315), s1200 ? 256 : 320) &&
              set_udint(s7p_idlist_add(&st->members, a, 316), s1200 ? 192 : 320) &&
              set_udint(s7p_idlist_add(&st->members, a, 317), paom_no) &&
              set_udint(s7p_idlist_add(&st->members, a, 318), paom_no) &&
              set_wstring(s7p_idlist_add(&st->members, a, 319), id->paom) &&
              set_wstring(s7p_idlist_add(&st->members, a, 320), s1200 ? PROJECT_PAOM_1200 : id->paom) &&
              (fmt = s7p_idlist_add(&st->members, a, 321)) != NULL;
    if (!ok) return false;
    fmt->type = S7P_DT_UINT;
    fmt->v.u = 3;
    return true;
}

/* An S7-1511: class flags 1 (User1), 233 "", 299 role, 301 comment, 303 challenge, 306. An
 * S7-1200: class flags 0, only 233 "" and 306. */
s7p_object *sim_cpu_session_object(const sim_identity *id, s7p_arena *a,
                                   const s7p_value *challenge)
{
    s7p_object *o = s7p_object_new(a, S7P_ID_OBJECT_NULL_SERVER_SESSION,
                                   S7P_ID_CLASS_SERVER_SESSION);
    if (!o || !set_wstring(s7p_object_add_attr(o, a, S7P_ID_OBJECT_VARIABLE_TYPE_NAME), ""))
        return NULL;
    if (id->family == SIM_FAMILY_1500) {
        o->class_flags = 1;
        s7p_value *ch;
        if (!set_udint(s7p_object_add_attr(o, a, 299), SESSION_ROLE) ||
            !set_wstring(s7p_object_add_attr(o, a, 301), SESSION_COMMENT_1500))
            return NULL;
        if (challenge && !(ch = s7p_object_add_attr(o, a, S7P_ID_SERVER_SESSION_CHALLENGE)))
            return NULL;
        if (challenge) *ch = *challenge;
    }
    return session_version(id, a, s7p_object_add_attr(o, a, S7P_ID_SERVER_SESSION_VERSION)) ? o
                                                                                              : NULL;
}

/* The S7-1200s of the captures answered 17 MessageSessionPreLegitimated: by its name, a
 * session that starts with full access; a protected one starts without it and gets 0. */
uint64_t sim_cpu_session_ret(const sim_identity *id)
{
    return id->family == SIM_FAMILY_1200 && id->protection_level == 1 ? MSG_SESSION_PRE_LEGITIMATED
                                                                      : 0;
}

/* The I&M0 record as the reference driver decodes it (services spec §3.1). */
static bool im0_blob(const sim_identity *id, s7p_arena *a, s7p_value *out)
{
    uint8_t *b = s7p_arena_alloc(a, IM0_LEN);
    s7p_blob *blob = s7p_arena_alloc(a, sizeof *blob);
    if (!b || !blob) return false;
    static const uint8_t head[8] = {0x00, 0x20, 0x00, 0x38, 0x01, 0x00, 0x00, 0x2A};
    memcpy(b, head, sizeof head);               /* block header, vendor id 0x002A Siemens */
    memcpy(b + 8, id->order_number, 19);
    b[27] = ' ';
    memcpy(b + 28, id->serial, 16);
    b[44] = 0;
    b[46] = 1;                                  /* hardware revision */
    b[47] = 'V';
    memcpy(b + 48, id->fw, 3);
    b[57] = 0x01;                               /* I&M version 1.1 */
    b[58] = 0x01;
    b[60] = 0x1E;                               /* I&M1..4 supported */
    blob->root_id = 0;
    blob->data.p = b;
    blob->data.n = IM0_LEN;
    out->type = S7P_DT_BLOB;
    out->v.blob = blob;
    return true;
}

/* ESversion: TIA Portal version bytes a.b.c.d, then a second version of unknown meaning. */
static bool es_version(s7p_value *out)
{
    static const uint8_t ver[8] = {17, 0, 0, 0, 0, 0, 0, 0};
    out->flags = S7P_VF_ARRAY;
    out->type = S7P_DT_USINT;
    out->count = sizeof ver;
    out->v.s.p = ver;
    out->v.s.n = sizeof ver;
    return true;
}

static bool tia_info_texts(const sim_identity *id, s7p_arena *a, s7p_value *out)
{
    s7p_scalar *e = s7p_arena_array(a, 3, sizeof *e);
    if (!e) return false;
    e[0].s = str_view("");
    e[1].s = str_view("");
    e[2].s = str_view(id->project_name);
    out->flags = S7P_VF_ARRAY;
    out->type = S7P_DT_WSTRING;
    out->count = 3;
    out->elems = e;
    return true;
}

bool sim_cpu_attr(const sim_identity *id, uint32_t session, uint32_t obj, uint32_t attr,
                  s7p_arena *a, s7p_value *out)
{
    memset(out, 0, sizeof *out);
    if (session && obj == session && attr == S7P_ID_EFFECTIVE_PROTECTION_LEVEL)
        return set_udint(out, id->protection_level);
    if (obj == S7P_ID_AS_ROOT && attr == ATTR_ES_VERSION) return es_version(out);
    if (obj == S7P_ID_CPU_COMMON && attr == S7P_ID_OBJECT_VARIABLE_TYPE_NAME)
        return set_wstring(out, id->plc_name);
    if (obj == S7P_ID_CPU_PROXY && attr == ATTR_IM0) return im0_blob(id, a, out);
    if (obj == REL_MNGMT_ROOT && attr == ATTR_TIA_INFO_TEXTS) return tia_info_texts(id, a, out);
    return false;
}

/* ObjectRoot(201) pseudo-variables: sub-area 1037 SystemLimits, 1081 FreeItems. Nothing
 * holds attributes or subscription memory here, so those are free in full. */
static bool limit_value(const s7p_sim *s, uint32_t sub_area, uint32_t lid, int32_t *v)
{
    const sim_identity *id = &s->ident;
    bool free = sub_area == S7P_ID_FREE_ITEMS;
    if (sub_area != S7P_ID_SYSTEM_LIMITS && !free) return false;
    switch (lid) {
    case 0: {
        unsigned used = atomic_load(&((s7p_sim *)s)->subs_active);
        *v = (int32_t)(!free ? id->max_subscriptions
                       : used < id->max_subscriptions ? id->max_subscriptions - used : 0);
        return true;
    }
    case 1: *v = PLC_ATTRIBUTES_MAX; return true;
    case 2: *v = SUBSCRIPTION_MEMORY_MAX; return true;
    case 1000: *v = (int32_t)id->tags_per_read; return !free;
    case 1001: *v = (int32_t)id->tags_per_write; return !free;
    default: return false;
    }
}

bool sim_cpu_limit(const s7p_sim *s, const s7p_item_address *addr, s7p_value *out)
{
    memset(out, 0, sizeof *out);
    int32_t v;
    if (addr->area != S7P_ID_OBJECT_ROOT || addr->nlids != 1 ||
        !limit_value(s, addr->sub_area, addr->lids[0], &v))
        return false;
    out->type = S7P_DT_DINT;
    out->v.i = v;
    return true;
}

/* The text container as an S7-1500 answers Explore(114): the object itself, RID 114, class
 * TextContainer, with the LCIDs as a UInt array. */
bool sim_cpu_text_container(const sim_identity *id, s7p_arena *a, s7p_object_list *out)
{
    s7p_object *o = s7p_object_new(a, SIM_ID_TEXT_CONTAINER, CLASS_TEXT_CONTAINER);
    s7p_value *v = o ? s7p_object_add_attr(o, a, ATTR_TEXT_CONTAINER_LCIDS) : NULL;
    s7p_scalar *e = s7p_arena_array(a, id->nlanguages, sizeof *e);
    s7p_object **items = s7p_arena_array(a, 1, sizeof *items);
    if (!v || !e || !items) return false;
    for (unsigned i = 0; i < id->nlanguages; i++) e[i].u = id->languages[i];
    v->flags = S7P_VF_ARRAY;
    v->type = S7P_DT_UINT;
    v->count = id->nlanguages;
    v->elems = e;
    items[0] = o;
    out->items = items;
    out->n = 1;
    return true;
}

bool s7p_sim_languages_parse(const char *spec, s7p_sim_config *c, char *err, size_t err_len)
{
    uint16_t l[S7P_SIM_MAX_LANGUAGES];
    unsigned n = 0;
    const char *p = spec ? spec : "";
    for (;;) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || errno || v == 0 || v > 65535 || *p == '-' || *p == '+' || (*end && *end != ',')) {
            snprintf(err, err_len, "languages \"%s\": not a list of LCIDs (1..65535, e.g. 1033,1031)",
                     spec ? spec : "");
            return false;
        }
        if (n == S7P_SIM_MAX_LANGUAGES) {
            snprintf(err, err_len, "languages: at most %u", S7P_SIM_MAX_LANGUAGES);
            return false;
        }
        l[n++] = (uint16_t)v;
        if (!*end) break;
        p = end + 1;
    }
    memcpy(c->languages, l, n * sizeof l[0]);
    c->nlanguages = n;
    return true;
}

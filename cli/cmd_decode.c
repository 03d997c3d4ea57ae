/* SPDX-License-Identifier: MIT */
/* s7plus decode FILE: what the HMI and the PLC said in a capture (s7p_capture_decode_file),
 * as text or as JSON lines. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "decode_filter.h"
#include "decode_symbols.h"

static const char usage[] =
    "usage: s7plus decode FILE [--keylog KEYS] [--port N] [--symbols BROWSE.json] [--json]\n"
    "                          [--filter EXPR] [--no-summary]\n"
    "Reads a pcap or pcapng capture, follows each TCP connection to the PLC port\n"
    "(out-of-order and retransmitted segments reassembled), decrypts TLS 1.3 with a key\n"
    "log, and prints every S7CommPlus message: time, connection, direction, protocol\n"
    "version, opcode, function, sequence number, session, integrity id and the decoded\n"
    "body (object, class and attribute ids with their names, item addresses and values,\n"
    "errors with their names); then a summary (functions per connection, errors,\n"
    "sequence gaps, round trips per function). Bytes that do not decode are shown as hex\n"
    "with the reason.\n"
    "options:\n"
    "  --keylog KEYS     TLS key log (SSLKEYLOGFILE format, as --keylog of the other\n"
    "                    commands and of s7plus-sim writes it)\n"
    "  --port N          the PLC's TCP port (default 102)\n"
    "  --symbols FILE    name item addresses after a browse of the same PLC (what\n"
    "                    s7plus browse --json wrote): \"DB\".Var instead of DB6 ... lid 16\n"
    "  --json            one JSON object per message (JSON lines), the summary last\n"
    "  --filter EXPR     only the messages that match EXPR (below)\n"
    "  --no-summary      leave the summary out\n"
    "  -h, --help        this text\n"
    "filter expressions:\n"
    "terms separated by ',' must all match; a term KEY=V1|V2 matches one of its values;\n"
    "a bare NAME is function=NAME.\n"
    "  function=NAME     GetMultiVariables, SetMultiVariables, Notification,\n"
    "                    SystemEvent, KeepAlive, ... (case-insensitive)\n"
    "  seq=N             sequence number N, or a range N-M\n"
    "  conn=N            connection N (or N-M), numbered in order of appearance\n"
    "  frame=N           capture frame N (or N-M)\n"
    "  dir=D             req, resp, notif (requests, responses, notifications), client or\n"
    "                    plc (all the client or the PLC sent)\n"
    "  session=ID        session id, decimal or 0x hex\n"
    "  errors            error answers, refused items, undecodable bytes\n"
    "example:\n"
    "  s7plus decode hmi.pcap --filter 'function=GetMultiVariables|SetMultiVariables,conn=2'\n";

typedef struct decode_ctx {
    bool json;
    decode_filter filter;
    unsigned long shown;
} decode_ctx;

static void time_text(int64_t us, char *out, size_t len)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char d[32];
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, len, "%s.%06ldZ", d, (long)(us % 1000000));
}

static const char *opcode_text(const s7p_decoded_pdu *m)
{
    switch (m->kind) {
    case S7P_DECODED_SYSTEM_EVENT: return "system-event";
    case S7P_DECODED_KEEPALIVE: return "keep-alive";
    case S7P_DECODED_COTP: return "cotp";
    case S7P_DECODED_UNDECODABLE: return "undecodable";
    default: break;
    }
    switch (m->opcode) {
    case 0x31: return "request";
    case 0x33: return "notification";
    default: return "response";
    }
}


static json_t *lines_json(const char *text)
{
    json_t *a = json_array();
    for (const char *p = text; a && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, n));
        p += n + (e ? 1 : 0);
    }
    return a;
}

/* A value as JSON: numbers and booleans typed when the text is one, the text otherwise
 * (arrays, structs, blobs, times ... as the text output shows them). */
static json_t *value_json(const s7p_decoded_field *f)
{
    static const char *const ints[] = {"USInt", "UInt", "UDInt", "ULInt", "SInt", "Int",
                                       "DInt", "LInt", "RID", "AID", "Timestamp", "Timespan"};
    const char *v = f->value;
    if (f->count || f->sparse || !f->type) return json_string(v);
    char *end = NULL;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (strcmp(f->type, ints[i]) != 0) continue;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        return errno || *end || end == v ? json_string(v) : json_integer((json_int_t)n);
    }
    if (strcmp(f->type, "Real") == 0 || strcmp(f->type, "LReal") == 0) {
        double d = strtod(v, &end);
        return *end || end == v || !isfinite(d) ? json_string(v) : json_real(d);
    }
    if (strcmp(f->type, "Bool") == 0) return json_boolean(strcmp(v, "true") == 0);
    size_t n = strlen(v);
    if (strcmp(f->type, "WString") == 0 && n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        json_t *t = json_stringn(v + 1, n - 2);   /* \xNN escapes stay as they are */
        if (t) return t;
    }
    return json_string(v);
}

static json_t *address_json(const s7p_decoded_field *f)
{
    json_t *lids = json_array();
    for (uint8_t i = 0; lids && i < f->address.nlids && i < S7P_TAG_MAX_LIDS; i++)
        json_array_append_new(lids, json_integer((json_int_t)f->address.lids[i]));
    return json_pack("{s:I, s:I, s:o, s:I, s:s?}", "area", (json_int_t)f->address.area,
                     "sub_area", (json_int_t)f->address.sub_area, "lids", lids, "crc",
                     (json_int_t)f->address.symbol_crc, "text", f->address_text);
}

static void set_id(json_t *o, const char *key, uint32_t id, const char *name_key,
                   const char *name)
{
    json_object_set_new(o, key, json_integer((json_int_t)id));
    if (name) json_object_set_new(o, name_key, json_string(name));
}

static const char *field_kind(s7p_decoded_field_kind k)
{
    switch (k) {
    case S7P_FIELD_OBJECT: return "object";
    case S7P_FIELD_ATTRIBUTE: return "attribute";
    case S7P_FIELD_ITEM: return "item";
    default: return "item-error";
    }
}

/* One field: {"kind", "depth", ids with names, item, address, symbol, type, value, error}. */
static json_t *field_json(const s7p_decoded_field *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(field_kind(f->kind)));
    json_object_set_new(o, "depth", json_integer(f->depth));
    if (f->kind == S7P_FIELD_OBJECT) {
        set_id(o, "rel", f->id, "rel_name", f->id_name);
        set_id(o, "class", f->class_id, "class_name", f->class_name);
        return o;
    }
    if (f->item) json_object_set_new(o, "item", json_integer(f->item));
    if (f->id) set_id(o, "attribute", f->id, "name", f->id_name);
    if (f->has_address) json_object_set_new(o, "address", address_json(f));
    if (f->symbol) json_object_set_new(o, "symbol", json_string(f->symbol));
    if (f->type) json_object_set_new(o, "type", json_string(f->type));
    if (f->count) json_object_set_new(o, "count", json_integer(f->count));
    if (f->sparse) json_object_set_new(o, "sparse", json_true());
    if (f->value) json_object_set_new(o, "value", value_json(f));
    if (f->kind == S7P_FIELD_ITEM_ERROR) {
        json_object_set_new(o, "error", json_integer(f->code));
        if (f->code_name) json_object_set_new(o, "error_name", json_string(f->code_name));
    }
    return o;
}

static json_t *fields_json(const s7p_decoded_pdu *m)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < m->field_count; i++)
        json_array_append_new(a, field_json(&m->fields[i]));
    return a;
}

static void print_json(const s7p_decoded_pdu *m, const char *when)
{
    json_t *o = json_object();
    json_object_set_new(o, "frame", json_integer((json_int_t)m->frame));
    json_object_set_new(o, "time", json_string(when));
    json_object_set_new(o, "connection", json_integer(m->connection));
    json_object_set_new(o, "client", json_string(m->client));
    json_object_set_new(o, "server", json_string(m->server));
    json_object_set_new(o, "direction", json_string(m->from_client ? "client>plc" : "plc>client"));
    json_object_set_new(o, "tls", json_boolean(m->tls));
    json_object_set_new(o, "kind", json_string(opcode_text(m)));
    json_object_set_new(o, "version", json_integer(m->version));
    json_object_set_new(o, "function", json_string(m->function_name));
    if (m->kind == S7P_DECODED_PDU) json_object_set_new(o, "opcode", json_integer(m->opcode));
    if (m->kind == S7P_DECODED_PDU && m->opcode != 0x33) {
        json_object_set_new(o, "function_code", json_integer(m->function));
        json_object_set_new(o, "seq", json_integer(m->seq));
    }
    if (m->session_id) json_object_set_new(o, "session", json_integer(m->session_id));
    if (m->has_integrity_id) json_object_set_new(o, "integrity_id", json_integer(m->integrity_id));
    if (m->has_return_value) {
        json_object_set_new(o, "return_code", json_integer(m->return_code));
        if (m->return_name) json_object_set_new(o, "return_name", json_string(m->return_name));
    }
    if (m->rtt_us >= 0) json_object_set_new(o, "rtt_us", json_integer(m->rtt_us));
    if (m->error) json_object_set_new(o, "error", json_string(m->error));
    if (m->field_count) json_object_set_new(o, "fields", fields_json(m));
    json_object_set_new(o, "body", lines_json(m->body));
    char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
    if (s) puts(s);
    free(s);
    json_decref(o);
}

static void print_text(const s7p_decoded_pdu *m, const char *when)
{
    printf("#%" PRIu64 " %s conn %u %s %s", m->frame, when, m->connection,
           m->from_client ? "client>plc" : "plc>client", m->tls ? "TLS " : "");
    if (m->version) printf("V%u ", m->version);
    printf("%s %s", opcode_text(m), m->function_name);
    if (m->kind == S7P_DECODED_PDU && m->opcode != 0x33) printf(" seq=%u", m->seq);
    if (m->session_id) printf(" session=0x%08" PRIX32, m->session_id);
    if (m->has_integrity_id) printf(" iid=%" PRIu32, m->integrity_id);
    if (m->rtt_us >= 0) printf(" rtt=%.3fms", (double)m->rtt_us / 1000.0);
    if (m->error) printf(" error: %s", m->error);
    putchar('\n');
    for (const char *p = m->body; *p;) {
        const char *e = strchr(p, '\n');
        int n = (int)(e ? (size_t)(e - p) : strlen(p));
        printf("    %.*s\n", n, p);
        p += n + (e ? 1 : 0);
    }
}

static void on_msg(const s7p_decoded_pdu *m, void *user)
{
    decode_ctx *x = user;
    if (!decode_filter_match(&x->filter, m)) return;
    char when[48];
    time_text(m->time_us, when, sizeof when);
    if (x->json) print_json(m, when);
    else print_text(m, when);
    x->shown++;
}

int cmd_decode(int argc, char **argv)
{
    static const struct option opts[] = {
        {"keylog", required_argument, NULL, 'k'}, {"port", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},         {"filter", required_argument, NULL, 'f'},
        {"no-summary", no_argument, NULL, 'n'},   {"help", no_argument, NULL, 'h'},
        {"symbols", required_argument, NULL, 's'}, {NULL, 0, NULL, 0},
    };
    decode_ctx x = {0};
    s7p_decode_options o = {.on_pdu = on_msg, .user = &x};
    bool no_summary = false;
    const char *symbols = NULL;
    char why[256];
    unsigned long port = 102;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': o.keylog_file = optarg; break;
        case 'p':
            if (cli_parse_number("--port", optarg, 1, 65535, &port) != CLI_OK) return CLI_USAGE;
            break;
        case 'j': x.json = true; break;
        case 'f':
            if (!decode_filter_parse(optarg, &x.filter, why, sizeof why)) {
                fprintf(stderr, "s7plus decode: %s\n", why);
                return CLI_USAGE;
            }
            break;
        case 's': symbols = optarg; break;
        case 'n': no_summary = true; break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default: fputs(usage, stderr); return CLI_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "s7plus decode: give one capture file\n");
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    o.port = (uint16_t)port;
    decode_symbols *syms = NULL;
    if (symbols && !(syms = decode_symbols_load(symbols, why, sizeof why))) {
        fprintf(stderr, "s7plus decode: --symbols %s\n", why);
        return CLI_CONFIG;
    }
    o.symbol = syms ? decode_symbols_lookup : NULL;
    o.symbol_ctx = syms;
    char err[256] = "", *summary = NULL;
    s7p_status st = s7p_capture_decode_file(argv[optind], &o, no_summary ? NULL : &summary, err,
                                            sizeof err);
    decode_symbols_free(syms);
    if (st != S7P_OK) {
        fprintf(stderr, "s7plus decode: %s\n", err[0] ? err : s7p_strerror(st));
        return st == S7P_E_NOMEM ? CLI_PROTOCOL : st == S7P_E_CONFIG ? CLI_CONFIG : CLI_USAGE;
    }
    if (summary && x.json) {
        json_t *s = json_pack("{s:o}", "summary", lines_json(summary));
        char *t = s ? json_dumps(s, JSON_COMPACT) : NULL;
        if (t) puts(t);
        free(t);
        json_decref(s);
    } else if (summary) {
        printf("\nsummary:\n%s", summary);
    }
    s7p_text_free(summary);
    return CLI_OK;
}

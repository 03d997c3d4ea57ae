/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"

const char *cli_status_name(s7p_status st)
{
    static const char *const names[] = {
        "S7P_OK", "S7P_E_INVALID_ARG", "S7P_E_NOMEM", "S7P_E_STATE", "S7P_E_RESOLVE",
        "S7P_E_CONNECT", "S7P_E_TIMEOUT", "S7P_E_CLOSED", "S7P_E_IO", "S7P_E_TLS",
        "S7P_E_TLS_VERIFY", "S7P_E_PROTOCOL", "S7P_E_UNSUPPORTED", "S7P_E_AUTH", "S7P_E_PLC",
        "S7P_E_NOT_FOUND", "S7P_E_TOO_SMALL", "S7P_E_LIMIT", "S7P_E_WRITE_DISABLED",
        "S7P_E_CONFIG", "S7P_E_CERT_CHANGED", "S7P_E_NOT_SENT", "S7P_E_PROGRAM_CHANGED",
        "S7P_E_CANCELLED", "S7P_E_INTEGRITY", "S7P_E_SECURITY_MODE",
    };
    return (size_t)st < sizeof names / sizeof names[0] ? names[st] : "S7P_E_UNKNOWN";
}

bool cli_plc_code_transient(int16_t code)
{
    /* ServiceNotAvailable, ServiceTimeout, ServiceTooManyRequests, ServiceTooManySessions */
    return code == -108 || code == -111 || code == -112 || code == -113;
}

/* "PLC error -17 InvalidCRC: symbol CRC mismatch: ..." */
static void plc_text(int16_t code, char *buf, size_t len)
{
    const char *name = s7p_plc_code_name(code);
    snprintf(buf, len, "PLC error %d%s%s: %s", (int)code, name ? " " : "", name ? name : "",
             s7p_plc_code_text(code));
}

const char *cli_plc_suffix(const s7p_error *err, const char *text, char *buf, size_t len)
{
    const char *name = s7p_plc_code_name(err->plc_code);
    if (err->plc_code == 0 || len < 4 || (name && strstr(text, name))) return "";
    buf[0] = ' ';
    buf[1] = '(';
    plc_text(err->plc_code, buf + 2, len - 3);
    strcat(buf, ")");
    return buf;
}

void cli_result_error(const s7p_item_result *r, const char *op, const char *endpoint,
                      s7p_error *out)
{
    memset(out, 0, sizeof *out);
    out->code = r->code;
    out->op = op;
    snprintf(out->endpoint, sizeof out->endpoint, "%s", endpoint);
    out->plc_return = r->plc_return;
    out->plc_code = r->plc_code;
    char plc[200] = "";
    if (r->plc_code != 0) plc_text(r->plc_code, plc, sizeof plc);
    switch (r->code) {
    case S7P_E_PLC:
        out->transient = cli_plc_code_transient(r->plc_code);
        snprintf(out->message, sizeof out->message, "%s", plc[0] ? plc : "PLC error");
        return;
    case S7P_E_INVALID_ARG:
        snprintf(out->message, sizeof out->message,
                 "the value does not fit the variable (invalid argument)");
        return;
    case S7P_E_UNSUPPORTED:
        snprintf(out->message, sizeof out->message,
                 "values of this type cannot be transferred (unsupported)");
        return;
    case S7P_E_NOT_SENT:
        out->transient = true;  /* nothing reached the PLC: sending it again is safe */
        snprintf(out->message, sizeof out->message,
                 "not sent: an earlier request of the batch failed");
        return;
    case S7P_E_PROGRAM_CHANGED:
        /* the PLC's text may be cut: the message is bounded (the return value says so) */
        if (snprintf(out->message, sizeof out->message,
                     "the PLC's program changed since the symbol was resolved: resolve it "
                     "again%s%s%s", plc[0] ? " (" : "", plc, plc[0] ? ")" : "") < 0)
            out->message[0] = '\0';
        return;
    default:
        snprintf(out->message, sizeof out->message, "%s%s%s", s7p_strerror(r->code),
                 plc[0] ? ": " : "", plc);
        return;
    }
}

json_t *cli_error_json(const s7p_error *err, const char *message)
{
    json_t *o = json_object();
    if (!o) return NULL;
    const char *name = s7p_plc_code_name(err->plc_code);
    json_object_set_new(o, "code", json_string(cli_status_name(err->code)));
    json_object_set_new(o, "status", json_integer((json_int_t)err->code));
    json_object_set_new(o, "operation", err->op ? json_string(err->op) : json_null());
    json_object_set_new(o, "endpoint", err->endpoint[0] ? json_string(err->endpoint) : json_null());
    json_object_set_new(o, "plc_code", err->plc_code ? json_integer(err->plc_code) : json_null());
    const char *text = err->plc_code ? s7p_plc_code_text(err->plc_code) : NULL;
    json_object_set_new(o, "plc_code_name", err->plc_code && name ? json_string(name) : json_null());
    json_object_set_new(o, "plc_code_text", text ? json_string(text) : json_null());
    json_object_set_new(o, "transient", json_boolean(err->transient));
    /* json_string refuses invalid UTF-8 (a symbol typed in another encoding) */
    json_t *m = json_string(message ? message : err->message);
    json_object_set_new(o, "message", m ? m : json_string("?"));
    return o;
}

void cli_item_fail(cli_item *it, const s7p_error *err, const char *text)
{
    it->state = CLI_ITEM_FAILED;
    it->err = *err;
    it->err_text = NULL;
    if (text && text >= err->message && text < err->message + sizeof err->message)
        it->err_text = it->err.message + (text - err->message);  /* into our own copy */
    else if (text)
        snprintf(it->err.message, sizeof it->err.message, "%s", text);
    if (!it->err_text) it->err_text = it->err.message;
}

static char *json_key(const char *s)
{
    json_t *j = json_string(s);
    char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    return out ? out : strdup("\"?\"");
}

/* The items as the lines of one JSON object (no braces): "SYMBOL": value-or-error. */
static void print_json_items(const cli_item *it, size_t n, const char *indent)
{
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (it[i].state == CLI_ITEM_PENDING) continue;
        char *key = json_key(it[i].symbol), *val = NULL;
        if (it[i].state == CLI_ITEM_OK) {
            val = vt_json(&it[i].value);
        } else {
            json_t *e = cli_error_json(&it[i].err, it[i].err_text);
            json_t *w = e ? json_pack("{s:o}", "error", e) : NULL;
            val = w ? json_dumps(w, JSON_PRESERVE_ORDER) : NULL;
            json_decref(w);
        }
        printf("%s\n%s%s: %s", first ? "" : ",", indent, key ? key : "\"?\"", val ? val : "null");
        first = false;
        free(key);
        free(val);
    }
    if (!first) printf("\n");
}

static void print_text_items(const cli_item *it, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (it[i].state == CLI_ITEM_FAILED) {
            char suffix[240];
            printf("%s: error: %s%s\n", it[i].symbol, it[i].err_text,
                   cli_plc_suffix(&it[i].err, it[i].err_text, suffix, sizeof suffix));
        } else if (it[i].state == CLI_ITEM_OK) {
            char *text = NULL;
            s7p_value_text(&it[i].value, 0, &text);
            printf("%s = %s\n", it[i].symbol, text ? text : "<out of memory>");
            s7p_text_free(text);
        }
    }
}

void cli_print_items(bool json, const cli_item *it, size_t n, const s7p_error *batch)
{
    if (!json) {
        print_text_items(it, n);
        if (batch) {
            char suffix[240];
            fflush(stdout);
            fprintf(stderr, "s7plus: %s%s\n", batch->message,
                    cli_plc_suffix(batch, batch->message, suffix, sizeof suffix));
        }
        return;
    }
    if (!batch) {
        printf("{");
        print_json_items(it, n, "  ");
        printf("}\n");
        return;
    }
    json_t *e = cli_error_json(batch, NULL);
    char *s = e ? json_dumps(e, JSON_PRESERVE_ORDER) : NULL;
    json_decref(e);
    printf("{\n  \"error\": %s", s ? s : "null");
    free(s);
    bool any = false;
    for (size_t i = 0; i < n; i++) any = any || it[i].state != CLI_ITEM_PENDING;
    if (any) {
        printf(",\n  \"results\": {");
        print_json_items(it, n, "    ");
        printf("  }");
    }
    printf("\n}\n");
}

int cli_print_json(json_t *o)
{
    if (!o) return CLI_PROTOCOL;
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
    return CLI_OK;
}

void cli_print_json_line(json_t *o)
{
    char *s = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    printf("%s\n", s ? s : "{\"error\": \"out of memory\"}");
    free(s);
    json_decref(o);
}

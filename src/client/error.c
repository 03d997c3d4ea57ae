/* SPDX-License-Identifier: MIT */
#include "client/error.h"

#include <stdio.h>
#include <string.h>

/* PLC answers that mean "busy now": the same request may pass a moment later. */
static bool plc_code_transient(int16_t code)
{
    switch (code) {
    case -108:  /* ServiceNotAvailable */
    case -111:  /* ServiceTimeout */
    case -112:  /* ServiceTooManyRequests */
    case -113:  /* ServiceTooManySessions: a session may free up */
        return true;
    default:
        return false;
    }
}

bool s7p_error_is_transient(s7p_status code, int16_t plc_code)
{
    switch (code) {
    case S7P_E_TIMEOUT:
    case S7P_E_CLOSED:
    case S7P_E_IO:
    case S7P_E_CONNECT:
    case S7P_E_RESOLVE:
    case S7P_E_TLS:      /* record or handshake failure on a live link; not verification */
        return true;
    case S7P_E_PLC:
        return plc_code_transient(plc_code);
    /* Configuration: the same call fails the same way until someone changes the settings
     * (TSAP the PLC refused, CA or key-log file unusable, security mode the PLC does not
     * speak) or the PLC's certificate (failed verification, changed since first use). */
    case S7P_E_CONFIG:
    case S7P_E_SECURITY_MODE:
    case S7P_E_TLS_VERIFY:
    case S7P_E_CERT_CHANGED:
        return false;
    default:
        return false;    /* protocol violations, auth, arguments, limits */
    }
}

void s7p_error_clear(s7p_error *err)
{
    if (err) memset(err, 0, sizeof *err);
}

void s7p_error_fill(s7p_error *err, const char *op, const char *endpoint, const s7p_fail *f)
{
    if (!err) return;
    memset(err, 0, sizeof *err);
    err->code = f->code;
    err->op = op;
    snprintf(err->endpoint, sizeof err->endpoint, "%s", endpoint);
    err->plc_return = f->plc_return;
    err->plc_code = s7p_ret_code(f->plc_return);
    err->sys_errno = f->sys_errno;
    err->tls_err = f->tls_err;
    err->transient = s7p_error_is_transient(f->code, err->plc_code);
    /* A message longer than the field is cut at its end: the code and the start of the
     * reason are what matter, and the return value check keeps gcc from warning. */
    int n = snprintf(err->message, sizeof err->message, "%s: %s: %s", op, endpoint,
                     f->msg[0] ? f->msg : s7p_strerror(f->code));
    if (n >= (int)sizeof err->message) err->message[sizeof err->message - 1] = '\0';
}

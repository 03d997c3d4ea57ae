/* SPDX-License-Identifier: MIT */
#include "util/status.h"

const char *s7p_status_text(s7p_status s)
{
    switch (s) {
    case S7P_OK: return "ok";
    case S7P_E_INVALID_ARG: return "invalid argument";
    case S7P_E_NOMEM: return "out of memory";
    case S7P_E_STATE: return "wrong state";
    case S7P_E_RESOLVE: return "name resolution failed";
    case S7P_E_CONNECT: return "connection failed";
    case S7P_E_TIMEOUT: return "timeout";
    case S7P_E_CLOSED: return "connection closed";
    case S7P_E_IO: return "I/O error";
    case S7P_E_TLS: return "TLS error";
    case S7P_E_TLS_VERIFY: return "TLS verification failed";
    case S7P_E_PROTOCOL: return "protocol error";
    case S7P_E_UNSUPPORTED: return "unsupported";
    case S7P_E_AUTH: return "legitimation failed";
    case S7P_E_PLC: return "PLC error";
    case S7P_E_NOT_FOUND: return "not found";
    case S7P_E_TOO_SMALL: return "buffer too small";
    case S7P_E_LIMIT: return "limit exceeded";
    case S7P_E_WRITE_DISABLED: return "writes are disabled";
    case S7P_E_CONFIG: return "configuration error";
    case S7P_E_CERT_CHANGED: return "PLC certificate changed";
    case S7P_E_NOT_SENT: return "not sent";
    case S7P_E_PROGRAM_CHANGED: return "PLC program changed";
    case S7P_E_CANCELLED: return "cancelled";
    case S7P_E_INTEGRITY: return "integrity check failed";
    case S7P_E_SECURITY_MODE: return "security mode not offered by the PLC";
    }
    return "unknown status";
}

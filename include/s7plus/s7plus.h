/*
 * libs7plus — a C11 client library for Siemens S7-1200/S7-1500 PLCs over S7CommPlus.
 *
 * Thread safety: the library keeps no global mutable state and needs no global init
 * (OpenSSL 3 initialises itself). s7p_status_str() and s7p_version() may be called from
 * any thread.
 */
#ifndef S7PLUS_S7PLUS_H
#define S7PLUS_S7PLUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(S7P_BUILDING_LIBRARY)
#define S7P_API __attribute__((visibility("default")))
#else
#define S7P_API
#endif

#define S7P_VERSION_MAJOR 0
#define S7P_VERSION_MINOR 1
#define S7P_VERSION_PATCH 0

/** Result of every call that can fail. The numbers are ABI: append only, never reuse. */
typedef enum s7p_status {
    S7P_OK = 0,
    S7P_E_INVALID_ARG,  /**< a caller argument is out of its documented range */
    S7P_E_NOMEM,        /**< an allocation failed */
    S7P_E_STATE,        /**< the handle is not in a state that allows the call */
    S7P_E_RESOLVE,      /**< host name could not be resolved */
    S7P_E_CONNECT,      /**< TCP or COTP connection could not be established */
    S7P_E_TIMEOUT,      /**< a deadline passed before the peer answered */
    S7P_E_CLOSED,       /**< the peer closed the connection */
    S7P_E_IO,           /**< an operating-system I/O error */
    S7P_E_TLS,          /**< TLS handshake or record failure */
    S7P_E_TLS_VERIFY,   /**< the PLC certificate did not pass the configured verification */
    S7P_E_PROTOCOL,     /**< the peer sent bytes that violate the protocol */
    S7P_E_UNSUPPORTED,  /**< a valid feature this build or the peer does not support */
    S7P_E_AUTH,         /**< legitimation (password) failed */
    S7P_E_PLC,          /**< the PLC answered with an error return value */
    S7P_E_NOT_FOUND,    /**< a symbol, object or attribute does not exist */
    S7P_E_TOO_SMALL,    /**< a caller buffer is too small */
    S7P_E_LIMIT,        /**< a size, count or nesting limit was exceeded */
} s7p_status;

/** Short English name of a status, e.g. "protocol error". Static, never NULL. */
S7P_API const char *s7p_status_str(s7p_status s);

/** Library version as "MAJOR.MINOR.PATCH". Static, never NULL. */
S7P_API const char *s7p_version(void);

#ifdef __cplusplus
}
#endif
#endif

/* s7plus-sim: an S7CommPlus PLC simulator, embeddable in tests.
 *
 * One accept thread plus one thread per connection. Each connection runs the server side of
 * the TLS connect sequence (COTP CC, InitSsl, TLS 1.3, CreateObject session, SetMultiVariables
 * of the ServerSessionVersion, system limits, protection level), answers the CPU information
 * reads, serves the configured PLC program (DB list and type information by Explore, DB
 * values and I/Q/M/T/C tags by GetMultiVariables and SetMultiVariables; docs/protocol.md
 * §3) and closes the session on DeleteObject. Everything else is answered with a PLC error
 * return value (transport-and-session.md §7.4, §8).
 *
 * Thread safety: the accessors may be called from any thread while the simulator runs;
 * s7p_sim_stop() must be called once, by one thread. */
#ifndef S7P_SIM_SIM_H
#define S7P_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct s7p_sim_config {
    const char *listen_addr;      /* default "127.0.0.1" */
    uint16_t port;                /* 0 = any free port; default 0 */
    unsigned max_sessions;        /* default 8 */
    const char *cert_file, *key_file;  /* PEM; both NULL = generated self-signed */
    const char *keylog_file;      /* NSS key log lines appended here; NULL = off */
    int verbosity;                /* 0 errors, 1 connections, 2 requests, 3 hex dumps */
    FILE *log;                    /* NULL = silent */
    /* CPU identity */
    const char *order_number;     /* default "6ES7 516-3AN02-0AB0" */
    const char *firmware;         /* default "V3.1.0" */
    const char *serial_number;    /* default "S V-SIM000000001" */
    const char *plc_name;         /* default "PLC_1" */
    const char *project_name;     /* default "s7plus-sim" */
    const char *paom;             /* NULL = "1;<order_number>;V<major>.<minor>" */
    unsigned protection_level;    /* EffectiveProtectionLevel; default 1 (full access) */
    bool accept_any_tsap;         /* default false: "SIMATIC-ROOT-HMI" / "SIMATIC-ROOT-ES" */
    /* PLC program: a directory of TIA sources (.udt, .db) and tag tables (.tags), served by
     * Explore (DB list, type information) and Get/SetMultiVariables (DB values, tags). Every
     * connection sees the same values; writes last until the simulator stops. NULL: none. */
    const char *program_dir;
} s7p_sim_config;

typedef struct s7p_sim s7p_sim;

/** Sets every field to its default. */
void s7p_sim_config_init(s7p_sim_config *c);

/** Starts the simulator; it is listening when this returns. Strings in c are copied.
 *  On failure returns NULL and writes a one-line reason to err (for a program that does not
 *  load, the loader's "file:line:col: message"). */
s7p_sim *s7p_sim_start(const s7p_sim_config *c, char *err, size_t err_len);

/** The bound TCP port. */
uint16_t s7p_sim_port(const s7p_sim *s);
/** SHA-256 of the server certificate (32 bytes, owned by the simulator). */
const uint8_t *s7p_sim_cert_sha256(const s7p_sim *s);
/** Sessions currently open (CreateObject answered, not yet deleted or disconnected). */
unsigned s7p_sim_sessions(const s7p_sim *s);
/** Requests received so far with this function code, over all connections. */
unsigned long s7p_sim_requests(const s7p_sim *s, uint16_t function);

/** Closes the listener and every connection, joins all threads and frees s. NULL: no-op. */
void s7p_sim_stop(s7p_sim *s);

#endif

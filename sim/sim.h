/* SPDX-License-Identifier: MIT */
/* s7plus-sim: an S7CommPlus PLC simulator, embeddable in tests.
 *
 * One accept thread plus one thread per connection (a thread whose connection ended waits
 * two seconds for the next one before it ends). Each connection runs the server side of
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

/* How sessions are protected (--security). */
typedef enum s7p_sim_security {
    S7P_SIM_SECURITY_TLS = 0,     /* InitSsl, TLS 1.3 (today's firmware) */
    S7P_SIM_SECURITY_LEGACY,      /* no TLS: InitSsl refused as old firmware refuses it; the
                                     CreateObject answer in clear offers the legacy challenge
                                     authentication with the simulator's TEST key
                                     ("00:BA35267CA865911B", not a PLC key), then every frame
                                     is signed and verified */
    S7P_SIM_SECURITY_BOTH,        /* TLS after InitSsl, legacy when the CreateObject comes
                                     in clear */
} s7p_sim_security;

/* How a signed answer longer than one frame (legacy security) signs its continuation frames
 * (--legacy-fragments; docs/protocol.md §6.1, legacy spec §2.7). The first frame always
 * carries HMAC-SHA256(session key, its data). */
typedef enum s7p_sim_legacy_fragments {
    S7P_SIM_FRAGMENTS_RESUME = 0, /* "resume": both HMAC hash states resumed from their
                                     finalized values, as S7-1200/1500 firmware (default) */
    S7P_SIM_FRAGMENTS_CHAINED,    /* "chained": HMAC(key, previous digest || data), as
                                     PLCSIM Advanced */
    S7P_SIM_FRAGMENTS_INDEPENDENT,  /* "independent": HMAC(key, data) per frame */
} s7p_sim_legacy_fragments;

/* Languages a simulator's text container holds at most (s7p_sim_config.languages). */
#define S7P_SIM_MAX_LANGUAGES 16u
/* A user of the PLC's user management (newer firmware, docs/simulator.md "Protected PLC"). */
typedef struct s7p_sim_user {
    const char *name, *password;  /* UTF-8, 1..256 bytes each */
    unsigned level;               /* the access level a login gives: 1 full, 2 read, 3 HMI */
} s7p_sim_user;
#define S7P_SIM_MAX_USERS 32u

typedef struct s7p_sim_config {
    const char *listen_addr;      /* default "127.0.0.1" */
    uint16_t port;                /* 0 = any free port; default 0 */
    unsigned max_sessions;        /* default 8; 1..10000. Each connection has a thread
                                     (256 KiB stack); the open file limit is raised at start
                                     as far as the hard limit allows */
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
    /* PLC program: a directory of TIA sources (.udt, .db, .scl) and tag tables (.tags), served by
     * Explore (DB list, type information) and Get/SetMultiVariables (DB values, tags). Every
     * connection sees the same values; writes last until the simulator stops. NULL: none. */
    const char *program_dir;
    /* Tags per read and per write request the simulator reports in its system limits (the
     * client splits larger batches); default 50. It does not refuse larger requests. */
    unsigned tags_per_request;
    /* Connections still setting up (TCP accepted, COTP, InitSsl, TLS, CreateObject not yet
     * answered) have a deadline and a limit of their own, so idle or half-open sockets cannot
     * lock a real client out: each must reach its session within setup_timeout_ms of being
     * accepted, and at most max_pending are served at once (a new one closes the oldest). */
    unsigned setup_timeout_ms;    /* default 5000; 1..600000 */
    unsigned max_pending;         /* default 16; 1..1024. For N clients that may connect
                                     at the same moment, N (s7plus-sim's default is
                                     max_sessions) */
    /* Operating state of the CPU execution unit at start (s7p_sim_state); 0 = RUN. */
    int state;
    /* Control channel (s7p_sim_control()) on a local unix socket at this path, one line per
     * command and one line per answer (docs/simulator.md); NULL: none. An existing socket at
     * the path is replaced. */
    const char *control_path;
    /* A program source with errors (every error is logged at level 0 as
     * "program: file:line:col: message") is left out and the rest served; with
     * strict_program the start (or reload) fails instead. Default false. */
    bool strict_program;
    s7p_sim_security security;    /* default S7P_SIM_SECURITY_TLS */
    /* Languages of the text container (object 114, attribute 2717: services spec §3.2), as
     * Windows LCIDs, the first the primary one; default 1033 (en-US), 1031 (de-DE). */
    uint16_t languages[S7P_SIM_MAX_LANGUAGES];
    unsigned nlanguages;          /* 1..S7P_SIM_MAX_LANGUAGES */
    /* Tags per write request reported (SystemLimits LID 1001); 0 = tags_per_request, which
     * is then the tags per read request (LID 1000) only. */
    unsigned tags_per_write;
    /* Tag subscriptions existing at once over all sessions: PlcSubscriptionsMax (SystemLimits
     * LID 0); PlcSubscriptionsFree (FreeItems LID 0) is this less the subscriptions in
     * existence; a create beyond it is refused with -501 SystemLimitExceeded. Default (and 0)
     * 200, as an S7-1500; at most 100000. */
    unsigned max_subscriptions;
    /* Protection (docs/simulator.md "Protected PLC"). protection_level above is the access a
     * session has before it logs in (1 full, 2 read, 3 HMI, 4 none); passwords[L - 1] is the
     * password of access level L (1 full, 2 read, 3 HMI; NULL = none); users log in with
     * name and password (only where the firmware's variant has user management, see the
     * page) and get their level. A login raises the session to the level of what it gave
     * (never lowers it); a wrong one is answered with -100 ServiceAccessDenied. Beyond the
     * session's level: writes need 1, browsing 2, reads of tags and CPU information 3;
     * refused items and requests carry -100 ServiceAccessDenied. Strings are copied. */
    const char *passwords[3];
    const s7p_sim_user *users;
    size_t nusers;                /* at most S7P_SIM_MAX_USERS */
    /* Alarm definitions (docs/simulator.md, "Alarms"): an alarms file, read at start; a file
     * with errors fails the start. NULL: none (alarms raised by number alone still work). */
    const char *alarms_file;
    /* Continuation digests of signed answers longer than one frame; default RESUME. */
    s7p_sim_legacy_fragments legacy_fragments;
    /* Legacy security: the key family of the simulator's TEST key pair, 0 (default: the
     * families 00/01 curve, "00:BA35267CA865911B") or 3 (PLCSIM: P-256 and AES-GCM,
     * "03:25E216899D5A17CA"). With 3 the simulator also behaves as PLCSIM Advanced on a
     * session key renewal: it resets the connection (clients skip the renewal for
     * family 03). */
    unsigned legacy_family;
    /* Every PDU data part a connection sends (outbound) or receives, in clear (before
     * encryption, after decryption), in order, on the connection's thread; conn numbers the
     * connections 1, 2, ... in accept order. The benchmarks' replay server records answers
     * with it. NULL (default): none. */
    void (*trace)(void *ctx, unsigned long conn, bool outbound, uint8_t version,
                  const uint8_t *data, size_t len);
    void *trace_ctx;
} s7p_sim_config;

typedef struct s7p_sim s7p_sim;

/** Sets every field to its default. */
void s7p_sim_config_init(s7p_sim_config *c);

/** Parses "LCID[,LCID...]" (decimal 1..65535, at most S7P_SIM_MAX_LANGUAGES) into
 *  c->languages and c->nlanguages; on failure returns false (c unchanged) with a one-line
 *  reason. */
bool s7p_sim_languages_parse(const char *spec, s7p_sim_config *c, char *err, size_t err_len);
/** Parses "resume", "chained" or "independent" (s7p_sim_legacy_fragments); false if it is
 *  none of them. */
bool s7p_sim_legacy_fragments_parse(const char *name, s7p_sim_legacy_fragments *out);
/** Parses an access level name: "full" 1, "read" 2, "hmi" 3, "none" 4 (any case); false
 *  if it is none of them. */
bool s7p_sim_level_parse(const char *name, unsigned *level);
/** Parses "LEVEL=PASSWORD" (LEVEL full, read or hmi) into c->passwords; the password stays
 *  a pointer into spec. On failure returns false with a one-line reason. */
bool s7p_sim_password_parse(const char *spec, s7p_sim_config *c, char *err, size_t err_len);
/** Parses "NAME:PASSWORD:LEVEL" (the password may hold ':'), splitting spec in place; the
 *  strings of u point into it. On failure returns false with a one-line reason. */
bool s7p_sim_user_parse(char *spec, s7p_sim_user *u, char *err, size_t err_len);

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

/** A simulated download: loads program_dir again and serves the new program from the next
 *  request on, as a CPU does after a download in RUN. Sessions stay open; every DB starts
 *  again from its start values; Container.ChangeCounter (attribute 2479 of the program
 *  object, RID 3) goes up by one; the types get new type-info RIDs, so an old RID answers
 *  ObjectNotFound; addresses are checked against the new program (a symbol CRC that no
 *  longer matches: -17 InvalidCRC, a member LID that no longer exists: -255 InvalidLID, a DB
 *  that no longer exists: -12 ObjectNotFound). False with the loader's message (the running
 *  program stays) when it does not load or no program was configured. Any thread. */
bool s7p_sim_reload_program(s7p_sim *s, char *err, size_t err_len);
/** Container.ChangeCounter of the served program: 1 at start, +1 per reload; 0 without a
 *  program. */
uint32_t s7p_sim_change_counter(const s7p_sim *s);

/** Closes the listener and every connection, joins all threads and frees s. NULL: no-op.
 *  Returns within about a second even while faults stall or delay answers. */
void s7p_sim_stop(s7p_sim *s);

/* ---- fault injection ---------------------------------------------------------------------
 * One fault at a time, for requests of one function code (0 = any): every matching request
 * (nth 0) or only the nth matching request after the fault was set (nth 1 = the next one).
 * The request still reaches the simulator (s7p_sim_requests counts it) and, except for
 * S7P_SIM_FAULT_PLC_ERROR, is carried out (a write is applied, a session opened or
 * deleted); only its answer is replaced by the fault. In clear (before TLS), "record" below
 * means the COTP DT that carries the frame. */
typedef enum s7p_sim_fault_kind {
    S7P_SIM_FAULT_NONE = 0,
    S7P_SIM_FAULT_DROP_BEFORE_RESPONSE,  /* close TCP instead of answering */
    S7P_SIM_FAULT_DROP_MID_RESPONSE,     /* send the first half of the answer's first frame
                                            (inside TLS: of its record's bytes), then close */
    S7P_SIM_FAULT_STALL,                 /* never answer; the connection stays open */
    S7P_SIM_FAULT_DELAY,                 /* answer after delay_ms (closes at once instead
                                            when the client hangs up or the simulator stops) */
    S7P_SIM_FAULT_TRUNCATED_FRAME,       /* a frame whose header claims more data bytes than
                                            follow (half of them), then nothing; stays open */
    S7P_SIM_FAULT_GARBAGE,               /* 64 random bytes instead of the answer (inside TLS:
                                            a record of them); stays open */
    S7P_SIM_FAULT_OVERSIZED_LENGTH,      /* a frame with data length 0xFFFF, sent whole (65543
                                            bytes; in clear the first TPKT has length 0xFFFF,
                                            far over the negotiated TPDU size); stays open */
    S7P_SIM_FAULT_TLS_ALERT,             /* a fatal TLS alert (bad_record_mac, encrypted, as
                                            OpenSSL sends it on a forged record), then close;
                                            in clear: a plaintext internal_error alert record */
    S7P_SIM_FAULT_WRONG_SEQUENCE,        /* the right answer with sequence number + 1 */
    S7P_SIM_FAULT_PLC_ERROR,             /* return value plc_code and no body; the request is
                                            not carried out, the connection stays usable */
    S7P_SIM_FAULT_SYSTEM_EVENT,          /* a fatal system event (0xFE frame, struct 40300 with
                                            ReturnValue plc_code and the function), then close */
    S7P_SIM_FAULT_FLIP_BIT,              /* the right answer (signed in legacy security) with
                                            one bit of its last data byte flipped after
                                            signing; stays open */
    S7P_SIM_FAULT_REPLAY,                /* the right answer, then the same frame again (a
                                            replay of an answer already given); stays open */
} s7p_sim_fault_kind;

/* The `function` of a fault that acts on the subscription notifications a session sends
 * instead of answers (FLIP_BIT only: the notification, signed in legacy security, with one
 * bit of its last data byte flipped after signing). "any" (0) never matches notifications. */
#define S7P_SIM_FAULT_NOTIFICATION 0xFFFFu

typedef struct s7p_sim_fault {
    s7p_sim_fault_kind kind;
    uint16_t function;            /* function code to act on; 0 = any request;
                                     S7P_SIM_FAULT_NOTIFICATION: notifications */
    unsigned nth;                 /* 0 = every matching request; n = only the nth (from 1) */
    unsigned delay_ms;            /* DELAY */
    int16_t plc_code;             /* PLC_ERROR (default -107 NotAllowed), SYSTEM_EVENT
                                     (default -1); 0 or positive = the default */
} s7p_sim_fault;

/** Replaces the active fault; it acts from the next matching request on, counting nth from
 *  there and its hits from 0. NULL or kind NONE: no fault. Any thread, any time. */
void s7p_sim_set_fault(s7p_sim *s, const s7p_sim_fault *f);
/** No fault from the next request on (the hit count stays readable until the next set). */
void s7p_sim_clear_fault(s7p_sim *s);
/** Continuation frames of signed answers sent so far, over all connections (each a frame
 *  after the first of an answer longer than one frame, signed in the configured form). */
unsigned long s7p_sim_legacy_continuations(const s7p_sim *s);
/** How often the active (or last cleared) fault fired. */
unsigned long s7p_sim_fault_hits(const s7p_sim *s);

/** Command-line name of a kind ("drop-before", "stall", ...); "?" if unknown. */
const char *s7p_sim_fault_name(s7p_sim_fault_kind kind);
/** Parses "KIND[:FUNCTION[:NTH]]" (FUNCTION: 0x054c, 1356, a name such as GetMultiVariables,
 *  "any", or "notification" for S7P_SIM_FAULT_NOTIFICATION; NTH: decimal, 0 = every). Sets kind, function and nth of *f and leaves its other
 *  fields alone. On failure returns false and writes a one-line reason to err. */
bool s7p_sim_fault_parse(const char *spec, s7p_sim_fault *f, char *err, size_t err_len);

/* ---- unsolicited notifications -----------------------------------------------------------
 * A PLC pushes subscription data (Notification PDUs, opcode 0x33) on a session's own
 * connection, between its answers. For tests of a client's dispatch the simulator can send
 * notifications without any subscription: before every answer to a request of `function`
 * (0 = any) in an open session, `per_answer` of them for the subscription object
 * `subscription_id`, which nobody created. Each is well-formed (services spec §1.3, modern
 * header): credit tick 0, a notification sequence number counting from 1 per connection,
 * a timestamp (now, UTC microseconds), change counter 1, and one value item: reference 1,
 * UDInt = that sequence number. Independent of the active fault; an answer a fault replaces
 * gets none. */
#define S7P_SIM_NOTIFY_ID_DEFAULT 0x7FFF0001u

typedef struct s7p_sim_notify {
    unsigned per_answer;          /* notifications before each matching answer; 0 = off */
    uint16_t function;            /* function code of the requests; 0 = any */
    uint32_t subscription_id;     /* object id they carry, >= 0x70000000; 0 = the default */
} s7p_sim_notify;

/** Replaces the notification setting; acts from the next answer on. NULL: off. Any thread. */
void s7p_sim_set_notify(s7p_sim *s, const s7p_sim_notify *n);
/** Notifications sent so far, over all connections. */
unsigned long s7p_sim_notifications(const s7p_sim *s);
/** Parses "COUNT[:FUNCTION[:SUBSCRIPTION_ID]]" (FUNCTION as for faults; SUBSCRIPTION_ID
 *  decimal or 0x hex, >= 0x70000000). On failure returns false with a one-line reason. */
bool s7p_sim_notify_parse(const char *spec, s7p_sim_notify *n, char *err, size_t err_len);

/* ---- CPU operating state ------------------------------------------------------------------
 * The CPU execution unit (object 52) reports its state as AS_DIS.OperatingState (3486), the
 * numbers an S7-1500 sends (services spec §3.4): a GetVarSubStreamed of [2237, 3486] answers
 * the number, of 2237 alone a struct holding it; SetVariable of 2167 (OperatingStateREQ) with
 * DInt 1 stops and 3 starts the CPU. Reads and writes of data go on in every state, as on a
 * CPU in STOP. */
typedef enum s7p_sim_state {
    S7P_SIM_STATE_STOP = 4,
    S7P_SIM_STATE_STARTUP = 6,
    S7P_SIM_STATE_RUN = 8,
    S7P_SIM_STATE_HOLD = 10,
    S7P_SIM_STATE_DEFECTIVE = 13,
} s7p_sim_state;

/** Sets the operating state; false (nothing changes) for a value not in s7p_sim_state. */
bool s7p_sim_set_state(s7p_sim *s, s7p_sim_state state);
s7p_sim_state s7p_sim_get_state(const s7p_sim *s);
/** "run", "stop", "startup", "hold", "defective"; "?" if unknown. */
const char *s7p_sim_state_name(s7p_sim_state state);
/** Parses a name of s7p_sim_state_name() (any case); false if it is none. */
bool s7p_sim_state_parse(const char *name, s7p_sim_state *state);

/* ---- alarms --------------------------------------------------------------------------------
 * Alarms defined in the alarms file (config alarms_file) come with their texts in every
 * language, priority, class, domain and associated values; an alarm raised by a number the
 * file does not define is made up: its text (language 1033) is the one given, no values, no
 * acknowledgement. Active alarms are answered to an Explore of the alarm subsystem (RID 8)
 * as DAIs (services spec §2.2). An alarm that needs an acknowledgement stays active after it
 * went until it is acknowledged (one acknowledgement per coming-going cycle).
 * docs/simulator.md, "Alarms". */
#define S7P_SIM_MAX_ALARMS 256u

/** Raises alarm id (it comes): a defined alarm with its associated values (a raised one:
 *  false); an undefined one with `text` (replacing the text of a raised one). False when
 *  S7P_SIM_MAX_ALARMS are active or out of memory. text is copied. */
bool s7p_sim_alarm_raise(s7p_sim *s, uint32_t id, const char *text);
/** Raises a defined alarm with associated values given as TIA literals of the types the
 *  definition declares: values[i] for SD_(i+1), n of them (the others: the definition's
 *  literal or tag). False with a one-line reason (undefined, raised already, a value that
 *  does not parse, more values than defined). */
bool s7p_sim_alarm_raise_values(s7p_sim *s, uint32_t id, const char *const *values, size_t n,
                                char *err, size_t err_len);
/** The alarm goes; false if it was not coming. It leaves the active alarms unless it needs
 *  an acknowledgement it has not had. */
bool s7p_sim_alarm_clear(s7p_sim *s, uint32_t id);
/** Acknowledges an active alarm that needs it; false if it is not active, needs none or is
 *  acknowledged already. A going alarm leaves the active alarms. */
bool s7p_sim_alarm_ack(s7p_sim *s, uint32_t id);
/** Whether the alarms file defines id. */
bool s7p_sim_alarm_defined(const s7p_sim *s, uint32_t id);
/** Alarms active now (coming, or gone and waiting for their acknowledgement). */
size_t s7p_sim_alarm_count(const s7p_sim *s);
/** State changes so far (came, went, acknowledged), each one call of the change hook. */
unsigned long s7p_sim_alarm_changes(const s7p_sim *s);

/* ---- tag subscriptions ------------------------------------------------------------------
 * A client creates a subscription (class 1001) under its session's container; the
 * simulator notifies it at its cycle time on the session's connection: the first
 * notification with every item, later ones with the changed items (route mode 0x20:
 * only when something changed; other modes: an empty one every cycle too), each with a
 * sequence number from 1, the credit tick, a timestamp and the change counter. The credit
 * limit (1053) is enforced; 1048 (add/remove items), 1049 (cycle), 1040 and 1053 can be
 * written; DeleteObject or the end of the session frees it. docs/protocol.md §12,
 * docs/simulator.md "Subscriptions". */

/** Subscriptions existing now, over all sessions (alarm subscriptions included). */
unsigned s7p_sim_subscriptions(const s7p_sim *s);
/** Cycles of subscriptions that sent nothing so far, over all sessions: in *no_credit for
 *  want of credit (the client did not raise the credit limit in time: a credit stall), in
 *  *late because the connection's thread came after the whole cycle had passed (a busy
 *  machine, a send blocked by a slow reader). Either may be NULL. Any thread. */
void s7p_sim_subs_skipped(const s7p_sim *s, unsigned long *no_credit, unsigned long *late);

/* ---- test hook ---------------------------------------------------------------------------
 * fn runs on a connection's thread when a request of `function` (0 = any) arrives, before
 * the simulator carries it out (and before any fault acts on it); object_id is the object
 * the request addresses (Explore: the explored object; SetVariable, GetVarSubStreamed,
 * DeleteObject: theirs; CreateObject: the parent; else 0). Tests use it to change the PLC
 * at an exact point of a client's sequence, e.g. to raise an alarm when the snapshot's
 * Explore arrives. It must not call s7p_sim_stop(). One hook at a time; NULL removes it. */
typedef void (*s7p_sim_request_fn)(void *ctx, s7p_sim *s, uint16_t function, uint32_t object_id);
void s7p_sim_set_request_hook(s7p_sim *s, uint16_t function, s7p_sim_request_fn fn, void *ctx);

/* ---- value generators ---------------------------------------------------------------------
 * A variable of the program (`"DB".member` or a PLC tag, a single value of a number or Bool
 * type) can change by itself; the value is written as a client's write would be, so reads
 * and subscriptions see it. spec = KIND[:PERIOD_MS[:P1[:P2[:P3]]]], one update every
 * PERIOD_MS (default 1000):
 *   counter[:MS[:STEP]]               +STEP (default 1) per update, from 0; past the type's
 *                                     range it starts again at 0
 *   sine[:MS[:AMPL[:OFFSET[:STEPS]]]] OFFSET + AMPL * sin(2 pi n / STEPS) at update n
 *                                     (defaults 100, 0, 20); integers rounded
 *   toggle[:MS]                       1, 0, 1, ... (TRUE/FALSE for a Bool)
 *   random[:MS[:STEP]]                random walk: + a uniform step in [-STEP, STEP]
 *                                     (default 1; integers move by 1 at least), turned back
 *                                     at the type's limits; the same sequence every run
 * "off" removes the symbol's generator. A new spec replaces the symbol's generator. One
 * thread serves them all; at most 65536. False with a one-line reason (no program, unknown
 * symbol, an array, a kind that does not fit the type). Any thread. */
bool s7p_sim_generate(s7p_sim *s, const char *symbol, const char *spec, char *err,
                      size_t err_len);
/** The same from "SYMBOL=SPEC" (the command line's --generate). */
bool s7p_sim_generate_arg(s7p_sim *s, const char *arg, char *err, size_t err_len);
/** Generators running now. */
size_t s7p_sim_generator_count(const s7p_sim *s);

/* ---- control channel ----------------------------------------------------------------------
 * One command line in, one answer line out: "ok[ detail]" or "error: reason". Commands:
 * set SYMBOL VALUE, get SYMBOL, generate SYMBOL SPEC|off, subscriptions, state [NAME],
 * alarm raise ID [VALUE... | TEXT], alarm clear ID, alarm ack ID, alarms,
 * fault SPEC [delay=MS] [code=N] | fault clear, reload, counters, help
 * (docs/simulator.md). Any thread. */
bool s7p_sim_control(s7p_sim *s, const char *line, char *reply, size_t reply_len);
/* Serves the same commands from a stream of lines: reads in_fd (a pipe, a terminal, a file),
 * writes one answer line per command to out_fd, until the end of in_fd or s7p_sim_stop();
 * the descriptors stay the caller's. One such stream at a time (s7plus-sim --control -
 * serves stdin and stdout). False, with a reason, when it cannot start. */
bool s7p_sim_control_fd(s7p_sim *s, int in_fd, int out_fd, char *err, size_t err_len);

#endif

/* SPDX-License-Identifier: MIT */
/* Internals of the simulator shared by its files: server.c (start/stop, accept loop),
 * conn.c (one connection), handlers.c (requests), cpu.c (identity and attributes), log.c. */
#ifndef S7P_SIM_SIM_INT_H
#define S7P_SIM_SIM_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "session/channel.h"
#include "sim.h"
#include "util/wake.h"

struct sim_plc;

/* Connections beyond max_sessions that are still served, so that a client over the limit
 * gets the ServiceTooManySessions answer instead of a reset. */
#define SIM_EXTRA_CONNS 4u
#define SIM_IDLE_MS 60000u       /* a connection may be silent this long between requests */
#define SIM_SEND_MS 5000u
#define SIM_FIRST_SESSION 0x000003A0u
#define SIM_SUBSCRIPTIONS_DEFAULT 200u  /* PlcSubscriptionsMax of an S7-1500 */
#define SIM_SUBSCRIPTIONS_MAX 100000u

/* PLC error codes (transport-and-session.md §7.3), sent as the low 16 bits of the return
 * value with the other bits 0 (§7.4). */
#define SIM_RET(code) ((uint64_t)(uint16_t)(int16_t)(code))
enum {
    SIM_E_OBJECT_NOT_FOUND = -12,
    SIM_E_NOT_IMPLEMENTED = -95,
    SIM_E_INVALID_CRC = -17,
    SIM_E_READ_ONLY = -50,
    SIM_E_INVALID_RANGE = -61,
    SIM_E_ACCESS_DENIED = -100,
    SIM_E_INVALID_ADDRESS = -104,
    SIM_E_INVALID_OBJECT = -105,
    SIM_E_INVALID_SESSION = -106,
    SIM_E_NOT_ALLOWED = -107,
    SIM_E_TOO_MANY_SESSIONS = -113,
    SIM_E_UNKNOWN_REQUEST = -119,
    SIM_E_PARSING = -120,
    SIM_E_OBJECT_PARSING = -121,
    SIM_E_INVALID_LID = -255,
    SIM_E_CONVERSION = -257,
    SIM_E_SYSTEM_LIMIT = -501,
};

/** The CPU family, from the order number: it shapes the CreateObject answer. */
typedef enum sim_family { SIM_FAMILY_1500 = 0, SIM_FAMILY_1200 } sim_family;

/** The CPU the simulator pretends to be; built once from the configuration. */
typedef struct sim_identity {
    sim_family family;
    char order_number[20];        /* 19 characters, space padded */
    char serial[17];              /* 16 characters, space padded */
    uint8_t fw[3];                /* major, minor, patch */
    char *plc_name, *project_name, *paom;
    unsigned protection_level;
    unsigned tags_per_read, tags_per_write;
    unsigned max_subscriptions;
    uint16_t languages[S7P_SIM_MAX_LANGUAGES];
    unsigned nlanguages;
} sim_identity;

typedef struct sim_conn {
    struct s7p_sim *sim;
    pthread_t th;
    /* guarded by sim->mu */
    bool used, done;
    bool idle;                    /* its thread waits for the next connection (sim_conn_park) */
    bool pending;                 /* set-up not finished (no session yet) */
    bool evicted;                 /* shut down to make room for a newer pending connection */
    int fd;                       /* for shutdown() at stop; -1 once the thread closed it */
    /* owned by the connection thread */
    unsigned long id;
    int64_t setup_deadline;       /* monotonic ms: the session must exist by then */
    s7p_channel ch;
    bool tls;
    uint32_t session, session2;   /* 0: no session yet */
    uint32_t notif_seq;           /* notifications sent on this connection (faults.c) */
    struct sim_sub *subs;         /* the session's tag subscriptions (subs.c) */
    unsigned nasubs;              /* its alarm subscriptions (alarm_subs.c) */
    s7p_wake wake;                /* other threads wake the connection's thread (alarm
                                     notifications queued); fd -1 when none */
    struct {                      /* legacy security (legacy.c) */
        bool on;                  /* authenticated: frames are signed both ways */
        bool switch_key;          /* next_key takes over once the answer is sent */
        bool seen;                /* last_seq is set */
        uint16_t last_seq;
        uint8_t challenge[20];    /* the last one issued */
        uint8_t next_key[24];
        uint32_t cont_counted;    /* of the link's continuations sent, those counted */
    } legacy;
    struct {                      /* legitimation (legit.c) */
        unsigned level;           /* the session's access level (attribute 1842) */
        bool challenged;          /* a challenge (303) was given and not yet answered */
        uint8_t challenge[20];
        bool have_secret;         /* newer variant: this connection's key chain */
        uint8_t secret[32];
    } legit;
} sim_conn;

struct s7p_sim {
    s7p_sim_config cfg;           /* strings point into owned copies below */
    char *strs[13];
    sim_identity ident;
    struct sim_plc *plc;          /* NULL: no program loaded */
    s7p_tls_ctx *tls;
    uint8_t cert_sha256[32];
    int listen_fd;
    uint16_t port;
    int wake[2];                  /* self-pipe: stop wakes the accept thread */
    pthread_t accept_th;
    bool accept_started;
    pthread_mutex_t mu;
    pthread_mutex_t log_mu;
    sim_conn *conns;
    pthread_cond_t *idle_cv;      /* one per slot: its parked thread is handed a connection */
    bool idle_cv_init;
    bool stopping;                /* guarded by mu: parked threads end */
    unsigned nidle;               /* guarded by mu: slots whose thread is parked */
    unsigned nconns;
    atomic_uint sessions;
    atomic_uint next_session;
    atomic_ulong next_conn;
    atomic_ulong *counters;       /* 65536, by function code */
    /* fault injection (faults.c) */
    pthread_mutex_t fault_mu;     /* guards fault, fault_seen and notify */
    s7p_sim_fault fault;
    unsigned long fault_seen;     /* matching requests since the fault was set */
    atomic_ulong fault_hits;
    /* unsolicited notifications (faults.c), guarded by fault_mu */
    s7p_sim_notify notify;
    atomic_ulong notifications;
    atomic_ulong legacy_continuations;  /* legacy.c */
    /* legitimation (legit.c): copies of the passwords and users, wiped at stop */
    char *passwords[3];
    s7p_sim_user *users;
    size_t nusers;
    /* tag subscriptions (subs.c): how many exist over all sessions (cfg.max_subscriptions
     * at most; PlcSubscriptionsFree = max - active), and the next object id */
    atomic_uint subs_active;
    atomic_uint next_sub;
    /* cycles that sent nothing: no credit left, or passed by before the thread came */
    atomic_ulong subs_no_credit, subs_late;
    /* value generators (generators.c) */
    struct sim_generators *gens;
    /* CPU execution unit (exec_unit.c) */
    atomic_int state;             /* s7p_sim_state */
    /* alarms (alarms.c): definitions and active instances, guarded by alarm_mu */
    pthread_mutex_t alarm_mu;
    struct sim_alarm_table *alarm_tab;
    atomic_ulong alarm_changes;
    struct sim_asub *asubs;       /* alarm subscriptions of every session (alarm_subs.c) */
    /* test hook (s7p_sim_set_request_hook), guarded by fault_mu */
    s7p_sim_request_fn req_hook;
    uint16_t req_hook_function;
    void *req_hook_ctx;
    /* control channel (control.c) */
    char *control_path;
    int control_fd;               /* listening unix socket; -1: none */
    int control_wake[2];
    pthread_t control_th;
    bool control_started;
    int stdio_in, stdio_out;      /* the caller's command stream (s7p_sim_control_fd) */
    int stdio_wake[2];
    pthread_t stdio_th;
    bool stdio_started;
};

/* log.c */
void sim_log(s7p_sim *s, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The program loader's error lines, each logged at level 0 (server.c). */
void sim_log_program_errors(s7p_sim *s, const char *lines);
#define SIM_PROGRAM_MSGS 16384    /* bytes of loader messages kept per load */
void sim_log_hex(s7p_sim *s, unsigned long conn, bool out, const uint8_t *p, size_t n);
void sim_trace(void *ctx, bool outbound, uint8_t version, const uint8_t *data, size_t len);

/* conn.c */
void *sim_conn_main(void *arg);

/* server.c: session bookkeeping, signal mask of simulator threads */
bool sim_session_acquire(s7p_sim *s, uint32_t *id, uint32_t *id2);
/** The connection finished its set-up: it no longer counts against max_pending. */
void sim_conn_set_up(sim_conn *c);
/** After its connection ended: the thread waits a while for the accept thread to hand it
 *  the next one (c then holds it). False when none came or the simulator stops: the thread
 *  ends (the slot is reaped). */
bool sim_conn_park(sim_conn *c);
void sim_session_release(s7p_sim *s);
void sim_block_signals(void);
/** Ends a thread that polls the read end of a wake pipe: a byte into wake_fd, then the join. */
void sim_wake_and_join(int wake_fd, pthread_t th);
/** Closes the ends of the pipe p still open; both are -1 afterwards. */
void sim_close_pipe(int p[2]);

/* handlers.c */
typedef struct sim_reply {
    bool send;                    /* false: nothing to send (flag 0x40, or nothing to say) */
    s7p_pdu pdu;                  /* the answer (pdu.ret_only for error answers) */
    bool start_tls;               /* after sending */
    bool close;                   /* after sending */
    bool answer_anyway;           /* send even for a request with flag 0x40, as the PLC
                                     answers credit writes */
} sim_reply;

void sim_dispatch(sim_conn *c, const s7p_pdu *req, s7p_arena *a, sim_reply *out);
/** Protocol name of a function code, e.g. "GetMultiVariables"; "?" if unknown. */
const char *sim_function_name(uint16_t function);

/* exec_unit.c: the CPU execution unit (object 52) */
#define SIM_ID_CPU_EXEC_UNIT 52u
/** GetVarSubStreamed of object 52 with the attribute path ids[0..n); false if unknown. */
bool sim_exec_attr(s7p_sim *s, const uint32_t *ids, uint32_t n, s7p_arena *a, s7p_value *out);
/** SetVariable: 0 or a PLC error code. */
int16_t sim_exec_set(s7p_sim *s, const s7p_req_set_variable *req);
/** The full 64-bit return value a real CPU sends for an error code (docs/protocol.md §8.4). */
uint64_t sim_ret_error(int16_t code);

/* control.c */
bool sim_control_start(s7p_sim *s, char *err, size_t err_len);
void sim_control_stop(s7p_sim *s);
/** Ends the command stream of s7p_sim_control_fd (the descriptors stay open). */
void sim_control_stdio_stop(s7p_sim *s);

/* alarms.c: the alarm table (docs/simulator.md, "Alarms") */
struct sim_alarm;
/** Creates the table, with the definitions of the alarms file at path (NULL: none). */
bool sim_alarms_init(s7p_sim *s, const char *path, char *err, size_t err_len);
void sim_alarms_free(s7p_sim *s);
/** Explore of the alarm subsystem (RID 8): one DAI per active alarm with the attributes the
 *  request lists (none listed: all), texts in every language. 0, or 1 when out of memory. */
int sim_alarms_explore(s7p_sim *s, const s7p_req_explore *req, s7p_arena *a,
                       s7p_object_list *out);
/** The "alarm changed" hook: called on every state change (came, went, acknowledged) with
 *  alarm_mu held and the alarm in its new state (a going alarm that leaves the table is
 *  passed before it is freed). It must not block or take alarm_mu. The alarm subscription
 *  builds the notification's DAI here with sim_alarm_dai() (a DAI holding exactly one of
 *  Coming / Going, the texts filtered to the subscriber's languages, services spec §2.3),
 *  queues it for every alarm subscription with credit left, and wakes their connections. */
void sim_alarm_changed(s7p_sim *s, const struct sim_alarm *al);
/** The DAI of an alarm as it is now (only inside sim_alarm_changed or under alarm_mu), with
 *  every attribute and the texts of the LCIDs in lcids (n 0: all); NULL when out of memory. */
s7p_object *sim_alarm_dai(const struct sim_alarm *al, s7p_arena *a, const uint16_t *lcids,
                          size_t nlcids);
/** The control channel's listing: "ok N: ID STATE \"TEXT\"; ..."; returns its length. */
size_t sim_alarms_list(s7p_sim *s, char *out, size_t len);

/* subs.c: tag subscriptions of the connection's session (docs/protocol.md §12) */
/** CreateObject inside a session: 0 and the new object id, or the PLC error code. */
int16_t sim_subs_create(sim_conn *c, const s7p_req_create_object *b, s7p_arena *a,
                        uint32_t *id);
bool sim_subs_owns(const sim_conn *c, uint32_t object_id);
/** Writes attribute attr (1048 modify, 1049 cycle, 1053 credit, 1040 route mode) of a
 *  subscription: 0 or the PLC error code. */
int16_t sim_subs_set(sim_conn *c, uint32_t object_id, uint32_t attr, const s7p_value *v,
                     s7p_arena *a);
/** DeleteObject of a subscription; false if object_id is none of the session's. */
bool sim_subs_delete(sim_conn *c, uint32_t object_id);
/** The session ended: every subscription goes. */
void sim_subs_free_all(sim_conn *c);
/** Monotonic ms of the next notification due; INT64_MAX without subscriptions. */
int64_t sim_subs_next_due(const sim_conn *c);
/** Sends the notifications that are due; false when sending failed. */
bool sim_subs_run(sim_conn *c, s7p_arena *a);
/** Signs (legacy), sends and counts one notification PDU (or lets an active notification
 *  fault send it in its place). */
bool sim_notification_send(sim_conn *c, s7p_pdu *p, s7p_arena *a);
/** A notification PDU with the modern header (services spec §1.3): V2, Unknown2 0x0400, the
 *  credit tick, sequence number, timestamp (UTC µs) and change counter; no items, 4 fill
 *  bytes. The senders (tag and alarm subscriptions, --notify) add their items. */
void sim_notification_init(s7p_pdu *p, uint32_t object_id, uint8_t tick, uint32_t seq,
                           uint64_t timestamp_us, uint8_t change_counter);
uint64_t sim_now_utc_us(void);

/* alarm_subs.c: alarm subscriptions (docs/protocol.md §11.7) */
struct s7p_sub_params;
/** A created subscription with function class 2 (its slot and id given by subs.c): 0, or
 *  the PLC error code (no class-2662 child, credit out of range, out of memory). */
int16_t sim_asubs_create(sim_conn *c, const struct s7p_sub_params *sp, uint32_t id);
bool sim_asubs_owns(const sim_conn *c, uint32_t id);
/** SetVariable of the credit limit (1053); false if id is none of the connection's. */
bool sim_asubs_set_credit(sim_conn *c, uint32_t id, int16_t limit);
bool sim_asubs_delete(sim_conn *c, uint32_t id);
/** Frees every alarm subscription of the connection; returns how many there were. */
unsigned sim_asubs_free_conn(sim_conn *c);
/** From sim_alarm_changed (alarm_mu held): queues a notification for every alarm
 *  subscription with credit left and wakes its connection. */
void sim_asubs_changed(s7p_sim *s, const struct sim_alarm *al);
/** Sends the connection's queued alarm notifications (a: scratch for a notification fault);
 *  false when sending failed. */
bool sim_asubs_run(sim_conn *c, s7p_arena *a);
/** Empties the connection's wake pipe. */
void sim_conn_drain_wake(sim_conn *c);

/* handlers.c */
/** One variable of a read (system limits, the program's data); 0 or a PLC error code. The
 *  caller holds the program lock (sim_plc_lock). */
int16_t sim_read_item(sim_conn *c, const s7p_item_address *addr, s7p_arena *a, s7p_value *v);

/* generators.c: values that change by themselves */
void sim_generators_stop(s7p_sim *s);

/* legacy.c */
/** The connection may take the legacy authentication (security legacy/both, in clear). */
bool sim_legacy_offered(const sim_conn *c);
/** Turns the CreateObject answer's session object into a legacy one (233, 303, 314). */
bool sim_legacy_hello(sim_conn *c, s7p_object *o, s7p_arena *a);
/** A fresh 20-byte challenge as a USInt array (attribute 303), kept as the one the legacy
 *  authentication must answer. */
bool sim_session_challenge(sim_conn *c, s7p_arena *a, s7p_value *out);
/** The SecurityKey (1830) of an authentication or renewal write: 0 when the blob opens
 *  (the new key takes over after the answer), else the PLC error code to answer. */
int16_t sim_legacy_auth_item(sim_conn *c, const s7p_value *v);
/** After an answer went out: counts its continuation frames, switches to the key an
 *  authentication or renewal agreed. */
void sim_legacy_after_answer(sim_conn *c);
/** Adds the continuation frames the connection's link sent since the last call to the
 *  simulator's count (s7p_sim_legacy_continuations()). */
void sim_legacy_count_sent(sim_conn *c);
/** A session key renewal resets the connection (legacy_family 3: PLCSIM Advanced does so). */
bool sim_legacy_renewal_resets(const sim_conn *c);
/** Attribute 303 of the own session in a signed session: a fresh challenge. */
bool sim_legacy_challenge_attr(sim_conn *c, uint32_t obj, uint32_t attr, s7p_arena *a,
                               s7p_value *out);
/** False when the request must end the connection: a replayed sequence number in a signed
 *  session, or a V3 request without agreed digests. */
bool sim_legacy_check_request(sim_conn *c, const s7p_pdu *req);
/** Makes an answer of a signed session V3 with a digest field (the link signs it). */
void sim_legacy_sign_answer(sim_conn *c, s7p_pdu *p);

/* legit.c */
/** What a session may do at each access level (a request needs level <= this). */
enum { SIM_NEED_WRITE = 1, SIM_NEED_BROWSE = 2, SIM_NEED_READ = 3 };
/** Copies the passwords and users of the configuration; false (with a reason) when one is
 *  invalid or out of memory. */
bool sim_legit_init(s7p_sim *s, char *err, size_t err_len);
/** Wipes and frees the copies. */
void sim_legit_free(s7p_sim *s);
/** A new session starts at the configured protection level. */
void sim_legit_session_start(sim_conn *c);
/** Whether the session's level allows what needs `need`. */
bool sim_legit_allows(const sim_conn *c, unsigned need);
/** Attributes 1842 (level) and 303 (challenge, outside signed legacy sessions) of the own
 *  session; false for any other. */
bool sim_legit_attr(sim_conn *c, uint32_t obj, uint32_t attr, s7p_arena *a, s7p_value *out);
/** A SetVariable that logs in (304 or 1846 on the own session). */
bool sim_legit_is_login(const sim_conn *c, const s7p_req_set_variable *b);
/** Checks a login: 0 (the level rose) or the PLC error code to answer. */
int16_t sim_legit_login(sim_conn *c, const s7p_req_set_variable *b, s7p_arena *a);

/* cpu.c */
#define SIM_ID_TEXT_CONTAINER 114u
bool sim_identity_init(sim_identity *id, const s7p_sim_config *cfg, char *err, size_t err_len);
void sim_identity_free(sim_identity *id);
/** The ServerSession object of the CreateObject response, shaped as the family's CPUs send
 *  it; `challenge` (attribute 303, S7-1500 family only) may be NULL. */
s7p_object *sim_cpu_session_object(const sim_identity *id, s7p_arena *a,
                                   const s7p_value *challenge);
/** The return value of the session's CreateObject answer: 0, or an S7-1200's informational
 *  17 MessageSessionPreLegitimated. */
uint64_t sim_cpu_session_ret(const sim_identity *id);
/** Value of attribute `attr` of object `obj` (GetVarSubStreamed); false if unknown. */
bool sim_cpu_attr(const sim_identity *id, uint32_t session, uint32_t obj, uint32_t attr,
                  s7p_arena *a, s7p_value *out);
/** Value of an ObjectRoot pseudo-variable (system limits, free items); false if unknown. */
bool sim_cpu_limit(const s7p_sim *s, const s7p_item_address *addr, s7p_value *out);
/** Explore of the text container (object 114): the object with its LCIDs (2717). */
bool sim_cpu_text_container(const sim_identity *id, s7p_arena *a, s7p_object_list *out);

#endif

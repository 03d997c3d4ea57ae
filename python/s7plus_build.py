# SPDX-License-Identifier: MIT
"""cffi builder of ``s7plus._s7plus_cffi``: the declarations of include/s7plus/s7plus.h the
binding uses, compiled in cffi's API mode (out of line) against the real header, so the C
compiler checks every struct layout, enum value and constant below (``...`` lets it fill in
what is not spelled out).

Where the header and the library are found (first that applies):
  - S7PLUS_INCLUDE_DIR / S7PLUS_LIBRARY_DIR (and S7PLUS_RPATH=1 to link with a run path);
  - pkg-config s7plus (an installed libs7plus, e.g. the Debian package);
  - the repository around this file: ../include and ../build/src, linked with a run path.

Also a script: ``python3 s7plus_build.py --emit FILE.c`` writes the C source only (CMake
compiles it as a module in the build tree; see python/CMakeLists.txt).
"""
import os
import shutil
import subprocess
import sys

from cffi import FFI

CDEF = r"""
typedef enum s7p_status {
    S7P_OK, S7P_E_INVALID_ARG, S7P_E_NOMEM, S7P_E_STATE, S7P_E_RESOLVE, S7P_E_CONNECT,
    S7P_E_TIMEOUT, S7P_E_CLOSED, S7P_E_IO, S7P_E_TLS, S7P_E_TLS_VERIFY, S7P_E_PROTOCOL,
    S7P_E_UNSUPPORTED, S7P_E_AUTH, S7P_E_PLC, S7P_E_NOT_FOUND, S7P_E_TOO_SMALL, S7P_E_LIMIT,
    S7P_E_WRITE_DISABLED, S7P_E_CONFIG, S7P_E_CERT_CHANGED, S7P_E_NOT_SENT,
    S7P_E_PROGRAM_CHANGED, S7P_E_CANCELLED, S7P_E_INTEGRITY, ...
} s7p_status;

const char *s7p_strerror(s7p_status s);
const char *s7p_plc_code_name(int16_t code);
const char *s7p_plc_code_text(int16_t code);
const char *s7p_version(void);
int s7p_version_number(void);

typedef struct s7p_error {
    s7p_status code;
    const char *op;
    char endpoint[72];
    uint64_t plc_return;
    int16_t plc_code;
    int sys_errno;
    unsigned long tls_err;
    bool transient;
    char message[256];
} s7p_error;

typedef enum s7p_log_level { S7P_LOG_ERROR, S7P_LOG_WARN, S7P_LOG_INFO, S7P_LOG_DEBUG, ... }
    s7p_log_level;
typedef void (*s7p_log_fn)(void *ctx, s7p_log_level level, const char *layer, const char *msg);
typedef enum s7p_security { S7P_SECURITY_TLS, S7P_SECURITY_LEGACY_CHALLENGE,
    S7P_SECURITY_AUTO, ... } s7p_security;
typedef enum s7p_verify { S7P_VERIFY_NONE, S7P_VERIFY_CA, S7P_VERIFY_PIN, S7P_VERIFY_TOFU,
    ... } s7p_verify;
typedef enum s7p_conn_state { S7P_STATE_DISCONNECTED, S7P_STATE_CONNECTING,
    S7P_STATE_CONNECTED, S7P_STATE_FAULTED, S7P_STATE_DISCONNECTING, ... } s7p_conn_state;

typedef struct s7p_client_options {
    const char *host;
    uint16_t port;
    const char *remote_tsap;
    uint32_t connect_timeout_ms;
    uint32_t request_timeout_ms;
    uint32_t disconnect_timeout_ms;
    uint32_t browse_timeout_ms;
    s7p_security security;
    s7p_verify verify;
    const char *ca_file;
    uint8_t pin_sha256[32];
    s7p_log_fn log;
    void *log_ctx;
    s7p_log_level log_level;
    bool allow_write;
    bool auto_reconnect;
    const char *expected_name;
    const char *known_hosts_file;
    uint32_t max_in_flight;
    const char *password;
    const char *username;
    ...;
} s7p_client_options;
typedef struct s7p_client s7p_client;
void s7p_client_options_init_size(s7p_client_options *o, size_t size);
s7p_status s7p_client_new(s7p_client **out, const s7p_client_options *o, s7p_error *err);
void s7p_client_free(s7p_client *c);
s7p_status s7p_connect(s7p_client *c, s7p_error *err);
s7p_status s7p_disconnect(s7p_client *c, s7p_error *err);
bool s7p_is_connected(s7p_client *c);
s7p_conn_state s7p_get_state(s7p_client *c);
const char *s7p_state_name(s7p_conn_state s);

typedef struct s7p_cpu_info {
    char order_number[32];
    char serial_number[32];
    char firmware[16];
    char hardware_revision[8];
    char plc_name[128];
    char project_name[128];
    char tia_version[32];
    char paom[64];
    uint32_t protection_level;
    char tls_cipher[48];
    char cert_sha256[65];
    char security[16];
    char legacy_key[20];
    ...;
} s7p_cpu_info;
s7p_status s7p_get_cpu_info(s7p_client *c, s7p_cpu_info *out, s7p_error *err);

#define S7P_MAX_LANGUAGES ...
typedef struct s7p_culture { uint16_t lcid; const char *name; } s7p_culture;
typedef struct s7p_cpu_culture_info {
    size_t count; size_t reported; s7p_culture languages[...]; ...;
} s7p_cpu_culture_info;
s7p_status s7p_get_cpu_culture_info(s7p_client *c, s7p_cpu_culture_info *out, s7p_error *err);
const char *s7p_lcid_name(uint16_t lcid);
typedef struct s7p_comm_resources {
    int32_t tags_per_read_max; int32_t tags_per_write_max; int32_t subscriptions_max;
    int32_t attributes_max; int32_t subscription_memory_max; int32_t subscriptions_free;
    int32_t attributes_free; int32_t subscription_memory_free; uint32_t reported; ...;
} s7p_comm_resources;
s7p_status s7p_get_communication_resources(s7p_client *c, s7p_comm_resources *out,
                                           s7p_error *err);
typedef enum s7p_cpu_state { S7P_CPU_UNKNOWN, S7P_CPU_STOP, S7P_CPU_RUN, S7P_CPU_STARTUP,
    S7P_CPU_HOLD, S7P_CPU_DEFECTIVE, S7P_CPU_NOT_SUPPORTED, ... } s7p_cpu_state;
typedef struct s7p_cpu_state_info { s7p_cpu_state state; int64_t raw; uint32_t source; ...; }
    s7p_cpu_state_info;
s7p_status s7p_get_cpu_state(s7p_client *c, s7p_cpu_state_info *out, s7p_error *err);
const char *s7p_cpu_state_name(s7p_cpu_state s);

typedef enum s7p_type {
    S7P_T_VOID, S7P_T_BOOL, S7P_T_BYTE, S7P_T_CHAR, S7P_T_WORD, S7P_T_INT, S7P_T_DWORD,
    S7P_T_DINT, S7P_T_REAL, S7P_T_DATE, S7P_T_TIME_OF_DAY, S7P_T_TIME, S7P_T_S5TIME,
    S7P_T_DATE_AND_TIME, S7P_T_STRUCT, S7P_T_STRING, S7P_T_POINTER, S7P_T_ANY,
    S7P_T_BLOCK_FB, S7P_T_BLOCK_FC, S7P_T_COUNTER, S7P_T_TIMER, S7P_T_BBOOL, S7P_T_LREAL,
    S7P_T_ULINT, S7P_T_LINT, S7P_T_LWORD, S7P_T_USINT, S7P_T_UINT, S7P_T_UDINT, S7P_T_SINT,
    S7P_T_WCHAR, S7P_T_WSTRING, S7P_T_LTIME, S7P_T_LTIME_OF_DAY, S7P_T_LDT, S7P_T_DTL,
    S7P_T_REMOTE, S7P_T_AOM_IDENT, S7P_T_HW_ANY, S7P_T_OB_ANY, S7P_T_CONN_ANY, S7P_T_PORT,
    S7P_T_DB_ANY, ...
} s7p_type;
const char *s7p_type_name(int type);

typedef struct s7p_tag_value {
    s7p_type type;
    uint32_t count;
    union {
        bool b;
        uint64_t u;
        int64_t i;
        float r;
        double lr;
        struct { char *p; size_t len; } str;
        struct { uint8_t *p; size_t len; } raw;
    } v;
    struct s7p_tag_value *elems;
} s7p_tag_value;
void s7p_tag_value_clear(s7p_tag_value *v);

#define S7P_TAG_MAX_LIDS ...
#define S7P_MAX_DIMS ...
typedef struct s7p_tag {
    s7p_type type;
    uint32_t count;
    uint16_t str_max;
    uint32_t area;
    uint32_t sub_area;
    uint32_t symbol_crc;
    uint8_t nlids;
    uint32_t lids[...];
    uint32_t program_stamp;
    ...;
} s7p_tag;

typedef struct s7p_browse_item {
    const char *symbol;
    s7p_tag tag;
    uint8_t ndims;
    int32_t lower[...];
    uint32_t dim_count[...];
    const char *block;
    uint32_t blocks_done;
    uint32_t blocks_total;
    ...;
} s7p_browse_item;
typedef bool (*s7p_browse_fn)(void *ctx, const s7p_browse_item *item);
s7p_status s7p_browse(s7p_client *c, s7p_browse_fn fn, void *ctx, s7p_error *err);
s7p_status s7p_tag_by_symbol(s7p_client *c, const char *symbol, s7p_tag *out, s7p_error *err);

typedef struct s7p_item_result { s7p_status code; int16_t plc_code; uint64_t plc_return; ...; }
    s7p_item_result;
s7p_status s7p_read(s7p_client *c, const s7p_tag *tags, size_t n, s7p_tag_value *values,
                    s7p_item_result *results, s7p_error *err);
s7p_status s7p_write(s7p_client *c, const s7p_tag *tags, size_t n, const s7p_tag_value *values,
                     s7p_item_result *results, s7p_error *err);
#define S7P_TEXT_ISO8601 ...
#define S7P_TEXT_PLAIN ...
s7p_status s7p_value_parse(const s7p_tag *tag, const char *text, s7p_tag_value *out, char *why,
                           size_t why_len);
s7p_status s7p_value_text(const s7p_tag_value *v, unsigned flags, char **out);
void s7p_text_free(char *s);

typedef uint64_t s7p_request_id;
typedef void (*s7p_done_fn)(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err);
s7p_status s7p_connect_async(s7p_client *c, s7p_done_fn done, void *ctx, s7p_request_id *id);
s7p_status s7p_disconnect_async(s7p_client *c, s7p_done_fn done, void *ctx, s7p_request_id *id);
s7p_status s7p_get_cpu_info_async(s7p_client *c, s7p_cpu_info *out, s7p_done_fn done, void *ctx,
                                  s7p_request_id *id);
s7p_status s7p_get_cpu_state_async(s7p_client *c, s7p_cpu_state_info *out, s7p_done_fn done,
                                   void *ctx, s7p_request_id *id);
s7p_status s7p_browse_async(s7p_client *c, s7p_browse_fn fn, void *fn_ctx, s7p_done_fn done,
                            void *ctx, s7p_request_id *id);
s7p_status s7p_tag_by_symbol_async(s7p_client *c, const char *symbol, s7p_tag *out,
                                   s7p_done_fn done, void *ctx, s7p_request_id *id);
s7p_status s7p_read_async(s7p_client *c, const s7p_tag *tags, size_t n, s7p_tag_value *values,
                          s7p_item_result *results, s7p_done_fn done, void *ctx,
                          s7p_request_id *id);
s7p_status s7p_write_async(s7p_client *c, const s7p_tag *tags, size_t n,
                           const s7p_tag_value *values, s7p_item_result *results,
                           s7p_done_fn done, void *ctx, s7p_request_id *id);
s7p_status s7p_legitimate_async(s7p_client *c, const char *password, const char *username,
                                s7p_done_fn done, void *ctx, s7p_request_id *id);
s7p_status s7p_cancel(s7p_client *c, s7p_request_id id);
#define S7P_WANT_READ ...
#define S7P_WANT_WRITE ...
int s7p_client_fd(s7p_client *c);
unsigned s7p_client_want(s7p_client *c);
int s7p_client_next_timeout(s7p_client *c);
s7p_status s7p_client_process(s7p_client *c);
s7p_status s7p_client_start_io_thread(s7p_client *c);

s7p_status s7p_legitimate(s7p_client *c, const char *password, const char *username,
                          s7p_error *err);

#define S7P_ALARM_VALUES ...
#define S7P_ALARM_ADDITIONAL_TEXTS ...
typedef enum s7p_alarm_state { S7P_ALARM_COMING, S7P_ALARM_GOING, ... } s7p_alarm_state;
typedef struct s7p_alarm {
    uint64_t id;
    char *name;
    s7p_alarm_state state;
    bool acknowledged;
    uint8_t state_bits;
    uint8_t change_state_bits;
    int64_t coming_ns;
    int64_t going_ns;
    int64_t ack_ns;
    uint8_t priority;
    uint16_t alarm_class;
    uint32_t hmi_alarm_id;
    int32_t message_type;
    uint16_t domain;
    uint32_t sequence_counter;
    uint32_t nvalues;
    s7p_tag_value values[...];
    uint32_t lcid;
    char *text;
    char *info_text;
    char *additional_texts[...];
    ...;
} s7p_alarm;
typedef struct s7p_alarm_list { s7p_alarm *items; size_t count; } s7p_alarm_list;
s7p_status s7p_get_active_alarms(s7p_client *c, uint32_t lcid, s7p_alarm_list **out,
                                 s7p_error *err);
s7p_status s7p_get_active_alarms_async(s7p_client *c, uint32_t lcid, s7p_alarm_list **out,
                                       s7p_done_fn done, void *ctx, s7p_request_id *id);
void s7p_alarm_list_free(s7p_alarm_list *l);
const char *s7p_alarm_message_type_name(int32_t type);

typedef struct s7p_subscription s7p_subscription;
typedef enum s7p_sub_mode { S7P_SUB_CYCLIC, S7P_SUB_CHANGES_ONLY, ... } s7p_sub_mode;
typedef struct s7p_subscription_options {
    uint32_t cycle_ms;
    s7p_sub_mode mode;
    uint32_t notification_timeout_ms;
    uint32_t max_consecutive_timeouts;
    uint32_t queue_size;
    ...;
} s7p_subscription_options;
void s7p_subscription_options_init_size(s7p_subscription_options *o, size_t size);
typedef enum s7p_sub_event { S7P_SUB_DATA, S7P_SUB_LOST, S7P_SUB_RECREATED, S7P_SUB_FAULTED,
    ... } s7p_sub_event;
typedef struct s7p_sub_value {
    uint32_t tag; s7p_status status; uint8_t plc_item_code; s7p_tag_value value; ...;
} s7p_sub_value;
typedef struct s7p_sub_notification {
    s7p_sub_event event;
    uint32_t sequence;
    uint32_t missed;
    bool has_timestamp;
    int64_t timestamp_ns;
    size_t count;
    s7p_sub_value *values;
    uint32_t dropped;
    uint32_t gap_ms;
    s7p_error error;
    ...;
} s7p_sub_notification;
typedef void (*s7p_sub_fn)(void *ctx, s7p_subscription *sub, const s7p_sub_notification *n);
s7p_status s7p_subscribe(s7p_client *c, const s7p_tag *tags, size_t n,
                         const s7p_subscription_options *o, s7p_sub_fn fn, void *ctx,
                         s7p_subscription **out, s7p_error *err);
s7p_status s7p_subscribe_async(s7p_client *c, const s7p_tag *tags, size_t n,
                               const s7p_subscription_options *o, s7p_sub_fn fn, void *ctx,
                               s7p_subscription **out, s7p_done_fn done, void *done_ctx,
                               s7p_request_id *id);
s7p_status s7p_subscription_next(s7p_subscription *s, s7p_sub_notification **out,
                                 uint32_t timeout_ms, s7p_error *err);
void s7p_sub_notification_free(s7p_sub_notification *n);
s7p_status s7p_subscription_set_cycle(s7p_subscription *s, uint32_t cycle_ms, s7p_error *err);
s7p_status s7p_unsubscribe(s7p_subscription *s, s7p_error *err);

/* The binding's callbacks (s7plus/_callbacks.py), called by the library; cffi takes the
 * GIL for each call. */
extern "Python" void _s7py_log(void *, s7p_log_level, const char *, const char *);
extern "Python" bool _s7py_browse(void *, const s7p_browse_item *);
extern "Python" void _s7py_done(void *, s7p_request_id, s7p_status, const s7p_error *);
extern "Python" void _s7py_sub(void *, s7p_subscription *, const s7p_sub_notification *);
"""

HERE = os.path.dirname(os.path.abspath(__file__))


def _locate():
    """(include_dirs, library_dirs, rpath) for the library, as the module doc says."""
    inc, lib = os.environ.get("S7PLUS_INCLUDE_DIR"), os.environ.get("S7PLUS_LIBRARY_DIR")
    if inc and lib:
        return [inc], [lib], [lib] if os.environ.get("S7PLUS_RPATH") == "1" else []
    if shutil.which("pkg-config"):
        r = subprocess.run(["pkg-config", "--cflags-only-I", "--libs-only-L", "s7plus"],
                           capture_output=True, text=True)
        if r.returncode == 0:
            words = r.stdout.split()
            return ([w[2:] for w in words if w.startswith("-I")],
                    [w[2:] for w in words if w.startswith("-L")], [])
    repo = os.path.dirname(HERE)
    build = os.path.join(repo, os.environ.get("S7PLUS_BUILD", "build"), "src")
    return [os.path.join(repo, "include")], [build], [build]


ffibuilder = FFI()
ffibuilder.cdef(CDEF)
_inc, _libdirs, _rpath = _locate()
ffibuilder.set_source(
    "s7plus._s7plus_cffi", "#include <s7plus/s7plus.h>\n",
    include_dirs=_inc, library_dirs=_libdirs, libraries=["s7plus"],
    extra_link_args=["-Wl,-rpath," + d for d in _rpath])

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--emit":
        ffibuilder.emit_c_code(sys.argv[2])
    else:
        ffibuilder.compile(verbose=True)

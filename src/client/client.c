/* SPDX-License-Identifier: MIT */
/* The public client: options, state, serialisation of calls, errors, logging glue. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/client_int.h"
#include "services/info.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/status.h"

#define LAYER "client"
#define KEEPALIVE_TIME_MAX 32767u  /* s: Linux's MAX_TCP_KEEPIDLE and MAX_TCP_KEEPINTVL */
#define KEEPALIVE_COUNT_MAX 127u   /* Linux's MAX_TCP_KEEPCNT */


/* The parentheses keep the header's macro of the same name from expanding here. */
void (s7p_client_options_init)(s7p_client_options *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->port = S7P_DEFAULT_PORT;
    o->local_tsap = S7P_DEFAULT_LOCAL_TSAP;
    o->remote_tsap = S7P_REMOTE_TSAP_HMI;
    o->connect_timeout_ms = 5000;
    o->request_timeout_ms = 5000;
    o->disconnect_timeout_ms = 2000;
    o->browse_timeout_ms = 120000;
    o->reconnect_interval_ms = 1000;
    o->security = S7P_SECURITY_TLS;
    o->verify = S7P_VERIFY_NONE;
    o->log_level = S7P_LOG_INFO;
    o->tcp_keepalive = true;
    o->keepalive_idle_s = 10;
    o->keepalive_interval_s = 5;
    o->keepalive_count = 3;
    o->legacy_key_fallback = true;
    o->legacy_refresh_s = 1500;  /* 25 minutes, as the reference drivers renew */
    o->max_in_flight = 4;
}

void s7p_sized_init(void *o, size_t size, const void *full, size_t full_size)
{
    /* A newer program's struct is larger: the fields this library does not know stay zero,
     * which the functions taking the struct accept as "not used". */
    if (size > full_size) memset((char *)o + full_size, 0, size - full_size);
    memcpy(o, full, size < full_size ? size : full_size);
    if (size >= sizeof size) memcpy(o, &size, sizeof size);  /* struct_size, the first field */
}

bool s7p_sized_tail_zero(const void *o, size_t known, size_t size)
{
    const unsigned char *p = o;
    for (size_t i = known; i < size; i++)
        if (p[i]) return false;
    return true;
}

_Static_assert(offsetof(s7p_client_options, struct_size) == 0, "struct_size comes first");

void s7p_client_options_init_size(s7p_client_options *o, size_t size)
{
    if (!o) return;
    s7p_client_options full;
    (s7p_client_options_init)(&full);
    s7p_sized_init(o, size, &full, sizeof full);
}

/* The smallest struct accepted: one that reaches the host. */
#define OPTIONS_MIN_SIZE (offsetof(s7p_client_options, host) + sizeof(const char *))

/* Reads the caller's options of whatever size into a struct of this library's size: an
 * older (smaller) struct gets the defaults for the fields it lacks; a newer (larger) one is
 * accepted while the fields this library does not know are zero (unused). */
static bool import_options(const s7p_client_options *o, s7p_client_options *out)
{
    if (!o || o->struct_size < OPTIONS_MIN_SIZE) return false;
    size_t n = o->struct_size;
    if (!s7p_sized_tail_zero(o, sizeof *out, n)) return false;
    (s7p_client_options_init)(out);
    memcpy(out, o, n < sizeof *out ? n : sizeof *out);
    out->struct_size = sizeof *out;
    return true;
}

static s7p_status arg_error(s7p_error *err, const char *endpoint, const char *msg)
{
    s7p_fail f = {0};
    s7p_fail_set(&f, S7P_E_INVALID_ARG, "%s", msg);
    s7p_error_fill(err, "new", endpoint, &f);
    return S7P_E_INVALID_ARG;
}

static char *dup_or_null(const char *s, bool *oom)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = s7p_malloc(n);
    if (!d) *oom = true;
    else memcpy(d, s, n);
    return d;
}

static void format_endpoint(char *out, size_t cap, const char *host, uint16_t port)
{
    bool v6 = strchr(host, ':') != NULL;
    snprintf(out, cap, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

/* The ranges Linux accepts (TCP_KEEPIDLE/KEEPINTVL up to 32767 s, TCP_KEEPCNT up to 127):
 * a value the kernel would refuse is an error now, not a failed connect later. */
static s7p_status check_keepalive(const s7p_client_options *o, s7p_error *err)
{
    if (o->tcp_keepalive &&
        (o->keepalive_idle_s - 1u >= KEEPALIVE_TIME_MAX ||
         o->keepalive_interval_s - 1u >= KEEPALIVE_TIME_MAX ||
         o->keepalive_count - 1u >= KEEPALIVE_COUNT_MAX))
        return arg_error(err, o->host, "keepalive idle and interval must be 1..32767 s, "
                         "count 1..127");
    if (o->tcp_user_timeout_ms > INT32_MAX)
        return arg_error(err, o->host, "TCP user timeout must be at most 2147483647 ms");
    return S7P_OK;
}

static s7p_status check_options(const s7p_client_options *o, s7p_error *err)
{
    if (!o->host || !*o->host) return arg_error(err, "", "no host given");
    if (!s7p_tsap_valid(o->remote_tsap))
        return arg_error(err, o->host, "remote TSAP must be 1..32 printable ASCII characters");
    if (o->verify == S7P_VERIFY_CA && !o->ca_file)
        return arg_error(err, o->host, "verify mode CA needs a CA file");
    if (o->verify == S7P_VERIFY_TOFU && (!o->known_hosts_file || !*o->known_hosts_file))
        return arg_error(err, o->host, "verify mode TOFU needs a known-hosts file");
    /* A name nobody checks would give a false sense of security. */
    if (o->expected_name && o->verify != S7P_VERIFY_CA)
        return arg_error(err, o->host, "an expected certificate name needs verify mode CA");
    if ((unsigned)o->verify > S7P_VERIFY_TOFU)
        return arg_error(err, o->host, "unknown verify mode");
    if (o->connect_timeout_ms == 0 || o->request_timeout_ms == 0)
        return arg_error(err, o->host, "timeouts must be positive");
    /* Zero would mean "no time at all", not "no limit": a zero browse or disconnect timeout
     * fails every browse or skips the goodbye, a zero interval hammers a dead PLC. */
    if (o->browse_timeout_ms == 0 || o->disconnect_timeout_ms == 0)
        return arg_error(err, o->host, "browse and disconnect timeouts must be positive");
    if (o->reconnect_interval_ms == 0)
        return arg_error(err, o->host, "reconnect interval must be positive");
    if (o->heartbeat_s > 86400u) return arg_error(err, o->host, "heartbeat must be at most 86400 s");
    const char *legacy = s7p_client_legacy_check(o);
    if (legacy) return arg_error(err, o->host, legacy);
    const char *legit = s7p_client_legit_check(o);
    if (legit) return arg_error(err, o->host, legit);
    if (o->max_in_flight > 64u) return arg_error(err, o->host, "max_in_flight must be at most 64");
    return check_keepalive(o, err);
}

static void free_strings(s7p_client *c)
{
    s7p_free(c->host);
    s7p_free(c->remote_tsap);
    s7p_free(c->keylog_file);
    s7p_free(c->ca_file);
    s7p_free(c->expected_name);
    s7p_free(c->known_hosts_file);
    s7p_secret_free(c->password);
    s7p_secret_free(c->username);
    s7p_client_legacy_free(c);
}

s7p_status s7p_client_new(s7p_client **out, const s7p_client_options *o, s7p_error *err)
{
    if (!out) return arg_error(err, "", "no output pointer");
    *out = NULL;
    s7p_client_options opt;
    if (!import_options(o, &opt))
        return arg_error(err, "", o && o->struct_size > sizeof opt
                                      ? "options use fields this library version does not know"
                                      : "options not initialised");
    o = &opt;
    s7p_status st = check_options(o, err);
    if (st != S7P_OK) return st;
    s7p_client *c = s7p_calloc(1, sizeof *c);
    if (!c) return S7P_E_NOMEM;
    bool oom = false;
    c->opt = *o;
    c->opt.host = c->host = dup_or_null(o->host, &oom);
    c->opt.remote_tsap = c->remote_tsap = dup_or_null(o->remote_tsap, &oom);
    c->opt.keylog_file = c->keylog_file = dup_or_null(o->keylog_file, &oom);
    c->opt.ca_file = c->ca_file = dup_or_null(o->ca_file, &oom);
    c->opt.expected_name = c->expected_name = dup_or_null(o->expected_name, &oom);
    c->opt.known_hosts_file = c->known_hosts_file = dup_or_null(o->known_hosts_file, &oom);
    /* The credentials live only in the client's own copies (wiped at free): the options
     * keep no pointer to the caller's. */
    c->password = s7p_secret_dup(o->password, &oom);
    c->username = s7p_secret_dup(o->username, &oom);
    c->opt.password = c->opt.username = NULL;
    oom = oom || !s7p_client_legacy_init(c);
    s7p_client_legacy_take_keys(c, o->legacy_keys, o->legacy_nkeys);
    /* An older struct (or a zero) takes the default: four requests in flight. */
    if (c->opt.max_in_flight == 0) c->opt.max_in_flight = 4;
    c->conn_fd = -1;
    bool locked = !oom && pthread_mutex_init(&c->lock, NULL) == 0;
    bool cond = locked && pthread_cond_init(&c->idle, NULL) == 0;
    bool wake = cond && pthread_cond_init(&c->wake, NULL) == 0;
    bool pipe_ok = wake && s7p_wake_open(&c->wake_fd);
    if (!pipe_ok) {
        if (wake) pthread_cond_destroy(&c->wake);
        if (cond) pthread_cond_destroy(&c->idle);
        if (locked) pthread_mutex_destroy(&c->lock);
        free_strings(c);
        s7p_free(c);
        return S7P_E_NOMEM;
    }
    format_endpoint(c->endpoint, sizeof c->endpoint, c->host, o->port);
    c->log = (s7p_log_sink){o->log, o->log_ctx, o->log_level};
    c->state = S7P_STATE_DISCONNECTED;
    atomic_init(&c->pub_state, (int)S7P_STATE_DISCONNECTED);
    atomic_init(&c->calls, 0);
    s7p_browse_cache_init(&c->cache);
    c->cache.request_ms = c->opt.request_timeout_ms;  /* each request of a browse or lookup */
    /* The heartbeat needs someone to drive an idle client: its I/O thread. */
    if ((c->opt.heartbeat_s > 0 || c->opt.io_thread) && s7p_io_thread_start(c) != S7P_OK) {
        s7p_client_free(c);
        return S7P_E_NOMEM;
    }
    s7p_error_clear(err);
    *out = c;
    return S7P_OK;
}

void s7p_client_free(s7p_client *c)
{
    if (!c) return;
    s7p_io_thread_stop(c);
    /* Closing without state callbacks: the caller is freeing the client. Calls still inside
     * (one may be delivering callbacks of its own and of others) are waited for first;
     * asynchronous requests still pending complete with S7P_E_CANCELLED. */
    pthread_mutex_lock(&c->lock);
    while (atomic_load(&c->calls) > 0) pthread_cond_wait(&c->idle, &c->lock);
    s7p_client_cancel_all(c);
    c->opt.on_state = NULL;
    c->opt.on_comm_error = NULL;
    s7p_client_deliver(c);
    s7p_subs_free_all(c);
    if (c->session.open || c->session.ch.rx)
        s7p_session_close(&c->session, s7p_deadline_in(c->opt.disconnect_timeout_ms));
    if (c->conn_fd >= 0) close(c->conn_fd);
    pthread_mutex_unlock(&c->lock);
    s7p_tls_ctx_free(c->tls);
    s7p_browse_cache_clear(&c->cache);
    pthread_cond_destroy(&c->wake);
    pthread_cond_destroy(&c->idle);
    pthread_mutex_destroy(&c->lock);
    s7p_wake_close(&c->wake_fd);
    s7p_free(c->events);
    free_strings(c);
    s7p_free(c);
}

s7p_status s7p_client_finish(s7p_client *c, const char *op, s7p_status st, const s7p_fail *f,
                             s7p_error *err)
{
    if (st == S7P_OK) {
        s7p_error_clear(err);
        return st;
    }
    s7p_error mine;
    s7p_error_fill(&mine, op, c->endpoint, f);
    s7p_logf(&c->log, S7P_LOG_WARN, LAYER, "%s", mine.message);
    if (err) *err = mine;
    return st;
}

static s7p_tls_verify tls_verify_mode(s7p_verify v)
{
    switch (v) {
    case S7P_VERIFY_CA: return S7P_TLS_VERIFY_CA;
    case S7P_VERIFY_PIN: return S7P_TLS_VERIFY_PIN;
    case S7P_VERIFY_TOFU: return S7P_TLS_VERIFY_TOFU;
    default: return S7P_TLS_VERIFY_NONE;
    }
}

/* Unusable CA or key-log files come back as S7P_E_CONFIG: no retry can fix them. */
static s7p_status ensure_tls(s7p_client *c, s7p_fail *f)
{
    if (c->tls) return S7P_OK;
    s7p_tls_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.verify = tls_verify_mode(c->opt.verify);
    cfg.ca_file = c->opt.ca_file;
    /* The identity checked is the name or address the caller connects to, unless the PLC's
     * certificate names it differently (reached through NAT, a tunnel, another address). */
    cfg.expected_name = c->opt.expected_name ? c->opt.expected_name : c->opt.host;
    cfg.known_hosts_file = c->opt.known_hosts_file;
    cfg.known_hosts_key = c->endpoint;
    memcpy(cfg.pin_sha256, c->opt.pin_sha256, sizeof cfg.pin_sha256);
    cfg.keylog_file = c->opt.keylog_file;
    char why[200] = "";
    s7p_status st = S7P_E_TLS;
    c->tls = s7p_tls_ctx_create(&cfg, &st, why, sizeof why);
    return c->tls ? S7P_OK : s7p_fail_set(f, st, "%s", why);  /* "tls: ..." */
}

static void log_fingerprint(s7p_client *c)
{
    static const char *const how[] = {" (not verified)", " (CA verified)", " (pinned)",
                                      " (trusted on first use)"};
    uint8_t fp[S7P_SHA256_LEN];
    char hex[2 * S7P_SHA256_LEN + 1];
    if (!s7p_log_on(&c->log, S7P_LOG_INFO) || !s7p_tls_peer_sha256(c->session.ch.tls, fp)) return;
    for (int i = 0; i < S7P_SHA256_LEN; i++) snprintf(hex + 2 * i, 3, "%02x", fp[i]);
    s7p_logf(&c->log, S7P_LOG_INFO, "tls", "PLC certificate sha256 %s%s", hex,
             (unsigned)c->opt.verify < 4 ? how[c->opt.verify] : "");
}

/* Remembers how the last connect attempt ended, for the reconnect interval. */
static void note_connect_attempt(s7p_client *c, s7p_status st, const s7p_fail *f)
{
    c->last_connect_failed = st != S7P_OK;
    if (st == S7P_OK) return;
    c->last_connect_fail = *f;
    c->next_connect_ms = s7p_deadline_in(c->opt.reconnect_interval_ms);
}

/* The socket options of the connection; a user timeout of 0 follows the keepalive bound,
 * so data that stays unacknowledged and silence are given up on after the same time. */
static s7p_tcp_keepalive keepalive_of(const s7p_client_options *o)
{
    s7p_tcp_keepalive k = {o->tcp_keepalive, o->keepalive_idle_s, o->keepalive_interval_s,
                           o->keepalive_count, o->tcp_user_timeout_ms};
    if (k.user_timeout_ms == 0 && k.enabled)
        k.user_timeout_ms = (k.idle_s + k.interval_s * k.count) * 1000u;
    return k;
}

/* ---- connect: a non-blocking TCP connect, then the engine's connect sequence ---- */

static s7p_status tcp_fail(s7p_fail *f, s7p_status st, int err)
{
    f->sys_errno = err;
    return s7p_fail_set(f, st, "tcp: %s%s%s", s7p_status_text(st), err ? ": " : "",
                        err ? strerror(err) : "");
}

static s7p_status connect_errno_status(int e)
{
    return e == ETIMEDOUT ? S7P_E_TIMEOUT : S7P_E_CONNECT;
}

/* Starts the TCP connect to the first address that takes one (the others are tried when an
 * address fails at once). */
static s7p_status tcp_start(s7p_client *c, s7p_fail *f)
{
    char port[8];
    snprintf(port, sizeof port, "%u", c->opt.port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(c->opt.host, port, &hints, &res);
    if (rc != 0 || !res) return s7p_fail_set(f, S7P_E_RESOLVE, "tcp: %s: %s", s7p_status_text(S7P_E_RESOLVE), gai_strerror(rc));
    int last = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS) {
            c->conn_fd = fd;
            freeaddrinfo(res);
            return S7P_OK;
        }
        last = errno;
        close(fd);
    }
    freeaddrinfo(res);
    return tcp_fail(f, connect_errno_status(last), last);
}

/* The TCP connection is up: the socket goes to the session, the engine starts its sequence. */
static void on_engine_connected(void *ctx, s7p_status st, const s7p_fail *f)
{
    s7p_client *c = ctx;
    c->conn_engine_done = true;
    c->conn_st = st;
    if (st != S7P_OK && f && c->conn_f.code == S7P_OK) c->conn_f = *f;
}

static s7p_status tcp_established(s7p_client *c, s7p_fail *f)
{
    int fd = c->conn_fd, err = 0;
    socklen_t len = sizeof err;
    c->conn_fd = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err) {
        close(fd);
        return tcp_fail(f, connect_errno_status(err), err);
    }
    s7p_tcp_keepalive k = keepalive_of(&c->opt);
    s7p_status st = s7p_tcp_set_keepalive(fd, &k, &err);
    if (st != S7P_OK) {
        close(fd);
        f->sys_errno = err;
        return s7p_fail_set(f, st, "tcp: keepalive options: %s", strerror(err));
    }
    s7p_session *s = &c->session;
    memset(s, 0, sizeof *s);
    s->log = &c->log;
    s->limits.tags_per_read = s->limits.tags_per_write = 20;
    if ((st = s7p_channel_init(&s->ch, fd)) != S7P_OK) {
        close(fd);
        return s7p_fail_set(f, st, "channel");
    }
    s7p_engine_config cfg = {c->opt.max_in_flight, c->opt.heartbeat_s * 1000u,
                             c->opt.request_timeout_ms};
    s7p_engine_init(&s->eng, &s->ch, &cfg, &c->log);
    s7p_engine_on_notify(&s->eng, s7p_subs_on_notify, c);
    s7p_engine_connect_params cp = {c->opt.local_tsap, c->opt.remote_tsap, c->tls,
                                    c->opt.security, &c->legacy, c->conn_attempt,
                                    c->opt.legacy_refresh_s * 1000u};
    c->conn_engine_done = false;
    (void)s7p_engine_connect(&s->eng, &cp, s7p_now_ms(), c->conn_deadline, on_engine_connected, c);
    s7p_driver_flush(c);
    return S7P_OK;
}

void s7p_client_shut(s7p_client *c)
{
    if (c->session.open) s7p_subs_session_lost(c);
    c->session.open = false;
    s7p_legit_forget(&c->session);
    s7p_engine_free(&c->session.eng);
    s7p_channel_close(&c->session.ch);
}

/* The connect of r ended with st (c->conn_f): the state, then r's next step. */
static void conn_end(s7p_client *c, s7p_status st)
{
    s7p_req *r = c->conn_req;
    s7p_fail f = c->conn_f;
    c->conn_req = NULL;
    if (c->conn_fd >= 0) close(c->conn_fd);
    c->conn_fd = -1;
    if (st != S7P_OK) {
        if (c->session.ch.rx || c->session.eng.link) s7p_client_shut(c);
    } else {
        s7p_session_opened(&c->session);
        c->sessions++;
    }
    note_connect_attempt(c, st, &f);
    s7p_client_set_state(c, st == S7P_OK ? S7P_STATE_CONNECTED : c->conn_failed_state);
    if (st == S7P_OK) log_fingerprint(c);
    if (st != S7P_OK) {
        r->f = f;
        s7p_req_complete(c, r, st);
        return;
    }
    if (r->kind == RQ_CONNECT) {
        s7p_req_complete(c, r, S7P_OK);
        return;
    }
    /* A reconnect before an operation: the operation now runs beside others again. */
    s7p_req_reconnected(c, r);
}

void s7p_conn_begin(s7p_client *c, s7p_req *r)
{
    s7p_fail *f = &c->conn_f;
    memset(f, 0, sizeof *f);
    c->conn_req = r;
    c->idle_fault_pending = false;
    c->conn_legit_done = false;
    /* The connect timeout covers everything the call does, TLS set-up included. */
    c->conn_deadline = s7p_deadline_in(c->opt.connect_timeout_ms);
    s7p_status st = S7P_OK;
    if (c->session.open) st = s7p_fail_set(f, S7P_E_STATE, "already connected");
    /* AUTO needs the TLS context too: it uses TLS whenever the PLC offers it. */
    else if (c->opt.security != S7P_SECURITY_LEGACY_CHALLENGE) st = ensure_tls(c, f);
    if (st != S7P_OK) {
        c->conn_req = NULL;
        r->f = *f;
        s7p_req_complete(c, r, st);
        return;
    }
    s7p_browse_cache_clear(&c->cache);  /* the program may have changed meanwhile */
    /* With auto_reconnect a client that lost its session stays FAULTED until the caller
     * disconnects, so that later calls keep trying. */
    c->conn_failed_state = c->opt.auto_reconnect && c->state == S7P_STATE_FAULTED
                               ? S7P_STATE_FAULTED : S7P_STATE_DISCONNECTED;
    s7p_client_set_state(c, S7P_STATE_CONNECTING);
    c->conn_attempt = 0;
    if ((st = tcp_start(c, f)) != S7P_OK) conn_end(c, st);
}

/* The PLC refused a legacy attempt (key or frame variant) that has a successor: the next
 * one runs on a fresh connection while the connect timeout lasts. False when there is none
 * (the connect ends). */
static bool legacy_retry(s7p_client *c)
{
    const s7p_engine_props *pr = &c->session.eng.props;
    if (c->conn_st == S7P_OK || !pr->legacy_refused || c->conn_attempt + 1 >= pr->legacy_attempts ||
        s7p_now_ms() >= c->conn_deadline)
        return false;
    s7p_logf(&c->log, S7P_LOG_INFO, "session", "%s: trying the next key or frame variant",
             c->conn_f.msg);
    s7p_client_shut(c);
    c->conn_attempt++;
    memset(&c->conn_f, 0, sizeof c->conn_f);
    s7p_status st = tcp_start(c, &c->conn_f);
    if (st != S7P_OK) conn_end(c, st);
    return true;
}

void s7p_conn_settle(s7p_client *c, bool writable)
{
    if (c->conn_req) {
        if (c->conn_fd >= 0) {
            s7p_status st = S7P_OK;
            if (writable) st = tcp_established(c, &c->conn_f);
            else if (s7p_now_ms() >= c->conn_deadline)
                st = s7p_fail_set(&c->conn_f, S7P_E_TIMEOUT, "tcp: %s", s7p_status_text(S7P_E_TIMEOUT));
            if (st != S7P_OK) conn_end(c, st);
        } else if (c->conn_engine_done) {
            c->conn_engine_done = false;
            /* A session with a password logs in before the connect counts as done. */
            if (!legacy_retry(c) && (c->conn_st != S7P_OK || !s7p_conn_legit_begin(c)))
                conn_end(c, c->conn_st);
        }
        if (c->conn_req && c->conn_legit_done) {
            c->conn_legit_done = false;
            conn_end(c, c->conn_st);
        }
    }
    if (c->close_done) {
        s7p_req *r = c->conn_req;
        c->close_done = false;
        c->conn_req = NULL;
        s7p_client_shut(c);
        s7p_browse_cache_clear(&c->cache);  /* the next PLC program may differ */
        c->last_connect_failed = false;     /* the next connect is the caller's, not automatic */
        s7p_client_set_state(c, S7P_STATE_DISCONNECTED);
        s7p_req_complete(c, r, S7P_OK);
    }
}

static void on_closed(void *ctx, s7p_status st, const s7p_fail *f)
{
    (void)st;
    (void)f;
    s7p_client *c = ctx;
    c->close_done = true;
}

void s7p_disconnect_begin(s7p_client *c, s7p_req *r)
{
    c->conn_req = r;
    if (c->session.open || c->session.ch.rx) s7p_client_set_state(c, S7P_STATE_DISCONNECTING);
    if (c->session.open && c->session.eng.phase == S7P_ENGINE_OPEN) {
        s7p_engine_close(&c->session.eng, s7p_now_ms(),
                         s7p_deadline_in(c->opt.disconnect_timeout_ms), on_closed, c);
        s7p_driver_flush(c);
    } else {
        c->close_done = true;
    }
    if (c->close_done) s7p_conn_settle(c, false);
}

s7p_status s7p_connect(s7p_client *c, s7p_error *err)
{
    if (!c) return S7P_E_INVALID_ARG;
    s7p_req *r = s7p_req_new(c, RQ_CONNECT, "connect", 0);
    return r ? s7p_req_run(c, r, err) : S7P_E_NOMEM;
}

s7p_status s7p_disconnect(s7p_client *c, s7p_error *err)
{
    if (!c) return S7P_E_INVALID_ARG;
    s7p_req *r = s7p_req_new(c, RQ_DISCONNECT, "disconnect", 0);
    return r ? s7p_req_run(c, r, err) : S7P_E_NOMEM;
}

bool s7p_is_connected(s7p_client *c)
{
    return s7p_get_state(c) == S7P_STATE_CONNECTED;
}

/* Never waits: the state is mirrored in an atomic. */
s7p_conn_state s7p_get_state(s7p_client *c)
{
    if (!c) return S7P_STATE_DISCONNECTED;
    return (s7p_conn_state)atomic_load(&c->pub_state);
}

s7p_status s7p_get_cpu_info(s7p_client *c, s7p_cpu_info *out, s7p_error *err)
{
    if (!c || !out) return S7P_E_INVALID_ARG;
    s7p_req *r = s7p_req_new(c, RQ_INFO, "info", S7P_OP_NEEDS_SESSION | S7P_OP_RETRYABLE);
    if (!r) return S7P_E_NOMEM;
    r->info_out = out;
    return s7p_req_run(c, r, err);
}

/* SPDX-License-Identifier: MIT */
/* The control channel: one command line in, one answer line out (docs/simulator.md,
 * "Control channel"), from the API (s7p_sim_control) or a local unix socket (control_path),
 * (the alarms it raises, clears and acknowledges live in alarms.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "plc_data.h"
#include "s7plus/s7plus.h"
#include "sim_int.h"

#define MAX_LINE 4096u
#define MAX_WORDS 4u
#define CLIENT_IDLE_MS 600000     /* a silent control client is dropped after 10 minutes */

/* ---- commands ---- */

typedef struct reply {
    char *p;
    size_t len, at;
} reply;

static void say(reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(reply *r, const char *fmt, ...)
{
    if (r->at >= r->len) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->p + r->at, r->len - r->at, fmt, ap);
    va_end(ap);
    if (n > 0) r->at = r->at + (size_t)n < r->len ? r->at + (size_t)n : r->len - 1;
}

static bool fail(reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(reply *r, const char *fmt, ...)
{
    r->at = 0;
    say(r, "error: ");
    va_list ap;
    va_start(ap, fmt);
    if (r->at < r->len) {
        int n = vsnprintf(r->p + r->at, r->len - r->at, fmt, ap);
        if (n > 0) r->at = r->at + (size_t)n < r->len ? r->at + (size_t)n : r->len - 1;
    }
    va_end(ap);
    return false;
}

/* Splits off the next blank-separated word (a "quoted" word keeps its quotes and blanks). */
static char *next_word(char **cur)
{
    char *p = *cur;
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) {
        *cur = p;
        return NULL;
    }
    char *w = p;
    bool quoted = false;
    for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++)
        if (*p == '"') quoted = !quoted;
    if (*p) *p++ = '\0';
    *cur = p;
    return w;
}

static char *rest_of(char *cur)
{
    while (*cur == ' ' || *cur == '\t') cur++;
    return cur;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = s ? strtoul(s, &end, 0) : 0;
    if (!s || errno || end == s || *end || s[0] == '-' || v > UINT32_MAX) return false;
    *out = (uint32_t)v;
    return true;
}

static bool cmd_set(s7p_sim *s, char *args, reply *r)
{
    char *symbol = next_word(&args), *literal = rest_of(args);
    char why[256] = "";
    if (!symbol || !*literal) return fail(r, "usage: set SYMBOL VALUE");
    if (!s->plc) return fail(r, "no program loaded");
    if (!sim_plc_set_symbol(s->plc, symbol, literal, why, sizeof why)) return fail(r, "%s", why);
    sim_log(s, 1, "control: %s := %s", symbol, literal);
    say(r, "ok");
    return true;
}

static bool cmd_get(s7p_sim *s, char *args, reply *r)
{
    char *symbol = next_word(&args);
    char text[MAX_LINE];
    if (!symbol) return fail(r, "usage: get SYMBOL");
    if (!s->plc) return fail(r, "no program loaded");
    text[0] = '\0';
    if (!sim_plc_get_symbol(s->plc, symbol, text, sizeof text)) return fail(r, "%s", text);
    say(r, "ok %s", text);
    return true;
}

/* generate SYMBOL KIND[:PERIOD_MS[:...]] | generate SYMBOL off (s7p_sim_generate). */
static bool cmd_generate(s7p_sim *s, char *args, reply *r)
{
    char *symbol = next_word(&args), *spec = next_word(&args);
    char why[256] = "";
    if (!symbol || !spec) return fail(r, "usage: generate SYMBOL KIND[:PERIOD_MS[:...]] | off");
    if (!s7p_sim_generate(s, symbol, spec, why, sizeof why)) return fail(r, "%s", why);
    say(r, "ok %zu generators", s7p_sim_generator_count(s));
    return true;
}

static bool cmd_subscriptions(s7p_sim *s, reply *r)
{
    say(r, "ok %u of %u", s7p_sim_subscriptions(s), s->cfg.max_subscriptions);
    return true;
}

static bool cmd_state(s7p_sim *s, char *args, reply *r)
{
    char *name = next_word(&args);
    s7p_sim_state st;
    if (name && !s7p_sim_state_parse(name, &st))
        return fail(r, "unknown state \"%s\" (run, stop, startup, hold, defective)", name);
    if (name) s7p_sim_set_state(s, st);
    say(r, "ok %s", s7p_sim_state_name(s7p_sim_get_state(s)));
    return true;
}

#define ALARM_USAGE "usage: alarm raise ID [VALUE... | TEXT] | alarm clear ID | alarm ack ID"

/* alarm raise ID [VALUE...]: a defined alarm's associated values, blank-separated literals
 * ("quoted" for strings with blanks); for an undefined ID the rest of the line is its text. */
static bool cmd_raise(s7p_sim *s, uint32_t id, char *args, reply *r)
{
    if (!s7p_sim_alarm_defined(s, id)) {
        if (!s7p_sim_alarm_raise(s, id, rest_of(args)))
            return fail(r, "%u alarms are raised already", S7P_SIM_MAX_ALARMS);
        say(r, "ok");
        return true;
    }
    const char *vals[S7P_ALARM_VALUES + 1];
    size_t n = 0;
    char *w, why[256];
    while ((w = next_word(&args)) != NULL && n <= S7P_ALARM_VALUES) {
        size_t len = strlen(w);
        if (len >= 2 && w[0] == '"' && w[len - 1] == '"') {  /* "quoted": a value with blanks */
            w[len - 1] = '\0';
            w++;
        }
        vals[n++] = w;
    }
    if (!s7p_sim_alarm_raise_values(s, id, vals, n, why, sizeof why)) return fail(r, "%s", why);
    say(r, "ok");
    return true;
}

static bool cmd_alarm(s7p_sim *s, char *args, reply *r)
{
    char *verb = next_word(&args), *id_text = next_word(&args);
    uint32_t id;
    if (!verb || !parse_u32(id_text, &id)) return fail(r, ALARM_USAGE);
    if (strcasecmp(verb, "raise") == 0) return cmd_raise(s, id, args, r);
    if (strcasecmp(verb, "clear") == 0) {
        if (!s7p_sim_alarm_clear(s, id)) return fail(r, "alarm %u is not raised", (unsigned)id);
    } else if (strcasecmp(verb, "ack") == 0) {
        if (!s7p_sim_alarm_ack(s, id))
            return fail(r, "alarm %u is not active or needs no acknowledgement", (unsigned)id);
    } else {
        return fail(r, ALARM_USAGE);
    }
    say(r, "ok");
    return true;
}

static bool cmd_alarms(s7p_sim *s, reply *r)
{
    r->at = sim_alarms_list(s, r->p, r->len);
    return true;
}

/* fault SPEC [delay=MS] [code=N] | fault clear: the syntax of --fault. */
static bool cmd_fault(s7p_sim *s, char *args, reply *r)
{
    char *spec = next_word(&args), *opt;
    char why[256];
    if (!spec) return fail(r, "usage: fault KIND[:FUNCTION[:NTH]] [delay=MS] [code=N] | fault clear");
    if (strcasecmp(spec, "clear") == 0 || strcasecmp(spec, "none") == 0) {
        s7p_sim_clear_fault(s);
        say(r, "ok");
        return true;
    }
    s7p_sim_fault f = {0};
    if (!s7p_sim_fault_parse(spec, &f, why, sizeof why)) return fail(r, "%s", why);
    while ((opt = next_word(&args)) != NULL) {
        char *end;
        long v;
        if (strncmp(opt, "delay=", 6) == 0) {
            v = strtol(opt + 6, &end, 10);
            if (*end || v < 0 || v > 3600000) return fail(r, "bad delay \"%s\"", opt + 6);
            f.delay_ms = (unsigned)v;
        } else if (strncmp(opt, "code=", 5) == 0) {
            v = strtol(opt + 5, &end, 10);
            if (*end || v >= 0 || v < INT16_MIN) return fail(r, "bad code \"%s\"", opt + 5);
            f.plc_code = (int16_t)v;
        } else {
            return fail(r, "unknown fault option \"%s\"", opt);
        }
    }
    s7p_sim_set_fault(s, &f);
    say(r, "ok %s", s7p_sim_fault_name(f.kind));
    return true;
}

static bool cmd_reload(s7p_sim *s, reply *r)
{
    char why[256];
    if (!s7p_sim_reload_program(s, why, sizeof why)) return fail(r, "%s", why);
    say(r, "ok change counter %u", (unsigned)s7p_sim_change_counter(s));
    return true;
}

static bool cmd_counters(s7p_sim *s, reply *r)
{
    say(r, "ok sessions=%u notifications=%lu fault_hits=%lu alarms=%zu state=%s",
        s7p_sim_sessions(s), s7p_sim_notifications(s), s7p_sim_fault_hits(s),
        s7p_sim_alarm_count(s), s7p_sim_state_name(s7p_sim_get_state(s)));
    for (unsigned f = 0; f < 65536u; f++) {
        unsigned long n = s7p_sim_requests(s, (uint16_t)f);
        if (n) say(r, " %s=%lu", sim_function_name((uint16_t)f), n);
    }
    return true;
}

bool s7p_sim_control(s7p_sim *s, const char *line, char *out, size_t out_len)
{
    reply r = {out, out_len, 0};
    char buf[MAX_LINE];
    if (out_len) out[0] = '\0';
    size_t n = strcspn(line, "\r\n");
    if (n >= sizeof buf) return fail(&r, "line too long");
    memcpy(buf, line, n);
    buf[n] = '\0';
    char *args = buf, *cmd = next_word(&args);
    if (!cmd) return fail(&r, "empty command (try help)");
    if (strcasecmp(cmd, "set") == 0) return cmd_set(s, args, &r);
    if (strcasecmp(cmd, "get") == 0) return cmd_get(s, args, &r);
    if (strcasecmp(cmd, "generate") == 0) return cmd_generate(s, args, &r);
    if (strcasecmp(cmd, "subscriptions") == 0) return cmd_subscriptions(s, &r);
    if (strcasecmp(cmd, "state") == 0) return cmd_state(s, args, &r);
    if (strcasecmp(cmd, "alarm") == 0) return cmd_alarm(s, args, &r);
    if (strcasecmp(cmd, "alarms") == 0) return cmd_alarms(s, &r);
    if (strcasecmp(cmd, "fault") == 0) return cmd_fault(s, args, &r);
    if (strcasecmp(cmd, "reload") == 0) return cmd_reload(s, &r);
    if (strcasecmp(cmd, "counters") == 0) return cmd_counters(s, &r);
    if (strcasecmp(cmd, "help") == 0) {
        say(&r, "ok commands: set SYMBOL VALUE; get SYMBOL; generate SYMBOL KIND[:PERIOD_MS"
                "[:...]]|off; subscriptions; state [run|stop|startup|hold|defective]; "
                "alarm raise ID [VALUE...|TEXT]; alarm clear ID; alarm ack ID; alarms; fault SPEC "
                "[delay=MS] [code=N]; fault clear; reload; counters");
        return true;
    }
    return fail(&r, "unknown command \"%s\" (try help)", cmd);
}

/* ---- serving a line stream ---- */

/* One line stream: the socket of a control client, or the stdin/stdout pair of a script. */
typedef struct ctl_io {
    int in, out, wake;
    int idle_ms;                  /* -1: wait for input without limit */
    bool sock;                    /* send() without SIGPIPE; write() for pipes and files */
} ctl_io;

static bool put_all(const ctl_io *io, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = io->sock ? send(io->out, p, n, MSG_NOSIGNAL) : write(io->out, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Serves one stream until its end, an idle timeout or the simulator stops: one answer line
 * per command line. A line longer than MAX_LINE ends the stream. */
static void serve_stream(s7p_sim *s, const ctl_io *io)
{
    char in[MAX_LINE], out[MAX_LINE];
    size_t have = 0;
    for (;;) {
        char *nl = memchr(in, '\n', have);
        if (nl) {
            *nl = '\0';
            if (nl > in && nl[-1] == '\r') nl[-1] = '\0';  /* a script written on Windows */
            s7p_sim_control(s, in, out, sizeof out - 1);
            size_t len = strlen(out);
            out[len++] = '\n';
            if (!put_all(io, out, len)) return;
            size_t used = (size_t)(nl - in) + 1;
            memmove(in, nl + 1, have - used);
            have -= used;
            continue;
        }
        if (have == sizeof in) return;
        struct pollfd p[2] = {{io->in, POLLIN, 0}, {io->wake, POLLIN, 0}};
        int rc = poll(p, 2, io->idle_ms);
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0 || p[1].revents) return;
        ssize_t got = io->sock ? recv(io->in, in + have, sizeof in - have, 0)
                               : read(io->in, in + have, sizeof in - have);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return;
        have += (size_t)got;
    }
}

/* ---- the unix socket ---- */

static void serve_client(s7p_sim *s, int fd)
{
    ctl_io io = {fd, fd, s->control_wake[0], CLIENT_IDLE_MS, true};
    serve_stream(s, &io);
}

static void *control_main(void *arg)
{
    s7p_sim *s = arg;
    sim_block_signals();
    for (;;) {
        struct pollfd p[2] = {{s->control_fd, POLLIN, 0}, {s->control_wake[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR) return NULL;
        if (p[1].revents) return NULL;
        if (!(p[0].revents & POLLIN)) continue;
        int fd = accept(s->control_fd, NULL, NULL);
        if (fd < 0) continue;
        sim_log(s, 1, "control: client connected");
        serve_client(s, fd);
        close(fd);
    }
}

bool sim_control_start(s7p_sim *s, char *err, size_t err_len)
{
    struct sockaddr_un sa;
    const char *path = s->cfg.control_path;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, err_len, "control socket path too long: %s", path);
        return false;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) unlink(path);  /* a stale socket */
    if (pipe(s->control_wake) != 0) {
        snprintf(err, err_len, "control: %s", strerror(errno));
        return false;
    }
    s->control_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->control_fd < 0 || bind(s->control_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(s->control_fd, 4) != 0) {
        snprintf(err, err_len, "control socket %s: %s", path, strerror(errno));
        return false;
    }
    s->control_path = strdup(path);
    if (!s->control_path || pthread_create(&s->control_th, NULL, control_main, s) != 0) {
        snprintf(err, err_len, "cannot start the control thread");
        return false;
    }
    s->control_started = true;
    sim_log(s, 1, "control channel on %s", path);
    return true;
}

void sim_control_stop(s7p_sim *s)
{
    if (s->control_started) {
        sim_wake_and_join(s->control_wake[1], s->control_th);
        s->control_started = false;
    }
    if (s->control_fd >= 0) close(s->control_fd);
    if (s->control_path) unlink(s->control_path);
    sim_close_pipe(s->control_wake);
    free(s->control_path);
    s->control_fd = -1;
    s->control_path = NULL;
}

/* ---- a line stream of the caller's (stdin and stdout of s7plus-sim --control -) ---- */

static void *stdio_main(void *arg)
{
    s7p_sim *s = arg;
    sim_block_signals();
    ctl_io io = {s->stdio_in, s->stdio_out, s->stdio_wake[0], -1, false};
    sim_log(s, 1, "control: reading commands from fd %d", io.in);
    serve_stream(s, &io);
    sim_log(s, 1, "control: end of commands on fd %d", io.in);
    return NULL;
}

bool s7p_sim_control_fd(s7p_sim *s, int in_fd, int out_fd, char *err, size_t err_len)
{
    if (s->stdio_started) {
        snprintf(err, err_len, "control: a command stream is served already");
        return false;
    }
    if (pipe(s->stdio_wake) != 0) {
        snprintf(err, err_len, "control: %s", strerror(errno));
        s->stdio_wake[0] = s->stdio_wake[1] = -1;
        return false;
    }
    s->stdio_in = in_fd;
    s->stdio_out = out_fd;
    if (pthread_create(&s->stdio_th, NULL, stdio_main, s) != 0) {
        snprintf(err, err_len, "cannot start the control thread");
        sim_control_stdio_stop(s);
        return false;
    }
    s->stdio_started = true;
    return true;
}

void sim_control_stdio_stop(s7p_sim *s)
{
    if (s->stdio_started) {
        sim_wake_and_join(s->stdio_wake[1], s->stdio_th);
        s->stdio_started = false;
    }
    sim_close_pipe(s->stdio_wake);
}

/* SPDX-License-Identifier: MIT */
/* poll_many: reads one variable from several PLCs at once, every client driven by one
 * poll() loop of this thread (no thread per PLC, no blocking call while they run).
 *
 *   poll_many SYMBOL ROUNDS HOST[:PORT]...
 *   poll_many '"AllTypes".v_int' 10 192.0.2.10 192.0.2.11:4102
 *
 * Each client goes connect -> symbol lookup -> ROUNDS reads, each step started from the
 * completion of the one before. The PLC's certificate is trusted on first use when
 * $S7PLUS_KNOWN_HOSTS names a file, otherwise any certificate is accepted. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s7plus/s7plus.h>

typedef enum { CONNECTING, LOOKING_UP, READING, FINISHED } step;

typedef struct plc {
    const char *endpoint;
    char host[256];
    s7p_client *c;
    step at;
    const char *symbol;
    int rounds_left, ok, failed;
    s7p_tag tag;
    s7p_tag_value value;
    s7p_item_result result;
} plc;

static void on_done(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err);

/* Starts the next read, or finishes. */
static void next_read(plc *p)
{
    if (p->rounds_left == 0) {
        p->at = FINISHED;
        return;
    }
    p->rounds_left--;
    if (s7p_read_async(p->c, &p->tag, 1, &p->value, &p->result, on_done, p, NULL) != S7P_OK) {
        p->failed++;
        p->at = FINISHED;
    }
}

/* The completion of p's current step starts its next one (on the thread in the loop). */
static void on_done(void *ctx, s7p_request_id id, s7p_status st, const s7p_error *err)
{
    (void)id;
    plc *p = ctx;
    if (st != S7P_OK) {
        fprintf(stderr, "%s: %s\n", p->endpoint, err->message);
        if (p->at == READING) {
            p->failed++;
            s7p_tag_value_clear(&p->value);
            next_read(p);
            return;
        }
        p->failed += p->rounds_left;
        p->at = FINISHED;
        return;
    }
    switch (p->at) {
    case CONNECTING:
        p->at = LOOKING_UP;
        if (s7p_tag_by_symbol_async(p->c, p->symbol, &p->tag, on_done, p, NULL) != S7P_OK) {
            p->failed += p->rounds_left;
            p->at = FINISHED;
        }
        return;
    case LOOKING_UP:
        p->at = READING;
        next_read(p);
        return;
    case READING:
        p->ok++;
        s7p_tag_value_clear(&p->value);
        next_read(p);
        return;
    case FINISHED:
        return;
    }
}

static int setup(plc *p, const char *endpoint, const char *symbol, int rounds)
{
    memset(p, 0, sizeof *p);
    p->endpoint = endpoint;
    p->symbol = symbol;
    p->rounds_left = rounds;
    s7p_client_options o;
    s7p_client_options_init(&o);
    snprintf(p->host, sizeof p->host, "%s", endpoint);
    char *colon = strrchr(p->host, ':');
    if (colon && colon == strchr(p->host, ':')) {
        *colon = '\0';
        o.port = (uint16_t)atoi(colon + 1);
    }
    o.host = p->host;
    if (getenv("S7PLUS_KNOWN_HOSTS")) {
        o.verify = S7P_VERIFY_TOFU;
        o.known_hosts_file = getenv("S7PLUS_KNOWN_HOSTS");
    }
    s7p_error err;
    if (s7p_client_new(&p->c, &o, &err) != S7P_OK) {
        fprintf(stderr, "%s: %s\n", endpoint, err.message);
        return -1;
    }
    if (s7p_connect_async(p->c, on_done, p, NULL) != S7P_OK) {
        fprintf(stderr, "%s: cannot start the connect\n", endpoint);
        return -1;
    }
    return 0;
}

/* One turn: wait for whatever any client waits for, then let the ready ones work. */
static void turn(plc *plcs, int n)
{
    struct pollfd fds[64];
    int timeout = -1;
    for (int i = 0; i < n; i++) {
        s7p_client *c = plcs[i].c;
        fds[i].fd = -1;
        fds[i].revents = 0;
        if (!c) continue;
        unsigned want = s7p_client_want(c);
        fds[i].fd = want ? s7p_client_fd(c) : -1;  /* poll() skips negative descriptors */
        fds[i].events = (short)((want & S7P_WANT_READ ? POLLIN : 0) |
                                (want & S7P_WANT_WRITE ? POLLOUT : 0));
        int t = s7p_client_next_timeout(c);
        if (t >= 0 && (timeout < 0 || t < timeout)) timeout = t;
    }
    if (poll(fds, (nfds_t)n, timeout) < 0) return;
    for (int i = 0; i < n; i++)
        if (plcs[i].c && (fds[i].revents || s7p_client_next_timeout(plcs[i].c) == 0))
            s7p_client_process(plcs[i].c);
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc - 3 > 64) {
        fprintf(stderr, "usage: poll_many SYMBOL ROUNDS HOST[:PORT]... (at most 64 PLCs)\n");
        return 2;
    }
    const char *symbol = argv[1];
    int rounds = atoi(argv[2]);
    int n = argc - 3;
    plc *plcs = calloc((size_t)n, sizeof *plcs);
    if (!plcs) return 1;
    for (int i = 0; i < n; i++) {
        if (setup(&plcs[i], argv[3 + i], symbol, rounds) != 0) {
            plcs[i].at = FINISHED;
            plcs[i].failed = rounds;
        }
    }
    for (;;) {
        int running = 0;
        for (int i = 0; i < n; i++) running += plcs[i].c && plcs[i].at != FINISHED;
        if (!running) break;
        turn(plcs, n);
    }
    int ok = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        printf("%s: %d of %d reads ok\n", plcs[i].endpoint, plcs[i].ok, rounds);
        ok += plcs[i].ok;
        failed += plcs[i].failed;
        if (plcs[i].c) s7p_disconnect(plcs[i].c, NULL);
        s7p_client_free(plcs[i].c);
    }
    printf("%d PLCs x %d reads from one poll loop: %d ok, %d failed\n", n, rounds, ok, failed);
    free(plcs);
    return failed ? 1 : 0;
}

/* SPDX-License-Identifier: MIT */
/* s7p_replay: plays the TPKT packets of a real capture over loopback TCP, so that a packet
 * capture of the replay can be checked with the independent dissector (capture_check.sh).
 * It proves the capture -> replay -> capture -> dissector chain, which later carries our own
 * client and simulator.
 *
 *   s7p_replay [--port-file F] [--go-file G] CAPTURE
 *
 * 1. listens on 127.0.0.1, port chosen by the kernel, and writes the port to F (write to a
 *    temporary name, then rename, so a reader never sees half a number);
 * 2. waits up to GO_TIMEOUT_MS for G to exist (the caller starts tcpdump in between);
 * 3. for every conversation of the capture connects a fresh client socket to itself and
 *    sends each TPKT in capture order: client->server packets are written on the client
 *    socket and read back completely on the accepted socket, server->client the other way;
 *    a conversation's sockets are closed after its last packet.
 * F and G default to the environment variables S7P_PORT_FILE and S7P_GO_FILE, which is the
 * contract of capture_check.sh. Exit 0 on success, 1 on any error (message on stderr),
 * 2 on bad usage. Every wait is bounded; the whole run takes at most TOTAL_TIMEOUT_MS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcap_streams.h"

#define IO_TIMEOUT_MS    5000  /* any single connect/accept/transfer */
#define GO_TIMEOUT_MS    10000 /* waiting for the go file */
#define TOTAL_TIMEOUT_MS 60000 /* the replay itself, all conversations */
#define ACCEPT_TRIES     4     /* foreign connections to our port we tolerate per accept */
#define TPKT_MAX         65535

typedef struct options {
    const char *port_file, *go_file, *capture;
} options;

typedef struct conn {
    int    client, server; /* -1 while not open */
    size_t last;           /* index of the conversation's last TPKT */
} conn;

typedef struct replay {
    const s7p_pcap_streams *cap;
    conn    *conns;
    int      listen_fd;
    uint16_t port;
    int64_t  deadline;     /* monotonic ms: end of the whole replay */
} replay;

__attribute__((format(printf, 1, 2)))
static int err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("s7p_replay: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds poll() may wait: one I/O step, never past the overall deadline. */
static int wait_budget(const replay *R, int64_t step_end)
{
    int64_t end = step_end < R->deadline ? step_end : R->deadline;
    int64_t left = end - now_ms();
    return left > 0 ? (int)left : 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------ sockets */

/* Non-blocking so that every wait goes through poll() with a timeout; no Nagle so each
 * TPKT leaves as soon as it is written, as on the real wire. */
static int tune_socket(int fd)
{
    int one = 1;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        return err("socket options: %s", strerror(errno));
    return 0;
}

static struct sockaddr_in loopback(uint16_t port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int listen_loopback(replay *R)
{
    struct sockaddr_in a = loopback(0);
    socklen_t alen = sizeof a;
    R->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (R->listen_fd < 0 || bind(R->listen_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        listen(R->listen_fd, 16) < 0 || tune_socket(R->listen_fd) < 0 ||
        getsockname(R->listen_fd, (struct sockaddr *)&a, &alen) < 0)
        return err("listen on 127.0.0.1: %s", strerror(errno));
    R->port = ntohs(a.sin_port);
    return 0;
}

static int poll_one(const replay *R, int fd, short events, const char *what)
{
    struct pollfd p = {.fd = fd, .events = events};
    int64_t step_end = now_ms() + IO_TIMEOUT_MS;
    for (;;) {
        int rc = poll(&p, 1, wait_budget(R, step_end));
        if (rc > 0)
            return 0;
        if (rc == 0)
            return err("%s: timed out", what);
        if (errno != EINTR)
            return err("%s: poll: %s", what, strerror(errno));
    }
}

static int connect_client(const replay *R, int *fd)
{
    struct sockaddr_in a = loopback(R->port);
    int soerr = 0;
    socklen_t len = sizeof soerr;
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*fd < 0 || tune_socket(*fd) < 0)
        return err("client socket: %s", strerror(errno));
    if (connect(*fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)
        return err("connect: %s", strerror(errno));
    if (poll_one(R, *fd, POLLOUT, "connect") < 0)
        return -1;
    if (getsockopt(*fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr != 0)
        return err("connect: %s", strerror(soerr ? soerr : errno));
    return 0;
}

/* Accepts the connection whose peer is our own client socket; anything else that found
 * the port is closed, so a stray local connection cannot take a conversation's place. */
static int accept_server(const replay *R, int client, int *fd)
{
    struct sockaddr_in mine, peer;
    socklen_t mlen = sizeof mine;
    if (getsockname(client, (struct sockaddr *)&mine, &mlen) < 0)
        return err("getsockname: %s", strerror(errno));
    for (int tries = 0; tries < ACCEPT_TRIES; tries++) {
        socklen_t plen = sizeof peer;
        if (poll_one(R, R->listen_fd, POLLIN, "accept") < 0)
            return -1;
        *fd = accept(R->listen_fd, (struct sockaddr *)&peer, &plen);
        if (*fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (*fd < 0)
            return err("accept: %s", strerror(errno));
        if (peer.sin_port == mine.sin_port && peer.sin_addr.s_addr == mine.sin_addr.s_addr)
            return tune_socket(*fd);
        close(*fd);
        *fd = -1;
    }
    return err("accept: our own connection did not arrive");
}

static void close_conn(conn *c)
{
    /* Client first: the side that is not on port 102 usually ends the session. */
    if (c->client >= 0)
        close(c->client);
    if (c->server >= 0)
        close(c->server);
    c->client = c->server = -1;
}

/* ------------------------------------------------------------ the replay */

/* One write step of transfer(); returns bytes written (0 if the socket was full). */
static ssize_t send_some(int fd, const uint8_t *p, size_t n)
{
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (w < 0)
        err("send: %s", strerror(errno));
    return w;
}

/* One read step of transfer(); returns bytes read (0 if nothing was there yet). */
static ssize_t recv_some(int fd, uint8_t *p, size_t n)
{
    ssize_t r = recv(fd, p, n, 0);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (r < 0)
        err("recv: %s", strerror(errno));
    else if (r == 0)
        err("recv: peer closed the connection");
    return r == 0 ? -1 : r;
}

/* Writes len bytes on wfd and reads exactly len bytes on rfd. Both at once, so that a
 * TPKT larger than the socket buffers cannot deadlock the single thread. */
static int transfer(const replay *R, int wfd, int rfd, const uint8_t *bytes, size_t len)
{
    uint8_t buf[TPKT_MAX];
    size_t sent = 0, got = 0;
    int64_t step_end = now_ms() + IO_TIMEOUT_MS;
    while (got < len) {
        struct pollfd p[2] = {{.fd = wfd, .events = sent < len ? POLLOUT : 0},
                              {.fd = rfd, .events = POLLIN}};
        int rc = poll(p, 2, wait_budget(R, step_end));
        if (rc == 0)
            return err("transfer: timed out after %zu of %zu bytes", got, len);
        if (rc < 0 && errno != EINTR)
            return err("transfer: poll: %s", strerror(errno));
        ssize_t n = (rc > 0 && p[0].revents) ? send_some(wfd, bytes + sent, len - sent) : 0;
        ssize_t m = (n >= 0 && rc > 0 && p[1].revents) ? recv_some(rfd, buf + got, len - got) : 0;
        if (n < 0 || m < 0)
            return -1;
        sent += (size_t)n;
        got += (size_t)m;
    }
    return memcmp(buf, bytes, len) == 0 ? 0 : err("transfer: bytes changed on the way");
}

static int replay_one(replay *R, size_t k)
{
    const s7p_pcap_tpkt *t = &R->cap->tpkts[k];
    conn *c = &R->conns[t->conversation];
    if (c->client < 0 &&
        (connect_client(R, &c->client) < 0 || accept_server(R, c->client, &c->server) < 0))
        return err("conversation %zu: could not open the loopback connection", t->conversation);
    int wfd = t->from_client ? c->client : c->server;
    int rfd = t->from_client ? c->server : c->client;
    if (transfer(R, wfd, rfd, t->bytes, t->len) < 0)
        return err("conversation %zu, TPKT %zu (capture frame %llu, %zu bytes, %s)",
                   t->conversation, k, (unsigned long long)t->frame, t->len,
                   t->from_client ? "client->server" : "server->client");
    if (k == c->last)
        close_conn(c);
    return 0;
}

static int replay_all(replay *R)
{
    size_t n = R->cap->conversation_count;
    R->conns = calloc(n ? n : 1, sizeof *R->conns);
    if (!R->conns)
        return err("out of memory");
    for (size_t i = 0; i < n; i++)
        R->conns[i] = (conn){.client = -1, .server = -1, .last = 0};
    for (size_t k = 0; k < R->cap->tpkt_count; k++)
        R->conns[R->cap->tpkts[k].conversation].last = k;
    R->deadline = now_ms() + TOTAL_TIMEOUT_MS;
    int rc = 0;
    for (size_t k = 0; k < R->cap->tpkt_count && rc == 0; k++)
        rc = replay_one(R, k);
    for (size_t i = 0; i < n; i++)
        close_conn(&R->conns[i]);
    free(R->conns);
    R->conns = NULL;
    return rc;
}

/* ------------------------------------------------------------ files, arguments */

static int write_port_file(const char *path, uint16_t port)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return err("port file name too long");
    FILE *f = fopen(tmp, "w");
    if (!f)
        return err("%s: %s", tmp, strerror(errno));
    int bad = fprintf(f, "%u\n", (unsigned)port) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return err("%s: %s", path, strerror(e));
    }
    return 0;
}

static int wait_go_file(const char *path)
{
    struct stat st;
    int64_t end = now_ms() + GO_TIMEOUT_MS;
    while (stat(path, &st) != 0) {
        if (now_ms() >= end)
            return err("%s did not appear within %d ms", path, GO_TIMEOUT_MS);
        sleep_ms(10);
    }
    return 0;
}

static int usage(void)
{
    fputs("usage: s7p_replay [--port-file F] [--go-file G] CAPTURE\n"
          "  F, G default to $S7P_PORT_FILE and $S7P_GO_FILE (either may be unset).\n",
          stderr);
    return 2;
}

static int parse_args(int argc, char **argv, options *o)
{
    o->port_file = getenv("S7P_PORT_FILE");
    o->go_file = getenv("S7P_GO_FILE");
    o->capture = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port-file") && i + 1 < argc)
            o->port_file = argv[++i];
        else if (!strcmp(argv[i], "--go-file") && i + 1 < argc)
            o->go_file = argv[++i];
        else if (argv[i][0] == '-' || o->capture)
            return -1;
        else
            o->capture = argv[i];
    }
    return o->capture ? 0 : -1;
}

/* Capture problems that make the replay incomplete; they are reported, not fatal. */
static void warn_capture(const s7p_pcap_streams *s)
{
    for (size_t i = 0; i < s->conversation_count; i++) {
        const s7p_pcap_conversation *cv = &s->conversations[i];
        for (int d = 0; d < 2; d++) {
            if (cv->desync[d] || cv->gap[d] || cv->clipped[d] || cv->leftover[d])
                fprintf(stderr, "s7p_replay: warning: conversation %zu %s: %s%s%s%zu bytes "
                        "outside complete TPKTs are not replayed\n", i,
                        d == S7P_PCAP_C2S ? "client->server" : "server->client",
                        cv->desync[d] ? "not TPKT, " : "", cv->gap[d] ? "gap, " : "",
                        cv->clipped[d] ? "clipped, " : "", cv->leftover[d]);
        }
    }
}

static int run(const options *o)
{
    char msg[256];
    s7p_pcap_streams *cap = NULL;
    if (s7p_pcap_streams_load(o->capture, &cap, msg, sizeof msg) != S7P_PCAP_OK)
        return err("%s", msg);
    warn_capture(cap);
    replay R = {.cap = cap, .listen_fd = -1};
    int rc = cap->tpkt_count ? 0 : err("%s: no TPKT packets on port 102", o->capture);
    if (rc == 0)
        rc = listen_loopback(&R);
    if (rc == 0 && o->port_file)
        rc = write_port_file(o->port_file, R.port);
    if (rc == 0 && o->go_file)
        rc = wait_go_file(o->go_file);
    if (rc == 0)
        rc = replay_all(&R);
    if (rc == 0)
        fprintf(stderr, "s7p_replay: %zu TPKT packets in %zu conversations replayed on "
                "127.0.0.1:%u\n", cap->tpkt_count, cap->conversation_count, (unsigned)R.port);
    if (R.listen_fd >= 0)
        close(R.listen_fd);
    s7p_pcap_streams_free(cap);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_args(argc, argv, &o) < 0)
        return usage();
    return run(&o) == 0 ? 0 : 1;
}

/* SPDX-License-Identifier: MIT */
/* reconnect: error handling and automatic reconnection. Reads a variable N times, once a
 * second by default, on a client with auto_reconnect: a read that fails for a transient
 * reason (connection lost, timeout) reconnects and is retried once by the library. State
 * changes and communication errors are reported through callbacks; every failure is shown
 * with its class (s7p_strerror), whether a retry may help (transient) and its message.
 *
 *   reconnect HOST[:PORT] SYMBOL [COUNT [INTERVAL_MS]]
 *
 * Try it against s7plus-sim --fault drop-before:GetMultiVariables:2: the answer to the
 * second GetMultiVariables request (symbol lookups send it too) never comes, the simulator
 * closes the connection instead; the state goes connected -> faulted -> connecting ->
 * connected and the call succeeds. on_comm_error is called only when a call fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <s7plus/s7plus.h>

static void on_state(void *ctx, s7p_conn_state from, s7p_conn_state to)
{
    (void)ctx;
    printf("state: %s -> %s\n", s7p_state_name(from), s7p_state_name(to));
}

static void on_comm_error(void *ctx, const s7p_error *err)
{
    (void)ctx;
    printf("communication error: %s (%s)\n", s7p_strerror(err->code), err->message);
}

static void show_error(const char *what, const s7p_error *err)
{
    printf("%s failed: %s, %s: %s\n", what, s7p_strerror(err->code),
           err->transient ? "transient (a retry may succeed)" : "permanent", err->message);
    if (err->code == S7P_E_PLC || err->plc_code != 0)
        printf("  PLC code %d %s: %s\n", err->plc_code,
               s7p_plc_code_name(err->plc_code) ? s7p_plc_code_name(err->plc_code) : "",
               s7p_plc_code_text(err->plc_code));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: reconnect HOST[:PORT] SYMBOL [COUNT [INTERVAL_MS]]\n");
        return 2;
    }
    int count = argc > 3 ? atoi(argv[3]) : 5;
    long interval = argc > 4 ? atol(argv[4]) : 1000;
    setvbuf(stdout, NULL, _IOLBF, 0);

    s7p_client_options o;
    s7p_client_options_init(&o);
    char *colon = strrchr(argv[1], ':');
    if (colon && colon == strchr(argv[1], ':')) {
        *colon = '\0';
        o.port = (uint16_t)atoi(colon + 1);
    }
    o.host = argv[1];
    if (getenv("S7PLUS_KNOWN_HOSTS")) {
        o.verify = S7P_VERIFY_TOFU;
        o.known_hosts_file = getenv("S7PLUS_KNOWN_HOSTS");
    }
    o.auto_reconnect = true;
    o.reconnect_interval_ms = 500;  /* at most one automatic connect attempt per 0.5 s */
    o.request_timeout_ms = 3000;
    o.on_state = on_state;
    o.on_comm_error = on_comm_error;

    s7p_error err;
    s7p_client *c = NULL;
    if (s7p_client_new(&c, &o, &err) != S7P_OK) {
        show_error("creating the client", &err);
        return 1;
    }
    if (s7p_connect(c, &err) != S7P_OK) {
        show_error("connecting", &err);     /* e.g. a wrong TSAP: S7P_E_CONFIG, permanent */
        s7p_client_free(c);
        return 1;
    }
    /* An unknown symbol is a permanent error: no reconnect, no retry. */
    s7p_tag tag;
    if (s7p_tag_by_symbol(c, "\"NoSuchBlock\".x", &tag, &err) != S7P_OK)
        show_error("looking up \"NoSuchBlock\".x", &err);
    if (s7p_tag_by_symbol(c, argv[2], &tag, &err) != S7P_OK) {
        show_error("looking up the symbol", &err);
        s7p_client_free(c);
        return 1;
    }
    int ok = 0;
    for (int i = 1; i <= count; i++) {
        s7p_tag_value v = {0};
        s7p_item_result r;
        if (s7p_read(c, &tag, 1, &v, &r, &err) != S7P_OK)
            show_error("read", &err);   /* the retry after reconnecting failed too */
        else if (r.code != S7P_OK)
            printf("read %d: the PLC refused the item: %s\n", i, s7p_plc_code_text(r.plc_code));
        else {
            printf("read %d: ok\n", i);
            ok++;
        }
        s7p_tag_value_clear(&v);
        if (i < count) sleep_ms(interval);
    }
    printf("%d of %d reads ok\n", ok, count);
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return ok == count ? 0 : 1;
}

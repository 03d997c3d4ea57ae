/* SPDX-License-Identifier: MIT */
/* watch_tags: subscribes to variables and prints each change as the PLC sends it, until N
 * notifications came.
 *
 *   watch_tags HOST[:PORT] N SYMBOL...
 *   watch_tags 192.0.2.10 20 '"Motors".pumps[2].speed' '"AllTypes".v_int'
 *
 * The callback form: the client's I/O thread (option io_thread) receives the notifications
 * and calls on_change() on that thread, while main() only waits. (s7plus watch shows the
 * pull form, s7p_subscription_next().) A broken connection is re-established by the library
 * (auto_reconnect), which re-creates the subscription and says so (S7P_SUB_RECREATED). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <s7plus/s7plus.h>

typedef struct watch {
    const char *const *symbols;     /* by tag number: the order given to s7p_subscribe() */
    atomic_uint notifications, values, lost;
} watch;

/* Runs on the I/O thread, one notification at a time, in order. */
static void on_change(void *ctx, s7p_subscription *sub, const s7p_sub_notification *n)
{
    (void)sub;
    watch *w = ctx;
    switch (n->event) {
    case S7P_SUB_DATA:
        for (size_t i = 0; i < n->count; i++) {
            const s7p_sub_value *v = &n->values[i];
            char *text = NULL;
            if (v->status == S7P_OK) s7p_value_text(&v->value, 0, &text);
            printf("%s = %s\n", w->symbols[v->tag], text ? text : s7p_strerror(v->status));
            s7p_text_free(text);
        }
        fflush(stdout);
        atomic_fetch_add(&w->values, (unsigned)n->count);
        atomic_fetch_add(&w->lost, n->missed);
        atomic_fetch_add(&w->notifications, 1);
        break;
    case S7P_SUB_LOST:
        fprintf(stderr, "watch_tags: connection lost: %s\n", n->error.message);
        break;
    case S7P_SUB_RECREATED:
        fprintf(stderr, "watch_tags: subscribed again after %u ms\n", n->gap_ms);
        break;
    case S7P_SUB_FAULTED:
        fprintf(stderr, "watch_tags: subscription ended: %s\n", n->error.message);
        break;
    default:  /* events of alarm subscriptions */
        break;
    }
}

static void set_endpoint(s7p_client_options *o, char *arg)
{
    char *colon = strrchr(arg, ':');
    if (colon && !strchr(arg, ']') && colon == strchr(arg, ':')) {
        *colon = '\0';
        o->port = (uint16_t)atoi(colon + 1);
    }
    o->host = arg;
    if (getenv("S7PLUS_KNOWN_HOSTS")) {
        o->verify = S7P_VERIFY_TOFU;
        o->known_hosts_file = getenv("S7PLUS_KNOWN_HOSTS");
    }
}

int main(int argc, char **argv)
{
    if (argc < 4 || atoi(argv[2]) <= 0) {
        fprintf(stderr, "usage: watch_tags HOST[:PORT] N SYMBOL...\n");
        return 1;
    }
    unsigned want = (unsigned)atoi(argv[2]);
    size_t n = (size_t)(argc - 3);
    s7p_client_options o;
    s7p_client_options_init(&o);
    set_endpoint(&o, argv[1]);
    o.auto_reconnect = true;
    o.io_thread = true;  /* notifications arrive while main() waits */
    s7p_client *c = NULL;
    s7p_error err;
    s7p_tag *tags = calloc(n, sizeof *tags);
    if (!tags || s7p_client_new(&c, &o, &err) != S7P_OK || s7p_connect(c, &err) != S7P_OK) {
        fprintf(stderr, "watch_tags: %s\n", tags ? err.message : "out of memory");
        s7p_client_free(c);
        free(tags);
        return 2;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (s7p_tag_by_symbol(c, argv[3 + i], &tags[i], &err) != S7P_OK) rc = 3;
    watch w = {.symbols = (const char *const *)argv + 3};
    s7p_subscription_options so;
    s7p_subscription_options_init(&so);
    so.cycle_ms = 200;
    s7p_subscription *sub = NULL;
    if (rc == 0 && s7p_subscribe(c, tags, n, &so, on_change, &w, &sub, &err) != S7P_OK) rc = 2;
    /* The I/O thread delivers; this thread only looks now and then (30 s at most). */
    for (int i = 0; rc == 0 && atomic_load(&w.notifications) < want && i < 3000; i++)
        nanosleep(&(struct timespec){0, 10000000L}, NULL);
    if (rc != 0) fprintf(stderr, "watch_tags: %s\n", err.message);
    s7p_unsubscribe(sub, NULL);
    printf("watch_tags: %u notifications, %u values, %u lost\n", atomic_load(&w.notifications),
           atomic_load(&w.values), atomic_load(&w.lost));
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    free(tags);
    return rc != 0 ? rc : atomic_load(&w.notifications) >= want ? 0 : 4;
}

/* SPDX-License-Identifier: MIT */
/* threads: one client shared by several threads. Calls on a client are serialised by the
 * library (each waits for the one before it), so threads may share a connection without
 * locks of their own; for parallel requests, give each thread its own client.
 *
 *   threads HOST[:PORT] SYMBOL [THREADS [READS]]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s7plus/s7plus.h>

enum { MAX_THREADS = 64 };

typedef struct worker {
    s7p_client *client;             /* shared */
    const s7p_tag *tag;             /* shared, read-only */
    int reads;
    int ok;                         /* this thread's own count */
    s7p_error err;                  /* each call fills only the caller's own error */
} worker;

static void *run(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < w->reads; i++) {
        s7p_tag_value v = {0};
        s7p_item_result r;
        if (s7p_read(w->client, w->tag, 1, &v, &r, &w->err) == S7P_OK && r.code == S7P_OK)
            w->ok++;
        s7p_tag_value_clear(&v);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: threads HOST[:PORT] SYMBOL [THREADS [READS]]\n");
        return 2;
    }
    int nthreads = argc > 3 ? atoi(argv[3]) : 4;
    int reads = argc > 4 ? atoi(argv[4]) : 25;
    if (nthreads < 1 || nthreads > MAX_THREADS || reads < 1) {
        fprintf(stderr, "threads: 1..%d threads, at least one read\n", MAX_THREADS);
        return 2;
    }
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
    s7p_error err;
    s7p_client *c = NULL;
    s7p_tag tag;
    if (s7p_client_new(&c, &o, &err) != S7P_OK || s7p_connect(c, &err) != S7P_OK ||
        s7p_tag_by_symbol(c, argv[2], &tag, &err) != S7P_OK) {
        fprintf(stderr, "threads: %s\n", err.message);
        s7p_client_free(c);
        return 1;
    }
    worker w[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    int started = 0;
    for (int i = 0; i < nthreads; i++) {
        w[i] = (worker){.client = c, .tag = &tag, .reads = reads};
        if (pthread_create(&th[i], NULL, run, &w[i]) != 0) break;
        started++;
    }
    int ok = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        ok += w[i].ok;
        if (w[i].ok < reads) fprintf(stderr, "threads: thread %d: %s\n", i, w[i].err.message);
    }
    printf("%d threads x %d reads on one client: %d ok, %d failed\n", nthreads, reads, ok,
           nthreads * reads - ok);
    /* s7p_client_free() only after every thread is done with the client. */
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return ok == nthreads * reads ? 0 : 1;
}

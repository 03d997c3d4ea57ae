/* The client handle, shared by the files of the client layer. */
#ifndef S7P_CLIENT_CLIENT_INT_H
#define S7P_CLIENT_CLIENT_INT_H

#include <pthread.h>

#include "client/error.h"
#include "services/browse.h"

struct s7p_client {
    s7p_client_options opt;     /* strings point at the copies below */
    char *host, *remote_tsap, *keylog_file, *ca_file;
    char endpoint[72];
    s7p_log_sink log;
    pthread_mutex_t lock;       /* serialises every call on this client */
    s7p_tls_ctx *tls;           /* created on first connect, reused afterwards */
    s7p_session session;
    s7p_browse_cache cache;     /* DB list and type information of the connected PLC */
};

/** Clears or fills err from the outcome of a call, logging failures. Returns st. */
s7p_status s7p_client_finish(s7p_client *c, const char *op, s7p_status st, const s7p_fail *f,
                             s7p_error *err);
/** Closes a session whose channel broke, so later calls see "not connected". */
void s7p_client_drop_if_broken(s7p_client *c);

#endif

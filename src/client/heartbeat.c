/* The idle heartbeat of a blocking client. Nothing drives the session between calls, so a
 * thread (only when heartbeat_s > 0) wakes a few times per heartbeat period and runs the
 * session's idle timers as an ordinary call under the client's lock: when the heartbeat is
 * due it goes out, and its timeout faults the connection with the usual state and error
 * callbacks. An I/O thread that drives the engine itself replaces this later (issue 16,
 * step 5). */
#include <errno.h>
#include <time.h>

#include "client/client_int.h"
#include "util/clock.h"

static s7p_status op_heartbeat(s7p_client *c, void *arg, s7p_events *ev, s7p_fail *f)
{
    (void)arg;
    (void)ev;
    return s7p_session_idle(&c->session, f);
}

/* A quarter of the period, so a heartbeat goes out at most that late; 50 ms .. 1 s. */
static int64_t wake_period_ms(const s7p_client *c)
{
    int64_t p = (int64_t)c->opt.heartbeat_s * 1000 / 4;
    return p < 50 ? 50 : p > 1000 ? 1000 : p;
}

static void *heartbeat_main(void *arg)
{
    s7p_client *c = arg;
    int64_t period = wake_period_ms(c);
    pthread_mutex_lock(&c->hb_lock);
    while (!c->hb_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)(period / 1000);
        ts.tv_nsec += (long)(period % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int rc = 0;
        while (!c->hb_stop && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&c->hb_wake, &c->hb_lock, &ts);
        if (c->hb_stop) break;
        pthread_mutex_unlock(&c->hb_lock);
        (void)s7p_client_run(c, "heartbeat", 0, op_heartbeat, NULL, NULL);
        pthread_mutex_lock(&c->hb_lock);
    }
    pthread_mutex_unlock(&c->hb_lock);
    return NULL;
}

s7p_status s7p_heartbeat_start(s7p_client *c)
{
    if (c->opt.heartbeat_s == 0) return S7P_OK;
    if (pthread_mutex_init(&c->hb_lock, NULL) != 0) return S7P_E_NOMEM;
    if (pthread_cond_init(&c->hb_wake, NULL) != 0) {
        pthread_mutex_destroy(&c->hb_lock);
        return S7P_E_NOMEM;
    }
    c->hb_stop = false;
    if (pthread_create(&c->hb_thread, NULL, heartbeat_main, c) != 0) {
        pthread_cond_destroy(&c->hb_wake);
        pthread_mutex_destroy(&c->hb_lock);
        return S7P_E_NOMEM;
    }
    c->hb_running = true;
    return S7P_OK;
}

void s7p_heartbeat_stop(s7p_client *c)
{
    if (!c->hb_running) return;
    pthread_mutex_lock(&c->hb_lock);
    c->hb_stop = true;
    pthread_cond_signal(&c->hb_wake);
    pthread_mutex_unlock(&c->hb_lock);
    pthread_join(c->hb_thread, NULL);
    pthread_cond_destroy(&c->hb_wake);
    pthread_mutex_destroy(&c->hb_lock);
    c->hb_running = false;
}

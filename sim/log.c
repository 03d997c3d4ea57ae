/* SPDX-License-Identifier: MIT */
/* Simulator log lines on the configured FILE*: level 0 errors, 1 connections and sessions,
 * 2 requests, 3 hex dumps of every PDU. One lock keeps lines from different threads whole. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "sim_int.h"

void sim_log(s7p_sim *s, int level, const char *fmt, ...)
{
    if (!s->cfg.log || level > s->cfg.verbosity) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    pthread_mutex_lock(&s->log_mu);
    fprintf(s->cfg.log, "%02d:%02d:%02d.%03ld s7plus-sim: %s\n", tm.tm_hour, tm.tm_min,
            tm.tm_sec, ts.tv_nsec / 1000000, line);
    fflush(s->cfg.log);
    pthread_mutex_unlock(&s->log_mu);
}

void sim_log_hex(s7p_sim *s, unsigned long conn, bool out, const uint8_t *p, size_t n)
{
    if (!s->cfg.log || s->cfg.verbosity < 3) return;
    pthread_mutex_lock(&s->log_mu);
    fprintf(s->cfg.log, "  conn %lu %s %zu bytes\n", conn, out ? ">>" : "<<", n);
    for (size_t off = 0; off < n; off += 16) {
        fprintf(s->cfg.log, "    %04zx ", off);
        for (size_t i = off; i < off + 16 && i < n; i++) fprintf(s->cfg.log, " %02x", p[i]);
        fputc('\n', s->cfg.log);
    }
    fflush(s->cfg.log);
    pthread_mutex_unlock(&s->log_mu);
}

/* Channel trace hook: every PDU data part in both directions. */
void sim_trace(void *ctx, bool outbound, uint8_t version, const uint8_t *data, size_t len)
{
    sim_conn *c = ctx;
    const s7p_sim_config *cfg = &c->sim->cfg;
    if (cfg->trace) cfg->trace(cfg->trace_ctx, c->id, outbound, version, data, len);
    sim_log_hex(c->sim, c->id, outbound, data, len);
}

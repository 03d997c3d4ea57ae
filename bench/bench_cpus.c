/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* sched_setaffinity(), CPU_SET */
#include "bench_cpus.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool cpu_usable(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    return cpu >= 0 && cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof set, &set) == 0 &&
           CPU_ISSET(cpu, &set);
}

bool bench_cpus_parse(int argc, char **argv, bench_cpus *out)
{
    *out = (bench_cpus){false, -1, -1};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cpus") != 0) continue;
        char tail;
        if (i + 1 >= argc || sscanf(argv[i + 1], "%d,%d%c", &out->client, &out->server, &tail) != 2) {
            fprintf(stderr, "--cpus wants CLIENT,SERVER (two CPU numbers)\n");
            return false;
        }
        if (!cpu_usable(out->client) || !cpu_usable(out->server)) {
            fprintf(stderr, "--cpus %s: CPU not available to this process\n", argv[i + 1]);
            return false;
        }
        out->on = true;
    }
    return true;
}

/* 0: pinned (sched_setaffinity with pid 0 sets the calling thread only). */
static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : -1;
}

int bench_cpus_servers(const bench_cpus *c) { return c->on ? pin(c->server) : 0; }

int bench_cpus_client(const bench_cpus *c) { return c->on ? pin(c->client) : 0; }

const char *bench_cpus_text(const bench_cpus *c, char *buf, unsigned len)
{
    if (!c->on) snprintf(buf, len, "unpinned");
    else snprintf(buf, len, "client CPU %d, servers CPU %d", c->client, c->server);
    return buf;
}

/* SPDX-License-Identifier: MIT */
#include "portfile.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

int write_port(const char *path, unsigned port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return -1;
    fprintf(f, "%u\n", port);
    if (fclose(f) != 0) return -1;
    return rename(tmp, path);
}

int wait_for(const char *path, int seconds)
{
    for (int i = 0; i < seconds * 20; i++) {
        if (access(path, F_OK) == 0) return 0;
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    return -1;
}

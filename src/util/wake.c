/* SPDX-License-Identifier: MIT */
#include "util/wake.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/eventfd.h>
#endif

static bool open_pipe(s7p_wake *w)
{
    if (pipe(w->fd) != 0) {
        w->fd[0] = w->fd[1] = -1;
        return false;
    }
    for (int i = 0; i < 2; i++) {
        (void)fcntl(w->fd[i], F_SETFL, fcntl(w->fd[i], F_GETFL) | O_NONBLOCK);
        (void)fcntl(w->fd[i], F_SETFD, FD_CLOEXEC);
    }
    return true;
}

bool s7p_wake_open(s7p_wake *w)
{
#ifdef __linux__
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd >= 0) {
        w->fd[0] = w->fd[1] = fd;
        return true;
    }
#endif
    return open_pipe(w);
}

void s7p_wake_signal(const s7p_wake *w)
{
    if (w->fd[1] < 0) return;
    uint64_t one = 1;  /* an eventfd takes 8 bytes; a pipe any */
    ssize_t k;
    do k = write(w->fd[1], &one, sizeof one);
    while (k < 0 && errno == EINTR);
}

void s7p_wake_drain(const s7p_wake *w)
{
    uint64_t b[8];
    if (w->fd[0] < 0) return;
    while (read(w->fd[0], b, sizeof b) > 0) {
    }
}

void s7p_wake_close(s7p_wake *w)
{
    if (w->fd[0] >= 0) close(w->fd[0]);
    if (w->fd[1] >= 0 && w->fd[1] != w->fd[0]) close(w->fd[1]);
    w->fd[0] = w->fd[1] = -1;
}

/* SPDX-License-Identifier: MIT */
/* The PLC password of the CLI: from the environment variable S7PLUS_PASSWORD or, with
 * --password-prompt, typed at the terminal without echo. Never an argument (the process list
 * shows arguments to everyone). The CLI's copy is wiped once the client has its own. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* Reads one line from the terminal with echo off; false (after saying why) when there is
 * no terminal or the line is too long. */
static bool prompt(cli_common *c)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "s7plus: --password-prompt needs a terminal (/dev/tty: %s); "
                        "set S7PLUS_PASSWORD instead\n", strerror(errno));
        return false;
    }
    struct termios old, quiet;
    bool restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        (void)tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    char text[320];
    int n = snprintf(text, sizeof text, "Password for %s: ", c->host);
    if (n > 0) (void)!write(fd, text, (size_t)n);
    size_t len = 0;
    bool ok = true;
    for (;;) {
        char ch;
        ssize_t got = read(fd, &ch, 1);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0 || ch == '\n' || ch == '\r') break;
        if (len + 1 >= sizeof c->password) ok = false;  /* keep reading to the line's end */
        else c->password[len++] = ch;
    }
    c->password[len] = 0;
    if (restore) (void)tcsetattr(fd, TCSAFLUSH, &old);
    (void)!write(fd, "\n", 1);
    close(fd);
    if (!ok) fprintf(stderr, "s7plus: the password is longer than 256 bytes\n");
    return ok;
}

int cli_password(cli_common *c)
{
    if (c->password_prompt) {
        if (!prompt(c)) {
            cli_password_wipe(c);
            return CLI_USAGE;
        }
    } else {
        const char *env = getenv("S7PLUS_PASSWORD");
        if (!env || !*env) return CLI_OK;
        if (strlen(env) >= sizeof c->password) {
            fprintf(stderr, "s7plus: S7PLUS_PASSWORD is longer than 256 bytes\n");
            return CLI_USAGE;
        }
        strcpy(c->password, env);
    }
    c->opt.password = c->password[0] ? c->password : NULL;
    return CLI_OK;
}

/* memset through a volatile pointer: a plain memset of memory never read again may be left
 * out by the compiler (explicit_bzero is not POSIX). */
static void *(*const volatile wipe)(void *, int, size_t) = memset;

void cli_password_wipe(cli_common *c)
{
    wipe(c->password, 0, sizeof c->password);
    c->opt.password = NULL;
}

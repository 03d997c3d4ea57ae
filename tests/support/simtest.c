/* SPDX-License-Identifier: MIT */
#include "simtest.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/clock.h"

extern char **environ;

#define CLIENT_REQUEST_MS 10000u
#define MAX_ARGS 32

void st_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the simulator in this process ---------------------------------------------------- */

s7p_sim *st_sim_start(const s7p_sim_config *cfg)
{
    s7p_sim_config defaults;
    if (!cfg) {
        s7p_sim_config_init(&defaults);
        cfg = &defaults;
    }
    char err[256];
    s7p_sim *s = s7p_sim_start(cfg, err, sizeof err);
    if (!s) fail_msg("simulator: %s", err);
    return s;
}

s7p_sim *st_sim_start_dir(const char *program_dir)
{
    s7p_sim_config cfg;
    st_sim_config(&cfg, 0, program_dir);
    return st_sim_start(&cfg);
}

void st_sim_config(s7p_sim_config *cfg, uint16_t port, const char *program_dir)
{
    s7p_sim_config_init(cfg);
    cfg->port = port;
    cfg->program_dir = program_dir;
}

/* Writes the program into a new temporary directory and serves it, cfg otherwise. */
static s7p_sim *start_source_cfg(char *dir, size_t size, const char *name, const char *file,
                                 const char *text, s7p_sim_config *cfg)
{
    st_tmpdir(dir, size, name);
    st_write_file(dir, file, text);
    cfg->program_dir = dir;
    return st_sim_start(cfg);
}

s7p_sim *st_sim_start_source(char *dir, size_t size, const char *name, const char *file,
                             const char *text, unsigned tags_per_request)
{
    s7p_sim_config cfg;
    s7p_sim_config_init(&cfg);
    if (tags_per_request) cfg.tags_per_request = tags_per_request;
    return start_source_cfg(dir, size, name, file, text, &cfg);
}

void st_sim_fault(s7p_sim *sim, s7p_sim_fault_kind kind, uint16_t function, unsigned nth)
{
    s7p_sim_fault f;
    memset(&f, 0, sizeof f);
    f.kind = kind;
    f.function = function;
    f.nth = nth;
    s7p_sim_set_fault(sim, &f);
}

void st_sim_stop_source(s7p_sim *sim, const char *dir)
{
    s7p_sim_stop(sim);
    st_remove_dir(dir);
}

int st_source_setup(void **state, const char *name, const char *file, const char *text,
                    const s7p_sim_config *cfg)
{
    st_source_fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    s7p_sim_config c;
    if (cfg) c = *cfg;
    else s7p_sim_config_init(&c);
    fx->sim = start_source_cfg(fx->dir, sizeof fx->dir, name, file, text, &c);
    *state = fx;
    return 0;
}

int st_source_teardown(void **state)
{
    st_source_fixture *fx = *state;
    st_sim_stop_source(fx->sim, fx->dir);
    free(fx);
    return 0;
}

/* ---- clients -------------------------------------------------------------------------- */

void st_client_options(s7p_client_options *o, uint16_t port)
{
    s7p_client_options_init(o);
    o->host = "127.0.0.1";
    o->port = port;
}

s7p_client *st_client_new(const s7p_client_options *o)
{
    s7p_client *c = NULL;
    s7p_error err;
    if (s7p_client_new(&c, o, &err) != S7P_OK) fail_msg("client: %s", err.message);
    return c;
}

s7p_client *st_client_connect(const s7p_client_options *o)
{
    s7p_client *c = st_client_new(o);
    s7p_error err;
    if (s7p_connect(c, &err) != S7P_OK) fail_msg("connect: %s", err.message);
    return c;
}

s7p_client *st_client_of(const s7p_sim *sim, bool allow_write)
{
    s7p_client_options o;
    st_client_options(&o, s7p_sim_port(sim));
    o.request_timeout_ms = CLIENT_REQUEST_MS;
    o.allow_write = allow_write;
    return st_client_connect(&o);
}

s7p_client *st_client_reconnecting(uint16_t port, uint32_t timeout_ms)
{
    s7p_client_options o;
    st_client_options(&o, port);
    o.auto_reconnect = true;
    o.request_timeout_ms = timeout_ms;
    o.connect_timeout_ms = timeout_ms;
    return st_client_connect(&o);
}

void st_client_close(s7p_client *c)
{
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
}

/* ---- browse results ------------------------------------------------------------------- */

bool st_collect(void *ctx, const s7p_browse_item *bi)
{
    st_items *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    st_item *it = &l->v[l->n++];
    it->symbol = strdup(bi->symbol);
    it->block = strdup(bi->block);
    assert_true(it->symbol && it->block);
    it->tag = bi->tag;
    it->blocks_done = bi->blocks_done;
    it->blocks_total = bi->blocks_total;
    return true;
}

const st_item *st_find_item(const st_items *l, const char *symbol)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].symbol, symbol) == 0) return &l->v[i];
    return NULL;
}

void st_items_free(st_items *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].symbol);
        free(l->v[i].block);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- temporary directories ------------------------------------------------------------ */

void st_tmpdir(char *dir, size_t size, const char *name)
{
    snprintf(dir, size, "/tmp/s7p-%s-XXXXXX", name);
    if (!mkdtemp(dir)) fail_msg("mkdtemp %s failed", dir);
}

void st_write_file(const char *dir, const char *file, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "w");
    if (!f) fail_msg("cannot create %s", path);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

void st_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

void st_known_hosts(s7p_client_options *o, char *path, size_t size, const char *dir)
{
    snprintf(path, size, "%s/known_hosts", dir);
    o->verify = S7P_VERIFY_TOFU;
    o->known_hosts_file = path;
}

/* ---- programs run as a process -------------------------------------------------------- */

void st_proc_init(st_proc *p, const char *name)
{
    memset(p, 0, sizeof *p);
    st_tmpdir(p->dir, sizeof p->dir, name);
    snprintf(p->out, sizeof p->out, "%s/out", p->dir);
    snprintf(p->err, sizeof p->err, "%s/err", p->dir);
    snprintf(p->port_file, sizeof p->port_file, "%s/port", p->dir);
    p->pid = -1;
}

void st_proc_spawn(st_proc *p, const char *exe, char *const argv[], bool keep_out)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (keep_out)
        posix_spawn_file_actions_addopen(&fa, 1, p->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    else
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, p->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc = posix_spawn(&p->pid, exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) fail_msg("cannot run %s: %s", exe, strerror(rc));
}

unsigned st_wait_port(const char *path, unsigned ms)
{
    for (int64_t end = s7p_deadline_in(ms); s7p_now_ms() < end; st_sleep_ms(10)) {
        FILE *f = fopen(path, "r");
        unsigned port = 0;
        if (f) {
            if (fscanf(f, "%u", &port) != 1) port = 0;
            fclose(f);
        }
        if (port) return port;
    }
    return 0;
}

void st_sim_exe_spawn(st_proc *p, const char *name, const char *exe, const char *const *args)
{
    st_proc_init(p, name);
    char *argv[MAX_ARGS];
    int n = 0;
    static char a0[] = "s7plus-sim", a1[] = "--port", a2[] = "0", a3[] = "--port-file";
    argv[n++] = a0;
    argv[n++] = a1;
    argv[n++] = a2;
    argv[n++] = a3;
    argv[n++] = p->port_file;
    for (; args && *args && n < MAX_ARGS - 1; args++) argv[n++] = (char *)*args;
    argv[n] = NULL;
    st_proc_spawn(p, exe, argv, false);
}

void st_sim_exe_start(st_proc *p, const char *name, const char *exe, const char *const *args)
{
    st_sim_exe_spawn(p, name, exe, args);
    unsigned port = st_wait_port(p->port_file, 10000);
    if (port == 0 || port > 65535) fail_msg("s7plus-sim wrote no port: %s", st_slurp(p->err));
    p->port = (uint16_t)port;
}

int st_proc_wait(st_proc *p, unsigned ms)
{
    int64_t end = s7p_deadline_in(ms);
    int status = 0;
    while (waitpid(p->pid, &status, WNOHANG) == 0) {
        if (s7p_now_ms() > end) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &status, 0);
            return -1;
        }
        st_sleep_ms(5);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int st_proc_stop(st_proc *p, int sig, unsigned ms)
{
    assert_int_equal(kill(p->pid, sig), 0);
    return st_proc_wait(p, ms);
}

void st_proc_cleanup(st_proc *p)
{
    st_remove_dir(p->dir);
}

char *st_slurp(const char *path)
{
    static char buf[16384];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* SPDX-License-Identifier: MIT */
/* Set-up shared by the loopback and simulator tests (cmocka): a simulator in this process
 * (sim/sim.h) or as the s7plus-sim executable, and clients of it. Every helper fails the
 * running test with the reason when it cannot do its job, so a test reads as its assertions. */
#ifndef S7P_TESTS_SIMTEST_H
#define S7P_TESTS_SIMTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <s7plus/s7plus.h>

#include "sim.h"

/* ---- the simulator in this process ------------------------------------------------------ */

/** Starts it with cfg (NULL: the defaults; port 0 = a free port of 127.0.0.1). */
s7p_sim *st_sim_start(const s7p_sim_config *cfg);
/** The defaults with this program directory (NULL: the built-in program). */
s7p_sim *st_sim_start_dir(const char *program_dir);
/** Initialises cfg to the defaults on this port (0: a free one) with this program directory. */
void st_sim_config(s7p_sim_config *cfg, uint16_t port, const char *program_dir);
/** Writes text to file in a new temporary directory (st_tmpdir) and serves that program, with
 *  this many tags per request (0: the default). */
s7p_sim *st_sim_start_source(char *dir, size_t size, const char *name, const char *file,
                             const char *text, unsigned tags_per_request);
/** Sets a fault of this kind for requests with this function code: the nth from now (1: the
 *  next one; 0: every one). */
void st_sim_fault(s7p_sim *sim, s7p_sim_fault_kind kind, uint16_t function, unsigned nth);
/** Stops what st_sim_start_source() started and removes its directory. */
void st_sim_stop_source(s7p_sim *sim, const char *dir);

/** A cmocka fixture: the simulator serving a program of the test's own. */
typedef struct st_source_fixture {
    char dir[64];   /* the program's temporary directory */
    s7p_sim *sim;
} st_source_fixture;
/** For a cmocka setup: *state = a new st_source_fixture whose simulator (configured as cfg,
 *  NULL: the defaults) serves text written as `file` into a new temporary directory
 *  (st_tmpdir with name). Returns 0. */
int st_source_setup(void **state, const char *name, const char *file, const char *text,
                    const s7p_sim_config *cfg);
/** The cmocka teardown of st_source_setup(): stops the simulator, removes the directory. */
int st_source_teardown(void **state);

/* ---- clients ----------------------------------------------------------------------------- */

/** Library defaults for 127.0.0.1:port. */
void st_client_options(s7p_client_options *o, uint16_t port);
/** A client with these options, not connected. */
s7p_client *st_client_new(const s7p_client_options *o);
/** A client with these options, connected. */
s7p_client *st_client_connect(const s7p_client_options *o);
/** st_client_options() for the simulator, a request timeout of 10 s (busy CI machines),
 *  allow_write as given, connected. */
s7p_client *st_client_of(const s7p_sim *sim, bool allow_write);
/** st_client_options() for port with auto_reconnect (a broken connection is re-established)
 *  and request and connect timeouts of timeout_ms, connected. */
s7p_client *st_client_reconnecting(uint16_t port, uint32_t timeout_ms);
/** Disconnects (whatever the state) and frees. */
void st_client_close(s7p_client *c);

/* ---- browse results kept for the assertions ---------------------------------------------- */

typedef struct st_item {
    char *symbol, *block;
    s7p_tag tag;
    uint32_t blocks_done, blocks_total;
} st_item;

typedef struct st_items {
    st_item *v;
    size_t n, cap;
} st_items;

/** s7p_browse() callback: appends a copy of the item to ctx (an st_items). */
bool st_collect(void *ctx, const s7p_browse_item *bi);
/** The item of this symbol, NULL if none. */
const st_item *st_find_item(const st_items *l, const char *symbol);
void st_items_free(st_items *l);

/* ---- temporary directories ---------------------------------------------------------------- */

/** A new directory /tmp/s7p-NAME-XXXXXX in dir (at least 64 bytes). */
void st_tmpdir(char *dir, size_t size, const char *name);
/** Writes text to dir/file. */
void st_write_file(const char *dir, const char *file, const char *text);
/** Removes the files of dir and dir itself (not recursive). */
void st_remove_dir(const char *dir);
/** Sets a known-hosts file dir/known_hosts for trust on first use (path: at least 128 bytes). */
void st_known_hosts(s7p_client_options *o, char *path, size_t size, const char *dir);

/* ---- programs run as a process (the s7plus-sim executable) -------------------------------- */

typedef struct st_proc {
    char dir[64];                           /* temporary: the files below, removed by cleanup */
    char out[96], err[96], port_file[96];   /* stdout (when kept), stderr, --port-file */
    pid_t pid;
    uint16_t port;                          /* from the port file (st_sim_exe_start) */
} st_proc;

/** The temporary directory and the file names. */
void st_proc_init(st_proc *p, const char *name);
/** Runs exe with argv (argv[0]: the name it is given), stderr in p->err, stdout in p->out when
 *  keep_out, else /dev/null. The caller's environment and limits are inherited. */
void st_proc_spawn(st_proc *p, const char *exe, char *const argv[], bool keep_out);
/** The number a port file holds once it is written, 0 after ms. */
unsigned st_wait_port(const char *path, unsigned ms);
/** st_proc_init + `exe --port 0 --port-file F ARGS...` (args NULL-terminated, may be NULL),
 *  stdout to /dev/null. */
void st_sim_exe_spawn(st_proc *p, const char *name, const char *exe, const char *const *args);
/** st_sim_exe_spawn, then waits (10 s at most) for the port. */
void st_sim_exe_start(st_proc *p, const char *name, const char *exe, const char *const *args);
/** Exit status (128 + signal when killed by one), or -1 if it did not end within ms (then it
 *  is killed). */
int st_proc_wait(st_proc *p, unsigned ms);
/** Sends sig, then st_proc_wait(p, ms). */
int st_proc_stop(st_proc *p, int sig, unsigned ms);
/** Removes the temporary files. */
void st_proc_cleanup(st_proc *p);
/** A file's text (up to 16 KiB, in a static buffer), or NULL. */
char *st_slurp(const char *path);

/** Sleeps ms milliseconds. */
void st_sleep_ms(unsigned ms);

#endif

/* SPDX-License-Identifier: MIT */
/* Program reload (a simulated download) for the public simulator API. */
#include <stdio.h>

#include "plc_data.h"
#include "sim_int.h"
#include "util/alloc.h"

bool s7p_sim_reload_program(s7p_sim *s, char *err, size_t err_len)
{
    if (!s->plc) {
        snprintf(err, err_len, "no program configured (program_dir)");
        return false;
    }
    char *msgs = s7p_malloc(SIM_PROGRAM_MSGS);
    if (!msgs) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    bool ok = sim_plc_reload(s->plc, msgs, SIM_PROGRAM_MSGS);
    if (ok) sim_log_program_errors(s, msgs);
    else snprintf(err, err_len, "%s", msgs);
    s7p_free(msgs);
    if (!ok) {
        sim_log(s, 0, "program reload failed: %s", err);
        return false;
    }
    sim_log(s, 1, "program reloaded from %s: change counter %u", s->cfg.program_dir,
            (unsigned)sim_plc_change_counter(s->plc));
    return true;
}

uint32_t s7p_sim_change_counter(const s7p_sim *s)
{
    return s->plc ? sim_plc_change_counter(s->plc) : 0;
}

/* SPDX-License-Identifier: MIT */
/* The simulator's alarms: definitions (read from an alarms file, alarm_defs.c) and the table
 * of active alarm instances with their DAIs (alarms.c). docs/simulator.md, "Alarms". */
#ifndef S7P_SIM_ALARMS_H
#define S7P_SIM_ALARMS_H

#include "proto/alarm.h"
#include "s7plus/s7plus.h"

#define SIM_ALARM_SOURCE_DEFAULT 0x8A0E0001u   /* DB 1: the RID in the CPU alarm id */
#define SIM_ALARM_LCID_DEFAULT 1033u           /* language of ad-hoc alarm texts */
#define SIM_ALARM_MAX_TEXTS 64u                /* texts of one definition */
#define SIM_ALARM_MAX_DEFS 4096u

/** One text of a definition: the 2715 key is lcid << 16 | kind (S7P_DAI_TEXT_*). */
typedef struct sim_alarm_text {
    uint16_t lcid;
    uint8_t kind;
    char *text;
} sim_alarm_text;

/** How an associated value gets its value: a literal, or a tag of the program read when the
 *  alarm comes or goes. type S7P_T_VOID: not used. */
typedef struct sim_alarm_value {
    s7p_type type;
    uint16_t str_max;
    char *literal;                  /* TIA literal, or NULL */
    char *symbol;                   /* a PLC variable, or NULL */
} sim_alarm_value;

typedef struct sim_alarm_def {
    uint32_t id;                    /* the number used in commands; HmiInfo ClientAlarmId */
    uint32_t source;                /* RID of the source (CPU alarm id bits 63..32) */
    int32_t message_type;           /* s7p_alarm_message_type */
    uint8_t priority;
    uint16_t alarm_class;
    uint16_t domain;
    bool ack;                       /* needs an acknowledgement */
    char *name;                     /* DAI name (233) */
    sim_alarm_text texts[SIM_ALARM_MAX_TEXTS];
    unsigned ntexts;
    sim_alarm_value values[S7P_ALARM_VALUES];
} sim_alarm_def;

typedef struct sim_alarm_defs {
    sim_alarm_def *items;
    size_t n;
} sim_alarm_defs;

/** Reads an alarms file (format: docs/simulator.md); on failure err holds
 *  "file:line: message" and *out is empty. */
bool sim_alarm_defs_load(const char *path, sim_alarm_defs *out, char *err, size_t err_len);
/** Reads definitions from text in memory (name: for messages). */
bool sim_alarm_defs_parse(const char *name, const char *text, sim_alarm_defs *out, char *err,
                          size_t err_len);
void sim_alarm_defs_free(sim_alarm_defs *d);
void sim_alarm_def_free(sim_alarm_def *d);
const sim_alarm_def *sim_alarm_defs_find(const sim_alarm_defs *d, uint32_t id);
/** The type a value line names ("Int", "Real", "String[20]" ...); false if no alarm type. */
bool sim_alarm_type_parse(const char *name, s7p_type *type, uint16_t *str_max);

#endif

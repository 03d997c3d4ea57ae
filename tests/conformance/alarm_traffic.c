/* SPDX-License-Identifier: MIT */
/* s7p_alarm_traffic KEYLOG PROGRAM_DIR ALARMS_FILE EXPECT_FILE: the active-alarm snapshot of
 * our client against our simulator, for the capture harness (capture_check.sh). Starts the
 * embedded simulator with the alarms file on a free port, writes the port to
 * $S7P_PORT_FILE, waits for $S7P_GO_FILE, raises two alarms with associated values (one
 * acknowledged, one gone and waiting for its acknowledgement), reads the active alarms in two
 * languages (Explore of RID 8 with 2667), and writes to EXPECT_FILE the lines the
 * dissector's decode of those answers must show. */
#include <stdio.h>
#include <string.h>

#include <s7plus/s7plus.h>

#include "traffic.h"

static int snapshot(s7p_client *c, uint32_t lcid, const char *want_text)
{
    s7p_alarm_list *l = NULL;
    s7p_error err;
    if (s7p_get_active_alarms(c, lcid, &l, &err) != S7P_OK) {
        fprintf(stderr, "alarm_traffic: %s\n", err.message);
        return 1;
    }
    int rc = 1;
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].text, want_text) == 0) rc = 0;
    if (rc) fprintf(stderr, "alarm_traffic: no alarm with the text \"%s\"\n", want_text);
    printf("alarm_traffic: %zu active alarms in language %u\n", l->count, (unsigned)lcid);
    s7p_alarm_list_free(l);
    return rc;
}

static int session(s7p_sim *sim, s7p_client *c, FILE *expect)
{
    static const char *const v1[] = {"3", "12.25"};
    char why[256];
    int rc = s7p_sim_alarm_raise_values(sim, 1, v1, 2, why, sizeof why) &&
                     s7p_sim_alarm_raise_values(sim, 2, NULL, 0, why, sizeof why) &&
                     s7p_sim_alarm_ack(sim, 1)
                 ? 0
                 : 1;
    if (rc) fprintf(stderr, "alarm_traffic: %s\n", why);
    if (!rc) rc = snapshot(c, 1033, "Tank 3 overflows: level 12.2 %");
    /* Alarm 3 comes and goes: needing no acknowledgement, it is not in the next snapshot. */
    if (!rc && (!s7p_sim_alarm_raise(sim, 3, NULL) || !s7p_sim_alarm_clear(sim, 3))) rc = 1;
    if (!rc) rc = snapshot(c, 1031, "Motor M-101: Temperatur  85 °C (Status 16#A5, Sollwert 12.50)");
    /* What the dissector shows of the two answers' DAIs. */
    fprintf(expect, "NativeObjects.theAlarmSubsystem_Rid\nAlarmSubsystem.itsUpdateRelevantDAI\n"
                    "ID=DAI.CPUAlarmID (LWord) = 0x8a0e000100010000\n"
                    "ID=DAI.AllStatesInfo (USInt) = 131\n"        /* acknowledged */
                    "ID=DAI.AllStatesInfo (USInt) = 135\n"        /* needs no acknowledgement */
                    "ClientAlarmId: 2\nPriority: 9\nAlarmClass: 2\n"
                    "Blob root ID: TI_INT\nBlob root ID: TI_REAL\nBlob root ID: TI_STRING_16\n"
                    "Blob root ID: TI_WORD\nItem Value: ID=AS_CGS.AckTimestamp (Timestamp)\n"
                    "Sparsearray key: 67698690\n"                 /* 1031 << 16 | 2 */
                    "Sparsearray key: 67567618\n"                 /* 1033 << 16 | 2 */
                    "Tank_Overflow\nMotor_Overtemp\n");
    return rc;
}

int main(int argc, char **argv)
{
    return traffic_alarms_program(argc, argv, "alarm_traffic", session);
}

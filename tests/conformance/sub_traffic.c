/* SPDX-License-Identifier: MIT */
/* s7p_sub_traffic KEYLOG PROGRAM_DIR ALARMS_FILE EXPECT_FILE: a tag subscription and an alarm
 * subscription of our client against our simulator, for the capture harness
 * (capture_check.sh). Starts the embedded simulator with the alarms file on a free port,
 * writes the port to $S7P_PORT_FILE, waits for $S7P_GO_FILE, then on one TLS session:
 * subscribes to a tag (two notifications, one after a change), subscribes to alarms in
 * English, raises and clears an alarm (two alarm notifications, part 2 with a DAI),
 * unsubscribes both and disconnects. EXPECT_FILE gets the lines the dissector's decode of
 * the Notification PDUs must show. Answers stay small (one language, one short text), so
 * every PDU fits one frame. */
#include <stdio.h>
#include <string.h>

#include <s7plus/s7plus.h>

#include "traffic.h"

/* The M tag Counter_Value (DInt, LID 10) of examples/plc, addressed without a browse: the
 * type information of a DB would make multi-frame answers, after which tshark stops
 * decoding S7CommPlus inside TLS. */
static const s7p_tag counter = {.type = S7P_T_DINT, .area = 82, .sub_area = 3736, .nlids = 1,
                                .lids = {10}};

static s7p_sub_notification *next_data(s7p_subscription *s)
{
    for (int i = 0; i < 50; i++) {
        s7p_sub_notification *n = NULL;
        if (s7p_subscription_next(s, &n, 200, NULL) != S7P_OK) continue;
        if (n->event == S7P_SUB_DATA) return n;
        s7p_sub_notification_free(n);
    }
    fprintf(stderr, "sub_traffic: no notification\n");
    return NULL;
}

/* Two notifications of the tag subscription, the second after the PLC's value became 4711. */
static int tag_part(s7p_sim *sim, s7p_client *c, s7p_subscription **sub)
{
    s7p_error err;
    s7p_subscription_options o;
    s7p_subscription_options_init(&o);
    o.cycle_ms = 100;
    o.mode = S7P_SUB_CHANGES_ONLY;
    if (s7p_subscribe(c, &counter, 1, &o, NULL, NULL, sub, &err) != S7P_OK) {
        fprintf(stderr, "sub_traffic: %s\n", err.message);
        return 1;
    }
    s7p_sub_notification *n = next_data(*sub);
    s7p_sub_notification_free(n);
    char reply[128];
    if (!n || !s7p_sim_control(sim, "set Counter_Value 4711", reply, sizeof reply)) return 1;
    n = next_data(*sub);
    int rc = n && n->count == 1 && n->values[0].value.v.i == 4711 ? 0 : 1;
    s7p_sub_notification_free(n);
    return rc;
}

/* Alarm 3 comes and goes: two notifications with a DAI each. */
static int alarm_part(s7p_sim *sim, s7p_client *c, s7p_subscription **sub)
{
    static const uint32_t english[] = {1033};
    s7p_error err;
    if (s7p_subscribe_alarms(c, english, 1, NULL, NULL, NULL, sub, &err) != S7P_OK) {
        fprintf(stderr, "sub_traffic: %s\n", err.message);
        return 1;
    }
    if (!s7p_sim_alarm_raise(sim, 3, NULL)) return 1;
    s7p_sub_notification *came = next_data(*sub);
    if (!s7p_sim_alarm_clear(sim, 3)) return 1;
    s7p_sub_notification *went = next_data(*sub);
    int rc = came && went && came->alarm_count == 1 && went->alarm_count == 1 &&
                     strcmp(came->alarms[0].text, "Shift change") == 0 &&
                     went->alarms[0].state == S7P_ALARM_GOING
                 ? 0
                 : 1;
    if (rc) fprintf(stderr, "sub_traffic: the alarm notifications are not as raised\n");
    s7p_sub_notification_free(came);
    s7p_sub_notification_free(went);
    return rc;
}

static int session(s7p_sim *sim, s7p_client *c, FILE *expect)
{
    s7p_error err;
    s7p_subscription *tags = NULL, *alarms = NULL;
    int rc = tag_part(sim, c, &tags);
    if (!rc) rc = alarm_part(sim, c, &alarms);
    if (s7p_unsubscribe(alarms, &err) != S7P_OK || s7p_unsubscribe(tags, &err) != S7P_OK) rc = 1;
    /* What the dissector shows of the subscriptions and their notifications. */
    fprintf(expect, "ID=SubscriptionFunctionClassId (USInt) = 0\n"
                    "ID=SubscriptionFunctionClassId (USInt) = 2\n"
                    "Object: ClsId=AlarmSubscriptionRef.Class_Rid, RelId=GetNewRIDOnServer\n"
                    "ID=AlarmSubscriptionRef.AlarmTextLanguages_Rid (UDInt) Addressarray[1] = 1033\n"
                    "Relation Id: AlarmSubscriptionRef.itsAlarmSubsystem\n"
                    "Part 2 - Subscription Object Id: 0x7\n"
                    "Object: ClsId=DAI.Class_Rid\n"
                    "ID=DAI.CPUAlarmID (LWord) = 0x8a0e000100030000\n"
                    "Sparsearray key: 67698690\n"                 /* 1033 << 16 | 2 */
                    "Shift_Change\n");
    return rc;
}

int main(int argc, char **argv)
{
    return traffic_alarms_program(argc, argv, "sub_traffic", session);
}

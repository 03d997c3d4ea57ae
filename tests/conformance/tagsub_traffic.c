/* SPDX-License-Identifier: MIT */
/* s7p_tagsub_traffic KEYLOG PROGRAM_DIR EXPECT_FILE: a tag subscription session of our client
 * against our simulator, for the capture harness (capture_check.sh). Starts the embedded
 * simulator on a free port with a counter generator on Counter_Value, resolves the tags on a
 * first connection (not captured: browse answers are large), writes the port to
 * $S7P_PORT_FILE, waits for $S7P_GO_FILE, then on a second connection: subscribes to
 * Counter_Value, Setpoint and a tag the PLC cannot address (the free-slot read, the
 * CreateObject), takes notifications (values and an item error)
 * with values until the client has raised the credit limit (its fire-and-forget
 * SetVariable), adds Flags (a new reference list) and changes the cycle (two SetVariables),
 * takes notifications carrying Flags, and unsubscribes (DeleteObject). Writes to EXPECT_FILE
 * the lines the dissector's decode must show, with the last values the client took. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <s7plus/s7plus.h>

#include "portfile.h"
#include "traffic.h"
#include "sim.h"

#define CYCLE_MS 50u
#define NEW_CYCLE_MS 80u
#define FLAGS_VALUE 0x5A3Cu
#define NO_SUCH_LID 0x7FFFu   /* a tag the PLC cannot address: its items are errors */
#define TAG_BAD 2u            /* tag numbers: Counter_Value 0, Setpoint 1, the bad one 2, */
#define TAG_FLAGS 3u          /* Flags (added later) 3 */

static const char *const symbols[] = {"Counter_Value", "Setpoint", "Flags"};

static s7p_client *client(s7p_sim *sim, const char *keylog)
{
    s7p_client_options o;
    traffic_client_options(&o, s7p_sim_port(sim), keylog);
    return traffic_connect("tagsub_traffic", &o);
}

static int resolve(s7p_sim *sim, s7p_tag *tags)
{
    s7p_client *c = client(sim, NULL);
    s7p_error err;
    int rc = c ? 0 : 1;
    for (size_t i = 0; !rc && i < 3; i++)
        if (s7p_tag_by_symbol(c, symbols[i], &tags[i], &err) != S7P_OK) {
            fprintf(stderr, "tagsub_traffic: %s: %s\n", symbols[i], err.message);
            rc = 1;
        }
    /* tags[]: Counter_Value, Setpoint, a bad one (Counter_Value's address with a LID the
     * PLC does not have), Flags. */
    tags[3] = tags[2];
    tags[2] = tags[0];
    tags[2].symbol_crc = 0;
    tags[2].lids[tags[2].nlids - 1] = NO_SUCH_LID;
    if (c) s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return rc;
}

/* What the client saw, for the expect file. */
typedef struct seen {
    unsigned flags;               /* values of Flags equal to FLAGS_VALUE */
    unsigned bad;                 /* item errors (S7P_E_PLC) of the bad tag */
    uint32_t last_seq;
    int64_t counter;              /* the last value of tag 0 (Counter_Value) */
    double setpoint;              /* the last value of tag 1 (Setpoint) */
} seen;

static void note_values(const s7p_sub_notification *n, seen *w)
{
    w->last_seq = n->sequence;
    for (size_t i = 0; i < n->count; i++) {
        const s7p_sub_value *v = &n->values[i];
        if (v->tag == 0) w->counter = v->value.v.i;
        if (v->tag == 1) w->setpoint = v->value.v.r;
        if (v->tag == TAG_BAD && v->status == S7P_E_PLC) w->bad++;
        if (v->tag == TAG_FLAGS && v->status == S7P_OK && v->value.v.u == FLAGS_VALUE) w->flags++;
    }
}

/* Takes data notifications until `want` carried values and, with need_tag set, one held
 * that tag. 0 or 1. */
static int take(s7p_subscription *s, int want, uint32_t need_tag, seen *w)
{
    int with_values = 0, tries = 0;
    bool got_tag = need_tag == UINT32_MAX;
    while ((with_values < want || !got_tag) && tries++ < 200) {
        s7p_sub_notification *n = NULL;
        s7p_error err;
        s7p_status st = s7p_subscription_next(s, &n, 2000, &err);
        if (st != S7P_OK || n->event != S7P_SUB_DATA || n->missed) {
            fprintf(stderr, "tagsub_traffic: next: %s\n", st != S7P_OK ? err.message : "event");
            s7p_sub_notification_free(n);
            return 1;
        }
        with_values += n->count > 0;
        for (size_t i = 0; i < n->count; i++)
            if (n->values[i].tag == need_tag) got_tag = true;
        note_values(n, w);
        s7p_sub_notification_free(n);
    }
    return with_values >= want && got_tag ? 0 : 1;
}

/* The lines the dissector's decode must show: the create, the credit writes (6 + 20, + 20:
 * at a 50 ms cycle the client grants a second's worth at a time),
 * the modify, notifications with the values the client took, the delete. */
static void write_expect(FILE *f, const seen *w)
{
    fprintf(f, "Class Id: ClassSubscription\n"
               "Item Value: ID=SubscriptionCycleTime (UDInt) = %u\n"
               "Item Value: ID=SubscriptionCreditLimit (Int) = 6\n"
               "ID Number: SubscriptionCreditLimit\n"
               "ValueList (Int) = 26\nValueList (Int) = 46\n"
               "Opcode: Response2 (0x02)\n"
               "ID Number: SubscriptionReferenceList\n"
               "ID Number: SubscriptionCycleTime\nValueList (UDInt) = %u\n"
               "Opcode: Notification (0x33)\n"
               "Subscription Object Id: 0x70000100\n"
               "Add-1 Notification subscription change counter: 2\n"
               "Notification sequence number (VLQ): %u\n"
               "Item Value [1]: (DInt) = %lld\n"
               "Item Value [2]: (Real) = %f\n"
               "Item Value [3]: Access error\n"
               "Item Value [4]: (Word) = 0x%04x\n"
               "Delete Object Id: 0x70000100\n",
            CYCLE_MS, NEW_CYCLE_MS, (unsigned)w->last_seq, (long long)w->counter, w->setpoint,
            FLAGS_VALUE);
}

static int session(s7p_sim *sim, const char *keylog, const s7p_tag *tags, FILE *expect)
{
    s7p_client *c = client(sim, keylog);
    if (!c) return 1;
    s7p_subscription_options so;
    s7p_subscription_options_init(&so);
    so.cycle_ms = CYCLE_MS;
    so.credit_limit = 6;   /* the first credit write after the first notification */
    s7p_subscription *s = NULL;
    s7p_error err;
    seen w = {0};
    uint32_t first = 0;
    int rc = s7p_subscribe(c, tags, 3, &so, NULL, NULL, &s, &err) == S7P_OK ? 0 : 1;
    /* Eight notifications: the credit limit is raised (6 -> 26 -> 46). */
    if (!rc) rc = take(s, 8, UINT32_MAX, &w);
    if (!rc) rc = s7p_subscription_add(s, &tags[3], 1, &first, &err) == S7P_OK ? 0 : 1;
    if (!rc) rc = s7p_subscription_set_cycle(s, NEW_CYCLE_MS, &err) == S7P_OK ? 0 : 1;
    if (!rc) rc = take(s, 3, first, &w);
    if (!rc && (w.flags == 0 || w.bad == 0 || first != TAG_FLAGS)) {
        snprintf(err.message, sizeof err.message, "the added tag's value or the bad tag's "
                 "error never came");
        rc = 1;
    }
    if (s && s7p_unsubscribe(s, rc ? NULL : &err) != S7P_OK) rc = 1;
    if (rc) fprintf(stderr, "tagsub_traffic: %s\n", err.message);
    if (!rc && s7p_sim_subscriptions(sim) != 0) rc = 1;
    if (!rc) write_expect(expect, &w);
    printf("tagsub_traffic: %lu notifications sent by the simulator\n", s7p_sim_notifications(sim));
    s7p_disconnect(c, NULL);
    s7p_client_free(c);
    return rc;
}

int main(int argc, char **argv)
{
    const char *port_file = getenv("S7P_PORT_FILE"), *go_file = getenv("S7P_GO_FILE");
    if (argc != 4 || !port_file || !go_file) {
        fprintf(stderr, "usage: S7P_PORT_FILE=F S7P_GO_FILE=G s7p_tagsub_traffic KEYLOG "
                        "PROGRAM_DIR EXPECT_FILE\n");
        return 2;
    }
    unlink(argv[1]);
    FILE *expect = fopen(argv[3], "w");
    if (!expect) {
        perror(argv[3]);
        return 1;
    }
    s7p_sim_config cfg;
    char err[256], reply[256];
    s7p_sim_config_init(&cfg);
    cfg.port = 0;
    cfg.program_dir = argv[2];
    s7p_sim *sim = s7p_sim_start(&cfg, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "tagsub_traffic: simulator: %s\n", err);
        fclose(expect);
        return 1;
    }
    s7p_tag tags[4];
    int rc = resolve(sim, tags);
    if (!rc && (!s7p_sim_generate(sim, "Counter_Value", "counter:20", err, sizeof err) ||
                !s7p_sim_control(sim, "set Flags 16#5A3C", reply, sizeof reply))) {
        fprintf(stderr, "tagsub_traffic: %s%s\n", err, reply);
        rc = 1;
    }
    if (!rc && write_port(port_file, s7p_sim_port(sim)) == 0 && wait_for(go_file, 10) == 0)
        rc = session(sim, argv[1], tags, expect);
    else
        rc = 1;
    s7p_sim_stop(sim);
    fclose(expect);
    return rc;
}

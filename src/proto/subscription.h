/* SPDX-License-Identifier: MIT */
/* Subscription objects (class 1001) and their reference list (AID 1048): built by the client,
 * read back by the simulator. Pure codec over PObject trees and PValues; no I/O. Wire layout
 * and the choices made where sources disagree: docs/protocol.md, "Subscriptions".
 *
 * Memory: everything built or parsed lives in the caller's arena; parsed arrays point into
 * it, built objects point to the caller's arrays (lids, unsubscribe refs) where they can. */
#ifndef S7P_PROTO_SUBSCRIPTION_H
#define S7P_PROTO_SUBSCRIPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/object.h"

/* SubscriptionFunctionClassId (1082). */
enum {
    S7P_SUB_FC_VARIABLES = 0,
    S7P_SUB_FC_TIS = 1,
    S7P_SUB_FC_ALARMS = 2,
};

/* SubscriptionRouteMode (1040) values seen on the wire. */
enum {
    S7P_SUB_ROUTE_ALARM = 0x02,
    S7P_SUB_ROUTE_CYCLIC_AND_CHANGED = 0x14, /* all on create, changed later, empty ones too */
    S7P_SUB_ROUTE_CHANGED_ONLY = 0x20,       /* all on create, then only cycles with changes */
};

/* Reference-list header: bit 31 = create, bits 16..23 = change counter. */
#define S7P_SUB_REFS_CREATE 0x80000000u
/* Item head: 0x8004 in the high half, number of LIDs + 1 (the sub-area) in the low half. */
#define S7P_SUB_ITEM_HEAD 0x80040000u
/* Most LIDs per item address (as the item-address decoder allows). */
#define S7P_SUB_MAX_LIDS 64u
/* First client RelationId of a session's subscriptions (the reference drivers count up). */
#define S7P_SUB_FIRST_RID 0x7FFFC001u
/* Object ids at and above this carry the modern notification header (credit tick). */
#define S7P_SUB_MODERN_ID 0x70000000u

typedef struct s7p_sub_item {      /* one subscribed address */
    uint32_t ref;                  /* client-chosen item reference, reported in notifications */
    uint32_t area, crc, sub_area;  /* as in GetMultiVariables item addresses */
    const uint32_t *lids;
    size_t n_lids;
} s7p_sub_item;

typedef struct s7p_sub_refs {      /* SubscriptionReferenceList, AID 1048 */
    bool create;                   /* bit 31 of the header */
    uint8_t change_counter;
    const uint32_t *unsubscribe;
    size_t n_unsubscribe;
    const s7p_sub_item *items;
    size_t n_items;
} s7p_sub_refs;

/* Most languages in an alarm subscription's filter (8181). */
#define S7P_SUB_MAX_LCIDS 16u

typedef struct s7p_sub_alarm_ref { /* the alarm subscription's child object (class 2662) */
    bool present;
    const uint32_t *lcids;         /* AlarmSubscr_AlarmTextLangIdentifier; none: all */
    size_t n_lcids;
} s7p_sub_alarm_ref;

typedef struct s7p_sub_params {    /* the subscription object (class 1001) */
    uint32_t rel_id;               /* client RID (0x7FFFC001...) */
    uint8_t function_class;        /* 0 variables, 2 alarms */
    uint8_t route_mode;            /* 0x14 cyclic+changed, 0x20 changed only ... */
    uint32_t cycle_ms;
    int16_t credit_limit;          /* -1 unlimited */
    s7p_sub_refs refs;
    s7p_sub_alarm_ref alarm;       /* function class 2: built, and read back, as the child */
} s7p_sub_params;

/** Builds the class-1001 object with the attributes in the order a real HMI sends them
 *  (233, 1082, 1002, 1003, 1040, 1041, 1048, 1049, 1050, 1051, 1052, 1053, 1054); for
 *  function class 2 (alarms) with the child object of class 2662 (RID 211: the PLC gives
 *  it one) carrying the language filter p->alarm (services spec §2.1; docs/protocol.md §11.7).
 *  Arena-owned; false when out of memory or p is out of range (too many LIDs or LCIDs). */
bool s7p_sub_object_build(s7p_arena *a, const s7p_sub_params *p, s7p_object **out);
/** Reads a class-1001 object back (the simulator's side); arrays point into the arena.
 *  S7P_E_PROTOCOL: wrong class, a mandatory attribute (1040, 1048, 1049, 1053) missing or of
 *  the wrong type, or a malformed reference list, or a class-2662 child whose language list
 *  (8181) is not a UDInt array of at most S7P_SUB_MAX_LCIDS LCIDs; S7P_E_NOMEM. Absent
 *  optional attributes read as 0 (1082: variables); out->alarm.present tells whether the
 *  2662 child came. */
s7p_status s7p_sub_object_parse(const s7p_object *o, s7p_arena *a, s7p_sub_params *out);
/** The reference list alone, for a SetMultiVariables/SetVariable of AID 1048 (modify). */
bool s7p_sub_refs_to_value(const s7p_sub_refs *r, s7p_arena *a, s7p_value *out);
/** Parses an AID 1048 value: a UDInt address array (flags 0x20) whose elements are used
 *  exactly. S7P_E_PROTOCOL for anything else; S7P_E_NOMEM. */
s7p_status s7p_sub_refs_from_value(const s7p_value *v, s7p_arena *a, s7p_sub_refs *out);

#endif

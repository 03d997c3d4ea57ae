/* SPDX-License-Identifier: MIT */
/* Protocol constants: function codes, opcodes, versions and the object/attribute ids the
 * codec and the services use. Names follow the protocol's own names. */
#ifndef S7P_PROTO_IDS_H
#define S7P_PROTO_IDS_H

enum {
    S7P_PROTO_V1 = 0x01,
    S7P_PROTO_V2 = 0x02,
    S7P_PROTO_V3 = 0x03,
    S7P_PROTO_SYSTEM_EVENT = 0xFE,
    S7P_PROTO_KEEPALIVE = 0xFF,
};

enum {
    S7P_OP_REQUEST = 0x31,
    S7P_OP_RESPONSE = 0x32,
    S7P_OP_NOTIFICATION = 0x33,
    S7P_OP_RESPONSE2 = 0x02,
};

enum {
    S7P_FC_ERROR = 0x04B1,
    S7P_FC_EXPLORE = 0x04BB,
    S7P_FC_CREATE_OBJECT = 0x04CA,
    S7P_FC_DELETE_OBJECT = 0x04D4,
    S7P_FC_SET_VARIABLE = 0x04F2,
    S7P_FC_GET_VARIABLE = 0x04FC,
    S7P_FC_ADD_LINK = 0x0506,
    S7P_FC_REMOVE_LINK = 0x051A,
    S7P_FC_GET_LINK = 0x0524,
    S7P_FC_SET_MULTI_VARIABLES = 0x0542,
    S7P_FC_GET_MULTI_VARIABLES = 0x054C,
    S7P_FC_BEGIN_SEQUENCE = 0x0556,
    S7P_FC_END_SEQUENCE = 0x0560,
    S7P_FC_INVOKE = 0x056B,
    S7P_FC_SET_VAR_SUB_STREAMED = 0x057C,
    S7P_FC_GET_VAR_SUB_STREAMED = 0x0586,
    S7P_FC_GET_VARIABLES_ADDRESS = 0x0590,
    S7P_FC_ABORT = 0x059A,
    S7P_FC_ERROR2 = 0x05A9,
    S7P_FC_INIT_SSL = 0x05B3,
};

/* Transport flags seen from reference clients. */
enum {
    S7P_TF_INIT_SSL = 0x30,
    S7P_TF_REQUEST = 0x34,
    S7P_TF_CREATE_OBJECT = 0x36,
    S7P_TF_NO_RESPONSE = 0x40,   /* bit: fire-and-forget */
};

/* Object and attribute ids. */
enum {
    S7P_ID_AS_ROOT = 1,
    S7P_ID_PLC_PROGRAM = 3,
    S7P_ID_CPU_PROXY = 49,
    S7P_ID_CPU_COMMON = 50,
    S7P_ID_CPU_EXEC_UNIT = 52,
    S7P_ID_I_AREA = 80,
    S7P_ID_Q_AREA = 81,
    S7P_ID_M_AREA = 82,
    S7P_ID_S7_COUNTERS = 83,
    S7P_ID_S7_TIMERS = 84,
    S7P_ID_OBJECT_ROOT = 201,
    S7P_ID_GET_NEW_RID_ON_SERVER = 211,
    S7P_ID_OBJECT_VARIABLE_TYPE_NAME = 233,
    S7P_ID_CLASS_SUBSCRIPTIONS = 255,
    S7P_ID_OBJECT_SERVER_SESSION_CONTAINER = 285,
    S7P_ID_CLASS_SERVER_SESSION = 287,
    S7P_ID_OBJECT_NULL_SERVER_SESSION = 288,
    S7P_ID_SERVER_SESSION_CLIENT_RID = 300,
    S7P_ID_SERVER_SESSION_CHALLENGE = 303,
    S7P_ID_SERVER_SESSION_VERSION = 306,
    S7P_ID_SESSION_VERSION_STRUCT = 314,
    S7P_ID_SYSTEM_PAOM_STRING = 319,
    S7P_ID_OBJECT_OMS_TYPE_INFO_CONTAINER = 537,
    S7P_ID_CLASS_SUBSCRIPTION = 1001,
    S7P_ID_SUBSCRIPTION_MISSED_SENDINGS = 1002,
    S7P_ID_SUBSCRIPTION_SUBSYSTEM_ERROR = 1003,
    S7P_ID_SUBSCRIPTION_REF_TRIGGER_AND_TRANSMIT_MODE = 1005,
    S7P_ID_SYSTEM_LIMITS = 1037,
    S7P_ID_SUBSCRIPTION_ROUTE_MODE = 1040,
    S7P_ID_SUBSCRIPTION_ACTIVE = 1041,
    S7P_ID_SUBSCRIPTION_REFERENCE_LIST = 1048,
    S7P_ID_SUBSCRIPTION_CYCLE_TIME = 1049,
    S7P_ID_SUBSCRIPTION_DELAY_TIME = 1050,
    S7P_ID_SUBSCRIPTION_DISABLED = 1051,
    S7P_ID_SUBSCRIPTION_COUNT = 1052,
    S7P_ID_SUBSCRIPTION_CREDIT_LIMIT = 1053,
    S7P_ID_SUBSCRIPTION_TICKS = 1054,
    S7P_ID_SUBSCRIPTION_1055 = 1055,      /* unnamed; one driver sends USInt 0 */
    S7P_ID_FREE_ITEMS = 1081,
    S7P_ID_SUBSCRIPTION_FUNCTION_CLASS_ID = 1082,
    S7P_ID_OBJECT_QUALIFIER = 1256,
    S7P_ID_PARENT_RID = 1257,
    S7P_ID_COMPOSITION_AID = 1258,
    S7P_ID_KEY_QUALIFIER = 1259,
    S7P_ID_EFFECTIVE_PROTECTION_LEVEL = 1842,
    S7P_ID_BLOCK_BLOCK_NUMBER = 2521,
    S7P_ID_DB_VALUE_ACTUAL = 2550,
    S7P_ID_DB_CLASS_RID = 2574,
    S7P_ID_CONTROLLER_AREA_VALUE_ACTUAL = 3736,
    S7P_ID_SYSTEM_EVENT_STRUCT = 40300,
    S7P_ID_SYSTEM_EVENT_RETURN_VALUE = 40305,
};

#define S7P_DB_AREA_BASE 0x8A0E0000u

/* Alarms (services spec §2, docs/protocol.md "Alarms"): the alarm subsystem object, the
 * Dynamic Alarm Instance (DAI) and its coming/going struct (AS_CGS). */
enum {
    S7P_ID_ALARM_SUBSYSTEM = 8,                 /* NativeObjects.theAlarmSubsystem_Rid */
    S7P_ID_ALARM_UPDATE_RELEVANT_DAI = 2667,    /* AlarmSubsystem.itsUpdateRelevantDAI */
    S7P_ID_DAI_CPU_ALARM_ID = 2670,             /* LWord */
    S7P_ID_DAI_ALL_STATES_INFO = 2671,          /* USInt */
    S7P_ID_DAI_ALARM_DOMAIN = 2672,             /* UInt */
    S7P_ID_DAI_COMING = 2673,                   /* Struct AS_CGS */
    S7P_ID_DAI_GOING = 2677,                    /* Struct AS_CGS */
    S7P_ID_DAI_CLASS = 2681,                    /* DAI.Class_Rid */
    S7P_ID_DAI_ALARM_TEXTS = 2715,              /* sparse Blob array, key LCID << 16 | text id */
    S7P_ID_AS_CGS_CLASS = 3473,                 /* struct id of Coming / Going */
    S7P_ID_AS_CGS_ALL_STATES_INFO = 3474,       /* USInt */
    S7P_ID_AS_CGS_TIMESTAMP = 3475,             /* Timestamp, ns since 1970 UTC */
    S7P_ID_AS_CGS_ASSOCIATED_VALUES = 3476,     /* Blob array; also element 0's root id */
    S7P_ID_AS_CGS_ACK_TIMESTAMP = 3646,         /* Timestamp; 0 = not acknowledged */
    S7P_ID_DAI_MESSAGE_TYPE = 4079,             /* DInt */
    S7P_ID_DAI_HMI_INFO = 7813,                 /* Blob */
    S7P_ID_DAI_SEQUENCE_COUNTER = 7917,         /* UDInt */
    /* The alarm subscription's reference object (services spec §2.1). */
    S7P_ID_ALARM_SUBSCRIPTION_REF_CLASS = 2662, /* AlarmSubscriptionRef.Class_Rid */
    S7P_ID_ALARM_SUBSCRIPTION_REF_DOMAIN = 2659, /* UInt array */
    S7P_ID_ALARM_SUBSCRIPTION_REF_SUBSYSTEM = 2660, /* relation: itsAlarmSubsystem -> 8 */
    S7P_ID_ALARM_SUBSCRIPTION_REF_DOMAIN2 = 7731, /* UInt address array */
    S7P_ID_ALARM_SUBSCRIPTION_SEND_TEXTS = 8173, /* Bool */
    S7P_ID_ALARM_SUBSCRIPTION_LANGUAGES = 8181, /* UDInt address array of LCIDs; empty: all */
};

/* Blob root ids of associated values: type-info ids, 0x02000000 + the softdatatype. */
#define S7P_TI_BASE 0x02000000u
#define S7P_TI_STRING_BASE 0x020A0000u   /* + max length: String[n] */
#define S7P_TI_WSTRING_BASE 0x020B0000u  /* + max length: WString[n] */

#endif

/* SPDX-License-Identifier: MIT */
/* Public helpers for tag values: releasing what the library allocated, type names. */
#include <string.h>

#include "s7plus/s7plus.h"
#include "util/alloc.h"

static void clear_one(s7p_tag_value *v)
{
    if (v->count) {
        if (v->elems)
            for (uint32_t i = 0; i < v->count; i++) clear_one(&v->elems[i]);
        s7p_free(v->elems);
        return;
    }
    switch (v->type) {
    case S7P_T_STRING: case S7P_T_WSTRING: s7p_free(v->v.str.p); break;
    case S7P_T_POINTER: case S7P_T_ANY: case S7P_T_REMOTE: s7p_free(v->v.raw.p); break;
    default: break;
    }
}

void s7p_tag_value_clear(s7p_tag_value *v)
{
    if (!v) return;
    clear_one(v);
    memset(v, 0, sizeof *v);
}

/* Names as TIA Portal spells them, indexed by the PLC's software datatype id. */
static const char *const type_names[256] = {
    [0] = "Void", [1] = "Bool", [2] = "Byte", [3] = "Char", [4] = "Word", [5] = "Int",
    [6] = "DWord", [7] = "DInt", [8] = "Real", [9] = "Date", [10] = "Time_Of_Day",
    [11] = "Time", [12] = "S5Time", [13] = "S5Count", [14] = "Date_And_Time",
    [15] = "InternetTime", [16] = "Array", [17] = "Struct", [18] = "EndStruct",
    [19] = "String", [20] = "Pointer", [21] = "MultiFB", [22] = "Any", [23] = "Block_FB",
    [24] = "Block_FC", [25] = "Block_DB", [28] = "Counter", [29] = "Timer",
    [30] = "IEC_Counter", [31] = "IEC_Timer", [38] = "Offset", [40] = "BBool", [48] = "LReal",
    [49] = "ULInt", [50] = "LInt", [51] = "LWord", [52] = "USInt", [53] = "UInt",
    [54] = "UDInt", [55] = "SInt", [56] = "BCD8", [57] = "BCD16", [58] = "BCD32",
    [59] = "BCD64", [61] = "WChar", [62] = "WString", [63] = "Variant", [64] = "LTime",
    [65] = "LTime_Of_Day", [66] = "LDT", [67] = "DTL", [68] = "IEC_LTimer",
    [69] = "IEC_SCounter", [70] = "IEC_DCounter", [71] = "IEC_LCounter", [72] = "IEC_UCounter",
    [73] = "IEC_USCounter", [74] = "IEC_UDCounter", [75] = "IEC_ULCounter", [96] = "Remote",
    [97] = "ErrorStruct", [98] = "NRef", [99] = "VRef", [100] = "FBTRef", [101] = "CRef",
    [102] = "VARef", [128] = "AOM_Ident", [129] = "Event_Any", [130] = "Event_Att",
    [131] = "Folder", [132] = "AOM_AID", [133] = "AOM_Link", [134] = "Event_HwInt",
    [144] = "HW_Any", [145] = "HW_IOSystem", [146] = "HW_DPMaster", [147] = "HW_Device",
    [148] = "HW_DPSlave", [149] = "HW_IO", [150] = "HW_Module", [151] = "HW_SubModule",
    [152] = "HW_Hsc", [153] = "HW_Pwm", [154] = "HW_Pto", [155] = "HW_Interface",
    [156] = "HW_IEPort", [160] = "OB_Any", [161] = "OB_Delay", [162] = "OB_TOD",
    [163] = "OB_Cyclic", [164] = "OB_Att", [168] = "Conn_Any", [169] = "Conn_Prg",
    [170] = "Conn_Ouc", [171] = "Conn_R_ID", [172] = "HW_NR", [173] = "Port", [174] = "RTM",
    [175] = "PIP", [176] = "C_Alarm", [177] = "C_Alarm_S", [178] = "C_Alarm_8",
    [179] = "C_Alarm_8P", [180] = "C_Alarm_T", [181] = "C_AR_Send", [182] = "C_Notify",
    [183] = "C_Notify_8P", [192] = "OB_PCycle", [193] = "OB_HwInt", [194] = "OB_Comm",
    [195] = "OB_Diag", [196] = "OB_TimeError", [197] = "OB_Startup",
    [200] = "OPCUA_LocTxtEncM", [201] = "OPCUA_StrActLen", [208] = "DB_Any", [209] = "DB_WWW",
    [210] = "DB_Dyn", [253] = "Para", [254] = "Label", [255] = "Undefined",
};

const char *s7p_type_name(int type)
{
    if (type == 256) return "NotChosen";
    const char *name = type >= 0 && type < 256 ? type_names[type] : NULL;
    return name ? name : "unknown type";
}

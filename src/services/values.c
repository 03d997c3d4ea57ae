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

/* Names as TIA Portal spells them; ids from the PLC's software datatype table. */
const char *s7p_type_name(int type)
{
    switch (type) {
    case 0: return "Void";
    case 1: return "Bool";
    case 2: return "Byte";
    case 3: return "Char";
    case 4: return "Word";
    case 5: return "Int";
    case 6: return "DWord";
    case 7: return "DInt";
    case 8: return "Real";
    case 9: return "Date";
    case 10: return "Time_Of_Day";
    case 11: return "Time";
    case 12: return "S5Time";
    case 13: return "S5Count";
    case 14: return "Date_And_Time";
    case 15: return "InternetTime";
    case 16: return "Array";
    case 17: return "Struct";
    case 18: return "EndStruct";
    case 19: return "String";
    case 20: return "Pointer";
    case 21: return "MultiFB";
    case 22: return "Any";
    case 23: return "Block_FB";
    case 24: return "Block_FC";
    case 25: return "Block_DB";
    case 28: return "Counter";
    case 29: return "Timer";
    case 30: return "IEC_Counter";
    case 31: return "IEC_Timer";
    case 38: return "Offset";
    case 40: return "BBool";
    case 48: return "LReal";
    case 49: return "ULInt";
    case 50: return "LInt";
    case 51: return "LWord";
    case 52: return "USInt";
    case 53: return "UInt";
    case 54: return "UDInt";
    case 55: return "SInt";
    case 56: return "BCD8";
    case 57: return "BCD16";
    case 58: return "BCD32";
    case 59: return "BCD64";
    case 61: return "WChar";
    case 62: return "WString";
    case 63: return "Variant";
    case 64: return "LTime";
    case 65: return "LTime_Of_Day";
    case 66: return "LDT";
    case 67: return "DTL";
    case 68: return "IEC_LTimer";
    case 69: return "IEC_SCounter";
    case 70: return "IEC_DCounter";
    case 71: return "IEC_LCounter";
    case 72: return "IEC_UCounter";
    case 73: return "IEC_USCounter";
    case 74: return "IEC_UDCounter";
    case 75: return "IEC_ULCounter";
    case 96: return "Remote";
    case 97: return "ErrorStruct";
    case 98: return "NRef";
    case 99: return "VRef";
    case 100: return "FBTRef";
    case 101: return "CRef";
    case 102: return "VARef";
    case 128: return "AOM_Ident";
    case 129: return "Event_Any";
    case 130: return "Event_Att";
    case 131: return "Folder";
    case 132: return "AOM_AID";
    case 133: return "AOM_Link";
    case 134: return "Event_HwInt";
    case 144: return "HW_Any";
    case 145: return "HW_IOSystem";
    case 146: return "HW_DPMaster";
    case 147: return "HW_Device";
    case 148: return "HW_DPSlave";
    case 149: return "HW_IO";
    case 150: return "HW_Module";
    case 151: return "HW_SubModule";
    case 152: return "HW_Hsc";
    case 153: return "HW_Pwm";
    case 154: return "HW_Pto";
    case 155: return "HW_Interface";
    case 156: return "HW_IEPort";
    case 160: return "OB_Any";
    case 161: return "OB_Delay";
    case 162: return "OB_TOD";
    case 163: return "OB_Cyclic";
    case 164: return "OB_Att";
    case 168: return "Conn_Any";
    case 169: return "Conn_Prg";
    case 170: return "Conn_Ouc";
    case 171: return "Conn_R_ID";
    case 172: return "HW_NR";
    case 173: return "Port";
    case 174: return "RTM";
    case 175: return "PIP";
    case 176: return "C_Alarm";
    case 177: return "C_Alarm_S";
    case 178: return "C_Alarm_8";
    case 179: return "C_Alarm_8P";
    case 180: return "C_Alarm_T";
    case 181: return "C_AR_Send";
    case 182: return "C_Notify";
    case 183: return "C_Notify_8P";
    case 192: return "OB_PCycle";
    case 193: return "OB_HwInt";
    case 194: return "OB_Comm";
    case 195: return "OB_Diag";
    case 196: return "OB_TimeError";
    case 197: return "OB_Startup";
    case 200: return "OPCUA_LocTxtEncM";
    case 201: return "OPCUA_StrActLen";
    case 208: return "DB_Any";
    case 209: return "DB_WWW";
    case 210: return "DB_Dyn";
    case 253: return "Para";
    case 254: return "Label";
    case 255: return "Undefined";
    case 256: return "NotChosen";
    default: return "unknown type";
    }
}

/* SPDX-License-Identifier: MIT */
/* The text form of each type: which literal syntax it takes and its integer range. */
#include "values/literal.h"

typedef struct type_row {
    uint8_t type;
    uint8_t kind;            /* s7p_lit_kind */
    uint8_t digits;          /* LK_HEX */
    uint8_t bits;            /* LK_UDEC, LK_HEX, LK_SDEC: value bits (OB numbers: 15) */
} type_row;

/* Softdatatype ids, not only the enum's names: the hardware, OB, connection, DB and AOM ids
 * each have a range of ids with the same values. */
static const type_row rows[] = {
    {S7P_T_BOOL, LK_BOOL, 0, 0},      {S7P_T_BBOOL, LK_BOOL, 0, 0},
    {S7P_T_BYTE, LK_HEX, 2, 8},       {S7P_T_WORD, LK_HEX, 4, 16},
    {S7P_T_DWORD, LK_HEX, 8, 32},     {S7P_T_LWORD, LK_HEX, 16, 64},
    {S7P_T_USINT, LK_UDEC, 0, 8},     {S7P_T_UINT, LK_UDEC, 0, 16},
    {S7P_T_COUNTER, LK_UDEC, 0, 16},  {S7P_T_TIMER, LK_UDEC, 0, 16},
    {S7P_T_BLOCK_FB, LK_UDEC, 0, 16}, {S7P_T_BLOCK_FC, LK_UDEC, 0, 16},
    {S7P_T_UDINT, LK_UDEC, 0, 32},    {S7P_T_ULINT, LK_UDEC, 0, 64},
    {S7P_T_SINT, LK_SDEC, 0, 8},      {S7P_T_INT, LK_SDEC, 0, 16},
    {S7P_T_DINT, LK_SDEC, 0, 32},     {S7P_T_LINT, LK_SDEC, 0, 64},
    {S7P_T_REAL, LK_REAL, 0, 0},      {S7P_T_LREAL, LK_LREAL, 0, 0},
    {S7P_T_CHAR, LK_CHAR, 0, 0},      {S7P_T_WCHAR, LK_WCHAR, 0, 0},
    {S7P_T_STRING, LK_STRING, 0, 0},  {S7P_T_WSTRING, LK_WSTRING, 0, 0},
    {S7P_T_TIME, LK_TIME, 0, 0},      {S7P_T_LTIME, LK_LTIME, 0, 0},
    {S7P_T_S5TIME, LK_S5TIME, 0, 0},  {S7P_T_TIME_OF_DAY, LK_TOD, 0, 0},
    {S7P_T_LTIME_OF_DAY, LK_LTOD, 0, 0}, {S7P_T_DATE, LK_DATE, 0, 0},
    {S7P_T_DATE_AND_TIME, LK_DT, 0, 0}, {S7P_T_LDT, LK_LDT, 0, 0},
    {S7P_T_DTL, LK_DTL, 0, 0},        {S7P_T_POINTER, LK_RAW, 0, 0},
    {S7P_T_ANY, LK_RAW, 0, 0},        {S7P_T_REMOTE, LK_RAW, 0, 0},
    /* AOM_Ident, Event_Any, Event_Att, AOM_AID, AOM_Link, Event_HwInt, Conn_R_ID */
    {128, LK_UDEC, 0, 32}, {129, LK_UDEC, 0, 32}, {130, LK_UDEC, 0, 32}, {132, LK_UDEC, 0, 32},
    {133, LK_UDEC, 0, 32}, {134, LK_UDEC, 0, 32}, {171, LK_UDEC, 0, 32},
    /* HW_Any .. HW_IEPort, Conn_Any, Conn_Prg, Conn_Ouc, Port, RTM, PIP, DB_Any .. DB_Dyn */
    {144, LK_UDEC, 0, 16}, {145, LK_UDEC, 0, 16}, {146, LK_UDEC, 0, 16}, {147, LK_UDEC, 0, 16},
    {148, LK_UDEC, 0, 16}, {149, LK_UDEC, 0, 16}, {150, LK_UDEC, 0, 16}, {151, LK_UDEC, 0, 16},
    {152, LK_UDEC, 0, 16}, {153, LK_UDEC, 0, 16}, {154, LK_UDEC, 0, 16}, {155, LK_UDEC, 0, 16},
    {156, LK_UDEC, 0, 16}, {168, LK_UDEC, 0, 16}, {169, LK_UDEC, 0, 16}, {170, LK_UDEC, 0, 16},
    {173, LK_UDEC, 0, 16}, {174, LK_UDEC, 0, 16}, {175, LK_UDEC, 0, 16}, {208, LK_UDEC, 0, 16},
    {209, LK_UDEC, 0, 16}, {210, LK_UDEC, 0, 16},
    /* OB numbers: 0..32767 */
    {160, LK_UDEC, 0, 15}, {161, LK_UDEC, 0, 15}, {162, LK_UDEC, 0, 15}, {163, LK_UDEC, 0, 15},
    {164, LK_UDEC, 0, 15}, {192, LK_UDEC, 0, 15}, {193, LK_UDEC, 0, 15}, {194, LK_UDEC, 0, 15},
    {195, LK_UDEC, 0, 15}, {196, LK_UDEC, 0, 15}, {197, LK_UDEC, 0, 15},
};

s7p_lit_type s7p_lit_describe(int type)
{
    s7p_lit_type t = {LK_NONE, 0, 0, 0, 0};
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        if (rows[k].type != type) continue;
        unsigned bits = rows[k].bits;
        t.k = (s7p_lit_kind)rows[k].kind;
        t.digits = rows[k].digits;
        if (bits) t.umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
        if (t.k == LK_SDEC) {
            t.smax = (int64_t)(t.umax >> 1);
            t.smin = -t.smax - 1;
        }
        return t;
    }
    return t;
}

bool s7p_type_has_text(int type) { return s7p_lit_describe(type).k != LK_NONE; }

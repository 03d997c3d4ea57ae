/* SPDX-License-Identifier: MIT */
/* Function codes and the names the PLC firmware gives them, both ways: for logs and traces
 * (client and simulator) and for naming a function on the simulator's command line. */
#include "proto/functions.h"

#include <stddef.h>
#include <strings.h>

#include "proto/ids.h"

static const struct {
    uint16_t code;
    const char *name;
} FUNCTIONS[] = {
    {S7P_FC_ERROR, "Error"}, {S7P_FC_EXPLORE, "Explore"},
    {S7P_FC_CREATE_OBJECT, "CreateObject"}, {S7P_FC_DELETE_OBJECT, "DeleteObject"},
    {S7P_FC_SET_VARIABLE, "SetVariable"}, {S7P_FC_GET_VARIABLE, "GetVariable"},
    {S7P_FC_ADD_LINK, "AddLink"}, {S7P_FC_REMOVE_LINK, "RemoveLink"},
    {S7P_FC_GET_LINK, "GetLink"}, {S7P_FC_SET_MULTI_VARIABLES, "SetMultiVariables"},
    {S7P_FC_GET_MULTI_VARIABLES, "GetMultiVariables"},
    {S7P_FC_BEGIN_SEQUENCE, "BeginSequence"}, {S7P_FC_END_SEQUENCE, "EndSequence"},
    {S7P_FC_INVOKE, "Invoke"}, {S7P_FC_SET_VAR_SUB_STREAMED, "SetVarSubStreamed"},
    {S7P_FC_GET_VAR_SUB_STREAMED, "GetVarSubStreamed"},
    {S7P_FC_GET_VARIABLES_ADDRESS, "GetVariablesAddress"}, {S7P_FC_ABORT, "Abort"},
    {S7P_FC_ERROR2, "Error2"}, {S7P_FC_INIT_SSL, "InitSsl"},
};

#define NFUNCTIONS (sizeof FUNCTIONS / sizeof FUNCTIONS[0])

const char *s7p_function_name(uint16_t function)
{
    for (size_t i = 0; i < NFUNCTIONS; i++)
        if (FUNCTIONS[i].code == function) return FUNCTIONS[i].name;
    return NULL;
}

bool s7p_function_code(const char *name, uint16_t *function)
{
    for (size_t i = 0; i < NFUNCTIONS; i++) {
        if (strcasecmp(FUNCTIONS[i].name, name) == 0) {
            *function = FUNCTIONS[i].code;
            return true;
        }
    }
    return false;
}

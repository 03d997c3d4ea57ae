/* SPDX-License-Identifier: MIT */
/* Names of S7CommPlus function codes ("GetMultiVariables"), both ways. */
#ifndef S7P_PROTO_FUNCTIONS_H
#define S7P_PROTO_FUNCTIONS_H

#include <stdbool.h>
#include <stdint.h>

/** The function's name as the PLC firmware names it, NULL if unknown. */
const char *s7p_function_name(uint16_t function);
/** The code of a function named (case-insensitively) as s7p_function_name() names it. */
bool s7p_function_code(const char *name, uint16_t *function);

#endif

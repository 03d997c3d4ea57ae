/* SPDX-License-Identifier: MIT */
/* The public functions about status codes and the library version. */
#include "s7plus/s7plus.h"
#include "util/status.h"

#define S7P_STR2(x) #x
#define S7P_STR(x) S7P_STR2(x)

const char *s7p_strerror(s7p_status s)
{
    return s7p_status_text(s);
}

const char *s7p_version(void)
{
    return S7P_STR(S7P_VERSION_MAJOR) "." S7P_STR(S7P_VERSION_MINOR) "." S7P_STR(S7P_VERSION_PATCH);
}

int s7p_version_number(void)
{
    return S7P_VERSION_NUMBER;
}

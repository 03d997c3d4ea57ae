/* SPDX-License-Identifier: MIT */
/* A program outside the s7plus tree: built against an installed libs7plus (pkg-config or
 * find_package, shared or static), it connects to HOST:PORT and prints the PLC's name. */
#include <stdio.h>
#include <stdlib.h>

#include <s7plus/s7plus.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: consumer HOST PORT\n");
        return 2;
    }
    if (s7p_version_number() != S7P_VERSION_NUMBER) {
        fprintf(stderr, "consumer: header %d, library %d\n", S7P_VERSION_NUMBER,
                s7p_version_number());
        return 1;
    }
    s7p_client_options o;
    s7p_client_options_init(&o);
    o.host = argv[1];
    o.port = (uint16_t)atoi(argv[2]);
    s7p_error err;
    s7p_client *c = NULL;
    s7p_cpu_info info;
    if (s7p_client_new(&c, &o, &err) != S7P_OK || s7p_connect(c, &err) != S7P_OK ||
        s7p_get_cpu_info(c, &info, &err) != S7P_OK) {
        fprintf(stderr, "consumer: %s\n", err.message);
        s7p_client_free(c);
        return 1;
    }
    printf("libs7plus %s: PLC %s\n", s7p_version(), info.plc_name);
    s7p_client_free(c);
    return 0;
}

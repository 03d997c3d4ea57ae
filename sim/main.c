/* s7plus-sim: a PLC simulator speaking S7CommPlus. The server arrives with the TLS session
 * issue; until then it only reports its version. */
#include <stdio.h>
#include <string.h>

#include "s7plus/s7plus.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("s7plus-sim %s\n", s7p_version());
        return 0;
    }
    fprintf(stderr, "s7plus-sim %s: the server is not built yet (see the issues)\n", s7p_version());
    return 1;
}

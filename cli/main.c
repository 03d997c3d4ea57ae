/* s7plus: the command-line tool. Commands arrive with the TLS session issue. */
#include <stdio.h>
#include <string.h>

#include <s7plus/s7plus.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("s7plus %s\n", s7p_version());
        return 0;
    }
    fprintf(stderr, "usage: s7plus --version\n");
    return 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errno oracle for ConformanceTest, compiled with gcc against the target's glibc <errno.h> or, with
 * -DVENDORED_ERRNO -I headers/include, against the vendored kernel table asm-generic/errno.h. errno_table.h, generated
 * by the test, has one ERRNO_NAME(E...) line per name (guarded by #ifdef, ERRNO_MISSING otherwise) for every name
 * that Errno reports or declares and every E* macro of asm-generic/errno-base.h and errno.h. Prints
 *   N <name> <value>          (or "N <name> undefined")
 *   S <n> <strerror(n)>       for every number given as an argument
 */
#ifdef VENDORED_ERRNO
#include <asm-generic/errno.h>
#else
#include <errno.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
#define ERRNO_NAME(N) printf("N %s %d\n", #N, N);
#define ERRNO_MISSING(N) printf("N %s undefined\n", #N);
#include "errno_table.h"
    for (int i = 1; i < argc; i++) {
        int n = atoi(argv[i]);
        printf("S %d %s\n", n, strerror(n));
    }
    return 0;
}

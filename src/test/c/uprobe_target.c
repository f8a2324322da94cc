/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A workload for the uprobe tests: calls probed() exactly argv[1] times and prints the sum of its results, so that
 * a uprobe on probed() must count exactly that many entries and a uretprobe that many returns.
 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) long probed(long x) {
    __asm__ volatile("" ::: "memory"); /* keeps the call and the function */
    return 2 * x + 1;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CALLS\n", argv[0]);
        return 2;
    }
    long calls = atol(argv[1]);
    long sum = 0;
    for (long i = 0; i < calls; i++) {
        sum += probed(i);
    }
    printf("%ld\n", sum);
    return 0;
}

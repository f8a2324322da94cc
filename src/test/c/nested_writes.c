/*
 * Workload of SamplerExactnessTest: main calls outer, outer calls middle, middle calls inner, and inner writes the
 * global `written` once per call, N times (N = argv[1]). Built with -O0 -fno-omit-frame-pointer -no-pie, so that
 * every function keeps its frame (the kernel's user callchain walks frame pointers) and the addresses that nm
 * prints are the addresses the process runs at.
 */
#include <stdlib.h>

volatile long written;

__attribute__((noinline)) void inner(long i) {
    written = i;
}

__attribute__((noinline)) void middle(long i) {
    inner(i);
}

__attribute__((noinline)) void outer(long i) {
    middle(i);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 0;
    for (long i = 0; i < n; i++) {
        outer(i);
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A CPU-bound program where one function dominates by construction, for the perf.data tests: main calls
 * dominant_hot_loop for 9 units of work and minor_cold_loop for 1, each a loop without calls, for about
 * argv[1] milliseconds of CPU time in all. Compiled -O0 -fno-omit-frame-pointer so every function keeps its frame.
 */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static double cpu_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

__attribute__((noinline)) void dominant_hot_loop(double ms) {
    double end = cpu_ms() + ms;
    while (cpu_ms() < end) {
        for (unsigned long i = 0; i < 100000; i++) {
            sink += i * 7;
        }
    }
}

__attribute__((noinline)) void minor_cold_loop(double ms) {
    double end = cpu_ms() + ms;
    while (cpu_ms() < end) {
        for (unsigned long i = 0; i < 100000; i++) {
            sink += i * 3;
        }
    }
}

int main(int argc, char **argv) {
    double total = argc > 1 ? atof(argv[1]) : 300;
    dominant_hot_loop(total * 0.9);
    minor_cold_loop(total * 0.1);
    return 0;
}

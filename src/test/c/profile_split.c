/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 *
 * A program with a known call structure for the profiler's tests, built with -O0 -fno-omit-frame-pointer (at -O2
 * gcc gives the leaves no frame and a vanishes from the stacks): main -> a -> b takes about 2/3 of the CPU time and
 * main -> c about 1/3. The leaves are loops without calls. main measures the CPU time of each branch itself
 * (CLOCK_PROCESS_CPUTIME_ID around each call) and writes "a <ns> c <ns>" to FILE at the end, so the test compares
 * the profile's shares with what the program measured rather than with the 2:1 it aims at.
 * Usage: profile_split CPU-SECONDS FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static long cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

__attribute__((noinline)) void b(unsigned long n) {
    unsigned long x = sink;
    for (unsigned long i = 0; i < n; i++) {
        x = x * 6364136223846793005UL + i;
    }
    sink = x;
}

__attribute__((noinline)) void a(unsigned long n) {
    b(n);
}

__attribute__((noinline)) void c(unsigned long n) {
    unsigned long x = sink;
    for (unsigned long i = 0; i < n; i++) {
        x = x * 6364136223846793005UL + i;
    }
    sink = x;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s CPU-SECONDS FILE\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[1]);
    long end = cpu_ns() + (long) (seconds * 1e9);
    long in_a = 0, in_c = 0;
    unsigned long n = 200000;
    for (long now = cpu_ns(); now < end;) {
        long t0 = now;
        a(2 * n);
        long t1 = cpu_ns();
        c(n);
        now = cpu_ns();
        in_a += t1 - t0;
        in_c += now - t1;
    }
    FILE *out = fopen(argv[2], "w");
    if (out == NULL) {
        perror(argv[2]);
        return 1;
    }
    fprintf(out, "a %ld c %ld\n", in_a, in_c);
    return fclose(out) == 0 ? 0 : 1;
}

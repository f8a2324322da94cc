/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Functions with known names for the symbolizer tests, linked against symbolize_lib.c:
 *
 *   symbolize_target addresses   prints "name 0xADDRESS" for main, caller, hot and the library's lib_inner, then
 *                                waits for a line on stdin (the test reads the process's mappings meanwhile)
 *   symbolize_target spin MS     runs for MS milliseconds of CPU, nearly all of it in hot, called by caller, called
 *                                by main; a little in the library
 *   symbolize_target syscalls MS runs for MS milliseconds of CPU calling getppid(2), a system call with no vDSO
 *                                shortcut: most of the time is in the kernel, under the syscall's entry
 *
 * Built with -O0 -fno-omit-frame-pointer so that every function has a frame and callchains through frame pointers
 * name each caller (at -O2 gcc gives the leaf no frame and its caller vanishes from the chain).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern long lib_work(long n);
extern void *lib_inner_address(void);

static volatile long sink;

/* The loop has no call in it: every sample taken here has hot as its leaf. */
__attribute__((noinline)) long hot(long n) {
    long s = 0;
    for (long i = 0; i < n; i++) {
        s += (i * i) ^ (s >> 7);
    }
    sink = s;
    return s;
}

__attribute__((noinline)) long caller(long n) {
    return hot(n) + 1;
}

static double cpu_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "addresses") == 0) {
        printf("main %p\ncaller %p\nhot %p\nlib_inner %p\n", (void *) main, (void *) caller, (void *) hot,
               lib_inner_address());
        fflush(stdout);
        char line[16];
        return fgets(line, sizeof line, stdin) == NULL;
    }
    double ms = argc > 2 ? atof(argv[2]) : 300;
    double start = cpu_ms();
    if (argc > 1 && strcmp(argv[1], "syscalls") == 0) {
        long pids = 0;
        while (cpu_ms() - start < ms) {
            for (int i = 0; i < 1000; i++) {
                pids += getppid();
            }
        }
        return pids == 0;
    }
    while (cpu_ms() - start < ms) {
        caller(2000000);
        lib_work(20000);
    }
    return 0;
}

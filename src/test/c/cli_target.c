/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command the command-line tool's tests count:
 *
 *   cli_target pages N          touches N fresh pages (one page fault each, huge pages disabled), exits 0
 *   cli_target exit N           exits with status N
 *   cli_target kill SIG         sends itself signal SIG
 *   cli_target spin MS          runs on the CPU until it has used MS milliseconds of CPU time, then exits 0
 *   cli_target argv FILE ARG... writes each ARG to FILE followed by a NUL byte, byte for byte
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* CPU time used by this process, so that a busy machine makes a spin last longer rather than use less CPU. */
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: cli_target pages|exit|kill|spin N, or argv FILE ARG...\n");
        return 2;
    }
    if (strcmp(argv[1], "pages") == 0) {
        long n = atol(argv[2]);
        long page = sysconf(_SC_PAGESIZE);
        char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 3;
        }
        madvise(p, n * page, MADV_NOHUGEPAGE);
        for (long i = 0; i < n; i++) {
            p[i * page] = 1;
        }
        return 0;
    }
    if (strcmp(argv[1], "exit") == 0) {
        return atoi(argv[2]);
    }
    if (strcmp(argv[1], "kill") == 0) {
        raise(atoi(argv[2]));
        return 0;
    }
    if (strcmp(argv[1], "spin") == 0) {
        double end = now() + atol(argv[2]) / 1000.0;
        volatile unsigned long x = 0;
        while (now() < end) {
            x++;
        }
        return 0;
    }
    if (strcmp(argv[1], "argv") == 0) {
        FILE *f = fopen(argv[2], "wb");
        if (f == NULL) {
            perror("fopen");
            return 4;
        }
        for (int i = 3; i < argc; i++) {
            fwrite(argv[i], 1, strlen(argv[i]) + 1, f);
        }
        return fclose(f) == 0 ? 0 : 5;
    }
    fprintf(stderr, "cli_target: unknown mode %s\n", argv[1]);
    return 2;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A stand-in for a JIT, for the perf.data tests: copies the machine code of a small leaf function into an anonymous
 * mapping, makes it executable (PROT_READ | PROT_EXEC, no file behind it: what a JVM's code cache looks like in
 * /proc/<pid>/maps), prints "<address> <length>" in hexadecimal, then runs the copy until stdin is closed.
 * Compiled -O0 so the loop is position-independent code without calls.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

__attribute__((noinline)) unsigned long jitted_leaf(unsigned long n) {
    volatile unsigned long s = 0;
    for (unsigned long i = 0; i < n; i++) {
        s += i;
    }
    return s;
}

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *code = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    memcpy(code, (const void *) jitted_leaf, 256);
    if (mprotect(code, page, PROT_READ | PROT_EXEC) != 0) {
        perror("mprotect");
        return 1;
    }
    __builtin___clear_cache((char *) code, (char *) code + page);
    unsigned long (*leaf)(unsigned long) = (unsigned long (*)(unsigned long)) code;
    printf("%lx %lx\n", (unsigned long) code, (unsigned long) page);
    fflush(stdout);
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    char buffer[64];
    for (;;) {
        leaf(1000000);
        if (read(0, buffer, sizeof buffer) == 0) {
            return 0;
        }
    }
}

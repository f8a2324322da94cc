/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Workloads for the target and child-process tests; each touches fresh pages (one page fault each, huge pages
 * disabled) in a known shape:
 *
 *   workload fork K M      forks K children that each touch M pages; the parent touches none and waits for them
 *   workload threads T M   starts T threads, waits for a line on stdin, then each thread touches M pages
 *   workload wait M        waits for a line on stdin, then touches M pages
 *   workload churn T 0     keeps T short-lived threads coming and going (each lives about 200 us) until killed
 *
 * "threads" and "wait" print "ready" once set up, so the test knows when to open its counters.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static long pages;

static void touch(long n) {
    long page = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(3);
    }
    madvise(p, n * page, MADV_NOHUGEPAGE);
    for (long i = 0; i < n; i++) {
        p[i * page] = 1;
    }
    munmap(p, n * page);
}

static pthread_barrier_t go;

static void *worker(void *unused) {
    (void) unused;
    pthread_barrier_wait(&go);
    touch(pages);
    return NULL;
}

static void *short_lived(void *unused) {
    (void) unused;
    usleep(200);
    return NULL;
}

static void churn(long count) {
    pthread_t threads[64];
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        for (long i = 0; i < count; i++) {
            pthread_create(&threads[i], NULL, short_lived, NULL);
        }
        for (long i = 0; i < count; i++) {
            pthread_join(threads[i], NULL);
        }
    }
}

static void await_line(void) {
    char line[16];
    printf("ready\n");
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL) {
        exit(4);
    }
}

int main(int argc, char **argv) {
    if (argc != 4 && !(argc == 3 && strcmp(argv[1], "wait") == 0)) {
        fprintf(stderr, "usage: %s fork K M | threads T M | churn T 0 | wait M\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "wait") == 0) {
        pages = atol(argv[2]);
        await_line();
        touch(pages);
        return 0;
    }
    long count = atol(argv[2]);
    pages = atol(argv[3]);
    if (strcmp(argv[1], "fork") == 0) {
        for (long i = 0; i < count; i++) {
            pid_t child = fork();
            if (child == 0) {
                touch(pages);
                _exit(0);
            }
            if (child < 0) {
                perror("fork");
                return 3;
            }
            waitpid(child, NULL, 0);
        }
        return 0;
    }
    if (count > 64) {
        return 2;
    }
    if (strcmp(argv[1], "churn") == 0) {
        churn(count);
    }
    pthread_t threads[64];
    pthread_barrier_init(&go, NULL, (unsigned) count + 1);
    for (long i = 0; i < count; i++) {
        pthread_create(&threads[i], NULL, worker, NULL);
    }
    await_line();
    pthread_barrier_wait(&go);
    for (long i = 0; i < count; i++) {
        pthread_join(threads[i], NULL);
    }
    return 0;
}

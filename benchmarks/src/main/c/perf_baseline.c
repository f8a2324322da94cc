/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 *
 * The C baseline of the raw-layer benchmarks: each function performs the same system call(s) as one Java
 * benchmark invocation, n times in a tight loop, so that the JMH benchmark that calls it once through FFM (with
 * @OperationsPerInvocation(n)) measures the cost of the system call from C, with the FFM call amortised away.
 *
 * Each loop stops at the first failure and returns the negated errno, as the Java raw layer reports it; on
 * success it returns a value that depends on every call (so nothing can be optimised away).
 *
 * Built by the benchmarks' own build (pom.xml, exec-maven-plugin) with:
 *   gcc -O2 -fPIC -shared -Wall -Wextra -Werror -I../headers/include -o libperfbaseline.so perf_baseline.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* read(2) of an event into buf (len bytes), n times; returns the total of bytes read. */
long c_read_loop(int fd, void *buf, long len, long n) {
    long total = 0;
    for (long i = 0; i < n; i++) {
        ssize_t r = read(fd, buf, (size_t) len);
        if (r < 0) {
            return -errno;
        }
        total += r;
    }
    return total;
}

/* PERF_EVENT_IOC_ENABLE then PERF_EVENT_IOC_DISABLE (flags 0, passed as a 64-bit value), n times; returns 0. */
long c_enable_disable_loop(int fd, long n) {
    for (long i = 0; i < n; i++) {
        if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0UL) < 0) {
            return -errno;
        }
        if (ioctl(fd, PERF_EVENT_IOC_DISABLE, 0UL) < 0) {
            return -errno;
        }
    }
    return 0;
}

/*
 * syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags) then close(2) of the new fd, n times, every
 * argument passed as a 64-bit value like the Java side does; returns the sum of the fds that were opened.
 */
long c_open_close_loop(struct perf_event_attr *attr, int pid, int cpu, int group_fd, unsigned long flags, long n) {
    long total = 0;
    for (long i = 0; i < n; i++) {
        long fd = syscall(SYS_perf_event_open, attr, (long) pid, (long) cpu, (long) group_fd, flags);
        if (fd < 0) {
            return -errno;
        }
        if (close((int) fd) < 0) {
            return -errno;
        }
        total += fd;
    }
    return total;
}

/*
 * Does nothing: the same signature as read(2), for measuring what a downcall itself costs (thread-state
 * transition, errno capture) without a system call's noise. See DowncallOverheadBenchmark.
 */
long c_nop(int fd, void *buf, long len) {
    (void) fd;
    (void) buf;
    return len;
}

/*
 * Walks the records of buf (len bytes) the way RecordDecodingBenchmark's cursor does, for samples laid out as
 * IDENTIFIER | IP | TID | TIME | CPU | PERIOD | CALLCHAIN: checks each header.size (at least 8, a multiple of 8,
 * inside the buffer) and each callchain's nr against its record, and sums ip, pid, tid, time, cpu, period and every
 * callchain entry of every PERF_RECORD_SAMPLE; other records are skipped by their size. Returns the sum, or -1 at the
 * first record the kernel could not have written.
 */
long c_decode_samples(const unsigned char *buf, long len) {
    long sum = 0;
    long offset = 0;
    while (offset < len) {
        if (len - offset < (long) sizeof(struct perf_event_header)) {
            return -1;
        }
        const struct perf_event_header *header = (const struct perf_event_header *) (buf + offset);
        long size = header->size;
        if (size < 8 || size % 8 != 0 || size > len - offset) {
            return -1;
        }
        if (header->type == PERF_RECORD_SAMPLE) {
            const __u64 *word = (const __u64 *) (header + 1);
            long words = size / 8 - 1;
            if (words < 7) {
                return -1;
            }
            const __u32 *tid = (const __u32 *) &word[2];
            const __u32 *cpu = (const __u32 *) &word[4];
            __u64 nr = word[6];
            if (nr > (__u64) (words - 7)) {
                return -1;
            }
            sum += (long) (word[1] + tid[0] + tid[1] + word[3] + cpu[0] + word[5]);
            for (__u64 i = 0; i < nr; i++) {
                sum += (long) word[7 + i];
            }
        }
        offset += size;
    }
    return sum;
}

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.benchmarks;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_SOFTWARE;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** What the benchmarks measure on: a software event that every Linux machine has, VMs without a PMU included. */
final class Fixtures {

    /** The number of system calls each C loop makes per JMH invocation ({@code @OperationsPerInvocation}). */
    static final int N = 1000;

    /** {@code PERF_FLAG_FD_CLOEXEC}, the flag every fd is opened with. */
    static final long FLAGS = PERF_FLAG_FD_CLOEXEC();

    private Fixtures() {
    }

    /**
     * {@code task-clock} on the calling thread, created disabled, user space only ({@code exclude_kernel},
     * {@code exclude_hv}: it opens at {@code perf_event_paranoid} 2 without privileges), full 7.2-size attr.
     */
    static MemorySegment taskClock(Arena arena) {
        MemorySegment attr = perf_event_attr.allocate(arena);
        perf_event_attr.type(attr, PERF_TYPE_SOFTWARE());
        perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
        perf_event_attr.config(attr, PERF_COUNT_SW_TASK_CLOCK());
        perf_event_attr_bits.disabled(attr, 1);
        perf_event_attr_bits.exclude_kernel(attr, 1);
        perf_event_attr_bits.exclude_hv(attr, 1);
        return attr;
    }

    /** Opens {@code attr} on the calling thread, any CPU; fails the benchmark with the errno's name. */
    static int open(MemorySegment attr) {
        int fd = Syscalls.perfEventOpen(attr, 0, -1, -1, FLAGS);
        if (fd < 0) {
            throw new IllegalStateException("perf_event_open(task-clock, this thread) failed: " + Errno.describe(fd)
                    + " (is /proc/sys/kernel/perf_event_paranoid above 2, or perf_event_open blocked by seccomp?)");
        }
        return fd;
    }

    /** Fails the benchmark unless a raw result (or a C loop's result) is {@code expected}. */
    static void check(long result, long expected, String what) {
        if (result != expected) {
            throw new IllegalStateException(what + ": expected " + expected + ", got " + result
                    + (result < 0 ? " (" + Errno.describe((int) result) + ")" : ""));
        }
    }

    /** Fails the benchmark unless a raw result (or a C loop's result) is not negative. */
    static void checkOk(long result, String what) {
        if (result < 0) {
            throw new IllegalStateException(what + " failed: " + Errno.describe((int) result));
        }
    }
}

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.github.perfevent.sys.bindings.perf_event_h.*;

/**
 * The raw layer on its own: counts this thread's task-clock and page faults over a small piece of work with
 * {@code Syscalls}, and prints them. Run with
 * {@code java --enable-native-access=ALL-UNNAMED -cp target/classes src/examples/java/CountTaskClock.java}.
 */
public class CountTaskClock {

    public static void main(String[] args) {
        try (Arena arena = Arena.ofConfined()) {
            int clock = open(arena, PERF_COUNT_SW_TASK_CLOCK());
            int faults = open(arena, PERF_COUNT_SW_PAGE_FAULTS());
            Syscalls.enable(clock, 0);
            Syscalls.enable(faults, 0);

            MemorySegment touched = arena.allocate(16L << 20);  // 16 MiB: 4096 fresh pages to fault in
            for (long page = 0; page < touched.byteSize(); page += 4096) {
                touched.set(ValueLayout.JAVA_BYTE, page, (byte) 1);
            }

            Syscalls.disable(clock, 0);
            Syscalls.disable(faults, 0);
            System.out.printf("task-clock  %,12d ns%n", read(arena, clock));
            System.out.printf("page-faults %,12d%n", read(arena, faults));
            Syscalls.close(clock);
            Syscalls.close(faults);
        }
    }

    static int open(Arena arena, int softwareEvent) {
        MemorySegment attr = perf_event_attr.allocate(arena);     // zeroed
        perf_event_attr.type(attr, PERF_TYPE_SOFTWARE());
        perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
        perf_event_attr.config(attr, softwareEvent);
        perf_event_attr_bits.disabled(attr, 1);
        perf_event_attr_bits.exclude_kernel(attr, 1);              // allowed at perf_event_paranoid 2
        int fd = Syscalls.perfEventOpen(attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC());
        if (fd < 0) {
            throw new IllegalStateException("perf_event_open: " + Errno.describe(fd));
        }
        return fd;
    }

    static long read(Arena arena, int fd) {
        MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
        long n = Syscalls.read(fd, value);
        if (n < 0) {
            throw new IllegalStateException("read: " + Errno.describe((int) n));
        }
        return value.get(ValueLayout.JAVA_LONG, 0);
    }
}

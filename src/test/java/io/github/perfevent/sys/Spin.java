package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Test support: a busy-spinning workload measured in this thread's CPU time (by a task-clock counter), not in wall
 * time, so that a test that expects N periods of a task-clock sampling event gets them even on a loaded machine.
 */
public final class Spin {

    private Spin() {
    }

    /** Spins in user mode until this thread has run for at least {@code millis} ms of CPU time. */
    public static void cpu(long millis) {
        long target = TimeUnit.MILLISECONDS.toNanos(millis);
        long limit = TimeUnit.SECONDS.toNanos(10) + 20 * target;
        long deadline = System.nanoTime() + limit;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            perf_event_attr_bits.disabled(attr, 0);
            int fd = Attrs.open(attr, 0, -1, -1);
            try {
                MemorySegment value = arena.allocate(JAVA_LONG);
                while (true) {
                    long end = System.nanoTime() + 50_000; // System.nanoTime is a vDSO call: no kernel entry
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    long n = Syscalls.read(fd, value);
                    if (n != Long.BYTES) {
                        throw new AssertionError("read of the task-clock counter: " + Errno.describe((int) n));
                    }
                    if (value.get(JAVA_LONG, 0) >= target) {
                        return;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("this thread got less than " + millis + " ms of CPU in "
                                + TimeUnit.NANOSECONDS.toMillis(limit) + " ms");
                    }
                }
            } finally {
                Syscalls.close(fd);
            }
        }
    }
}

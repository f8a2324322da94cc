package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_SOFTWARE;

import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Test support: building attrs and opening events with the raw layer, failing the test with the errno's name. */
final class Attrs {

    private Attrs() {
    }

    /** A zeroed attr of the full 7.2 size with {@code type}, {@code config} and {@code disabled = 1} set. */
    static MemorySegment disabled(Arena arena, int type, long config) {
        MemorySegment attr = perf_event_attr.allocate(arena);
        perf_event_attr.type(attr, type);
        perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
        perf_event_attr.config(attr, config);
        perf_event_attr_bits.disabled(attr, 1);
        return attr;
    }

    /** A disabled software event (exclude_kernel and exclude_hv set, so it also opens at paranoid level 2). */
    static MemorySegment software(Arena arena, long config) {
        MemorySegment attr = disabled(arena, PERF_TYPE_SOFTWARE(), config);
        perf_event_attr_bits.exclude_kernel(attr, 1);
        perf_event_attr_bits.exclude_hv(attr, 1);
        return attr;
    }

    /** Opens with {@code PERF_FLAG_FD_CLOEXEC}; a failure fails the test with the errno's name. */
    static int open(MemorySegment attr, int pid, int cpu, int groupFd) {
        int fd = Syscalls.perfEventOpen(attr, pid, cpu, groupFd, PERF_FLAG_FD_CLOEXEC());
        if (fd < 0) {
            throw new AssertionError("perf_event_open failed: " + Errno.describe(fd));
        }
        return fd;
    }

    /** Reads the first u64 of the event's read_format (the count); a failure fails the test. */
    static long readCount(Arena arena, int fd) {
        MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
        long n = Syscalls.read(fd, value);
        if (n < 0) {
            throw new AssertionError("read failed: " + Errno.describe((int) n));
        }
        return value.get(ValueLayout.JAVA_LONG, 0);
    }

    /** Asserts a raw result is 0 (success), naming the errno otherwise. */
    static void ok(int result, String call) {
        if (result != 0) {
            throw new AssertionError(call + " failed: " + (result < 0 ? Errno.describe(result) : "returned " + result));
        }
    }
}

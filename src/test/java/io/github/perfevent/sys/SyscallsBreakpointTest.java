package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.HW_BREAKPOINT_LEN_8;
import static io.github.perfevent.sys.bindings.perf_event_h.HW_BREAKPOINT_R;
import static io.github.perfevent.sys.bindings.perf_event_h.HW_BREAKPOINT_W;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_PAGE_FAULTS;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_BREAKPOINT;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_SOFTWARE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.junit.jupiter.api.Test;

/**
 * PERF_EVENT_IOC_MODIFY_ATTRIBUTES against the real kernel: a hardware write breakpoint (type 5, which works in this
 * VM without a PMU) on a native 8-byte slot counts the writes to it exactly, and moving {@code bp_addr} moves what it
 * counts.
 */
class SyscallsBreakpointTest {

    private static final int WRITES = 100;
    /** Volatile stores: one real store per call, which the JIT may not merge or drop. */
    private static final VarHandle SLOT = JAVA_LONG.varHandle();

    /** A write breakpoint on the 8 bytes of {@code slot}, user mode only, disabled. */
    private static MemorySegment writeBreakpoint(Arena arena, MemorySegment slot) {
        MemorySegment attr = Attrs.disabled(arena, PERF_TYPE_BREAKPOINT(), 0);
        perf_event_attr.bp_type(attr, HW_BREAKPOINT_W());
        perf_event_attr.bp_len(attr, HW_BREAKPOINT_LEN_8());
        perf_event_attr.bp_addr(attr, slot.address());
        perf_event_attr_bits.exclude_kernel(attr, 1);
        perf_event_attr_bits.exclude_hv(attr, 1);
        return attr;
    }

    private static void write(MemorySegment slot, int times) {
        for (int i = 0; i < times; i++) {
            SLOT.setVolatile(slot, 0L, (long) i);
        }
    }

    @Test
    void writeBreakpointCountsEveryWriteToTheSlotExactly() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment slot = arena.allocate(JAVA_LONG);
            MemorySegment elsewhere = arena.allocate(JAVA_LONG);
            int fd = fds.open(writeBreakpoint(arena, slot), 0, -1, -1);
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            write(slot, WRITES);
            write(elsewhere, 37);
            long unused = (long) SLOT.getVolatile(slot, 0L); // a read does not count for a W breakpoint
            Attrs.ok(Syscalls.disable(fd, 0), "disable");
            assertEquals(WRITES, Attrs.readCount(arena, fd));
        }
    }

    @Test
    void modifyAttributesMovesTheBreakpointToAnotherSlot() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment first = arena.allocate(JAVA_LONG);
            MemorySegment second = arena.allocate(JAVA_LONG);
            MemorySegment attr = writeBreakpoint(arena, first);
            int fd = fds.open(attr, 0, -1, -1);
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            write(first, WRITES);
            write(second, 50);
            assertEquals(WRITES, Attrs.readCount(arena, fd), "count on the first slot");

            // The kernel applies the new attr's disabled bit too: clear it to keep the event running.
            perf_event_attr.bp_addr(attr, second.address());
            perf_event_attr_bits.disabled(attr, 0);
            Attrs.ok(Syscalls.modifyAttributes(fd, attr), "MODIFY_ATTRIBUTES(bp_addr = second)");
            write(first, WRITES);
            write(second, 50);
            Attrs.ok(Syscalls.disable(fd, 0), "disable");
            assertEquals(WRITES + 50, Attrs.readCount(arena, fd), "only the 50 writes to the second slot were added");
        }
    }

    @Test
    void modifyAttributesAppliesTheDisabledBitOfTheNewAttr() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment first = arena.allocate(JAVA_LONG);
            MemorySegment second = arena.allocate(JAVA_LONG);
            MemorySegment attr = writeBreakpoint(arena, first);
            int fd = fds.open(attr, 0, -1, -1);
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            perf_event_attr.bp_addr(attr, second.address()); // disabled is still 1 in attr
            Attrs.ok(Syscalls.modifyAttributes(fd, attr), "MODIFY_ATTRIBUTES(disabled = 1)");
            write(first, WRITES);
            write(second, WRITES);
            assertEquals(0, Attrs.readCount(arena, fd), "count of a breakpoint modified with disabled = 1");
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            write(second, 7);
            assertEquals(7, Attrs.readCount(arena, fd), "count after enabling again");
        }
    }

    @Test
    void modifyAttributesRejectsChangesBeyondTheBreakpointFieldsWithEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment slot = arena.allocate(JAVA_LONG);
            MemorySegment attr = writeBreakpoint(arena, slot);
            int fd = fds.open(attr, 0, -1, -1);

            perf_event_attr.sample_period(attr, 5);
            assertEquals(-Errno.EINVAL, Syscalls.modifyAttributes(fd, attr), "a changed sample_period");
            perf_event_attr.sample_period(attr, 0);

            perf_event_attr.bp_type(attr, HW_BREAKPOINT_R());
            assertEquals(-Errno.EINVAL, Syscalls.modifyAttributes(fd, attr), "bp_type R alone (refused on x86)");
            perf_event_attr.bp_type(attr, HW_BREAKPOINT_W());

            MemorySegment software = Attrs.software(arena, PERF_COUNT_SW_PAGE_FAULTS());
            assertEquals(-Errno.EINVAL, Syscalls.modifyAttributes(fd, software), "another type");
            assertEquals(-Errno.EFAULT, Syscalls.modifyAttributes(fd, MemorySegment.NULL), "NULL");

            // The event is unharmed: the unchanged attr is accepted, and it counts.
            Attrs.ok(Syscalls.modifyAttributes(fd, attr), "MODIFY_ATTRIBUTES(unchanged)");
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            write(slot, 3);
            assertEquals(3, Attrs.readCount(arena, fd));
        }
    }

    @Test
    void modifyAttributesOnASoftwareEventFailsWithEopnotsupp() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_PAGE_FAULTS());
            int fd = fds.open(attr, 0, -1, -1);
            assertEquals(-Errno.EOPNOTSUPP, Syscalls.modifyAttributes(fd, attr), "page-faults, same attr");
        }
    }

    @Test
    void modifyAttributesOnTaskClockFailsWithEinvalBecauseTheKernelMovedItToItsOwnPmu() {
        // perf_event_modify_attr compares attr.type first. task-clock opened as PERF_TYPE_SOFTWARE is served by the
        // task_clock PMU, whose event carries that PMU's type, so even the attr it was opened with mismatches.
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            int fd = fds.open(attr, 0, -1, -1);
            assertEquals(PERF_TYPE_SOFTWARE(), perf_event_attr.type(attr), "the kernel does not write back the type");
            assertEquals(-Errno.EINVAL, Syscalls.modifyAttributes(fd, attr), "task-clock, same attr");
        }
    }

    @Test
    void modifyAttributesRefusesAnAttrShorterThanItsSize() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment slot = arena.allocate(JAVA_LONG);
            MemorySegment attr = writeBreakpoint(arena, slot);
            int fd = fds.open(attr, 0, -1, -1);
            MemorySegment truncated = attr.asSlice(0, perf_event_attr.sizeof() - 8);
            assertThrows(IllegalArgumentException.class, () -> Syscalls.modifyAttributes(fd, truncated));
        }
    }
}

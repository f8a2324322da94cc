package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_ATTR_SIZE_VER0;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_ATTR_SIZE_VER8;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_ATTR_SIZE_VER9;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_HW_CPU_CYCLES;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_CALLCHAIN;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_IP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_READ;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_HARDWARE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failing call of the raw layer that a counting user can make, made for real: each asserts the exact
 * negated errno the kernel gives (see ENVIRONMENT.md, "Errors seen"), and the size guards that stop a call before it
 * reaches the kernel.
 */
class SyscallsErrorsTest {

    private static final long FLAGS = PERF_FLAG_FD_CLOEXEC();

    /** The PERF_ATTR_SIZE_VER* values of the vendored header. */
    private static final Set<Integer> ATTR_SIZES = Set.of(64, 72, 80, 96, 104, 112, 120, 128, 136, 144);

    private static void assertErrno(int expectedErrno, long actual, String call) {
        assertEquals(-expectedErrno, actual, () -> call + ": expected " + Errno.describe(expectedErrno) + ", got "
                + (actual < 0 ? Errno.describe((int) actual) : "success (" + actual + ")"));
    }

    /**
     * Opens {@code attr} for the calling thread and asserts it fails with {@code expectedErrno}; a call that
     * succeeds by mistake has its fd closed before the assertion fails.
     */
    private static void assertOpenFails(int expectedErrno, MemorySegment attr, int pid, int cpu, int groupFd,
            String what) {
        int fd = Syscalls.perfEventOpen(attr, pid, cpu, groupFd, FLAGS);
        if (fd >= 0) {
            Syscalls.close(fd);
        }
        assertErrno(expectedErrno, fd, what);
    }

    private static MemorySegment taskClock(Arena arena) {
        return Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
    }

    /** A sampling task-clock: one sample per millisecond of CPU time, samples carry the IP. */
    private static MemorySegment sampling(Arena arena) {
        MemorySegment attr = taskClock(arena);
        perf_event_attr.sample_period(attr, 1_000_000);
        perf_event_attr.sample_type(attr, PERF_SAMPLE_IP());
        return attr;
    }

    /** The size of the kernel's own {@code perf_event_attr}, as it writes it back after an E2BIG. */
    private static int kernelAttrSize(Arena arena) {
        MemorySegment attr = taskClock(arena);
        perf_event_attr.size(attr, 1);
        assertOpenFails(Errno.E2BIG, attr, 0, -1, -1, "attr.size 1");
        return perf_event_attr.size(attr);
    }

    // ---------------------------------------------------------------------------------------------------------
    // attr.size

    @Test
    void sizeOneToSixtyThreeIsE2bigAndTheKernelWritesBackItsOwnSize() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int kernelSize = -1;
            for (int size = 1; size < PERF_ATTR_SIZE_VER0(); size++) {
                MemorySegment attr = taskClock(arena);
                perf_event_attr.size(attr, size);
                assertOpenFails(Errno.E2BIG, attr, 0, -1, -1, "attr.size " + size);
                int written = perf_event_attr.size(attr);
                assertTrue(ATTR_SIZES.contains(written) && written >= PERF_ATTR_SIZE_VER8(),
                        "size " + size + ": the kernel wrote back " + written + ", not a PERF_ATTR_SIZE_VER* >= VER8");
                if (kernelSize < 0) {
                    kernelSize = written;
                }
                assertEquals(kernelSize, written, "the kernel's size changed between calls");

                int fd = fds.open(attr, -1); // retrying with the size the kernel wrote back succeeds
                assertEquals(0, fds.closeNow(fd));
            }
        }
    }

    @Test
    void sizeZeroMeansVer0AndOpens() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = taskClock(arena);
            perf_event_attr.size(attr, 0);
            fds.open(attr, -1);
        }
    }

    @Test
    void theFull144ByteAttrWithAZeroTailOpens() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = taskClock(arena);
            assertEquals(PERF_ATTR_SIZE_VER9(), perf_event_attr.size(attr), "Attrs builds the header's full size");
            assertEquals(0, perf_event_attr.config4(attr));
            int fd = fds.open(attr, -1);
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            Fixtures.spin(1_000_000);
            assertTrue(Attrs.readCount(arena, fd) > 0, "the 144-byte attr counts");
        }
    }

    @Test
    void config4IsE2bigOnAKernelWhoseStructEndsBeforeIt() {
        try (Arena arena = Arena.ofConfined()) {
            int kernelSize = kernelAttrSize(arena);
            Assumptions.assumeTrue(kernelSize < PERF_ATTR_SIZE_VER9(),
                    "this kernel's perf_event_attr is " + kernelSize + " bytes: it knows config4");
            MemorySegment attr = taskClock(arena);
            perf_event_attr.config4(attr, 1);
            assertOpenFails(Errno.E2BIG, attr, 0, -1, -1, "config4 = 1 on a " + kernelSize + "-byte kernel attr");
            assertEquals(kernelSize, perf_event_attr.size(attr), "the kernel writes its size back");
        }
    }

    @Test
    void anyNonZeroByteBeyondTheKernelsStructIsE2big() {
        try (Arena arena = Arena.ofConfined()) {
            int kernelSize = kernelAttrSize(arena);
            int pageSize = (int) Fixtures.PAGE_SIZE;
            for (int offset : new int[] {kernelSize, kernelSize + 7, pageSize / 2, pageSize - 1}) {
                MemorySegment attr = arena.allocate(pageSize);
                MemorySegment.copy(taskClock(arena), 0, attr, 0, perf_event_attr.sizeof());
                perf_event_attr.size(attr, pageSize);
                attr.set(JAVA_BYTE, offset, (byte) 1);
                assertOpenFails(Errno.E2BIG, attr, 0, -1, -1, "a byte at " + offset + " of a " + pageSize
                        + "-byte attr");
                assertEquals(kernelSize, perf_event_attr.size(attr), "the kernel writes its size back");
            }
        }
    }

    @Test
    void aPageSizedAttrWithAZeroTailOpensAndOneByteMoreIsE2big() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int pageSize = (int) Fixtures.PAGE_SIZE;
            MemorySegment attr = arena.allocate(pageSize + 1);
            MemorySegment.copy(taskClock(arena), 0, attr, 0, perf_event_attr.sizeof());
            perf_event_attr.size(attr, pageSize);
            fds.open(attr, -1);
            perf_event_attr.size(attr, pageSize + 1);
            assertOpenFails(Errno.E2BIG, attr, 0, -1, -1, "attr.size page size + 1");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // perf_event_open errors

    @Test
    void hardwareCyclesIsEnoentWithoutAHardwarePmu() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Attrs.disabled(arena, PERF_TYPE_HARDWARE(), PERF_COUNT_HW_CPU_CYCLES());
            perf_event_attr_bits.exclude_kernel(attr, 1);
            perf_event_attr_bits.exclude_hv(attr, 1);
            int fd = Syscalls.perfEventOpen(attr, 0, -1, -1, FLAGS);
            if (fd >= 0) {
                Syscalls.close(fd);
            }
            List<String> hardwarePmus = hardwarePmus();
            if (hardwarePmus.isEmpty()) {
                assertErrno(Errno.ENOENT, fd, "cycles with no hardware PMU in /sys/bus/event_source/devices");
            } else {
                // Real hardware: it opens, or the PMU refuses for a documented reason (busy, paranoid, no such event).
                assertTrue(fd >= 0 || Set.of(-Errno.ENOENT, -Errno.EOPNOTSUPP, -Errno.EACCES, -Errno.EPERM,
                        -Errno.EBUSY, -Errno.ENODEV).contains(fd), "cycles with PMUs " + hardwarePmus + ": "
                        + (fd < 0 ? Errno.describe(fd) : "opened"));
            }
        }
    }

    /** The PMUs that can serve PERF_TYPE_HARDWARE: x86 {@code cpu}, hybrid {@code cpu_core}/{@code cpu_atom}, arm. */
    private static List<String> hardwarePmus() throws IOException {
        Path devices = Path.of("/sys/bus/event_source/devices");
        if (!Files.isDirectory(devices)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(devices)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.equals("cpu") || n.startsWith("cpu_") || n.startsWith("armv") || n.contains("pmu"))
                    .sorted().toList();
        }
    }

    @Test
    void aGroupFdThatIsARegularFileIsEbadf(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-perf-event"), "x");
        int regular = Libc.openReadOnly(file.toString());
        try (Arena arena = Arena.ofConfined()) {
            assertOpenFails(Errno.EBADF, taskClock(arena), 0, -1, regular, "group fd of a regular file");
        } finally {
            Syscalls.close(regular);
        }
    }

    @Test
    void aGroupFdThatIsClosedOrNegativeIsEbadf() {
        try (Arena arena = Arena.ofConfined()) {
            int closed = Fixtures.openAboveFreedNumbers();
            Attrs.ok(Syscalls.close(closed), "close");
            assertOpenFails(Errno.EBADF, taskClock(arena), 0, -1, closed, "group fd " + closed + ", just closed");
            assertOpenFails(Errno.EBADF, taskClock(arena), 0, -1, -2, "group fd -2");
            assertOpenFails(Errno.EBADF, taskClock(arena), 0, -1, Integer.MAX_VALUE, "group fd Integer.MAX_VALUE");
        }
    }

    @Test
    void aGroupMemberCannotLeadAGroupEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int leader = fds.open(taskClock(arena), -1);
            int member = fds.open(taskClock(arena), leader);
            assertOpenFails(Errno.EINVAL, taskClock(arena), 0, -1, member, "group fd of a member");
        }
    }

    @Test
    void aPidThatDoesNotExistIsEsrch() {
        try (Arena arena = Arena.ofConfined()) {
            int pid = Fixtures.nonexistentPid();
            assertOpenFails(Errno.ESRCH, taskClock(arena), pid, -1, -1, "pid " + pid + " (no /proc entry)");
        }
    }

    @Test
    void everyTaskOnEveryCpuIsEinval() {
        try (Arena arena = Arena.ofConfined()) {
            assertOpenFails(Errno.EINVAL, taskClock(arena), -1, -1, -1, "pid -1, cpu -1");
        }
    }

    @Test
    void typeThatNoPmuHasIsEnoent() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Attrs.disabled(arena, 1000, 0);
            assertOpenFails(Errno.ENOENT, attr, 0, -1, -1, "type 1000");
        }
    }

    @Test
    void nullAttrIsEfault() {
        assertOpenFails(Errno.EFAULT, MemorySegment.NULL, 0, -1, -1, "attr NULL");
    }

    @Test
    void samplePeriodWithBit63SetIsEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            for (long period : new long[] {1L << 63, -1L}) {
                MemorySegment attr = sampling(arena);
                perf_event_attr.sample_period(attr, period);
                assertOpenFails(Errno.EINVAL, attr, 0, -1, -1, "sample_period 0x" + Long.toHexString(period));
            }
            MemorySegment attr = sampling(arena);
            perf_event_attr.sample_period(attr, Long.MAX_VALUE); // 2^63 - 1: the largest period allowed
            fds.open(attr, -1);
        }
    }

    @Test
    void inheritWithSampleReadIsEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = sampling(arena);
            perf_event_attr.sample_type(attr, PERF_SAMPLE_IP() | PERF_SAMPLE_READ());
            fds.open(attr, -1); // SAMPLE_READ alone is fine
            perf_event_attr_bits.inherit(attr, 1);
            assertOpenFails(Errno.EINVAL, attr, 0, -1, -1, "inherit + PERF_SAMPLE_READ");
        }
    }

    @Test
    void sigtrapWithoutRemoveOnExecIsEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = sampling(arena);
            perf_event_attr_bits.sigtrap(attr, 1);
            assertOpenFails(Errno.EINVAL, attr, 0, -1, -1, "sigtrap without remove_on_exec");
            perf_event_attr_bits.remove_on_exec(attr, 1);
            fds.open(attr, -1); // the event stays disabled: no SIGTRAP is ever sent
        }
    }

    @Test
    void sampleMaxStackAboveTheSysctlIsEoverflow() {
        int max = Fixtures.sysctl("kernel/perf_event_max_stack");
        Assumptions.assumeTrue(max < 1000, "kernel.perf_event_max_stack is " + max + ", not below 1000");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = sampling(arena);
            perf_event_attr.sample_type(attr, PERF_SAMPLE_IP() | PERF_SAMPLE_CALLCHAIN());
            perf_event_attr.sample_max_stack(attr, (short) 1000);
            assertOpenFails(Errno.EOVERFLOW, attr, 0, -1, -1, "sample_max_stack 1000 > " + max);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // ioctl, read and close on fds that are not (or no longer) perf events

    @Test
    void ioctlReadAndCloseOnAClosedFdAreEbadf() {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Fixtures.openAboveFreedNumbers();
            Attrs.ok(Syscalls.close(fd), "first close");
            assertErrno(Errno.EBADF, Syscalls.close(fd), "second close of " + fd);
            assertErrno(Errno.EBADF, Syscalls.enable(fd, 0), "enable on closed fd " + fd);
            assertErrno(Errno.EBADF, Syscalls.disable(fd, 0), "disable on closed fd " + fd);
            assertErrno(Errno.EBADF, Syscalls.reset(fd, 0), "reset on closed fd " + fd);
            assertErrno(Errno.EBADF, Syscalls.id(fd, arena.allocate(JAVA_LONG)), "id on closed fd " + fd);
            assertErrno(Errno.EBADF, Syscalls.read(fd, arena.allocate(JAVA_LONG)), "read on closed fd " + fd);
            assertErrno(Errno.EBADF, Syscalls.close(-1), "close(-1)");
        }
    }

    @Test
    void perfIoctlsOnARegularFileAreEnotty(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-perf-event"), "x");
        int regular = Libc.openReadOnly(file.toString());
        try (Arena arena = Arena.ofConfined()) {
            assertErrno(Errno.ENOTTY, Syscalls.enable(regular, 0), "enable on a regular file");
            assertErrno(Errno.ENOTTY, Syscalls.reset(regular, 0), "reset on a regular file");
            assertErrno(Errno.ENOTTY, Syscalls.id(regular, arena.allocate(JAVA_LONG)), "id on a regular file");
        } finally {
            Attrs.ok(Syscalls.close(regular), "close the regular file");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Size guards: refused in Java, never seen by the kernel

    @Test
    void attrSegmentShorterThanSixtyFourBytesThrowsBeforeTheKernel() {
        try (Arena arena = Arena.ofConfined()) {
            long before = Fixtures.openPerfEventFdCount();
            for (int length : IntStream.rangeClosed(0, 63).toArray()) {
                MemorySegment full = taskClock(arena);
                perf_event_attr.size(full, 1); // the kernel would answer E2BIG and write its size back
                MemorySegment tooShort = full.asSlice(0, length);
                assertThrows(IllegalArgumentException.class, () -> Syscalls.perfEventOpen(tooShort, 0, -1, -1, FLAGS),
                        length + " bytes");
                assertThrows(IllegalArgumentException.class, () -> Syscalls.modifyAttributes(0, tooShort),
                        length + " bytes");
                assertEquals(1, perf_event_attr.size(full), "the kernel saw the attr and wrote its size back");
            }
            assertEquals(before, Fixtures.openPerfEventFdCount(), "a perf event was opened");
        }
    }

    @Test
    void attrSegmentShorterThanItsSizeFieldThrowsBeforeTheKernel() {
        try (Arena arena = Arena.ofConfined()) {
            long before = Fixtures.openPerfEventFdCount();
            MemorySegment memory = arena.allocate(Fixtures.PAGE_SIZE);
            MemorySegment.copy(taskClock(arena), 0, memory, 0, perf_event_attr.sizeof());
            perf_event_attr.size(memory, 512);
            memory.set(JAVA_BYTE, 300, (byte) 1); // the kernel would read it and answer E2BIG, writing its size back
            for (long length : new long[] {64, 144, 300, 511}) {
                MemorySegment shorter = memory.asSlice(0, length);
                assertThrows(IllegalArgumentException.class, () -> Syscalls.perfEventOpen(shorter, 0, -1, -1, FLAGS),
                        length + " bytes declaring 512");
                assertThrows(IllegalArgumentException.class, () -> Syscalls.modifyAttributes(0, shorter),
                        length + " bytes declaring 512");
                assertEquals(512, perf_event_attr.size(memory), "the kernel saw the attr and wrote its size back");
            }
            // The same memory, long enough, does reach the kernel: E2BIG for the byte at 300.
            assertOpenFails(Errno.E2BIG, memory.asSlice(0, 512), 0, -1, -1, "512 bytes with a byte at 300");
            assertTrue(perf_event_attr.size(memory) < 512, "the kernel wrote back its size");
            assertEquals(before, Fixtures.openPerfEventFdCount(), "a perf event was opened");
        }
    }
}

package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PR_TASK_PERF_EVENTS_DISABLE;
import static io.github.perfevent.sys.bindings.perf_event_h.PR_TASK_PERF_EVENTS_ENABLE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.FuzzBudget;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hostile arguments to every method of {@link Syscalls}: random, closed and other-type fds, random ioctl arguments,
 * random attr bytes with random sizes, segments of the wrong size. Each call must return what the kernel answers
 * (a result, or a negated errno in 1..4095) or throw the {@link IllegalArgumentException} its Javadoc documents, in
 * exactly the cases it documents; and no fd or mapping may be left behind.
 *
 * <p>What is excluded, so that the fuzzing can never harm the JVM or the machine:
 * <ul>
 *   <li>fds: only fds this test opened (perf events, a directory) and numbers that can never be open (at or above
 *       the hard {@code RLIMIT_NOFILE}, negative). {@code close} only ever closes an fd this test opened.</li>
 *   <li>attrs: {@code sigtrap} is always cleared, so no event sends SIGTRAP to a JVM thread; SIGIO needs
 *       {@code fcntl(F_SETOWN/O_ASYNC)}, which nothing here calls. A breakpoint on JVM memory without signals only
 *       counts. The uprobe and kprobe PMUs are replaced by the software PMU: a uprobe at a random offset of a
 *       real file (the path is a pointer in config1) could patch a breakpoint into the middle of an instruction
 *       of a library the JVM runs. {@code pid} is the calling thread, -1, or a pid that does not exist: never
 *       another process.</li>
 *   <li>{@code mmap}: address hint 0, no {@code MAP_FIXED}, {@code MAP_ANONYMOUS} or {@code MAP_POPULATE}, at
 *       most 65 pages; every mapping made is unmapped. {@code munmap} is called only on those mappings.</li>
 *   <li>{@code prctl}: option numbers no kernel defines (1000 up to below 0x10000000, which skips Yama's and the
 *       VMA-naming options). {@code PR_TASK_PERF_EVENTS_ENABLE}/{@code DISABLE} are left out: they act on every
 *       event of the process, including those of other tests.</li>
 *   <li>{@code kill}: the own pid with signal 0 or an invalid signal, and pids that do not exist; never pid 0 or
 *       -1 (process group, everyone).</li>
 *   <li>{@code open}: read-only flags (no {@code O_CREAT}, {@code O_TRUNC}, write access); every fd opened is
 *       closed.</li>
 * </ul>
 */
@Tag("fuzz")
class SyscallsFuzzTest {

    private static final long FREE_FD_BASE = hardFdLimit();
    private static final int MAX_MAP_PAGES = 65;
    private static final Set<Integer> EXCLUDED_TYPES = excludedPmuTypes();

    private RandomGenerator random;
    private FuzzBudget budget;
    private final List<Integer> perfFds = new ArrayList<>();
    private int directoryFd;

    private static long hardFdLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(Syscalls.RLIMIT);
            Attrs.ok(Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE, limit), "getrlimit");
            long hard = limit.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8);
            return hard < 0 || hard > Integer.MAX_VALUE - 1000 ? Integer.MAX_VALUE - 1000 : hard;
        }
    }

    /** The types of the PMUs whose events patch code (uprobe, kprobe), from sysfs. */
    private static Set<Integer> excludedPmuTypes() {
        Set<Integer> types = new java.util.TreeSet<>();
        for (String pmu : List.of("uprobe", "kprobe")) {
            Path type = Path.of("/sys/bus/event_source/devices", pmu, "type");
            try {
                if (Files.isRegularFile(type)) {
                    types.add(Integer.parseInt(Files.readAllLines(type).getFirst().strip()));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return types;
    }

    @Test
    void hostileArgumentsGetANegatedErrnoOrTheDocumentedExceptionAndLeaveNothingOpen() {
        budget = FuzzBudget.start("SyscallsFuzzTest");
        random = budget.random();
        long perfBefore = Fixtures.openPerfEventFdCount();
        long fdsBefore = Fixtures.openFdCount();
        directoryFd = Syscalls.open(Arena.global().allocateFrom("/"), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
        assertTrue(directoryFd >= 0, "open /: " + Errno.describe(directoryFd));
        try {
            while (budget.more()) {
                try (Arena arena = Arena.ofConfined()) {
                    if (perfFds.size() < 4) {
                        openValidEvent(arena);
                    }
                    switch (random.nextInt(10)) {
                        case 0, 1 -> perfEventOpen(arena);
                        case 2, 3 -> ioctlValue();
                        case 4 -> ioctlPointer(arena);
                        case 5 -> read(arena);
                        case 6 -> poll(arena);
                        case 7 -> mmap();
                        case 8 -> open(arena);
                        default -> others(arena);
                    }
                }
                if (perfFds.size() > 8) {
                    closeOne();
                }
            }
        } finally {
            while (!perfFds.isEmpty()) {
                closeOne();
            }
            Attrs.ok(Syscalls.close(directoryFd), "close /");
        }
        assertEquals(perfBefore, Fixtures.openPerfEventFdCount(), "perf event fds left open; seed " + budget.seed());
        assertTrue(Fixtures.openFdCount() <= fdsBefore, "fds left open; seed " + budget.seed());
    }

    // ---------------------------------------------------------------------------------------------------------
    // The contract

    private void assertKernelResult(long result, String call) {
        if (result < 0 && (result < -4095)) {
            fail(call + " returned " + result + ", neither a result nor a negated errno; seed " + budget.seed());
        }
    }

    /** Runs {@code call}; it must throw IllegalArgumentException exactly when {@code refused}. */
    private long expect(boolean refused, String call, Supplier<Long> action) {
        try {
            long result = action.get();
            if (refused) {
                fail(call + " should have thrown IllegalArgumentException, returned " + result + "; seed "
                        + budget.seed());
            }
            assertKernelResult(result, call);
            return result;
        } catch (IllegalArgumentException e) {
            if (!refused) {
                fail(call + " threw " + e + "; seed " + budget.seed());
            }
            return Long.MIN_VALUE;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Arguments

    /** An fd this test owns, or a number that cannot be open. */
    private int anyFd() {
        return switch (random.nextInt(6)) {
            case 0, 1 -> perfFds.isEmpty() ? -1 : perfFds.get(random.nextInt(perfFds.size()));
            case 2 -> directoryFd;
            case 3 -> (int) (FREE_FD_BASE + random.nextInt(1000));
            case 4 -> -1 - random.nextInt(Integer.MAX_VALUE);
            default -> -1;
        };
    }

    private int anyPid() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Syscalls.gettid();
            default -> Fixtures.nonexistentPid();
        };
    }

    /** A segment of a random size (sometimes NULL), filled with random bytes. */
    private MemorySegment randomSegment(Arena arena, int maxSize) {
        if (random.nextInt(10) == 0) {
            return MemorySegment.NULL;
        }
        MemorySegment s = arena.allocate(random.nextInt(maxSize + 1) + 1).asSlice(0);
        s = s.asSlice(0, random.nextInt((int) s.byteSize() + 1));
        for (long i = 0; i < s.byteSize(); i++) {
            s.set(JAVA_BYTE, i, (byte) random.nextInt());
        }
        return s;
    }

    /** Random attr bytes and size, made safe (see the class comment). */
    private MemorySegment randomAttr(Arena arena) {
        int length = random.nextInt(10) == 0 ? random.nextInt(64) : 64 + random.nextInt(4200);
        MemorySegment attr = arena.allocate(Math.max(length, 1)).asSlice(0, length);
        if (length == 0) {
            return attr;
        }
        int randomBytes = random.nextBoolean() ? length : Math.min(length, (int) perf_event_attr.sizeof());
        for (int i = 0; i < randomBytes; i++) {
            attr.set(JAVA_BYTE, i, (byte) random.nextInt());
        }
        if (length >= 64) {
            int type = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(12);
                case 1 -> random.nextInt();
                default -> perf_event_attr.type(attr) & 0xf;
            };
            perf_event_attr.type(attr, EXCLUDED_TYPES.contains(type) ? 1 : type);
            int size = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(length + 1);
                case 1 -> (int) Math.min(length, perf_event_attr.sizeof());
                case 2 -> random.nextInt(4097);
                default -> perf_event_attr.size(attr);
            };
            perf_event_attr.size(attr, size);
            perf_event_attr_bits.sigtrap(attr, 0); // in the flag word at offset 40: the kernel reads at least 64 bytes
        }
        return attr;
    }

    private static boolean attrRefused(MemorySegment attr) {
        if (attr.address() == 0) {
            return false;
        }
        return attr.byteSize() < 64
                || attr.byteSize() < Integer.toUnsignedLong(attr.get(JAVA_INT, perf_event_attr.size$offset()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Calls

    private void openValidEvent(Arena arena) {
        int fd = Attrs.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
        perfFds.add(fd);
    }

    private void keepOrClose(long fd) {
        if (fd >= 0) {
            perfFds.add((int) fd);
        }
    }

    private void closeOne() {
        int fd = perfFds.remove(random.nextInt(perfFds.size()));
        Attrs.ok(Syscalls.close(fd), "close of an fd the test opened");
    }

    private void perfEventOpen(Arena arena) {
        MemorySegment attr = random.nextInt(20) == 0 ? MemorySegment.NULL : randomAttr(arena);
        int pid = anyPid();
        int cpu = random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(5) - 1;
        int group = random.nextInt(3) == 0 ? anyFd() : -1;
        long flags = random.nextInt(4) == 0 ? random.nextLong() : PERF_FLAG_FD_CLOEXEC() | random.nextInt(16);
        if ((flags & 0x4) != 0) { // PERF_FLAG_PID_CGROUP: pid is an fd; give it one of ours or a free number
            pid = random.nextBoolean() ? directoryFd : (int) FREE_FD_BASE;
        }
        int p = pid;
        String call = "perfEventOpen(" + attr.byteSize() + " bytes, pid " + pid + ", cpu " + cpu + ", group " + group
                + ", flags 0x" + Long.toHexString(flags) + ")";
        keepOrClose(expect(attrRefused(attr), call, () -> (long) Syscalls.perfEventOpen(attr, p, cpu, group, flags)));
    }

    private void ioctlValue() {
        int fd = anyFd();
        int value = random.nextBoolean() ? random.nextInt() : random.nextInt(4);
        switch (random.nextInt(7)) {
            case 0 -> expect(false, "enable", () -> (long) Syscalls.enable(fd, value));
            case 1 -> expect(false, "disable", () -> (long) Syscalls.disable(fd, value));
            case 2 -> expect(false, "reset", () -> (long) Syscalls.reset(fd, value));
            case 3 -> expect(false, "refresh", () -> (long) Syscalls.refresh(fd, value));
            case 4 -> expect(false, "setOutput", () -> (long) Syscalls.setOutput(fd, anyFd()));
            case 5 -> expect(false, "setBpf", () -> (long) Syscalls.setBpf(fd, anyFd()));
            default -> expect(false, "pauseOutput", () -> (long) Syscalls.pauseOutput(fd, value));
        }
    }

    private void ioctlPointer(Arena arena) {
        int fd = anyFd();
        switch (random.nextInt(5)) {
            case 0 -> {
                MemorySegment s = randomSegment(arena, 16);
                expect(s.address() != 0 && s.byteSize() < 8, "period", () -> (long) Syscalls.period(fd, s));
            }
            case 1 -> {
                MemorySegment s = randomSegment(arena, 16);
                expect(s.address() != 0 && s.byteSize() < 8, "id", () -> (long) Syscalls.id(fd, s));
            }
            case 2 -> {
                MemorySegment s = randomSegment(arena, 64);
                boolean nul = false;
                for (long i = 0; i < s.byteSize() && !nul; i++) {
                    nul = s.get(JAVA_BYTE, i) == 0;
                }
                boolean refused = s.address() != 0 && !nul;
                expect(refused, "setFilter", () -> (long) Syscalls.setFilter(fd, s));
            }
            case 3 -> {
                MemorySegment s = randomSegment(arena, 80);
                if (s.byteSize() >= 4 && random.nextBoolean()) {
                    s.set(JAVA_INT, 0, random.nextInt(20)); // ids_len
                }
                boolean refused = s.address() != 0 && (s.byteSize() < 8
                        || s.byteSize() < 8 + 4 * Integer.toUnsignedLong(s.get(JAVA_INT, 0)));
                expect(refused, "queryBpf", () -> (long) Syscalls.queryBpf(fd, s));
            }
            default -> {
                MemorySegment attr = random.nextInt(20) == 0 ? MemorySegment.NULL : randomAttr(arena);
                expect(attrRefused(attr), "modifyAttributes", () -> (long) Syscalls.modifyAttributes(fd, attr));
            }
        }
    }

    private void read(Arena arena) {
        int fd = anyFd();
        MemorySegment s = randomSegment(arena, 128);
        expect(false, "read(" + fd + ", " + s.byteSize() + " bytes)", () -> Syscalls.read(fd, s));
    }

    private void poll(Arena arena) {
        int count = random.nextInt(5);
        MemorySegment fds = arena.allocate(Syscalls.POLLFD, Math.max(count, 1));
        for (int i = 0; i < count; i++) {
            fds.set(JAVA_INT, 8L * i, anyFd());
            fds.set(JAVA_SHORT, 8L * i + 4, (short) random.nextInt());
        }
        long nfds = random.nextInt(8) == 0 ? random.nextLong() : random.nextInt(count + 2);
        boolean refused = nfds < 0 || nfds > Long.MAX_VALUE / 8 || nfds * 8 > fds.byteSize();
        expect(refused, "poll(nfds " + nfds + ")", () -> (long) Syscalls.poll(fds, nfds, 0));
    }

    private void mmap() {
        int fd = anyFd();
        long pageSize = Fixtures.PAGE_SIZE;
        long length = random.nextBoolean() ? (1 + (1L << random.nextInt(7))) * pageSize
                : random.nextLong(MAX_MAP_PAGES * pageSize + 1);
        int prot = random.nextInt(8); // PROT_READ | PROT_WRITE | PROT_EXEC
        int flags = new int[] {Syscalls.MAP_SHARED, 0x02 /* MAP_PRIVATE */, 0, 0x03 /* MAP_SHARED_VALIDATE */}[
                random.nextInt(4)];
        long address = expect(false, "mmap", () -> Syscalls.mmap(0, length, prot, flags, fd, 0));
        if (address > 0 || address < -4095) {
            Attrs.ok(Syscalls.munmap(address, length), "munmap of the mapping just made");
        }
    }

    private void open(Arena arena) {
        MemorySegment path = switch (random.nextInt(4)) {
            case 0 -> arena.allocateFrom(new String[] {"/", "/proc/self/stat", "/nonexistent", ""}[random.nextInt(4)]);
            case 1 -> MemorySegment.NULL;
            default -> randomSegment(arena, 32);
        };
        int flags = Syscalls.O_RDONLY | Syscalls.O_CLOEXEC | (random.nextBoolean() ? 0x800 : 0) // O_NONBLOCK
                | (random.nextBoolean() ? 0x10000 : 0) | (random.nextBoolean() ? 0x20000 : 0); // O_DIRECTORY, O_NOFOLLOW
        boolean nul = false;
        for (long i = 0; i < path.byteSize() && !nul; i++) {
            nul = path.get(JAVA_BYTE, i) == 0;
        }
        long fd = expect(path.address() != 0 && !nul, "open", () -> (long) Syscalls.open(path, flags));
        if (fd >= 0) {
            Attrs.ok(Syscalls.close((int) fd), "close of the fd open just returned");
        }
    }

    private void others(Arena arena) {
        switch (random.nextInt(5)) {
            case 0 -> {
                int option = 1000 + random.nextInt(0x10000000 - 1000);
                assertTrue(option != PR_TASK_PERF_EVENTS_ENABLE() && option != PR_TASK_PERF_EVENTS_DISABLE());
                expect(false, "prctl(" + option + ")", () -> (long) Syscalls.prctl(option, random.nextLong(),
                        random.nextLong(), random.nextLong(), random.nextLong()));
            }
            case 1 -> {
                int self = (int) ProcessHandle.current().pid();
                int signal = random.nextBoolean() ? 0 : 65 + random.nextInt(1000);
                int pid = random.nextBoolean() ? self : Fixtures.nonexistentPid();
                expect(false, "kill(" + pid + ", " + signal + ")", () -> (long) Syscalls.kill(pid, signal));
            }
            case 2 -> {
                MemorySegment limit = random.nextBoolean() ? arena.allocate(Syscalls.RLIMIT) : randomSegment(arena, 24);
                int resource = random.nextBoolean() ? random.nextInt(20) : random.nextInt();
                expect(limit.byteSize() < 16, "getrlimit", () -> (long) Syscalls.getrlimit(resource, limit));
            }
            case 3 -> {
                int fd = random.nextBoolean() ? (int) (FREE_FD_BASE + random.nextInt(1000)) : -1 - random.nextInt(1000);
                assertEquals(-Errno.EBADF, Syscalls.close(fd), "close of a number that cannot be open");
            }
            default -> assertTrue(Syscalls.gettid() > 0);
        }
    }
}

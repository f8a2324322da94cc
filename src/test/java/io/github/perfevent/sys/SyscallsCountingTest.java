package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_CONTEXT_SWITCHES;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_CPU_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_DUMMY;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_PAGE_FAULTS;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_PAGE_FAULTS_MIN;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_GROUP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_ID;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_LOST;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_TOTAL_TIME_ENABLED;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_TOTAL_TIME_RUNNING;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_IOC_FLAG_GROUP;
import static io.github.perfevent.sys.bindings.perf_event_h.PR_TASK_PERF_EVENTS_DISABLE;
import static io.github.perfevent.sys.bindings.perf_event_h.PR_TASK_PERF_EVENTS_ENABLE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The counting side of {@link Syscalls} against the real kernel: software counters on the calling thread, enable,
 * disable, reset, read in every {@code read_format}, {@code PERF_EVENT_IOC_ID}, groups and
 * {@code PERF_IOC_FLAG_GROUP}, and {@code prctl(PR_TASK_PERF_EVENTS_*)}.
 */
class SyscallsCountingTest {

    private static final int GROUP = PERF_IOC_FLAG_GROUP();
    private static final long TE = PERF_FORMAT_TOTAL_TIME_ENABLED();
    private static final long TR = PERF_FORMAT_TOTAL_TIME_RUNNING();
    private static final long ID = PERF_FORMAT_ID();
    private static final long LOST = PERF_FORMAT_LOST();
    private static final long FULL = TE | TR | ID | LOST;
    private static final long FRESH_PAGES = 1024;

    // ---------------------------------------------------------------------------------------------------------
    // Events and workloads

    /** A software event, a workload that makes it count on this thread, and the least count that workload gives. */
    record Counted(String name, long config, boolean needsKernel, Runnable work, long atLeast) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Counted> countingEvents() {
        return Stream.of(
                new Counted("task-clock", PERF_COUNT_SW_TASK_CLOCK(), false, () -> Fixtures.spin(5_000_000), 1),
                new Counted("cpu-clock", PERF_COUNT_SW_CPU_CLOCK(), false, () -> Fixtures.spin(5_000_000), 1),
                new Counted("page-faults", PERF_COUNT_SW_PAGE_FAULTS(), false,
                        () -> Fixtures.touchFreshPages(FRESH_PAGES), FRESH_PAGES),
                // A context switch happens in the scheduler, in kernel mode: exclude_kernel would hide all of them.
                new Counted("context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES(), true,
                        SyscallsCountingTest::sleepFiveTimes, 5));
    }

    static Stream<Counted> everyEvent() {
        return Stream.concat(countingEvents(),
                Stream.of(new Counted("dummy", PERF_COUNT_SW_DUMMY(), false, () -> Fixtures.spin(1_000_000), 0)));
    }

    private static void sleepFiveTimes() {
        for (int i = 0; i < 5; i++) {
            try {
                Thread.sleep(1); // blocks the thread: one voluntary context switch each
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static void work() {
        Fixtures.spin(3_000_000);
        Fixtures.touchFreshPages(64);
    }

    /** A disabled attr for {@code event}; kernel-mode counting only for the events that need it. */
    private static MemorySegment attr(Arena arena, Counted event, long readFormat) {
        MemorySegment attr = Attrs.software(arena, event.config());
        perf_event_attr.read_format(attr, readFormat);
        if (event.needsKernel()) {
            perf_event_attr_bits.exclude_kernel(attr, 0);
        }
        return attr;
    }

    /** Opens {@code event} on this thread, skipping when counting kernel mode is not allowed for this user. */
    private static int open(Fds fds, Arena arena, Counted event, long readFormat) {
        MemorySegment attr = attr(arena, event, readFormat);
        int fd = Syscalls.perfEventOpen(attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC());
        Assumptions.assumeFalse(event.needsKernel() && (fd == -Errno.EACCES || fd == -Errno.EPERM),
                () -> event + " counts in kernel mode, which perf_event_paranoid forbids for this user without"
                        + " CAP_PERFMON: " + Errno.describe(fd));
        assertTrue(fd >= 0, () -> "open " + event + ": " + Errno.describe(fd));
        return fds.add(fd);
    }

    /** Reads {@code u64s} u64s from {@code fd}, asserting the kernel returns exactly that many bytes. */
    private static long[] readU64s(Arena arena, int fd, int u64s) {
        MemorySegment buffer = arena.allocate(JAVA_LONG, u64s + 8L); // room to spare: the kernel writes only its layout
        long n = Syscalls.read(fd, buffer);
        assertEquals(8L * u64s, n, () -> "read returned " + (n < 0 ? Errno.describe((int) n) : n + " bytes"));
        return buffer.asSlice(0, 8L * u64s).toArray(JAVA_LONG);
    }

    private static long idOf(Arena arena, int fd) {
        MemorySegment id = arena.allocate(JAVA_LONG);
        Attrs.ok(Syscalls.id(fd, id), "PERF_EVENT_IOC_ID");
        return id.get(JAVA_LONG, 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Single software counters

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyEvent")
    void counterOpenedDisabledReadsZeroWhateverTheThreadDoes(Counted event) {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = open(fds, arena, event, 0);
            assertEquals(0, Attrs.readCount(arena, fd), event + " before any work");
            event.work().run();
            assertEquals(0, Attrs.readCount(arena, fd), event + " after work, never enabled");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("countingEvents")
    void countGrowsWhileEnabledAndStandsStillWhileDisabled(Counted event) {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = open(fds, arena, event, 0);
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            event.work().run();
            Attrs.ok(Syscalls.disable(fd, 0), "disable");
            long counted = Attrs.readCount(arena, fd);
            assertTrue(counted >= event.atLeast(), event + " counted " + counted + ", expected >= " + event.atLeast());

            event.work().run();
            work();
            assertEquals(counted, Attrs.readCount(arena, fd), event + " changed while disabled");

            Attrs.ok(Syscalls.enable(fd, 0), "enable again");
            event.work().run();
            Attrs.ok(Syscalls.disable(fd, 0), "disable again");
            long more = Attrs.readCount(arena, fd);
            assertTrue(more >= counted + event.atLeast(), event + ": re-enabling continued from " + counted
                    + " and reached only " + more);
        }
    }

    @Test
    void touchingNFreshPagesCountsAtLeastNPageFaults() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.software(arena, PERF_COUNT_SW_PAGE_FAULTS());
            long pages = 4096; // 16 MiB
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            Fixtures.touchFreshPages(pages);
            Attrs.ok(Syscalls.disable(fd, 0), "disable");
            long faults = Attrs.readCount(arena, fd);
            assertTrue(faults >= pages, "touched " + pages + " fresh pages, counted " + faults + " page faults");
        }
    }

    @Test
    void resetZeroesTheCountButNotTheTimes() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            perf_event_attr.read_format(attr, TE | TR);
            int fd = fds.open(attr, -1);
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            Fixtures.spin(3_000_000);
            Attrs.ok(Syscalls.disable(fd, 0), "disable");
            long[] before = readU64s(arena, fd, 3);
            assertTrue(before[0] > 0 && before[1] > 0 && before[2] > 0, "nothing counted: " + Arrays.toString(before));

            Attrs.ok(Syscalls.reset(fd, 0), "reset");
            long[] after = readU64s(arena, fd, 3);
            assertEquals(0, after[0], "count after reset");
            assertEquals(before[1], after[1], "time_enabled must survive a reset");
            assertEquals(before[2], after[2], "time_running must survive a reset");

            // Reset while counting: the count restarts from 0 and then grows again.
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            Fixtures.spin(3_000_000);
            Attrs.ok(Syscalls.reset(fd, 0), "reset while enabled");
            Attrs.ok(Syscalls.disable(fd, 0), "disable");
            long afterResetWhileEnabled = readU64s(arena, fd, 3)[0];
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            Fixtures.spin(3_000_000);
            Attrs.ok(Syscalls.disable(fd, 0), "disable");
            long grown = readU64s(arena, fd, 3)[0];
            assertTrue(grown > afterResetWhileEnabled, "count did not grow after a reset: " + grown);
        }
    }

    @Test
    void readReturnsExactlyTheBytesOfEveryReadFormat() {
        long[] flags = {TE, TR, ID, LOST};
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            for (int mask = 0; mask < 16; mask++) {
                long readFormat = 0;
                for (int bit = 0; bit < 4; bit++) {
                    if ((mask & (1 << bit)) != 0) {
                        readFormat |= flags[bit];
                    }
                }
                MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
                perf_event_attr.read_format(attr, readFormat);
                int fd = fds.open(attr, -1);
                MemorySegment buffer = arena.allocate(256);
                long n = Syscalls.read(fd, buffer);
                assertEquals(8L * (1 + Integer.bitCount(mask)), n, "read_format 0x" + Long.toHexString(readFormat)
                        + ": " + (n < 0 ? Errno.describe((int) n) : n + " bytes"));
                assertEquals(0, fds.closeNow(fd));
            }
        }
    }

    @Test
    void readFormatTimesIdLostIsFiveU64sInTheDocumentedOrder() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            perf_event_attr.read_format(attr, FULL);
            int fd = fds.open(attr, -1);
            long id = idOf(arena, fd);

            long[] idle = readU64s(arena, fd, 5);
            assertArrayEquals(new long[] {0, 0, 0, id, 0}, idle, "value, enabled, running, id, lost before enabling");

            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            Fixtures.spin(3_000_000);
            long[] first = readU64s(arena, fd, 5);
            Fixtures.spin(3_000_000);
            long[] second = readU64s(arena, fd, 5);
            Attrs.ok(Syscalls.disable(fd, 0), "disable");

            for (long[] v : new long[][] {first, second}) {
                String values = Arrays.toString(v);
                assertTrue(v[0] > 0, "value (task-clock ns) " + values);
                assertTrue(v[1] > 0 && v[2] > 0, "times " + values);
                assertTrue(v[1] >= v[2], "time_enabled >= time_running " + values);
                assertEquals(id, v[3], "id " + values);
                assertEquals(0, v[4], "lost " + values);
            }
            assertTrue(second[0] > first[0], "value must grow while enabled: " + first[0] + " -> " + second[0]);
            assertTrue(second[1] > first[1], "time_enabled must advance while enabled: " + first[1] + " -> " + second[1]);
            assertTrue(second[2] > first[2], "time_running must advance while enabled: " + first[2] + " -> " + second[2]);

            long[] stopped = readU64s(arena, fd, 5);
            work();
            assertArrayEquals(stopped, readU64s(arena, fd, 5), "nothing advances while disabled");
        }
    }

    @Test
    void readIntoABufferSmallerThanTheReadFormatIsEnospcAndWritesNothing() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int plain = fds.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            perf_event_attr.read_format(attr, FULL);
            int full = fds.open(attr, -1);
            Attrs.ok(Syscalls.enable(plain, 0), "enable");
            Attrs.ok(Syscalls.enable(full, 0), "enable");
            Fixtures.spin(1_000_000);

            MemorySegment buffer = arena.allocate(64).fill((byte) 0x5a);
            long r = Syscalls.read(plain, buffer.asSlice(0, 7));
            assertEquals(-Errno.ENOSPC, r, "7 bytes for an 8-byte value: " + Errno.describe((int) r));
            r = Syscalls.read(full, buffer.asSlice(0, 39));
            assertEquals(-Errno.ENOSPC, r, "39 bytes for 5 u64s: " + Errno.describe((int) r));
            for (long i = 0; i < buffer.byteSize(); i++) {
                assertEquals((byte) 0x5a, buffer.get(JAVA_BYTE, i), "byte " + i + " was written");
            }
            assertEquals(40, Syscalls.read(full, buffer.asSlice(0, 40)), "exactly 40 bytes is enough");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // PERF_EVENT_IOC_ID

    @Test
    void idWritesTheSameIdThatPerfFormatIdReads() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            perf_event_attr.read_format(attr, ID);
            int a = fds.open(attr, -1);
            int b = fds.open(attr, -1);
            long idA = idOf(arena, a);
            long idB = idOf(arena, b);
            assertEquals(idA, readU64s(arena, a, 2)[1], "id from the ioctl vs PERF_FORMAT_ID");
            assertEquals(idB, readU64s(arena, b, 2)[1], "id from the ioctl vs PERF_FORMAT_ID");
            assertNotEquals(idA, idB, "two events share an id");
            assertEquals(idA, idOf(arena, a), "the id is stable");
        }
    }

    @Test
    void idThroughANullPointerIsEfault() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            int r = Syscalls.id(fd, MemorySegment.NULL);
            assertEquals(-Errno.EFAULT, r, Errno.describe(r));
        }
    }

    @Test
    void idIntoASegmentShorterThanEightBytesThrowsBeforeTheKernelWrites() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            MemorySegment memory = arena.allocate(16).fill((byte) 0x5a);
            for (int size = 0; size < 8; size++) {
                MemorySegment tooShort = memory.asSlice(0, size);
                assertThrows(IllegalArgumentException.class, () -> Syscalls.id(fd, tooShort), size + " bytes");
            }
            for (long i = 0; i < memory.byteSize(); i++) {
                assertEquals((byte) 0x5a, memory.get(JAVA_BYTE, i), "byte " + i + " was written by the kernel");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Groups and PERF_IOC_FLAG_GROUP

    /**
     * A group on this thread, all opened disabled: the leader reads the whole group ({@code PERF_FORMAT_GROUP} with
     * times, id and lost), the two members read {@code value, id} each.
     *
     * <p>The default group is page-faults (leader), minor-faults and page-faults: three events of the one
     * {@code software} PMU, each of which counts every fresh page {@link #work()} touches. Measured on 6.18 (in C
     * too): in a group that mixes PMUs (task-clock and cpu-clock are PMUs of their own since 6.x), a group enable
     * sometimes leaves the members on other PMUs unscheduled until the thread's next context switch, so their
     * counts stay 0 for a while; see {@link #mixedPmuGroupCountsInEveryMemberOnceTheThreadIsScheduledAgain()}.
     */
    private record Group(Arena arena, int leader, int m1, int m2) {

        static Group open(Arena arena, Fds fds) {
            return open(arena, fds, PERF_COUNT_SW_PAGE_FAULTS(), PERF_COUNT_SW_PAGE_FAULTS_MIN(),
                    PERF_COUNT_SW_PAGE_FAULTS());
        }

        static Group open(Arena arena, Fds fds, long leaderConfig, long m1Config, long m2Config) {
            MemorySegment leaderAttr = Attrs.software(arena, leaderConfig);
            perf_event_attr.read_format(leaderAttr, PERF_FORMAT_GROUP() | FULL);
            int leader = fds.open(leaderAttr, -1);
            MemorySegment m1Attr = Attrs.software(arena, m1Config);
            perf_event_attr.read_format(m1Attr, ID);
            int m1 = fds.open(m1Attr, leader);
            MemorySegment m2Attr = Attrs.software(arena, m2Config);
            perf_event_attr.read_format(m2Attr, ID);
            int m2 = fds.open(m2Attr, leader);
            return new Group(arena, leader, m1, m2);
        }

        /** {@code nr, time_enabled, time_running, {value, id, lost} x 3}: 12 u64s. */
        long[] groupRead() {
            long[] v = readU64s(arena, leader, 12);
            assertEquals(3, v[0], "nr");
            return v;
        }

        /** The counts of leader, m1, m2, each from its own read (the leader's from its group read). */
        long[] counts() {
            return new long[] {groupRead()[3], readU64s(arena, m1, 2)[0], readU64s(arena, m2, 2)[0]};
        }
    }

    /** Every member counted at least the 64 fresh pages of {@link #work()}. */
    private static void assertAllCounted(long[] counts, String when) {
        assertTrue(Arrays.stream(counts).allMatch(c -> c >= 64), when + ": every member should have counted"
                + " the 64 fresh pages: " + Arrays.toString(counts));
    }

    @Test
    void groupReadOfTheLeaderIsNrTimesThenValueIdLostPerMember() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            Group g = Group.open(arena, fds);
            long[] ids = {idOf(arena, g.leader()), idOf(arena, g.m1()), idOf(arena, g.m2())};
            Attrs.ok(Syscalls.enable(g.leader(), GROUP), "group enable");
            work();
            Attrs.ok(Syscalls.disable(g.leader(), GROUP), "group disable");

            long[] v = g.groupRead();
            String all = Arrays.toString(v);
            assertTrue(v[1] > 0 && v[2] > 0 && v[1] >= v[2], "time_enabled, time_running " + all);
            for (int member = 0; member < 3; member++) {
                assertTrue(v[3 + 3 * member] >= 64, "value of member " + member + " (64 fresh pages) " + all);
                assertEquals(ids[member], v[4 + 3 * member], "id of member " + member + " " + all);
                assertEquals(0, v[5 + 3 * member], "lost of member " + member + " " + all);
            }
            // The members' own reads give the same values while the group stands still.
            assertEquals(v[6], readU64s(arena, g.m1(), 2)[0], "member 1: group read vs own read");
            assertEquals(v[9], readU64s(arena, g.m2(), 2)[0], "member 2: group read vs own read");
            assertEquals(ids[1], readU64s(arena, g.m1(), 2)[1]);
            assertEquals(ids[2], readU64s(arena, g.m2(), 2)[1]);
        }
    }

    @Test
    void groupReadSizeFollowsEveryReadFormat() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            for (int mask = 0; mask < 16; mask++) {
                long readFormat = PERF_FORMAT_GROUP() | ((mask & 1) != 0 ? TE : 0) | ((mask & 2) != 0 ? TR : 0)
                        | ((mask & 4) != 0 ? ID : 0) | ((mask & 8) != 0 ? LOST : 0);
                MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
                perf_event_attr.read_format(attr, readFormat);
                int leader = fds.open(attr, -1);
                int m1 = fds.open(attr, leader);
                int m2 = fds.open(attr, leader);
                int times = Integer.bitCount(mask & 3);
                int perMember = 1 + Integer.bitCount(mask & 12);
                long expected = 8L * (1 + times + 3 * perMember);
                for (int fd : new int[] {leader, m1, m2}) { // any member's read returns the whole group
                    MemorySegment buffer = arena.allocate(256);
                    long n = Syscalls.read(fd, buffer);
                    assertEquals(expected, n, "read_format 0x" + Long.toHexString(readFormat) + ": "
                            + (n < 0 ? Errno.describe((int) n) : n + " bytes"));
                    assertEquals(3, buffer.get(JAVA_LONG, 0), "nr");
                    long tooSmall = Syscalls.read(fd, buffer.asSlice(0, expected - 1));
                    assertEquals(-Errno.ENOSPC, tooSmall, "one byte short: " + Errno.describe((int) tooSmall));
                }
                fds.close();
            }
        }
    }

    @Test
    void enableWithFlagGroupOnTheLeaderEnablesEveryMember() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            Group g = Group.open(arena, fds);
            Attrs.ok(Syscalls.enable(g.leader(), GROUP), "group enable");
            work();
            assertAllCounted(g.counts(), "after a group enable");
        }
    }

    @Test
    void enableWithoutFlagGroupEnablesOnlyTheLeader() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            Group g = Group.open(arena, fds);
            Attrs.ok(Syscalls.enable(g.leader(), 0), "enable");
            work();
            long[] c = g.counts();
            assertTrue(c[0] >= 64, "the leader counts: " + Arrays.toString(c));
            assertEquals(0, c[1], "member 1 stayed disabled: " + Arrays.toString(c));
            assertEquals(0, c[2], "member 2 stayed disabled: " + Arrays.toString(c));
        }
    }

    @Test
    void flagGroupOnAMemberActsOnTheWholeGroup() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            Group g = Group.open(arena, fds);
            Attrs.ok(Syscalls.enable(g.m2(), GROUP), "group enable through a member");
            work();
            Attrs.ok(Syscalls.disable(g.m1(), GROUP), "group disable through another member");
            long[] stopped = g.counts();
            assertAllCounted(stopped, "after enable through a member");
            work();
            assertArrayEquals(stopped, g.counts(), "a group disable through a member stops every member");
            Attrs.ok(Syscalls.reset(g.m2(), GROUP), "group reset through a member");
            assertArrayEquals(new long[3], g.counts(), "a group reset through a member zeroes every member");
        }
    }

    @Test
    void disableWithFlagGroupStopsEveryMember() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            Group g = Group.open(arena, fds);
            Attrs.ok(Syscalls.enable(g.leader(), GROUP), "group enable");
            work();
            Attrs.ok(Syscalls.disable(g.leader(), GROUP), "group disable");
            long[] stopped = g.counts();
            assertAllCounted(stopped, "before the group disable");
            work();
            assertArrayEquals(stopped, g.counts(), "nothing counts after a group disable");

            // The members themselves are disabled now: enabling only the leader leaves them where they stopped.
            Attrs.ok(Syscalls.enable(g.leader(), 0), "enable the leader alone");
            work();
            long[] c = g.counts();
            assertTrue(c[0] >= stopped[0] + 64, "the leader resumed: " + Arrays.toString(c));
            assertEquals(stopped[1], c[1], "member 1 was disabled by the group disable");
            assertEquals(stopped[2], c[2], "member 2 was disabled by the group disable");
        }
    }

    @Test
    void disableWithoutFlagGroupLeavesTheMembersEnabled() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            Group g = Group.open(arena, fds);
            Attrs.ok(Syscalls.enable(g.leader(), GROUP), "group enable");
            work();
            Attrs.ok(Syscalls.disable(g.leader(), 0), "disable the leader alone");
            long[] stopped = g.counts();
            assertAllCounted(stopped, "after a group enable");
            // A disabled leader takes its group off the PMU, so nothing counts now; but the members are still
            // enabled: enabling the leader alone brings all of them back.
            work();
            assertArrayEquals(stopped, g.counts(), "a group whose leader is disabled is not scheduled");
            Attrs.ok(Syscalls.enable(g.leader(), 0), "enable the leader alone");
            work();
            long[] c = g.counts();
            for (int i = 0; i < 3; i++) {
                assertTrue(c[i] >= stopped[i] + 64, "member " + i + " should have resumed: " + Arrays.toString(stopped)
                        + " -> " + Arrays.toString(c));
            }
        }
    }

    @Test
    void resetWithFlagGroupZeroesEveryMember() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            Group g = Group.open(arena, fds);
            Attrs.ok(Syscalls.enable(g.leader(), GROUP), "group enable");
            work();
            Attrs.ok(Syscalls.disable(g.leader(), GROUP), "group disable");
            long[] times = Arrays.copyOfRange(g.groupRead(), 1, 3);
            assertAllCounted(g.counts(), "before the reset");
            Attrs.ok(Syscalls.reset(g.leader(), GROUP), "group reset");
            assertArrayEquals(new long[3], g.counts(), "every member is zero after a group reset");
            assertArrayEquals(times, Arrays.copyOfRange(g.groupRead(), 1, 3), "the times survive a group reset");
        }
    }

    @Test
    void resetWithoutFlagGroupZeroesOnlyTheLeader() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            Group g = Group.open(arena, fds);
            Attrs.ok(Syscalls.enable(g.leader(), GROUP), "group enable");
            work();
            Attrs.ok(Syscalls.disable(g.leader(), GROUP), "group disable");
            long[] before = g.counts();
            assertAllCounted(before, "before the reset");
            Attrs.ok(Syscalls.reset(g.leader(), 0), "reset the leader alone");
            long[] after = g.counts();
            assertEquals(0, after[0], "the leader was reset");
            assertEquals(before[1], after[1], "member 1 untouched");
            assertEquals(before[2], after[2], "member 2 untouched");
        }
    }

    @Test
    void mixedPmuGroupCountsInEveryMemberOnceTheThreadIsScheduledAgain() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            Group g = Group.open(arena, fds, PERF_COUNT_SW_TASK_CLOCK(), PERF_COUNT_SW_CPU_CLOCK(),
                    PERF_COUNT_SW_PAGE_FAULTS());
            Attrs.ok(Syscalls.enable(g.leader(), GROUP), "group enable");
            sleepFiveTimes(); // context switches: the whole group is scheduled in again when the thread runs
            work();
            Attrs.ok(Syscalls.disable(g.leader(), GROUP), "group disable");
            long[] c = g.counts();
            assertTrue(c[0] > 0 && c[1] > 0 && c[2] >= 64, "task-clock, cpu-clock, page-faults (64 fresh pages): "
                    + Arrays.toString(c));
            work();
            assertArrayEquals(c, g.counts(), "nothing counts after the group disable");
        }
    }

    @Test
    void refreshOnACountingEventIsEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            int r = Syscalls.refresh(fd, 1);
            assertEquals(-Errno.EINVAL, r, Errno.describe(r));
        }
    }

    @Test
    void periodOnACountingEventIsEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            MemorySegment period = arena.allocate(JAVA_LONG);
            period.set(JAVA_LONG, 0, 100_000);
            int r = Syscalls.period(fd, period);
            assertEquals(-Errno.EINVAL, r, Errno.describe(r));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Descriptors

    @Test
    void openingAndClosingTwoThousandEventsLeavesTheFdCountWhereItWas() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            MemorySegment tooSmall = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            MemorySegment value = arena.allocate(JAVA_LONG);
            Attrs.ok(Syscalls.close(Attrs.open(attr, 0, -1, -1)), "close"); // warm up before counting
            long fdsBefore = Fixtures.openFdCount();
            long perfFdsBefore = Fixtures.openPerfEventFdCount();

            for (int i = 0; i < 2000; i++) {
                int fd = Attrs.open(attr, 0, -1, -1);
                try {
                    Attrs.ok(Syscalls.enable(fd, 0), "enable");
                    assertEquals(8, Syscalls.read(fd, value));
                } finally {
                    Attrs.ok(Syscalls.close(fd), "close of fd " + fd);
                }
                perf_event_attr.size(tooSmall, 1); // and a failing open leaves nothing behind either
                int failed = Syscalls.perfEventOpen(tooSmall, 0, -1, -1, PERF_FLAG_FD_CLOEXEC());
                assertEquals(-Errno.E2BIG, failed, Errno.describe(failed));
            }

            assertEquals(perfFdsBefore, Fixtures.openPerfEventFdCount(), "perf event fds left open");
            assertEquals(fdsBefore, Fixtures.openFdCount(), "fds in /proc/self/fd");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // prctl(PR_TASK_PERF_EVENTS_DISABLE / ENABLE)

    @Test
    void prctlTaskPerfEventsDisableStopsAndEnableResumesTheThreadsCounters() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            LongSupplier count = () -> Attrs.readCount(arena, fd);
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
            try {
                Fixtures.spin(3_000_000);
                Attrs.ok(Syscalls.prctl(PR_TASK_PERF_EVENTS_DISABLE(), 0, 0, 0, 0), "prctl(PR_TASK_PERF_EVENTS_DISABLE)");
                long stopped = count.getAsLong();
                assertTrue(stopped > 0, "counted before the prctl: " + stopped);
                Fixtures.spin(3_000_000);
                assertEquals(stopped, count.getAsLong(), "counted after PR_TASK_PERF_EVENTS_DISABLE");

                Attrs.ok(Syscalls.prctl(PR_TASK_PERF_EVENTS_ENABLE(), 0, 0, 0, 0), "prctl(PR_TASK_PERF_EVENTS_ENABLE)");
                Fixtures.spin(3_000_000);
                long resumed = count.getAsLong();
                assertTrue(resumed > stopped, "did not resume after PR_TASK_PERF_EVENTS_ENABLE: " + resumed);
            } finally {
                Syscalls.prctl(PR_TASK_PERF_EVENTS_ENABLE(), 0, 0, 0, 0);
            }
        }
    }

    @Test
    void prctlTaskPerfEventsEnableAlsoEnablesCountersOpenedDisabled() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            Fixtures.spin(1_000_000);
            assertEquals(0, Attrs.readCount(arena, fd), "opened disabled");
            Attrs.ok(Syscalls.prctl(PR_TASK_PERF_EVENTS_ENABLE(), 0, 0, 0, 0), "prctl(PR_TASK_PERF_EVENTS_ENABLE)");
            Fixtures.spin(3_000_000);
            long counted = Attrs.readCount(arena, fd);
            assertTrue(counted > 0, "a counter opened disabled is enabled by the prctl: " + counted);
        }
    }

    @Test
    void prctlWithAnUnknownOptionIsEinval() {
        int r = Syscalls.prctl(0x7fff_f00d, 0, 0, 0, 0);
        assertEquals(-Errno.EINVAL, r, Errno.describe(r));
    }
}

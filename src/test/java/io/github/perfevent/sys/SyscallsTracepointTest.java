package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_PAGE_FAULTS;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_TRACEPOINT;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.perfevent.sys.bindings.perf_event_query_bpf;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * SET_FILTER, QUERY_BPF and SET_BPF against the real kernel, on the tracepoint {@code syscalls:sys_enter_getpid}
 * counting this thread's {@code getpid()} calls (made through an FFM downcall, one system call each).
 *
 * <p>tracefs is not mounted at boot on this project's machines: the class mounts it at /sys/kernel/tracing if
 * absent and unmounts it afterwards (only if it mounted it). Tests that need no tracepoint run without it; the
 * others are skipped with the reason when tracefs or the tracepoint is missing. No BPF program is ever loaded, so the
 * BPF ioctls are tested on their empty and error paths.
 */
class SyscallsTracepointTest {

    private static final int CALLS = 1000;

    private static Tracefs tracefs;
    private static String whyNoTracefs = "tracefs was not set up";

    @BeforeAll
    static void mountTracefs() throws IOException, InterruptedException {
        try {
            tracefs = Tracefs.acquire();
        } catch (TestAbortedException e) {
            whyNoTracefs = e.getMessage();
        }
    }

    @AfterAll
    static void unmountTracefs() throws IOException, InterruptedException {
        if (tracefs != null) {
            tracefs.release();
        }
    }

    /** A disabled counting event on this thread's sys_enter_getpid; skips the test if there is none. */
    private static int openGetpidTracepoint(Arena arena, Fds fds) throws IOException {
        assumeTrue(tracefs != null, whyNoTracefs);
        long id = tracefs.eventId("syscalls", "sys_enter_getpid");
        return fds.open(Attrs.disabled(arena, PERF_TYPE_TRACEPOINT(), id), 0, -1, -1);
    }

    private static void callGetpid(int times) {
        for (int i = 0; i < times; i++) {
            Libc.getpid();
        }
    }

    /** Enables the events, makes {@link #CALLS} getpid calls, disables them. */
    private static void countGetpidCalls(int... fds) {
        for (int fd : fds) {
            Attrs.ok(Syscalls.enable(fd, 0), "enable");
        }
        callGetpid(CALLS);
        for (int fd : fds) {
            Attrs.ok(Syscalls.disable(fd, 0), "disable");
        }
    }

    private static MemorySegment query(Arena arena, int idsLen) {
        MemorySegment query = arena.allocate(perf_event_query_bpf.sizeof() + (long) idsLen * Integer.BYTES, 8);
        perf_event_query_bpf.ids_len(query, idsLen);
        perf_event_query_bpf.prog_cnt(query, 0x5a5a5a5a);
        for (int i = 0; i < idsLen; i++) {
            query.set(JAVA_INT, perf_event_query_bpf.sizeof() + (long) i * Integer.BYTES, 0x7777);
        }
        return query;
    }

    // ---- counting, as the baseline of the filter tests ----

    @Test
    void tracepointCountsEveryGetpidCallOfThisThreadExactly() throws IOException {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = openGetpidTracepoint(arena, fds);
            countGetpidCalls(fd);
            assertEquals(CALLS, Attrs.readCount(arena, fd));
        }
    }

    // ---- PERF_EVENT_IOC_SET_FILTER ----

    @Test
    void setFilterThatMatchesNothingCountsZeroWhileAMatchingFilterCountsEveryCall() throws IOException {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int noSuchPid = openGetpidTracepoint(arena, fds);
            int thisThread = openGetpidTracepoint(arena, fds);
            int negativeNr = openGetpidTracepoint(arena, fds);
            int anyNr = openGetpidTracepoint(arena, fds);
            // common_pid is the thread id; __syscall_nr is the event's own field.
            Attrs.ok(Syscalls.setFilter(noSuchPid, arena.allocateFrom("common_pid == 1")), "SET_FILTER");
            Attrs.ok(Syscalls.setFilter(thisThread, arena.allocateFrom("common_pid == " + Libc.gettid())), "SET_FILTER");
            Attrs.ok(Syscalls.setFilter(negativeNr, arena.allocateFrom("__syscall_nr < 0")), "SET_FILTER");
            Attrs.ok(Syscalls.setFilter(anyNr, arena.allocateFrom("__syscall_nr >= 0")), "SET_FILTER");

            countGetpidCalls(noSuchPid, thisThread, negativeNr, anyNr);

            assertEquals(0, Attrs.readCount(arena, noSuchPid), "filter common_pid == 1");
            assertEquals(CALLS, Attrs.readCount(arena, thisThread), "filter common_pid == this thread");
            assertEquals(0, Attrs.readCount(arena, negativeNr), "filter __syscall_nr < 0");
            assertEquals(CALLS, Attrs.readCount(arena, anyNr), "filter __syscall_nr >= 0");
        }
    }

    @Test
    void setFilterASecondTimeFailsWithEexistAndKeepsTheFirstFilter() throws IOException {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = openGetpidTracepoint(arena, fds);
            Attrs.ok(Syscalls.setFilter(fd, arena.allocateFrom("common_pid == 1")), "SET_FILTER");
            assertEquals(-Errno.EEXIST, Syscalls.setFilter(fd, arena.allocateFrom("common_pid != 1")));
            assertEquals(-Errno.EEXIST, Syscalls.setFilter(fd, arena.allocateFrom("common_pid == 1")), "the same filter");
            countGetpidCalls(fd);
            assertEquals(0, Attrs.readCount(arena, fd), "the first filter (common_pid == 1) is still in effect");
        }
    }

    @Test
    void setFilterWithAMalformedExpressionFailsWithEinvalAndLeavesNoFilter() throws IOException {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = openGetpidTracepoint(arena, fds);
            for (String malformed : new String[] {"common_pid ==", "no_such_field == 1", "common_pid === 1", "", " "}) {
                assertEquals(-Errno.EINVAL, Syscalls.setFilter(fd, arena.allocateFrom(malformed)), "'" + malformed + "'");
            }
            countGetpidCalls(fd);
            assertEquals(CALLS, Attrs.readCount(arena, fd), "count after the rejected filters");
            // Nothing was left behind: a valid filter is still accepted (no EEXIST).
            assertEquals(0, Syscalls.setFilter(fd, arena.allocateFrom("common_pid == 1")));
        }
    }

    @Test
    void setFilterThroughANullPointerFailsWithEfault() throws IOException {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int tracepoint = openGetpidTracepoint(arena, fds);
            assertEquals(-Errno.EFAULT, Syscalls.setFilter(tracepoint, MemorySegment.NULL));
        }
    }

    @Test
    void setFilterOnANonTracepointEventFailsWithEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int taskClock = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            int pageFaults = fds.open(Attrs.software(arena, PERF_COUNT_SW_PAGE_FAULTS()), 0, -1, -1);
            assertEquals(-Errno.EINVAL, Syscalls.setFilter(taskClock, arena.allocateFrom("common_pid == 1")));
            assertEquals(-Errno.EINVAL, Syscalls.setFilter(pageFaults, arena.allocateFrom("common_pid == 1")));
            // The kernel copies the string in before it looks at the event: NULL is EFAULT even here.
            assertEquals(-Errno.EFAULT, Syscalls.setFilter(taskClock, MemorySegment.NULL));
        }
    }

    @Test
    void setFilterRefusesASegmentWithoutANulByte() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            MemorySegment unterminated = arena.allocate(16).fill((byte) 'a');
            assertThrows(IllegalArgumentException.class, () -> Syscalls.setFilter(fd, unterminated));
            MemorySegment empty = arena.allocate(0);
            assertThrows(IllegalArgumentException.class, () -> Syscalls.setFilter(fd, empty));
            unterminated.set(JAVA_BYTE, 15, (byte) 0);
            assertEquals(-Errno.EINVAL, Syscalls.setFilter(fd, unterminated), "NUL-terminated, passed to the kernel");
        }
    }

    // ---- PERF_EVENT_IOC_QUERY_BPF ----

    @Test
    void queryBpfOnATracepointWithoutProgramsReportsZeroPrograms() throws IOException {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = openGetpidTracepoint(arena, fds);
            MemorySegment none = query(arena, 0);
            assertEquals(0, Syscalls.queryBpf(fd, none), "ids_len 0");
            assertEquals(0, perf_event_query_bpf.prog_cnt(none), "prog_cnt");

            MemorySegment four = query(arena, 4);
            assertEquals(0, Syscalls.queryBpf(fd, four), "ids_len 4");
            assertEquals(0, perf_event_query_bpf.prog_cnt(four), "prog_cnt");
            assertEquals(4, perf_event_query_bpf.ids_len(four), "ids_len is not written");
            for (int i = 0; i < 4; i++) {
                // The kernel copies out all ids_len slots, zero-filled past prog_cnt.
                assertEquals(0, four.get(JAVA_INT, perf_event_query_bpf.sizeof() + (long) i * Integer.BYTES), "ids[" + i + "]");
            }
        }
    }

    @Test
    void queryBpfWithMoreIdsThanTheKernelsLimitFailsWithE2big() throws IOException {
        // BPF_TRACE_MAX_PROGS is 64.
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = openGetpidTracepoint(arena, fds);
            assertEquals(0, Syscalls.queryBpf(fd, query(arena, 64)), "ids_len 64");
            assertEquals(-Errno.E2BIG, Syscalls.queryBpf(fd, query(arena, 65)), "ids_len 65");
        }
    }

    @Test
    void queryBpfThroughANullPointerFailsWithEfault() throws IOException {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = openGetpidTracepoint(arena, fds);
            assertEquals(-Errno.EFAULT, Syscalls.queryBpf(fd, MemorySegment.NULL));
        }
    }

    @Test
    void queryBpfOnANonTracepointEventFailsWithEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            assertEquals(-Errno.EINVAL, Syscalls.queryBpf(fd, query(arena, 0)));
            // The event type is checked first: even NULL gives EINVAL here.
            assertEquals(-Errno.EINVAL, Syscalls.queryBpf(fd, MemorySegment.NULL));
        }
    }

    @Test
    void queryBpfRefusesASegmentTooSmallForItsIdsLen() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            MemorySegment header = arena.allocate(perf_event_query_bpf.sizeof(), 8);
            perf_event_query_bpf.ids_len(header, 4);
            assertThrows(IllegalArgumentException.class, () -> Syscalls.queryBpf(fd, header), "room for 0 of 4 ids");
            MemorySegment three = query(arena, 3);
            perf_event_query_bpf.ids_len(three, 4);
            assertThrows(IllegalArgumentException.class, () -> Syscalls.queryBpf(fd, three), "room for 3 of 4 ids");
            MemorySegment tooShort = arena.allocate(4, 4);
            assertThrows(IllegalArgumentException.class, () -> Syscalls.queryBpf(fd, tooShort), "no room for the header");
        }
    }

    // ---- PERF_EVENT_IOC_SET_BPF ----

    @Test
    void setBpfWithAFdThatIsNotABpfProgramFailsWithEinvalAndWithAClosedFdWithEbadf() throws IOException {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int tracepoint = openGetpidTracepoint(arena, fds);
            int perfFd = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            int devNull = Libc.openReadOnly("/dev/null");
            try {
                assertEquals(-Errno.EINVAL, Syscalls.setBpf(tracepoint, perfFd), "a perf event fd");
                assertEquals(-Errno.EINVAL, Syscalls.setBpf(tracepoint, devNull), "/dev/null");
            } finally {
                Libc.close(devNull);
            }
            assertEquals(-Errno.EBADF, Syscalls.setBpf(tracepoint, Integer.MAX_VALUE), "an fd that is not open");
            assertEquals(-Errno.EBADF, Syscalls.setBpf(tracepoint, -1), "fd -1");
        }
    }

    @Test
    void setBpfOnASoftwareEventChecksTheProgramFdFirst() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            int other = fds.open(Attrs.software(arena, PERF_COUNT_SW_PAGE_FAULTS()), 0, -1, -1);
            assertEquals(-Errno.EINVAL, Syscalls.setBpf(fd, other), "a perf event fd");
            assertEquals(-Errno.EBADF, Syscalls.setBpf(fd, Integer.MAX_VALUE), "an fd that is not open");
        }
    }
}

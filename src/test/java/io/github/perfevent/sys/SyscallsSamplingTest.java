package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_LOST;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_SAMPLE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_ID;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_IDENTIFIER;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_PERIOD;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_TIME;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bindings.perf_event_mmap_page;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The sampling side of the raw layer against the real kernel: the PERIOD, REFRESH, SET_OUTPUT, PAUSE_OUTPUT and ID
 * ioctls, and mmap, munmap and poll of the ring buffer. The workload is this thread busy-spinning in user mode,
 * sampled by a task-clock event (an hrtimer, so it works without a hardware PMU). The spinning is measured in CPU
 * time ({@link Spin}); wall-clock timing is only compared as a ratio with wide margins. Child processes are
 * {@code /bin/cat} waiting on a pipe, so that a test decides when they exit.
 */
@SuppressWarnings("restricted") // MemorySegment.reinterpret of a mapping; the module has native access in tests
class SyscallsSamplingTest {

    private static final long PAGE = RingBuffer.PAGE_SIZE;

    /** A disabled task-clock sampling event on the calling thread (user mode only). */
    private static MemorySegment taskClockSampling(Arena arena, long periodNs, long sampleType) {
        MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
        perf_event_attr.sample_period(attr, periodNs);
        perf_event_attr.sample_type(attr, sampleType);
        return attr;
    }

    private static List<RingBuffer.Record> samples(List<RingBuffer.Record> records) {
        return records.stream().filter(r -> r.type() == PERF_RECORD_SAMPLE()).toList();
    }

    private static MemorySegment u64(Arena arena, long value) {
        MemorySegment segment = arena.allocate(JAVA_LONG);
        segment.set(JAVA_LONG, 0, value);
        return segment;
    }

    private static long id(Arena arena, int fd) {
        MemorySegment out = arena.allocate(JAVA_LONG);
        Attrs.ok(Syscalls.id(fd, out), "PERF_EVENT_IOC_ID");
        return out.get(JAVA_LONG, 0);
    }

    private static long medianGap(List<Long> times) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(times.get(i) - times.get(i - 1));
        }
        Collections.sort(gaps);
        return gaps.get(gaps.size() / 2);
    }

    /** A child process that runs until its stdin is closed. */
    private static Process catWaitingForEof() throws IOException {
        return new ProcessBuilder("/bin/cat").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static MemorySegment pollFd(Arena arena, int fd) {
        MemorySegment pfd = arena.allocate(Syscalls.POLLFD);
        pfd.set(JAVA_INT, 0, fd);
        pfd.set(JAVA_SHORT, 4, Syscalls.POLLIN);
        return pfd;
    }

    private static short revents(MemorySegment pfd) {
        return pfd.get(JAVA_SHORT, 6);
    }

    // ---- PERF_EVENT_IOC_PERIOD ----

    @Test
    void periodTakesAPointerAndAtOnceShortensTheSpacingOfTaskClockSamples() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            // TIME first, then PERIOD: body = time, period.
            int fd = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME() | PERF_SAMPLE_PERIOD()), 0, -1, -1);
            try (RingBuffer rb = RingBuffer.map(fd, 16)) {
                Attrs.ok(Syscalls.enable(fd, 0), "enable");
                Spin.cpu(60);
                Attrs.ok(Syscalls.disable(fd, 0), "disable");
                List<RingBuffer.Record> before = samples(rb.drain());

                Attrs.ok(Syscalls.period(fd, u64(arena, 200_000)), "PERF_EVENT_IOC_PERIOD(&200000)");

                Attrs.ok(Syscalls.enable(fd, 0), "enable");
                Spin.cpu(30);
                Attrs.ok(Syscalls.disable(fd, 0), "disable");
                List<RingBuffer.Record> after = samples(rb.drain());

                assertTrue(before.size() >= 10, "too few samples at 1 ms: " + before.size());
                assertTrue(after.size() >= 10, "too few samples at 200 us: " + after.size());
                long gapBefore = medianGap(before.stream().map(r -> r.u64(0)).toList());
                long gapAfter = medianGap(after.stream().map(r -> r.u64(0)).toList());
                // Measured: ~1,000,000 ns, then ~200,000 ns. (Passing the value instead of a pointer fails with EFAULT.)
                assertTrue(gapAfter * 2 < gapBefore,
                        "median gap between samples " + gapBefore + " ns before PERIOD(200000), " + gapAfter + " ns after");
                // Wall-clock gaps can only be longer than the CPU-time periods (preemption), never much shorter.
                assertTrue(gapBefore > 800_000 && gapAfter > 150_000,
                        "median gaps " + gapBefore + " ns / " + gapAfter + " ns are shorter than the periods");
                // The hrtimer events keep reporting the first period in PERF_SAMPLE_PERIOD (ENVIRONMENT.md).
                assertEquals(1_000_000, after.getLast().u64(8), "PERIOD field of a task-clock sample after the change");
            }
        }
    }

    @Test
    void periodOnACountingEventFailsWithEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int counting = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            assertEquals(-Errno.EINVAL, Syscalls.period(counting, u64(arena, 200_000)));
        }
    }

    @Test
    void periodWithBit63SetOrZeroFailsWithEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            assertEquals(-Errno.EINVAL, Syscalls.period(fd, u64(arena, 1L << 63)), "period 2^63");
            assertEquals(-Errno.EINVAL, Syscalls.period(fd, u64(arena, -1L)), "period 2^64-1");
            assertEquals(-Errno.EINVAL, Syscalls.period(fd, u64(arena, 0)), "period 0");
            assertEquals(0, Syscalls.period(fd, u64(arena, (1L << 63) - 1)), "period 2^63-1 is accepted");
        }
    }

    @Test
    void periodThroughANullPointerFailsWithEfaultEvenOnACountingEvent() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int sampling = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            int counting = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            assertEquals(-Errno.EFAULT, Syscalls.period(sampling, MemorySegment.NULL));
            // The kernel copies the u64 in before it looks at the event.
            assertEquals(-Errno.EFAULT, Syscalls.period(counting, MemorySegment.NULL));
        }
    }

    @Test
    void periodRefusesASegmentShorterThanEightBytes() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            MemorySegment small = arena.allocate(4);
            assertThrows(IllegalArgumentException.class, () -> Syscalls.period(fd, small));
        }
    }

    // ---- PERF_EVENT_IOC_REFRESH ----

    @Test
    void refreshEnablesASamplingEventForExactlyNOverflowsAfterWhichItDisablesItself() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = taskClockSampling(arena, 100_000, PERF_SAMPLE_TIME());
            perf_event_attr.wakeup_events(attr, 1);
            int fd = fds.open(attr, 0, -1, -1);
            try (RingBuffer rb = RingBuffer.map(fd, 8)) {
                MemorySegment pfd = pollFd(arena, fd);
                assertEquals(0, Syscalls.poll(pfd, 1, 0), "nothing to report before refresh");

                Attrs.ok(Syscalls.refresh(fd, 3), "PERF_EVENT_IOC_REFRESH(3)");
                Spin.cpu(50); // ~500 periods of 100 us: far more than 3
                long stopped = Attrs.readCount(arena, fd);
                Spin.cpu(20);
                assertEquals(stopped, Attrs.readCount(arena, fd), "the count moved after the 3rd overflow");
                assertEquals(3, samples(rb.drain()).size(), "samples written after refresh(3)");
                assertTrue(stopped >= 3 * 100_000L, "task-clock count " + stopped + " is below 3 periods");

                // poll: the samples woke the reader (wakeup_events = 1) with POLLIN; reaching the limit adds no
                // POLLHUP to poll (the kernel sets POLL_HUP only as the si_code of a SIGIO set up with fcntl).
                assertEquals(1, Syscalls.poll(pfd, 1, 0));
                assertEquals(Syscalls.POLLIN, revents(pfd), "revents after the event disabled itself");

                // A refresh re-arms it for N more.
                Attrs.ok(Syscalls.refresh(fd, 2), "PERF_EVENT_IOC_REFRESH(2)");
                Spin.cpu(50);
                assertEquals(2, samples(rb.drain()).size(), "samples written after refresh(2)");
            }
        }
    }

    @Test
    void refreshZeroIsAcceptedAndEnablesTheEventWithoutALimit() {
        // Syscalls' Javadoc says 0 is refused; kernel 6.18 adds 0 to the limit (0 = none) and enables the event.
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(taskClockSampling(arena, 100_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            try (RingBuffer rb = RingBuffer.map(fd, 16)) {
                assertEquals(0, Syscalls.refresh(fd, 0));
                Spin.cpu(30);
                Attrs.ok(Syscalls.disable(fd, 0), "disable");
                int n = samples(rb.drain()).size();
                assertTrue(n > 20, "refresh(0) should enable without a limit; samples: " + n);
            }
        }
    }

    @Test
    void refreshOnACountingEventFailsWithEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int counting = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            assertEquals(-Errno.EINVAL, Syscalls.refresh(counting, 1));
        }
    }

    // ---- PERF_EVENT_IOC_SET_OUTPUT ----

    @Test
    void setOutputSendsRecordsToTheTargetsBufferAndMinusOneDetaches() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            long type = PERF_SAMPLE_IDENTIFIER() | PERF_SAMPLE_TIME();
            int first = fds.open(taskClockSampling(arena, 200_000, type), 0, -1, -1);
            int second = fds.open(taskClockSampling(arena, 300_000, type), 0, -1, -1);
            long firstId = id(arena, first);
            long secondId = id(arena, second);
            assertFalse(firstId == secondId, "two events share id " + firstId);
            try (RingBuffer rb = RingBuffer.map(first, 16)) {
                Attrs.ok(Syscalls.setOutput(second, first), "SET_OUTPUT(second -> first)");
                // While redirected, the second has the first's buffer: mapping its own fails.
                long busy = Syscalls.mmap(0, RingBuffer.lengthFor(16), Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                        Syscalls.MAP_SHARED, second, 0);
                if (busy >= 0) {
                    Syscalls.munmap(busy, RingBuffer.lengthFor(16));
                }
                assertEquals(-Errno.EBUSY, busy, "mmap of a redirected event, same size");

                Attrs.ok(Syscalls.enable(first, 0), "enable");
                Attrs.ok(Syscalls.enable(second, 0), "enable");
                Spin.cpu(20);
                Attrs.ok(Syscalls.disable(second, 0), "disable");
                Attrs.ok(Syscalls.disable(first, 0), "disable");
                Set<Long> ids = samples(rb.drain()).stream().map(r -> r.u64(0)).collect(Collectors.toSet());
                assertEquals(Set.of(firstId, secondId), ids, "identifiers in the first event's buffer");

                // A 64-bit -1 detaches (an int -1 would arrive as 0xffffffff: see the next test).
                Attrs.ok(Syscalls.setOutput(second, -1L), "SET_OUTPUT(second -> -1)");
                Attrs.ok(Syscalls.enable(first, 0), "enable");
                Attrs.ok(Syscalls.enable(second, 0), "enable");
                Spin.cpu(20);
                Attrs.ok(Syscalls.disable(second, 0), "disable");
                Attrs.ok(Syscalls.disable(first, 0), "disable");
                ids = samples(rb.drain()).stream().map(r -> r.u64(0)).collect(Collectors.toSet());
                assertEquals(Set.of(firstId), ids, "identifiers in the first event's buffer after detaching");

                // Detached, the second can have its own buffer again, and its records go there.
                try (RingBuffer own = RingBuffer.map(second, 1)) {
                    Attrs.ok(Syscalls.enable(second, 0), "enable");
                    Spin.cpu(5);
                    Attrs.ok(Syscalls.disable(second, 0), "disable");
                    List<RingBuffer.Record> mine = samples(own.drain());
                    assertFalse(mine.isEmpty(), "no samples in the second event's own buffer");
                    assertTrue(mine.stream().allMatch(r -> r.u64(0) == secondId), "foreign ids in the second's buffer");
                }
            }
        }
    }

    @Test
    void setOutputRejectsTargetsThatCannotShareABuffer() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int event = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            int unmapped = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            int devNull = Libc.openReadOnly("/dev/null");
            try {
                assertEquals(-Errno.EBADF, Syscalls.setOutput(event, devNull), "target is not a perf event");
            } finally {
                Libc.close(devNull);
            }
            assertEquals(-Errno.EBADF, Syscalls.setOutput(event, Integer.MAX_VALUE), "target fd is not open");
            // What a binding that passes an int -1 sends: the kernel reads 0xffffffff as an fd.
            assertEquals(-Errno.EBADF, Syscalls.setOutput(event, 0xFFFF_FFFFL), "int -1 zero-extended");
            assertEquals(-Errno.EINVAL, Syscalls.setOutput(event, event), "target is the event itself");
            assertEquals(-Errno.EINVAL, Syscalls.setOutput(event, unmapped), "target has no ring buffer");
            assertEquals(0, Syscalls.setOutput(event, -1L), "detaching an event that is not redirected");
            try (RingBuffer _ = RingBuffer.map(unmapped, 1); RingBuffer _ = RingBuffer.map(event, 1)) {
                assertEquals(-Errno.EINVAL, Syscalls.setOutput(event, unmapped), "the event has its own mapping");
            }
        }
    }

    @Test
    void setOutputToAnEventOfAnotherTaskFailsWithEinval() throws IOException, InterruptedException {
        Process child = catWaitingForEof();
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int mine = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            int theirs = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), (int) child.pid(), -1, -1);
            try (RingBuffer _ = RingBuffer.map(mine, 1)) {
                assertEquals(-Errno.EINVAL, Syscalls.setOutput(theirs, mine));
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    // ---- PERF_EVENT_IOC_PAUSE_OUTPUT ----

    @Test
    void pauseOutputFreezesDataHeadAndResumingReportsTheLostSamples() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(taskClockSampling(arena, 100_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            try (RingBuffer rb = RingBuffer.map(fd, 16)) {
                Attrs.ok(Syscalls.enable(fd, 0), "enable");
                Spin.cpu(10);
                assertFalse(samples(rb.drain()).isEmpty(), "no samples before pausing");

                Attrs.ok(Syscalls.pauseOutput(fd, 1), "PAUSE_OUTPUT(1)");
                rb.drain(); // what was written between the last drain and the ioctl
                long paused = rb.head();
                Spin.cpu(20);
                assertEquals(paused, rb.head(), "data_head moved while output was paused");
                assertTrue(rb.drain().isEmpty(), "records appeared while output was paused");

                Attrs.ok(Syscalls.pauseOutput(fd, 0), "PAUSE_OUTPUT(0)");
                Spin.cpu(10);
                Attrs.ok(Syscalls.disable(fd, 0), "disable");
                assertTrue(rb.head() > paused, "data_head did not move after resuming");
                List<RingBuffer.Record> resumed = rb.drain();
                assertFalse(samples(resumed).isEmpty(), "no samples after resuming");
                // The samples dropped while paused are reported by one PERF_RECORD_LOST {id, lost} first.
                RingBuffer.Record lost = resumed.getFirst();
                assertEquals(PERF_RECORD_LOST(), lost.type(), "first record after resuming");
                assertTrue(lost.u64(8) > 10, "lost count " + lost.u64(8) + " for ~200 periods paused");
            }
        }
    }

    @Test
    void pauseOutputWithoutAMappingFailsWithEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int sampling = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            int counting = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            assertEquals(-Errno.EINVAL, Syscalls.pauseOutput(sampling, 1));
            assertEquals(-Errno.EINVAL, Syscalls.pauseOutput(counting, 1));
        }
    }

    // ---- PERF_EVENT_IOC_ID in samples ----

    @Test
    void sampleIdAndIdentifierEqualTheIdIoctlsValue() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            // Body: IDENTIFIER, TIME, ID (the kernel's order).
            long type = PERF_SAMPLE_IDENTIFIER() | PERF_SAMPLE_TIME() | PERF_SAMPLE_ID();
            int fd = fds.open(taskClockSampling(arena, 100_000, type), 0, -1, -1);
            long id = id(arena, fd);
            try (RingBuffer rb = RingBuffer.map(fd, 8)) {
                Attrs.ok(Syscalls.enable(fd, 0), "enable");
                Spin.cpu(10);
                Attrs.ok(Syscalls.disable(fd, 0), "disable");
                List<RingBuffer.Record> samples = samples(rb.drain());
                assertFalse(samples.isEmpty(), "no samples");
                for (RingBuffer.Record r : samples) {
                    assertEquals(id, r.u64(0), "PERF_SAMPLE_IDENTIFIER");
                    assertEquals(id, r.u64(16), "PERF_SAMPLE_ID");
                }
            }
        }
    }

    // ---- mmap / munmap ----

    @Test
    void mmapMapsTheMetadataPageAndPowerOfTwoDataPages() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            for (int dataPages : new int[] {1, 2, 8, 64}) {
                try (RingBuffer rb = RingBuffer.map(fd, dataPages)) {
                    MemorySegment page = rb.page;
                    assertEquals(PAGE, perf_event_mmap_page.data_offset(page), "data_offset");
                    assertEquals(dataPages * PAGE, perf_event_mmap_page.data_size(page), "data_size for " + dataPages);
                    assertEquals(0, perf_event_mmap_page.data_head(page), "data_head of a new buffer");
                    assertEquals(0, perf_event_mmap_page.data_tail(page), "data_tail of a new buffer");
                    // size: the bytes of the struct the kernel fills in (up to __reserved).
                    assertEquals(perf_event_mmap_page.time_mask$offset() + Long.BYTES, perf_event_mmap_page.size(page),
                            "size field of the metadata page");
                }
            }
        }
    }

    @Test
    void mmapOfTheMetadataPageAloneWorksWithAnEmptyDataArea() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), 0, -1, -1);
            long address = Syscalls.mmap(0, PAGE, Syscalls.PROT_READ, Syscalls.MAP_SHARED, fd, 0);
            assertTrue(address > 0, () -> "mmap of one page failed: " + Errno.describe((int) address));
            try {
                MemorySegment page = MemorySegment.ofAddress(address).reinterpret(PAGE);
                assertEquals(0, perf_event_mmap_page.data_size(page), "data_size");
            } finally {
                Attrs.ok(Syscalls.munmap(address, PAGE), "munmap");
            }
        }
    }

    @Test
    void mmapWithANonPowerOfTwoDataPageCountFailsWithEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            for (int dataPages : new int[] {3, 5, 6, 12}) {
                long address = Syscalls.mmap(0, RingBuffer.lengthFor(dataPages),
                        Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED, fd, 0);
                if (address >= 0) {
                    Syscalls.munmap(address, RingBuffer.lengthFor(dataPages));
                }
                assertEquals(-Errno.EINVAL, address, "mmap of 1 + " + dataPages + " pages");
            }
        }
    }

    @Test
    void munmapOfAnUnalignedAddressOrZeroLengthFailsWithEinval() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(taskClockSampling(arena, 1_000_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            try (RingBuffer rb = RingBuffer.map(fd, 1)) {
                assertEquals(-Errno.EINVAL, Syscalls.munmap(rb.address + 1, PAGE), "unaligned address");
                assertEquals(-Errno.EINVAL, Syscalls.munmap(rb.address, 0), "length 0");
                // The mapping is still there.
                assertEquals(PAGE, perf_event_mmap_page.data_offset(rb.page));
            }
        }
    }

    @Test
    void ringBufferRecordsThatWrapAroundTheEndAreReadWholeAndDataTailFreesSpace() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            // 24-byte records (header, identifier, time) do not divide a page: some straddle the end.
            int fd = fds.open(taskClockSampling(arena, 100_000, PERF_SAMPLE_IDENTIFIER() | PERF_SAMPLE_TIME()), 0, -1, -1);
            long id = id(arena, fd);
            try (RingBuffer rb = RingBuffer.map(fd, 1)) {
                List<RingBuffer.Record> all = new ArrayList<>();
                Attrs.ok(Syscalls.enable(fd, 0), "enable");
                for (int round = 0; round < 25 || rb.tail() < 3 * rb.dataSize(); round++) {
                    Spin.cpu(4); // ~40 records = 960 bytes, well under the 4096-byte buffer
                    all.addAll(rb.drain());
                    assertTrue(round < 500, "the buffer did not wrap three times");
                }
                Attrs.ok(Syscalls.disable(fd, 0), "disable");
                all.addAll(rb.drain());
                assertTrue(all.stream().allMatch(r -> r.type() == PERF_RECORD_SAMPLE()),
                        "record types " + all.stream().map(RingBuffer.Record::type).distinct().toList()
                                + " (a LOST record means data_tail was not honoured)");
                long previous = 0;
                for (RingBuffer.Record r : all) {
                    assertEquals(24, r.bytes().byteSize(), "record size");
                    assertEquals(id, r.u64(0), "identifier");
                    assertTrue(r.u64(8) > previous, "time went backwards");
                    previous = r.u64(8);
                }
            }
        }
    }

    // ---- poll ----

    @Test
    void pollReportsPollinOnceWakeupEventsSamplesHaveArrived() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = taskClockSampling(arena, 100_000, PERF_SAMPLE_TIME());
            perf_event_attr.wakeup_events(attr, 1);
            int fd = fds.open(attr, 0, -1, -1);
            try (RingBuffer rb = RingBuffer.map(fd, 8)) {
                MemorySegment pfd = pollFd(arena, fd);
                assertEquals(0, Syscalls.poll(pfd, 1, 0), "before any sample");
                Attrs.ok(Syscalls.enable(fd, 0), "enable");
                Spin.cpu(10);
                Attrs.ok(Syscalls.disable(fd, 0), "disable");
                assertEquals(1, Syscalls.poll(pfd, 1, 5000));
                assertEquals(Syscalls.POLLIN, revents(pfd));
                assertFalse(samples(rb.drain()).isEmpty());
                // The readiness is consumed by the poll that reported it.
                assertEquals(0, Syscalls.poll(pfd, 1, 0), "a second poll with nothing new");
            }
        }
    }

    @Test
    void pollWithZeroTimeoutAndNothingPendingReturnsZero() {
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int fd = fds.open(taskClockSampling(arena, 100_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            try (RingBuffer _ = RingBuffer.map(fd, 1)) {
                MemorySegment pfd = pollFd(arena, fd);
                long start = System.nanoTime();
                assertEquals(0, Syscalls.poll(pfd, 1, 0));
                assertEquals(0, revents(pfd));
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "poll(0) blocked");
            }
        }
    }

    @Test
    void pollReportsPollhupWhenTheMonitoredChildExits() throws IOException, InterruptedException {
        Process child = catWaitingForEof();
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
            perf_event_attr_bits.disabled(attr, 0);
            int fd = fds.open(attr, (int) child.pid(), -1, -1);
            // With a ring buffer, poll reports the child's state (without one it reports POLLHUP at once).
            try (RingBuffer _ = RingBuffer.map(fd, 1)) {
                MemorySegment pfd = pollFd(arena, fd);
                assertEquals(0, Syscalls.poll(pfd, 1, 0), "poll while the child still runs");
                assertEquals(0, Syscalls.poll(pfd, 1, 100), "poll with a timeout while the child still runs");
                assertEquals(0, revents(pfd));

                child.getOutputStream().close(); // EOF: cat exits
                assertEquals(1, Syscalls.poll(pfd, 1, 5000), "no event within 5 s of the child's exit");
                assertEquals(Syscalls.POLLHUP, revents(pfd), "revents after the child exited");
                assertTrue(child.waitFor(5, TimeUnit.SECONDS), "the child has not exited");
                assertEquals(1, Syscalls.poll(pfd, 1, 0), "POLLHUP stays reported");
                assertEquals(Syscalls.POLLHUP, revents(pfd));
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void pollOnAnEventWithoutRingBufferReportsPollhupAtOnce() throws IOException, InterruptedException {
        // Kernel behaviour worth knowing: perf_poll() starts from POLLHUP and only a ring buffer replaces it.
        Process child = catWaitingForEof();
        try (Arena arena = Arena.ofConfined(); Fds fds = new Fds()) {
            int onChild = fds.open(Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK()), (int) child.pid(), -1, -1);
            int onSelf = fds.open(taskClockSampling(arena, 100_000, PERF_SAMPLE_TIME()), 0, -1, -1);
            MemorySegment pfds = arena.allocate(Syscalls.POLLFD, 2);
            pfds.set(JAVA_INT, 0, onChild);
            pfds.set(JAVA_SHORT, 4, Syscalls.POLLIN);
            pfds.set(JAVA_INT, Syscalls.POLLFD.byteSize(), onSelf);
            pfds.set(JAVA_SHORT, Syscalls.POLLFD.byteSize() + 4, Syscalls.POLLIN);
            assertEquals(2, Syscalls.poll(pfds, 2, 0));
            assertTrue(child.isAlive());
            assertEquals(Syscalls.POLLHUP, pfds.get(JAVA_SHORT, 6), "unmapped event on a live child");
            assertEquals(Syscalls.POLLHUP, pfds.get(JAVA_SHORT, Syscalls.POLLFD.byteSize() + 6), "unmapped event on self");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void pollRefusesAPollfdSegmentTooSmallForNfds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(Syscalls.POLLFD);
            assertThrows(IllegalArgumentException.class, () -> Syscalls.poll(one, 2, 0));
            assertThrows(IllegalArgumentException.class, () -> Syscalls.poll(one, -1, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> Syscalls.poll(one.asSlice(0, Syscalls.POLLFD.byteSize() - 1), 1, 0));
        }
    }
}

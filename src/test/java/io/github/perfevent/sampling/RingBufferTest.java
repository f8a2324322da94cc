package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_DUMMY;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_IP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_SOFTWARE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.PerfEventException;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bindings.perf_event_mmap_page;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.BufferedReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link RingBuffer} on its own: mapped over real perf event fds (sizes, metadata, the kernel's refusals with their
 * hints, closing once) and over memory the test lays out (the fallback for a zero {@code data_size}, records that
 * cross the end, the tail given back, heads the kernel never writes, overwrite mode read backward from the head).
 */
class RingBufferTest {

    private static final long PAGE = Syscalls.pageSize();

    /** Opens a disabled dummy software event on this thread that samples IP every event; the caller closes it. */
    private static int openDummy(Consumer<MemorySegment> change, int cpu) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = perf_event_attr.allocate(arena);
            perf_event_attr.type(attr, PERF_TYPE_SOFTWARE());
            perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
            perf_event_attr.config(attr, PERF_COUNT_SW_DUMMY());
            perf_event_attr.sample_period(attr, 1);
            perf_event_attr.sample_type(attr, PERF_SAMPLE_IP());
            perf_event_attr_bits.disabled(attr, 1);
            perf_event_attr_bits.exclude_kernel(attr, 1);
            perf_event_attr_bits.exclude_hv(attr, 1);
            change.accept(attr);
            int fd = Syscalls.perfEventOpen(attr, 0, cpu, -1, PERF_FLAG_FD_CLOEXEC());
            assertTrue(fd >= 0, "perf_event_open: " + Errno.describe(fd));
            return fd;
        }
    }

    @Test
    void aMappedBufferHasTheDataAreaTheMetadataPageDescribesAndClosesOnce() {
        int fd = openDummy(attr -> { }, -1);
        try {
            RingBuffer ring = RingBuffer.map(fd, 2, false);
            assertEquals(fd, ring.fd());
            assertEquals(2 * PAGE, ring.dataSize());
            assertEquals(2 * PAGE, perf_event_mmap_page.data_size(ring.metadata()), "data_size of the page");
            assertEquals(PAGE, perf_event_mmap_page.data_offset(ring.metadata()), "data_offset of the page");
            assertEquals(PAGE, ring.metadata().byteSize());
            assertFalse(ring.overwrite());
            assertSame(MemorySegment.NULL, ring.aux());
            assertEquals(0, ring.head());
            assertEquals(0, ring.tail());
            assertEquals(0, ring.unread());
            assertFalse(ring.nextRecord(), "nothing written");
            assertEquals("RingBuffer[fd " + fd + ", " + 2 * PAGE + " bytes]", ring.toString());
            assertFalse(ring.isClosed());
            ring.close();
            assertTrue(ring.isClosed());
            assertEquals("RingBuffer[fd " + fd + ", " + 2 * PAGE + " bytes, closed]", ring.toString());
            assertThrows(IllegalStateException.class, () -> ring.metadata().get(ValueLayout.JAVA_LONG, 0),
                    "the mapping is gone after close");
            ring.close(); // harmless
            assertTrue(ring.isClosed());
        } finally {
            Syscalls.close(fd);
        }
    }

    @Test
    void anOverwriteBufferIsMappedReadOnlyForAWriteBackwardEvent() {
        int fd = openDummy(attr -> perf_event_attr_bits.write_backward(attr, 1), -1);
        try (RingBuffer ring = RingBuffer.map(fd, 1, true)) {
            assertTrue(ring.overwrite());
            assertEquals("RingBuffer[fd " + fd + ", " + PAGE + " bytes, overwrite]", ring.toString());
            assertEquals(0, ring.head(), "nothing written: the head is where it starts");
        } finally {
            Syscalls.close(fd);
        }
    }

    @Test
    void mappingAnFdWhoseOutputGoesElsewhereIsEbusyWithTheRedirectNamed() {
        int owner = openDummy(attr -> { }, -1);
        int redirected = openDummy(attr -> { }, -1);
        try (RingBuffer ring = RingBuffer.map(owner, 1, false)) {
            assertEquals(0, Syscalls.setOutput(redirected, owner));
            PerfEventException e = assertThrows(PerfEventException.class, () -> RingBuffer.map(redirected, 1, false));
            assertEquals(Errno.EBUSY, e.errno());
            assertTrue(e.getMessage().contains("redirected"), e.getMessage());
            assertTrue(e.getMessage().contains("mmap(" + 2 * PAGE + " bytes, fd " + redirected + ")"), e.getMessage());
        } finally {
            Syscalls.close(redirected);
            Syscalls.close(owner);
        }
    }

    @Test
    void mappingAnFdThatIsNotAPerfEventIsEnodev() {
        int eventfd = Syscalls.eventfd(0, Syscalls.EFD_CLOEXEC);
        assertTrue(eventfd >= 0);
        try {
            PerfEventException e = assertThrows(PerfEventException.class, () -> RingBuffer.map(eventfd, 1, false));
            assertEquals(Errno.ENODEV, e.errno());
            assertTrue(e.getMessage().contains("fd " + eventfd + " is not a perf event"), e.getMessage());
        } finally {
            Syscalls.close(eventfd);
        }
    }

    @Test
    void anInheritedEventOnEveryCpuCannotBeMappedAndTheHintSaysSo() {
        int fd = openDummy(attr -> perf_event_attr_bits.inherit(attr, 1), -1);
        try {
            PerfEventException e = assertThrows(PerfEventException.class, () -> RingBuffer.map(fd, 1, false));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("inherited event opened on every CPU"), e.getMessage());
        } finally {
            Syscalls.close(fd);
        }
    }

    @Test
    void pageCountsThatAreNotPowersOfTwoInRangeAreRefusedBeforeAnyMapping() {
        for (int pages : new int[] {0, -4, 3, RingBuffer.MAX_DATA_PAGES + 1, RingBuffer.MAX_DATA_PAGES * 2}) {
            assertThrows(IllegalArgumentException.class, () -> RingBuffer.map(-1, pages, false), "pages " + pages);
            if (pages != 0) { // 0: no AUX area
                assertThrows(IllegalArgumentException.class, () -> RingBuffer.map(-1, 1, false, pages), "aux " + pages);
            }
        }
        RingBuffer.requireDataPages(1);
        RingBuffer.requireDataPages(RingBuffer.MAX_DATA_PAGES);
    }

    @Test
    void sysctlsAreReadFromProcAndAnAbsentOneIsUnknown() throws Exception {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/kernel/perf_event_mlock_kb"))) {
            assertEquals(r.readLine().strip(), RingBuffer.sysctl("perf_event_mlock_kb"));
        }
        assertEquals("unknown", RingBuffer.sysctl("no_such_sysctl_here"));
    }

    // ---- over memory laid out by the test ----

    /** One "mapping" of a metadata page and one data page, {@code data_size} bytes of which are the data area. */
    private static MemorySegment layout(Arena arena, long dataSize) {
        MemorySegment mapping = arena.allocate(2 * PAGE, PAGE);
        perf_event_mmap_page.data_offset(mapping, dataSize == 0 ? 0 : PAGE);
        perf_event_mmap_page.data_size(mapping, dataSize);
        return mapping;
    }

    /** Writes a record of {@code size} bytes (type, then the byte {@code fill} in its body) at ring position {@code at}. */
    private static byte[] record(MemorySegment mapping, long dataSize, long at, int type, int size, int fill) {
        byte[] bytes = new byte[size];
        MemorySegment r = MemorySegment.ofArray(bytes);
        r.set(ValueLayout.JAVA_INT_UNALIGNED, 0, type);
        r.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) size);
        for (int i = 8; i < size; i++) {
            bytes[i] = (byte) fill;
        }
        for (int i = 0; i < size; i++) {
            mapping.set(ValueLayout.JAVA_BYTE, PAGE + ((at + i) & (dataSize - 1)), bytes[i]);
        }
        return bytes;
    }

    private static byte[] current(RingBuffer ring) {
        MemorySegment s = ring.recordSegment();
        int size = Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, ring.recordOffset() + 6));
        return s.asSlice(ring.recordOffset(), size).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void aZeroDataSizeMeansTheWholeMappingAfterTheFirstPage() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mapping = layout(arena, 0);
            byte[] first = record(mapping, PAGE, 0, 9, 16, 7);
            perf_event_mmap_page.data_head(mapping, 16);
            try (RingBuffer ring = RingBuffer.over(mapping, PAGE, false)) {
                assertEquals(PAGE, ring.dataSize(), "before Linux 4.1: the data pages follow the metadata page");
                assertEquals(-1, ring.fd());
                assertTrue(ring.nextRecord());
                assertArrayEquals(first, current(ring));
            }
        }
    }

    @Test
    void recordsAreReadInOrderAcrossTheEndAndTheTailFollowsTheReader() {
        try (Arena arena = Arena.ofConfined()) {
            long size = 64;
            MemorySegment mapping = layout(arena, size);
            long tail = 1L << 40; // any multiple of 8: the reader starts where data_tail is
            perf_event_mmap_page.data_tail(mapping, tail);
            List<byte[]> written = new ArrayList<>();
            written.add(record(mapping, size, tail, 3, 40, 1));          // 0..40
            written.add(record(mapping, size, tail + 40, 4, 24, 2));     // 40..64: ends exactly at the end
            perf_event_mmap_page.data_head(mapping, tail + 64);
            try (RingBuffer ring = RingBuffer.over(mapping, PAGE, false)) {
                assertEquals(64, ring.unread(), "a full buffer is readable");
                List<byte[]> read = new ArrayList<>();
                while (ring.nextRecord()) {
                    read.add(current(ring));
                }
                assertEquals(written.size(), read.size());
                for (int i = 0; i < read.size(); i++) {
                    assertArrayEquals(written.get(i), read.get(i), "record " + i);
                }
                assertEquals(0, ring.wrapped(), "a record that ends at the end does not cross it");
                assertEquals(tail + 64, ring.tail(), "the room is given back");
                byte[] next = record(mapping, size, tail + 64, 6, 56, 4);         // 0..56
                perf_event_mmap_page.data_head(mapping, tail + 64 + 56);
                assertEquals(56, ring.unread());
                assertTrue(ring.nextRecord());
                assertArrayEquals(next, current(ring));
                assertEquals(tail + 64, ring.tail(), "the tail moves only when the reader asks for more");
                byte[] crossing = record(mapping, size, tail + 64 + 56, 5, 24, 3); // 56..80: crosses the end
                perf_event_mmap_page.data_head(mapping, tail + 64 + 80);
                assertTrue(ring.nextRecord());
                assertArrayEquals(crossing, current(ring), "the crossing record whole");
                assertEquals(1, ring.wrapped());
                assertFalse(ring.nextRecord());
                assertEquals(tail + 64 + 80, ring.tail());
                assertEquals(0, ring.unread());
            }
        }
    }

    @Test
    void aHeadBehindTheTailOrMoreThanTheBufferAheadIsMalformed() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mapping = layout(arena, 64);
            perf_event_mmap_page.data_tail(mapping, 640);
            for (long head : new long[] {632, 640 + 72, 0}) {
                perf_event_mmap_page.data_head(mapping, head);
                try (RingBuffer ring = RingBuffer.over(mapping, PAGE, false)) {
                    MalformedRecordException e = assertThrows(MalformedRecordException.class, ring::nextRecord);
                    assertTrue(e.getMessage().contains("data_head " + head), e.getMessage());
                }
            }
        }
    }

    @Test
    void recordSizesTheKernelNeverWritesAreMalformed() {
        for (int size : new int[] {0, 4, 12, 72}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment mapping = layout(arena, 64);
                mapping.set(ValueLayout.JAVA_SHORT_UNALIGNED, PAGE + 6, (short) size);
                perf_event_mmap_page.data_head(mapping, 64);
                try (RingBuffer ring = RingBuffer.over(mapping, PAGE, false)) {
                    MalformedRecordException e = assertThrows(MalformedRecordException.class, ring::nextRecord);
                    assertTrue(e.getMessage().contains("record size " + size), e.getMessage());
                }
            }
        }
        try (Arena arena = Arena.ofConfined()) { // fewer bytes than a header before the head
            MemorySegment mapping = layout(arena, 64);
            record(mapping, 64, 0, 1, 8, 0);
            perf_event_mmap_page.data_head(mapping, 4);
            try (RingBuffer ring = RingBuffer.over(mapping, PAGE, false)) {
                MalformedRecordException e = assertThrows(MalformedRecordException.class, ring::nextRecord);
                assertTrue(e.getMessage().contains("less than a record header"), e.getMessage());
            }
        }
    }

    @Test
    void overwriteModeReadsBackFromTheHeadOldestFirstAndStopsAtAPartlyOverwrittenRecord() {
        try (Arena arena = Arena.ofConfined()) {
            long size = 64;
            MemorySegment mapping = layout(arena, size);
            // The kernel writes backward from 0: the first record at -16, then -40, then -64 (the newest at the head).
            byte[] oldest = record(mapping, size, -16, 1, 16, 1);
            byte[] middle = record(mapping, size, -40, 2, 24, 2);
            byte[] newest = record(mapping, size, -64, 3, 24, 3);
            perf_event_mmap_page.data_head(mapping, -64);
            try (RingBuffer ring = RingBuffer.over(mapping, PAGE, true)) {
                List<byte[]> read = new ArrayList<>();
                int n = ring.readBackward((segment, offset) -> read.add(current(segment, offset)));
                assertEquals(3, n);
                assertArrayEquals(oldest, read.get(0));
                assertArrayEquals(middle, read.get(1));
                assertArrayEquals(newest, read.get(2));
                ring.release();
                assertEquals(0, ring.tail(), "overwrite mode never writes data_tail");
            }
            // Two more: -80 (16 bytes) overwrites the oldest, -112 (32 bytes) the middle one and the end of the newest,
            // whose 24 bytes no longer fit in what is left of the 64: the walk stops before it.
            byte[] fourth = record(mapping, size, -80, 4, 16, 4);
            byte[] fifth = record(mapping, size, -112, 5, 32, 5);
            perf_event_mmap_page.data_head(mapping, -112);
            try (RingBuffer ring = RingBuffer.over(mapping, PAGE, true)) {
                List<byte[]> read = new ArrayList<>();
                int n = ring.readBackward((segment, offset) -> read.add(current(segment, offset)));
                assertEquals(2, n, "the newest two: the third is partly overwritten");
                assertArrayEquals(fourth, read.get(0));
                assertArrayEquals(fifth, read.get(1));
            }
            // Nothing written yet: head 0.
            perf_event_mmap_page.data_head(mapping, 0);
            try (RingBuffer ring = RingBuffer.over(mapping, PAGE, true)) {
                assertEquals(0, ring.readBackward((segment, offset) -> { throw new AssertionError("a record"); }));
            }
            // A record of size 0 (never written) ends the walk.
            MemorySegment fresh = layout(arena, size);
            byte[] only = record(fresh, size, -16, 7, 16, 7);
            perf_event_mmap_page.data_head(fresh, -16 - 8);
            fresh.set(ValueLayout.JAVA_LONG, PAGE + ((-24L) & (size - 1)), 0);
            try (RingBuffer ring = RingBuffer.over(fresh, PAGE, true)) {
                assertEquals(0, ring.readBackward((segment, offset) -> { }), "a zero size at the head ends the walk");
            }
            perf_event_mmap_page.data_head(fresh, -16);
            try (RingBuffer ring = RingBuffer.over(fresh, PAGE, true)) {
                List<byte[]> read = new ArrayList<>();
                assertEquals(1, ring.readBackward((segment, offset) -> read.add(current(segment, offset))));
                assertArrayEquals(only, read.getFirst());
            }
        }
    }

    @Test
    void overwriteModeReadsMoreRecordsThanItsFirstGuess() {
        try (Arena arena = Arena.ofConfined()) {
            long size = PAGE;
            MemorySegment mapping = layout(arena, size);
            int records = (int) (size / 8); // 8-byte records: more than the 64 positions it starts with
            for (int i = 1; i <= records; i++) {
                record(mapping, size, -8L * i, i, 8, 0);
            }
            perf_event_mmap_page.data_head(mapping, -8L * records);
            try (RingBuffer ring = RingBuffer.over(mapping, PAGE, true)) {
                List<Integer> types = new ArrayList<>();
                int n = ring.readBackward((segment, offset) -> types.add(segment.get(ValueLayout.JAVA_INT_UNALIGNED,
                        offset)));
                assertEquals(records, n);
                for (int i = 0; i < records; i++) {
                    assertEquals(i + 1, types.get(i), "oldest first");
                }
            }
        }
    }

    private static byte[] current(MemorySegment segment, long offset) {
        int size = Short.toUnsignedInt(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 6));
        return segment.asSlice(offset, size).toArray(ValueLayout.JAVA_BYTE);
    }
}

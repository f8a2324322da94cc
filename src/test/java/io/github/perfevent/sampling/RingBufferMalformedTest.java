package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.perfevent.sys.bindings.perf_event_mmap_page;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Metadata pages the kernel never writes, found by {@link RingBufferFuzzTest}: each must give a
 * {@link MalformedRecordException}, not an {@link IndexOutOfBoundsException} from the segment's bounds (which
 * keep the read inside the mapping, but are not the typed failure the reader promises).
 */
class RingBufferMalformedTest {

    private static final long PAGE = 4096;

    /** A buffer of one data page, laid out in memory of exactly a mapping's size, with these metadata fields. */
    private static MemorySegment mapping(Arena arena, long dataOffset, long dataSize, long tail, long head) {
        MemorySegment mapping = arena.allocate(2 * PAGE, PAGE);
        perf_event_mmap_page.data_offset(mapping, dataOffset);
        perf_event_mmap_page.data_size(mapping, dataSize);
        perf_event_mmap_page.data_tail(mapping, tail);
        perf_event_mmap_page.data_head(mapping, head);
        for (long i = PAGE; i < 2 * PAGE; i += 8) { // records of 16 bytes everywhere
            mapping.set(ValueLayout.JAVA_LONG, i, 16L << 48 | 1);
        }
        return mapping;
    }

    @Test
    void anUnalignedDataTailIsMalformed() {
        try (Arena arena = Arena.ofConfined()) {
            RingBuffer ring = RingBuffer.over(mapping(arena, PAGE, PAGE, 4095, 4095 + 64), PAGE, false);
            assertThrows(MalformedRecordException.class, ring::nextRecord);
        }
    }

    @Test
    void anUnalignedHeadInOverwriteModeIsMalformed() {
        try (Arena arena = Arena.ofConfined()) {
            RingBuffer ring = RingBuffer.over(mapping(arena, PAGE, PAGE, 0, -1), PAGE, true);
            assertThrows(MalformedRecordException.class, () -> ring.readBackward((segment, offset) -> { }));
        }
    }

    @Test
    void aDataOffsetAndSizeWhoseSumOverflowsAreMalformed() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(MalformedRecordException.class,
                    () -> RingBuffer.over(mapping(arena, Long.MAX_VALUE - 8, PAGE, 0, 0), PAGE, false));
            assertThrows(MalformedRecordException.class,
                    () -> RingBuffer.over(mapping(arena, PAGE, Long.MIN_VALUE, 0, 0), PAGE, false));
        }
    }

    @Test
    void aDataAreaSmallerThanARecordHeaderIsMalformed() {
        try (Arena arena = Arena.ofConfined()) {
            for (long size : new long[] {1, 2, 4}) {
                assertThrows(MalformedRecordException.class,
                        () -> RingBuffer.over(mapping(arena, PAGE, size, 0, -16), PAGE, true), "data_size " + size);
            }
        }
    }

    @Test
    void aDataAreaPastTheMappingIsMalformed() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(MalformedRecordException.class,
                    () -> RingBuffer.over(mapping(arena, PAGE, 2 * PAGE, 0, 0), PAGE, false));
            assertThrows(MalformedRecordException.class,
                    () -> RingBuffer.over(mapping(arena, PAGE / 2, PAGE, 0, 0), PAGE, false));
            assertThrows(MalformedRecordException.class,
                    () -> RingBuffer.over(mapping(arena, PAGE, 3 * 1024, 0, 0), PAGE, false));
        }
    }
}

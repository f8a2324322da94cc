package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.FuzzBudget;
import io.github.perfevent.sys.bindings.perf_event_mmap_page;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The ring reader on buffers the test lays out in memory of exactly a mapping's size ({@link RingBuffer#over}), the
 * test playing the kernel: it writes records at {@code data_head} (wrapping at the end of the data area) round after
 * round while the reader gives the room back through {@code data_tail}, with random {@code data_offset},
 * {@code data_size} and starting tail, and now and then corrupts the record bytes, the head or the metadata page.
 * Every outcome is records or a {@link MalformedRecordException}, in a bounded number of steps, and no read falls
 * outside the memory (the segment's bounds would throw {@link IndexOutOfBoundsException}). When nothing was
 * corrupted, the records read are exactly those written, wrapping ones included, and the tail is given back.
 */
class RingBufferFuzzTest {

    private static final long PAGE = 4096;
    private static final SampleField[] FIELDS = SampleField.values();
    private static final int ROUNDS_PER_RING = 64;

    /** Counts of one fuzz run. */
    private static final class Tally {
        long records;
        long intactRounds;
        long wrapped;
        long malformed;
    }

    @Test
    @Tag("fuzz")
    void randomAndCorruptedRingsGiveRecordsOrMalformedRecordExceptionAndNeverReadOutside() {
        FuzzBudget budget = FuzzBudget.start("ring-buffer");
        RandomGenerator random = budget.random();
        Tally tally = new Tally();
        try (Arena arena = Arena.ofConfined()) {
            // one "mapping" per size, reused: each exactly as long as a mapping of 1 + 2^n pages
            MemorySegment[] mappings = new MemorySegment[3];
            for (int n = 0; n < mappings.length; n++) {
                mappings[n] = arena.allocate((1 + (1L << n)) * PAGE, PAGE);
            }
            boolean more = true;
            while (more) {
                int pagesLog = random.nextInt(3);
                int dataPages = 1 << pagesLog;
                MemorySegment mapping = mappings[pagesLog];
                mapping.asSlice(0, PAGE).fill((byte) 0);
                long dataOffset = PAGE;
                long dataSize = dataPages * PAGE;
                if (random.nextBoolean()) { // a smaller data area, so that records wrap often
                    dataSize = 1L << (6 + random.nextInt(Long.numberOfTrailingZeros(dataSize) - 5));
                    dataOffset = PAGE + random.nextLong((dataPages * PAGE - dataSize) / 8 + 1) * 8;
                }
                boolean corruptMetadata = random.nextInt(16) == 0;
                if (corruptMetadata) {
                    dataOffset = wild(random, PAGE);
                    dataSize = wild(random, dataPages * PAGE);
                }
                perf_event_mmap_page.data_offset(mapping, dataOffset);
                perf_event_mmap_page.data_size(mapping, dataSize);
                boolean overwrite = random.nextInt(5) == 0;
                // data_tail mostly a multiple of 8, as the kernel and the reader keep it; sometimes not
                long tail = (random.nextBoolean() ? random.nextLong(1L << 40) : random.nextLong())
                        & (random.nextInt(8) == 0 ? -1L : ~7L);
                perf_event_mmap_page.data_tail(mapping, tail);
                perf_event_mmap_page.data_head(mapping, tail);
                String input = "seed " + budget.seed() + ", data_offset " + dataOffset + ", data_size " + dataSize
                        + ", " + dataPages + " data pages" + (overwrite ? ", overwrite" : ", first tail " + tail);
                RingBuffer ring;
                try {
                    ring = RingBuffer.over(mapping, PAGE, overwrite);
                } catch (MalformedRecordException expected) {
                    tally.malformed++;
                    more = budget.more();
                    continue;
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("neither a buffer nor MalformedRecordException: " + input, e);
                }
                try (ring) {
                    more = overwrite ? backward(random, budget, ring, mapping, input, tally)
                            : forward(random, budget, ring, mapping, input, tally);
                }
            }
        }
        System.out.println("ring-buffer fuzz: " + tally.records + " records read, " + tally.intactRounds
                + " intact rounds checked record by record, " + tally.wrapped + " records across the end, "
                + tally.malformed + " MalformedRecordExceptions");
        assertTrue(tally.intactRounds > 0 && tally.wrapped > 0, "no intact round or no wrapped record was checked");
    }

    /** Where the reader's data area starts: {@code data_offset}, or the second page when {@code data_size} is 0. */
    private static long dataOffset(MemorySegment mapping) {
        return perf_event_mmap_page.data_size(mapping) == 0 ? PAGE : perf_event_mmap_page.data_offset(mapping);
    }

    /** Garbage for a 64-bit field of the metadata page: any value, a huge one, a negative one or one near a limit. */
    private static long wild(RandomGenerator random, long sane) {
        return switch (random.nextInt(6)) {
            case 0 -> random.nextLong();
            case 1 -> Long.MAX_VALUE - random.nextLong(PAGE * 4);
            case 2 -> Long.MIN_VALUE + random.nextLong(PAGE * 4);
            case 3 -> -random.nextLong(1, PAGE * 4);
            case 4 -> 1L << random.nextInt(64);
            default -> sane + random.nextLong(-PAGE, PAGE);
        };
    }

    /**
     * Rounds of writing at the head and reading everything: returns whether the budget has time left. A corrupted
     * round ends the ring (its state is then whatever the corruption made it).
     */
    private static boolean forward(RandomGenerator random, FuzzBudget budget, RingBuffer ring, MemorySegment mapping,
            String input, Tally tally) {
        long dataOffset = dataOffset(mapping);
        long dataSize = ring.dataSize();
        RecordCursor cursor = RecordCursor.of(randomFormat(random));
        for (int round = 0; round < ROUNDS_PER_RING; round++) {
            if (!budget.more()) {
                return false;
            }
            long head = perf_event_mmap_page.data_head(mapping);
            List<byte[]> written = write(random, mapping, dataOffset, dataSize, head);
            long total = written.stream().mapToLong(w -> w.length).sum();
            long newHead = head + total;
            boolean corruptBytes = random.nextInt(12) == 0;
            if (corruptBytes) {
                for (int i = random.nextInt(1, 8); i > 0; i--) {
                    mapping.set(ValueLayout.JAVA_BYTE, dataOffset + random.nextLong(dataSize), (byte) random.nextInt());
                }
            }
            boolean corruptHead = random.nextInt(12) == 0;
            if (corruptHead) {
                newHead = random.nextBoolean() ? wild(random, newHead) : newHead + random.nextLong(-64, 64) * 8;
            }
            perf_event_mmap_page.data_head(mapping, newHead);
            String at = input + ", round " + round + ", head " + head + " -> " + newHead;
            List<byte[]> read = new ArrayList<>();
            long wrappedBefore = ring.wrapped();
            try {
                readAll(ring, cursor, read, at);
            } catch (MalformedRecordException expected) {
                tally.malformed++;
                tally.records += read.size();
                return true; // a typed failure: the contract for what the kernel never writes
            } catch (RuntimeException | Error e) {
                throw new AssertionError("neither records nor MalformedRecordException: " + at, e);
            }
            tally.records += read.size();
            if (corruptBytes || corruptHead) {
                return true;
            }
            tally.intactRounds++;
            tally.wrapped += ring.wrapped() - wrappedBefore;
            assertEquals(written.size(), read.size(), "records of an intact round: " + at);
            for (int i = 0; i < read.size(); i++) {
                assertArrayEquals(written.get(i), read.get(i), "record " + i + ": " + at);
            }
            assertEquals(newHead, perf_event_mmap_page.data_tail(mapping), "the reader gave back what it read: " + at);
        }
        return true;
    }

    /**
     * Writes records as the kernel does: from {@code head} on, each at its position modulo the data size, crossing
     * the end when it must, at most {@code dataSize} bytes (the reader has given everything back).
     */
    private static List<byte[]> write(RandomGenerator random, MemorySegment mapping, long dataOffset, long dataSize,
            long head) {
        List<byte[]> written = new ArrayList<>();
        long room = random.nextLong(dataSize + 1);
        long at = head;
        while (true) {
            int size = 8 * random.nextInt(1, 40);
            if (at + size - head > room) {
                return written;
            }
            long[] words = new long[size / 8];
            for (int i = 1; i < words.length; i++) {
                words[i] = random.nextLong();
            }
            // header: type (the known ones and some unknown), misc, size
            words[0] = random.nextInt(32) | (random.nextLong() & 0xffff) << 32 | (long) size << 48;
            byte[] bytes = MemorySegment.ofArray(words).toArray(ValueLayout.JAVA_BYTE);
            long offset = at & (dataSize - 1);
            int first = (int) Math.min(size, dataSize - offset);
            MemorySegment.copy(bytes, 0, mapping, ValueLayout.JAVA_BYTE, dataOffset + offset, first);
            MemorySegment.copy(bytes, first, mapping, ValueLayout.JAVA_BYTE, dataOffset, size - first);
            written.add(bytes);
            at += size;
        }
    }

    /** Reads every record, decoding each with a random format; the count is bounded by what the ring can hold. */
    private static void readAll(RingBuffer ring, RecordCursor cursor, List<byte[]> read, String input) {
        long bound = ring.dataSize() / 8;
        while (ring.nextRecord()) {
            MemorySegment segment = ring.recordSegment();
            long offset = ring.recordOffset();
            int size = Short.toUnsignedInt(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 6));
            read.add(segment.asSlice(offset, size).toArray(ValueLayout.JAVA_BYTE));
            if (read.size() > bound) {
                fail("more records than " + ring.dataSize() + " bytes can hold: " + input);
            }
            try {
                cursor.wrap(segment, offset).toRecord();
            } catch (MalformedRecordException expected) {
                // random bodies are often not what their type says: a typed failure, and the walk goes on
            }
        }
    }

    /** Overwrite mode: rounds of random bytes and a random head, read backward from the head. */
    private static boolean backward(RandomGenerator random, FuzzBudget budget, RingBuffer ring, MemorySegment mapping,
            String input, Tally tally) {
        long dataOffset = dataOffset(mapping);
        long dataSize = ring.dataSize();
        for (int round = 0; round < ROUNDS_PER_RING; round++) {
            if (!budget.more()) {
                return false;
            }
            for (long i = 0; i < dataSize; i += 8) {
                long word = random.nextLong();
                if (random.nextInt(4) != 0) { // mostly plausible headers: a size that is a small multiple of 8
                    word = (word & 0x0000_ffff_ffff_ffffL) | ((long) (8 * random.nextInt(1, 16)) << 48);
                }
                mapping.set(ValueLayout.JAVA_LONG_UNALIGNED, dataOffset + i, word);
            }
            // mostly a multiple of 8, as the kernel writes it; sometimes not
            long head = (random.nextBoolean() ? -random.nextLong(dataSize * 3 + 1) : random.nextLong())
                    & (random.nextInt(8) == 0 ? -1L : ~7L);
            perf_event_mmap_page.data_head(mapping, head);
            String at = input + ", round " + round + ", head " + head;
            try {
                int[] count = {0};
                int n = ring.readBackward((segment, offset) -> {
                    int size = Short.toUnsignedInt(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 6));
                    segment.asSlice(offset, size).toArray(ValueLayout.JAVA_BYTE); // every byte readable
                    count[0]++;
                });
                assertEquals(n, count[0], at);
                assertTrue(n <= dataSize / 8, n + " records from " + dataSize + " bytes: " + at);
                tally.records += n;
            } catch (MalformedRecordException expected) {
                tally.malformed++;
            } catch (RuntimeException | Error e) {
                throw new AssertionError("neither records nor MalformedRecordException: " + at, e);
            }
        }
        return true;
    }

    private static SampleFormat randomFormat(RandomGenerator random) {
        List<SampleField> fields = new ArrayList<>();
        for (SampleField f : FIELDS) {
            if (random.nextInt(4) == 0 && f != SampleField.WEIGHT_STRUCT) {
                fields.add(f);
            }
        }
        return SampleFormat.builder().sampleFields(fields.toArray(SampleField[]::new))
                .sampleIdAll(random.nextBoolean()).regsUserMask(random.nextLong() & 0xffff)
                .regsIntrMask(random.nextLong() & 0xff).build();
    }
}

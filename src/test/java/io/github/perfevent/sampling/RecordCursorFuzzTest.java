/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.perfevent.FuzzBudget;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random and corrupted record streams: decoding never crashes, never hangs, never reads outside the segment (each
 * is exactly the bytes' size, so a read past the end would throw {@link IndexOutOfBoundsException}) and fails only
 * with {@link MalformedRecordException}; a record the cursor accepted always materializes.
 */
@Tag("fuzz")
class RecordCursorFuzzTest {

    private static final int POOL = 48;
    private static final long SAMPLE_BITS = SampleField.WEIGHT_STRUCT.bit() * 2 - 1;

    private static SampleFormat randomFormat(RandomGenerator r) {
        long bits = r.nextLong() & SAMPLE_BITS;
        if ((bits & SampleField.WEIGHT.bit()) != 0) {
            bits &= ~SampleField.WEIGHT_STRUCT.bit();
        }
        return SampleFormat.builder().sampleType(bits).readFormat(r.nextInt(32)).sampleIdAll(r.nextBoolean())
                .regsUserMask(r.nextLong() >>> r.nextInt(64)).regsIntrMask(r.nextLong() >>> r.nextInt(64))
                .branchSampleType(r.nextBoolean() ? r.nextLong() : 0).build();
    }

    /** A stream the kernel could write: samples of {@code format} and other records with random bodies. */
    private static byte[] stream(RandomGenerator r, SampleFormat format) {
        try (RecordBuffer b = new RecordBuffer(1 << 18)) {
            int records = 1 + r.nextInt(120);
            for (int i = 0; i < records && b.position() < (1 << 18) - 4096; i++) {
                if (r.nextInt(3) == 0) {
                    Samples.write(b, format, r.nextInt(1 << 16), r.nextInt(3),
                            r.nextBoolean() ? Samples.STACK : new byte[0]);
                } else {
                    int type = r.nextInt(16) == 0 ? r.nextInt() : 1 + r.nextInt(23);
                    b.begin(type, r.nextInt(1 << 16));
                    // the fixed fields, then room for the arrays of counts under 4 (namespaces, read groups,
                    // deferred callchains, text poke bytes): mostly valid, sometimes a random word
                    int words = (RecordType.of(type).fixedSize() + 7) / 8 + 16;
                    for (int w = 0; w < words; w++) {
                        b.u64(r.nextInt(32) == 0 ? r.nextLong() : r.nextInt(4));
                    }
                    b.sampleId(format, new PerfRecord.SampleId(format.sampleFields(), 1, 2, r.nextLong(), 3, 4, 5,
                            6));
                    b.end();
                }
            }
            return b.segment().toArray(JAVA_BYTE);
        }
    }

    private static byte[] corrupt(RandomGenerator r, byte[] clean) {
        byte[] bytes = clean.clone();
        MemorySegment s = MemorySegment.ofArray(bytes);
        int mutations = r.nextInt(4);
        for (int m = 0; m < mutations && bytes.length >= 8; m++) {
            int at = r.nextInt(bytes.length - 7);
            switch (r.nextInt(6)) {
                case 0 -> bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> s.set(JAVA_SHORT_UNALIGNED, at & ~7 | 6, (short) (r.nextBoolean() ? r.nextInt(1 << 16)
                        : r.nextInt(8) * 8)); // a header's size, if a record starts there
                case 2 -> s.set(JAVA_LONG_UNALIGNED, at & ~7, switch (r.nextInt(5)) {
                    case 0 -> -1L;
                    case 1 -> Long.MAX_VALUE;
                    case 2 -> 1L << 32;
                    case 3 -> r.nextInt(64);
                    default -> r.nextLong();
                }); // a count: nr of a callchain, a read group, a branch stack, a raw or stack size
                case 3 -> s.set(JAVA_INT_UNALIGNED, at & ~7, r.nextInt(30)); // a header's type
                case 4 -> s.set(JAVA_INT_UNALIGNED, at, r.nextInt());
                default -> {
                    return java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length + 1)); // truncated
                }
            }
        }
        return bytes;
    }

    /** Decodes every record of {@code records}; returns how many were decoded. */
    private static long decode(MemorySegment records, SampleFormat format, RecordCursor cursor, boolean materialize,
            long seed) {
        long decoded = 0;
        cursor.format(format).walk(records);
        try {
            while (cursor.next()) {
                decoded++;
                if (cursor.offset() + cursor.size() > records.byteSize()) {
                    fail("seed " + seed + ": a record past the end was accepted");
                }
                if (cursor.has(SampleField.TIME)) {
                    cursor.time();
                }
                if (cursor.has(SampleField.ID) || cursor.has(SampleField.IDENTIFIER)) {
                    cursor.id();
                }
                if (cursor.has(SampleField.CALLCHAIN) && cursor.callchainLength() > 0) {
                    cursor.callchain(cursor.callchainLength() - 1);
                }
                if (materialize) {
                    cursor.toRecord();
                }
            }
        } catch (MalformedRecordException expected) {
            // the contract's one failure; the walk ends there
        } catch (RuntimeException | Error e) {
            fail("seed " + seed + ": " + e, e);
        }
        return decoded;
    }

    @Test
    void corruptedStreamsFailOnlyWithMalformedRecordException() {
        FuzzBudget budget = FuzzBudget.start("RecordCursor");
        RandomGenerator r = budget.random();
        List<byte[]> pool = new ArrayList<>();
        List<SampleFormat> formats = new ArrayList<>();
        for (int i = 0; i < POOL; i++) {
            SampleFormat f = randomFormat(r);
            formats.add(f);
            pool.add(stream(r, f));
        }
        RecordCursor cursor = RecordCursor.of(formats.getFirst());
        long records = 0;
        long inputs = 0;
        while (budget.more()) {
            int pick = r.nextInt(POOL);
            byte[] bytes = r.nextInt(8) == 0 ? pool.get(pick) : corrupt(r, pool.get(pick));
            SampleFormat format = r.nextInt(4) == 0 ? formats.get(r.nextInt(POOL)) : formats.get(pick);
            boolean materialize = r.nextInt(4) == 0;
            if (r.nextInt(64) == 0) {
                try (Arena arena = Arena.ofConfined()) { // native memory of exactly the size, too
                    MemorySegment exact = arena.allocate(bytes.length, 8);
                    MemorySegment.copy(bytes, 0, exact, JAVA_BYTE, 0, bytes.length);
                    records += decode(exact, format, cursor, materialize, budget.seed());
                }
            } else {
                records += decode(MemorySegment.ofArray(bytes), format, cursor, materialize, budget.seed());
            }
            inputs++;
            if (r.nextInt(256) == 0) {
                pool.set(pick, stream(r, format));
                formats.set(pick, format);
            }
        }
        System.out.printf("fuzz RecordCursor: %d records decoded from %d streams%n", records, inputs);
        assertTrue(records > 0, "seed " + budget.seed());
    }

    @Test
    void randomBytesFailOnlyWithMalformedRecordException() {
        FuzzBudget budget = FuzzBudget.start("RecordCursor random bytes");
        RandomGenerator r = budget.random();
        RecordCursor cursor = RecordCursor.of(SampleFormat.builder().build());
        long records = 0;
        while (budget.more()) {
            byte[] bytes = new byte[r.nextInt(512)];
            r.nextBytes(bytes);
            MemorySegment s = MemorySegment.ofArray(bytes);
            for (long at = 0; at + 8 <= bytes.length; at += 8) { // plausible sizes, so that walks get somewhere
                if (r.nextBoolean()) {
                    s.set(JAVA_SHORT_UNALIGNED, at + 6, (short) (8 * (1 + r.nextInt(8))));
                }
            }
            records += decode(s, randomFormat(r), cursor, r.nextBoolean(), budget.seed());
        }
        System.out.printf("fuzz RecordCursor random bytes: %d records decoded%n", records);
    }
}

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Bytes that are not a record stream the kernel writes, and walks over consecutive records. */
class MalformedRecordsTest {

    private static final SampleFormat SAMPLE_ID_ALL = SampleFormat.builder().sampleFields(SampleField.TID,
            SampleField.TIME, SampleField.IDENTIFIER).sampleIdAll(true).build();

    private static MalformedRecordException malformed(SampleFormat format, Consumer<RecordBuffer> write) {
        try (RecordBuffer b = new RecordBuffer()) {
            write.accept(b);
            MemorySegment records = b.segment();
            RecordCursor c = RecordCursor.of(format);
            MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> c.wrap(records, 0));
            assertEquals(0, e.offset());
            assertTrue(e.getMessage().contains(e.reason()), e.getMessage());
            assertThrows(IllegalStateException.class, c::type, "a cursor on a malformed record is on nothing");
            return e;
        }
    }

    private static MalformedRecordException malformedSize(int size, int room) {
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(RecordType.LOST, 0);
            for (int i = 8; i < room; i++) {
                b.u8(0);
            }
            b.end();
            MemorySegment records = b.segment();
            records.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) size);
            return assertThrows(MalformedRecordException.class,
                    () -> RecordCursor.of(SampleFormat.builder().build()).wrap(records, 0));
        }
    }

    @Test
    void sizeZeroIsMalformed() {
        assertTrue(malformedSize(0, 32).reason().contains("size 0"));
    }

    @Test
    void sizeUnderTheHeaderOrNotAMultipleOfEightIsMalformed() {
        assertTrue(malformedSize(4, 32).reason().contains("size 4"));
        assertTrue(malformedSize(12, 32).reason().contains("size 12"));
        assertTrue(malformedSize(31, 32).reason().contains("size 31"));
    }

    @Test
    void aRecordPastTheEndOfTheSegmentIsMalformed() {
        assertTrue(malformedSize(40, 32).reason().contains("past the end"));
        assertTrue(malformedSize(0xFFF8, 32).reason().contains("past the end"));
    }

    @Test
    void aHeaderPastTheEndIsMalformed() {
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(RecordType.LOST, 0).u64(1).u64(2).end();
            MemorySegment records = b.segment();
            RecordCursor c = RecordCursor.of(SampleFormat.builder().build());
            assertEquals(24, records.byteSize());
            assertEquals(20, assertThrows(MalformedRecordException.class, () -> c.wrap(records, 20)).offset());
            assertEquals(24, assertThrows(MalformedRecordException.class, () -> c.wrap(records, 24)).offset());
            assertEquals(-8, assertThrows(MalformedRecordException.class, () -> c.wrap(records, -8)).offset());
            assertEquals(Long.MAX_VALUE, assertThrows(MalformedRecordException.class,
                    () -> c.wrap(records, Long.MAX_VALUE)).offset());
            assertThrows(MalformedRecordException.class, () -> c.wrap(MemorySegment.ofArray(new byte[4]), 0));
        }
    }

    @Test
    void aBodyShorterThanItsFixedFieldsAndSampleIdIsMalformed() {
        MalformedRecordException e = malformed(SAMPLE_ID_ALL,
                b -> b.begin(RecordType.LOST, 0).u64(1).u64(2).u64(3).end()); // 24 bytes of a 40-byte need
        assertTrue(e.reason().contains("PERF_RECORD_LOST needs at least 48"), e.reason());
        malformed(SampleFormat.builder().build(), b -> b.begin(RecordType.MMAP2, 0).u64(1).end());
        malformed(SAMPLE_ID_ALL, b -> b.begin(RecordType.SWITCH, 0).u64(1).end());
    }

    @Test
    void aSampleShorterThanItsFixedFieldsIsMalformed() {
        SampleFormat f = SampleFormat.builder().sampleFields(SampleField.IP, SampleField.TIME, SampleField.PERIOD)
                .build();
        assertTrue(malformed(f, b -> b.begin(RecordType.SAMPLE, 0).u64(1).u64(2).end()).reason()
                .contains("needs at least 32"));
        SampleFormat weight = SampleFormat.builder().sampleFields(SampleField.IP, SampleField.WEIGHT,
                SampleField.CGROUP).build();
        malformed(weight, b -> b.begin(RecordType.SAMPLE, 0).u64(1).u64(2).end());
    }

    @Test
    void countsThatDoNotFitTheRecordAreMalformed() {
        SampleFormat callchain = SampleFormat.builder().sampleFields(SampleField.CALLCHAIN).build();
        assertTrue(malformed(callchain, b -> b.begin(RecordType.SAMPLE, 0).u64(3).u64(1).u64(2).end()).reason()
                .contains("callchain"));
        malformed(callchain, b -> b.begin(RecordType.SAMPLE, 0).u64(-1).end());
        malformed(callchain, b -> b.begin(RecordType.SAMPLE, 0).u64(Long.MAX_VALUE / 4).u64(0).end());
        malformed(callchain, b -> b.begin(RecordType.SAMPLE, 0).end());
        SampleFormat raw = SampleFormat.builder().sampleFields(SampleField.RAW).build();
        malformed(raw, b -> b.begin(RecordType.SAMPLE, 0).u32(5).u32(0).end());
        malformed(raw, b -> b.begin(RecordType.SAMPLE, 0).u32(-1).u32(0).end());
        malformed(raw, b -> b.begin(RecordType.SAMPLE, 0).end());
        SampleFormat group = SampleFormat.builder().sampleFields(SampleField.READ).readFormat(0b1111).build();
        malformed(group, b -> b.begin(RecordType.SAMPLE, 0).u64(2).u64(0).u64(0).u64(1).u64(2).u64(3).end());
        malformed(group, b -> b.begin(RecordType.SAMPLE, 0).u64(1L << 62).u64(0).u64(0).end());
        malformed(group, b -> b.begin(RecordType.SAMPLE, 0).u64(0).u64(0).end());
        SampleFormat single = SampleFormat.builder().sampleFields(SampleField.READ).readFormat(0b111).build();
        malformed(single, b -> b.begin(RecordType.SAMPLE, 0).u64(0).u64(0).u64(0).end());
        SampleFormat branches = SampleFormat.builder().sampleFields(SampleField.BRANCH_STACK).build();
        malformed(branches, b -> b.begin(RecordType.SAMPLE, 0).u64(2).u64(0).u64(0).u64(0).end());
        malformed(branches.toBuilder().branchSampleType(1L << 17).build(), b -> b.begin(RecordType.SAMPLE, 0).u64(0)
                .end());
        malformed(branches.toBuilder().branchSampleType(1L << 19).build(), b -> b.begin(RecordType.SAMPLE, 0).u64(1)
                .u64(0).u64(0).u64(0).end());
        SampleFormat regs = SampleFormat.builder().sampleFields(SampleField.REGS_USER).regsUserMask(0xff).build();
        malformed(regs, b -> b.begin(RecordType.SAMPLE, 0).u64(2).u64(0).end());
        SampleFormat intr = SampleFormat.builder().sampleFields(SampleField.REGS_INTR).regsIntrMask(3).build();
        malformed(intr, b -> b.begin(RecordType.SAMPLE, 0).u64(2).u64(0).end());
        SampleFormat stack = SampleFormat.builder().sampleFields(SampleField.STACK_USER).build();
        malformed(stack, b -> b.begin(RecordType.SAMPLE, 0).u64(16).u64(0).u64(0).end()); // no room for dyn_size
        malformed(stack, b -> b.begin(RecordType.SAMPLE, 0).u64(Long.MIN_VALUE).end());
        SampleFormat aux = SampleFormat.builder().sampleFields(SampleField.AUX).build();
        malformed(aux, b -> b.begin(RecordType.SAMPLE, 0).u64(9).u64(0).end());
        malformed(SAMPLE_ID_ALL, b -> b.begin(RecordType.NAMESPACES, 0).u32(1).u32(1).u64(1).u64(0).u64(0).u64(0)
                .end());
        malformed(SAMPLE_ID_ALL, b -> b.begin(RecordType.CALLCHAIN_DEFERRED, 0).u64(1).u64(3).u64(0).u64(0).u64(0)
                .end());
        malformed(SAMPLE_ID_ALL, b -> b.begin(RecordType.TEXT_POKE, 0).u64(1).u16(0xFFFF).u16(1).u32(0).u64(0)
                .u64(0).u64(0).end());
        malformed(SAMPLE_ID_ALL.toBuilder().readFormat(0b1000).build(), b -> b.begin(RecordType.READ, 0).u32(1)
                .u32(1).u64(5).u64(0).u64(0).u64(0).end());
    }

    @Test
    void aWalkDeliversEveryRecordCountsUnknownOnesAndStopsAtTheEnd() {
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(RecordType.LOST, 0).u64(1).u64(2).sampleId(SAMPLE_ID_ALL, id(100)).end();
            b.begin(1000, 0).u64(7).sampleId(SAMPLE_ID_ALL, id(200)).end();
            Samples.write(b, SAMPLE_ID_ALL);
            b.begin(RecordType.SWITCH, 0).sampleId(SAMPLE_ID_ALL, id(300)).end();
            b.begin(1001, 0).end(); // too short for a sample_id: delivered without one
            RecordCursor c = RecordCursor.of(SAMPLE_ID_ALL).walk(b.segment());
            assertTrue(c.next());
            assertEquals(RecordType.LOST, c.recordType());
            assertEquals(100, c.time());
            assertEquals(0, c.offset());
            assertTrue(c.next());
            assertEquals(RecordType.UNKNOWN, c.recordType());
            assertEquals(200, c.time());
            assertEquals(1, c.unknownRecords());
            assertTrue(c.next());
            assertEquals(RecordType.SAMPLE, c.recordType());
            assertEquals(Samples.value(SampleField.TIME), c.time());
            assertTrue(c.next());
            assertEquals(300, c.time());
            assertTrue(c.next());
            assertEquals(1001, c.type());
            assertFalse(c.has(SampleField.TIME));
            assertEquals(2, c.unknownRecords());
            assertFalse(c.next());
            assertFalse(c.next());
            assertThrows(IllegalStateException.class, c::type);
            List<PerfRecord> all = Records.decodeAll(b.segment(), SAMPLE_ID_ALL);
            assertEquals(5, all.size());
            assertInstanceOf(PerfRecord.Unknown.class, all.get(1));
            assertInstanceOf(PerfRecord.Sample.class, all.get(2));
        }
    }

    private static PerfRecord.SampleId id(long time) {
        return new PerfRecord.SampleId(SAMPLE_ID_ALL.sampleFields(), 1, 2, time, 0, 0, 0, 3);
    }

    @Test
    void aWalkEndsAtAMalformedRecord() {
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(RecordType.SWITCH, 0).end();
            b.begin(RecordType.SWITCH, 0).u64(0).end();
            MemorySegment records = b.segment();
            records.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 8 + 6, (short) 0);
            RecordCursor c = RecordCursor.of(SampleFormat.builder().build()).walk(records);
            assertTrue(c.next());
            assertEquals(8, assertThrows(MalformedRecordException.class, c::next).offset());
            assertFalse(c.next(), "size 0 gives no way past it");
            assertThrows(MalformedRecordException.class, () -> Records.decodeAll(records,
                    SampleFormat.builder().build()));
        }
    }

    @Test
    void anEmptySegmentHasNoRecords() {
        RecordCursor c = RecordCursor.of(SampleFormat.builder().build()).walk(MemorySegment.ofArray(new byte[0]));
        assertFalse(c.next());
        assertEquals(List.of(), Records.decodeAll(MemorySegment.ofArray(new long[0]), SampleFormat.builder().build()));
    }

    @Test
    void aCursorOnNothingSaysSo() {
        RecordCursor c = RecordCursor.of(SampleFormat.builder().build());
        assertTrue(assertThrows(IllegalStateException.class, c::next).getMessage().contains("walk"));
        assertThrows(IllegalStateException.class, c::size);
        assertThrows(IllegalStateException.class, c::time);
        assertThrows(IllegalStateException.class, c::toRecord);
        assertThrows(NullPointerException.class, () -> c.wrap(null, 0));
        assertThrows(NullPointerException.class, () -> c.walk(null));
        assertThrows(NullPointerException.class, () -> RecordCursor.of(null));
        assertThrows(NullPointerException.class, () -> c.format(null));
    }

    @Test
    void aWrapEndsAWalk() {
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(RecordType.SWITCH, 0).end();
            b.begin(RecordType.SWITCH, 0).end();
            MemorySegment records = b.segment();
            RecordCursor c = RecordCursor.of(SampleFormat.builder().build()).walk(records);
            assertTrue(c.next());
            c.wrap(records, 8);
            assertEquals(8, c.offset());
            assertThrows(IllegalStateException.class, c::next, "the walk ended with the wrap");
            c.walk(records);
            assertTrue(c.next());
            assertTrue(c.next());
            assertFalse(c.next());
        }
    }

    /** Writes {@code body}, then a sample_id, and decodes the record with {@link #SAMPLE_ID_ALL}. */
    private static RecordCursor wrapped(RecordBuffer b, RecordType type, Consumer<RecordBuffer> body) {
        b.begin(type, 0);
        body.accept(b);
        b.sampleId(SAMPLE_ID_ALL, id(77)).end();
        return RecordCursor.of(SAMPLE_ID_ALL).wrap(b.segment(), 0);
    }

    @Test
    void arraysThatExactlyFillTheirRecordDecodeAndOneElementMoreIsMalformed() {
        try (RecordBuffer b = new RecordBuffer()) {
            RecordCursor c = wrapped(b, RecordType.NAMESPACES, w -> w.u32(1).u32(2).u64(2).u64(3).u64(4).u64(5)
                    .u64(6));
            assertEquals(2, ((PerfRecord.Namespaces) c.toRecord()).namespaces().size());
            assertEquals(77, c.time());
        }
        malformed(SAMPLE_ID_ALL, w -> w.begin(RecordType.NAMESPACES, 0).u32(1).u32(2).u64(3).u64(3).u64(4).u64(5)
                .u64(6).sampleId(SAMPLE_ID_ALL, id(77)).end());
        try (RecordBuffer b = new RecordBuffer()) {
            RecordCursor c = wrapped(b, RecordType.CALLCHAIN_DEFERRED, w -> w.u64(9).u64(2).u64(10).u64(11));
            assertEquals(2, c.callchainLength());
            assertEquals(11, c.callchain(1));
        }
        malformed(SAMPLE_ID_ALL, w -> w.begin(RecordType.CALLCHAIN_DEFERRED, 0).u64(9).u64(3).u64(10).u64(11)
                .sampleId(SAMPLE_ID_ALL, id(77)).end());
        try (RecordBuffer b = new RecordBuffer()) { // 12 bytes of text after addr, old_len, new_len: 4 + 8
            RecordCursor c = wrapped(b, RecordType.TEXT_POKE, w -> w.u64(1).u16(5).u16(7).bytes(new byte[12]));
            PerfRecord.TextPoke p = (PerfRecord.TextPoke) c.toRecord();
            assertEquals(5, p.oldBytes().length);
            assertEquals(7, p.newBytes().length);
        }
        malformed(SAMPLE_ID_ALL, w -> w.begin(RecordType.TEXT_POKE, 0).u64(1).u16(5).u16(8).bytes(new byte[12])
                .sampleId(SAMPLE_ID_ALL, id(77)).end());
        malformed(SAMPLE_ID_ALL, w -> w.begin(RecordType.TEXT_POKE, 0).u64(1).u16(6).u16(7).bytes(new byte[12])
                .sampleId(SAMPLE_ID_ALL, id(77)).end());
    }

    @Test
    void anUnknownRecordWhoseBodyIsExactlyASampleIdHasOne() {
        try (RecordBuffer b = new RecordBuffer()) {
            RecordCursor c = wrapped(b, RecordType.UNKNOWN, w -> { });
            assertTrue(c.has(SampleField.TIME));
            assertEquals(77, c.time());
            assertEquals(8 + SAMPLE_ID_ALL.sampleIdSize(), c.size());
        }
    }

    @Test
    void aStringThatFillsItsPlaceEndsAtTheSampleId() {
        try (RecordBuffer b = new RecordBuffer()) {
            RecordCursor c = wrapped(b, RecordType.COMM, w -> w.u32(1).u32(2).bytes("abcdefgh".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)));
            assertEquals("abcdefgh", ((PerfRecord.Comm) c.toRecord()).comm());
            assertThrows(IllegalStateException.class, () -> c.string(RecordType.MMAP.field("filename")));
        }
    }

    @Test
    void theCursorReportsWhereItIs() {
        try (RecordBuffer b = new RecordBuffer()) {
            b.begin(RecordType.SWITCH, 0).end();
            b.begin(RecordType.LOST, 0).u64(1).u64(2).end();
            MemorySegment records = b.segment();
            SampleFormat none = SampleFormat.builder().build();
            RecordCursor c = RecordCursor.of(none);
            assertEquals(none, c.format());
            assertThrows(IllegalStateException.class, () -> c.has(SampleField.IP));
            assertThrows(IllegalStateException.class, c::offset);
            assertThrows(IllegalStateException.class, c::segment);
            c.walk(records);
            assertTrue(c.next());
            assertTrue(c.next());
            assertEquals(8, c.offset());
            assertEquals(24, c.size());
            assertEquals(records, c.segment());
            assertEquals(SAMPLE_ID_ALL, c.format(SAMPLE_ID_ALL).format());
        }
    }

    @Test
    void aHeaderPastTheEndSaysHowManyBytesAreLeft() {
        MemorySegment records = MemorySegment.ofArray(new long[3]);
        RecordCursor c = RecordCursor.of(SampleFormat.builder().build());
        assertTrue(assertThrows(MalformedRecordException.class, () -> c.wrap(records, 20)).reason()
                .contains("4 are left in the 24-byte segment"));
        assertTrue(assertThrows(MalformedRecordException.class, () -> c.wrap(records, 30)).reason()
                .contains("0 are left"));
    }
}

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_RECORD_MISC_EXACT_IP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_BRANCH_ANY;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_BRANCH_COUNTERS;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_BRANCH_HW_INDEX;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_REGS_ABI_NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Samples of every sample_type field, built from the header's description, decoded by the cursor and as records. */
class SampleDecodingTest {

    private static final long REGS_USER_MASK = 0b1011_0000_0001L;
    private static final long REGS_INTR_MASK = 0b110L;
    private static final long HW_INDEX = PERF_SAMPLE_BRANCH_HW_INDEX();
    private static final long COUNTERS = PERF_SAMPLE_BRANCH_COUNTERS();

    private static SampleFormat.Builder format(Set<SampleField> fields) {
        return SampleFormat.builder().sampleType(SampleField.bits(fields)).regsUserMask(REGS_USER_MASK)
                .regsIntrMask(REGS_INTR_MASK).readFormat(0b10111) // enabled, running, id, lost
                .branchSampleType(PERF_SAMPLE_BRANCH_ANY() | HW_INDEX | COUNTERS);
    }

    private static void roundTrip(SampleFormat f, String where) {
        try (RecordBuffer b = new RecordBuffer()) {
            Samples.write(b, f);
            MemorySegment records = b.segment();
            RecordCursor c = RecordCursor.of(f).wrap(records, 0);
            assertEquals(records.byteSize(), c.size(), where);
            Samples.verify(c, f, where);
            Samples.verify(assertInstanceOf(PerfRecord.Sample.class, c.toRecord()), f, where);
        }
    }

    @Test
    void everyFieldAloneDecodesAtItsPlace() {
        for (SampleField field : SampleField.values()) {
            roundTrip(format(EnumSet.of(field)).build(), field.toString());
        }
    }

    @Test
    void everyFieldTogetherDecodesWithWeightOrWeightStruct() {
        Set<SampleField> all = EnumSet.allOf(SampleField.class);
        all.remove(SampleField.WEIGHT_STRUCT);
        roundTrip(format(all).build(), "all with WEIGHT");
        all.remove(SampleField.WEIGHT);
        all.add(SampleField.WEIGHT_STRUCT);
        roundTrip(format(all).build(), "all with WEIGHT_STRUCT");
    }

    @Test
    void groupReadValuesDecodeForEveryReadFormat() {
        for (long bits = 0; bits < 32; bits++) {
            SampleFormat f = SampleFormat.builder().sampleFields(SampleField.TID, SampleField.READ, SampleField.IP)
                    .readFormat(bits).build();
            roundTrip(f, "read_format " + bits);
        }
    }

    @Test
    void branchStackDecodesWithAndWithoutHwIndexAndCounters() {
        Set<SampleField> fields = EnumSet.of(SampleField.IP, SampleField.BRANCH_STACK, SampleField.WEIGHT);
        for (long branch : new long[] {0, HW_INDEX, COUNTERS, HW_INDEX | COUNTERS}) {
            roundTrip(format(fields).branchSampleType(PERF_SAMPLE_BRANCH_ANY() | branch).build(), "branch " + branch);
        }
    }

    @Test
    void randomFormatsDecodeEveryField() {
        Random random = new Random(8);
        for (int i = 0; i < 3000; i++) {
            long bits = random.nextLong() & (SampleField.WEIGHT_STRUCT.bit() * 2 - 1);
            if ((bits & SampleField.WEIGHT.bit()) != 0) {
                bits &= ~SampleField.WEIGHT_STRUCT.bit();
            }
            SampleFormat f = SampleFormat.builder().sampleType(bits).readFormat(random.nextInt(32))
                    .regsUserMask(random.nextLong()).regsIntrMask(random.nextInt())
                    .branchSampleType((random.nextBoolean() ? HW_INDEX : 0) | (random.nextBoolean() ? COUNTERS : 0))
                    .build();
            roundTrip(f, f.toString());
        }
    }

    @Test
    void registersWithAbiNoneAreAbsentAndLaterFieldsStayInPlace() {
        Set<SampleField> fields = EnumSet.of(SampleField.REGS_USER, SampleField.WEIGHT, SampleField.REGS_INTR,
                SampleField.PHYS_ADDR);
        SampleFormat f = format(fields).build();
        try (RecordBuffer b = new RecordBuffer()) {
            Samples.write(b, f, 0, PERF_SAMPLE_REGS_ABI_NONE(), Samples.STACK);
            RecordCursor c = RecordCursor.of(f).wrap(b.segment(), 0);
            assertEquals(0, c.regsUserAbi());
            assertEquals(0, c.regsUserCount());
            assertEquals(0, c.regsIntrCount());
            assertThrows(IndexOutOfBoundsException.class, () -> c.regsUser(0));
            assertEquals(Samples.value(SampleField.WEIGHT), c.weight());
            assertEquals(Samples.value(SampleField.PHYS_ADDR), c.physAddr());
            PerfRecord.Sample s = (PerfRecord.Sample) c.toRecord();
            assertEquals(0, s.regsUser().values().length);
            assertEquals(REGS_USER_MASK, s.regsUser().mask());
            assertEquals(Samples.value(SampleField.PHYS_ADDR), s.physAddr());
        }
    }

    @Test
    void emptyUserStackHasNoDynSizeAndLaterFieldsStayInPlace() {
        SampleFormat f = format(EnumSet.of(SampleField.STACK_USER, SampleField.WEIGHT, SampleField.DATA_SRC)).build();
        try (RecordBuffer b = new RecordBuffer()) {
            Samples.write(b, f, 0, 2, new byte[0]);
            MemorySegment records = b.segment();
            assertEquals(8 + 8 + 8 + 8, records.byteSize(), "header, size 0, weight, data_src: no dyn_size");
            RecordCursor c = RecordCursor.of(f).wrap(records, 0);
            assertEquals(0, c.stackUserSize());
            assertEquals(0, c.stackUserDynSize());
            assertEquals(0, c.stackUser().byteSize());
            assertEquals(Samples.value(SampleField.WEIGHT), c.weight());
            PerfRecord.Sample s = (PerfRecord.Sample) c.toRecord();
            assertEquals(0, s.stackUser().data().length);
            assertEquals(0, s.stackUser().dynSize());
            assertEquals(Samples.value(SampleField.WEIGHT), s.weight());
        }
    }

    @Test
    void aFieldTheFormatLacksThrowsNamingIt() {
        SampleFormat f = SampleFormat.builder().sampleFields(SampleField.TID).build();
        try (RecordBuffer b = new RecordBuffer()) {
            Samples.write(b, f);
            RecordCursor c = RecordCursor.of(f).wrap(b.segment(), 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, c::ip);
            assertTrue(e.getMessage().contains("PERF_SAMPLE_IP"), e.getMessage());
            assertTrue(assertThrows(IllegalStateException.class, c::time).getMessage().contains("TIME"));
            assertTrue(assertThrows(IllegalStateException.class, c::id).getMessage().contains("IDENTIFIER"));
            assertThrows(IllegalStateException.class, c::callchainLength);
            assertThrows(IllegalStateException.class, () -> c.readValue(0));
            assertThrows(IllegalStateException.class, c::weight);
            assertThrows(IllegalStateException.class, c::weightVar1);
            assertThrows(IllegalStateException.class, c::rawSize);
            assertThrows(IllegalStateException.class, c::stackUserSize);
        }
    }

    @Test
    void readFormatPartsTheFormatLacksThrow() {
        SampleFormat f = SampleFormat.builder().sampleFields(SampleField.READ).readFormat(0).build();
        try (RecordBuffer b = new RecordBuffer()) {
            Samples.write(b, f);
            RecordCursor c = RecordCursor.of(f).wrap(b.segment(), 0);
            assertEquals(Samples.readValue(0), c.readValue(0));
            assertTrue(assertThrows(IllegalStateException.class, () -> c.readId(0)).getMessage().contains("ID"));
            assertTrue(assertThrows(IllegalStateException.class, () -> c.readLost(0)).getMessage().contains("LOST"));
            assertTrue(assertThrows(IllegalStateException.class, c::readTimeEnabled).getMessage().contains("ENABLED"));
            assertTrue(assertThrows(IllegalStateException.class, c::readTimeRunning).getMessage().contains("RUNNING"));
            assertThrows(IndexOutOfBoundsException.class, () -> c.readValue(1));
        }
    }

    @Test
    void branchPartsTheFormatLacksThrow() {
        SampleFormat f = SampleFormat.builder().sampleFields(SampleField.BRANCH_STACK).build();
        try (RecordBuffer b = new RecordBuffer()) {
            Samples.write(b, f);
            RecordCursor c = RecordCursor.of(f).wrap(b.segment(), 0);
            assertTrue(assertThrows(IllegalStateException.class, c::branchHwIndex).getMessage().contains("HW_INDEX"));
            assertTrue(assertThrows(IllegalStateException.class, () -> c.branchCounters(0)).getMessage()
                    .contains("COUNTERS"));
            assertThrows(IndexOutOfBoundsException.class, () -> c.branchFrom(Samples.BRANCHES));
            assertThrows(IndexOutOfBoundsException.class, () -> c.branchTo(-1));
            assertEquals(24, c.branchEntry(1).byteSize());
        }
    }

    @Test
    void indexesOutOfRangeThrow() {
        SampleFormat f = format(EnumSet.allOf(SampleField.class)).sampleType(SampleField.bits(EnumSet.complementOf(
                EnumSet.of(SampleField.WEIGHT)))).build();
        try (RecordBuffer b = new RecordBuffer()) {
            Samples.write(b, f);
            RecordCursor c = RecordCursor.of(f).wrap(b.segment(), 0);
            assertThrows(IndexOutOfBoundsException.class, () -> c.callchain(Samples.CALLCHAIN.length));
            assertThrows(IndexOutOfBoundsException.class, () -> c.callchain(-1));
            assertThrows(IndexOutOfBoundsException.class, () -> c.readValue(Samples.GROUP));
            assertThrows(IndexOutOfBoundsException.class, () -> c.readId(Samples.GROUP));
            assertThrows(IndexOutOfBoundsException.class, () -> c.branchCounters(Samples.BRANCHES));
            assertThrows(IndexOutOfBoundsException.class, () -> c.regsUser(Long.bitCount(REGS_USER_MASK)));
            assertThrows(IndexOutOfBoundsException.class, () -> c.regsIntr(Long.bitCount(REGS_INTR_MASK)));
            assertThrows(IndexOutOfBoundsException.class, () -> c.branchFlags(Samples.BRANCHES));
        }
    }

    @Test
    void exactIpFlagAndCpuModeComeFromMisc() {
        SampleFormat f = SampleFormat.builder().sampleFields(SampleField.IP).build();
        try (RecordBuffer b = new RecordBuffer()) {
            Samples.write(b, f, PERF_RECORD_MISC_EXACT_IP() | 2, 0, new byte[0]);
            RecordCursor c = RecordCursor.of(f).wrap(b.segment(), 0);
            assertEquals(PERF_RECORD_MISC_EXACT_IP() | 2, c.misc());
            PerfRecord.Sample s = (PerfRecord.Sample) c.toRecord();
            assertTrue(s.exactIp());
            assertEquals(2, s.cpuMode());
        }
    }

    @Test
    void callchainMarkersAreToldFromAddresses() {
        for (CallchainContext context : CallchainContext.values()) {
            assertTrue(RecordCursor.isContextMarker(context.marker()), context.toString());
            assertEquals(context, CallchainContext.of(context.marker()));
        }
        assertTrue(RecordCursor.isContextMarker(-4095));
        assertTrue(RecordCursor.isContextMarker(-1));
        assertEquals(false, RecordCursor.isContextMarker(-4096));
        assertEquals(false, RecordCursor.isContextMarker(0xffffffff81000000L));
        assertEquals(null, CallchainContext.of(0x401000));
        assertEquals(null, CallchainContext.of(-1));
    }

    @Test
    void aNewFormatAppliesFromTheNextRecordOn() {
        SampleFormat group = SampleFormat.builder().sampleFields(SampleField.TIME, SampleField.READ)
                .readFormat(0b11111).build();
        SampleFormat single = SampleFormat.builder().sampleFields(SampleField.IP).build();
        try (RecordBuffer b = new RecordBuffer()) {
            Samples.write(b, group);
            Samples.write(b, single);
            MemorySegment records = b.segment();
            RecordCursor c = RecordCursor.of(group).walk(records);
            assertTrue(c.next());
            c.format(single);
            Samples.verify(c, group, "the current record keeps the format it was decoded with");
            Samples.verify((PerfRecord.Sample) c.toRecord(), group, "its record too");
            assertTrue(c.next());
            Samples.verify(c, single, "the next record is decoded with the new format");
        }
    }
}

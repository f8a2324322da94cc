/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_GROUP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_BRANCH_ANY;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_BRANCH_COUNTERS;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_BRANCH_HW_INDEX;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_SAMPLE_MAX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.ReadFormat;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SampleFormatTest {

    @Test
    void ofReadsEveryLayoutFieldOfTheAttr() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = perf_event_attr.allocate(arena);
            long sampleType = SampleField.bits(EnumSet.of(SampleField.IP, SampleField.READ, SampleField.REGS_USER));
            perf_event_attr.sample_type(attr, sampleType);
            perf_event_attr.read_format(attr, PERF_FORMAT_GROUP() | ReadFormat.ID.bit());
            perf_event_attr_bits.sample_id_all(attr, 1);
            perf_event_attr.branch_sample_type(attr, PERF_SAMPLE_BRANCH_ANY() | PERF_SAMPLE_BRANCH_HW_INDEX());
            perf_event_attr.sample_regs_user(attr, 0xF0F);
            perf_event_attr.sample_regs_intr(attr, 0x3);
            SampleFormat f = SampleFormat.of(attr);
            assertEquals(sampleType, f.sampleType());
            assertEquals(EnumSet.of(SampleField.IP, SampleField.READ, SampleField.REGS_USER), f.sampleFields());
            assertEquals(PERF_FORMAT_GROUP() | ReadFormat.ID.bit(), f.readFormat());
            assertTrue(f.readGroup());
            assertEquals(EnumSet.of(ReadFormat.ID), f.readFormats());
            assertTrue(f.sampleIdAll());
            assertTrue(f.branchHwIndex());
            assertFalse(f.branchCounters());
            assertEquals(PERF_SAMPLE_BRANCH_ANY() | PERF_SAMPLE_BRANCH_HW_INDEX(), f.branchSampleType());
            assertEquals(0xF0F, f.regsUserMask());
            assertEquals(0x3, f.regsIntrMask());
            assertEquals(f, f.toBuilder().build());
            assertEquals(f.hashCode(), f.toBuilder().build().hashCode());
            perf_event_attr_bits.sample_id_all(attr, 0);
            assertFalse(SampleFormat.of(attr).sampleIdAll());
            assertThrows(IllegalArgumentException.class, () -> SampleFormat.of(attr.asSlice(0, 64)));
        }
        assertThrows(NullPointerException.class, () -> SampleFormat.of(null));
    }

    @Test
    void fieldsThatCannotBeLaidOutAreRefused() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> SampleFormat.builder().sampleType(Integer.toUnsignedLong(PERF_SAMPLE_MAX())).build());
        assertTrue(unknown.getMessage().contains("0x2000000"), unknown.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SampleFormat.builder()
                .sampleType((1L << 40) | SampleField.IP.bit()).build()).getMessage()
                .contains("sample_type 0x10000000001 has bits 0x10000000000 "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SampleFormat.builder().readFormat(32 | 1)
                .build()).getMessage().contains("read_format 0x21 has bits 0x20 "));
        assertThrows(IllegalArgumentException.class, () -> SampleFormat.builder().sampleType(1L << 63).build());
        IllegalArgumentException weights = assertThrows(IllegalArgumentException.class,
                () -> SampleFormat.builder().sampleFields(SampleField.WEIGHT, SampleField.WEIGHT_STRUCT).build());
        assertTrue(weights.getMessage().contains("WEIGHT_STRUCT"), weights.getMessage());
        IllegalArgumentException read = assertThrows(IllegalArgumentException.class,
                () -> SampleFormat.builder().readFormat(32).build());
        assertTrue(read.getMessage().contains("read_format"), read.getMessage());
        SampleFormat.builder().sampleType(Integer.toUnsignedLong(PERF_SAMPLE_MAX()) - 1
                & ~SampleField.WEIGHT.bit()).readFormat(31).build();
    }

    @Test
    void theSampleIdSizeCountsTheIdentityFieldsOnlyWithSampleIdAll() {
        SampleFormat f = SampleFormat.builder().sampleFields(SampleField.TID, SampleField.TIME, SampleField.IP,
                SampleField.CPU, SampleField.CALLCHAIN).build();
        assertEquals(0, f.sampleIdSize());
        assertEquals(24, f.toBuilder().sampleIdAll(true).build().sampleIdSize());
        assertEquals(48, SampleFormat.builder().sampleType(SampleField.bits(EnumSet.allOf(SampleField.class))
                & ~SampleField.WEIGHT.bit()).sampleIdAll(true).build().sampleIdSize());
    }

    @Test
    void builderSettersAndEquality() {
        SampleFormat a = SampleFormat.builder().readFormat(Set.of(ReadFormat.LOST, ReadFormat.TOTAL_TIME_ENABLED),
                true).branchSampleType(PERF_SAMPLE_BRANCH_COUNTERS()).build();
        assertEquals(PERF_FORMAT_GROUP() | ReadFormat.LOST.bit() | ReadFormat.TOTAL_TIME_ENABLED.bit(),
                a.readFormat());
        assertTrue(a.branchCounters());
        assertFalse(a.branchHwIndex());
        assertFalse(SampleFormat.builder().readFormat(Set.of(), false).build().readGroup());
        for (SampleFormat other : new SampleFormat[] {a.toBuilder().readFormat(0).build(),
            a.toBuilder().sampleIdAll(true).build(), a.toBuilder().branchSampleType(0).build(),
            a.toBuilder().regsUserMask(1).build(), a.toBuilder().regsIntrMask(1).build(),
            a.toBuilder().sampleFields(SampleField.IP).build()}) {
            assertNotEquals(a, other, other.toString());
        }
        assertNotEquals(a, "a format");
        assertNotEquals(a.hashCode(), a.toBuilder().sampleIdAll(true).build().hashCode());
        assertTrue(a.toString().contains("LOST"), a.toString());
        assertTrue(a.toString().contains("+GROUP"), a.toString());
        assertThrows(NullPointerException.class, () -> SampleFormat.builder().sampleFields((SampleField[]) null));
        assertThrows(NullPointerException.class, () -> SampleFormat.builder().readFormat(null, false));
    }

    @Test
    void sampleFieldBitsRoundTrip() {
        for (SampleField f : SampleField.values()) {
            assertEquals(EnumSet.of(f), SampleField.of(f.bit()));
            assertEquals(f.bit(), SampleField.bits(EnumSet.of(f)));
        }
        assertEquals(EnumSet.allOf(SampleField.class), SampleField.of(-1));
        assertEquals(EnumSet.noneOf(SampleField.class), SampleField.of(1L << 40));
        assertEquals(0, SampleField.bits(Set.of()));
        assertThrows(NullPointerException.class, () -> SampleField.bits(null));
    }
}

package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@link Sampling} writes into the attr, the bounds it refuses, and each side-band record's bits. */
class SamplingTest {

    private static MemorySegment written(Arena arena, Sampling sampling, boolean sideBand) {
        MemorySegment attr = perf_event_attr.allocate(arena);
        sampling.writeTo(attr, sideBand);
        return attr;
    }

    @Test
    void everySettingReachesItsAttrField() {
        try (Arena arena = Arena.ofConfined()) {
            Sampling s = Sampling.period(1).sample(SampleField.IP, SampleField.CALLCHAIN).wakeupWatermark(4096)
                    .maxStack(1).excludeCallchainKernel(true).excludeCallchainUser(true).branchSampleType(0x10)
                    .regsUser(0x7).regsIntr(0x3).stackUser(65528).overwrite(true).sampleIdAll(false);
            MemorySegment attr = written(arena, s, false);
            assertEquals(1, perf_event_attr.sample_period(attr));
            assertEquals(0, perf_event_attr_bits.freq(attr));
            assertEquals(SampleField.bits(Set.of(SampleField.IP, SampleField.CALLCHAIN)),
                    perf_event_attr.sample_type(attr));
            assertEquals(1, perf_event_attr_bits.watermark(attr));
            assertEquals(4096, perf_event_attr.wakeup_watermark(attr));
            assertEquals(1, perf_event_attr.sample_max_stack(attr));
            assertEquals(1, perf_event_attr_bits.exclude_callchain_kernel(attr));
            assertEquals(1, perf_event_attr_bits.exclude_callchain_user(attr));
            assertEquals(0x10, perf_event_attr.branch_sample_type(attr));
            assertEquals(0x7, perf_event_attr.sample_regs_user(attr));
            assertEquals(0x3, perf_event_attr.sample_regs_intr(attr));
            assertEquals(65528, perf_event_attr.sample_stack_user(attr));
            assertEquals(1, perf_event_attr_bits.write_backward(attr));
            assertEquals(0, perf_event_attr_bits.sample_id_all(attr));
            assertFalse(s.ordered(), "no TIME, no sample_id_all: unordered");

            MemorySegment byEvents = written(arena, Sampling.frequency(1).wakeupWatermark(8).wakeupEvents(3), false);
            assertEquals(1, perf_event_attr_bits.freq(byEvents));
            assertEquals(1, perf_event_attr.sample_freq(byEvents));
            assertEquals(0, perf_event_attr_bits.watermark(byEvents), "wakeupEvents replaces the watermark");
            assertEquals(3, perf_event_attr.wakeup_events(byEvents));
            assertEquals(1, perf_event_attr_bits.sample_id_all(byEvents), "on by default");
            assertEquals(0, perf_event_attr_bits.write_backward(byEvents));

            MemorySegment byWatermark = written(arena, Sampling.period(5).wakeupEvents(3).wakeupWatermark(64), false);
            assertEquals(1, perf_event_attr_bits.watermark(byWatermark), "the watermark replaces wakeupEvents");
            assertEquals(64, perf_event_attr.wakeup_watermark(byWatermark));
        }
    }

    @Test
    void sideBandBitsAreWrittenOnlyWhenAsked() {
        try (Arena arena = Arena.ofConfined()) {
            Sampling all = Sampling.period(1).sideBand(SideBand.values());
            MemorySegment without = written(arena, all, false);
            assertEquals(0, perf_event_attr_bits.mmap(without));
            MemorySegment attr = written(arena, all, true);
            assertEquals(1, perf_event_attr_bits.mmap(attr));
            assertEquals(1, perf_event_attr_bits.mmap2(attr));
            assertEquals(1, perf_event_attr_bits.mmap_data(attr));
            assertEquals(1, perf_event_attr_bits.build_id(attr));
            assertEquals(1, perf_event_attr_bits.comm(attr));
            assertEquals(1, perf_event_attr_bits.comm_exec(attr));
            assertEquals(1, perf_event_attr_bits.task(attr));
            assertEquals(1, perf_event_attr_bits.context_switch(attr));
            assertEquals(1, perf_event_attr_bits.namespaces(attr));
            assertEquals(1, perf_event_attr_bits.ksymbol(attr));
            assertEquals(1, perf_event_attr_bits.bpf_event(attr));
            assertEquals(1, perf_event_attr_bits.cgroup(attr));
            assertEquals(1, perf_event_attr_bits.text_poke(attr));
        }
    }

    @Test
    void eachSideBandRecordSetsItsOwnBitsAndNoOthers() {
        try (Arena arena = Arena.ofConfined()) {
            for (SideBand record : SideBand.values()) {
                MemorySegment attr = perf_event_attr.allocate(arena);
                record.writeTo(attr);
                long word = attr.get(java.lang.foreign.ValueLayout.JAVA_LONG, 40); // the flag word
                int expectedBits = switch (record) {
                    case MMAP, MMAP_DATA, MMAP_BUILD_ID, COMM_EXEC -> 2; // with mmap2, or comm
                    default -> 1;
                };
                assertEquals(expectedBits, Long.bitCount(word), record + " sets " + Long.toHexString(word));
                boolean mmap2 = perf_event_attr_bits.mmap2(attr) == 1;
                assertEquals(record == SideBand.MMAP || record == SideBand.MMAP_DATA || record == SideBand.MMAP_BUILD_ID,
                        mmap2, record + ": mmap2");
            }
        }
    }

    @Test
    void boundsAreRefusedJustOutsideAndAcceptedJustInside() {
        assertEquals(1, Sampling.period(1).period());
        assertThrows(IllegalArgumentException.class, () -> Sampling.period(0));
        assertEquals(1, Sampling.frequency(1).frequency());
        assertThrows(IllegalArgumentException.class, () -> Sampling.frequency(0));
        Sampling s = Sampling.period(1);
        s.maxStack(1);
        s.maxStack(65535);
        assertThrows(IllegalArgumentException.class, () -> s.maxStack(0));
        assertThrows(IllegalArgumentException.class, () -> s.maxStack(65536));
        s.wakeupEvents(1);
        assertThrows(IllegalArgumentException.class, () -> s.wakeupEvents(0));
        s.wakeupWatermark(1);
        assertThrows(IllegalArgumentException.class, () -> s.wakeupWatermark(0));
        s.stackUser(0);
        s.stackUser(65528);
        assertThrows(IllegalArgumentException.class, () -> s.stackUser(-8));
        assertThrows(IllegalArgumentException.class, () -> s.stackUser(65536));
        assertThrows(IllegalArgumentException.class, () -> s.stackUser(12));
        s.reorderWindow(Duration.ofNanos(1000));
        s.reorderWindow(Duration.ofSeconds(10));
        assertThrows(IllegalArgumentException.class, () -> s.reorderWindow(Duration.ofNanos(999)));
        assertThrows(IllegalArgumentException.class, () -> s.reorderWindow(Duration.ofSeconds(10).plusNanos(1)));
        assertEquals(0, s.auxPages(0).auxPages());
        assertEquals(4, s.auxPages(4).auxPages());
        assertThrows(IllegalArgumentException.class, () -> s.auxPages(3));
        assertThrows(IllegalArgumentException.class, () -> s.overwrite(true).auxPages(1).validate());
    }

    @Test
    void toStringNamesWhatDiffersFromTheDefaults() {
        assertEquals("Sampling[period=7, sample=[IDENTIFIER, IP, TID, TIME, CPU, PERIOD], bufferPages=64]",
                Sampling.period(7).toString());
        String all = Sampling.frequency(99).sideBand(SideBand.MMAP).overwrite(true).ordered(false).toString();
        assertTrue(all.startsWith("Sampling[frequency=99, "), all);
        assertTrue(all.contains("sideBand=[MMAP]") && all.contains("overwrite") && all.endsWith("unordered]"), all);
        assertEquals(Set.of(SideBand.MMAP), Sampling.period(1).sideBand(SideBand.MMAP).sideBand());
        assertTrue(Sampling.period(1).sideBand().isEmpty());
    }
}

package io.github.perfevent;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Fixtures;
import io.github.perfevent.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every {@code read_format} combination, single and group, decoded exactly as the kernel lays it out: the kernel's
 * own bytes (a raw {@code read(2)} of the counter's fd into a larger buffer) are the oracle, and the fields are
 * identified by what they must hold: the count that {@link Counter#read()} gives, the ids of
 * {@code PERF_EVENT_IOC_ID}, times that are positive, lost counts of 0. Scaling is checked on real buffers whose
 * {@code time_running} is rewritten, against exact {@link BigInteger} arithmetic.
 */
class ReadFormatTest {

    private static final int PAGES = 200;
    private static final int ROOM = 512;

    /** The 16 subsets of the four read formats. */
    private static List<Set<ReadFormat>> everyFormat() {
        List<Set<ReadFormat>> all = new ArrayList<>();
        ReadFormat[] formats = ReadFormat.values();
        for (int mask = 0; mask < 1 << formats.length; mask++) {
            Set<ReadFormat> set = EnumSet.noneOf(ReadFormat.class);
            for (int i = 0; i < formats.length; i++) {
                if ((mask & 1 << i) != 0) {
                    set.add(formats[i]);
                }
            }
            all.add(set);
        }
        return all;
    }

    @Test
    void everySingleEventReadFormatIsDecodedFromTheKernelsOwnBytes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment raw = arena.allocate(ROOM, Long.BYTES);
            for (Set<ReadFormat> formats : everyFormat()) {
                String what = GroupTest.names(formats);
                try (Counter faults = Counter.open(Event.Software.PAGE_FAULTS.event(), Target.currentThread(),
                        Options.defaults().readFormat(formats))) {
                    faults.enable();
                    Fixtures.touchFreshPages(PAGES);
                    faults.disable(); // from here on nothing moves: the kernel's bytes and the decoded fields agree
                    long bytes = Syscalls.read(faults.fd(0), raw);
                    assertEquals(Long.BYTES * (1 + formats.size()), bytes, what + ": one u64 per field");
                    Reading r = faults.read(new Reading());
                    int i = 0;
                    assertEquals(GroupTest.u64(raw, i++), r.value(), what);
                    assertTrue(r.value() >= PAGES, what + ": the value comes first: " + r);
                    if (formats.contains(ReadFormat.TOTAL_TIME_ENABLED)) {
                        assertEquals(GroupTest.u64(raw, i++), r.timeEnabled(), what);
                        assertTrue(r.timeEnabled() > 0, what);
                    }
                    if (formats.contains(ReadFormat.TOTAL_TIME_RUNNING)) {
                        assertEquals(GroupTest.u64(raw, i++), r.timeRunning(), what);
                        assertTrue(r.timeRunning() > 0, what);
                    }
                    if (formats.contains(ReadFormat.ID)) {
                        assertEquals(GroupTest.u64(raw, i++), r.id(), what);
                        assertEquals(faults.id(0), r.id(), what + ": the id of PERF_EVENT_IOC_ID");
                    }
                    if (formats.contains(ReadFormat.LOST)) {
                        assertEquals(GroupTest.u64(raw, i++), r.lost(), what);
                        assertEquals(0, r.lost(), what);
                    }
                    for (ReadFormat f : ReadFormat.values()) {
                        assertEquals(formats.contains(f), r.has(f), what + " has " + f);
                    }
                    assertEquals(r.value(), faults.read(), what + ": read() is the first field");
                }
            }
        }
    }

    @Test
    void everyGroupReadFormatIsDecodedFromTheKernelsOwnBytes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment raw = arena.allocate(ROOM, Long.BYTES);
            for (Set<ReadFormat> formats : everyFormat()) {
                String what = "group " + GroupTest.names(formats);
                try (Group group = Group.open(List.of(Event.Software.PAGE_FAULTS.event(),
                        Event.Software.PAGE_FAULTS_MIN.event(), Event.Software.PAGE_FAULTS_MAJ.event()),
                        Target.currentThread(), Options.defaults().readFormat(formats))) {
                    group.enable();
                    Fixtures.touchFreshPages(PAGES);
                    group.disable();
                    long bytes = Syscalls.read(group.fd(0, 0), raw);
                    boolean times = formats.contains(ReadFormat.TOTAL_TIME_ENABLED);
                    boolean running = formats.contains(ReadFormat.TOTAL_TIME_RUNNING);
                    boolean ids = formats.contains(ReadFormat.ID);
                    boolean lost = formats.contains(ReadFormat.LOST);
                    int perMember = 1 + (ids ? 1 : 0) + (lost ? 1 : 0);
                    assertEquals(Long.BYTES * (1 + (times ? 1 : 0) + (running ? 1 : 0) + 3 * perMember), bytes, what);
                    GroupReading r = group.read(group.newReading());
                    int i = 0;
                    assertEquals(3, GroupTest.u64(raw, i++), what + ": nr comes first");
                    if (times) {
                        assertEquals(GroupTest.u64(raw, i++), r.timeEnabled(), what);
                    }
                    if (running) {
                        assertEquals(GroupTest.u64(raw, i++), r.timeRunning(), what);
                    }
                    for (int m = 0; m < 3; m++) {
                        assertEquals(GroupTest.u64(raw, i++), r.value(m), what + " member " + m);
                        if (ids) {
                            assertEquals(GroupTest.u64(raw, i++), r.id(m), what + " member " + m);
                            assertEquals(group.id(0, m), r.id(m), what + " member " + m);
                        }
                        if (lost) {
                            assertEquals(GroupTest.u64(raw, i++), r.lost(m), what + " member " + m);
                        }
                    }
                    assertTrue(r.value(0) >= PAGES && r.value(1) >= PAGES, what + ": " + r);
                }
            }
        }
    }

    @Test
    void scaledValuesAreValueTimesEnabledOverRunningOnTheKernelsBytes() {
        Set<ReadFormat> formats = EnumSet.of(ReadFormat.TOTAL_TIME_ENABLED, ReadFormat.TOTAL_TIME_RUNNING);
        try (Arena arena = Arena.ofConfined();
                Counter clock = Counter.open(Event.Software.TASK_CLOCK.event());
                Group group = Group.open(
                        List.of(Event.Software.PAGE_FAULTS.event(), Event.Software.PAGE_FAULTS_MIN.event()))) {
            clock.enable();
            group.enable();
            Fixtures.touchFreshPages(PAGES);
            group.disable();
            clock.disable();
            MemorySegment single = arena.allocate(3 * Long.BYTES, Long.BYTES);
            MemorySegment grouped = arena.allocate(5 * Long.BYTES, Long.BYTES);
            assertEquals(single.byteSize(), Syscalls.read(clock.fd(0), single));
            assertEquals(grouped.byteSize(), Syscalls.read(group.fd(0, 0), grouped));
            ReadLayout singleLayout = new ReadLayout(ReadFormat.bits(formats), 0);
            ReadLayout groupLayout = new ReadLayout(ReadFormat.bits(formats), 2);

            long enabled = GroupTest.u64(single, 1);
            for (long running : new long[] {enabled, enabled / 3, enabled - 1, 1, 0}) {
                single.set(JAVA_LONG, 2 * Long.BYTES, running); // time_running of a multiplexed event
                Reading r = new Reading();
                singleLayout.begin(r);
                singleLayout.accumulate(single, r);
                assertEquals(exactScale(r.value(), enabled, running), r.scaledValue(), "running " + running);
                assertEquals(running < enabled, r.isScaled(), "running " + running);
            }
            long groupEnabled = GroupTest.u64(grouped, 1);
            grouped.set(JAVA_LONG, 2 * Long.BYTES, groupEnabled / 4);
            GroupReading g = group.newReading();
            groupLayout.begin(g);
            groupLayout.accumulate(grouped, g);
            assertTrue(g.isScaled());
            for (int m = 0; m < 2; m++) {
                assertEquals(exactScale(g.value(m), groupEnabled, groupEnabled / 4), g.scaledValue(m), "member " + m);
                assertTrue(g.scaledValue(m) >= 4 * g.value(m) - 4, "a quarter of the time: about 4x");
            }
        }
    }

    @Test
    void scalingBeyondSixtyThreeBitsKeepsDoublePrecision() {
        long value = 1L << 50;
        long enabled = 3L << 40;
        long running = (1L << 40) + 12345;
        double expected = new BigDecimal(BigInteger.valueOf(value).multiply(BigInteger.valueOf(enabled)))
                .divide(BigDecimal.valueOf(running), MathContext.DECIMAL64).doubleValue();
        long scaled = ReadLayout.scale(value, enabled, running);
        assertEquals(expected, scaled, expected * 1e-15, "value × enabled overflows 64 bits here");
        assertEquals(exactScale(1000, 3000, 1000), ReadLayout.scale(1000, 3000, 1000));
    }

    @Test
    void fieldsOutsideTheReadFormatAreRefusedNamingTheFormatToAdd() {
        try (Counter faults = Counter.open(Event.Software.PAGE_FAULTS.event(), Target.currentThread(),
                Options.defaults().readFormat(Set.of()))) {
            Reading r = faults.read(new Reading());
            assertEquals(0, r.value());
            for (ReadFormat f : ReadFormat.values()) {
                assertFalse(r.has(f));
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, r::scaledValue);
            assertTrue(e.getMessage().contains("ReadFormat.TOTAL_TIME_ENABLED"), e.getMessage());
            assertThrows(IllegalStateException.class, r::id);
            assertThrows(IllegalStateException.class, r::lost);
            assertThrows(IllegalStateException.class, () -> new Reading().value(), "nothing read yet");
        }
    }

    /** {@code value × enabled / running} in exact integer arithmetic; 0 when never running. */
    private static long exactScale(long value, long enabled, long running) {
        if (running == 0) {
            return 0;
        }
        return BigInteger.valueOf(value).multiply(BigInteger.valueOf(enabled)).divide(BigInteger.valueOf(running))
                .longValueExact();
    }
}

package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link Reading}, {@link GroupReading} and their decoding by {@link ReadLayout}, on buffers fabricated in the
 * kernel's {@code read_format} layout (the {@code struct read_format} comment of perf_event.h): what a real read on
 * this machine cannot show, namely lost counts, multiplexed times, sums over several fds and the reuse of a holder.
 * Scaling is compared with exact {@link BigInteger} arithmetic. {@link ReadFormatTest} checks the same layout against
 * the kernel's own bytes.
 */
class ReadingTest {

    private static final Set<ReadFormat> TIMES = EnumSet.of(ReadFormat.TOTAL_TIME_ENABLED,
            ReadFormat.TOTAL_TIME_RUNNING);
    private static final Set<ReadFormat> ALL = EnumSet.allOf(ReadFormat.class);
    private static final Event TASK_CLOCK = Event.Software.TASK_CLOCK.event();
    private static final Event PAGE_FAULTS = Event.Software.PAGE_FAULTS.event();

    /** One fd's fields, those the format lacks being left out of the buffer. */
    private record Fd(long value, long enabled, long running, long id, long lost) {
    }

    /** A single event's buffer: value, [time_enabled], [time_running], [id], [lost]. */
    private static MemorySegment single(Set<ReadFormat> formats, Fd fd) {
        List<Long> u64s = new ArrayList<>(List.of(fd.value()));
        addTimes(u64s, formats, fd.enabled(), fd.running());
        addIdAndLost(u64s, formats, fd);
        return segment(u64s);
    }

    /** A group's buffer: nr, [time_enabled], [time_running], nr × { value, [id], [lost] }. */
    private static MemorySegment group(Set<ReadFormat> formats, long enabled, long running, Fd... members) {
        List<Long> u64s = new ArrayList<>(List.of((long) members.length));
        addTimes(u64s, formats, enabled, running);
        for (Fd member : members) {
            u64s.add(member.value());
            addIdAndLost(u64s, formats, member);
        }
        return segment(u64s);
    }

    private static void addTimes(List<Long> u64s, Set<ReadFormat> formats, long enabled, long running) {
        if (formats.contains(ReadFormat.TOTAL_TIME_ENABLED)) {
            u64s.add(enabled);
        }
        if (formats.contains(ReadFormat.TOTAL_TIME_RUNNING)) {
            u64s.add(running);
        }
    }

    private static void addIdAndLost(List<Long> u64s, Set<ReadFormat> formats, Fd fd) {
        if (formats.contains(ReadFormat.ID)) {
            u64s.add(fd.id());
        }
        if (formats.contains(ReadFormat.LOST)) {
            u64s.add(fd.lost());
        }
    }

    private static MemorySegment segment(List<Long> u64s) {
        return MemorySegment.ofArray(u64s.stream().mapToLong(Long::longValue).toArray());
    }

    /** Decodes the buffers of several fds of one counter into {@code into}, as one read. */
    private static Reading read(Set<ReadFormat> formats, Reading into, Fd... fds) {
        ReadLayout layout = new ReadLayout(ReadFormat.bits(formats), 0);
        layout.begin(into);
        for (Fd fd : fds) {
            MemorySegment buffer = single(formats, fd);
            assertEquals(layout.byteSize(), buffer.byteSize(), "the fabricated buffer has the kernel's size");
            layout.accumulate(buffer, into);
        }
        return into;
    }

    /** Decodes the group buffers of several fds into {@code into}, as one read. */
    private static GroupReading read(Set<ReadFormat> formats, GroupReading into, MemorySegment... buffers) {
        ReadLayout layout = new ReadLayout(ReadFormat.bits(formats), into.size());
        layout.begin(into);
        for (MemorySegment buffer : buffers) {
            assertEquals(layout.byteSize(), buffer.byteSize(), "the fabricated buffer has the kernel's size");
            layout.accumulate(buffer, into);
        }
        return into;
    }

    private static GroupReading newGroupReading() {
        return new GroupReading(List.of(TASK_CLOCK, PAGE_FAULTS));
    }

    /** {@code value × enabled / running} in exact integer arithmetic; 0 when never running. */
    private static long exactScale(long value, long enabled, long running) {
        if (running == 0) {
            return 0;
        }
        return BigInteger.valueOf(value).multiply(BigInteger.valueOf(enabled)).divide(BigInteger.valueOf(running))
                .longValueExact();
    }

    // Scaling -----------------------------------------------------------------------------------------------------

    @Test
    void scalingIsExactWhileTheProductFitsIn63BitsEvenBeyondDoublePrecision() {
        long value = 123_456_789_012_345L;
        long enabled = 54_321;
        long running = 7;
        assertTrue(Math.multiplyHigh(value, enabled) == 0 && value * enabled > 1L << 53, "2^53 < product < 2^63");
        long inDoublePrecision = (long) ((double) value * ((double) enabled / (double) running));
        assertNotEquals(exactScale(value, enabled, running), inDoublePrecision, "double arithmetic would be off here");
        assertEquals(exactScale(value, enabled, running), ReadLayout.scale(value, enabled, running));

        SplittableRandom random = new SplittableRandom(20261130);
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong(1L << random.nextInt(1, 63));
            long e = 1 + random.nextLong(Long.MAX_VALUE / Math.max(1, v));
            long r = 1 + random.nextLong(e);
            assertEquals(exactScale(v, e, r), ReadLayout.scale(v, e, r), v + " × " + e + " / " + r);
        }
    }

    @Test
    void anEventThatAlwaysRanKeepsItsValueAndOneThatNeverRanScalesToZero() {
        assertEquals(Long.MAX_VALUE, ReadLayout.scale(Long.MAX_VALUE, 5, 5), "no multiplication when running = enabled");
        assertEquals(0, ReadLayout.scale(1234, 5678, 0));
        Reading never = read(TIMES, new Reading(), new Fd(0, 1000, 0, 0, 0));
        assertEquals(0, never.scaledValue());
        assertTrue(never.isScaled());
    }

    @Test
    void scaledValuesAreScaledPerFdThenSummed() {
        Reading r = read(TIMES, new Reading(), new Fd(100, 1000, 500, 0, 0), new Fd(10, 1000, 1000, 0, 0));
        assertEquals(110, r.value());
        assertEquals(200 + 10, r.scaledValue(), "100 over half the time is 200, plus 10 that always ran");
        assertEquals(2000, r.timeEnabled());
        assertEquals(1500, r.timeRunning());
        assertTrue(r.isScaled(), "one fd was multiplexed");
        assertEquals(2, r.sources());

        GroupReading g = read(TIMES, newGroupReading(),
                group(TIMES, 1000, 250, new Fd(10, 0, 0, 0, 0), new Fd(3, 0, 0, 0, 0)),
                group(TIMES, 1000, 1000, new Fd(7, 0, 0, 0, 0), new Fd(1, 0, 0, 0, 0)));
        assertEquals(17, g.value(0));
        assertEquals(4, g.value(1));
        assertEquals(40 + 7, g.scaledValue(0));
        assertEquals(12 + 1, g.scaledValue(1));
        assertEquals(2000, g.timeEnabled());
        assertEquals(1250, g.timeRunning());
        assertTrue(g.isScaled());
        assertEquals(2, g.sources());
    }

    @Test
    void readsThatRanAllTheTimeAreNotScaled() {
        Reading r = read(TIMES, new Reading(), new Fd(100, 1000, 1000, 0, 0), new Fd(5, 7, 7, 0, 0));
        assertFalse(r.isScaled());
        assertEquals(105, r.scaledValue());
        GroupReading g = read(TIMES, newGroupReading(), group(TIMES, 1000, 1000, new Fd(9, 0, 0, 0, 0),
                new Fd(8, 0, 0, 0, 0)));
        assertFalse(g.isScaled());
        assertEquals(9, g.scaledValue(0));
        assertEquals(8, g.scaledValue(1));
    }

    @Test
    void aReusedHolderHoldsOnlyItsLastRead() {
        Reading r = read(ALL, new Reading(), new Fd(100, 1000, 500, 1, 6), new Fd(100, 1000, 500, 2, 6));
        assertEquals(400, r.scaledValue());
        read(ALL, r, new Fd(30, 300, 300, 9, 2));
        assertEquals(30, r.value());
        assertEquals(30, r.scaledValue());
        assertEquals(300, r.timeEnabled());
        assertEquals(300, r.timeRunning());
        assertFalse(r.isScaled());
        assertEquals(9, r.id());
        assertEquals(2, r.lost());
        assertEquals(1, r.sources());
        read(EnumSet.noneOf(ReadFormat.class), r, new Fd(4, 0, 0, 0, 0));
        assertFalse(r.has(ReadFormat.TOTAL_TIME_ENABLED), "the format of the last read");
        assertThrows(IllegalStateException.class, r::timeEnabled);

        GroupReading g = newGroupReading();
        read(ALL, g, group(ALL, 1000, 100, new Fd(10, 0, 0, 1, 5), new Fd(20, 0, 0, 2, 6)));
        assertEquals(100, g.scaledValue(0));
        assertTrue(g.isScaled());
        read(ALL, g, group(ALL, 50, 50, new Fd(3, 0, 0, 7, 1), new Fd(4, 0, 0, 8, 0)));
        assertEquals(3, g.value(0));
        assertEquals(4, g.value(1));
        assertEquals(3, g.scaledValue(0), "not summed with the scaled value of the read before");
        assertEquals(4, g.scaledValue(1));
        assertEquals(1, g.lost(0));
        assertEquals(0, g.lost(1));
        assertEquals(7, g.id(0));
        assertEquals(8, g.id(1));
        assertEquals(50, g.timeEnabled());
        assertEquals(50, g.timeRunning());
        assertFalse(g.isScaled());
        assertEquals(1, g.sources());
    }

    // Lost counts and ids -----------------------------------------------------------------------------------------

    @Test
    void lostCountsAreReadPerFdAndSummed() {
        Reading one = read(ALL, new Reading(), new Fd(10, 100, 100, 77, 3));
        assertEquals(3, one.lost());
        assertEquals(77, one.id());
        Reading two = read(EnumSet.of(ReadFormat.LOST), new Reading(), new Fd(10, 0, 0, 0, 3), new Fd(5, 0, 0, 0, 4));
        assertEquals(7, two.lost());
        assertEquals(15, two.value());

        Set<ReadFormat> idAndLost = EnumSet.of(ReadFormat.ID, ReadFormat.LOST);
        GroupReading g = read(idAndLost, newGroupReading(),
                group(idAndLost, 0, 0, new Fd(10, 0, 0, 41, 2), new Fd(20, 0, 0, 42, 9)),
                group(idAndLost, 0, 0, new Fd(1, 0, 0, 43, 3), new Fd(2, 0, 0, 44, 0)));
        assertEquals(5, g.lost(0));
        assertEquals(9, g.lost(1));
        assertEquals(11, g.value(0));
        assertEquals(22, g.value(1));
        GroupReading single = read(idAndLost, newGroupReading(),
                group(idAndLost, 0, 0, new Fd(10, 0, 0, 41, 2), new Fd(20, 0, 0, 42, 9)));
        assertEquals(41, single.id(0));
        assertEquals(42, single.id(1));
        assertEquals(2, single.lost(0));
        assertEquals(9, single.lost(1));
    }

    @Test
    void anIdIsRefusedWhenTheReadingSumsSeveralFds() {
        Reading r = read(ALL, new Reading(), new Fd(1, 1, 1, 77, 0), new Fd(1, 1, 1, 78, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, r::id);
        assertEquals("this reading sums 2 fds, each with its own id: read one with Counter.read(index, reading)",
                e.getMessage());
        GroupReading g = read(ALL, newGroupReading(), group(ALL, 1, 1, new Fd(1, 0, 0, 1, 0), new Fd(1, 0, 0, 2, 0)),
                group(ALL, 1, 1, new Fd(1, 0, 0, 3, 0), new Fd(1, 0, 0, 4, 0)));
        e = assertThrows(IllegalStateException.class, () -> g.id(0));
        assertTrue(e.getMessage().endsWith("read one with Group.read(index, reading)"), e.getMessage());
    }

    @Test
    void aGroupBufferWithAnotherNumberOfMembersIsRefused() {
        ReadLayout layout = new ReadLayout(0, 2);
        GroupReading g = newGroupReading();
        layout.begin(g);
        MemorySegment three = group(Set.of(), 0, 0, new Fd(1, 0, 0, 0, 0), new Fd(2, 0, 0, 0, 0),
                new Fd(3, 0, 0, 0, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> layout.accumulate(three, g));
        assertEquals("the kernel read 3 group members; the group has 2", e.getMessage());
    }

    // Guards ------------------------------------------------------------------------------------------------------

    /** The accessors of a counter's reading that need {@code format}. */
    private static Map<String, Function<Reading, Object>> readingAccessorsNeeding(ReadFormat format) {
        return switch (format) {
            case TOTAL_TIME_ENABLED, TOTAL_TIME_RUNNING -> Map.of(
                    format == ReadFormat.TOTAL_TIME_ENABLED ? "timeEnabled" : "timeRunning",
                    format == ReadFormat.TOTAL_TIME_ENABLED ? Reading::timeEnabled : Reading::timeRunning,
                    "scaledValue", Reading::scaledValue, "isScaled", Reading::isScaled);
            case ID -> Map.of("id", Reading::id);
            case LOST -> Map.of("lost", Reading::lost);
        };
    }

    /** The accessors of a group's reading that need {@code format}, on member 1. */
    private static Map<String, Function<GroupReading, Object>> groupAccessorsNeeding(ReadFormat format) {
        return switch (format) {
            case TOTAL_TIME_ENABLED, TOTAL_TIME_RUNNING -> Map.of(
                    format == ReadFormat.TOTAL_TIME_ENABLED ? "timeEnabled" : "timeRunning",
                    format == ReadFormat.TOTAL_TIME_ENABLED ? GroupReading::timeEnabled : GroupReading::timeRunning,
                    "scaledValue", g -> g.scaledValue(1), "isScaled", GroupReading::isScaled);
            case ID -> Map.of("id", g -> g.id(1));
            case LOST -> Map.of("lost", g -> g.lost(1));
        };
    }

    @Test
    void eachFieldTheReadFormatLacksIsRefusedNamingTheFormatToAddAndTheOthersAreRead() {
        for (ReadFormat lacking : ReadFormat.values()) {
            Set<ReadFormat> formats = EnumSet.complementOf(EnumSet.of(lacking));
            Reading r = read(formats, new Reading(), new Fd(5, 20, 10, 3, 2));
            GroupReading g = read(formats, newGroupReading(),
                    group(formats, 20, 10, new Fd(5, 0, 0, 3, 2), new Fd(6, 0, 0, 4, 1)));
            for (ReadFormat f : ReadFormat.values()) {
                assertEquals(f != lacking, r.has(f), lacking + ": has " + f);
                assertEquals(f != lacking, g.has(f), lacking + ": has " + f);
            }
            for (var accessor : readingAccessorsNeeding(lacking).entrySet()) {
                assertLacks("counter", lacking, () -> accessor.getValue().apply(r), accessor.getKey());
            }
            for (var accessor : groupAccessorsNeeding(lacking).entrySet()) {
                assertLacks("group", lacking, () -> accessor.getValue().apply(g), accessor.getKey());
            }
            for (ReadFormat present : formats) {
                for (var accessor : readingAccessorsNeeding(present).entrySet()) {
                    if (!readingAccessorsNeeding(lacking).containsKey(accessor.getKey())) {
                        accessor.getValue().apply(r); // read without complaint
                    }
                }
                for (var accessor : groupAccessorsNeeding(present).entrySet()) {
                    if (!groupAccessorsNeeding(lacking).containsKey(accessor.getKey())) {
                        accessor.getValue().apply(g);
                    }
                }
            }
            assertEquals(5, r.value());
            assertEquals(6, g.value(1));
        }
    }

    private static void assertLacks(String owner, ReadFormat format, Executable accessor, String what) {
        IllegalStateException e = assertThrows(IllegalStateException.class, accessor, what + " without " + format);
        assertEquals("the " + owner + "'s read format lacks " + format + ": open it with Options.readFormat "
                + "including ReadFormat." + format, e.getMessage(), what);
    }

    @Test
    void nothingCanBeAskedOfAHolderBeforeItsFirstRead() {
        Reading r = new Reading();
        GroupReading g = newGroupReading();
        assertEquals(0, r.sources());
        assertEquals(0, g.sources());
        List<Executable> readingAccessors = List.of(r::value, r::timeEnabled, r::timeRunning, r::isScaled,
                r::scaledValue, r::id, r::lost);
        for (Executable accessor : readingAccessors) {
            IllegalStateException e = assertThrows(IllegalStateException.class, accessor);
            assertEquals("nothing was read into this Reading yet", e.getMessage());
        }
        List<Executable> groupAccessors = List.of(() -> g.value(0), g::timeEnabled, g::timeRunning, g::isScaled,
                () -> g.scaledValue(0), () -> g.id(0), () -> g.lost(0));
        for (Executable accessor : groupAccessors) {
            IllegalStateException e = assertThrows(IllegalStateException.class, accessor);
            assertEquals("nothing was read into this GroupReading yet", e.getMessage());
        }
        assertEquals(2, g.size());
        assertEquals(PAGE_FAULTS, g.event(1));
    }

    // toString ----------------------------------------------------------------------------------------------------

    @Test
    void aReadingPrintsTheFieldsItRead() {
        assertEquals("Reading[unread]", new Reading().toString());
        assertEquals("Reading[value=5120, enabled=1000, running=1000]",
                read(TIMES, new Reading(), new Fd(5120, 1000, 1000, 0, 0)).toString(), "the documented example");
        assertEquals("Reading[value=100, enabled=1000, running=500, scaled=200]",
                read(TIMES, new Reading(), new Fd(100, 1000, 500, 0, 0)).toString());
        assertEquals("Reading[value=5, enabled=10, running=10, id=42, lost=3]",
                read(ALL, new Reading(), new Fd(5, 10, 10, 42, 3)).toString());
        assertEquals("Reading[value=15, enabled=20, running=15, scaled=25, lost=7, sources=2]",
                read(ALL, new Reading(), new Fd(10, 10, 5, 1, 3), new Fd(5, 10, 10, 2, 4)).toString(),
                "no id for a sum over fds");
        assertEquals("Reading[value=7]", read(Set.of(), new Reading(), new Fd(7, 0, 0, 0, 0)).toString());
        assertEquals("Reading[value=7, enabled=10]",
                read(EnumSet.of(ReadFormat.TOTAL_TIME_ENABLED), new Reading(), new Fd(7, 10, 0, 0, 0)).toString());
        assertEquals("Reading[value=7, running=4, id=9]",
                read(EnumSet.of(ReadFormat.TOTAL_TIME_RUNNING, ReadFormat.ID), new Reading(), new Fd(7, 0, 4, 9, 0))
                        .toString());
    }

    @Test
    void aGroupReadingPrintsEachMembersNameAndValueAndTheTimes() {
        assertEquals("GroupReading[unread]", newGroupReading().toString());
        assertEquals("GroupReading[task-clock=1200, page-faults=3, enabled=1000, running=1000]",
                read(TIMES, newGroupReading(), group(TIMES, 1000, 1000, new Fd(1200, 0, 0, 0, 0),
                        new Fd(3, 0, 0, 0, 0))).toString(), "the documented example");
        assertEquals("GroupReading[task-clock=1200, page-faults=3]", read(Set.of(), newGroupReading(),
                group(Set.of(), 0, 0, new Fd(1200, 0, 0, 0, 0), new Fd(3, 0, 0, 0, 0))).toString());
        assertEquals("GroupReading[task-clock=1, page-faults=2, running=5]",
                read(EnumSet.of(ReadFormat.TOTAL_TIME_RUNNING), newGroupReading(), group(
                        EnumSet.of(ReadFormat.TOTAL_TIME_RUNNING), 0, 5, new Fd(1, 0, 0, 0, 0), new Fd(2, 0, 0, 0, 0)))
                        .toString());
    }
}

package io.github.perfevent;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_TRACEPOINT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Fixtures;
import io.github.perfevent.sys.Tracefs;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link Group} against the real kernel: one {@code read(2)} for every member (counted with the
 * {@code syscalls:sys_enter_read} tracepoint), the group ioctls, ids, and per-CPU groups.
 */
class GroupTest {

    private static final Event PAGE_FAULTS = Event.Software.PAGE_FAULTS.event();
    private static final Event MINOR_FAULTS = Event.Software.PAGE_FAULTS_MIN.event();
    private static final Event CONTEXT_SWITCHES = Event.Software.CONTEXT_SWITCHES.event();
    private static final int PAGES = 500;

    /** Three events of the software PMU (a group of one PMU starts at once, see ENVIRONMENT.md). */
    private static Group threeSoftwareEvents(Target target, Options options) {
        return Group.open(List.of(PAGE_FAULTS, MINOR_FAULTS, CONTEXT_SWITCHES), target, options);
    }

    @Test
    void aGroupOfThreeSoftwareEventsIsReadWithOneReadSyscall() throws Exception {
        Tracefs tracefs = Tracefs.acquire();
        try (Group group = threeSoftwareEvents(Target.currentThread(), Options.defaults());
                Counter reads = Counter.open(Event.of(PERF_TYPE_TRACEPOINT(),
                        tracefs.eventId("syscalls", "sys_enter_read")))) {
            GroupReading reading = group.newReading();
            group.enable();
            Fixtures.touchFreshPages(PAGES);
            group.disable();
            reads.enable();
            group.read(reading);
            reads.disable();
            assertEquals(1, reads.read(), "read(2) calls made by this thread for one group read of 3 members");
            assertEquals(3, reading.size());
            assertTrue(reading.value(0) >= PAGES, "page-faults: " + reading);
            assertTrue(reading.value(1) >= PAGES, "minor-faults: " + reading);
            assertTrue(reading.value(0) >= reading.value(1), "every minor fault is a page fault: " + reading);
            assertEquals(List.of(PAGE_FAULTS, MINOR_FAULTS, CONTEXT_SWITCHES),
                    List.of(reading.event(0), reading.event(1), reading.event(2)));
            assertFalse(reading.isScaled(), "software events are not multiplexed: " + reading);
            assertEquals(reading.timeEnabled(), reading.timeRunning());
        } finally {
            tracefs.release();
        }
    }

    @Test
    void enableDisableAndResetActOnEveryMember() {
        try (Group group = threeSoftwareEvents(Target.currentThread(), Options.defaults())) {
            GroupReading reading = group.newReading();
            Fixtures.touchFreshPages(PAGES);
            group.read(reading);
            assertEquals(0, reading.value(0) + reading.value(1), "opened disabled: " + reading);
            group.enable();
            Fixtures.touchFreshPages(PAGES);
            group.disable();
            group.read(reading);
            long faults = reading.value(0);
            long minor = reading.value(1);
            assertTrue(faults >= PAGES && minor >= PAGES, "both members counted: " + reading);
            Fixtures.touchFreshPages(PAGES);
            group.read(reading);
            assertEquals(faults, reading.value(0), "disabled as a group");
            assertEquals(minor, reading.value(1), "disabled as a group");
            group.reset();
            group.read(reading);
            assertEquals(0, reading.value(0) + reading.value(1) + reading.value(2), "reset as a group: " + reading);
        }
    }

    @Test
    void memberIdsAreThoseOfPerfEventIocIdAndDistinct() {
        try (Group group = threeSoftwareEvents(Target.currentThread(),
                Options.defaults().readFormat(Set.of(ReadFormat.ID, ReadFormat.LOST)))) {
            GroupReading reading = group.read(group.newReading());
            for (int i = 0; i < 3; i++) {
                assertEquals(group.id(0, i), reading.id(i), "member " + i);
                assertEquals(0, reading.lost(i), "a counting event loses no samples");
            }
            assertEquals(3, Set.of(reading.id(0), reading.id(1), reading.id(2)).size());
            IllegalStateException noTimes = assertThrows(IllegalStateException.class, reading::timeEnabled);
            assertTrue(noTimes.getMessage().contains("TOTAL_TIME_ENABLED"), noTimes.getMessage());
        }
    }

    @Test
    void aGroupOnAllCpusHasOneGroupPerCpuAndSumsThem() throws Exception {
        List<Event> clocks = List.of(Event.Software.CPU_CLOCK.event(), CONTEXT_SWITCHES);
        try (Group group = Group.open(clocks, Target.allCpus())) {
            assertEquals(Target.onlineCpus().size(), group.sites());
            group.enable();
            Thread.sleep(20);
            group.disable();
            GroupReading all = group.read(group.newReading());
            GroupReading one = group.newReading();
            long sum = 0;
            for (int site = 0; site < group.sites(); site++) {
                long clock = group.read(site, one).value(0);
                assertTrue(clock > 0, "cpu-clock runs on " + group.label(site));
                sum += clock;
            }
            assertEquals(sum, all.value(0), "the sum over CPUs");
            assertEquals(group.sites(), all.sources());
            assertThrows(IllegalStateException.class, () -> all.id(0), "ids differ per CPU");
        }
    }

    @Test
    void misuseIsRefusedWithAReason() {
        try (Group group = threeSoftwareEvents(Target.currentThread(), Options.defaults())) {
            GroupReading unread = group.newReading();
            assertThrows(IllegalStateException.class, () -> unread.value(0));
            GroupReading twoMembers = new GroupReading(List.of(PAGE_FAULTS, MINOR_FAULTS));
            assertThrows(IllegalArgumentException.class, () -> group.read(twoMembers));
            group.close();
            group.close();
            assertThrows(IllegalStateException.class, () -> group.read(unread));
            assertThrows(IllegalStateException.class, group::enable);
            assertTrue(group.isClosed());
        }
    }

    @Test
    void counterAndGroupTakeEventsTargetOptionsInThatOrderAndNameANullArgument() {
        Target self = Target.currentThread();
        Options defaults = Options.defaults();
        List<Event> one = List.of(PAGE_FAULTS);
        assertEquals("events", assertThrows(NullPointerException.class, () -> Group.open(null, self, defaults))
                .getMessage());
        assertEquals("target", assertThrows(NullPointerException.class, () -> Group.open(one, null, defaults))
                .getMessage());
        assertEquals("options", assertThrows(NullPointerException.class, () -> Group.open(one, self, null))
                .getMessage());
        List<Event> withNull = Arrays.asList(PAGE_FAULTS, null);
        assertEquals("events[1]", assertThrows(NullPointerException.class, () -> Group.open(withNull)).getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Group.open(List.of()));
        assertTrue(empty.getMessage().contains("at least one event"), empty.getMessage());

        assertEquals("event", assertThrows(NullPointerException.class, () -> Counter.open(null, self, defaults))
                .getMessage());
        assertEquals("target", assertThrows(NullPointerException.class, () -> Counter.open(PAGE_FAULTS, null))
                .getMessage());
        assertEquals("options", assertThrows(NullPointerException.class,
                () -> Counter.open(PAGE_FAULTS, self, null)).getMessage());

        try (Counter counter = Counter.open(PAGE_FAULTS, self, defaults);
                Group group = Group.open(List.of(PAGE_FAULTS, MINOR_FAULTS), self, defaults)) {
            assertEquals(1, counter.sites(), "one fd on the calling thread");
            assertEquals(counter.sites(), group.sites(), "one group on the calling thread: the same count of sites");
            assertEquals(counter.label(0), group.label(0));
        }
    }

    /** Names of the read formats, for messages. */
    static String names(Set<ReadFormat> formats) {
        return formats.stream().map(Enum::name).sorted().collect(Collectors.joining("+", "{", "}"));
    }

    /** The {@code u64} at index {@code i} of a raw read buffer. */
    static long u64(java.lang.foreign.MemorySegment buffer, int i) {
        return buffer.get(JAVA_LONG, (long) i * Long.BYTES);
    }
}

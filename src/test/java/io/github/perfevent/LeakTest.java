package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Fixtures;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing leaks: 10,000 counters and 10,000 groups opened and closed leave the process's fds (perf and all) and its
 * native memory where they were; a failure half-way through opening a group closes what it had opened; a counter
 * closed while another thread reads it fails that thread's next read cleanly.
 *
 * <p>Native memory: the JVM's native memory tracking (on in the test JVM: {@code -XX:NativeMemoryTracking=summary})
 * files every {@code Arena} allocation under "Other" (checked first); its byte and allocation counts are the
 * library's native memory.
 */
class LeakTest {

    private static final int TIMES = 10_000;

    @BeforeAll
    static void arenaMemoryIsVisibleInNativeMemoryTracking() {
        NativeMemory before = NativeMemory.now();
        try (Arena arena = Arena.ofConfined()) {
            arena.allocate(1 << 20);
            assertTrue(NativeMemory.now().bytes() - before.bytes() >= 1 << 20,
                    "NMT files Arena allocations under Other: the leak checks below rely on it");
        }
        assertEquals(before, NativeMemory.now(), "and releases them at close");
    }

    @Test
    void tenThousandCountersAndGroupsLeaveNoFdAndNoNativeMemory() throws InterruptedException {
        Event faults = Event.Software.PAGE_FAULTS.event();
        Event clock = Event.Software.TASK_CLOCK.event();
        Event switches = Event.Software.CONTEXT_SWITCHES.event();
        Reading reading = new Reading();
        // One of each first: class initialization and thread-locals allocate once, and are not leaks.
        try (Counter c = Counter.open(faults); Group g = Group.open(List.of(faults))) {
            c.read(reading);
            g.read(g.newReading());
        }
        long fds = Fixtures.openFdCount();
        long perfFds = Fixtures.openPerfEventFdCount();
        NativeMemory memory = NativeMemory.settled();
        for (int i = 0; i < TIMES; i++) {
            try (Counter c = Counter.open(clock)) {
                c.enable();
                c.read(reading);
            }
        }
        for (int i = 0; i < TIMES; i++) {
            try (Group g = Group.open(List.of(faults, clock, switches))) {
                g.enable();
                g.read(g.newReading());
            }
        }
        assertEquals(perfFds, Fixtures.openPerfEventFdCount(), "perf fds");
        assertEquals(fds, Fixtures.openFdCount(), "all fds");
        NativeMemory after = NativeMemory.settled();
        // Other code may free native memory meanwhile (the errno buffers of ended threads go when the GC finds
        // them), never add to it: one allocation left behind per counter would be 20,000 more.
        assertTrue(after.allocations() <= memory.allocations() && after.bytes() <= memory.bytes(),
                "native memory (every Arena allocation): " + memory + " before, " + after + " after");
    }

    @Test
    void aGroupThatFailsHalfWayClosesWhatItOpened() throws InterruptedException {
        long perfFds = Fixtures.openPerfEventFdCount();
        PerfEventException e = assertThrows(PerfEventException.class, () -> Group.open(
                List.of(Event.Software.PAGE_FAULTS.event(), Event.Software.TASK_CLOCK.event(), Event.of(54321, 0))));
        assertTrue(e.call().contains("group_fd="), e.call());
        assertEquals(perfFds, Fixtures.openPerfEventFdCount(), "the leader and the second member were closed");
        NativeMemory memory = NativeMemory.settled();
        for (int i = 0; i < 1000; i++) {
            assertThrows(PerfEventException.class, () -> Counter.open(Event.of(54321, 0), Target.allCpus()));
        }
        assertEquals(perfFds, Fixtures.openPerfEventFdCount());
        // As above: other threads (the JIT, a mutation-testing agent) may free native memory meanwhile, never add
        // 1000 allocations; one left behind per failed open would be 1000 more.
        NativeMemory after = NativeMemory.settled();
        assertTrue(after.allocations() < memory.allocations() + 1000,
                "native memory after 1000 failed opens: " + memory + " before, " + after + " after");
    }

    @Test
    void closingWhileAnotherThreadReadsEndsItsReadsCleanly() throws Exception {
        for (int round = 0; round < 50; round++) {
            Counter counter = Counter.open(Event.Software.TASK_CLOCK.event(), Target.allCpus());
            counter.enable();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong reads = new AtomicLong();
            Thread reader = Thread.ofPlatform().start(() -> {
                Reading r = new Reading();
                try {
                    while (true) {
                        counter.read(r);
                        reads.incrementAndGet();
                    }
                } catch (IllegalStateException closed) {
                    // the end: the counter was closed between two reads
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            while (reads.get() == 0 && reader.isAlive()) {
                Thread.onSpinWait();
            }
            counter.close();
            List<Counter> reusers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                reusers.add(Counter.open(Event.Software.DUMMY.event())); // take the freed fd numbers
            }
            reader.join();
            reusers.forEach(Counter::close);
            assertEquals(null, failure.get(), "the reader saw only IllegalStateException after close");
        }
    }
}

package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.ChildProcess;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.ReadFormat;
import io.github.perfevent.Target;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@link Sampler#await} returns and when, and how the reorder window holds and releases records, with a
 * period-1 write breakpoint on this thread: exactly one sample per write, so that every expectation is exact.
 */
class SamplerWaitingTest {

    private static final long PROMPT = TimeUnit.SECONDS.toNanos(2);

    private interface Body {
        void run(Sampler sampler, MemorySegment variable);
    }

    private static void withBreakpoint(Sampling sampling, Options options, Body body) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment variable = arena.allocate(8, 8);
            try (Sampler sampler = Sampler.open(Event.breakpoint(variable.address(), 8, Event.Access.W),
                    Target.currentThread(), sampling, options)) {
                body.run(sampler, variable);
            }
        }
    }

    private static void write(MemorySegment variable, int times) {
        for (int i = 0; i < times; i++) {
            variable.set(ValueLayout.JAVA_LONG, 0, i);
        }
    }

    private static int count(Sampler sampler) {
        int n = 0;
        while (sampler.nextRecord() != null) {
            n++;
        }
        return n;
    }

    @Test
    void anAwaitWithNothingToReadTimesOutWithFalseAndAConsumedWakeupDoesNotWakeTwice() {
        withBreakpoint(Sampling.period(1), Options.defaults(), (sampler, variable) -> {
            sampler.enable();
            long start = System.nanoTime();
            assertFalse(sampler.await(Duration.ofMillis(50)), "nothing to read");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(45), "it waited for the timeout");
            sampler.wakeup();
            assertFalse(sampler.await(Duration.ofSeconds(20)), "a wake-up is not records");
            start = System.nanoTime();
            assertFalse(sampler.await(Duration.ofMillis(50)), "the wake-up was consumed");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(45), "it waited again");
        });
    }

    @Test
    void anAwaitReturnsTrueAtOnceWhenTheKernelWakesItForASample() {
        withBreakpoint(Sampling.period(1).wakeupEvents(1).ordered(false), Options.defaults(), (sampler, variable) -> {
            sampler.enable();
            write(variable, 1);
            long start = System.nanoTime();
            assertTrue(sampler.await(Duration.ofSeconds(20)), "a sample is ready");
            assertTrue(System.nanoTime() - start < PROMPT);
            assertEquals(1, count(sampler));
        });
    }

    @Test
    void heldRecordsAreDueAfterTheReorderWindowAndAnAwaitWaitsNoLonger() {
        withBreakpoint(Sampling.period(1).reorderWindow(Duration.ofMillis(200)), Options.defaults(),
                (sampler, variable) -> {
                    sampler.enable();
                    write(variable, 5);
                    assertNull(sampler.nextRecord(), "held for the reorder window");
                    long start = System.nanoTime();
                    int n = 0;
                    while (n < 5 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
                        assertTrue(sampler.await(Duration.ofSeconds(20)), "records are due, or the round is");
                        n += count(sampler);
                    }
                    long waited = System.nanoTime() - start;
                    assertEquals(5, n);
                    assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(200), "delivered before the window: "
                            + waited / 1000 + " µs");
                    assertTrue(waited < TimeUnit.MILLISECONDS.toNanos(200) + PROMPT, "waited " + waited / 1_000_000
                            + " ms for a 200 ms window");
                });
    }

    @Test
    void disablingReleasesHeldRecordsAtOnceWhateverTheWindow() {
        withBreakpoint(Sampling.period(1).reorderWindow(Duration.ofSeconds(10)), Options.defaults(),
                (sampler, variable) -> {
                    sampler.enable();
                    write(variable, 3);
                    assertNull(sampler.nextRecord(), "held for the 10 s window");
                    sampler.disable();
                    long start = System.nanoTime();
                    assertTrue(sampler.await(Duration.ofSeconds(20)), "held records are due after disable");
                    assertTrue(System.nanoTime() - start < PROMPT);
                    assertEquals(3, count(sampler));
                });
    }

    @Test
    void afterDisableAndEnableRecordsAreHeldForTheWindowAgain() {
        withBreakpoint(Sampling.period(1).reorderWindow(Duration.ofSeconds(10)), Options.defaults(),
                (sampler, variable) -> {
                    sampler.enable();
                    write(variable, 3);
                    sampler.disable();
                    assertEquals(3, count(sampler));
                    sampler.enable();
                    write(variable, 2);
                    assertNull(sampler.nextRecord(), "held again for the window after enable");
                    sampler.disable();
                    assertEquals(2, count(sampler));
                });
    }

    @Test
    void theEndOfTheTaskReleasesHeldRecordsAtOnceWhateverTheWindow() throws Exception {
        try (ChildProcess child = ChildProcess.prepare("/bin/true");
             Sampler sampler = Sampler.open(Event.parse("task-clock"), child.target(), Sampling.period(100_000)
                     .sideBand(SideBand.TASK).reorderWindow(Duration.ofSeconds(10)))) {
            child.start();
            long start = System.nanoTime();
            boolean exit = false;
            while (!sampler.isEnded() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30)) {
                sampler.await(Duration.ofSeconds(30));
                for (PerfRecord r = sampler.nextRecord(); r != null; r = sampler.nextRecord()) {
                    exit |= r instanceof PerfRecord.Exit;
                }
            }
            assertTrue(sampler.isEnded());
            assertTrue(exit, "the EXIT record was delivered");
            assertTrue(System.nanoTime() - start < PROMPT + TimeUnit.SECONDS.toNanos(1), "held for the window");
            assertEquals(0, child.waitFor());
        }
    }

    @Test
    void unorderedReadingGivesTheRoomBackSoThatASmallBufferLosesNothing() {
        withBreakpoint(Sampling.period(1).bufferPages(1).ordered(false), Options.defaults(), (sampler, variable) -> {
            sampler.enable();
            int n = 0;
            for (int round = 0; round < 40; round++) { // 2,000 samples through 4 KiB, 50 at a time
                write(variable, 50);
                n += count(sampler);
            }
            sampler.disable();
            assertEquals(2000, n + count(sampler));
            assertEquals(0, sampler.lost());
        });
    }

    @Test
    void theLostCountIsFoundWhateverElseTheReadFormatHas() {
        Options all = Options.defaults().readFormat(EnumSet.of(ReadFormat.TOTAL_TIME_ENABLED,
                ReadFormat.TOTAL_TIME_RUNNING, ReadFormat.ID, ReadFormat.LOST));
        withBreakpoint(Sampling.period(1).bufferPages(1).ordered(false), all, (sampler, variable) -> {
            sampler.enable();
            write(variable, 500);
            int kept = count(sampler);
            assertTrue(kept < 500, "nothing lost");
            write(variable, 5);
            sampler.disable();
            assertEquals(5, count(sampler) - 1, "the LOST record, then the 5 samples");
            assertEquals(500 - kept, sampler.lostByKernel());
            assertEquals(sampler.lost(), sampler.lostByKernel());
        });
    }

    @Test
    void overwriteModeResumesAfterASnapshot() {
        try (Sampler sampler = Sampler.open(Event.parse("task-clock"), Target.currentThread(),
                Sampling.period(20_000).overwrite(true).bufferPages(1))) {
            sampler.enable();
            io.github.perfevent.sys.Spin.cpu(10);
            assertTrue(sampler.snapshot() > 0);
            long first = 0;
            for (PerfRecord r = sampler.nextRecord(); r != null; r = sampler.nextRecord()) {
                first = Math.max(first, r.sampleId().time());
            }
            io.github.perfevent.sys.Spin.cpu(10);
            assertTrue(sampler.snapshot() > 0);
            long second = 0;
            for (PerfRecord r = sampler.nextRecord(); r != null; r = sampler.nextRecord()) {
                second = Math.max(second, r.sampleId().time());
            }
            sampler.disable();
            assertTrue(second > first + TimeUnit.MILLISECONDS.toNanos(5), "the kernel wrote on after the snapshot");
        }
    }

    @Test
    void aTimerPeriodOfExactlyTenMicrosecondsOrAHundredKilohertzIsAccepted() throws Exception {
        Event cpuClock = Event.parse("cpu-clock");
        try (Sampler sampler = Sampler.open(cpuClock, Target.currentThread(), Sampling.period(10_000))) {
            assertEquals(10_000, sampler.sampling().period());
        }
        assertThrows(IllegalArgumentException.class,
                () -> Sampler.open(cpuClock, Target.currentThread(), Sampling.period(9_999)));
        assertThrows(IllegalArgumentException.class,
                () -> Sampler.open(cpuClock, Target.currentThread(), Sampling.frequency(100_001)));
        try (Sampler sampler = Sampler.open(cpuClock, Target.currentThread(), Sampling.frequency(100_000))) {
            assertNotNull(sampler);
        } catch (PerfEventException aboveTheSysctl) {
            assertTrue(aboveTheSysctl.getMessage().contains("perf_event_max_sample_rate"), aboveTheSysctl.getMessage());
        }
        // the cpu_clock PMU (type from sysfs) is the same timer
        Path type = Path.of("/sys/bus/event_source/devices/cpu_clock/type");
        if (Files.isReadable(type)) {
            Event pmu = Event.of(Integer.parseInt(Files.readString(type).strip()), 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Sampler.open(pmu, Target.currentThread(), Sampling.period(1000)));
            assertTrue(e.getMessage().contains("10 µs"), e.getMessage());
        }
    }

    @Test
    void aStartedChildCannotBeSampledFromItsExecAndTheAccessorsSayWhatWasOpened() throws Exception {
        try (ChildProcess child = ChildProcess.prepare("/bin/true")) {
            child.start();
            assertThrows(IllegalStateException.class,
                    () -> Sampler.open(Event.parse("task-clock"), child.target(), Sampling.period(100_000)));
            child.waitFor();
        }
        Sampling sampling = Sampling.period(100_000).sample(SampleField.TID, SampleField.TIME);
        Event clock = Event.parse("task-clock");
        try (Sampler sampler = Sampler.open(clock, Target.currentThread(), sampling)) {
            assertEquals(List.of(clock), sampler.events());
            assertEquals(Target.currentThread().toString(), sampler.target().toString());
            assertEquals(sampling.sample(), sampler.format().sampleFields());
            assertTrue(sampler.format().sampleIdAll());
            assertEquals(sampler.format(), sampler.cursor().format());
        }
    }
}

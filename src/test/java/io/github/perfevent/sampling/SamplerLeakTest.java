package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.Event;
import io.github.perfevent.NativeMemory;
import io.github.perfevent.PrintSkipReason;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Fixtures;
import io.github.perfevent.sys.Tracefs;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nothing leaks: 2,000 samplers opened, enabled, mapped, read and closed — on the calling thread and on every CPU —
 * leave the process's fds (perf events, eventfds and all), its perf mappings in {@code /proc/self/maps} and its
 * native memory (the JVM's native memory tracking, on in the test JVM, files every {@code Arena} allocation under
 * "Other") where they were.
 */
@ExtendWith(PrintSkipReason.class)
class SamplerLeakTest {

    private static final int ON_THIS_THREAD = 1500;
    private static final int ON_EVERY_CPU = 500;

    /** The mappings of perf event fds in {@code /proc/self/maps}: ring buffers. */
    private static long perfMappings() throws IOException {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.endsWith("anon_inode:[perf_event]")).count();
        }
    }

    @Test
    void twoThousandSamplersOpenedReadAndClosedLeaveNoFdNoMappingAndNoNativeMemory() throws Exception {
        Assumptions.assumeTrue(Tracefs.isRoot(), "skipped: samplers on every CPU need root (or CAP_PERFMON)");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment variable = arena.allocate(8, 8);
            Event write = Event.breakpoint(variable.address(), 8, Event.Access.W);
            Event clock = Event.parse("cpu-clock");
            Sampling small = Sampling.period(1).bufferPages(1);
            // one of each first: class initialization is not a leak
            sampleWrites(write, small, variable);
            sampleEveryCpu(clock);
            long fds = Fixtures.openFdCount();
            long perfFds = Fixtures.openPerfEventFdCount();
            long mappings = perfMappings();
            NativeMemory memory = NativeMemory.settled();
            long start = System.nanoTime();
            for (int i = 0; i < ON_THIS_THREAD; i++) {
                sampleWrites(write, small, variable);
                if (i % 3 == 0) {
                    sampleEveryCpu(clock);
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("SamplerLeakTest: " + (ON_THIS_THREAD + ON_EVERY_CPU) + " samplers in " + millis + " ms");
            assertEquals(perfFds, Fixtures.openPerfEventFdCount(), "perf fds");
            assertEquals(fds, Fixtures.openFdCount(), "all fds (perf events and the eventfds of wake-ups)");
            assertEquals(mappings, perfMappings(), "ring buffer mappings in /proc/self/maps");
            NativeMemory after = NativeMemory.settled();
            Assumptions.assumeTrue(memory != null && after != null, "skipped (fds and mappings were checked): native "
                    + "memory tracking is off in this JVM; the build runs the tests with -XX:NativeMemoryTracking=summary");
            // Other code may free native memory meanwhile, never add to it: one allocation left behind per sampler
            // would be 2,000 more.
            assertTrue(after.allocations() <= memory.allocations() && after.bytes() <= memory.bytes(),
                    "native memory (every Arena allocation): " + memory + " before, " + after + " after");
        }
    }

    /** A breakpoint sampler on this thread that sees three writes and reads their three samples. */
    private static void sampleWrites(Event write, Sampling sampling, MemorySegment variable) {
        try (Sampler sampler = Sampler.open(write, Target.currentThread(), sampling)) {
            sampler.enable();
            for (int i = 0; i < 3; i++) {
                variable.set(ValueLayout.JAVA_LONG, 0, i);
            }
            sampler.disable();
            int samples = 0;
            for (PerfRecord r = sampler.nextRecord(); r != null; r = sampler.nextRecord()) {
                samples += r instanceof PerfRecord.Sample ? 1 : 0;
            }
            assertEquals(3, samples, "samples of three writes");
        }
    }

    /** A sampler on every CPU, enabled, drained and closed. */
    private static void sampleEveryCpu(Event clock) {
        try (Sampler sampler = Sampler.open(clock, Target.allCpus(), Sampling.period(100_000).bufferPages(1))) {
            assertTrue(sampler.buffers() >= 1, "one buffer per CPU");
            sampler.enable();
            sampler.disable();
            while (sampler.nextRecord() != null) {
                // drained: whatever the CPUs did meanwhile
            }
        }
    }
}

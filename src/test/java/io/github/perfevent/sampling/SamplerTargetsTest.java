package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.PrintSkipReason;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Spin;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.Tracefs;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link Sampler} on the targets {@code SamplerTest} leaves out — a whole process (every thread, one buffer per
 * CPU that all its threads' fds write into), one CPU, every CPU read unordered buffer after buffer, a cgroup — and
 * what a sampler refuses once closed or when asked for what its settings do not have.
 */
@ExtendWith(PrintSkipReason.class)
class SamplerTargetsTest {

    private static final Event TASK_CLOCK = Event.parse("task-clock");
    private static final Event CPU_CLOCK = Event.parse("cpu-clock");

    private static List<PerfRecord.Sample> samples(Sampler sampler) {
        List<PerfRecord.Sample> samples = new ArrayList<>();
        for (PerfRecord r = sampler.nextRecord(); r != null; r = sampler.nextRecord()) {
            if (r instanceof PerfRecord.Sample s) {
                samples.add(s);
            }
        }
        return samples;
    }

    @Test
    void aProcessIsSampledThreadByThreadIntoOneBufferPerCpuInTimeOrder() {
        long pid = ProcessHandle.current().pid();
        try (Sampler sampler = Sampler.open(TASK_CLOCK, Target.process(pid), Sampling.period(200_000))) {
            int cpus = OnlineCpus.list().size();
            assertEquals(cpus, sampler.buffers(), "one buffer per CPU");
            assertTrue(sampler.fds() >= 2 * cpus && sampler.fds() % cpus == 0,
                    "one fd per thread and CPU: " + sampler.fds());
            sampler.enable();
            Spin.cpu(30);
            sampler.disable();
            List<PerfRecord.Sample> samples = samples(sampler);
            int tid = Syscalls.gettid();
            assertTrue(samples.stream().filter(s -> s.sampleId().tid() == tid).count() >= 50,
                    "samples of the spinning thread: " + samples.size() + " in all");
            long previous = Long.MIN_VALUE;
            for (PerfRecord.Sample s : samples) {
                assertEquals(pid, s.sampleId().pid(), "a sample of another process");
                assertTrue(s.sampleId().time() >= previous, "time went backwards");
                previous = s.sampleId().time();
                assertEquals(0, sampler.eventIndex(s.sampleId().id()), "every thread's fd is the event's");
            }
            assertEquals(0, sampler.lateRecords());
        }
    }

    @Test
    void oneCpuIsSampledThereOnly() throws Exception {
        Assumptions.assumeTrue(Tracefs.isRoot(), "skipped: sampling a CPU needs root or CAP_PERFMON");
        int cpu = OnlineCpus.list().getLast();
        try (Sampler sampler = Sampler.open(CPU_CLOCK, Target.cpu(cpu), Sampling.period(100_000))) {
            assertEquals(1, sampler.buffers());
            sampler.enable();
            // cpu-clock's timer fires only while the CPU runs something (not in idle): keep every CPU busy
            busyEveryCpu(60);
            sampler.disable();
            List<PerfRecord.Sample> samples = samples(sampler);
            assertTrue(samples.size() >= 30, "samples: " + samples.size());
            assertTrue(samples.stream().allMatch(s -> s.sampleId().cpu() == cpu), "a sample of another CPU");
        }
    }

    @Test
    void everyCpuReadUnorderedGivesEachBuffersRecordsInPlace() throws Exception {
        Assumptions.assumeTrue(Tracefs.isRoot(), "skipped: sampling every CPU needs root or CAP_PERFMON");
        List<Integer> online = OnlineCpus.list();
        try (Sampler sampler = Sampler.open(CPU_CLOCK, Target.allCpus(), Sampling.period(100_000).ordered(false))) {
            assertEquals(online.size(), sampler.buffers());
            assertFalse(sampler.sampling().ordered());
            sampler.enable();
            busyEveryCpu(60); // the timer does not fire on an idle CPU
            sampler.disable();
            RecordCursor cursor = sampler.cursor();
            Set<Integer> cpus = new HashSet<>();
            int n = 0;
            while (sampler.next(cursor)) {
                if (cursor.type() == RecordType.SAMPLE.id()) {
                    cpus.add(cursor.cpu());
                    n++;
                }
            }
            assertEquals(new HashSet<>(online), cpus, "samples of every CPU");
            assertEquals(n, sampler.delivered());
        }
    }

    @Test
    void aCgroupIsSampledPerCpuAndOnlyItsTasksAppear() throws Exception {
        Assumptions.assumeTrue(Tracefs.isRoot(), "skipped: creating a cgroup and sampling per CPU need root");
        Path mount = Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 2 && f[2].equals("cgroup2")).map(f -> Path.of(f[1])).findFirst().orElse(null);
        Assumptions.assumeTrue(mount != null, "skipped: no cgroup2 mount in /proc/mounts");
        Path cgroup = mount.resolve("perf-event-sampler-test-" + ProcessHandle.current().pid());
        Files.createDirectory(cgroup);
        Process child = new ProcessBuilder("/bin/sh", "-c",
                "read go; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done").start();
        try {
            Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(child.pid()));
            try (Sampler sampler = Sampler.open(CPU_CLOCK, Target.cgroup(cgroup), Sampling.period(100_000))) {
                assertEquals(OnlineCpus.list().size(), sampler.buffers());
                sampler.enable();
                try (OutputStream in = child.getOutputStream()) {
                    in.write('\n');
                }
                Spin.cpu(20); // this JVM, outside the cgroup
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child's loop did not end");
                sampler.disable();
                List<PerfRecord.Sample> samples = samples(sampler);
                assertTrue(samples.size() >= 5, "samples: " + samples.size());
                assertTrue(samples.stream().allMatch(s -> s.sampleId().pid() == child.pid()),
                        "a sample of a task outside the cgroup");
            }
        } finally {
            child.destroyForcibly().waitFor();
            Files.delete(cgroup);
        }
    }

    @Test
    void aClosedSamplerRefusesEveryOperationAndSaysItIsClosed() {
        Sampler sampler = Sampler.open(TASK_CLOCK, Target.currentThread(), Sampling.period(1_000_000));
        String open = sampler.toString();
        assertEquals("Sampler[[task-clock] on " + Target.currentThread() + ", 1 buffer, "
                + Sampling.period(1_000_000) + "]", open);
        sampler.close();
        assertTrue(sampler.isClosed());
        assertEquals(open.substring(0, open.length() - 1) + ", closed]", sampler.toString());
        assertThrows(IllegalStateException.class, sampler::enable);
        assertThrows(IllegalStateException.class, sampler::disable);
        assertThrows(IllegalStateException.class, () -> sampler.pauseOutput(true));
        assertThrows(IllegalStateException.class, sampler::lostByKernel);
        assertThrows(IllegalStateException.class, sampler::nextRecord);
        assertThrows(IllegalStateException.class, () -> sampler.await(Duration.ZERO));
        sampler.wakeup(); // harmless after close
        sampler.close();
    }

    @Test
    void snapshotNeedsOverwriteModeAndLostByKernelNeedsTheLostFormat() {
        try (Sampler sampler = Sampler.open(TASK_CLOCK, Target.currentThread(), Sampling.period(1_000_000))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, sampler::snapshot);
            assertTrue(e.getMessage().contains("Sampling.overwrite(true)"), e.getMessage());
            e = assertThrows(IllegalStateException.class, sampler::lostByKernel);
            assertTrue(e.getMessage().contains("ReadFormat.LOST"), e.getMessage());
        }
        try (Sampler sampler = Sampler.open(TASK_CLOCK, Target.currentThread(),
                Sampling.period(1_000_000).overwrite(true), Options.defaults())) {
            sampler.close();
            assertThrows(IllegalStateException.class, sampler::snapshot);
        }
    }

    @Test
    void theSitesOfAThreadTargetWithInheritAreItsThreadOnEveryCpu() {
        try (Sampler sampler = Sampler.open(Event.parse("task-clock"), Target.currentThread(),
                Sampling.period(1_000_000), Options.defaults().inherit(true))) {
            assertEquals(Runtime.getRuntime().availableProcessors(), sampler.buffers(),
                    "an inherited event on cpu -1 cannot be mapped: one per CPU");
        }
    }

    /** Spins one thread per CPU for {@code millis} ms of wall time. */
    private static void busyEveryCpu(long millis) throws InterruptedException {
        int n = Runtime.getRuntime().availableProcessors();
        Thread[] spinners = new Thread[n];
        long end = System.nanoTime() + millis * 1_000_000;
        for (int i = 0; i < n; i++) {
            spinners[i] = Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
        }
        for (Thread t : spinners) {
            t.join();
        }
    }
}

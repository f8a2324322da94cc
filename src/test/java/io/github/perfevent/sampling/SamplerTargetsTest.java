package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.Event;
import io.github.perfevent.Programs;
import io.github.perfevent.Target;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The targets that are sampled per CPU: every thread of a running process, and whole CPUs. */
class SamplerTargetsTest {

    private static final int PAGES = 200;

    @Test
    void everyThreadOfARunningProcessIsSampledIntoOneBufferPerCpuUntilItExits() throws Exception {
        Path workload = Programs.compiled("workload", "-pthread");
        Process process = new ProcessBuilder(workload.toString(), "threads", "3", Integer.toString(PAGES)).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
            assertEquals("ready", out.readLine());
            int pid = (int) process.pid();
            Set<Integer> threads = new HashSet<>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
                tasks.forEach(t -> threads.add(Integer.parseInt(t.getFileName().toString())));
            }
            assertEquals(4, threads.size(), "main and three threads");
            try (Sampler sampler = Sampler.open(Event.parse("page-faults"), Target.process(pid),
                    Sampling.period(1).sample(SampleField.TID, SampleField.TIME, SampleField.CPU))) {
                int cpus = Runtime.getRuntime().availableProcessors();
                assertEquals(cpus, sampler.buffers(), "one buffer per CPU");
                assertEquals(4 * cpus, sampler.fds(), "one fd per thread and CPU");
                sampler.enable();
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write('\n');
                }
                assertTrue(process.waitFor(30, TimeUnit.SECONDS));
                Map<Integer, Integer> perThread = new HashMap<>();
                long previous = Long.MIN_VALUE;
                RecordCursor cursor = sampler.cursor();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!sampler.isEnded() && System.nanoTime() < deadline) {
                    sampler.await(Duration.ofMillis(50));
                    while (sampler.next(cursor)) {
                        if (cursor.type() == RecordType.SAMPLE.id()) {
                            assertEquals(pid, cursor.pid());
                            assertTrue(cursor.time() >= previous, "time went backwards");
                            previous = cursor.time();
                            perThread.merge(cursor.tid(), 1, Integer::sum);
                        }
                    }
                }
                assertTrue(sampler.isEnded(), "every thread's exit hung up its fds");
                assertEquals(0, sampler.lost());
                for (int tid : threads) {
                    if (tid != pid) {
                        assertTrue(perThread.getOrDefault(tid, 0) >= PAGES, "thread " + tid + " touched " + PAGES
                                + " pages: " + perThread.get(tid) + " samples");
                    }
                }
            }
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void everyCpuIsSampledWithWhateverRunsThere() {
        try (Sampler sampler = Sampler.open(Event.parse("cpu-clock"), Target.allCpus(), Sampling.period(1_000_000))) {
            int cpus = Runtime.getRuntime().availableProcessors();
            assertEquals(cpus, sampler.buffers());
            sampler.enable();
            io.github.perfevent.sys.Spin.cpu(20);
            sampler.disable();
            Set<Integer> seenCpus = new HashSet<>();
            RecordCursor cursor = sampler.cursor();
            int samples = 0;
            while (sampler.next(cursor)) {
                if (cursor.type() == RecordType.SAMPLE.id()) {
                    seenCpus.add(cursor.cpu());
                    samples++;
                }
            }
            // cpu-clock fires on every CPU whether busy or idle: each CPU's buffer has samples of its own CPU
            assertEquals(cpus, seenCpus.size(), "samples from every CPU: " + seenCpus);
            assertTrue(samples >= 20 * cpus / 2, "samples: " + samples);
        }
    }

    @Test
    void theSitesOfAThreadTargetWithInheritAreItsThreadOnEveryCpu() {
        try (Sampler sampler = Sampler.open(Event.parse("task-clock"), Target.currentThread(),
                Sampling.period(1_000_000), io.github.perfevent.Options.defaults().inherit(true))) {
            assertEquals(Runtime.getRuntime().availableProcessors(), sampler.buffers(),
                    "an inherited event on cpu -1 cannot be mapped: one per CPU");
        }
    }
}

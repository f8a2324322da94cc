package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Fixtures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets other than this JVM's threads, on a gcc-compiled workload: every thread of another process, one thread of
 * it, one CPU, and a cgroup-v2 directory (with this JVM's own work excluded).
 */
class TargetTest {

    private static final Event PAGE_FAULTS = Event.Software.PAGE_FAULTS.event();
    private static final int PAGES = 400;

    private static Path workload;

    @BeforeAll
    static void compileTheWorkload() {
        workload = Programs.compiled("workload", "-pthread");
    }

    /** A running workload that has printed "ready" and waits for a line on its stdin. */
    private record Waiting(Process process, OutputStream stdin) implements AutoCloseable {
        static Waiting start(String... arguments) throws IOException {
            List<String> command = new ArrayList<>(List.of(workload.toString()));
            command.addAll(List.of(arguments));
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertEquals("ready", line, "the workload started");
            return new Waiting(p, p.getOutputStream());
        }

        int pid() {
            return (int) process.pid();
        }

        void go() throws Exception {
            stdin.write('\n');
            stdin.flush();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the workload finished");
            assertEquals(0, process.exitValue());
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void everyThreadOfAnotherProcessHasItsFdAndTheirSumIsTheProcesss() throws Exception {
        try (Waiting threads = Waiting.start("threads", "3", Integer.toString(PAGES))) {
            List<String> tids = tasks(threads.pid());
            assertEquals(4, tids.size(), "main and three threads");
            assertEquals(Integer.toString(threads.pid()), tids.get(0), "the main thread comes first");
            try (Counter faults = Counter.open(PAGE_FAULTS, Target.process(threads.pid()));
                    Counter firstWorker = Counter.open(PAGE_FAULTS, Target.tid(Integer.parseInt(tids.get(1))))) {
                assertEquals(tids.stream().map(t -> "tid " + t).toList(),
                        List.of(faults.label(0), faults.label(1), faults.label(2), faults.label(3)));
                faults.enable();
                firstWorker.enable();
                threads.go();
                Reading all = faults.read(new Reading());
                long sum = 0;
                Reading one = new Reading();
                for (int i = 0; i < faults.sites(); i++) {
                    long each = faults.read(i, one).value();
                    sum += each;
                    if (i > 0) {
                        assertTrue(each >= PAGES, faults.label(i) + " touched " + PAGES + " pages: " + each);
                    }
                }
                assertEquals(sum, all.value());
                assertEquals(4, all.sources());
                long worker = firstWorker.read();
                assertTrue(worker >= PAGES && worker < 2 * PAGES, "one worker thread alone: " + worker);
            }
        }
    }

    @Test
    void threadsThatEndBetweenListingAndOpeningAreLeftOut() throws Exception {
        try (Waiting churn = Waiting.start("churn", "4", "0")) {
            int opened = 0;
            for (int i = 0; i < 300; i++) {
                try (Counter clock = Counter.open(Event.Software.TASK_CLOCK.event(), Target.process(churn.pid()))) {
                    assertTrue(clock.sites() >= 1, "the main thread at least");
                    assertEquals("tid " + churn.pid(), clock.label(0), "the main thread is listed first");
                    opened++;
                }
            }
            assertEquals(300, opened, "no open failed with ESRCH for a thread that had just ended");
            for (int i = 0; i < 100; i++) {
                try (Group group = Group.open(
                        List.of(Event.Software.TASK_CLOCK.event(), Event.Software.CPU_CLOCK.event()),
                        Target.process(churn.pid()))) {
                    assertEquals("tid " + churn.pid(), group.label(0));
                    GroupReading r = group.read(group.newReading());
                    assertEquals(group.sites(), r.sources(), "only the groups that opened are read");
                }
            }
        }
    }

    @Test
    void aProcessThatDoesNotExistIsEsrch() {
        int pid = Fixtures.nonexistentPid();
        PerfEventException e = assertThrows(PerfEventException.class, () -> Counter.open(PAGE_FAULTS, Target.process(pid)));
        assertEquals(Errno.ESRCH, e.errno());
        assertTrue(e.hint().contains(Integer.toString(pid)), e.getMessage());
    }

    @Test
    void oneCpuCountsWhatRunsThereOnly() throws Exception {
        List<Integer> cpus = Target.onlineCpus();
        try (Counter clock = Counter.open(Event.Software.CPU_CLOCK.event(), Target.cpu(cpus.get(0)))) {
            assertEquals(1, clock.sites());
            assertEquals("cpu " + cpus.get(0), clock.label(0));
            clock.enable();
            Thread.sleep(20);
            clock.disable();
            Reading r = clock.read(new Reading());
            assertTrue(r.value() > 0 && r.value() <= r.timeEnabled() + 1_000_000,
                    "cpu-clock of one CPU ticks at most at wall-clock speed: " + r);
        }
        assertThrows(IllegalArgumentException.class, () -> Target.cpu(-1));
    }

    @Test
    void aCgroupCountsItsTasksAndNotThisJvm() throws Exception {
        Optional<Path> mount = cgroup2Mount();
        Assumptions.assumeTrue(mount.isPresent(), "skipped: no cgroup2 mount in /proc/mounts");
        Path cgroup = mount.get().resolve("perf-event-java-test-" + ProcessHandle.current().pid());
        Files.createDirectory(cgroup);
        try (Waiting waiting = Waiting.start("wait", Integer.toString(PAGES))) {
            Files.writeString(cgroup.resolve("cgroup.procs"), Integer.toString(waiting.pid()));
            try (Counter faults = Counter.open(PAGE_FAULTS, Target.cgroup(cgroup))) {
                assertEquals(Target.onlineCpus().size(), faults.sites(), "a cgroup is counted per CPU");
                faults.enable();
                Fixtures.touchFreshPages(5 * PAGES); // this JVM, outside the cgroup
                waiting.go();
                faults.disable();
                long counted = faults.read();
                assertTrue(counted >= PAGES && counted < 2 * PAGES,
                        "the cgroup's task faulted " + PAGES + " times, this JVM " + 5 * PAGES + ": " + counted);
            }
        } finally {
            Files.delete(cgroup);
        }
    }

    @Test
    void aDirectoryThatIsNotACgroupIsRefused(@TempDir Path work) throws Exception {
        Assumptions.assumeTrue(cgroup2Mount().isPresent(), "skipped: no cgroup2 mount in /proc/mounts");
        PerfEventException e = assertThrows(PerfEventException.class,
                () -> Counter.open(PAGE_FAULTS, Target.cgroup(work)));
        assertEquals(Errno.EBADF, e.errno(), "the kernel's answer for an fd that is not a cgroup-v2 directory");
        assertTrue(e.hint().contains("not a cgroup-v2 directory"), e.getMessage());
        assertTrue(e.call().contains("cgroup_fd="), e.call());
        Optional<String> v1 = Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 3 && f[2].equals("cgroup") && !f[3].contains("perf_event")).map(f -> f[1])
                .findFirst();
        if (v1.isPresent()) {
            PerfEventException wrongHierarchy = assertThrows(PerfEventException.class,
                    () -> Counter.open(PAGE_FAULTS, Target.cgroup(Path.of(v1.get()))));
            assertEquals(Errno.ENOENT, wrongHierarchy.errno(), "a cgroup-v1 hierarchy without perf_event: " + v1.get());
            assertTrue(wrongHierarchy.hint().contains("without the perf_event controller"), wrongHierarchy.getMessage());
        }
        PerfEventException missing = assertThrows(PerfEventException.class,
                () -> Counter.open(PAGE_FAULTS, Target.cgroup(work.resolve("missing"))));
        assertEquals(Errno.ENOENT, missing.errno());
    }

    private static Optional<Path> cgroup2Mount() throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 2 && f[2].equals("cgroup2")).map(f -> Path.of(f[1])).findFirst();
    }

    private static List<String> tasks(int pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
            return s.map(p -> p.getFileName().toString())
                    .sorted(Comparator.comparing((String t) -> !t.equals(Integer.toString(pid)))
                            .thenComparingInt(Integer::parseInt))
                    .toList();
        }
    }
}

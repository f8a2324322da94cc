package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Fixtures;
import io.github.perfevent.sys.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The hints of {@link PerfEventException} that need another process or thread, each produced by a real failing
 * call: unprivileged ones in a child JVM that drops to uid 65534 (perf_event_paranoid is never touched), EPERM from a
 * real seccomp filter on a throwaway thread, EMFILE in a child JVM under {@code ulimit -n}. The failures this JVM
 * can produce as root are in {@link OpenErrorsTest}.
 */
class ErrorsTest {

    private static final Event TASK_CLOCK = Event.Software.TASK_CLOCK.event();
    @Test
    void anUnprivilegedUserIsToldTheParanoidLevelWhatItForbidsAndWhatLiftsIt() throws Exception {
        int paranoid = Fixtures.sysctl("kernel/perf_event_paranoid");
        Assumptions.assumeTrue(paranoid >= 2, "skipped: perf_event_paranoid is " + paranoid
                + "; the test needs the default 2 (it never changes it)");
        String cgroup2 = Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 2 && f[2].equals("cgroup2")).map(f -> f[1]).findFirst().orElse("");
        Map<String, String[]> r = ChildJvm.run(List.of(), ErrorScenarios.class, "unprivileged", Long.toString(ProcessHandle.current().pid()),
                cgroup2);
        assertEquals("ok", r.get("user-only")[1], "counting itself in user space is allowed: " + String.join("|", r.get("user-only")));
        List<String> refusals = new ArrayList<>(List.of("kernel-counting", "cpu-wide", "root-process", "msr"));
        if (!cgroup2.isEmpty()) {
            refusals.add("cgroup");
        }
        for (String refused : refusals) {
            String[] f = r.get(refused);
            assertTrue(f != null, refused + " was attempted: " + r.keySet());
            assertEquals(Integer.toString(Errno.EACCES), f[1], refused + ": " + f[2]);
            String message = f[2];
            assertTrue(message.contains(": EACCES (Permission denied). "), message);
            assertTrue(message.contains("kernel.perf_event_paranoid is " + paranoid), message);
            assertTrue(message.contains("CAP_PERFMON"), message);
            assertTrue(message.contains("seccomp"), message);
        }
        assertTrue(r.get("kernel-counting")[2].contains("Options.excludeKernel(true)"), r.get("kernel-counting")[2]);
        assertTrue(r.get("cpu-wide")[2].contains("counting a whole CPU"), r.get("cpu-wide")[2]);
        assertTrue(r.get("root-process")[2].contains("belongs to uid 0 and this process runs as uid 65534"),
                r.get("root-process")[2]);
        assertTrue(r.get("msr")[2].contains("as msr cannot"), r.get("msr")[2]);
        if (!cgroup2.isEmpty()) {
            assertTrue(r.get("cgroup")[2].contains("counting a whole CPU (pid=-1 or a cgroup"), r.get("cgroup")[2]);
            assertTrue(r.get("cgroup")[2].contains("cgroup_fd="), r.get("cgroup")[2]);
        }
    }

    @Test
    void aSeccompFilterThatRefusesTheCallIsNamedForEperm() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread filtered = Thread.ofPlatform().start(() -> { // the filter stays with this thread, which then ends
            Libc.refusePerfEventOpenWithEperm();
            try (Counter c = Counter.open(TASK_CLOCK)) {
                thrown.set(new AssertionError("opened despite the filter: " + c));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        filtered.join();
        PerfEventException e = assertInstanceOf(PerfEventException.class, thrown.get());
        assertEquals(Errno.EPERM, e.errno());
        assertTrue(e.hint().contains("a filter that refuses perf_event_open answers EPERM"), e.getMessage());
        assertTrue(e.hint().contains("kernel.perf_event_paranoid is "), e.getMessage());
        try (Counter c = Counter.open(TASK_CLOCK)) {
            assertEquals(0, c.read(), "this thread has no filter");
        }
    }

    @Test
    void runningOutOfFdsNamesTheLimit() throws Exception {
        Map<String, String[]> r = ChildJvm.run(List.of("sh", "-c", "ulimit -n 96 && exec \"$@\"", "sh"), ErrorScenarios.class, "emfile");
        String[] f = r.get("emfile");
        assertEquals(Integer.toString(Errno.EMFILE), f[1], String.join("|", f));
        assertTrue(f[2].contains("soft limit 96, hard limit 96"), f[2]);
        assertTrue(f[2].contains("ulimit -n"), f[2]);
    }
}

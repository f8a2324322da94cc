package io.github.perfevent.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.ChildJvm;
import io.github.perfevent.PrintSkipReason;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.Tracefs;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the kernel refuses an unprivileged user who samples, and the hints the sampler gives, seen from a child JVM
 * at uid 65534 (the test never lowers {@code perf_event_paranoid}): RAW samples of a tracepoint (EPERM) and a
 * buffer over {@code perf_event_mlock_kb} (EPERM), each next to a control that the kernel accepts.
 */
@ExtendWith(PrintSkipReason.class)
class UnprivilegedSamplingTest {

    private static Map<String, String[]> results;
    private static int paranoid;

    @BeforeAll
    static void runTheScenariosAtUid65534() throws Exception {
        Assumptions.assumeTrue(Tracefs.isRoot(), "skipped: dropping to uid 65534 needs root");
        paranoid = Integer.parseInt(sysctl("perf_event_paranoid"));
        Assumptions.assumeTrue(paranoid >= 2, "skipped: perf_event_paranoid is " + paranoid
                + "; the test needs at least the default 2 (it never changes it)");
        Tracefs tracefs = Tracefs.acquire();
        long id;
        long syscallId;
        try {
            syscallId = tracefs.eventId("syscalls", "sys_enter_getppid");
            // sched_switch is not one of the tracepoints open to every user (TRACE_EVENT_FL_CAP_ANY: the syscalls)
            id = tracefs.eventId("sched", "sched_switch");
        } finally {
            tracefs.release();
        }
        results = ChildJvm.run(List.of("sh", "-c", "ulimit -l 64 && exec \"$@\"", "sh"), SamplingErrorScenarios.class,
                Long.toString(id), Long.toString(syscallId));
    }

    private static String sysctl(String name) throws Exception {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/kernel", name))) {
            return r.readLine().strip();
        }
    }

    private static String[] result(String name) {
        String[] r = results.get(name);
        assertNotNull(r, name + " was not attempted: " + results.keySet());
        return r;
    }

    /**
     * What the kernel really does with RAW unprivileged (Linux 6.18, paranoid 2): it checks RAW only for
     * tracepoints ({@code perf_trace_event_perm}), lets every user have the RAW payload of the tracepoints marked
     * {@code TRACE_EVENT_FL_CAP_ANY} (the syscalls ones) on their own tasks, and refuses it for the others with
     * EPERM ({@code perf_allow_tracepoint}), not EACCES. A software event with RAW opens (it has no payload).
     */
    @Test
    void rawSamplesOfARestrictedTracepointAreEpermWhileTheSameTracepointWithoutRawOpens() {
        assertEquals("ok", result("tracepoint")[1], "the same tracepoint without RAW opens: "
                + String.join("|", result("tracepoint")));
        assertEquals("ok", result("syscall-tracepoint-raw")[1], "RAW of a syscalls tracepoint is open to every "
                + "user: " + String.join("|", result("syscall-tracepoint-raw")));
        assertEquals("ok", result("software-raw")[1], "RAW is checked for tracepoints only: "
                + String.join("|", result("software-raw")));
        String[] raw = result("tracepoint-raw");
        assertEquals(Integer.toString(Errno.EPERM), raw[1], String.join("|", raw));
    }

    @Test
    void rawSamplesRefusedByTheKernelGetTheHintAboutRaw() {
        String[] raw = result("tracepoint-raw");
        String message = raw[2];
        assertTrue(message.contains("RAW samples"), message);
        assertTrue(message.contains("CAP_PERFMON"), message);
        assertTrue(message.contains("perf_event_paranoid -1 (it is " + paranoid + ")"), message);
        assertTrue(message.contains("SampleField.RAW"), message);
    }

    /**
     * The child runs with {@code RLIMIT_MEMLOCK} at 64 KiB: the kernel lets a user lock
     * {@code perf_event_mlock_kb} per CPU for buffers and charges the rest to {@code RLIMIT_MEMLOCK}, so with the
     * common 8 MiB limit a 2048-page buffer still fits on a machine of two CPUs (seen here).
     */
    @Test
    void aBufferOverPerfEventMlockKbIsEpermWithTheSysctlNamed() throws Exception {
        String[] control = result("small-buffer");
        assertEquals("ok", control[1], "one data page opens: " + String.join("|", control));
        long mlockKb = Long.parseLong(sysctl("perf_event_mlock_kb"));
        long bufferKb = 2049L * Syscalls.pageSize() / 1024;
        // perf_mmap: a user may lock perf_event_mlock_kb per online CPU, then RLIMIT_MEMLOCK (64 KiB in the child)
        int cpus = OnlineCpus.list().size();
        long allowedKb = mlockKb * cpus + 64;
        String[] big = result("big-buffer");
        Assumptions.assumeTrue(bufferKb > allowedKb, () -> "skipped: perf_event_mlock_kb " + mlockKb + " KiB per "
                + "CPU on " + cpus + " CPUs lets this user lock a buffer of 2048 pages");
        assertEquals(Integer.toString(Errno.EPERM), big[1], String.join("|", big));
        String message = big[2];
        assertTrue(message.contains("kernel.perf_event_mlock_kb (" + mlockKb + " KiB) for each online CPU"), message);
        assertTrue(message.contains("RLIMIT_MEMLOCK"), message);
        assertTrue(message.contains("2048 pages"), message);
        assertTrue(message.contains("mmap("), message);
    }
}

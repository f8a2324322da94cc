package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Fixtures;
import io.github.perfevent.sys.Libc;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every hint of {@link PerfEventException}, each produced by a real failing call: unprivileged ones in a child JVM
 * that drops to uid 65534 (perf_event_paranoid is never touched), EMFILE in a child JVM under {@code ulimit -n}, the
 * rest in this JVM.
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
        assertTrue(r.get("root-process")[2].contains("belongs to another user"), r.get("root-process")[2]);
        assertTrue(r.get("msr")[2].contains("as msr cannot"), r.get("msr")[2]);
        if (!cgroup2.isEmpty()) {
            assertTrue(r.get("cgroup")[2].contains("counting a cgroup is counting whole CPUs"), r.get("cgroup")[2]);
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
        assertTrue(e.hint().contains("the seccomp profile may refuse perf_event_open itself with EPERM"), e.getMessage());
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

    @Test
    void aHardwareEventInAVmSaysThereIsNoHardwarePmu() {
        Assumptions.assumeFalse(EventCatalog.hasHardwarePmu(), "skipped: this machine has a hardware PMU");
        PerfEventException e = assertThrows(PerfEventException.class,
                () -> Counter.open(Event.Hardware.CPU_CYCLES.event()));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.hint().contains("no hardware PMU"), e.getMessage());
        assertTrue(e.call().startsWith("perf_event_open(cpu-cycles, pid=0, cpu=-1"), e.call());
        assertEquals(e.call() + ": ENOENT (No such file or directory). " + e.hint(), e.getMessage());
    }

    @Test
    void aPmuTypeTheKernelDoesNotHaveIsEnoent() {
        PerfEventException e = assertThrows(PerfEventException.class, () -> Counter.open(Event.of(54321, 0)));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.hint().contains("type 54321"), e.getMessage());
    }

    @Test
    void aFieldThisKernelDoesNotKnowIsE2bigWithTheKernelsSize() {
        long kernelSize;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = perf_event_attr.allocate(arena);
            perf_event_attr.size(attr, 1);
            assertEquals(-Errno.E2BIG, Syscalls.perfEventOpen(attr, 0, -1, -1, 0));
            kernelSize = perf_event_attr.size(attr); // the kernel writes its own size back
        }
        Assumptions.assumeTrue(kernelSize < perf_event_attr.config4$offset() + 8,
                "skipped: this kernel knows config4 (its attr is " + kernelSize + " bytes)");
        PerfEventException e = assertThrows(PerfEventException.class,
                () -> Counter.open(TASK_CLOCK.withConfig4(1)));
        assertEquals(Errno.E2BIG, e.errno());
        assertTrue(e.hint().contains("this kernel's struct perf_event_attr is " + kernelSize + " bytes"), e.getMessage());
        assertTrue(e.hint().contains("config4 (offset " + perf_event_attr.config4$offset() + ")"), e.getMessage());
    }

    @Test
    void invalidAttrFieldsAreNamed() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(8, 8);
            assertInvalid(Event.breakpoint(word.address(), 8, Event.Access.R), Options.defaults(), "bp_type R");
            assertInvalid(Event.breakpoint(word.address() + 1, 4, Event.Access.W), Options.defaults(), "not aligned");
        }
        assertInvalid(TASK_CLOCK, Options.defaults().clockId(99), "clockid 99");
        assertInvalid(TASK_CLOCK, Options.defaults().inheritThread(true), "inherit_thread without inherit");
        if (java.nio.file.Files.isDirectory(Pmu.DEVICES.resolve("msr"))) {
            assertInvalid(Event.parse("msr/tsc/"), Options.defaults().excludeKernel(true), "msr is one");
        }
    }

    private static void assertInvalid(Event event, Options options, String suspect) {
        PerfEventException e = assertThrows(PerfEventException.class,
                () -> Counter.open(event, Target.currentThread(), options));
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        assertTrue(e.hint().contains(suspect), e.getMessage());
    }

    @Test
    void aFifthBreakpointFindsNoSlot() {
        List<Counter> open = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment words = arena.allocate(8 * 5, 8);
            PerfEventException e = null;
            for (int i = 0; i < 5 && e == null; i++) {
                try {
                    open.add(Counter.open(Event.breakpoint(words.address() + 8L * i, 8, Event.Access.W)));
                } catch (PerfEventException failure) {
                    e = failure;
                }
            }
            assertEquals(4, open.size(), "x86 has four debug registers");
            assertTrue(e != null && e.errno() == Errno.ENOSPC, String.valueOf(e));
            assertTrue(e.hint().contains("hardware breakpoint slot"), e.getMessage());
        } finally {
            open.forEach(Counter::close);
        }
    }

    @Test
    void aThreadThatDoesNotExistIsEsrch() {
        int tid = Fixtures.nonexistentPid();
        PerfEventException e = assertThrows(PerfEventException.class, () -> Counter.open(TASK_CLOCK, Target.tid(tid)));
        assertEquals(Errno.ESRCH, e.errno());
        assertTrue(e.hint().contains("there is no task " + tid), e.getMessage());
    }

    @Test
    void kernelFailuresOfEventNamesCarryTheirErrnoToo() {
        PerfEventException e = assertThrows(PerfEventException.class, () -> Event.uprobe(Path.of("/nonexistent"), "f"));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals(0, perf_event_attr_bits.disabled(MemorySegment.ofArray(new long[32])), "sanity");
    }
}

package io.github.perfevent;

import static io.github.perfevent.Failures.assertFails;
import static io.github.perfevent.Failures.assertMentions;
import static io.github.perfevent.Failures.assertWellFormed;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_SOFTWARE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_TRACEPOINT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Fixtures;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code perf_event_open} failure the safe layer can run into as root on this machine, made for real: each
 * test asserts the errno the kernel gave, the call and the message format ({@code <call>: <ERRNAME> (<strerror>).
 * <hint>}), and the facts in the hint, which the test reads from the same sources the hint should (sysfs, the
 * kernel's own attr size, {@code /proc/mounts}). The unprivileged errors are in {@link UnprivilegedErrorsTest}, the
 * fd limit in {@link FdLimitTest}.
 */
class OpenErrorsTest {

    private static final Path PMUS = Path.of("/sys/bus/event_source/devices");
    private static final Event TASK_CLOCK = Event.Software.TASK_CLOCK.event();
    private static final Options USER_ONLY = Options.defaults().excludeKernel(true);

    /** sysfs PMU directory name → its type. */
    private static Map<String, Integer> sysfsPmus() throws IOException {
        Map<String, Integer> pmus = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(PMUS)) {
            for (Path dir : dirs.toList()) {
                try (BufferedReader reader = Files.newBufferedReader(dir.resolve("type"))) {
                    pmus.put(dir.getFileName().toString(), Integer.parseInt(reader.readLine().trim()));
                }
            }
        }
        return pmus;
    }

    private static void assertListsEveryPmu(String hint) throws IOException {
        for (var pmu : sysfsPmus().entrySet()) {
            assertMentions(hint, pmu.getKey() + " (type " + pmu.getValue() + ")");
        }
    }

    // ENOENT ------------------------------------------------------------------------------------------------------

    @Test
    void aHardwareEventWithoutAHardwarePmuIsEnoentAndTheHintSaysSoFromSysfs() throws IOException {
        List<String> corePmus = List.of("cpu", "cpu_core", "cpu_atom", "armv8_pmuv3", "armv8_pmuv3_0");
        Assumptions.assumeTrue(corePmus.stream().noneMatch(p -> Files.isDirectory(PMUS.resolve(p))),
                "this machine has a hardware PMU in " + PMUS + ", so cpu-cycles may open");
        for (Event event : List.of(Event.Hardware.CPU_CYCLES.event(),
                Event.cache(Event.Cache.L1D, Event.CacheOp.READ, Event.CacheResult.MISS), Event.raw(0x1a8))) {
            PerfEventException e = assertFails(Errno.ENOENT, () -> Counter.open(event));
            assertMentions(e.call(), "perf_event_open(" + event.name() + ", pid=0, cpu=-1, group_fd=-1");
            assertMentions(e.hint(), "no hardware PMU", PMUS + " has no cpu", "virtual machines",
                    "software events");
            assertListsEveryPmu(e.hint());
        }
    }

    @Test
    void aPmuTypeThatNoPmuHasIsEnoentAndTheHintListsThePmusOfSysfs() throws IOException {
        for (int type : List.of(1000, 1234567)) {
            assertFalse(sysfsPmus().containsValue(type), "no PMU of " + PMUS + " has type " + type);
            PerfEventException e = assertFails(Errno.ENOENT, () -> Counter.open(Event.of(type, 0)));
            assertMentions(e.call(), "perf_event_open(" + type + "/0x0/");
            assertMentions(e.hint(), "no PMU listed in " + PMUS + " has type " + type, "/<pmu>/type");
            assertListsEveryPmu(e.hint());
        }
    }

    @Test
    void anEventAPmuDoesNotHaveIsEnoentAndTheHintNamesThePmu() throws IOException {
        Assumptions.assumeTrue(Integer.valueOf(PERF_TYPE_SOFTWARE()).equals(sysfsPmus().get("software")),
                "sysfs lists no software PMU of type " + PERF_TYPE_SOFTWARE());
        PerfEventException e = assertFails(Errno.ENOENT,
                () -> Counter.open(Event.of(PERF_TYPE_SOFTWARE(), 1000), Target.currentThread(), USER_ONLY));
        assertMentions(e.hint(), "the software PMU (type 1) has no event with config 0x3e8");
    }

    // E2BIG -------------------------------------------------------------------------------------------------------

    @Test
    void config4BeyondTheKernelsAttrIsE2bigAndTheHintNamesTheKernelsSizeAndTheField() {
        int kernelSize;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = perf_event_attr.allocate(arena);
            perf_event_attr.type(attr, PERF_TYPE_SOFTWARE());
            perf_event_attr.size(attr, 1);
            perf_event_attr_bits.exclude_kernel(attr, 1);
            int fd = Syscalls.perfEventOpen(attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC());
            assertEquals(-Errno.E2BIG, fd, "attr.size 1 is refused, and the kernel writes its own size back");
            kernelSize = perf_event_attr.size(attr);
        }
        long config4 = perf_event_attr.config4$offset();
        Assumptions.assumeTrue(kernelSize <= config4, "this kernel's attr (" + kernelSize + " bytes) has config4");
        PerfEventException e = assertFails(Errno.E2BIG,
                () -> Counter.open(TASK_CLOCK.withConfig4(1), Target.currentThread(), USER_ONLY));
        assertMentions(e.hint(), "this kernel's struct perf_event_attr is " + kernelSize + " bytes",
                "this library's is " + perf_event_attr.sizeof(), "config4 (offset " + config4 + ")");
    }

    // EINVAL ------------------------------------------------------------------------------------------------------

    @Test
    void breakpointsTheKernelRefusesAreEinvalAndTheHintNamesTheField() {
        requireX86();
        long address = 0x10000;
        assertMentions(assertFails(Errno.EINVAL, () -> Counter.open(Event.breakpoint(address, 8, Event.Access.R)))
                .hint(), "bp_type R", "use RW");
        assertMentions(assertFails(Errno.EINVAL, () -> Counter.open(Event.breakpoint(address + 2, 8,
                Event.Access.W))).hint(), "bp_addr 0x10002 is not aligned to bp_len 8");
        assertMentions(assertFails(Errno.EINVAL, () -> Counter.open(Event.breakpoint(address, 4, Event.Access.X)))
                .hint(), "an execute breakpoint needs bp_len 8, not 4");
        long kernel = 0xffffffff81000000L;
        assertMentions(assertFails(Errno.EINVAL, () -> Counter.open(Event.breakpoint(kernel, 8, Event.Access.W),
                Target.currentThread(), USER_ONLY)).hint(), "bp_addr 0xffffffff81000000 is a kernel address, and "
                        + "exclude_kernel is set");
    }

    @Test
    void optionsTheKernelRefusesAreEinvalAndTheHintNamesThem() throws Exception {
        assertMentions(assertFails(Errno.EINVAL, () -> Counter.open(TASK_CLOCK, Target.currentThread(),
                USER_ONLY.clockId(2))).hint(), "likely: clockid 2 (the kernel takes");
        assertMentions(assertFails(Errno.EINVAL, () -> Counter.open(TASK_CLOCK, Target.currentThread(),
                USER_ONLY.inheritThread(true))).hint(), "inherit_thread without inherit");
        try (ChildProcess child = ChildProcess.prepare("/bin/true")) {
            assertMentions(assertFails(Errno.EINVAL, () -> Counter.open(TASK_CLOCK, child.target(),
                    USER_ONLY.removeOnExec(true))).hint(), "remove_on_exec with enable_on_exec", "ChildProcess");
        }
        PerfEventException offline = assertFails(Errno.EINVAL, () -> Counter.open(TASK_CLOCK, Target.cpu(1000)));
        assertMentions(offline.hint(), "cpu 1000 is not online (online: " + Target.onlineCpus() + ")");
    }

    @Test
    void anExcludeBitOnAPmuThatCountsEveryModeIsEinvalAndTheHintNamesBitAndPmu() throws IOException {
        Integer msr = sysfsPmus().get("msr");
        Assumptions.assumeTrue(msr != null, "this machine has no msr PMU in " + PMUS);
        try (Counter tsc = Counter.open(Event.of(msr, 0))) {
            assertTrue(tsc.sites() == 1, "msr event 0 (tsc) opens without exclude bits");
        }
        PerfEventException e = assertFails(Errno.EINVAL, () -> Counter.open(Event.of(msr, 0), Target.currentThread(),
                USER_ONLY));
        assertMentions(e.hint(), "exclude_kernel: the msr PMU");
    }

    @Test
    void aTracepointIdThatDoesNotExistIsEinvalNotEnoent() {
        // ftrace event ids are 16-bit: no tracepoint has this one.
        PerfEventException e = assertFails(Errno.EINVAL, () -> Counter.open(Event.of(PERF_TYPE_TRACEPOINT(), 999999),
                Target.currentThread(), USER_ONLY));
        assertMentions(e.hint(), "config 999999 may not be a tracepoint id", "events/<subsystem>/<name>/id");
    }

    @Test
    void pinnedAndExclusivePinOnlyTheLeaderSoSuchAGroupOpens() {
        Options pinned = USER_ONLY.pinned(true).exclusive(true);
        try (Group group = Group.open(List.of(TASK_CLOCK, Event.Software.PAGE_FAULTS.event()),
                Target.currentThread(), pinned)) {
            assertEquals(2, group.events().size(), "members are opened without pinned/exclusive, which the kernel "
                    + "allows on a leader only");
        }
    }

    // ENOSPC ------------------------------------------------------------------------------------------------------

    @Test
    void aFifthBreakpointIsEnospcAndTheHintSaysTheDebugRegistersAreTaken() {
        requireX86();
        List<Counter> opened = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment words = arena.allocate(8 * 8, 8);
            for (int i = 0; i < 4; i++) {
                opened.add(Counter.open(Event.breakpoint(words.address() + 8L * i, 8, Event.Access.W)));
            }
            PerfEventException e = assertFails(Errno.ENOSPC,
                    () -> Counter.open(Event.breakpoint(words.address() + 32, 8, Event.Access.W)));
            assertMentions(e.hint(), "every hardware breakpoint slot is taken", "4 debug registers",
                    "close another breakpoint counter");
        } finally {
            opened.forEach(Counter::close);
        }
        try (Counter again = Counter.open(Event.breakpoint(0x10000, 8, Event.Access.W))) {
            assertEquals(1, again.sites(), "closing them freed the slots");
        }
    }

    // ESRCH -------------------------------------------------------------------------------------------------------

    @Test
    void aTidThatDoesNotExistIsEsrchAndTheHintNamesIt() {
        int tid = Fixtures.nonexistentPid();
        PerfEventException e = assertFails(Errno.ESRCH, () -> Counter.open(TASK_CLOCK, Target.tid(tid), USER_ONLY));
        assertMentions(e.call(), "pid=" + tid);
        assertMentions(e.hint(), "there is no task " + tid, "/proc/" + tid);
        PerfEventException process = assertFails(Errno.ESRCH, () -> Counter.open(TASK_CLOCK, Target.process(tid)));
        assertMentions(process.hint(), "there is no process " + tid);
    }

    // EBADF -------------------------------------------------------------------------------------------------------

    @Test
    void aCgroupTargetThatIsADirectoryButNotACgroup2DirectoryIsEbadfAndTheHintNamesThePathAndTheMount(
            @TempDir Path dir) throws IOException {
        String mount = ErrorHints.cgroup2Mount();
        PerfEventException e = assertFails(Errno.EBADF, () -> Counter.open(TASK_CLOCK, Target.cgroup(dir)));
        assertMentions(e.call(), "flags=0xc", "cpu=0");
        assertMentions(e.hint(), "is the fd of " + dir.toRealPath() + ", which is not a cgroup-v2 directory",
                mount == null ? "no cgroup2 is mounted" : "mounted at " + mount);
        assertEquals(mountFromProcMounts(), mount);
    }

    // ENOTDIR -----------------------------------------------------------------------------------------------------

    @Test
    void aCgroupTargetThatIsAFileOrAFifoIsEnotdirFromTheOpenAtOnce(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-cgroup"), "x");
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo " + fifo);
        for (Path notDirectory : List.of(file, fifo)) {
            // A plain open of a FIFO waits for a writer for ever: O_DIRECTORY refuses it at once.
            PerfEventException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertFails(Errno.ENOTDIR,
                    () -> Counter.open(TASK_CLOCK, Target.cgroup(notDirectory))));
            assertMentions(e.call(), "open(" + notDirectory + ", O_DIRECTORY)");
            assertMentions(e.hint(), notDirectory + " is not a directory", "cgroup-v2 directory");
        }
    }

    private static String mountFromProcMounts() throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f[2].equals("cgroup2")).map(f -> f[1]).findFirst().orElse(null);
    }

    @Test
    void anFdClosedBehindTheCountersBackIsEbadfOnEveryCallAndOnClose() {
        List<Counter> lower = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            lower.add(Counter.open(TASK_CLOCK, Target.currentThread(), USER_ONLY));
        }
        Counter victim = Counter.open(TASK_CLOCK, Target.currentThread(), USER_ONLY);
        lower.forEach(Counter::close); // freed numbers below the victim's: new fds of other threads take those
        int fd = victim.fd(0);
        assertEquals(0, Syscalls.close(fd));
        PerfEventException read = assertThrows(PerfEventException.class, victim::read);
        assertEquals(Errno.EBADF, read.errno());
        assertWellFormed(read.errno(), read.errnoName(), read.call(), read.hint(), read.getMessage());
        assertMentions(read.call(), "read(" + fd + ")");
        assertMentions(read.hint(), "fd " + fd + " is not open", "behind the counter's back");
        PerfEventException enable = assertThrows(PerfEventException.class, victim::enable);
        assertEquals(Errno.EBADF, enable.errno());
        assertMentions(enable.call(), "PERF_EVENT_IOC_ENABLE on fd " + fd);
        assertMentions(enable.hint(), "fd " + fd + " is not open");
        PerfEventException close = assertThrows(PerfEventException.class, victim::close);
        assertEquals(Errno.EBADF, close.errno());
        assertWellFormed(close.errno(), close.errnoName(), close.call(), close.hint(), close.getMessage());
        assertTrue(victim.isClosed(), "a failed close still closes the counter");
        victim.close(); // idempotent, no second close(2)
    }

    private static void requireX86() {
        String arch = System.getProperty("os.arch");
        Assumptions.assumeTrue(arch.equals("amd64") || arch.equals("x86_64"),
                "the breakpoint rules asserted here (no read-only watch, 4 debug registers) are x86's; this is "
                        + arch);
    }
}

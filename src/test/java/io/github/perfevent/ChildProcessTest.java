package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Gcc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ChildProcess}: a command counted from its {@code exec} (compared with what {@code perf stat} counts for
 * the same command), with and without {@code inherit} for a command that forks, its exit status, and its lifecycle.
 */
class ChildProcessTest {

    private static final Event PAGE_FAULTS = Event.Software.PAGE_FAULTS.event();
    private static final Event TASK_CLOCK = Event.Software.TASK_CLOCK.event();

    private static Path workload;

    @BeforeAll
    static void compileTheWorkload() {
        workload = Programs.compiled("workload", "-pthread");
    }

    @Test
    void binTrueCountsWhatPerfStatCountsAndNothingOfTheJvm() throws Exception {
        String noPerf = PerfTool.unavailableReason();
        Assumptions.assumeTrue(noPerf == null, () -> "skipped: " + noPerf);
        Gcc.Result perf = Gcc.run(List.of("perf", "stat", "-x,", "-e", "page-faults,task-clock", "--", "/bin/true"),
                null, null);
        Assumptions.assumeTrue(perf.exitCode() == 0, () -> "skipped: perf stat does not run here: " + perf.stderr());
        long perfFaults = perfStat(perf.stderr(), "page-faults");

        long faults;
        long clock;
        try (ChildProcess child = ChildProcess.prepare("/bin/true");
                Group group = Group.open(List.of(PAGE_FAULTS, TASK_CLOCK), child.target())) {
            assertEquals(0, child.run());
            GroupReading r = group.read(group.newReading());
            faults = r.value(0);
            clock = r.value(1);
        }
        assertTrue(faults > perfFaults / 2 && faults < perfFaults * 2 + 20,
                "page faults of /bin/true: " + faults + " here, " + perfFaults + " by perf stat");
        assertTrue(clock > 0 && clock < 50_000_000, "task-clock of /bin/true alone: " + clock + " ns");
    }

    @Test
    void aCounterOnAChildThatNeverExecsCountsNothing() throws Exception {
        Counter counter;
        try (ChildProcess child = ChildProcess.prepare("/bin/true")) {
            counter = Counter.open(PAGE_FAULTS, child.target());
            Thread.sleep(20);
            assertEquals(0, counter.read(), "stopped before exec: enable_on_exec has not fired");
        }
        try (counter) {
            assertEquals(0, counter.read(), "killed before exec: still nothing");
        }
    }

    @Test
    void inheritAddsTheChildrenACommandForks() throws Exception {
        int children = 4;
        int pages = 500;
        long inherited = forkedFaults(Options.defaults().inherit(true), children, pages);
        long parentOnly = forkedFaults(Options.defaults(), children, pages);
        assertTrue(inherited >= (long) children * pages, "with inherit, the children's faults: " + inherited);
        assertTrue(parentOnly < pages, "without inherit, only the parent (which touches nothing itself): " + parentOnly);
        assertTrue(inherited - parentOnly >= (long) children * pages, inherited + " vs " + parentOnly);
    }

    @Test
    void aGroupWithInheritSumsTheForkedChildrenInItsOneRead() throws Exception {
        int children = 3;
        int pages = 500;
        try (ChildProcess child = ChildProcess.prepare(workload.toString(), "fork", Integer.toString(children),
                        Integer.toString(pages));
                Group group = Group.open(List.of(PAGE_FAULTS, Event.Software.PAGE_FAULTS_MIN.event()),
                        child.target(), Options.defaults().inherit(true))) {
            assertEquals(0, child.run());
            GroupReading r = group.read(group.newReading());
            assertTrue(r.value(0) >= (long) children * pages && r.value(1) >= (long) children * pages,
                    "inherit with PERF_FORMAT_GROUP works on this kernel and counts the children: " + r);
        }
    }

    private static long forkedFaults(Options options, int children, int pages) throws Exception {
        try (ChildProcess child = ChildProcess.prepare(workload.toString(), "fork", Integer.toString(children),
                        Integer.toString(pages));
                Counter faults = Counter.open(PAGE_FAULTS, child.target(), options)) {
            assertEquals(0, child.run());
            return faults.read();
        }
    }

    @Test
    void theExitStatusIsTheCommandsOr128PlusTheSignal() throws Exception {
        assertEquals(3, run("sh", "-c", "exit 3"));
        assertEquals(128 + 9, run("sh", "-c", "kill -9 $$"));
    }

    @Test
    void aCommandThatCannotBeRunFailsPrepareAsProcessBuilderStartFails(@TempDir Path work) throws Exception {
        Path notExecutable = Files.writeString(work.resolve("data.txt"), "not a program\n");
        Path noSuchFile = work.resolve("absent");
        Map<List<String>, String> reasons = Map.of(
                List.of("no-such-command-perf-event-java", "arg"), "not found on PATH",
                List.of(noSuchFile.toString()), "No such file",
                List.of(work.toString()), "Is a directory",
                List.of(notExecutable.toString()), "Permission denied");
        Set<Path> channelsBefore = channelDirectories();
        Set<ProcessHandle> childrenBefore = ProcessHandle.current().children().collect(Collectors.toSet());
        for (Map.Entry<List<String>, String> reason : reasons.entrySet()) {
            List<String> command = reason.getKey();
            assertThrows(IOException.class, () -> new ProcessBuilder(command).start(), "ProcessBuilder refuses "
                    + command + " too");
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> ChildProcess.prepare(command.toArray(String[]::new)), command.toString());
            String message = e.getCause().getMessage();
            assertTrue(message.startsWith("Cannot run program \"" + command.get(0) + "\": ")
                    && message.contains(reason.getValue()), message);
        }
        UncheckedIOException inDirectory = assertThrows(UncheckedIOException.class, () -> ChildProcess.prepare(
                new ProcessBuilder("./absent").directory(work.toFile())));
        assertTrue(inDirectory.getCause().getMessage().contains("(in directory \"" + work + "\")"),
                inDirectory.getMessage());
        assertEquals(childrenBefore, ProcessHandle.current().children().collect(Collectors.toSet()),
                "every shell that reported was reaped");
        assertEquals(channelsBefore, channelDirectories(), "every private FIFO directory was removed");
    }

    @Test
    void anExecThatStillFailsAfterTheCheckKeepsTheShellsStatus127(@TempDir Path work) throws Exception {
        Path script = Files.writeString(work.resolve("script"), "#!/no/such/interpreter\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ChildProcess child = ChildProcess.prepare(new ProcessBuilder(script.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD));
                Counter faults = Counter.open(PAGE_FAULTS, child.target())) {
            assertEquals(127, child.run(), "execve fails with ENOENT for the missing interpreter");
            assertEquals(0, faults.read(), "no exec happened, so enable_on_exec never fired");
        }
    }

    @Test
    void runningTwiceIsRefusedWithAMessageAboutThatMistake() throws Exception {
        try (ChildProcess child = ChildProcess.prepare("/bin/true")) {
            assertEquals(0, child.run());
            IllegalStateException again = assertThrows(IllegalStateException.class, child::run);
            assertTrue(again.getMessage().contains("already called") && again.getMessage().contains("runs its command "
                    + "once"), again.getMessage());
        }
    }

    @Test
    void theCommandGetsOnlyTheStandardStreamsAndThePrivateFifosAreGoneOnceItWaits(@TempDir Path work)
            throws Exception {
        Path out = work.resolve("fds.txt");
        Set<Path> channelsBefore = channelDirectories();
        try (ChildProcess child = ChildProcess.prepare(new ProcessBuilder("sh", "-c", "ls /proc/$$/fd; true")
                .redirectOutput(out.toFile()))) {
            assertEquals(channelsBefore, channelDirectories(), "the FIFOs are unlinked once the shell has them open");
            assertEquals(0, child.run());
        }
        assertEquals(List.of("0", "1", "2"), Files.readAllLines(out), "no descriptor of the handshake is left");
    }

    @Test
    void aClosedChildCannotBeStartedOrCounted() {
        ChildProcess child = ChildProcess.prepare("/bin/true");
        child.close();
        assertThrows(IllegalStateException.class, child::start);
        IllegalStateException counted = assertThrows(IllegalStateException.class,
                () -> Counter.open(PAGE_FAULTS, child.target()));
        assertTrue(counted.getMessage().contains("closed"), counted.getMessage());
    }

    /**
     * A JVM that prepared a command and ended without {@code close()}, by {@code kill -9} (also in a session of its
     * own, as {@code setsid} makes it) or by returning from {@code main}, run as {@code out=$(java ...)}: within 5 s
     * its shell must be gone without having run the command, and have released the JVM's standard output, so that
     * the command substitution returns.
     */
    @ParameterizedTest(name = "{0}, setsid {1}")
    @CsvSource({"wait, false", "wait, true", "return, false"})
    void aShellWhoseJvmEndedWithoutCloseExitsWithoutRunningTheCommand(String how, boolean setsid,
            @TempDir Path work) throws Exception {
        Path marker = work.resolve("marker");
        Path pids = work.resolve("pids");
        List<String> command = new ArrayList<>(List.of("sh", "-c", "out=$(\"$@\"); echo \"substituted|$out\"", "sh"));
        if (setsid) {
            command.add("setsid");
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", "target/classes:target/test-classes",
                ChildProcessOrphan.class.getName(), how, marker.toString(), pids.toString()));
        Process outer = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int jvm = -1;
        int shell = -1;
        try {
            long started = System.nanoTime();
            while (!Files.exists(pids) && outer.isAlive() && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60)) {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(pids), "the child JVM prepared its command");
            String[] both = Files.readString(pids).strip().split(" ");
            jvm = Integer.parseInt(both[0]);
            shell = Integer.parseInt(both[1]);
            if (how.equals("wait")) {
                assertEquals(0, io.github.perfevent.sys.Syscalls.kill(jvm, io.github.perfevent.sys.Syscalls.SIGKILL));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Target.ended(jvm) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(Target.ended(jvm), "the child JVM ended");
            assertTrue(outer.waitFor(5, TimeUnit.SECONDS), "out=$(java ...) returned within 5 s of the JVM's end");
            assertTrue(Target.ended(shell), "the shell " + shell + " is gone (state " + Target.taskState(shell) + ")");
            assertEquals("substituted|", new String(outer.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .strip());
            assertFalse(Files.exists(marker), "the command never ran after its JVM had died");
        } finally {
            outer.destroyForcibly();
            for (int pid : new int[] {jvm, shell}) {
                if (pid > 0) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    @Test
    void prepareNeverWaitsForeverForTheShellsReport(@TempDir Path work) throws Exception {
        List<String> command = List.of("/bin/true");
        try (Fifo status = Fifo.create(work.resolve("status"))) {
            Process silent = new ProcessBuilder("true").start();
            IllegalStateException ended = assertThrows(IllegalStateException.class,
                    () -> ChildProcess.awaitAnswer(status, silent, command, TimeUnit.SECONDS.toNanos(30)));
            assertTrue(ended.getMessage().contains("exited with status 0 before running"), ended.getMessage());

            Process reportsLate = new ProcessBuilder("sh", "-c", "sleep 0.2; echo ready >\"$0\"",
                    status.path().toString()).start();
            assertEquals("ready", ChildProcess.awaitAnswer(status, reportsLate, command, TimeUnit.SECONDS.toNanos(30)),
                    "a report that takes several polls arrives before the deadline");
            reportsLate.waitFor();

            Process reportsThenEnds = new ProcessBuilder("sh", "-c", "echo ready >\"$0\"", status.path().toString())
                    .start();
            reportsThenEnds.waitFor();
            assertEquals("ready", ChildProcess.awaitAnswer(status, reportsThenEnds, command, 0),
                    "a report written just before the shell ended still counts");

            Process slow = new ProcessBuilder("sleep", "10").start();
            try {
                IllegalStateException late = assertThrows(IllegalStateException.class,
                        () -> ChildProcess.awaitAnswer(status, slow, command, TimeUnit.MILLISECONDS.toNanos(100)));
                assertTrue(late.getMessage().contains("did not report within 100 ms"), late.getMessage());
                Thread.currentThread().interrupt();
                IllegalStateException interrupted = assertThrows(IllegalStateException.class,
                        () -> ChildProcess.awaitAnswer(status, slow, command, TimeUnit.SECONDS.toNanos(30)));
                assertTrue(Thread.interrupted(), "the interrupt is kept");
                assertTrue(interrupted.getMessage().contains("interrupted"), interrupted.getMessage());
            } finally {
                slow.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void noDescriptorOfTheHandshakeIsLeftInThisJvmWhateverHappens(@TempDir Path work) throws Exception {
        Set<Path> channelsBefore = channelDirectories();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "perf-event-child-");
        try (ChildProcess child = ChildProcess.prepare("/bin/true")) {
            assertEquals(1, FifoTest.descriptorsOf(tmp).size(), "only the write end of the shell's FIFO, until start()");
            assertEquals(0, child.run());
            assertEquals(List.of(), FifoTest.descriptorsOf(tmp), "start() closes it");
        }
        ChildProcess.prepare("/bin/true").close();
        assertEquals(List.of(), FifoTest.descriptorsOf(tmp), "close() closes it");
        assertThrows(UncheckedIOException.class, () -> ChildProcess.prepare("no-such-command-perf-event-java"));
        assertEquals(List.of(), FifoTest.descriptorsOf(tmp), "a command that cannot run leaves none");
        UncheckedIOException noShell = assertThrows(UncheckedIOException.class, () -> ChildProcess.prepare(
                new ProcessBuilder("/bin/true").directory(work.resolve("absent").toFile())));
        assertTrue(noShell.getMessage().contains("cannot start /bin/sh"), noShell.getMessage());
        assertEquals(List.of(), FifoTest.descriptorsOf(tmp), "a shell that cannot start leaves none");
        assertEquals(channelsBefore, channelDirectories(), "and no directory");
    }

    /** The private directories of ChildProcess in the temporary directory. */
    private static Set<Path> channelDirectories() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("perf-event-child-"))
                    .collect(Collectors.toSet());
        }
    }

    private static int run(String... command) throws Exception {
        try (ChildProcess child = ChildProcess.prepare(new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD))) {
            return child.run();
        }
    }

    @Test
    void theBuildersDirectoryEnvironmentAndRedirectsAreKept(@TempDir Path work) throws Exception {
        Set<String> setByTheShell = Set.of("PATH", "PWD", "OLDPWD", "SHLVL", "IFS", "PS1", "PS2", "PS4", "OPTIND",
                "PPID", "_");
        String removed = System.getenv().keySet().stream().filter(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*"))
                .filter(k -> !setByTheShell.contains(k)).findFirst().orElse(null);
        Assumptions.assumeTrue(removed != null, "skipped: this JVM has no environment variable the shell leaves alone");
        Path out = work.resolve("out.txt");
        ProcessBuilder builder = new ProcessBuilder("sh", "-c",
                "echo \"$GREETING from $(pwd)${" + removed + "+, and " + removed + " is set}\"")
                .directory(work.toFile()).redirectOutput(out.toFile());
        builder.environment().put("GREETING", "hello");
        builder.environment().remove(removed);
        try (ChildProcess child = ChildProcess.prepare(builder)) {
            assertEquals(builder.command(), child.command());
            assertEquals(0, child.run());
        }
        assertEquals("hello from " + work.toRealPath(), Files.readString(out).strip(),
                "the builder's environment, without " + removed + " which this JVM has");
    }

    @Test
    void theLifecycleIsEnforcedAndCloseLeavesNoProcess() throws Exception {
        ChildProcess child = ChildProcess.prepare("/bin/true");
        int pid = child.pid();
        assertEquals("ChildProcess[pid " + pid + ", [/bin/true]]", child.toString());
        assertTrue(Files.exists(Path.of("/proc", Integer.toString(pid))), "waiting");
        assertThrows(IllegalStateException.class, child::waitFor, "never started: would wait for ever");
        Thread.currentThread().interrupt();
        child.close();
        assertTrue(Thread.interrupted(), "close() waits for the reaping through an interrupt, and keeps the interrupt");
        assertFalse(Files.exists(Path.of("/proc", Integer.toString(pid))), "killed and reaped by close()");
        child.close();

        try (ChildProcess started = ChildProcess.prepare("/bin/true")) {
            started.start();
            assertThrows(IllegalStateException.class, started::start);
            IllegalStateException late = assertThrows(IllegalStateException.class,
                    () -> Counter.open(PAGE_FAULTS, started.target()));
            assertTrue(late.getMessage().contains("before start()"), late.getMessage());
            assertEquals(0, started.waitFor());
        }
    }

    @Test
    void aChildKilledBeforeStartReportsItsDeath() throws Exception {
        try (ChildProcess child = ChildProcess.prepare("/bin/true");
                Counter faults = Counter.open(PAGE_FAULTS, child.target())) {
            assertEquals(0, io.github.perfevent.sys.Syscalls.kill(child.pid(), io.github.perfevent.sys.Syscalls.SIGKILL));
            assertEquals(128 + 9, child.process().waitFor(), "killed while waiting, and reaped");
            child.start(); // its pid may belong to another process now: start() only writes to the FIFO
            assertEquals(128 + 9, child.waitFor());
            assertEquals(0, faults.read(), "it never reached its exec");
        }
    }

    /** The value of {@code event} in {@code perf stat -x,} output ("48,,page-faults,..."). */
    private static long perfStat(String output, String event) {
        Matcher m = Pattern.compile("(?m)^([0-9.]+),[^,]*," + Pattern.quote(event) + ",").matcher(output);
        assertTrue(m.find(), "perf stat printed no " + event + ":\n" + output);
        return Math.round(Double.parseDouble(m.group(1)));
    }
}

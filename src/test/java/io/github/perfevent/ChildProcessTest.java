package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Gcc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertEquals(127, run("no-such-command-perf-event-java"), "the shell cannot find it");
        assertEquals(128 + 9, run("sh", "-c", "kill -9 $$"));
    }

    private static int run(String... command) throws Exception {
        try (ChildProcess child = ChildProcess.prepare(new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD))) {
            return child.run();
        }
    }

    @Test
    void theBuildersDirectoryEnvironmentAndRedirectsAreKept(@TempDir Path work) throws Exception {
        Path out = work.resolve("out.txt");
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", "echo \"$GREETING from $(pwd)\"")
                .directory(work.toFile()).redirectOutput(out.toFile());
        builder.environment().put("GREETING", "hello");
        try (ChildProcess child = ChildProcess.prepare(builder)) {
            assertEquals(List.of("sh", "-c", "echo \"$GREETING from $(pwd)\""), child.command());
            assertEquals(0, child.run());
        }
        assertEquals("hello from " + work.toRealPath(), Files.readString(out).strip());
    }

    @Test
    void theLifecycleIsEnforcedAndCloseLeavesNoProcess() throws Exception {
        ChildProcess child = ChildProcess.prepare("/bin/true");
        int pid = child.pid();
        assertTrue(Files.exists(Path.of("/proc", Integer.toString(pid))), "stopped, waiting");
        assertThrows(IllegalStateException.class, child::waitFor, "never started: would wait for ever");
        child.close();
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
    void aChildKilledBeforeStartIsNotSignalledAgainAndReportsItsDeath() throws Exception {
        try (ChildProcess child = ChildProcess.prepare("/bin/true");
                Counter faults = Counter.open(PAGE_FAULTS, child.target())) {
            assertEquals(0, io.github.perfevent.sys.Syscalls.kill(child.pid(), io.github.perfevent.sys.Syscalls.SIGKILL));
            assertEquals(128 + 9, child.process().waitFor(), "killed while stopped, and reaped");
            child.start(); // its pid may belong to another process now: nothing is sent
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

package io.github.perfevent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Gcc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stat}, run in this JVM through {@link Main#run}, counting real commands on the real kernel. */
class StatCommandTest {

    private static final Pattern JSON_LINE = Pattern.compile("\\{\"counter-value\" : \"([^\"]*)\", \"unit\" : \"([^\"]*)\", "
            + "\"event\" : \"([^\"]*)\", (?:\"variance\" : ([0-9.]+), )?\"event-runtime\" : (\\d+), \"pcnt-running\" : "
            + "([0-9.]+), \"metric-value\" : (-?[0-9.]+), \"metric-unit\" : \"([^\"]*)\"}");

    /** cli_target spinning for {@code ms} of CPU time, with no pipe to this JVM (nothing left open after it). */
    private static Process spin(String ms) throws IOException {
        return new ProcessBuilder(Cli.target(), "spin", ms).redirectInput(new java.io.File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    @Test
    void binTrueGetsPerfsReportWithTheDefaultEvents() {
        Cli.Result r = Cli.run("stat", "--", "/bin/true");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().startsWith("\n Performance counter stats for '/bin/true':\n\n"), r.err());
        for (String event : StatSettings.defaultEvents(false)) {
            Cli.line(r.err(), event);
        }
        assertTrue(Cli.line(r.err(), "task-clock").matches(" +[0-9.]+ msec task-clock +# +[0-9.]+ CPUs utilized +"),
                r.err());
        assertTrue(Cli.count(r.err(), "page-faults") > 10, r.err());
        assertTrue(r.err().contains(" seconds time elapsed\n\n"), r.err());
        assertTrue(r.err().matches("(?s).*\n +[0-9]+\\.[0-9]{9} seconds user\n +[0-9]+\\.[0-9]{9} seconds sys\n\n\n$"),
                r.err());
    }

    @Test
    void pageFaultsOfACommandTouchingFreshPagesAreAtLeastThePagesAndCloseToPerfs() throws IOException {
        int pages = 3000;
        String program = Cli.target();
        Cli.Result r = Cli.run("stat", "-e", "task-clock,page-faults,context-switches", "--", program, "pages",
                String.valueOf(pages));
        assertEquals(0, r.status(), r.err());
        double ours = Cli.count(r.err(), "page-faults");
        assertTrue(ours >= pages, r.err());
        String reason = Cli.perfUnavailable();
        Assumptions.assumeTrue(reason == null, () -> "skipped the comparison with perf: " + reason);
        Gcc.Result perf = Gcc.run(List.of("perf", "stat", "-x,", "-e", "page-faults", "--", program, "pages",
                String.valueOf(pages)), null, null);
        assertEquals(0, perf.exitCode(), perf.stderr());
        double theirs = Double.parseDouble(perf.stderr().lines().filter(l -> l.contains(",page-faults,"))
                .findFirst().orElseThrow().split(",")[0]);
        // Both count the same program from its exec: the tolerance is the loader's own variation (a few pages).
        assertTrue(Math.abs(ours - theirs) <= 10, "ours " + ours + ", perf " + theirs);
    }

    @Test
    void exitStatusIsTheCommandsOwn() {
        assertEquals(3, Cli.run("stat", "-e", "page-faults", "--", Cli.target(), "exit", "3").status());
        assertEquals(0, Cli.run("stat", "-e", "page-faults", "--", Cli.target(), "exit", "0").status());
    }

    @Test
    void aCommandKilledBySigkillGives137() {
        Cli.Result r = Cli.run("stat", "-e", "page-faults", "--", Cli.target(), "kill", "9");
        assertEquals(137, r.status(), r.err());
        assertTrue(Cli.count(r.err(), "page-faults") > 0, r.err());
    }

    @Test
    void aMissingCommandGives127BeforeCounting() {
        Cli.Result r = Cli.run("stat", "--", "/nonexistent/command");
        assertEquals(127, r.status());
        assertTrue(r.err().contains("Cannot run program \"/nonexistent/command\": No such file"), r.err());
        assertFalse(r.err().contains("Performance counter stats"), r.err());
        assertEquals(127, Cli.run("stat", "--", "no-such-command-on-path-xyz").status());
    }

    @Test
    void aFileThatIsNotExecutableGives126BeforeCounting(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("script"), "#!/bin/sh\nexit 0\n");
        Cli.Result r = Cli.run("stat", "--", file.toString());
        assertEquals(126, r.status(), r.err());
        assertTrue(r.err().contains("Permission denied"), r.err());
        assertFalse(r.err().contains("Performance counter stats"), r.err());
        assertEquals(126, Cli.run("stat", "--", dir.toString()).status());
    }

    @Test
    void anUnknownEventPrintsPerfsFirstLineAndTheNearestNames() {
        Cli.Result r = Cli.run("stat", "-e", "task-clok", "--", "/bin/true");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("event syntax error: 'task-clok'\n"), r.err());
        assertTrue(r.err().contains("Did you mean task-clock?"), r.err());
        assertTrue(r.err().contains("perf-event list"), r.err());
    }

    @Test
    void unknownOptionsAndContradictionsGiveTheUsageLineAndStatus1() {
        for (String[] args : List.of(new String[] {"stat", "--bogus", "--", "/bin/true"},
                new String[] {"stat", "-Q"}, new String[] {"stat"}, new String[] {"stat", "-x,", "-j", "true"},
                new String[] {"stat", "-r", "x", "true"}, new String[] {"stat", "-p", "1", "-a"},
                new String[] {"stat", "-I", "5", "true"}, new String[] {"stat", "-e"})) {
            Cli.Result r = Cli.run(args);
            assertEquals(1, r.status(), String.join(" ", args));
            assertTrue(r.err().contains("Usage: perf-event stat"), r.err());
        }
        assertTrue(Cli.run("stat", "--bogus").err().contains("unknown option `bogus'"));
    }

    @Test
    void helpDescribesEachOptionAndExits0() {
        Cli.Result r = Cli.run("stat", "--help");
        assertEquals(0, r.status());
        for (String option : List.of("--event", "--pid", "--tid", "--all-cpus", "--cpu", "--cgroup", "--repeat",
                "--field-separator", "--json", "--output", "--timeout", "--interval-print")) {
            assertTrue(r.out().contains(option), option);
        }
        assertEquals(0, Cli.run("list", "--help").status());
        assertEquals(0, Cli.run("--help").status());
        assertEquals(1, Cli.run().status());
        assertEquals(1, Cli.run("bogus").status());
    }

    @Test
    void csvHasPerfsColumnsInPerfsOrder() throws IOException {
        Cli.Result r = Cli.run("stat", "-x,", "-e", "task-clock,page-faults,cycles", "--", "/bin/true");
        assertEquals(0, r.status(), r.err());
        List<String[]> ours = r.err().lines().map(l -> l.split(",", -1)).toList();
        assertEquals(3, ours.size(), r.err());
        assertEquals(List.of("msec", "task-clock", "100.00", "CPUs utilized"),
                List.of(ours.get(0)[1], ours.get(0)[2], ours.get(0)[4], ours.get(0)[6]));
        assertEquals("<not supported>", ours.get(2)[0]);
        String reason = Cli.perfUnavailable();
        Assumptions.assumeTrue(reason == null, () -> "skipped the comparison with perf: " + reason);
        Gcc.Result perf = Gcc.run(List.of("perf", "stat", "-x,", "-e", "task-clock,page-faults,cycles", "--",
                "/bin/true"), null, null);
        List<String[]> theirs = perf.stderr().lines().filter(l -> !l.isBlank()).map(l -> l.split(",", -1)).toList();
        for (int i = 0; i < 3; i++) {
            assertEquals(theirs.get(i).length, ours.get(i).length, r.err() + perf.stderr());
            for (int column : new int[] {1, 2, 4, 6}) { // unit, event, % running, metric unit
                assertEquals(theirs.get(i)[column], ours.get(i)[column], r.err() + perf.stderr());
            }
        }
        assertEquals(theirs.get(2)[0], ours.get(2)[0]);
    }

    @Test
    void csvWithRepeatHasTheVarianceColumnAfterTheEvent() {
        Cli.Result r = Cli.run("stat", "-x;", "-r", "3", "-e", "task-clock,page-faults", "--", "/bin/true");
        assertEquals(0, r.status(), r.err());
        for (String line : r.err().lines().toList()) {
            String[] f = line.split(";", -1);
            assertEquals(8, f.length, line);
            assertTrue(f[3].matches("[0-9]+\\.[0-9]{2}%"), line);
        }
    }

    @Test
    void jsonHasPerfsKeysOneObjectPerLine() {
        Cli.Result r = Cli.run("stat", "--json", "-e", "task-clock,page-faults,cycles", "--", "/bin/true");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(3, lines.size(), r.err());
        Matcher clock = JSON_LINE.matcher(lines.get(0));
        assertTrue(clock.matches(), lines.get(0));
        assertEquals("msec", clock.group(2));
        assertEquals("task-clock", clock.group(3));
        assertEquals("CPUs utilized", clock.group(8));
        Matcher faults = JSON_LINE.matcher(lines.get(1));
        assertTrue(faults.matches(), lines.get(1));
        assertTrue(Double.parseDouble(faults.group(1)) > 10);
        Matcher cycles = JSON_LINE.matcher(lines.get(2));
        assertTrue(cycles.matches(), lines.get(2));
        Cli.Result repeated = Cli.run("stat", "-j", "-r", "2", "-e", "page-faults", "--", "/bin/true");
        Matcher variance = JSON_LINE.matcher(repeated.err().strip());
        assertTrue(variance.matches() && variance.group(4) != null, repeated.err());
    }

    @Test
    void hostileArgvReachesTheCommandByteForByte(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("argv");
        List<String> hostile = List.of("two words", "'single'", "\"double\"", "$(touch " + dir.resolve("pwned") + ")",
                "; touch " + dir.resolve("pwned2"), "-e", "--", "--help", "`id`", "*", "~", "back\\slash", "tab\there",
                "new\nline", "", "ünïcødé €", "$HOME", "a|b&c>d<e");
        List<String> args = new ArrayList<>(List.of("stat", "-e", "page-faults", "--", Cli.target(), "argv",
                file.toString()));
        args.addAll(hostile);
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (String arg : hostile) {
            expected.writeBytes(arg.getBytes(StandardCharsets.UTF_8));
            expected.write(0);
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));
        assertFalse(Files.exists(dir.resolve("pwned")) || Files.exists(dir.resolve("pwned2")));
    }

    @Test
    void aCommandAfterTheOptionsWithoutDashDashIsTheCommandWithItsOwnOptions(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("argv");
        Cli.Result r = Cli.run("stat", "-epage-faults", Cli.target(), "argv", file.toString(), "-e", "-x,");
        assertEquals(0, r.status(), r.err());
        assertEquals("-e\0-x,\0", Files.readString(file));
        assertTrue(r.err().contains("page-faults"), r.err());
    }

    @Test
    void pidOfARunningChildIsCountedForTheDurationOfTheGivenCommand() throws Exception {
        Process busy = spin("20000");
        try {
            Cli.Result r = Cli.run("stat", "-p", String.valueOf(busy.pid()), "-e", "task-clock,page-faults", "--",
                    "sleep", "0.3");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.err().contains("Performance counter stats for process id '" + busy.pid() + "'"), r.err());
            double msec = Cli.count(r.err(), "task-clock");
            // one spinning thread for 300 ms: never more than that (its share of a busy machine is anything above 0)
            assertTrue(msec > 0 && msec < 400, r.err());
            assertFalse(r.err().contains("seconds user"), r.err());
        } finally {
            busy.destroyForcibly();
            busy.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void tidAndTimeoutCountAThreadUntilTheTimeout() throws Exception {
        Process busy = spin("20000");
        try {
            long start = System.nanoTime();
            Cli.Result r = Cli.run("stat", "-t", String.valueOf(busy.pid()), "--timeout", "200", "-e", "task-clock");
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(0, r.status(), r.err());
            assertTrue(r.err().contains("thread id '" + busy.pid() + "'"), r.err());
            assertTrue(Cli.count(r.err(), "task-clock") > 0, r.err());
            assertTrue(elapsedMs >= 200 && elapsedMs < 5000, elapsedMs + " ms");
        } finally {
            busy.destroyForcibly();
            busy.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theTimeoutEndsACommandWithSigtermAndTheCountingWithStatus0() {
        long start = System.nanoTime();
        Cli.Result r = Cli.run("stat", "--timeout", "200", "-e", "task-clock", "--", Cli.target(), "spin", "20000");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(0, r.status(), r.err()); // perf 6.1 also exits 0 after --timeout
        assertTrue(elapsedMs >= 200 && elapsedMs < 10_000, elapsedMs + " ms");
        assertTrue(Cli.count(r.err(), "task-clock") > 0, r.err());
    }

    @Test
    void aProcessThatEndsEndsTheCounting() throws Exception {
        Process shortLived = spin("200");
        Cli.Result r = Cli.run("stat", "-p", String.valueOf(shortLived.pid()), "-e", "task-clock");
        assertEquals(0, r.status(), r.err());
        assertTrue(Cli.count(r.err(), "task-clock") > 0, r.err());
        assertTrue(shortLived.waitFor(10, TimeUnit.SECONDS));
    }

    @Test
    void allCpusForAShortDurationCountsEveryCpu() {
        Cli.Result r = Cli.run("stat", "-a", "--timeout", "300");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("Performance counter stats for 'system wide':"), r.err());
        double msec = Cli.count(r.err(), "cpu-clock");
        int cpus = Runtime.getRuntime().availableProcessors();
        // cpu-clock on every CPU counts wall time on each: about CPUs x 300 ms
        assertTrue(msec > cpus * 250 && msec < cpus * 1000, r.err());
        Matcher utilized = Pattern.compile("# +([0-9.]+) CPUs utilized").matcher(Cli.line(r.err(), "cpu-clock"));
        assertTrue(utilized.find() && Math.abs(Double.parseDouble(utilized.group(1)) - cpus) < 0.3, r.err());
    }

    @Test
    void someCpusAreCountedWithTheirListInTheHeader() {
        Cli.Result r = Cli.run("stat", "-C", "0", "-e", "cpu-clock", "--", "sleep", "0.2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("Performance counter stats for 'CPU(s) 0':"), r.err());
        double msec = Cli.count(r.err(), "cpu-clock");
        assertTrue(msec > 150 && msec < 1000, r.err());
    }

    @Test
    void aCgroupIsCountedByItsNameUnderTheCgroup2Mount() throws Exception {
        Path mount = null;
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[2].equals("cgroup2")) {
                mount = Path.of(f[1]);
                break;
            }
        }
        Assumptions.assumeTrue(mount != null, "skipped: no cgroup2 mount in /proc/mounts");
        String name = "perf-event-cli-test-" + ProcessHandle.current().pid();
        Path cgroup = Files.createDirectory(mount.resolve(name));
        Process busy = spin("20000");
        try {
            Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(busy.pid()));
            Cli.Result r = Cli.run("stat", "-a", "-G", name, "-e", "cpu-clock,page-faults", "--timeout", "300");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.err().contains("'system wide'"), r.err());
            String line = Cli.line(r.err(), "cpu-clock");
            assertTrue(line.contains("cpu-clock                        " + name), line); // perf's cgroup column
            double msec = Cli.count(r.err(), "cpu-clock");
            assertTrue(msec > 0 && msec < 400, r.err()); // the cgroup's one spinning task, for 300 ms
        } finally {
            busy.destroyForcibly();
            busy.waitFor(10, TimeUnit.SECONDS);
            Files.delete(cgroup);
        }
    }

    @Test
    void repeatPrintsMeansWithTheirVariation() {
        Cli.Result r = Cli.run("stat", "-r", "3", "-e", "task-clock,page-faults", "--", Cli.target(), "pages",
                "200");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("' (3 runs):"), r.err());
        assertTrue(Cli.line(r.err(), "task-clock").matches(".*  \\( \\+- *[0-9]+\\.[0-9]{2}% \\)"), r.err());
        assertTrue(r.err().matches("(?s).*\n +[0-9.]+ \\+- [0-9.]+ seconds time elapsed  \\( \\+- *[0-9.]+% \\)\n\n$"),
                r.err());
        assertTrue(Cli.count(r.err(), "page-faults") >= 200, r.err());
    }

    @Test
    void intervalsPrintTheCountsOfEachInterval() {
        Cli.Result r = Cli.run("stat", "-I", "100", "-e", "task-clock", "--", Cli.target(), "spin", "450");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.err().lines().filter(l -> l.contains("task-clock")).toList();
        assertTrue(lines.size() >= 4, r.err());
        assertTrue(r.err().startsWith("#           time             counts unit events\n"), r.err());
        double previous = 0;
        double total = 0;
        for (String line : lines) {
            String[] f = line.strip().split("\\s+");
            double time = Double.parseDouble(f[0]);
            // ticks on a grid of intervals from the start, each once; the last line is the partial interval to the end
            int tick = lines.indexOf(line);
            assertTrue(time > previous && (time >= 0.1 * (tick + 1) || tick == lines.size() - 1), r.err());
            if (!f[1].equals("<not")) {
                // one thread cannot run longer than the interval (plus the reading's own delay)
                assertTrue(Double.parseDouble(f[1]) <= (time - previous) * 1000 + 5, r.err());
                total += Double.parseDouble(f[1]);
            }
            previous = time;
        }
        assertTrue(total > 0, r.err());
    }

    @Test
    void outputGoesToTheFileWhenAsked(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("report.txt");
        Cli.Result r = Cli.run("stat", "-o", file.toString(), "-e", "page-faults", "--", "/bin/true");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        String report = Files.readString(file);
        assertTrue(report.startsWith("# started on "), report);
        assertTrue(Cli.count(report, "page-faults") > 10, report);
        assertEquals(1, Cli.run("stat", "-o", dir.resolve("missing/dir/file").toString(), "--", "/bin/true").status());
    }

    @Test
    void meansAndTheirDeviationAreComputedAsPerfDoes() {
        assertEquals(2.0, StatCommand.mean(new double[] {1, 2, 3}));
        assertEquals(0.0, StatCommand.mean(new double[0]));
        // perf's stddev_stats: sqrt(variance / n) with the n - 1 variance: sqrt(1 / 3)
        assertEquals(Math.sqrt(1.0 / 3), StatCommand.stddevOfMean(new double[] {1, 2, 3}), 1e-12);
        assertEquals(0.0, StatCommand.stddevOfMean(new double[] {5}));
        assertEquals(Math.sqrt(8.0 / 2), StatCommand.stddevOfMean(new double[] {2, 6}), 1e-12);
    }

    @Test
    void theChildrensCpuTimeGrowsWhenAChildHasRun() throws Exception {
        double[] before = StatCommand.childCpuSeconds();
        Process busy = spin("300");
        assertEquals(0, busy.waitFor());
        double[] after = StatCommand.childCpuSeconds();
        assertTrue(after[0] + after[1] > before[0] + before[1], java.util.Arrays.toString(before) + " "
                + java.util.Arrays.toString(after));
    }

    @Test
    void aCgroupNameIsFoundUnderTheCgroup2MountAndAPathIsTakenAsItIs(@TempDir Path dir) throws IOException {
        assertEquals(dir, StatCommand.cgroupDirectory(dir.toString()));
        String mount = Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f[2].equals("cgroup2")).map(f -> f[1]).findFirst().orElse(null);
        Assumptions.assumeTrue(mount != null, "skipped: no cgroup2 mount");
        assertEquals(Path.of(mount, "a/b"), StatCommand.cgroupDirectory("a/b"));
        assertEquals(Path.of(mount, "a"), StatCommand.cgroupDirectory("/a"));
    }

    @Test
    void jsonAndCsvInAFileHaveNoStartedLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("report.json");
        assertEquals(0, Cli.run("stat", "-j", "-o", file.toString(), "-e", "page-faults", "--", "/bin/true")
                .status());
        assertTrue(JSON_LINE.matcher(Files.readString(file).strip()).matches(), Files.readString(file));
    }

    @Test
    void aProcessThatDoesNotExistIsAClearError() {
        Cli.Result r = Cli.run("stat", "-p", "2147483647", "-e", "task-clock", "--timeout", "100");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith("perf-event stat: "), r.err());
    }
}

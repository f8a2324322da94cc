/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import io.github.perfevent.ChildProcess;
import io.github.perfevent.EventNameException;
import io.github.perfevent.Options;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.Target;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code stat}: counts events of a command (from its exec, with every process and thread it creates), processes,
 * threads, CPUs or a cgroup, and prints them as {@code perf stat} 6.1 does, on standard error or in a file.
 */
final class StatCommand implements Subcommand {

    private static final String USAGE = " Usage: perf-event stat [<options>] [--] <command> [<args>]";
    private static final String HELP = """

             Usage: perf-event stat [<options>] [--] <command> [<args>]

            Counts events of a command from its exec to its exit (with every process and thread it starts), or of
            a target until it ends, the --timeout, or Ctrl-C; prints them as perf stat does, on standard error.

                -e, --event <events>  events, comma-separated, as perf names them (repeatable); default: task-clock,
                                      context-switches, cpu-migrations, page-faults, cycles, instructions,
                                      branches, branch-misses. 'perf-event list' shows them all
                -p, --pid <pid,...>   count existing processes (every thread of each)
                -t, --tid <tid,...>   count existing threads
                -a, --all-cpus        count every task on every CPU
                -C, --cpu <cpus>      count every task on these CPUs, such as 0-1,3
                -G, --cgroup <name>   count the tasks of a cgroup-v2 directory (a path, or a name under the cgroup2
                                      mount) on every CPU
                -r, --repeat <n>      run the command n times; print means and their deviation
                -x, --field-separator <sep>
                                      CSV: value, unit, event, [variance], run time, % running, metric, metric unit
                -j, --json            one JSON object per event and line, with perf's keys
                -o, --output <file>   write the report to a file instead of standard error
                    --timeout <ms>    stop counting after ms milliseconds (a command is ended with SIGTERM)
                -I, --interval-print <ms>
                                      print the counts of each interval of ms milliseconds (>= 10)
                -h, --help            this help

            With a target (-p, -t, -a, -C, -G), a command given too only sets how long to count; it is not counted.
            The command runs as given, never through a shell. Exit status: the command's own (128 + the signal when
            a signal ended it), 127 when it is not found, 126 when it cannot be executed, 1 for a bad command line
            or event, 0 for a target counted until the timeout, its end or Ctrl-C.
            """;

    @Override
    public String name() {
        return "stat";
    }

    @Override
    public String summary() {
        return "Run a command (or watch a process, threads, CPUs) and count its events, as perf stat does";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        StatSettings settings;
        try {
            OptionParser.Parsed parsed = new OptionParser(StatSettings.OPTIONS).parse(args);
            if (parsed.has("help")) {
                out.print(HELP);
                return 0;
            }
            settings = StatSettings.of(parsed);
        } catch (UsageException e) {
            err.println("  Error: " + e.getMessage());
            err.println();
            err.println(USAGE);
            err.println(" Run 'perf-event stat --help' for the options.");
            return 1;
        }
        List<CounterSet.Spec> specs = new ArrayList<>();
        for (String name : settings.events()) {
            try {
                specs.add(CounterSet.Spec.of(name));
            } catch (EventNameException e) {
                err.println("event syntax error: '" + name + "'");
                err.println("  " + e.getMessage()); // with the nearest names: "Did you mean task-clock?"
                err.println("Run 'perf-event list' for a list of valid events");
                return 1;
            } catch (PerfEventException e) {
                err.println("event '" + name + "': " + e.getMessage());
                return 1;
            }
        }
        Session session = new Session(settings, specs, err);
        // Installed before anything is written, so that a report file's first line says Ctrl-C will be handled.
        try (Interrupt ignored = Interrupt.onSigint(session::interrupt)) {
            return session.run();
        }
    }

    /** One {@code stat}: its runs, its counters, its report. */
    private static final class Session {
        private final StatSettings settings;
        private final List<CounterSet.Spec> specs;
        private final PrintStream err;
        private PrintStream report;
        private final StatFormat format;
        /** The wait that Ctrl-C ends: a target's (not a command's, which gets its own SIGINT from the terminal). */
        private volatile CountDownLatch interruptible;
        private volatile boolean interrupted;

        Session(StatSettings settings, List<CounterSet.Spec> specs, PrintStream err) {
            this.settings = settings;
            this.specs = specs;
            this.err = err;
            this.format = new StatFormat(settings.style(), settings.separator(), settings.runs(), settings.cgroup());
        }

        /**
         * Ctrl-C (SIGINT): ends the counting of a target. A command is waited for, as perf does: the terminal sends
         * SIGINT to the whole foreground process group, so the command gets it too and decides how to end; then its
         * counts are printed.
         */
        void interrupt() {
            interrupted = true;
            CountDownLatch latch = interruptible;
            if (latch != null) {
                latch.countDown();
            }
        }

        int run() {
            report = err;
            if (settings.output() != null) {
                try {
                    report = new PrintStream(new FileOutputStream(settings.output().toFile()), false,
                            StandardCharsets.UTF_8);
                } catch (IOException e) {
                    err.println("perf-event stat: cannot write " + settings.output() + ": " + e.getMessage());
                    return 1;
                }
                if (settings.style() == StatFormat.Style.TABLE) {
                    report.println("# started on " + ZonedDateTime.now().format(
                            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)));
                    report.println();
                    report.flush();
                }
            }
            try {
                return settings.targetKind() == StatSettings.TargetKind.COMMAND ? countCommand() : countTarget();
            } catch (CannotRun e) {
                return e.status;
            } catch (PerfEventException | IllegalStateException | UncheckedIOException e) {
                err.println("perf-event stat: " + e.getMessage());
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("perf-event stat: interrupted");
                return 130;
            } finally {
                if (report != err) {
                    report.close();
                } else {
                    report.flush();
                }
            }
        }

        /** Counts the command, {@code -r} times; returns its last exit status. */
        private int countCommand() throws InterruptedException, CannotRun {
            int runs = settings.runs();
            double[][][] perRun = new double[runs][][];
            double[] walls = new double[runs];
            int status = 0;
            int done = 0;
            double user = 0;
            double sys = 0;
            boolean stoppedByTimeout = false;
            while (done < runs && !interrupted) { // Ctrl-C during a run: no further run
                ChildProcess child = prepare(settings.command());
                double[] cpuBefore = childCpuSeconds();
                try (child; CounterSet counters = openOnChild(child)) {
                    if (interrupted) {
                        return 130; // Ctrl-C before the command started: it never runs
                    }
                    CountDownLatch end = new CountDownLatch(1);
                    child.process().onExit().thenRun(end::countDown);
                    long start = System.nanoTime();
                    child.start();
                    Ending ending = await(end, start, counters);
                    if (child.process().isAlive()) {
                        child.process().destroy(); // SIGTERM at the timeout, as perf does
                    }
                    status = child.waitFor();
                    walls[done] = System.nanoTime() - start;
                    stoppedByTimeout = ending == Ending.TIMEOUT;
                    long[][] values = counters.read();
                    perRun[done] = toDouble(values, counters);
                    if (settings.intervalMillis() > 0) {
                        printInterval(values, System.nanoTime(), start, counters);
                    }
                    double[] cpuAfter = childCpuSeconds();
                    user = cpuAfter[0] - cpuBefore[0];
                    sys = cpuAfter[1] - cpuBefore[1];
                }
                done++;
                if (status >= 128) {
                    break; // killed by a signal (Ctrl-C ends the command too): stop repeating
                }
            }
            if (settings.intervalMillis() == 0 && done > 0) {
                printSummary(perRun, walls, done, done == 1 ? user : -1, sys);
            }
            return stoppedByTimeout ? 0 : status;
        }

        /**
         * Opens the counters on a prepared command. Ctrl-C in a terminal reaches the waiting shell too, which then
         * ends before the counters open (ESRCH): that is an interrupted run, not an error.
         */
        private CounterSet openOnChild(ChildProcess child) throws CannotRun {
            try {
                return CounterSet.open(specs, List.of(child.target()), Options.defaults().inherit(true));
            } catch (PerfEventException e) {
                if (interrupted) {
                    child.close();
                    throw new CannotRun(130);
                }
                throw e;
            }
        }

        /** Counts a process, threads, CPUs or a cgroup until it ends, the timeout, the duration command or Ctrl-C. */
        private int countTarget() throws InterruptedException, CannotRun {
            List<Target> targets = targets();
            Options options = settings.targetKind() == StatSettings.TargetKind.PROCESS
                    || settings.targetKind() == StatSettings.TargetKind.THREAD
                    ? Options.defaults().inherit(true) : Options.defaults();
            ChildProcess duration = settings.command().isEmpty() ? null : prepare(settings.command());
            try (CounterSet counters = CounterSet.open(specs, targets, options)) {
                CountDownLatch end = new CountDownLatch(1);
                if (duration != null) {
                    duration.process().onExit().thenRun(end::countDown);
                } else {
                    interruptible = end;
                    if (interrupted) {
                        end.countDown();
                    }
                }
                if (settings.targetKind() == StatSettings.TargetKind.PROCESS) {
                    for (int pid : settings.targetIds()) {
                        ProcessHandle.of(pid).ifPresentOrElse(h -> h.onExit().thenRun(end::countDown),
                                end::countDown);
                    }
                }
                long start = System.nanoTime();
                counters.enable();
                if (duration != null) {
                    duration.start();
                }
                Ending ending = await(end, start, counters);
                counters.disable();
                long wall = System.nanoTime() - start;
                int status = 0;
                if (duration != null) {
                    if (duration.process().isAlive()) {
                        duration.process().destroy();
                    }
                    status = ending == Ending.TIMEOUT ? 0 : duration.waitFor();
                }
                long[][] values = counters.read();
                if (settings.intervalMillis() > 0) {
                    printInterval(values, System.nanoTime(), start, counters);
                } else {
                    printSummary(new double[][][] {toDouble(values, counters)}, new double[] {wall}, 1, -1, 0);
                }
                return status;
            } finally {
                if (duration != null) {
                    duration.close();
                }
            }
        }

        private List<Target> targets() {
            List<Target> targets = new ArrayList<>();
            switch (settings.targetKind()) {
                case PROCESS -> settings.targetIds().forEach(pid -> targets.add(Target.process(pid)));
                case THREAD -> settings.targetIds().forEach(tid -> targets.add(Target.tid(tid)));
                case CPUS -> settings.targetIds().forEach(cpu -> targets.add(Target.cpu(cpu)));
                case ALL_CPUS -> targets.add(settings.cgroup() == null ? Target.allCpus()
                        : Target.cgroup(cgroupDirectory(settings.cgroup())));
                case COMMAND -> throw new IllegalStateException("a command is not a target");
            }
            return targets;
        }

        private enum Ending { ENDED, TIMEOUT }

        private long[][] previous;
        private long previousAt;

        /**
         * Waits for {@code end} (the command's or the process's end, or Ctrl-C for a target) or the timeout, printing
         * the counts of each interval meanwhile. Times are compared as differences of {@link System#nanoTime()}.
         */
        private Ending await(CountDownLatch end, long start, CounterSet counters) throws InterruptedException {
            long interval = TimeUnit.MILLISECONDS.toNanos(settings.intervalMillis());
            long timeout = TimeUnit.MILLISECONDS.toNanos(settings.timeoutMillis());
            long nextTick = start + interval;
            previous = new long[specs.size()][3];
            previousAt = start;
            if (interval > 0) {
                report.print(format.intervalHeader());
            }
            while (true) {
                long now = System.nanoTime();
                long untilTick = interval > 0 ? nextTick - now : Long.MAX_VALUE;
                long untilDeadline = timeout > 0 ? start + timeout - now : Long.MAX_VALUE;
                long wait = Math.min(untilTick, untilDeadline);
                if (wait == Long.MAX_VALUE) {
                    end.await();
                    return Ending.ENDED;
                }
                if (end.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                    return Ending.ENDED;
                }
                now = System.nanoTime();
                if (interval > 0 && now - nextTick >= 0) {
                    printInterval(counters.read(), now, start, counters);
                    while (nextTick - now <= 0) { // a late wake-up (a busy machine) skips, not repeats, ticks
                        nextTick += interval;
                    }
                }
                if (timeout > 0 && now - start - timeout >= 0) {
                    return Ending.TIMEOUT;
                }
            }
        }

        private void printInterval(long[][] values, long now, long start, CounterSet counters) {
            List<StatFormat.Row> rows = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                rows.add(row(i, values[i][0] - previous[i][0], values[i][1] - previous[i][1],
                        values[i][2] - previous[i][2], 0, counters.supported(i)));
            }
            report.print(format.rows(rows, now - previousAt, now - start));
            report.flush();
            previous = values;
            previousAt = now;
        }

        private StatFormat.Row row(int i, double value, double enabled, double running, double noise,
                boolean supported) {
            CounterSet.Spec spec = specs.get(i);
            return new StatFormat.Row(spec.name(), spec.role(), supported, value, enabled, running, noise);
        }

        private void printSummary(double[][][] perRun, double[] walls, int runs, double user, double sys) {
            List<StatFormat.Row> rows = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                double[] values = new double[runs];
                double enabled = 0;
                double running = 0;
                boolean supported = false;
                for (int r = 0; r < runs; r++) {
                    values[r] = perRun[r][i][0];
                    enabled += perRun[r][i][1] / runs;
                    running += perRun[r][i][2] / runs;
                    supported |= perRun[r][i][3] != 0;
                }
                double mean = mean(values);
                rows.add(row(i, mean, enabled, running, mean == 0 ? 0 : 100.0 * stddevOfMean(values) / mean,
                        supported));
            }
            double[] measured = Arrays.copyOf(walls, runs);
            double wall = mean(measured);
            report.print(format.header(settings.headerSubject()));
            report.print(format.rows(rows, wall, -1));
            report.print(format.footer(wall, stddevOfMean(measured), user, sys));
            report.flush();
        }

        /** Per event: value, enabled, running, and 1 when the event is supported here. */
        private static double[][] toDouble(long[][] values, CounterSet counters) {
            double[][] d = new double[values.length][4];
            for (int i = 0; i < values.length; i++) {
                d[i][0] = values[i][0];
                d[i][1] = values[i][1];
                d[i][2] = values[i][2];
                d[i][3] = counters.supported(i) ? 1 : 0;
            }
            return d;
        }

        /**
         * Prepares the command (it waits before its exec): a command that cannot run is reported now, before
         * anything is counted, with a shell's status.
         */
        private ChildProcess prepare(List<String> command) throws CannotRun {
            try {
                return ChildProcess.prepare(new ProcessBuilder(command).inheritIO());
            } catch (UncheckedIOException e) {
                String message = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
                err.println("perf-event stat: " + message);
                boolean cannotExecute = message.contains("Permission denied") || message.contains("Is a directory");
                throw new CannotRun(cannotExecute ? 126 : 127);
            }
        }
    }

    /** A command that cannot be run: the status a shell would give. */
    private static final class CannotRun extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        CannotRun(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? 0 : sum / values.length;
    }

    /** perf's stddev_stats: the standard deviation of the mean, sqrt(variance / n), with the n - 1 variance. */
    static double stddevOfMean(double[] values) {
        int n = values.length;
        if (n < 2) {
            return 0;
        }
        double mean = mean(values);
        double m2 = 0;
        for (double v : values) {
            m2 += (v - mean) * (v - mean);
        }
        return Math.sqrt(m2 / (n - 1) / n);
    }

    /**
     * The user and system CPU time of this JVM's children that have ended and been waited for (fields 16 and 17 of
     * {@code /proc/self/stat}, in clock ticks of 1/100 s), in seconds; perf takes them from {@code wait4}'s rusage,
     * in microseconds.
     */
    static double[] childCpuSeconds() {
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/self/stat"))) {
            String line = reader.readLine();
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state); cutime is field 16, cstime field 17
            return new double[] {Long.parseLong(fields[13]) / 100.0, Long.parseLong(fields[14]) / 100.0};
        } catch (IOException | RuntimeException e) {
            return new double[] {0, 0};
        }
    }

    /** The directory of cgroup {@code name}: a directory path as given, or a name under the cgroup2 mount. */
    static Path cgroupDirectory(String name) {
        Path given = Path.of(name);
        if (given.isAbsolute() && Files.isDirectory(given)) {
            return given;
        }
        Optional<Path> mount = Optional.empty();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("cgroup2")) {
                    mount = Optional.of(Path.of(f[1].replace("\\040", " ")));
                    break;
                }
            }
        } catch (IOException e) {
            // no /proc/mounts: the name is taken as it is
        }
        String relative = name.startsWith("/") ? name.substring(1) : name;
        return mount.map(m -> m.resolve(relative)).orElse(given);
    }
}

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import io.github.perfevent.EventNameException;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.profile.Profile;
import io.github.perfevent.profile.Profiler;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code record}: profiles a command (from its exec, with every process it starts) or a running process with
 * callchains, and writes a flame graph, folded stacks, a text summary or a {@code perf.data} file, chosen by the
 * extension of {@code -o} or by {@code --format}.
 */
final class RecordCommand implements Subcommand {

    static final List<OptionParser.Option> OPTIONS = List.of(
            new OptionParser.Option('e', "event", true),
            new OptionParser.Option('F', "freq", true),
            new OptionParser.Option('c', "count", true),
            new OptionParser.Option('p', "pid", true),
            new OptionParser.Option('d', "duration", true),
            new OptionParser.Option('o', "output", true),
            new OptionParser.Option('\0', "format", true),
            new OptionParser.Option('\0', "perf-map", true),
            new OptionParser.Option('h', "help", false));

    private static final String USAGE = " Usage: perf-event record [<options>] [--] <command> [<args>]";
    private static final String HELP = """

             Usage: perf-event record [<options>] [--] <command> [<args>]
                    perf-event record [<options>] -p <pid>

            Samples a command from its exec to its exit (with every process and thread it starts), or a running
            process until it ends, the -d duration, or Ctrl-C, with callchains through frame pointers (kernel and
            user), and writes a profile whose frames are named: native code by ELF symbols, the kernel by
            /proc/kallsyms, Java code by the JVM's own perf map (no agent).

                -e, --event <event>   the event to sample, as perf names it; default cpu-clock
                -F, --freq <hz>       samples per second and thread; default 99 (see below)
                -c, --count <period>  one sample every <period> events (nanoseconds for cpu-clock) instead
                -p, --pid <pid>       profile a running process (every thread, new ones too)
                -d, --duration <s>    stop after this many seconds (a command still running is then killed)
                -o, --output <file>   where to write; the extension chooses the format: .html (flame graph),
                                      .folded or .collapsed (folded stacks), .txt (summary), .data (perf.data),
                                      .pb.gz (pprof, needs protobuf-java on the class path); default perf.data
                    --format <f>      html, folded, collapsed, text, perf.data or pprof, whatever the extension
                    --perf-map <file> name the JIT code of -p's process from this perf map instead of asking it
                -h, --help            this help

            Java: a JVM is asked for its perf map at the end of the recording (jcmd Compiler.perfmap for -p; a
            command gets JAVA_TOOL_OPTIONS=-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit
            -XX:+PreserveFramePointer, so a Java command keeps full stacks and writes its map as it exits). A JVM
            without -XX:+PreserveFramePointer gets stacks cut at the first compiled frame: record warns about it.
            With a .data output the map stays at /tmp/perf-<pid>.map, where perf report reads it.

            99 Hz: perf record samples at 4000 Hz, async-profiler at 100 Hz; 99 keeps the samples out of lockstep
            with timer-driven work at round rates, at a cost close to async-profiler's. Exit status: the command's own,
            127 when it is not found, 1 for a bad command line or event, 0 for a process profiled to its end, the
            duration or Ctrl-C.
            """;

    @Override
    public String name() {
        return "record";
    }

    @Override
    public String summary() {
        return "Profile a command or a process with callchains: a flame graph, folded stacks, perf.data";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        OptionParser.Parsed parsed;
        Profiler.Builder builder;
        Path output;
        Profile.Format format;
        Duration duration;
        try {
            parsed = new OptionParser(OPTIONS).parse(args);
            if (parsed.has("help")) {
                out.print(HELP);
                return 0;
            }
            output = Path.of(parsed.has("output") ? parsed.last("output") : "perf.data");
            format = parsed.has("format") ? named(parsed.last("format")) : formatOf(output);
            duration = parsed.has("duration") ? Duration.ofMillis(Math.round(1000 * positiveDouble(parsed,
                    "duration"))) : null;
            if (parsed.has("pid") == !parsed.rest().isEmpty()) {
                throw new UsageException(parsed.has("pid") ? "give either -p or a command, not both"
                        : "give a command to profile, or -p <pid>");
            }
            if (parsed.has("freq") && parsed.has("count")) {
                throw new UsageException("give either -F or -c, not both");
            }
            builder = parsed.has("pid") ? Profiler.process(positiveLong(parsed, "pid"))
                    : Profiler.command(parsed.rest());
            if (parsed.has("event")) {
                builder.event(parsed.last("event"));
            }
            if (parsed.has("freq")) {
                builder.frequency(positiveLong(parsed, "freq"));
            }
            if (parsed.has("count")) {
                builder.period(positiveLong(parsed, "count"));
            }
            if (parsed.has("perf-map")) {
                if (!parsed.has("pid")) {
                    throw new UsageException("--perf-map names the JIT code of a -p process");
                }
                builder.perfMap(Path.of(parsed.last("perf-map")));
            }
        } catch (UsageException e) {
            err.println("  Error: " + e.getMessage());
            err.println();
            err.println(USAGE);
            err.println(" Run 'perf-event record --help' for the options.");
            return 1;
        }
        if (format == Profile.Format.PERF_DATA) {
            List<String> commandLine = new ArrayList<>(List.of("perf-event", "record"));
            commandLine.addAll(args);
            builder.perfData(output).commandLine(commandLine);
        }
        return record(builder, parsed.has("pid"), output, format, duration, err);
    }

    private static int record(Profiler.Builder builder, boolean process, Path output, Profile.Format format,
            Duration duration, PrintStream err) {
        Profiler profiler;
        try {
            profiler = builder.start();
        } catch (EventNameException e) {
            err.println("event syntax error: " + e.getMessage());
            err.println("Run 'perf-event list' for a list of valid events");
            return 1;
        } catch (PerfEventException | IllegalArgumentException e) {
            err.println("perf-event record: " + e.getMessage());
            return 1;
        } catch (UncheckedIOException e) {
            err.println("perf-event record: " + e.getCause().getMessage());
            return process ? 1 : 127;
        }
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        Stop stop = new Stop(process);
        try (profiler; Interrupt ignored = Interrupt.onSigint(stop::interrupt)) {
            for (String warning : profiler.warnings()) {
                err.println("Warning: " + warning);
            }
            while (!stop.interrupted && System.nanoTime() - deadline < 0
                    && !profiler.awaitEnd(Duration.ofMillis(100))) {
                // Ctrl-C, the duration or the target's end
            }
            Profile profile = profiler.stop();
            profile.write(output, format);
            for (String warning : profile.warnings()) {
                err.println("Warning: " + warning);
            }
            err.printf(Locale.ROOT, "[ perf-event record: %s written to %s in %.1f s ]%n", describe(format), output,
                    profile.duration().toMillis() / 1000.0);
            err.println("[ perf-event record: " + profile.accountingLine() + " ]");
            for (Path map : profile.perfMaps()) {
                err.println("[ perf-event record: wrote " + map + " beside it: perf report reads the Java names "
                        + "from there; it stays until you delete it ]");
            }
            return profile.exitStatus().orElse(0);
        } catch (IOException e) {
            err.println("perf-event record: cannot write " + output + ": " + e.getMessage());
            return 1;
        } catch (UncheckedIOException e) {
            err.println("perf-event record: " + e.getCause().getMessage());
            return 1;
        } catch (PerfEventException | IllegalStateException e) {
            err.println("perf-event record: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** Ctrl-C: stops the recording of a process; a command gets the terminal's SIGINT itself and is waited for. */
    private static final class Stop {
        private final boolean process;
        volatile boolean interrupted;

        Stop(boolean process) {
            this.process = process;
        }

        void interrupt() {
            if (process) {
                interrupted = true;
            }
        }
    }

    private static String describe(Profile.Format format) {
        return switch (format) {
            case FOLDED -> "folded stacks";
            case HTML -> "flame graph";
            case TEXT -> "summary";
            case PERF_DATA -> "perf.data";
            case PPROF -> "pprof profile";
        };
    }

    private static Profile.Format formatOf(Path output) throws UsageException {
        try {
            return Profile.Format.of(output);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() + ", or give --format");
        }
    }

    private static Profile.Format named(String name) throws UsageException {
        try {
            return Profile.Format.named(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static long positiveLong(OptionParser.Parsed parsed, String option) throws UsageException {
        String value = parsed.last(option);
        try {
            long n = Long.parseLong(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("--" + option + " takes a positive integer, not '" + value + "'");
    }

    private static double positiveDouble(OptionParser.Parsed parsed, String option) throws UsageException {
        String value = parsed.last(option);
        try {
            double n = Double.parseDouble(value);
            if (n > 0 && n < 1e9) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("--" + option + " takes a positive number of seconds, not '" + value + "'");
    }
}

package io.github.perfevent.cli;

import io.github.perfevent.sys.Gcc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Test support: runs the tool in this JVM ({@link Main#run}) with captured streams, and compiles
 * src/test/c/cli_target.c once per test JVM.
 */
final class Cli {

    private static Path target;

    private Cli() {
    }

    /**
     * What a run printed and returned.
     *
     * @param status the exit status
     * @param out standard output
     * @param err standard error (stat's report)
     */
    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, o, e);
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The compiled cli_target program (the calling test is skipped with the reason when gcc is missing). */
    static synchronized String target() {
        String reason = Gcc.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        if (target == null) {
            try {
                Path dir = Files.createTempDirectory("perf-event-cli");
                Path program = dir.resolve("cli_target");
                Gcc.compile(Path.of("src/test/c/cli_target.c"), program, List.of("-O1"));
                dir.toFile().deleteOnExit();
                program.toFile().deleteOnExit();
                target = program;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return target.toString();
    }

    /** Why the perf tool cannot be used, or null. */
    static String perfUnavailable() {
        try {
            Gcc.Result r = Gcc.run(List.of("perf", "--version"), null, null);
            return r.exitCode() == 0 ? null : "perf --version exited with " + r.exitCode();
        } catch (IOException e) {
            return "the perf tool is not on PATH (" + e.getMessage() + ")";
        }
    }

    /** The report line of {@code event} in the table. */
    static String line(String report, String event) {
        return report.lines().filter(l -> l.matches("\\s*\\S.*\\s" + java.util.regex.Pattern.quote(event) + "(\\s.*)?"))
                .findFirst().orElseThrow(() -> new AssertionError("no line for " + event + " in\n" + report));
    }

    /** The count of {@code event} in the table, without its thousands separators. */
    static double count(String report, String event) {
        return Double.parseDouble(line(report, event).strip().split("\\s+")[0].replace(",", ""));
    }
}

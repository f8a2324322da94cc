/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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

/**
 * {@code record} in-process on a Java workload (the profile tests' ProfiledWorkload) and on its command line's
 * mistakes: the output format follows the extension of {@code -o} or {@code --format}, the accounting is printed,
 * and a perf.data file is read by perf with the Java names from the perf map the tool says it wrote.
 */
class RecordCommandTest {

    private static final String HOT = "long io.github.perfevent.profile.ProfiledWorkload.hotLoop(long)";

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    static Run record(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new RecordCommand().run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code record OPTIONS -- java ... ProfiledWorkload run SECONDS}, the JVM without PreserveFramePointer: the
     * tool's JAVA_TOOL_OPTIONS gives it. */
    static String[] recordWorkload(String seconds, String... options) {
        List<String> command = new ArrayList<>(List.of(options));
        command.add("--");
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-XX:CompileCommand=quiet",
                "-XX:CompileCommand=dontinline,io.github.perfevent.profile.ProfiledWorkload::*",
                "-cp", "target/test-classes", "io.github.perfevent.profile.ProfiledWorkload", "run", seconds));
        return command.toArray(String[]::new);
    }

    @Test
    void htmlByExtensionHoldsTheHotMethodAndTheAccountingIsPrinted() throws IOException {
        Path html = dir.resolve("flame.html");
        Run run = record(recordWorkload("2", "-F", "499", "-o", html.toString()));
        assertEquals(0, run.status(), run.err());
        String page = Files.readString(html);
        assertTrue(page.contains("<html"), "an HTML page");
        assertTrue(page.contains("hotLoop"), "the page names the hot method");
        Matcher accounting = Pattern.compile("\\[ perf-event record: ([\\d,]+) samples recorded, (\\d+) lost")
                .matcher(run.err());
        assertTrue(accounting.find(), run.err());
        assertTrue(Long.parseLong(accounting.group(1).replace(",", "")) > 0, run.err());
    }

    @Test
    void foldedByFormatFlagWhateverTheExtension() throws IOException {
        Path out = dir.resolve("profile.out");
        Run run = record(recordWorkload("1", "--format", "folded", "-o", out.toString()));
        assertEquals(0, run.status(), run.err());
        List<String> lines = Files.readAllLines(out);
        assertTrue(!lines.isEmpty());
        for (String line : lines) {
            assertTrue(line.matches(".+ \\d+"), "a folded line: " + line);
        }
    }

    @Test
    void perfDataIsReadByPerfWithJavaNamesFromThePerfMapItReports() throws Exception {
        Path data = dir.resolve("java.data");
        Run run = record(recordWorkload("2", "-F", "499", "-o", data.toString()));
        assertEquals(0, run.status(), run.err());
        Matcher map = Pattern.compile("wrote (/tmp/perf-\\d+\\.map) beside it").matcher(run.err());
        assertTrue(map.find(), "the tool says where the perf map is: " + run.err());
        try {
            Assumptions.assumeTrue(hasPerf(), "the perf tool is needed to read the perf.data file");
            Process report = new ProcessBuilder("perf", "report", "-i", data.toString(), "--stdio", "--no-children",
                    "--sort", "sym").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String text = new String(report.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(report.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, report.exitValue(), text);
            String top = text.lines().filter(l -> l.matches("\\s+\\d+\\.\\d+%.*")).findFirst().orElseThrow();
            assertTrue(top.contains(HOT), "perf report's top symbol: " + top);
        } finally {
            Files.deleteIfExists(Path.of(map.group(1)));
        }
    }

    @Test
    void commandLineMistakesExitWithOne() {
        assertEquals(1, record("-p", "1", "--", "true").status(), "a pid and a command");
        assertEquals(1, record("-o", "x.svg", "--", "true").status(), "an unknown extension");
        assertEquals(1, record("-F", "0", "--", "true").status(), "a zero frequency");
        assertEquals(1, record("-F", "99", "-c", "100000", "--", "true").status(), "both -F and -c");
        assertEquals(1, record("-o", dir.resolve("x.txt").toString()).status(), "nothing to profile");
        Run unknownEvent = record("-e", "no-such-event", "-o", dir.resolve("x.txt").toString(), "--", "true");
        assertEquals(1, unknownEvent.status());
        assertTrue(unknownEvent.err().contains("no-such-event"), unknownEvent.err());
    }

    @Test
    void missingCommandExitsWith127() {
        Run run = record("-o", dir.resolve("x.txt").toString(), "--", "/nonexistent/program");
        assertEquals(127, run.status(), run.err());
    }

    private static boolean hasPerf() {
        try {
            return new ProcessBuilder("perf", "--version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}

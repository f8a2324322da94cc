package io.github.perfevent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as users run it: {@code java -jar} with no flag, and the {@code ./perf-event} launcher on a
 * machine whose default {@code java} may be older than 22. Runs in {@code verify}, after {@code package}.
 */
class JarIT {

    private static Path jar;

    @BeforeAll
    static void findJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("perf-event-open-.*(?<!-sources|-javadoc)\\.jar"))
                    .findFirst().orElse(null);
        }
        Assumptions.assumeTrue(jar != null, "skipped: no packaged jar in target/ (these tests run in verify)");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs a command with its stderr in {@code err}, and returns its exit status. */
    private static int run(List<String> command, Path err, Map<String, String> environment) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (environment != null) {
            environment.forEach((k, v) -> {
                if (v == null) {
                    pb.environment().remove(k);
                } else {
                    pb.environment().put(k, v);
                }
            });
        }
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
        return p.exitValue();
    }

    @Test
    void theManifestNamesTheToolAndGrantsNativeAccess() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes main = file.getManifest().getMainAttributes();
            assertEquals("io.github.perfevent.cli.Main", main.getValue("Main-Class"));
            assertEquals("ALL-UNNAMED", main.getValue("Enable-Native-Access"));
        }
    }

    @Test
    void javaDashJarCountsACommandWithoutAnyNativeAccessWarning(@TempDir Path dir) throws Exception {
        Path err = dir.resolve("err");
        int status = run(List.of(java(), "-jar", jar.toString(), "stat", "-e", "task-clock,page-faults", "--",
                Cli.target(), "exit", "3"), err, null);
        String report = Files.readString(err);
        assertEquals(3, status, report);
        assertTrue(report.contains(" Performance counter stats for '"), report);
        assertTrue(Cli.count(report, "page-faults") > 0, report);
        assertFalse(report.contains("WARNING"), report);
    }

    @Test
    void ctrlCEndsTheCountingOfATargetAndPrintsIt(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report");
        // env --default-signal: SIGINT as a terminal leaves it, whatever the build was started from (a background job
        // ignores it, and an ignored signal stays ignored in every child)
        Process p = new ProcessBuilder("env", "--default-signal=INT", java(), "-jar", jar.toString(), "stat", "-a",
                "-e", "cpu-clock", "-o",
                report.toString()).redirectError(dir.resolve("err").toFile()).start();
        awaitStarted(report, p);
        Thread.sleep(300);
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String text = Files.readString(report);
        assertEquals(0, p.exitValue(), text + Files.readString(dir.resolve("err")));
        assertTrue(text.contains("Performance counter stats for 'system wide':"), text);
        assertTrue(Cli.count(text, "cpu-clock") > 0, text); // from the open (a cold JVM's first FFM calls) to Ctrl-C
    }

    @Test
    void ctrlCInATerminalEndsTheCommandWhichGives130AndTheCountsArePrinted(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report");
        // setsid: a process group of its own, like a terminal's foreground job; kill -INT -PGID is Ctrl-C
        Process p = new ProcessBuilder("setsid", "env", "--default-signal=INT", java(), "-jar", jar.toString(), "stat",
                "-e", "task-clock", "-o", report.toString(), "--", Cli.target(), "spin", "30000")
                .redirectError(dir.resolve("err").toFile()).start();
        awaitStarted(report, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (p.descendants().noneMatch(h -> h.info().command().orElse("").endsWith("cli_target"))) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "the command did not start");
            Thread.sleep(20);
        }
        Thread.sleep(100);
        new ProcessBuilder("kill", "-INT", "--", "-" + p.pid()).start().waitFor();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String text = Files.readString(report);
        assertEquals(130, p.exitValue(), text + Files.readString(dir.resolve("err")));
        assertTrue(Cli.count(text, "task-clock") > 0, text);
    }

    private static void awaitStarted(Path report, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(report) && Files.readString(report).startsWith("# started on"))) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "the tool did not start");
            Thread.sleep(20);
        }
    }

    @Test
    void theLauncherFindsAJdk22WhenTheDefaultJavaIsOlder(@TempDir Path dir) throws Exception {
        // The launcher rebuilds a jar older than a source; a nested build would rewrite target/ under this one
        java.nio.file.attribute.FileTime built = Files.getLastModifiedTime(jar);
        try (Stream<Path> sources = Stream.concat(Files.walk(Path.of("src/main")), Stream.of(Path.of("pom.xml")))) {
            Assumptions.assumeTrue(sources.filter(Files::isRegularFile).allMatch(f -> {
                try {
                    return Files.getLastModifiedTime(f).compareTo(built) <= 0;
                } catch (IOException e) {
                    return false;
                }
            }), "skipped: a source changed after the jar was built (during this build)");
        }
        Path err = dir.resolve("err");
        List<String> command = new ArrayList<>(List.of("./perf-event", "stat", "-e", "page-faults", "--", "/bin/true"));
        Map<String, String> environment = new java.util.HashMap<>();
        environment.put("JAVA_HOME", null); // the launcher must find one by itself, as .ci/run does
        int status = run(command, err, environment);
        String text = Files.readString(err);
        assertEquals(0, status, text);
        assertTrue(Cli.count(text, "page-faults") > 0, text);
        assertFalse(text.contains("building the jar"), text); // the jar of this build is newer than the sources
        assertFalse(text.contains("WARNING"), text);
    }
}

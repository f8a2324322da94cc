/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test support: runs JMH in a JVM of its own, on a plain class path and with no {@code --enable-native-access}, as a
 * user runs {@code java -jar benchmarks.jar}. Needed because JMH forks with the host's {@code java.class.path} and
 * finds {@code META-INF/BenchmarkList} through the class path, while the test JVM runs the library as a named module
 * (Surefire puts {@code target/classes} and JMH on the module path).
 */
final class JmhJvm {

    /** What a JMH run printed (stdout and stderr, merged) and how it ended. */
    record Outcome(int exitStatus, String output) {

        /** {@return the {@code RESULT|label|score|unit} lines of {@link RunnerMain}, by label} */
        Map<String, Double> results() {
            Map<String, Double> results = new LinkedHashMap<>();
            for (String line : output.split("\n")) {
                String[] f = line.split("\\|");
                if (f.length == 4 && f[0].equals("RESULT")) {
                    results.put(f[1], Double.parseDouble(f[2]));
                }
            }
            return results;
        }
    }

    private JmhJvm() {
    }

    /** {@return the test JVM's module path and class path as one class path: the library, the tests, JMH} */
    static String testClassPath() {
        return System.getProperty("jdk.module.path", "") + File.pathSeparator + System.getProperty("java.class.path");
    }

    /** Runs {@link RunnerMain} with {@code arguments} on the tests' class path. */
    static Outcome runner(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("-cp", testClassPath(), RunnerMain.class.getName()));
        command.addAll(List.of(arguments));
        return java(command, Path.of("target"));
    }

    /**
     * Runs {@code java} with {@code arguments} in {@code directory}, for at most 3 minutes. The only JVM option added
     * is a private {@code java.io.tmpdir}: JMH takes a lock file there ({@code jmh.lock}), which would make a test
     * run and a benchmark run elsewhere on the machine refuse each other, and writes its temporary files there.
     */
    static Outcome java(List<String> arguments, Path directory) throws IOException, InterruptedException {
        Path tmp = Files.createTempDirectory("jmh-tmp");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.io.tmpdir=" + tmp);
        command.addAll(arguments);
        Path log = tmp.resolve("output.log");
        try {
            Process p = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean ended = p.waitFor(3, TimeUnit.MINUTES);
            if (!ended) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(ended, "JMH ended within 3 minutes: " + command + "\n" + output);
            return new Outcome(p.exitValue(), output);
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}

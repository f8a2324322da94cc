/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * README's "Use it in a JMH benchmark" cannot rot: its benchmark is compiled the way its pom fragment compiles it
 * ({@code javac} with {@code --release} and the processor path the fragment names, as maven-compiler-plugin passes them), and
 * its {@code java -jar target/benchmarks.jar ...} line is run (as {@code java -cp ... org.openjdk.jmh.Main}, the
 * jar's main class), on a plain class path with no JVM flag, and must print the rows the README shows and no
 * native-access warning.
 *
 * <p>Why not build a Maven project from the fragment: that needs the library installed in the local repository
 * (which {@code mvn verify} does not do) and the shade plugin there, and takes tens of seconds on a 2-vCPU machine;
 * javac and JMH's launcher do what Maven would, in a few seconds, with nothing but the test class path.
 */
class ReadmeJmhTest {

    private static final String SECTION = "## Use it in a JMH benchmark";

    private Path work;

    @BeforeEach
    void createDirectory() throws IOException {
        work = Files.createTempDirectory("readme-jmh");
    }

    @AfterEach
    void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(work)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** {@return the README's section on JMH} */
    static String section() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n" + SECTION + "\n");
        assertTrue(start >= 0, "README has the section " + SECTION);
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end);
    }

    /** {@return the one code block of the section fenced as {@code language}} */
    static String block(String section, String language) {
        Matcher m = Pattern.compile("(?s)\n```" + language + "\n(.*?)\n```\n").matcher(section);
        assertTrue(m.find(), "a ```" + language + " block");
        String block = m.group(1);
        assertFalse(m.find(), "only one ```" + language + " block");
        return block;
    }

    /** {@return the text of the one element {@code <name>} in {@code xml}} */
    static String element(String xml, String name) {
        Matcher m = Pattern.compile("(?s)<" + name + ">(.*?)</" + name + ">").matcher(xml);
        assertTrue(m.find(), "<" + name + "> in\n" + xml);
        return m.group(1).strip();
    }

    /** {@return the jar on the tests' class path whose file name starts with {@code artifact-}} */
    static String jar(String artifact) {
        return Arrays.stream(JmhJvm.testClassPath().split(File.pathSeparator))
                .filter(p -> Path.of(p).getFileName() != null && Path.of(p).getFileName().toString()
                        .matches(Pattern.quote(artifact) + "-[0-9][^-]*\\.jar"))
                .findFirst().orElseThrow(() -> new AssertionError(artifact + " is not on the test class path"));
    }

    private static String classPath(String... entries) {
        return String.join(File.pathSeparator, entries);
    }

    /** The fragment's compiler settings: {@code --release} and the processor's artifact, as javac options. */
    private static List<String> compilerOptions(String xml, boolean processorPath) {
        String release = element(xml, "release");
        Matcher property = Pattern.compile("\\$\\{(.+)}").matcher(release);
        if (property.matches()) {
            release = element(xml, property.group(1));
        }
        String processor = element(element(element(xml, "annotationProcessorPaths"), "path"), "artifactId");
        assertEquals("jmh-generator-annprocess", processor);
        // What maven-compiler-plugin passes: the processor and its dependencies as -processorpath.
        String jmh = classPath(jar("jmh-core"), jar("jopt-simple"), jar("commons-math3"));
        List<String> options = new ArrayList<>(List.of("--release", release, "-Xlint:none"));
        if (processorPath) {
            options.addAll(List.of("-cp", classPath("target/classes", jmh), "-processorpath",
                    classPath(jar(processor), jmh)));
        } else {
            options.addAll(List.of("-cp", classPath("target/classes", jmh, jar(processor))));
        }
        return options;
    }

    /** Compiles the README's benchmark into {@code classes} and returns its fully qualified name. */
    private String compile(String java, List<String> options, Path classes) throws IOException, InterruptedException {
        Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(java);
        Matcher cls = Pattern.compile("(?m)^public class (\\w+)").matcher(java);
        assertTrue(pkg.find() && cls.find(), "the benchmark has a package and a public class");
        Path source = work.resolve("src").resolve(pkg.group(1).replace('.', '/')).resolve(cls.group(1) + ".java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, java + "\n");
        Files.createDirectories(classes);
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of("-d", classes.toString(), source.toString()));
        args.addFirst(Path.of(System.getProperty("java.home"), "bin", "javac").toString());
        Process javac = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, javac.waitFor(), args + "\n" + out);
        return pkg.group(1) + "." + cls.group(1);
    }

    @Test
    void theBenchmarkCompiledAsDocumentedRunsTheDocumentedCommandAndPrintsTheDocumentedRows() throws Exception {
        String section = section();
        String xml = block(section, "xml");
        assertTrue(xml.contains("<artifactId>perf-event-open</artifactId>"), xml);
        assertEquals(projectVersion(), element(element(xml, "dependency"), "version"), "the library's version");
        Path classes = work.resolve("classes");
        String benchmark = compile(block(section, "java"), compilerOptions(xml, true), classes);
        assertTrue(Files.readString(classes.resolve("META-INF/BenchmarkList")).contains(benchmark),
                "the processor listed the benchmark");

        Matcher command = Pattern.compile("(?m)^java -jar target/benchmarks\\.jar (.*)$").matcher(block(section, "sh"));
        assertTrue(command.find(), "the README runs the benchmarks jar");
        List<String> java = new ArrayList<>(List.of("-cp", classPath(classes.toAbsolutePath().toString(),
                Path.of("target/classes").toAbsolutePath().toString(), jar("jmh-core"), jar("jopt-simple"),
                jar("commons-math3")), "org.openjdk.jmh.Main"));
        List<String> args = new ArrayList<>(List.of(command.group(1).split(" +")));
        for (String time : List.of("-w", "-r")) { // iterations of 100 ms instead of the README's
            assertTrue(args.indexOf(time) >= 0, "the README sets " + time);
            args.set(args.indexOf(time) + 1, "100ms");
        }
        java.addAll(args);
        JmhJvm.Outcome run = JmhJvm.java(java, work);
        assertEquals(0, run.exitStatus(), run.output());
        assertFalse(run.output().contains(PerfEventProfilerJmhTest.NATIVE_ACCESS_WARNING), run.output());

        List<String> rows = block(section, "text").lines().filter(l -> l.contains(":perf.")).toList();
        assertFalse(rows.isEmpty(), "the README shows the profiler's rows");
        for (String row : rows) {
            String label = row.substring(0, row.indexOf(' '));
            String unit = row.substring(row.lastIndexOf(' ') + 1);
            assertTrue(run.output().matches("(?s).*\n" + Pattern.quote(label) + " .* " + Pattern.quote(unit) + "\n.*"),
                    "the run prints the README's row " + label + " (" + unit + "):\n" + run.output());
        }
    }

    @Test
    void withTheProcessorOnlyOnTheClassPathJavac23BuildsNoBenchmarks() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 23,
                "javac " + Runtime.version().feature() + " still runs processors found on the class path");
        String section = section();
        Path classes = work.resolve("classes");
        compile(block(section, "java"), compilerOptions(block(section, "xml"), false), classes);
        assertFalse(Files.exists(classes.resolve("META-INF/BenchmarkList")));
        JmhJvm.Outcome run = JmhJvm.java(List.of("-cp", classPath(classes.toString(), jar("jmh-core"),
                jar("jopt-simple"), jar("commons-math3")), "org.openjdk.jmh.Main"), work);
        assertTrue(run.output().contains("Unable to find the resource: /META-INF/BenchmarkList"), run.output());
        assertTrue(section.contains("`Unable to find the resource: /META-INF/BenchmarkList`"),
                "the README quotes the message");
    }

    /** {@return the version of this project, from pom.xml} */
    private static String projectVersion() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>perf-event-open</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertTrue(m.find(), "pom.xml has the project's version");
        return m.group(1);
    }
}

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.profile.output.FoldedStacks;
import io.github.perfevent.profile.output.TextSummary;
import io.github.perfevent.sys.Gcc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The profiler on real programs: a gcc program whose call structure and CPU split are known, and a Java workload
 * where one method dominates, profiled as a child command, by pid, and in-process; each must end when its target
 * ends and leave nothing behind.
 */
class ProfilerTest {

    /** The frame text of the dominant Java method and of its caller, as HotSpot's perf map names them. */
    static final String HOT = "long io.github.perfevent.profile.ProfiledWorkload.hotLoop(long)_[j]";
    static final String CALLER = "long io.github.perfevent.profile.ProfiledWorkload.callHot(long)_[j]";
    /** How far the profile's share of main -> a -> b may be from the share the program measured. */
    static final double SHARE_TOLERANCE = 0.05;

    @TempDir
    static Path dir;
    private static Path split;

    @BeforeAll
    static void build() throws IOException {
        String gcc = Gcc.unavailableReason();
        if (gcc == null) {
            split = dir.resolve("profile_split");
            Gcc.compile(Path.of("src/test/c/profile_split.c"), split, List.of("-fno-omit-frame-pointer"));
        }
    }

    @Test
    void gccProgramGivesExactlyItsCallStructureWithTheSharesItMeasured() throws Exception {
        Assumptions.assumeTrue(split != null, "gcc is needed to build src/test/c/profile_split.c");
        Path measured = dir.resolve("measured");
        Profile profile;
        try (Profiler profiler = Profiler.command(List.of(split.toString(), "1.5", measured.toString()))
                .frequency(999).start()) {
            assertTrue(profiler.awaitEnd(Duration.ofSeconds(60)), "the recording ends when the command ends");
            profile = profiler.stop();
        }
        assertEquals(0, profile.exitStatus().orElseThrow());
        String[] words = Files.readString(measured).strip().split(" ");
        double measuredShareOfA = Double.parseDouble(words[1])
                / (Double.parseDouble(words[1]) + Double.parseDouble(words[3]));
        long inA = 0;
        long inC = 0;
        Set<List<String>> shapes = new TreeSet<>(ProfilerTest::compareLists);
        for (Map.Entry<List<String>, Long> e : profile.folded(false).stacks().entrySet()) {
            List<String> user = e.getKey().stream().filter(f -> !f.endsWith("_[k]")).toList();
            int main = user.indexOf("main");
            if (main < 0) {
                continue;
            }
            List<String> below = user.subList(main, user.size());
            if (below.contains("a") || below.contains("b") || below.contains("c")) {
                shapes.add(below);
                if (below.contains("c")) {
                    inC += e.getValue();
                } else {
                    inA += e.getValue();
                }
            }
        }
        assertTrue(Set.of(List.of("main", "a", "b"), List.of("main", "a"), List.of("main", "c")).containsAll(shapes),
                "only main;a;b, main;a and main;c: " + shapes);
        assertTrue(shapes.contains(List.of("main", "a", "b")) && shapes.contains(List.of("main", "c")), shapes::toString);
        assertTrue(inA + inC >= 500, "enough samples to measure a share: " + (inA + inC));
        double share = (double) inA / (inA + inC);
        assertEquals(measuredShareOfA, share, SHARE_TOLERANCE, "share of main;a;b: profile " + share
                + ", the program's own CPU clocks " + measuredShareOfA + " (" + inA + " vs " + inC + " samples)");
        assertEquals(profile.accounting().samplesRecorded(), profile.folded(false).total());
    }

    @Test
    void childJvmNamesTheDominantMethodWithItsCallerInFoldedHtmlAndText() throws Exception {
        long fdsBefore = openFds();
        Profile profile;
        int pid;
        try (Profiler profiler = Profiler.command(javaCommand("run", "2")).frequency(499).start()) {
            pid = profiler.commandPid();
            assertTrue(profiler.awaitEnd(Duration.ofSeconds(60)), "the recording ends when the JVM ends");
            profile = profiler.stop();
        }
        assertEquals(0, profile.exitStatus().orElseThrow());
        assertHotMethodOnTop(profile);
        StringBuilder html = new StringBuilder();
        profile.write(Profile.Format.HTML, "test", html);
        assertTrue(html.indexOf(FoldedStacks.escape("hotLoop")) >= 0, "the page holds the hot method");
        StringBuilder text = new StringBuilder();
        profile.write(Profile.Format.TEXT, "test", text);
        String firstRow = text.toString().lines().dropWhile(l -> !l.startsWith("Top ")).skip(2).findFirst()
                .orElseThrow();
        assertTrue(firstRow.endsWith(HOT), "the text summary's first self row: " + firstRow);
        assertTrue(profile.warnings().isEmpty(), profile.warnings()::toString);
        assertFalse(Files.exists(JvmPerfMap.defaultPath(pid)), "the child's perf map is removed once read");
        assertEquals(fdsBefore, openFds(), "every fd is closed");
    }

    @Test
    void thisJvmWorkerThreadProfiledInProcessGivesTheSame() throws Exception {
        Path folded = dir.resolve("inprocess.folded");
        List<String> command = javaCommand("inprocess", "2", folded.toString());
        command.add(1, "--enable-native-access=ALL-UNNAMED");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        FoldedStacks stacks;
        try (var in = Files.newBufferedReader(folded)) {
            stacks = FoldedStacks.read(in);
        }
        assertHotMethodOnTop(stacks);
        assertTrue(out.contains("samples recorded"), out);
        assertFalse(Files.exists(JvmPerfMap.defaultPath(p.pid())), "in-process, the map goes to a temporary file");
    }

    @Test
    void jvmByPidNamedThroughJcmdWhileItRuns() throws Exception {
        Process jvm = new ProcessBuilder(javaCommand("run", "6")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(1000); // the JIT compiles the workload meanwhile
            Profile profile;
            try (Profiler profiler = Profiler.process(jvm.pid()).frequency(499).start()) {
                assertFalse(profiler.awaitEnd(Duration.ofSeconds(2)), "the JVM still runs");
                profile = profiler.stop();
            }
            assertHotMethodOnTop(profile);
            assertFalse(Files.exists(JvmPerfMap.defaultPath(jvm.pid())), "jcmd wrote the map to a temporary file");
        } finally {
            jvm.destroyForcibly().waitFor();
        }
    }

    @Test
    void processByPidEndsWhenItEnds() throws Exception {
        Assumptions.assumeTrue(split != null, "gcc is needed to build src/test/c/profile_split.c");
        Process program = new ProcessBuilder(split.toString(), "1", dir.resolve("byPid").toString()).start();
        try (Profiler profiler = Profiler.process(program.pid()).start()) {
            assertTrue(profiler.awaitEnd(Duration.ofSeconds(60)), "the recording ends when the process ends");
            Profile profile = profiler.stop();
            assertTrue(profile.accounting().samplesRecorded() > 0);
        } finally {
            program.destroyForcibly().waitFor();
        }
    }

    @Test
    void jvmWithoutFramePointersIsWarnedAbout() throws Exception {
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-PreserveFramePointer", "-cp", "target/test-classes", ProfiledWorkload.class.getName(), "run",
                "20").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            for (int i = 0; i < 200 && !JvmPerfMap.isJvm(jvm.pid()); i++) {
                Thread.sleep(50); // until the launcher has loaded libjvm.so
            }
            try (Profiler profiler = Profiler.process(jvm.pid()).start()) {
                assertTrue(profiler.warnings().stream().anyMatch(w -> w.contains("-XX:+PreserveFramePointer")),
                        profiler.warnings()::toString);
            }
        } finally {
            jvm.destroyForcibly().waitFor();
        }
    }

    @Test
    void thisJvmLeavesNoFdMappingOrTemporaryFileBehind() throws Exception {
        long fds = openFds();
        long perfMappings = perfEventMappings();
        Set<String> tmp = perfFilesInTmp();
        Profile profile;
        try (Profiler profiler = Profiler.thisJvm().frequency(999).start()) {
            ProfiledWorkload.work(Duration.ofMillis(300));
            profile = profiler.stop();
        }
        assertTrue(profile.accounting().samplesRecorded() > 0);
        assertTrue(profile.stacks().stream().anyMatch(s -> s.threadName().equals(Thread.currentThread().getName())
                || s.tid() > 0), "samples of this JVM's threads");
        assertEquals(fds, openFds(), "fds");
        assertEquals(perfMappings, perfEventMappings(), "ring buffer mappings");
        assertEquals(tmp, perfFilesInTmp(), "perf maps and temporary files in /tmp");
    }

    @Test
    void formatsByExtensionAndName() {
        assertEquals(Profile.Format.FOLDED, Profile.Format.of(Path.of("a.folded")));
        assertEquals(Profile.Format.FOLDED, Profile.Format.of(Path.of("a.COLLAPSED")));
        assertEquals(Profile.Format.HTML, Profile.Format.of(Path.of("dir/a.html")));
        assertEquals(Profile.Format.HTML, Profile.Format.of(Path.of("a.htm")));
        assertEquals(Profile.Format.TEXT, Profile.Format.of(Path.of("a.txt")));
        assertEquals(Profile.Format.PERF_DATA, Profile.Format.of(Path.of("perf.data")));
        assertEquals(Profile.Format.PPROF, Profile.Format.of(Path.of("cpu.pb.gz")));
        assertEquals(Profile.Format.PPROF, Profile.Format.of(Path.of("cpu.pprof")));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Profile.Format.of(Path.of("a.svg")));
        assertTrue(e.getMessage().contains(".pb.gz"), e.getMessage());
        assertEquals(Profile.Format.FOLDED, Profile.Format.named("Collapsed"));
        assertEquals(Profile.Format.TEXT, Profile.Format.named("txt"));
        assertEquals(Profile.Format.PERF_DATA, Profile.Format.named("perf.data"));
        assertEquals(Profile.Format.PPROF, Profile.Format.named("pprof"));
        assertEquals(Profile.Format.HTML, Profile.Format.named("html"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Profile.Format.named("svg"));
    }

    @Test
    void framePointerFlagIsTheLastOnTheCommandLine() {
        assertEquals(Boolean.TRUE, JvmPerfMap.lastFrameFlag("java\0-XX:+PreserveFramePointer\0Main"));
        assertEquals(Boolean.FALSE, JvmPerfMap.lastFrameFlag("-XX:+PreserveFramePointer -XX:-PreserveFramePointer"));
        assertEquals(Boolean.TRUE, JvmPerfMap.lastFrameFlag("-XX:-PreserveFramePointer\0-XX:+PreserveFramePointer"));
        assertEquals(null, JvmPerfMap.lastFrameFlag("java -XX:+PreserveFramePointerX -jar app.jar"));
        assertTrue(JvmPerfMap.isJvm(ProcessHandle.current().pid()));
        assertFalse(JvmPerfMap.isJvm(Integer.MAX_VALUE));
        assertEquals(Path.of("/tmp/perf-42.map"), JvmPerfMap.defaultPath(42));
    }

    @Test
    void truncatedStacksEndInJavaOrUnnamedCodeOrReachTheLimit() {
        Frame start = new Frame("_start", "/bin/app", Frame.Kind.NATIVE);
        Frame java = new Frame("void App.run()", "/tmp/perf-1.map", Frame.Kind.JIT);
        Frame interpreter = new Frame("Interpreter", "/tmp/perf-1.map", Frame.Kind.INTERPRETER);
        Frame unknown = new Frame(Frame.UNKNOWN_NAME, "//anon", Frame.Kind.UNKNOWN);
        Frame kernel = new Frame("schedule", "[kernel.kallsyms]", Frame.Kind.KERNEL);
        assertFalse(Profiler.isTruncated(List.of(java, start), 2));
        assertFalse(Profiler.isTruncated(List.of(kernel), 1));
        assertFalse(Profiler.isTruncated(List.of(), 0));
        assertTrue(Profiler.isTruncated(List.of(kernel, java), 2));
        assertTrue(Profiler.isTruncated(List.of(start, interpreter), 2));
        assertTrue(Profiler.isTruncated(List.of(start, unknown), 2));
        assertTrue(Profiler.isTruncated(List.of(java, start), 100_000), "at the kernel's limit");
    }

    static long perfEventMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("perf_event")).count();
    }

    /** The files the profiler could leave in /tmp for this JVM: its perf map, and the temporary copies of it. */
    static Set<String> perfFilesInTmp() throws IOException {
        String prefix = "perf-" + ProcessHandle.current().pid();
        try (Stream<Path> files = Files.list(Path.of("/tmp"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    static List<String> javaCommand(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ProfiledWorkload.JVM_OPTIONS);
        command.addAll(List.of("-cp", "target/test-classes:target/classes", ProfiledWorkload.class.getName()));
        command.addAll(List.of(arguments));
        return command;
    }

    static void assertHotMethodOnTop(Profile profile) {
        assertHotMethodOnTop(profile.folded(false));
        assertEquals(HOT, profile.summary().topBySelf(1).getFirst().frame());
    }

    /** The hot method is the top self frame, and its caller directly below it in at least 90% of its stacks. */
    static void assertHotMethodOnTop(FoldedStacks stacks) {
        TextSummary summary = TextSummary.of(stacks);
        assertEquals(HOT, summary.topBySelf(1).getFirst().frame(), () -> summary.topBySelf(5).toString());
        long withHot = 0;
        long withCaller = 0;
        for (Map.Entry<List<String>, Long> e : stacks.stacks().entrySet()) {
            List<String> user = e.getKey().stream().filter(f -> !f.endsWith("_[k]")).toList();
            if (!user.isEmpty() && user.getLast().equals(HOT)) {
                withHot += e.getValue();
                if (user.size() > 1 && user.get(user.size() - 2).equals(CALLER)) {
                    withCaller += e.getValue();
                }
            }
        }
        assertTrue(withHot >= 50, "enough samples of the hot method: " + withHot);
        assertTrue(withCaller >= 0.9 * withHot, "the caller is directly below the hot method in " + withCaller
                + " of " + withHot + " stacks");
    }

    static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static int compareLists(List<String> a, List<String> b) {
        return String.join(";", a).compareTo(String.join(";", b));
    }
}

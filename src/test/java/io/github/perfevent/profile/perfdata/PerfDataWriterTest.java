package io.github.perfevent.profile.perfdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.ChildProcess;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.Target;
import io.github.perfevent.sampling.RecordCursor;
import io.github.perfevent.sampling.RecordType;
import io.github.perfevent.sampling.SampleField;
import io.github.perfevent.sampling.Sampler;
import io.github.perfevent.sampling.SamplerAttrs;
import io.github.perfevent.sampling.Sampling;
import io.github.perfevent.sampling.SideBand;
import io.github.perfevent.sys.Gcc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * perf.data files written from real recordings of the library's {@link Sampler}, read by the real {@code perf}
 * (6.1 here): {@code perf script} lists exactly the samples recorded, {@code perf report} ranks the function that
 * dominates by construction first, two events read, and the JIT case (an anonymous executable mapping named by
 * {@code /tmp/perf-<pid>.map}) gets its symbol. Skipped with the reason when perf or gcc is absent.
 */
class PerfDataWriterTest {

    private static final Event TASK_CLOCK = Event.parse("task-clock");
    private static final Event CPU_CLOCK = Event.parse("cpu-clock");

    @TempDir
    Path directory;

    private final List<Path> perfMaps = new ArrayList<>();

    @BeforeEach
    void requirePerf() {
        String reason;
        try {
            Gcc.Result version = Gcc.run(List.of("perf", "--version"), "", Map.of());
            reason = version.exitCode() == 0 ? null : "perf --version exits with " + version.exitCode();
        } catch (IOException e) {
            reason = "the perf tool is not installed (" + e.getMessage() + ")";
        }
        String why = reason;
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
    }

    @AfterEach
    void removePerfMaps() throws IOException {
        for (Path map : perfMaps) {
            Files.deleteIfExists(map);
        }
    }

    /** perf's output, checked for a clean read: exit 0 and nothing on stderr. */
    private static String perf(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("perf"));
        command.addAll(Arrays.asList(arguments));
        Gcc.Result result = Gcc.run(command, "", Map.of());
        assertEquals(0, result.exitCode(), () -> command + " exited with " + result.exitCode() + ": " + result.stderr());
        assertEquals("", result.stderr().strip(), () -> command + " complained about the file");
        return result.stdout();
    }

    private static PerfDataWriter.Metadata metadata() throws IOException {
        return PerfDataWriter.Metadata.ofThisMachine(List.of("java", "PerfDataWriterTest"));
    }

    /**
     * Everything the sampler delivers until its target has exited, into {@code out}; the TIDs of the samples. The
     * ids of the records go into {@code idsSeen} with their event (the Sampler does not hand out its ids).
     */
    private static List<Integer> copy(Sampler sampler, PerfDataWriter out, Map<Long, Integer> idsSeen)
            throws IOException {
        List<Integer> tids = new ArrayList<>();
        RecordCursor cursor = sampler.cursor();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!sampler.isEnded() && System.nanoTime() < deadline) {
            sampler.await(Duration.ofMillis(100));
            while (sampler.next(cursor)) {
                out.write(cursor);
                if (cursor.recordType() == RecordType.SAMPLE) {
                    tids.add(cursor.tid());
                }
                // every record's id, side-band ones too: perf looks up the event of each (an fd may write a COMM
                // and no sample)
                if (cursor.has(SampleField.IDENTIFIER)) {
                    idsSeen.putIfAbsent(cursor.id(), sampler.eventIndex(cursor.id()));
                }
            }
        }
        assertTrue(sampler.isEnded(), "the target did not end within 30 s");
        return tids;
    }

    private static List<Integer> sorted(List<Integer> values) {
        return values.stream().sorted().toList();
    }

    private static List<Integer> scriptTids(Path file) throws IOException {
        String script = perf("script", "-i", file.toString(), "-F", "tid");
        return script.lines().map(String::strip).filter(l -> !l.isEmpty()).map(Integer::valueOf).toList();
    }

    /** The symbol of the first entry of {@code perf report --stdio --no-children} (highest self overhead). */
    private static String topOfReport(Path file, String... more) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("report", "--stdio", "--no-children", "-i", file.toString()));
        arguments.addAll(Arrays.asList(more));
        String report = perf(arguments.toArray(String[]::new));
        return report.lines().filter(l -> !l.isBlank() && !l.startsWith("#") && l.strip().matches("^\\d.*%.*"))
                .findFirst().orElseThrow(() -> new AssertionError("no entry in the report:\n" + report));
    }

    /**
     * {@code src/test/c/<name>.c} compiled into this test's directory: perf takes every file whose path starts with
     * {@code /tmp/perf-} for a perf map (so not {@code Programs}' {@code /tmp/perf-event-programs...}), and would
     * read no ELF symbols from it.
     */
    private Path compiled(String name) throws IOException {
        String reason = Gcc.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "skipped: " + reason);
        Path program = directory.resolve(name);
        Gcc.compile(Path.of("src/test/c", name + ".c"), program, List.of("-fno-omit-frame-pointer"));
        return program;
    }

    @Test
    void perfScriptListsEverySampleWithItsTidAndPerfReportRanksTheDominantFunctionFirst() throws Exception {
        Path program = compiled("perfdata_hot");
        Sampling sampling = Sampling.period(200_000)
                .sample(SampleField.IP, SampleField.TID, SampleField.TIME, SampleField.CALLCHAIN, SampleField.PERIOD)
                .sideBand(SideBand.COMM_EXEC, SideBand.TASK, SideBand.MMAP);
        Path file = directory.resolve("perf.data");
        List<Integer> tids;
        long written;
        try (Arena arena = Arena.ofConfined();
             ChildProcess child = ChildProcess.prepare(program.toString(), "400");
             Sampler sampler = Sampler.open(TASK_CLOCK, child.target(), sampling)) {
            MemorySegment attr = SamplerAttrs.attr(arena, TASK_CLOCK, true, sampling, Options.defaults());
            try (PerfDataWriter out = PerfDataWriter.create(file,
                    List.of(new PerfDataWriter.EventDescription(attr, "task-clock")), metadata())) {
                assertTrue(out.synthesizeKernel(), "/proc/kallsyms hides its addresses");
                child.start();
                tids = copy(sampler, out, new HashMap<>());
                written = out.samples();
            }
            assertEquals(0, child.waitFor());
        }
        assertEquals(tids.size(), written, "samples counted by the writer");
        assertTrue(tids.size() >= 200, "samples: " + tids.size());
        assertEquals(sorted(tids), sorted(scriptTids(file)), "the TIDs of perf script's samples");
        String top = topOfReport(file);
        assertTrue(top.contains("dominant_hot_loop"), "top of perf report: " + top);
        String header = perf("report", "--header-only", "-i", file.toString());
        assertTrue(header.contains("# cmdline : java PerfDataWriterTest"), header);
        assertTrue(header.contains("# event : name = task-clock,"), header);
    }

    /** A sample of IP, TID, TIME: {@code header, ip, pid, tid, time}. */
    private static MemorySegment sample(long ip, int pid, int tid, long time) {
        MemorySegment s = MemorySegment.ofArray(new long[4]);
        s.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 9);
        s.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, (short) 2);
        s.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 6, (short) 32);
        s.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, ip);
        s.set(java.lang.foreign.ValueLayout.JAVA_INT, 16, pid);
        s.set(java.lang.foreign.ValueLayout.JAVA_INT, 20, tid);
        s.set(java.lang.foreign.ValueLayout.JAVA_LONG, 24, time);
        return s;
    }

    @Test
    void perfOrdersRecordsByTimeItselfAndNamesTheEventAsPerfRecordWould() throws Exception {
        Sampling sampling = Sampling.period(100_000).sample(SampleField.IP, SampleField.TID, SampleField.TIME);
        Path file = directory.resolve("order.data");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = SamplerAttrs.attr(arena, TASK_CLOCK, true, sampling, Options.defaults());
            try (PerfDataWriter out = PerfDataWriter.create(file,
                    List.of(new PerfDataWriter.EventDescription(attr, "task-clock")), metadata())) {
                for (long second : new long[] {5, 3, 4, 1, 2}) {
                    out.write(sample(0x1000 * second, 100, 100, second * 1_000_000_000L), 0);
                }
            }
        }
        String script = perf("script", "-i", file.toString(), "-F", "time,event");
        assertEquals(List.of("1.000000: task-clock:", "2.000000: task-clock:", "3.000000: task-clock:",
                "4.000000: task-clock:", "5.000000: task-clock:"), script.lines().map(String::strip).toList());
    }

    @Test
    void twoEventsWithIdentifierOnBothReadWithEachSampleUnderItsEvent() throws Exception {
        Path program = compiled("perfdata_hot");
        Sampling sampling = Sampling.period(500_000)
                .sample(SampleField.IDENTIFIER, SampleField.IP, SampleField.TID, SampleField.TIME, SampleField.PERIOD)
                .sideBand(SideBand.COMM_EXEC, SideBand.TASK, SideBand.MMAP);
        Path file = directory.resolve("two.data");
        List<Integer> tids;
        Map<Long, Integer> ids = new HashMap<>();
        Map<String, Integer> perEvent = new HashMap<>();
        try (Arena arena = Arena.ofConfined();
             ChildProcess child = ChildProcess.prepare(program.toString(), "300");
             Sampler sampler = Sampler.open(List.of(TASK_CLOCK, CPU_CLOCK), child.target(), sampling,
                     Options.defaults())) {
            MemorySegment taskClock = SamplerAttrs.attr(arena, TASK_CLOCK, true, sampling, Options.defaults());
            MemorySegment cpuClock = SamplerAttrs.attr(arena, CPU_CLOCK, false, sampling, Options.defaults());
            try (PerfDataWriter out = PerfDataWriter.create(file,
                    List.of(new PerfDataWriter.EventDescription(taskClock, "task-clock"),
                            new PerfDataWriter.EventDescription(cpuClock, "cpu-clock")), metadata())) {
                out.synthesizeKernel();
                child.start();
                tids = copy(sampler, out, ids);
                ids.forEach((id, event) -> out.addIds(event, id));
                assertTrue(ids.containsValue(0) && ids.containsValue(1), "samples of both events: " + ids);
            }
            assertEquals(0, child.waitFor());
        }
        String script = perf("script", "-i", file.toString(), "-F", "tid,event");
        Pattern line = Pattern.compile("\\s*(\\d+)\\s+(\\S+):\\s*");
        List<Integer> scriptTids = new ArrayList<>();
        for (String l : script.lines().toList()) {
            Matcher m = line.matcher(l);
            assertTrue(m.matches(), "perf script line: " + l);
            scriptTids.add(Integer.valueOf(m.group(1)));
            perEvent.merge(m.group(2), 1, Integer::sum);
        }
        assertEquals(sorted(tids), sorted(scriptTids));
        assertEquals(Set.of("task-clock", "cpu-clock"), perEvent.keySet(), "events in perf script: " + perEvent);
    }

    @Test
    void anAnonymousExecutableMappingOfARunningProcessIsNamedFromItsPerfMap() throws Exception {
        Path program = compiled("perfdata_jit");
        Process jit = new ProcessBuilder(program.toString()).start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(jit.getInputStream(),
                    StandardCharsets.US_ASCII));
            String[] mapping = stdout.readLine().split(" ");
            long code = Long.parseUnsignedLong(mapping[0], 16);
            int pid = Math.toIntExact(jit.pid());
            Sampling sampling = Sampling.period(200_000)
                    .sample(SampleField.IP, SampleField.TID, SampleField.TIME, SampleField.PERIOD);
            Path file = directory.resolve("jit.data");
            List<Integer> tids = new ArrayList<>();
            try (Arena arena = Arena.ofConfined();
                 Sampler sampler = Sampler.open(TASK_CLOCK, Target.process(pid), sampling)) {
                MemorySegment attr = SamplerAttrs.attr(arena, TASK_CLOCK, true, sampling, Options.defaults());
                try (PerfDataWriter out = PerfDataWriter.create(file,
                        List.of(new PerfDataWriter.EventDescription(attr, "task-clock")), metadata())) {
                    assertTrue(out.synthesizeKernel(), "/proc/kallsyms hides its addresses");
                    int synthesized = out.synthesizeProcess(pid);
                    assertTrue(synthesized >= 3, "COMM and MMAP2 records: " + synthesized);
                    Path map = out.writePerfMap(pid, Long.toHexString(code) + " 100 jitted_leaf_from_the_map\n");
                    perfMaps.add(map);
                    assertEquals(Path.of("/tmp/perf-" + pid + ".map"), map);
                    assertEquals(List.of(map), out.perfMaps());
                    sampler.enable();
                    RecordCursor cursor = sampler.cursor();
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                    while (System.nanoTime() < end) {
                        sampler.await(Duration.ofMillis(50));
                        while (sampler.next(cursor)) {
                            out.write(cursor);
                            tids.add(cursor.recordType() == RecordType.SAMPLE ? cursor.tid() : -1);
                        }
                    }
                    sampler.disable();
                    while (sampler.next(cursor)) {
                        out.write(cursor);
                        tids.add(cursor.recordType() == RecordType.SAMPLE ? cursor.tid() : -1);
                    }
                }
            }
            tids.removeIf(t -> t < 0);
            assertTrue(tids.size() >= 50, "samples: " + tids.size());
            String script = perf("script", "-i", file.toString(), "-F", "tid,ip,sym,dso");
            long named = script.lines().filter(l -> l.contains("jitted_leaf_from_the_map")).count();
            assertEquals(tids.size(), script.lines().count(), script);
            assertTrue(named >= tids.size() * 0.8, named + " of " + tids.size() + " samples named from the map:\n"
                    + script);
            assertTrue(topOfReport(file).contains("jitted_leaf_from_the_map"), topOfReport(file));
        } finally {
            jit.getOutputStream().close();
            assertTrue(jit.waitFor(10, TimeUnit.SECONDS), "the JIT stand-in did not exit");
        }
    }
}

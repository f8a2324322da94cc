/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.Counter;
import io.github.perfevent.Event;
import io.github.perfevent.EventNameException;
import io.github.perfevent.PerfEventException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The profiler driven the way JMH drives it, in this JVM: threads named as JMH names a benchmark's workers fault
 * known numbers of pages between {@code beforeIteration} and {@code afterIteration}, beside threads that must not be
 * counted. (The same profiler run by JMH itself, in a forked JVM: {@link PerfEventProfilerJmhTest}.)
 */
class PerfEventProfilerTest {

    private static final String BENCHMARK = "t.B.m";

    private final List<ExecutorService> threads = new ArrayList<>();

    @AfterEach
    void stopThreads() throws InterruptedException {
        for (ExecutorService e : threads) {
            e.shutdownNow();
            assertTrue(e.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** A started platform thread called {@code name} that runs what it is given. */
    private ExecutorService thread(String name) throws Exception {
        ExecutorService e = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name(name).unstarted(r));
        threads.add(e);
        fault(e, 1); // started, and the faulting code has run once there
        return e;
    }

    private static void fault(ExecutorService thread, int pages) throws Exception {
        thread.submit(() -> PageFaultBenchmark.faultFreshPages(pages)).get();
    }

    static BenchmarkParams params(String benchmark, int threads, List<String> jvmArgs) {
        IterationParams iteration = iteration(IterationType.MEASUREMENT);
        return new BenchmarkParams(benchmark, benchmark + "_generated", true, threads, new int[] {threads},
                List.of(), 1, 0, iteration(IterationType.WARMUP), iteration, Mode.Throughput, new WorkloadParams(),
                TimeUnit.SECONDS, 1, "java", jvmArgs, "25", "vm", "25", "1.37", TimeValue.minutes(1));
    }

    static IterationParams iteration(IterationType type) {
        return new IterationParams(type, 1, TimeValue.milliseconds(100), 1);
    }

    /** {@return what {@code action} printed on {@code System.out}} */
    static String printed(Runnable action) {
        PrintStream out = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, Result> byLabel(Collection<? extends Result> results) {
        Map<String, Result> map = new LinkedHashMap<>();
        for (Result r : results) {
            map.put(r.getLabel(), r);
        }
        return map;
    }

    private static Collection<? extends Result> after(PerfEventProfiler p, BenchmarkParams b, IterationType type,
            long allOps) {
        IterationParams it = iteration(type);
        return p.afterIteration(b, it, new IterationResult(b, it, new IterationResultMetaData(allOps, allOps)));
    }

    @Test
    void countsEachWorkerThreadOnlyDuringMeasurementIterations() throws Exception {
        ExecutorService worker1 = thread(BENCHMARK + "-jmh-worker-1");
        ExecutorService worker2 = thread(BENCHMARK + "-jmh-worker-2");
        ExecutorService notAWorker = thread(BENCHMARK + "-helper");
        ExecutorService otherBenchmark = thread("t.B.mx-jmh-worker-1");
        ExecutorService lookAlike = thread("tXBXm-jmh-worker-1"); // '.' in the benchmark name is not a wildcard
        PerfEventProfiler profiler = new PerfEventProfiler("events=page-faults,task-clock;verbose=true");
        BenchmarkParams b = params(BENCHMARK, 2, List.of());

        profiler.beforeIteration(b, iteration(IterationType.WARMUP));
        fault(worker1, 100);
        fault(worker2, 100);
        assertEquals(List.of(), List.copyOf(after(profiler, b, IterationType.WARMUP, 2)), "warm-up reports nothing");

        String printed = printed(() -> profiler.beforeIteration(b, iteration(IterationType.MEASUREMENT)));
        assertTrue(printed.matches("\\[PerfEventProfiler counts jmh-worker-1 \\(tid \\d+\\), "
                + "jmh-worker-2 \\(tid \\d+\\)\\] "), printed);
        fault(worker1, 30);
        fault(worker2, 70);
        fault(notAWorker, 500);
        fault(otherBenchmark, 500);
        fault(lookAlike, 500);
        PageFaultBenchmark.faultFreshPages(500); // the runner thread itself
        Map<String, Result> results = byLabel(after(profiler, b, IterationType.MEASUREMENT, 50));

        assertEquals(List.of("perf.page-faults", "perf.page-faults.total", "perf.task-clock", "perf.task-clock.total"),
                List.copyOf(results.keySet()), "no .running result: software events are never multiplexed here");
        double total = results.get("perf.page-faults.total").getScore();
        assertTrue(total >= 100 && total < 110, "the two workers' 100 faults and nothing of the others: " + total);
        assertEquals(total / 50, results.get("perf.page-faults").getScore(), 1e-9, "per operation");
        assertEquals("#/op", results.get("perf.page-faults").getScoreUnit());
        assertEquals("ns/op", results.get("perf.task-clock").getScoreUnit());
        assertTrue(results.get("perf.task-clock.total").getScore() > 0);

        profiler.beforeIteration(b, iteration(IterationType.WARMUP));
        fault(worker1, 100);
        assertEquals(List.of(), List.copyOf(after(profiler, b, IterationType.WARMUP, 2)),
                "a warm-up after a measurement reports nothing either");
    }

    @Test
    void withoutWorkersCountsTheThreadsTheRunnerStartsAndNotTheRunner() throws Exception {
        ExecutorService before = thread("started-before");
        PerfEventProfiler profiler = new PerfEventProfiler("events=page-faults");
        BenchmarkParams b = params("t.NoWorkers.m", 1, List.of());

        assertEquals("", printed(() -> profiler.beforeIteration(b, iteration(IterationType.MEASUREMENT))),
                "not verbose");
        PageFaultBenchmark.faultFreshPages(300); // the runner thread itself
        fault(before, 500);
        Thread started = Thread.ofPlatform().start(() -> PageFaultBenchmark.faultFreshPages(40));
        started.join();
        Map<String, Result> results = byLabel(after(profiler, b, IterationType.MEASUREMENT, 10));

        double total = results.get("perf.page-faults.total").getScore();
        assertTrue(total >= 40 && total < 150, "the new thread's 40 faults (and its start), not the runner's 300 or "
                + "the older thread's 500: " + total);
    }

    @Test
    void aWorkerThatHasEndedIsLeftOut() throws Exception {
        ExecutorService worker = thread(BENCHMARK + "-jmh-worker-1");
        Thread ended = Thread.ofPlatform().name(BENCHMARK + "-jmh-worker-2").start(() -> { });
        ended.join();
        List<Thread> live = List.of(PerfEventProfiler.workers(BENCHMARK).getFirst(), ended);
        try (IterationCounters counters = IterationCounters.onThreads(List.of("page-faults"),
                List.of(Event.parse("page-faults")), live, BENCHMARK)) {
            assertEquals(1, counters.counted().size(), counters.counted().toString());
            assertTrue(counters.counted().getFirst().startsWith("jmh-worker-1 (tid "), counters.counted().toString());
            counters.enable();
            fault(worker, 20);
            EventTally tally = counters.stop().getFirst();
            assertTrue(tally.value() >= 20 && tally.value() < 30, tally.toString());
            assertEquals(tally.value(), tally.scaledValue(), tally.toString());
            assertTrue(tally.timeEnabled() > 0, tally.toString());
            assertEquals(tally.timeEnabled(), tally.timeRunning(), "software events are never multiplexed: " + tally);
            fault(worker, 20);
            assertEquals(tally, counters.stop().getFirst(), "stop() stopped the counters: later work is not counted");
        }
    }

    @Test
    void stopStopsTheThreadsTheCallerStartedBeforeReading() throws Exception {
        try (IterationCounters counters = IterationCounters.onThreadsStartedByCaller(List.of("page-faults"),
                List.of(Event.parse("page-faults")))) {
            counters.enable();
            ExecutorService started = thread("started-during");
            fault(started, 20);
            EventTally tally = counters.stop().getFirst();
            assertTrue(tally.value() >= 20, tally.toString());
            assertTrue(tally.timeEnabled() > 0, tally.toString());
            fault(started, 20);
            PageFaultBenchmark.faultFreshPages(50);
            assertEquals(tally, counters.stop().getFirst(), "stop() stopped both counters");
        }
    }

    @Test
    void aRefusedEventClosesTheCountersAlreadyOpen() throws Exception {
        Assumptions.assumeTrue(refusesCycles(), "this machine counts cycles (it has a hardware PMU)");
        thread(BENCHMARK + "-jmh-worker-1");
        List<Event> events = List.of(Event.parse("page-faults"), Event.parse("cycles"));
        long fds = openFds();
        assertThrows(PerfEventException.class, () -> IterationCounters.onThreads(List.of("page-faults", "cycles"),
                events, PerfEventProfiler.workers(BENCHMARK), BENCHMARK), "ENOENT is not taken for an ended thread");
        assertEquals(fds, openFds(), "on worker threads");
        assertThrows(PerfEventException.class, () -> IterationCounters.onThreadsStartedByCaller(
                List.of("page-faults", "cycles"), events));
        assertEquals(fds, openFds(), "on the calling thread");
    }

    @Test
    void theProfilerLeavesNoDescriptorOpen() throws Exception {
        thread(BENCHMARK + "-jmh-worker-1");
        PerfEventProfiler profiler = new PerfEventProfiler("events=page-faults,task-clock");
        BenchmarkParams b = params(BENCHMARK, 1, List.of());
        long fds = openFds();
        profiler.beforeIteration(b, iteration(IterationType.WARMUP));
        assertEquals(fds, openFds(), "the first iteration's check closes what it opened");
        profiler.beforeIteration(b, iteration(IterationType.MEASUREMENT));
        assertEquals(fds + 2, openFds(), "one counter of each event on the worker");
        profiler.beforeIteration(b, iteration(IterationType.MEASUREMENT)); // JMH never called afterIteration
        assertEquals(fds + 2, openFds(), "the counters of an iteration without results are closed at the next");
        after(profiler, b, IterationType.MEASUREMENT, 1);
        assertEquals(fds, openFds(), "afterIteration closes them");
        assertEquals(List.of(), List.copyOf(after(profiler, b, IterationType.MEASUREMENT, 1)), "nothing is open");
    }

    private static boolean refusesCycles() {
        try {
            Counter.open(Event.parse("cycles")).close();
            return false;
        } catch (PerfEventException e) {
            return true;
        }
    }

    /** {@return the number of open file descriptors of this process} */
    static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // the listing's own
        }
    }

    @Test
    void workersAreFoundByNameInTheirOrder() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int n = 1; n <= 12; n++) {
            expected.add(BENCHMARK + "-jmh-worker-" + n);
        }
        for (String name : expected.reversed()) { // 12 threads in any order but 1..12 by chance: 1 in 12!
            thread(name);
        }
        thread(BENCHMARK + "-jmh-worker-x");
        thread("prefix-" + BENCHMARK + "-jmh-worker-3");
        thread(BENCHMARK + "-jmh-worker-1234567890123456789"); // not a number JMH gives: 19 digits
        assertEquals(expected, PerfEventProfiler.workers(BENCHMARK).stream().map(Thread::getName).toList());
    }

    @Test
    void anUnknownEventFailsTheFirstIterationWithTheLibrarysMessage() throws Exception {
        String libraryMessage = assertThrows(EventNameException.class, () -> Event.parse("page-fualts")).getMessage();
        PerfEventProfiler profiler = new PerfEventProfiler("events=page-faults,page-fualts");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> profiler.beforeIteration(params(BENCHMARK, 1, List.of()), iteration(IterationType.WARMUP)));
        assertTrue(e.getMessage().contains(libraryMessage), e.getMessage());
        assertTrue(e.getMessage().contains("PerfEventProfiler cannot count 'page-fualts'"), e.getMessage());
        assertInstanceOf(EventNameException.class, e.getCause());
    }

    @Test
    void anEventTheKernelRefusesFailsTheFirstIterationWithTheLibrarysHint() throws Exception {
        PerfEventException refusal;
        try {
            Counter.open(Event.parse("cycles")).close();
            Assumptions.abort("this machine counts cycles (it has a hardware PMU): no refusal to show");
            return;
        } catch (PerfEventException e) {
            refusal = e;
        }
        PerfEventProfiler profiler = new PerfEventProfiler("events=task-clock,cycles");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> profiler.beforeIteration(params(BENCHMARK, 1, List.of()), iteration(IterationType.WARMUP)));
        assertTrue(e.getMessage().contains("PerfEventProfiler cannot count 'cycles' here: " + refusal.getMessage()),
                e.getMessage());
        assertEquals(refusal.errno(), assertInstanceOf(PerfEventException.class, e.getCause()).errno());
    }

    @Test
    void virtualThreadExecutorIsRefused() throws Exception {
        PerfEventProfiler profiler = new PerfEventProfiler("");
        System.setProperty("jmh.executor", "VIRTUAL");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> profiler.beforeIteration(params(BENCHMARK, 1, List.of()),
                            iteration(IterationType.WARMUP)));
            assertTrue(e.getMessage().contains("-Djmh.executor=VIRTUAL"), e.getMessage());
            assertTrue(e.getMessage().contains("carrier"), e.getMessage());
        } finally {
            System.clearProperty("jmh.executor");
        }
    }

    @Test
    void optionsAreCheckedInTheConstructorWithTheirMessage() {
        assertEquals(ProfilerSettings.HELP,
                assertThrows(ProfilerException.class, () -> new PerfEventProfiler("help")).getMessage());
        ProfilerException e = assertThrows(ProfilerException.class, () -> new PerfEventProfiler("event=cycles"));
        assertTrue(e.getMessage().startsWith("unknown option 'event'"), e.getMessage());
    }

    @Test
    void theDescriptionSaysHowToGetTheOptions() throws ProfilerException {
        String description = new PerfEventProfiler().getDescription();
        assertTrue(description.contains("io.github.perfevent.jmh.PerfEventProfiler:help"), description);
    }

    @Test
    void theForkGetsNativeAccessForTheClassPathUnlessItHasIt() throws ProfilerException {
        PerfEventProfiler profiler = new PerfEventProfiler();
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED"),
                List.copyOf(profiler.addJVMOptions(params(BENCHMARK, 1, List.of("-Xmx1g")))));
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED"), List.copyOf(profiler.addJVMOptions(
                params(BENCHMARK, 1, List.of("--enable-native-access=io.github.perfevent")))),
                "JMH forks with -cp: the library is not the named module there");
        assertEquals(List.of(), List.copyOf(profiler.addJVMOptions(
                params(BENCHMARK, 1, List.of("--enable-native-access=java.base,ALL-UNNAMED")))));
        assertEquals(List.of(), List.copyOf(profiler.addJVMInvokeOptions(params(BENCHMARK, 1, List.of()))));
    }

    @Test
    void nativeAccessIsRecognisedInBothSpellings() {
        String m = "io.github.perfevent";
        assertTrue(PerfEventProfiler.grantsNativeAccess(List.of("--enable-native-access=" + m), m));
        assertTrue(PerfEventProfiler.grantsNativeAccess(List.of("-ea", "--enable-native-access", "a," + m), m));
        assertTrue(!PerfEventProfiler.grantsNativeAccess(List.of("--enable-native-access=" + m + "x"), m));
        assertTrue(!PerfEventProfiler.grantsNativeAccess(List.of("--enable-native-access"), m));
        assertTrue(!PerfEventProfiler.grantsNativeAccess(List.of("--enable-native-access-x=" + m), m));
        assertTrue(!PerfEventProfiler.grantsNativeAccess(List.of(m), m));
    }

    @Test
    void theForkedJvmsOutputIsShownAndTheTrialAddsNoResults() throws ProfilerException {
        PerfEventProfiler profiler = new PerfEventProfiler();
        assertTrue(profiler.allowPrintOut());
        assertTrue(profiler.allowPrintErr());
        profiler.beforeTrial(params(BENCHMARK, 1, List.of()));
        assertEquals(List.of(), List.copyOf(profiler.afterTrial(null, 1, null, null)));
    }
}

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.Event;
import io.github.perfevent.EventNameException;
import org.junit.jupiter.api.Test;

/**
 * The profiler run by JMH itself, through its {@code Runner} API ({@link RunnerMain}), with a forked JVM as users
 * run it, on {@link PageFaultBenchmark}: 100 page faults per operation in warm-up, 1 in measurement, while another
 * thread of the forked JVM faults pages all the time. The host JVM gets no {@code --enable-native-access}.
 */
class PerfEventProfilerJmhTest {

    private static final String FAULT_PAGES = PageFaultBenchmark.class.getName() + ".faultPages$";
    private static final String FAULT_PAGES_QUIETLY = PageFaultBenchmark.class.getName() + ".faultPagesQuietly$";

    /** The native-access warning of JDK 22-25 starts with this; no JVM of the run may print it. */
    static final String NATIVE_ACCESS_WARNING = "WARNING: A restricted method";

    @Test
    void aForkedRunReportsOnePageFaultPerOperationOfTheWorkersInMeasurement() throws Exception {
        JmhJvm.Outcome run = JmhJvm.runner("include=" + FAULT_PAGES, "prof=events=page-faults,task-clock;verbose=true",
                "forks=1", "threads=2", "warmups=2", "iterations=3", "millis=200");
        assertEquals(0, run.exitStatus(), run.output());
        double perOp = run.results().get("perf.page-faults");
        assertTrue(perOp >= 0.9 && perOp <= 1.2, "page faults per operation " + perOp + "\n" + run.output());
        assertTrue(run.results().get("perf.page-faults.total") > 0, run.output());
        assertTrue(run.results().get("perf.task-clock") > 0, run.output());
        assertTrue(run.output().matches("(?s).*Iteration   1: \\[PerfEventProfiler counts jmh-worker-1 \\(tid \\d+\\), "
                + "jmh-worker-2 \\(tid \\d+\\)\\] .*"), "both workers counted:\n" + run.output());
        assertFalse(run.output().contains(NATIVE_ACCESS_WARNING), run.output());
        assertFalse(run.output().contains("--enable-native-access"), run.output());
    }

    @Test
    void withoutWarmUpTheFirstIterationCountsTheWorkersTheRunnerStarts() throws Exception {
        JmhJvm.Outcome run = JmhJvm.runner("include=" + FAULT_PAGES_QUIETLY, "prof=events=page-faults;verbose=true",
                "forks=1", "threads=2", "warmups=0", "iterations=2", "millis=200");
        assertEquals(0, run.exitStatus(), run.output());
        assertTrue(run.output().contains("Iteration   1: [PerfEventProfiler counts threads started by "),
                run.output());
        assertTrue(run.output().contains("Iteration   2: [PerfEventProfiler counts jmh-worker-1 (tid "),
                run.output());
        double perOp = run.results().get("perf.page-faults");
        assertTrue(perOp >= 0.9 && perOp <= 1.2, "page faults per operation " + perOp + "\n" + run.output());
    }

    @Test
    void anUnknownEventFailsTheForkedRunWithTheLibrarysMessage() throws Exception {
        String libraryMessage = assertThrows(EventNameException.class, () -> Event.parse("page-fualts")).getMessage();
        JmhJvm.Outcome run = JmhJvm.runner("include=" + FAULT_PAGES, "prof=events=page-fualts", "forks=1",
                "warmups=1", "iterations=1");
        assertEquals(1, run.exitStatus(), run.output());
        assertTrue(run.output().contains("Warmup Iteration   1: <failure>"), "before any warm-up:\n" + run.output());
        assertTrue(run.output().contains("PerfEventProfiler cannot count 'page-fualts' here: " + libraryMessage),
                run.output());
        assertFalse(run.output().contains("RESULT|"), run.output());
    }

    @Test
    void virtualWorkerThreadsFailTheForkedRun() throws Exception {
        JmhJvm.Outcome run = JmhJvm.runner("include=" + FAULT_PAGES_QUIETLY, "prof=events=page-faults", "forks=1",
                "warmups=1", "iterations=1", "jvmArg=-Djmh.executor=VIRTUAL");
        assertEquals(1, run.exitStatus(), run.output());
        assertTrue(run.output().contains("cannot count benchmarks run by virtual threads (-Djmh.executor=VIRTUAL)"),
                run.output());
    }

    @Test
    void aMalformedOptionStopsTheRunInTheHostBeforeAnyFork() throws Exception {
        JmhJvm.Outcome run = JmhJvm.runner("include=" + FAULT_PAGES, "prof=events=page-faults;verbose=yes");
        assertEquals(1, run.exitStatus(), run.output());
        assertTrue(run.output().contains("option 'verbose' is true or false, not 'yes'"), run.output());
        assertFalse(run.output().contains("# Fork:"), run.output());
    }
}

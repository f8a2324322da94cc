/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.results.ThroughputResult;
import org.openjdk.jmh.runner.IterationType;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.ScalarResult;

/**
 * The results of an iteration from fabricated tallies: this machine has no hardware PMU, and software events are
 * never multiplexed, so the scaled and multiplexed case is fed by hand.
 */
class EventTallyTest {

    private static String describe(ScalarResult r) {
        return r.getLabel() + "=" + r.getScore() + " " + r.getScoreUnit();
    }

    @Test
    void aCountIsReportedPerOperationAndInTotal() {
        List<ScalarResult> results = EventTally.results(List.of(new EventTally("page-faults", 250, 250, 10, 10)), 100);
        assertEquals(List.of("perf.page-faults=2.5 #/op", "perf.page-faults.total=250.0 #"),
                results.stream().map(EventTallyTest::describe).toList());
        // per operation averaged over iterations, totals summed over them (as JMH's gc.alloc.rate.norm / gc.count)
        Map<String, Result> run = acrossIterations(
                EventTally.results(List.of(new EventTally("page-faults", 2, 2, 1, 1)), 1),
                EventTally.results(List.of(new EventTally("page-faults", 4, 4, 1, 1)), 1));
        assertEquals(3.0, run.get("perf.page-faults").getScore());
        assertEquals(6.0, run.get("perf.page-faults.total").getScore());
    }

    /** {@return the secondary results of a benchmark of two measurement iterations, as JMH aggregates them} */
    private static Map<String, Result> acrossIterations(List<ScalarResult> first, List<ScalarResult> second) {
        BenchmarkParams b = PerfEventProfilerTest.params("t.B.m", 1, List.of());
        IterationParams it = PerfEventProfilerTest.iteration(IterationType.MEASUREMENT);
        List<IterationResult> iterations = new ArrayList<>();
        for (List<ScalarResult> results : List.of(first, second)) {
            IterationResult r = new IterationResult(b, it, new IterationResultMetaData(1, 1));
            r.addResult(new ThroughputResult(ResultRole.PRIMARY, "m", 1, 1, TimeUnit.SECONDS));
            r.addResults(results);
            iterations.add(r);
        }
        return new BenchmarkResult(b, iterations).getSecondaryResults();
    }

    @Test
    void aMultiplexedEventIsScaledAndItsRunningPercentageReported() {
        EventTally cycles = new EventTally("cycles", 1_000, 4_000, 2_000_000, 500_000);
        assertTrue(cycles.multiplexed());
        List<ScalarResult> results = EventTally.results(List.of(cycles), 1_000);
        assertEquals(List.of("perf.cycles=4.0 #/op", "perf.cycles.total=4000.0 #", "perf.cycles.running=25.0 %"),
                results.stream().map(EventTallyTest::describe).toList());
        Map<String, Result> run = acrossIterations(results,
                EventTally.results(List.of(new EventTally("cycles", 1_000, 2_000, 2_000_000, 1_000_000)), 1_000));
        assertEquals(37.5, run.get("perf.cycles.running").getScore(), "averaged over iterations");
    }

    @Test
    void anEventThatRanAllItsEnabledTimeIsNotMultiplexed() {
        assertFalse(new EventTally("cycles", 5, 5, 7, 7).multiplexed());
        assertTrue(new EventTally("cycles", 5, 5, 7, 6).multiplexed());
    }

    @Test
    void withoutOperationsOnlyTheTotalIsReported() {
        assertEquals(List.of("perf.task-clock.total=7.0 ns"),
                EventTally.results(List.of(new EventTally("task-clock", 7, 7, 7, 7)), 0).stream()
                        .map(EventTallyTest::describe).toList());
    }

    @Test
    void clockEventsCountNanosecondsWhateverTheirModifiers() {
        assertEquals("ns", new EventTally("task-clock", 0, 0, 0, 0).unit());
        assertEquals("ns", new EventTally("cpu-clock:u", 0, 0, 0, 0).unit());
        assertEquals("#", new EventTally("page-faults:u", 0, 0, 0, 0).unit());
        assertEquals("#", new EventTally("sched:sched_switch", 0, 0, 0, 0).unit());
        assertEquals("#", new EventTally("task-clocks", 0, 0, 0, 0).unit());
    }
}

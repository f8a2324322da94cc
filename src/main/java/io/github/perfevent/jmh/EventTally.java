/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.ScalarResult;

/**
 * What one event counted in one measurement iteration, summed over the threads counted: the raw count, the count
 * scaled for multiplexing ({@code value × enabled / running}, per thread, then summed), and the nanoseconds the
 * event was enabled and actually running on the PMU (summed too).
 *
 * @param name the event as the user wrote it
 * @param value the raw count
 * @param scaledValue the count scaled for the time the event was not running
 * @param timeEnabled nanoseconds enabled
 * @param timeRunning nanoseconds running
 */
record EventTally(String name, long value, long scaledValue, long timeEnabled, long timeRunning) {

    /** The prefix of every result label, so that they stand apart from JMH's own ({@code gc.}, perfnorm's). */
    static final String LABEL_PREFIX = "perf.";

    /** {@return whether the kernel multiplexed the event: it ran for less than the time it was enabled} */
    boolean multiplexed() {
        return timeRunning < timeEnabled;
    }

    /** {@return the unit of a count: nanoseconds for the clock events, a plain number for the others} */
    String unit() {
        String base = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
        return switch (base) {
            case "task-clock", "cpu-clock" -> "ns";
            default -> "#";
        };
    }

    /**
     * The JMH results of one iteration: for each event, {@code perf.E} per operation ({@link AggregationPolicy#AVG}
     * over iterations, as JMH's {@code gc.alloc.rate.norm}), {@code perf.E.total} ({@link AggregationPolicy#SUM}:
     * the count over all measurement iterations, as {@code gc.count}), and, when the kernel multiplexed it,
     * {@code perf.E.running}, the percentage of the enabled time it was counted ({@code AVG}; perf stat's
     * {@code (xx.xx%)}). Counts are the scaled values, which equal the raw ones when nothing was multiplexed.
     *
     * @param tallies one per event
     * @param allOps the operations of the iteration, all of them (JMH's {@code getAllOps()}: the threads' work
     *     while they synchronise their start and stop is counted too); no per-operation result when 0
     * @return the results, in the order of the events
     */
    static List<ScalarResult> results(List<EventTally> tallies, long allOps) {
        List<ScalarResult> results = new ArrayList<>();
        for (EventTally t : tallies) {
            String label = LABEL_PREFIX + t.name();
            if (allOps > 0) {
                results.add(new ScalarResult(label, (double) t.scaledValue() / allOps, t.unit() + "/op",
                        AggregationPolicy.AVG));
            }
            results.add(new ScalarResult(label + ".total", t.scaledValue(), t.unit(), AggregationPolicy.SUM));
            if (t.multiplexed()) {
                // multiplexed: enabled > running >= 0
                results.add(new ScalarResult(label + ".running", 100.0 * t.timeRunning() / t.timeEnabled(), "%",
                        AggregationPolicy.AVG));
            }
        }
        return results;
    }
}

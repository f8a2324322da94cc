/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Test support: runs one benchmark through JMH's {@link Runner} API, in a JVM of its own that {@link JmhJvm} starts
 * on a plain class path, with no native access (as {@code java -jar benchmarks.jar} runs). Arguments are
 * {@code key=value}: {@code include} (a regex), {@code prof} (the profiler's options), {@code forks},
 * {@code threads}, {@code warmups}, {@code iterations}, {@code millis} (per iteration), {@code jvmArg} (one
 * option for the fork). Prints {@code RESULT|label|score|unit} for each secondary result and exits 0, or exits 1
 * after printing the {@link RunnerException}.
 */
public final class RunnerMain {

    private RunnerMain() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code key=value} arguments
     */
    public static void main(String[] args) {
        Map<String, String> a = new TreeMap<>();
        for (String arg : args) {
            a.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        TimeValue time = new TimeValue(Long.parseLong(a.getOrDefault("millis", "100")), TimeUnit.MILLISECONDS);
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(a.get("include"))
                .addProfiler(PerfEventProfiler.class, a.getOrDefault("prof", ""))
                .forks(Integer.parseInt(a.getOrDefault("forks", "1")))
                .threads(Integer.parseInt(a.getOrDefault("threads", "1")))
                .warmupIterations(Integer.parseInt(a.getOrDefault("warmups", "2")))
                .warmupTime(time)
                .measurementIterations(Integer.parseInt(a.getOrDefault("iterations", "3")))
                .measurementTime(time)
                .shouldFailOnError(true);
        if (a.containsKey("jvmArg")) {
            options.jvmArgsAppend(a.get("jvmArg"));
        }
        try {
            for (RunResult run : new Runner(options.build()).run()) {
                for (Map.Entry<String, Result> r : run.getSecondaryResults().entrySet()) {
                    System.out.println("RESULT|" + r.getKey() + "|" + r.getValue().getScore() + "|"
                            + r.getValue().getScoreUnit());
                }
            }
        } catch (RunnerException e) {
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }
}

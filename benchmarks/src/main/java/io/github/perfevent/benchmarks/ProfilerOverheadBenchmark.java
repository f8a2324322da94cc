/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.benchmarks;

import io.github.perfevent.profile.Profiler;
import java.util.concurrent.TimeUnit;
import one.profiler.AsyncProfiler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What profiling costs a CPU-bound Java workload: its throughput with no profiler, with this library's
 * {@link Profiler} on the whole JVM ({@code cpu-clock} with callchains, the default 99 Hz and 1 kHz), and with
 * async-profiler's {@code cpu} mode at the same rates, each for the whole trial, in the same run. The profile itself
 * is built after the trial (outside the measurement), as a user's would be at the end.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+PreserveFramePointer"})
public class ProfilerOverheadBenchmark {

    /** Which profiler runs during the trial, and at what rate. */
    @Param({"none", "perf-event-99", "perf-event-1000", "async-profiler-99", "async-profiler-1000"})
    public String profiler;

    private Profiler ours;
    private AsyncProfiler theirs;
    private final int[] data = new int[16_384];

    /** Fills the data and starts the profiler. */
    @Setup(Level.Trial)
    public void start() throws Exception {
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0x9E3779B9;
        }
        if (profiler.startsWith("perf-event-")) {
            ours = Profiler.thisJvm().frequency(Long.parseLong(profiler.substring("perf-event-".length()))).start();
        } else if (profiler.startsWith("async-profiler-")) {
            long hertz = Long.parseLong(profiler.substring("async-profiler-".length()));
            theirs = AsyncProfiler.getInstance();
            theirs.execute("start,event=cpu,interval=" + 1_000_000_000L / hertz);
        }
    }

    /** Stops the profiler and builds its profile, as a user would. */
    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (ours != null) {
            ours.stop();
        }
        if (theirs != null) {
            theirs.execute("stop");
        }
    }

    /** The workload: a hash over 16 Ki ints (about 10 µs). */
    @Benchmark
    public int work() {
        int h = 0;
        for (int v : data) {
            h = Integer.rotateLeft(h ^ v, 5) * 0x27d4eb2d;
        }
        return h;
    }
}

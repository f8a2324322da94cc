/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.benchmarks;

import static io.github.perfevent.benchmarks.Fixtures.FLAGS;
import static io.github.perfevent.benchmarks.Fixtures.N;

import io.github.perfevent.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The raw layer ({@link Syscalls}) against the same system calls made from C, in pairs:
 * {@code <op>_java} makes one operation per invocation through {@code Syscalls}; {@code <op>_c} calls the C baseline
 * once, which makes the operation {@link Fixtures#N} times ({@code @OperationsPerInvocation(N)}), so the single FFM
 * call into C is amortised and the score is the cost of the operation from C. Java/C is the overhead of the raw layer
 * (FFM downcall, errno capture, thread-local lookup, argument checks).
 *
 * <p>Operations, all on {@code task-clock} of the benchmark thread (a software event: no PMU needed):
 * <ul>
 *   <li>{@code read}: {@code read(2)} of an enabled counter, 8 bytes into a preallocated native segment;</li>
 *   <li>{@code enableDisable}: {@code PERF_EVENT_IOC_ENABLE} then {@code PERF_EVENT_IOC_DISABLE} (one op = both);</li>
 *   <li>{@code openClose}: {@code perf_event_open(2)} then {@code close(2)} of the new fd (one op = both).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RawLayerBenchmark {

    private Arena arena;
    /** task-clock, created disabled: what openClose opens. */
    private MemorySegment attr;
    /** Where read puts the count. */
    private MemorySegment value;
    /** An enabled task-clock counter of this thread: what read reads. */
    private int readFd = -1;
    /** A task-clock counter of this thread that enableDisable toggles (left disabled after each op). */
    private int toggleFd = -1;

    /** Opens the fixture fds on the benchmark thread and checks that every benchmarked path succeeds. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        attr = Fixtures.taskClock(arena);
        value = arena.allocate(ValueLayout.JAVA_LONG);
        readFd = Fixtures.open(attr);
        Fixtures.check(Syscalls.enable(readFd, 0), 0, "enable(readFd)");
        toggleFd = Fixtures.open(attr);

        Fixtures.check(Syscalls.read(readFd, value), Long.BYTES, "Syscalls.read");
        Fixtures.check(CBaseline.readLoop(readFd, value, N), (long) N * Long.BYTES, "c_read_loop");
        Fixtures.check(Syscalls.enable(toggleFd, 0), 0, "Syscalls.enable");
        Fixtures.check(Syscalls.disable(toggleFd, 0), 0, "Syscalls.disable");
        Fixtures.check(CBaseline.enableDisableLoop(toggleFd, N), 0, "c_enable_disable_loop");
        int fd = Syscalls.perfEventOpen(attr, 0, -1, -1, FLAGS);
        Fixtures.checkOk(fd, "Syscalls.perfEventOpen");
        Fixtures.check(Syscalls.close(fd), 0, "Syscalls.close");
        Fixtures.checkOk(CBaseline.openCloseLoop(attr, 0, -1, -1, FLAGS, N), "c_open_close_loop");
    }

    /** Closes the fixture fds. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (toggleFd >= 0) {
            Syscalls.close(toggleFd);
        }
        if (readFd >= 0) {
            Syscalls.close(readFd);
        }
        arena.close();
    }

    /** {@code Syscalls.read}: one 8-byte read of an enabled software counter. */
    @Benchmark
    public long read_java() {
        return Syscalls.read(readFd, value);
    }

    /** The same read, {@link Fixtures#N} times in C. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long read_c() {
        return CBaseline.readLoop(readFd, value, N);
    }

    /** {@code Syscalls.enable} then {@code Syscalls.disable}. */
    @Benchmark
    public void enableDisable_java(Blackhole bh) {
        bh.consume(Syscalls.enable(toggleFd, 0));
        bh.consume(Syscalls.disable(toggleFd, 0));
    }

    /** The same two ioctls, {@link Fixtures#N} times in C. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long enableDisable_c() {
        return CBaseline.enableDisableLoop(toggleFd, N);
    }

    /** {@code Syscalls.perfEventOpen} then {@code Syscalls.close} of the new fd. */
    @Benchmark
    public void openClose_java(Blackhole bh) {
        int fd = Syscalls.perfEventOpen(attr, 0, -1, -1, FLAGS);
        bh.consume(fd);
        bh.consume(Syscalls.close(fd));
    }

    /** The same open and close, {@link Fixtures#N} times in C. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long openClose_c() {
        return CBaseline.openCloseLoop(attr, 0, -1, -1, FLAGS, N);
    }
}

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.benchmarks;

import static io.github.perfevent.benchmarks.Fixtures.N;

import io.github.perfevent.Counter;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.Reading;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

/**
 * The safe layer's {@link Counter#read()} and {@link Counter#read(Reading)} against the raw {@link Syscalls#read} and
 * against C, all reading <em>the same fd</em>: an enabled {@code task-clock} {@link Counter} of the benchmark thread
 * with the default read format (value, time enabled, time running: 24 bytes). {@code read24_c} makes the same
 * 24-byte {@code read(2)} {@link Fixtures#N} times per FFM call, so its score is the system call from C.
 * Counter/C is what the safe layer costs on top of the kernel: the lock, the closed check, the size check and the
 * decoding.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SafeLayerBenchmark {

    private static final long READ_BYTES = 3 * Long.BYTES;

    private Counter counter;
    private Reading reading;
    private Arena arena;
    private MemorySegment buffer;
    private int fd;

    /** Opens and enables the counter on the benchmark thread and checks that every benchmarked path works. */
    @Setup(Level.Trial)
    public void setUp() {
        counter = Counter.open(Event.Software.TASK_CLOCK.event(), Target.currentThread(),
                Options.defaults().excludeKernel(true).excludeHv(true));
        counter.enable();
        reading = new Reading();
        arena = Arena.ofConfined();
        buffer = arena.allocate(READ_BYTES, Long.BYTES);
        fd = counter.fd(0);
        Fixtures.check(Syscalls.read(fd, buffer), READ_BYTES, "Syscalls.read of the counter's fd");
        Fixtures.check(CBaseline.readLoop(fd, buffer, N), N * READ_BYTES, "c_read_loop of the counter's fd");
        if (counter.read() <= 0 || counter.read(reading).timeEnabled() <= 0) {
            throw new IllegalStateException("the counter does not count: " + counter.read(reading));
        }
    }

    /** Closes the counter and the buffer. */
    @TearDown(Level.Trial)
    public void tearDown() {
        counter.close();
        arena.close();
    }

    /** {@code Counter.read()}: the count. */
    @Benchmark
    public long counterRead_java() {
        return counter.read();
    }

    /** {@code Counter.read(Reading)}: count, times and scaled value into a reused holder. */
    @Benchmark
    public long counterReadReading_java() {
        return counter.read(reading).scaledValue();
    }

    /** {@code Syscalls.read} of the same fd, 24 bytes: the raw layer under the counter. */
    @Benchmark
    public long rawRead24_java() {
        return Syscalls.read(fd, buffer);
    }

    /** The same 24-byte read, {@link Fixtures#N} times in C. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long read24_c() {
        return CBaseline.readLoop(fd, buffer, N);
    }
}

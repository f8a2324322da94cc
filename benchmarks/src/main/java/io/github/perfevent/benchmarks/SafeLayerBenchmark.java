/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.benchmarks;

import static io.github.perfevent.benchmarks.Fixtures.N;

import io.github.perfevent.Counter;
import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.ReadFormat;
import io.github.perfevent.Reading;
import io.github.perfevent.Target;
import io.github.perfevent.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
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
 * against C, each reading <em>the same fd</em>, at the two read formats people use: an enabled {@code task-clock}
 * {@link Counter} of the benchmark thread with the value alone (8 bytes), and another with the default read format
 * (value, time enabled, time running: 24 bytes). {@code read8_c} and {@code read24_c} make the same {@code read(2)}
 * {@link Fixtures#N} times per FFM call, so their score is the system call from C. Counter/C is what the safe layer
 * costs on top of the kernel: the close guard, the size check and the decoding.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SafeLayerBenchmark {

    private Counter counter8;
    private Counter counter24;
    private Reading reading;
    private Arena arena;
    private MemorySegment buffer8;
    private MemorySegment buffer24;
    private int fd8;
    private int fd24;

    /** Opens and enables both counters on the benchmark thread and checks that every benchmarked path works. */
    @Setup(Level.Trial)
    public void setUp() {
        Options options = Options.defaults().excludeKernel(true).excludeHv(true);
        counter8 = Counter.open(Event.Software.TASK_CLOCK.event(), Target.currentThread(),
                options.readFormat(EnumSet.noneOf(ReadFormat.class)));
        counter24 = Counter.open(Event.Software.TASK_CLOCK.event(), Target.currentThread(), options);
        counter8.enable();
        counter24.enable();
        reading = new Reading();
        arena = Arena.ofConfined();
        buffer8 = arena.allocate(Long.BYTES, Long.BYTES);
        buffer24 = arena.allocate(3 * Long.BYTES, Long.BYTES);
        fd8 = counter8.fd(0);
        fd24 = counter24.fd(0);
        for (MemorySegment buffer : List.of(buffer8, buffer24)) {
            int fd = buffer == buffer8 ? fd8 : fd24;
            Fixtures.check(Syscalls.read(fd, buffer), buffer.byteSize(), "Syscalls.read of the counter's fd");
            Fixtures.check(CBaseline.readLoop(fd, buffer, N), N * buffer.byteSize(), "c_read_loop of the counter's fd");
        }
        if (counter8.read() <= 0 || counter24.read() <= 0 || counter24.read(reading).timeEnabled() <= 0
                || counter8.read(reading).value() <= 0) {
            throw new IllegalStateException("the counters do not count: " + counter24.read(reading));
        }
    }

    /** Closes the counters and the buffers. */
    @TearDown(Level.Trial)
    public void tearDown() {
        counter8.close();
        counter24.close();
        arena.close();
    }

    /** {@code Counter.read()} with the value alone (8 bytes). */
    @Benchmark
    public long counterRead8_java() {
        return counter8.read();
    }

    /** {@code Counter.read(Reading)} with the value alone (8 bytes). */
    @Benchmark
    public long counterReadReading8_java() {
        return counter8.read(reading).value();
    }

    /** {@code Syscalls.read} of the 8-byte counter's fd: the raw layer under it. */
    @Benchmark
    public long rawRead8_java() {
        return Syscalls.read(fd8, buffer8);
    }

    /** The same 8-byte read, {@link Fixtures#N} times in C. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long read8_c() {
        return CBaseline.readLoop(fd8, buffer8, N);
    }

    /** {@code Counter.read()} with the default read format (24 bytes). */
    @Benchmark
    public long counterRead_java() {
        return counter24.read();
    }

    /** {@code Counter.read(Reading)}: count, times and scaled value into a reused holder (24 bytes). */
    @Benchmark
    public long counterReadReading_java() {
        return counter24.read(reading).scaledValue();
    }

    /** {@code Syscalls.read} of the 24-byte counter's fd: the raw layer under it. */
    @Benchmark
    public long rawRead24_java() {
        return Syscalls.read(fd24, buffer24);
    }

    /** The same 24-byte read, {@link Fixtures#N} times in C. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long read24_c() {
        return CBaseline.readLoop(fd24, buffer24, N);
    }
}

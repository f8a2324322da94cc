/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.benchmarks;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.github.perfevent.sampling.RecordCursor;
import io.github.perfevent.sampling.RecordType;
import io.github.perfevent.sampling.SampleField;
import io.github.perfevent.sampling.SampleFormat;
import io.github.perfevent.sys.bindings.perf_event_h;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Random;
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
 * Decoding a buffer of records: the zero-allocation {@link RecordCursor} against a C decoder walking the same
 * native buffer in the same run ({@code c_decode_samples} of {@code perf_baseline.c}), and the
 * {@link RecordCursor#toRecord()} path. One op is one record; records/s is 10<sup>9</sup> / score.
 *
 * <p>The buffer is what a profiler drains from a ring buffer: {@value #RECORDS} records, 31 of every 32 a
 * {@code PERF_RECORD_SAMPLE} of {@code IDENTIFIER | IP | TID | TIME | CPU | PERIOD | CALLCHAIN} with a callchain of
 * 3 to 26 entries (kernel and user parts with their {@code PERF_CONTEXT_*} markers), every 32nd a
 * {@code PERF_RECORD_MMAP2}; made from a fixed seed, so every run decodes the same bytes. Both decoders check every
 * size and count, read the same fields and sum them; setup fails if the sums differ.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RecordDecodingBenchmark {

    static final int RECORDS = 4096;
    private static final MethodHandle c_decode_samples$mh = Linker.nativeLinker().downcallHandle(
            CBaseline.symbol("c_decode_samples"), FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));
    private static final SampleFormat FORMAT = SampleFormat.builder().sampleFields(SampleField.IDENTIFIER,
            SampleField.IP, SampleField.TID, SampleField.TIME, SampleField.CPU, SampleField.PERIOD,
            SampleField.CALLCHAIN).build();

    private Arena arena;
    private MemorySegment buffer;
    private RecordCursor cursor;

    /** Writes the buffer and checks that the Java and C decoders agree on it. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        buffer = records(arena);
        cursor = RecordCursor.of(FORMAT);
        long java = cursor_java();
        long c = cursor_c();
        if (java != c || c == -1) {
            throw new IllegalStateException("the decoders disagree: Java " + java + ", C " + c);
        }
    }

    /** Frees the buffer. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** {@return the benchmark's records, in native memory of exactly their size} */
    static MemorySegment records(Arena arena) {
        Random random = new Random(42);
        MemorySegment scratch = arena.allocate((long) RECORDS * 256, 8);
        long at = 0;
        for (int i = 0; i < RECORDS; i++) {
            long start = at;
            if (i % 32 == 31) {
                at = header(scratch, at, perf_event_h.PERF_RECORD_MMAP2(), 96);
                for (int w = 0; w < 11; w++) {
                    scratch.set(JAVA_LONG_UNALIGNED, at, random.nextLong());
                    at += 8;
                }
                continue;
            }
            int user = 1 + random.nextInt(12);
            int kernel = random.nextInt(12);
            int nr = 1 + user + (kernel > 0 ? 1 + kernel : 0);
            at = header(scratch, at, perf_event_h.PERF_RECORD_SAMPLE(), 8 + 8 * (7 + nr));
            scratch.set(JAVA_LONG_UNALIGNED, at, 0x42); // identifier
            scratch.set(JAVA_LONG_UNALIGNED, at + 8, 0x400000 + random.nextInt(1 << 20)); // ip
            scratch.set(JAVA_INT_UNALIGNED, at + 16, 1000);
            scratch.set(JAVA_INT_UNALIGNED, at + 20, 1000 + random.nextInt(8));
            scratch.set(JAVA_LONG_UNALIGNED, at + 24, 1_000_000L * i); // time
            scratch.set(JAVA_INT_UNALIGNED, at + 32, random.nextInt(2)); // cpu, res
            scratch.set(JAVA_INT_UNALIGNED, at + 36, 0);
            scratch.set(JAVA_LONG_UNALIGNED, at + 40, 10_000); // period
            scratch.set(JAVA_LONG_UNALIGNED, at + 48, nr);
            at += 56;
            if (kernel > 0) {
                scratch.set(JAVA_LONG_UNALIGNED, at, perf_event_h.PERF_CONTEXT_KERNEL());
                at += 8;
                for (int k = 0; k < kernel; k++, at += 8) {
                    scratch.set(JAVA_LONG_UNALIGNED, at, 0xffffffff81000000L + random.nextInt(1 << 24));
                }
            }
            scratch.set(JAVA_LONG_UNALIGNED, at, perf_event_h.PERF_CONTEXT_USER());
            at += 8;
            for (int u = 0; u < user; u++, at += 8) {
                scratch.set(JAVA_LONG_UNALIGNED, at, 0x400000 + random.nextInt(1 << 20));
            }
            if (at - start != 8 + 8 * (7 + nr)) {
                throw new AssertionError("sample written with a wrong size");
            }
        }
        MemorySegment exact = arena.allocate(at, 8);
        exact.copyFrom(scratch.asSlice(0, at));
        return exact;
    }

    private static long header(MemorySegment s, long at, int type, int size) {
        s.set(JAVA_INT_UNALIGNED, at, type);
        s.set(JAVA_SHORT_UNALIGNED, at + 4, (short) 0);
        s.set(JAVA_SHORT_UNALIGNED, at + 6, (short) size);
        return at + 8;
    }

    /** The cursor: walk, and read the fields of every sample in place. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long cursor_java() {
        RecordCursor c = cursor.walk(buffer);
        long sum = 0;
        while (c.next()) {
            if (c.recordType() == RecordType.SAMPLE) {
                sum += c.ip() + c.pid() + c.tid() + c.time() + c.cpu() + c.period();
                int n = c.callchainLength();
                for (int i = 0; i < n; i++) {
                    sum += c.callchain(i);
                }
            }
        }
        return sum;
    }

    /** The C decoder on the same buffer, called once per invocation (the FFM call is amortised over the buffer). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long cursor_c() {
        try {
            return (long) c_decode_samples$mh.invokeExact(buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Every record materialized as a {@link io.github.perfevent.sampling.PerfRecord}. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void toRecord_java(Blackhole blackhole) {
        RecordCursor c = cursor.walk(buffer);
        while (c.next()) {
            blackhole.consume(c.toRecord());
        }
    }
}

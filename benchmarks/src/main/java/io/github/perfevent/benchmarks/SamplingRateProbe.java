/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.benchmarks;

import io.github.perfevent.Event;
import io.github.perfevent.Target;
import io.github.perfevent.sampling.RecordCursor;
import io.github.perfevent.sampling.RecordType;
import io.github.perfevent.sampling.Sampler;
import io.github.perfevent.sampling.Sampling;
import java.time.Duration;

/**
 * The highest sampling rate a {@link Sampler} sustains on this machine with no LOST record: {@code cpu-clock} on
 * every CPU, every CPU kept busy by a spinning thread (the timer does not fire on an idle CPU), one reader thread draining the time-ordered stream through a cursor, for
 * {@code seconds} at each period from 1 ms down to the kernel's 10 µs floor. Not a JMH benchmark: it measures a
 * rate the kernel sets, not the time of an operation. Run:
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar
 * io.github.perfevent.benchmarks.SamplingRateProbe [seconds] [bufferPages]}.
 */
public final class SamplingRateProbe {

    private SamplingRateProbe() {
    }

    /**
     * Prints one line per period: samples per second delivered, records lost.
     *
     * @param args seconds per period (default 3), data pages per buffer (default 64)
     */
    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int pages = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int cpus = Runtime.getRuntime().availableProcessors();
        System.out.printf("cpu-clock on %d CPUs, %d data pages per buffer, %d s per period%n", cpus, pages, seconds);
        System.out.printf("%10s %14s %14s %8s%n", "period", "asked/s", "delivered/s", "lost");
        // cpu-clock fires only while a CPU runs something: keep every CPU busy besides the reader
        java.util.concurrent.atomic.AtomicBoolean spin = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (int i = 0; i < cpus; i++) {
            Thread.ofPlatform().daemon().start(() -> {
                long x = 0;
                while (spin.get()) {
                    x += System.nanoTime() & 1;
                }
                if (x == 42) {
                    System.out.print("");
                }
            });
        }
        for (long period : new long[] {1_000_000, 200_000, 100_000, 50_000, 20_000, 10_000}) {
            try (Sampler sampler = Sampler.open(Event.parse("cpu-clock"), Target.allCpus(),
                    Sampling.period(period).bufferPages(pages))) {
                RecordCursor cursor = sampler.cursor();
                long samples = 0;
                sampler.enable();
                long start = System.nanoTime();
                long end = start + seconds * 1_000_000_000L;
                while (System.nanoTime() < end) {
                    sampler.await(Duration.ofMillis(10));
                    while (sampler.next(cursor)) {
                        if (cursor.type() == RecordType.SAMPLE.id()) {
                            samples++;
                        }
                    }
                }
                sampler.disable();
                while (sampler.next(cursor)) {
                    if (cursor.type() == RecordType.SAMPLE.id()) {
                        samples++;
                    }
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                System.out.printf("%8d ns %14.0f %14.0f %8d%n", period, cpus * 1e9 / period, samples / elapsed,
                        sampler.lost());
            }
        }
        spin.set(false);
    }
}

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.jmh;

import io.github.perfevent.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Test benchmark: each operation maps fresh anonymous memory, writes one byte in each page (one page fault each)
 * and unmaps it: {@value #WARMUP_PAGES} pages during warm-up, {@value #MEASUREMENT_PAGES} during measurement,
 * while another thread of the same JVM faults pages all the time. A profiler that counts only the workers during
 * measurement sees one page fault per operation; counting warm-up, the other thread or the whole process shows
 * more.
 */
@State(Scope.Thread)
public class PageFaultBenchmark {

    static final int WARMUP_PAGES = 100;
    static final int MEASUREMENT_PAGES = 1;

    private static final int PROT_READ_WRITE = Syscalls.PROT_READ | Syscalls.PROT_WRITE;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final long PAGE_SIZE = pageSize();

    private int pages;

    /** The other thread: faults pages for the whole trial, in the benchmark's JVM. */
    @State(Scope.Benchmark)
    public static class Noise {
        private volatile boolean stop;
        private Thread thread;

        /** Starts the faulting thread. */
        @Setup(Level.Trial)
        public void start() {
            thread = Thread.ofPlatform().daemon().name("page-fault-noise").start(() -> {
                while (!stop) {
                    faultFreshPages(64);
                    LockSupport.parkNanos(50_000);
                }
            });
        }

        /** Stops it. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }

    /** Chooses the pages per operation from the kind of iteration. */
    @Setup(Level.Iteration)
    public void choosePages(IterationParams iteration) {
        pages = iteration.getType() == IterationType.WARMUP ? WARMUP_PAGES : MEASUREMENT_PAGES;
    }

    /** One operation: {@code pages} page faults. */
    @Benchmark
    public void faultPages(Noise noise) {
        faultFreshPages(pages);
    }

    /** One operation without the other thread: for runs that must not count a thread a worker starts. */
    @Benchmark
    public void faultPagesQuietly() {
        faultFreshPages(pages);
    }

    static void faultFreshPages(int count) {
        long length = count * PAGE_SIZE;
        long address = Syscalls.mmap(0, length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0);
        if (address < 0) {
            throw new IllegalStateException("mmap: " + address);
        }
        MemorySegment memory = MemorySegment.ofAddress(address).reinterpret(length);
        for (long offset = 0; offset < length; offset += PAGE_SIZE) {
            memory.set(ValueLayout.JAVA_BYTE, offset, (byte) 1);
        }
        Syscalls.munmap(address, length);
    }

    /** The page size, AT_PAGESZ (6) of this process's auxiliary vector. */
    private static long pageSize() {
        try {
            ByteBuffer auxv = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv")))
                    .order(ByteOrder.nativeOrder());
            while (auxv.remaining() >= 16) {
                long type = auxv.getLong();
                long value = auxv.getLong();
                if (type == 6) {
                    return value;
                }
            }
            throw new IllegalStateException("no AT_PAGESZ in /proc/self/auxv");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

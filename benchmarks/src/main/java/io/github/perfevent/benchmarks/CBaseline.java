/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.benchmarks;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The C baseline ({@code src/main/c/perf_baseline.c}): loops that make the same system calls as the Java
 * benchmarks {@code n} times. The build compiles it with {@code gcc -O2} into the classes as
 * {@code libperfbaseline.so}; it is copied out of the jar into a temporary file and loaded from there (the system
 * property {@code perf.baseline.library} names another file to load instead).
 *
 * <p>The loops stop at the first failing call and return its negated errno, like the raw layer.
 */
final class CBaseline {

    private static final String RESOURCE = "/libperfbaseline.so";
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBRARY = SymbolLookup.libraryLookup(libraryPath(), Arena.global());

    // long c_read_loop(int fd, void *buf, long len, long n)
    private static final MethodHandle c_read_loop$mh = downcall("c_read_loop",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    // long c_enable_disable_loop(int fd, long n)
    private static final MethodHandle c_enable_disable_loop$mh = downcall("c_enable_disable_loop",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG));
    // long c_open_close_loop(struct perf_event_attr *attr, int pid, int cpu, int group_fd, unsigned long flags, long n)
    private static final MethodHandle c_open_close_loop$mh = downcall("c_open_close_loop",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));

    private CBaseline() {
    }

    /** {@code read(fd, buffer, buffer.byteSize())} {@code n} times; the total of bytes read, or the negated errno. */
    static long readLoop(int fd, MemorySegment buffer, long n) {
        try {
            return (long) c_read_loop$mh.invokeExact(fd, buffer, buffer.byteSize(), n);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code PERF_EVENT_IOC_ENABLE} then {@code PERF_EVENT_IOC_DISABLE} {@code n} times; 0, or the negated errno. */
    static long enableDisableLoop(int fd, long n) {
        try {
            return (long) c_enable_disable_loop$mh.invokeExact(fd, n);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code perf_event_open} then {@code close} {@code n} times; the sum of the fds, or the negated errno. */
    static long openCloseLoop(MemorySegment attr, int pid, int cpu, int groupFd, long flags, long n) {
        try {
            return (long) c_open_close_loop$mh.invokeExact(attr, pid, cpu, groupFd, flags, n);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The address of a function of the C baseline. */
    static MemorySegment symbol(String name) {
        return LIBRARY.find(name).orElseThrow(() -> new UnsatisfiedLinkError("the C baseline has no symbol " + name));
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static Path libraryPath() {
        String override = System.getProperty("perf.baseline.library");
        if (override != null) {
            return Path.of(override);
        }
        try (InputStream in = CBaseline.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path: build the benchmarks with"
                        + " `mvn package` (it compiles src/main/c with gcc), or set -Dperf.baseline.library=<file>");
            }
            Path file = Files.createTempFile("libperfbaseline", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

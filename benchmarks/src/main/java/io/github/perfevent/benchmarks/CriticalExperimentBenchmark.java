/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.benchmarks;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_h;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * EXPERIMENT, not part of the library: would {@link Linker.Option#critical(boolean) critical(false)} on the
 * {@code read}/{@code ioctl} downcalls make the raw layer faster?
 *
 * <p>{@code *_syscalls} call {@link Syscalls} itself (the control, measured in the same run next to the variant);
 * {@code *_critical_errno} call handles built here with the same function descriptors as {@code Syscalls} plus
 * {@code critical(false)}, keeping {@code captureCallState("errno")} (the JDK accepts the combination, and errno
 * still arrives: {@link #setUp} checks EBADF through it), wrapped exactly like {@code Syscalls} (thread-local call
 * state, {@code invokeExact}, negated errno). {@code DowncallOverheadBenchmark} prices the same options on a C
 * function that does nothing, where no system call hides the difference.
 *
 * <p>Caveat that a benchmark cannot show: a critical downcall stays in the Java thread state, so a safepoint (a
 * stop-the-world GC pause of every thread) waits until the system call returns. The Javadoc of {@code critical}
 * asks for "an extremely short running time in all cases (similar to calling an empty function)"; reading a
 * counter or toggling it does not block, but it is a system call, not an empty function.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class CriticalExperimentBenchmark {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            CALL_STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE_LAYOUT));
    private static final long IOC_ENABLE = perf_event_h.PERF_EVENT_IOC_ENABLE();
    private static final long IOC_DISABLE = perf_event_h.PERF_EVENT_IOC_DISABLE();

    // Syscalls' descriptors, plus critical(false).
    private static final MethodHandle read$criticalErrno$mh = LINKER.downcallHandle(
            LINKER.defaultLookup().find("read").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
            Linker.Option.critical(false), Linker.Option.captureCallState("errno"));
    private static final MethodHandle ioctl$criticalErrno$mh = LINKER.downcallHandle(
            LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            Linker.Option.critical(false), Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));

    private Arena arena;
    private MemorySegment value;
    private int readFd = -1;
    private int toggleFd = -1;

    /** Opens an enabled and a disabled task-clock counter and checks every path once. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        MemorySegment attr = Fixtures.taskClock(arena);
        value = arena.allocate(ValueLayout.JAVA_LONG);
        readFd = Fixtures.open(attr);
        Fixtures.check(Syscalls.enable(readFd, 0), 0, "enable(readFd)");
        toggleFd = Fixtures.open(attr);

        Fixtures.check(Syscalls.read(readFd, value), Long.BYTES, "Syscalls.read");
        Fixtures.check(readCriticalErrno(readFd, value), Long.BYTES, "critical read");
        Fixtures.check(ioctlCriticalErrno(toggleFd, IOC_ENABLE, 0), 0, "critical ioctl ENABLE");
        Fixtures.check(ioctlCriticalErrno(toggleFd, IOC_DISABLE, 0), 0, "critical ioctl DISABLE");
        // errno still arrives through critical + captureCallState: fd -1 answers EBADF.
        Fixtures.check(readCriticalErrno(-1, value), -Errno.EBADF, "critical read of fd -1");
        Fixtures.check(ioctlCriticalErrno(-1, IOC_ENABLE, 0), -Errno.EBADF, "critical ioctl of fd -1");
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

    /** Control: {@code Syscalls.read}. */
    @Benchmark
    public long read_syscalls() {
        return Syscalls.read(readFd, value);
    }

    /** {@code read} through {@code critical(false)} + errno capture. */
    @Benchmark
    public long read_critical_errno() {
        return readCriticalErrno(readFd, value);
    }

    /** Control: {@code Syscalls.enable} + {@code Syscalls.disable}. */
    @Benchmark
    public void enableDisable_syscalls(Blackhole bh) {
        bh.consume(Syscalls.enable(toggleFd, 0));
        bh.consume(Syscalls.disable(toggleFd, 0));
    }

    /** ENABLE then DISABLE through a {@code critical(false)} + errno ioctl handle. */
    @Benchmark
    public void enableDisable_critical_errno(Blackhole bh) {
        bh.consume(ioctlCriticalErrno(toggleFd, IOC_ENABLE, 0));
        bh.consume(ioctlCriticalErrno(toggleFd, IOC_DISABLE, 0));
    }

    private static long readCriticalErrno(int fd, MemorySegment buffer) {
        MemorySegment callState = CALL_STATE.get();
        long result;
        try {
            result = (long) read$criticalErrno$mh.invokeExact(callState, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -callState.get(JAVA_INT, ERRNO_OFFSET) : result;
    }

    private static int ioctlCriticalErrno(int fd, long request, long argument) {
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) ioctl$criticalErrno$mh.invokeExact(callState, fd, request, argument);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -callState.get(JAVA_INT, ERRNO_OFFSET) : result;
    }
}

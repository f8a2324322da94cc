/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.benchmarks;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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

/**
 * DIAGNOSTIC: what the raw layer adds to a system call, measured on {@code c_nop} — a C function with
 * {@code read}'s signature that returns at once — so that no system call (hundreds of ns, and noisy) hides it.
 * The score of each variant is the whole cost of one Java call of it; Java/C of a system call is then
 * {@code 1 + (overhead - C loop cost per call) / syscall}.
 * <ul>
 *   <li>{@code nop_plain}: a downcall with no linker option;</li>
 *   <li>{@code nop_errno}: {@code Syscalls}' shape exactly: {@code captureCallState("errno")}, call state from the
 *       {@code ThreadLocal}, negated errno on a negative result;</li>
 *   <li>{@code nop_errno_stateInField}: the same handle, call state from this state object (prices the
 *       {@code ThreadLocal} lookup);</li>
 *   <li>{@code nop_critical}: {@code critical(false)}, no capture;</li>
 *   <li>{@code nop_critical_errno}: {@code critical(false)} + capture, {@code Syscalls}' shape (the variant the
 *       critical experiment considers);</li>
 *   <li>{@code guard_monitor_sharedArena}: {@code nop_errno} inside {@code synchronized}, on a buffer of a shared
 *       arena: how {@code Counter.read} guarded its fds before (the downcall acquires and releases the arena);</li>
 *   <li>{@code guard_closeGuard_unscoped}: {@code nop_errno} between the library's own {@code CloseGuard.enter()}
 *       and {@code exit()} (reached by reflection: the class is not exported), on a global-scope view of the same
 *       kind of memory: how {@code Counter.read} guards them now.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class DowncallOverheadBenchmark {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            CALL_STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE_LAYOUT));
    private static final FunctionDescriptor READ_LIKE = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MemorySegment NOP = CBaseline.symbol("c_nop");

    private static final MethodHandle plain$mh = LINKER.downcallHandle(NOP, READ_LIKE);
    private static final MethodHandle errno$mh = LINKER.downcallHandle(NOP, READ_LIKE,
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle critical$mh = LINKER.downcallHandle(NOP, READ_LIKE,
            Linker.Option.critical(false));
    private static final MethodHandle criticalErrno$mh = LINKER.downcallHandle(NOP, READ_LIKE,
            Linker.Option.critical(false), Linker.Option.captureCallState("errno"));

    private static final MethodHandle guard$new;
    private static final MethodHandle guard$enter;
    private static final MethodHandle guard$exit;

    static {
        try {
            Class<?> guard = Class.forName("io.github.perfevent.CloseGuard");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(guard, MethodHandles.lookup());
            guard$new = lookup.findConstructor(guard, MethodType.methodType(void.class))
                    .asType(MethodType.methodType(Object.class));
            guard$enter = lookup.findVirtual(guard, "enter", MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Object.class));
            guard$exit = lookup.findVirtual(guard, "exit", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Arena arena;
    private Arena sharedArena;
    private MemorySegment sharedValue;
    private MemorySegment unscopedValue;
    private Object guard;
    private MemorySegment value;
    private MemorySegment callStateField;
    private int fd = 3;

    /** Allocates the buffer and a call state of this thread. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        value = arena.allocate(ValueLayout.JAVA_LONG);
        callStateField = arena.allocate(CALL_STATE_LAYOUT);
        sharedArena = Arena.ofShared();
        sharedValue = sharedArena.allocate(ValueLayout.JAVA_LONG);
        MemorySegment owned = sharedArena.allocate(ValueLayout.JAVA_LONG);
        unscopedValue = MemorySegment.ofAddress(owned.address()).reinterpret(owned.byteSize());
        try {
            guard = (Object) guard$new.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        Fixtures.check(guardMonitorSharedArena(), Long.BYTES, "c_nop in a monitor, shared arena");
        Fixtures.check(guardCloseGuardUnscoped(), Long.BYTES, "c_nop in the CloseGuard, unscoped");
        Fixtures.check(nopPlain(), Long.BYTES, "c_nop");
        Fixtures.check(nopErrno(), Long.BYTES, "c_nop errno");
        Fixtures.check(nopErrnoStateInField(), Long.BYTES, "c_nop errno field");
        Fixtures.check(nopCritical(), Long.BYTES, "c_nop critical");
        Fixtures.check(nopCriticalErrno(), Long.BYTES, "c_nop critical errno");
    }

    /** Frees the buffer. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        sharedArena.close();
    }

    /** No linker option. */
    @Benchmark
    public long nop_plain() {
        return nopPlain();
    }

    /** {@code Syscalls}' shape. */
    @Benchmark
    public long nop_errno() {
        return nopErrno();
    }

    /** {@code Syscalls}' handle, call state from a field. */
    @Benchmark
    public long nop_errno_stateInField() {
        return nopErrnoStateInField();
    }

    /** {@code critical(false)}. */
    @Benchmark
    public long nop_critical() {
        return nopCritical();
    }

    /** {@code critical(false)} + errno capture, {@code Syscalls}' shape. */
    @Benchmark
    public long nop_critical_errno() {
        return nopCriticalErrno();
    }

    /** The old guard of {@code Counter.read}: the monitor, and a shared arena's buffer. */
    @Benchmark
    public long guard_monitor_sharedArena() {
        return guardMonitorSharedArena();
    }

    /** The new guard of {@code Counter.read}: {@code CloseGuard}, and an unscoped view of the buffer. */
    @Benchmark
    public long guard_closeGuard_unscoped() {
        return guardCloseGuardUnscoped();
    }

    private synchronized long guardMonitorSharedArena() {
        return nopErrno(sharedValue);
    }

    private long guardCloseGuardUnscoped() {
        try {
            if (!(boolean) guard$enter.invokeExact(guard)) {
                throw new IllegalStateException("closed");
            }
            try {
                return nopErrno(unscopedValue);
            } finally {
                guard$exit.invokeExact(guard);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private long nopPlain() {
        try {
            return (long) plain$mh.invokeExact(fd, value, value.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private long nopErrno() {
        return nopErrno(value);
    }

    private long nopErrno(MemorySegment buffer) {
        MemorySegment callState = CALL_STATE.get();
        long result;
        try {
            result = (long) errno$mh.invokeExact(callState, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -callState.get(JAVA_INT, ERRNO_OFFSET) : result;
    }

    private long nopErrnoStateInField() {
        MemorySegment callState = callStateField;
        long result;
        try {
            result = (long) errno$mh.invokeExact(callState, fd, value, value.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -callState.get(JAVA_INT, ERRNO_OFFSET) : result;
    }

    private long nopCritical() {
        try {
            return (long) critical$mh.invokeExact(fd, value, value.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private long nopCriticalErrno() {
        MemorySegment callState = CALL_STATE.get();
        long result;
        try {
            result = (long) criticalErrno$mh.invokeExact(callState, fd, value, value.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -callState.get(JAVA_INT, ERRNO_OFFSET) : result;
    }
}

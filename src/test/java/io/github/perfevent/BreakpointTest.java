package io.github.perfevent;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import org.junit.jupiter.api.Test;

/**
 * Hardware breakpoints through {@link Event#breakpoint}: the debug registers count exactly, so N accesses give
 * exactly N. Writes and reads go through a volatile {@link VarHandle} so that the JIT keeps each one.
 */
class BreakpointTest {

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final int N = 1000;

    @Test
    void aWriteBreakpointCountsExactlyTheWritesToItsAddress() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment watched = arena.allocate(JAVA_LONG);
            MemorySegment beside = arena.allocate(JAVA_LONG);
            try (Counter writes = Counter.open(Event.breakpoint(watched.address(), 8, Event.Access.W))) {
                writes.enable();
                for (int i = 0; i < N; i++) {
                    LONG.setVolatile(watched, 0L, (long) i);
                    LONG.setVolatile(beside, 0L, (long) i);
                    long read = (long) LONG.getVolatile(watched, 0L);
                    assertEquals(i, read);
                }
                writes.disable();
                assertEquals(N, writes.read(), "one count per write, none for reads or for the memory beside it");
            }
        }
    }

    @Test
    void aReadWriteBreakpointCountsReadsAndWrites() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment watched = arena.allocate(JAVA_LONG);
            try (Counter accesses = Counter.open(Event.breakpoint(watched.address(), 8, Event.Access.RW))) {
                accesses.enable();
                long sum = 0;
                for (int i = 0; i < N; i++) {
                    LONG.setVolatile(watched, 0L, (long) i);
                    sum += (long) LONG.getVolatile(watched, 0L);
                }
                accesses.disable();
                assertEquals((long) N * (N - 1) / 2, sum);
                assertEquals(2L * N, accesses.read(), "N writes and N reads");
            }
        }
    }

    @Test
    void anExecuteBreakpointCountsEveryCallOfANativeFunction() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MemorySegment getpid = linker.defaultLookup().find("getpid").orElseThrow();
        MethodHandle call = linker.downcallHandle(getpid, FunctionDescriptor.of(JAVA_INT));
        int expected = (int) ProcessHandle.current().pid();
        try (Counter calls = Counter.open(Event.breakpoint(getpid.address(), Long.BYTES, Event.Access.X))) {
            calls.enable();
            for (int i = 0; i < N; i++) {
                assertEquals(expected, (int) call.invokeExact());
            }
            calls.disable();
            assertEquals(N, calls.read(), "every call of getpid executes its first instruction once");
        }
    }

    @Test
    void onlyTheSizesTheDebugRegistersHaveAreAccepted() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Event.breakpoint(0x1000, 3, Event.Access.W));
        assertEquals("breakpoint length must be 1, 2, 4 or 8 bytes, not 3", e.getMessage());
        assertEquals("mem:0x1000/4:rw", Event.breakpoint(0x1000, 4, Event.Access.RW).name());
    }
}

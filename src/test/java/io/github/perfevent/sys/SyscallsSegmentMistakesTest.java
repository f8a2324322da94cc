package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.perfevent.sys.bindings.perf_event_query_bpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A segment the linker cannot pass (a heap segment, one whose arena is closed, one confined to another thread) is
 * the caller's mistake: every method of {@link Syscalls} that takes a segment lets FFM's own exception through
 * unchanged, instead of wrapping it in an {@link AssertionError}. Each segment holds valid content (a task-clock attr,
 * a NUL-terminated string, a zero {@code ids_len}) of the right size, so that the only thing wrong is the kind of
 * segment. The fd is -1: the linker refuses the segment before any system call is made.
 */
class SyscallsSegmentMistakesTest {

    /** A method of Syscalls that takes one segment, with the valid content it expects there. */
    record Call(String name, Function<Arena, MemorySegment> content, Function<MemorySegment, Object> invoke) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Call> calls() {
        return List.of(
                new Call("perfEventOpen", SyscallsSegmentMistakesTest::taskClockAttr,
                        s -> Syscalls.perfEventOpen(s, 0, -1, -1, PERF_FLAG_FD_CLOEXEC())),
                new Call("modifyAttributes", SyscallsSegmentMistakesTest::taskClockAttr,
                        s -> Syscalls.modifyAttributes(-1, s)),
                new Call("read", a -> a.allocate(JAVA_LONG), s -> Syscalls.read(-1, s)),
                new Call("id", a -> a.allocate(JAVA_LONG), s -> Syscalls.id(-1, s)),
                new Call("period", a -> a.allocateFrom(JAVA_LONG, 1000), s -> Syscalls.period(-1, s)),
                new Call("setFilter", a -> a.allocateFrom("common_pid != 0"), s -> Syscalls.setFilter(-1, s)),
                new Call("queryBpf", a -> a.allocate(perf_event_query_bpf.layout()), s -> Syscalls.queryBpf(-1, s)),
                new Call("poll", SyscallsSegmentMistakesTest::pollNothing, s -> Syscalls.poll(s, 1, 0)),
                new Call("getrlimit", a -> a.allocate(Syscalls.RLIMIT),
                        s -> Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE, s)),
                new Call("open", a -> a.allocateFrom("/"), s -> Syscalls.open(s, Syscalls.O_RDONLY)),
                new Call("statx", a -> a.allocateFrom(""), s -> Syscalls.statx(-1, s, Syscalls.AT_EMPTY_PATH,
                        Syscalls.STATX_TYPE, Arena.ofAuto().allocate(Syscalls.STATX))),
                new Call("pread", a -> a.allocate(JAVA_LONG), s -> Syscalls.pread(-1, s, 0)),
                new Call("write", a -> a.allocate(JAVA_LONG), s -> Syscalls.write(-1, s)),
                // A path in no directory: were the call to reach the kernel, it would make nothing (ENOENT).
                new Call("mkfifo", a -> a.allocateFrom("/nonexistent-directory/fifo"), s -> Syscalls.mkfifo(s, 0600)));
    }

    private static MemorySegment taskClockAttr(Arena arena) {
        return Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
    }

    /** One pollfd with fd -1, which poll ignores. */
    private static MemorySegment pollNothing(Arena arena) {
        MemorySegment fds = arena.allocate(Syscalls.POLLFD);
        fds.set(JAVA_INT, 0, -1);
        return fds;
    }

    static Stream<Call> callsStream() {
        return calls().stream();
    }

    /** Runs {@code action} and returns what it threw (null if nothing). */
    private static Throwable thrownBy(Runnable action) {
        try {
            action.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static void assertThrownUnchanged(Class<? extends Throwable> expected, Throwable thrown, String what) {
        assertNotNull(thrown, what + ": nothing was thrown");
        assertSame(expected, thrown.getClass(), () -> what + ": expected FFM's " + expected.getSimpleName()
                + ", got " + thrown);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callsStream")
    void aHeapSegmentGetsFfmsIllegalArgumentException(Call call) {
        MemorySegment heap;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment valid = call.content().apply(arena);
            heap = MemorySegment.ofArray(new long[(int) ((valid.byteSize() + 7) / 8)]);
            MemorySegment.copy(valid, 0, heap, 0, valid.byteSize());
        }
        Throwable thrown = thrownBy(() -> call.invoke().apply(heap));
        assertThrownUnchanged(IllegalArgumentException.class, thrown, call + " with a heap segment");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callsStream")
    void aSegmentOfAClosedArenaGetsFfmsIllegalStateException(Call call) {
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = call.content().apply(arena);
        }
        Throwable thrown = thrownBy(() -> call.invoke().apply(closed));
        assertThrownUnchanged(IllegalStateException.class, thrown, call + " with a segment of a closed arena");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callsStream")
    void aSegmentConfinedToAnotherThreadGetsFfmsWrongThreadException(Call call) throws InterruptedException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment confined = call.content().apply(arena);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread other = Thread.ofPlatform().name("not-the-owner")
                    .start(() -> thrown.set(thrownBy(() -> call.invoke().apply(confined))));
            other.join();
            assertThrownUnchanged(WrongThreadException.class, thrown.get(),
                    call + " with a segment confined to another thread");
        }
    }

    @Test
    void everySyscallsMethodThatTakesASegmentIsCovered() {
        List<String> takesSegment = Stream.of(Syscalls.class.getMethods())
                .filter(m -> m.getDeclaringClass() == Syscalls.class)
                .filter(m -> List.of(m.getParameterTypes()).contains(MemorySegment.class))
                .map(java.lang.reflect.Method::getName).sorted().toList();
        assertEquals(takesSegment, calls().stream().map(Call::name).sorted().toList());
    }

    @Test
    void openOfNullReachesTheKernelAndIsEfault() {
        assertEquals(-Errno.EFAULT, Syscalls.open(MemorySegment.NULL, Syscalls.O_RDONLY),
                "open(NULL) must reach the kernel, not be refused as an unterminated path");
    }

    @Test
    void aNativeSegmentAtAddressZeroIsNullButAHeapSegmentAtOffsetZeroIsNot() {
        // MemorySegment.NULL widened to a size is still the null pointer: the kernel answers EFAULT.
        MemorySegment wideNull = MemorySegment.NULL.reinterpret(16);
        assertEquals(-Errno.EFAULT, Syscalls.open(wideNull, Syscalls.O_RDONLY), "open of a 16-byte NULL");
        assertEquals(-Errno.EFAULT, Syscalls.poll(wideNull, 1, 0), "poll of a NULL pollfd array");
        // A heap segment's address() is its offset in the array (0 here): it is still checked as a real segment.
        MemorySegment shortHeap = MemorySegment.ofArray(new byte[4]);
        Throwable thrown = thrownBy(() -> Syscalls.id(-1, shortHeap));
        assertThrownUnchanged(IllegalArgumentException.class, thrown, "id with a 4-byte heap segment");
        assertEquals(0L, shortHeap.address(), "the premise: a heap segment at offset 0 has address() 0");
    }
}

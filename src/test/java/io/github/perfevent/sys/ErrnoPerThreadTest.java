package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.bindings.perf_event_attr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * errno is captured per call into memory of the calling thread: many platform and virtual threads failing at the
 * same moment with different errnos, between successful calls, each always see exactly their own.
 */
class ErrnoPerThreadTest {

    private static final int PLATFORM_THREADS = 8;
    private static final int VIRTUAL_THREADS = 8;
    private static final int ITERATIONS = 10_000;
    private static final long FLAGS = PERF_FLAG_FD_CLOEXEC();

    /** What every thread needs: a regular file's fd (not a perf event) and a pid that does not exist. */
    private record Shared(int regularFd, int missingPid) {
    }

    /** One kind of call and the raw result it must give: a negated errno, or {@link #SUCCEEDS}. */
    private enum Case {
        EBADF_GROUP_FD_IS_A_REGULAR_FILE(-Errno.EBADF),
        ESRCH_NO_SUCH_PID(-Errno.ESRCH),
        EFAULT_NULL_ATTR(-Errno.EFAULT),
        E2BIG_SIZE_ONE(-Errno.E2BIG),
        EINVAL_EVERY_TASK_EVERY_CPU(-Errno.EINVAL),
        ENOENT_NO_SUCH_TYPE(-Errno.ENOENT),
        ENOTTY_ENABLE_ON_A_REGULAR_FILE(-Errno.ENOTTY),
        ENOSPC_READ_INTO_FOUR_BYTES(-Errno.ENOSPC),
        EBADF_CLOSE_MINUS_ONE(-Errno.EBADF),
        SUCCEEDS(0);

        final int expected;

        Case(int expected) {
            this.expected = expected;
        }
    }

    /** A thread's own memory and event: nothing here is shared with another thread. */
    private static final class Caller implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final Shared shared;
        private final MemorySegment taskClock = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
        private final MemorySegment sizeOne = Attrs.software(arena, PERF_COUNT_SW_TASK_CLOCK());
        private final MemorySegment noSuchType = Attrs.disabled(arena, 1000, 0);
        private final MemorySegment value = arena.allocate(JAVA_LONG);
        private final MemorySegment fourBytes = arena.allocate(4);
        private final int ownEvent;

        Caller(Shared shared) {
            this.shared = shared;
            this.ownEvent = Attrs.open(taskClock, 0, -1, -1);
        }

        /** Makes the call of {@code c}; returns the raw result, 0 for a success. */
        long call(Case c) {
            return switch (c) {
                case EBADF_GROUP_FD_IS_A_REGULAR_FILE -> Syscalls.perfEventOpen(taskClock, 0, -1, shared.regularFd(), FLAGS);
                case ESRCH_NO_SUCH_PID -> Syscalls.perfEventOpen(taskClock, shared.missingPid(), -1, -1, FLAGS);
                case EFAULT_NULL_ATTR -> Syscalls.perfEventOpen(MemorySegment.NULL, 0, -1, -1, FLAGS);
                case E2BIG_SIZE_ONE -> {
                    perf_event_attr.size(sizeOne, 1); // the kernel wrote its own size back last time
                    yield Syscalls.perfEventOpen(sizeOne, 0, -1, -1, FLAGS);
                }
                case EINVAL_EVERY_TASK_EVERY_CPU -> Syscalls.perfEventOpen(taskClock, -1, -1, -1, FLAGS);
                case ENOENT_NO_SUCH_TYPE -> Syscalls.perfEventOpen(noSuchType, 0, -1, -1, FLAGS);
                case ENOTTY_ENABLE_ON_A_REGULAR_FILE -> Syscalls.enable(shared.regularFd(), 0);
                case ENOSPC_READ_INTO_FOUR_BYTES -> Syscalls.read(ownEvent, fourBytes);
                case EBADF_CLOSE_MINUS_ONE -> Syscalls.close(-1);
                case SUCCEEDS -> succeed();
            };
        }

        /** open, enable, read and close: every step must succeed; returns 0 or the first failure. */
        private long succeed() {
            int fd = Syscalls.perfEventOpen(taskClock, 0, -1, -1, FLAGS);
            if (fd < 0) {
                return fd;
            }
            try {
                int enabled = Syscalls.enable(fd, 0);
                if (enabled != 0) {
                    return enabled;
                }
                long n = Syscalls.read(fd, value);
                return n == Long.BYTES ? 0 : (n < 0 ? n : Long.MIN_VALUE);
            } finally {
                int closed = Syscalls.close(fd);
                if (closed != 0) {
                    throw new AssertionError("close: " + Errno.describe(closed));
                }
            }
        }

        @Override
        public void close() {
            Syscalls.close(ownEvent);
            arena.close();
        }
    }

    private static String describe(long result) {
        if (result == Long.MIN_VALUE) {
            return "a read of the wrong size";
        }
        return result < 0 ? Errno.describe((int) result) : "success (" + result + ")";
    }

    @Test
    void everyThreadAlwaysSeesItsOwnErrnoWhileOthersFailDifferentlyAtTheSameTime(@TempDir Path dir)
            throws IOException, InterruptedException {
        Path file = Files.writeString(dir.resolve("not-a-perf-event"), "x");
        int regularFd = Libc.openReadOnly(file.toString());
        long perfFdsBefore = Fixtures.openPerfEventFdCount();
        Shared shared = new Shared(regularFd, Fixtures.nonexistentPid());
        Case[] cases = Case.values();

        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        AtomicLong calls = new AtomicLong();
        AtomicLong failuresChecked = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(PLATFORM_THREADS + VIRTUAL_THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        try {
            for (int t = 0; t < PLATFORM_THREADS + VIRTUAL_THREADS; t++) {
                int index = t;
                boolean virtual = t >= PLATFORM_THREADS;
                Runnable body = () -> {
                    String name = (virtual ? "virtual " : "platform ") + index;
                    try (Caller caller = new Caller(shared)) {
                        ready.countDown();
                        go.await();
                        for (int i = 0; i < ITERATIONS; i++) {
                            // At any moment the threads are at different cases: different errnos at once.
                            Case c = cases[(index + i) % cases.length];
                            long result = caller.call(c);
                            calls.incrementAndGet();
                            if (c.expected != 0) {
                                failuresChecked.incrementAndGet();
                            }
                            if (result != c.expected) {
                                wrong.add(name + ", iteration " + i + ", " + c + ": expected " + describe(c.expected)
                                        + ", got " + describe(result));
                            }
                            if (virtual && i % 7 == 0) {
                                Thread.yield(); // let virtual threads move between carrier threads
                            }
                        }
                    } catch (Throwable e) {
                        wrong.add(name + " died: " + e);
                        ready.countDown();
                    }
                };
                Thread thread = virtual
                        ? Thread.ofVirtual().name("errno-virtual-" + t).unstarted(body)
                        : Thread.ofPlatform().name("errno-platform-" + t).unstarted(body);
                threads.add(thread);
                thread.start();
            }
            ready.await();
            go.countDown();
        } finally {
            go.countDown();
            for (Thread thread : threads) {
                thread.join(Duration.ofMinutes(2)); // a guard against a hang, not a timing assertion
            }
            Syscalls.close(regularFd);
        }

        for (Thread thread : threads) {
            assertFalse(thread.isAlive(), thread.getName() + " did not finish");
        }
        assertTrue(wrong.isEmpty(), () -> wrong.size() + " calls saw another errno than their own, e.g.:\n"
                + String.join("\n", wrong.stream().limit(20).toList()));
        assertEquals((long) ITERATIONS * (PLATFORM_THREADS + VIRTUAL_THREADS), calls.get(), "calls made");
        assertTrue(failuresChecked.get() > 0, "no failing call was made");
        assertEquals(perfFdsBefore, Fixtures.openPerfEventFdCount(), "perf event fds left open");
    }
}

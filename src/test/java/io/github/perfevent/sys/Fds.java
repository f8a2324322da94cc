package io.github.perfevent.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Test support: the perf fds a test opened, closed in reverse order by {@link #close()} (from a
 * try-with-resources), so that every fd is closed even when an assertion fails half-way.
 */
final class Fds implements AutoCloseable {

    private final Deque<Integer> open = new ArrayDeque<>();

    /** Records an fd for closing and returns it. */
    int add(int fd) {
        open.push(fd);
        return fd;
    }

    /** Opens {@code attr} with {@link Attrs#open} and records the fd. */
    int open(MemorySegment attr, int pid, int cpu, int groupFd) {
        return add(Attrs.open(attr, pid, cpu, groupFd));
    }

    /** Opens {@code attr} on the calling thread, any CPU, in {@code groupFd}'s group (-1: new leader). */
    int open(MemorySegment attr, int groupFd) {
        return open(attr, 0, -1, groupFd);
    }

    /** Opens a disabled software event on the calling thread as a new group leader. */
    int software(Arena arena, long config) {
        return open(Attrs.software(arena, config), -1);
    }

    /** Closes {@code fd} now (it is then no longer closed by {@link #close()}); returns the raw result. */
    int closeNow(int fd) {
        open.remove(fd);
        return Syscalls.close(fd);
    }

    @Override
    public void close() {
        AssertionError failure = null;
        while (!open.isEmpty()) {
            int fd = open.pop();
            int result = Syscalls.close(fd);
            if (result != 0 && failure == null) {
                failure = new AssertionError("close(" + fd + ") failed: " + Errno.describe(result));
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}

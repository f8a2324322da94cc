package io.github.perfevent.sys;

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
    int open(java.lang.foreign.MemorySegment attr, int pid, int cpu, int groupFd) {
        return add(Attrs.open(attr, pid, cpu, groupFd));
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

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.github.perfevent.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A named pipe ({@code mkfifo(3)}) that this JVM holds open for reading <em>and</em> writing, close-on-exec: the
 * channel between a {@link ChildProcess} and its waiting shell. On Linux an {@code O_RDWR} open of a FIFO never
 * blocks (fifo(7)), and while this descriptor is open a reader in another process never sees end-of-file; when the
 * JVM ends, however it ends, the kernel closes the descriptor, and that reader's {@code read} returns end-of-file.
 *
 * <p>Not thread-safe: its owner synchronizes.
 */
final class Fifo implements AutoCloseable {

    /** Read and write for the owner only. */
    private static final int MODE_0600 = 0600;

    private static final long POLL_FD_OFFSET = Syscalls.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    private static final long POLL_EVENTS_OFFSET =
            Syscalls.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"));

    /** How many bytes {@link #readLine} reads at once. */
    private static final int READ_SIZE = 64;

    private final Path path;
    private final int fd;
    private final StringBuilder pending = new StringBuilder();
    private boolean closed;

    private Fifo(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Creates the FIFO {@code path} (mode 0600) and opens it {@code O_RDWR | O_CLOEXEC}.
     *
     * @throws PerfEventException with the errno of {@code mkfifo} or {@code open} (EEXIST, EACCES, EMFILE...)
     */
    static Fifo create(Path path) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment name = call.allocateFrom(path.toString());
            int made = Syscalls.mkfifo(name, MODE_0600);
            if (made < 0) {
                throw new PerfEventException(-made, "mkfifo(" + path + ", 0600)",
                        "the FIFO through which a ChildProcess is told to run its command cannot be created");
            }
            int fd = Syscalls.open(name, Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
            if (fd < 0) {
                throw new PerfEventException(-fd, "open(" + path + ", O_RDWR | O_CLOEXEC)",
                        "the FIFO through which a ChildProcess is told to run its command cannot be opened");
            }
            return new Fifo(path, fd);
        }
    }

    /** {@return the FIFO's path} */
    Path path() {
        return path;
    }

    /**
     * Writes one byte: the reader's {@code read} returns it.
     *
     * @throws PerfEventException with the errno of {@code write}
     */
    void write(byte b) {
        requireOpen();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buffer = call.allocateFrom(JAVA_BYTE, b);
            long written = Syscalls.write(fd, buffer);
            if (written < 0) { // a one-byte write to a pipe writes the byte or fails: 0 is not a result (pipe(7))
                throw new PerfEventException((int) -written, "write(" + path + ")",
                        "cannot tell the waiting shell to run its command");
            }
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for a complete line ({@code '\n'}-terminated ASCII, as the shell writes)
     * written by the other end, reading what has arrived.
     *
     * @return the line without its {@code '\n'}, or {@code null} if no complete line has arrived in that time
     * @throws PerfEventException with the errno of {@code poll} or {@code read}
     */
    String readLine(int timeoutMillis) {
        requireOpen();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment pollFd = call.allocate(Syscalls.POLLFD);
            pollFd.set(JAVA_INT, POLL_FD_OFFSET, fd);
            pollFd.set(JAVA_SHORT, POLL_EVENTS_OFFSET, Syscalls.POLLIN);
            int ready = Syscalls.poll(pollFd, 1, timeoutMillis);
            if (ready < 0) {
                throw new PerfEventException(-ready, "poll(" + path + ")", "cannot wait for the shell's answer");
            }
            if (ready > 0) {
                MemorySegment buffer = call.allocate(READ_SIZE);
                long count = Syscalls.read(fd, buffer);
                if (count < 0) {
                    throw new PerfEventException((int) -count, "read(" + path + ")", "cannot read the shell's answer");
                }
                pending.append(new String(buffer.asSlice(0, count).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
            }
        }
        int end = pending.indexOf("\n");
        if (end < 0) {
            return null;
        }
        String line = pending.substring(0, end);
        pending.delete(0, end + 1);
        return line;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the FIFO " + path + " is closed");
        }
    }

    /** Closes the descriptor (a reader that has no other writer then sees end-of-file). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Syscalls.close(fd);
    }
}

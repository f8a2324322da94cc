/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.profile;

import io.github.perfevent.PerfEventException;
import io.github.perfevent.internal.CountingAccess;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A whole text file read with {@code open} and {@code read}, up to a bound: a perf map, {@code /proc/<pid>/maps},
 * {@code /proc/kallsyms}. Files of {@code /proc} say they have 0 bytes, so the file is read until {@code read}
 * returns 0, never by its size. A failure carries the errno the system call returned.
 */
final class TextFile {

    private static final int CHUNK = 1 << 16;

    private TextFile() {
    }

    /**
     * The bytes of {@code file}.
     *
     * @param maxBytes at most {@code Integer.MAX_VALUE - 8}
     * @throws PerfEventException with the errno of the failed open or read
     * @throws IllegalArgumentException when the file has more than {@code maxBytes} bytes
     */
    static byte[] read(Path file, long maxBytes, String call) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Syscalls.open(arena.allocateFrom(file.toString()),
                    Syscalls.O_RDONLY | Syscalls.O_CLOEXEC | Syscalls.O_NONBLOCK);
            if (fd < 0) {
                throw failure(-fd, call, switch (-fd) {
                    case Errno.ENOENT -> "there is no file " + file;
                    case Errno.EACCES, Errno.EPERM -> file + " is not readable by this user";
                    default -> "cannot open " + file;
                });
            }
            try {
                MemorySegment chunk = arena.allocate(CHUNK);
                byte[] bytes = new byte[0];
                int length = 0;
                while (true) {
                    long n = Syscalls.read(fd, chunk);
                    if (n == -Errno.EINTR) {
                        continue;
                    }
                    if (n < 0) {
                        throw failure((int) -n, call, "cannot read " + file);
                    }
                    if (n == 0) {
                        return Arrays.copyOf(bytes, length);
                    }
                    if (length + n > maxBytes) {
                        throw new IllegalArgumentException(call + ": " + file + " has more than the " + maxBytes
                                + " bytes this reader reads");
                    }
                    if (length + n > bytes.length) {
                        bytes = Arrays.copyOf(bytes, (int) Math.min(maxBytes,
                                Math.max(length + n, 2L * bytes.length)));
                    }
                    MemorySegment.copy(chunk, ValueLayout.JAVA_BYTE, 0, bytes, length, (int) n);
                    length += (int) n;
                }
            } finally {
                Syscalls.close(fd);
            }
        }
    }

    private static PerfEventException failure(int errno, String call, String hint) {
        return CountingAccess.counting().failure(errno, call, hint);
    }
}

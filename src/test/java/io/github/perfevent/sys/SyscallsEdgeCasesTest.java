package io.github.perfevent.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edges of the raw layer's results and size guards: zero results, empty arrays, segments of a few bytes. */
class SyscallsEdgeCasesTest {

    @Test
    void aZeroByteReadAfterAFailedCallIsZeroNotTheEarlierErrno(@TempDir Path dir) throws IOException {
        Path empty = Files.createFile(dir.resolve("empty"));
        try (Arena arena = Arena.ofConfined()) {
            int fd = Syscalls.open(arena.allocateFrom(empty.toString()), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
            assertTrue(fd >= 0, "open: " + Errno.describe(fd));
            try {
                MemorySegment buffer = arena.allocate(JAVA_LONG);
                assertEquals(-Errno.EBADF, Syscalls.read(-1, buffer), "a failed read leaves errno EBADF behind");
                assertEquals(0, Syscalls.read(fd, buffer), "end of file is 0 bytes, a success");
            } finally {
                Attrs.ok(Syscalls.close(fd), "close");
            }
        }
    }

    @Test
    void pollOfNoDescriptorsReturnsZeroAtOnce() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(0, Syscalls.poll(arena.allocate(Syscalls.POLLFD), 0, 0));
            assertEquals(0, Syscalls.poll(MemorySegment.NULL, 0, 0), "no structs: NULL is a valid empty array");
        }
        assertThrows(IllegalArgumentException.class, () -> Syscalls.poll(MemorySegment.NULL, -1, 0));
    }

    @Test
    void noSyscallNumberIsKnownOutsideLinuxOrForAnotherArchitecture() {
        assertEquals(-1, Syscalls.perfEventOpenNumber("Mac OS X", "aarch64"));
        assertEquals(-1, Syscalls.perfEventOpenNumber("Windows 11", "amd64"));
        assertEquals(-1, Syscalls.perfEventOpenNumber("Linux", "riscv64"));
        assertEquals(-1, Syscalls.perfEventOpenNumber("Linux", "x86"));
        assertEquals(Syscalls.perfEventOpenNumber("Linux", "amd64"), Syscalls.perfEventOpenNumber("Linux", "x86_64"),
                "os.arch says amd64 for x86_64");
        assertTrue(Syscalls.perfEventOpenNumber("Linux", "aarch64") > 0);
    }

    @Test
    void aQueryBpfSegmentShorterThanTheStructsHeaderIsRefusedAtEveryLength() {
        try (Arena arena = Arena.ofConfined()) {
            for (int length = 1; length < 8; length++) {
                MemorySegment query = arena.allocate(8).asSlice(0, length);
                assertThrows(IllegalArgumentException.class, () -> Syscalls.queryBpf(-1, query), length + " bytes");
            }
        }
    }
}

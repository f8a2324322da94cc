package io.github.perfevent.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file calls of the raw layer, made for real: {@code open} with {@code O_NONBLOCK} and {@code O_DIRECTORY},
 * {@code statx} of an open fd ({@code AT_EMPTY_PATH}) for its type, size and modification time, and {@code pread}.
 */
class SyscallsFilesTest {

    private static final long STX_MODE = Syscalls.STATX.byteOffset(groupElement("stx_mode"));
    private static final long STX_SIZE = Syscalls.STATX.byteOffset(groupElement("stx_size"));

    @TempDir
    Path dir;

    /** Opens {@code path} (on the calling thread, which may be a timeout's). */
    private static int open(Path path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return Syscalls.open(arena.allocateFrom(path.toString()), flags);
        }
    }

    /** {@code statx} of the open {@code fd}: its mode and size. */
    private static MemorySegment describe(Arena arena, int fd) {
        MemorySegment statx = arena.allocate(Syscalls.STATX);
        assertEquals(0, Syscalls.statx(fd, arena.allocateFrom(""), Syscalls.AT_EMPTY_PATH,
                Syscalls.STATX_TYPE | Syscalls.STATX_SIZE, statx));
        return statx;
    }

    private Path fifo() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
        return fifo;
    }

    @Test
    void statxOfAnOpenRegularFileGivesItsTypeAndSizeAndPreadReadsItsBytesAtAnOffset() throws Exception {
        byte[] content = new byte[10_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        Path file = Files.write(dir.resolve("file"), content);
        try (Arena arena = Arena.ofConfined()) {
            int fd = open(file, Syscalls.O_RDONLY | Syscalls.O_CLOEXEC | Syscalls.O_NONBLOCK);
            assertTrue(fd >= 0, Errno.describe(fd));
            try {
                MemorySegment statx = describe(arena, fd);
                assertEquals(Syscalls.S_IFREG, statx.get(JAVA_SHORT, STX_MODE) & Syscalls.S_IFMT);
                assertEquals(content.length, statx.get(JAVA_LONG, STX_SIZE));
                MemorySegment buffer = arena.allocate(1000);
                assertEquals(1000, Syscalls.pread(fd, buffer, 4321));
                assertArrayEquals(Arrays.copyOfRange(content, 4321, 5321), buffer.toArray(JAVA_BYTE));
                assertEquals(10, Syscalls.pread(fd, buffer, content.length - 10), "a short read at the end");
                assertEquals(0, Syscalls.pread(fd, buffer, content.length + 5), "nothing past the end");
                assertEquals(-Errno.EINVAL, Syscalls.pread(fd, buffer, -1), "a negative offset");
            } finally {
                Syscalls.close(fd);
            }
            assertEquals(-Errno.EBADF, Syscalls.pread(fd, arena.allocate(8), 0), "a closed fd");
        }
    }

    @Test
    void aFifoOpensAtOnceWithONonblockAndStatxSaysFifo() throws Exception {
        Path fifo = fifo();
        try (Arena arena = Arena.ofConfined()) {
            // Without O_NONBLOCK this open would wait for a writer for ever.
            int fd = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> open(fifo, Syscalls.O_RDONLY | Syscalls.O_CLOEXEC | Syscalls.O_NONBLOCK));
            assertTrue(fd >= 0, Errno.describe(fd));
            try {
                assertEquals(Syscalls.S_IFIFO, describe(arena, fd).get(JAVA_SHORT, STX_MODE) & Syscalls.S_IFMT);
                assertEquals("ESPIPE", Errno.name((int) -Syscalls.pread(fd, arena.allocate(8), 0)), "no pread on a pipe");
            } finally {
                Syscalls.close(fd);
            }
        }
    }

    @Test
    void oDirectoryOpensADirectoryAndRefusesAFileAndAFifoWithEnotdir() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Path fifo = fifo();
        try (Arena arena = Arena.ofConfined()) {
            int fd = open(dir, Syscalls.O_RDONLY | Syscalls.O_CLOEXEC | Syscalls.O_DIRECTORY);
            assertTrue(fd >= 0, Errno.describe(fd));
            try {
                assertEquals(Syscalls.S_IFDIR, describe(arena, fd).get(JAVA_SHORT, STX_MODE) & Syscalls.S_IFMT);
            } finally {
                Syscalls.close(fd);
            }
            for (Path notDirectory : new Path[] {file, fifo}) {
                assertEquals(-Errno.ENOTDIR, assertTimeoutPreemptively(Duration.ofSeconds(10),
                        () -> open(notDirectory, Syscalls.O_RDONLY | Syscalls.O_CLOEXEC | Syscalls.O_DIRECTORY)),
                        notDirectory.toString());
            }
        }
    }

    @Test
    void statxByPathFromTheCurrentDirectoryAndItsErrors() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "12345");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment statx = arena.allocate(Syscalls.STATX);
            assertEquals(0, Syscalls.statx(Syscalls.AT_FDCWD, arena.allocateFrom(file.toString()), 0,
                    Syscalls.STATX_SIZE, statx));
            assertEquals(5, statx.get(JAVA_LONG, STX_SIZE));
            assertEquals(-Errno.ENOENT, Syscalls.statx(Syscalls.AT_FDCWD,
                    arena.allocateFrom(dir.resolve("missing").toString()), 0, Syscalls.STATX_SIZE, statx));
            assertEquals(-Errno.EBADF, Syscalls.statx(-5, arena.allocateFrom(""), Syscalls.AT_EMPTY_PATH,
                    Syscalls.STATX_SIZE, statx));
            assertThrows(IllegalArgumentException.class, () -> Syscalls.statx(Syscalls.AT_FDCWD,
                    arena.allocate(4).fill((byte) 'a'), 0, Syscalls.STATX_SIZE, statx), "a path without NUL");
            assertThrows(IllegalArgumentException.class, () -> Syscalls.statx(Syscalls.AT_FDCWD,
                    arena.allocateFrom(file.toString()), 0, Syscalls.STATX_SIZE, arena.allocate(100)),
                    "a buffer shorter than struct statx");
        }
    }

    @Test
    void aCallersMemoryMistakeSurfacesUnchanged() {
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(16);
        }
        assertThrows(IllegalStateException.class, () -> Syscalls.pread(0, closed, 0),
                "a segment of a closed arena: the FFM exception, not an AssertionError");
    }

    @Test
    void mkfifoMakesAFifoThatAnOrdwrFdWritesAndReadsAndRefusesAnExistingPath() {
        Path fifo = dir.resolve("made-by-mkfifo");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(fifo.toString());
            assertEquals(0, Syscalls.mkfifo(path, 0600));
            assertEquals(-Errno.EEXIST, Syscalls.mkfifo(path, 0600), "a second mkfifo of the same path");
            int fd = Syscalls.open(path, Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
            assertTrue(fd >= 0, () -> "O_RDWR open of a FIFO never blocks: " + Errno.describe(fd));
            try {
                MemorySegment statx = describe(arena, fd);
                assertEquals(Syscalls.S_IFIFO, statx.get(JAVA_SHORT, STX_MODE) & Syscalls.S_IFMT, "mkfifo made a FIFO");
                MemorySegment out = arena.allocateFrom(JAVA_BYTE, new byte[] {'o', 'k', '\n'});
                assertEquals(3, Syscalls.write(fd, out));
                MemorySegment in = arena.allocate(16);
                assertEquals(3, Syscalls.read(fd, in), "what this fd wrote, it reads back (it is the FIFO's reader too)");
                assertArrayEquals(new byte[] {'o', 'k', '\n'}, in.asSlice(0, 3).toArray(JAVA_BYTE));
            } finally {
                Syscalls.close(fd);
            }
            assertEquals(-Errno.EBADF, Syscalls.write(-1, arena.allocate(1)), "write to fd -1 (never a closed one: its number may be reused)");
            assertEquals(-Errno.EFAULT, Syscalls.mkfifo(MemorySegment.NULL, 0600));
            assertEquals(-Errno.EFAULT, Syscalls.statx(Syscalls.AT_FDCWD, MemorySegment.NULL, 0, Syscalls.STATX_TYPE,
                    arena.allocate(Syscalls.STATX)), "statx of a NULL path, without AT_EMPTY_PATH");
            assertThrows(IllegalArgumentException.class, () -> Syscalls.mkfifo(arena.allocate(JAVA_LONG, -1L), 0600),
                    "a path without NUL");
        }
    }
}

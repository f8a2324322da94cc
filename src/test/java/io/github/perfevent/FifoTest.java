package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Errno;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Fifo}, the channel between {@link ChildProcess} and its shell: a FIFO this JVM holds read-write and
 * close-on-exec, whose reader sees end-of-file once this JVM's end is closed.
 */
class FifoTest {

    @Test
    void theJvmHoldsTheFifoReadWriteAndCloseOnExec(@TempDir Path work) throws Exception {
        Path path = work.resolve("fifo");
        try (Fifo fifo = Fifo.create(path)) {
            assertEquals(path, fifo.path());
            assertTrue(Files.readAttributes(path, BasicFileAttributes.class).isOther(), "a FIFO, not a file");
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(path)));
            List<String> fds = descriptorsOf(path);
            assertEquals(1, fds.size(), "one descriptor: " + fds);
            long flags = Long.parseLong(Files.readAllLines(Path.of("/proc/self/fdinfo", fds.get(0))).stream()
                    .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow().substring(6).strip(), 8);
            assertEquals(2, flags & 3, "O_RDWR: opening never blocks, and no reader ever sees end-of-file before it is "
                    + "closed");
            assertEquals(02000000, flags & 02000000, "O_CLOEXEC");
        }
        assertEquals(List.of(), descriptorsOf(path), "closed");
    }

    @Test
    void aByteWrittenIsReadAndClosingTheOnlyWriterGivesTheReaderEndOfFile(@TempDir Path work) throws Exception {
        Path path = work.resolve("fifo");
        Fifo fifo = Fifo.create(path);
        try (FileInputStream reader = new FileInputStream(path.toFile())) { // does not block: fifo is a writer
            fifo.write((byte) 'x');
            assertEquals('x', reader.read());
            fifo.close();
            assertEquals(-1, reader.read(), "no writer is left");
        } finally {
            fifo.close();
        }
        fifo.close();
        assertThrows(IllegalStateException.class, () -> fifo.write((byte) 'x'));
        assertThrows(IllegalStateException.class, () -> fifo.readLine(0));
    }

    @Test
    void aLineIsReturnedOnlyWhenCompleteAndTheRestIsKeptForTheNextCall(@TempDir Path work) throws Exception {
        Path path = work.resolve("fifo");
        try (Fifo fifo = Fifo.create(path)) {
            assertNull(fifo.readLine(0), "nothing written yet");
            Process writer = new ProcessBuilder("sh", "-c", "printf rea >\"$0\"; sleep 0.3; printf 'dy\\nsecond\\n' >\"$0\"",
                    path.toString()).start();
            assertNull(fifo.readLine(10_000), "half a line is not a line");
            String line = null;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (line == null && System.nanoTime() < deadline) {
                line = fifo.readLine(100);
            }
            assertEquals("ready", line);
            writer.waitFor();
            assertEquals("second", fifo.readLine(0), "the second line came in the same read and was kept");
            assertNull(fifo.readLine(0));
            fifo.write((byte) '\n');
            assertEquals("", fifo.readLine(10_000), "an empty line is a line");
        }
    }

    @Test
    void creatingAFifoWhereAFileExistsFailsWithTheErrnoOfMkfifo(@TempDir Path work) throws Exception {
        Path taken = Files.writeString(work.resolve("taken"), "");
        PerfEventException e = assertThrows(PerfEventException.class, () -> Fifo.create(taken));
        assertEquals(Errno.EEXIST, e.errno());
        assertTrue(e.call().startsWith("mkfifo(" + taken), e.call());
        assertEquals(List.of(), descriptorsOf(taken));
    }

    /** This JVM's descriptors whose link names {@code path}. */
    static List<String> descriptorsOf(Path path) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith(path.toString());
                } catch (IOException gone) {
                    return false; // the descriptor of the listing itself, closed meanwhile
                }
            }).map(fd -> fd.getFileName().toString()).toList();
        }
    }
}

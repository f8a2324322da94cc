package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.perfevent.sys.Syscalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * How {@link Target} finds tasks: the state of a task in {@code /proc}, and the OS thread of a Java thread.
 */
class TargetTaskTest {

    @Test
    void aTaskReapedAfterItsStatFileWasOpenedReadsAsDeadNotAsAnIoError() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        int pid = (int) sleeper.pid();
        try (BufferedReader stat = Files.newBufferedReader(Path.of("/proc", Integer.toString(pid), "stat"))) {
            sleeper.destroyForcibly();
            sleeper.waitFor(); // reaped: reading the open file now fails with ESRCH
            assertEquals('X', Target.taskState(pid, stat));
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aReadErrorOnATaskThatStillExistsIsReportedNotTakenForDeath() {
        int self = (int) ProcessHandle.current().pid();
        BufferedReader failing = new BufferedReader(new Reader() {
            @Override
            public int read(char[] buffer, int offset, int length) throws IOException {
                throw new IOException("injected read failure");
            }

            @Override
            public void close() {
            }
        });
        IOException e = assertThrows(IOException.class, () -> Target.taskState(self, failing));
        assertEquals("injected read failure", e.getMessage());
        assertEquals('R', Target.taskState((int) Syscalls.gettid()), "the calling thread runs");
    }
}

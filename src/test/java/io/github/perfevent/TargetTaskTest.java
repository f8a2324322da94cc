package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.perfevent.sys.Syscalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
        assertFalse(Target.ended(Syscalls.gettid()));
        assertEquals('X', Target.taskState(Integer.MAX_VALUE), "beyond any pid_max: no /proc entry, so dead");
        assertTrue(Target.ended(Integer.MAX_VALUE));
    }

    @Test
    void oneThreadDumpGivesTheTidOfEveryLiveThreadAndAnEndedThreadIsStillRefused() throws Exception {
        int threads = 3;
        int[] tids = new int[threads];
        CountDownLatch running = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int index = i;
            started.add(Thread.ofPlatform().name("looked-up-" + i).start(() -> {
                tids[index] = Syscalls.gettid();
                running.countDown();
                awaitQuietly(release);
            }));
        }
        try {
            running.await();
            int before = Target.threadDumps();
            assertEquals(tids[0], Target.tidOf(started.get(0)));
            int afterFirst = Target.threadDumps();
            assertEquals(before + 1, afterFirst, "one dump for threads started since the latest one");
            for (int i = 0; i < threads; i++) {
                assertEquals(tids[i], Target.tidOf(started.get(i)), "the tid of " + started.get(i));
            }
            assertEquals(Syscalls.gettid(), Target.tidOf(Thread.currentThread()));
            assertEquals(afterFirst, Target.threadDumps(), "threads alive at the latest dump, and the calling thread, "
                    + "take no new dump");

            Thread late = Thread.ofPlatform().name("started-after-the-dump").start(() -> awaitQuietly(release));
            Target.tidOf(late);
            assertEquals(afterFirst + 1, Target.threadDumps(), "a thread started after the dump needs a new one");
        } finally {
            release.countDown();
            for (Thread t : started) {
                t.join();
            }
        }
        int dumps = Target.threadDumps();
        IllegalStateException ended = assertThrows(IllegalStateException.class, () -> Target.tidOf(started.get(1)));
        assertTrue(ended.getMessage().contains("not running"), ended.getMessage());
        assertEquals(dumps, Target.threadDumps(), "an ended thread is refused without a dump, never from the cache");
    }

    @Test
    void aThreadWhoseNameImitatesAnotherThreadsDumpLineMakesThatThreadAmbiguous() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread real = Thread.ofPlatform().name("real").start(() -> awaitQuietly(release));
        Thread imitator = Thread.ofPlatform().name("x\" #" + real.threadId() + " [1] prio=5")
                .start(() -> awaitQuietly(release));
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Target.tidOf(real));
            assertTrue(e.getMessage().contains("two OS threads"), e.getMessage());
            assertTrue(Target.tidOf(imitator) > 1, "the imitator's own line is unambiguous");
        } finally {
            release.countDown();
            real.join();
            imitator.join();
        }
    }

    @Test
    void idsMustBePositiveAndTheTargetSaysWhatItIs() {
        assertThrows(IllegalArgumentException.class, () -> Target.tid(0));
        assertThrows(IllegalArgumentException.class, () -> Target.process(0));
        assertEquals("Target[tid 1]", Target.tid(1).toString());
        assertEquals("Target[pid 1, every thread]", Target.process(1).toString());
        assertEquals("Target[current thread]", Target.currentThread().toString());
        assertEquals("thread", assertThrows(NullPointerException.class, () -> Target.thread(null)).getMessage());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

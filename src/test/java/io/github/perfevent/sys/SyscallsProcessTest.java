package io.github.perfevent.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The process-level calls the safe layer needs besides perf itself ({@code gettid}, {@code kill}, {@code open},
 * {@code getrlimit}),
 * made for real: their results are compared with what {@code /proc} says, and their failures with the errnos of
 * their man pages.
 */
class SyscallsProcessTest {

    @Test
    void gettidIsTheThreadThatProcThreadSelfNames() throws Exception {
        int tid = Syscalls.gettid();
        assertEquals(Path.of("/proc/thread-self").toRealPath().getFileName().toString(), Integer.toString(tid));
        int[] other = new int[1];
        Thread thread = Thread.ofPlatform().start(() -> other[0] = Syscalls.gettid());
        thread.join();
        assertNotEquals(tid, other[0], "another platform thread has another tid");
        assertTrue(Files.isDirectory(Path.of("/proc/self/task/" + tid)), "the tid is one of this process's tasks");
    }

    @Test
    void killWithSignalZeroProbesAndSigcontResumesAStoppedProcess() throws Exception {
        assertEquals(0, Syscalls.kill((int) ProcessHandle.current().pid(), 0), "signal 0 to ourselves");
        assertEquals(-Errno.ESRCH, Syscalls.kill(Fixtures.nonexistentPid(), 0));
        assertEquals(-Errno.EINVAL, Syscalls.kill((int) ProcessHandle.current().pid(), 12345));

        Process child = new ProcessBuilder("sh", "-c", "kill -STOP $$; exit 7").start();
        try {
            int pid = (int) child.pid();
            awaitState(pid, 'T');
            assertEquals(0, Syscalls.kill(pid, Syscalls.SIGCONT));
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child ran on after SIGCONT");
            assertEquals(7, child.exitValue());
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void sigkillEndsAProcess() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals(0, Syscalls.kill((int) child.pid(), Syscalls.SIGKILL));
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(128 + Syscalls.SIGKILL, child.exitValue(), "Process reports death by signal as 128 + signal");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void openGivesAnFdOnTheFileAndTheErrnosOfOpen2() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Syscalls.open(arena.allocateFrom("/proc/self/status"), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
            assertTrue(fd >= 0, () -> "open failed: " + Errno.describe(fd));
            try {
                assertEquals(Path.of("/proc/self/status").toRealPath(),
                        Path.of("/proc/self/fd/" + fd).toRealPath(), "the fd refers to the file opened");
                String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                        .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
                long octal = Long.parseLong(flags.substring("flags:".length()).trim(), 8);
                assertEquals(Syscalls.O_CLOEXEC, octal & Syscalls.O_CLOEXEC, "O_CLOEXEC reached the kernel: " + flags);
            } finally {
                assertEquals(0, Syscalls.close(fd));
            }
            assertEquals(-Errno.ENOENT, Syscalls.open(arena.allocateFrom("/nonexistent/perf"), Syscalls.O_RDONLY));
            assertEquals(-Errno.ENOTDIR, Syscalls.open(arena.allocateFrom("/proc/self/status/x"), Syscalls.O_RDONLY));
            MemorySegment notTerminated = arena.allocate(4).fill((byte) 'a');
            assertThrows(IllegalArgumentException.class, () -> Syscalls.open(notTerminated, Syscalls.O_RDONLY));
        }
    }

    @Test
    void getrlimitGivesTheOpenFileLimitsProcSelfLimitsShows() throws Exception {
        String line = Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow();
        String[] fields = line.substring("Max open files".length()).strip().split("\\s+");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(Syscalls.RLIMIT);
            assertEquals(0, Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE, limit));
            assertEquals(fields[0], Long.toString(limit.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0)), line);
            assertEquals(fields[1], Long.toString(limit.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8)), line);
            assertEquals(-Errno.EINVAL, Syscalls.getrlimit(12345, limit));
            assertThrows(IllegalArgumentException.class, () -> Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE,
                    arena.allocate(8)));
        }
    }

    /** Waits (up to 10 s) until {@code /proc/<pid>/stat} shows the process in {@code state}. */
    private static void awaitState(int pid, char state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String stat = Files.readAllLines(Path.of("/proc/" + pid + "/stat")).get(0);
            if (stat.charAt(stat.lastIndexOf(')') + 2) == state) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("process " + pid + " never reached state " + state);
    }
}

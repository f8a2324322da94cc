package io.github.perfevent.sys;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_DUMMY;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Test support for the counting and error tests of the raw layer and the safe layer above it: a tracker that closes every fd a test opened
 * (even when an assertion fails), workloads that make software counters move (fresh pages, CPU time), a regular
 * file's fd (an fd that is not a perf event), a pid that does not exist, and the process's fd counts.
 */
public final class Fixtures {

    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;

    /** The system page size. */
    public static final long PAGE_SIZE = Libc.pageSize();

    private Fixtures() {
    }

    /**
     * Opens a perf event whose fd number lies above seven numbers this method has just freed, and returns it (still
     * open). Once the caller closes it, a descriptor opened meanwhile by another JVM thread takes the lowest free
     * number, one of those seven, so the closed number stays closed for the few calls a test makes with it.
     */
    public static int openAboveFreedNumbers() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Attrs.software(arena, PERF_COUNT_SW_DUMMY());
            int[] fds = new int[8];
            for (int i = 0; i < fds.length; i++) {
                fds[i] = Attrs.open(attr, 0, -1, -1);
            }
            for (int i = 0; i < fds.length - 1; i++) {
                Attrs.ok(Syscalls.close(fds[i]), "close");
            }
            return fds[fds.length - 1]; // the highest: fds are allocated lowest-free-first
        }
    }


    /**
     * Maps {@code pages} fresh anonymous pages (huge pages disabled for the range, so each page is one fault) and
     * writes one byte to each. Returns nothing: the mapping is removed before returning.
     */
    public static void touchFreshPages(long pages) {
        long length = pages * PAGE_SIZE;
        long address = Syscalls.mmap(0, length, Syscalls.PROT_READ | Syscalls.PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
        if (address < 0) {
            throw new AssertionError("mmap of " + length + " bytes failed: " + Errno.describe((int) address));
        }
        try {
            Libc.madviseNoHugePages(address, length);
            MemorySegment memory = MemorySegment.ofAddress(address).reinterpret(length);
            for (long offset = 0; offset < length; offset += PAGE_SIZE) {
                memory.set(JAVA_BYTE, offset, (byte) 1);
            }
        } finally {
            Attrs.ok(Syscalls.munmap(address, length), "munmap");
        }
    }

    private static volatile long sink;

    /**
     * Burns CPU on the calling thread for at least {@code nanos} of wall time (never a timed assertion), making no
     * system call, so that counted events see only the spin. {@link Spin#cpu} measures CPU time instead, with reads.
     */
    public static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                x += i * 31L ^ x;
            }
        }
        sink = x;
    }

    /** A pid with no {@code /proc/<pid>} entry (threads included), searched downward from {@code pid_max}. */
    public static int nonexistentPid() {
        int pidMax = sysctl("kernel/pid_max");
        for (int pid = pidMax - 1; pid > 1; pid--) {
            if (!Files.exists(Path.of("/proc", Integer.toString(pid)))) {
                return pid;
            }
        }
        throw new AssertionError("every pid below " + pidMax + " exists");
    }

    /**
     * An integer sysctl from {@code /proc/sys}. Read through a buffered reader: {@code Files.readString} stats the
     * file (size 0), reads one byte, and the kernel answers EOF for the next read at offset 1, giving "3" for 32768.
     */
    public static int sysctl(String name) {
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys", name))) {
            return Integer.parseInt(reader.readLine().strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number of entries in {@code /proc/self/fd} (the directory's own fd included, the same every time). */
    public static long openFdCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number of open fds of this process that are perf events ({@code anon_inode:[perf_event]}). */
    public static long openPerfEventFdCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(Fixtures::isPerfEvent).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isPerfEvent(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().equals("anon_inode:[perf_event]");
        } catch (IOException e) {
            return false; // the listing's own directory fd is gone by now
        }
    }
}

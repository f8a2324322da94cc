package io.github.perfevent.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Test support: the few libc functions the tests call themselves (workloads and fds that are not perf events). */
@SuppressWarnings("restricted") // the tests run with native access for the module
public final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle GETPID = handle("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETTID = handle("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPPID = handle("getppid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPAGESIZE = handle("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MADVISE = handle("madvise",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));

    private static final MethodHandle SETUID = handle("setuid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETGID = handle("setgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETGROUPS = handle("setgroups", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));

    private static final MethodHandle PRCTL = LINKER.downcallHandle(LINKER.defaultLookup().find("prctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    private static final int MADV_NOHUGEPAGE = 15;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_SET_SECCOMP = 22;
    private static final int SECCOMP_MODE_FILTER = 2;

    /** {@code O_RDONLY | O_CLOEXEC}. */
    static final int O_RDONLY_CLOEXEC = 0x80000;

    private Libc() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    /** {@code getpid()}: a real system call on every call (glibc stopped caching the pid in 2.25). */
    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code gettid()}: the calling thread's id, as {@code common_pid} in a tracepoint sees it. */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * {@code getppid()}: one real system call per call (glibc caches nothing), so that the syscalls tracepoints of
     * getppid fire exactly once per call on the calling thread.
     */
    public static int getppid() {
        try {
            return (int) GETPPID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static long pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Opens {@code path} read-only (close-on-exec) and returns the fd; a failure fails the test. */
    public static int openReadOnly(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            int fd = (int) OPEN.invokeExact(cPath, O_RDONLY_CLOEXEC);
            if (fd < 0) {
                throw new AssertionError("open(" + path + ") failed");
            }
            return fd;
        } catch (Throwable t) {
            throw t instanceof AssertionError e ? e : new AssertionError(t);
        }
    }

    /** {@code close(2)}, for fds opened with {@link #openReadOnly}. */
    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * {@code madvise(MADV_NOHUGEPAGE)}: keeps a range in small pages, so that touching each page is one fault. The
     * result is ignored: without transparent huge pages the kernel answers EINVAL, and small pages it is anyway.
     */
    public static void madviseNoHugePages(long address, long length) {
        try {
            int ignored = (int) MADVISE.invokeExact(address, length, MADV_NOHUGEPAGE);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Drops this whole process (glibc applies set*id to every thread) to {@code uid}/{@code gid} with no
     * supplementary groups, for the unprivileged tests' child JVMs; a failure fails the caller.
     */
    public static void dropPrivileges(int uid, int gid) {
        try {
            if ((int) SETGROUPS.invokeExact(0L, MemorySegment.NULL) != 0
                    || (int) SETGID.invokeExact(gid) != 0 || (int) SETUID.invokeExact(uid) != 0) {
                throw new AssertionError("could not drop to uid " + uid + ", gid " + gid);
            }
        } catch (Throwable t) {
            throw t instanceof AssertionError e ? e : new AssertionError(t);
        }
    }

    /**
     * Installs, on the calling thread only, a seccomp filter that fails one system call with EPERM, as a container
     * runtime's seccomp profile does (Docker's default refuses {@code perf_event_open} this way). The thread keeps
     * the filter until it ends: call this on a thread made for the purpose.
     *
     * The filter refuses {@code perf_event_open} by its number on this architecture.
     */
    public static void refusePerfEventOpenWithEperm() {
        long syscallNumber = Syscalls.perfEventOpenNumber("Linux", System.getProperty("os.arch"));
        short ldAbsWord = 0x20;
        short jeqConstant = 0x15;
        short retConstant = 0x06;
        int seccompRetErrno = 0x00050000;
        int seccompRetAllow = 0x7fff0000;
        int eperm = 1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = arena.allocate(8 * 4, 8);
            instruction(filter, 0, ldAbsWord, 0, 0, 0);                           // A = seccomp_data.nr
            instruction(filter, 1, jeqConstant, 0, 1, (int) syscallNumber);       // A == nr ? next : skip one
            instruction(filter, 2, retConstant, 0, 0, seccompRetErrno | eperm);   // fail with EPERM
            instruction(filter, 3, retConstant, 0, 0, seccompRetAllow);           // allow everything else
            MemorySegment program = arena.allocate(16, 8);                        // struct sock_fprog
            program.set(JAVA_SHORT, 0, (short) 4);
            program.set(JAVA_LONG, 8, filter.address());
            if ((int) PRCTL.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0
                    || (int) PRCTL.invokeExact(PR_SET_SECCOMP, (long) SECCOMP_MODE_FILTER, program.address(), 0L, 0L) != 0) {
                throw new AssertionError("could not install the seccomp filter");
            }
        } catch (Throwable t) {
            throw t instanceof AssertionError e ? e : new AssertionError(t);
        }
    }

    /** One {@code struct sock_filter}: {@code u16 code; u8 jt; u8 jf; u32 k}. */
    private static void instruction(MemorySegment filter, int index, short code, int jt, int jf, int k) {
        long at = index * 8L;
        filter.set(JAVA_SHORT, at, code);
        filter.set(JAVA_BYTE, at + 2, (byte) jt);
        filter.set(JAVA_BYTE, at + 3, (byte) jf);
        filter.set(JAVA_INT, at + 4, k);
    }
}

package io.github.perfevent.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

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
    private static final MethodHandle GETPAGESIZE = handle("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MADVISE = handle("madvise",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));

    private static final MethodHandle SETUID = handle("setuid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETGID = handle("setgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETGROUPS = handle("setgroups", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));

    private static final int MADV_NOHUGEPAGE = 15;

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
}

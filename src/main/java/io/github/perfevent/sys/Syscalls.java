/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bindings.perf_event_h;
import io.github.perfevent.sys.bindings.perf_event_query_bpf;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * The system calls of {@code perf_event_open(2)}, one static method each, exactly as the kernel takes them.
 *
 * <p><b>Results.</b> Every method returns what the kernel returns: a file descriptor, a byte count, an address or
 * 0 on success, and on failure the <em>negated errno</em> ({@code -Errno.EINVAL}), the kernel's own convention.
 * Nothing is thrown for a call the kernel fails, and nothing is allocated on any path that reaches the kernel,
 * success or failure (a thread allocates its errno buffer once, on its first call), so these methods can be called
 * from a benchmark loop. {@link Errno} names the numbers. errno is captured per call
 * ({@link Linker.Option#captureCallState}) into memory that belongs to the calling thread and is reclaimed
 * with it, so concurrent failing calls on different threads each see their own errno.
 *
 * <p><b>Arguments.</b> {@code syscall(2)} and {@code ioctl(2)} are variadic; every variadic argument is passed as
 * a 64-bit value, as the kernel reads it (an {@code int} -1 passed to {@code PERF_EVENT_IOC_SET_OUTPUT} arrives
 * as 0xffffffff and fails with EBADF). Where the kernel takes a pointer, the method takes a native
 * {@link MemorySegment}; where it takes a value, a number. A segment the kernel writes through, or reads a fixed
 * size from, must be large enough: a shorter one is refused with {@link IllegalArgumentException} before the
 * call, so that the kernel can never write past it. {@link MemorySegment#NULL} is passed through where the
 * kernel accepts a null pointer (it answers EFAULT), which makes error paths testable. A segment the linker cannot
 * pass is the caller's mistake and surfaces as FFM reports it, unchanged: a heap segment with
 * {@link IllegalArgumentException}, a segment whose arena is closed with {@link IllegalStateException}, a segment
 * confined to another thread with {@link WrongThreadException}.
 *
 * <p><b>Safety.</b> These are system calls: {@link #munmap} of memory that this code did not {@link #mmap}, or
 * {@link #close} of a descriptor someone else owns, breaks the JVM as it would break a C program. The safe API
 * in {@code io.github.perfevent} manages descriptors and mappings for you.
 *
 * <p><b>Architectures.</b> Linux on x86_64 ({@code perf_event_open} is syscall 298) and aarch64 (241). On any
 * other system {@link #perfEventOpen} throws {@link UnsupportedOperationException} naming it.
 *
 * <p>All methods are thread-safe.
 */
public final class Syscalls {

    /** {@code PROT_READ} for {@link #mmap}: pages may be read. */
    public static final int PROT_READ = 0x1;
    /** {@code PROT_WRITE} for {@link #mmap}: pages may be written (a writable perf mapping lets the reader
     * advance {@code data_tail}, which makes the kernel stop rather than overwrite unread data). */
    public static final int PROT_WRITE = 0x2;
    /** {@code MAP_SHARED} for {@link #mmap}: the only mapping type a perf event fd accepts. */
    public static final int MAP_SHARED = 0x01;
    /** {@code POLLIN}: the ring buffer has data past the wakeup threshold. */
    public static final short POLLIN = 0x001;
    /** {@code POLLERR}: an error condition on the descriptor. */
    public static final short POLLERR = 0x008;
    /** {@code POLLHUP}: on a mapped perf event, the monitored task has exited (an unmapped event reports it at once). */
    public static final short POLLHUP = 0x010;
    /** {@code POLLNVAL}: the descriptor is not open. */
    public static final short POLLNVAL = 0x020;
    /** {@code O_RDONLY} for {@link #open}. */
    public static final int O_RDONLY = 0;
    /**
     * {@code O_RDWR} for {@link #open}: read and write. On a FIFO it never blocks and makes the opener a writer as
     * long as the fd is open, so a reader in another process sees end-of-file only when this fd goes (fifo(7)).
     */
    public static final int O_RDWR = 2;
    /** {@code O_CLOEXEC} for {@link #open}: the fd is closed in a child at {@code exec}. */
    public static final int O_CLOEXEC = 0x80000;
    /**
     * {@code O_NONBLOCK} for {@link #open}: the open itself does not wait (a FIFO with no writer opens at once
     * instead of blocking until one appears); reads of a regular file are not affected.
     */
    public static final int O_NONBLOCK = 04000;
    /**
     * {@code O_DIRECTORY} for {@link #open}: the open fails with ENOTDIR unless the path names a directory (it never
     * blocks on a FIFO). Its value depends on the architecture: 0200000 on x86_64 (asm-generic), 040000 on aarch64.
     */
    public static final int O_DIRECTORY = openDirectoryFlag(System.getProperty("os.arch"));
    /** {@code AT_FDCWD} for {@link #statx}: a relative path starts from the current directory. */
    public static final int AT_FDCWD = -100;
    /** {@code AT_EMPTY_PATH} for {@link #statx}: with an empty path, the call describes {@code dirfd} itself. */
    public static final int AT_EMPTY_PATH = 0x1000;
    /** {@code STATX_TYPE} for {@link #statx}: ask for the file type bits of {@code stx_mode}. */
    public static final int STATX_TYPE = 0x1;
    /** {@code STATX_MTIME} for {@link #statx}: ask for {@code stx_mtime}, the time of the last modification. */
    public static final int STATX_MTIME = 0x40;
    /** {@code STATX_SIZE} for {@link #statx}: ask for {@code stx_size}, the size in bytes. */
    public static final int STATX_SIZE = 0x200;
    /** {@code S_IFMT}: the file type bits of {@code stx_mode} ({@link #STATX}); compare them with {@code S_IF*}. */
    public static final int S_IFMT = 0170000;
    /** {@code S_IFREG}: a regular file. */
    public static final int S_IFREG = 0100000;
    /** {@code S_IFDIR}: a directory. */
    public static final int S_IFDIR = 0040000;
    /** {@code S_IFCHR}: a character device. */
    public static final int S_IFCHR = 0020000;
    /** {@code S_IFBLK}: a block device. */
    public static final int S_IFBLK = 0060000;
    /** {@code S_IFIFO}: a FIFO (named pipe) or pipe. */
    public static final int S_IFIFO = 0010000;
    /** {@code S_IFSOCK}: a socket. */
    public static final int S_IFSOCK = 0140000;
    /** {@code S_IFLNK}: a symbolic link (seen only when the link itself is described). */
    public static final int S_IFLNK = 0120000;
    /** {@code RLIMIT_NOFILE} for {@link #getrlimit}: the number of open fds a process may have. */
    public static final int RLIMIT_NOFILE = 7;
    /** {@code eventfd} flag: close the eventfd at {@code execve}. */
    public static final int EFD_CLOEXEC = 0x80000;
    /** {@code eventfd} flag: reads and writes never block, EAGAIN instead. */
    public static final int EFD_NONBLOCK = 04000;
    /**
     * {@code struct rlimit} of {@code getrlimit(2)}: {@code rlim_t rlim_cur; rlim_t rlim_max;} (16 bytes; the soft
     * and hard limits, {@code -1} for unlimited).
     */
    public static final StructLayout RLIMIT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rlim_cur"), JAVA_LONG.withName("rlim_max"));
    /**
     * {@code struct statx_timestamp} of {@code statx(2)}: {@code __s64 tv_sec; __u32 tv_nsec; __s32 __reserved;}
     * (16 bytes).
     */
    public static final StructLayout STATX_TIMESTAMP = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_INT.withName("tv_nsec"), JAVA_INT.withName("__reserved"));
    /**
     * {@code struct statx} of {@code statx(2)} (256 bytes, one layout on every architecture, unlike
     * {@code struct stat}): the fields up to {@code stx_dev_minor} by name, the rest as padding. {@code stx_mode} is
     * a {@code u16} at offset 28 and {@code stx_size} a {@code u64} at 40.
     */
    public static final StructLayout STATX = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"), JAVA_INT.withName("stx_blksize"), JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"), JAVA_INT.withName("stx_uid"), JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"), MemoryLayout.paddingLayout(2), JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"), JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"), STATX_TIMESTAMP.withName("stx_atime"),
            STATX_TIMESTAMP.withName("stx_btime"), STATX_TIMESTAMP.withName("stx_ctime"),
            STATX_TIMESTAMP.withName("stx_mtime"), JAVA_INT.withName("stx_rdev_major"),
            JAVA_INT.withName("stx_rdev_minor"), JAVA_INT.withName("stx_dev_major"),
            JAVA_INT.withName("stx_dev_minor"), MemoryLayout.paddingLayout(112));
    /** {@code SIGKILL} for {@link #kill}. */
    public static final int SIGKILL = 9;
    /** {@code SIGCONT} for {@link #kill}: resumes a stopped process. */
    public static final int SIGCONT = 18;

    /**
     * {@code struct pollfd} of {@code poll(2)}: {@code int fd; short events; short revents;} (8 bytes). Allocate
     * {@code n} of them with {@code arena.allocate(POLLFD, n)} for {@link #poll}.
     */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

    private static final long NR_PERF_EVENT_OPEN = perfEventOpenNumber(System.getProperty("os.name"),
            System.getProperty("os.arch"));
    private static final long ATTR_SIZE_VER0 = perf_event_h.PERF_ATTR_SIZE_VER0();
    private static final long ATTR_SIZE_OFFSET = perf_event_attr.size$offset();
    private static final long QUERY_BPF_IDS_LEN_OFFSET = perf_event_query_bpf.ids_len$offset();
    private static final long QUERY_BPF_IDS_OFFSET = perf_event_query_bpf.ids$offset();
    private static final long MAP_FAILED = -1L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CALL_STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    /**
     * Where each thread's downcalls leave errno. One segment per thread, from an automatic arena: it is never
     * shared between threads, and the GC frees it once its thread (platform or virtual) is gone.
     */
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE_LAYOUT));

    // long syscall(long number, ...): the perf_event_open arguments, each passed as a 64-bit variadic value.
    private static final MethodHandle syscall$perfEventOpen$mh = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    // int ioctl(int fd, unsigned long request, ...): one 64-bit value argument.
    private static final MethodHandle ioctl$value$mh = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);
    // int ioctl(int fd, unsigned long request, ...): one pointer argument.
    private static final MethodHandle ioctl$pointer$mh = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    private static final MethodHandle read$mh = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle close$mh = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle mmap$mh = downcall("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle munmap$mh = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle poll$mh = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), -1);
    private static final MethodHandle gettid$mh = downcall("gettid", FunctionDescriptor.of(JAVA_INT), -1);
    private static final MethodHandle getrlimit$mh = downcall("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), -1);
    private static final MethodHandle kill$mh = downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    // int open(const char *path, int flags, ...): no mode, since O_CREAT is never passed.
    private static final MethodHandle open$mh = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), -1);
    // int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf): glibc 2.28+.
    private static final MethodHandle statx$mh = downcall("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), -1);
    // ssize_t pread(int fd, void *buf, size_t count, off_t offset): off_t is 64 bits on both architectures.
    private static final MethodHandle pread$mh = downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), -1);
    // ssize_t write(int fd, const void *buf, size_t count)
    private static final MethodHandle write$mh = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
    // int mkfifo(const char *path, mode_t mode): mode_t is a 32-bit unsigned int on both architectures.
    private static final MethodHandle mkfifo$mh = downcall("mkfifo",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), -1);
    // int getpagesize(void)
    private static final MethodHandle getpagesize$mh = downcall("getpagesize", FunctionDescriptor.of(JAVA_INT), -1);
    // int eventfd(unsigned int initval, int flags)
    private static final MethodHandle eventfd$mh = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    // int prctl(int option, ...): four 64-bit variadic arguments.
    private static final MethodHandle prctl$mh = downcall("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);

    private Syscalls() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, int firstVariadicArg) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        Linker.Option captureErrno = Linker.Option.captureCallState("errno");
        return firstVariadicArg < 0
                ? LINKER.downcallHandle(symbol, descriptor, captureErrno)
                : LINKER.downcallHandle(symbol, descriptor, captureErrno, Linker.Option.firstVariadicArg(firstVariadicArg));
    }

    /** The perf_event_open syscall number for this OS and architecture, or -1 when there is none. */
    static long perfEventOpenNumber(String osName, String osArch) {
        if (!"Linux".equals(osName)) {
            return -1;
        }
        return switch (osArch) {
            case "amd64", "x86_64" -> 298;
            case "aarch64" -> 241;
            default -> -1;
        };
    }

    /**
     * The value of {@code O_DIRECTORY} on architecture {@code osArch}: 040000 on aarch64 (as on 32-bit arm), the
     * asm-generic 0200000 on x86_64 and elsewhere.
     */
    static int openDirectoryFlag(String osArch) {
        return switch (osArch) {
            case "aarch64" -> 040000;
            default -> 0200000;
        };
    }

    private static int errno(MemorySegment callState) {
        return callState.get(JAVA_INT, ERRNO_OFFSET);
    }

    /**
     * {@code perf_event_open(2)}: creates a file descriptor that counts or samples the event {@code attr}
     * describes.
     *
     * <p>{@code pid} and {@code cpu} select what is measured: {@code pid == 0} the calling thread,
     * {@code pid > 0} that thread (a tid; with {@code inherit}, its future children too), {@code pid == -1} every
     * task; {@code cpu == -1} any CPU the task runs on, {@code cpu >= 0} only that CPU. {@code pid == -1} needs a
     * real {@code cpu}. With {@link perf_event_h#PERF_FLAG_PID_CGROUP()} in {@code flags}, {@code pid} is an open
     * fd of a cgroup-v2 directory and {@code cpu} must be a real CPU.
     *
     * <p>{@code groupFd} is -1 for a new group leader, or the fd of the leader whose group this event joins.
     * {@code flags}: {@code PERF_FLAG_FD_CLOEXEC} (recommended), {@code PERF_FLAG_FD_OUTPUT},
     * {@code PERF_FLAG_FD_NO_GROUP}, {@code PERF_FLAG_PID_CGROUP}.
     *
     * <p><b>{@code attr.size}.</b> The kernel copies {@code size} bytes of the struct: 0 means
     * {@code PERF_ATTR_SIZE_VER0} (64); a size smaller than that, or larger than the kernel's struct with any
     * non-zero byte beyond it, fails with E2BIG <em>and the kernel writes its own struct size into
     * {@code attr.size}</em>. A larger size whose tail is zero is accepted, which is why the 144-byte struct of the
     * 7.2 headers works on older kernels as long as the fields they lack ({@code config4} on 6.x) stay 0. See the
     * package documentation for the full story.
     *
     * <p>Errors (negated): EACCES or EPERM (paranoid level, capabilities), E2BIG (size), EBADF ({@code groupFd}),
     * EBUSY, EFAULT ({@code attr} unreadable), EINVAL (an attr field, flag or pid/cpu combination), EMFILE,
     * ENODEV, ENOENT (event or PMU not on this machine, e.g. hardware events in a VM), ENOSPC (breakpoint slots),
     * EOPNOTSUPP, EOVERFLOW ({@code sample_max_stack}), ESRCH (no such pid). See perf_event_open(2), ERRORS.
     *
     * @param attr a {@code struct perf_event_attr} at least {@code max(attr.size, 64)} bytes long, or
     *     {@link MemorySegment#NULL} (the kernel answers EFAULT)
     * @param pid the thread, process, -1 for all, or a cgroup fd
     * @param cpu the CPU, or -1 for any
     * @param groupFd the group leader's fd, or -1
     * @param flags {@code PERF_FLAG_*} bits
     * @return the new fd, or the negated errno
     * @throws IllegalArgumentException if {@code attr} is shorter than the size it declares, or
     *     {@code attr} is a heap segment (the kernel needs native memory)
     * @throws IllegalStateException if the arena of {@code attr} is closed
     * @throws WrongThreadException if {@code attr} is confined to another thread
     * @throws UnsupportedOperationException on an OS or architecture with no known syscall number
     */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        if (NR_PERF_EVENT_OPEN < 0) {
            throw new UnsupportedOperationException("perf_event_open: no syscall number is known for "
                    + System.getProperty("os.name") + " on " + System.getProperty("os.arch")
                    + "; supported: Linux on x86_64 (amd64) and aarch64");
        }
        requireAttr(attr);
        MemorySegment callState = CALL_STATE.get();
        long result;
        try {
            result = (long) syscall$perfEventOpen$mh.invokeExact(callState, NR_PERF_EVENT_OPEN, attr,
                    (long) pid, (long) cpu, (long) groupFd, flags);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : (int) result;
    }

    /**
     * {@code PERF_EVENT_IOC_ENABLE}: starts counting. With {@link perf_event_h#PERF_IOC_FLAG_GROUP()} in
     * {@code flags}, the whole group of the event ({@code fd} may be any member) is enabled.
     *
     * @param fd the event
     * @param flags 0 or {@code PERF_IOC_FLAG_GROUP} (other bits are ignored by the kernel)
     * @return 0, or the negated errno (EBADF, ENOTTY when {@code fd} is not a perf event)
     */
    public static int enable(int fd, int flags) {
        return ioctlValue(fd, perf_event_h.PERF_EVENT_IOC_ENABLE(), Integer.toUnsignedLong(flags));
    }

    /**
     * {@code PERF_EVENT_IOC_DISABLE}: stops counting; the value is kept. {@code PERF_IOC_FLAG_GROUP} disables the
     * whole group.
     *
     * @param fd the event
     * @param flags 0 or {@code PERF_IOC_FLAG_GROUP}
     * @return 0, or the negated errno (EBADF, ENOTTY)
     */
    public static int disable(int fd, int flags) {
        return ioctlValue(fd, perf_event_h.PERF_EVENT_IOC_DISABLE(), Integer.toUnsignedLong(flags));
    }

    /**
     * {@code PERF_EVENT_IOC_RESET}: sets the count to zero (not the time enabled/running).
     * {@code PERF_IOC_FLAG_GROUP} resets every member of the group.
     *
     * @param fd the event
     * @param flags 0 or {@code PERF_IOC_FLAG_GROUP}
     * @return 0, or the negated errno (EBADF, ENOTTY)
     */
    public static int reset(int fd, int flags) {
        return ioctlValue(fd, perf_event_h.PERF_EVENT_IOC_RESET(), Integer.toUnsignedLong(flags));
    }

    /**
     * {@code PERF_EVENT_IOC_REFRESH}: for a sampling event, enables it for {@code count} more overflows: exactly
     * that many samples are written, then the event disables itself. The end is signalled with SIGIO
     * ({@code POLL_HUP}) when the fd was set up for it with {@code fcntl}, not through {@link #poll}. A
     * {@code count} of 0 enables the event with no limit.
     *
     * @param fd a sampling event
     * @param count the number of overflows to allow, or 0 for no limit
     * @return 0, or the negated errno (EINVAL on a counting event or an inherited event)
     */
    public static int refresh(int fd, int count) {
        return ioctlValue(fd, perf_event_h.PERF_EVENT_IOC_REFRESH(), count);
    }

    /**
     * {@code PERF_EVENT_IOC_PERIOD}: sets a new sample period (or frequency, for a {@code freq} event). The kernel
     * takes a <em>pointer</em> to a {@code u64} (request 0x40082404); passing the value itself is a classic bug.
     *
     * @param fd a sampling event
     * @param newPeriod a segment of at least 8 bytes holding the new {@code u64}, or {@link MemorySegment#NULL}
     * @return 0, or the negated errno (EINVAL on a counting event, for 0, or for a period with bit 63 set;
     *     EFAULT for NULL, checked first, so even on a counting event)
     * @throws IllegalArgumentException if {@code newPeriod} is shorter than 8 bytes, or
     *     {@code newPeriod} is a heap segment (the kernel needs native memory)
     * @throws IllegalStateException if the arena of {@code newPeriod} is closed
     * @throws WrongThreadException if {@code newPeriod} is confined to another thread
     */
    public static int period(int fd, MemorySegment newPeriod) {
        requireSizeOrNull(newPeriod, Long.BYTES, "period");
        return ioctlPointer(fd, perf_event_h.PERF_EVENT_IOC_PERIOD(), newPeriod);
    }

    /**
     * {@code PERF_EVENT_IOC_SET_OUTPUT}: sends this event's samples to the ring buffer of {@code targetFd}, which
     * must be on the same CPU (or task) and not already redirected; -1 stops the redirection. The fd is passed as
     * a 64-bit value, as the kernel reads it.
     *
     * @param fd the event whose output moves
     * @param targetFd the event that owns the mapped ring buffer, or -1
     * @return 0, or the negated errno (EBADF for a target that is not an open perf event; EINVAL when the target
     *     has no mapped buffer, when {@code fd} has a mapping of its own, or when the two events cannot share a
     *     buffer: another task or CPU, the same event)
     */
    public static int setOutput(int fd, long targetFd) {
        return ioctlValue(fd, perf_event_h.PERF_EVENT_IOC_SET_OUTPUT(), targetFd);
    }

    /**
     * {@code PERF_EVENT_IOC_SET_FILTER}: sets an ftrace filter expression on a tracepoint event (for example
     * {@code "prev_pid == 42"}), or an address filter on an AUX event.
     *
     * @param fd a tracepoint event
     * @param filter a NUL-terminated string, e.g. {@code arena.allocateFrom("common_pid != 0")}
     * @return 0, or the negated errno (EINVAL for a bad expression or a non-tracepoint event, EEXIST when a
     *     filter is already set, EFAULT for NULL, checked before the event type)
     * @throws IllegalArgumentException if {@code filter} contains no NUL byte, or
     *     {@code filter} is a heap segment (the kernel needs native memory)
     * @throws IllegalStateException if the arena of {@code filter} is closed
     * @throws WrongThreadException if {@code filter} is confined to another thread
     */
    public static int setFilter(int fd, MemorySegment filter) {
        if (!isNull(filter) && !containsNul(filter)) {
            throw new IllegalArgumentException("setFilter: the filter is not NUL-terminated; use Arena.allocateFrom(String)");
        }
        return ioctlPointer(fd, perf_event_h.PERF_EVENT_IOC_SET_FILTER(), filter);
    }

    /**
     * {@code PERF_EVENT_IOC_ID}: writes the event's unique id (the one {@code PERF_FORMAT_ID} and
     * {@code PERF_SAMPLE_ID} report) into {@code idOut}.
     *
     * @param fd the event
     * @param idOut a segment of at least 8 bytes for the {@code u64}, or {@link MemorySegment#NULL}
     * @return 0, or the negated errno (EFAULT for NULL)
     * @throws IllegalArgumentException if {@code idOut} is shorter than 8 bytes, or
     *     {@code idOut} is a heap segment (the kernel needs native memory)
     * @throws IllegalStateException if the arena of {@code idOut} is closed
     * @throws WrongThreadException if {@code idOut} is confined to another thread
     */
    public static int id(int fd, MemorySegment idOut) {
        requireSizeOrNull(idOut, Long.BYTES, "id");
        return ioctlPointer(fd, perf_event_h.PERF_EVENT_IOC_ID(), idOut);
    }

    /**
     * {@code PERF_EVENT_IOC_SET_BPF}: attaches a loaded BPF program (by its fd) to a tracepoint or kprobe/uprobe
     * event.
     *
     * @param fd the event
     * @param bpfProgramFd the program's fd
     * @return 0, or the negated errno (EBADF when {@code bpfProgramFd} is not an open fd; EINVAL when it is open
     *     but not a BPF program (checked before the event type), or for an event that cannot run one; EEXIST when
     *     one is attached)
     */
    public static int setBpf(int fd, int bpfProgramFd) {
        return ioctlValue(fd, perf_event_h.PERF_EVENT_IOC_SET_BPF(), bpfProgramFd);
    }

    /**
     * {@code PERF_EVENT_IOC_PAUSE_OUTPUT}: pauses ({@code pause != 0}) or resumes writing into the event's ring
     * buffer; records that arrive while paused are counted as lost.
     *
     * @param fd an event with a mapped ring buffer
     * @param pause non-zero to pause, 0 to resume
     * @return 0, or the negated errno (EINVAL when the event has no ring buffer)
     */
    public static int pauseOutput(int fd, int pause) {
        return ioctlValue(fd, perf_event_h.PERF_EVENT_IOC_PAUSE_OUTPUT(), pause);
    }

    /**
     * {@code PERF_EVENT_IOC_QUERY_BPF}: lists the BPF programs attached to the event's tracepoint. Set
     * {@code ids_len} in the struct to the capacity of its {@code ids} array; the kernel fills in
     * {@code prog_cnt} and up to {@code ids_len} ids.
     *
     * @param fd a tracepoint event
     * @param query a {@code struct perf_event_query_bpf} followed by room for {@code ids_len} {@code u32} ids, or
     *     {@link MemorySegment#NULL}
     * @return 0, or the negated errno (EINVAL for a non-tracepoint event, EFAULT, E2BIG when {@code ids_len} is
     *     above 64, ENOSPC when it is smaller than the number of attached programs, EPERM without CAP_PERFMON)
     * @throws IllegalArgumentException if {@code query} has no room for the {@code ids_len} ids it declares, or
     *     {@code query} is a heap segment (the kernel needs native memory)
     * @throws IllegalStateException if the arena of {@code query} is closed
     * @throws WrongThreadException if {@code query} is confined to another thread
     */
    public static int queryBpf(int fd, MemorySegment query) {
        if (!isNull(query)) {
            requireSize(query, QUERY_BPF_IDS_OFFSET, "perf_event_query_bpf");
            long idsLen = Integer.toUnsignedLong(query.get(JAVA_INT, QUERY_BPF_IDS_LEN_OFFSET));
            requireSize(query, QUERY_BPF_IDS_OFFSET + idsLen * Integer.BYTES, "perf_event_query_bpf with its ids");
        }
        return ioctlPointer(fd, perf_event_h.PERF_EVENT_IOC_QUERY_BPF(), query);
    }

    /**
     * {@code PERF_EVENT_IOC_MODIFY_ATTRIBUTES}: changes the attributes of an open event. The kernel supports it for
     * breakpoint events only: {@code bp_addr}, {@code bp_len}, {@code bp_type} and {@code disabled} are taken from
     * the new attr (so passing the attr the event was opened with, {@code disabled = 1}, stops it); every other
     * field must equal the event's.
     *
     * @param fd a breakpoint event
     * @param attr the new attributes, as for {@link #perfEventOpen}
     * @return 0, or the negated errno (EOPNOTSUPP for another event type; EINVAL for a changed field the kernel
     *     cannot modify or a type mismatch, which includes task-clock and cpu-clock, kept internally under their own
     *     PMU types; EFAULT for NULL)
     * @throws IllegalArgumentException if {@code attr} is shorter than the size it declares, or
     *     {@code attr} is a heap segment (the kernel needs native memory)
     * @throws IllegalStateException if the arena of {@code attr} is closed
     * @throws WrongThreadException if {@code attr} is confined to another thread
     */
    public static int modifyAttributes(int fd, MemorySegment attr) {
        requireAttr(attr);
        return ioctlPointer(fd, perf_event_h.PERF_EVENT_IOC_MODIFY_ATTRIBUTES(), attr);
    }

    /**
     * {@code read(2)}: reads the event's value in its {@code read_format} layout into {@code buffer}. For a single
     * event: {@code value}, then {@code time_enabled}, {@code time_running}, {@code id}, {@code lost} as
     * requested; for a group leader with {@code PERF_FORMAT_GROUP}: {@code nr}, the times, then per member its
     * value, id and lost.
     *
     * @param fd the event
     * @param buffer where the values go; the whole segment is offered to the kernel
     * @return the number of bytes read, or the negated errno (ENOSPC when the buffer is smaller than the layout)
     * @throws IllegalArgumentException if {@code buffer} is a heap segment (the kernel needs native memory)
     * @throws IllegalStateException if the arena of {@code buffer} is closed
     * @throws WrongThreadException if {@code buffer} is confined to another thread
     */
    public static long read(int fd, MemorySegment buffer) {
        MemorySegment callState = CALL_STATE.get();
        long result;
        try {
            result = (long) read$mh.invokeExact(callState, fd, buffer, buffer.byteSize());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code close(2)}. The event stops counting when its last reference (fd or mapping) goes.
     *
     * @param fd the descriptor
     * @return 0, or the negated errno (EBADF)
     */
    public static int close(int fd) {
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) close$mh.invokeExact(callState, fd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code mmap(2)} of a perf event: maps its metadata page ({@code struct perf_event_mmap_page}) followed by
     * a ring buffer of 2<sup>n</sup> pages; {@code length} is therefore {@code (1 + 2^n) * pageSize}, with
     * {@link #MAP_SHARED} and {@link #PROT_READ} (plus {@link #PROT_WRITE} to consume records).
     *
     * <p>The result is an address. To use it: {@code MemorySegment.ofAddress(address).reinterpret(length)} (a
     * restricted method, in code with native access), and {@link #munmap} it when done.
     *
     * @param address a hint, normally 0
     * @param length the length in bytes
     * @param prot {@code PROT_*} bits
     * @param flags {@code MAP_*} bits
     * @param fd the event
     * @param offset the offset in the fd, 0 for perf
     * @return the address of the mapping, or the negated errno (EINVAL for a bad size or an inherited
     *     {@code cpu == -1} event, EPERM/ENOMEM beyond {@code perf_event_mlock_kb}, EBUSY)
     */
    public static long mmap(long address, long length, int prot, int flags, int fd, long offset) {
        MemorySegment callState = CALL_STATE.get();
        long result;
        try {
            result = (long) mmap$mh.invokeExact(callState, address, length, prot, flags, fd, offset);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result == MAP_FAILED ? -errno(callState) : result;
    }

    /**
     * {@code munmap(2)}: removes a mapping made by {@link #mmap}.
     *
     * @param address the address {@link #mmap} returned
     * @param length the length that was mapped
     * @return 0, or the negated errno (EINVAL)
     */
    public static int munmap(long address, long length) {
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) munmap$mh.invokeExact(callState, address, length);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code poll(2)}: waits until one of the descriptors is ready. A perf event is readable ({@link #POLLIN})
     * once its ring buffer passes {@code wakeup_events} or {@code wakeup_watermark}, and reports
     * {@link #POLLHUP} when the monitored task has exited. Both need a mapped ring buffer: an event without one
     * reports {@code POLLHUP} at once.
     *
     * @param fds {@code nfds} {@link #POLLFD} structs; the kernel writes their {@code revents}
     * @param nfds the number of structs
     * @param timeoutMillis how long to wait, -1 for ever, 0 not at all
     * @return the number of ready descriptors (0 on timeout), or the negated errno (EINTR)
     * @throws IllegalArgumentException if {@code fds} is shorter than {@code nfds} structs, or
     *     {@code fds} is a heap segment (the kernel needs native memory)
     * @throws IllegalStateException if the arena of {@code fds} is closed
     * @throws WrongThreadException if {@code fds} is confined to another thread
     */
    public static int poll(MemorySegment fds, long nfds, int timeoutMillis) {
        if (nfds < 0 || nfds > Long.MAX_VALUE / POLLFD.byteSize()) {
            throw new IllegalArgumentException("poll: nfds " + nfds + " is out of range");
        }
        requireSize(fds, nfds * POLLFD.byteSize(), "pollfd array");
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) poll$mh.invokeExact(callState, fds, nfds, timeoutMillis);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code prctl(2)}. For perf: {@link perf_event_h#PR_TASK_PERF_EVENTS_DISABLE()} and
     * {@link perf_event_h#PR_TASK_PERF_EVENTS_ENABLE()} disable or enable every event attached to the calling
     * process (the ones it opened on itself), with all other arguments 0.
     *
     * @param option the {@code PR_*} option
     * @param arg2 the second argument, as a 64-bit value
     * @param arg3 the third
     * @param arg4 the fourth
     * @param arg5 the fifth
     * @return the kernel's non-negative result, or the negated errno (EINVAL for an unknown option)
     */
    public static int prctl(int option, long arg2, long arg3, long arg4, long arg5) {
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) prctl$mh.invokeExact(callState, option, arg2, arg3, arg4, arg5);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code gettid(2)}: the calling thread's id, which {@link #perfEventOpen} takes as {@code pid} to measure
     * one thread. A virtual thread gets the id of the carrier it runs on at that moment.
     *
     * @return the thread id (the call cannot fail)
     */
    public static int gettid() {
        try {
            return (int) gettid$mh.invokeExact(CALL_STATE.get());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * {@code kill(2)}: sends signal {@code signal} to process {@code pid}; signal 0 only checks that it exists.
     *
     * @param pid the process
     * @param signal a signal number such as {@link #SIGCONT}, or 0
     * @return 0, or the negated errno (ESRCH no such process, EPERM not permitted, EINVAL bad signal)
     */
    public static int kill(int pid, int signal) {
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) kill$mh.invokeExact(callState, pid, signal);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code getrlimit(2)}: a resource limit of this process, such as {@link #RLIMIT_NOFILE}, which a failed
     * {@code perf_event_open} with EMFILE has reached. Needs no fd, so it works when none is left.
     *
     * @param resource the {@code RLIMIT_*} resource
     * @param limit a {@link #RLIMIT} struct the kernel fills
     * @return 0, or the negated errno (EINVAL for an unknown resource)
     * @throws IllegalArgumentException if {@code limit} is shorter than {@link #RLIMIT}, or
     *     {@code limit} is a heap segment (the kernel needs native memory)
     * @throws IllegalStateException if the arena of {@code limit} is closed
     * @throws WrongThreadException if {@code limit} is confined to another thread
     */
    public static int getrlimit(int resource, MemorySegment limit) {
        requireSize(limit, RLIMIT.byteSize(), "struct rlimit");
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) getrlimit$mh.invokeExact(callState, resource, limit);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code open(2)} without {@code O_CREAT}, for the descriptors {@code perf_event_open} takes besides perf
     * events: a cgroup-v2 directory for {@code PERF_FLAG_PID_CGROUP} is opened with
     * {@code O_RDONLY | O_CLOEXEC | O_DIRECTORY}; a file that must be regular (an ELF binary) with
     * {@code O_RDONLY | O_CLOEXEC | O_NONBLOCK}, then checked with {@link #statx}.
     *
     * @param path a NUL-terminated path, e.g. {@code arena.allocateFrom("/sys/fs/cgroup/unified/app")}, or
     *     {@link MemorySegment#NULL} (the kernel answers EFAULT)
     * @param flags {@code O_*} flags
     * @return the new fd, or the negated errno (ENOENT, EACCES, ENOTDIR, EMFILE, EFAULT...)
     * @throws IllegalArgumentException if {@code path} contains no NUL byte, or
     *     {@code path} is a heap segment (the kernel needs native memory)
     * @throws IllegalStateException if the arena of {@code path} is closed
     * @throws WrongThreadException if {@code path} is confined to another thread
     */
    public static int open(MemorySegment path, int flags) {
        if (!isNull(path) && !containsNul(path)) {
            throw new IllegalArgumentException("open: the path is not NUL-terminated; use Arena.allocateFrom(String)");
        }
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) open$mh.invokeExact(callState, path, flags);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code statx(2)}: describes a file. With {@link #AT_EMPTY_PATH} and an empty {@code path} it describes the
     * open file {@code dirfd} itself, which is how to learn what an fd really is (the path it was opened by may have
     * been replaced since). {@code mask} asks for fields ({@link #STATX_TYPE}, {@link #STATX_SIZE}...); the kernel
     * sets {@code stx_mask} to those it filled. The file type is {@code stx_mode & S_IFMT}.
     *
     * @param dirfd an open fd (with {@code AT_EMPTY_PATH}), or the directory a relative {@code path} starts from
     * @param path a NUL-terminated path, {@code ""} with {@code AT_EMPTY_PATH}, or {@link MemorySegment#NULL} (the
     *     kernel answers EFAULT; with {@code AT_EMPTY_PATH}, Linux 6.11 and later describe {@code dirfd} instead)
     * @param flags {@code AT_*} flags
     * @param mask {@code STATX_*} bits
     * @param statx a {@link #STATX} struct the kernel fills
     * @return 0, or the negated errno (EBADF, ENOENT, EACCES, ENOTDIR, EINVAL for a bad flag or mask, EFAULT)
     * @throws IllegalArgumentException if {@code path} is not NULL and contains no NUL byte, or {@code statx} is
     *     shorter than {@link #STATX}
     */
    public static int statx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment statx) {
        if (!isNull(path) && !containsNul(path)) {
            throw new IllegalArgumentException("statx: the path is not NUL-terminated; use Arena.allocateFrom(String)");
        }
        requireSize(statx, STATX.byteSize(), "struct statx");
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) statx$mh.invokeExact(callState, dirfd, path, flags, mask, statx);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code pread(2)}: reads up to {@code buffer.byteSize()} bytes of {@code fd} at file offset {@code offset},
     * without moving the fd's own position. Fewer bytes than asked means the end of the file (0 at or past it).
     *
     * @param fd an open fd of a file that can seek
     * @param buffer where the bytes go; the whole segment is offered
     * @param offset the file offset, {@code >= 0}
     * @return the number of bytes read, or the negated errno (EBADF, EINVAL for a negative offset, ESPIPE for a
     *     pipe or FIFO, EISDIR for a directory, EIO, EINTR)
     */
    public static long pread(int fd, MemorySegment buffer, long offset) {
        MemorySegment callState = CALL_STATE.get();
        long result;
        try {
            result = (long) pread$mh.invokeExact(callState, fd, buffer, buffer.byteSize(), offset);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code write(2)}: writes {@code buffer} to {@code fd}. Fewer bytes than offered may be written (a pipe or FIFO
     * that is nearly full, a signal).
     *
     * @param fd an open fd
     * @param buffer the bytes to write; the whole segment is offered
     * @return the number of bytes written, or the negated errno (EBADF, EAGAIN on a full non-blocking pipe, EPIPE
     *     when a pipe has no reader, EINTR, ENOSPC...)
     */
    public static long write(int fd, MemorySegment buffer) {
        MemorySegment callState = CALL_STATE.get();
        long result;
        try {
            result = (long) write$mh.invokeExact(callState, fd, buffer, buffer.byteSize());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code mkfifo(3)}: creates a named pipe at {@code path} with permission bits {@code mode} (less the umask).
     *
     * @param path a NUL-terminated path, e.g. {@code arena.allocateFrom("/tmp/dir/fifo")}, or
     *     {@link MemorySegment#NULL} (the kernel answers EFAULT)
     * @param mode permission bits, such as {@code 0600}
     * @return 0, or the negated errno (EEXIST, ENOENT, EACCES, ENOTDIR, ENOSPC, EROFS...)
     * @throws IllegalArgumentException if {@code path} is not NULL and contains no NUL byte
     */
    public static int mkfifo(MemorySegment path, int mode) {
        if (!isNull(path) && !containsNul(path)) {
            throw new IllegalArgumentException("mkfifo: the path is not NUL-terminated; use Arena.allocateFrom(String)");
        }
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) mkfifo$mh.invokeExact(callState, path, mode);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /**
     * {@code getpagesize(2)}: the size of a memory page, the unit of a perf ring buffer's mapping.
     *
     * @return the page size in bytes (4096 on x86_64; 4096, 16384 or 65536 on aarch64)
     */
    public static int pageSize() {
        try {
            return (int) getpagesize$mh.invokeExact(CALL_STATE.get());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * {@code eventfd(2)}: a descriptor holding a 64-bit counter. Writing 8 bytes adds to it and makes it readable
     * ({@link #POLLIN}); reading 8 bytes returns the counter and resets it. Polled beside perf fds, it lets another
     * thread wake a waiting {@link #poll}.
     *
     * @param initialValue the counter's first value
     * @param flags {@link #EFD_CLOEXEC}, {@link #EFD_NONBLOCK}
     * @return the fd, or the negated errno (EINVAL for unknown flags, EMFILE, ENFILE, ENOMEM)
     */
    public static int eventfd(int initialValue, int flags) {
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) eventfd$mh.invokeExact(callState, initialValue, flags);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    private static int ioctlValue(int fd, long request, long argument) {
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) ioctl$value$mh.invokeExact(callState, fd, request, argument);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    private static int ioctlPointer(int fd, long request, MemorySegment argument) {
        MemorySegment callState = CALL_STATE.get();
        int result;
        try {
            result = (int) ioctl$pointer$mh.invokeExact(callState, fd, request, argument);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return result < 0 ? -errno(callState) : result;
    }

    /** An attr must hold at least VER0 (64) bytes and the {@code size} it declares: the kernel reads that many. */
    private static void requireAttr(MemorySegment attr) {
        if (!isNull(attr)) {
            requireSize(attr, ATTR_SIZE_VER0, "perf_event_attr");
            long declared = Integer.toUnsignedLong(attr.get(JAVA_INT, ATTR_SIZE_OFFSET));
            requireSize(attr, declared, "perf_event_attr (its size field)");
        }
    }

    /**
     * Whether {@code segment} is the null pointer ({@link MemorySegment#NULL} or any native segment at address 0),
     * which the kernel answers with EFAULT. A heap segment is never null, whatever its {@code address()} (an offset
     * into its array): the linker refuses it.
     */
    private static boolean isNull(MemorySegment segment) {
        return segment.isNative() && segment.address() == 0;
    }

    private static boolean containsNul(MemorySegment segment) {
        for (long i = 0; i < segment.byteSize(); i++) {
            if (segment.get(JAVA_BYTE, i) == 0) {
                return true;
            }
        }
        return false;
    }

    private static void requireSizeOrNull(MemorySegment segment, long size, String what) {
        if (!isNull(segment)) {
            requireSize(segment, size, what);
        }
    }

    private static void requireSize(MemorySegment segment, long size, String what) {
        if (segment.byteSize() < size) {
            throw new IllegalArgumentException(what + ": the segment has " + segment.byteSize()
                    + " bytes; the kernel reads or writes " + size);
        }
    }
}

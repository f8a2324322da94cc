/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sys;

/**
 * Linux errno values: the numbers {@link Syscalls} returns negated, their symbolic names and their messages.
 *
 * <p>The table covers every errno of the Linux 7.2 generic ABI ({@code asm-generic/errno-base.h} and
 * {@code asm-generic/errno.h}, used by x86_64 and aarch64, up to {@code EFTYPE} 134), with glibc's
 * {@code strerror} texts; the conformance test checks each number and name against the vendored header with gcc,
 * and each text against the running glibc where it knows the number. See {@code errno(3)}.
 *
 * <p>The constants are those {@code perf_event_open(2)} and its ioctls document, for comparing with a raw result:
 * {@code if (fd == -Errno.ENOENT)}.
 */
public final class Errno {

    /** Operation not permitted: a capability such as CAP_PERFMON or CAP_SYS_ADMIN is missing. */
    public static final int EPERM = 1;
    /** No such file or directory: for perf, the event is not supported by this machine (no such PMU or event). */
    public static final int ENOENT = 2;
    /** No such process: the target pid or tid does not exist. */
    public static final int ESRCH = 3;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** Input/output error: for the safe layer, a sysfs or tracefs file that could not be read. */
    public static final int EIO = 5;
    /** Argument list too long: for perf, the attr {@code size} is one the kernel does not accept. */
    public static final int E2BIG = 7;
    /** Exec format error: for the safe layer, a file that is not an ELF binary it can read. */
    public static final int ENOEXEC = 8;
    /** Bad file descriptor: a group leader or output fd that is not a perf event. */
    public static final int EBADF = 9;
    /** Resource temporarily unavailable. */
    public static final int EAGAIN = 11;
    /** Out of memory. */
    public static final int ENOMEM = 12;
    /** Permission denied: {@code perf_event_paranoid} forbids the request for this user. */
    public static final int EACCES = 13;
    /** Bad address: a pointer argument the kernel could not read or write. */
    public static final int EFAULT = 14;
    /** Device or resource busy: an exclusive or pinned event could not get the PMU. */
    public static final int EBUSY = 16;
    /** File exists: for perf, a filter is already set on the event. */
    public static final int EEXIST = 17;
    /** No such device: the PMU does not support this kind of event (for instance a task event on a CPU-only PMU). */
    public static final int ENODEV = 19;
    /** Not a directory (a path component, e.g. from {@link Syscalls#open}). */
    public static final int ENOTDIR = 20;
    /** Invalid argument: an attr field, flag, pid/cpu combination or ioctl argument the kernel rejects. */
    public static final int EINVAL = 22;
    /** Too many open files in the system. */
    public static final int ENFILE = 23;
    /** Too many open files in this process ({@code ulimit -n}). */
    public static final int EMFILE = 24;
    /** Inappropriate ioctl for device: the fd is not a perf event, or the request is unknown. */
    public static final int ENOTTY = 25;
    /** No space left: for perf, no free breakpoint slot, or a group read buffer too small. */
    public static final int ENOSPC = 28;
    /** File name too long: a path component over {@code NAME_MAX} (255) bytes, or a path over {@code PATH_MAX}. */
    public static final int ENAMETOOLONG = 36;
    /** Function not implemented: the kernel was built without perf events. */
    public static final int ENOSYS = 38;
    /** Value too large: for perf, {@code sample_max_stack} above {@code kernel.perf_event_max_stack}. */
    public static final int EOVERFLOW = 75;
    /** Operation not supported: a feature this PMU lacks (branch stacks, AUX area, sampling on a counting PMU). */
    public static final int EOPNOTSUPP = 95;

    private static final int MAX = 134;
    private static final String[] NAMES = new String[MAX + 1];
    private static final String[] MESSAGES = new String[MAX + 1];

    static {
        Entry[] entries = {
            entry(1, "EPERM", "Operation not permitted"),
            entry(2, "ENOENT", "No such file or directory"),
            entry(3, "ESRCH", "No such process"),
            entry(4, "EINTR", "Interrupted system call"),
            entry(5, "EIO", "Input/output error"),
            entry(6, "ENXIO", "No such device or address"),
            entry(7, "E2BIG", "Argument list too long"),
            entry(8, "ENOEXEC", "Exec format error"),
            entry(9, "EBADF", "Bad file descriptor"),
            entry(10, "ECHILD", "No child processes"),
            entry(11, "EAGAIN", "Resource temporarily unavailable"),
            entry(12, "ENOMEM", "Cannot allocate memory"),
            entry(13, "EACCES", "Permission denied"),
            entry(14, "EFAULT", "Bad address"),
            entry(15, "ENOTBLK", "Block device required"),
            entry(16, "EBUSY", "Device or resource busy"),
            entry(17, "EEXIST", "File exists"),
            entry(18, "EXDEV", "Invalid cross-device link"),
            entry(19, "ENODEV", "No such device"),
            entry(20, "ENOTDIR", "Not a directory"),
            entry(21, "EISDIR", "Is a directory"),
            entry(22, "EINVAL", "Invalid argument"),
            entry(23, "ENFILE", "Too many open files in system"),
            entry(24, "EMFILE", "Too many open files"),
            entry(25, "ENOTTY", "Inappropriate ioctl for device"),
            entry(26, "ETXTBSY", "Text file busy"),
            entry(27, "EFBIG", "File too large"),
            entry(28, "ENOSPC", "No space left on device"),
            entry(29, "ESPIPE", "Illegal seek"),
            entry(30, "EROFS", "Read-only file system"),
            entry(31, "EMLINK", "Too many links"),
            entry(32, "EPIPE", "Broken pipe"),
            entry(33, "EDOM", "Numerical argument out of domain"),
            entry(34, "ERANGE", "Numerical result out of range"),
            entry(35, "EDEADLK", "Resource deadlock avoided"),
            entry(36, "ENAMETOOLONG", "File name too long"),
            entry(37, "ENOLCK", "No locks available"),
            entry(38, "ENOSYS", "Function not implemented"),
            entry(39, "ENOTEMPTY", "Directory not empty"),
            entry(40, "ELOOP", "Too many levels of symbolic links"),
            entry(42, "ENOMSG", "No message of desired type"),
            entry(43, "EIDRM", "Identifier removed"),
            entry(44, "ECHRNG", "Channel number out of range"),
            entry(45, "EL2NSYNC", "Level 2 not synchronized"),
            entry(46, "EL3HLT", "Level 3 halted"),
            entry(47, "EL3RST", "Level 3 reset"),
            entry(48, "ELNRNG", "Link number out of range"),
            entry(49, "EUNATCH", "Protocol driver not attached"),
            entry(50, "ENOCSI", "No CSI structure available"),
            entry(51, "EL2HLT", "Level 2 halted"),
            entry(52, "EBADE", "Invalid exchange"),
            entry(53, "EBADR", "Invalid request descriptor"),
            entry(54, "EXFULL", "Exchange full"),
            entry(55, "ENOANO", "No anode"),
            entry(56, "EBADRQC", "Invalid request code"),
            entry(57, "EBADSLT", "Invalid slot"),
            entry(59, "EBFONT", "Bad font file format"),
            entry(60, "ENOSTR", "Device not a stream"),
            entry(61, "ENODATA", "No data available"),
            entry(62, "ETIME", "Timer expired"),
            entry(63, "ENOSR", "Out of streams resources"),
            entry(64, "ENONET", "Machine is not on the network"),
            entry(65, "ENOPKG", "Package not installed"),
            entry(66, "EREMOTE", "Object is remote"),
            entry(67, "ENOLINK", "Link has been severed"),
            entry(68, "EADV", "Advertise error"),
            entry(69, "ESRMNT", "Srmount error"),
            entry(70, "ECOMM", "Communication error on send"),
            entry(71, "EPROTO", "Protocol error"),
            entry(72, "EMULTIHOP", "Multihop attempted"),
            entry(73, "EDOTDOT", "RFS specific error"),
            entry(74, "EBADMSG", "Bad message"),
            entry(75, "EOVERFLOW", "Value too large for defined data type"),
            entry(76, "ENOTUNIQ", "Name not unique on network"),
            entry(77, "EBADFD", "File descriptor in bad state"),
            entry(78, "EREMCHG", "Remote address changed"),
            entry(79, "ELIBACC", "Can not access a needed shared library"),
            entry(80, "ELIBBAD", "Accessing a corrupted shared library"),
            entry(81, "ELIBSCN", ".lib section in a.out corrupted"),
            entry(82, "ELIBMAX", "Attempting to link in too many shared libraries"),
            entry(83, "ELIBEXEC", "Cannot exec a shared library directly"),
            entry(84, "EILSEQ", "Invalid or incomplete multibyte or wide character"),
            entry(85, "ERESTART", "Interrupted system call should be restarted"),
            entry(86, "ESTRPIPE", "Streams pipe error"),
            entry(87, "EUSERS", "Too many users"),
            entry(88, "ENOTSOCK", "Socket operation on non-socket"),
            entry(89, "EDESTADDRREQ", "Destination address required"),
            entry(90, "EMSGSIZE", "Message too long"),
            entry(91, "EPROTOTYPE", "Protocol wrong type for socket"),
            entry(92, "ENOPROTOOPT", "Protocol not available"),
            entry(93, "EPROTONOSUPPORT", "Protocol not supported"),
            entry(94, "ESOCKTNOSUPPORT", "Socket type not supported"),
            entry(95, "EOPNOTSUPP", "Operation not supported"),
            entry(96, "EPFNOSUPPORT", "Protocol family not supported"),
            entry(97, "EAFNOSUPPORT", "Address family not supported by protocol"),
            entry(98, "EADDRINUSE", "Address already in use"),
            entry(99, "EADDRNOTAVAIL", "Cannot assign requested address"),
            entry(100, "ENETDOWN", "Network is down"),
            entry(101, "ENETUNREACH", "Network is unreachable"),
            entry(102, "ENETRESET", "Network dropped connection on reset"),
            entry(103, "ECONNABORTED", "Software caused connection abort"),
            entry(104, "ECONNRESET", "Connection reset by peer"),
            entry(105, "ENOBUFS", "No buffer space available"),
            entry(106, "EISCONN", "Transport endpoint is already connected"),
            entry(107, "ENOTCONN", "Transport endpoint is not connected"),
            entry(108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown"),
            entry(109, "ETOOMANYREFS", "Too many references: cannot splice"),
            entry(110, "ETIMEDOUT", "Connection timed out"),
            entry(111, "ECONNREFUSED", "Connection refused"),
            entry(112, "EHOSTDOWN", "Host is down"),
            entry(113, "EHOSTUNREACH", "No route to host"),
            entry(114, "EALREADY", "Operation already in progress"),
            entry(115, "EINPROGRESS", "Operation now in progress"),
            entry(116, "ESTALE", "Stale file handle"),
            entry(117, "EUCLEAN", "Structure needs cleaning"),
            entry(118, "ENOTNAM", "Not a XENIX named type file"),
            entry(119, "ENAVAIL", "No XENIX semaphores available"),
            entry(120, "EISNAM", "Is a named type file"),
            entry(121, "EREMOTEIO", "Remote I/O error"),
            entry(122, "EDQUOT", "Disk quota exceeded"),
            entry(123, "ENOMEDIUM", "No medium found"),
            entry(124, "EMEDIUMTYPE", "Wrong medium type"),
            entry(125, "ECANCELED", "Operation canceled"),
            entry(126, "ENOKEY", "Required key not available"),
            entry(127, "EKEYEXPIRED", "Key has expired"),
            entry(128, "EKEYREVOKED", "Key has been revoked"),
            entry(129, "EKEYREJECTED", "Key was rejected by service"),
            entry(130, "EOWNERDEAD", "Owner died"),
            entry(131, "ENOTRECOVERABLE", "State not recoverable"),
            entry(132, "ERFKILL", "Operation not possible due to RF-kill"),
            entry(133, "EHWPOISON", "Memory page has hardware error"),
            // New in Linux 7.2 ("Wrong file type for the intended operation" in the header); the text is
            // glibc 2.43's, the first glibc that knows it (older ones say "Unknown error 134").
            entry(134, "EFTYPE", "Inappropriate file type or format")
        };
        for (Entry e : entries) {
            NAMES[e.number()] = e.name();
            MESSAGES[e.number()] = e.message();
        }
    }

    private record Entry(int number, String name, String message) {
    }

    private static Entry entry(int number, String name, String message) {
        return new Entry(number, name, message);
    }

    private Errno() {
    }

    /**
     * The symbolic name of an errno.
     *
     * @param errno the errno, positive (as in C) or negated (as the raw layer returns it)
     * @return the name, such as {@code "EBADF"}, or {@code "errno N"} for a number Linux does not define
     */
    public static String name(int errno) {
        String name = lookup(NAMES, errno);
        return name != null ? name : "errno " + Math.abs((long) errno);
    }

    /**
     * The text {@code strerror(3)} gives for an errno.
     *
     * @param errno the errno, positive or negated
     * @return the message, such as {@code "Bad file descriptor"}, or {@code "Unknown error N"}
     */
    public static String message(int errno) {
        String message = lookup(MESSAGES, errno);
        return message != null ? message : "Unknown error " + Math.abs((long) errno);
    }

    /** The entry of {@code table} for an errno of either sign, or null for a number Linux does not define. */
    private static String lookup(String[] table, int errno) {
        long n = Math.abs((long) errno); // as a long, so that Integer.MIN_VALUE is no exception
        return n < table.length ? table[(int) n] : null;
    }

    /**
     * The name and message together, for error texts.
     *
     * @param errno the errno, positive or negated
     * @return for example {@code "EBADF (Bad file descriptor)"}
     */
    public static String describe(int errno) {
        return name(errno) + " (" + message(errno) + ")";
    }
}

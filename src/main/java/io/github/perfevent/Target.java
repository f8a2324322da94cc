/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_PID_CGROUP;

import io.github.perfevent.internal.CountingAccess;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Whom to count: the {@code pid}, {@code cpu} and {@code PERF_FLAG_PID_CGROUP} arguments of
 * {@code perf_event_open(2)}. A target that covers several threads or CPUs opens one fd per thread or CPU; a
 * {@link Counter} sums them and can read each one.
 *
 * <ul>
 *   <li>{@link #currentThread()}: the calling OS thread ({@code pid = 0, cpu = -1}), wherever it runs.</li>
 *   <li>{@link #thread(Thread)}, {@link #tid(int)}: one thread of this or another process.</li>
 *   <li>{@link #process(long)}: every thread of a process, enumerated from {@code /proc/<pid>/task} when the
 *       counter is opened (threads started later are counted only with {@link Options#inherit}; threads that end
 *       between the listing and their {@code perf_event_open} are left out).</li>
 *   <li>{@link #cpu(int)}, {@link #allCpus()}: everything that runs on one CPU or each online CPU
 *       ({@code pid = -1}); needs {@code perf_event_paranoid} &le; 0 or CAP_PERFMON.</li>
 *   <li>{@link #cgroup(Path)}: the tasks of a cgroup-v2 directory, on each online CPU.</li>
 *   <li>{@link ChildProcess#target()}: a command started so that only what it does after {@code exec} counts.</li>
 * </ul>
 *
 * <p><b>Virtual threads.</b> The kernel counts OS threads. A counter opened on a virtual thread would count
 * whatever runs on its carrier thread, and stop counting the virtual thread when it moves to another carrier, so
 * {@link #currentThread()} and {@link #thread(Thread)} refuse virtual threads with an
 * {@link IllegalStateException}. Count a virtual thread's work with {@link #process(long)} or from a platform
 * thread.
 *
 * <p>Immutable and thread-safe. Threads, CPUs and cgroup directories are looked up when a counter is opened.
 */
public final class Target {

    private enum Kind { CURRENT_THREAD, THREAD, TID, PROCESS, CPU, ALL_CPUS, CGROUP, CHILD }

    static {
        CountingAccess.register(new CountingBridge());
    }

    private static final Pattern THREAD_DUMP_LINE = Pattern.compile("\" #(\\d+) \\[(\\d+)\\] (?:daemon )?prio=");

    /** The tid of a thread id that a thread dump gives two different tids. */
    private static final int AMBIGUOUS = -1;

    /**
     * The OS tids of the platform threads in the latest thread dump, by {@link Thread#threadId()}. A thread id is
     * never given to another thread and a platform thread keeps its OS thread for life, so an entry stays true
     * while its thread is alive ({@link #tidOf} asks {@link Thread#isAlive()} first). Keyed by id, it holds no
     * {@link Thread}; each new dump replaces it, so it never grows beyond the threads alive at the latest dump.
     */
    private static volatile Map<Long, Integer> dumpedTids = Map.of();

    private static final AtomicInteger THREAD_DUMPS = new AtomicInteger();

    private final Kind kind;
    private final long id;
    private final Thread thread;
    private final Path cgroup;
    private final ChildProcess child;

    private Target(Kind kind, long id, Thread thread, Path cgroup, ChildProcess child) {
        this.kind = kind;
        this.id = id;
        this.thread = thread;
        this.cgroup = cgroup;
        this.child = child;
    }

    /** {@return the OS thread that opens the counter ({@code pid = 0}); a virtual thread is refused} */
    public static Target currentThread() {
        return new Target(Kind.CURRENT_THREAD, 0, null, null, null);
    }

    /**
     * The OS thread behind a started, live platform {@link Thread} of this JVM, looked up when the counter opens.
     * For the calling thread this is {@code gettid()}. For another one the tid is found in the JVM's thread dump
     * (the {@code Thread.print} diagnostic command, which pairs each {@link Thread#threadId()} with its OS id).
     *
     * <p><b>Cost.</b> A thread dump stops the JVM at a safepoint and formats every thread's stack: measured about
     * 6 to 40 ms with 200 threads on 2 busy vCPUs, and the first one in a JVM also starts the platform MBean server
     * (0.5 to 1.2 s). One dump gives every live platform thread's tid, and they are kept (by thread id, holding no
     * {@link Thread}): opening on a thread that was alive at the latest dump takes no new dump, only a thread
     * started since then does. The calling thread never needs one. To pay the first cost early, open on a thread
     * at start-up; to avoid it, count from the thread itself ({@link #currentThread()}) or pass its
     * {@link #tid(int)}.
     *
     * @param thread a platform thread
     * @return the target
     * @throws NullPointerException if {@code thread} is {@code null}
     */
    public static Target thread(Thread thread) {
        return new Target(Kind.THREAD, 0, Objects.requireNonNull(thread, "thread"), null, null);
    }

    /**
     * {@return the target}
     *
     * @param tid an OS thread id (of any process; another user's needs privileges)
     */
    public static Target tid(int tid) {
        return new Target(Kind.TID, requirePositive(tid, "tid"), null, null, null);
    }

    /**
     * {@return the target}
     *
     * @param pid a process id: each of its threads gets an fd, and the counter sums them
     */
    public static Target process(long pid) {
        return new Target(Kind.PROCESS, requirePositive(pid, "pid"), null, null, null);
    }

    /**
     * {@return the target}
     *
     * @param cpu a CPU number: every task that runs there (a number beyond the possible CPUs makes the open fail
     *     with EINVAL, an offline CPU with ENODEV)
     */
    public static Target cpu(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu must be >= 0, not " + cpu);
        }
        return new Target(Kind.CPU, cpu, null, null, null);
    }

    /** {@return every task on every online CPU ({@code /sys/devices/system/cpu/online}), one fd per CPU} */
    public static Target allCpus() {
        return new Target(Kind.ALL_CPUS, 0, null, null, null);
    }

    /**
     * The tasks of a cgroup-v2 directory (find the cgroup2 mount in {@code /proc/mounts}; it is
     * {@code /sys/fs/cgroup} on a unified system), on each online CPU: {@code perf_event_open} with
     * {@code PERF_FLAG_PID_CGROUP} and the directory's fd as {@code pid}. The cgroups below it are counted too. A
     * directory outside a cgroup file system makes the open fail with EBADF; a cgroup of a v1 hierarchy without the
     * {@code perf_event} controller, with ENOENT; a path that is not a directory (a file, a FIFO), with ENOTDIR
     * from opening it ({@code O_DIRECTORY}).
     *
     * @param directory the cgroup's directory
     * @return the target
     */
    public static Target cgroup(Path directory) {
        return new Target(Kind.CGROUP, 0, null, Objects.requireNonNull(directory), null);
    }

    static Target child(ChildProcess child) {
        return new Target(Kind.CHILD, child.pid(), null, null, child);
    }

    private static long requirePositive(long id, String what) {
        if (id <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, not " + id);
        }
        return id;
    }

    /** The child process this target counts, or {@code null}. */
    ChildProcess childProcess() {
        return child;
    }

    /** One {@code perf_event_open} place: {@code pid} (or a cgroup fd), {@code cpu}, and a label for people. */
    record Site(int pid, int cpu, String label) {
    }

    /**
     * The sites of this target, resolved now. {@link #close} closes the cgroup fd, which the kernel needs only during
     * {@code perf_event_open}.
     */
    static final class Resolved implements AutoCloseable {
        final List<Site> sites;
        final long flags;
        /** Whether a site's thread may end before it is opened (the threads of a process): then it is left out. */
        final boolean tasksMayEnd;
        private final int cgroupFd;

        Resolved(List<Site> sites, long flags, int cgroupFd, boolean tasksMayEnd) {
            this.sites = List.copyOf(sites);
            this.flags = flags;
            this.cgroupFd = cgroupFd;
            this.tasksMayEnd = tasksMayEnd;
        }

        /**
         * Whether {@code failure} of opening at {@code site} only means that its thread ended after {@code /proc}
         * listed it, so that the site is left out rather than the whole open failing. The kernel says ESRCH when the
         * thread is gone before the open, and ENODEV when a group member is opened after its leader's thread ended.
         */
        boolean vanished(PerfEventException failure, Site site) {
            if (!tasksMayEnd) {
                return false;
            }
            return threadEnded(failure, site.pid());
        }

        @Override
        public void close() {
            if (cgroupFd >= 0) {
                Syscalls.close(cgroupFd);
            }
        }
    }

    /**
     * Whether {@code failure} to open on thread {@code tid} means that the thread has ended: the kernel says ESRCH
     * when the thread is gone before the open, and ENODEV when a group member is opened after its leader's thread ended.
     */
    static boolean threadEnded(PerfEventException failure, int tid) {
        return failure.errno() == Errno.ESRCH || failure.errno() == Errno.ENODEV && ended(tid);
    }

    /** Whether thread {@code tid} has ended: no {@code /proc} entry, or a zombie or dead state. */
    static boolean ended(int tid) {
        try {
            char state = taskState(tid);
            return state == 'Z' || state == 'X';
        } catch (UncheckedIOException e) {
            return true;
        }
    }

    /**
     * The state letter of a task in {@code /proc/<tid>/stat} ({@code R}, {@code S}, {@code T}, {@code Z}...), or
     * {@code X} (dead) when it has no {@code /proc} entry any more, or has been reaped while the file was read.
     *
     * @throws UncheckedIOException if the file exists but cannot be read
     */
    static char taskState(int tid) {
        try (BufferedReader stat = Files.newBufferedReader(Path.of("/proc", Integer.toString(tid), "stat"))) {
            return taskState(tid, stat);
        } catch (NoSuchFileException e) {
            return 'X';
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@link #taskState(int)} from {@code /proc/<tid>/stat} opened already. A task reaped after the open makes the
     * read fail with ESRCH ("No such process"), and its {@code /proc/<tid>} is gone: that is {@code X} too.
     */
    static char taskState(int tid, BufferedReader stat) throws IOException {
        String line;
        try {
            line = stat.readLine();
        } catch (IOException e) {
            if (Files.notExists(Path.of("/proc", Integer.toString(tid)))) {
                return 'X';
            }
            throw e;
        }
        return line.charAt(line.lastIndexOf(')') + 2);
    }

    Resolved resolve() {
        return switch (kind) {
            case CURRENT_THREAD -> {
                requirePlatform(Thread.currentThread());
                yield single(0, -1, "tid " + Syscalls.gettid());
            }
            case THREAD -> {
                int tid = tidOf(thread);
                yield single(tid, -1, "tid " + tid);
            }
            case TID -> single((int) id, -1, "tid " + id);
            case CHILD -> {
                child.requireNotStarted();
                yield single((int) id, -1, "pid " + id);
            }
            case PROCESS -> {
                List<Site> sites = new ArrayList<>();
                for (int tid : tasks(id)) {
                    sites.add(new Site(tid, -1, "tid " + tid));
                }
                yield new Resolved(sites, 0, -1, true);
            }
            case CPU -> single(-1, (int) id, "cpu " + id);
            case ALL_CPUS -> new Resolved(cpuSites(-1), 0, -1, false);
            case CGROUP -> {
                int fd = openCgroup(cgroup);
                yield new Resolved(cpuSites(fd), PERF_FLAG_PID_CGROUP(), fd, false);
            }
        };
    }

    private static Resolved single(int pid, int cpu, String label) {
        return new Resolved(List.of(new Site(pid, cpu, label)), 0, -1, false);
    }

    private static List<Site> cpuSites(int pid) {
        List<Site> sites = new ArrayList<>();
        for (int cpu : onlineCpus()) {
            sites.add(new Site(pid, cpu, "cpu " + cpu));
        }
        return sites;
    }

    private static void requirePlatform(Thread t) {
        if (t.isVirtual()) {
            throw new IllegalStateException("the kernel counts OS threads, and " + t + " is a virtual thread: a "
                    + "counter on it would count its carrier thread, whatever else runs there, and miss its work "
                    + "after it moves to another carrier. Count it from a platform thread "
                    + "(Thread.ofPlatform()) or count the whole process with Target.process(pid)");
        }
    }

    /**
     * The OS tid of a live platform thread of this JVM: {@code gettid()} for the calling thread; for another one, the
     * tid from the latest thread dump, and a new dump only when that one does not list the thread.
     */
    static int tidOf(Thread t) {
        requirePlatform(t);
        if (t == Thread.currentThread()) {
            return Syscalls.gettid();
        }
        if (!t.isAlive()) {
            throw new IllegalStateException(t + " is not running (not started, or terminated): it has no OS thread");
        }
        Integer tid = dumpedTids.get(t.threadId());
        if (tid == null) {
            dumpedTids = tidsOfThreadDump(t);
            tid = dumpedTids.get(t.threadId());
            if (tid == null) {
                throw new IllegalStateException("the JVM's thread dump does not list " + t
                        + " (it may have just ended); use Target.tid");
            }
        }
        if (tid == AMBIGUOUS) {
            throw new IllegalStateException("the thread dump names two OS threads for " + t
                    + " (a thread name imitates the dump format); use Target.tid");
        }
        return tid;
    }

    /**
     * Every platform thread's OS tid in a new {@code Thread.print} dump, by {@link Thread#threadId()} ("#id [tid]" in
     * each thread's header line); {@link #AMBIGUOUS} for an id that two lines give different tids.
     */
    private static Map<Long, Integer> tidsOfThreadDump(Thread wanted) {
        String dump;
        try {
            dump = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "threadPrint",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("cannot find the OS thread of " + wanted
                    + ": the Thread.print diagnostic command failed (" + e + "); use Target.tid", e);
        }
        THREAD_DUMPS.incrementAndGet();
        Map<Long, Integer> tids = new HashMap<>();
        for (String line : dump.split("\n")) {
            Matcher m = THREAD_DUMP_LINE.matcher(line);
            while (m.find()) {
                int tid = Integer.parseInt(m.group(2));
                tids.merge(Long.parseLong(m.group(1)), tid, (known, other) -> known.equals(other) ? known : AMBIGUOUS);
            }
        }
        return Map.copyOf(tids);
    }

    /** {@return how many thread dumps {@link #tidOf} has taken in this JVM} */
    static int threadDumps() {
        return THREAD_DUMPS.get();
    }

    /** The tids of {@code /proc/<pid>/task}, the main thread first. */
    static List<Integer> tasks(long pid) {
        Path dir = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> entries = Files.list(dir)) {
            // The main thread (tid == pid) first, the others in ascending order.
            List<Integer> tids = entries.map(p -> Integer.parseInt(p.getFileName().toString()))
                    .sorted(Comparator.comparing((Integer tid) -> tid != pid).thenComparing(Comparator.naturalOrder()))
                    .toList();
            if (tids.isEmpty()) {
                throw new PerfEventException(Errno.ESRCH, "list " + dir,
                        "process " + pid + " has no threads left (it is exiting)");
            }
            return tids;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PerfEventException(Errno.ESRCH, "list " + dir,
                    "there is no process " + pid + " (it may have exited)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The online CPUs, from {@code /sys/devices/system/cpu/online} (a list such as {@code 0-3,6}). */
    static List<Integer> onlineCpus() {
        String list;
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/sys/devices/system/cpu/online"))) {
            list = reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the online CPUs", e);
        }
        return parseCpuList(list);
    }

    /** Parses a kernel CPU list such as {@code 0-3,6,8-9}. */
    static List<Integer> parseCpuList(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String range : list.trim().split(",")) {
            if (range.isEmpty()) {
                continue;
            }
            int dash = range.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1));
            for (int cpu = first; cpu <= last; cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }

    /**
     * Opens the cgroup directory with {@code O_DIRECTORY}: anything else (a regular file, a FIFO, which would block a
     * plain open for ever) fails at once with ENOTDIR, even when the path was swapped after any check.
     */
    private static int openCgroup(Path directory) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Syscalls.open(arena.allocateFrom(directory.toString()),
                    Syscalls.O_RDONLY | Syscalls.O_CLOEXEC | Syscalls.O_DIRECTORY);
            if (fd < 0) {
                throw new PerfEventException(-fd, "open(" + directory + ", O_DIRECTORY)",
                        (-fd == Errno.ENOTDIR ? directory + " is not a directory: " : "") + "the cgroup must be "
                                + "a cgroup-v2 directory (look for the cgroup2 mount in /proc/mounts)");
            }
            return fd;
        }
    }

    /** {@return what the target is, such as {@code Target[tid 1234]} or {@code Target[all CPUs]}} */
    @Override
    public String toString() {
        return "Target[" + switch (kind) {
            case CURRENT_THREAD -> "current thread";
            case THREAD -> thread.toString();
            case TID -> "tid " + id;
            case PROCESS -> "pid " + id + ", every thread";
            case CPU -> "cpu " + id;
            case ALL_CPUS -> "all online CPUs";
            case CGROUP -> "cgroup " + cgroup;
            case CHILD -> "child " + id;
        } + "]";
    }
}

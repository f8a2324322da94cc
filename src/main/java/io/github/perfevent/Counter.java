/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.perfevent.internal.CloseGuard;
import io.github.perfevent.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * Counts one {@link Event} on a {@link Target}: {@code perf_event_open(2)} for each thread or CPU of the target,
 * then {@code PERF_EVENT_IOC_ENABLE}, {@code _DISABLE}, {@code _RESET} and {@code read(2)} on those fds, summed.
 *
 * <pre>{@code
 * try (Counter faults = Counter.open(Event.parse("page-faults"))) {   // this thread
 *     faults.enable();
 *     work();
 *     faults.disable();
 *     System.out.println(faults.read() + " page faults");
 * }
 * }</pre>
 *
 * <p>A counter is opened <em>disabled</em> ({@link #enable()} starts it), except on a {@link ChildProcess}, where
 * the kernel enables it at the command's {@code exec}. Its fds are close-on-exec. {@link #read()} returns the raw
 * count; {@link #read(Reading)} fills a reusable {@link Reading} with the count, the times, id and lost count the
 * {@link Options#readFormat} asked for, and the scaled value. Neither allocates.
 *
 * <p><b>Closing.</b> {@link #close()} closes every fd; closing again does nothing. After close, every method
 * other than {@link #close()} and the getters throws {@link IllegalStateException}: a closed counter never reads or
 * ioctls a descriptor number, even one the process has since reused for something else.
 *
 * <p><b>Threads.</b> Thread-safe: calls that use the fds exclude each other (a read from one thread waits for a
 * read in progress on another, which shares its buffer), and a {@link #close()} from one thread waits for a read in
 * progress on another. The guard costs one compare-and-set on an uncontended read, less than a monitor. The <em>target</em> is independent of the thread that calls: a counter
 * of thread A can be read from thread B.
 */
public final class Counter implements AutoCloseable {

    private final Event event;
    private final Target target;
    private final Options options;
    private final int[] fds;
    private final List<String> labels;
    private final ReadLayout layout;
    private final Arena arena;
    private final MemorySegment buffer;
    private final MemorySegment idBuffer;
    private final CloseGuard guard = new CloseGuard();

    private Counter(Event event, Target target, Options options, int[] fds, List<String> labels, ReadLayout layout) {
        this.event = event;
        this.target = target;
        this.options = options;
        this.fds = fds;
        this.labels = labels;
        this.layout = layout;
        this.arena = Arena.ofShared();
        this.buffer = EventOpener.unscoped(arena.allocate(layout.byteSize(), Long.BYTES));
        this.idBuffer = EventOpener.unscoped(arena.allocate(JAVA_LONG));
    }

    /**
     * Opens a counter of {@code event} on the calling thread with default options.
     *
     * @param event what to count
     * @return the counter, disabled
     * @throws PerfEventException when the kernel refuses (the hint says why)
     * @throws IllegalStateException on a virtual thread (see {@link Target})
     */
    public static Counter open(Event event) {
        return open(event, Target.currentThread(), Options.defaults());
    }

    /**
     * Opens a counter of {@code event} on {@code target} with default options.
     *
     * @param event what to count
     * @param target whom to count
     * @return the counter, disabled
     * @throws PerfEventException when the kernel refuses (the hint says why)
     */
    public static Counter open(Event event, Target target) {
        return open(event, target, Options.defaults());
    }

    /**
     * Opens a counter of {@code event} on {@code target}: one fd per thread or CPU the target covers.
     *
     * @param event what to count
     * @param target whom to count
     * @param options how to count
     * @return the counter, disabled (a child process's counter enables itself at the command's {@code exec})
     * @throws NullPointerException if an argument is {@code null} (the message names it)
     * @throws PerfEventException when the kernel refuses any of the fds (those already opened are closed); the
     *     hint says why
     * @throws IllegalStateException for a virtual thread, or a child process that has already started
     */
    public static Counter open(Event event, Target target, Options options) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        ChildProcess child = target.childProcess();
        if (child == null) {
            return openOn(event, target, options);
        }
        synchronized (child) { // ChildProcess.start() waits for the open: the counter must see the exec
            return openOn(event, target, options);
        }
    }

    private static Counter openOn(Event event, Target target, Options options) {
        ReadLayout layout = new ReadLayout(ReadFormat.bits(options.readFormat()), 0);
        boolean onExec = target.childProcess() != null;
        try (Target.Resolved resolved = target.resolve()) {
            int[] fds = new int[resolved.sites.size()];
            List<String> labels = new ArrayList<>();
            int opened = 0;
            try {
                PerfEventException vanished = null;
                for (Target.Site site : resolved.sites) {
                    try {
                        fds[opened] = EventOpener.open(event, options, site, resolved.flags, -1, layout.formatBits(),
                                onExec);
                    } catch (PerfEventException e) {
                        if (!resolved.vanished(e, site)) {
                            throw e;
                        }
                        vanished = e;
                        continue;
                    }
                    opened++;
                    labels.add(site.label());
                }
                if (opened == 0 && vanished != null) {
                    throw vanished;
                }
                return new Counter(event, target, options, Arrays.copyOf(fds, opened), labels, layout);
            } catch (RuntimeException | Error e) {
                EventOpener.closeQuietly(fds, opened);
                throw e;
            }
        }
    }

    /** {@return the event counted} */
    public Event event() {
        return event;
    }

    /** {@return the target counted} */
    public Target target() {
        return target;
    }

    /** {@return the options it was opened with} */
    public Options options() {
        return options;
    }

    /**
     * {@return the number of sites: one fd per thread or CPU of the target, as {@link Group#sites()} counts one
     * group per thread or CPU}
     */
    public int sites() {
        return fds.length;
    }

    /**
     * {@return what it counts, such as {@code tid 1234} or {@code cpu 0}}
     *
     * @param site an fd's index, 0 to {@link #sites()} - 1
     */
    public String label(int site) {
        return labels.get(site);
    }

    /**
     * {@code PERF_EVENT_IOC_ENABLE} on every fd: counting starts.
     *
     * @throws IllegalStateException if closed
     */
    public void enable() {
        onEveryFd(fd -> Syscalls.enable(fd, 0), "PERF_EVENT_IOC_ENABLE");
    }

    /**
     * {@code PERF_EVENT_IOC_DISABLE} on every fd: counting stops, the count is kept.
     *
     * @throws IllegalStateException if closed
     */
    public void disable() {
        onEveryFd(fd -> Syscalls.disable(fd, 0), "PERF_EVENT_IOC_DISABLE");
    }

    /**
     * {@code PERF_EVENT_IOC_RESET} on every fd: the count goes to 0 (the enabled and running times do not).
     *
     * @throws IllegalStateException if closed
     */
    public void reset() {
        onEveryFd(fd -> Syscalls.reset(fd, 0), "PERF_EVENT_IOC_RESET");
    }

    /**
     * Reads the count, summed over the counter's fds; allocates nothing.
     *
     * @return the raw count (not scaled)
     * @throws IllegalStateException if closed
     * @throws PerfEventException if the kernel fails the read
     */
    public long read() {
        enter();
        try {
            long sum = 0;
            for (int i = 0; i < fds.length; i++) {
                readInto(i);
                sum += ReadLayout.value(buffer);
            }
            return sum;
        } finally {
            guard.exit();
        }
    }

    /**
     * Reads everything the read format has into {@code into}, summed over the counter's fds; allocates nothing.
     *
     * @param into the holder to fill
     * @return {@code into}
     * @throws IllegalStateException if closed
     * @throws PerfEventException if the kernel fails the read
     */
    public Reading read(Reading into) {
        Objects.requireNonNull(into, "into");
        enter();
        try {
            layout.begin(into);
            for (int i = 0; i < fds.length; i++) {
                readInto(i);
                layout.accumulate(buffer, into);
            }
            return into;
        } finally {
            guard.exit();
        }
    }

    /**
     * Reads one fd (one thread or CPU, see {@link #label}) into {@code into}.
     *
     * @param site the fd's index, 0 to {@link #sites()} - 1
     * @param into the holder to fill
     * @return {@code into}
     * @throws IllegalStateException if closed
     */
    public Reading read(int site, Reading into) {
        Objects.checkIndex(site, fds.length);
        Objects.requireNonNull(into, "into");
        enter();
        try {
            layout.begin(into);
            readInto(site);
            layout.accumulate(buffer, into);
            return into;
        } finally {
            guard.exit();
        }
    }

    /**
     * {@code PERF_EVENT_IOC_ID}: the kernel's id of one fd's event, as {@link ReadFormat#ID} and sampling records
     * report it.
     *
     * @param site the fd's site, 0 to {@link #sites()} - 1
     * @return the id
     * @throws IllegalStateException if closed
     */
    public long id(int site) {
        Objects.checkIndex(site, fds.length);
        enter();
        try {
            check(Syscalls.id(fds[site], idBuffer), "PERF_EVENT_IOC_ID", site);
            return idBuffer.get(JAVA_LONG, 0);
        } finally {
            guard.exit();
        }
    }

    /**
     * The fd of one thread or CPU, for calls of the raw layer (such as {@link Syscalls#setFilter}). It stays owned by
     * the counter: do not close it.
     *
     * @param site the fd's site, 0 to {@link #sites()} - 1
     * @return the fd
     * @throws IllegalStateException if closed
     */
    public int fd(int site) {
        Objects.checkIndex(site, fds.length);
        if (guard.isClosed()) {
            throw closedException();
        }
        return fds[site];
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Closes every fd and frees the read buffer. Idempotent.
     *
     * @throws PerfEventException if the kernel fails a close (every fd is still closed, and the counter is closed)
     */
    @Override
    public void close() {
        if (!guard.close()) {
            return;
        }
        PerfEventException failure = EventOpener.closeAll(fds, "the counter of " + event);
        arena.close();
        if (failure != null) {
            throw failure;
        }
    }

    private void readInto(int site) {
        long bytes = Syscalls.read(fds[site], buffer);
        if (bytes != buffer.byteSize()) {
            if (bytes < 0) {
                throw ErrorHints.fdFailed((int) -bytes, "read(" + fds[site] + ") of " + event + " for "
                        + labels.get(site), fds[site], "counter");
            }
            throw new IllegalStateException("read of " + event + " returned " + bytes + " bytes; the read format has "
                    + buffer.byteSize());
        }
    }

    /** Applies {@code ioctl} to every fd, inside the guard; the first failure throws. */
    private void onEveryFd(IntUnaryOperator ioctl, String name) {
        enter();
        try {
            for (int i = 0; i < fds.length; i++) {
                check(ioctl.applyAsInt(fds[i]), name, i);
            }
        } finally {
            guard.exit();
        }
    }

    private void check(int result, String ioctl, int site) {
        if (result < 0) {
            throw ErrorHints.fdFailed(-result, ioctl + " on fd " + fds[site] + " of " + event + " for "
                    + labels.get(site), fds[site], "counter");
        }
    }

    /** Enters the guard, or throws if the counter is closed. */
    private void enter() {
        if (!guard.enter()) {
            throw closedException();
        }
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("the counter of " + event + " is closed");
    }

    /** {@return the event, the target and whether it is closed} */
    @Override
    public String toString() {
        return "Counter[" + event + ", " + target + (guard.isClosed() ? ", closed]" : "]");
    }
}

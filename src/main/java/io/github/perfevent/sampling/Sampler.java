/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_CPU_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_COUNT_SW_TASK_CLOCK;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FLAG_FD_CLOEXEC;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_GROUP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_ID;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_LOST;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_TOTAL_TIME_ENABLED;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_TOTAL_TIME_RUNNING;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_IOC_FLAG_GROUP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_SOFTWARE;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_TYPE_TRACEPOINT;

import io.github.perfevent.Event;
import io.github.perfevent.Options;
import io.github.perfevent.PerfEventException;
import io.github.perfevent.ReadFormat;
import io.github.perfevent.Target;
import io.github.perfevent.internal.CloseGuard;
import io.github.perfevent.internal.CountingAccess;
import io.github.perfevent.internal.CountingAccess.Kind;
import io.github.perfevent.internal.CountingAccess.Site;
import io.github.perfevent.internal.CountingAccess.Sites;
import io.github.perfevent.sys.Errno;
import io.github.perfevent.sys.Syscalls;
import io.github.perfevent.sys.bindings.perf_event_attr;
import io.github.perfevent.sys.bitfields.perf_event_attr_bits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Samples events on a target through ring buffers ({@code perf_event_open(2)}, "Overflow handling" and "MMAP
 * layout"): opens the events, maps one buffer per site, and hands out the records the kernel writes — samples and
 * side-band records — through a zero-allocation {@link RecordCursor} ({@link #next(RecordCursor)}) or as
 * {@link PerfRecord} objects ({@link #nextRecord()}).
 *
 * <p><b>Targets.</b> Every {@link Target} the counting API takes. One thread (the calling one, a Java thread, a tid)
 * is sampled on every CPU with one buffer. A process, a child command or a cgroup is sampled <em>per CPU</em>, with
 * {@code inherit} for the process and the child so that threads they create later are followed: an inherited event
 * on every CPU ({@code cpu} -1) cannot be mapped (EINVAL). A process is opened thread by thread on each CPU, and all
 * the fds of one CPU write into one buffer ({@code PERF_EVENT_IOC_SET_OUTPUT}; the kernel refuses it between
 * threads on {@code cpu} -1). A thread with {@code Options.inherit(true)} is sampled per CPU the same way.
 *
 * <p><b>Events.</b> Several events share each buffer and are told apart by their id
 * ({@link SampleField#IDENTIFIER}, {@link #eventIndex(long)}). With {@link SampleField#READ} in the sample and
 * more than one event, the first event leads a group and samples, and the others are counters read into each of
 * its samples ({@code PERF_FORMAT_GROUP}). Side-band records are asked of the first event only.
 *
 * <p><b>Order.</b> By default records are delivered in time order across buffers, the order {@code perf report}
 * relies on: a single buffer is not in time order either (the kernel writes an MMAP2 record after samples that are
 * later than its time stamp). Records are copied out of the buffers into a reorder queue and held until a read round
 * that began at least the reorder window after them has passed, as perf's ordered-events queue does with its
 * rounds. Time stamps are {@code CLOCK_MONOTONIC} (comparable with {@link System#nanoTime()}) unless the options
 * choose another clock. {@link #disable()} and the end of every monitored task flush the queue. Unordered, records
 * are read in place, buffer after buffer.
 *
 * <p><b>Lost data</b> is never silent: LOST and LOST_SAMPLES records are delivered and their counts summed in
 * {@link #lost()}. <b>Waiting</b>: {@link #await(Duration)} polls every fd and an eventfd that {@link #wakeup()}
 * and {@link #close()} write from another thread; a blocked wait returns as soon as the poll sees it (microseconds).
 * When every monitored task has exited (POLLHUP on every fd), what is left is drained and {@link #isEnded()} turns
 * true.
 *
 * <p>Thread safety: one thread reads ({@link #next}, {@link #nextRecord}, {@link #await}); any thread may call
 * {@link #wakeup()}, {@link #enable()}, {@link #disable()} and {@link #close()}.
 */
public final class Sampler implements AutoCloseable {

    private static final int CLOCK_MONOTONIC = 1;
    /** The counts of LOST and LOST_SAMPLES records, from the tables checked against the header. */
    private static final RecordType.Field LOST_COUNT = RecordType.LOST.field("lost");
    private static final RecordType.Field LOST_SAMPLES_COUNT = RecordType.LOST_SAMPLES.field("lost");

    private final List<Event> events;
    private final Target target;
    private final Sampling sampling;
    private final SampleFormat format;
    private final boolean groupRead;
    private final boolean ordered;
    private final long windowNanos;

    private final Arena arena = Arena.ofShared();
    private final CloseGuard guard = new CloseGuard();
    private final Object wakeLock = new Object();
    /** Every fd, the buffer each writes into (-1 for group members), and whether it leads (is enabled by ioctl). */
    private final int[] fds;
    private final int[] fdBuffer;
    private final boolean[] fdLeads;
    private final String[] fdLabels;
    private final RingBuffer[] buffers;
    private final long[] sortedIds;
    private final int[] idEvents;
    /** The attr each event was opened with (on its first site), as bytes. */
    private final byte[][] attrs;
    private final int wakeFd;
    private final MemorySegment pollFds;
    private final MemorySegment eventfdValue;
    private final MemorySegment wakeValue;
    private final MemorySegment readBuffer;
    private final boolean[] hungUp;
    private int hungUpCount;

    private final OrderedQueue queue = new OrderedQueue();
    private final RecordCursor timeCursor;
    private int currentBuffer;
    private long limit = Long.MIN_VALUE;
    private long roundStart = System.nanoTime();
    private long roundMax = Long.MIN_VALUE;
    private long previousRoundMax = Long.MIN_VALUE;
    private long lastDelivered = Long.MIN_VALUE;
    private volatile boolean flushAll;
    /** Whether the reader is blocked in {@link #await}, which another thread's ioctls then wake first. */
    private volatile boolean waiting;
    private long lost;
    private long unknown;
    private long late;
    private long delivered;

    private Sampler(List<Event> events, Target target, Sampling sampling, SampleFormat format, boolean groupRead,
            int[] fds, int[] fdBuffer, boolean[] fdLeads, String[] fdLabels, RingBuffer[] buffers, long[] ids,
            int[] idEvents, byte[][] attrs, int wakeFd) {
        this.events = events;
        this.target = target;
        this.sampling = sampling;
        this.format = format;
        this.groupRead = groupRead;
        this.ordered = sampling.ordered();
        this.windowNanos = sampling.reorderWindow().toNanos();
        this.fds = fds;
        this.fdBuffer = fdBuffer;
        this.fdLeads = fdLeads;
        this.fdLabels = fdLabels;
        this.buffers = buffers;
        this.wakeFd = wakeFd;
        this.attrs = attrs;
        this.timeCursor = RecordCursor.of(format);
        // ids sorted, for a binary search without boxing
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(ids[a], ids[b]));
        this.sortedIds = new long[ids.length];
        this.idEvents = new int[ids.length];
        for (int i = 0; i < order.length; i++) {
            sortedIds[i] = ids[order[i]];
            this.idEvents[i] = idEvents[order[i]];
        }
        int polled = 0;
        for (int b : fdBuffer) {
            polled += b >= 0 ? 1 : 0;
        }
        this.pollFds = arena.allocate(Syscalls.POLLFD, polled + 1L);
        int slot = 0;
        for (int i = 0; i < fds.length; i++) {
            if (fdBuffer[i] >= 0) {
                pollFds.set(ValueLayout.JAVA_INT, slot * Syscalls.POLLFD.byteSize(), fds[i]);
                pollFds.set(ValueLayout.JAVA_SHORT, slot * Syscalls.POLLFD.byteSize() + 4, Syscalls.POLLIN);
                slot++;
            }
        }
        pollFds.set(ValueLayout.JAVA_INT, slot * Syscalls.POLLFD.byteSize(), wakeFd);
        pollFds.set(ValueLayout.JAVA_SHORT, slot * Syscalls.POLLFD.byteSize() + 4, Syscalls.POLLIN);
        this.hungUp = new boolean[polled];
        this.eventfdValue = arena.allocate(ValueLayout.JAVA_LONG);
        this.wakeValue = arena.allocateFrom(ValueLayout.JAVA_LONG, 1);
        this.readBuffer = arena.allocate(8L * (4 + 3L * events.size()), 8);
    }

    /**
     * Samples {@code event} on {@code target} with the default counting options.
     *
     * @param event what to sample
     * @param target where
     * @param sampling how
     * @return the sampler, disabled (armed for the {@code exec} of a child); {@link #enable()} starts it
     * @throws IllegalArgumentException for settings that cannot work (see {@link #open(List, Target, Sampling,
     *     Options)})
     * @throws PerfEventException if the kernel refuses
     */
    public static Sampler open(Event event, Target target, Sampling sampling) {
        return open(List.of(Objects.requireNonNull(event, "event")), target, sampling, Options.defaults());
    }

    /**
     * Samples {@code event} on {@code target}.
     *
     * @param event what to sample
     * @param target where
     * @param sampling how
     * @param options the counting options (exclude bits, {@code inherit}, clock, {@code precise_ip},
     *     {@code read_format} for {@link SampleField#READ})
     * @return the sampler, disabled (armed for the {@code exec} of a child)
     * @throws IllegalArgumentException for settings that cannot work
     * @throws PerfEventException if the kernel refuses
     */
    public static Sampler open(Event event, Target target, Sampling sampling, Options options) {
        return open(List.of(Objects.requireNonNull(event, "event")), target, sampling, options);
    }

    /**
     * Samples {@code events} on {@code target}, all into the same buffers. With {@link SampleField#READ} and more
     * than one event, the first leads a group and samples, the others are read into its samples.
     *
     * @param events what to sample, at least one
     * @param target where: a thread, a process, CPUs, a cgroup or a {@link io.github.perfevent.ChildProcess}'s target
     *     (not started yet: the events are enabled at its {@code exec})
     * @param sampling how
     * @param options the counting options
     * @return the sampler, disabled (armed for the {@code exec} of a child); {@link #enable()} starts it
     * @throws IllegalArgumentException if {@code events} is empty; for a period below 10 µs (or a frequency above
     *     100 kHz) of {@code cpu-clock} or {@code task-clock}, which the kernel accepts but fires at most every 10 µs
     *     while reporting the period asked for; for time order without {@code TIME} or {@code sample_id_all}
     * @throws IllegalStateException if the target's child has started
     * @throws PerfEventException if the kernel refuses: the exception carries the errno and a hint — besides the
     *     counting hints, EINVAL for a frequency above {@code kernel.perf_event_max_sample_rate}, EOVERFLOW for
     *     {@code maxStack} above {@code kernel.perf_event_max_stack}, EACCES (EPERM for a guarded tracepoint) for
     *     {@code RAW} samples without privilege, EPERM for a buffer over {@code kernel.perf_event_mlock_kb}
     */
    public static Sampler open(List<Event> events, Target target, Sampling sampling, Options options) {
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(options, "options");
        List<Event> eventList = List.copyOf(events);
        if (eventList.isEmpty()) {
            throw new IllegalArgumentException("a sampler needs at least one event");
        }
        sampling.validate();
        for (Event event : eventList) {
            requireHonestTimerPeriod(event, sampling);
        }
        boolean groupRead = eventList.size() > 1 && sampling.sample().contains(SampleField.READ);
        return new Opener(eventList, target, sampling, options, groupRead).open();
    }

    /** Refuses a period the kernel would not keep: its timer-driven events fire at most every 10 µs. */
    private static void requireHonestTimerPeriod(Event event, Sampling sampling) {
        boolean timer = event.type() == PERF_TYPE_SOFTWARE()
                && (event.config() == PERF_COUNT_SW_CPU_CLOCK() || event.config() == PERF_COUNT_SW_TASK_CLOCK())
                || event.type() == pmuType("cpu_clock") || event.type() == pmuType("task_clock");
        if (!timer) {
            return;
        }
        if (sampling.period() > 0 && sampling.period() < Sampling.MIN_TIMER_PERIOD_NS) {
            throw new IllegalArgumentException("a " + event.name() + " period of " + sampling.period() + " ns is below "
                    + "the 10 µs the kernel's timer fires at most: it accepts the period but samples every 10 µs or "
                    + "more while every sample reports " + sampling.period() + "; use a period of at least "
                    + Sampling.MIN_TIMER_PERIOD_NS + " ns");
        }
        if (sampling.frequency() > 1_000_000_000L / Sampling.MIN_TIMER_PERIOD_NS) {
            throw new IllegalArgumentException("a " + event.name() + " frequency of " + sampling.frequency()
                    + " Hz asks for a period below the 10 µs the kernel's timer fires at most; use at most 100000 Hz");
        }
    }

    private static int pmuType(String pmu) {
        try {
            return Integer.parseInt(Files.readString(Path.of("/sys/bus/event_source/devices", pmu, "type")).trim());
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Opens the events site by site and maps or redirects each fd. */
    private static final class Opener {
        private final List<Event> events;
        private final Target target;
        private final Sampling sampling;
        private final Options options;
        private final boolean groupRead;
        private final CountingAccess.Bridge counting = CountingAccess.counting();
        private final List<Integer> fds = new ArrayList<>();
        private final List<Integer> fdBuffer = new ArrayList<>();
        private final List<Boolean> fdLeads = new ArrayList<>();
        private final List<String> fdLabels = new ArrayList<>();
        private final List<Long> ids = new ArrayList<>();
        private final List<Integer> idEvents = new ArrayList<>();
        private final List<RingBuffer> buffers = new ArrayList<>();
        private final List<Integer> bufferKeys = new ArrayList<>();
        private final byte[][] attrs;

        Opener(List<Event> events, Target target, Sampling sampling, Options options, boolean groupRead) {
            this.events = events;
            this.target = target;
            this.sampling = sampling;
            this.options = options;
            this.groupRead = groupRead;
            this.attrs = new byte[events.size()][];
        }

        Sampler open() {
            int wakeFd = -1;
            try (Arena arena = Arena.ofConfined(); Sites sites = counting.resolve(target)) {
                if (sites.kind() == Kind.CHILD) {
                    counting.requireNotStarted(sites.child());
                }
                MemorySegment probe = attr(arena, 0, sites, false);
                boolean inherit = perf_event_attr_bits.inherit(probe) != 0;
                boolean perCpu = sites.kind() == Kind.PROCESS || sites.kind() == Kind.CHILD
                        || sites.kind() == Kind.THREAD && inherit;
                List<Site> planned = perCpu ? perCpu(sites) : sites.sites();
                SampleFormat format = SampleFormat.of(probe);
                MemorySegment idOut = arena.allocate(ValueLayout.JAVA_LONG);
                for (int i = 0; i < planned.size(); i++) {
                    Site site = planned.get(i);
                    openSite(arena, sites, site, perCpu ? site.cpu() : i, idOut);
                }
                if (fds.isEmpty()) {
                    throw new IllegalStateException("every thread of " + target + " ended before it was opened");
                }
                wakeFd = Syscalls.eventfd(0, Syscalls.EFD_CLOEXEC | Syscalls.EFD_NONBLOCK);
                if (wakeFd < 0) {
                    throw counting.failure(-wakeFd, "eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)",
                            Errno.EMFILE == -wakeFd ? "this process has as many open files as RLIMIT_NOFILE allows" : "");
                }
                return new Sampler(events, target, sampling, format, groupRead, ints(fds), ints(fdBuffer),
                        booleans(fdLeads), fdLabels.toArray(String[]::new), buffers.toArray(RingBuffer[]::new),
                        ids.stream().mapToLong(Long::longValue).toArray(), ints(idEvents), attrs, wakeFd);
            } catch (RuntimeException | Error e) {
                if (wakeFd >= 0) {
                    Syscalls.close(wakeFd);
                }
                for (RingBuffer b : buffers) {
                    b.close();
                }
                for (int i = fds.size() - 1; i >= 0; i--) {
                    Syscalls.close(fds.get(i));
                }
                throw e;
            }
        }

        /** Each site of {@code sites} on every online CPU. */
        private List<Site> perCpu(Sites sites) {
            List<Site> cpus;
            try (Sites all = counting.resolve(Target.allCpus())) {
                cpus = all.sites();
            }
            List<Site> planned = new ArrayList<>();
            for (Site s : sites.sites()) {
                for (Site c : cpus) {
                    planned.add(new Site(s.pid(), c.cpu(), s.label() + " on cpu " + c.cpu()));
                }
            }
            return planned;
        }

        private MemorySegment attr(Arena arena, int eventIndex, Sites sites, boolean forceInherit) {
            Event event = events.get(eventIndex);
            MemorySegment attr = perf_event_attr.allocate(arena);
            counting.writeAttr(attr, arena, event, options);
            boolean member = groupRead && eventIndex > 0;
            sampling.writeTo(attr, eventIndex == 0);
            if (perf_event_attr_bits.use_clockid(attr) == 0) {
                perf_event_attr_bits.use_clockid(attr, 1);
                perf_event_attr.clockid(attr, CLOCK_MONOTONIC);
            }
            if (forceInherit) {
                perf_event_attr_bits.inherit(attr, 1);
            }
            long readFormat = 0;
            for (ReadFormat f : options.readFormat()) {
                readFormat |= f.bit();
            }
            if (groupRead) {
                readFormat |= PERF_FORMAT_GROUP() | PERF_FORMAT_ID();
            }
            perf_event_attr.read_format(attr, readFormat);
            if (member) {
                perf_event_attr_bits.freq(attr, 0);
                perf_event_attr.sample_period(attr, 0);
                perf_event_attr_bits.pinned(attr, 0);
                perf_event_attr_bits.exclusive(attr, 0);
                perf_event_attr_bits.disabled(attr, 0);
            } else {
                perf_event_attr_bits.disabled(attr, 1);
                if (sites.kind() == Kind.CHILD && (!groupRead || eventIndex == 0)) {
                    perf_event_attr_bits.enable_on_exec(attr, 1);
                }
            }
            return attr;
        }

        /** Opens every event on {@code site}, into the buffer of {@code bufferKey} (its CPU, or the site). */
        private void openSite(Arena arena, Sites sites, Site site, int bufferKey, MemorySegment idOut) {
            int first = fds.size();
            int leaderFd = -1;
            for (int e = 0; e < events.size(); e++) {
                boolean member = groupRead && e > 0;
                MemorySegment attr = attr(arena, e, sites,
                        sites.kind() == Kind.PROCESS || sites.kind() == Kind.CHILD);
                if (attrs[e] == null) {
                    attrs[e] = attr.toArray(ValueLayout.JAVA_BYTE);
                }
                long flags = PERF_FLAG_FD_CLOEXEC() | sites.flags();
                int groupFd = member ? leaderFd : -1;
                int fd = Syscalls.perfEventOpen(attr, site.pid(), site.cpu(), groupFd, flags);
                if (fd < 0) {
                    PerfEventException failure = openFailed(-fd, attr, events.get(e), site, groupFd, flags);
                    if (counting.vanished(sites, failure, site)) {
                        for (int i = fds.size() - 1; i >= first; i--) {
                            Syscalls.close(fds.remove(i));
                            fdBuffer.remove(i);
                            fdLeads.remove(i);
                            fdLabels.remove(i);
                        }
                        return;
                    }
                    throw failure;
                }
                fds.add(fd);
                fdLabels.add(site.label());
                fdLeads.add(!member);
                if (!member) {
                    leaderFd = e == 0 ? fd : leaderFd;
                    fdBuffer.add(attach(fd, bufferKey, site));
                } else {
                    fdBuffer.add(-1);
                }
                int result = Syscalls.id(fd, idOut);
                if (result < 0) {
                    throw counting.failure(-result, "ioctl(" + fd + ", PERF_EVENT_IOC_ID)", "");
                }
                ids.add(idOut.get(ValueLayout.JAVA_LONG, 0));
                idEvents.add(e);
            }
        }

        /** Maps {@code fd}, or redirects it into the buffer of {@code key} when there is one; returns the buffer. */
        private int attach(int fd, int key, Site site) {
            int existing = bufferKeys.indexOf(key);
            if (existing >= 0) {
                int owner = buffers.get(existing).fd();
                int result = Syscalls.setOutput(fd, owner);
                if (result < 0) {
                    throw counting.failure(-result, "ioctl(" + fd + ", PERF_EVENT_IOC_SET_OUTPUT, " + owner + ") for "
                            + site.label(), "the kernel redirects only between events of one CPU (or of one thread on "
                            + "every CPU) with the same clock");
                }
                return existing;
            }
            buffers.add(RingBuffer.map(fd, sampling.bufferPages(), sampling.overwrite(), sampling.auxPages()));
            bufferKeys.add(key);
            return buffers.size() - 1;
        }

        private PerfEventException openFailed(int errno, MemorySegment attr, Event event, Site site, int groupFd,
                long flags) {
            String call = "perf_event_open(" + event.name() + ", pid=" + site.pid() + ", cpu=" + site.cpu()
                    + ", group_fd=" + groupFd + ", flags=0x" + Long.toHexString(flags) + ") for " + site.label();
            if (errno == Errno.EINVAL && sampling.frequency() > 0) {
                String max = RingBuffer.sysctl("perf_event_max_sample_rate");
                if (max.matches("\\d+") && sampling.frequency() > Long.parseLong(max)) {
                    return counting.failure(errno, call, "the frequency " + sampling.frequency() + " Hz is above "
                            + "kernel.perf_event_max_sample_rate (" + max + "), which the kernel also lowers by itself "
                            + "when sampling interrupts take too long (dmesg: \"perf: interrupt took too long\"); "
                            + "ask for at most " + max + " Hz or raise the sysctl");
                }
            }
            if (errno == Errno.EOVERFLOW) {
                return counting.failure(errno, call, "sample_max_stack " + perf_event_attr.sample_max_stack(attr)
                        + " is above kernel.perf_event_max_stack (" + RingBuffer.sysctl("perf_event_max_stack")
                        + "); ask for fewer frames or raise the sysctl");
            }
            // The kernel refuses RAW samples unprivileged with EACCES in general, and with EPERM for a tracepoint
            // whose payload it guards (perf_allow_tracepoint; the syscalls tracepoints are open to everyone).
            boolean tracepoint = event.type() == PERF_TYPE_TRACEPOINT();
            if ((errno == Errno.EACCES || errno == Errno.EPERM && tracepoint)
                    && sampling.sample().contains(SampleField.RAW)) {
                return counting.failure(errno, call, "RAW samples (tracepoint payloads) need CAP_PERFMON or "
                        + "CAP_SYS_ADMIN, or kernel.perf_event_paranoid -1 (it is "
                        + RingBuffer.sysctl("perf_event_paranoid") + "); leave SampleField.RAW out otherwise");
            }
            return counting.openFailed(errno, attr, event, site, groupFd, flags);
        }
    }

    private static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean[] booleans(List<Boolean> list) {
        boolean[] out = new boolean[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }

    /** {@return the layout of this sampler's records, for a {@link RecordCursor} of its own} */
    public SampleFormat format() {
        return format;
    }

    /** {@return a new cursor for this sampler's records} */
    public RecordCursor cursor() {
        return RecordCursor.of(format);
    }

    /** {@return the events, in the order they were given} */
    public List<Event> events() {
        return events;
    }

    /** {@return the target} */
    public Target target() {
        return target;
    }

    /** {@return the sampling settings} */
    public Sampling sampling() {
        return sampling;
    }

    /** {@return the number of ring buffers (one per CPU, or one for a thread)} */
    public int buffers() {
        return buffers.length;
    }

    /** {@return the number of fds: events × sites} */
    public int fds() {
        return fds.length;
    }

    /**
     * The {@code perf_event_attr} event {@code event} was opened with, as a copy: what a perf.data file or another
     * reader of the records needs to know about them.
     *
     * @param event the index of the event in {@link #events()}
     * @param arena where to allocate the copy
     * @return the attr, {@code perf_event_attr.sizeof()} bytes
     * @throws IndexOutOfBoundsException if there is no such event
     */
    public MemorySegment attr(int event, Arena arena) {
        Objects.checkIndex(event, attrs.length);
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, attrs[event]);
    }

    /**
     * The ids the kernel gave event {@code event} on each of its sites ({@code PERF_EVENT_IOC_ID}), the values its
     * records carry in {@code IDENTIFIER} and {@code ID}.
     *
     * @param event the index of the event in {@link #events()}
     * @return the ids, one per site
     * @throws IndexOutOfBoundsException if there is no such event
     */
    public long[] ids(int event) {
        Objects.checkIndex(event, attrs.length);
        int n = 0;
        for (int e : idEvents) {
            n += e == event ? 1 : 0;
        }
        long[] out = new long[n];
        int j = 0;
        for (int i = 0; i < sortedIds.length; i++) {
            if (idEvents[i] == event) {
                out[j++] = sortedIds[i];
            }
        }
        return out;
    }

    /**
     * The event a record comes from, by the id in its {@code IDENTIFIER} or {@code ID} field.
     *
     * @param id the id
     * @return the index of the event in {@link #events()}, or -1 for an id of no event of this sampler
     */
    public int eventIndex(long id) {
        int i = Arrays.binarySearch(sortedIds, id);
        return i >= 0 ? idEvents[i] : -1;
    }

    /**
     * {@code PERF_EVENT_IOC_ENABLE} on every sampling fd: sampling starts. Not needed for a child, whose events are
     * enabled at its {@code exec}.
     *
     * @throws IllegalStateException if closed
     * @throws PerfEventException if the kernel refuses
     */
    public void enable() {
        ioctlAll(true);
    }

    /**
     * {@code PERF_EVENT_IOC_DISABLE} on every sampling fd: sampling stops; the records already written are delivered
     * at once, without waiting for the reorder window.
     *
     * @throws IllegalStateException if closed
     * @throws PerfEventException if the kernel refuses
     */
    public void disable() {
        ioctlAll(false);
    }

    private void ioctlAll(boolean enable) {
        enterWaking();
        try {
            if (enable) {
                // Records come again: hold them for the window, as from the start (a disable flushed everything).
                flushAll = false;
                limit = Long.MIN_VALUE;
                roundMax = Long.MIN_VALUE;
                previousRoundMax = Long.MIN_VALUE;
                roundStart = System.nanoTime();
            }
            for (int i = 0; i < fds.length; i++) {
                if (!fdLeads[i]) {
                    continue;
                }
                int flag = groupRead ? PERF_IOC_FLAG_GROUP() : 0;
                int result = enable ? Syscalls.enable(fds[i], flag) : Syscalls.disable(fds[i], flag);
                if (result < 0) {
                    throw CountingAccess.counting().failure(-result, "ioctl(" + fds[i] + ", PERF_EVENT_IOC_"
                            + (enable ? "ENABLE" : "DISABLE") + ") for " + fdLabels[i], "");
                }
            }
            if (!enable) {
                flushAll = true;
            }
        } finally {
            guard.exit();
        }
    }

    /**
     * Positions {@code cursor} on the next record. Ordered, records come out of the reorder queue, which is refilled
     * from every buffer when it has nothing due; unordered, in place from the buffers in turn. The record stays valid
     * until the next call. Allocates nothing once the queue has grown to the working set.
     *
     * @param cursor a cursor of this sampler's {@link #format()}
     * @return whether there is a record now (false: {@link #await} for more)
     * @throws IllegalStateException if closed
     * @throws MalformedRecordException if a buffer holds what the kernel does not write
     */
    public boolean next(RecordCursor cursor) {
        if (!guard.enter()) {
            throw new IllegalStateException("the sampler is closed");
        }
        try {
            if (sampling.overwrite() || ordered) {
                return nextQueued(cursor);
            }
            return nextInPlace(cursor);
        } finally {
            guard.exit();
        }
    }

    /**
     * The next record as an object (for code that does not count allocations).
     *
     * @return the record, or null when there is none now
     * @throws IllegalStateException if closed
     */
    public PerfRecord nextRecord() {
        RecordCursor cursor = timeCursor;
        return next(cursor) ? cursor.toRecord() : null;
    }

    private boolean nextInPlace(RecordCursor cursor) {
        for (int tried = 0; tried < buffers.length; tried++) {
            RingBuffer buffer = buffers[currentBuffer];
            if (buffer.nextRecord()) {
                deliver(cursor, buffer.recordSegment(), buffer.recordOffset());
                return true;
            }
            buffer.release();
            currentBuffer = (currentBuffer + 1) % buffers.length;
        }
        return false;
    }

    private boolean nextQueued(RecordCursor cursor) {
        if (sampling.overwrite()) {
            return queue.poll(Long.MAX_VALUE) && deliverQueued(cursor); // what the last snapshot read
        }
        if (!queue.poll(limit)) {
            drainAll();
            if (!queue.poll(limit)) {
                return false;
            }
        }
        return deliverQueued(cursor);
    }

    private boolean deliverQueued(RecordCursor cursor) {
        MemorySegment segment = queue.segment();
        long offset = queue.offset();
        deliver(cursor, segment, offset);
        if (ordered) {
            long time = cursor.time();
            if (time < lastDelivered) {
                late++;
            } else {
                lastDelivered = time;
            }
        }
        return true;
    }

    private void deliver(RecordCursor cursor, MemorySegment segment, long offset) {
        cursor.wrap(segment, offset);
        switch (cursor.recordType()) {
            case LOST -> lost += cursor.get(LOST_COUNT);
            case LOST_SAMPLES -> lost += cursor.get(LOST_SAMPLES_COUNT);
            case UNKNOWN -> unknown++;
            default -> { }
        }
        delivered++;
    }

    /** Copies every unread record of every buffer into the queue and closes the round when it is due. */
    private void drainAll() {
        for (RingBuffer buffer : buffers) {
            while (buffer.nextRecord()) {
                MemorySegment segment = buffer.recordSegment();
                long offset = buffer.recordOffset();
                timeCursor.wrap(segment, offset);
                long time = timeCursor.time();
                queue.add(segment, offset, timeCursor.size(), time);
                roundMax = Math.max(roundMax, time);
            }
            buffer.release();
        }
        long now = System.nanoTime();
        if (flushAll || hungUpCount == hungUp.length && hungUp.length > 0) {
            limit = Long.MAX_VALUE;
        } else if (now - roundStart >= windowNanos) {
            limit = previousRoundMax;
            previousRoundMax = roundMax;
            roundStart = now;
        }
    }

    /**
     * Overwrite mode: pauses every buffer, reads what it holds (up to a buffer's worth of the newest records) into
     * the queue, and resumes; {@link #next} then delivers them, in time order when ordered, else oldest first buffer
     * by buffer.
     *
     * @return the number of records read
     * @throws IllegalStateException if closed or not in overwrite mode
     * @throws PerfEventException if pausing fails
     */
    public int snapshot() {
        if (!sampling.overwrite()) {
            throw new IllegalStateException("snapshot() reads a buffer in overwrite mode: Sampling.overwrite(true)");
        }
        if (!guard.enter()) {
            throw new IllegalStateException("the sampler is closed");
        }
        try {
            int total = 0;
            for (RingBuffer buffer : buffers) {
                buffer.pauseOutput(true);
                try {
                    total += buffer.readBackward((segment, offset) -> {
                        timeCursor.wrap(segment, offset);
                        queue.add(segment, offset, timeCursor.size(), ordered ? timeCursor.time() : 0);
                    });
                } finally {
                    buffer.pauseOutput(false);
                }
            }
            return total;
        } finally {
            guard.exit();
        }
    }

    /**
     * {@code PERF_EVENT_IOC_PAUSE_OUTPUT} on every buffer: the kernel stops (or resumes) writing; samples in between
     * are lost and counted by a LOST record after the resume.
     *
     * @param pause whether to pause
     * @throws IllegalStateException if closed
     * @throws PerfEventException if the kernel refuses
     */
    public void pauseOutput(boolean pause) {
        enterWaking();
        try {
            for (RingBuffer buffer : buffers) {
                buffer.pauseOutput(pause);
            }
        } finally {
            guard.exit();
        }
    }

    /**
     * Waits until records may be ready: a buffer passed its wake-up mark, a monitored task ended (POLLHUP), or
     * records held for ordering are due. Returns early, with false, when {@link #wakeup()} or {@link #close()} is
     * called from another thread.
     *
     * @param timeout how long to wait at most
     * @return true when there may be records to read or the stream ended; false on timeout or wake-up
     * @throws IllegalStateException if closed
     */
    public boolean await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (!guard.enter()) {
            throw new IllegalStateException("the sampler is closed");
        }
        try {
            return awaitEntered(timeout);
        } finally {
            guard.exit();
        }
    }

    private boolean awaitEntered(Duration timeout) {
        if (queue.size() > 0 && (queue.earliestTime() <= limit || flushAll)) {
            return true;
        }
        if (hungUp.length > 0 && hungUpCount == hungUp.length) {
            return true; // every monitored task has ended: nothing more will come, what is left is read now
        }
        long timeoutMillis = Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        if (queue.size() > 0 && !sampling.overwrite()) {
            long dueMillis = Math.max(1, (windowNanos - (System.nanoTime() - roundStart)) / 1_000_000 + 1);
            timeoutMillis = Math.min(timeoutMillis, dueMillis);
        }
        int slots = hungUp.length;
        waiting = true;
        int ready;
        try {
            ready = Syscalls.poll(pollFds, slots + 1L, (int) timeoutMillis);
        } finally {
            waiting = false;
        }
        if (ready < 0) {
            if (ready == -Errno.EINTR) {
                return false;
            }
            throw CountingAccess.counting().failure(-ready, "poll(" + (slots + 1) + " fds)", "");
        }
        long stride = Syscalls.POLLFD.byteSize();
        boolean readable = false;
        for (int i = 0; i < slots; i++) {
            short revents = pollFds.get(ValueLayout.JAVA_SHORT, i * stride + 6);
            if ((revents & Syscalls.POLLIN) != 0) {
                readable = true;
            }
            if ((revents & (Syscalls.POLLHUP | Syscalls.POLLERR)) != 0 && !hungUp[i]) {
                hungUp[i] = true;
                hungUpCount++;
                pollFds.set(ValueLayout.JAVA_INT, i * stride, -1); // poll ignores it from now on
            }
        }
        short wake = pollFds.get(ValueLayout.JAVA_SHORT, slots * stride + 6);
        if ((wake & Syscalls.POLLIN) != 0) {
            Syscalls.read(wakeFd, eventfdValue);
            return false;
        }
        return readable || hungUpCount == slots || queue.size() > 0
                && System.nanoTime() - roundStart >= windowNanos;
    }

    /**
     * Enters the guard from a thread other than the reader's, first waking the reader when it is blocked in
     * {@link #await} (which holds the guard while it polls).
     */
    private void enterWaking() {
        if (waiting) {
            wakeup();
        }
        if (!guard.enter()) {
            throw new IllegalStateException("the sampler is closed");
        }
    }

    /**
     * Makes a blocked {@link #await} return false at once (from any thread). With nobody waiting, the next
     * {@code await} returns false at once instead.
     */
    public void wakeup() {
        synchronized (wakeLock) {
            if (!guard.isClosed()) {
                Syscalls.write(wakeFd, wakeValue);
            }
        }
    }

    /**
     * {@return whether every monitored task has exited (POLLHUP on every fd, seen by {@link #await}) and every record
     * has been delivered}
     */
    public boolean isEnded() {
        if (hungUp.length == 0 || hungUpCount < hungUp.length || queue.size() > 0) {
            return false;
        }
        for (RingBuffer buffer : buffers) {
            if (!buffer.isClosed() && buffer.unread() > 0) {
                return false;
            }
        }
        return true;
    }

    /** {@return the samples lost so far, summed from the LOST and LOST_SAMPLES records delivered} */
    public long lost() {
        return lost;
    }

    /** {@return the records of types this library does not know, delivered so far (skipped by size)} */
    public long unknownRecords() {
        return unknown;
    }

    /**
     * {@return the records delivered out of time order because the kernel wrote them more than the reorder window
     * after later ones (0 unless the window is too short for the machine)}
     */
    public long lateRecords() {
        return late;
    }

    /** {@return how many records crossed the end of a buffer and were joined before delivery} */
    long wrappedRecords() {
        long sum = 0;
        for (RingBuffer buffer : buffers) {
            sum += buffer.wrapped();
        }
        return sum;
    }

    /** {@return the records delivered so far} */
    public long delivered() {
        return delivered;
    }

    /**
     * The samples the kernel lost for want of room, as {@code PERF_FORMAT_LOST} counts them (Linux 6.0+), summed
     * over every sampling fd. Losses belong to a buffer, not to the event a LOST record names, so compare the sum
     * over a buffer's events with its LOST records.
     *
     * @return the sum
     * @throws IllegalStateException if closed, or the options lack {@code ReadFormat.LOST}
     * @throws PerfEventException if a read fails
     */
    public long lostByKernel() {
        if (!guard.enter()) {
            throw new IllegalStateException("the sampler is closed");
        }
        try {
            long sum = 0;
            for (int i = 0; i < fds.length; i++) {
                if (!fdLeads[i]) {
                    continue;
                }
                long n = Syscalls.read(fds[i], readBuffer);
                if (n < 0) {
                    throw CountingAccess.counting().failure((int) -n, "read(" + fds[i] + ") for " + fdLabels[i], "");
                }
                sum += lostField(n);
            }
            return sum;
        } finally {
            guard.exit();
        }
    }

    private long lostField(long bytes) {
        long readFormat = format.readFormat();
        if ((readFormat & PERF_FORMAT_LOST()) == 0) {
            throw new IllegalStateException("lostByKernel() needs Options.readFormat with ReadFormat.LOST");
        }
        long offset = (readFormat & PERF_FORMAT_GROUP()) != 0 ? 8 : 0; // nr
        offset += (readFormat & PERF_FORMAT_TOTAL_TIME_ENABLED()) != 0 ? 8 : 0;
        offset += (readFormat & PERF_FORMAT_TOTAL_TIME_RUNNING()) != 0 ? 8 : 0;
        offset += 8; // the (leader's) value
        offset += (readFormat & PERF_FORMAT_ID()) != 0 ? 8 : 0;
        if (offset + 8 > bytes) {
            throw new IllegalStateException("the kernel returned " + bytes + " bytes, too few for the lost count");
        }
        return readBuffer.get(ValueLayout.JAVA_LONG, offset);
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Wakes a waiting reader, waits for it to leave, then unmaps every buffer and closes every fd, once; later calls
     * do nothing. Records read before are invalid afterwards.
     */
    @Override
    public void close() {
        wakeup();
        if (!guard.close()) {
            return;
        }
        synchronized (wakeLock) {
            Syscalls.close(wakeFd);
        }
        for (RingBuffer buffer : buffers) {
            buffer.close();
        }
        for (int i = fds.length - 1; i >= 0; i--) {
            Syscalls.close(fds[i]);
        }
        arena.close();
    }

    /** {@return the events, target and sizes, such as {@code Sampler[cpu-clock on tid 42, 1 buffer]}} */
    @Override
    public String toString() {
        return "Sampler[" + events.stream().map(Event::name).toList() + " on " + target + ", " + buffers.length
                + (buffers.length == 1 ? " buffer" : " buffers") + ", " + sampling + (isClosed() ? ", closed" : "")
                + "]";
    }
}

/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import static io.github.perfevent.sys.bindings.perf_event_h.PERF_FORMAT_GROUP;
import static io.github.perfevent.sys.bindings.perf_event_h.PERF_IOC_FLAG_GROUP;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.perfevent.internal.CloseGuard;
import io.github.perfevent.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Several events counted together: the first is the group leader, the others join its group
 * ({@code perf_event_open(2)} with {@code group_fd}), so the kernel schedules them onto the PMU all at once and
 * one {@code read(2)} of the leader with {@code PERF_FORMAT_GROUP} returns every count for the same interval.
 * {@link #enable()}, {@link #disable()} and {@link #reset()} act on the whole group with
 * {@code PERF_IOC_FLAG_GROUP}.
 *
 * <pre>{@code
 * try (Group group = Group.open(List.of(Event.parse("task-clock"), Event.parse("page-faults"),
 *         Event.parse("context-switches")))) {                         // this thread
 *     GroupReading reading = group.newReading();
 *     group.enable();
 *     work();
 *     group.disable();
 *     group.read(reading);
 *     System.out.println(reading);
 * }
 * }</pre>
 *
 * <p>On a target with several threads or CPUs there is one group per thread or CPU; reads sum them member by member.
 * Only the leader may be pinned or exclusive ({@link Options#pinned}, {@link Options#exclusive} apply to it).
 * Mixing PMUs in a group (a software event with a tracepoint, say) is allowed for software leaders; note that on
 * this kernel a group mixing task-clock with other software PMUs may leave members at 0 until the next context
 * switch after enabling.
 *
 * <p>Closing, fd reuse and thread-safety are as for {@link Counter}: idempotent {@link #close()}, no access after it,
 * calls that use the fds exclude each other and close.
 */
public final class Group implements AutoCloseable {

    private final List<Event> events;
    private final Target target;
    private final int members;
    private final int[] fds;
    private final List<String> labels;
    private final ReadLayout layout;
    private final Arena arena;
    private final MemorySegment buffer;
    private final MemorySegment idBuffer;
    private final CloseGuard guard = new CloseGuard();

    private Group(List<Event> events, Target target, int[] fds, List<String> labels, ReadLayout layout) {
        this.events = events;
        this.target = target;
        this.members = events.size();
        this.fds = fds;
        this.labels = labels;
        this.layout = layout;
        this.arena = Arena.ofShared();
        this.buffer = EventOpener.unscoped(arena.allocate(layout.byteSize(), Long.BYTES));
        this.idBuffer = EventOpener.unscoped(arena.allocate(JAVA_LONG));
    }

    /**
     * Opens a group of {@code events} (the first leads) on the calling thread with default options.
     *
     * @param events the members, at least one
     * @return the group, disabled
     * @throws PerfEventException when the kernel refuses a member (every fd already opened is closed)
     * @throws IllegalStateException on a virtual thread (see {@link Target})
     */
    public static Group open(List<Event> events) {
        return open(events, Target.currentThread(), Options.defaults());
    }

    /**
     * Opens a group of {@code events} (the first leads) on {@code target} with default options.
     *
     * @param events the members, at least one
     * @param target whom to count
     * @return the group, disabled (a child process's group enables itself at the command's {@code exec})
     * @throws PerfEventException when the kernel refuses a member (every fd already opened is closed)
     */
    public static Group open(List<Event> events, Target target) {
        return open(events, target, Options.defaults());
    }

    /**
     * Opens a group of {@code events} (the first leads) on {@code target}: one group per thread or CPU the target
     * covers. The argument order is {@link Counter#open(Event, Target, Options)}'s.
     *
     * @param events the members, at least one
     * @param target whom to count
     * @param options how to count, for every member
     * @return the group, disabled (a child process's group enables itself at the command's {@code exec})
     * @throws NullPointerException if an argument or an event is {@code null} (the message names it)
     * @throws IllegalArgumentException if {@code events} is empty
     * @throws PerfEventException when the kernel refuses a member (every fd already opened is closed); the hint
     *     says why
     * @throws IllegalStateException for a virtual thread, or a child process that has already started
     */
    public static Group open(List<Event> events, Target target, Options options) {
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        List<Event> members = new ArrayList<>(events.size());
        for (Event event : events) {
            members.add(Objects.requireNonNull(event, () -> "events[" + members.size() + "]"));
        }
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a group needs at least one event");
        }
        ChildProcess child = target.childProcess();
        if (child == null) {
            return openOn(target, options, List.copyOf(members));
        }
        synchronized (child) { // ChildProcess.start() waits for the open: the group must see the exec
            return openOn(target, options, List.copyOf(members));
        }
    }

    private static Group openOn(Target target, Options options, List<Event> members) {
        ReadLayout layout = new ReadLayout(ReadFormat.bits(options.readFormat()), members.size());
        long readFormat = layout.formatBits() | PERF_FORMAT_GROUP();
        boolean onExec = target.childProcess() != null;
        try (Target.Resolved resolved = target.resolve()) {
            int[] fds = new int[resolved.sites.size() * members.size()];
            List<String> labels = new ArrayList<>();
            int opened = 0;
            try {
                PerfEventException vanished = null;
                for (Target.Site site : resolved.sites) {
                    int first = opened;
                    try {
                        for (Event event : members) {
                            int leader = opened == first ? -1 : fds[first];
                            fds[opened] = EventOpener.open(event, options, site, resolved.flags, leader, readFormat,
                                    onExec);
                            opened++;
                        }
                    } catch (PerfEventException e) {
                        if (!resolved.vanished(e, site)) {
                            throw e;
                        }
                        vanished = e; // the thread ended: drop this site's group
                        EventOpener.closeQuietly(Arrays.copyOfRange(fds, first, opened), opened - first);
                        opened = first;
                        continue;
                    }
                    labels.add(site.label());
                }
                if (opened == 0 && vanished != null) {
                    throw vanished;
                }
                return new Group(members, target, Arrays.copyOf(fds, opened), labels, layout);
            } catch (RuntimeException | Error e) {
                EventOpener.closeQuietly(fds, opened);
                throw e;
            }
        }
    }

    /** {@return the members, leader first} */
    public List<Event> events() {
        return events;
    }

    /** {@return the target} */
    public Target target() {
        return target;
    }

    /** {@return the number of groups: one per thread or CPU of the target} */
    public int sites() {
        return labels.size();
    }

    /**
     * {@return what it counts, such as {@code cpu 1}}
     *
     * @param site a group's index
     */
    public String label(int site) {
        return labels.get(site);
    }

    /** {@return a holder for {@link #read(GroupReading)}, sized for this group} */
    public GroupReading newReading() {
        return new GroupReading(events);
    }

    /** {@code PERF_EVENT_IOC_ENABLE} with {@code PERF_IOC_FLAG_GROUP} on each leader. */
    public void enable() {
        groupIoctl(0);
    }

    /** {@code PERF_EVENT_IOC_DISABLE} with {@code PERF_IOC_FLAG_GROUP} on each leader. */
    public void disable() {
        groupIoctl(1);
    }

    /** {@code PERF_EVENT_IOC_RESET} with {@code PERF_IOC_FLAG_GROUP} on each leader: every count goes to 0. */
    public void reset() {
        groupIoctl(2);
    }

    private void groupIoctl(int which) {
        enter();
        try {
            int flag = PERF_IOC_FLAG_GROUP();
            for (int site = 0; site < labels.size(); site++) {
                int leader = fds[site * members];
                int result = switch (which) {
                    case 0 -> Syscalls.enable(leader, flag);
                    case 1 -> Syscalls.disable(leader, flag);
                    default -> Syscalls.reset(leader, flag);
                };
                if (result < 0) {
                    String name = which == 0 ? "PERF_EVENT_IOC_ENABLE" : which == 1 ? "PERF_EVENT_IOC_DISABLE"
                            : "PERF_EVENT_IOC_RESET";
                    throw ErrorHints.fdFailed(-result, name + "(PERF_IOC_FLAG_GROUP) on fd " + leader + " for "
                            + labels.get(site), leader, "group");
                }
            }
        } finally {
            guard.exit();
        }
    }

    /**
     * Reads every member with one {@code read(2)} per thread or CPU, summed into {@code into}; allocates nothing.
     *
     * @param into a holder from {@link #newReading()}
     * @return {@code into}
     * @throws IllegalArgumentException if {@code into} was made for another number of members
     * @throws IllegalStateException if closed
     */
    public GroupReading read(GroupReading into) {
        requireSize(into);
        enter();
        try {
            layout.begin(into);
            for (int site = 0; site < labels.size(); site++) {
                readSite(site);
                layout.accumulate(buffer, into);
            }
            return into;
        } finally {
            guard.exit();
        }
    }

    /**
     * Reads the group of one thread or CPU.
     *
     * @param site the group's index
     * @param into a holder from {@link #newReading()}
     * @return {@code into}
     */
    public GroupReading read(int site, GroupReading into) {
        requireSize(into);
        Objects.checkIndex(site, labels.size());
        enter();
        try {
            layout.begin(into);
            readSite(site);
            layout.accumulate(buffer, into);
            return into;
        } finally {
            guard.exit();
        }
    }

    /**
     * {@code PERF_EVENT_IOC_ID} of one member in one group.
     *
     * @param site the group's index
     * @param member the member's index
     * @return the kernel's id of that event
     */
    public long id(int site, int member) {
        Objects.checkIndex(site, labels.size());
        Objects.checkIndex(member, members);
        enter();
        try {
            int fd = fds[site * members + member];
            int result = Syscalls.id(fd, idBuffer);
            if (result < 0) {
                throw ErrorHints.fdFailed(-result, "PERF_EVENT_IOC_ID on fd " + fd, fd, "group");
            }
            return idBuffer.get(JAVA_LONG, 0);
        } finally {
            guard.exit();
        }
    }

    /**
     * The fd of one member in one group, for raw-layer calls; it stays owned by the group.
     *
     * @param site the group's index
     * @param member the member's index
     * @return the fd
     */
    public int fd(int site, int member) {
        Objects.checkIndex(site, labels.size());
        Objects.checkIndex(member, members);
        if (guard.isClosed()) {
            throw closedException();
        }
        return fds[site * members + member];
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Closes every fd (members, then leaders) and frees the buffer. Idempotent.
     *
     * @throws PerfEventException if the kernel fails a close (every fd is still closed)
     */
    @Override
    public void close() {
        if (!guard.close()) {
            return;
        }
        PerfEventException failure = EventOpener.closeAll(fds, "the group led by " + events.get(0));
        arena.close();
        if (failure != null) {
            throw failure;
        }
    }

    private void readSite(int site) {
        int leader = fds[site * members];
        long bytes = Syscalls.read(leader, buffer);
        if (bytes < 0) {
            throw ErrorHints.fdFailed((int) -bytes, "read(" + leader + ") of the group led by " + events.get(0)
                    + " for " + labels.get(site), leader, "group");
        }
        if (bytes != buffer.byteSize()) {
            throw new IllegalStateException("the group read returned " + bytes + " bytes; its read format has "
                    + buffer.byteSize());
        }
    }

    private void requireSize(GroupReading into) {
        if (into.size() != members) {
            throw new IllegalArgumentException("the reading has room for " + into.size() + " members; the group has "
                    + members + ": use Group.newReading()");
        }
    }

    /** Enters the guard, or throws if the group is closed. */
    private void enter() {
        if (!guard.enter()) {
            throw closedException();
        }
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("the group led by " + events.get(0) + " is closed");
    }

    /** {@return the members, the target and whether it is closed} */
    @Override
    public String toString() {
        return "Group[" + events + ", " + target + (guard.isClosed() ? ", closed]" : "]");
    }
}
